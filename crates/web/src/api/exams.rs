//! The exam system's JSON API (issue 4): blueprints, sites, sessions, registration and the
//! proctor's console behind the session layers; the examinee's own endpoints (sign-in,
//! paper, answers, events, submit) on the public router, authenticated by the exam token
//! the sign-in hands out (cookie `anpei_exam`, or `Authorization: Bearer`), so an exam
//! room's thousands of saves skip the session store.

use anpei_domain::exam::{ExamPart, Response as ExamResponse};
use anpei_store::exam::attempts::{PageEvent, PaperView, SubmitReason};
use anpei_store::exam::practical::MarkJson;
use anpei_store::exam::registration::{self, NewRegistration};
use anpei_store::exam::sessions::{self, Duty, NewBlueprint, NewSession, RowJson};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

pub const EXAM_COOKIE: &str = "anpei_exam";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_blueprint, list_blueprints))
        .routes(routes!(create_site, list_sites))
        .routes(routes!(create_session, list_sessions))
        .routes(routes!(console))
        .routes(routes!(assign_staff))
        .routes(routes!(register))
        .routes(routes!(extra_time))
        .routes(routes!(force_submit))
        .routes(routes!(score_practical))
        .routes(routes!(attempt_review))
        .routes(routes!(question_stats))
}

/// The examinee's endpoints: no session, the exam token instead.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(paper))
        .routes(routes!(save_answer))
        .routes(routes!(page_event))
        .routes(routes!(submit))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: Uuid,
}

#[derive(Deserialize, ToSchema)]
pub struct BlueprintRequest {
    pub name: String,
    pub trade_code: String,
    /// theory or practical
    pub part: String,
    /// Theory only: rows of (syllabus point, kind, difficulty 1–3 or none, count, points each).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<RowJson>,
    #[serde(default = "hundred")]
    pub total: u32,
    #[serde(default = "eighty")]
    pub pass_mark: u32,
    pub duration_minutes: u32,
    /// Training hours the candidates must have recorded for the trade.
    pub required_hours: f64,
    /// Practical only: the score sheet (a question of kind `practical`).
    pub score_sheet_id: Option<Uuid>,
}

fn hundred() -> u32 {
    100
}

fn eighty() -> u32 {
    80
}

fn part_of(code: &str) -> Result<ExamPart, WebError> {
    ExamPart::parse(code.trim()).ok_or_else(|| WebError::Invalid {
        field: "part".into(),
        zh: "考试科目须为 theory 或 practical".into(),
        en: "part must be theory or practical".into(),
    })
}

/// Creates a blueprint (province). Refused with every short row when the bank cannot fill it.
#[utoipa::path(post, path = "/api/v1/exam/blueprints", tag = "exams", request_body = BlueprintRequest,
    responses((status = 201, body = CreatedDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_blueprint(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<BlueprintRequest>,
) -> Result<(StatusCode, axum::Json<CreatedDto>), WebError> {
    let new = NewBlueprint {
        name: body.name,
        trade_code: body.trade_code,
        part: part_of(&body.part)?,
        rows: body.rows,
        total: body.total,
        pass_mark: body.pass_mark,
        duration_minutes: body.duration_minutes,
        required_hours: body.required_hours,
        score_sheet_id: body.score_sheet_id,
    };
    let model = sessions::create_blueprint(&state.store, &authed.actor, new, clock::now()).await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedDto { id: model.id })))
}

#[derive(Serialize, ToSchema)]
pub struct BlueprintDto {
    pub id: Uuid,
    pub name: String,
    pub trade_code: String,
    pub part: String,
    pub total: i32,
    pub pass_mark: i32,
    pub duration_minutes: i32,
    pub required_hours: f64,
}

#[utoipa::path(get, path = "/api/v1/exam/blueprints", tag = "exams", responses((status = 200, body = Vec<BlueprintDto>)))]
async fn list_blueprints(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<axum::Json<Vec<BlueprintDto>>, WebError> {
    let rows = sessions::blueprints(state.store.connection(), &authed.actor).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|b| BlueprintDto {
                id: b.id,
                name: b.name,
                trade_code: b.trade_code,
                part: b.part,
                total: b.total,
                pass_mark: b.pass_mark,
                duration_minutes: b.duration_minutes,
                required_hours: b.required_hours,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RoomRequest {
    pub name: String,
    pub seats: u32,
}

#[derive(Deserialize, ToSchema)]
pub struct SiteRequest {
    pub region_code: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub rooms: Vec<RoomRequest>,
    /// The training institution that runs the site (its exam site), if one does.
    #[serde(default)]
    pub institution_id: Option<Uuid>,
}

#[utoipa::path(post, path = "/api/v1/exam/sites", tag = "exams", request_body = SiteRequest,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_site(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<SiteRequest>,
) -> Result<(StatusCode, axum::Json<CreatedDto>), WebError> {
    let rooms: Vec<(String, u32)> = body.rooms.into_iter().map(|r| (r.name, r.seats)).collect();
    let site = sessions::create_site(
        &state.store,
        &authed.actor,
        sessions::NewSite {
            region_code: &body.region_code,
            name: &body.name,
            address: &body.address,
            rooms: &rooms,
            institution_id: body.institution_id,
        },
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedDto { id: site.id })))
}

#[derive(Serialize, ToSchema)]
pub struct RoomDto {
    pub id: Uuid,
    pub name: String,
    pub seats: i32,
}

#[derive(Serialize, ToSchema)]
pub struct SiteDto {
    pub id: Uuid,
    pub region_code: String,
    pub name: String,
    pub address: String,
    pub rooms: Vec<RoomDto>,
}

#[utoipa::path(get, path = "/api/v1/exam/sites", tag = "exams", responses((status = 200, body = Vec<SiteDto>)))]
async fn list_sites(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<axum::Json<Vec<SiteDto>>, WebError> {
    let sites = sessions::sites(state.store.connection(), &authed.actor).await?;
    Ok(axum::Json(
        sites
            .into_iter()
            .map(|(s, rooms)| SiteDto {
                id: s.id,
                region_code: s.region_code,
                name: s.name,
                address: s.address,
                rooms: rooms
                    .into_iter()
                    .map(|r| RoomDto {
                        id: r.id,
                        name: r.name,
                        seats: r.seats,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SessionRequest {
    pub site_id: Uuid,
    pub room_id: Uuid,
    pub blueprint_id: Uuid,
    #[serde(default)]
    pub title: String,
    /// RFC 3339; the exam starts then (examinees may sign in 30 minutes before).
    pub opens_at: DateTime<Utc>,
    /// RFC 3339; no one writes after this (plus their extra time).
    pub closes_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/exam/sessions", tag = "exams", request_body = SessionRequest,
    responses((status = 201, body = CreatedDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_session(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<SessionRequest>,
) -> Result<(StatusCode, axum::Json<CreatedDto>), WebError> {
    let new = NewSession {
        site_id: body.site_id,
        room_id: body.room_id,
        blueprint_id: body.blueprint_id,
        title: body.title,
        opens_at: body.opens_at,
        closes_at: body.closes_at,
    };
    let session = sessions::create_session(&state.store, &authed.actor, new, clock::now()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedDto { id: session.id }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SessionDto {
    pub id: Uuid,
    pub title: String,
    pub trade_code: String,
    pub part: String,
    pub site: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub duration_minutes: i32,
}

#[utoipa::path(get, path = "/api/v1/exam/sessions", tag = "exams", responses((status = 200, body = Vec<SessionDto>)))]
async fn list_sessions(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<axum::Json<Vec<SessionDto>>, WebError> {
    let rows = sessions::sessions(state.store.connection(), &authed.actor).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|(s, site)| SessionDto {
                id: s.id,
                title: s.title,
                trade_code: s.trade_code,
                part: s.part,
                site: site.name,
                opens_at: s.opens_at,
                closes_at: s.closes_at,
                duration_minutes: s.duration_minutes,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ExamineeDto {
    pub person_id: Uuid,
    pub registration_id: Uuid,
    pub name: String,
    /// Masked.
    pub id_number: String,
    pub ticket: String,
    pub seat_no: i32,
    pub sitting: i32,
    pub make_up: bool,
    /// registered, signed_in, finished, absent
    pub status: String,
    pub attempt_id: Option<Uuid>,
    pub answered: u32,
    pub questions: u32,
    pub deadline: Option<DateTime<Utc>>,
    pub seconds_left: Option<i64>,
    pub leaves: u32,
    /// Reconnects and sign-ins on another device.
    pub reconnects: u32,
    pub score: Option<i32>,
    pub passed: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ConsoleDto {
    pub session: SessionDto,
    pub room: String,
    pub seats: i32,
    pub organiser: bool,
    /// proctor or examiner, when the caller is on the session's staff.
    pub duty: Option<String>,
    pub examinees: Vec<ExamineeDto>,
}

/// The proctor's console: who signed in, progress, time left, incidents.
#[utoipa::path(get, path = "/api/v1/exam/sessions/{id}", tag = "exams", params(("id" = Uuid, Path)),
    responses((status = 200, body = ConsoleDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn console(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ConsoleDto>, WebError> {
    Ok(axum::Json(console_of(&state, &authed, id).await?))
}

pub async fn console_of(
    state: &AppState,
    authed: &Authed,
    id: Uuid,
) -> Result<ConsoleDto, WebError> {
    let db = state.store.connection();
    let access = sessions::session_access(db, &authed.actor, id).await?;
    let listed = registration::list(db, id).await?;
    let progress = anpei_store::exam::attempts::session_progress(db, id).await?;
    let now = clock::now();
    let examinees = listed
        .into_iter()
        .map(|l| {
            let p = progress.get(&l.registration.id);
            ExamineeDto {
                person_id: l.registration.person_id,
                registration_id: l.registration.id,
                name: l.name,
                id_number: l.id_number.masked(),
                ticket: l.registration.ticket,
                seat_no: l.registration.seat_no,
                sitting: l.registration.sitting,
                make_up: l.registration.make_up,
                status: l.registration.status,
                attempt_id: p.map(|p| p.attempt_id),
                answered: p.map_or(0, |p| p.answered),
                questions: p.map_or(0, |p| p.questions),
                deadline: p.map(|p| p.deadline),
                seconds_left: p.and_then(|p| {
                    (p.submitted_at.is_none()).then(|| (p.deadline - now).num_seconds().max(0))
                }),
                leaves: p.map_or(0, |p| p.leaves),
                reconnects: p.map_or(0, |p| p.reconnects),
                score: p.and_then(|p| p.score),
                passed: p.and_then(|p| p.passed),
            }
        })
        .collect();
    Ok(ConsoleDto {
        session: SessionDto {
            id: access.session.id,
            title: access.session.title.clone(),
            trade_code: access.session.trade_code.clone(),
            part: access.session.part.clone(),
            site: access.site.name.clone(),
            opens_at: access.session.opens_at,
            closes_at: access.session.closes_at,
            duration_minutes: access.session.duration_minutes,
        },
        room: access.room.name.clone(),
        seats: access.room.seats,
        organiser: access.organiser,
        duty: access.duty.map(|d| d.code().to_owned()),
        examinees,
    })
}

#[derive(Deserialize, ToSchema)]
pub struct StaffRequest {
    pub account_id: Uuid,
    /// proctor or examiner
    pub duty: String,
}

#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/staff", tag = "exams", params(("id" = Uuid, Path)), request_body = StaffRequest,
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn assign_staff(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<StaffRequest>,
) -> Result<StatusCode, WebError> {
    let duty = Duty::parse(body.duty.trim()).ok_or_else(|| WebError::Invalid {
        field: "duty".into(),
        zh: "职责须为 proctor（监考）或 examiner（考评员）".into(),
        en: "duty must be proctor or examiner".into(),
    })?;
    sessions::assign_staff(
        &state.store,
        &authed.actor,
        id,
        body.account_id,
        duty,
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RegistrationRequest {
    pub id_number: String,
    pub name: String,
    pub seat_no: Option<u32>,
    #[serde(default)]
    pub extra_minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationDto {
    pub id: Uuid,
    pub person_id: Uuid,
    /// 准考证号.
    pub ticket: String,
    pub seat_no: i32,
    pub sitting: i32,
    pub make_up: bool,
}

/// Puts a person on the session's list; refused (422) with every reason when they are not
/// eligible (training hours, age, education, make-ups used up).
#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/registrations", tag = "exams", params(("id" = Uuid, Path)), request_body = RegistrationRequest,
    responses((status = 201, body = RegistrationDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn register(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<RegistrationRequest>,
) -> Result<(StatusCode, axum::Json<RegistrationDto>), WebError> {
    let new = NewRegistration {
        id_number: body.id_number,
        name: body.name,
        seat_no: body.seat_no,
        extra_minutes: body.extra_minutes,
    };
    let r = registration::register(&state.store, &authed.actor, id, new, clock::now()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(RegistrationDto {
            id: r.id,
            person_id: r.person_id,
            ticket: r.ticket,
            seat_no: r.seat_no,
            sitting: r.sitting,
            make_up: r.make_up,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ExtraTimeRequest {
    pub minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineDto {
    pub deadline: DateTime<Utc>,
}

async fn proctor_attempt(
    state: &AppState,
    authed: &Authed,
    session_id: Uuid,
    person_id: Uuid,
    attempt_id: Uuid,
) -> Result<(), WebError> {
    let access =
        sessions::session_access(state.store.connection(), &authed.actor, session_id).await?;
    if !access.may_proctor() {
        return Err(WebError::NotFound);
    }
    anpei_store::exam::attempts::attempt_in_session(
        state.store.connection(),
        session_id,
        person_id,
        attempt_id,
    )
    .await?;
    Ok(())
}

/// Gives one examinee extra minutes (a proctor's decision, recorded in the timeline).
#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/attempts/{person_id}/{attempt_id}/extra-time", tag = "exams",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("attempt_id" = Uuid, Path)), request_body = ExtraTimeRequest,
    responses((status = 200, body = DeadlineDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn extra_time(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, attempt_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<ExtraTimeRequest>,
) -> Result<axum::Json<DeadlineDto>, WebError> {
    proctor_attempt(&state, &authed, id, person_id, attempt_id).await?;
    let deadline = state
        .exam_desk
        .extra_time(
            &authed.actor,
            person_id,
            attempt_id,
            body.minutes,
            clock::now(),
        )
        .await?;
    Ok(axum::Json(DeadlineDto { deadline }))
}

#[derive(Serialize, ToSchema)]
pub struct ResultDto {
    pub score: u32,
    pub total: u32,
    pub passed: bool,
    pub answered: u32,
    pub questions: u32,
    /// The special-operations certificate issued because both parts are now passed.
    pub certificate: Option<String>,
}

impl From<anpei_store::exam::attempts::Graded> for ResultDto {
    fn from(g: anpei_store::exam::attempts::Graded) -> Self {
        ResultDto {
            score: g.score,
            total: g.total,
            passed: g.passed,
            answered: g.answered,
            questions: g.questions,
            certificate: g.certificate,
        }
    }
}

/// Ends an examinee's attempt now (a proctor's decision) and grades it.
#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/attempts/{person_id}/{attempt_id}/submit", tag = "exams",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("attempt_id" = Uuid, Path)),
    responses((status = 200, body = ResultDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn force_submit(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, attempt_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<axum::Json<ResultDto>, WebError> {
    proctor_attempt(&state, &authed, id, person_id, attempt_id).await?;
    let graded = state
        .exam_desk
        .submit_attempt(person_id, attempt_id, SubmitReason::Proctor, clock::now())
        .await?;
    Ok(axum::Json(graded.into()))
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntryDto {
    pub at: DateTime<Utc>,
    /// sign_in, sign_in_again, answer, leave, return, reconnect, extra_time, submit
    pub kind: String,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptReviewDto {
    pub paper: PaperDto,
    pub timeline: Vec<TimelineEntryDto>,
}

/// One attempt for its proctors: the paper with the answers and the right ones, and the
/// timeline of answers, reconnects and page-leave events.
#[utoipa::path(get, path = "/api/v1/exam/sessions/{id}/attempts/{person_id}/{attempt_id}", tag = "exams",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("attempt_id" = Uuid, Path)),
    responses((status = 200, body = AttemptReviewDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn attempt_review(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, attempt_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<axum::Json<AttemptReviewDto>, WebError> {
    proctor_attempt(&state, &authed, id, person_id, attempt_id).await?;
    let db = state.store.connection();
    let attempt =
        anpei_store::exam::attempts::attempt_in_session(db, id, person_id, attempt_id).await?;
    let view = state
        .exam_desk
        .paper_of(attempt, clock::now(), true)
        .await?;
    let timeline = anpei_store::exam::attempts::timeline(db, person_id, attempt_id)
        .await?
        .into_iter()
        .map(|(at, kind, detail)| TimelineEntryDto { at, kind, detail })
        .collect();
    Ok(axum::Json(AttemptReviewDto {
        paper: paper_dto(view),
        timeline,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PracticalRequest {
    /// One mark per item of the score sheet, in order.
    #[schema(value_type = Vec<Object>)]
    pub marks: Vec<MarkJson>,
    /// References to the evidence: video file numbers, photo ids.
    pub evidence: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PracticalDto {
    pub id: Uuid,
    pub score: i32,
    pub passed: bool,
    pub certificate: Option<String>,
}

/// An examiner's marks on the practical score sheet for one examinee.
#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/practical/{person_id}/{registration_id}", tag = "exams",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("registration_id" = Uuid, Path)), request_body = PracticalRequest,
    responses((status = 201, body = PracticalDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn score_practical(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, registration_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<PracticalRequest>,
) -> Result<(StatusCode, axum::Json<PracticalDto>), WebError> {
    let (score, certificate) = anpei_store::exam::practical::score(
        &state.store,
        &authed.actor,
        id,
        person_id,
        registration_id,
        body.marks,
        body.evidence,
        clock::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PracticalDto {
            id: score.id,
            score: score.score,
            passed: score.passed,
            certificate,
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatsParams {
    /// Only this trade's questions, e.g. `1.2`.
    pub trade: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionStatDto {
    pub question_id: Uuid,
    pub trade_code: String,
    pub stem: String,
    pub kind: String,
    /// Times the question was on a handed-in paper.
    pub shown: usize,
    /// Difficulty index p: the share answered right.
    pub difficulty: f64,
    /// Discrimination D (upper 27 % minus lower 27 %); absent below ten papers.
    pub discrimination: Option<f64>,
    /// D below 0.2, or p outside 0.2–0.9: a question to review.
    pub flagged: bool,
}

impl From<anpei_store::exam::stats::QuestionStat> for QuestionStatDto {
    fn from(s: anpei_store::exam::stats::QuestionStat) -> Self {
        QuestionStatDto {
            flagged: s.flagged(),
            question_id: s.question_id,
            trade_code: s.trade_code,
            stem: s.stem,
            kind: s.kind,
            shown: s.shown,
            difficulty: s.difficulty,
            discrimination: s.discrimination,
        }
    }
}

/// Results per question for the bank's owner (the province): times shown, difficulty p and
/// discrimination D, with the questions to review flagged.
#[utoipa::path(get, path = "/api/v1/exam/stats", tag = "exams", params(StatsParams),
    responses((status = 200, body = Vec<QuestionStatDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn question_stats(
    State(state): State<AppState>,
    authed: Authed,
    Query(params): Query<StatsParams>,
) -> Result<axum::Json<Vec<QuestionStatDto>>, WebError> {
    let trade = params
        .trade
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let stats =
        anpei_store::exam::stats::question_stats(state.store.connection(), &authed.actor, trade)
            .await?;
    Ok(axum::Json(stats.into_iter().map(Into::into).collect()))
}

// ---- The examinee's endpoints -------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
pub struct SignInRequest {
    pub session_id: Uuid,
    /// 准考证号.
    pub ticket: String,
    pub id_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInDto {
    /// The exam token: send it as `Authorization: Bearer` (the page keeps it in the
    /// `anpei_exam` cookie instead).
    pub token: String,
    pub attempt_id: Uuid,
    pub resumed: bool,
}

/// Signs an examinee in at their seat: ticket and ID number are checked against the
/// archive; signing in again resumes the same attempt (and ends the other device's token).
#[utoipa::path(post, path = "/api/v1/exam/sign-in", tag = "exams", request_body = SignInRequest,
    responses((status = 200, body = SignedInDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn sign_in(
    State(state): State<AppState>,
    Json(body): Json<SignInRequest>,
) -> Result<Response, WebError> {
    let (token, signed) =
        sign_in_examinee(&state, body.session_id, &body.ticket, &body.id_number).await?;
    let cookie = exam_cookie(&token, state.config.secure_cookies);
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::Json(SignedInDto {
            token,
            attempt_id: signed.attempt_id,
            resumed: signed.resumed,
        }),
    )
        .into_response())
}

pub async fn sign_in_examinee(
    state: &AppState,
    session_id: Uuid,
    ticket: &str,
    id_number: &str,
) -> Result<(String, anpei_store::exam::attempts::SignedIn), WebError> {
    // 256 bits from two session ids (tower-sessions draws them from the OS generator).
    let token = format!(
        "{}{}",
        tower_sessions::session::Id::default(),
        tower_sessions::session::Id::default()
    );
    // The seed is stored with the attempt; it only needs to differ between examinees. The
    // low 64 bits of a v7 UUID are random, and the token's bytes are mixed in.
    let seed = (Uuid::now_v7().as_u128() as u64)
        ^ token
            .bytes()
            .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b));
    let signed = state
        .exam_desk
        .sign_in(session_id, ticket, id_number, &token, seed, clock::now())
        .await?;
    Ok((token, signed))
}

pub fn exam_cookie(token: &str, secure: bool) -> String {
    format!(
        "{EXAM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The exam token of a request: `Authorization: Bearer …` or the `anpei_exam` cookie.
pub fn exam_token(headers: &HeaderMap) -> Result<String, WebError> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Ok(bearer.trim().to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == EXAM_COOKIE)
        .map(|(_, value)| value.to_owned())
        .ok_or(WebError::Unauthorized)
}

#[derive(Serialize, ToSchema)]
pub struct OptionDto {
    /// The option's index in the question (send it back as the answer).
    pub index: u8,
    /// The letter shown (A, B, …) in the order shown.
    pub letter: String,
    pub text: String,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct ResponseDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub true_false: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl ResponseDto {
    fn of(r: &ExamResponse) -> Self {
        match r {
            ExamResponse::Choices(c) => ResponseDto {
                choices: Some(c.clone()),
                true_false: None,
                text: None,
            },
            ExamResponse::TrueFalse(b) => ResponseDto {
                choices: None,
                true_false: Some(*b),
                text: None,
            },
            ExamResponse::Text(t) => ResponseDto {
                choices: None,
                true_false: None,
                text: Some(t.clone()),
            },
        }
    }

    fn parse(self) -> Result<ExamResponse, WebError> {
        match (self.choices, self.true_false, self.text) {
            (Some(mut c), None, None) => {
                c.sort_unstable();
                c.dedup();
                Ok(ExamResponse::Choices(c))
            }
            (None, Some(b), None) => Ok(ExamResponse::TrueFalse(b)),
            (None, None, Some(t)) => Ok(ExamResponse::Text(t)),
            _ => Err(WebError::Invalid {
                field: "response".into(),
                zh: "答案须为 choices、true_false、text 之一".into(),
                en: "The answer must be one of choices, true_false, text".into(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemDto {
    pub position: u32,
    /// single, multiple, true_false, fill_in
    pub kind: String,
    pub kind_name: String,
    pub stem: String,
    pub options: Vec<OptionDto>,
    pub points: u32,
    pub answer: Option<ResponseDto>,
    /// Only in a proctor's review, never to the examinee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<ResponseDto>,
}

#[derive(Serialize, ToSchema)]
pub struct PaperDto {
    pub attempt_id: Uuid,
    pub name: String,
    pub title: String,
    pub trade_code: String,
    pub trade_name: String,
    pub opens_at: DateTime<Utc>,
    pub started: bool,
    pub deadline: DateTime<Utc>,
    pub server_now: DateTime<Utc>,
    pub submitted: bool,
    pub score: Option<i32>,
    pub passed: Option<bool>,
    pub total: u32,
    pub pass_mark: u32,
    pub question_count: u32,
    /// Highest answer sequence stored: the page continues from here.
    pub last_seq: i64,
    pub items: Vec<ItemDto>,
}

pub fn paper_dto(view: PaperView) -> PaperDto {
    PaperDto {
        attempt_id: view.attempt_id,
        name: view.name,
        title: view.title,
        trade_name: anpei_domain::trade::find_trade(&view.trade_code)
            .map_or(String::new(), |t| t.name.to_owned()),
        trade_code: view.trade_code,
        opens_at: view.opens_at,
        started: view.started,
        deadline: view.deadline,
        server_now: view.server_now,
        submitted: view.submitted_at.is_some(),
        score: view.score,
        passed: view.passed,
        total: view.total,
        pass_mark: view.pass_mark,
        question_count: view.question_count,
        last_seq: view.last_seq,
        items: view
            .items
            .into_iter()
            .map(|i| ItemDto {
                position: i.position,
                kind: i.kind.code().to_owned(),
                kind_name: i.kind.name_zh().to_owned(),
                stem: i.stem,
                options: i
                    .options
                    .into_iter()
                    .enumerate()
                    .map(|(shown, (index, text))| OptionDto {
                        index,
                        letter: anpei_domain::exam::question::option_letter(shown).to_string(),
                        text,
                    })
                    .collect(),
                points: i.points,
                answer: i.answer.as_ref().map(ResponseDto::of),
                key: i.key.as_ref().map(ResponseDto::of),
            })
            .collect(),
    }
}

/// The examinee's paper with their saved answers, the server's time and the deadline.
#[utoipa::path(get, path = "/api/v1/exam/paper", tag = "exams",
    responses((status = 200, body = PaperDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn paper(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let token = exam_token(&headers)?;
    let view = state
        .exam_desk
        .paper(&token, clock::now())
        .await
        .map_err(token_error)?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(paper_dto(view)),
    )
        .into_response())
}

fn token_error(err: anpei_store::StoreError) -> WebError {
    match err {
        anpei_store::StoreError::Forbidden => WebError::Unauthorized,
        other => other.into(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SaveRequest {
    /// The page's sequence number of this save, counting from `last_seq + 1`.
    pub seq: i64,
    pub position: u32,
    pub response: ResponseDto,
}

#[derive(Serialize, ToSchema)]
pub struct SavedDto {
    pub seq: i64,
    /// The save repeated one already stored.
    pub repeated: bool,
}

/// Saves one answer. The reply comes only after the answer is committed.
#[utoipa::path(put, path = "/api/v1/exam/answers", tag = "exams", request_body = SaveRequest,
    responses((status = 200, body = SavedDto), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn save_answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<SaveRequest>,
) -> Result<axum::Json<SavedDto>, WebError> {
    let token = exam_token(&headers)?;
    let response = body.response.parse()?;
    let ack = state
        .exam_desk
        .save(&token, body.seq, body.position, response, clock::now())
        .await
        .map_err(token_error)?;
    Ok(axum::Json(SavedDto {
        seq: ack.seq,
        repeated: ack.repeated,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct EventRequest {
    /// leave, return, reconnect
    pub kind: String,
}

/// Records a page event in the attempt's timeline.
#[utoipa::path(post, path = "/api/v1/exam/events", tag = "exams", request_body = EventRequest,
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn page_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<EventRequest>,
) -> Result<StatusCode, WebError> {
    let token = exam_token(&headers)?;
    let event = PageEvent::parse(body.kind.trim()).ok_or_else(|| WebError::Invalid {
        field: "kind".into(),
        zh: "未知的事件".into(),
        en: "Unknown event".into(),
    })?;
    state
        .exam_desk
        .event(&token, event, clock::now())
        .await
        .map_err(token_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hands the paper in and returns the result.
#[utoipa::path(post, path = "/api/v1/exam/submit", tag = "exams",
    responses((status = 200, body = ResultDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<axum::Json<ResultDto>, WebError> {
    let token = exam_token(&headers)?;
    let graded = state
        .exam_desk
        .submit(&token, clock::now())
        .await
        .map_err(token_error)?;
    Ok(axum::Json(graded.into()))
}
