//! `training_classes`: a class an institution runs for one trade (培训班): syllabus, theory
//! and practical hours, dates, schedule and trainers. Key `(institution_id, id)`.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "training_classes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// 班号, unique within the institution.
    pub number: String,
    pub trade_code: String,
    pub syllabus: String,
    pub theory_hours: f64,
    pub practical_hours: f64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub schedule: String,
    /// Trainers' names, as printed on the timetable.
    pub trainers: String,
    /// Set when the class is completed; its trainees' training records are written then.
    pub completed_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
