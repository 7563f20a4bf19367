//! 申请安全技能提升补贴特种作业人员信息审核表 — the form an enterprise files to claim the
//! safety-skills subsidy for its special-operations workers (the attachment of the provincial
//! plan, seed `000_b72319b3dca4b513.txt`) — as an A4 PDF in Chinese.
//!
//! It compiles in the crate's one `typst_world`, like the certificate: one template
//! (`templates/subsidy_form.typ`, compiled in), one font, no files, no clock, the values only
//! as `sys.inputs` strings, the memo cache evicted after each render, the same bytes for the
//! same form.
//!
//! The layout keeps the seed's order — header block, list of workers, the two opinions — and
//! breaks pages explicitly, so the page count is [`pages`] of the number of rows:
//! page 1 holds the header block and rows 1–20, each further page 20 more rows (the column
//! header repeated), and the last page the two opinions alone, where each has half a page
//! for its round seal. An unfinished last page of rows is closed with 以下空白 so no name can
//! be written in by hand after the form is sealed.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use typst::foundations::{Array, Dict, IntoValue, Str, Value};
use typst_layout::PagedDocument;

pub use crate::certificate_pdf::RenderError;
use crate::typst_world;

/// The template, compiled into the binary.
const TEMPLATE: &str = include_str!("../templates/subsidy_form.typ");

/// Rows of the list of workers on each page.
pub const ROWS_PER_PAGE: usize = 20;

/// The training institution's statement as the official form prints it; printed also when
/// the institution has not given its opinion yet, for it to seal by hand.
pub const INSTITUTION_STATEMENT: &str =
    "以上人员按培训大纲要求，在我机构完成理论授课和实操全部课程。";

/// What is printed on the form: the application as the archive holds it, as plain values.
#[derive(Clone)]
pub struct SubsidyForm {
    pub enterprise_name: String,
    /// 申请时间.
    pub applied_on: NaiveDate,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// 法定代表人.
    pub legal_representative: String,
    /// 经办人姓名.
    pub handler_name: String,
    /// 经办人手机, exactly as it should print.
    pub handler_phone: String,
    /// （委托）培训机构名称.
    pub institution_name: String,
    /// 培训工种及对应人数: the trade's name and how many were trained in it.
    pub trades: Vec<(String, usize)>,
    /// 培训时间, first and last day.
    pub training_from: NaiveDate,
    pub training_to: NaiveDate,
    /// 取证人数.
    pub certified: usize,
    /// 申请补贴金额, in whole yuan.
    pub amount_yuan: u64,
    /// 负责人签字: the person who accepted the written pledge, and when.
    pub pledge_by: String,
    pub pledged_on: NaiveDate,
    /// 序号 姓名 工种 证件号, in the order given.
    pub rows: Vec<SubsidyFormRow>,
    /// 培训机构意见; `None` prints [`INSTITUTION_STATEMENT`] with a blank date.
    pub institution_opinion: Option<Opinion>,
    /// 应急管理部门（煤矿安全培训主管部门）意见; `None` leaves the cell blank.
    pub regulator_opinion: Option<Opinion>,
    /// The application number, printed small in every page's footer for the archive.
    pub reference: String,
}

/// Debug names the application, never the people on it.
impl fmt::Debug for SubsidyForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubsidyForm")
            .field("reference", &self.reference)
            .field("enterprise_name", &self.enterprise_name)
            .field("applied_on", &self.applied_on)
            .field("rows", &self.rows.len())
            .finish_non_exhaustive()
    }
}

/// One worker on the list.
#[derive(Clone)]
pub struct SubsidyFormRow {
    pub seq: usize,
    pub name: String,
    pub trade: String,
    /// 证件号, usually an ID number.
    pub document_no: String,
}

/// Debug leaves out the name and the ID number (STYLE.md: personal data redacts itself).
impl fmt::Debug for SubsidyFormRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubsidyFormRow")
            .field("seq", &self.seq)
            .field("trade", &self.trade)
            .finish_non_exhaustive()
    }
}

/// An opinion given on the form, and the day it was given.
#[derive(Debug, Clone)]
pub struct Opinion {
    pub text: String,
    pub date: NaiveDate,
}

/// Pages of a form listing `rows` workers: the rows pages (page 1 carries the header block
/// and rows 1–20, every further page 20 more, at least one page even for no rows), then one
/// page for the two opinions. So 0–20 rows take 2 pages, 21–40 take 3, 45 take 4.
///
/// The template breaks pages exactly there. The rule holds while the texts fit their room:
/// page 1 keeps about 45 mm spare below 20 rows for header values that wrap (about eight
/// extra lines: a long name, institution or list of trades), and each opinion has half a
/// page. Past that typst would carry the overflow to a further page; the footer's
/// 第 N 页 共 M 页 counts the pages actually laid out, so the print stays consistent.
pub fn pages(rows: usize) -> usize {
    rows.div_ceil(ROWS_PER_PAGE).max(1) + 1
}

/// Renders the form to the bytes of an A4 PDF of [`pages`]`(form.rows.len())` pages.
pub fn render(form: &SubsidyForm) -> Result<Vec<u8>, RenderError> {
    typst_world::pdf(&compile(form)?)
}

/// Characters of the form's text that the embedded font cannot draw (they would print as
/// empty boxes): a name outside the 通用规范汉字表, say. Each at most once.
pub fn missing_characters(form: &SubsidyForm) -> Vec<char> {
    let opinions = [&form.institution_opinion, &form.regulator_opinion]
        .into_iter()
        .flatten()
        .map(|opinion| opinion.text.as_str());
    typst_world::missing_characters(
        [
            form.enterprise_name.as_str(),
            &form.credit_code,
            &form.legal_representative,
            &form.handler_name,
            &form.handler_phone,
            &form.institution_name,
            &form.pledge_by,
            &form.reference,
        ]
        .into_iter()
        .chain(form.trades.iter().map(|(trade, _)| trade.as_str()))
        .chain(
            form.rows
                .iter()
                .flat_map(|row| [row.name.as_str(), &row.trade, &row.document_no]),
        )
        .chain(opinions),
    )
}

/// Lays the form out (the step before PDF).
fn compile(form: &SubsidyForm) -> Result<PagedDocument, RenderError> {
    typst_world::compile(TEMPLATE, inputs(form))
}

/// A day as the form prints it: `2026 年 3 月 1 日`.
fn date(day: NaiveDate) -> String {
    format!("{} 年 {} 月 {} 日", day.year(), day.month(), day.day())
}

/// 培训工种及对应人数 on one line: `低压电工作业 12 人；焊接与热切割作业 3 人`.
fn trades_line(trades: &[(String, usize)]) -> String {
    trades
        .iter()
        .map(|(trade, count)| format!("{trade} {count} 人"))
        .collect::<Vec<_>>()
        .join("；")
}

/// The rows cut into pages of [`ROWS_PER_PAGE`], each row four strings; one empty page for
/// no rows, so the column header still prints. This cut is what makes [`pages`] true.
fn row_pages(rows: &[SubsidyFormRow]) -> Array {
    let page = |chunk: &[SubsidyFormRow]| -> Value {
        chunk
            .iter()
            .map(|row| {
                [
                    row.seq.to_string(),
                    row.name.clone(),
                    row.trade.clone(),
                    row.document_no.clone(),
                ]
                .into_iter()
                .map(|cell| Value::Str(cell.into()))
                .collect::<Array>()
                .into_value()
            })
            .collect::<Array>()
            .into_value()
    };
    if rows.is_empty() {
        return [page(&[])].into_iter().collect();
    }
    rows.chunks(ROWS_PER_PAGE).map(page).collect()
}

fn inputs(form: &SubsidyForm) -> Dict {
    let text = |key: &str, value: &str| (Str::from(key), Value::Str(value.into()));
    let opinion_date = |opinion: &Option<Opinion>| {
        opinion
            .as_ref()
            .map(|opinion| date(opinion.date))
            .unwrap_or_default()
    };
    let institution_text = form
        .institution_opinion
        .as_ref()
        .map_or(INSTITUTION_STATEMENT, |opinion| opinion.text.as_str());
    let regulator_text = form
        .regulator_opinion
        .as_ref()
        .map_or("", |opinion| opinion.text.as_str());
    Dict::from_iter([
        text("reference", &form.reference),
        text("enterprise", &form.enterprise_name),
        text("applied_on", &date(form.applied_on)),
        text("credit_code", &form.credit_code),
        text("legal_representative", &form.legal_representative),
        text("handler_name", &form.handler_name),
        text("handler_phone", &form.handler_phone),
        text("institution", &form.institution_name),
        text("trades", &trades_line(&form.trades)),
        text("training_from", &date(form.training_from)),
        text("training_to", &date(form.training_to)),
        text("certified", &format!("{} 人", form.certified)),
        text("amount", &format!("{} 元", form.amount_yuan)),
        text("pledge_by", &form.pledge_by),
        text("pledged_on", &date(form.pledged_on)),
        ("row_pages".into(), row_pages(&form.rows).into_value()),
        // The last page of rows is closed with 以下空白 when it has room left.
        (
            "closed".into(),
            Value::Bool(!form.rows.len().is_multiple_of(ROWS_PER_PAGE) || form.rows.is_empty()),
        ),
        text("institution_text", institution_text),
        text("institution_date", &opinion_date(&form.institution_opinion)),
        text("regulator_text", regulator_text),
        text("regulator_date", &opinion_date(&form.regulator_opinion)),
    ])
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use typst::layout::{Frame, FrameItem};

    use super::*;

    const TITLE: &str = "申请安全技能提升补贴特种作业人员信息审核表";

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    const TRADES: [&str; 3] = [
        "低压电工作业",
        "熔化焊接与热切割作业",
        "高处安装、维护、拆除作业",
    ];

    /// A distinct, plausible name for every position up to 99.
    fn name(seq: usize) -> String {
        let surnames: Vec<char> = "王李张刘陈杨赵黄周吴".chars().collect();
        let first: Vec<char> = "建国志明秀海玉春晓文".chars().collect();
        let second: Vec<char> = "华平英军芳强丽东红梅".chars().collect();
        [
            surnames[seq % 10],
            first[seq / 10 % 10],
            second[(seq * 7) % 10],
        ]
        .into_iter()
        .collect()
    }

    fn row(seq: usize) -> SubsidyFormRow {
        SubsidyFormRow {
            seq,
            name: name(seq),
            trade: TRADES[seq % 3].to_owned(),
            document_no: format!("23010219900101{seq:04}"),
        }
    }

    fn form(rows: usize) -> SubsidyForm {
        SubsidyForm {
            enterprise_name: "黑龙江龙煤安全建设有限公司".to_owned(),
            applied_on: day("2026-03-25"),
            credit_code: "91230100MA1B2C3D4E".to_owned(),
            legal_representative: "孙立新".to_owned(),
            handler_name: "马晓燕".to_owned(),
            handler_phone: "139 0451 2345".to_owned(),
            institution_name: "哈尔滨市安全生产培训中心".to_owned(),
            trades: vec![
                ("低压电工作业".to_owned(), 12),
                ("熔化焊接与热切割作业".to_owned(), 8),
            ],
            training_from: day("2026-03-01"),
            training_to: day("2026-03-20"),
            certified: 18,
            amount_yuan: 3000,
            pledge_by: "孙立新".to_owned(),
            pledged_on: day("2026-03-24"),
            rows: (1..=rows).map(row).collect(),
            institution_opinion: Some(Opinion {
                text: INSTITUTION_STATEMENT.to_owned(),
                date: day("2026-03-21"),
            }),
            regulator_opinion: Some(Opinion {
                text: "同意 18 人，不同意 2 人：刘建华（未取证）、陈秀英（证件号有误）。"
                    .to_owned(),
                date: day("2026-04-02"),
            }),
            reference: "BT-2026-000137".to_owned(),
        }
    }

    /// The text runs of a laid-out page, in the order of the frames.
    fn runs_of(frame: &Frame, out: &mut Vec<String>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => runs_of(&group.frame, out),
                FrameItem::Text(text) => out.push(text.text.to_string()),
                _ => {}
            }
        }
    }

    /// Each page's text runs, after checking that every page is A4.
    fn page_runs(form: &SubsidyForm) -> Vec<Vec<String>> {
        let document = compile(form).unwrap();
        document
            .pages()
            .iter()
            .map(|page| {
                let size = page.frame.size();
                // A4 is 210 × 297 mm = 595.28 × 841.89 pt.
                assert!((size.x.to_pt() - 595.28).abs() < 0.5, "width {size:?}");
                assert!((size.y.to_pt() - 841.89).abs() < 0.5, "height {size:?}");
                let mut runs = Vec::new();
                runs_of(&page.frame, &mut runs);
                runs
            })
            .collect()
    }

    fn joined(runs: &[String]) -> String {
        runs.concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    /// Whether a poppler tool is here; under `CI=true` its absence fails the test.
    fn poppler(tool: &str) -> bool {
        let found = Command::new(tool).arg("-v").output().is_ok();
        if !found && std::env::var("CI").is_ok_and(|ci| ci == "true") {
            panic!("{tool} (Debian poppler-utils) is required under CI=true");
        }
        found
    }

    /// What poppler reads from a PDF: the page count, each page's size line and the text
    /// (whitespace removed); `None` without poppler-utils.
    struct PdfFacts {
        pages: usize,
        sizes: Vec<String>,
        text: String,
    }

    fn pdf_facts(pdf: &[u8], label: &str) -> Option<PdfFacts> {
        if !poppler("pdftotext") || !poppler("pdfinfo") {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("anpei-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("subsidy-{label}.pdf"));
        std::fs::write(&path, pdf).unwrap();
        let info = Command::new("pdfinfo").arg(&path).output().unwrap();
        let info = String::from_utf8(info.stdout).unwrap();
        let pages: usize = info
            .lines()
            .find_map(|line| line.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let sizes = Command::new("pdfinfo")
            .args(["-f", "1", "-l", &pages.to_string()])
            .arg(&path)
            .output()
            .unwrap();
        let sizes: Vec<String> = String::from_utf8(sizes.stdout)
            .unwrap()
            .lines()
            .filter(|line| line.starts_with("Page") && line.contains(" size:"))
            .map(str::to_owned)
            .collect();
        let text = Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        let text = String::from_utf8(text.stdout)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        Some(PdfFacts { pages, sizes, text })
    }

    #[test]
    fn the_page_rule_is_two_pages_up_to_twenty_rows_then_one_more_per_twenty() {
        for (rows, expected) in [(0, 2), (1, 2), (20, 2), (21, 3), (40, 3), (41, 4), (45, 4)] {
            assert_eq!(pages(rows), expected, "{rows} rows");
        }
    }

    #[test]
    fn the_rendered_pdf_has_exactly_the_pages_of_the_rule() {
        for rows in [0, 1, 20, 21, 40, 45] {
            let form = form(rows);
            let runs = page_runs(&form);
            assert_eq!(runs.len(), pages(rows), "typst pages for {rows} rows");
            let last = runs.len() - 1;
            for (index, page) in runs.iter().enumerate() {
                let text = joined(page);
                let footer = format!("第{}页共{}页", index + 1, pages(rows));
                assert!(text.contains(&footer), "{rows} rows, page {index}: {text}");
                assert!(text.contains("申请编号：BT-2026-000137"), "{text}");
                // The header block only on page 1, the opinions only on the last page.
                assert_eq!(text.contains("统一社会信用代码"), index == 0, "{text}");
                assert_eq!(text.contains("（加盖印章）"), index == last, "{text}");
                // Every rows page has the column header and exactly its own 20 rows.
                assert_eq!(text.contains("序号姓名工种证件号"), index < last, "{text}");
                for seq in 1..=rows {
                    let on_this_page = (seq - 1) / ROWS_PER_PAGE == index;
                    assert_eq!(
                        page.contains(&name(seq)),
                        on_this_page,
                        "{rows} rows: {} (row {seq}) on page {}",
                        name(seq),
                        index + 1
                    );
                }
                let closed = index + 1 == last && !rows.is_multiple_of(ROWS_PER_PAGE) || rows == 0;
                assert_eq!(text.contains("以下空白"), closed && index < last, "{text}");
            }
            let pdf = render(&form).unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
            if let Some(facts) = pdf_facts(&pdf, &rows.to_string()) {
                assert_eq!(facts.pages, pages(rows), "pdfinfo pages for {rows} rows");
                assert_eq!(facts.sizes.len(), pages(rows), "{:?}", facts.sizes);
                for size in &facts.sizes {
                    assert!(size.ends_with("595.276 x 841.89 pts (A4)"), "{size}");
                }
            }
        }
    }

    #[test]
    fn long_texts_stay_within_the_page_rule() {
        let mut long = form(40);
        long.enterprise_name =
            "黑龙江省某某市某某区某某矿业集团安全工程建设有限责任公司第三分公司".into();
        long.institution_name =
            "黑龙江省某某市应急管理局安全生产宣传教育培训中心（某某职业技术学院安全工程系）".into();
        long.trades = TRADES
            .iter()
            .chain(&[
                "煤矿井下电气作业",
                "制冷与空调设备运行操作作业",
                "危险化学品安全作业",
            ])
            .enumerate()
            .map(|(index, trade)| ((*trade).to_owned(), index + 3))
            .collect();
        let rejected: Vec<String> = (1..=20)
            .map(|seq| format!("{}（证件号有误）", name(seq)))
            .collect();
        long.regulator_opinion = Some(Opinion {
            text: format!("同意 20 人，不同意 20 人：{}。", rejected.join("、")),
            date: day("2026-04-02"),
        });
        assert_eq!(page_runs(&long).len(), pages(40));
    }

    #[test]
    fn the_form_prints_its_headings_its_values_and_every_row() {
        let form = form(45);
        let text: String = page_runs(&form).iter().map(|page| joined(page)).collect();
        let headings = [
            TITLE,
            "申请企业名称",
            "申请时间",
            "统一社会信用代码",
            "法定代表人",
            "经办人姓名",
            "经办人手机",
            "（委托）培训机构名称",
            "培训工种及对应人数",
            "培训时间",
            "取证人数",
            "申请补贴金额",
            "申请企业书面承诺",
            "负责人签字",
            "（盖章）",
            "培训机构意见",
            "应急管理部门（煤矿安全培训主管部门）意见",
            "序号",
            "姓名",
            "工种",
            "证件号",
        ];
        let values = [
            "黑龙江龙煤安全建设有限公司",
            "2026年3月25日",
            "91230100MA1B2C3D4E",
            "孙立新",
            "马晓燕",
            "13904512345",
            "哈尔滨市安全生产培训中心",
            "低压电工作业12人；熔化焊接与热切割作业8人",
            "2026年3月1日至2026年3月20日",
            "18人",
            "3000元",
            "2026年3月24日",
            "本企业申报安全技能提升补贴的特种作业人员已依法建立了劳动（用工）关系，\
             补贴资金申请信息真实全面、准确无误，愿意承担虚假培训及申报产生的全部法律责任。",
            INSTITUTION_STATEMENT,
            "2026年3月21日",
            "同意18人，不同意2人：刘建华（未取证）、陈秀英（证件号有误）。",
            "2026年4月2日",
            "BT-2026-000137",
        ];
        for expected in headings.iter().chain(&values) {
            assert!(text.contains(expected), "{expected} missing from {text}");
        }
        for row in &form.rows {
            let line = format!("{}{}{}{}", row.seq, row.name, row.trade, row.document_no);
            assert!(text.contains(&line), "{line} missing from {text}");
        }
        let pdf = render(&form).unwrap();
        if let Some(facts) = pdf_facts(&pdf, "headings") {
            assert_eq!(facts.pages, pages(45));
            for expected in headings.iter().chain(&values) {
                assert!(
                    facts.text.contains(expected),
                    "pdftotext: {expected} missing"
                );
            }
            for row in &form.rows {
                for expected in [&row.name, &row.trade, &row.document_no] {
                    assert!(
                        facts.text.contains(expected.as_str()),
                        "pdftotext: {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn empty_opinions_leave_a_blank_date_line_for_a_hand_seal() {
        let mut blank = form(3);
        blank.institution_opinion = None;
        blank.regulator_opinion = None;
        let runs = page_runs(&blank);
        let opinions = joined(&runs[runs.len() - 1]);
        // The institution's statement is part of the official form; both dates are blank.
        assert!(opinions.contains(INSTITUTION_STATEMENT), "{opinions}");
        assert_eq!(opinions.matches("（加盖印章）").count(), 2, "{opinions}");
        assert_eq!(opinions.matches("年月日").count(), 2, "{opinions}");
        assert!(!opinions.contains("2026年"), "{opinions}");
        assert!(!opinions.contains("同意"), "{opinions}");
    }

    #[test]
    fn names_with_rare_standard_characters_are_all_drawn() {
        let mut rare = form(2);
        // All in the 通用规范汉字表, so in the font (䶮 too: the 2013 table added it).
        rare.rows[0].name = "欧阳昇喆".to_owned();
        rare.rows[1].name = "堃玥燚淼犇䶮".to_owned();
        rare.pledge_by = "王喆".to_owned();
        assert_eq!(missing_characters(&rare), Vec::<char>::new());
        let text: String = page_runs(&rare).iter().map(|page| joined(page)).collect();
        assert!(
            text.contains("欧阳昇喆") && text.contains("堃玥燚淼犇䶮"),
            "{text}"
        );
        let pdf = render(&rare).unwrap();
        if let Some(facts) = pdf_facts(&pdf, "rare") {
            assert!(facts.text.contains("欧阳昇喆"), "pdftotext: {}", facts.text);
            assert!(
                facts.text.contains("堃玥燚淼犇䶮"),
                "pdftotext: {}",
                facts.text
            );
        }
    }

    #[test]
    fn characters_outside_the_table_are_reported_before_they_print_as_boxes() {
        // 龑 is not in the 2013 table, so not in the subset; every text of the form counts.
        let mut outside = form(2);
        outside.rows[1].name = "刘龑".to_owned();
        outside.regulator_opinion = Some(Opinion {
            text: "不同意：刘龑𠀀".to_owned(),
            date: day("2026-04-02"),
        });
        assert_eq!(missing_characters(&outside), vec!['龑', '𠀀']);
    }

    #[test]
    fn a_name_with_typst_syntax_prints_as_written() {
        let mut tricky = form(1);
        tricky.rows[0].name = "王\"#]五".to_owned();
        tricky.enterprise_name = "#set page(width: 1cm) $x$ \\ [*".to_owned();
        let runs = page_runs(&tricky);
        assert_eq!(runs.len(), pages(1));
        let text = runs.concat().concat();
        assert!(text.contains("王\"#]五"), "{text}");
        assert!(text.contains("#set page(width: 1cm) $x$ \\ [*"), "{text}");
        let pdf = render(&tricky).unwrap();
        if let Some(facts) = pdf_facts(&pdf, "tricky") {
            assert!(facts.text.contains("王\"#]五"), "pdftotext: {}", facts.text);
        }
    }

    #[test]
    fn the_same_form_renders_to_the_same_bytes() {
        assert_eq!(render(&form(21)).unwrap(), render(&form(21)).unwrap());
    }

    #[test]
    fn the_template_compiles_without_warnings_in_characters_of_the_font() {
        let world = typst_world::TemplateWorld::new(TEMPLATE, inputs(&form(21)));
        let warned = typst::compile::<PagedDocument>(&world);
        assert!(warned.output.is_ok());
        let warnings: Vec<String> = warned
            .warnings
            .iter()
            .map(|w| w.message.to_string())
            .collect();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            typst_world::missing_characters([TEMPLATE]),
            Vec::<char>::new()
        );
    }

    #[test]
    fn debug_leaves_out_names_and_id_numbers() {
        let debug = format!("{:?}", form(1));
        assert!(
            !debug.contains(&name(1)) && !debug.contains("2301021990"),
            "{debug}"
        );
        let debug = format!("{:?}", row(1));
        assert!(
            !debug.contains(&name(1)) && !debug.contains("2301021990"),
            "{debug}"
        );
    }
}
