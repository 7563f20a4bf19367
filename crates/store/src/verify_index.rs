//! The public verification index (issue 13): every certificate's public facts in memory, by
//! number, so that any certificate of the province is checked without touching the database
//! — not only the few a cache happens to hold.
//!
//! What a lookup tells depends on what the asker presents ([`Claim`]): the number alone
//! gives the status of the day; the holder's full name or the QR code's token adds the
//! holder (masked), trade, issuer and dates. A wrong name or token gives the status only.
//!
//! Correctness rests on four things:
//! - What depends on the day (status, next review) is computed on every lookup from the
//!   stored facts, so midnight needs no refresh.
//! - The ledger says what changed. Every write to a certificate or a person appends its
//!   ledger entries in the same transaction, numbered in commit order; the index remembers
//!   the last sequence number it applied, and a sync re-reads the certificates of the people
//!   named by the certificate and person entries after it.
//! - A write through this process's [`crate::Store`] syncs right after it commits and before
//!   it returns, so the next lookup sees it; a background sync every [`SYNC_EVERY`] picks up
//!   other processes' writes (a CLI import, a second server) well within 10 s.
//! - Until the first load completes (or when it failed), lookups read the database.
//!
//! Unknown numbers are answered from the index too: a number issued by another process in
//! the last seconds is unknown until the next sync, which is the 10-second bound above.
//!
//! Memory: the index keeps, per certificate, the number, the masked holder, the token, an
//! SM3 digest of the holder's name, the dates and flags (issuers are shared): about 290
//! bytes with the table's slack, 72 MiB at 263,000 certificates (`anpei bench verify`
//! reports it). It never hands the token or the digest out:
//! the token goes only to an asker who presented the token or the name.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anpei_domain::certificate::{Certificate, CertificateKind, CertificateStatus};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use sm3::{Digest, Sm3};
use uuid::Uuid;

use crate::StoreError;
use crate::read::{self, CERTIFICATE_WARN_DAYS, PublicCertificate, VerifyRow, VerifyRows};

/// How often the background sync looks for other processes' writes.
pub const SYNC_EVERY: Duration = Duration::from_secs(2);

/// Locks the index is split under, so that lookups on many connections do not queue on one.
const SHARDS: usize = 16;

/// Rows read per query when loading.
const PAGE: u64 = 20_000;

/// People changed since the last sync beyond which the whole index is loaded again (one
/// paged scan) instead of re-reading them a chunk at a time.
const RELOAD_ABOVE: usize = 20_000;

/// People re-read per query in a sync.
const CHUNK: usize = 500;

/// What the asker presents beside the number.
#[derive(Clone, Copy)]
pub enum Claim<'a> {
    /// The number alone.
    Number,
    /// The holder's full name, typed in (compared exactly, after trimming).
    Name(&'a str),
    /// The token from the certificate's QR code.
    Token(&'a str),
}

impl Claim<'_> {
    /// For the log: how the certificate was asked for (never what was typed).
    pub fn how(&self) -> &'static str {
        match self {
            Claim::Number => "number",
            Claim::Name(_) => "name",
            Claim::Token(_) => "token",
        }
    }
}

/// What the number alone tells: the certificate exists, its kind, and its status today.
#[derive(Debug, Clone)]
pub struct PublicStatus {
    pub number: String,
    pub kind: CertificateKind,
    pub status: CertificateStatus,
}

/// Which presented proof did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    Name,
    Token,
}

/// The answer to a lookup of a known number. Its `Debug` leaves the token out.
#[derive(Clone)]
pub enum Verification {
    /// The number alone, or a name or token that did not match.
    Status {
        status: PublicStatus,
        mismatch: Option<Mismatch>,
    },
    /// The right name or token: the details, and the token for the page's own QR code.
    Details {
        certificate: PublicCertificate,
        token: String,
    },
}

impl std::fmt::Debug for Verification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verification::Status { status, mismatch } => f
                .debug_struct("Status")
                .field("status", status)
                .field("mismatch", mismatch)
                .finish(),
            Verification::Details { certificate, .. } => f
                .debug_struct("Details")
                .field("certificate", certificate)
                .finish_non_exhaustive(),
        }
    }
}

impl Verification {
    pub fn status(&self) -> CertificateStatus {
        match self {
            Verification::Status { status, .. } => status.status,
            Verification::Details { certificate, .. } => certificate.status,
        }
    }

    pub fn number(&self) -> &str {
        match self {
            Verification::Status { status, .. } => &status.number,
            Verification::Details { certificate, .. } => &certificate.number,
        }
    }

    pub fn mismatch(&self) -> Option<Mismatch> {
        match self {
            Verification::Status { mismatch, .. } => *mismatch,
            Verification::Details { .. } => None,
        }
    }
}

/// One certificate as the index keeps it. No `Debug`: it holds the token.
#[derive(Clone)]
pub struct IndexedCertificate {
    kind: CertificateKind,
    trade: Option<&'static anpei_domain::trade::Trade>,
    holder_masked: Box<str>,
    issuer: Arc<str>,
    issued_on: NaiveDate,
    expires_on: NaiveDate,
    last_reviewed_on: Option<NaiveDate>,
    suspended: bool,
    revoked: bool,
    token: Box<str>,
    name_digest: [u8; 32],
}

/// The digest a typed name is compared by: SM3 of the name without surrounding spaces.
fn name_digest(name: &str) -> [u8; 32] {
    Sm3::digest(name.trim().as_bytes()).into()
}

/// Compares without stopping at the first difference, so that timing says nothing of how
/// much of a token was right.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

impl IndexedCertificate {
    pub(crate) fn from_row(row: VerifyRow, issuer: Arc<str>) -> Result<Self, StoreError> {
        Ok(IndexedCertificate {
            kind: read::certificate_kind(&row.kind)?,
            trade: row
                .trade_code
                .as_deref()
                .and_then(anpei_domain::trade::find_trade),
            holder_masked: anpei_domain::PersonName::parse(&row.name)
                .map(|n| n.masked())
                .unwrap_or_else(|_| "*".to_owned())
                .into_boxed_str(),
            issuer,
            issued_on: row.issued_on,
            expires_on: row.expires_on,
            last_reviewed_on: row.last_reviewed_on,
            suspended: row.suspended,
            revoked: row.revoked,
            token: row.verification_token.into_boxed_str(),
            name_digest: name_digest(&row.name),
        })
    }

    fn value(&self) -> Certificate {
        Certificate {
            kind: self.kind,
            // Status and review dates do not depend on the trade.
            trade: None,
            issued_on: self.issued_on,
            expires_on: self.expires_on,
            last_reviewed_on: self.last_reviewed_on,
            suspended: self.suspended,
            revoked: self.revoked,
        }
    }

    /// The answer for `number` (this certificate's, normalised) on `today`.
    pub fn answer(&self, number: &str, claim: &Claim<'_>, today: NaiveDate) -> Verification {
        let rules = crate::ops::certificates::rules_for(self.kind);
        let value = self.value();
        let status = value.status(&rules, today, CERTIFICATE_WARN_DAYS);
        let mismatch = match claim {
            Claim::Number => None,
            Claim::Name(name) => {
                (!same_bytes(&name_digest(name), &self.name_digest)).then_some(Mismatch::Name)
            }
            // An empty stored token (a row the migration has not reached) never matches.
            Claim::Token(token) => (self.token.is_empty()
                || !same_bytes(token.trim().as_bytes(), self.token.as_bytes()))
            .then_some(Mismatch::Token),
        };
        if matches!(claim, Claim::Number) || mismatch.is_some() {
            return Verification::Status {
                status: PublicStatus {
                    number: number.to_owned(),
                    kind: self.kind,
                    status,
                },
                mismatch,
            };
        }
        Verification::Details {
            certificate: PublicCertificate {
                number: number.to_owned(),
                kind: self.kind,
                trade: self.trade,
                holder_masked: self.holder_masked.to_string(),
                issuer: self.issuer.to_string(),
                issued_on: self.issued_on,
                expires_on: self.expires_on,
                last_reviewed_on: self.last_reviewed_on,
                next_review_due: value.next_review_due(&rules),
                status,
            },
            token: self.token.to_string(),
        }
    }
}

type Shard = HashMap<Box<str>, IndexedCertificate>;

/// Every certificate by number, kept current from the ledger (see the module's text).
pub struct VerifyIndex {
    shards: Vec<RwLock<Shard>>,
    /// Everyone who holds a certificate: a person change of anyone else concerns no entry.
    holders: RwLock<HashSet<Uuid>>,
    /// Issuers are few; each entry shares its issuer's text.
    issuers: Mutex<HashSet<Arc<str>>>,
    /// Whether the index has been asked to run (a server); writes elsewhere skip the sync.
    started: AtomicBool,
    /// Whether a load completed: lookups read the database until then.
    ready: AtomicBool,
    /// The last ledger sequence number applied; held while loading or syncing.
    applied: tokio::sync::Mutex<i64>,
}

impl Default for VerifyIndex {
    fn default() -> Self {
        VerifyIndex {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            holders: RwLock::default(),
            issuers: Mutex::default(),
            started: AtomicBool::new(false),
            ready: AtomicBool::new(false),
            applied: tokio::sync::Mutex::new(0),
        }
    }
}

fn shard_of(number: &str) -> usize {
    // FNV-1a: cheap, and numbers differ in their last digits.
    let hash = number.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % SHARDS as u64) as usize
}

impl VerifyIndex {
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Certificates held.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.read().map_or(0, |s| s.len()))
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// About how many bytes the entries take: the tables (at their capacity, with a control
    /// byte a slot) and the text each entry owns; shared issuers not counted.
    pub fn approximate_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(Box<str>, IndexedCertificate)>() + 1;
        let mut bytes = 0;
        for shard in &self.shards {
            if let Ok(shard) = shard.read() {
                bytes += shard.capacity() * slot;
                bytes += shard
                    .iter()
                    .map(|(number, entry)| {
                        number.len() + entry.holder_masked.len() + entry.token.len()
                    })
                    .sum::<usize>();
            }
        }
        let holders = self.holders.read().map_or(0, |h| h.capacity());
        bytes + holders * (std::mem::size_of::<Uuid>() + 1)
    }

    /// The answer from memory: `None` while the index is not loaded (ask the database),
    /// `Some(None)` for an unknown number. `number` is normalised.
    pub fn lookup(
        &self,
        number: &str,
        claim: &Claim<'_>,
        today: NaiveDate,
    ) -> Option<Option<Verification>> {
        if !self.is_ready() {
            return None;
        }
        let shard = self.shards[shard_of(number)].read().ok()?;
        Some(
            shard
                .get(number)
                .map(|entry| entry.answer(number, claim, today)),
        )
    }

    /// Starts the index of a server: loads it in the background, then syncs it every
    /// [`SYNC_EVERY`] for as long as the index lives. Once per index.
    pub fn start(self: &Arc<Self>, db: DatabaseConnection) {
        if self.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let index = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(SYNC_EVERY);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let Some(index) = index.upgrade() else { break };
                match index.load_or_sync(&db).await {
                    Ok(()) => {}
                    // The store was closed (a test's clean-up, a shutdown): nothing to follow.
                    Err(StoreError::Db(sea_orm::DbErr::ConnectionAcquire(
                        sea_orm::error::ConnAcquireErr::ConnectionClosed,
                    ))) => break,
                    Err(err) => tracing::warn!(%err, "verification index: sync failed"),
                }
            }
        });
    }

    async fn load_or_sync(&self, db: &DatabaseConnection) -> Result<(), StoreError> {
        if self.is_ready() {
            self.sync(db).await
        } else {
            let started = std::time::Instant::now();
            self.load(db).await?;
            tracing::info!(
                certificates = self.len(),
                seconds = started.elapsed().as_secs_f64(),
                "verification index loaded"
            );
            Ok(())
        }
    }

    /// Reads every certificate, then swaps the new index in.
    pub async fn load(&self, db: &DatabaseConnection) -> Result<(), StoreError> {
        let mut applied = self.applied.lock().await;
        let head = read::ledger_head_seq(db).await?;
        let mut shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::new()).collect();
        let mut holders = HashSet::new();
        let mut after = String::new();
        loop {
            let rows = read::verify_rows(db, VerifyRows::After(&after), PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = last.number.clone();
            for row in rows {
                holders.insert(row.person_id);
                let number = row.number.clone().into_boxed_str();
                let entry = self.entry(row)?;
                shards[shard_of(&number)].insert(number, entry);
            }
        }
        for (shard, fresh) in self.shards.iter().zip(shards) {
            if let Ok(mut shard) = shard.write() {
                *shard = fresh;
            }
        }
        if let Ok(mut current) = self.holders.write() {
            *current = holders;
        }
        *applied = head;
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Applies the certificate and person changes the ledger recorded since the last load or
    /// sync. Returns once everything committed before the call is in the index.
    pub async fn sync(&self, db: &DatabaseConnection) -> Result<(), StoreError> {
        if !self.started.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut applied = self.applied.lock().await;
        if !self.is_ready() {
            // The background task loads it; lookups read the database meanwhile.
            return Ok(());
        }
        let head = read::ledger_head_seq(db).await?;
        if head <= *applied {
            return Ok(());
        }
        let (certificate_holders, people) = read::public_changes(db, *applied, head).await?;
        let mut changed: Vec<Uuid> = certificate_holders.into_iter().collect();
        if let Ok(holders) = self.holders.read() {
            changed.extend(people.into_iter().filter(|p| holders.contains(p)));
        }
        changed.sort_unstable();
        changed.dedup();
        if changed.len() > RELOAD_ABOVE {
            drop(applied);
            return self.load(db).await;
        }
        for chunk in changed.chunks(CHUNK) {
            let rows = read::verify_rows(db, VerifyRows::People(chunk), u64::MAX).await?;
            for row in rows {
                if let Ok(mut holders) = self.holders.write() {
                    holders.insert(row.person_id);
                }
                let number = row.number.clone().into_boxed_str();
                let entry = self.entry(row)?;
                if let Ok(mut shard) = self.shards[shard_of(&number)].write() {
                    shard.insert(number, entry);
                }
            }
        }
        *applied = head;
        Ok(())
    }

    fn entry(&self, row: VerifyRow) -> Result<IndexedCertificate, StoreError> {
        let issuer = self.issuer(&row.issuer);
        IndexedCertificate::from_row(row, issuer)
    }

    fn issuer(&self, name: &str) -> Arc<str> {
        let Ok(mut issuers) = self.issuers.lock() else {
            return Arc::from(name);
        };
        if let Some(shared) = issuers.get(name) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(name);
        issuers.insert(shared.clone());
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn entry(expires_on: NaiveDate) -> IndexedCertificate {
        IndexedCertificate::from_row(
            VerifyRow {
                number: "T1".to_owned(),
                verification_token: "secret-token".to_owned(),
                person_id: Uuid::nil(),
                kind: "special_ops".to_owned(),
                trade_code: Some("1.2".to_owned()),
                issuer: "哈尔滨市应急管理局".to_owned(),
                issued_on: day(2020, 1, 1),
                expires_on,
                last_reviewed_on: None,
                suspended: false,
                revoked: false,
                name: "张三丰".to_owned(),
            },
            Arc::from("哈尔滨市应急管理局"),
        )
        .unwrap_or_else(|err| panic!("{err}"))
    }

    #[test]
    fn the_status_is_computed_for_the_day_asked_not_the_day_loaded() {
        let cached = entry(day(2026, 1, 1));
        let before = cached.answer("T1", &Claim::Number, day(2025, 6, 1));
        let after = cached.answer("T1", &Claim::Number, day(2026, 1, 2));
        assert_ne!(before.status(), CertificateStatus::Expired);
        assert_eq!(after.status(), CertificateStatus::Expired);
    }

    /// (what is presented) → (details shown, mismatch)
    #[test]
    fn details_need_the_exact_name_or_the_token() {
        let cached = entry(day(2030, 1, 1));
        let cases: [(Claim<'_>, bool, Option<Mismatch>); 8] = [
            (Claim::Number, false, None),
            (Claim::Name("张三丰"), true, None),
            (Claim::Name(" 张三丰 "), true, None),
            (Claim::Name("张三"), false, Some(Mismatch::Name)),
            (Claim::Name("张*"), false, Some(Mismatch::Name)),
            (Claim::Token("secret-token"), true, None),
            (Claim::Token("secret-tokeN"), false, Some(Mismatch::Token)),
            (Claim::Token(""), false, Some(Mismatch::Token)),
        ];
        for (claim, details, mismatch) in cases {
            let answer = cached.answer("T1", &claim, day(2026, 6, 1));
            assert_eq!(
                matches!(answer, Verification::Details { .. }),
                details,
                "{}",
                claim.how()
            );
            assert_eq!(answer.mismatch(), mismatch, "{}", claim.how());
        }
    }

    #[test]
    fn a_row_without_a_token_never_matches_an_empty_one() {
        let mut cached = entry(day(2030, 1, 1));
        cached.token = "".into();
        let answer = cached.answer("T1", &Claim::Token(""), day(2026, 6, 1));
        assert_eq!(answer.mismatch(), Some(Mismatch::Token));
    }

    #[test]
    fn an_index_not_loaded_sends_lookups_to_the_database() {
        let index = VerifyIndex::default();
        assert!(
            index
                .lookup("T1", &Claim::Number, day(2026, 6, 1))
                .is_none()
        );
    }
}
