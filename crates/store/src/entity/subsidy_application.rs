//! `subsidy_applications`: the header of one 申请安全技能提升补贴特种作业人员信息审核表 and
//! where it stands. Key `(enterprise_id, id)`; `number` is the reference printed on the
//! form.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "subsidy_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enterprise_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub city_code: String,
    pub region_code: String,
    pub institution_id: Uuid,
    pub legal_representative: String,
    pub handler_name: String,
    pub handler_phone: String,
    pub training_from: Date,
    pub training_to: Date,
    pub amount_yuan: i64,
    pub rules_version: String,
    /// The person who accepted the written pledge (负责人).
    pub pledge_by: String,
    /// `filed`, `confirmed`, `reviewed` or `paid`.
    pub status: String,
    pub applied_on: Date,
    pub confirmed_on: Option<Date>,
    pub institution_opinion: Option<String>,
    pub reviewed_on: Option<Date>,
    pub regulator_opinion: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
