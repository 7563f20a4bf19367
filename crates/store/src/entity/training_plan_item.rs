//! `training_plan_items`: the yearly training plan (年度培训计划), one row per item. Key
//! `(enterprise_id, id)`: enterprise-distributed.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "training_plan_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enterprise_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub year: i32,
    pub topic: String,
    pub kind: String,
    pub audience: String,
    pub planned_hours: f64,
    pub planned_month: i32,
    pub planned_headcount: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
