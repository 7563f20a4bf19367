//! What organisers and the province set up through the API — blueprints, exam sites,
//! sessions, their staff and examinee lists — and the statistics per question for the
//! bank's owner.

use anpei_domain::exam::ExamPart;
use anpei_store::exam::registration::{self, NewRegistration};
use anpei_store::exam::sessions::{self, Duty, NewBlueprint, NewSession, RowJson};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

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
pub(super) async fn create_blueprint(
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
pub(super) async fn list_blueprints(
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
pub(super) async fn create_site(
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
pub(super) async fn list_sites(
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
pub(super) async fn create_session(
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
pub(super) async fn list_sessions(
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

#[derive(Deserialize, ToSchema)]
pub struct StaffRequest {
    pub account_id: Uuid,
    /// proctor or examiner
    pub duty: String,
}

#[utoipa::path(post, path = "/api/v1/exam/sessions/{id}/staff", tag = "exams", params(("id" = Uuid, Path)), request_body = StaffRequest,
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn assign_staff(
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
pub(super) async fn register(
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
pub(super) async fn question_stats(
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
