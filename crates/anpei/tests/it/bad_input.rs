//! Bad input writes nothing: every refused request answers with a problem document that
//! says why (in both languages, naming the field when there is one), and the ledger head
//! and the tables it guards are exactly as they were.

use anpei_domain::CreditCode;
use anpei_testkit::{TestApp, both_engines, expect_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{
    fresh_id_number, get_ok, hire_request, items, post_hire, with_wrong_check_digit,
};

/// What a refused request must leave untouched.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    ledger_head: i64,
    persons: i64,
    employments: i64,
    enterprises: i64,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    Snapshot {
        ledger_head: app.ledger_head().await,
        persons: app.count_rows("persons").await,
        employments: app.count_rows("employments").await,
        enterprises: app.count_rows("enterprises").await,
    }
}

async fn refused(response: reqwest::Response, status: StatusCode, field: Option<&str>) -> Value {
    let problem = expect_problem(response, status).await;
    match field {
        Some(field) => assert_eq!(problem["field"], field, "{problem}"),
        None => assert!(problem.get("field").is_none(), "{problem}"),
    }
    problem
}

both_engines!(
    an_id_number_with_a_wrong_check_digit_is_refused_naming_the_field,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let before = snapshot(&app).await;
        let wrong = with_wrong_check_digit(&fresh_id_number(20));
        let response = post_hire(
            &app,
            &enterprise,
            app.demo.enterprise_id,
            &hire_request("赵校验", &wrong),
        )
        .await;
        let problem = refused(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("id_number"),
        )
        .await;
        assert!(
            problem["detail_zh"]
                .as_str()
                .is_some_and(|d| d.contains("校验码")),
            "{problem}"
        );
        assert!(
            problem["detail_en"]
                .as_str()
                .is_some_and(|d| d.contains("check character")),
            "{problem}"
        );
        assert_eq!(problem["type"], "/problems/invalid");

        for (id_number, why) in [
            ("23010219800101", "too short"),
            ("2301021980013290X1", "letters inside"),
        ] {
            let response = post_hire(
                &app,
                &enterprise,
                app.demo.enterprise_id,
                &hire_request("赵校验", id_number),
            )
            .await;
            let problem = refused(
                response,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("id_number"),
            )
            .await;
            assert!(
                problem["detail_zh"]
                    .as_str()
                    .is_some_and(|d| d.contains("身份证号")),
                "{why}: {problem}"
            );
        }
        assert_eq!(snapshot(&app).await, before);
    }
);

both_engines!(
    hiring_into_an_unknown_enterprise_is_not_found_and_writes_nothing,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let province = app.login("province").await;
        let before = snapshot(&app).await;
        for client in [&enterprise, &province] {
            let response = post_hire(
                &app,
                client,
                Uuid::now_v7(),
                &hire_request("钱未知", &fresh_id_number(21)),
            )
            .await;
            let problem = refused(response, StatusCode::NOT_FOUND, None).await;
            assert_eq!(problem["detail_en"], "Not found, or not yours to see");
        }
        let response = enterprise
            .post(app.url("/api/v1/enterprises/not-a-uuid/employments"))
            .json(&hire_request("钱未知", &fresh_id_number(21)))
            .send()
            .await
            .expect("POST");
        refused(response, StatusCode::NOT_FOUND, None).await;
        assert_eq!(snapshot(&app).await, before);
    }
);

both_engines!(an_oversized_body_is_refused_with_413, |app| async move {
    let enterprise = app.login("enterprise").await;
    let before = snapshot(&app).await;
    let mut body = hire_request("孙过大", &fresh_id_number(22));
    body["position"] = Value::String("长".repeat(400_000)); // 1.2 MB of UTF-8
    let response = post_hire(&app, &enterprise, app.demo.enterprise_id, &body).await;
    let problem = refused(response, StatusCode::PAYLOAD_TOO_LARGE, None).await;
    assert_eq!(problem["type"], "/problems/payload-too-large");
    assert!(
        problem["detail_zh"]
            .as_str()
            .is_some_and(|d| d.contains("1 MiB")),
        "{problem}"
    );

    let response = enterprise
        .post(app.url("/api/v1/persons/search"))
        .json(&json!({ "query": "x".repeat(1_100_000) }))
        .send()
        .await
        .expect("POST search");
    refused(response, StatusCode::PAYLOAD_TOO_LARGE, None).await;
    assert_eq!(snapshot(&app).await, before);
});

both_engines!(
    a_wrong_password_is_401_and_signs_nobody_in,
    |app| async move {
        let client = app.anonymous();
        let before = snapshot(&app).await;
        for (username, password) in [
            ("worker", "not-the-password-1"),
            ("nobody-here", anpei_store::demo::DEMO_PASSWORD),
        ] {
            let response = client
                .post(app.url("/api/v1/session"))
                .json(&json!({ "username": username, "password": password }))
                .send()
                .await
                .expect("POST session");
            let problem = refused(response, StatusCode::UNAUTHORIZED, None).await;
            // The same answer whether or not the username exists.
            assert_eq!(problem["detail_zh"], "用户名或密码不正确");
            assert_eq!(problem["detail_en"], "Wrong username or password");
        }
        expect_problem(
            client.get(app.url("/api/v1/me")).send().await.expect("GET"),
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(snapshot(&app).await, before);
    }
);

both_engines!(
    an_invalid_credit_code_is_refused_on_registration,
    |app| async move {
        let harbin = app.login("harbin").await;
        let before = snapshot(&app).await;
        let valid = CreditCode::synthesize("230102", 90_000_010).expect("a credit code");
        let (body, check) = valid.as_str().split_at(17);
        let wrong_check = if check == "0" { "1" } else { "0" };
        let register = |credit_code: String| {
            let harbin = harbin.clone();
            let url = app.url("/api/v1/enterprises");
            async move {
                harbin
                    .post(url)
                    .json(&json!({
                        "credit_code": credit_code,
                        "name": "哈尔滨测试化工有限公司",
                        "industry": "hazchem",
                        "region_code": "230102",
                        "legal_representative": "张伟",
                    }))
                    .send()
                    .await
                    .expect("POST enterprises")
            }
        };
        let problem = refused(
            register(format!("{body}{wrong_check}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("credit_code"),
        )
        .await;
        assert!(
            problem["detail_zh"]
                .as_str()
                .is_some_and(|d| d.contains("校验码")),
            "{problem}"
        );
        refused(
            register("91230102MA1B2C3D".to_owned()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("credit_code"),
        )
        .await;

        // A code already registered is refused on the same field.
        let list = get_ok(&app, &harbin, "/api/v1/enterprises?per_page=1").await;
        let taken = items(&list)[0]["credit_code"]
            .as_str()
            .expect("a credit code")
            .to_owned();
        let problem = refused(
            register(taken).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("credit_code"),
        )
        .await;
        assert!(
            problem["detail_zh"]
                .as_str()
                .is_some_and(|d| d.contains("已登记")),
            "{problem}"
        );
        assert_eq!(snapshot(&app).await, before);
    }
);

both_engines!(an_end_date_before_the_start_is_refused, |app| async move {
    let enterprise = app.login("enterprise").await;
    let before = snapshot(&app).await;
    let mut body = hire_request("周倒序", &fresh_id_number(23));
    body["end_date"] = json!("2024-02-01");
    let response = post_hire(&app, &enterprise, app.demo.enterprise_id, &body).await;
    let problem = refused(response, StatusCode::UNPROCESSABLE_ENTITY, Some("end_date")).await;
    assert!(
        problem["detail_zh"]
            .as_str()
            .is_some_and(|d| d.contains("早于")),
        "{problem}"
    );

    let mut body = hire_request("周倒序", &fresh_id_number(23));
    body["start_date"] = json!("2024/03/01");
    let problem = refused(
        post_hire(&app, &enterprise, app.demo.enterprise_id, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some("start_date"),
    )
    .await;
    assert!(
        problem["detail_zh"]
            .as_str()
            .is_some_and(|d| d.contains("YYYY-MM-DD")),
        "{problem}"
    );

    // Ending the worker's current job on a day before it began.
    let archive = get_ok(
        &app,
        &enterprise,
        &format!("/api/v1/persons/{}", app.demo.worker_id),
    )
    .await;
    let job = archive["employments"]
        .as_array()
        .expect("employments")
        .iter()
        .find(|e| e["current"] == true)
        .expect("a current job")
        .clone();
    let response = enterprise
        .post(app.url(&format!(
            "/api/v1/enterprises/{}/employments/{}/{}/end",
            app.demo.enterprise_id,
            app.demo.worker_id,
            job["id"].as_str().expect("an id")
        )))
        .json(&json!({ "end_date": "1990-01-01" }))
        .send()
        .await
        .expect("POST end");
    refused(response, StatusCode::UNPROCESSABLE_ENTITY, Some("end_date")).await;
    assert_eq!(snapshot(&app).await, before);
});

both_engines!(
    malformed_json_is_a_problem_document_and_writes_nothing,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let before = snapshot(&app).await;
        let url = app.url(&format!(
            "/api/v1/enterprises/{}/employments",
            app.demo.enterprise_id
        ));
        let cases: [(&str, &str); 3] = [
            ("{\"name\": \"吴\", \"id_number\": ", "truncated"),
            (
                "{\"id_number\": \"230102198001010010\", \"position\": \"电工\", \"start_date\": \"2024-01-01\"}",
                "missing name",
            ),
            ("[1, 2, 3]", "not an object"),
        ];
        for (text, why) in cases {
            let response = enterprise
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(text)
                .send()
                .await
                .expect("POST");
            let status = response.status();
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
                "{why}: {status}"
            );
            let problem = refused(response, status, None).await;
            assert_eq!(problem["type"], "/problems/bad-request", "{why}: {problem}");
        }
        // JSON without the JSON content type.
        let response = enterprise
            .post(&url)
            .body(hire_request("吴类型", &fresh_id_number(24)).to_string())
            .send()
            .await
            .expect("POST");
        let status = response.status();
        assert!(status.is_client_error(), "{status}");
        expect_problem(response, status).await;
        assert_eq!(snapshot(&app).await, before);
    }
);

both_engines!(
    an_id_number_on_record_under_another_name_is_refused,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let before = snapshot(&app).await;
        let worker_id_number = app.full_id_number(app.demo.worker_id).await;

        let response = post_hire(
            &app,
            &enterprise,
            app.demo.enterprise_id,
            &hire_request("冒名顶替", &worker_id_number),
        )
        .await;
        let problem = refused(response, StatusCode::UNPROCESSABLE_ENTITY, Some("name")).await;
        assert!(
            problem["detail_zh"]
                .as_str()
                .is_some_and(|d| d.contains("另一姓名")),
            "{problem}"
        );

        // The right name, but a job overlapping the one the worker already has there.
        let worker = app.login("worker").await;
        let name = get_ok(
            &app,
            &worker,
            &format!("/api/v1/persons/{}", app.demo.worker_id),
        )
        .await["name"]
            .as_str()
            .expect("a name")
            .to_owned();
        let response = post_hire(
            &app,
            &enterprise,
            app.demo.enterprise_id,
            &hire_request(&name, &worker_id_number),
        )
        .await;
        refused(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("start_date"),
        )
        .await;

        let response = enterprise
            .put(app.url(&format!("/api/v1/persons/{}/phone", app.demo.worker_id)))
            .json(&json!({ "phone": "12345" }))
            .send()
            .await
            .expect("PUT phone");
        refused(response, StatusCode::UNPROCESSABLE_ENTITY, Some("phone")).await;
        assert_eq!(snapshot(&app).await, before);

        // And the same request with a good number goes through.
        let response = enterprise
            .put(app.url(&format!("/api/v1/persons/{}/phone", app.demo.worker_id)))
            .json(&json!({ "phone": "170 1234 5678" }))
            .send()
            .await
            .expect("PUT phone");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.ledger_head().await, before.ledger_head + 1);
    }
);
