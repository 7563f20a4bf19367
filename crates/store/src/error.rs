//! The store's one error type. Constraint violations are told apart from other database
//! errors so that the web layer can answer 409 with the field at fault.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// A request that is well-formed but breaks a rule; carries the bilingual reason.
    #[error("{en}")]
    Invalid {
        field: String,
        zh: String,
        en: String,
    },
    #[error("ledger key: {0}")]
    Key(String),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(DbErr),
}

impl StoreError {
    pub fn invalid(field: &str, reason: &impl anpei_domain::Bilingual) -> Self {
        StoreError::Invalid {
            field: field.to_owned(),
            zh: reason.zh(),
            en: reason.en(),
        }
    }

    pub fn invalid_text(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.to_owned(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() {
            return StoreError::Conflict {
                constraint: constraint_name(&message),
            };
        }
        if matches!(err, DbErr::RecordNotFound(_)) {
            return StoreError::NotFound;
        }
        if let DbErr::Conn(RuntimeErr::Internal(_)) = &err {
            return StoreError::Db(err);
        }
        StoreError::Db(err)
    }
}

/// PostgreSQL names the constraint (`persons_pkey`), SQLite the columns
/// (`UNIQUE constraint failed: enterprises.credit_code`); both map to the table/column part.
fn constraint_name(message: &str) -> String {
    if let Some(rest) = message.split("UNIQUE constraint failed: ").nth(1) {
        return rest.trim().to_owned();
    }
    if let Some(rest) = message.split("unique constraint \"").nth(1) {
        return rest.split('"').next().unwrap_or(rest).to_owned();
    }
    message.to_owned()
}
