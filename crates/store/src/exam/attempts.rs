//! Attempts at a theory exam, and the desk that keeps them durable.
//!
//! **One writer.** Every change to an attempt — sign-in, each saved answer, page-leave and
//! reconnect events, extra time, submission — is a job for one writer task
//! ([`ExamDesk`]) that takes whatever jobs are waiting (up to [`BATCH`]), writes them in one
//! transaction with their ledger entries, commits, and only then answers each job. An answer
//! is acknowledged only once it is committed, so nothing acknowledged is lost when the server
//! is killed; a save that was not acknowledged is sent again by the page (saves carry the
//! page's sequence number, so a repeat is recognised and not stored twice). Batching is what
//! makes thousands of saves a second possible on SQLite's single writer.
//!
//! **Server clock.** The deadline is the server's: `min(max(sign-in, opens_at) + duration,
//! closes_at) + extra minutes`; saves are accepted until [`GRACE`] after it (the network's
//! delay), and the sweeper submits every attempt whose deadline and grace have passed.
//!
//! The writer keeps a cache of live attempts (token → attempt, deadline, last sequence, and
//! what each sequence number stored) and of question versions (immutable); both are
//! rebuilt from the database after a restart.
//!
//! **Who may sign in** (issue 13). Wrong ticket/ID-number pairs are counted and limited
//! ([`super::throttle`]). An attempt remembers the device it was signed in on (the SM3 of a
//! secret the device keeps); that device may sign in again at once (a cleared cookie, a
//! restarted server), any other waits as a [`exam_sign_in_request`] until a proctor
//! approves — then its waiting key becomes the attempt's token and the first device's ends
//! — or refuses it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anpei_domain::exam::{Paper, Question, Response, TheoryGrade};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use sm3::{Digest, Sm3};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::codec;
use super::registration::{FINISHED, SIGNED_IN};
use super::throttle::{Limiting, SignInThrottle};
use crate::access::Actor;
use crate::entity::{
    exam_answer, exam_attempt, exam_blueprint, exam_event, exam_registration, exam_session,
    exam_sign_in_request, exam_site, person, person_identity, question_version,
};
use crate::ledger::{Change, LedgerKey};
use crate::{Store, StoreError};

/// Most jobs written in one transaction.
pub const BATCH: usize = 1024;

/// Most hand-ins graded in one transaction (see `Writer::split`).
const GRADES_PER_BATCH: usize = 16;
/// How long after the deadline a save still counts (it was sent in time).
pub const GRACE: Duration = Duration::seconds(5);
/// How early before the start examinees may sign in.
pub const ENTRY: Duration = Duration::minutes(30);
/// How far past the highest stored sequence number a save may jump. The page numbers its
/// saves one by one from `last_seq + 1` and sends them in order, so an honest client is
/// never ahead; 1,000 — about one change every ten seconds over a three-hour paper — leaves
/// room for clients that number with gaps, while a number far beyond it (a bug, a forged
/// request) would make every later honest save look like an old one and be lost.
pub const MAX_SEQ_JUMP: i64 = 1_000;
/// The constraint a save conflicts with when its sequence number already holds another
/// answer (the unique index on `exam_answers (attempt_id, seq)`); the web layer names it.
pub const SEQ_TAKEN: &str = "exam_answers_attempt";
/// Sign-in requests from other devices one attempt may have waiting at once.
const PENDING_PER_ATTEMPT: u64 = 3;

/// Sign-in request states.
pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
/// Superseded by a later request from the same device.
const REPLACED: &str = "replaced";

/// Why an attempt ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SubmitReason {
    Examinee,
    Timeout,
    Proctor,
}

impl SubmitReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::Examinee => "examinee",
            Self::Timeout => "timeout",
            Self::Proctor => "proctor",
        }
    }
}

/// Events of an attempt's timeline that the page reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PageEvent {
    /// The page was hidden (another app or tab).
    Leave,
    Return,
    /// The page came back online and re-sent what was waiting.
    Reconnect,
}

impl PageEvent {
    pub fn code(self) -> &'static str {
        match self {
            Self::Leave => "leave",
            Self::Return => "return",
            Self::Reconnect => "reconnect",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Leave, Self::Return, Self::Reconnect]
            .into_iter()
            .find(|e| e.code() == code)
    }
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sm3::digest(token.as_bytes()))
}

fn refuse(field: &str, zh: &str, en: &str) -> StoreError {
    StoreError::invalid_text(field, zh, en)
}

fn unknown_token() -> StoreError {
    StoreError::Forbidden
}

/// The field a wrong ticket/ID-number pair is refused on: only this refusal counts
/// against the sign-in limits.
const MISMATCH_FIELD: &str = "id_number";

/// Which saved answer a sequence number holds, to tell a repeat from a conflict without
/// reading the database: a hash of the position and the stored JSON of the response.
fn fingerprint(position: u32, response_json: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    position.hash(&mut hasher);
    response_json.hash(&mut hasher);
    hasher.finish()
}

/// Answer to a save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveAck {
    pub seq: i64,
    /// The save repeated one already stored (nothing new was written).
    pub repeated: bool,
}

/// A signed-in examinee.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub person_id: Uuid,
    pub attempt_id: Uuid,
    pub resumed: bool,
}

/// What a sign-in at the seat comes to.
#[derive(Clone, Debug)]
pub enum SignInOutcome {
    /// The token works now: a first sign-in, or the same device again.
    Admitted(SignedIn),
    /// Another device while the attempt runs: the request waits for a proctor, and the
    /// token the caller made is its waiting key until then.
    Waiting { request_id: Uuid, attempt_id: Uuid },
    /// Too many wrong pairs on this ticket or from this address: try again after this long.
    Locked { retry_after: Duration },
}

/// What the sign-in at the seat is given.
#[derive(Clone, Debug)]
pub struct SignInAttempt<'a> {
    pub session_id: Uuid,
    pub ticket: &'a str,
    pub id_number: &'a str,
    /// A fresh random secret the caller hands to the device: the exam token, or the
    /// waiting key when a proctor must approve first.
    pub token: &'a str,
    /// The secret the device keeps across sign-ins, proving it is the same device.
    pub device: &'a str,
    /// The client's address, for the per-address limit and the proctor, when known.
    pub client: Option<&'a str>,
}

/// Where a waiting sign-in stands, as its device polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitState {
    Pending,
    /// Approved: the waiting key is the exam token now.
    Approved,
    /// Refused by a proctor, or replaced by a later request of the same device: never a
    /// token.
    Refused,
}

/// A proctor's answer to a sign-in request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// Which right answers a paper view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// The examinee's own view.
    Hidden,
    /// A proctor's review: the key only once the paper is handed in (issue 13), so that
    /// no one at the room reads it out while papers are open.
    OnceHandedIn,
    /// Grading, auditing and tests.
    Shown,
}

/// The result of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graded {
    pub score: u32,
    pub total: u32,
    pub passed: bool,
    pub answered: u32,
    pub questions: u32,
    pub certificate: Option<String>,
}

enum Target {
    Token(String),
    Attempt { person_id: Uuid, attempt_id: Uuid },
}

enum Job {
    SignIn {
        session_id: Uuid,
        ticket: String,
        id_number: String,
        token_hash: String,
        device_hash: String,
        client: String,
        seed: u64,
        reply: oneshot::Sender<Result<SignInOutcome, StoreError>>,
    },
    Decide {
        session_id: Uuid,
        person_id: Uuid,
        request_id: Uuid,
        attempt_id: Uuid,
        decision: Decision,
        by: String,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    Save {
        token_hash: String,
        seq: i64,
        position: u32,
        response: Response,
        reply: oneshot::Sender<Result<SaveAck, StoreError>>,
    },
    Event {
        token_hash: String,
        event: PageEvent,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    ExtraTime {
        person_id: Uuid,
        attempt_id: Uuid,
        minutes: u32,
        by: String,
        reply: oneshot::Sender<Result<DateTime<Utc>, StoreError>>,
    },
    Submit {
        target: Target,
        reason: SubmitReason,
        reply: oneshot::Sender<Result<Graded, StoreError>>,
    },
}

/// The kinds of job, in the order of [`Job::kind`], for the writer's timing log.
const JOB_KINDS: [&str; 6] = ["sign_in", "save", "event", "extra_time", "submit", "decide"];

impl Job {
    /// This job's index in [`JOB_KINDS`].
    fn kind(&self) -> usize {
        match self {
            Job::SignIn { .. } => 0,
            Job::Save { .. } => 1,
            Job::Event { .. } => 2,
            Job::ExtraTime { .. } => 3,
            Job::Submit { .. } => 4,
            Job::Decide { .. } => 5,
        }
    }
}

struct Stamped {
    at: DateTime<Utc>,
    job: Job,
}

/// A live attempt as the writer knows it.
#[derive(Clone)]
struct Live {
    person_id: Uuid,
    attempt_id: Uuid,
    deadline: DateTime<Utc>,
    opens_at: DateTime<Utc>,
    submitted: bool,
    versions: Arc<Vec<Uuid>>,
    last_seq: i64,
}

impl Live {
    fn of(
        attempt: &exam_attempt::Model,
        paper: &Paper,
        opens_at: DateTime<Utc>,
        last_seq: i64,
    ) -> Result<Live, StoreError> {
        Ok(Live {
            person_id: attempt.person_id,
            attempt_id: attempt.id,
            deadline: attempt.deadline_at,
            opens_at,
            submitted: attempt.submitted_at.is_some(),
            versions: Arc::new(paper_versions(paper)?),
            last_seq,
        })
    }
}

/// Immutable question versions, parsed once and shared by the writer and the paper reads:
/// at a synchronised start every examinee's paper is read at once, and parsing each of its
/// questions again per examinee was most of a paper read's work.
#[derive(Clone, Default)]
pub struct VersionCache {
    inner: Arc<RwLock<HashMap<Uuid, Arc<Question>>>>,
}

impl VersionCache {
    /// The question of `id` if it is cached.
    pub fn cached(&self, id: &Uuid) -> Option<Arc<Question>> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// The questions of `ids`, in order; a version that is not a theory question (or does
    /// not exist) is not found.
    pub async fn get_many(
        &self,
        db: &impl ConnectionTrait,
        ids: &[Uuid],
    ) -> Result<Vec<Arc<Question>>, StoreError> {
        let missing: Vec<Uuid> = {
            let map = self
                .inner
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            ids.iter()
                .filter(|id| !map.contains_key(id))
                .copied()
                .collect()
        };
        if !missing.is_empty() {
            let mut parsed = Vec::with_capacity(missing.len());
            for chunk in missing.chunks(500) {
                for row in question_version::Entity::find()
                    .filter(question_version::Column::Id.is_in(chunk.iter().copied()))
                    .all(db)
                    .await?
                {
                    if let Some(question) = codec::question_of(&row)? {
                        parsed.push((row.id, Arc::new(question)));
                    }
                }
            }
            let mut map = self
                .inner
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.extend(parsed);
        }
        let map = self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.iter()
            .map(|id| map.get(id).cloned().ok_or(StoreError::NotFound))
            .collect()
    }
}

/// The handle to the exam writer. Cheap to clone.
#[derive(Clone)]
pub struct ExamDesk {
    sender: mpsc::Sender<Stamped>,
    versions: VersionCache,
    store: Store,
    throttle: Arc<SignInThrottle>,
}

impl std::fmt::Debug for ExamDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExamDesk").finish_non_exhaustive()
    }
}

impl ExamDesk {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store) -> Self {
        Self::start_batching(store, BATCH)
    }

    /// The same with at most `batch` jobs a transaction (1: one transaction per save, the
    /// unbatched baseline of the load benchmark).
    pub fn start_batching(store: Store, batch: usize) -> Self {
        Self::start_with(store, batch, Limiting::On)
    }

    /// The same with the sign-in limits on or, for the benchmark's baseline only, off.
    pub fn start_with(store: Store, batch: usize, limiting: Limiting) -> Self {
        let (sender, receiver) = mpsc::channel(16_384);
        let versions = VersionCache::default();
        let throttle = Arc::new(SignInThrottle::limiting(limiting));
        let writer = Writer {
            store: store.clone(),
            throttle: throttle.clone(),
            live: HashMap::new(),
            by_attempt: HashMap::new(),
            versions: versions.clone(),
            pools: HashMap::new(),
            saves: HashMap::new(),
            batch: batch.clamp(1, BATCH),
        };
        tokio::spawn(writer.run(receiver));
        Self {
            sender,
            versions,
            store,
            throttle,
        }
    }

    async fn send<T>(
        &self,
        at: DateTime<Utc>,
        job: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> Job,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Stamped {
                at,
                job: job(reply),
            })
            .await
            .map_err(|_| {
                StoreError::Db(sea_orm::DbErr::Custom("the exam writer has stopped".into()))
            })?;
        answer.await.map_err(|_| {
            StoreError::Db(sea_orm::DbErr::Custom("the exam writer has stopped".into()))
        })?
    }

    /// Signs an examinee in at a session: ticket and ID number must match the archive.
    /// A wrong pair is counted against the ticket and the client (and logged, without the
    /// ID number); past the limits every try is answered [`SignInOutcome::Locked`]. Signing
    /// in again from the attempt's own device resumes it with the new token; from another
    /// device it waits for a proctor ([`SignInOutcome::Waiting`]).
    pub async fn sign_in(
        &self,
        attempt: SignInAttempt<'_>,
        seed: u64,
        now: DateTime<Utc>,
    ) -> Result<SignInOutcome, StoreError> {
        let ticket = attempt.ticket.trim().to_owned();
        // A locked ticket or address is answered without queueing (the writer checks again).
        if let Some(retry_after) =
            self.throttle
                .locked(attempt.session_id, &ticket, attempt.client, now)
        {
            locked_log(attempt.session_id, &ticket, attempt.client);
            return Ok(SignInOutcome::Locked { retry_after });
        }
        let (id_number, token_hash, device_hash) = (
            attempt.id_number.trim().to_owned(),
            token_hash(attempt.token),
            token_hash(attempt.device),
        );
        let client = attempt.client.unwrap_or("").to_owned();
        let session_id = attempt.session_id;
        self.send(now, |reply| Job::SignIn {
            session_id,
            ticket,
            id_number,
            token_hash,
            device_hash,
            client,
            seed,
            reply,
        })
        .await
    }

    /// Where the sign-in request with this waiting key stands (read only).
    pub async fn waiting(&self, key: &str) -> Result<WaitState, StoreError> {
        let db = self.store.connection();
        let hash = token_hash(key);
        let request = exam_sign_in_request::Entity::find()
            .filter(exam_sign_in_request::Column::KeyHash.eq(hash.as_str()))
            .one(db)
            .await?
            .ok_or_else(unknown_token)?;
        Ok(match request.status.as_str() {
            PENDING => WaitState::Pending,
            APPROVED => {
                let current =
                    exam_attempt::Entity::find_by_id((request.person_id, request.attempt_id))
                        .one(db)
                        .await?
                        .is_some_and(|a| a.token_hash == hash);
                if current {
                    WaitState::Approved
                } else {
                    // Approved once, replaced since by another device: an ended token.
                    return Err(unknown_token());
                }
            }
            _ => WaitState::Refused,
        })
    }

    /// A proctor approves or refuses a sign-in request of the session. Approval makes the
    /// request's waiting key the attempt's token (the other device's ends at once) and is
    /// ledgered with the attempt; both answers are events of its timeline.
    pub async fn decide(
        &self,
        actor: &Actor,
        request: &PendingSignIn,
        decision: Decision,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (session_id, person_id, request_id, attempt_id) = (
            request.session_id,
            request.person_id,
            request.id,
            request.attempt_id,
        );
        let by = actor.display_name.clone();
        self.send(now, |reply| Job::Decide {
            session_id,
            person_id,
            request_id,
            attempt_id,
            decision,
            by,
            reply,
        })
        .await
    }

    pub async fn save(
        &self,
        token: &str,
        seq: i64,
        position: u32,
        response: Response,
        now: DateTime<Utc>,
    ) -> Result<SaveAck, StoreError> {
        let token_hash = token_hash(token);
        self.send(now, |reply| Job::Save {
            token_hash,
            seq,
            position,
            response,
            reply,
        })
        .await
    }

    pub async fn event(
        &self,
        token: &str,
        event: PageEvent,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let token_hash = token_hash(token);
        self.send(now, |reply| Job::Event {
            token_hash,
            event,
            reply,
        })
        .await
    }

    pub async fn submit(&self, token: &str, now: DateTime<Utc>) -> Result<Graded, StoreError> {
        let target = Target::Token(token_hash(token));
        self.send(now, |reply| Job::Submit {
            target,
            reason: SubmitReason::Examinee,
            reply,
        })
        .await
    }

    /// A proctor ends someone's attempt (e.g. cheating), or the sweeper at the deadline.
    pub async fn submit_attempt(
        &self,
        person_id: Uuid,
        attempt_id: Uuid,
        reason: SubmitReason,
        now: DateTime<Utc>,
    ) -> Result<Graded, StoreError> {
        self.send(now, |reply| Job::Submit {
            target: Target::Attempt {
                person_id,
                attempt_id,
            },
            reason,
            reply,
        })
        .await
    }

    pub async fn extra_time(
        &self,
        actor: &Actor,
        person_id: Uuid,
        attempt_id: Uuid,
        minutes: u32,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        if !(1..=120).contains(&minutes) {
            return Err(refuse(
                "minutes",
                "延时须为 1–120 分钟",
                "Extra time must be 1–120 minutes",
            ));
        }
        let by = actor.display_name.clone();
        self.send(now, |reply| Job::ExtraTime {
            person_id,
            attempt_id,
            minutes,
            by,
            reply,
        })
        .await
    }

    /// Submits every attempt whose deadline and grace have passed, and marks people who
    /// never signed in to a closed session absent. Returns how many attempts it submitted.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due = exam_attempt::Entity::find()
            .filter(exam_attempt::Column::SubmittedAt.is_null())
            .filter(exam_attempt::Column::DeadlineAt.lt(now - GRACE))
            .all(self.store.connection())
            .await?;
        let mut submitted = 0;
        for attempt in due {
            match self
                .submit_attempt(attempt.person_id, attempt.id, SubmitReason::Timeout, now)
                .await
            {
                Ok(_) => submitted += 1,
                // Submitted meanwhile by the examinee: nothing to do.
                Err(StoreError::Invalid { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        super::registration::mark_absent(&self.store, now).await?;
        Ok(submitted)
    }

    /// The examinee's paper: questions in the order drawn (options shuffled as drawn), the
    /// latest answer to each, the server's time and the deadline.
    pub async fn paper(&self, token: &str, now: DateTime<Utc>) -> Result<PaperView, StoreError> {
        let db = self.store.connection();
        let attempt = exam_attempt::Entity::find()
            .filter(exam_attempt::Column::TokenHash.eq(token_hash(token)))
            .one(db)
            .await?
            .ok_or_else(unknown_token)?;
        self.paper_of(attempt, now, Keys::Hidden).await
    }

    /// The same view for a proctor or the archive (answers, no token), with the keys
    /// `keys` allows.
    pub async fn paper_of(
        &self,
        attempt: exam_attempt::Model,
        now: DateTime<Utc>,
        keys: Keys,
    ) -> Result<PaperView, StoreError> {
        let with_keys = match keys {
            Keys::Hidden => false,
            Keys::OnceHandedIn => attempt.submitted_at.is_some(),
            Keys::Shown => true,
        };
        let db = self.store.connection();
        let session = exam_session::Entity::find_by_id(attempt.session_id)
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let person = person::Entity::find_by_id(attempt.person_id)
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let paper = codec::paper_of(&attempt.paper)?;
        let ids: Vec<Uuid> = paper_versions(&paper)?;
        let started = now >= session.opens_at;
        let questions = if started || attempt.submitted_at.is_some() {
            self.versions.get_many(db, &ids).await?
        } else {
            Vec::new()
        };
        let (answers, last_seq) = latest_answers(db, attempt.person_id, attempt.id).await?;
        let mut items = Vec::with_capacity(questions.len());
        for (position, (item, question)) in paper.items.iter().zip(&questions).enumerate() {
            let options = question.body().options();
            let shown: Vec<(u8, String)> = if item.option_order.len() == options.len() {
                item.option_order
                    .iter()
                    .map(|&i| (i, options[usize::from(i)].text.clone()))
                    .collect()
            } else {
                options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (i as u8, o.text.clone()))
                    .collect()
            };
            let correct = with_keys.then(|| key_of(question));
            items.push(ShownItem {
                position: position as u32,
                kind: question.kind(),
                stem: question.stem().to_owned(),
                options: shown,
                points: item.points,
                answer: answers.get(&(position as u32)).cloned(),
                key: correct,
            });
        }
        Ok(PaperView {
            attempt_id: attempt.id,
            person_id: attempt.person_id,
            name: person.name,
            title: session.title,
            trade_code: session.trade_code,
            opens_at: session.opens_at,
            started,
            deadline: attempt.deadline_at,
            server_now: now,
            submitted_at: attempt.submitted_at,
            score: attempt.score,
            passed: attempt.passed,
            total: paper.total,
            pass_mark: paper.pass_mark,
            question_count: paper.items.len() as u32,
            items,
            last_seq,
        })
    }
}

/// The question versions a paper shows, in order.
fn paper_versions(paper: &Paper) -> Result<Vec<Uuid>, StoreError> {
    paper
        .items
        .iter()
        .map(|i| Uuid::parse_str(&i.question_id).map_err(|_| StoreError::NotFound))
        .collect()
}

fn key_of(question: &Question) -> Response {
    use anpei_domain::exam::QuestionBody;
    match question.body() {
        QuestionBody::Single { options } | QuestionBody::Multiple { options } => Response::Choices(
            options
                .iter()
                .enumerate()
                .filter(|(_, o)| o.correct)
                .map(|(i, _)| i as u8)
                .collect(),
        ),
        QuestionBody::TrueFalse { answer } => Response::TrueFalse(*answer),
        QuestionBody::FillIn { accepted } => Response::Text(accepted.join(" / ")),
    }
}

/// The latest answer per position (highest sequence) and the highest sequence stored.
pub async fn latest_answers(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    attempt_id: Uuid,
) -> Result<(HashMap<u32, Response>, i64), StoreError> {
    let rows = exam_answer::Entity::find()
        .filter(exam_answer::Column::PersonId.eq(person_id))
        .filter(exam_answer::Column::AttemptId.eq(attempt_id))
        .order_by_asc(exam_answer::Column::Seq)
        .all(db)
        .await?;
    let mut latest = HashMap::new();
    let mut last_seq = 0;
    for row in rows {
        last_seq = row.seq;
        latest.insert(row.position as u32, codec::response_of(&row.response)?);
    }
    Ok((latest, last_seq))
}

/// One question as the examinee sees it.
#[derive(Clone, Debug)]
pub struct ShownItem {
    pub position: u32,
    pub kind: anpei_domain::exam::QuestionKind,
    pub stem: String,
    /// (index of the stored option, text), in the order shown.
    pub options: Vec<(u8, String)>,
    pub points: u32,
    pub answer: Option<Response>,
    /// The right answer: only for reviewers, never for the examinee's page.
    pub key: Option<Response>,
}

#[derive(Clone, Debug)]
pub struct PaperView {
    pub attempt_id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub title: String,
    pub trade_code: String,
    pub opens_at: DateTime<Utc>,
    /// Whether the exam has begun (questions are shown only then).
    pub started: bool,
    pub deadline: DateTime<Utc>,
    pub server_now: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub score: Option<i32>,
    pub passed: Option<bool>,
    pub total: u32,
    pub pass_mark: u32,
    pub question_count: u32,
    pub items: Vec<ShownItem>,
    pub last_seq: i64,
}

struct Writer {
    store: Store,
    /// Wrong sign-ins, counted here, one job after another, so that a burst of guesses sent
    /// at once meets the limit as a slow series would.
    throttle: Arc<SignInThrottle>,
    live: HashMap<String, Live>,
    by_attempt: HashMap<Uuid, String>,
    /// Per live attempt, the sequence numbers stored and the fingerprint of what each holds,
    /// in order: a repeat is acknowledged, a different answer under a used number refused.
    /// 16 bytes a save; kept beside `Live` so that cloning a `Live` stays cheap.
    saves: HashMap<Uuid, Vec<(i64, u64)>>,
    versions: VersionCache,
    /// Question pools by blueprint, for drawing papers at sign-in.
    pools: HashMap<Uuid, Arc<Vec<anpei_domain::exam::PoolQuestion>>>,
    /// Most jobs a transaction.
    batch: usize,
}

/// Replies waiting for the commit.
enum Reply {
    SignIn(
        oneshot::Sender<Result<SignInOutcome, StoreError>>,
        SignInOutcome,
    ),
    Decided(oneshot::Sender<Result<(), StoreError>>),
    Save(oneshot::Sender<Result<SaveAck, StoreError>>, SaveAck),
    Event(oneshot::Sender<Result<(), StoreError>>),
    ExtraTime(
        oneshot::Sender<Result<DateTime<Utc>, StoreError>>,
        DateTime<Utc>,
    ),
    Submit(oneshot::Sender<Result<Graded, StoreError>>, Graded),
}

impl Reply {
    fn send_ok(self) {
        match self {
            Reply::SignIn(r, v) => drop(r.send(Ok(v))),
            Reply::Save(r, v) => drop(r.send(Ok(v))),
            Reply::Event(r) | Reply::Decided(r) => drop(r.send(Ok(()))),
            Reply::ExtraTime(r, v) => drop(r.send(Ok(v))),
            Reply::Submit(r, v) => drop(r.send(Ok(v))),
        }
    }

    fn send_err(self, message: &str) {
        let err = || StoreError::Db(sea_orm::DbErr::Custom(message.to_owned()));
        match self {
            Reply::SignIn(r, _) => drop(r.send(Err(err()))),
            Reply::Save(r, _) => drop(r.send(Err(err()))),
            Reply::Event(r) | Reply::Decided(r) => drop(r.send(Err(err()))),
            Reply::ExtraTime(r, _) => drop(r.send(Err(err()))),
            Reply::Submit(r, _) => drop(r.send(Err(err()))),
        }
    }
}

impl Writer {
    async fn run(mut self, mut receiver: mpsc::Receiver<Stamped>) {
        let mut pending: Vec<Stamped> = Vec::new();
        let mut incoming = Vec::with_capacity(self.batch);
        loop {
            if pending.is_empty() {
                if receiver.recv_many(&mut incoming, self.batch).await == 0 {
                    break;
                }
            } else {
                // Jobs held back from the last batch go first; add what has arrived since
                // without waiting for more.
                while incoming.len() < self.batch {
                    match receiver.try_recv() {
                        Ok(job) => incoming.push(job),
                        Err(_) => break,
                    }
                }
            }
            pending.append(&mut incoming);
            let (now, later) = split(
                std::mem::take(&mut pending),
                self.batch,
                GRADES_PER_BATCH,
                &self.by_attempt,
            );
            pending = later;
            self.write_batch(now).await;
        }
    }

    async fn write_batch(&mut self, jobs: Vec<Stamped>) {
        let Some(at) = jobs.iter().map(|j| j.at).max() else {
            return;
        };
        // Where a batch's time goes, for the save latency's tail (`ANPEI_LOG=anpei_store=debug`).
        let started = std::time::Instant::now();
        let size = jobs.len();
        let system = Actor::system("exam-desk");
        let tx = self.store.write(&system, at).await;
        let begun = started.elapsed();
        let mut tx = match tx {
            Ok(tx) => tx,
            Err(err) => {
                tracing::error!(error = %err, "exam writer could not begin");
                for job in jobs {
                    fail(job.job, "could not begin");
                }
                return;
            }
        };
        let mut replies: Vec<Reply> = Vec::with_capacity(jobs.len());
        let mut answers: Vec<exam_answer::Model> = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        let mut failed = None;
        // Time and count per kind of job: sign-in, save, event, extra time, submit.
        let mut spent = [(0u32, std::time::Duration::ZERO); JOB_KINDS.len()];
        for Stamped { at, job } in jobs {
            let kind = job.kind();
            let began = std::time::Instant::now();
            let result = self
                .apply(&mut tx, at, job, &mut answers, &mut touched, &mut replies)
                .await;
            spent[kind].0 += 1;
            spent[kind].1 += began.elapsed();
            if let Err(err) = result {
                failed = Some(err);
                break;
            }
        }
        if failed.is_none()
            && let Err(err) = flush(&mut tx, &mut answers).await
        {
            failed = Some(err);
        }
        let applied = started.elapsed();
        let outcome = match failed {
            Some(err) => Err(err),
            None => tx.commit().await.map(|_| ()),
        };
        let total = started.elapsed();
        if total > std::time::Duration::from_millis(100) {
            let kinds = JOB_KINDS
                .iter()
                .zip(spent)
                .filter(|(_, (count, _))| *count > 0)
                .map(|(name, (count, time))| format!("{name} {count} in {} ms", time.as_millis()))
                .collect::<Vec<_>>()
                .join(", ");
            tracing::info!(
                jobs = size,
                begin_ms = begun.as_millis() as u64,
                apply_ms = applied.as_millis() as u64,
                commit_ms = (total - applied).as_millis() as u64,
                kinds,
                "slow exam batch"
            );
        } else {
            tracing::debug!(
                jobs = size,
                apply_ms = applied.as_millis() as u64,
                commit_ms = (total - applied).as_millis() as u64,
                "exam batch"
            );
        }
        match outcome {
            Ok(()) => replies.into_iter().for_each(Reply::send_ok),
            Err(err) => {
                tracing::error!(error = %err, "exam writer batch failed; rolled back");
                // What the cache learnt in this batch may not be true: forget it.
                for hash in touched {
                    if let Some(live) = self.live.remove(&hash) {
                        self.by_attempt.remove(&live.attempt_id);
                        self.saves.remove(&live.attempt_id);
                    }
                }
                for reply in replies {
                    reply.send_err("the answer could not be stored; send it again");
                }
            }
        }
    }

    /// Applies one job inside the batch's transaction. A refusal is answered at once and
    /// leaves the batch going; a database error fails the batch.
    async fn apply(
        &mut self,
        tx: &mut crate::WriteTx,
        at: DateTime<Utc>,
        job: Job,
        answers: &mut Vec<exam_answer::Model>,
        touched: &mut Vec<String>,
        replies: &mut Vec<Reply>,
    ) -> Result<(), StoreError> {
        match job {
            Job::Save {
                token_hash,
                seq,
                position,
                response,
                reply,
            } => {
                let live = match self.live_by_token(tx, &token_hash).await? {
                    Some(live) => live,
                    None => {
                        let _ = reply.send(Err(unknown_token()));
                        return Ok(());
                    }
                };
                if let Err(refusal) = self
                    .check_save(tx, &live, at, seq, position, &response)
                    .await?
                {
                    let _ = reply.send(Err(refusal));
                    return Ok(());
                }
                let response_json = codec::response_json(&response);
                let print = fingerprint(position, &response_json);
                if seq <= live.last_seq {
                    let stored = self.saves.get(&live.attempt_id).and_then(|saves| {
                        saves
                            .binary_search_by_key(&seq, |(s, _)| *s)
                            .ok()
                            .map(|i| saves[i].1)
                    });
                    if stored == Some(print) {
                        replies.push(Reply::Save(
                            reply,
                            SaveAck {
                                seq,
                                repeated: true,
                            },
                        ));
                    } else {
                        // Another tab or device used this number for another answer (or
                        // the number was skipped and is behind now): storing it would be
                        // out of order, acknowledging it as a repeat would lose it.
                        let _ = reply.send(Err(StoreError::Conflict {
                            constraint: SEQ_TAKEN.to_owned(),
                        }));
                    }
                    return Ok(());
                }
                if seq > live.last_seq + MAX_SEQ_JUMP {
                    let _ = reply.send(Err(refuse(
                        "seq",
                        &format!(
                            "序号 {seq} 超出已保存的最大序号 {} 太多（最多超出 {MAX_SEQ_JUMP}）",
                            live.last_seq
                        ),
                        &format!(
                            "Sequence {seq} is too far beyond the last stored one, {} (at most {MAX_SEQ_JUMP} ahead)",
                            live.last_seq
                        ),
                    )));
                    return Ok(());
                }
                let model = exam_answer::Model {
                    person_id: live.person_id,
                    id: Uuid::now_v7(),
                    attempt_id: live.attempt_id,
                    seq,
                    position: position as i32,
                    response: response_json,
                    saved_at: crate::ledger::truncate_micros(at),
                };
                tx.record(Change::of(
                    "exam.answer",
                    LedgerKey::ExamAnswer {
                        person_id: model.person_id,
                        id: model.id,
                    },
                    &model,
                ));
                answers.push(model);
                if let Some(live) = self.live.get_mut(&token_hash) {
                    live.last_seq = seq;
                }
                self.saves
                    .entry(live.attempt_id)
                    .or_default()
                    .push((seq, print));
                touched.push(token_hash);
                replies.push(Reply::Save(
                    reply,
                    SaveAck {
                        seq,
                        repeated: false,
                    },
                ));
            }
            Job::Event {
                token_hash,
                event,
                reply,
            } => {
                let Some(live) = self.live_by_token(tx, &token_hash).await? else {
                    let _ = reply.send(Err(unknown_token()));
                    return Ok(());
                };
                record_event(tx, live.person_id, live.attempt_id, event.code(), "", at).await?;
                replies.push(Reply::Event(reply));
            }
            Job::SignIn {
                session_id,
                ticket,
                id_number,
                token_hash,
                device_hash,
                client,
                seed,
                reply,
            } => {
                let address = (!client.is_empty()).then_some(client.as_str());
                if let Some(retry_after) = self.throttle.locked(session_id, &ticket, address, at) {
                    locked_log(session_id, &ticket, address);
                    let _ = reply.send(Ok(SignInOutcome::Locked { retry_after }));
                    return Ok(());
                }
                let credentials = Credentials {
                    ticket: &ticket,
                    id_number: &id_number,
                    token_hash: &token_hash,
                    device_hash: &device_hash,
                    client: &client,
                };
                match self.sign_in(tx, at, session_id, credentials, seed).await? {
                    Ok(outcome) => {
                        self.throttle.succeeded(session_id, &ticket);
                        touched.push(token_hash);
                        replies.push(Reply::SignIn(reply, outcome));
                    }
                    Err(refusal) => {
                        if matches!(&refusal, StoreError::Invalid { field, .. } if field == MISMATCH_FIELD)
                        {
                            let locked = self.throttle.failed(session_id, &ticket, address, at);
                            // Ticket and session, never the ID number.
                            tracing::warn!(
                                session = %session_id,
                                ticket = %ticket,
                                client = address.unwrap_or("-"),
                                locked_for_s = locked.map(|d| d.num_seconds()),
                                "exam sign-in failed: ticket and ID number do not match"
                            );
                        }
                        let _ = reply.send(Err(refusal));
                    }
                }
            }
            Job::Decide {
                session_id,
                person_id,
                request_id,
                attempt_id,
                decision,
                by,
                reply,
            } => match self
                .decide(
                    tx,
                    at,
                    (session_id, person_id, request_id, attempt_id),
                    decision,
                    &by,
                )
                .await?
            {
                Ok(old_token) => {
                    touched.extend(old_token);
                    replies.push(Reply::Decided(reply));
                }
                Err(refusal) => {
                    let _ = reply.send(Err(refusal));
                }
            },
            Job::ExtraTime {
                person_id,
                attempt_id,
                minutes,
                by,
                reply,
            } => {
                let Some(attempt) = exam_attempt::Entity::find_by_id((person_id, attempt_id))
                    .one(tx.conn())
                    .await?
                else {
                    let _ = reply.send(Err(StoreError::NotFound));
                    return Ok(());
                };
                if attempt.submitted_at.is_some() {
                    let _ = reply.send(Err(refuse(
                        "attempt",
                        "该考生已交卷",
                        "The attempt is already submitted",
                    )));
                    return Ok(());
                }
                let deadline = attempt.deadline_at + Duration::minutes(i64::from(minutes));
                let model = exam_attempt::Model {
                    deadline_at: deadline,
                    updated_at: tx.at(),
                    ..attempt
                };
                save_attempt(tx, &model, "exam.extra_time").await?;
                record_event(
                    tx,
                    person_id,
                    attempt_id,
                    "extra_time",
                    &format!("+{minutes} min by {by}"),
                    at,
                )
                .await?;
                if let Some(hash) = self.by_attempt.get(&attempt_id).cloned() {
                    if let Some(live) = self.live.get_mut(&hash) {
                        live.deadline = deadline;
                    }
                    touched.push(hash);
                }
                replies.push(Reply::ExtraTime(reply, deadline));
            }
            Job::Submit {
                target,
                reason,
                reply,
            } => {
                // Answers of this batch go in first, so grading sees them.
                flush(tx, answers).await?;
                let attempt = match &target {
                    Target::Token(hash) => {
                        exam_attempt::Entity::find()
                            .filter(exam_attempt::Column::TokenHash.eq(hash.as_str()))
                            .one(tx.conn())
                            .await?
                    }
                    Target::Attempt {
                        person_id,
                        attempt_id,
                    } => {
                        exam_attempt::Entity::find_by_id((*person_id, *attempt_id))
                            .one(tx.conn())
                            .await?
                    }
                };
                let Some(attempt) = attempt else {
                    let _ = reply.send(Err(match target {
                        Target::Token(_) => unknown_token(),
                        Target::Attempt { .. } => StoreError::NotFound,
                    }));
                    return Ok(());
                };
                if attempt.submitted_at.is_some() {
                    let _ = reply.send(Err(refuse(
                        "attempt",
                        "试卷已提交",
                        "The paper was already submitted",
                    )));
                    return Ok(());
                }
                let graded = self.grade(tx, attempt, reason, at).await?;
                if let Target::Token(hash) = &target {
                    touched.push(hash.clone());
                }
                replies.push(Reply::Submit(reply, graded));
            }
        }
        Ok(())
    }

    async fn live_by_token(
        &mut self,
        tx: &crate::WriteTx,
        token_hash: &str,
    ) -> Result<Option<Live>, StoreError> {
        if let Some(live) = self.live.get(token_hash) {
            return Ok(Some(live.clone()));
        }
        let Some(attempt) = exam_attempt::Entity::find()
            .filter(exam_attempt::Column::TokenHash.eq(token_hash))
            .one(tx.conn())
            .await?
        else {
            return Ok(None);
        };
        let session = exam_session::Entity::find_by_id(attempt.session_id)
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let saves: Vec<(i64, u64)> = exam_answer::Entity::find()
            .filter(exam_answer::Column::PersonId.eq(attempt.person_id))
            .filter(exam_answer::Column::AttemptId.eq(attempt.id))
            .order_by_asc(exam_answer::Column::Seq)
            .all(tx.conn())
            .await?
            .into_iter()
            .map(|row| (row.seq, fingerprint(row.position as u32, &row.response)))
            .collect();
        let last_seq = saves.last().map_or(0, |(seq, _)| *seq);
        let paper = codec::paper_of(&attempt.paper)?;
        let live = Live::of(&attempt, &paper, session.opens_at, last_seq)?;
        self.saves.insert(attempt.id, saves);
        self.remember(token_hash, live.clone());
        Ok(Some(live))
    }

    /// Caches `live` under its token; a token the attempt had before is forgotten.
    fn remember(&mut self, token_hash: &str, live: Live) {
        if let Some(old) = self
            .by_attempt
            .insert(live.attempt_id, token_hash.to_owned())
            && old != token_hash
        {
            self.live.remove(&old);
        }
        self.live.insert(token_hash.to_owned(), live);
    }

    async fn check_save(
        &mut self,
        tx: &crate::WriteTx,
        live: &Live,
        at: DateTime<Utc>,
        seq: i64,
        position: u32,
        response: &Response,
    ) -> Result<Result<(), StoreError>, StoreError> {
        if live.submitted {
            return Ok(Err(refuse(
                "attempt",
                "试卷已提交，不能再作答",
                "The paper is submitted; no more answers",
            )));
        }
        if at < live.opens_at {
            return Ok(Err(refuse(
                "attempt",
                "考试尚未开始",
                "The exam has not started",
            )));
        }
        if at > live.deadline + GRACE {
            return Ok(Err(refuse("attempt", "考试时间已到", "Time is up")));
        }
        if seq < 1 {
            return Ok(Err(refuse(
                "seq",
                "序号须从 1 开始",
                "The sequence starts at 1",
            )));
        }
        if position as usize >= live.versions.len() {
            return Ok(Err(refuse("position", "没有这道题", "No such question")));
        }
        // Cached once the paper was read; otherwise the whole paper's questions are read.
        let question = match self.versions.cached(&live.versions[position as usize]) {
            Some(question) => question,
            None => match self.versions.get_many(tx.conn(), &live.versions).await {
                Ok(all) => all
                    .get(position as usize)
                    .cloned()
                    .ok_or(StoreError::NotFound)?,
                Err(StoreError::NotFound) => return Ok(Err(StoreError::NotFound)),
                Err(err) => return Err(err),
            },
        };
        if let Err(err) = question.check_response(response) {
            return Ok(Err(StoreError::invalid("response", &err)));
        }
        Ok(Ok(()))
    }

    async fn sign_in(
        &mut self,
        tx: &mut crate::WriteTx,
        at: DateTime<Utc>,
        session_id: Uuid,
        credentials: Credentials<'_>,
        seed: u64,
    ) -> Result<Result<SignInOutcome, StoreError>, StoreError> {
        let Credentials {
            ticket,
            id_number,
            token_hash,
            device_hash,
            client,
        } = credentials;
        let mismatch = || {
            refuse(
                MISMATCH_FIELD,
                "准考证号或身份证号不正确",
                "Ticket or ID number is not right",
            )
        };
        let Ok(id) = anpei_domain::IdNumber::parse(id_number) else {
            return Ok(Err(mismatch()));
        };
        let Some(identity) = person_identity::Entity::find_by_id(id.as_str().to_owned())
            .one(tx.conn())
            .await?
        else {
            return Ok(Err(mismatch()));
        };
        let Some(registration) = exam_registration::Entity::find()
            .filter(exam_registration::Column::Ticket.eq(ticket))
            .filter(exam_registration::Column::PersonId.eq(identity.person_id))
            .filter(exam_registration::Column::SessionId.eq(session_id))
            .one(tx.conn())
            .await?
        else {
            return Ok(Err(mismatch()));
        };
        let session = exam_session::Entity::find_by_id(session_id)
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        if session.part != anpei_domain::exam::ExamPart::Theory.code() {
            return Ok(Err(refuse(
                "session",
                "实际操作考试不在机上作答",
                "A practical exam is not taken on screen",
            )));
        }
        if at < session.opens_at - ENTRY {
            return Ok(Err(refuse(
                "session",
                "尚未到入场时间（开考前 30 分钟）",
                "Entry opens 30 minutes before the start",
            )));
        }
        if at >= session.closes_at {
            return Ok(Err(refuse(
                "session",
                "本场考试已结束",
                "This session has ended",
            )));
        }
        let existing = exam_attempt::Entity::find()
            .filter(exam_attempt::Column::PersonId.eq(identity.person_id))
            .filter(exam_attempt::Column::RegistrationId.eq(registration.id))
            .one(tx.conn())
            .await?;
        if let Some(attempt) = existing {
            if attempt.submitted_at.is_some() {
                return Ok(Err(refuse(
                    "ticket",
                    "本场考试已交卷",
                    "Already submitted in this session",
                )));
            }
            if attempt.device_hash.as_deref() == Some(device_hash) {
                // The same device (a cleared cookie, a restarted server): the new token
                // replaces the old one, which only this device held.
                let model = exam_attempt::Model {
                    token_hash: token_hash.to_owned(),
                    updated_at: tx.at(),
                    ..attempt
                };
                save_attempt(tx, &model, "exam.sign_in_again").await?;
                record_event(
                    tx,
                    model.person_id,
                    model.id,
                    "sign_in_again",
                    "same device",
                    at,
                )
                .await?;
                self.forget(model.id);
                return Ok(Ok(SignInOutcome::Admitted(SignedIn {
                    person_id: model.person_id,
                    attempt_id: model.id,
                    resumed: true,
                })));
            }
            // Another device: it waits for a proctor; the first device keeps working.
            return self
                .request_sign_in(tx, at, &attempt, token_hash, device_hash, client)
                .await;
        }
        // One active attempt per person, anywhere.
        let active = exam_attempt::Entity::find()
            .filter(exam_attempt::Column::PersonId.eq(identity.person_id))
            .filter(exam_attempt::Column::SubmittedAt.is_null())
            .one(tx.conn())
            .await?;
        if active.is_some() {
            return Ok(Err(refuse(
                "ticket",
                "此人另有一场考试正在进行",
                "This person has another exam in progress",
            )));
        }
        let blueprint_row = exam_blueprint::Entity::find_by_id(session.blueprint_id)
            .one(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let blueprint = super::sessions::blueprint_of(&blueprint_row)?;
        let pool = match self.pools.get(&blueprint_row.id) {
            Some(pool) => pool.clone(),
            None => {
                let pool =
                    Arc::new(super::sessions::pool(tx.conn(), &blueprint_row.trade_code).await?);
                self.pools.insert(blueprint_row.id, pool.clone());
                pool
            }
        };
        let paper: Paper = match blueprint.draw(&pool, seed) {
            Ok(paper) => paper,
            Err(_) => {
                // The bank changed since the pool was read: read it again once.
                let fresh =
                    Arc::new(super::sessions::pool(tx.conn(), &blueprint_row.trade_code).await?);
                self.pools.insert(blueprint_row.id, fresh.clone());
                match blueprint.draw(&fresh, seed) {
                    Ok(paper) => paper,
                    Err(_) => {
                        return Ok(Err(refuse(
                            "session",
                            "题库不足以为本场组卷，请联系考务",
                            "The bank cannot fill this paper; call the exam office",
                        )));
                    }
                }
            }
        };
        let start = if at > session.opens_at {
            at
        } else {
            session.opens_at
        };
        let end = start + Duration::minutes(i64::from(session.duration_minutes));
        let deadline = if end < session.closes_at {
            end
        } else {
            session.closes_at
        } + Duration::minutes(i64::from(registration.extra_minutes));
        let attempt = exam_attempt::Model {
            person_id: identity.person_id,
            id: Uuid::now_v7(),
            registration_id: registration.id,
            session_id,
            seed: seed as i64,
            paper: codec::paper_json(&paper),
            token_hash: token_hash.to_owned(),
            device_hash: Some(device_hash.to_owned()),
            started_at: crate::ledger::truncate_micros(start),
            deadline_at: crate::ledger::truncate_micros(deadline),
            submitted_at: None,
            submit_reason: None,
            score: None,
            passed: None,
            created_at: tx.at(),
            updated_at: tx.at(),
        };
        exam_attempt::Entity::insert(exam_attempt::ActiveModel::from(attempt.clone()))
            .exec(tx.conn())
            .await?;
        tx.record(Change::of(
            "exam.start",
            LedgerKey::ExamAttempt {
                person_id: attempt.person_id,
                id: attempt.id,
            },
            &attempt,
        ));
        let registration = exam_registration::Model {
            status: SIGNED_IN.to_owned(),
            signed_in_at: Some(tx.at()),
            updated_at: tx.at(),
            ..registration
        };
        save_registration(tx, &registration, "exam.sign_in").await?;
        record_event(
            tx,
            attempt.person_id,
            attempt.id,
            "sign_in",
            &format!("seat {}", registration.seat_no),
            at,
        )
        .await?;
        // The first saves find the attempt here instead of reading it back (a rolled-back
        // batch forgets it again: the token is in the batch's `touched`).
        let live = Live::of(&attempt, &paper, session.opens_at, 0)?;
        self.saves.insert(attempt.id, Vec::new());
        self.remember(token_hash, live);
        Ok(Ok(SignInOutcome::Admitted(SignedIn {
            person_id: attempt.person_id,
            attempt_id: attempt.id,
            resumed: false,
        })))
    }

    /// Forgets the cached state of an attempt whose token changed; the next job of the
    /// new token reads it again.
    fn forget(&mut self, attempt_id: Uuid) {
        if let Some(old) = self.by_attempt.remove(&attempt_id) {
            self.live.remove(&old);
        }
        self.saves.remove(&attempt_id);
    }

    /// Parks a sign-in from another device for a proctor.
    async fn request_sign_in(
        &mut self,
        tx: &mut crate::WriteTx,
        at: DateTime<Utc>,
        attempt: &exam_attempt::Model,
        key_hash: &str,
        device_hash: &str,
        client: &str,
    ) -> Result<Result<SignInOutcome, StoreError>, StoreError> {
        use sea_orm::PaginatorTrait;
        let waiting = || {
            exam_sign_in_request::Entity::find()
                .filter(exam_sign_in_request::Column::PersonId.eq(attempt.person_id))
                .filter(exam_sign_in_request::Column::AttemptId.eq(attempt.id))
                .filter(exam_sign_in_request::Column::Status.eq(PENDING))
        };
        // The same device asking again replaces its earlier request.
        for earlier in waiting()
            .filter(exam_sign_in_request::Column::DeviceHash.eq(device_hash))
            .all(tx.conn())
            .await?
        {
            exam_sign_in_request::Entity::update(exam_sign_in_request::ActiveModel {
                status: sea_orm::Set(REPLACED.to_owned()),
                decided_at: sea_orm::Set(Some(tx.at())),
                ..exam_sign_in_request::ActiveModel::from(earlier)
            })
            .exec(tx.conn())
            .await?;
        }
        if waiting().count(tx.conn()).await? >= PENDING_PER_ATTEMPT {
            return Ok(Err(refuse(
                "ticket",
                "已有多个签到请求等待监考员确认，请联系监考员",
                "Several sign-ins already wait for the proctor; ask the proctor",
            )));
        }
        let request = exam_sign_in_request::Model {
            person_id: attempt.person_id,
            id: Uuid::now_v7(),
            session_id: attempt.session_id,
            attempt_id: attempt.id,
            key_hash: key_hash.to_owned(),
            device_hash: device_hash.to_owned(),
            client: client.chars().take(64).collect(),
            status: PENDING.to_owned(),
            requested_at: crate::ledger::truncate_micros(at),
            decided_at: None,
            decided_by: None,
        };
        exam_sign_in_request::Entity::insert(exam_sign_in_request::ActiveModel::from(
            request.clone(),
        ))
        .exec(tx.conn())
        .await?;
        record_event(
            tx,
            attempt.person_id,
            attempt.id,
            "sign_in_request",
            &format!("request {}", request.id),
            at,
        )
        .await?;
        Ok(Ok(SignInOutcome::Waiting {
            request_id: request.id,
            attempt_id: attempt.id,
        }))
    }

    /// A proctor's decision on a request; on approval, returns the token hash the attempt
    /// had (its cache entry is forgotten, and so is it on a rollback).
    async fn decide(
        &mut self,
        tx: &mut crate::WriteTx,
        at: DateTime<Utc>,
        (session_id, person_id, request_id, attempt_id): (Uuid, Uuid, Uuid, Uuid),
        decision: Decision,
        by: &str,
    ) -> Result<Result<Option<String>, StoreError>, StoreError> {
        let Some(request) = exam_sign_in_request::Entity::find_by_id((person_id, request_id))
            .one(tx.conn())
            .await?
            .filter(|r| r.session_id == session_id && r.attempt_id == attempt_id)
        else {
            return Ok(Err(StoreError::NotFound));
        };
        if request.status != PENDING {
            return Ok(Err(refuse(
                "request",
                "该签到请求已处理",
                "This sign-in request was already answered",
            )));
        }
        let Some(attempt) = exam_attempt::Entity::find_by_id((person_id, attempt_id))
            .one(tx.conn())
            .await?
        else {
            return Ok(Err(StoreError::NotFound));
        };
        let (status, kind) = match decision {
            Decision::Approve if attempt.submitted_at.is_some() => {
                return Ok(Err(refuse(
                    "request",
                    "该考生已交卷，不能再签到",
                    "The paper is handed in; no more sign-ins",
                )));
            }
            Decision::Approve => (APPROVED, "sign_in_again"),
            Decision::Reject => (REJECTED, "sign_in_rejected"),
        };
        exam_sign_in_request::Entity::update(exam_sign_in_request::ActiveModel {
            status: sea_orm::Set(status.to_owned()),
            decided_at: sea_orm::Set(Some(tx.at())),
            decided_by: sea_orm::Set(Some(by.to_owned())),
            ..exam_sign_in_request::ActiveModel::from(request.clone())
        })
        .exec(tx.conn())
        .await?;
        let detail = match decision {
            Decision::Approve => format!("request {} approved by {by}", request.id),
            Decision::Reject => format!("request {} refused by {by}", request.id),
        };
        record_event(tx, person_id, attempt_id, kind, &detail, at).await?;
        if decision == Decision::Reject {
            return Ok(Ok(None));
        }
        let old = attempt.token_hash.clone();
        let model = exam_attempt::Model {
            token_hash: request.key_hash.clone(),
            device_hash: Some(request.device_hash.clone()),
            updated_at: tx.at(),
            ..attempt
        };
        save_attempt(tx, &model, "exam.sign_in_approved").await?;
        self.forget(attempt_id);
        Ok(Ok(Some(old)))
    }

    async fn grade(
        &mut self,
        tx: &mut crate::WriteTx,
        attempt: exam_attempt::Model,
        reason: SubmitReason,
        at: DateTime<Utc>,
    ) -> Result<Graded, StoreError> {
        let paper = codec::paper_of(&attempt.paper)?;
        let ids: Vec<Uuid> = paper_versions(&paper)?;
        let questions = self.versions.get_many(tx.conn(), &ids).await?;
        let refs: Vec<&Question> = questions.iter().map(Arc::as_ref).collect();
        let (latest, _) = latest_answers(tx.conn(), attempt.person_id, attempt.id).await?;
        let responses: Vec<Option<Response>> = (0..paper.items.len() as u32)
            .map(|p| latest.get(&p).cloned())
            .collect();
        let grade = TheoryGrade::mark(&paper, &refs, &responses);
        let model = exam_attempt::Model {
            submitted_at: Some(crate::ledger::truncate_micros(at)),
            submit_reason: Some(reason.code().to_owned()),
            score: Some(grade.score as i32),
            passed: Some(grade.passed),
            updated_at: tx.at(),
            ..attempt
        };
        save_attempt(tx, &model, "exam.submit").await?;
        record_event(tx, model.person_id, model.id, "submit", reason.code(), at).await?;
        if let Some(registration) =
            exam_registration::Entity::find_by_id((model.person_id, model.registration_id))
                .one(tx.conn())
                .await?
        {
            let registration = exam_registration::Model {
                status: FINISHED.to_owned(),
                updated_at: tx.at(),
                ..registration
            };
            save_registration(tx, &registration, "exam.finish").await?;
        }
        if let Some(hash) = self.by_attempt.get(&model.id).cloned()
            && let Some(live) = self.live.get_mut(&hash)
        {
            live.submitted = true;
        }
        // A handed-in paper takes no more saves (refused before any number is looked at).
        self.saves.remove(&model.id);
        let certificate = if grade.passed {
            let session = exam_session::Entity::find_by_id(model.session_id)
                .one(tx.conn())
                .await?
                .ok_or(StoreError::NotFound)?;
            super::practical::issue_if_complete(
                tx,
                model.person_id,
                &session.trade_code,
                session.site_id,
                at,
            )
            .await?
        } else {
            None
        };
        Ok(Graded {
            score: grade.score,
            total: grade.total,
            passed: grade.passed,
            answered: grade.answered,
            questions: paper.items.len() as u32,
            certificate,
        })
    }
}

/// Cuts the jobs in hand into this batch and the ones held for the next. Grading a
/// hand-in reads and writes a whole paper, so a batch grades at most
/// `grades_per_batch` ([`GRADES_PER_BATCH`]): when a whole room hands in at once, answers still being
/// given are not kept waiting behind every paper. An attempt's jobs stay in order: once
/// one is held, its later jobs are held too.
fn split(
    jobs: Vec<Stamped>,
    batch: usize,
    grades_per_batch: usize,
    by_attempt: &HashMap<Uuid, String>,
) -> (Vec<Stamped>, Vec<Stamped>) {
    let mut now = Vec::with_capacity(jobs.len().min(batch));
    let mut later = Vec::new();
    let mut held: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut grades = 0;
    for stamped in jobs {
        let key = match &stamped.job {
            Job::Save { token_hash, .. } | Job::Event { token_hash, .. } => {
                Some(token_hash.clone())
            }
            Job::Submit {
                target: Target::Token(hash),
                ..
            } => Some(hash.clone()),
            Job::Submit {
                target: Target::Attempt { attempt_id, .. },
                ..
            }
            | Job::ExtraTime { attempt_id, .. }
            | Job::Decide { attempt_id, .. } => by_attempt.get(attempt_id).cloned(),
            Job::SignIn { .. } => None,
        };
        let is_grade = matches!(stamped.job, Job::Submit { .. });
        let hold = now.len() >= batch
            || key.as_ref().is_some_and(|key| held.contains(key))
            || (is_grade && grades >= grades_per_batch);
        if hold {
            if let Some(key) = key {
                held.insert(key);
            }
            later.push(stamped);
        } else {
            grades += usize::from(is_grade);
            now.push(stamped);
        }
    }
    (now, later)
}

fn fail(job: Job, message: &str) {
    let err = || StoreError::Db(sea_orm::DbErr::Custom(message.to_owned()));
    match job {
        Job::SignIn { reply, .. } => drop(reply.send(Err(err()))),
        Job::Save { reply, .. } => drop(reply.send(Err(err()))),
        Job::Event { reply, .. } | Job::Decide { reply, .. } => drop(reply.send(Err(err()))),
        Job::ExtraTime { reply, .. } => drop(reply.send(Err(err()))),
        Job::Submit { reply, .. } => drop(reply.send(Err(err()))),
    }
}

async fn flush(
    tx: &mut crate::WriteTx,
    answers: &mut Vec<exam_answer::Model>,
) -> Result<(), StoreError> {
    if answers.is_empty() {
        return Ok(());
    }
    use crate::dialect::{Sql, insert_packed, timestamp_text};
    const COLUMNS: [(&str, Sql); 7] = [
        ("person_id", Sql::Uuid),
        ("id", Sql::Uuid),
        ("attempt_id", Sql::Uuid),
        ("seq", Sql::BigInt),
        ("position", Sql::BigInt),
        ("response", Sql::Text),
        ("saved_at", Sql::Timestamp),
    ];
    // One statement for the batch's answers (see `insert_packed`).
    let rows: Vec<_> = answers
        .iter()
        .map(|a| {
            (
                a.person_id,
                a.id,
                a.attempt_id,
                a.seq,
                a.position,
                a.response.as_str(),
                timestamp_text(a.saved_at),
            )
        })
        .collect();
    insert_packed(tx.conn(), "exam_answers", &COLUMNS, &rows).await?;
    answers.clear();
    Ok(())
}

async fn save_attempt(
    tx: &mut crate::WriteTx,
    model: &exam_attempt::Model,
    action: &'static str,
) -> Result<(), StoreError> {
    exam_attempt::Entity::update(exam_attempt::ActiveModel::from(model.clone()).reset_all())
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        action,
        LedgerKey::ExamAttempt {
            person_id: model.person_id,
            id: model.id,
        },
        model,
    ));
    Ok(())
}

pub(crate) async fn save_registration(
    tx: &mut crate::WriteTx,
    model: &exam_registration::Model,
    action: &'static str,
) -> Result<(), StoreError> {
    exam_registration::Entity::update(
        exam_registration::ActiveModel::from(model.clone()).reset_all(),
    )
    .exec(tx.conn())
    .await?;
    tx.record(Change::of(
        action,
        LedgerKey::ExamRegistration {
            person_id: model.person_id,
            id: model.id,
        },
        model,
    ));
    Ok(())
}

async fn record_event(
    tx: &mut crate::WriteTx,
    person_id: Uuid,
    attempt_id: Uuid,
    kind: &str,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let model = exam_event::Model {
        person_id,
        id: Uuid::now_v7(),
        attempt_id,
        kind: kind.to_owned(),
        at: crate::ledger::truncate_micros(at),
        detail: detail.to_owned(),
    };
    exam_event::Entity::insert(exam_event::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "exam.event",
        LedgerKey::ExamEvent {
            person_id,
            id: model.id,
        },
        &model,
    ));
    Ok(())
}

fn locked_log(session_id: Uuid, ticket: &str, client: Option<&str>) {
    tracing::warn!(
        session = %session_id,
        ticket = %ticket,
        client = client.unwrap_or("-"),
        "exam sign-in refused: locked after too many wrong tries"
    );
}

/// What the writer's sign-in checks, borrowed from its job.
struct Credentials<'a> {
    ticket: &'a str,
    id_number: &'a str,
    token_hash: &'a str,
    device_hash: &'a str,
    client: &'a str,
}

/// A sign-in waiting for a proctor, as the console lists it.
#[derive(Clone, Debug)]
pub struct PendingSignIn {
    pub id: Uuid,
    pub session_id: Uuid,
    pub person_id: Uuid,
    pub attempt_id: Uuid,
    pub requested_at: DateTime<Utc>,
    /// The address it came from, when known.
    pub client: String,
}

impl From<exam_sign_in_request::Model> for PendingSignIn {
    fn from(r: exam_sign_in_request::Model) -> Self {
        PendingSignIn {
            id: r.id,
            session_id: r.session_id,
            person_id: r.person_id,
            attempt_id: r.attempt_id,
            requested_at: r.requested_at,
            client: r.client,
        }
    }
}

/// The sign-ins of a session waiting for a proctor, oldest first.
pub async fn pending_sign_ins(
    db: &impl ConnectionTrait,
    session_id: Uuid,
) -> Result<Vec<PendingSignIn>, StoreError> {
    Ok(exam_sign_in_request::Entity::find()
        .filter(exam_sign_in_request::Column::SessionId.eq(session_id))
        .filter(exam_sign_in_request::Column::Status.eq(PENDING))
        .order_by_asc(exam_sign_in_request::Column::RequestedAt)
        .all(db)
        .await?
        .into_iter()
        .map(PendingSignIn::from)
        .collect())
}

/// One waiting sign-in of the session, for a proctor's decision.
pub async fn pending_sign_in(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    person_id: Uuid,
    request_id: Uuid,
) -> Result<PendingSignIn, StoreError> {
    exam_sign_in_request::Entity::find_by_id((person_id, request_id))
        .one(db)
        .await?
        .filter(|r| r.session_id == session_id)
        .map(PendingSignIn::from)
        .ok_or(StoreError::NotFound)
}

/// An attempt's timeline: answers and events in order (for proctors and the archive).
pub async fn timeline(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    attempt_id: Uuid,
) -> Result<Vec<(DateTime<Utc>, String, String)>, StoreError> {
    let mut out: Vec<(DateTime<Utc>, String, String)> = exam_event::Entity::find()
        .filter(exam_event::Column::PersonId.eq(person_id))
        .filter(exam_event::Column::AttemptId.eq(attempt_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.at, e.kind, e.detail))
        .collect();
    for answer in exam_answer::Entity::find()
        .filter(exam_answer::Column::PersonId.eq(person_id))
        .filter(exam_answer::Column::AttemptId.eq(attempt_id))
        .all(db)
        .await?
    {
        out.push((
            answer.saved_at,
            "answer".to_owned(),
            format!("#{} → {}", answer.position + 1, answer.response),
        ));
    }
    out.sort_by_key(|entry| entry.0);
    Ok(out)
}

/// Where an exam site is, for certificates issued on its results.
pub(crate) async fn site_region(
    db: &impl ConnectionTrait,
    site_id: Uuid,
) -> Result<String, StoreError> {
    Ok(exam_site::Entity::find_by_id(site_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?
        .region_code)
}

/// An attempt, if it belongs to the session.
pub async fn attempt_in_session(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    person_id: Uuid,
    attempt_id: Uuid,
) -> Result<exam_attempt::Model, StoreError> {
    exam_attempt::Entity::find_by_id((person_id, attempt_id))
        .one(db)
        .await?
        .filter(|a| a.session_id == session_id)
        .ok_or(StoreError::NotFound)
}

/// Where each examinee of a session stands, by registration.
#[derive(Clone, Debug)]
pub struct Progress {
    pub attempt_id: Uuid,
    pub answered: u32,
    pub questions: u32,
    pub deadline: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub leaves: u32,
    /// Reconnects and sign-ins on another device.
    pub reconnects: u32,
    pub score: Option<i32>,
    pub passed: Option<bool>,
}

pub async fn session_progress(
    db: &impl ConnectionTrait,
    session_id: Uuid,
) -> Result<HashMap<Uuid, Progress>, StoreError> {
    use sea_orm::{FromQueryResult, QuerySelect};
    let attempts = exam_attempt::Entity::find()
        .filter(exam_attempt::Column::SessionId.eq(session_id))
        .all(db)
        .await?;
    #[derive(FromQueryResult)]
    struct Answered {
        attempt_id: Uuid,
        position: i32,
    }
    let mut answered: HashMap<Uuid, std::collections::HashSet<i32>> = HashMap::new();
    let mut leaves: HashMap<Uuid, u32> = HashMap::new();
    let mut reconnects: HashMap<Uuid, u32> = HashMap::new();
    for chunk in attempts.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|a| a.id).collect();
        let rows = exam_answer::Entity::find()
            .select_only()
            .column(exam_answer::Column::AttemptId)
            .column(exam_answer::Column::Position)
            .filter(exam_answer::Column::AttemptId.is_in(ids.clone()))
            .distinct()
            .into_model::<Answered>()
            .all(db)
            .await?;
        for row in rows {
            answered
                .entry(row.attempt_id)
                .or_default()
                .insert(row.position);
        }
        for event in exam_event::Entity::find()
            .filter(exam_event::Column::AttemptId.is_in(ids))
            .filter(exam_event::Column::Kind.is_in([
                PageEvent::Leave.code(),
                PageEvent::Reconnect.code(),
                "sign_in_again",
            ]))
            .all(db)
            .await?
        {
            let counter = if event.kind == PageEvent::Leave.code() {
                &mut leaves
            } else {
                &mut reconnects
            };
            *counter.entry(event.attempt_id).or_default() += 1;
        }
    }
    let mut out = HashMap::new();
    for a in attempts {
        let questions = codec::paper_of(&a.paper)
            .map(|p| p.items.len() as u32)
            .unwrap_or(0);
        out.insert(
            a.registration_id,
            Progress {
                attempt_id: a.id,
                answered: answered.get(&a.id).map_or(0, |s| s.len() as u32),
                questions,
                deadline: a.deadline_at,
                submitted_at: a.submitted_at,
                leaves: leaves.get(&a.id).copied().unwrap_or(0),
                reconnects: reconnects.get(&a.id).copied().unwrap_or(0),
                score: a.score,
                passed: a.passed,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn save(token: &str, seq: i64) -> Stamped {
        let (reply, _) = oneshot::channel();
        Stamped {
            at: DateTime::UNIX_EPOCH,
            job: Job::Save {
                token_hash: token.to_owned(),
                seq,
                position: 0,
                response: Response::TrueFalse(true),
                reply,
            },
        }
    }

    fn submit(token: &str) -> Stamped {
        let (reply, _) = oneshot::channel();
        Stamped {
            at: DateTime::UNIX_EPOCH,
            job: Job::Submit {
                target: Target::Token(token.to_owned()),
                reason: SubmitReason::Examinee,
                reply,
            },
        }
    }

    fn sweep(attempt_id: Uuid) -> Stamped {
        let (reply, _) = oneshot::channel();
        Stamped {
            at: DateTime::UNIX_EPOCH,
            job: Job::Submit {
                target: Target::Attempt {
                    person_id: Uuid::nil(),
                    attempt_id,
                },
                reason: SubmitReason::Timeout,
                reply,
            },
        }
    }

    /// Which jobs a batch takes, as `kind:token:seq` (submits without a sequence).
    fn names(jobs: &[Stamped]) -> Vec<String> {
        jobs.iter()
            .map(|s| match &s.job {
                Job::Save {
                    token_hash, seq, ..
                } => format!("save:{token_hash}:{seq}"),
                Job::Submit {
                    target: Target::Token(hash),
                    ..
                } => format!("submit:{hash}"),
                Job::Submit { .. } => "sweep".to_owned(),
                _ => "other".to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_batch_grades_at_most_its_share_and_keeps_each_attempt_in_order() {
        let jobs = vec![
            submit("a"),
            save("x", 1),
            submit("b"),
            save("b", 9),
            save("y", 1),
            submit("c"),
        ];
        let (now, later) = split(jobs, 1024, 1, &HashMap::new());
        // One grade now; b's hand-in waits, and so does b's save sent after it.
        assert_eq!(names(&now), ["submit:a", "save:x:1", "save:y:1"]);
        assert_eq!(names(&later), ["submit:b", "save:b:9", "submit:c"]);
        let (now, later) = split(later, 1024, 1, &HashMap::new());
        assert_eq!(names(&now), ["submit:b", "save:b:9"]);
        assert_eq!(names(&later), ["submit:c"]);
    }

    #[test]
    fn a_held_sweep_holds_the_attempts_later_saves_and_the_batch_has_a_size() {
        let attempt = Uuid::now_v7();
        let by_attempt = HashMap::from([(attempt, "t".to_owned())]);
        let jobs = vec![submit("a"), sweep(attempt), save("t", 3), save("u", 1)];
        let (now, later) = split(jobs, 1024, 1, &by_attempt);
        assert_eq!(names(&now), ["submit:a", "save:u:1"]);
        assert_eq!(names(&later), ["sweep", "save:t:3"]);

        let jobs = vec![save("a", 1), save("b", 1), save("c", 1)];
        let (now, later) = split(jobs, 2, 16, &HashMap::new());
        assert_eq!(names(&now), ["save:a:1", "save:b:1"]);
        assert_eq!(names(&later), ["save:c:1"]);
    }
}
