//! The safety-skills subsidy (issue 5, SPEC C10): the seed's 审核表 as a workflow.
//!
//! 1. The enterprise files the header and rows (`file`): its own certified people, the
//!    institution it delegated training to, the training dates, the pledge accepted by a
//!    named person. The amount is computed from [`SUBSIDY_RULES`].
//! 2. The institution answers per row (`confirm`), naming the class as evidence.
//! 3. The city regulator reviews (`review`): the eight automatic checks of
//!    `anpei_domain::subsidy::review_row` run on facts gathered here in a fixed number of
//!    queries (`check_rows`), and each row is approved or rejected with a comment. A row
//!    whose checks fail cannot be approved.
//! 4. The HR bureau records payment per approved row (`record_payment`).
//!
//! Every step is one transaction whose changes (the application and each row touched) are
//! in the ledger. Out-of-scope applications are `NotFound`.

use std::collections::HashMap;

use anpei_domain::Bilingual;
use anpei_domain::certificate::CertificateKind;
use anpei_domain::subsidy::{
    CheckResult, ClaimState, OtherClaim, RowFacts, SUBSIDY_RULES, VideoEvidence, VideoPart,
    all_passed, check_application, review_row,
};
use anpei_domain::{Period, Phone};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::EnterpriseStaffWrite;
use crate::entity::{
    certificate, class_trainee, class_video, employment, enterprise, institution,
    institution_trade, subsidy_application, subsidy_row, training_class,
};
use crate::ledger::{Change, LedgerKey};
use crate::ops::enterprise_ledgers::text;
use crate::ops::training::approval_holds;
use crate::read::{certificate_value, corrupt};
use crate::{Actor, Scope, Store, StoreError, WriteTx};

/// Where an application stands.
pub mod status {
    /// Filed by the enterprise; waiting for the institution.
    pub const FILED: &str = "filed";
    /// Answered by the institution; waiting for the city regulator.
    pub const CONFIRMED: &str = "confirmed";
    /// Decided by the regulator; approved rows wait for the HR bureau.
    pub const REVIEWED: &str = "reviewed";
    /// Every approved row paid (or none approved).
    pub const CLOSED: &str = "closed";
    pub const ALL: [&str; 4] = [FILED, CONFIRMED, REVIEWED, CLOSED];
}

/// A row's decision.
pub mod decision {
    pub const PENDING: &str = "pending";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
}

/// Most rows one application may carry.
pub const MAX_ROWS: usize = 5_000;

/// The institution's opinion on the form, in the seed's words.
pub const INSTITUTION_OPINION: &str =
    "以上人员按培训大纲要求，在我机构完成理论授课和实操全部课程。";

/// One check result as kept beside a row (and shown by the API).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCheck {
    pub code: String,
    pub passed: bool,
    pub zh: String,
    pub en: String,
}

impl From<&CheckResult> for StoredCheck {
    fn from(result: &CheckResult) -> Self {
        StoredCheck {
            code: result.check.code().to_owned(),
            passed: result.passed,
            zh: result.zh(),
            en: result.en(),
        }
    }
}

/// Parses the checks kept on a row.
pub fn stored_checks(row: &subsidy_row::Model) -> Vec<StoredCheck> {
    row.checks
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

/// The application `actor` may see: the enterprise its own, the institution those addressed
/// to it, the city regulator its city's, the province all, the HR bureau its region's once
/// reviewed.
pub async fn visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> Result<subsidy_application::Model, StoreError> {
    let row = subsidy_application::Entity::find()
        .filter(subsidy_application::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let seen = match &actor.scope {
        Scope::Enterprise(own) => *own == row.enterprise_id,
        Scope::Institution(own) => *own == row.institution_id,
        Scope::City(city) => *city == row.city_code,
        // A county follows its enterprises' applications; the review is the city's.
        Scope::County(county) => *county == row.region_code,
        Scope::Province | Scope::System => true,
        Scope::HrBureau(region) => {
            hr_sees(region, &row.region_code)
                && matches!(row.status.as_str(), status::REVIEWED | status::CLOSED)
        }
        Scope::Person(_) => false,
    };
    if seen {
        Ok(row)
    } else {
        Err(StoreError::NotFound)
    }
}

/// Whether an HR bureau of `region` covers an enterprise registered in `enterprise_region`.
pub fn hr_sees(region: &str, enterprise_region: &str) -> bool {
    region == anpei_domain::region::PROVINCE_CODE
        || enterprise_region.starts_with(&Actor::region_prefix(region))
}

// ---------------------------------------------------------------- filing

#[derive(Debug, Clone)]
pub struct NewApplication {
    pub institution_id: Uuid,
    pub handler_name: String,
    pub handler_phone: String,
    pub training_from: NaiveDate,
    pub training_to: NaiveDate,
    /// The enterprise accepted the written pledge (书面承诺) …
    pub pledge_accepted: bool,
    /// … through this named responsible person (负责人).
    pub pledge_by: String,
    /// The rows in order (序号 1, 2, …): one certificate of one of its people each.
    pub certificate_ids: Vec<Uuid>,
}

/// A filed application and its rows.
#[derive(Debug, Clone)]
pub struct Filed {
    pub application: subsidy_application::Model,
    pub rows: Vec<subsidy_row::Model>,
}

fn row_field(index: usize, name: &str) -> String {
    format!("certificate_ids[{index}]{name}")
}

/// Files an application for the enterprise of `staff`.
pub async fn file(
    store: &Store,
    actor: &Actor,
    staff: EnterpriseStaffWrite,
    new: NewApplication,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Filed, StoreError> {
    let handler_name = anpei_domain::PersonName::parse(&new.handler_name)
        .map_err(|e| StoreError::invalid("handler_name", &e))?;
    let handler_phone =
        Phone::parse(&new.handler_phone).map_err(|e| StoreError::invalid("handler_phone", &e))?;
    let pledge_by = new.pledge_by.trim().to_owned();
    if pledge_by.chars().count() > 50 {
        return Err(StoreError::invalid_text(
            "pledge_by",
            "负责人姓名过长",
            "The responsible person's name is too long",
        ));
    }
    if new.training_to > today {
        return Err(StoreError::invalid_text(
            "training_to",
            "培训尚未结束，不能申请补贴",
            "The training has not ended yet",
        ));
    }
    if new.certificate_ids.len() > MAX_ROWS {
        return Err(StoreError::invalid_text(
            "certificate_ids",
            format!("一份申请最多 {MAX_ROWS} 人"),
            format!("At most {MAX_ROWS} people per application"),
        ));
    }
    let mut tx = store.write(actor, now).await?;
    let enterprise = enterprise::Entity::find_by_id(staff.enterprise_id())
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let institution = institution::Entity::find_by_id(new.institution_id)
        .one(tx.conn())
        .await?
        .ok_or_else(|| {
            StoreError::invalid_text(
                "institution_id",
                "未找到该培训机构",
                "No such training institution",
            )
        })?;
    let certificates: HashMap<Uuid, certificate::Model> = certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(new.certificate_ids.clone()))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut numbers = Vec::with_capacity(new.certificate_ids.len());
    for (index, id) in new.certificate_ids.iter().enumerate() {
        let Some(row) = certificates.get(id) else {
            return Err(StoreError::invalid_text(
                &row_field(index, ""),
                format!("第 {} 行：证书库中没有该证书", index + 1),
                format!("Row {}: the certificate is not on the register", index + 1),
            ));
        };
        numbers.push(row.number.as_str());
    }
    let pledge = new.pledge_accepted.then_some(pledge_by.as_str());
    let training = check_application(pledge, new.training_from, new.training_to, &numbers)
        .map_err(|e| {
            let field = match e {
                anpei_domain::subsidy::ApplicationError::PledgeNotAccepted => "pledge_accepted",
                anpei_domain::subsidy::ApplicationError::TrainingDatesOutOfOrder { .. } => {
                    "training_to"
                }
                anpei_domain::subsidy::ApplicationError::NoRows => "certificate_ids",
                anpei_domain::subsidy::ApplicationError::DuplicateCertificate { rows, .. } => {
                    return StoreError::invalid(&row_field(rows.1 - 1, ""), &e);
                }
            };
            StoreError::invalid(field, &e)
        })?;
    let people: Vec<Uuid> = certificates.values().map(|row| row.person_id).collect();
    let on_staff =
        crate::access::current_staff(tx.conn(), staff.enterprise_id(), people, today).await?;
    for (index, id) in new.certificate_ids.iter().enumerate() {
        let row = &certificates[id];
        if !on_staff.contains(&row.person_id) {
            return Err(StoreError::invalid_text(
                &row_field(index, ""),
                format!("第 {} 行：持证人不是本企业的在岗人员", index + 1),
                format!(
                    "Row {}: the holder is not on the enterprise's staff",
                    index + 1
                ),
            ));
        }
        if row.kind != CertificateKind::SpecialOps.code() || row.trade_code.is_none() {
            return Err(StoreError::invalid_text(
                &row_field(index, ""),
                format!("第 {} 行：{} 不是特种作业操作证", index + 1, row.number),
                format!(
                    "Row {}: {} is not a special-operations certificate",
                    index + 1,
                    row.number
                ),
            ));
        }
    }
    let year = today.year();
    let prefix = format!("BT{}-{year}-", enterprise.city_code);
    let earlier = subsidy_application::Entity::find()
        .filter(subsidy_application::Column::Number.starts_with(&prefix))
        .count(tx.conn())
        .await?;
    let application = subsidy_application::Model {
        enterprise_id: enterprise.id,
        id: Uuid::now_v7(),
        number: format!("{prefix}{:05}", earlier + 1),
        city_code: enterprise.city_code.clone(),
        region_code: enterprise.region_code.clone(),
        institution_id: institution.id,
        legal_representative: enterprise.legal_representative.clone(),
        handler_name: handler_name.as_str().to_owned(),
        handler_phone: handler_phone.as_str().to_owned(),
        training_from: training.from(),
        training_to: new.training_to,
        amount_yuan: i64::try_from(SUBSIDY_RULES.amount_yuan(new.certificate_ids.len()))
            .unwrap_or(i64::MAX),
        rules_version: SUBSIDY_RULES.version.to_owned(),
        pledge_by,
        status: status::FILED.to_owned(),
        applied_on: today,
        confirmed_on: None,
        institution_opinion: None,
        reviewed_on: None,
        regulator_opinion: None,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    subsidy_application::Entity::insert(subsidy_application::ActiveModel::from(
        application.clone(),
    ))
    .exec(tx.conn())
    .await?;
    tx.record(Change::of(
        "subsidy.file",
        LedgerKey::SubsidyApplication {
            enterprise_id: enterprise.id,
            id: application.id,
        },
        &application,
    ));
    let mut rows = Vec::with_capacity(new.certificate_ids.len());
    for (index, id) in new.certificate_ids.iter().enumerate() {
        let certificate = &certificates[id];
        let row = subsidy_row::Model {
            person_id: certificate.person_id,
            id: Uuid::now_v7(),
            application_id: application.id,
            seq: i32::try_from(index + 1).unwrap_or(i32::MAX),
            certificate_id: certificate.id,
            trade_code: certificate.trade_code.clone().unwrap_or_default(),
            class_id: None,
            confirmed: None,
            checks: None,
            decision: decision::PENDING.to_owned(),
            comment: None,
            decided_on: None,
            paid_on: None,
            payment_ref: None,
            created_at: tx.at(),
            updated_at: tx.at(),
        };
        rows.push(row);
    }
    for chunk in rows.chunks(500) {
        subsidy_row::Entity::insert_many(chunk.iter().cloned().map(subsidy_row::ActiveModel::from))
            .exec(tx.conn())
            .await?;
    }
    for row in &rows {
        tx.record(
            Change::of(
                "subsidy.row",
                LedgerKey::SubsidyRow {
                    person_id: row.person_id,
                    id: row.id,
                },
                row,
            )
            .with_enterprise(enterprise.id),
        );
    }
    tx.commit().await?;
    Ok(Filed { application, rows })
}

async fn rows_of(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<Vec<subsidy_row::Model>, StoreError> {
    Ok(subsidy_row::Entity::find()
        .filter(subsidy_row::Column::ApplicationId.eq(application_id))
        .order_by_asc(subsidy_row::Column::Seq)
        .all(db)
        .await?)
}

fn wrong_status(expected_zh: &str, expected_en: &str) -> StoreError {
    StoreError::invalid_text(
        "status",
        format!("申请当前不在“{expected_zh}”环节"),
        format!("The application is not at the {expected_en} step"),
    )
}

fn record_row(tx: &mut WriteTx, action: &'static str, row: &subsidy_row::Model, enterprise: Uuid) {
    tx.record(
        Change::of(
            action,
            LedgerKey::SubsidyRow {
                person_id: row.person_id,
                id: row.id,
            },
            row,
        )
        .with_enterprise(enterprise),
    );
}

fn record_application(tx: &mut WriteTx, action: &'static str, app: &subsidy_application::Model) {
    tx.record(Change::of(
        action,
        LedgerKey::SubsidyApplication {
            enterprise_id: app.enterprise_id,
            id: app.id,
        },
        app,
    ));
}

// ---------------------------------------------------------------- institution

/// The institution's answer for one row.
#[derive(Debug, Clone)]
pub struct RowConfirmation {
    pub row_id: Uuid,
    /// "Completed all theory and practical courses at our institution".
    pub confirmed: bool,
    /// The class the person completed (required when confirmed).
    pub class_id: Option<Uuid>,
}

/// The institution answers every row of an application addressed to it.
pub async fn confirm(
    store: &Store,
    actor: &Actor,
    application_id: Uuid,
    answers: &[RowConfirmation],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Filed, StoreError> {
    let mut tx = store.write(actor, now).await?;
    let app = visible(tx.conn(), actor, application_id).await?;
    if !matches!(actor.scope, Scope::Institution(_) | Scope::System) {
        return Err(StoreError::Forbidden);
    }
    if app.status != status::FILED {
        return Err(wrong_status("培训机构确认", "institution's confirmation"));
    }
    let rows = rows_of(tx.conn(), application_id).await?;
    let classes: HashMap<Uuid, training_class::Model> = training_class::Entity::find()
        .filter(training_class::Column::InstitutionId.eq(app.institution_id))
        .filter(
            training_class::Column::Id.is_in(
                answers
                    .iter()
                    .filter_map(|a| a.class_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let trainees: Vec<(Uuid, Uuid)> = class_trainee::Entity::find()
        .filter(class_trainee::Column::ClassId.is_in(classes.keys().copied().collect::<Vec<_>>()))
        .filter(
            class_trainee::Column::PersonId
                .is_in(rows.iter().map(|r| r.person_id).collect::<Vec<_>>()),
        )
        .all(tx.conn())
        .await?
        .into_iter()
        .filter(|row| row.completed_on.is_some())
        .map(|row| (row.person_id, row.class_id))
        .collect();
    if answers.len() != rows.len()
        || answers
            .iter()
            .any(|a| !rows.iter().any(|r| r.id == a.row_id))
    {
        return Err(StoreError::invalid_text(
            "answers",
            "有答复不属于本申请的行，或同一行答复了两次",
            "An answer names a row that is not on this application, or a row twice",
        ));
    }
    let mut updated = Vec::with_capacity(rows.len());
    for row in rows {
        let position = answers.iter().position(|a| a.row_id == row.id);
        let Some(index) = position else {
            return Err(StoreError::invalid_text(
                "answers",
                format!("第 {} 行未作答：每一行都须确认或不予确认", row.seq),
                format!(
                    "Row {} has no answer: confirm or decline every row",
                    row.seq
                ),
            ));
        };
        let answer = &answers[index];
        let field = |name: &str| format!("answers[{index}].{name}");
        let class_id = if answer.confirmed {
            let Some(class) = answer.class_id.and_then(|id| classes.get(&id)) else {
                return Err(StoreError::invalid_text(
                    &field("class_id"),
                    format!("第 {} 行：请选择本机构的培训班作为依据", row.seq),
                    format!(
                        "Row {}: name one of the institution's classes as evidence",
                        row.seq
                    ),
                ));
            };
            if class.trade_code != row.trade_code {
                return Err(StoreError::invalid_text(
                    &field("class_id"),
                    format!(
                        "第 {} 行：培训班 {} 的工种为 {}，与申请工种 {} 不符",
                        row.seq, class.number, class.trade_code, row.trade_code
                    ),
                    format!(
                        "Row {}: class {} is for trade {}, not {}",
                        row.seq, class.number, class.trade_code, row.trade_code
                    ),
                ));
            }
            if !trainees.contains(&(row.person_id, class.id)) {
                return Err(StoreError::invalid_text(
                    &field("class_id"),
                    format!("第 {} 行：该人员未在培训班 {} 结业", row.seq, class.number),
                    format!(
                        "Row {}: the person did not complete class {}",
                        row.seq, class.number
                    ),
                ));
            }
            Some(class.id)
        } else {
            None
        };
        let mut active: subsidy_row::ActiveModel = row.into();
        active.confirmed = Set(Some(answer.confirmed));
        active.class_id = Set(class_id);
        active.updated_at = Set(tx.at());
        let row = active.update(tx.conn()).await?;
        record_row(&mut tx, "subsidy.confirm_row", &row, app.enterprise_id);
        updated.push(row);
    }
    let confirmed = updated.iter().filter(|r| r.confirmed == Some(true)).count();
    let mut active: subsidy_application::ActiveModel = app.into();
    active.status = Set(status::CONFIRMED.to_owned());
    active.confirmed_on = Set(Some(today));
    active.institution_opinion = Set(Some(if confirmed == updated.len() {
        INSTITUTION_OPINION.to_owned()
    } else {
        format!(
            "{INSTITUTION_OPINION}（确认 {confirmed} 人，{} 人未在我机构完成全部课程）",
            updated.len() - confirmed
        )
    }));
    active.updated_at = Set(tx.at());
    let app = active.update(tx.conn()).await?;
    record_application(&mut tx, "subsidy.confirm", &app);
    tx.commit().await?;
    Ok(Filed {
        application: app,
        rows: updated,
    })
}

// ---------------------------------------------------------------- checks

/// Runs the regulator's checks on rows of one application on `today`, gathering their
/// facts in six queries whatever the number of rows.
pub async fn check_rows(
    db: &impl ConnectionTrait,
    app: &subsidy_application::Model,
    rows: &[subsidy_row::Model],
    today: NaiveDate,
) -> Result<Vec<Vec<CheckResult>>, StoreError> {
    let people: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
    let certificate_ids: Vec<Uuid> = rows.iter().map(|r| r.certificate_id).collect();
    let mut certificates: HashMap<Uuid, anpei_domain::certificate::Certificate> = HashMap::new();
    for chunk in people.chunks(500).zip(certificate_ids.chunks(500)) {
        for row in certificate::Entity::find()
            .filter(certificate::Column::PersonId.is_in(chunk.0.to_vec()))
            .filter(certificate::Column::Id.is_in(chunk.1.to_vec()))
            .all(db)
            .await?
        {
            certificates.insert(row.id, certificate_value(&row)?);
        }
    }
    let mut employments: HashMap<Uuid, Vec<Period>> = HashMap::new();
    for chunk in people.chunks(500) {
        for row in employment::Entity::find()
            .filter(employment::Column::EnterpriseId.eq(app.enterprise_id))
            .filter(employment::Column::PersonId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let period =
                Period::new(row.start_date, row.end_date).map_err(|_| corrupt("employment"))?;
            employments.entry(row.person_id).or_default().push(period);
        }
    }
    // Every other live claim on these certificates, anywhere in the province.
    let mut claims: Vec<subsidy_row::Model> = Vec::new();
    for chunk in certificate_ids.chunks(500) {
        claims.extend(
            subsidy_row::Entity::find()
                .filter(subsidy_row::Column::CertificateId.is_in(chunk.to_vec()))
                .filter(subsidy_row::Column::Decision.ne(decision::REJECTED))
                .filter(subsidy_row::Column::ApplicationId.ne(app.id))
                .all(db)
                .await?,
        );
    }
    let mut claim_apps: HashMap<Uuid, (String, String)> = HashMap::new();
    if !claims.is_empty() {
        let ids: Vec<Uuid> = claims.iter().map(|c| c.application_id).collect();
        let apps = subsidy_application::Entity::find()
            .filter(subsidy_application::Column::Id.is_in(ids))
            .all(db)
            .await?;
        let names: HashMap<Uuid, String> = enterprise::Entity::find()
            .filter(
                enterprise::Column::Id
                    .is_in(apps.iter().map(|a| a.enterprise_id).collect::<Vec<_>>()),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        for other in apps {
            let name = names.get(&other.enterprise_id).cloned().unwrap_or_default();
            claim_apps.insert(other.id, (other.number, name));
        }
    }
    let class_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.class_id).collect();
    let mut videos: HashMap<Uuid, Vec<VideoEvidence>> = HashMap::new();
    if !class_ids.is_empty() {
        for row in class_video::Entity::find()
            .filter(class_video::Column::ClassId.is_in(class_ids))
            .all(db)
            .await?
        {
            let part = VideoPart::parse(&row.part).ok_or_else(|| corrupt("class_videos.part"))?;
            videos.entry(row.class_id).or_default().push(VideoEvidence {
                part,
                retained_until: row.retained_until,
            });
        }
    }
    let approvals: HashMap<String, institution_trade::Model> = institution_trade::Entity::find()
        .filter(institution_trade::Column::InstitutionId.eq(app.institution_id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.trade_code.clone(), row))
        .collect();
    let training = Period::new(app.training_from, Some(app.training_to))
        .map_err(|_| corrupt("subsidy_applications.training"))?;
    let mut claims_of: HashMap<Uuid, Vec<&subsidy_row::Model>> = HashMap::new();
    for claim in &claims {
        claims_of
            .entry(claim.certificate_id)
            .or_default()
            .push(claim);
    }
    let mut results = Vec::with_capacity(rows.len());
    for row in rows {
        let other_claims = claims_of
            .get(&row.certificate_id)
            .into_iter()
            .flatten()
            .map(|claim| {
                let (application, enterprise) = claim_apps
                    .get(&claim.application_id)
                    .cloned()
                    .unwrap_or_default();
                OtherClaim {
                    application,
                    enterprise,
                    state: if claim.paid_on.is_some() {
                        ClaimState::Paid
                    } else if claim.decision == decision::APPROVED {
                        ClaimState::Approved
                    } else {
                        ClaimState::Pending
                    },
                }
            })
            .collect();
        let facts = RowFacts {
            trade: row.trade_code.clone(),
            training,
            certificate: certificates.get(&row.certificate_id).cloned(),
            employments: employments.get(&row.person_id).cloned().unwrap_or_default(),
            other_claims,
            videos: row
                .class_id
                .and_then(|id| videos.get(&id).cloned())
                .unwrap_or_default(),
            // Approved for the trade, with facilities, when the training began.
            institution_approved: approvals
                .get(&row.trade_code)
                .is_some_and(|approval| approval_holds(approval, app.training_from)),
            institution_confirmed: row.confirmed == Some(true),
        };
        results.push(review_row(&facts, today));
    }
    Ok(results)
}

// ---------------------------------------------------------------- review

/// The regulator's decision on one row.
#[derive(Debug, Clone)]
pub struct RowDecision {
    pub row_id: Uuid,
    pub approve: bool,
    /// Required for a rejection.
    pub comment: String,
}

/// The regulator decides every row of a confirmed application of its city. The checks run
/// again inside the transaction; a row with a failed check cannot be approved.
pub async fn review(
    store: &Store,
    actor: &Actor,
    application_id: Uuid,
    decisions: &[RowDecision],
    opinion: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Filed, StoreError> {
    let opinion = text("opinion", opinion, false, 500)?;
    let mut tx = store.write(actor, now).await?;
    let app = visible(tx.conn(), actor, application_id).await?;
    if !matches!(
        actor.scope,
        Scope::City(_) | Scope::Province | Scope::System
    ) {
        return Err(StoreError::Forbidden);
    }
    if app.status != status::CONFIRMED {
        return Err(wrong_status("监管部门审核", "regulator's review"));
    }
    let rows = rows_of(tx.conn(), application_id).await?;
    if decisions.len() != rows.len() {
        return Err(StoreError::invalid_text(
            "decisions",
            format!(
                "本申请共 {} 行，须逐行作出决定（收到 {} 项）",
                rows.len(),
                decisions.len()
            ),
            format!(
                "The application has {} rows; decide each (got {})",
                rows.len(),
                decisions.len()
            ),
        ));
    }
    let checks = check_rows(tx.conn(), &app, &rows, today).await?;
    let mut updated = Vec::with_capacity(rows.len());
    for (row, results) in rows.into_iter().zip(checks) {
        let Some(index) = decisions.iter().position(|d| d.row_id == row.id) else {
            return Err(StoreError::invalid_text(
                "decisions",
                format!("第 {} 行没有审核决定", row.seq),
                format!("Row {} has no decision", row.seq),
            ));
        };
        let decided = &decisions[index];
        let field = |name: &str| format!("decisions[{index}].{name}");
        let comment =
            text(&field("comment"), &decided.comment, !decided.approve, 500).map_err(|_| {
                StoreError::invalid_text(
                    &field("comment"),
                    format!("第 {} 行：不予通过须填写理由（最多 500 字）", row.seq),
                    format!(
                        "Row {}: a rejection needs a comment (at most 500 characters)",
                        row.seq
                    ),
                )
            })?;
        if decided.approve && !all_passed(&results) {
            let failed: Vec<String> = results
                .iter()
                .filter(|r| !r.passed)
                .map(|r| r.zh())
                .collect();
            return Err(StoreError::invalid_text(
                &field("approve"),
                format!(
                    "第 {} 行未通过自动核查，不能审核通过：{}",
                    row.seq,
                    failed.join("；")
                ),
                format!(
                    "Row {} failed the automatic checks and cannot be approved: {}",
                    row.seq,
                    results
                        .iter()
                        .filter(|r| !r.passed)
                        .map(|r| r.en())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            ));
        }
        let stored: Vec<StoredCheck> = results.iter().map(StoredCheck::from).collect();
        let mut active: subsidy_row::ActiveModel = row.into();
        active.checks = Set(Some(
            serde_json::to_string(&stored).map_err(|_| corrupt("checks"))?,
        ));
        active.decision = Set(if decided.approve {
            decision::APPROVED
        } else {
            decision::REJECTED
        }
        .to_owned());
        active.comment = Set((!comment.is_empty()).then_some(comment));
        active.decided_on = Set(Some(today));
        active.updated_at = Set(tx.at());
        let row = active.update(tx.conn()).await?;
        record_row(&mut tx, "subsidy.decide_row", &row, app.enterprise_id);
        updated.push(row);
    }
    let approved = updated
        .iter()
        .filter(|r| r.decision == decision::APPROVED)
        .count();
    let rejected = updated.len() - approved;
    let summary = match (approved, rejected) {
        (_, 0) => format!(
            "经审核，同意 {approved} 人，补贴 {} 元。",
            SUBSIDY_RULES.amount_yuan(approved)
        ),
        (0, _) => format!("经审核，{rejected} 人均不符合补贴条件，不予通过。"),
        _ => format!(
            "经审核，同意 {approved} 人，补贴 {} 元；{rejected} 人不予通过。",
            SUBSIDY_RULES.amount_yuan(approved)
        ),
    };
    let mut active: subsidy_application::ActiveModel = app.into();
    active.status = Set(if approved == 0 {
        status::CLOSED
    } else {
        status::REVIEWED
    }
    .to_owned());
    active.reviewed_on = Set(Some(today));
    active.regulator_opinion = Set(Some(if opinion.is_empty() {
        summary
    } else {
        format!("{summary}{opinion}")
    }));
    active.updated_at = Set(tx.at());
    let app = active.update(tx.conn()).await?;
    record_application(&mut tx, "subsidy.review", &app);
    tx.commit().await?;
    Ok(Filed {
        application: app,
        rows: updated,
    })
}

// ---------------------------------------------------------------- payment

/// One payment of the HR bureau: the rows it covers, the day and its reference (拨付凭证号).
#[derive(Debug, Clone)]
pub struct Payment<'a> {
    pub row_ids: &'a [Uuid],
    pub paid_on: NaiveDate,
    pub payment_ref: &'a str,
}

/// The HR bureau records payment of approved rows of a reviewed application in its region.
/// When every approved row is paid the application is closed.
pub async fn record_payment(
    store: &Store,
    actor: &Actor,
    application_id: Uuid,
    payment: Payment<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Filed, StoreError> {
    let Payment {
        row_ids,
        paid_on,
        payment_ref,
    } = payment;
    crate::ops::ledgers::not_in_future("paid_on", paid_on, today)?;
    let payment_ref = text("payment_ref", payment_ref, true, 60)?;
    if row_ids.is_empty() {
        return Err(StoreError::invalid_text(
            "row_ids",
            "至少选择一行",
            "Choose at least one row",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    let app = visible(tx.conn(), actor, application_id).await?;
    if !matches!(actor.scope, Scope::HrBureau(_) | Scope::System) {
        return Err(StoreError::Forbidden);
    }
    if app.status != status::REVIEWED {
        return Err(wrong_status("人社部门拨付", "HR bureau's payment"));
    }
    let rows = rows_of(tx.conn(), application_id).await?;
    for (index, id) in row_ids.iter().enumerate() {
        let Some(row) = rows.iter().find(|r| r.id == *id) else {
            return Err(StoreError::invalid_text(
                &format!("row_ids[{index}]"),
                "该行不属于本申请",
                "This row is not on the application",
            ));
        };
        if row.decision != decision::APPROVED || row.paid_on.is_some() {
            return Err(StoreError::invalid_text(
                &format!("row_ids[{index}]"),
                format!("第 {} 行未审核通过或已拨付", row.seq),
                format!("Row {} is not approved or is already paid", row.seq),
            ));
        }
        if paid_on < app.reviewed_on.unwrap_or(app.applied_on) {
            return Err(StoreError::invalid_text(
                "paid_on",
                "拨付日期不能早于审核日期",
                "The payment cannot be before the review",
            ));
        }
    }
    let mut updated = Vec::new();
    for row in rows {
        if !row_ids.contains(&row.id) {
            updated.push(row);
            continue;
        }
        let mut active: subsidy_row::ActiveModel = row.into();
        active.paid_on = Set(Some(paid_on));
        active.payment_ref = Set(Some(payment_ref.clone()));
        active.updated_at = Set(tx.at());
        let row = active.update(tx.conn()).await?;
        record_row(&mut tx, "subsidy.pay_row", &row, app.enterprise_id);
        updated.push(row);
    }
    let unpaid = updated
        .iter()
        .any(|r| r.decision == decision::APPROVED && r.paid_on.is_none());
    let app = if unpaid {
        app
    } else {
        let mut active: subsidy_application::ActiveModel = app.into();
        active.status = Set(status::CLOSED.to_owned());
        active.updated_at = Set(tx.at());
        let app = active.update(tx.conn()).await?;
        record_application(&mut tx, "subsidy.close", &app);
        app
    };
    tx.commit().await?;
    Ok(Filed {
        application: app,
        rows: updated,
    })
}
