//! The enterprise ledgers of SPEC C4 as JSON: apprenticeships (师带徒), periods off post
//! (离岗), process changes (四新), the yearly training plan with its progress, the training
//! capacity and the key-position skill-promotion schedule. The enterprise's own account
//! writes; regulators whose jurisdiction covers it read; everyone else gets 404.

use anpei_domain::rules::TrainingKind;
use anpei_domain::{
    CreditCode, OffPostReason, PlanItem, PositionTitle, ProcessChangeKind, SkillLevel, TrainingMode,
};
use anpei_store::ops::enterprise_ledgers::{
    self as ops, Capacity, NewApprenticeship, NewOffPost, NewProcessChange, NewPromotion,
};
use anpei_store::read_ledgers::{
    self as read, ApprenticeshipSort, ApprenticeshipStatus, OffPostFilter, OffPostSort, Paging,
    PromotionStatus,
};
use anpei_store::{StoreError, access};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::certificates::parse_date;
use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_apprenticeships, create_apprenticeship))
        .routes(routes!(graduate))
        .routes(routes!(list_off_post, create_off_post))
        .routes(routes!(end_off_post))
        .routes(routes!(list_process_changes, create_process_change))
        .routes(routes!(get_training_plan, create_plan_item))
        .routes(routes!(list_capacities, create_capacity))
        .routes(routes!(list_promotions, create_promotion))
        .routes(routes!(promotion_achieved))
}

/// Who may read an enterprise's ledgers: the enterprise, regulators of its city, the
/// province. Everyone else is told it does not exist (the HR bureau sees the registration,
/// not the ledgers).
pub async fn ledger_read(
    state: &AppState,
    authed: &Authed,
    enterprise_id: Uuid,
) -> Result<access::EnterpriseStaffRead, WebError> {
    match access::enterprise_staff_read(state.store.connection(), &authed.actor, enterprise_id)
        .await
    {
        Ok(read) => Ok(read),
        Err(StoreError::Forbidden) => Err(WebError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// Only the enterprise's own account writes its ledgers (regulators read: 403).
pub async fn ledger_write(
    state: &AppState,
    authed: &Authed,
    enterprise_id: Uuid,
) -> Result<access::EnterpriseStaffWrite, WebError> {
    Ok(
        access::enterprise_staff_write(state.store.connection(), &authed.actor, enterprise_id)
            .await?,
    )
}

pub(crate) fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> WebError {
    WebError::Invalid {
        field: field.to_owned(),
        zh: zh.into(),
        en: en.into(),
    }
}

pub fn parse_id(field: &str, raw: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(raw.trim()).map_err(|_| invalid(field, "未知的人员", "Unknown person"))
}

fn optional_date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, WebError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => parse_date(field, raw).map(Some),
        None => Ok(None),
    }
}

fn paging(page: Option<u64>, per_page: Option<u64>, desc: Option<bool>) -> Paging {
    let (page, per_page) = super::paging(page, per_page);
    Paging {
        page,
        per_page,
        desc: desc.unwrap_or(false),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordedDto {
    pub id: Uuid,
}

pub(crate) fn created(id: Uuid) -> Response {
    (StatusCode::CREATED, axum::Json(RecordedDto { id })).into_response()
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Apprenticeships: in_progress, graduated. Skill promotions: pending, achieved.
    pub status: Option<String>,
    /// Off post: a reason code (leave, sick, secondment, training, failed_assessment, other).
    /// Process changes: a kind (process, technology, equipment, material).
    pub filter: Option<String>,
    /// Off post: only periods that include this day (YYYY-MM-DD).
    pub open_on: Option<String>,
    /// Apprenticeships: started (default), planned_graduation. Off post: starts (default), ends.
    pub sort: Option<String>,
    pub desc: Option<bool>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u64>,
}

fn unknown_filter(field: &str) -> WebError {
    invalid(field, "未知的筛选条件", "Unknown filter")
}

// ---------------------------------------------------------------- apprenticeships

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct ApprenticeshipRequest {
    /// The apprentice, on the enterprise's staff.
    pub person_id: String,
    /// The mentor (师傅), on the same enterprise's staff.
    pub mentor_id: String,
    /// Position or trade learnt.
    pub position: String,
    /// YYYY-MM-DD
    pub started_on: String,
    /// YYYY-MM-DD, after `started_on`.
    pub planned_graduation_on: String,
    /// YYYY-MM-DD, when already graduated (出徒).
    #[serde(default)]
    pub graduated_on: Option<String>,
    /// The apprentice works a post alone (独立上岗).
    #[serde(default)]
    pub works_alone: bool,
}

pub fn parse_apprenticeship(
    body: &ApprenticeshipRequest,
) -> Result<(Uuid, NewApprenticeship), WebError> {
    Ok((
        parse_id("person_id", &body.person_id)?,
        NewApprenticeship {
            mentor_id: parse_id("mentor_id", &body.mentor_id)?,
            position: PositionTitle::parse(&body.position)
                .map_err(|e| WebError::invalid("position", &e))?,
            started_on: parse_date("started_on", &body.started_on)?,
            planned_graduation_on: parse_date(
                "planned_graduation_on",
                &body.planned_graduation_on,
            )?,
            graduated_on: optional_date("graduated_on", body.graduated_on.as_deref())?,
            works_alone: body.works_alone,
        },
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ApprenticeshipDto {
    pub id: Uuid,
    pub person_id: Uuid,
    pub apprentice: String,
    pub mentor_id: Uuid,
    pub mentor: String,
    pub enterprise_id: Uuid,
    pub position: String,
    pub started_on: NaiveDate,
    pub planned_graduation_on: NaiveDate,
    pub graduated_on: Option<NaiveDate>,
    pub works_alone: bool,
}

impl From<read::ApprenticeshipRow> for ApprenticeshipDto {
    fn from(a: read::ApprenticeshipRow) -> Self {
        ApprenticeshipDto {
            id: a.row.id,
            person_id: a.row.person_id,
            apprentice: a.apprentice,
            mentor_id: a.row.mentor_id,
            mentor: a.mentor,
            enterprise_id: a.row.enterprise_id,
            position: a.row.position,
            started_on: a.row.started_on,
            planned_graduation_on: a.row.planned_graduation_on,
            graduated_on: a.row.graduated_on,
            works_alone: a.row.works_alone,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApprenticeshipPage {
    pub items: Vec<ApprenticeshipDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// 师带徒台账: apprenticeships at the enterprise.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/apprenticeships", tag = "ledgers", params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = ApprenticeshipPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_apprenticeships(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<ApprenticeshipPage>, WebError> {
    let read = ledger_read(&state, &authed, id).await?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => {
            Some(ApprenticeshipStatus::parse(code).ok_or_else(|| unknown_filter("status"))?)
        }
        None => None,
    };
    let sort = match q.sort.as_deref() {
        Some("planned_graduation") => ApprenticeshipSort::PlannedGraduation,
        _ => ApprenticeshipSort::Started,
    };
    let page = read::apprenticeships(
        state.store.connection(),
        read,
        status,
        sort,
        paging(q.page, q.per_page, q.desc),
    )
    .await?;
    Ok(axum::Json(ApprenticeshipPage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Records an apprenticeship: apprentice and mentor both on the enterprise's staff.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/apprenticeships", tag = "ledgers", params(("id" = Uuid, Path)), request_body = ApprenticeshipRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_apprenticeship(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<ApprenticeshipRequest>,
) -> Result<Response, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let (person_id, new) = parse_apprenticeship(&body)?;
    let row = ops::record_apprenticeship(
        &state.store,
        &authed.actor,
        staff,
        person_id,
        new,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(created(row.id))
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct GraduationRequest {
    /// YYYY-MM-DD: the first day of independent work.
    pub graduated_on: String,
}

/// Records graduation (出徒).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/apprenticeships/{person_id}/{apprenticeship_id}/graduation", tag = "ledgers",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("apprenticeship_id" = Uuid, Path)), request_body = GraduationRequest,
    responses((status = 200, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn graduate(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, apprenticeship_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<GraduationRequest>,
) -> Result<axum::Json<RecordedDto>, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let on = parse_date("graduated_on", &body.graduated_on)?;
    let row = ops::record_graduation(
        &state.store,
        &authed.actor,
        staff,
        (person_id, apprenticeship_id),
        on,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(axum::Json(RecordedDto { id: row.id }))
}

// ---------------------------------------------------------------- off post

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct OffPostRequest {
    pub person_id: String,
    /// YYYY-MM-DD: the first day away.
    pub starts_on: String,
    /// YYYY-MM-DD: the last day away; empty while still away.
    #[serde(default)]
    pub ends_on: Option<String>,
    /// leave, sick, secondment, training, other (failed_assessment comes with a failed assessment).
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

pub fn parse_off_post(body: &OffPostRequest) -> Result<(Uuid, NewOffPost), WebError> {
    Ok((
        parse_id("person_id", &body.person_id)?,
        NewOffPost {
            starts_on: parse_date("starts_on", &body.starts_on)?,
            ends_on: optional_date("ends_on", body.ends_on.as_deref())?,
            reason: OffPostReason::parse(body.reason.trim())
                .ok_or_else(|| invalid("reason", "未知的离岗原因", "Unknown reason"))?,
            note: body.note.clone(),
        },
    ))
}

#[derive(Serialize, ToSchema)]
pub struct OffPostDto {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person: String,
    pub enterprise_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub reason: String,
    pub reason_zh: String,
    pub note: String,
}

impl From<read::OffPostRow> for OffPostDto {
    fn from(p: read::OffPostRow) -> Self {
        OffPostDto {
            id: p.row.id,
            person_id: p.row.person_id,
            person: p.person,
            enterprise_id: p.row.enterprise_id,
            starts_on: p.row.starts_on,
            ends_on: p.row.ends_on,
            reason_zh: OffPostReason::parse(&p.row.reason)
                .map(|r| r.name_zh().to_owned())
                .unwrap_or_default(),
            reason: p.row.reason,
            note: p.row.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OffPostPage {
    pub items: Vec<OffPostDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// 离岗台账: periods off post at the enterprise.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/off-post", tag = "ledgers", params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = OffPostPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_off_post(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<OffPostPage>, WebError> {
    let read = ledger_read(&state, &authed, id).await?;
    let reason = match q.filter.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(OffPostReason::parse(code).ok_or_else(|| unknown_filter("filter"))?),
        None => None,
    };
    let filter = OffPostFilter {
        open_on: optional_date("open_on", q.open_on.as_deref())?,
        reason,
    };
    let sort = match q.sort.as_deref() {
        Some("ends") => OffPostSort::Ends,
        _ => OffPostSort::Starts,
    };
    let page = read::off_post(
        state.store.connection(),
        read,
        &filter,
        sort,
        paging(q.page, q.per_page, q.desc),
    )
    .await?;
    Ok(axum::Json(OffPostPage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

/// Records a period off post (休假, 病假, 借调, 脱产培训, 其他).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/off-post", tag = "ledgers", params(("id" = Uuid, Path)), request_body = OffPostRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_off_post(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<OffPostRequest>,
) -> Result<Response, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let (person_id, new) = parse_off_post(&body)?;
    let row = ops::record_off_post(
        &state.store,
        &authed.actor,
        staff,
        person_id,
        new,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(created(row.id))
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct EndOffPostRequest {
    /// YYYY-MM-DD: the last day away.
    pub ends_on: String,
}

/// Records the return to post.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/off-post/{person_id}/{period_id}/end", tag = "ledgers",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("period_id" = Uuid, Path)), request_body = EndOffPostRequest,
    responses((status = 200, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn end_off_post(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, period_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<EndOffPostRequest>,
) -> Result<axum::Json<RecordedDto>, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let ends_on = parse_date("ends_on", &body.ends_on)?;
    let row = ops::end_off_post(
        &state.store,
        &authed.actor,
        staff,
        person_id,
        period_id,
        ends_on,
        clock::now(),
    )
    .await?;
    Ok(axum::Json(RecordedDto { id: row.id }))
}

// ---------------------------------------------------------------- process changes

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct ProcessChangeRequest {
    /// YYYY-MM-DD: the day the change takes effect.
    pub changed_on: String,
    /// process, technology, equipment, material
    pub kind: String,
    pub description: String,
    /// The people affected, on the enterprise's staff.
    pub people: Vec<String>,
}

pub fn parse_process_change(body: &ProcessChangeRequest) -> Result<NewProcessChange, WebError> {
    Ok(NewProcessChange {
        changed_on: parse_date("changed_on", &body.changed_on)?,
        kind: ProcessChangeKind::parse(body.kind.trim())
            .ok_or_else(|| invalid("kind", "未知的变更类别", "Unknown kind of change"))?,
        description: body.description.clone(),
        people: body
            .people
            .iter()
            .map(|p| parse_id("people", p))
            .collect::<Result<_, _>>()?,
    })
}

#[derive(Serialize, ToSchema)]
pub struct AffectedDto {
    pub person_id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProcessChangeDto {
    pub id: Uuid,
    pub changed_on: NaiveDate,
    pub kind: String,
    pub kind_zh: String,
    pub description: String,
    pub people: Vec<AffectedDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ProcessChangePage {
    pub items: Vec<ProcessChangeDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// 四新台账: new processes, technology, equipment and materials, with the people affected.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/process-changes", tag = "ledgers", params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = ProcessChangePage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_process_changes(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<ProcessChangePage>, WebError> {
    let read = ledger_read(&state, &authed, id).await?;
    let kind = match q.filter.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(ProcessChangeKind::parse(code).ok_or_else(|| unknown_filter("filter"))?),
        None => None,
    };
    let page = read::process_changes(
        state.store.connection(),
        read,
        kind,
        paging(q.page, q.per_page, q.desc),
    )
    .await?;
    Ok(axum::Json(ProcessChangePage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page
            .items
            .into_iter()
            .map(|c| ProcessChangeDto {
                id: c.row.id,
                changed_on: c.row.changed_on,
                kind_zh: ProcessChangeKind::parse(&c.row.kind)
                    .map(|k| k.name_zh().to_owned())
                    .unwrap_or_default(),
                kind: c.row.kind,
                description: c.row.description,
                people: c
                    .people
                    .into_iter()
                    .map(|(person_id, name)| AffectedDto { person_id, name })
                    .collect(),
            })
            .collect(),
    }))
}

/// Records a process or equipment change and the people it affects; their compliance then
/// asks for targeted training (rule 3).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/process-changes", tag = "ledgers", params(("id" = Uuid, Path)), request_body = ProcessChangeRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_process_change(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<ProcessChangeRequest>,
) -> Result<Response, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let new = parse_process_change(&body)?;
    let row = ops::record_process_change(
        &state.store,
        &authed.actor,
        staff,
        new,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(created(row.id))
}

// ---------------------------------------------------------------- training plan

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PlanParams {
    /// The plan's year; this year by default.
    pub year: Option<i32>,
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct PlanItemRequest {
    pub year: i32,
    pub topic: String,
    /// new_hire, annual, targeted, skill_promotion, leader_initial, leader_annual
    pub kind: String,
    /// Target positions or audience.
    pub audience: String,
    pub planned_hours: f64,
    /// 1–12
    pub planned_month: u32,
    pub planned_headcount: u32,
}

pub fn parse_plan_item(
    body: &PlanItemRequest,
    today: NaiveDate,
) -> Result<(TrainingKind, PlanItem), WebError> {
    let kind = TrainingKind::parse(body.kind.trim())
        .ok_or_else(|| invalid("kind", "未知的培训类别", "Unknown training kind"))?;
    let item = PlanItem::parse(
        today.year(),
        body.year,
        &body.topic,
        &body.audience,
        body.planned_hours,
        body.planned_month,
        body.planned_headcount,
    )
    .map_err(|e| WebError::invalid(e.field(), &e))?;
    Ok((kind, item))
}

#[derive(Serialize, ToSchema)]
pub struct PlanItemDto {
    pub id: Uuid,
    pub year: i32,
    pub topic: String,
    pub kind: String,
    pub audience: String,
    pub planned_hours: f64,
    pub planned_month: i32,
    pub planned_headcount: i32,
    /// Hours recorded that year in trainings of this kind at the enterprise.
    pub actual_hours: f64,
    /// People with a training of this kind recorded that year.
    pub actual_headcount: u64,
}

#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    pub year: i32,
    pub items: Vec<PlanItemDto>,
}

/// 年度培训计划: the year's plan beside the training recorded against it.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/training-plan", tag = "ledgers", params(("id" = Uuid, Path), PlanParams),
    responses((status = 200, body = PlanDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_training_plan(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<PlanParams>,
) -> Result<axum::Json<PlanDto>, WebError> {
    let read = ledger_read(&state, &authed, id).await?;
    let year = q.year.unwrap_or_else(|| clock::today().year());
    let items = read::training_plan(state.store.connection(), read, year).await?;
    Ok(axum::Json(PlanDto {
        year,
        items: items
            .into_iter()
            .map(|p| PlanItemDto {
                id: p.item.id,
                year: p.item.year,
                topic: p.item.topic,
                kind: p.item.kind,
                audience: p.item.audience,
                planned_hours: p.item.planned_hours,
                planned_month: p.item.planned_month,
                planned_headcount: p.item.planned_headcount,
                actual_hours: (p.actual_hours * 10.0).round() / 10.0,
                actual_headcount: p.actual_headcount,
            })
            .collect(),
    }))
}

/// Adds an item to a year's training plan.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/training-plan", tag = "ledgers", params(("id" = Uuid, Path)), request_body = PlanItemRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_plan_item(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<PlanItemRequest>,
) -> Result<Response, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let (kind, item) = parse_plan_item(&body, clock::today())?;
    let row =
        ops::record_plan_item(&state.store, &authed.actor, staff, kind, item, clock::now()).await?;
    Ok(created(row.id))
}

// ---------------------------------------------------------------- training capacity

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct CapacityRequest {
    /// self (自主培训) or delegated (委托培训)
    pub mode: String,
    /// YYYY-MM-DD: in force from this day.
    pub since: String,
    /// Self-training: the number of trainers.
    #[serde(default)]
    pub trainers: Option<u32>,
    /// Self-training: rooms, practice grounds, equipment.
    #[serde(default)]
    pub facilities: String,
    /// Delegated: the institution's name.
    #[serde(default)]
    pub institution_name: String,
    /// Delegated: its unified social credit code (GB 32100).
    #[serde(default)]
    pub institution_credit_code: String,
}

pub fn parse_capacity(body: &CapacityRequest) -> Result<(NaiveDate, Capacity), WebError> {
    let since = parse_date("since", &body.since)?;
    let capacity = match TrainingMode::parse(body.mode.trim()) {
        Some(TrainingMode::SelfTraining) => Capacity::SelfTraining {
            trainers: body.trainers.unwrap_or(0),
            facilities: body.facilities.clone(),
        },
        Some(TrainingMode::Delegated) => Capacity::Delegated {
            name: body.institution_name.clone(),
            credit_code: CreditCode::parse(&body.institution_credit_code)
                .map_err(|e| WebError::invalid("institution_credit_code", &e))?,
        },
        None => return Err(invalid("mode", "未知的培训方式", "Unknown training mode")),
    };
    Ok((since, capacity))
}

#[derive(Serialize, ToSchema)]
pub struct CapacityDto {
    pub id: Uuid,
    pub mode: String,
    pub since: NaiveDate,
    pub trainers: i32,
    pub facilities: String,
    pub institution_name: Option<String>,
    pub institution_credit_code: Option<String>,
    /// The capacity in force today.
    pub current: bool,
}

/// 培训能力: how the enterprise trains, newest first.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/training-capacity", tag = "ledgers", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<CapacityDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_capacities(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<CapacityDto>>, WebError> {
    let read = ledger_read(&state, &authed, id).await?;
    let today = clock::today();
    let rows = read::training_capacities(state.store.connection(), read).await?;
    let current = rows.iter().find(|c| c.since <= today).map(|c| c.id);
    Ok(axum::Json(
        rows.into_iter()
            .map(|c| CapacityDto {
                current: Some(c.id) == current,
                id: c.id,
                mode: c.mode,
                since: c.since,
                trainers: c.trainers,
                facilities: c.facilities,
                institution_name: c.institution_name,
                institution_credit_code: c.institution_credit_code,
            })
            .collect(),
    ))
}

/// Records how the enterprise trains from a date.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/training-capacity", tag = "ledgers", params(("id" = Uuid, Path)), request_body = CapacityRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_capacity(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<CapacityRequest>,
) -> Result<Response, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let (since, capacity) = parse_capacity(&body)?;
    let row = ops::record_capacity(
        &state.store,
        &authed.actor,
        staff,
        since,
        capacity,
        clock::now(),
    )
    .await?;
    Ok(created(row.id))
}

// ---------------------------------------------------------------- skill promotion

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct PromotionRequest {
    /// Someone on a key position of the enterprise.
    pub person_id: String,
    /// junior, intermediate, senior, technician, senior_technician
    pub current_level: String,
    /// Above `current_level`.
    pub target_level: String,
    /// YYYY-MM-DD
    pub due_on: String,
}

pub fn parse_promotion(body: &PromotionRequest) -> Result<(Uuid, NewPromotion), WebError> {
    let level = |field: &str, raw: &str| {
        SkillLevel::parse(raw.trim())
            .ok_or_else(|| invalid(field, "未知的技能等级", "Unknown skill level"))
    };
    Ok((
        parse_id("person_id", &body.person_id)?,
        NewPromotion {
            current_level: level("current_level", &body.current_level)?,
            target_level: level("target_level", &body.target_level)?,
            due_on: parse_date("due_on", &body.due_on)?,
        },
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PromotionDto {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person: String,
    pub current_level: String,
    pub target_level: String,
    pub due_on: NaiveDate,
    pub achieved_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct PromotionPage {
    pub items: Vec<PromotionDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// 重点岗位职工职业技能晋级计划: the schedule, by due date.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/skill-promotions", tag = "ledgers", params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = PromotionPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_promotions(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<PromotionPage>, WebError> {
    let read = ledger_read(&state, &authed, id).await?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(PromotionStatus::parse(code).ok_or_else(|| unknown_filter("status"))?),
        None => None,
    };
    let page = read::skill_promotions(
        state.store.connection(),
        read,
        status,
        paging(q.page, q.per_page, q.desc),
    )
    .await?;
    Ok(axum::Json(PromotionPage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page
            .items
            .into_iter()
            .map(|p| PromotionDto {
                id: p.row.id,
                person_id: p.row.person_id,
                person: p.person,
                current_level: p.row.current_level,
                target_level: p.row.target_level,
                due_on: p.row.due_on,
                achieved_on: p.row.achieved_on,
            })
            .collect(),
    }))
}

/// Plans a key-position worker's skill promotion.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/skill-promotions", tag = "ledgers", params(("id" = Uuid, Path)), request_body = PromotionRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_promotion(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<PromotionRequest>,
) -> Result<Response, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let (person_id, new) = parse_promotion(&body)?;
    let row = ops::record_promotion(
        &state.store,
        &authed.actor,
        staff,
        person_id,
        new,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(created(row.id))
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct AchievedRequest {
    /// YYYY-MM-DD
    pub achieved_on: String,
}

/// Records that a planned promotion was achieved.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/skill-promotions/{person_id}/{promotion_id}/achieved", tag = "ledgers",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("promotion_id" = Uuid, Path)), request_body = AchievedRequest,
    responses((status = 200, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn promotion_achieved(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, promotion_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<AchievedRequest>,
) -> Result<axum::Json<RecordedDto>, WebError> {
    let staff = ledger_write(&state, &authed, id).await?;
    let on = parse_date("achieved_on", &body.achieved_on)?;
    let row = ops::record_promotion_achieved(
        &state.store,
        &authed.actor,
        staff,
        (person_id, promotion_id),
        on,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(axum::Json(RecordedDto { id: row.id }))
}
