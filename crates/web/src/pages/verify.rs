//! Public certificate verification (SPEC C3, issue 13): anyone, signed in or not, types a
//! number and sees whether the certificate is good today — and nothing about the holder.
//! The holder, trade, issuer and dates need the holder's full name (typed into a POST form,
//! so that it stays out of URLs and logs) or the QR code's token (`/verify/{number}?t=`).
//! Every check goes through `verification::check`: rate limited per address and logged.

use anpei_domain::certificate::CertificateStatus;
use anpei_store::read::PublicCertificate;
use anpei_store::verify_index::{Claim, Mismatch, Verification};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Layout, date, render};
use crate::auth::{ClientAddr, MaybeAuthed};
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::{AppState, qr, verification};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify", get(form))
        .route("/verify/{number}", get(page).post(by_name))
}

/// A status as pages show it: label and tone.
pub fn status_badge(t: Tr, status: CertificateStatus) -> (&'static str, &'static str) {
    let tone = match status {
        CertificateStatus::Valid => "ok",
        CertificateStatus::ReviewDue => "warn",
        _ => "bad",
    };
    (t.pick(status.name_zh(), status.name_en()), tone)
}

#[derive(Deserialize)]
struct NumberQuery {
    number: Option<String>,
}

/// `?t=`: the token of the certificate's QR code.
#[derive(Deserialize)]
struct TokenQuery {
    t: Option<String>,
}

/// The holder's full name, typed in.
#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    l: Layout,
    number: String,
    /// What the number alone tells.
    status: Option<StatusShown>,
    /// What the right name or token adds.
    found: Option<Shown>,
    /// Why the details are not shown although something was presented.
    mismatch: Option<&'static str>,
    not_found: bool,
    /// The bilingual refusal of a rate-limited check.
    refused: Option<String>,
}

struct StatusShown {
    kind: &'static str,
    status: &'static str,
    tone: &'static str,
}

struct Shown {
    trade: String,
    holder: String,
    issuer: String,
    issued: String,
    valid_until: String,
    reviewed: String,
    next_review: String,
    qr: String,
    link: String,
}

async fn form(
    t: Tr,
    MaybeAuthed(authed): MaybeAuthed,
    Query(q): Query<NumberQuery>,
) -> Result<Response, WebError> {
    if let Some(number) = q
        .number
        .map(|n| n.trim().to_uppercase())
        .filter(|n| !n.is_empty())
    {
        let safe: String = number
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        return Ok(Redirect::to(&format!("/verify/{safe}")).into_response());
    }
    render(&VerifyPage {
        l: Layout::new(
            t,
            t.pick("证书查验", "Verify a certificate"),
            authed.as_ref(),
            "/verify",
        ),
        number: String::new(),
        status: None,
        found: None,
        mismatch: None,
        not_found: false,
        refused: None,
    })
}

/// By number, or by number and the QR code's token.
async fn page(
    State(state): State<AppState>,
    t: Tr,
    MaybeAuthed(authed): MaybeAuthed,
    ClientAddr(addr): ClientAddr,
    Path(number): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, WebError> {
    let claim = match q.t.as_deref().filter(|token| !token.is_empty()) {
        Some(token) => Claim::Token(token),
        None => Claim::Number,
    };
    let answer = verification::check(&state, addr, &number, claim).await;
    answer_page(&state, t, authed.as_ref(), &number, answer)
}

/// By number and the holder's full name (a POST, so the name is in no URL).
async fn by_name(
    State(state): State<AppState>,
    t: Tr,
    MaybeAuthed(authed): MaybeAuthed,
    ClientAddr(addr): ClientAddr,
    Path(number): Path<String>,
    Form(form): Form<NameForm>,
) -> Result<Response, WebError> {
    let answer = verification::check(&state, addr, &number, Claim::Name(&form.name)).await;
    answer_page(&state, t, authed.as_ref(), &number, answer)
}

fn answer_page(
    state: &AppState,
    t: Tr,
    authed: Option<&crate::auth::Authed>,
    asked: &str,
    answer: Result<Verification, WebError>,
) -> Result<Response, WebError> {
    let mut page = VerifyPage {
        l: Layout::new(
            t,
            t.pick("证书查验", "Verify a certificate"),
            authed,
            "/verify",
        ),
        number: asked.chars().take(40).collect(),
        status: None,
        found: None,
        mismatch: None,
        not_found: false,
        refused: None,
    };
    match answer {
        Ok(Verification::Status { status, mismatch }) => {
            page.number = status.number.clone();
            page.status = Some(status_shown(t, status.kind, status.status));
            page.mismatch = mismatch.map(|m| match m {
                Mismatch::Name => t.pick(
                    "姓名不符：仅显示证书状态。",
                    "The name does not match: only the status is shown.",
                ),
                Mismatch::Token => t.pick(
                    "二维码链接无效：仅显示证书状态。",
                    "This QR link is not valid: only the status is shown.",
                ),
            });
            render(&page)
        }
        Ok(Verification::Details { certificate, token }) => {
            let link = qr::verify_url(&state.config.public_url, &certificate.number, &token);
            page.number = certificate.number.clone();
            page.status = Some(status_shown(t, certificate.kind, certificate.status));
            page.found = Some(shown(t, &certificate, link));
            render(&page)
        }
        Err(WebError::NotFound) => {
            page.not_found = true;
            Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
        }
        Err(refusal @ WebError::TooManyAttempts { .. }) => {
            let status = refusal.status();
            page.refused = Some(t.pick_owned(&refusal.messages()));
            let mut response = (status, render(&page)?).into_response();
            if let WebError::TooManyAttempts {
                retry_after_secs, ..
            } = refusal
            {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after_secs.into());
            }
            Ok(response)
        }
        Err(other) => Err(other),
    }
}

fn status_shown(
    t: Tr,
    kind: anpei_domain::certificate::CertificateKind,
    status: CertificateStatus,
) -> StatusShown {
    let (label, tone) = status_badge(t, status);
    StatusShown {
        kind: t.pick(kind.name_zh(), kind.name_en()),
        status: label,
        tone,
    }
}

fn shown(t: Tr, c: &PublicCertificate, link: String) -> Shown {
    Shown {
        trade: c
            .trade
            .map(|tr| format!("{} {}", tr.code, t.pick(tr.name, tr.name_en)))
            .unwrap_or_else(|| "—".to_owned()),
        holder: c.holder_masked.clone(),
        issuer: c.issuer.clone(),
        issued: date(c.issued_on),
        valid_until: date(c.expires_on),
        reviewed: c
            .last_reviewed_on
            .map(date)
            .unwrap_or_else(|| t.pick("尚未复审", "not yet reviewed").to_owned()),
        next_review: c
            .next_review_due
            .map(date)
            .unwrap_or_else(|| "—".to_owned()),
        qr: qr::svg(&link),
        link,
    }
}
