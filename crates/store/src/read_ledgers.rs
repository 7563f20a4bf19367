//! Read models of the enterprise ledgers (SPEC C4): one enterprise's apprenticeships,
//! periods off post, process changes, training plan with its progress, training capacity
//! and skill-promotion schedule, sorted, filtered and paged; and one person's
//! apprenticeships, time off post and promotion schedule for their archive. Every list takes
//! a read capability, so it is scoped before it runs; names come in one query per page.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::StoreError;
use crate::access::{EnterpriseStaffRead, PersonRead};
use crate::entity::{
    apprenticeship, employment, enterprise, off_post_period, person, process_change,
    process_change_person, skill_promotion, training_capacity, training_plan_item, training_record,
};
use crate::read::Page;

/// Paging and order shared by the ledger lists.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
    pub desc: bool,
}

impl Paging {
    fn clamp(self) -> (u64, u64) {
        crate::read::clamp(self.page, self.per_page)
    }

    fn order(self) -> Order {
        if self.desc { Order::Desc } else { Order::Asc }
    }
}

async fn names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, StoreError> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            names.insert(row.id, row.name);
        }
    }
    Ok(names)
}

async fn enterprise_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, StoreError> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect())
}

// ---------------------------------------------------------------- apprenticeships

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApprenticeshipSort {
    #[default]
    Started,
    PlannedGraduation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprenticeshipStatus {
    /// 带徒中: no graduation recorded.
    InProgress,
    /// 已出徒.
    Graduated,
}

impl ApprenticeshipStatus {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "in_progress" => Some(Self::InProgress),
            "graduated" => Some(Self::Graduated),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApprenticeshipRow {
    pub row: apprenticeship::Model,
    pub apprentice: String,
    pub mentor: String,
    pub enterprise: String,
}

pub async fn apprenticeships(
    db: &impl ConnectionTrait,
    read: EnterpriseStaffRead,
    status: Option<ApprenticeshipStatus>,
    sort: ApprenticeshipSort,
    paging: Paging,
) -> Result<Page<ApprenticeshipRow>, StoreError> {
    let (page, per_page) = paging.clamp();
    let mut select = apprenticeship::Entity::find()
        .filter(apprenticeship::Column::EnterpriseId.eq(read.enterprise_id()));
    select = match status {
        Some(ApprenticeshipStatus::InProgress) => {
            select.filter(apprenticeship::Column::GraduatedOn.is_null())
        }
        Some(ApprenticeshipStatus::Graduated) => {
            select.filter(apprenticeship::Column::GraduatedOn.is_not_null())
        }
        None => select,
    };
    let total = select.clone().count(db).await?;
    let column = match sort {
        ApprenticeshipSort::Started => apprenticeship::Column::StartedOn,
        ApprenticeshipSort::PlannedGraduation => apprenticeship::Column::PlannedGraduationOn,
    };
    let rows = select
        .order_by(column, paging.order())
        .order_by_asc(apprenticeship::Column::PersonId)
        .order_by_asc(apprenticeship::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let items = apprenticeship_rows(db, rows).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

async fn apprenticeship_rows(
    db: &impl ConnectionTrait,
    rows: Vec<apprenticeship::Model>,
) -> Result<Vec<ApprenticeshipRow>, StoreError> {
    let people = names(db, rows.iter().flat_map(|r| [r.person_id, r.mentor_id])).await?;
    let enterprises = enterprise_names(db, rows.iter().map(|r| r.enterprise_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| ApprenticeshipRow {
            apprentice: people.get(&row.person_id).cloned().unwrap_or_default(),
            mentor: people.get(&row.mentor_id).cloned().unwrap_or_default(),
            enterprise: enterprises
                .get(&row.enterprise_id)
                .cloned()
                .unwrap_or_default(),
            row,
        })
        .collect())
}

// ---------------------------------------------------------------- off post

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffPostSort {
    #[default]
    Starts,
    Ends,
}

#[derive(Debug, Clone, Default)]
pub struct OffPostFilter {
    /// Only periods that include `open_on` (people away that day).
    pub open_on: Option<NaiveDate>,
    pub reason: Option<anpei_domain::OffPostReason>,
}

#[derive(Debug, Clone)]
pub struct OffPostRow {
    pub row: off_post_period::Model,
    pub person: String,
    pub enterprise: String,
}

pub async fn off_post(
    db: &impl ConnectionTrait,
    read: EnterpriseStaffRead,
    filter: &OffPostFilter,
    sort: OffPostSort,
    paging: Paging,
) -> Result<Page<OffPostRow>, StoreError> {
    let (page, per_page) = paging.clamp();
    let mut select = off_post_period::Entity::find()
        .filter(off_post_period::Column::EnterpriseId.eq(read.enterprise_id()));
    if let Some(on) = filter.open_on {
        select = select
            .filter(off_post_period::Column::StartsOn.lte(on))
            .filter(
                off_post_period::Column::EndsOn
                    .is_null()
                    .or(off_post_period::Column::EndsOn.gte(on)),
            );
    }
    if let Some(reason) = filter.reason {
        select = select.filter(off_post_period::Column::Reason.eq(reason.code()));
    }
    let total = select.clone().count(db).await?;
    let column = match sort {
        OffPostSort::Starts => off_post_period::Column::StartsOn,
        OffPostSort::Ends => off_post_period::Column::EndsOn,
    };
    let rows = select
        .order_by(column, paging.order())
        .order_by_asc(off_post_period::Column::PersonId)
        .order_by_asc(off_post_period::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let items = off_post_rows(db, rows).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

async fn off_post_rows(
    db: &impl ConnectionTrait,
    rows: Vec<off_post_period::Model>,
) -> Result<Vec<OffPostRow>, StoreError> {
    let people = names(db, rows.iter().map(|r| r.person_id)).await?;
    let enterprises = enterprise_names(db, rows.iter().map(|r| r.enterprise_id)).await?;
    Ok(rows
        .into_iter()
        .map(|row| OffPostRow {
            person: people.get(&row.person_id).cloned().unwrap_or_default(),
            enterprise: enterprises
                .get(&row.enterprise_id)
                .cloned()
                .unwrap_or_default(),
            row,
        })
        .collect())
}

// ---------------------------------------------------------------- process changes

#[derive(Debug, Clone)]
pub struct ProcessChangeRow {
    pub row: process_change::Model,
    /// (person id, name), by name.
    pub people: Vec<(Uuid, String)>,
}

pub async fn process_changes(
    db: &impl ConnectionTrait,
    read: EnterpriseStaffRead,
    kind: Option<anpei_domain::ProcessChangeKind>,
    paging: Paging,
) -> Result<Page<ProcessChangeRow>, StoreError> {
    let (page, per_page) = paging.clamp();
    let mut select = process_change::Entity::find()
        .filter(process_change::Column::EnterpriseId.eq(read.enterprise_id()));
    if let Some(kind) = kind {
        select = select.filter(process_change::Column::Kind.eq(kind.code()));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by(process_change::Column::ChangedOn, paging.order())
        .order_by_asc(process_change::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let links = if ids.is_empty() {
        Vec::new()
    } else {
        process_change_person::Entity::find()
            .filter(process_change_person::Column::EnterpriseId.eq(read.enterprise_id()))
            .filter(process_change_person::Column::ChangeId.is_in(ids))
            .all(db)
            .await?
    };
    let people = names(db, links.iter().map(|l| l.person_id)).await?;
    let mut affected: HashMap<Uuid, Vec<(Uuid, String)>> = HashMap::new();
    for link in links {
        let name = people.get(&link.person_id).cloned().unwrap_or_default();
        affected
            .entry(link.change_id)
            .or_default()
            .push((link.person_id, name));
    }
    let items = rows
        .into_iter()
        .map(|row| {
            let mut people = affected.remove(&row.id).unwrap_or_default();
            people.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
            ProcessChangeRow { row, people }
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

// ---------------------------------------------------------------- training plan

/// One plan item beside what was recorded that year: the trainings of the item's kind
/// that ended in the plan's year, by people employed at the enterprise that year. Items of
/// the same kind share these figures.
#[derive(Debug, Clone)]
pub struct PlanProgress {
    pub item: training_plan_item::Model,
    pub actual_hours: f64,
    pub actual_headcount: u64,
}

pub async fn training_plan(
    db: &impl ConnectionTrait,
    read: EnterpriseStaffRead,
    year: i32,
) -> Result<Vec<PlanProgress>, StoreError> {
    let enterprise_id = read.enterprise_id();
    let items = training_plan_item::Entity::find()
        .filter(training_plan_item::Column::EnterpriseId.eq(enterprise_id))
        .filter(training_plan_item::Column::Year.eq(year))
        .order_by_asc(training_plan_item::Column::PlannedMonth)
        .order_by_asc(training_plan_item::Column::Id)
        .all(db)
        .await?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(Vec::new());
    };
    // Training records are person-keyed: find that year's staff through the employment
    // index, then read their records by key, never by scanning every record.
    let mut people: Vec<Uuid> = employment::Entity::find()
        .select_only()
        .column(employment::Column::PersonId)
        .filter(employment::Column::EnterpriseId.eq(enterprise_id))
        .filter(
            employment::Column::EndDate
                .is_null()
                .or(employment::Column::EndDate.gte(first)),
        )
        .filter(employment::Column::StartDate.lte(last))
        .into_tuple()
        .all(db)
        .await?;
    people.sort_unstable();
    people.dedup();
    let mut hours: HashMap<String, f64> = HashMap::new();
    let mut heads: HashMap<String, HashSet<Uuid>> = HashMap::new();
    for chunk in people.chunks(500) {
        for record in training_record::Entity::find()
            .filter(training_record::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(training_record::Column::EnterpriseId.eq(enterprise_id))
            .filter(training_record::Column::EndedOn.gte(first))
            .filter(training_record::Column::EndedOn.lte(last))
            .all(db)
            .await?
        {
            *hours.entry(record.kind.clone()).or_default() += record.hours;
            heads
                .entry(record.kind)
                .or_default()
                .insert(record.person_id);
        }
    }
    Ok(items
        .into_iter()
        .map(|item| PlanProgress {
            actual_hours: hours.get(&item.kind).copied().unwrap_or(0.0),
            actual_headcount: heads.get(&item.kind).map_or(0, |h| h.len() as u64),
            item,
        })
        .collect())
}

// ---------------------------------------------------------------- training capacity

/// Every capacity recorded, newest `since` first; the first that has started is in force.
pub async fn training_capacities(
    db: &impl ConnectionTrait,
    read: EnterpriseStaffRead,
) -> Result<Vec<training_capacity::Model>, StoreError> {
    Ok(training_capacity::Entity::find()
        .filter(training_capacity::Column::EnterpriseId.eq(read.enterprise_id()))
        .order_by_desc(training_capacity::Column::Since)
        .order_by_desc(training_capacity::Column::Id)
        .all(db)
        .await?)
}

// ---------------------------------------------------------------- skill promotion

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromotionStatus {
    Pending,
    Achieved,
}

impl PromotionStatus {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "pending" => Some(Self::Pending),
            "achieved" => Some(Self::Achieved),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PromotionRow {
    pub row: skill_promotion::Model,
    pub person: String,
}

pub async fn skill_promotions(
    db: &impl ConnectionTrait,
    read: EnterpriseStaffRead,
    status: Option<PromotionStatus>,
    paging: Paging,
) -> Result<Page<PromotionRow>, StoreError> {
    let (page, per_page) = paging.clamp();
    let mut select = skill_promotion::Entity::find()
        .filter(skill_promotion::Column::EnterpriseId.eq(read.enterprise_id()));
    select = match status {
        Some(PromotionStatus::Pending) => {
            select.filter(skill_promotion::Column::AchievedOn.is_null())
        }
        Some(PromotionStatus::Achieved) => {
            select.filter(skill_promotion::Column::AchievedOn.is_not_null())
        }
        None => select,
    };
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by(skill_promotion::Column::DueOn, paging.order())
        .order_by_asc(skill_promotion::Column::PersonId)
        .order_by_asc(skill_promotion::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let people = names(db, rows.iter().map(|r| r.person_id)).await?;
    let items = rows
        .into_iter()
        .map(|row| PromotionRow {
            person: people.get(&row.person_id).cloned().unwrap_or_default(),
            row,
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

// ---------------------------------------------------------------- one person

/// What the ledgers hold about one person, newest first, for their archive.
#[derive(Debug, Clone, Default)]
pub struct PersonLedgers {
    pub apprenticeships: Vec<ApprenticeshipRow>,
    pub off_post: Vec<OffPostRow>,
    pub promotions: Vec<skill_promotion::Model>,
}

pub async fn person(
    db: &impl ConnectionTrait,
    access: PersonRead,
) -> Result<PersonLedgers, StoreError> {
    let person_id = access.person_id();
    let apprenticeships = apprenticeship::Entity::find()
        .filter(apprenticeship::Column::PersonId.eq(person_id))
        .order_by_desc(apprenticeship::Column::StartedOn)
        .all(db)
        .await?;
    let off_post = off_post_period::Entity::find()
        .filter(off_post_period::Column::PersonId.eq(person_id))
        .order_by_desc(off_post_period::Column::StartsOn)
        .all(db)
        .await?;
    let promotions = skill_promotion::Entity::find()
        .filter(skill_promotion::Column::PersonId.eq(person_id))
        .order_by_desc(skill_promotion::Column::DueOn)
        .all(db)
        .await?;
    // An employer sees only the registers it kept itself.
    let apprenticeships: Vec<_> = apprenticeships
        .into_iter()
        .filter(|r| access.sees_employer_record(r.enterprise_id))
        .collect();
    let off_post: Vec<_> = off_post
        .into_iter()
        .filter(|r| access.sees_employer_record(r.enterprise_id))
        .collect();
    let promotions: Vec<_> = promotions
        .into_iter()
        .filter(|r| access.sees_employer_record(r.enterprise_id))
        .collect();
    Ok(PersonLedgers {
        apprenticeships: apprenticeship_rows(db, apprenticeships).await?,
        off_post: off_post_rows(db, off_post).await?,
        promotions,
    })
}
