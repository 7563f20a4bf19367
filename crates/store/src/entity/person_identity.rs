//! `person_identities`: ID number → person. Keyed (and, on a distributed engine, distributed)
//! by the ID number, so "one person per ID number" holds without a cross-shard unique index.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person_identities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_number: String,
    pub person_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
