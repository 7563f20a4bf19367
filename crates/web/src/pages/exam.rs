//! The examinee's pages (issue 4 item 7): sign-in at the seat (准考证号 + 身份证号, checked
//! against the archive) and the exam page. The page is a shell; `static/exam.js` draws the
//! paper from `GET /api/v1/exam/paper`, saves every answer as it is given (keeping unsent
//! answers in the browser until the server acknowledges them), shows the server's time left
//! and hands the paper in. A reload, a lost connection or a restarted server loses nothing
//! already acknowledged, and what was not yet acknowledged is sent again.
//!
//! Sign-in (issue 13): the browser keeps a device secret in an `HttpOnly` cookie (the form
//! works without script, so the cookie rather than `localStorage` carries it); the same
//! browser signs in again at once, another one is sent to the exam page, which shows
//! “等待监考员确认” and polls until a proctor approves. Too many wrong pairs answer 429.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, render};
use crate::api::exams::{
    SeatSignIn, device_cookie, device_of, exam_cookie, exam_token, locked_messages, secret,
    sign_in_examinee,
};
use crate::auth::ClientAddr;
use crate::error::WebError;
use crate::extract::{Form, Path};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exam/paper", get(paper_page))
        .route("/exam/{session}", get(sign_in_page).post(sign_in))
}

#[derive(Template)]
#[template(path = "exam_sign_in.html")]
struct SignInPage {
    l: Layout,
    session: Uuid,
    title: String,
    site: String,
    opens: String,
    closes: String,
    ticket: String,
    id_number: String,
    error: Option<(String, String)>,
}

async fn session_header(
    state: &AppState,
    session: Uuid,
) -> Result<(String, String, String, String), WebError> {
    let (session, site) =
        anpei_store::exam::sessions::public_header(state.store.connection(), session).await?;
    Ok((
        session.title,
        site.name,
        clock::local(session.opens_at),
        clock::local(session.closes_at),
    ))
}

async fn sign_in_page(
    State(state): State<AppState>,
    t: Tr,
    Path(session): Path<Uuid>,
) -> Result<Response, WebError> {
    let (title, site, opens, closes) = session_header(&state, session).await?;
    render(&SignInPage {
        l: Layout::new(t, t.pick("考生签到", "Examinee sign-in"), None, "/exam"),
        session,
        title,
        site,
        opens,
        closes,
        ticket: String::new(),
        id_number: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
struct SignInForm {
    ticket: String,
    id_number: String,
}

async fn sign_in(
    State(state): State<AppState>,
    t: Tr,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Path(session): Path<Uuid>,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let client = client.map(|ip| ip.to_string());
    // The browser's device secret, or a new one (also for a cookie that is not one of ours).
    let device = device_of(&headers, None)
        .ok()
        .flatten()
        .unwrap_or_else(secret);
    let secure = state.config.secure_cookies;
    let (state, form) = (&state, &form);
    let refused = |status: StatusCode, message: String| async move {
        let (title, site, opens, closes) = session_header(state, session).await?;
        let page = SignInPage {
            l: Layout::new(t, t.pick("考生签到", "Examinee sign-in"), None, "/exam"),
            session,
            title,
            site,
            opens,
            closes,
            ticket: form.ticket.trim().chars().take(20).collect(),
            id_number: form.id_number.trim().chars().take(18).collect(),
            error: Some((String::new(), message)),
        };
        Ok::<Response, WebError>((status, render(&page)?).into_response())
    };
    match sign_in_examinee(
        state,
        session,
        &form.ticket,
        &form.id_number,
        &device,
        client.as_deref(),
    )
    .await
    {
        // Waiting or not, the exam page takes over: it shows the paper, or that a proctor
        // must confirm first (the cookie holds the waiting key until then).
        Ok(SeatSignIn::Admitted { token: key, .. } | SeatSignIn::Waiting { key, .. }) => Ok((
            // Two cookies: appended, as an array of headers would keep only the last.
            axum::response::AppendHeaders([
                (header::SET_COOKIE, exam_cookie(&key, secure)),
                (header::SET_COOKIE, device_cookie(&device, secure)),
            ]),
            Redirect::to("/exam/paper"),
        )
            .into_response()),
        Ok(SeatSignIn::Locked { retry_after_secs }) => {
            let (zh, en) = locked_messages(retry_after_secs);
            let mut page =
                refused(StatusCode::TOO_MANY_REQUESTS, t.pick(&zh, &en).to_owned()).await?;
            page.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after_secs),
            );
            Ok(page)
        }
        Err(WebError::Invalid { zh, en, .. }) => {
            refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                t.pick(&zh, &en).to_owned(),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "exam_paper.html")]
struct PaperPage {
    l: Layout,
}

async fn paper_page(t: Tr, headers: HeaderMap) -> Result<Response, WebError> {
    if exam_token(&headers).is_err() {
        return Ok(Redirect::to("/").into_response());
    }
    let mut page = render(&PaperPage {
        l: Layout::new(t, t.pick("考试", "Exam"), None, "/exam/paper"),
    })?;
    page.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(page.into_response())
}
