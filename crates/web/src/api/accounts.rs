//! Account administration as JSON (`/api/v1/accounts…`), over the same store calls and the
//! same `AccountAdmin` capability as the `/admin/accounts` page; an employer's invitation
//! of a worker. Out of reach is 404 and writes nothing; a role the holder may not create
//! is 403. One-time links are answered once, in the response that made them.

use anpei_domain::{IdNumber, Role};
use anpei_store::ops::accounts::admin::{
    self, AccountFilter, AccountRow, AccountSort, NewAccountBy,
};
use anpei_store::ops::accounts::signup;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(act))
        .routes(routes!(reset_link))
        .routes(routes!(move_account))
        .routes(routes!(invite))
}

fn capability(authed: &Authed) -> Result<anpei_store::access::AccountAdmin, WebError> {
    authed.actor.account_admin().ok_or(WebError::Forbidden)
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AccountListParams {
    /// Words in the username or display name.
    pub q: Option<String>,
    /// active, disabled, pending
    pub status: Option<String>,
    /// A role code.
    pub role: Option<String>,
    /// newest (default), username, name, status
    pub sort: Option<String>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u64>,
}

/// An account as its administrator sees it (no hash, no secret).
#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// active, disabled, pending
    pub status: String,
    pub region_code: Option<String>,
    pub enterprise_id: Option<Uuid>,
    pub institution_id: Option<Uuid>,
    pub must_change_password: bool,
    pub totp_enrolled: bool,
    /// For a self-registration: the enterprise's credit code and name.
    pub registration_credit_code: Option<String>,
    pub registration_name: Option<String>,
}

impl From<AccountRow> for AccountDto {
    fn from(row: AccountRow) -> Self {
        AccountDto {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role: row.role.code().to_owned(),
            status: row.status,
            region_code: row.region_code,
            enterprise_id: row.enterprise_id,
            institution_id: row.institution_id,
            must_change_password: row.must_change_password,
            totp_enrolled: row.totp_enrolled,
            registration_credit_code: row.registration.as_ref().map(|r| r.credit_code.clone()),
            registration_name: row.registration.map(|r| r.enterprise_name),
        }
    }
}

impl From<anpei_store::ops::accounts::Account> for AccountDto {
    fn from(row: anpei_store::ops::accounts::Account) -> Self {
        AccountDto {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            status: row.status,
            region_code: row.region_code,
            enterprise_id: row.enterprise_id,
            institution_id: row.institution_id,
            must_change_password: row.must_change_password,
            totp_enrolled: row.totp_confirmed_at.is_some(),
            registration_credit_code: None,
            registration_name: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountPage {
    pub items: Vec<AccountDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The accounts within the caller's reach.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountListParams),
    responses((status = 200, body = AccountPage), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<AccountListParams>,
) -> Result<axum::Json<AccountPage>, WebError> {
    let holder = capability(&authed)?;
    let (page, per_page) = super::paging(q.page, q.per_page);
    let sort = match q.sort.as_deref() {
        Some("username") => AccountSort::Username,
        Some("name") => AccountSort::Name,
        Some("status") => AccountSort::Status,
        _ => AccountSort::Newest,
    };
    let filter = AccountFilter {
        q: q.q,
        status: q.status.filter(|s| !s.is_empty()),
        role: q.role.as_deref().and_then(Role::parse),
    };
    let result = admin::list(
        state.store.connection(),
        &holder,
        &filter,
        sort,
        page,
        per_page,
    )
    .await?;
    Ok(axum::Json(AccountPage {
        total: result.total,
        page: result.page,
        per_page: result.per_page,
        items: result.items.into_iter().map(AccountDto::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAccountRequest {
    pub username: String,
    pub display_name: String,
    /// city_regulator, hr_bureau, province_regulator, enterprise, institution
    pub role: String,
    /// Regulator, HR and province accounts: the region (a city's code, or the province's).
    pub region_code: Option<String>,
    /// Enterprise and institution accounts: its credit code (an enterprise's own when
    /// omitted by an enterprise).
    pub credit_code: Option<String>,
    /// An initial password to be changed at the first sign-in; without it, a one-time
    /// set-password link is answered.
    pub initial_password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedAccount {
    pub account: AccountDto,
    /// The one-time set-password link (24 h), shown only here.
    pub setup_link: Option<String>,
}

fn role_of(code: &str) -> Result<Role, WebError> {
    Role::parse(code).ok_or_else(|| WebError::Invalid {
        field: "role".to_owned(),
        zh: "未知的角色".to_owned(),
        en: "Unknown role".to_owned(),
    })
}

/// Creates an account within the caller's jurisdiction.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountRequest,
    responses((status = 201, body = CreatedAccount), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<NewAccountRequest>,
) -> Result<Response, WebError> {
    let holder = capability(&authed)?;
    let role = role_of(&body.role)?;
    let scope = admin::scope_from_form(
        state.store.connection(),
        &holder,
        role,
        body.region_code.as_deref(),
        body.credit_code.as_deref(),
    )
    .await?;
    let (account, token) = admin::create(
        &state.store,
        &authed.actor,
        &holder,
        NewAccountBy {
            username: body.username,
            display_name: body.display_name,
            role,
            scope,
            initial_password: body.initial_password.filter(|p| !p.is_empty()),
        },
        clock::now(),
    )
    .await?;
    let setup_link = token.map(|token| {
        state
            .config
            .public_url
            .join(&format!("/account/setup/{token}"))
    });
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedAccount {
            account: account.into(),
            setup_link,
        }),
    )
        .into_response())
}

/// approve, reject (self-registrations), disable, enable, totp-reset.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/{action}", tag = "accounts",
    params(("id" = Uuid, Path), ("action" = String, Path, description = "approve, reject, disable, enable, totp-reset")),
    responses((status = 200, body = AccountDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn act(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, action)): Path<(Uuid, String)>,
) -> Result<axum::Json<AccountDto>, WebError> {
    let holder = capability(&authed)?;
    let (store, actor, now) = (&state.store, &authed.actor, clock::now());
    let account = match action.as_str() {
        "approve" => admin::approve(store, actor, &holder, id, now).await?,
        "reject" => admin::reject(store, actor, &holder, id, now).await?,
        "disable" => admin::set_enabled(store, actor, &holder, id, false, now).await?,
        "enable" => admin::set_enabled(store, actor, &holder, id, true, now).await?,
        "totp-reset" => admin::reset_totp(store, actor, &holder, id, now).await?,
        _ => return Err(WebError::NotFound),
    };
    Ok(axum::Json(account.into()))
}

#[derive(Serialize, ToSchema)]
pub struct OneTimeLink {
    /// Valid once; shown only in this response.
    pub link: String,
}

/// A one-time password-reset link (24 h) for an account within reach.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/reset-link", tag = "accounts",
    params(("id" = Uuid, Path)),
    responses((status = 201, body = OneTimeLink), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn reset_link(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let holder = capability(&authed)?;
    let token = admin::issue_reset(&state.store, &authed.actor, &holder, id, clock::now()).await?;
    let link = state
        .config
        .public_url
        .join(&format!("/account/setup/{token}"));
    Ok((StatusCode::CREATED, axum::Json(OneTimeLink { link })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct MoveRequest {
    pub role: String,
    pub region_code: Option<String>,
    pub credit_code: Option<String>,
}

/// Moves an account to another role or jurisdiction, both within the caller's reach.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/scope", tag = "accounts",
    params(("id" = Uuid, Path)), request_body = MoveRequest,
    responses((status = 200, body = AccountDto), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn move_account(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(body): Json<MoveRequest>,
) -> Result<axum::Json<AccountDto>, WebError> {
    let holder = capability(&authed)?;
    let role = role_of(&body.role)?;
    let scope = admin::scope_from_form(
        state.store.connection(),
        &holder,
        role,
        body.region_code.as_deref(),
        body.credit_code.as_deref(),
    )
    .await?;
    let account = admin::move_account(
        &state.store,
        &authed.actor,
        &holder,
        id,
        role,
        scope,
        clock::now(),
    )
    .await?;
    Ok(axum::Json(account.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct InvitationRequest {
    /// The ID number of a person on the enterprise's current staff.
    pub id_number: String,
    /// The enterprise (the caller's own).
    pub enterprise_id: Uuid,
}

/// An employer invites a person of its staff to make their worker account: a one-time link
/// (7 days).
#[utoipa::path(post, path = "/api/v1/accounts/invitations", tag = "accounts", request_body = InvitationRequest,
    responses((status = 201, body = OneTimeLink), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn invite(
    State(state): State<AppState>,
    authed: Authed,
    Json(body): Json<InvitationRequest>,
) -> Result<Response, WebError> {
    let staff = anpei_store::access::enterprise_staff_write(
        state.store.connection(),
        &authed.actor,
        body.enterprise_id,
    )
    .await?;
    let id_number =
        IdNumber::parse(&body.id_number).map_err(|e| WebError::invalid("id_number", &e))?;
    let person_id = signup::person_by_id_number(state.store.connection(), &id_number).await?;
    let token = signup::invite_worker(
        &state.store,
        &authed.actor,
        staff,
        person_id,
        clock::today(),
        clock::now(),
    )
    .await?;
    let link = state
        .config
        .public_url
        .join(&format!("/register/invite/{token}"));
    Ok((StatusCode::CREATED, axum::Json(OneTimeLink { link })).into_response())
}
