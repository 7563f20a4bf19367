//! Putting people on a session's list (考生名单): only those whose special-operations training
//! of the trade is complete, who are old enough, educated enough for the trade, and have an
//! attempt left (`anpei_domain::exam::eligibility`). Each gets a seat and an admission ticket
//! (准考证号) with ten random digits (issue 13: not guessable from a neighbour's); the
//! registration is ledgered with the person's archive.

use anpei_domain::exam::ExamPart;
use anpei_domain::exam::eligibility::{self, Candidate, CompletedTraining, EarlierSitting};
use anpei_domain::rules::facts::Education;
use anpei_domain::{Bilingual, IdNumber};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::access::Actor;
use crate::entity::{
    exam_attempt, exam_blueprint, exam_registration, exam_session, person, person_identity,
    practical_score, training_record,
};
use crate::ledger::{Change, LedgerKey};
use crate::ops::certificates::rules_for;
use crate::{Store, StoreError};

/// Registration states.
pub const REGISTERED: &str = "registered";
pub const SIGNED_IN: &str = "signed_in";
pub const FINISHED: &str = "finished";
pub const ABSENT: &str = "absent";

#[derive(Clone, Debug)]
pub struct NewRegistration {
    pub id_number: String,
    pub name: String,
    /// `None`: the next free seat.
    pub seat_no: Option<u32>,
    pub extra_minutes: u32,
}

/// The earlier sittings of one part of one trade, with their results (absences and attempts
/// still running do not count).
pub async fn sittings(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    trade_code: &str,
    part: ExamPart,
) -> Result<Vec<EarlierSitting>, StoreError> {
    let sessions: std::collections::HashMap<Uuid, exam_session::Model> =
        exam_session::Entity::find()
            .filter(exam_session::Column::TradeCode.eq(trade_code))
            .filter(exam_session::Column::Part.eq(part.code()))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let mut out = Vec::new();
    match part {
        ExamPart::Theory => {
            for attempt in exam_attempt::Entity::find()
                .filter(exam_attempt::Column::PersonId.eq(person_id))
                .all(db)
                .await?
            {
                if let (Some(session), Some(passed)) =
                    (sessions.get(&attempt.session_id), attempt.passed)
                {
                    let _ = session;
                    out.push(EarlierSitting {
                        on: crate::verdicts::business_date(attempt.started_at),
                        passed,
                    });
                }
            }
        }
        ExamPart::Practical => {
            for score in practical_score::Entity::find()
                .filter(practical_score::Column::PersonId.eq(person_id))
                .all(db)
                .await?
            {
                if sessions.contains_key(&score.session_id) {
                    out.push(EarlierSitting {
                        on: crate::verdicts::business_date(score.scored_at),
                        passed: score.passed,
                    });
                }
            }
        }
    }
    Ok(out)
}

pub async fn register(
    store: &Store,
    actor: &Actor,
    session_id: Uuid,
    new: NewRegistration,
    now: DateTime<Utc>,
) -> Result<exam_registration::Model, StoreError> {
    let access = super::sessions::session_access(store.connection(), actor, session_id).await?;
    if !access.organiser {
        return Err(StoreError::Forbidden);
    }
    let session = access.session;
    let id_number =
        IdNumber::parse(new.id_number.trim()).map_err(|e| StoreError::invalid("id_number", &e))?;
    if new.extra_minutes > 120 {
        return Err(StoreError::invalid_text(
            "extra_minutes",
            "延时不超过 120 分钟",
            "At most 120 extra minutes",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    let identity = person_identity::Entity::find_by_id(id_number.as_str().to_owned())
        .one(tx.conn())
        .await?
        .ok_or_else(|| {
            StoreError::invalid_text(
                "id_number",
                "档案中没有这个身份证号",
                "No archive with this ID number",
            )
        })?;
    let person = person::Entity::find_by_id(identity.person_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    if person.name != new.name.trim() {
        return Err(StoreError::invalid_text(
            "name",
            "姓名与档案不符",
            "The name does not match the archive",
        ));
    }
    let already = exam_registration::Entity::find()
        .filter(exam_registration::Column::PersonId.eq(person.id))
        .filter(exam_registration::Column::SessionId.eq(session.id))
        .count(tx.conn())
        .await?;
    if already > 0 {
        return Err(StoreError::invalid_text(
            "id_number",
            "此人已在本场次名单中",
            "Already on this session's list",
        ));
    }
    let blueprint = exam_blueprint::Entity::find_by_id(session.blueprint_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let part = ExamPart::parse(&session.part).ok_or(StoreError::NotFound)?;
    let trade = anpei_domain::trade::find_trade(&session.trade_code).ok_or(StoreError::NotFound)?;
    let trainings: Vec<CompletedTraining> = training_record::Entity::find()
        .filter(training_record::Column::PersonId.eq(person.id))
        .filter(
            training_record::Column::Kind.eq(anpei_domain::rules::TrainingKind::SpecialOps.code()),
        )
        .filter(training_record::Column::TradeCode.eq(trade.code))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|t| CompletedTraining {
            ended_on: t.ended_on,
            hours: t.hours,
        })
        .collect();
    let earlier = sittings(tx.conn(), person.id, trade.code, part).await?;
    let exam_day: NaiveDate = crate::verdicts::business_date(session.opens_at);
    let candidate = Candidate {
        birth_date: person.birth_date,
        education: person.education.as_deref().and_then(Education::parse),
        trainings: &trainings,
        sittings: &earlier,
    };
    let eligible = eligibility::check(
        &candidate,
        trade,
        blueprint.required_hours,
        &rules_for(anpei_domain::certificate::CertificateKind::SpecialOps),
        exam_day,
    )
    .map_err(|refusals| {
        let zh: Vec<String> = refusals.iter().map(Bilingual::zh).collect();
        let en: Vec<String> = refusals.iter().map(Bilingual::en).collect();
        StoreError::invalid_text(
            "id_number",
            format!("不符合报考条件：{}", zh.join("；")),
            format!("Not eligible: {}", en.join("; ")),
        )
    })?;
    let taken: Vec<i32> = exam_registration::Entity::find()
        .filter(exam_registration::Column::SessionId.eq(session.id))
        .order_by_asc(exam_registration::Column::SeatNo)
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|r| r.seat_no)
        .collect();
    let seats = access.room.seats;
    let seat_no = match new.seat_no {
        Some(seat) => {
            let seat = seat as i32;
            if !(1..=seats).contains(&seat) {
                return Err(StoreError::invalid_text(
                    "seat_no",
                    format!("座位号须为 1–{seats}"),
                    format!("Seat must be 1–{seats}"),
                ));
            }
            if taken.contains(&seat) {
                return Err(StoreError::invalid_text(
                    "seat_no",
                    format!("{seat} 号座位已有人"),
                    format!("Seat {seat} is taken"),
                ));
            }
            seat
        }
        None => (1..=seats).find(|s| !taken.contains(s)).ok_or_else(|| {
            StoreError::invalid_text("seat_no", "考场座位已满", "The room is full")
        })?,
    };
    let ticket = loop {
        let ticket = ticket_number(exam_day, random_u64());
        let taken = exam_registration::Entity::find()
            .filter(exam_registration::Column::Ticket.eq(&ticket))
            .count(tx.conn())
            .await?;
        // One chance in 10¹⁰ per ticket already handed out that day: draw again.
        if taken == 0 {
            break ticket;
        }
    };
    let model = exam_registration::Model {
        person_id: person.id,
        id: Uuid::now_v7(),
        session_id: session.id,
        ticket,
        seat_no,
        sitting: eligible.sitting as i32,
        make_up: eligible.make_up,
        extra_minutes: new.extra_minutes as i32,
        status: REGISTERED.to_owned(),
        signed_in_at: None,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    exam_registration::Entity::insert(exam_registration::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "exam.register",
        LedgerKey::ExamRegistration {
            person_id: person.id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

/// Random digits in an admission ticket: 10¹⁰ tickets a day (33 bits), so that knowing
/// one's own ticket says nothing about anyone else's.
const TICKET_RANDOM_DIGITS: u32 = 10;

/// An admission ticket (准考证号): the exam day (`YYYYMMDD`) and ten random digits, 18 digits
/// in all — digits only, so that it is read out, typed on a numeric keypad and printed
/// like the sequential tickets before it, but no longer guessed from a neighbour's.
pub fn ticket_number(exam_day: NaiveDate, random: u64) -> String {
    let digits = random % 10u64.pow(TICKET_RANDOM_DIGITS);
    format!(
        "{}{digits:0width$}",
        exam_day.format("%Y%m%d"),
        width = TICKET_RANDOM_DIGITS as usize
    )
}

/// 64 random bits from the operating system's generator: the low 32 bits of a v7 UUID are
/// drawn afresh for each one (the bits above them are the time and a counter).
pub(crate) fn random_u64() -> u64 {
    let low = |id: Uuid| id.as_u128() as u64 & 0xffff_ffff;
    (low(Uuid::now_v7()) << 32) | low(Uuid::now_v7())
}

/// One row of a session's list, with the person's name.
#[derive(Clone, Debug)]
pub struct ListedExaminee {
    pub registration: exam_registration::Model,
    pub name: String,
    pub id_number: IdNumber,
}

pub async fn list(
    db: &impl ConnectionTrait,
    session_id: Uuid,
) -> Result<Vec<ListedExaminee>, StoreError> {
    let registrations = exam_registration::Entity::find()
        .filter(exam_registration::Column::SessionId.eq(session_id))
        .order_by_asc(exam_registration::Column::SeatNo)
        .all(db)
        .await?;
    let people: std::collections::HashMap<Uuid, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(registrations.iter().map(|r| r.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    registrations
        .into_iter()
        .filter_map(|r| {
            let p = people.get(&r.person_id)?;
            Some(IdNumber::parse(&p.id_number).map(|id| ListedExaminee {
                name: p.name.clone(),
                id_number: id,
                registration: r,
            }))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| StoreError::Db(sea_orm::DbErr::Custom("stored id_number".into())))
}

/// People still `registered` when their session has closed did not come (缺考).
pub async fn mark_absent(store: &Store, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let closed: Vec<Uuid> = exam_session::Entity::find()
        .filter(exam_session::Column::ClosesAt.lt(now))
        .all(store.connection())
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if closed.is_empty() {
        return Ok(0);
    }
    let missing = exam_registration::Entity::find()
        .filter(exam_registration::Column::Status.eq(REGISTERED))
        .filter(exam_registration::Column::SessionId.is_in(closed))
        .all(store.connection())
        .await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let mut tx = store.write(&Actor::system("exam-desk"), now).await?;
    let count = missing.len();
    for registration in missing {
        let model = exam_registration::Model {
            status: ABSENT.to_owned(),
            updated_at: tx.at(),
            ..registration
        };
        super::attempts::save_registration(&mut tx, &model, "exam.absent").await?;
    }
    tx.commit().await?;
    Ok(count)
}

/// One exam sitting as a person's archive shows it.
#[derive(Clone, Debug)]
pub struct ExamRecord {
    pub on: NaiveDate,
    pub trade_code: String,
    pub part: ExamPart,
    pub sitting: i32,
    pub make_up: bool,
    pub status: String,
    pub score: Option<i32>,
    pub passed: Option<bool>,
    pub site: String,
}

/// A person's exam sittings, newest first (registrations with their attempt or practical
/// score). The caller has checked that the actor may read the person.
pub async fn archive_records(
    db: &impl ConnectionTrait,
    holder: crate::access::PersonRead,
) -> Result<Vec<ExamRecord>, StoreError> {
    use crate::entity::exam_site;
    let person_id = holder.person_id();
    let registrations = exam_registration::Entity::find()
        .filter(exam_registration::Column::PersonId.eq(person_id))
        .all(db)
        .await?;
    if registrations.is_empty() {
        return Ok(Vec::new());
    }
    let sessions: std::collections::HashMap<Uuid, exam_session::Model> =
        exam_session::Entity::find()
            .filter(exam_session::Column::Id.is_in(registrations.iter().map(|r| r.session_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let sites: std::collections::HashMap<Uuid, String> = exam_site::Entity::find()
        .filter(exam_site::Column::Id.is_in(sessions.values().map(|s| s.site_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let attempts = exam_attempt::Entity::find()
        .filter(exam_attempt::Column::PersonId.eq(person_id))
        .all(db)
        .await?;
    let scores = practical_score::Entity::find()
        .filter(practical_score::Column::PersonId.eq(person_id))
        .all(db)
        .await?;
    let mut out: Vec<ExamRecord> = registrations
        .into_iter()
        .filter_map(|r| {
            let session = sessions.get(&r.session_id)?;
            let part = ExamPart::parse(&session.part)?;
            let (score, passed) = match part {
                ExamPart::Theory => attempts
                    .iter()
                    .find(|a| a.registration_id == r.id)
                    .map_or((None, None), |a| (a.score, a.passed)),
                ExamPart::Practical => scores
                    .iter()
                    .find(|s| s.registration_id == r.id)
                    .map_or((None, None), |s| (Some(s.score), Some(s.passed))),
            };
            Some(ExamRecord {
                on: crate::verdicts::business_date(session.opens_at),
                trade_code: session.trade_code.clone(),
                part,
                sitting: r.sitting,
                make_up: r.make_up,
                status: r.status,
                score,
                passed,
                site: sites.get(&session.site_id).cloned().unwrap_or_default(),
            })
        })
        .collect();
    out.sort_by_key(|record| std::cmp::Reverse(record.on));
    Ok(out)
}
