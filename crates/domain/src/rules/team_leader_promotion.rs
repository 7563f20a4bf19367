//! Rule 4 — seed §二.(一) and §三.3: every team leader (班组长) receives safety-skill promotion
//! training (班组长100%接受安全技能提升培训), all of them rotated through by the end of 2021
//! (2021年底前将高危企业班组长轮训一遍).
//!
//! Until `targets_due_by` an untrained team leader is due soon; after it, a violation. A
//! team leader appointed later is judged by the same standing requirement.

use chrono::NaiveDate;

use super::facts::{PersonFacts, TrainingKind};
use super::{Evidence, Finding, RuleId, RuleSet, Verdict, target_verdict};

pub fn evaluate(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    let mut evidence: Vec<Evidence> = facts
        .current_employments(today)
        .filter(|employment| employment.flags.team_leader)
        .map(|employment| Evidence::Employment {
            id: employment.id.clone(),
        })
        .collect();
    if evidence.is_empty() {
        return Vec::new();
    }
    let trained = facts
        .trainings
        .iter()
        .filter(|training| training.kind == TrainingKind::SkillPromotion && training.on <= today)
        .max_by_key(|training| training.on);
    let by = rules.targets_due_by;
    let verdict = target_verdict(trained.is_some(), today, rules);
    let (zh, en) = match (trained, verdict) {
        (Some(training), _) => {
            let (on, hours) = (training.on, training.hours);
            evidence.push(Evidence::Training {
                kind: training.kind,
                on,
                hours,
                passed: training.passed_exam,
            });
            (
                format!("班组长已于 {on} 接受安全技能提升培训（{hours} 学时）"),
                format!("Team leader had skill-promotion training on {on} ({hours} hours)"),
            )
        }
        (None, Verdict::DueSoon) => (
            format!("班组长尚未接受安全技能提升培训，应于 {by} 前完成轮训"),
            format!("Team leader has not yet had skill-promotion training; due by {by}"),
        ),
        (None, _) => (
            format!("班组长未接受安全技能提升培训（应于 {by} 前轮训一遍）"),
            format!("Team leader has had no skill-promotion training (due by {by})"),
        ),
    };
    evidence.push(Evidence::DueOn { date: by });
    vec![Finding::new(
        RuleId::TeamLeaderPromotion,
        verdict,
        zh,
        en,
        evidence,
    )]
}

#[cfg(test)]
mod tests {
    use super::super::RULES_2020;
    use super::super::test_support::{date, training, worker};
    use super::*;

    #[test]
    fn cases() {
        // (case, team leader, training kind and date, today, verdict; None = not applicable)
        let cases = [
            ("not a team leader", false, None, date(2022, 6, 1), None),
            (
                "untrained before the deadline",
                true,
                None,
                date(2021, 12, 31),
                Some(Verdict::DueSoon),
            ),
            (
                "untrained after the deadline",
                true,
                None,
                date(2022, 1, 1),
                Some(Verdict::Violation),
            ),
            (
                "trained",
                true,
                Some((TrainingKind::SkillPromotion, date(2021, 5, 1))),
                date(2022, 1, 1),
                Some(Verdict::Compliant),
            ),
            (
                "trained after the deadline",
                true,
                Some((TrainingKind::SkillPromotion, date(2023, 5, 1))),
                date(2023, 6, 1),
                Some(Verdict::Compliant),
            ),
            (
                "only annual retraining",
                true,
                Some((TrainingKind::Annual, date(2021, 5, 1))),
                date(2022, 1, 1),
                Some(Verdict::Violation),
            ),
            (
                "training dated after today",
                true,
                Some((TrainingKind::SkillPromotion, date(2022, 5, 1))),
                date(2022, 1, 1),
                Some(Verdict::Violation),
            ),
        ];
        for (name, team_leader, trained, today, expected) in cases {
            let mut facts = worker(date(2020, 1, 1));
            facts.employments[0].flags.team_leader = team_leader;
            facts.trainings = trained
                .into_iter()
                .map(|(kind, on)| training(kind, on, 16.0, true))
                .collect();
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings.first().map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn reason_names_the_deadline() {
        let mut facts = worker(date(2020, 1, 1));
        facts.employments[0].flags.team_leader = true;
        let finding = &evaluate(&facts, &RULES_2020, date(2022, 1, 1))[0];
        assert_eq!(
            finding.reason_zh,
            "班组长未接受安全技能提升培训（应于 2021-12-31 前轮训一遍）"
        );
    }
}
