//! The examinee's pages (issue 4 item 7): sign-in at the seat (准考证号 + 身份证号, checked
//! against the archive) and the exam page. The page is a shell; `static/exam.js` draws the
//! paper from `GET /api/v1/exam/paper`, saves every answer as it is given (keeping unsent
//! answers in the browser until the server acknowledges them), shows the server's time left
//! and hands the paper in. A reload, a lost connection or a restarted server loses nothing
//! already acknowledged, and what was not yet acknowledged is sent again.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, render};
use crate::api::exams::{exam_cookie, exam_token, sign_in_examinee};
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
    Path(session): Path<Uuid>,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    match sign_in_examinee(&state, session, &form.ticket, &form.id_number).await {
        Ok((token, _)) => Ok((
            [(
                header::SET_COOKIE,
                exam_cookie(&token, state.config.secure_cookies),
            )],
            Redirect::to("/exam/paper"),
        )
            .into_response()),
        Err(WebError::Invalid { field, zh, en }) => {
            let (title, site, opens, closes) = session_header(&state, session).await?;
            let page = SignInPage {
                l: Layout::new(t, t.pick("考生签到", "Examinee sign-in"), None, "/exam"),
                session,
                title,
                site,
                opens,
                closes,
                ticket: form.ticket.trim().chars().take(20).collect(),
                id_number: form.id_number.trim().chars().take(18).collect(),
                error: Some((field, t.pick(&zh, &en).to_owned())),
            };
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
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
