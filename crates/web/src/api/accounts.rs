//! Account administration as JSON (`/api/v1/accounts…`), over the same store calls and the
//! same `AccountAdmin` capability as the `/admin/accounts` page; an employer's invitation
//! of a worker. Out of reach is 404 and writes nothing; a role the holder may not create
//! is 403. One-time links are answered once, in the response that made them.
//!
//! Anonymous: a training institution's self-registration and a worker's sign-up code
//! (`/api/v1/registrations/…`), limited like the pages (per person in the store, per address
//! here: 429 with `Retry-After`).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use anpei_domain::{CreditCode, IdNumber, PersonName, Phone, Role};
use anpei_store::ops::accounts::admin::{
    self, AccountFilter, AccountRow, AccountSort, NewAccountBy, RegistrationKind,
};
use anpei_store::ops::accounts::signup::{self, InstitutionRegistration, PhoneCodeAnswer};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::{Authed, ClientAddr};
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
        .routes(routes!(register_institution))
        .routes(routes!(worker_code))
        .layer(Extension(CodeRequests::default()))
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
    /// For a self-registration: the enterprise's or institution's credit code and name.
    pub registration_credit_code: Option<String>,
    pub registration_name: Option<String>,
    /// For a self-registration: enterprise or institution.
    pub registration_kind: Option<String>,
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
            registration_kind: row.registration.as_ref().map(|r| {
                match r.kind {
                    RegistrationKind::Enterprise => "enterprise",
                    RegistrationKind::Institution => "institution",
                }
                .to_owned()
            }),
            registration_name: row.registration.map(|r| r.name),
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
            registration_kind: None,
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
        &authed.actor,
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

#[derive(Deserialize, ToSchema)]
pub struct InstitutionRegistrationRequest {
    /// 统一社会信用代码 (18 characters, GB 32100 check character).
    pub credit_code: String,
    pub name: String,
    /// A city's code, or a county's.
    pub region_code: String,
    /// The contact person who will use the account.
    pub contact_name: String,
    pub contact_phone: String,
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct PendingRegistration {
    pub account_id: Uuid,
    /// pending: until the city regulator approves.
    pub status: String,
}

/// A training institution registers itself: its account is pending until the city
/// regulator of its city (or the province) approves it on `/admin/accounts`.
#[utoipa::path(post, path = "/api/v1/registrations/institutions", tag = "accounts",
    request_body = InstitutionRegistrationRequest,
    responses((status = 201, body = PendingRegistration),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn register_institution(
    State(state): State<AppState>,
    Json(body): Json<InstitutionRegistrationRequest>,
) -> Result<Response, WebError> {
    let registration = InstitutionRegistration {
        credit_code: CreditCode::parse(body.credit_code.trim())
            .map_err(|e| WebError::invalid("credit_code", &e))?,
        name: body.name,
        region_code: body.region_code,
        contact_name: PersonName::parse(&body.contact_name)
            .map_err(|e| WebError::invalid("contact_name", &e))?,
        contact_phone: Phone::parse(&body.contact_phone)
            .map_err(|e| WebError::invalid("contact_phone", &e))?,
        username: body.username,
        password: body.password,
    };
    let account_id = signup::register_institution(&state.store, registration, clock::now()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PendingRegistration {
            account_id,
            status: "pending".to_owned(),
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct WorkerCodeRequest {
    pub name: String,
    /// Sent in the body, never in a URL.
    pub id_number: String,
    /// The mobile on record.
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct WorkerCodeSent {
    /// Where the code went (masked).
    pub masked_phone: String,
    pub valid_seconds: i64,
}

/// Sends a worker's sign-up code to the mobile on record (then `/register/worker`). At most
/// one a minute and five a day per person, 20 an hour per client address: beyond that
/// 429 with `Retry-After`, and nothing is sent.
#[utoipa::path(post, path = "/api/v1/registrations/worker-code", tag = "accounts",
    request_body = WorkerCodeRequest,
    responses((status = 200, body = WorkerCodeSent),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
async fn worker_code(
    State(state): State<AppState>,
    Extension(requests): Extension<CodeRequests>,
    ClientAddr(addr): ClientAddr,
    Json(body): Json<WorkerCodeRequest>,
) -> Result<axum::Json<WorkerCodeSent>, WebError> {
    let now = clock::now();
    requests.take(addr, now).map_err(too_soon)?;
    let name = PersonName::parse(&body.name).map_err(|e| WebError::invalid("name", &e))?;
    let id_number =
        IdNumber::parse(&body.id_number).map_err(|e| WebError::invalid("id_number", &e))?;
    let phone = Phone::parse(&body.phone).map_err(|e| WebError::invalid("phone", &e))?;
    match signup::request_phone_code(&state.store, &name, &id_number, &phone, now).await? {
        PhoneCodeAnswer::Sent(sent) => {
            // No SMS gateway in this build: the operator's terminal shows the code.
            tracing::info!(
                target: "anpei::sms",
                phone = %sent.masked_phone,
                code = %sent.code,
                "sign-up code queued in the outbox (no SMS gateway configured)"
            );
            Ok(axum::Json(WorkerCodeSent {
                masked_phone: sent.masked_phone,
                valid_seconds: signup::PHONE_CODE_VALID.num_seconds(),
            }))
        }
        PhoneCodeAnswer::Wait(wait) => Err(too_soon(wait)),
    }
}

/// Phone-code requests per client address, counted in memory on the server's clock: at most
/// [`CodeRequests::PER_HOUR`] an hour from one address, whatever names they carry, so that
/// one client cannot run through a list of people (each of whom the store limits on its
/// own). One per router: the page (`pages::register`) and this API count apart, so an address
/// gets the number from each. A restart forgets them, like the sign-in throttle.
#[derive(Clone, Default)]
pub(crate) struct CodeRequests {
    seen: Arc<Mutex<HashMap<IpAddr, VecDeque<DateTime<Utc>>>>>,
}

impl CodeRequests {
    pub const PER_HOUR: usize = 20;
    const WINDOW: TimeDelta = TimeDelta::hours(1);
    /// Addresses kept at most; past this, those without a request in the window go.
    const MAX_ADDRESSES: usize = 100_000;

    /// Counts a request from `addr` at `now`, or refuses it (uncounted) with the wait until
    /// the oldest request in the window leaves it. Without an address (no connection info):
    /// allowed.
    pub fn take(&self, addr: Option<IpAddr>, now: DateTime<Utc>) -> Result<(), TimeDelta> {
        let Some(addr) = addr else {
            return Ok(());
        };
        // A panic while holding the lock leaves a map that is still consistent.
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() >= Self::MAX_ADDRESSES && !seen.contains_key(&addr) {
            seen.retain(|_, times| times.back().is_some_and(|last| *last > now - Self::WINDOW));
        }
        let times = seen.entry(addr).or_default();
        while times
            .front()
            .is_some_and(|first| *first <= now - Self::WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= Self::PER_HOUR {
            let oldest = times.front().copied().unwrap_or(now);
            return Err((oldest + Self::WINDOW - now).max(TimeDelta::seconds(1)));
        }
        times.push_back(now);
        Ok(())
    }
}

/// A wait as the refusal says it: 429 with `Retry-After` in whole seconds.
pub(crate) fn too_soon(wait: TimeDelta) -> WebError {
    WebError::TooManyAttempts {
        retry_after_secs: u64::try_from(wait.num_seconds()).unwrap_or(0).max(1),
        locked: false,
    }
}
