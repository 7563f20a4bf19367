//! What the tests share: running the real `anpei` binary, finding demo data in and out of
//! each role's jurisdiction (found through the province login, as a user would), building
//! hires, and recognising a full ID number wherever it might leak.

use std::process::Output;

use anpei_domain::IdNumber;
use anpei_testkit::{TestApp, expect_json};
use chrono::{Days, NaiveDate};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

pub const HARBIN: &str = "230100";
pub const QIQIHAR: &str = "230200";

/// Runs the built `anpei` binary with `args`, off the async threads.
pub async fn anpei(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_anpei"))
        .args(args)
        .env_remove("ANPEI_DATABASE_URL")
        .env_remove("ANPEI_LEDGER_KEY")
        // The binary runs on the tests' clock, as the test apps do.
        .env("ANPEI_CLOCK_START", anpei_testkit::now().to_rfc3339())
        .env("ANPEI_LOG", "warn")
        .output()
        .await
        .expect("run the anpei binary")
}

/// `anpei ledger verify` against the app's database and key: (exit code, stdout).
pub async fn ledger_verify(app: &TestApp) -> (i32, String) {
    let key = app.ledger_key.display().to_string();
    let output = anpei(&[
        "--database",
        &app.database_url,
        "--ledger-key",
        &key,
        "ledger",
        "verify",
    ])
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "ledger verify ran (exit {code}): {stdout}\n{stderr}"
    );
    (code, stdout)
}

/// A valid ID number that the demo never produces (its sequence codes are 900–999): a
/// person born in Daoli District, Harbin, `n` days after 1980-01-01.
pub fn fresh_id_number(n: u16) -> String {
    let birth = NaiveDate::from_ymd_opt(1980, 1, 1).expect("a date") + Days::new(u64::from(n));
    IdNumber::synthesize("230102", birth, n % 900)
        .expect("a synthesized ID number parses")
        .as_str()
        .to_owned()
}

/// The same number with a wrong check character.
pub fn with_wrong_check_digit(valid: &str) -> String {
    let (body, check) = valid.split_at(17);
    let wrong = if check == "0" { "1" } else { "0" };
    format!("{body}{wrong}")
}

/// A complete hire request as a form would send it.
pub fn hire_request(name: &str, id_number: &str) -> Value {
    json!({
        "name": name,
        "id_number": id_number,
        "phone": "17012345678",
        "kind": "regular",
        "position": "电工",
        "start_date": "2024-03-01",
        "special_ops_trade": "1.2",
        "team_leader": false,
        "key_position": true,
    })
}

/// `POST /api/v1/enterprises/{enterprise}/employments`; the raw response.
pub async fn post_hire(
    app: &TestApp,
    client: &Client,
    enterprise: Uuid,
    body: &Value,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/enterprises/{enterprise}/employments")))
        .json(body)
        .send()
        .await
        .expect("POST employments")
}

/// Hires a new person into the demo enterprise as the enterprise; returns (person, employment).
pub async fn hire_new_person(
    app: &TestApp,
    enterprise: &Client,
    name: &str,
    n: u16,
) -> (Uuid, Uuid) {
    let response = post_hire(
        app,
        enterprise,
        app.demo.enterprise_id,
        &hire_request(name, &fresh_id_number(n)),
    )
    .await;
    let hired = expect_json(response, StatusCode::CREATED).await;
    assert_eq!(hired["new_person"], true, "{hired}");
    (
        uuid_of(&hired["person_id"]),
        uuid_of(&hired["employment_id"]),
    )
}

pub fn uuid_of(value: &Value) -> Uuid {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a uuid, got {value}"))
}

/// GET `path` as `client`; the JSON body, which must come with 200.
pub async fn get_ok(app: &TestApp, client: &Client, path: &str) -> Value {
    let response = client.get(app.url(path)).send().await.expect("GET");
    expect_json(response, StatusCode::OK).await
}

/// GET `path` as `client`; the raw response.
pub async fn get(app: &TestApp, client: &Client, path: &str) -> reqwest::Response {
    client.get(app.url(path)).send().await.expect("GET")
}

/// `POST /api/v1/persons/search`; the raw response.
pub async fn search(app: &TestApp, client: &Client, query: &str) -> reqwest::Response {
    client
        .post(app.url("/api/v1/persons/search"))
        .json(&json!({ "query": query, "per_page": 200 }))
        .send()
        .await
        .expect("POST search")
}

/// Person ids on the current staff of `enterprise` (as a client that may see it).
pub async fn staff_ids(app: &TestApp, client: &Client, enterprise: Uuid) -> Vec<Uuid> {
    let page = get_ok(
        app,
        client,
        &format!("/api/v1/enterprises/{enterprise}/staff?per_page=200"),
    )
    .await;
    items(&page)
        .iter()
        .map(|s| uuid_of(&s["person_id"]))
        .collect()
}

pub fn items(page: &Value) -> &Vec<Value> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page with items: {page}"))
}

/// Demo data on both sides of every jurisdiction boundary, found by the province.
#[derive(Debug)]
pub struct Landmarks {
    /// An enterprise in Harbin other than the demo enterprise, with staff.
    pub harbin_enterprise: Uuid,
    /// Someone on its staff (not at the demo enterprise).
    pub harbin_person: Uuid,
    /// An enterprise in Qiqihar, with staff.
    pub qiqihar_enterprise: Uuid,
    /// Someone on its staff.
    pub qiqihar_person: Uuid,
    /// An enterprise in a third city (neither Harbin nor Qiqihar).
    pub other_city_enterprise: Uuid,
}

pub async fn landmarks(app: &TestApp) -> Landmarks {
    let province = app.login("province").await;
    let at_demo = staff_ids(app, &province, app.demo.enterprise_id).await;
    let (harbin_enterprise, harbin_person) = staffed_in(app, &province, &at_demo, HARBIN).await;
    let (qiqihar_enterprise, qiqihar_person) = staffed_in(app, &province, &at_demo, QIQIHAR).await;
    let all = get_ok(app, &province, "/api/v1/enterprises?per_page=200").await;
    let other_city_enterprise = items(&all)
        .iter()
        .find(|e| e["city_code"] != HARBIN && e["city_code"] != QIQIHAR)
        .map(|e| uuid_of(&e["id"]))
        .expect("an enterprise in a third city");
    Landmarks {
        harbin_enterprise,
        harbin_person,
        qiqihar_enterprise,
        qiqihar_person,
        other_city_enterprise,
    }
}

/// An enterprise of `city` (not the demo enterprise) and someone on its staff who does not
/// also work at the demo enterprise.
async fn staffed_in(
    app: &TestApp,
    province: &Client,
    at_demo: &[Uuid],
    city: &str,
) -> (Uuid, Uuid) {
    let page = get_ok(
        app,
        province,
        &format!("/api/v1/enterprises?city={city}&per_page=200"),
    )
    .await;
    for enterprise in items(&page) {
        let id = uuid_of(&enterprise["id"]);
        if id == app.demo.enterprise_id || enterprise["staff"].as_u64().unwrap_or(0) == 0 {
            continue;
        }
        let staff = staff_ids(app, province, id).await;
        if let Some(person) = staff.into_iter().find(|p| !at_demo.contains(p)) {
            return (id, person);
        }
    }
    panic!("the demo has a staffed enterprise in {city}")
}

/// `dddd**********ddd[dX]`: the only form of an ID number the API may show others.
pub fn is_masked_id_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 18
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4..14].iter().all(|b| *b == b'*')
        && bytes[14..].iter().all(|b| b.is_ascii_digit() || *b == b'X')
}

/// The first full ID number anywhere in `text`: 17 digits and a digit or `X` that parse as
/// an ID number (an all-digit credit code such as `912301020000102179` has the shape but
/// not a province prefix or check digit, and is not personal data).
pub fn find_full_id_number(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    bytes.windows(18).find_map(|window| {
        let shaped = window[..17].iter().all(u8::is_ascii_digit)
            && (window[17].is_ascii_digit() || window[17] == b'X');
        let candidate = String::from_utf8_lossy(window).into_owned();
        (shaped && IdNumber::parse(&candidate).is_ok()).then_some(candidate)
    })
}

/// A client request that must be refused as not found, as a problem document.
pub async fn assert_not_found(response: reqwest::Response) {
    anpei_testkit::expect_problem(response, StatusCode::NOT_FOUND).await;
}

pub async fn assert_forbidden(response: reqwest::Response) {
    anpei_testkit::expect_problem(response, StatusCode::FORBIDDEN).await;
}
