//! `exam_attempts`: one examinee's sitting of a theory exam: the paper drawn from its seed,
//! the server's deadline, and the result. Key `(person_id, id)`; ledgered.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "exam_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registration_id: Uuid,
    pub session_id: Uuid,
    pub seed: i64,
    #[sea_orm(column_type = "Text")]
    pub paper: String,
    pub token_hash: String,
    /// SM3 of the device secret the attempt was signed in with (the same device may sign
    /// in again without a proctor).
    pub device_hash: Option<String>,
    pub started_at: DateTimeUtc,
    pub deadline_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
    pub submit_reason: Option<String>,
    pub score: Option<i32>,
    pub passed: Option<bool>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
