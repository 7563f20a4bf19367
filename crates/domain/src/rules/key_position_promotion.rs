//! Rule 7 — seed §三.1: enterprises keep a ledger of key-position staff (重点岗位职工) with
//! their skill-promotion schedule, and by the end of 2021 at least 10% of them complete
//! vocational skill-promotion training (2021年底前 … 安排10%以上的重点岗位职工完成职业技能
//! 晋级培训).
//!
//! Counted: people on a key position here today with a passed skill-promotion training. An
//! unmet share is due soon until `targets_due_by`, a violation after; an enterprise with no
//! key-position staff gets no finding.

use chrono::NaiveDate;

use super::facts::{EnterpriseFacts, PersonFacts, TrainingKind};
use super::{Evidence, Finding, RuleId, RuleSet, Share, at_least, target_verdict};

pub fn evaluate(facts: &EnterpriseFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    let mut share = Share::default();
    for person in facts.people_where(today, |flags| flags.key_position) {
        share.count(promoted(person, today));
    }
    from_share(share, rules, today)
}

/// Whether a key-position person has passed skill-promotion training by `today` — what they
/// add to the share's numerator.
pub fn promoted(person: &PersonFacts, today: NaiveDate) -> bool {
    person.trainings.iter().any(|training| {
        training.kind == TrainingKind::SkillPromotion
            && training.passed_exam
            && training.on <= today
    })
}

/// The finding on the share of key-position staff promoted, however it was counted (from
/// facts here, or summed from the verdict table by the store).
pub fn from_share(share: Share, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    let Some(ratio) = share.ratio() else {
        return Vec::new();
    };
    let target = rules.key_position_promotion_share;
    let verdict = target_verdict(at_least(ratio, target), today, rules);
    let Share {
        numerator,
        denominator,
    } = share;
    let percent = ratio * 100.0;
    let target_percent = target * 100.0;
    let by = rules.targets_due_by;
    vec![Finding::new(
        RuleId::KeyPositionPromotion,
        verdict,
        format!(
            "重点岗位职工 {denominator} 人中 {numerator} 人完成职业技能晋级培训（{percent:.1}%），目标为 {by} 前达到 {target_percent:.0}% 以上"
        ),
        format!(
            "{numerator} of {denominator} key-position staff completed skill-promotion training ({percent:.1}%); the target is at least {target_percent:.0}% by {by}"
        ),
        vec![Evidence::Share(share), Evidence::DueOn { date: by }],
    )]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{date, training, worker};
    use super::super::{RULES_2020, Verdict};
    use super::*;
    use crate::industry::Industry;

    /// `key` key-position staff of whom `promoted` passed skill promotion, plus one other.
    fn enterprise(key: usize, promoted: usize) -> EnterpriseFacts {
        let mut people: Vec<PersonFacts> = (0..key)
            .map(|index| {
                let mut person = worker(date(2019, 1, 1));
                person.employments[0].flags.key_position = true;
                if index < promoted {
                    person.trainings = vec![training(
                        TrainingKind::SkillPromotion,
                        date(2021, 6, 1),
                        40.0,
                        true,
                    )];
                }
                person
            })
            .collect();
        people.push(worker(date(2019, 1, 1)));
        EnterpriseFacts {
            enterprise_id: "e1".to_owned(),
            industry: Industry::HazardousChemicals,
            underground_mine: false,
            people,
        }
    }

    #[test]
    fn cases() {
        // (case, key staff, promoted, today, verdict; None = not applicable)
        let cases = [
            ("no key positions", 0, 0, date(2022, 1, 1), None),
            (
                "1 of 10 by the deadline",
                10,
                1,
                date(2021, 12, 31),
                Some(Verdict::Compliant),
            ),
            (
                "0 of 10 before the deadline",
                10,
                0,
                date(2021, 12, 31),
                Some(Verdict::DueSoon),
            ),
            (
                "0 of 10 after the deadline",
                10,
                0,
                date(2022, 1, 1),
                Some(Verdict::Violation),
            ),
            (
                "1 of 11 after the deadline",
                11,
                1,
                date(2022, 1, 1),
                Some(Verdict::Violation),
            ),
            (
                "2 of 11 after the deadline",
                11,
                2,
                date(2022, 1, 1),
                Some(Verdict::Compliant),
            ),
            (
                "training after today does not count",
                10,
                1,
                date(2021, 5, 1),
                Some(Verdict::DueSoon),
            ),
        ];
        for (name, key, promoted, today, expected) in cases {
            let findings = evaluate(&enterprise(key, promoted), &RULES_2020, today);
            assert_eq!(findings.first().map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn other_enterprises_staff_do_not_count() {
        let mut facts = enterprise(10, 0);
        facts.enterprise_id = "e2".to_owned();
        assert!(evaluate(&facts, &RULES_2020, date(2022, 1, 1)).is_empty());
    }

    #[test]
    fn reason_gives_the_figures() {
        let finding = &evaluate(&enterprise(10, 0), &RULES_2020, date(2022, 1, 1))[0];
        assert_eq!(
            finding.reason_zh,
            "重点岗位职工 10 人中 0 人完成职业技能晋级培训（0.0%），目标为 2021-12-31 前达到 10% 以上"
        );
        assert_eq!(
            finding.evidence[0],
            Evidence::Share(Share {
                numerator: 0,
                denominator: 10
            })
        );
    }
}
