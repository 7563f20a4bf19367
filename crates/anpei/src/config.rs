//! Configuration, declared once: flags, then `ANPEI_*` environment variables, then
//! defaults. Validated into [`Config`] before anything runs.

use std::net::SocketAddr;
use std::path::PathBuf;

use anpei_store::exam::throttle::Limiting;
use anpei_store::{Store, StoreConfig};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct RawConfig {
    /// Database URL: `sqlite://FILE?mode=rwc` (default: an SQLite file in the data
    /// directory) or `postgres://user@host/db`.
    #[arg(
        long = "database",
        env = "ANPEI_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database: Option<String>,
    /// Directory for the SQLite file and the ledger signing key.
    #[arg(long, env = "ANPEI_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// SM2 key that signs ledger checkpoints (default: DATA_DIR/ledger-sm2.key).
    #[arg(long, env = "ANPEI_LEDGER_KEY", global = true)]
    pub ledger_key: Option<PathBuf>,
    /// Sign a ledger checkpoint every this many entries.
    #[arg(
        long,
        env = "ANPEI_CHECKPOINT_EVERY",
        default_value_t = 1000,
        global = true
    )]
    pub checkpoint_every: u64,
    /// Log format: text or json.
    #[arg(long, env = "ANPEI_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: String,
    /// Run on a clock that starts at this instant (RFC 3339, e.g. 2026-06-15T10:00:00+08:00)
    /// instead of the system's: for tests and rehearsals, never for a real province.
    #[arg(long, env = "ANPEI_CLOCK_START", global = true, hide = true)]
    pub clock_start: Option<String>,
}

/// The validated configuration.
#[derive(Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub json_logs: bool,
    /// The clock every command and the server run on.
    pub clock: anpei_web::clock::Clock,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("store", &self.store)
            .field("json_logs", &self.json_logs)
            .field("clock", &self.clock)
            .finish()
    }
}

impl Config {
    pub fn from_raw(raw: RawConfig) -> anyhow::Result<Self> {
        let database_url = match raw.database {
            Some(url) => url,
            None => {
                std::fs::create_dir_all(&raw.data_dir)?;
                format!(
                    "sqlite://{}?mode=rwc",
                    raw.data_dir.join("anpei.db").display()
                )
            }
        };
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            anyhow::bail!("--database must be a sqlite:// or postgres:// URL");
        }
        let json_logs = match raw.log_format.as_str() {
            "json" => true,
            "text" => false,
            other => anyhow::bail!("--log-format must be text or json, not {other:?}"),
        };
        let ledger_key_path = raw
            .ledger_key
            .unwrap_or_else(|| raw.data_dir.join("ledger-sm2.key"));
        let max_connections = if database_url.starts_with("sqlite:") {
            8
        } else {
            16
        };
        let clock = match raw.clock_start.as_deref().map(str::trim) {
            None | Some("") => anpei_web::clock::Clock::system(),
            Some(start) => {
                let start = chrono::DateTime::parse_from_rfc3339(start).map_err(|_| {
                    anyhow::anyhow!(
                        "--clock-start must be an RFC 3339 instant, e.g. 2026-06-15T10:00:00+08:00"
                    )
                })?;
                anpei_web::clock::Clock::starting_at(start.with_timezone(&chrono::Utc))
            }
        };
        Ok(Config {
            clock,
            store: StoreConfig {
                database_url,
                ledger_key_path,
                checkpoint_every: raw.checkpoint_every.max(1),
                max_connections,
                background_wal_checkpoints: false,
            },
            json_logs,
        })
    }
}

/// Where to listen.
pub fn parse_addr(addr: &str) -> anyhow::Result<SocketAddr> {
    addr.parse()
        .map_err(|_| anyhow::anyhow!("--addr must be HOST:PORT, e.g. 127.0.0.1:8080"))
}

/// The address users reach the server at: `--public-url`/`ANPEI_PUBLIC_URL`, else
/// `http://<--addr>`. It is the base of certificate QR links and the one origin writes may
/// come from, so a server behind a proxy or a name must be told it.
pub fn public_url(
    flag: Option<&str>,
    addr: SocketAddr,
) -> anyhow::Result<anpei_web::security::PublicUrl> {
    let text = match flag.map(str::trim) {
        Some(url) if !url.is_empty() => url.to_owned(),
        _ => format!("http://{addr}"),
    };
    anpei_web::security::PublicUrl::parse(&text)
        .map_err(|err| anyhow::anyhow!("--public-url {text:?}: {err}"))
}

/// The exam-day limits a server runs with: on, unless `serve --without-limits-for-bench`
/// (hidden) asks for the baseline of `anpei bench exam --compare-limits` — and that is
/// refused unless the database was generated as a demo, so that a flag copied into a real
/// province's service file stops the server instead of weakening it.
pub async fn serve_limits(
    store: &Store,
    without_limits_for_bench: bool,
) -> anyhow::Result<Limiting> {
    if !without_limits_for_bench {
        return Ok(Limiting::On);
    }
    if !anpei_store::ops::accounts::is_demo_database(store.connection()).await? {
        anyhow::bail!(
            "--without-limits-for-bench 只能用于演示数据库 / is refused: this database was not generated as a demo (`anpei demo`), and a real province's server always keeps its exam-day limits"
        );
    }
    tracing::warn!(
        "EXAM-DAY LIMITS OFF (--without-limits-for-bench): no exam sign-in throttling, no cross-origin write check; a benchmark baseline on a demo database, never a real server"
    );
    eprintln!(
        "警告 WARNING: 考试日限制已关闭 / exam-day limits are OFF (--without-limits-for-bench): benchmark baseline only"
    );
    Ok(Limiting::Off)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open(db: &anpei_testkit::TestDatabase) -> Store {
        Store::open(&StoreConfig {
            database_url: db.url.clone(),
            ledger_key_path: db.dir.join("ledger-sm2.key"),
            checkpoint_every: 1000,
            max_connections: 2,
            background_wal_checkpoints: false,
        })
        .await
        .expect("open the test database")
    }

    #[tokio::test]
    async fn the_limits_stay_on_unless_asked_and_the_bench_flag_is_refused_off_a_demo() {
        let db = anpei_testkit::create_database(anpei_testkit::Engine::Sqlite).await;
        let store = open(&db).await;
        assert_eq!(serve_limits(&store, false).await.unwrap(), Limiting::On);
        // An empty database, and one with a province in it but not generated as a demo.
        let refused = serve_limits(&store, true).await.unwrap_err().to_string();
        assert!(refused.contains("not generated as a demo"), "{refused}");
        anpei_store::exam::drill::host_enterprise(&store, None, "230102", anpei_testkit::now())
            .await
            .expect("an enterprise");
        assert!(!anpei_store::demo::is_empty(&store).await.unwrap());
        assert!(serve_limits(&store, true).await.is_err());
        drop(store);
        db.cleanup().await;
    }
}
