//! `ledger_entries`: the traceability ledger (C13), one entry per change, hash-chained.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: DateTimeUtc,
    pub actor: String,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub person_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub state: Option<String>,
    pub state_digest: Vec<u8>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    pub algo: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
