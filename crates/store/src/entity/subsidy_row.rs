//! `subsidy_rows`: one person and one certificate on an application (序号, 姓名, 工种, 证件号),
//! the institution's confirmation, the review's checks and decision, and the payment. Key
//! `(person_id, id)`.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "subsidy_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub seq: i32,
    pub certificate_id: Uuid,
    pub trade_code: String,
    /// The class the institution named as evidence when it confirmed the row.
    pub class_id: Option<Uuid>,
    /// The institution's word: `None` until it answers.
    pub confirmed: Option<bool>,
    /// The check results the reviewer decided on (JSON: code, passed, zh, en).
    pub checks: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub decision: String,
    pub comment: Option<String>,
    pub decided_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub payment_ref: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
