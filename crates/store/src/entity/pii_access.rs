//! `pii_access_log`: who saw or exported full ID numbers, whose, how and when.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pii_access_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor: String,
    pub actor_name: String,
    pub action: String,
    pub person_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    /// How many people's numbers (1 for one person, the staff count for an export).
    pub people: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
