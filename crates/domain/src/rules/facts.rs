//! The facts the compliance rules read: everything about one person (employment, training,
//! assessments, certificates, apprenticeships, time off post, process changes, education), and
//! about one enterprise's people (SPEC C4, C5).
//!
//! Why plain owned values: the store assembles these from the archive and hands them over;
//! the rules stay pure functions of facts, rule set and date, so each can be tested with a
//! table of cases. Ids are strings because this crate has no uuid dependency.

use chrono::NaiveDate;

use crate::certificate::Certificate;
use crate::employment::{EmploymentKind, Period, PositionFlags};
use crate::industry::Industry;

/// Highest education completed (文化程度).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Education {
    /// 初中及以下.
    BelowHighSchool,
    /// 普通高中.
    HighSchool,
    /// 中等职业教育: 中专, 技校, 职高 — high-school level, and vocational.
    SecondaryVocational,
    /// 大专 / 高职.
    College,
    /// 本科及以上.
    BachelorOrAbove,
}

impl Education {
    pub const ALL: [Education; 5] = [
        Education::BelowHighSchool,
        Education::HighSchool,
        Education::SecondaryVocational,
        Education::College,
        Education::BachelorOrAbove,
    ];

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::BelowHighSchool => "below_high_school",
            Self::HighSchool => "high_school",
            Self::SecondaryVocational => "secondary_vocational",
            Self::College => "college",
            Self::BachelorOrAbove => "bachelor",
        }
    }

    /// Inverse of [`Education::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::BelowHighSchool => "初中及以下",
            Self::HighSchool => "普通高中",
            Self::SecondaryVocational => "中等职业教育",
            Self::College => "大专",
            Self::BachelorOrAbove => "本科及以上",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::BelowHighSchool => "Below high school",
            Self::HighSchool => "High school",
            Self::SecondaryVocational => "Secondary vocational school",
            Self::College => "College",
            Self::BachelorOrAbove => "Bachelor's degree or above",
        }
    }

    /// 高中及以上文化程度 (seed §三.4); secondary vocational school is high-school level.
    pub fn is_high_school_or_above(self) -> bool {
        self >= Self::HighSchool
    }

    /// 中职及以上学历教育 (seed §二.(一)). The seed asks for a *related* major, which the
    /// archive does not record; every vocational or higher level is counted.
    pub fn is_vocational_or_above(self) -> bool {
        self >= Self::SecondaryVocational
    }
}

/// What a training was for; the rules count hours by kind.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TrainingKind {
    /// 新上岗人员安全生产与工伤预防培训 (rule 2); also the retraining after a failed assessment.
    NewHire,
    /// 年度再培训 (rule 1).
    Annual,
    /// 针对性安全培训: back after time off post, new post, new process (rule 3).
    Targeted,
    /// 安全技能提升 / 职业技能晋级培训 (rules 4 and 7).
    SkillPromotion,
    /// 主要负责人和安全生产管理人员初次安全培训 (rule 9).
    LeaderInitial,
    /// 主要负责人和安全生产管理人员每年再培训 (rule 9).
    LeaderAnnual,
    /// 特种作业人员安全技术培训 of one trade: what an exam registration asks for (issue 4).
    SpecialOps,
}

impl TrainingKind {
    pub const ALL: [TrainingKind; 7] = [
        TrainingKind::NewHire,
        TrainingKind::Annual,
        TrainingKind::Targeted,
        TrainingKind::SkillPromotion,
        TrainingKind::LeaderInitial,
        TrainingKind::LeaderAnnual,
        TrainingKind::SpecialOps,
    ];

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::NewHire => "new_hire",
            Self::Annual => "annual",
            Self::Targeted => "targeted",
            Self::SkillPromotion => "skill_promotion",
            Self::LeaderInitial => "leader_initial",
            Self::LeaderAnnual => "leader_annual",
            Self::SpecialOps => "special_ops",
        }
    }

    /// Inverse of [`TrainingKind::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::NewHire => "新上岗人员培训",
            Self::Annual => "年度再培训",
            Self::Targeted => "针对性安全培训",
            Self::SkillPromotion => "安全技能提升培训",
            Self::LeaderInitial => "初次安全培训",
            Self::LeaderAnnual => "每年再培训",
            Self::SpecialOps => "特种作业安全技术培训",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::NewHire => "New-hire training",
            Self::Annual => "Annual retraining",
            Self::Targeted => "Targeted safety training",
            Self::SkillPromotion => "Skill-promotion training",
            Self::LeaderInitial => "Initial safety training",
            Self::LeaderAnnual => "Annual retraining of leaders",
            Self::SpecialOps => "Special-operations safety training",
        }
    }
}

/// One position someone holds or held (从业信息).
#[derive(Clone, PartialEq, Debug)]
pub struct EmploymentFact {
    pub id: String,
    /// Id of the enterprise; positions at one enterprise form a stint (see
    /// [`PersonFacts::joined`]).
    pub enterprise: String,
    /// Recorded, never used to exclude: dispatched and outsourced people are trained and
    /// counted like employees (seed §三.1).
    pub kind: EmploymentKind,
    pub flags: PositionFlags,
    pub period: Period,
}

/// One training attended.
#[derive(Clone, PartialEq, Debug)]
pub struct TrainingRecord {
    pub kind: TrainingKind,
    /// The day it ended (or the day of its exam).
    pub on: NaiveDate,
    /// 学时.
    pub hours: f64,
    pub passed_exam: bool,
}

/// One assessment by position (每年分岗位考核).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AssessmentRecord {
    pub on: NaiveDate,
    pub passed: bool,
    /// The position assessed, as the enterprise names it.
    pub position: String,
}

/// A certificate with its number.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HeldCertificate {
    pub number: String,
    pub certificate: Certificate,
}

/// 师带徒: an apprenticeship under a mentor, until graduation (出徒).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Apprenticeship {
    pub starts_on: NaiveDate,
    /// First day of independent work.
    pub graduates_on: NaiveDate,
    pub mentor: String,
}

/// 新工艺、新技术、新设备、新材料 affecting the person's work, from `on`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProcessChange {
    pub on: NaiveDate,
    pub description: String,
}

/// Everything a per-person rule needs.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct PersonFacts {
    pub person_id: String,
    /// `None` when not recorded.
    pub education: Option<Education>,
    /// Whether the person works a post alone (not under a mentor's supervision).
    pub is_independent_post: bool,
    pub employments: Vec<EmploymentFact>,
    pub trainings: Vec<TrainingRecord>,
    pub assessments: Vec<AssessmentRecord>,
    pub certificates: Vec<HeldCertificate>,
    pub apprenticeships: Vec<Apprenticeship>,
    /// Periods away from the post (leave, illness, secondment, retraining), both ends
    /// inclusive; an open end means still away.
    pub off_post: Vec<Period>,
    pub process_changes: Vec<ProcessChange>,
}

impl PersonFacts {
    /// Positions held on `today`.
    pub fn current_employments(
        &self,
        today: NaiveDate,
    ) -> impl Iterator<Item = &EmploymentFact> + '_ {
        self.employments
            .iter()
            .filter(move |employment| employment.period.is_current(today))
    }

    /// Whether the person holds any position on `today`.
    pub fn is_employed(&self, today: NaiveDate) -> bool {
        self.current_employments(today).next().is_some()
    }

    /// Whether a position held on `today` satisfies `flag`.
    pub fn holds(&self, today: NaiveDate, flag: impl Fn(&PositionFlags) -> bool) -> bool {
        self.current_employments(today)
            .any(|employment| flag(&employment.flags))
    }

    /// The off-post period that `today` falls in, if any.
    pub fn off_post_on(&self, today: NaiveDate) -> Option<&Period> {
        self.off_post.iter().find(|period| period.is_current(today))
    }

    /// The day the person joined the enterprise of `employment` for the stint that includes
    /// it: earlier positions at the same enterprise count as the same stint unless a gap of
    /// `gap_days` or more days separates them (then the person is a new hire again).
    pub fn joined(&self, employment: &EmploymentFact, gap_days: i64) -> NaiveDate {
        let mut start = employment.period.from();
        // Each pass can only move `start` earlier; one pass per position is enough.
        for _ in 0..self.employments.len() {
            let earlier = self
                .employments
                .iter()
                .filter(|other| other.enterprise == employment.enterprise)
                .filter(|other| other.period.from() < start)
                .filter(|other| {
                    other
                        .period
                        .to()
                        .is_none_or(|to| (start - to).num_days() - 1 < gap_days)
                })
                .map(|other| other.period.from())
                .min();
            match earlier {
                Some(from) => start = from,
                None => break,
            }
        }
        start
    }

    /// Trainings dated within `from..=to`.
    pub fn trainings_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = &TrainingRecord> + '_ {
        self.trainings
            .iter()
            .filter(move |training| training.on >= from && training.on <= to)
    }

    /// The certificates of a kind.
    pub fn certificates_of(
        &self,
        kind: crate::certificate::CertificateKind,
    ) -> impl Iterator<Item = &HeldCertificate> + '_ {
        self.certificates
            .iter()
            .filter(move |held| held.certificate.kind == kind)
    }
}

/// One enterprise and the people who work or worked there.
#[derive(Clone, PartialEq, Debug)]
pub struct EnterpriseFacts {
    pub enterprise_id: String,
    pub industry: Industry,
    /// Whether a non-coal mine works underground (金属非金属地下矿山); the 30% target of
    /// rule 8 covers underground mines only.
    pub underground_mine: bool,
    pub people: Vec<PersonFacts>,
}

impl EnterpriseFacts {
    /// People holding a position here on `on` that satisfies `flag`.
    pub fn people_where(
        &self,
        on: NaiveDate,
        flag: impl Fn(&PositionFlags) -> bool,
    ) -> impl Iterator<Item = &PersonFacts> {
        self.people.iter().filter(move |person| {
            person.current_employments(on).any(|employment| {
                employment.enterprise == self.enterprise_id && flag(&employment.flags)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{date, employment};

    #[test]
    fn education_levels() {
        let cases = [
            (Education::BelowHighSchool, false, false),
            (Education::HighSchool, true, false),
            (Education::SecondaryVocational, true, true),
            (Education::College, true, true),
            (Education::BachelorOrAbove, true, true),
        ];
        for (level, high_school, vocational) in cases {
            assert_eq!(level.is_high_school_or_above(), high_school, "{level:?}");
            assert_eq!(level.is_vocational_or_above(), vocational, "{level:?}");
            assert_eq!(Education::parse(level.code()), Some(level));
        }
        for kind in TrainingKind::ALL {
            assert_eq!(TrainingKind::parse(kind.code()), Some(kind));
        }
    }

    #[test]
    fn joined_walks_back_over_the_stint() {
        let gap = 90;
        let cases = [
            // (earlier position, current position from, joined)
            (None, date(2024, 1, 1), date(2024, 1, 1)),
            (
                Some(("e1", date(2020, 1, 1), date(2023, 12, 31))),
                date(2024, 1, 1),
                date(2020, 1, 1),
            ),
            // 89 days without a position: same stint.
            (
                Some(("e1", date(2020, 1, 1), date(2023, 10, 3))),
                date(2024, 1, 1),
                date(2020, 1, 1),
            ),
            // 90 days: a new stint.
            (
                Some(("e1", date(2020, 1, 1), date(2023, 10, 2))),
                date(2024, 1, 1),
                date(2024, 1, 1),
            ),
            // Another enterprise does not count.
            (
                Some(("e2", date(2020, 1, 1), date(2023, 12, 31))),
                date(2024, 1, 1),
                date(2024, 1, 1),
            ),
        ];
        for (earlier, from, expected) in cases {
            let current = employment("now", "e1", from, None);
            let mut facts = PersonFacts {
                employments: vec![current.clone()],
                ..PersonFacts::default()
            };
            if let Some((enterprise, start, end)) = earlier {
                facts
                    .employments
                    .push(employment("before", enterprise, start, Some(end)));
            }
            assert_eq!(facts.joined(&current, gap), expected, "{earlier:?}");
        }
    }
}
