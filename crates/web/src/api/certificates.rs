//! Certificates: public verification by number (the status; the details with the holder's
//! name or the QR code's token, issue 13), and the lifecycle for certificate authorities
//! (city and province emergency-management bureaus).

use anpei_domain::certificate::CertificateKind;
use anpei_store::ops::certificates::{self, Lifecycle, NewCertificate};
use anpei_store::verify_index::{Claim, Mismatch, Verification};
use anpei_store::{access, read};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{Authed, ClientAddr};
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock, qr, verification};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue))
        .routes(routes!(lifecycle))
        .routes(routes!(download_certificate_pdf))
}

/// Verification needs no session: served outside the session layers.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(verify, verify_by_name))
}

/// What the public may know about a certificate: from the number alone, its kind and
/// status today; with the holder's full name or the QR code's token, the details too.
#[derive(Serialize, ToSchema)]
pub struct VerificationDto {
    pub number: String,
    /// special_ops, safety_qualification, vocational_qualification, skill_level, training_completion
    pub kind: String,
    pub kind_name: String,
    /// valid, review_due, review_overdue, suspended, revoked, expired
    pub status: String,
    pub status_name: String,
    /// `name` or `token` when the one given did not match (the details are then withheld).
    pub mismatch: Option<String>,
    /// Present only for the right name or token.
    pub details: Option<VerificationDetailsDto>,
}

/// The holder's details, shown to whoever has the QR code's token or knows the holder's name.
#[derive(Serialize, ToSchema)]
pub struct VerificationDetailsDto {
    pub trade_code: Option<String>,
    pub trade_name: Option<String>,
    /// The holder's name, masked (张*).
    pub holder: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub last_reviewed_on: Option<NaiveDate>,
    pub next_review_due: Option<NaiveDate>,
}

impl From<Verification> for VerificationDto {
    fn from(answer: Verification) -> Self {
        match answer {
            Verification::Status { status, mismatch } => VerificationDto {
                kind: status.kind.code().to_owned(),
                kind_name: status.kind.name_zh().to_owned(),
                status: status.status.code().to_owned(),
                status_name: status.status.name_zh().to_owned(),
                number: status.number,
                mismatch: mismatch.map(|m| {
                    match m {
                        Mismatch::Name => "name",
                        Mismatch::Token => "token",
                    }
                    .to_owned()
                }),
                details: None,
            },
            Verification::Details { certificate: c, .. } => VerificationDto {
                kind: c.kind.code().to_owned(),
                kind_name: c.kind.name_zh().to_owned(),
                status: c.status.code().to_owned(),
                status_name: c.status.name_zh().to_owned(),
                mismatch: None,
                details: Some(VerificationDetailsDto {
                    trade_code: c.trade.map(|t| t.code.to_owned()),
                    trade_name: c.trade.map(|t| t.name.to_owned()),
                    holder: c.holder_masked,
                    issuer: c.issuer,
                    issued_on: c.issued_on,
                    valid_until: c.expires_on,
                    last_reviewed_on: c.last_reviewed_on,
                    next_review_due: c.next_review_due,
                }),
                number: c.number,
            },
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The token of the certificate's QR code: with it, the details.
    pub t: Option<String>,
}

/// The holder's full name, compared exactly (surrounding spaces aside).
#[derive(Deserialize, ToSchema)]
pub struct VerifyByNameRequest {
    pub name: String,
}

/// Verifies a certificate by number; no sign-in needed. The number alone answers the status
/// only; `?t=` with the QR code's token adds the details (a wrong token: the status only,
/// `mismatch: "token"`). Unknown numbers are 404. Limited per client address (by default 30
/// lookups a minute by number, 600 with a token): past it, 429 with `Retry-After`.
#[utoipa::path(get, path = "/api/v1/verify/{number}", tag = "certificates",
    params(("number" = String, Path), VerifyQuery),
    responses((status = 200, body = VerificationDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait")))))]
async fn verify(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(number): Path<String>,
    Query(query): Query<VerifyQuery>,
) -> Result<axum::Json<VerificationDto>, WebError> {
    let claim = match query.t.as_deref().filter(|token| !token.is_empty()) {
        Some(token) => Claim::Token(token),
        None => Claim::Number,
    };
    let answer = verification::check(&state, addr, &number, claim).await?;
    Ok(axum::Json(answer.into()))
}

/// Verifies a certificate by number and the holder's full name (in the body, so that it is
/// in no URL): the right name adds the details; a wrong one answers the status only with
/// `mismatch: "name"` and costs five lookups of the per-address limit. Send
/// `Origin: <the server>` as for every POST.
#[utoipa::path(post, path = "/api/v1/verify/{number}", tag = "certificates",
    params(("number" = String, Path)), request_body = VerifyByNameRequest,
    responses((status = 200, body = VerificationDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait")))))]
async fn verify_by_name(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Path(number): Path<String>,
    Json(body): Json<VerifyByNameRequest>,
) -> Result<axum::Json<VerificationDto>, WebError> {
    let answer = verification::check(&state, addr, &number, Claim::Name(&body.name)).await?;
    Ok(axum::Json(answer.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct IssueRequest {
    /// special_ops, safety_qualification, vocational_qualification, skill_level, training_completion
    pub kind: String,
    /// Trade code of the national catalogue (e.g. 1.2); required for special_ops.
    pub trade: Option<String>,
    /// YYYY-MM-DD
    pub issued_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedDto {
    pub id: Uuid,
    pub number: String,
    pub valid_until: NaiveDate,
    /// The link its QR code carries (with the verification token): it shows the details.
    pub verification_url: String,
}

pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, WebError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| WebError::Invalid {
        field: field.to_owned(),
        zh: format!("日期格式应为 YYYY-MM-DD，收到“{}”", raw.trim()),
        en: format!("Dates must be YYYY-MM-DD; got \"{}\"", raw.trim()),
    })
}

pub fn parse_kind(raw: &str) -> Result<CertificateKind, WebError> {
    CertificateKind::parse(raw.trim()).ok_or_else(|| WebError::Invalid {
        field: "kind".to_owned(),
        zh: "未知的证书种类".to_owned(),
        en: "Unknown certificate kind".to_owned(),
    })
}

/// Issues a certificate to a person in the authority's jurisdiction.
#[utoipa::path(post, path = "/api/v1/persons/{id}/certificates", tag = "certificates", params(("id" = Uuid, Path)), request_body = IssueRequest,
    responses((status = 201, body = IssuedDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn issue(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<IssueRequest>,
) -> Result<Response, WebError> {
    let holder =
        access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let authority = certificates::certificate_authority(&authed.actor)?;
    let new = NewCertificate {
        kind: parse_kind(&body.kind)?,
        trade: body.trade,
        issued_on: parse_date("issued_on", &body.issued_on)?,
    };
    let issued = certificates::issue(
        &state.store,
        &authed.actor,
        &authority,
        holder,
        new,
        clock::now(),
    )
    .await?;
    let token = read::verification_token(state.store.connection(), &issued.number).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(IssuedDto {
            id: issued.id,
            verification_url: qr::verify_url(&state.config.public_url, &issued.number, &token),
            number: issued.number,
            valid_until: issued.expires_on,
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema, Default)]
pub struct LifecycleRequest {
    /// For review and renew: the date, YYYY-MM-DD.
    pub on: Option<String>,
    /// For suspend and revoke: why.
    pub reason: Option<String>,
}

/// Parses a lifecycle action (review, renew, suspend, reinstate, revoke).
pub fn parse_lifecycle(action: &str, body: &LifecycleRequest) -> Result<Lifecycle, WebError> {
    let on = || parse_date("on", body.on.as_deref().unwrap_or(""));
    let reason = || body.reason.clone().unwrap_or_default();
    Ok(match action {
        "review" => Lifecycle::Review { on: on()? },
        "renew" => Lifecycle::Renew { on: on()? },
        "suspend" => Lifecycle::Suspend { reason: reason() },
        "reinstate" => Lifecycle::Reinstate,
        "revoke" => Lifecycle::Revoke { reason: reason() },
        _ => return Err(WebError::NotFound),
    })
}

/// Reviews, renews, suspends, reinstates or revokes a certificate; every change is ledgered.
#[utoipa::path(post, path = "/api/v1/persons/{id}/certificates/{certificate_id}/{action}", tag = "certificates",
    params(("id" = Uuid, Path), ("certificate_id" = Uuid, Path), ("action" = String, Path, description = "review, renew, suspend, reinstate or revoke")),
    request_body = LifecycleRequest,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn lifecycle(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, certificate_id, action)): Path<(Uuid, Uuid, String)>,
    Json(body): Json<LifecycleRequest>,
) -> Result<StatusCode, WebError> {
    let holder =
        access::person_read(state.store.connection(), &authed.actor, id, clock::today()).await?;
    let authority = certificates::certificate_authority(&authed.actor)?;
    let change = parse_lifecycle(&action, &body)?;
    certificates::change(
        &state.store,
        &authed.actor,
        &authority,
        holder,
        certificate_id,
        change,
        clock::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A PDF document, as bytes (for the OpenAPI description of the download).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(
    dead_code,
    reason = "describes the response body; the handler sends raw bytes"
)]
pub struct PdfDocument(Vec<u8>);

/// The certificate as a one-page A4 PDF in Chinese with the QR code of its verification link,
/// for whoever may read the holder's archive (the holder, their employer, regulators in
/// their jurisdiction); 404 for everyone else, as for an unknown number.
#[utoipa::path(get, path = "/api/v1/certificates/{number}/pdf", tag = "certificates", params(("number" = String, Path)),
    responses((status = 200, description = "The certificate (inline; file name: the number)", content_type = "application/pdf", body = PdfDocument),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn download_certificate_pdf(
    State(state): State<AppState>,
    authed: Authed,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    certificate_pdf(&state, &authed, &number).await
}

/// One response for the API route and the archive page's link (`/certificates/{number}/pdf`).
pub async fn certificate_pdf(
    state: &AppState,
    authed: &Authed,
    number: &str,
) -> Result<Response, WebError> {
    let found = read::printable_certificate(
        state.store.connection(),
        &authed.actor,
        number,
        clock::today(),
    )
    .await?;
    let url = qr::verify_url(
        &state.config.public_url,
        &found.number,
        &found.verification_token,
    );
    let sheet = printable_sheet(found, url);
    let missing = anpei_formats::certificate_pdf::missing_characters(&sheet).len();
    if missing > 0 {
        // The count only: the characters may be part of a name.
        tracing::warn!(
            number = %sheet.number,
            missing,
            "certificate PDF: characters outside the embedded font print as boxes"
        );
    }
    let filename = format!("{}.pdf", sheet.number);
    // Layout is CPU work (tens of milliseconds): keep it off the async workers.
    let bytes = tokio::task::spawn_blocking(move || anpei_formats::certificate_pdf::render(&sheet))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// What the certificate PDF prints: the certificate as read for its holder, and the public
/// verification URL for the QR code (`qr::verify_url`, with the certificate's token, so that
/// a scan shows the details). Shared with `anpei certificate pdf`.
pub fn printable_sheet(
    found: read::PrintableCertificate,
    verification_url: String,
) -> anpei_formats::certificate_pdf::CertificateSheet {
    anpei_formats::certificate_pdf::CertificateSheet {
        holder_name: found.holder_name,
        number: found.number,
        kind: found.kind,
        trade: found.trade,
        issuer: found.issuer,
        first_issued_on: found.first_issued_on,
        valid_from: found.issued_on,
        valid_until: found.expires_on,
        next_review_due: found.next_review_due,
        status: found.status,
        verification_url,
    }
}
