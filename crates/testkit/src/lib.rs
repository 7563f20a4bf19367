//! Dev-only test kit: boots the real Anpei server (the same `anpei_web::app` the binary
//! serves) on port 0 over a fresh database with the demo province in it, once per test, on
//! SQLite and on PostgreSQL (STYLE.md points 11 and 17).
//!
//! PostgreSQL comes from `ANPEI_TEST_POSTGRES_URL` (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/test`); each test creates its own database
//! `anpei_t_<32 hex>` there and drops it afterwards. Without the variable the PostgreSQL
//! half of a test is skipped with a note, except under `CI=true`, where a missing URL is a
//! failure: CI must never pass by skipping. A URL that is set but unreachable always fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "dev-only test kit"
)]

use std::path::PathBuf;
use std::time::Duration;

use anpei_store::demo::{self, DemoReport, DemoSpec};
use anpei_store::{Store, StoreConfig};
use anpei_web::clock::Clock;
use reqwest::{Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;
use tokio::sync::{Semaphore, SemaphorePermit};
use uuid::Uuid;

/// The environment variable holding the PostgreSQL admin URL.
pub const POSTGRES_URL_VAR: &str = "ANPEI_TEST_POSTGRES_URL";

/// People in the demo province each test starts from: enough for every role to have
/// something in and something out of its jurisdiction (300 enterprises over 13 cities),
/// small enough to generate in about a second.
pub const TEST_DEMO: DemoSpec = DemoSpec {
    people: 400,
    seed: 7,
};

/// The instant every test app's clock starts from: tests run the demo and the server on a
/// fixed date, so that no test passes for weeks and then fails on some date of the year.
/// 10:00 in Asia/Shanghai, so that a whole test run stays on one business day.
pub const TEST_CLOCK_START: &str = "2026-11-30T10:00:00+08:00";

/// The clock shared by the test apps (and the test bodies): started at
/// [`TEST_CLOCK_START`] on first use, running on from there. A test that moves time spawns
/// its app on a clock of its own ([`spawn_app_on`]).
pub fn clock() -> &'static Clock {
    static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();
    CLOCK.get_or_init(|| Clock::starting_at(clock_start()))
}

/// [`TEST_CLOCK_START`] as an instant.
pub fn clock_start() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(TEST_CLOCK_START)
        .expect("TEST_CLOCK_START is RFC 3339")
        .with_timezone(&chrono::Utc)
}

/// Now on the tests' clock.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    clock().now()
}

/// Today (Asia/Shanghai) on the tests' clock.
pub fn today() -> chrono::NaiveDate {
    clock().today()
}

/// The log lines the servers of this test process wrote (through `tracing`, at the levels
/// `anpei serve` logs by default), kept so that tests can check what is and is not logged:
/// failures are logged, ID numbers never are. Installed by the first app spawned.
pub fn logs() -> String {
    let buffer = log_buffer();
    let bytes = buffer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// At most this much log is kept (the rest of a long run is dropped, not the start).
const LOG_LIMIT: usize = 256 * 1024 * 1024;

fn log_buffer() -> &'static std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    static BUFFER: std::sync::OnceLock<std::sync::Arc<std::sync::Mutex<Vec<u8>>>> =
        std::sync::OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let writer = LogWriter(buffer.clone());
        // The same filter as the binary's default (ANPEI_LOG can widen it).
        let filter = tracing_subscriber::EnvFilter::try_from_env("ANPEI_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buffer
    })
}

#[derive(Clone)]
struct LogWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if bytes.len() + buf.len() <= LOG_LIMIT {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// At most this many PostgreSQL test databases exist at once, whatever `--test-threads`
/// says: each holds a connection pool, and the server's `max_connections` is finite.
static POSTGRES_SLOTS: Semaphore = Semaphore::const_new(3);

/// The database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The PostgreSQL admin URL, `None` to skip PostgreSQL tests. Panics under `CI=true` when
/// the variable is missing.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!(
                    "CI requires {POSTGRES_URL_VAR} (e.g. postgres://postgres@127.0.0.1:5432/test): \
                     every store and HTTP test must also run on PostgreSQL"
                );
            }
            None
        }
    }
}

/// A running server over its own database, with the demo province generated into it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's own store (same database, same ledger key).
    pub store: Store,
    pub demo: DemoReport,
    pub engine: Engine,
    pub database_url: String,
    pub ledger_key: PathBuf,
    pub dir: PathBuf,
    /// The server's clock (shared with the test body: [`TestApp::today`], [`TestApp::now`]).
    pub clock: Clock,
    server: Option<tokio::task::JoinHandle<()>>,
    /// The database and directory to remove; declared after `server` so that it is
    /// dropped after it.
    scratch: Scratch,
}

/// What a test leaves behind until it is removed: the temporary directory and, on
/// PostgreSQL, the database (with the slot it holds). Removed by [`TestApp::cleanup`], or on
/// drop when a test panicked first, so that failed runs do not pile up databases.
struct Scratch {
    dir: PathBuf,
    admin_url: Option<String>,
    db_name: Option<String>,
    _slot: Option<SemaphorePermit<'static>>,
    removed: bool,
}

impl Scratch {
    async fn remove(&mut self) {
        if let (Some(admin), Some(name)) = (&self.admin_url, &self.db_name) {
            let conn = admin_connection(admin)
                .await
                .unwrap_or_else(|err| panic!("reconnect to PostgreSQL to drop {name}: {err}"));
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap_or_else(|err| panic!("DROP DATABASE {name} failed: {err}"));
            conn.close().await.ok();
        }
        std::fs::remove_dir_all(&self.dir).ok();
        self.removed = true;
    }
}

impl Drop for Scratch {
    /// Without `remove` (a panic came first): drop the database from a thread of its own,
    /// since we may be inside the test's runtime, where blocking on another is not allowed.
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        if let (Some(admin), Some(name)) = (self.admin_url.clone(), self.db_name.clone()) {
            let shown = name.clone();
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    let conn = admin_connection(&admin).await.ok()?;
                    conn.execute_unprepared(&format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    ))
                    .await
                    .ok()?;
                    conn.close().await.ok()
                })
            })
            .join();
            if !matches!(dropped, Ok(Some(()))) {
                eprintln!("note: could not drop the test database {shown} after a failure");
            }
        }
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("base", &self.base)
            .field("engine", &self.engine)
            .field("dir", &self.dir)
            .finish()
    }
}

/// Boots the app on `engine`; panics when PostgreSQL is asked for but not configured.
pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, TEST_DEMO).await
}

/// Boots the app on `engine`, or returns `None` (after a note on stderr) when that engine
/// is PostgreSQL and no URL is configured outside CI.
pub async fn spawn_app_or_skip(engine: Engine) -> Option<TestApp> {
    if engine == Engine::Postgres && postgres_admin_url().is_none() {
        eprintln!(
            "note: {POSTGRES_URL_VAR} is not set; skipping the PostgreSQL variant of this test"
        );
        return None;
    }
    Some(spawn_app(engine).await)
}

/// [`spawn_app_on`], or `None` (after a note) when that engine is PostgreSQL and no URL is
/// configured outside CI.
pub async fn spawn_app_on_or_skip(engine: Engine, spec: DemoSpec, clock: Clock) -> Option<TestApp> {
    if engine == Engine::Postgres && postgres_admin_url().is_none() {
        eprintln!(
            "note: {POSTGRES_URL_VAR} is not set; skipping the PostgreSQL variant of this test"
        );
        return None;
    }
    Some(spawn_app_on(engine, spec, clock).await)
}

/// A fresh, empty database and temporary directory, without a server: for tests that
/// drive the store or the binary directly. Removed by [`TestDatabase::cleanup`] (or on
/// drop, when the test panicked first).
pub struct TestDatabase {
    pub engine: Engine,
    /// `sqlite://<dir>/anpei.db?mode=rwc`, or the admin URL naming `anpei_t_<32 hex>`.
    pub url: String,
    /// A temporary directory of the test's own (for the SQLite file, ledger keys, exports).
    pub dir: PathBuf,
    scratch: Scratch,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("engine", &self.engine)
            .field("dir", &self.dir)
            .finish()
    }
}

impl TestDatabase {
    /// Drops the PostgreSQL database (closing whatever connections remain) and removes the
    /// temporary directory.
    pub async fn cleanup(mut self) {
        self.scratch.remove().await;
    }
}

/// A fresh database on `engine`, or `None` (after a note on stderr) when that engine is
/// PostgreSQL and no URL is configured outside CI.
pub async fn fresh_database(engine: Engine) -> Option<TestDatabase> {
    if engine == Engine::Postgres && postgres_admin_url().is_none() {
        eprintln!(
            "note: {POSTGRES_URL_VAR} is not set; skipping the PostgreSQL variant of this test"
        );
        return None;
    }
    Some(create_database(engine).await)
}

/// A fresh database on `engine`; panics when PostgreSQL is asked for but not configured.
pub async fn create_database(engine: Engine) -> TestDatabase {
    let dir = std::env::temp_dir().join(format!("anpei-test-{}", Uuid::now_v7()));
    let mut scratch = Scratch {
        dir: dir.clone(),
        admin_url: None,
        db_name: None,
        _slot: None,
        removed: false,
    };
    let url = match engine {
        Engine::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("anpei.db").display()),
        Engine::Postgres => {
            let admin = postgres_admin_url().unwrap_or_else(|| {
                panic!("{POSTGRES_URL_VAR} is not set; use spawn_app_or_skip to skip")
            });
            scratch._slot = Some(
                POSTGRES_SLOTS
                    .acquire()
                    .await
                    .expect("the PostgreSQL slot semaphore is never closed"),
            );
            let name = format!("anpei_t_{}", Uuid::now_v7().simple());
            let conn = admin_connection(&admin).await.unwrap_or_else(|err| {
                panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unreachable: {err}")
            });
            conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap_or_else(|err| panic!("CREATE DATABASE {name} failed: {err}"));
            conn.close().await.ok();
            let url = with_database(&admin, &name);
            scratch.admin_url = Some(admin);
            scratch.db_name = Some(name);
            url
        }
    };
    std::fs::create_dir_all(&dir).expect("create the test's temporary directory");
    TestDatabase {
        engine,
        url,
        dir,
        scratch,
    }
}

/// Boots the app with a demo of a chosen size, on the tests' shared clock.
pub async fn spawn_app_with(engine: Engine, spec: DemoSpec) -> TestApp {
    spawn_app_on(engine, spec, clock().clone()).await
}

/// Boots the app on a clock of its own: for a test that moves time
/// (`app.clock.advance(..)`), so that other tests' apps keep their date.
pub async fn spawn_app_on(engine: Engine, spec: DemoSpec, clock: Clock) -> TestApp {
    log_buffer();
    let TestDatabase {
        url: database_url,
        dir,
        scratch,
        ..
    } = create_database(engine).await;
    let ledger_key = dir.join("ledger-sm2.key");
    let store = Store::open(&StoreConfig {
        database_url: database_url.clone(),
        ledger_key_path: ledger_key.clone(),
        checkpoint_every: 100,
        max_connections: 5,
        background_wal_checkpoints: false,
    })
    .await
    .expect("open the store");
    let demo = demo::generate(&store, spec, clock.today(), clock.now(), &|_, _| {})
        .await
        .expect("generate the demo province");
    anpei_store::verdicts::rebuild(&store, clock.today(), clock.now(), &|_, _| {})
        .await
        .expect("evaluate the demo province");
    anpei_store::notifications::generate(&store, clock.today(), clock.now())
        .await
        .expect("notify the demo province");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let base = format!("http://{}", listener.local_addr().expect("a bound address"));
    // The server's public URL is the address the tests reach it at.
    let public_url = anpei_web::security::PublicUrl::parse(&base).expect("a public URL");
    let router = anpei_web::app(
        store.clone(),
        anpei_web::WebConfig {
            clock: clock.clone(),
            ..anpei_web::WebConfig::new(public_url)
        },
    );
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    TestApp {
        base,
        store,
        demo,
        engine,
        database_url,
        ledger_key,
        dir,
        clock,
        server: Some(server),
        scratch,
    }
}

/// One connection to the admin database; a server that is down fails in seconds, not after
/// the pool's default 30-second wait.
async fn admin_connection(admin: &str) -> Result<sea_orm::DatabaseConnection, sea_orm::DbErr> {
    let mut options = sea_orm::ConnectOptions::new(admin.to_owned());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    sea_orm::Database::connect(options).await
}

/// The admin URL with its database name replaced by `name` (query string kept).
fn with_database(admin: &str, name: &str) -> String {
    let (scheme, rest) = admin.split_once("://").unwrap_or(("postgres", admin));
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let mut url = format!("{scheme}://{authority}/{name}");
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// The tests' HTTP clients: a cookie jar, and `Origin: <base>` on every request.
pub fn client_builder(base: &str) -> reqwest::ClientBuilder {
    Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .default_headers(origin_headers(base))
}

/// `Origin: <base>`, as a browser sends on its writes: the server refuses a write without
/// its own origin (CSRF). For clients built without [`client_builder`].
pub fn origin_headers(base: &str) -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(base).expect("the base URL is a header value"),
    );
    headers
}

impl TestApp {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Now on the server's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today (Asia/Shanghai) on the server's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// A client with no session.
    pub fn anonymous(&self) -> Client {
        client_builder(&self.base).build().expect("an HTTP client")
    }

    /// A client signed in as the demo login `username` (password [`demo::DEMO_PASSWORD`]).
    pub async fn login(&self, username: &str) -> Client {
        let client = self.anonymous();
        let response = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({
                "username": username,
                "password": demo::DEMO_PASSWORD,
            }))
            .send()
            .await
            .expect("POST /api/v1/session");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(
            status,
            StatusCode::OK,
            "demo login {username:?} must succeed: {body}"
        );
        client
    }

    /// The ledger's head sequence number, read from the database.
    pub async fn ledger_head(&self) -> i64 {
        anpei_store::entity::ledger_head::Entity::find_by_id(1)
            .one(self.store.connection())
            .await
            .expect("read ledger_head")
            .map_or(0, |head| head.seq)
    }

    /// Rows in `table`, by raw SQL (for "nothing was written" checks).
    pub async fn count_rows(&self, table: &str) -> i64 {
        let db = self.store.connection();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count rows")
            .expect("COUNT returns a row");
        row.try_get::<i64>("", "n").expect("COUNT is an integer")
    }

    /// The full, unmasked ID number of a person, straight from the database.
    pub async fn full_id_number(&self, person_id: Uuid) -> String {
        anpei_store::entity::person::Entity::find_by_id(person_id)
            .one(self.store.connection())
            .await
            .expect("read persons")
            .unwrap_or_else(|| panic!("person {person_id} exists"))
            .id_number
    }

    /// Stops the server, drops the PostgreSQL database and removes the temporary directory.
    pub async fn cleanup(mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
        self.store.connection().close_by_ref().await.ok();
        self.scratch.remove().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// The JSON body of a response that must have `status`; the message shows the body if not.
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let got = response.status();
    let url = response.url().clone();
    let text = response.text().await.expect("read the response body");
    assert_eq!(got, status, "{url}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{url}: not JSON ({err}): {text}"))
}

/// The problem document of an error response: checks the status, the
/// `application/problem+json` content type and that both languages are filled in.
pub async fn expect_problem(response: Response, status: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let url = response.url().clone();
    let problem = expect_json(response, status).await;
    assert_eq!(
        content_type, "application/problem+json",
        "{url}: errors are problem documents: {problem}"
    );
    assert_eq!(problem["status"], status.as_u16(), "{url}: {problem}");
    for key in ["type", "title", "detail_zh", "detail_en"] {
        assert!(
            problem[key].as_str().is_some_and(|s| !s.is_empty()),
            "{url}: problem has {key}: {problem}"
        );
    }
    problem
}

/// Runs a test body against a fresh app on each engine: a module `$name` with the tests
/// `sqlite` and `postgres`. The body borrows the [`TestApp`] `app`, which is cleaned up
/// afterwards (or, if the body panics, dropped: see `Drop for TestApp`).
///
/// ```ignore
/// both_engines!(worker_reads_their_own_archive, |app| async move {
///     let client = app.login("worker").await;
///     // ...
/// });
/// ```
#[macro_export]
macro_rules! both_engines {
    ($name:ident, |$app:ident| async move $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($app) = $crate::spawn_app_or_skip($crate::Engine::Sqlite).await else {
                    return;
                };
                // Not `move`: the body borrows the app, which is cleaned up afterwards.
                async $body.await;
                $app.cleanup().await;
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::spawn_app_or_skip($crate::Engine::Postgres).await else {
                    return;
                };
                // Not `move`: the body borrows the app, which is cleaned up afterwards.
                async $body.await;
                $app.cleanup().await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_replaces_the_admin_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "anpei_t_1"),
            "postgres://postgres@127.0.0.1:5432/anpei_t_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
