//! `institution_registrations`: a training institution's self-registration with its named
//! contact person, awaiting the city regulator of its city (the pending account is
//! `account_id`); approval creates the institution (or joins the one on record).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "institution_registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub account_id: Uuid,
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
    pub city_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
