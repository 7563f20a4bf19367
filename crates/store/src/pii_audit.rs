//! Full identity numbers are shown only on purpose, and every time one is seen or exported a
//! row in `pii_access_log` says who saw whose, how and when (issue 13, item 7; PIPL Art. 51
//! asks for such records of sensitive personal information). Pages and exports show the
//! masked number otherwise.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::access::{PersonRead, Scope};
use crate::entity::{person, pii_access};
use crate::{Actor, StoreError};

/// How a full number was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiAccess {
    /// A regulator or employer opened one person's full number deliberately.
    PersonOpened,
    /// A person exported their own signed archive (which carries their full number).
    ArchiveExport,
    /// An enterprise exported its own staff's roster with full numbers.
    RosterExport,
}

impl PiiAccess {
    pub fn code(self) -> &'static str {
        match self {
            PiiAccess::PersonOpened => "person_opened",
            PiiAccess::ArchiveExport => "archive_export",
            PiiAccess::RosterExport => "roster_export",
        }
    }
}

/// Appends one audit row (and a log line that names no number).
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    access: PiiAccess,
    person_id: Option<Uuid>,
    enterprise_id: Option<Uuid>,
    people: u64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    pii_access::Entity::insert(pii_access::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(crate::ledger::truncate_micros(now)),
        actor: Set(actor.account_id.map_or_else(
            || format!("system:{}", actor.display_name),
            |id| id.to_string(),
        )),
        actor_name: Set(actor.display_name.clone()),
        action: Set(access.code().to_owned()),
        person_id: Set(person_id),
        enterprise_id: Set(enterprise_id),
        people: Set(i64::try_from(people).unwrap_or(i64::MAX)),
    })
    .exec(db)
    .await?;
    tracing::info!(
        target: "anpei::audit",
        action = access.code(),
        actor = %actor.display_name,
        person = ?person_id,
        enterprise = ?enterprise_id,
        people,
        "full ID numbers seen"
    );
    Ok(())
}

/// Whether `actor` may open full numbers of the people it can read at all.
pub fn may_open_id_number(actor: &Actor) -> bool {
    matches!(
        actor.scope,
        Scope::Person(_)
            | Scope::Enterprise(_)
            | Scope::City(_)
            | Scope::County(_)
            | Scope::Province
    )
}

/// One person's full ID number, opened deliberately by a reader who may: the person, their
/// current employer, or a regulator whose jurisdiction they are in (the `PersonRead` says
/// they are visible). The HR bureau and institutions see masked numbers only. Audited.
pub async fn open_id_number(
    db: &impl ConnectionTrait,
    actor: &Actor,
    access: PersonRead,
    now: DateTime<Utc>,
) -> Result<anpei_domain::IdNumber, StoreError> {
    if !may_open_id_number(actor) {
        return Err(StoreError::Forbidden);
    }
    let row = person::Entity::find_by_id(access.person_id())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let id_number = anpei_domain::IdNumber::parse(&row.id_number).map_err(|_| {
        StoreError::Db(sea_orm::DbErr::Custom(
            "a stored ID number does not parse".to_owned(),
        ))
    })?;
    record(
        db,
        actor,
        PiiAccess::PersonOpened,
        Some(row.id),
        access.employer(),
        1,
        now,
    )
    .await?;
    Ok(id_number)
}
