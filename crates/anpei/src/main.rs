//! `anpei`: the one binary. Serves the web app (default), and carries the operator tools:
//! migrate, demo, import roster, questions import/export, exam drill, ledger
//! verify/checkpoint, archive verify, validate, bench.
#![allow(
    clippy::print_stdout,
    reason = "a command-line tool prints its results"
)]

mod bench;
mod config;
mod exam_bench;
mod subsidy_bench;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anpei_domain::{Bilingual, CreditCode, IdNumber};
use anpei_store::demo::{self, DemoSpec};
use anpei_store::{Store, StoreConfig};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{Config, RawConfig};

#[derive(Debug, Parser)]
#[command(
    name = "anpei",
    version,
    about = "安培 Anpei — safety-skills training, examination and certification platform"
)]
struct Cli {
    #[command(flatten)]
    config: RawConfig,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web app and API (the default). On an empty database, generates the demo
    /// province first.
    Serve {
        #[arg(long, env = "ANPEI_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Do not generate the demo province on an empty database.
        #[arg(long)]
        no_demo: bool,
        /// People in the demo generated on first start.
        #[arg(long, default_value_t = 30_000)]
        demo_people: u64,
        /// Mark the session cookie Secure (when served behind HTTPS).
        #[arg(long, env = "ANPEI_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Minutes between timed ledger checkpoints.
        #[arg(long, default_value_t = 10)]
        checkpoint_minutes: u64,
        /// Public address users reach the server at, e.g. https://anpei.example.cn: the base
        /// of certificate QR links and the only origin writes are accepted from; default
        /// http://<--addr>.
        #[arg(long, env = "ANPEI_PUBLIC_URL")]
        public_url: Option<String>,
        /// Most exam saves committed in one transaction (1 = one transaction per save, for
        /// the benchmark's baseline).
        #[arg(long, default_value_t = anpei_store::exam::attempts::BATCH)]
        exam_batch: usize,
        /// Benchmark baseline only: exam-day limits off (exam sign-in throttling, the
        /// cross-origin write check). Refused unless the database was generated as a demo.
        #[arg(long, hide = true)]
        without_limits_for_bench: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Generate the demo province into an empty database.
    Demo {
        /// Number of people.
        #[arg(long, default_value_t = 30_000)]
        people: u64,
        /// Random seed; the same seed, size and date give the same province.
        #[arg(long, default_value_t = 2020)]
        seed: u64,
        /// Months of trend to evaluate back from the facts (one snapshot on the 1st of
        /// each); 0 for none.
        #[arg(long, default_value_t = 6)]
        trend_months: u32,
        /// Do not create the day's notifications (the server's daily run will).
        #[arg(long)]
        no_notifications: bool,
    },
    /// The traceability ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// The compliance verdict table.
    Verdicts {
        #[command(subcommand)]
        command: VerdictsCommand,
    },
    /// Notices to workers and enterprises, and the gateway's outbox.
    Notifications {
        #[command(subcommand)]
        command: NotificationsCommand,
    },
    /// Signed archive exports.
    Archive {
        #[command(subcommand)]
        command: ArchiveCommand,
    },
    /// Reproducible measurements (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Import a staff roster (.xlsx or .csv, by extension) into an enterprise, all or nothing.
    Import {
        /// What to import; only `roster` for now.
        #[arg(value_parser = ["roster"])]
        what: String,
        file: std::path::PathBuf,
        /// The enterprise's unified social credit code.
        #[arg(long)]
        enterprise: String,
    },
    /// The question bank: import and export Moodle XML, GIFT and the .xlsx template.
    Questions {
        #[command(subcommand)]
        command: QuestionsCommand,
    },
    /// Exam days: a practice exam (drill) to try the examinee's pages.
    Exam {
        #[command(subcommand)]
        command: ExamCommand,
    },
    /// Certificates.
    Certificate {
        #[command(subcommand)]
        command: CertificateCommand,
    },
    /// Accounts of a real deployment: the first province administrator, and any other.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Check identifiers the way rosters need them checked.
    Validate {
        #[command(subcommand)]
        command: ValidateCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Create an account (ledgered). The password is read from stdin (one line, not
    /// echoed back), or with --link a one-time set-password link (24 h) is printed instead.
    /// The demo's usernames are refused on a database that is not a demo.
    Create {
        /// province_regulator, city_regulator, hr_bureau, enterprise, institution
        #[arg(long)]
        role: String,
        /// Region code: 230000 for the province, a city's code for a city regulator or HR.
        #[arg(long, conflicts_with_all = ["enterprise", "institution"])]
        region: Option<String>,
        /// The enterprise's unified social credit code (an enterprise account).
        #[arg(long, conflicts_with = "institution")]
        enterprise: Option<String>,
        /// The institution's unified social credit code (an institution account).
        #[arg(long)]
        institution: Option<String>,
        #[arg(long)]
        username: String,
        /// The name shown for the account, e.g. "黑龙江省应急管理厅".
        #[arg(long)]
        name: String,
        /// Print a one-time set-password link instead of reading a password from stdin.
        #[arg(long)]
        link: bool,
        /// The address the link is printed under (as `serve --public-url`).
        #[arg(
            long,
            env = "ANPEI_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
}

#[derive(Debug, Subcommand)]
enum LedgerCommand {
    /// Recompute the hash chain, the signed checkpoints and every ledgered row; exit 1
    /// naming the first broken entry.
    Verify,
    /// Sign a checkpoint at the current head now.
    Checkpoint,
}

#[derive(Debug, Subcommand)]
enum NotificationsCommand {
    /// Create today's notices from the verdict table now (the server does this daily).
    Generate,
    /// Print the outbox messages not yet delivered, one JSON object a line (for a gateway).
    Pending {
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
    /// Record that the gateway delivered an outbox message.
    Delivered { id: String },
}

#[derive(Debug, Subcommand)]
enum VerdictsCommand {
    /// Evaluate every rule for everyone now and replace the verdict table and today's
    /// snapshot (the server does this daily by itself).
    Rebuild,
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Demo generation, database size and ledger verify, beside a one-transaction-per-person
    /// baseline. Needs an empty database (use a fresh --data-dir).
    Demo {
        #[arg(long, default_value_t = 30_000)]
        people: u64,
        #[arg(long, default_value_t = 2020)]
        seed: u64,
        /// People written one per transaction for the baseline.
        #[arg(long, default_value_t = 2_000)]
        baseline: u64,
    },
    /// Roster import of a generated CSV into a small demo, beside one hire per transaction.
    /// Needs an empty database (use a fresh --data-dir).
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
        #[arg(long, default_value_t = 2_000)]
        baseline: u64,
    },
    /// The compliance engine on an existing database (e.g. the demo): full evaluation,
    /// the province dashboard over HTTP and the verdict update after one fact changes, each
    /// beside its naive baseline.
    Compliance {
        /// People evaluated one at a time for the per-person baseline.
        #[arg(long, default_value_t = 20_000)]
        baseline: u64,
        /// Dashboard requests.
        #[arg(long, default_value_t = 30)]
        requests: u64,
        /// One-person updates timed.
        #[arg(long, default_value_t = 200)]
        updates: u64,
    },
    /// The subsidy review's automatic checks of one large application, beside checking its
    /// rows one at a time, and the province-wide duplicate-subsidy check, on an existing
    /// database (e.g. the demo). Adds a class, earlier claims and the application to it.
    Subsidy {
        /// Rows of the application reviewed.
        #[arg(long, default_value_t = 1_000)]
        rows: u64,
        /// Earlier claims in the province (approved and paid), in applications of 1,000.
        #[arg(long, default_value_t = 100_000)]
        history: u64,
        /// Timed runs of the checks.
        #[arg(long, default_value_t = 20)]
        runs: u64,
    },
    /// Public certificate verification over real HTTP on loopback (against an existing
    /// database, e.g. the demo): the verification index with its per-address limits on and
    /// off, beside the database lookup, over HTTP and in process.
    Verify {
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Certificates asked for, round robin (half with their QR token): the first N by
        /// number; 0, the default, asks for every certificate of the database.
        #[arg(long, default_value_t = 0)]
        numbers: u64,
    },
    /// An exam day under load over real HTTP: prepares a drill of N examinees on this
    /// database, signs them in, serves all papers at the same instant, saves every answer
    /// one request each at a compressed human pace, hands in, then checks that every
    /// acknowledged answer is in the database.
    Exam {
        #[arg(long, default_value_t = 5_000)]
        examinees: u32,
        /// Mean milliseconds between one examinee's saves (each wait is 50–150 % of it).
        #[arg(long, default_value_t = 1_000)]
        pace_ms: u64,
        /// Client connection cap (requests in flight at once).
        #[arg(long, default_value_t = 512)]
        connections: usize,
        /// Run `anpei serve` as a child process on this database, on a free loopback port.
        #[arg(long, conflicts_with = "url")]
        spawn_server: bool,
        /// The running server to drive instead, e.g. http://127.0.0.1:8080 (on this database).
        #[arg(long)]
        url: Option<String>,
        /// SIGKILL the child server this many seconds after the papers were fetched, restart
        /// it on the same port and database; examinees retry until it answers.
        #[arg(long, requires = "spawn_server")]
        kill_after_secs: Option<u64>,
        /// Credit code of the enterprise to hire the examinees into.
        #[arg(long)]
        enterprise: Option<String>,
        /// County code of the exam site.
        #[arg(long, default_value = "230102")]
        region: String,
        /// Seconds one request is retried (while the server is down) before it counts as failed.
        #[arg(long, default_value_t = 120)]
        patience_secs: u64,
        /// Baseline: the child server commits one transaction per save (no batching).
        #[arg(long, requires = "spawn_server")]
        unbatched: bool,
        /// Run the drill with the exam-day limits on, then off (`serve
        /// --without-limits-for-bench`; an empty database is made a small demo first), a
        /// fresh drill and child server each, `--rounds` times, and print them side by side.
        #[arg(long, requires = "spawn_server", conflicts_with = "kill_after_secs")]
        compare_limits: bool,
        /// On/off pairs run by --compare-limits.
        #[arg(long, default_value_t = 2, requires = "compare_limits")]
        rounds: u32,
    },
}

#[derive(Debug, Subcommand)]
enum ExamCommand {
    /// Prepare a practice exam day: a bank of 100 questions, a 50-question paper, a site,
    /// sessions opening now, and examinees hired, trained and registered. Prints the
    /// sign-in links and a few tickets; the full list (with ID numbers) goes to --out.
    Drill {
        #[arg(long, default_value_t = 20)]
        examinees: u32,
        /// CSV file for the examinees' session, ticket, ID number and name (needed to sign
        /// in; the terminal shows only masked ID numbers).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Credit code of the enterprise to hire the examinees into (default: the drill's
        /// own host enterprise, or the first one there is).
        #[arg(long)]
        enterprise: Option<String>,
        /// County code of the exam site.
        #[arg(long, default_value = "230102")]
        region: String,
        /// Minutes from now until the exam opens (entry opens 30 minutes before).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        opens_in_minutes: i64,
        /// Exam length in minutes.
        #[arg(long, default_value_t = 60)]
        minutes: u32,
        /// Hours the sessions stay open for signing in.
        #[arg(long, default_value_t = 4)]
        hours: i64,
    },
}

#[derive(Debug, Subcommand)]
enum ArchiveCommand {
    /// Check a signed archive export offline.
    Verify {
        file: std::path::PathBuf,
        /// The installation's public key (hex) or key id, from /api/v1/ledger/public-key.
        #[arg(long)]
        key: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum CertificateCommand {
    /// Write a certificate as a one-page A4 PDF (as the archive page's download).
    Pdf {
        /// The certificate number, e.g. T230100-2026-000001.
        number: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Public address for the QR code's verification link, e.g. https://anpei.example.cn.
        #[arg(
            long,
            env = "ANPEI_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
}

#[derive(Debug, Subcommand)]
enum QuestionsCommand {
    /// Import a question file into a trade's bank, all or nothing: a file with any problem
    /// (an unsupported question type included, unless --skip-unsupported) is rejected whole.
    Import {
        file: std::path::PathBuf,
        /// The trade's code in the national catalogue, e.g. 1.2 (低压电工作业).
        #[arg(long)]
        trade: String,
        /// xlsx, moodle-xml or gift; by default from the file's name and content.
        #[arg(long)]
        format: Option<String>,
        /// Print the counts per type and every problem by line; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the rest and list the questions of types Anpei lacks instead of rejecting the file.
        #[arg(long)]
        skip_unsupported: bool,
    },
    /// Export a trade's current questions.
    Export {
        #[arg(long)]
        trade: String,
        /// xlsx, moodle-xml or gift.
        #[arg(long)]
        format: String,
        #[arg(long)]
        output: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ValidateCommand {
    /// Resident ID numbers (GB 11643).
    IdNumber { values: Vec<String> },
    /// Unified social credit codes (GB 32100).
    CreditCode { values: Vec<String> },
}

/// mimalloc instead of glibc's malloc: the fact readers and the exam writer allocate many
/// small values from several threads, and glibc's arenas showed in their profiles
/// (`malloc_consolidate`, `unlink_chunk`, lock waits). See ARCHITECTURE.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误 error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Commands that need no database run without one.
    match &cli.command {
        Some(Command::Validate { command }) => return Ok(validate(command)),
        Some(Command::Archive {
            command: ArchiveCommand::Verify { file, key },
        }) => {
            return archive_verify(file, key.as_deref());
        }
        _ => {}
    }
    let config = Config::from_raw(cli.config)?;
    init_tracing(config.json_logs);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let clock = config.clock.clone();
    runtime.block_on(clock.scope(async move {
        match cli.command.unwrap_or(Command::Serve {
            addr: "127.0.0.1:8080".to_owned(),
            no_demo: false,
            demo_people: 30_000,
            secure_cookies: false,
            checkpoint_minutes: 10,
            public_url: None,
            exam_batch: anpei_store::exam::attempts::BATCH,
            without_limits_for_bench: false,
        }) {
            Command::Serve { addr, no_demo, demo_people, secure_cookies, checkpoint_minutes, public_url, exam_batch, without_limits_for_bench } => {
                let addr = config::parse_addr(&addr)?;
                let public_url = config::public_url(public_url.as_deref(), addr)?;
                // A server's writers should not stall on copying the WAL.
                let store = Store::open(&StoreConfig { background_wal_checkpoints: true, ..config.store.clone() }).await?;
                if !no_demo && demo::is_empty(&store).await? {
                    println!("首次启动：生成演示省份数据 / first start: generating the demo province");
                    generate_demo(&store, DemoSpec { people: demo_people, ..DemoSpec::default() }, 6, true).await?;
                }
                let limits = config::serve_limits(&store, without_limits_for_bench).await?;
                anpei_web::spawn_upkeep(store.clone(), Duration::from_secs(checkpoint_minutes.max(1) * 60));
                let app = anpei_web::app(store, anpei_web::WebConfig { secure_cookies, exam_batch, limits, clock: anpei_web::clock::current(), ..anpei_web::WebConfig::new(public_url.clone()) });
                let listener = tokio::net::TcpListener::bind(addr).await?;
                println!("安培已启动 Anpei is serving on http://{}", listener.local_addr()?);
                println!("公开地址 public URL (links, accepted Origin): {public_url}");
                anpei_web::serve(listener, app).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Notifications { command } => {
                let store = Store::open(&config.store).await?;
                match command {
                    NotificationsCommand::Generate => {
                        let report = anpei_store::notifications::generate(&store, today(), now()).await?;
                        println!(
                            "通知已生成 / notices created: {} (for {} people checked), {} outbox messages",
                            report.notices, report.people_checked, report.outbox
                        );
                    }
                    NotificationsCommand::Pending { limit } => {
                        for message in anpei_store::notifications::pending(store.connection(), limit).await? {
                            println!("{}", serde_json::to_string(&message)?);
                        }
                    }
                    NotificationsCommand::Delivered { id } => {
                        let id = id.parse().map_err(|_| anyhow::anyhow!("not a message id: {id}"))?;
                        anpei_store::notifications::delivered(&store, id, now()).await?;
                        println!("已记录送达 / delivery recorded");
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Verdicts { command: VerdictsCommand::Rebuild } => {
                let store = Store::open(&config.store).await?;
                evaluate_all(&store).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Migrate => {
                Store::migrate(&config.store).await?;
                println!("数据库已是最新 / database is up to date");
                Ok(ExitCode::SUCCESS)
            }
            Command::Demo { people, seed, trend_months, no_notifications } => {
                let store = Store::open(&config.store).await?;
                if !demo::is_empty(&store).await? {
                    anyhow::bail!("the database already has data; the demo is generated into an empty database");
                }
                generate_demo(&store, DemoSpec { people, seed }, trend_months, !no_notifications).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Ledger { command: LedgerCommand::Verify } => {
                let store = Store::open(&config.store).await?;
                ledger_verify(&store).await
            }
            Command::Ledger { command: LedgerCommand::Checkpoint } => {
                let store = Store::open(&config.store).await?;
                match store.checkpoint_now(now()).await? {
                    Some(seq) => println!("已签名检查点 / signed checkpoint at #{seq}"),
                    None => println!("无新记录 / nothing new to sign"),
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench { command: BenchCommand::Demo { people, seed, baseline } } => {
                let store = Store::open(&config.store).await?;
                if !demo::is_empty(&store).await? {
                    anyhow::bail!("bench needs an empty database: pass a fresh --data-dir or --database");
                }
                bench::demo(&store, people, seed, baseline, today()).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench { command: BenchCommand::Import { rows, baseline } } => {
                let store = Store::open(&config.store).await?;
                if !demo::is_empty(&store).await? {
                    anyhow::bail!("bench needs an empty database: pass a fresh --data-dir or --database");
                }
                bench::import(&store, rows, baseline, today()).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench { command: BenchCommand::Compliance { baseline, requests, updates } } => {
                let store = Store::open(&config.store).await?;
                bench::compliance(&store, baseline, requests, updates, today()).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench { command: BenchCommand::Subsidy { rows, history, runs } } => {
                let store = Store::open(&config.store).await?;
                subsidy_bench::subsidy(&store, rows.max(1), history, runs, today()).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench { command: BenchCommand::Verify { connections, seconds, numbers } } => {
                let store = Store::open(&config.store).await?;
                bench::verify(&store, connections.max(1), seconds.max(1), numbers, today()).await?;
                Ok(ExitCode::SUCCESS)
            }
            Command::Bench { command: BenchCommand::Exam { examinees, pace_ms, connections, spawn_server, url, kill_after_secs, enterprise, region, patience_secs, unbatched, compare_limits, rounds } } => {
                exam_bench::run(&config, exam_bench::Options { examinees, pace_ms, connections, spawn_server, url, kill_after_secs, enterprise, region, patience_secs, unbatched, compare_limits, rounds }).await
            }
            Command::Exam { command: ExamCommand::Drill { examinees, out, enterprise, region, opens_in_minutes, minutes, hours } } => {
                exam_drill(&config, examinees, out, enterprise, &region, opens_in_minutes, minutes, hours).await
            }
            Command::Import { what: _, file, enterprise } => {
                // Read and check the whole file before touching the database.
                let bytes = std::fs::read(&file)?;
                let name = file.to_string_lossy();
                let rows = match anpei_web::pages::roster::read_roster(&name, &bytes) {
                    Ok(rows) => rows,
                    Err(errors) => {
                        for e in &errors {
                            eprintln!("第 {} 行 [{}]: {} / row {} [{}]: {}", e.row, e.column, e.zh, e.row, e.column, e.en);
                        }
                        eprintln!("未导入任何数据 / nothing imported: {} error(s)", errors.len());
                        return Ok(ExitCode::FAILURE);
                    }
                };
                let store = Store::open(&config.store).await?;
                let credit_code = CreditCode::parse(enterprise.trim()).map_err(|e| anyhow::anyhow!("--enterprise: {}", e.en()))?;
                let enterprise_id = anpei_store::ops::roster::enterprise_by_credit_code(store.connection(), &credit_code)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no enterprise with credit code {}", credit_code.as_str()))?;
                let actor = anpei_store::Actor::system("roster-import");
                let staff = anpei_store::access::enterprise_staff_write(store.connection(), &actor, enterprise_id).await?;
                let total = rows.len() as u64;
                let hires = rows.into_iter().map(anpei_web::pages::roster::to_hire).collect();
                let started = Instant::now();
                let bar = progress_bar(total, "导入人员 rows");
                let outcome = anpei_store::ops::roster::import(&store, &actor, staff, hires, now(), &|step, done, total| {
                    let (zh, en) = step.label();
                    bar.set_message(format!("{zh} / {en}"));
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await;
                bar.finish_and_clear();
                match outcome {
                    Ok(report) => {
                        println!(
                            "已导入 {} 条在职记录，新建人员档案 {} 份 / imported {} employments, {} new people in {:.1} s",
                            report.employments, report.new_people, report.employments, report.new_people, started.elapsed().as_secs_f64()
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(anpei_store::StoreError::Invalid { field, zh, en }) => {
                        let (row, column) = field.strip_prefix("row ").and_then(|r| r.split_once(": ")).unwrap_or(("", field.as_str()));
                        eprintln!("第 {row} 行 [{column}]: {zh} / row {row} [{column}]: {en}");
                        eprintln!("未导入任何数据 / nothing imported");
                        Ok(ExitCode::FAILURE)
                    }
                    Err(other) => Err(other.into()),
                }
            }
            Command::Questions { command } => questions(&config, command).await,
            Command::Certificate { command: CertificateCommand::Pdf { number, out, public_url } } => {
                let store = Store::open(&config.store).await?;
                let actor = anpei_store::Actor::system("certificate-pdf");
                let found = anpei_store::read::printable_certificate(store.connection(), &actor, &number, today())
                    .await
                    .map_err(|e| match e {
                        anpei_store::StoreError::NotFound => anyhow::anyhow!("未找到证书 / no certificate numbered {number}"),
                        other => other.into(),
                    })?;
                let public_url = anpei_web::security::PublicUrl::parse(&public_url).map_err(|err| anyhow::anyhow!("--public-url: {err}"))?;
                let url = anpei_web::qr::verify_url(&public_url, &found.number, &found.verification_token);
                let sheet = anpei_web::api::certificates::printable_sheet(found, url);
                let pdf = anpei_formats::certificate_pdf::render(&sheet)?;
                std::fs::write(&out, pdf)?;
                println!("已写入 / written: {}", out.display());
                Ok(ExitCode::SUCCESS)
            }
            Command::Account { command } => account(&config, command).await,
            Command::Archive { .. } | Command::Validate { .. } => Ok(ExitCode::SUCCESS),
        }
    }))
}

/// `anpei exam drill`: a practice exam day; the terminal shows links, tickets and masked ID
/// numbers only, the full list goes to the operator's file.
#[allow(clippy::too_many_arguments)]
async fn exam_drill(
    config: &Config,
    examinees: u32,
    out: Option<std::path::PathBuf>,
    enterprise: Option<String>,
    region: &str,
    opens_in_minutes: i64,
    minutes: u32,
    hours: i64,
) -> anyhow::Result<ExitCode> {
    if examinees == 0 {
        anyhow::bail!("--examinees: at least 1");
    }
    let store = Store::open(&config.store).await?;
    let (drill, run) = exam_bench::prepare_drill(
        &store,
        examinees,
        enterprise.as_deref(),
        region,
        opens_in_minutes,
        minutes,
        hours,
    )
    .await?;
    println!("考生签到页面 / sign-in pages (on the server, e.g. http://127.0.0.1:8080):");
    for session in &drill.sessions {
        println!("  /exam/{session}");
    }
    println!("前几名考生 / first examinees (ticket, masked ID number, name):");
    for e in drill.examinees.iter().take(3) {
        let masked = IdNumber::parse(&e.id_number)
            .map(|id| id.masked())
            .unwrap_or_default();
        println!("  {}  {masked}  {}", e.ticket, e.name);
    }
    match out {
        Some(path) => {
            let mut csv = String::from("\u{feff}session_id,ticket,id_number,name,sign_in_page\n");
            for e in &drill.examinees {
                csv.push_str(&format!(
                    "{},{},{},{},/exam/{}\n",
                    e.session_id, e.ticket, e.id_number, e.name, e.session_id
                ));
            }
            std::fs::write(&path, csv)?;
            println!(
                "完整名单（含身份证号）已写入 / full list with ID numbers written to {} ({} examinees, drill {run})",
                path.display(),
                drill.examinees.len()
            );
        }
        None => println!(
            "提示 / note: 签到需要准考证号和身份证号，用 --out FILE 导出完整名单 / signing in needs the ticket and the ID number: pass --out FILE for the full list"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `anpei questions import|export`.
async fn questions(config: &Config, command: QuestionsCommand) -> anyhow::Result<ExitCode> {
    use anpei_formats::questions::{Format, kind_names};
    use anpei_web::api::bank as api;
    let actor = anpei_store::Actor::system("questions");
    match command {
        QuestionsCommand::Import {
            file,
            trade,
            format,
            dry_run,
            skip_unsupported,
        } => {
            if anpei_domain::trade::find_trade(trade.trim()).is_none() {
                anyhow::bail!("没有工种代码 {trade} / no trade with code {trade}");
            }
            let bytes = std::fs::read(&file)?;
            let format = match format {
                Some(code) => Format::parse(&code)
                    .ok_or_else(|| anyhow::anyhow!("--format: xlsx, moodle-xml or gift"))?,
                None => Format::detect(&file.to_string_lossy(), &bytes),
            };
            let bar = progress_bar(0, "读取题目 reading");
            let outcome = format.read(&bytes);
            bar.finish_and_clear();
            println!("格式 format: {}", format.code());
            for (kind, count) in outcome.counts() {
                let (zh, en) = kind_names(kind);
                println!("  {zh} {en}: {count}");
            }
            for problem in &outcome.problems {
                let what = if problem.unsupported.is_some() {
                    "不支持 unsupported"
                } else {
                    "错误 error"
                };
                eprintln!(
                    "第 {} 行 line {} [{what}]: {} / {}",
                    problem.line, problem.line, problem.zh, problem.en
                );
            }
            if !outcome.importable(skip_unsupported) {
                eprintln!(
                    "文件有 {} 个问题，未导入任何题目 / {} problem(s): nothing imported{}",
                    outcome.problems.len(),
                    outcome.problems.len(),
                    if outcome.errors().next().is_none() {
                        " (--skip-unsupported imports the rest)"
                    } else {
                        ""
                    }
                );
                return Ok(ExitCode::FAILURE);
            }
            let skipped = outcome.unsupported().count();
            if dry_run {
                println!(
                    "预检通过，未写入 / dry run: nothing written ({} to import, {skipped} skipped)",
                    outcome.drafts.len()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let store = Store::open(&config.store).await?;
            let drafts = api::to_import_drafts(outcome.drafts);
            let bar = progress_bar(drafts.len() as u64, "导入题目 questions");
            let started = Instant::now();
            let result = anpei_store::exam::bank::import(
                &store,
                &actor,
                now(),
                trade.trim(),
                &format!("import:{}", format.code()),
                drafts,
                &|done, _| bar.set_position(done),
            )
            .await;
            bar.finish_and_clear();
            match result {
                Ok(report) => {
                    let total: u64 = report.created.values().sum();
                    println!(
                        "已导入 {total} 道题，新建知识点 {} 个，跳过不支持的题 {skipped} 道 / imported {total} questions, {} new syllabus points, {skipped} skipped in {:.1} s",
                        report.points_created,
                        report.points_created,
                        started.elapsed().as_secs_f64()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(anpei_store::StoreError::Invalid { field, zh, en }) => {
                    eprintln!("{field}: {zh} / {en}");
                    eprintln!("未导入任何题目 / nothing imported");
                    Ok(ExitCode::FAILURE)
                }
                Err(other) => Err(other.into()),
            }
        }
        QuestionsCommand::Export {
            trade,
            format,
            output,
        } => {
            let format = Format::parse(&format)
                .ok_or_else(|| anyhow::anyhow!("--format: xlsx, moodle-xml or gift"))?;
            let store = Store::open(&config.store).await?;
            let access = anpei_store::exam::bank::bank_access(&actor)?;
            let drafts =
                anpei_store::exam::bank::export(store.connection(), &access, trade.trim()).await?;
            let (bytes, left_out) = format.write(&api::to_format_drafts(drafts))?;
            std::fs::write(&output, bytes)?;
            println!("已写入 / written: {}", output.display());
            if left_out > 0 {
                println!(
                    "{left_out} 张实操评分表无法以 {} 格式导出，请用 xlsx / {left_out} score sheet(s) left out: use xlsx",
                    format.code()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Now, on the clock the command runs on (`--clock-start`, else the system's).
/// `anpei account create`: the bootstrap of a real deployment.
async fn account(config: &Config, command: AccountCommand) -> anyhow::Result<ExitCode> {
    use anpei_store::ops::accounts::{self, Bootstrap, Credential};
    let AccountCommand::Create {
        role,
        region,
        enterprise,
        institution,
        username,
        name,
        link,
        public_url,
    } = command;
    let public_url = anpei_web::security::PublicUrl::parse(&public_url)
        .map_err(|err| anyhow::anyhow!("--public-url: {err}"))?;
    let role = anpei_domain::Role::parse(&role)
        .ok_or_else(|| anyhow::anyhow!("未知的角色 / unknown role {role:?}"))?;
    let store = Store::open(&config.store).await?;
    let both = |err: anpei_store::StoreError| match err {
        anpei_store::StoreError::Invalid { zh, en, .. } => anyhow::anyhow!("{zh} / {en}"),
        other => other.into(),
    };
    let system = anpei_store::Actor::system("命令行 account create");
    let holder = system
        .account_admin()
        .ok_or_else(|| anyhow::anyhow!("the command line administers every account"))?;
    let scope = accounts::admin::scope_from_form(
        store.connection(),
        &holder,
        role,
        region.as_deref(),
        enterprise.as_deref().or(institution.as_deref()),
    )
    .await
    .map_err(both)?;
    let credential = if link {
        Credential::Link
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Credential::Password(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    let (account, token) = accounts::bootstrap(
        &store,
        Bootstrap {
            username,
            display_name: name,
            role,
            scope,
            credential,
        },
        now(),
    )
    .await
    .map_err(both)?;
    println!(
        "已创建账号 / account created: {} ({})",
        account.username,
        role.code()
    );
    if let Some(token) = token {
        println!("一次性设置密码链接（24小时内有效）/ one-time set-password link (24 h):");
        println!("{}", public_url.join(&format!("/account/setup/{token}")));
    }
    if accounts::needs_second_factor(&account) {
        println!(
            "首次登录时绑定动态验证码（TOTP）/ enrol the authenticator (TOTP) at the first sign-in"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    anpei_web::clock::now()
}

fn today() -> chrono::NaiveDate {
    anpei_web::clock::today()
}

fn init_tracing(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ANPEI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_owned());
    bar
}

/// Evaluates every rule for everyone and replaces the verdict table, with progress.
async fn evaluate_all(store: &Store) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = progress_bar(0, "评估合规 verdicts");
    let plain = !std::io::stderr().is_terminal();
    let report = anpei_store::verdicts::rebuild(store, today(), now(), &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
        if plain && done > 0 && (done == total || done % 200_000 == 0) {
            eprintln!("verdicts: {done}/{total} people");
        }
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "合规评估完成 / verdicts rebuilt: {} people, {} rows ({} written), {} enterprises in {:.1} s",
        report.people,
        report.rows,
        report.rows_written,
        report.enterprises,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn generate_demo(
    store: &Store,
    spec: DemoSpec,
    trend_months: u32,
    notify: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = progress_bar(spec.people, "生成人员 people");
    let plain = !std::io::stderr().is_terminal();
    let report = demo::generate(store, spec, today(), now(), &|done, total| {
        bar.set_position(done);
        if plain && (done == total || done % 100_000 == 0) {
            eprintln!("demo: {done}/{total} people");
        }
    })
    .await?;
    bar.finish_and_clear();
    evaluate_all(store).await?;
    if notify {
        let report = anpei_store::notifications::generate(store, today(), now()).await?;
        println!(
            "通知 / notices: {} ({} in the outbox)",
            report.notices, report.outbox
        );
    }
    if trend_months > 0 {
        let today = today();
        use chrono::Datelike;
        let days: Vec<chrono::NaiveDate> = (1..=trend_months)
            .rev()
            .filter_map(|back| {
                today
                    .checked_sub_months(chrono::Months::new(back))
                    .and_then(|d| d.with_day(1))
            })
            .collect();
        let bar = progress_bar(days.len() as u64, "历史趋势 trend");
        anpei_store::verdicts::backfill(store, &days, now(), &|done, _| bar.set_position(done))
            .await?;
        bar.finish_and_clear();
    }
    println!(
        "演示数据已生成 / demo generated: {} enterprises, {} institutions, {} people, {} employments, {} certificates, {} ledger entries in {:.1} s",
        report.enterprises,
        report.institutions,
        report.people,
        report.employments,
        report.certificates,
        report.ledger_head,
        started.elapsed().as_secs_f64()
    );
    println!("演示账号 / demo logins (password {}):", demo::DEMO_PASSWORD);
    for login in &report.logins {
        println!(
            "  {:<12} {:<22} {}",
            login.username,
            login.role.name_en(),
            login.description
        );
    }
    Ok(())
}

async fn ledger_verify(store: &Store) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let bar = progress_bar(0, "核验账本 verifying");
    let report = store
        .verify_ledger(&|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    if report.is_ok() {
        println!(
            "账本完整 / ledger OK: {} entries, {} signed checkpoints, {} rows match the ledger ({elapsed:.1} s)",
            report.entries, report.checkpoints, report.rows_checked
        );
        return Ok(ExitCode::SUCCESS);
    }
    let first = &report.problems[0];
    println!(
        "账本被篡改 / ledger BROKEN: first broken entry {} ({}): {}",
        first
            .seq
            .map(|s| format!("#{s}"))
            .unwrap_or_else(|| "(none)".to_owned()),
        first.entity_key.as_deref().unwrap_or("-"),
        first.reason
    );
    println!(
        "{} problem(s) in all; {} entries, {} rows checked ({elapsed:.1} s)",
        report.problems.len(),
        report.entries,
        report.rows_checked
    );
    for problem in report.problems.iter().skip(1).take(20) {
        println!(
            "  {} {}: {}",
            problem
                .seq
                .map(|s| format!("#{s}"))
                .unwrap_or_else(|| "-".to_owned()),
            problem.entity_key.as_deref().unwrap_or("-"),
            problem.reason
        );
    }
    Ok(ExitCode::FAILURE)
}

fn archive_verify(file: &std::path::Path, key: Option<&str>) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(file)?;
    match anpei_store::archive::verify(&text, key) {
        Ok(verified) => {
            println!(
                "签名有效 / signature valid: {} ({} employments), exported {}, signed by key {}",
                verified.person_name, verified.employments, verified.exported_at, verified.key_id
            );
            if key.is_none() {
                println!(
                    "提示 / note: compare the key id with the issuer's published key (/api/v1/ledger/public-key), or pass --key"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            println!("核验失败 / verification FAILED: {err}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn validate(command: &ValidateCommand) -> ExitCode {
    let mut all_valid = true;
    let mut report = |value: &str, result: Result<(), (String, String)>| match result {
        Ok(()) => println!("{value}\tvalid\t有效"),
        Err((zh, en)) => {
            all_valid = false;
            println!("{value}\tinvalid\t{en}\t{zh}");
        }
    };
    match command {
        ValidateCommand::IdNumber { values } => {
            for value in values {
                report(
                    value,
                    IdNumber::parse(value)
                        .map(|_| ())
                        .map_err(|e| (e.zh(), e.en())),
                );
            }
        }
        ValidateCommand::CreditCode { values } => {
            for value in values {
                report(
                    value,
                    CreditCode::parse(value)
                        .map(|_| ())
                        .map_err(|e| (e.zh(), e.en())),
                );
            }
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
