//! Every difference between SQLite and PostgreSQL lives here and nowhere else.

use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::StoreError;

/// Per-connection settings. SQLite: write-ahead log (readers never block the writer),
/// `NORMAL` sync (durable at checkpoints, safe with WAL), and a long busy timeout so that a
/// CLI import and the server can share the file.
pub fn connect_options(options: &mut ConnectOptions) {
    options.map_sqlx_sqlite_opts(|opts| {
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
    });
}

/// Settings applied once after connecting.
pub async fn tune(db: &DatabaseConnection) -> Result<(), StoreError> {
    if db.get_database_backend() == DbBackend::Sqlite {
        // Database-level: persists in the file.
        db.execute_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA journal_mode=WAL",
        ))
        .await?;
    }
    Ok(())
}

/// Refreshes the planner's statistics after a bulk load. Without them PostgreSQL plans the
/// fact loader's `IN (..)` lookups on a freshly filled million-person database as sequential
/// scans (a full evaluation took 738 s instead of 35 s); SQLite samples (analysis_limit) so
/// that this stays quick on a large file.
pub async fn analyze(db: &DatabaseConnection) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite {
        db.execute_raw(Statement::from_string(
            backend,
            "PRAGMA analysis_limit=1000",
        ))
        .await?;
    }
    db.execute_raw(Statement::from_string(backend, "ANALYZE"))
        .await?;
    Ok(())
}

/// Case-insensitive "contains" for user search, alike on both engines (Chinese has no case;
/// Latin names compare lower-cased). Wildcards typed by the user are escaped.
pub fn contains(column: SimpleExpr, needle: &str) -> SimpleExpr {
    // `lower(col) LIKE lower(pattern)` on both engines: sea-query renders ILIKE with its
    // ESCAPE clause inside parentheses, which PostgreSQL rejects.
    let pattern = LikeExpr::new(format!("%{}%", escape_like(&needle.to_lowercase()))).escape('\\');
    Expr::expr(Func::lower(column)).like(pattern)
}

/// Bytes the database occupies: SQLite's file (after folding the write-ahead log in),
/// PostgreSQL's `pg_database_size`.
pub async fn database_size(db: &DatabaseConnection) -> Result<Option<u64>, StoreError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            db.execute_raw(Statement::from_string(
                backend,
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ))
            .await?;
            "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()"
        }
        DbBackend::Postgres => "SELECT pg_database_size(current_database())::bigint AS bytes",
        _ => return Ok(None),
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    Ok(row
        .and_then(|r| r.try_get::<i64>("", "bytes").ok())
        .map(|b| Ord::max(b, 0) as u64))
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_user_input_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(escape_like("张三"), "张三");
    }
}
