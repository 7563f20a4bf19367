//! The one migration set, for SQLite and PostgreSQL alike. SQLite cannot run an ALTER with
//! several changes (sea-orm #1809), so every statement here makes one change.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0002_certificates;
mod m0003_education;
mod m0004_training_and_assessments;
mod m0005_enterprise_ledgers;
mod m0006_verdicts;
mod m0007_notifications;
mod m0009_exams;
mod m0010_training_and_subsidies;
mod m0011_exam_sign_in;
mod m0012_verification_tokens;
mod m0013_accounts;
mod m0014_pii_access;
mod m0015_institution_registrations;

/// Creates index `name` on `cols` of `table` (one statement, as SQLite needs).
pub(crate) async fn index(
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

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_certificates::Migration),
            Box::new(m0003_education::Migration),
            Box::new(m0004_training_and_assessments::Migration),
            Box::new(m0005_enterprise_ledgers::Migration),
            Box::new(m0006_verdicts::Migration),
            Box::new(m0007_notifications::Migration),
            Box::new(m0009_exams::Migration),
            Box::new(m0010_training_and_subsidies::Migration),
            Box::new(m0011_exam_sign_in::Migration),
            Box::new(m0012_verification_tokens::Migration),
            Box::new(m0013_accounts::Migration),
            Box::new(m0014_pii_access::Migration),
            Box::new(m0015_institution_registrations::Migration),
        ]
    }
}
