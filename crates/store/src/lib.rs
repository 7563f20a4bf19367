//! Anpei storage: one schema and one set of queries for SQLite (embedded default) and
//! PostgreSQL (production), through SeaORM.
//!
//! Every write goes through [`Store::write`], which hands back a [`WriteTx`]: a database
//! transaction that already holds the ledger head, and that appends its recorded changes to
//! the traceability ledger when it commits. A write that forgets the ledger cannot commit
//! through any other path (see ARCHITECTURE.md, "One write, one transaction, one entry").

pub mod access;
pub mod archive;
pub mod compliance;
pub mod demo;
pub mod dialect;
pub mod entity;
mod error;
pub mod exam;
pub mod ledger;
mod ledger_facts;
pub mod migration;
pub mod notifications;
pub mod ops;
pub mod pii_audit;
pub mod read;
pub mod read_ledgers;
pub mod read_subsidies;
pub mod read_training;
pub mod sessions;
pub mod verdicts;
pub mod verify_index;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

pub use access::{Actor, PersonRead, Scope};
pub use error::StoreError;
pub use ledger::{LedgerKey, VerifyReport};

/// Where the data lives and how the ledger is signed.
#[derive(Clone)]
pub struct StoreConfig {
    /// `sqlite://path?mode=rwc` or `postgres://...`.
    pub database_url: String,
    /// The SM2 key that signs ledger checkpoints; generated on first start if missing.
    /// Kept outside the database so that whoever can rewrite the database cannot re-sign.
    pub ledger_key_path: PathBuf,
    /// Sign a checkpoint every this many ledger entries.
    pub checkpoint_every: u64,
    pub max_connections: u32,
    /// SQLite: copy the write-ahead log into the database from a background task instead
    /// of in the commit that crosses 1,000 pages (see [`dialect::connect_options`]). For a
    /// long-running server, whose writers should not stall; one-off commands leave it off.
    pub background_wal_checkpoints: bool,
}

impl std::fmt::Debug for StoreConfig {
    // The URL may hold a password; print the backend only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field(
                "backend",
                &self.database_url.split(':').next().unwrap_or(""),
            )
            .field("ledger_key_path", &self.ledger_key_path)
            .field("checkpoint_every", &self.checkpoint_every)
            .field(
                "background_wal_checkpoints",
                &self.background_wal_checkpoints,
            )
            .finish()
    }
}

/// The handle every layer above uses. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    signer: Arc<ledger::Signer>,
    checkpoint_every: u64,
    /// Serialises writers inside this process, so they queue here instead of spinning on
    /// SQLite's busy handler; across processes the ledger-head row lock does the same.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// Every certificate's public facts by number (see [`verify_index`]); `None` reads the
    /// database on every lookup.
    verify_index: Option<Arc<verify_index::VerifyIndex>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

/// An SQLite database holds every person's identity: its file (and its WAL and shared-memory
/// files) is readable by the owner only, as the ledger key is. Before connecting, a missing
/// database file is created empty with mode 0600 (SQLite then uses it as it is); after,
/// the journal files are narrowed too (`after_connect`). PostgreSQL keeps its own files.
#[cfg(unix)]
fn owner_only_sqlite_files(url: &str, after_connect: bool) -> Result<(), StoreError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(());
    };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    if !after_connect {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)?;
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn owner_only_sqlite_files(_url: &str, _after_connect: bool) -> Result<(), StoreError> {
    Ok(())
}

impl Store {
    /// Connects, runs pending migrations, and loads (or creates) the ledger signing key.
    pub async fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        let db = Self::connect(config).await?;
        migration::Migrator::up(&db, None).await?;
        let signer = ledger::Signer::load_or_create(&config.ledger_key_path)?;
        let write_lock = Arc::new(tokio::sync::Mutex::new(()));
        if config.background_wal_checkpoints {
            dialect::spawn_wal_checkpoints(db.clone(), write_lock.clone());
        }
        Ok(Self {
            db,
            signer: Arc::new(signer),
            checkpoint_every: config.checkpoint_every.max(1),
            write_lock,
            verify_index: Some(Arc::default()),
        })
    }

    /// The same store without the verification index (benchmarks compare the two).
    pub fn without_verify_index(&self) -> Self {
        Self {
            verify_index: None,
            ..self.clone()
        }
    }

    /// Loads the verification index in the background and keeps it current (a server calls
    /// this; one-off commands leave it unloaded). Lookups read the database until it is
    /// loaded. Idempotent.
    pub fn start_verify_index(&self) {
        if let Some(index) = &self.verify_index {
            index.start(self.db.clone());
        }
    }

    /// Certificates in the verification index and about how many bytes they take.
    pub fn verify_index_size(&self) -> (usize, usize) {
        self.verify_index
            .as_ref()
            .map_or((0, 0), |index| (index.len(), index.approximate_bytes()))
    }

    /// Whether lookups are answered from the loaded index.
    pub fn verify_index_ready(&self) -> bool {
        self.verify_index
            .as_ref()
            .is_some_and(|index| index.is_ready())
    }

    /// Public lookup by certificate number (SPEC C3, issue 13): the status for the number
    /// alone, the details for the holder's exact name or the QR code's token. From the index
    /// once it is loaded, else from the database. `NotFound` for an unknown number.
    pub async fn verify_certificate(
        &self,
        number: &str,
        claim: verify_index::Claim<'_>,
        today: chrono::NaiveDate,
    ) -> Result<verify_index::Verification, StoreError> {
        let number = read::normalise_certificate_number(number).ok_or(StoreError::NotFound)?;
        if let Some(index) = &self.verify_index
            && let Some(found) = index.lookup(&number, &claim, today)
        {
            return found.ok_or(StoreError::NotFound);
        }
        let entry = read::verify_certificate(&self.db, &number).await?;
        Ok(entry.answer(&number, &claim, today))
    }

    /// Connects and migrates only (`anpei migrate`).
    pub async fn migrate(config: &StoreConfig) -> Result<(), StoreError> {
        let db = Self::connect(config).await?;
        migration::Migrator::up(&db, None).await?;
        Ok(())
    }

    async fn connect(config: &StoreConfig) -> Result<DatabaseConnection, StoreError> {
        owner_only_sqlite_files(&config.database_url, false)?;
        let mut options = ConnectOptions::new(config.database_url.clone());
        options
            // The background checkpoint keeps a connection of its own.
            .max_connections(
                config.max_connections.max(2) + u32::from(config.background_wal_checkpoints),
            )
            .min_connections(1)
            .sqlx_logging(false);
        dialect::connect_options(&mut options, config.background_wal_checkpoints);
        let db = Database::connect(options).await?;
        dialect::tune(&db).await?;
        // The WAL and shared-memory files exist once the journal mode is set.
        owner_only_sqlite_files(&config.database_url, true)?;
        Ok(db)
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub fn verifying_key(&self) -> ledger::PublicKeyInfo {
        self.signer.public_info()
    }

    /// A signed JSON export of the archive `access` opens (see `archive`): the ID number is
    /// unmasked only in the person's own export, and that view is audited (`pii_audit`).
    pub async fn export_archive(
        &self,
        actor: &Actor,
        access: PersonRead,
        today: chrono::NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<serde_json::Value, StoreError> {
        let archive = read::archive(&self.db, access, today).await?;
        if access.is_self() {
            pii_audit::record(
                &self.db,
                actor,
                pii_audit::PiiAccess::ArchiveExport,
                Some(access.person_id()),
                None,
                1,
                now,
            )
            .await?;
        }
        Ok(archive::export(
            &archive,
            access.is_self(),
            &self.signer,
            ledger::truncate_micros(now),
        ))
    }

    /// Begins a write: takes the writer lock and the ledger head, then returns the
    /// transaction that will carry the ledger entries of everything written through it.
    pub async fn write(&self, actor: &Actor, now: DateTime<Utc>) -> Result<WriteTx, StoreError> {
        let guard = self.write_lock.clone().lock_owned().await;
        let tx = ledger::begin_locked(&self.db).await?;
        Ok(WriteTx {
            tx,
            _guard: guard,
            pending: Vec::new(),
            actor: actor.ledger_actor(),
            at: ledger::truncate_micros(now),
            signer: self.signer.clone(),
            checkpoint_every: self.checkpoint_every,
            touched: Vec::new(),
            defer_verdicts: false,
            verify_index: self.verify_index.clone(),
            db: self.db.clone(),
        })
    }

    /// Recomputes the ledger chain, its signed checkpoints and every ledgered row.
    pub async fn verify_ledger(
        &self,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<VerifyReport, StoreError> {
        ledger::verify(
            &self.db,
            &self.signer.public_info(),
            self.signer.seal(),
            progress,
        )
        .await
    }

    /// Signs a checkpoint at the current head if entries were added since the last one.
    pub async fn checkpoint_now(&self, now: DateTime<Utc>) -> Result<Option<i64>, StoreError> {
        let _guard = self.write_lock.lock().await;
        ledger::checkpoint_now(&self.db, &self.signer, ledger::truncate_micros(now)).await
    }
}

/// A write in progress. Changes recorded with [`WriteTx::record`] go to the ledger on
/// [`WriteTx::commit`], in the same transaction; dropping it rolls everything back.
pub struct WriteTx {
    tx: sea_orm::DatabaseTransaction,
    _guard: tokio::sync::OwnedMutexGuard<()>,
    pending: Vec<ledger::Change>,
    actor: ledger::LedgerActor,
    at: DateTime<Utc>,
    signer: Arc<ledger::Signer>,
    checkpoint_every: u64,
    /// People whose facts changed without a ledgered row of theirs (see [`WriteTx::touch`]).
    touched: Vec<uuid::Uuid>,
    /// Whether commit leaves the verdict table alone (bulk writers that rebuild it after).
    defer_verdicts: bool,
    /// Synced on commit when a certificate or a person changed.
    verify_index: Option<Arc<verify_index::VerifyIndex>>,
    db: DatabaseConnection,
}

impl WriteTx {
    pub fn conn(&self) -> &sea_orm::DatabaseTransaction {
        &self.tx
    }

    /// The instant of this write, as stored (microsecond precision on both engines).
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    pub fn record(&mut self, change: ledger::Change) {
        self.pending.push(change);
    }

    /// Marks a person whose compliance facts this write changes although no ledgered row
    /// of theirs does (an enterprise-wide event that concerns them). People named by a
    /// recorded change are marked already.
    pub fn touch(&mut self, person_id: uuid::Uuid) {
        self.touched.push(person_id);
    }

    /// Everyone whose facts this write changes: the people of the recorded changes and the
    /// ones marked with [`WriteTx::touch`], each once.
    pub fn touched_people(&self) -> Vec<uuid::Uuid> {
        let mut people: Vec<uuid::Uuid> = self
            .pending
            .iter()
            .filter(|change| change.key.affects_compliance())
            .filter_map(|change| change.person_id)
            .chain(self.touched.iter().copied())
            .collect();
        people.sort_unstable();
        people.dedup();
        people
    }

    /// Leaves the verdict table to a [`verdicts::rebuild`] that the caller runs afterwards
    /// (the demo generator writes a million people; refreshing each batch would only be
    /// undone by the rebuild).
    pub fn defer_verdicts(&mut self) {
        self.defer_verdicts = true;
    }

    /// Refreshes the verdicts of everyone whose facts changed, appends the ledger entries and
    /// commits — all in the one transaction, so figures and facts never disagree.
    pub async fn commit(self) -> Result<i64, StoreError> {
        if !self.defer_verdicts {
            let people = self.touched_people();
            if !people.is_empty() {
                verdicts::refresh(&self.tx, &people, verdicts::business_date(self.at)).await?;
            }
        }
        let started = std::time::Instant::now();
        let seq = ledger::append(
            &self.tx,
            &self.actor,
            self.at,
            &self.pending,
            &self.signer,
            self.checkpoint_every,
        )
        .await?;
        let public_change = self.pending.iter().any(|change| {
            matches!(
                change.key,
                LedgerKey::Certificate { .. } | LedgerKey::Person(_)
            )
        });
        let appended = started.elapsed();
        self.tx.commit().await?;
        tracing::trace!(
            entries = self.pending.len(),
            append_us = appended.as_micros() as u64,
            commit_us = (started.elapsed() - appended).as_micros() as u64,
            "write committed"
        );
        // The writer lock is not needed to bring the index up to date.
        drop(self._guard);
        if public_change && let Some(index) = &self.verify_index {
            // The commit stands either way; the background sync retries within seconds.
            if let Err(err) = index.sync(&self.db).await {
                tracing::warn!(%err, "verification index: sync after a write failed");
            }
        }
        Ok(seq)
    }
}
