//! The exam system's JSON API (issue 4): blueprints, sites, sessions, registration and the
//! proctor's console behind the session layers; the examinee's own endpoints (sign-in,
//! paper, answers, events, submit) on the public router, authenticated by the exam token
//! the sign-in hands out (cookie `anpei_exam`, or `Authorization: Bearer`), so an exam
//! room's thousands of saves skip the session store.
//!
//! Sign-in (issue 13): wrong pairs are limited (429 with `Retry-After`), a device proves it
//! is the one the attempt began on with the device secret it keeps (cookie
//! `anpei_exam_device`, or `device` in the request), and any other device waits (202) for a
//! proctor's approval on the console, polling `GET /api/v1/exam/sign-in/wait`.

use anpei_domain::exam::{ExamPart, Response as ExamResponse};
use anpei_store::exam::attempts::{
    Decision, Keys, PageEvent, PaperView, SignInAttempt, SignInOutcome, SubmitReason, WaitState,
};
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

use crate::auth::{Authed, ClientAddr};
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

pub const EXAM_COOKIE: &str = "anpei_exam";
/// The device secret: it outlives sign-ins (a week), so that the same device may sign in
/// again without a proctor.
pub const DEVICE_COOKIE: &str = "anpei_exam_device";

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
        .routes(routes!(decide_sign_in))
        .routes(routes!(question_stats))
}

/// The examinee's endpoints: no session, the exam token instead.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(wait_for_proctor))
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

/// A sign-in from another device waiting for a proctor.
#[derive(Serialize, ToSchema)]
pub struct SignInRequestDto {
    pub id: Uuid,
    pub person_id: Uuid,
    pub attempt_id: Uuid,
    pub name: String,
    pub ticket: String,
    pub seat_no: i32,
    pub requested_at: DateTime<Utc>,
    /// The client address it came from, when the server knows it.
    pub client: String,
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
    /// Sign-ins from other devices waiting for a proctor (proctors and organisers only).
    pub sign_in_requests: Vec<SignInRequestDto>,
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
    let sign_in_requests = if access.may_proctor() {
        anpei_store::exam::attempts::pending_sign_ins(db, id)
            .await?
            .into_iter()
            .filter_map(|r| {
                let listed = listed
                    .iter()
                    .find(|l| l.registration.person_id == r.person_id)?;
                Some(SignInRequestDto {
                    id: r.id,
                    person_id: r.person_id,
                    attempt_id: r.attempt_id,
                    name: listed.name.clone(),
                    ticket: listed.registration.ticket.clone(),
                    seat_no: listed.registration.seat_no,
                    requested_at: r.requested_at,
                    client: r.client,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
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
        sign_in_requests,
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

/// One attempt for its proctors: the paper with the answers (and the right ones once it is
/// handed in, never before), and the timeline of answers, reconnects and page-leave events.
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
        .paper_of(attempt, clock::now(), Keys::OnceHandedIn)
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
pub struct DecisionRequest {
    /// approve or reject
    pub decision: String,
}

pub fn decision_of(code: &str) -> Result<Decision, WebError> {
    match code.trim() {
        "approve" => Ok(Decision::Approve),
        "reject" => Ok(Decision::Reject),
        _ => Err(WebError::Invalid {
            field: "decision".into(),
            zh: "须为 approve（批准）或 reject（拒绝）".into(),
            en: "decision must be approve or reject".into(),
        }),
    }
}

/// A proctor's decision on a sign-in from another device: approval gives that device the
/// attempt (its waiting key becomes the exam token, the other device's token ends);
/// refusal never gives it one. Both go into the attempt's ledgered timeline.
pub async fn decide_sign_in_request(
    state: &AppState,
    authed: &Authed,
    session_id: Uuid,
    person_id: Uuid,
    request_id: Uuid,
    decision: Decision,
) -> Result<(), WebError> {
    let db = state.store.connection();
    let access = sessions::session_access(db, &authed.actor, session_id).await?;
    if !access.may_proctor() {
        return Err(WebError::NotFound);
    }
    let request =
        anpei_store::exam::attempts::pending_sign_in(db, session_id, person_id, request_id).await?;
    state
        .exam_desk
        .decide(&authed.actor, &request, decision, clock::now())
        .await?;
    tracing::info!(
        session = %session_id,
        request = %request_id,
        decision = ?decision,
        by = %authed.actor.display_name,
        "exam sign-in request decided"
    );
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/sign-in-requests/{person_id}/{request_id}", tag = "exams",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("request_id" = Uuid, Path)), request_body = DecisionRequest,
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn decide_sign_in(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, request_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<DecisionRequest>,
) -> Result<StatusCode, WebError> {
    let decision = decision_of(&body.decision)?;
    decide_sign_in_request(&state, &authed, id, person_id, request_id, decision).await?;
    Ok(StatusCode::NO_CONTENT)
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
    /// The device secret (16–128 printable ASCII characters) this client keeps across
    /// sign-ins; without it, the `anpei_exam_device` cookie, or a new one is made and
    /// returned. Signing in again with the same one resumes at once; another device waits
    /// for a proctor.
    #[serde(default)]
    pub device: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInDto {
    /// The exam token: send it as `Authorization: Bearer` (the page keeps it in the
    /// `anpei_exam` cookie instead).
    pub token: String,
    pub attempt_id: Uuid,
    pub resumed: bool,
    /// The device secret to send with a later sign-in of this device.
    pub device: String,
}

/// A sign-in from another device, waiting for a proctor.
#[derive(Serialize, ToSchema)]
pub struct WaitingDto {
    /// pending
    pub status: String,
    /// The waiting key: send it as `Authorization: Bearer` to
    /// `GET /api/v1/exam/sign-in/wait`. It opens nothing else until a proctor approves.
    pub request: String,
    pub attempt_id: Uuid,
    pub device: String,
    pub message_zh: String,
    pub message_en: String,
}

/// How a sign-in at the seat ended, for the API and the page to answer.
pub enum SeatSignIn {
    Admitted {
        token: String,
        signed: anpei_store::exam::attempts::SignedIn,
    },
    Waiting {
        key: String,
        attempt_id: Uuid,
    },
    Locked {
        retry_after_secs: i64,
    },
}

/// The device secret of a request: `device` in the body, else the cookie; `None` when it
/// has none (the caller makes one).
pub fn device_of(headers: &HeaderMap, given: Option<&str>) -> Result<Option<String>, WebError> {
    let device = match given {
        Some(device) => Some(device.trim().to_owned()),
        None => cookie(headers, DEVICE_COOKIE),
    };
    match device {
        Some(d) if !(16..=128).contains(&d.len()) || !d.bytes().all(|b| b.is_ascii_graphic()) => {
            Err(WebError::Invalid {
                field: "device".into(),
                zh: "设备标识须为 16–128 个可打印 ASCII 字符".into(),
                en: "device must be 16–128 printable ASCII characters".into(),
            })
        }
        other => Ok(other),
    }
}

/// A fresh 256-bit secret from the OS generator (two session ids, as tower-sessions draws
/// them).
pub fn secret() -> String {
    format!(
        "{}{}",
        tower_sessions::session::Id::default(),
        tower_sessions::session::Id::default()
    )
}

/// The bilingual refusal of a locked sign-in.
pub fn locked_messages(retry_after_secs: i64) -> (String, String) {
    let minutes = (retry_after_secs + 59) / 60;
    (
        format!("签到失败次数过多，已暂停 {minutes} 分钟。请稍后再试，或请监考员核对准考证。"),
        format!(
            "Too many failed sign-ins: paused for {minutes} min. Try again later, or ask the proctor to check your ticket."
        ),
    )
}

/// A problem document in both languages with a status `WebError` has no variant for.
fn problem_response(status: StatusCode, kind: &str, (zh, en): (String, String)) -> Response {
    let problem = Problem {
        kind: format!("/problems/{kind}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: zh.clone(),
        detail_zh: zh,
        detail_en: en,
        field: None,
    };
    (
        status,
        [(header::CONTENT_TYPE, crate::error::PROBLEM_JSON)],
        serde_json::to_vec(&problem).unwrap_or_default(),
    )
        .into_response()
}

/// 429 with `Retry-After` and a problem document in both languages.
fn locked_response(retry_after_secs: i64) -> Response {
    let mut response = problem_response(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-requests",
        locked_messages(retry_after_secs),
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(retry_after_secs),
    );
    response
}

/// Signs an examinee in at their seat: ticket and ID number are checked against the
/// archive. A first sign-in, or the attempt's own device again (its device secret), gets
/// the token (200). Another device waits for a proctor (202, with a waiting key to poll
/// `GET /api/v1/exam/sign-in/wait`); the first device keeps working meanwhile. Five wrong
/// pairs on a ticket within 10 minutes (30 from one address) lock it for 10 minutes (429
/// with `Retry-After`), the right pair too.
#[utoipa::path(post, path = "/api/v1/exam/sign-in", tag = "exams", request_body = SignInRequest,
    responses((status = 200, body = SignedInDto), (status = 202, body = WaitingDto),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignInRequest>,
) -> Result<Response, WebError> {
    let client = client.map(|ip| ip.to_string());
    let device = device_of(&headers, body.device.as_deref())?.unwrap_or_else(secret);
    let secure = state.config.secure_cookies;
    let outcome = sign_in_examinee(
        &state,
        body.session_id,
        &body.ticket,
        &body.id_number,
        &device,
        client.as_deref(),
    )
    .await?;
    Ok(match outcome {
        SeatSignIn::Admitted { token, signed } => (
            // Two cookies: appended, as an array of headers would keep only the last.
            axum::response::AppendHeaders([
                (header::SET_COOKIE, exam_cookie(&token, secure)),
                (header::SET_COOKIE, device_cookie(&device, secure)),
            ]),
            axum::Json(SignedInDto {
                token,
                attempt_id: signed.attempt_id,
                resumed: signed.resumed,
                device,
            }),
        )
            .into_response(),
        SeatSignIn::Waiting { key, attempt_id } => (
            StatusCode::ACCEPTED,
            // Two cookies: appended, as an array of headers would keep only the last.
            axum::response::AppendHeaders([
                (header::SET_COOKIE, exam_cookie(&key, secure)),
                (header::SET_COOKIE, device_cookie(&device, secure)),
            ]),
            axum::Json(WaitingDto {
                status: "pending".into(),
                request: key,
                attempt_id,
                device,
                message_zh: WAITING.0.into(),
                message_en: WAITING.1.into(),
            }),
        )
            .into_response(),
        SeatSignIn::Locked { retry_after_secs } => locked_response(retry_after_secs),
    })
}

/// What a refused (or overtaken) waiting device is told.
pub const REFUSED: (&str, &str) = (
    "监考员未批准本次签到，请联系监考员",
    "The proctor did not approve this sign-in; ask the proctor",
);

/// What a waiting device is told.
pub const WAITING: (&str, &str) = (
    "本场考试已在另一台设备上签到，等待监考员确认",
    "Already signed in on another device: waiting for the proctor to confirm",
);

pub async fn sign_in_examinee(
    state: &AppState,
    session_id: Uuid,
    ticket: &str,
    id_number: &str,
    device: &str,
    client: Option<&str>,
) -> Result<SeatSignIn, WebError> {
    let token = secret();
    // The seed is stored with the attempt; it only needs to differ between examinees. The
    // low 64 bits of a v7 UUID are random, and the token's bytes are mixed in.
    let seed = (Uuid::now_v7().as_u128() as u64)
        ^ token
            .bytes()
            .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b));
    let outcome = state
        .exam_desk
        .sign_in(
            SignInAttempt {
                session_id,
                ticket,
                id_number,
                token: &token,
                device,
                client,
            },
            seed,
            clock::now(),
        )
        .await?;
    Ok(match outcome {
        SignInOutcome::Admitted(signed) => SeatSignIn::Admitted { token, signed },
        SignInOutcome::Waiting { attempt_id, .. } => SeatSignIn::Waiting {
            key: token,
            attempt_id,
        },
        SignInOutcome::Locked { retry_after } => SeatSignIn::Locked {
            retry_after_secs: retry_after.num_seconds().max(1),
        },
    })
}

#[derive(Serialize, ToSchema)]
pub struct WaitDto {
    /// pending or approved
    pub status: String,
    /// The exam token, once a proctor approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Where a sign-in waiting for a proctor stands: 202 while pending, 200 with the exam token
/// once approved, 403 when refused (the key never becomes a token), 401 for an unknown key.
#[utoipa::path(get, path = "/api/v1/exam/sign-in/wait", tag = "exams",
    responses((status = 200, body = WaitDto), (status = 202, body = WaitDto),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn wait_for_proctor(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let key = exam_token(&headers)?;
    let status = state.exam_desk.waiting(&key).await.map_err(token_error)?;
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    Ok(match status {
        WaitState::Pending => (
            StatusCode::ACCEPTED,
            no_store,
            axum::Json(WaitDto {
                status: "pending".into(),
                token: None,
            }),
        )
            .into_response(),
        WaitState::Approved => (
            no_store,
            axum::Json(WaitDto {
                status: "approved".into(),
                token: Some(key),
            }),
        )
            .into_response(),
        WaitState::Refused => problem_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            (REFUSED.0.into(), REFUSED.1.into()),
        ),
    })
}

pub fn exam_cookie(token: &str, secure: bool) -> String {
    format!(
        "{EXAM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn device_cookie(device: &str, secure: bool) -> String {
    format!(
        "{DEVICE_COOKIE}={device}; Path=/; HttpOnly; SameSite=Strict; Max-Age=604800{}",
        if secure { "; Secure" } else { "" }
    )
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
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
    cookie(headers, EXAM_COOKIE).ok_or(WebError::Unauthorized)
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

/// Saves one answer. The reply comes only after the answer is committed. The same sequence
/// number with the same answer again is acknowledged as `repeated`; with another answer it
/// is refused (409: another tab or device used it — reload the paper and number on from
/// its `last_seq`); a number more than 1,000 beyond the last stored one is refused (422).
#[utoipa::path(put, path = "/api/v1/exam/answers", tag = "exams", request_body = SaveRequest,
    responses((status = 200, body = SavedDto), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
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
        .map_err(|err| match err {
            anpei_store::StoreError::Conflict { constraint }
                if constraint == anpei_store::exam::attempts::SEQ_TAKEN =>
            {
                WebError::Conflict {
                    zh: format!(
                        "序号 {} 已保存了另一个答案（可能在另一个窗口或设备上作答），请刷新试卷后继续",
                        body.seq
                    ),
                    en: format!(
                        "Sequence {} already holds another answer (another tab or device?): reload the paper and go on",
                        body.seq
                    ),
                }
            }
            other => token_error(other),
        })?;
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
