//! Accounts people make for themselves (SPEC C0): an enterprise registers with its credit
//! code and a named safety manager, a training institution with its credit code and a named
//! contact person (both pending until the city regulator approves, see
//! [`super::admin::approve`]); a worker signs up with name, ID number and a code sent to
//! the phone on record, or through an employer's one-time invitation. The worker account is
//! tied to the person already on record: name and ID number must agree.
//!
//! Phone codes cost money and reach a person's phone, so a person gets at most one a minute
//! and five a day ([`phone_code_wait`]), counted from the `account_tokens` rows that record
//! every code sent; the web layer adds a per-address limit in memory.

use anpei_domain::{CreditCode, IdNumber, PersonName, Phone, Role};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use super::admin::EnterpriseIdentity;
use super::{
    AccountScope, PENDING, change, check_display_name, check_password_strength, check_username,
    hash_password, insert, is_demo_database, live_token, new_token, token_hash,
};
use crate::access::EnterpriseStaffWrite;
use crate::entity::{
    account, account_token, institution_registration, person, person_identity, registration_request,
};
use crate::{Actor, Store, StoreError};

/// How long a phone code is good for, and how many wrong tries it takes.
pub const PHONE_CODE_VALID: TimeDelta = TimeDelta::minutes(10);
const PHONE_CODE_TRIES: i32 = 5;
/// How long an employer's invitation is good for.
pub const INVITATION_VALID: TimeDelta = TimeDelta::days(7);
/// A person gets at most one phone code in this long…
pub const PHONE_CODE_GAP: TimeDelta = TimeDelta::seconds(60);
/// …and at most [`PHONE_CODES_PER_WINDOW`] in this long.
pub const PHONE_CODE_WINDOW: TimeDelta = TimeDelta::hours(24);
pub const PHONE_CODES_PER_WINDOW: usize = 5;

/// An enterprise's self-registration.
pub struct EnterpriseRegistration {
    pub enterprise: EnterpriseIdentity,
    pub manager_name: PersonName,
    pub manager_phone: Phone,
    pub username: String,
    pub password: String,
}

/// Registers an enterprise and its safety manager's account, pending (待审核) until the city
/// regulator of its region approves. Returns the pending account's id.
pub async fn register_enterprise(
    store: &Store,
    registration: EnterpriseRegistration,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let db = store.connection();
    let username = check_username(&registration.username)?;
    refuse_demo_username(db, &username).await?;
    check_password_strength(
        &registration.password,
        &username,
        is_demo_database(db).await?,
    )?;
    let identity = registration.enterprise;
    let county = anpei_domain::region::find(&identity.region_code).ok_or_else(|| {
        StoreError::invalid_text("region_code", "未知的行政区划代码", "Unknown region code")
    })?;
    let city = anpei_domain::region::city_of(county.code).ok_or_else(|| {
        StoreError::invalid_text(
            "region_code",
            "应填写市或县级行政区划",
            "Give a city or county region",
        )
    })?;
    let name = crate::ops::enterprises::parse_enterprise_name(&identity.name)?;
    let display_name =
        check_display_name(&format!("{name} {}", registration.manager_name.as_str()))?;
    let hash = hash_password(registration.password).await?;
    let mut tx = store.write(&Actor::system("企业自助注册"), now).await?;
    let at = tx.at();
    let account = insert(
        tx.conn(),
        username,
        hash,
        Role::Enterprise,
        display_name,
        // Until approval the account has no enterprise; its region routes it to the city.
        AccountScope::Region(county.code.to_owned()),
        at,
        |mut row| {
            row.status = PENDING.to_owned();
            row
        },
    )
    .await?;
    registration_request::Entity::insert(registration_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        credit_code: Set(identity.credit_code.as_str().to_owned()),
        enterprise_name: Set(name),
        industry: Set(identity.industry.code().to_owned()),
        region_code: Set(county.code.to_owned()),
        city_code: Set(city.code.to_owned()),
        legal_representative: Set(identity.legal_representative.as_str().to_owned()),
        manager_name: Set(registration.manager_name.as_str().to_owned()),
        manager_phone: Set(registration.manager_phone.as_str().to_owned()),
        status: Set("pending".to_owned()),
        created_at: Set(at),
        decided_at: Set(None),
        decided_by: Set(None),
    })
    .exec(tx.conn())
    .await?;
    tx.record(change("account.register", &account));
    tx.commit().await?;
    Ok(account.id)
}

/// A training institution's self-registration.
pub struct InstitutionRegistration {
    pub credit_code: CreditCode,
    pub name: String,
    /// A city, or a county of one.
    pub region_code: String,
    pub contact_name: PersonName,
    pub contact_phone: Phone,
    pub username: String,
    pub password: String,
}

/// Checks an institution's name: 2 to 100 characters, no control characters.
fn institution_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if !(2..=100).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(StoreError::invalid_text(
            "institution_name",
            "机构名称应为2至100个字符",
            "The institution name must be 2 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

/// Registers a training institution and its contact person's account, pending (待审核)
/// until the city regulator of its city (or the province) approves; approval creates the
/// institution. Returns the pending account's id.
pub async fn register_institution(
    store: &Store,
    registration: InstitutionRegistration,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let db = store.connection();
    let name = institution_name(&registration.name)?;
    let region = anpei_domain::region::find(registration.region_code.trim()).ok_or_else(|| {
        StoreError::invalid_text(
            "region_code",
            "请选择所在市（地）或区县",
            "Choose the city or county",
        )
    })?;
    let city = anpei_domain::region::city_of(region.code).ok_or_else(|| {
        StoreError::invalid_text(
            "region_code",
            "应选择市（地）或区县，而不是全省",
            "Choose a city or county, not the province",
        )
    })?;
    let username = check_username(&registration.username)?;
    refuse_demo_username(db, &username).await?;
    check_password_strength(
        &registration.password,
        &username,
        is_demo_database(db).await?,
    )?;
    let pending_same_code = institution_registration::Entity::find()
        .filter(institution_registration::Column::CreditCode.eq(registration.credit_code.as_str()))
        .filter(institution_registration::Column::Status.eq("pending"))
        .count(db)
        .await?;
    if pending_same_code > 0 {
        return Err(StoreError::invalid_text(
            "credit_code",
            "该统一社会信用代码已有一份待审核的注册申请",
            "A registration with this credit code is already awaiting approval",
        ));
    }
    let display_name =
        check_display_name(&format!("{name} {}", registration.contact_name.as_str()))?;
    let hash = hash_password(registration.password).await?;
    let mut tx = store.write(&Actor::system("培训机构自助注册"), now).await?;
    let at = tx.at();
    let account = insert(
        tx.conn(),
        username,
        hash,
        Role::Institution,
        display_name,
        // Until approval the account has no institution; its region routes it to the city.
        AccountScope::Region(region.code.to_owned()),
        at,
        |mut row| {
            row.status = PENDING.to_owned();
            row
        },
    )
    .await?;
    institution_registration::Entity::insert(institution_registration::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        credit_code: Set(registration.credit_code.as_str().to_owned()),
        name: Set(name),
        region_code: Set(region.code.to_owned()),
        city_code: Set(city.code.to_owned()),
        contact_name: Set(registration.contact_name.as_str().to_owned()),
        contact_phone: Set(registration.contact_phone.as_str().to_owned()),
        status: Set("pending".to_owned()),
        created_at: Set(at),
        decided_at: Set(None),
        decided_by: Set(None),
    })
    .exec(tx.conn())
    .await?;
    tx.record(change("account.register", &account));
    tx.commit().await?;
    Ok(account.id)
}

async fn refuse_demo_username(db: &impl ConnectionTrait, username: &str) -> Result<(), StoreError> {
    if crate::demo::DEMO_USERNAMES.contains(&username) && !is_demo_database(db).await? {
        return Err(StoreError::invalid_text(
            "username",
            "这是演示账号的用户名，只有演示数据库才有",
            "This is a demo login's username; only a demo database has it",
        ));
    }
    Ok(())
}

/// The person on record with this ID number and name, without an account yet.
async fn person_on_record(
    db: &impl ConnectionTrait,
    name: &PersonName,
    id_number: &IdNumber,
) -> Result<person::Model, StoreError> {
    let not_on_record = || {
        StoreError::invalid_text(
            "id_number",
            "姓名与身份证号未能匹配到在册人员，请核对，或请用人单位邀请",
            "No person on record has this name and ID number; check them, or ask your employer for an invitation",
        )
    };
    let identity = person_identity::Entity::find_by_id(id_number.as_str().to_owned())
        .one(db)
        .await?
        .ok_or_else(not_on_record)?;
    let person = person::Entity::find_by_id(identity.person_id)
        .one(db)
        .await?
        .ok_or_else(not_on_record)?;
    if person.name != name.as_str() {
        return Err(not_on_record());
    }
    refuse_second_account(db, person.id).await?;
    Ok(person)
}

/// Whether the person already has an account (an employer offers an invitation only to
/// those who have none).
pub async fn has_account(db: &impl ConnectionTrait, person_id: Uuid) -> Result<bool, StoreError> {
    Ok(account::Entity::find()
        .filter(account::Column::PersonId.eq(person_id))
        .count(db)
        .await?
        > 0)
}

async fn refuse_second_account(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<(), StoreError> {
    if has_account(db, person_id).await? {
        return Err(StoreError::invalid_text(
            "id_number",
            "此人已有账号，请直接登录（忘记密码请联系用人单位或监管部门重置）",
            "This person already has an account; sign in (ask for a reset if the password is lost)",
        ));
    }
    Ok(())
}

/// What a phone-code request produced: where the code went (masked) and the code itself,
/// which the caller shows nowhere but the server's terminal when no SMS gateway runs.
pub struct PhoneCode {
    pub masked_phone: String,
    pub code: String,
}

impl std::fmt::Debug for PhoneCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneCode")
            .field("masked_phone", &self.masked_phone)
            .finish_non_exhaustive()
    }
}

/// What a phone-code request got: the code went out, or the person must wait this long.
#[derive(Debug)]
pub enum PhoneCodeAnswer {
    Sent(PhoneCode),
    /// Refused, nothing sent: a code went out less than a minute ago, or five in a day.
    Wait(TimeDelta),
}

/// How long a person must wait before another code may go out, given when their codes went
/// out (any order, any age): until a minute after the last one, and, with
/// [`PHONE_CODES_PER_WINDOW`] in the last [`PHONE_CODE_WINDOW`], until the oldest of those
/// leaves the window. `None`: a code may go out now.
pub fn phone_code_wait(sent: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<TimeDelta> {
    let mut recent: Vec<DateTime<Utc>> = sent
        .iter()
        .copied()
        .filter(|at| *at > now - PHONE_CODE_WINDOW)
        .collect();
    recent.sort();
    let gap = recent.last().map(|last| *last + PHONE_CODE_GAP - now);
    let daily = recent
        .len()
        .checked_sub(PHONE_CODES_PER_WINDOW)
        .map(|oldest| recent[oldest] + PHONE_CODE_WINDOW - now);
    gap.into_iter()
        .chain(daily)
        .max()
        .filter(|wait| *wait > TimeDelta::zero())
}

/// Sends a 6-digit sign-up code to the phone on record of the person with this name and
/// ID number (the typed phone must be that one), through the notification outbox (10 min),
/// unless the person had one within a minute or five within a day ([`phone_code_wait`],
/// checked under the write lock, so that two requests at once cannot both pass).
pub async fn request_phone_code(
    store: &Store,
    name: &PersonName,
    id_number: &IdNumber,
    phone: &Phone,
    now: DateTime<Utc>,
) -> Result<PhoneCodeAnswer, StoreError> {
    let db = store.connection();
    let person = person_on_record(db, name, id_number).await?;
    if person.phone.as_deref() != Some(phone.as_str()) {
        return Err(StoreError::invalid_text(
            "phone",
            "手机号与在册信息不符，请请用人单位更正或邀请",
            "The phone is not the one on record; ask your employer to correct it or to invite you",
        ));
    }
    let code = {
        use rand::TryRngCore;
        let mut bytes = [0u8; 4];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(std::io::Error::other)?;
        format!("{:06}", u32::from_be_bytes(bytes) % 1_000_000)
    };
    let tx = store.write(&Actor::system("从业人员注册"), now).await?;
    let at = tx.at();
    let sent: Vec<DateTime<Utc>> = account_token::Entity::find()
        .filter(account_token::Column::PersonId.eq(person.id))
        .filter(account_token::Column::Purpose.eq("phone_code"))
        .filter(account_token::Column::CreatedAt.gt(at - PHONE_CODE_WINDOW))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|row| row.created_at)
        .collect();
    if let Some(wait) = phone_code_wait(&sent, at) {
        return Ok(PhoneCodeAnswer::Wait(wait));
    }
    // An earlier code of the person stops working.
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(at))
        .filter(account_token::Column::PersonId.eq(person.id))
        .filter(account_token::Column::Purpose.eq("phone_code"))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(tx.conn())
        .await?;
    account_token::Entity::insert(account_token::ActiveModel::from(account_token::Model {
        id: Uuid::now_v7(),
        purpose: "phone_code".to_owned(),
        token_hash: token_hash("phone_code", &format!("{}:{code}", person.id)),
        account_id: None,
        person_id: Some(person.id),
        enterprise_id: None,
        attempts: 0,
        created_at: at,
        expires_at: at + PHONE_CODE_VALID,
        used_at: None,
        created_by: "worker sign-up".to_owned(),
    }))
    .exec(tx.conn())
    .await?;
    queue_sms(tx.conn(), person.id, &code, at).await?;
    tx.commit().await?;
    Ok(PhoneCodeAnswer::Sent(PhoneCode {
        masked_phone: phone.masked(),
        code,
    }))
}

/// The code as a notice to the person, queued once for the SMS gateway (which resolves the
/// number from the person's record, as for every outbox message).
async fn queue_sms(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    code: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let notice_id = Uuid::now_v7();
    let custom = |e: sea_orm::sea_query::error::Error| sea_orm::DbErr::Custom(e.to_string());
    let mut notice = Query::insert();
    notice
        .into_table("notifications")
        .columns([
            "id",
            "recipient_kind",
            "recipient_id",
            "person_id",
            "kind",
            "dedupe_key",
            "title_zh",
            "title_en",
            "body_zh",
            "body_en",
            "link",
            "created_at",
        ])
        .values(vec![
            SimpleExpr::from(notice_id),
            "person".into(),
            person_id.into(),
            person_id.into(),
            "signup_code".into(),
            format!("signup_code:{notice_id}").into(),
            "安培注册验证码".into(),
            "Anpei sign-up code".into(),
            format!("您的安培注册验证码是 {code}，10分钟内有效。如非本人操作，请忽略。").into(),
            format!("Your Anpei sign-up code is {code}, valid for 10 minutes.").into(),
            "/register/worker".into(),
            at.into(),
        ])
        .map_err(custom)?;
    db.execute(&notice).await?;
    let mut outbox = Query::insert();
    outbox
        .into_table("notification_outbox")
        .columns([
            "id",
            "notification_id",
            "channel",
            "recipient_kind",
            "recipient_id",
            "created_at",
            "attempts",
        ])
        .values(vec![
            SimpleExpr::from(Uuid::now_v7()),
            notice_id.into(),
            "sms".into(),
            "person".into(),
            person_id.into(),
            at.into(),
            0i32.into(),
        ])
        .map_err(custom)?;
    db.execute(&outbox).await?;
    Ok(())
}

/// A worker's chosen login.
pub struct WorkerLogin {
    pub username: String,
    pub password: String,
}

/// Completes a worker's sign-up with the phone code: the worker account of the person on
/// record, active, ledgered as `account.create`.
pub async fn complete_worker_signup(
    store: &Store,
    name: &PersonName,
    id_number: &IdNumber,
    code: &str,
    login: WorkerLogin,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let db = store.connection();
    let person = person_on_record(db, name, id_number).await?;
    let username = check_username(&login.username)?;
    refuse_demo_username(db, &username).await?;
    check_password_strength(&login.password, &username, is_demo_database(db).await?)?;
    let wrong = || {
        StoreError::invalid_text(
            "code",
            "验证码不正确或已过期，请重新获取",
            "The code is wrong or expired; ask for a new one",
        )
    };
    let live = account_token::Entity::find()
        .filter(account_token::Column::PersonId.eq(person.id))
        .filter(account_token::Column::Purpose.eq("phone_code"))
        .filter(account_token::Column::UsedAt.is_null())
        .one(db)
        .await?
        .filter(|row| row.expires_at > now && row.attempts < PHONE_CODE_TRIES)
        .ok_or_else(wrong)?;
    if live.token_hash != token_hash("phone_code", &format!("{}:{}", person.id, code.trim())) {
        account_token::Entity::update_many()
            .col_expr(
                account_token::Column::Attempts,
                Expr::col(account_token::Column::Attempts).add(1),
            )
            .filter(account_token::Column::Id.eq(live.id))
            .exec(db)
            .await?;
        return Err(wrong());
    }
    let hash = hash_password(login.password).await?;
    let mut tx = store.write(&Actor::system("从业人员注册"), now).await?;
    let at = tx.at();
    refuse_second_account(tx.conn(), person.id).await?;
    let spent = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(at))
        .filter(account_token::Column::Id.eq(live.id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(tx.conn())
        .await?;
    if spent.rows_affected != 1 {
        return Err(wrong());
    }
    let account = insert(
        tx.conn(),
        username,
        hash,
        Role::Worker,
        person.name.clone(),
        AccountScope::Person(person.id),
        at,
        |row| row,
    )
    .await?;
    tx.record(change("account.create", &account));
    tx.commit().await?;
    Ok(account.id)
}

/// An employer invites a person of its current staff to make their worker account: a
/// one-time link (7 days). Returns the token.
pub async fn invite_worker(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<String, StoreError> {
    let db = store.connection();
    let on_staff =
        crate::access::current_staff(db, staff.enterprise_id(), vec![person_id], today).await?;
    if on_staff.is_empty() {
        return Err(StoreError::NotFound);
    }
    refuse_second_account(db, person_id).await?;
    let tx = store.write(actor, now).await?;
    let (token, mut row) = new_token(
        "invite",
        actor.display_name.clone(),
        INVITATION_VALID,
        tx.at(),
    )?;
    row.person_id = Some(person_id);
    row.enterprise_id = Some(staff.enterprise_id());
    account_token::Entity::insert(account_token::ActiveModel::from(row))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// Whom a live invitation is for: (person's masked name, person id).
pub async fn invitation(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<person::Model, StoreError> {
    let row = live_token(db, "invite", token, now).await?;
    person::Entity::find_by_id(row.person_id.ok_or(StoreError::NotFound)?)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Accepts an invitation: the worker account of the invited person, ledgered.
pub async fn accept_invitation(
    store: &Store,
    token: &str,
    login: WorkerLogin,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let db = store.connection();
    let person = invitation(db, token, now).await?;
    let username = check_username(&login.username)?;
    refuse_demo_username(db, &username).await?;
    check_password_strength(&login.password, &username, is_demo_database(db).await?)?;
    let hash = hash_password(login.password).await?;
    let mut tx = store.write(&Actor::system("用人单位邀请注册"), now).await?;
    let at = tx.at();
    let row = live_token(tx.conn(), "invite", token, at).await?;
    refuse_second_account(tx.conn(), person.id).await?;
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(at))
        .filter(account_token::Column::Id.eq(row.id))
        .exec(tx.conn())
        .await?;
    let account = insert(
        tx.conn(),
        username,
        hash,
        Role::Worker,
        person.name.clone(),
        AccountScope::Person(person.id),
        at,
        |row| row,
    )
    .await?;
    tx.record(change("account.create", &account));
    tx.commit().await?;
    Ok(account.id)
}

/// The person with this ID number, for an employer's invitation (which then checks that
/// they are on its staff).
pub async fn person_by_id_number(
    db: &impl ConnectionTrait,
    id_number: &IdNumber,
) -> Result<Uuid, StoreError> {
    person_identity::Entity::find_by_id(id_number.as_str().to_owned())
        .one(db)
        .await?
        .map(|row| row.person_id)
        .ok_or(StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap() + TimeDelta::seconds(seconds)
    }

    #[test]
    fn a_person_gets_one_code_a_minute_and_five_a_day() {
        const DAY: i64 = 24 * 3600;
        // (codes sent at, asked at, wait in seconds)
        let cases: &[(&[i64], i64, Option<i64>)] = &[
            (&[], 0, None),
            (&[0], 1, Some(59)),
            (&[0], 59, Some(1)),
            (&[0], 60, None),
            (&[0, 60, 120, 180], 240, None),
            (&[0, 60, 120, 180, 240], 300, Some(DAY - 300)),
            (&[240, 0, 180, 60, 120], 241, Some(DAY - 241)),
            (&[0, 60, 120, 180, 240], DAY, None),
            (&[0, 60, 120, 180, 240], DAY - 1, Some(1)),
            // Old codes do not count.
            (&[-DAY - 5, -DAY - 4, -DAY - 3, -DAY - 2, 0], 60, None),
        ];
        for (sent, asked, wait) in cases {
            let sent: Vec<_> = sent.iter().map(|s| at(*s)).collect();
            assert_eq!(
                phone_code_wait(&sent, at(*asked)),
                wait.map(TimeDelta::seconds),
                "sent {sent:?}, asked at {asked}"
            );
        }
    }
}
