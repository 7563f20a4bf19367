//! The verdict table through HTTP on both engines: a roster import, a certificate issued and
//! revoked, and a failed assessment each move the person's verdicts and the enterprise's and
//! the city's figures in the same request, each change is ledgered, and a full evaluation
//! afterwards finds exactly the figures the writes kept; regulators break the figures down by
//! county and industry, list who falls due within 30/60/90 days, and export to .xlsx.

use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use calamine::{Data, Reader, Xlsx};
use chrono::Days;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::roster::{HEADER, upload};
use crate::support::{fresh_id_number, get_ok, items, ledger_verify};

async fn figures(app: &TestApp, client: &Client) -> Value {
    let body = get_ok(
        app,
        client,
        &format!("/api/v1/enterprises/{}/compliance", app.demo.enterprise_id),
    )
    .await;
    body["figures"].clone()
}

async fn city_total(app: &TestApp, client: &Client) -> Value {
    get_ok(app, client, "/api/v1/kpis").await["total"].clone()
}

fn n(value: &Value, path: &[&str]) -> i64 {
    let mut v = value;
    for key in path {
        v = &v[*key];
    }
    v.as_i64().unwrap_or_else(|| panic!("{path:?} in {value}"))
}

/// Who `/api/v1/kpis/people` lists for the demo enterprise with `query`.
async fn listed(app: &TestApp, client: &Client, query: &str) -> Vec<Value> {
    let page = get_ok(
        app,
        client,
        &format!(
            "/api/v1/kpis/people?enterprise={}&{query}",
            app.demo.enterprise_id
        ),
    )
    .await;
    items(&page).clone()
}

fn lists(people: &[Value], person: Uuid) -> Option<&Value> {
    people.iter().find(|p| p["person_id"] == person.to_string())
}

async fn person_named(app: &TestApp, client: &Client, name: &str) -> Uuid {
    let page = get_ok(
        app,
        client,
        &format!(
            "/api/v1/enterprises/{}/staff?per_page=200",
            app.demo.enterprise_id
        ),
    )
    .await;
    let found = items(&page)
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} on the staff"));
    Uuid::parse_str(found["person_id"].as_str().unwrap()).unwrap()
}

fn day(days_ago: u64) -> String {
    (anpei_testkit::today() - Days::new(days_ago))
        .format("%Y-%m-%d")
        .to_string()
}

both_engines!(
    every_write_moves_the_figures_at_once_and_a_full_evaluation_agrees,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let harbin = app.login("harbin").await;
        let before = figures(&app, &enterprise).await;
        let city_before = city_total(&app, &harbin).await;
        let ledger_before = app.ledger_head().await;

        // A roster of two: an electrician (special operations, trade 1.2) and a loader.
        let started = day(40);
        let csv = format!(
            "{HEADER}\n判定电工,{},,普通高中,正式职工,电工,{started},,1.2,否,否,否,否\n判定装卸,{},,普通高中,被派遣劳动者,装卸工,{started},,,否,否,否,否\n",
            fresh_id_number(4101),
            fresh_id_number(4102)
        );
        let response = upload(&app, &enterprise, "two.csv", &csv).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{text}");
        let after_import = figures(&app, &enterprise).await;
        assert_eq!(n(&after_import, &["people"]), n(&before, &["people"]) + 2);
        let special = ["rules", "special_ops_certified"];
        assert_eq!(
            n(&after_import, &[special[0], special[1], "violation"]),
            n(&before, &[special[0], special[1], "violation"]) + 1,
            "the uncertified electrician is a violation at once"
        );
        let city = city_total(&app, &harbin).await;
        assert_eq!(n(&city, &["people"]), n(&city_before, &["people"]) + 2);
        assert_eq!(
            n(&city, &["kpis", "special_ops_certified", "people"]),
            n(&city_before, &["kpis", "special_ops_certified", "people"]) + 1
        );
        let electrician = person_named(&app, &enterprise, "判定电工").await;
        let loader = person_named(&app, &enterprise, "判定装卸").await;
        let uncertified = listed(&app, &enterprise, "rule=special_ops_certified").await;
        let row = lists(&uncertified, electrician).expect("listed as uncertified");
        assert_eq!(row["worst"], "violation");
        assert!(
            row["findings"]
                .to_string()
                .contains("未持有该工种的特种作业操作证"),
            "with the reason: {row}"
        );

        // A certificate: compliant, and the KPI's numerator moves.
        let issued = expect_json(
            harbin
                .post(app.url(&format!("/api/v1/persons/{electrician}/certificates")))
                .json(&json!({ "kind": "special_ops", "trade": "1.2", "issued_on": day(10) }))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let certified = figures(&app, &enterprise).await;
        assert_eq!(
            n(&certified, &["kpis", "special_ops_certified", "compliant"]),
            n(
                &after_import,
                &["kpis", "special_ops_certified", "compliant"]
            ) + 1
        );
        assert!(
            lists(
                &listed(&app, &enterprise, "rule=special_ops_certified").await,
                electrician
            )
            .is_none()
        );
        let city_certified = city_total(&app, &harbin).await;
        assert_eq!(
            n(
                &city_certified,
                &["kpis", "special_ops_certified", "compliant"]
            ),
            n(&city, &["kpis", "special_ops_certified", "compliant"]) + 1
        );

        // Revoked: back to a violation.
        let id = issued["id"].as_str().unwrap();
        let revoked = harbin
            .post(app.url(&format!(
                "/api/v1/persons/{electrician}/certificates/{id}/revoke"
            )))
            .json(&json!({ "reason": "伪造" }))
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        let after_revoke = figures(&app, &enterprise).await;
        assert_eq!(
            after_revoke["kpis"]["special_ops_certified"],
            after_import["kpis"]["special_ops_certified"]
        );
        assert!(
            lists(
                &listed(&app, &enterprise, "rule=special_ops_certified").await,
                electrician
            )
            .is_some()
        );

        // A failed assessment takes the loader off post: rule 1 is open (due soon) for them.
        let failed = enterprise
            .post(app.url(&format!("/api/v1/persons/{loader}/assessments")))
            .json(&json!({ "assessed_on": day(1), "position": "装卸工", "passed": false }))
            .send()
            .await
            .unwrap();
        assert_eq!(failed.status(), StatusCode::CREATED);
        let open = listed(&app, &enterprise, "rule=in_post_assessed&verdict=due_soon").await;
        let row = lists(&open, loader).expect("the loader is listed under rule 1");
        assert!(
            row["findings"].to_string().contains("正在离岗培训"),
            "{row}"
        );
        let after_fail = figures(&app, &enterprise).await;
        assert_ne!(after_fail, after_revoke, "the figures moved");

        // Every change is in the ledger, and the ledger checks out.
        assert!(app.ledger_head().await >= ledger_before + 6);
        let (code, out) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");

        // A full evaluation from the facts finds exactly what the writes kept.
        let city_kept = get_ok(&app, &harbin, "/api/v1/kpis?by=enterprise").await;
        anpei_store::verdicts::rebuild(
            &app.store,
            anpei_testkit::today(),
            anpei_testkit::now(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(figures(&app, &enterprise).await, after_fail);
        let city_rebuilt = get_ok(&app, &harbin, "/api/v1/kpis?by=enterprise").await;
        assert_eq!(city_rebuilt["total"], city_kept["total"]);
        let key = |v: &Value| {
            let mut lines = v["lines"].as_array().unwrap().clone();
            lines.sort_by_key(|l| l["key"].as_str().unwrap().to_owned());
            lines
        };
        assert_eq!(key(&city_rebuilt), key(&city_kept));
    }
);

both_engines!(
    regulators_break_figures_down_list_what_falls_due_and_export,
    |app| async move {
        let province = app.login("province").await;
        let report = get_ok(&app, &province, "/api/v1/kpis").await;
        assert_eq!(report["by"], "city");
        let people = n(&report["total"], &["people"]);
        assert!(people > 0);
        let sum = |report: &Value| -> i64 {
            report["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| n(&l["figures"], &["people"]))
                .sum()
        };
        assert_eq!(sum(&report), people, "the cities add up to the province");
        let by_industry = get_ok(&app, &province, "/api/v1/kpis?by=industry").await;
        assert_eq!(sum(&by_industry), people, "so do the industries");
        let harbin_line = report["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == "230100")
            .expect("Harbin has people")
            .clone();
        let counties = get_ok(&app, &province, "/api/v1/kpis?city=230100&by=county").await;
        assert_eq!(counties["by"], "county");
        assert!(
            counties["lines"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["key"].as_str().unwrap().starts_with("2301"))
        );
        assert_eq!(sum(&counties), n(&harbin_line["figures"], &["people"]));
        let county = counties["lines"][0]["key"].as_str().unwrap().to_owned();
        let one = get_ok(&app, &province, &format!("/api/v1/kpis?county={county}")).await;
        assert_eq!(one["total"], counties["lines"][0]["figures"]);

        // Scope: a city regulator asking for another city, an enterprise asking at all.
        let harbin = app.login("harbin").await;
        expect_problem(
            harbin
                .get(app.url("/api/v1/kpis?city=230200"))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        let enterprise = app.login("enterprise").await;
        expect_problem(
            enterprise
                .get(app.url("/api/v1/kpis"))
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;

        // Due within 30 / 60 / 90 days: counted and listed alike, each within its horizon.
        let today = anpei_testkit::today();
        let mut previous = 0;
        for days in [30u64, 60, 90] {
            let list = get_ok(&app, &province, &format!("/api/v1/kpis/people?due={days}")).await;
            let total = list["total"].as_i64().unwrap();
            assert_eq!(
                total,
                n(&report["total"], &[&format!("due_within_{days}")]),
                "{days} days"
            );
            assert!(total >= previous, "a longer horizon holds at least as many");
            previous = total;
            for item in items(&list) {
                let due: chrono::NaiveDate = item["next_due"].as_str().unwrap().parse().unwrap();
                assert!(due >= today && due <= today + Days::new(days), "{item}");
            }
        }
        assert!(previous > 0, "the demo has something due within 90 days");
        expect_problem(
            province
                .get(app.url("/api/v1/kpis/people?due=45"))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;

        // The dashboard's table as .xlsx: the city's enterprises and the total.
        let response = harbin.get(app.url("/dashboard.xlsx")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = response.bytes().await.unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&sheet).unwrap();
        let title = range.get((0, 0)).unwrap().to_string();
        assert!(title.contains("哈尔滨市"), "{title}");
        let last = range.height() - 1;
        assert_eq!(range.get((last, 0)), Some(&Data::String("合计".to_owned())));
        assert_eq!(
            range.get((last, 1)),
            Some(&Data::Float(n(&harbin_line["figures"], &["people"]) as f64))
        );
        let enterprises = get_ok(&app, &harbin, "/api/v1/kpis?by=enterprise").await;
        let staffed = enterprises["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| n(&l["figures"], &["people"]) > 0)
            .count();
        assert_eq!(
            range.height(),
            2 + staffed + 1,
            "title, header, enterprises, total"
        );

        // The pages behind the numbers give the reason.
        let page = harbin
            .get(app.url("/dashboard/people?city=230100&rule=special_ops_certified"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("未持有该工种的特种作业操作证"), "{html}");
        let dashboard = harbin
            .get(app.url("/dashboard?by=county"))
            .send()
            .await
            .unwrap();
        let html = dashboard.text().await.unwrap();
        assert!(html.contains("按县（市、区）") && html.contains("导出 Excel"));
    }
);

both_engines!(
    a_nightly_evaluation_that_keeps_unchanged_rows_agrees_with_one_from_scratch,
    |app| async move {
        use anpei_store::verdicts;
        let province = app.login("province").await;
        // Weeks later: some due dates have come inside the 30/60/90-day horizons, some
        // certificates have expired; most people's standing is as it was.
        let later = anpei_testkit::today() + Days::new(45);
        let kept = verdicts::rebuild(&app.store, later, anpei_testkit::now(), &|_, _| {})
            .await
            .unwrap();
        assert!(kept.rows_written > 0, "{kept:?}");
        assert!(kept.rows_written < kept.rows, "{kept:?}");
        let by_kept = get_ok(&app, &province, "/api/v1/kpis?by=city").await;

        verdicts::clear_person_rows(&app.store, anpei_testkit::now())
            .await
            .unwrap();
        let fresh = verdicts::rebuild(&app.store, later, anpei_testkit::now(), &|_, _| {})
            .await
            .unwrap();
        assert_eq!(fresh.rows_written, fresh.rows);
        assert_eq!(fresh.rows, kept.rows);
        assert_eq!(fresh.people, kept.people);
        let by_fresh = get_ok(&app, &province, "/api/v1/kpis?by=city").await;
        assert_eq!(by_kept["total"], by_fresh["total"]);
        let by_key = |v: &Value| {
            let mut lines = v["lines"].as_array().unwrap().clone();
            lines.sort_by_key(|l| l["key"].as_str().unwrap().to_owned());
            lines
        };
        assert_eq!(by_key(&by_kept), by_key(&by_fresh));
    }
);
