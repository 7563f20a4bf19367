//! One certificate as an A4 PDF in Chinese, with a QR code of its public verification link.
//!
//! Typst runs as a library, in the crate's one `typst_world`: exactly one source file
//! (`templates/certificate.typ`, compiled in) and exactly one font (the Noto Serif CJK SC
//! subset in `fonts/`, compiled in). It reads no files, no system fonts and no packages, and
//! has no clock, so the same certificate renders to the same bytes on any machine. The
//! certificate's values reach the template only as `sys.inputs` (strings and, for the QR
//! code, integers): they are never spliced into Typst source, so no name can change the
//! template.

use anpei_domain::certificate::{CertificateKind, CertificateStatus};
use anpei_domain::trade::{Trade, find_category};
use chrono::NaiveDate;
use qrcode::{Color, EcLevel, QrCode};
use typst::foundations::{Array, Dict, IntoValue, Str, Value};
use typst_layout::PagedDocument;

use crate::typst_world;
pub use crate::typst_world::FONT;

/// The template, compiled into the binary.
const TEMPLATE: &str = include_str!("../templates/certificate.typ");

/// What is printed on a certificate. Names and dates as the archive holds them; the
/// verification URL is the public `/verify/{number}` page.
#[derive(Debug, Clone)]
pub struct CertificateSheet {
    pub holder_name: String,
    pub number: String,
    pub kind: CertificateKind,
    /// The operation item (操作项目) of a special-operations certificate.
    pub trade: Option<&'static Trade>,
    pub issuer: String,
    /// The day the certificate was first issued; renewals keep it.
    pub first_issued_on: NaiveDate,
    /// The current validity period (from the last issue or renewal).
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub next_review_due: Option<NaiveDate>,
    pub status: CertificateStatus,
    pub verification_url: String,
}

/// Why a certificate, or another PDF of this crate (`subsidy_pdf`), could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The verification URL does not fit in a QR code.
    #[error("the verification URL is too long for a QR code")]
    UrlTooLong,
    /// Typst refused the document; the messages say why (a template bug, never user data).
    #[error("typst: {}", .0.join("; "))]
    Typst(Vec<String>),
}

/// The title at the top of the page: the national title for special-operations certificates,
/// the kind's Chinese name otherwise.
pub fn title(kind: CertificateKind) -> (&'static str, &'static str) {
    match kind {
        CertificateKind::SpecialOps => (
            "中华人民共和国特种作业操作证",
            "Special Operations Certificate of the People's Republic of China",
        ),
        other => (other.name_zh(), other.name_en()),
    }
}

/// Characters of the certificate's text that the embedded font cannot draw (they would
/// print as empty boxes): a name outside the 通用规范汉字表, say. Each at most once.
pub fn missing_characters(sheet: &CertificateSheet) -> Vec<char> {
    typst_world::missing_characters([sheet.holder_name.as_str(), &sheet.issuer, &sheet.number])
}

/// Renders one certificate to the bytes of a one-page A4 PDF.
pub fn render(sheet: &CertificateSheet) -> Result<Vec<u8>, RenderError> {
    typst_world::pdf(&compile(sheet)?)
}

/// Lays the certificate out (the step before PDF).
fn compile(sheet: &CertificateSheet) -> Result<PagedDocument, RenderError> {
    typst_world::compile(TEMPLATE, inputs(sheet)?)
}

fn date(day: NaiveDate) -> String {
    day.format("%Y年%m月%d日").to_string()
}

fn inputs(sheet: &CertificateSheet) -> Result<Dict, RenderError> {
    let (title_zh, title_en) = title(sheet.kind);
    let category = sheet
        .trade
        .and_then(|trade| find_category(trade.category))
        .map(|category| category.name)
        .unwrap_or_default();
    let (qr_size, qr_runs) = qr_runs(&sheet.verification_url)?;
    let text = |key: &str, value: &str| (Str::from(key), Value::Str(value.into()));
    Ok(Dict::from_iter([
        text("title", title_zh),
        text("title_en", title_en),
        text("holder", &sheet.holder_name),
        text("number", &sheet.number),
        text("kind", sheet.kind.name_zh()),
        text("category", category),
        text("trade", sheet.trade.map(|t| t.name).unwrap_or_default()),
        text("issuer", &sheet.issuer),
        text("first_issued", &date(sheet.first_issued_on)),
        text("valid_from", &date(sheet.valid_from)),
        text("valid_until", &date(sheet.valid_until)),
        text(
            "next_review",
            &sheet
                .next_review_due
                .map(date)
                .unwrap_or_else(|| "—".into()),
        ),
        text("status", sheet.status.name_zh()),
        text("url", &sheet.verification_url),
        ("qr_size".into(), qr_size.into_value()),
        ("qr_runs".into(), qr_runs.into_value()),
    ]))
}

/// The QR code as horizontal runs of dark modules `(row, column, length)`: the template
/// draws one rectangle per run, so the code is vector art and needs no image decoder.
fn qr_runs(url: &str) -> Result<(i64, Array), RenderError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|_| RenderError::UrlTooLong)?;
    let width = code.width();
    let colors = code.to_colors();
    let mut runs = Array::new();
    for (row, line) in colors.chunks(width).enumerate() {
        let mut column = 0;
        while column < width {
            if line[column] == Color::Dark {
                let start = column;
                while column < width && line[column] == Color::Dark {
                    column += 1;
                }
                let run: Array = [row, start, column - start]
                    .into_iter()
                    .map(|n| Value::Int(n as i64))
                    .collect();
                runs.push(run.into_value());
            } else {
                column += 1;
            }
        }
    }
    Ok((width as i64, runs))
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use anpei_domain::trade::find_trade;
    use typst::layout::{Frame, FrameItem};

    use super::*;

    /// The 通用规范汉字表 as shipped beside the font: position, code point, character.
    const TABLE: &str = include_str!("../fonts/tongyong-guifan-hanzi-2013.txt");

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn sheet(holder_name: &str) -> CertificateSheet {
        CertificateSheet {
            holder_name: holder_name.to_owned(),
            number: "T230100-2026-000042".to_owned(),
            kind: CertificateKind::SpecialOps,
            trade: find_trade("1.2"),
            issuer: "哈尔滨市应急管理局".to_owned(),
            first_issued_on: day("2020-03-15"),
            valid_from: day("2026-03-10"),
            valid_until: day("2032-03-09"),
            next_review_due: Some(day("2029-03-10")),
            status: CertificateStatus::Valid,
            verification_url: "https://anpei.example.cn/verify/T230100-2026-000042".to_owned(),
        }
    }

    /// All text on the laid-out page, in reading order of the frames.
    fn text_of(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => text_of(&group.frame, out),
                FrameItem::Text(text) => out.push_str(&text.text),
                _ => {}
            }
        }
    }

    fn page_text(sheet: &CertificateSheet) -> String {
        let document = compile(sheet).unwrap();
        assert_eq!(document.pages().len(), 1, "one page");
        let size = document.pages()[0].frame.size();
        // A4 is 210 × 297 mm = 595.28 × 841.89 pt.
        assert!((size.x.to_pt() - 595.28).abs() < 0.5, "width {size:?}");
        assert!((size.y.to_pt() - 841.89).abs() < 0.5, "height {size:?}");
        let mut text = String::new();
        text_of(&document.pages()[0].frame, &mut text);
        text
    }

    /// Whether a poppler tool is here; under `CI=true` its absence fails the test.
    fn poppler(tool: &str) -> bool {
        let found = Command::new(tool).arg("-v").output().is_ok();
        if !found && std::env::var("CI").is_ok_and(|ci| ci == "true") {
            panic!("{tool} (Debian poppler-utils) is required under CI=true");
        }
        found
    }

    /// What `pdftotext` reads from the PDF, or `None` without poppler-utils.
    fn pdf_text(pdf: &[u8]) -> Option<String> {
        if !poppler("pdftotext") || !poppler("pdfinfo") {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("anpei-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{}.pdf",
            std::thread::current()
                .name()
                .unwrap_or("t")
                .replace("::", "-")
        ));
        std::fs::write(&path, pdf).unwrap();
        let info = Command::new("pdfinfo").arg(&path).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Pages:") && l.ends_with(" 1")),
            "{info}"
        );
        assert!(
            info.contains("595.276 x 841.89") || info.contains("(A4)"),
            "{info}"
        );
        let text = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        Some(String::from_utf8(text.stdout).unwrap())
    }

    #[test]
    fn a_holder_with_rare_standard_characters_prints_on_one_a4_page() {
        let sheet = sheet("欧阳堃昇赟玥喆淼");
        let text = page_text(&sheet);
        for expected in [
            "中华人民共和国特种作业操作证",
            "欧阳堃昇赟玥喆淼",
            "T230100-2026-000042",
            "特种作业操作证",
            "电工作业",
            "低压电工作业",
            "哈尔滨市应急管理局",
            "2020年03月15日",
            "2032年03月09日",
            "2029年03月10日",
            "有效",
            "扫码核验",
            "https://anpei.example.cn/verify/T230100-2026-000042",
        ] {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
        let pdf = render(&sheet).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if let Some(text) = pdf_text(&pdf) {
            let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for expected in [
                "欧阳堃昇赟玥喆淼",
                "T230100-2026-000042",
                "特种作业操作证",
                "低压电工作业",
                "扫码核验",
            ] {
                assert!(
                    text.contains(expected),
                    "pdftotext: {expected} missing from {text}"
                );
            }
        }
    }

    #[test]
    fn a_name_with_typst_syntax_prints_as_written() {
        let name = "王\"#]五 #set page(width: 1cm) $x$ \\ [*";
        let text = page_text(&sheet(name));
        assert!(text.contains("王\"#]五"), "{text}");
        assert!(text.contains("#set page(width: 1cm) $x$ \\ [*"), "{text}");
        let pdf = render(&sheet(name)).unwrap();
        if let Some(text) = pdf_text(&pdf) {
            assert!(text.contains("王\"#]五"), "pdftotext: {text}");
        }
    }

    #[test]
    fn other_kinds_are_titled_by_their_chinese_name() {
        let mut other = sheet("李四");
        other.kind = CertificateKind::SafetyQualification;
        other.trade = None;
        other.next_review_due = None;
        let text = page_text(&other);
        assert!(text.contains("安全生产知识和管理能力考核合格证"), "{text}");
        assert!(!text.contains("中华人民共和国"), "{text}");
        assert!(!text.contains("操作项目"), "{text}");
    }

    #[test]
    fn the_same_certificate_renders_to_the_same_bytes() {
        assert_eq!(
            render(&sheet("张三")).unwrap(),
            render(&sheet("张三")).unwrap()
        );
    }

    #[test]
    fn the_qr_code_runs_cover_exactly_its_dark_modules() {
        let url = "https://anpei.example.cn/verify/T230100-2026-000042";
        let (width, runs) = qr_runs(url).unwrap();
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).unwrap();
        assert_eq!(width as usize, code.width());
        let mut drawn = vec![Color::Light; code.width() * code.width()];
        for run in runs {
            let run: Vec<i64> = run
                .cast::<Array>()
                .unwrap()
                .into_iter()
                .map(|v| v.cast::<i64>().unwrap())
                .collect();
            let (row, column, length) = (run[0] as usize, run[1] as usize, run[2] as usize);
            for x in column..column + length {
                drawn[row * code.width() + x] = Color::Dark;
            }
        }
        assert_eq!(drawn, code.to_colors());
    }

    #[test]
    fn the_font_has_every_character_of_the_general_standard_table() {
        let face = ttf_parser::Face::parse(FONT, 0).unwrap();
        let characters: Vec<char> = TABLE
            .lines()
            .map(|line| line.split('\t').nth(2).unwrap().chars().next().unwrap())
            .collect();
        assert_eq!(characters.len(), 8105);
        let missing: String = characters
            .iter()
            .chain(&[
                ' ', 'A', 'z', '0', '9', '-', '/', ':', '·', '×', '—', '…', '“', '”', '、', '。',
                '〇', '《', '》', '【', '】', '，', '：', '（', '）', '；', '！', '？', '￥',
            ])
            .filter(|c| face.glyph_index(**c).is_none())
            .collect();
        assert!(missing.is_empty(), "no glyph for {missing}");
    }

    #[test]
    fn characters_outside_the_table_are_reported_before_they_print_as_boxes() {
        assert_eq!(
            missing_characters(&sheet("欧阳堃昇赟玥喆淼")),
            Vec::<char>::new()
        );
        // 龑 is not in the 2013 table, so not in the subset.
        assert_eq!(missing_characters(&sheet("刘龑龑")), vec!['龑']);
    }
}
