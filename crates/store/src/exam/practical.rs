//! Practical exams (实际操作考试): an examiner of the session marks each examinee on the
//! blueprint's score sheet, with references to the evidence (video, photos), and — when the
//! theory part is passed too — the special-operations certificate is issued in the same
//! transaction (Order No. 30 Art. 14: both parts passed, then the certificate).

use anpei_domain::certificate::CertificateKind;
use anpei_domain::exam::{ExamPart, ItemMark, PracticalGrade};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::registration::FINISHED;
use crate::access::Actor;
use crate::entity::{
    certificate, exam_attempt, exam_blueprint, exam_registration, exam_session, practical_score,
    question, question_version, training_record,
};
use crate::ledger::{Change, LedgerKey};
use crate::ops::certificates::{CertificateAuthority, NewCertificate, issue_in, rules_for};
use crate::{Store, StoreError};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MarkJson {
    pub points: u32,
    #[serde(default)]
    pub vetoed: bool,
}

/// The current version of a blueprint's score sheet.
pub async fn sheet_version(
    db: &impl sea_orm::ConnectionTrait,
    blueprint: &exam_blueprint::Model,
) -> Result<question_version::Model, StoreError> {
    let sheet_id = blueprint.score_sheet_id.ok_or(StoreError::NotFound)?;
    let sheet = question::Entity::find_by_id(sheet_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    question_version::Entity::find()
        .filter(question_version::Column::QuestionId.eq(sheet.id))
        .filter(question_version::Column::Version.eq(sheet.current_version))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)
}

#[allow(clippy::too_many_arguments)]
pub async fn score(
    store: &Store,
    actor: &Actor,
    session_id: Uuid,
    person_id: Uuid,
    registration_id: Uuid,
    marks: Vec<MarkJson>,
    evidence: Vec<String>,
    now: DateTime<Utc>,
) -> Result<(practical_score::Model, Option<String>), StoreError> {
    let access = super::sessions::session_access(store.connection(), actor, session_id).await?;
    if !access.may_examine() {
        return Err(StoreError::NotFound);
    }
    let account = actor.account_id.unwrap_or_else(Uuid::nil);
    if access.session.part != ExamPart::Practical.code() {
        return Err(StoreError::invalid_text(
            "session",
            "这不是实际操作考试场次",
            "This is not a practical session",
        ));
    }
    let evidence: Vec<String> = evidence
        .into_iter()
        .map(|e| e.trim().chars().take(300).collect::<String>())
        .filter(|e| !e.is_empty())
        .collect();
    if evidence.is_empty() {
        return Err(StoreError::invalid_text(
            "evidence",
            "请登记考试过程的影像资料编号（至少一项）",
            "Record at least one evidence reference (video, photos)",
        ));
    }
    let mut tx = store.write(actor, now).await?;
    let registration = exam_registration::Entity::find_by_id((person_id, registration_id))
        .one(tx.conn())
        .await?
        .filter(|r| r.session_id == session_id)
        .ok_or(StoreError::NotFound)?;
    let scored = practical_score::Entity::find()
        .filter(practical_score::Column::PersonId.eq(person_id))
        .filter(practical_score::Column::RegistrationId.eq(registration_id))
        .count(tx.conn())
        .await?;
    if scored > 0 {
        return Err(StoreError::invalid_text(
            "registration",
            "此考生本场已评分",
            "Already scored in this session",
        ));
    }
    let blueprint = exam_blueprint::Entity::find_by_id(access.session.blueprint_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let version = sheet_version(tx.conn(), &blueprint).await?;
    let sheet = super::codec::sheet_of(&version)?;
    let item_marks: Vec<ItemMark> = marks
        .iter()
        .map(|m| ItemMark {
            points: m.points,
            vetoed: m.vetoed,
        })
        .collect();
    let grade = PracticalGrade::mark(&sheet, &item_marks, blueprint.pass_mark as u32)
        .map_err(|e| StoreError::invalid("marks", &e))?;
    let model = practical_score::Model {
        person_id,
        id: Uuid::now_v7(),
        registration_id,
        session_id,
        sheet_version_id: version.id,
        marks: serde_json::to_string(&marks).unwrap_or_default(),
        evidence: serde_json::to_string(&evidence).unwrap_or_default(),
        score: grade.score as i32,
        passed: grade.passed,
        examiner_id: account,
        examiner_name: actor.display_name.clone(),
        scored_at: tx.at(),
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    practical_score::Entity::insert(practical_score::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    tx.record(Change::of(
        "exam.practical_score",
        LedgerKey::PracticalScore {
            person_id,
            id: model.id,
        },
        &model,
    ));
    let registration = exam_registration::Model {
        status: FINISHED.to_owned(),
        updated_at: tx.at(),
        ..registration
    };
    super::attempts::save_registration(&mut tx, &registration, "exam.finish").await?;
    let certificate = if grade.passed {
        issue_if_complete(
            &mut tx,
            person_id,
            &access.session.trade_code,
            access.site.id,
            now,
        )
        .await?
    } else {
        None
    };
    tx.commit().await?;
    Ok((model, certificate))
}

/// Issues the special-operations certificate of `trade_code` when both parts are passed
/// since the latest training of the trade and the person holds no current one. Returns the
/// new certificate's number.
pub(crate) async fn issue_if_complete(
    tx: &mut crate::WriteTx,
    person_id: Uuid,
    trade_code: &str,
    site_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let today = crate::verdicts::business_date(at);
    let latest_training = training_record::Entity::find()
        .filter(training_record::Column::PersonId.eq(person_id))
        .filter(
            training_record::Column::Kind.eq(anpei_domain::rules::TrainingKind::SpecialOps.code()),
        )
        .filter(training_record::Column::TradeCode.eq(trade_code))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|t| t.ended_on)
        .max();
    let Some(latest_training) = latest_training else {
        return Ok(None);
    };
    let sessions: std::collections::HashMap<Uuid, exam_session::Model> =
        exam_session::Entity::find()
            .filter(exam_session::Column::TradeCode.eq(trade_code))
            .all(tx.conn())
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let theory = exam_attempt::Entity::find()
        .filter(exam_attempt::Column::PersonId.eq(person_id))
        .filter(exam_attempt::Column::Passed.eq(true))
        .all(tx.conn())
        .await?
        .into_iter()
        .any(|a| {
            sessions
                .get(&a.session_id)
                .is_some_and(|s| s.part == ExamPart::Theory.code())
                && crate::verdicts::business_date(a.started_at) >= latest_training
        });
    let practical = practical_score::Entity::find()
        .filter(practical_score::Column::PersonId.eq(person_id))
        .filter(practical_score::Column::Passed.eq(true))
        .all(tx.conn())
        .await?
        .into_iter()
        .any(|p| {
            sessions
                .get(&p.session_id)
                .is_some_and(|s| s.part == ExamPart::Practical.code())
                && crate::verdicts::business_date(p.scored_at) >= latest_training
        });
    if !(theory && practical) {
        return Ok(None);
    }
    let holds = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .filter(certificate::Column::Kind.eq(CertificateKind::SpecialOps.code()))
        .filter(certificate::Column::TradeCode.eq(trade_code))
        .filter(certificate::Column::Revoked.eq(false))
        .filter(certificate::Column::ExpiresOn.gte(today))
        .count(tx.conn())
        .await?;
    if holds > 0 {
        return Ok(None);
    }
    let region = super::attempts::site_region(tx.conn(), site_id).await?;
    let authority = CertificateAuthority::of_region(&region);
    let new = NewCertificate {
        kind: CertificateKind::SpecialOps,
        trade: Some(trade_code.to_owned()),
        issued_on: today,
    };
    let model = issue_in(
        tx,
        &authority,
        person_id,
        &new,
        Some(trade_code.to_owned()),
        rules_for(CertificateKind::SpecialOps),
    )
    .await?;
    Ok(Some(model.number))
}

/// What an examiner's score sheet shows for one examinee.
#[derive(Clone, Debug)]
pub struct SheetView {
    pub access: super::sessions::SessionAccess,
    pub registration: exam_registration::Model,
    pub name: String,
    pub id_number: anpei_domain::IdNumber,
    pub sheet: anpei_domain::exam::ScoreSheet,
    pub pass_mark: u32,
    /// The marks already given, if the examinee has been scored.
    pub scored: Option<practical_score::Model>,
    /// The current special-operations certificate of the trade, if the person holds one.
    pub certificate: Option<String>,
}

/// The score sheet of one registration of a practical session, for its examiners and
/// organisers; `NotFound` for everyone else, as the scoring itself.
pub async fn sheet_for(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    session_id: Uuid,
    person_id: Uuid,
    registration_id: Uuid,
) -> Result<SheetView, StoreError> {
    let access = super::sessions::session_access(db, actor, session_id).await?;
    if !access.may_examine() || access.session.part != ExamPart::Practical.code() {
        return Err(StoreError::NotFound);
    }
    let registration = exam_registration::Entity::find_by_id((person_id, registration_id))
        .one(db)
        .await?
        .filter(|r| r.session_id == session_id)
        .ok_or(StoreError::NotFound)?;
    let person = crate::entity::person::Entity::find_by_id(person_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let id_number = anpei_domain::IdNumber::parse(&person.id_number)
        .map_err(|_| StoreError::Db(sea_orm::DbErr::Custom("stored id_number".into())))?;
    let blueprint = exam_blueprint::Entity::find_by_id(access.session.blueprint_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let version = sheet_version(db, &blueprint).await?;
    let sheet = super::codec::sheet_of(&version)?;
    let scored = practical_score::Entity::find()
        .filter(practical_score::Column::PersonId.eq(person_id))
        .filter(practical_score::Column::RegistrationId.eq(registration_id))
        .one(db)
        .await?;
    let certificate = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .filter(certificate::Column::Kind.eq(CertificateKind::SpecialOps.code()))
        .filter(certificate::Column::TradeCode.eq(access.session.trade_code.as_str()))
        .filter(certificate::Column::Revoked.eq(false))
        .one(db)
        .await?
        .map(|c| c.number);
    Ok(SheetView {
        access,
        registration,
        name: person.name,
        id_number,
        sheet,
        pass_mark: blueprint.pass_mark as u32,
        scored,
        certificate,
    })
}

/// The marks of a stored score, in the sheet's order.
pub fn marks_of(score: &practical_score::Model) -> Vec<MarkJson> {
    serde_json::from_str(&score.marks).unwrap_or_default()
}

/// The evidence references of a stored score.
pub fn evidence_of(score: &practical_score::Model) -> Vec<String> {
    serde_json::from_str(&score.evidence).unwrap_or_default()
}

/// The practical scores given in a session (for its console; the caller has checked access).
pub async fn session_scores(
    db: &impl sea_orm::ConnectionTrait,
    session_id: Uuid,
) -> Result<Vec<practical_score::Model>, StoreError> {
    Ok(practical_score::Entity::find()
        .filter(practical_score::Column::SessionId.eq(session_id))
        .all(db)
        .await?)
}
