//! `class_attendance`: one trainee signed in to one session of a class (考勤): the day, the
//! part (theory or practical), the hours and how the sign-in was taken. Key
//! `(person_id, id)`.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "class_attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub class_id: Uuid,
    pub session_on: Date,
    /// `theory` or `practical`.
    pub part: String,
    pub hours: f64,
    /// `face`, `fingerprint`, `id_card` or `signature`.
    pub method: String,
    pub signed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
