//! Builders shared by the rules' tables of cases: a worker with one current post, and
//! training, assessment and certificate records in one line each.

use chrono::NaiveDate;

use crate::certificate::{Certificate, CertificateKind, CertificateRules};
use crate::employment::{EmploymentKind, Period, PositionFlags};

use super::facts::{
    AssessmentRecord, EmploymentFact, HeldCertificate, PersonFacts, TrainingKind, TrainingRecord,
};

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// A regular position with no flags.
pub fn employment(
    id: &str,
    enterprise: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> EmploymentFact {
    EmploymentFact {
        id: id.to_owned(),
        enterprise: enterprise.to_owned(),
        kind: EmploymentKind::Regular,
        flags: PositionFlags::default(),
        period: Period::new(from, to).expect("valid test period"),
    }
}

/// Person "p1" holding position "job" at enterprise "e1" since `from`.
pub fn worker(from: NaiveDate) -> PersonFacts {
    PersonFacts {
        person_id: "p1".to_owned(),
        employments: vec![employment("job", "e1", from, None)],
        ..PersonFacts::default()
    }
}

pub fn training(
    kind: TrainingKind,
    on: NaiveDate,
    hours: f64,
    passed_exam: bool,
) -> TrainingRecord {
    TrainingRecord {
        kind,
        on,
        hours,
        passed_exam,
    }
}

pub fn assessment(on: NaiveDate, passed: bool) -> AssessmentRecord {
    AssessmentRecord {
        on,
        passed,
        position: "主控室操作工".to_owned(),
    }
}

/// A certificate issued on `issued_on`, expiring per `rules`.
pub fn held(
    number: &str,
    kind: CertificateKind,
    trade: Option<&str>,
    issued_on: NaiveDate,
    rules: &CertificateRules,
) -> HeldCertificate {
    HeldCertificate {
        number: number.to_owned(),
        certificate: Certificate::issue(kind, trade.map(str::to_owned), issued_on, rules),
    }
}
