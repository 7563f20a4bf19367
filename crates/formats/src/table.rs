//! A report as a spreadsheet: one sheet, a title line, a bold header, then rows of text and
//! numbers (KPI exports and other tables a regulator takes into Excel or WPS).

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One cell of a report.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count.
    Int(i64),
    /// A percentage, given as a fraction (0.953 shows as 95.3%); `None` is an empty cell.
    Percent(Option<f64>),
}

/// A titled table.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Sheet name (at most 31 characters; Excel forbids `[]:*?/\`).
    pub sheet: String,
    /// First line above the table, e.g. the scope and date.
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    if cleaned.is_empty() {
        "Sheet1".to_owned()
    } else {
        cleaned
    }
}

/// Writes the report as .xlsx: title in row 1, header in row 2 (frozen), data below with
/// counts as numbers and shares as percentages, so the sheet sorts and sums in Excel.
pub fn write_xlsx(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let percent = Format::new().set_num_format("0.0%");
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(&report.sheet))?;
    sheet.write_string_with_format(
        0,
        0,
        crate::formula_guard::neutralise(&report.title),
        &title,
    )?;
    for (col, header) in report.headers.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(1, col, crate::formula_guard::neutralise(header), &bold)?;
        let width = header.chars().count().clamp(8, 30) as f64 * 1.8;
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    for (index, row) in report.rows.iter().enumerate() {
        let r = u32::try_from(index + 2).unwrap_or(u32::MAX);
        for (col, cell) in row.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(text) => {
                    // A string, never a formula, and guarded for a copy to CSV.
                    sheet.write_string(r, col, crate::formula_guard::neutralise(text))?;
                }
                Cell::Int(value) => {
                    // Counts of people are far below 2^53: exact as f64.
                    sheet.write_number(r, col, *value as f64)?;
                }
                Cell::Percent(Some(value)) => {
                    sheet.write_number_with_format(r, col, *value, &percent)?;
                }
                Cell::Percent(None) => {}
            }
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_write_an_xlsx_that_calamine_reads_back() {
        use calamine::{Data, Reader, Xlsx};
        let report = Report {
            sheet: "合规指标 [2026]".to_owned(),
            title: "黑龙江省 · 2026-11-29".to_owned(),
            headers: vec![
                "地区".to_owned(),
                "在岗人数".to_owned(),
                "持证率".to_owned(),
            ],
            rows: vec![
                vec![
                    Cell::Text("哈尔滨市".to_owned()),
                    Cell::Int(1200),
                    Cell::Percent(Some(0.953)),
                ],
                vec![
                    Cell::Text("鹤岗市".to_owned()),
                    Cell::Int(0),
                    Cell::Percent(None),
                ],
            ],
        };
        let bytes = write_xlsx(&report).expect("writes");
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
        assert_eq!(book.sheet_names(), vec!["合规指标 2026".to_owned()]);
        let range = book.worksheet_range("合规指标 2026").expect("sheet");
        assert_eq!(
            range.get((0, 0)),
            Some(&Data::String("黑龙江省 · 2026-11-29".to_owned()))
        );
        assert_eq!(range.get((1, 2)), Some(&Data::String("持证率".to_owned())));
        assert_eq!(
            range.get((2, 0)),
            Some(&Data::String("哈尔滨市".to_owned()))
        );
        assert_eq!(range.get((2, 1)), Some(&Data::Float(1200.0)));
        assert_eq!(range.get((2, 2)), Some(&Data::Float(0.953)));
        assert!(matches!(range.get((3, 2)), None | Some(Data::Empty)));
    }
}
