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

use crate::auth::{self, AuthSession, Authed, ClientAddr, SessionUser, SignedIn};
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
    /// The 6-digit TOTP code: required for regulator, HR and administrator accounts (and any
    /// account that enrolled one). The first enrolment happens on the sign-in page.
    #[serde(default)]
    pub totp: Option<String>,
}

/// The signed-in account and its jurisdiction.
#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub account_id: Uuid,
    pub username: String,
    pub display_name: String,
    /// worker, enterprise, institution, city_regulator, county_regulator, province_regulator,
    /// hr_bureau
    pub role: String,
    /// person, enterprise, institution, city, county, province, hr_bureau
    pub scope: String,
    /// The person, enterprise or institution the account belongs to.
    pub scope_id: Option<Uuid>,
    /// The region code of a regulator or HR bureau.
    pub region_code: Option<String>,
    /// The account must change its password before anything else works.
    pub must_change_password: bool,
}

fn me_dto(authed: &Authed) -> MeDto {
    let (scope, scope_id, region_code) = match &authed.actor.scope {
        Scope::Person(id) => ("person", Some(*id), None),
        Scope::Enterprise(id) => ("enterprise", Some(*id), None),
        Scope::Institution(id) => ("institution", Some(*id), None),
        Scope::City(code) => ("city", None, Some(code.clone())),
        Scope::County(code) => ("county", None, Some(code.clone())),
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
        must_change_password: authed.account.must_change_password,
    }
}

/// Signs in; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = MeDto), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "`field: totp`: this account needs its TOTP code (or its enrolment, on the sign-in page)"),
        (status = 429, body = Problem, content_type = "application/problem+json",
            description = "Too many failures for the account or the address; see Retry-After")))]
async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    mut session: AuthSession,
    Json(body): Json<LoginRequest>,
) -> Result<Response, WebError> {
    let user = match auth::sign_in(
        &mut session,
        &state.sign_ins,
        addr,
        &body.username,
        body.password,
        body.totp.as_deref(),
    )
    .await?
    {
        auth::SignIn::Done(user) => user,
        auth::SignIn::SecondFactor { enrolment } => {
            return Err(WebError::Invalid {
                field: "totp".to_owned(),
                zh: if enrolment.is_some() {
                    "首次登录请在网页登录页面绑定动态验证码".to_owned()
                } else {
                    "需要 6 位动态验证码（totp）".to_owned()
                },
                en: if enrolment.is_some() {
                    "Enrol the authenticator on the sign-in page first".to_owned()
                } else {
                    "A 6-digit TOTP code (totp) is required".to_owned()
                },
            });
        }
    };
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
async fn me(SignedIn(authed): SignedIn) -> axum::Json<MeDto> {
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
    SignedIn(authed): SignedIn,
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
            .session
            .cycle_id()
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
        session
            .login(&SessionUser { account })
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    Ok(StatusCode::NO_CONTENT)
}
