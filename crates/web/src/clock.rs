//! The clock. Only the web layer and the binary read it (clippy bans it elsewhere); below
//! this layer time is a parameter.
//!
//! A server runs on a [`Clock`]: the system's, or one that started at a chosen instant and
//! runs on from there (tests run the demo and the server on a fixed date, so that a test
//! cannot pass for weeks and then fail on a date; a few move it on deliberately). The app
//! scopes every request and every job it spawns to its clock, and [`now`] / [`today`] read
//! the clock of the task they run in — the system clock outside any scope.
#![allow(clippy::disallowed_methods)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};

/// China Standard Time: UTC+8 all year, no daylight saving. Checked at compile time.
pub const SHANGHAI: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// A clock that runs at the system's pace from an offset of its own. Clones share the
/// offset, so moving a server's clock moves it for every request and job of that server.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Milliseconds added to the system time.
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        let offset = start - Utc::now();
        Clock {
            offset_ms: Arc::new(AtomicI64::new(offset.num_milliseconds())),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Today in Asia/Shanghai on this clock.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&SHANGHAI).date_naive()
    }

    /// Moves this clock (and every clone of it) on by `by` (back, when negative).
    pub fn advance(&self, by: TimeDelta) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }

    /// `future` run on this clock: [`now`] and [`today`] inside it read this clock.
    pub fn scope<F: Future>(&self, future: F) -> tokio::task::futures::TaskLocalFuture<Clock, F> {
        CURRENT.scope(self.clone(), future)
    }
}

tokio::task_local! {
    static CURRENT: Clock;
}

/// Now, on the clock of the running task (the system clock outside any scope).
pub fn now() -> DateTime<Utc> {
    CURRENT.try_with(Clock::now).unwrap_or_else(|_| Utc::now())
}

/// Business dates are dates in Asia/Shanghai.
pub fn today() -> NaiveDate {
    now().with_timezone(&SHANGHAI).date_naive()
}

/// The clock of the running task, to hand to a task spawned from it.
pub fn current() -> Clock {
    CURRENT.try_with(Clock::clone).unwrap_or_default()
}

/// "2026-11-29 11:41" in Asia/Shanghai, for pages.
pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&SHANGHAI)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scoped_clock_reads_its_own_date_and_moves_when_advanced() {
        let start = DateTime::parse_from_rfc3339("2026-06-15T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::starting_at(start);
        let day = clock.scope(async { today() }).await;
        assert_eq!(day, NaiveDate::from_ymd_opt(2026, 6, 15).unwrap());
        clock.advance(TimeDelta::days(400));
        assert_eq!(
            clock.scope(async { today() }).await,
            NaiveDate::from_ymd_opt(2027, 7, 20).unwrap()
        );
        // A clone shares the offset; outside any scope the system clock reads.
        assert_eq!(clock.clone().today(), clock.today());
        assert!((now() - Utc::now()).num_seconds().abs() < 5);
    }
}
