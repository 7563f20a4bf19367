//! The resident ID number (居民身份证号码, GB 11643-1999) that identifies a person for life
//! (SPEC C1, C2).
//!
//! Layout: 6-digit address code (GB/T 2260 region at first registration), 8-digit birth date
//! `YYYYMMDD`, 3-digit sequence (odd for men, even for women), and a check character computed
//! with ISO 7064 MOD 11-2. An ID number is sensitive personal information under PIPL, so this
//! type has no `Display`, and its `Debug` shows only the masked form: code that wants the full
//! number must call `as_str()` on purpose.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::bilingual::Bilingual;
use crate::person::Gender;

/// Number of characters in an ID number.
const LENGTH: usize = 18;

/// ISO 7064 MOD 11-2 weights (2^(17-i) mod 11) for the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character indexed by the weighted sum mod 11.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Province-level prefixes of GB/T 2260 (including 71 Taiwan, 81 Hong Kong, 82 Macao, whose
/// residents hold mainland-format numbers). A number outside these is a typo or a fake.
const PROVINCE_PREFIXES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// Earliest accepted birth year. No one born earlier is alive to be trained, and the standard's
/// predecessor used 2-digit years, so an earlier year means a garbled number.
const MIN_BIRTH_YEAR: i32 = 1900;

/// A valid 18-character resident ID number, upper-case `X`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

/// Why an ID number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("ID number is empty")]
    Empty,
    #[error("ID number must have 18 characters, found {0}")]
    Length(usize),
    #[error("ID number must be 17 digits followed by a digit or X")]
    Characters,
    /// Carries the 6-digit address code that was found.
    #[error("ID number has an unknown region code {0}")]
    Region(String),
    #[error("ID number contains an invalid birth date")]
    BirthDate,
    #[error("ID number check character is wrong: expected {expected}, found {found}")]
    CheckDigit { expected: char, found: char },
}

impl Bilingual for IdNumberError {
    fn zh(&self) -> String {
        match self {
            Self::Empty => "身份证号不能为空".to_owned(),
            Self::Length(n) => format!("身份证号应为18位，实际为{n}位"),
            Self::Characters => "身份证号应为17位数字加1位数字或X".to_owned(),
            Self::Region(code) => format!("身份证号地区码无效：{code}"),
            Self::BirthDate => "身份证号中的出生日期无效".to_owned(),
            Self::CheckDigit { expected, found } => {
                format!("校验码错误：应为{expected}，实际为{found}")
            }
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl IdNumber {
    /// Parses an ID number typed or imported by a person: surrounding whitespace is ignored and
    /// a lower-case `x` is accepted (phones' keyboards often produce it).
    pub fn parse(s: &str) -> Result<Self, IdNumberError> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let length = trimmed.chars().count();
        if length != LENGTH {
            return Err(IdNumberError::Length(length));
        }
        let normalised = trimmed.to_ascii_uppercase();
        let bytes = normalised.as_bytes();
        // Length is in characters; a non-ASCII character makes the byte length differ.
        if bytes.len() != LENGTH
            || !bytes[..LENGTH - 1].iter().all(u8::is_ascii_digit)
            || !(bytes[LENGTH - 1].is_ascii_digit() || bytes[LENGTH - 1] == b'X')
        {
            return Err(IdNumberError::Characters);
        }
        if !PROVINCE_PREFIXES.contains(&&normalised[..2]) {
            return Err(IdNumberError::Region(normalised[..6].to_owned()));
        }
        if birth_date_of(&normalised).is_none() {
            return Err(IdNumberError::BirthDate);
        }
        let expected = check_char(&bytes[..LENGTH - 1]);
        let found = char::from(bytes[LENGTH - 1]);
        if expected != found {
            return Err(IdNumberError::CheckDigit { expected, found });
        }
        Ok(Self(normalised))
    }

    /// Builds the valid ID number for a region, birth date and sequence (0..=999) by computing
    /// its check character; the demo generator uses it to make realistic people. Out-of-range
    /// inputs fail as parsing the resulting text would (e.g. sequence 1000 gives `Length(19)`).
    pub fn synthesize(
        region6: &str,
        birth: NaiveDate,
        sequence: u16,
    ) -> Result<Self, IdNumberError> {
        let body = format!("{region6}{}{sequence:03}", birth.format("%Y%m%d"));
        let check = if body.len() == LENGTH - 1 && body.bytes().all(|b| b.is_ascii_digit()) {
            check_char(body.as_bytes())
        } else {
            // Any placeholder: parsing reports the real problem (length or characters).
            '0'
        };
        Self::parse(&format!("{body}{check}"))
    }

    /// The full number. Only for roles and places that need it (SPEC C1): never logs or URLs.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown to people who may not see the full number: first 4 and last 4 characters
    /// (enough to tell two people apart on a list), e.g. `2301**********123X`.
    pub fn masked(&self) -> String {
        format!(
            "{}{}{}",
            &self.0[..4],
            "*".repeat(10),
            &self.0[LENGTH - 4..]
        )
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Parsing checked the date, so the fallback is unreachable; it avoids a panic path.
        birth_date_of(&self.0).unwrap_or(NaiveDate::MIN)
    }

    /// The 6-digit address code of first registration. It need not be in today's GB/T 2260
    /// table: codes of abolished counties stay valid on existing cards.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// From the 17th digit: odd for men, even for women.
    pub fn gender(&self) -> Gender {
        if self.0.as_bytes()[16] % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// Completed years of age on `date` (周岁); 0 before the birth date. Someone born on
    /// 29 February becomes a year older on 1 March in common years.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let birth = self.birth_date();
        if date <= birth {
            return 0;
        }
        let years = date.year() - birth.year();
        let before_birthday = (date.month(), date.day()) < (birth.month(), birth.day());
        u32::try_from(years - i32::from(before_birthday)).unwrap_or(0)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

/// The birth date encoded in characters 7-14, if it is a real date from 1900 on.
fn birth_date_of(number: &str) -> Option<NaiveDate> {
    let year: i32 = number.get(6..10)?.parse().ok()?;
    let month: u32 = number.get(10..12)?.parse().ok()?;
    let day: u32 = number.get(12..14)?.parse().ok()?;
    if year < MIN_BIRTH_YEAR {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// ISO 7064 MOD 11-2 check character over 17 ASCII digits.
fn check_char(digits: &[u8]) -> char {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn parse_accepts_valid_and_rejects_invalid_numbers() {
        use IdNumberError::*;
        let cases: &[(&str, Result<&str, IdNumberError>)] = &[
            ("11010519491231002X", Ok("11010519491231002X")),
            ("11010519491231002x", Ok("11010519491231002X")),
            ("  11010519491231002X\n", Ok("11010519491231002X")),
            ("230102199003071237", Ok("230102199003071237")),
            (
                "110105194912310021",
                Err(CheckDigit {
                    expected: 'X',
                    found: '1',
                }),
            ),
            (
                "230102199003071235",
                Err(CheckDigit {
                    expected: '7',
                    found: '5',
                }),
            ),
            ("", Err(Empty)),
            ("   ", Err(Empty)),
            ("11010519491231002", Err(Length(17))),
            ("11010519491231002X1", Err(Length(19))),
            ("1101051949123100２X", Err(Characters)),
            ("1101051949123100X2", Err(Characters)),
            ("11010519491231002Y", Err(Characters)),
            ("11010519491231 02X", Err(Characters)),
            ("990105194912310026", Err(Region("990105".to_owned()))),
            ("000105194912310026", Err(Region("000105".to_owned()))),
            ("110105189912310026", Err(BirthDate)),
            ("110105194913310026", Err(BirthDate)),
            ("110105194912320026", Err(BirthDate)),
            ("110105194900010026", Err(BirthDate)),
        ];
        for (input, expected) in cases {
            let got = IdNumber::parse(input);
            assert_eq!(
                got.as_ref().map(IdNumber::as_str),
                expected.as_ref().map(|s| *s),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn february_29_is_valid_only_in_leap_years() {
        // 2000 is a leap year (divisible by 400), as are 1996 and 1984.
        for birth in [date(2000, 2, 29), date(1996, 2, 29), date(1984, 2, 29)] {
            let id = IdNumber::synthesize("230102", birth, 123).expect("leap day");
            assert_eq!(id.birth_date(), birth);
        }
        // 1900 is not a leap year (divisible by 100, not 400); 1999 is a common year.
        for body in [
            "23010219000229123",
            "23010219990229123",
            "23010220230229123",
        ] {
            let digits = body.as_bytes();
            let number = format!("{body}{}", check_char(digits));
            assert_eq!(
                IdNumber::parse(&number),
                Err(IdNumberError::BirthDate),
                "{number}"
            );
        }
    }

    #[test]
    fn accessors_read_the_fields() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        let id = IdNumber::parse("230102199003071237").expect("valid");
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(id.masked(), "2301**********1237");
    }

    #[test]
    fn age_counts_completed_years() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        let cases = [
            (date(1949, 12, 31), 0),
            (date(1940, 1, 1), 0),
            (date(1950, 12, 30), 0),
            (date(1950, 12, 31), 1),
            (date(2024, 12, 30), 74),
            (date(2024, 12, 31), 75),
        ];
        for (on, expected) in cases {
            assert_eq!(id.age_on(on), expected, "on {on}");
        }

        let leap = IdNumber::synthesize("230102", date(2000, 2, 29), 1).expect("valid");
        let cases = [
            (date(2018, 2, 28), 17),
            (date(2018, 3, 1), 18),
            (date(2020, 2, 28), 19),
            (date(2020, 2, 29), 20),
        ];
        for (on, expected) in cases {
            assert_eq!(leap.age_on(on), expected, "on {on}");
        }
    }

    #[test]
    fn synthesize_builds_valid_numbers_and_rejects_bad_input() {
        let id = IdNumber::synthesize("110105", date(1949, 12, 31), 2).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");

        let cases = [
            ("230102", date(1990, 1, 1), 1000, IdNumberError::Length(19)),
            ("23010", date(1990, 1, 1), 1, IdNumberError::Length(17)),
            ("2301a2", date(1990, 1, 1), 1, IdNumberError::Characters),
            (
                "990102",
                date(1990, 1, 1),
                1,
                IdNumberError::Region("990102".to_owned()),
            ),
            ("230102", date(1899, 12, 31), 1, IdNumberError::BirthDate),
        ];
        for (region, birth, sequence, expected) in cases {
            assert_eq!(
                IdNumber::synthesize(region, birth, sequence),
                Err(expected),
                "{region} {birth} {sequence}"
            );
        }
    }

    #[test]
    fn debug_shows_only_the_masked_number() {
        let id = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(format!("{id:?}"), r#"IdNumber("1101**********002X")"#);
    }

    #[test]
    fn errors_speak_both_languages() {
        let cases = [
            (
                IdNumberError::Length(17),
                "身份证号应为18位，实际为17位",
                "ID number must have 18 characters, found 17",
            ),
            (
                IdNumberError::CheckDigit {
                    expected: 'X',
                    found: '5',
                },
                "校验码错误：应为X，实际为5",
                "ID number check character is wrong: expected X, found 5",
            ),
        ];
        for (error, zh, en) in cases {
            assert_eq!(error.zh(), zh);
            assert_eq!(error.en(), en);
            assert_eq!(error.to_string(), en);
        }
    }
}
