//! Sign-in attempts at the exam seat, counted and limited (issue 13, ASVS V2.2.1): after
//! [`LIMITS`]`.per_ticket` wrong ticket/ID-number pairs on one ticket, or
//! `.per_client` from one client address, within `.window`, further sign-ins on that ticket
//! or from that address are refused for `.lockout` — the right pair too, so that a guesser
//! learns nothing during the lockout.
//!
//! The counts live in memory, in two maps of at most `.capacity` entries each, one
//! [`SignInThrottle`] per exam desk (and so per server, see ARCHITECTURE.md "One desk per
//! database"). A restart forgets them, which costs a guesser's budget one more window at
//! most. Time is a parameter, as everywhere below the web layer.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// Whether a server applies its exam-day limits: always [`Limiting::On`], but for the
/// baseline of `anpei bench exam --compare-limits`, whose server (`anpei serve
/// --without-limits-for-bench`, refused on anything but a demo database) runs them
/// [`Limiting::Off`]: no sign-in is counted or locked here, and the web layer skips its
/// cross-origin write check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Limiting {
    #[default]
    On,
    Off,
}

/// How many wrong sign-ins are allowed, over how long, and for how long a lockout lasts.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Wrong pairs on one ticket (of one session) before it is locked. Five leaves room for
    /// an examinee's typos and makes guessing a known person's ID number (about a thousand
    /// candidates once the birth date and county are known) take days.
    pub per_ticket: u32,
    /// Wrong pairs from one client address before it is locked: an exam room sits behind
    /// one address, so this is well above what a room's typos add up to.
    pub per_client: u32,
    pub window: Duration,
    pub lockout: Duration,
    /// Entries per map; past it, entries whose window and lockout are over go first, then
    /// the unlocked entry with the oldest window.
    pub capacity: usize,
}

pub const LIMITS: Limits = Limits {
    per_ticket: 5,
    per_client: 30,
    window: Duration::minutes(10),
    lockout: Duration::minutes(10),
    capacity: 10_000,
};

#[derive(Clone, Copy, Debug)]
struct Count {
    failures: u32,
    since: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

impl Count {
    fn locked(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    fn spent(&self, now: DateTime<Utc>, limits: &Limits) -> bool {
        self.locked(now).is_none() && now - self.since > limits.window
    }
}

/// Counts per key with a bound on the keys.
#[derive(Debug)]
struct Counts<K> {
    map: HashMap<K, Count>,
    limit: u32,
}

impl<K: std::hash::Hash + Eq + Clone> Counts<K> {
    fn new(limit: u32) -> Self {
        Counts {
            map: HashMap::new(),
            limit,
        }
    }

    fn locked(&self, key: &K, now: DateTime<Utc>) -> Option<Duration> {
        self.map.get(key).and_then(|c| c.locked(now))
    }

    /// Counts a failure; returns the lockout it starts, if it starts one.
    fn fail(&mut self, key: &K, now: DateTime<Utc>, limits: &Limits) -> Option<Duration> {
        if !self.map.contains_key(key) && self.map.len() >= limits.capacity {
            self.map.retain(|_, c| !c.spent(now, limits));
            if self.map.len() >= limits.capacity
                && let Some(oldest) = self
                    .map
                    .iter()
                    .filter(|(_, c)| c.locked(now).is_none())
                    .min_by_key(|(_, c)| c.since)
                    .map(|(k, _)| k.clone())
            {
                self.map.remove(&oldest);
            }
        }
        let count = self.map.entry(key.clone()).or_insert(Count {
            failures: 0,
            since: now,
            locked_until: None,
        });
        if count.spent(now, limits) || count.locked_until.is_some_and(|u| u <= now) {
            *count = Count {
                failures: 0,
                since: now,
                locked_until: None,
            };
        }
        count.failures += 1;
        if count.failures >= self.limit {
            count.locked_until = Some(now + limits.lockout);
            count.failures = 0;
            return Some(limits.lockout);
        }
        None
    }

    fn clear(&mut self, key: &K) {
        self.map.remove(key);
    }
}

#[derive(Debug)]
struct State {
    tickets: Counts<(Uuid, String)>,
    clients: Counts<String>,
}

/// The sign-in counts of one server.
#[derive(Debug)]
pub struct SignInThrottle {
    limits: Limits,
    limiting: Limiting,
    state: Mutex<State>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        Self::new(LIMITS)
    }
}

/// A ticket as a key: trimmed and cut, so that a long string cannot grow the map's memory.
fn ticket_key(session_id: Uuid, ticket: &str) -> (Uuid, String) {
    (session_id, ticket.trim().chars().take(32).collect())
}

impl SignInThrottle {
    pub fn new(limits: Limits) -> Self {
        SignInThrottle {
            state: Mutex::new(State {
                tickets: Counts::new(limits.per_ticket),
                clients: Counts::new(limits.per_client),
            }),
            limits,
            limiting: Limiting::On,
        }
    }

    /// The default limits, or none at all ([`Limiting::Off`], the benchmark's baseline).
    pub fn limiting(limiting: Limiting) -> Self {
        SignInThrottle {
            limiting,
            ..Self::default()
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long until this ticket or this client may try again, if either is locked.
    pub fn locked(
        &self,
        session_id: Uuid,
        ticket: &str,
        client: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        if self.limiting == Limiting::Off {
            return None;
        }
        let state = self.state();
        let by_ticket = state.tickets.locked(&ticket_key(session_id, ticket), now);
        let by_client = client.and_then(|c| state.clients.locked(&c.to_owned(), now));
        by_ticket.max(by_client)
    }

    /// Counts a wrong pair; returns the lockout it starts, if it starts one.
    pub fn failed(
        &self,
        session_id: Uuid,
        ticket: &str,
        client: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        if self.limiting == Limiting::Off {
            return None;
        }
        let limits = self.limits;
        let mut state = self.state();
        let by_ticket = state
            .tickets
            .fail(&ticket_key(session_id, ticket), now, &limits);
        let by_client = client.and_then(|c| state.clients.fail(&c.to_owned(), now, &limits));
        by_ticket.max(by_client)
    }

    /// The right pair: the ticket's count starts again (the address's does not: it may be a
    /// whole room's).
    pub fn succeeded(&self, session_id: Uuid, ticket: &str) {
        if self.limiting == Limiting::Off {
            return;
        }
        self.state().tickets.clear(&ticket_key(session_id, ticket));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::seconds(seconds)
    }

    #[test]
    fn the_fifth_wrong_pair_locks_the_ticket_for_the_lockout() {
        let throttle = SignInThrottle::default();
        let session = Uuid::nil();
        for n in 0..4 {
            assert_eq!(throttle.failed(session, "t", None, at(n)), None);
            assert_eq!(throttle.locked(session, "t", None, at(n)), None);
        }
        assert_eq!(
            throttle.failed(session, " t ", None, at(5)),
            Some(LIMITS.lockout)
        );
        assert_eq!(
            throttle.locked(session, "t", None, at(65)),
            Some(LIMITS.lockout - Duration::seconds(60))
        );
        // Another ticket is not locked; the lockout ends.
        assert_eq!(throttle.locked(session, "u", None, at(65)), None);
        assert_eq!(throttle.locked(session, "t", None, at(5 + 600)), None);
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up_and_a_success_starts_again() {
        let throttle = SignInThrottle::default();
        let session = Uuid::nil();
        for n in 0..4 {
            throttle.failed(session, "t", None, at(n));
        }
        // Eleven minutes later the window is over.
        assert_eq!(throttle.failed(session, "t", None, at(660)), None);
        for n in 0..3 {
            throttle.failed(session, "t", None, at(661 + n));
        }
        throttle.succeeded(session, "t");
        assert_eq!(throttle.failed(session, "t", None, at(670)), None);
    }

    #[test]
    fn an_address_is_locked_after_its_own_limit_across_tickets() {
        let throttle = SignInThrottle::default();
        let session = Uuid::nil();
        for n in 0..29 {
            assert_eq!(
                throttle.failed(session, &format!("t{n}"), Some("10.0.0.1"), at(1)),
                None
            );
        }
        assert_eq!(
            throttle.failed(session, "t99", Some("10.0.0.1"), at(2)),
            Some(LIMITS.lockout)
        );
        assert!(
            throttle
                .locked(session, "fresh", Some("10.0.0.1"), at(3))
                .is_some()
        );
        assert!(throttle.locked(session, "fresh", None, at(3)).is_none());
    }

    #[test]
    fn an_honest_room_behind_one_address_is_never_locked() {
        // 5,000 right pairs from one NAT address: only failures count against it.
        let throttle = SignInThrottle::default();
        let session = Uuid::nil();
        for n in 0..5_000 {
            let ticket = format!("t{n}");
            assert_eq!(
                throttle.locked(session, &ticket, Some("10.0.0.1"), at(1)),
                None
            );
            throttle.succeeded(session, &ticket);
        }
        assert_eq!(
            throttle.locked(session, "t5000", Some("10.0.0.1"), at(1)),
            None
        );
    }

    #[test]
    fn with_the_limits_off_nothing_is_counted_or_locked() {
        let throttle = SignInThrottle::limiting(Limiting::Off);
        let session = Uuid::nil();
        for n in 0..100 {
            assert_eq!(throttle.failed(session, "t", Some("10.0.0.1"), at(n)), None);
        }
        assert_eq!(
            throttle.locked(session, "t", Some("10.0.0.1"), at(100)),
            None
        );
        assert!(throttle.state().tickets.map.is_empty());
        assert!(throttle.state().clients.map.is_empty());
    }

    #[test]
    fn the_maps_stay_within_their_capacity_and_keep_locked_entries() {
        let throttle = SignInThrottle::new(Limits {
            capacity: 3,
            ..LIMITS
        });
        let session = Uuid::nil();
        for _ in 0..5 {
            throttle.failed(session, "locked", None, at(0));
        }
        for n in 0..10 {
            throttle.failed(session, &format!("t{n}"), None, at(1 + n));
        }
        assert!(throttle.state().tickets.map.len() <= 3);
        assert!(throttle.locked(session, "locked", None, at(20)).is_some());
    }
}
