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

use anpei_domain::certificate::Certificate;
use anpei_domain::rules::{
    EmploymentFact, Finding, HeldCertificate, Kpis, PersonFacts, RULES_2020, RuleSet, Verdict,
    evaluate_person,
};
use anpei_domain::{EmploymentKind, Period, PositionFlags};
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityName, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::StoreError;
use crate::access::{EnterpriseStaffRead, PersonRead};
use crate::dialect::Packed::{Uuid as Id, Value};
use crate::dialect::{Flag, packed_rows};
use crate::entity::{assessment, certificate, employment, person, training_record};
use crate::read::certificate_kind;
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
    /// The condition on `table.column` (a person id column) that selects these people.
    pub(crate) fn on(self, table: Alias, column: &'static str) -> SimpleExpr {
        let column = Expr::col((table, Alias::new(column)));
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
/// table's rows added to their person's entry. One packed query per table
/// ([`packed_rows`]), whatever the number of people.
async fn load(
    db: &impl ConnectionTrait,
    who: Who<'_>,
    facts: &mut HashMap<Uuid, PersonFacts>,
    mut names: Option<&mut HashMap<Uuid, String>>,
) -> Result<(), StoreError> {
    let from = |table: &str, column: &'static str| {
        let mut select = Query::select();
        select
            .from(Alias::new(table))
            .and_where(who.on(Alias::new(table), column));
        select
    };
    type PersonRow = (Uuid, Option<String>, String);
    let people: Vec<PersonRow> = packed_rows(
        db,
        from(person::Entity.table_name(), "id"),
        &[Id("id"), Value("education"), Value("name")],
    )
    .await?;
    for (id, education, name) in people {
        facts.insert(
            id,
            PersonFacts {
                person_id: id.to_string(),
                is_independent_post: true,
                education: education.as_deref().and_then(Education::parse),
                ..PersonFacts::default()
            },
        );
        if let Some(names) = names.as_deref_mut() {
            names.insert(id, name);
        }
    }
    if facts.is_empty() {
        return Ok(());
    }

    type EmploymentRow = (
        Uuid,
        Uuid,
        Uuid,
        String,
        Flag,
        Option<String>,
        Flag,
        Flag,
        Flag,
        NaiveDate,
        Option<NaiveDate>,
    );
    let jobs: Vec<EmploymentRow> = packed_rows(
        db,
        from(employment::Entity.table_name(), "person_id"),
        &[
            Id("person_id"),
            Id("id"),
            Id("enterprise_id"),
            Value("kind"),
            Value("team_leader"),
            Value("special_ops_trade"),
            Value("key_position"),
            Value("principal_leader"),
            Value("safety_manager"),
            Value("start_date"),
            Value("end_date"),
        ],
    )
    .await?;
    for (person, id, enterprise, kind, team_leader, trade, key, principal, safety, start, end) in
        jobs
    {
        let (Some(entry), Ok(period)) = (facts.get_mut(&person), Period::new(start, end)) else {
            continue;
        };
        entry.employments.push(EmploymentFact {
            id: id.to_string(),
            enterprise: enterprise.to_string(),
            kind: EmploymentKind::parse(&kind).unwrap_or(EmploymentKind::Regular),
            flags: PositionFlags {
                team_leader: team_leader.0,
                special_ops_trade: trade,
                key_position: key.0,
                principal_leader: principal.0,
                safety_manager: safety.0,
            },
            period,
        });
    }

    let trainings: Vec<(Uuid, String, NaiveDate, f64, Flag)> = packed_rows(
        db,
        from(training_record::Entity.table_name(), "person_id"),
        &[
            Id("person_id"),
            Value("kind"),
            Value("ended_on"),
            Value("hours"),
            Value("passed_exam"),
        ],
    )
    .await?;
    for (person, kind, on, hours, passed_exam) in trainings {
        let (Some(entry), Some(kind)) = (facts.get_mut(&person), TrainingKind::parse(&kind)) else {
            continue;
        };
        entry.trainings.push(TrainingRecord {
            kind,
            on,
            hours,
            passed_exam: passed_exam.0,
        });
    }

    let assessments: Vec<(Uuid, NaiveDate, Flag, String)> = packed_rows(
        db,
        from(assessment::Entity.table_name(), "person_id"),
        &[
            Id("person_id"),
            Value("assessed_on"),
            Value("passed"),
            Value("position"),
        ],
    )
    .await?;
    for (person, on, passed, position) in assessments {
        if let Some(entry) = facts.get_mut(&person) {
            entry.assessments.push(AssessmentRecord {
                on,
                passed: passed.0,
                position,
            });
        }
    }

    type CertificateRow = (
        Uuid,
        String,
        String,
        Option<String>,
        NaiveDate,
        NaiveDate,
        Option<NaiveDate>,
        Flag,
        Flag,
    );
    let certificates: Vec<CertificateRow> = packed_rows(
        db,
        from(certificate::Entity.table_name(), "person_id"),
        &[
            Id("person_id"),
            Value("number"),
            Value("kind"),
            Value("trade_code"),
            Value("issued_on"),
            Value("expires_on"),
            Value("last_reviewed_on"),
            Value("suspended"),
            Value("revoked"),
        ],
    )
    .await?;
    for (
        person,
        number,
        kind,
        trade,
        issued_on,
        expires_on,
        last_reviewed_on,
        suspended,
        revoked,
    ) in certificates
    {
        let certificate = Certificate {
            kind: certificate_kind(&kind)?,
            trade,
            issued_on,
            expires_on,
            last_reviewed_on,
            suspended: suspended.0,
            revoked: revoked.0,
        };
        if let Some(entry) = facts.get_mut(&person) {
            entry.certificates.push(HeldCertificate {
                number,
                certificate,
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
