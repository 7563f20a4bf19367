//! `training_records`: training a person attended (学时, exam passed), recorded by the
//! enterprise that employs them. Key `(person_id, id)`: person-distributed.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "training_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub enterprise_id: Uuid,
    /// `anpei_domain::rules::TrainingKind` code.
    pub kind: String,
    pub ended_on: Date,
    pub hours: f64,
    pub passed_exam: bool,
    /// Who trained: an institution's name, or 企业自培.
    pub provider: String,
    /// The special-operations trade a `special_ops` training was for (其他种类为空).
    pub trade_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
