//! The password-change page (also the forced change at first sign-in and after a reset)
//! and the one-time set-password link (`/account/setup/{token}`).

use anpei_store::ops::accounts;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Layout, render};
use crate::auth::{AuthSession, Authed, SessionUser, SignedIn};
use crate::error::WebError;
use crate::extract::Form;
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/password", get(page).post(change))
        .route("/account/setup/{token}", get(setup_page).post(setup))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    error: Option<String>,
    field: String,
    done: bool,
    /// The change is forced (first sign-in, or after a reset): nothing else works until it.
    forced: bool,
}

async fn page(t: Tr, SignedIn(authed): SignedIn) -> Result<Response, WebError> {
    render(&PasswordPage {
        forced: authed.account.must_change_password,
        l: Layout::new(
            t,
            t.pick("修改密码", "Change password"),
            Some(&authed),
            "/account/password",
        ),
        error: None,
        field: String::new(),
        done: false,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn change(
    State(state): State<AppState>,
    t: Tr,
    SignedIn(authed): SignedIn,
    mut session: AuthSession,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let result = if form.new_password != form.confirm_password {
        Err(WebError::Invalid {
            field: "confirm_password".to_owned(),
            zh: "两次输入的新密码不一致".to_owned(),
            en: "The two new passwords differ".to_owned(),
        })
    } else {
        accounts::change_password(
            &state.store,
            authed.account.id,
            &form.current_password,
            &form.new_password,
            clock::now(),
        )
        .await
        .map_err(WebError::from)
    };
    let layout = Layout::new(
        t,
        t.pick("修改密码", "Change password"),
        Some(&authed),
        "/account/password",
    );
    match result {
        Ok(()) => {
            // The session hash is the password hash: sign in again with the new one so this
            // session survives while every other session ends.
            let account = accounts::find(state.store.connection(), authed.account.id).await?;
            if let Some(account) = account.clone() {
                session
                    .session
                    .cycle_id()
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
                session
                    .login(&SessionUser { account })
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
            }
            // The layout again, now that nothing is forced any more.
            let l = match account.and_then(|account| {
                accounts::actor_of(&account)
                    .ok()
                    .map(|actor| Authed { actor, account })
            }) {
                Some(now) => Layout::new(
                    t,
                    t.pick("修改密码", "Change password"),
                    Some(&now),
                    "/account/password",
                ),
                None => layout,
            };
            render(&PasswordPage {
                l,
                error: None,
                field: String::new(),
                done: true,
                forced: false,
            })
        }
        Err(WebError::Invalid { field, zh, en }) => {
            let page = PasswordPage {
                l: layout,
                error: Some(t.pick_owned(&(zh, en))),
                field,
                done: false,
                forced: authed.account.must_change_password,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The set-password link: the account's username and a new password, once.
#[derive(Template)]
#[template(path = "account_setup.html")]
struct SetupPage {
    l: Layout,
    token: String,
    username: String,
    error: Option<String>,
    done: bool,
}

async fn setup_page(
    State(state): State<AppState>,
    t: Tr,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let l = Layout::new(
        t,
        t.pick("设置密码", "Set your password"),
        None,
        "/account/setup",
    );
    match accounts::setup_link_account(state.store.connection(), &token, clock::now()).await {
        Ok(account) => render(&SetupPage {
            l,
            token,
            username: account.username,
            error: None,
            done: false,
        }),
        Err(err) => {
            let (zh, en) = WebError::from(err).messages();
            let page = SetupPage {
                l,
                token: String::new(),
                username: String::new(),
                error: Some(t.pick_owned(&(zh, en))),
                done: false,
            };
            Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
struct SetupForm {
    new_password: String,
    confirm_password: String,
}

async fn setup(
    State(state): State<AppState>,
    t: Tr,
    Path(token): Path<String>,
    Form(form): Form<SetupForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(
        t,
        t.pick("设置密码", "Set your password"),
        None,
        "/account/setup",
    );
    let username = accounts::setup_link_account(state.store.connection(), &token, clock::now())
        .await
        .map(|a| a.username)
        .unwrap_or_default();
    let result = if form.new_password != form.confirm_password {
        Err(WebError::Invalid {
            field: "confirm_password".to_owned(),
            zh: "两次输入的新密码不一致".to_owned(),
            en: "The two new passwords differ".to_owned(),
        })
    } else {
        accounts::use_setup_link(&state.store, &token, &form.new_password, clock::now())
            .await
            .map_err(WebError::from)
    };
    match result {
        Ok(account) => render(&SetupPage {
            l,
            token: String::new(),
            username: account.username,
            error: None,
            done: true,
        }),
        Err(WebError::Invalid { zh, en, .. }) => {
            let page = SetupPage {
                l,
                token,
                username,
                error: Some(t.pick_owned(&(zh, en))),
                done: false,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}
