//! The enterprise ledgers of SPEC C4 beyond training and assessments: apprenticeships
//! (师带徒), periods off post (离岗), process and equipment changes (四新) with the people
//! they affect, the yearly training plan, the training capacity and the key-position
//! skill-promotion schedule. Each write is one transaction with its ledger entries, checks
//! everything before writing, and names the field at fault in both languages.
//!
//! The off-post periods that failed assessments open and passes close are written by
//! `ops::ledgers::record_assessment`, in the assessment's own transaction (see
//! [`open_for_failed_assessment`] and [`close_after_pass`]).

use anpei_domain::rules::TrainingKind;
use anpei_domain::{
    CreditCode, OffPostReason, PlanItem, PositionTitle, ProcessChangeKind, SkillLevel, TrainingMode,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::{EnterpriseStaffWrite, employment_current};
use crate::entity::{
    apprenticeship, employment, off_post_period, process_change, process_change_person,
    skill_promotion, training_capacity, training_plan_item,
};
use crate::ledger::{Change, LedgerKey};
use crate::ops::ledgers::not_in_future;
use crate::{Actor, Store, StoreError, WriteTx};

/// Longest free text (descriptions, facilities, notes), in characters.
pub const MAX_TEXT: usize = 200;
/// Most people one process change may name.
pub const MAX_AFFECTED: usize = 2_000;

/// Whether `person_id` is on the enterprise's staff today; with `key_position`, on a key
/// position there.
async fn staff_member(
    tx: &WriteTx,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    key_position: bool,
    today: NaiveDate,
) -> Result<bool, StoreError> {
    let mut select = employment::Entity::find()
        .filter(employment::Column::PersonId.eq(person_id))
        .filter(employment::Column::EnterpriseId.eq(staff.enterprise_id()))
        .filter(employment_current(today));
    if key_position {
        select = select.filter(employment::Column::KeyPosition.eq(true));
    }
    Ok(select.count(tx.conn()).await? > 0)
}

fn not_on_staff(field: &str) -> StoreError {
    StoreError::invalid_text(
        field,
        "该人员不是本企业的在岗人员",
        "This person is not on the enterprise's staff",
    )
}

fn date_order(field: &str, later_zh: &str, later_en: &str) -> StoreError {
    StoreError::invalid_text(
        field,
        format!("{later_zh}不能早于开始日期"),
        format!("The {later_en} cannot be before the start date"),
    )
}

/// Trimmed text of at most `max` characters; empty only when `required` is false.
pub fn text(field: &str, raw: &str, required: bool, max: usize) -> Result<String, StoreError> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && value.is_empty() {
        return Err(StoreError::invalid_text(
            field,
            "此项不能为空",
            "This field is required",
        ));
    }
    let count = value.chars().count();
    if count > max {
        return Err(StoreError::invalid_text(
            field,
            format!("最多 {max} 个字符，实际为 {count} 个"),
            format!("At most {max} characters; got {count}"),
        ));
    }
    Ok(value)
}

// ---------------------------------------------------------------- apprenticeships

#[derive(Debug, Clone)]
pub struct NewApprenticeship {
    pub mentor_id: Uuid,
    pub position: PositionTitle,
    pub started_on: NaiveDate,
    pub planned_graduation_on: NaiveDate,
    pub graduated_on: Option<NaiveDate>,
    pub works_alone: bool,
}

impl NewApprenticeship {
    /// The checks that need no database.
    pub fn check(&self, person_id: Uuid, today: NaiveDate) -> Result<(), StoreError> {
        if self.mentor_id == person_id {
            return Err(StoreError::invalid_text(
                "mentor_id",
                "师傅不能是学徒本人",
                "The mentor cannot be the apprentice",
            ));
        }
        not_in_future("started_on", self.started_on, today)?;
        if self.planned_graduation_on <= self.started_on {
            return Err(StoreError::invalid_text(
                "planned_graduation_on",
                "计划出徒日期应晚于拜师日期",
                "The planned graduation must be after the start",
            ));
        }
        if let Some(graduated_on) = self.graduated_on {
            if graduated_on < self.started_on {
                return Err(date_order("graduated_on", "出徒日期", "graduation date"));
            }
            not_in_future("graduated_on", graduated_on, today)?;
        }
        Ok(())
    }
}

pub async fn record_apprenticeship(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    new: NewApprenticeship,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<apprenticeship::Model, StoreError> {
    new.check(person_id, today)?;
    let mut tx = store.write(actor, now).await?;
    if !staff_member(&tx, staff, person_id, false, today).await? {
        return Err(not_on_staff("person_id"));
    }
    if !staff_member(&tx, staff, new.mentor_id, false, today).await? {
        return Err(StoreError::invalid_text(
            "mentor_id",
            "师傅应为本企业的在岗人员",
            "The mentor must be on the enterprise's staff",
        ));
    }
    let model = apprenticeship::Model {
        person_id,
        id: Uuid::now_v7(),
        enterprise_id: staff.enterprise_id(),
        mentor_id: new.mentor_id,
        position: new.position.as_str().to_owned(),
        started_on: new.started_on,
        planned_graduation_on: new.planned_graduation_on,
        graduated_on: new.graduated_on,
        works_alone: new.works_alone,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    apprenticeship::Entity::insert(apprenticeship::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(
        Change::of(
            "apprenticeship.record",
            LedgerKey::Apprenticeship {
                person_id,
                id: model.id,
            },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}

/// Records graduation (出徒): from this day the apprentice may work alone.
pub async fn record_graduation(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    (person_id, id): (Uuid, Uuid),
    graduated_on: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<apprenticeship::Model, StoreError> {
    not_in_future("graduated_on", graduated_on, today)?;
    let mut tx = store.write(actor, now).await?;
    let row = apprenticeship::Entity::find_by_id((person_id, id))
        .one(tx.conn())
        .await?
        .filter(|row| row.enterprise_id == staff.enterprise_id())
        .ok_or(StoreError::NotFound)?;
    if row.graduated_on.is_some() {
        return Err(StoreError::invalid_text(
            "graduated_on",
            "已登记出徒",
            "Graduation is already recorded",
        ));
    }
    if graduated_on < row.started_on {
        return Err(date_order("graduated_on", "出徒日期", "graduation date"));
    }
    let mut active: apprenticeship::ActiveModel = row.into();
    active.graduated_on = Set(Some(graduated_on));
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(
        Change::of(
            "apprenticeship.graduate",
            LedgerKey::Apprenticeship { person_id, id },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}

// ---------------------------------------------------------------- off post

#[derive(Debug, Clone)]
pub struct NewOffPost {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub reason: OffPostReason,
    pub note: String,
}

impl NewOffPost {
    pub fn check(&self) -> Result<(), StoreError> {
        if self.reason == OffPostReason::FailedAssessment {
            return Err(StoreError::invalid_text(
                "reason",
                "考核不合格离岗由登记不合格的年度考核自动产生，合格后自动结束",
                "Failed-assessment periods open with a failed assessment and close with a pass",
            ));
        }
        if self.ends_on.is_some_and(|ends_on| ends_on < self.starts_on) {
            return Err(date_order("ends_on", "返岗前最后一天", "last day away"));
        }
        text("note", &self.note, false, MAX_TEXT)?;
        Ok(())
    }
}

/// Whether `[from, to]` overlaps a period already recorded for the person at the enterprise.
async fn overlaps(
    tx: &WriteTx,
    enterprise_id: Uuid,
    person_id: Uuid,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<bool, StoreError> {
    let rows = off_post_period::Entity::find()
        .filter(off_post_period::Column::PersonId.eq(person_id))
        .filter(off_post_period::Column::EnterpriseId.eq(enterprise_id))
        .all(tx.conn())
        .await?;
    Ok(rows.iter().any(|row| {
        let starts_before_end = to.is_none_or(|to| row.starts_on <= to);
        let ends_after_start = row.ends_on.is_none_or(|ends_on| ends_on >= from);
        starts_before_end && ends_after_start
    }))
}

pub async fn record_off_post(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    new: NewOffPost,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<off_post_period::Model, StoreError> {
    new.check()?;
    let note = text("note", &new.note, false, MAX_TEXT)?;
    let mut tx = store.write(actor, now).await?;
    if !staff_member(&tx, staff, person_id, false, today).await? {
        return Err(not_on_staff("person_id"));
    }
    if overlaps(
        &tx,
        staff.enterprise_id(),
        person_id,
        new.starts_on,
        new.ends_on,
    )
    .await?
    {
        return Err(StoreError::invalid_text(
            "starts_on",
            "与已登记的离岗期间重叠",
            "Overlaps a period off post already recorded",
        ));
    }
    let model = off_post_period::Model {
        person_id,
        id: Uuid::now_v7(),
        enterprise_id: staff.enterprise_id(),
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        reason: new.reason.code().to_owned(),
        note,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    off_post_period::Entity::insert(off_post_period::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(
        Change::of(
            "off_post.open",
            LedgerKey::OffPost {
                person_id,
                id: model.id,
            },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}

/// Records the return to post: `ends_on` is the last day away.
pub async fn end_off_post(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    id: Uuid,
    ends_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<off_post_period::Model, StoreError> {
    let mut tx = store.write(actor, now).await?;
    let row = off_post_period::Entity::find_by_id((person_id, id))
        .one(tx.conn())
        .await?
        .filter(|row| row.enterprise_id == staff.enterprise_id())
        .ok_or(StoreError::NotFound)?;
    if row.ends_on.is_some() {
        return Err(StoreError::invalid_text(
            "ends_on",
            "该离岗期间已结束",
            "This period off post has already ended",
        ));
    }
    if row.reason == OffPostReason::FailedAssessment.code() {
        return Err(StoreError::invalid_text(
            "ends_on",
            "考核不合格离岗在登记合格的考核后自动结束",
            "A failed-assessment period ends when a passed assessment is recorded",
        ));
    }
    if ends_on < row.starts_on {
        return Err(date_order("ends_on", "返岗前最后一天", "last day away"));
    }
    let mut active: off_post_period::ActiveModel = row.into();
    active.ends_on = Set(Some(ends_on));
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(
        Change::of(
            "off_post.close",
            LedgerKey::OffPost { person_id, id },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}

/// A failed yearly assessment sends the person off post to retrain (seed §三.1): opens a
/// period with reason 考核不合格 from the day of the assessment, unless one is open already.
pub(crate) async fn open_for_failed_assessment(
    tx: &mut WriteTx,
    enterprise_id: Uuid,
    person_id: Uuid,
    assessed_on: NaiveDate,
    position: &str,
) -> Result<(), StoreError> {
    let open = off_post_period::Entity::find()
        .filter(off_post_period::Column::PersonId.eq(person_id))
        .filter(off_post_period::Column::EnterpriseId.eq(enterprise_id))
        .filter(off_post_period::Column::Reason.eq(OffPostReason::FailedAssessment.code()))
        .filter(off_post_period::Column::EndsOn.is_null())
        .count(tx.conn())
        .await?;
    if open > 0 {
        return Ok(());
    }
    let model = off_post_period::Model {
        person_id,
        id: Uuid::now_v7(),
        enterprise_id,
        starts_on: assessed_on,
        ends_on: None,
        reason: OffPostReason::FailedAssessment.code().to_owned(),
        note: format!("{position} 岗位考核不合格"),
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    off_post_period::Entity::insert(off_post_period::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(
        Change::of(
            "off_post.open",
            LedgerKey::OffPost {
                person_id,
                id: model.id,
            },
            &model,
        )
        .with_enterprise(enterprise_id),
    );
    Ok(())
}

/// A pass ends the time off post that a failed assessment opened: its last day is the day
/// before the pass (the day of the failure itself when the make-up is on the same day).
pub(crate) async fn close_after_pass(
    tx: &mut WriteTx,
    enterprise_id: Uuid,
    person_id: Uuid,
    passed_on: NaiveDate,
) -> Result<(), StoreError> {
    let open = off_post_period::Entity::find()
        .filter(off_post_period::Column::PersonId.eq(person_id))
        .filter(off_post_period::Column::EnterpriseId.eq(enterprise_id))
        .filter(off_post_period::Column::Reason.eq(OffPostReason::FailedAssessment.code()))
        .filter(off_post_period::Column::EndsOn.is_null())
        .filter(off_post_period::Column::StartsOn.lte(passed_on))
        .all(tx.conn())
        .await?;
    for row in open {
        let id = row.id;
        let ends_on = (passed_on - Duration::days(1)).max(row.starts_on);
        let mut active: off_post_period::ActiveModel = row.into();
        active.ends_on = Set(Some(ends_on));
        active.updated_at = Set(tx.at());
        let model = active.update(tx.conn()).await?;
        tx.record(
            Change::of(
                "off_post.close",
                LedgerKey::OffPost { person_id, id },
                &model,
            )
            .with_enterprise(enterprise_id),
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- process changes

#[derive(Debug, Clone)]
pub struct NewProcessChange {
    pub changed_on: NaiveDate,
    pub kind: ProcessChangeKind,
    pub description: String,
    pub people: Vec<Uuid>,
}

pub async fn record_process_change(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    new: NewProcessChange,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<process_change::Model, StoreError> {
    let description = text("description", &new.description, true, MAX_TEXT)?;
    let mut people = new.people.clone();
    people.sort_unstable();
    people.dedup();
    if people.is_empty() || people.len() > MAX_AFFECTED {
        return Err(StoreError::invalid_text(
            "people",
            format!("请选择受影响的在岗人员（1 至 {MAX_AFFECTED} 人）"),
            format!("Name the people affected (1 to {MAX_AFFECTED})"),
        ));
    }
    let mut tx = store.write(actor, now).await?;
    for person_id in &people {
        if !staff_member(&tx, staff, *person_id, false, today).await? {
            return Err(not_on_staff("people"));
        }
    }
    let enterprise_id = staff.enterprise_id();
    let model = process_change::Model {
        enterprise_id,
        id: Uuid::now_v7(),
        changed_on: new.changed_on,
        kind: new.kind.code().to_owned(),
        description,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    process_change::Entity::insert(process_change::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "process_change.record",
        LedgerKey::ProcessChange {
            enterprise_id,
            id: model.id,
        },
        &model,
    ));
    let links: Vec<process_change_person::Model> = people
        .iter()
        .map(|person_id| process_change_person::Model {
            person_id: *person_id,
            change_id: model.id,
            enterprise_id,
            created_at: tx.at(),
        })
        .collect();
    for link in &links {
        tx.record(
            Change::of(
                "process_change.affect",
                LedgerKey::ProcessChangePerson {
                    person_id: link.person_id,
                    change_id: link.change_id,
                },
                link,
            )
            .with_enterprise(enterprise_id),
        );
        // The event's own entry is enterprise-keyed: name everyone whose facts it changes.
        tx.touch(link.person_id);
    }
    // 5 columns a row: 1,000 rows stay under both engines' bind-parameter limits.
    for chunk in links.chunks(1_000) {
        process_change_person::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(process_change_person::ActiveModel::from),
        )
        .exec(tx.conn())
        .await?;
    }
    tx.commit().await?;
    Ok(model)
}

// ---------------------------------------------------------------- training plan

pub async fn record_plan_item(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    kind: TrainingKind,
    item: PlanItem,
    now: DateTime<Utc>,
) -> Result<training_plan_item::Model, StoreError> {
    let mut tx = store.write(actor, now).await?;
    let enterprise_id = staff.enterprise_id();
    let model = training_plan_item::Model {
        enterprise_id,
        id: Uuid::now_v7(),
        year: item.year,
        topic: item.topic,
        kind: kind.code().to_owned(),
        audience: item.audience,
        planned_hours: item.planned_hours,
        planned_month: i32::try_from(item.planned_month).unwrap_or(i32::MAX),
        planned_headcount: i32::try_from(item.planned_headcount).unwrap_or(i32::MAX),
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    training_plan_item::Entity::insert(training_plan_item::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "training_plan.item",
        LedgerKey::TrainingPlanItem {
            enterprise_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

// ---------------------------------------------------------------- training capacity

/// Who trains: the enterprise itself, or a named institution.
#[derive(Debug, Clone)]
pub enum Capacity {
    SelfTraining {
        trainers: u32,
        facilities: String,
    },
    Delegated {
        name: String,
        credit_code: CreditCode,
    },
}

impl Capacity {
    pub fn mode(&self) -> TrainingMode {
        match self {
            Capacity::SelfTraining { .. } => TrainingMode::SelfTraining,
            Capacity::Delegated { .. } => TrainingMode::Delegated,
        }
    }
}

/// Most trainers a self-training enterprise may declare.
pub const MAX_TRAINERS: u32 = 10_000;

pub async fn record_capacity(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    since: NaiveDate,
    capacity: Capacity,
    now: DateTime<Utc>,
) -> Result<training_capacity::Model, StoreError> {
    let (trainers, facilities, institution_name, institution_credit_code) = match &capacity {
        Capacity::SelfTraining {
            trainers,
            facilities,
        } => {
            if !(1..=MAX_TRAINERS).contains(trainers) {
                return Err(StoreError::invalid_text(
                    "trainers",
                    format!("自主培训应有 1 至 {MAX_TRAINERS} 名培训师"),
                    format!("Self-training needs 1 to {MAX_TRAINERS} trainers"),
                ));
            }
            (
                *trainers,
                text("facilities", facilities, true, MAX_TEXT)?,
                None,
                None,
            )
        }
        Capacity::Delegated { name, credit_code } => (
            0,
            String::new(),
            Some(text("institution_name", name, true, 100)?),
            Some(credit_code.as_str().to_owned()),
        ),
    };
    let mut tx = store.write(actor, now).await?;
    let enterprise_id = staff.enterprise_id();
    let model = training_capacity::Model {
        enterprise_id,
        id: Uuid::now_v7(),
        mode: capacity.mode().code().to_owned(),
        since,
        trainers: i32::try_from(trainers).unwrap_or(i32::MAX),
        facilities,
        institution_name,
        institution_credit_code,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    training_capacity::Entity::insert(training_capacity::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "training_capacity.record",
        LedgerKey::TrainingCapacity {
            enterprise_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

// ---------------------------------------------------------------- skill promotion

#[derive(Debug, Clone)]
pub struct NewPromotion {
    pub current_level: SkillLevel,
    pub target_level: SkillLevel,
    pub due_on: NaiveDate,
}

pub async fn record_promotion(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    new: NewPromotion,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<skill_promotion::Model, StoreError> {
    if new.target_level <= new.current_level {
        return Err(StoreError::invalid_text(
            "target_level",
            "目标等级应高于现有等级",
            "The target level must be above the current level",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    if !staff_member(&tx, staff, person_id, true, today).await? {
        return Err(StoreError::invalid_text(
            "person_id",
            "该人员不是本企业重点岗位的在岗人员",
            "This person is not on a key position of the enterprise",
        ));
    }
    let model = skill_promotion::Model {
        person_id,
        id: Uuid::now_v7(),
        enterprise_id: staff.enterprise_id(),
        current_level: new.current_level.code().to_owned(),
        target_level: new.target_level.code().to_owned(),
        due_on: new.due_on,
        achieved_on: None,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    skill_promotion::Entity::insert(skill_promotion::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(
        Change::of(
            "skill_promotion.plan",
            LedgerKey::SkillPromotion {
                person_id,
                id: model.id,
            },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}

/// Records that the target level was reached.
pub async fn record_promotion_achieved(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    (person_id, id): (Uuid, Uuid),
    achieved_on: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<skill_promotion::Model, StoreError> {
    not_in_future("achieved_on", achieved_on, today)?;
    let mut tx = store.write(actor, now).await?;
    let row = skill_promotion::Entity::find_by_id((person_id, id))
        .one(tx.conn())
        .await?
        .filter(|row| row.enterprise_id == staff.enterprise_id())
        .ok_or(StoreError::NotFound)?;
    if row.achieved_on.is_some() {
        return Err(StoreError::invalid_text(
            "achieved_on",
            "已登记晋级",
            "The promotion is already recorded",
        ));
    }
    let mut active: skill_promotion::ActiveModel = row.into();
    active.achieved_on = Set(Some(achieved_on));
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(
        Change::of(
            "skill_promotion.achieve",
            LedgerKey::SkillPromotion { person_id, id },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn field(result: Result<(), StoreError>) -> Option<String> {
        match result {
            Err(StoreError::Invalid { field, .. }) => Some(field),
            Err(other) => Some(format!("unexpected {other}")),
            Ok(()) => None,
        }
    }

    #[test]
    fn apprenticeships_are_checked_before_any_write() {
        let apprentice = Uuid::from_u128(1);
        let mentor = Uuid::from_u128(2);
        let today = date(2026, 3, 1);
        let base = NewApprenticeship {
            mentor_id: mentor,
            position: PositionTitle::parse("电工").unwrap(),
            started_on: date(2025, 9, 1),
            planned_graduation_on: date(2026, 9, 1),
            graduated_on: None,
            works_alone: false,
        };
        // (case, change, field refused)
        type Edit = fn(&mut NewApprenticeship);
        let cases: [(&str, Edit, Option<&str>); 6] = [
            ("as given", |_| {}, None),
            (
                "mentor is the apprentice",
                |a| a.mentor_id = Uuid::from_u128(1),
                Some("mentor_id"),
            ),
            (
                "graduation planned on the first day",
                |a| a.planned_graduation_on = a.started_on,
                Some("planned_graduation_on"),
            ),
            (
                "starts tomorrow",
                |a| a.started_on = date(2026, 3, 2),
                Some("started_on"),
            ),
            (
                "graduated before starting",
                |a| a.graduated_on = Some(date(2025, 8, 31)),
                Some("graduated_on"),
            ),
            (
                "graduated in the future",
                |a| a.graduated_on = Some(date(2026, 3, 2)),
                Some("graduated_on"),
            ),
        ];
        for (name, edit, refused) in cases {
            let mut new = base.clone();
            edit(&mut new);
            assert_eq!(
                field(new.check(apprentice, today)).as_deref(),
                refused,
                "{name}"
            );
        }
    }

    #[test]
    fn off_post_periods_are_checked_before_any_write() {
        let base = NewOffPost {
            starts_on: date(2026, 1, 1),
            ends_on: Some(date(2026, 3, 31)),
            reason: OffPostReason::Sick,
            note: String::new(),
        };
        type Edit = fn(&mut NewOffPost);
        let cases: [(&str, Edit, Option<&str>); 5] = [
            ("as given", |_| {}, None),
            ("still away", |p| p.ends_on = None, None),
            ("one day", |p| p.ends_on = Some(p.starts_on), None),
            (
                "ends before it starts",
                |p| p.ends_on = Some(date(2025, 12, 31)),
                Some("ends_on"),
            ),
            (
                "failed assessment by hand",
                |p| p.reason = OffPostReason::FailedAssessment,
                Some("reason"),
            ),
        ];
        for (name, edit, refused) in cases {
            let mut new = base.clone();
            edit(&mut new);
            assert_eq!(field(new.check()).as_deref(), refused, "{name}");
        }
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("x", "  新  设备 ", true, 10).unwrap(), "新 设备");
        assert!(matches!(
            text("description", "   ", true, 10),
            Err(StoreError::Invalid { field, .. }) if field == "description"
        ));
        assert!(text("note", "", false, 10).unwrap().is_empty());
        let Err(StoreError::Invalid { zh, .. }) = text("note", &"字".repeat(11), false, 10) else {
            panic!("too long");
        };
        assert_eq!(zh, "最多 10 个字符，实际为 11 个");
    }
}
