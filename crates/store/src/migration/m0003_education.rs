//! Education (文化程度) on the person: the seed requires high school or above of new
//! special-operations workers in hazardous chemicals and coal mines (SPEC C3). Nullable,
//! so existing rows — and their ledger states, which omit nulls — stay as they were.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_education"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("persons")
                    .add_column(string_null("education"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("persons")
                    .drop_column("education")
                    .to_owned(),
            )
            .await
    }
}
