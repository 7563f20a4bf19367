//! Bounds on uploaded files, checked before any parser builds anything from them (issue 13,
//! OWASP ASVS V12.1/V5.2: files that cannot exhaust the server's memory or time).
//!
//! Why a preflight of our own: calamine trusts the file. A 7 KB .xlsx with one cell at
//! `XFD1048576` makes it allocate a dense range of 17 billion cells; a `uniqueCount` in the
//! shared-string table is reserved as written; a 306 KB zip bomb is inflated in full. So every
//! spreadsheet read first runs [`check_xlsx`]: it reads the zip's end record for the entry
//! count (before the zip crate builds its index), checks every entry's declared size and
//! compression ratio, then *actually* inflates every entry through a `Guard` that counts
//! the bytes (declared sizes can lie) and stops at the first limit, while a streaming XML
//! scan with calamine's own parser settings follows calamine's cell positions (`<row r>`,
//! `<c r>`, cells without `r`), the `<dimension ref>`, the shared strings and the text the
//! cells would hold. Nothing it reads is kept but a length per shared string, so the check
//! itself stays within a few MiB. CSV gets the same limits through a byte scan that follows
//! the `csv` crate's quoting rules ([`check_csv`]), because the `csv` crate allocates a whole
//! record before it can be looked at.
//!
//! Every refusal is a [`Refusal`]: which limit, where (the sheet by its tab name, or the part
//! of the zip), in both languages.

mod csv_file;
mod xlsx_file;

pub use csv_file::{check_csv, check_csv_record};
pub use xlsx_file::check_xlsx;

use anpei_domain::Bilingual;

/// What one kind of upload may hold. Each reader has its own (see the constants); all sizes
/// are after decompression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SheetLimits {
    /// Entries in the .xlsx zip (a workbook written by Excel or WPS holds a few dozen).
    pub max_zip_entries: u64,
    /// Bytes of any one entry once inflated.
    pub max_part_bytes: u64,
    /// Bytes of all entries together once inflated.
    pub max_total_bytes: u64,
    /// Inflated : compressed, for entries past [`RATIO_FLOOR`] bytes.
    pub max_ratio: u64,
    /// The last row a cell with a value may sit in (1-based, header included).
    pub max_rows: u64,
    /// The last column a cell with a value may sit in (1-based: A = 1).
    pub max_columns: u64,
    /// Rows × columns of the area from A1 to the last row and column: what calamine and the
    /// readers allocate densely.
    pub max_cells: u64,
    /// Entries of the shared-string table (declared and counted).
    pub max_shared_strings: u64,
    /// Bytes of text all cells would hold together (a shared string counts once per cell
    /// that uses it, because calamine copies it into each).
    pub max_text_bytes: u64,
    /// Characters in one cell: Excel's own limit.
    pub max_cell_chars: u64,
}

/// Below this many inflated bytes an entry's compression ratio is not checked: a small part
/// of repeated markup compresses well and is harmless.
pub const RATIO_FLOOR: u64 = 1024 * 1024;

/// The longest single XML token (a tag, a text, a comment) the scan lets the XML reader
/// buffer. A cell holds at most 32,767 characters (about 128 KiB); anything near this is
/// not a spreadsheet.
pub const MAX_TOKEN_BYTES: u64 = 4 * 1024 * 1024;

pub(crate) const MIB: u64 = 1024 * 1024;

impl SheetLimits {
    /// Staff rosters: up to 100,000 people (the 20 MiB upload limit was sized for that, and
    /// the CLI test imports 100,000 rows), plus the header and room for blank or note rows;
    /// 13 columns of Anpei's plus room for an enterprise's own. Measured
    /// (`tests/upload_bombs.rs`): a 100,000-row roster with every column filled peaks at
    /// about 134 MB while read (calamine's cells, its dense range and the parsed rows side
    /// by side), so the cell area is held near that file's 1.3 million cells — the worst
    /// file within limits stays near 0.2–0.3 GB — rather than the sheet's 17 billion.
    pub const ROSTER: SheetLimits = SheetLimits {
        max_zip_entries: 1_000,
        max_part_bytes: 256 * MIB,
        max_total_bytes: 512 * MIB,
        max_ratio: 100,
        max_rows: 120_000,
        max_columns: 32,
        max_cells: 2_000_000,
        max_shared_strings: 2_000_000,
        max_text_bytes: 64 * MIB,
        max_cell_chars: 32_767,
    };

    /// Question banks (Anpei's template): a trade's bank holds a few thousand questions and
    /// a score sheet takes one row per item; 20 columns of Anpei's.
    pub const QUESTIONS: SheetLimits = SheetLimits {
        max_zip_entries: 1_000,
        max_part_bytes: 256 * MIB,
        max_total_bytes: 512 * MIB,
        max_ratio: 100,
        max_rows: 50_000,
        max_columns: 32,
        max_cells: 1_000_000,
        max_shared_strings: 1_000_000,
        max_text_bytes: 64 * MIB,
        max_cell_chars: 32_767,
    };
}

/// Where a refused thing is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A worksheet, by its tab name.
    Sheet(String),
    /// An entry of the .xlsx zip that is not a known worksheet.
    Part(String),
    /// A CSV file.
    Csv,
    /// An XML file (Moodle XML), at a line.
    Xml { line: usize },
}

impl Place {
    fn zh(&self) -> String {
        match self {
            Place::Sheet(name) => format!("工作表“{name}”"),
            Place::Part(path) => format!("文件部件 {path} "),
            Place::Csv => "CSV 文件".to_owned(),
            Place::Xml { line } => format!("XML 文件第 {line} 行"),
        }
    }

    fn en(&self) -> String {
        match self {
            Place::Sheet(name) => format!("sheet \"{name}\""),
            Place::Part(path) => format!("part {path}"),
            Place::Csv => "the CSV file".to_owned(),
            Place::Xml { line } => format!("the XML file at line {line}"),
        }
    }
}

/// Why an upload was refused before it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a zip archive: an old .xls, an encrypted workbook, or no spreadsheet at all.
    NotXlsx,
    /// The archive or one of its parts cannot be read at all.
    Unreadable {
        place: Place,
        reason: String,
    },
    ZipEntries {
        count: u64,
        limit: u64,
    },
    PartBytes {
        place: Place,
        limit: u64,
    },
    /// An entry inflates to more than its header declares.
    LargerThanDeclared {
        place: Place,
        declared: u64,
    },
    Ratio {
        place: Place,
        limit: u64,
    },
    TotalBytes {
        limit: u64,
    },
    /// One XML token longer than [`MAX_TOKEN_BYTES`].
    Token {
        place: Place,
        limit: u64,
    },
    Rows {
        place: Place,
        row: u64,
        limit: u64,
    },
    Columns {
        place: Place,
        column: u64,
        limit: u64,
    },
    Cells {
        place: Place,
        rows: u64,
        columns: u64,
        limit: u64,
    },
    SharedStrings {
        count: u64,
        limit: u64,
    },
    Text {
        place: Place,
        limit: u64,
    },
    CellChars {
        place: Place,
        cell: String,
        limit: u64,
    },
    /// Elements nested deeper than the limit (XML).
    Depth {
        place: Place,
        limit: u64,
    },
    /// More elements, texts and attributes than the limit (XML).
    Nodes {
        place: Place,
        limit: u64,
    },
}

/// `1234567` as `1,234,567`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", grouped(bytes / MIB))
}

/// Column number (1-based) as letters: 1 → A, 16384 → XFD.
pub fn column_letters(mut column: u64) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rest = (column - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        column = (column - 1) / 26;
    }
    letters.iter().rev().collect()
}

impl Bilingual for Refusal {
    fn zh(&self) -> String {
        match self {
            Refusal::NotXlsx => {
                "不是有效的 .xlsx 文件（加密的工作簿或旧版 .xls 请在 Excel 或 WPS 中另存为 .xlsx）"
                    .to_owned()
            }
            Refusal::Unreadable { place, reason } => {
                format!("无法读取 .xlsx 文件（{}）：{reason}", place.zh())
            }
            Refusal::ZipEntries { count, limit } => format!(
                ".xlsx 文件包含 {} 个条目，超过上限 {} 个，拒绝读取",
                grouped(*count),
                grouped(*limit)
            ),
            Refusal::PartBytes { place, limit } => {
                format!("{}解压后超过上限 {}，拒绝读取", place.zh(), mib(*limit))
            }
            Refusal::LargerThanDeclared { place, declared } => format!(
                "{}解压后的大小超过其文件头声明的 {} 字节（文件头不实，疑似压缩炸弹），拒绝读取",
                place.zh(),
                grouped(*declared)
            ),
            Refusal::Ratio { place, limit } => format!(
                "{}的压缩比超过 {limit}:1 的上限（疑似压缩炸弹），拒绝读取",
                place.zh()
            ),
            Refusal::TotalBytes { limit } => {
                format!(".xlsx 文件解压后总大小超过上限 {}，拒绝读取", mib(*limit))
            }
            Refusal::Token { place, limit } => format!(
                "{}中有一段连续内容超过 {}（单个 XML 标记或文本），拒绝读取",
                place.zh(),
                mib(*limit)
            ),
            Refusal::Rows { place, row, limit } => format!(
                "{}用到第 {} 行，超过行数上限 {} 行（请删除多余的行，或分成几个文件上传）",
                place.zh(),
                grouped(*row),
                grouped(*limit)
            ),
            Refusal::Columns {
                place,
                column,
                limit,
            } => format!(
                "{}用到第 {} 列（{} 列），超过列数上限 {} 列（请删除多余的列）",
                place.zh(),
                grouped(*column),
                column_letters(*column),
                grouped(*limit)
            ),
            Refusal::Cells {
                place,
                rows,
                columns,
                limit,
            } => format!(
                "{}的使用区域为 {} 行 × {} 列，超过单元格数上限 {} 个",
                place.zh(),
                grouped(*rows),
                grouped(*columns),
                grouped(*limit)
            ),
            Refusal::SharedStrings { count, limit } => format!(
                "共享字符串表有 {} 条，超过上限 {} 条，拒绝读取",
                grouped(*count),
                grouped(*limit)
            ),
            Refusal::Text { place, limit } => format!(
                "{}中单元格的文字总量超过上限 {}，拒绝读取",
                place.zh(),
                mib(*limit)
            ),
            Refusal::CellChars { place, cell, limit } => format!(
                "{}的单元格 {cell} 超过每格 {} 个字符的上限",
                place.zh(),
                grouped(*limit)
            ),
            Refusal::Depth { place, limit } => format!(
                "{}：元素嵌套超过 {} 层的上限，拒绝读取",
                place.zh(),
                grouped(*limit)
            ),
            Refusal::Nodes { place, limit } => format!(
                "{}：元素、文本和属性总数超过上限 {} 个，拒绝读取（请分成几个文件上传）",
                place.zh(),
                grouped(*limit)
            ),
        }
    }

    fn en(&self) -> String {
        match self {
            Refusal::NotXlsx => "Not a valid .xlsx file (save encrypted workbooks and old .xls files as .xlsx in Excel or WPS first)".to_owned(),
            Refusal::Unreadable { place, reason } => {
                format!("Cannot read the .xlsx file ({}): {reason}", place.en())
            }
            Refusal::ZipEntries { count, limit } => format!(
                "The .xlsx file holds {} entries, over the limit of {}; not read",
                grouped(*count),
                grouped(*limit)
            ),
            Refusal::PartBytes { place, limit } => format!(
                "{} inflates to more than the limit of {}; not read",
                capitalised(&place.en()),
                mib(*limit)
            ),
            Refusal::LargerThanDeclared { place, declared } => format!(
                "{} inflates to more than the {} bytes its header declares (a false header, likely a zip bomb); not read",
                capitalised(&place.en()),
                grouped(*declared)
            ),
            Refusal::Ratio { place, limit } => format!(
                "{} is compressed more than the limit of {limit}:1 (likely a zip bomb); not read",
                capitalised(&place.en())
            ),
            Refusal::TotalBytes { limit } => format!(
                "The .xlsx file inflates to more than the limit of {} in total; not read",
                mib(*limit)
            ),
            Refusal::Token { place, limit } => format!(
                "{} holds a single XML token or text longer than {}; not read",
                capitalised(&place.en()),
                mib(*limit)
            ),
            Refusal::Rows { place, row, limit } => format!(
                "{} uses rows up to {}, over the limit of {} rows (delete the extra rows or split the file)",
                capitalised(&place.en()),
                grouped(*row),
                grouped(*limit)
            ),
            Refusal::Columns {
                place,
                column,
                limit,
            } => format!(
                "{} uses columns up to {} ({}), over the limit of {} columns (delete the extra columns)",
                capitalised(&place.en()),
                grouped(*column),
                column_letters(*column),
                grouped(*limit)
            ),
            Refusal::Cells {
                place,
                rows,
                columns,
                limit,
            } => format!(
                "{} uses an area of {} rows × {} columns, over the limit of {} cells",
                capitalised(&place.en()),
                grouped(*rows),
                grouped(*columns),
                grouped(*limit)
            ),
            Refusal::SharedStrings { count, limit } => format!(
                "The shared-string table holds {} entries, over the limit of {}; not read",
                grouped(*count),
                grouped(*limit)
            ),
            Refusal::Text { place, limit } => format!(
                "The cells of {} hold more than the limit of {} of text; not read",
                place.en(),
                mib(*limit)
            ),
            Refusal::CellChars { place, cell, limit } => format!(
                "Cell {cell} of {} holds more than the limit of {} characters",
                place.en(),
                grouped(*limit)
            ),
            Refusal::Depth { place, limit } => format!(
                "{}: elements nest deeper than the limit of {} levels; not read",
                capitalised(&place.en()),
                grouped(*limit)
            ),
            Refusal::Nodes { place, limit } => format!(
                "{}: more than the limit of {} elements, texts and attributes; not read (split the file)",
                capitalised(&place.en()),
                grouped(*limit)
            ),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

impl std::error::Error for Refusal {}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Limits small enough to cross in a unit test, and a refusal's variant name.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{MIB, Refusal, SheetLimits};

    pub fn small() -> SheetLimits {
        SheetLimits {
            max_zip_entries: 20,
            max_part_bytes: 4 * MIB,
            max_total_bytes: 6 * MIB,
            max_ratio: 100,
            max_rows: 10,
            max_columns: 5,
            max_cells: 30,
            max_shared_strings: 8,
            max_text_bytes: 200,
            max_cell_chars: 10,
        }
    }

    pub fn kind(result: Result<(), Refusal>) -> String {
        match result {
            Ok(()) => "ok".to_owned(),
            Err(refusal) => format!("{refusal:?}")
                .split([' ', '{', '('])
                .next()
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_writes_them() {
        assert_eq!(column_letters(16_384), "XFD");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(grouped(1_048_576), "1,048,576");
        assert_eq!(grouped(32), "32");
    }

    #[test]
    fn refusals_say_which_limit_and_where_in_both_languages() {
        let refusal = Refusal::Rows {
            place: Place::Sheet("花名册".into()),
            row: 1_048_576,
            limit: 120_000,
        };
        assert_eq!(
            refusal.zh(),
            "工作表“花名册”用到第 1,048,576 行，超过行数上限 120,000 行（请删除多余的行，或分成几个文件上传）"
        );
        assert_eq!(
            refusal.en(),
            "Sheet \"花名册\" uses rows up to 1,048,576, over the limit of 120,000 rows (delete the extra rows or split the file)"
        );
    }
}
