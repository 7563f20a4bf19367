//! Texts between Moodle's HTML and Anpei's plain text. Anpei keeps stems and options as plain
//! text (exam pages escape them); Moodle's editor writes HTML. Reading keeps the words and
//! line breaks and drops the markup; writing escapes and wraps in `<p>`, so a text survives
//! an export and a re-import unchanged.

/// HTML (as Moodle's editor writes it) to plain text: `<br>` and paragraph ends become line
/// breaks, other tags go, entities are decoded, lines are trimmed.
pub fn html_to_plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = after[1..end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let closing = tag.starts_with('/');
        if name == "br" || (closing && matches!(name.as_str(), "p" | "div" | "li" | "tr")) {
            out.push('\n');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    decoded
        .lines()
        .map(|l| l.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\u{a0}'))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// Plain text as the HTML Moodle's editor would hold: escaped, line breaks as `<br>`, in one
/// paragraph.
pub fn plain_to_html(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    format!("<p>{}</p>", escape(text).replace('\n', "<br>"))
}

/// Escapes `& < > "` (and `'`) for XML and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Decodes the named entities HTML editors write and every numeric one.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        // Only the next 10 bytes can hold the `;` (searching the whole rest made a text of
        // many `&` and no `;` take quadratic time).
        let end = after.bytes().take(11).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &after[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                    } else if let Some(dec) = name.strip_prefix('#') {
                        dec.parse::<u32>().ok().and_then(char::from_u32)
                    } else {
                        None
                    }
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        let cases = [
            ("<p>Testing Iota Question</p>", "Testing Iota Question"),
            (
                "<p dir=\"ltr\" style=\"text-align: left;\">安全电压&nbsp;<b>36</b>&nbsp;V</p>",
                "安全电压 36 V",
            ),
            (
                "<p>第一行<br />第二行</p><p>第三段</p>",
                "第一行\n第二行\n第三段",
            ),
            (
                "a &lt; b &amp;&amp; c &#8805; d &#x4E2D;",
                "a < b && c ≥ d 中",
            ),
            ("R&D", "R&D"),
        ];
        for (html, plain) in cases {
            assert_eq!(html_to_plain(html), plain, "{html}");
        }
    }

    #[test]
    fn many_ampersands_without_semicolons_decode_in_linear_time() {
        let text = "&".repeat(2_000_000);
        assert_eq!(decode_entities(&text), text);
        assert_eq!(
            decode_entities("&amp;&#x4E2D;&#1234567890;"),
            "&中&#1234567890;"
        );
    }

    #[test]
    fn plain_text_round_trips_through_html() {
        for text in [
            "电压 < 36V & 电流 > 30mA",
            "一行\n两行",
            "\"引号\" 'single'",
        ] {
            assert_eq!(html_to_plain(&plain_to_html(text)), text);
        }
    }
}
