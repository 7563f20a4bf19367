//! Question files as Moodle 4.x writes them (fixtures copied in shape from Moodle's own
//! exporters and test fixtures): counts per kind, unsupported kinds named by line, broken
//! questions named by line, and export → import round trips for all three formats.

use anpei_domain::exam::{Difficulty, QuestionBody};
use anpei_formats::questions::{DraftContent, Format, QuestionDraft, ReadOutcome, xlsx};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn counts(outcome: &ReadOutcome) -> Vec<(&'static str, usize)> {
    outcome.counts().into_iter().collect()
}

fn unsupported(outcome: &ReadOutcome) -> Vec<(usize, String)> {
    outcome
        .unsupported()
        .map(|p| (p.line, p.unsupported.clone().unwrap_or_default()))
        .collect()
}

/// What a round trip must keep: everything but the line.
fn essence(drafts: &[QuestionDraft]) -> Vec<(Vec<String>, Option<String>, DraftContent)> {
    drafts
        .iter()
        .map(|d| (d.category_path.clone(), d.name.clone(), d.content.clone()))
        .collect()
}

#[test]
fn moodle_xml_as_moodle_writes_it() {
    let outcome = Format::MoodleXml.read(&fixture("moodle_electrician.xml"));
    assert_eq!(
        counts(&outcome),
        vec![
            ("fill_in", 1),
            ("multiple", 1),
            ("practical", 0),
            ("single", 1),
            ("true_false", 2)
        ]
    );
    assert_eq!(
        unsupported(&outcome),
        vec![
            (255, "essay".to_owned()),
            (287, "match".to_owned()),
            (327, "numerical".to_owned()),
            (355, "multianswer".to_owned()),
            (371, "description".to_owned()),
        ]
    );
    assert_eq!(outcome.errors().count(), 0, "{:?}", outcome.problems);
    assert!(!outcome.importable(false));
    assert!(outcome.importable(true));

    let first = &outcome.drafts[0];
    assert_eq!(first.line, 26);
    assert_eq!(first.category_path, ["低压电工作业", "安全用电基础"]);
    assert_eq!(first.name.as_deref(), Some("安全电压上限"));
    let DraftContent::Question(q) = &first.content else {
        panic!("a question")
    };
    assert_eq!(q.stem(), "我国规定的一般环境下安全电压的上限值是（  ）V。");
    assert_eq!(q.difficulty(), Difficulty::Easy);
    assert_eq!(q.tags(), ["安全电压".to_owned()]);
    assert_eq!(
        q.explanation(),
        "GB/T 3805 规定一般环境安全电压上限为 36 V。"
    );
    let QuestionBody::Single { options } = q.body() else {
        panic!("single choice")
    };
    assert_eq!(options.iter().position(|o| o.correct), Some(2));

    let DraftContent::Question(multiple) = &outcome.drafts[1].content else {
        panic!("a question")
    };
    let right: Vec<bool> = multiple
        .body()
        .options()
        .iter()
        .map(|o| o.correct)
        .collect();
    assert_eq!(right, [true, true, false, true]);
    assert_eq!(multiple.difficulty(), Difficulty::Medium);

    let tf = &outcome.drafts[2];
    assert_eq!(
        tf.category_path,
        ["低压电工作业", "安全用电基础", "接地与接零"]
    );
    let DraftContent::Question(tf) = &tf.content else {
        panic!("a question")
    };
    assert_eq!(tf.body(), &QuestionBody::TrueFalse { answer: false });

    let DraftContent::Question(fill) = &outcome.drafts[4].content else {
        panic!("a question")
    };
    assert_eq!(
        fill.body(),
        &QuestionBody::FillIn {
            accepted: vec!["30".into(), "30mA".into()]
        }
    );
}

#[test]
fn a_multichoice_with_no_correct_answer_names_its_line() {
    let outcome = Format::MoodleXml.read(&fixture("moodle_broken.xml"));
    assert_eq!(outcome.drafts.len(), 1);
    let errors: Vec<_> = outcome.errors().collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 44);
    assert_eq!(errors[0].zh, "单选题须恰有一个正确选项，本题有 0 个");
    assert!(!outcome.importable(true));
}

#[test]
fn gift_as_moodle_writes_it() {
    let outcome = Format::Gift.read(&fixture("gift_electrician.txt"));
    assert_eq!(outcome.errors().count(), 0, "{:?}", outcome.problems);
    assert_eq!(
        counts(&outcome),
        vec![
            ("fill_in", 1),
            ("multiple", 1),
            ("practical", 0),
            ("single", 2),
            ("true_false", 3)
        ]
    );
    assert_eq!(
        unsupported(&outcome),
        vec![
            (32, "essay".to_owned()),
            (35, "matching".to_owned()),
            (42, "numerical".to_owned()),
        ]
    );
    let ohm = &outcome.drafts[0];
    assert_eq!(ohm.line, 6);
    assert_eq!(ohm.category_path, ["低压电工作业", "电工基础知识"]);
    let DraftContent::Question(q) = &ohm.content else {
        panic!("a question")
    };
    assert_eq!(
        q.stem(),
        "在一段电路中，流过导体的电流与导体两端的电压成（  ）。"
    );
    assert_eq!(q.explanation(), "欧姆定律: I = U / R。");
    assert_eq!(q.tags(), ["电工基础".to_owned()]);
    assert_eq!(q.difficulty(), Difficulty::Easy);
    assert_eq!(q.body().options()[1].text, "反比");

    let DraftContent::Question(fire) = &outcome.drafts[1].content else {
        panic!("a question")
    };
    let right: Vec<bool> = fire.body().options().iter().map(|o| o.correct).collect();
    assert_eq!(right, [true, true, false, false]);

    let DraftContent::Question(contact) = &outcome.drafts[4].content else {
        panic!("a question")
    };
    assert!(contact.stem().contains("_____"), "{}", contact.stem());
    let last = outcome.drafts.last().unwrap();
    assert_eq!(last.category_path, ["低压电工作业", "电工仪表"]);
}

#[test]
fn an_unclosed_gift_brace_names_its_line() {
    let outcome = Format::Gift.read(&fixture("gift_broken.txt"));
    assert_eq!(outcome.drafts.len(), 2);
    let errors: Vec<_> = outcome.errors().collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 6);
    assert!(errors[0].zh.contains("大括号"), "{}", errors[0].zh);
}

#[test]
fn every_format_round_trips() {
    let moodle = Format::MoodleXml
        .read(&fixture("moodle_electrician.xml"))
        .drafts;
    let gift = Format::Gift.read(&fixture("gift_electrician.txt")).drafts;
    let mut all: Vec<QuestionDraft> = moodle.into_iter().chain(gift).collect();
    for format in [Format::MoodleXml, Format::Gift] {
        let (bytes, left_out) = format.write(&all).unwrap();
        assert_eq!(left_out, 0);
        let back = format.read(&bytes);
        assert!(back.problems.is_empty(), "{format:?}: {:?}", back.problems);
        assert_eq!(essence(&back.drafts), essence(&all), "{format:?}");
    }
    // Score sheets travel in .xlsx only.
    let template = xlsx::read(&xlsx::template().unwrap());
    all.extend(template.drafts);
    let (bytes, left_out) = Format::Xlsx.write(&all).unwrap();
    assert_eq!(left_out, 0);
    let back = Format::Xlsx.read(&bytes);
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    assert_eq!(essence(&back.drafts), essence(&all));
    let (_, left_out) = Format::Gift.write(&all).unwrap();
    assert_eq!(left_out, 1);
}

#[test]
fn bad_xlsx_rows_are_named() {
    use rust_xlsxwriter::Workbook;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows: [&[&str]; 5] = [
        &[
            "题型",
            "知识点",
            "题干",
            "选项A",
            "选项B",
            "正确答案",
            "难度",
        ],
        &[
            "单选题",
            "安全用电",
            "安全电压上限？",
            "36V",
            "220V",
            "A",
            "易",
        ],
        &["单选题", "安全用电", "缺正确答案", "36V", "220V", "C", ""],
        &["判断题", "安全用电", "可以带电作业。", "", "", "也许", ""],
        &["简答题", "安全用电", "简述验电步骤。", "", "", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *value).unwrap();
        }
    }
    let outcome = Format::Xlsx.read(&workbook.save_to_buffer().unwrap());
    assert_eq!(outcome.drafts.len(), 1);
    let problems: Vec<(usize, &str)> = outcome
        .problems
        .iter()
        .map(|p| (p.line, p.zh.as_str()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (3, "正确答案：选项 C 未填写"),
            (4, "正确答案：“也许”应为“正确”或“错误”"),
            (5, "安培不支持此题型：简答题"),
        ]
    );
}
