//! The versioned numbers behind the rules (SPEC C5: "rules are data-driven where the numbers
//! can change"). Rule code reads every threshold from a [`RuleSet`]; none is a literal there.
//!
//! Sources: the seed, 黑应急联〔规〕发〔2020〕1号 (dated 2020-04-03), §二.(一) and §三.1–4;
//! **[national]** 《生产经营单位安全培训规定》 (国家安全监管总局令第3号, as amended by Orders
//! No. 63 and No. 80) Arts. 9 and 13, and Order No. 30 for certificates. Numbers marked
//! "platform" are choices where the sources give no number; they are named here so that a
//! regulator can change them.

use chrono::NaiveDate;

use crate::certificate::{CertificateRules, NATIONAL_SAFETY_QUALIFICATION, NATIONAL_SPECIAL_OPS};

/// The thresholds of one version of the rules.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct RuleSet {
    /// Shown with every evaluation so a finding can be traced to the numbers used.
    pub version: &'static str,
    /// Rule 2: 新上岗人员安全生产与工伤预防培训不得少于72学时 (seed §三.2; Order No. 3
    /// Art. 13 for these industries).
    pub new_hire_min_hours: f64,
    /// Rule 2 (platform): a person counts as a new hire for this many days after joining an
    /// enterprise; after that, the annual assessment of rule 1 takes over.
    pub new_hire_window_days: i64,
    /// Rule 1 [national]: 每年再培训的时间不得少于20学时 (Order No. 3 Art. 13).
    pub annual_retraining_min_hours: f64,
    /// Rule 9 [national]: initial training of principal leaders and safety managers in
    /// high-risk industries, at least 48 hours (Order No. 3 Art. 9).
    pub leader_initial_hours: f64,
    /// Rule 9 [national]: their annual retraining, at least 16 hours (Order No. 3 Art. 9).
    pub leader_annual_hours: f64,
    /// Rule 3: 离岗3个月以上 — days off post (inclusive) from which targeted training is
    /// needed before returning (seed §三.2; Order No. 3 Art. 15 says one year, the seed is
    /// stricter). Also the gap that ends a stint at an enterprise.
    pub off_post_return_days: i64,
    /// Rule 3 (platform): targeted training this many days before a change of post or
    /// process still counts for it (it is usually given just before the switch-over).
    pub targeted_training_lead_days: i64,
    /// Rule 1: 每年要分岗位对全体员工考核一遍 (seed §三.1).
    pub assessment_every_days: i64,
    /// Platform: a deadline this close (0 to this many days − 1 left) is "due soon".
    pub due_soon_days: i64,
    /// Rule 7: 10%以上的重点岗位职工完成职业技能晋级培训 (seed §三.1).
    pub key_position_promotion_share: f64,
    /// Rule 8: 从业人员中取得职业资格证书或职业技能等级证书的比例达到30%以上 (seed §二.(一)).
    pub qualification_share_target: f64,
    /// Rule 8: 班组长 … 比例提高20个百分点以上 (seed §二.(一)).
    pub team_leader_uplift_points: f64,
    /// Rule 8: the day the uplift is measured from (the seed's date).
    pub baseline_on: NaiveDate,
    /// Rules 4, 7, 8: the action runs to the end of 2021 (seed §二, 到2021年底).
    pub targets_due_by: NaiveDate,
    /// Rule 5: coal-mine special-operations posts taken from this day need high school
    /// (seed §三.4, 新申请煤矿安全作业); hazardous chemicals need it always (Order No. 30 Art. 4).
    pub coal_high_school_from: NaiveDate,
    /// Rule 5: the special-operations certificate.
    pub special_ops_certificate: CertificateRules,
    /// Rule 9: the safety qualification of principal leaders and safety managers.
    pub leader_certificate: CertificateRules,
}

/// A date known at compile time; an invalid one fails the build, never a run.
const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date in a rule set"),
    }
}

/// The seed's rules (黑应急联〔规〕发〔2020〕1号) with the national numbers they rely on.
pub const RULES_2020: RuleSet = RuleSet {
    version: "HLJ-2020-1",
    new_hire_min_hours: 72.0,
    new_hire_window_days: 365,
    annual_retraining_min_hours: 20.0,
    leader_initial_hours: 48.0,
    leader_annual_hours: 16.0,
    off_post_return_days: 90,
    targeted_training_lead_days: 30,
    assessment_every_days: 365,
    due_soon_days: 30,
    key_position_promotion_share: 0.10,
    qualification_share_target: 0.30,
    team_leader_uplift_points: 20.0,
    baseline_on: date(2020, 4, 3),
    targets_due_by: date(2021, 12, 31),
    coal_high_school_from: date(2020, 4, 3),
    special_ops_certificate: NATIONAL_SPECIAL_OPS,
    leader_certificate: NATIONAL_SAFETY_QUALIFICATION,
};

impl RuleSet {
    /// [`RuleSet::due_soon_days`] as the warning window of certificate statuses.
    pub fn warn_days(&self) -> u32 {
        u32::try_from(self.due_soon_days.max(0)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_2020_carry_the_seed_numbers() {
        let rules = RULES_2020;
        let cases = [
            ("new hire hours", rules.new_hire_min_hours, 72.0),
            ("annual hours", rules.annual_retraining_min_hours, 20.0),
            ("leader initial", rules.leader_initial_hours, 48.0),
            ("leader annual", rules.leader_annual_hours, 16.0),
            ("key share", rules.key_position_promotion_share, 0.10),
            (
                "qualification share",
                rules.qualification_share_target,
                0.30,
            ),
            ("uplift", rules.team_leader_uplift_points, 20.0),
        ];
        for (name, got, expected) in cases {
            assert!((got - expected).abs() < f64::EPSILON, "{name}");
        }
        assert_eq!(rules.off_post_return_days, 90);
        assert_eq!(rules.assessment_every_days, 365);
        assert_eq!(rules.warn_days(), 30);
        assert_eq!(rules.targets_due_by.to_string(), "2021-12-31");
        assert_eq!(rules.special_ops_certificate.validity_years, 6);
    }
}
