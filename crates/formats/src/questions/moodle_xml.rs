//! Moodle XML (`question/format/xml`), as Moodle 4.x exports it: a `<quiz>` of `<question>`
//! elements, `type="category"` ones switching the category of those that follow.
//!
//! Mapping: `multichoice` with `<single>true</single>` → single choice (the option with
//! fraction 100 is right), with `false` → multiple choice (every option with a positive
//! fraction is right: Anpei marks all or nothing); `truefalse`; `shortanswer` → fill-in
//! (answers worth 100% are accepted, 0% ones are Moodle's wrong-answer feedback and are left
//! out; partial credit has no place in Anpei and is a problem). `<name>`, `<tags>`,
//! `<generalfeedback>` (→ explanation) and the category path are kept. HTML texts become
//! plain text. Every other type is reported as unsupported at its `<question>` line.

use anpei_domain::exam::{ChoiceOption, Question, QuestionBody};
use quick_xml::events::Event;

use super::text::{html_to_plain, plain_to_html};
use super::{
    DraftContent, Problem, QuestionDraft, ReadOutcome, category_path, category_text, default_name,
    difficulty_from_tags, tags_with_difficulty,
};
use crate::bounds::{Place, Refusal};

/// A node of the parsed document.
enum Node {
    Element(Element),
    Text(String),
}

struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    /// Byte offset of its start tag in the file.
    offset: usize,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text directly inside this element.
    fn own_text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// `<x format="…"><text>…</text></x>` as plain text (HTML turned into text).
    fn formatted_text(&self) -> String {
        let raw = self
            .child("text")
            .map(Element::own_text)
            .unwrap_or_default();
        match self.attr("format") {
            Some("html") => html_to_plain(&raw),
            None if raw.contains('<') => html_to_plain(&raw),
            _ => raw.trim().to_owned(),
        }
    }
}

/// 1-based line of a byte offset, counted forward: offsets are asked for in file order, so
/// the file is scanned once. (A table of every line start would cost 8 bytes a line: 160 MB
/// for a 20 MiB upload of blank lines.)
struct Lines<'s> {
    source: &'s [u8],
    at: usize,
    line: usize,
}

impl<'s> Lines<'s> {
    fn new(source: &'s str) -> Self {
        Lines {
            source: source.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    fn line(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.source.len());
        if offset < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.source[self.at..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.at = offset;
        self.line
    }
}

/// Elements may nest this deep (Moodle's own files nest 6 levels). The parse keeps its own
/// stack, but the finished tree is dropped recursively: 60,000 nested elements overflowed
/// the server's stack.
pub const MAX_DEPTH: usize = 64;

/// Elements, texts and attributes a file may hold: each becomes a node of about 100–400
/// bytes, so this bounds the tree near 0.3 GB. A Moodle export of a question holds about
/// 120, so this is some 8,000 questions — what fits in the 20 MiB upload limit.
pub const MAX_NODES: usize = 1_000_000;

/// Why the parse stopped.
enum Failure {
    Malformed(String),
    TooDeep,
    TooMany,
}

fn parse(source: &str) -> Result<Element, (usize, Failure)> {
    let mut reader = quick_xml::Reader::from_str(source);
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
        offset: 0,
    }];
    let mut nodes: usize = 0;
    let start_of = |e: &quick_xml::events::BytesStart<'_>,
                    offset: usize|
     -> Result<Element, (usize, Failure)> {
        let malformed = |err: String| (offset, Failure::Malformed(err));
        let name = AsRef::<str>::as_ref(&e.name()).to_owned();
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| malformed(err.to_string()))?;
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| malformed(err.to_string()))?
                .into_owned();
            attrs.push((AsRef::<str>::as_ref(&attr.key).to_owned(), value));
        }
        Ok(Element {
            name,
            attrs,
            children: Vec::new(),
            offset,
        })
    };
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|err| {
            (
                usize::try_from(reader.error_position()).unwrap_or(before),
                Failure::Malformed(err.to_string()),
            )
        })?;
        nodes += 1;
        if let Event::Start(e) | Event::Empty(e) = &event {
            nodes += e.attributes().count();
        }
        if nodes > MAX_NODES {
            return Err((before, Failure::TooMany));
        }
        let push_text = |stack: &mut Vec<Element>, text: String| {
            if let Some(top) = stack.last_mut() {
                top.children.push(Node::Text(text));
            }
        };
        match event {
            Event::Start(e) => {
                // The root of `stack` is the document, not an element.
                if stack.len() > MAX_DEPTH {
                    return Err((before, Failure::TooDeep));
                }
                stack.push(start_of(&e, before)?);
            }
            Event::Empty(e) => {
                let element = start_of(&e, before)?;
                if let Some(top) = stack.last_mut() {
                    top.children.push(Node::Element(element));
                }
            }
            Event::End(_) => {
                let unexpected = || (before, Failure::Malformed("unexpected end tag".to_owned()));
                let Some(done) = stack.pop() else {
                    return Err(unexpected());
                };
                match stack.last_mut() {
                    Some(top) => top.children.push(Node::Element(done)),
                    None => return Err(unexpected()),
                }
            }
            Event::Text(t) => push_text(&mut stack, t.xml10_content().into_owned()),
            Event::CData(t) => push_text(&mut stack, t.into_inner().into_owned()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match r.into_inner().as_ref() {
                        "amp" => "&".to_owned(),
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "quot" => "\"".to_owned(),
                        "apos" => "'".to_owned(),
                        other => {
                            return Err((
                                before,
                                Failure::Malformed(format!("unknown entity &{other};")),
                            ));
                        }
                    },
                };
                push_text(&mut stack, resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map(|e| e.offset).unwrap_or(0);
        return Err((
            open,
            Failure::Malformed("an element is not closed".to_owned()),
        ));
    }
    stack
        .pop()
        .ok_or((0, Failure::Malformed("empty document".to_owned())))
}

/// Reads a Moodle XML file.
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
    let mut lines = Lines::new(source);
    let document = match parse(source) {
        Ok(document) => document,
        Err((offset, Failure::Malformed(message))) => {
            outcome.problems.push(Problem::new(
                lines.line(offset),
                format!("XML 格式错误：{message}"),
                format!("Malformed XML: {message}"),
            ));
            return outcome;
        }
        Err((offset, Failure::TooDeep)) => {
            return ReadOutcome::refused(Refusal::Depth {
                place: Place::Xml {
                    line: lines.line(offset),
                },
                limit: MAX_DEPTH as u64,
            });
        }
        Err((offset, Failure::TooMany)) => {
            return ReadOutcome::refused(Refusal::Nodes {
                place: Place::Xml {
                    line: lines.line(offset),
                },
                limit: MAX_NODES as u64,
            });
        }
    };
    let Some(quiz) = document.child("quiz") else {
        outcome.problems.push(Problem::new(
            1,
            "不是 Moodle XML 文件：缺少 <quiz> 根元素",
            "Not a Moodle XML file: no <quiz> root element",
        ));
        return outcome;
    };
    let mut category: Vec<String> = Vec::new();
    for element in quiz.elements().filter(|e| e.name == "question") {
        let line = lines.line(element.offset);
        let kind = element.attr("type").unwrap_or_default();
        if kind == "category" {
            let raw = element
                .child("category")
                .and_then(|c| c.child("text"))
                .map(Element::own_text)
                .unwrap_or_default();
            category = category_path(&raw);
            continue;
        }
        match question(element, kind, line) {
            Ok(Some(question)) => outcome.drafts.push(QuestionDraft {
                line,
                category_path: category.clone(),
                name: element
                    .child("name")
                    .and_then(|n| n.child("text"))
                    .map(|t| t.own_text().trim().to_owned())
                    .filter(|n| !n.is_empty()),
                content: DraftContent::Question(question),
            }),
            Ok(None) => outcome.problems.push(Problem::unsupported(
                line,
                if kind.is_empty() { "(none)" } else { kind },
            )),
            Err(problem) => outcome.problems.push(problem),
        }
    }
    outcome
}

/// One `<question>`: `Ok(None)` for a type Anpei lacks.
fn question(element: &Element, kind: &str, line: usize) -> Result<Option<Question>, Problem> {
    let stem = element
        .child("questiontext")
        .map(Element::formatted_text)
        .unwrap_or_default();
    let explanation = element
        .child("generalfeedback")
        .map(Element::formatted_text)
        .unwrap_or_default();
    let mut tags = Vec::new();
    for list in ["tags", "coursetags"] {
        if let Some(list) = element.child(list) {
            for tag in list.elements().filter(|e| e.name == "tag") {
                let text = match tag.child("text") {
                    Some(text) => text.own_text(),
                    None => tag.own_text(),
                };
                tags.push(text.trim().to_owned());
            }
        }
    }
    let (difficulty, tags) =
        difficulty_from_tags(tags).map_err(|(zh, en)| Problem::new(line, zh, en))?;
    let answers: Vec<(f64, String)> = element
        .elements()
        .filter(|e| e.name == "answer")
        .map(|answer| {
            let fraction = answer
                .attr("fraction")
                .and_then(|f| f.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            (fraction, answer.formatted_text())
        })
        .collect();
    let body = match kind {
        "multichoice" => {
            let single = element
                .child("single")
                .map(|s| s.own_text().trim().to_ascii_lowercase())
                .is_none_or(|s| s == "true" || s == "1");
            let options = answers
                .iter()
                .map(|(fraction, text)| ChoiceOption {
                    text: text.clone(),
                    correct: if single {
                        *fraction >= 99.99
                    } else {
                        *fraction > 0.0
                    },
                })
                .collect();
            if single {
                QuestionBody::Single { options }
            } else {
                QuestionBody::Multiple { options }
            }
        }
        "truefalse" => {
            let right = answers.iter().find(|(fraction, _)| *fraction >= 99.99);
            let answer = match right.map(|(_, t)| t.trim().to_ascii_lowercase()) {
                Some(t) if t == "true" => true,
                Some(t) if t == "false" => false,
                _ => {
                    return Err(Problem::new(
                        line,
                        "判断题须有一个得分 100 的答案 true 或 false",
                        "A true/false question needs one answer, true or false, worth 100",
                    ));
                }
            };
            QuestionBody::TrueFalse { answer }
        }
        "shortanswer" => {
            if let Some((fraction, text)) = answers
                .iter()
                .find(|(fraction, _)| *fraction > 0.0 && *fraction < 99.99)
            {
                return Err(Problem::new(
                    line,
                    format!("答案“{text}”只得部分分（{fraction}%）；安培的填空题没有部分得分"),
                    format!(
                        "answer \"{text}\" earns partial credit ({fraction}%); Anpei's fill-in questions have none"
                    ),
                ));
            }
            QuestionBody::FillIn {
                accepted: answers
                    .iter()
                    .filter(|(fraction, _)| *fraction >= 99.99)
                    .map(|(_, text)| text.clone())
                    .collect(),
            }
        }
        _ => return Ok(None),
    };
    Question::new(&stem, body, difficulty, &tags, &explanation)
        .map(Some)
        .map_err(|e| Problem::from_reason(line, &e))
}

/// Moodle's `writetext`: `<text>` with CDATA when the text holds markup characters.
fn text_element(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent * 2);
    if text.contains(['<', '>', '&']) {
        format!(
            "{pad}<text><![CDATA[{}]]></text>\n",
            text.replace("]]>", "]]]]><![CDATA[>")
        )
    } else {
        format!("{pad}<text>{text}</text>\n")
    }
}

/// A fraction as Moodle writes it (`100`, `0`, `33.33333`).
fn fraction(percent: f64) -> String {
    let text = format!("{percent:.5}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn answer(out: &mut String, percent: f64, format: &str, text: &str) {
    out.push_str(&format!(
        "    <answer fraction=\"{}\" format=\"{format}\">\n",
        fraction(percent)
    ));
    out.push_str(&text_element(text, 3));
    out.push_str("      <feedback format=\"html\">\n        <text></text>\n      </feedback>\n");
    out.push_str("    </answer>\n");
}

/// Writes drafts as Moodle 4.x does (score sheets are left out: Moodle has no such type).
pub fn write(drafts: &[QuestionDraft]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut category: Option<&[String]> = None;
    for draft in drafts {
        let DraftContent::Question(question) = &draft.content else {
            continue;
        };
        if category != Some(draft.category_path.as_slice()) {
            category = Some(draft.category_path.as_slice());
            out.push_str("<!-- question: 0  -->\n  <question type=\"category\">\n    <category>\n");
            out.push_str(&text_element(&category_text(&draft.category_path), 3));
            out.push_str("    </category>\n    <info format=\"html\">\n      <text></text>\n    </info>\n    <idnumber></idnumber>\n  </question>\n\n");
        }
        let kind = match question.body() {
            QuestionBody::Single { .. } | QuestionBody::Multiple { .. } => "multichoice",
            QuestionBody::TrueFalse { .. } => "truefalse",
            QuestionBody::FillIn { .. } => "shortanswer",
        };
        let name = draft
            .name
            .clone()
            .unwrap_or_else(|| default_name(question.stem()));
        out.push_str(&format!(
            "<!-- question: 0  -->\n  <question type=\"{kind}\">\n    <name>\n"
        ));
        out.push_str(&text_element(&name, 3));
        out.push_str("    </name>\n    <questiontext format=\"html\">\n");
        out.push_str(&text_element(&plain_to_html(question.stem()), 3));
        out.push_str("    </questiontext>\n    <generalfeedback format=\"html\">\n");
        out.push_str(&text_element(&plain_to_html(question.explanation()), 3));
        out.push_str("    </generalfeedback>\n    <defaultgrade>1.0000000</defaultgrade>\n");
        let penalty = match question.body() {
            QuestionBody::TrueFalse { .. } => "1.0000000",
            _ => "0.3333333",
        };
        out.push_str(&format!(
            "    <penalty>{penalty}</penalty>\n    <hidden>0</hidden>\n    <idnumber></idnumber>\n"
        ));
        match question.body() {
            QuestionBody::Single { options } | QuestionBody::Multiple { options } => {
                let single = matches!(question.body(), QuestionBody::Single { .. });
                out.push_str(&format!(
                    "    <single>{single}</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>\n    <showstandardinstruction>0</showstandardinstruction>\n"
                ));
                for (field, text) in [
                    ("correctfeedback", "Your answer is correct."),
                    (
                        "partiallycorrectfeedback",
                        "Your answer is partially correct.",
                    ),
                    ("incorrectfeedback", "Your answer is incorrect."),
                ] {
                    out.push_str(&format!(
                        "    <{field} format=\"html\">\n      <text>{text}</text>\n    </{field}>\n"
                    ));
                }
                out.push_str("    <shownumcorrect/>\n");
                let right = options.iter().filter(|o| o.correct).count().max(1);
                for option in options {
                    let percent = if option.correct {
                        100.0 / right as f64
                    } else {
                        0.0
                    };
                    answer(&mut out, percent, "html", &plain_to_html(&option.text));
                }
            }
            QuestionBody::TrueFalse { answer: right } => {
                answer(
                    &mut out,
                    if *right { 100.0 } else { 0.0 },
                    "moodle_auto_format",
                    "true",
                );
                answer(
                    &mut out,
                    if *right { 0.0 } else { 100.0 },
                    "moodle_auto_format",
                    "false",
                );
            }
            QuestionBody::FillIn { accepted } => {
                out.push_str("    <usecase>0</usecase>\n");
                for text in accepted {
                    answer(&mut out, 100.0, "moodle_auto_format", text);
                }
            }
        }
        out.push_str("    <tags>\n");
        for tag in tags_with_difficulty(question) {
            out.push_str("      <tag>");
            out.push_str(text_element(&tag, 0).trim_end());
            out.push_str("</tag>\n");
        }
        out.push_str("    </tags>\n  </question>\n\n");
    }
    out.push_str("</quiz>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_written_as_moodle_does() {
        assert_eq!(fraction(100.0), "100");
        assert_eq!(fraction(0.0), "0");
        assert_eq!(fraction(100.0 / 3.0), "33.33333");
        assert_eq!(fraction(50.0), "50");
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_at_its_line() {
        let nested = |depth: usize| {
            format!(
                "<quiz>\n{}{}</quiz>",
                "<a>\n".repeat(depth - 1),
                "</a>".repeat(depth - 1)
            )
        };
        let cases = [(MAX_DEPTH, None), (MAX_DEPTH + 1, Some(MAX_DEPTH + 1))];
        for (depth, refused_at_line) in cases {
            let outcome = read(nested(depth).as_bytes());
            let expected = refused_at_line.map(|line| Refusal::Depth {
                place: Place::Xml { line },
                limit: MAX_DEPTH as u64,
            });
            assert_eq!(outcome.refused, expected, "{depth}");
        }
    }

    #[test]
    fn more_nodes_than_the_limit_are_refused() {
        let outcome = read(format!("<quiz>{}</quiz>", "<a/>".repeat(MAX_NODES)).as_bytes());
        assert!(
            matches!(outcome.refused, Some(Refusal::Nodes { .. })),
            "{:?}",
            outcome.problems
        );
        assert_eq!(outcome.problems.len(), 1);
    }

    #[test]
    fn lines_are_counted_forward_and_back() {
        let mut lines = Lines::new("a\nb\n\nc");
        assert_eq!(
            [0, 2, 4, 5, 1, 6].map(|offset| lines.line(offset)),
            [1, 2, 3, 4, 1, 4]
        );
    }

    #[test]
    fn malformed_xml_names_its_line() {
        let outcome = read(b"<?xml version=\"1.0\"?>\n<quiz>\n  <question type=\"truefalse\">\n    <name><text>x</name>\n</quiz>\n");
        assert_eq!(outcome.drafts.len(), 0);
        assert_eq!(outcome.problems.len(), 1);
        assert_eq!(outcome.problems[0].line, 4, "{:?}", outcome.problems);
    }
}
