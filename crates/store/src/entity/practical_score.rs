//! `practical_scores`: an examiner's marks on a practical score sheet with evidence
//! references (video, photos). Key `(person_id, id)`; ledgered.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "practical_scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registration_id: Uuid,
    pub session_id: Uuid,
    pub sheet_version_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub marks: String,
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    pub score: i32,
    pub passed: bool,
    pub examiner_id: Uuid,
    pub examiner_name: String,
    pub scored_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
