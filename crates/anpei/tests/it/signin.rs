//! Sign-in that resists guessing (issue 13, item 3): wrong passwords are answered, then
//! slowed, then locked out, and logged; the session id changes at every sign-in; sessions
//! end after 30 minutes idle or 12 hours in all, on the server's clock; the cookie does not
//! outlive the browser.

use anpei_store::demo::{DEMO_PASSWORD, DemoSpec};
use anpei_testkit::{Engine, TestApp, both_engines, expect_json, expect_problem};
use anpei_web::clock::Clock;
use chrono::TimeDelta;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use serde_json::json;

async fn try_sign_in(app: &TestApp, client: &Client, username: &str, password: &str) -> Response {
    client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("POST /api/v1/session")
}

/// The session cookie a response sets, as `name=value`, and the whole header.
fn session_cookie(response: &Response) -> (String, String) {
    let header = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("anpei_session="))
        .unwrap_or_else(|| panic!("a session cookie is set: {:?}", response.headers()))
        .to_owned();
    let pair = header.split(';').next().unwrap_or_default().to_owned();
    (pair, header)
}

/// `GET /api/v1/me` with exactly this cookie (no cookie jar).
async fn me_with(app: &TestApp, cookie: &str) -> StatusCode {
    app.anonymous()
        .get(app.url("/api/v1/me"))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("GET /api/v1/me")
        .status()
}

both_engines!(
    twenty_wrong_passwords_are_answered_then_slowed_then_locked_and_logged,
    |app| async move {
        let client = app.anonymous();
        let mut statuses = Vec::new();
        let mut last = None;
        for n in 0..20 {
            let response =
                try_sign_in(&app, &client, "enterprise", &format!("wrong-password-{n}")).await;
            statuses.push(response.status());
            last = Some(response);
        }
        // Five answered as wrong, then refused unchecked (429 with Retry-After).
        assert!(
            statuses[..5].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
            "{statuses:?}"
        );
        assert!(
            statuses[5..]
                .iter()
                .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
            "{statuses:?}"
        );
        let last = last.unwrap();
        let retry: u64 = last.headers()[RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            retry > 10 * 60,
            "locked for about 15 minutes, not {retry} s"
        );
        let problem = expect_problem(last, StatusCode::TOO_MANY_REQUESTS).await;
        assert!(
            problem["detail_zh"]
                .as_str()
                .unwrap()
                .contains("已临时锁定"),
            "{problem}"
        );

        // The right password is refused too while the lockout lasts, on the page as well.
        let response = try_sign_in(&app, &app.anonymous(), "enterprise", DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let page = app
            .anonymous()
            .post(app.url("/login"))
            .form(&[("username", "enterprise"), ("password", DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
        let html = page.text().await.unwrap();
        assert!(html.contains("已临时锁定"), "the sign-in page says why");
        assert!(
            html.contains("value=\"enterprise\""),
            "the page keeps the username"
        );

        // Other accounts are not affected.
        let response = try_sign_in(&app, &app.anonymous(), "harbin", DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);

        // Each failure is logged with the account, without the password.
        let logs = anpei_testkit::logs();
        let failures = logs
            .lines()
            .filter(|l| l.contains("sign-in failed") && l.contains("username=enterprise"))
            .count();
        assert!(failures >= 5, "failures are logged:\n{logs}");
        assert!(logs.contains("sign-in refused: too many failures"));
        assert!(
            !logs.contains("wrong-password-"),
            "passwords are never logged"
        );
    }
);

both_engines!(
    a_username_that_is_an_id_number_is_masked_in_the_log,
    |app| async move {
        let person = app.demo.worker_id;
        let id_number = app.full_id_number(person).await;
        let response = try_sign_in(&app, &app.anonymous(), &id_number, "not-this-1").await;
        expect_problem(response, StatusCode::UNAUTHORIZED).await;
        let logs = anpei_testkit::logs();
        assert!(logs.contains("sign-in failed"), "{logs}");
        assert!(!logs.contains(&id_number), "no full ID number in the log");
    }
);

both_engines!(
    the_session_id_changes_at_every_sign_in_and_the_old_one_is_dead,
    |app| async move {
        // One browser (one cookie jar) signs in as one account, then as another.
        let client = app.anonymous();
        let first = try_sign_in(&app, &client, "worker", DEMO_PASSWORD).await;
        let (first_cookie, header) = session_cookie(&first);
        expect_json(first, StatusCode::OK).await;
        // The cookie ends with the browser: no Max-Age, no Expires.
        let lower = header.to_lowercase();
        assert!(
            !lower.contains("max-age") && !lower.contains("expires"),
            "{header}"
        );
        assert!(lower.contains("httponly"), "{header}");
        assert_eq!(me_with(&app, &first_cookie).await, StatusCode::OK);

        let second = try_sign_in(&app, &client, "enterprise", DEMO_PASSWORD).await;
        let (second_cookie, _) = session_cookie(&second);
        let me = expect_json(second, StatusCode::OK).await;
        assert_eq!(me["username"], "enterprise");
        assert_ne!(first_cookie, second_cookie, "a new id at sign-in");
        // The id handed out before no longer opens anything (fixation across accounts).
        assert_eq!(me_with(&app, &first_cookie).await, StatusCode::UNAUTHORIZED);
        assert_eq!(me_with(&app, &second_cookie).await, StatusCode::OK);
    }
);

/// Sessions end on the server's clock; this test moves its own app's clock.
async fn sessions_end_after_30_idle_minutes_and_12_hours_in_all(engine: Engine) {
    let clock = Clock::starting_at(anpei_testkit::clock_start());
    let Some(app) = anpei_testkit::spawn_app_on_or_skip(
        engine,
        DemoSpec {
            people: 50,
            seed: 3,
        },
        clock,
    )
    .await
    else {
        return;
    };
    // Idle: 29 minutes are fine, and each request pushes the deadline back; 31 are not.
    let client = app.login("province").await;
    let me = |client: Client| {
        let url = app.url("/api/v1/me");
        async move { client.get(url).send().await.unwrap().status() }
    };
    app.clock.advance(TimeDelta::minutes(29));
    assert_eq!(me(client.clone()).await, StatusCode::OK);
    app.clock.advance(TimeDelta::minutes(29));
    assert_eq!(me(client.clone()).await, StatusCode::OK);
    app.clock.advance(TimeDelta::minutes(31));
    assert_eq!(me(client.clone()).await, StatusCode::UNAUTHORIZED);

    // Absolute: a request every 20 minutes keeps it for 12 hours, and not a minute more.
    let client = app.login("province").await;
    for _ in 0..35 {
        app.clock.advance(TimeDelta::minutes(20));
        assert_eq!(me(client.clone()).await, StatusCode::OK);
    }
    app.clock.advance(TimeDelta::minutes(21));
    assert_eq!(me(client.clone()).await, StatusCode::UNAUTHORIZED);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_idle_and_absolute_limits_on_sqlite() {
    sessions_end_after_30_idle_minutes_and_12_hours_in_all(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_idle_and_absolute_limits_on_postgres() {
    sessions_end_after_30_idle_minutes_and_12_hours_in_all(Engine::Postgres).await;
}
