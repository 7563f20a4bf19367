//! Certificates (证书) and when they hold good (SPEC C3).
//!
//! Sources **[national]**: 《特种作业人员安全技术培训考核管理规定》 (国家安全监管总局令第30号,
//! as amended by Orders No. 63 and No. 80) Art. 4 (holder at least 18), Art. 14 (theory and
//! practical exams, one make-up), Art. 19 (valid 6 years nationwide), Art. 21 (reviewed every
//! 3 years), Art. 22 (review applied for within 60 days before it is due, and an expired
//! certificate is renewed by a review); the 100-point scale and the pass mark of 80 follow
//! 《安全生产资格考试与证书管理暂行办法》 (安监总培训〔2013〕104号). These are numbers to check
//! against the text, so they live in [`CertificateRules`] values, not in code.
//!
//! Date convention: a certificate holds good **through** its expiry date (inclusive) and is
//! expired from the day after; a review is in time on its due date and overdue the day after
//! (plus any grace days).

use chrono::{Months, NaiveDate};

/// What a certificate attests.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CertificateKind {
    /// 特种作业操作证.
    SpecialOps,
    /// 安全生产知识和管理能力考核合格证, of principal leaders and safety managers.
    SafetyQualification,
    /// 职业资格证书.
    VocationalQualification,
    /// 职业技能等级证书.
    SkillLevel,
    /// 培训合格证明: completion of a training class.
    TrainingCompletion,
}

impl CertificateKind {
    pub const ALL: [CertificateKind; 5] = [
        CertificateKind::SpecialOps,
        CertificateKind::SafetyQualification,
        CertificateKind::VocationalQualification,
        CertificateKind::SkillLevel,
        CertificateKind::TrainingCompletion,
    ];

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::SpecialOps => "special_ops",
            Self::SafetyQualification => "safety_qualification",
            Self::VocationalQualification => "vocational_qualification",
            Self::SkillLevel => "skill_level",
            Self::TrainingCompletion => "training_completion",
        }
    }

    /// Inverse of [`CertificateKind::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::SpecialOps => "特种作业操作证",
            Self::SafetyQualification => "安全生产知识和管理能力考核合格证",
            Self::VocationalQualification => "职业资格证书",
            Self::SkillLevel => "职业技能等级证书",
            Self::TrainingCompletion => "培训合格证明",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::SpecialOps => "Special operations certificate",
            Self::SafetyQualification => "Safety knowledge and management competence certificate",
            Self::VocationalQualification => "Vocational qualification certificate",
            Self::SkillLevel => "Vocational skill level certificate",
            Self::TrainingCompletion => "Training completion certificate",
        }
    }

    /// Whether the kind counts toward the seed's qualification targets (二个提升, §二.(一)):
    /// a vocational qualification or a skill-level certificate.
    pub fn is_vocational(self) -> bool {
        matches!(self, Self::VocationalQualification | Self::SkillLevel)
    }
}

/// Where a certificate stands on a given day, worst last.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum CertificateStatus {
    Valid,
    /// Valid, but a review (or the renewal at expiry) is due within the warning window.
    ReviewDue,
    /// A review is past due: the certificate no longer allows work until reviewed.
    ReviewOverdue,
    /// 暂扣: withdrawn for a time by the issuing authority.
    Suspended,
    /// 撤销: revoked; whatever its dates say.
    Revoked,
    /// Past its expiry date.
    Expired,
}

impl CertificateStatus {
    pub const ALL: [CertificateStatus; 6] = [
        CertificateStatus::Valid,
        CertificateStatus::ReviewDue,
        CertificateStatus::ReviewOverdue,
        CertificateStatus::Suspended,
        CertificateStatus::Revoked,
        CertificateStatus::Expired,
    ];

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::ReviewDue => "review_due",
            Self::ReviewOverdue => "review_overdue",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// Inverse of [`CertificateStatus::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Valid => "有效",
            Self::ReviewDue => "即将复审",
            Self::ReviewOverdue => "逾期未复审",
            Self::Suspended => "暂扣",
            Self::Revoked => "已撤销",
            Self::Expired => "已过期",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Valid => "Valid",
            Self::ReviewDue => "Review due",
            Self::ReviewOverdue => "Review overdue",
            Self::Suspended => "Suspended",
            Self::Revoked => "Revoked",
            Self::Expired => "Expired",
        }
    }

    /// Whether the holder may work on it today.
    pub fn allows_work(self) -> bool {
        matches!(self, Self::Valid | Self::ReviewDue)
    }
}

/// The numbers that govern one kind of certificate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CertificateRules {
    /// Years from issue to expiry.
    pub validity_years: u32,
    /// Years between reviews (复审), counted from the issue date; 0 means no review.
    pub review_every_years: u32,
    /// Days after a review's due date before it counts as overdue.
    pub review_grace_days: u32,
    /// Lowest passing score of each exam (theory and practical alike).
    pub pass_mark: u32,
    pub max_score: u32,
    /// Make-up exams allowed after a failed attempt.
    pub makeups_allowed: u32,
    /// Minimum age of the holder, in years.
    pub min_age: u32,
}

/// The special-operations certificate (特种作业操作证): Order No. 30 Arts. 4, 14, 19, 21;
/// pass mark per 安监总培训〔2013〕104号. Art. 21's extension to one review every 6 years
/// for ten years' clean service is a decision of the issuing authority, recorded as a review.
pub const NATIONAL_SPECIAL_OPS: CertificateRules = CertificateRules {
    validity_years: 6,
    review_every_years: 3,
    review_grace_days: 0,
    pass_mark: 80,
    max_score: 100,
    makeups_allowed: 1,
    min_age: 18,
};

/// The safety qualification of principal leaders and safety managers
/// (安全生产知识和管理能力考核合格证): valid 3 years, no mid-term review (annual retraining
/// takes its place, Order No. 3 Art. 9), per 安监总培训〔2013〕104号 **[national]**; to check
/// against the text.
pub const NATIONAL_SAFETY_QUALIFICATION: CertificateRules = CertificateRules {
    validity_years: 3,
    review_every_years: 0,
    review_grace_days: 0,
    pass_mark: 80,
    max_score: 100,
    makeups_allowed: 1,
    min_age: 18,
};

impl CertificateRules {
    /// Whether a score passes one exam; a score above the maximum is a recording error and
    /// does not pass.
    pub fn passes(&self, score: u32) -> bool {
        score >= self.pass_mark && score <= self.max_score
    }

    /// Attempts at one exam before the training must be repeated (Order No. 30 Art. 14).
    pub fn attempts_allowed(&self) -> u32 {
        1 + self.makeups_allowed
    }
}

/// Adds whole years; 29 February becomes 28 February in a common year. Saturates at the
/// last representable date rather than failing, as no real certificate gets there.
pub fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

/// The expiry date of a certificate issued on `issued_on`: the same calendar day
/// `validity_years` later (29 February → 28 February).
pub fn expiry_for(issued_on: NaiveDate, rules: &CertificateRules) -> NaiveDate {
    add_years(issued_on, rules.validity_years)
}

/// A certificate as a value: what rules need to judge it, without its holder.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Certificate {
    pub kind: CertificateKind,
    /// Trade code of the catalogue (e.g. "1.2") for special-operations certificates.
    pub trade: Option<String>,
    pub issued_on: NaiveDate,
    /// Last day on which it holds good.
    pub expires_on: NaiveDate,
    pub last_reviewed_on: Option<NaiveDate>,
    pub suspended: bool,
    pub revoked: bool,
}

impl Certificate {
    /// A newly issued certificate, expiring per `rules`.
    pub fn issue(
        kind: CertificateKind,
        trade: Option<String>,
        issued_on: NaiveDate,
        rules: &CertificateRules,
    ) -> Self {
        Self {
            kind,
            trade,
            issued_on,
            expires_on: expiry_for(issued_on, rules),
            last_reviewed_on: None,
            suspended: false,
            revoked: false,
        }
    }

    /// The next review date not yet covered by a review. Reviews fall every
    /// `review_every_years` from the issue date, and the renewal review (延期复审) falls on
    /// the expiry date. Because a review is applied for ahead of its date (Order No. 30
    /// Art. 22), a review counts for the scheduled date it is nearest to: done after the
    /// midpoint between the previous date and this one. `None` when every date is covered
    /// or the kind has no reviews.
    pub fn next_review_due(&self, rules: &CertificateRules) -> Option<NaiveDate> {
        if rules.review_every_years == 0 {
            return None;
        }
        let mut previous = self.issued_on;
        let mut cycle = 1;
        loop {
            let scheduled =
                add_years(self.issued_on, cycle * rules.review_every_years).min(self.expires_on);
            let midpoint = previous + (scheduled - previous) / 2;
            let covered = self
                .last_reviewed_on
                .is_some_and(|reviewed| reviewed >= midpoint);
            if !covered {
                return Some(scheduled);
            }
            if scheduled >= self.expires_on {
                return None;
            }
            previous = scheduled;
            cycle += 1;
        }
    }

    /// The status on `today`. Revocation, then suspension, then expiry win over the review
    /// schedule. A due review (or the renewal at expiry) shows as
    /// [`CertificateStatus::ReviewDue`] on the last `warn_days` days up to and including its
    /// date, and through the grace days after it; `warn_days == 0` gives no warning.
    pub fn status(
        &self,
        rules: &CertificateRules,
        today: NaiveDate,
        warn_days: u32,
    ) -> CertificateStatus {
        if self.revoked {
            return CertificateStatus::Revoked;
        }
        if self.suspended {
            return CertificateStatus::Suspended;
        }
        if today > self.expires_on {
            return CertificateStatus::Expired;
        }
        // Without reviews, the renewal at expiry is what falls due.
        let due = self
            .next_review_due(rules)
            .or((rules.review_every_years == 0).then_some(self.expires_on));
        let Some(due) = due else {
            return CertificateStatus::Valid;
        };
        // Negative once the date has passed.
        let days_left = (due - today).num_days();
        if days_left < -i64::from(rules.review_grace_days) {
            CertificateStatus::ReviewOverdue
        } else if days_left < i64::from(warn_days) {
            CertificateStatus::ReviewDue
        } else {
            CertificateStatus::Valid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn special_ops(issued_on: NaiveDate) -> Certificate {
        Certificate::issue(
            CertificateKind::SpecialOps,
            Some("1.2".to_owned()),
            issued_on,
            &NATIONAL_SPECIAL_OPS,
        )
    }

    #[test]
    fn kinds_and_statuses_round_trip() {
        for kind in CertificateKind::ALL {
            assert_eq!(CertificateKind::parse(kind.code()), Some(kind));
            assert!(!kind.name_zh().is_empty() && !kind.name_en().is_empty());
        }
        for status in CertificateStatus::ALL {
            assert_eq!(CertificateStatus::parse(status.code()), Some(status));
        }
        assert_eq!(CertificateKind::parse("licence"), None);
        assert_eq!(
            CertificateKind::SafetyQualification.name_zh(),
            "安全生产知识和管理能力考核合格证"
        );
        let vocational: Vec<bool> = CertificateKind::ALL.map(|k| k.is_vocational()).into();
        assert_eq!(vocational, [false, false, true, true, false]);
    }

    #[test]
    fn expiry_adds_whole_years() {
        let cases = [
            (date(2020, 1, 10), date(2026, 1, 10)),
            (date(2020, 2, 29), date(2026, 2, 28)),
            (date(2018, 2, 28), date(2024, 2, 28)),
            (date(2019, 12, 31), date(2025, 12, 31)),
        ];
        for (issued, expected) in cases {
            assert_eq!(
                expiry_for(issued, &NATIONAL_SPECIAL_OPS),
                expected,
                "{issued}"
            );
        }
        assert_eq!(add_years(date(2024, 2, 29), 4), date(2028, 2, 29));
    }

    #[test]
    fn exam_scores_and_attempts() {
        let cases = [
            (79, false),
            (80, true),
            (100, true),
            (101, false),
            (0, false),
        ];
        for (score, passes) in cases {
            assert_eq!(NATIONAL_SPECIAL_OPS.passes(score), passes, "{score}");
        }
        assert_eq!(NATIONAL_SPECIAL_OPS.attempts_allowed(), 2);
    }

    #[test]
    fn next_review_follows_the_issue_date() {
        let issued = date(2020, 1, 10);
        let cases = [
            (None, Some(date(2023, 1, 10))),
            // Reviewed 50 days early: counts for the 2023 date; next is the renewal.
            (Some(date(2022, 11, 21)), Some(date(2026, 1, 10))),
            (Some(date(2023, 1, 10)), Some(date(2026, 1, 10))),
            // Too early to count for 2023 (before the midpoint of 2020 and 2023).
            (Some(date(2021, 1, 1)), Some(date(2023, 1, 10))),
            (Some(date(2025, 12, 1)), None),
        ];
        for (reviewed, expected) in cases {
            let certificate = Certificate {
                last_reviewed_on: reviewed,
                ..special_ops(issued)
            };
            assert_eq!(
                certificate.next_review_due(&NATIONAL_SPECIAL_OPS),
                expected,
                "{reviewed:?}"
            );
        }
        let leader = Certificate::issue(
            CertificateKind::SafetyQualification,
            None,
            issued,
            &NATIONAL_SAFETY_QUALIFICATION,
        );
        assert_eq!(leader.next_review_due(&NATIONAL_SAFETY_QUALIFICATION), None);
    }

    #[test]
    fn status_on_the_boundaries() {
        use CertificateStatus::*;
        let issued = date(2020, 1, 10);
        let reviewed = Certificate {
            last_reviewed_on: Some(date(2022, 12, 1)),
            ..special_ops(issued)
        };
        let cases = [
            // (certificate, today, warn days, status)
            (special_ops(issued), date(2021, 6, 1), 30, Valid),
            (special_ops(issued), date(2022, 12, 11), 30, Valid),
            (special_ops(issued), date(2022, 12, 12), 30, ReviewDue),
            (special_ops(issued), date(2023, 1, 10), 30, ReviewDue),
            (special_ops(issued), date(2023, 1, 10), 0, Valid),
            // Review due yesterday.
            (special_ops(issued), date(2023, 1, 11), 30, ReviewOverdue),
            (special_ops(issued), date(2023, 1, 11), 0, ReviewOverdue),
            (reviewed.clone(), date(2023, 1, 11), 30, Valid),
            (reviewed.clone(), date(2025, 12, 12), 30, ReviewDue),
            // Expiring today: still holds good.
            (reviewed.clone(), date(2026, 1, 10), 0, Valid),
            (reviewed.clone(), date(2026, 1, 10), 30, ReviewDue),
            // Expired the day after.
            (reviewed.clone(), date(2026, 1, 11), 0, Expired),
            (
                Certificate {
                    suspended: true,
                    ..reviewed.clone()
                },
                date(2024, 1, 1),
                30,
                Suspended,
            ),
            (
                Certificate {
                    revoked: true,
                    suspended: true,
                    ..reviewed.clone()
                },
                date(2024, 1, 1),
                30,
                Revoked,
            ),
            (
                Certificate {
                    revoked: true,
                    ..reviewed.clone()
                },
                date(2030, 1, 1),
                30,
                Revoked,
            ),
        ];
        for (certificate, today, warn, expected) in cases {
            assert_eq!(
                certificate.status(&NATIONAL_SPECIAL_OPS, today, warn),
                expected,
                "{certificate:?} on {today}, warn {warn}"
            );
        }
    }

    #[test]
    fn grace_days_postpone_overdue() {
        let rules = CertificateRules {
            review_grace_days: 5,
            ..NATIONAL_SPECIAL_OPS
        };
        let certificate = special_ops(date(2020, 1, 10));
        let cases = [
            (date(2023, 1, 11), CertificateStatus::ReviewDue),
            (date(2023, 1, 15), CertificateStatus::ReviewDue),
            (date(2023, 1, 16), CertificateStatus::ReviewOverdue),
        ];
        for (today, expected) in cases {
            assert_eq!(certificate.status(&rules, today, 30), expected, "{today}");
        }
    }

    #[test]
    fn without_reviews_only_expiry_matters() {
        use CertificateStatus::*;
        let rules = NATIONAL_SAFETY_QUALIFICATION;
        let certificate = Certificate::issue(
            CertificateKind::SafetyQualification,
            None,
            date(2021, 3, 1),
            &rules,
        );
        assert_eq!(certificate.expires_on, date(2024, 3, 1));
        let cases = [
            (date(2023, 3, 1), 30, Valid),
            (date(2024, 1, 31), 30, Valid),
            (date(2024, 2, 1), 30, ReviewDue),
            (date(2024, 3, 1), 0, Valid),
            (date(2024, 3, 1), 30, ReviewDue),
            (date(2024, 3, 2), 30, Expired),
        ];
        for (today, warn, expected) in cases {
            assert_eq!(certificate.status(&rules, today, warn), expected, "{today}");
        }
        assert!(Valid.allows_work() && ReviewDue.allows_work());
        assert!(!Expired.allows_work() && !ReviewOverdue.allows_work());
    }
}
