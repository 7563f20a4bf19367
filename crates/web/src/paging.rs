//! Page numbers as lists read them from a query string, a form or a JSON body: any whole
//! number is accepted and clamped into range (below 1 is page 1, beyond
//! [`anpei_store::read::MAX_PAGE`] is that page, an empty one), so that no `?page=` a user can
//! type makes a handler overflow; text that is not a whole number is a 4xx from the
//! extractor. Use on `Option<u64>` fields:
//! `#[serde(default, deserialize_with = "crate::paging::page")]`.

use anpei_store::read::{MAX_PAGE, MAX_PER_PAGE};
use serde::Deserializer;
use serde::de::{self, Visitor};

/// A 1-based page number, clamped to `1..=MAX_PAGE`.
pub fn page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    deserializer.deserialize_option(Clamped { high: MAX_PAGE })
}

/// Rows per page, clamped to `1..=MAX_PER_PAGE`.
pub fn per_page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    deserializer.deserialize_option(Clamped { high: MAX_PER_PAGE })
}

/// A page number written as text (a query map's value): clamped, or `None` when it is not a
/// whole number.
pub fn page_from_text(text: &str) -> Option<u64> {
    whole_number(text).map(|n| clamp(n, MAX_PAGE))
}

/// A whole number, however large or negative, saturated into `i128`; `None` for anything
/// else. Querystrings and forms deliver numbers as text.
fn whole_number(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

fn clamp(n: i128, high: u64) -> u64 {
    u64::try_from(n.clamp(1, i128::from(high))).unwrap_or(1)
}

struct Clamped {
    high: u64,
}

impl<'de> Visitor<'de> for Clamped {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a whole number (a page number)")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Some(clamp(i128::from(n), self.high)))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Some(clamp(i128::from(n), self.high)))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        if n.fract() != 0.0 || n.is_nan() {
            return Err(E::invalid_value(de::Unexpected::Float(n), &self));
        }
        // `as` saturates: a float beyond i128 is as large as it gets.
        Ok(Some(clamp(n as i128, self.high)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        whole_number(text)
            .map(|n| Some(clamp(n, self.high)))
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Params {
        #[serde(default, deserialize_with = "page")]
        page: Option<u64>,
        #[serde(default, deserialize_with = "per_page")]
        per_page: Option<u64>,
    }

    /// `(page, per_page)` as read, or `None` when the query is refused.
    type Read = Option<(Option<u64>, Option<u64>)>;

    #[test]
    fn page_numbers_in_a_query_string_are_clamped() {
        let cases: &[(&str, Read)] = &[
            ("", Some((None, None))),
            ("page=", Some((None, None))),
            ("page=3", Some((Some(3), None))),
            ("page=0", Some((Some(1), None))),
            ("page=-1", Some((Some(1), None))),
            ("page=-99999999999999999999999", Some((Some(1), None))),
            ("page=18446744073709551615", Some((Some(MAX_PAGE), None))),
            (
                "page=999999999999999999999999999999",
                Some((Some(MAX_PAGE), None)),
            ),
            ("page=1000000", Some((Some(1_000_000), None))),
            ("per_page=100000", Some((None, Some(MAX_PER_PAGE)))),
            ("per_page=-5", Some((None, Some(1)))),
            ("page=2&per_page=50", Some((Some(2), Some(50)))),
            ("page=two", None),
            ("page=1.5", None),
            ("page=0x10", None),
        ];
        for (query, expected) in cases {
            let uri: axum::http::Uri = format!("/list?{query}").parse().unwrap();
            let got = axum::extract::Query::<Params>::try_from_uri(&uri)
                .ok()
                .map(|axum::extract::Query(p)| (p.page, p.per_page));
            assert_eq!(got, *expected, "{query:?}");
        }
    }

    #[test]
    fn page_numbers_in_json_are_clamped() {
        let cases: &[(&str, Option<Option<u64>>)] = &[
            ("{}", Some(None)),
            (r#"{"page":null}"#, Some(None)),
            (r#"{"page":4}"#, Some(Some(4))),
            (r#"{"page":-1}"#, Some(Some(1))),
            (r#"{"page":18446744073709551615}"#, Some(Some(MAX_PAGE))),
            (r#"{"page":1e30}"#, Some(Some(MAX_PAGE))),
            (r#"{"page":"7"}"#, Some(Some(7))),
            (r#"{"page":2.5}"#, None),
            (r#"{"page":true}"#, None),
        ];
        for (body, expected) in cases {
            let got = serde_json::from_str::<Params>(body).ok().map(|p| p.page);
            assert_eq!(got, *expected, "{body}");
        }
    }

    #[test]
    fn page_numbers_from_text() {
        assert_eq!(page_from_text("2"), Some(2));
        assert_eq!(page_from_text("-1"), Some(1));
        assert_eq!(page_from_text("18446744073709551615"), Some(MAX_PAGE));
        assert_eq!(page_from_text("x"), None);
    }
}
