//! `questions`: one question of the unified bank (统一题库); its texts live in
//! `question_versions`, and an edit adds a version (attempts keep the version they showed).
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub syllabus_point_id: Uuid,
    pub trade_code: String,
    pub kind: String,
    pub current_version: i32,
    pub retired: bool,
    pub source: String,
    pub external_name: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
