//! `registration_requests`: an enterprise's self-registration with its named safety manager,
//! awaiting the city regulator of its region (the pending account is `account_id`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub account_id: Uuid,
    pub credit_code: String,
    pub enterprise_name: String,
    pub industry: String,
    pub region_code: String,
    pub city_code: String,
    pub legal_representative: String,
    pub manager_name: String,
    pub manager_phone: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
