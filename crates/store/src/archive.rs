//! Signed archive exports (SPEC C2): a person's archive as JSON, signed with the
//! installation's SM2 ledger key, that a third party can check offline with
//! `anpei archive verify FILE` (or any SM2/SM3 implementation, following ARCHITECTURE.md).
//!
//! The signature covers the canonical form of the document without its `signature` field:
//! serde_json with sorted keys and no whitespace.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::ledger::{Signer, verify_signature};
use crate::read::Archive;

pub const FORMAT: &str = "anpei-archive/1";

/// Builds and signs the export. The ID number is written in full only when the person
/// exports their own archive; anyone else gets it masked.
pub fn export(
    archive: &Archive,
    full_identity: bool,
    signer: &Signer,
    now: DateTime<Utc>,
) -> Value {
    let person = &archive.person;
    let id_number = if full_identity {
        person.id_number.as_str().to_owned()
    } else {
        person.id_number.masked()
    };
    let employments: Vec<Value> = archive
        .employments
        .iter()
        .map(|e| {
            json!({
                "enterprise": e.enterprise_name,
                "enterprise_credit_code": e.enterprise_credit_code,
                "city": e.city_name,
                "kind": e.kind.code(),
                "position": e.position,
                "team_leader": e.flags.team_leader,
                "special_ops_trade": e.flags.special_ops_trade,
                "key_position": e.flags.key_position,
                "principal_leader": e.flags.principal_leader,
                "safety_manager": e.flags.safety_manager,
                "from": e.period.from(),
                "to": e.period.to(),
                "recorded_by": e.recorded.as_ref().map(|r| r.actor_name.clone()),
                "recorded_at": e.recorded.as_ref().map(|r| r.at),
                "ledger_seq": e.recorded.as_ref().map(|r| r.seq),
            })
        })
        .collect();
    let mut document = json!({
        "format": FORMAT,
        "exported_at": now,
        "person": {
            "id": person.id,
            "name": person.name,
            "id_number": id_number,
            "id_number_masked": !full_identity,
            "gender": person.gender.code(),
            "birth_date": person.birth_date,
        },
        "employments": employments,
        // Sections later capabilities fill; present so consumers can rely on the shape.
        "training": archive.trainings.iter().map(|t| json!({
            "kind": t.kind,
            "ended_on": t.ended_on,
            "hours": t.hours,
            "passed_exam": t.passed_exam,
            "provider": t.provider,
        })).collect::<Vec<_>>(),
        "exams": [],
        "certificates": archive.certificates.iter().map(|c| json!({
            "number": c.number,
            "kind": c.kind.code(),
            "trade": c.trade.map(|t| t.code),
            "issuer": c.issuer,
            "issued_on": c.issued_on,
            "expires_on": c.expires_on,
            "last_reviewed_on": c.last_reviewed_on,
            "status_at_export": c.status.code(),
            "ledger_seq": c.recorded.as_ref().map(|r| r.seq),
        })).collect::<Vec<_>>(),
        "assessments": archive.assessments.iter().map(|a| json!({
            "assessed_on": a.assessed_on,
            "position": a.position,
            "passed": a.passed,
        })).collect::<Vec<_>>(),
        "credits": [],
        "ledger": {
            "head_seq": archive.ledger_head.0,
            "head_hash": hex::encode(&archive.ledger_head.1),
            "entries_about_person": archive.history.len(),
        },
    });
    let info = signer.public_info();
    let signature = signer.sign(document.to_string().as_bytes());
    if let Value::Object(map) = &mut document {
        map.insert(
            "signature".to_owned(),
            json!({
                "algo": info.algo,
                "hash": crate::ledger::HASH_ALGO,
                "key_id": info.key_id,
                "public_key": info.public_key,
                "value": hex::encode(signature),
            }),
        );
    }
    document
}

/// Why an export failed verification.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArchiveVerifyError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not an Anpei archive export (format {0:?})")]
    Format(String),
    #[error("the signature block is missing or incomplete")]
    NoSignature,
    #[error("signed with key {found}, not the expected key {expected}")]
    WrongKey { expected: String, found: String },
    #[error("the signature does not match the content: the file was altered")]
    BadSignature,
}

/// What a successful check established.
#[derive(Debug, Clone)]
pub struct VerifiedArchive {
    pub key_id: String,
    pub person_name: String,
    pub exported_at: String,
    pub employments: usize,
}

/// Checks an export. With `expected_key` (hex public key, or key id) the signer must be that
/// installation; without it the embedded key is used and reported, for the caller to
/// compare with the published one.
pub fn verify(
    text: &str,
    expected_key: Option<&str>,
) -> Result<VerifiedArchive, ArchiveVerifyError> {
    let mut document: Value =
        serde_json::from_str(text).map_err(|e| ArchiveVerifyError::NotJson(e.to_string()))?;
    let format = document
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if format != FORMAT {
        return Err(ArchiveVerifyError::Format(format));
    }
    let signature = match &mut document {
        Value::Object(map) => map.remove("signature"),
        _ => None,
    }
    .ok_or(ArchiveVerifyError::NoSignature)?;
    let field = |name: &str| {
        signature
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (Some(public_key), Some(value), Some(key_id)) =
        (field("public_key"), field("value"), field("key_id"))
    else {
        return Err(ArchiveVerifyError::NoSignature);
    };
    if let Some(expected) = expected_key {
        let expected = expected.trim();
        if expected != public_key && expected != key_id {
            return Err(ArchiveVerifyError::WrongKey {
                expected: expected.to_owned(),
                found: key_id,
            });
        }
    }
    let signature = hex::decode(value).map_err(|_| ArchiveVerifyError::BadSignature)?;
    if !verify_signature(&public_key, document.to_string().as_bytes(), &signature) {
        return Err(ArchiveVerifyError::BadSignature);
    }
    Ok(VerifiedArchive {
        key_id,
        person_name: document["person"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        exported_at: document["exported_at"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        employments: document["employments"].as_array().map_or(0, Vec::len),
    })
}
