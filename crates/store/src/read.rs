//! Read models: what pages and the API show, already scoped to the actor. Values are parsed
//! back into domain types here, so the layers above get `IdNumber` (which masks itself)
//! rather than a raw string.

use std::collections::HashMap;

use anpei_domain::{EmploymentKind, Gender, IdNumber, Industry, Period, Phone, PositionFlags};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::access::{PersonRead, Scope, employment_current};
use crate::entity::{employment, enterprise, institution, ledger_entry, person, person_identity};
use crate::verify_index::IndexedCertificate;
use crate::{Actor, StoreError, dialect};

/// One page of a sorted, filtered list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        Ord::max(self.total.div_ceil(Ord::max(self.per_page, 1)), 1)
    }
}

pub const MAX_PER_PAGE: u64 = 200;

/// The highest page a list serves; past it, the (empty) last page it allows. It keeps
/// `(page - 1) * per_page` far from overflowing `u64` and the databases' signed `OFFSET`.
pub const MAX_PAGE: u64 = 1_000_000;

/// `page` and `per_page` within their bounds.
pub fn clamp(page: u64, per_page: u64) -> (u64, u64) {
    (
        Ord::clamp(page, 1, MAX_PAGE),
        Ord::clamp(per_page, 1, MAX_PER_PAGE),
    )
}

fn order(desc: bool) -> Order {
    if desc { Order::Desc } else { Order::Asc }
}

/// Which facts of a stored row could not be read back as domain values (a row written
/// behind the application's back); surfaced rather than hidden.
pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::invalid_text(
        "stored",
        format!("存储的数据无法解析：{what}"),
        format!("Stored data is unreadable: {what}"),
    )
}

pub(crate) fn parse_id(raw: &str) -> Result<IdNumber, StoreError> {
    IdNumber::parse(raw).map_err(|_| corrupt("id_number"))
}

fn parse_gender(raw: &str) -> Gender {
    if raw == "F" {
        Gender::Female
    } else {
        Gender::Male
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PersonSort {
    #[default]
    Name,
    BirthDate,
    Recent,
}

#[derive(Debug, Clone, Default)]
pub struct PersonQuery {
    /// A full ID number (exact match) or part of a name.
    pub text: String,
    pub page: u64,
    pub per_page: u64,
    pub sort: PersonSort,
    pub desc: bool,
}

#[derive(Debug, Clone)]
pub struct PersonRow {
    pub id: Uuid,
    pub name: String,
    pub id_number: IdNumber,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    /// Names of current employers.
    pub employers: Vec<String>,
}

pub async fn search_persons(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &PersonQuery,
    today: NaiveDate,
) -> Result<Page<PersonRow>, StoreError> {
    let (page, per_page) = clamp(query.page, query.per_page);
    let mut select = person::Entity::find()
        .filter(actor.person_filter(Expr::col((person::Entity, person::Column::Id)), today));
    let text = query.text.trim();
    if let Ok(id_number) = IdNumber::parse(text) {
        let found = person_identity::Entity::find_by_id(id_number.as_str().to_owned())
            .one(db)
            .await?;
        select =
            select.filter(person::Column::Id.eq(found.map(|f| f.person_id).unwrap_or(Uuid::nil())));
    } else if !text.is_empty() {
        select = select.filter(dialect::contains(
            Expr::col((person::Entity, person::Column::Name)),
            text,
        ));
    }
    let total = select.clone().count(db).await?;
    let select = match query.sort {
        PersonSort::Name => select.order_by(person::Column::Name, order(query.desc)),
        PersonSort::BirthDate => select.order_by(person::Column::BirthDate, order(query.desc)),
        PersonSort::Recent => select.order_by(person::Column::CreatedAt, order(!query.desc)),
    }
    .order_by_asc(person::Column::Id);
    let rows = select
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let employers = current_employers(db, &ids, today).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            Ok(PersonRow {
                id: row.id,
                id_number: parse_id(&row.id_number)?,
                gender: parse_gender(&row.gender),
                birth_date: row.birth_date,
                employers: employers.get(&row.id).cloned().unwrap_or_default(),
                name: row.name,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Current employer names of several people in two queries (no per-person queries).
async fn current_employers(
    db: &impl ConnectionTrait,
    person_ids: &[Uuid],
    today: NaiveDate,
) -> Result<HashMap<Uuid, Vec<String>>, StoreError> {
    if person_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let jobs = employment::Entity::find()
        .filter(employment::Column::PersonId.is_in(person_ids.iter().copied()))
        .filter(employment_current(today))
        .all(db)
        .await?;
    let enterprise_ids: Vec<Uuid> = jobs.iter().map(|j| j.enterprise_id).collect();
    let names: HashMap<Uuid, String> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(enterprise_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    for job in jobs {
        if let Some(name) = names.get(&job.enterprise_id) {
            out.entry(job.person_id).or_default().push(name.clone());
        }
    }
    Ok(out)
}

/// Who recorded a fact, when, and where in the ledger (SPEC C2: traceable).
#[derive(Debug, Clone)]
pub struct Provenance {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
}

#[derive(Debug, Clone)]
pub struct PersonView {
    pub id: Uuid,
    pub id_number: IdNumber,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub phone: Option<Phone>,
    pub education: Option<anpei_domain::rules::Education>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct EmploymentView {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub enterprise_name: String,
    pub enterprise_credit_code: String,
    pub city_name: String,
    pub kind: EmploymentKind,
    pub position: String,
    pub flags: PositionFlags,
    pub period: Period,
    pub current: bool,
    pub recorded: Option<Provenance>,
    pub last_change: Option<Provenance>,
}

#[derive(Debug, Clone)]
pub struct CertificateView {
    pub id: Uuid,
    pub number: String,
    pub kind: anpei_domain::certificate::CertificateKind,
    pub trade: Option<&'static anpei_domain::trade::Trade>,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_reviewed_on: Option<NaiveDate>,
    pub next_review_due: Option<NaiveDate>,
    pub status: anpei_domain::certificate::CertificateStatus,
    pub status_reason: Option<String>,
    pub recorded: Option<Provenance>,
}

#[derive(Debug, Clone)]
pub struct Archive {
    pub person: PersonView,
    pub recorded: Option<Provenance>,
    /// Newest first.
    pub employments: Vec<EmploymentView>,
    /// Newest first, with their status today.
    pub certificates: Vec<CertificateView>,
    /// Newest first.
    pub trainings: Vec<crate::entity::training_record::Model>,
    /// Newest first.
    pub assessments: Vec<crate::entity::assessment::Model>,
    /// Every ledger entry about this person, oldest first.
    pub history: Vec<Provenance>,
    pub ledger_head: (i64, Vec<u8>),
}

impl Archive {
    pub fn current_flags(&self) -> PositionFlags {
        let mut flags = PositionFlags::default();
        for job in self.employments.iter().filter(|e| e.current) {
            flags.team_leader |= job.flags.team_leader;
            flags.key_position |= job.flags.key_position;
            flags.principal_leader |= job.flags.principal_leader;
            flags.safety_manager |= job.flags.safety_manager;
            if flags.special_ops_trade.is_none() {
                flags
                    .special_ops_trade
                    .clone_from(&job.flags.special_ops_trade);
            }
        }
        flags
    }
}

fn employment_view(
    row: employment::Model,
    enterprises: &HashMap<Uuid, enterprise::Model>,
    recorded: Option<Provenance>,
    last_change: Option<Provenance>,
    today: NaiveDate,
) -> Result<EmploymentView, StoreError> {
    let enterprise = enterprises
        .get(&row.enterprise_id)
        .ok_or_else(|| corrupt("enterprise_id"))?;
    let period = Period::new(row.start_date, row.end_date).map_err(|_| corrupt("period"))?;
    Ok(EmploymentView {
        id: row.id,
        enterprise_id: row.enterprise_id,
        enterprise_name: enterprise.name.clone(),
        enterprise_credit_code: enterprise.credit_code.clone(),
        city_name: anpei_domain::region::find(&enterprise.city_code)
            .map(|r| r.name.to_owned())
            .unwrap_or_default(),
        kind: EmploymentKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
        position: row.position,
        flags: PositionFlags {
            team_leader: row.team_leader,
            special_ops_trade: row.special_ops_trade,
            key_position: row.key_position,
            principal_leader: row.principal_leader,
            safety_manager: row.safety_manager,
        },
        current: period.is_current(today) || period.from() > today,
        period,
        recorded,
        last_change,
    })
}

pub async fn archive(
    db: &impl ConnectionTrait,
    access: PersonRead,
    today: NaiveDate,
) -> Result<Archive, StoreError> {
    let row = person::Entity::find_by_id(access.person_id())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let person = PersonView {
        id: row.id,
        id_number: parse_id(&row.id_number)?,
        name: row.name,
        gender: parse_gender(&row.gender),
        birth_date: row.birth_date,
        phone: row.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
        education: row
            .education
            .as_deref()
            .and_then(anpei_domain::rules::Education::parse),
        created_at: row.created_at,
    };
    // An employer sees its own employments of the person, not other employers'.
    let jobs: Vec<employment::Model> = employment::Entity::find()
        .filter(employment::Column::PersonId.eq(row.id))
        .order_by_desc(employment::Column::StartDate)
        .all(db)
        .await?
        .into_iter()
        .filter(|job| access.sees_employer_record(job.enterprise_id))
        .collect();
    let enterprises: HashMap<Uuid, enterprise::Model> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(jobs.iter().map(|j| j.enterprise_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::PersonId.eq(row.id))
        .order_by_asc(ledger_entry::Column::Seq)
        .all(db)
        .await?;
    let mut first: HashMap<String, Provenance> = HashMap::new();
    let mut last: HashMap<String, Provenance> = HashMap::new();
    let mut history = Vec::with_capacity(entries.len());
    for entry in entries {
        // An employer's view of the history: the person's own record and what compliance
        // needs, plus everything it recorded itself.
        let compliance_record = matches!(
            entry.entity.as_str(),
            "persons" | "certificates" | "training_records" | "assessments"
        );
        if !compliance_record
            && !entry
                .enterprise_id
                .is_some_and(|e| access.sees_employer_record(e))
            && access.employer().is_some()
        {
            continue;
        }
        let provenance = Provenance {
            seq: entry.seq,
            at: entry.at,
            actor_name: entry.actor_name,
            action: entry.action,
        };
        first
            .entry(entry.entity_key.clone())
            .or_insert_with(|| provenance.clone());
        last.insert(entry.entity_key, provenance.clone());
        history.push(provenance);
    }
    let person_key = crate::LedgerKey::Person(row.id).key_string();
    let employments = jobs
        .into_iter()
        .map(|job| {
            let key = crate::LedgerKey::Employment {
                person_id: job.person_id,
                id: job.id,
            }
            .key_string();
            let recorded = first.get(&key).cloned();
            let last_change = last
                .get(&key)
                .filter(|l| Some(l.seq) != recorded.as_ref().map(|r| r.seq))
                .cloned();
            employment_view(job, &enterprises, recorded, last_change, today)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let certificates = crate::ops::certificates::of_person(db, access)
        .await?
        .into_iter()
        .map(|row| {
            let value = certificate_value(&row)?;
            let rules = crate::ops::certificates::rules_for(value.kind);
            let key = crate::LedgerKey::Certificate {
                person_id: row.person_id,
                id: row.id,
            }
            .key_string();
            Ok(CertificateView {
                id: row.id,
                trade: row
                    .trade_code
                    .as_deref()
                    .and_then(anpei_domain::trade::find_trade),
                kind: value.kind,
                next_review_due: value.next_review_due(&rules),
                status: value.status(&rules, today, CERTIFICATE_WARN_DAYS),
                recorded: first.get(&key).cloned(),
                number: row.number,
                issuer: row.issuer,
                issued_on: row.issued_on,
                expires_on: row.expires_on,
                last_reviewed_on: row.last_reviewed_on,
                status_reason: row.status_reason,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let head = crate::entity::ledger_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let trainings = crate::entity::training_record::Entity::find()
        .filter(crate::entity::training_record::Column::PersonId.eq(row.id))
        .order_by_desc(crate::entity::training_record::Column::EndedOn)
        .all(db)
        .await?;
    let assessments = crate::entity::assessment::Entity::find()
        .filter(crate::entity::assessment::Column::PersonId.eq(row.id))
        .order_by_desc(crate::entity::assessment::Column::AssessedOn)
        .all(db)
        .await?;
    Ok(Archive {
        certificates,
        trainings,
        assessments,
        recorded: first.get(&person_key).cloned(),
        person,
        employments,
        history,
        ledger_head: (head.seq, head.hash),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnterpriseSort {
    #[default]
    Name,
    CreditCode,
    Region,
    Recent,
}

#[derive(Debug, Clone, Default)]
pub struct EnterpriseQuery {
    pub name: String,
    pub industry: Option<Industry>,
    /// A city code (230100) to narrow to.
    pub city_code: Option<String>,
    pub page: u64,
    pub per_page: u64,
    pub sort: EnterpriseSort,
    pub desc: bool,
}

#[derive(Debug, Clone)]
pub struct EnterpriseRow {
    pub id: Uuid,
    pub credit_code: String,
    pub name: String,
    pub industry: Option<Industry>,
    pub region_code: String,
    pub city_code: String,
    pub legal_representative: String,
    pub created_at: DateTime<Utc>,
    /// Current staff; `None` when the actor may not count people there.
    pub staff: Option<u64>,
}

impl From<enterprise::Model> for EnterpriseRow {
    fn from(e: enterprise::Model) -> Self {
        EnterpriseRow {
            id: e.id,
            industry: Industry::parse(&e.industry),
            credit_code: e.credit_code,
            name: e.name,
            region_code: e.region_code,
            city_code: e.city_code,
            legal_representative: e.legal_representative,
            created_at: e.created_at,
            staff: None,
        }
    }
}

fn sees_staff_counts(actor: &Actor) -> bool {
    matches!(
        actor.scope,
        Scope::Enterprise(_) | Scope::City(_) | Scope::County(_) | Scope::Province | Scope::System
    )
}

pub async fn enterprises(
    db: &impl ConnectionTrait,
    actor: &Actor,
    query: &EnterpriseQuery,
    today: NaiveDate,
) -> Result<Page<EnterpriseRow>, StoreError> {
    let (page, per_page) = clamp(query.page, query.per_page);
    let mut select = enterprise::Entity::find().filter(actor.enterprise_filter());
    let name = query.name.trim();
    if !name.is_empty() {
        select = select.filter(
            dialect::contains(
                Expr::col((enterprise::Entity, enterprise::Column::Name)),
                name,
            )
            .or(
                Expr::col((enterprise::Entity, enterprise::Column::CreditCode))
                    .eq(name.to_uppercase()),
            ),
        );
    }
    if let Some(industry) = query.industry {
        select = select.filter(enterprise::Column::Industry.eq(industry.code()));
    }
    if let Some(city) = &query.city_code {
        select = select.filter(enterprise::Column::CityCode.eq(city.as_str()));
    }
    let total = select.clone().count(db).await?;
    let select = match query.sort {
        EnterpriseSort::Name => select.order_by(enterprise::Column::Name, order(query.desc)),
        EnterpriseSort::CreditCode => {
            select.order_by(enterprise::Column::CreditCode, order(query.desc))
        }
        EnterpriseSort::Region => {
            select.order_by(enterprise::Column::RegionCode, order(query.desc))
        }
        EnterpriseSort::Recent => {
            select.order_by(enterprise::Column::CreatedAt, order(!query.desc))
        }
    }
    .order_by_asc(enterprise::Column::Id);
    let rows = select
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let counts = if sees_staff_counts(actor) {
        staff_counts(db, &rows.iter().map(|r| r.id).collect::<Vec<_>>(), today).await?
    } else {
        HashMap::new()
    };
    let show = sees_staff_counts(actor);
    let items = rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            let mut item = EnterpriseRow::from(row);
            item.staff = show.then(|| counts.get(&id).copied().unwrap_or(0));
            item
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

async fn staff_counts(
    db: &impl ConnectionTrait,
    enterprise_ids: &[Uuid],
    today: NaiveDate,
) -> Result<HashMap<Uuid, u64>, StoreError> {
    if enterprise_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, i64)> = employment::Entity::find()
        .select_only()
        .column(employment::Column::EnterpriseId)
        .column_as(
            Expr::col(employment::Column::PersonId).count_distinct(),
            "n",
        )
        .filter(employment::Column::EnterpriseId.is_in(enterprise_ids.iter().copied()))
        .filter(employment_current(today))
        .group_by(employment::Column::EnterpriseId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, Ord::max(n, 0) as u64))
        .collect())
}

/// One enterprise, if the actor may see it.
pub async fn enterprise(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    today: NaiveDate,
) -> Result<EnterpriseRow, StoreError> {
    let row = enterprise::Entity::find_by_id(id)
        .filter(actor.enterprise_filter())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut item = EnterpriseRow::from(row);
    if sees_staff_counts(actor) {
        item.staff = Some(
            staff_counts(db, &[id], today)
                .await?
                .get(&id)
                .copied()
                .unwrap_or(0),
        );
    }
    Ok(item)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StaffSort {
    #[default]
    Name,
    Position,
    StartDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffFlag {
    TeamLeader,
    SpecialOps,
    KeyPosition,
    PrincipalLeader,
    SafetyManager,
}

impl StaffFlag {
    pub const ALL: [StaffFlag; 5] = [
        StaffFlag::TeamLeader,
        StaffFlag::SpecialOps,
        StaffFlag::KeyPosition,
        StaffFlag::PrincipalLeader,
        StaffFlag::SafetyManager,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StaffFlag::TeamLeader => "team_leader",
            StaffFlag::SpecialOps => "special_ops",
            StaffFlag::KeyPosition => "key_position",
            StaffFlag::PrincipalLeader => "principal_leader",
            StaffFlag::SafetyManager => "safety_manager",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

#[derive(Debug, Clone, Default)]
pub struct StaffQuery {
    pub kind: Option<EmploymentKind>,
    pub flag: Option<StaffFlag>,
    pub page: u64,
    pub per_page: u64,
    pub sort: StaffSort,
    pub desc: bool,
}

#[derive(Debug, Clone)]
pub struct StaffRow {
    pub person_id: Uuid,
    pub employment_id: Uuid,
    pub name: String,
    pub id_number: IdNumber,
    pub kind: EmploymentKind,
    pub position: String,
    pub flags: PositionFlags,
    pub start_date: NaiveDate,
}

/// The current staff of an enterprise; only for those who may see its people.
pub async fn staff(
    db: &impl ConnectionTrait,
    actor: &Actor,
    enterprise_id: Uuid,
    query: &StaffQuery,
    today: NaiveDate,
) -> Result<Page<StaffRow>, StoreError> {
    crate::access::enterprise_staff_read(db, actor, enterprise_id).await?;
    let (page, per_page) = clamp(query.page, query.per_page);
    let mut select = employment::Entity::find()
        .filter(employment::Column::EnterpriseId.eq(enterprise_id))
        .filter(employment_current(today));
    if let Some(kind) = query.kind {
        select = select.filter(employment::Column::Kind.eq(kind.code()));
    }
    if let Some(flag) = query.flag {
        select = select.filter(match flag {
            StaffFlag::TeamLeader => employment::Column::TeamLeader.eq(true),
            StaffFlag::SpecialOps => employment::Column::SpecialOpsTrade.is_not_null(),
            StaffFlag::KeyPosition => employment::Column::KeyPosition.eq(true),
            StaffFlag::PrincipalLeader => employment::Column::PrincipalLeader.eq(true),
            StaffFlag::SafetyManager => employment::Column::SafetyManager.eq(true),
        });
    }
    let total = select.clone().count(db).await?;
    let select = select.find_also_related(person::Entity);
    let select = match query.sort {
        StaffSort::Name => select.order_by(
            Expr::col((person::Entity, person::Column::Name)),
            order(query.desc),
        ),
        StaffSort::Position => select.order_by(employment::Column::Position, order(query.desc)),
        StaffSort::StartDate => select.order_by(employment::Column::StartDate, order(query.desc)),
    }
    .order_by_asc(employment::Column::PersonId);
    let rows: Vec<(employment::Model, Option<person::Model>)> = select
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .filter_map(|(job, person)| person.map(|p| (job, p)))
        .map(|(job, person)| {
            Ok(StaffRow {
                person_id: person.id,
                employment_id: job.id,
                id_number: parse_id(&person.id_number)?,
                name: person.name,
                kind: EmploymentKind::parse(&job.kind).ok_or_else(|| corrupt("kind"))?,
                position: job.position,
                flags: PositionFlags {
                    team_leader: job.team_leader,
                    special_ops_trade: job.special_ops_trade,
                    key_position: job.key_position,
                    principal_leader: job.principal_leader,
                    safety_manager: job.safety_manager,
                },
                start_date: job.start_date,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Headline numbers for the home page, within the actor's jurisdiction.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub enterprises: u64,
    pub people: Option<u64>,
    pub institutions: u64,
    pub ledger_entries: i64,
}

pub async fn summary(
    db: &impl ConnectionTrait,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Summary, StoreError> {
    let enterprises = enterprise::Entity::find()
        .filter(actor.enterprise_filter())
        .count(db)
        .await?;
    let people = if matches!(actor.scope, Scope::Institution(_) | Scope::HrBureau(_)) {
        None
    } else {
        Some(
            person::Entity::find()
                .filter(actor.person_filter(Expr::col((person::Entity, person::Column::Id)), today))
                .count(db)
                .await?,
        )
    };
    let institutions = match &actor.scope {
        Scope::Institution(_) => 1,
        Scope::City(city) => {
            institution::Entity::find()
                .filter(institution::Column::CityCode.eq(city.as_str()))
                .count(db)
                .await?
        }
        Scope::County(county) => {
            institution::Entity::find()
                .filter(institution::Column::RegionCode.eq(county.as_str()))
                .count(db)
                .await?
        }
        Scope::Province | Scope::System | Scope::HrBureau(_) => {
            institution::Entity::find().count(db).await?
        }
        _ => 0,
    };
    let head = crate::entity::ledger_head::Entity::find_by_id(1)
        .one(db)
        .await?;
    Ok(Summary {
        enterprises,
        people,
        institutions,
        ledger_entries: head.map_or(0, |h| h.seq),
    })
}

/// What anyone may learn about a certificate from its number (SPEC C3, public
/// verification): never the ID number, the holder's name masked.
#[derive(Debug, Clone)]
pub struct PublicCertificate {
    pub number: String,
    pub kind: anpei_domain::certificate::CertificateKind,
    pub trade: Option<&'static anpei_domain::trade::Trade>,
    pub holder_masked: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_reviewed_on: Option<NaiveDate>,
    pub next_review_due: Option<NaiveDate>,
    pub status: anpei_domain::certificate::CertificateStatus,
}

/// Days before a due review or expiry from which a certificate shows "review due".
pub const CERTIFICATE_WARN_DAYS: u32 = 90;

/// A stored certificate kind; an unknown code is corrupt data.
pub(crate) fn certificate_kind(
    code: &str,
) -> Result<anpei_domain::certificate::CertificateKind, StoreError> {
    anpei_domain::certificate::CertificateKind::parse(code).ok_or_else(|| corrupt("kind"))
}

/// A certificate as the domain sees it, from its row.
pub fn certificate_value(
    row: &crate::entity::certificate::Model,
) -> Result<anpei_domain::certificate::Certificate, StoreError> {
    Ok(anpei_domain::certificate::Certificate {
        kind: certificate_kind(&row.kind)?,
        trade: row.trade_code.clone(),
        issued_on: row.issued_on,
        expires_on: row.expires_on,
        last_reviewed_on: row.last_reviewed_on,
        suspended: row.suspended,
        revoked: row.revoked,
    })
}

/// A certificate number as typed or scanned, normalised (trimmed, upper case); `None` for
/// what cannot be a number.
pub fn normalise_certificate_number(number: &str) -> Option<String> {
    let number = number.trim().to_uppercase();
    (!number.is_empty() && number.len() <= 40).then_some(number)
}

/// One certificate as public verification reads it: the certificate, its number row's
/// token and its holder's name. Only [`crate::verify_index`] looks inside.
#[derive(sea_orm::FromQueryResult)]
pub struct VerifyRow {
    pub number: String,
    pub verification_token: String,
    pub person_id: Uuid,
    pub kind: String,
    pub trade_code: Option<String>,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub last_reviewed_on: Option<NaiveDate>,
    pub suspended: bool,
    pub revoked: bool,
    pub name: String,
}

/// Which certificates [`verify_rows`] reads.
#[derive(Debug, Clone, Copy)]
pub enum VerifyRows<'a> {
    /// The ones numbered after this (in number order): a page of the whole set.
    After(&'a str),
    /// The one with this (normalised) number.
    Number(&'a str),
    /// Everyone's certificates of these people.
    People(&'a [Uuid]),
}

/// Certificates with their token and holder's name, at most `limit`. One query: the number
/// row, the certificate and the holder, each by its key.
pub async fn verify_rows(
    db: &impl ConnectionTrait,
    which: VerifyRows<'_>,
    limit: u64,
) -> Result<Vec<VerifyRow>, StoreError> {
    use crate::entity::{certificate, certificate_number};
    use sea_orm::FromQueryResult;
    use sea_orm::sea_query::{Query, SelectStatement};
    let mut query: SelectStatement = Query::select();
    query
        .column((
            certificate_number::Entity,
            certificate_number::Column::Number,
        ))
        .column((
            certificate_number::Entity,
            certificate_number::Column::VerificationToken,
        ))
        .columns([
            (certificate::Entity, certificate::Column::PersonId),
            (certificate::Entity, certificate::Column::Kind),
            (certificate::Entity, certificate::Column::TradeCode),
            (certificate::Entity, certificate::Column::Issuer),
            (certificate::Entity, certificate::Column::IssuedOn),
            (certificate::Entity, certificate::Column::ExpiresOn),
            (certificate::Entity, certificate::Column::LastReviewedOn),
            (certificate::Entity, certificate::Column::Suspended),
            (certificate::Entity, certificate::Column::Revoked),
        ])
        .column((person::Entity, person::Column::Name))
        .from(certificate_number::Entity)
        .inner_join(
            certificate::Entity,
            Expr::col((certificate::Entity, certificate::Column::PersonId))
                .equals((
                    certificate_number::Entity,
                    certificate_number::Column::PersonId,
                ))
                .and(
                    Expr::col((certificate::Entity, certificate::Column::Id)).equals((
                        certificate_number::Entity,
                        certificate_number::Column::CertificateId,
                    )),
                ),
        )
        .inner_join(
            person::Entity,
            Expr::col((person::Entity, person::Column::Id))
                .equals((certificate::Entity, certificate::Column::PersonId)),
        );
    let number = (
        certificate_number::Entity,
        certificate_number::Column::Number,
    );
    match which {
        VerifyRows::After(after) => {
            query
                .and_where(Expr::col(number).gt(after))
                .order_by(number, Order::Asc)
                .limit(limit);
        }
        VerifyRows::Number(wanted) => {
            query.and_where(Expr::col(number).eq(wanted));
        }
        VerifyRows::People(people) => {
            // Driven by the certificates' key, whose first column is the person.
            query.and_where(
                Expr::col((certificate::Entity, certificate::Column::PersonId))
                    .is_in(people.iter().copied()),
            );
        }
    }
    let statement = db.get_database_backend().build(&query);
    Ok(VerifyRow::find_by_statement(statement).all(db).await?)
}

/// The ledger's head sequence number (0 on an empty ledger).
pub async fn ledger_head_seq(db: &impl ConnectionTrait) -> Result<i64, StoreError> {
    Ok(crate::entity::ledger_head::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |head| head.seq))
}

/// Who the certificate and person changes in ledger entries `(after, upto]` concern:
/// (holders of a changed certificate, people changed).
pub async fn public_changes(
    db: &impl ConnectionTrait,
    after: i64,
    upto: i64,
) -> Result<(Vec<Uuid>, Vec<Uuid>), StoreError> {
    let rows: Vec<(String, Option<Uuid>)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::Entity)
        .column(ledger_entry::Column::PersonId)
        .filter(ledger_entry::Column::Seq.gt(after))
        .filter(ledger_entry::Column::Seq.lte(upto))
        .filter(ledger_entry::Column::Entity.is_in(["certificates", "persons"]))
        .into_tuple()
        .all(db)
        .await?;
    let (mut holders, mut people) = (Vec::new(), Vec::new());
    for (entity, person_id) in rows {
        match (entity.as_str(), person_id) {
            ("certificates", Some(id)) => holders.push(id),
            (_, Some(id)) => people.push(id),
            _ => {}
        }
    }
    Ok((holders, people))
}

/// Public lookup by a normalised number, from the database; `NotFound` for an unknown
/// number. What it tells is [`IndexedCertificate::answer`]'s; callers go through
/// [`crate::Store::verify_certificate`], which answers from the index once it is loaded.
pub async fn verify_certificate(
    db: &impl ConnectionTrait,
    number: &str,
) -> Result<IndexedCertificate, StoreError> {
    let row = verify_rows(db, VerifyRows::Number(number), 1)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)?;
    let issuer = std::sync::Arc::from(row.issuer.as_str());
    IndexedCertificate::from_row(row, issuer)
}

/// Every certificate's number and verification token (for `anpei bench verify`, which asks
/// for the whole set the way QR scans would).
pub async fn verification_links(
    db: &impl ConnectionTrait,
) -> Result<Vec<(String, String)>, StoreError> {
    use crate::entity::certificate_number;
    Ok(certificate_number::Entity::find()
        .select_only()
        .column(certificate_number::Column::Number)
        .column(certificate_number::Column::VerificationToken)
        .order_by_asc(certificate_number::Column::Number)
        .into_tuple()
        .all(db)
        .await?)
}

/// The verification token of a certificate by number (for whoever just issued it).
pub async fn verification_token(
    db: &impl ConnectionTrait,
    number: &str,
) -> Result<String, StoreError> {
    use crate::entity::certificate_number;
    Ok(certificate_number::Entity::find_by_id(number.to_owned())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .verification_token)
}

/// A certificate as printed for its holder (the certificate PDF): the holder's name in full
/// and the day it was first issued, which a renewal does not change.
#[derive(Debug, Clone)]
pub struct PrintableCertificate {
    pub holder_name: String,
    pub number: String,
    pub kind: anpei_domain::certificate::CertificateKind,
    pub trade: Option<&'static anpei_domain::trade::Trade>,
    pub issuer: String,
    pub first_issued_on: NaiveDate,
    /// Start of the current validity period (the last issue or renewal).
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub next_review_due: Option<NaiveDate>,
    pub status: anpei_domain::certificate::CertificateStatus,
    /// The token of its QR code (`verify_index`): the holder's copy opens the details.
    pub verification_token: String,
}

/// A certificate by number for whoever may read its holder's archive. Unknown numbers and
/// holders out of the actor's scope are both `NotFound`, so guessing numbers reveals nothing.
pub async fn printable_certificate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    number: &str,
    today: NaiveDate,
) -> Result<PrintableCertificate, StoreError> {
    use crate::entity::{certificate, certificate_number};
    let number = number.trim().to_uppercase();
    if number.is_empty() || number.len() > 40 {
        return Err(StoreError::NotFound);
    }
    let entry = certificate_number::Entity::find_by_id(number)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let access = crate::access::person_read(db, actor, entry.person_id, today).await?;
    let (row, holder) = certificate::Entity::find_by_id((access.person_id(), entry.certificate_id))
        .find_also_related(person::Entity)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let holder = holder.ok_or(StoreError::NotFound)?;
    // Renewal moves `issued_on`; the first state the ledger recorded keeps the original.
    let key = crate::LedgerKey::Certificate {
        person_id: row.person_id,
        id: row.id,
    }
    .key_string();
    let first_state = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::PersonId.eq(row.person_id))
        .filter(ledger_entry::Column::EntityKey.eq(key))
        .order_by_asc(ledger_entry::Column::Seq)
        .one(db)
        .await?
        .and_then(|entry| entry.state);
    let first_issued_on = first_state
        .as_deref()
        .and_then(|state| serde_json::from_str::<serde_json::Value>(state).ok())
        .and_then(|state| {
            state
                .get("issued_on")
                .and_then(|d| d.as_str())
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        })
        .map_or(row.issued_on, |first| Ord::min(first, row.issued_on));
    let value = certificate_value(&row)?;
    let rules = crate::ops::certificates::rules_for(value.kind);
    Ok(PrintableCertificate {
        holder_name: holder.name,
        number: row.number.clone(),
        kind: value.kind,
        trade: row
            .trade_code
            .as_deref()
            .and_then(anpei_domain::trade::find_trade),
        issuer: row.issuer.clone(),
        first_issued_on,
        issued_on: row.issued_on,
        expires_on: row.expires_on,
        next_review_due: value.next_review_due(&rules),
        status: value.status(&rules, today, CERTIFICATE_WARN_DAYS),
        verification_token: entry.verification_token,
    })
}

/// Some certificate numbers, for benchmarks and smoke checks of public verification.
pub async fn sample_certificate_numbers(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<String>, StoreError> {
    use crate::entity::certificate_number;
    Ok(certificate_number::Entity::find()
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|n| n.number)
        .collect())
}
