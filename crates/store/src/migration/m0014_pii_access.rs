//! Views of full identity numbers (issue 13, item 7): every time an account sees or
//! exports a full ID number, a row here says who, whose, how and when.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_pii_access"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("pii_access_log")
                    .col(uuid("id").primary_key())
                    .col(timestamp_with_time_zone("at"))
                    .col(string("actor"))
                    .col(string("actor_name"))
                    .col(string("action"))
                    .col(uuid_null("person_id"))
                    .col(uuid_null("enterprise_id"))
                    .col(big_integer("people"))
                    .to_owned(),
            )
            .await?;
        super::index(
            manager,
            "pii_access_log_at",
            "pii_access_log",
            &["at"],
            false,
        )
        .await?;
        super::index(
            manager,
            "pii_access_log_person",
            "pii_access_log",
            &["person_id", "at"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("pii_access_log")).to_owned())
            .await
    }
}
