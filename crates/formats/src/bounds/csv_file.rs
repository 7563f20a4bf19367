//! The CSV half of the upload bounds: rows, columns per row and characters per cell, from
//! a byte scan that follows the `csv` crate's quoting, before that crate splits a record.

use super::{Place, Refusal, SheetLimits, column_letters};

/// Checks a CSV file's rows, columns per row and cell lengths before the `csv` crate reads
/// it, following that crate's default dialect (`,` between fields, `"` quotes with `""`
/// inside, a quote inside an unquoted field is data, `\r`, `\n` or `\r\n` end a record), so
/// the count is the crate's own. Rows are records, header included.
pub fn check_csv(bytes: &[u8], limits: &SheetLimits) -> Result<(), Refusal> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        StartField,
        InField,
        InQuoted,
        QuoteInQuoted,
    }
    let mut state = State::StartField;
    // The record being read (1-based; 0 before the first).
    let mut row: u64 = 0;
    let mut column: u64 = 1;
    let mut field_bytes: u64 = 0;
    let mut record_has_bytes = false;
    // A field's bytes bound its characters; the exact count is made on the record.
    let max_field_bytes = limits.max_cell_chars.saturating_mul(4);
    for &byte in bytes {
        let end_field = |column: &mut u64, field_bytes: &mut u64| -> Result<(), Refusal> {
            *column += 1;
            *field_bytes = 0;
            if *column > limits.max_columns {
                return Err(Refusal::Columns {
                    place: Place::Csv,
                    column: *column,
                    limit: limits.max_columns,
                });
            }
            Ok(())
        };
        if (byte == b'\n' || byte == b'\r') && state != State::InQuoted {
            // An empty line is no record (the `csv` crate skips it).
            record_has_bytes = false;
            column = 1;
            field_bytes = 0;
            state = State::StartField;
            continue;
        }
        if !record_has_bytes {
            record_has_bytes = true;
            row += 1;
            if row > limits.max_rows {
                return Err(Refusal::Rows {
                    place: Place::Csv,
                    row,
                    limit: limits.max_rows,
                });
            }
        }
        match state {
            State::StartField | State::InField | State::QuoteInQuoted if byte == b',' => {
                end_field(&mut column, &mut field_bytes)?;
                state = State::StartField;
            }
            State::StartField if byte == b'"' => state = State::InQuoted,
            State::StartField => {
                state = State::InField;
                field_bytes += 1;
            }
            State::InField => field_bytes += 1,
            State::InQuoted if byte == b'"' => state = State::QuoteInQuoted,
            State::InQuoted => field_bytes += 1,
            State::QuoteInQuoted if byte == b'"' => {
                field_bytes += 1;
                state = State::InQuoted;
            }
            State::QuoteInQuoted => {
                field_bytes += 1;
                state = State::InField;
            }
        }
        if field_bytes > max_field_bytes {
            return Err(Refusal::CellChars {
                place: Place::Csv,
                cell: format!("{}{row}", column_letters(column)),
                limit: limits.max_cell_chars,
            });
        }
    }
    Ok(())
}

/// The exact check of one read CSV record (1-based `row`): characters per cell.
pub fn check_csv_record(
    record: &csv::StringRecord,
    row: usize,
    limits: &SheetLimits,
) -> Result<(), Refusal> {
    for (index, field) in record.iter().enumerate() {
        if field.len() as u64 > limits.max_cell_chars
            && field.chars().count() as u64 > limits.max_cell_chars
        {
            return Err(Refusal::CellChars {
                place: Place::Csv,
                cell: format!("{}{row}", column_letters(index as u64 + 1)),
                limit: limits.max_cell_chars,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{kind, small};
    use super::*;

    #[test]
    fn csv_within_and_beyond_each_limit() {
        let cases: Vec<(&str, String, &str)> = vec![
            ("a small file", "a,b\n1,2\n".into(), "ok"),
            ("ten rows", "a\n".repeat(10), "ok"),
            ("eleven rows", "a\n".repeat(11), "Rows"),
            (
                "blank lines are no rows",
                format!("a\n{}", "\r\n".repeat(100)),
                "ok",
            ),
            ("five columns", "a,b,c,d,e\n".into(), "ok"),
            ("six columns", "a,b,c,d,e,f\n".into(), "Columns"),
            ("quoted commas are data", "\"a,b,c,d,e,f\"\n".into(), "ok"),
            (
                "quoted newlines are data",
                format!("\"{}\"\n", "x\n".repeat(4)),
                "ok",
            ),
            (
                "a quote inside a field is data",
                "a\"b,c,d,e,f,g\n".into(),
                "Columns",
            ),
            ("a long cell", format!("{}\n", "x".repeat(41)), "CellChars"),
            (
                "an unterminated quote",
                format!("\"{}", ",\n".repeat(100)),
                "CellChars",
            ),
        ];
        for (case, text, expected) in cases {
            assert_eq!(
                kind(check_csv(text.as_bytes(), &small())),
                expected,
                "{case}"
            );
        }
    }
}
