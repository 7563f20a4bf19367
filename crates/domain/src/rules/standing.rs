//! A person's standing on a day: what the verdict table keeps of their findings, and what
//! they add to their enterprise's figures (SPEC C5, "verdicts stay current as facts change").
//!
//! Why a summary and not the findings: the table has a row for every person in the province,
//! and the dashboard sums rows. It keeps, per person rule, the worst verdict; the earliest
//! date something falls due; and the person's part in the enterprise share rules (7 and 8).
//! Reasons and evidence are recomputed from the facts for the few people a page shows, by the
//! same pure functions, so they always agree with the counts.
//!
//! A person belongs to one enterprise for the figures: the employer of their earliest-started
//! current position (ties by enterprise id). Someone with two current employers counts once,
//! at the first. The baseline of rule 8 (1) is counted at the enterprise where the person was
//! a team leader on the baseline date.

use chrono::NaiveDate;

use super::facts::{EmploymentFact, PersonFacts};
use super::finding::{Evidence, Finding, RuleId, Verdict};
use super::key_position_promotion::promoted;
use super::kpis::Share;
use super::qualification_targets::{QualificationShares, certified_on, team_leader_qualified};
use super::{RuleSet, evaluate_person};

/// The person rules, in the order of the verdict table's columns.
pub const PERSON_RULE_IDS: [RuleId; 7] = [
    RuleId::InPostAssessed,
    RuleId::NewHireHours,
    RuleId::ReturnToPost,
    RuleId::TeamLeaderPromotion,
    RuleId::SpecialOpsCertified,
    RuleId::ApprenticeNoSoloWork,
    RuleId::LeadersCertified,
];

/// Position of `rule` among [`PERSON_RULE_IDS`]; `None` for the enterprise rules (7, 8).
pub fn person_rule_index(rule: RuleId) -> Option<usize> {
    PERSON_RULE_IDS.iter().position(|r| *r == rule)
}

/// One person's standing on `on`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Standing {
    pub on: Option<NaiveDate>,
    /// The enterprise the person counts at today; `None` when they hold no post.
    pub enterprise: Option<String>,
    /// Per person rule (see [`PERSON_RULE_IDS`]): the worst verdict of its findings, `None` when
    /// it does not apply.
    pub rules: [Option<Verdict>; 7],
    /// The earliest date, on or after `on`, by which something is due.
    pub next_due: Option<NaiveDate>,
    /// Rule 7: on a key position at `enterprise`; promoted or not.
    pub key_position_promoted: Option<bool>,
    /// Rule 8 (1): team leader at `enterprise`; qualified or not.
    pub team_leader_qualified: Option<bool>,
    /// Rule 8 (2): on the staff of `enterprise`; certified or not.
    pub certified: Option<bool>,
    /// Rule 8 (1) baseline: the enterprise where the person led a team on the baseline date,
    /// and whether they were qualified then.
    pub baseline: Option<(String, bool)>,
}

impl Standing {
    /// The worst verdict of any rule, `None` when no rule applies.
    pub fn worst(&self) -> Option<Verdict> {
        self.rules.iter().flatten().copied().max()
    }

    /// Whether anything is due within `days` days after `today` (inclusive) and not yet
    /// overdue.
    pub fn due_within(&self, today: NaiveDate, days: i64) -> bool {
        self.next_due
            .is_some_and(|due| due >= today && (due - today).num_days() <= days)
    }
}

/// The position that decides where a person counts on `today`: the earliest-started current
/// one, ties broken by enterprise id.
pub fn primary_employment(facts: &PersonFacts, today: NaiveDate) -> Option<&EmploymentFact> {
    facts
        .current_employments(today)
        .min_by(|a, b| (a.period.from(), &a.enterprise).cmp(&(b.period.from(), &b.enterprise)))
}

/// The person's standing on `today`, with the findings it was drawn from.
pub fn standing(
    facts: &PersonFacts,
    rules: &RuleSet,
    today: NaiveDate,
) -> (Standing, Vec<Finding>) {
    let findings = evaluate_person(facts, rules, today);
    let mut standing = Standing {
        on: Some(today),
        ..Standing::default()
    };
    for finding in &findings {
        if let Some(index) = person_rule_index(finding.rule) {
            let slot = &mut standing.rules[index];
            *slot = Some(slot.map_or(finding.verdict, |v| v.max(finding.verdict)));
        }
        for evidence in &finding.evidence {
            if let Evidence::DueOn { date } = evidence
                && *date >= today
            {
                standing.next_due = Some(standing.next_due.map_or(*date, |d| d.min(*date)));
            }
        }
    }
    if let Some(primary) = primary_employment(facts, today) {
        let here = |flag: fn(&super::super::employment::PositionFlags) -> bool| {
            facts
                .current_employments(today)
                .any(|e| e.enterprise == primary.enterprise && flag(&e.flags))
        };
        standing.enterprise = Some(primary.enterprise.clone());
        standing.key_position_promoted = here(|f| f.key_position).then(|| promoted(facts, today));
        standing.team_leader_qualified =
            here(|f| f.team_leader).then(|| team_leader_qualified(facts, today));
        standing.certified = Some(certified_on(facts, today));
    }
    let baseline_on = rules.baseline_on;
    standing.baseline = facts
        .current_employments(baseline_on)
        .filter(|e| e.flags.team_leader)
        .min_by(|a, b| (a.period.from(), &a.enterprise).cmp(&(b.period.from(), &b.enterprise)))
        .map(|e| {
            (
                e.enterprise.clone(),
                team_leader_qualified(facts, baseline_on),
            )
        });
    (standing, findings)
}

/// The enterprise shares of rules 7 and 8, summed from its people's standings.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EnterpriseShares {
    pub key_position_promoted: Share,
    pub qualification: QualificationShares,
}

impl EnterpriseShares {
    /// Adds what one person's standing contributes to `enterprise`.
    pub fn add(&mut self, enterprise: &str, standing: &Standing) {
        if standing.enterprise.as_deref() == Some(enterprise) {
            if let Some(met) = standing.key_position_promoted {
                self.key_position_promoted.count(met);
            }
            if let Some(met) = standing.team_leader_qualified {
                self.qualification.team_leaders.count(met);
            }
            if let Some(met) = standing.certified {
                self.qualification.staff.count(met);
            }
        }
        if let Some((at, met)) = &standing.baseline
            && at == enterprise
        {
            self.qualification.team_leaders_baseline.count(*met);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::facts::{EnterpriseFacts, TrainingKind};
    use super::super::test_support::{date, employment, held, training, worker};
    use super::super::{
        RULES_2020, evaluate_enterprise, key_position_promotion, qualification_targets,
    };
    use super::*;
    use crate::certificate::{CertificateKind, NATIONAL_SPECIAL_OPS};
    use crate::industry::Industry;

    #[test]
    fn standing_keeps_the_worst_verdict_per_rule_and_the_next_due_date() {
        let today = date(2025, 6, 1);
        let mut facts = worker(date(2025, 5, 20));
        facts.employments[0].flags.special_ops_trade = Some("1.2".to_owned());
        let (standing, findings) = standing(&facts, &RULES_2020, today);
        assert!(!findings.is_empty());
        let special = person_rule_index(RuleId::SpecialOpsCertified).expect("person rule");
        assert_eq!(standing.rules[special], Some(Verdict::Violation));
        assert_eq!(standing.worst(), Some(Verdict::Violation));
        assert_eq!(standing.enterprise.as_deref(), Some("e1"));
        assert_eq!(standing.certified, Some(false));
        assert_eq!(standing.team_leader_qualified, None);
        // New-hire training is due within the window; the date is kept.
        let due = standing.next_due.expect("something is due");
        assert!(due >= today, "{due}");
        for finding in &findings {
            let index = person_rule_index(finding.rule).expect("person rule");
            assert!(standing.rules[index].expect("applies") >= finding.verdict);
        }
    }

    #[test]
    fn someone_without_a_post_has_an_empty_standing() {
        let mut facts = worker(date(2020, 1, 1));
        facts.employments[0].period =
            crate::Period::new(date(2020, 1, 1), Some(date(2020, 12, 31))).expect("valid");
        let (standing, findings) = standing(&facts, &RULES_2020, date(2025, 6, 1));
        assert!(findings.is_empty());
        assert_eq!(standing.enterprise, None);
        assert_eq!(standing.worst(), None);
        assert_eq!(standing.certified, None);
    }

    #[test]
    fn the_primary_employer_is_the_earliest_started_current_one() {
        let today = date(2025, 6, 1);
        let mut facts = worker(date(2024, 1, 1));
        facts
            .employments
            .push(employment("other", "e0", date(2023, 1, 1), None));
        facts.employments.push(employment(
            "old",
            "e9",
            date(2020, 1, 1),
            Some(date(2022, 1, 1)),
        ));
        assert_eq!(
            primary_employment(&facts, today).map(|e| e.enterprise.as_str()),
            Some("e0")
        );
    }

    #[test]
    fn due_within_counts_from_today_inclusive() {
        let today = date(2025, 6, 1);
        let at = |due| Standing {
            next_due: Some(due),
            ..Standing::default()
        };
        let cases = [
            (date(2025, 6, 1), 30, true),
            (date(2025, 7, 1), 30, true),
            (date(2025, 7, 2), 30, false),
            (date(2025, 7, 2), 60, true),
        ];
        for (due, days, expected) in cases {
            assert_eq!(at(due).due_within(today, days), expected, "{due} {days}");
        }
        assert!(!Standing::default().due_within(today, 90));
    }

    /// The shares summed from standings give the same enterprise findings as the rules
    /// evaluated over the enterprise's facts.
    #[test]
    fn shares_from_standings_agree_with_the_enterprise_rules() {
        let today = date(2022, 3, 1);
        let skill = |on| {
            held(
                "S",
                CertificateKind::SkillLevel,
                None,
                on,
                &NATIONAL_SPECIAL_OPS,
            )
        };
        let mut people = Vec::new();
        for index in 0..12 {
            let mut person = worker(date(2019, 1, 1));
            person.person_id = format!("p{index}");
            let flags = &mut person.employments[0].flags;
            flags.team_leader = index % 3 == 0;
            flags.key_position = index % 4 == 0;
            if index % 2 == 0 {
                person.certificates.push(skill(date(2021, 5, 1)));
            }
            if index == 0 {
                person.certificates.push(skill(date(2019, 6, 1)));
            }
            if index % 8 == 0 {
                person.trainings.push(training(
                    TrainingKind::SkillPromotion,
                    date(2021, 9, 1),
                    40.0,
                    true,
                ));
            }
            people.push(person);
        }
        // Someone who left, but led a team on the baseline date.
        let mut left = worker(date(2018, 1, 1));
        left.employments[0].period =
            crate::Period::new(date(2018, 1, 1), Some(date(2021, 1, 1))).expect("valid");
        left.employments[0].flags.team_leader = true;
        people.push(left);
        let facts = EnterpriseFacts {
            enterprise_id: "e1".to_owned(),
            industry: Industry::HazardousChemicals,
            underground_mine: false,
            people,
        };
        let mut shares = EnterpriseShares::default();
        for person in &facts.people {
            shares.add("e1", &standing(person, &RULES_2020, today).0);
        }
        let mut summed =
            key_position_promotion::from_share(shares.key_position_promoted, &RULES_2020, today);
        summed.extend(qualification_targets::from_shares(
            &shares.qualification,
            Industry::HazardousChemicals,
            false,
            &RULES_2020,
            today,
        ));
        let direct = evaluate_enterprise(&facts, &RULES_2020, today);
        assert_eq!(summed.len(), 3);
        assert_eq!(summed, direct);
    }
}
