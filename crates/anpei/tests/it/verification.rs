//! Public verification that cannot be harvested (issue 13), through HTTP on both engines: the
//! number alone shows the status and nothing of the holder; the holder's full name (POSTed)
//! or the QR code's token shows the details; a scan of numbers from one address is refused
//! with 429 while another address is served; every check is logged without what was typed;
//! and the in-memory index answers for a change made a moment ago — through this server at
//! once, through another process within seconds.

use std::process::Command;

use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::certificate_pdf::{have, run};
use crate::support::{find_full_id_number, get, get_ok};

/// A special-operations certificate (低压电工作业, Harbin) issued to the demo worker:
/// (number, certificate id, verification URL of its QR code, the holder's full name).
struct Issued {
    number: String,
    id: String,
    url: String,
    name: String,
}

async fn issue_to_worker(app: &TestApp) -> Issued {
    let harbin = app.login("harbin").await;
    let issued = expect_json(
        harbin
            .post(app.url(&format!(
                "/api/v1/persons/{}/certificates",
                app.demo.worker_id
            )))
            .json(&json!({ "kind": "special_ops", "trade": "1.2", "issued_on": "2025-03-01" }))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let name = get_ok(
        app,
        &harbin,
        &format!("/api/v1/persons/{}", app.demo.worker_id),
    )
    .await["name"]
        .as_str()
        .unwrap()
        .to_owned();
    Issued {
        number: issued["number"].as_str().unwrap().to_owned(),
        id: issued["id"].as_str().unwrap().to_owned(),
        url: issued["verification_url"].as_str().unwrap().to_owned(),
        name,
    }
}

/// The token of a verification URL (`…/verify/{number}?t={token}`).
fn token_of(url: &str) -> &str {
    url.split_once("?t=").map(|(_, token)| token).unwrap()
}

async fn api_by_name(app: &TestApp, client: &Client, number: &str, name: &str) -> Value {
    expect_json(
        client
            .post(app.url(&format!("/api/v1/verify/{number}")))
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

async fn page_by_name(app: &TestApp, client: &Client, number: &str, name: &str) -> String {
    let response = client
        .post(app.url(&format!("/verify/{number}")))
        .form(&[("name", name)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// What only the details show of the demo worker's new certificate.
const DETAILS: [&str; 4] = [
    "低压电工作业",
    "哈尔滨市应急管理局",
    "2025-03-01",
    "2031-03-01",
];

fn assert_status_only(html: &str, what: &str) {
    assert!(html.contains("有效"), "{what}: the status is shown");
    assert!(!html.contains("cert-holder"), "{what}: no holder");
    assert!(
        !html.contains("<svg"),
        "{what}: no QR code (it carries the token)"
    );
    for detail in DETAILS {
        assert!(!html.contains(detail), "{what}: {detail} withheld");
    }
    assert_eq!(find_full_id_number(html), None);
}

fn assert_details(html: &str, masked: &str, what: &str) {
    assert!(html.contains("有效"), "{what}: the status");
    assert!(
        html.contains(masked),
        "{what}: the holder, masked ({masked})"
    );
    for detail in DETAILS {
        assert!(html.contains(detail), "{what}: {detail} shown");
    }
    assert_eq!(find_full_id_number(html), None);
}

both_engines!(
    the_number_alone_shows_the_status_and_not_the_holder_trade_or_dates,
    |app| async move {
        let issued = issue_to_worker(&app).await;
        let anyone = app.anonymous();
        let text = get(&app, &anyone, &format!("/api/v1/verify/{}", issued.number))
            .await
            .text()
            .await
            .unwrap();
        let shown: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(shown["number"], issued.number.as_str());
        assert_eq!(shown["kind"], "special_ops");
        assert_eq!(shown["status"], "valid");
        assert_eq!(shown["status_name"], "有效");
        assert_eq!(shown["details"], Value::Null, "{text}");
        for withheld in DETAILS.iter().chain([&"*"]) {
            assert!(!text.contains(withheld), "{withheld} withheld: {text}");
        }

        let html = get(&app, &anyone, &format!("/verify/{}", issued.number))
            .await
            .text()
            .await
            .unwrap();
        assert_status_only(&html, "the page by number");
        assert!(
            html.contains("cert-name-form"),
            "the page offers the name check"
        );
    }
);

both_engines!(
    the_right_name_or_the_qr_token_shows_the_details_and_a_wrong_one_only_the_status,
    |app| async move {
        let issued = issue_to_worker(&app).await;
        let masked: String = {
            let mut chars = issued.name.chars();
            let first = chars.next().unwrap();
            format!("{first}{}", "*".repeat(chars.count()))
        };
        let anyone = app.anonymous();
        let number = issued.number.as_str();

        // The API: the name in the body, the token in the query.
        let by_name = api_by_name(&app, &anyone, number, &issued.name).await;
        assert_eq!(
            by_name["details"]["trade_name"], "低压电工作业",
            "{by_name}"
        );
        assert_eq!(by_name["details"]["issuer"], "哈尔滨市应急管理局");
        assert_eq!(by_name["details"]["valid_until"], "2031-03-01");
        assert_eq!(by_name["details"]["next_review_due"], "2028-03-01");
        assert!(by_name["details"]["holder"].as_str().unwrap().contains('*'));
        assert_eq!(by_name["mismatch"], Value::Null);
        let wrong = api_by_name(&app, &anyone, number, "王小二").await;
        assert_eq!(wrong["details"], Value::Null, "{wrong}");
        assert_eq!(wrong["mismatch"], "name");
        assert_eq!(wrong["status"], "valid");
        let token = token_of(&issued.url);
        let by_token = get_ok(&app, &anyone, &format!("/api/v1/verify/{number}?t={token}")).await;
        assert_eq!(by_token["details"]["issued_on"], "2025-03-01", "{by_token}");
        let forged = get_ok(
            &app,
            &anyone,
            &format!("/api/v1/verify/{number}?t=AAAAAAAAAAAAAAAAAAAAAAAA"),
        )
        .await;
        assert_eq!(forged["details"], Value::Null, "{forged}");
        assert_eq!(forged["mismatch"], "token");

        // The page: the name POSTed from its form, the token in the QR code's link.
        let html = page_by_name(&app, &anyone, number, &issued.name).await;
        assert_details(&html, &masked, "the page with the right name");
        assert!(!html.contains(&issued.name), "the typed name is not echoed");
        let html = page_by_name(&app, &anyone, number, "王小二").await;
        assert_status_only(&html, "the page with a wrong name");
        assert!(
            html.contains("姓名不符"),
            "the page says the name does not match"
        );
        let html = get(&app, &anyone, &issued.url.replacen(&app.base, "", 1))
            .await
            .text()
            .await
            .unwrap();
        assert_details(&html, &masked, "the page with the token");
        assert!(html.contains("<svg") && html.contains(&format!("?t={token}")));
        let html = get(&app, &anyone, &format!("/verify/{number}?t=wrong"))
            .await
            .text()
            .await
            .unwrap();
        assert_status_only(&html, "the page with a wrong token");
    }
);

both_engines!(
    the_certificate_pdf_qr_code_carries_the_token_url,
    |app| async move {
        let issued = issue_to_worker(&app).await;
        assert!(
            issued
                .url
                .starts_with(&app.url(&format!("/verify/{}?t=", issued.number))),
            "{}",
            issued.url
        );
        assert!(token_of(&issued.url).len() >= 22, "at least 128 bits");
        let worker = app.login("worker").await;
        let response = get(
            &app,
            &worker,
            &format!("/api/v1/certificates/{}/pdf", issued.number),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let pdf = response.bytes().await.unwrap();
        if have("pdftoppm", "poppler-utils") && have("zbarimg", "zbar-tools") {
            let dir = app.dir.join("verification-pdf");
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("certificate.pdf");
            std::fs::write(&file, &pdf).unwrap();
            let prefix = dir.join("page");
            run(Command::new("pdftoppm")
                .args(["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile"])
                .arg(&file)
                .arg(&prefix));
            let decoded = run(Command::new("zbarimg")
                .args(["--raw", "-q"])
                .arg(prefix.with_extension("png")));
            assert_eq!(decoded.trim(), issued.url);
        }
        // What a phone that scanned it sees.
        let html = get(
            &app,
            &app.anonymous(),
            &issued.url.replacen(&app.base, "", 1),
        )
        .await
        .text()
        .await
        .unwrap();
        assert!(html.contains("低压电工作业") && html.contains("cert-holder"));
    }
);

/// An anonymous client whose requests leave from `source` (a loopback address).
fn client_from(app: &TestApp, source: [u8; 4]) -> Client {
    anpei_testkit::client_builder(&app.base)
        .local_address(std::net::IpAddr::from(source))
        .build()
        .unwrap()
}

both_engines!(
    a_scan_of_numbers_from_one_address_is_refused_and_another_address_is_not,
    |app| async move {
        let scanner = client_from(&app, [127, 0, 0, 1]);
        let mut refused = None;
        for n in 1..=40 {
            let response = get(
                &app,
                &scanner,
                &format!("/api/v1/verify/T230100-2025-{n:06}"),
            )
            .await;
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                refused = Some((n, response));
                break;
            }
        }
        let (n, response) = refused.expect("a scan of 40 numbers is refused");
        assert_eq!(n, 31, "30 lookups by number are answered, the 31st refused");
        let retry_after: u64 = response.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=2).contains(&retry_after), "{retry_after}");
        let problem = expect_problem(response, StatusCode::TOO_MANY_REQUESTS).await;
        assert!(
            problem["detail_zh"].as_str().unwrap().contains("秒后再试"),
            "{problem}"
        );
        assert!(
            problem["detail_en"].as_str().unwrap().contains("try again"),
            "{problem}"
        );

        // The page refuses the same address, in both languages' page.
        let page = get(&app, &scanner, "/verify/T230100-2025-000001").await;
        assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(page.headers().contains_key(header::RETRY_AFTER));
        assert!(page.text().await.unwrap().contains("查验过于频繁"));

        // Another address is served as usual.
        let neighbour = client_from(&app, [127, 0, 0, 2]);
        let response = get(&app, &neighbour, "/api/v1/verify/T230100-2099-999999").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let page = get(&app, &neighbour, "/verify/T230100-2099-999999").await;
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
    }
);

both_engines!(
    every_check_is_logged_without_the_name_typed_in_or_an_id_number,
    |app| async move {
        let issued = issue_to_worker(&app).await;
        let anyone = app.anonymous();
        // A number nobody else's test asks for.
        let unknown = format!("T230100-2099-{:06}", Uuid::now_v7().as_u128() % 1_000_000);
        get(&app, &anyone, &format!("/api/v1/verify/{unknown}")).await;
        let typed = format!("查验{}", &Uuid::now_v7().simple().to_string()[..6]);
        api_by_name(&app, &anyone, &issued.number, &typed).await;
        page_by_name(&app, &anyone, &issued.number, &issued.name).await;
        let id_number = app.full_id_number(app.demo.worker_id).await;
        get(&app, &anyone, &format!("/api/v1/verify/{id_number}")).await;

        let logs = anpei_testkit::logs();
        let checks: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains("anpei::verify"))
            .collect();
        let unknown_line = checks
            .iter()
            .find(|l| l.contains(&unknown))
            .unwrap_or_else(|| panic!("the lookup of {unknown} is logged"));
        assert!(unknown_line.contains("how=\"number\""), "{unknown_line}");
        assert!(unknown_line.contains("found=false"), "{unknown_line}");
        assert!(unknown_line.contains("address=127.0.0.1"), "{unknown_line}");
        assert!(
            checks.iter().any(|l| l.contains(&issued.number)
                && l.contains("how=\"name\"")
                && l.contains("wrong name")),
            "the wrong name is logged as such"
        );
        assert!(!logs.contains(&typed), "the typed name is never logged");
        assert!(!logs.contains(&id_number), "an ID number is never logged");
        assert_eq!(find_full_id_number(&logs), None);
    }
);

/// Polls until the server answers from its loaded index (it loads in the background).
async fn index_ready(app: &TestApp) {
    for _ in 0..600 {
        if app.store.verify_index_ready() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the verification index did not load in 30 s");
}

async fn status_of(app: &TestApp, number: &str) -> Value {
    get_ok(app, &app.anonymous(), &format!("/api/v1/verify/{number}")).await["status"].clone()
}

both_engines!(
    the_index_answers_for_a_certificate_issued_suspended_or_revoked_a_moment_ago,
    |app| async move {
        index_ready(&app).await;
        let issued = issue_to_worker(&app).await;
        assert!(app.store.verify_index_ready());
        assert_eq!(
            status_of(&app, &issued.number).await,
            "valid",
            "issued a moment ago"
        );
        let province = app.login("province").await;
        let change = |action: &'static str, body: Value| {
            let (province, app, id) = (&province, &app, &issued.id);
            async move {
                let response = province
                    .post(app.url(&format!(
                        "/api/v1/persons/{}/certificates/{id}/{action}",
                        app.demo.worker_id
                    )))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::NO_CONTENT, "{action}");
            }
        };
        change("suspend", json!({ "reason": "抽考不合格" })).await;
        assert_eq!(status_of(&app, &issued.number).await, "suspended");
        change("reinstate", json!({})).await;
        assert_eq!(status_of(&app, &issued.number).await, "valid");
        change("revoke", json!({ "reason": "伪造培训记录" })).await;
        assert_eq!(status_of(&app, &issued.number).await, "revoked");

        // Another process (here: a second store on the same database) issues one: the server
        // finds it within the 10 seconds the index promises.
        let other = anpei_store::Store::open(&anpei_store::StoreConfig {
            database_url: app.database_url.clone(),
            ledger_key_path: app.ledger_key.clone(),
            checkpoint_every: 100,
            max_connections: 2,
            background_wal_checkpoints: false,
        })
        .await
        .unwrap();
        let actor = anpei_store::Actor::system("another-process");
        let holder = anpei_store::access::person_read(
            other.connection(),
            &actor,
            app.demo.worker_id,
            app.today(),
        )
        .await
        .unwrap();
        let authority = anpei_store::ops::certificates::certificate_authority(&actor).unwrap();
        let elsewhere = anpei_store::ops::certificates::issue(
            &other,
            &actor,
            &authority,
            holder,
            anpei_store::ops::certificates::NewCertificate {
                kind: anpei_domain::certificate::CertificateKind::SafetyQualification,
                trade: None,
                issued_on: chrono::NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(),
            },
            app.now(),
        )
        .await
        .unwrap();
        let started = std::time::Instant::now();
        loop {
            let response = get(
                &app,
                &app.anonymous(),
                &format!("/api/v1/verify/{}", elsewhere.number),
            )
            .await;
            if response.status() == StatusCode::OK {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "a certificate issued by another process is found within 10 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        other.connection().close_by_ref().await.ok();
    }
);
