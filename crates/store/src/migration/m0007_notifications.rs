//! Notifications (issue 3, item 8): in-app notices to workers and enterprises, and an outbox
//! that an SMS or WeChat gateway consumes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_notifications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .col(uuid("id").primary_key())
                    .col(string("recipient_kind"))
                    .col(uuid("recipient_id"))
                    .col(uuid_null("person_id"))
                    .col(string("kind"))
                    .col(string("dedupe_key").unique_key())
                    .col(string("title_zh"))
                    .col(string("title_en"))
                    .col(text("body_zh"))
                    .col(text("body_en"))
                    .col(string("link"))
                    .col(date_null("due_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notifications_recipient")
                    .table("notifications")
                    .col("recipient_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("notification_outbox")
                    .col(uuid("id").primary_key())
                    .col(uuid("notification_id"))
                    .col(string("channel"))
                    .col(string("recipient_kind"))
                    .col(uuid("recipient_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .col(integer("attempts").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notification_outbox_pending")
                    .table("notification_outbox")
                    .col("delivered_at")
                    .col("created_at")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["notification_outbox", "notifications"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
