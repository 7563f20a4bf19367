//! Certificates (issue 3): the national special-operations trade catalogue as reference data,
//! certificates, and the number lookup used by public verification.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_certificates"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("trades")
                    .col(string("code").primary_key())
                    .col(string("category"))
                    .col(string("name"))
                    .col(string("name_en"))
                    .col(string("source"))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert();
        seed.into_table("trades")
            .columns(["code", "category", "name", "name_en", "source"]);
        for trade in anpei_domain::trade::trades() {
            seed.values_panic([
                trade.code.into(),
                trade.category.into(),
                trade.name.into(),
                trade.name_en.into(),
                trade.source.into(),
            ]);
        }
        manager.exec_stmt(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table("certificates")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(string("number"))
                    .col(string("kind"))
                    .col(string_null("trade_code"))
                    .col(string("issuer"))
                    .col(string("issuer_region"))
                    .col(date("issued_on"))
                    .col(date("expires_on"))
                    .col(date_null("last_reviewed_on"))
                    .col(boolean("suspended"))
                    .col(boolean("revoked"))
                    .col(text_null("status_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("certificates_expiry")
                    .table("certificates")
                    .col("expires_on")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("certificate_numbers")
                    .col(string("number").primary_key())
                    .col(uuid("person_id"))
                    .col(uuid("certificate_id"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["certificate_numbers", "certificates", "trades"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
