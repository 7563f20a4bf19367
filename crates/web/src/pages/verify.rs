//! Public certificate verification (SPEC C3): anyone, signed in or not, types a number or
//! scans a QR code and sees whether the certificate is good today — without the ID number.

use anpei_domain::certificate::CertificateStatus;
use anpei_store::read::PublicCertificate;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Layout, date, render};
use crate::auth::MaybeAuthed;
use crate::error::WebError;
use crate::extract::{Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock, qr};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify", get(form))
        .route("/verify/{number}", get(page))
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

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    l: Layout,
    number: String,
    found: Option<Shown>,
    not_found: bool,
}

struct Shown {
    kind: &'static str,
    trade: String,
    holder: String,
    issuer: String,
    issued: String,
    valid_until: String,
    reviewed: String,
    next_review: String,
    status: &'static str,
    tone: &'static str,
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
        found: None,
        not_found: false,
    })
}

async fn page(
    State(state): State<AppState>,
    t: Tr,
    MaybeAuthed(authed): MaybeAuthed,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let layout = Layout::new(
        t,
        t.pick("证书查验", "Verify a certificate"),
        authed.as_ref(),
        "/verify",
    );
    match state
        .store
        .verify_certificate(&number, clock::today())
        .await
    {
        Ok(found) => {
            let link = qr::verify_url(&state.config.public_url, &found.number);
            render(&VerifyPage {
                l: layout,
                number: found.number.clone(),
                found: Some(shown(t, &found, link)),
                not_found: false,
            })
        }
        Err(anpei_store::StoreError::NotFound) => {
            let page = VerifyPage {
                l: layout,
                number: number.chars().take(40).collect(),
                found: None,
                not_found: true,
            };
            Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn shown(t: Tr, c: &PublicCertificate, link: String) -> Shown {
    let (status, tone) = status_badge(t, c.status);
    Shown {
        kind: t.pick(c.kind.name_zh(), c.kind.name_en()),
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
        status,
        tone,
        qr: qr::svg(&link),
        link,
    }
}
