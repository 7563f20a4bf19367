//! Logins: argon2id password hashes, authentication, the password policy, the second factor
//! (TOTP), one-time links, and the mapping from an account to the [`Actor`] it acts as.
//!
//! Every change to an account is ledgered in the transaction that makes it, as
//! [`account::LedgerState`]: role, jurisdiction, status and whether TOTP is enrolled — never
//! a password, hash, token or TOTP secret. Administration by jurisdiction is in [`admin`],
//! self-registration and worker sign-up in [`signup`], the TOTP arithmetic in [`totp`].

pub mod admin;
pub mod signup;
pub mod totp;

use anpei_domain::Role;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sm3::{Digest, Sm3};
use uuid::Uuid;

use crate::access::Scope;
use crate::entity::{account, account_token, setting};
use crate::ledger::{Change, LedgerKey};
use crate::{Actor, Store, StoreError, WriteTx};

pub use account::Model as Account;

/// What an account is tied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountScope {
    Person(Uuid),
    Enterprise(Uuid),
    Institution(Uuid),
    Region(String),
}

impl AccountScope {
    /// The columns `(person_id, enterprise_id, institution_id, region_code)`.
    fn columns(&self) -> (Option<Uuid>, Option<Uuid>, Option<Uuid>, Option<String>) {
        match self {
            AccountScope::Person(id) => (Some(*id), None, None, None),
            AccountScope::Enterprise(id) => (None, Some(*id), None, None),
            AccountScope::Institution(id) => (None, None, Some(*id), None),
            AccountScope::Region(code) => (None, None, None, Some(code.clone())),
        }
    }
}

#[derive(Clone)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: String,
    pub scope: AccountScope,
}

/// Account statuses as stored.
pub const ACTIVE: &str = "active";
pub const DISABLED: &str = "disabled";
pub const PENDING: &str = "pending";

/// How long a set-password (or reset) link is good for.
pub const SETUP_LINK_VALID: TimeDelta = TimeDelta::hours(24);

/// The settings row the demo generator writes: this database was generated as a demo.
const DEMO_SETTING: &str = "generated_as";

/// Whether this database was generated as a demo (its demo logins and their published
/// password are then allowed, and every page says so).
pub async fn is_demo_database(db: &impl ConnectionTrait) -> Result<bool, StoreError> {
    Ok(setting::Entity::find_by_id(DEMO_SETTING.to_owned())
        .one(db)
        .await?
        .is_some_and(|row| row.value == "demo"))
}

/// Marks the database as a demo (the demo generator, before it creates anything).
pub(crate) async fn mark_demo(tx: &WriteTx) -> Result<(), StoreError> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(DEMO_SETTING.to_owned()),
        value: Set("demo".to_owned()),
        updated_at: Set(tx.at()),
    })
    .exec(tx.conn())
    .await?;
    Ok(())
}

/// Passwords too common to allow whatever their length (the head of the public lists of
/// leaked passwords, and the obvious local ones).
const COMMON_PASSWORDS: &[&str] = &[
    "password1234",
    "password123",
    "passw0rd123",
    "qwerty123456",
    "qwertyuiop123",
    "1qaz2wsx3edc",
    "1q2w3e4r5t6y",
    "abc123456789",
    "abcd12345678",
    "a1234567890",
    "aa1234567890",
    "admin1234567",
    "admin123456",
    "administrator1",
    "iloveyou1234",
    "welcome12345",
    "woaini1314520",
    "woaini123456",
    "anpei1234567",
    "anpei123456",
    "zxcvbnm12345",
    "test12345678",
    "changeme1234",
    "p@ssw0rd1234",
];

/// The password policy (ASVS 2.1): at least 10 characters with letters and digits, not the
/// username, not a common password, and not the published demo password on a database that
/// is not a demo. The reason comes back in both languages, on the field `new_password`.
pub fn check_password_strength(
    password: &str,
    username: &str,
    demo_database: bool,
) -> Result<(), StoreError> {
    let refuse = |zh: &str, en: &str| Err(StoreError::invalid_text("new_password", zh, en));
    let long = password.chars().count() >= 10;
    let letter = password.chars().any(|c| c.is_alphabetic());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    if password.len() > 256 {
        return refuse(
            "密码过长（最多256字节）",
            "The password is too long (256 bytes at most)",
        );
    }
    if !(long && letter && digit) {
        return refuse(
            "密码至少10位，且须同时包含字母和数字",
            "The password needs at least 10 characters with both letters and digits",
        );
    }
    let lower = password.to_lowercase();
    let name = username.trim().to_lowercase();
    if !name.is_empty() && (lower == name || lower.contains(&name) && name.len() >= 4) {
        return refuse(
            "密码不能与用户名相同或包含用户名",
            "The password must not contain the username",
        );
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return refuse(
            "该密码过于常见，请另选一个",
            "This password is too common; choose another",
        );
    }
    if !demo_database && password == crate::demo::DEMO_PASSWORD {
        return refuse(
            "演示密码是公开的，不能用于正式账号",
            "The demo password is public and cannot be used for a real account",
        );
    }
    Ok(())
}

/// Checks a username: 3 to 32 characters of letters, digits, `_`, `-` and `.`.
pub fn check_username(username: &str) -> Result<String, StoreError> {
    let name = username.trim();
    let count = name.chars().count();
    if !(3..=32).contains(&count)
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err(StoreError::invalid_text(
            "username",
            "用户名应为3至32位字母、数字或 _ - .",
            "A username is 3 to 32 letters, digits, _, - or .",
        ));
    }
    Ok(name.to_owned())
}

/// Checks a display name: 2 to 100 characters, no control characters.
pub fn check_display_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if !(2..=100).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(StoreError::invalid_text(
            "display_name",
            "显示名应为2至100个字符",
            "The display name must be 2 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

/// Argon2id with the crate's default (OWASP) parameters; run off the async threads.
pub async fn hash_password(password: String) -> Result<String, StoreError> {
    let _slot = PASSWORD_WORK
        .acquire()
        .await
        .map_err(|e| StoreError::Key(format!("password hashing closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| StoreError::Key(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| StoreError::Key(format!("password hashing task failed: {e}")))?
}

/// Argon2 verifications running at once, at most. Each takes 19 MiB and a core for about
/// 50 ms; unbounded, a crowd of parallel bad sign-ins would take the server's memory
/// (hundreds of blocking threads × 19 MiB). Waiting here is the cost of guessing.
static PASSWORD_WORK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

async fn password_matches(password: String, hash: String) -> bool {
    let Ok(_slot) = PASSWORD_WORK.acquire().await else {
        return false;
    };
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

/// Inserts an account row as the demo generator and test fixtures make it: active, its
/// password chosen, no forced change. Returns the row, whose
/// [`ledger_state`](account::Model::ledger_state) the caller records when it writes through
/// a [`WriteTx`] (the demo does; [`bootstrap`] and the admin functions do it themselves).
pub async fn create(
    db: &impl ConnectionTrait,
    new: NewAccount,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    let hash = hash_password(new.password).await?;
    insert(
        db,
        new.username,
        hash,
        new.role,
        new.display_name,
        new.scope,
        now,
        |row| row,
    )
    .await
}

/// Inserts an account row; `shape` sets what differs from an active account with a chosen
/// password.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    db: &impl ConnectionTrait,
    username: String,
    password_hash: String,
    role: Role,
    display_name: String,
    scope: AccountScope,
    now: DateTime<Utc>,
    shape: impl FnOnce(account::Model) -> account::Model,
) -> Result<Account, StoreError> {
    let (person_id, enterprise_id, institution_id, region_code) = scope.columns();
    let model = shape(account::Model {
        id: Uuid::now_v7(),
        username,
        password_hash,
        role: role.code().to_owned(),
        display_name,
        person_id,
        enterprise_id,
        institution_id,
        region_code,
        created_at: now,
        password_changed_at: now,
        status: ACTIVE.to_owned(),
        must_change_password: false,
        totp_secret: None,
        totp_confirmed_at: None,
        totp_last_step: None,
        demo: false,
    });
    account::Entity::insert(account::ActiveModel::from(model.clone()))
        .exec(db)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => {
                StoreError::invalid_text("username", "该用户名已被使用", "This username is taken")
            }
            other => other,
        })?;
    Ok(model)
}

/// The ledger change for an account's new state (indexed under its enterprise, if any).
pub(crate) fn change(action: &'static str, account: &Account) -> Change {
    let change = Change::of(
        action,
        LedgerKey::Account(account.id),
        &account.ledger_state(),
    );
    match account.enterprise_id {
        Some(enterprise_id) => change.with_enterprise(enterprise_id),
        None => change,
    }
}

/// Writes `account` back and records it under `action`.
pub(crate) async fn save(
    tx: &mut WriteTx,
    action: &'static str,
    account: Account,
) -> Result<Account, StoreError> {
    let saved = account::ActiveModel::from(account.clone())
        .reset_all()
        .update(tx.conn())
        .await?;
    tx.record(change(action, &saved));
    Ok(saved)
}

/// A hash that no password matches: the account of a set-password link until it is used.
fn unusable_hash() -> Result<String, StoreError> {
    Ok(format!("!unset:{}", hex::encode(random_bytes::<16>()?)))
}

/// Random bits from the operating system (tokens, TOTP secrets).
fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    use rand::TryRngCore;
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(std::io::Error::other)?;
    Ok(bytes)
}

/// The stored form of a one-time token: its SM3 hash, hex.
pub(crate) fn token_hash(purpose: &str, token: &str) -> String {
    let mut hasher = Sm3::new();
    hasher.update(purpose.as_bytes());
    hasher.update(b":");
    hasher.update(token.as_bytes());
    hex::encode(hasher.finalize())
}

/// A fresh random token (256 bits, hex) and its row; the caller inserts the row.
pub(crate) fn new_token(
    purpose: &'static str,
    created_by: String,
    valid: TimeDelta,
    now: DateTime<Utc>,
) -> Result<(String, account_token::Model), StoreError> {
    let token = hex::encode(random_bytes::<32>()?);
    let row = account_token::Model {
        id: Uuid::now_v7(),
        purpose: purpose.to_owned(),
        token_hash: token_hash(purpose, &token),
        account_id: None,
        person_id: None,
        enterprise_id: None,
        attempts: 0,
        created_at: now,
        expires_at: now + valid,
        used_at: None,
        created_by,
    };
    Ok((token, row))
}

/// Issues a set-password link token for `account_id` inside `tx` (24 h, single use).
pub(crate) async fn issue_setup_token(
    tx: &WriteTx,
    account_id: Uuid,
    created_by: String,
) -> Result<String, StoreError> {
    let (token, mut row) = new_token("setup", created_by, SETUP_LINK_VALID, tx.at())?;
    row.account_id = Some(account_id);
    // An earlier link of the same account stops working.
    account_token::Entity::update_many()
        .col_expr(
            account_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(tx.at()),
        )
        .filter(account_token::Column::AccountId.eq(account_id))
        .filter(account_token::Column::Purpose.eq("setup"))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(tx.conn())
        .await?;
    account_token::Entity::insert(account_token::ActiveModel::from(row))
        .exec(tx.conn())
        .await?;
    Ok(token)
}

/// A live token of `purpose`: not used, not expired.
pub(crate) async fn live_token(
    db: &impl ConnectionTrait,
    purpose: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<account_token::Model, StoreError> {
    account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(token_hash(purpose, token.trim())))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
        .filter(|row| row.used_at.is_none() && row.expires_at > now)
        .ok_or_else(|| {
            StoreError::invalid_text(
                "token",
                "链接无效、已使用或已过期",
                "The link is invalid, already used or expired",
            )
        })
}

/// How an account was given its first password at the command line.
pub enum Credential {
    /// Read from stdin by the operator.
    Password(String),
    /// A one-time set-password link, printed for the operator to hand over.
    Link,
}

/// What `anpei account create` asks for.
pub struct Bootstrap {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: AccountScope,
    pub credential: Credential,
}

/// Creates an account from the command line (the first province administrator of a real
/// deployment, and any other). Refuses the demo usernames on a database that is not a demo:
/// only the demo generator makes those. Returns the account and, for [`Credential::Link`],
/// the token of its set-password link.
pub async fn bootstrap(
    store: &Store,
    new: Bootstrap,
    now: DateTime<Utc>,
) -> Result<(Account, Option<String>), StoreError> {
    let username = check_username(&new.username)?;
    let display_name = check_display_name(&new.display_name)?;
    let demo = is_demo_database(store.connection()).await?;
    if !demo && crate::demo::DEMO_USERNAMES.contains(&username.as_str()) {
        return Err(StoreError::invalid_text(
            "username",
            "这是演示账号的用户名，只有演示数据库才有",
            "This is a demo login's username; only a demo database has it",
        ));
    }
    check_scope(store.connection(), new.role, &new.scope).await?;
    let hash = match &new.credential {
        Credential::Password(password) => {
            check_password_strength(password, &username, demo)?;
            hash_password(password.clone()).await?
        }
        Credential::Link => unusable_hash()?,
    };
    let actor = Actor::system("命令行 account create");
    let mut tx = store.write(&actor, now).await?;
    let at = tx.at();
    let account = insert(
        tx.conn(),
        username,
        hash,
        new.role,
        display_name,
        new.scope,
        at,
        |row| row,
    )
    .await?;
    tx.record(change("account.create", &account));
    let token = match new.credential {
        Credential::Link => {
            Some(issue_setup_token(&tx, account.id, actor.display_name.clone()).await?)
        }
        Credential::Password(_) => None,
    };
    tx.commit().await?;
    Ok((account, token))
}

/// Whether a role and its scope fit together and the scope exists.
pub(crate) async fn check_scope(
    db: &impl ConnectionTrait,
    role: Role,
    scope: &AccountScope,
) -> Result<(), StoreError> {
    use crate::entity::{enterprise, institution, person};
    // Named by the form field that gives the scope, so that the page marks that field.
    let field = match scope {
        AccountScope::Region(_) => "region_code",
        AccountScope::Enterprise(_) | AccountScope::Institution(_) => "credit_code",
        AccountScope::Person(_) => "person",
    };
    let bad = |zh: &str, en: &str| Err(StoreError::invalid_text(field, zh, en));
    match (role, scope) {
        (Role::Worker, AccountScope::Person(id)) => {
            if person::Entity::find_by_id(*id).one(db).await?.is_none() {
                return bad("未找到该人员", "No such person");
            }
        }
        (Role::Enterprise, AccountScope::Enterprise(id)) => {
            if enterprise::Entity::find_by_id(*id).one(db).await?.is_none() {
                return bad("未找到该企业", "No such enterprise");
            }
        }
        (Role::Institution, AccountScope::Institution(id)) => {
            if institution::Entity::find_by_id(*id)
                .one(db)
                .await?
                .is_none()
            {
                return bad("未找到该培训机构", "No such institution");
            }
        }
        (Role::CityRegulator, AccountScope::Region(code)) => {
            if !anpei_domain::region::cities().any(|city| city.code == code) {
                return bad(
                    "市级监管账号须填写市（地）行政区划代码",
                    "A city regulator needs a city region code",
                );
            }
        }
        (Role::CountyRegulator, AccountScope::Region(code)) => {
            let county = anpei_domain::region::find(code)
                .is_some_and(|region| region.level == anpei_domain::region::RegionLevel::County);
            if !county {
                return bad(
                    "县级监管账号须填写县（市、区）行政区划代码",
                    "A county regulator needs a county region code",
                );
            }
        }
        (Role::ProvinceRegulator, AccountScope::Region(code)) => {
            if code != anpei_domain::region::PROVINCE_CODE {
                return bad(
                    "省级账号的行政区划应为本省",
                    "A province account's region is the province",
                );
            }
        }
        (Role::HrBureau, AccountScope::Region(code)) => {
            let known = code == anpei_domain::region::PROVINCE_CODE
                || anpei_domain::region::cities().any(|city| city.code == code);
            if !known {
                return bad(
                    "人社账号须填写本省或市（地）行政区划代码",
                    "An HR account needs the province's or a city's region code",
                );
            }
        }
        _ => return bad("角色与所属范围不匹配", "The role does not fit the scope"),
    }
    Ok(())
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

/// The account whose password this is, whatever its status (the sign-in decides what a
/// disabled or pending account gets; see [`sign_in_step`]).
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

/// What comes after a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInStep {
    /// Disabled: refused like a wrong password.
    Disabled,
    /// Awaiting approval (待审核): refused like a wrong password.
    Pending,
    /// A TOTP code is needed; `enrolled` is false at the first sign-in (enrolment first).
    SecondFactor { enrolled: bool },
    /// Signed in.
    Done,
}

/// Whether the account must give a TOTP code: regulators, HR bureaus and administrators,
/// except the demo's logins (their password is published; a second factor would only get
/// in the way of trying the demo) unless they enrolled one themselves; anyone enrolled.
pub fn needs_second_factor(account: &Account) -> bool {
    let by_role = matches!(
        Role::parse(&account.role),
        Some(
            Role::CityRegulator | Role::CountyRegulator | Role::ProvinceRegulator | Role::HrBureau
        )
    );
    account.totp_confirmed_at.is_some() || (by_role && !account.demo)
}

pub fn sign_in_step(account: &Account) -> SignInStep {
    match account.status.as_str() {
        ACTIVE => {}
        PENDING => return SignInStep::Pending,
        _ => return SignInStep::Disabled,
    }
    if needs_second_factor(account) {
        SignInStep::SecondFactor {
            enrolled: account.totp_confirmed_at.is_some(),
        }
    } else {
        SignInStep::Done
    }
}

/// What the enrolment screen shows once: the secret in base32 and its `otpauth://` URI.
#[derive(Clone)]
pub struct TotpEnrolment {
    pub secret: String,
    pub uri: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment(..)")
    }
}

/// The secret to enrol, made on first need and kept (unconfirmed, so not yet in force)
/// until a first code confirms it. Not ledgered: nothing the account may do has changed.
pub async fn totp_enrolment(store: &Store, account_id: Uuid) -> Result<TotpEnrolment, StoreError> {
    let db = store.connection();
    let row = account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.totp_confirmed_at.is_some() {
        return Err(StoreError::Forbidden);
    }
    let secret = match &row.totp_secret {
        Some(secret) => secret.clone(),
        None => {
            let secret = totp::base32(&random_bytes::<20>()?);
            account::Entity::update_many()
                .col_expr(
                    account::Column::TotpSecret,
                    sea_orm::sea_query::Expr::value(secret.clone()),
                )
                .filter(account::Column::Id.eq(account_id))
                .filter(account::Column::TotpSecret.is_null())
                .exec(db)
                .await?;
            // Another request may have been first: read back what is kept.
            account::Entity::find_by_id(account_id)
                .one(db)
                .await?
                .and_then(|row| row.totp_secret)
                .ok_or(StoreError::NotFound)?
        }
    };
    Ok(TotpEnrolment {
        uri: totp::otpauth_uri(&secret, &row.username),
        secret,
    })
}

/// Checks a TOTP code of the account; the first good code confirms the enrolment (ledgered
/// as `account.totp_enrolled`). A code is good once.
pub async fn check_totp(
    store: &Store,
    account_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let row = account::Entity::find_by_id(account_id)
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)?;
    let Some(secret) = row.totp_secret.as_deref().and_then(totp::from_base32) else {
        return Ok(false);
    };
    let Some(step) = totp::matching_step(&secret, code, now, row.totp_last_step) else {
        return Ok(false);
    };
    let actor = actor_of(&row).unwrap_or_else(|_| Actor::system(&row.username));
    let mut tx = store.write(&actor, now).await?;
    let at = tx.at();
    // Read again under the write lock: two requests with one code, one wins.
    let mut current = account::Entity::find_by_id(account_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    if current.totp_last_step.is_some_and(|last| last >= step) {
        return Ok(false);
    }
    current.totp_last_step = Some(step);
    if current.totp_confirmed_at.is_none() {
        current.totp_confirmed_at = Some(at);
        save(&mut tx, "account.totp_enrolled", current).await?;
    } else {
        account::ActiveModel {
            id: Set(account_id),
            totp_last_step: Set(Some(step)),
            ..Default::default()
        }
        .update(tx.conn())
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Changes the password of a signed-in account (and lifts a forced change), ledgered as
/// `account.password_changed` by the account itself.
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
    if current == new {
        return Err(StoreError::invalid_text(
            "new_password",
            "新密码不能与当前密码相同",
            "The new password must differ from the current one",
        ));
    }
    let demo = is_demo_database(db).await?;
    check_password_strength(new, &row.username, demo)?;
    let hash = hash_password(new.to_owned()).await?;
    let actor = actor_of(&row)?;
    let mut tx = store.write(&actor, now).await?;
    let mut account = account::Entity::find_by_id(account_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    account.password_hash = hash;
    account.password_changed_at = tx.at();
    account.must_change_password = false;
    save(&mut tx, "account.password_changed", account).await?;
    tx.commit().await?;
    Ok(())
}

/// The account a live set-password link is for (to show its username on the form).
pub async fn setup_link_account(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    let row = live_token(db, "setup", token, now).await?;
    let account = find(db, row.account_id.ok_or(StoreError::NotFound)?)
        .await?
        .ok_or(StoreError::NotFound)?;
    if account.status == DISABLED {
        return Err(StoreError::NotFound);
    }
    Ok(account)
}

/// Uses a set-password link: the password is set, the link spent, a forced change lifted;
/// ledgered as `account.password_reset_used`.
pub async fn use_setup_link(
    store: &Store,
    token: &str,
    new_password: &str,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    let db = store.connection();
    let account = setup_link_account(db, token, now).await?;
    check_password_strength(new_password, &account.username, is_demo_database(db).await?)?;
    let hash = hash_password(new_password.to_owned()).await?;
    let actor = actor_of(&account).unwrap_or_else(|_| Actor::system(&account.username));
    let mut tx = store.write(&actor, now).await?;
    // Spend the token under the write lock: a second use finds it used.
    let row = live_token(tx.conn(), "setup", token, tx.at()).await?;
    account_token::Entity::update_many()
        .col_expr(
            account_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(tx.at()),
        )
        .filter(account_token::Column::Id.eq(row.id))
        .exec(tx.conn())
        .await?;
    let mut account = find(tx.conn(), account.id)
        .await?
        .ok_or(StoreError::NotFound)?;
    account.password_hash = hash;
    account.password_changed_at = tx.at();
    account.must_change_password = false;
    let account = save(&mut tx, "account.password_reset_used", account).await?;
    tx.commit().await?;
    Ok(account)
}

/// The actor an account acts as. Fails for a row whose role or scope is inconsistent,
/// which the schema cannot rule out on its own, and for an account that is not active.
pub fn actor_of(account: &Account) -> Result<Actor, StoreError> {
    if account.status != ACTIVE {
        return Err(StoreError::Forbidden);
    }
    let role = Role::parse(&account.role).ok_or(StoreError::Forbidden)?;
    let scope = match role {
        Role::Worker => account.person_id.map(Scope::Person),
        Role::Enterprise => account.enterprise_id.map(Scope::Enterprise),
        Role::Institution => account.institution_id.map(Scope::Institution),
        Role::CityRegulator => account.region_code.clone().map(Scope::City),
        Role::CountyRegulator => account.region_code.clone().map(Scope::County),
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
