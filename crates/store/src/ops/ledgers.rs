//! The enterprise's training and assessment ledgers (SPEC C4): training attended (学时,
//! exam) and the yearly assessment by position (a fail opens a period off post, a pass
//! closes it). Recorded by the employing enterprise for people on its staff; every record
//! is ledgered and feeds the compliance engine.

use anpei_domain::PositionTitle;
use anpei_domain::rules::TrainingKind;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::access::{EnterpriseStaffWrite, employment_current};
use crate::entity::{assessment, employment, training_record};
use crate::ledger::{Change, LedgerKey};
use crate::{Actor, Store, StoreError};

/// Most hours one training record may carry (a full-time year is about 2,000).
pub const MAX_HOURS: f64 = 2_000.0;

#[derive(Debug, Clone)]
pub struct NewTraining {
    pub kind: TrainingKind,
    pub ended_on: NaiveDate,
    pub hours: f64,
    pub passed_exam: bool,
    pub provider: String,
    /// The trade of a special-operations training (required for it, refused for others).
    pub trade_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub assessed_on: NaiveDate,
    pub position: PositionTitle,
    pub passed: bool,
}

/// The enterprise may record only for people on its staff today.
async fn on_staff(
    tx: &crate::WriteTx,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let employed = employment::Entity::find()
        .filter(employment::Column::PersonId.eq(person_id))
        .filter(employment::Column::EnterpriseId.eq(staff.enterprise_id()))
        .filter(employment_current(today))
        .count(tx.conn())
        .await?
        > 0;
    if employed {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

pub(crate) fn not_in_future(
    field: &str,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), StoreError> {
    if date > today {
        return Err(StoreError::invalid_text(
            field,
            "日期不能晚于今天",
            "The date cannot be later than today",
        ));
    }
    Ok(())
}

pub async fn record_training(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    new: NewTraining,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<training_record::Model, StoreError> {
    if !(new.hours > 0.0 && new.hours <= MAX_HOURS && new.hours.is_finite()) {
        return Err(StoreError::invalid_text(
            "hours",
            format!("学时应大于 0 且不超过 {MAX_HOURS}"),
            format!("Hours must be above 0 and at most {MAX_HOURS}"),
        ));
    }
    not_in_future("ended_on", new.ended_on, today)?;
    let trade_code = match (new.kind, new.trade_code.as_deref().map(str::trim)) {
        (TrainingKind::SpecialOps, Some(code)) if !code.is_empty() => {
            let trade = anpei_domain::trade::find_trade(code).ok_or_else(|| {
                StoreError::invalid_text("trade_code", "未知的作业类别", "Unknown trade")
            })?;
            Some(trade.code.to_owned())
        }
        (TrainingKind::SpecialOps, _) => {
            return Err(StoreError::invalid_text(
                "trade_code",
                "特种作业安全技术培训须注明作业类别",
                "A special-operations training must name its trade",
            ));
        }
        (_, Some(code)) if !code.is_empty() => {
            return Err(StoreError::invalid_text(
                "trade_code",
                "只有特种作业安全技术培训才注明作业类别",
                "Only a special-operations training names a trade",
            ));
        }
        _ => None,
    };
    let provider = new.provider.trim();
    let provider = if provider.is_empty() {
        "企业自培".to_owned()
    } else {
        provider.chars().take(100).collect()
    };
    let mut tx = store.write(actor, now).await?;
    on_staff(&tx, staff, person_id, today).await?;
    let model = training_record::Model {
        person_id,
        id: Uuid::now_v7(),
        enterprise_id: staff.enterprise_id(),
        kind: new.kind.code().to_owned(),
        ended_on: new.ended_on,
        // Tenths of an hour: what a record can hold exactly on both engines.
        hours: (new.hours * 10.0).round() / 10.0,
        passed_exam: new.passed_exam,
        provider,
        trade_code,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    training_record::Entity::insert(training_record::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(
        Change::of(
            "training.record",
            LedgerKey::Training {
                person_id,
                id: model.id,
            },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}

pub async fn record_assessment(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    person_id: Uuid,
    new: NewAssessment,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<assessment::Model, StoreError> {
    not_in_future("assessed_on", new.assessed_on, today)?;
    let mut tx = store.write(actor, now).await?;
    on_staff(&tx, staff, person_id, today).await?;
    let model = assessment::Model {
        person_id,
        id: Uuid::now_v7(),
        enterprise_id: staff.enterprise_id(),
        assessed_on: new.assessed_on,
        position: new.position.as_str().to_owned(),
        passed: new.passed,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    assessment::Entity::insert(assessment::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    // Seed §三.1: a fail sends the person off post to retrain, a pass brings them back —
    // recorded in this same transaction (ARCHITECTURE.md, "Failed assessments").
    if new.passed {
        super::enterprise_ledgers::close_after_pass(
            &mut tx,
            staff.enterprise_id(),
            person_id,
            new.assessed_on,
        )
        .await?;
    } else {
        super::enterprise_ledgers::open_for_failed_assessment(
            &mut tx,
            staff.enterprise_id(),
            person_id,
            new.assessed_on,
            new.position.as_str(),
        )
        .await?;
    }
    tx.record(
        Change::of(
            "assessment.record",
            LedgerKey::Assessment {
                person_id,
                id: model.id,
            },
            &model,
        )
        .with_enterprise(staff.enterprise_id()),
    );
    tx.commit().await?;
    Ok(model)
}
