//! `institutions`: training institutions (安全培训机构). Small reference-like table.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "institutions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub credit_code: String,
    pub name: String,
    pub region_code: String,
    pub city_code: String,
    pub created_at: DateTimeUtc,
    /// Listed in the HR bureau's unified catalogue (统一目录清单) since this day.
    pub hr_catalogue_since: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
