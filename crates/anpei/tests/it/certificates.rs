//! Certificates through HTTP on both engines: a certificate authority issues, reviews,
//! suspends and revokes; anyone verifies by number and sees the status of the day, and
//! with the QR code's token the details (`verification` has the rest of issue 13); every
//! change is ledgered.

use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{find_full_id_number, get_ok, landmarks, ledger_verify, staff_ids};

async fn issue(app: &TestApp, client: &Client, person: Uuid, body: Value) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/persons/{person}/certificates")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn change(
    app: &TestApp,
    client: &Client,
    person: Uuid,
    certificate: &Value,
    action: &str,
    body: Value,
) -> reqwest::Response {
    let id = certificate["id"].as_str().unwrap();
    client
        .post(app.url(&format!(
            "/api/v1/persons/{person}/certificates/{id}/{action}"
        )))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn verify(app: &TestApp, number: &str) -> reqwest::Response {
    app.anonymous()
        .get(app.url(&format!("/api/v1/verify/{number}")))
        .send()
        .await
        .unwrap()
}

/// The verification link of an issued certificate (its QR code's), as a path on the app.
fn verification_path(app: &TestApp, issued: &Value) -> String {
    issued["verification_url"]
        .as_str()
        .unwrap()
        .replacen(&app.base, "", 1)
}

/// Someone on the Harbin demo enterprise's staff.
async fn harbin_worker(app: &TestApp) -> Uuid {
    let province = app.login("province").await;
    staff_ids(app, &province, app.demo.enterprise_id).await[0]
}

both_engines!(
    a_city_authority_issues_and_anyone_verifies_without_seeing_the_id_number,
    |app| async move {
        let harbin = app.login("harbin").await;
        let person = harbin_worker(&app).await;
        let issued = expect_json(
            issue(
                &app,
                &harbin,
                person,
                json!({ "kind": "special_ops", "trade": "1.2", "issued_on": "2025-03-01" }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let number = issued["number"].as_str().unwrap().to_owned();
        assert!(number.starts_with("T230100-2025-"), "{number}");
        assert_eq!(issued["valid_until"], "2031-03-01", "six years of validity");

        // With the QR code's token: the details.
        let link = verification_path(&app, &issued);
        let response = app
            .anonymous()
            .get(app.url(&link.replacen("/verify/", "/api/v1/verify/", 1)))
            .send()
            .await
            .unwrap();
        let text = response.text().await.unwrap();
        let shown: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(shown["status"], "valid");
        let details = &shown["details"];
        assert_eq!(details["trade_code"], "1.2");
        assert_eq!(details["trade_name"], "低压电工作业");
        assert_eq!(details["issuer"], "哈尔滨市应急管理局");
        assert_eq!(
            details["next_review_due"], "2028-03-01",
            "reviewed every three years"
        );
        assert!(
            details["holder"].as_str().unwrap().contains('*'),
            "the holder's name is masked: {shown}"
        );
        assert_eq!(
            find_full_id_number(&text),
            None,
            "verification never shows an ID number: {text}"
        );

        // The archive lists it, and the ledger recorded who issued it.
        let archive = get_ok(&app, &harbin, &format!("/api/v1/persons/{person}")).await;
        assert!(
            archive["history"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["action"] == "certificate.issue" && h["by"] == "哈尔滨市应急管理局")
        );

        // The public page says the same, without signing in.
        let page = app.anonymous().get(app.url(&link)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("有效") && html.contains("<svg"),
            "status and QR code on the page"
        );
        assert_eq!(find_full_id_number(&html), None);
        let (code, out) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");
    }
);

both_engines!(
    revoked_and_suspended_certificates_say_so_and_unknown_numbers_say_nothing_else,
    |app| async move {
        let province = app.login("province").await;
        let person = harbin_worker(&app).await;
        let issued = expect_json(
            issue(
                &app,
                &province,
                person,
                json!({ "kind": "special_ops", "trade": "2.1", "issued_on": "2024-06-10" }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let number = issued["number"].as_str().unwrap().to_owned();

        let suspended = change(
            &app,
            &province,
            person,
            &issued,
            "suspend",
            json!({ "reason": "抽考不合格" }),
        )
        .await;
        assert_eq!(suspended.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            expect_json(verify(&app, &number).await, StatusCode::OK).await["status"],
            "suspended"
        );
        assert_eq!(
            change(&app, &province, person, &issued, "reinstate", json!({}))
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            expect_json(verify(&app, &number).await, StatusCode::OK).await["status"],
            "valid"
        );

        let revoked = change(
            &app,
            &province,
            person,
            &issued,
            "revoke",
            json!({ "reason": "伪造培训记录" }),
        )
        .await;
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let shown = expect_json(verify(&app, &number).await, StatusCode::OK).await;
        assert_eq!(shown["status"], "revoked");
        assert_eq!(shown["status_name"], "已撤销");
        // A revoked certificate changes no more.
        let again = change(
            &app,
            &province,
            person,
            &issued,
            "review",
            json!({ "on": "2025-01-01" }),
        )
        .await;
        expect_problem(again, StatusCode::UNPROCESSABLE_ENTITY).await;

        let unknown = expect_problem(
            verify(&app, "T230100-2099-999999").await,
            StatusCode::NOT_FOUND,
        )
        .await;
        let keys: Vec<&str> = unknown
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for key in keys {
            assert!(
                [
                    "type",
                    "title",
                    "status",
                    "detail",
                    "detail_zh",
                    "detail_en"
                ]
                .contains(&key),
                "only the problem: {unknown}"
            );
        }
        let page = app
            .anonymous()
            .get(app.url("/verify/T230100-2099-999999"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        assert!(page.text().await.unwrap().contains("未找到该证书"));
        let (code, out) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");
    }
);

both_engines!(
    only_certificate_authorities_issue_and_only_in_their_jurisdiction,
    |app| async move {
        let person = harbin_worker(&app).await;
        let marks = landmarks(&app).await;
        let body = json!({ "kind": "special_ops", "trade": "1.2", "issued_on": "2025-03-01" });
        // The enterprise sees its own staff but is no certificate authority.
        let enterprise = app.login("enterprise").await;
        expect_problem(
            issue(&app, &enterprise, person, body.clone()).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        // Qiqihar cannot even see a Harbin worker.
        let qiqihar = app.login("qiqihar").await;
        expect_problem(
            issue(&app, &qiqihar, person, body.clone()).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        // ...but can issue to its own people.
        expect_json(
            issue(&app, &qiqihar, marks.qiqihar_person, body.clone()).await,
            StatusCode::CREATED,
        )
        .await;
        let worker = app.login("worker").await;
        expect_problem(
            issue(&app, &worker, app.demo.worker_id, body.clone()).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        expect_problem(
            issue(&app, &app.anonymous(), person, body).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
);

both_engines!(
    bad_certificate_requests_are_refused_and_write_nothing,
    |app| async move {
        let harbin = app.login("harbin").await;
        let person = harbin_worker(&app).await;
        let before = app.ledger_head().await;
        let certificates_before = app.count_rows("certificates").await;
        let cases = [
            (
                json!({ "kind": "special_ops", "issued_on": "2025-03-01" }),
                "trade",
            ),
            (
                json!({ "kind": "special_ops", "trade": "99.9", "issued_on": "2025-03-01" }),
                "trade",
            ),
            (
                json!({ "kind": "diploma", "trade": "1.2", "issued_on": "2025-03-01" }),
                "kind",
            ),
            (
                json!({ "kind": "special_ops", "trade": "1.2", "issued_on": "2025-02-30" }),
                "issued_on",
            ),
            (
                json!({ "kind": "special_ops", "trade": "1.2", "issued_on": "1950-01-01" }),
                "issued_on",
            ),
        ];
        for (body, field) in cases {
            let problem = expect_problem(
                issue(&app, &harbin, person, body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(problem["field"], field, "{body} → {problem}");
        }
        assert_eq!(
            app.ledger_head().await,
            before,
            "refused requests write nothing"
        );
        assert_eq!(app.count_rows("certificates").await, certificates_before);
    }
);
