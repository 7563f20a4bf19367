//! The safety-skills subsidy workflow as JSON (issue 5, SPEC C10): the enterprise files,
//! the institution confirms, the city regulator reviews with the automatic checks, the HR
//! bureau receives the approved lists (JSON and .xlsx) and records payment. ID numbers and
//! phones are masked; the status is visible to the enterprise throughout.

use anpei_domain::Phone;
use anpei_store::ops::subsidies::{self as ops, NewApplication, RowConfirmation, RowDecision};
use anpei_store::read_subsidies::{self as read, ApplicationFilter};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::certificates::parse_date;
use crate::api::enterprise_ledgers::{ledger_read, ledger_write};
use crate::api::training::trade_name;
use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_applications, file_application))
        .routes(routes!(get_application))
        .routes(routes!(confirm))
        .routes(routes!(review))
        .routes(routes!(pay))
        .routes(routes!(approved_xlsx))
        .routes(routes!(form_pdf))
        .routes(routes!(claimable))
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// filed, confirmed, reviewed or closed.
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationSummaryDto {
    pub id: Uuid,
    pub number: String,
    pub enterprise_id: Uuid,
    pub enterprise: String,
    pub institution_id: Uuid,
    pub institution: String,
    pub city_code: String,
    /// filed, confirmed, reviewed or closed.
    pub status: String,
    pub applied_on: NaiveDate,
    pub training_from: NaiveDate,
    pub training_to: NaiveDate,
    pub amount_yuan: i64,
    pub rows: u64,
    pub approved: u64,
    pub rejected: u64,
    pub paid: u64,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationSummaryDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The applications the caller may see: an enterprise its own, an institution those
/// addressed to it, a city regulator its city's, the HR bureau the reviewed ones of its
/// region.
#[utoipa::path(get, path = "/api/v1/subsidies", tag = "subsidies", params(ListParams),
    responses((status = 200, body = ApplicationPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn list_applications(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<ApplicationPage>, WebError> {
    let (page, per_page) = super::paging(q.page, q.per_page);
    let found = read::list(
        state.store.connection(),
        &authed.actor,
        &ApplicationFilter {
            status: q.status.filter(|s| !s.is_empty()),
        },
        page,
        per_page,
    )
    .await?;
    Ok(axum::Json(ApplicationPage {
        total: found.total,
        page: found.page,
        per_page: found.per_page,
        items: found
            .items
            .into_iter()
            .map(|s| ApplicationSummaryDto {
                id: s.application.id,
                number: s.application.number,
                enterprise_id: s.application.enterprise_id,
                enterprise: s.enterprise,
                institution_id: s.application.institution_id,
                institution: s.institution,
                city_code: s.application.city_code,
                status: s.application.status,
                applied_on: s.application.applied_on,
                training_from: s.application.training_from,
                training_to: s.application.training_to,
                amount_yuan: s.application.amount_yuan,
                rows: s.rows,
                approved: s.approved,
                rejected: s.rejected,
                paid: s.paid,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default, Clone)]
pub struct ApplicationRequest {
    /// The applying enterprise (the caller's own).
    pub enterprise_id: Uuid,
    /// The (delegated) training institution.
    pub institution_id: Uuid,
    pub handler_name: String,
    pub handler_phone: String,
    /// YYYY-MM-DD
    pub training_from: String,
    /// YYYY-MM-DD
    pub training_to: String,
    /// The written pledge (书面承诺) is accepted …
    #[serde(default)]
    pub pledge_accepted: bool,
    /// … by this named responsible person (负责人签字).
    #[serde(default)]
    pub pledge_by: String,
    /// The rows in order (序号 1, 2, …): one special-operations certificate of one of the
    /// enterprise's people each.
    pub certificate_ids: Vec<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct FiledDto {
    pub id: Uuid,
    pub number: String,
    pub amount_yuan: i64,
    pub status: String,
}

/// The enterprise files an application (审核表): header, pledge and rows. The amount is
/// computed (1000 yuan a person, rule version in the response of the detail).
#[utoipa::path(post, path = "/api/v1/subsidies", tag = "subsidies", request_body = ApplicationRequest,
    responses((status = 201, body = FiledDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn file_application(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<ApplicationRequest>,
) -> Result<Response, WebError> {
    let staff = ledger_write(&state, &authed, body.enterprise_id).await?;
    let filed = ops::file(
        &state.store,
        &authed.actor,
        staff,
        NewApplication {
            institution_id: body.institution_id,
            handler_name: body.handler_name,
            handler_phone: body.handler_phone,
            training_from: parse_date("training_from", &body.training_from)?,
            training_to: parse_date("training_to", &body.training_to)?,
            pledge_accepted: body.pledge_accepted,
            pledge_by: body.pledge_by,
            certificate_ids: body.certificate_ids,
        },
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(FiledDto {
            id: filed.application.id,
            number: filed.application.number,
            amount_yuan: filed.application.amount_yuan,
            status: filed.application.status,
        }),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct CheckDto {
    /// certificate_of_trade, issued_after_training, certificate_in_force,
    /// employed_during_training, not_claimed_elsewhere, videos_retained,
    /// institution_approved, institution_confirmed.
    pub code: String,
    pub passed: bool,
    pub reason_zh: String,
    pub reason_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct RowDto {
    pub id: Uuid,
    /// 序号
    pub seq: i32,
    pub person_id: Uuid,
    /// 姓名
    pub name: String,
    /// Masked ID number.
    pub id_number: String,
    /// 工种 code and name.
    pub trade_code: String,
    pub trade_name: String,
    pub certificate_id: Uuid,
    pub certificate_number: String,
    pub certificate_issued_on: Option<NaiveDate>,
    /// The institution's answer (null until it answers) and the class it named.
    pub confirmed: Option<bool>,
    pub class_number: Option<String>,
    /// The automatic checks: computed now while the application waits for review, as
    /// decided afterwards.
    pub checks: Vec<CheckDto>,
    pub failed_checks: usize,
    /// pending, approved or rejected.
    pub decision: String,
    pub comment: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub payment_ref: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TradeCountDto {
    pub trade_code: String,
    pub trade_name: String,
    pub people: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: Uuid,
    pub number: String,
    pub status: String,
    pub enterprise_id: Uuid,
    pub enterprise: String,
    pub credit_code: String,
    pub legal_representative: String,
    pub handler_name: String,
    /// Masked.
    pub handler_phone: String,
    pub institution_id: Uuid,
    pub institution: String,
    pub trades: Vec<TradeCountDto>,
    pub training_from: NaiveDate,
    pub training_to: NaiveDate,
    /// 取证人数: rows on the application.
    pub certified: usize,
    pub amount_yuan: i64,
    pub approved_yuan: u64,
    pub rules_version: String,
    pub pledge_by: String,
    pub applied_on: NaiveDate,
    pub confirmed_on: Option<NaiveDate>,
    pub institution_opinion: Option<String>,
    pub reviewed_on: Option<NaiveDate>,
    pub regulator_opinion: Option<String>,
    /// The HR bureau sees the approved rows only.
    pub rows: Vec<RowDto>,
}

pub fn application_dto(view: read::ApplicationView) -> ApplicationDto {
    let approved_yuan = view.approved_yuan();
    let app = view.application;
    ApplicationDto {
        id: app.id,
        number: app.number,
        status: app.status,
        enterprise_id: app.enterprise_id,
        enterprise: view.enterprise.name,
        credit_code: view.enterprise.credit_code,
        legal_representative: app.legal_representative,
        handler_name: app.handler_name,
        handler_phone: Phone::parse(&app.handler_phone)
            .map(|p| p.masked())
            .unwrap_or_default(),
        institution_id: app.institution_id,
        institution: view.institution.name,
        certified: view.trades.iter().map(|(_, n)| n).sum(),
        trades: view
            .trades
            .into_iter()
            .map(|(code, people)| TradeCountDto {
                trade_name: trade_name(&code),
                trade_code: code,
                people,
            })
            .collect(),
        training_from: app.training_from,
        training_to: app.training_to,
        amount_yuan: app.amount_yuan,
        approved_yuan,
        rules_version: app.rules_version,
        pledge_by: app.pledge_by,
        applied_on: app.applied_on,
        confirmed_on: app.confirmed_on,
        institution_opinion: app.institution_opinion,
        reviewed_on: app.reviewed_on,
        regulator_opinion: app.regulator_opinion,
        rows: view
            .rows
            .into_iter()
            .map(|r| RowDto {
                failed_checks: r.failed_checks(),
                id: r.row.id,
                seq: r.row.seq,
                person_id: r.row.person_id,
                name: r.name,
                id_number: r.id_number.masked(),
                trade_name: trade_name(&r.row.trade_code),
                trade_code: r.row.trade_code,
                certificate_id: r.row.certificate_id,
                certificate_number: r.certificate_number,
                certificate_issued_on: r.certificate_issued_on,
                confirmed: r.row.confirmed,
                class_number: r.class_number,
                checks: r
                    .checks
                    .into_iter()
                    .map(|c| CheckDto {
                        code: c.code,
                        passed: c.passed,
                        reason_zh: c.zh,
                        reason_en: c.en,
                    })
                    .collect(),
                decision: r.row.decision,
                comment: r.row.comment,
                decided_on: r.row.decided_on,
                paid_on: r.row.paid_on,
                payment_ref: r.row.payment_ref,
            })
            .collect(),
    }
}

/// One application with its rows, the automatic checks per row and every decision.
#[utoipa::path(get, path = "/api/v1/subsidies/{id}", tag = "subsidies", params(("id" = Uuid, Path)),
    responses((status = 200, body = ApplicationDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_application(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ApplicationDto>, WebError> {
    let view =
        read::application(state.store.connection(), &authed.actor, id, clock::today()).await?;
    Ok(axum::Json(application_dto(view)))
}

#[derive(Deserialize, ToSchema, Clone)]
pub struct ConfirmationAnswer {
    pub row_id: Uuid,
    /// These people completed all theory and practical courses of the syllabus with us.
    pub confirmed: bool,
    /// The class completed (required when confirmed).
    pub class_id: Option<Uuid>,
}

#[derive(Deserialize, ToSchema)]
pub struct ConfirmationRequest {
    /// One answer per row.
    pub answers: Vec<ConfirmationAnswer>,
}

/// The institution answers every row: completed all courses with us (naming the class), or
/// not.
#[utoipa::path(post, path = "/api/v1/subsidies/{id}/confirmation", tag = "subsidies", params(("id" = Uuid, Path)), request_body = ConfirmationRequest,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn confirm(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<ConfirmationRequest>,
) -> Result<StatusCode, WebError> {
    let answers: Vec<RowConfirmation> = body
        .answers
        .into_iter()
        .map(|a| RowConfirmation {
            row_id: a.row_id,
            confirmed: a.confirmed,
            class_id: a.class_id,
        })
        .collect();
    ops::confirm(
        &state.store,
        &authed.actor,
        id,
        &answers,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Clone)]
pub struct DecisionEntry {
    pub row_id: Uuid,
    pub approve: bool,
    /// Required for a rejection.
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewRequest {
    /// One decision per row.
    pub decisions: Vec<DecisionEntry>,
    /// Added to the computed opinion (同意 n 人 …).
    #[serde(default)]
    pub opinion: String,
}

/// The city regulator decides every row. A row whose automatic checks fail cannot be
/// approved (422 naming the row and the failed checks).
#[utoipa::path(post, path = "/api/v1/subsidies/{id}/review", tag = "subsidies", params(("id" = Uuid, Path)), request_body = ReviewRequest,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn review(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<ReviewRequest>,
) -> Result<StatusCode, WebError> {
    let decisions: Vec<RowDecision> = body
        .decisions
        .into_iter()
        .map(|d| RowDecision {
            row_id: d.row_id,
            approve: d.approve,
            comment: d.comment,
        })
        .collect();
    ops::review(
        &state.store,
        &authed.actor,
        id,
        &decisions,
        &body.opinion,
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentRequest {
    /// Approved rows paid together.
    pub row_ids: Vec<Uuid>,
    /// YYYY-MM-DD
    pub paid_on: String,
    /// The payment's reference (拨付凭证号).
    pub payment_ref: String,
}

/// The HR bureau records payment of approved rows.
#[utoipa::path(post, path = "/api/v1/subsidies/{id}/payments", tag = "subsidies", params(("id" = Uuid, Path)), request_body = PaymentRequest,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn pay(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<PaymentRequest>,
) -> Result<StatusCode, WebError> {
    let paid_on = parse_date("paid_on", &body.paid_on)?;
    ops::record_payment(
        &state.store,
        &authed.actor,
        id,
        ops::Payment {
            row_ids: &body.row_ids,
            paid_on,
            payment_ref: &body.payment_ref,
        },
        clock::today(),
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The approved rows of an application as the HR bureau takes them into its payment
/// system: one sheet, a row per person, amounts as numbers.
pub fn approved_sheet(view: &read::ApplicationView) -> Result<Vec<u8>, WebError> {
    use anpei_formats::table::{Cell, Report};
    let app = &view.application;
    let rows = view
        .rows
        .iter()
        .filter(|r| r.row.decision == ops::decision::APPROVED)
        .map(|r| {
            vec![
                Cell::Int(i64::from(r.row.seq)),
                Cell::Text(r.name.clone()),
                Cell::Text(r.id_number.masked()),
                Cell::Text(format!(
                    "{} {}",
                    r.row.trade_code,
                    trade_name(&r.row.trade_code)
                )),
                Cell::Text(r.certificate_number.clone()),
                Cell::Int(
                    i64::try_from(anpei_domain::subsidy::SUBSIDY_RULES.yuan_per_person)
                        .unwrap_or(i64::MAX),
                ),
                Cell::Text(r.row.paid_on.map(|d| d.to_string()).unwrap_or_default()),
                Cell::Text(r.row.payment_ref.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let report = Report {
        sheet: "审核通过名单".to_owned(),
        title: format!(
            "{} · {} · 统一社会信用代码 {} · 审核日期 {}",
            app.number,
            view.enterprise.name,
            view.enterprise.credit_code,
            app.reviewed_on.map(|d| d.to_string()).unwrap_or_default()
        ),
        headers: [
            "序号",
            "姓名",
            "证件号（脱敏）",
            "工种",
            "证书编号",
            "补贴金额（元）",
            "拨付日期",
            "拨付凭证号",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    };
    anpei_formats::table::write_xlsx(&report).map_err(|e| WebError::Internal(e.to_string()))
}

/// The approved list of a reviewed application as .xlsx (for the HR bureau; every party
/// who sees the application may download it).
#[utoipa::path(get, path = "/api/v1/subsidies/{id}/approved.xlsx", tag = "subsidies", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn approved_xlsx(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let view =
        read::application(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let bytes = approved_sheet(&view)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"anpei-subsidy-{}.xlsx\"",
                    view.application.number
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ClaimableDto {
    pub certificate_id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    /// Masked.
    pub id_number: String,
    pub certificate_number: String,
    pub trade_code: String,
    pub trade_name: String,
    pub issued_on: NaiveDate,
    /// Already on another application that was not rejected.
    pub claimed: bool,
}

/// The special-operations certificates of the enterprise's current staff, newest first:
/// what the application form offers.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/subsidy-candidates", tag = "subsidies", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ClaimableDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn claimable(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<ClaimableDto>>, WebError> {
    let staff = ledger_read(&state, &authed, id).await?;
    let rows = read::claimable(state.store.connection(), staff, clock::today(), 2_000).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|c| ClaimableDto {
                certificate_id: c.certificate_id,
                person_id: c.person_id,
                name: c.name,
                id_number: c.id_number.masked(),
                certificate_number: c.number,
                trade_name: trade_name(&c.trade_code),
                trade_code: c.trade_code,
                issued_on: c.issued_on,
                claimed: c.claimed,
            })
            .collect(),
    ))
}

/// What the official form prints for an application as `view` holds it (the HR bureau's
/// view holds the approved rows only). 证件号 is the special-operations certificate's number:
/// it identifies the person's certificate without printing an ID number on paper.
pub fn printable_form(view: &read::ApplicationView) -> anpei_formats::subsidy_pdf::SubsidyForm {
    use anpei_formats::subsidy_pdf::{Opinion, SubsidyForm, SubsidyFormRow};
    let app = &view.application;
    SubsidyForm {
        enterprise_name: view.enterprise.name.clone(),
        applied_on: app.applied_on,
        credit_code: view.enterprise.credit_code.clone(),
        legal_representative: app.legal_representative.clone(),
        handler_name: app.handler_name.clone(),
        handler_phone: Phone::parse(&app.handler_phone)
            .map(|p| p.masked())
            .unwrap_or_default(),
        institution_name: view.institution.name.clone(),
        trades: view
            .trades
            .iter()
            .map(|(code, n)| (trade_name(code), *n))
            .collect(),
        training_from: app.training_from,
        training_to: app.training_to,
        certified: view.trades.iter().map(|(_, n)| n).sum(),
        amount_yuan: u64::try_from(app.amount_yuan).unwrap_or_default(),
        pledge_by: app.pledge_by.clone(),
        pledged_on: app.applied_on,
        rows: view
            .rows
            .iter()
            .map(|r| SubsidyFormRow {
                seq: usize::try_from(r.row.seq).unwrap_or_default(),
                name: r.name.clone(),
                trade: trade_name(&r.row.trade_code),
                document_no: r.certificate_number.clone(),
            })
            .collect(),
        institution_opinion: app
            .institution_opinion
            .clone()
            .zip(app.confirmed_on)
            .map(|(text, date)| Opinion { text, date }),
        regulator_opinion: app
            .regulator_opinion
            .clone()
            .zip(app.reviewed_on)
            .map(|(text, date)| Opinion { text, date }),
        reference: app.number.clone(),
    }
}

/// Renders the form off the async workers (layout is CPU work).
pub async fn render_form(view: &read::ApplicationView) -> Result<Vec<u8>, WebError> {
    let form = printable_form(view);
    tokio::task::spawn_blocking(move || anpei_formats::subsidy_pdf::render(&form))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::Internal(e.to_string()))
}

/// The application as the official 申请安全技能提升补贴特种作业人员信息审核表: A4, 20 rows a
/// page, with the opinions and their dates, for archiving and for seals.
#[utoipa::path(get, path = "/api/v1/subsidies/{id}/form.pdf", tag = "subsidies", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn form_pdf(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let view =
        read::application(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let bytes = render_form(&view).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", view.application.number),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
