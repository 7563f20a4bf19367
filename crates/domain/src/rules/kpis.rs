//! The "4 个 100%" figures (seed §二.(一)): in-post staff assessed, new hires trained, team
//! leaders trained, special-operations workers certified — rules 1, 2, 4 and 5 as shares of
//! people (SPEC C5, C11).
//!
//! Why from findings: the dashboard number and the drill-down list must agree, so both are
//! read from the same person findings. A person counts in a rule's denominator when the rule
//! applies to them (it produced a finding), and in the numerator when none of those findings
//! is a violation (due soon is still compliant today). Shares add up, so a city's figure is
//! the sum of its enterprises'.

use std::ops::Add;

use super::finding::{Finding, RuleId, Verdict};

/// `numerator` of `denominator` people.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Share {
    pub numerator: u64,
    pub denominator: u64,
}

impl Share {
    /// The share as a fraction, `None` when nobody is counted.
    pub fn ratio(&self) -> Option<f64> {
        // Counts of people stay far below 2^52, so the conversion is exact.
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    /// The share in percent, `None` when nobody is counted.
    pub fn percent(&self) -> Option<f64> {
        self.ratio().map(|ratio| ratio * 100.0)
    }

    /// Counts one more person, who meets the rule or not.
    pub fn count(&mut self, meets: bool) {
        self.denominator += 1;
        if meets {
            self.numerator += 1;
        }
    }
}

impl Add for Share {
    type Output = Share;

    fn add(self, other: Share) -> Share {
        Share {
            numerator: self.numerator + other.numerator,
            denominator: self.denominator + other.denominator,
        }
    }
}

/// The "4 个 100%" figures.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Kpis {
    /// Rule 1: 在岗员工100%培训考核合格后上岗.
    pub in_post_assessed: Share,
    /// Rule 2: 新招录从业人员100%培训考核合格后上岗.
    pub new_hire_trained: Share,
    /// Rule 4: 班组长100%接受安全技能提升培训.
    pub team_leader_trained: Share,
    /// Rule 5: 特种作业人员100%持证上岗.
    pub special_ops_certified: Share,
}

impl Kpis {
    /// The figures over people, each given by the findings of `evaluate_person`.
    pub fn from_people<'a>(people: impl IntoIterator<Item = &'a [Finding]>) -> Kpis {
        let mut kpis = Kpis::default();
        for findings in people {
            let shares = [
                (RuleId::InPostAssessed, &mut kpis.in_post_assessed),
                (RuleId::NewHireHours, &mut kpis.new_hire_trained),
                (RuleId::TeamLeaderPromotion, &mut kpis.team_leader_trained),
                (RuleId::SpecialOpsCertified, &mut kpis.special_ops_certified),
            ];
            for (rule, share) in shares {
                let mut of_rule = findings.iter().filter(|finding| finding.rule == rule);
                let Some(first) = of_rule.next() else {
                    continue;
                };
                let worst = of_rule.fold(first.verdict, |worst, f| worst.max(f.verdict));
                share.count(worst != Verdict::Violation);
            }
        }
        kpis
    }
}

impl Add for Kpis {
    type Output = Kpis;

    fn add(self, other: Kpis) -> Kpis {
        Kpis {
            in_post_assessed: self.in_post_assessed + other.in_post_assessed,
            new_hire_trained: self.new_hire_trained + other.new_hire_trained,
            team_leader_trained: self.team_leader_trained + other.team_leader_trained,
            special_ops_certified: self.special_ops_certified + other.special_ops_certified,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: RuleId, verdict: Verdict) -> Finding {
        Finding::new(rule, verdict, String::new(), String::new(), Vec::new())
    }

    #[test]
    fn shares_and_percentages() {
        let cases = [
            (0, 0, None),
            (0, 4, Some(0.0)),
            (1, 4, Some(25.0)),
            (4, 4, Some(100.0)),
        ];
        for (numerator, denominator, percent) in cases {
            let share = Share {
                numerator,
                denominator,
            };
            assert_eq!(share.percent(), percent, "{share:?}");
        }
        let sum = Share {
            numerator: 1,
            denominator: 2,
        } + Share {
            numerator: 3,
            denominator: 4,
        };
        assert_eq!(sum.numerator, 4);
        assert_eq!(sum.denominator, 6);
    }

    #[test]
    fn people_count_once_per_rule_by_their_worst_finding() {
        use RuleId::*;
        use Verdict::*;
        let people = [
            vec![
                finding(InPostAssessed, Compliant),
                finding(InPostAssessed, DueSoon),
            ],
            vec![
                finding(InPostAssessed, Compliant),
                finding(InPostAssessed, Violation),
                finding(SpecialOpsCertified, Compliant),
            ],
            vec![
                finding(NewHireHours, Violation),
                finding(TeamLeaderPromotion, DueSoon),
                finding(ReturnToPost, Violation),
            ],
            vec![],
        ];
        let kpis = Kpis::from_people(people.iter().map(Vec::as_slice));
        let cases = [
            ("in post", kpis.in_post_assessed, (1, 2)),
            ("new hire", kpis.new_hire_trained, (0, 1)),
            ("team leader", kpis.team_leader_trained, (1, 1)),
            ("special ops", kpis.special_ops_certified, (1, 1)),
        ];
        for (name, share, (numerator, denominator)) in cases {
            assert_eq!(
                (share.numerator, share.denominator),
                (numerator, denominator),
                "{name}"
            );
        }
        let doubled = kpis + kpis;
        assert_eq!(doubled.in_post_assessed.denominator, 4);
    }
}
