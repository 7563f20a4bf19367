//! `account_tokens`: one-time tokens (set-password links, resets, employer invitations,
//! phone codes). Only the SM3 hash of a token is stored; each is single use and expires.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `setup` (set a password), `invite` (a worker's account, from the employer),
    /// `phone_code` (a worker's sign-up code).
    pub purpose: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub account_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
