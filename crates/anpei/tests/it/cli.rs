//! `anpei validate`: checks identifiers without a database, one line per value, and exits
//! 1 when any value is invalid (so a roster check can gate a script).

use std::process::Command;

fn validate(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_anpei"))
        .arg("validate")
        .args(args)
        // No database is needed; point at one that does not exist to prove it.
        .env("ANPEI_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("run anpei");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn validate_id_number_reports_each_value_and_exits_1_on_any_invalid() {
    let (code, stdout) = validate(&["id-number", "11010519491231002X", "110105194912310021"]);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let first: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(first[..2], ["11010519491231002X", "valid"], "{stdout}");
    let second: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(second[..2], ["110105194912310021", "invalid"], "{stdout}");
    assert!(
        lines[1].contains("check character"),
        "the reason is given: {stdout}"
    );
    assert!(lines[1].contains("校验码"), "in both languages: {stdout}");
}

#[test]
fn validate_id_number_exits_0_when_all_are_valid() {
    let (code, stdout) = validate(&["id-number", "11010519491231002x"]);
    assert_eq!(code, 0, "a lower-case x is accepted: {stdout}");
    assert!(stdout.contains("\tvalid"), "{stdout}");
}

#[test]
fn validate_credit_code_accepts_a_valid_code_and_exits_0() {
    let (code, stdout) = validate(&["credit-code", "91110000600037341L"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with("91110000600037341L\tvalid"), "{stdout}");
}

#[test]
fn validate_credit_code_names_the_wrong_check_character() {
    let (code, stdout) = validate(&["credit-code", "91110000600037341A"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("\tinvalid\t"), "{stdout}");
    assert!(stdout.contains("expected L"), "{stdout}");
}

#[test]
fn archive_verify_of_a_file_that_is_not_an_export_fails() {
    let file =
        std::env::temp_dir().join(format!("anpei-not-an-export-{}.json", uuid::Uuid::now_v7()));
    std::fs::write(&file, "{\"hello\": \"world\"}").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_anpei"))
        .args(["archive", "verify"])
        .arg(&file)
        .output()
        .expect("run anpei");
    std::fs::remove_file(&file).ok();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("verification FAILED"), "{stdout}");
}
