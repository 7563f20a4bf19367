//! Rule 8 — seed §二.(一), the "二个提升" targets by the end of 2021:
//! (1) the share of team leaders holding a vocational qualification or skill-level
//! certificate, or with secondary vocational education or above, rises by 20 percentage
//! points or more (班组长取得职业资格证书、职业技能等级证书或接受相关专业中职及以上学历教育的
//! 人员比例提高20个百分点以上);
//! (2) in hazardous chemicals, coal mines, metal and non-metal underground mines, metal
//! smelting and oil and gas extraction, at least 30% of staff hold a vocational qualification
//! or skill-level certificate (从业人员中取得职业资格证书或职业技能等级证书的比例达到30%以上).
//!
//! The baseline of (1) is computed from the same facts on `baseline_on`: team leaders then,
//! with certificates issued by then (education is counted as recorded today, since the
//! archive does not date it). A baseline with no team leaders counts as 0%; the target is
//! capped at 100%. Unmet targets are due soon until `targets_due_by`, violations after.

use chrono::NaiveDate;

use crate::industry::Industry;

use super::facts::{EnterpriseFacts, PersonFacts};
use super::{Evidence, Finding, RuleId, RuleSet, Share, at_least, target_verdict};

pub fn evaluate(facts: &EnterpriseFacts, rules: &RuleSet, today: NaiveDate) -> Vec<Finding> {
    let shares = QualificationShares {
        team_leaders: team_leaders_qualified(facts, today),
        team_leaders_baseline: team_leaders_qualified(facts, rules.baseline_on),
        staff: staff_certified(facts, today),
    };
    from_shares(
        &shares,
        facts.industry,
        facts.underground_mine,
        rules,
        today,
    )
}

/// The three shares the targets are measured by.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct QualificationShares {
    /// Team leaders today, and those qualified.
    pub team_leaders: Share,
    /// Team leaders on `baseline_on`, and those qualified then.
    pub team_leaders_baseline: Share,
    /// Staff today, and those certified.
    pub staff: Share,
}

/// The findings on the targets, however the shares were counted (from facts here, or summed
/// from the verdict table by the store).
pub fn from_shares(
    shares: &QualificationShares,
    industry: Industry,
    underground_mine: bool,
    rules: &RuleSet,
    today: NaiveDate,
) -> Vec<Finding> {
    [
        team_leader_uplift(
            shares.team_leaders,
            shares.team_leaders_baseline,
            rules,
            today,
        ),
        staff_share(shares.staff, industry, underground_mine, rules, today),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Whether a team leader counts as qualified on `on` (rule 8 (1)): vocational education or
/// above, or a vocational qualification or skill-level certificate issued by then.
pub fn team_leader_qualified(person: &PersonFacts, on: NaiveDate) -> bool {
    let educated = person
        .education
        .is_some_and(|level| level.is_vocational_or_above());
    educated || certified_on(person, on)
}

fn staff_certified(facts: &EnterpriseFacts, today: NaiveDate) -> Share {
    let mut share = Share::default();
    for person in facts.people_where(today, |_| true) {
        share.count(certified_on(person, today));
    }
    share
}

/// Whether the person holds a vocational qualification or skill-level certificate issued by
/// `on` and not revoked.
pub fn certified_on(person: &PersonFacts, on: NaiveDate) -> bool {
    person.certificates.iter().any(|held| {
        held.certificate.kind.is_vocational()
            && held.certificate.issued_on <= on
            && !held.certificate.revoked
    })
}

fn team_leaders_qualified(facts: &EnterpriseFacts, on: NaiveDate) -> Share {
    let mut share = Share::default();
    for person in facts.people_where(on, |flags| flags.team_leader) {
        share.count(team_leader_qualified(person, on));
    }
    share
}

fn team_leader_uplift(
    now: Share,
    baseline: Share,
    rules: &RuleSet,
    today: NaiveDate,
) -> Option<Finding> {
    let now_ratio = now.ratio()?;
    let baseline_ratio = baseline.ratio().unwrap_or(0.0);
    let target = (baseline_ratio + rules.team_leader_uplift_points / 100.0).min(1.0);
    let verdict = target_verdict(at_least(now_ratio, target), today, rules);
    let (numerator, denominator) = (now.numerator, now.denominator);
    let (percent, baseline_percent, target_percent) =
        (now_ratio * 100.0, baseline_ratio * 100.0, target * 100.0);
    let (points, since, by) = (
        rules.team_leader_uplift_points,
        rules.baseline_on,
        rules.targets_due_by,
    );
    Some(Finding::new(
        RuleId::QualificationTargets,
        verdict,
        format!(
            "班组长 {denominator} 人中 {numerator} 人持职业资格或职业技能等级证书或具有中职及以上学历（{percent:.1}%），{since} 时为 {baseline_percent:.1}%，目标为 {by} 前提高 {points} 个百分点（{target_percent:.1}%）"
        ),
        format!(
            "{numerator} of {denominator} team leaders hold a vocational qualification or skill-level certificate or have vocational education ({percent:.1}%), against {baseline_percent:.1}% on {since}; the target is {points} points more ({target_percent:.1}%) by {by}"
        ),
        vec![
            Evidence::Share(now),
            Evidence::Share(baseline),
            Evidence::DueOn { date: by },
        ],
    ))
}

fn staff_share(
    share: Share,
    industry: Industry,
    underground_mine: bool,
    rules: &RuleSet,
    today: NaiveDate,
) -> Option<Finding> {
    let covered = match industry {
        Industry::HazardousChemicals
        | Industry::CoalMine
        | Industry::MetalSmelting
        | Industry::OilGas => true,
        Industry::NonCoalMine => underground_mine,
        Industry::Fireworks => false,
    };
    if !covered {
        return None;
    }
    let ratio = share.ratio()?;
    let target = rules.qualification_share_target;
    let verdict = target_verdict(at_least(ratio, target), today, rules);
    let (numerator, denominator) = (share.numerator, share.denominator);
    let (percent, target_percent, by) = (ratio * 100.0, target * 100.0, rules.targets_due_by);
    Some(Finding::new(
        RuleId::QualificationTargets,
        verdict,
        format!(
            "从业人员 {denominator} 人中 {numerator} 人持职业资格或职业技能等级证书（{percent:.1}%），目标为 {by} 前达到 {target_percent:.0}% 以上"
        ),
        format!(
            "{numerator} of {denominator} staff hold a vocational qualification or skill-level certificate ({percent:.1}%); the target is at least {target_percent:.0}% by {by}"
        ),
        vec![Evidence::Share(share), Evidence::DueOn { date: by }],
    ))
}

#[cfg(test)]
mod tests {
    use super::super::facts::Education;
    use super::super::test_support::{date, held, worker};
    use super::super::{RULES_2020, Verdict};
    use super::*;
    use crate::certificate::{CertificateKind, NATIONAL_SPECIAL_OPS};

    /// A person at "e1" since 2019, optionally team leader, certified on a date.
    fn person(team_leader: bool, certified: Option<NaiveDate>) -> PersonFacts {
        let mut person = worker(date(2019, 1, 1));
        person.employments[0].flags.team_leader = team_leader;
        person.certificates = certified
            .into_iter()
            .map(|on| {
                held(
                    "Z1",
                    CertificateKind::SkillLevel,
                    None,
                    on,
                    &NATIONAL_SPECIAL_OPS,
                )
            })
            .collect();
        person
    }

    fn enterprise(industry: Industry, people: Vec<PersonFacts>) -> EnterpriseFacts {
        EnterpriseFacts {
            enterprise_id: "e1".to_owned(),
            industry,
            underground_mine: false,
            people,
        }
    }

    #[test]
    fn team_leader_uplift_cases() {
        let before = Some(date(2019, 6, 1));
        let after = Some(date(2021, 6, 1));
        // (case, certificates of 5 team leaders, today, verdict)
        let cases = [
            (
                "0% to 20%",
                [None, None, None, None, after],
                date(2022, 1, 1),
                Verdict::Compliant,
            ),
            (
                "0% to 0%, before the deadline",
                [None; 5],
                date(2021, 6, 1),
                Verdict::DueSoon,
            ),
            (
                "0% to 0%, after the deadline",
                [None; 5],
                date(2022, 1, 1),
                Verdict::Violation,
            ),
            (
                "20% to 20%",
                [before, None, None, None, None],
                date(2022, 1, 1),
                Verdict::Violation,
            ),
            (
                "20% to 40%",
                [before, after, None, None, None],
                date(2022, 1, 1),
                Verdict::Compliant,
            ),
            (
                "90%+ capped at 100%",
                [before, before, before, before, after],
                date(2022, 1, 1),
                Verdict::Compliant,
            ),
        ];
        for (name, certificates, today, expected) in cases {
            let people = certificates
                .into_iter()
                .map(|on| person(true, on))
                .collect();
            let findings = evaluate(&enterprise(Industry::Fireworks, people), &RULES_2020, today);
            assert_eq!(findings.len(), 1, "{name}");
            assert_eq!(findings[0].verdict, expected, "{name}");
        }
    }

    #[test]
    fn vocational_education_counts_for_team_leaders() {
        let mut educated = person(true, None);
        educated.education = Some(Education::SecondaryVocational);
        let mut general = person(true, None);
        general.education = Some(Education::HighSchool);
        let people = vec![educated, general];
        let finding = &evaluate(
            &enterprise(Industry::Fireworks, people),
            &RULES_2020,
            date(2022, 1, 1),
        )[0];
        // Undated education counts at the baseline too: 50% then and now.
        assert_eq!(finding.verdict, Verdict::Violation);
        assert_eq!(
            finding.evidence[0],
            Evidence::Share(Share {
                numerator: 1,
                denominator: 2
            })
        );
    }

    #[test]
    fn staff_share_cases() {
        let today = date(2022, 1, 1);
        let certified = Some(date(2021, 1, 1));
        let ten = |holders: usize| -> Vec<PersonFacts> {
            (0..10)
                .map(|index| person(false, if index < holders { certified } else { None }))
                .collect()
        };
        // (case, industry, underground, holders of 10, verdict; None = not covered)
        let cases = [
            (
                "chemicals 30%",
                Industry::HazardousChemicals,
                false,
                3,
                Some(Verdict::Compliant),
            ),
            (
                "chemicals 20%",
                Industry::HazardousChemicals,
                false,
                2,
                Some(Verdict::Violation),
            ),
            (
                "coal 30%",
                Industry::CoalMine,
                false,
                3,
                Some(Verdict::Compliant),
            ),
            (
                "smelting 29% is not 30%",
                Industry::MetalSmelting,
                false,
                2,
                Some(Verdict::Violation),
            ),
            (
                "oil and gas",
                Industry::OilGas,
                false,
                4,
                Some(Verdict::Compliant),
            ),
            (
                "underground mine",
                Industry::NonCoalMine,
                true,
                1,
                Some(Verdict::Violation),
            ),
            ("open-pit mine", Industry::NonCoalMine, false, 1, None),
            ("fireworks", Industry::Fireworks, false, 0, None),
        ];
        for (name, industry, underground, holders, expected) in cases {
            let mut facts = enterprise(industry, ten(holders));
            facts.underground_mine = underground;
            let findings = evaluate(&facts, &RULES_2020, today);
            assert_eq!(findings.first().map(|f| f.verdict), expected, "{name}");
        }
    }

    #[test]
    fn revoked_or_future_certificates_do_not_count() {
        let mut revoked = person(false, Some(date(2021, 1, 1)));
        revoked.certificates[0].certificate.revoked = true;
        let future = person(false, Some(date(2023, 1, 1)));
        let facts = enterprise(Industry::CoalMine, vec![revoked, future]);
        let finding = &evaluate(&facts, &RULES_2020, date(2022, 1, 1))[0];
        assert_eq!(
            finding.evidence[0],
            Evidence::Share(Share {
                numerator: 0,
                denominator: 2
            })
        );
        assert_eq!(
            finding.reason_zh,
            "从业人员 2 人中 0 人持职业资格或职业技能等级证书（0.0%），目标为 2021-12-31 前达到 30% 以上"
        );
    }
}
