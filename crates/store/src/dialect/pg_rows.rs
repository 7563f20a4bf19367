//! PostgreSQL's side of [`super::packed_rows`]: one array per column (`array_agg`), sent in
//! the binary protocol and read straight from its bytes, then handed to the caller's row
//! type by a small serde deserializer that walks the columns row by row.
//!
//! PostgreSQL spent about 95 % of a JSON-packed fact query making the text (`escape_json`,
//! `uuid_out`, `json_build_array` looking up its argument types for every row; see
//! BENCHMARKS.md). In binary a UUID is 16 bytes and a date 4. Plain rows cost the server
//! least but cost this side a message, an allocation and a stream wake-up per row; one
//! array per column costs neither. SQLite keeps the JSON pack.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sqlx::postgres::{PgRow, PgValueFormat};
use sea_orm::sqlx::{Column, Row, TypeInfo, ValueRef};
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

/// What a column's cells are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Uuid,
    Date,
    Text,
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Timestamptz,
}

impl Kind {
    /// The kind of the elements of an array type, by its name in sqlx (`"UUID[]"`).
    fn of_array(name: &str) -> Option<Kind> {
        Some(match name.strip_suffix("[]")? {
            "UUID" => Kind::Uuid,
            "DATE" => Kind::Date,
            "TEXT" | "VARCHAR" | "CHAR" | "NAME" => Kind::Text,
            "BOOL" => Kind::Bool,
            "INT2" => Kind::Int2,
            "INT4" => Kind::Int4,
            "INT8" => Kind::Int8,
            "FLOAT4" => Kind::Float4,
            "FLOAT8" => Kind::Float8,
            "TIMESTAMPTZ" => Kind::Timestamptz,
            _ => return None,
        })
    }
}

/// The columns of one packed read: each column's cells, `None` for NULL.
pub(super) struct Columns<'a> {
    kinds: Vec<Kind>,
    cells: Vec<Vec<Option<&'a [u8]>>>,
    rows: usize,
}

impl<'a> Columns<'a> {
    /// Reads the arrays of `row`, one per column, all of one length.
    pub(super) fn read(row: &'a PgRow) -> Result<Columns<'a>, Error> {
        let mut kinds = Vec::with_capacity(row.columns().len());
        let mut cells = Vec::with_capacity(row.columns().len());
        for (index, column) in row.columns().iter().enumerate() {
            let name = column.type_info().name();
            let kind = Kind::of_array(name).ok_or_else(|| {
                Error(format!(
                    "column {index} is of type {name}, which packed reads do not handle"
                ))
            })?;
            let value = row
                .try_get_raw(index)
                .map_err(|e| Error(format!("column {index}: {e}")))?;
            let column = if value.is_null() {
                Vec::new()
            } else {
                if value.format() != PgValueFormat::Binary {
                    return Err(Error(format!("column {index} did not arrive in binary")));
                }
                let bytes = value
                    .as_bytes()
                    .map_err(|e| Error(format!("column {index}: {e}")))?;
                array_cells(bytes).map_err(|e| Error(format!("column {index}: {e}")))?
            };
            kinds.push(kind);
            cells.push(column);
        }
        let rows = cells.first().map_or(0, Vec::len);
        if cells.iter().any(|column| column.len() != rows) {
            return Err(Error("the columns have different lengths".to_owned()));
        }
        Ok(Columns { kinds, cells, rows })
    }

    pub(super) fn rows(&self) -> usize {
        self.rows
    }
}

/// The elements of a one-dimensional array in PostgreSQL's binary format (`array_send`):
/// dimensions, a has-nulls flag, the element type, then per dimension its length and lower
/// bound, then each element as a 4-byte length (-1 for NULL) and its bytes.
fn array_cells(bytes: &[u8]) -> Result<Vec<Option<&[u8]>>, &'static str> {
    let mut reader = Reader(bytes);
    let dimensions = reader.i32()?;
    if dimensions == 0 {
        return Ok(Vec::new());
    }
    if dimensions != 1 {
        return Err("an array of more than one dimension");
    }
    let _has_nulls = reader.i32()?;
    let _element_type = reader.i32()?;
    let length = usize::try_from(reader.i32()?).map_err(|_| "a negative array length")?;
    let _lower_bound = reader.i32()?;
    let mut cells = Vec::with_capacity(length);
    for _ in 0..length {
        let size = reader.i32()?;
        cells.push(match usize::try_from(size) {
            Ok(size) => Some(reader.take(size)?),
            Err(_) => None,
        });
    }
    Ok(cells)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if self.0.len() < n {
            return Err("the array ends early");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn i32(&mut self) -> Result<i32, &'static str> {
        let bytes = self.take(4)?;
        Ok(i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }
}

/// Where one element of the caller's row comes from: one column, or several read as one
/// nested array.
#[derive(Clone, Copy, Debug)]
pub(super) enum Slot {
    One(usize),
    Nested { first: usize, len: usize },
}

/// Deserializes row `row` of `columns` as a sequence with one element per slot.
pub(super) struct RowDeserializer<'a, 'b> {
    pub(super) columns: &'b Columns<'a>,
    pub(super) slots: &'b [Slot],
    pub(super) row: usize,
}

#[derive(Debug)]
pub(super) struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl<'de> Deserializer<'de> for RowDeserializer<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut cells = Cells {
            columns: self.columns,
            row: self.row,
            slots: self.slots.iter(),
        };
        let value = visitor.visit_seq(&mut cells)?;
        match cells.slots.len() {
            0 => Ok(value),
            left => Err(Error(format!(
                "the row type reads {} of {} columns",
                self.slots.len() - left,
                self.slots.len()
            ))),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// The slots of one row, in order.
struct Cells<'a, 'b> {
    columns: &'b Columns<'a>,
    row: usize,
    slots: std::slice::Iter<'b, Slot>,
}

impl<'de> SeqAccess<'de> for Cells<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(slot) = self.slots.next() else {
            return Ok(None);
        };
        match *slot {
            Slot::One(column) => seed.deserialize(Cell::at(self.columns, column, self.row)?),
            Slot::Nested { first, len } => seed.deserialize(Nested {
                columns: self.columns,
                row: self.row,
                range: first..first + len,
            }),
        }
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.slots.len())
    }
}

/// Several columns of one row read as one array.
struct Nested<'a, 'b> {
    columns: &'b Columns<'a>,
    row: usize,
    range: std::ops::Range<usize>,
}

impl<'de> Deserializer<'de> for Nested<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de> SeqAccess<'de> for Nested<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.range.next() {
            Some(column) => seed
                .deserialize(Cell::at(self.columns, column, self.row)?)
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.range.len())
    }
}

/// One cell, handed to the visitor as JSON would have given it: UUIDs, dates and timestamps
/// as their text, booleans, numbers and text as themselves, NULL as none.
struct Cell<'a> {
    bytes: Option<&'a [u8]>,
    kind: Kind,
}

impl<'a> Cell<'a> {
    fn at(columns: &Columns<'a>, column: usize, row: usize) -> Result<Cell<'a>, Error> {
        match (columns.cells.get(column), columns.kinds.get(column)) {
            (Some(cells), Some(&kind)) => Ok(Cell {
                bytes: cells.get(row).copied().flatten(),
                kind,
            }),
            _ => Err(Error(format!(
                "the row type reads more than its {} columns",
                columns.kinds.len()
            ))),
        }
    }
}

/// 2000-01-01, PostgreSQL's epoch for dates and timestamps.
const EPOCH_DAYS_FROM_CE: i32 = 730_120;
const EPOCH_SECONDS_FROM_UNIX: i64 = 946_684_800;

fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], Error> {
    bytes.try_into().map_err(|_| {
        Error(format!(
            "a cell of {} bytes where {N} were expected",
            bytes.len()
        ))
    })
}

impl<'de> Deserializer<'de> for Cell<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Some(bytes) = self.bytes else {
            return visitor.visit_unit();
        };
        match self.kind {
            Kind::Uuid => {
                let id = uuid::Uuid::from_bytes(fixed(bytes)?);
                visitor.visit_str(
                    id.hyphenated()
                        .encode_lower(&mut uuid::Uuid::encode_buffer()),
                )
            }
            Kind::Date => {
                let days = i32::from_be_bytes(fixed(bytes)?);
                let date = days
                    .checked_add(EPOCH_DAYS_FROM_CE)
                    .and_then(NaiveDate::from_num_days_from_ce_opt)
                    .ok_or_else(|| Error(format!("date {days} is out of range")))?;
                match iso_date(date) {
                    Some(text) => visitor.visit_str(text.as_str()),
                    None => visitor.visit_string(date.format("%Y-%m-%d").to_string()),
                }
            }
            Kind::Timestamptz => {
                let micros = i64::from_be_bytes(fixed(bytes)?);
                let at = DateTime::<Utc>::from_timestamp_micros(micros)
                    .and_then(|at| {
                        at.checked_add_signed(chrono::TimeDelta::seconds(EPOCH_SECONDS_FROM_UNIX))
                    })
                    .ok_or_else(|| Error(format!("timestamp {micros} is out of range")))?;
                visitor.visit_string(super::timestamp_text(at))
            }
            Kind::Text => visitor.visit_str(
                std::str::from_utf8(bytes).map_err(|e| Error(format!("text cell: {e}")))?,
            ),
            Kind::Bool => visitor.visit_bool(fixed::<1>(bytes)?[0] != 0),
            Kind::Int2 => visitor.visit_i64(i16::from_be_bytes(fixed(bytes)?).into()),
            Kind::Int4 => visitor.visit_i64(i32::from_be_bytes(fixed(bytes)?).into()),
            Kind::Int8 => visitor.visit_i64(i64::from_be_bytes(fixed(bytes)?)),
            Kind::Float4 => visitor.visit_f64(f32::from_be_bytes(fixed(bytes)?).into()),
            Kind::Float8 => visitor.visit_f64(f64::from_be_bytes(fixed(bytes)?)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.bytes.is_none() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// `YYYY-MM-DD` without going through `format`, for years 0–9999 (the dates of this
/// domain); `None` otherwise.
fn iso_date(date: NaiveDate) -> Option<IsoDate> {
    use chrono::Datelike;
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let mut bytes = *b"0000-00-00";
    for (at, value, width) in [(0, year, 4), (5, date.month(), 2), (8, date.day(), 2)] {
        let mut rest = value;
        for i in (at..at + width).rev() {
            bytes[i] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
    }
    Some(IsoDate(bytes))
}

struct IsoDate([u8; 10]);

impl IsoDate {
    fn as_str(&self) -> &str {
        // Only ASCII digits and hyphens are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn dates_are_written_as_iso_text() {
        for (date, text) in [
            (date(2026, 11, 29), "2026-11-29"),
            (date(1999, 1, 5), "1999-01-05"),
            (date(33, 12, 31), "0033-12-31"),
        ] {
            assert_eq!(
                iso_date(date).map(|d| d.as_str().to_owned()).as_deref(),
                Some(text)
            );
        }
        assert!(iso_date(date(-5, 1, 1)).is_none());
        assert!(iso_date(date(12000, 1, 1)).is_none());
    }

    #[test]
    fn the_epoch_is_the_first_of_january_2000() {
        assert_eq!(
            NaiveDate::from_num_days_from_ce_opt(EPOCH_DAYS_FROM_CE),
            Some(date(2000, 1, 1))
        );
        assert_eq!(
            DateTime::<Utc>::from_timestamp(EPOCH_SECONDS_FROM_UNIX, 0).map(|at| at.date_naive()),
            Some(date(2000, 1, 1))
        );
    }

    /// An `int4[]` of three elements, the second NULL, as `array_send` writes it.
    #[test]
    fn binary_arrays_are_read_with_their_nulls() {
        let mut bytes = Vec::new();
        for word in [1i32, 1, 23, 3, 1] {
            bytes.extend(word.to_be_bytes());
        }
        bytes.extend(4i32.to_be_bytes());
        bytes.extend(7i32.to_be_bytes());
        bytes.extend((-1i32).to_be_bytes());
        bytes.extend(4i32.to_be_bytes());
        bytes.extend(9i32.to_be_bytes());
        let cells = array_cells(&bytes).unwrap_or_default();
        let seven = 7i32.to_be_bytes();
        let nine = 9i32.to_be_bytes();
        assert_eq!(cells, [Some(&seven[..]), None, Some(&nine[..])]);
        assert_eq!(array_cells(&0i32.to_be_bytes()), Ok(Vec::new()));
        assert!(array_cells(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn every_column_type_of_the_fact_tables_is_known() {
        for name in [
            "UUID", "DATE", "TEXT", "VARCHAR", "BOOL", "INT2", "INT4", "INT8", "FLOAT8",
        ] {
            assert!(Kind::of_array(&format!("{name}[]")).is_some(), "{name}");
        }
        assert_eq!(Kind::of_array("NUMERIC[]"), None);
        assert_eq!(Kind::of_array("UUID"), None);
    }
}
