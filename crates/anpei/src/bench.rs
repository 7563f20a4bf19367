//! `anpei bench`: reproducible measurements for BENCHMARKS.md, each beside the baseline it
//! is compared with, in the same run. Timing lives here, never in tests.
#![allow(clippy::print_stdout, reason = "a benchmark prints its results")]

use std::time::Instant;

use anpei_domain::{EmploymentKind, IdNumber, Period, PersonName, PositionFlags, PositionTitle};
use anpei_store::demo::{self, DemoSpec};
use anpei_store::ops::people::{self, Hire};
use anpei_store::{Actor, Store, access};
use chrono::{Duration, NaiveDate};

/// Demo generation (batched, the path `anpei demo` takes), database size, `ledger verify`,
/// and the baseline: the same kind of rows written one person per transaction through the
/// ordinary hire use case, as a naive import would.
pub async fn demo(
    store: &Store,
    people: u64,
    seed: u64,
    baseline: u64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let machine = machine();
    println!("machine: {machine}");
    println!("backend: {:?}", store.backend());

    let started = Instant::now();
    let report = demo::generate(
        store,
        DemoSpec { people, seed },
        today,
        crate::now(),
        &|_, _| {},
    )
    .await?;
    let generate = started.elapsed().as_secs_f64();
    let size = anpei_store::dialect::database_size(store.connection()).await?;

    let started = Instant::now();
    let verified = store.verify_ledger(&|_, _| {}).await?;
    let verify = started.elapsed().as_secs_f64();
    if !verified.is_ok() {
        anyhow::bail!(
            "ledger verify failed on a fresh demo: {:?}",
            verified.problems.first()
        );
    }

    // Baseline: one transaction (and ledger append) per person, through `ops::people::hire`.
    let actor = Actor::system("bench");
    let staff =
        access::enterprise_staff_write(store.connection(), &actor, report.enterprise_id).await?;
    let birth = NaiveDate::from_ymd_opt(1985, 6, 1).unwrap_or(today);
    let started = Instant::now();
    for n in 0..baseline {
        // Region 230104 (道外区) and sequence codes 000–899 never collide with the demo's 900–999.
        let id_number = IdNumber::synthesize(
            "230104",
            birth + Duration::days((n / 900) as i64),
            (n % 900) as u16,
        )?;
        let hire = Hire {
            id_number,
            name: PersonName::parse("基准测试")?,
            phone: None,
            education: None,
            kind: EmploymentKind::Regular,
            position: PositionTitle::parse("操作工")?,
            flags: PositionFlags::default(),
            period: Period::new(today - Duration::days(30), None)?,
        };
        people::hire(store, &actor, staff, hire, crate::now()).await?;
    }
    let naive = started.elapsed().as_secs_f64();

    let rate = people as f64 / generate;
    println!();
    println!("| measurement | value |");
    println!("|---|---|");
    println!(
        "| people generated | {people} ({} employments, {} certificates, {} enterprises) |",
        report.employments, report.certificates, report.enterprises
    );
    println!("| ledger entries | {} |", report.ledger_head);
    // Compared per ledgered row: the batched path writes certificates, training and
    // assessments too, the baseline a person and an employment (two rows) per hire.
    let rows_rate = report.ledger_head as f64 / generate;
    let naive_rows_rate = (2 * baseline) as f64 / naive.max(f64::EPSILON);
    println!(
        "| demo generation (batched) | {generate:.1} s = {rate:.0} people/s = {rows_rate:.0} ledgered rows/s |"
    );
    println!(
        "| baseline: one hire per transaction | {baseline} people in {naive:.1} s = {naive_rows_rate:.0} ledgered rows/s ({:.1}× slower per row) |",
        rows_rate / naive_rows_rate.max(f64::EPSILON)
    );
    println!(
        "| database size | {} |",
        size.map(|b| format!(
            "{:.1} MiB ({:.0} bytes/person)",
            b as f64 / 1_048_576.0,
            b as f64 / people.max(1) as f64
        ))
        .unwrap_or_else(|| "n/a".to_owned())
    );
    println!(
        "| ledger verify | {verify:.1} s for {} entries and {} rows ({:.0} entries/s) |",
        verified.entries,
        verified.rows_checked,
        verified.entries as f64 / verify.max(f64::EPSILON)
    );
    Ok(())
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|kb| kb.parse::<u64>().ok())
                })
        })
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1_048_576.0))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory}")
}

/// Public certificate verification over real HTTP (issues 3 and 13): `connections`
/// keep-alive connections ask `GET /api/v1/verify/{number}` round robin over every
/// certificate of the database (or the first `numbers`, when not 0), every other request
/// with the QR code's token (`?t=`, the details) and the rest by number alone (the status).
/// In one run: the server as it runs (the verification index) with its per-address limits
/// on — raised so that the bench's clients are never refused, each connection from an
/// address of its own (127.0.0.1, .2, ...), so that the limiter keeps one bucket per
/// connection as it would per visitor — beside the same without the limits, twice each,
/// alternating; then the same server without the index (every lookup reads the database);
/// and in process, without HTTP, the index lookup and the database lookup.
pub async fn verify(
    store: &Store,
    connections: usize,
    seconds: u64,
    numbers: u64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    use anpei_store::verify_index::Claim;

    println!("machine: {}", machine());
    println!("load average at start: {}", load_average());
    println!("backend: {:?}", store.backend());
    let mut links = anpei_store::read::verification_links(store.connection()).await?;
    if numbers > 0 {
        links.truncate(numbers as usize);
    }
    if links.is_empty() {
        anyhow::bail!("no certificates: run `anpei demo` first");
    }

    // The index, loaded as a server loads it at start.
    let rss_before = resident_mib();
    let started = Instant::now();
    store.start_verify_index();
    while !store.verify_index_ready() {
        if started.elapsed().as_secs() > 600 {
            anyhow::bail!("the verification index did not load in 10 minutes");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let load_seconds = started.elapsed().as_secs_f64();
    let index_mib = resident_mib() - rss_before;

    // In process, no HTTP, one at a time: the index, then the database.
    let in_process = |store: Store, links: std::sync::Arc<Vec<(String, String)>>, limit: f64| async move {
        let started = Instant::now();
        let mut done = 0usize;
        while started.elapsed().as_secs_f64() < limit {
            let (number, token) = &links[done % links.len()];
            let claim = if done.is_multiple_of(2) {
                Claim::Number
            } else {
                Claim::Token(token)
            };
            store.verify_certificate(number, claim, today).await?;
            done += 1;
        }
        Ok::<_, anyhow::Error>(done as f64 / started.elapsed().as_secs_f64())
    };
    let links = std::sync::Arc::new(links);
    let index_rate = in_process(store.clone(), links.clone(), 3.0).await?;
    let without_index = store.without_verify_index();
    let database_rate =
        in_process(without_index.clone(), links.clone(), seconds.min(5) as f64).await?;

    // Limits on, but never reached by the bench's own clients: the cost is the point.
    let unreached = anpei_web::verification::Rate {
        per_minute: 1e12,
        burst: 1e12,
    };
    let on = Some(anpei_web::verification::VerifyLimits {
        by_number: unreached,
        by_token: unreached,
    });
    let mut limited = Vec::new();
    let mut unlimited = Vec::new();
    for _ in 0..2 {
        limited.push(verify_over_http(store, &links, connections, seconds, on).await?);
        unlimited.push(verify_over_http(store, &links, connections, seconds, None).await?);
    }
    let database = verify_over_http(&without_index, &links, connections, seconds, None).await?;
    println!();
    println!("| measurement | value |");
    println!("|---|---|");
    println!(
        "| certificates asked for | {} (every other request with its token), round robin |",
        links.len()
    );
    let (indexed, bytes) = store.verify_index_size();
    println!(
        "| verification index | {indexed} certificates loaded in {load_seconds:.1} s; about {:.0} MiB of entries (resident memory of the process +{index_mib:.0} MiB, with the database's page cache) |",
        bytes as f64 / 1_048_576.0
    );
    for (run, (with, without)) in limited.iter().zip(&unlimited).enumerate() {
        println!(
            "| over HTTP, index, **limits on** (run {}), {connections} connections from {} addresses, {seconds} s | {} |",
            run + 1,
            connections.min(254),
            with.line(seconds)
        );
        println!(
            "| over HTTP, index, limits off (run {}), same connections | {} |",
            run + 1,
            without.line(seconds)
        );
    }
    println!(
        "| baseline: over HTTP without the index (database), limits off | {} |",
        database.line(seconds)
    );
    println!("| in process, no HTTP, one at a time: the index | {index_rate:.0} lookups/s |");
    println!(
        "| baseline: in process, no HTTP, one at a time: the database | {database_rate:.0} lookups/s |"
    );
    println!("load average at end: {}", load_average());
    Ok(())
}

/// `/proc/loadavg`'s first three fields.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// This process's resident memory, MiB (`/proc/self/statm`, 4 KiB pages).
fn resident_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / 1_048_576.0)
}

/// Latencies of one HTTP run, in microseconds, sorted.
struct HttpRun(Vec<u32>);

impl HttpRun {
    fn percentile(&self, p: f64) -> f64 {
        let count = self.0.len();
        let micros = self
            .0
            .get(((count as f64 * p) as usize).min(count.saturating_sub(1)))
            .copied()
            .unwrap_or(0);
        f64::from(micros) / 1000.0
    }

    fn line(&self, seconds: u64) -> String {
        format!(
            "{:.0} lookups/s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.0.len() as f64 / seconds as f64,
            self.percentile(0.50),
            self.percentile(0.99),
            f64::from(self.0.last().copied().unwrap_or(0)) / 1000.0
        )
    }
}

/// The web settings of a bench server on `addr`: its public URL is that address, so the
/// bench's writes name it as their `Origin`.
fn web_config(addr: std::net::SocketAddr) -> anyhow::Result<anpei_web::WebConfig> {
    let public = anpei_web::security::PublicUrl::parse(&format!("http://{addr}"))?;
    Ok(anpei_web::WebConfig::new(public))
}

/// Serves `store` on a fresh loopback port with `limits` and drives it with raw keep-alive
/// HTTP/1.1, connection `n` from 127.0.0.(n % 254 + 1).
async fn verify_over_http(
    store: &Store,
    links: &std::sync::Arc<Vec<(String, String)>>,
    connections: usize,
    seconds: u64,
    limits: Option<anpei_web::verification::VerifyLimits>,
) -> anyhow::Result<HttpRun> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = anpei_web::WebConfig {
        verify_limits: limits,
        ..web_config(addr)?
    };
    let app = anpei_web::app(store.clone(), config);
    let server = tokio::spawn(async move { anpei_web::serve(listener, app).await });

    let deadline = Instant::now() + std::time::Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let links = links.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::new();
            let socket = tokio::net::TcpSocket::new_v4()?;
            let source = std::net::Ipv4Addr::new(127, 0, 0, (worker % 254 + 1) as u8);
            socket.bind(std::net::SocketAddr::new(source.into(), 0))?;
            let mut stream = socket.connect(addr).await?;
            stream.set_nodelay(true)?;
            let mut buffer = vec![0u8; 16 * 1024];
            let mut n = worker;
            while Instant::now() < deadline {
                let (number, token) = &links[n % links.len()];
                let with_token = (n / links.len() + n) % 2 == 1;
                n += connections;
                let request = if with_token {
                    format!(
                        "GET /api/v1/verify/{number}?t={token} HTTP/1.1\r\nHost: {addr}\r\n\r\n"
                    )
                } else {
                    format!("GET /api/v1/verify/{number} HTTP/1.1\r\nHost: {addr}\r\n\r\n")
                };
                let sent = Instant::now();
                stream.write_all(request.as_bytes()).await?;
                // Read the head, then exactly Content-Length bytes of body.
                let mut filled = 0;
                let (head_end, length) = loop {
                    let read = stream.read(&mut buffer[filled..]).await?;
                    if read == 0 {
                        anyhow::bail!("the server closed the connection");
                    }
                    filled += read;
                    if let Some(end) = buffer[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                        if !head.starts_with("http/1.1 200") {
                            anyhow::bail!(
                                "unexpected answer: {}",
                                head.lines().next().unwrap_or("")
                            );
                        }
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>())
                            })
                            .transpose()?
                            .unwrap_or(0);
                        break (end + 4, length);
                    }
                };
                while filled < head_end + length {
                    let read = stream.read(&mut buffer[filled..]).await?;
                    if read == 0 {
                        anyhow::bail!("the server closed the connection");
                    }
                    filled += read;
                }
                latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                // The token must have opened the details, the number alone not.
                let body = &buffer[head_end..head_end + length];
                let detailed = body.windows(11).any(|w| w == b"\"details\":{");
                if detailed != with_token {
                    anyhow::bail!(
                        "{number}: details {} with{} the token",
                        if detailed { "shown" } else { "withheld" },
                        if with_token { "" } else { "out" }
                    );
                }
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    server.abort();
    latencies.sort_unstable();
    Ok(HttpRun(latencies))
}

/// Roster import (SPEC C4): a generated CSV of `rows` people read, checked and imported in
/// one all-or-nothing transaction into an enterprise of a small demo, beside the baseline of
/// `baseline` hires one transaction each. Needs an empty database.
pub async fn import(
    store: &Store,
    rows: u64,
    baseline: u64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    use anpei_formats::roster::{RosterRow, read_csv, write_csv};

    println!("machine: {}", machine());
    println!("backend: {:?}", store.backend());
    let report = demo::generate(
        store,
        DemoSpec {
            people: 300,
            seed: 2020,
        },
        today,
        crate::now(),
        &|_, _| {},
    )
    .await?;
    let actor = Actor::system("bench");
    let staff =
        access::enterprise_staff_write(store.connection(), &actor, report.enterprise_id).await?;
    let birth = NaiveDate::from_ymd_opt(1975, 1, 1).unwrap_or(today);
    let person = |region: &str, n: u64| -> anyhow::Result<(IdNumber, PersonName)> {
        // Sequence codes 000–899 never collide with the demo's 900–999.
        let id = IdNumber::synthesize(
            region,
            birth + Duration::days((n / 900) as i64),
            (n % 900) as u16,
        )?;
        Ok((id, PersonName::parse("导入测试")?))
    };
    let mut generated = Vec::with_capacity(rows as usize);
    for n in 0..rows {
        let (id_number, name) = person("230103", n)?;
        generated.push(RosterRow {
            row: n as usize + 2,
            name,
            id_number,
            phone: None,
            education: None,
            kind: if n % 10 == 0 {
                EmploymentKind::Dispatched
            } else {
                EmploymentKind::Regular
            },
            position: PositionTitle::parse("操作工")?,
            period: Period::new(today - Duration::days(30), None)?,
            flags: PositionFlags::default(),
        });
    }
    let csv = write_csv(&generated);
    drop(generated);

    let started = Instant::now();
    let parsed = read_csv(&csv)
        .map_err(|errors| anyhow::anyhow!("{} bad rows in a generated file", errors.len()))?;
    let read = started.elapsed().as_secs_f64();
    let hires = parsed
        .into_iter()
        .map(anpei_web::pages::roster::to_hire)
        .collect();
    // When each step began, to say where the time goes.
    let steps =
        std::sync::Mutex::new(Vec::<(anpei_store::ops::roster::ImportStep, Instant)>::new());
    let imported = anpei_store::ops::roster::import(
        store,
        &actor,
        staff,
        hires,
        crate::now(),
        &|step, _, _| {
            let mut steps = steps
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if steps.last().is_none_or(|(last, _)| *last != step) {
                steps.push((step, Instant::now()));
            }
        },
    )
    .await?;
    let total = started.elapsed().as_secs_f64();
    let steps = steps
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let split: Vec<String> = steps
        .windows(2)
        .map(|pair| {
            format!(
                "{} {:.1} s",
                pair[0].0.label().1.to_lowercase(),
                (pair[1].1 - pair[0].1).as_secs_f64()
            )
        })
        .collect();

    let started = Instant::now();
    for n in 0..baseline {
        let (id_number, name) = person("230104", n)?;
        let hire = Hire {
            id_number,
            name,
            phone: None,
            education: None,
            kind: EmploymentKind::Regular,
            position: PositionTitle::parse("操作工")?,
            flags: PositionFlags::default(),
            period: Period::new(today - Duration::days(30), None)?,
        };
        people::hire(store, &actor, staff, hire, crate::now()).await?;
    }
    let naive = started.elapsed().as_secs_f64();
    let rate = rows as f64 / total;
    let naive_rate = baseline as f64 / naive.max(f64::EPSILON);
    println!();
    println!("| measurement | value |");
    println!("|---|---|");
    println!(
        "| file | {rows} rows of CSV, {:.1} MiB |",
        csv.len() as f64 / 1_048_576.0
    );
    println!(
        "| import: read and check every row, then one transaction | {total:.1} s ({read:.1} s reading, {}) = {rate:.0} rows/s; {} people, {} employments |",
        split.join(", "),
        imported.new_people,
        imported.employments
    );
    println!(
        "| baseline: one hire per transaction | {baseline} rows in {naive:.1} s = {naive_rate:.0} rows/s ({:.1}× slower) |",
        rate / naive_rate.max(f64::EPSILON)
    );
    Ok(())
}

/// One HTTP/1.1 request on a fresh loopback connection, read to the end: status line,
/// headers and body.
async fn http(
    addr: std::net::SocketAddr,
    request: String,
) -> anyhow::Result<(String, String, Vec<u8>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("no HTTP head in the answer"))?;
    let head = String::from_utf8_lossy(&answer[..end]).to_string();
    let status = head.lines().next().unwrap_or("").to_owned();
    Ok((status, head, answer[end + 4..].to_vec()))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

/// The compliance engine at scale (issue 3), against an existing database (the demo):
/// - full evaluation of every rule for everyone into the verdict table, beside the naive
///   baseline of per-person queries (measured on `baseline` people, extrapolated);
/// - the province's dashboard page over real HTTP, beside evaluating everyone on request
///   (what the page did before the verdict table);
/// - the verdict update after one fact changes (refresh of one person inside a write
///   transaction, rolled back), beside re-evaluating that person's enterprise from its facts.
pub async fn compliance(
    store: &Store,
    baseline: u64,
    requests: u64,
    updates: u64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    use anpei_domain::rules::evaluate_person;
    use anpei_store::{compliance, verdicts};

    println!("machine: {}", machine());
    println!("backend: {:?}", store.backend());
    let db = store.connection();

    // 1. Full evaluation: into an empty verdict table (a first start, or a new rule set),
    // then as the server runs it each night — the day after, over yesterday's rows.
    verdicts::clear_person_rows(store, crate::now()).await?;
    let started = Instant::now();
    let report = verdicts::rebuild(store, today, crate::now(), &|_, _| {}).await?;
    let full = started.elapsed().as_secs_f64();
    println!(
        "full evaluation, empty table: {} people, {} rows ({} written), {} enterprises in {full:.1} s",
        report.people, report.rows, report.rows_written, report.enterprises
    );
    let tomorrow = today.succ_opt().unwrap_or(today);
    let started = Instant::now();
    let nightly = verdicts::rebuild(store, tomorrow, crate::now(), &|_, _| {}).await?;
    let next_day = started.elapsed().as_secs_f64();
    println!(
        "full evaluation, the next day: {} people, {} rows ({} written), {} enterprises in {next_day:.1} s",
        nightly.people, nightly.rows, nightly.rows_written, nightly.enterprises
    );
    // Back to today's verdicts for the measurements below.
    verdicts::rebuild(store, today, crate::now(), &|_, _| {}).await?;

    let sample = verdicts::sample(db, baseline.max(updates)).await?;

    // Baseline: one person at a time, each with their own queries.
    let started = Instant::now();
    let mut naive = 0u64;
    for (person, _) in sample.iter().take(baseline as usize) {
        let facts = compliance::person_facts(db, &[*person]).await?;
        if let Some(f) = facts.get(person) {
            std::hint::black_box(evaluate_person(f, compliance::rule_set(), today));
        }
        naive += 1;
    }
    let naive_rate = naive as f64 / started.elapsed().as_secs_f64();
    let naive_full = report.people as f64 / naive_rate;

    // 2. The province's dashboard over HTTP.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = anpei_web::app(store.clone(), web_config(addr)?);
    tokio::spawn(async move { anpei_web::serve(listener, app).await });
    let body = format!(
        "{{\"username\":\"province\",\"password\":\"{}\"}}",
        demo::DEMO_PASSWORD
    );
    let (status, head, _) = http(
        addr,
        format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await?;
    if !status.contains(" 200") {
        anyhow::bail!("signing in as the demo province failed: {status}");
    }
    let cookie = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().starts_with("set-cookie:").then(|| {
                l["set-cookie:".len()..]
                    .trim()
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
        })
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
    let mut page_times = Vec::new();
    let mut page_bytes = 0;
    for _ in 0..requests.max(1) {
        let sent = Instant::now();
        let (status, _, body) = http(
            addr,
            format!("GET /dashboard HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
        )
        .await?;
        page_times.push(sent.elapsed().as_secs_f64() * 1000.0);
        if !status.contains(" 200") {
            anyhow::bail!("the dashboard answered {status}");
        }
        page_bytes = body.len();
    }
    page_times.sort_by(f64::total_cmp);

    // Baseline: everyone evaluated on request, facts read in batches (the page before).
    let started = Instant::now();
    std::hint::black_box(verdicts::evaluate_everyone(db, today).await?);
    let on_request = started.elapsed().as_secs_f64();

    // 3. One fact changes: refresh one person's verdicts in a write transaction.
    let actor = Actor::system("bench");
    let mut refresh_times = Vec::new();
    let mut enterprise_times = Vec::new();
    for (person, enterprise) in sample.iter().take(updates as usize) {
        let tx = store.write(&actor, crate::now()).await?;
        let started = Instant::now();
        verdicts::refresh(tx.conn(), &[*person], today).await?;
        refresh_times.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(tx); // rolled back: the database is left as it was
        let staff = access::enterprise_staff_read(db, &actor, *enterprise).await?;
        let started = Instant::now();
        std::hint::black_box(compliance::enterprise(db, staff, today).await?);
        enterprise_times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    refresh_times.sort_by(f64::total_cmp);
    enterprise_times.sort_by(f64::total_cmp);

    println!();
    println!("| measurement | value | baseline, same run |");
    println!("|---|---|---|");
    println!(
        "| full evaluation of all rules for {} people, into an empty verdict table ({} rows written, snapshot taken) | {full:.1} s ({:.0} people/s) | per-person queries: {naive_rate:.0} people/s over {naive} people → {naive_full:.0} s for all |",
        report.people,
        report.rows_written,
        report.people as f64 / full
    );
    println!(
        "| the same the next day, over yesterday's rows (what the server runs each night; {} of {} rows changed) | {next_day:.1} s ({:.0} people/s) | (same baseline) |",
        nightly.rows_written,
        nightly.rows,
        nightly.people as f64 / next_day
    );
    println!(
        "| province dashboard page over HTTP ({} requests, {} KB) | p50 {:.0} ms, p99 {:.0} ms | evaluating everyone on request: {on_request:.1} s |",
        page_times.len(),
        page_bytes / 1024,
        percentile(&page_times, 0.5),
        percentile(&page_times, 0.99)
    );
    println!(
        "| verdicts after one fact changes ({} people, in the write transaction) | p50 {:.2} ms, p99 {:.2} ms | re-evaluating the person's enterprise: p50 {:.1} ms, p99 {:.1} ms |",
        refresh_times.len(),
        percentile(&refresh_times, 0.5),
        percentile(&refresh_times, 0.99),
        percentile(&enterprise_times, 0.5),
        percentile(&enterprise_times, 0.99)
    );
    Ok(())
}
