//! Accounts beyond issue 13's first cut (SPEC C0): a training institution registers itself
//! and its city approves it (another city cannot even see it); an administrator moves an
//! account to another jurisdiction on the page and the account reaches the new one from its
//! next request; an employer invites a person from the archive page; sign-up codes are
//! limited per person (one a minute, five a day) and per client address (20 an hour).

use anpei_store::demo::DemoSpec;
use anpei_testkit::{Engine, TestApp, both_engines, expect_json, expect_problem};
use anpei_web::clock::Clock;
use chrono::TimeDelta;
use reqwest::header::RETRY_AFTER;
use reqwest::{Client, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::accounts::element_text;
use crate::support::{get, get_ok, uuid_of};

const STRONG: &str = "Longer-pass-2026x";

async fn post_json(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> (Client, Value) {
    let client = app.anonymous();
    let response = client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap();
    let me = expect_json(response, StatusCode::OK).await;
    (client, me)
}

async fn change_password(app: &TestApp, client: &Client, from: &str) {
    let changed = client
        .put(app.url("/api/v1/me/password"))
        .json(&json!({ "current_password": from, "new_password": STRONG }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
}

/// The actions of the ledger's account entries, newest first.
async fn account_actions(app: &TestApp) -> Vec<String> {
    let db = app.store.connection();
    db.query_all_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT action FROM ledger_entries WHERE entity = 'accounts' ORDER BY seq DESC",
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get::<String>("", "action").unwrap())
    .collect()
}

both_engines!(
    an_institution_registers_itself_its_city_approves_and_its_contact_signs_in,
    |app| async move {
        let credit_code = anpei_domain::CreditCode::synthesize("230102", 88_000_001)
            .unwrap()
            .as_str()
            .to_owned();
        let anonymous = app.anonymous();
        let form = |credit: &str, password: &str| {
            vec![
                ("credit_code", credit.to_owned()),
                (
                    "institution_name",
                    "哈尔滨自注册安全技术培训学校".to_owned(),
                ),
                ("region_code", "230102".to_owned()),
                ("contact_name", "赵培训".to_owned()),
                ("contact_phone", "17012340003".to_owned()),
                ("username", "hrbschool".to_owned()),
                ("password", password.to_owned()),
            ]
        };
        // Every field at fault is named at once, and what was typed stays.
        let head = app.ledger_head().await;
        let refused = anonymous
            .post(app.url("/register/institution"))
            .form(&form("91230102MA12345", "short1"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        assert!(html.contains("id=\"credit_code-error\""), "{html}");
        assert!(html.contains("id=\"password-error\""), "{html}");
        assert!(html.contains("至少10位"), "{html}");
        assert!(html.contains("value=\"哈尔滨自注册安全技术培训学校\""));
        assert!(html.contains("value=\"17012340003\""));
        assert!(html.contains("<option value=\"230102\" selected>"));
        assert_eq!(app.ledger_head().await, head, "a refusal writes nothing");

        let registered = anonymous
            .post(app.url("/register/institution"))
            .form(&form(&credit_code, "Register-pass-3"))
            .send()
            .await
            .unwrap();
        assert_eq!(registered.status(), StatusCode::OK);
        assert!(
            registered
                .text()
                .await
                .unwrap()
                .contains("id=\"registered\"")
        );
        // Pending: refused like a wrong password.
        let pending_sign_in = anonymous
            .post(app.url("/api/v1/session"))
            .json(&json!({ "username": "hrbschool", "password": "Register-pass-3" }))
            .send()
            .await
            .unwrap();
        expect_problem(pending_sign_in, StatusCode::UNAUTHORIZED).await;

        // Qiqihar neither sees nor decides it; Harbin does, on its list and its page.
        let qiqihar = app.login("qiqihar").await;
        let seen = get_ok(&app, &qiqihar, "/api/v1/accounts?status=pending").await;
        assert_eq!(seen["total"], 0, "{seen}");
        let harbin = app.login("harbin").await;
        let pending = get_ok(&app, &harbin, "/api/v1/accounts?status=pending").await;
        let row = pending["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == "hrbschool")
            .unwrap_or_else(|| panic!("Harbin sees the registration: {pending}"))
            .clone();
        assert_eq!(row["registration_kind"], "institution");
        assert_eq!(row["registration_name"], "哈尔滨自注册安全技术培训学校");
        assert_eq!(row["registration_credit_code"], credit_code.as_str());
        let id = row["id"].as_str().unwrap().to_owned();
        let page = harbin
            .get(app.url("/admin/accounts?status=pending"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("data-username=\"hrbschool\""), "{page}");
        assert!(page.contains(&format!("/admin/accounts/{id}/approve")));
        assert!(
            page.contains("培训机构自助注册"),
            "the row says who registered"
        );

        let head = app.ledger_head().await;
        for action in ["approve", "reject"] {
            expect_problem(
                post_json(
                    &app,
                    &qiqihar,
                    &format!("/api/v1/accounts/{id}/{action}"),
                    json!({}),
                )
                .await,
                StatusCode::NOT_FOUND,
            )
            .await;
        }
        let on_page = qiqihar
            .post(app.url(&format!("/admin/accounts/{id}/approve")))
            .form(&[("x", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(on_page.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.ledger_head().await, head, "refusals write nothing");

        let institutions_before = app.count_rows("institutions").await;
        let approved = harbin
            .post(app.url(&format!("/admin/accounts/{id}/approve")))
            .form(&[("x", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(approved.status(), StatusCode::OK);
        assert!(approved.text().await.unwrap().contains("hrbschool"));
        assert_eq!(
            app.count_rows("institutions").await,
            institutions_before + 1
        );
        assert_eq!(
            account_actions(&app).await[..2],
            ["account.approve", "account.register"]
        );

        // The contact signs in (no second factor for an institution), must change the
        // password first, then sees its own institution.
        let (client, me) = sign_in(&app, "hrbschool", "Register-pass-3").await;
        assert_eq!(me["scope"], "institution");
        assert_eq!(me["must_change_password"], true);
        let institution_id = uuid_of(&me["scope_id"]);
        expect_problem(
            get(
                &app,
                &client,
                &format!("/api/v1/institutions/{institution_id}"),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        change_password(&app, &client, "Register-pass-3").await;
        let own = get_ok(
            &app,
            &client,
            &format!("/api/v1/institutions/{institution_id}"),
        )
        .await;
        assert_eq!(own["name"], "哈尔滨自注册安全技术培训学校");
        assert_eq!(own["credit_code"], credit_code.as_str());
        // Harbin now reaches the account through its institution.
        let listed = get_ok(&app, &harbin, "/api/v1/accounts?q=hrbschool").await;
        assert_eq!(listed["items"][0]["status"], "active", "{listed}");

        // The API registers too; a Qiqihar institution is the province's or Qiqihar's to
        // decide, and a refusal leaves the account disabled.
        let bad = expect_problem(
            post_json(
                &app,
                &anonymous,
                "/api/v1/registrations/institutions",
                json!({ "credit_code": "123", "name": "齐齐哈尔某培训中心", "region_code": "230200",
                        "contact_name": "钱联系", "contact_phone": "17012340004",
                        "username": "qqhrschool", "password": "Register-pass-4" }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(bad["field"], "credit_code");
        let qqhr_code = anpei_domain::CreditCode::synthesize("230200", 88_000_002)
            .unwrap()
            .as_str()
            .to_owned();
        let created = expect_json(
            post_json(
                &app,
                &anonymous,
                "/api/v1/registrations/institutions",
                json!({ "credit_code": qqhr_code, "name": "齐齐哈尔某培训中心", "region_code": "230200",
                        "contact_name": "钱联系", "contact_phone": "17012340004",
                        "username": "qqhrschool", "password": "Register-pass-4" }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(created["status"], "pending");
        let qqhr_id = created["account_id"].as_str().unwrap().to_owned();
        expect_problem(
            post_json(
                &app,
                &harbin,
                &format!("/api/v1/accounts/{qqhr_id}/approve"),
                json!({}),
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
        let rejected = expect_json(
            post_json(
                &app,
                &qiqihar,
                &format!("/api/v1/accounts/{qqhr_id}/reject"),
                json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(rejected["status"], "disabled");
        assert_eq!(
            app.count_rows("institutions").await,
            institutions_before + 1
        );
        let (code, out) = crate::support::ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");
    }
);

both_engines!(
    a_moved_account_reaches_its_new_enterprise_from_its_next_request,
    |app| async move {
        let province = app.login("province").await;
        let demo_enterprise = app.demo.enterprise_id;
        let credit_of = |enterprise: Value| enterprise["credit_code"].as_str().unwrap().to_owned();
        let demo_code = credit_of(
            get_ok(
                &app,
                &province,
                &format!("/api/v1/enterprises/{demo_enterprise}"),
            )
            .await,
        );
        let city_enterprise = |city: &'static str| {
            let province = province.clone();
            let app = &app;
            async move {
                let page = get_ok(
                    app,
                    &province,
                    &format!("/api/v1/enterprises?city={city}&per_page=50"),
                )
                .await;
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| uuid_of(&e["id"]) != app.demo.enterprise_id)
                    .unwrap_or_else(|| panic!("an enterprise in {city}: {page}"))
                    .clone()
            }
        };
        let harbin_other = city_enterprise("230100").await;
        let qiqihar_other = city_enterprise("230200").await;
        let created = expect_json(
            post_json(
                &app,
                &province,
                "/api/v1/accounts",
                json!({ "username": "mover", "display_name": "待调整安全管理员",
                        "role": "enterprise", "credit_code": demo_code,
                        "initial_password": "Initial-pass-88" }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let mover_id = created["account"]["id"].as_str().unwrap().to_owned();
        let (mover, me) = sign_in(&app, "mover", "Initial-pass-88").await;
        assert_eq!(uuid_of(&me["scope_id"]), demo_enterprise);
        change_password(&app, &mover, "Initial-pass-88").await;
        get_ok(
            &app,
            &mover,
            &format!("/api/v1/enterprises/{demo_enterprise}"),
        )
        .await;

        // The page offers the move with the roles the holder may create.
        let harbin = app.login("harbin").await;
        let list = harbin
            .get(app.url("/admin/accounts?q=mover"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let action = format!("/admin/accounts/{mover_id}/move");
        assert!(list.contains(&action), "{list}");

        // Harbin may not move it to a Qiqihar enterprise, nor Qiqihar reach it: nothing
        // written either way.
        let head = app.ledger_head().await;
        let refused = harbin
            .post(app.url(&action))
            .form(&[
                ("role", "enterprise"),
                ("credit_code", credit_of(qiqihar_other.clone()).as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let qiqihar = app.login("qiqihar").await;
        let out_of_reach = qiqihar
            .post(app.url(&action))
            .form(&[
                ("role", "enterprise"),
                ("credit_code", credit_of(qiqihar_other).as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(out_of_reach.status(), StatusCode::NOT_FOUND);
        let unknown = harbin
            .post(app.url(&action))
            .form(&[("role", "enterprise"), ("credit_code", "91230102MA12345")])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.text().await.unwrap().contains("id=\"admin-error\""));
        assert_eq!(app.ledger_head().await, head);

        // Harbin moves it to another Harbin enterprise on the page.
        let target = uuid_of(&harbin_other["id"]);
        let moved = harbin
            .post(app.url(&action))
            .form(&[
                ("role", "enterprise"),
                ("credit_code", credit_of(harbin_other).as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), StatusCode::OK);
        assert!(
            moved
                .text()
                .await
                .unwrap()
                .contains("id=\"done-username\">mover<")
        );
        assert_eq!(account_actions(&app).await[0], "account.move");

        // The same session now acts for the new enterprise, and no longer for the old one.
        let me = get_ok(&app, &mover, "/api/v1/me").await;
        assert_eq!(uuid_of(&me["scope_id"]), target);
        get_ok(&app, &mover, &format!("/api/v1/enterprises/{target}")).await;
        let old = get(
            &app,
            &mover,
            &format!("/api/v1/enterprises/{demo_enterprise}"),
        )
        .await;
        assert_eq!(old.status(), StatusCode::NOT_FOUND);
        let (code, out) = crate::support::ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");
    }
);

both_engines!(
    an_employer_invites_a_person_from_the_archive_page,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let staff = crate::support::staff_ids(&app, &enterprise, app.demo.enterprise_id).await;
        let db = app.store.connection();
        let mut without_account = None;
        for person in staff {
            if !anpei_store::ops::accounts::signup::has_account(db, person)
                .await
                .unwrap()
            {
                without_account = Some(person);
                break;
            }
        }
        let person = without_account.expect("someone on the staff without an account");
        let archive = format!("/persons/{person}");
        let page = enterprise
            .get(app.url(&archive))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"invite\""), "{page}");

        // A regulator sees the archive, but no invitation, and may not make one.
        let harbin = app.login("harbin").await;
        let regulator_view = harbin
            .get(app.url(&archive))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!regulator_view.contains("id=\"invite\""));
        let refused = harbin
            .post(app.url(&format!("{archive}/invite")))
            .form(&[("x", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);

        let invited = enterprise
            .post(app.url(&format!("{archive}/invite")))
            .form(&[("x", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(invited.status(), StatusCode::OK);
        let html = invited.text().await.unwrap();
        let link = element_text(&html, "invite-link").expect("the link is shown");
        assert!(link.starts_with(&app.url("/register/invite/")), "{link}");

        let anonymous = app.anonymous();
        assert_eq!(
            anonymous.get(&link).send().await.unwrap().status(),
            StatusCode::OK
        );
        let accepted = anonymous
            .post(&link)
            .form(&[("username", "fromarchive"), ("password", STRONG)])
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), StatusCode::OK);
        let (_, me) = sign_in(&app, "fromarchive", STRONG).await;
        assert_eq!(uuid_of(&me["scope_id"]), person);

        // Now the archive says so, and a second invitation is refused with the reason.
        let page = enterprise
            .get(app.url(&archive))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("id=\"invite\""));
        assert!(page.contains("id=\"account-state\">已开通"), "{page}");
        let again = enterprise
            .post(app.url(&format!("{archive}/invite")))
            .form(&[("x", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().await.unwrap().contains("已有账号"));
    }
);

/// Sign-up codes on this test's own clock: one a minute and five a day per person, then
/// again after a day; 20 requests an hour per address.
async fn phone_codes_are_limited(engine: Engine) {
    let clock = Clock::starting_at(anpei_testkit::clock_start());
    let Some(app) = anpei_testkit::spawn_app_on_or_skip(
        engine,
        DemoSpec {
            people: 50,
            seed: 5,
        },
        clock,
    )
    .await
    else {
        return;
    };
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
    let ask = || {
        client
            .post(app.url("/register/worker/code"))
            .form(&[
                ("name", name.as_str()),
                ("id_number", id_number.as_str()),
                ("phone", phone.as_str()),
            ])
            .send()
    };
    let retry_after = |response: &reqwest::Response| -> i64 {
        response.headers()[RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };

    let first = ask().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.text().await.unwrap().contains("code-sent"));
    // At once again: refused, saying when, keeping what was typed.
    let second = ask().await.unwrap();
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&second);
    assert!((1..=60).contains(&wait), "{wait}");
    let html = second.text().await.unwrap();
    assert!(html.contains("秒后再试"), "{html}");
    assert!(
        html.contains(&format!("value=\"{name}\"")),
        "keeps the name"
    );
    // The API says the same with 429 and Retry-After.
    let api = client
        .post(app.url("/api/v1/registrations/worker-code"))
        .json(&json!({ "name": name, "id_number": id_number, "phone": phone }))
        .send()
        .await
        .unwrap();
    assert!((1..=60).contains(&retry_after(&api)));
    expect_problem(api, StatusCode::TOO_MANY_REQUESTS).await;

    // A minute apart, up to five in a day; the sixth waits for the first to age out.
    for _ in 0..4 {
        app.clock.advance(TimeDelta::seconds(61));
        assert_eq!(ask().await.unwrap().status(), StatusCode::OK);
    }
    app.clock.advance(TimeDelta::seconds(61));
    let sixth = ask().await.unwrap();
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&sixth);
    assert!(wait > 23 * 3600 && wait <= 24 * 3600, "{wait}");
    assert!(sixth.text().await.unwrap().contains("小时后再试"));
    let sent = || async {
        anpei_store::notifications::pending(db, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.recipient_id == person_id && m.channel == "sms")
            .count()
    };
    assert_eq!(sent().await, 5, "refusals send nothing");
    app.clock.advance(TimeDelta::hours(24));
    assert_eq!(ask().await.unwrap().status(), StatusCode::OK);
    assert_eq!(sent().await, 6);

    // One address: 20 requests an hour whatever they carry (one made this hour so far).
    for n in 0..19 {
        let other = client
            .post(app.url("/register/worker/code"))
            .form(&[
                ("name", "张冒名"),
                ("id_number", id_number.as_str()),
                ("phone", phone.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            other.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "request {n}"
        );
    }
    let over = ask().await.unwrap();
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&over) > 50 * 60, "about an hour");
    app.clock.advance(TimeDelta::minutes(61));
    // The person's own limit still holds (a minute since the last code has long passed).
    assert_eq!(ask().await.unwrap().status(), StatusCode::OK);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_codes_are_limited_per_person_and_address_on_sqlite() {
    phone_codes_are_limited(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_codes_are_limited_per_person_and_address_on_postgres() {
    phone_codes_are_limited(Engine::Postgres).await;
}

mod in_a_browser {
    //! The archive's invitation in headless Chromium: the demo enterprise invites a person
    //! of its staff and sees the link once. Screenshots at 1280 and 375 px with
    //! `ANPEI_SCREENSHOTS=<dir>`.

    use fantoccini::Locator;

    use super::*;
    use crate::browser::{browser, full_height, screenshot, start_driver};

    async fn shots(b: &fantoccini::Client, name: &str) {
        full_height(b, 1280).await;
        screenshot(b, &format!("accounts-{name}-1280")).await;
        full_height(b, 375).await;
        screenshot(b, &format!("accounts-{name}-375")).await;
        b.set_window_size(1280, 900).await.ok();
    }

    both_engines!(
        the_employer_invites_from_the_archive_and_sees_the_link_once,
        |app| async move {
            let enterprise = app.login("enterprise").await;
            let staff = crate::support::staff_ids(&app, &enterprise, app.demo.enterprise_id).await;
            let mut person = None;
            for id in staff {
                if !anpei_store::ops::accounts::signup::has_account(app.store.connection(), id)
                    .await
                    .unwrap()
                {
                    person = Some(id);
                    break;
                }
            }
            let person = person.expect("someone on the staff without an account");
            let driver = start_driver().await;
            let b = browser(&driver, 1280).await;
            crate::browser::sign_in(&b, &app, "enterprise").await;
            b.goto(&app.url(&format!("/persons/{person}")))
                .await
                .unwrap();
            b.wait().for_element(Locator::Css("#invite")).await.unwrap();
            shots(&b, "archive-invite").await;
            b.find(Locator::Css("#invite"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            let link = b
                .wait()
                .for_element(Locator::Css("#invite-link"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(link.contains("/register/invite/"), "{link}");
            shots(&b, "invite-link").await;
            b.close().await.unwrap();
            drop(driver);
        }
    );
}

both_engines!(
    a_registration_naming_another_citys_enterprise_cannot_be_approved_by_this_city,
    |app| async move {
        // A registrant types a Qiqihar enterprise's credit code and a Harbin county: the
        // registration lands with Harbin, which must not hand out that enterprise's account.
        let province = app.login("province").await;
        let qiqihar = get_ok(
            &app,
            &province,
            "/api/v1/enterprises?city=230200&per_page=1",
        )
        .await;
        let target = &qiqihar["items"][0];
        let credit_code = target["credit_code"].as_str().unwrap().to_owned();
        let response = app
            .anonymous()
            .post(app.url("/register/enterprise"))
            .form(&[
                ("credit_code", credit_code.as_str()),
                ("enterprise_name", "冒名化工有限公司"),
                ("industry", "hazchem"),
                ("region_code", "230102"),
                ("legal_representative", "王建国"),
                ("manager_name", "李冒名"),
                ("manager_phone", "17012340009"),
                ("username", "impostor"),
                ("password", "Register-pass-1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let harbin = app.login("harbin").await;
        let pending = get_ok(&app, &harbin, "/api/v1/accounts?status=pending&q=impostor").await;
        let id = pending["items"][0]["id"].as_str().unwrap().to_owned();
        let head = app.ledger_head().await;
        let refused = expect_problem(
            post_json(
                &app,
                &harbin,
                &format!("/api/v1/accounts/{id}/approve"),
                json!({}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused["field"], "credit_code", "{refused}");
        assert_eq!(app.ledger_head().await, head, "the refusal writes nothing");
        let still = get_ok(&app, &harbin, "/api/v1/accounts?status=pending&q=impostor").await;
        assert_eq!(still["total"], 1, "still pending: {still}");
        // Harbin rejects it instead; the Qiqihar enterprise never got the account.
        expect_json(
            post_json(
                &app,
                &harbin,
                &format!("/api/v1/accounts/{id}/reject"),
                json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let (code, _) = crate::support::ledger_verify(&app).await;
        assert_eq!(code, 0);
    }
);
