//! Rule 3 — seed §三.2: people back on post after 3 months or more away (离岗3个月以上重新
//! 上岗), moved to another post (工作岗位调整), or working with a new process, technology,
//! equipment or material (新工艺、新技术、新设备、新材料) get targeted safety training and
//! pass before (re)taking the post. **[national]** Order No. 3 Arts. 15–16 ask the same after
//! one year away; the seed's 3 months is stricter and is the rule here.
//!
//! Each such event within the last `assessment_every_days` gives one finding (older ones are
//! covered by the annual assessment since). Training counts from the start of the time away,
//! or from `targeted_training_lead_days` before a change of post or process. A process change
//! announced for the coming `due_soon_days` is due soon until the training is done.

use chrono::NaiveDate;

use super::facts::{PersonFacts, TrainingKind};
use super::{Evidence, Finding, RuleId, RuleSet, Verdict, shift};

/// An event that calls for targeted training.
struct Event {
    /// Trainings from this day count for it.
    since: NaiveDate,
    /// The day the person (re)takes the post or the change takes effect.
    on: NaiveDate,
    what_zh: String,
    what_en: String,
    evidence: Evidence,
}

pub fn evaluate(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    if !facts.is_employed(today) {
        return Vec::new();
    }
    events(facts, rules, today)
        .into_iter()
        .map(|event| finding(facts, today, event))
        .collect()
}

fn events(facts: &PersonFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Event> {
    let recent =
        |on: NaiveDate| on <= today && (today - on).num_days() < rules.assessment_every_days;
    let mut events = Vec::new();
    for period in &facts.off_post {
        let Some(to) = period.to().filter(|to| *to < today) else {
            continue; // still away: not back on post yet
        };
        let from = period.from();
        let days = (to - from).num_days() + 1;
        let back = shift(to, 1);
        if days >= rules.off_post_return_days && recent(back) {
            events.push(Event {
                since: from,
                on: back,
                what_zh: format!("离岗 {days} 天（{from} 至 {to}）后重新上岗"),
                what_en: format!("Back on post after {days} days away ({from} to {to})"),
                evidence: Evidence::OffPost { from, to },
            });
        }
    }
    for employment in facts.current_employments(today) {
        let from = employment.period.from();
        if facts.joined(employment, rules.off_post_return_days) < from && recent(from) {
            events.push(Event {
                since: shift(from, -rules.targeted_training_lead_days),
                on: from,
                what_zh: format!("{from} 调整工作岗位"),
                what_en: format!("Moved to another post on {from}"),
                evidence: Evidence::Employment {
                    id: employment.id.clone(),
                },
            });
        }
    }
    for change in &facts.process_changes {
        let on = change.on;
        let upcoming = on > today && (on - today).num_days() < rules.due_soon_days;
        if recent(on) || upcoming {
            let description = &change.description;
            events.push(Event {
                since: shift(on, -rules.targeted_training_lead_days),
                on,
                what_zh: format!("{on} 起采用新工艺、新技术、新设备或新材料（{description}）"),
                what_en: format!(
                    "New process, technology, equipment or material from {on} ({description})"
                ),
                evidence: Evidence::ProcessChange {
                    on,
                    description: description.clone(),
                },
            });
        }
    }
    events
}

fn finding(facts: &PersonFacts, today: NaiveDate, event: Event) -> Finding {
    let trained = facts
        .trainings_between(event.since, today)
        .filter(|training| training.kind == TrainingKind::Targeted && training.passed_exam)
        .max_by_key(|training| training.on);
    let Event {
        on,
        what_zh,
        what_en,
        evidence,
        ..
    } = event;
    let mut evidence = vec![evidence];
    let (verdict, zh, en) = match trained {
        Some(training) => {
            let trained_on = training.on;
            evidence.push(Evidence::Training {
                kind: training.kind,
                on: trained_on,
                hours: training.hours,
                passed: true,
            });
            (
                Verdict::Compliant,
                format!("{what_zh}，已于 {trained_on} 通过针对性安全培训考核"),
                format!("{what_en}; passed targeted safety training on {trained_on}"),
            )
        }
        None if on > today => (
            Verdict::DueSoon,
            format!("{what_zh}，须在此前接受针对性安全培训并考核合格"),
            format!("{what_en}; targeted safety training and a pass are needed before then"),
        ),
        None => (
            Verdict::Violation,
            format!("{what_zh}，没有针对性安全培训考核合格记录"),
            format!("{what_en}, without passing targeted safety training"),
        ),
    };
    Finding::new(RuleId::ReturnToPost, verdict, zh, en, evidence)
}

#[cfg(test)]
mod tests {
    use super::super::RULES_2020;
    use super::super::facts::ProcessChange;
    use super::super::test_support::{date, employment, training, worker};
    use super::*;
    use crate::employment::Period;

    fn away(from: NaiveDate, to: NaiveDate) -> Period {
        Period::new(from, Some(to)).expect("valid")
    }

    #[test]
    fn time_away_cases() {
        let today = date(2025, 6, 1);
        let targeted = |on, passed| training(TrainingKind::Targeted, on, 8.0, passed);
        // (case, off post, trainings, verdict; None = no training needed)
        let cases = [
            (
                "89 days away",
                away(date(2025, 1, 1), date(2025, 3, 30)),
                vec![],
                None,
            ),
            (
                "90 days away, untrained",
                away(date(2025, 1, 1), date(2025, 3, 31)),
                vec![],
                Some(Verdict::Violation),
            ),
            (
                "90 days away, trained while away",
                away(date(2025, 1, 1), date(2025, 3, 31)),
                vec![targeted(date(2025, 3, 25), true)],
                Some(Verdict::Compliant),
            ),
            (
                "trained but failed",
                away(date(2025, 1, 1), date(2025, 3, 31)),
                vec![targeted(date(2025, 3, 25), false)],
                Some(Verdict::Violation),
            ),
            (
                "trained before leaving does not count",
                away(date(2025, 1, 1), date(2025, 3, 31)),
                vec![targeted(date(2024, 12, 20), true)],
                Some(Verdict::Violation),
            ),
            (
                "another kind does not count",
                away(date(2025, 1, 1), date(2025, 3, 31)),
                vec![training(TrainingKind::Annual, date(2025, 3, 25), 8.0, true)],
                Some(Verdict::Violation),
            ),
            (
                "still away",
                Period::new(date(2025, 1, 1), None).expect("valid"),
                vec![],
                None,
            ),
            (
                "back over a year ago",
                away(date(2023, 1, 1), date(2024, 5, 1)),
                vec![],
                None,
            ),
        ];
        for (name, period, trainings, expected) in cases {
            let mut facts = worker(date(2020, 1, 1));
            facts.off_post = vec![period];
            facts.trainings = trainings;
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings.first().map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn change_cases() {
        let today = date(2025, 6, 1);
        let change = |on| ProcessChange {
            on,
            description: "DCS 改造".to_owned(),
        };
        let targeted = |on| training(TrainingKind::Targeted, on, 8.0, true);
        // (case, process change, trainings, verdict; None = no training needed)
        let cases = [
            (
                "new equipment, untrained",
                change(date(2025, 5, 1)),
                vec![],
                Some(Verdict::Violation),
            ),
            (
                "trained a week before",
                change(date(2025, 5, 1)),
                vec![targeted(date(2025, 4, 24))],
                Some(Verdict::Compliant),
            ),
            (
                "trained too early",
                change(date(2025, 5, 1)),
                vec![targeted(date(2025, 1, 1))],
                Some(Verdict::Violation),
            ),
            (
                "coming in 10 days",
                change(date(2025, 6, 11)),
                vec![],
                Some(Verdict::DueSoon),
            ),
            (
                "coming and trained",
                change(date(2025, 6, 11)),
                vec![targeted(date(2025, 5, 30))],
                Some(Verdict::Compliant),
            ),
            ("coming in 60 days", change(date(2025, 7, 31)), vec![], None),
            ("over a year ago", change(date(2024, 5, 1)), vec![], None),
        ];
        for (name, process_change, trainings, expected) in cases {
            let mut facts = worker(date(2020, 1, 1));
            facts.process_changes = vec![process_change];
            facts.trainings = trainings;
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings.first().map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn a_move_within_the_enterprise_needs_targeted_training() {
        let mut facts = worker(date(2025, 3, 1));
        facts.employments = vec![
            employment("old", "e1", date(2015, 1, 1), Some(date(2025, 2, 28))),
            employment("job", "e1", date(2025, 3, 1), None),
        ];
        let findings = evaluate(&facts, &RULES_2020, date(2025, 6, 1));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].verdict, Verdict::Violation);
        assert_eq!(
            findings[0].reason_zh,
            "2025-03-01 调整工作岗位，没有针对性安全培训考核合格记录"
        );
    }

    #[test]
    fn reasons_name_the_days_away() {
        let mut facts = worker(date(2020, 1, 1));
        facts.off_post = vec![away(date(2025, 1, 1), date(2025, 3, 31))];
        let finding = &evaluate(&facts, &RULES_2020, date(2025, 6, 1))[0];
        assert_eq!(
            finding.reason_zh,
            "离岗 90 天（2025-01-01 至 2025-03-31）后重新上岗，没有针对性安全培训考核合格记录"
        );
        assert_eq!(
            finding.reason_en,
            "Back on post after 90 days away (2025-01-01 to 2025-03-31), without passing targeted safety training"
        );
    }
}
