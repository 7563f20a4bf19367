//! The .xlsx half of the upload bounds: the zip's entry count, declared and actual sizes
//! and ratios through a counting reader, and a streaming scan of what calamine would read
//! (cell positions, `<dimension>`, shared strings, cell text).

use std::cell::{Cell, RefCell};
use std::io::{self, BufReader, Cursor, Read};
use std::rc::Rc;

use anpei_domain::Bilingual;
use quick_xml::events::{BytesStart, Event};

use super::{MAX_TOKEN_BYTES, Place, RATIO_FLOOR, Refusal, SheetLimits, column_letters};

/// The entry count in the zip's end-of-central-directory record (or its zip64 record),
/// read before the zip crate builds an index of every entry. `None`: not a zip.
fn zip_entry_count(bytes: &[u8]) -> Option<u64> {
    const END: &[u8; 4] = b"PK\x05\x06";
    const END_LEN: usize = 22;
    if bytes.len() < END_LEN {
        return None;
    }
    let last = bytes.len() - END_LEN;
    let first = last.saturating_sub(u16::MAX as usize);
    let at = (first..=last).rev().find(|&i| &bytes[i..i + 4] == END)?;
    let count = u16::from_le_bytes([bytes[at + 10], bytes[at + 11]]);
    if count != u16::MAX {
        return Some(u64::from(count));
    }
    // Zip64: the locator sits just before the end record and points at the zip64 record.
    let locator = bytes.get(at.checked_sub(20)?..at)?;
    if &locator[..4] != b"PK\x06\x07" {
        return Some(u64::from(count));
    }
    let offset = usize::try_from(u64::from_le_bytes(locator[8..16].try_into().ok()?)).ok()?;
    let record = bytes.get(offset..offset.checked_add(40)?)?;
    if &record[..4] != b"PK\x06\x06" {
        return None;
    }
    Some(u64::from_le_bytes(record[32..40].try_into().ok()?))
}

/// What the scan of one part found that later parts need, and its running totals.
struct Scan<'l> {
    limits: &'l SheetLimits,
    /// Inflated bytes of all parts so far.
    total: Rc<Cell<u64>>,
    /// Bytes pulled since the XML reader started its current event.
    since_event: Rc<Cell<u64>>,
    /// The limit a [`Guard`] hit (the reader sees only an I/O error).
    hit: Rc<RefCell<Option<Refusal>>>,
    /// Byte length of each shared string, in order.
    shared: Vec<u64>,
    /// Text bytes the cells hold so far.
    text: u64,
    /// (name, relationship id) of the workbook's sheets, in order.
    sheets: Vec<(String, String)>,
    /// (relationship id, target) of the workbook's relationships.
    relationships: Vec<(String, String)>,
}

/// A part's inflated bytes, counted: refuses (through `hit`) at the first limit.
struct Guard<R> {
    inner: R,
    place: Place,
    read: u64,
    declared: u64,
    compressed: u64,
    limits: SheetLimits,
    total: Rc<Cell<u64>>,
    since_event: Rc<Cell<u64>>,
    hit: Rc<RefCell<Option<Refusal>>>,
}

impl<R: Read> Guard<R> {
    fn refuse(&self, refusal: Refusal) -> io::Error {
        let message = refusal.en();
        *self.hit.borrow_mut() = Some(refusal);
        io::Error::other(message)
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            // The zip crate stops an entry that outgrows its declared size itself.
            Err(e) if e.to_string().contains("declared") => {
                return Err(self.refuse(Refusal::LargerThanDeclared {
                    place: self.place.clone(),
                    declared: self.declared,
                }));
            }
            Err(e) => return Err(e),
        };
        let n64 = n as u64;
        self.read += n64;
        self.total.set(self.total.get() + n64);
        self.since_event.set(self.since_event.get() + n64);
        let limits = &self.limits;
        if self.read > self.declared {
            return Err(self.refuse(Refusal::LargerThanDeclared {
                place: self.place.clone(),
                declared: self.declared,
            }));
        }
        if self.read > limits.max_part_bytes {
            return Err(self.refuse(Refusal::PartBytes {
                place: self.place.clone(),
                limit: limits.max_part_bytes,
            }));
        }
        if self.read > RATIO_FLOOR && self.read > self.compressed.saturating_mul(limits.max_ratio) {
            return Err(self.refuse(Refusal::Ratio {
                place: self.place.clone(),
                limit: limits.max_ratio,
            }));
        }
        if self.total.get() > limits.max_total_bytes {
            return Err(self.refuse(Refusal::TotalBytes {
                limit: limits.max_total_bytes,
            }));
        }
        if self.since_event.get() > MAX_TOKEN_BYTES {
            return Err(self.refuse(Refusal::Token {
                place: self.place.clone(),
                limit: MAX_TOKEN_BYTES,
            }));
        }
        Ok(n)
    }
}

/// `XFD1048576` as (row, column), both 1-based.
fn cell_reference(reference: &[u8]) -> Option<(u64, u64)> {
    let letters = reference
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let (column, row) = reference.split_at(letters);
    if letters == 0 || letters > 7 || row.is_empty() || row.len() > 10 {
        return None;
    }
    let column = column.iter().fold(0u64, |n, b| {
        n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row = std::str::from_utf8(row).ok()?.parse::<u64>().ok()?;
    Some((row, column))
}

/// A `<row r>` number (1-based).
fn row_number(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok()
}

fn attribute(element: &BytesStart<'_>, local: &str) -> Option<String> {
    element
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.value.into_owned())
}

/// UTF-8 characters in a byte slice (continuation bytes are not counted).
fn chars_in(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

/// The kind of part, by its path in the zip.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PartKind {
    Workbook,
    WorkbookRelationships,
    SharedStrings,
    Other,
}

fn part_kind(path: &str) -> PartKind {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with("sharedstrings.xml") {
        PartKind::SharedStrings
    } else if lower.ends_with("_rels/workbook.xml.rels") {
        PartKind::WorkbookRelationships
    } else if lower.ends_with("workbook.xml") {
        PartKind::Workbook
    } else {
        PartKind::Other
    }
}

fn is_xml(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml")
}

impl Scan<'_> {
    /// The tab name of the sheet stored at `path`, when the workbook names it.
    fn place_of(&self, path: &str) -> Place {
        let wanted = path.trim_start_matches('/').to_ascii_lowercase();
        let target_of = |id: &str| {
            self.relationships
                .iter()
                .find(|(rid, _)| rid == id)
                .map(|(_, target)| target.as_str())
        };
        for (name, id) in &self.sheets {
            if let Some(target) = target_of(id) {
                let full = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_ascii_lowercase(),
                    None => format!("xl/{}", target.to_ascii_lowercase()),
                };
                if full == wanted {
                    return Place::Sheet(name.clone());
                }
            }
        }
        Place::Part(path.to_owned())
    }

    fn cell_text(&mut self, bytes: u64, place: &Place) -> Result<(), Refusal> {
        self.text += bytes;
        if self.text > self.limits.max_text_bytes {
            return Err(Refusal::Text {
                place: place.clone(),
                limit: self.limits.max_text_bytes,
            });
        }
        Ok(())
    }

    /// Scans one XML part, following calamine's reading of cells, shared strings and the
    /// workbook's sheet list.
    fn xml<R: Read>(&mut self, guard: Guard<R>, path: &str) -> Result<(), Refusal> {
        let kind = part_kind(path);
        let mut place = Place::Part(path.to_owned());
        let limits = *self.limits;
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(guard));
        // calamine's settings, so both see the same events.
        let config = xml.config_mut();
        config.check_end_names = false;
        config.trim_text(false);
        config.check_comments = false;
        config.expand_empty_elements = true;

        let mut buf = Vec::new();
        // Where calamine's cell reader would be (0-based), and whether it is reading cells.
        let (mut row, mut column) = (0u64, 0u64);
        let mut in_sheet_data = false;
        // The used extent so far (1-based, from A1).
        let (mut last_row, mut last_column) = (0u64, 0u64);
        // The cell being read: (row, column, shared?, has a value, text bytes, chars); the
        // digits of its <v>, which index the shared strings when it is shared.
        let mut cell: Option<(u64, u64, bool, bool, u64, u64)> = None;
        let mut in_value = false;
        let mut value_digits: Vec<u8> = Vec::new();
        // The shared string being read: (bytes, chars).
        let mut string: Option<(u64, u64)> = None;
        // Whether this part held anything calamine reads as data (then a syntax error
        // refuses the file; elsewhere the rest of the part is only counted).
        let mut holds_data = false;

        let extent = |row: u64, column: u64, place: &Place| -> Result<(), Refusal> {
            if row > limits.max_rows {
                return Err(Refusal::Rows {
                    place: place.clone(),
                    row,
                    limit: limits.max_rows,
                });
            }
            if column > limits.max_columns {
                return Err(Refusal::Columns {
                    place: place.clone(),
                    column,
                    limit: limits.max_columns,
                });
            }
            if row.saturating_mul(column) > limits.max_cells {
                return Err(Refusal::Cells {
                    place: place.clone(),
                    rows: row,
                    columns: column,
                    limit: limits.max_cells,
                });
            }
            Ok(())
        };
        let unreadable = |place: &Place, reason: &str| Refusal::Unreadable {
            place: place.clone(),
            reason: reason.to_owned(),
        };

        loop {
            buf.clear();
            self.since_event.set(0);
            let event = match xml.read_event_into(&mut buf) {
                Ok(event) => event,
                Err(error) => {
                    if let Some(hit) = self.hit.borrow_mut().take() {
                        return Err(hit);
                    }
                    if holds_data {
                        return Err(unreadable(&place, &error.to_string()));
                    }
                    // Not a part calamine reads data from: count the rest of it and go on.
                    let mut rest = xml.into_inner();
                    self.since_event.set(0);
                    let drained = io::copy(&mut rest, &mut io::sink());
                    if let Some(hit) = self.hit.borrow_mut().take() {
                        return Err(hit);
                    }
                    return drained
                        .map(|_| ())
                        .map_err(|e| unreadable(&place, &e.to_string()));
                }
            };
            match event {
                Event::Start(element) => {
                    let name = element.local_name();
                    let name = name.as_ref();
                    if cell.is_some() {
                        if let Some(c) = cell.as_mut() {
                            c.3 = true;
                        }
                        if name == "v" {
                            in_value = true;
                            value_digits.clear();
                        }
                        continue;
                    }
                    match name {
                        "sheet" if kind == PartKind::Workbook => {
                            let sheet_name = attribute(&element, "name").unwrap_or_default();
                            let id = attribute(&element, "id").unwrap_or_default();
                            if self.sheets.len() < 10_000 {
                                self.sheets.push((sheet_name, id));
                            }
                        }
                        "Relationship" if kind == PartKind::WorkbookRelationships => {
                            let id = attribute(&element, "Id").unwrap_or_default();
                            let target = attribute(&element, "Target").unwrap_or_default();
                            if self.relationships.len() < 10_000 {
                                self.relationships.push((id, target));
                            }
                        }
                        "sst" => {
                            holds_data = true;
                            // calamine reserves `uniqueCount` entries up front.
                            let declared = attribute(&element, "uniqueCount")
                                .and_then(|v| row_number(&v))
                                .unwrap_or(0);
                            if declared > limits.max_shared_strings {
                                return Err(Refusal::SharedStrings {
                                    count: declared,
                                    limit: limits.max_shared_strings,
                                });
                            }
                        }
                        "si" if kind == PartKind::SharedStrings => string = Some((0, 0)),
                        "dimension" => {
                            place = self.place_of(path);
                            holds_data = true;
                            if let Some(reference) = attribute(&element, "ref") {
                                for corner in reference.split(':') {
                                    let (r, c) = cell_reference(corner.as_bytes())
                                        .ok_or_else(|| unreadable(&place, "bad <dimension ref>"))?;
                                    extent(r, c, &place)?;
                                }
                            }
                        }
                        "sheetData" => {
                            place = self.place_of(path);
                            holds_data = true;
                            in_sheet_data = true;
                        }
                        "row" if in_sheet_data => {
                            if let Some(r) = attribute(&element, "r") {
                                let r = row_number(&r)
                                    .filter(|r| *r > 0)
                                    .ok_or_else(|| unreadable(&place, "bad <row r>"))?;
                                row = r - 1;
                            }
                        }
                        "c" if in_sheet_data => {
                            // One pass over the attributes, nothing copied: this runs
                            // for every cell.
                            let (mut reference, mut shared) = (None, false);
                            for a in element.attributes().with_checks(false).flatten() {
                                match a.key.local_name().as_ref() {
                                    "r" => reference = Some(a.value),
                                    "t" => shared = a.value == "s",
                                    _ => {}
                                }
                            }
                            let (r, c) = match reference {
                                Some(reference) => {
                                    let (r, c) = cell_reference(reference.as_bytes())
                                        .filter(|(r, c)| *r > 0 && *c > 0)
                                        .ok_or_else(|| unreadable(&place, "bad <c r>"))?;
                                    column = c - 1;
                                    (r - 1, c - 1)
                                }
                                None => (row, column),
                            };
                            cell = Some((r, c, shared, false, 0, 0));
                        }
                        _ => {}
                    }
                }
                Event::Text(text) => {
                    let bytes = text.as_bytes();
                    if let Some(c) = cell.as_mut() {
                        c.4 += bytes.len() as u64;
                        c.5 += chars_in(bytes);
                        if in_value && value_digits.len() < 20 {
                            value_digits.extend(bytes.iter().take(20));
                        }
                    } else if let Some(s) = string.as_mut() {
                        s.0 += bytes.len() as u64;
                        s.1 += chars_in(bytes);
                    }
                }
                Event::CData(text) => {
                    let bytes = text.as_bytes();
                    if let Some(c) = cell.as_mut() {
                        c.4 += bytes.len() as u64;
                        c.5 += chars_in(bytes);
                    } else if let Some(s) = string.as_mut() {
                        s.0 += bytes.len() as u64;
                        s.1 += chars_in(bytes);
                    }
                }
                Event::GeneralRef(_) => {
                    // An entity or character reference decodes to at most 4 bytes, 1 char.
                    if let Some(c) = cell.as_mut() {
                        c.4 += 4;
                        c.5 += 1;
                    } else if let Some(s) = string.as_mut() {
                        s.0 += 4;
                        s.1 += 1;
                    }
                }
                Event::End(element) => {
                    let name = element.local_name();
                    match name.as_ref() {
                        "v" => in_value = false,
                        "c" if in_sheet_data => {
                            if let Some((r, c, shared, has_value, bytes, chars)) = cell.take() {
                                column = c + 1;
                                if has_value {
                                    let (r1, c1) = (r + 1, c + 1);
                                    if r1 > last_row || c1 > last_column {
                                        last_row = last_row.max(r1);
                                        last_column = last_column.max(c1);
                                        extent(last_row, last_column, &place)?;
                                    }
                                    let cell_bytes = if shared {
                                        std::str::from_utf8(&value_digits)
                                            .ok()
                                            .and_then(|d| d.trim().parse::<usize>().ok())
                                            .and_then(|i| self.shared.get(i).copied())
                                            .unwrap_or(0)
                                    } else {
                                        if chars > limits.max_cell_chars {
                                            return Err(Refusal::CellChars {
                                                place: place.clone(),
                                                cell: format!("{}{r1}", column_letters(c1)),
                                                limit: limits.max_cell_chars,
                                            });
                                        }
                                        bytes
                                    };
                                    self.cell_text(cell_bytes, &place)?;
                                }
                                value_digits.clear();
                                in_value = false;
                            }
                        }
                        "row" if in_sheet_data && cell.is_none() => {
                            row += 1;
                            column = 0;
                        }
                        "sheetData" if cell.is_none() => in_sheet_data = false,
                        "si" if kind == PartKind::SharedStrings => {
                            if let Some((bytes, chars)) = string.take() {
                                let index = self.shared.len() as u64 + 1;
                                if index > limits.max_shared_strings {
                                    return Err(Refusal::SharedStrings {
                                        count: index,
                                        limit: limits.max_shared_strings,
                                    });
                                }
                                if chars > limits.max_cell_chars {
                                    return Err(Refusal::CellChars {
                                        place: place.clone(),
                                        cell: format!("#{index}"),
                                        limit: limits.max_cell_chars,
                                    });
                                }
                                self.shared.push(bytes);
                            }
                        }
                        _ => {}
                    }
                }
                Event::Eof => break,
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => {}
            }
        }
        if let Some(hit) = self.hit.borrow_mut().take() {
            return Err(hit);
        }
        Ok(())
    }
}

/// Refuses the first of `parts` whose declared size or ratio is past `limits`.
fn declared(
    parts: &[(usize, String, u64, u64)],
    limits: &SheetLimits,
    place_of: impl Fn(&str) -> Place,
) -> Result<(), Refusal> {
    for (_, path, size, compressed) in parts {
        if *size > limits.max_part_bytes {
            return Err(Refusal::PartBytes {
                place: place_of(path),
                limit: limits.max_part_bytes,
            });
        }
        if *size > RATIO_FLOOR && *size > compressed.saturating_mul(limits.max_ratio) {
            return Err(Refusal::Ratio {
                place: place_of(path),
                limit: limits.max_ratio,
            });
        }
    }
    Ok(())
}

/// The preflight of an .xlsx upload: refuses, in milliseconds and within a few MiB, any file
/// that would make calamine allocate or inflate past `limits`. `Ok` means calamine may read
/// it (and may still find it malformed).
pub fn check_xlsx(bytes: &[u8], limits: &SheetLimits) -> Result<(), Refusal> {
    let count = zip_entry_count(bytes).ok_or(Refusal::NotXlsx)?;
    if count > limits.max_zip_entries {
        return Err(Refusal::ZipEntries {
            count,
            limit: limits.max_zip_entries,
        });
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::NotXlsx)?;
    let count = archive.len() as u64;
    if count > limits.max_zip_entries {
        return Err(Refusal::ZipEntries {
            count,
            limit: limits.max_zip_entries,
        });
    }
    let mut parts: Vec<(usize, String, u64, u64)> = Vec::new();
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| Refusal::Unreadable {
                place: Place::Part(format!("#{index}")),
                reason: e.to_string(),
            })?;
        let path = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("#{index}"));
        parts.push((index, path, entry.size(), entry.compressed_size()));
        declared_total = declared_total.saturating_add(entry.size());
    }
    if declared_total > limits.max_total_bytes {
        return Err(Refusal::TotalBytes {
            limit: limits.max_total_bytes,
        });
    }
    // The workbook and its relationships name the sheets, the shared strings come before the
    // sheets that use them; then every other part.
    parts.sort_by_key(|(index, path, _, _)| {
        let rank = match part_kind(path) {
            PartKind::Workbook => 0,
            PartKind::WorkbookRelationships => 1,
            PartKind::SharedStrings => 2,
            PartKind::Other => 3,
        };
        (rank, *index)
    });
    let naming = parts
        .iter()
        .take_while(|(_, path, _, _)| {
            matches!(
                part_kind(path),
                PartKind::Workbook | PartKind::WorkbookRelationships
            )
        })
        .count();
    let mut scan = Scan {
        limits,
        total: Rc::new(Cell::new(0)),
        since_event: Rc::new(Cell::new(0)),
        hit: Rc::new(RefCell::new(None)),
        shared: Vec::new(),
        text: 0,
        sheets: Vec::new(),
        relationships: Vec::new(),
    };
    // Declared sizes first, for the parts that name the sheets and then for the rest: a bomb
    // that admits its size is refused without inflating anything of it.
    declared(&parts[..naming], limits, |path| {
        Place::Part(path.to_owned())
    })?;
    for (at, (index, path, declared_size, compressed)) in parts.iter().enumerate() {
        if at == naming {
            declared(&parts[naming..], limits, |path| scan.place_of(path))?;
        }
        let (index, declared, compressed) = (*index, *declared_size, *compressed);
        let place = Place::Part(path.clone());
        let entry = archive.by_index(index).map_err(|e| Refusal::Unreadable {
            place: place.clone(),
            reason: e.to_string(),
        })?;
        let guard = Guard {
            inner: entry,
            place: if part_kind(path) == PartKind::Other {
                scan.place_of(path)
            } else {
                place.clone()
            },
            read: 0,
            declared,
            compressed,
            limits: *limits,
            total: Rc::clone(&scan.total),
            since_event: Rc::clone(&scan.since_event),
            hit: Rc::clone(&scan.hit),
        };
        if is_xml(path) {
            scan.xml(guard, path)?;
        } else {
            let mut guard = guard;
            let copied = {
                // Binary parts (images, vbaProject.bin) are only counted.
                let mut chunk = [0u8; 64 * 1024];
                loop {
                    scan.since_event.set(0);
                    match guard.read(&mut chunk) {
                        Ok(0) => break Ok(()),
                        Ok(_) => {}
                        Err(e) => break Err(e),
                    }
                }
            };
            if let Some(hit) = scan.hit.borrow_mut().take() {
                return Err(hit);
            }
            copied.map_err(|e| Refusal::Unreadable {
                place,
                reason: e.to_string(),
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::MIB;
    use super::super::test_support::{kind, small};
    use super::*;
    use std::io::Write;

    /// A minimal workbook: the parts calamine needs, with `sheet` as the first sheet's XML
    /// (inside `<worksheet>`) and `strings` as the shared strings.
    fn workbook(sheet_data: &str, strings: &[&str]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut part = |name: &str, body: String| {
            zip.start_file(name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        };
        part("[Content_Types].xml", "<Types/>".into());
        part("_rels/.rels", r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into());
        part("xl/workbook.xml", r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into());
        part("xl/_rels/workbook.xml.rels", r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into());
        let items: String = strings
            .iter()
            .map(|s| format!("<si><t>{s}</t></si>"))
            .collect();
        part(
            "xl/sharedStrings.xml",
            format!(
                r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{items}</sst>"#,
                strings.len()
            ),
        );
        part(
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sheet_data}</worksheet>"#
            ),
        );
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn sheets_within_and_beyond_each_limit() {
        let s = |cells: &str| format!("<sheetData>{cells}</sheetData>");
        let cases: Vec<(&str, String, Vec<&str>, &str)> = vec![
            (
                "a small sheet",
                s(r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>"#),
                vec!["姓名"],
                "ok",
            ),
            (
                "the last allowed row",
                s(r#"<row r="10"><c r="A10"><v>1</v></c></row>"#),
                vec![],
                "ok",
            ),
            (
                "one row too far",
                s(r#"<row r="11"><c r="A11"><v>1</v></c></row>"#),
                vec![],
                "Rows",
            ),
            (
                "one column too far",
                s(r#"<row r="1"><c r="F1"><v>1</v></c></row>"#),
                vec![],
                "Columns",
            ),
            (
                "the far corner",
                s(
                    r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
                ),
                vec![],
                "Rows",
            ),
            (
                "an area too large",
                s(r#"<row r="7"><c r="E7"><v>1</v></c></row>"#),
                vec![],
                "Cells",
            ),
            (
                "an empty far cell is not used",
                s(r#"<row r="1048576"><c r="XFD1048576" s="1"/></row>"#),
                vec![],
                "ok",
            ),
            (
                "cells without r follow the row",
                s(&format!(
                    r#"<row r="1">{}</row>"#,
                    "<c><v>1</v></c>".repeat(6)
                )),
                vec![],
                "Columns",
            ),
            (
                "rows without r count on",
                s(&"<row><c><v>1</v></c></row>".repeat(11)),
                vec![],
                "Rows",
            ),
            (
                "a dimension too large",
                format!(r#"<dimension ref="A1:XFD1048576"/>{}"#, s("")),
                vec![],
                "Rows",
            ),
            (
                "a long inline cell",
                s(r#"<row><c t="inlineStr"><is><t>12345678901</t></is></c></row>"#),
                vec![],
                "CellChars",
            ),
            (
                "a long shared string",
                s(""),
                vec!["12345678901"],
                "CellChars",
            ),
            (
                "too many shared strings",
                s(""),
                vec!["a"; 9],
                "SharedStrings",
            ),
            (
                "a shared string copied into many cells",
                s(&format!("<row>{}</row>", r#"<c t="s"><v>0</v></c>"#.repeat(5)).repeat(5)),
                vec!["1234567890"],
                "Text",
            ),
            (
                "a bad cell reference",
                s(r#"<row><c r="1A"><v>1</v></c></row>"#),
                vec![],
                "Unreadable",
            ),
        ];
        for (case, sheet, strings, expected) in cases {
            let bytes = workbook(&sheet, &strings);
            assert_eq!(kind(check_xlsx(&bytes, &small())), expected, "{case}");
        }
    }

    #[test]
    fn a_declared_unique_count_is_checked_before_anything_is_reserved() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "xl/sharedStrings.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(br#"<sst uniqueCount="4000000000"></sst>"#)
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(
            check_xlsx(&bytes, &small()),
            Err(Refusal::SharedStrings {
                count: 4_000_000_000,
                limit: 8
            })
        );
    }

    #[test]
    fn zips_beyond_the_size_limits() {
        let zip_of = |parts: &[(&str, Vec<u8>)]| {
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (name, body) in parts {
                zip.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                zip.write_all(body).unwrap();
            }
            zip.finish().unwrap().into_inner()
        };
        let many: Vec<(String, Vec<u8>)> =
            (0..21).map(|i| (format!("p{i}.bin"), vec![1])).collect();
        let many: Vec<(&str, Vec<u8>)> =
            many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("not a zip", b"just text".to_vec(), "NotXlsx"),
            ("too many entries", zip_of(&many), "ZipEntries"),
            (
                "a bomb",
                zip_of(&[("x.bin", vec![0; 5 * MIB as usize])]),
                "PartBytes",
            ),
            (
                "a high ratio",
                zip_of(&[("x.bin", vec![0; 3 * MIB as usize])]),
                "Ratio",
            ),
            (
                "a part larger than the limit",
                zip_of(&[("x.xml", {
                    let mut b = b"<a>".to_vec();
                    b.extend((0..4 * MIB + 10).map(|i| b'a' + (i % 26) as u8));
                    b
                })]),
                "PartBytes",
            ),
            ("small parts", zip_of(&[("x.bin", vec![7; 1000])]), "ok"),
        ];
        for (case, bytes, expected) in cases {
            assert_eq!(kind(check_xlsx(&bytes, &small())), expected, "{case}");
        }
    }

    #[test]
    fn a_single_token_longer_than_the_limit_is_refused() {
        let limits = SheetLimits {
            max_part_bytes: 64 * MIB,
            max_total_bytes: 64 * MIB,
            ..small()
        };
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("x.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        // Letters that do not repeat in a pattern, so the ratio stays low.
        let mut state: u32 = 0x9E37_79B9;
        let mut body = b"<a>".to_vec();
        // (The count is exact to the reader's 8 KiB buffer: go well past the limit.)
        body.extend((0..MAX_TOKEN_BYTES + 64 * 1024).map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            b'a' + (state % 26) as u8
        }));
        zip.write_all(&body).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(kind(check_xlsx(&bytes, &limits)), "Token");
    }

    #[test]
    fn references_read_as_excel_writes_them() {
        assert_eq!(cell_reference(b"A1"), Some((1, 1)));
        assert_eq!(cell_reference(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_reference(b"1A"), None);
    }
}
