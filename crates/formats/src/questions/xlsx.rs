//! Anpei's question template (.xlsx): one question per row on the first sheet, a practical
//! score sheet (实操评分表) as one row per scoring item with the sheet's title repeated in
//! 题干. The header names the columns, so their order does not matter and unknown columns
//! are ignored; a problem names the spreadsheet row (the header is row 1) and the column.

use std::io::Cursor;

use anpei_domain::exam::question::{MAX_OPTIONS, option_letter};
use anpei_domain::exam::{
    ChoiceOption, Difficulty, Question, QuestionBody, QuestionKind, ScoreSheet, SheetItem,
};
use rust_xlsxwriter::{Format, Workbook};

pub use rust_xlsxwriter::XlsxError;

use super::{DraftContent, Problem, QuestionDraft, ReadOutcome};
use crate::bounds::{self, SheetLimits};
use crate::formula_guard;

const OPTION_HEADERS: [&str; MAX_OPTIONS] = [
    "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H",
];

/// The columns, in the order they are written, with what goes in them.
const COLUMNS: [(&str, &str, &str); 20] = [
    (
        "题型",
        "单选题、多选题、判断题、填空题或实操评分表（必填）",
        "single, multiple, true/false, fill-in or practical score sheet (required)",
    ),
    (
        "知识点",
        "培训大纲中的知识点，逐级以 / 分隔，如“安全用电基础 / 触电急救”；缺失的知识点导入时自动建立",
        "syllabus point, levels separated by /, e.g. \"Electrical safety basics / First aid\"; missing points are created on import",
    ),
    (
        "名称",
        "题目的简短名称（可空）",
        "a short name for the question (optional)",
    ),
    (
        "题干",
        "题目正文；实操评分表填评分表名称，同一评分表的各行相同（必填）",
        "the question text; for a score sheet its title, the same on each of its rows (required)",
    ),
    (
        "选项A",
        "选择题的选项，至少 2 个，最多 8 个（A–H），依次填写",
        "options of a choice question, 2 to 8 (A–H), filled in order",
    ),
    ("选项B", "", ""),
    ("选项C", "", ""),
    ("选项D", "", ""),
    ("选项E", "", ""),
    ("选项F", "", ""),
    ("选项G", "", ""),
    ("选项H", "", ""),
    (
        "正确答案",
        "单选题填一个字母（如 B），多选题填全部正确字母（如 ACD），判断题填“正确”或“错误”，填空题填标准答案，多个可接受答案以 | 分隔",
        "single: one letter (B); multiple: every right letter (ACD); true/false: 正确 or 错误; fill-in: the accepted answers separated by |",
    ),
    (
        "难度",
        "易、中、难（或 1、2、3）；空白为中",
        "easy, medium, hard (or 1, 2, 3); blank is medium",
    ),
    ("标签", "以逗号或顿号分隔", "separated by commas"),
    (
        "解析",
        "考后显示的解析（可空）；实操评分表不用",
        "explanation shown after the exam (optional); unused by score sheets",
    ),
    (
        "评分项",
        "实操评分表的评分项名称，每项一行",
        "a scoring item of a practical score sheet, one row each",
    ),
    (
        "分值",
        "评分项的分值；各项合计须为 100 分",
        "the item's points; the items add up to 100",
    ),
    (
        "评分标准",
        "考评员的评分要点与扣分标准",
        "what the examiner looks for and what costs points",
    ),
    (
        "否决项",
        "“是”表示出现即判实操不合格（否决项分值可为 0）",
        "是 (yes) makes the item a veto: failing it fails the practical exam (a veto item may be worth 0)",
    ),
];

fn kind_of(text: &str) -> Option<&'static str> {
    match text.trim() {
        "单选题" | "单选" | "single" => Some("single"),
        "多选题" | "多选" | "multiple" => Some("multiple"),
        "判断题" | "判断" | "true_false" => Some("true_false"),
        "填空题" | "填空" | "fill_in" => Some("fill_in"),
        "实操评分表" | "实操" | "评分表" | "practical" => Some(super::PRACTICAL),
        _ => None,
    }
}

fn kind_label(code: &str) -> &'static str {
    match QuestionKind::parse(code) {
        Some(kind) => kind.name_zh(),
        None => "实操评分表",
    }
}

fn split_list(text: &str, separators: &[char]) -> Vec<String> {
    text.split(|c| separators.contains(&c))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn difficulty_of(text: &str) -> Option<Difficulty> {
    match text.trim() {
        "" | "中" | "中等" | "2" | "medium" => Some(Difficulty::Medium),
        "易" | "简单" | "容易" | "1" | "easy" => Some(Difficulty::Easy),
        "难" | "困难" | "较难" | "3" | "hard" => Some(Difficulty::Hard),
        _ => None,
    }
}

fn truth_of(text: &str) -> Option<bool> {
    match text.trim().to_uppercase().as_str() {
        "正确" | "对" | "是" | "√" | "✓" | "T" | "TRUE" | "Y" => Some(true),
        "错误" | "错" | "否" | "×" | "✗" | "F" | "FALSE" | "N" => Some(false),
        _ => None,
    }
}

/// Letters A–H (half- or full-width, any case, any separators) as option indices.
fn letters_of(text: &str) -> Result<Vec<usize>, char> {
    let mut out = Vec::new();
    for c in text.chars() {
        let c = match c {
            'Ａ'..='Ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        }
        .to_ascii_uppercase();
        if c.is_ascii_uppercase() {
            let index = (c as u8 - b'A') as usize;
            if index >= MAX_OPTIONS {
                return Err(c);
            }
            if !out.contains(&index) {
                out.push(index);
            }
        } else if !(c.is_whitespace() || ",，、;；".contains(c)) {
            return Err(c);
        }
    }
    Ok(out)
}

/// A row as its cells by column name.
struct Row<'a> {
    number: usize,
    cells: &'a [String],
    columns: &'a [(String, usize)],
}

impl Row<'_> {
    fn get(&self, header: &str) -> &str {
        self.columns
            .iter()
            .find(|(name, _)| name == header)
            .and_then(|(_, index)| self.cells.get(*index))
            .map(|s| s.trim())
            .unwrap_or_default()
    }

    fn problem(
        &self,
        column: &str,
        zh: impl std::fmt::Display,
        en: impl std::fmt::Display,
    ) -> Problem {
        Problem::new(
            self.number,
            format!("{column}：{zh}"),
            format!("{column}: {en}"),
        )
    }
}

/// Reads the question template (the first sheet), once [`bounds::check_xlsx`] has found it
/// within [`SheetLimits::QUESTIONS`].
pub fn read(bytes: &[u8]) -> ReadOutcome {
    use calamine::{Data, Reader, Xlsx};
    if let Err(refusal) = bounds::check_xlsx(bytes, &SheetLimits::QUESTIONS) {
        return ReadOutcome::refused(refusal);
    }
    let mut outcome = ReadOutcome::default();
    let unreadable = |e: &dyn std::fmt::Display| {
        Problem::new(
            0,
            format!("无法读取 .xlsx 文件：{e}"),
            format!("Cannot read the .xlsx file: {e}"),
        )
    };
    let mut workbook: Xlsx<_> = match calamine::open_workbook_from_rs(Cursor::new(bytes)) {
        Ok(workbook) => workbook,
        Err(e) => {
            outcome.problems.push(unreadable(&e));
            return outcome;
        }
    };
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(e)) => {
            outcome.problems.push(unreadable(&e));
            return outcome;
        }
        None => {
            outcome.problems.push(Problem::new(
                0,
                "文件中没有工作表",
                "The file has no worksheet",
            ));
            return outcome;
        }
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut table: Vec<(usize, Vec<String>)> = Vec::new();
    for (index, cells) in range.rows().enumerate() {
        let mut row = vec![String::new(); first_col as usize];
        row.extend(cells.iter().map(|cell| match cell {
            Data::Empty => String::new(),
            Data::String(s) => formula_guard::restore(s).to_owned(),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
            other => other.to_string(),
        }));
        table.push((first_row as usize + index + 1, row));
    }
    read_table(table, &mut outcome);
    outcome
}

fn read_table(table: Vec<(usize, Vec<String>)>, outcome: &mut ReadOutcome) {
    let mut rows = table.into_iter();
    let Some((header_row, header)) = rows.next() else {
        outcome.problems.push(Problem::new(
            0,
            "文件为空，缺少表头",
            "The file is empty: no header row",
        ));
        return;
    };
    let columns: Vec<(String, usize)> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                h.trim().replace(['（', '('], "").replace(['）', ')'], ""),
                i,
            )
        })
        .collect();
    for required in ["题型", "题干"] {
        if !columns.iter().any(|(name, _)| name == required) {
            outcome.problems.push(Problem::new(
                header_row,
                format!("缺少“{required}”列"),
                format!("the column \"{required}\" is missing"),
            ));
        }
    }
    if !outcome.problems.is_empty() {
        return;
    }
    // A score sheet in progress: its first row, path, title and items.
    let mut sheet: Option<(usize, Vec<String>, String, Vec<SheetItem>)> = None;
    let finish = |sheet: &mut Option<(usize, Vec<String>, String, Vec<SheetItem>)>,
                  outcome: &mut ReadOutcome| {
        if let Some((line, path, title, items)) = sheet.take() {
            match ScoreSheet::new(&title, items) {
                Ok(s) => outcome.drafts.push(QuestionDraft {
                    line,
                    category_path: path,
                    name: None,
                    content: DraftContent::Sheet(s),
                }),
                Err(e) => outcome.problems.push(Problem::from_reason(line, &e)),
            }
        }
    };
    for (number, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = Row {
            number,
            cells: &cells,
            columns: &columns,
        };
        let kind_text = row.get("题型");
        let Some(kind) = kind_of(kind_text) else {
            finish(&mut sheet, outcome);
            if kind_text.is_empty() {
                outcome
                    .problems
                    .push(row.problem("题型", "未填写", "is empty"));
            } else {
                outcome
                    .problems
                    .push(Problem::unsupported(number, kind_text));
            }
            continue;
        };
        let path = split_list(row.get("知识点"), &['/', '／']);
        let stem = row.get("题干").to_owned();
        if kind == super::PRACTICAL {
            let points_text = row.get("分值");
            let points = if points_text.is_empty() {
                0
            } else {
                match points_text.parse::<u32>() {
                    Ok(p) => p,
                    Err(_) => {
                        outcome.problems.push(row.problem(
                            "分值",
                            format!("“{points_text}”不是整数分值"),
                            format!("\"{points_text}\" is not a whole number of points"),
                        ));
                        continue;
                    }
                }
            };
            let veto = match row.get("否决项") {
                "" => false,
                text => match truth_of(text) {
                    Some(v) => v,
                    None => {
                        outcome.problems.push(row.problem(
                            "否决项",
                            format!("“{text}”应为“是”或“否”"),
                            format!("\"{text}\" must be 是 or 否"),
                        ));
                        continue;
                    }
                },
            };
            let item = SheetItem {
                title: row.get("评分项").to_owned(),
                points,
                criteria: row.get("评分标准").to_owned(),
                veto,
            };
            let continues =
                matches!(&sheet, Some((_, p, title, _)) if *p == path && *title == stem);
            if continues {
                if let Some((_, _, _, items)) = &mut sheet {
                    items.push(item);
                }
            } else {
                finish(&mut sheet, outcome);
                sheet = Some((number, path, stem, vec![item]));
            }
            continue;
        }
        finish(&mut sheet, outcome);
        match question_row(&row, kind, &stem) {
            Ok(question) => outcome.drafts.push(QuestionDraft {
                line: number,
                category_path: path,
                name: Some(row.get("名称").to_owned()).filter(|n| !n.is_empty()),
                content: DraftContent::Question(question),
            }),
            Err(problem) => outcome.problems.push(problem),
        }
    }
    finish(&mut sheet, outcome);
}

fn question_row(row: &Row<'_>, kind: &str, stem: &str) -> Result<Question, Problem> {
    let answer = row.get("正确答案");
    let difficulty = difficulty_of(row.get("难度")).ok_or_else(|| {
        row.problem(
            "难度",
            format!("“{}”应为易、中或难", row.get("难度")),
            format!("\"{}\" must be 易, 中 or 难 (1, 2 or 3)", row.get("难度")),
        )
    })?;
    let tags = split_list(row.get("标签"), &[',', '，', '、', ';', '；']);
    let body = match kind {
        "single" | "multiple" => {
            let texts: Vec<&str> = OPTION_HEADERS.iter().map(|h| row.get(h)).collect();
            let count = texts
                .iter()
                .rposition(|t| !t.is_empty())
                .map_or(0, |i| i + 1);
            let right = letters_of(answer).map_err(|c| {
                row.problem(
                    "正确答案",
                    format!("“{c}”不是 A–H 中的选项字母"),
                    format!("\"{c}\" is not an option letter A–H"),
                )
            })?;
            if right.is_empty() {
                return Err(row.problem("正确答案", "未填写", "is empty"));
            }
            if let Some(&beyond) = right.iter().find(|&&i| i >= count) {
                let letter = option_letter(beyond);
                return Err(row.problem(
                    "正确答案",
                    format!("选项 {letter} 未填写"),
                    format!("option {letter} is empty"),
                ));
            }
            let options = texts[..count]
                .iter()
                .enumerate()
                .map(|(i, t)| ChoiceOption {
                    text: (*t).to_owned(),
                    correct: right.contains(&i),
                })
                .collect();
            if kind == "single" {
                QuestionBody::Single { options }
            } else {
                QuestionBody::Multiple { options }
            }
        }
        "true_false" => QuestionBody::TrueFalse {
            answer: truth_of(answer).ok_or_else(|| {
                row.problem(
                    "正确答案",
                    format!("“{answer}”应为“正确”或“错误”"),
                    format!("\"{answer}\" must be 正确 (true) or 错误 (false)"),
                )
            })?,
        },
        _ => QuestionBody::FillIn {
            accepted: split_list(answer, &['|', '｜']),
        },
    };
    Question::new(stem, body, difficulty, &tags, row.get("解析"))
        .map_err(|e| Problem::from_reason(row.number, &e))
}

fn sheet_header(workbook: &mut Workbook) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("题目")?;
    for (col, (header, _, _)) in COLUMNS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, *header, &bold)?;
        let width = match *header {
            "题干" | "评分标准" | "解析" => 40.0,
            "知识点" => 24.0,
            _ => 12.0,
        };
        sheet.set_column_width(col, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The cells of a draft's rows, by column.
fn rows_of(draft: &QuestionDraft) -> Vec<Vec<String>> {
    let path = draft.category_path.join(" / ");
    let blank = || vec![String::new(); COLUMNS.len()];
    match &draft.content {
        DraftContent::Question(question) => {
            let mut row = blank();
            row[0] = question.kind().name_zh().to_owned();
            row[1] = path;
            row[2] = draft.name.clone().unwrap_or_default();
            row[3] = question.stem().to_owned();
            let answer = match question.body() {
                QuestionBody::Single { options } | QuestionBody::Multiple { options } => {
                    for (i, option) in options.iter().enumerate() {
                        row[4 + i] = option.text.clone();
                    }
                    options
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| o.correct)
                        .map(|(i, _)| option_letter(i))
                        .collect()
                }
                QuestionBody::TrueFalse { answer } => {
                    if *answer { "正确" } else { "错误" }.to_owned()
                }
                QuestionBody::FillIn { accepted } => accepted.join("|"),
            };
            row[12] = answer;
            row[13] = question.difficulty().name_zh().to_owned();
            row[14] = question.tags().join("，");
            row[15] = question.explanation().to_owned();
            vec![row]
        }
        DraftContent::Sheet(sheet) => sheet
            .items()
            .iter()
            .map(|item| {
                let mut row = blank();
                row[0] = kind_label(super::PRACTICAL).to_owned();
                row[1] = path.clone();
                row[3] = sheet.title().to_owned();
                row[16] = item.title.clone();
                row[17] = item.points.to_string();
                row[18] = item.criteria.clone();
                row[19] = if item.veto { "是" } else { "否" }.to_owned();
                row
            })
            .collect(),
    }
}

fn write_rows(workbook: &mut Workbook, drafts: &[QuestionDraft]) -> Result<(), XlsxError> {
    let text = Format::new().set_num_format("@").set_text_wrap();
    let sheet = workbook.worksheet_from_index(0)?;
    let mut r: u32 = 1;
    for draft in drafts {
        for row in rows_of(draft) {
            for (col, value) in row.iter().enumerate() {
                if !value.is_empty() {
                    let col = u16::try_from(col).unwrap_or(u16::MAX);
                    sheet.write_string_with_format(
                        r,
                        col,
                        formula_guard::neutralise(value),
                        &text,
                    )?;
                }
            }
            r += 1;
        }
    }
    Ok(())
}

/// Writes drafts as the template's first sheet; re-imports unchanged.
pub fn write(drafts: &[QuestionDraft]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    sheet_header(&mut workbook)?;
    write_rows(&mut workbook, drafts)?;
    workbook.save_to_buffer()
}

/// The downloadable template: an example of every kind and a 说明 sheet.
pub fn template() -> Result<Vec<u8>, XlsxError> {
    let path = vec!["安全用电基础".to_owned(), "触电防护".to_owned()];
    let example = |stem: &str, body: QuestionBody, explanation: &str| -> Option<QuestionDraft> {
        Question::new(
            stem,
            body,
            Difficulty::Easy,
            &["触电".to_owned()],
            explanation,
        )
        .ok()
        .map(|q| QuestionDraft {
            line: 0,
            category_path: path.clone(),
            name: None,
            content: DraftContent::Question(q),
        })
    };
    let option = |text: &str, correct: bool| ChoiceOption {
        text: text.to_owned(),
        correct,
    };
    let mut drafts: Vec<QuestionDraft> = [
        example(
            "我国规定的一般环境下安全电压的上限值是（ ）V。",
            QuestionBody::Single {
                options: vec![
                    option("12", false),
                    option("24", false),
                    option("36", true),
                    option("50", false),
                ],
            },
            "GB/T 3805：一般环境安全电压上限为 36 V。",
        ),
        example(
            "发现有人触电，正确的做法有（ ）。",
            QuestionBody::Multiple {
                options: vec![
                    option("立即切断电源", true),
                    option("用干燥木棒挑开电线", true),
                    option("直接用手拉开触电者", false),
                    option("脱离电源后立即检查呼吸心跳", true),
                ],
            },
            "",
        ),
        example(
            "带电作业时可以不穿戴绝缘防护用品。",
            QuestionBody::TrueFalse { answer: false },
            "",
        ),
        example(
            "低压电工作业是指对（ ）V 以下的电气设备进行的作业。",
            QuestionBody::FillIn {
                accepted: vec!["1000".to_owned(), "1kV".to_owned()],
            },
            "",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Ok(sheet) = ScoreSheet::new(
        "电动机单向连续运转控制线路安装",
        vec![
            SheetItem {
                title: "作业前安全检查".into(),
                points: 20,
                criteria: "未验电扣 10 分；未检查工具绝缘扣 10 分".into(),
                veto: false,
            },
            SheetItem {
                title: "线路安装与接线".into(),
                points: 50,
                criteria: "接线错误每处扣 10 分".into(),
                veto: false,
            },
            SheetItem {
                title: "通电试运行".into(),
                points: 30,
                criteria: "一次不成功扣 15 分".into(),
                veto: false,
            },
            SheetItem {
                title: "带电接线或未经允许通电".into(),
                points: 0,
                criteria: "出现即判不合格".into(),
                veto: true,
            },
        ],
    ) {
        drafts.push(QuestionDraft {
            line: 0,
            category_path: vec!["实际操作".to_owned()],
            name: None,
            content: DraftContent::Sheet(sheet),
        });
    }
    let mut workbook = Workbook::new();
    sheet_header(&mut workbook)?;
    write_rows(&mut workbook, &drafts)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let notes = workbook.add_worksheet();
    notes.set_name("说明")?;
    notes.set_column_width(0, 14)?;
    notes.set_column_width(1, 60)?;
    notes.set_column_width(2, 60)?;
    for (col, title) in ["列 Column", "说明", "Explanation"].into_iter().enumerate() {
        notes.write_string_with_format(0, u16::try_from(col).unwrap_or(0), title, &bold)?;
    }
    for (index, (header, zh, en)) in COLUMNS.iter().enumerate() {
        let r = u32::try_from(index + 1).unwrap_or(u32::MAX);
        notes.write_string(r, 0, *header)?;
        notes.write_string_with_format(r, 1, *zh, &wrap)?;
        notes.write_string_with_format(r, 2, *en, &wrap)?;
    }
    let r = u32::try_from(COLUMNS.len() + 2).unwrap_or(u32::MAX);
    notes.write_string_with_format(r, 0, "导入", &bold)?;
    notes.write_string_with_format(
        r,
        1,
        "整个文件一并导入：任何一行有误则全部不导入，并按行列出问题。先用“预检”查看各题型数量与问题。",
        &wrap,
    )?;
    notes.write_string_with_format(
        r,
        2,
        "A file is imported whole: if any row is wrong nothing is imported, and every problem is listed by row. Use the dry run first to see the counts per type and the problems.",
        &wrap,
    )?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_read_loosely() {
        assert_eq!(letters_of("A、C，d"), Ok(vec![0, 2, 3]));
        assert_eq!(letters_of("ＢＤ"), Ok(vec![1, 3]));
        assert_eq!(letters_of("AZ"), Err('Z'));
        assert_eq!(letters_of("A1"), Err('1'));
    }

    #[test]
    fn formula_texts_are_written_guarded_and_read_back_unchanged() {
        let stem = "=1+1 等于几？";
        let question = Question::new(
            stem,
            QuestionBody::Single {
                options: vec![
                    ChoiceOption {
                        text: "-2".to_owned(),
                        correct: false,
                    },
                    ChoiceOption {
                        text: "@2".to_owned(),
                        correct: true,
                    },
                ],
            },
            Difficulty::Easy,
            &[],
            "+ 解析",
        )
        .unwrap();
        let drafts = vec![QuestionDraft {
            line: 2,
            category_path: vec!["=A1".to_owned()],
            name: None,
            content: DraftContent::Question(question),
        }];
        let bytes = write(&drafts).unwrap();
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        let cells = book.worksheet_range_at(0).unwrap().unwrap();
        let text = |col| cells.get((1, col)).cloned();
        assert_eq!(text(3), Some(Data::String(format!("'{stem}"))));
        assert_eq!(text(4), Some(Data::String("'-2".to_owned())));
        assert_eq!(text(1), Some(Data::String("'=A1".to_owned())));
        let outcome = read(&bytes);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        assert_eq!(outcome.drafts[0].content, drafts[0].content);
        assert_eq!(outcome.drafts[0].category_path, drafts[0].category_path);
    }

    #[test]
    fn the_template_reads_back_with_one_example_per_kind() {
        let bytes = template().unwrap();
        let outcome = read(&bytes);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        let counts = outcome.counts();
        for kind in super::super::KIND_CODES {
            assert_eq!(counts[kind], 1, "{kind}");
        }
    }
}
