//! Anpei's web layer: pages (askama + htmx, Simplified Chinese first) and the JSON API
//! (OpenAPI 3.1 at `/openapi.json`), over one axum router.
//!
//! Handlers are thin: extract (the [`auth::Authed`] actor, parsed input), call `store`,
//! render. Errors are [`error::WebError`], mapped to problem+json once.

pub mod api;
pub mod auth;
pub mod clock;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod import_progress;
pub mod pages;
pub mod paging;
pub mod qr;
pub mod security;
pub mod throttle;
pub mod verification;

use std::time::Duration;

use anpei_store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_login::AuthManagerLayerBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// The public address (e.g. `https://anpei.example.cn`): the base of links that leave
    /// the screen (the QR codes on certificates) and the only origin writes may come from.
    /// Always known, never taken from a request's `Host`.
    pub public_url: security::PublicUrl,
    /// Most exam jobs (answer saves, sign-ins, hand-ins) the exam writer commits in one
    /// transaction. 1 is the unbatched baseline `anpei bench exam --unbatched` compares with.
    pub exam_batch: usize,
    /// The clock every request and job of this server reads (the system's in production;
    /// a fixed start in tests).
    pub clock: clock::Clock,
    /// Per-address limits of public certificate verification (`verification`); `None`
    /// turns them off (the benchmark's baseline).
    pub verify_limits: Option<verification::VerifyLimits>,
    /// The exam-day limits: exam sign-in throttling and the cross-origin write check.
    /// Always `On` but for the baseline server of `anpei bench exam --compare-limits`
    /// (`anpei serve --without-limits-for-bench`, refused on anything but a demo database).
    pub limits: security::Limiting,
}

impl WebConfig {
    /// The defaults for a server reached at `public_url`.
    pub fn new(public_url: security::PublicUrl) -> Self {
        WebConfig {
            secure_cookies: false,
            body_limit: 1024 * 1024,
            public_url,
            exam_batch: anpei_store::exam::attempts::BATCH,
            clock: clock::Clock::system(),
            verify_limits: Some(verification::VerifyLimits::default()),
            limits: security::Limiting::On,
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub config: WebConfig,
    /// The exam writer (durable answering) of this server.
    pub exam_desk: anpei_store::exam::attempts::ExamDesk,
    /// Roster imports in flight, for their upload pages.
    pub imports: import_progress::ImportProgress,
    /// Sign-in failures per account and per address (web and API alike).
    pub sign_ins: throttle::SignInThrottle,
    /// Public verification's per-address limits.
    pub verify_limiter: std::sync::Arc<verification::VerifyLimiter>,
}

/// The whole application.
pub fn app(store: Store, config: WebConfig) -> Router {
    let exam_desk = anpei_store::exam::attempts::ExamDesk::start_with(
        store.clone(),
        config.exam_batch,
        config.limits,
    );
    spawn_exam_sweeper(exam_desk.clone(), config.clock.clone());
    // Public verification answers from memory once this has loaded (`store::verify_index`).
    store.start_verify_index();
    let state = AppState {
        store: store.clone(),
        config: config.clone(),
        exam_desk,
        imports: import_progress::ImportProgress::default(),
        sign_ins: throttle::SignInThrottle::default(),
        verify_limiter: std::sync::Arc::new(verification::VerifyLimiter::new(config.verify_limits)),
    };
    let sessions = SessionManagerLayer::new(auth::DbSessionStore::new(store.clone()))
        .with_name("anpei_session")
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_secure(config.secure_cookies)
        // The cookie dies with the browser; the server ends the session after 30 minutes
        // idle or 12 hours in all (`auth::IDLE_TIMEOUT`, `auth::ABSOLUTE_TIMEOUT`).
        .with_expiry(Expiry::OnSessionEnd);
    let auth = AuthManagerLayerBuilder::new(auth::Backend::new(store), sessions).build();

    let (api, public_api) = api::routers();
    Router::new()
        .merge(pages::router())
        .merge(api)
        .layer(auth)
        // Read-only and anonymous: no session to load or save.
        .route("/healthz", get(healthz))
        .merge(public_api)
        // Before the session is loaded; the anonymous API (exam sign-in) included.
        .layer(middleware::from_fn_with_state(
            (config.public_url.clone(), config.limits),
            security::same_origin_writes,
        ))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // A panic anywhere below is a plain 500 (pages catch theirs inside `html_errors`).
        .layer(CatchPanicLayer::custom(security::panic_response))
        .layer(middleware::from_fn_with_state(
            security::HeaderPolicy {
                https: config.secure_cookies,
            },
            security::headers,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn_with_state(
            config.clock.clone(),
            on_the_server_clock,
        ))
        .with_state(state)
}

/// Runs the request on the server's clock ([`clock::now`] inside it reads that clock).
async fn on_the_server_clock(
    axum::extract::State(clock): axum::extract::State<clock::Clock>,
    request: Request,
    next: Next,
) -> Response {
    clock.scope(next.run(request)).await
}

async fn healthz() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], "ok")
}

/// Serves until ctrl-c (or SIGTERM), then finishes the requests in flight.
/// Each request knows its client's address (for sign-in throttling).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Background upkeep while serving: timed ledger checkpoints and expired-session cleanup,
/// on the clock of the caller.
pub fn spawn_upkeep(store: Store, every: Duration) {
    spawn_daily_evaluation(store.clone());
    tokio::spawn(clock::current().scope(async move {
        let mut interval = tokio::time::interval(every);
        interval.tick().await;
        loop {
            interval.tick().await;
            if let Err(err) = store.checkpoint_now(clock::now()).await {
                tracing::warn!(%err, "timed ledger checkpoint failed");
            }
            if let Err(err) = anpei_store::sessions::delete_expired(&store, clock::now()).await {
                tracing::warn!(%err, "session cleanup failed");
            }
        }
    }));
}

/// Re-evaluates everyone once a day (verdicts move with the calendar: certificates expire
/// overnight), and at start when the last full evaluation is older than today or was made
/// under another rule set. Writes keep the people they touch current in between.
/// Submits attempts whose time is up (and marks the absent) once a second: an examinee who
/// closed the page still gets their paper handed in and graded at the deadline.
fn spawn_exam_sweeper(desk: anpei_store::exam::attempts::ExamDesk, on: clock::Clock) {
    tokio::spawn(on.scope(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(err) = desk.sweep(clock::now()).await {
                tracing::warn!(%err, "exam sweep failed");
            }
        }
    }));
}

/// On the clock of the caller.
pub fn spawn_daily_evaluation(store: Store) {
    tokio::spawn(clock::current().scope(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(300));
        loop {
            interval.tick().await;
            let today = clock::today();
            match anpei_store::verdicts::last_rebuild(store.connection()).await {
                Ok(Some(last)) if last >= today => continue,
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(%err, "reading the last evaluation failed");
                    continue;
                }
            }
            let started = std::time::Instant::now();
            match anpei_store::verdicts::rebuild(&store, today, clock::now(), &|_, _| {}).await {
                Ok(report) => tracing::info!(
                    people = report.people,
                    enterprises = report.enterprises,
                    seconds = started.elapsed().as_secs_f64(),
                    "daily evaluation done"
                ),
                Err(err) => {
                    tracing::warn!(%err, "daily evaluation failed");
                    continue;
                }
            }
            match anpei_store::notifications::generate(&store, today, clock::now()).await {
                Ok(report) => tracing::info!(
                    notices = report.notices,
                    outbox = report.outbox,
                    "daily notifications done"
                ),
                Err(err) => tracing::warn!(%err, "daily notifications failed"),
            }
        }
    }));
}
