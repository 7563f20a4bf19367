//! The enterprise ledgers of SPEC C4 through HTTP on both engines: each ledger is recorded
//! by the enterprise and listed back; a regulator of another city is told none of it
//! exists; bad input is refused naming the field and writes nothing; a failed assessment
//! puts the person off post (and rule 1 says so), a pass brings them back; the ledger
//! verifies with the new rows in it.

use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use chrono::{Datelike, Days};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{
    fresh_id_number, get, get_ok, items, landmarks, ledger_verify, post_hire, uuid_of,
};

fn day(days_ago: u64) -> String {
    (anpei_testkit::today() - Days::new(days_ago))
        .format("%Y-%m-%d")
        .to_string()
}

fn ahead(days: u64) -> String {
    (anpei_testkit::today() + Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

async fn hire(app: &TestApp, enterprise: &Client, n: u16, position: &str, key: bool) -> Uuid {
    let body = json!({
        "name": "台账人员", "id_number": fresh_id_number(n), "kind": "regular",
        "position": position, "start_date": day(400), "education": "high_school",
        "key_position": key
    });
    let hired = expect_json(
        post_hire(app, enterprise, app.demo.enterprise_id, &body).await,
        StatusCode::CREATED,
    )
    .await;
    uuid_of(&hired["person_id"])
}

async fn finding(app: &TestApp, client: &Client, person: Uuid, rule: &str) -> Option<Value> {
    assessed(app, client, person, rule, "").await
}

/// The finding of `rule` whose Chinese reason contains `about` (rule 1 gives two: the
/// assessment and the year's hours).
async fn assessed(
    app: &TestApp,
    client: &Client,
    person: Uuid,
    rule: &str,
    about: &str,
) -> Option<Value> {
    let findings = get_ok(app, client, &format!("/api/v1/persons/{person}/compliance")).await;
    findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["reason_zh"].as_str().unwrap_or("").contains(about))
        .cloned()
}

fn ledger(app: &TestApp, name: &str) -> String {
    format!("/api/v1/enterprises/{}/{name}", app.demo.enterprise_id)
}

both_engines!(
    an_enterprise_records_every_ledger_and_sees_it_listed,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let mentor = hire(&app, &enterprise, 901, "电工", true).await;
        let apprentice = hire(&app, &enterprise, 902, "电工学徒", false).await;

        // 师带徒: working alone before graduating breaks rule 6.
        let recorded = post(
            &app,
            &enterprise,
            &ledger(&app, "apprenticeships"),
            json!({ "person_id": apprentice, "mentor_id": mentor, "position": "电工",
                    "started_on": day(30), "planned_graduation_on": ahead(150), "works_alone": true }),
        )
        .await;
        let apprenticeship = uuid_of(&expect_json(recorded, StatusCode::CREATED).await["id"]);
        let listed = get_ok(
            &app,
            &enterprise,
            &ledger(&app, "apprenticeships?status=in_progress"),
        )
        .await;
        let row = items(&listed)
            .iter()
            .find(|a| a["id"] == apprenticeship.to_string())
            .unwrap_or_else(|| panic!("listed: {listed}"))
            .clone();
        assert_eq!(row["mentor_id"], mentor.to_string(), "{row}");
        assert_eq!(row["apprentice"], "台账人员");
        let rule6 = finding(&app, &enterprise, apprentice, "apprentice_no_solo_work")
            .await
            .unwrap();
        assert_eq!(rule6["verdict"], "violation", "{rule6}");
        assert!(
            rule6["reason_zh"]
                .as_str()
                .unwrap()
                .contains("出徒前独立上岗"),
            "{rule6}"
        );
        // Graduation (出徒) today: may work alone.
        let graduated = post(
            &app,
            &enterprise,
            &format!(
                "{}/{apprentice}/{apprenticeship}/graduation",
                ledger(&app, "apprenticeships")
            ),
            json!({ "graduated_on": day(0) }),
        )
        .await;
        expect_json(graduated, StatusCode::OK).await;
        let rule6 = finding(&app, &enterprise, apprentice, "apprentice_no_solo_work")
            .await
            .unwrap();
        assert_eq!(rule6["verdict"], "compliant", "{rule6}");

        // 离岗: 100 days of sick leave ended yesterday; back without targeted training.
        let away = post(
            &app,
            &enterprise,
            &ledger(&app, "off-post"),
            json!({ "person_id": mentor, "starts_on": day(101), "ends_on": day(2), "reason": "sick", "note": "住院" }),
        )
        .await;
        expect_json(away, StatusCode::CREATED).await;
        let listed = get_ok(&app, &enterprise, &ledger(&app, "off-post?filter=sick")).await;
        assert!(
            items(&listed)
                .iter()
                .any(|p| p["person_id"] == mentor.to_string() && p["reason_zh"] == "病假"),
            "{listed}"
        );
        let rule3 = finding(&app, &enterprise, mentor, "return_to_post")
            .await
            .unwrap();
        assert_eq!(rule3["verdict"], "violation", "{rule3}");
        assert!(
            rule3["reason_zh"].as_str().unwrap().contains("离岗 100 天"),
            "{rule3}"
        );

        // 四新: a new device next week is due soon for the people it affects.
        let change = post(
            &app,
            &enterprise,
            &ledger(&app, "process-changes"),
            json!({ "changed_on": ahead(7), "kind": "equipment", "description": "DCS 控制系统升级",
                    "people": [apprentice.to_string()] }),
        )
        .await;
        let created = expect_json(change, StatusCode::CREATED).await;
        let listed = get_ok(
            &app,
            &enterprise,
            &ledger(&app, "process-changes?filter=equipment"),
        )
        .await;
        // By id: the demo holds equipment changes of its own, some with the same words.
        let change = items(&listed)
            .iter()
            .find(|item| item["id"] == created["id"])
            .unwrap_or_else(|| panic!("the recorded change is listed: {listed}"));
        assert_eq!(change["kind_zh"], "新设备");
        assert_eq!(
            change["people"][0]["person_id"],
            apprentice.to_string(),
            "{change}"
        );
        let rule3 = finding(&app, &enterprise, apprentice, "return_to_post")
            .await
            .unwrap();
        assert_eq!(rule3["verdict"], "due_soon", "{rule3}");
        assert!(
            rule3["reason_zh"]
                .as_str()
                .unwrap()
                .contains("DCS 控制系统升级"),
            "{rule3}"
        );

        // 年度培训计划, with progress from the trainings recorded this year.
        let year = anpei_testkit::today().year();
        let item = post(
            &app,
            &enterprise,
            &ledger(&app, "training-plan"),
            json!({ "year": year, "topic": "新设备操作规程", "kind": "targeted", "audience": "电工班",
                    "planned_hours": 8, "planned_month": 6, "planned_headcount": 12 }),
        )
        .await;
        expect_json(item, StatusCode::CREATED).await;
        let trained = post(
            &app,
            &enterprise,
            &format!("/api/v1/persons/{apprentice}/trainings"),
            json!({ "kind": "targeted", "ended_on": day(0), "hours": 6.5 }),
        )
        .await;
        expect_json(trained, StatusCode::CREATED).await;
        let plan = get_ok(
            &app,
            &enterprise,
            &format!("{}?year={year}", ledger(&app, "training-plan")),
        )
        .await;
        let line = plan["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["topic"] == "新设备操作规程")
            .unwrap()
            .clone();
        assert_eq!(line["planned_headcount"], 12);
        assert!(line["actual_hours"].as_f64().unwrap() >= 6.5, "{line}");
        assert!(line["actual_headcount"].as_u64().unwrap() >= 1, "{line}");

        // 培训能力: delegated to an institution with a valid credit code.
        let capacity = post(
            &app,
            &enterprise,
            &ledger(&app, "training-capacity"),
            json!({ "mode": "delegated", "since": day(10), "institution_name": "哈尔滨安全技术培训学校",
                    "institution_credit_code": "91230102000000019C" }),
        )
        .await;
        expect_json(capacity, StatusCode::CREATED).await;
        let capacities = get_ok(&app, &enterprise, &ledger(&app, "training-capacity")).await;
        let current = capacities
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["current"] == true)
            .unwrap()
            .clone();
        assert_eq!(
            current["institution_name"], "哈尔滨安全技术培训学校",
            "{capacities}"
        );

        // 技能晋级计划 of a key-position worker.
        let promotion = post(
            &app,
            &enterprise,
            &ledger(&app, "skill-promotions"),
            json!({ "person_id": mentor, "current_level": "intermediate", "target_level": "senior", "due_on": ahead(200) }),
        )
        .await;
        expect_json(promotion, StatusCode::CREATED).await;
        let listed = get_ok(
            &app,
            &enterprise,
            &ledger(&app, "skill-promotions?status=pending"),
        )
        .await;
        assert!(
            items(&listed)
                .iter()
                .any(|p| p["person_id"] == mentor.to_string() && p["target_level"] == "senior"),
            "{listed}"
        );

        // The archive shows the apprenticeship and the time off post.
        let page = get(&app, &enterprise, &format!("/persons/{mentor}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("病假"), "the archive shows time off post");
        let page = get(&app, &enterprise, &format!("/persons/{apprentice}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("师带徒"),
            "the archive shows the apprenticeship"
        );
        // And the ledgers' page lists them.
        let page = get(
            &app,
            &enterprise,
            &format!("/enterprises/{}/ledgers/off-post", app.demo.enterprise_id),
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(page.contains("住院"), "the off-post tab lists the period");

        let (code, out) = ledger_verify(&app).await;
        assert_eq!(code, 0, "ledger verify: {out}");
        for table in [
            "apprenticeships",
            "off_post_periods",
            "process_changes",
            "process_change_people",
            "training_plan_items",
            "training_capacities",
            "skill_promotions",
        ] {
            assert!(app.count_rows(table).await >= 1, "{table} has rows");
        }
    }
);

both_engines!(
    regulators_read_the_ledgers_of_their_city_only,
    |app| async move {
        let marks = landmarks(&app).await;
        let harbin = app.login("harbin").await;
        let qiqihar = app.login("qiqihar").await;
        let hr = app.login("hr").await;
        for tab in [
            "apprenticeships",
            "off-post",
            "process-changes",
            "training-plan",
            "training-capacity",
            "skill-promotions",
        ] {
            let path = ledger(&app, tab);
            let response = get(&app, &harbin, &path).await;
            assert_eq!(response.status(), StatusCode::OK, "{tab}");
            expect_problem(get(&app, &qiqihar, &path).await, StatusCode::NOT_FOUND).await;
            expect_problem(get(&app, &hr, &path).await, StatusCode::NOT_FOUND).await;
            let page = get(
                &app,
                &qiqihar,
                &format!("/enterprises/{}/ledgers/{tab}", app.demo.enterprise_id),
            )
            .await;
            assert_eq!(page.status(), StatusCode::NOT_FOUND, "{tab} page");
        }
        // A regulator reads but does not keep the enterprise's ledgers.
        let before = app.ledger_head().await;
        expect_problem(
            post(
                &app,
                &harbin,
                &ledger(&app, "off-post"),
                json!({ "person_id": marks.harbin_person, "starts_on": day(3), "reason": "leave" }),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        // The enterprise cannot write another enterprise's ledgers.
        let enterprise = app.login("enterprise").await;
        expect_problem(
            post(
                &app,
                &enterprise,
                &format!(
                    "/api/v1/enterprises/{}/training-capacity",
                    marks.harbin_enterprise
                ),
                json!({ "mode": "self", "since": day(3), "trainers": 2, "facilities": "教室" }),
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(app.ledger_head().await, before, "nothing was written");
    }
);

both_engines!(
    bad_ledger_input_names_the_field_and_writes_nothing,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let marks = landmarks(&app).await;
        let mentor = hire(&app, &enterprise, 903, "焊工", false).await;
        let apprentice = hire(&app, &enterprise, 904, "焊工学徒", false).await;
        let before = app.ledger_head().await;
        let year = anpei_testkit::today().year();
        let cases = [
            (
                "apprenticeships",
                json!({ "person_id": apprentice, "mentor_id": marks.harbin_person, "position": "焊工",
                "started_on": day(30), "planned_graduation_on": ahead(100) }),
                "mentor_id",
            ),
            (
                "apprenticeships",
                json!({ "person_id": apprentice, "mentor_id": mentor, "position": "焊工",
                "started_on": day(30), "planned_graduation_on": day(31) }),
                "planned_graduation_on",
            ),
            (
                "apprenticeships",
                json!({ "person_id": Uuid::now_v7(), "mentor_id": mentor, "position": "焊工",
                "started_on": day(30), "planned_graduation_on": ahead(100) }),
                "person_id",
            ),
            (
                "apprenticeships",
                json!({ "person_id": "not-a-person", "mentor_id": mentor, "position": "焊工",
                "started_on": day(30), "planned_graduation_on": ahead(100) }),
                "person_id",
            ),
            (
                "off-post",
                json!({ "person_id": mentor, "starts_on": day(5), "ends_on": day(10), "reason": "leave" }),
                "ends_on",
            ),
            (
                "off-post",
                json!({ "person_id": mentor, "starts_on": day(5), "reason": "failed_assessment" }),
                "reason",
            ),
            (
                "off-post",
                json!({ "person_id": marks.qiqihar_person, "starts_on": day(5), "reason": "leave" }),
                "person_id",
            ),
            (
                "process-changes",
                json!({ "changed_on": day(1), "kind": "equipment", "description": "新泵",
                "people": [mentor.to_string(), marks.harbin_person.to_string()] }),
                "people",
            ),
            (
                "process-changes",
                json!({ "changed_on": day(1), "kind": "magic", "description": "新泵", "people": [mentor.to_string()] }),
                "kind",
            ),
            (
                "training-plan",
                json!({ "year": year, "topic": "全员再培训", "kind": "annual", "audience": "全体员工",
                "planned_hours": 20, "planned_month": 13, "planned_headcount": 100 }),
                "planned_month",
            ),
            (
                "training-capacity",
                json!({ "mode": "delegated", "since": day(1), "institution_name": "某培训学校",
                "institution_credit_code": "91230102000000019X" }),
                "institution_credit_code",
            ),
            (
                "training-capacity",
                json!({ "mode": "self", "since": day(1), "trainers": 0, "facilities": "教室" }),
                "trainers",
            ),
            (
                "skill-promotions",
                json!({ "person_id": mentor, "current_level": "senior", "target_level": "senior",
                "due_on": ahead(10) }),
                "target_level",
            ),
            (
                "skill-promotions",
                json!({ "person_id": apprentice, "current_level": "junior", "target_level": "senior",
                "due_on": ahead(10) }),
                "person_id",
            ),
        ];
        for (tab, body, field) in cases {
            let problem = expect_problem(
                post(&app, &enterprise, &ledger(&app, tab), body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(problem["field"], field, "{tab} {body}: {problem}");
        }
        assert_eq!(app.ledger_head().await, before, "nothing was written");
        // The form keeps what was typed and marks the field.
        let response = enterprise
            .post(app.url(&format!(
                "/enterprises/{}/ledgers/training-plan",
                app.demo.enterprise_id
            )))
            .header("origin", &app.base)
            .form(&[
                ("year", year.to_string()),
                ("topic", "四新专题培训".to_owned()),
                ("kind", "targeted".to_owned()),
                ("audience", "操作工".to_owned()),
                ("planned_hours", "8".to_owned()),
                ("planned_month", "13".to_owned()),
                ("planned_headcount", "30".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("计划月份应为 1 至 12"), "the reason is shown");
        assert!(
            page.contains("value=\"四新专题培训\""),
            "the typed topic is kept"
        );
        assert!(page.contains("name=\"planned_month\" type=\"number\" inputmode=\"decimal\" step=\"any\" value=\"13\" aria-invalid=\"true\""), "the month is marked");
        assert_eq!(app.ledger_head().await, before, "nothing was written");
    }
);

both_engines!(
    a_failed_assessment_sends_the_person_off_post_until_a_pass,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let person = hire(&app, &enterprise, 905, "装卸工", false).await;
        let assessments = format!("/api/v1/persons/{person}/assessments");
        let failed = post(
            &app,
            &enterprise,
            &assessments,
            json!({ "assessed_on": day(20), "position": "装卸工", "passed": false }),
        )
        .await;
        expect_json(failed, StatusCode::CREATED).await;
        // Off post today, with the reason.
        let away = get_ok(
            &app,
            &enterprise,
            &format!(
                "{}?open_on={}&filter=failed_assessment",
                ledger(&app, "off-post"),
                day(0)
            ),
        )
        .await;
        let period = items(&away)
            .iter()
            .find(|p| p["person_id"] == person.to_string())
            .unwrap_or_else(|| panic!("off post after failing: {away}"))
            .clone();
        assert_eq!(period["reason_zh"], "考核不合格");
        assert_eq!(period["starts_on"], day(20));
        assert!(period["ends_on"].is_null(), "{period}");
        // Rule 1 sees the retraining off post.
        let rule1 = assessed(&app, &enterprise, person, "in_post_assessed", "岗位考核")
            .await
            .unwrap();
        assert_eq!(rule1["verdict"], "due_soon", "{rule1}");
        assert!(
            rule1["reason_zh"]
                .as_str()
                .unwrap()
                .contains("正在离岗培训"),
            "{rule1}"
        );
        // It cannot be ended by hand: only a pass ends it.
        let ended = post(
            &app,
            &enterprise,
            &format!(
                "{}/{person}/{}/end",
                ledger(&app, "off-post"),
                period["id"].as_str().unwrap()
            ),
            json!({ "ends_on": day(1) }),
        )
        .await;
        assert_eq!(
            expect_problem(ended, StatusCode::UNPROCESSABLE_ENTITY).await["field"],
            "ends_on"
        );
        let passed = post(
            &app,
            &enterprise,
            &assessments,
            json!({ "assessed_on": day(3), "position": "装卸工", "passed": true }),
        )
        .await;
        expect_json(passed, StatusCode::CREATED).await;
        let all = get_ok(
            &app,
            &enterprise,
            &format!("{}?filter=failed_assessment", ledger(&app, "off-post")),
        )
        .await;
        let period = items(&all)
            .iter()
            .find(|p| p["person_id"] == person.to_string())
            .unwrap()
            .clone();
        assert_eq!(
            period["ends_on"],
            day(4),
            "the day before the pass: {period}"
        );
        let away = get_ok(
            &app,
            &enterprise,
            &format!("{}?open_on={}", ledger(&app, "off-post"), day(0)),
        )
        .await;
        assert!(
            !items(&away)
                .iter()
                .any(|p| p["person_id"] == person.to_string()),
            "back on post: {away}"
        );
        let rule1 = assessed(&app, &enterprise, person, "in_post_assessed", "岗位考核")
            .await
            .unwrap();
        assert_eq!(rule1["verdict"], "compliant", "{rule1}");
        assert!(
            rule1["reason_zh"].as_str().unwrap().contains("考核合格"),
            "{rule1}"
        );
        // Both ends are in the person's ledger history, and the chain verifies.
        let archive = get_ok(&app, &enterprise, &format!("/api/v1/persons/{person}")).await;
        let actions: Vec<&str> = archive["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["action"].as_str())
            .collect();
        assert!(
            actions.contains(&"off_post.open") && actions.contains(&"off_post.close"),
            "{actions:?}"
        );
        let (code, out) = ledger_verify(&app).await;
        assert_eq!(code, 0, "ledger verify: {out}");
    }
);
