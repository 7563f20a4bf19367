//! The traceability ledger (SPEC C13): an append-only, hash-chained log of every change to
//! people, employment, enterprises, certificates, the enterprise ledgers and (later) exam attempts and subsidy
//! decisions, written in the same transaction as the change itself.
//!
//! Each entry holds the new state of the changed row as canonical JSON, the digest of that
//! state, the previous entry's hash and its own hash, all with the algorithm named (SM3 by
//! default, GM/T 0004). Every `checkpoint_every` entries the head hash is signed with an SM2
//! key (GM/T 0003) that lives in a file outside the database, so rewriting the database is
//! not enough to forge a consistent history.
//!
//! `verify` recomputes the chain, checks the signed checkpoints, and compares every ledgered
//! row in the database with the last state the ledger recorded for it, naming the first
//! broken entry.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::Serialize;
use sm3::{Digest, Sm3};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{
    apprenticeship, assessment, certificate, employment, enterprise, exam_answer, exam_attempt,
    exam_event, exam_registration, institution, ledger_checkpoint, ledger_entry, ledger_head,
    off_post_period, person, practical_score, process_change, process_change_person,
    skill_promotion, training_capacity, training_plan_item, training_record,
};
use crate::entity::{
    class_attendance, class_trainee, class_video, institution_trade, subsidy_application,
    subsidy_row, trainer, training_class,
};

pub const HASH_ALGO: &str = "SM3";
pub const SIGN_ALGO: &str = "SM2";
/// GM/T 0009 default distinguishing identifier, so that other GM tools verify our signatures.
const DIST_ID: &str = "1234567812345678";
const CHECKPOINT_DOMAIN: &[u8] = b"anpei-ledger-checkpoint-v1";

/// Instants are stored with microsecond precision (PostgreSQL's), so the state hashed at
/// write time is the state read back later.
pub fn truncate_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// Who made a change, as the ledger records it.
#[derive(Clone, Debug)]
pub struct LedgerActor {
    pub id: String,
    pub name: String,
}

/// The identity of a ledgered row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerKey {
    Person(Uuid),
    Employment {
        person_id: Uuid,
        id: Uuid,
    },
    Certificate {
        person_id: Uuid,
        id: Uuid,
    },
    Training {
        person_id: Uuid,
        id: Uuid,
    },
    Assessment {
        person_id: Uuid,
        id: Uuid,
    },
    Enterprise(Uuid),
    Institution(Uuid),
    Apprenticeship {
        person_id: Uuid,
        id: Uuid,
    },
    OffPost {
        person_id: Uuid,
        id: Uuid,
    },
    ProcessChange {
        enterprise_id: Uuid,
        id: Uuid,
    },
    ProcessChangePerson {
        person_id: Uuid,
        change_id: Uuid,
    },
    TrainingPlanItem {
        enterprise_id: Uuid,
        id: Uuid,
    },
    TrainingCapacity {
        enterprise_id: Uuid,
        id: Uuid,
    },
    SkillPromotion {
        person_id: Uuid,
        id: Uuid,
    },
    ExamRegistration {
        person_id: Uuid,
        id: Uuid,
    },
    ExamAttempt {
        person_id: Uuid,
        id: Uuid,
    },
    ExamAnswer {
        person_id: Uuid,
        id: Uuid,
    },
    ExamEvent {
        person_id: Uuid,
        id: Uuid,
    },
    PracticalScore {
        person_id: Uuid,
        id: Uuid,
    },
    InstitutionTrade {
        institution_id: Uuid,
        id: Uuid,
    },
    Trainer {
        institution_id: Uuid,
        id: Uuid,
    },
    TrainingClass {
        institution_id: Uuid,
        id: Uuid,
    },
    ClassTrainee {
        person_id: Uuid,
        class_id: Uuid,
    },
    ClassAttendance {
        person_id: Uuid,
        id: Uuid,
    },
    ClassVideo {
        class_id: Uuid,
        id: Uuid,
    },
    SubsidyApplication {
        enterprise_id: Uuid,
        id: Uuid,
    },
    SubsidyRow {
        person_id: Uuid,
        id: Uuid,
    },
    /// A login: its role, jurisdiction, status and second factor (never its secrets).
    Account(Uuid),
}

impl LedgerKey {
    /// Whether a change to this row can change its person's compliance verdicts. Exam
    /// records cannot (a certificate issued on passing is a change of its own), so an
    /// answer save does not re-evaluate the examinee.
    pub fn affects_compliance(&self) -> bool {
        !matches!(
            self,
            LedgerKey::ExamRegistration { .. }
                | LedgerKey::ExamAttempt { .. }
                | LedgerKey::ExamAnswer { .. }
                | LedgerKey::ExamEvent { .. }
                | LedgerKey::PracticalScore { .. }
                | LedgerKey::InstitutionTrade { .. }
                | LedgerKey::Trainer { .. }
                | LedgerKey::TrainingClass { .. }
                | LedgerKey::ClassTrainee { .. }
                | LedgerKey::ClassAttendance { .. }
                | LedgerKey::ClassVideo { .. }
                | LedgerKey::SubsidyApplication { .. }
                | LedgerKey::SubsidyRow { .. }
                | LedgerKey::Account(_)
        )
    }

    pub fn entity(&self) -> &'static str {
        match self {
            LedgerKey::Person(_) => "persons",
            LedgerKey::Employment { .. } => "employments",
            LedgerKey::Certificate { .. } => "certificates",
            LedgerKey::Training { .. } => "training_records",
            LedgerKey::Assessment { .. } => "assessments",
            LedgerKey::Enterprise(_) => "enterprises",
            LedgerKey::Institution(_) => "institutions",
            LedgerKey::Apprenticeship { .. } => "apprenticeships",
            LedgerKey::OffPost { .. } => "off_post_periods",
            LedgerKey::ProcessChange { .. } => "process_changes",
            LedgerKey::ProcessChangePerson { .. } => "process_change_people",
            LedgerKey::TrainingPlanItem { .. } => "training_plan_items",
            LedgerKey::TrainingCapacity { .. } => "training_capacities",
            LedgerKey::SkillPromotion { .. } => "skill_promotions",
            LedgerKey::ExamRegistration { .. } => "exam_registrations",
            LedgerKey::ExamAttempt { .. } => "exam_attempts",
            LedgerKey::ExamAnswer { .. } => "exam_answers",
            LedgerKey::ExamEvent { .. } => "exam_events",
            LedgerKey::PracticalScore { .. } => "practical_scores",
            LedgerKey::InstitutionTrade { .. } => "institution_trades",
            LedgerKey::Trainer { .. } => "trainers",
            LedgerKey::TrainingClass { .. } => "training_classes",
            LedgerKey::ClassTrainee { .. } => "class_trainees",
            LedgerKey::ClassAttendance { .. } => "class_attendance",
            LedgerKey::ClassVideo { .. } => "class_videos",
            LedgerKey::SubsidyApplication { .. } => "subsidy_applications",
            LedgerKey::SubsidyRow { .. } => "subsidy_rows",
            LedgerKey::Account(_) => "accounts",
        }
    }

    /// The ids of the key: the row's own, or the distribution column (`person_id` or
    /// `enterprise_id`) and then the row's id.
    fn ids(&self) -> (Uuid, Option<Uuid>) {
        match *self {
            LedgerKey::Person(id)
            | LedgerKey::Enterprise(id)
            | LedgerKey::Institution(id)
            | LedgerKey::Account(id) => (id, None),
            LedgerKey::Employment { person_id, id }
            | LedgerKey::Certificate { person_id, id }
            | LedgerKey::Training { person_id, id }
            | LedgerKey::Assessment { person_id, id }
            | LedgerKey::Apprenticeship { person_id, id }
            | LedgerKey::OffPost { person_id, id }
            | LedgerKey::SkillPromotion { person_id, id }
            | LedgerKey::ExamRegistration { person_id, id }
            | LedgerKey::ExamAttempt { person_id, id }
            | LedgerKey::ExamAnswer { person_id, id }
            | LedgerKey::ExamEvent { person_id, id }
            | LedgerKey::PracticalScore { person_id, id }
            | LedgerKey::ProcessChangePerson {
                person_id,
                change_id: id,
            } => (person_id, Some(id)),
            LedgerKey::ProcessChange { enterprise_id, id }
            | LedgerKey::TrainingPlanItem { enterprise_id, id }
            | LedgerKey::TrainingCapacity { enterprise_id, id } => (enterprise_id, Some(id)),
            LedgerKey::InstitutionTrade { institution_id, id } => (institution_id, Some(id)),
            LedgerKey::Trainer { institution_id, id } => (institution_id, Some(id)),
            LedgerKey::TrainingClass { institution_id, id } => (institution_id, Some(id)),
            LedgerKey::ClassTrainee {
                person_id,
                class_id,
            } => (person_id, Some(class_id)),
            LedgerKey::ClassAttendance { person_id, id } => (person_id, Some(id)),
            LedgerKey::ClassVideo { class_id, id } => (class_id, Some(id)),
            LedgerKey::SubsidyApplication { enterprise_id, id } => (enterprise_id, Some(id)),
            LedgerKey::SubsidyRow { person_id, id } => (person_id, Some(id)),
        }
    }

    pub fn key_string(&self) -> String {
        match self.ids() {
            (id, None) => format!("{}/{id}", self.entity()),
            (first, Some(id)) => format!("{}/{first}/{id}", self.entity()),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        let mut parts = key.split('/');
        let entity = parts.next()?;
        let first = Uuid::parse_str(parts.next()?).ok()?;
        let key = match (entity, parts.next()) {
            ("persons", None) => LedgerKey::Person(first),
            ("enterprises", None) => LedgerKey::Enterprise(first),
            ("institutions", None) => LedgerKey::Institution(first),
            ("accounts", None) => LedgerKey::Account(first),
            ("employments", Some(id)) => LedgerKey::Employment {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("certificates", Some(id)) => LedgerKey::Certificate {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("training_records", Some(id)) => LedgerKey::Training {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("assessments", Some(id)) => LedgerKey::Assessment {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("apprenticeships", Some(id)) => LedgerKey::Apprenticeship {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("off_post_periods", Some(id)) => LedgerKey::OffPost {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("skill_promotions", Some(id)) => LedgerKey::SkillPromotion {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("exam_registrations", Some(id)) => LedgerKey::ExamRegistration {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("exam_attempts", Some(id)) => LedgerKey::ExamAttempt {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("exam_answers", Some(id)) => LedgerKey::ExamAnswer {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("exam_events", Some(id)) => LedgerKey::ExamEvent {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("practical_scores", Some(id)) => LedgerKey::PracticalScore {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("process_change_people", Some(id)) => LedgerKey::ProcessChangePerson {
                person_id: first,
                change_id: Uuid::parse_str(id).ok()?,
            },
            ("process_changes", Some(id)) => LedgerKey::ProcessChange {
                enterprise_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("training_plan_items", Some(id)) => LedgerKey::TrainingPlanItem {
                enterprise_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("training_capacities", Some(id)) => LedgerKey::TrainingCapacity {
                enterprise_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("institution_trades", Some(id)) => LedgerKey::InstitutionTrade {
                institution_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("trainers", Some(id)) => LedgerKey::Trainer {
                institution_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("training_classes", Some(id)) => LedgerKey::TrainingClass {
                institution_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("class_trainees", Some(id)) => LedgerKey::ClassTrainee {
                person_id: first,
                class_id: Uuid::parse_str(id).ok()?,
            },
            ("class_attendance", Some(id)) => LedgerKey::ClassAttendance {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("class_videos", Some(id)) => LedgerKey::ClassVideo {
                class_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("subsidy_applications", Some(id)) => LedgerKey::SubsidyApplication {
                enterprise_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            ("subsidy_rows", Some(id)) => LedgerKey::SubsidyRow {
                person_id: first,
                id: Uuid::parse_str(id).ok()?,
            },
            _ => return None,
        };
        parts.next().is_none().then_some(key)
    }
}

/// One change to append: the row's key and its state after the change (`None` = deleted).
#[derive(Clone, Debug)]
pub struct Change {
    pub action: &'static str,
    pub key: LedgerKey,
    pub person_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub state: Option<String>,
}

impl Change {
    /// A change whose new state is `model`, serialised canonically (sorted keys).
    pub fn of<M: Serialize>(action: &'static str, key: LedgerKey, model: &M) -> Self {
        let (person_id, enterprise_id) = match key {
            LedgerKey::Person(id) => (Some(id), None),
            LedgerKey::Employment { person_id, .. }
            | LedgerKey::Certificate { person_id, .. }
            | LedgerKey::Training { person_id, .. }
            | LedgerKey::Assessment { person_id, .. }
            | LedgerKey::Apprenticeship { person_id, .. }
            | LedgerKey::OffPost { person_id, .. }
            | LedgerKey::SkillPromotion { person_id, .. }
            | LedgerKey::ExamRegistration { person_id, .. }
            | LedgerKey::ExamAttempt { person_id, .. }
            | LedgerKey::ExamAnswer { person_id, .. }
            | LedgerKey::ExamEvent { person_id, .. }
            | LedgerKey::PracticalScore { person_id, .. }
            | LedgerKey::ProcessChangePerson { person_id, .. }
            | LedgerKey::ClassTrainee { person_id, .. }
            | LedgerKey::ClassAttendance { person_id, .. }
            | LedgerKey::SubsidyRow { person_id, .. } => (Some(person_id), None),
            LedgerKey::Enterprise(id)
            | LedgerKey::ProcessChange {
                enterprise_id: id, ..
            }
            | LedgerKey::TrainingPlanItem {
                enterprise_id: id, ..
            }
            | LedgerKey::TrainingCapacity {
                enterprise_id: id, ..
            }
            | LedgerKey::SubsidyApplication {
                enterprise_id: id, ..
            } => (None, Some(id)),
            LedgerKey::Institution(_)
            | LedgerKey::Account(_)
            | LedgerKey::InstitutionTrade { .. }
            | LedgerKey::Trainer { .. }
            | LedgerKey::TrainingClass { .. }
            | LedgerKey::ClassVideo { .. } => (None, None),
        };
        Change {
            action,
            key,
            person_id,
            enterprise_id,
            state: Some(canonical_json(model)),
        }
    }

    /// Also indexes the entry under an enterprise (e.g. a hire is part of its history).
    pub fn with_enterprise(mut self, enterprise_id: Uuid) -> Self {
        self.enterprise_id = Some(enterprise_id);
        self
    }
}

/// The canonical form of a row: JSON with sorted keys (serde_json's map is a BTreeMap, no
/// `preserve_order`) and without null members, so that adding a nullable column to a table
/// leaves every recorded state — and so the whole history — verifiable.
pub fn canonical_json<M: Serialize>(model: &M) -> String {
    match serde_json::to_value(model) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.retain(|_, value| !value.is_null());
            serde_json::Value::Object(map).to_string()
        }
        Ok(value) => value.to_string(),
        // Serialising plain entity models cannot fail; an empty object keeps the ledger
        // consistent (and `verify` would flag the mismatch) rather than panicking.
        Err(_) => "{}".to_owned(),
    }
}

fn sm3(bytes: &[u8]) -> [u8; 32] {
    Sm3::digest(bytes).into()
}

pub fn state_digest(state: Option<&str>) -> [u8; 32] {
    sm3(state.unwrap_or("null").as_bytes())
}

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &[u8],
    seq: i64,
    at: DateTime<Utc>,
    actor: &str,
    actor_name: &str,
    action: &str,
    entity_key: &str,
    person_id: Option<Uuid>,
    enterprise_id: Option<Uuid>,
    digest: &[u8],
) -> [u8; 32] {
    let mut hasher = Sm3::new();
    hasher.update(prev);
    hasher.update(seq.to_be_bytes());
    hasher.update(at.timestamp_micros().to_be_bytes());
    for field in [actor, actor_name, action, entity_key] {
        hasher.update((field.len() as u32).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    for id in [person_id, enterprise_id] {
        match id {
            Some(id) => hasher.update(id.as_bytes()),
            None => hasher.update([0u8; 16]),
        }
    }
    hasher.update(digest);
    hasher.finalize().into()
}

/// Starts a transaction that owns the ledger head: the no-op UPDATE takes PostgreSQL's row
/// lock and SQLite's write lock before anything else, so two writers never read the same
/// head and the chain cannot fork.
pub(crate) async fn begin_locked(
    db: &DatabaseConnection,
) -> Result<DatabaseTransaction, StoreError> {
    let tx = db.begin().await?;
    ledger_head::Entity::update_many()
        .col_expr(
            ledger_head::Column::Seq,
            Expr::col(ledger_head::Column::Seq),
        )
        .filter(ledger_head::Column::Id.eq(1))
        .exec(&tx)
        .await?;
    Ok(tx)
}

use sea_orm::ColumnTrait;

async fn head(conn: &impl ConnectionTrait) -> Result<ledger_head::Model, StoreError> {
    ledger_head::Entity::find_by_id(1)
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The columns of `ledger_entries` in the order [`append`] packs them.
const ENTRY_COLUMNS: [(&str, crate::dialect::Sql); 14] = {
    use crate::dialect::Sql;
    [
        ("seq", Sql::BigInt),
        ("at", Sql::Timestamp),
        ("actor", Sql::Text),
        ("actor_name", Sql::Text),
        ("action", Sql::Text),
        ("entity", Sql::Text),
        ("entity_key", Sql::Text),
        ("person_id", Sql::Uuid),
        ("enterprise_id", Sql::Uuid),
        ("state", Sql::Text),
        ("state_digest", Sql::Bytes),
        ("prev_hash", Sql::Bytes),
        ("hash", Sql::Bytes),
        ("algo", Sql::Text),
    ]
};

/// Appends `changes` after the current head. Called by `WriteTx::commit` only.
pub(crate) async fn append(
    tx: &DatabaseTransaction,
    actor: &LedgerActor,
    at: DateTime<Utc>,
    changes: &[Change],
    signer: &Signer,
    checkpoint_every: u64,
) -> Result<i64, StoreError> {
    let head = head(tx).await?;
    if changes.is_empty() {
        return Ok(head.seq);
    }
    let mut seq = head.seq;
    let mut prev = head.hash.clone();
    let at_text = crate::dialect::timestamp_text(at);
    let mut rows = Vec::with_capacity(changes.len());
    let states: Vec<Option<String>> = changes
        .iter()
        .map(|change| {
            signer
                .seal()
                .state(change.key.entity(), change.state.as_deref())
        })
        .collect();
    for (change, state) in changes.iter().zip(&states) {
        seq += 1;
        let key = change.key.key_string();
        let digest = state_digest(state.as_deref());
        let hash = entry_hash(
            &prev,
            seq,
            at,
            &actor.id,
            &actor.name,
            change.action,
            &key,
            change.person_id,
            change.enterprise_id,
            &digest,
        );
        rows.push((
            seq,
            &at_text,
            &actor.id,
            &actor.name,
            change.action,
            change.key.entity(),
            key,
            change.person_id,
            change.enterprise_id,
            state.as_deref(),
            hex::encode(digest),
            hex::encode(&prev),
            hex::encode(hash),
            HASH_ALGO,
        ));
        prev = hash.to_vec();
    }
    crate::dialect::insert_packed(tx, "ledger_entries", &ENTRY_COLUMNS, &rows).await?;
    let every = checkpoint_every.max(1) as i64;
    let mut checkpoint_seq = head.checkpoint_seq;
    if seq / every > head.seq / every {
        insert_checkpoint(tx, signer, seq, &prev, at).await?;
        checkpoint_seq = seq;
    }
    ledger_head::Entity::update(ledger_head::ActiveModel {
        id: Set(1),
        seq: Set(seq),
        hash: Set(prev),
        checkpoint_seq: Set(checkpoint_seq),
    })
    .exec(tx)
    .await?;
    Ok(seq)
}

async fn insert_checkpoint(
    tx: &DatabaseTransaction,
    signer: &Signer,
    seq: i64,
    head_hash: &[u8],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let signature = signer.sign(&checkpoint_message(seq, head_hash));
    ledger_checkpoint::Entity::insert(ledger_checkpoint::ActiveModel {
        seq: Set(seq),
        at: Set(at),
        head_hash: Set(head_hash.to_vec()),
        algo: Set(SIGN_ALGO.to_owned()),
        key_id: Set(signer.public_info().key_id),
        signature: Set(signature),
    })
    .exec(tx)
    .await?;
    Ok(())
}

/// The timed checkpoint: signs the head if anything was appended since the last one.
pub(crate) async fn checkpoint_now(
    db: &DatabaseConnection,
    signer: &Signer,
    at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let tx = begin_locked(db).await?;
    let head = head(&tx).await?;
    if head.seq == 0 || head.seq == head.checkpoint_seq {
        return Ok(None);
    }
    insert_checkpoint(&tx, signer, head.seq, &head.hash, at).await?;
    ledger_head::Entity::update(ledger_head::ActiveModel {
        id: Set(1),
        seq: Set(head.seq),
        hash: Set(head.hash.clone()),
        checkpoint_seq: Set(head.seq),
    })
    .exec(&tx)
    .await?;
    tx.commit().await?;
    Ok(Some(head.seq))
}

fn checkpoint_message(seq: i64, head_hash: &[u8]) -> Vec<u8> {
    let mut message = CHECKPOINT_DOMAIN.to_vec();
    message.extend_from_slice(&seq.to_be_bytes());
    message.extend_from_slice(head_hash);
    message
}

/// The public half of the ledger key, as published at `/api/v1/ledger/public-key`.
#[derive(Clone, Debug, Serialize)]
pub struct PublicKeyInfo {
    pub algo: &'static str,
    pub key_id: String,
    /// SEC1 uncompressed point, hex.
    pub public_key: String,
}

/// A row's canonical state as the ledger records it (personal data sealed).
fn sealed(seal: &PiiSeal, entity: &str, state: String) -> String {
    seal.state(entity, Some(&state)).unwrap_or(state)
}

/// The SM2 signing key of this installation.
pub struct Signer {
    key: sm2::dsa::SigningKey,
    info: PublicKeyInfo,
    seal: PiiSeal,
}

impl Signer {
    /// Reads the hex-encoded secret scalar at `path`, or generates one and writes it there
    /// (mode 0600) on first start.
    pub fn load_or_create(path: &Path) -> Result<Self, StoreError> {
        use sm2::elliptic_curve::Generate;
        let secret = if path.exists() {
            let text = std::fs::read_to_string(path)?;
            let bytes = hex::decode(text.trim())
                .map_err(|_| StoreError::Key(format!("{} is not hex", path.display())))?;
            sm2::SecretKey::from_slice(&bytes)
                .map_err(|_| StoreError::Key(format!("{} is not an SM2 key", path.display())))?
        } else {
            let secret = sm2::SecretKey::generate();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            write_private(path, &hex::encode(secret.to_bytes()))?;
            secret
        };
        let seal = PiiSeal::derived_from(&secret.to_bytes());
        let key = sm2::dsa::SigningKey::new(DIST_ID, &secret)
            .map_err(|_| StoreError::Key("invalid SM2 key".to_owned()))?;
        let public = key.verifying_key().to_sec1_bytes();
        let info = PublicKeyInfo {
            algo: SIGN_ALGO,
            key_id: hex::encode(&sm3(&public)[..8]),
            public_key: hex::encode(&public),
        };
        Ok(Self { key, info, seal })
    }

    pub fn public_info(&self) -> PublicKeyInfo {
        self.info.clone()
    }

    /// The keyed hash that stands for personal data in recorded states.
    pub fn seal(&self) -> &PiiSeal {
        &self.seal
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use sm2::dsa::signature::Signer as _;
        let signature: sm2::dsa::Signature = self.key.sign(message);
        signature.to_bytes().to_vec()
    }
}

/// Personal data does not enter the ledger in plain text (issue 13, item 7): in the states of
/// the tables that hold it, each such member is replaced by `hmac-sm3:<hex>`, a keyed hash
/// (HMAC-SM3, RFC 2104 over GM/T 0004). The key is derived from the installation's ledger
/// key, which lives outside the database: whoever holds the database alone cannot test
/// guesses of an ID number against the ledger (a plain hash of an ID number falls to
/// enumeration: there are only ~10^11 of them), while `verify` — which has the key —
/// still recomputes every state from its row and checks it.
pub struct PiiSeal {
    key: [u8; 32],
}

/// (table, members) whose values are personal data.
const PII_MEMBERS: &[(&str, &[&str])] = &[
    ("persons", &["id_number", "phone"]),
    ("subsidy_applications", &["handler_phone"]),
];

impl PiiSeal {
    fn derived_from(secret: &[u8]) -> Self {
        let mut hasher = Sm3::new();
        hasher.update(b"anpei-ledger-pii-seal-v1");
        hasher.update(secret);
        PiiSeal {
            key: hasher.finalize().into(),
        }
    }

    /// HMAC-SM3 (block size 64) of `message`.
    fn hmac(&self, message: &[u8]) -> [u8; 32] {
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.key);
        let mut inner = Sm3::new();
        inner.update(block.map(|b| b ^ 0x36));
        inner.update(message);
        let inner: [u8; 32] = inner.finalize().into();
        let mut outer = Sm3::new();
        outer.update(block.map(|b| b ^ 0x5c));
        outer.update(inner);
        outer.finalize().into()
    }

    /// The state as the ledger records it: for a table holding personal data, its members
    /// sealed; any other state unchanged (and not re-serialised, so the hot paths — answer
    /// saves, imports of employment rows — pay nothing).
    pub fn state(&self, entity: &str, state: Option<&str>) -> Option<String> {
        let state = state?;
        let Some((_, members)) = PII_MEMBERS.iter().find(|(table, _)| *table == entity) else {
            return Some(state.to_owned());
        };
        let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(state) else {
            return Some(state.to_owned());
        };
        for member in *members {
            if let Some(serde_json::Value::String(value)) = map.get_mut(*member)
                && !value.starts_with("hmac-sm3:")
            {
                *value = format!("hmac-sm3:{}", hex::encode(self.hmac(value.as_bytes())));
            }
        }
        Some(serde_json::Value::Object(map).to_string())
    }
}

/// Checks an SM2 signature against a hex SEC1 public key.
pub fn verify_signature(public_key_hex: &str, message: &[u8], signature: &[u8]) -> bool {
    use sm2::dsa::signature::Verifier as _;
    let Ok(public) = hex::decode(public_key_hex) else {
        return false;
    };
    let Ok(key) = sm2::dsa::VerifyingKey::from_sec1_bytes(DIST_ID, &public) else {
        return false;
    };
    let Ok(signature) = sm2::dsa::Signature::from_slice(signature) else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// What `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub entries: u64,
    pub checkpoints: u64,
    pub rows_checked: u64,
    pub head_seq: i64,
    /// Problems in ledger order; the first is "the first broken entry".
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The ledger entry at fault, when there is one (a row added behind the ledger's back
    /// has none).
    pub seq: Option<i64>,
    pub entity_key: Option<String>,
    pub reason: String,
}

struct LastState {
    seq: i64,
    digest: [u8; 32],
    deleted: bool,
}

/// Recomputes everything; see the module documentation. `progress(done, total)` reports
/// ledger entries, then rows.
pub(crate) async fn verify(
    db: &DatabaseConnection,
    key: &PublicKeyInfo,
    seal: &PiiSeal,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<VerifyReport, StoreError> {
    let head = head(db).await?;
    let total = head.seq.max(0) as u64;
    let mut problems = Vec::new();
    let checkpoints: HashMap<i64, ledger_checkpoint::Model> = ledger_checkpoint::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.seq, c))
        .collect();
    let mut last: HashMap<LedgerKey, LastState> = HashMap::new();
    let mut prev = vec![0u8; 32];
    let mut expected_seq = 1i64;
    let mut entries = 0u64;
    let mut seen_checkpoints = 0u64;
    const PAGE: u64 = 20_000;
    loop {
        let page = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::Seq.gte(expected_seq))
            .order_by_asc(ledger_entry::Column::Seq)
            .limit(PAGE)
            .all(db)
            .await?;
        let done = (page.len() as u64) < PAGE;
        for entry in page {
            let at_fault = |reason: String| Problem {
                seq: Some(entry.seq),
                entity_key: Some(entry.entity_key.clone()),
                reason,
            };
            if entry.seq != expected_seq {
                problems.push(at_fault(format!(
                    "sequence gap: expected #{expected_seq}, found #{}",
                    entry.seq
                )));
            }
            expected_seq = entry.seq + 1;
            if entry.algo != HASH_ALGO {
                problems.push(at_fault(format!("unknown hash algorithm {}", entry.algo)));
            }
            let digest = state_digest(entry.state.as_deref());
            if digest[..] != entry.state_digest[..] {
                problems.push(at_fault(
                    "recorded state does not match its digest".to_owned(),
                ));
            }
            if entry.prev_hash != prev {
                problems.push(at_fault("previous-hash link is broken".to_owned()));
            }
            let hash = entry_hash(
                &prev,
                entry.seq,
                entry.at,
                &entry.actor,
                &entry.actor_name,
                &entry.action,
                &entry.entity_key,
                entry.person_id,
                entry.enterprise_id,
                &digest,
            );
            if hash[..] != entry.hash[..] {
                problems.push(at_fault(
                    "entry hash does not match its contents".to_owned(),
                ));
            }
            if let Some(checkpoint) = checkpoints.get(&entry.seq) {
                seen_checkpoints += 1;
                if checkpoint.head_hash[..] != hash[..] {
                    problems.push(at_fault(format!(
                        "signed checkpoint at #{} disagrees with the chain",
                        entry.seq
                    )));
                }
                if checkpoint.key_id != key.key_id
                    || !verify_signature(
                        &key.public_key,
                        &checkpoint_message(checkpoint.seq, &checkpoint.head_hash),
                        &checkpoint.signature,
                    )
                {
                    problems.push(at_fault(format!(
                        "checkpoint at #{} is not signed by this installation's key",
                        entry.seq
                    )));
                }
            }
            match LedgerKey::parse(&entry.entity_key) {
                Some(key) => {
                    last.insert(
                        key,
                        LastState {
                            seq: entry.seq,
                            digest,
                            deleted: entry.state.is_none(),
                        },
                    );
                }
                None => problems.push(at_fault("unreadable entity key".to_owned())),
            }
            prev = hash.to_vec();
            entries += 1;
        }
        progress(entries, total);
        if done {
            break;
        }
    }
    if head.seq != expected_seq - 1 || head.hash != prev {
        problems.push(Problem {
            seq: Some(head.seq),
            entity_key: None,
            reason: "ledger head does not match the last entry".to_owned(),
        });
    }
    for seq in checkpoints.keys() {
        if *seq > head.seq {
            problems.push(Problem {
                seq: Some(*seq),
                entity_key: None,
                reason: "checkpoint beyond the ledger head".to_owned(),
            });
        }
    }

    let mut seen: std::collections::HashSet<LedgerKey> = std::collections::HashSet::new();
    let check_row = |seen: &mut std::collections::HashSet<LedgerKey>,
                     key: LedgerKey,
                     state: String,
                     problems: &mut Vec<Problem>| {
        seen.insert(key);
        match last.get(&key) {
            Some(recorded)
                if !recorded.deleted && recorded.digest == state_digest(Some(&state)) => {}
            Some(recorded) => problems.push(Problem {
                seq: Some(recorded.seq),
                entity_key: Some(key.key_string()),
                reason: "row in the database differs from the state the ledger recorded".to_owned(),
            }),
            None => problems.push(Problem {
                seq: None,
                entity_key: Some(key.key_string()),
                reason: "row exists in the database but not in the ledger".to_owned(),
            }),
        }
    };

    let mut cursor = person::Entity::find().cursor_by(person::Column::Id);
    loop {
        let page = cursor.first(PAGE).all(db).await?;
        let Some(last_row) = page.last() else { break };
        cursor = person::Entity::find().cursor_by(person::Column::Id);
        cursor.after(last_row.id);
        for row in &page {
            check_row(
                &mut seen,
                LedgerKey::Person(row.id),
                sealed(seal, "persons", canonical_json(row)),
                &mut problems,
            );
        }
    }
    // Person-keyed tables, read in (person_id, id) order a page at a time.
    // Tables with a composite key, read in key order a page at a time: the distribution
    // column (`person_id` or `enterprise_id`) first, then the row's own id.
    macro_rules! check_keyed {
        ($entity:ident, $first:ident / $First:ident, $second:ident / $Second:ident, $variant:ident) => {
            let mut after: Option<(Uuid, Uuid)> = None;
            loop {
                let mut cursor = $entity::Entity::find()
                    .cursor_by(($entity::Column::$First, $entity::Column::$Second));
                if let Some(after) = after {
                    cursor.after(after);
                }
                let page = cursor.first(PAGE).all(db).await?;
                let Some(last_row) = page.last() else { break };
                after = Some((last_row.$first, last_row.$second));
                for row in &page {
                    check_row(
                        &mut seen,
                        LedgerKey::$variant {
                            $first: row.$first,
                            $second: row.$second,
                        },
                        canonical_json(row),
                        &mut problems,
                    );
                }
            }
        };
    }
    check_keyed!(employment, person_id / PersonId, id / Id, Employment);
    check_keyed!(certificate, person_id / PersonId, id / Id, Certificate);
    check_keyed!(training_record, person_id / PersonId, id / Id, Training);
    check_keyed!(assessment, person_id / PersonId, id / Id, Assessment);
    check_keyed!(
        apprenticeship,
        person_id / PersonId,
        id / Id,
        Apprenticeship
    );
    check_keyed!(off_post_period, person_id / PersonId, id / Id, OffPost);
    check_keyed!(
        exam_registration,
        person_id / PersonId,
        id / Id,
        ExamRegistration
    );
    check_keyed!(exam_attempt, person_id / PersonId, id / Id, ExamAttempt);
    check_keyed!(exam_answer, person_id / PersonId, id / Id, ExamAnswer);
    check_keyed!(exam_event, person_id / PersonId, id / Id, ExamEvent);
    check_keyed!(
        practical_score,
        person_id / PersonId,
        id / Id,
        PracticalScore
    );
    check_keyed!(
        skill_promotion,
        person_id / PersonId,
        id / Id,
        SkillPromotion
    );
    check_keyed!(
        process_change_person,
        person_id / PersonId,
        change_id / ChangeId,
        ProcessChangePerson
    );
    check_keyed!(
        process_change,
        enterprise_id / EnterpriseId,
        id / Id,
        ProcessChange
    );
    check_keyed!(
        training_plan_item,
        enterprise_id / EnterpriseId,
        id / Id,
        TrainingPlanItem
    );
    check_keyed!(
        training_capacity,
        enterprise_id / EnterpriseId,
        id / Id,
        TrainingCapacity
    );
    check_keyed!(
        institution_trade,
        institution_id / InstitutionId,
        id / Id,
        InstitutionTrade
    );
    check_keyed!(trainer, institution_id / InstitutionId, id / Id, Trainer);
    check_keyed!(
        training_class,
        institution_id / InstitutionId,
        id / Id,
        TrainingClass
    );
    check_keyed!(
        class_trainee,
        person_id / PersonId,
        class_id / ClassId,
        ClassTrainee
    );
    check_keyed!(
        class_attendance,
        person_id / PersonId,
        id / Id,
        ClassAttendance
    );
    check_keyed!(class_video, class_id / ClassId, id / Id, ClassVideo);
    {
        let mut after: Option<(Uuid, Uuid)> = None;
        loop {
            let mut cursor = subsidy_application::Entity::find().cursor_by((
                subsidy_application::Column::EnterpriseId,
                subsidy_application::Column::Id,
            ));
            if let Some(after) = after {
                cursor.after(after);
            }
            let page = cursor.first(PAGE).all(db).await?;
            let Some(last_row) = page.last() else { break };
            after = Some((last_row.enterprise_id, last_row.id));
            for row in &page {
                check_row(
                    &mut seen,
                    LedgerKey::SubsidyApplication {
                        enterprise_id: row.enterprise_id,
                        id: row.id,
                    },
                    sealed(seal, "subsidy_applications", canonical_json(row)),
                    &mut problems,
                );
            }
        }
    }
    check_keyed!(subsidy_row, person_id / PersonId, id / Id, SubsidyRow);
    for row in enterprise::Entity::find().all(db).await? {
        check_row(
            &mut seen,
            LedgerKey::Enterprise(row.id),
            canonical_json(&row),
            &mut problems,
        );
    }
    for row in institution::Entity::find().all(db).await? {
        check_row(
            &mut seen,
            LedgerKey::Institution(row.id),
            canonical_json(&row),
            &mut problems,
        );
    }
    // Accounts as the ledger records them: role, jurisdiction, status, second factor.
    for row in crate::entity::account::Entity::find().all(db).await? {
        check_row(
            &mut seen,
            LedgerKey::Account(row.id),
            canonical_json(&row.ledger_state()),
            &mut problems,
        );
    }
    let rows_checked = seen.len() as u64;
    progress(total, total);
    for (key, recorded) in &last {
        if !recorded.deleted && !seen.contains(key) {
            problems.push(Problem {
                seq: Some(recorded.seq),
                entity_key: Some(key.key_string()),
                reason: "the ledger records this row but it is missing from the database"
                    .to_owned(),
            });
        }
    }
    problems.sort_by_key(|p| (p.seq.is_none(), p.seq));
    Ok(VerifyReport {
        entries,
        checkpoints: seen_checkpoints,
        rows_checked,
        head_seq: head.seq,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_their_string_form() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        for key in [
            LedgerKey::Person(a),
            LedgerKey::Employment {
                person_id: a,
                id: b,
            },
            LedgerKey::Enterprise(b),
            LedgerKey::Institution(a),
            LedgerKey::Apprenticeship {
                person_id: a,
                id: b,
            },
            LedgerKey::OffPost {
                person_id: a,
                id: b,
            },
            LedgerKey::ProcessChange {
                enterprise_id: a,
                id: b,
            },
            LedgerKey::ProcessChangePerson {
                person_id: a,
                change_id: b,
            },
            LedgerKey::TrainingPlanItem {
                enterprise_id: b,
                id: a,
            },
            LedgerKey::TrainingCapacity {
                enterprise_id: a,
                id: b,
            },
            LedgerKey::SkillPromotion {
                person_id: a,
                id: b,
            },
            LedgerKey::InstitutionTrade {
                institution_id: a,
                id: b,
            },
            LedgerKey::Trainer {
                institution_id: a,
                id: b,
            },
            LedgerKey::TrainingClass {
                institution_id: a,
                id: b,
            },
            LedgerKey::ClassTrainee {
                person_id: a,
                class_id: b,
            },
            LedgerKey::ClassAttendance {
                person_id: a,
                id: b,
            },
            LedgerKey::ClassVideo { class_id: a, id: b },
            LedgerKey::SubsidyApplication {
                enterprise_id: a,
                id: b,
            },
            LedgerKey::SubsidyRow {
                person_id: a,
                id: b,
            },
            LedgerKey::Account(b),
        ] {
            assert_eq!(LedgerKey::parse(&key.key_string()), Some(key));
        }
        assert_eq!(
            LedgerKey::Training {
                person_id: a,
                id: b
            }
            .key_string(),
            format!("training_records/{a}/{b}")
        );
        assert_eq!(
            LedgerKey::ProcessChange {
                enterprise_id: a,
                id: b
            }
            .key_string(),
            format!("process_changes/{a}/{b}")
        );
        assert_eq!(LedgerKey::parse("persons/not-a-uuid"), None);
        assert_eq!(LedgerKey::parse(&format!("persons/{a}/{b}")), None);
    }

    #[test]
    fn checkpoint_signatures_verify_only_with_the_signing_key() {
        let dir = std::env::temp_dir().join(format!("anpei-key-{}", Uuid::now_v7()));
        let signer = Signer::load_or_create(&dir.join("ledger.key")).unwrap();
        let again = Signer::load_or_create(&dir.join("ledger.key")).unwrap();
        assert_eq!(
            signer.public_info().public_key,
            again.public_info().public_key
        );
        let message = checkpoint_message(7, &[1u8; 32]);
        let signature = signer.sign(&message);
        assert!(verify_signature(
            &signer.public_info().public_key,
            &message,
            &signature
        ));
        assert!(!verify_signature(
            &signer.public_info().public_key,
            &checkpoint_message(8, &[1u8; 32]),
            &signature
        ));
        let other = Signer::load_or_create(&dir.join("other.key")).unwrap();
        assert!(!verify_signature(
            &other.public_info().public_key,
            &message,
            &signature
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn entry_hash_changes_with_every_field() {
        let at = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let base = entry_hash(&[0; 32], 1, at, "a", "n", "x", "k", None, None, &[0; 32]);
        assert_ne!(
            base,
            entry_hash(&[1; 32], 1, at, "a", "n", "x", "k", None, None, &[0; 32])
        );
        assert_ne!(
            base,
            entry_hash(&[0; 32], 2, at, "a", "n", "x", "k", None, None, &[0; 32])
        );
        assert_ne!(
            base,
            entry_hash(&[0; 32], 1, at, "ab", "n", "x", "k", None, None, &[0; 32])
        );
        // Length prefixes keep field boundaries: ("ab","") differs from ("a","b").
        assert_ne!(
            entry_hash(&[0; 32], 1, at, "ab", "", "x", "k", None, None, &[0; 32]),
            entry_hash(&[0; 32], 1, at, "a", "b", "x", "k", None, None, &[0; 32])
        );
        assert_ne!(
            base,
            entry_hash(&[0; 32], 1, at, "a", "n", "x", "k", None, None, &[1; 32])
        );
    }
}
