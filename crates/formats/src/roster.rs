//! Staff rosters (花名册) as .xlsx and CSV, the way enterprises keep them today (SPEC C4):
//! a fixed set of columns with Chinese headers, read into validated domain values or into
//! the complete list of bad cells, by spreadsheet row and column header.
//!
//! Why every error and not the first: an enterprise fixes a 5,000-row file once, not once per
//! bad cell; and nothing is imported unless every row parses.

use std::collections::HashMap;
use std::io::Cursor;

use anpei_domain::rules::Education;
use anpei_domain::{
    Bilingual, EmploymentKind, IdNumber, Period, PersonName, Phone, PositionFlags, PositionTitle,
};
use chrono::NaiveDate;

use crate::bounds::{self, Refusal, SheetLimits};
use crate::formula_guard;

/// One roster line: a person and their employment at the enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    /// The spreadsheet row it was read from (header = 1), so later checks can name it; rows
    /// built for export number themselves from 2 in order.
    pub row: usize,
    pub name: PersonName,
    pub id_number: IdNumber,
    pub phone: Option<Phone>,
    pub education: Option<Education>,
    pub kind: EmploymentKind,
    pub position: PositionTitle,
    pub period: Period,
    /// `special_ops_trade` holds a trade code of `anpei_domain::trade`.
    pub flags: PositionFlags,
}

/// A bad cell (or a bad file, with `row` 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based spreadsheet row number; the header is row 1.
    pub row: usize,
    /// The column header as written in the file (the Chinese header when the column is missing).
    pub column: String,
    pub zh: String,
    pub en: String,
}

/// The roster's columns, in the order they are written.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Column {
    Name,
    IdNumber,
    Phone,
    Education,
    Kind,
    Position,
    StartDate,
    EndDate,
    SpecialOpsTrade,
    TeamLeader,
    KeyPosition,
    PrincipalLeader,
    SafetyManager,
}

impl Column {
    pub const ALL: [Column; 13] = [
        Column::Name,
        Column::IdNumber,
        Column::Phone,
        Column::Education,
        Column::Kind,
        Column::Position,
        Column::StartDate,
        Column::EndDate,
        Column::SpecialOpsTrade,
        Column::TeamLeader,
        Column::KeyPosition,
        Column::PrincipalLeader,
        Column::SafetyManager,
    ];

    /// The Chinese header written in files.
    pub fn header(self) -> &'static str {
        match self {
            Self::Name => "姓名",
            Self::IdNumber => "身份证号",
            Self::Phone => "手机号",
            Self::Education => "文化程度",
            Self::Kind => "用工形式",
            Self::Position => "岗位",
            Self::StartDate => "入职日期",
            Self::EndDate => "离职日期",
            Self::SpecialOpsTrade => "特种作业类别",
            Self::TeamLeader => "班组长",
            Self::KeyPosition => "重点岗位",
            Self::PrincipalLeader => "主要负责人",
            Self::SafetyManager => "安全生产管理人员",
        }
    }

    /// The English key, also accepted as a header.
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::IdNumber => "id_number",
            Self::Phone => "phone",
            Self::Education => "education",
            Self::Kind => "kind",
            Self::Position => "position",
            Self::StartDate => "start_date",
            Self::EndDate => "end_date",
            Self::SpecialOpsTrade => "special_ops_trade",
            Self::TeamLeader => "team_leader",
            Self::KeyPosition => "key_position",
            Self::PrincipalLeader => "principal_leader",
            Self::SafetyManager => "safety_manager",
        }
    }

    /// Columns that a file must have; the others may be left out entirely.
    fn required(self) -> bool {
        matches!(
            self,
            Self::Name | Self::IdNumber | Self::Position | Self::StartDate
        )
    }

    /// What the column holds, for the template's explanation sheet (zh, en).
    fn explanation(self) -> (&'static str, &'static str) {
        match self {
            Self::Name => (
                "必填。与身份证一致的姓名",
                "Required. The name as on the ID card",
            ),
            Self::IdNumber => (
                "必填。18 位居民身份证号码",
                "Required. 18-digit resident ID number",
            ),
            Self::Phone => ("选填。11 位手机号码", "Optional. 11-digit mobile number"),
            Self::Education => (
                "选填。初中及以下、普通高中、中等职业教育、大专、本科及以上",
                "Optional. below_high_school, high_school, secondary_vocational, college or bachelor",
            ),
            Self::Kind => (
                "选填，默认正式职工。正式职工、被派遣劳动者、外包施工人员",
                "Optional, default regular. regular, dispatched or outsourced",
            ),
            Self::Position => ("必填。岗位名称", "Required. The position title"),
            Self::StartDate => ("必填。YYYY-MM-DD", "Required. YYYY-MM-DD"),
            Self::EndDate => (
                "选填。最后工作日，YYYY-MM-DD，在职者留空",
                "Optional. Last working day, YYYY-MM-DD; empty while employed",
            ),
            Self::SpecialOpsTrade => (
                "选填。特种作业类别代码（如 1.2 低压电工作业）",
                "Optional. Special-operations trade code (e.g. 1.2)",
            ),
            Self::TeamLeader | Self::KeyPosition | Self::PrincipalLeader | Self::SafetyManager => (
                "选填。是/否（也可 Y/N、true/false、1/0），留空为否",
                "Optional. 是/否 (or Y/N, true/false, 1/0); empty means no",
            ),
        }
    }

    fn from_header(header: &str) -> Option<Self> {
        let header = header.trim().trim_start_matches('\u{feff}').trim();
        Self::ALL
            .into_iter()
            .find(|c| c.header() == header || c.key().eq_ignore_ascii_case(header))
    }
}

/// A cell as read from a file: text, or a real date cell of a spreadsheet.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_owned(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A file refused by [`SheetLimits::ROSTER`] before it was read.
fn refused(refusal: &Refusal) -> Vec<RowError> {
    file_error(refusal.zh(), refusal.en())
}

fn file_error(zh: String, en: String) -> Vec<RowError> {
    vec![RowError {
        row: 0,
        column: String::new(),
        zh,
        en,
    }]
}

/// Reads a CSV roster: UTF-8, with or without a byte-order mark; within
/// [`SheetLimits::ROSTER`] (rows, columns, characters per cell), checked before parsing.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<RosterRow>, Vec<RowError>> {
    let limits = SheetLimits::ROSTER;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bounds::check_csv(bytes, &limits).map_err(|r| refused(&r))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            file_error(
                format!(
                    "第 {} 行无法读取（文件须为 UTF-8 编码的 CSV）：{e}",
                    index + 1
                ),
                format!(
                    "Row {} cannot be read (the file must be UTF-8 CSV): {e}",
                    index + 1
                ),
            )
        })?;
        let row = record.position().map_or(index + 1, |p| {
            usize::try_from(p.line()).unwrap_or(index + 1)
        });
        bounds::check_csv_record(&record, row, &limits).map_err(|r| refused(&r))?;
        table.push((
            row,
            record
                .iter()
                .map(|s| Cell::Text(formula_guard::restore(s).to_owned()))
                .collect(),
        ));
    }
    parse_table(table)
}

/// Reads the first sheet of an .xlsx roster, once [`bounds::check_xlsx`] has found it within
/// [`SheetLimits::ROSTER`].
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<RosterRow>, Vec<RowError>> {
    use calamine::{Data, DataType, Reader, Xlsx};
    bounds::check_xlsx(bytes, &SheetLimits::ROSTER).map_err(|r| refused(&r))?;
    let unreadable = |e: &dyn std::fmt::Display| {
        file_error(
            format!("无法读取 .xlsx 文件：{e}"),
            format!("Cannot read the .xlsx file: {e}"),
        )
    };
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = match workbook.worksheet_range_at(0) {
        Some(range) => range.map_err(|e| unreadable(&e))?,
        None => {
            return Err(file_error(
                "文件中没有工作表".to_owned(),
                "The file has no worksheet".to_owned(),
            ));
        }
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let pad = first_col as usize;
    let mut table = Vec::new();
    for (index, cells) in range.rows().enumerate() {
        let row = first_row as usize + index + 1;
        let mut out = vec![Cell::Text(String::new()); pad];
        for cell in cells {
            out.push(match cell {
                Data::Empty => Cell::Text(String::new()),
                Data::String(s) => Cell::Text(formula_guard::restore(s).to_owned()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
                Data::Int(i) => Cell::Text(i.to_string()),
                // A number typed into a general cell: keep integers without ".0" (phones).
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                    Cell::Text(format!("{f:.0}"))
                }
                Data::Float(f) => Cell::Text(f.to_string()),
                Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.to_owned()),
                Data::DateTime(_) => match cell.as_date() {
                    Some(date) => Cell::Date(date),
                    None => Cell::Text(cell.to_string()),
                },
                Data::Error(e) => Cell::Text(format!("#{e:?}")),
            });
        }
        table.push((row, out));
    }
    parse_table(table)
}

/// Turns a table (first row the header) into rows or every error found.
fn parse_table(table: Vec<(usize, Vec<Cell>)>) -> Result<Vec<RosterRow>, Vec<RowError>> {
    let mut rows = table.into_iter();
    let Some((header_row, header)) = rows.next() else {
        return Err(file_error(
            "文件为空，缺少表头".to_owned(),
            "The file is empty: no header row".to_owned(),
        ));
    };
    let mut errors = Vec::new();
    // Column → (index in the row, header as written).
    let mut columns: HashMap<Column, (usize, String)> = HashMap::new();
    for (index, cell) in header.iter().enumerate() {
        let text = cell.text();
        if let Some(column) = Column::from_header(&text) {
            if columns.contains_key(&column) {
                errors.push(RowError {
                    row: header_row,
                    column: text.clone(),
                    zh: "表头重复".to_owned(),
                    en: "Duplicate column header".to_owned(),
                });
            }
            columns.insert(column, (index, text));
        }
    }
    for column in Column::ALL.into_iter().filter(|c| c.required()) {
        if !columns.contains_key(&column) {
            errors.push(RowError {
                row: header_row,
                column: column.header().to_owned(),
                zh: format!("缺少必填列“{}”", column.header()),
                en: format!("Missing required column \"{}\"", column.key()),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut parsed = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        if cells.iter().all(|c| c.text().is_empty()) {
            continue;
        }
        let line = Line {
            row,
            cells: &cells,
            columns: &columns,
        };
        match line.parse(&mut errors) {
            Some(roster_row) => {
                let key = roster_row.id_number.as_str().to_owned();
                if let Some(first) = seen.get(&key) {
                    errors.push(line.error(
                        Column::IdNumber,
                        format!("身份证号与第 {first} 行重复"),
                        format!("ID number repeats row {first}"),
                    ));
                } else {
                    seen.insert(key, row);
                    parsed.push(roster_row);
                }
            }
            None => {
                // Still note the ID number so later duplicates of a bad row are reported.
                if let Some(raw) = line.raw(Column::IdNumber).and_then(|c| {
                    IdNumber::parse(&c.text())
                        .ok()
                        .map(|id| id.as_str().to_owned())
                }) {
                    seen.entry(raw).or_insert(row);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

struct Line<'a> {
    row: usize,
    cells: &'a [Cell],
    columns: &'a HashMap<Column, (usize, String)>,
}

impl Line<'_> {
    fn raw(&self, column: Column) -> Option<&Cell> {
        self.columns
            .get(&column)
            .and_then(|(index, _)| self.cells.get(*index))
    }

    fn text(&self, column: Column) -> String {
        self.raw(column).map(Cell::text).unwrap_or_default()
    }

    fn error(&self, column: Column, zh: String, en: String) -> RowError {
        let header = self
            .columns
            .get(&column)
            .map_or(column.header(), |(_, h)| h.as_str());
        RowError {
            row: self.row,
            column: header.to_owned(),
            zh,
            en,
        }
    }

    fn domain(&self, column: Column, reason: &impl Bilingual) -> RowError {
        self.error(column, reason.zh(), reason.en())
    }

    fn required(&self, column: Column, errors: &mut Vec<RowError>) -> Option<String> {
        let text = self.text(column);
        if text.is_empty() {
            errors.push(self.error(
                column,
                "必填项为空".to_owned(),
                "Required cell is empty".to_owned(),
            ));
            None
        } else {
            Some(text)
        }
    }

    fn date(&self, column: Column, errors: &mut Vec<RowError>) -> Option<NaiveDate> {
        match self.raw(column) {
            Some(Cell::Date(date)) => Some(*date),
            _ => {
                let text = self.text(column);
                match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                    Ok(date) => Some(date),
                    Err(_) => {
                        errors.push(self.error(
                            column,
                            format!("日期格式应为 YYYY-MM-DD，收到“{text}”"),
                            format!("Dates must be YYYY-MM-DD; got \"{text}\""),
                        ));
                        None
                    }
                }
            }
        }
    }

    fn flag(&self, column: Column, errors: &mut Vec<RowError>) -> bool {
        let text = self.text(column);
        match text.to_ascii_lowercase().as_str() {
            "" | "否" | "n" | "no" | "false" | "0" => false,
            "是" | "y" | "yes" | "true" | "1" => true,
            _ => {
                errors.push(self.error(
                    column,
                    format!("应填“是”或“否”，收到“{text}”"),
                    format!("Expected 是/否 (yes/no); got \"{text}\""),
                ));
                false
            }
        }
    }

    /// Parses every cell, pushing one error per bad cell; `None` when any cell was bad.
    fn parse(&self, errors: &mut Vec<RowError>) -> Option<RosterRow> {
        let before = errors.len();
        let name = self.required(Column::Name, errors).and_then(|raw| {
            PersonName::parse(&raw)
                .map_err(|e| errors.push(self.domain(Column::Name, &e)))
                .ok()
        });
        let id_number = self.required(Column::IdNumber, errors).and_then(|raw| {
            IdNumber::parse(&raw)
                .map_err(|e| errors.push(self.domain(Column::IdNumber, &e)))
                .ok()
        });
        let phone_text = self.text(Column::Phone);
        let phone = if phone_text.is_empty() {
            None
        } else {
            Phone::parse(&phone_text)
                .map_err(|e| errors.push(self.domain(Column::Phone, &e)))
                .ok()
        };
        let education_text = self.text(Column::Education);
        let education = if education_text.is_empty() {
            None
        } else {
            let found = Education::ALL
                .into_iter()
                .find(|e| e.code() == education_text || e.name_zh() == education_text);
            if found.is_none() {
                errors.push(self.error(
                    Column::Education,
                    format!("文化程度应为 初中及以下、普通高中、中等职业教育、大专 或 本科及以上，收到“{education_text}”"),
                    format!("education must be below_high_school, high_school, secondary_vocational, college or bachelor; got \"{education_text}\""),
                ));
            }
            found
        };
        let kind_text = self.text(Column::Kind);
        let kind = if kind_text.is_empty() {
            Some(EmploymentKind::Regular)
        } else {
            let found = EmploymentKind::ALL
                .into_iter()
                .find(|k| k.code() == kind_text || k.name_zh() == kind_text);
            if found.is_none() {
                errors.push(self.error(
                    Column::Kind,
                    format!(
                        "用工形式应为 正式职工、被派遣劳动者 或 外包施工人员，收到“{kind_text}”"
                    ),
                    format!("kind must be regular, dispatched or outsourced; got \"{kind_text}\""),
                ));
            }
            found
        };
        let position = self.required(Column::Position, errors).and_then(|raw| {
            PositionTitle::parse(&raw)
                .map_err(|e| errors.push(self.domain(Column::Position, &e)))
                .ok()
        });
        let from = self
            .required(Column::StartDate, errors)
            .and_then(|_| self.date(Column::StartDate, errors));
        let to = if self.text(Column::EndDate).is_empty() {
            Some(None)
        } else {
            self.date(Column::EndDate, errors).map(Some)
        };
        let period = match (from, to) {
            (Some(from), Some(to)) => Period::new(from, to)
                .map_err(|e| errors.push(self.domain(Column::EndDate, &e)))
                .ok(),
            _ => None,
        };
        let trade_text = self.text(Column::SpecialOpsTrade);
        let trade = if trade_text.is_empty() {
            None
        } else if anpei_domain::trade::find_trade(&trade_text).is_some() {
            Some(trade_text)
        } else {
            errors.push(self.error(
                Column::SpecialOpsTrade,
                format!("未知的特种作业类别代码“{trade_text}”（例如 1.2）"),
                format!("Unknown special-operations trade code \"{trade_text}\" (e.g. 1.2)"),
            ));
            None
        };
        let flags = PositionFlags {
            team_leader: self.flag(Column::TeamLeader, errors),
            special_ops_trade: trade,
            key_position: self.flag(Column::KeyPosition, errors),
            principal_leader: self.flag(Column::PrincipalLeader, errors),
            safety_manager: self.flag(Column::SafetyManager, errors),
        };
        if errors.len() != before {
            return None;
        }
        Some(RosterRow {
            row: self.row,
            name: name?,
            id_number: id_number?,
            phone,
            education,
            kind: kind?,
            position: position?,
            period: period?,
            flags,
        })
    }
}

/// Whether an export carries full ID numbers and phones (the enterprise's own staff, for
/// re-import) or masked ones (anyone else: such a file cannot be re-imported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identities {
    Full,
    Masked,
}

/// The cells of one row as written, in [`Column::ALL`] order.
fn cells_of(row: &RosterRow, identities: Identities) -> [String; 13] {
    let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let full = identities == Identities::Full;
    [
        row.name.as_str().to_owned(),
        if full {
            row.id_number.as_str().to_owned()
        } else {
            row.id_number.masked()
        },
        row.phone
            .as_ref()
            .map(|p| {
                if full {
                    p.as_str().to_owned()
                } else {
                    p.masked()
                }
            })
            .unwrap_or_default(),
        row.education
            .map(|e| e.name_zh().to_owned())
            .unwrap_or_default(),
        row.kind.name_zh().to_owned(),
        row.position.as_str().to_owned(),
        date(row.period.from()),
        row.period.to().map(date).unwrap_or_default(),
        row.flags.special_ops_trade.clone().unwrap_or_default(),
        yes(row.flags.team_leader),
        yes(row.flags.key_position),
        yes(row.flags.principal_leader),
        yes(row.flags.safety_manager),
    ]
}

/// Writes a CSV roster: UTF-8 with a byte-order mark, so that Excel and WPS show Chinese.
pub fn write_csv(rows: &[RosterRow]) -> Vec<u8> {
    write_csv_with(rows, Identities::Full)
}

/// [`write_csv`] with full or masked identities.
pub fn write_csv_with(rows: &[RosterRow], identities: Identities) -> Vec<u8> {
    let mut out = b"\xef\xbb\xbf".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        // Writing into a Vec cannot fail: the only errors are I/O errors of the sink.
        let _ = writer.write_record(Column::ALL.map(Column::header));
        for row in rows {
            let cells =
                cells_of(row, identities).map(|c| formula_guard::neutralise(&c).into_owned());
            let _ = writer.write_record(cells);
        }
        let _ = writer.flush();
    }
    out
}

pub use rust_xlsxwriter::XlsxError;

fn roster_sheet(
    workbook: &mut rust_xlsxwriter::Workbook,
    rows: &[RosterRow],
    identities: Identities,
) -> Result<(), XlsxError> {
    use rust_xlsxwriter::Format;
    let bold = Format::new().set_bold();
    // Text format: Excel would otherwise turn 18 digits into 2.30102E+17 and lose the last three.
    let text = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet();
    sheet.set_name("花名册")?;
    for (col, column) in Column::ALL.into_iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.set_column_format(col, &text)?;
        sheet.set_column_width(col, if column == Column::IdNumber { 22 } else { 14 })?;
        sheet.write_string_with_format(0, col, column.header(), &bold)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let r = u32::try_from(index + 1).unwrap_or(u32::MAX);
        for (col, value) in cells_of(row, identities).iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet.write_string_with_format(r, col, formula_guard::neutralise(value), &text)?;
        }
    }
    Ok(())
}

/// Writes an .xlsx roster: bold header, every cell text (ID numbers, dates as YYYY-MM-DD).
pub fn write_xlsx(rows: &[RosterRow]) -> Result<Vec<u8>, XlsxError> {
    write_xlsx_with(rows, Identities::Full)
}

/// [`write_xlsx`] with full or masked identities.
pub fn write_xlsx_with(rows: &[RosterRow], identities: Identities) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    roster_sheet(&mut workbook, rows, identities)?;
    workbook.save_to_buffer()
}

/// An empty-to-fill .xlsx: the header, one example row, and a sheet "说明" explaining columns.
pub fn template_xlsx() -> Result<Vec<u8>, XlsxError> {
    use rust_xlsxwriter::Format;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    roster_sheet(&mut workbook, &[], Identities::Full)?;
    let example = [
        "张三",
        "110101199003071233",
        "13800138000",
        "普通高中",
        "正式职工",
        "电工",
        "2024-03-01",
        "",
        "1.2",
        "否",
        "是",
        "否",
        "否",
    ];
    let text = Format::new().set_num_format("@");
    if let Ok(sheet) = workbook.worksheet_from_index(0) {
        for (col, value) in example.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet.write_string_with_format(1, col, *value, &text)?;
        }
    }
    let bold = Format::new().set_bold();
    let notes = workbook.add_worksheet();
    notes.set_name("说明")?;
    notes.set_column_width(0, 18)?;
    notes.set_column_width(1, 18)?;
    notes.set_column_width(2, 60)?;
    notes.set_column_width(3, 60)?;
    for (col, title) in ["列 Column", "英文键 Key", "说明", "Explanation"]
        .into_iter()
        .enumerate()
    {
        notes.write_string_with_format(0, u16::try_from(col).unwrap_or(0), title, &bold)?;
    }
    for (index, column) in Column::ALL.into_iter().enumerate() {
        let r = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let (zh, en) = column.explanation();
        notes.write_string(r, 0, column.header())?;
        notes.write_string(r, 1, column.key())?;
        notes.write_string(r, 2, zh)?;
        notes.write_string(r, 3, en)?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "姓名,身份证号,手机号,文化程度,用工形式,岗位,入职日期,离职日期,特种作业类别,班组长,重点岗位,主要负责人,安全生产管理人员";

    fn id(serial: u16) -> String {
        IdNumber::synthesize(
            "110101",
            NaiveDate::from_ymd_opt(1990, 3, 7).unwrap(),
            serial,
        )
        .unwrap()
        .as_str()
        .to_owned()
    }

    fn sample() -> Vec<RosterRow> {
        let a = id(123);
        let b = id(456);
        let csv = format!(
            "{HEADER}\n张三,{a},13800138000,普通高中,正式职工,电工,2024-03-01,,1.2,否,是,否,否\n李四,{b},,bachelor,dispatched,安全员,2020-01-01,2023-12-31,,Y,N,0,1\n"
        );
        read_csv(csv.as_bytes()).unwrap()
    }

    #[test]
    fn csv_reads_chinese_and_english_values() {
        let rows = sample();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].kind, EmploymentKind::Dispatched);
        assert_eq!(rows[1].education, Some(Education::BachelorOrAbove));
        assert!(rows[1].flags.team_leader && rows[1].flags.safety_manager);
        assert_eq!(rows[0].flags.special_ops_trade.as_deref(), Some("1.2"));
    }

    #[test]
    fn csv_export_reimports_unchanged() {
        let rows = sample();
        let bytes = write_csv(&rows);
        assert!(bytes.starts_with(b"\xef\xbb\xbf"));
        assert_eq!(read_csv(&bytes).unwrap(), rows);
    }

    #[test]
    fn xlsx_export_reimports_unchanged() {
        let rows = sample();
        let bytes = write_xlsx(&rows).unwrap();
        assert_eq!(read_xlsx(&bytes).unwrap(), rows);
    }

    #[test]
    fn formula_texts_are_exported_guarded_and_reimport_unchanged() {
        let formula = r#"=HYPERLINK("http://evil.example","x")"#;
        let mut rows = sample();
        rows[0].position = PositionTitle::parse(formula).unwrap();
        rows[1].position = PositionTitle::parse("'@x").unwrap();

        let csv = String::from_utf8(write_csv(&rows)).unwrap();
        assert!(
            csv.contains(r#","'=HYPERLINK(""http://evil.example"",""x"")","#),
            "{csv}"
        );
        assert!(csv.contains(",''@x,"), "{csv}");
        assert_eq!(read_csv(csv.as_bytes()).unwrap(), rows);

        let xlsx = write_xlsx(&rows).unwrap();
        assert_eq!(read_xlsx(&xlsx).unwrap(), rows);
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
        let cells = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(
            cells.get((1, 5)),
            Some(&Data::String(format!("'{formula}")))
        );
    }

    #[test]
    fn template_reads_as_its_example_row() {
        let bytes = template_xlsx().unwrap();
        let rows = read_xlsx(&bytes).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id_number.as_str(), "110101199003071233");
        assert_eq!(rows[0].row, 2);
    }

    #[test]
    fn xlsx_reads_real_date_cells_and_numeric_phones() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (col, header) in ["姓名", "身份证号", "手机号", "岗位", "入职日期"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, col as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "张三").unwrap();
        sheet.write_string(1, 1, id(5)).unwrap();
        sheet.write_number(1, 2, 13800138000.0).unwrap();
        sheet.write_string(1, 3, "电工").unwrap();
        let date = ExcelDateTime::from_ymd(2024, 3, 1).unwrap();
        let format = Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_datetime_with_format(1, 4, &date, &format)
            .unwrap();
        let rows = read_xlsx(&workbook.save_to_buffer().unwrap()).unwrap();
        assert_eq!(
            rows[0].period.from(),
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
        assert_eq!(rows[0].phone.as_ref().unwrap().as_str(), "13800138000");
    }

    #[test]
    fn english_keys_are_accepted_as_headers() {
        let csv = format!(
            "name,id_number,position,start_date\n张三,{},电工,2024-03-01\n",
            id(1)
        );
        assert_eq!(read_csv(csv.as_bytes()).unwrap().len(), 1);
    }

    #[test]
    fn missing_required_column_is_reported_on_the_header() {
        let errors = read_csv("姓名,岗位,入职日期\n张三,电工,2024-01-01\n".as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].row, errors[0].column.as_str()), (1, "身份证号"));
    }

    #[test]
    fn every_bad_cell_is_reported_with_row_and_column() {
        let good = id(7);
        let cases: Vec<(String, &str, &str)> = vec![
            (
                "张三,11010119900307123,,,,电工,2024-01-01,,,,,,".to_owned(),
                "身份证号",
                "length",
            ),
            (
                format!("张三,{good},,,,电工,2024-01-01,,9.99,,,,"),
                "特种作业类别",
                "trade",
            ),
            (
                format!("张三,{good},,,,电工,2024-01-01,2023-01-01,,,,,"),
                "离职日期",
                "order",
            ),
            (
                format!("张三,{good},,,临时工,电工,2024-01-01,,,,,,"),
                "用工形式",
                "kind",
            ),
            (
                format!(",{good},,,,电工,2024-01-01,,,,,,"),
                "姓名",
                "missing",
            ),
            (
                format!("张三,{good},,,,电工,2024/01/01,,,,,,"),
                "入职日期",
                "date",
            ),
            (
                format!("张三,{good},,硕士,,电工,2024-01-01,,,,,,"),
                "文化程度",
                "education",
            ),
            (
                format!("张三,{good},,,,电工,2024-01-01,,,也许,,,"),
                "班组长",
                "flag",
            ),
            (
                format!("张三,{good},123,,,电工,2024-01-01,,,,,,"),
                "手机号",
                "phone",
            ),
        ];
        for (line, column, case) in cases {
            let csv = format!(
                "{HEADER}\n李四,{},,,,电工,2024-01-01,,,,,,\n{line}\n",
                id(8)
            );
            let errors = read_csv(csv.as_bytes()).unwrap_err();
            assert_eq!(errors.len(), 1, "{case}: {errors:?}");
            assert_eq!(errors[0].row, 3, "{case}");
            assert_eq!(errors[0].column, column, "{case}");
            assert!(
                !errors[0].zh.is_empty() && !errors[0].en.is_empty(),
                "{case}"
            );
        }
    }

    #[test]
    fn duplicate_id_numbers_within_a_file_are_reported() {
        let a = id(9);
        let csv = format!(
            "{HEADER}\n张三,{a},,,,电工,2024-01-01,,,,,,\n张三,{a},,,,电工,2024-01-01,,,,,,\n"
        );
        let errors = read_csv(csv.as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].row, errors[0].column.as_str()), (3, "身份证号"));
    }

    #[test]
    fn all_errors_of_all_rows_are_returned() {
        let csv = format!("{HEADER}\n,x,,,,,2024-01-01,,,,,,\n,y,,,,,,,,,,,\n");
        let errors = read_csv(csv.as_bytes()).unwrap_err();
        assert_eq!(errors.iter().filter(|e| e.row == 2).count(), 3);
        assert_eq!(errors.iter().filter(|e| e.row == 3).count(), 4);
    }
}
