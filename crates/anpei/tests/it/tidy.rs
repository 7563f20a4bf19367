//! The house checks itself (STYLE.md; issue 14, after rust-analyzer's `tidy.rs`): every Rust
//! file opens with a `//!` line that says why it exists; no file grows past 1,000 lines
//! (the files that already have are listed below, and the list may only shrink: a listed
//! file that has been split below the cap must leave the list); and the crates depend on
//! each other only downward, as ARCHITECTURE.md draws them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest a source file may be.
const MAX_LINES: usize = 1_000;

/// Files over the cap today, each to be split along its seams (see the structure review).
/// Only ever remove entries.
const TOO_LONG_FOR_NOW: &[&str] = &[
    "crates/anpei/src/main.rs",
    "crates/anpei/tests/it/accounts.rs",
    "crates/anpei/tests/it/browser.rs",
    "crates/anpei/tests/it/subsidies.rs",
    "crates/store/src/demo.rs",
    "crates/store/src/exam/attempts.rs",
    "crates/store/src/exam/bank.rs",
    "crates/store/src/ledger.rs",
    "crates/store/src/read.rs",
    "crates/store/src/verdicts.rs",
    "crates/web/src/pages/dashboard.rs",
    "crates/web/src/pages/subsidies.rs",
    "crates/web/src/pages/training.rs",
];

/// The only edges between the workspace's crates: each crate and the crates it may use.
/// `testkit` is a dev-dependency of the binary only.
const CRATE_EDGES: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("formats", &["anpei-domain"]),
    ("store", &["anpei-domain"]),
    ("web", &["anpei-domain", "anpei-store", "anpei-formats"]),
    (
        "anpei",
        &[
            "anpei-domain",
            "anpei-store",
            "anpei-web",
            "anpei-formats",
            "anpei-testkit",
        ],
    ),
    ("testkit", &["anpei-domain", "anpei-store", "anpei-web"]),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// Every `.rs` file under `crates/`, relative to the workspace, in order.
fn rust_files(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("a readable directory")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if path
                    .file_name()
                    .is_some_and(|n| n == "target" || n == "fixtures")
                {
                    continue;
                }
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root.join("crates"), &mut files);
    files
        .into_iter()
        .map(|p| {
            p.strip_prefix(root)
                .expect("under the workspace")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    let root = workspace();
    let files = rust_files(&root);
    assert!(files.len() > 100, "found the sources: {}", files.len());
    let undocumented: Vec<&String> = files
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(root.join(file)).expect("a readable file");
            !text.starts_with("//!")
        })
        .collect();
    assert!(
        undocumented.is_empty(),
        "these files do not open with a `//!` line saying why they exist: {undocumented:#?}"
    );
}

#[test]
fn no_file_grows_past_the_cap_and_the_allow_list_only_shrinks() {
    let root = workspace();
    let lengths: BTreeMap<String, usize> = rust_files(&root)
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(root.join(&file)).expect("a readable file");
            let lines = text.lines().count();
            (file, lines)
        })
        .collect();
    let listed: BTreeSet<&str> = TOO_LONG_FOR_NOW.iter().copied().collect();
    let too_long: Vec<String> = lengths
        .iter()
        .filter(|(file, lines)| **lines > MAX_LINES && !listed.contains(file.as_str()))
        .map(|(file, lines)| format!("{file}: {lines} lines"))
        .collect();
    assert!(
        too_long.is_empty(),
        "split these along their seams (at most {MAX_LINES} lines a file): {too_long:#?}"
    );
    let stale: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|file| lengths.get(*file).is_none_or(|lines| *lines <= MAX_LINES))
        .collect();
    assert!(
        stale.is_empty(),
        "these files are gone or under the cap now: remove them from TOO_LONG_FOR_NOW: {stale:#?}"
    );
}

#[test]
fn crates_depend_only_downward() {
    let root = workspace();
    let mut found = Vec::new();
    for (krate, allowed) in CRATE_EDGES {
        let manifest = std::fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("crates/{krate}/Cargo.toml: {e}"));
        for line in manifest.lines() {
            let name = line
                .split(['=', '.', ' '])
                .next()
                .unwrap_or_default()
                .trim();
            if name.starts_with("anpei-") && !allowed.contains(&name) {
                found.push(format!("{krate} → {name}"));
            }
        }
    }
    let crates: BTreeSet<String> = std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| root.join("crates").join(name).join("Cargo.toml").exists())
        .collect();
    let known: BTreeSet<String> = CRATE_EDGES.iter().map(|(k, _)| (*k).to_owned()).collect();
    assert_eq!(
        crates, known,
        "every crate has its row in CRATE_EDGES (and ARCHITECTURE.md's map)"
    );
    assert!(
        found.is_empty(),
        "edges not in the architecture (a lower crate must not use a higher one): {found:#?}"
    );
}
