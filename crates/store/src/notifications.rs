//! Notifications (SPEC C5 follow-up, issue 3 item 8): in-app notices to workers (their own
//! certificates due for review or expiring, assessments and training due, anything broken)
//! and a weekly digest to each enterprise (people in violation, due soon, off post), each
//! also queued in `notification_outbox` for an SMS or WeChat gateway to deliver.
//!
//! Why derived from the verdict table: the people to notify are the rows with a violation or
//! something due within [`HORIZON_DAYS`]; their findings give the words. Each notice has a
//! dedupe key (person, rule, verdict, due date — or enterprise and ISO week), so the daily
//! run never repeats itself and a new due date notifies again.
//!
//! The outbox holds no phone numbers: a gateway resolves the recipient's contact through its
//! own authorised lookup, so personal data stays in the archive tables.

use std::collections::{HashMap, HashSet};

use anpei_domain::rules::{Evidence, Finding, Verdict, evaluate_person};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, EntityTrait, QueryResult};
use uuid::Uuid;

use crate::access::{Actor, Scope};
use crate::compliance::{person_facts, rule_set};
use crate::{Store, StoreError};

/// Something due within this many days is worth a notice.
pub const HORIZON_DAYS: i64 = 30;

/// One notice as its recipient sees it.
#[derive(Clone, Debug)]
pub struct Notice {
    pub id: Uuid,
    pub kind: String,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    pub link: String,
    pub due_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// What one run created.
#[derive(Clone, Copy, Debug, Default)]
pub struct GenerateReport {
    pub people_checked: u64,
    pub notices: u64,
    pub outbox: u64,
}

struct Draft {
    recipient_kind: &'static str,
    recipient_id: Uuid,
    person_id: Option<Uuid>,
    kind: String,
    dedupe_key: String,
    title: (String, String),
    body: (String, String),
    link: String,
    due_on: Option<NaiveDate>,
    channel: &'static str,
}

fn due_of(finding: &Finding) -> Option<NaiveDate> {
    finding.evidence.iter().find_map(|e| match e {
        Evidence::DueOn { date } => Some(*date),
        _ => None,
    })
}

/// A worker's notice for one finding that needs action.
fn person_draft(person: Uuid, finding: &Finding) -> Draft {
    let due = due_of(finding);
    let (title_zh, title_en) = match finding.verdict {
        Verdict::Violation => (
            format!("不合规：{}", finding.rule.name_zh()),
            format!("Violation: {}", finding.rule.name_en()),
        ),
        _ => (
            format!("即将到期：{}", finding.rule.name_zh()),
            format!("Due soon: {}", finding.rule.name_en()),
        ),
    };
    Draft {
        recipient_kind: "person",
        recipient_id: person,
        person_id: Some(person),
        kind: finding.rule.code().to_owned(),
        dedupe_key: format!(
            "p:{person}:{}:{}:{}",
            finding.rule.code(),
            finding.verdict.code(),
            due.map(|d| d.to_string()).unwrap_or_default()
        ),
        title: (title_zh, title_en),
        body: (finding.reason_zh.clone(), finding.reason_en.clone()),
        link: format!("/persons/{person}#compliance"),
        due_on: due,
        channel: "sms",
    }
}

/// Per enterprise: people in violation, due soon, off post.
#[derive(Default)]
struct Digest {
    violation: u64,
    due_soon: u64,
    off_post: u64,
    first_due: Option<NaiveDate>,
}

fn enterprise_draft(enterprise: Uuid, digest: &Digest, today: NaiveDate) -> Draft {
    let week = today.iso_week();
    let Digest {
        violation,
        due_soon,
        off_post,
        first_due,
    } = digest;
    Draft {
        recipient_kind: "enterprise",
        recipient_id: enterprise,
        person_id: None,
        kind: "weekly_digest".to_owned(),
        dedupe_key: format!("e:{enterprise}:{}-W{:02}", week.year(), week.week()),
        title: (
            "本周合规提醒".to_owned(),
            "This week's compliance reminder".to_owned(),
        ),
        body: (
            format!(
                "在岗人员中 {violation} 人存在违规，{due_soon} 人有事项将在 {HORIZON_DAYS} 天内到期，{off_post} 人离岗中。请在“合规检查”中查看原因并处理。"
            ),
            format!(
                "Of the staff in post, {violation} break a rule, {due_soon} have something due within {HORIZON_DAYS} days and {off_post} are off post. See Compliance for the reasons."
            ),
        ),
        link: format!("/enterprises/{enterprise}/compliance"),
        due_on: *first_due,
        channel: "wechat",
    }
}

/// People with a violation or something due within the horizon, with their enterprise.
async fn people_to_notify(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    let horizon = today + chrono::Duration::days(HORIZON_DAYS);
    let mut select = Query::select();
    select
        .columns(["person_id", "enterprise_id"])
        .from("person_verdicts")
        .and_where(Expr::col("enterprise_id").is_not_null())
        .and_where(
            Expr::col("worst").eq(2).or(Expr::col("next_due")
                .gte(today)
                .and(Expr::col("next_due").lte(horizon))),
        )
        .order_by("person_id", Order::Asc);
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("", "person_id")?,
                row.try_get("", "enterprise_id")?,
            ))
        })
        .collect()
}

async fn existing_keys(
    db: &impl ConnectionTrait,
    keys: &[String],
) -> Result<HashSet<String>, StoreError> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(500) {
        let mut select = Query::select();
        select
            .column("dedupe_key")
            .from("notifications")
            .and_where(Expr::col("dedupe_key").is_in(chunk.iter().cloned()));
        for row in db.query_all(&select).await? {
            found.insert(row.try_get::<String>("", "dedupe_key")?);
        }
    }
    Ok(found)
}

async fn insert(
    db: &impl ConnectionTrait,
    drafts: Vec<Draft>,
    at: DateTime<Utc>,
) -> Result<(u64, u64), StoreError> {
    // One notice a key: two findings of one rule (say, training and assessment under rule 1)
    // share it, and their reasons are joined.
    let mut merged: Vec<Draft> = Vec::with_capacity(drafts.len());
    let mut at_key: HashMap<String, usize> = HashMap::new();
    for draft in drafts {
        match at_key.get(&draft.dedupe_key) {
            Some(&index) => {
                let kept = &mut merged[index];
                kept.body.0 = format!("{}；{}", kept.body.0, draft.body.0);
                kept.body.1 = format!("{}; {}", kept.body.1, draft.body.1);
            }
            None => {
                at_key.insert(draft.dedupe_key.clone(), merged.len());
                merged.push(draft);
            }
        }
    }
    let drafts = merged;
    let keys: Vec<String> = drafts.iter().map(|d| d.dedupe_key.clone()).collect();
    let existing = existing_keys(db, &keys).await?;
    let fresh: Vec<Draft> = drafts
        .into_iter()
        .filter(|d| !existing.contains(&d.dedupe_key))
        .collect();
    let custom = |e: sea_orm::sea_query::error::Error| sea_orm::DbErr::Custom(e.to_string());
    for chunk in fresh.chunks(200) {
        let mut notices = Query::insert();
        notices.into_table("notifications").columns([
            "id",
            "recipient_kind",
            "recipient_id",
            "person_id",
            "kind",
            "dedupe_key",
            "title_zh",
            "title_en",
            "body_zh",
            "body_en",
            "link",
            "due_on",
            "created_at",
        ]);
        let mut outbox = Query::insert();
        outbox.into_table("notification_outbox").columns([
            "id",
            "notification_id",
            "channel",
            "recipient_kind",
            "recipient_id",
            "created_at",
            "attempts",
        ]);
        for draft in chunk {
            let id = Uuid::now_v7();
            let values: Vec<SimpleExpr> = vec![
                id.into(),
                draft.recipient_kind.into(),
                draft.recipient_id.into(),
                draft.person_id.into(),
                draft.kind.clone().into(),
                draft.dedupe_key.clone().into(),
                draft.title.0.clone().into(),
                draft.title.1.clone().into(),
                draft.body.0.clone().into(),
                draft.body.1.clone().into(),
                draft.link.clone().into(),
                draft.due_on.into(),
                at.into(),
            ];
            notices.values(values).map_err(custom)?;
            let values: Vec<SimpleExpr> = vec![
                Uuid::now_v7().into(),
                id.into(),
                draft.channel.into(),
                draft.recipient_kind.into(),
                draft.recipient_id.into(),
                at.into(),
                0i32.into(),
            ];
            outbox.values(values).map_err(custom)?;
        }
        db.execute(&notices).await?;
        db.execute(&outbox).await?;
    }
    let count = fresh.len() as u64;
    Ok((count, count))
}

/// Creates today's notices (run daily after the full evaluation; safe to repeat).
pub async fn generate(
    store: &Store,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<GenerateReport, StoreError> {
    let tx = store.write(&Actor::system("notifications"), now).await?;
    let db = tx.conn();
    let people = people_to_notify(db, today).await?;
    let mut report = GenerateReport {
        people_checked: people.len() as u64,
        ..GenerateReport::default()
    };
    let mut digests: HashMap<Uuid, Digest> = HashMap::new();
    for chunk in people.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|(p, _)| *p).collect();
        let facts = person_facts(db, &ids).await?;
        let mut drafts = Vec::new();
        for (person, enterprise) in chunk {
            let Some(facts) = facts.get(person) else {
                continue;
            };
            let findings = evaluate_person(facts, rule_set(), today);
            let digest = digests.entry(*enterprise).or_default();
            let worst = findings.iter().map(|f| f.verdict).max();
            match worst {
                Some(Verdict::Violation) => digest.violation += 1,
                Some(Verdict::DueSoon) => digest.due_soon += 1,
                _ => {}
            }
            if facts.off_post_on(today).is_some() {
                digest.off_post += 1;
            }
            for finding in findings.iter().filter(|f| f.verdict != Verdict::Compliant) {
                if let Some(due) = due_of(finding).filter(|d| *d >= today) {
                    digest.first_due = Some(digest.first_due.map_or(due, |d| Ord::min(d, due)));
                }
                drafts.push(person_draft(*person, finding));
            }
        }
        let (notices, outbox) = insert(db, drafts, tx.at()).await?;
        report.notices += notices;
        report.outbox += outbox;
    }
    let drafts: Vec<Draft> = digests
        .iter()
        .filter(|(_, d)| d.violation + d.due_soon + d.off_post > 0)
        .map(|(enterprise, digest)| enterprise_draft(*enterprise, digest, today))
        .collect();
    let (notices, outbox) = insert(db, drafts, tx.at()).await?;
    report.notices += notices;
    report.outbox += outbox;
    tx.commit().await?;
    Ok(report)
}

/// Tells each person already on record that an enterprise has recorded them as its staff
/// (issue 13, item 7): the enterprise now sees their certificates, training and
/// assessments, so the person learns who does. In the hire's own transaction; one notice
/// per employment. `hires` are (person, employment) pairs.
pub(crate) async fn hired(
    db: &impl ConnectionTrait,
    enterprise_id: Uuid,
    hires: &[(Uuid, Uuid)],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if hires.is_empty() {
        return Ok(());
    }
    let name = crate::entity::enterprise::Entity::find_by_id(enterprise_id)
        .one(db)
        .await?
        .map(|e| e.name)
        .unwrap_or_default();
    let drafts = hires
        .iter()
        .map(|(person, employment)| Draft {
            recipient_kind: "person",
            recipient_id: *person,
            person_id: Some(*person),
            kind: "hired".to_owned(),
            dedupe_key: format!("hired:{person}:{employment}"),
            title: (
                format!("{name} 已将您登记为在职人员"),
                format!("{name} has recorded you as its staff"),
            ),
            body: (
                format!(
                    "{name} 现在可以查看您的证书、培训和考核记录（合规所需），看不到您在其他单位的内部记录。如非本人知情，请联系当地应急管理部门。"
                ),
                format!(
                    "{name} can now see your certificates, training and assessments (what compliance needs), not other employers' internal records. If you did not expect this, contact your local emergency-management bureau."
                ),
            ),
            link: format!("/persons/{person}"),
            due_on: None,
            channel: "sms",
        })
        .collect();
    insert(db, drafts, at).await?;
    Ok(())
}

/// Whom the actor receives notices as.
fn recipient(actor: &Actor) -> Result<Uuid, StoreError> {
    match actor.scope {
        Scope::Person(id) | Scope::Enterprise(id) => Ok(id),
        _ => Err(StoreError::Forbidden),
    }
}

fn read_notice(row: &QueryResult) -> Result<Notice, StoreError> {
    let read_at: Option<DateTime<Utc>> = row.try_get("", "read_at")?;
    Ok(Notice {
        id: row.try_get("", "id")?,
        kind: row.try_get("", "kind")?,
        title_zh: row.try_get("", "title_zh")?,
        title_en: row.try_get("", "title_en")?,
        body_zh: row.try_get("", "body_zh")?,
        body_en: row.try_get("", "body_en")?,
        link: row.try_get("", "link")?,
        due_on: row.try_get("", "due_on")?,
        created_at: row.try_get("", "created_at")?,
        read: read_at.is_some(),
    })
}

/// The actor's own notices, newest first (unread only when asked).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    unread_only: bool,
    limit: u64,
) -> Result<Vec<Notice>, StoreError> {
    let me = recipient(actor)?;
    let mut select = Query::select();
    select
        .columns([
            "id",
            "kind",
            "title_zh",
            "title_en",
            "body_zh",
            "body_en",
            "link",
            "due_on",
            "created_at",
            "read_at",
        ])
        .from("notifications")
        .and_where(Expr::col("recipient_id").eq(me))
        .order_by("created_at", Order::Desc)
        .order_by("id", Order::Desc)
        .limit(limit);
    if unread_only {
        select.and_where(Expr::col("read_at").is_null());
    }
    db.query_all(&select)
        .await?
        .iter()
        .map(read_notice)
        .collect()
}

/// Marks one of the actor's notices read; someone else's is not found.
pub async fn mark_read(
    store: &Store,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let me = recipient(actor)?;
    let tx = store.write(actor, now).await?;
    let mut update = Query::update();
    update
        .table("notifications")
        .value("read_at", tx.at())
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("recipient_id").eq(me));
    let result = tx.conn().execute(&update).await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// One message waiting for the gateway.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub channel: String,
    pub recipient_kind: String,
    pub recipient_id: Uuid,
    pub title_zh: String,
    pub body_zh: String,
    pub created_at: DateTime<Utc>,
}

/// Messages not yet delivered, oldest first (what a gateway polls).
pub async fn pending(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut select = Query::select();
    select
        .expr_as(Expr::col(("notification_outbox", "id")), "id")
        .expr_as(Expr::col(("notification_outbox", "channel")), "channel")
        .expr_as(
            Expr::col(("notification_outbox", "recipient_kind")),
            "recipient_kind",
        )
        .expr_as(
            Expr::col(("notification_outbox", "recipient_id")),
            "recipient_id",
        )
        .expr_as(Expr::col(("notifications", "title_zh")), "title_zh")
        .expr_as(Expr::col(("notifications", "body_zh")), "body_zh")
        .expr_as(
            Expr::col(("notification_outbox", "created_at")),
            "created_at",
        )
        .from("notification_outbox")
        .inner_join(
            "notifications",
            Expr::col(("notifications", "id")).equals(("notification_outbox", "notification_id")),
        )
        .and_where(Expr::col(("notification_outbox", "delivered_at")).is_null())
        .order_by(("notification_outbox", "created_at"), Order::Asc)
        .limit(limit);
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| {
            Ok(OutboxMessage {
                id: row.try_get("", "id")?,
                channel: row.try_get("", "channel")?,
                recipient_kind: row.try_get("", "recipient_kind")?,
                recipient_id: row.try_get("", "recipient_id")?,
                title_zh: row.try_get("", "title_zh")?,
                body_zh: row.try_get("", "body_zh")?,
                created_at: row.try_get("", "created_at")?,
            })
        })
        .collect()
}

/// Records a gateway's delivery.
pub async fn delivered(store: &Store, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
    let tx = store.write(&Actor::system("gateway"), now).await?;
    let mut update = Query::update();
    update
        .table("notification_outbox")
        .value("delivered_at", tx.at())
        .value("attempts", Expr::col("attempts").add(1))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("delivered_at").is_null());
    if tx.conn().execute(&update).await?.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
