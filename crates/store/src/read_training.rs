//! Read models of institutions and their classes (issue 5, SPEC C9): approvals, trainers,
//! classes with trainees, attendance and videos. Trainees are people: an institution sees
//! its own classes' trainees, an enterprise only the people it sent, regulators those of
//! their jurisdiction's institutions; no one else.

use std::collections::HashMap;

use anpei_domain::IdNumber;
use anpei_domain::subsidy::VideoPart;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entity::{
    class_attendance, class_trainee, class_video, enterprise, exam_room, exam_site, institution,
    institution_trade, person, trainer, training_class,
};
use crate::read::parse_id;
use crate::{Actor, Scope, StoreError};

/// An institution's registry entry: its record, approvals and trainers.
#[derive(Debug, Clone)]
pub struct InstitutionRegistry {
    pub institution: institution::Model,
    pub approvals: Vec<institution_trade::Model>,
    pub trainers: Vec<trainer::Model>,
    pub classes: Vec<training_class::Model>,
    /// The exam sites it runs, with their seats.
    pub exam_sites: Vec<(exam_site::Model, i64)>,
}

/// The registry entry of an institution `actor` may see.
pub async fn registry(
    db: &impl ConnectionTrait,
    actor: &Actor,
    institution_id: Uuid,
) -> Result<InstitutionRegistry, StoreError> {
    let institution = crate::access::institution_visible(db, actor, institution_id).await?;
    let approvals = institution_trade::Entity::find()
        .filter(institution_trade::Column::InstitutionId.eq(institution_id))
        .order_by_asc(institution_trade::Column::TradeCode)
        .all(db)
        .await?;
    let trainers = trainer::Entity::find()
        .filter(trainer::Column::InstitutionId.eq(institution_id))
        .order_by_asc(trainer::Column::SelectedOn)
        .order_by_asc(trainer::Column::Id)
        .all(db)
        .await?;
    let classes = training_class::Entity::find()
        .filter(training_class::Column::InstitutionId.eq(institution_id))
        .order_by_desc(training_class::Column::StartsOn)
        .order_by_desc(training_class::Column::Id)
        .all(db)
        .await?;
    let sites = exam_site::Entity::find()
        .filter(exam_site::Column::InstitutionId.eq(institution_id))
        .order_by_asc(exam_site::Column::Name)
        .all(db)
        .await?;
    let mut seats: HashMap<Uuid, i64> = HashMap::new();
    for room in exam_room::Entity::find()
        .filter(exam_room::Column::SiteId.is_in(sites.iter().map(|s| s.id).collect::<Vec<_>>()))
        .all(db)
        .await?
    {
        *seats.entry(room.site_id).or_default() += i64::from(room.seats);
    }
    let exam_sites = sites
        .into_iter()
        .map(|site| {
            let n = seats.get(&site.id).copied().unwrap_or_default();
            (site, n)
        })
        .collect();
    Ok(InstitutionRegistry {
        institution,
        approvals,
        trainers,
        classes,
        exam_sites,
    })
}

/// Every institution, with the trades it is approved for: what an enterprise chooses from
/// when it delegates training or files a subsidy application.
pub async fn institutions(
    db: &impl ConnectionTrait,
) -> Result<Vec<(institution::Model, Vec<String>)>, StoreError> {
    let rows = institution::Entity::find()
        .order_by_asc(institution::Column::CityCode)
        .order_by_asc(institution::Column::Name)
        .all(db)
        .await?;
    let mut trades: HashMap<Uuid, Vec<String>> = HashMap::new();
    for approval in institution_trade::Entity::find()
        .filter(institution_trade::Column::WithdrawnOn.is_null())
        .order_by_asc(institution_trade::Column::TradeCode)
        .all(db)
        .await?
    {
        trades
            .entry(approval.institution_id)
            .or_default()
            .push(approval.trade_code);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let codes = trades.remove(&row.id).unwrap_or_default();
            (row, codes)
        })
        .collect())
}

/// The classes an enterprise may send people to: not completed, of any institution.
pub async fn open_classes(
    db: &impl ConnectionTrait,
) -> Result<Vec<(training_class::Model, String)>, StoreError> {
    let classes = training_class::Entity::find()
        .filter(training_class::Column::CompletedOn.is_null())
        .order_by_asc(training_class::Column::StartsOn)
        .all(db)
        .await?;
    let names: HashMap<Uuid, String> = institution::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect();
    Ok(classes
        .into_iter()
        .map(|class| {
            let name = names
                .get(&class.institution_id)
                .cloned()
                .unwrap_or_default();
            (class, name)
        })
        .collect())
}

/// One trainee of a class, as the class page lists them.
#[derive(Debug, Clone)]
pub struct TraineeView {
    pub person_id: Uuid,
    pub name: String,
    pub id_number: IdNumber,
    pub enterprise: Option<String>,
    pub theory_hours: f64,
    pub practical_hours: f64,
    pub sessions: usize,
    pub completed_on: Option<chrono::NaiveDate>,
}

/// A class with what `actor` may see of it.
#[derive(Debug, Clone)]
pub struct ClassView {
    pub class: training_class::Model,
    pub institution: String,
    pub trainees: Vec<TraineeView>,
    pub attendance: Vec<class_attendance::Model>,
    pub videos: Vec<class_video::Model>,
    /// Whether `actor` keeps the class (its institution).
    pub own: bool,
}

pub async fn class(
    db: &impl ConnectionTrait,
    actor: &Actor,
    class_id: Uuid,
) -> Result<ClassView, StoreError> {
    let class = crate::ops::training::class_by_id(db, actor, class_id).await?;
    let institution = institution::Entity::find_by_id(class.institution_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    // Whose trainees this actor sees.
    let sees = |enterprise_id: Option<Uuid>| match &actor.scope {
        Scope::Institution(own) => *own == class.institution_id,
        Scope::Enterprise(own) => enterprise_id == Some(*own),
        Scope::City(city) => *city == institution.city_code,
        Scope::Province | Scope::System => true,
        // A county regulator sees the class (its institution is in the county) but the
        // trainees only of its own county's enterprises, as on their archives.
        Scope::County(_) => false,
        Scope::HrBureau(_) | Scope::Person(_) => false,
    };
    let trainees: Vec<class_trainee::Model> = class_trainee::Entity::find()
        .filter(class_trainee::Column::ClassId.eq(class_id))
        .all(db)
        .await?
        .into_iter()
        .filter(|row| sees(row.enterprise_id))
        .collect();
    let ids: Vec<Uuid> = trainees.iter().map(|t| t.person_id).collect();
    let people: HashMap<Uuid, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let enterprises: HashMap<Uuid, String> = enterprise::Entity::find()
        .filter(
            enterprise::Column::Id.is_in(
                trainees
                    .iter()
                    .filter_map(|t| t.enterprise_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect();
    let attendance: Vec<class_attendance::Model> = class_attendance::Entity::find()
        .filter(class_attendance::Column::ClassId.eq(class_id))
        .filter(class_attendance::Column::PersonId.is_in(ids))
        .order_by_asc(class_attendance::Column::SessionOn)
        .order_by_asc(class_attendance::Column::SignedAt)
        .all(db)
        .await?;
    // Hours per trainee: (theory, practical, sessions).
    let mut attended: HashMap<Uuid, (f64, f64, usize)> = HashMap::new();
    for entry in &attendance {
        let sums = attended.entry(entry.person_id).or_default();
        if entry.part == VideoPart::Theory.code() {
            sums.0 += entry.hours;
        } else {
            sums.1 += entry.hours;
        }
        sums.2 += 1;
    }
    let mut views = Vec::with_capacity(trainees.len());
    for trainee in &trainees {
        let Some(person) = people.get(&trainee.person_id) else {
            continue;
        };
        let (theory, practical, sessions) = attended
            .get(&trainee.person_id)
            .copied()
            .unwrap_or_default();
        views.push(TraineeView {
            person_id: trainee.person_id,
            name: person.name.clone(),
            id_number: parse_id(&person.id_number)?,
            enterprise: trainee
                .enterprise_id
                .and_then(|id| enterprises.get(&id).cloned()),
            theory_hours: (theory * 10.0_f64).round() / 10.0,
            practical_hours: (practical * 10.0_f64).round() / 10.0,
            sessions,
            completed_on: trainee.completed_on,
        });
    }
    views.sort_by(|a, b| a.name.cmp(&b.name));
    let videos = class_video::Entity::find()
        .filter(class_video::Column::ClassId.eq(class_id))
        .order_by_asc(class_video::Column::SessionOn)
        .all(db)
        .await?;
    let own = matches!(actor.scope, Scope::Institution(own) if own == class.institution_id)
        || actor.scope == Scope::System;
    Ok(ClassView {
        class,
        institution: institution.name,
        trainees: views,
        attendance,
        videos,
        own,
    })
}
