//! The unified social credit code (统一社会信用代码, GB 32100-2015) that identifies an
//! enterprise or training institution (SPEC C1).
//!
//! Layout, 18 characters over a 31-character alphabet (digits and upper-case letters without
//! I, O, Z, S, V): registration authority (1), organisation type (1), region code of the
//! registering authority (6 digits, GB/T 2260), organisation code (9, GB 11714, its own check
//! character last), and a check character over the first 17.
//!
//! Parsing checks the GB 32100 check character only, not the inner GB 11714 one, as
//! python-stdnum's `cn.uscc` (our test oracle) does: codes issued before 2015 reuse old
//! organisation codes whose inner check is not always right, and rejecting a real enterprise
//! would be worse than accepting a mistyped inner character that the outer check misses.
//! Unlike stdnum we accept letters in the first two positions, as GB 32100 allows them (for
//! example `N` for rural collective economic organisations, `Y` for other authorities).
//! Credit codes are public information (printed on business licences), so `Debug` and
//! `Display` show them in full.

use std::fmt;

use crate::bilingual::Bilingual;

/// Number of characters in a credit code.
const LENGTH: usize = 18;

/// The GB 32100 alphabet; a character's value is its index.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100 weights (3^i mod 31) for the first 17 characters.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714 weights for the 8 body characters of the organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Largest serial `synthesize` accepts: the organisation-code body is 8 digits.
const MAX_SERIAL: u32 = 99_999_999;

/// A valid unified social credit code, upper case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct CreditCode(String);

/// Why a credit code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("credit code is empty")]
    Empty,
    #[error("credit code must have 18 characters, found {0}")]
    Length(usize),
    /// `position` counts from 1, as people count characters on a licence.
    #[error("credit code has an invalid character '{found}' at position {position}")]
    Characters { position: usize, found: char },
    #[error("credit code characters 3 to 8 must be digits (region code)")]
    RegionDigits,
    #[error("credit code check character is wrong: expected {expected}, found {found}")]
    CheckChar { expected: char, found: char },
}

impl Bilingual for CreditCodeError {
    fn zh(&self) -> String {
        match self {
            Self::Empty => "统一社会信用代码不能为空".to_owned(),
            Self::Length(n) => format!("统一社会信用代码应为18位，实际为{n}位"),
            Self::Characters { position, found } => {
                format!("统一社会信用代码第{position}位含有无效字符“{found}”")
            }
            Self::RegionDigits => "统一社会信用代码第3至8位（行政区划码）应为数字".to_owned(),
            Self::CheckChar { expected, found } => {
                format!("统一社会信用代码校验码错误：应为{expected}，实际为{found}")
            }
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl CreditCode {
    /// Parses a credit code: surrounding whitespace is ignored and lower case is accepted.
    pub fn parse(s: &str) -> Result<Self, CreditCodeError> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        let length = trimmed.chars().count();
        if length != LENGTH {
            return Err(CreditCodeError::Length(length));
        }
        let normalised = trimmed.to_ascii_uppercase();
        let mut values = [0u32; LENGTH];
        for (index, found) in normalised.chars().enumerate() {
            values[index] = value_of(found).ok_or(CreditCodeError::Characters {
                position: index + 1,
                found,
            })?;
        }
        if !normalised.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::RegionDigits);
        }
        let expected = check_char(&values[..LENGTH - 1]);
        let found = char::from(normalised.as_bytes()[LENGTH - 1]);
        if expected != found {
            return Err(CreditCodeError::CheckChar { expected, found });
        }
        Ok(Self(normalised))
    }

    /// Builds a realistic code for the demo generator: authority `9` (market regulation),
    /// type `1` (enterprise), the region, an organisation code whose 8-digit body is `serial`
    /// with its GB 11714 check character, and the GB 32100 check character. A region that is
    /// not 6 digits gives `RegionDigits`; a serial above 99 999 999 gives the `Length` the
    /// longer body would have.
    pub fn synthesize(region6: &str, serial: u32) -> Result<Self, CreditCodeError> {
        if region6.len() != 6 || !region6.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CreditCodeError::RegionDigits);
        }
        if serial > MAX_SERIAL {
            let digits = serial.to_string().len();
            return Err(CreditCodeError::Length(LENGTH - 8 + digits));
        }
        let body = format!("{serial:08}");
        let mut code = format!("91{region6}{body}{}", org_check_char(body.as_bytes()));
        let values: Vec<u32> = code.chars().filter_map(value_of).collect();
        code.push(check_char(&values));
        Self::parse(&code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Characters 3 to 8: the GB/T 2260 code of the registering authority's region.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The value of a character in the GB 32100 alphabet.
fn value_of(c: char) -> Option<u32> {
    let byte = u8::try_from(c).ok()?;
    let index = ALPHABET.iter().position(|&a| a == byte)?;
    u32::try_from(index).ok()
}

/// GB 32100 check character over the values of the first 17 characters.
fn check_char(values: &[u32]) -> char {
    let sum: u32 = values
        .iter()
        .zip(WEIGHTS)
        .map(|(value, weight)| value * weight)
        .sum();
    char::from(ALPHABET[((31 - sum % 31) % 31) as usize])
}

/// GB 11714 check character over the 8 body characters of an organisation code (digits are
/// worth themselves, letters A=10 to Z=35).
fn org_check_char(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(&c, weight)| {
            let value = if c.is_ascii_digit() {
                u32::from(c - b'0')
            } else {
                u32::from(c.to_ascii_uppercase() - b'A') + 10
            };
            value * weight
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        digit => char::from(b'0' + digit as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_valid_and_rejects_invalid_codes() {
        use CreditCodeError::*;
        // Valid examples were checked with python-stdnum's cn.uscc.
        let cases: &[(&str, Result<&str, CreditCodeError>)] = &[
            ("91110000600037341L", Ok("91110000600037341L")),
            ("91110000600037341l", Ok("91110000600037341L")),
            (" 91110000600037341L\t", Ok("91110000600037341L")),
            ("91230102000000019C", Ok("91230102000000019C")),
            (
                "91110000600037341M",
                Err(CheckChar {
                    expected: 'L',
                    found: 'M',
                }),
            ),
            (
                "91110000600037342L",
                Err(CheckChar {
                    expected: 'P',
                    found: 'L',
                }),
            ),
            ("", Err(Empty)),
            ("9111000060003734", Err(Length(16))),
            ("91110000600037341LL", Err(Length(19))),
            (
                "91110000600O37341L",
                Err(Characters {
                    position: 12,
                    found: 'O',
                }),
            ),
            (
                "91110000600037341I",
                Err(Characters {
                    position: 18,
                    found: 'I',
                }),
            ),
            (
                "9111000060003734１L",
                Err(Characters {
                    position: 17,
                    found: '１',
                }),
            ),
            ("9111A000600037341L", Err(RegionDigits)),
        ];
        for (input, expected) in cases {
            let got = CreditCode::parse(input);
            assert_eq!(
                got.as_ref().map(CreditCode::as_str),
                expected.as_ref().map(|s| *s),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn letters_are_allowed_in_the_first_two_positions() {
        // GB 32100 authority codes include letters (N: rural collective organisations).
        let body = "N2230102MA1B2C3D4";
        let values: Vec<u32> = body.chars().filter_map(value_of).collect();
        let code = format!("{body}{}", check_char(&values));
        assert_eq!(
            CreditCode::parse(&code).map(|c| c.region_code().to_owned()),
            Ok("230102".to_owned())
        );
    }

    #[test]
    fn synthesize_makes_codes_with_both_check_characters_right() {
        let cases = [
            ("230102", 1, "91230102000000019C"),
            ("230100", 70_240_201, "91230100702402012E"),
        ];
        for (region, serial, expected) in cases {
            let code = CreditCode::synthesize(region, serial).expect("valid");
            assert_eq!(code.as_str(), expected);
            assert_eq!(code.region_code(), region);
            let org = &code.as_str().as_bytes()[8..17];
            assert_eq!(char::from(org[8]), org_check_char(&org[..8]));
        }
    }

    #[test]
    fn synthesize_rejects_bad_input() {
        let cases = [
            ("23010", 1, CreditCodeError::RegionDigits),
            ("2301a2", 1, CreditCodeError::RegionDigits),
            ("230102", 100_000_000, CreditCodeError::Length(19)),
        ];
        for (region, serial, expected) in cases {
            assert_eq!(CreditCode::synthesize(region, serial), Err(expected));
        }
    }

    #[test]
    fn org_check_char_follows_gb_11714() {
        // D2143569-X is the example commonly cited for GB 11714; 600037341 is the organisation code
        // inside the known-valid credit code above.
        let cases = [("00000001", '9'), ("60003734", '1'), ("D2143569", 'X')];
        for (body, expected) in cases {
            assert_eq!(org_check_char(body.as_bytes()), expected, "{body}");
        }
    }

    #[test]
    fn display_and_debug_show_the_full_public_code() {
        let code = CreditCode::parse("91110000600037341L").expect("valid");
        assert_eq!(code.to_string(), "91110000600037341L");
        assert_eq!(format!("{code:?}"), r#"CreditCode("91110000600037341L")"#);
    }

    #[test]
    fn errors_speak_both_languages() {
        let error = CreditCodeError::CheckChar {
            expected: 'L',
            found: 'M',
        };
        assert_eq!(error.zh(), "统一社会信用代码校验码错误：应为L，实际为M");
        assert_eq!(
            error.en(),
            "credit code check character is wrong: expected L, found M"
        );
        let error = CreditCodeError::Characters {
            position: 10,
            found: 'O',
        };
        assert_eq!(error.zh(), "统一社会信用代码第10位含有无效字符“O”");
    }
}
