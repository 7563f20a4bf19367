//! Sign-in: axum-login over tower-sessions, with sessions kept in our own table through the
//! store (no second sqlx beside SeaORM's), and the [`Authed`] extractor that turns the
//! signed-in account into the store's [`Actor`].

use anpei_store::ops::accounts::{self, Account};
use anpei_store::{Actor, Store};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_login::{AuthUser, AuthnBackend};
use chrono::{DateTime, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use uuid::Uuid;

use crate::clock;
use crate::error::WebError;

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

fn expiry(record: &Record) -> DateTime<Utc> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0).unwrap_or_default()
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait::async_trait]
impl session_store::SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // A fresh random id collides only by extreme chance; draw again if it does.
        while !anpei_store::sessions::create(
            &self.store,
            &record.id.to_string(),
            data.clone(),
            expiry(record),
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
        anpei_store::sessions::save(&self.store, &record.id.to_string(), data, expiry(record))
            .await
            .map_err(backend)
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let Some(data) =
            anpei_store::sessions::load(&self.store, &session_id.to_string(), clock::now())
                .await
                .map_err(backend)?
        else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *session_id,
            data,
            // The row's expiry was checked by the query; tower-sessions re-extends on save.
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(8),
        }))
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
}

impl Backend {
    pub fn new(store: Store) -> Self {
        Self { store }
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

    async fn get_user(&self, id: &Uuid) -> Result<Option<SessionUser>, Self::Error> {
        Ok(accounts::find(self.store.connection(), *id)
            .await?
            .map(|account| SessionUser { account }))
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;

/// A request by a signed-in account: its actor (role + scope) and the account itself.
pub struct Authed {
    pub actor: Actor,
    pub account: Account,
}

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = AuthSession::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::Internal("auth layer missing".to_owned()))?;
        let user = session.user.ok_or(WebError::Unauthorized)?;
        let actor = accounts::actor_of(&user.account)?;
        Ok(Authed {
            actor,
            account: user.account,
        })
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
