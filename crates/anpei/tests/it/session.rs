//! Sessions: signing in and out, and changing the password, which keeps the session that
//! changed it, ends every other one, and retires the old password.

use anpei_store::demo::DEMO_PASSWORD;
use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::support::{get, get_ok};

async fn sign_in(app: &TestApp, username: &str, password: &str) -> (Client, StatusCode) {
    let client = app.anonymous();
    let response = client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("POST session");
    (client, response.status())
}

async fn change_password(
    app: &TestApp,
    client: &Client,
    current: &str,
    new: &str,
) -> reqwest::Response {
    client
        .put(app.url("/api/v1/me/password"))
        .json(&json!({ "current_password": current, "new_password": new }))
        .send()
        .await
        .expect("PUT password")
}

both_engines!(
    signing_in_answers_with_the_account_and_signing_out_ends_the_session,
    |app| async move {
        let client = app.anonymous();
        let response = client
            .post(app.url("/api/v1/session"))
            .json(&json!({ "username": "harbin", "password": DEMO_PASSWORD }))
            .send()
            .await
            .expect("POST session");
        let account = expect_json(response, StatusCode::OK).await;
        assert_eq!(account["username"], "harbin");
        assert_eq!(account["display_name"], "哈尔滨市应急管理局");
        assert_eq!(account["scope"], "city");
        assert!(account.get("password_hash").is_none(), "{account}");

        let response = client
            .delete(app.url("/api/v1/session"))
            .send()
            .await
            .expect("DELETE session");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        expect_problem(
            get(&app, &client, "/api/v1/me").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        expect_problem(
            get(&app, &client, "/api/v1/enterprises").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
);

both_engines!(
    changing_the_password_ends_other_sessions_and_retires_the_old_one,
    |app| async move {
        let here = app.login("worker").await;
        let elsewhere = app.login("worker").await;
        let new_password = "new-pass-2026";

        let problem = expect_problem(
            change_password(&app, &here, "not-the-password-1", new_password).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "current_password");
        let problem = expect_problem(
            change_password(&app, &here, DEMO_PASSWORD, "short").await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "new_password");
        get_ok(&app, &elsewhere, "/api/v1/me").await;
        assert_eq!(
            sign_in(&app, "worker", DEMO_PASSWORD).await.1,
            StatusCode::OK,
            "refused changes change nothing"
        );

        let response = change_password(&app, &here, DEMO_PASSWORD, new_password).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        get_ok(&app, &here, "/api/v1/me").await;
        expect_problem(
            get(&app, &elsewhere, "/api/v1/me").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(
            sign_in(&app, "worker", DEMO_PASSWORD).await.1,
            StatusCode::UNAUTHORIZED
        );
        let (client, status) = sign_in(&app, "worker", new_password).await;
        assert_eq!(status, StatusCode::OK);
        get_ok(
            &app,
            &client,
            &format!("/api/v1/persons/{}", app.demo.worker_id),
        )
        .await;
    }
);
