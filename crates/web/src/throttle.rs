//! Throttling of guesses (OWASP ASVS 2.2.1): sign-in failures per account and per client
//! address slow the next try and then lock it out for a while. In memory, one per server;
//! a restart forgets it, which costs an attacker a restart they cannot cause.
//!
//! The rule, per key (an account's username, or an address):
//! - up to `free` failures in a window: every try is answered;
//! - after that each try must wait `2^(failures - free)` seconds (capped) from the last
//!   failure; a try made while waiting is refused unanswered *and counts as a failure*,
//!   so a client that ignores `Retry-After` reaches the lockout sooner;
//! - at `lock_after` failures the key is locked out for `lockout`, whatever is tried.
//!
//! A success clears the account's count (not the address's: one right password among many
//! wrong ones from one address does not wipe the address's record).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The thresholds of one kind of key.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures answered without delay.
    pub free: u32,
    /// Failures at which the key is locked out.
    pub lock_after: u32,
    /// How long a lockout lasts, and how long failures are remembered.
    pub lockout: Duration,
    /// The longest delay between tries before the lockout.
    pub max_delay: Duration,
}

/// Accounts: five free tries, then waits of 1, 2, 4, 8 s, locked at the tenth failure for
/// 15 minutes (ASVS 2.2.1 asks for at most 100 failures an hour; this allows 40).
pub const PER_ACCOUNT: Policy = Policy {
    free: 5,
    lock_after: 10,
    lockout: Duration::from_secs(15 * 60),
    max_delay: Duration::from_secs(30),
};

/// Addresses: many people may share one address (an enterprise's NAT, a training room), so
/// more tries, locked at 50 failures in 15 minutes.
pub const PER_ADDRESS: Policy = Policy {
    free: 20,
    lock_after: 50,
    lockout: Duration::from_secs(15 * 60),
    max_delay: Duration::from_secs(30),
};

/// Keys kept at most; past this, keys neither locked nor recently failing are forgotten.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    first: Instant,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Why a try is refused before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too soon after the last failure: try again after this long.
    Wait(Duration),
    /// Locked out for this long.
    Locked(Duration),
}

impl Refusal {
    pub fn retry_after(self) -> Duration {
        match self {
            Refusal::Wait(d) | Refusal::Locked(d) => d,
        }
    }
}

/// One kind of key's failures.
#[derive(Debug, Clone)]
pub struct Throttle {
    policy: Policy,
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Throttle {
    pub fn new(policy: Policy) -> Self {
        Throttle {
            policy,
            entries: Arc::default(),
        }
    }

    /// Whether `key` may try now. A refused try counts as a failure.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Refusal> {
        let mut entries = self.lock();
        let Some(entry) = entries.get_mut(key) else {
            return Ok(());
        };
        if let Some(until) = entry.locked_until {
            if now < until {
                return Err(Refusal::Locked(until - now));
            }
            entries.remove(key);
            return Ok(());
        }
        if now.duration_since(entry.first) > self.policy.lockout {
            entries.remove(key);
            return Ok(());
        }
        if entry.failures < self.policy.free {
            return Ok(());
        }
        let delay = self.delay(entry.failures);
        let ready = entry.last + delay;
        if now >= ready {
            return Ok(());
        }
        // Refused while waiting: that counts.
        let refusal = Self::record(&self.policy, entry, now);
        Err(refusal.unwrap_or(Refusal::Wait(ready - now)))
    }

    /// Records a failed try; returns the refusal the key is now under, if any.
    pub fn failed(&self, key: &str, now: Instant) -> Option<Refusal> {
        let mut entries = self.lock();
        if entries.len() >= MAX_KEYS && !entries.contains_key(key) {
            let keep = self.policy.lockout;
            entries.retain(|_, e| {
                e.locked_until.is_some_and(|until| until > now)
                    || now.duration_since(e.last) < keep / 15
            });
            if entries.len() >= MAX_KEYS {
                entries.retain(|_, e| e.locked_until.is_some_and(|until| until > now));
            }
        }
        let entry = entries.entry(key.to_owned()).or_insert(Entry {
            failures: 0,
            first: now,
            last: now,
            locked_until: None,
        });
        if now.duration_since(entry.first) > self.policy.lockout && entry.locked_until.is_none() {
            *entry = Entry {
                failures: 0,
                first: now,
                last: now,
                locked_until: None,
            };
        }
        let refusal = Self::record(&self.policy, entry, now);
        refusal.or_else(|| {
            (entry.failures >= self.policy.free).then(|| Refusal::Wait(self.delay(entry.failures)))
        })
    }

    /// Failures on record for `key`.
    pub fn failures(&self, key: &str) -> u32 {
        self.lock().get(key).map_or(0, |e| e.failures)
    }

    /// Forgets `key` (after a success).
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    fn record(policy: &Policy, entry: &mut Entry, now: Instant) -> Option<Refusal> {
        entry.failures = entry.failures.saturating_add(1);
        entry.last = now;
        if entry.failures >= policy.lock_after {
            let until = *entry.locked_until.get_or_insert(now + policy.lockout);
            return Some(Refusal::Locked(until.saturating_duration_since(now)));
        }
        None
    }

    fn delay(&self, failures: u32) -> Duration {
        let steps = failures.saturating_sub(self.policy.free).min(16);
        Duration::from_secs(1u64 << steps).min(self.policy.max_delay)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The sign-in throttles of a server: one per account, one per client address.
#[derive(Debug, Clone)]
pub struct SignInThrottle {
    pub accounts: Throttle,
    pub addresses: Throttle,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        SignInThrottle {
            accounts: Throttle::new(PER_ACCOUNT),
            addresses: Throttle::new(PER_ADDRESS),
        }
    }
}

impl SignInThrottle {
    /// Whether a try for `username` from `addr` may be checked now.
    pub fn check(&self, username: &str, addr: Option<IpAddr>, now: Instant) -> Result<(), Refusal> {
        let account = self.accounts.check(&account_key(username), now);
        let address = match addr {
            Some(addr) => self.addresses.check(&addr.to_string(), now),
            None => Ok(()),
        };
        worst(account, address)
    }

    /// Records a failure for both keys; returns the refusal now in force, if any.
    pub fn failed(&self, username: &str, addr: Option<IpAddr>, now: Instant) -> Option<Refusal> {
        let account = self.accounts.failed(&account_key(username), now);
        let address = addr.and_then(|addr| self.addresses.failed(&addr.to_string(), now));
        worst(account.map_or(Ok(()), Err), address.map_or(Ok(()), Err)).err()
    }

    pub fn failures(&self, username: &str) -> u32 {
        self.accounts.failures(&account_key(username))
    }

    pub fn succeeded(&self, username: &str) {
        self.accounts.clear(&account_key(username));
    }
}

/// Usernames compare as the store compares them (trimmed); case is kept apart only by
/// the store, so the throttle folds it to be safe.
fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

fn worst(a: Result<(), Refusal>, b: Result<(), Refusal>) -> Result<(), Refusal> {
    match (a, b) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(r), Ok(())) | (Ok(()), Err(r)) => Err(r),
        (Err(x), Err(y)) => Err(match (x, y) {
            (Refusal::Locked(_), Refusal::Wait(_)) => x,
            (Refusal::Wait(_), Refusal::Locked(_)) => y,
            _ if x.retry_after() >= y.retry_after() => x,
            _ => y,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (failures already recorded, seconds since the last one) → what the next try gets.
    #[test]
    fn an_account_is_answered_then_slowed_then_locked() {
        let throttle = Throttle::new(PER_ACCOUNT);
        let t0 = Instant::now();
        let mut outcomes = Vec::new();
        for _ in 0..20 {
            match throttle.check("worker", t0) {
                Ok(()) => {
                    throttle.failed("worker", t0);
                    outcomes.push("answered");
                }
                Err(Refusal::Wait(_)) => outcomes.push("wait"),
                Err(Refusal::Locked(_)) => outcomes.push("locked"),
            }
        }
        // Five answered, then each try refused (and counted) until the tenth locks.
        assert_eq!(&outcomes[..5], &["answered"; 5]);
        assert_eq!(&outcomes[5..9], &["wait"; 4]);
        assert!(outcomes[9..].iter().all(|o| *o == "locked"), "{outcomes:?}");
        // Locked for 15 minutes even for the right password; free again after.
        assert!(matches!(
            throttle.check("worker", t0 + Duration::from_secs(14 * 60)),
            Err(Refusal::Locked(_))
        ));
        assert_eq!(
            throttle.check("worker", t0 + Duration::from_secs(15 * 60 + 1)),
            Ok(())
        );
    }

    #[test]
    fn a_client_that_waits_as_told_gets_its_tries_answered_until_the_lockout() {
        let throttle = Throttle::new(PER_ACCOUNT);
        let mut now = Instant::now();
        let mut answered = 0;
        for _ in 0..10 {
            match throttle.check("a", now) {
                Ok(()) => {
                    answered += 1;
                    if let Some(refusal) = throttle.failed("a", now) {
                        now += refusal.retry_after();
                    }
                }
                Err(refusal) => panic!("waited as told, still refused: {refusal:?}"),
            }
        }
        assert_eq!(answered, 10);
        assert!(matches!(
            throttle.check("a", now - Duration::from_secs(1)),
            Err(Refusal::Locked(_))
        ));
    }

    #[test]
    fn old_failures_are_forgotten_and_a_success_clears_the_account() {
        let throttle = SignInThrottle::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            throttle.failed("Worker ", None, t0);
        }
        assert_eq!(throttle.failures("worker"), 4);
        throttle.succeeded("worker");
        assert_eq!(throttle.failures("worker"), 0);
        for _ in 0..7 {
            throttle.failed("worker", None, t0);
        }
        assert!(throttle.check("worker", None, t0).is_err());
        assert_eq!(
            throttle.check("worker", None, t0 + Duration::from_secs(16 * 60)),
            Ok(())
        );
    }

    #[test]
    fn an_address_locks_only_after_many_failures_across_accounts() {
        let throttle = SignInThrottle::default();
        let addr: IpAddr = [10, 0, 0, 7].into();
        let t0 = Instant::now();
        for n in 0..48 {
            throttle.failed(&format!("user{n}"), Some(addr), t0);
        }
        assert!(matches!(
            throttle.check("someone-else", Some(addr), t0),
            Err(Refusal::Wait(_))
        ));
        throttle.failed("user49", Some(addr), t0);
        assert!(matches!(
            throttle.check("someone-else", Some(addr), t0),
            Err(Refusal::Locked(_))
        ));
        assert_eq!(
            throttle.check("someone-else", Some([10, 0, 0, 8].into()), t0),
            Ok(())
        );
    }
}
