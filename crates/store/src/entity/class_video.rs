//! `class_videos`: a reference to a full video of one theory or practical session (storage
//! location, SHA-256, duration), not the video, with the day the institution keeps it
//! until. Key `(class_id, id)`.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "class_videos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub class_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub part: String,
    pub session_on: Date,
    pub storage: String,
    pub sha256: String,
    pub duration_seconds: i32,
    pub retained_until: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
