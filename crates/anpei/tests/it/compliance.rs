//! The compliance engine through HTTP on both engines: a special-operations worker without
//! a certificate is a violation with a reason; issuing one makes them compliant and moves
//! the enterprise's KPI at once; revoking it breaks the rule again.

use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{hire_new_person, landmarks};

fn finding<'a>(findings: &'a Value, rule: &str) -> &'a Value {
    findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("a finding for {rule}: {findings}"))
}

async fn person_findings(app: &TestApp, client: &Client, person: Uuid) -> Value {
    expect_json(
        client
            .get(app.url(&format!("/api/v1/persons/{person}/compliance")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

async fn special_ops_kpi(app: &TestApp, client: &Client) -> (u64, u64) {
    let body = expect_json(
        client
            .get(app.url(&format!(
                "/api/v1/enterprises/{}/compliance",
                app.demo.enterprise_id
            )))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let share = &body["kpis"]["special_ops_certified"];
    (
        share["compliant"].as_u64().unwrap(),
        share["people"].as_u64().unwrap(),
    )
}

both_engines!(
    certificates_change_the_special_ops_verdict_and_the_kpi_at_once,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let harbin = app.login("harbin").await;
        let (kpi_before, people_before) = special_ops_kpi(&app, &harbin).await;

        // A new low-voltage electrician (trade 1.2) with no certificate.
        let (person, _) = hire_new_person(&app, &enterprise, "合规测试", 701).await;
        let findings = person_findings(&app, &enterprise, person).await;
        let special = finding(&findings, "special_ops_certified");
        assert_eq!(special["verdict"], "violation");
        assert!(
            special["reason_zh"].as_str().unwrap().contains("未持有"),
            "{special}"
        );
        assert!(
            special["reason_en"]
                .as_str()
                .unwrap()
                .contains("without a certificate"),
            "{special}"
        );
        assert_eq!(
            special_ops_kpi(&app, &harbin).await,
            (kpi_before, people_before + 1),
            "counted, not compliant"
        );

        let issued = expect_json(
            harbin
                .post(app.url(&format!("/api/v1/persons/{person}/certificates")))
                .json(&json!({ "kind": "special_ops", "trade": "1.2", "issued_on": "2025-06-01" }))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let findings = person_findings(&app, &enterprise, person).await;
        assert_eq!(
            finding(&findings, "special_ops_certified")["verdict"],
            "compliant"
        );
        assert_eq!(
            special_ops_kpi(&app, &harbin).await,
            (kpi_before + 1, people_before + 1)
        );

        let id = issued["id"].as_str().unwrap();
        let revoked = harbin
            .post(app.url(&format!(
                "/api/v1/persons/{person}/certificates/{id}/revoke"
            )))
            .json(&json!({ "reason": "伪造" }))
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let findings = person_findings(&app, &enterprise, person).await;
        assert_eq!(
            finding(&findings, "special_ops_certified")["verdict"],
            "violation"
        );
        assert_eq!(
            special_ops_kpi(&app, &harbin).await,
            (kpi_before, people_before + 1)
        );
    }
);

both_engines!(
    compliance_is_scoped_like_the_people_behind_it,
    |app| async move {
        let marks = landmarks(&app).await;
        let path = |e: Uuid| app.url(&format!("/api/v1/enterprises/{e}/compliance"));
        let qiqihar = app.login("qiqihar").await;
        expect_problem(
            qiqihar
                .get(path(app.demo.enterprise_id))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        expect_json(
            qiqihar
                .get(path(marks.qiqihar_enterprise))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let hr = app.login("hr").await;
        expect_problem(
            hr.get(path(app.demo.enterprise_id)).send().await.unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
        let enterprise = app.login("enterprise").await;
        expect_problem(
            enterprise
                .get(path(marks.harbin_enterprise))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        let worker = app.login("worker").await;
        let own = worker
            .get(app.url(&format!(
                "/api/v1/persons/{}/compliance",
                app.demo.worker_id
            )))
            .send()
            .await
            .unwrap();
        expect_json(own, StatusCode::OK).await;
        expect_problem(
            worker
                .get(app.url(&format!(
                    "/api/v1/persons/{}/compliance",
                    marks.harbin_person
                )))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
);

both_engines!(
    the_dashboard_is_for_regulators_and_shows_their_jurisdiction,
    |app| async move {
        let province = app.login("province").await;
        let page = province.get(app.url("/dashboard")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("哈尔滨市") && html.contains("齐齐哈尔市"),
            "the province sees its cities"
        );
        let harbin = app.login("harbin").await;
        let html = harbin
            .get(app.url("/dashboard"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("合规看板 · 哈尔滨市"),
            "a city regulator sees their own city"
        );
        let other = harbin
            .get(app.url("/dashboard?city=230200"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            other.status(),
            StatusCode::NOT_FOUND,
            "and nothing of another city"
        );
        for who in ["enterprise", "hr", "worker", "institution"] {
            let client = app.login(who).await;
            let response = client.get(app.url("/dashboard")).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{who}");
        }
    }
);
