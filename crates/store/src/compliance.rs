//! The compliance engine's facts from the database, and its answers (SPEC C5): for one
//! person or one enterprise's staff, which rules hold, which fall due soon, which are
//! broken — with the reason and the evidence.
//!
//! The rules themselves are pure functions in `anpei_domain::rules`; this module only loads
//! facts (employment, education, certificates, training, assessments, and through
//! `ledger_facts` apprenticeships, time off post and process changes) in a fixed number of
//! queries for any number of people, and runs them. Figures (KPIs) come from the verdict
//! table (`crate::verdicts`), which every write keeps current.

use std::collections::HashMap;

use anpei_domain::rules::{
    EmploymentFact, Finding, HeldCertificate, Kpis, PersonFacts, RULES_2020, RuleSet, Verdict,
    evaluate_person,
};
use anpei_domain::{EmploymentKind, Period, PositionFlags};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::StoreError;
use crate::access::{EnterpriseStaffRead, PersonRead};
use crate::entity::{assessment, certificate, employment, person, training_record};
use crate::read::certificate_value;
use crate::verdicts::{self, Counts};
use anpei_domain::rules::{AssessmentRecord, Education, TrainingKind, TrainingRecord};

/// The rule set in force.
pub fn rule_set() -> &'static RuleSet {
    &RULES_2020
}

/// Facts of several people in a fixed number of queries per 500 people.
pub async fn person_facts(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<HashMap<Uuid, PersonFacts>, StoreError> {
    Ok(facts_and_names(db, person_ids).await?.0)
}

/// Which people a fact query reads: a list of ids (at most a few hundred), or every person
/// whose id lies in a range — one ordered index scan per table, which is how a full
/// evaluation reads a million people.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Who<'a> {
    Ids(&'a [Uuid]),
    Range(Uuid, Uuid),
}

impl Who<'_> {
    /// The condition on `column` (a person id column) that selects these people.
    pub(crate) fn on(self, column: impl ColumnTrait) -> sea_orm::sea_query::SimpleExpr {
        match self {
            Who::Ids(ids) => column.is_in(ids.iter().copied()),
            Who::Range(first, last) => column.between(first, last),
        }
    }
}

/// The facts, and the names read on the way (so callers that show names need no second
/// read of the same rows).
async fn facts_and_names(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
) -> Result<(HashMap<Uuid, PersonFacts>, HashMap<Uuid, String>), StoreError> {
    let mut names = HashMap::new();
    let mut facts = HashMap::with_capacity(person_ids.len());
    for chunk in person_ids.chunks(500) {
        load(db, Who::Ids(chunk), &mut facts, Some(&mut names)).await?;
    }
    Ok((facts, names))
}

/// Facts of everyone whose id lies in `first..=last`, in id order.
pub(crate) async fn range_facts(
    db: &impl ConnectionTrait,
    first: Uuid,
    last: Uuid,
) -> Result<Vec<(Uuid, PersonFacts)>, StoreError> {
    let mut facts = HashMap::new();
    load(db, Who::Range(first, last), &mut facts, None).await?;
    let mut facts: Vec<(Uuid, PersonFacts)> = facts.into_iter().collect();
    facts.sort_unstable_by_key(|(id, _)| *id);
    Ok(facts)
}

/// Reads the facts of `who` into `facts`: one entry per person row found, then each
/// table's rows added to their person's entry.
async fn load(
    db: &impl ConnectionTrait,
    who: Who<'_>,
    facts: &mut HashMap<Uuid, PersonFacts>,
    mut names: Option<&mut HashMap<Uuid, String>>,
) -> Result<(), StoreError> {
    for row in person::Entity::find()
        .filter(who.on(person::Column::Id))
        .all(db)
        .await?
    {
        facts.insert(
            row.id,
            PersonFacts {
                person_id: row.id.to_string(),
                is_independent_post: true,
                education: row.education.as_deref().and_then(Education::parse),
                ..PersonFacts::default()
            },
        );
        if let Some(names) = names.as_deref_mut() {
            names.insert(row.id, row.name);
        }
    }
    if facts.is_empty() {
        return Ok(());
    }
    for job in employment::Entity::find()
        .filter(who.on(employment::Column::PersonId))
        .all(db)
        .await?
    {
        let Some(entry) = facts.get_mut(&job.person_id) else {
            continue;
        };
        let Ok(period) = Period::new(job.start_date, job.end_date) else {
            continue;
        };
        entry.employments.push(EmploymentFact {
            id: job.id.to_string(),
            enterprise: job.enterprise_id.to_string(),
            kind: EmploymentKind::parse(&job.kind).unwrap_or(EmploymentKind::Regular),
            flags: PositionFlags {
                team_leader: job.team_leader,
                special_ops_trade: job.special_ops_trade,
                key_position: job.key_position,
                principal_leader: job.principal_leader,
                safety_manager: job.safety_manager,
            },
            period,
        });
    }
    for row in training_record::Entity::find()
        .filter(who.on(training_record::Column::PersonId))
        .all(db)
        .await?
    {
        let (Some(entry), Some(kind)) = (
            facts.get_mut(&row.person_id),
            TrainingKind::parse(&row.kind),
        ) else {
            continue;
        };
        entry.trainings.push(TrainingRecord {
            kind,
            on: row.ended_on,
            hours: row.hours,
            passed_exam: row.passed_exam,
        });
    }
    for row in assessment::Entity::find()
        .filter(who.on(assessment::Column::PersonId))
        .all(db)
        .await?
    {
        if let Some(entry) = facts.get_mut(&row.person_id) {
            entry.assessments.push(AssessmentRecord {
                on: row.assessed_on,
                passed: row.passed,
                position: row.position,
            });
        }
    }
    for row in certificate::Entity::find()
        .filter(who.on(certificate::Column::PersonId))
        .all(db)
        .await?
    {
        let value = certificate_value(&row)?;
        if let Some(entry) = facts.get_mut(&row.person_id) {
            entry.certificates.push(HeldCertificate {
                number: row.number,
                certificate: value,
            });
        }
    }
    crate::ledger_facts::load(db, who, facts).await
}

/// One person's findings today, worst first.
pub async fn person(
    db: &impl ConnectionTrait,
    access: PersonRead,
    today: NaiveDate,
) -> Result<Vec<Finding>, StoreError> {
    let facts = person_facts(db, &[access.person_id()]).await?;
    let mut findings = facts
        .get(&access.person_id())
        .map(|f| evaluate_person(f, rule_set(), today))
        .unwrap_or_default();
    findings.sort_by_key(|f| std::cmp::Reverse(f.verdict));
    Ok(findings)
}

/// One person of a staff list, with their findings.
#[derive(Debug, Clone)]
pub struct PersonCompliance {
    pub person_id: Uuid,
    pub name: String,
    pub findings: Vec<Finding>,
}

impl PersonCompliance {
    pub fn worst(&self) -> Verdict {
        self.findings
            .iter()
            .map(|f| f.verdict)
            .max()
            .unwrap_or(Verdict::Compliant)
    }
}

/// An enterprise's current staff, evaluated: the "4 个 100%" KPIs and everyone's findings.
#[derive(Debug, Clone)]
pub struct EnterpriseCompliance {
    /// From the verdict table, kept current by every write.
    pub kpis: Kpis,
    pub counts: Counts,
    pub people: Vec<PersonCompliance>,
}

/// The enterprise's figures from the verdict table, and its current staff with their
/// findings, evaluated for the list (reasons and evidence are not stored).
pub async fn enterprise(
    db: &impl ConnectionTrait,
    staff: EnterpriseStaffRead,
    today: NaiveDate,
) -> Result<EnterpriseCompliance, StoreError> {
    let jobs = employment::Entity::find()
        .filter(employment::Column::EnterpriseId.eq(staff.enterprise_id()))
        .filter(crate::access::employment_current(today))
        .all(db)
        .await?;
    let mut ids: Vec<Uuid> = jobs.iter().map(|j| j.person_id).collect();
    ids.sort();
    ids.dedup();
    let (facts, names) = facts_and_names(db, &ids).await?;
    let mut people: Vec<PersonCompliance> = ids
        .iter()
        .map(|id| {
            let mut findings = facts
                .get(id)
                .map(|f| evaluate_person(f, rule_set(), today))
                .unwrap_or_default();
            findings.sort_by_key(|f| std::cmp::Reverse(f.verdict));
            PersonCompliance {
                person_id: *id,
                name: names.get(id).cloned().unwrap_or_default(),
                findings,
            }
        })
        .collect();
    let counts = verdicts::enterprise_counts(db, staff).await?;
    people.sort_by(|a, b| b.worst().cmp(&a.worst()).then_with(|| a.name.cmp(&b.name)));
    Ok(EnterpriseCompliance {
        kpis: counts.kpis(),
        counts,
        people,
    })
}

/// One enterprise's KPIs, as a line of a regulator's dashboard.
#[derive(Debug, Clone)]
pub struct EnterpriseKpis {
    pub enterprise_id: Uuid,
    pub name: String,
    pub people: u64,
    pub kpis: Kpis,
    pub counts: Counts,
}

/// Every enterprise in the regulator's jurisdiction (optionally one city of it) with people
/// counted there, from the verdict table.
pub async fn jurisdiction(
    db: &impl ConnectionTrait,
    actor: &crate::Actor,
    city: Option<&str>,
) -> Result<Vec<EnterpriseKpis>, StoreError> {
    let area = verdicts::Area {
        city: city.map(str::to_owned),
        ..verdicts::Area::default()
    };
    let lines = verdicts::rollup(db, actor, &area, Some(verdicts::Grouping::Enterprise)).await?;
    Ok(lines
        .into_iter()
        .filter_map(|line| {
            Some(EnterpriseKpis {
                enterprise_id: Uuid::parse_str(&line.key).ok()?,
                name: line.name.unwrap_or_default(),
                people: line.counts.people(),
                kpis: line.counts.kpis(),
                counts: line.counts,
            })
        })
        .collect())
}
