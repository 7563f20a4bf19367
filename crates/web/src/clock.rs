//! The clock. Only the web layer and the binary read it (clippy bans it elsewhere); below
//! this layer time is a parameter.
#![allow(clippy::disallowed_methods)]

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time: UTC+8 all year, no daylight saving. Checked at compile time.
pub const SHANGHAI: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Business dates are dates in Asia/Shanghai.
pub fn today() -> NaiveDate {
    now().with_timezone(&SHANGHAI).date_naive()
}

/// "2026-11-29 11:41" in Asia/Shanghai, for pages.
pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&SHANGHAI)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
