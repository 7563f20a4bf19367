//! `exam_sign_in_requests`: a second sign-in to a running attempt from another device,
//! parked until a proctor approves or refuses it. Key `(person_id, id)`; the decision is
//! ledgered as the attempt's events, the row itself is working state.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_sign_in_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    pub attempt_id: Uuid,
    /// SM3 of the waiting key the device holds; it becomes the exam token on approval.
    pub key_hash: String,
    pub device_hash: String,
    /// The client address it came from, for the proctor.
    pub client: String,
    /// pending, approved, rejected
    pub status: String,
    pub requested_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
