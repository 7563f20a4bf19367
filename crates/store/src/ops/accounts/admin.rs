//! Account administration by jurisdiction (SPEC C0): create, approve, disable and enable,
//! move (role and jurisdiction), reset the password by a one-time link, reset the second
//! factor. Every function takes the [`AccountAdmin`] capability and checks the account (and,
//! for creations and moves, the target) against it; out of reach is `NotFound` and writes
//! nothing. Each change is one transaction with its ledger entry.
//!
//! Self-registrations come as enterprises (`registration_requests`) and as training
//! institutions (`institution_registrations`). A pending institution account has no
//! institution yet, so [`AccountAdmin::reaches`] (which reaches institution accounts through
//! their institution's city) cannot place it: [`decides_institutions_of`] does, from the
//! registration's city.

use anpei_domain::{CreditCode, Industry, PersonName, Role};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    ACTIVE, Account, AccountScope, DISABLED, PENDING, change, check_display_name,
    check_password_strength, check_scope, check_username, hash_password, insert, is_demo_database,
    issue_setup_token, save, unusable_hash,
};
use crate::access::AccountAdmin;
use crate::entity::{account, enterprise, institution_registration, registration_request};
use crate::ledger::{Change, LedgerKey};
use crate::{Actor, Scope, Store, StoreError, WriteTx};

/// A new account made by an administrator.
pub struct NewAccountBy {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: AccountScope,
    /// An initial password (to be changed at first sign-in), or `None` for a one-time
    /// set-password link to hand over.
    pub initial_password: Option<String>,
}

/// The account and, when no initial password was given, its set-password link's token.
pub async fn create(
    store: &Store,
    actor: &Actor,
    admin: &AccountAdmin,
    new: NewAccountBy,
    now: DateTime<Utc>,
) -> Result<(Account, Option<String>), StoreError> {
    let db = store.connection();
    let username = check_username(&new.username)?;
    let display_name = check_display_name(&new.display_name)?;
    let demo = is_demo_database(db).await?;
    if !demo && crate::demo::DEMO_USERNAMES.contains(&username.as_str()) {
        return Err(StoreError::invalid_text(
            "username",
            "这是演示账号的用户名，只有演示数据库才有",
            "This is a demo login's username; only a demo database has it",
        ));
    }
    check_scope(db, new.role, &new.scope).await?;
    if !admin.may_create(db, new.role, &new.scope).await? {
        return Err(StoreError::Forbidden);
    }
    let hash = match &new.initial_password {
        Some(password) => {
            check_password_strength(password, &username, demo)?;
            hash_password(password.clone()).await?
        }
        None => unusable_hash()?,
    };
    let forced = new.initial_password.is_some();
    let mut tx = store.write(actor, now).await?;
    let at = tx.at();
    let account = insert(
        tx.conn(),
        username,
        hash,
        new.role,
        display_name,
        new.scope,
        at,
        |mut row| {
            row.must_change_password = forced;
            row
        },
    )
    .await?;
    tx.record(change("account.create", &account));
    let token = if forced {
        None
    } else {
        Some(issue_setup_token(&tx, account.id, actor.display_name.clone()).await?)
    };
    tx.commit().await?;
    Ok((account, token))
}

/// The account within reach, read inside the write.
async fn reachable(
    tx: &WriteTx,
    admin: &AccountAdmin,
    account_id: Uuid,
) -> Result<Account, StoreError> {
    if !admin.reaches(tx.conn(), account_id).await? {
        return Err(StoreError::NotFound);
    }
    account::Entity::find_by_id(account_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The holder's own account may not be disabled or moved by itself.
fn not_own(admin: &AccountAdmin, account_id: Uuid) -> Result<(), StoreError> {
    if admin.own_account() == Some(account_id) {
        return Err(StoreError::invalid_text(
            "account",
            "不能对自己的账号执行此操作",
            "You cannot do this to your own account",
        ));
    }
    Ok(())
}

/// Disables (`false`) or re-enables (`true`) an account.
pub async fn set_enabled(
    store: &Store,
    actor: &Actor,
    admin: &AccountAdmin,
    account_id: Uuid,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    not_own(admin, account_id)?;
    let mut tx = store.write(actor, now).await?;
    let mut account = reachable(&tx, admin, account_id).await?;
    if account.status == PENDING {
        return Err(StoreError::invalid_text(
            "status",
            "待审核的账号请先审核",
            "A pending account is approved or rejected first",
        ));
    }
    let (status, action) = if enabled {
        (ACTIVE, "account.enable")
    } else {
        (DISABLED, "account.disable")
    };
    if account.status == status {
        return Ok(account);
    }
    account.status = status.to_owned();
    let account = save(&mut tx, action, account).await?;
    tx.commit().await?;
    Ok(account)
}

/// Moves an account to another role or jurisdiction, both within the holder's reach.
pub async fn move_account(
    store: &Store,
    actor: &Actor,
    admin: &AccountAdmin,
    account_id: Uuid,
    role: Role,
    scope: AccountScope,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    not_own(admin, account_id)?;
    let db = store.connection();
    check_scope(db, role, &scope).await?;
    if !admin.may_create(db, role, &scope).await? {
        return Err(StoreError::Forbidden);
    }
    let mut tx = store.write(actor, now).await?;
    let mut account = reachable(&tx, admin, account_id).await?;
    if account.status == PENDING || Role::parse(&account.role) == Some(Role::Worker) {
        return Err(StoreError::Forbidden);
    }
    let (person_id, enterprise_id, institution_id, region_code) = scope.columns();
    account.role = role.code().to_owned();
    account.person_id = person_id;
    account.enterprise_id = enterprise_id;
    account.institution_id = institution_id;
    account.region_code = region_code;
    let account = save(&mut tx, "account.move", account).await?;
    tx.commit().await?;
    Ok(account)
}

/// Issues a one-time password-reset link (24 h) for an account within reach; the token is
/// shown once to the administrator to hand over. Ledgered as
/// `account.password_reset_issued` (the account's state, not the token).
pub async fn issue_reset(
    store: &Store,
    actor: &Actor,
    admin: &AccountAdmin,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let mut tx = store.write(actor, now).await?;
    let account = reachable(&tx, admin, account_id).await?;
    if account.status != ACTIVE {
        return Err(StoreError::invalid_text(
            "status",
            "只能为已启用的账号重置密码",
            "Only an active account's password can be reset",
        ));
    }
    let token = issue_setup_token(&tx, account.id, actor.display_name.clone()).await?;
    tx.record(change("account.password_reset_issued", &account));
    tx.commit().await?;
    Ok(token)
}

/// Clears an account's second factor: it enrols again at its next sign-in.
pub async fn reset_totp(
    store: &Store,
    actor: &Actor,
    admin: &AccountAdmin,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    let mut tx = store.write(actor, now).await?;
    let mut account = reachable(&tx, admin, account_id).await?;
    account.totp_secret = None;
    account.totp_confirmed_at = None;
    account.totp_last_step = None;
    let account = save(&mut tx, "account.totp_reset", account).await?;
    tx.commit().await?;
    Ok(account)
}

/// Whether the holder decides the institution registrations of `city_code`: the province
/// (and system tools) all, a city regulator its own city's; nobody else, as only they may
/// make institution accounts. Read from the actor's scope because the capability places
/// institution accounts by their institution, which a pending registration does not have.
pub fn decides_institutions_of(actor: &Actor, admin: &AccountAdmin, city_code: &str) -> bool {
    let by_scope = match &actor.scope {
        Scope::Province | Scope::System => true,
        Scope::City(city) => city == city_code,
        _ => false,
    };
    by_scope
        && admin.approves_registrations()
        && admin.creatable_roles().contains(&Role::Institution)
}

/// The institution registration of `account_id` and its account, if the account is one;
/// `NotFound` when the holder does not decide it.
async fn institution_request(
    tx: &WriteTx,
    actor: &Actor,
    admin: &AccountAdmin,
    account_id: Uuid,
) -> Result<Option<(Account, institution_registration::Model)>, StoreError> {
    let Some(request) = institution_registration::Entity::find()
        .filter(institution_registration::Column::AccountId.eq(account_id))
        .one(tx.conn())
        .await?
    else {
        return Ok(None);
    };
    if !decides_institutions_of(actor, admin, &request.city_code) {
        return Err(StoreError::NotFound);
    }
    let account = account::Entity::find_by_id(account_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    if account.status != PENDING || request.status != "pending" {
        return Err(not_pending());
    }
    Ok(Some((account, request)))
}

fn not_pending() -> StoreError {
    StoreError::invalid_text(
        "status",
        "该账号不在待审核状态",
        "This account is not awaiting approval",
    )
}

/// Approves a self-registered institution inside `tx`: the institution is created from the
/// registration (ledgered as `institution.create`) unless one with its credit code is on
/// record, which the account then joins if the holder reaches it.
async fn approve_institution(
    tx: &mut WriteTx,
    actor: &Actor,
    admin: &AccountAdmin,
    mut account: Account,
    request: institution_registration::Model,
) -> Result<Account, StoreError> {
    use crate::entity::institution;
    let at = tx.at();
    let existing = institution::Entity::find()
        .filter(institution::Column::CreditCode.eq(request.credit_code.clone()))
        .one(tx.conn())
        .await?;
    let institution_id = match existing {
        Some(row) => {
            let scope = super::AccountScope::Institution(row.id);
            if !admin
                .may_create(tx.conn(), Role::Institution, &scope)
                .await?
            {
                return Err(StoreError::invalid_text(
                    "credit_code",
                    "该统一社会信用代码的培训机构已在其他市（地）登记，请由其所在市（地）或省厅处理",
                    "An institution with this credit code is on record in another city; its city or the province decides",
                ));
            }
            row.id
        }
        None => {
            let model = institution::Model {
                id: Uuid::now_v7(),
                credit_code: request.credit_code.clone(),
                name: request.name.clone(),
                region_code: request.region_code.clone(),
                city_code: request.city_code.clone(),
                created_at: at,
                hr_catalogue_since: None,
            };
            institution::Entity::insert(institution::ActiveModel::from(model.clone()))
                .exec(tx.conn())
                .await?;
            tx.record(Change::of(
                "institution.create",
                LedgerKey::Institution(model.id),
                &model,
            ));
            model.id
        }
    };
    account.institution_id = Some(institution_id);
    account.region_code = None;
    account.status = ACTIVE.to_owned();
    account.must_change_password = true;
    let account = save(tx, "account.approve", account).await?;
    decide_institution(tx, request.id, "approved", actor).await?;
    Ok(account)
}

async fn decide_institution(
    tx: &WriteTx,
    request_id: Uuid,
    status: &str,
    actor: &Actor,
) -> Result<(), StoreError> {
    institution_registration::Entity::update(institution_registration::ActiveModel {
        id: Set(request_id),
        status: Set(status.to_owned()),
        decided_at: Set(Some(tx.at())),
        decided_by: Set(Some(actor.display_name.clone())),
        ..Default::default()
    })
    .exec(tx.conn())
    .await?;
    Ok(())
}

/// Approves a self-registration. An enterprise: the enterprise is created from its
/// registration when no enterprise has its credit code yet (else the account joins that
/// one). An institution: likewise its institution. Either way the account becomes active
/// and must change its password at first sign-in; one transaction with its ledger entries.
pub async fn approve(
    store: &Store,
    actor: &Actor,
    admin: &AccountAdmin,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    if !admin.approves_registrations() {
        return Err(StoreError::Forbidden);
    }
    let mut tx = store.write(actor, now).await?;
    let at = tx.at();
    if let Some((account, request)) = institution_request(&tx, actor, admin, account_id).await? {
        let account = approve_institution(&mut tx, actor, admin, account, request).await?;
        tx.commit().await?;
        return Ok(account);
    }
    let mut account = reachable(&tx, admin, account_id).await?;
    let request = registration_request::Entity::find()
        .filter(registration_request::Column::AccountId.eq(account_id))
        .one(tx.conn())
        .await?;
    let (Some(request), true) = (request, account.status == PENDING) else {
        return Err(not_pending());
    };
    let existing = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(request.credit_code.clone()))
        .one(tx.conn())
        .await?;
    let enterprise_id = match existing {
        // A registration may name an enterprise already on record, but only one the
        // approver regulates: the region a registrant typed must not let a city hand out
        // an account of another city's enterprise.
        Some(row) => {
            let scope = AccountScope::Enterprise(row.id);
            if !admin
                .may_create(tx.conn(), Role::Enterprise, &scope)
                .await?
            {
                return Err(StoreError::invalid_text(
                    "credit_code",
                    "该统一社会信用代码的企业已在其他辖区登记，应由其所在地监管部门审核；请驳回本申请",
                    "An enterprise with this credit code is on record in another jurisdiction: \
                     its own regulator must approve it; reject this registration",
                ));
            }
            row.id
        }
        None => {
            let model = enterprise::Model {
                id: Uuid::now_v7(),
                credit_code: request.credit_code.clone(),
                name: request.enterprise_name.clone(),
                industry: request.industry.clone(),
                region_code: request.region_code.clone(),
                city_code: request.city_code.clone(),
                legal_representative: request.legal_representative.clone(),
                created_at: at,
                updated_at: at,
            };
            enterprise::Entity::insert(enterprise::ActiveModel::from(model.clone()))
                .exec(tx.conn())
                .await?;
            tx.record(Change::of(
                "enterprise.create",
                LedgerKey::Enterprise(model.id),
                &model,
            ));
            model.id
        }
    };
    account.enterprise_id = Some(enterprise_id);
    account.status = ACTIVE.to_owned();
    account.must_change_password = true;
    let account = save(&mut tx, "account.approve", account).await?;
    decide(&tx, request.id, "approved", actor).await?;
    tx.commit().await?;
    Ok(account)
}

/// Rejects a self-registration: the account stays, disabled, so the username is not reused
/// silently and the decision is on record.
pub async fn reject(
    store: &Store,
    actor: &Actor,
    admin: &AccountAdmin,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Account, StoreError> {
    if !admin.approves_registrations() {
        return Err(StoreError::Forbidden);
    }
    let mut tx = store.write(actor, now).await?;
    if let Some((mut account, request)) = institution_request(&tx, actor, admin, account_id).await?
    {
        account.status = DISABLED.to_owned();
        let account = save(&mut tx, "account.reject", account).await?;
        decide_institution(&tx, request.id, "rejected", actor).await?;
        tx.commit().await?;
        return Ok(account);
    }
    let mut account = reachable(&tx, admin, account_id).await?;
    let request = registration_request::Entity::find()
        .filter(registration_request::Column::AccountId.eq(account_id))
        .one(tx.conn())
        .await?;
    let (Some(request), true) = (request, account.status == PENDING) else {
        return Err(not_pending());
    };
    account.status = DISABLED.to_owned();
    let account = save(&mut tx, "account.reject", account).await?;
    decide(&tx, request.id, "rejected", actor).await?;
    tx.commit().await?;
    Ok(account)
}

async fn decide(
    tx: &WriteTx,
    request_id: Uuid,
    status: &str,
    actor: &Actor,
) -> Result<(), StoreError> {
    registration_request::Entity::update(registration_request::ActiveModel {
        id: Set(request_id),
        status: Set(status.to_owned()),
        decided_at: Set(Some(tx.at())),
        decided_by: Set(Some(actor.display_name.clone())),
        ..Default::default()
    })
    .exec(tx.conn())
    .await?;
    Ok(())
}

/// One row of the account list.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub status: String,
    pub region_code: Option<String>,
    pub enterprise_id: Option<Uuid>,
    pub institution_id: Option<Uuid>,
    pub must_change_password: bool,
    pub totp_enrolled: bool,
    pub created_at: DateTime<Utc>,
    /// For a self-registration: what the enterprise or institution said about itself.
    pub registration: Option<Registration>,
}

/// Who registered themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationKind {
    Enterprise,
    Institution,
}

/// A self-registration as the approving regulator sees it.
#[derive(Debug, Clone)]
pub struct Registration {
    pub kind: RegistrationKind,
    pub credit_code: String,
    /// The enterprise's or institution's name.
    pub name: String,
    /// Enterprises only.
    pub industry: Option<String>,
    pub region_code: String,
    /// Enterprises only.
    pub legal_representative: Option<String>,
    /// The safety manager (enterprise) or contact person (institution) who uses the account.
    pub contact_name: String,
    /// Masked (`170****1928`).
    pub contact_phone: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
}

fn masked_phone(phone: &str) -> String {
    anpei_domain::Phone::parse(phone)
        .map(|p| p.masked())
        .unwrap_or_else(|_| "***".to_owned())
}

/// What the list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Words in the username or display name.
    pub q: Option<String>,
    pub status: Option<String>,
    pub role: Option<Role>,
}

/// List sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountSort {
    #[default]
    Newest,
    Username,
    Name,
    Status,
}

/// The accounts within reach, filtered, sorted and paged (1-based `page`).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    admin: &AccountAdmin,
    filter: &AccountFilter,
    sort: AccountSort,
    page: u64,
    per_page: u64,
) -> Result<crate::read::Page<AccountRow>, StoreError> {
    let (page, per_page) = crate::read::clamp(page, per_page);
    // Institution registrations the holder decides (a few hundred in a province at most):
    // their accounts are listed with the ones the capability reaches.
    let decided: Vec<Uuid> = institution_registration::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|row| decides_institutions_of(actor, admin, &row.city_code))
        .map(|row| row.account_id)
        .collect();
    let reach = if decided.is_empty() {
        admin.account_filter()
    } else {
        admin
            .account_filter()
            .or(Expr::col((account::Entity, account::Column::Id)).is_in(decided))
    };
    let mut query = account::Entity::find().filter(reach);
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace(['%', '_'], ""));
        query = query.filter(
            Expr::col(account::Column::Username)
                .like(pattern.clone())
                .or(Expr::col(account::Column::DisplayName).like(pattern)),
        );
    }
    if let Some(status) = &filter.status {
        query = query.filter(account::Column::Status.eq(status.clone()));
    }
    if let Some(role) = filter.role {
        query = query.filter(account::Column::Role.eq(role.code()));
    }
    let total = query.clone().count(db).await?;
    let query = match sort {
        AccountSort::Newest => query.order_by_desc(account::Column::CreatedAt),
        AccountSort::Username => query.order_by_asc(account::Column::Username),
        AccountSort::Name => query.order_by_asc(account::Column::DisplayName),
        AccountSort::Status => query.order_by_desc(account::Column::Status),
    }
    .order_by_asc(account::Column::Id);
    let rows = query
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut registrations: std::collections::HashMap<Uuid, Registration> =
        registration_request::Entity::find()
            .filter(registration_request::Column::AccountId.is_in(ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.account_id,
                    Registration {
                        kind: RegistrationKind::Enterprise,
                        contact_phone: masked_phone(&r.manager_phone),
                        credit_code: r.credit_code,
                        name: r.enterprise_name,
                        industry: Some(r.industry),
                        region_code: r.region_code,
                        legal_representative: Some(r.legal_representative),
                        contact_name: r.manager_name,
                        status: r.status,
                    },
                )
            })
            .collect();
    registrations.extend(
        institution_registration::Entity::find()
            .filter(institution_registration::Column::AccountId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.account_id,
                    Registration {
                        kind: RegistrationKind::Institution,
                        contact_phone: masked_phone(&r.contact_phone),
                        credit_code: r.credit_code,
                        name: r.name,
                        industry: None,
                        region_code: r.region_code,
                        legal_representative: None,
                        contact_name: r.contact_name,
                        status: r.status,
                    },
                )
            }),
    );
    let rows = rows
        .into_iter()
        .filter_map(|row| {
            let role = Role::parse(&row.role)?;
            let registration = registrations.remove(&row.id);
            Some(AccountRow {
                id: row.id,
                username: row.username,
                display_name: row.display_name,
                role,
                status: row.status,
                region_code: row.region_code,
                enterprise_id: row.enterprise_id,
                institution_id: row.institution_id,
                must_change_password: row.must_change_password,
                totp_enrolled: row.totp_confirmed_at.is_some(),
                created_at: row.created_at,
                registration,
            })
        })
        .collect();
    Ok(crate::read::Page {
        items: rows,
        total,
        page,
        per_page,
    })
}

/// Parsed pieces of a registration, for [`super::signup::register_enterprise`].
pub struct EnterpriseIdentity {
    pub credit_code: CreditCode,
    pub name: String,
    pub industry: Industry,
    pub region_code: String,
    pub legal_representative: PersonName,
}

/// The scope an administrator names on a form or in a request: a region code for regulator
/// and HR accounts, a credit code for enterprise and institution accounts (an enterprise
/// holder's own enterprise when it names none).
pub async fn scope_from_form(
    db: &impl ConnectionTrait,
    admin: &AccountAdmin,
    role: Role,
    region_code: Option<&str>,
    credit_code: Option<&str>,
) -> Result<AccountScope, StoreError> {
    use crate::entity::institution;
    let credit = || -> Result<String, StoreError> {
        let text = credit_code.map(str::trim).unwrap_or_default();
        CreditCode::parse(text)
            .map(|code| code.as_str().to_owned())
            .map_err(|e| StoreError::invalid("credit_code", &e))
    };
    match role {
        Role::CityRegulator | Role::CountyRegulator | Role::ProvinceRegulator | Role::HrBureau => {
            let code = region_code.map(str::trim).unwrap_or_default();
            if code.is_empty() {
                return Err(StoreError::invalid_text(
                    "region_code",
                    "请选择所属行政区划",
                    "Choose the region",
                ));
            }
            Ok(AccountScope::Region(code.to_owned()))
        }
        Role::Enterprise => {
            if let (Some(own), true) = (
                admin.own_enterprise(),
                credit_code.is_none_or(|c| c.trim().is_empty()),
            ) {
                return Ok(AccountScope::Enterprise(own));
            }
            let code = credit()?;
            enterprise::Entity::find()
                .filter(enterprise::Column::CreditCode.eq(code))
                .one(db)
                .await?
                .map(|row| AccountScope::Enterprise(row.id))
                .ok_or_else(|| {
                    StoreError::invalid_text(
                        "credit_code",
                        "未找到该统一社会信用代码的企业",
                        "No enterprise has this credit code",
                    )
                })
        }
        Role::Institution => {
            let code = credit()?;
            institution::Entity::find()
                .filter(institution::Column::CreditCode.eq(code))
                .one(db)
                .await?
                .map(|row| AccountScope::Institution(row.id))
                .ok_or_else(|| {
                    StoreError::invalid_text(
                        "credit_code",
                        "未找到该统一社会信用代码的培训机构",
                        "No institution has this credit code",
                    )
                })
        }
        Role::Worker => Err(StoreError::invalid_text(
            "role",
            "从业人员账号由本人注册或经用人单位邀请",
            "Workers sign up themselves or are invited by their employer",
        )),
    }
}
