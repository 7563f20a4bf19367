//! Every difference between SQLite and PostgreSQL lives here and nowhere else.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr, SelectStatement, SimpleExpr};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::StoreError;

mod pg_rows;

/// Per-connection settings. SQLite: write-ahead log (readers never block the writer),
/// `NORMAL` sync (durable at checkpoints, safe with WAL), and a long busy timeout so that a
/// CLI import and the server can share the file.
///
/// `background_checkpoints`: no automatic checkpoint in the committing connection. By
/// default SQLite's commit that takes the log past 1,000 pages also copies the log into the
/// database and syncs it; under the exam load half the writer's commits took 50–100 ms for
/// that (BENCHMARKS.md), and every save in the batch waited. [`spawn_wal_checkpoints`]
/// does the copying beside the writer instead.
pub fn connect_options(options: &mut ConnectOptions, background_checkpoints: bool) {
    options.map_sqlx_sqlite_opts(move |opts| {
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            .pragma(
                "wal_autocheckpoint",
                if background_checkpoints { "0" } else { "1000" },
            )
            // A log that grew past 512 MiB (a long reader held its restart back) is cut back
            // when it starts afresh. Not less: cutting a 280 MiB log down to 64 MiB at each
            // restart made the next commit wait 60–85 ms under the exam load.
            .pragma("journal_size_limit", "536870912")
    });
}

/// How often the background checkpoint runs.
const WAL_CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Log pages after which the background checkpoint makes the log start afresh (256 MiB of
/// 4 KiB pages). Each restart holds the writers for one pass (20–60 ms under the exam
/// load, mostly the two syncs); at 16,384 pages that happened every 1.2 s of an exam.
const WAL_RESTART_PAGES: i64 = 65_536;

/// SQLite: a task that runs a passive checkpoint four times a second on a connection of its
/// own. A passive checkpoint never blocks the writer or readers; it copies what no reader
/// still needs. But the log only starts afresh when a transaction begins with every page
/// copied, which a writer that commits all the time never allows. So once the log passes
/// [`WAL_RESTART_PAGES`] the task catches up without the lock, then takes `write_lock` (the
/// store's writers queue behind it) and checkpoints again: only the pages since the last
/// pass are left to copy, and the next commit starts the log from its beginning.
///
/// The connection is held for the task's life: taken from the pool under the lock, a
/// connection could keep the writers waiting while the pool was busy with readers (an
/// exam's paper reads). A locked pass over 20 ms is logged with where its time went.
/// PostgreSQL: nothing to do.
pub fn spawn_wal_checkpoints(db: DatabaseConnection, write_lock: Arc<tokio::sync::Mutex<()>>) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(WAL_CHECKPOINT_EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut connection = None;
        loop {
            interval.tick().await;
            let conn = match &mut connection {
                Some(conn) => conn,
                None => match db.get_sqlite_connection_pool().acquire().await {
                    Ok(conn) => connection.insert(conn),
                    Err(err) => {
                        tracing::warn!(%err, "background WAL checkpoint has no connection");
                        continue;
                    }
                },
            };
            let pages = wal_checkpoint(conn).await;
            if let Err(err) = &pages {
                tracing::warn!(%err, "background WAL checkpoint failed");
            }
            let Ok((mut pages, mut copied)) = pages else {
                connection = None;
                continue;
            };
            if pages > WAL_RESTART_PAGES {
                // Catch up without the lock first, so that the writers wait only for the
                // pages of the last moments.
                for _ in 0..4 {
                    if pages - copied < WAL_CATCH_UP_PAGES {
                        break;
                    }
                    match wal_checkpoint(conn).await {
                        Ok(counts) => (pages, copied) = counts,
                        Err(_) => break,
                    }
                }
                let asked = std::time::Instant::now();
                let _writers_wait = write_lock.lock().await;
                let locked = std::time::Instant::now();
                match wal_checkpoint(conn).await {
                    Ok((log, copied_now)) => {
                        let held = locked.elapsed();
                        if held > Duration::from_millis(20) {
                            tracing::info!(
                                wait_ms = (locked - asked).as_millis() as u64,
                                held_ms = held.as_millis() as u64,
                                log_pages = log,
                                left_before = pages - copied,
                                copied = copied_now,
                                "slow WAL restart pass"
                            );
                        }
                    }
                    Err(err) => {
                        tracing::warn!(%err, "background WAL checkpoint failed");
                        connection = None;
                    }
                }
            }
        }
    });
}

/// Pages left uncopied under which the writers are stopped for the last pass.
const WAL_CATCH_UP_PAGES: i64 = 256;

/// Runs one passive checkpoint; returns the pages in the log and the pages copied.
async fn wal_checkpoint(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<(i64, i64), StoreError> {
    use sea_orm::sqlx::Row;
    let row = sea_orm::sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(conn)
        .await
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
    // Columns: busy, pages in the log, pages copied.
    let count = |index: usize| {
        row.try_get::<i64, _>(index)
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))
    };
    Ok((count(1)?, count(2)?))
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

/// How many connections a full evaluation reads facts on, with `cores` cores. SQLite: one
/// per core (the reading is done in this process; more readers contend, at 1,000,000 people
/// four took 10.1 s where two took 8.7 s). PostgreSQL: two per core, so the server's
/// processes build the next ranges while this one evaluates (two readers 12.8 s, four
/// 10.2 s, six 9.9 s).
pub fn fact_readers(db: &impl ConnectionTrait, cores: usize) -> usize {
    match db.get_database_backend() {
        DbBackend::Sqlite => cores.clamp(1, 4),
        _ => (cores * 2).clamp(2, 8),
    }
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

/// Refreshes the planner's statistics of tables whose size changed a lot since they were
/// last analysed — call after a bulk write, inside its transaction. SQLite keeps the
/// statistics of the last `ANALYZE` however much a table grows: after a 100,000-row import
/// into a 300-person database it planned the fact loader's `IN (..)` lookups as full scans
/// (18 ms instead of 0.6 ms for 500 people), and `PRAGMA optimize` re-analyses just the
/// tables that grew (0x10000: check every table, not only those this connection used).
/// PostgreSQL scales its estimates by each table's current size, and autovacuum analyses.
pub async fn refresh_statistics(db: &impl ConnectionTrait) -> Result<(), StoreError> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA optimize=0x10002",
        ))
        .await?;
    }
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

/// One column of a packed read (see [`packed_rows`]).
#[derive(Clone, Copy, Debug)]
pub enum Packed<'a> {
    /// A UUID column: a 16-byte blob in SQLite (read as hex), `uuid` in PostgreSQL.
    Uuid(&'a str),
    /// Any other column, read as JSON would give it: dates as `YYYY-MM-DD`, booleans as
    /// `0`/`1` in SQLite and `true`/`false` in PostgreSQL (read them as [`Flag`]).
    Value(&'a str),
    /// Several plain columns as one nested array (read as a Rust array).
    Nested(&'a [&'a str]),
}

/// Reads the rows `select` finds, with `columns` in order, into `T` (a tuple, tuple struct
/// or array per row; booleans as [`Flag`]). `select` has its tables and conditions but no
/// columns; the columns may name joined tables (`"mentor.name"`).
///
/// Each engine gets the rows its cheapest way:
/// - SQLite packs them into one JSON array of arrays, one value handed over by the driver
///   instead of one row at a time (sqlx hands SQLite rows across threads one by one, which
///   dominated a full evaluation);
/// - PostgreSQL sends one array per column (`array_agg`) in the binary protocol, read by a
///   serde deserializer that walks the columns row by row (building JSON text was 95 % of
///   its work; see `pg_rows`).
pub async fn packed_rows<T: serde::de::DeserializeOwned>(
    db: &impl ConnectionTrait,
    mut select: SelectStatement,
    columns: &[Packed<'_>],
) -> Result<Vec<T>, StoreError> {
    let mismatch = |e: &dyn std::fmt::Display| {
        StoreError::Db(sea_orm::DbErr::Custom(format!(
            "packed rows do not match their columns: {e}"
        )))
    };
    if db.get_database_backend() == DbBackend::Postgres {
        let mut slots = Vec::with_capacity(columns.len());
        let mut width = 0;
        for column in columns {
            let names = match column {
                Packed::Uuid(name) | Packed::Value(name) => {
                    slots.push(pg_rows::Slot::One(width));
                    std::slice::from_ref(name)
                }
                Packed::Nested(names) => {
                    slots.push(pg_rows::Slot::Nested {
                        first: width,
                        len: names.len(),
                    });
                    *names
                }
            };
            for name in names {
                select.expr(Expr::cust(format!("array_agg({name})")));
            }
            width += names.len();
        }
        let Some(row) = db.query_one(&select).await? else {
            return Ok(Vec::new());
        };
        let row = row
            .try_as_pg_row()
            .ok_or_else(|| mismatch(&"a row from another engine"))?;
        let columns = pg_rows::Columns::read(row).map_err(|e| mismatch(&e))?;
        return (0..columns.rows())
            .map(|row| {
                T::deserialize(pg_rows::RowDeserializer {
                    columns: &columns,
                    slots: &slots,
                    row,
                })
                .map_err(|e| mismatch(&e))
            })
            .collect();
    }
    let rendered: Vec<String> = columns
        .iter()
        .map(|column| match column {
            // hex(NULL) is '' in SQLite; a missing id must stay null.
            Packed::Uuid(name) => format!("nullif(hex({name}), '')"),
            Packed::Value(name) => (*name).to_owned(),
            Packed::Nested(names) => format!("json_array({})", names.join(", ")),
        })
        .collect();
    let pack = format!("json_group_array(json_array({}))", rendered.join(", "));
    select.expr_as(Expr::cust(pack), Alias::new("packed"));
    let Some(row) = db.query_one(&select).await? else {
        return Ok(Vec::new());
    };
    let Some(text) = row.try_get::<Option<String>>("", "packed")? else {
        return Ok(Vec::new());
    };
    serde_json::from_str(&text).map_err(|e| mismatch(&e))
}

/// The type of one column of a packed insert (see [`insert_packed`]), which says how the
/// engine turns the JSON value back into the column's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sql {
    /// A UUID, sent as its string (hyphens or not).
    Uuid,
    /// Bytes, sent as lower-case hex.
    Bytes,
    Text,
    SmallInt,
    BigInt,
    Bool,
    /// `YYYY-MM-DD`.
    Date,
    /// As [`timestamp_text`] writes it.
    Timestamp,
}

/// A timestamp as the SQLite driver stores it (RFC 3339, `+00:00`), for packed inserts.
pub fn timestamp_text(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Rows per packed insert: one JSON parameter each, so only memory bounds it.
const PACKED_INSERT_ROWS: usize = 5_000;

/// Inserts `rows` into `table` as one JSON parameter per 5,000 rows that the database
/// unpacks itself (`json_each` in SQLite, `jsonb_array_elements` in PostgreSQL), instead of
/// a bind parameter per value: a million verdict rows or the 200,000 ledger entries of a
/// roster import were mostly spent building and binding parameters. Each row serializes as
/// a JSON array with `columns` in order.
pub async fn insert_packed<T: serde::Serialize>(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[(&str, Sql)],
    rows: &[T],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let values: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, sql))| match backend {
            DbBackend::Sqlite => match sql {
                Sql::Uuid => format!("unhex(value ->> {i}, '-')"),
                Sql::Bytes => format!("unhex(value ->> {i})"),
                _ => format!("value ->> {i}"),
            },
            _ => match sql {
                Sql::Uuid => format!("(value ->> {i})::uuid"),
                Sql::Bytes => format!("decode(value ->> {i}, 'hex')"),
                Sql::Text => format!("value ->> {i}"),
                Sql::SmallInt => format!("(value ->> {i})::smallint"),
                Sql::BigInt => format!("(value ->> {i})::bigint"),
                Sql::Bool => format!("(value ->> {i})::boolean"),
                Sql::Date => format!("(value ->> {i})::date"),
                Sql::Timestamp => format!("(value ->> {i})::timestamptz"),
            },
        })
        .collect();
    let source = match backend {
        DbBackend::Sqlite => "json_each(?)",
        _ => "jsonb_array_elements($1::jsonb) AS value",
    };
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {source}",
        names.join(", "),
        values.join(", ")
    );
    for chunk in rows.chunks(PACKED_INSERT_ROWS) {
        let json = serde_json::to_string(chunk).map_err(|e| {
            StoreError::Db(sea_orm::DbErr::Custom(format!(
                "packed rows for {table}: {e}"
            )))
        })?;
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            sql.as_str(),
            [json.into()],
        ))
        .await?;
    }
    Ok(())
}

/// A boolean column in a packed read: `0`/`1` from SQLite, `true`/`false` from PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> serde::Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean, 0 or 1")
            }
            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Flag, E> {
                Ok(Flag(value))
            }
            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Flag, E> {
                Ok(Flag(value != 0))
            }
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Flag, E> {
                Ok(Flag(value != 0))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
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
    fn flags_read_alike_from_both_engines() {
        let flags: Vec<Flag> = serde_json::from_str("[0, 1, true, false]").unwrap_or_default();
        assert_eq!(flags, [Flag(false), Flag(true), Flag(true), Flag(false)]);
    }

    #[test]
    fn like_wildcards_in_user_input_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
        assert_eq!(escape_like("张三"), "张三");
    }
}
