//! Question files (SPEC C8, issue 4): Moodle XML and GIFT — the two formats Moodle itself
//! exports — and Anpei's own .xlsx template, read into [`QuestionDraft`]s and written back.
//!
//! Readers never stop at the first problem: they return every draft they could build and
//! every [`Problem`], each with the line it concerns (the line of the `<question>` element in
//! XML, the first line of the question in GIFT, the spreadsheet row in .xlsx) and its reason
//! in both languages. Question kinds that Anpei lacks (essay, matching, numerical, cloze,
//! description, calculated, drag-and-drop…) are problems too, marked
//! [`Problem::unsupported`] with the file's own name for the kind, so that a caller can
//! reject the file or, when told to, skip exactly those and report them — never drop them
//! silently.
//!
//! Difficulty has no place in Moodle's formats; it travels as the tag `difficulty:N`
//! (1 易, 2 中, 3 难), so an export re-imports unchanged. A question without that tag is
//! of medium difficulty. Practical score sheets (实操评分表) exist only in the .xlsx
//! template: the Moodle writers leave them out and say how many they left out.

pub mod gift;
pub mod moodle_xml;
mod text;
pub mod xlsx;

use std::collections::BTreeMap;

use anpei_domain::Bilingual;

use crate::bounds::Refusal;
use anpei_domain::exam::{Difficulty, Question, QuestionKind, ScoreSheet};

/// What a draft holds: an on-screen question or a practical score sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftContent {
    Question(Question),
    Sheet(ScoreSheet),
}

/// One question read from a file, checked by the domain, not yet in the bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionDraft {
    /// Where it starts in the file (1-based line or spreadsheet row).
    pub line: usize,
    /// The category it sits in, outermost first (Moodle's `$course$/top/` stripped): the
    /// syllabus points it hangs under. Empty when the file names none.
    pub category_path: Vec<String>,
    /// The name the file gave it (Moodle's `<name>`, GIFT's `::title::`).
    pub name: Option<String>,
    pub content: DraftContent,
}

impl QuestionDraft {
    /// `single`, `multiple`, `true_false`, `fill_in` or `practical`.
    pub fn kind_code(&self) -> &'static str {
        match &self.content {
            DraftContent::Question(q) => q.kind().code(),
            DraftContent::Sheet(_) => PRACTICAL,
        }
    }
}

/// The kind code of a practical score sheet (the others are `QuestionKind::code`).
pub const PRACTICAL: &str = "practical";

/// Every kind code, in the order counts are shown.
pub const KIND_CODES: [&str; 5] = ["single", "multiple", "true_false", "fill_in", PRACTICAL];

/// The Chinese and English name of a kind code.
pub fn kind_names(code: &str) -> (&'static str, &'static str) {
    match QuestionKind::parse(code) {
        Some(kind) => (kind.name_zh(), kind.name_en()),
        None => ("实操评分表", "Practical score sheet"),
    }
}

/// Something wrong with one question (or with the whole file, at line 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    /// The file's name for a question kind Anpei does not have (`essay`, `matching`…), when
    /// that is the problem.
    pub unsupported: Option<String>,
    pub zh: String,
    pub en: String,
}

impl Problem {
    pub fn new(line: usize, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Problem {
            line,
            unsupported: None,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn from_reason(line: usize, reason: &impl Bilingual) -> Self {
        Problem::new(line, reason.zh(), reason.en())
    }

    pub fn unsupported(line: usize, kind: &str) -> Self {
        Problem {
            line,
            unsupported: Some(kind.to_owned()),
            zh: format!("安培不支持此题型：{kind}"),
            en: format!("Anpei has no questions of type {kind}"),
        }
    }
}

/// What a reader found: the drafts it built and every problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOutcome {
    pub drafts: Vec<QuestionDraft>,
    pub problems: Vec<Problem>,
    /// Set when the file was refused before it was read because it exceeds a bound (size,
    /// rows, nesting…): then `problems` holds that one refusal and `drafts` is empty. A
    /// server answers this as a refused upload, not as problems of single questions.
    pub refused: Option<Refusal>,
}

impl ReadOutcome {
    /// The outcome of a file refused by a bound.
    pub fn refused(refusal: Refusal) -> Self {
        ReadOutcome {
            drafts: Vec::new(),
            problems: vec![Problem::from_reason(0, &refusal)],
            refused: Some(refusal),
        }
    }

    /// How many drafts of each kind code (every kind present, zero or not).
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        counts(&self.drafts)
    }

    /// Problems other than unsupported kinds: these always reject the file.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.unsupported.is_none())
    }

    /// The unsupported questions, which `--skip-unsupported` leaves out and lists.
    pub fn unsupported(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.unsupported.is_some())
    }

    /// Whether the file may be imported: no problems, or only unsupported kinds when the
    /// caller skips those.
    pub fn importable(&self, skip_unsupported: bool) -> bool {
        if skip_unsupported {
            self.errors().next().is_none()
        } else {
            self.problems.is_empty()
        }
    }
}

/// Counts drafts per kind code; every kind appears.
pub fn counts(drafts: &[QuestionDraft]) -> BTreeMap<&'static str, usize> {
    let mut counts: BTreeMap<&'static str, usize> = KIND_CODES.iter().map(|k| (*k, 0)).collect();
    for draft in drafts {
        *counts.entry(draft.kind_code()).or_default() += 1;
    }
    counts
}

/// The three file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    MoodleXml,
    Gift,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Xlsx, Format::MoodleXml, Format::Gift];

    /// `xlsx`, `moodle-xml`, `gift`: the names on the command line and in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::MoodleXml => "moodle-xml",
            Format::Gift => "gift",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "moodle-xml" | "moodle_xml" | "xml" | "moodle" => Some(Format::MoodleXml),
            "gift" | "txt" => Some(Format::Gift),
            _ => None,
        }
    }

    /// The format a file is in, by its name and then its first bytes (.xlsx is a zip).
    pub fn detect(file_name: &str, bytes: &[u8]) -> Self {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".xlsx") || bytes.starts_with(b"PK") {
            return Format::Xlsx;
        }
        if lower.ends_with(".xml") {
            return Format::MoodleXml;
        }
        if lower.ends_with(".gift") || lower.ends_with(".txt") {
            return Format::Gift;
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
        if head
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            Format::MoodleXml
        } else {
            Format::Gift
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::MoodleXml => "xml",
            Format::Gift => "gift.txt",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::MoodleXml => "application/xml; charset=utf-8",
            Format::Gift => "text/plain; charset=utf-8",
        }
    }

    /// Reads a file of this format.
    pub fn read(self, bytes: &[u8]) -> ReadOutcome {
        match self {
            Format::Xlsx => xlsx::read(bytes),
            Format::MoodleXml => moodle_xml::read(bytes),
            Format::Gift => gift::read(bytes),
        }
    }

    /// Writes drafts in this format. Returns the bytes and how many score sheets the format
    /// could not hold (always 0 for .xlsx).
    pub fn write(self, drafts: &[QuestionDraft]) -> Result<(Vec<u8>, usize), xlsx::XlsxError> {
        let sheets = drafts
            .iter()
            .filter(|d| matches!(d.content, DraftContent::Sheet(_)))
            .count();
        Ok(match self {
            Format::Xlsx => (xlsx::write(drafts)?, 0),
            Format::MoodleXml => (moodle_xml::write(drafts).into_bytes(), sheets),
            Format::Gift => (gift::write(drafts).into_bytes(), sheets),
        })
    }
}

/// The tag that carries difficulty through Moodle's formats.
const DIFFICULTY_TAG: &str = "difficulty:";

/// Splits `difficulty:N` off a file's tags. A malformed difficulty tag is a problem.
fn difficulty_from_tags(tags: Vec<String>) -> Result<(Difficulty, Vec<String>), (String, String)> {
    let mut difficulty = Difficulty::Medium;
    let mut rest = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_owned();
        if let Some(level) = tag.strip_prefix(DIFFICULTY_TAG) {
            difficulty = level
                .trim()
                .parse::<u8>()
                .ok()
                .and_then(Difficulty::from_level)
                .ok_or_else(|| {
                    (
                        format!("难度标签“{tag}”应为 difficulty:1、difficulty:2 或 difficulty:3"),
                        format!(
                            "difficulty tag \"{tag}\" must be difficulty:1, difficulty:2 or difficulty:3"
                        ),
                    )
                })?;
        } else if !tag.is_empty() {
            rest.push(tag);
        }
    }
    Ok((difficulty, rest))
}

/// A question's tags as written to Moodle's formats: its own, then its difficulty.
fn tags_with_difficulty(question: &Question) -> Vec<String> {
    let mut tags = question.tags().to_vec();
    tags.push(format!("{DIFFICULTY_TAG}{}", question.difficulty().level()));
    tags
}

/// Moodle's category path as syllabus titles: `$course$/top/电工/触电` → [电工, 触电].
/// Moodle escapes a `/` inside a name as `//`.
fn category_path(raw: &str) -> Vec<String> {
    let raw = raw.trim();
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '/' {
            if chars.peek() == Some(&'/') {
                chars.next();
                current.push('/');
            } else {
                parts.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    let mut parts: Vec<String> = parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if parts
        .first()
        .is_some_and(|p| p.starts_with('$') && p.ends_with('$'))
    {
        parts.remove(0);
    }
    if parts.first().is_some_and(|p| p == "top") {
        parts.remove(0);
    }
    parts
}

/// The category path as Moodle writes it.
fn category_text(path: &[String]) -> String {
    let mut out = String::from("$course$/top");
    for part in path {
        out.push('/');
        out.push_str(&part.replace('/', "//"));
    }
    out
}

/// A name for a question that has none: the start of its stem, as Moodle does.
fn default_name(stem: &str) -> String {
    let line = stem.lines().next().unwrap_or_default();
    let mut name: String = line.chars().take(40).collect();
    if line.chars().count() > 40 {
        name.push('…');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_paths() {
        let cases = [
            ("$course$/top/电工/触电", vec!["电工", "触电"]),
            (
                "$course$/Default for testhead/Multichoice",
                vec!["Default for testhead", "Multichoice"],
            ),
            ("$course$/top", vec![]),
            ("$system$/top/A//B/C", vec!["A/B", "C"]),
            ("plain/path", vec!["plain", "path"]),
        ];
        for (raw, expected) in cases {
            assert_eq!(category_path(raw), expected, "{raw}");
        }
        let path = vec!["A/B".to_owned(), "C".to_owned()];
        assert_eq!(category_path(&category_text(&path)), path);
    }

    #[test]
    fn formats_are_detected() {
        assert_eq!(Format::detect("q.xml", b""), Format::MoodleXml);
        assert_eq!(Format::detect("upload", b"PK\x03\x04"), Format::Xlsx);
        assert_eq!(
            Format::detect("upload", b"\xef\xbb\xbf<?xml"),
            Format::MoodleXml
        );
        assert_eq!(Format::detect("questions.txt", b"::a::b{T}"), Format::Gift);
        assert_eq!(Format::parse("moodle-xml"), Some(Format::MoodleXml));
        assert_eq!(Format::parse("qti"), None);
    }

    #[test]
    fn difficulty_travels_as_a_tag() {
        let (d, tags) = difficulty_from_tags(vec!["触电".into(), "difficulty:3".into()]).unwrap();
        assert_eq!(d, Difficulty::Hard);
        assert_eq!(tags, vec!["触电".to_owned()]);
        assert!(difficulty_from_tags(vec!["difficulty:9".into()]).is_err());
        assert_eq!(difficulty_from_tags(vec![]).unwrap().0, Difficulty::Medium);
    }
}
