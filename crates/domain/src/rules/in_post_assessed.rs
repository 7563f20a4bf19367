//! Rule 1 — seed §二.(一) and §三.1: in-post staff are trained and assessed as passed before
//! working, and assessed by position every year (每年要分岗位对全体员工考核一遍); whoever
//! fails leaves the post to retrain to the new-hire standard and returns only after passing.
//! **[national]** Order No. 3 Art. 13: at least 20 hours of retraining every year in these
//! industries.
//!
//! Two findings: the assessment (always), and the year's retraining hours (once the person
//! has been on post longer than the new-hire window, during which rule 2 governs).

use chrono::NaiveDate;

use super::facts::PersonFacts;
use super::{
    Evidence, Finding, RuleId, RuleSet, Verdict, at_least, due_verdict, shift, total_hours,
};

pub fn evaluate(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    let Some(joined) = facts
        .current_employments(today)
        .map(|employment| facts.joined(employment, rules.off_post_return_days))
        .min()
    else {
        return Vec::new();
    };
    let employments: Vec<Evidence> = facts
        .current_employments(today)
        .map(|employment| Evidence::Employment {
            id: employment.id.clone(),
        })
        .collect();
    let mut findings = vec![assessment(facts, rules, today, joined, &employments)];
    if (today - joined).num_days() >= rules.new_hire_window_days {
        findings.push(retraining(facts, rules, today, &employments));
    }
    findings
}

fn assessment(
    facts: &PersonFacts,
    rules: &RuleSet,
    today: NaiveDate,
    joined: NaiveDate,
    employments: &[Evidence],
) -> Finding {
    // On one day, a pass (the make-up) outranks a fail.
    let latest = facts
        .assessments
        .iter()
        .filter(|assessment| assessment.on <= today)
        .max_by_key(|assessment| (assessment.on, assessment.passed));
    let mut evidence = employments.to_vec();
    let (verdict, zh, en) = match latest {
        Some(failed) if !failed.passed => {
            let on = failed.on;
            evidence.push(Evidence::Assessment { on, passed: false });
            let retraining = facts
                .off_post_on(today)
                .is_some_and(|period| period.from() >= on);
            if retraining {
                (
                    Verdict::DueSoon,
                    format!("{on} 岗位考核不合格，正在离岗培训，考核合格后方可上岗"),
                    format!(
                        "Failed the assessment of {on}; off post retraining, back only after passing"
                    ),
                )
            } else {
                (
                    Verdict::Violation,
                    format!(
                        "{on} 岗位考核不合格，应按新上岗人员培训标准离岗培训，考核合格后再上岗"
                    ),
                    format!(
                        "Failed the assessment of {on}; must leave the post and retrain to the new-hire standard until passing"
                    ),
                )
            }
        }
        Some(passed) => {
            let on = passed.on;
            let due = shift(on, rules.assessment_every_days);
            evidence.push(Evidence::Assessment { on, passed: true });
            evidence.push(Evidence::DueOn { date: due });
            let verdict = due_verdict(due, today, rules);
            let (zh, en) = match verdict {
                Verdict::Violation => (
                    format!("最近一次岗位考核为 {on}，已超过每年考核一次的期限（{due}）"),
                    format!("Last assessed on {on}; the annual assessment was due on {due}"),
                ),
                _ => (
                    format!("{on} 岗位考核合格，下次考核应在 {due} 前完成"),
                    format!("Passed the assessment of {on}; the next is due by {due}"),
                ),
            };
            (verdict, zh, en)
        }
        None => {
            let due = shift(joined, rules.assessment_every_days);
            evidence.push(Evidence::DueOn { date: due });
            let verdict = due_verdict(due, today, rules);
            let (zh, en) = match verdict {
                Verdict::Violation => (
                    format!("{joined} 上岗，至今没有岗位考核合格记录（应在 {due} 前考核）"),
                    format!("On post since {joined} with no passed assessment (due by {due})"),
                ),
                _ => (
                    format!("{joined} 上岗，首次年度岗位考核应在 {due} 前完成"),
                    format!("On post since {joined}; the first annual assessment is due by {due}"),
                ),
            };
            (verdict, zh, en)
        }
    };
    Finding::new(RuleId::InPostAssessed, verdict, zh, en, evidence)
}

fn retraining(
    facts: &PersonFacts,
    rules: &RuleSet,
    today: NaiveDate,
    employments: &[Evidence],
) -> Finding {
    let from = shift(today, 1 - rules.assessment_every_days);
    let hours = total_hours(facts.trainings_between(from, today));
    let min = rules.annual_retraining_min_hours;
    let mut evidence = employments.to_vec();
    evidence.push(Evidence::TrainingHours { hours });
    let (verdict, zh, en) = if at_least(hours, min) {
        (
            Verdict::Compliant,
            format!("近一年培训 {hours} 学时，达到每年 {min} 学时的要求"),
            format!("Has {hours} training hours in the past year (at least {min} required)"),
        )
    } else {
        (
            Verdict::Violation,
            format!("近一年培训 {hours} 学时，少于规定的每年 {min} 学时"),
            format!("Has {hours} training hours in the past year, fewer than the required {min}"),
        )
    };
    Finding::new(RuleId::InPostAssessed, verdict, zh, en, evidence)
}

#[cfg(test)]
mod tests {
    use super::super::RULES_2020;
    use super::super::facts::TrainingKind;
    use super::super::test_support::{assessment, date, training, worker};
    use super::*;
    use crate::employment::Period;

    /// (case, assessments as (date, passed), off post since, today, verdict of the assessment)
    type Case = (
        &'static str,
        Vec<(NaiveDate, bool)>,
        Option<NaiveDate>,
        NaiveDate,
        Verdict,
    );

    #[test]
    fn assessment_cases() {
        let cases: Vec<Case> = vec![
            (
                "new on post, none yet",
                vec![],
                None,
                date(2024, 6, 1),
                Verdict::Compliant,
            ),
            (
                "first due within 30 days",
                vec![],
                None,
                date(2024, 12, 20),
                Verdict::DueSoon,
            ),
            (
                "never assessed after a year",
                vec![],
                None,
                date(2025, 1, 1),
                Verdict::Violation,
            ),
            (
                "passed this year",
                vec![(date(2024, 12, 1), true)],
                None,
                date(2025, 6, 1),
                Verdict::Compliant,
            ),
            (
                "due in 29 days",
                vec![(date(2024, 12, 1), true)],
                None,
                date(2025, 11, 2),
                Verdict::DueSoon,
            ),
            (
                "due in 30 days",
                vec![(date(2024, 12, 1), true)],
                None,
                date(2025, 11, 1),
                Verdict::Compliant,
            ),
            (
                "due today",
                vec![(date(2024, 12, 1), true)],
                None,
                date(2025, 12, 1),
                Verdict::DueSoon,
            ),
            (
                "due yesterday",
                vec![(date(2024, 12, 1), true)],
                None,
                date(2025, 12, 2),
                Verdict::Violation,
            ),
            (
                "failed: off post until a pass",
                vec![(date(2024, 12, 1), true), (date(2025, 5, 1), false)],
                None,
                date(2025, 6, 1),
                Verdict::Violation,
            ),
            (
                "failed, then passed later",
                vec![(date(2025, 5, 1), false), (date(2025, 5, 20), true)],
                None,
                date(2025, 6, 1),
                Verdict::Compliant,
            ),
            (
                "failed and off post retraining",
                vec![(date(2025, 5, 1), false)],
                Some(date(2025, 5, 2)),
                date(2025, 6, 1),
                Verdict::DueSoon,
            ),
            (
                "failed, make-up passed the same day",
                vec![(date(2025, 5, 1), false), (date(2025, 5, 1), true)],
                None,
                date(2025, 6, 1),
                Verdict::Compliant,
            ),
            (
                "a pass dated after today does not count",
                vec![(date(2025, 5, 1), false), (date(2025, 7, 1), true)],
                None,
                date(2025, 6, 1),
                Verdict::Violation,
            ),
        ];
        for (name, assessments, off_since, today, expected) in cases {
            let mut facts = worker(date(2024, 1, 1));
            facts.assessments = assessments
                .into_iter()
                .map(|(on, passed)| assessment(on, passed))
                .collect();
            if let Some(from) = off_since {
                facts.off_post = vec![Period::new(from, None).expect("valid")];
            }
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings[0].verdict, expected, "{name}");
            assert_eq!(findings[0].rule, RuleId::InPostAssessed);
        }
    }

    #[test]
    fn retraining_hours_cases() {
        // (case, trainings as (date, hours), today, verdict of the hours; None = not checked)
        let cases = [
            ("within the first year", vec![], date(2024, 12, 30), None),
            (
                "19 hours in the year",
                vec![(date(2025, 3, 1), 19.0)],
                date(2025, 6, 1),
                Some(Verdict::Violation),
            ),
            (
                "20 hours in the year",
                vec![(date(2025, 3, 1), 12.0), (date(2025, 4, 1), 8.0)],
                date(2025, 6, 1),
                Some(Verdict::Compliant),
            ),
            (
                "hours older than a year",
                vec![(date(2024, 6, 1), 40.0)],
                date(2025, 6, 1),
                Some(Verdict::Violation),
            ),
            (
                "exactly 365 days back",
                vec![(date(2024, 6, 2), 20.0)],
                date(2025, 6, 1),
                Some(Verdict::Compliant),
            ),
        ];
        for (name, trainings, today, expected) in cases {
            let mut facts = worker(date(2024, 1, 1));
            facts.assessments = vec![assessment(shift(today, -10), true)];
            facts.trainings = trainings
                .into_iter()
                .map(|(on, hours)| training(TrainingKind::Annual, on, hours, true))
                .collect();
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings.get(1).map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn reasons_are_concrete() {
        let mut facts = worker(date(2024, 1, 1));
        facts.assessments = vec![assessment(date(2025, 5, 1), false)];
        facts.trainings = vec![training(TrainingKind::Annual, date(2025, 3, 1), 19.0, true)];
        let findings = evaluate(&facts, &RULES_2020, date(2025, 6, 1));
        assert_eq!(
            findings[0].reason_zh,
            "2025-05-01 岗位考核不合格，应按新上岗人员培训标准离岗培训，考核合格后再上岗"
        );
        assert_eq!(
            findings[1].reason_zh,
            "近一年培训 19 学时，少于规定的每年 20 学时"
        );
        assert_eq!(
            findings[1].reason_en,
            "Has 19 training hours in the past year, fewer than the required 20"
        );
        assert!(findings[0].evidence.contains(&Evidence::Assessment {
            on: date(2025, 5, 1),
            passed: false
        }));
    }
}
