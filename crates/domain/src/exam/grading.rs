//! Marking a finished attempt: the theory part from its responses, the practical part from an
//! examiner's score sheet. Results are whole points; a part passes at its pass mark.

use super::blueprint::Paper;
use super::question::{Question, Response};
use super::score_sheet::ScoreSheet;

/// The marks of one theory attempt.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TheoryGrade {
    pub score: u32,
    pub total: u32,
    pub passed: bool,
    /// Per paper item: points earned (0 or the item's points).
    pub earned: Vec<u32>,
    pub answered: u32,
}

impl TheoryGrade {
    /// Marks a paper. `questions[i]` is the question version of `paper.items[i]`;
    /// `responses[i]` the examinee's last saved response to it, if any.
    pub fn mark(paper: &Paper, questions: &[&Question], responses: &[Option<Response>]) -> Self {
        assert_eq!(
            paper.items.len(),
            questions.len(),
            "one question per paper item"
        );
        assert_eq!(
            paper.items.len(),
            responses.len(),
            "one response slot per paper item"
        );
        let mut earned = Vec::with_capacity(paper.items.len());
        let mut answered = 0;
        for ((item, question), response) in paper.items.iter().zip(questions).zip(responses) {
            let points = match response {
                Some(response) => {
                    if response.is_answered() {
                        answered += 1;
                    }
                    if question.is_correct(response) {
                        item.points
                    } else {
                        0
                    }
                }
                None => 0,
            };
            earned.push(points);
        }
        let score = earned.iter().sum();
        Self {
            score,
            total: paper.total,
            passed: score >= paper.pass_mark,
            earned,
            answered,
        }
    }
}

/// An examiner's marks on one score sheet.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PracticalGrade {
    pub score: u32,
    pub passed: bool,
    /// Titles of the veto items that were triggered.
    pub vetoed: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum PracticalMarkError {
    #[error("the sheet has {expected} items, {given} marks were given")]
    ItemCount { expected: usize, given: usize },
    #[error("item {item} is worth {max} points, {given} were given")]
    AboveMax { item: usize, max: u32, given: u32 },
}

impl crate::Bilingual for PracticalMarkError {
    fn zh(&self) -> String {
        match self {
            Self::ItemCount { expected, given } => {
                format!("评分表有 {expected} 项，实际给出 {given} 项分数")
            }
            Self::AboveMax { item, max, given } => {
                format!("第 {item} 项满分 {max} 分，给了 {given} 分")
            }
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

/// One item's mark: the points given and, for a veto item, whether it was triggered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ItemMark {
    pub points: u32,
    pub vetoed: bool,
}

impl PracticalGrade {
    pub fn mark(
        sheet: &ScoreSheet,
        marks: &[ItemMark],
        pass_mark: u32,
    ) -> Result<Self, PracticalMarkError> {
        if marks.len() != sheet.items().len() {
            return Err(PracticalMarkError::ItemCount {
                expected: sheet.items().len(),
                given: marks.len(),
            });
        }
        let mut score = 0;
        let mut vetoed = Vec::new();
        for (i, (item, mark)) in sheet.items().iter().zip(marks).enumerate() {
            if mark.points > item.points {
                return Err(PracticalMarkError::AboveMax {
                    item: i + 1,
                    max: item.points,
                    given: mark.points,
                });
            }
            score += mark.points;
            if item.veto && mark.vetoed {
                vetoed.push(item.title.clone());
            }
        }
        Ok(Self {
            score,
            passed: vetoed.is_empty() && score >= pass_mark,
            vetoed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exam::{ChoiceOption, Difficulty, PaperItem, QuestionBody, QuestionKind, SheetItem};

    fn tf(answer: bool) -> Question {
        Question::new(
            "判断",
            QuestionBody::TrueFalse { answer },
            Difficulty::Easy,
            &[],
            "",
        )
        .unwrap()
    }

    #[test]
    fn theory_pass_mark_boundary() {
        // 20 true/false items of 5 points: 16 right = 80 = pass, 15 right = 75 = fail.
        let questions: Vec<Question> = (0..20).map(|_| tf(true)).collect();
        let refs: Vec<&Question> = questions.iter().collect();
        let paper = Paper {
            seed: 1,
            items: (0..20)
                .map(|i| PaperItem {
                    question_id: format!("{i}"),
                    kind: QuestionKind::TrueFalse,
                    points: 5,
                    option_order: vec![],
                })
                .collect(),
            total: 100,
            pass_mark: 80,
        };
        for (right, score, passed) in [
            (16, 80, true),
            (15, 75, false),
            (20, 100, true),
            (0, 0, false),
        ] {
            let responses: Vec<Option<Response>> = (0..20)
                .map(|i| {
                    if i < right {
                        Some(Response::TrueFalse(true))
                    } else if i < 19 {
                        Some(Response::TrueFalse(false))
                    } else {
                        None
                    }
                })
                .collect();
            let grade = TheoryGrade::mark(&paper, &refs, &responses);
            assert_eq!(
                (grade.score, grade.passed),
                (score, passed),
                "{right} right"
            );
        }
        let single = Question::new(
            "单选",
            QuestionBody::Single {
                options: vec![
                    ChoiceOption {
                        text: "a".into(),
                        correct: true,
                    },
                    ChoiceOption {
                        text: "b".into(),
                        correct: false,
                    },
                ],
            },
            Difficulty::Easy,
            &[],
            "",
        )
        .unwrap();
        let paper = Paper {
            seed: 1,
            items: vec![PaperItem {
                question_id: "s".into(),
                kind: QuestionKind::Single,
                points: 100,
                option_order: vec![1, 0],
            }],
            total: 100,
            pass_mark: 80,
        };
        let grade = TheoryGrade::mark(&paper, &[&single], &[Some(Response::Choices(vec![]))]);
        assert_eq!(
            (grade.score, grade.answered),
            (0, 0),
            "a cleared answer is unanswered"
        );
    }

    #[test]
    fn practical_marks_and_veto() {
        let sheet = ScoreSheet::new(
            "低压电工实操",
            vec![
                SheetItem {
                    title: "安全用具检查".into(),
                    points: 40,
                    criteria: String::new(),
                    veto: false,
                },
                SheetItem {
                    title: "接线".into(),
                    points: 60,
                    criteria: String::new(),
                    veto: false,
                },
                SheetItem {
                    title: "带电作业未采取防护".into(),
                    points: 0,
                    criteria: String::new(),
                    veto: true,
                },
            ],
        )
        .unwrap();
        let m = |points, vetoed| ItemMark { points, vetoed };
        let cases = vec![
            (
                vec![m(40, false), m(40, false), m(0, false)],
                Ok((80, true)),
            ),
            (
                vec![m(40, false), m(39, false), m(0, false)],
                Ok((79, false)),
            ),
            (
                vec![m(40, false), m(60, false), m(0, true)],
                Ok((100, false)),
            ),
            (
                vec![m(41, false), m(60, false), m(0, false)],
                Err(PracticalMarkError::AboveMax {
                    item: 1,
                    max: 40,
                    given: 41,
                }),
            ),
            (
                vec![m(40, false)],
                Err(PracticalMarkError::ItemCount {
                    expected: 3,
                    given: 1,
                }),
            ),
        ];
        for (marks, expected) in cases {
            assert_eq!(
                PracticalGrade::mark(&sheet, &marks, 80).map(|g| (g.score, g.passed)),
                expected
            );
        }
    }
}
