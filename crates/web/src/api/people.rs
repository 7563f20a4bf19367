//! People: search, the archive, its signed export, hiring and leaving, contact updates.

use anpei_domain::{
    EmploymentKind, IdNumber, Period, PersonName, Phone, PositionFlags, PositionTitle,
};
use anpei_store::ops::people::Hire;
use anpei_store::read::{self, PersonQuery, PersonSort};
use anpei_store::{access, ops};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(archive))
        .routes(routes!(export))
        .routes(routes!(open_id_number))
        .routes(routes!(update_phone))
        .routes(routes!(hire))
        .routes(routes!(end_employment))
}

/// Search by part of a name or a full ID number. A POST, so that ID numbers stay out of
/// URLs and access logs.
#[derive(Deserialize, ToSchema, Default)]
pub struct PersonSearch {
    #[serde(default)]
    pub query: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u64>,
    /// name (default), birth_date, recent
    pub sort: Option<String>,
    #[serde(default)]
    pub desc: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PersonSummaryDto {
    pub id: Uuid,
    pub name: String,
    /// Always masked, e.g. `2301**********123X`.
    pub id_number_masked: String,
    pub gender: String,
    /// The year only: with the full date, the masked ID number gives away the whole number
    /// in three guesses for 98.5 % of people.
    pub birth_year: i32,
    pub current_employers: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonPage {
    pub items: Vec<PersonSummaryDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[utoipa::path(post, path = "/api/v1/persons/search", tag = "people", request_body = PersonSearch,
    responses((status = 200, body = PersonPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn search(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<PersonSearch>,
) -> Result<axum::Json<PersonPage>, WebError> {
    let (page, per_page) = super::paging(body.page, body.per_page);
    let sort = match body.sort.as_deref() {
        Some("birth_date") => PersonSort::BirthDate,
        Some("recent") => PersonSort::Recent,
        _ => PersonSort::Name,
    };
    let query = PersonQuery {
        text: body.query,
        page,
        per_page,
        sort,
        desc: body.desc,
    };
    let result = read::search_persons(
        state.store.connection(),
        &authed.actor,
        &query,
        clock::today(),
    )
    .await?;
    Ok(axum::Json(PersonPage {
        total: result.total,
        page: result.page,
        per_page: result.per_page,
        items: result
            .items
            .into_iter()
            .map(|p| PersonSummaryDto {
                id: p.id,
                id_number_masked: p.id_number.masked(),
                gender: p.gender.code().to_owned(),
                birth_year: p.birth_date.year(),
                current_employers: p.employers,
                name: p.name,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ProvenanceDto {
    pub ledger_seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub action: String,
}

impl From<&read::Provenance> for ProvenanceDto {
    fn from(p: &read::Provenance) -> Self {
        ProvenanceDto {
            ledger_seq: p.seq,
            at: p.at,
            by: p.actor_name.clone(),
            action: p.action.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EmploymentDto {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub enterprise_name: String,
    pub city: String,
    /// regular, dispatched, outsourced
    pub kind: String,
    pub position: String,
    pub team_leader: bool,
    pub special_ops_trade: Option<String>,
    pub key_position: bool,
    pub principal_leader: bool,
    pub safety_manager: bool,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub current: bool,
    pub recorded: Option<ProvenanceDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ArchiveDto {
    pub id: Uuid,
    pub name: String,
    pub id_number_masked: String,
    pub gender: String,
    /// The year only (see `PersonSummaryDto::birth_year`).
    pub birth_year: i32,
    pub phone_masked: Option<String>,
    pub employments: Vec<EmploymentDto>,
    pub history: Vec<ProvenanceDto>,
    /// Sections filled by later capabilities (training, exams, certificates, assessments,
    /// credits); empty lists until then.
    pub training: Vec<serde_json::Value>,
    pub exams: Vec<serde_json::Value>,
    pub certificates: Vec<serde_json::Value>,
    pub assessments: Vec<serde_json::Value>,
    pub credits: Vec<serde_json::Value>,
}

#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "people", params(("id" = Uuid, Path)),
    responses((status = 200, body = ArchiveDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn archive(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ArchiveDto>, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, today).await?;
    let archive = read::archive(db, access, today).await?;
    let person = &archive.person;
    Ok(axum::Json(ArchiveDto {
        id: person.id,
        name: person.name.clone(),
        id_number_masked: person.id_number.masked(),
        gender: person.gender.code().to_owned(),
        birth_year: person.birth_date.year(),
        phone_masked: person.phone.as_ref().map(Phone::masked),
        employments: archive
            .employments
            .iter()
            .map(|e| EmploymentDto {
                id: e.id,
                enterprise_id: e.enterprise_id,
                enterprise_name: e.enterprise_name.clone(),
                city: e.city_name.clone(),
                kind: e.kind.code().to_owned(),
                position: e.position.clone(),
                team_leader: e.flags.team_leader,
                special_ops_trade: e.flags.special_ops_trade.clone(),
                key_position: e.flags.key_position,
                principal_leader: e.flags.principal_leader,
                safety_manager: e.flags.safety_manager,
                start_date: e.period.from(),
                end_date: e.period.to(),
                current: e.current,
                recorded: e.recorded.as_ref().map(ProvenanceDto::from),
            })
            .collect(),
        history: archive.history.iter().map(ProvenanceDto::from).collect(),
        training: Vec::new(),
        exams: Vec::new(),
        certificates: Vec::new(),
        assessments: Vec::new(),
        credits: Vec::new(),
    }))
}

/// The archive as signed JSON (SM2 over SM3), for `anpei archive verify FILE`. The ID
/// number is unmasked only in the person's own export.
#[utoipa::path(get, path = "/api/v1/persons/{id}/export", tag = "people", params(("id" = Uuid, Path)),
    responses((status = 200, body = serde_json::Value), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn export(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, today).await?;
    let document = state
        .store
        .export_archive(&authed.actor, access, today, clock::now())
        .await?;
    Ok(axum::Json(document).into_response())
}

/// A full ID number, opened on purpose.
#[derive(Serialize, ToSchema)]
pub struct FullIdNumberDto {
    pub id_number: String,
}

/// Opens one person's full ID number: for the person, their current employer and the
/// regulators of their jurisdiction; every call is audited (`pii_access_log`). A `POST`, so
/// that the number is never in a URL or a cache.
#[utoipa::path(post, path = "/api/v1/persons/{id}/id-number", tag = "people", params(("id" = Uuid, Path)),
    responses((status = 200, body = FullIdNumberDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn open_id_number(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, clock::today()).await?;
    let full =
        anpei_store::pii_audit::open_id_number(db, &authed.actor, access, clock::now()).await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(FullIdNumberDto {
            id_number: full.as_str().to_owned(),
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct PhoneUpdate {
    /// Mainland mobile number, or null to remove it.
    pub phone: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/persons/{id}/phone", tag = "people", params(("id" = Uuid, Path)), request_body = PhoneUpdate,
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_phone(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<PhoneUpdate>,
) -> Result<StatusCode, WebError> {
    let access =
        access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let phone = match body
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(raw) => Some(Phone::parse(raw).map_err(|e| WebError::invalid("phone", &e))?),
        None => None,
    };
    ops::people::update_phone(&state.store, &authed.actor, access, phone, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A hire as submitted: every field is parsed and checked before anything is written.
#[derive(Deserialize, ToSchema, Clone, Default)]
pub struct HireRequest {
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    /// below_high_school, high_school, secondary_vocational, college, bachelor (文化程度)
    pub education: Option<String>,
    /// regular (default), dispatched, outsourced
    #[serde(default)]
    pub kind: String,
    pub position: String,
    /// YYYY-MM-DD
    pub start_date: String,
    pub end_date: Option<String>,
    pub special_ops_trade: Option<String>,
    #[serde(default)]
    pub team_leader: bool,
    #[serde(default)]
    pub key_position: bool,
    #[serde(default)]
    pub principal_leader: bool,
    #[serde(default)]
    pub safety_manager: bool,
}

fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, WebError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| WebError::Invalid {
        field: field.to_owned(),
        zh: format!("日期格式应为 YYYY-MM-DD，收到“{}”", raw.trim()),
        en: format!("Dates must be YYYY-MM-DD; got \"{}\"", raw.trim()),
    })
}

/// Parses a hire; the first bad field is reported by name.
pub fn parse_hire(request: &HireRequest) -> Result<Hire, WebError> {
    let name = PersonName::parse(&request.name).map_err(|e| WebError::invalid("name", &e))?;
    let id_number =
        IdNumber::parse(&request.id_number).map_err(|e| WebError::invalid("id_number", &e))?;
    let phone = match request
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(raw) => Some(Phone::parse(raw).map_err(|e| WebError::invalid("phone", &e))?),
        None => None,
    };
    let kind = if request.kind.trim().is_empty() {
        EmploymentKind::Regular
    } else {
        EmploymentKind::parse(request.kind.trim()).ok_or_else(|| WebError::Invalid {
            field: "kind".to_owned(),
            zh: "用工形式应为 regular（正式职工）、dispatched（被派遣劳动者）或 outsourced（外包施工人员）".to_owned(),
            en: "kind must be regular, dispatched or outsourced".to_owned(),
        })?
    };
    let position =
        PositionTitle::parse(&request.position).map_err(|e| WebError::invalid("position", &e))?;
    let from = parse_date("start_date", &request.start_date)?;
    let to = match request.end_date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(raw) => Some(parse_date("end_date", raw)?),
        None => None,
    };
    let period = Period::new(from, to).map_err(|e| WebError::invalid("end_date", &e))?;
    let trade = request
        .special_ops_trade
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(trade) = trade {
        let well_formed =
            trade.len() <= 16 && trade.chars().all(|c| c.is_ascii_digit() || c == '.');
        if !well_formed {
            return Err(WebError::Invalid {
                field: "special_ops_trade".to_owned(),
                zh: format!("特种作业类别代码格式不正确：“{trade}”（例如 1.2）"),
                en: format!("Malformed special-operations trade code \"{trade}\" (e.g. 1.2)"),
            });
        }
    }
    let education = match request.education.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(code) => Some(anpei_domain::rules::Education::parse(code).ok_or_else(|| WebError::Invalid {
            field: "education".to_owned(),
            zh: "文化程度应为 below_high_school、high_school、secondary_vocational、college 或 bachelor".to_owned(),
            en: "education must be below_high_school, high_school, secondary_vocational, college or bachelor".to_owned(),
        })?),
        None => None,
    };
    Ok(Hire {
        education,
        id_number,
        name,
        phone,
        kind,
        position,
        flags: PositionFlags {
            team_leader: request.team_leader,
            special_ops_trade: trade.map(str::to_owned),
            key_position: request.key_position,
            principal_leader: request.principal_leader,
            safety_manager: request.safety_manager,
        },
        period,
    })
}

#[derive(Serialize, ToSchema)]
pub struct HiredDto {
    pub person_id: Uuid,
    pub employment_id: Uuid,
    /// True when this hire opened the person's lifelong archive.
    pub new_person: bool,
}

#[utoipa::path(post, path = "/api/v1/enterprises/{id}/employments", tag = "enterprises", params(("id" = Uuid, Path)), request_body = HireRequest,
    responses((status = 201, body = HiredDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn hire(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<HireRequest>,
) -> Result<Response, WebError> {
    let staff = access::enterprise_staff_write(state.store.connection(), &authed.actor, id).await?;
    let hire = parse_hire(&body)?;
    let hired = ops::people::hire(&state.store, &authed.actor, staff, hire, clock::now()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(HiredDto {
            person_id: hired.person_id,
            employment_id: hired.employment_id,
            new_person: hired.new_person,
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct EndEmployment {
    /// The last working day, YYYY-MM-DD.
    pub end_date: String,
}

#[utoipa::path(post, path = "/api/v1/enterprises/{id}/employments/{person_id}/{employment_id}/end", tag = "enterprises",
    params(("id" = Uuid, Path), ("person_id" = Uuid, Path), ("employment_id" = Uuid, Path)), request_body = EndEmployment,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn end_employment(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person_id, employment_id)): Path<(Uuid, Uuid, Uuid)>,
    Json(body): Json<EndEmployment>,
) -> Result<StatusCode, WebError> {
    let staff = access::enterprise_staff_write(state.store.connection(), &authed.actor, id).await?;
    let end_date = parse_date("end_date", &body.end_date)?;
    ops::people::end_employment(
        &state.store,
        &authed.actor,
        staff,
        person_id,
        employment_id,
        end_date,
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
