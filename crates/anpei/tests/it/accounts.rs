//! Accounts for a real deployment (issue 13, item 1): the command line bootstraps the first
//! province administrator on a database without the demo, who signs in with a TOTP code
//! enrolled at the first sign-in; administrators act within their jurisdiction only, and
//! every action is ledgered (without secrets); disabled and pending accounts cannot sign
//! in; a forced password change blocks everything else; reset links work once; the password
//! policy says why it refuses; enterprises register themselves and are approved by their
//! city; workers sign up with a code from the outbox.

use std::process::{Output, Stdio};

use anpei_store::demo::DEMO_PASSWORD;
use anpei_store::ops::accounts::totp;
use anpei_store::{Store, StoreConfig};
use anpei_testkit::{
    Engine, TestApp, TestDatabase, both_engines, client_builder, expect_json, expect_problem,
};
use reqwest::{Client, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::support::{get, get_ok, uuid_of};

/// The strong password the tests give new accounts.
const STRONG: &str = "Longer-pass-2026x";

/// Runs the built `anpei` with `stdin` piped in.
async fn anpei_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_anpei"))
        .args(args)
        .env_remove("ANPEI_DATABASE_URL")
        .env_remove("ANPEI_LEDGER_KEY")
        .env("ANPEI_CLOCK_START", anpei_testkit::now().to_rfc3339())
        .env("ANPEI_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the anpei binary");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    child.wait_with_output().await.unwrap()
}

/// A server over a database that holds no demo.
pub(crate) struct Served {
    pub base: String,
    pub store: Store,
    server: tokio::task::JoinHandle<()>,
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn client(&self) -> Client {
        client_builder(&self.base).build().unwrap()
    }

    pub async fn stop(self) {
        self.server.abort();
        self.store.connection().close_by_ref().await.ok();
    }
}

fn key_path(db: &TestDatabase) -> String {
    db.dir.join("ledger-sm2.key").display().to_string()
}

pub(crate) async fn serve(db: &TestDatabase) -> Served {
    let store = Store::open(&StoreConfig {
        database_url: db.url.clone(),
        ledger_key_path: db.dir.join("ledger-sm2.key"),
        checkpoint_every: 100,
        max_connections: 5,
        background_wal_checkpoints: false,
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = anpei_web::app(
        store.clone(),
        anpei_web::WebConfig {
            clock: anpei_testkit::clock().clone(),
            ..anpei_web::WebConfig::new(anpei_web::security::PublicUrl::parse(&base).unwrap())
        },
    );
    let server = tokio::spawn(async move {
        anpei_web::serve(listener, router).await.ok();
    });
    Served {
        base,
        store,
        server,
    }
}

/// `anpei migrate` then `anpei account create` of the province administrator `admin`,
/// the password on stdin.
pub(crate) async fn bootstrap_province(db: &TestDatabase) {
    let migrated = crate::support::anpei(&["--database", &db.url, "migrate"]).await;
    assert!(migrated.status.success(), "{migrated:?}");
    let created = create_account(db, "admin", "province_regulator", "230000", STRONG).await;
    assert!(created.status.success(), "{created:?}");
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(stdout.contains("admin"), "{stdout}");
}

async fn create_account(
    db: &TestDatabase,
    username: &str,
    role: &str,
    region: &str,
    password: &str,
) -> Output {
    anpei_with_stdin(
        &[
            "--database",
            &db.url,
            "--ledger-key",
            &key_path(db),
            "account",
            "create",
            "--role",
            role,
            "--region",
            region,
            "--username",
            username,
            "--name",
            "黑龙江省应急管理厅",
        ],
        &format!("{password}\n"),
    )
    .await
}

/// The text between `id="{id}">` and the next `<` in a page.
pub(crate) fn element_text(page: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\">");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('<')? + start;
    Some(page[start..end].trim().to_owned())
}

/// The TOTP code of `secret` (base32) `offset` steps from now on the tests' clock.
pub(crate) fn totp_code(secret: &str, offset: i64) -> String {
    let key = totp::from_base32(secret).unwrap();
    totp::code_at(
        &key,
        totp::step_of(anpei_testkit::now()) + offset,
        totp::DIGITS,
    )
}

/// Signs in on the pages: password, then (enrolling at the first time) the TOTP code.
/// Returns the enrolled secret when there was an enrolment.
async fn page_sign_in(
    client: &Client,
    base: &str,
    username: &str,
    password: &str,
    secret: Option<&str>,
) -> String {
    let page = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("动态验证码"), "the code is asked: {html}");
    let secret = match secret {
        Some(known) => {
            assert!(
                element_text(&html, "totp-secret").is_none(),
                "enrolled once"
            );
            known.to_owned()
        }
        None => {
            let secret = element_text(&html, "totp-secret").expect("the enrolment shows a key");
            let uri = element_text(&html, "totp-uri").expect("the otpauth URI as text");
            assert!(uri.starts_with("otpauth://totp/"), "{uri}");
            assert!(uri.contains(&format!("secret={secret}")), "{uri}");
            assert!(html.contains("<svg"), "and as a QR code");
            secret
        }
    };
    // A wrong code is refused and counted like a wrong password.
    let wrong = client
        .post(format!("{base}/login/code"))
        .form(&[("code", "000000"), ("next", "/")])
        .send()
        .await
        .unwrap();
    let wrong_is_right = totp_code(&secret, 0) == "000000";
    if !wrong_is_right {
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let offset = if secret_was_used(&secret) { 1 } else { 0 };
    let done = client
        .post(format!("{base}/login/code"))
        .form(&[("code", totp_code(&secret, offset).as_str()), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        StatusCode::OK,
        "{}",
        done.text().await.unwrap()
    );
    secret
}

/// Codes are good once: a test that signs in twice within 30 s uses the next step's code
/// the second time (accepted: one step either side).
fn secret_was_used(secret: &str) -> bool {
    static USED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut used = USED.lock().unwrap();
    if used.iter().any(|s| s == secret) {
        true
    } else {
        used.push(secret.to_owned());
        false
    }
}

async fn me(client: &Client, base: &str) -> Value {
    let response = client
        .get(format!("{base}/api/v1/me"))
        .send()
        .await
        .unwrap();
    expect_json(response, StatusCode::OK).await
}

async fn api_sign_in(base: &str, body: Value) -> (Client, reqwest::Response) {
    let client = client_builder(base).build().unwrap();
    let response = client
        .post(format!("{base}/api/v1/session"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (client, response)
}

/// The ledger's account entries: (action, state).
async fn account_entries(db: &impl ConnectionTrait) -> Vec<(String, String)> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT action, state FROM ledger_entries WHERE entity = 'accounts' ORDER BY seq",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get::<String>("", "action").unwrap(),
                row.try_get::<Option<String>>("", "state")
                    .unwrap()
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn assert_no_secrets(entries: &[(String, String)]) {
    for (action, state) in entries {
        for secret in ["argon2", "password_hash", "totp_secret", "token", STRONG] {
            assert!(
                !state.contains(secret),
                "{action}: a ledger state holds no secret ({secret}): {state}"
            );
        }
    }
}

async fn cli_bootstrap(engine: Engine) {
    let Some(db) = anpei_testkit::fresh_database(engine).await else {
        return;
    };
    bootstrap_province(&db).await;
    // The demo's usernames exist only on a demo database.
    let refused = create_account(&db, "province", "province_regulator", "230000", STRONG).await;
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("演示账号"), "{stderr}");
    // The policy refuses the published demo password here, and says why.
    let weak = create_account(&db, "admin2", "province_regulator", "230000", DEMO_PASSWORD).await;
    assert_eq!(weak.status.code(), Some(2), "{weak:?}");
    let stderr = String::from_utf8_lossy(&weak.stderr);
    assert!(
        stderr.contains("演示密码") && stderr.contains("demo password"),
        "{stderr}"
    );
    let short = create_account(&db, "admin3", "province_regulator", "230000", "abc123").await;
    assert!(String::from_utf8_lossy(&short.stderr).contains("至少10位"));

    let served = serve(&db).await;
    // No demo here: no banner, and the API wants the code.
    let login_page = served
        .client()
        .get(served.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!login_page.contains("demo-banner"), "{login_page}");
    let (_, response) = api_sign_in(
        &served.base,
        json!({ "username": "admin", "password": STRONG }),
    )
    .await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["field"], "totp");

    let client = served.client();
    let secret = page_sign_in(&client, &served.base, "admin", STRONG, None).await;
    let account = me(&client, &served.base).await;
    assert_eq!(account["role"], "province_regulator");
    assert_eq!(account["must_change_password"], false);
    // Then the API with the code.
    let (api, response) = api_sign_in(
        &served.base,
        json!({ "username": "admin", "password": STRONG, "totp": totp_code(&secret, 1) }),
    )
    .await;
    expect_json(response, StatusCode::OK).await;
    let accounts = get_json(&api, &served.url("/api/v1/accounts")).await;
    assert_eq!(accounts["total"], 1, "{accounts}");

    let entries = account_entries(served.store.connection()).await;
    let actions: Vec<&str> = entries.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["account.create", "account.totp_enrolled"]);
    assert_no_secrets(&entries);
    served.stop().await;
    let (code, out) = ledger_verify_db(&db).await;
    assert_eq!(code, 0, "{out}");
    db.cleanup().await;
}

async fn ledger_verify_db(db: &TestDatabase) -> (i32, String) {
    let output = crate::support::anpei(&[
        "--database",
        &db.url,
        "--ledger-key",
        &key_path(db),
        "ledger",
        "verify",
    ])
    .await;
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

async fn get_json(client: &Client, url: &str) -> Value {
    expect_json(client.get(url).send().await.unwrap(), StatusCode::OK).await
}

mod the_cli_bootstraps_a_province_administrator_who_signs_in_with_totp {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        cli_bootstrap(Engine::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        cli_bootstrap(Engine::Postgres).await;
    }
}

async fn post_json(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

both_engines!(
    administrators_act_within_their_jurisdiction_and_every_action_is_ledgered,
    |app| async move {
        // A demo database says so on every page, signed in or not.
        let login_page = app.anonymous().get(app.url("/login")).send().await.unwrap();
        let html = login_page.text().await.unwrap();
        assert!(
            html.contains("demo-banner") && html.contains("演示数据 · 仅供体验"),
            "{html}"
        );
        let province = app.login("province").await;
        let harbin = app.login("harbin").await;
        let qiqihar = app.login("qiqihar").await;
        let before = account_entries(app.store.connection()).await.len();

        // The province creates a city regulator with a one-time set-password link.
        let created = expect_json(
            post_json(
                &app,
                &province,
                "/api/v1/accounts",
                json!({ "username": "mudanjiang", "display_name": "牡丹江市应急管理局",
                        "role": "city_regulator", "region_code": "231000" }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(created["account"]["role"], "city_regulator");
        let link = created["setup_link"].as_str().unwrap().to_owned();
        assert!(link.starts_with(&app.url("/account/setup/")), "{link}");

        // A city may not create regulators, nor touch another city's accounts: nothing is
        // written either way.
        let head = app.ledger_head().await;
        let refused = post_json(
            &app,
            &harbin,
            "/api/v1/accounts",
            json!({ "username": "daqing", "display_name": "大庆市应急管理局",
                    "role": "city_regulator", "region_code": "230600" }),
        )
        .await;
        expect_problem(refused, StatusCode::FORBIDDEN).await;
        let enterprise_id = find_account(&app, &province, "enterprise").await;
        let out_of_reach = post_json(
            &app,
            &qiqihar,
            &format!("/api/v1/accounts/{enterprise_id}/disable"),
            json!({}),
        )
        .await;
        expect_problem(out_of_reach, StatusCode::NOT_FOUND).await;
        let worker_tries = post_json(
            &app,
            &app.login("worker").await,
            "/api/v1/accounts",
            json!({ "username": "x1234", "display_name": "某某", "role": "enterprise" }),
        )
        .await;
        expect_problem(worker_tries, StatusCode::FORBIDDEN).await;
        assert_eq!(app.ledger_head().await, head, "refusals write nothing");

        // Harbin disables the Harbin enterprise's account: it cannot sign in, its session
        // ends; re-enabled, it can.
        let enterprise = app.login("enterprise").await;
        let disabled = expect_json(
            post_json(
                &app,
                &harbin,
                &format!("/api/v1/accounts/{enterprise_id}/disable"),
                json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(disabled["status"], "disabled");
        expect_problem(
            get(&app, &enterprise, "/api/v1/me").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        let (_, response) = api_sign_in(
            &app.base,
            json!({ "username": "enterprise", "password": DEMO_PASSWORD }),
        )
        .await;
        let problem = expect_problem(response, StatusCode::UNAUTHORIZED).await;
        assert_eq!(
            problem["detail_zh"], "用户名或密码不正确",
            "as a wrong password"
        );
        assert!(anpei_testkit::logs().contains("the account is disabled"));
        expect_json(
            post_json(
                &app,
                &harbin,
                &format!("/api/v1/accounts/{enterprise_id}/enable"),
                json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        app.login("enterprise").await;

        // A reset link, issued by the province for the HR account, works once.
        let hr_id = find_account(&app, &province, "hr").await;
        let reset = expect_json(
            post_json(
                &app,
                &province,
                &format!("/api/v1/accounts/{hr_id}/reset-link"),
                json!({}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let reset_link = reset["link"].as_str().unwrap().to_owned();
        let anonymous = app.anonymous();
        let form = anonymous.get(&reset_link).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        assert!(form.text().await.unwrap().contains(">hr<"));
        let weak = anonymous
            .post(&reset_link)
            .form(&[("new_password", "hr12345"), ("confirm_password", "hr12345")])
            .send()
            .await
            .unwrap();
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(weak.text().await.unwrap().contains("至少10位"));
        let used = anonymous
            .post(&reset_link)
            .form(&[("new_password", STRONG), ("confirm_password", STRONG)])
            .send()
            .await
            .unwrap();
        assert_eq!(used.status(), StatusCode::OK);
        let again = anonymous
            .post(&reset_link)
            .form(&[("new_password", STRONG), ("confirm_password", STRONG)])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().await.unwrap().contains("链接无效"));
        let (_, response) =
            api_sign_in(&app.base, json!({ "username": "hr", "password": STRONG })).await;
        expect_json(response, StatusCode::OK).await;

        let entries = account_entries(app.store.connection()).await;
        let actions: Vec<&str> = entries[before..].iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            actions,
            [
                "account.create",
                "account.disable",
                "account.enable",
                "account.password_reset_issued",
                "account.password_reset_used"
            ]
        );
        assert_no_secrets(&entries);
        let (code, out) = crate::support::ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");
    }
);

/// The id of the account `username`, from the province's list.
async fn find_account(app: &TestApp, province: &Client, username: &str) -> String {
    let page = get_ok(
        app,
        province,
        &format!("/api/v1/accounts?q={username}&per_page=50"),
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {page}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_engines!(
    a_forced_password_change_blocks_everything_else_and_the_policy_says_why,
    |app| async move {
        let province = app.login("province").await;
        let enterprise_id = app.demo.enterprise_id;
        let enterprise = get_ok(
            &app,
            &province,
            &format!("/api/v1/enterprises/{enterprise_id}"),
        )
        .await;
        let credit_code = enterprise["credit_code"].as_str().unwrap();
        let created = expect_json(
            post_json(
                &app,
                &province,
                "/api/v1/accounts",
                json!({ "username": "manager2", "display_name": "第二安全管理员",
                        "role": "enterprise", "credit_code": credit_code,
                        "initial_password": "Initial-pass-99" }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert!(created["setup_link"].is_null());
        assert_eq!(created["account"]["must_change_password"], true);

        let (client, response) = api_sign_in(
            &app.base,
            json!({ "username": "manager2", "password": "Initial-pass-99" }),
        )
        .await;
        let me = expect_json(response, StatusCode::OK).await;
        assert_eq!(me["must_change_password"], true);
        let blocked = expect_problem(
            get(
                &app,
                &client,
                &format!("/api/v1/enterprises/{enterprise_id}"),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_eq!(blocked["type"], "/problems/password-change-required");
        // The pages send it to the password page, which says why.
        let page = client.get(app.url("/persons")).send().await.unwrap();
        assert!(
            page.url().path().ends_with("/account/password"),
            "{}",
            page.url()
        );
        assert!(page.text().await.unwrap().contains("forced-change"));

        for (weak, reason) in [
            ("short1", "至少10位"),
            ("onlyletterslong", "至少10位"),
            ("manager2-secret1", "用户名"),
            ("password1234", "过于常见"),
        ] {
            let problem = expect_problem(
                client
                    .put(app.url("/api/v1/me/password"))
                    .json(&json!({ "current_password": "Initial-pass-99", "new_password": weak }))
                    .send()
                    .await
                    .unwrap(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(problem["field"], "new_password", "{weak}");
            assert!(
                problem["detail_zh"].as_str().unwrap().contains(reason),
                "{weak}: {problem}"
            );
        }
        let changed = client
            .put(app.url("/api/v1/me/password"))
            .json(&json!({ "current_password": "Initial-pass-99", "new_password": STRONG }))
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::NO_CONTENT);
        get_ok(
            &app,
            &client,
            &format!("/api/v1/enterprises/{enterprise_id}"),
        )
        .await;

        // The enterprise manages its own safety managers: it may disable manager2, not
        // create a regulator.
        let own = app.login("enterprise").await;
        let manager2 = uuid_of(&created["account"]["id"]);
        expect_json(
            post_json(
                &app,
                &own,
                &format!("/api/v1/accounts/{manager2}/disable"),
                json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        expect_problem(
            post_json(
                &app,
                &own,
                "/api/v1/accounts",
                json!({ "username": "sneaky", "display_name": "某市应急管理局",
                        "role": "city_regulator", "region_code": "230100" }),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
);

both_engines!(
    a_regulator_made_by_the_province_enrols_totp_and_changes_its_first_password,
    |app| async move {
        let province = app.login("province").await;
        expect_json(
            post_json(
                &app,
                &province,
                "/api/v1/accounts",
                json!({ "username": "jixi", "display_name": "鸡西市应急管理局",
                        "role": "city_regulator", "region_code": "230300",
                        "initial_password": "Initial-pass-77" }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let client = app.anonymous();
        page_sign_in(&client, &app.base, "jixi", "Initial-pass-77", None).await;
        let me = me(&client, &app.base).await;
        assert_eq!(me["scope"], "city");
        assert_eq!(me["must_change_password"], true);
        // Only the password page until the change.
        expect_problem(
            get(&app, &client, "/api/v1/accounts").await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let changed = client
            .post(app.url("/account/password"))
            .form(&[
                ("current_password", "Initial-pass-77"),
                ("new_password", STRONG),
                ("confirm_password", STRONG),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        get_ok(&app, &client, "/api/v1/accounts").await;
        let actions: Vec<String> = account_entries(app.store.connection())
            .await
            .into_iter()
            .map(|(a, _)| a)
            .rev()
            .take(3)
            .collect();
        assert_eq!(
            actions,
            [
                "account.password_changed",
                "account.totp_enrolled",
                "account.create"
            ]
        );
    }
);

/// An enterprise registers itself in Harbin: (its credit code, the pending account's client
/// form). Returns the credit code.
pub(crate) async fn register_enterprise(base: &str, username: &str, serial: u32) -> String {
    let credit_code = anpei_domain::CreditCode::synthesize("230102", serial)
        .unwrap()
        .as_str()
        .to_owned();
    let client = client_builder(base).build().unwrap();
    let response = client
        .post(format!("{base}/register/enterprise"))
        .form(&[
            ("credit_code", credit_code.as_str()),
            ("enterprise_name", "哈尔滨自注册化工有限公司"),
            ("industry", "hazchem"),
            ("region_code", "230102"),
            ("legal_representative", "王建国"),
            ("manager_name", "李安全"),
            ("manager_phone", "17012340001"),
            ("username", username),
            ("password", "Register-pass-1"),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let html = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("待审核"), "{html}");
    credit_code
}

both_engines!(
    a_self_registered_enterprise_waits_for_its_city_then_changes_its_password,
    |app| async move {
        register_enterprise(&app.base, "selfreg", 77_000_001).await;
        // Pending: refused like a wrong password.
        let (_, response) = api_sign_in(
            &app.base,
            json!({ "username": "selfreg", "password": "Register-pass-1" }),
        )
        .await;
        expect_problem(response, StatusCode::UNAUTHORIZED).await;
        // Qiqihar does not see it; Harbin does, and approves.
        let qiqihar = app.login("qiqihar").await;
        let seen = get_ok(&app, &qiqihar, "/api/v1/accounts?status=pending").await;
        assert_eq!(seen["total"], 0, "{seen}");
        let harbin = app.login("harbin").await;
        let pending = get_ok(&app, &harbin, "/api/v1/accounts?status=pending").await;
        assert_eq!(pending["total"], 1, "{pending}");
        let id = pending["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            pending["items"][0]["registration_name"],
            "哈尔滨自注册化工有限公司"
        );
        let enterprises_before = app.count_rows("enterprises").await;
        expect_problem(
            post_json(
                &app,
                &qiqihar,
                &format!("/api/v1/accounts/{id}/approve"),
                json!({}),
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
        let approved = expect_json(
            post_json(
                &app,
                &harbin,
                &format!("/api/v1/accounts/{id}/approve"),
                json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(approved["status"], "active");
        assert_eq!(app.count_rows("enterprises").await, enterprises_before + 1);

        let (client, response) = api_sign_in(
            &app.base,
            json!({ "username": "selfreg", "password": "Register-pass-1" }),
        )
        .await;
        let me = expect_json(response, StatusCode::OK).await;
        assert_eq!(me["scope"], "enterprise");
        assert_eq!(me["must_change_password"], true);
        let enterprise_id = me["scope_id"].as_str().unwrap().to_owned();
        expect_problem(
            get(
                &app,
                &client,
                &format!("/api/v1/enterprises/{enterprise_id}"),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        let actions: Vec<String> = account_entries(app.store.connection())
            .await
            .into_iter()
            .map(|(a, _)| a)
            .rev()
            .take(2)
            .collect();
        assert_eq!(actions, ["account.approve", "account.register"]);
        let (code, out) = crate::support::ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");
    }
);

both_engines!(
    a_worker_signs_up_with_the_code_from_the_outbox,
    |app| async move {
        // Someone on record with a phone, without an account.
        let db = app.store.connection();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT p.id, p.name, p.phone FROM persons p WHERE p.phone IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id) \
                 ORDER BY p.id LIMIT 1",
            ))
            .await
            .unwrap()
            .unwrap();
        let person_id: uuid::Uuid = row.try_get("", "id").unwrap();
        let name: String = row.try_get("", "name").unwrap();
        let phone: String = row.try_get("", "phone").unwrap();
        let id_number = app.full_id_number(person_id).await;
        let client = app.anonymous();

        // Name and ID number must agree.
        let mismatch = client
            .post(app.url("/register/worker/code"))
            .form(&[
                ("name", "张冒名"),
                ("id_number", id_number.as_str()),
                ("phone", phone.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(mismatch.text().await.unwrap().contains("未能匹配"));

        let sent = client
            .post(app.url("/register/worker/code"))
            .form(&[
                ("name", name.as_str()),
                ("id_number", id_number.as_str()),
                ("phone", phone.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), StatusCode::OK);
        assert!(sent.text().await.unwrap().contains("code-sent"));
        let message = anpei_store::notifications::pending(db, 10_000)
            .await
            .unwrap()
            .into_iter()
            .rev()
            .find(|m| m.recipient_id == person_id && m.channel == "sms")
            .expect("the code is in the outbox");
        let code: String = message
            .body_zh
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        assert_eq!(code.len(), 6, "{}", message.body_zh);
        let logs = anpei_testkit::logs();
        assert!(
            logs.contains("anpei::sms"),
            "the code is on the terminal too"
        );
        assert!(!logs.contains(&id_number), "never the ID number");
        assert!(!logs.contains(&phone), "the phone masked");

        let wrong = client
            .post(app.url("/register/worker"))
            .form(&[
                ("name", name.as_str()),
                ("id_number", id_number.as_str()),
                ("phone", phone.as_str()),
                ("code", if code == "000000" { "111111" } else { "000000" }),
                ("username", "newworker"),
                ("password", STRONG),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let done = client
            .post(app.url("/register/worker"))
            .form(&[
                ("name", name.as_str()),
                ("id_number", id_number.as_str()),
                ("phone", phone.as_str()),
                ("code", code.as_str()),
                ("username", "newworker"),
                ("password", STRONG),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.unwrap().contains("signed-up"));
        let (client, response) = api_sign_in(
            &app.base,
            json!({ "username": "newworker", "password": STRONG }),
        )
        .await;
        let me = expect_json(response, StatusCode::OK).await;
        assert_eq!(me["scope"], "person");
        assert_eq!(uuid_of(&me["scope_id"]), person_id);
        get_ok(&app, &client, &format!("/api/v1/persons/{person_id}")).await;
    }
);

mod in_a_browser {
    //! The whole chain in headless Chromium: the province administrator made by the command
    //! line signs in with TOTP and creates a city account; the city (enrolling its own TOTP,
    //! then changing its first password) approves a self-registered enterprise and a
    //! self-registered training institution (whose form first refused two fields, keeping
    //! the rest), whose users sign in and are sent to change the password. Screenshots at 1280 and 375 px
    //! with `ANPEI_SCREENSHOTS=<dir>`.

    use fantoccini::{Client, Locator};

    use super::*;
    use crate::browser::{browser, full_height, screenshot, start_driver};

    async fn fill(b: &Client, css: &str, text: &str) {
        let field = b.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn click(b: &Client, css: &str) {
        b.find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn wait(b: &Client, css: &str) -> fantoccini::elements::Element {
        match b
            .wait()
            .at_most(std::time::Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let url = b.current_url().await.map(|u| u.to_string());
                let page = b.source().await.unwrap_or_default();
                panic!("{css}: {e} at {url:?}: {page}")
            }
        }
    }

    /// Both widths of the page now shown.
    async fn shots(b: &Client, name: &str) {
        full_height(b, 1280).await;
        screenshot(b, &format!("accounts-{name}-1280")).await;
        full_height(b, 375).await;
        screenshot(b, &format!("accounts-{name}-375")).await;
        b.set_window_size(1280, 900).await.ok();
    }

    /// Password, then the code (enrolling when asked); returns where it landed.
    async fn sign_in(b: &Client, base: &str, username: &str, password: &str, shot: Option<&str>) {
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(b, "#username", username).await;
        fill(b, "#password", password).await;
        click(b, "form.form button[type=submit]").await;
        let secret = wait(b, "#totp-secret").await.text().await.unwrap();
        if let Some(name) = shot {
            shots(b, name).await;
        }
        fill(b, "#code", &totp_code(secret.trim(), 0)).await;
        click(b, "form.form button[type=submit]").await;
        // Signed in (a forced password change shows no navigation, but the sign-out).
        wait(b, "form[action='/logout']").await;
    }

    async fn sign_out(b: &Client) {
        click(b, "form[action='/logout'] button").await;
        wait(b, "#username").await;
    }

    async fn chain(engine: Engine) {
        let Some(db) = anpei_testkit::fresh_database(engine).await else {
            return;
        };
        bootstrap_province(&db).await;
        let served = serve(&db).await;
        let base = served.base.clone();
        let driver = start_driver().await;
        let b = browser(&driver, 1280).await;

        // The enterprise registers itself on the page.
        b.goto(&format!("{base}/register/enterprise"))
            .await
            .unwrap();
        shots(&b, "register-enterprise").await;
        let credit_code = anpei_domain::CreditCode::synthesize("230102", 77_000_009).unwrap();
        fill(&b, "#credit_code", credit_code.as_str()).await;
        fill(&b, "#enterprise_name", "哈尔滨浏览器化工有限公司").await;
        click(&b, "#industry option[value=hazchem]").await;
        click(&b, "#region_code option[value='230102']").await;
        fill(&b, "#legal_representative", "王建国").await;
        fill(&b, "#manager_name", "李安全").await;
        fill(&b, "#manager_phone", "17012340002").await;
        fill(&b, "#username", "hrbchem").await;
        fill(&b, "#password", "Register-pass-2").await;
        click(&b, "form.form button[type=submit]").await;
        let registered = wait(&b, "#registered").await.text().await.unwrap();
        assert!(registered.contains("待审核"), "{registered}");

        // So does a training institution: a refusal names each field and keeps the rest.
        b.goto(&format!("{base}/register/institution"))
            .await
            .unwrap();
        shots(&b, "register-institution").await;
        let school_code = anpei_domain::CreditCode::synthesize("230100", 88_000_009).unwrap();
        fill(&b, "#credit_code", "9123").await;
        fill(&b, "#institution_name", "哈尔滨浏览器安全技术培训学校").await;
        click(&b, "#region_code option[value='230100']").await;
        fill(&b, "#contact_name", "赵培训").await;
        fill(&b, "#contact_phone", "17012340005").await;
        fill(&b, "#username", "hrbschool").await;
        fill(&b, "#password", "short1").await;
        click(&b, "form.form button[type=submit]").await;
        wait(&b, "#register-error").await;
        wait(&b, "#credit_code-error").await;
        wait(&b, "#password-error").await;
        shots(&b, "register-institution-refused").await;
        let kept = b
            .find(Locator::Css("#institution_name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some("哈尔滨浏览器安全技术培训学校"));
        fill(&b, "#credit_code", school_code.as_str()).await;
        fill(&b, "#password", "Register-pass-5").await;
        click(&b, "form.form button[type=submit]").await;
        let registered = wait(&b, "#registered").await.text().await.unwrap();
        assert!(registered.contains("待审核"), "{registered}");

        // The province administrator, made by the command line, enrols TOTP and signs in.
        sign_in(&b, &base, "admin", STRONG, Some("enrol")).await;
        b.goto(&format!("{base}/admin/accounts")).await.unwrap();
        wait(&b, "#new-account").await;
        click(&b, "#new-role option[value=city_regulator]").await;
        fill(&b, "#new-username", "hrbcity").await;
        fill(&b, "#new-display-name", "哈尔滨市应急管理局").await;
        click(&b, "#new-region option[value='230100']").await;
        fill(&b, "#new-initial-password", "Initial-pass-55").await;
        click(&b, "#new-account button[type=submit]").await;
        let made = wait(&b, "#done-username").await.text().await.unwrap();
        assert_eq!(made, "hrbcity");
        b.goto(&format!("{base}/admin/accounts")).await.unwrap();
        wait(&b, "#accounts").await;
        shots(&b, "province-list").await;
        sign_out(&b).await;

        // The city enrols its own TOTP, changes its first password, approves.
        sign_in(&b, &base, "hrbcity", "Initial-pass-55", None).await;
        wait(&b, "#forced-change").await;
        assert!(
            b.current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/account/password")
        );
        fill(&b, "#current_password", "Initial-pass-55").await;
        fill(&b, "#new_password", STRONG).await;
        fill(&b, "#confirm_password", STRONG).await;
        click(&b, "form.form button[type=submit]").await;
        wait(&b, "p.notice").await;
        b.goto(&format!("{base}/admin/accounts?status=pending"))
            .await
            .unwrap();
        wait(&b, "tr[data-username=hrbchem]").await;
        shots(&b, "city-pending").await;
        click(
            &b,
            "tr[data-username=hrbchem] form[action$='/approve'] button",
        )
        .await;
        wait(&b, "#done-username").await;
        // And the institution of its city, from the same list.
        b.goto(&format!("{base}/admin/accounts?status=pending"))
            .await
            .unwrap();
        wait(&b, "tr[data-username=hrbschool]").await;
        click(
            &b,
            "tr[data-username=hrbschool] form[action$='/approve'] button",
        )
        .await;
        let approved = wait(&b, "#done-username").await.text().await.unwrap();
        assert_eq!(approved, "hrbschool");
        b.goto(&format!("{base}/admin/accounts")).await.unwrap();
        wait(&b, "tr[data-username=hrbchem] details.move").await;
        click(&b, "tr[data-username=hrbchem] details.move summary").await;
        shots(&b, "city-list-move").await;
        sign_out(&b).await;

        // The institution's contact signs in and must change the password first.
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#username", "hrbschool").await;
        fill(&b, "#password", "Register-pass-5").await;
        click(&b, "form.form button[type=submit]").await;
        wait(&b, "#forced-change").await;
        sign_out(&b).await;

        // The manager signs in and can do nothing but change the password.
        b.goto(&format!("{base}/login")).await.unwrap();
        fill(&b, "#username", "hrbchem").await;
        fill(&b, "#password", "Register-pass-2").await;
        click(&b, "form.form button[type=submit]").await;
        wait(&b, "#forced-change").await;
        assert!(
            b.current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/account/password")
        );
        shots(&b, "forced-change").await;
        b.goto(&format!("{base}/persons")).await.unwrap();
        wait(&b, "#forced-change").await;

        b.close().await.unwrap();
        drop(driver);
        served.stop().await;
        db.cleanup().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        chain(Engine::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        chain(Engine::Postgres).await;
    }
}

both_engines!(
    an_employer_invites_a_person_of_its_staff_once,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let enterprise_id = app.demo.enterprise_id;
        // A person on its staff without an account.
        let staff = crate::support::staff_ids(&app, &enterprise, enterprise_id).await;
        let person_id = staff
            .into_iter()
            .find(|id| *id != app.demo.worker_id)
            .expect("a second person on the staff");
        let id_number = app.full_id_number(person_id).await;
        // Another enterprise's account cannot invite them.
        let harbin = app.login("harbin").await;
        let head = app.ledger_head().await;
        let refused = post_json(
            &app,
            &harbin,
            "/api/v1/accounts/invitations",
            json!({ "id_number": id_number, "enterprise_id": enterprise_id }),
        )
        .await;
        assert!(refused.status().is_client_error(), "{}", refused.status());
        assert_eq!(app.ledger_head().await, head);
        let link = expect_json(
            post_json(
                &app,
                &enterprise,
                "/api/v1/accounts/invitations",
                json!({ "id_number": id_number, "enterprise_id": enterprise_id }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await["link"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!link.contains(&id_number), "no ID number in a URL");
        let anonymous = app.anonymous();
        let page = anonymous.get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let accepted = anonymous
            .post(&link)
            .form(&[("username", "invited1"), ("password", STRONG)])
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), StatusCode::OK);
        let again = anonymous
            .post(&link)
            .form(&[("username", "invited2"), ("password", STRONG)])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, response) = api_sign_in(
            &app.base,
            json!({ "username": "invited1", "password": STRONG }),
        )
        .await;
        let me = expect_json(response, StatusCode::OK).await;
        assert_eq!(uuid_of(&me["scope_id"]), person_id);
    }
);
