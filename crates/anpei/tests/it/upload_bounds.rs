//! Uploads that cannot take the server down, and exports that cannot run formulas (issue 13),
//! on both engines: a sheet with one cell at XFD1048576 and a zip bomb, uploaded to the
//! roster import and to the question-bank import, are refused with the limit named and
//! nothing written; a position title `=HYPERLINK(…)` leaves the roster's CSV and .xlsx
//! exports as `'=HYPERLINK(…)` text, and the export re-imports unchanged.
//!
//! The hostile files are built here byte by byte (a zip writer of stored entries and a
//! fixed-Huffman deflate stream of one space and its repeats): the test binary has no zip
//! crate, and a hand-made file shows exactly what the server is given.

use std::io::Cursor;

use anpei_formats::roster;
use anpei_testkit::{TestApp, both_engines, expect_problem};
use reqwest::{Client, StatusCode};

use crate::support::fresh_id_number;

/// CRC-32 (IEEE), as zip headers carry it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One zip entry: its name, method (0 stored, 8 deflated), stored bytes, and the size and
/// CRC its headers declare.
struct Entry {
    name: &'static str,
    method: u16,
    data: Vec<u8>,
    size: u32,
    crc: u32,
}

impl Entry {
    fn stored(name: &'static str, text: &str) -> Self {
        Entry {
            name,
            method: 0,
            data: text.as_bytes().to_vec(),
            size: text.len() as u32,
            crc: crc32(text.as_bytes()),
        }
    }
}

fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let put16 = |v: &mut Vec<u8>, n: u16| v.extend_from_slice(&n.to_le_bytes());
    let put32 = |v: &mut Vec<u8>, n: u32| v.extend_from_slice(&n.to_le_bytes());
    for entry in entries {
        let offset = out.len() as u32;
        let name = entry.name.as_bytes();
        let compressed = entry.data.len() as u32;
        // Local header: version 2.0, no flags, 1980-01-01 00:00.
        put32(&mut out, 0x0403_4b50);
        put16(&mut out, 20);
        put16(&mut out, 0);
        put16(&mut out, entry.method);
        put16(&mut out, 0);
        put16(&mut out, 0x21);
        put32(&mut out, entry.crc);
        put32(&mut out, compressed);
        put32(&mut out, entry.size);
        put16(&mut out, name.len() as u16);
        put16(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(&entry.data);
        // Its central-directory entry.
        put32(&mut central, 0x0201_4b50);
        put16(&mut central, 20);
        put16(&mut central, 20);
        put16(&mut central, 0);
        put16(&mut central, entry.method);
        put16(&mut central, 0);
        put16(&mut central, 0x21);
        put32(&mut central, entry.crc);
        put32(&mut central, compressed);
        put32(&mut central, entry.size);
        put16(&mut central, name.len() as u16);
        for _ in 0..3 {
            put16(&mut central, 0);
        }
        put16(&mut central, 0);
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(name);
    }
    let central_offset = out.len() as u32;
    let central_len = central.len() as u32;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4b50);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, entries.len() as u16);
    put16(&mut out, entries.len() as u16);
    put32(&mut out, central_len);
    put32(&mut out, central_offset);
    put16(&mut out, 0);
    out
}

/// Deflate bits, least significant first; Huffman codes most significant first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    len: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.len;
        self.len += count;
        while self.len >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    fn code(&mut self, code: u32, count: u32) {
        let reversed = code.reverse_bits() >> (32 - count);
        self.put(reversed, count);
    }

    /// A literal byte in the fixed Huffman code.
    fn literal(&mut self, byte: u8) {
        if byte < 144 {
            self.code(0x30 + u32::from(byte), 8);
        } else {
            self.code(0x190 + u32::from(byte) - 144, 9);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.len > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// `head`, `spaces` spaces and `tail` as one fixed-Huffman deflate block: each further 258
/// spaces cost 13 bits (length 258, distance 1), so the stream inflates about 159-fold.
fn deflated_spaces(head: &str, spaces: u64, tail: &str) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed Huffman codes
    head.bytes().for_each(|b| bits.literal(b));
    bits.literal(b' ');
    let mut left = spaces - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.literal(b' ');
    }
    tail.bytes().for_each(|b| bits.literal(b));
    bits.code(0, 7); // end of block
    bits.finish()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

fn workbook(sheet: Entry) -> Vec<u8> {
    zip(&[
        Entry::stored("[Content_Types].xml", CONTENT_TYPES),
        Entry::stored("_rels/.rels", PACKAGE_RELS),
        Entry::stored("xl/workbook.xml", WORKBOOK),
        Entry::stored("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        sheet,
    ])
}

/// The roster's header in row 1 and one cell at XFD1048576: about 2 KB.
fn far_cell_sheet() -> Vec<u8> {
    let header: String = ["姓名", "身份证号", "岗位", "入职日期"]
        .iter()
        .zip(["A1", "B1", "C1", "D1"])
        .map(|(text, cell)| format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#))
        .collect();
    let sheet = format!(
        r#"{SHEET_HEAD}<row r="1">{header}</row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>{SHEET_TAIL}"#
    );
    workbook(Entry::stored("xl/worksheets/sheet1.xml", &sheet))
}

/// A sheet of 200 MiB of spaces between its tags, deflated to about 1.3 MB. Its CRC is left
/// at 0: computing it would inflate the bomb in the test, and the server must refuse the
/// file long before it reaches the end where the CRC is checked.
fn zip_bomb() -> Vec<u8> {
    let spaces: u64 = 200 * 1024 * 1024;
    let size = SHEET_HEAD.len() as u64 + spaces + SHEET_TAIL.len() as u64;
    workbook(Entry {
        name: "xl/worksheets/sheet1.xml",
        method: 8,
        data: deflated_spaces(SHEET_HEAD, spaces, SHEET_TAIL),
        size: size as u32,
        crc: 0,
    })
}

/// Posts `bytes` as the `file` field of the roster page's form.
async fn upload_roster(
    app: &TestApp,
    client: &Client,
    file_name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let boundary = "----anpei-upload-bounds";
    let mut payload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    payload.extend_from_slice(bytes);
    payload.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client
        .post(app.url(&format!("/enterprises/{}/roster", app.demo.enterprise_id)))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(payload)
        .send()
        .await
        .expect("POST roster")
}

async fn upload_questions(client: &Client, app: &TestApp, bytes: Vec<u8>) -> reqwest::Response {
    client
        .post(app.url("/api/v1/bank/import?trade=1.1&format=xlsx"))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("POST bank import")
}

/// What the tests look at to see that nothing was written.
async fn written(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.ledger_head().await,
        app.count_rows("employments").await,
        app.count_rows("persons").await,
        app.count_rows("questions").await,
    )
}

#[test]
fn the_hostile_files_are_what_they_claim_to_be() {
    use calamine::Reader;
    let open = |bytes: Vec<u8>| -> calamine::Xlsx<_> {
        calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("a valid .xlsx")
    };
    // A workbook calamine opens: only the preflight stands between it and the dense range.
    let far = far_cell_sheet();
    assert!(far.len() < 4 * 1024, "{} bytes", far.len());
    assert_eq!(open(far).sheet_names(), vec!["花名册".to_owned()]);

    // The bomb's deflate stream, at a size calamine may read: a valid sheet of spaces.
    let content = format!("{SHEET_HEAD}{}{SHEET_TAIL}", " ".repeat(1_000));
    let small = workbook(Entry {
        name: "xl/worksheets/sheet1.xml",
        method: 8,
        data: deflated_spaces(SHEET_HEAD, 1_000, SHEET_TAIL),
        size: content.len() as u32,
        crc: crc32(content.as_bytes()),
    });
    let range = open(small)
        .worksheet_range("花名册")
        .expect("inflates and parses");
    assert!(range.is_empty());
    let bomb = zip_bomb();
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
}

both_engines!(
    a_far_cell_sheet_and_a_zip_bomb_are_refused_by_the_roster_import,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let before = written(&app).await;
        let cases = [
            (
                far_cell_sheet(),
                "工作表“花名册”用到第 1,048,576 行，超过行数上限 120,000 行",
            ),
            (
                zip_bomb(),
                "的压缩比超过 100:1 的上限（疑似压缩炸弹），拒绝读取",
            ),
        ];
        for (bytes, message) in cases {
            let response = upload_roster(&app, &enterprise, "staff.xlsx", &bytes).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let page = response.text().await.unwrap();
            assert!(page.contains(message), "{message}: {page}");
            assert_eq!(written(&app).await, before, "{message}");
        }
    }
);

both_engines!(
    a_far_cell_sheet_and_a_zip_bomb_are_refused_by_the_question_bank_import,
    |app| async move {
        let province = app.login("province").await;
        let before = written(&app).await;
        let cases = [
            (
                far_cell_sheet(),
                "工作表“花名册”用到第 1,048,576 行，超过行数上限 50,000 行",
                "Sheet \"花名册\" uses rows up to 1,048,576, over the limit of 50,000 rows",
            ),
            (
                zip_bomb(),
                "工作表“花名册”的压缩比超过 100:1 的上限（疑似压缩炸弹），拒绝读取",
                "Sheet \"花名册\" is compressed more than the limit of 100:1 (likely a zip bomb)",
            ),
        ];
        for (bytes, zh, en) in cases {
            let problem = expect_problem(
                upload_questions(&province, &app, bytes).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(problem["field"], "file", "{problem}");
            let (detail_zh, detail_en) = (
                problem["detail_zh"].as_str().unwrap(),
                problem["detail_en"].as_str().unwrap(),
            );
            assert!(detail_zh.contains(zh), "{detail_zh}");
            assert!(detail_en.contains(en), "{detail_en}");
            assert_eq!(written(&app).await, before, "{en}");
        }
    }
);

both_engines!(
    a_position_title_that_is_a_formula_is_exported_as_text,
    |app| async move {
        use calamine::{Data, Reader};
        let enterprise = app.login("enterprise").await;
        let formula = r#"=HYPERLINK("http://evil.example","x")"#;
        let id = fresh_id_number(3900);
        let csv = format!(
            "{}\n张九,{id},,,,\"{}\",2024-03-01,,,,,,\n",
            crate::roster::HEADER,
            formula.replace('"', "\"\"")
        );
        let response = upload_roster(&app, &enterprise, "staff.csv", csv.as_bytes()).await;
        assert_eq!(response.status(), StatusCode::OK);

        let export = |format: &'static str| {
            let url = app.url(&format!(
                "/enterprises/{}/roster/export.{format}",
                app.demo.enterprise_id
            ));
            let client = enterprise.clone();
            async move { client.get(url).send().await.unwrap().bytes().await.unwrap() }
        };

        // CSV: the cell begins with ', so Excel and WPS show the text and compute nothing.
        let exported = export("csv").await;
        let text = String::from_utf8(exported.to_vec()).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains(&id))
            .expect("the person is exported");
        assert!(
            line.contains(r#","'=HYPERLINK(""http://evil.example"",""x"")","#),
            "{line}"
        );
        assert!(!line.contains(",=") && !line.contains(",\"="), "{line}");
        // And it re-imports as the title that was typed.
        let rows = roster::read_csv(&exported).expect("the export parses");
        let row = rows.iter().find(|r| r.id_number.as_str() == id).unwrap();
        assert_eq!(row.position.as_str(), formula);

        // .xlsx: a string cell (no formula), guarded the same way for a copy to CSV.
        let exported = export("xlsx").await;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(exported.to_vec())).unwrap();
        let values = book.worksheet_range("花名册").unwrap();
        let formulas = book.worksheet_formula("花名册").unwrap();
        let (r, _) = values
            .rows()
            .enumerate()
            .find(|(_, cells)| cells.iter().any(|c| c == &Data::String(id.clone())))
            .expect("the person is exported");
        assert_eq!(
            values.get((r, 5)),
            Some(&Data::String(format!("'{formula}")))
        );
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
        let rows = roster::read_xlsx(&exported).expect("the export parses");
        let row = rows.iter().find(|r| r.id_number.as_str() == id).unwrap();
        assert_eq!(row.position.as_str(), formula);
    }
);
