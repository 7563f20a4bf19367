//! The enterprise's training and assessment ledgers (SPEC C4) as JSON: record training
//! hours and the yearly assessment for someone on the staff.

use anpei_domain::PositionTitle;
use anpei_domain::rules::TrainingKind;
use anpei_store::ops::ledgers::{self, NewAssessment, NewTraining};
use anpei_store::{Scope, access};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::certificates::parse_date;
use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(training))
        .routes(routes!(assessment))
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct TrainingRequest {
    /// new_hire, annual, targeted, skill_promotion, leader_initial, leader_annual, special_ops
    pub kind: String,
    /// The day it ended, YYYY-MM-DD.
    pub ended_on: String,
    /// 学时 (one decimal).
    pub hours: f64,
    #[serde(default = "yes")]
    pub passed_exam: bool,
    /// Who trained (an institution, or 企业自培).
    #[serde(default)]
    pub provider: String,
    /// The trade (e.g. "1.2") of a special_ops training; empty for other kinds.
    #[serde(default)]
    pub trade_code: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct AssessmentRequest {
    /// YYYY-MM-DD
    pub assessed_on: String,
    pub position: String,
    pub passed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedDto {
    pub id: Uuid,
}

/// The employing enterprise of `person`, as a write capability.
pub async fn employer(
    state: &AppState,
    authed: &Authed,
) -> Result<access::EnterpriseStaffWrite, WebError> {
    let Scope::Enterprise(enterprise) = authed.actor.scope else {
        return Err(WebError::Forbidden);
    };
    Ok(access::enterprise_staff_write(state.store.connection(), &authed.actor, enterprise).await?)
}

pub fn parse_training(body: &TrainingRequest) -> Result<NewTraining, WebError> {
    let kind = TrainingKind::parse(body.kind.trim()).ok_or_else(|| WebError::Invalid {
        field: "kind".to_owned(),
        zh: "未知的培训类别".to_owned(),
        en: "Unknown training kind".to_owned(),
    })?;
    Ok(NewTraining {
        kind,
        ended_on: parse_date("ended_on", &body.ended_on)?,
        hours: body.hours,
        passed_exam: body.passed_exam,
        provider: body.provider.clone(),
        trade_code: body.trade_code.clone(),
    })
}

pub fn parse_assessment(body: &AssessmentRequest) -> Result<NewAssessment, WebError> {
    Ok(NewAssessment {
        assessed_on: parse_date("assessed_on", &body.assessed_on)?,
        position: PositionTitle::parse(&body.position)
            .map_err(|e| WebError::invalid("position", &e))?,
        passed: body.passed,
    })
}

/// Records training for someone on the caller's staff.
#[utoipa::path(post, path = "/api/v1/persons/{id}/trainings", tag = "ledgers", params(("id" = Uuid, Path)), request_body = TrainingRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn training(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<TrainingRequest>,
) -> Result<Response, WebError> {
    access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let staff = employer(&state, &authed).await?;
    let new = parse_training(&body)?;
    let row = ledgers::record_training(
        &state.store,
        &authed.actor,
        staff,
        id,
        new,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(RecordedDto { id: row.id })).into_response())
}

/// Records the yearly assessment by position for someone on the caller's staff.
#[utoipa::path(post, path = "/api/v1/persons/{id}/assessments", tag = "ledgers", params(("id" = Uuid, Path)), request_body = AssessmentRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn assessment(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<AssessmentRequest>,
) -> Result<Response, WebError> {
    access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let staff = employer(&state, &authed).await?;
    let new = parse_assessment(&body)?;
    let row = ledgers::record_assessment(
        &state.store,
        &authed.actor,
        staff,
        id,
        new,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(RecordedDto { id: row.id })).into_response())
}
