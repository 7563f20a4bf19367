//! Blueprints, exam sites with their rooms, sessions and their staff (SPEC C8).
//!
//! Who may do what: the province owns the bank and its blueprints; a city regulator runs
//! the exam sites of its city (sites, rooms, sessions, staff, registration); the province
//! runs any. Proctors and examiners are accounts put on a session's staff — only the
//! regulators of the site's jurisdiction and the accounts of the institution running the
//! site are eligible —: they see that session's console and score sheets, nothing else.
//! Everyone else gets `NotFound`.

use std::collections::HashMap;

use anpei_domain::exam::{
    Blueprint, BlueprintRow, Difficulty, ExamPart, PoolQuestion, QuestionKind,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{Actor, Scope};
use crate::entity::{
    exam_blueprint, exam_room, exam_session, exam_site, exam_staff, question, question_version,
    syllabus_point,
};
use crate::{Store, StoreError};

/// The city (4-digit prefix) that a region code belongs to.
pub fn city_of(region_code: &str) -> String {
    format!("{:0<6}", &region_code[..Ord::min(4, region_code.len())])
}

/// Whether the actor organises exams at a site in `region_code`.
pub fn organises(actor: &Actor, region_code: &str) -> bool {
    match &actor.scope {
        Scope::Province | Scope::System => true,
        Scope::City(city) => city_of(region_code) == city_of(city),
        _ => false,
    }
}

fn owns_bank(actor: &Actor) -> Result<(), StoreError> {
    match actor.scope {
        Scope::Province | Scope::System => Ok(()),
        _ => Err(StoreError::NotFound),
    }
}

/// One stored blueprint row (`exam_blueprints.rows`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RowJson {
    pub syllabus_point_id: Uuid,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<u8>,
    pub count: u32,
    pub points: u32,
}

#[derive(Clone, Debug)]
pub struct NewBlueprint {
    pub name: String,
    pub trade_code: String,
    pub part: ExamPart,
    pub rows: Vec<RowJson>,
    pub total: u32,
    pub pass_mark: u32,
    pub duration_minutes: u32,
    pub required_hours: f64,
    /// The practical score sheet (a `practical` question) for a practical blueprint.
    pub score_sheet_id: Option<Uuid>,
}

fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::invalid_text(field, zh, en)
}

/// The domain blueprint of a stored row.
pub fn blueprint_of(row: &exam_blueprint::Model) -> Result<Blueprint, StoreError> {
    let rows: Vec<RowJson> = serde_json::from_str(&row.rows)
        .map_err(|_| StoreError::Db(sea_orm::DbErr::Custom("stored blueprint rows".into())))?;
    let rows = domain_rows(&rows)?;
    Blueprint::new(
        rows,
        row.total as u32,
        row.pass_mark as u32,
        row.duration_minutes as u32,
    )
    .map_err(|e| StoreError::invalid("rows", &e))
}

fn domain_rows(rows: &[RowJson]) -> Result<Vec<BlueprintRow>, StoreError> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(BlueprintRow {
                syllabus_point: r.syllabus_point_id.to_string(),
                kind: QuestionKind::parse(&r.kind).ok_or_else(|| {
                    invalid(
                        "rows",
                        format!("第 {} 行：未知题型 {}", i + 1, r.kind),
                        format!("row {}: unknown kind {}", i + 1, r.kind),
                    )
                })?,
                difficulty: match r.difficulty {
                    None => None,
                    Some(level) => Some(Difficulty::from_level(level).ok_or_else(|| {
                        invalid(
                            "rows",
                            format!("第 {} 行：难度须为 1–3", i + 1),
                            format!("row {}: difficulty must be 1–3", i + 1),
                        )
                    })?),
                },
                count: r.count,
                points: r.points,
            })
        })
        .collect()
}

/// The bank's current, unretired questions of a trade as the draw sees them.
pub async fn pool(
    db: &impl ConnectionTrait,
    trade_code: &str,
) -> Result<Vec<PoolQuestion>, StoreError> {
    let points = syllabus_point::Entity::find()
        .filter(syllabus_point::Column::TradeCode.eq(trade_code))
        .all(db)
        .await?;
    let parent: HashMap<Uuid, Option<Uuid>> = points.iter().map(|p| (p.id, p.parent_id)).collect();
    let questions = question::Entity::find()
        .filter(question::Column::TradeCode.eq(trade_code))
        .filter(question::Column::Retired.eq(false))
        .filter(question::Column::Kind.ne(super::codec::PRACTICAL))
        .all(db)
        .await?;
    let current: HashMap<Uuid, (Uuid, i32)> = questions
        .iter()
        .map(|q| (q.id, (q.syllabus_point_id, q.current_version)))
        .collect();
    let mut versions = Vec::new();
    for chunk in questions.chunks(500) {
        versions.extend(
            question_version::Entity::find()
                .filter(question_version::Column::QuestionId.is_in(chunk.iter().map(|q| q.id)))
                .all(db)
                .await?,
        );
    }
    let mut pool = Vec::with_capacity(questions.len());
    for version in versions {
        let Some((point, current_version)) = current.get(&version.question_id) else {
            continue;
        };
        if version.version != *current_version {
            continue;
        }
        let mut chain = Vec::new();
        let mut at = Some(*point);
        while let Some(id) = at {
            if chain.len() > 32 {
                break;
            }
            chain.push(id.to_string());
            at = parent.get(&id).copied().flatten();
        }
        let Some(question) = super::codec::question_of(&version)? else {
            continue;
        };
        pool.push(PoolQuestion {
            id: version.id.to_string(),
            syllabus_points: chain,
            kind: question.kind(),
            difficulty: question.difficulty(),
            option_count: question.body().options().len() as u8,
        });
    }
    Ok(pool)
}

/// Creates a blueprint. A theory blueprint the bank cannot fill is refused with every row
/// that is short and by how much.
pub async fn create_blueprint(
    store: &Store,
    actor: &Actor,
    new: NewBlueprint,
    now: DateTime<Utc>,
) -> Result<exam_blueprint::Model, StoreError> {
    owns_bank(actor)?;
    let name = new.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "请填写方案名称", "Name the blueprint"));
    }
    let trade = anpei_domain::trade::find_trade(new.trade_code.trim())
        .ok_or_else(|| invalid("trade_code", "未知的作业类别", "Unknown trade"))?;
    if !(new.required_hours.is_finite() && (0.0..=1000.0).contains(&new.required_hours)) {
        return Err(invalid(
            "required_hours",
            "培训学时要求须在 0–1000 之间",
            "Required hours must be 0–1000",
        ));
    }
    let tx = store.write(actor, now).await?;
    let (rows_json, total, score_sheet_id) = match new.part {
        ExamPart::Theory => {
            let blueprint = Blueprint::new(
                domain_rows(&new.rows)?,
                new.total,
                new.pass_mark,
                new.duration_minutes,
            )
            .map_err(|e| StoreError::invalid("rows", &e))?;
            let pool = pool(tx.conn(), trade.code).await?;
            if let Err(shortfalls) = blueprint.draw(&pool, 0) {
                let zh: Vec<String> = shortfalls.iter().map(anpei_domain::Bilingual::zh).collect();
                let en: Vec<String> = shortfalls.iter().map(anpei_domain::Bilingual::en).collect();
                return Err(invalid(
                    "rows",
                    format!("题库不足以组卷：{}", zh.join("；")),
                    format!("The bank cannot fill this blueprint: {}", en.join("; ")),
                ));
            }
            (
                serde_json::to_string(&new.rows).unwrap_or_default(),
                new.total,
                None,
            )
        }
        ExamPart::Practical => {
            let sheet_id = new.score_sheet_id.ok_or_else(|| {
                invalid(
                    "score_sheet_id",
                    "实际操作考试须选择评分表",
                    "A practical exam needs a score sheet",
                )
            })?;
            let sheet = question::Entity::find_by_id(sheet_id)
                .one(tx.conn())
                .await?
                .filter(|q| q.kind == super::codec::PRACTICAL && q.trade_code == trade.code)
                .ok_or_else(|| {
                    invalid(
                        "score_sheet_id",
                        "该工种没有这张评分表",
                        "No such score sheet for this trade",
                    )
                })?;
            if new.pass_mark > 100 || !(1..=600).contains(&new.duration_minutes) {
                return Err(invalid(
                    "pass_mark",
                    "合格分须不超过 100，时长 1–600 分钟",
                    "Pass mark at most 100, duration 1–600 minutes",
                ));
            }
            ("[]".to_owned(), 100, Some(sheet.id))
        }
    };
    let model = exam_blueprint::Model {
        id: Uuid::now_v7(),
        name: name.chars().take(100).collect(),
        trade_code: trade.code.to_owned(),
        part: new.part.code().to_owned(),
        rows: rows_json,
        total: total as i32,
        pass_mark: new.pass_mark as i32,
        duration_minutes: new.duration_minutes as i32,
        required_hours: new.required_hours,
        score_sheet_id,
        created_at: tx.at(),
        created_by: actor.display_name.clone(),
    };
    exam_blueprint::Entity::insert(exam_blueprint::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(model)
}

pub async fn blueprints(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<exam_blueprint::Model>, StoreError> {
    match actor.scope {
        // City regulators choose a blueprint for their sessions; they see names and rules,
        // never questions.
        Scope::Province | Scope::System | Scope::City(_) => Ok(exam_blueprint::Entity::find()
            .order_by_desc(exam_blueprint::Column::CreatedAt)
            .all(db)
            .await?),
        _ => Err(StoreError::NotFound),
    }
}

/// A new exam site: where it is, its rooms with their seats, and the institution that runs
/// it, if one does.
#[derive(Debug, Clone)]
pub struct NewSite<'a> {
    pub region_code: &'a str,
    pub name: &'a str,
    pub address: &'a str,
    pub rooms: &'a [(String, u32)],
    pub institution_id: Option<Uuid>,
}

pub async fn create_site(
    store: &Store,
    actor: &Actor,
    new: NewSite<'_>,
    now: DateTime<Utc>,
) -> Result<exam_site::Model, StoreError> {
    let NewSite {
        region_code,
        name,
        address,
        rooms,
        institution_id,
    } = new;
    let region = anpei_domain::region::find(region_code.trim())
        .ok_or_else(|| invalid("region_code", "未知的行政区划", "Unknown region"))?;
    if !organises(actor, region.code) {
        return Err(StoreError::Forbidden);
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("name", "请填写考试点名称", "Name the exam site"));
    }
    if rooms.is_empty()
        || rooms
            .iter()
            .any(|(n, seats)| n.trim().is_empty() || !(1..=500).contains(seats))
    {
        return Err(invalid(
            "rooms",
            "至少一个考场，每个考场 1–500 个座位",
            "At least one room of 1–500 seats",
        ));
    }
    let tx = store.write(actor, now).await?;
    if let Some(id) = institution_id {
        let found = crate::entity::institution::Entity::find_by_id(id)
            .one(tx.conn())
            .await?;
        if found.is_none() {
            return Err(invalid(
                "institution_id",
                "未找到该培训机构",
                "No such training institution",
            ));
        }
    }
    let site = exam_site::Model {
        id: Uuid::now_v7(),
        region_code: region.code.to_owned(),
        name: name.chars().take(100).collect(),
        address: address.trim().chars().take(200).collect(),
        created_at: tx.at(),
        institution_id,
    };
    exam_site::Entity::insert(exam_site::ActiveModel::from(site.clone()))
        .exec(tx.conn())
        .await?;
    for (room, seats) in rooms {
        exam_room::Entity::insert(exam_room::ActiveModel {
            id: Set(Uuid::now_v7()),
            site_id: Set(site.id),
            name: Set(room.trim().chars().take(50).collect()),
            seats: Set(*seats as i32),
        })
        .exec(tx.conn())
        .await?;
    }
    tx.commit().await?;
    Ok(site)
}

/// Sites the actor organises (or staffs a session at).
pub async fn sites(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<(exam_site::Model, Vec<exam_room::Model>)>, StoreError> {
    let all = exam_site::Entity::find()
        .order_by_asc(exam_site::Column::RegionCode)
        .order_by_asc(exam_site::Column::Name)
        .all(db)
        .await?;
    let sites: Vec<exam_site::Model> = all
        .into_iter()
        .filter(|s| organises(actor, &s.region_code))
        .collect();
    let rooms = exam_room::Entity::find()
        .filter(exam_room::Column::SiteId.is_in(sites.iter().map(|s| s.id)))
        .order_by_asc(exam_room::Column::Name)
        .all(db)
        .await?;
    Ok(sites
        .into_iter()
        .map(|s| {
            let own = rooms
                .iter()
                .filter(|r| r.site_id == s.id)
                .cloned()
                .collect();
            (s, own)
        })
        .collect())
}

#[derive(Clone, Debug)]
pub struct NewSession {
    pub site_id: Uuid,
    pub room_id: Uuid,
    pub blueprint_id: Uuid,
    pub title: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

pub async fn create_session(
    store: &Store,
    actor: &Actor,
    new: NewSession,
    now: DateTime<Utc>,
) -> Result<exam_session::Model, StoreError> {
    let tx = store.write(actor, now).await?;
    let site = exam_site::Entity::find_by_id(new.site_id)
        .one(tx.conn())
        .await?
        .filter(|s| organises(actor, &s.region_code))
        .ok_or(StoreError::NotFound)?;
    let room = exam_room::Entity::find_by_id(new.room_id)
        .one(tx.conn())
        .await?
        .filter(|r| r.site_id == site.id)
        .ok_or_else(|| {
            invalid(
                "room_id",
                "该考试点没有这个考场",
                "No such room at this site",
            )
        })?;
    let blueprint = exam_blueprint::Entity::find_by_id(new.blueprint_id)
        .one(tx.conn())
        .await?
        .ok_or_else(|| invalid("blueprint_id", "没有这个组卷方案", "No such blueprint"))?;
    if new.closes_at <= new.opens_at {
        return Err(invalid(
            "closes_at",
            "结束时间须晚于开始时间",
            "The session must close after it opens",
        ));
    }
    if new.closes_at - new.opens_at > chrono::Duration::hours(12) {
        return Err(invalid(
            "closes_at",
            "一个场次不超过 12 小时",
            "A session lasts at most 12 hours",
        ));
    }
    let title = new.title.trim();
    let title = if title.is_empty() {
        blueprint.name.clone()
    } else {
        title.chars().take(100).collect()
    };
    let model = exam_session::Model {
        id: Uuid::now_v7(),
        site_id: site.id,
        room_id: room.id,
        blueprint_id: blueprint.id,
        trade_code: blueprint.trade_code.clone(),
        part: blueprint.part.clone(),
        title,
        opens_at: crate::ledger::truncate_micros(new.opens_at),
        closes_at: crate::ledger::truncate_micros(new.closes_at),
        duration_minutes: blueprint.duration_minutes,
        created_at: tx.at(),
        created_by: actor.display_name.clone(),
    };
    exam_session::Entity::insert(exam_session::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(model)
}

/// A proctor (监考) or examiner (考评员) of a session.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Duty {
    Proctor,
    Examiner,
}

impl Duty {
    pub fn code(self) -> &'static str {
        match self {
            Duty::Proctor => "proctor",
            Duty::Examiner => "examiner",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Duty::Proctor, Duty::Examiner]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

pub async fn assign_staff(
    store: &Store,
    actor: &Actor,
    session_id: Uuid,
    account_id: Uuid,
    duty: Duty,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let access = session_access(store.connection(), actor, session_id).await?;
    if !access.organiser {
        return Err(StoreError::Forbidden);
    }
    let account = crate::entity::account::Entity::find_by_id(account_id)
        .one(store.connection())
        .await?
        .ok_or_else(|| invalid("account_id", "没有这个账号", "No such account"))?;
    if !may_staff(&account, &access.site) {
        return Err(invalid(
            "username",
            format!(
                "账号 {} 不能担任本场考务：只有本考试点所在地的市、省应急管理部门账号和承办本考试点的培训机构账号可以",
                account.username
            ),
            format!(
                "Account {} cannot be on this session's staff: only regulators (city or province) of the site's jurisdiction and accounts of the institution running the site can",
                account.username
            ),
        ));
    }
    let tx = store.write(actor, now).await?;
    exam_staff::Entity::delete_many()
        .filter(exam_staff::Column::SessionId.eq(session_id))
        .filter(exam_staff::Column::AccountId.eq(account_id))
        .exec(tx.conn())
        .await?;
    exam_staff::Entity::insert(exam_staff::ActiveModel {
        session_id: Set(session_id),
        account_id: Set(account_id),
        duty: Set(duty.code().to_owned()),
    })
    .exec(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who may proctor or examine at a site (issue 13): regulators whose jurisdiction covers
/// it — its city's bureau, the province — and the accounts of the institution that runs
/// it. Enterprises, workers, HR bureaus, other cities and other institutions may not: a
/// proctor sees who sits where and decides who signs in.
fn may_staff(account: &crate::entity::account::Model, site: &exam_site::Model) -> bool {
    let Ok(staff) = crate::ops::accounts::actor_of(account) else {
        return false;
    };
    match staff.scope {
        Scope::Province | Scope::City(_) => organises(&staff, &site.region_code),
        Scope::Institution(id) => site.institution_id == Some(id),
        _ => false,
    }
}

/// What the actor may do with one session.
#[derive(Clone, Debug)]
pub struct SessionAccess {
    pub session: exam_session::Model,
    pub site: exam_site::Model,
    pub room: exam_room::Model,
    pub organiser: bool,
    pub duty: Option<Duty>,
}

impl SessionAccess {
    pub fn may_proctor(&self) -> bool {
        self.organiser || self.duty == Some(Duty::Proctor)
    }

    pub fn may_examine(&self) -> bool {
        self.organiser || self.duty == Some(Duty::Examiner)
    }
}

/// The session if the actor organises it or is on its staff; `NotFound` otherwise.
pub async fn session_access(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session_id: Uuid,
) -> Result<SessionAccess, StoreError> {
    let session = exam_session::Entity::find_by_id(session_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let site = exam_site::Entity::find_by_id(session.site_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let room = exam_room::Entity::find_by_id(session.room_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let organiser = organises(actor, &site.region_code);
    let duty = match actor.account_id {
        Some(account) => exam_staff::Entity::find_by_id((session_id, account))
            .one(db)
            .await?
            .and_then(|s| Duty::parse(&s.duty)),
        None => None,
    };
    if !organiser && duty.is_none() {
        return Err(StoreError::NotFound);
    }
    Ok(SessionAccess {
        session,
        site,
        room,
        organiser,
        duty,
    })
}

/// Sessions the actor organises or staffs, newest first.
pub async fn sessions(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> Result<Vec<(exam_session::Model, exam_site::Model)>, StoreError> {
    let staffed: Vec<Uuid> = match actor.account_id {
        Some(account) => exam_staff::Entity::find()
            .filter(exam_staff::Column::AccountId.eq(account))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.session_id)
            .collect(),
        None => Vec::new(),
    };
    let sites: HashMap<Uuid, exam_site::Model> = exam_site::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let sessions = exam_session::Entity::find()
        .order_by_desc(exam_session::Column::OpensAt)
        .all(db)
        .await?;
    Ok(sessions
        .into_iter()
        .filter_map(|session| {
            let site = sites.get(&session.site_id)?.clone();
            (organises(actor, &site.region_code) || staffed.contains(&session.id))
                .then_some((session, site))
        })
        .collect())
}

/// What the sign-in page at the seat shows of a session: its title, site and times.
pub async fn public_header(
    db: &impl ConnectionTrait,
    session_id: Uuid,
) -> Result<(exam_session::Model, exam_site::Model), StoreError> {
    let session = exam_session::Entity::find_by_id(session_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let site = exam_site::Entity::find_by_id(session.site_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((session, site))
}

/// A session's staff: (account id, display name, username, duty), for its organisers.
pub async fn staff(
    db: &impl ConnectionTrait,
    access: &SessionAccess,
) -> Result<Vec<(Uuid, String, String, Duty)>, StoreError> {
    let rows = exam_staff::Entity::find()
        .filter(exam_staff::Column::SessionId.eq(access.session.id))
        .all(db)
        .await?;
    let accounts: HashMap<Uuid, crate::entity::account::Model> =
        crate::entity::account::Entity::find()
            .filter(crate::entity::account::Column::Id.is_in(rows.iter().map(|r| r.account_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
    let mut out: Vec<(Uuid, String, String, Duty)> = rows
        .into_iter()
        .filter_map(|r| {
            let account = accounts.get(&r.account_id)?;
            Some((
                account.id,
                account.display_name.clone(),
                account.username.clone(),
                Duty::parse(&r.duty)?,
            ))
        })
        .collect();
    out.sort_by(|a, b| (a.3.code(), &a.1).cmp(&(b.3.code(), &b.1)));
    Ok(out)
}

/// The account with this username, for putting it on a session's staff.
pub async fn account_id_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Uuid, StoreError> {
    crate::entity::account::Entity::find()
        .filter(crate::entity::account::Column::Username.eq(username.trim()))
        .one(db)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| {
            invalid(
                "username",
                "没有这个用户名",
                "No account with this username",
            )
        })
}
