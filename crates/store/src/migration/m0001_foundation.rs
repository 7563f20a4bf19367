//! Foundation schema (issue 2): regions, enterprises, institutions, people and their
//! employment, accounts, sessions, and the traceability ledger.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("regions")
                    .col(string("code").primary_key())
                    .col(string("name"))
                    .col(string("name_en"))
                    .col(string("level"))
                    .col(string_null("parent_code"))
                    .to_owned(),
            )
            .await?;
        let mut seed = Query::insert();
        seed.into_table("regions")
            .columns(["code", "name", "name_en", "level", "parent_code"]);
        for region in anpei_domain::region::all() {
            let level = match region.level {
                anpei_domain::RegionLevel::Province => "province",
                anpei_domain::RegionLevel::City => "city",
                anpei_domain::RegionLevel::County => "county",
            };
            seed.values_panic([
                region.code.into(),
                region.name.into(),
                region.name_en.into(),
                level.into(),
                region.parent.map(str::to_owned).into(),
            ]);
        }
        manager.exec_stmt(seed).await?;

        manager
            .create_table(
                Table::create()
                    .table("enterprises")
                    .col(uuid("id").primary_key())
                    .col(string_uniq("credit_code"))
                    .col(string("name"))
                    .col(string("industry"))
                    .col(string("region_code"))
                    .col(string("city_code"))
                    .col(string("legal_representative"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "enterprises_city",
                "enterprises",
                &["city_code", "name"],
            ))
            .await?;
        manager
            .create_index(index("enterprises_region", "enterprises", &["region_code"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("institutions")
                    .col(uuid("id").primary_key())
                    .col(string_uniq("credit_code"))
                    .col(string("name"))
                    .col(string("region_code"))
                    .col(string("city_code"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("persons")
                    .col(uuid("id").primary_key())
                    .col(string("id_number"))
                    .col(string("name"))
                    .col(string("gender"))
                    .col(date("birth_date"))
                    .col(string_null("phone"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("persons_name", "persons", &["name"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("person_identities")
                    .col(string("id_number").primary_key())
                    .col(uuid("person_id"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("employments")
                    .col(uuid("person_id"))
                    .col(uuid("id"))
                    .col(uuid("enterprise_id"))
                    .col(string("kind"))
                    .col(string("position"))
                    .col(boolean("team_leader"))
                    .col(string_null("special_ops_trade"))
                    .col(boolean("key_position"))
                    .col(boolean("principal_leader"))
                    .col(boolean("safety_manager"))
                    .col(date("start_date"))
                    .col(date_null("end_date"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("person_id").col("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "employments_enterprise",
                "employments",
                &["enterprise_id", "end_date", "person_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("accounts")
                    .col(uuid("id").primary_key())
                    .col(string_uniq("username"))
                    .col(string("password_hash"))
                    .col(string("role"))
                    .col(string("display_name"))
                    .col(uuid_null("person_id"))
                    .col(uuid_null("enterprise_id"))
                    .col(uuid_null("institution_id"))
                    .col(string_null("region_code"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("password_changed_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(string("id").primary_key())
                    .col(text("data"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("sessions_expiry", "sessions", &["expires_at"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("ledger_entries")
                    .col(big_integer("seq").primary_key())
                    .col(timestamp_with_time_zone("at"))
                    .col(string("actor"))
                    .col(string("actor_name"))
                    .col(string("action"))
                    .col(string("entity"))
                    .col(string("entity_key"))
                    .col(uuid_null("person_id"))
                    .col(uuid_null("enterprise_id"))
                    .col(text_null("state"))
                    .col(blob("state_digest"))
                    .col(blob("prev_hash"))
                    .col(blob("hash"))
                    .col(string("algo"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ledger_person",
                "ledger_entries",
                &["person_id", "seq"],
            ))
            .await?;
        manager
            .create_index(index(
                "ledger_enterprise",
                "ledger_entries",
                &["enterprise_id", "seq"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("ledger_head")
                    .col(integer("id").primary_key())
                    .col(big_integer("seq"))
                    .col(blob("hash"))
                    .col(big_integer("checkpoint_seq"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("ledger_head")
                    .columns(["id", "seq", "hash", "checkpoint_seq"])
                    .values_panic([1i32.into(), 0i64.into(), vec![0u8; 32].into(), 0i64.into()])
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("ledger_checkpoints")
                    .col(big_integer("seq").primary_key())
                    .col(timestamp_with_time_zone("at"))
                    .col(blob("head_hash"))
                    .col(string("algo"))
                    .col(string("key_id"))
                    .col(blob("signature"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "ledger_checkpoints",
            "ledger_head",
            "ledger_entries",
            "sessions",
            "accounts",
            "employments",
            "person_identities",
            "persons",
            "institutions",
            "enterprises",
            "regions",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
