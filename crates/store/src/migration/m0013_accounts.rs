//! Accounts for a real deployment (issue 13, item 1): account status, the forced password
//! change, TOTP second factor, one-time tokens, self-registration requests, and the marker
//! that says a database was generated as a demo.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_accounts"
    }
}

/// Adds one column to `accounts` (one change per statement, as SQLite needs).
async fn add(manager: &SchemaManager<'_>, column: ColumnDef) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table("accounts")
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // active | disabled | pending (a self-registration awaiting its regulator).
        add(manager, string("status").default("active").to_owned()).await?;
        add(
            manager,
            boolean("must_change_password").default(false).to_owned(),
        )
        .await?;
        // The RFC 6238 shared secret (base32). Never leaves the store but for the one
        // enrolment screen; never logged, never in a ledger state.
        add(manager, string_null("totp_secret").to_owned()).await?;
        add(
            manager,
            timestamp_with_time_zone_null("totp_confirmed_at").to_owned(),
        )
        .await?;
        // The last time step a code was accepted for: a code is good once.
        add(manager, big_integer_null("totp_last_step").to_owned()).await?;
        // Created by the demo generator (the only thing that may create the demo logins).
        add(manager, boolean("demo").default(false).to_owned()).await?;

        // Installation facts, such as "generated as a demo".
        manager
            .create_table(
                Table::create()
                    .table("settings")
                    .col(string("key").primary_key())
                    .col(string("value"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        // One-time tokens: set-password links, password resets, employer invitations and
        // phone codes. Only the SM3 hash of the token is kept.
        manager
            .create_table(
                Table::create()
                    .table("account_tokens")
                    .col(uuid("id").primary_key())
                    .col(string("purpose"))
                    .col(string("token_hash").unique_key())
                    .col(uuid_null("account_id"))
                    .col(uuid_null("person_id"))
                    .col(uuid_null("enterprise_id"))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(string("created_by"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "account_tokens_account",
            "account_tokens",
            &["account_id"],
            false,
        )
        .await?;
        index(
            manager,
            "account_tokens_person",
            "account_tokens",
            &["person_id"],
            false,
        )
        .await?;

        // An enterprise's self-registration: what it said about itself, until its city
        // regulator approves (creating the enterprise when it is not on record) or rejects.
        manager
            .create_table(
                Table::create()
                    .table("registration_requests")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id").unique_key())
                    .col(string("credit_code"))
                    .col(string("enterprise_name"))
                    .col(string("industry"))
                    .col(string("region_code"))
                    .col(string("city_code"))
                    .col(string("legal_representative"))
                    .col(string("manager_name"))
                    .col(string("manager_phone"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(string_null("decided_by"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "registration_requests_city",
            "registration_requests",
            &["city_code", "status"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["registration_requests", "account_tokens", "settings"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        for column in [
            "demo",
            "totp_last_step",
            "totp_confirmed_at",
            "totp_secret",
            "must_change_password",
            "status",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("accounts")
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
