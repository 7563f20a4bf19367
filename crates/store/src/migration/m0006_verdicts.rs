//! The verdict table and its roll-ups (issue 3, SPEC C5 and C11): each person's standing
//! today, each enterprise's sums of them, and a daily snapshot per county and industry for
//! the trend. Derived data: rebuilt from the facts by `anpei verdicts rebuild` at any time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::verdicts::{METRICS, PERSON_RULE_COLUMNS};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_verdicts"
    }
}

/// A metric column: a count, never null.
fn metric(name: &'static str) -> ColumnDef {
    big_integer(name).default(0).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut person = Table::create();
        person
            .table("person_verdicts")
            .col(uuid("person_id").primary_key())
            .col(uuid_null("enterprise_id"))
            .col(date("evaluated_on"))
            .col(small_integer_null("worst"));
        for column in PERSON_RULE_COLUMNS {
            person.col(small_integer_null(column));
        }
        person
            .col(date_null("next_due"))
            .col(boolean_null("key_position_promoted"))
            .col(boolean_null("team_leader_qualified"))
            .col(boolean_null("certified"))
            .col(uuid_null("baseline_enterprise_id"))
            .col(boolean_null("baseline_qualified"));
        manager.create_table(person.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("person_verdicts_enterprise")
                    .table("person_verdicts")
                    .col("enterprise_id")
                    .to_owned(),
            )
            .await?;

        let mut enterprise = Table::create();
        enterprise
            .table("enterprise_kpis")
            .col(uuid("enterprise_id").primary_key());
        for name in METRICS {
            enterprise.col(metric(name));
        }
        manager.create_table(enterprise.to_owned()).await?;

        let mut snapshot = Table::create();
        snapshot
            .table("kpi_snapshots")
            .col(date("taken_on"))
            .col(string("region_code"))
            .col(string("industry"));
        for name in METRICS {
            snapshot.col(metric(name));
        }
        snapshot.primary_key(
            Index::create()
                .col("taken_on")
                .col("region_code")
                .col("industry"),
        );
        manager.create_table(snapshot.to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table("verdict_runs")
                    .col(uuid("id").primary_key())
                    .col(date("evaluated_on"))
                    .col(string("rule_set"))
                    .col(big_integer("people"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone("finished_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "verdict_runs",
            "kpi_snapshots",
            "enterprise_kpis",
            "person_verdicts",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
