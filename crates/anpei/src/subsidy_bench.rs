//! `anpei bench subsidy`: the regulator's review checks of a large application and the
//! province-wide duplicate-subsidy check, on an existing database (the 1,000,000-person demo).
//!
//! Setup (not timed), all through `Store::write` and so ledgered like real data: the first
//! institution is approved for 低压电工作业 (1.2) and runs a class with both videos; `history`
//! earlier claims are filed on certificates across the province (in applications of 1,000
//! rows, already approved and paid), and one application of `rows` rows waits for review,
//! a tenth of its certificates already claimed elsewhere. Then:
//! - the review checks of the whole application (`ops::subsidies::check_rows`: six queries
//!   whatever the rows), `runs` times, beside the per-row baseline (the same checks one row
//!   at a time, each with its own queries), timed in the same run;
//! - the province-wide duplicate check (`read_subsidies::duplicate_claims`, one grouped scan
//!   of every claim).

use std::time::Instant;

use anpei_store::entity::{certificate, enterprise, institution, subsidy_application, subsidy_row};
use anpei_store::ledger::{Change, LedgerKey};
use anpei_store::ops::subsidies::{check_rows, decision, status};
use anpei_store::ops::training::{self, NewApproval, NewClass, NewTrainer, NewVideo};
use anpei_store::{Actor, Store};
use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::bench::machine;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

/// Files `certificates` as one application of `enterprise` (status and decisions given),
/// inserting in chunks and ledgering every row.
#[allow(clippy::too_many_arguments)]
async fn insert_application(
    store: &Store,
    actor: &Actor,
    (enterprise, city, region): (Uuid, &str, &str),
    institution: Uuid,
    number: String,
    certificates: &[(Uuid, Uuid)],
    (state, row_decision, class): (&str, &str, Option<Uuid>),
    (from, to, today): (NaiveDate, NaiveDate, NaiveDate),
) -> anyhow::Result<(subsidy_application::Model, Vec<subsidy_row::Model>)> {
    let mut tx = store.write(actor, crate::now()).await?;
    tx.defer_verdicts();
    let at = tx.at();
    let app = subsidy_application::Model {
        enterprise_id: enterprise,
        id: Uuid::now_v7(),
        number,
        city_code: city.to_owned(),
        region_code: region.to_owned(),
        institution_id: institution,
        legal_representative: "基准".to_owned(),
        handler_name: "基准经办".to_owned(),
        handler_phone: "13912345678".to_owned(),
        training_from: from,
        training_to: to,
        amount_yuan: 1000 * certificates.len() as i64,
        rules_version: anpei_domain::subsidy::SUBSIDY_RULES.version.to_owned(),
        pledge_by: "基准负责人".to_owned(),
        status: state.to_owned(),
        applied_on: today,
        confirmed_on: Some(today),
        institution_opinion: Some(anpei_store::ops::subsidies::INSTITUTION_OPINION.to_owned()),
        reviewed_on: (state != status::CONFIRMED).then_some(today),
        regulator_opinion: None,
        created_at: at,
        updated_at: at,
    };
    subsidy_application::Entity::insert(subsidy_application::ActiveModel::from(app.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "subsidy.file",
        LedgerKey::SubsidyApplication {
            enterprise_id: enterprise,
            id: app.id,
        },
        &app,
    ));
    let rows: Vec<subsidy_row::Model> = certificates
        .iter()
        .enumerate()
        .map(|(index, (person_id, certificate_id))| subsidy_row::Model {
            person_id: *person_id,
            id: Uuid::now_v7(),
            application_id: app.id,
            seq: index as i32 + 1,
            certificate_id: *certificate_id,
            trade_code: "1.2".to_owned(),
            class_id: class,
            confirmed: Some(true),
            checks: None,
            decision: row_decision.to_owned(),
            comment: None,
            decided_on: (row_decision != decision::PENDING).then_some(today),
            paid_on: (state == status::CLOSED).then_some(today),
            payment_ref: (state == status::CLOSED).then(|| "BENCH".to_owned()),
            created_at: at,
            updated_at: at,
        })
        .collect();
    for chunk in rows.chunks(500) {
        subsidy_row::Entity::insert_many(chunk.iter().cloned().map(subsidy_row::ActiveModel::from))
            .exec(tx.conn())
            .await?;
    }
    for row in &rows {
        tx.record(
            Change::of(
                "subsidy.row",
                LedgerKey::SubsidyRow {
                    person_id: row.person_id,
                    id: row.id,
                },
                row,
            )
            .with_enterprise(enterprise),
        );
    }
    tx.commit().await?;
    Ok((app, rows))
}

pub async fn subsidy(
    store: &Store,
    rows: u64,
    history: u64,
    runs: u64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    println!("machine: {}", machine());
    println!("backend: {:?}", store.backend());
    let db = store.connection();
    let actor = Actor::system("anpei bench subsidy");
    let (from, to) = (today - Days::new(60), today - Days::new(40));

    let first = institution::Entity::find()
        .order_by_asc(institution::Column::Id)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no institution: run `anpei demo` first"))?;
    training::approve_trade(
        store,
        &actor,
        first.id,
        NewApproval {
            trade_code: "1.2".to_owned(),
            approved_on: today - Days::new(400),
            may_examine: true,
            practical_facilities: "低压电工实训室".to_owned(),
        },
        today,
        crate::now(),
    )
    .await?;
    let trainer = training::add_trainer(
        store,
        &actor,
        first.id,
        NewTrainer {
            name: "基准教师".to_owned(),
            role: anpei_domain::classes::TrainerRole::Trainer,
            qualification: "电工高级技师".to_owned(),
            trade_codes: vec!["1.2".to_owned()],
            selected_on: today - Days::new(300),
        },
        today,
        crate::now(),
    )
    .await?;
    let class = training::create_class(
        store,
        &actor,
        first.id,
        NewClass {
            number: format!("BENCH-{}", Uuid::now_v7().simple()),
            trade_code: "1.2".to_owned(),
            syllabus: "低压电工作业安全技术培训大纲".to_owned(),
            theory_hours: 4.0,
            practical_hours: 4.0,
            starts_on: from,
            ends_on: to,
            schedule: String::new(),
            trainer_ids: vec![trainer.id],
        },
        crate::now(),
    )
    .await?;
    for (part, day) in [("theory", from), ("practical", to)] {
        training::record_video(
            store,
            &actor,
            class.id,
            NewVideo {
                part: part.to_owned(),
                session_on: day,
                storage: format!("oss://bench/{part}.mp4"),
                sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                    .to_owned(),
                duration_seconds: 14_400,
                retained_until: today + Days::new(7 * 366),
            },
            today,
            crate::now(),
        )
        .await?;
    }

    // Certificates from across the province: the application's, then the history's.
    let wanted = rows + history;
    let certificates: Vec<(Uuid, Uuid)> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::PersonId)
        .column(certificate::Column::Id)
        .filter(certificate::Column::Kind.eq("special_ops"))
        .order_by_asc(certificate::Column::Id)
        .limit(wanted)
        .into_tuple()
        .all(db)
        .await?;
    if (certificates.len() as u64) < wanted {
        anyhow::bail!(
            "the database has {} special-operations certificates; {wanted} are needed",
            certificates.len()
        );
    }
    let enterprises = enterprise::Entity::find()
        .order_by_asc(enterprise::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let (target, earlier) = certificates.split_at(rows as usize);
    let started = Instant::now();
    let mut filed = 0u64;
    for (n, chunk) in earlier.chunks(1_000).enumerate() {
        let owner = &enterprises[n % enterprises.len()];
        insert_application(
            store,
            &actor,
            (owner.id, &owner.city_code, &owner.region_code),
            first.id,
            format!("BENCH-H{n:06}-{}", Uuid::now_v7().simple()),
            chunk,
            (status::CLOSED, decision::APPROVED, Some(class.id)),
            (from, to, today),
        )
        .await?;
        filed += chunk.len() as u64;
    }
    // A tenth of the application's certificates were already claimed elsewhere.
    let repeats: Vec<(Uuid, Uuid)> = target.iter().step_by(10).copied().collect();
    let owner = &enterprises[0];
    insert_application(
        store,
        &actor,
        (owner.id, &owner.city_code, &owner.region_code),
        first.id,
        format!("BENCH-R-{}", Uuid::now_v7().simple()),
        &repeats,
        (status::REVIEWED, decision::APPROVED, Some(class.id)),
        (from, to, today),
    )
    .await?;
    let (app, app_rows) = insert_application(
        store,
        &actor,
        (owner.id, &owner.city_code, &owner.region_code),
        first.id,
        format!("BENCH-A-{}", Uuid::now_v7().simple()),
        target,
        (status::CONFIRMED, decision::PENDING, Some(class.id)),
        (from, to, today),
    )
    .await?;
    println!(
        "setup: {} earlier claims and one application of {} rows filed in {:.1} s",
        filed + repeats.len() as u64,
        app_rows.len(),
        started.elapsed().as_secs_f64()
    );

    // The review checks of the whole application.
    let mut times = Vec::new();
    let mut failed_duplicates = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let results = check_rows(db, &app, &app_rows, today).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        failed_duplicates = results
            .iter()
            .filter(|checks| {
                checks.iter().any(|c| {
                    c.check == anpei_domain::subsidy::Check::NotClaimedElsewhere && !c.passed
                })
            })
            .count();
    }
    times.sort_by(f64::total_cmp);
    // Baseline: the same checks row by row, each row with its own queries.
    let started = Instant::now();
    for row in &app_rows {
        std::hint::black_box(check_rows(db, &app, std::slice::from_ref(row), today).await?);
    }
    let per_row = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "review checks, {} rows ({failed_duplicates} claimed elsewhere): p50 {:.0} ms, max {:.0} ms over {} runs; per-row baseline {per_row:.0} ms",
        app_rows.len(),
        percentile(&times, 0.5),
        times.last().copied().unwrap_or(0.0),
        times.len()
    );

    // The province-wide duplicate check.
    let mut scans = Vec::new();
    let mut found = 0;
    for _ in 0..runs.clamp(1, 5) {
        let started = Instant::now();
        found = anpei_store::read_subsidies::duplicate_claims(db, &actor)
            .await?
            .len();
        scans.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    scans.sort_by(f64::total_cmp);
    let claims = subsidy_row::Entity::find()
        .filter(subsidy_row::Column::Decision.ne(decision::REJECTED))
        .select_only()
        .column(subsidy_row::Column::Id)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .len();
    println!(
        "province-wide duplicate check: {claims} live claims, {found} certificates claimed more than once, p50 {:.0} ms over {} runs",
        percentile(&scans, 0.5),
        scans.len()
    );
    Ok(())
}
