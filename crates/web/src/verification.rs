//! Public certificate verification for both faces, the page and the API (issue 13, OWASP
//! ASVS L2): per-address rate limits, so that nobody walks the sequential numbers to harvest
//! holders, and one log line per check.
//!
//! Limits are token buckets per client address, in memory, one set per server:
//! - lookups by number alone, and name checks, share the `by_number` bucket (30 a minute,
//!   bursts of 30 by default); a wrong name costs [`WRONG_NAME_COST`] in all, so that
//!   guessing a holder's name is slower still;
//! - lookups with the QR code's token draw on `by_token` (600 a minute, bursts of 300): a
//!   site gate scanning a shift's cards behind one address stays well inside it. A token
//!   that does not match (or a number that does not exist) costs a `by_number` try too, and
//!   is refused when that bucket is empty — made-up tokens would otherwise be a faster way
//!   to read statuses by number.
//!
//! IPv6 clients are limited per /64 (one subscriber's prefix). The buckets are bounded: a
//! full bucket is the same as none, so refilled ones are forgotten first, and past
//! [`MAX_ADDRESSES`] new addresses share one bucket.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anpei_store::StoreError;
use anpei_store::verify_index::{Claim, Mismatch, Verification};

use crate::error::WebError;
use crate::{AppState, clock};

/// A token bucket's refill rate and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tries added back per minute.
    pub per_minute: f64,
    /// The most tries in a burst (the bucket's size).
    pub burst: f64,
}

/// The per-address limits of public verification (`WebConfig::verify_limits`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VerifyLimits {
    /// Lookups by number alone and name checks.
    pub by_number: Rate,
    /// Lookups with the QR code's token.
    pub by_token: Rate,
}

impl Default for VerifyLimits {
    /// An honest visitor checks a handful of numbers; a scan of the province's numbers at
    /// 30 a minute would take 6 days an address for 263,000 certificates — and shows only
    /// statuses.
    fn default() -> Self {
        VerifyLimits {
            by_number: Rate {
                per_minute: 30.0,
                burst: 30.0,
            },
            by_token: Rate {
                per_minute: 600.0,
                burst: 300.0,
            },
        }
    }
}

/// What a wrong name costs in all, in `by_number` tries.
pub const WRONG_NAME_COST: f64 = 5.0;

/// Addresses tracked at most (per kind of bucket), before new ones share one bucket.
pub const MAX_ADDRESSES: usize = 100_000;

const SHARDS: usize = 16;

/// Whose bucket a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    /// No address known (a router served without connection info).
    Unknown,
    /// New addresses once [`MAX_ADDRESSES`] are tracked.
    Overflow,
}

impl Key {
    fn of(addr: Option<IpAddr>) -> Key {
        match addr {
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => Key::Address(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Key::Address(IpAddr::V6(prefix.into()))
                }
            },
            Some(v4) => Key::Address(v4),
            None => Key::Unknown,
        }
    }

    fn shard(&self) -> usize {
        match self {
            Key::Address(IpAddr::V4(v4)) => u32::from(*v4) as usize % SHARDS,
            Key::Address(IpAddr::V6(v6)) => (u128::from(*v6) >> 64) as usize % SHARDS,
            Key::Unknown | Key::Overflow => 0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One kind of token bucket, per address.
#[derive(Debug)]
struct Buckets {
    rate: Rate,
    shards: Vec<Mutex<HashMap<Key, Bucket>>>,
}

impl Buckets {
    fn new(rate: Rate) -> Self {
        Buckets {
            rate,
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    fn per_second(&self) -> f64 {
        self.rate.per_minute / 60.0
    }

    fn refilled(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        (bucket.tokens + elapsed * self.per_second()).min(self.rate.burst)
    }

    /// Takes `cost` tries if there are that many (`force`: takes them anyway, into debt down
    /// to minus one burst); else how long until there are.
    fn take(
        &self,
        addr: Option<IpAddr>,
        cost: f64,
        force: bool,
        now: Instant,
    ) -> Result<(), Duration> {
        let key = Key::of(addr);
        let mut shard = self.shards[key.shard()]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = if shard.contains_key(&key) || shard.len() < MAX_ADDRESSES / SHARDS {
            key
        } else {
            // Full buckets are the same as none: forget those first.
            shard.retain(|_, bucket| self.refilled(bucket, now) < self.rate.burst);
            if shard.len() < MAX_ADDRESSES / SHARDS {
                key
            } else {
                Key::Overflow
            }
        };
        let bucket = shard.entry(key).or_insert(Bucket {
            tokens: self.rate.burst,
            at: now,
        });
        let tokens = self.refilled(bucket, now);
        if tokens >= cost || force {
            *bucket = Bucket {
                tokens: (tokens - cost).max(-self.rate.burst),
                at: now,
            };
            return Ok(());
        }
        *bucket = Bucket { tokens, at: now };
        let wait = (cost - tokens) / self.per_second().max(f64::MIN_POSITIVE);
        Err(Duration::from_secs_f64(wait.min(86_400.0)))
    }
}

/// The buckets of a server (`AppState::verify_limiter`); no limits when configured off.
#[derive(Debug)]
pub struct VerifyLimiter {
    buckets: Option<(Buckets, Buckets)>,
}

impl VerifyLimiter {
    pub fn new(limits: Option<VerifyLimits>) -> Self {
        VerifyLimiter {
            buckets: limits.map(|l| (Buckets::new(l.by_number), Buckets::new(l.by_token))),
        }
    }

    fn take(
        &self,
        token: bool,
        addr: Option<IpAddr>,
        cost: f64,
        force: bool,
    ) -> Result<(), Duration> {
        match &self.buckets {
            None => Ok(()),
            Some((by_number, by_token)) => {
                let buckets = if token { by_token } else { by_number };
                buckets.take(addr, cost, force, Instant::now())
            }
        }
    }
}

fn too_many(wait: Duration) -> WebError {
    WebError::TooManyAttempts {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        locked: false,
    }
}

/// What the log may say of a number as typed: a certificate number as it is (they are
/// public, and the point of the line); anything else — someone may type their ID or phone
/// number — as `auth::loggable_username` masks it, without control characters.
fn loggable_number(typed: &str) -> String {
    let trimmed = typed.trim();
    let shape: String = trimmed
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' => 'L',
            '0'..='9' => '9',
            other => other,
        })
        .collect();
    if shape == "L999999-9999-999999" {
        return trimmed.to_owned();
    }
    crate::auth::loggable_username(trimmed)
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// One public check, for the page and the API: the limits first, then the lookup, then the
/// log line (target `anpei::verify`: the number, how it was asked, what was found and the
/// client's address — never a typed name; a number that looks like an ID or phone number is
/// masked as the UI masks it).
pub async fn check(
    state: &AppState,
    addr: Option<IpAddr>,
    number: &str,
    claim: Claim<'_>,
) -> Result<Verification, WebError> {
    let by_token = matches!(claim, Claim::Token(_));
    let logged = loggable_number(number);
    let address = addr.map(|a| a.to_string()).unwrap_or_default();
    let refused = |wait: Duration| {
        tracing::info!(
            target: "anpei::verify",
            number = %logged,
            how = claim.how(),
            outcome = "refused",
            address = %address,
            "verification refused: rate limit"
        );
        too_many(wait)
    };
    state
        .verify_limiter
        .take(by_token, addr, 1.0, false)
        .map_err(refused)?;
    let answer = state
        .store
        .verify_certificate(number, claim, clock::today())
        .await;
    let outcome = match &answer {
        Ok(Verification::Details { .. }) => "details",
        Ok(Verification::Status { mismatch: None, .. }) => "status",
        Ok(Verification::Status {
            mismatch: Some(Mismatch::Name),
            ..
        }) => "wrong name",
        Ok(Verification::Status {
            mismatch: Some(Mismatch::Token),
            ..
        }) => "wrong token",
        Err(StoreError::NotFound) => "not found",
        Err(_) => "error",
    };
    // What a miss costs beyond the try itself.
    let extra = match (&answer, by_token) {
        (
            Ok(Verification::Status {
                mismatch: Some(Mismatch::Name),
                ..
            }),
            _,
        ) => state
            .verify_limiter
            .take(false, addr, WRONG_NAME_COST - 1.0, true),
        (
            Ok(Verification::Status {
                mismatch: Some(_), ..
            })
            | Err(StoreError::NotFound),
            true,
        ) => state.verify_limiter.take(false, addr, 1.0, false),
        _ => Ok(()),
    };
    if let Err(wait) = extra {
        return Err(refused(wait));
    }
    tracing::info!(
        target: "anpei::verify",
        number = %logged,
        how = claim.how(),
        found = !matches!(answer, Err(StoreError::NotFound)),
        outcome,
        address = %address,
        "certificate checked"
    );
    Ok(answer?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> VerifyLimits {
        VerifyLimits::default()
    }

    #[test]
    fn a_burst_is_answered_then_refused_until_the_bucket_refills() {
        let buckets = Buckets::new(limits().by_number);
        let addr = Some(IpAddr::from([10, 0, 0, 1]));
        let t0 = Instant::now();
        for n in 0..30 {
            assert_eq!(buckets.take(addr, 1.0, false, t0), Ok(()), "try {n}");
        }
        let wait = buckets.take(addr, 1.0, false, t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(1900) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        // Another address is not affected.
        assert_eq!(
            buckets.take(Some(IpAddr::from([10, 0, 0, 2])), 1.0, false, t0),
            Ok(())
        );
        // 30 a minute: one more every two seconds.
        assert_eq!(
            buckets.take(addr, 1.0, false, t0 + Duration::from_secs(2)),
            Ok(())
        );
        assert!(
            buckets
                .take(addr, 1.0, false, t0 + Duration::from_secs(2))
                .is_err()
        );
    }

    #[test]
    fn a_forced_charge_runs_into_debt_that_delays_the_next_try() {
        let buckets = Buckets::new(limits().by_number);
        let addr = Some(IpAddr::from([10, 0, 0, 1]));
        let t0 = Instant::now();
        for _ in 0..30 {
            let _ = buckets.take(addr, 1.0, false, t0);
        }
        assert_eq!(buckets.take(addr, 4.0, true, t0), Ok(()));
        let wait = buckets.take(addr, 1.0, false, t0).unwrap_err();
        assert!(wait >= Duration::from_secs(9), "{wait:?}");
    }

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Key::of(Some(a)), Key::of(Some(b)));
        assert_ne!(Key::of(Some(a)), Key::of(Some(c)));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(
            Key::of(Some(mapped)),
            Key::of(Some(IpAddr::from([10, 0, 0, 1])))
        );
    }

    #[test]
    fn the_buckets_are_bounded_and_new_addresses_past_the_bound_share_one() {
        let buckets = Buckets::new(Rate {
            per_minute: 0.001,
            burst: 1.0,
        });
        let t0 = Instant::now();
        for n in 0..(MAX_ADDRESSES as u32 + 1000) {
            let _ = buckets.take(Some(IpAddr::from(n.to_be_bytes())), 1.0, false, t0);
        }
        let tracked: usize = buckets.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(tracked <= MAX_ADDRESSES + SHARDS, "{tracked}");
        assert!(
            buckets
                .take(Some(IpAddr::from([250, 0, 0, 1])), 1.0, false, t0)
                .is_err(),
            "a new address past the bound shares the exhausted overflow bucket"
        );
    }

    #[test]
    fn certificate_numbers_are_logged_as_they_are_and_id_numbers_masked() {
        assert_eq!(
            loggable_number(" T230100-2026-000042 "),
            "T230100-2026-000042"
        );
        let id = loggable_number("230102199001011234");
        assert!(!id.contains("199001011"), "{id}");
        assert!(!loggable_number("T23\n0100").contains('\n'));
    }

    #[test]
    fn no_limits_when_configured_off() {
        let limiter = VerifyLimiter::new(None);
        for _ in 0..1000 {
            assert_eq!(limiter.take(false, None, 1.0, false), Ok(()));
        }
    }
}
