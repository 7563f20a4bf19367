//! RFC 6238 time-based one-time passwords (TOTP: HMAC-SHA-1, 30-second steps, 6 digits) —
//! what every authenticator app speaks — for the second factor of regulator, HR and
//! administrator accounts. A code is accepted one step either side of now, to allow for a
//! phone's clock and the time it takes to type.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per step (RFC 6238 `X`).
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of the current one.
const SKEW: i64 = 1;

/// The step `at` falls in (RFC 6238 `T`, with `T0` = 0).
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

/// The RFC 4226 HOTP value of `secret` at counter `step`, `digits` long.
pub fn code_at(secret: &[u8], step: i64, digits: u32) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        // HMAC takes keys of any length; this cannot happen.
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let binary = (u32::from(hash[offset] & 0x7f) << 24)
        | (u32::from(hash[offset + 1]) << 16)
        | (u32::from(hash[offset + 2]) << 8)
        | u32::from(hash[offset + 3]);
    let value = binary % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The step a typed `code` matches within the window around `at`, if any, and only if it is
/// later than `after` (a code is good once).
pub fn matching_step(
    secret: &[u8],
    code: &str,
    at: DateTime<Utc>,
    after: Option<i64>,
) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_of(at);
    (now - SKEW..=now + SKEW)
        .filter(|step| after.is_none_or(|last| *step > last))
        .find(|step| constant_time_eq(code_at(secret, *step, DIGITS).as_bytes(), code.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as `otpauth://` URIs carry secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The inverse of [`base32`] (case and spaces ignored); `None` for a character outside it.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = BASE32
            .iter()
            .position(|b| *b as char == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app reads (as text or from the QR code).
pub fn otpauth_uri(secret_base32: &str, username: &str) -> String {
    let label = percent(&format!("安培:{username}"));
    format!(
        "otpauth://totp/{label}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent("安培")
    )
}

fn percent(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows: the secret is the ASCII "12345678901234567890".
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        let cases = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (unix, expected) in cases {
            let at = DateTime::from_timestamp(unix, 0).unwrap();
            assert_eq!(code_at(secret, step_of(at), 8), expected, "T = {unix}");
            // Six digits are the last six of the eight.
            assert_eq!(
                code_at(secret, step_of(at), 6),
                &expected[2..],
                "T = {unix}"
            );
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_once() {
        let secret = b"12345678901234567890";
        let at = DateTime::from_timestamp(1_111_111_111, 0).unwrap();
        let now = step_of(at);
        for step in [now - 1, now, now + 1] {
            let code = code_at(secret, step, 6);
            assert_eq!(matching_step(secret, &code, at, None), Some(step));
            assert_eq!(matching_step(secret, &code, at, Some(step)), None, "used");
        }
        for step in [now - 2, now + 2] {
            let code = code_at(secret, step, 6);
            assert_eq!(matching_step(secret, &code, at, None), None, "step {step}");
        }
        assert_eq!(matching_step(secret, "12345", at, None), None);
        assert_eq!(matching_step(secret, "abcdef", at, None), None);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(from_base32("mzxw 6ytb oi").unwrap(), b"foobar");
        assert_eq!(from_base32("MZXW1"), None);
    }
}
