//! The exam system through HTTP on both engines: an examinee signs in at the seat, answers
//! (every save acknowledged after its commit, a repeated save recognised), signs in again on
//! the same device and gets the same paper and answers back, hands in and is graded; time-outs
//! are handed in by the sweep; one make-up and then a refusal; a blueprint the bank cannot
//! fill is refused with what is missing; an untrained person cannot register. All of it is
//! ledgered.

use anpei_store::exam::attempts::{ExamDesk, Keys};
use anpei_store::exam::drill::{self, Drill, DrillPlan};
use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use chrono::Duration;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::ledger_verify;

/// A drill of `examinees` at a Harbin site whose session began a minute ago.
pub async fn drill(app: &TestApp, examinees: u32, run: u32) -> Drill {
    let now = anpei_testkit::now();
    drill::prepare(
        &app.store,
        &DrillPlan {
            examinees,
            enterprise_id: app.demo.enterprise_id,
            region_code: "230102".into(),
            opens_at: now - Duration::minutes(1),
            closes_at: now + Duration::hours(3),
            duration_minutes: 60,
            run,
        },
        now,
        &|_, _| {},
    )
    .await
    .unwrap()
}

/// The device secret the tests' examinee with this ticket signs in with: one device per
/// examinee, so that signing in again is the same device's (a second device waits for a
/// proctor, see `exam_security`).
pub fn device_of(ticket: &str) -> String {
    format!("test-device-{ticket}")
}

/// A sign-in from a new client on `device`, as sent.
pub async fn sign_in_on(
    app: &TestApp,
    session: &str,
    ticket: &str,
    id_number: &str,
    device: &str,
) -> (Client, reqwest::Response) {
    let client = app.anonymous();
    let response = client
        .post(app.url("/api/v1/exam/sign-in"))
        .json(&json!({"session_id": session, "ticket": ticket, "id_number": id_number, "device": device}))
        .send()
        .await
        .unwrap();
    (client, response)
}

pub async fn sign_in(
    app: &TestApp,
    session: &str,
    ticket: &str,
    id_number: &str,
) -> (Client, String, Value) {
    let (client, response) = sign_in_on(app, session, ticket, id_number, &device_of(ticket)).await;
    let signed = expect_json(response, StatusCode::OK).await;
    let token = signed["token"].as_str().unwrap().to_owned();
    (client, token, signed)
}

/// The right answer to each question of an attempt's paper, as the API takes answers.
/// Read from the store: proctors see the key only once a paper is handed in.
pub async fn answer_key(app: &TestApp, person_id: &str, attempt_id: &str) -> Vec<Value> {
    use anpei_domain::exam::Response;
    use sea_orm::EntityTrait;
    let attempt = anpei_store::entity::exam_attempt::Entity::find_by_id((
        person_id.parse::<uuid::Uuid>().unwrap(),
        attempt_id.parse::<uuid::Uuid>().unwrap(),
    ))
    .one(app.store.connection())
    .await
    .unwrap()
    .unwrap();
    let view = ExamDesk::start(app.store.clone())
        .paper_of(attempt, app.now(), Keys::Shown)
        .await
        .unwrap();
    view.items
        .iter()
        .map(|item| match item.key.as_ref().unwrap() {
            Response::Choices(c) => json!({"choices": c}),
            Response::TrueFalse(b) => json!({"true_false": b}),
            Response::Text(t) => json!({"text": t}),
        })
        .collect()
}

pub async fn paper(app: &TestApp, client: &Client, token: &str) -> reqwest::Response {
    client
        .get(app.url("/api/v1/exam/paper"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

pub async fn save(
    app: &TestApp,
    client: &Client,
    token: &str,
    seq: i64,
    position: u64,
    response: Value,
) -> reqwest::Response {
    client
        .put(app.url("/api/v1/exam/answers"))
        .bearer_auth(token)
        .json(&json!({"seq": seq, "position": position, "response": response}))
        .send()
        .await
        .unwrap()
}

both_engines!(
    an_examinee_answers_signs_in_again_on_the_same_device_and_is_graded,
    |app| async move {
        let drill = drill(&app, 2, 1).await;
        let e = &drill.examinees[0];
        let session = e.session_id.to_string();
        let (client, token, signed) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        assert_eq!(signed["resumed"], false);
        let first = expect_json(paper(&app, &client, &token).await, StatusCode::OK).await;
        assert_eq!(first["started"], true);
        assert_eq!(first["items"].as_array().unwrap().len(), 50);
        assert_eq!(first["total"], 100);
        assert!(
            first["items"][0].get("key").is_none(),
            "the examinee never sees the keys"
        );

        // The proctor (the Harbin bureau organises the site) sees the paper without the
        // keys while it is open; the test reads them from the store.
        let harbin = app.login("harbin").await;
        let attempt = signed["attempt_id"].as_str().unwrap();
        let review = expect_json(
            harbin
                .get(app.url(&format!(
                    "/api/v1/exam/sessions/{session}/attempts/{}/{attempt}",
                    e.person_id
                )))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            review["paper"]["items"][0].get("key").is_none(),
            "no key before the hand-in"
        );
        let keys = answer_key(&app, &e.person_id.to_string(), attempt).await;

        // Answer all but the last five questions right, the first one twice (wrong, then right).
        let mut seq = 0;
        seq += 1;
        let wrong = if keys[0].get("true_false").is_some() {
            json!({"true_false": !keys[0]["true_false"].as_bool().unwrap()})
        } else {
            json!({"choices": []})
        };
        expect_json(
            save(&app, &client, &token, seq, 0, wrong).await,
            StatusCode::OK,
        )
        .await;
        for (position, key) in keys.iter().enumerate().take(45) {
            seq += 1;
            let saved = expect_json(
                save(&app, &client, &token, seq, position as u64, key.clone()).await,
                StatusCode::OK,
            )
            .await;
            assert_eq!(saved["repeated"], false);
        }
        // A save sent again (its acknowledgement was lost) is recognised, not stored twice.
        let again = expect_json(
            save(&app, &client, &token, seq, 44, keys[44].clone()).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(again["repeated"], true);
        // A choice that does not exist is refused and names the field.
        let bad = expect_problem(
            save(
                &app,
                &client,
                &token,
                seq + 1,
                60,
                json!({"true_false": true}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(bad["field"], "position");

        // The same device signs in again (a cleared cookie): the same attempt, the same paper,
        // every answer; the old token ends.
        let (client2, token2, again) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        assert_eq!(again["resumed"], true);
        assert_eq!(again["attempt_id"], signed["attempt_id"]);
        let resumed = expect_json(paper(&app, &client2, &token2).await, StatusCode::OK).await;
        assert_eq!(resumed["last_seq"], seq);
        for (position, item) in resumed["items"].as_array().unwrap().iter().enumerate() {
            assert_eq!(item["stem"], first["items"][position]["stem"], "same paper");
            if position < 45 {
                assert_eq!(item["answer"], keys[position], "answer {position} kept");
            } else {
                assert!(item["answer"].is_null());
            }
        }
        expect_problem(paper(&app, &client, &token).await, StatusCode::UNAUTHORIZED).await;

        // Hand in: 45 of 50 questions of 2 points right = 90, passed.
        let result = expect_json(
            client2
                .post(app.url("/api/v1/exam/submit"))
                .bearer_auth(&token2)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (
                result["score"].as_u64(),
                result["passed"].as_bool(),
                result["answered"].as_u64()
            ),
            (Some(90), Some(true), Some(45))
        );
        let late = expect_problem(
            save(&app, &client2, &token2, seq + 1, 49, keys[49].clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(late["detail_zh"].as_str().unwrap().contains("已提交"));

        // The console shows the result; the timeline has the sign-ins, answers and the hand-in.
        let console = expect_json(
            harbin
                .get(app.url(&format!("/api/v1/exam/sessions/{session}")))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let row = console["examinees"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ticket"] == e.ticket.as_str())
            .unwrap()
            .clone();
        assert_eq!(
            (
                row["status"].as_str(),
                row["score"].as_i64(),
                row["answered"].as_u64()
            ),
            (Some("finished"), Some(90), Some(45))
        );
        assert!(
            !row["id_number"]
                .as_str()
                .unwrap()
                .contains(&e.id_number[6..14]),
            "ID numbers are masked"
        );
        let review = expect_json(
            harbin
                .get(app.url(&format!(
                    "/api/v1/exam/sessions/{session}/attempts/{}/{attempt}",
                    e.person_id
                )))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let kinds: Vec<&str> = review["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.first(), Some(&"sign_in"));
        assert!(kinds.contains(&"sign_in_again"));
        assert_eq!(kinds.iter().filter(|k| **k == "answer").count(), 46);
        assert_eq!(kinds.last(), Some(&"submit"));

        // The result is in the examinee's lifelong archive.
        let archive = harbin
            .get(app.url(&format!("/persons/{}", e.person_id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            archive.contains("考试记录") && archive.contains("90 分 合格"),
            "the archive shows the exam"
        );
        // Another city's bureau cannot see the session.
        let other = app.login("qiqihar").await;
        expect_problem(
            other
                .get(app.url(&format!("/api/v1/exam/sessions/{session}")))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        let (code, report) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{report}");
    }
);

both_engines!(
    time_up_papers_are_handed_in_by_the_sweep,
    |app| async move {
        let drill = drill(&app, 1, 2).await;
        let e = &drill.examinees[0];
        let (client, token, _) =
            sign_in(&app, &e.session_id.to_string(), &e.ticket, &e.id_number).await;
        expect_json(
            save(&app, &client, &token, 1, 0, json!({"true_false": true})).await,
            StatusCode::OK,
        )
        .await;
        // Nothing is due yet.
        let desk = ExamDesk::start(app.store.clone());
        assert_eq!(desk.sweep(anpei_testkit::now()).await.unwrap(), 0);
        // An hour and a minute later the deadline and its grace have passed.
        assert_eq!(
            desk.sweep(anpei_testkit::now() + Duration::minutes(61))
                .await
                .unwrap(),
            1
        );
        let view = expect_json(paper(&app, &client, &token).await, StatusCode::OK).await;
        assert_eq!(view["submitted"], true);
        assert!(view["score"].as_i64().is_some());
        assert_eq!(view["passed"], false);
    }
);

both_engines!(
    one_make_up_then_the_training_must_be_repeated,
    |app| async move {
        let drill = drill(&app, 1, 3).await;
        let e = &drill.examinees[0];
        let harbin = app.login("harbin").await;
        let sites = expect_json(
            harbin
                .get(app.url("/api/v1/exam/sites"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let site = sites
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "演练考试点 3")
            .unwrap()
            .clone();
        let new_session = |title: &str| {
            json!({
                "site_id": site["id"], "room_id": site["rooms"][0]["id"], "blueprint_id": drill.blueprint_id,
                "title": title, "opens_at": anpei_testkit::now() - Duration::minutes(1), "closes_at": anpei_testkit::now() + Duration::hours(2),
            })
        };
        let mut session = e.session_id.to_string();
        let mut ticket = e.ticket.clone();
        for sitting in 1..=2 {
            let (client, token, _) = sign_in(&app, &session, &ticket, &e.id_number).await;
            let result = expect_json(
                client
                    .post(app.url("/api/v1/exam/submit"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap(),
                StatusCode::OK,
            )
            .await;
            assert_eq!(
                result["passed"], false,
                "sitting {sitting} hands in an empty paper"
            );
            let created = expect_json(
                harbin
                    .post(app.url("/api/v1/exam/sessions"))
                    .json(&new_session(&format!("补考 {sitting}")))
                    .send()
                    .await
                    .unwrap(),
                StatusCode::CREATED,
            )
            .await;
            session = created["id"].as_str().unwrap().to_owned();
            let registration = harbin
                .post(app.url(&format!("/api/v1/exam/sessions/{session}/registrations")))
                .json(&json!({"id_number": e.id_number, "name": e.name}))
                .send()
                .await
                .unwrap();
            if sitting == 1 {
                let registered = expect_json(registration, StatusCode::CREATED).await;
                assert_eq!(
                    (
                        registered["sitting"].as_i64(),
                        registered["make_up"].as_bool()
                    ),
                    (Some(2), Some(true))
                );
                ticket = registered["ticket"].as_str().unwrap().to_owned();
            } else {
                let refused = expect_problem(registration, StatusCode::UNPROCESSABLE_ENTITY).await;
                assert!(
                    refused["detail_zh"]
                        .as_str()
                        .unwrap()
                        .contains("须重新参加培训"),
                    "{refused}"
                );
            }
        }
    }
);

both_engines!(
    blueprints_and_registrations_are_refused_with_their_reasons,
    |app| async move {
        let drill = drill(&app, 1, 4).await;
        let province = app.login("province").await;
        let refused = expect_problem(
        province
            .post(app.url("/api/v1/exam/blueprints"))
            .json(&json!({
                "name": "超出题库的方案", "trade_code": "1.2", "part": "theory", "duration_minutes": 90, "required_hours": 40,
                "rows": [
                    {"syllabus_point_id": drill.syllabus_point_id, "kind": "true_false", "count": 45, "points": 2},
                    {"syllabus_point_id": drill.syllabus_point_id, "kind": "multiple", "count": 5, "points": 2}
                ]
            }))
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
        let detail = refused["detail_zh"].as_str().unwrap();
        assert!(detail.contains("需要 45 题，题库只有 40 题"), "{detail}");
        assert!(
            !detail.contains("第 2 行"),
            "only the short row is named: {detail}"
        );
        // City bureaus do not write the bank.
        let harbin = app.login("harbin").await;
        expect_problem(
        harbin.post(app.url("/api/v1/exam/blueprints")).json(&json!({
            "name": "x", "trade_code": "1.2", "part": "theory", "duration_minutes": 90, "required_hours": 40, "rows": []
        })).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
        // A worker with no special-operations training of the trade cannot register.
        let worker = app.store.connection();
        let person = anpei_store::entity::person::Entity::find_by_id(app.demo.worker_id);
        use sea_orm::EntityTrait;
        let person = person.one(worker).await.unwrap().unwrap();
        let refused = expect_problem(
            harbin
                .post(app.url(&format!(
                    "/api/v1/exam/sessions/{}/registrations",
                    drill.examinees[0].session_id
                )))
                .json(&json!({"id_number": person.id_number, "name": person.name}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            refused["detail_zh"]
                .as_str()
                .unwrap()
                .contains("没有该工种的特种作业安全技术培训记录"),
            "{refused}"
        );
    }
);
