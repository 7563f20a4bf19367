//! `accounts`: logins. The role and its scope (person, enterprise, institution or region)
//! decide every query the account may run (see `access`). The password hash and the TOTP
//! secret stay in this row: `Debug` leaves them out and the ledger records
//! [`Model::ledger_state`], which has neither.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub display_name: String,
    pub person_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub institution_id: Option<Uuid>,
    pub region_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub password_changed_at: DateTimeUtc,
    /// `active`, `disabled` or `pending` (awaiting approval).
    pub status: String,
    pub must_change_password: bool,
    pub totp_secret: Option<String>,
    pub totp_confirmed_at: Option<DateTimeUtc>,
    pub totp_last_step: Option<i64>,
    pub demo: bool,
}

// The password hash and the TOTP secret must not reach logs: Debug is written by hand.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// What the ledger records of an account: everything that decides what it may do, nothing
/// secret (no hash, no TOTP secret, no token).
#[derive(Clone, Debug, Serialize)]
pub struct LedgerState {
    pub id: Uuid,
    pub username: String,
    pub role: String,
    pub display_name: String,
    pub person_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub institution_id: Option<Uuid>,
    pub region_code: Option<String>,
    pub status: String,
    pub must_change_password: bool,
    pub totp_enrolled: bool,
    pub demo: bool,
    pub created_at: DateTimeUtc,
}

impl Model {
    pub fn ledger_state(&self) -> LedgerState {
        LedgerState {
            id: self.id,
            username: self.username.clone(),
            role: self.role.clone(),
            display_name: self.display_name.clone(),
            person_id: self.person_id,
            enterprise_id: self.enterprise_id,
            institution_id: self.institution_id,
            region_code: self.region_code.clone(),
            status: self.status.clone(),
            must_change_password: self.must_change_password,
            totp_enrolled: self.totp_confirmed_at.is_some(),
            demo: self.demo,
            created_at: self.created_at,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
