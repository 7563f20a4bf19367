//! The password-change page.

use anpei_store::ops::accounts;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Layout, render};
use crate::auth::{AuthSession, Authed, SessionUser};
use crate::error::WebError;
use crate::extract::Form;
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new().route("/account/password", get(page).post(change))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    error: Option<String>,
    field: String,
    done: bool,
}

async fn page(t: Tr, authed: Authed) -> Result<Response, WebError> {
    render(&PasswordPage {
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
    authed: Authed,
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
            if let Some(account) =
                accounts::find(state.store.connection(), authed.account.id).await?
            {
                session
                    .login(&SessionUser { account })
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
            }
            render(&PasswordPage {
                l: layout,
                error: None,
                field: String::new(),
                done: true,
            })
        }
        Err(WebError::Invalid { field, zh, en }) => {
            let page = PasswordPage {
                l: layout,
                error: Some(t.pick_owned(&(zh, en))),
                field,
                done: false,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}
