//! `enterprises`: one row per enterprise; `id` is the enterprise distribution key. The table is
//! small (about 10,000 a province), so on a distributed engine it is a reference table and
//! its unique credit code needs no distribution column.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "enterprises")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub credit_code: String,
    pub name: String,
    pub industry: String,
    /// County (or city) code where the enterprise is registered.
    pub region_code: String,
    /// City code, denormalised for jurisdiction filters.
    pub city_code: String,
    pub legal_representative: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
