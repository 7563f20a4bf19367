//! `training_capacities`: how an enterprise trains (培训能力) from a date: itself, or
//! delegated to a named institution. Key `(enterprise_id, id)`: enterprise-distributed.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "training_capacities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enterprise_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mode: String,
    pub since: Date,
    pub trainers: i32,
    pub facilities: String,
    pub institution_name: Option<String>,
    pub institution_credit_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
