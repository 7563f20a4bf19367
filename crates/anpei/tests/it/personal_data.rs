//! Personal data at rest and in files (issue 13, item 7): the ledger keeps no ID number or
//! phone in plain text and still verifies; the database and key files are the owner's
//! alone; a masked ID number never stands beside a full birth date; a full number is shown
//! only when opened on purpose, and every view is audited; an enterprise that hires someone
//! already on record sees what compliance needs, not other employers' records, and the
//! person is told.

use std::collections::HashSet;

use anpei_testkit::{Engine, TestApp, both_engines, expect_json, expect_problem};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    find_full_id_number, get_ok, hire_request, landmarks, ledger_verify, post_hire,
};

/// Every full ID number and phone of the app's people, from the database.
async fn personal_numbers(app: &TestApp) -> (HashSet<String>, HashSet<String>) {
    use sea_orm::EntityTrait;
    let people = anpei_store::entity::person::Entity::find()
        .all(app.store.connection())
        .await
        .unwrap();
    let ids = people.iter().map(|p| p.id_number.clone()).collect();
    let phones = people.iter().filter_map(|p| p.phone.clone()).collect();
    (ids, phones)
}

/// Runs of `len` digits (or 17 digits and an X) in `text`.
fn digit_runs(text: &str, len: usize) -> Vec<String> {
    let mut runs = Vec::new();
    let bytes = text.as_bytes();
    let mut start = None;
    for (i, b) in bytes.iter().enumerate().chain([(bytes.len(), &b' ')]) {
        let part = b.is_ascii_digit() || (*b == b'X' && start.is_some_and(|s| i - s == 17));
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= len {
                    for w in 0..=(i - s - len) {
                        runs.push(text[s + w..s + w + len].to_owned());
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

both_engines!(
    the_ledger_and_the_logs_hold_no_full_id_number_or_phone_and_still_verify,
    |app| async move {
        // A hire and a phone change add person states of their own.
        let enterprise = app.login("enterprise").await;
        let id = crate::support::fresh_id_number(31);
        let hired = expect_json(
            post_hire(
                &app,
                &enterprise,
                app.demo.enterprise_id,
                &hire_request("林志新", &id),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(hired["new_person"], true);

        let (ids, phones) = personal_numbers(&app).await;
        assert!(ids.contains(&id) && ids.len() > 100 && !phones.is_empty());
        use sea_orm::EntityTrait;
        let entries = anpei_store::entity::ledger_entry::Entity::find()
            .all(app.store.connection())
            .await
            .unwrap();
        let mut person_states = 0;
        for entry in &entries {
            let state = entry.state.as_deref().unwrap_or_default();
            for run in digit_runs(state, 18) {
                assert!(
                    !ids.contains(&run),
                    "ledger entry #{} holds a full ID number",
                    entry.seq
                );
            }
            for run in digit_runs(state, 11) {
                assert!(
                    !phones.contains(&run),
                    "ledger entry #{} holds a phone number",
                    entry.seq
                );
            }
            if entry.entity == "persons" {
                person_states += 1;
                let value: Value = serde_json::from_str(state).unwrap();
                assert!(
                    value["id_number"]
                        .as_str()
                        .unwrap()
                        .starts_with("hmac-sm3:"),
                    "{state}"
                );
            }
        }
        assert!(
            person_states > 100,
            "person states are recorded: {person_states}"
        );
        // The sealed states still verify against the rows, with the installation's key.
        let (code, report) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{report}");

        // Nor do the server's logs (of every test so far in this process).
        let logs = anpei_testkit::logs();
        for run in digit_runs(&logs, 18) {
            assert!(!ids.contains(&run), "a full ID number in the logs");
        }
        assert!(find_full_id_number(&logs).is_none_or(|n| !ids.contains(&n)));
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_and_the_ledger_key_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = anpei_testkit::spawn_app(Engine::Sqlite).await;
    for file in [app.dir.join("anpei.db"), app.ledger_key.clone()] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} has mode {mode:o}", file.display());
    }
    for suffix in ["-wal", "-shm"] {
        let file = app.dir.join(format!("anpei.db{suffix}"));
        if file.exists() {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{} has mode {mode:o}", file.display());
        }
    }
    app.cleanup().await;
}

both_engines!(
    a_masked_id_number_is_shown_beside_the_birth_year_only,
    |app| async move {
        let harbin = app.login("harbin").await;
        let marks = landmarks(&app).await;
        let archive = get_ok(
            &app,
            &harbin,
            &format!("/api/v1/persons/{}", marks.harbin_person),
        )
        .await;
        assert!(archive.get("birth_date").is_none(), "{archive}");
        let year = archive["birth_year"].as_i64().unwrap();
        assert!((1940..2010).contains(&year), "{archive}");
        let page = harbin
            .get(app.url(&format!("/persons/{}", marks.harbin_person)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("{year} 年")),
            "the page shows the birth year"
        );
        assert!(
            !page.contains(&format!("{year}-")),
            "no full birth date beside the masked number"
        );
    }
);

both_engines!(
    a_full_id_number_is_shown_only_when_opened_and_every_view_is_audited,
    |app| async move {
        let marks = landmarks(&app).await;
        let person = marks.harbin_person;
        let full = app.full_id_number(person).await;
        let before = app.count_rows("pii_access_log").await;

        // The city regulator opens it on purpose: API and page.
        let harbin = app.login("harbin").await;
        let opened = expect_json(
            harbin
                .post(app.url(&format!("/api/v1/persons/{person}/id-number")))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(opened["id_number"], full);
        let archive = harbin
            .get(app.url(&format!("/persons/{person}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !archive.contains(&full),
            "the archive page shows the masked number"
        );
        assert!(archive.contains("查看完整号码"));
        let response = harbin
            .post(app.url(&format!("/persons/{person}/id-number")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[reqwest::header::CACHE_CONTROL],
            "no-store"
        );
        let shown = response.text().await.unwrap();
        assert!(shown.contains(&full) && shown.contains("本次查看已记录"));
        assert_eq!(app.count_rows("pii_access_log").await, before + 2);

        // The HR bureau may not; another city cannot even see the person.
        let hr = app.login("hr").await;
        let refused = hr
            .post(app.url(&format!("/api/v1/persons/{person}/id-number")))
            .send()
            .await
            .unwrap();
        assert!(
            matches!(
                refused.status(),
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            ),
            "{}",
            refused.status()
        );
        let qiqihar = app.login("qiqihar").await;
        expect_problem(
            qiqihar
                .post(app.url(&format!("/api/v1/persons/{person}/id-number")))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(app.count_rows("pii_access_log").await, before + 2);

        // A worker's own signed export carries their number, and is audited too.
        let worker = app.login("worker").await;
        let export = get_ok(
            &app,
            &worker,
            &format!("/api/v1/persons/{}/export", app.demo.worker_id),
        )
        .await;
        assert!(find_full_id_number(&export.to_string()).is_some());
        assert_eq!(app.count_rows("pii_access_log").await, before + 3);
    }
);

both_engines!(
    an_enterprise_hiring_someone_on_record_sees_what_compliance_needs_and_the_person_is_told,
    |app| async move {
        let marks = landmarks(&app).await;
        let person = marks.harbin_person;
        let province = app.login("province").await;
        let full_view = get_ok(&app, &province, &format!("/api/v1/persons/{person}")).await;
        let name = full_view["name"].as_str().unwrap().to_owned();
        let employers: Vec<String> = full_view["employments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["enterprise_id"].as_str().unwrap().to_owned())
            .collect();
        assert!(!employers.is_empty());

        // The demo enterprise hires them (same name and ID number).
        let enterprise = app.login("enterprise").await;
        let id_number = app.full_id_number(person).await;
        let hired = expect_json(
            post_hire(
                &app,
                &enterprise,
                app.demo.enterprise_id,
                &hire_request(&name, &id_number),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(hired["new_person"], false);

        // It sees its own employment, not the other employers'.
        let seen = get_ok(&app, &enterprise, &format!("/api/v1/persons/{person}")).await;
        let seen_employers: Vec<&str> = seen["employments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["enterprise_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            seen_employers,
            vec![app.demo.enterprise_id.to_string()],
            "{seen}"
        );
        let page = enterprise
            .get(app.url(&format!("/persons/{person}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for other in &employers {
            assert!(
                !page.contains(&format!("/enterprises/{other}")),
                "another employer's employment is hidden"
            );
        }

        // The person is told, in the app (and through the outbox).
        let as_person = anpei_store::Actor {
            account_id: None,
            display_name: name.clone(),
            role: Some(anpei_domain::Role::Worker),
            scope: anpei_store::Scope::Person(person),
        };
        let notices: Vec<String> =
            anpei_store::notifications::list(app.store.connection(), &as_person, false, 50)
                .await
                .unwrap()
                .into_iter()
                .filter(|n| n.kind == "hired")
                .map(|n| n.title_zh)
                .collect();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].contains("已将您登记为在职人员"), "{notices:?}");
    }
);

both_engines!(
    a_roster_export_carries_full_numbers_for_the_enterprise_only_and_is_audited,
    |app| async move {
        let path = format!("/enterprises/{}/roster/export.csv", app.demo.enterprise_id);
        let before = app.count_rows("pii_access_log").await;
        // The enterprise itself: full numbers (the file re-imports), audited.
        let enterprise = app.login("enterprise").await;
        let own = enterprise.get(app.url(&path)).send().await.unwrap();
        assert_eq!(own.status(), StatusCode::OK);
        let own = own.text().await.unwrap();
        assert!(
            find_full_id_number(&own).is_some(),
            "the enterprise's own export is whole"
        );
        assert_eq!(app.count_rows("pii_access_log").await, before + 1);
        // Its city regulator: the same staff, masked; not audited as a view of full numbers.
        let harbin = app.login("harbin").await;
        let masked = harbin.get(app.url(&path)).send().await.unwrap();
        assert_eq!(masked.status(), StatusCode::OK);
        let masked = masked.text().await.unwrap();
        assert!(find_full_id_number(&masked).is_none(), "{masked}");
        assert!(masked.contains("**********"), "masked numbers: {masked}");
        assert_eq!(
            own.lines().count(),
            masked.lines().count(),
            "the same people"
        );
        assert_eq!(app.count_rows("pii_access_log").await, before + 1);
    }
);
