//! The certificate lifecycle (SPEC C3): issue, review (复审), renew (换证), suspend,
//! reinstate, revoke. Expiry is not an operation: status is computed from the dates on the
//! day asked (`anpei_domain::certificate::Certificate::status`). Every change is ledgered.

use anpei_domain::certificate::{
    CertificateKind, CertificateRules, NATIONAL_SAFETY_QUALIFICATION, NATIONAL_SPECIAL_OPS,
    expiry_for,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::access::{PersonRead, Scope};
use crate::entity::{certificate, certificate_number, person};
use crate::ledger::{Change, LedgerKey};
use crate::{Actor, Store, StoreError};

/// The rules that govern a kind of certificate. Kinds without national numbers here
/// (vocational qualification, skill level, training completion) are valid for the period
/// their issuer gives and have no review; they use the special-operations exam numbers.
pub fn rules_for(kind: CertificateKind) -> CertificateRules {
    match kind {
        CertificateKind::SpecialOps => NATIONAL_SPECIAL_OPS,
        CertificateKind::SafetyQualification => NATIONAL_SAFETY_QUALIFICATION,
        _ => CertificateRules {
            review_every_years: 0,
            ..NATIONAL_SPECIAL_OPS
        },
    }
}

/// Capability: may issue and change certificates (考核发证机关: city and province
/// emergency-management authorities).
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    issuer: String,
    region: String,
}

impl CertificateAuthority {
    /// The authority of a region by its code: the city's emergency-management bureau, or the
    /// province's department (what an exam site's results are issued under).
    pub fn of_region(region_code: &str) -> Self {
        let city = Actor::region_prefix(region_code);
        match anpei_domain::region::find(&format!("{city:0<6}")) {
            Some(region) if city.len() >= 4 => CertificateAuthority {
                issuer: format!("{}应急管理局", region.name),
                region: format!("{city:0<6}"),
            },
            _ => CertificateAuthority {
                issuer: "黑龙江省应急管理厅".to_owned(),
                region: anpei_domain::region::PROVINCE_CODE.to_owned(),
            },
        }
    }
}

pub fn certificate_authority(actor: &Actor) -> Result<CertificateAuthority, StoreError> {
    match &actor.scope {
        Scope::City(code) => Ok(CertificateAuthority {
            issuer: actor.display_name.clone(),
            region: code.clone(),
        }),
        Scope::Province => Ok(CertificateAuthority {
            issuer: actor.display_name.clone(),
            region: anpei_domain::region::PROVINCE_CODE.to_owned(),
        }),
        Scope::System => Ok(CertificateAuthority {
            issuer: actor.display_name.clone(),
            region: anpei_domain::region::PROVINCE_CODE.to_owned(),
        }),
        _ => Err(StoreError::Forbidden),
    }
}

#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub kind: CertificateKind,
    pub trade: Option<String>,
    pub issued_on: NaiveDate,
}

fn kind_letter(kind: CertificateKind) -> char {
    match kind {
        CertificateKind::SpecialOps => 'T',
        CertificateKind::SafetyQualification => 'A',
        CertificateKind::VocationalQualification => 'Z',
        CertificateKind::SkillLevel => 'J',
        CertificateKind::TrainingCompletion => 'P',
    }
}

/// Issues a certificate. Numbers are `T230100-2026-000001` (kind letter, issuing region,
/// year, sequence): never the ID number, so that a number in a QR code or a URL reveals
/// nothing about the holder.
pub async fn issue(
    store: &Store,
    actor: &Actor,
    authority: &CertificateAuthority,
    holder: PersonRead,
    new: NewCertificate,
    now: DateTime<Utc>,
) -> Result<certificate::Model, StoreError> {
    let rules = rules_for(new.kind);
    let trade = match (
        new.kind,
        new.trade
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()),
    ) {
        (CertificateKind::SpecialOps, None) => {
            return Err(StoreError::invalid_text(
                "trade",
                "特种作业操作证须注明作业类别",
                "A special-operations certificate needs a trade",
            ));
        }
        (_, Some(code)) => {
            let trade = anpei_domain::trade::find_trade(code).ok_or_else(|| {
                StoreError::invalid_text(
                    "trade",
                    format!("未知的特种作业类别：{code}"),
                    format!("Unknown special-operations trade {code}"),
                )
            })?;
            Some(trade.code.to_owned())
        }
        (_, None) => None,
    };
    let mut tx = store.write(actor, now).await?;
    let model = issue_in(&mut tx, authority, holder.person_id(), &new, trade, rules).await?;
    tx.commit().await?;
    Ok(model)
}

/// Issues a certificate inside a write that is already open (an exam result that completes
/// both parts issues the certificate in the grading's own transaction). `trade` is checked.
pub(crate) async fn issue_in(
    tx: &mut crate::WriteTx,
    authority: &CertificateAuthority,
    person_id: Uuid,
    new: &NewCertificate,
    trade: Option<String>,
    rules: CertificateRules,
) -> Result<certificate::Model, StoreError> {
    let holder_row = person::Entity::find_by_id(person_id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let age = anpei_domain::IdNumber::parse(&holder_row.id_number)
        .map(|id| id.age_on(new.issued_on))
        .unwrap_or(0);
    if age < rules.min_age {
        return Err(StoreError::invalid_text(
            "issued_on",
            format!(
                "持证人发证时须年满 {} 周岁（此人为 {age} 周岁）",
                rules.min_age
            ),
            format!(
                "The holder must be at least {} on the issue date (is {age})",
                rules.min_age
            ),
        ));
    }
    let prefix = format!(
        "{}{}-{}-",
        kind_letter(new.kind),
        authority.region,
        new.issued_on.year()
    );
    let taken = certificate_number::Entity::find()
        .filter(certificate_number::Column::Number.starts_with(&prefix))
        .count(tx.conn())
        .await?;
    let number = format!("{prefix}{:06}", taken + 1);
    let id = Uuid::now_v7();
    let model = certificate::Model {
        person_id,
        id,
        number: number.clone(),
        kind: new.kind.code().to_owned(),
        trade_code: trade,
        issuer: authority.issuer.clone(),
        issuer_region: authority.region.clone(),
        issued_on: new.issued_on,
        expires_on: expiry_for(new.issued_on, &rules),
        last_reviewed_on: None,
        suspended: false,
        revoked: false,
        status_reason: None,
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    certificate::Entity::insert(certificate::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await?;
    certificate_number::Entity::insert(certificate_number::ActiveModel {
        number: Set(number),
        person_id: Set(person_id),
        certificate_id: Set(id),
        verification_token: Set(new_verification_token()?),
    })
    .exec(tx.conn())
    .await?;
    tx.record(Change::of(
        "certificate.issue",
        LedgerKey::Certificate { person_id, id },
        &model,
    ));
    Ok(model)
}

/// Bytes of randomness in a verification token: 144 bits, 24 URL-safe characters.
const TOKEN_BYTES: usize = 18;

/// A fresh verification token for a certificate's QR code (issue 13): random bits from the
/// operating system, URL-safe base64. Every new certificate gets one; review, renewal,
/// suspension and revocation keep it, so a printed QR code keeps working for the life of
/// the certificate number (a certificate issued again has a new number and a new token).
pub fn new_verification_token() -> Result<String, StoreError> {
    use base64::Engine;
    use rand::TryRngCore;
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(std::io::Error::other)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A change to an existing certificate.
#[derive(Debug, Clone)]
pub enum Lifecycle {
    /// A passed review (复审) on this date.
    Review {
        on: NaiveDate,
    },
    /// Renewal (换证): a new validity period from this date.
    Renew {
        on: NaiveDate,
    },
    Suspend {
        reason: String,
    },
    Reinstate,
    Revoke {
        reason: String,
    },
}

impl Lifecycle {
    fn action(&self) -> &'static str {
        match self {
            Lifecycle::Review { .. } => "certificate.review",
            Lifecycle::Renew { .. } => "certificate.renew",
            Lifecycle::Suspend { .. } => "certificate.suspend",
            Lifecycle::Reinstate => "certificate.reinstate",
            Lifecycle::Revoke { .. } => "certificate.revoke",
        }
    }
}

fn refuse(zh: &str, en: &str) -> StoreError {
    StoreError::invalid_text("certificate", zh, en)
}

pub async fn change(
    store: &Store,
    actor: &Actor,
    _authority: &CertificateAuthority,
    holder: PersonRead,
    certificate_id: Uuid,
    change: Lifecycle,
    now: DateTime<Utc>,
) -> Result<certificate::Model, StoreError> {
    let mut tx = store.write(actor, now).await?;
    let row = certificate::Entity::find_by_id((holder.person_id(), certificate_id))
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    if row.revoked {
        return Err(refuse(
            "该证书已撤销，不能再变更",
            "This certificate is revoked and cannot change",
        ));
    }
    let kind = CertificateKind::parse(&row.kind).unwrap_or(CertificateKind::TrainingCompletion);
    let rules = rules_for(kind);
    let mut active: certificate::ActiveModel = row.clone().into();
    match &change {
        Lifecycle::Review { on } => {
            if *on < row.issued_on || *on > row.expires_on {
                return Err(StoreError::invalid_text(
                    "on",
                    "复审日期须在证书有效期内",
                    "The review date must fall within the validity period",
                ));
            }
            if rules.review_every_years == 0 {
                return Err(refuse(
                    "此类证书无需复审",
                    "This kind of certificate has no review",
                ));
            }
            active.last_reviewed_on = Set(Some(*on));
        }
        Lifecycle::Renew { on } => {
            if *on < row.issued_on {
                return Err(StoreError::invalid_text(
                    "on",
                    "换证日期不能早于发证日期",
                    "The renewal date cannot precede the issue date",
                ));
            }
            active.issued_on = Set(*on);
            active.expires_on = Set(expiry_for(*on, &rules));
            active.last_reviewed_on = Set(None);
        }
        Lifecycle::Suspend { reason } | Lifecycle::Revoke { reason }
            if reason.trim().is_empty() =>
        {
            return Err(StoreError::invalid_text(
                "reason",
                "请填写原因",
                "Give the reason",
            ));
        }
        Lifecycle::Suspend { reason } => {
            if row.suspended {
                return Err(refuse(
                    "该证书已暂扣",
                    "This certificate is already suspended",
                ));
            }
            active.suspended = Set(true);
            active.status_reason = Set(Some(reason.trim().to_owned()));
        }
        Lifecycle::Reinstate => {
            if !row.suspended {
                return Err(refuse(
                    "该证书未被暂扣",
                    "This certificate is not suspended",
                ));
            }
            active.suspended = Set(false);
            active.status_reason = Set(None);
        }
        Lifecycle::Revoke { reason } => {
            active.revoked = Set(true);
            active.status_reason = Set(Some(reason.trim().to_owned()));
        }
    }
    active.updated_at = Set(tx.at());
    let model = active.update(tx.conn()).await?;
    tx.record(Change::of(
        change.action(),
        LedgerKey::Certificate {
            person_id: model.person_id,
            id: model.id,
        },
        &model,
    ));
    tx.commit().await?;
    Ok(model)
}

/// Certificates of a person, newest first.
pub async fn of_person(
    db: &impl sea_orm::ConnectionTrait,
    holder: PersonRead,
) -> Result<Vec<certificate::Model>, StoreError> {
    use sea_orm::QueryOrder;
    Ok(certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(holder.person_id()))
        .order_by_desc(certificate::Column::IssuedOn)
        .all(db)
        .await?)
}
