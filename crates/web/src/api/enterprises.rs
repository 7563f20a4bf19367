//! Enterprises: list, one enterprise, its staff, and registration by regulators.

use anpei_domain::{CreditCode, EmploymentKind, Industry, PersonName};
use anpei_store::ops::enterprises::{self, NewEnterprise};
use anpei_store::read::{self, EnterpriseQuery, EnterpriseSort, StaffFlag, StaffQuery, StaffSort};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(staff))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseListParams {
    /// Part of the name, or a full credit code.
    pub name: Option<String>,
    /// hazchem, coal, noncoal, smelting, fireworks, oilgas
    pub industry: Option<String>,
    /// City code, e.g. 230100.
    pub city: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u64>,
    /// name (default), credit_code, region, recent
    pub sort: Option<String>,
    pub desc: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseDto {
    pub id: Uuid,
    pub credit_code: String,
    pub name: String,
    pub industry: Option<String>,
    pub region_code: String,
    pub city_code: String,
    pub legal_representative: String,
    /// Current staff, when the caller may count people there.
    pub staff: Option<u64>,
}

impl From<read::EnterpriseRow> for EnterpriseDto {
    fn from(e: read::EnterpriseRow) -> Self {
        EnterpriseDto {
            id: e.id,
            industry: e.industry.map(|i| i.code().to_owned()),
            credit_code: e.credit_code,
            name: e.name,
            region_code: e.region_code,
            city_code: e.city_code,
            legal_representative: e.legal_representative,
            staff: e.staff,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnterprisePage {
    pub items: Vec<EnterpriseDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

fn unknown(field: &str, zh: &str, en: &str) -> WebError {
    WebError::Invalid {
        field: field.to_owned(),
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(EnterpriseListParams),
    responses((status = 200, body = EnterprisePage), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<EnterpriseListParams>,
) -> Result<axum::Json<EnterprisePage>, WebError> {
    let industry = match q.industry.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(
            Industry::parse(code)
                .ok_or_else(|| unknown("industry", "未知的行业代码", "Unknown industry code"))?,
        ),
        None => None,
    };
    let (page, per_page) = super::paging(q.page, q.per_page);
    let sort = match q.sort.as_deref() {
        Some("credit_code") => EnterpriseSort::CreditCode,
        Some("region") => EnterpriseSort::Region,
        Some("recent") => EnterpriseSort::Recent,
        _ => EnterpriseSort::Name,
    };
    let query = EnterpriseQuery {
        name: q.name.unwrap_or_default(),
        industry,
        city_code: q.city.filter(|c| !c.is_empty()),
        page,
        per_page,
        sort,
        desc: q.desc.unwrap_or(false),
    };
    let result = read::enterprises(
        state.store.connection(),
        &authed.actor,
        &query,
        clock::today(),
    )
    .await?;
    Ok(axum::Json(EnterprisePage {
        total: result.total,
        page: result.page,
        per_page: result.per_page,
        items: result.items.into_iter().map(EnterpriseDto::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises", params(("id" = Uuid, Path)),
    responses((status = 200, body = EnterpriseDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_one(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EnterpriseDto>, WebError> {
    Ok(axum::Json(
        read::enterprise(state.store.connection(), &authed.actor, id, clock::today())
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewEnterpriseRequest {
    pub credit_code: String,
    pub name: String,
    /// hazchem, coal, noncoal, smelting, fireworks, oilgas
    pub industry: String,
    /// County (or city) code within the caller's jurisdiction.
    pub region_code: String,
    pub legal_representative: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: Uuid,
}

/// Registers an enterprise (city regulators in their city, the province anywhere).
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "enterprises", request_body = NewEnterpriseRequest,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<NewEnterpriseRequest>,
) -> Result<Response, WebError> {
    let region = authed.actor.region_write().ok_or(WebError::Forbidden)?;
    let credit_code =
        CreditCode::parse(&body.credit_code).map_err(|e| WebError::invalid("credit_code", &e))?;
    let name = enterprises::parse_enterprise_name(&body.name)?;
    let industry = Industry::parse(body.industry.trim())
        .ok_or_else(|| unknown("industry", "未知的行业代码", "Unknown industry code"))?;
    let legal_representative = PersonName::parse(&body.legal_representative)
        .map_err(|e| WebError::invalid("legal_representative", &e))?;
    let id = enterprises::create(
        &state.store,
        &authed.actor,
        region,
        NewEnterprise {
            credit_code,
            name,
            industry,
            region_code: body.region_code.trim().to_owned(),
            legal_representative,
        },
        clock::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedDto { id })).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StaffParams {
    /// regular, dispatched, outsourced
    pub kind: Option<String>,
    /// team_leader, special_ops, key_position, principal_leader, safety_manager
    pub flag: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u64>,
    /// name (default), position, start_date
    pub sort: Option<String>,
    pub desc: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct StaffDto {
    pub person_id: Uuid,
    pub employment_id: Uuid,
    pub name: String,
    pub id_number_masked: String,
    pub kind: String,
    pub position: String,
    pub team_leader: bool,
    pub special_ops_trade: Option<String>,
    pub key_position: bool,
    pub principal_leader: bool,
    pub safety_manager: bool,
    pub start_date: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct StaffPage {
    pub items: Vec<StaffDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Current staff (在岗人员), for the enterprise itself and regulators of its region.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/staff", tag = "enterprises", params(("id" = Uuid, Path), StaffParams),
    responses((status = 200, body = StaffPage), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn staff(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(q): Query<StaffParams>,
) -> Result<axum::Json<StaffPage>, WebError> {
    let kind = match q.kind.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(
            EmploymentKind::parse(code)
                .ok_or_else(|| unknown("kind", "未知的用工形式", "Unknown employment kind"))?,
        ),
        None => None,
    };
    let flag = match q.flag.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => Some(
            StaffFlag::parse(code)
                .ok_or_else(|| unknown("flag", "未知的岗位类别", "Unknown post category"))?,
        ),
        None => None,
    };
    let (page, per_page) = super::paging(q.page, q.per_page);
    let sort = match q.sort.as_deref() {
        Some("position") => StaffSort::Position,
        Some("start_date") => StaffSort::StartDate,
        _ => StaffSort::Name,
    };
    let result = read::staff(
        state.store.connection(),
        &authed.actor,
        id,
        &StaffQuery {
            kind,
            flag,
            page,
            per_page,
            sort,
            desc: q.desc.unwrap_or(false),
        },
        clock::today(),
    )
    .await?;
    Ok(axum::Json(StaffPage {
        total: result.total,
        page: result.page,
        per_page: result.per_page,
        items: result
            .items
            .into_iter()
            .map(|s| StaffDto {
                person_id: s.person_id,
                employment_id: s.employment_id,
                id_number_masked: s.id_number.masked(),
                kind: s.kind.code().to_owned(),
                team_leader: s.flags.team_leader,
                special_ops_trade: s.flags.special_ops_trade,
                key_position: s.flags.key_position,
                principal_leader: s.flags.principal_leader,
                safety_manager: s.flags.safety_manager,
                start_date: s.start_date,
                position: s.position,
                name: s.name,
            })
            .collect(),
    }))
}
