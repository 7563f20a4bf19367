//! What a session's staff do through the API while it runs: the proctor's console, extra
//! time, the forced hand-in, an attempt's review, decisions on sign-ins from other devices,
//! and the examiner's practical marks.

use anpei_store::exam::attempts::{Decision, Keys, SubmitReason};
use anpei_store::exam::practical::MarkJson;
use anpei_store::exam::registration;
use anpei_store::exam::sessions;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::admin::SessionDto;
use super::{PaperDto, ResultDto, paper_dto};
use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path};
use crate::{AppState, clock};

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
pub(super) async fn console(
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
pub(super) async fn extra_time(
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

/// Ends an examinee's attempt now (a proctor's decision) and grades it.
#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/attempts/{person_id}/{attempt_id}/submit", tag = "exams",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("attempt_id" = Uuid, Path)),
    responses((status = 200, body = ResultDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn force_submit(
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
pub(super) async fn attempt_review(
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
pub(super) async fn decide_sign_in(
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
pub(super) async fn score_practical(
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
