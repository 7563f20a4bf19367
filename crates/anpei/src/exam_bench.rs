//! `anpei bench exam`: an exam day under load, over real HTTP. N simulated examinees sign
//! in, fetch their papers all at the same instant, answer every question with one save each
//! at a compressed human pace, and hand in. Every save the server acknowledged (HTTP 2xx) is
//! remembered; afterwards the database is read through the store and any acknowledged
//! answer that is not there is counted as lost. With `--kill-after-secs` the server (a child
//! process) is SIGKILLed mid-exam and restarted on the same port and database, and the
//! examinees retry until it answers again.
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anpei_domain::exam::Response;
use anpei_store::Store;
use anpei_store::exam::drill::{self, Drill, DrillExaminee, DrillPlan};
use anpei_store::exam::throttle::Limiting;
use serde_json::{Value, json};
use tokio::sync::{Mutex, Semaphore};
use uuid::Uuid;

use crate::config::Config;

#[derive(Debug, Clone)]
pub struct Options {
    pub examinees: u32,
    pub pace_ms: u64,
    pub connections: usize,
    pub spawn_server: bool,
    pub url: Option<String>,
    pub kill_after_secs: Option<u64>,
    pub enterprise: Option<String>,
    pub region: String,
    /// Give up on one request after retrying this long.
    pub patience_secs: u64,
    /// The child server commits one transaction per save.
    pub unbatched: bool,
    /// Run the drill `rounds` times with the exam-day limits on, then off (a fresh child
    /// server and drill each), and print both side by side.
    pub compare_limits: bool,
    pub rounds: u32,
}

/// One save the server acknowledged.
#[derive(Debug, Clone)]
struct Ack {
    position: u32,
    seq: i64,
    response: Response,
}

/// What one examinee did.
#[derive(Debug, Default)]
struct Outcome {
    attempt_id: Option<Uuid>,
    paper_ms: Option<f64>,
    acks: Vec<Ack>,
    save_latencies_us: Vec<u32>,
    failed_saves: u64,
    retries: u64,
    submitted: bool,
}

/// A small deterministic generator (SplitMix64) for answers and jitter.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Prepares a drill of `examinees` opening now, with a terminal progress bar.
pub async fn prepare_drill(
    store: &Store,
    examinees: u32,
    enterprise: Option<&str>,
    region: &str,
    opens_in_minutes: i64,
    duration_minutes: u32,
    hours_open: i64,
) -> anyhow::Result<(Drill, u32)> {
    let now = crate::now();
    let enterprise_id = drill::host_enterprise(store, enterprise, region, now)
        .await
        .map_err(|e| match e {
            anpei_store::StoreError::NotFound => anyhow::anyhow!(
                "没有该信用代码的企业 / no enterprise with credit code {}",
                enterprise.unwrap_or("")
            ),
            other => other.into(),
        })?;
    let run = drill::next_run(store).await?;
    let opens_at = now + chrono::Duration::minutes(opens_in_minutes);
    let plan = DrillPlan {
        examinees,
        enterprise_id,
        region_code: region.to_owned(),
        opens_at,
        closes_at: opens_at + chrono::Duration::hours(hours_open.max(1)),
        duration_minutes,
        run,
    };
    let bar = crate::progress_bar(u64::from(examinees), "准备考生 examinees");
    let started = Instant::now();
    let prepared = drill::prepare(store, &plan, now, &|done, _| bar.set_position(done)).await;
    bar.finish_and_clear();
    let prepared = prepared?;
    println!(
        "演练 {run} 已准备 / drill {run} prepared: {} examinees in {} session(s), {} questions a paper ({:.1} s)",
        prepared.examinees.len(),
        prepared.sessions.len(),
        prepared.questions,
        started.elapsed().as_secs_f64()
    );
    Ok((prepared, run))
}

/// The server under test: a child `anpei serve` on this database, or someone else's.
struct Server {
    base: String,
    child: Option<tokio::process::Child>,
    args: Vec<String>,
}

impl Server {
    fn spawn(args: &[String]) -> anyhow::Result<tokio::process::Child> {
        let exe = std::env::current_exe()?;
        Ok(tokio::process::Command::new(exe)
            .args(args)
            // The server's own log level: `ANPEI_SERVER_LOG=anpei_store=info` shows slow
            // exam batches.
            .env(
                "ANPEI_LOG",
                std::env::var("ANPEI_SERVER_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?)
    }
}

async fn wait_ready(client: &reqwest::Client, base: &str, patience: Duration) -> bool {
    let until = Instant::now() + patience;
    while Instant::now() < until {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The answer an examinee gives to one item of the paper as served.
fn answer_for(item: &Value, rng: &mut Rng) -> Option<(Value, Response)> {
    let indices: Vec<u8> = item["options"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter_map(|x| x["index"].as_u64().map(|i| i as u8))
                .collect()
        })
        .unwrap_or_default();
    match item["kind"].as_str()? {
        "true_false" => {
            let b = rng.below(2) == 0;
            Some((json!({ "true_false": b }), Response::TrueFalse(b)))
        }
        "single" => {
            let pick = *indices.get(rng.below(indices.len() as u64) as usize)?;
            Some((json!({ "choices": [pick] }), Response::Choices(vec![pick])))
        }
        "multiple" => {
            let mut picks: Vec<u8> = indices
                .iter()
                .copied()
                .filter(|_| rng.below(2) == 0)
                .collect();
            if picks.is_empty() {
                picks.push(*indices.first()?);
            }
            picks.sort_unstable();
            Some((json!({ "choices": picks }), Response::Choices(picks)))
        }
        _ => {
            let text = format!("答案{}", rng.below(100));
            Some((json!({ "text": text }), Response::Text(text)))
        }
    }
}

/// Sends a request, retrying on connection errors and 5xx answers (a server that is down or
/// restarting) until `patience` runs out. Returns the final status and body, the time of
/// the request that got that answer (after a connection slot was free), and the retries.
async fn send(
    limit: &Semaphore,
    patience: Duration,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> (Option<(u16, Value)>, Duration, u64) {
    let until = Instant::now() + patience;
    let mut retries = 0;
    loop {
        let outcome = {
            let Ok(_permit) = limit.acquire().await else {
                return (None, Duration::ZERO, retries);
            };
            let sent = Instant::now();
            match build().send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    match r.bytes().await {
                        Ok(body) => Some((
                            status,
                            serde_json::from_slice(&body).unwrap_or(Value::Null),
                            sent.elapsed(),
                        )),
                        Err(_) => None,
                    }
                }
                Err(_) => None,
            }
        };
        match outcome {
            Some((status, body, took)) if status < 500 => {
                return (Some((status, body)), took, retries);
            }
            _ => {}
        }
        if Instant::now() >= until {
            return (None, Duration::ZERO, retries);
        }
        retries += 1;
        tokio::time::sleep(Duration::from_millis(100 + (retries % 5) * 40)).await;
    }
}

/// The load average when a run starts (`/proc/loadavg`: 1, 5 and 15 minutes).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

pub async fn run(config: &Config, options: Options) -> anyhow::Result<std::process::ExitCode> {
    let store = Store::open(&config.store).await?;
    println!("machine: {}", crate::bench::machine());
    println!("backend: {:?}", store.backend());
    if !options.compare_limits {
        println!("load average at the start: {}", load_average());
        let summary = run_once(config, &store, &options, Limiting::On).await?;
        return Ok(exit_code(summary.lost));
    }
    if !options.spawn_server {
        anyhow::bail!("--compare-limits needs --spawn-server");
    }
    // The baseline server refuses to start off a demo database: make an empty one a demo.
    if !anpei_store::ops::accounts::is_demo_database(store.connection()).await? {
        if !anpei_store::demo::is_empty(&store).await? {
            anyhow::bail!(
                "--compare-limits needs a demo database (`anpei demo`) or an empty one: its baseline server runs without the exam-day limits"
            );
        }
        let started = Instant::now();
        anpei_store::demo::generate(
            &store,
            anpei_store::demo::DemoSpec {
                people: 300,
                seed: 2020,
            },
            crate::today(),
            crate::now(),
            &|_, _| {},
        )
        .await?;
        println!(
            "演示数据库 / small demo generated for the baseline server ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    let mut rows = Vec::new();
    for round in 1..=options.rounds.max(1) {
        for limits in [Limiting::On, Limiting::Off] {
            let load = load_average();
            println!();
            println!("== round {round}, limits {limits:?}; load average at the start: {load} ==");
            let summary = run_once(config, &store, &options, limits).await?;
            rows.push((format!("{round}: limits {limits:?}"), load, summary));
        }
    }
    compare(&rows);
    Ok(exit_code(rows.iter().map(|(_, _, s)| s.lost).sum()))
}

fn exit_code(lost: u64) -> std::process::ExitCode {
    if lost == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// One drill against one server: prepare, sign in, papers, answers, hand-in, the check.
async fn run_once(
    config: &Config,
    store: &Store,
    options: &Options,
    limits: Limiting,
) -> anyhow::Result<Summary> {
    let (drill, run) = prepare_drill(
        store,
        options.examinees,
        options.enterprise.as_deref(),
        &options.region,
        -1,
        120,
        4,
    )
    .await?;

    let connections = options.connections.max(1);
    // The server: a child on a free loopback port, or the one at --url.
    let server = if options.spawn_server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut args = vec![
            "--database".to_owned(),
            config.store.database_url.clone(),
            "--ledger-key".to_owned(),
            config.store.ledger_key_path.display().to_string(),
            "--checkpoint-every".to_owned(),
            config.store.checkpoint_every.to_string(),
            "serve".to_owned(),
            "--no-demo".to_owned(),
            "--addr".to_owned(),
            format!("127.0.0.1:{port}"),
            "--exam-batch".to_owned(),
            if options.unbatched { "1" } else { "1024" }.to_owned(),
        ];
        if limits == Limiting::Off {
            args.push("--without-limits-for-bench".to_owned());
        }
        let child = Server::spawn(&args)?;
        Server {
            base: format!("http://127.0.0.1:{port}"),
            child: Some(child),
            args,
        }
    } else {
        let Some(url) = options.url.clone() else {
            anyhow::bail!("--spawn-server or --url URL");
        };
        if options.kill_after_secs.is_some() {
            anyhow::bail!("--kill-after-secs needs --spawn-server");
        }
        Server {
            base: url.trim_end_matches('/').to_owned(),
            child: None,
            args: Vec::new(),
        }
    };
    // Writes name the server's own origin, as a browser's do (the CSRF check refuses
    // them otherwise): the child's public URL is its address; --url must be the public one.
    let origin = anpei_web::security::PublicUrl::parse(&server.base)?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(origin.origin())?,
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .default_headers(headers)
        .build()?;
    if !wait_ready(&client, &server.base, Duration::from_secs(120)).await {
        anyhow::bail!("the server at {} does not answer /healthz", server.base);
    }
    println!("server: {}", server.base);
    let base = Arc::new(server.base.clone());
    let limit = Arc::new(Semaphore::new(connections));
    let patience = Duration::from_secs(options.patience_secs.max(1));

    // Phase 1: everyone signs in.
    let started = Instant::now();
    let bar = crate::progress_bar(drill.examinees.len() as u64, "签到 sign-in");
    let signed_count = Arc::new(AtomicU64::new(0));
    let mut sign_ins = Vec::new();
    for e in drill.examinees.iter().cloned() {
        let (client, base, limit, signed_count) = (
            client.clone(),
            base.clone(),
            limit.clone(),
            signed_count.clone(),
        );
        sign_ins.push(tokio::spawn(async move {
            // One device secret per examinee, as a browser keeps its cookie: a sign-in sent
            // again (a lost answer, a restarted server) is the same device's and needs no
            // proctor.
            let body = json!({"session_id": e.session_id, "ticket": e.ticket, "id_number": e.id_number,
                "device": format!("bench-device-{}", e.person_id)});
            let (answer, _, retries) = send(&limit, patience, || {
                client
                    .post(format!("{base}/api/v1/exam/sign-in"))
                    .json(&body)
            })
            .await;
            signed_count.fetch_add(1, Ordering::Relaxed);
            let signed = match answer {
                Some((200, v)) => v["token"].as_str().map(str::to_owned).zip(
                    v["attempt_id"]
                        .as_str()
                        .and_then(|a| Uuid::parse_str(a).ok()),
                ),
                _ => None,
            };
            (e, signed, retries)
        }));
    }
    let mut signed_in = Vec::new();
    let mut sign_in_failures = 0u64;
    for task in sign_ins {
        bar.set_position(signed_count.load(Ordering::Relaxed));
        let (e, signed, _) = task.await?;
        match signed {
            Some((token, attempt)) => signed_in.push((e, token, attempt)),
            None => sign_in_failures += 1,
        }
    }
    bar.finish_and_clear();
    let sign_in_secs = started.elapsed().as_secs_f64();
    println!(
        "签到 / signed in: {} of {} in {sign_in_secs:.1} s",
        signed_in.len(),
        drill.examinees.len()
    );

    // Phase 2: all papers at the same instant, then the answers, then hand-in.
    let total_saves = signed_in.len() as u64 * u64::from(drill.questions);
    let saves_done = Arc::new(AtomicU64::new(0));
    let t0 = tokio::time::Instant::now() + Duration::from_millis(500);
    let pace = options.pace_ms;
    let mut tasks = Vec::new();
    for (n, (e, token, attempt)) in signed_in.into_iter().enumerate() {
        let (client, base, limit, saves_done) = (
            client.clone(),
            base.clone(),
            limit.clone(),
            saves_done.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let outcome = examinee(
                &client,
                &base,
                &limit,
                patience,
                t0,
                pace,
                n as u64 + u64::from(run) * 1_000_003,
                &token,
                &saves_done,
            )
            .await;
            (
                e,
                Outcome {
                    attempt_id: Some(attempt),
                    ..outcome
                },
            )
        }));
    }

    // The crash: SIGKILL the child at t0 + S, restart it on the same port and database.
    let restarts = Arc::new(AtomicU64::new(0));
    let child = Arc::new(Mutex::new(server.child));
    let killer = options.kill_after_secs.map(|secs| {
        let (child, args, restarts, client, base) = (
            child.clone(),
            server.args.clone(),
            restarts.clone(),
            client.clone(),
            base.clone(),
        );
        tokio::spawn(async move {
            tokio::time::sleep_until(t0 + Duration::from_secs(secs)).await;
            let mut guard = child.lock().await;
            if let Some(old) = guard.as_mut() {
                old.start_kill()?;
                old.wait().await?;
            }
            let killed = Instant::now();
            eprintln!("SIGKILL: 服务已被强杀，正在重启 / server killed, restarting");
            *guard = Some(Server::spawn(&args)?);
            drop(guard);
            restarts.fetch_add(1, Ordering::Relaxed);
            let back = wait_ready(&client, &base, Duration::from_secs(120)).await;
            let down = killed.elapsed().as_secs_f64();
            eprintln!(
                "重启{} / restarted{}: answering again after {down:.1} s",
                if back { "完成" } else { "失败" },
                if back { "" } else { " (NOT answering)" }
            );
            Ok::<f64, anyhow::Error>(down)
        })
    });

    let bar = crate::progress_bar(total_saves, "作答 saves");
    let mut outcomes = Vec::with_capacity(tasks.len());
    let ticker = {
        let (bar, saves_done) = (bar.clone(), saves_done.clone());
        tokio::spawn(async move {
            loop {
                bar.set_position(saves_done.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    for task in tasks {
        outcomes.push(task.await?);
    }
    ticker.abort();
    bar.finish_and_clear();
    let exam_secs = t0.elapsed().as_secs_f64();
    let downtime = match killer {
        Some(k) if k.is_finished() => Some(k.await??),
        Some(k) => {
            k.abort();
            None
        }
        None => None,
    };
    // Stop the child server: everything acknowledged is committed, so a kill is fine.
    if let Some(mut c) = child.lock().await.take() {
        c.start_kill().ok();
        c.wait().await.ok();
    }

    // The check: every acknowledged answer must be in the database.
    let db = store.connection();
    let mut lost = 0u64;
    let mut checked = 0u64;
    for (e, outcome) in &outcomes {
        let Some(attempt) = outcome.attempt_id else {
            continue;
        };
        if outcome.acks.is_empty() {
            continue;
        }
        let (stored, last_seq) =
            anpei_store::exam::attempts::latest_answers(db, e.person_id, attempt).await?;
        for ack in &outcome.acks {
            checked += 1;
            if stored.get(&ack.position) != Some(&ack.response) || last_seq < ack.seq {
                lost += 1;
            }
        }
    }

    Ok(report(&Report {
        options,
        outcomes: &outcomes,
        questions: drill.questions,
        sign_in_failures,
        sign_in_secs,
        exam_secs,
        lost,
        checked,
        restarts: restarts.load(Ordering::Relaxed),
        downtime,
    }))
}

/// One examinee from the synchronised paper fetch to the hand-in.
#[allow(clippy::too_many_arguments)]
async fn examinee(
    client: &reqwest::Client,
    base: &str,
    limit: &Semaphore,
    patience: Duration,
    t0: tokio::time::Instant,
    pace_ms: u64,
    seed: u64,
    token: &str,
    saves_done: &AtomicU64,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut rng = Rng(seed);
    tokio::time::sleep_until(t0).await;
    let (answer, _, retries) = send(limit, patience, || {
        client
            .get(format!("{base}/api/v1/exam/paper"))
            .bearer_auth(token)
    })
    .await;
    outcome.retries += retries;
    let paper = match answer {
        Some((200, paper)) => paper,
        _ => return outcome,
    };
    outcome.paper_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
    let items = paper["items"].as_array().cloned().unwrap_or_default();
    let mut seq = paper["last_seq"].as_i64().unwrap_or(0);
    for item in &items {
        if pace_ms > 0 {
            // Between half and one and a half times the pace.
            let wait = pace_ms / 2 + rng.below(pace_ms + 1);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        let position = item["position"].as_u64().unwrap_or(0) as u32;
        let Some((body, response)) = answer_for(item, &mut rng) else {
            continue;
        };
        seq += 1;
        let request = json!({"seq": seq, "position": position, "response": body});
        let (answer, took, retries) = send(limit, patience, || {
            client
                .put(format!("{base}/api/v1/exam/answers"))
                .bearer_auth(token)
                .json(&request)
        })
        .await;
        outcome.retries += retries;
        match answer {
            Some((status, _)) if (200..300).contains(&status) => {
                outcome.acks.push(Ack {
                    position,
                    seq,
                    response,
                });
                outcome
                    .save_latencies_us
                    .push(took.as_micros().min(u128::from(u32::MAX)) as u32);
                saves_done.fetch_add(1, Ordering::Relaxed);
            }
            _ => outcome.failed_saves += 1,
        }
    }
    let (answer, _, retries) = send(limit, patience, || {
        client
            .post(format!("{base}/api/v1/exam/submit"))
            .bearer_auth(token)
    })
    .await;
    // A hand-in committed just before a crash is refused as "already submitted" on retry.
    outcome.submitted =
        matches!(answer, Some((200, _))) || (retries > 0 && matches!(answer, Some((422, _))));
    outcome.retries += retries;
    outcome
}

struct Report<'a> {
    options: &'a Options,
    outcomes: &'a [(DrillExaminee, Outcome)],
    questions: u32,
    sign_in_failures: u64,
    sign_in_secs: f64,
    exam_secs: f64,
    lost: u64,
    checked: u64,
    restarts: u64,
    downtime: Option<f64>,
}

fn percentile_us(sorted: &[u32], p: f64) -> f64 {
    let at = ((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1));
    f64::from(sorted.get(at).copied().unwrap_or(0)) / 1000.0
}

/// One run's figures, for the comparison table.
struct Summary {
    examinees: usize,
    sign_in_failures: u64,
    sign_in_secs: f64,
    papers: usize,
    papers_all_secs: f64,
    papers_p50_secs: f64,
    saves: usize,
    saves_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    failed_saves: u64,
    submitted: usize,
    lost: u64,
    checked: u64,
}

/// Runs side by side: one column per run.
fn compare(rows: &[(String, String, Summary)]) {
    println!();
    let head: Vec<&str> = rows.iter().map(|(name, _, _)| name.as_str()).collect();
    println!("| measurement | {} |", head.join(" | "));
    println!("|---|{}", "---|".repeat(rows.len()));
    let line = |name: &str, cell: &dyn Fn(&str, &Summary) -> String| {
        let cells: Vec<String> = rows.iter().map(|(_, load, s)| cell(load, s)).collect();
        println!("| {name} | {} |", cells.join(" | "));
    };
    line("load average at the start (1/5/15 min)", &|l, _| {
        l.to_owned()
    });
    line("sign-in", &|_, s| {
        format!(
            "{} of {} in {:.1} s ({} failed)",
            s.examinees as u64 - s.sign_in_failures,
            s.examinees,
            s.sign_in_secs,
            s.sign_in_failures
        )
    });
    line("synchronised paper fetch", &|_, s| {
        format!(
            "{} papers, all within {:.2} s (p50 {:.2} s)",
            s.papers, s.papers_all_secs, s.papers_p50_secs
        )
    });
    line("saves acknowledged", &|_, s| {
        format!(
            "{} = {:.0} saves/s ({} given up)",
            s.saves, s.saves_per_sec, s.failed_saves
        )
    });
    line("save latency p50 / p99 / max", &|_, s| {
        format!("{:.1} / {:.1} / {:.0} ms", s.p50_ms, s.p99_ms, s.max_ms)
    });
    line("handed in and graded", &|_, s| {
        format!("{} of {}", s.submitted, s.examinees)
    });
    line("lost answers", &|_, s| {
        format!("{} of {}", s.lost, s.checked)
    });
}

fn report(r: &Report<'_>) -> Summary {
    let mut latencies: Vec<u32> = r
        .outcomes
        .iter()
        .flat_map(|(_, o)| o.save_latencies_us.iter().copied())
        .collect();
    latencies.sort_unstable();
    let mut papers: Vec<f64> = r.outcomes.iter().filter_map(|(_, o)| o.paper_ms).collect();
    papers.sort_unstable_by(f64::total_cmp);
    let paper_failures = r
        .outcomes
        .iter()
        .filter(|(_, o)| o.paper_ms.is_none())
        .count();
    let saves = latencies.len() as f64;
    let failed: u64 = r.outcomes.iter().map(|(_, o)| o.failed_saves).sum();
    let retries: u64 = r.outcomes.iter().map(|(_, o)| o.retries).sum();
    let submitted = r.outcomes.iter().filter(|(_, o)| o.submitted).count();
    let p = |q: f64| {
        papers
            .get(((papers.len() as f64 * q) as usize).min(papers.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
            / 1000.0
    };
    let by_attempt: HashMap<Uuid, usize> = r
        .outcomes
        .iter()
        .filter_map(|(_, o)| o.attempt_id.map(|a| (a, o.acks.len())))
        .collect();
    println!();
    println!("| measurement | value |");
    println!("|---|---|");
    println!(
        "| examinees | {} ({} questions each; pace {} ms ± 50 %; {} client connections; {}) |",
        r.options.examinees,
        r.questions,
        r.options.pace_ms,
        r.options.connections,
        if r.options.unbatched {
            "server UNBATCHED: one transaction per save"
        } else {
            "server batching up to 1,024 saves a transaction"
        }
    );
    println!(
        "| sign-in | {} failures; all signed in within {:.1} s |",
        r.sign_in_failures, r.sign_in_secs
    );
    println!(
        "| synchronised paper fetch | all {} papers served within {:.2} s of the common start; p50 {:.2} s, p99 {:.2} s; {} failed |",
        papers.len(),
        p(1.0),
        p(0.5),
        p(0.99),
        paper_failures
    );
    println!(
        "| saves acknowledged | {} in {:.1} s = {:.0} saves/s ({} attempts; {} saves given up) |",
        latencies.len(),
        r.exam_secs,
        saves / r.exam_secs.max(f64::EPSILON),
        by_attempt.len(),
        failed
    );
    println!(
        "| save latency | p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms |",
        percentile_us(&latencies, 0.50),
        percentile_us(&latencies, 0.99),
        f64::from(latencies.last().copied().unwrap_or(0)) / 1000.0
    );
    println!(
        "| hand-in | {submitted} of {} submitted and graded |",
        r.outcomes.len()
    );
    println!(
        "| server restarts (SIGKILL) | {}{} |",
        r.restarts,
        r.downtime
            .map(|d| format!(
                "; answering again {d:.1} s after the kill; {retries} requests retried"
            ))
            .unwrap_or_else(|| format!("; {retries} requests retried"))
    );
    println!(
        "| lost answers (acknowledged, not in the database) | {} of {} checked |",
        r.lost, r.checked
    );
    Summary {
        examinees: r.outcomes.len() + r.sign_in_failures as usize,
        sign_in_failures: r.sign_in_failures,
        sign_in_secs: r.sign_in_secs,
        papers: papers.len(),
        papers_all_secs: p(1.0),
        papers_p50_secs: p(0.5),
        saves: latencies.len(),
        saves_per_sec: saves / r.exam_secs.max(f64::EPSILON),
        p50_ms: percentile_us(&latencies, 0.50),
        p99_ms: percentile_us(&latencies, 0.99),
        max_ms: f64::from(latencies.last().copied().unwrap_or(0)) / 1000.0,
        failed_saves: failed,
        submitted,
        lost: r.lost,
        checked: r.checked,
    }
}
