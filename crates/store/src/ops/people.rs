//! Hiring, ending employment and updating contact details: the writes that build a
//! person's lifelong archive (SPEC C1, C2).

use anpei_domain::{
    EmploymentKind, IdNumber, Period, PersonName, Phone, PositionFlags, PositionTitle,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::{EnterpriseStaffWrite, PersonRead, Scope};
use crate::entity::{employment, person, person_identity};
use crate::ledger::{Change, LedgerKey};
use crate::{Actor, Store, StoreError};

/// A validated hire: every field already parsed.
#[derive(Debug, Clone)]
pub struct Hire {
    pub id_number: IdNumber,
    pub name: PersonName,
    pub phone: Option<Phone>,
    /// Recorded on the person when the hire opens their archive.
    pub education: Option<anpei_domain::rules::Education>,
    pub kind: EmploymentKind,
    pub position: PositionTitle,
    pub flags: PositionFlags,
    pub period: Period,
}

#[derive(Debug, Clone, Copy)]
pub struct Hired {
    pub person_id: Uuid,
    pub employment_id: Uuid,
    pub new_person: bool,
}

pub(crate) fn person_model(
    id: Uuid,
    hire_id: &IdNumber,
    name: &PersonName,
    phone: Option<&Phone>,
    education: Option<anpei_domain::rules::Education>,
    at: DateTime<Utc>,
) -> person::Model {
    person::Model {
        id,
        id_number: hire_id.as_str().to_owned(),
        name: name.as_str().to_owned(),
        gender: hire_id.gender().code().to_owned(),
        birth_date: hire_id.birth_date(),
        phone: phone.map(|p| p.as_str().to_owned()),
        education: education.map(|e| e.code().to_owned()),
        created_at: at,
        updated_at: at,
    }
}

pub(crate) fn employment_model(
    person_id: Uuid,
    id: Uuid,
    enterprise_id: Uuid,
    hire: &Hire,
    at: DateTime<Utc>,
) -> employment::Model {
    employment::Model {
        person_id,
        id,
        enterprise_id,
        kind: hire.kind.code().to_owned(),
        position: hire.position.as_str().to_owned(),
        team_leader: hire.flags.team_leader,
        special_ops_trade: hire.flags.special_ops_trade.clone(),
        key_position: hire.flags.key_position,
        principal_leader: hire.flags.principal_leader,
        safety_manager: hire.flags.safety_manager,
        start_date: hire.period.from(),
        end_date: hire.period.to(),
        created_at: at,
        updated_at: at,
    }
}

/// Hires a person into the enterprise of `staff`: creates the person on first sight of
/// the ID number, then the employment. An ID number already on record under another name
/// is refused (the archive is one per person for life; a typo must not fork it).
pub async fn hire(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    hire: Hire,
    now: DateTime<Utc>,
) -> Result<Hired, StoreError> {
    let mut tx = store.write(actor, now).await?;
    let at = tx.at();
    let existing = person_identity::Entity::find_by_id(hire.id_number.as_str().to_owned())
        .one(tx.conn())
        .await?;
    let (person_id, new_person) = match existing {
        Some(identity) => {
            let person = person::Entity::find_by_id(identity.person_id)
                .one(tx.conn())
                .await?
                .ok_or(StoreError::NotFound)?;
            if person.name != hire.name.as_str() {
                return Err(StoreError::invalid_text(
                    "name",
                    "该身份证号已登记为另一姓名，请核对姓名或身份证号",
                    "This ID number is on record under another name; check the name or the ID number",
                ));
            }
            let overlapping = employment::Entity::find()
                .filter(employment::Column::PersonId.eq(identity.person_id))
                .filter(employment::Column::EnterpriseId.eq(staff.enterprise_id()))
                .all(tx.conn())
                .await?
                .into_iter()
                .any(|e| {
                    Period::new(e.start_date, e.end_date)
                        .map(|p| p.overlaps(&hire.period))
                        .unwrap_or(false)
                });
            if overlapping {
                return Err(StoreError::invalid_text(
                    "start_date",
                    "此人在本企业已有重叠的在职记录",
                    "This person already has an overlapping employment at this enterprise",
                ));
            }
            (identity.person_id, false)
        }
        None => {
            let id = Uuid::now_v7();
            let model = person_model(
                id,
                &hire.id_number,
                &hire.name,
                hire.phone.as_ref(),
                hire.education,
                at,
            );
            person::Entity::insert(person::ActiveModel::from(model.clone()))
                .exec(tx.conn())
                .await?;
            person_identity::Entity::insert(person_identity::ActiveModel {
                id_number: Set(hire.id_number.as_str().to_owned()),
                person_id: Set(id),
            })
            .exec(tx.conn())
            .await?;
            tx.record(Change::of("person.create", LedgerKey::Person(id), &model));
            (id, true)
        }
    };
    let employment_id = Uuid::now_v7();
    let model = employment_model(person_id, employment_id, staff.enterprise_id(), &hire, at);
    employment::Entity::insert(employment::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(
        Change::of(
            "employment.start",
            LedgerKey::Employment {
                person_id,
                id: employment_id,
            },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    if !new_person {
        crate::notifications::hired(
            tx.conn(),
            staff.enterprise_id(),
            &[(person_id, employment_id)],
            at,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Hired {
        person_id,
        employment_id,
        new_person,
    })
}

/// Ends an employment of the enterprise of `staff` on `end_date` (the last working day).
pub async fn end_employment(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    employment_id: Uuid,
    end_date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = store.write(actor, now).await?;
    let row = employment::Entity::find_by_id((person_id, employment_id))
        .one(tx.conn())
        .await?
        .filter(|e| e.enterprise_id == staff.enterprise_id())
        .ok_or(StoreError::NotFound)?;
    if row.end_date.is_some() {
        return Err(StoreError::invalid_text(
            "end_date",
            "该在职记录已结束",
            "This employment has already ended",
        ));
    }
    Period::new(row.start_date, Some(end_date)).map_err(|e| StoreError::invalid("end_date", &e))?;
    let mut active: employment::ActiveModel = row.into();
    active.end_date = Set(Some(end_date));
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(
        Change::of(
            "employment.end",
            LedgerKey::Employment {
                person_id,
                id: employment_id,
            },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(())
}

/// Changes a person's mobile number: the person themself, or a current employer.
pub async fn update_phone(
    store: &Store,
    actor: &Actor,
    person: PersonRead,
    phone: Option<Phone>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !matches!(
        actor.scope,
        Scope::Person(_) | Scope::Enterprise(_) | Scope::System
    ) {
        return Err(StoreError::Forbidden);
    }
    let mut tx = store.write(actor, now).await?;
    let row = person::Entity::find_by_id(person.person_id())
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut active: person::ActiveModel = row.into();
    active.phone = Set(phone.map(|p| p.as_str().to_owned()));
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(Change::of(
        "person.update_phone",
        LedgerKey::Person(model.id),
        &model,
    ));
    tx.commit().await?;
    Ok(())
}
