//! The public verification cache: what `GET /verify/{number}` needs of a certificate,
//! kept in memory by number so that a QR scan is answered without touching the database.
//!
//! Correctness rests on three things:
//! - Only what does not depend on the day is cached (the certificate's facts and the
//!   masked holder); the status (valid, review overdue, expired, ...) is computed from them
//!   on every lookup, so midnight needs no invalidation.
//! - A write through this process's [`crate::Store`] that changes a certificate or a person
//!   clears the cache when it commits (a holder's name change re-masks, a revocation shows at
//!   once).
//! - An entry lives at most [`TTL`], which bounds how long a write by another process (a
//!   second server, a CLI import) can go unseen.
//!
//! Unknown numbers are not cached: a flood of made-up numbers cannot fill memory, and a
//! number issued a moment ago is found at once.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::read::{CERTIFICATE_WARN_DAYS, PublicCertificate};

/// How long an entry is trusted without a write of this process clearing it.
pub const TTL: Duration = Duration::from_secs(10);

/// Entries kept at most; past it the cache is emptied and fills again (lookups then read
/// the database until it does).
pub const CAPACITY: usize = 200_000;

/// What is cached of one certificate: everything of [`PublicCertificate`] except the
/// status and the next review, which depend on the day.
#[derive(Debug, Clone)]
pub struct CachedCertificate {
    pub public: PublicCertificate,
    pub value: anpei_domain::certificate::Certificate,
}

impl CachedCertificate {
    /// The public answer on `today`.
    pub fn on(&self, today: NaiveDate) -> PublicCertificate {
        let rules = crate::ops::certificates::rules_for(self.value.kind);
        let mut public = self.public.clone();
        public.next_review_due = self.value.next_review_due(&rules);
        public.status = self.value.status(&rules, today, CERTIFICATE_WARN_DAYS);
        public
    }
}

#[derive(Debug, Default)]
pub struct VerifyCache {
    entries: RwLock<HashMap<String, (Instant, CachedCertificate)>>,
}

impl VerifyCache {
    /// The entry for `number` (already normalised), if fresh.
    pub fn get(&self, number: &str) -> Option<CachedCertificate> {
        let entries = self.entries.read().ok()?;
        let (stored, entry) = entries.get(number)?;
        (stored.elapsed() < TTL).then(|| entry.clone())
    }

    pub fn put(&self, number: String, entry: CachedCertificate) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(number, (Instant::now(), entry));
        }
    }

    /// Forgets everything (a certificate or a person changed).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anpei_domain::certificate::{Certificate, CertificateKind, CertificateStatus};

    fn entry(expires_on: NaiveDate) -> CachedCertificate {
        let issued_on = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let value = Certificate {
            kind: CertificateKind::SpecialOps,
            trade: Some("1.2".to_owned()),
            issued_on,
            expires_on,
            last_reviewed_on: None,
            suspended: false,
            revoked: false,
        };
        CachedCertificate {
            public: PublicCertificate {
                number: "T1".to_owned(),
                kind: value.kind,
                trade: None,
                holder_masked: "张*".to_owned(),
                issuer: "x".to_owned(),
                issued_on,
                expires_on,
                last_reviewed_on: None,
                next_review_due: None,
                status: CertificateStatus::Valid,
            },
            value,
        }
    }

    #[test]
    fn the_status_is_computed_for_the_day_asked_not_the_day_cached() {
        let expires = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let cached = entry(expires);
        let before = cached.on(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default());
        let after = cached.on(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap_or_default());
        assert_ne!(before.status, CertificateStatus::Expired);
        assert_eq!(after.status, CertificateStatus::Expired);
    }

    #[test]
    fn clear_forgets_and_capacity_bounds_memory() {
        let cache = VerifyCache::default();
        let expires = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap_or_default();
        cache.put("A".to_owned(), entry(expires));
        assert!(cache.get("A").is_some());
        assert!(cache.get("B").is_none());
        cache.clear();
        assert!(cache.get("A").is_none());
        for i in 0..=CAPACITY {
            cache.put(format!("N{i}"), entry(expires));
        }
        assert!(cache.len() <= CAPACITY);
    }
}
