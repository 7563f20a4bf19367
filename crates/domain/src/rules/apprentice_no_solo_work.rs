//! Rule 6 — seed §三.2: apprentices work a post alone only after graduating from their
//! apprenticeship (要建立健全并严格落实师带徒制度，出徒后方可独立上岗).
//!
//! Judged on the latest apprenticeship that has started. `graduates_on` is the first day of
//! independent work: working alone on that day is compliant, the day before is not.

use chrono::NaiveDate;

use super::facts::PersonFacts;
use super::{Evidence, Finding, RuleId, RuleSet, Verdict};

pub fn evaluate(facts: &PersonFacts, _rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    if !facts.is_employed(today) {
        return Vec::new();
    }
    let Some(apprenticeship) = facts
        .apprenticeships
        .iter()
        .filter(|apprenticeship| apprenticeship.starts_on <= today)
        .max_by_key(|apprenticeship| apprenticeship.graduates_on)
    else {
        return Vec::new();
    };
    let graduates_on = apprenticeship.graduates_on;
    let mentor = &apprenticeship.mentor;
    let (verdict, zh, en) = if today >= graduates_on {
        (
            Verdict::Compliant,
            format!("已于 {graduates_on} 出徒，可以独立上岗"),
            format!("Graduated on {graduates_on}; may work alone"),
        )
    } else if facts.is_independent_post {
        (
            Verdict::Violation,
            format!("学徒期至 {graduates_on}，出徒前独立上岗（师傅：{mentor}）"),
            format!("Works alone before graduating on {graduates_on} (mentor: {mentor})"),
        )
    } else {
        (
            Verdict::Compliant,
            format!("学徒期至 {graduates_on}，在师傅 {mentor} 带领下上岗"),
            format!("Apprentice until {graduates_on}, working under mentor {mentor}"),
        )
    };
    vec![Finding::new(
        RuleId::ApprenticeNoSoloWork,
        verdict,
        zh,
        en,
        vec![Evidence::Apprenticeship { graduates_on }],
    )]
}

#[cfg(test)]
mod tests {
    use super::super::RULES_2020;
    use super::super::facts::Apprenticeship;
    use super::super::test_support::{date, worker};
    use super::*;

    #[test]
    fn cases() {
        let graduates_on = date(2025, 7, 1);
        // (case, independent post, today, verdict; None = not applicable)
        let cases = [
            (
                "alone, one day before graduating",
                true,
                date(2025, 6, 30),
                Some(Verdict::Violation),
            ),
            (
                "alone on graduation day",
                true,
                date(2025, 7, 1),
                Some(Verdict::Compliant),
            ),
            (
                "under the mentor",
                false,
                date(2025, 6, 30),
                Some(Verdict::Compliant),
            ),
            (
                "before the apprenticeship starts",
                true,
                date(2024, 12, 31),
                None,
            ),
        ];
        for (name, independent, today, expected) in cases {
            let mut facts = worker(date(2024, 1, 1));
            facts.is_independent_post = independent;
            facts.apprenticeships = vec![Apprenticeship {
                starts_on: date(2025, 1, 1),
                graduates_on,
                mentor: "王师傅".to_owned(),
            }];
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings.first().map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn no_apprenticeship_no_finding_and_reasons() {
        let mut facts = worker(date(2024, 1, 1));
        assert!(evaluate(&facts, &RULES_2020, date(2025, 6, 30)).is_empty());
        facts.is_independent_post = true;
        facts.apprenticeships = vec![Apprenticeship {
            starts_on: date(2025, 1, 1),
            graduates_on: date(2025, 7, 1),
            mentor: "王师傅".to_owned(),
        }];
        let finding = &evaluate(&facts, &RULES_2020, date(2025, 6, 30))[0];
        assert_eq!(
            finding.reason_zh,
            "学徒期至 2025-07-01，出徒前独立上岗（师傅：王师傅）"
        );
        assert_eq!(
            finding.reason_en,
            "Works alone before graduating on 2025-07-01 (mentor: 王师傅)"
        );
    }
}
