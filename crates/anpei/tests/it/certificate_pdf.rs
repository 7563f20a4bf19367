//! The certificate PDF as a person gets it: the holder, their employer and the regulator of
//! their city download it; it reads in Chinese with the holder's name and number, and its QR
//! code decodes to the public verification page with the certificate's token. Anyone else
//! gets 404.
//!
//! `pdftotext`/`pdftoppm` (Debian poppler-utils) and `zbarimg` (zbar-tools) read the PDF as
//! a person's viewer would; without them these checks are skipped locally and fail under
//! `CI=true` (`.ci/run` installs both).

use std::path::Path;
use std::process::Command;

use anpei_testkit::{TestApp, both_engines, expect_json};
use reqwest::{Client, StatusCode, header};
use serde_json::json;

use crate::support::{anpei, assert_not_found, get, get_ok};

/// Whether `tool` is installed; under `CI=true` its absence fails the test.
pub(crate) fn have(tool: &str, package: &str) -> bool {
    let found = Command::new(tool).arg("--help").output().is_ok();
    assert!(
        found || std::env::var("CI").map_or(true, |ci| ci != "true"),
        "{tool} (Debian {package}) is required under CI=true"
    );
    found
}

pub(crate) fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Issues a special-operations certificate (低压电工作业) to the demo worker, as Harbin.
async fn issue_to_worker(app: &TestApp) -> String {
    issue_to_worker_with_id(app).await.0
}

/// The same, with the certificate's id: (number, id).
async fn issue_to_worker_with_id(app: &TestApp) -> (String, String) {
    let harbin = app.login("harbin").await;
    let issued = expect_json(
        harbin
            .post(app.url(&format!(
                "/api/v1/persons/{}/certificates",
                app.demo.worker_id
            )))
            .json(&json!({ "kind": "special_ops", "trade": "1.2", "issued_on": "2025-03-01" }))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    (
        issued["number"].as_str().unwrap().to_owned(),
        issued["id"].as_str().unwrap().to_owned(),
    )
}

/// What `pdftotext` reads from `pdf`, without whitespace; `None` without poppler-utils
/// (outside CI).
pub(crate) fn pdf_text(app: &TestApp, pdf: &[u8], name: &str) -> Option<String> {
    if !have("pdftotext", "poppler-utils") {
        return None;
    }
    let dir = app.dir.join("certificate-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, pdf).unwrap();
    Some(
        run(Command::new("pdftotext").arg(&file).arg("-"))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    )
}

/// GETs a PDF and checks what a browser needs to show it inline; the bytes.
async fn download(app: &TestApp, client: &Client, path: &str, number: &str) -> Vec<u8> {
    let response = get(app, client, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("inline; filename=\"{number}.pdf\"").as_str()
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF document");
    bytes
}

both_engines!(
    the_holder_downloads_a_certificate_pdf_whose_qr_code_opens_the_verification_page,
    |app| async move {
        let number = issue_to_worker(&app).await;
        let worker = app.login("worker").await;
        let name = get_ok(
            &app,
            &worker,
            &format!("/api/v1/persons/{}", app.demo.worker_id),
        )
        .await["name"]
            .as_str()
            .unwrap()
            .to_owned();

        // The archive page links to it.
        let archive = get(&app, &worker, &format!("/persons/{}", app.demo.worker_id))
            .await
            .text()
            .await
            .unwrap();
        let link = format!("/certificates/{number}/pdf");
        assert!(archive.contains(&link), "the archive links {link}");
        assert!(archive.contains("下载证书（PDF）"));

        let pdf = download(&app, &worker, &link, &number).await;
        let dir = app.dir.join("certificate-pdf");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{number}.pdf"));
        std::fs::write(&file, &pdf).unwrap();

        if let Some(text) = pdf_text(&app, &pdf, "text.pdf") {
            for expected in [
                name.as_str(),
                number.as_str(),
                "中华人民共和国特种作业操作证",
                "低压电工作业",
                "哈尔滨市应急管理局",
                "扫码核验",
            ] {
                assert!(text.contains(expected), "{expected} missing from {text}");
            }
        }
        if have("pdftoppm", "poppler-utils") && have("zbarimg", "zbar-tools") {
            let prefix = dir.join("page");
            run(Command::new("pdftoppm")
                .args(["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile"])
                .arg(&file)
                .arg(&prefix));
            let png = Path::new(&prefix).with_extension("png");
            let decoded = run(Command::new("zbarimg").args(["--raw", "-q"]).arg(&png));
            // The verification page with the certificate's token (`verification` checks it).
            assert!(
                decoded
                    .trim()
                    .starts_with(&app.url(&format!("/verify/{number}?t="))),
                "{decoded}"
            );
        }
    }
);

both_engines!(
    the_employer_and_the_city_regulator_may_download_it_and_nobody_else,
    |app| async move {
        let number = issue_to_worker(&app).await;
        let api = format!("/api/v1/certificates/{number}/pdf");
        let page = format!("/certificates/{number}/pdf");
        for login in ["enterprise", "harbin", "province"] {
            let client = app.login(login).await;
            download(&app, &client, &api, &number).await;
        }
        for login in ["qiqihar", "hr", "institution"] {
            let client = app.login(login).await;
            assert_not_found(get(&app, &client, &api).await).await;
            assert_eq!(
                get(&app, &client, &page).await.status(),
                StatusCode::NOT_FOUND,
                "{login} on the page route"
            );
        }
        let worker = app.login("worker").await;
        assert_not_found(
            get(
                &app,
                &worker,
                "/api/v1/certificates/T230100-2025-999999/pdf",
            )
            .await,
        )
        .await;
        assert_eq!(
            get(&app, &app.anonymous(), &api).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
);

both_engines!(
    the_api_documents_the_certificate_pdf_as_a_binary_pdf,
    |app| async move {
        let document = get_ok(&app, &app.anonymous(), "/openapi.json").await;
        let ok = &document["paths"]["/api/v1/certificates/{number}/pdf"]["get"]["responses"]["200"];
        let reference = ok["content"]["application/pdf"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("a PDF body: {ok}"));
        let name = reference.rsplit('/').next().unwrap();
        let schema = &document["components"]["schemas"][name];
        assert_eq!(schema["type"], "string", "{schema}");
        assert_eq!(schema["format"], "binary", "{schema}");
    }
);

both_engines!(
    the_command_line_writes_the_same_pdf_as_the_archive_page,
    |app| async move {
        let number = issue_to_worker(&app).await;
        let worker = app.login("worker").await;
        let downloaded = download(
            &app,
            &worker,
            &format!("/certificates/{number}/pdf"),
            &number,
        )
        .await;
        let out = app.dir.join("cli-certificate.pdf");
        let key = app.ledger_key.display().to_string();
        let output = anpei(&[
            "--database",
            &app.database_url,
            "--ledger-key",
            &key,
            "certificate",
            "pdf",
            &number,
            "--out",
            &out.display().to_string(),
            "--public-url",
            &app.base,
        ])
        .await;
        assert!(output.status.success(), "{output:?}");
        assert_eq!(
            std::fs::read(&out).unwrap(),
            downloaded,
            "same certificate, same bytes"
        );

        let missing = anpei(&[
            "--database",
            &app.database_url,
            "--ledger-key",
            &key,
            "certificate",
            "pdf",
            "T230100-2025-999999",
            "--out",
            &out.display().to_string(),
        ])
        .await;
        assert!(!missing.status.success());
        assert!(String::from_utf8_lossy(&missing.stderr).contains("未找到证书"));
    }
);

both_engines!(
    a_renewed_certificate_prints_its_first_issue_date_and_the_new_validity,
    |app| async move {
        let (number, id) = issue_to_worker_with_id(&app).await;
        let harbin = app.login("harbin").await;
        let renewed = harbin
            .post(app.url(&format!(
                "/api/v1/persons/{}/certificates/{id}/renew",
                app.demo.worker_id
            )))
            .json(&json!({ "on": "2025-09-01" }))
            .send()
            .await
            .unwrap();
        assert_eq!(renewed.status(), StatusCode::NO_CONTENT);
        let pdf = download(
            &app,
            &harbin,
            &format!("/api/v1/certificates/{number}/pdf"),
            &number,
        )
        .await;
        if let Some(text) = pdf_text(&app, &pdf, "renewed.pdf") {
            // Only the first issue date is in March: the validity and the review moved.
            assert!(text.contains("2025年03月01日"), "{text}");
            assert!(text.contains("2025年09月01日至2031年09月01日"), "{text}");
        }
    }
);
