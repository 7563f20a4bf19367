//! `certificates`: every certificate a person holds (SPEC C3). Key `(person_id, id)`:
//! person-distributed, co-located with the archive. Status is computed from the dates and
//! the suspended/revoked flags on the day asked, never stored.
use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub kind: String,
    pub trade_code: Option<String>,
    /// The issuing authority as shown on the certificate.
    pub issuer: String,
    pub issuer_region: String,
    pub issued_on: Date,
    pub expires_on: Date,
    pub last_reviewed_on: Option<Date>,
    pub suspended: bool,
    pub revoked: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub status_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::PersonId",
        to = "super::person::Column::Id"
    )]
    Holder,
}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Holder.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
