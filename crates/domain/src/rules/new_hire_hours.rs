//! Rule 2 — Order No. 3 Art. 13 **[national]**, seed §二.(一) and §三.2: a new hire in these
//! industries needs at least 72 hours (学时) of safety, skills and work-injury-prevention
//! training and a passed exam before taking the post (新上岗人员安全生产与工伤预防培训不得少于
//! 72学时 … 考核合格后方可上岗).
//!
//! A person is a new hire for `new_hire_window_days` after joining an enterprise (a stint:
//! positions at one enterprise with gaps shorter than `off_post_return_days`). New-hire
//! training counts from one window before joining (pre-hire training at a vocational school,
//! 入企即入校) up to today. The rule judges today's state: someone on post without the hours
//! is in violation until the hours and the pass are recorded.

use chrono::NaiveDate;

use super::facts::{PersonFacts, TrainingKind};
use super::{Evidence, Finding, RuleId, RuleSet, Verdict, at_least, shift, total_hours};

pub fn evaluate(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    // One finding per stint: two positions held at one enterprise are one hire.
    let mut stints: Vec<(&str, NaiveDate, Vec<Evidence>)> = Vec::new();
    for employment in facts.current_employments(today) {
        let joined = facts.joined(employment, rules.off_post_return_days);
        if (today - joined).num_days() >= rules.new_hire_window_days {
            continue;
        }
        let evidence = Evidence::Employment {
            id: employment.id.clone(),
        };
        match stints
            .iter_mut()
            .find(|(enterprise, _, _)| *enterprise == employment.enterprise)
        {
            Some((_, _, ids)) => ids.push(evidence),
            None => stints.push((&employment.enterprise, joined, vec![evidence])),
        }
    }
    stints
        .into_iter()
        .map(|(_, joined, evidence)| finding(facts, rules, today, joined, evidence))
        .collect()
}

fn finding(
    facts: &PersonFacts,
    rules: &RuleSet,
    today: NaiveDate,
    joined: NaiveDate,
    mut evidence: Vec<Evidence>,
) -> Finding {
    let from = shift(joined, -rules.new_hire_window_days);
    let records: Vec<_> = facts
        .trainings_between(from, today)
        .filter(|training| training.kind == TrainingKind::NewHire)
        .collect();
    let hours = total_hours(records.iter().copied());
    let passed = records.iter().any(|training| training.passed_exam);
    let min = rules.new_hire_min_hours;
    evidence.push(Evidence::TrainingHours { hours });
    evidence.extend(records.iter().map(|training| Evidence::Training {
        kind: training.kind,
        on: training.on,
        hours: training.hours,
        passed: training.passed_exam,
    }));
    let (verdict, zh, en) = if !at_least(hours, min) {
        (
            Verdict::Violation,
            format!("新上岗人员培训学时 {hours} 学时，少于规定的 {min} 学时"),
            format!("New hire has {hours} training hours, fewer than the required {min}"),
        )
    } else if !passed {
        (
            Verdict::Violation,
            format!("新上岗人员培训 {hours} 学时，但没有考核合格记录，不得上岗"),
            format!("New hire has {hours} training hours but has not passed the exam"),
        )
    } else {
        (
            Verdict::Compliant,
            format!("新上岗人员培训 {hours} 学时，考核合格"),
            format!("New hire has {hours} training hours and passed the exam"),
        )
    };
    Finding::new(RuleId::NewHireHours, verdict, zh, en, evidence)
}

#[cfg(test)]
mod tests {
    use super::super::RULES_2020;
    use super::super::test_support::{date, employment, training, worker};
    use super::*;

    #[test]
    fn cases() {
        let joined = date(2025, 3, 1);
        let today = date(2025, 6, 1);
        // (case, trainings as (kind, date, hours, passed), verdict; None = rule not applicable)
        let cases = [
            (
                "71 hours",
                vec![(TrainingKind::NewHire, date(2025, 2, 20), 71.0, true)],
                Some(Verdict::Violation),
            ),
            (
                "72 hours",
                vec![(TrainingKind::NewHire, date(2025, 2, 20), 72.0, true)],
                Some(Verdict::Compliant),
            ),
            (
                "72 hours over three classes",
                vec![
                    (TrainingKind::NewHire, date(2025, 2, 10), 24.0, false),
                    (TrainingKind::NewHire, date(2025, 2, 17), 24.0, false),
                    (TrainingKind::NewHire, date(2025, 2, 24), 24.0, true),
                ],
                Some(Verdict::Compliant),
            ),
            (
                "72 hours, exam failed",
                vec![(TrainingKind::NewHire, date(2025, 2, 20), 72.0, false)],
                Some(Verdict::Violation),
            ),
            (
                "other kinds do not count",
                vec![(TrainingKind::Annual, date(2025, 2, 20), 80.0, true)],
                Some(Verdict::Violation),
            ),
            ("nothing at all", vec![], Some(Verdict::Violation)),
            (
                "trained after joining",
                vec![(TrainingKind::NewHire, date(2025, 5, 1), 72.0, true)],
                Some(Verdict::Compliant),
            ),
            (
                "trained too long before",
                vec![(TrainingKind::NewHire, date(2024, 2, 1), 72.0, true)],
                Some(Verdict::Violation),
            ),
            (
                "trained after today",
                vec![(TrainingKind::NewHire, date(2025, 7, 1), 72.0, true)],
                Some(Verdict::Violation),
            ),
        ];
        for (name, trainings, expected) in cases {
            let mut facts = worker(joined);
            facts.trainings = trainings
                .into_iter()
                .map(|(kind, on, hours, passed)| training(kind, on, hours, passed))
                .collect();
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings.first().map(|f| f.verdict), expected, "{name}");
            assert!(findings.len() <= 1, "{name}");
        }
    }

    #[test]
    fn only_new_hires_are_judged() {
        let cases = [
            (date(2025, 6, 1), 1),  // 92 days on post
            (date(2026, 2, 28), 1), // 364 days
            (date(2026, 3, 1), 0),  // a year: rule 1 governs now
        ];
        for (today, count) in cases {
            let facts = worker(date(2025, 3, 1));
            assert_eq!(evaluate(&facts, &RULES_2020, today).len(), count, "{today}");
        }
        // A new position at the same enterprise is not a new hire (rule 3 covers it)...
        let mut moved = worker(date(2025, 3, 1));
        moved.employments = vec![
            employment("old", "e1", date(2015, 1, 1), Some(date(2025, 2, 28))),
            employment("job", "e1", date(2025, 3, 1), None),
        ];
        assert!(evaluate(&moved, &RULES_2020, date(2025, 6, 1)).is_empty());
        // ...but joining another enterprise is.
        moved.employments[0].enterprise = "e0".to_owned();
        assert_eq!(evaluate(&moved, &RULES_2020, date(2025, 6, 1)).len(), 1);
    }

    #[test]
    fn reasons_name_the_hours() {
        let mut facts = worker(date(2025, 3, 1));
        facts.trainings = vec![training(
            TrainingKind::NewHire,
            date(2025, 2, 20),
            71.0,
            true,
        )];
        let finding = &evaluate(&facts, &RULES_2020, date(2025, 6, 1))[0];
        assert_eq!(
            finding.reason_zh,
            "新上岗人员培训学时 71 学时，少于规定的 72 学时"
        );
        assert_eq!(
            finding.reason_en,
            "New hire has 71 training hours, fewer than the required 72"
        );
        assert!(
            finding
                .evidence
                .contains(&Evidence::TrainingHours { hours: 71.0 })
        );
        assert!(finding.evidence.contains(&Evidence::Employment {
            id: "job".to_owned()
        }));
    }
}
