//! `exam_blueprints`: how a paper is assembled (组卷方案) for one trade and part; `rows`
//! is JSON. Immutable once a session uses it (a change is a new blueprint).
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "exam_blueprints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub trade_code: String,
    pub part: String,
    #[sea_orm(column_type = "Text")]
    pub rows: String,
    pub total: i32,
    pub pass_mark: i32,
    pub duration_minutes: i32,
    pub required_hours: f64,
    pub score_sheet_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
