//! The enterprise's training and assessment ledgers through HTTP on both engines, and what
//! they do to the compliance verdicts: 71 hours of new-hire training is a violation, 72 is
//! not; a failed assessment takes the person off post (rule 1 due) until a later pass.

use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use chrono::Days;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{fresh_id_number, landmarks, post_hire};

fn day(days_ago: u64) -> String {
    (anpei_testkit::today() - Days::new(days_ago))
        .format("%Y-%m-%d")
        .to_string()
}

async fn verdict(app: &TestApp, client: &Client, person: Uuid, rule: &str) -> Value {
    let findings = expect_json(
        client
            .get(app.url(&format!("/api/v1/persons/{person}/compliance")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .cloned()
        .unwrap_or_else(|| panic!("a {rule} finding: {findings}"))
}

async fn new_hire(app: &TestApp, enterprise: &Client, n: u16) -> Uuid {
    let body = json!({
        "name": "台账测试", "id_number": fresh_id_number(n), "kind": "outsourced",
        "position": "装卸工", "start_date": day(10), "education": "high_school"
    });
    let hired = expect_json(
        post_hire(app, enterprise, app.demo.enterprise_id, &body).await,
        StatusCode::CREATED,
    )
    .await;
    hired["person_id"].as_str().unwrap().parse().unwrap()
}

async fn post(app: &TestApp, client: &Client, path: String, body: Value) -> reqwest::Response {
    client
        .post(app.url(&path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

both_engines!(
    new_hire_with_71_hours_is_not_ready_for_post_and_72_is,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        // An outsourced worker: counted exactly like an employee (seed §三.1).
        let person = new_hire(&app, &enterprise, 801).await;
        let training = format!("/api/v1/persons/{person}/trainings");
        let first = post(
            &app,
            &enterprise,
            training.clone(),
            json!({ "kind": "new_hire", "ended_on": day(12), "hours": 71, "provider": "企业自培" }),
        )
        .await;
        expect_json(first, StatusCode::CREATED).await;
        let finding = verdict(&app, &enterprise, person, "new_hire_hours").await;
        assert_eq!(finding["verdict"], "violation", "{finding}");
        assert!(
            finding["reason_zh"].as_str().unwrap().contains("71"),
            "{finding}"
        );

        let second = post(
            &app,
            &enterprise,
            training,
            json!({ "kind": "new_hire", "ended_on": day(11), "hours": 1 }),
        )
        .await;
        expect_json(second, StatusCode::CREATED).await;
        assert_eq!(
            verdict(&app, &enterprise, person, "new_hire_hours").await["verdict"],
            "compliant"
        );
        let archive = expect_json(
            enterprise
                .get(app.url(&format!("/api/v1/persons/{person}")))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            archive["history"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["action"] == "training.record")
                .count()
                == 2
        );
    }
);

both_engines!(
    a_failed_assessment_holds_rule_1_open_until_a_later_pass,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let person = new_hire(&app, &enterprise, 802).await;
        let path = format!("/api/v1/persons/{person}/assessments");
        let failed = post(
            &app,
            &enterprise,
            path.clone(),
            json!({ "assessed_on": day(5), "position": "装卸工", "passed": false }),
        )
        .await;
        expect_json(failed, StatusCode::CREATED).await;
        // The fail took the person off post to retrain (in the same write): not yet back.
        let finding = verdict(&app, &enterprise, person, "in_post_assessed").await;
        assert_eq!(finding["verdict"], "due_soon", "{finding}");
        assert!(
            finding["reason_zh"]
                .as_str()
                .unwrap()
                .contains("正在离岗培训"),
            "{finding}"
        );
        let passed = post(
            &app,
            &enterprise,
            path,
            json!({ "assessed_on": day(1), "position": "装卸工", "passed": true }),
        )
        .await;
        expect_json(passed, StatusCode::CREATED).await;
        let finding = verdict(&app, &enterprise, person, "in_post_assessed").await;
        assert_ne!(finding["verdict"], "violation", "{finding}");
    }
);

both_engines!(
    only_the_employer_records_and_bad_records_write_nothing,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let person = new_hire(&app, &enterprise, 803).await;
        let marks = landmarks(&app).await;
        let before = app.ledger_head().await;
        let training = |p: Uuid| format!("/api/v1/persons/{p}/trainings");
        let good = json!({ "kind": "annual", "ended_on": day(3), "hours": 20 });
        // A regulator reads the archive but keeps no enterprise's ledger.
        let harbin = app.login("harbin").await;
        expect_problem(
            post(&app, &harbin, training(person), good.clone()).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        // Someone at another enterprise is out of sight.
        expect_problem(
            post(
                &app,
                &enterprise,
                training(marks.harbin_person),
                good.clone(),
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
        for (body, field) in [
            (
                json!({ "kind": "annual", "ended_on": day(0).replace('-', "/"), "hours": 20 }),
                "ended_on",
            ),
            (
                json!({ "kind": "weekly", "ended_on": day(3), "hours": 20 }),
                "kind",
            ),
            (
                json!({ "kind": "annual", "ended_on": day(3), "hours": 0 }),
                "hours",
            ),
            (
                json!({ "kind": "annual", "ended_on": (anpei_testkit::today() + Days::new(5)).to_string(), "hours": 8 }),
                "ended_on",
            ),
        ] {
            let problem = expect_problem(
                post(&app, &enterprise, training(person), body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(problem["field"], field, "{body}: {problem}");
        }
        assert_eq!(app.ledger_head().await, before, "nothing was written");
    }
);
