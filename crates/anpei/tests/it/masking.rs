//! Masking (PIPL; SPEC C1): no JSON the API serves for search, staff lists or archives
//! holds a full ID number or a full mobile number, whoever asks; the masked form is always
//! `dddd**********dddd`.

use anpei_testkit::{TestApp, both_engines};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{find_full_id_number, is_masked_id_number, items, uuid_of};

/// Every full ID number and phone number in the database, to look for in responses.
async fn secrets(app: &TestApp) -> Vec<String> {
    use sea_orm::EntityTrait;
    anpei_store::entity::person::Entity::find()
        .all(app.store.connection())
        .await
        .expect("read persons")
        .into_iter()
        .flat_map(|p| std::iter::once(p.id_number).chain(p.phone))
        .collect()
}

/// The body of a 200 response, checked for leaks; returned parsed.
async fn leak_free(response: reqwest::Response, secrets: &[String]) -> Value {
    let url = response.url().clone();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    let text = response.text().await.expect("a body");
    assert_eq!(
        find_full_id_number(&text),
        None,
        "{url} shows a full ID number"
    );
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "{url} shows {secret}");
    }
    serde_json::from_str(&text).expect("JSON")
}

fn assert_masked(value: &Value) {
    let shown = value
        .as_str()
        .unwrap_or_else(|| panic!("a masked ID number, got {value}"));
    assert!(
        is_masked_id_number(shown),
        "{shown} is masked as dddd**********dddd"
    );
}

async fn check_as(app: &TestApp, client: &Client, secrets: &[String]) {
    let found = leak_free(
        client
            .post(app.url("/api/v1/persons/search"))
            .json(&json!({ "query": "", "per_page": 200 }))
            .send()
            .await
            .expect("search"),
        secrets,
    )
    .await;
    let mut people: Vec<Uuid> = Vec::new();
    for person in items(&found) {
        assert_masked(&person["id_number_masked"]);
        people.push(uuid_of(&person["id"]));
    }
    let staff = leak_free(
        client
            .get(app.url(&format!(
                "/api/v1/enterprises/{}/staff?per_page=200",
                app.demo.enterprise_id
            )))
            .send()
            .await
            .expect("staff"),
        secrets,
    )
    .await;
    for row in items(&staff) {
        assert_masked(&row["id_number_masked"]);
    }
    for person in people.iter().take(12) {
        let archive = leak_free(
            client
                .get(app.url(&format!("/api/v1/persons/{person}")))
                .send()
                .await
                .expect("archive"),
            secrets,
        )
        .await;
        assert_masked(&archive["id_number_masked"]);
        if let Some(phone) = archive["phone_masked"].as_str() {
            assert!(phone.contains('*'), "the phone is masked: {phone}");
        }
    }
}

both_engines!(
    no_search_staff_or_archive_response_shows_a_full_id_number,
    |app| async move {
        let secrets = secrets(&app).await;
        assert!(secrets.len() >= app.demo.people as usize);
        for username in ["enterprise", "harbin", "province"] {
            let client = app.login(username).await;
            check_as(&app, &client, &secrets).await;
        }
        // Even the worker's own archive page masks it; only their own export is complete.
        let worker = app.login("worker").await;
        let own = leak_free(
            worker
                .get(app.url(&format!("/api/v1/persons/{}", app.demo.worker_id)))
                .send()
                .await
                .expect("archive"),
            &secrets,
        )
        .await;
        assert_masked(&own["id_number_masked"]);
    }
);
