//! Signed archive exports (SPEC C2): the person's own export carries the full ID number,
//! anyone else's the masked one; either verifies offline with `anpei archive verify` and
//! the published key, and a single changed character in the file fails verification.

use anpei_testkit::{TestApp, both_engines};
use serde_json::Value;

use crate::support::{anpei, find_full_id_number, get, get_ok, is_masked_id_number};

/// `anpei archive verify FILE [--key KEY]`: (exit code, stdout).
async fn archive_verify(file: &std::path::Path, key: Option<&str>) -> (i32, String) {
    let file = file.display().to_string();
    let mut args = vec!["archive", "verify", file.as_str()];
    if let Some(key) = key {
        args.extend(["--key", key]);
    }
    let output = anpei(&args).await;
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

async fn published_key(app: &TestApp) -> String {
    let key = get_ok(app, &app.anonymous(), "/api/v1/ledger/public-key").await;
    key["public_key"].as_str().expect("a hex key").to_owned()
}

/// The export as served, byte for byte.
async fn export_text(app: &TestApp, client: &reqwest::Client, person: uuid::Uuid) -> String {
    let response = get(app, client, &format!("/api/v1/persons/{person}/export")).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.text().await.expect("an export")
}

both_engines!(
    a_worker_exports_their_archive_in_full_and_it_verifies_offline,
    |app| async move {
        let worker = app.login("worker").await;
        let text = export_text(&app, &worker, app.demo.worker_id).await;
        let export: Value = serde_json::from_str(&text).expect("JSON");
        let full = app.full_id_number(app.demo.worker_id).await;

        assert_eq!(export["format"], "anpei-archive/1");
        assert_eq!(
            export["person"]["id_number"],
            full.as_str(),
            "their own export is complete"
        );
        assert_eq!(full.len(), 18);
        assert_eq!(export["person"]["id_number_masked"], false);
        assert!(
            !export["employments"]
                .as_array()
                .expect("employments")
                .is_empty()
        );
        let key = published_key(&app).await;
        assert_eq!(export["signature"]["algo"], "SM2");
        assert_eq!(export["signature"]["public_key"], key.as_str());
        assert!(
            export["signature"]["value"]
                .as_str()
                .is_some_and(|v| v.len() >= 128)
        );

        let file = app.dir.join("worker-archive.json");
        std::fs::write(&file, &text).expect("write the export");
        let (code, stdout) = archive_verify(&file, Some(&key)).await;
        assert_eq!(code, 0, "{stdout}");
        assert!(stdout.contains("signature valid"), "{stdout}");
        let name = export["person"]["name"].as_str().expect("a name");
        assert!(stdout.contains(name), "{stdout}");

        // One character of the name changed: the file no longer matches its signature.
        let mut altered = export.clone();
        let mut chars: Vec<char> = name.chars().collect();
        chars[0] = if chars[0] == '王' { '李' } else { '王' };
        altered["person"]["name"] = Value::String(chars.into_iter().collect());
        let tampered = app.dir.join("worker-archive-altered.json");
        std::fs::write(&tampered, altered.to_string()).expect("write the altered export");
        let (code, stdout) = archive_verify(&tampered, Some(&key)).await;
        assert_eq!(code, 1, "{stdout}");
        assert!(stdout.contains("verification FAILED"), "{stdout}");

        // The untouched file, checked against some other key, fails too.
        let (code, stdout) = archive_verify(&file, Some("0123456789abcdef")).await;
        assert_eq!(code, 1, "{stdout}");
        assert!(stdout.contains("verification FAILED"), "{stdout}");
    }
);

both_engines!(
    an_enterprise_export_of_the_same_person_masks_the_id_number,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let text = export_text(&app, &enterprise, app.demo.worker_id).await;
        let export: Value = serde_json::from_str(&text).expect("JSON");
        let full = app.full_id_number(app.demo.worker_id).await;

        let shown = export["person"]["id_number"]
            .as_str()
            .expect("an ID number");
        assert!(
            is_masked_id_number(shown),
            "masked for the employer: {shown}"
        );
        assert_eq!(&shown[..4], &full[..4]);
        assert_eq!(&shown[14..], &full[14..]);
        assert_eq!(export["person"]["id_number_masked"], true);
        assert!(
            !text.contains(&full),
            "the full number is nowhere in the file"
        );
        assert_eq!(find_full_id_number(&text), None, "{text}");

        let file = app.dir.join("enterprise-archive.json");
        std::fs::write(&file, &text).expect("write the export");
        let (code, stdout) = archive_verify(&file, Some(&published_key(&app).await)).await;
        assert_eq!(code, 0, "a masked export is signed just the same: {stdout}");
    }
);
