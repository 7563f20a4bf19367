//! County regulators (SPEC C0, C1: province → cities → counties): the province creates a
//! county's account with a county code (a city code is refused, by field); the county's
//! regulator sees the enterprises registered in its county and their people, and nothing
//! else of its city (404, as for every out-of-scope read); its compliance figures are its
//! county's line of the city's breakdown; it manages the enterprise accounts of its county
//! only, and has no exam, class or certificate authority (those are the city's).

use anpei_testkit::{both_engines, expect_json, expect_problem};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::{HARBIN, assert_not_found, get, get_ok, items, staff_ids, uuid_of};

both_engines!(
    a_county_regulator_sees_and_manages_its_county_only,
    |app| async move {
        let province = app.login("province").await;
        let demo = get_ok(
            &app,
            &province,
            &format!("/api/v1/enterprises/{}", app.demo.enterprise_id),
        )
        .await;
        let county = demo["region_code"].as_str().expect("a region").to_owned();
        assert_eq!(demo["city_code"], HARBIN, "{demo}");
        let harbin = get_ok(
            &app,
            &province,
            &format!("/api/v1/enterprises?city={HARBIN}&per_page=200"),
        )
        .await;
        let in_county: Vec<Uuid> = items(&harbin)
            .iter()
            .filter(|e| e["region_code"] == county.as_str())
            .map(|e| uuid_of(&e["id"]))
            .collect();
        let outside = items(&harbin)
            .iter()
            .find(|e| e["region_code"] != county.as_str() && e["staff"].as_u64().unwrap_or(0) > 0)
            .map(|e| uuid_of(&e["id"]))
            .expect("a staffed Harbin enterprise in another county");

        // Who the county's login is.
        let client = app.login("county").await;
        let me = get_ok(&app, &client, "/api/v1/me").await;
        assert_eq!(me["role"], "county_regulator", "{me}");
        assert_eq!(me["scope"], "county", "{me}");
        assert_eq!(me["region_code"], county.as_str(), "{me}");

        // Its enterprises: exactly those registered in the county.
        let listed = get_ok(&app, &client, "/api/v1/enterprises?per_page=200").await;
        let mut seen: Vec<Uuid> = items(&listed).iter().map(|e| uuid_of(&e["id"])).collect();
        let mut expected = in_county.clone();
        seen.sort();
        expected.sort();
        assert_eq!(
            seen, expected,
            "the county lists its own enterprises: {listed}"
        );
        assert!(seen.contains(&app.demo.enterprise_id));
        assert_not_found(get(&app, &client, &format!("/api/v1/enterprises/{outside}")).await).await;

        // Their people, not the rest of the city's.
        let at_demo = staff_ids(&app, &province, app.demo.enterprise_id).await;
        get_ok(&app, &client, &format!("/api/v1/persons/{}", at_demo[0])).await;
        let elsewhere = staff_ids(&app, &province, outside)
            .await
            .into_iter()
            .find(|p| !at_demo.contains(p))
            .expect("someone working only outside the county");
        assert_not_found(get(&app, &client, &format!("/api/v1/persons/{elsewhere}")).await).await;

        // Compliance: the county's figures are its line in the province's view of Harbin by
        // county; another county is not found; the city as a whole is narrowed to the county.
        let own = get_ok(&app, &client, "/api/v1/kpis").await;
        let by_county = get_ok(
            &app,
            &province,
            &format!("/api/v1/kpis?city={HARBIN}&by=county"),
        )
        .await;
        let line = by_county["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|l| l["key"] == county.as_str())
            .unwrap_or_else(|| panic!("{county} in {by_county}"));
        assert_eq!(own["total"], line["figures"], "{own} vs {line}");
        let other_county = items(&harbin)
            .iter()
            .map(|e| e["region_code"].as_str().unwrap_or_default().to_owned())
            .find(|code| *code != county)
            .expect("another county");
        assert_not_found(
            get(
                &app,
                &client,
                &format!("/api/v1/kpis?county={other_county}"),
            )
            .await,
        )
        .await;
        let city_wide = get_ok(&app, &client, &format!("/api/v1/kpis?city={HARBIN}")).await;
        assert_eq!(city_wide["total"], own["total"], "{city_wide}");

        // Exams are the city's: a county may not create a session (refused, nothing written).
        let head = app.ledger_head().await;
        let refused = client
            .post(app.url("/api/v1/exam/sites"))
            .json(
                &json!({ "name": "县考点", "region_code": county, "address": "某路 1 号",
                        "rooms": [{ "name": "第一考场", "seats": 30 }] }),
            )
            .send()
            .await
            .unwrap();
        expect_problem(refused, StatusCode::FORBIDDEN).await;

        // Accounts: it sees its county's enterprise accounts and not the city's regulators.
        let accounts = get_ok(&app, &client, "/api/v1/accounts?per_page=100").await;
        let usernames: Vec<&str> = items(&accounts)
            .iter()
            .filter_map(|a| a["username"].as_str())
            .collect();
        assert!(usernames.contains(&"enterprise"), "{accounts}");
        for other in ["harbin", "qiqihar", "province", "hr", "county", "worker"] {
            assert!(!usernames.contains(&other), "{other} in {accounts}");
        }
        // It may create an account for an enterprise of its county, not for one outside it,
        // and no regulator accounts.
        let outside_code = get_ok(&app, &province, &format!("/api/v1/enterprises/{outside}")).await
            ["credit_code"]
            .as_str()
            .unwrap()
            .to_owned();
        let create = |username: &str, role: &str, credit: &str| {
            let region = if role == "enterprise" {
                county.as_str()
            } else {
                HARBIN
            };
            client
                .post(app.url("/api/v1/accounts"))
                .json(&json!({ "username": username, "display_name": "张安全",
                            "role": role, "credit_code": credit, "region_code": region }))
                .send()
        };
        expect_problem(
            create("zhang-out", "enterprise", &outside_code)
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
        expect_problem(
            create("zhang-city", "city_regulator", "").await.unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_eq!(app.ledger_head().await, head, "refusals write nothing");
        let own_code = demo["credit_code"].as_str().unwrap().to_owned();
        let created = expect_json(
            create("zhang-own", "enterprise", &own_code).await.unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(
            created["account"]["enterprise_id"],
            app.demo.enterprise_id.to_string()
        );

        // The province creates a county's regulator with a county code, not a city's.
        let new_county =
            |code: &str| {
                province
            .post(app.url("/api/v1/accounts"))
            .json(&json!({ "username": format!("county-{code}"), "display_name": "县应急管理局",
                            "role": "county_regulator", "region_code": code }))
            .send()
            };
        let wrong = expect_problem(
            new_county(HARBIN).await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(wrong["field"], "region_code", "{wrong}");
        let made = expect_json(
            new_county(&other_county).await.unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(made["account"]["role"], "county_regulator", "{made}");
        assert_eq!(
            made["account"]["region_code"],
            other_county.as_str(),
            "{made}"
        );
    }
);

both_engines!(a_county_regulator_has_its_own_pages, |app| async move {
    let client = app.login("county").await;
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    // Its menu: the dashboard, enterprises, people, institutions and subsidies, but not
    // exams or the question bank.
    for link in [
        "/dashboard",
        "/enterprises",
        "/persons",
        "/subsidies",
        "/admin/accounts",
    ] {
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "{link} in the menu"
        );
    }
    for link in ["/exams", "/bank"] {
        assert!(
            !html.contains(&format!("href=\"{link}\"")),
            "no {link} in the menu"
        );
    }
    let dashboard = client.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(dashboard.status(), StatusCode::OK);
    let html = dashboard.text().await.unwrap();
    assert!(
        html.contains("按企业"),
        "a county breaks down by enterprise"
    );
    assert!(!html.contains("按县（市、区）"), "and not by county");
});
