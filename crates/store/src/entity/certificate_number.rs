//! `certificate_numbers`: certificate number → holder and certificate, for public
//! verification. Keyed (and distributed) by the number, like `person_identities`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_numbers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub person_id: Uuid,
    pub certificate_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
