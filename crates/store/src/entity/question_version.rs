//! `question_versions`: immutable versions of a question. `body` is JSON: options with
//! their correct flags, the true/false answer, accepted fill-in answers, or a practical score
//! sheet's items; `tags` a JSON array.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "question_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub question_id: Uuid,
    pub version: i32,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub stem: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub difficulty: i16,
    #[sea_orm(column_type = "Text")]
    pub tags: String,
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
