//! The JSON API under `/api/v1`, documented as OpenAPI 3.1 at `/openapi.json`. Wire types
//! (DTOs) live here and only here; they derive `Serialize` + `ToSchema` and are built from
//! store read models, with ID numbers and phones already masked.

pub mod accounts;
pub mod bank;
pub mod certificates;
pub mod compliance;
pub mod enterprise_ledgers;
pub mod enterprises;
pub mod exams;
pub mod ledgers;
pub mod meta;
pub mod notifications;
pub mod people;
pub mod session;
pub mod subsidies;
pub mod training;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anpei API",
        description = "安培 — provincial safety-skills training, examination and certification platform. \
Errors are RFC 9457 problem documents (application/problem+json) with `detail_zh` and `detail_en`.",
        license(name = "Apache-2.0")
    ),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "session", description = "Sign-in and the current account"),
        (name = "accounts", description = "Account administration by jurisdiction: create, approve self-registrations, disable, enable, move, one-time reset links, TOTP resets; employers' invitations"),
        (name = "people", description = "People and their lifelong archives"),
        (name = "enterprises", description = "Enterprises and their staff"),
        (name = "certificates", description = "Certificates: public verification and the lifecycle"),
        (name = "compliance", description = "The compliance engine: findings and KPIs"),
        (name = "ledgers", description = "Enterprise ledgers: training hours, yearly assessments, apprenticeships, time off post, process changes, training plans and capacity, skill promotion"),
        (name = "exams", description = "The exam system: blueprints, sites, sessions, registration, the examinee's paper and answers, proctoring, practical scores"),
        (name = "reference", description = "Reference data and the ledger key"),
        (name = "institutions", description = "Training institutions: approved trades with practical facilities, the HR catalogue, trainers and examiners, classes with trainees, attendance and video evidence"),
        (name = "subsidies", description = "The safety-skills subsidy: applications (审核表), the institution's confirmation, the regulator's review with automatic checks, the HR bureau's approved lists and payments"),
        (name = "bank", description = "The unified question bank: syllabus points, questions and their versions, import and export (province regulator only)"),
    )
)]
struct ApiDoc;

/// The API as two routers: the one behind the session layers, and the public one (certificate
/// verification, regions, the ledger key) that needs no session and so skips those layers.
/// One OpenAPI document describes both.
pub fn routers() -> (Router<AppState>, Router<AppState>) {
    let (router, mut api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(session::router())
        .merge(accounts::router())
        .merge(people::router())
        .merge(enterprises::router())
        .merge(certificates::router())
        .merge(compliance::router())
        .merge(ledgers::router())
        .merge(enterprise_ledgers::router())
        .merge(notifications::router())
        .merge(exams::router())
        .merge(bank::router())
        .merge(training::router())
        .merge(subsidies::router())
        .split_for_parts();
    let (public, public_api) = OpenApiRouter::new()
        .merge(certificates::public_router())
        .merge(meta::router())
        .merge(exams::public_router())
        .split_for_parts();
    api.merge(public_api);
    let api = std::sync::Arc::new(api);
    let router = router.route(
        "/openapi.json",
        get(move || {
            let api = api.clone();
            async move { Json(api.as_ref().clone()) }
        }),
    );
    (router, public)
}

/// Paging parameters shared by list endpoints.
pub fn paging(page: Option<u64>, per_page: Option<u64>) -> (u64, u64) {
    (page.unwrap_or(1), per_page.unwrap_or(50))
}
