//! The jurisdiction matrix through HTTP (SPEC §1): for every role, what it may read and
//! write, and what it gets for everything else. Out-of-scope reads are 404, never 403, so
//! that guessing ids (random ones, another city's enterprise, a person elsewhere) reveals
//! nothing; a write by a role that may read the target but not change it is 403; anonymous
//! callers get 401 everywhere but reference data.

use anpei_domain::CreditCode;
use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{
    HARBIN, QIQIHAR, assert_forbidden, assert_not_found, fresh_id_number, get, get_ok,
    hire_new_person, hire_request, items, landmarks, post_hire, search, uuid_of,
};

/// A registration a regulator might submit for a county `region`.
fn new_enterprise(region: &str, serial: u32, name: &str) -> Value {
    json!({
        "credit_code": CreditCode::synthesize(region, serial).expect("a valid credit code").as_str(),
        "name": name,
        "industry": "hazchem",
        "region_code": region,
        "legal_representative": "张伟",
    })
}

async fn register(app: &TestApp, client: &Client, body: &Value) -> reqwest::Response {
    client
        .post(app.url("/api/v1/enterprises"))
        .json(body)
        .send()
        .await
        .expect("POST enterprises")
}

async fn end_employment(
    app: &TestApp,
    client: &Client,
    enterprise: Uuid,
    person: Uuid,
    employment: Uuid,
) -> reqwest::Response {
    client
        .post(app.url(&format!(
            "/api/v1/enterprises/{enterprise}/employments/{person}/{employment}/end"
        )))
        .json(&json!({ "end_date": "2025-01-31" }))
        .send()
        .await
        .expect("POST end")
}

async fn put_phone(app: &TestApp, client: &Client, person: Uuid) -> reqwest::Response {
    client
        .put(app.url(&format!("/api/v1/persons/{person}/phone")))
        .json(&json!({ "phone": "17099998888" }))
        .send()
        .await
        .expect("PUT phone")
}

/// The current employment of `person` at `enterprise`, read by the province.
async fn current_employment(app: &TestApp, person: Uuid, enterprise: Uuid) -> Uuid {
    let province = app.login("province").await;
    let archive = get_ok(app, &province, &format!("/api/v1/persons/{person}")).await;
    archive["employments"]
        .as_array()
        .expect("employments")
        .iter()
        .find(|e| e["current"] == true && uuid_of(&e["enterprise_id"]) == enterprise)
        .map(|e| uuid_of(&e["id"]))
        .unwrap_or_else(|| panic!("{person} works at {enterprise}: {archive}"))
}

async fn person_name(app: &TestApp, person: Uuid) -> String {
    let province = app.login("province").await;
    let archive = get_ok(app, &province, &format!("/api/v1/persons/{person}")).await;
    archive["name"].as_str().expect("a name").to_owned()
}

async fn total(app: &TestApp, client: &Client, path: &str) -> u64 {
    get_ok(app, client, path).await["total"]
        .as_u64()
        .expect("a total")
}

async fn search_total(app: &TestApp, client: &Client, query: &str) -> u64 {
    expect_json(search(app, client, query).await, StatusCode::OK).await["total"]
        .as_u64()
        .expect("a total")
}

async fn me(app: &TestApp, client: &Client) -> Value {
    get_ok(app, client, "/api/v1/me").await
}

both_engines!(
    worker_reads_their_own_archive_and_nothing_else,
    |app| async move {
        let places = landmarks(&app).await;
        let enterprise = app.login("enterprise").await;
        let (colleague, colleague_job) = hire_new_person(&app, &enterprise, "同事甲", 1).await;
        let worker = app.login("worker").await;
        let worker_id = app.demo.worker_id;

        let account = me(&app, &worker).await;
        assert_eq!(account["role"], "worker");
        assert_eq!(uuid_of(&account["scope_id"]), worker_id);

        let own = get_ok(&app, &worker, &format!("/api/v1/persons/{worker_id}")).await;
        assert_eq!(
            own["name"], account["display_name"],
            "the worker's own archive"
        );
        assert!(
            own["employments"]
                .as_array()
                .expect("employments")
                .iter()
                .any(|e| e["current"] == true
                    && uuid_of(&e["enterprise_id"]) == app.demo.enterprise_id),
            "the worker sees their current job: {own}"
        );
        let export = get(
            &app,
            &worker,
            &format!("/api/v1/persons/{worker_id}/export"),
        )
        .await;
        assert_eq!(export.status(), StatusCode::OK);

        // A colleague, people elsewhere and a guessed id all look alike: not found.
        for person in [
            colleague,
            places.harbin_person,
            places.qiqihar_person,
            Uuid::now_v7(),
        ] {
            assert_not_found(get(&app, &worker, &format!("/api/v1/persons/{person}")).await).await;
            assert_not_found(get(&app, &worker, &format!("/api/v1/persons/{person}/export")).await)
                .await;
            assert_not_found(put_phone(&app, &worker, person).await).await;
        }

        let found = expect_json(search(&app, &worker, "").await, StatusCode::OK).await;
        assert_eq!(
            found["total"], 1,
            "a worker's search finds themself only: {found}"
        );
        assert_eq!(uuid_of(&items(&found)[0]["id"]), worker_id);
        assert_eq!(search_total(&app, &worker, "同事甲").await, 0);

        assert_eq!(total(&app, &worker, "/api/v1/enterprises").await, 0);
        for enterprise_id in [
            app.demo.enterprise_id,
            places.harbin_enterprise,
            Uuid::now_v7(),
        ] {
            assert_not_found(
                get(
                    &app,
                    &worker,
                    &format!("/api/v1/enterprises/{enterprise_id}"),
                )
                .await,
            )
            .await;
            assert_not_found(
                get(
                    &app,
                    &worker,
                    &format!("/api/v1/enterprises/{enterprise_id}/staff"),
                )
                .await,
            )
            .await;
        }

        let head = app.ledger_head().await;
        assert_not_found(
            post_hire(
                &app,
                &worker,
                app.demo.enterprise_id,
                &hire_request("新人", &fresh_id_number(2)),
            )
            .await,
        )
        .await;
        assert_not_found(
            end_employment(
                &app,
                &worker,
                app.demo.enterprise_id,
                colleague,
                colleague_job,
            )
            .await,
        )
        .await;
        assert_forbidden(
            register(
                &app,
                &worker,
                &new_enterprise("230102", 90_000_001, "哈尔滨测试化工有限公司"),
            )
            .await,
        )
        .await;
        assert_eq!(
            app.ledger_head().await,
            head,
            "refused writes write nothing"
        );

        // What a worker may change: their own phone number.
        let response = put_phone(&app, &worker, worker_id).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let own = get_ok(&app, &worker, &format!("/api/v1/persons/{worker_id}")).await;
        assert_eq!(
            own["phone_masked"].as_str().map(|p| p.ends_with("8888")),
            Some(true),
            "{own}"
        );
        assert_eq!(app.ledger_head().await, head + 1);
    }
);

both_engines!(
    enterprise_sees_its_own_staff_and_nothing_beyond,
    |app| async move {
        let places = landmarks(&app).await;
        let enterprise = app.login("enterprise").await;
        let own = app.demo.enterprise_id;

        let account = me(&app, &enterprise).await;
        assert_eq!(account["role"], "enterprise");
        assert_eq!(uuid_of(&account["scope_id"]), own);

        let list = get_ok(&app, &enterprise, "/api/v1/enterprises").await;
        assert_eq!(list["total"], 1, "an enterprise lists itself only: {list}");
        assert_eq!(uuid_of(&items(&list)[0]["id"]), own);
        let itself = get_ok(&app, &enterprise, &format!("/api/v1/enterprises/{own}")).await;
        let headcount = itself["staff"]
            .as_u64()
            .expect("an enterprise counts its own staff");
        assert_eq!(itself["city_code"], HARBIN);

        let staff = get_ok(
            &app,
            &enterprise,
            &format!("/api/v1/enterprises/{own}/staff?per_page=200"),
        )
        .await;
        assert!(
            items(&staff)
                .iter()
                .any(|s| uuid_of(&s["person_id"]) == app.demo.worker_id),
            "the demo worker is on the staff: {staff}"
        );
        let people = expect_json(search(&app, &enterprise, "").await, StatusCode::OK).await;
        assert_eq!(
            people["total"], headcount,
            "search covers exactly the current staff: {people}"
        );
        let worker_name = get_ok(
            &app,
            &enterprise,
            &format!("/api/v1/persons/{}", app.demo.worker_id),
        )
        .await["name"]
            .as_str()
            .expect("a name")
            .to_owned();
        let by_name = expect_json(
            search(&app, &enterprise, &worker_name).await,
            StatusCode::OK,
        )
        .await;
        assert!(
            items(&by_name)
                .iter()
                .any(|p| uuid_of(&p["id"]) == app.demo.worker_id)
        );

        // A person of another enterprise (same city or another), and a guessed id.
        let elsewhere_name = person_name(&app, places.harbin_person).await;
        let elsewhere = expect_json(
            search(&app, &enterprise, &elsewhere_name).await,
            StatusCode::OK,
        )
        .await;
        assert!(
            !items(&elsewhere)
                .iter()
                .any(|p| uuid_of(&p["id"]) == places.harbin_person),
            "a person of another enterprise is not found by name: {elsewhere}"
        );
        for person in [places.harbin_person, places.qiqihar_person, Uuid::now_v7()] {
            assert_not_found(get(&app, &enterprise, &format!("/api/v1/persons/{person}")).await)
                .await;
            assert_not_found(
                get(
                    &app,
                    &enterprise,
                    &format!("/api/v1/persons/{person}/export"),
                )
                .await,
            )
            .await;
            assert_not_found(put_phone(&app, &enterprise, person).await).await;
        }

        let head = app.ledger_head().await;
        let harbin_job =
            current_employment(&app, places.harbin_person, places.harbin_enterprise).await;
        for other in [
            places.harbin_enterprise,
            places.qiqihar_enterprise,
            places.other_city_enterprise,
            Uuid::now_v7(),
        ] {
            assert_not_found(get(&app, &enterprise, &format!("/api/v1/enterprises/{other}")).await)
                .await;
            assert_not_found(
                get(
                    &app,
                    &enterprise,
                    &format!("/api/v1/enterprises/{other}/staff"),
                )
                .await,
            )
            .await;
            assert_not_found(
                post_hire(
                    &app,
                    &enterprise,
                    other,
                    &hire_request("新人", &fresh_id_number(3)),
                )
                .await,
            )
            .await;
        }
        assert_not_found(
            end_employment(
                &app,
                &enterprise,
                places.harbin_enterprise,
                places.harbin_person,
                harbin_job,
            )
            .await,
        )
        .await;
        // Its own enterprise id does not let it end someone else's job either.
        assert_not_found(
            end_employment(&app, &enterprise, own, places.harbin_person, harbin_job).await,
        )
        .await;
        assert_forbidden(
            register(
                &app,
                &enterprise,
                &new_enterprise("230102", 90_000_002, "哈尔滨测试化工有限公司"),
            )
            .await,
        )
        .await;
        assert_eq!(
            app.ledger_head().await,
            head,
            "refused writes write nothing"
        );
    }
);

both_engines!(
    harbin_regulator_sees_harbin_only_and_registers_enterprises_there,
    |app| async move {
        let places = landmarks(&app).await;
        let province = app.login("province").await;
        let harbin = app.login("harbin").await;

        let account = me(&app, &harbin).await;
        assert_eq!(account["role"], "city_regulator");
        assert_eq!(account["region_code"], HARBIN);

        let list = get_ok(&app, &harbin, "/api/v1/enterprises?per_page=200").await;
        assert!(!items(&list).is_empty());
        for enterprise in items(&list) {
            assert_eq!(
                enterprise["city_code"], HARBIN,
                "Harbin lists Harbin only: {enterprise}"
            );
        }
        assert_eq!(
            list["total"],
            total(
                &app,
                &province,
                &format!("/api/v1/enterprises?city={HARBIN}")
            )
            .await,
            "and every enterprise of Harbin"
        );
        let staff = get_ok(
            &app,
            &harbin,
            &format!("/api/v1/enterprises/{}/staff", app.demo.enterprise_id),
        )
        .await;
        assert!(
            items(&staff)
                .iter()
                .any(|s| uuid_of(&s["person_id"]) == app.demo.worker_id)
        );
        for person in [app.demo.worker_id, places.harbin_person] {
            get_ok(&app, &harbin, &format!("/api/v1/persons/{person}")).await;
        }
        let people = expect_json(search(&app, &harbin, "").await, StatusCode::OK).await;
        assert!(people["total"].as_u64().unwrap_or(0) > 0);
        for person in items(&people) {
            let employers = person["current_employers"].as_array().expect("employers");
            assert!(
                employers
                    .iter()
                    .any(|e| e.as_str().is_some_and(|n| n.starts_with("哈尔滨"))),
                "everyone Harbin finds works at a Harbin enterprise: {person}"
            );
        }

        assert_not_found(
            get(
                &app,
                &harbin,
                &format!("/api/v1/enterprises/{}", places.qiqihar_enterprise),
            )
            .await,
        )
        .await;
        assert_not_found(
            get(
                &app,
                &harbin,
                &format!("/api/v1/enterprises/{}/staff", places.qiqihar_enterprise),
            )
            .await,
        )
        .await;
        assert_not_found(
            get(
                &app,
                &harbin,
                &format!("/api/v1/enterprises/{}", places.other_city_enterprise),
            )
            .await,
        )
        .await;
        assert_not_found(
            get(
                &app,
                &harbin,
                &format!("/api/v1/persons/{}", places.qiqihar_person),
            )
            .await,
        )
        .await;
        assert_not_found(
            get(
                &app,
                &harbin,
                &format!("/api/v1/persons/{}/export", places.qiqihar_person),
            )
            .await,
        )
        .await;
        assert_not_found(
            get(
                &app,
                &harbin,
                &format!("/api/v1/persons/{}", Uuid::now_v7()),
            )
            .await,
        )
        .await;

        // Regulators read rosters; they do not keep them.
        let head = app.ledger_head().await;
        assert_forbidden(
            post_hire(
                &app,
                &harbin,
                app.demo.enterprise_id,
                &hire_request("新人", &fresh_id_number(4)),
            )
            .await,
        )
        .await;
        let job = current_employment(&app, app.demo.worker_id, app.demo.enterprise_id).await;
        assert_forbidden(
            end_employment(
                &app,
                &harbin,
                app.demo.enterprise_id,
                app.demo.worker_id,
                job,
            )
            .await,
        )
        .await;
        assert_forbidden(put_phone(&app, &harbin, app.demo.worker_id).await).await;
        assert_forbidden(
            register(
                &app,
                &harbin,
                &new_enterprise("230202", 90_000_003, "齐齐哈尔测试化工有限公司"),
            )
            .await,
        )
        .await;
        assert_eq!(
            app.ledger_head().await,
            head,
            "refused writes write nothing"
        );

        let created = expect_json(
            register(
                &app,
                &harbin,
                &new_enterprise("230102", 90_000_004, "哈尔滨测试化工有限公司"),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let id = uuid_of(&created["id"]);
        let registered = get_ok(&app, &harbin, &format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(registered["name"], "哈尔滨测试化工有限公司");
        assert_eq!(registered["city_code"], HARBIN);
        assert_eq!(registered["region_code"], "230102");
        assert_eq!(
            app.ledger_head().await,
            head + 1,
            "the registration is ledgered"
        );
        let qiqihar = app.login("qiqihar").await;
        assert_not_found(get(&app, &qiqihar, &format!("/api/v1/enterprises/{id}")).await).await;
    }
);

both_engines!(
    qiqihar_regulator_cannot_see_a_person_working_in_harbin,
    |app| async move {
        let places = landmarks(&app).await;
        let qiqihar = app.login("qiqihar").await;

        let list = get_ok(&app, &qiqihar, "/api/v1/enterprises?per_page=200").await;
        assert!(!items(&list).is_empty());
        for enterprise in items(&list) {
            assert_eq!(
                enterprise["city_code"], QIQIHAR,
                "Qiqihar lists Qiqihar only: {enterprise}"
            );
        }
        get_ok(
            &app,
            &qiqihar,
            &format!("/api/v1/persons/{}", places.qiqihar_person),
        )
        .await;
        let staff = get_ok(
            &app,
            &qiqihar,
            &format!("/api/v1/enterprises/{}/staff", places.qiqihar_enterprise),
        )
        .await;
        assert!(
            items(&staff)
                .iter()
                .any(|s| uuid_of(&s["person_id"]) == places.qiqihar_person)
        );

        for person in [app.demo.worker_id, places.harbin_person] {
            assert_not_found(get(&app, &qiqihar, &format!("/api/v1/persons/{person}")).await).await;
            assert_not_found(
                get(&app, &qiqihar, &format!("/api/v1/persons/{person}/export")).await,
            )
            .await;
        }
        for enterprise in [app.demo.enterprise_id, places.harbin_enterprise] {
            assert_not_found(
                get(&app, &qiqihar, &format!("/api/v1/enterprises/{enterprise}")).await,
            )
            .await;
            assert_not_found(
                get(
                    &app,
                    &qiqihar,
                    &format!("/api/v1/enterprises/{enterprise}/staff"),
                )
                .await,
            )
            .await;
            assert_not_found(
                post_hire(
                    &app,
                    &qiqihar,
                    enterprise,
                    &hire_request("新人", &fresh_id_number(5)),
                )
                .await,
            )
            .await;
        }
        // Knowing the full ID number of someone in Harbin finds nothing either.
        let worker_id_number = app.full_id_number(app.demo.worker_id).await;
        assert_eq!(search_total(&app, &qiqihar, &worker_id_number).await, 0);
        let province = app.login("province").await;
        assert_eq!(search_total(&app, &province, &worker_id_number).await, 1);

        let head = app.ledger_head().await;
        assert_forbidden(
            register(
                &app,
                &qiqihar,
                &new_enterprise("230102", 90_000_005, "哈尔滨测试化工有限公司"),
            )
            .await,
        )
        .await;
        assert_eq!(app.ledger_head().await, head);
    }
);

both_engines!(
    province_regulator_sees_every_city_but_keeps_no_roster,
    |app| async move {
        let places = landmarks(&app).await;
        let province = app.login("province").await;

        let account = me(&app, &province).await;
        assert_eq!(account["role"], "province_regulator");
        assert_eq!(
            total(&app, &province, "/api/v1/enterprises").await,
            app.demo.enterprises
        );
        assert_eq!(search_total(&app, &province, "").await, app.demo.people);
        for person in [
            app.demo.worker_id,
            places.harbin_person,
            places.qiqihar_person,
        ] {
            get_ok(&app, &province, &format!("/api/v1/persons/{person}")).await;
        }
        for enterprise in [places.qiqihar_enterprise, places.other_city_enterprise] {
            get_ok(
                &app,
                &province,
                &format!("/api/v1/enterprises/{enterprise}"),
            )
            .await;
            get_ok(
                &app,
                &province,
                &format!("/api/v1/enterprises/{enterprise}/staff"),
            )
            .await;
        }
        assert_not_found(
            get(
                &app,
                &province,
                &format!("/api/v1/persons/{}", Uuid::now_v7()),
            )
            .await,
        )
        .await;
        assert_not_found(
            get(
                &app,
                &province,
                &format!("/api/v1/enterprises/{}", Uuid::now_v7()),
            )
            .await,
        )
        .await;
        // A malformed id is as unknown as a guessed one.
        assert_not_found(get(&app, &province, "/api/v1/persons/not-a-uuid").await).await;

        let head = app.ledger_head().await;
        assert_forbidden(
            post_hire(
                &app,
                &province,
                places.qiqihar_enterprise,
                &hire_request("新人", &fresh_id_number(6)),
            )
            .await,
        )
        .await;
        assert_eq!(app.ledger_head().await, head);
        let created = expect_json(
            register(
                &app,
                &province,
                &new_enterprise("230202", 90_000_006, "齐齐哈尔测试化工有限公司"),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let qiqihar = app.login("qiqihar").await;
        let seen = get_ok(
            &app,
            &qiqihar,
            &format!("/api/v1/enterprises/{}", uuid_of(&created["id"])),
        )
        .await;
        assert_eq!(
            seen["city_code"], QIQIHAR,
            "the new enterprise is Qiqihar's to see"
        );
    }
);

both_engines!(hr_bureau_sees_enterprises_but_no_person, |app| async move {
    let places = landmarks(&app).await;
    let hr = app.login("hr").await;

    let account = me(&app, &hr).await;
    assert_eq!(account["role"], "hr_bureau");
    let list = get_ok(&app, &hr, "/api/v1/enterprises?per_page=200").await;
    assert_eq!(
        list["total"], app.demo.enterprises,
        "the provincial bureau sees every enterprise"
    );
    for enterprise in items(&list) {
        assert!(
            enterprise["staff"].is_null(),
            "HR does not count people: {enterprise}"
        );
    }
    get_ok(
        &app,
        &hr,
        &format!("/api/v1/enterprises/{}", places.qiqihar_enterprise),
    )
    .await;

    for enterprise in [app.demo.enterprise_id, places.qiqihar_enterprise] {
        assert_forbidden(
            get(
                &app,
                &hr,
                &format!("/api/v1/enterprises/{enterprise}/staff"),
            )
            .await,
        )
        .await;
    }
    for person in [app.demo.worker_id, places.qiqihar_person, Uuid::now_v7()] {
        assert_not_found(get(&app, &hr, &format!("/api/v1/persons/{person}")).await).await;
        assert_not_found(get(&app, &hr, &format!("/api/v1/persons/{person}/export")).await).await;
    }
    assert_eq!(search_total(&app, &hr, "").await, 0);

    let head = app.ledger_head().await;
    assert_forbidden(
        post_hire(
            &app,
            &hr,
            app.demo.enterprise_id,
            &hire_request("新人", &fresh_id_number(7)),
        )
        .await,
    )
    .await;
    assert_forbidden(
        register(
            &app,
            &hr,
            &new_enterprise("230102", 90_000_007, "哈尔滨测试化工有限公司"),
        )
        .await,
    )
    .await;
    assert_eq!(app.ledger_head().await, head);
});

both_engines!(
    training_institution_sees_no_people_and_no_enterprises,
    |app| async move {
        let hr_sees = landmarks(&app).await;
        let institution = app.login("institution").await;

        let account = me(&app, &institution).await;
        assert_eq!(account["role"], "institution");
        assert_eq!(total(&app, &institution, "/api/v1/enterprises").await, 0);
        assert_eq!(search_total(&app, &institution, "").await, 0);
        for person in [app.demo.worker_id, hr_sees.qiqihar_person] {
            assert_not_found(get(&app, &institution, &format!("/api/v1/persons/{person}")).await)
                .await;
        }
        for enterprise in [app.demo.enterprise_id, hr_sees.qiqihar_enterprise] {
            assert_not_found(
                get(
                    &app,
                    &institution,
                    &format!("/api/v1/enterprises/{enterprise}"),
                )
                .await,
            )
            .await;
            assert_not_found(
                get(
                    &app,
                    &institution,
                    &format!("/api/v1/enterprises/{enterprise}/staff"),
                )
                .await,
            )
            .await;
        }
        let head = app.ledger_head().await;
        assert_not_found(
            post_hire(
                &app,
                &institution,
                app.demo.enterprise_id,
                &hire_request("新人", &fresh_id_number(8)),
            )
            .await,
        )
        .await;
        assert_forbidden(
            register(
                &app,
                &institution,
                &new_enterprise("230102", 90_000_008, "哈尔滨测试化工有限公司"),
            )
            .await,
        )
        .await;
        assert_eq!(app.ledger_head().await, head);
    }
);

both_engines!(
    anonymous_callers_get_401_everywhere_but_reference_data,
    |app| async move {
        let anonymous = app.anonymous();
        let person = app.demo.worker_id;
        let enterprise = app.demo.enterprise_id;
        let job = Uuid::now_v7();
        let hire = hire_request("新人", &fresh_id_number(9));
        let calls: Vec<(reqwest::Method, String, Option<Value>)> = vec![
            (reqwest::Method::GET, "/api/v1/me".into(), None),
            (
                reqwest::Method::PUT,
                "/api/v1/me/password".into(),
                Some(json!({ "current_password": "x", "new_password": "abcdef123" })),
            ),
            (
                reqwest::Method::POST,
                "/api/v1/persons/search".into(),
                Some(json!({ "query": "" })),
            ),
            (
                reqwest::Method::GET,
                format!("/api/v1/persons/{person}"),
                None,
            ),
            (
                reqwest::Method::GET,
                format!("/api/v1/persons/{person}/export"),
                None,
            ),
            (
                reqwest::Method::PUT,
                format!("/api/v1/persons/{person}/phone"),
                Some(json!({ "phone": null })),
            ),
            (reqwest::Method::GET, "/api/v1/enterprises".into(), None),
            (
                reqwest::Method::POST,
                "/api/v1/enterprises".into(),
                Some(new_enterprise(
                    "230102",
                    90_000_009,
                    "哈尔滨测试化工有限公司",
                )),
            ),
            (
                reqwest::Method::GET,
                format!("/api/v1/enterprises/{enterprise}"),
                None,
            ),
            (
                reqwest::Method::GET,
                format!("/api/v1/enterprises/{enterprise}/staff"),
                None,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/enterprises/{enterprise}/employments"),
                Some(hire),
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/enterprises/{enterprise}/employments/{person}/{job}/end"),
                Some(json!({ "end_date": "2025-01-31" })),
            ),
            // A malformed or unknown id is still "sign in first", not a hint.
            (
                reqwest::Method::GET,
                "/api/v1/persons/not-a-uuid".into(),
                None,
            ),
            (
                reqwest::Method::GET,
                format!("/api/v1/enterprises/{}", Uuid::now_v7()),
                None,
            ),
        ];
        let head = app.ledger_head().await;
        for (method, path, body) in calls {
            let mut request = anonymous.request(method.clone(), app.url(&path));
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("request");
            let problem = expect_problem(response, StatusCode::UNAUTHORIZED).await;
            assert_eq!(problem["detail_zh"], "请先登录", "{method} {path}");
            assert_eq!(problem["detail_en"], "Please sign in", "{method} {path}");
        }
        assert_eq!(app.ledger_head().await, head);

        let regions = get_ok(&app, &anonymous, "/api/v1/regions").await;
        assert!(
            regions
                .as_array()
                .expect("a list")
                .iter()
                .any(|r| r["code"] == HARBIN && r["name"] == "哈尔滨市"),
            "regions are public reference data"
        );
        let key = get_ok(&app, &anonymous, "/api/v1/ledger/public-key").await;
        assert_eq!(key["algo"], "SM2");
        assert_eq!(key["public_key"], app.store.verifying_key().public_key);
        let health = get(&app, &anonymous, "/healthz").await;
        assert_eq!(health.status(), StatusCode::OK);
        assert_eq!(health.text().await.expect("a body"), "ok");
    }
);
