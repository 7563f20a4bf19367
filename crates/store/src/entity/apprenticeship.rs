//! `apprenticeships`: 师带徒 — an apprentice under a mentor on the same enterprise's staff,
//! until graduation (出徒). Key `(person_id, id)`: person-distributed (the apprentice).
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "apprenticeships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub mentor_id: Uuid,
    pub position: String,
    pub started_on: Date,
    pub planned_graduation_on: Date,
    pub graduated_on: Option<Date>,
    /// The enterprise has the apprentice working a post alone (独立上岗).
    pub works_alone: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
