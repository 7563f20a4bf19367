//! `persons`: one row per person for life; `id` is the person distribution key.
//! The ID number's uniqueness is kept by `person_identities`, keyed by the number itself.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub id_number: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Date,
    pub phone: Option<String>,
    /// `anpei_domain::rules::Education` code; `None` when not recorded.
    pub education: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
