//! Training institutions and their classes (issue 5, SPEC C9): the trades an institution is
//! approved for and its practical facilities, the HR bureau's catalogue flag, trainers and
//! examiners (selection, yearly assessment, exit), classes with their trainees, attendance
//! and video evidence, and completion into each trainee's archive.
//!
//! Who writes what: regulators approve trades (the province anywhere, a city regulator for
//! institutions of its city); the HR bureau keeps its catalogue; an institution keeps its
//! own staff, classes, attendance and videos; an enterprise that delegates training sends
//! its own staff to a class. Each write is one transaction with its ledger entries, checks
//! everything before writing, and names the field at fault in both languages.

use std::collections::HashMap;

use anpei_domain::classes::{AttendanceMethod, TrainerRole, may_teach};
use anpei_domain::rules::TrainingKind;
use anpei_domain::subsidy::VideoPart;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::EnterpriseStaffWrite;
use crate::entity::{
    class_attendance, class_trainee, class_video, institution, institution_trade, trainer,
    training_class, training_record,
};
use crate::ledger::{Change, LedgerKey};
use crate::ops::enterprise_ledgers::text;
use crate::ops::ledgers::not_in_future;
use crate::{Actor, Scope, Store, StoreError, WriteTx};

/// Longest free text here (facilities, schedules, syllabus names), in characters.
pub const MAX_TEXT: usize = 500;
/// Hours one class may schedule for one part.
pub const MAX_CLASS_HOURS: f64 = 500.0;
/// Hours one attendance record may hold (one session, at most a day).
pub const MAX_SESSION_HOURS: f64 = 12.0;

fn trade_code(field: &str, raw: &str) -> Result<String, StoreError> {
    anpei_domain::trade::find_trade(raw.trim())
        .map(|trade| trade.code.to_owned())
        .ok_or_else(|| {
            StoreError::invalid_text(
                field,
                format!("未知的特种作业工种：{}", raw.trim()),
                format!("Unknown special-operations trade: {}", raw.trim()),
            )
        })
}

fn part(field: &str, raw: &str) -> Result<VideoPart, StoreError> {
    VideoPart::parse(raw).ok_or_else(|| {
        StoreError::invalid_text(
            field,
            "应为 theory（理论）或 practical（实操）",
            "Must be theory or practical",
        )
    })
}

fn hours(field: &str, value: f64, max: f64) -> Result<f64, StoreError> {
    if !(value.is_finite() && value > 0.0 && value <= max) {
        return Err(StoreError::invalid_text(
            field,
            format!("学时应大于 0 且不超过 {max}"),
            format!("Hours must be above 0 and at most {max}"),
        ));
    }
    // Tenths of an hour: what a record can hold exactly on both engines.
    Ok((value * 10.0).round() / 10.0)
}

/// The institution `actor` may manage: its own, or any for system tools.
fn own_institution(actor: &Actor, institution_id: Uuid) -> Result<(), StoreError> {
    match actor.scope {
        Scope::Institution(own) if own == institution_id => Ok(()),
        Scope::System => Ok(()),
        Scope::Institution(_) | Scope::Person(_) | Scope::Enterprise(_) => {
            Err(StoreError::NotFound)
        }
        _ => Err(StoreError::Forbidden),
    }
}

async fn institution_row(tx: &WriteTx, id: Uuid) -> Result<institution::Model, StoreError> {
    institution::Entity::find_by_id(id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)
}

// ---------------------------------------------------------------- approvals

#[derive(Debug, Clone)]
pub struct NewApproval {
    pub trade_code: String,
    pub approved_on: NaiveDate,
    pub may_examine: bool,
    /// What the institution has for the trade's practical training; required.
    pub practical_facilities: String,
}

/// Approves an institution for a trade, or renews the approval (new facilities, a new date,
/// a withdrawn approval restored). The province approves anywhere, a city regulator in its
/// city.
pub async fn approve_trade(
    store: &Store,
    actor: &Actor,
    institution_id: Uuid,
    new: NewApproval,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<institution_trade::Model, StoreError> {
    let trade = trade_code("trade_code", &new.trade_code)?;
    not_in_future("approved_on", new.approved_on, today)?;
    let facilities = text("practical_facilities", &new.practical_facilities, true, MAX_TEXT)
        .map_err(|_| {
            StoreError::invalid_text(
                "practical_facilities",
                "须写明该工种的实操培训条件；没有实操条件的机构不得承担该工种培训",
                "Describe the practical facilities for the trade; an institution without them may not train it",
            )
        })?;
    let mut tx = store.write(actor, now).await?;
    let row = institution_row(&tx, institution_id).await?;
    match &actor.scope {
        Scope::Province | Scope::System => {}
        Scope::City(city) if *city == row.city_code => {}
        Scope::City(_) | Scope::County(_) | Scope::HrBureau(_) => {
            return Err(StoreError::Forbidden);
        }
        _ => return Err(StoreError::NotFound),
    }
    let existing = institution_trade::Entity::find()
        .filter(institution_trade::Column::InstitutionId.eq(institution_id))
        .filter(institution_trade::Column::TradeCode.eq(trade.as_str()))
        .one(tx.conn())
        .await?;
    let (model, action) = match existing {
        Some(old) => {
            let mut active: institution_trade::ActiveModel = old.into();
            active.approved_on = Set(new.approved_on);
            active.may_examine = Set(new.may_examine);
            active.practical_facilities = Set(facilities);
            active.withdrawn_on = Set(None);
            active.updated_at = Set(tx.at());
            (active.update(tx.conn()).await?, "institution_trade.renew")
        }
        None => {
            let model = institution_trade::Model {
                institution_id,
                id: Uuid::now_v7(),
                trade_code: trade,
                approved_on: new.approved_on,
                may_examine: new.may_examine,
                practical_facilities: facilities,
                withdrawn_on: None,
                created_at: tx.at(),
                updated_at: tx.at(),
            };
            institution_trade::Entity::insert(institution_trade::ActiveModel::from(model.clone()))
                .exec(tx.conn())
                .await?;
            (model, "institution_trade.approve")
        }
    };
    tx.record(Change::of(
        action,
        LedgerKey::InstitutionTrade {
            institution_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

/// Withdraws an approval from `on` (the classes it already runs keep their history).
pub async fn withdraw_trade(
    store: &Store,
    actor: &Actor,
    institution_id: Uuid,
    trade: &str,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<institution_trade::Model, StoreError> {
    let trade = trade_code("trade_code", trade)?;
    let mut tx = store.write(actor, now).await?;
    let row = institution_row(&tx, institution_id).await?;
    match &actor.scope {
        Scope::Province | Scope::System => {}
        Scope::City(city) if *city == row.city_code => {}
        Scope::City(_) | Scope::County(_) | Scope::HrBureau(_) => {
            return Err(StoreError::Forbidden);
        }
        _ => return Err(StoreError::NotFound),
    }
    let old = institution_trade::Entity::find()
        .filter(institution_trade::Column::InstitutionId.eq(institution_id))
        .filter(institution_trade::Column::TradeCode.eq(trade.as_str()))
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut active: institution_trade::ActiveModel = old.into();
    active.withdrawn_on = Set(Some(on));
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(Change::of(
        "institution_trade.withdraw",
        LedgerKey::InstitutionTrade {
            institution_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

/// Whether the approval holds on `day` and the institution has practical facilities.
pub fn approval_holds(approval: &institution_trade::Model, day: NaiveDate) -> bool {
    approval.approved_on <= day
        && approval
            .withdrawn_on
            .is_none_or(|withdrawn| day < withdrawn)
        && !approval.practical_facilities.trim().is_empty()
}

/// Lists the institution in the HR bureau's unified catalogue (统一目录清单) from `since`,
/// or takes it off (`None`). The HR bureau of its region and the province do this.
pub async fn set_hr_catalogue(
    store: &Store,
    actor: &Actor,
    institution_id: Uuid,
    since: Option<NaiveDate>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<institution::Model, StoreError> {
    if let Some(since) = since {
        not_in_future("since", since, today)?;
    }
    let mut tx = store.write(actor, now).await?;
    let row = crate::access::institution_visible(tx.conn(), actor, institution_id).await?;
    if !matches!(actor.scope, Scope::HrBureau(_) | Scope::System) {
        return Err(StoreError::Forbidden);
    }
    let mut active: institution::ActiveModel = row.into();
    active.hr_catalogue_since = Set(since);
    let model = active.update(tx.conn()).await?;
    tx.record(Change::of(
        if since.is_some() {
            "institution.catalogue_list"
        } else {
            "institution.catalogue_remove"
        },
        LedgerKey::Institution(institution_id),
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

// ---------------------------------------------------------------- trainers

#[derive(Debug, Clone)]
pub struct NewTrainer {
    pub name: String,
    pub role: TrainerRole,
    pub qualification: String,
    pub trade_codes: Vec<String>,
    pub selected_on: NaiveDate,
}

/// Records a trainer or examiner the institution selected (选拔).
pub async fn add_trainer(
    store: &Store,
    actor: &Actor,
    institution_id: Uuid,
    new: NewTrainer,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<trainer::Model, StoreError> {
    own_institution(actor, institution_id)?;
    let name =
        anpei_domain::PersonName::parse(&new.name).map_err(|e| StoreError::invalid("name", &e))?;
    let qualification = text("qualification", &new.qualification, true, 200)?;
    if new.trade_codes.is_empty() {
        return Err(StoreError::invalid_text(
            "trade_codes",
            "至少选择一个工种",
            "Choose at least one trade",
        ));
    }
    let mut trades = Vec::new();
    for code in &new.trade_codes {
        let code = trade_code("trade_codes", code)?;
        if !trades.contains(&code) {
            trades.push(code);
        }
    }
    not_in_future("selected_on", new.selected_on, today)?;
    let mut tx = store.write(actor, now).await?;
    institution_row(&tx, institution_id).await?;
    let model = trainer::Model {
        institution_id,
        id: Uuid::now_v7(),
        name: name.as_str().to_owned(),
        role: new.role.code().to_owned(),
        qualification,
        trade_codes: trades.join(","),
        selected_on: new.selected_on,
        last_assessed_year: None,
        last_assessment_passed: None,
        exited_on: None,
        exit_reason: None,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    trainer::Entity::insert(trainer::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "trainer.select",
        LedgerKey::Trainer {
            institution_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

/// What happens to a trainer: a yearly assessment (考核) or exit (退出).
#[derive(Debug, Clone)]
pub enum TrainerEvent {
    Assessed { year: i32, passed: bool },
    Exited { on: NaiveDate, reason: String },
}

pub async fn trainer_event(
    store: &Store,
    actor: &Actor,
    (institution_id, id): (Uuid, Uuid),
    event: TrainerEvent,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<trainer::Model, StoreError> {
    own_institution(actor, institution_id)?;
    let mut tx = store.write(actor, now).await?;
    let row = trainer::Entity::find_by_id((institution_id, id))
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.exited_on.is_some() {
        return Err(StoreError::invalid_text(
            "trainer",
            "该人员已退出",
            "This person has already left",
        ));
    }
    let mut active: trainer::ActiveModel = row.clone().into();
    let action = match event {
        TrainerEvent::Assessed { year, passed } => {
            if year < row.selected_on.year() || year > today.year() {
                return Err(StoreError::invalid_text(
                    "year",
                    format!(
                        "考核年度应在 {} 至 {} 之间",
                        row.selected_on.year(),
                        today.year()
                    ),
                    format!(
                        "The assessment year must be between {} and {}",
                        row.selected_on.year(),
                        today.year()
                    ),
                ));
            }
            if row.last_assessed_year.is_some_and(|last| year < last) {
                return Err(StoreError::invalid_text(
                    "year",
                    "已有更晚年度的考核记录",
                    "A later year's assessment is already recorded",
                ));
            }
            active.last_assessed_year = Set(Some(year));
            active.last_assessment_passed = Set(Some(passed));
            "trainer.assess"
        }
        TrainerEvent::Exited { on, reason } => {
            not_in_future("exited_on", on, today)?;
            if on < row.selected_on {
                return Err(StoreError::invalid_text(
                    "exited_on",
                    "退出日期不能早于选拔日期",
                    "The exit cannot be before the selection",
                ));
            }
            let reason = text("exit_reason", &reason, true, 200)?;
            active.exited_on = Set(Some(on));
            active.exit_reason = Set(Some(reason));
            "trainer.exit"
        }
    };
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(Change::of(
        action,
        LedgerKey::Trainer { institution_id, id },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

// ---------------------------------------------------------------- classes

#[derive(Debug, Clone)]
pub struct NewClass {
    pub number: String,
    pub trade_code: String,
    pub syllabus: String,
    pub theory_hours: f64,
    pub practical_hours: f64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub schedule: String,
    /// The institution's trainers who teach it (ids of `trainers`).
    pub trainer_ids: Vec<Uuid>,
}

/// Opens a class. The institution must be approved for the trade, with practical
/// facilities, on the first day; its trainers must be its own, qualified for the trade and
/// in good standing.
pub async fn create_class(
    store: &Store,
    actor: &Actor,
    institution_id: Uuid,
    new: NewClass,
    now: DateTime<Utc>,
) -> Result<training_class::Model, StoreError> {
    own_institution(actor, institution_id)?;
    let number = text("number", &new.number, true, 40)?;
    let trade = trade_code("trade_code", &new.trade_code)?;
    let syllabus = text("syllabus", &new.syllabus, true, 200)?;
    let theory_hours = hours("theory_hours", new.theory_hours, MAX_CLASS_HOURS)?;
    let practical_hours = hours("practical_hours", new.practical_hours, MAX_CLASS_HOURS)?;
    if new.ends_on < new.starts_on {
        return Err(StoreError::invalid_text(
            "ends_on",
            "结束日期不能早于开始日期",
            "The end cannot be before the start",
        ));
    }
    let schedule = text("schedule", &new.schedule, false, MAX_TEXT)?;
    if new.trainer_ids.is_empty() {
        return Err(StoreError::invalid_text(
            "trainer_ids",
            "至少选择一名培训教师",
            "Choose at least one trainer",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    institution_row(&tx, institution_id).await?;
    let approval = institution_trade::Entity::find()
        .filter(institution_trade::Column::InstitutionId.eq(institution_id))
        .filter(institution_trade::Column::TradeCode.eq(trade.as_str()))
        .one(tx.conn())
        .await?;
    if !approval.is_some_and(|approval| approval_holds(&approval, new.starts_on)) {
        return Err(StoreError::invalid_text(
            "trade_code",
            format!(
                "本机构在 {} 不具备 {trade} 工种的培训资质或实操条件，不得承担该工种培训",
                new.starts_on
            ),
            format!(
                "On {} the institution is not approved for trade {trade} or lacks its practical facilities",
                new.starts_on
            ),
        ));
    }
    let trainers = trainer::Entity::find()
        .filter(trainer::Column::InstitutionId.eq(institution_id))
        .filter(trainer::Column::Id.is_in(new.trainer_ids.clone()))
        .all(tx.conn())
        .await?;
    let by_id: HashMap<Uuid, &trainer::Model> = trainers.iter().map(|t| (t.id, t)).collect();
    let mut names = Vec::new();
    for id in &new.trainer_ids {
        let Some(row) = by_id.get(id) else {
            return Err(StoreError::invalid_text(
                "trainer_ids",
                "所选培训教师不属于本机构",
                "A chosen trainer is not the institution's",
            ));
        };
        let qualified = row.role == TrainerRole::Trainer.code()
            && row.trade_codes.split(',').any(|code| code == trade)
            && may_teach(
                row.selected_on,
                row.exited_on,
                row.last_assessment_passed,
                new.starts_on,
            );
        if !qualified {
            return Err(StoreError::invalid_text(
                "trainer_ids",
                format!(
                    "{} 不能讲授 {trade} 工种（未选拔、已退出、考核不合格或不具备该工种资格）",
                    row.name
                ),
                format!(
                    "{} may not teach trade {trade} (not selected, left, failed the assessment or not qualified for it)",
                    row.name
                ),
            ));
        }
        if !names.contains(&row.name) {
            names.push(row.name.clone());
        }
    }
    let model = training_class::Model {
        institution_id,
        id: Uuid::now_v7(),
        number,
        trade_code: trade,
        syllabus,
        theory_hours,
        practical_hours,
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        schedule,
        trainers: names.join("、"),
        completed_on: None,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    training_class::Entity::insert(training_class::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "class.open",
        LedgerKey::TrainingClass {
            institution_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

/// A class by id, if `actor` may see it: its institution, regulators, the HR bureau and
/// enterprises (classes are public timetables, not personal data).
pub async fn class_by_id(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    class_id: Uuid,
) -> Result<training_class::Model, StoreError> {
    let row = training_class::Entity::find()
        .filter(training_class::Column::Id.eq(class_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    match actor.scope {
        Scope::Institution(own) if own != row.institution_id => Err(StoreError::NotFound),
        Scope::Person(_) => Err(StoreError::NotFound),
        _ => Ok(row),
    }
}

/// An enterprise sends people of its staff to a class (delegated training).
pub async fn enroll(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    class_id: Uuid,
    people: &[Uuid],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<class_trainee::Model>, StoreError> {
    if people.is_empty() {
        return Err(StoreError::invalid_text(
            "person_ids",
            "至少选择一名人员",
            "Choose at least one person",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    let class = class_by_id(tx.conn(), actor, class_id).await?;
    if class.completed_on.is_some() {
        return Err(StoreError::invalid_text(
            "class_id",
            "该培训班已结业，不能再报名",
            "The class is completed; no one can join it now",
        ));
    }
    let on_staff =
        crate::access::current_staff(tx.conn(), staff.enterprise_id(), people.to_vec(), today)
            .await?;
    let already: Vec<Uuid> = class_trainee::Entity::find()
        .filter(class_trainee::Column::ClassId.eq(class_id))
        .filter(class_trainee::Column::PersonId.is_in(people.to_vec()))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|row| row.person_id)
        .collect();
    let mut models = Vec::new();
    for (index, person_id) in people.iter().enumerate() {
        let field = format!("person_ids[{index}]");
        if !on_staff.contains(person_id) {
            return Err(StoreError::invalid_text(
                &field,
                "该人员不是本企业的在岗人员",
                "This person is not on the enterprise's staff",
            ));
        }
        if already.contains(person_id) || people[..index].contains(person_id) {
            return Err(StoreError::invalid_text(
                &field,
                "该人员已在本培训班",
                "This person is already in the class",
            ));
        }
        let model = class_trainee::Model {
            person_id: *person_id,
            class_id,
            institution_id: class.institution_id,
            enterprise_id: Some(staff.enterprise_id()),
            enrolled_on: today,
            completed_on: None,
            training_record_id: None,
            created_at: tx.at(),
            updated_at: tx.at(),
        };
        class_trainee::Entity::insert(class_trainee::ActiveModel::from(model.clone()))
            .exec(tx.conn())
            .await?;
        tx.record(
            Change::of(
                "class.enroll",
                LedgerKey::ClassTrainee {
                    person_id: *person_id,
                    class_id,
                },
                &model,
            )
            .with_enterprise(staff.enterprise_id()),
        );
        models.push(model);
    }
    tx.commit().await?;
    Ok(models)
}

/// A session (sign-in or recording) must fall within the class's dates.
fn within_class(
    field: &str,
    day: NaiveDate,
    class: &training_class::Model,
) -> Result<(), StoreError> {
    if day < class.starts_on || day > class.ends_on {
        return Err(StoreError::invalid_text(
            field,
            format!(
                "日期应在培训期间 {} 至 {} 内",
                class.starts_on, class.ends_on
            ),
            format!(
                "The day must be within the class, {} to {}",
                class.starts_on, class.ends_on
            ),
        ));
    }
    Ok(())
}

async fn own_class(
    tx: &WriteTx,
    actor: &Actor,
    class_id: Uuid,
) -> Result<training_class::Model, StoreError> {
    let class = class_by_id(tx.conn(), actor, class_id).await?;
    own_institution(actor, class.institution_id)?;
    Ok(class)
}

#[derive(Debug, Clone)]
pub struct NewAttendance {
    pub person_id: Uuid,
    pub session_on: NaiveDate,
    pub part: String,
    pub hours: f64,
    pub method: String,
    pub signed_at: DateTime<Utc>,
}

/// Records sign-ins at one or more sessions of a class, all or nothing.
pub async fn record_attendance(
    store: &Store,
    actor: &Actor,
    class_id: Uuid,
    entries: &[NewAttendance],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<class_attendance::Model>, StoreError> {
    if entries.is_empty() {
        return Err(StoreError::invalid_text(
            "entries",
            "没有考勤记录",
            "No attendance given",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    let class = own_class(&tx, actor, class_id).await?;
    let trainees: Vec<Uuid> = class_trainee::Entity::find()
        .filter(class_trainee::Column::ClassId.eq(class_id))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|row| row.person_id)
        .collect();
    let mut models = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let field = |name: &str| format!("entries[{index}].{name}");
        if !trainees.contains(&entry.person_id) {
            return Err(StoreError::invalid_text(
                &field("person_id"),
                "该人员不是本培训班学员",
                "This person is not a trainee of the class",
            ));
        }
        within_class(&field("session_on"), entry.session_on, &class)?;
        not_in_future(&field("session_on"), entry.session_on, today)?;
        let part = part(&field("part"), &entry.part)?;
        let hours = hours(&field("hours"), entry.hours, MAX_SESSION_HOURS)?;
        let method = AttendanceMethod::parse(&entry.method).ok_or_else(|| {
            StoreError::invalid_text(
                &field("method"),
                "考勤方式应为 face、fingerprint、id_card 或 signature",
                "The method must be face, fingerprint, id_card or signature",
            )
        })?;
        let model = class_attendance::Model {
            person_id: entry.person_id,
            id: Uuid::now_v7(),
            class_id,
            session_on: entry.session_on,
            part: part.code().to_owned(),
            hours,
            method: method.code().to_owned(),
            signed_at: crate::ledger::truncate_micros(entry.signed_at),
            created_at: tx.at(),
        };
        class_attendance::Entity::insert(class_attendance::ActiveModel::from(model.clone()))
            .exec(tx.conn())
            .await?;
        tx.record(Change::of(
            "class.attendance",
            LedgerKey::ClassAttendance {
                person_id: entry.person_id,
                id: model.id,
            },
            &model,
        ));
        models.push(model);
    }
    tx.commit().await?;
    Ok(models)
}

#[derive(Debug, Clone)]
pub struct NewVideo {
    pub part: String,
    pub session_on: NaiveDate,
    /// Where the file is kept (an object-store key or a path on the institution's archive).
    pub storage: String,
    pub sha256: String,
    pub duration_seconds: i32,
    pub retained_until: NaiveDate,
}

/// Records a reference to a full training video. The retention date must cover at least
/// the validity of the certificates the trainees obtain; the subsidy review checks that
/// per certificate, so here it only has to lie after the session.
pub async fn record_video(
    store: &Store,
    actor: &Actor,
    class_id: Uuid,
    new: NewVideo,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<class_video::Model, StoreError> {
    let part = part("part", &new.part)?;
    let storage = text("storage", &new.storage, true, 300)?;
    let sha256 = new.sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::invalid_text(
            "sha256",
            "SHA-256 摘要应为 64 位十六进制字符",
            "The SHA-256 digest must be 64 hexadecimal characters",
        ));
    }
    if !(1..=24 * 3600).contains(&new.duration_seconds) {
        return Err(StoreError::invalid_text(
            "duration_seconds",
            "时长应在 1 秒至 24 小时之间",
            "The duration must be between 1 second and 24 hours",
        ));
    }
    not_in_future("session_on", new.session_on, today)?;
    if new.retained_until <= new.session_on {
        return Err(StoreError::invalid_text(
            "retained_until",
            "保存期限应晚于录制日期",
            "The retention date must be after the recording",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    let class = own_class(&tx, actor, class_id).await?;
    within_class("session_on", new.session_on, &class)?;
    let model = class_video::Model {
        class_id,
        id: Uuid::now_v7(),
        part: part.code().to_owned(),
        session_on: new.session_on,
        storage,
        sha256,
        duration_seconds: new.duration_seconds,
        retained_until: new.retained_until,
        created_at: tx.at(),
    };
    class_video::Entity::insert(class_video::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "class.video",
        LedgerKey::ClassVideo {
            class_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

/// What completing a class did.
#[derive(Debug, Clone)]
pub struct Completion {
    pub class: training_class::Model,
    /// Trainees who attended every scheduled hour: their archives now hold the training.
    pub completed: Vec<Uuid>,
    /// Trainees short of hours, with the theory and practical hours they attended.
    pub short: Vec<(Uuid, f64, f64)>,
}

/// Completes a class on `on` (结业): each trainee who attended all theory and practical
/// hours gets a special-operations training record of the trade in their archive, under the
/// enterprise that sent them. Trainees short of hours stay uncompleted and are listed.
pub async fn complete_class(
    store: &Store,
    actor: &Actor,
    class_id: Uuid,
    on: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Completion, StoreError> {
    not_in_future("completed_on", on, today)?;
    let mut tx = store.write(actor, now).await?;
    let class = own_class(&tx, actor, class_id).await?;
    if class.completed_on.is_some() {
        return Err(StoreError::invalid_text(
            "class_id",
            "该培训班已结业",
            "The class is already completed",
        ));
    }
    if on < class.ends_on {
        return Err(StoreError::invalid_text(
            "completed_on",
            format!("结业日期不能早于培训结束日期 {}", class.ends_on),
            format!(
                "The completion cannot be before the class ends on {}",
                class.ends_on
            ),
        ));
    }
    let institution = institution_row(&tx, class.institution_id).await?;
    let trainees = class_trainee::Entity::find()
        .filter(class_trainee::Column::ClassId.eq(class_id))
        .all(tx.conn())
        .await?;
    let mut attended: HashMap<Uuid, (f64, f64)> = HashMap::new();
    for row in class_attendance::Entity::find()
        .filter(class_attendance::Column::ClassId.eq(class_id))
        .all(tx.conn())
        .await?
    {
        let entry = attended.entry(row.person_id).or_default();
        if row.part == VideoPart::Theory.code() {
            entry.0 += row.hours;
        } else {
            entry.1 += row.hours;
        }
    }
    let mut completed = Vec::new();
    let mut short = Vec::new();
    for trainee in trainees {
        let (theory, practical) = attended
            .get(&trainee.person_id)
            .copied()
            .unwrap_or_default();
        // Compare in tenths, as stored.
        let tenths = |hours: f64| (hours * 10.0).round() as i64;
        if tenths(theory) < tenths(class.theory_hours)
            || tenths(practical) < tenths(class.practical_hours)
        {
            short.push((trainee.person_id, theory, practical));
            continue;
        }
        let Some(enterprise_id) = trainee.enterprise_id else {
            continue;
        };
        let record = training_record::Model {
            person_id: trainee.person_id,
            id: Uuid::now_v7(),
            enterprise_id,
            kind: TrainingKind::SpecialOps.code().to_owned(),
            ended_on: on,
            hours: ((theory + practical) * 10.0).round() / 10.0,
            passed_exam: false,
            provider: institution.name.chars().take(100).collect(),
            trade_code: Some(class.trade_code.clone()),
            created_at: tx.at(),
            updated_at: tx.at(),
        };
        training_record::Entity::insert(training_record::ActiveModel::from(record.clone()))
            .exec(tx.conn())
            .await?;
        tx.record(
            Change::of(
                "training.record",
                LedgerKey::Training {
                    person_id: trainee.person_id,
                    id: record.id,
                },
                &record,
            )
            .with_enterprise(enterprise_id),
        );
        let mut active: class_trainee::ActiveModel = trainee.clone().into();
        active.completed_on = Set(Some(on));
        active.training_record_id = Set(Some(record.id));
        active.updated_at = Set(tx.at());
        let model = active.update(tx.conn()).await?;
        tx.record(
            Change::of(
                "class.complete_trainee",
                LedgerKey::ClassTrainee {
                    person_id: trainee.person_id,
                    class_id,
                },
                &model,
            )
            .with_enterprise(enterprise_id),
        );
        completed.push(trainee.person_id);
    }
    let mut active: training_class::ActiveModel = class.into();
    active.completed_on = Set(Some(on));
    active.updated_at = Set(tx.at());
    let class = active.update(tx.conn()).await?;
    tx.record(Change::of(
        "class.complete",
        LedgerKey::TrainingClass {
            institution_id: class.institution_id,
            id: class.id,
        },
        &class,
    ));
    tx.commit().await?;
    Ok(Completion {
        class,
        completed,
        short,
    })
}
