//! Sign-in and sign-out pages.

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Layout, render, safe_local};
use crate::AppState;
use crate::auth::{AuthSession, Credentials, MaybeAuthed};
use crate::error::WebError;
use crate::extract::{Form, Query};
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
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
    t: Tr,
    mut session: AuthSession,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_local(form.next.as_deref());
    let user = session
        .authenticate(Credentials {
            username: form.username.clone(),
            password: form.password,
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    match user {
        Some(user) => {
            session
                .login(&user)
                .await
                .map_err(|e| WebError::Internal(e.to_string()))?;
            tracing::info!(account = %user.account.id, "signed in");
            Ok(Redirect::to(&next).into_response())
        }
        None => {
            let page = LoginPage {
                l: Layout::new(t, t.pick("登录", "Sign in"), None, "/login"),
                username: form.username,
                next,
                error: Some(
                    t.pick("用户名或密码不正确", "Wrong username or password")
                        .to_owned(),
                ),
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
    }
}

async fn logout(mut session: AuthSession) -> Result<Response, WebError> {
    session
        .logout()
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Redirect::to("/login").into_response())
}
