//! `trainers`: an institution's trainers (教师) and examiners (考评员): qualification,
//! trades, selection (选拔), the last yearly assessment (考核) and exit (退出). Key
//! `(institution_id, id)`.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "trainers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `trainer` or `examiner`.
    pub role: String,
    pub qualification: String,
    /// Trade codes, comma-separated.
    pub trade_codes: String,
    pub selected_on: Date,
    pub last_assessed_year: Option<i32>,
    pub last_assessment_passed: Option<bool>,
    pub exited_on: Option<Date>,
    pub exit_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
