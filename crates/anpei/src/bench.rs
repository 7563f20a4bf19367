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

fn machine() -> String {
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
