//! Rule 5 — seed §二.(一) and §三.4: every special-operations worker holds a valid
//! certificate of the trade they work (特种作业人员100%持证上岗): not expired, not overdue
//! for review, not suspended or revoked (**[national]** Order No. 30 Arts. 5, 19, 21); and
//! hazardous-chemicals and newly appointed coal-mine special-operations workers have
//! high-school education or above (危险化学品和新申请煤矿安全作业的特种作业人员须具备高中及以上
//! 文化程度; Order No. 30 Art. 4 for hazardous chemicals).
//!
//! One finding per trade worked, from the best certificate of that trade, and one per trade
//! that needs high school. A coal-mine post counts as new when it started on or after
//! `coal_high_school_from`. Trades are matched by catalogue code ("1.2").

use chrono::NaiveDate;

use crate::certificate::CertificateKind;
use crate::trade::{find_trade, requires_high_school};

use super::facts::PersonFacts;
use super::{Evidence, Finding, RuleId, RuleSet, Verdict, best_certificate, certificate_finding};

pub fn evaluate(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    // Each trade once, with the earliest start among the posts in it.
    let mut trades: Vec<(&str, NaiveDate, &str)> = Vec::new();
    for employment in facts.current_employments(today) {
        let Some(code) = employment.flags.special_ops_trade.as_deref().map(str::trim) else {
            continue;
        };
        if code.is_empty() {
            continue;
        }
        let from = employment.period.from();
        match trades.iter_mut().find(|(known, _, _)| *known == code) {
            Some(entry) if from < entry.1 => *entry = (code, from, &employment.id),
            Some(_) => {}
            None => trades.push((code, from, &employment.id)),
        }
    }
    let mut findings = Vec::new();
    for (code, from, employment_id) in trades {
        let (label_zh, label_en) = match find_trade(code) {
            Some(trade) => (
                format!("{} {}", trade.code, trade.name),
                format!("{} {}", trade.code, trade.name_en),
            ),
            None => (code.to_owned(), code.to_owned()),
        };
        let employment = Evidence::Employment {
            id: employment_id.to_owned(),
        };
        findings.push(certificate(
            facts,
            rules,
            today,
            code,
            (&label_zh, &label_en),
            &employment,
        ));
        let needs_high_school = find_trade(code).is_some_and(|trade| {
            requires_high_school(trade)
                && (trade.category != "5" || from >= rules.coal_high_school_from)
        });
        if needs_high_school {
            findings.push(education(facts, (&label_zh, &label_en), employment));
        }
    }
    findings
}

fn certificate(
    facts: &PersonFacts,
    rules: &RuleSet,
    today: NaiveDate,
    code: &str,
    (label_zh, label_en): (&str, &str),
    employment: &Evidence,
) -> Finding {
    let of_trade = facts
        .certificates_of(CertificateKind::SpecialOps)
        .filter(|held| held.certificate.trade.as_deref().map(str::trim) == Some(code));
    let certificate_rules = &rules.special_ops_certificate;
    let mut finding = match best_certificate(of_trade, certificate_rules, rules, today) {
        Some(held) => certificate_finding(
            RuleId::SpecialOpsCertified,
            held,
            (label_zh, label_en),
            certificate_rules,
            rules,
            today,
        ),
        None => Finding::new(
            RuleId::SpecialOpsCertified,
            Verdict::Violation,
            format!("从事特种作业 {label_zh}，未持有该工种的特种作业操作证"),
            format!("Works in special operations {label_en} without a certificate for that trade"),
            Vec::new(),
        ),
    };
    finding.evidence.insert(0, employment.clone());
    finding
}

fn education(
    facts: &PersonFacts,
    (label_zh, label_en): (&str, &str),
    employment: Evidence,
) -> Finding {
    let recorded = facts.education;
    let (verdict, zh, en) = match recorded {
        Some(level) if level.is_high_school_or_above() => (
            Verdict::Compliant,
            format!(
                "从事 {label_zh}，文化程度为{}，符合高中及以上要求",
                level.name_zh()
            ),
            format!(
                "Works in {label_en} with {} education, meeting the high-school requirement",
                level.name_en().to_lowercase()
            ),
        ),
        Some(level) => (
            Verdict::Violation,
            format!(
                "从事 {label_zh} 须具备高中及以上文化程度，登记的文化程度为{}",
                level.name_zh()
            ),
            format!(
                "Works in {label_en}, which needs high school or above, with {} education",
                level.name_en().to_lowercase()
            ),
        ),
        None => (
            Verdict::Violation,
            format!("从事 {label_zh} 须具备高中及以上文化程度，未登记文化程度"),
            format!(
                "Works in {label_en}, which needs high school or above; education not recorded"
            ),
        ),
    };
    Finding::new(
        RuleId::SpecialOpsCertified,
        verdict,
        zh,
        en,
        vec![employment, Evidence::Education { recorded }],
    )
}

#[cfg(test)]
mod tests {
    use super::super::facts::{Education, HeldCertificate};
    use super::super::test_support::{date, held, worker};
    use super::super::{RULES_2020, RuleSet};
    use super::*;
    use crate::certificate::{Certificate, NATIONAL_SPECIAL_OPS};

    fn low_voltage(issued: NaiveDate) -> HeldCertificate {
        held(
            "T230102",
            CertificateKind::SpecialOps,
            Some("1.2"),
            issued,
            &NATIONAL_SPECIAL_OPS,
        )
    }

    fn electrician(certificates: Vec<HeldCertificate>) -> PersonFacts {
        let mut facts = worker(date(2015, 1, 1));
        facts.employments[0].flags.special_ops_trade = Some("1.2".to_owned());
        facts.certificates = certificates;
        facts
    }

    #[test]
    fn certificate_cases() {
        let issued = date(2019, 6, 10); // expires 2025-06-10
        let reviewed = Certificate {
            last_reviewed_on: Some(date(2022, 5, 1)),
            ..low_voltage(issued).certificate
        };
        let with = |certificate: Certificate| HeldCertificate {
            number: "T230102".to_owned(),
            certificate,
        };
        let immediate = RuleSet {
            due_soon_days: 0,
            ..RULES_2020
        };
        // (case, certificates, rule set, today, verdict)
        let cases = [
            (
                "no certificate",
                vec![],
                RULES_2020,
                date(2024, 1, 1),
                Verdict::Violation,
            ),
            (
                "valid, reviewed",
                vec![with(reviewed.clone())],
                RULES_2020,
                date(2024, 1, 1),
                Verdict::Compliant,
            ),
            // Expiring today still holds good; within the warning window it is due soon.
            (
                "expiring today",
                vec![with(reviewed.clone())],
                immediate,
                date(2025, 6, 10),
                Verdict::Compliant,
            ),
            (
                "expiring today, warned",
                vec![with(reviewed.clone())],
                RULES_2020,
                date(2025, 6, 10),
                Verdict::DueSoon,
            ),
            (
                "expired yesterday",
                vec![with(reviewed.clone())],
                RULES_2020,
                date(2025, 6, 11),
                Verdict::Violation,
            ),
            (
                "review due yesterday",
                vec![low_voltage(issued)],
                RULES_2020,
                date(2022, 6, 11),
                Verdict::Violation,
            ),
            (
                "review due in 10 days",
                vec![low_voltage(issued)],
                RULES_2020,
                date(2022, 5, 31),
                Verdict::DueSoon,
            ),
            (
                "revoked, dates fine",
                vec![with(Certificate {
                    revoked: true,
                    ..reviewed.clone()
                })],
                RULES_2020,
                date(2024, 1, 1),
                Verdict::Violation,
            ),
            (
                "suspended",
                vec![with(Certificate {
                    suspended: true,
                    ..reviewed.clone()
                })],
                RULES_2020,
                date(2024, 1, 1),
                Verdict::Violation,
            ),
            (
                "another trade's certificate",
                vec![held(
                    "T1",
                    CertificateKind::SpecialOps,
                    Some("1.1"),
                    issued,
                    &NATIONAL_SPECIAL_OPS,
                )],
                RULES_2020,
                date(2024, 1, 1),
                Verdict::Violation,
            ),
            (
                "expired old one and a new one",
                vec![low_voltage(date(2013, 1, 1)), low_voltage(date(2023, 1, 1))],
                RULES_2020,
                date(2024, 1, 1),
                Verdict::Compliant,
            ),
        ];
        for (name, certificates, rules, today, expected) in cases {
            let findings = evaluate(&electrician(certificates), &rules, today);
            assert_eq!(findings.len(), 1, "{name}");
            assert_eq!(findings[0].verdict, expected, "{name}");
        }
    }

    #[test]
    fn education_cases() {
        let today = date(2024, 1, 1);
        let rules = RULES_2020;
        // (case, trade, post started, education, education verdict; None = not required)
        let cases = [
            ("electrician", "1.2", date(2021, 1, 1), None, None),
            (
                "chemicals, high school",
                "9.2",
                date(2015, 1, 1),
                Some(Education::HighSchool),
                Some(Verdict::Compliant),
            ),
            (
                "chemicals, vocational",
                "9.2",
                date(2015, 1, 1),
                Some(Education::SecondaryVocational),
                Some(Verdict::Compliant),
            ),
            (
                "chemicals, junior",
                "9.2",
                date(2015, 1, 1),
                Some(Education::BelowHighSchool),
                Some(Verdict::Violation),
            ),
            (
                "chemicals, unrecorded",
                "9.16",
                date(2015, 1, 1),
                None,
                Some(Verdict::Violation),
            ),
            (
                "coal, appointed before the seed",
                "5.1",
                date(2020, 4, 2),
                Some(Education::BelowHighSchool),
                None,
            ),
            (
                "coal, appointed on the seed's day",
                "5.1",
                date(2020, 4, 3),
                Some(Education::BelowHighSchool),
                Some(Verdict::Violation),
            ),
            (
                "coal, new and high school",
                "5.4",
                date(2021, 1, 1),
                Some(Education::HighSchool),
                Some(Verdict::Compliant),
            ),
            (
                "non-coal mine",
                "6.8",
                date(2021, 1, 1),
                Some(Education::BelowHighSchool),
                None,
            ),
        ];
        for (name, trade, from, education, expected) in cases {
            let mut facts = worker(from);
            facts.employments[0].flags.special_ops_trade = Some(trade.to_owned());
            facts.education = education;
            facts.certificates = vec![held(
                "T",
                CertificateKind::SpecialOps,
                Some(trade),
                date(2023, 1, 1),
                &NATIONAL_SPECIAL_OPS,
            )];
            let findings = evaluate(&facts, &rules, today);
            assert_eq!(findings[0].verdict, Verdict::Compliant, "{name}");
            assert_eq!(findings.get(1).map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn not_applicable_without_a_special_operation() {
        let mut facts = worker(date(2020, 1, 1));
        assert!(evaluate(&facts, &RULES_2020, date(2024, 1, 1)).is_empty());
        facts.employments[0].flags.special_ops_trade = Some("  ".to_owned());
        assert!(evaluate(&facts, &RULES_2020, date(2024, 1, 1)).is_empty());
    }

    #[test]
    fn reasons_are_concrete() {
        let findings = evaluate(&electrician(vec![]), &RULES_2020, date(2024, 1, 1));
        assert_eq!(
            findings[0].reason_zh,
            "从事特种作业 1.2 低压电工作业，未持有该工种的特种作业操作证"
        );
        let expired = Certificate {
            last_reviewed_on: Some(date(2022, 5, 1)),
            ..low_voltage(date(2019, 6, 10)).certificate
        };
        let facts = electrician(vec![HeldCertificate {
            number: "T230102".to_owned(),
            certificate: expired,
        }]);
        let findings = evaluate(&facts, &RULES_2020, date(2025, 6, 11));
        assert_eq!(
            findings[0].reason_zh,
            "特种作业操作证 T230102（1.2 低压电工作业）已于 2025-06-10 到期"
        );
        assert_eq!(
            findings[0].reason_en,
            "Special operations certificate T230102 (1.2 Low-voltage electrical work) expired on 2025-06-10"
        );
        assert!(findings[0].evidence.contains(&Evidence::Certificate {
            number: "T230102".to_owned()
        }));
    }
}
