//! The enterprise ledgers of SPEC C4 beyond staff, training and assessments (issue 3, item
//! 4): apprenticeships (师带徒), periods off post (离岗), process and equipment changes (四新)
//! with the people they affect, the yearly training plan, the training capacity, and the
//! key-position skill-promotion schedule. Person-keyed tables lead their keys with
//! `person_id`, enterprise-keyed ones with `enterprise_id`; one change per statement.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_enterprise_ledgers"
    }
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}

/// The tables, newest-dependent last (dropped in reverse).
const TABLES: [&str; 7] = [
    "apprenticeships",
    "off_post_periods",
    "process_changes",
    "process_change_people",
    "training_plan_items",
    "training_capacities",
    "skill_promotions",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("apprenticeships")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("enterprise_id"))
                    .col(uuid("mentor_id"))
                    .col(string("position"))
                    .col(date("started_on"))
                    .col(date("planned_graduation_on"))
                    .col(date_null("graduated_on"))
                    .col(boolean("works_alone"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "apprenticeships_enterprise",
                "apprenticeships",
                &["enterprise_id", "started_on"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("off_post_periods")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("enterprise_id"))
                    .col(date("starts_on"))
                    .col(date_null("ends_on"))
                    .col(string("reason"))
                    .col(string("note"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "off_post_periods_enterprise",
                "off_post_periods",
                &["enterprise_id", "starts_on"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("process_changes")
                    .col(uuid("enterprise_id"))
                    .col(uuid("id"))
                    .col(date("changed_on"))
                    .col(string("kind"))
                    .col(string("description"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("enterprise_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("process_change_people")
                    .col(uuid("person_id"))
                    .col(uuid("change_id"))
                    .col(uuid("enterprise_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("person_id").col("change_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "process_change_people_change",
                "process_change_people",
                &["enterprise_id", "change_id"],
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("training_plan_items")
                    .col(uuid("enterprise_id"))
                    .col(uuid("id"))
                    .col(integer("year"))
                    .col(string("topic"))
                    .col(string("kind"))
                    .col(string("audience"))
                    .col(double("planned_hours"))
                    .col(integer("planned_month"))
                    .col(integer("planned_headcount"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("enterprise_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("training_capacities")
                    .col(uuid("enterprise_id"))
                    .col(uuid("id"))
                    .col(string("mode"))
                    .col(date("since"))
                    .col(integer("trainers"))
                    .col(string("facilities"))
                    .col(string_null("institution_name"))
                    .col(string_null("institution_credit_code"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("enterprise_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("skill_promotions")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("enterprise_id"))
                    .col(string("current_level"))
                    .col(string("target_level"))
                    .col(date("due_on"))
                    .col(date_null("achieved_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "skill_promotions_enterprise",
                "skill_promotions",
                &["enterprise_id", "due_on"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(Alias::new(*table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
