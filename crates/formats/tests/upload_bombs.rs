//! Uploads built to take the server down (issue 13) are refused with a clear bilingual error,
//! in under a second, while the read allocates less than 200 MB at its peak: a far-cell sheet
//! (one cell at XFD1048576 made calamine allocate 23.6 GB), a zip bomb, a sheet whose zip
//! header lies about its size, and a 60,000-deep Moodle XML (which overflowed the stack).
//!
//! A test binary of its own because it installs a counting global allocator: `peak_alloc`
//! measures the peak inside `cap`, which refuses allocations past a hard cap so that a
//! regression fails here instead of taking the machine's memory. Tests hold one lock for
//! their whole run, so no other test's allocations land in a measurement.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed expectation is a failed test"
)]

use std::io::{Cursor, Read};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anpei_domain::Bilingual;
use anpei_formats::bounds::{Refusal, SheetLimits};
use anpei_formats::questions::{Format, ReadOutcome};
use anpei_formats::roster::{self, RowError};
use cap::Cap;
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: Cap<PeakAlloc> = Cap::new(PeakAlloc, usize::MAX);

static SERIAL: Mutex<()> = Mutex::new(());

const MB: usize = 1_000_000;
/// What a refused read may allocate at its peak.
const PEAK_LIMIT: usize = 200 * MB;
/// Past this (above what is allocated when the read starts) allocations fail.
const HARD_CAP: usize = 1_000 * MB;
/// How long a refusal may take.
const TIME_LIMIT: Duration = Duration::from_secs(1);

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `read` and returns its result, how long it took and its peak allocation (bytes
/// above what was allocated when it started).
fn measured<T>(read: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = PeakAlloc.current_usage();
    let _ = ALLOCATOR.set_limit(ALLOCATOR.allocated() + HARD_CAP);
    PeakAlloc.reset_peak_usage();
    let started = Instant::now();
    let result = read();
    let elapsed = started.elapsed();
    let peak = PeakAlloc.peak_usage().saturating_sub(base);
    let _ = ALLOCATOR.set_limit(usize::MAX);
    (result, elapsed, peak)
}

fn within_bounds(what: &str, elapsed: Duration, peak: usize) {
    eprintln!(
        "{what}: refused in {elapsed:?}, peak {:.1} MB",
        peak as f64 / MB as f64
    );
    assert!(elapsed < TIME_LIMIT, "{what}: took {elapsed:?}");
    assert!(
        peak < PEAK_LIMIT,
        "{what}: peaked at {:.1} MB",
        peak as f64 / MB as f64
    );
}

/// The roster's answer: one file-level error.
fn roster_refusal(result: Result<Vec<roster::RosterRow>, Vec<RowError>>) -> RowError {
    let errors = result.expect_err("the file is refused");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].row, 0);
    errors[0].clone()
}

fn question_refusal(outcome: &ReadOutcome) -> Refusal {
    assert!(outcome.drafts.is_empty());
    assert_eq!(outcome.problems.len(), 1, "{:?}", outcome.problems);
    outcome.refused.clone().expect("the file is refused")
}

/// A roster header in A1… and one cell in the sheet's last row and column.
fn far_cell_sheet() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in ["姓名", "身份证号", "岗位", "入职日期"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A real workbook's parts, with the first sheet's XML replaced by `sheet` (written through
/// the zip writer in chunks, so the test never holds it whole).
fn with_sheet(sheet: &mut dyn Read) -> Vec<u8> {
    let template = roster::template_xlsx().unwrap();
    let mut source = zip::ZipArchive::new(Cursor::new(template)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for index in 0..source.len() {
        let mut entry = source.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        out.start_file(name.as_str(), options).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            std::io::copy(sheet, &mut out).unwrap();
        } else {
            std::io::copy(&mut entry, &mut out).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// `<worksheet><sheetData>`, `filler` bytes of spaces, then the closing tags.
fn bomb_sheet(filler: u64) -> impl Read {
    let head: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    let tail: &[u8] = b"</sheetData></worksheet>";
    head.chain(std::io::repeat(b' ').take(filler)).chain(tail)
}

/// Sets the uncompressed size of `name` in its local header and central-directory entry.
fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        // (offset of the uncompressed size, of the name's length, of the name)
        let (size_at, name_len_at, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (22, 26, 30),
            b"PK\x01\x02" => (24, 28, 46),
            _ => continue,
        };
        let name_len = u16::from_le_bytes([zip[at + name_len_at], zip[at + name_len_at + 1]]);
        if zip.get(at + name_at..at + name_at + usize::from(name_len)) == Some(name) {
            zip[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of the entry");
}

#[test]
fn a_sheet_with_one_cell_at_xfd1048576_is_refused() {
    let _serial = serial();
    let bytes = far_cell_sheet();
    assert!(bytes.len() < 16 * 1024, "a few KB: {} bytes", bytes.len());

    let (result, elapsed, peak) = measured(|| roster::read_xlsx(&bytes));
    within_bounds("far cell, roster", elapsed, peak);
    let error = roster_refusal(result);
    assert!(
        error.zh.contains("1,048,576") && error.zh.contains("120,000 行"),
        "{}",
        error.zh
    );
    assert!(
        error.en.contains("rows up to 1,048,576") && error.en.contains("limit of 120,000 rows"),
        "{}",
        error.en
    );

    let (outcome, elapsed, peak) = measured(|| Format::Xlsx.read(&bytes));
    within_bounds("far cell, question bank", elapsed, peak);
    let refusal = question_refusal(&outcome);
    assert!(refusal.en().contains("limit of 50,000 rows"), "{refusal}");
    assert!(outcome.problems[0].zh.contains("50,000 行"));
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let _serial = serial();
    let bytes = with_sheet(&mut bomb_sheet(200 * 1024 * 1024));
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());

    let (result, elapsed, peak) = measured(|| roster::read_xlsx(&bytes));
    within_bounds("zip bomb, roster", elapsed, peak);
    let error = roster_refusal(result);
    assert!(error.zh.contains("压缩比超过 100:1"), "{}", error.zh);
    assert!(
        error.en.contains("compressed more than the limit of 100:1"),
        "{}",
        error.en
    );

    let (outcome, elapsed, peak) = measured(|| Format::Xlsx.read(&bytes));
    within_bounds("zip bomb, question bank", elapsed, peak);
    assert!(matches!(question_refusal(&outcome), Refusal::Ratio { .. }));
}

#[test]
fn a_sheet_whose_header_lies_about_its_size_is_refused_while_inflating() {
    let _serial = serial();
    let mut bytes = with_sheet(&mut bomb_sheet(200 * 1024 * 1024));
    // The sheet claims 100 KB: no declared size or ratio gives it away.
    declare_size(&mut bytes, "xl/worksheets/sheet1.xml", 100_000);

    let (result, elapsed, peak) = measured(|| roster::read_xlsx(&bytes));
    within_bounds("false header, roster", elapsed, peak);
    let error = roster_refusal(result);
    assert!(
        error.zh.contains("超过其文件头声明的 100,000 字节"),
        "{}",
        error.zh
    );
    assert!(
        error
            .en
            .contains("more than the 100,000 bytes its header declares"),
        "{}",
        error.en
    );

    let (outcome, elapsed, peak) = measured(|| Format::Xlsx.read(&bytes));
    within_bounds("false header, question bank", elapsed, peak);
    assert!(matches!(
        question_refusal(&outcome),
        Refusal::LargerThanDeclared { .. }
    ));
}

#[test]
fn a_moodle_xml_nested_60000_deep_is_refused_at_its_line() {
    let _serial = serial();
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<quiz>\n{}{}</quiz>\n",
        "<question>".repeat(60_000),
        "</question>".repeat(60_000)
    );
    let (outcome, elapsed, peak) = measured(|| Format::MoodleXml.read(xml.as_bytes()));
    within_bounds("deep XML", elapsed, peak);
    let refusal = question_refusal(&outcome);
    assert_eq!(
        refusal.zh(),
        "XML 文件第 3 行：元素嵌套超过 64 层的上限，拒绝读取"
    );
    assert_eq!(
        refusal.en(),
        "The XML file at line 3: elements nest deeper than the limit of 64 levels; not read"
    );
}

#[test]
fn a_csv_row_of_millions_of_empty_cells_is_refused_before_it_is_split() {
    let _serial = serial();
    let csv = format!("姓名,身份证号,岗位,入职日期\n{}\n", ",".repeat(10_000_000));
    let (result, elapsed, peak) = measured(|| roster::read_csv(csv.as_bytes()));
    within_bounds("wide CSV", elapsed, peak);
    let error = roster_refusal(result);
    assert!(error.zh.contains("超过列数上限 32 列"), "{}", error.zh);
    assert!(
        error.en.contains("over the limit of 32 columns"),
        "{}",
        error.en
    );
}

#[test]
fn the_roster_limits_leave_room_for_100_000_people() {
    let limits = SheetLimits::ROSTER;
    assert!(limits.max_rows > 100_001);
    assert!(limits.max_cells >= 100_001 * 13);
}

/// The largest roster the limits are for: 100,000 people in Anpei's own .xlsx export, every
/// column filled. It passes the preflight, and its peak while read is what the limits were
/// sized by (ARCHITECTURE.md, `formats`).
#[test]
fn a_full_size_roster_passes_and_its_peak_stays_within_the_budget() {
    use anpei_domain::PositionTitle;
    use anpei_domain::{EmploymentKind, IdNumber, Period, PersonName, Phone, PositionFlags};
    use chrono::{Days, NaiveDate};
    let _serial = serial();
    let start = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let rows: Vec<roster::RosterRow> = (0..100_000u32)
        .map(|n| {
            let birth =
                NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Days::new(u64::from(n / 900));
            roster::RosterRow {
                row: n as usize + 2,
                name: PersonName::parse("欧阳建国").unwrap(),
                id_number: IdNumber::synthesize("230103", birth, (n % 900) as u16).unwrap(),
                phone: Some(Phone::parse(&format!("138{:08}", n)).unwrap()),
                education: None,
                kind: EmploymentKind::Regular,
                position: PositionTitle::parse("电工班组长兼安全员").unwrap(),
                period: Period::new(start, None).unwrap(),
                flags: PositionFlags {
                    team_leader: true,
                    special_ops_trade: Some("1.2".to_owned()),
                    key_position: false,
                    principal_leader: false,
                    safety_manager: true,
                },
            }
        })
        .collect();
    let bytes = roster::write_xlsx(&rows).unwrap();
    drop(rows);
    let (result, elapsed, peak) = measured(|| roster::read_xlsx(&bytes));
    eprintln!(
        "100,000-row roster ({:.1} MB): read in {elapsed:?}, peak {:.1} MB",
        bytes.len() as f64 / MB as f64,
        peak as f64 / MB as f64
    );
    assert_eq!(
        result.map(|rows| rows.len()).map_err(|e| e[..1].to_vec()),
        Ok(100_000)
    );
    assert!(
        peak < 600 * MB,
        "peaked at {:.1} MB",
        peak as f64 / MB as f64
    );
}
