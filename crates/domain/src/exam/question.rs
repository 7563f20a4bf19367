//! A question of the unified bank (统一题库) and how a response to it is marked.
//!
//! Four kinds are answered on screen: single choice (单选题), multiple choice (多选题),
//! true/false (判断题) and fill-in (填空题). Practical exams are scored on a
//! [`ScoreSheet`](super::ScoreSheet) instead. A multiple-choice question scores only when
//! exactly the right options are chosen (no part marks), as in the national special-operations
//! theory exam; a fill-in answer matches an accepted answer after normalising width, case and
//! spaces.

use thiserror::Error;

use crate::Bilingual;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum QuestionKind {
    Single,
    Multiple,
    TrueFalse,
    FillIn,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 4] = [
        QuestionKind::Single,
        QuestionKind::Multiple,
        QuestionKind::TrueFalse,
        QuestionKind::FillIn,
    ];

    /// Stable code for storage, files and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::TrueFalse => "true_false",
            Self::FillIn => "fill_in",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Single => "单选题",
            Self::Multiple => "多选题",
            Self::TrueFalse => "判断题",
            Self::FillIn => "填空题",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Single => "Single choice",
            Self::Multiple => "Multiple choice",
            Self::TrueFalse => "True/false",
            Self::FillIn => "Fill-in",
        }
    }
}

/// How hard a question is meant to be, as the bank's authors rate it (1 易, 2 中, 3 难).
/// Measured difficulty comes from [`stats`](super::stats) once people have answered it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];

    pub fn level(self) -> u8 {
        match self {
            Self::Easy => 1,
            Self::Medium => 2,
            Self::Hard => 3,
        }
    }

    pub fn from_level(level: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.level() == level)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Easy => "易",
            Self::Medium => "中",
            Self::Hard => "难",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Easy => "Easy",
            Self::Medium => "Medium",
            Self::Hard => "Hard",
        }
    }
}

/// One option of a choice question.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChoiceOption {
    pub text: String,
    pub correct: bool,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum QuestionBody {
    /// Exactly one option is correct.
    Single {
        options: Vec<ChoiceOption>,
    },
    /// At least one option is correct; the response must choose exactly the correct ones.
    Multiple {
        options: Vec<ChoiceOption>,
    },
    TrueFalse {
        answer: bool,
    },
    /// Any of the accepted answers (at least one) is right.
    FillIn {
        accepted: Vec<String>,
    },
}

impl QuestionBody {
    pub fn kind(&self) -> QuestionKind {
        match self {
            Self::Single { .. } => QuestionKind::Single,
            Self::Multiple { .. } => QuestionKind::Multiple,
            Self::TrueFalse { .. } => QuestionKind::TrueFalse,
            Self::FillIn { .. } => QuestionKind::FillIn,
        }
    }

    pub fn options(&self) -> &[ChoiceOption] {
        match self {
            Self::Single { options } | Self::Multiple { options } => options,
            _ => &[],
        }
    }
}

/// A checked question: it can be answered and marked.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Question {
    stem: String,
    body: QuestionBody,
    difficulty: Difficulty,
    tags: Vec<String>,
    explanation: String,
}

/// Options a choice question may have (A–H).
pub const MAX_OPTIONS: usize = 8;
/// Longest stem, option or answer accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

#[derive(Clone, PartialEq, Eq, Debug, Error)]
pub enum QuestionError {
    #[error("the question text is empty")]
    EmptyStem,
    #[error("text is longer than {MAX_TEXT_CHARS} characters")]
    TooLong,
    #[error("a choice question needs 2 to {MAX_OPTIONS} options, this one has {0}")]
    OptionCount(usize),
    #[error("option {0} is empty")]
    EmptyOption(char),
    #[error("options {0} and {1} say the same")]
    DuplicateOption(char, char),
    #[error("a single-choice question needs exactly one correct option, this one has {0}")]
    SingleCorrect(usize),
    #[error("a multiple-choice question needs at least one correct option")]
    NoCorrect,
    #[error("a fill-in question needs at least one accepted answer")]
    NoAcceptedAnswer,
    #[error("tag \"{0}\" is empty or longer than 40 characters")]
    BadTag(String),
}

impl Bilingual for QuestionError {
    fn zh(&self) -> String {
        match self {
            Self::EmptyStem => "题干为空".into(),
            Self::TooLong => format!("文字超过 {MAX_TEXT_CHARS} 字"),
            Self::OptionCount(n) => format!("选择题须有 2 至 {MAX_OPTIONS} 个选项，本题有 {n} 个"),
            Self::EmptyOption(letter) => format!("选项 {letter} 为空"),
            Self::DuplicateOption(a, b) => format!("选项 {a} 与 {b} 内容相同"),
            Self::SingleCorrect(n) => format!("单选题须恰有一个正确选项，本题有 {n} 个"),
            Self::NoCorrect => "多选题至少须有一个正确选项".into(),
            Self::NoAcceptedAnswer => "填空题至少须有一个标准答案".into(),
            Self::BadTag(tag) => format!("标签“{tag}”为空或超过 40 字"),
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

/// The letter shown for option `index` (A, B, C, ...).
pub fn option_letter(index: usize) -> char {
    char::from(b'A' + (index as u8).min(25))
}

fn check_text(text: &str) -> Result<(), QuestionError> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(QuestionError::TooLong);
    }
    Ok(())
}

impl Question {
    /// Checks and builds a question. Texts are trimmed; tags are trimmed, deduplicated and
    /// sorted so that a question's stored form does not depend on how it was typed.
    pub fn new(
        stem: &str,
        body: QuestionBody,
        difficulty: Difficulty,
        tags: &[String],
        explanation: &str,
    ) -> Result<Self, QuestionError> {
        let stem = stem.trim().to_string();
        if stem.is_empty() {
            return Err(QuestionError::EmptyStem);
        }
        check_text(&stem)?;
        check_text(explanation)?;
        let body = match body {
            QuestionBody::Single { options } => {
                let options = check_options(options)?;
                let correct = options.iter().filter(|o| o.correct).count();
                if correct != 1 {
                    return Err(QuestionError::SingleCorrect(correct));
                }
                QuestionBody::Single { options }
            }
            QuestionBody::Multiple { options } => {
                let options = check_options(options)?;
                if !options.iter().any(|o| o.correct) {
                    return Err(QuestionError::NoCorrect);
                }
                QuestionBody::Multiple { options }
            }
            QuestionBody::TrueFalse { answer } => QuestionBody::TrueFalse { answer },
            QuestionBody::FillIn { accepted } => {
                let mut kept: Vec<String> = Vec::new();
                for answer in accepted {
                    let answer = answer.trim().to_string();
                    check_text(&answer)?;
                    if !answer.is_empty() && !kept.contains(&answer) {
                        kept.push(answer);
                    }
                }
                if kept.is_empty() {
                    return Err(QuestionError::NoAcceptedAnswer);
                }
                QuestionBody::FillIn { accepted: kept }
            }
        };
        let mut clean_tags: Vec<String> = Vec::new();
        for tag in tags {
            let tag = tag.trim();
            if tag.is_empty() || tag.chars().count() > 40 {
                return Err(QuestionError::BadTag(tag.to_string()));
            }
            clean_tags.push(tag.to_string());
        }
        clean_tags.sort();
        clean_tags.dedup();
        Ok(Self {
            stem,
            body,
            difficulty,
            tags: clean_tags,
            explanation: explanation.trim().to_string(),
        })
    }

    pub fn stem(&self) -> &str {
        &self.stem
    }

    pub fn body(&self) -> &QuestionBody {
        &self.body
    }

    pub fn kind(&self) -> QuestionKind {
        self.body.kind()
    }

    pub fn difficulty(&self) -> Difficulty {
        self.difficulty
    }

    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Shown after the exam in review (解析); may be empty.
    pub fn explanation(&self) -> &str {
        &self.explanation
    }

    /// Whether a response is exactly right.
    pub fn is_correct(&self, response: &Response) -> bool {
        match (&self.body, response) {
            (QuestionBody::Single { options }, Response::Choices(chosen))
            | (QuestionBody::Multiple { options }, Response::Choices(chosen)) => {
                let right: Vec<u8> = options
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.correct)
                    .map(|(i, _)| i as u8)
                    .collect();
                *chosen == right
            }
            (QuestionBody::TrueFalse { answer }, Response::TrueFalse(given)) => answer == given,
            (QuestionBody::FillIn { accepted }, Response::Text(given)) => {
                let given = normalise_answer(given);
                !given.is_empty() && accepted.iter().any(|a| normalise_answer(a) == given)
            }
            _ => false,
        }
    }

    /// Checks that a response has the shape this question takes (the right kind, options
    /// that exist, one choice for a single-choice question). An empty choice list or empty
    /// text is a valid response: the examinee cleared their answer.
    pub fn check_response(&self, response: &Response) -> Result<(), ResponseError> {
        match (&self.body, response) {
            (QuestionBody::Single { options }, Response::Choices(chosen)) => {
                if chosen.len() > 1 {
                    return Err(ResponseError::OneChoiceOnly);
                }
                check_choices(chosen, options.len())
            }
            (QuestionBody::Multiple { options }, Response::Choices(chosen)) => {
                check_choices(chosen, options.len())
            }
            (QuestionBody::TrueFalse { .. }, Response::TrueFalse(_)) => Ok(()),
            (QuestionBody::FillIn { .. }, Response::Text(text)) => {
                if text.chars().count() > 500 {
                    Err(ResponseError::TooLong)
                } else {
                    Ok(())
                }
            }
            _ => Err(ResponseError::WrongKind),
        }
    }
}

fn check_options(options: Vec<ChoiceOption>) -> Result<Vec<ChoiceOption>, QuestionError> {
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        return Err(QuestionError::OptionCount(options.len()));
    }
    let options: Vec<ChoiceOption> = options
        .into_iter()
        .map(|o| ChoiceOption {
            text: o.text.trim().to_string(),
            correct: o.correct,
        })
        .collect();
    for (i, option) in options.iter().enumerate() {
        if option.text.is_empty() {
            return Err(QuestionError::EmptyOption(option_letter(i)));
        }
        check_text(&option.text)?;
        if let Some(j) = options[..i].iter().position(|o| o.text == option.text) {
            return Err(QuestionError::DuplicateOption(
                option_letter(j),
                option_letter(i),
            ));
        }
    }
    Ok(options)
}

fn check_choices(chosen: &[u8], count: usize) -> Result<(), ResponseError> {
    if chosen.windows(2).any(|w| w[0] >= w[1]) {
        return Err(ResponseError::Unsorted);
    }
    if chosen.iter().any(|&c| usize::from(c) >= count) {
        return Err(ResponseError::NoSuchOption);
    }
    Ok(())
}

/// Full-width ASCII to half-width, lower case, runs of white space to one space, trimmed —
/// so "ＡＢＣ", "abc " and "a b c" compare as an examinee would expect ("a b c" stays apart
/// from "abc").
pub fn normalise_answer(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for ch in text.trim().chars() {
        let ch = match ch {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
            _ => ch,
        };
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(ch.to_lowercase());
    }
    out
}

/// What an examinee answered to one question. Choices are option indices in the question's
/// stored order (the order shown may be shuffled), sorted and without repeats.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Response {
    Choices(Vec<u8>),
    TrueFalse(bool),
    Text(String),
}

impl Response {
    /// Whether the examinee has answered (a cleared answer counts as unanswered).
    pub fn is_answered(&self) -> bool {
        match self {
            Self::Choices(c) => !c.is_empty(),
            Self::TrueFalse(_) => true,
            Self::Text(t) => !t.trim().is_empty(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Error)]
pub enum ResponseError {
    #[error("the answer does not fit this kind of question")]
    WrongKind,
    #[error("a single-choice question takes one option")]
    OneChoiceOnly,
    #[error("the question has no such option")]
    NoSuchOption,
    #[error("options must be listed once each, in order")]
    Unsorted,
    #[error("the answer is longer than 500 characters")]
    TooLong,
}

impl Bilingual for ResponseError {
    fn zh(&self) -> String {
        match self {
            Self::WrongKind => "答案与题型不符",
            Self::OneChoiceOnly => "单选题只能选一个选项",
            Self::NoSuchOption => "没有这个选项",
            Self::Unsorted => "选项须按顺序且不重复",
            Self::TooLong => "答案超过 500 字",
        }
        .into()
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(spec: &[(&str, bool)]) -> Vec<ChoiceOption> {
        spec.iter()
            .map(|(text, correct)| ChoiceOption {
                text: (*text).into(),
                correct: *correct,
            })
            .collect()
    }

    fn q(body: QuestionBody) -> Result<Question, QuestionError> {
        Question::new("题干", body, Difficulty::Medium, &[], "")
    }

    #[test]
    fn question_checks() {
        let cases: Vec<(QuestionBody, Result<QuestionKind, QuestionError>)> = vec![
            (
                QuestionBody::Single {
                    options: opts(&[("甲", true), ("乙", false)]),
                },
                Ok(QuestionKind::Single),
            ),
            (
                QuestionBody::Single {
                    options: opts(&[("甲", true), ("乙", true)]),
                },
                Err(QuestionError::SingleCorrect(2)),
            ),
            (
                QuestionBody::Single {
                    options: opts(&[("甲", false), ("乙", false)]),
                },
                Err(QuestionError::SingleCorrect(0)),
            ),
            (
                QuestionBody::Single {
                    options: opts(&[("甲", true)]),
                },
                Err(QuestionError::OptionCount(1)),
            ),
            (
                QuestionBody::Multiple {
                    options: opts(&[("甲", false), ("乙", false)]),
                },
                Err(QuestionError::NoCorrect),
            ),
            (
                QuestionBody::Multiple {
                    options: opts(&[("甲", true), (" ", false)]),
                },
                Err(QuestionError::EmptyOption('B')),
            ),
            (
                QuestionBody::Multiple {
                    options: opts(&[("甲", true), ("乙", true), ("甲 ", false)]),
                },
                Err(QuestionError::DuplicateOption('A', 'C')),
            ),
            (
                QuestionBody::FillIn {
                    accepted: vec![" ".into()],
                },
                Err(QuestionError::NoAcceptedAnswer),
            ),
            (
                QuestionBody::TrueFalse { answer: false },
                Ok(QuestionKind::TrueFalse),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(q(body.clone()).map(|q| q.kind()), expected, "{body:?}");
        }
        assert_eq!(
            Question::new(
                "  ",
                QuestionBody::TrueFalse { answer: true },
                Difficulty::Easy,
                &[],
                ""
            ),
            Err(QuestionError::EmptyStem)
        );
    }

    #[test]
    fn marking() {
        let single = q(QuestionBody::Single {
            options: opts(&[("甲", false), ("乙", true), ("丙", false)]),
        })
        .unwrap();
        let multiple = q(QuestionBody::Multiple {
            options: opts(&[("甲", true), ("乙", false), ("丙", true), ("丁", false)]),
        })
        .unwrap();
        let tf = q(QuestionBody::TrueFalse { answer: false }).unwrap();
        let fill = q(QuestionBody::FillIn {
            accepted: vec!["36V".into(), "36 伏".into()],
        })
        .unwrap();
        let cases: Vec<(&Question, Response, bool)> = vec![
            (&single, Response::Choices(vec![1]), true),
            (&single, Response::Choices(vec![0]), false),
            (&single, Response::Choices(vec![]), false),
            (&multiple, Response::Choices(vec![0, 2]), true),
            // No part marks: one right option of two is wrong; one wrong option too many is wrong.
            (&multiple, Response::Choices(vec![0]), false),
            (&multiple, Response::Choices(vec![0, 1, 2]), false),
            (&tf, Response::TrueFalse(false), true),
            (&tf, Response::TrueFalse(true), false),
            (&fill, Response::Text("３６ｖ".into()), true),
            (&fill, Response::Text(" 36  伏 ".into()), true),
            (&fill, Response::Text("36".into()), false),
            (&fill, Response::Text("".into()), false),
            (&single, Response::TrueFalse(true), false),
        ];
        for (question, response, right) in cases {
            assert_eq!(question.is_correct(&response), right, "{response:?}");
        }
    }

    #[test]
    fn response_shapes() {
        let single = q(QuestionBody::Single {
            options: opts(&[("甲", false), ("乙", true)]),
        })
        .unwrap();
        assert_eq!(
            single.check_response(&Response::Choices(vec![0, 1])),
            Err(ResponseError::OneChoiceOnly)
        );
        assert_eq!(
            single.check_response(&Response::Choices(vec![2])),
            Err(ResponseError::NoSuchOption)
        );
        assert_eq!(
            single.check_response(&Response::Text("A".into())),
            Err(ResponseError::WrongKind)
        );
        assert_eq!(single.check_response(&Response::Choices(vec![])), Ok(()));
        let multiple = q(QuestionBody::Multiple {
            options: opts(&[("甲", true), ("乙", true), ("丙", false)]),
        })
        .unwrap();
        assert_eq!(
            multiple.check_response(&Response::Choices(vec![1, 0])),
            Err(ResponseError::Unsorted)
        );
        assert_eq!(
            multiple.check_response(&Response::Choices(vec![0, 0])),
            Err(ResponseError::Unsorted)
        );
        assert_eq!(
            multiple.check_response(&Response::Choices(vec![0, 2])),
            Ok(())
        );
    }

    #[test]
    fn tags_are_normalised() {
        let question = Question::new(
            "题",
            QuestionBody::TrueFalse { answer: true },
            Difficulty::Hard,
            &[" 触电 ".into(), "急救".into(), "触电".into()],
            "",
        )
        .unwrap();
        assert_eq!(question.tags(), ["急救".to_string(), "触电".to_string()]);
    }
}
