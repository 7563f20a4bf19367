//! The verdict table (SPEC C5, C11): every person's standing today, kept current inside the
//! write transaction that changes their facts, and summed per enterprise so that a province's
//! figures are one pass over ~10,000 enterprise rows instead of an evaluation of a million
//! people.
//!
//! Three tables, all derived from the facts and rebuilt from them by [`rebuild`]:
//! - `person_verdicts`: one row per person who holds a post (or led a team on rule 8's
//!   baseline date): the worst verdict per person rule, the next due date, and their part in
//!   the enterprise share rules (see `anpei_domain::rules::standing`).
//! - `enterprise_kpis`: per enterprise, the sums of its people's rows as [`METRICS`]
//!   counters. A person's contribution is a pure function of their row (dates inside it are
//!   read as of the row's own `evaluated_on`), so [`refresh`] subtracts the old row's part
//!   and adds the new one's, and the sums stay exact.
//! - `kpi_snapshots`: the sums per county and industry on the day of each full evaluation —
//!   the trend.
//!
//! Why a daily rebuild on top: verdicts move with the calendar as well as with the facts (a
//! certificate expires overnight). Writes refresh the people they touch; once a day the
//! server re-evaluates everyone (seconds, see BENCHMARKS.md), which also takes the day's
//! snapshot.

use std::collections::HashMap;

use anpei_domain::rules::standing::{EnterpriseShares, Standing};
use anpei_domain::rules::{Kpis, RuleId, Share, Verdict, standing};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sea_orm::sea_query::{
    Alias, Cond, Expr, ExprTrait, Func, OnConflict, Order, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{ConnectionTrait, QueryResult};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use uuid::Uuid;

use crate::access::{Actor, Scope};
use crate::compliance::{person_facts, rule_set};
use crate::dialect::{Flag, Packed, Sql, insert_packed, packed_rows};
use crate::entity::{enterprise, person};
use crate::{Store, StoreError};

/// The person rules' columns in `person_verdicts`, in the order of `PERSON_RULE_IDS`.
pub const PERSON_RULE_COLUMNS: [&str; 7] = [
    "in_post_assessed",
    "new_hire_hours",
    "return_to_post",
    "team_leader_promotion",
    "special_ops_certified",
    "apprentice_no_solo_work",
    "leaders_certified",
];

/// The counters of `enterprise_kpis` and `kpi_snapshots`.
pub const METRICS: [&str; 34] = [
    "people",
    "in_post_assessed_applies",
    "in_post_assessed_due_soon",
    "in_post_assessed_violation",
    "new_hire_hours_applies",
    "new_hire_hours_due_soon",
    "new_hire_hours_violation",
    "return_to_post_applies",
    "return_to_post_due_soon",
    "return_to_post_violation",
    "team_leader_promotion_applies",
    "team_leader_promotion_due_soon",
    "team_leader_promotion_violation",
    "special_ops_certified_applies",
    "special_ops_certified_due_soon",
    "special_ops_certified_violation",
    "apprentice_no_solo_work_applies",
    "apprentice_no_solo_work_due_soon",
    "apprentice_no_solo_work_violation",
    "leaders_certified_applies",
    "leaders_certified_due_soon",
    "leaders_certified_violation",
    "worst_due_soon",
    "worst_violation",
    "due_30",
    "due_60",
    "due_90",
    "key_position_counted",
    "key_position_promoted",
    "team_leaders",
    "team_leaders_qualified",
    "baseline_team_leaders",
    "baseline_team_leaders_qualified",
    "staff_certified",
];

const PEOPLE: usize = 0;
const WORST_DUE_SOON: usize = 22;
const WORST_VIOLATION: usize = 23;
const DUE_30: usize = 24;
const KEY_POSITION_COUNTED: usize = 27;
const KEY_POSITION_PROMOTED: usize = 28;
const TEAM_LEADERS: usize = 29;
const TEAM_LEADERS_QUALIFIED: usize = 30;
const BASELINE_TEAM_LEADERS: usize = 31;
const BASELINE_TEAM_LEADERS_QUALIFIED: usize = 32;
const STAFF_CERTIFIED: usize = 33;

/// The horizons of the "due within" lists, in days.
pub const HORIZONS: [i64; 3] = [30, 60, 90];

/// Index of a person rule's first counter (`_applies`; `+1` due soon, `+2` violation).
fn rule_base(index: usize) -> usize {
    1 + 3 * index
}

/// Business dates are dates in Asia/Shanghai (UTC+8, no daylight saving).
pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&SHANGHAI).date_naive()
}

/// China Standard Time, checked at compile time.
const SHANGHAI: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Sums of person rows: one counter per name in [`METRICS`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Counts(pub [i64; METRICS.len()]);

impl Default for Counts {
    fn default() -> Self {
        Counts([0; METRICS.len()])
    }
}

/// One person rule's counts: people it applies to, and of them due soon and in violation.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RuleCounts {
    pub applies: u64,
    pub due_soon: u64,
    pub violation: u64,
}

impl RuleCounts {
    /// People who meet the rule today (due soon still meets it).
    pub fn share(&self) -> Share {
        Share {
            numerator: self.applies.saturating_sub(self.violation),
            denominator: self.applies,
        }
    }
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Counts {
    fn add(&mut self, other: &Counts, sign: i64) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += sign * theirs;
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|value| *value == 0)
    }

    pub fn people(&self) -> u64 {
        count(self.0[PEOPLE])
    }

    /// Counts of a person rule; `None` for the enterprise rules (7, 8).
    pub fn rule(&self, rule: RuleId) -> Option<RuleCounts> {
        let index = anpei_domain::rules::standing::person_rule_index(rule)?;
        let base = rule_base(index);
        Some(RuleCounts {
            applies: count(self.0[base]),
            due_soon: count(self.0[base + 1]),
            violation: count(self.0[base + 2]),
        })
    }

    /// People with at least one violation, and with something due soon but no violation.
    pub fn worst(&self) -> (u64, u64) {
        (
            count(self.0[WORST_VIOLATION]),
            count(self.0[WORST_DUE_SOON]),
        )
    }

    /// People with something due within 30, 60 and 90 days.
    pub fn due_within(&self) -> [u64; 3] {
        [
            count(self.0[DUE_30]),
            count(self.0[DUE_30 + 1]),
            count(self.0[DUE_30 + 2]),
        ]
    }

    /// The "4 个 100%" figures.
    pub fn kpis(&self) -> Kpis {
        let share = |rule| self.rule(rule).unwrap_or_default().share();
        Kpis {
            in_post_assessed: share(RuleId::InPostAssessed),
            new_hire_trained: share(RuleId::NewHireHours),
            team_leader_trained: share(RuleId::TeamLeaderPromotion),
            special_ops_certified: share(RuleId::SpecialOpsCertified),
        }
    }

    /// The shares of rules 7 and 8 ("二个提升" and key-position promotion).
    pub fn shares(&self) -> EnterpriseShares {
        let share = |numerator: usize, denominator: usize| Share {
            numerator: count(self.0[numerator]),
            denominator: count(self.0[denominator]),
        };
        let mut shares = EnterpriseShares {
            key_position_promoted: share(KEY_POSITION_PROMOTED, KEY_POSITION_COUNTED),
            ..EnterpriseShares::default()
        };
        shares.qualification.team_leaders = share(TEAM_LEADERS_QUALIFIED, TEAM_LEADERS);
        shares.qualification.team_leaders_baseline =
            share(BASELINE_TEAM_LEADERS_QUALIFIED, BASELINE_TEAM_LEADERS);
        shares.qualification.staff = share(STAFF_CERTIFIED, PEOPLE);
        shares
    }
}

impl std::ops::Add for Counts {
    type Output = Counts;

    fn add(mut self, other: Counts) -> Counts {
        Counts::add(&mut self, &other, 1);
        self
    }
}

/// One row of `person_verdicts`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Row {
    pub person_id: Uuid,
    pub enterprise_id: Option<Uuid>,
    pub evaluated_on: NaiveDate,
    pub rules: [Option<Verdict>; 7],
    pub next_due: Option<NaiveDate>,
    pub key_position_promoted: Option<bool>,
    pub team_leader_qualified: Option<bool>,
    pub certified: Option<bool>,
    pub baseline: Option<(Uuid, bool)>,
}

fn verdict_code(verdict: Verdict) -> i16 {
    match verdict {
        Verdict::Compliant => 0,
        Verdict::DueSoon => 1,
        Verdict::Violation => 2,
    }
}

fn verdict_of(code: i16) -> Option<Verdict> {
    match code {
        0 => Some(Verdict::Compliant),
        1 => Some(Verdict::DueSoon),
        2 => Some(Verdict::Violation),
        _ => None,
    }
}

impl Row {
    fn from_standing(person_id: Uuid, standing: &Standing, on: NaiveDate) -> Row {
        let id = |text: &str| Uuid::parse_str(text).ok();
        Row {
            person_id,
            enterprise_id: standing.enterprise.as_deref().and_then(id),
            evaluated_on: on,
            rules: standing.rules,
            next_due: standing.next_due,
            key_position_promoted: standing.key_position_promoted,
            team_leader_qualified: standing.team_leader_qualified,
            certified: standing.certified,
            baseline: standing
                .baseline
                .as_ref()
                .and_then(|(at, met)| id(at).map(|at| (at, *met))),
        }
    }

    /// Whether this stored row may stand for `new`: the same in everything but the day it
    /// was evaluated, and adding the same to every counter (a due date inside a 30/60/90-day
    /// horizon is counted as of the row's own day).
    fn same_part_as(&self, new: &Row) -> bool {
        let undated = |row: &Row| Row {
            evaluated_on: NaiveDate::MIN,
            ..row.clone()
        };
        undated(self) == undated(new) && self.contributions() == new.contributions()
    }

    /// Whether the row counts anywhere (else it is not stored).
    fn matters(&self) -> bool {
        self.enterprise_id.is_some() || self.baseline.is_some()
    }

    pub fn worst(&self) -> Option<Verdict> {
        self.rules.iter().flatten().copied().max()
    }

    /// What the row adds to each enterprise's counters. A pure function of the row, so the
    /// same row always subtracts exactly what it added.
    fn contributions(&self) -> Vec<(Uuid, Counts)> {
        let mut out = Vec::with_capacity(2);
        if let Some(enterprise) = self.enterprise_id {
            let mut counts = Counts::default();
            let c = &mut counts.0;
            c[PEOPLE] = 1;
            for (index, verdict) in self.rules.iter().enumerate() {
                let Some(verdict) = verdict else { continue };
                let base = rule_base(index);
                c[base] = 1;
                match verdict {
                    Verdict::DueSoon => c[base + 1] = 1,
                    Verdict::Violation => c[base + 2] = 1,
                    Verdict::Compliant => {}
                }
            }
            match self.worst() {
                Some(Verdict::DueSoon) => c[WORST_DUE_SOON] = 1,
                Some(Verdict::Violation) => c[WORST_VIOLATION] = 1,
                _ => {}
            }
            if let Some(due) = self.next_due {
                let days = (due - self.evaluated_on).num_days();
                for (offset, horizon) in HORIZONS.iter().enumerate() {
                    if (0..=*horizon).contains(&days) {
                        c[DUE_30 + offset] = 1;
                    }
                }
            }
            if let Some(met) = self.key_position_promoted {
                c[KEY_POSITION_COUNTED] = 1;
                c[KEY_POSITION_PROMOTED] = i64::from(met);
            }
            if let Some(met) = self.team_leader_qualified {
                c[TEAM_LEADERS] = 1;
                c[TEAM_LEADERS_QUALIFIED] = i64::from(met);
            }
            c[STAFF_CERTIFIED] = i64::from(self.certified == Some(true));
            out.push((enterprise, counts));
        }
        if let Some((enterprise, met)) = self.baseline {
            let mut counts = Counts::default();
            counts.0[BASELINE_TEAM_LEADERS] = 1;
            counts.0[BASELINE_TEAM_LEADERS_QUALIFIED] = i64::from(met);
            out.push((enterprise, counts));
        }
        out
    }

    fn read(row: &QueryResult) -> Result<Row, StoreError> {
        let mut rules = [None; 7];
        for (slot, column) in rules.iter_mut().zip(PERSON_RULE_COLUMNS) {
            *slot = row.try_get::<Option<i16>>("", column)?.and_then(verdict_of);
        }
        let baseline_at: Option<Uuid> = row.try_get("", "baseline_enterprise_id")?;
        let baseline_met: Option<bool> = row.try_get("", "baseline_qualified")?;
        Ok(Row {
            person_id: row.try_get("", "person_id")?,
            enterprise_id: row.try_get("", "enterprise_id")?,
            evaluated_on: row.try_get("", "evaluated_on")?,
            rules,
            next_due: row.try_get("", "next_due")?,
            key_position_promoted: row.try_get("", "key_position_promoted")?,
            team_leader_qualified: row.try_get("", "team_leader_qualified")?,
            certified: row.try_get("", "certified")?,
            baseline: baseline_at.map(|at| (at, baseline_met.unwrap_or(false))),
        })
    }
}

/// The columns of `person_verdicts` with their types, in the order [`RowValues`] writes.
fn typed_row_columns() -> Vec<(&'static str, Sql)> {
    let mut columns = vec![
        ("person_id", Sql::Uuid),
        ("enterprise_id", Sql::Uuid),
        ("evaluated_on", Sql::Date),
        ("worst", Sql::SmallInt),
    ];
    columns.extend(PERSON_RULE_COLUMNS.map(|column| (column, Sql::SmallInt)));
    columns.extend([
        ("next_due", Sql::Date),
        ("key_position_promoted", Sql::Bool),
        ("team_leader_qualified", Sql::Bool),
        ("certified", Sql::Bool),
        ("baseline_enterprise_id", Sql::Uuid),
        ("baseline_qualified", Sql::Bool),
    ]);
    columns
}

/// The columns of `person_verdicts`.
fn row_columns() -> Vec<&'static str> {
    typed_row_columns()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// A stored row as [`packed_row_columns`] reads it.
#[derive(serde::Deserialize)]
struct PackedRow(
    Uuid,
    Option<Uuid>,
    NaiveDate,
    [Option<i16>; 7],
    Option<NaiveDate>,
    Option<Flag>,
    Option<Flag>,
    Option<Flag>,
    Option<Uuid>,
    Option<Flag>,
);

/// The columns of `person_verdicts` for a packed read (the rules as one nested array).
fn packed_row_columns() -> Vec<Packed<'static>> {
    let mut columns = vec![
        Packed::Uuid("person_id"),
        Packed::Uuid("enterprise_id"),
        Packed::Value("evaluated_on"),
        Packed::Nested(&PERSON_RULE_COLUMNS),
    ];
    columns.extend([
        Packed::Value("next_due"),
        Packed::Value("key_position_promoted"),
        Packed::Value("team_leader_qualified"),
        Packed::Value("certified"),
        Packed::Uuid("baseline_enterprise_id"),
        Packed::Value("baseline_qualified"),
    ]);
    columns
}

impl From<PackedRow> for Row {
    fn from(row: PackedRow) -> Row {
        let PackedRow(
            person_id,
            enterprise_id,
            evaluated_on,
            codes,
            next_due,
            kpp,
            tlq,
            certified,
            at,
            met,
        ) = row;
        Row {
            person_id,
            enterprise_id,
            evaluated_on,
            rules: codes.map(|code| code.and_then(verdict_of)),
            next_due,
            key_position_promoted: kpp.map(|f| f.0),
            team_leader_qualified: tlq.map(|f| f.0),
            certified: certified.map(|f| f.0),
            baseline: at.map(|at| (at, met.is_some_and(|f| f.0))),
        }
    }
}

/// A row as [`insert_rows`] sends it: the values of [`row_columns`], in order.
struct RowValues<'a>(&'a Row);

impl serde::Serialize for RowValues<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let row = self.0;
        let mut out = serializer.serialize_tuple(17)?;
        out.serialize_element(&row.person_id)?;
        out.serialize_element(&row.enterprise_id)?;
        out.serialize_element(&row.evaluated_on)?;
        out.serialize_element(&row.worst().map(verdict_code))?;
        for verdict in &row.rules {
            out.serialize_element(&verdict.map(verdict_code))?;
        }
        out.serialize_element(&row.next_due)?;
        out.serialize_element(&row.key_position_promoted)?;
        out.serialize_element(&row.team_leader_qualified)?;
        out.serialize_element(&row.certified)?;
        out.serialize_element(&row.baseline.map(|(at, _)| at))?;
        out.serialize_element(&row.baseline.map(|(_, met)| met))?;
        out.end()
    }
}

async fn insert_rows(db: &impl ConnectionTrait, rows: &[Row]) -> Result<(), StoreError> {
    let columns = typed_row_columns();
    let values: Vec<RowValues> = rows.iter().map(RowValues).collect();
    insert_packed(db, "person_verdicts", &columns, &values).await
}

async fn load_rows(db: &impl ConnectionTrait, people: &[Uuid]) -> Result<Vec<Row>, StoreError> {
    let mut select = Query::select();
    select
        .from("person_verdicts")
        .and_where(Expr::col("person_id").is_in(people.iter().copied()));
    let rows: Vec<PackedRow> = packed_rows(db, select, &packed_row_columns()).await?;
    Ok(rows.into_iter().map(Row::from).collect())
}

/// Re-evaluates `people` on `today` and moves their enterprises' counters by the difference,
/// inside the caller's transaction. Called by every write that changes someone's facts (see
/// `WriteTx::commit`).
pub async fn refresh(
    db: &impl ConnectionTrait,
    people: &[Uuid],
    today: NaiveDate,
) -> Result<(), StoreError> {
    for chunk in people.chunks(500) {
        let old = load_rows(db, chunk).await?;
        let facts = person_facts(db, chunk).await?;
        let new: Vec<Row> = chunk
            .iter()
            .filter_map(|id| {
                let facts = facts.get(id)?;
                let (standing, _) = standing(facts, rule_set(), today);
                Some(Row::from_standing(*id, &standing, today)).filter(Row::matters)
            })
            .collect();
        let mut delta: HashMap<Uuid, Counts> = HashMap::new();
        for (rows, sign) in [(&old, -1), (&new, 1)] {
            for row in rows {
                for (enterprise, counts) in row.contributions() {
                    delta.entry(enterprise).or_default().add(&counts, sign);
                }
            }
        }
        let mut delete = Query::delete();
        delete
            .from_table("person_verdicts")
            .and_where(Expr::col("person_id").is_in(chunk.iter().copied()));
        db.execute(&delete).await?;
        insert_rows(db, &new).await?;
        delta.retain(|_, counts| !counts.is_zero());
        apply(db, delta).await?;
    }
    Ok(())
}

/// Adds `delta` to the enterprises' counters (read, add, write: the caller holds the ledger
/// head, so no other writer is between the read and the write).
async fn apply(db: &impl ConnectionTrait, delta: HashMap<Uuid, Counts>) -> Result<(), StoreError> {
    if delta.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = delta.keys().copied().collect();
    let mut totals: HashMap<Uuid, Counts> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut select = Query::select();
        select
            .column("enterprise_id")
            .columns(METRICS)
            .from("enterprise_kpis")
            .and_where(Expr::col("enterprise_id").is_in(chunk.iter().copied()));
        for row in db.query_all(&select).await? {
            let id: Uuid = row.try_get("", "enterprise_id")?;
            totals.insert(id, read_counts(&row, "")?);
        }
    }
    for (id, change) in delta {
        totals.entry(id).or_default().add(&change, 1);
    }
    upsert_counts(db, &totals).await
}

fn read_counts(row: &QueryResult, prefix: &str) -> Result<Counts, StoreError> {
    let mut counts = Counts::default();
    for (slot, name) in counts.0.iter_mut().zip(METRICS) {
        *slot = row
            .try_get::<Option<i64>>(prefix, name)?
            .unwrap_or_default();
    }
    Ok(counts)
}

async fn upsert_counts(
    db: &impl ConnectionTrait,
    totals: &HashMap<Uuid, Counts>,
) -> Result<(), StoreError> {
    let entries: Vec<(&Uuid, &Counts)> = totals.iter().collect();
    for chunk in entries.chunks(500) {
        let mut insert = Query::insert();
        insert
            .into_table("enterprise_kpis")
            .columns(std::iter::once("enterprise_id").chain(METRICS))
            .on_conflict(
                OnConflict::column("enterprise_id")
                    .update_columns(METRICS)
                    .to_owned(),
            );
        for (id, counts) in chunk {
            let mut values: Vec<SimpleExpr> = vec![(**id).into()];
            values.extend(counts.0.iter().map(|value| (*value).into()));
            insert
                .values(values)
                .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// What a full evaluation did.
#[derive(Debug, Clone, Copy)]
pub struct RebuildReport {
    pub people: u64,
    /// Rows of `person_verdicts` after the evaluation.
    pub rows: u64,
    /// Of those, the rows written (new or changed); the others stood as they were.
    pub rows_written: u64,
    pub enterprises: u64,
}

/// People per batch of the backfill and of the on-request evaluation.
const REBUILD_BATCH: usize = 2_000;

/// People per range of a full evaluation: each range is read with one ordered index scan
/// per fact table.
const REBUILD_RANGE: usize = 5_000;

/// A range's verdicts: what to delete and insert, and every current row's part in the
/// counters.
struct RangeResult {
    people: u64,
    delete: Vec<Uuid>,
    insert: Vec<Row>,
    kept: u64,
    sums: HashMap<Uuid, Counts>,
}

/// Evaluates everyone on `today` and brings the three tables up to date, in one
/// transaction: readers see yesterday's figures until it commits. Takes the day's snapshot.
///
/// How it is fast (see ARCHITECTURE.md, "Compliance: what is computed when"): the write
/// transaction takes the ledger head first, so no other write can commit until this one
/// does; the facts are then read **outside** it, on pooled connections, by one reader per
/// core, each a range of person ids at a time (an ordered index scan per table), and
/// evaluated off the async threads. The writer receives the ranges' rows and writes only
/// what changed: a stored row that equals the new one in everything but its evaluation day,
/// and adds the same to every counter, stays as it is (its part is read as of its own day).
pub async fn rebuild(
    store: &Store,
    today: NaiveDate,
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<RebuildReport, StoreError> {
    let tx = store.write(&Actor::system("verdicts"), now).await?;
    let db = tx.conn();
    let ranges = Arc::new(person_ranges(db).await?);
    let total = ranges.iter().map(|r| r.2).sum::<u64>();
    progress(0, total);

    let cores = std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(2);
    let readers = crate::dialect::fact_readers(store.connection(), cores);
    let next = Arc::new(AtomicUsize::new(0));
    let (sender, mut receiver) = tokio::sync::mpsc::channel(readers * 2);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..readers {
        let (pool, ranges, next, sender) = (
            store.connection().clone(),
            ranges.clone(),
            next.clone(),
            sender.clone(),
        );
        tasks.spawn(async move {
            loop {
                let index = next.fetch_add(1, AtomicOrdering::Relaxed);
                let Some(&(first, last, _)) = ranges.get(index) else {
                    break;
                };
                let result = evaluate_range(&pool, first, last, today).await;
                if sender.send(result).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(sender);

    let mut sums: HashMap<Uuid, Counts> = HashMap::new();
    let (mut done, mut rows_written, mut rows_kept) = (0u64, 0u64, 0u64);
    let mut failure = None;
    while let Some(result) = receiver.recv().await {
        let range = match result {
            Ok(range) => range,
            Err(err) => {
                failure = Some(err);
                break;
            }
        };
        for chunk in range.delete.chunks(500) {
            let mut delete = Query::delete();
            delete
                .from_table("person_verdicts")
                .and_where(Expr::col("person_id").is_in(chunk.iter().copied()));
            db.execute(&delete).await?;
        }
        insert_rows(db, &range.insert).await?;
        for (enterprise, counts) in range.sums {
            sums.entry(enterprise).or_default().add(&counts, 1);
        }
        rows_written += range.insert.len() as u64;
        rows_kept += range.kept;
        done += range.people;
        progress(done, total);
    }
    drop(receiver);
    tasks.shutdown().await;
    if let Some(err) = failure {
        return Err(err);
    }

    db.execute(&Query::delete().from_table("enterprise_kpis").to_owned())
        .await?;
    upsert_counts(db, &sums).await?;
    snapshot(db, today, &sums).await?;
    let mut run = Query::insert();
    run.into_table("verdict_runs")
        .columns([
            "id",
            "evaluated_on",
            "rule_set",
            "people",
            "started_at",
            "finished_at",
        ])
        .values([
            Uuid::now_v7().into(),
            today.into(),
            rule_set().version.into(),
            i64::try_from(done).unwrap_or(i64::MAX).into(),
            tx.at().into(),
            tx.at().into(),
        ])
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    db.execute(&run).await?;
    tx.commit().await?;
    Ok(RebuildReport {
        people: done,
        rows: rows_written + rows_kept,
        rows_written,
        enterprises: sums.len() as u64,
    })
}

/// Every person id in order, cut into ranges of [`REBUILD_RANGE`]: (first, last, people).
async fn person_ranges(db: &impl ConnectionTrait) -> Result<Vec<(Uuid, Uuid, u64)>, StoreError> {
    let mut select = Query::select();
    select
        .column(person::Column::Id)
        .from(person::Entity)
        .order_by(person::Column::Id, Order::Asc);
    let ids: Vec<Uuid> = db
        .query_all(&select)
        .await?
        .iter()
        .map(|row| row.try_get("", "id").map_err(StoreError::from))
        .collect::<Result<_, _>>()?;
    Ok(ids
        .chunks(REBUILD_RANGE)
        .filter_map(|chunk| Some((*chunk.first()?, *chunk.last()?, chunk.len() as u64)))
        .collect())
}

/// Reads one range's facts and stored rows, evaluates it off the async threads, and works
/// out what to write.
async fn evaluate_range(
    db: &sea_orm::DatabaseConnection,
    first: Uuid,
    last: Uuid,
    today: NaiveDate,
) -> Result<RangeResult, StoreError> {
    let facts = crate::compliance::range_facts(db, first, last).await?;
    let mut select = Query::select();
    select
        .from("person_verdicts")
        .and_where(Expr::col("person_id").between(first, last));
    let old: Vec<PackedRow> = packed_rows(db, select, &packed_row_columns()).await?;
    let old: Vec<Row> = old.into_iter().map(Row::from).collect();
    tokio::task::spawn_blocking(move || {
        let people = facts.len() as u64;
        let new: Vec<Row> = facts
            .iter()
            .filter_map(|(id, facts)| {
                let (standing, _) = standing(facts, rule_set(), today);
                Some(Row::from_standing(*id, &standing, today)).filter(Row::matters)
            })
            .collect();
        Ok(diff(people, old, new))
    })
    .await
    .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?
}

/// What to write to turn the stored rows `old` into `new` (both of one range).
fn diff(people: u64, old: Vec<Row>, new: Vec<Row>) -> RangeResult {
    let mut old: HashMap<Uuid, Row> = old.into_iter().map(|row| (row.person_id, row)).collect();
    let mut result = RangeResult {
        people,
        delete: Vec::new(),
        insert: Vec::new(),
        kept: 0,
        sums: HashMap::new(),
    };
    for row in new {
        let current = match old.remove(&row.person_id) {
            Some(stored) if stored.same_part_as(&row) => {
                result.kept += 1;
                stored
            }
            Some(_) => {
                result.delete.push(row.person_id);
                result.insert.push(row.clone());
                row
            }
            None => {
                result.insert.push(row.clone());
                row
            }
        };
        for (enterprise, counts) in current.contributions() {
            result.sums.entry(enterprise).or_default().add(&counts, 1);
        }
    }
    // Stored rows of people who no longer count anywhere.
    result.delete.extend(old.into_keys());
    result
}

/// Empties `person_verdicts` (benchmarks measure a first evaluation; the next full
/// evaluation fills it again, and until then figures are those of `enterprise_kpis`).
pub async fn clear_person_rows(store: &Store, now: DateTime<Utc>) -> Result<(), StoreError> {
    let tx = store.write(&Actor::system("verdicts"), now).await?;
    tx.conn()
        .execute(&Query::delete().from_table("person_verdicts").to_owned())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The day of the last full evaluation under the rule set in force, if any.
pub async fn last_rebuild(db: &impl ConnectionTrait) -> Result<Option<NaiveDate>, StoreError> {
    let mut select = Query::select();
    select
        .expr_as(Func::max(Expr::col("evaluated_on")), "last")
        .from("verdict_runs")
        .and_where(Expr::col("rule_set").eq(rule_set().version));
    Ok(match db.query_one(&select).await? {
        Some(row) => row.try_get::<Option<NaiveDate>>("", "last")?,
        None => None,
    })
}

/// Sums of every counter, as `CAST(SUM(..) AS BIGINT)` (PostgreSQL sums bigints as numeric).
fn sum_columns(select: &mut SelectStatement, table: &str) {
    for name in METRICS {
        select.expr_as(
            Func::cast_as(
                Func::sum(Expr::col((Alias::new(table), Alias::new(name)))),
                "BIGINT",
            ),
            name,
        );
    }
}

/// The next batch of person ids after `after`, in id order.
async fn next_people(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut select = Query::select();
    select
        .column(person::Column::Id)
        .from(person::Entity)
        .order_by(person::Column::Id, Order::Asc)
        .limit(REBUILD_BATCH as u64);
    if let Some(after) = after {
        select.and_where(Expr::col(person::Column::Id).gt(after));
    }
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| row.try_get("", "id").map_err(StoreError::from))
        .collect()
}

/// Writes the sums of `on` per county and industry into `kpi_snapshots` (replacing that
/// day's).
async fn snapshot(
    db: &impl ConnectionTrait,
    on: NaiveDate,
    sums: &HashMap<Uuid, Counts>,
) -> Result<(), StoreError> {
    let mut select = Query::select();
    select
        .columns([
            enterprise::Column::Id,
            enterprise::Column::RegionCode,
            enterprise::Column::Industry,
        ])
        .from(enterprise::Entity);
    let mut groups: HashMap<(String, String), Counts> = HashMap::new();
    for row in db.query_all(&select).await? {
        let id: Uuid = row.try_get("", "id")?;
        if let Some(counts) = sums.get(&id) {
            let key = (
                row.try_get("", "region_code")?,
                row.try_get("", "industry")?,
            );
            groups.entry(key).or_default().add(counts, 1);
        }
    }
    let mut delete = Query::delete();
    delete
        .from_table("kpi_snapshots")
        .and_where(Expr::col("taken_on").eq(on));
    db.execute(&delete).await?;
    let groups: Vec<_> = groups.into_iter().collect();
    for chunk in groups.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table("kpi_snapshots").columns(
            ["taken_on", "region_code", "industry"]
                .into_iter()
                .chain(METRICS),
        );
        for ((region, industry), counts) in chunk {
            let mut values: Vec<SimpleExpr> =
                vec![on.into(), region.clone().into(), industry.clone().into()];
            values.extend(counts.0.iter().map(|value| (*value).into()));
            insert
                .values(values)
                .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Snapshots for past days, evaluated from today's facts as of each day (facts carry their
/// own dates), so a new installation — or the demo — has a trend from its first day. Leaves
/// the current verdicts alone.
pub async fn backfill(
    store: &Store,
    days: &[NaiveDate],
    now: DateTime<Utc>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(), StoreError> {
    let tx = store.write(&Actor::system("verdicts"), now).await?;
    let db = tx.conn();
    for (index, on) in days.iter().enumerate() {
        let mut sums: HashMap<Uuid, Counts> = HashMap::new();
        let mut after = None;
        loop {
            let ids = next_people(db, after).await?;
            let Some(last) = ids.last() else { break };
            after = Some(*last);
            let facts = person_facts(db, &ids).await?;
            for id in &ids {
                let Some(facts) = facts.get(id) else { continue };
                let (standing, _) = standing(facts, rule_set(), *on);
                for (enterprise, counts) in Row::from_standing(*id, &standing, *on).contributions()
                {
                    sums.entry(enterprise).or_default().add(&counts, 1);
                }
            }
        }
        snapshot(db, *on, &sums).await?;
        progress(index as u64 + 1, days.len() as u64);
    }
    tx.commit().await?;
    Ok(())
}

/// Where a question is asked: a part of the actor's jurisdiction.
#[derive(Clone, Debug, Default)]
pub struct Area {
    pub city: Option<String>,
    /// A county (or city-level district) code: the enterprise's registered region.
    pub county: Option<String>,
    pub industry: Option<String>,
    pub enterprise: Option<Uuid>,
}

impl Area {
    fn condition(&self, actor: &Actor) -> Cond {
        let column = |c: enterprise::Column| Expr::col((enterprise::Entity, c));
        let mut cond = Cond::all().add(actor.enterprise_filter());
        if let Some(city) = &self.city {
            cond = cond.add(column(enterprise::Column::CityCode).eq(city.as_str()));
        }
        if let Some(county) = &self.county {
            cond = cond.add(column(enterprise::Column::RegionCode).eq(county.as_str()));
        }
        if let Some(industry) = &self.industry {
            cond = cond.add(column(enterprise::Column::Industry).eq(industry.as_str()));
        }
        if let Some(id) = self.enterprise {
            cond = cond.add(column(enterprise::Column::Id).eq(id));
        }
        cond
    }
}

/// How figures are broken down.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Grouping {
    City,
    County,
    Industry,
    Enterprise,
}

/// One line of a breakdown: the group's key (a region code, an industry code or an
/// enterprise id), the enterprise's name when grouped by enterprise, and the sums.
#[derive(Clone, Debug)]
pub struct Line {
    pub key: String,
    pub name: Option<String>,
    pub counts: Counts,
}

fn regulator(actor: &Actor) -> Result<(), StoreError> {
    match actor.scope {
        Scope::City(_)
        | Scope::County(_)
        | Scope::Province
        | Scope::System
        | Scope::HrBureau(_) => Ok(()),
        Scope::Enterprise(_) | Scope::Person(_) | Scope::Institution(_) => {
            Err(StoreError::Forbidden)
        }
    }
}

/// The sums over the area, broken down by `grouping` (or one line, keyed "", when `None`).
/// Enterprises see their own figures only (`area.enterprise` must be theirs).
pub async fn rollup(
    db: &impl ConnectionTrait,
    actor: &Actor,
    area: &Area,
    grouping: Option<Grouping>,
) -> Result<Vec<Line>, StoreError> {
    if area.enterprise.is_none() {
        regulator(actor)?;
    }
    let mut select = Query::select();
    select.from(Alias::new("enterprise_kpis")).inner_join(
        enterprise::Entity,
        Expr::col((enterprise::Entity, enterprise::Column::Id))
            .equals((Alias::new("enterprise_kpis"), Alias::new("enterprise_id"))),
    );
    let key = match grouping {
        None => None,
        Some(Grouping::City) => Some(enterprise::Column::CityCode),
        Some(Grouping::County) => Some(enterprise::Column::RegionCode),
        Some(Grouping::Industry) => Some(enterprise::Column::Industry),
        Some(Grouping::Enterprise) => Some(enterprise::Column::Id),
    };
    if let Some(key) = key {
        select
            .expr_as(Expr::col((enterprise::Entity, key)), "group_key")
            .group_by_col((enterprise::Entity, key));
    }
    if grouping == Some(Grouping::Enterprise) {
        select
            .expr_as(
                Expr::col((enterprise::Entity, enterprise::Column::Name)),
                "group_name",
            )
            .group_by_col((enterprise::Entity, enterprise::Column::Name));
    }
    sum_columns(&mut select, "enterprise_kpis");
    select.cond_where(area.condition(actor));
    let rows = db.query_all(&select).await?;
    rows.iter()
        .map(|row| {
            let key = match grouping {
                None => String::new(),
                Some(Grouping::Enterprise) => row.try_get::<Uuid>("", "group_key")?.to_string(),
                Some(_) => row.try_get::<String>("", "group_key")?,
            };
            Ok(Line {
                key,
                name: if grouping == Some(Grouping::Enterprise) {
                    Some(row.try_get("", "group_name")?)
                } else {
                    None
                },
                counts: read_counts(row, "")?,
            })
        })
        .collect()
}

/// The area's sums on each day a snapshot was taken, oldest first. Only regulators' areas
/// (cities, counties, industries) have a trend; enterprises get theirs from the same tables
/// in a later version.
pub async fn trend(
    db: &impl ConnectionTrait,
    actor: &Actor,
    area: &Area,
) -> Result<Vec<(NaiveDate, Counts)>, StoreError> {
    regulator(actor)?;
    let column = |name: &str| Expr::col((Alias::new("kpi_snapshots"), Alias::new(name)));
    let mut cond = Cond::all();
    let prefix = |code: &str| format!("{}%", Actor::region_prefix(code));
    match &actor.scope {
        Scope::City(city) => cond = cond.add(column("region_code").like(prefix(city))),
        Scope::County(county) => cond = cond.add(column("region_code").eq(county.as_str())),
        Scope::HrBureau(region) => cond = cond.add(column("region_code").like(prefix(region))),
        _ => {}
    }
    if let Some(city) = &area.city {
        cond = cond.add(column("region_code").like(prefix(city)));
    }
    if let Some(county) = &area.county {
        cond = cond.add(column("region_code").eq(county.as_str()));
    }
    if let Some(industry) = &area.industry {
        cond = cond.add(column("industry").eq(industry.as_str()));
    }
    let mut select = Query::select();
    select
        .column("taken_on")
        .from("kpi_snapshots")
        .cond_where(cond)
        .group_by_col("taken_on")
        .order_by("taken_on", Order::Asc);
    sum_columns(&mut select, "kpi_snapshots");
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "taken_on")?, read_counts(row, "")?)))
        .collect()
}

/// Which people a list asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wanted {
    /// Anyone with a violation (or, with `Some`, of that verdict) of any rule.
    Worst(Verdict),
    /// People a person rule finds at least this bad (`DueSoon` includes violations).
    Rule(RuleId, Verdict),
    /// Key-position staff not yet promoted (rule 7).
    KeyPositionNotPromoted,
    /// Team leaders without qualification (rule 8 (1)).
    TeamLeaderNotQualified,
    /// Staff without a vocational certificate (rule 8 (2)).
    NotCertified,
    /// Anyone with something due within this many days from the evaluation day.
    DueWithin(i64),
}

/// One person of a list.
#[derive(Clone, Debug)]
pub struct Listed {
    pub person_id: Uuid,
    pub name: String,
    pub enterprise_id: Uuid,
    pub enterprise_name: String,
    pub row: Row,
}

/// The people of the area that `wanted` picks, worst first then by name; a page of them and
/// the total.
pub async fn people(
    db: &impl ConnectionTrait,
    actor: &Actor,
    area: &Area,
    wanted: Wanted,
    today: NaiveDate,
    offset: u64,
    limit: u64,
) -> Result<(u64, Vec<Listed>), StoreError> {
    if area.enterprise.is_none() {
        regulator(actor)?;
    }
    let v = |name: &str| Expr::col((Alias::new("person_verdicts"), Alias::new(name)));
    let mut cond = area.condition(actor);
    cond = cond.add(match wanted {
        Wanted::Worst(verdict) => v("worst").gte(verdict_code(verdict)),
        Wanted::Rule(rule, verdict) => {
            let index = anpei_domain::rules::standing::person_rule_index(rule)
                .ok_or(StoreError::NotFound)?;
            v(PERSON_RULE_COLUMNS[index]).gte(verdict_code(verdict))
        }
        Wanted::KeyPositionNotPromoted => v("key_position_promoted").eq(false),
        Wanted::TeamLeaderNotQualified => v("team_leader_qualified").eq(false),
        Wanted::NotCertified => v("certified").eq(false),
        Wanted::DueWithin(days) => v("next_due")
            .gte(today)
            .and(v("next_due").lte(today + chrono::Duration::days(days))),
    });
    let base = || {
        let mut select = Query::select();
        select
            .from(Alias::new("person_verdicts"))
            .inner_join(
                enterprise::Entity,
                Expr::col((enterprise::Entity, enterprise::Column::Id))
                    .equals((Alias::new("person_verdicts"), Alias::new("enterprise_id"))),
            )
            .cond_where(cond.clone());
        select
    };
    let mut counted = base();
    counted.expr_as(Func::cast_as(Func::count(Expr::val(1)), "BIGINT"), "n");
    let total = match db.query_one(&counted).await? {
        Some(row) => count(row.try_get::<i64>("", "n")?),
        None => 0,
    };
    let mut select = base();
    for column in row_columns() {
        select.column((Alias::new("person_verdicts"), Alias::new(column)));
    }
    select
        .expr_as(
            Expr::col((enterprise::Entity, enterprise::Column::Name)),
            "enterprise_name",
        )
        .expr_as(
            Expr::col((person::Entity, person::Column::Name)),
            "person_name",
        )
        .inner_join(
            person::Entity,
            Expr::col((person::Entity, person::Column::Id))
                .equals((Alias::new("person_verdicts"), Alias::new("person_id"))),
        );
    if matches!(wanted, Wanted::DueWithin(_)) {
        // What falls due first comes first.
        select.order_by(
            (Alias::new("person_verdicts"), Alias::new("next_due")),
            Order::Asc,
        );
    }
    select
        .order_by(
            (Alias::new("person_verdicts"), Alias::new("worst")),
            Order::Desc,
        )
        .order_by((person::Entity, person::Column::Name), Order::Asc)
        .order_by((person::Entity, person::Column::Id), Order::Asc)
        .offset(offset)
        .limit(limit);
    let listed = db
        .query_all(&select)
        .await?
        .iter()
        .map(|row| {
            let parsed = Row::read(row)?;
            Ok(Listed {
                person_id: parsed.person_id,
                name: row.try_get("", "person_name")?,
                enterprise_id: parsed.enterprise_id.unwrap_or_default(),
                enterprise_name: row.try_get("", "enterprise_name")?,
                row: parsed,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((total, listed))
}

/// About `n` people who count at an enterprise, spread evenly over the table, with their
/// enterprise (for benchmarks).
pub async fn sample(db: &impl ConnectionTrait, n: u64) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    let mut select = Query::select();
    select
        .columns(["person_id", "enterprise_id"])
        .from("person_verdicts")
        .and_where(Expr::col("enterprise_id").is_not_null());
    let rows = db.query_all(&select).await?;
    let every = Ord::max(
        rows.len() / usize::try_from(Ord::max(n, 1)).unwrap_or(usize::MAX),
        1,
    );
    rows.iter()
        .step_by(every)
        .map(|row| {
            Ok((
                row.try_get("", "person_id")?,
                row.try_get("", "enterprise_id")?,
            ))
        })
        .collect()
}

/// The "4 个 100%" of everyone, evaluated from the facts now without the verdict table —
/// what the dashboard did on each request before it (the benchmark's baseline).
pub async fn evaluate_everyone(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Kpis, StoreError> {
    let mut select = Query::select();
    select.column(person::Column::Id).from(person::Entity);
    let ids: Vec<Uuid> = db
        .query_all(&select)
        .await?
        .iter()
        .map(|row| row.try_get("", "id"))
        .collect::<Result<_, _>>()?;
    let mut kpis = Kpis::default();
    for chunk in ids.chunks(REBUILD_BATCH) {
        let facts = person_facts(db, chunk).await?;
        for facts in facts.values() {
            let findings = anpei_domain::rules::evaluate_person(facts, rule_set(), today);
            kpis = kpis + Kpis::from_people(std::iter::once(findings.as_slice()));
        }
    }
    Ok(kpis)
}

/// One enterprise's counters (zero when nobody counts there).
pub async fn enterprise_counts(
    db: &impl ConnectionTrait,
    staff: crate::access::EnterpriseStaffRead,
) -> Result<Counts, StoreError> {
    let mut select = Query::select();
    select
        .columns(METRICS)
        .from("enterprise_kpis")
        .and_where(Expr::col("enterprise_id").eq(staff.enterprise_id()));
    match db.query_one(&select).await? {
        Some(row) => read_counts(&row, ""),
        None => Ok(Counts::default()),
    }
}

/// A person's row, if they have one.
pub async fn of_person(
    db: &impl ConnectionTrait,
    person_id: Uuid,
) -> Result<Option<Row>, StoreError> {
    Ok(load_rows(db, &[person_id]).await?.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anpei_domain::rules::standing::PERSON_RULE_IDS;

    fn row(rules: [Option<Verdict>; 7], next_due: Option<NaiveDate>) -> Row {
        Row {
            person_id: Uuid::nil(),
            enterprise_id: Some(Uuid::from_u128(1)),
            evaluated_on: NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"),
            rules,
            next_due,
            key_position_promoted: Some(false),
            team_leader_qualified: None,
            certified: Some(true),
            baseline: Some((Uuid::from_u128(2), true)),
        }
    }

    #[test]
    fn metric_names_match_their_indices() {
        assert_eq!(METRICS[PEOPLE], "people");
        for (index, column) in PERSON_RULE_COLUMNS.iter().enumerate() {
            assert_eq!(METRICS[rule_base(index)], format!("{column}_applies"));
            assert_eq!(METRICS[rule_base(index) + 2], format!("{column}_violation"));
            assert_eq!(PERSON_RULE_IDS[index].code(), *column);
        }
        assert_eq!(METRICS[WORST_VIOLATION], "worst_violation");
        assert_eq!(METRICS[DUE_30 + 2], "due_90");
        assert_eq!(METRICS[STAFF_CERTIFIED], "staff_certified");
        assert_eq!(
            METRICS[BASELINE_TEAM_LEADERS_QUALIFIED],
            "baseline_team_leaders_qualified"
        );
        let written =
            serde_json::to_value(RowValues(&row(Default::default(), None))).unwrap_or_default();
        assert_eq!(written.as_array().map(Vec::len), Some(row_columns().len()));
    }

    #[test]
    fn a_row_counts_once_per_rule_and_at_its_baseline_enterprise() {
        use Verdict::*;
        let on = NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
        let r = row(
            [
                Some(Compliant),
                None,
                None,
                None,
                Some(Violation),
                None,
                Some(DueSoon),
            ],
            Some(on + chrono::Duration::days(45)),
        );
        let parts = r.contributions();
        assert_eq!(parts.len(), 2);
        let (at, counts) = &parts[0];
        assert_eq!(*at, Uuid::from_u128(1));
        assert_eq!(counts.people(), 1);
        assert_eq!(counts.worst(), (1, 0));
        assert_eq!(counts.due_within(), [0, 1, 1]);
        let special = counts
            .rule(RuleId::SpecialOpsCertified)
            .expect("person rule");
        assert_eq!((special.applies, special.violation), (1, 1));
        assert_eq!(counts.kpis().special_ops_certified.numerator, 0);
        assert_eq!(counts.kpis().in_post_assessed.numerator, 1);
        assert_eq!(
            counts.shares().key_position_promoted,
            Share {
                numerator: 0,
                denominator: 1
            }
        );
        assert_eq!(
            counts.shares().qualification.staff,
            Share {
                numerator: 1,
                denominator: 1
            }
        );
        let (baseline_at, baseline) = &parts[1];
        assert_eq!(*baseline_at, Uuid::from_u128(2));
        assert_eq!(
            baseline.shares().qualification.team_leaders_baseline,
            Share {
                numerator: 1,
                denominator: 1
            }
        );
        // What a row adds, it takes away.
        let mut sum = Counts::default();
        for (_, counts) in parts.iter().chain(parts.iter()) {
            sum.add(counts, 1);
        }
        for (_, counts) in &parts {
            sum.add(counts, -1);
            sum.add(counts, -1);
        }
        assert!(sum.is_zero());
    }

    #[test]
    fn business_dates_are_in_shanghai() {
        let at = DateTime::parse_from_rfc3339("2025-06-01T16:30:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        assert_eq!(
            business_date(at),
            NaiveDate::from_ymd_opt(2025, 6, 2).expect("date")
        );
    }
}
