//! `accounts`: logins. The role and its scope (person, enterprise, institution or region)
//! decide every query the account may run (see `access`).
use sea_orm::entity::prelude::*;

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
}

// The password hash must not reach logs: Debug is written by hand.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
