//! Spreadsheet formula injection (OWASP "CSV injection", issue 13): a text that someone
//! typed into Anpei and that begins with `=`, `+`, `-` or `@` (or a TAB or CR, which some
//! spreadsheets skip before reading a formula) runs as a formula when an export is opened in
//! Excel or WPS — `=HYPERLINK(…)` sends a click to any address. Every text cell of every
//! export goes through [`neutralise`], which puts a `'` in front: the cell shows the text
//! as typed and never computes. `.xlsx` writers also write such cells as strings, never
//! formulas, and still prefix them, so a sheet copied or saved as CSV stays safe.
//!
//! Imports call [`restore`], so Anpei's own exports re-import unchanged: `restore` takes the
//! `'` off exactly when `neutralise` would have put it on, so `restore(neutralise(t)) == t`
//! for every text (a text that itself begins with `'` and then a trigger gets a second `'`).
//! A hand-typed `'=x` imports as `=x`, which is what Excel shows for it too.
//! Numbers written as numbers (counts, shares) are not text and need no guard.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, past any leading `'`s, starts with a trigger.
fn triggers(text: &str) -> bool {
    text.trim_start_matches('\'')
        .starts_with(|c: char| TRIGGERS.contains(&c))
}

/// The text as it is written to a spreadsheet or CSV cell: with a leading `'` when it would
/// otherwise be read as a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if triggers(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A cell's text as read back: [`neutralise`] undone.
pub fn restore(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if triggers(rest) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored() {
        let cases = [
            (
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
            ),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("'=1", "''=1"),
            ("''+1", "'''+1"),
            // Harmless texts stay as they are.
            ("电工", "电工"),
            ("", ""),
            ("'quoted'", "'quoted'"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("＝1", "＝1"),
            ("2024-03-01", "2024-03-01"),
        ];
        for (text, written) in cases {
            assert_eq!(neutralise(text), written, "{text:?}");
            assert_eq!(restore(written), text, "{text:?}");
        }
    }

    #[test]
    fn restore_takes_off_only_the_guard() {
        let cases = [
            ("'abc", "'abc"),
            ("'", "'"),
            ("''", "''"),
            ("it's", "it's"),
            ("'-'", "-'"),
            ("'=1", "=1"),
        ];
        for (read, restored) in cases {
            assert_eq!(restore(read), restored, "{read:?}");
        }
    }
}
