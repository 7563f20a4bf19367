//! Logins: argon2id password hashes, authentication, password change, and the mapping from
//! an account to the [`Actor`] it acts as.

use anpei_domain::Role;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::Scope;
use crate::entity::account;
use crate::{Actor, Store, StoreError};

pub use account::Model as Account;

/// What an account is tied to.
#[derive(Debug, Clone)]
pub enum AccountScope {
    Person(Uuid),
    Enterprise(Uuid),
    Institution(Uuid),
    Region(String),
}

#[derive(Clone)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: String,
    pub scope: AccountScope,
}

/// Minimum password rule: 8+ characters with a letter and a digit.
pub fn check_password_strength(password: &str) -> Result<(), StoreError> {
    let long = password.chars().count() >= 8;
    let letter = password.chars().any(|c| c.is_alphabetic());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    if long && letter && digit && password.len() <= 256 {
        Ok(())
    } else {
        Err(StoreError::invalid_text(
            "new_password",
            "密码至少8位，且须同时包含字母和数字",
            "The password needs at least 8 characters with both letters and digits",
        ))
    }
}

/// Argon2id with the crate's default (OWASP) parameters; run off the async threads.
pub async fn hash_password(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| StoreError::Key(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::Key(format!("password hashing task failed: {e}")))?
}

async fn password_matches(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Accounts are not ledgered (the ledger records what accounts *do*); passwords never
/// leave this module.
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewAccount,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let hash = hash_password(new.password).await?;
    let id = Uuid::now_v7();
    let (person_id, enterprise_id, institution_id, region_code) = match new.scope {
        AccountScope::Person(id) => (Some(id), None, None, None),
        AccountScope::Enterprise(id) => (None, Some(id), None, None),
        AccountScope::Institution(id) => (None, None, Some(id), None),
        AccountScope::Region(code) => (None, None, None, Some(code)),
    };
    account::Entity::insert(account::ActiveModel {
        id: Set(id),
        username: Set(new.username),
        password_hash: Set(hash),
        role: Set(new.role.code().to_owned()),
        display_name: Set(new.display_name),
        person_id: Set(person_id),
        enterprise_id: Set(enterprise_id),
        institution_id: Set(institution_id),
        region_code: Set(region_code),
        created_at: Set(now),
        password_changed_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(id)
}

/// A hash verified when the username is unknown, so that the answer takes as long either
/// way and does not reveal which usernames exist.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            Argon2::default()
                .hash_password(b"anpei-no-such-account")
                .map(|hash| hash.to_string())
                .unwrap_or_default()
        })
        .clone()
}

pub async fn authenticate(
    db: &impl ConnectionTrait,
    username: &str,
    password: &str,
) -> Result<Option<Account>, StoreError> {
    let found = account::Entity::find()
        .filter(account::Column::Username.eq(username.trim()))
        .one(db)
        .await?;
    let hash = found
        .as_ref()
        .map_or_else(dummy_hash, |a| a.password_hash.clone());
    let ok = password_matches(password.to_owned(), hash).await;
    Ok(found.filter(|_| ok))
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Account>, StoreError> {
    Ok(account::Entity::find_by_id(id).one(db).await?)
}

pub async fn change_password(
    store: &Store,
    account_id: Uuid,
    current: &str,
    new: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let db = store.connection();
    let row = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !password_matches(current.to_owned(), row.password_hash.clone()).await {
        return Err(StoreError::invalid_text(
            "current_password",
            "当前密码不正确",
            "The current password is wrong",
        ));
    }
    check_password_strength(new)?;
    let hash = hash_password(new.to_owned()).await?;
    let mut active: account::ActiveModel = row.into();
    active.password_hash = Set(hash);
    active.password_changed_at = Set(now);
    active.update(db).await?;
    Ok(())
}

/// The actor an account acts as. Fails for a row whose role or scope is inconsistent,
/// which the schema cannot rule out on its own.
pub fn actor_of(account: &Account) -> Result<Actor, StoreError> {
    let role = Role::parse(&account.role).ok_or(StoreError::Forbidden)?;
    let scope = match role {
        Role::Worker => account.person_id.map(Scope::Person),
        Role::Enterprise => account.enterprise_id.map(Scope::Enterprise),
        Role::Institution => account.institution_id.map(Scope::Institution),
        Role::CityRegulator => account.region_code.clone().map(Scope::City),
        Role::ProvinceRegulator => Some(Scope::Province),
        Role::HrBureau => account.region_code.clone().map(Scope::HrBureau),
    }
    .ok_or(StoreError::Forbidden)?;
    Ok(Actor {
        account_id: Some(account.id),
        display_name: account.display_name.clone(),
        role: Some(role),
        scope,
    })
}
