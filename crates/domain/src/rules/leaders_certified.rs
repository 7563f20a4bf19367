//! Rule 9 — seed §四.(三): principal leaders (主要负责人) and safety managers (安全生产管理人员),
//! two of the 三项岗位人员, hold their certificate (安全生产知识和管理能力考核合格证) on post.
//! **[national]** Order No. 3 Art. 9: in these industries their initial safety training is at
//! least 48 hours and their retraining at least 16 hours every year.
//!
//! Three findings: the certificate, the initial hours, and — once a year has passed since the
//! latest initial training — the past year's retraining hours.

use chrono::NaiveDate;

use crate::certificate::CertificateKind;

use super::facts::{PersonFacts, TrainingKind};
use super::{
    Evidence, Finding, RuleId, RuleSet, Verdict, at_least, best_certificate, certificate_finding,
    shift, total_hours,
};

pub fn evaluate(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    let principal = facts.holds(today, |flags| flags.principal_leader);
    if !principal && !facts.holds(today, |flags| flags.safety_manager) {
        return Vec::new();
    }
    let role = if principal {
        ("主要负责人", "Principal leader")
    } else {
        ("安全生产管理人员", "Safety manager")
    };
    let mut findings = vec![certificate(facts, rules, today, role)];
    let initial: Vec<_> = facts
        .trainings
        .iter()
        .filter(|training| training.kind == TrainingKind::LeaderInitial && training.on <= today)
        .collect();
    let initial_hours = total_hours(initial.iter().copied());
    findings.push(hours(
        role,
        ("初次安全培训", "initial safety training"),
        initial_hours,
        rules.leader_initial_hours,
    ));
    let latest_initial = initial.iter().map(|training| training.on).max();
    if latest_initial.is_some_and(|on| (today - on).num_days() >= rules.assessment_every_days) {
        let from = shift(today, 1 - rules.assessment_every_days);
        let annual_hours = total_hours(
            facts
                .trainings_between(from, today)
                .filter(|training| training.kind == TrainingKind::LeaderAnnual),
        );
        findings.push(hours(
            role,
            ("近一年再培训", "retraining in the past year"),
            annual_hours,
            rules.leader_annual_hours,
        ));
    }
    findings
}

fn certificate(
    facts: &PersonFacts,
    rules: &RuleSet,
    today: NaiveDate,
    (role_zh, role_en): (&str, &str),
) -> Finding {
    let certificate_rules = &rules.leader_certificate;
    let candidates = facts.certificates_of(CertificateKind::SafetyQualification);
    match best_certificate(candidates, certificate_rules, rules, today) {
        Some(held) => certificate_finding(
            RuleId::LeadersCertified,
            held,
            (role_zh, role_en),
            certificate_rules,
            rules,
            today,
        ),
        None => Finding::new(
            RuleId::LeadersCertified,
            Verdict::Violation,
            format!("{role_zh}未持有安全生产知识和管理能力考核合格证"),
            format!("{role_en} holds no safety knowledge and management competence certificate"),
            Vec::new(),
        ),
    }
}

fn hours(
    (role_zh, role_en): (&str, &str),
    (what_zh, what_en): (&str, &str),
    hours: f64,
    min: f64,
) -> Finding {
    let (verdict, zh, en) = if at_least(hours, min) {
        (
            Verdict::Compliant,
            format!("{role_zh}{what_zh} {hours} 学时，达到规定的 {min} 学时"),
            format!("{role_en} has {hours} hours of {what_en} (at least {min} required)"),
        )
    } else {
        (
            Verdict::Violation,
            format!("{role_zh}{what_zh} {hours} 学时，少于规定的 {min} 学时"),
            format!("{role_en} has {hours} hours of {what_en}, fewer than the required {min}"),
        )
    };
    Finding::new(
        RuleId::LeadersCertified,
        verdict,
        zh,
        en,
        vec![Evidence::TrainingHours { hours }],
    )
}

#[cfg(test)]
mod tests {
    use super::super::RULES_2020;
    use super::super::test_support::{date, held, training, worker};
    use super::*;
    use crate::certificate::NATIONAL_SAFETY_QUALIFICATION;
    use crate::employment::PositionFlags;

    fn leader(flags: PositionFlags) -> PersonFacts {
        let mut facts = worker(date(2020, 1, 1));
        facts.employments[0].flags = flags;
        facts
    }

    fn manager() -> PersonFacts {
        leader(PositionFlags {
            safety_manager: true,
            ..PositionFlags::default()
        })
    }

    #[test]
    fn certificate_cases() {
        // (case, certificate issued on, today, verdict of the certificate)
        let cases = [
            ("none", None, date(2024, 1, 1), Verdict::Violation),
            (
                "valid",
                Some(date(2023, 1, 1)),
                date(2024, 1, 1),
                Verdict::Compliant,
            ),
            (
                "expiring today",
                Some(date(2021, 1, 1)),
                date(2024, 1, 1),
                Verdict::DueSoon,
            ),
            (
                "expired yesterday",
                Some(date(2021, 1, 1)),
                date(2024, 1, 2),
                Verdict::Violation,
            ),
        ];
        for (name, issued, today, expected) in cases {
            let mut facts = manager();
            facts.certificates = issued
                .into_iter()
                .map(|on| {
                    held(
                        "S1",
                        CertificateKind::SafetyQualification,
                        None,
                        on,
                        &NATIONAL_SAFETY_QUALIFICATION,
                    )
                })
                .collect();
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings[0].verdict, expected, "{name}");
        }
    }

    #[test]
    fn hours_cases() {
        let today = date(2024, 6, 1);
        // (case, trainings as (kind, date, hours), initial verdict, annual verdict)
        let cases = [
            (
                "47 initial hours",
                vec![(TrainingKind::LeaderInitial, date(2024, 3, 1), 47.0)],
                Verdict::Violation,
                None,
            ),
            (
                "48 initial hours",
                vec![(TrainingKind::LeaderInitial, date(2024, 3, 1), 48.0)],
                Verdict::Compliant,
                None,
            ),
            (
                "a year on, 15 hours of retraining",
                vec![
                    (TrainingKind::LeaderInitial, date(2022, 3, 1), 48.0),
                    (TrainingKind::LeaderAnnual, date(2024, 1, 1), 15.0),
                ],
                Verdict::Compliant,
                Some(Verdict::Violation),
            ),
            (
                "a year on, 16 hours of retraining",
                vec![
                    (TrainingKind::LeaderInitial, date(2022, 3, 1), 48.0),
                    (TrainingKind::LeaderAnnual, date(2024, 1, 1), 16.0),
                ],
                Verdict::Compliant,
                Some(Verdict::Compliant),
            ),
        ];
        for (name, trainings, initial, annual) in cases {
            let mut facts = manager();
            facts.trainings = trainings
                .into_iter()
                .map(|(kind, on, hours)| training(kind, on, hours, true))
                .collect();
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings[1].verdict, initial, "{name}");
            assert_eq!(findings.get(2).map(|f| f.verdict), annual, "{name}");
        }
    }

    #[test]
    fn only_leaders_and_managers_are_judged() {
        let today = date(2024, 1, 1);
        let principal = leader(PositionFlags {
            principal_leader: true,
            ..PositionFlags::default()
        });
        let findings = evaluate(&principal, &RULES_2020, today);
        assert_eq!(
            findings[0].reason_zh,
            "主要负责人未持有安全生产知识和管理能力考核合格证"
        );
        assert_eq!(
            findings[1].reason_zh,
            "主要负责人初次安全培训 0 学时，少于规定的 48 学时"
        );
        assert!(evaluate(&worker(date(2020, 1, 1)), &RULES_2020, today).is_empty());
        assert_eq!(evaluate(&manager(), &RULES_2020, today).len(), 2);
    }
}
