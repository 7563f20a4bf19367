//! Progress of roster imports in flight on this server, so that the upload page can show
//! rows checked and written while its upload request is still running.
//!
//! The page picks a random token, sends it with the file, and asks for the token's progress
//! while it waits. Entries belong to the account that started them (another account is
//! told "not found") and are forgotten ten minutes after their last change. Memory only:
//! an import lives inside one request of one server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anpei_store::ops::roster::ImportStep;
use uuid::Uuid;

/// How long a finished or abandoned entry is kept.
const KEEP: Duration = Duration::from_secs(600);

/// Where one import stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub step: ImportStep,
    pub done: u64,
    pub total: u64,
}

struct Entry {
    owner: Uuid,
    at: Snapshot,
    changed: Instant,
}

#[derive(Clone, Default)]
pub struct ImportProgress(Arc<Mutex<HashMap<String, Entry>>>);

impl std::fmt::Debug for ImportProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportProgress")
            .field("in_flight", &self.entries().len())
            .finish()
    }
}

impl ImportProgress {
    /// A token as the page sends it: 8 to 64 letters, digits or hyphens.
    pub fn valid_token(token: &str) -> bool {
        (8..=64).contains(&token.len())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts tracking `token` for `owner`; `false` if the token is taken by another
    /// account (the import then runs without progress).
    pub fn begin(&self, token: &str, owner: Uuid) -> bool {
        let mut entries = self.entries();
        entries.retain(|_, entry| entry.changed.elapsed() < KEEP);
        if entries.get(token).is_some_and(|entry| entry.owner != owner) {
            return false;
        }
        entries.insert(
            token.to_owned(),
            Entry {
                owner,
                at: Snapshot {
                    step: ImportStep::Checking,
                    done: 0,
                    total: 0,
                },
                changed: Instant::now(),
            },
        );
        true
    }

    pub fn update(&self, token: &str, step: ImportStep, done: u64, total: u64) {
        if let Some(entry) = self.entries().get_mut(token) {
            entry.at = Snapshot { step, done, total };
            entry.changed = Instant::now();
        }
    }

    /// The token's progress, for its owner only.
    pub fn get(&self, token: &str, owner: Uuid) -> Option<Snapshot> {
        self.entries()
            .get(token)
            .filter(|entry| entry.owner == owner)
            .map(|entry| entry.at)
    }

    /// Forgets the token (an import that failed: the page shows the errors instead).
    pub fn end(&self, token: &str) {
        self.entries().remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_read_by_its_owner_only() {
        let progress = ImportProgress::default();
        let (owner, other) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(progress.begin("token-0001", owner));
        progress.update("token-0001", ImportStep::Writing, 40, 100);
        assert_eq!(
            progress.get("token-0001", owner),
            Some(Snapshot {
                step: ImportStep::Writing,
                done: 40,
                total: 100
            })
        );
        assert_eq!(progress.get("token-0001", other), None);
        assert!(
            !progress.begin("token-0001", other),
            "another account cannot take it over"
        );
        progress.end("token-0001");
        assert_eq!(progress.get("token-0001", owner), None);
    }

    #[test]
    fn tokens_are_short_plain_strings() {
        assert!(ImportProgress::valid_token(
            "3f2a9c1e-77b0-4c1d-9a0e-2b7c5d1e0f42"
        ));
        assert!(!ImportProgress::valid_token("short"));
        assert!(!ImportProgress::valid_token("../../etc/passwd-xxxx"));
        assert!(!ImportProgress::valid_token(&"a".repeat(65)));
    }
}
