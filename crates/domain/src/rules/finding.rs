//! What a rule says about a person or an enterprise: a verdict, the reason in both languages,
//! and the evidence it rests on (SPEC C5; STYLE point 6: findings are values, not errors).

use chrono::NaiveDate;

use crate::bilingual::Bilingual;

use super::facts::{Education, TrainingKind};
use super::kpis::Share;

/// How a rule judges its subject, best first (so `max` is the worst).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Verdict {
    Compliant,
    /// Compliant today, but something falls due soon (or by a target date) and is not done.
    DueSoon,
    Violation,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Compliant, Verdict::DueSoon, Verdict::Violation];

    /// Stable code for storage and URLs (the SPEC's `compliant | due_soon | violation`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Compliant => "compliant",
            Self::DueSoon => "due_soon",
            Self::Violation => "violation",
        }
    }

    /// Inverse of [`Verdict::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|verdict| verdict.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Compliant => "合规",
            Self::DueSoon => "即将到期",
            Self::Violation => "违规",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Compliant => "Compliant",
            Self::DueSoon => "Due soon",
            Self::Violation => "Violation",
        }
    }
}

/// The nine rules of SPEC C5, numbered as there.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum RuleId {
    InPostAssessed,
    NewHireHours,
    ReturnToPost,
    TeamLeaderPromotion,
    SpecialOpsCertified,
    ApprenticeNoSoloWork,
    KeyPositionPromotion,
    QualificationTargets,
    LeadersCertified,
}

impl RuleId {
    pub const ALL: [RuleId; 9] = [
        RuleId::InPostAssessed,
        RuleId::NewHireHours,
        RuleId::ReturnToPost,
        RuleId::TeamLeaderPromotion,
        RuleId::SpecialOpsCertified,
        RuleId::ApprenticeNoSoloWork,
        RuleId::KeyPositionPromotion,
        RuleId::QualificationTargets,
        RuleId::LeadersCertified,
    ];

    /// The rule's number in SPEC C5, 1 to 9.
    pub fn number(self) -> u8 {
        match self {
            Self::InPostAssessed => 1,
            Self::NewHireHours => 2,
            Self::ReturnToPost => 3,
            Self::TeamLeaderPromotion => 4,
            Self::SpecialOpsCertified => 5,
            Self::ApprenticeNoSoloWork => 6,
            Self::KeyPositionPromotion => 7,
            Self::QualificationTargets => 8,
            Self::LeadersCertified => 9,
        }
    }

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::InPostAssessed => "in_post_assessed",
            Self::NewHireHours => "new_hire_hours",
            Self::ReturnToPost => "return_to_post",
            Self::TeamLeaderPromotion => "team_leader_promotion",
            Self::SpecialOpsCertified => "special_ops_certified",
            Self::ApprenticeNoSoloWork => "apprentice_no_solo_work",
            Self::KeyPositionPromotion => "key_position_promotion",
            Self::QualificationTargets => "qualification_targets",
            Self::LeadersCertified => "leaders_certified",
        }
    }

    /// Inverse of [`RuleId::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::InPostAssessed => "在岗员工培训考核合格上岗",
            Self::NewHireHours => "新上岗人员培训考核合格上岗",
            Self::ReturnToPost => "离岗、转岗及“四新”针对性培训",
            Self::TeamLeaderPromotion => "班组长安全技能提升培训",
            Self::SpecialOpsCertified => "特种作业人员持证上岗",
            Self::ApprenticeNoSoloWork => "出徒后方可独立上岗",
            Self::KeyPositionPromotion => "重点岗位职工职业技能晋级",
            Self::QualificationTargets => "“二个提升”持证比例",
            Self::LeadersCertified => "主要负责人和安全生产管理人员持证",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::InPostAssessed => "In-post staff trained and assessed",
            Self::NewHireHours => "New hires trained and assessed before taking post",
            Self::ReturnToPost => "Targeted training before returning to post",
            Self::TeamLeaderPromotion => "Team leaders' skill-promotion training",
            Self::SpecialOpsCertified => "Special-operations workers certified",
            Self::ApprenticeNoSoloWork => "Apprentices work alone only after graduating",
            Self::KeyPositionPromotion => "Key-position staff skill promotion",
            Self::QualificationTargets => "Qualification targets",
            Self::LeadersCertified => "Principal leaders and safety managers certified",
        }
    }
}

/// A fact a finding rests on, as simple owned values that the caller can look up.
#[derive(Clone, PartialEq, Debug)]
pub enum Evidence {
    Employment {
        id: String,
    },
    /// Hours counted by the rule.
    TrainingHours {
        hours: f64,
    },
    Training {
        kind: TrainingKind,
        on: NaiveDate,
        hours: f64,
        passed: bool,
    },
    Assessment {
        on: NaiveDate,
        passed: bool,
    },
    Certificate {
        number: String,
    },
    Apprenticeship {
        graduates_on: NaiveDate,
    },
    OffPost {
        from: NaiveDate,
        to: NaiveDate,
    },
    ProcessChange {
        on: NaiveDate,
        description: String,
    },
    Education {
        recorded: Option<Education>,
    },
    /// The date by which something is due.
    DueOn {
        date: NaiveDate,
    },
    /// A share of people (enterprise rules).
    Share(Share),
}

/// One rule's judgement of one subject.
#[derive(Clone, PartialEq, Debug)]
pub struct Finding {
    pub rule: RuleId,
    pub verdict: Verdict,
    pub reason_zh: String,
    pub reason_en: String,
    pub evidence: Vec<Evidence>,
}

impl Finding {
    pub fn new(
        rule: RuleId,
        verdict: Verdict,
        reason_zh: String,
        reason_en: String,
        evidence: Vec<Evidence>,
    ) -> Self {
        Self {
            rule,
            verdict,
            reason_zh,
            reason_en,
            evidence,
        }
    }
}

impl Bilingual for Finding {
    fn zh(&self) -> String {
        self.reason_zh.clone()
    }

    fn en(&self) -> String {
        self.reason_en.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_numbers_follow_the_spec() {
        for (index, rule) in RuleId::ALL.into_iter().enumerate() {
            assert_eq!(RuleId::parse(rule.code()), Some(rule));
            assert_eq!(usize::from(rule.number()), index + 1);
            assert!(!rule.name_zh().is_empty() && !rule.name_en().is_empty());
        }
        for verdict in Verdict::ALL {
            assert_eq!(Verdict::parse(verdict.code()), Some(verdict));
        }
        assert_eq!(RuleId::parse("rule1"), None);
    }

    #[test]
    fn verdicts_order_from_best_to_worst() {
        let cases = [
            (Verdict::Compliant, Verdict::DueSoon, Verdict::DueSoon),
            (Verdict::Violation, Verdict::DueSoon, Verdict::Violation),
            (Verdict::Compliant, Verdict::Compliant, Verdict::Compliant),
        ];
        for (a, b, worst) in cases {
            assert_eq!(a.max(b), worst);
        }
    }
}
