//! Sign-in for API clients (the same session cookie as the pages), the current account,
//! and password change.

use anpei_store::Scope;
use anpei_store::ops::accounts;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{AuthSession, Authed, Credentials, SessionUser};
use crate::error::{Problem, WebError};
use crate::extract::Json;
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login, logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The signed-in account and its jurisdiction.
#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub account_id: Uuid,
    pub username: String,
    pub display_name: String,
    /// worker, enterprise, institution, city_regulator, province_regulator, hr_bureau
    pub role: String,
    /// person, enterprise, institution, city, province, hr_bureau
    pub scope: String,
    /// The person, enterprise or institution the account belongs to.
    pub scope_id: Option<Uuid>,
    /// The region code of a regulator or HR bureau.
    pub region_code: Option<String>,
}

fn me_dto(authed: &Authed) -> MeDto {
    let (scope, scope_id, region_code) = match &authed.actor.scope {
        Scope::Person(id) => ("person", Some(*id), None),
        Scope::Enterprise(id) => ("enterprise", Some(*id), None),
        Scope::Institution(id) => ("institution", Some(*id), None),
        Scope::City(code) => ("city", None, Some(code.clone())),
        Scope::Province => ("province", None, None),
        Scope::HrBureau(code) => ("hr_bureau", None, Some(code.clone())),
        Scope::System => ("system", None, None),
    };
    MeDto {
        account_id: authed.account.id,
        username: authed.account.username.clone(),
        display_name: authed.account.display_name.clone(),
        role: authed.account.role.clone(),
        scope: scope.to_owned(),
        scope_id,
        region_code,
    }
}

/// Signs in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = MeDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn login(
    mut session: AuthSession,
    Json(body): Json<LoginRequest>,
) -> Result<Response, WebError> {
    let user = session
        .authenticate(Credentials {
            username: body.username,
            password: body.password,
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .ok_or(WebError::BadCredentials)?;
    session
        .login(&user)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let actor = accounts::actor_of(&user.account)?;
    let authed = Authed {
        actor,
        account: user.account,
    };
    Ok(axum::Json(me_dto(&authed)).into_response())
}

/// Signs out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
async fn logout(mut session: AuthSession) -> Result<StatusCode, WebError> {
    session
        .logout()
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The current account.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = MeDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
async fn me(authed: Authed) -> axum::Json<MeDto> {
    axum::Json(me_dto(&authed))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the password; other sessions of the account end.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "session", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn change_password(
    State(state): State<AppState>,
    authed: Authed,
    mut session: AuthSession,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, WebError> {
    accounts::change_password(
        &state.store,
        authed.account.id,
        &body.current_password,
        &body.new_password,
        clock::now(),
    )
    .await?;
    if let Some(account) = accounts::find(state.store.connection(), authed.account.id).await? {
        session
            .login(&SessionUser { account })
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    Ok(StatusCode::NO_CONTENT)
}
