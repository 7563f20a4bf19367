//! The stored JSON shapes of the exam tables, and their parsing back into domain values.
//! One place, so the bank, the papers and the answers agree on them.
//!
//! - `question_versions.body`: `{"options":[{"text":"…","correct":true},…]}` (single and
//!   multiple choice), `{"answer":true}` (true/false), `{"accepted":["…"]}` (fill-in),
//!   `{"items":[{"title":"…","points":40,"criteria":"…","veto":false}]}` (practical sheet,
//!   whose title is the version's `stem`).
//! - `exam_answers.response`: `{"choices":[0,2]}`, `{"true_false":true}`, `{"text":"…"}`.
//! - `exam_attempts.paper`: `{"seed":…,"total":100,"pass_mark":80,"items":[{"q":"<version
//!   id>","k":"single","p":2,"o":[2,0,1,3]}]}`.

use anpei_domain::exam::{
    ChoiceOption, Difficulty, Paper, PaperItem, Question, QuestionBody, QuestionKind, Response,
    ScoreSheet, SheetItem,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::question_version;

/// `questions.kind` of a practical score sheet (the four on-screen kinds use
/// `QuestionKind::code`).
pub const PRACTICAL: &str = "practical";

#[derive(Serialize, Deserialize)]
struct OptionJson {
    text: String,
    correct: bool,
}

#[derive(Serialize, Deserialize)]
struct ItemJson {
    title: String,
    points: u32,
    #[serde(default)]
    criteria: String,
    #[serde(default)]
    veto: bool,
}

#[derive(Serialize, Deserialize, Default)]
struct BodyJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<Vec<OptionJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<ItemJson>>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!(
        "stored {what} is not readable"
    )))
}

pub fn body_json(body: &QuestionBody) -> String {
    let json = match body {
        QuestionBody::Single { options } | QuestionBody::Multiple { options } => BodyJson {
            options: Some(
                options
                    .iter()
                    .map(|o| OptionJson {
                        text: o.text.clone(),
                        correct: o.correct,
                    })
                    .collect(),
            ),
            ..BodyJson::default()
        },
        QuestionBody::TrueFalse { answer } => BodyJson {
            answer: Some(*answer),
            ..BodyJson::default()
        },
        QuestionBody::FillIn { accepted } => BodyJson {
            accepted: Some(accepted.clone()),
            ..BodyJson::default()
        },
    };
    serde_json::to_string(&json).unwrap_or_default()
}

pub fn sheet_json(sheet: &ScoreSheet) -> String {
    let json = BodyJson {
        items: Some(
            sheet
                .items()
                .iter()
                .map(|i| ItemJson {
                    title: i.title.clone(),
                    points: i.points,
                    criteria: i.criteria.clone(),
                    veto: i.veto,
                })
                .collect(),
        ),
        ..BodyJson::default()
    };
    serde_json::to_string(&json).unwrap_or_default()
}

pub fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_default()
}

pub fn tags_of(row: &question_version::Model) -> Vec<String> {
    serde_json::from_str(&row.tags).unwrap_or_default()
}

/// A stored version as a domain question (`None` for a practical sheet).
pub fn question_of(row: &question_version::Model) -> Result<Option<Question>, StoreError> {
    if row.kind == PRACTICAL {
        return Ok(None);
    }
    let kind = QuestionKind::parse(&row.kind).ok_or_else(|| corrupt("question kind"))?;
    let json: BodyJson = serde_json::from_str(&row.body).map_err(|_| corrupt("question body"))?;
    let options = || -> Result<Vec<ChoiceOption>, StoreError> {
        Ok(json
            .options
            .as_ref()
            .ok_or_else(|| corrupt("question options"))?
            .iter()
            .map(|o| ChoiceOption {
                text: o.text.clone(),
                correct: o.correct,
            })
            .collect())
    };
    let body = match kind {
        QuestionKind::Single => QuestionBody::Single {
            options: options()?,
        },
        QuestionKind::Multiple => QuestionBody::Multiple {
            options: options()?,
        },
        QuestionKind::TrueFalse => QuestionBody::TrueFalse {
            answer: json.answer.ok_or_else(|| corrupt("true/false answer"))?,
        },
        QuestionKind::FillIn => QuestionBody::FillIn {
            accepted: json
                .accepted
                .clone()
                .ok_or_else(|| corrupt("fill-in answers"))?,
        },
    };
    let difficulty =
        Difficulty::from_level(row.difficulty as u8).ok_or_else(|| corrupt("difficulty"))?;
    Question::new(&row.stem, body, difficulty, &tags_of(row), &row.explanation)
        .map(Some)
        .map_err(|_| corrupt("question"))
}

/// A stored practical version as its score sheet.
pub fn sheet_of(row: &question_version::Model) -> Result<ScoreSheet, StoreError> {
    if row.kind != PRACTICAL {
        return Err(corrupt("score sheet kind"));
    }
    let json: BodyJson = serde_json::from_str(&row.body).map_err(|_| corrupt("score sheet"))?;
    let items = json
        .items
        .ok_or_else(|| corrupt("score sheet items"))?
        .into_iter()
        .map(|i| SheetItem {
            title: i.title,
            points: i.points,
            criteria: i.criteria,
            veto: i.veto,
        })
        .collect();
    ScoreSheet::new(&row.stem, items).map_err(|_| corrupt("score sheet"))
}

#[derive(Serialize, Deserialize)]
struct ResponseJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    choices: Option<Vec<u8>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    true_false: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

pub fn response_json(response: &Response) -> String {
    let json = match response {
        Response::Choices(c) => ResponseJson {
            choices: Some(c.clone()),
            true_false: None,
            text: None,
        },
        Response::TrueFalse(b) => ResponseJson {
            choices: None,
            true_false: Some(*b),
            text: None,
        },
        Response::Text(t) => ResponseJson {
            choices: None,
            true_false: None,
            text: Some(t.clone()),
        },
    };
    serde_json::to_string(&json).unwrap_or_default()
}

pub fn response_of(json: &str) -> Result<Response, StoreError> {
    let json: ResponseJson = serde_json::from_str(json).map_err(|_| corrupt("answer"))?;
    match (json.choices, json.true_false, json.text) {
        (Some(c), None, None) => Ok(Response::Choices(c)),
        (None, Some(b), None) => Ok(Response::TrueFalse(b)),
        (None, None, Some(t)) => Ok(Response::Text(t)),
        _ => Err(corrupt("answer")),
    }
}

#[derive(Serialize, Deserialize)]
struct PaperItemJson {
    q: Uuid,
    k: String,
    p: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    o: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct PaperJson {
    seed: u64,
    total: u32,
    pass_mark: u32,
    items: Vec<PaperItemJson>,
}

pub fn paper_json(paper: &Paper) -> String {
    let json = PaperJson {
        seed: paper.seed,
        total: paper.total,
        pass_mark: paper.pass_mark,
        items: paper
            .items
            .iter()
            .map(|i| PaperItemJson {
                // Papers are drawn from version ids; anything else would be a bug upstream.
                q: Uuid::parse_str(&i.question_id).unwrap_or_default(),
                k: i.kind.code().to_owned(),
                p: i.points,
                o: i.option_order.clone(),
            })
            .collect(),
    };
    serde_json::to_string(&json).unwrap_or_default()
}

pub fn paper_of(json: &str) -> Result<Paper, StoreError> {
    let json: PaperJson = serde_json::from_str(json).map_err(|_| corrupt("paper"))?;
    let items = json
        .items
        .into_iter()
        .map(|i| {
            Ok(PaperItem {
                question_id: i.q.to_string(),
                kind: QuestionKind::parse(&i.k).ok_or_else(|| corrupt("paper item kind"))?,
                points: i.p,
                option_order: i.o,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Paper {
        seed: json.seed,
        items,
        total: json.total,
        pass_mark: json.pass_mark,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_round_trip() {
        for response in [
            Response::Choices(vec![0, 2]),
            Response::Choices(vec![]),
            Response::TrueFalse(false),
            Response::Text("36 伏".into()),
        ] {
            assert_eq!(response_of(&response_json(&response)).unwrap(), response);
        }
        assert!(response_of(r#"{"choices":[1],"text":"x"}"#).is_err());
    }
}
