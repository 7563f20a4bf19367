//! GIFT (`question/format/gift`), Moodle's plain-text format, read the way Moodle reads it:
//! questions are separated by blank lines; `//` lines are comments (a comment may carry
//! Moodle 4's `[tag:…]` markers); `$CATEGORY: path` switches the category; `::title::`
//! names a question; the answer part is between the first `{` and the first `}`.
//!
//! `{T}`/`{F}`/`{TRUE}`/`{FALSE}` → true/false; `{=a ~b ~c}` → single choice;
//! `{~%50%a ~%50%b ~%-100%c}` (no `=`) → multiple choice, every option of positive weight
//! right; `{=a =b}` → fill-in (answers worth 100%). `#…` is per-answer feedback (dropped),
//! `####…` the general feedback (→ explanation), `[html]` a text format (HTML becomes plain
//! text). Escapes: `\~ \= \# \{ \} \: \\` and `\n` for a line break. Essay `{}`, matching
//! (`->`), numerical `{#…}` and descriptions (no braces) are reported as unsupported.

use anpei_domain::exam::{ChoiceOption, Question, QuestionBody};

use super::text::html_to_plain;
use super::{
    DraftContent, Problem, QuestionDraft, ReadOutcome, category_path, category_text, default_name,
    difficulty_from_tags, tags_with_difficulty,
};

/// Escaped characters are swapped for private-use code points while parsing, as Moodle
/// swaps them for placeholders, so they never act as syntax.
const ESCAPES: [(char, char); 7] = [
    (':', '\u{E000}'),
    ('#', '\u{E001}'),
    ('=', '\u{E002}'),
    ('{', '\u{E003}'),
    ('}', '\u{E004}'),
    ('~', '\u{E005}'),
    ('n', '\u{E006}'),
];
const BACKSLASH: char = '\u{E007}';

fn escape_pre(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek().copied() {
                Some('\\') => {
                    chars.next();
                    out.push(BACKSLASH);
                }
                Some(next) => match ESCAPES.iter().find(|(plain, _)| *plain == next) {
                    Some((_, placeholder)) => {
                        chars.next();
                        out.push(*placeholder);
                    }
                    None => out.push('\\'),
                },
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn escape_post(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == BACKSLASH {
                '\\'
            } else if c == '\u{E006}' {
                '\n'
            } else {
                ESCAPES
                    .iter()
                    .find(|(_, placeholder)| *placeholder == c)
                    .map_or(c, |(plain, _)| *plain)
            }
        })
        .collect()
}

/// `[html]text` → plain text; other formats are plain already.
fn formatted(text: &str) -> String {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('[')
        && let Some(end) = rest.find(']')
    {
        let format = &rest[..end];
        let body = &rest[end + 1..];
        match format {
            "html" => return html_to_plain(&escape_post(body)),
            "moodle" | "plain" | "markdown" => return escape_post(body).trim().to_owned(),
            _ => {}
        }
    }
    escape_post(text).trim().to_owned()
}

/// One block of non-blank lines.
struct Block {
    line: usize,
    text: String,
    tags: Vec<String>,
}

fn blocks(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let mut tags: Vec<String> = Vec::new();
    for (index, raw) in source.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            if let Some(block) = current.take() {
                blocks.push(block);
            }
            tags.clear();
            continue;
        }
        if let Some(comment) = line.strip_prefix("//") {
            let mut rest = comment;
            while let Some(start) = rest.find("[tag:") {
                let after = &rest[start + 5..];
                let Some(end) = after.find(']') else { break };
                tags.push(after[..end].trim().to_owned());
                rest = &after[end + 1..];
            }
            continue;
        }
        let block = current.get_or_insert_with(|| Block {
            line: index + 1,
            text: String::new(),
            tags: Vec::new(),
        });
        if !block.text.is_empty() {
            block.text.push('\n');
        }
        block.text.push_str(line);
        block.tags.append(&mut tags);
    }
    if let Some(block) = current.take() {
        blocks.push(block);
    }
    blocks
}

/// Splits `%50%text` into (50, text); no weight gives `None`.
fn weight(answer: &str) -> Result<(Option<f64>, &str), ()> {
    let Some(rest) = answer.strip_prefix('%') else {
        return Ok((None, answer));
    };
    let end = rest.find('%').ok_or(())?;
    let value = rest[..end].trim().parse::<f64>().map_err(|_| ())?;
    Ok((Some(value), &rest[end + 1..]))
}

/// Drops `#feedback` from an answer.
fn without_feedback(answer: &str) -> &str {
    answer.split('#').next().unwrap_or_default()
}

/// Reads a GIFT file.
pub fn read(bytes: &[u8]) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    let source = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}'),
        Err(e) => {
            outcome.problems.push(Problem::new(
                0,
                format!("文件不是 UTF-8 编码（第 {} 字节）", e.valid_up_to()),
                format!("The file is not UTF-8 (byte {})", e.valid_up_to()),
            ));
            return outcome;
        }
    };
    let mut category: Vec<String> = Vec::new();
    for block in blocks(source) {
        let line = block.line;
        let text = escape_pre(&block.text);
        if let Some(path) = text.strip_prefix("$CATEGORY:") {
            category = category_path(&escape_post(path));
            continue;
        }
        match question(&text, block.tags, line) {
            Ok((name, question)) => outcome.drafts.push(QuestionDraft {
                line,
                category_path: category.clone(),
                name,
                content: DraftContent::Question(question),
            }),
            Err(problem) => outcome.problems.push(problem),
        }
    }
    outcome
}

fn question(
    text: &str,
    tags: Vec<String>,
    line: usize,
) -> Result<(Option<String>, Question), Problem> {
    let mut text = text.trim();
    let mut name = None;
    if let Some(rest) = text.strip_prefix("::") {
        match rest.find("::") {
            Some(end) => {
                name = Some(escape_post(&rest[..end]).trim().to_owned()).filter(|n| !n.is_empty());
                text = rest[end + 2..].trim();
            }
            None => {
                return Err(Problem::new(
                    line,
                    "题目名称缺少结尾的 ::",
                    "the question title has no closing ::",
                ));
            }
        }
    }
    let open = text.find('{');
    let close = text.find('}');
    let (open, close) = match (open, close) {
        (None, None) => return Err(Problem::unsupported(line, "description")),
        (Some(open), Some(close)) if close > open => (open, close),
        _ => {
            return Err(Problem::new(
                line,
                "大括号不成对：答案部分须以 { 开始、以 } 结束",
                "unbalanced braces: the answers must be enclosed in { and }",
            ));
        }
    };
    let mut answers = text[open + 1..close].trim().to_owned();
    let stem_raw = if text.ends_with('}') && close == text.len() - 1 {
        text[..open].to_owned()
    } else {
        format!("{}_____{}", &text[..open], &text[close + 1..])
    };
    if text[close + 1..].contains('{') || text[close + 1..].contains('}') {
        return Err(Problem::new(
            line,
            "一道题只能有一组 {…} 答案（完形填空请拆成多道题）",
            "a question takes one {…} answer part (split cloze questions into several)",
        ));
    }
    let mut explanation = String::new();
    if let Some(at) = answers.rfind("####") {
        explanation = formatted(&answers[at + 4..]);
        answers = answers[..at].trim().to_owned();
    }
    let stem = formatted(&stem_raw);
    let (difficulty, tags) =
        difficulty_from_tags(tags).map_err(|(zh, en)| Problem::new(line, zh, en))?;
    let body = if answers.is_empty() {
        return Err(Problem::unsupported(line, "essay"));
    } else if answers.starts_with('#') {
        return Err(Problem::unsupported(line, "numerical"));
    } else if answers.contains('~') {
        let single = answers.contains('=');
        let marked = answers.replace('=', "~=");
        let mut options = Vec::new();
        for part in marked.split('~').map(str::trim).filter(|p| !p.is_empty()) {
            let (correct, rest) = if let Some(rest) = part.strip_prefix('=') {
                (true, rest)
            } else {
                let (w, rest) = weight(part).map_err(|()| bad_weight(line, part))?;
                let w = w.unwrap_or(0.0);
                (if single { w >= 99.99 } else { w > 0.0 }, rest)
            };
            options.push(ChoiceOption {
                text: formatted(without_feedback(rest)),
                correct,
            });
        }
        if single {
            QuestionBody::Single { options }
        } else {
            QuestionBody::Multiple { options }
        }
    } else if answers.contains('=') && answers.contains("->") {
        return Err(Problem::unsupported(line, "matching"));
    } else {
        let check = without_feedback(&answers).trim();
        match check {
            "T" | "TRUE" => QuestionBody::TrueFalse { answer: true },
            "F" | "FALSE" => QuestionBody::TrueFalse { answer: false },
            _ => {
                let mut accepted = Vec::new();
                for part in answers.split('=').map(str::trim).filter(|p| !p.is_empty()) {
                    let (w, rest) = weight(part).map_err(|()| bad_weight(line, part))?;
                    let w = w.unwrap_or(100.0);
                    let answer = formatted(without_feedback(rest));
                    if w >= 99.99 {
                        accepted.push(answer);
                    } else if w > 0.0 {
                        return Err(Problem::new(
                            line,
                            format!("答案“{answer}”只得部分分（{w}%）；安培的填空题没有部分得分"),
                            format!(
                                "answer \"{answer}\" earns partial credit ({w}%); Anpei's fill-in questions have none"
                            ),
                        ));
                    }
                }
                QuestionBody::FillIn { accepted }
            }
        }
    };
    let question = Question::new(&stem, body, difficulty, &tags, &explanation)
        .map_err(|e| Problem::from_reason(line, &e))?;
    Ok((name, question))
}

fn bad_weight(line: usize, part: &str) -> Problem {
    Problem::new(
        line,
        format!("答案“{part}”的分值格式有误，应如 %50%"),
        format!("answer \"{part}\" has a malformed weight; write it as %50%"),
    )
}

/// Moodle's `repchar`: escapes the characters GIFT reserves and writes line breaks as `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '#' | '=' | '~' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

fn weight_text(percent: f64) -> String {
    let text = format!("{percent:.5}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Writes drafts as Moodle's GIFT exporter does, with tags in a `// [tag:…]` comment
/// (score sheets are left out: GIFT has no such type).
pub fn write(drafts: &[QuestionDraft]) -> String {
    let mut out = String::new();
    let mut category: Option<&[String]> = None;
    for draft in drafts {
        let DraftContent::Question(question) = &draft.content else {
            continue;
        };
        if category != Some(draft.category_path.as_slice()) {
            category = Some(draft.category_path.as_slice());
            let path = category_text(&draft.category_path);
            out.push_str(&format!(
                "// question: 0  name: Switch category to {path}\n$CATEGORY: {path}\n\n"
            ));
        }
        let name = draft
            .name
            .clone()
            .unwrap_or_else(|| default_name(question.stem()));
        out.push_str(&format!(
            "// question: 0  name: {}\n",
            name.replace('\n', " ")
        ));
        let tags: Vec<String> = tags_with_difficulty(question)
            .iter()
            .map(|t| format!("[tag:{t}]"))
            .collect();
        out.push_str(&format!("// {}\n", tags.join(" ")));
        out.push_str(&format!("::{}::{}", escape(&name), escape(question.stem())));
        let feedback = if question.explanation().is_empty() {
            String::new()
        } else {
            format!("####{}", escape(question.explanation()))
        };
        match question.body() {
            QuestionBody::TrueFalse { answer } => {
                out.push_str(&format!(
                    "{{{}{feedback}}}\n",
                    if *answer { "TRUE" } else { "FALSE" }
                ));
            }
            QuestionBody::Single { options } => {
                out.push_str("{\n");
                for option in options {
                    let mark = if option.correct { "=" } else { "~" };
                    out.push_str(&format!("\t{mark}{}\n", escape(&option.text)));
                }
                if !feedback.is_empty() {
                    out.push_str(&format!("\t{feedback}\n"));
                }
                out.push_str("}\n");
            }
            QuestionBody::Multiple { options } => {
                out.push_str("{\n");
                let right = options.iter().filter(|o| o.correct).count().max(1);
                for option in options {
                    let mark = if option.correct {
                        format!("~%{}%", weight_text(100.0 / right as f64))
                    } else {
                        "~%-100%".to_owned()
                    };
                    out.push_str(&format!("\t{mark}{}\n", escape(&option.text)));
                }
                if !feedback.is_empty() {
                    out.push_str(&format!("\t{feedback}\n"));
                }
                out.push_str("}\n");
            }
            QuestionBody::FillIn { accepted } => {
                out.push_str("{\n");
                for answer in accepted {
                    out.push_str(&format!("\t=%100%{}#\n", escape(answer)));
                }
                if !feedback.is_empty() {
                    out.push_str(&format!("\t{feedback}\n"));
                }
                out.push_str("}\n");
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_survive() {
        let outcome = read("::a\\:b::1 \\= 1 \\{ok\\} \\~ \\# c:\\\\d{T}\n".as_bytes());
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        let draft = &outcome.drafts[0];
        assert_eq!(draft.name.as_deref(), Some("a:b"));
        let DraftContent::Question(q) = &draft.content else {
            panic!("not a question")
        };
        assert_eq!(q.stem(), "1 = 1 {ok} ~ # c:\\d");
    }

    #[test]
    fn missing_word_keeps_a_blank() {
        let outcome = read("安全电压的上限是 {=36} 伏。\n".as_bytes());
        let DraftContent::Question(q) = &outcome.drafts[0].content else {
            panic!("not a question")
        };
        assert_eq!(q.stem(), "安全电压的上限是 _____ 伏。");
    }
}
