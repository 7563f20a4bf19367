//! Properties of the identifiers the platform stores. Every ID number and credit code the
//! demo generator writes must parse (the demo goes through the ordinary write path, so a bad
//! one would be a bad row in every fresh installation); and a single mistyped character in
//! any of them must be caught, which is what the check characters are for: GB 11643's
//! MOD 11-2 and GB 32100's mod-31 both have weights that are never 0 modulo a prime larger
//! than any difference between two characters, so every single substitution changes the sum.

use anpei_domain::region::{self, RegionLevel};
use anpei_domain::{CreditCode, IdNumber};
use anpei_store::demo::DemoSpec;
use anpei_testkit::{Engine, spawn_app_with};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use sea_orm::EntityTrait;

const ID_ALPHABET: &[u8] = b"0123456789X";
/// GB 32100's 31 characters (no I, O, S, V, Z), plus two it excludes.
const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXYIO";

/// Every string that differs from `valid` in exactly one position, drawn from `alphabet`.
fn single_substitutions<'a>(
    valid: &'a str,
    alphabet: &'a [u8],
) -> impl Iterator<Item = String> + 'a {
    (0..valid.len()).flat_map(move |position| {
        alphabet
            .iter()
            .filter(move |c| **c != valid.as_bytes()[position])
            .map(move |c| {
                let mut bytes = valid.as_bytes().to_vec();
                bytes[position] = *c;
                String::from_utf8(bytes).expect("ASCII")
            })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_id_number_and_credit_code_the_demo_generates_is_valid() {
    let app = spawn_app_with(
        Engine::Sqlite,
        DemoSpec {
            people: 2_000,
            seed: 11,
        },
    )
    .await;
    let db = app.store.connection();
    let people = anpei_store::entity::person::Entity::find()
        .all(db)
        .await
        .expect("persons");
    let enterprises = anpei_store::entity::enterprise::Entity::find()
        .all(db)
        .await
        .expect("enterprises");
    let institutions = anpei_store::entity::institution::Entity::find()
        .all(db)
        .await
        .expect("institutions");
    assert_eq!(people.len(), 2_000);
    assert_eq!(enterprises.len() as u64, app.demo.enterprises);

    for person in &people {
        let parsed = IdNumber::parse(&person.id_number)
            .unwrap_or_else(|e| panic!("{}: {e}", person.id_number));
        assert_eq!(
            parsed.birth_date(),
            person.birth_date,
            "the birth date is the ID number's"
        );
        assert_eq!(parsed.gender().code(), person.gender, "so is the gender");
        // Demo people are recognisably synthetic: sequence codes 900–999.
        assert!(&person.id_number[14..17] >= "900", "{}", person.id_number);
        for typo in single_substitutions(&person.id_number, ID_ALPHABET) {
            assert!(
                IdNumber::parse(&typo).is_err(),
                "{typo} (from {}) must not parse",
                person.id_number
            );
        }
    }
    let mut id_numbers: Vec<&str> = people.iter().map(|p| p.id_number.as_str()).collect();
    id_numbers.sort_unstable();
    id_numbers.dedup();
    assert_eq!(id_numbers.len(), people.len(), "one archive per ID number");

    let codes = enterprises
        .iter()
        .map(|e| (e.credit_code.as_str(), e.region_code.as_str()))
        .chain(
            institutions
                .iter()
                .map(|i| (i.credit_code.as_str(), i.region_code.as_str())),
        );
    for (code, region_code) in codes {
        let parsed = CreditCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(
            parsed.region_code(),
            region_code,
            "{code} carries its region"
        );
        for typo in single_substitutions(code, CREDIT_ALPHABET) {
            assert!(
                CreditCode::parse(&typo).is_err(),
                "{typo} (from {code}) must not parse"
            );
        }
    }
    app.cleanup().await;
}

fn counties() -> Vec<&'static str> {
    region::all()
        .iter()
        .filter(|r| r.level == RegionLevel::County)
        .map(|r| r.code)
        .collect()
}

fn id_number() -> impl Strategy<Value = String> {
    let counties = counties();
    let first = NaiveDate::from_ymd_opt(1940, 1, 1).expect("a date");
    (0..counties.len(), 0u64..25_000, 0u16..=999).prop_map(move |(county, day, sequence)| {
        IdNumber::synthesize(counties[county], first + Days::new(day), sequence)
            .expect("a synthesized ID number parses")
            .as_str()
            .to_owned()
    })
}

fn credit_code() -> impl Strategy<Value = String> {
    let regions: Vec<&'static str> = region::all().iter().map(|r| r.code).collect();
    (0..regions.len(), 0u32..=99_999_999).prop_map(move |(region, serial)| {
        CreditCode::synthesize(regions[region], serial)
            .expect("a synthesized credit code parses")
            .as_str()
            .to_owned()
    })
}

/// `valid` with the character at `position` replaced by a different one from `alphabet`.
fn substitute(valid: &str, position: usize, alphabet: &[u8], pick: usize) -> String {
    let mut bytes = valid.as_bytes().to_vec();
    let position = position % bytes.len();
    let mut index = pick % alphabet.len();
    if alphabet[index] == bytes[position] {
        index = (index + 1) % alphabet.len();
    }
    bytes[position] = alphabet[index];
    String::from_utf8(bytes).expect("ASCII")
}

proptest! {
    #[test]
    fn changing_any_one_character_of_a_valid_id_number_is_rejected(
        valid in id_number(),
        position in 0usize..18,
        pick in 0usize..64,
    ) {
        prop_assert!(IdNumber::parse(&valid).is_ok());
        let typo = substitute(&valid, position, ID_ALPHABET, pick);
        prop_assert_ne!(&typo, &valid);
        prop_assert!(IdNumber::parse(&typo).is_err(), "{} (from {}) parsed", typo, valid);
    }

    #[test]
    fn changing_any_one_character_of_a_valid_credit_code_is_rejected(
        valid in credit_code(),
        position in 0usize..18,
        pick in 0usize..64,
    ) {
        prop_assert!(CreditCode::parse(&valid).is_ok());
        let typo = substitute(&valid, position, CREDIT_ALPHABET, pick);
        prop_assert_ne!(&typo, &valid);
        prop_assert!(CreditCode::parse(&typo).is_err(), "{} (from {}) parsed", typo, valid);
    }
}
