//! Exam sign-in that a stranger cannot take over (issue 13): the device an attempt was
//! signed in on, and second sign-ins parked for a proctor's decision.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_exam_sign_in"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The SM3 hash of the device secret the attempt was signed in with. Nullable, so that
        // attempts recorded before keep their ledgered state (canonical JSON leaves nulls out).
        manager
            .alter_table(
                Table::alter()
                    .table("exam_attempts")
                    .add_column(string_null("device_hash"))
                    .to_owned(),
            )
            .await?;
        // A sign-in from another device, waiting for a proctor. Not ledgered itself: the
        // request, the approval and the refusal are ledgered as the attempt's events.
        manager
            .create_table(
                Table::create()
                    .table("exam_sign_in_requests")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("session_id"))
                    .col(uuid("attempt_id"))
                    .col(string("key_hash"))
                    .col(string("device_hash"))
                    .col(string("client"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(string_null("decided_by"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "exam_sign_in_requests_session",
            "exam_sign_in_requests",
            &["session_id", "status"],
            false,
        )
        .await?;
        index(
            manager,
            "exam_sign_in_requests_key",
            "exam_sign_in_requests",
            &["key_hash"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("exam_sign_in_requests"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("exam_attempts")
                    .drop_column("device_hash")
                    .to_owned(),
            )
            .await
    }
}
