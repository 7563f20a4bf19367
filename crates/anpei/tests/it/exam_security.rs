//! Exam sign-in that a stranger cannot take over (issue 13), through HTTP on both engines:
//! admission tickets are random, wrong ID numbers lock a ticket (429 with `Retry-After`,
//! the right pair too), a second device waits until a proctor approves it on the console
//! (and a refused one never gets a token) while the same device signs in again at once,
//! proctors see no key before the hand-in, only the site's regulators and institution may
//! be on its staff, and a sequence number reused with another answer is refused.

use anpei_store::exam::attempts::ExamDesk;
use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::exams::{answer_key, drill, paper, save, sign_in, sign_in_on};
use crate::support::ledger_verify;

async fn page(client: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post_form(
    client: &Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Any answer the question takes (the first option, or "true").
fn some_answer(item: &Value) -> Value {
    match item["kind"].as_str().unwrap() {
        "true_false" => json!({"true_false": true}),
        _ => json!({"choices": [item["options"][0]["index"]]}),
    }
}

/// Another answer to the same question.
fn other_answer(item: &Value) -> Value {
    match item["kind"].as_str().unwrap() {
        "true_false" => json!({"true_false": false}),
        _ => json!({"choices": [item["options"][1]["index"]]}),
    }
}

async fn wait(app: &TestApp, client: &Client, key: &str) -> reqwest::Response {
    client
        .get(app.url("/api/v1/exam/sign-in/wait"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

/// The action of the console's decision form for the request of `ticket`.
fn request_action(console: &str, ticket: &str) -> String {
    let start = console
        .find(&format!(
            "class=\"sign-in-request\" data-ticket=\"{ticket}\""
        ))
        .unwrap_or_else(|| panic!("no sign-in request of {ticket} on the console"));
    let rest = &console[start..];
    let action = &rest[rest.find("action=\"").unwrap() + 8..];
    action[..action.find('"').unwrap()].to_owned()
}

both_engines!(
    admission_tickets_of_a_session_are_random_not_consecutive,
    |app| async move {
        let drill = drill(&app, 6, 51).await;
        let day = anpei_store::verdicts::business_date(app.now() - chrono::Duration::minutes(1))
            .format("%Y%m%d")
            .to_string();
        let mut numbers: Vec<u64> = Vec::new();
        for e in &drill.examinees {
            assert_eq!(e.ticket.len(), 18, "{}", e.ticket);
            assert!(
                e.ticket.starts_with(&day),
                "the exam day first: {}",
                e.ticket
            );
            assert!(e.ticket.chars().all(|c| c.is_ascii_digit()));
            numbers.push(e.ticket[8..].parse().unwrap());
        }
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), 6, "unique");
        assert!(
            numbers.windows(2).all(|w| w[1] - w[0] > 1),
            "no two tickets in sequence: {numbers:?}"
        );
    }
);

both_engines!(
    wrong_id_numbers_lock_a_ticket_and_the_right_one_is_refused_during_the_lockout,
    |app| async move {
        let drill = drill(&app, 2, 52).await;
        let (e, other) = (&drill.examinees[0], &drill.examinees[1]);
        let session = e.session_id.to_string();
        // Another person's (valid) ID number: four wrong pairs are answered as such.
        for _ in 0..5 {
            let (_, response) = sign_in_on(
                &app,
                &session,
                &e.ticket,
                &other.id_number,
                "device-of-a-guesser",
            )
            .await;
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert!(
                problem["detail_zh"]
                    .as_str()
                    .unwrap()
                    .contains("准考证号或身份证号不正确")
            );
        }
        // The fifth locked the ticket: the right pair is refused too, with when to try again.
        let (_, response) = sign_in_on(
            &app,
            &session,
            &e.ticket,
            &e.id_number,
            "device-a-0000000001",
        )
        .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: i64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=600).contains(&retry), "Retry-After {retry}");
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail_zh"]
                .as_str()
                .unwrap()
                .contains("签到失败次数过多")
        );
        assert!(
            problem["detail_en"]
                .as_str()
                .unwrap()
                .contains("Too many failed sign-ins")
        );
        // The page's form says the same.
        let browser = app.anonymous();
        let response = browser
            .post(app.url(&format!("/exam/{session}")))
            .form(&[
                ("ticket", e.ticket.as_str()),
                ("id_number", e.id_number.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key("retry-after"));
        assert!(response.text().await.unwrap().contains("签到失败次数过多"));
        // Another ticket of the session is not locked.
        let (_, _, signed) = sign_in(&app, &session, &other.ticket, &other.id_number).await;
        assert_eq!(signed["resumed"], false);
    }
);

both_engines!(
    a_second_device_waits_for_the_proctor_and_only_then_gets_the_attempt,
    |app| async move {
        let drill = drill(&app, 1, 53).await;
        let e = &drill.examinees[0];
        let session = e.session_id.to_string();
        let (first, token, signed) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        let attempt = signed["attempt_id"].as_str().unwrap().to_owned();
        let items =
            expect_json(paper(&app, &first, &token).await, StatusCode::OK).await["items"].clone();
        expect_json(
            save(&app, &first, &token, 1, 0, some_answer(&items[0])).await,
            StatusCode::OK,
        )
        .await;

        // A second device: parked, with a waiting key that opens nothing.
        let (second, response) = sign_in_on(
            &app,
            &session,
            &e.ticket,
            &e.id_number,
            "device-b-0000000002",
        )
        .await;
        let waiting = expect_json(response, StatusCode::ACCEPTED).await;
        assert_eq!(waiting["status"], "pending");
        assert!(waiting.get("token").is_none(), "no token while waiting");
        assert!(
            waiting["message_zh"]
                .as_str()
                .unwrap()
                .contains("等待监考员确认")
        );
        let key = waiting["request"].as_str().unwrap().to_owned();
        expect_problem(paper(&app, &second, &key).await, StatusCode::UNAUTHORIZED).await;
        let still = expect_json(wait(&app, &second, &key).await, StatusCode::ACCEPTED).await;
        assert!(still.get("token").is_none());
        // The first device keeps answering meanwhile.
        expect_json(
            save(&app, &first, &token, 2, 1, some_answer(&items[1])).await,
            StatusCode::OK,
        )
        .await;

        // The proctor sees the request on the console and approves it with its button.
        let harbin = app.login("harbin").await;
        let (status, console) = page(&harbin, &app, &format!("/exams/{session}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            console.contains("待确认的签到")
                && console.contains("批准")
                && console.contains("拒绝")
        );
        let action = request_action(&console, &e.ticket);
        let (status, console) = post_form(&harbin, &app, &action, &[("decision", "approve")]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!console.contains("class=\"sign-in-request\""), "answered");

        // Now, and only now, the second device gets the token; the first one's has ended.
        let approved = expect_json(wait(&app, &second, &key).await, StatusCode::OK).await;
        let token2 = approved["token"].as_str().unwrap().to_owned();
        let resumed = expect_json(paper(&app, &second, &token2).await, StatusCode::OK).await;
        assert_eq!(resumed["attempt_id"], attempt.as_str());
        assert_eq!(
            resumed["last_seq"], 2,
            "the first device's answers are there"
        );
        expect_problem(
            save(&app, &first, &token, 3, 2, some_answer(&items[2])).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        expect_problem(paper(&app, &first, &token).await, StatusCode::UNAUTHORIZED).await;
        expect_json(
            save(&app, &second, &token2, 3, 2, some_answer(&items[2])).await,
            StatusCode::OK,
        )
        .await;
        // A second approval of the same request is refused.
        let (status, _) = post_form(&harbin, &app, &action, &[("decision", "approve")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // The timeline has the request and the approval, and the ledger holds.
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
        let details: Vec<String> = review["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                format!(
                    "{} {}",
                    t["kind"].as_str().unwrap(),
                    t["detail"].as_str().unwrap()
                )
            })
            .collect();
        assert!(
            details.iter().any(|d| d.starts_with("sign_in_request")),
            "{details:?}"
        );
        assert!(
            details
                .iter()
                .any(|d| d.starts_with("sign_in_again") && d.contains("approved by")),
            "{details:?}"
        );
        let (code, report) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{report}");
    }
);

both_engines!(
    a_refused_device_never_gets_a_token_and_the_same_device_needs_no_proctor,
    |app| async move {
        let drill = drill(&app, 1, 54).await;
        let e = &drill.examinees[0];
        let session = e.session_id.to_string();
        let (first, token, _) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        let items =
            expect_json(paper(&app, &first, &token).await, StatusCode::OK).await["items"].clone();

        let (second, response) = sign_in_on(
            &app,
            &session,
            &e.ticket,
            &e.id_number,
            "device-c-0000000003",
        )
        .await;
        let key = expect_json(response, StatusCode::ACCEPTED).await["request"]
            .as_str()
            .unwrap()
            .to_owned();
        let harbin = app.login("harbin").await;
        let (_, console) = page(&harbin, &app, &format!("/exams/{session}")).await;
        let action = request_action(&console, &e.ticket);
        let (status, _) = post_form(&harbin, &app, &action, &[("decision", "reject")]).await;
        assert_eq!(status, StatusCode::OK);
        let refused = expect_problem(wait(&app, &second, &key).await, StatusCode::FORBIDDEN).await;
        assert!(refused["detail_zh"].as_str().unwrap().contains("未批准"));
        expect_problem(paper(&app, &second, &key).await, StatusCode::UNAUTHORIZED).await;
        // An approval after the refusal changes nothing.
        let (status, _) = post_form(&harbin, &app, &action, &[("decision", "approve")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        expect_problem(wait(&app, &second, &key).await, StatusCode::FORBIDDEN).await;
        expect_json(
            save(&app, &first, &token, 1, 0, some_answer(&items[0])).await,
            StatusCode::OK,
        )
        .await;

        // The first device itself signs in again (a cleared cookie, a restarted browser):
        // at once, with a new token; the old one ends.
        let (again, token2, signed) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        assert_eq!(signed["resumed"], true);
        let view = expect_json(paper(&app, &again, &token2).await, StatusCode::OK).await;
        assert_eq!(view["last_seq"], 1);
        expect_problem(paper(&app, &first, &token).await, StatusCode::UNAUTHORIZED).await;
    }
);

both_engines!(
    the_proctors_answer_view_shows_no_key_before_the_hand_in,
    |app| async move {
        let drill = drill(&app, 1, 55).await;
        let e = &drill.examinees[0];
        let session = e.session_id.to_string();
        let (client, token, signed) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        let attempt = signed["attempt_id"].as_str().unwrap().to_owned();
        let keys = answer_key(&app, &e.person_id.to_string(), &attempt).await;
        expect_json(
            save(&app, &client, &token, 1, 0, keys[0].clone()).await,
            StatusCode::OK,
        )
        .await;
        let harbin = app.login("harbin").await;
        let review = format!("/exams/{session}/attempts/{}/{attempt}", e.person_id);
        let (status, html) = page(&harbin, &app, &review).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("交卷后才显示正确答案"));
        assert!(html.contains("作答："), "the answers given are shown");
        for key_marks in [
            "正确答案：",
            "class=\"key\"",
            "class=\"right\"",
            "class=\"wrong\"",
        ] {
            assert!(!html.contains(key_marks), "{key_marks} before the hand-in");
        }
        let json = expect_json(
            harbin
                .get(app.url(&format!(
                    "/api/v1{}",
                    review.replacen("/exams/", "/exam/sessions/", 1)
                )))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            json["paper"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i.get("key").is_none()),
            "no key in the JSON either"
        );
        // Handed in, the key shows.
        expect_json(
            client
                .post(app.url("/api/v1/exam/submit"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let (_, html) = page(&harbin, &app, &review).await;
        assert!(html.contains("正确答案：") && html.contains("class=\"right\""));
    }
);

both_engines!(
    only_the_sites_regulators_and_institution_may_be_on_its_staff,
    |app| async move {
        let drill = drill(&app, 1, 56).await;
        let session = drill.examinees[0].session_id.to_string();
        let harbin = app.login("harbin").await;
        for refused in ["enterprise", "qiqihar"] {
            let (status, html) = post_form(
                &harbin,
                &app,
                &format!("/exams/{session}/staff"),
                &[("username", refused), ("duty", "proctor")],
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
            assert!(
                html.contains(&format!("账号 {refused} 不能担任本场考务")),
                "the account is named: {refused}"
            );
        }
        // The institution running the site and the province may.
        for allowed in ["institution", "province"] {
            let (status, html) = post_form(
                &harbin,
                &app,
                &format!("/exams/{session}/staff"),
                &[("username", allowed), ("duty", "proctor")],
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{allowed}: {html}");
        }
    }
);

both_engines!(
    a_reused_sequence_number_with_another_answer_is_refused_and_changes_nothing,
    |app| async move {
        let drill = drill(&app, 1, 57).await;
        let e = &drill.examinees[0];
        let session = e.session_id.to_string();
        let (client, token, _) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        let items =
            expect_json(paper(&app, &client, &token).await, StatusCode::OK).await["items"].clone();
        let (first, second) = (some_answer(&items[0]), other_answer(&items[0]));
        expect_json(
            save(&app, &client, &token, 1, 0, first.clone()).await,
            StatusCode::OK,
        )
        .await;
        // The same answer again: acknowledged as a repeat.
        let again = expect_json(
            save(&app, &client, &token, 1, 0, first.clone()).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(again["repeated"], true);
        // Another answer, or another question, under the same number: refused.
        let conflict = expect_problem(
            save(&app, &client, &token, 1, 0, second.clone()).await,
            StatusCode::CONFLICT,
        )
        .await;
        assert!(
            conflict["detail_zh"]
                .as_str()
                .unwrap()
                .contains("序号 1 已保存了另一个答案")
        );
        expect_problem(
            save(&app, &client, &token, 1, 1, some_answer(&items[1])).await,
            StatusCode::CONFLICT,
        )
        .await;
        let view = expect_json(paper(&app, &client, &token).await, StatusCode::OK).await;
        assert_eq!(
            view["items"][0]["answer"], first,
            "the stored answer is unchanged"
        );
        assert_eq!(view["last_seq"], 1);
        // A number far beyond the last one is refused; within reach it is taken.
        let far = expect_problem(
            save(&app, &client, &token, 1_002, 1, some_answer(&items[1])).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(far["field"], "seq");
        expect_json(
            save(&app, &client, &token, 2, 0, second.clone()).await,
            StatusCode::OK,
        )
        .await;
        // A writer that has just started (a restarted server) knows the numbers too.
        let desk = ExamDesk::start(app.store.clone());
        let response = |r: &Value| match r.get("true_false") {
            Some(b) => anpei_domain::exam::Response::TrueFalse(b.as_bool().unwrap()),
            None => {
                anpei_domain::exam::Response::Choices(vec![r["choices"][0].as_u64().unwrap() as u8])
            }
        };
        let ack = desk
            .save(&token, 2, 0, response(&second), app.now())
            .await
            .unwrap();
        assert!(ack.repeated);
        assert!(matches!(
            desk.save(&token, 2, 0, response(&first), app.now()).await,
            Err(anpei_store::StoreError::Conflict { .. })
        ));
    }
);
