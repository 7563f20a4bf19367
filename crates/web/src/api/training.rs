//! Training institutions and their classes as JSON (issue 5, SPEC C9): the registry
//! (approved trades with practical facilities, the HR catalogue flag, trainers and
//! examiners), classes, trainees sent by enterprises, attendance, video evidence and
//! completion into the trainees' archives.

use anpei_domain::classes::TrainerRole;
use anpei_store::ops::training::{
    self as ops, NewApproval, NewAttendance, NewClass, NewTrainer, NewVideo, TrainerEvent,
};
use anpei_store::read_training as read;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::certificates::parse_date;
use crate::api::enterprise_ledgers::{RecordedDto, created, invalid, ledger_write};
use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_institutions))
        .routes(routes!(get_institution))
        .routes(routes!(approve_trade))
        .routes(routes!(withdraw_trade))
        .routes(routes!(set_catalogue))
        .routes(routes!(add_trainer))
        .routes(routes!(trainer_event))
        .routes(routes!(create_class))
        .routes(routes!(list_open_classes))
        .routes(routes!(get_class))
        .routes(routes!(enroll))
        .routes(routes!(record_attendance))
        .routes(routes!(record_video))
        .routes(routes!(complete_class))
}

fn uuid(field: &str, raw: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(raw.trim()).map_err(|_| invalid(field, "无法识别的编号", "Unknown id"))
}

fn no_worker(authed: &Authed) -> Result<(), WebError> {
    if matches!(authed.actor.scope, anpei_store::Scope::Person(_)) {
        return Err(WebError::NotFound);
    }
    Ok(())
}

// ---------------------------------------------------------------- registry

#[derive(Serialize, ToSchema)]
pub struct InstitutionSummaryDto {
    pub id: Uuid,
    pub name: String,
    pub credit_code: String,
    pub region_code: String,
    pub city_code: String,
    /// In the HR bureau's unified catalogue (统一目录清单) since this day.
    pub hr_catalogue_since: Option<NaiveDate>,
    /// Trade codes it is approved to train (approvals not withdrawn).
    pub trades: Vec<String>,
}

/// The training institutions of the province with their approved trades.
#[utoipa::path(get, path = "/api/v1/institutions", tag = "institutions",
    responses((status = 200, body = Vec<InstitutionSummaryDto>), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_institutions(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<axum::Json<Vec<InstitutionSummaryDto>>, WebError> {
    no_worker(&authed)?;
    let rows = read::institutions(state.store.connection()).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|(row, trades)| InstitutionSummaryDto {
                id: row.id,
                name: row.name,
                credit_code: row.credit_code,
                region_code: row.region_code,
                city_code: row.city_code,
                hr_catalogue_since: row.hr_catalogue_since,
                trades,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ApprovalDto {
    pub id: Uuid,
    pub trade_code: String,
    pub trade_name: String,
    pub approved_on: NaiveDate,
    pub may_examine: bool,
    pub practical_facilities: String,
    pub withdrawn_on: Option<NaiveDate>,
    /// Whether it holds today (approved, not withdrawn, with facilities).
    pub in_force: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TrainerDto {
    pub id: Uuid,
    pub name: String,
    /// trainer (培训教师) or examiner (考评员).
    pub role: String,
    pub qualification: String,
    pub trade_codes: Vec<String>,
    pub selected_on: NaiveDate,
    pub last_assessed_year: Option<i32>,
    pub last_assessment_passed: Option<bool>,
    pub exited_on: Option<NaiveDate>,
    pub exit_reason: Option<String>,
    /// May teach today (selected, not exited, not failed at the last assessment).
    pub active: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ClassSummaryDto {
    pub id: Uuid,
    pub institution_id: Uuid,
    pub number: String,
    pub trade_code: String,
    pub trade_name: String,
    pub syllabus: String,
    pub theory_hours: f64,
    pub practical_hours: f64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub trainers: String,
    pub completed_on: Option<NaiveDate>,
}

pub fn trade_name(code: &str) -> String {
    anpei_domain::trade::find_trade(code)
        .map(|t| t.name.to_owned())
        .unwrap_or_else(|| code.to_owned())
}

impl From<anpei_store::entity::training_class::Model> for ClassSummaryDto {
    fn from(c: anpei_store::entity::training_class::Model) -> Self {
        ClassSummaryDto {
            id: c.id,
            institution_id: c.institution_id,
            trade_name: trade_name(&c.trade_code),
            number: c.number,
            trade_code: c.trade_code,
            syllabus: c.syllabus,
            theory_hours: c.theory_hours,
            practical_hours: c.practical_hours,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            trainers: c.trainers,
            completed_on: c.completed_on,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstitutionDto {
    pub id: Uuid,
    pub name: String,
    pub credit_code: String,
    pub region_code: String,
    pub hr_catalogue_since: Option<NaiveDate>,
    pub approvals: Vec<ApprovalDto>,
    pub trainers: Vec<TrainerDto>,
    pub classes: Vec<ClassSummaryDto>,
    /// The exam sites it runs.
    pub exam_sites: Vec<ExamSiteDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ExamSiteDto {
    pub id: Uuid,
    pub name: String,
    pub region_code: String,
    pub address: String,
    pub seats: i64,
}

/// One institution's registry entry: approvals with facilities, trainers and examiners,
/// classes.
#[utoipa::path(get, path = "/api/v1/institutions/{id}", tag = "institutions", params(("id" = Uuid, Path)),
    responses((status = 200, body = InstitutionDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_institution(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<InstitutionDto>, WebError> {
    let today = clock::today();
    let entry = read::registry(state.store.connection(), &authed.actor, id).await?;
    Ok(axum::Json(InstitutionDto {
        id: entry.institution.id,
        name: entry.institution.name,
        credit_code: entry.institution.credit_code,
        region_code: entry.institution.region_code,
        hr_catalogue_since: entry.institution.hr_catalogue_since,
        approvals: entry
            .approvals
            .into_iter()
            .map(|a| ApprovalDto {
                in_force: ops::approval_holds(&a, today),
                id: a.id,
                trade_name: trade_name(&a.trade_code),
                trade_code: a.trade_code,
                approved_on: a.approved_on,
                may_examine: a.may_examine,
                practical_facilities: a.practical_facilities,
                withdrawn_on: a.withdrawn_on,
            })
            .collect(),
        trainers: entry
            .trainers
            .into_iter()
            .map(|t| TrainerDto {
                active: anpei_domain::classes::may_teach(
                    t.selected_on,
                    t.exited_on,
                    t.last_assessment_passed,
                    today,
                ),
                id: t.id,
                name: t.name,
                role: t.role,
                qualification: t.qualification,
                trade_codes: t.trade_codes.split(',').map(str::to_owned).collect(),
                selected_on: t.selected_on,
                last_assessed_year: t.last_assessed_year,
                last_assessment_passed: t.last_assessment_passed,
                exited_on: t.exited_on,
                exit_reason: t.exit_reason,
            })
            .collect(),
        classes: entry.classes.into_iter().map(Into::into).collect(),
        exam_sites: entry
            .exam_sites
            .into_iter()
            .map(|(site, seats)| ExamSiteDto {
                id: site.id,
                name: site.name,
                region_code: site.region_code,
                address: site.address,
                seats,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct ApprovalRequest {
    /// Trade code of the national catalogue, e.g. "1.2".
    pub trade_code: String,
    /// YYYY-MM-DD
    pub approved_on: String,
    #[serde(default)]
    pub may_examine: bool,
    /// What the institution has for the trade's practical training; required.
    pub practical_facilities: String,
}

/// Approves the institution for a trade (regulators: the province, or the city of the
/// institution).
#[utoipa::path(post, path = "/api/v1/institutions/{id}/trades", tag = "institutions", params(("id" = Uuid, Path)), request_body = ApprovalRequest,
    responses((status = 201, body = RecordedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn approve_trade(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<ApprovalRequest>,
) -> Result<Response, WebError> {
    let approved_on = parse_date("approved_on", &body.approved_on)?;
    let model = ops::approve_trade(
        &state.store,
        &authed.actor,
        id,
        NewApproval {
            trade_code: body.trade_code,
            approved_on,
            may_examine: body.may_examine,
            practical_facilities: body.practical_facilities,
        },
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(created(model.id))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawRequest {
    /// YYYY-MM-DD: from this day the approval no longer holds.
    pub on: String,
}

/// Withdraws an approval.
#[utoipa::path(post, path = "/api/v1/institutions/{id}/trades/{trade}/withdraw", tag = "institutions",
    params(("id" = Uuid, Path), ("trade" = String, Path)), request_body = WithdrawRequest,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn withdraw_trade(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, trade)): Path<(Uuid, String)>,
    Json(body): Json<WithdrawRequest>,
) -> Result<StatusCode, WebError> {
    let on = parse_date("on", &body.on)?;
    ops::withdraw_trade(&state.store, &authed.actor, id, &trade, on, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct CatalogueRequest {
    /// YYYY-MM-DD: listed in the unified catalogue since; null takes it off.
    pub since: Option<String>,
}

/// The HR bureau lists the institution in its unified catalogue (统一目录清单), or takes it
/// off.
#[utoipa::path(put, path = "/api/v1/institutions/{id}/catalogue", tag = "institutions", params(("id" = Uuid, Path)), request_body = CatalogueRequest,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn set_catalogue(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<CatalogueRequest>,
) -> Result<StatusCode, WebError> {
    let since = match body.since.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => Some(parse_date("since", raw)?),
        None => None,
    };
    ops::set_hr_catalogue(
        &state.store,
        &authed.actor,
        id,
        since,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct TrainerRequest {
    pub name: String,
    /// trainer or examiner
    pub role: String,
    pub qualification: String,
    pub trade_codes: Vec<String>,
    /// YYYY-MM-DD: the day of selection (选拔).
    pub selected_on: String,
}

/// The institution records a trainer or examiner it selected.
#[utoipa::path(post, path = "/api/v1/institutions/{id}/trainers", tag = "institutions", params(("id" = Uuid, Path)), request_body = TrainerRequest,
    responses((status = 201, body = RecordedDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_trainer(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<TrainerRequest>,
) -> Result<Response, WebError> {
    let role = TrainerRole::parse(body.role.trim()).ok_or_else(|| {
        invalid(
            "role",
            "应为 trainer 或 examiner",
            "Must be trainer or examiner",
        )
    })?;
    let selected_on = parse_date("selected_on", &body.selected_on)?;
    let model = ops::add_trainer(
        &state.store,
        &authed.actor,
        id,
        NewTrainer {
            name: body.name,
            role,
            qualification: body.qualification,
            trade_codes: body.trade_codes,
            selected_on,
        },
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(created(model.id))
}

#[derive(Deserialize, ToSchema)]
pub struct TrainerEventRequest {
    /// assessed (yearly assessment) or exited.
    pub kind: String,
    pub year: Option<i32>,
    pub passed: Option<bool>,
    /// YYYY-MM-DD, for an exit.
    pub on: Option<String>,
    pub reason: Option<String>,
}

/// A trainer's yearly assessment (考核) or exit (退出).
#[utoipa::path(post, path = "/api/v1/institutions/{id}/trainers/{trainer_id}/events", tag = "institutions",
    params(("id" = Uuid, Path), ("trainer_id" = Uuid, Path)), request_body = TrainerEventRequest,
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn trainer_event(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, trainer_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<TrainerEventRequest>,
) -> Result<StatusCode, WebError> {
    let event = match body.kind.as_str() {
        "assessed" => TrainerEvent::Assessed {
            year: body
                .year
                .ok_or_else(|| invalid("year", "请填写考核年度", "The year is required"))?,
            passed: body
                .passed
                .ok_or_else(|| invalid("passed", "请填写考核结果", "The result is required"))?,
        },
        "exited" => TrainerEvent::Exited {
            on: parse_date("on", body.on.as_deref().unwrap_or_default())?,
            reason: body.reason.unwrap_or_default(),
        },
        _ => {
            return Err(invalid(
                "kind",
                "应为 assessed 或 exited",
                "Must be assessed or exited",
            ));
        }
    };
    ops::trainer_event(
        &state.store,
        &authed.actor,
        (id, trainer_id),
        event,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- classes

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct ClassRequest {
    /// 班号, unique within the institution.
    pub number: String,
    pub trade_code: String,
    pub syllabus: String,
    pub theory_hours: f64,
    pub practical_hours: f64,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// YYYY-MM-DD
    pub ends_on: String,
    #[serde(default)]
    pub schedule: String,
    /// Ids of the institution's trainers who teach it.
    pub trainer_ids: Vec<String>,
}

/// The institution opens a class for a trade it is approved for.
#[utoipa::path(post, path = "/api/v1/institutions/{id}/classes", tag = "institutions", params(("id" = Uuid, Path)), request_body = ClassRequest,
    responses((status = 201, body = RecordedDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_class(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<ClassRequest>,
) -> Result<Response, WebError> {
    let new = NewClass {
        number: body.number,
        trade_code: body.trade_code,
        syllabus: body.syllabus,
        theory_hours: body.theory_hours,
        practical_hours: body.practical_hours,
        starts_on: parse_date("starts_on", &body.starts_on)?,
        ends_on: parse_date("ends_on", &body.ends_on)?,
        schedule: body.schedule,
        trainer_ids: body
            .trainer_ids
            .iter()
            .map(|raw| uuid("trainer_ids", raw))
            .collect::<Result<_, _>>()?,
    };
    let model = ops::create_class(&state.store, &authed.actor, id, new, clock::now()).await?;
    Ok(created(model.id))
}

#[derive(Serialize, ToSchema)]
pub struct OpenClassDto {
    #[serde(flatten)]
    pub class: ClassSummaryDto,
    pub institution: String,
}

/// Classes not yet completed, of every institution: where an enterprise may send people.
#[utoipa::path(get, path = "/api/v1/classes", tag = "institutions",
    responses((status = 200, body = Vec<OpenClassDto>), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_open_classes(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<axum::Json<Vec<OpenClassDto>>, WebError> {
    no_worker(&authed)?;
    let rows = read::open_classes(state.store.connection()).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|(class, institution)| OpenClassDto {
                class: class.into(),
                institution,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TraineeDto {
    pub person_id: Uuid,
    pub name: String,
    /// Masked.
    pub id_number: String,
    pub enterprise: Option<String>,
    pub theory_hours: f64,
    pub practical_hours: f64,
    pub sessions: usize,
    pub completed_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct VideoDto {
    pub id: Uuid,
    pub part: String,
    pub session_on: NaiveDate,
    pub storage: String,
    pub sha256: String,
    pub duration_seconds: i32,
    pub retained_until: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct ClassDto {
    #[serde(flatten)]
    pub class: ClassSummaryDto,
    pub institution: String,
    pub schedule: String,
    /// The trainees the caller may see (an enterprise: the people it sent).
    pub trainees: Vec<TraineeDto>,
    pub videos: Vec<VideoDto>,
}

/// One class with its trainees, their attended hours and the video evidence.
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "institutions", params(("id" = Uuid, Path)),
    responses((status = 200, body = ClassDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_class(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ClassDto>, WebError> {
    no_worker(&authed)?;
    let view = read::class(state.store.connection(), &authed.actor, id).await?;
    Ok(axum::Json(class_dto(view)))
}

pub fn class_dto(view: read::ClassView) -> ClassDto {
    ClassDto {
        schedule: view.class.schedule.clone(),
        class: view.class.into(),
        institution: view.institution,
        trainees: view
            .trainees
            .into_iter()
            .map(|t| TraineeDto {
                person_id: t.person_id,
                name: t.name,
                id_number: t.id_number.masked(),
                enterprise: t.enterprise,
                theory_hours: t.theory_hours,
                practical_hours: t.practical_hours,
                sessions: t.sessions,
                completed_on: t.completed_on,
            })
            .collect(),
        videos: view
            .videos
            .into_iter()
            .map(|v| VideoDto {
                id: v.id,
                part: v.part,
                session_on: v.session_on,
                storage: v.storage,
                sha256: v.sha256,
                duration_seconds: v.duration_seconds,
                retained_until: v.retained_until,
            })
            .collect(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct EnrollRequest {
    /// The enterprise sending its staff (the caller's own).
    pub enterprise_id: Uuid,
    pub person_ids: Vec<Uuid>,
}

/// An enterprise sends people of its staff to a class (delegated training).
#[utoipa::path(post, path = "/api/v1/classes/{id}/trainees", tag = "institutions", params(("id" = Uuid, Path)), request_body = EnrollRequest,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn enroll(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<EnrollRequest>,
) -> Result<StatusCode, WebError> {
    let staff = ledger_write(&state, &authed, body.enterprise_id).await?;
    ops::enroll(
        &state.store,
        &authed.actor,
        staff,
        id,
        &body.person_ids,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Clone)]
pub struct AttendanceEntry {
    pub person_id: Uuid,
    /// YYYY-MM-DD
    pub session_on: String,
    /// theory or practical
    pub part: String,
    pub hours: f64,
    /// face, fingerprint, id_card or signature
    pub method: String,
    /// RFC 3339; the time of the sign-in.
    pub signed_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceRequest {
    pub entries: Vec<AttendanceEntry>,
}

/// The institution records sign-ins at sessions of its class, all or nothing.
#[utoipa::path(post, path = "/api/v1/classes/{id}/attendance", tag = "institutions", params(("id" = Uuid, Path)), request_body = AttendanceRequest,
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn record_attendance(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<AttendanceRequest>,
) -> Result<StatusCode, WebError> {
    let mut entries = Vec::with_capacity(body.entries.len());
    for (index, entry) in body.entries.into_iter().enumerate() {
        entries.push(NewAttendance {
            person_id: entry.person_id,
            session_on: parse_date(&format!("entries[{index}].session_on"), &entry.session_on)?,
            part: entry.part,
            hours: entry.hours,
            method: entry.method,
            signed_at: entry.signed_at,
        });
    }
    ops::record_attendance(
        &state.store,
        &authed.actor,
        id,
        &entries,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Clone)]
pub struct VideoRequest {
    /// theory or practical
    pub part: String,
    /// YYYY-MM-DD: the session recorded.
    pub session_on: String,
    /// Where the file is kept (object-store key or archive path).
    pub storage: String,
    /// SHA-256 of the file, 64 hex characters.
    pub sha256: String,
    pub duration_seconds: i32,
    /// YYYY-MM-DD: kept at least until (no earlier than the end of the certificates'
    /// validity, or the subsidy review fails the row).
    pub retained_until: String,
}

/// The institution records a reference to a full training video.
#[utoipa::path(post, path = "/api/v1/classes/{id}/videos", tag = "institutions", params(("id" = Uuid, Path)), request_body = VideoRequest,
    responses((status = 201, body = RecordedDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn record_video(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<VideoRequest>,
) -> Result<Response, WebError> {
    let model = ops::record_video(
        &state.store,
        &authed.actor,
        id,
        NewVideo {
            part: body.part,
            session_on: parse_date("session_on", &body.session_on)?,
            storage: body.storage,
            sha256: body.sha256,
            duration_seconds: body.duration_seconds,
            retained_until: parse_date("retained_until", &body.retained_until)?,
        },
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(created(model.id))
}

#[derive(Deserialize, ToSchema)]
pub struct CompleteRequest {
    /// YYYY-MM-DD: the completion day (结业), on or after the class's last day.
    pub completed_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct CompletionDto {
    /// Trainees whose archives now hold the training.
    pub completed: Vec<Uuid>,
    /// Trainees short of the scheduled hours, left uncompleted.
    pub short: Vec<ShortDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ShortDto {
    pub person_id: Uuid,
    pub theory_hours: f64,
    pub practical_hours: f64,
}

/// Completes a class: trainees who attended every scheduled hour get the training in their
/// archives.
#[utoipa::path(post, path = "/api/v1/classes/{id}/complete", tag = "institutions", params(("id" = Uuid, Path)), request_body = CompleteRequest,
    responses((status = 200, body = CompletionDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn complete_class(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<CompleteRequest>,
) -> Result<axum::Json<CompletionDto>, WebError> {
    let on = parse_date("completed_on", &body.completed_on)?;
    let done = ops::complete_class(
        &state.store,
        &authed.actor,
        id,
        on,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(axum::Json(CompletionDto {
        completed: done.completed,
        short: done
            .short
            .into_iter()
            .map(|(person_id, theory_hours, practical_hours)| ShortDto {
                person_id,
                theory_hours,
                practical_hours,
            })
            .collect(),
    }))
}
