//! Training institutions, classes with their evidence, and the safety-skills subsidy
//! (issue 5, SPEC C9 and C10). Person-keyed tables carry `person_id` first in their key, so
//! a person's trainee, attendance and subsidy rows sit together.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_training_and_subsidies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Nullable, so that institutions recorded before this column keep their ledgered
        // state (canonical JSON leaves nulls out).
        manager
            .alter_table(
                Table::alter()
                    .table("institutions")
                    .add_column(date_null("hr_catalogue_since"))
                    .to_owned(),
            )
            .await?;
        // The institution that runs an exam site, where one does (nullable: sites recorded
        // before keep their shape).
        manager
            .alter_table(
                Table::alter()
                    .table("exam_sites")
                    .add_column(uuid_null("institution_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("institution_trades")
                    .col(uuid("institution_id"))
                    .col(uuid("id"))
                    .col(string("trade_code"))
                    .col(date("approved_on"))
                    .col(boolean("may_examine"))
                    .col(text("practical_facilities"))
                    .col(date_null("withdrawn_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("institution_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "institution_trades_trade",
            "institution_trades",
            &["institution_id", "trade_code"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("trainers")
                    .col(uuid("institution_id"))
                    .col(uuid("id"))
                    .col(string("name"))
                    .col(string("role"))
                    .col(string("qualification"))
                    .col(string("trade_codes"))
                    .col(date("selected_on"))
                    .col(integer_null("last_assessed_year"))
                    .col(boolean_null("last_assessment_passed"))
                    .col(date_null("exited_on"))
                    .col(string_null("exit_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("institution_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("training_classes")
                    .col(uuid("institution_id"))
                    .col(uuid("id"))
                    .col(string("number"))
                    .col(string("trade_code"))
                    .col(string("syllabus"))
                    .col(double("theory_hours"))
                    .col(double("practical_hours"))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(text("schedule"))
                    .col(string("trainers"))
                    .col(date_null("completed_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("institution_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "training_classes_number",
            "training_classes",
            &["institution_id", "number"],
            true,
        )
        .await?;
        index(
            manager,
            "training_classes_id",
            "training_classes",
            &["id"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("class_trainees")
                    .col(uuid("person_id"))
                    .col(uuid("class_id"))
                    .col(uuid("institution_id"))
                    .col(uuid_null("enterprise_id"))
                    .col(date("enrolled_on"))
                    .col(date_null("completed_on"))
                    .col(uuid_null("training_record_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("class_id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "class_trainees_class",
            "class_trainees",
            &["class_id", "person_id"],
            true,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("class_attendance")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("class_id"))
                    .col(date("session_on"))
                    .col(string("part"))
                    .col(double("hours"))
                    .col(string("method"))
                    .col(timestamp_with_time_zone("signed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "class_attendance_class",
            "class_attendance",
            &["class_id", "session_on"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("class_videos")
                    .col(uuid("class_id"))
                    .col(uuid("id"))
                    .col(string("part"))
                    .col(date("session_on"))
                    .col(string("storage"))
                    .col(string("sha256"))
                    .col(integer("duration_seconds"))
                    .col(date("retained_until"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("class_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("subsidy_applications")
                    .col(uuid("enterprise_id"))
                    .col(uuid("id"))
                    .col(string("number").unique_key())
                    .col(string("city_code"))
                    .col(string("region_code"))
                    .col(uuid("institution_id"))
                    .col(string("legal_representative"))
                    .col(string("handler_name"))
                    .col(string("handler_phone"))
                    .col(date("training_from"))
                    .col(date("training_to"))
                    .col(big_integer("amount_yuan"))
                    .col(string("rules_version"))
                    .col(string("pledge_by"))
                    .col(string("status"))
                    .col(date("applied_on"))
                    .col(date_null("confirmed_on"))
                    .col(text_null("institution_opinion"))
                    .col(date_null("reviewed_on"))
                    .col(text_null("regulator_opinion"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("enterprise_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "subsidy_applications_id",
            "subsidy_applications",
            &["id"],
            false,
        )
        .await?;
        index(
            manager,
            "subsidy_applications_enterprise",
            "subsidy_applications",
            &["enterprise_id", "applied_on"],
            false,
        )
        .await?;
        index(
            manager,
            "subsidy_applications_city",
            "subsidy_applications",
            &["city_code", "status"],
            false,
        )
        .await?;
        index(
            manager,
            "subsidy_applications_institution",
            "subsidy_applications",
            &["institution_id", "status"],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table("subsidy_rows")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("application_id"))
                    .col(integer("seq"))
                    .col(uuid("certificate_id"))
                    .col(string("trade_code"))
                    .col(uuid_null("class_id"))
                    .col(boolean_null("confirmed"))
                    .col(text_null("checks"))
                    .col(string("decision"))
                    .col(text_null("comment"))
                    .col(date_null("decided_on"))
                    .col(date_null("paid_on"))
                    .col(string_null("payment_ref"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "subsidy_rows_application",
            "subsidy_rows",
            &["application_id", "seq"],
            true,
        )
        .await?;
        // The province-wide duplicate check looks claims up by certificate.
        index(
            manager,
            "subsidy_rows_certificate",
            "subsidy_rows",
            &["certificate_id", "decision"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "subsidy_rows",
            "subsidy_applications",
            "class_videos",
            "class_attendance",
            "class_trainees",
            "training_classes",
            "trainers",
            "institution_trades",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("exam_sites")
                    .drop_column("institution_id")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("institutions")
                    .drop_column("hr_catalogue_since")
                    .to_owned(),
            )
            .await
    }
}
