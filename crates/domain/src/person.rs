//! A person's name and gender, as recorded in the lifelong archive (SPEC C1, C2).
//!
//! Why a parsed type: names arrive from rosters typed by hand (xlsx/CSV), so they carry stray
//! spaces, full-width spaces and look-alike middle dots. We normalise them once here so that
//! the same person is spelt the same way everywhere, and we reject digits and control
//! characters, which are always typing or import errors. Names are personal information:
//! `masked()` is what public pages (certificate verification) show.

use crate::bilingual::Bilingual;

/// Longest accepted name, in characters. Long transliterated minority and foreign names reach
/// about 30; 50 leaves room without letting a whole address be pasted into the field.
const MAX_CHARS: usize = 50;

/// The middle dot that the public-security ID card uses between parts of a transliterated name
/// (e.g. "买买提·艾力").
const MIDDLE_DOT: char = '·';

/// Dots that people type instead of [`MIDDLE_DOT`] on phones and Chinese IMEs; normalised to it
/// so that one person does not end up with two spellings.
const MIDDLE_DOT_LOOKALIKES: [char; 4] = ['•', '・', '‧', '･'];

/// Two-character (compound) surnames: `masked()` keeps the whole surname for these, as people
/// expect "欧阳**" rather than "欧***".
const COMPOUND_SURNAMES: [&str; 40] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "太史",
    "申屠", "钟离", "闻人", "万俟", "赫连", "濮阳", "淳于", "单于", "仲孙", "鲜于", "司空", "第五",
    "拓跋", "完颜", "东郭", "左丘",
];

/// A person's name: trimmed, inner whitespace collapsed to single spaces, look-alike dots
/// normalised to `·`; 1 to 50 characters of letters (Han characters count as letters), spaces,
/// `·`, and the `-`, `'`, `.` found in Latin names.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PersonName(String);

/// Why a name was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("name is empty")]
    Empty,
    #[error("name is too long: {0} characters, at most 50 allowed")]
    TooLong(usize),
    #[error(
        "name contains characters that are not allowed (digits, symbols or control characters)"
    )]
    Characters,
}

impl Bilingual for PersonNameError {
    fn zh(&self) -> String {
        match self {
            Self::Empty => "姓名不能为空".to_owned(),
            Self::TooLong(n) => format!("姓名过长：最多50个字符，实际为{n}个"),
            Self::Characters => "姓名包含不允许的字符（数字、符号或控制字符）".to_owned(),
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl PersonName {
    /// Parses and normalises a name.
    pub fn parse(s: &str) -> Result<Self, PersonNameError> {
        let mut normalised = String::with_capacity(s.len());
        for word in s.split_whitespace() {
            if !normalised.is_empty() {
                normalised.push(' ');
            }
            for c in word.chars() {
                let c = if MIDDLE_DOT_LOOKALIKES.contains(&c) {
                    MIDDLE_DOT
                } else {
                    c
                };
                if !is_name_char(c) {
                    return Err(PersonNameError::Characters);
                }
                normalised.push(c);
            }
        }
        let length = normalised.chars().count();
        if length == 0 {
            return Err(PersonNameError::Empty);
        }
        if length > MAX_CHARS {
            return Err(PersonNameError::TooLong(length));
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name for public display: the surname (first character, or both characters of a
    /// compound surname) followed by one `*` per remaining character, and at least one `*` so
    /// that a one-character name is not shown in full.
    pub fn masked(&self) -> String {
        let kept = if self.0.chars().count() > 2
            && COMPOUND_SURNAMES
                .iter()
                .any(|surname| self.0.starts_with(surname))
        {
            2
        } else {
            1
        };
        let mut masked: String = self.0.chars().take(kept).collect();
        let hidden = self.0.chars().count().saturating_sub(kept).max(1);
        masked.extend(std::iter::repeat_n('*', hidden));
        masked
    }
}

/// Letters of any script except numerals, plus the separators real names use. `〇` is a Han
/// character that occurs in names even though Unicode calls it numeric.
fn is_name_char(c: char) -> bool {
    if c == '〇' {
        return true;
    }
    if c.is_numeric() || c.is_control() {
        return false;
    }
    c.is_alphabetic() || matches!(c, MIDDLE_DOT | '-' | '\'' | '.')
}

/// Gender as recorded on the resident ID card (its 17th digit), hence only two values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub const ALL: [Gender; 2] = [Gender::Male, Gender::Female];

    /// Stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "M",
            Self::Female => "F",
        }
    }

    /// Inverse of [`Gender::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|gender| gender.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Male => "Male",
            Self::Female => "Female",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_normalise() {
        let cases: &[(&str, Result<&str, PersonNameError>)] = &[
            ("张三", Ok("张三")),
            ("  李四\t", Ok("李四")),
            ("王　五", Ok("王 五")),
            ("欧阳  娜娜", Ok("欧阳 娜娜")),
            ("买买提·艾力", Ok("买买提·艾力")),
            ("买买提•艾力", Ok("买买提·艾力")),
            ("买买提・艾力", Ok("买买提·艾力")),
            ("John  O'Brien-Smith", Ok("John O'Brien-Smith")),
            ("李〇", Ok("李〇")),
            ("", Err(PersonNameError::Empty)),
            ("   ", Err(PersonNameError::Empty)),
            ("张3", Err(PersonNameError::Characters)),
            ("张３", Err(PersonNameError::Characters)),
            ("张\u{0}三", Err(PersonNameError::Characters)),
            ("<script>", Err(PersonNameError::Characters)),
            ("a@b", Err(PersonNameError::Characters)),
        ];
        for (input, expected) in cases {
            let got = PersonName::parse(input);
            assert_eq!(
                got.as_ref().map(PersonName::as_str),
                expected.as_ref().map(|s| *s),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn length_is_counted_in_characters() {
        let fifty = "张".repeat(50);
        assert!(PersonName::parse(&fifty).is_ok());
        let fifty_one = "张".repeat(51);
        assert_eq!(
            PersonName::parse(&fifty_one),
            Err(PersonNameError::TooLong(51))
        );
    }

    #[test]
    fn masked_keeps_only_the_surname() {
        let cases = [
            ("张三", "张*"),
            ("张三丰", "张**"),
            ("欧阳修", "欧阳*"),
            ("欧阳娜娜", "欧阳**"),
            ("欧阳", "欧*"),
            ("张", "张*"),
            ("John Smith", "J*********"),
        ];
        for (input, expected) in cases {
            let name = PersonName::parse(input).expect("valid name");
            assert_eq!(name.masked(), expected, "input {input:?}");
        }
    }

    #[test]
    fn gender_codes_round_trip() {
        for gender in Gender::ALL {
            assert_eq!(Gender::parse(gender.code()), Some(gender));
        }
        assert_eq!(Gender::parse("X"), None);
        assert_eq!(Gender::Male.name_zh(), "男");
        assert_eq!(Gender::Female.name_en(), "Female");
    }

    #[test]
    fn errors_speak_both_languages() {
        assert_eq!(
            PersonNameError::TooLong(51).zh(),
            "姓名过长：最多50个字符，实际为51个"
        );
        assert_eq!(PersonNameError::Empty.en(), "name is empty");
    }
}
