//! The question form as typed: read from the posted fields or from a saved version, padded
//! to a fixed number of option and score-sheet rows, and turned into the API's
//! `QuestionInput` for a save (the one place a typed score is refused as not a number).

use uuid::Uuid;

use crate::api::bank::{OptionDto, QuestionInput, SheetItemDto};
use crate::error::WebError;

/// Rows of options and score-sheet items a form offers.
const FORM_OPTIONS: usize = 8;
const FORM_ITEMS: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct OptionField {
    pub letter: char,
    pub index: usize,
    pub text: String,
    pub correct: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ItemField {
    pub index: usize,
    pub title: String,
    pub points: String,
    pub criteria: String,
    pub veto: bool,
}

/// What the form shows: the input as typed.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub kind: String,
    pub point: String,
    pub name: String,
    pub stem: String,
    pub options: Vec<OptionField>,
    pub answer: String,
    pub accepted: String,
    pub difficulty: String,
    pub tags: String,
    pub explanation: String,
    pub items: Vec<ItemField>,
}

impl FormState {
    pub(super) fn empty(kind: &str) -> Self {
        let mut state = FormState {
            kind: kind.to_owned(),
            difficulty: "2".into(),
            ..FormState::default()
        };
        state.pad();
        state
    }

    fn pad(&mut self) {
        while self.options.len() < FORM_OPTIONS {
            let index = self.options.len();
            self.options.push(OptionField {
                letter: anpei_domain::exam::question::option_letter(index),
                index,
                ..OptionField::default()
            });
        }
        while self.items.len() < FORM_ITEMS {
            let index = self.items.len();
            self.items.push(ItemField {
                index,
                ..ItemField::default()
            });
        }
    }

    pub(super) fn of_input(input: &QuestionInput, point: Uuid, name: Option<String>) -> Self {
        let mut state = FormState {
            kind: input.kind.clone(),
            point: point.to_string(),
            name: name.unwrap_or_default(),
            stem: input.stem.clone(),
            options: input
                .options
                .iter()
                .enumerate()
                .map(|(index, o)| OptionField {
                    letter: anpei_domain::exam::question::option_letter(index),
                    index,
                    text: o.text.clone(),
                    correct: o.correct,
                })
                .collect(),
            answer: match input.answer {
                Some(true) => "true".into(),
                Some(false) => "false".into(),
                None => String::new(),
            },
            accepted: input.accepted.join("\n"),
            difficulty: input.difficulty.unwrap_or(2).to_string(),
            tags: input.tags.join("，"),
            explanation: input.explanation.clone(),
            items: input
                .items
                .iter()
                .enumerate()
                .map(|(index, i)| ItemField {
                    index,
                    title: i.title.clone(),
                    points: i.points.to_string(),
                    criteria: i.criteria.clone(),
                    veto: i.veto,
                })
                .collect(),
        };
        state.pad();
        state
    }

    /// Reads the posted fields (repeated checkboxes arrive as pairs).
    pub(super) fn of_form(pairs: &[(String, String)]) -> Self {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let has = |key: &str| pairs.iter().any(|(k, _)| k == key);
        let single_correct = get("correct");
        let mut state = FormState {
            kind: get("kind"),
            point: get("point"),
            name: get("name"),
            stem: get("stem"),
            answer: get("answer"),
            accepted: get("accepted"),
            difficulty: get("difficulty"),
            tags: get("tags"),
            explanation: get("explanation"),
            options: (0..FORM_OPTIONS)
                .map(|index| OptionField {
                    letter: anpei_domain::exam::question::option_letter(index),
                    index,
                    text: get(&format!("option_{index}")),
                    correct: has(&format!("correct_{index}"))
                        || single_correct == index.to_string(),
                })
                .collect(),
            items: (0..FORM_ITEMS)
                .map(|index| ItemField {
                    index,
                    title: get(&format!("item_title_{index}")),
                    points: get(&format!("item_points_{index}")),
                    criteria: get(&format!("item_criteria_{index}")),
                    veto: has(&format!("item_veto_{index}")),
                })
                .collect(),
        };
        state.pad();
        state
    }

    /// The input a save checks; blank option and item rows at the end are left out.
    pub(super) fn input(&self, trade: &str) -> Result<QuestionInput, WebError> {
        let last_option = self.options.iter().rposition(|o| !o.text.trim().is_empty());
        let options = match last_option {
            Some(last) => self.options[..=last]
                .iter()
                .map(|o| OptionDto {
                    text: o.text.clone(),
                    correct: o.correct,
                })
                .collect(),
            None => Vec::new(),
        };
        let mut items = Vec::new();
        for item in &self.items {
            if item.title.trim().is_empty()
                && item.points.trim().is_empty()
                && item.criteria.trim().is_empty()
            {
                continue;
            }
            let points = if item.points.trim().is_empty() {
                0
            } else {
                item.points
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| WebError::Invalid {
                        field: format!("item_points_{}", item.index),
                        zh: format!("第 {} 项的分值“{}”不是整数", item.index + 1, item.points),
                        en: format!(
                            "item {}: \"{}\" is not a whole number",
                            item.index + 1,
                            item.points
                        ),
                    })?
            };
            items.push(SheetItemDto {
                title: item.title.clone(),
                points,
                criteria: item.criteria.clone(),
                veto: item.veto,
            });
        }
        Ok(QuestionInput {
            trade: trade.to_owned(),
            syllabus_point_id: Uuid::parse_str(self.point.trim()).ok(),
            kind: self.kind.clone(),
            stem: self.stem.clone(),
            name: Some(self.name.clone()).filter(|n| !n.trim().is_empty()),
            options,
            answer: match self.answer.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            accepted: self
                .accepted
                .lines()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect(),
            difficulty: self.difficulty.trim().parse().ok(),
            tags: self
                .tags
                .split([',', '，', '、', ';', '；'])
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            explanation: self.explanation.clone(),
            items,
        })
    }
}
