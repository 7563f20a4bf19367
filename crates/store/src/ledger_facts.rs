//! The compliance facts that the enterprise ledgers provide (SPEC C4 → C5): apprenticeships
//! and whether an apprentice works alone (rule 6), periods off post and process changes
//! (rule 3; rule 1 reads a period off post opened by a failed assessment). Loaded for a
//! list or a range of people in three queries, into facts the caller has started.
//!
//! Why a file of its own: `compliance.rs` loads the archive's facts and runs the rules;
//! this is the part that belongs to the ledgers, called from there in one line.

use std::collections::HashMap;

use anpei_domain::rules::{Apprenticeship, PersonFacts, ProcessChange};
use anpei_domain::{Period, ProcessChangeKind};
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use uuid::Uuid;

use crate::StoreError;
use crate::compliance::Who;
use crate::dialect::Packed::{Uuid as Id, Value};
use crate::dialect::{Flag, packed_rows};

/// Adds the ledgers' facts of `who` to `facts`, in three packed queries.
pub(crate) async fn load(
    db: &impl ConnectionTrait,
    who: Who<'_>,
    facts: &mut HashMap<Uuid, PersonFacts>,
) -> Result<(), StoreError> {
    // Apprenticeships with their mentor's name.
    let mut select = Query::select();
    select
        .from(Alias::new("apprenticeships"))
        .join_as(
            JoinType::LeftJoin,
            Alias::new("persons"),
            Alias::new("mentor"),
            Expr::col((Alias::new("mentor"), Alias::new("id")))
                .equals((Alias::new("apprenticeships"), Alias::new("mentor_id"))),
        )
        .and_where(who.on(Alias::new("apprenticeships"), "person_id"));
    type ApprenticeshipRow = (
        Uuid,
        NaiveDate,
        NaiveDate,
        Option<NaiveDate>,
        Flag,
        Option<String>,
    );
    let apprenticeships: Vec<ApprenticeshipRow> = packed_rows(
        db,
        select,
        &[
            Id("apprenticeships.person_id"),
            Value("apprenticeships.started_on"),
            Value("apprenticeships.planned_graduation_on"),
            Value("apprenticeships.graduated_on"),
            Value("apprenticeships.works_alone"),
            Value("mentor.name"),
        ],
    )
    .await?;
    // Rule 6 judges the latest apprenticeship (by graduation); whether the person works
    // alone is what the enterprise recorded on that one.
    let mut latest: HashMap<Uuid, (NaiveDate, bool)> = HashMap::new();
    for (person, starts_on, planned, graduated, works_alone, mentor) in apprenticeships {
        let Some(entry) = facts.get_mut(&person) else {
            continue;
        };
        // The planned day stands until the actual graduation (出徒) is recorded.
        let graduates_on = graduated.unwrap_or(planned);
        entry.apprenticeships.push(Apprenticeship {
            starts_on,
            graduates_on,
            mentor: mentor.unwrap_or_default(),
        });
        let slot = latest
            .entry(person)
            .or_insert((graduates_on, works_alone.0));
        if graduates_on > slot.0 {
            *slot = (graduates_on, works_alone.0);
        }
    }
    for (person, (_, works_alone)) in latest {
        if let Some(entry) = facts.get_mut(&person) {
            entry.is_independent_post = works_alone;
        }
    }

    let mut select = Query::select();
    select
        .from(Alias::new("off_post_periods"))
        .and_where(who.on(Alias::new("off_post_periods"), "person_id"));
    let periods: Vec<(Uuid, NaiveDate, Option<NaiveDate>)> = packed_rows(
        db,
        select,
        &[Id("person_id"), Value("starts_on"), Value("ends_on")],
    )
    .await?;
    for (person, starts_on, ends_on) in periods {
        let (Some(entry), Ok(period)) = (facts.get_mut(&person), Period::new(starts_on, ends_on))
        else {
            continue;
        };
        entry.off_post.push(period);
    }

    // Process changes through the people they affected (the change's key leads with the
    // enterprise).
    let mut select = Query::select();
    select
        .from(Alias::new("process_change_people"))
        .inner_join(
            Alias::new("process_changes"),
            Expr::col((Alias::new("process_changes"), Alias::new("enterprise_id")))
                .equals((
                    Alias::new("process_change_people"),
                    Alias::new("enterprise_id"),
                ))
                .and(
                    Expr::col((Alias::new("process_changes"), Alias::new("id")))
                        .equals((Alias::new("process_change_people"), Alias::new("change_id"))),
                ),
        )
        .and_where(who.on(Alias::new("process_change_people"), "person_id"));
    let changes: Vec<(Uuid, NaiveDate, String, String)> = packed_rows(
        db,
        select,
        &[
            Id("process_change_people.person_id"),
            Value("process_changes.changed_on"),
            Value("process_changes.kind"),
            Value("process_changes.description"),
        ],
    )
    .await?;
    for (person, on, kind, description) in changes {
        let Some(entry) = facts.get_mut(&person) else {
            continue;
        };
        let kind = ProcessChangeKind::parse(&kind)
            .map(ProcessChangeKind::name_zh)
            .unwrap_or("");
        entry.process_changes.push(ProcessChange {
            on,
            description: format!("{kind}：{description}"),
        });
    }
    Ok(())
}
