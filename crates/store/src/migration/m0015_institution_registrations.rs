//! Training institutions register themselves (SPEC C0): the registration with its named
//! contact person, awaiting the city regulator of its city; the pending account is
//! `account_id`. Kept apart from `registration_requests`, whose enterprise columns
//! (industry, legal representative) an institution does not have.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_institution_registrations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("institution_registrations")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id").unique_key())
                    .col(string("credit_code"))
                    .col(string("name"))
                    .col(string("region_code"))
                    .col(string("city_code"))
                    .col(string("contact_name"))
                    .col(string("contact_phone"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(string_null("decided_by"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "institution_registrations_city",
            "institution_registrations",
            &["city_code", "status"],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("institution_registrations"))
                    .to_owned(),
            )
            .await
    }
}
