//! The compliance engine's rules as pure functions (SPEC C5): each rule reads facts, a
//! versioned [`RuleSet`] and today's date, and returns findings — `compliant | due_soon |
//! violation` with the reason in both languages and the evidence.
//!
//! One rule, one file, one table of cases (STYLE point 7). Person rules (1–6, 9) run through
//! [`evaluate_person`] for people who hold a post today; the share rules (7, 8) through
//! [`evaluate_enterprise`]. A rule that does not apply to someone (rule 4 to a person who is
//! not a team leader) returns no finding, so a rule's findings are also its denominator
//! (see [`Kpis`]). Dispatched and outsourced workers are evaluated exactly like regular
//! employees (seed §三.1): no rule looks at the kind of employment.
//!
//! Shared conventions: something due on a date is in time on that date and late the day
//! after; it is "due soon" on the last `due_soon_days` days up to its date. Target dates
//! (2021-12-31) turn an unmet target from due soon into a violation the day after.

pub mod apprentice_no_solo_work;
pub mod facts;
pub mod finding;
pub mod in_post_assessed;
pub mod key_position_promotion;
pub mod kpis;
pub mod leaders_certified;
pub mod new_hire_hours;
pub mod qualification_targets;
pub mod return_to_post;
pub mod rule_set;
pub mod special_ops_certified;
pub mod standing;
pub mod team_leader_promotion;

#[cfg(test)]
mod test_support;

pub use facts::{
    Apprenticeship, AssessmentRecord, Education, EmploymentFact, EnterpriseFacts, HeldCertificate,
    PersonFacts, ProcessChange, TrainingKind, TrainingRecord,
};
pub use finding::{Evidence, Finding, RuleId, Verdict};
pub use kpis::{Kpis, Share};
pub use rule_set::{RULES_2020, RuleSet};
pub use standing::{EnterpriseShares, PERSON_RULE_IDS, Standing, standing};

use chrono::{NaiveDate, TimeDelta};

use crate::certificate::{CertificateRules, CertificateStatus};

/// The signature every person rule has.
type PersonRule = fn(&PersonFacts, &RuleSet, NaiveDate) -> Vec<Finding>;

/// The signature every enterprise rule has.
type EnterpriseRule = fn(&EnterpriseFacts, &RuleSet, NaiveDate) -> Vec<Finding>;

const PERSON_RULES: [PersonRule; 7] = [
    in_post_assessed::evaluate,
    new_hire_hours::evaluate,
    return_to_post::evaluate,
    team_leader_promotion::evaluate,
    special_ops_certified::evaluate,
    apprentice_no_solo_work::evaluate,
    leaders_certified::evaluate,
];

const ENTERPRISE_RULES: [EnterpriseRule; 2] = [
    key_position_promotion::evaluate,
    qualification_targets::evaluate,
];

/// Every person rule that applies to someone holding a post on `today`, in rule order;
/// empty for someone who holds no post.
pub fn evaluate_person(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    if !facts.is_employed(today) {
        return Vec::new();
    }
    PERSON_RULES
        .iter()
        .flat_map(|rule| rule(facts, rules, today))
        .collect()
}

/// The enterprise's share rules (7 and 8). Its people's own findings come from
/// [`evaluate_person`], one person at a time.
pub fn evaluate_enterprise(
    facts: &EnterpriseFacts,
    rules: &RuleSet,
    today: NaiveDate,
) -> Vec<Finding> {
    ENTERPRISE_RULES
        .iter()
        .flat_map(|rule| rule(facts, rules, today))
        .collect()
}

/// `date` moved by `days` (negative: earlier), saturating at the ends of the calendar.
fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    TimeDelta::try_days(days)
        .and_then(|delta| date.checked_add_signed(delta))
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// The verdict on something due on `due`: a violation once the date has passed, due soon on
/// the last `due_soon_days` days up to it.
fn due_verdict(due: NaiveDate, today: NaiveDate, rules: &RuleSet) -> Verdict {
    let days_left = (due - today).num_days();
    if days_left < 0 {
        Verdict::Violation
    } else if days_left < rules.due_soon_days {
        Verdict::DueSoon
    } else {
        Verdict::Compliant
    }
}

/// The verdict on a target of the action (rules 4, 7, 8): unmet targets are due until the
/// target date and violations after it.
fn target_verdict(met: bool, today: NaiveDate, rules: &RuleSet) -> Verdict {
    if met {
        Verdict::Compliant
    } else if today <= rules.targets_due_by {
        Verdict::DueSoon
    } else {
        Verdict::Violation
    }
}

/// Total hours of some trainings. Folds from +0.0: `Sum` of no floats is −0.0, which
/// would print as "-0 学时".
fn total_hours<'a>(trainings: impl Iterator<Item = &'a TrainingRecord>) -> f64 {
    trainings.fold(0.0, |total, training| total + training.hours)
}

/// `value >= target` for hours and shares, which are sums and ratios of binary floats:
/// 0.3 − 0.1 is not 0.2, and 72 hours must meet 72 whatever the order of the sum.
fn at_least(value: f64, target: f64) -> bool {
    value + 1e-9 >= target
}

/// The verdict and reason for the best certificate a person holds for a post (rules 5, 9).
/// `label_zh`/`label_en` name what it certifies.
fn certificate_finding(
    rule: RuleId,
    held: &HeldCertificate,
    label: (&str, &str),
    certificate_rules: &CertificateRules,
    rules: &RuleSet,
    today: NaiveDate,
) -> Finding {
    let certificate = &held.certificate;
    let number = &held.number;
    let (label_zh, label_en) = label;
    let kind_zh = certificate.kind.name_zh();
    let kind_en = certificate.kind.name_en();
    let expires = certificate.expires_on;
    let status = certificate.status(certificate_rules, today, rules.warn_days());
    let due = certificate
        .next_review_due(certificate_rules)
        .unwrap_or(expires);
    let (verdict, zh, en) = match status {
        CertificateStatus::Valid => (
            Verdict::Compliant,
            format!("持有{kind_zh} {number}（{label_zh}），有效期至 {expires}"),
            format!("Holds {kind_en} {number} ({label_en}), valid through {expires}"),
        ),
        CertificateStatus::ReviewDue => (
            Verdict::DueSoon,
            format!("{kind_zh} {number}（{label_zh}）应于 {due} 前复审或换证"),
            format!("{kind_en} {number} ({label_en}) must be reviewed or renewed by {due}"),
        ),
        CertificateStatus::ReviewOverdue => (
            Verdict::Violation,
            format!("{kind_zh} {number}（{label_zh}）逾期未复审（应于 {due} 前复审）"),
            format!("{kind_en} {number} ({label_en}) is overdue for review (due {due})"),
        ),
        CertificateStatus::Suspended => (
            Verdict::Violation,
            format!("{kind_zh} {number}（{label_zh}）已被暂扣"),
            format!("{kind_en} {number} ({label_en}) is suspended"),
        ),
        CertificateStatus::Revoked => (
            Verdict::Violation,
            format!("{kind_zh} {number}（{label_zh}）已被撤销"),
            format!("{kind_en} {number} ({label_en}) has been revoked"),
        ),
        CertificateStatus::Expired => (
            Verdict::Violation,
            format!("{kind_zh} {number}（{label_zh}）已于 {expires} 到期"),
            format!("{kind_en} {number} ({label_en}) expired on {expires}"),
        ),
    };
    Finding::new(
        rule,
        verdict,
        zh,
        en,
        vec![
            Evidence::Certificate {
                number: number.clone(),
            },
            Evidence::DueOn { date: due },
        ],
    )
}

/// The certificate that best allows work today, among `candidates`.
fn best_certificate<'a>(
    candidates: impl Iterator<Item = &'a HeldCertificate>,
    certificate_rules: &CertificateRules,
    rules: &RuleSet,
    today: NaiveDate,
) -> Option<&'a HeldCertificate> {
    candidates.min_by_key(|held| {
        (
            held.certificate
                .status(certificate_rules, today, rules.warn_days()),
            std::cmp::Reverse(held.certificate.expires_on),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::employment::EmploymentKind;

    #[test]
    fn due_and_target_verdicts() {
        let rules = RULES_2020;
        let due = date(2025, 3, 1);
        let cases = [
            (date(2025, 1, 30), Verdict::Compliant), // 30 days left
            (date(2025, 1, 31), Verdict::DueSoon),   // 29 days left
            (date(2025, 3, 1), Verdict::DueSoon),
            (date(2025, 3, 2), Verdict::Violation),
        ];
        for (today, expected) in cases {
            assert_eq!(due_verdict(due, today, &rules), expected, "{today}");
        }
        assert_eq!(
            target_verdict(false, date(2021, 12, 31), &rules),
            Verdict::DueSoon
        );
        assert_eq!(
            target_verdict(false, date(2022, 1, 1), &rules),
            Verdict::Violation
        );
        assert_eq!(
            target_verdict(true, date(2022, 1, 1), &rules),
            Verdict::Compliant
        );
        assert!(at_least(0.3 - 0.1, 0.2));
        assert!(!at_least(0.19, 0.2));
    }

    #[test]
    fn nobody_without_a_post_is_evaluated() {
        let mut facts = worker(date(2020, 1, 1));
        facts.employments[0].period =
            crate::Period::new(date(2020, 1, 1), Some(date(2023, 12, 31))).expect("valid");
        assert!(evaluate_person(&facts, &RULES_2020, date(2024, 6, 1)).is_empty());
        assert!(!evaluate_person(&facts, &RULES_2020, date(2023, 6, 1)).is_empty());
    }

    #[test]
    fn dispatched_and_outsourced_workers_count_like_employees() {
        let today = date(2025, 6, 1);
        let mut regular = worker(date(2025, 3, 1));
        regular.employments[0].flags.team_leader = true;
        regular.employments[0].flags.special_ops_trade = Some("1.2".to_owned());
        regular.trainings.push(training(
            TrainingKind::NewHire,
            date(2025, 2, 20),
            71.0,
            true,
        ));
        let mut findings = Vec::new();
        for kind in EmploymentKind::ALL {
            let mut person = regular.clone();
            person.employments[0].kind = kind;
            let found = evaluate_person(&person, &RULES_2020, today);
            assert_eq!(
                found,
                evaluate_person(&regular, &RULES_2020, today),
                "{kind:?}"
            );
            findings.push(found);
        }
        let kpis = Kpis::from_people(findings.iter().map(Vec::as_slice));
        let cases = [
            ("in post", kpis.in_post_assessed, (3, 3)),
            ("new hire", kpis.new_hire_trained, (0, 3)),
            ("team leader", kpis.team_leader_trained, (0, 3)),
            ("special ops", kpis.special_ops_certified, (0, 3)),
        ];
        for (name, share, expected) in cases {
            assert_eq!((share.numerator, share.denominator), expected, "{name}");
        }
    }

    #[test]
    fn evaluate_person_runs_the_relevant_rules_in_order() {
        let today = date(2025, 6, 1);
        let mut facts = worker(date(2020, 1, 1));
        facts.employments[0].flags.team_leader = true;
        let rules: Vec<RuleId> = evaluate_person(&facts, &RULES_2020, today)
            .into_iter()
            .map(|finding| finding.rule)
            .collect();
        assert_eq!(
            rules,
            [
                RuleId::InPostAssessed,
                RuleId::InPostAssessed,
                RuleId::TeamLeaderPromotion
            ]
        );
    }
}
