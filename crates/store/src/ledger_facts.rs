//! The compliance facts that the enterprise ledgers provide (SPEC C4 → C5): apprenticeships
//! and whether an apprentice works alone (rule 6), periods off post and process changes
//! (rule 3; rule 1 reads a period off post opened by a failed assessment). Loaded for a
//! list or a range of people in a fixed number of queries, into facts the caller has started.
//!
//! Why a file of its own: `compliance.rs` loads the archive's facts and runs the rules;
//! this is the part that belongs to the ledgers, called from there in one line.

use std::collections::HashMap;

use anpei_domain::rules::{Apprenticeship, PersonFacts, ProcessChange};
use anpei_domain::{Period, ProcessChangeKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::StoreError;
use crate::compliance::Who;
use crate::entity::{
    apprenticeship, off_post_period, person, process_change, process_change_person,
};

/// Adds the ledgers' facts of `who` to `facts`.
pub(crate) async fn load(
    db: &impl ConnectionTrait,
    who: Who<'_>,
    facts: &mut HashMap<Uuid, PersonFacts>,
) -> Result<(), StoreError> {
    let apprenticeships = apprenticeship::Entity::find()
        .filter(who.on(apprenticeship::Column::PersonId))
        .all(db)
        .await?;
    if !apprenticeships.is_empty() {
        let mut mentor_ids: Vec<Uuid> = apprenticeships.iter().map(|a| a.mentor_id).collect();
        mentor_ids.sort_unstable();
        mentor_ids.dedup();
        let mut mentors: HashMap<Uuid, String> = HashMap::new();
        for ids in mentor_ids.chunks(500) {
            for row in person::Entity::find()
                .filter(person::Column::Id.is_in(ids.iter().copied()))
                .all(db)
                .await?
            {
                mentors.insert(row.id, row.name);
            }
        }
        // Rule 6 judges the latest apprenticeship (by graduation); whether the person works
        // alone is what the enterprise recorded on that one.
        let mut latest: HashMap<Uuid, (chrono::NaiveDate, bool)> = HashMap::new();
        for row in &apprenticeships {
            let Some(entry) = facts.get_mut(&row.person_id) else {
                continue;
            };
            // The planned day stands until the actual graduation (出徒) is recorded.
            let graduates_on = row.graduated_on.unwrap_or(row.planned_graduation_on);
            entry.apprenticeships.push(Apprenticeship {
                starts_on: row.started_on,
                graduates_on,
                mentor: mentors.get(&row.mentor_id).cloned().unwrap_or_default(),
            });
            let slot = latest
                .entry(row.person_id)
                .or_insert((graduates_on, row.works_alone));
            if graduates_on > slot.0 {
                *slot = (graduates_on, row.works_alone);
            }
        }
        for (person_id, (_, works_alone)) in latest {
            if let Some(entry) = facts.get_mut(&person_id) {
                entry.is_independent_post = works_alone;
            }
        }
    }
    for row in off_post_period::Entity::find()
        .filter(who.on(off_post_period::Column::PersonId))
        .all(db)
        .await?
    {
        let (Some(entry), Ok(period)) = (
            facts.get_mut(&row.person_id),
            Period::new(row.starts_on, row.ends_on),
        ) else {
            continue;
        };
        entry.off_post.push(period);
    }
    let links = process_change_person::Entity::find()
        .filter(who.on(process_change_person::Column::PersonId))
        .all(db)
        .await?;
    if !links.is_empty() {
        let mut enterprises: Vec<Uuid> = links.iter().map(|l| l.enterprise_id).collect();
        enterprises.sort_unstable();
        enterprises.dedup();
        let mut change_ids: Vec<Uuid> = links.iter().map(|l| l.change_id).collect();
        change_ids.sort_unstable();
        change_ids.dedup();
        let mut changes: HashMap<Uuid, process_change::Model> = HashMap::new();
        for ids in change_ids.chunks(500) {
            // The enterprise ids first: the key's leading column finds the rows.
            for row in process_change::Entity::find()
                .filter(process_change::Column::EnterpriseId.is_in(enterprises.iter().copied()))
                .filter(process_change::Column::Id.is_in(ids.iter().copied()))
                .all(db)
                .await?
            {
                changes.insert(row.id, row);
            }
        }
        for link in links {
            let (Some(entry), Some(change)) =
                (facts.get_mut(&link.person_id), changes.get(&link.change_id))
            else {
                continue;
            };
            let kind = ProcessChangeKind::parse(&change.kind)
                .map(ProcessChangeKind::name_zh)
                .unwrap_or("");
            entry.process_changes.push(ProcessChange {
                on: change.changed_on,
                description: format!("{kind}：{}", change.description),
            });
        }
    }
    Ok(())
}
