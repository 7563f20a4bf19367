//! The traceability ledger seen from outside (SPEC C13): writes through the API land in it
//! under the account that made them; `anpei ledger verify` (the real binary, on the
//! server's own database and key) passes on an honest store and names the first broken
//! entry when a row or an entry is changed behind the application's back; concurrent
//! writers never fork the chain.

use anpei_testkit::{TestApp, both_engines, expect_json};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::support::{
    fresh_id_number, get_ok, hire_new_person, hire_request, items, ledger_verify, post_hire,
    staff_ids, uuid_of,
};

/// Runs `sql` on a connection of its own, as someone with database access but without the
/// application would.
async fn behind_the_back(app: &TestApp, sql: &str) {
    let db = sea_orm::Database::connect(app.database_url.as_str())
        .await
        .expect("connect to the test database");
    let result = db.execute_unprepared(sql).await.expect("tamper");
    assert_eq!(result.rows_affected(), 1, "{sql} changes exactly one row");
    db.close().await.ok();
}

fn history(archive: &Value) -> &Vec<Value> {
    archive["history"].as_array().expect("a history")
}

both_engines!(
    a_hire_by_the_enterprise_is_ledgered_under_its_account,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let account = get_ok(&app, &enterprise, "/api/v1/me").await;
        let head = app.ledger_head().await;

        let response = post_hire(
            &app,
            &enterprise,
            app.demo.enterprise_id,
            &hire_request("李新来", &fresh_id_number(11)),
        )
        .await;
        let hired = expect_json(response, StatusCode::CREATED).await;
        assert_eq!(
            hired["new_person"], true,
            "a first hire opens the archive: {hired}"
        );
        let person = uuid_of(&hired["person_id"]);
        let job = uuid_of(&hired["employment_id"]);

        let staff = get_ok(
            &app,
            &enterprise,
            &format!(
                "/api/v1/enterprises/{}/staff?per_page=200",
                app.demo.enterprise_id
            ),
        )
        .await;
        let row = items(&staff)
            .iter()
            .find(|s| uuid_of(&s["person_id"]) == person)
            .unwrap_or_else(|| panic!("the new hire is on the staff: {staff}"));
        assert_eq!(row["name"], "李新来");
        assert_eq!(row["position"], "电工");
        assert_eq!(uuid_of(&row["employment_id"]), job);

        let archive = get_ok(&app, &enterprise, &format!("/api/v1/persons/{person}")).await;
        assert_eq!(archive["name"], "李新来");
        let employment = &archive["employments"][0];
        assert_eq!(uuid_of(&employment["id"]), job);
        assert_eq!(employment["current"], true);
        assert_eq!(
            employment["recorded"]["by"], account["display_name"],
            "{archive}"
        );
        assert!(
            employment["recorded"]["by"]
                .as_str()
                .is_some_and(|by| by.contains("安全管理员")),
            "the record names the enterprise's account: {employment}"
        );
        assert_eq!(employment["recorded"]["action"], "employment.start");

        // One entry for the new person, one for the job, at the head of the chain.
        assert_eq!(app.ledger_head().await, head + 2);
        let entries = history(&archive);
        assert_eq!(entries.len(), 2, "{archive}");
        assert_eq!(entries[0]["action"], "person.create");
        assert_eq!(entries[0]["ledger_seq"], head + 1);
        assert_eq!(entries[1]["ledger_seq"], head + 2);
        for entry in entries {
            assert_eq!(entry["by"], account["display_name"]);
        }
    }
);

both_engines!(
    ending_an_employment_takes_the_person_off_the_staff_and_is_ledgered,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let (person, job) = hire_new_person(&app, &enterprise, "王离职", 12).await;
        let head = app.ledger_head().await;
        let yesterday = anpei_testkit::today().pred_opt().expect("a date");

        let response = enterprise
            .post(app.url(&format!(
                "/api/v1/enterprises/{}/employments/{person}/{job}/end",
                app.demo.enterprise_id
            )))
            .json(&json!({ "end_date": yesterday.to_string() }))
            .send()
            .await
            .expect("POST end");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.ledger_head().await, head + 1);

        let staff = staff_ids(&app, &enterprise, app.demo.enterprise_id).await;
        assert!(
            !staff.contains(&person),
            "a leaver is no longer on the staff"
        );
        // Nor is the person the enterprise's to read any more; the province still sees the
        // whole archive, with the job ended and the end ledgered.
        crate::support::assert_not_found(
            crate::support::get(&app, &enterprise, &format!("/api/v1/persons/{person}")).await,
        )
        .await;
        let province = app.login("province").await;
        let archive = get_ok(&app, &province, &format!("/api/v1/persons/{person}")).await;
        let employment = &archive["employments"][0];
        assert_eq!(employment["current"], false);
        assert_eq!(employment["end_date"], yesterday.to_string());
        let entries = history(&archive);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[2]["action"], "employment.end");
        assert_eq!(entries[2]["ledger_seq"], head + 1);

        // Ending it twice is refused and writes nothing.
        let again = enterprise
            .post(app.url(&format!(
                "/api/v1/enterprises/{}/employments/{person}/{job}/end",
                app.demo.enterprise_id
            )))
            .json(&json!({ "end_date": yesterday.to_string() }))
            .send()
            .await
            .expect("POST end");
        let problem = anpei_testkit::expect_problem(again, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["field"], "end_date");
        assert_eq!(app.ledger_head().await, head + 1);
    }
);

both_engines!(
    ledger_verify_names_a_person_changed_behind_the_applications_back,
    |app| async move {
        let (code, stdout) = ledger_verify(&app).await;
        assert_eq!(code, 0, "an untouched store verifies: {stdout}");
        assert!(stdout.contains("ledger OK"), "{stdout}");

        let worker = app.demo.worker_id;
        let province = app.login("province").await;
        let archive = get_ok(&app, &province, &format!("/api/v1/persons/{worker}")).await;
        let recorded = history(&archive)
            .iter()
            .find(|e| e["action"] == "person.create")
            .and_then(|e| e["ledger_seq"].as_i64())
            .expect("the worker's creation is in the ledger");

        // SQLite keeps uuids as blobs: pick the row by its ID number, which is text on both.
        let id_number = app.full_id_number(worker).await;
        behind_the_back(
            &app,
            &format!("UPDATE persons SET name = '篡改' WHERE id_number = '{id_number}'"),
        )
        .await;

        let (code, stdout) = ledger_verify(&app).await;
        assert_eq!(code, 1, "a tampered store fails: {stdout}");
        assert!(
            stdout.contains(&format!(
                "first broken entry #{recorded} (persons/{worker})"
            )),
            "the report names the entry and the row: {stdout}"
        );
        assert!(stdout.contains("row in the database differs"), "{stdout}");
    }
);

both_engines!(
    ledger_verify_names_a_ledger_entry_whose_state_was_rewritten,
    |app| async move {
        let seq = 42;
        behind_the_back(
            &app,
            &format!(
                r#"UPDATE ledger_entries SET state = '{{"tampered":true}}' WHERE seq = {seq}"#
            ),
        )
        .await;
        let (code, stdout) = ledger_verify(&app).await;
        assert_eq!(code, 1, "{stdout}");
        assert!(
            stdout.contains(&format!("first broken entry #{seq} (")),
            "the report names entry #{seq}: {stdout}"
        );
        assert!(
            stdout.contains("recorded state does not match its digest"),
            "{stdout}"
        );
    }
);

both_engines!(
    twenty_concurrent_hires_keep_one_unbroken_chain,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let head = app.ledger_head().await;
        let mut hires = JoinSet::new();
        for n in 0..20u16 {
            let client = enterprise.clone();
            let url = app.url(&format!(
                "/api/v1/enterprises/{}/employments",
                app.demo.enterprise_id
            ));
            let body = hire_request(
                &format!(
                    "并发{}",
                    char::from_u32(0x4E00 + u32::from(n)).expect("a CJK character")
                ),
                &fresh_id_number(100 + n),
            );
            hires.spawn(async move {
                let response = client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .expect("POST employments");
                expect_json(response, StatusCode::CREATED).await
            });
        }
        let mut people = Vec::new();
        while let Some(hired) = hires.join_next().await {
            let hired = hired.expect("the hire task finished");
            assert_eq!(hired["new_person"], true);
            people.push(uuid_of(&hired["person_id"]));
        }
        people.sort();
        people.dedup();
        assert_eq!(people.len(), 20, "twenty distinct people");
        assert_eq!(
            app.ledger_head().await,
            head + 40,
            "two entries a hire, none lost"
        );

        let staff = staff_ids(&app, &enterprise, app.demo.enterprise_id).await;
        for person in &people {
            assert!(staff.contains(person));
        }
        let (code, stdout) = ledger_verify(&app).await;
        assert_eq!(code, 0, "the chain did not fork: {stdout}");
        assert!(stdout.contains("ledger OK"), "{stdout}");
    }
);
