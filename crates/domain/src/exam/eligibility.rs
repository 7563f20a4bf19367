//! Who may sit an exam (报名条件): the national conditions of Order No. 30 Arts. 4 and 14 and
//! the seed's education rule, checked when someone is put on a session's list.
//!
//! - at least the minimum age (18) on the day of the exam;
//! - high-school education or above for the trades that ask it (`trade::requires_high_school`);
//! - the special-operations training of that trade completed: its recorded hours reach the
//!   hours the exam asks (the syllabus's);
//! - attempts left: one exam and one make-up after each completed training (Art. 14: "考试不
//!   及格的，允许补考1次。经补考仍不及格的，重新参加相应的安全技术培训"); a part already
//!   passed since the latest training is not sat again.

use chrono::NaiveDate;

use crate::Bilingual;
use crate::certificate::CertificateRules;
use crate::rules::facts::Education;
use crate::trade::{Trade, requires_high_school};

/// The two parts of a special-operations exam (安全技术理论考试, 实际操作考试).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum ExamPart {
    Theory,
    Practical,
}

impl ExamPart {
    pub const ALL: [ExamPart; 2] = [ExamPart::Theory, ExamPart::Practical];

    pub fn code(self) -> &'static str {
        match self {
            Self::Theory => "theory",
            Self::Practical => "practical",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Theory => "安全技术理论考试",
            Self::Practical => "实际操作考试",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Theory => "Theory exam",
            Self::Practical => "Practical exam",
        }
    }
}

/// A completed special-operations training of the trade.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct CompletedTraining {
    pub ended_on: NaiveDate,
    pub hours: f64,
}

/// An earlier sitting of the same part of the same trade, with its result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EarlierSitting {
    pub on: NaiveDate,
    pub passed: bool,
}

/// What someone registering brings.
#[derive(Clone, Debug)]
pub struct Candidate<'a> {
    pub birth_date: NaiveDate,
    pub education: Option<Education>,
    pub trainings: &'a [CompletedTraining],
    pub sittings: &'a [EarlierSitting],
}

/// Accepted: which sitting this is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Eligibility {
    /// 1 for the first exam after a training, 2 for its make-up.
    pub sitting: u32,
    pub make_up: bool,
}

#[derive(Clone, PartialEq, Debug)]
pub enum Refusal {
    TooYoung { min_age: u32 },
    Education,
    NotTrained,
    HoursShort { required: f64, recorded: f64 },
    AlreadyPassed { on: NaiveDate },
    MakeUpsUsed { attempts: u32 },
}

impl Bilingual for Refusal {
    fn zh(&self) -> String {
        match self {
            Self::TooYoung { min_age } => format!("考试当日未满 {min_age} 周岁"),
            Self::Education => "该工种要求高中及以上学历，档案中没有符合的学历".into(),
            Self::NotTrained => "没有该工种的特种作业安全技术培训记录".into(),
            Self::HoursShort { required, recorded } => {
                format!("培训学时不足：要求 {required} 学时，已记录 {recorded} 学时")
            }
            Self::AlreadyPassed { on } => format!("已于 {on} 通过本科目考试"),
            Self::MakeUpsUsed { attempts } => {
                format!("培训后已考 {attempts} 次（含补考）未通过，须重新参加培训")
            }
        }
    }

    fn en(&self) -> String {
        match self {
            Self::TooYoung { min_age } => format!("under {min_age} on the day of the exam"),
            Self::Education => {
                "the trade asks high-school education or above; the archive has none".into()
            }
            Self::NotTrained => "no special-operations training of this trade on record".into(),
            Self::HoursShort { required, recorded } => {
                format!("training hours short: {required} required, {recorded} recorded")
            }
            Self::AlreadyPassed { on } => format!("already passed this part on {on}"),
            Self::MakeUpsUsed { attempts } => format!(
                "failed {attempts} times since the training (make-up included); must retrain"
            ),
        }
    }
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    use chrono::Datelike;
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// Checks one candidate for one part of one trade's exam on `exam_day`; every reason that
/// applies is returned, so the person can be told all at once.
pub fn check(
    candidate: &Candidate<'_>,
    trade: &Trade,
    required_hours: f64,
    rules: &CertificateRules,
    exam_day: NaiveDate,
) -> Result<Eligibility, Vec<Refusal>> {
    let mut refusals = Vec::new();
    if age_on(candidate.birth_date, exam_day) < rules.min_age {
        refusals.push(Refusal::TooYoung {
            min_age: rules.min_age,
        });
    }
    if requires_high_school(trade)
        && candidate
            .education
            .is_none_or(|e| e < Education::HighSchool)
    {
        refusals.push(Refusal::Education);
    }
    let trainings: Vec<&CompletedTraining> = candidate
        .trainings
        .iter()
        .filter(|t| t.ended_on <= exam_day)
        .collect();
    let latest = trainings.iter().map(|t| t.ended_on).max();
    let mut eligibility = Eligibility {
        sitting: 1,
        make_up: false,
    };
    match latest {
        None => refusals.push(Refusal::NotTrained),
        Some(latest) => {
            let recorded: f64 = trainings.iter().map(|t| t.hours).sum();
            if recorded + 1e-9 < required_hours {
                refusals.push(Refusal::HoursShort {
                    required: required_hours,
                    recorded,
                });
            }
            let since: Vec<&EarlierSitting> = candidate
                .sittings
                .iter()
                .filter(|s| s.on >= latest)
                .collect();
            if let Some(pass) = since.iter().find(|s| s.passed) {
                refusals.push(Refusal::AlreadyPassed { on: pass.on });
            } else {
                let failed = since.len() as u32;
                if failed >= rules.attempts_allowed() {
                    refusals.push(Refusal::MakeUpsUsed { attempts: failed });
                }
                eligibility = Eligibility {
                    sitting: failed + 1,
                    make_up: failed > 0,
                };
            }
        }
    }
    if refusals.is_empty() {
        Ok(eligibility)
    } else {
        Err(refusals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::NATIONAL_SPECIAL_OPS;
    use crate::trade::find_trade;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn eligibility_cases() {
        let electrician = find_trade("1.2").unwrap();
        let chemicals = crate::trade::trades_of("9").next().unwrap();
        let trained = [CompletedTraining {
            ended_on: d("2026-10-01"),
            hours: 80.0,
        }];
        let short = [CompletedTraining {
            ended_on: d("2026-10-01"),
            hours: 79.5,
        }];
        let failed_once = [EarlierSitting {
            on: d("2026-10-10"),
            passed: false,
        }];
        let failed_twice = [
            EarlierSitting {
                on: d("2026-10-10"),
                passed: false,
            },
            EarlierSitting {
                on: d("2026-10-20"),
                passed: false,
            },
        ];
        let failed_before_retraining = [
            EarlierSitting {
                on: d("2025-10-10"),
                passed: false,
            },
            EarlierSitting {
                on: d("2025-10-20"),
                passed: false,
            },
        ];
        let passed = [EarlierSitting {
            on: d("2026-10-10"),
            passed: true,
        }];
        let exam = d("2026-11-30");
        let adult = d("1990-01-01");
        type Case<'a> = (
            &'a str,
            Candidate<'a>,
            &'a Trade,
            Result<Eligibility, Vec<Refusal>>,
        );
        let cases: Vec<Case> = vec![
            (
                "first sitting",
                Candidate {
                    birth_date: adult,
                    education: None,
                    trainings: &trained,
                    sittings: &[],
                },
                electrician,
                Ok(Eligibility {
                    sitting: 1,
                    make_up: false,
                }),
            ),
            (
                "make-up after one fail",
                Candidate {
                    birth_date: adult,
                    education: None,
                    trainings: &trained,
                    sittings: &failed_once,
                },
                electrician,
                Ok(Eligibility {
                    sitting: 2,
                    make_up: true,
                }),
            ),
            (
                "make-up used up",
                Candidate {
                    birth_date: adult,
                    education: None,
                    trainings: &trained,
                    sittings: &failed_twice,
                },
                electrician,
                Err(vec![Refusal::MakeUpsUsed { attempts: 2 }]),
            ),
            (
                "fails before the latest training do not count",
                Candidate {
                    birth_date: adult,
                    education: None,
                    trainings: &trained,
                    sittings: &failed_before_retraining,
                },
                electrician,
                Ok(Eligibility {
                    sitting: 1,
                    make_up: false,
                }),
            ),
            (
                "already passed",
                Candidate {
                    birth_date: adult,
                    education: None,
                    trainings: &trained,
                    sittings: &passed,
                },
                electrician,
                Err(vec![Refusal::AlreadyPassed {
                    on: d("2026-10-10"),
                }]),
            ),
            (
                "18 on the exam day",
                Candidate {
                    birth_date: d("2008-11-30"),
                    education: None,
                    trainings: &trained,
                    sittings: &[],
                },
                electrician,
                Ok(Eligibility {
                    sitting: 1,
                    make_up: false,
                }),
            ),
            (
                "18 the day after",
                Candidate {
                    birth_date: d("2008-12-01"),
                    education: None,
                    trainings: &trained,
                    sittings: &[],
                },
                electrician,
                Err(vec![Refusal::TooYoung { min_age: 18 }]),
            ),
            (
                "hours half an hour short",
                Candidate {
                    birth_date: adult,
                    education: None,
                    trainings: &short,
                    sittings: &[],
                },
                electrician,
                Err(vec![Refusal::HoursShort {
                    required: 80.0,
                    recorded: 79.5,
                }]),
            ),
            (
                "not trained",
                Candidate {
                    birth_date: adult,
                    education: None,
                    trainings: &[],
                    sittings: &[],
                },
                electrician,
                Err(vec![Refusal::NotTrained]),
            ),
            (
                "chemicals need high school",
                Candidate {
                    birth_date: adult,
                    education: Some(Education::BelowHighSchool),
                    trainings: &trained,
                    sittings: &[],
                },
                chemicals,
                Err(vec![Refusal::Education]),
            ),
            (
                "chemicals with high school",
                Candidate {
                    birth_date: adult,
                    education: Some(Education::HighSchool),
                    trainings: &trained,
                    sittings: &[],
                },
                chemicals,
                Ok(Eligibility {
                    sitting: 1,
                    make_up: false,
                }),
            ),
        ];
        for (name, candidate, trade, expected) in cases {
            assert_eq!(
                check(&candidate, trade, 80.0, &NATIONAL_SPECIAL_OPS, exam),
                expected,
                "{name}"
            );
        }
    }
}
