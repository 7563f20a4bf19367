//! Property tests of the identifier types: what must hold for every value, not just the
//! examples in each module's table of cases.
//!
//! Why these properties: the demo generator relies on `synthesize` always producing numbers
//! that parse; the check characters exist to catch a single mistyped character, which is the
//! most common data-entry error on rosters; and masking is a privacy promise (PIPL), so it
//! must hold for every value, not only for the ones someone thought to write down.

// clippy's test exemption covers `#[test]` functions but not the strategy helpers below,
// which run only inside tests, where a failed expectation is exactly a failed test.
#![allow(clippy::expect_used, reason = "helpers of an integration test")]

use anpei_domain::region::{self, RegionLevel};
use anpei_domain::{CreditCode, IdNumber, Phone};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

const DIGITS: &[u8] = b"0123456789";
const ID_LAST: &[u8] = b"0123456789X";
const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn counties() -> Vec<&'static str> {
    region::all()
        .iter()
        .filter(|region| region.level == RegionLevel::County)
        .map(|region| region.code)
        .collect()
}

fn first_birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid date")
}

/// Days from 1950-01-01 to 2008-12-31 inclusive.
fn birth_span_days() -> u64 {
    let last = NaiveDate::from_ymd_opt(2008, 12, 31).expect("valid date");
    u64::try_from((last - first_birth()).num_days()).expect("positive span")
}

/// A valid ID number of a random Heilongjiang county, birth date 1950-2008 and sequence.
fn id_number() -> impl Strategy<Value = IdNumber> {
    let counties = counties();
    (0..counties.len(), 0..=birth_span_days(), 0u16..=999).prop_map(
        move |(county, day, sequence)| {
            let birth = first_birth() + Days::new(day);
            IdNumber::synthesize(counties[county], birth, sequence).expect("synthesized ID parses")
        },
    )
}

/// A valid credit code of a random Heilongjiang region and serial.
fn credit_code() -> impl Strategy<Value = CreditCode> {
    let codes: Vec<&'static str> = region::all().iter().map(|region| region.code).collect();
    (0..codes.len(), 0u32..=99_999_999).prop_map(move |(region, serial)| {
        CreditCode::synthesize(codes[region], serial).expect("synthesized code parses")
    })
}

/// Replaces the character at `position` with `alphabet[pick % len]`, or with the next one
/// if that is the character already there, so the result always differs in one place.
fn substitute(text: &str, position: usize, alphabet: &[u8], pick: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut index = pick % alphabet.len();
    if alphabet[index] == bytes[position] {
        index = (index + 1) % alphabet.len();
    }
    bytes[position] = alphabet[index];
    String::from_utf8(bytes).expect("ASCII stays UTF-8")
}

proptest! {
    #[test]
    fn every_synthesized_id_number_parses_back(
        county in 0..counties().len(),
        day in 0..=birth_span_days(),
        sequence in 0u16..=999,
    ) {
        let region6 = counties()[county];
        let birth = first_birth() + Days::new(day);
        let id = IdNumber::synthesize(region6, birth, sequence);
        prop_assert!(id.is_ok(), "{region6} {birth} {sequence}: {id:?}");
        let id = id.expect("checked above");
        let reparsed = IdNumber::parse(id.as_str());
        prop_assert_eq!(reparsed.as_ref(), Ok(&id));
        prop_assert_eq!(id.region_code(), region6);
        prop_assert_eq!(id.birth_date(), birth);
        prop_assert_eq!(id.gender() == anpei_domain::Gender::Male, sequence % 2 == 1);
    }

    #[test]
    fn any_single_substitution_in_an_id_number_is_rejected(
        id in id_number(),
        position in 0usize..18,
        pick in 0usize..11,
    ) {
        let alphabet = if position == 17 { ID_LAST } else { DIGITS };
        let changed = substitute(id.as_str(), position, alphabet, pick);
        prop_assert_ne!(&changed, id.as_str());
        let parsed = IdNumber::parse(&changed);
        prop_assert!(parsed.is_err(), "{} accepted", changed);
    }

    #[test]
    fn every_synthesized_credit_code_parses_back(code in credit_code()) {
        let reparsed = CreditCode::parse(code.as_str());
        prop_assert_eq!(reparsed.as_ref(), Ok(&code));
    }

    #[test]
    fn any_single_substitution_in_a_credit_code_is_rejected(
        code in credit_code(),
        position in 0usize..18,
        pick in 0usize..31,
    ) {
        let changed = substitute(code.as_str(), position, CREDIT_ALPHABET, pick);
        prop_assert_ne!(&changed, code.as_str());
        let parsed = CreditCode::parse(&changed);
        prop_assert!(parsed.is_err(), "{} accepted", changed);
    }

    #[test]
    fn masked_id_number_hides_the_middle_and_debug_hides_the_number(id in id_number()) {
        let full = id.as_str();
        let masked = id.masked();
        prop_assert!(!masked.contains(&full[4..14]), "{masked}");
        prop_assert_eq!(&masked[4..14], "**********");
        prop_assert_eq!(&masked[..4], &full[..4]);
        prop_assert_eq!(&masked[14..], &full[14..]);
        let debug = format!("{id:?}");
        prop_assert!(!debug.contains(full), "{debug}");
        prop_assert!(!debug.contains(&full[4..14]), "{debug}");
    }

    #[test]
    fn masked_phone_hides_the_middle_and_debug_hides_the_number(
        second in 3u8..=9,
        rest in 0u64..1_000_000_000,
    ) {
        let number = format!("1{second}{rest:09}");
        let phone = Phone::parse(&number).expect("valid phone");
        let masked = phone.masked();
        prop_assert_eq!(&masked[3..7], "****");
        prop_assert!(!masked.contains(&number), "{masked}");
        let debug = format!("{phone:?}");
        prop_assert!(!debug.contains(&number), "{debug}");
        prop_assert!(!debug.contains(&number[3..7]) || number[3..7] == number[7..], "{debug}");
    }
}
