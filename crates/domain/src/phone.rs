//! A mainland China mobile number, the contact and login handle of most workers (SPEC §1:
//! workers use the platform mostly on a phone).
//!
//! Why parsed by hand: the rule is small (`1[3-9]` followed by 9 digits, after removing spaces,
//! dashes and a `+86`/`86` country prefix) and a regex crate would be the only reason to add a
//! dependency. A phone number is personal information, so `Debug` masks it and there is no
//! `Display`.

use std::fmt;

use crate::bilingual::Bilingual;

/// Digits in a mainland mobile number.
const LENGTH: usize = 11;

/// A valid 11-digit mainland mobile number, digits only.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

/// Why a phone number was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number is empty")]
    Empty,
    #[error("phone number must be an 11-digit mainland mobile number starting with 13-19")]
    Format,
}

impl Bilingual for PhoneError {
    fn zh(&self) -> String {
        match self {
            Self::Empty => "手机号不能为空".to_owned(),
            Self::Format => "手机号应为以13至19开头的11位中国大陆手机号码".to_owned(),
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl Phone {
    /// Parses a number as people write it: `138 0013 8000`, `138-0013-8000`,
    /// `+86 138 0013 8000` or `8613800138000`.
    pub fn parse(s: &str) -> Result<Self, PhoneError> {
        let compact: String = s
            .chars()
            .filter(|&c| !(c.is_whitespace() || c == '-'))
            .collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        let digits = match compact.strip_prefix("+86") {
            Some(rest) => rest,
            // A bare "86" is a prefix only when it makes the number 2 digits too long: no
            // 11-digit mobile number starts with 86.
            None if compact.len() == LENGTH + 2 => compact.strip_prefix("86").unwrap_or(&compact),
            None => &compact,
        };
        let bytes = digits.as_bytes();
        let valid = bytes.len() == LENGTH
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if !valid {
            return Err(PhoneError::Format);
        }
        Ok(Self(digits.to_owned()))
    }

    /// The 11 digits, without country prefix or separators.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The usual Chinese masking, first 3 and last 4 digits: `138****8000`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[LENGTH - 4..])
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_common_spellings() {
        let cases: &[(&str, Result<&str, PhoneError>)] = &[
            ("13800138000", Ok("13800138000")),
            ("  13800138000 ", Ok("13800138000")),
            ("138 0013 8000", Ok("13800138000")),
            ("138-0013-8000", Ok("13800138000")),
            ("+86 138 0013 8000", Ok("13800138000")),
            ("+86-13800138000", Ok("13800138000")),
            ("+8613800138000", Ok("13800138000")),
            ("8613800138000", Ok("13800138000")),
            ("19912345678", Ok("19912345678")),
            ("", Err(PhoneError::Empty)),
            (" - ", Err(PhoneError::Empty)),
            ("12800138000", Err(PhoneError::Format)),
            ("10800138000", Err(PhoneError::Format)),
            ("23800138000", Err(PhoneError::Format)),
            ("1380013800", Err(PhoneError::Format)),
            ("138001380001", Err(PhoneError::Format)),
            ("+8513800138000", Err(PhoneError::Format)),
            ("+86 8613800138000", Err(PhoneError::Format)),
            ("1380013800a", Err(PhoneError::Format)),
            ("１３８００１３８０００", Err(PhoneError::Format)),
            ("(0451) 8888 8888", Err(PhoneError::Format)),
        ];
        for (input, expected) in cases {
            let got = Phone::parse(input);
            assert_eq!(
                got.as_ref().map(Phone::as_str),
                expected.as_ref().map(|s| *s),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn masked_and_debug_hide_the_middle_digits() {
        let phone = Phone::parse("+86 138 1234 5678").expect("valid");
        assert_eq!(phone.masked(), "138****5678");
        assert_eq!(format!("{phone:?}"), r#"Phone("138****5678")"#);
    }

    #[test]
    fn errors_speak_both_languages() {
        assert_eq!(PhoneError::Empty.zh(), "手机号不能为空");
        assert_eq!(PhoneError::Empty.en(), "phone number is empty");
    }
}
