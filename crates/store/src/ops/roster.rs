//! Bulk roster import and export (SPEC C4): many hires in one transaction, all or nothing.
//!
//! Why not `people::hire` in a loop: a 100,000-row file would be 100,000 transactions and
//! could stop half-way; here every lookup and insert is batched and one bad row (an ID number
//! on record under another name, an overlapping employment) rolls back the whole file.

use std::collections::HashMap;

use anpei_domain::rules::Education;
use anpei_domain::{
    EmploymentKind, IdNumber, Period, PersonName, Phone, PositionFlags, PositionTitle,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::access::{self, EnterpriseStaffRead, EnterpriseStaffWrite};
use crate::dialect::{Sql, insert_packed, timestamp_text};
use crate::entity::{employment, person, person_identity};
use crate::ledger::{Change, LedgerKey};
use crate::ops::people::{Hire, employment_model, person_model};
use crate::{Actor, Store, StoreError};

/// Rows per `insert_many` and per `IN (..)` lookup: under both engines' parameter limits.
const CHUNK: usize = 1_000;

/// Where an import stands, for its progress on the terminal and on the upload page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStep {
    /// Rows checked against what is on record, of all rows.
    Checking,
    /// Rows of the file written (its people, their identities, employments), of all rows.
    Writing,
    /// Appending the ledger and re-evaluating the people named (no count).
    Committing,
    /// Committed: every row, of every row.
    Finished,
}

impl ImportStep {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ImportStep::Checking => ("正在逐行校验", "Checking rows"),
            ImportStep::Writing => ("正在写入", "Writing"),
            ImportStep::Committing => (
                "正在记入追溯台账并更新合规结论",
                "Recording in the ledger and updating compliance",
            ),
            ImportStep::Finished => ("导入完成", "Imported"),
        }
    }
}

/// Called as an import proceeds: (step, done, total).
pub type Progress<'a> = &'a (dyn Fn(ImportStep, u64, u64) + Sync);

/// The columns the import writes, in the order of its packed rows (`dialect::insert_packed`:
/// one JSON parameter per chunk instead of a bind parameter per value).
const PERSON_COLUMNS: [(&str, Sql); 9] = [
    ("id", Sql::Uuid),
    ("id_number", Sql::Text),
    ("name", Sql::Text),
    ("gender", Sql::Text),
    ("birth_date", Sql::Date),
    ("phone", Sql::Text),
    ("education", Sql::Text),
    ("created_at", Sql::Timestamp),
    ("updated_at", Sql::Timestamp),
];
const IDENTITY_COLUMNS: [(&str, Sql); 2] = [("id_number", Sql::Text), ("person_id", Sql::Uuid)];
const EMPLOYMENT_COLUMNS: [(&str, Sql); 14] = [
    ("person_id", Sql::Uuid),
    ("id", Sql::Uuid),
    ("enterprise_id", Sql::Uuid),
    ("kind", Sql::Text),
    ("position", Sql::Text),
    ("team_leader", Sql::Bool),
    ("special_ops_trade", Sql::Text),
    ("key_position", Sql::Bool),
    ("principal_leader", Sql::Bool),
    ("safety_manager", Sql::Bool),
    ("start_date", Sql::Date),
    ("end_date", Sql::Date),
    ("created_at", Sql::Timestamp),
    ("updated_at", Sql::Timestamp),
];

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows imported, one employment each.
    pub employments: u64,
    /// People whose lifelong archive this import opened.
    pub new_people: u64,
}

/// Imports `rows` (spreadsheet row number, hire) into the enterprise of `staff` in one
/// transaction with one ledger entry per created person and employment, as `hire` records
/// them. `progress(step, done, total)` is called as rows are checked and written. An error names the row:
/// `StoreError::Invalid { field: "row N: 姓名", .. }`, and nothing is written.
pub async fn import(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    rows: Vec<(usize, Hire)>,
    now: DateTime<Utc>,
    progress: Progress<'_>,
) -> Result<ImportReport, StoreError> {
    let total = rows.len() as u64;
    progress(ImportStep::Checking, 0, total);
    let enterprise_id = staff.enterprise_id();
    let mut tx = store.write(actor, now).await?;
    let at = tx.at();

    // Who is already on record, and their employments here (for the overlap check).
    let mut known: HashMap<String, (Uuid, String)> = HashMap::new();
    let mut periods: HashMap<Uuid, Vec<Period>> = HashMap::new();
    for chunk in rows.chunks(CHUNK) {
        let ids: Vec<String> = chunk
            .iter()
            .map(|(_, hire)| hire.id_number.as_str().to_owned())
            .collect();
        let identities = person_identity::Entity::find()
            .filter(person_identity::Column::IdNumber.is_in(ids))
            .all(tx.conn())
            .await?;
        if identities.is_empty() {
            continue;
        }
        let person_ids: Vec<Uuid> = identities.iter().map(|i| i.person_id).collect();
        let names: HashMap<Uuid, String> = person::Entity::find()
            .filter(person::Column::Id.is_in(person_ids.clone()))
            .all(tx.conn())
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        for identity in identities {
            let name = names.get(&identity.person_id).cloned().unwrap_or_default();
            known.insert(identity.id_number, (identity.person_id, name));
        }
        for job in employment::Entity::find()
            .filter(employment::Column::PersonId.is_in(person_ids))
            .filter(employment::Column::EnterpriseId.eq(enterprise_id))
            .all(tx.conn())
            .await?
        {
            if let Ok(period) = Period::new(job.start_date, job.end_date) {
                periods.entry(job.person_id).or_default().push(period);
            }
        }
    }

    let mut report = ImportReport::default();
    // People already on record, hired here by this file: each is told (see
    // `notifications::hired`).
    let mut rehired: Vec<(Uuid, Uuid)> = Vec::new();
    let mut persons = Vec::new();
    let mut identities = Vec::new();
    let mut jobs = Vec::with_capacity(rows.len());
    for (done, (row, hire)) in rows.iter().enumerate() {
        let person_id = match known.get(hire.id_number.as_str()) {
            Some((person_id, name)) => {
                if name != hire.name.as_str() {
                    return Err(StoreError::invalid_text(
                        &format!("row {row}: 姓名"),
                        "该身份证号已登记为另一姓名，请核对姓名或身份证号",
                        "This ID number is on record under another name; check the name or the ID number",
                    ));
                }
                let overlapping = periods
                    .get(person_id)
                    .is_some_and(|ps| ps.iter().any(|p| p.overlaps(&hire.period)));
                if overlapping {
                    return Err(StoreError::invalid_text(
                        &format!("row {row}: 入职日期"),
                        "此人在本企业已有重叠的在职记录",
                        "This person already has an overlapping employment at this enterprise",
                    ));
                }
                *person_id
            }
            None => {
                let id = Uuid::now_v7();
                let model = person_model(
                    id,
                    &hire.id_number,
                    &hire.name,
                    hire.phone.as_ref(),
                    hire.education,
                    at,
                );
                tx.record(Change::of("person.create", LedgerKey::Person(id), &model));
                persons.push(model);
                identities.push((hire.id_number.as_str().to_owned(), id));
                report.new_people += 1;
                id
            }
        };
        let employment_id = Uuid::now_v7();
        if known.contains_key(hire.id_number.as_str()) {
            rehired.push((person_id, employment_id));
        }
        let model = employment_model(person_id, employment_id, enterprise_id, hire, at);
        tx.record(
            Change::of(
                "employment.start",
                LedgerKey::Employment {
                    person_id,
                    id: employment_id,
                },
                &model,
            )
            .with_enterprise(enterprise_id),
        );
        jobs.push(model);
        report.employments += 1;
        if done % CHUNK == 0 {
            progress(ImportStep::Checking, done as u64, total);
        }
    }
    let to_write = (persons.len() + identities.len() + jobs.len()) as u64;
    let written = std::sync::atomic::AtomicU64::new(0);
    // Reported in rows of the file (each row writes up to three database rows).
    let wrote = |n: usize| {
        let done = written.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed) + n as u64;
        progress(ImportStep::Writing, done * total / to_write.max(1), total);
    };
    wrote(0);
    let created = timestamp_text(at);
    for chunk in persons.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|p| {
                (
                    p.id,
                    &p.id_number,
                    &p.name,
                    &p.gender,
                    p.birth_date,
                    &p.phone,
                    &p.education,
                    &created,
                    &created,
                )
            })
            .collect();
        insert_packed(tx.conn(), "persons", &PERSON_COLUMNS, &rows).await?;
        wrote(rows.len());
    }
    for chunk in identities.chunks(CHUNK) {
        insert_packed(tx.conn(), "person_identities", &IDENTITY_COLUMNS, chunk).await?;
        wrote(chunk.len());
    }
    for chunk in jobs.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|j| {
                (
                    j.person_id,
                    j.id,
                    j.enterprise_id,
                    &j.kind,
                    &j.position,
                    j.team_leader,
                    &j.special_ops_trade,
                    j.key_position,
                    j.principal_leader,
                    j.safety_manager,
                    j.start_date,
                    j.end_date,
                    &created,
                    &created,
                )
            })
            .collect();
        insert_packed(tx.conn(), "employments", &EMPLOYMENT_COLUMNS, &rows).await?;
        wrote(rows.len());
    }
    for chunk in rehired.chunks(CHUNK) {
        crate::notifications::hired(tx.conn(), enterprise_id, chunk, at).await?;
    }
    progress(ImportStep::Committing, 0, 0);
    // The commit evaluates every person named; the planner must know the tables grew.
    crate::dialect::refresh_statistics(tx.conn()).await?;
    tx.commit().await?;
    progress(ImportStep::Finished, total, total);
    Ok(report)
}

/// The current staff of the enterprise of `staff` on `today`, as hires (ordered by start date),
/// ready to be written as a roster. Rows stored before validation existed and no longer parse
/// are skipped rather than failing the whole export.
pub async fn export(
    db: &impl sea_orm::ConnectionTrait,
    staff: EnterpriseStaffRead,
    today: NaiveDate,
) -> Result<Vec<Hire>, StoreError> {
    let jobs = employment::Entity::find()
        .filter(employment::Column::EnterpriseId.eq(staff.enterprise_id()))
        .filter(access::employment_current(today))
        .order_by_asc(employment::Column::StartDate)
        .order_by_asc(employment::Column::Id)
        .all(db)
        .await?;
    let mut people: HashMap<Uuid, person::Model> = HashMap::new();
    let ids: Vec<Uuid> = jobs.iter().map(|j| j.person_id).collect();
    for chunk in ids.chunks(CHUNK) {
        for p in person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            people.insert(p.id, p);
        }
    }
    Ok(jobs
        .into_iter()
        .filter_map(|job| {
            let p = people.get(&job.person_id)?;
            Some(Hire {
                id_number: IdNumber::parse(&p.id_number).ok()?,
                name: PersonName::parse(&p.name).ok()?,
                phone: p.phone.as_deref().and_then(|ph| Phone::parse(ph).ok()),
                education: p.education.as_deref().and_then(Education::parse),
                kind: EmploymentKind::parse(&job.kind).unwrap_or(EmploymentKind::Regular),
                position: PositionTitle::parse(&job.position).ok()?,
                flags: PositionFlags {
                    team_leader: job.team_leader,
                    special_ops_trade: job.special_ops_trade.clone(),
                    key_position: job.key_position,
                    principal_leader: job.principal_leader,
                    safety_manager: job.safety_manager,
                },
                period: Period::new(job.start_date, job.end_date).ok()?,
            })
        })
        .collect())
}

/// The enterprise registered under a unified social credit code, for tools that name
/// enterprises the way people do (the `import roster` command).
pub async fn enterprise_by_credit_code(
    db: &impl sea_orm::ConnectionTrait,
    credit_code: &anpei_domain::CreditCode,
) -> Result<Option<Uuid>, StoreError> {
    Ok(crate::entity::enterprise::Entity::find()
        .filter(crate::entity::enterprise::Column::CreditCode.eq(credit_code.as_str()))
        .one(db)
        .await?
        .map(|e| e.id))
}
