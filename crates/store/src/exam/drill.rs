//! An exam day, generated: a syllabus point with enough questions, a 100-point blueprint, a
//! site with rooms of up to 500 seats, one session a room opening at the same moment, and
//! examinees who are hired, trained and registered through the same use cases as real ones
//! (so they are ledgered and eligible). `anpei bench exam` and the crash tests run on it.

use anpei_domain::exam::{
    ChoiceOption, Difficulty, ExamPart, Question, QuestionBody, QuestionKind,
};
use anpei_domain::{EmploymentKind, IdNumber, Period, PersonName, PositionFlags, PositionTitle};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::codec;
use super::registration::{self, NewRegistration};
use super::sessions::{self, NewBlueprint, NewSession, RowJson};
use crate::access::{self, Actor};
use crate::entity::{enterprise, question, question_version, syllabus_point};
use crate::ops::ledgers::NewTraining;
use crate::{Store, StoreError};

/// Seats per room (and examinees per session) of a drill.
pub const ROOM_SEATS: u32 = 500;

/// Examinees of one run who share a birth date (sequence codes 100–899, never the demo's
/// 900–999).
const PER_DAY: u32 = 800;

/// Birth days a run may use: 20 days hold 16,000 examinees.
const DAYS_PER_RUN: u32 = 20;

/// The name of the enterprise created for drills when the database has none.
pub const HOST_NAME: &str = "考务演练单位";

/// The run number for a new drill: one more than the highest drill in the database, so
/// repeated drills never collide (their ID numbers and syllabus codes depend on it).
pub async fn next_run(store: &Store) -> Result<u32, StoreError> {
    let codes: Vec<String> = syllabus_point::Entity::find()
        .filter(syllabus_point::Column::Code.starts_with("drill-"))
        .all(store.connection())
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    Ok(codes
        .iter()
        .filter_map(|c| c.strip_prefix("drill-")?.parse::<u32>().ok())
        .max()
        .map_or(1, |m| m + 1))
}

/// The enterprise a drill hires its examinees into: the one with `credit_code` if given,
/// else the drill's own host enterprise, else the first enterprise there is; an empty
/// database gets a host enterprise created in `region_code`.
pub async fn host_enterprise(
    store: &Store,
    credit_code: Option<&str>,
    region_code: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let db = store.connection();
    if let Some(code) = credit_code {
        return enterprise::Entity::find()
            .filter(enterprise::Column::CreditCode.eq(code.trim()))
            .one(db)
            .await?
            .map(|e| e.id)
            .ok_or(StoreError::NotFound);
    }
    if let Some(host) = enterprise::Entity::find()
        .filter(enterprise::Column::Name.eq(HOST_NAME))
        .one(db)
        .await?
    {
        return Ok(host.id);
    }
    if let Some(first) = enterprise::Entity::find()
        .order_by_asc(enterprise::Column::CreditCode)
        .one(db)
        .await?
    {
        return Ok(first.id);
    }
    let actor = Actor::system("exam-drill");
    let region = actor.region_write().ok_or(StoreError::Forbidden)?;
    let credit_code = anpei_domain::CreditCode::synthesize(region_code, 99_999_001)
        .map_err(|e| StoreError::invalid("credit_code", &e))?;
    crate::ops::enterprises::create(
        store,
        &actor,
        region,
        crate::ops::enterprises::NewEnterprise {
            credit_code,
            name: HOST_NAME.to_owned(),
            industry: anpei_domain::Industry::ALL[0],
            region_code: region_code.to_owned(),
            legal_representative: PersonName::parse("王演练")
                .map_err(|e| StoreError::invalid("name", &e))?,
        },
        now,
    )
    .await
}

#[derive(Clone, Debug)]
pub struct DrillPlan {
    pub examinees: u32,
    /// The enterprise the examinees are hired into.
    pub enterprise_id: Uuid,
    /// County of the exam site, e.g. "230102".
    pub region_code: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub duration_minutes: u32,
    /// Distinguishes drills in one database (ID numbers, syllabus code).
    pub run: u32,
}

#[derive(Clone, Debug)]
pub struct DrillExaminee {
    pub session_id: Uuid,
    pub person_id: Uuid,
    pub ticket: String,
    pub id_number: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Drill {
    pub sessions: Vec<Uuid>,
    pub blueprint_id: Uuid,
    /// The syllabus point holding the drill's questions.
    pub syllabus_point_id: Uuid,
    /// Questions on each paper.
    pub questions: u32,
    pub examinees: Vec<DrillExaminee>,
}

const SURNAMES: [char; 20] = [
    '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林',
    '何', '郭', '马', '罗',
];
const GIVEN: [char; 20] = [
    '伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀',
    '霞', '平', '刚', '桂',
];

fn name_of(i: u32) -> String {
    let i = i as usize;
    format!(
        "{}{}{}",
        SURNAMES[i % 20],
        GIVEN[(i / 20) % 20],
        GIVEN[(i / 400) % 20]
    )
}

/// Questions for the drill's syllabus point: 40 true/false, 40 single, 20 multiple.
async fn bank(
    store: &Store,
    actor: &Actor,
    trade_code: &str,
    run: u32,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let tx = store.write(actor, now).await?;
    let point = syllabus_point::Model {
        id: Uuid::now_v7(),
        parent_id: None,
        trade_code: trade_code.to_owned(),
        code: format!("drill-{run}"),
        title: format!("考务演练题目 {run}"),
        position: 999,
        created_at: tx.at(),
    };
    syllabus_point::Entity::insert(syllabus_point::ActiveModel::from(point.clone()))
        .exec(tx.conn())
        .await?;
    let opt = |text: String, correct: bool| ChoiceOption { text, correct };
    for n in 0..100u32 {
        let (kind, body) = match n {
            0..40 => (
                QuestionKind::TrueFalse,
                QuestionBody::TrueFalse { answer: n % 2 == 0 },
            ),
            40..80 => (
                QuestionKind::Single,
                QuestionBody::Single {
                    options: (0..4)
                        .map(|k| opt(format!("选项{k}（第{n}题）"), k == n % 4))
                        .collect(),
                },
            ),
            _ => (
                QuestionKind::Multiple,
                QuestionBody::Multiple {
                    options: (0..4)
                        .map(|k| opt(format!("选项{k}（第{n}题）"), k != n % 4))
                        .collect(),
                },
            ),
        };
        let question = Question::new(
            &format!(
                "演练第 {n} 题：作业前应检查安全防护用品是否完好（{}）",
                kind.name_zh()
            ),
            body,
            Difficulty::ALL[(n % 3) as usize],
            &[],
            "",
        )
        .map_err(|e| StoreError::invalid("question", &e))?;
        let id = Uuid::now_v7();
        question::Entity::insert(question::ActiveModel::from(question::Model {
            id,
            syllabus_point_id: point.id,
            trade_code: trade_code.to_owned(),
            kind: kind.code().to_owned(),
            current_version: 1,
            retired: false,
            source: "drill".to_owned(),
            external_name: None,
            created_at: tx.at(),
            updated_at: tx.at(),
        }))
        .exec(tx.conn())
        .await?;
        question_version::Entity::insert(question_version::ActiveModel::from(
            question_version::Model {
                id: Uuid::now_v7(),
                question_id: id,
                version: 1,
                kind: kind.code().to_owned(),
                stem: question.stem().to_owned(),
                body: codec::body_json(question.body()),
                difficulty: i16::from(question.difficulty().level()),
                tags: codec::tags_json(question.tags()),
                explanation: String::new(),
                created_at: tx.at(),
                created_by: actor.display_name.clone(),
            },
        ))
        .exec(tx.conn())
        .await?;
    }
    tx.commit().await?;
    Ok(point.id)
}

/// Prepares a drill; `progress(done, total)` after each examinee.
pub async fn prepare(
    store: &Store,
    plan: &DrillPlan,
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Drill, StoreError> {
    if plan.examinees > PER_DAY * DAYS_PER_RUN {
        return Err(StoreError::invalid_text(
            "examinees",
            "一次演练最多 16000 名考生",
            "A drill has at most 16,000 examinees",
        ));
    }
    let actor = Actor::system("exam-drill");
    let trade = anpei_domain::trade::find_trade("1.2").ok_or(StoreError::NotFound)?;
    let point = bank(store, &actor, trade.code, plan.run, now).await?;
    let row = |kind: QuestionKind, count| RowJson {
        syllabus_point_id: point,
        kind: kind.code().to_owned(),
        difficulty: None,
        count,
        points: 2,
    };
    let blueprint = sessions::create_blueprint(
        store,
        &actor,
        NewBlueprint {
            name: format!("低压电工作业理论考试（演练 {}）", plan.run),
            trade_code: trade.code.to_owned(),
            part: ExamPart::Theory,
            rows: vec![
                row(QuestionKind::TrueFalse, 20),
                row(QuestionKind::Single, 20),
                row(QuestionKind::Multiple, 10),
            ],
            total: 100,
            pass_mark: 80,
            duration_minutes: plan.duration_minutes,
            required_hours: 40.0,
            score_sheet_id: None,
        },
        now,
    )
    .await?;
    let rooms_needed = plan.examinees.div_ceil(ROOM_SEATS).max(1);
    let rooms: Vec<(String, u32)> = (1..=rooms_needed)
        .map(|r| (format!("第{r}考场"), ROOM_SEATS))
        .collect();
    // The site is run by the first institution with a login, so that its accounts may be
    // put on the drill's staff as a real site's institution's are (sessions::may_staff).
    let institution_id = crate::entity::account::Entity::find()
        .filter(crate::entity::account::Column::Role.eq(anpei_domain::Role::Institution.code()))
        .filter(crate::entity::account::Column::InstitutionId.is_not_null())
        .order_by_asc(crate::entity::account::Column::Username)
        .one(store.connection())
        .await?
        .and_then(|a| a.institution_id);
    let site = sessions::create_site(
        store,
        &actor,
        sessions::NewSite {
            region_code: &plan.region_code,
            name: &format!("演练考试点 {}", plan.run),
            address: "演练",
            rooms: &rooms,
            institution_id,
        },
        now,
    )
    .await?;
    let site_rooms = sessions::sites(store.connection(), &actor)
        .await?
        .into_iter()
        .find(|(s, _)| s.id == site.id)
        .map(|(_, rooms)| rooms)
        .unwrap_or_default();
    let mut session_ids = Vec::new();
    for room in &site_rooms {
        let session = sessions::create_session(
            store,
            &actor,
            NewSession {
                site_id: site.id,
                room_id: room.id,
                blueprint_id: blueprint.id,
                title: format!("低压电工作业理论考试 {}", room.name),
                opens_at: plan.opens_at,
                closes_at: plan.closes_at,
            },
            now,
        )
        .await?;
        session_ids.push(session.id);
    }
    let staff =
        access::enterprise_staff_write(store.connection(), &actor, plan.enterprise_id).await?;
    let today: NaiveDate = crate::verdicts::business_date(now);
    // Each run has its own 20 birth days (300 runs before they wrap, all born 1970–1986).
    let birth0 = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
        + Duration::days(i64::from((plan.run % 300) * DAYS_PER_RUN));
    let mut examinees = Vec::with_capacity(plan.examinees as usize);
    for i in 0..plan.examinees {
        let birth = birth0 + Duration::days(i64::from(i / PER_DAY));
        let id_number = IdNumber::synthesize("230103", birth, (i % PER_DAY + 100) as u16)
            .map_err(|e| StoreError::invalid("id_number", &e))?;
        let name = name_of(i + plan.run * 7);
        let hired = crate::ops::people::hire(
            store,
            &actor,
            staff,
            crate::ops::people::Hire {
                id_number: id_number.clone(),
                name: PersonName::parse(&name).map_err(|e| StoreError::invalid("name", &e))?,
                phone: None,
                education: None,
                kind: EmploymentKind::Regular,
                position: PositionTitle::parse("低压电工")
                    .map_err(|e| StoreError::invalid("position", &e))?,
                flags: PositionFlags::default(),
                period: Period::new(today - Duration::days(60), None)
                    .map_err(|e| StoreError::invalid("period", &e))?,
            },
            now,
        )
        .await?;
        crate::ops::ledgers::record_training(
            store,
            &actor,
            staff,
            hired.person_id,
            NewTraining {
                kind: anpei_domain::rules::TrainingKind::SpecialOps,
                ended_on: today - Duration::days(7),
                hours: 48.0,
                passed_exam: true,
                provider: "演练培训机构".to_owned(),
                trade_code: Some(trade.code.to_owned()),
            },
            today,
            now,
        )
        .await?;
        let session_id = session_ids[(i / ROOM_SEATS) as usize];
        let registered = registration::register(
            store,
            &actor,
            session_id,
            NewRegistration {
                id_number: id_number.as_str().to_owned(),
                name: name.clone(),
                seat_no: None,
                extra_minutes: 0,
            },
            now,
        )
        .await?;
        examinees.push(DrillExaminee {
            session_id,
            person_id: hired.person_id,
            ticket: registered.ticket,
            id_number: id_number.as_str().to_owned(),
            name,
        });
        progress(u64::from(i + 1), u64::from(plan.examinees));
    }
    Ok(Drill {
        sessions: session_ids,
        blueprint_id: blueprint.id,
        syllabus_point_id: point,
        questions: 50,
        examinees,
    })
}
