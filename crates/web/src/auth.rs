//! Sign-in: axum-login over tower-sessions, with sessions kept in our own table through the
//! store (no second sqlx beside SeaORM's), and the [`Authed`] extractor that turns the
//! signed-in account into the store's [`Actor`].

use std::net::{IpAddr, SocketAddr};

use anpei_store::ops::accounts::{self, Account};
use anpei_store::{Actor, Store};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum_login::{AuthUser, AuthnBackend};
use chrono::{DateTime, TimeDelta, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use uuid::Uuid;

use crate::clock;
use crate::error::WebError;
use crate::throttle::{Refusal, SignInThrottle};

/// A session ends after this long without a request (ASVS 3.3.2, level 2: 30 minutes).
pub const IDLE_TIMEOUT: TimeDelta = TimeDelta::minutes(30);
/// A session ends this long after its sign-in, however busy (ASVS 3.3.2: 12 hours).
pub const ABSOLUTE_TIMEOUT: TimeDelta = TimeDelta::hours(12);
/// The session's idle deadline is pushed back at most once a minute, not on every request.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);
/// The key in a session record holding when it began (its sign-in, as ids are cycled then).
const STARTED: &str = "anpei.started";

/// Session records in the `sessions` table.
#[derive(Clone)]
pub struct DbSessionStore {
    store: Store,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

/// When the session in `record` began (now, for a record without it).
fn started(record: &Record) -> DateTime<Utc> {
    record
        .data
        .get(STARTED)
        .and_then(|v| v.as_i64())
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_else(clock::now)
}

/// The idle deadline from now, never past the absolute one. Times are on the server's
/// clock, not the cookie library's, so that a server on a moved clock expires alike.
fn expiry(started: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    (now + IDLE_TIMEOUT).min(started + ABSOLUTE_TIMEOUT)
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait::async_trait]
impl session_store::SessionStore for DbSessionStore {
    /// A new session, or a new id for one (at every sign-in): its lifetime starts now.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let now = clock::now();
        record
            .data
            .insert(STARTED.to_owned(), now.timestamp_millis().into());
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // A fresh random id collides only by extreme chance; draw again if it does.
        while !anpei_store::sessions::create(
            &self.store,
            &record.id.to_string(),
            data.clone(),
            expiry(now, now),
        )
        .await
        .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let now = clock::now();
        anpei_store::sessions::save(
            &self.store,
            &record.id.to_string(),
            data,
            expiry(started(record), now),
        )
        .await
        .map_err(backend)
    }

    /// A live session (idle and absolute deadlines not passed), its idle deadline pushed back.
    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let now = clock::now();
        let id = session_id.to_string();
        let Some((data, expires_at)) = anpei_store::sessions::load(&self.store, &id, now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let record = Record {
            id: *session_id,
            data,
            // Not used for the cookie (it lasts as long as the browser session) nor for the
            // row (its deadlines are ours, above).
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
        };
        let deadline = expiry(started(&record), now);
        if deadline <= now {
            anpei_store::sessions::delete(&self.store, &id)
                .await
                .map_err(backend)?;
            return Ok(None);
        }
        if deadline - expires_at >= TOUCH_EVERY {
            anpei_store::sessions::touch(&self.store, &id, deadline)
                .await
                .map_err(backend)?;
        }
        Ok(Some(record))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        anpei_store::sessions::delete(&self.store, &session_id.to_string())
            .await
            .map_err(backend)
    }
}

/// The signed-in account as axum-login keeps it.
#[derive(Clone)]
pub struct SessionUser {
    pub account: Account,
}

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser")
            .field("account", &self.account)
            .finish()
    }
}

impl AuthUser for SessionUser {
    type Id = Uuid;

    fn id(&self) -> Uuid {
        self.account.id
    }

    /// The password hash: changing the password signs out every other session.
    fn session_auth_hash(&self) -> &[u8] {
        self.account.password_hash.as_bytes()
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Clone)]
pub struct Backend {
    store: Store,
    /// Whether the database was generated as a demo, read once (a database does not stop
    /// being a demo; the demo is generated before the server starts).
    demo: std::sync::Arc<tokio::sync::OnceCell<bool>>,
}

impl Backend {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            demo: std::sync::Arc::default(),
        }
    }

    /// Whether the database was generated as a demo (false if it cannot be read).
    pub async fn is_demo(&self) -> bool {
        self.demo
            .get_or_try_init(|| accounts::is_demo_database(self.store.connection()))
            .await
            .copied()
            .unwrap_or(false)
    }
}

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = Credentials;
    type Error = anpei_store::StoreError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<SessionUser>, Self::Error> {
        Ok(
            accounts::authenticate(self.store.connection(), &creds.username, &creds.password)
                .await?
                .map(|account| SessionUser { account }),
        )
    }

    /// The session's account, while it is active: disabling an account ends its sessions
    /// at their next request.
    async fn get_user(&self, id: &Uuid) -> Result<Option<SessionUser>, Self::Error> {
        Ok(accounts::find(self.store.connection(), *id)
            .await?
            .filter(|account| account.status == accounts::ACTIVE)
            .map(|account| SessionUser { account }))
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;

/// The client's address as the socket saw it (`None` when the server was not started with
/// connection info, as in a unit test's router).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

/// What a log line may say of a username: a username that is an ID number or a phone number
/// is masked as the UI masks them.
pub fn loggable_username(username: &str) -> String {
    let name = username.trim();
    if let Ok(id) = anpei_domain::IdNumber::parse(name) {
        return format!("{id:?}");
    }
    if let Ok(phone) = anpei_domain::Phone::parse(name) {
        return format!("{phone:?}");
    }
    // Something like one with a typo: digits that could identify a person stay out too.
    if name.chars().filter(char::is_ascii_digit).count() >= 11 {
        let chars: Vec<char> = name.chars().collect();
        let head: String = chars.iter().take(3).collect();
        let tail: String = chars[chars.len().saturating_sub(2)..].iter().collect();
        return format!("{head}***{tail}");
    }
    name.chars().take(64).collect()
}

/// What a correct password led to.
#[allow(
    clippy::large_enum_variant,
    reason = "one value per sign-in, matched at once"
)]
pub enum SignIn {
    /// Signed in.
    Done(SessionUser),
    /// Half signed in: the session holds the account until a TOTP code is given
    /// ([`second_factor`]); `enrolment` is the secret to enrol at the first sign-in.
    SecondFactor {
        enrolment: Option<accounts::TotpEnrolment>,
    },
}

/// The session key of a half-signed-in account (password right, TOTP code to come).
const HALF_SIGNED_IN: &str = "anpei.half_signed_in";
/// How long a half sign-in waits for its code.
const HALF_SIGN_IN_FOR: TimeDelta = TimeDelta::minutes(5);

#[derive(serde::Serialize, serde::Deserialize)]
struct HalfSignedIn {
    account_id: Uuid,
    username: String,
    since_ms: i64,
}

/// The one sign-in, for the page and the API: throttled per account and per address,
/// failures logged, the session id cycled (no fixation, even from one account to another),
/// then the account signed in — or, for an account with a second factor, half signed in
/// until [`second_factor`] (the API passes the code along: `totp`). Disabled and pending
/// accounts get the answer a wrong password gets, and a log line.
pub async fn sign_in(
    session: &mut AuthSession,
    throttle: &SignInThrottle,
    addr: ClientAddr,
    username: &str,
    password: String,
    totp: Option<&str>,
) -> Result<SignIn, WebError> {
    let started = std::time::Instant::now();
    let who = loggable_username(username);
    let address = addr.0.map(|a| a.to_string()).unwrap_or_default();
    if let Err(refusal) = throttle.check(username, addr.0, started) {
        tracing::warn!(
            target: "anpei::signin",
            username = %who,
            address = %address,
            failures = throttle.failures(username),
            "sign-in refused: too many failures"
        );
        return Err(too_many(refusal));
    }
    let user = session
        .authenticate(Credentials {
            username: username.to_owned(),
            password,
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let Some(user) = user else {
        return Err(failed(
            throttle,
            username,
            addr,
            "sign-in failed: wrong username or password",
        ));
    };
    match accounts::sign_in_step(&user.account) {
        accounts::SignInStep::Done => {}
        accounts::SignInStep::Disabled => {
            return Err(failed(
                throttle,
                username,
                addr,
                "sign-in refused: the account is disabled",
            ));
        }
        accounts::SignInStep::Pending => {
            return Err(failed(
                throttle,
                username,
                addr,
                "sign-in refused: the account awaits approval",
            ));
        }
        accounts::SignInStep::SecondFactor { enrolled } => {
            let store = session.backend.store.clone();
            let Some(code) = totp else {
                session
                    .session
                    .cycle_id()
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
                let half = HalfSignedIn {
                    account_id: user.account.id,
                    username: username.trim().to_owned(),
                    since_ms: clock::now().timestamp_millis(),
                };
                session
                    .session
                    .insert(HALF_SIGNED_IN, half)
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?;
                let enrolment = if enrolled {
                    None
                } else {
                    Some(accounts::totp_enrolment(&store, user.account.id).await?)
                };
                tracing::info!(target: "anpei::signin", account = %user.account.id, "password accepted; TOTP code asked");
                return Ok(SignIn::SecondFactor { enrolment });
            };
            if !enrolled {
                return Err(WebError::Invalid {
                    field: "totp".to_owned(),
                    zh: "首次登录请在网页登录页面绑定动态验证码".to_owned(),
                    en: "Enrol the authenticator on the sign-in page first".to_owned(),
                });
            }
            if !accounts::check_totp(&store, user.account.id, code, clock::now()).await? {
                return Err(failed(
                    throttle,
                    username,
                    addr,
                    "sign-in failed: wrong TOTP code",
                ));
            }
        }
    }
    finish(session, throttle, username, user)
        .await
        .map(SignIn::Done)
}

/// The TOTP code of a half-signed-in session (confirming the enrolment at the first
/// sign-in); throttled and logged like a password.
pub async fn second_factor(
    session: &mut AuthSession,
    throttle: &SignInThrottle,
    addr: ClientAddr,
    code: &str,
) -> Result<SessionUser, WebError> {
    let half = half_signed_in(session)
        .await
        .ok_or(WebError::Unauthorized)?;
    let started = std::time::Instant::now();
    if let Err(refusal) = throttle.check(&half.username, addr.0, started) {
        tracing::warn!(
            target: "anpei::signin",
            username = %loggable_username(&half.username),
            "TOTP code refused: too many failures"
        );
        return Err(too_many(refusal));
    }
    let store = session.backend.store.clone();
    if !accounts::check_totp(&store, half.account_id, code, clock::now()).await? {
        return Err(failed(
            throttle,
            &half.username,
            addr,
            "sign-in failed: wrong TOTP code",
        ));
    }
    let account = accounts::find(store.connection(), half.account_id)
        .await?
        .filter(|a| a.status == accounts::ACTIVE)
        .ok_or(WebError::Unauthorized)?;
    session
        .session
        .remove::<HalfSignedIn>(HALF_SIGNED_IN)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    finish(session, throttle, &half.username, SessionUser { account }).await
}

/// The account this session is half signed in as (within [`HALF_SIGN_IN_FOR`]), with its
/// enrolment when it has not enrolled yet (to show the page again after a wrong code).
pub async fn pending_second_factor(
    session: &AuthSession,
) -> Option<(Uuid, Option<accounts::TotpEnrolment>)> {
    let half = half_signed_in(session).await?;
    let store = session.backend.store.clone();
    let account = accounts::find(store.connection(), half.account_id)
        .await
        .ok()??;
    let enrolment = if account.totp_confirmed_at.is_none() {
        accounts::totp_enrolment(&store, account.id).await.ok()
    } else {
        None
    };
    Some((account.id, enrolment))
}

async fn half_signed_in(session: &AuthSession) -> Option<HalfSignedIn> {
    let half: HalfSignedIn = session.session.get(HALF_SIGNED_IN).await.ok()??;
    let since = DateTime::from_timestamp_millis(half.since_ms)?;
    (clock::now() - since <= HALF_SIGN_IN_FOR).then_some(half)
}

/// A refused sign-in: counted, logged, answered as a wrong password (or a lock-out).
fn failed(
    throttle: &SignInThrottle,
    username: &str,
    addr: ClientAddr,
    message: &'static str,
) -> WebError {
    let refusal = throttle.failed(username, addr.0, std::time::Instant::now());
    tracing::warn!(
        target: "anpei::signin",
        username = %loggable_username(username),
        address = %addr.0.map(|a| a.to_string()).unwrap_or_default(),
        failures = throttle.failures(username),
        "{}",
        message
    );
    match refusal {
        Some(refusal @ Refusal::Locked(_)) => too_many(refusal),
        _ => WebError::BadCredentials,
    }
}

/// Signs the account in: failures forgotten, a new session id, the login recorded.
async fn finish(
    session: &mut AuthSession,
    throttle: &SignInThrottle,
    username: &str,
    user: SessionUser,
) -> Result<SessionUser, WebError> {
    throttle.succeeded(username);
    session
        .session
        .cycle_id()
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    session
        .login(&user)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    tracing::info!(target: "anpei::signin", account = %user.account.id, "signed in");
    Ok(user)
}

fn too_many(refusal: Refusal) -> WebError {
    WebError::TooManyAttempts {
        retry_after_secs: refusal.retry_after().as_secs().max(1),
        locked: matches!(refusal, Refusal::Locked(_)),
    }
}

/// A request by a signed-in account: its actor (role + scope) and the account itself.
pub struct Authed {
    pub actor: Actor,
    pub account: Account,
}

/// An account that must change its password (first sign-in, or after an administrator
/// set one) can do nothing else: every handler taking [`Authed`] refuses it
/// (`PasswordChangeRequired`, which pages turn into the password page).
impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let SignedIn(authed) = SignedIn::from_request_parts(parts, state).await?;
        if authed.account.must_change_password {
            return Err(WebError::PasswordChangeRequired);
        }
        Ok(authed)
    }
}

/// Any signed-in account, a forced password change pending or not: for the password change
/// itself, `me`, and signing out.
pub struct SignedIn(pub Authed);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = AuthSession::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::Internal("auth layer missing".to_owned()))?;
        let user = session.user.ok_or(WebError::Unauthorized)?;
        let actor = accounts::actor_of(&user.account)?;
        Ok(SignedIn(Authed {
            actor,
            account: user.account,
        }))
    }
}

/// The same, for pages that also serve anonymous visitors.
pub struct MaybeAuthed(pub Option<Authed>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuthed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Authed::from_request_parts(parts, state).await {
            Ok(authed) => Ok(MaybeAuthed(Some(authed))),
            Err(WebError::Unauthorized) => Ok(MaybeAuthed(None)),
            Err(other) => Err(other),
        }
    }
}
