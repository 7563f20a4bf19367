//! `institution_trades`: a trade a training institution is approved to train (and perhaps
//! examine), with its practical facilities. Without facilities it may not train the trade
//! (seed §三.4). Key `(institution_id, id)`, unique per `(institution_id, trade_code)`.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "institution_trades")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub trade_code: String,
    pub approved_on: Date,
    pub may_examine: bool,
    /// What the institution has for practical training (empty: none).
    pub practical_facilities: String,
    /// From this day the approval no longer holds.
    pub withdrawn_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
