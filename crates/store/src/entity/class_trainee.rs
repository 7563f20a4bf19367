//! `class_trainees`: who is in a class, sent by which enterprise (or none: an individual),
//! and the training record its completion wrote. Key `(person_id, class_id)`.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "class_trainees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub class_id: Uuid,
    pub institution_id: Uuid,
    pub enterprise_id: Option<Uuid>,
    pub enrolled_on: Date,
    pub completed_on: Option<Date>,
    pub training_record_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
