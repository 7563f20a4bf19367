//! Sign-in and sign-out pages, with the second step (the TOTP code, and the authenticator's
//! enrolment at the first sign-in) for the accounts that need it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Layout, render, safe_local};
use crate::AppState;
use crate::auth::{self, AuthSession, ClientAddr, MaybeAuthed};
use crate::error::WebError;
use crate::extract::{Form, Query};
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/login/code", get(code_page).post(code))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    t: Tr,
    MaybeAuthed(authed): MaybeAuthed,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if authed.is_some() {
        return Ok(Redirect::to(&safe_local(q.next.as_deref())).into_response());
    }
    render(&LoginPage {
        l: Layout::new(t, t.pick("登录", "Sign in"), None, "/login"),
        username: String::new(),
        next: safe_local(q.next.as_deref()),
        error: None,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    t: Tr,
    addr: ClientAddr,
    mut session: AuthSession,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_local(form.next.as_deref());
    match auth::sign_in(
        &mut session,
        &state.sign_ins,
        addr,
        &form.username,
        form.password,
        None,
    )
    .await
    {
        Ok(auth::SignIn::Done(_)) => Ok(Redirect::to(&next).into_response()),
        Ok(auth::SignIn::SecondFactor { enrolment }) => {
            render(&CodePage::new(t, next, enrolment, None))
        }
        // The page again, with what was typed and why it was refused.
        Err(refusal @ (WebError::BadCredentials | WebError::TooManyAttempts { .. })) => {
            let status = refusal.status();
            let (zh, en) = refusal.messages();
            let page = LoginPage {
                l: Layout::new(t, t.pick("登录", "Sign in"), None, "/login"),
                username: form.username,
                next,
                error: Some(t.pick_owned(&(zh, en))),
            };
            let mut response = (status, render(&page)?).into_response();
            if let WebError::TooManyAttempts {
                retry_after_secs, ..
            } = refusal
            {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            }
            Ok(response)
        }
        Err(other) => Err(other),
    }
}

async fn logout(mut session: AuthSession) -> Result<Response, WebError> {
    session
        .logout()
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Redirect::to("/login").into_response())
}

/// The second step: the TOTP code, with the enrolment (URI as text and as a QR code, the
/// secret to type) when the account has none yet.
#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    l: Layout,
    next: String,
    enrol: Option<Enrolment>,
    error: Option<String>,
}

struct Enrolment {
    uri: String,
    secret: String,
    qr: String,
}

impl CodePage {
    fn new(
        t: Tr,
        next: String,
        enrolment: Option<anpei_store::ops::accounts::TotpEnrolment>,
        error: Option<String>,
    ) -> Self {
        CodePage {
            l: Layout::new(
                t,
                t.pick("动态验证码", "Authentication code"),
                None,
                "/login",
            ),
            next,
            enrol: enrolment.map(|e| Enrolment {
                qr: crate::qr::svg(&e.uri),
                uri: e.uri,
                secret: e.secret,
            }),
            error,
        }
    }
}

async fn code_page(
    t: Tr,
    session: AuthSession,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = safe_local(q.next.as_deref());
    match auth::pending_second_factor(&session).await {
        Some((_, enrolment)) => render(&CodePage::new(t, next, enrolment, None)),
        None => Ok(Redirect::to("/login").into_response()),
    }
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    next: Option<String>,
}

async fn code(
    State(state): State<AppState>,
    t: Tr,
    addr: ClientAddr,
    mut session: AuthSession,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let next = safe_local(form.next.as_deref());
    match auth::second_factor(&mut session, &state.sign_ins, addr, &form.code).await {
        Ok(_) => Ok(Redirect::to(&next).into_response()),
        Err(WebError::Unauthorized) => Ok(Redirect::to("/login").into_response()),
        Err(refusal @ (WebError::BadCredentials | WebError::TooManyAttempts { .. })) => {
            let status = refusal.status();
            let error = match refusal {
                WebError::BadCredentials => t
                    .pick("动态验证码不正确，请重试", "Wrong code; try again")
                    .to_owned(),
                other => t.pick_owned(&other.messages()),
            };
            let enrolment = auth::pending_second_factor(&session)
                .await
                .and_then(|(_, enrolment)| enrolment);
            let page = CodePage::new(t, next, enrolment, Some(error));
            Ok((status, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}
