//! The exam system (issue 4, SPEC C8): the unified question bank with versions, blueprints,
//! exam sites and sessions, registrations, attempts with their append-only answers and
//! timeline, and practical scores. Person-keyed tables carry `person_id` first in their key.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_exams"
    }
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for col in cols {
        index.col(Alias::new(*col));
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("training_records")
                    .add_column(string_null("trade_code"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("syllabus_points")
                    .col(uuid("id").primary_key())
                    .col(uuid_null("parent_id"))
                    .col(string("trade_code"))
                    .col(string("code"))
                    .col(string("title"))
                    .col(integer("position"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        index(manager, "syllabus_points_trade", "syllabus_points", &["trade_code", "code"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table("questions")
                    .col(uuid("id").primary_key())
                    .col(uuid("syllabus_point_id"))
                    .col(string("trade_code"))
                    .col(string("kind"))
                    .col(integer("current_version"))
                    .col(boolean("retired").default(false))
                    .col(string("source"))
                    .col(string_null("external_name"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        index(manager, "questions_point", "questions", &["syllabus_point_id"], false).await?;
        index(manager, "questions_trade_kind", "questions", &["trade_code", "kind"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("question_versions")
                    .col(uuid("id").primary_key())
                    .col(uuid("question_id"))
                    .col(integer("version"))
                    .col(string("kind"))
                    .col(text("stem"))
                    .col(text("body"))
                    .col(small_integer("difficulty"))
                    .col(text("tags"))
                    .col(text("explanation"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .to_owned(),
            )
            .await?;
        index(manager, "question_versions_question", "question_versions", &["question_id", "version"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_blueprints")
                    .col(uuid("id").primary_key())
                    .col(string("name"))
                    .col(string("trade_code"))
                    .col(string("part"))
                    .col(text("rows"))
                    .col(integer("total"))
                    .col(integer("pass_mark"))
                    .col(integer("duration_minutes"))
                    .col(double("required_hours"))
                    .col(uuid_null("score_sheet_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_sites")
                    .col(uuid("id").primary_key())
                    .col(string("region_code"))
                    .col(string("name"))
                    .col(string("address"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_rooms")
                    .col(uuid("id").primary_key())
                    .col(uuid("site_id"))
                    .col(string("name"))
                    .col(integer("seats"))
                    .to_owned(),
            )
            .await?;
        index(manager, "exam_rooms_site", "exam_rooms", &["site_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_sessions")
                    .col(uuid("id").primary_key())
                    .col(uuid("site_id"))
                    .col(uuid("room_id"))
                    .col(uuid("blueprint_id"))
                    .col(string("trade_code"))
                    .col(string("part"))
                    .col(string("title"))
                    .col(timestamp_with_time_zone("opens_at"))
                    .col(timestamp_with_time_zone("closes_at"))
                    .col(integer("duration_minutes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .to_owned(),
            )
            .await?;
        index(manager, "exam_sessions_site", "exam_sessions", &["site_id", "opens_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_staff")
                    .col(uuid("session_id"))
                    .col(uuid("account_id"))
                    .col(string("duty"))
                    .primary_key(Index::create().col("session_id").col("account_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_registrations")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("session_id"))
                    .col(string("ticket"))
                    .col(integer("seat_no"))
                    .col(integer("sitting"))
                    .col(boolean("make_up"))
                    .col(integer("extra_minutes"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone_null("signed_in_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(manager, "exam_registrations_session", "exam_registrations", &["session_id", "seat_no"], false).await?;
        index(manager, "exam_registrations_ticket", "exam_registrations", &["ticket"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_attempts")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("registration_id"))
                    .col(uuid("session_id"))
                    .col(big_integer("seed"))
                    .col(text("paper"))
                    .col(string("token_hash"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone("deadline_at"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(string_null("submit_reason"))
                    .col(integer_null("score"))
                    .col(boolean_null("passed"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(manager, "exam_attempts_session", "exam_attempts", &["session_id"], false).await?;
        index(manager, "exam_attempts_token", "exam_attempts", &["token_hash"], false).await?;
        index(manager, "exam_attempts_open", "exam_attempts", &["submitted_at", "deadline_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_answers")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("attempt_id"))
                    .col(big_integer("seq"))
                    .col(integer("position"))
                    .col(text("response"))
                    .col(timestamp_with_time_zone("saved_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(manager, "exam_answers_attempt", "exam_answers", &["attempt_id", "seq"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table("exam_events")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("attempt_id"))
                    .col(string("kind"))
                    .col(timestamp_with_time_zone("at"))
                    .col(text("detail"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(manager, "exam_events_attempt", "exam_events", &["attempt_id", "at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("practical_scores")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("registration_id"))
                    .col(uuid("session_id"))
                    .col(uuid("sheet_version_id"))
                    .col(text("marks"))
                    .col(text("evidence"))
                    .col(integer("score"))
                    .col(boolean("passed"))
                    .col(uuid("examiner_id"))
                    .col(string("examiner_name"))
                    .col(timestamp_with_time_zone("scored_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        index(manager, "practical_scores_session", "practical_scores", &["session_id"], false).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "practical_scores",
            "exam_events",
            "exam_answers",
            "exam_attempts",
            "exam_registrations",
            "exam_staff",
            "exam_sessions",
            "exam_rooms",
            "exam_sites",
            "exam_blueprints",
            "question_versions",
            "questions",
            "syllabus_points",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("training_records")
                    .drop_column("trade_code")
                    .to_owned(),
            )
            .await
    }
}
