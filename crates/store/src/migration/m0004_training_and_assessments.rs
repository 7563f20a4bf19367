//! Training records and yearly assessments (issue 3, SPEC C4): the facts behind rules 1, 2,
//! 4 and 9 of the compliance engine.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_training_and_assessments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("training_records")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("enterprise_id"))
                    .col(string("kind"))
                    .col(date("ended_on"))
                    .col(double("hours"))
                    .col(boolean("passed_exam"))
                    .col(string("provider"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("assessments")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("enterprise_id"))
                    .col(date("assessed_on"))
                    .col(string("position"))
                    .col(boolean("passed"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["assessments", "training_records"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
