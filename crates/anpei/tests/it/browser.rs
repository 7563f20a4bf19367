//! Pages in a real headless Chromium (Debian's `chromium` + `chromium-driver`): an
//! enterprise signs in, searches a person, opens the archive and sees the ID number masked;
//! the same pages hold a 375-px phone width without sideways scrolling.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anpei_testkit::{TestApp, both_engines};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::support::{get_ok, is_masked_id_number, uuid_of};

/// A chromedriver process on a free port, killed on drop.
pub(crate) struct Driver {
    child: Child,
    url: String,
    /// Chromium's profile directory, removed with the driver.
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

pub(crate) async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromedriver must be installed (Debian package chromium-driver; .ci/run installs it)",
        );
    // Owned by `Driver` at once, so the process is killed and reaped on every path.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile: std::env::temp_dir().join(format!("anpei-chrome-{}", uuid::Uuid::now_v7())),
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/status", driver.url)).await.is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

pub(crate) async fn browser(driver: &Driver, width: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--lang=zh-CN", format!("--window-size={width},900"),
                format!("--user-data-dir={}", driver.profile.display()),
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

pub(crate) async fn sign_in(client: &Client, app: &TestApp, username: &str) {
    client.goto(&app.url("/login")).await.unwrap();
    client
        .find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(anpei_store::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    client
        .find(Locator::Css("form.form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("nav.nav"))
        .await
        .unwrap();
}

both_engines!(
    enterprise_finds_a_person_and_sees_the_id_number_masked,
    |app| async move {
        // Someone on the enterprise's staff, and their full ID number from the database, to
        // prove the page never shows it.
        let api = app.login("enterprise").await;
        let staff = get_ok(
            &app,
            &api,
            &format!(
                "/api/v1/enterprises/{}/staff?per_page=5",
                app.demo.enterprise_id
            ),
        )
        .await;
        let target = &staff["items"][0];
        let name = target["name"].as_str().unwrap().to_owned();
        let full_id = app.full_id_number(uuid_of(&target["person_id"])).await;

        let driver = start_driver().await;
        let client = browser(&driver, 1280).await;
        sign_in(&client, &app, "enterprise").await;

        client.goto(&app.url("/persons")).await.unwrap();
        client
            .find(Locator::Id("q"))
            .await
            .unwrap()
            .send_keys(&name)
            .await
            .unwrap();
        client
            .find(Locator::Css("form.search button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The page lists everyone before the search; wait for the results that name the query
        // (the count line says "查询：<name>") so the link is not from the replaced list.
        let link = client
        .wait()
        .for_element(Locator::XPath(&format!(
            "//section[@id='results'][.//p[contains(@class,'count') and contains(., '{name}')]]//a[text()='{name}']"
        )))
        .await
        .unwrap();
        // The search went in a POST body: the address bar never held the query.
        assert!(
            !client
                .current_url()
                .await
                .unwrap()
                .as_str()
                .contains(&full_id)
        );
        link.click().await.unwrap();

        let shown = client
            .wait()
            .for_element(Locator::Id("id-number"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            is_masked_id_number(&shown),
            "the archive shows the ID number masked, got {shown:?}"
        );
        assert_eq!(&shown[..4], &full_id[..4]);
        assert_eq!(&shown[14..], &full_id[14..]);
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .path()
                .starts_with("/persons/")
        );
        let page = client.source().await.unwrap();
        assert!(
            !page.contains(&full_id),
            "the full ID number appears nowhere in the page"
        );
        let heading = client
            .find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(heading, name);

        client.close().await.unwrap();
    }
);

both_engines!(
    pages_fit_a_375_px_phone_without_sideways_scrolling,
    |app| async move {
        let driver = start_driver().await;
        let client = browser(&driver, 375).await;
        sign_in(&client, &app, "enterprise").await;
        let e = app.demo.enterprise_id;
        let mut pages = vec![
            "/".to_owned(),
            format!("/enterprises/{e}"),
            format!("/persons/{}", app.demo.worker_id),
            "/persons".to_owned(),
            "/account/password".to_owned(),
        ];
        for tab in [
            "apprenticeships",
            "off-post",
            "process-changes",
            "training-plan",
            "training-capacity",
            "skill-promotions",
        ] {
            pages.push(format!("/enterprises/{e}/ledgers/{tab}"));
        }
        fits(&client, &app, &pages).await;

        // The regulator's dashboard and the lists behind its figures.
        client.delete_all_cookies().await.unwrap();
        sign_in(&client, &app, "province").await;
        let pages = [
            "/dashboard".to_owned(),
            "/dashboard?city=230100&by=county".to_owned(),
            "/dashboard?by=industry".to_owned(),
            "/dashboard/people?due=90".to_owned(),
            "/dashboard/people?city=230100&rule=special_ops_certified".to_owned(),
            "/bank".to_owned(),
            "/bank/import".to_owned(),
            "/bank/questions/new?trade=1.2&kind=practical".to_owned(),
        ];
        fits(&client, &app, &pages).await;
        client.close().await.unwrap();
    }
);

/// Opens each page and checks that nothing is wider than the window.
pub(crate) async fn fits(client: &Client, app: &TestApp, pages: &[String]) {
    for page in pages {
        client.goto(&app.url(page)).await.unwrap();
        client
            .wait()
            .for_element(Locator::Css("main h1"))
            .await
            .unwrap();
        let widths = client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let scroll = widths[0].as_u64().unwrap();
        let inner = widths[1].as_u64().unwrap();
        assert!(
            scroll <= inner,
            "{page}: content is {scroll}px wide in a {inner}px window"
        );
    }
}

both_engines!(
    a_bad_hire_form_keeps_what_was_typed_and_says_why,
    |app| async move {
        let driver = start_driver().await;
        let client = browser(&driver, 1280).await;
        sign_in(&client, &app, "enterprise").await;
        client
            .goto(&app.url(&format!("/enterprises/{}#hire", app.demo.enterprise_id)))
            .await
            .unwrap();
        client
            .find(Locator::Id("h-name"))
            .await
            .unwrap()
            .send_keys("测试人")
            .await
            .unwrap();
        // A valid shape with a wrong check digit (the right one is X).
        client
            .find(Locator::Id("h-id"))
            .await
            .unwrap()
            .send_keys("110105194912310021")
            .await
            .unwrap();
        client
            .find(Locator::Id("h-position"))
            .await
            .unwrap()
            .send_keys("电工")
            .await
            .unwrap();
        client
            .execute(
                "document.getElementById('h-start').value = '2026-01-05';",
                vec![],
            )
            .await
            .unwrap();
        client
            .find(Locator::Css("#hire button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let error = client
            .wait()
            .for_element(Locator::Id("hire-error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            error.contains("校验码"),
            "the error names the check digit: {error}"
        );
        let kept = client
            .find(Locator::Id("h-name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some("测试人"));
        let invalid = client
            .find(Locator::Id("h-id"))
            .await
            .unwrap()
            .attr("aria-invalid")
            .await
            .unwrap();
        assert_eq!(invalid.as_deref(), Some("true"));
        client.close().await.unwrap();
    }
);

both_engines!(
    the_qr_link_on_a_certificate_opens_its_verification_with_the_status,
    |app| async move {
        let province = app.login("province").await;
        let staff: Value = province
            .get(app.url(&format!(
                "/api/v1/enterprises/{}/staff?per_page=1",
                app.demo.enterprise_id
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let person = staff["items"][0]["person_id"].as_str().unwrap().to_owned();
        let issued: Value = province
            .post(app.url(&format!("/api/v1/persons/{person}/certificates")))
            .json(&json!({ "kind": "special_ops", "trade": "5.4", "issued_on": "2025-09-01" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let number = issued["number"].as_str().unwrap().to_owned();

        let name: String = province
            .get(app.url(&format!("/api/v1/persons/{person}")))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["name"]
            .as_str()
            .unwrap()
            .to_owned();

        let driver = start_driver().await;
        let client = browser(&driver, 375).await;
        // Nobody signed in: verification is public. The number alone shows the status only;
        // the holder's name typed in shows the details and the QR code, whose link (printed
        // under it) a phone that scanned it follows.
        client
            .goto(&app.url(&format!("/verify/{number}")))
            .await
            .unwrap();
        let status = client
            .wait()
            .for_element(Locator::Id("cert-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(status, "有效");
        assert!(
            client.find(Locator::Id("cert-holder")).await.is_err(),
            "no holder by number alone"
        );
        client
            .find(Locator::Id("holder-name"))
            .await
            .unwrap()
            .send_keys(&name)
            .await
            .unwrap();
        client
            .find(Locator::Css("#cert-name-form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let link = client
            .wait()
            .for_element(Locator::Css("figure.qr a"))
            .await
            .unwrap();
        let href = link.attr("href").await.unwrap().unwrap();
        assert!(
            href.contains(&format!("/verify/{number}?t=")),
            "the QR link carries the token: {href}"
        );
        assert!(
            client.find(Locator::Css("figure.qr svg")).await.is_ok(),
            "a QR code is drawn"
        );
        client.goto(&href).await.unwrap();
        let status = client
            .wait()
            .for_element(Locator::Id("cert-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(status, "有效");
        assert!(client.find(Locator::Id("cert-holder")).await.is_ok());

        let id = issued["id"].as_str().unwrap();
        let revoked = province
            .post(app.url(&format!(
                "/api/v1/persons/{person}/certificates/{id}/revoke"
            )))
            .json(&json!({ "reason": "测试撤销" }))
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), reqwest::StatusCode::NO_CONTENT);
        client.goto(&href).await.unwrap();
        let status = client
            .wait()
            .for_element(Locator::Id("cert-status"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(status, "已撤销");
        let holder = client
            .find(Locator::Id("cert-holder"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(holder.contains('*'), "holder masked: {holder}");
        client.close().await.unwrap();
    }
);

both_engines!(
    a_city_regulator_clicks_the_special_ops_kpi_and_sees_the_uncertified_with_reasons,
    |app| async move {
        // Someone certain to be uncertified: a new electrician hired by the enterprise.
        let enterprise = app.login("enterprise").await;
        let hired = enterprise
            .post(app.url(&format!(
                "/api/v1/enterprises/{}/employments",
                app.demo.enterprise_id
            )))
            .json(&json!({
                "name": "无证电工", "id_number": "230102198501010993", "kind": "dispatched",
                "position": "电工", "start_date": "2025-01-02", "special_ops_trade": "1.2"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            hired.status(),
            reqwest::StatusCode::CREATED,
            "{}",
            hired.text().await.unwrap()
        );

        let driver = start_driver().await;
        let client = browser(&driver, 1280).await;
        sign_in(&client, &app, "harbin").await;
        // The city's dashboard, then the special-ops figure of one enterprise.
        client.goto(&app.url("/dashboard")).await.unwrap();
        client
            .wait()
            .for_element(Locator::Id(&format!(
                "kpi-{}-special_ops_certified",
                app.demo.enterprise_id
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let row = client
            .wait()
            .for_element(Locator::XPath("//table//tr[td/a[text()='无证电工']]"))
            .await
            .unwrap();
        let text = row.text().await.unwrap();
        assert!(text.contains("特种作业人员持证上岗"), "{text}");
        assert!(text.contains("不合规"), "{text}");
        assert!(
            text.contains("未持有该工种的特种作业操作证"),
            "the reason is given: {text}"
        );
        let url = client.current_url().await.unwrap();
        assert!(url.as_str().contains("rule=special_ops_certified"), "{url}");
        client.close().await.unwrap();
    }
);

both_engines!(
    a_roster_uploaded_through_the_page_shows_progress_and_the_result,
    |app| async move {
        let driver = start_driver().await;
        let client = browser(&driver, 1280).await;
        sign_in(&client, &app, "enterprise").await;
        let mut csv = format!("{}\n", crate::roster::HEADER);
        for (n, name) in [(3301u16, "页面导入甲"), (3302, "页面导入乙")] {
            csv.push_str(&format!(
                "{name},{},,普通高中,正式职工,操作工,2024-03-01,,,否,否,否,否\n",
                crate::support::fresh_id_number(n)
            ));
        }
        // One file per test: the SQLite and PostgreSQL variants run at once in this process,
        // and one removing a shared file would pull it from under the other's upload.
        let path = std::env::temp_dir().join(format!("anpei-upload-{}.csv", uuid::Uuid::now_v7()));
        std::fs::write(&path, csv).unwrap();
        let page = format!("/enterprises/{}/roster", app.demo.enterprise_id);
        client.goto(&app.url(&page)).await.unwrap();
        let status = client
            .find(Locator::Css("form[data-upload-progress] [role=status]"))
            .await
            .unwrap();
        assert_eq!(
            status.text().await.unwrap(),
            "",
            "no progress before a file is sent"
        );
        upload_roster(&client, &path).await;
        let done = client
            .wait()
            .for_element(Locator::XPath(
                "//*[contains(text(), '已导入 2 条在职记录')]",
            ))
            .await
            .unwrap();
        assert!(done.text().await.unwrap().contains("已导入 2 条在职记录"));
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .as_str()
                .ends_with(&page),
            "the answer is the roster page"
        );
        std::fs::remove_file(&path).ok();
        client.close().await.unwrap();
    }
);

both_engines!(
    a_large_roster_upload_shows_the_server_checking_and_writing_rows,
    |app| async move {
        let driver = start_driver().await;
        let client = browser(&driver, 375).await;
        sign_in(&client, &app, "enterprise").await;
        let rows = 30_000;
        // One file per test: the SQLite and PostgreSQL variants run at once in this process,
        // and one removing a shared file would pull it from under the other's upload.
        let path = std::env::temp_dir().join(format!("anpei-large-{}.csv", uuid::Uuid::now_v7()));
        std::fs::write(&path, crate::roster::large_roster_csv(rows)).unwrap();
        let page = format!("/enterprises/{}/roster", app.demo.enterprise_id);
        client.goto(&app.url(&page)).await.unwrap();
        // Every text the status line shows, kept across the answer page replacing this one.
        client
            .execute(
                "window.seen = []; var s = document.querySelector('form[data-upload-progress] [role=status]'); \
                 new MutationObserver(function () { window.seen.push(s.textContent); }) \
                   .observe(s, { childList: true, characterData: true, subtree: true });",
                vec![],
            )
            .await
            .unwrap();
        upload_roster(&client, &path).await;
        client
            .wait()
            .at_most(Duration::from_secs(180))
            .for_element(Locator::XPath(
                "//*[contains(text(), '已导入 30000 条在职记录')]",
            ))
            .await
            .unwrap();
        let seen = client.execute("return window.seen;", vec![]).await.unwrap();
        let seen: Vec<String> = seen
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        // The server's own steps (rows checked or written "n / 30,000", then the commit).
        let server = seen.iter().find(|text| {
            ["正在逐行校验", "正在写入", "正在记入追溯台账"]
                .iter()
                .any(|step| text.starts_with(step))
        });
        assert!(
            server.is_some(),
            "the page showed the server's progress: {seen:?}"
        );
        assert!(
            seen.iter().any(|text| text.starts_with("正在上传")),
            "and the upload's before it: {seen:?}"
        );
        std::fs::remove_file(&path).ok();
        client.close().await.unwrap();
    }
);

/// Chooses `path` on the roster page's form and sends it, as a user would.
async fn upload_roster(client: &Client, path: &std::path::Path) {
    client
        .find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    client
        .find(Locator::Css(
            "form[data-upload-progress] button[type=submit]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// What is checked on the exam page, as `q<position>=<value>` strings.
async fn checked(client: &Client) -> Vec<String> {
    let value = client
        .execute(
            "return Array.from(document.querySelectorAll('#exam-paper input:checked')).map(i => i.name + '=' + i.value);",
            vec![],
        )
        .await
        .unwrap();
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn seconds_left(client: &Client) -> i64 {
    let text = client
        .find(Locator::Id("exam-time"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.split(':')
        .map(|part| part.trim().parse::<i64>().unwrap())
        .fold(0, |acc, n| acc * 60 + n)
}

async fn all_saved(client: &Client) {
    for _ in 0..100 {
        let state = client
            .find(Locator::Id("exam-save"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if state == "已全部保存" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the answers were not all saved");
}

async fn answer(client: &Client, positions: std::ops::Range<usize>) {
    for position in positions {
        client
            .find(Locator::Css(&format!("#q{position} label.option")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
}

both_engines!(
    an_examinee_takes_a_whole_exam_on_a_phone_and_a_reload_keeps_answers_and_time,
    |app| async move {
        let drill = crate::exams::drill(&app, 1, 9).await;
        let e = &drill.examinees[0];
        let driver = start_driver().await;
        let client = browser(&driver, 375).await;
        client
            .goto(&app.url(&format!("/exam/{}", e.session_id)))
            .await
            .unwrap();
        client
            .find(Locator::Id("ticket"))
            .await
            .unwrap()
            .send_keys(&e.ticket)
            .await
            .unwrap();
        client
            .find(Locator::Id("id_number"))
            .await
            .unwrap()
            .send_keys(&e.id_number)
            .await
            .unwrap();
        client
            .find(Locator::Css("form.form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Css("#exam-paper fieldset#q49"))
            .await
            .unwrap();
        let title = client
            .find(Locator::Id("exam-title"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(title.contains("低压电工作业理论考试"), "{title}");

        // Half the paper, then a reload: the answers and the clock are as they were.
        answer(&client, 0..25).await;
        all_saved(&client).await;
        let before = checked(&client).await;
        assert_eq!(before.len(), 25);
        let left_before = seconds_left(&client).await;
        assert!(
            (3400..=3600).contains(&left_before),
            "about an hour left: {left_before}"
        );
        client.refresh().await.unwrap();
        client
            .wait()
            .for_element(Locator::Css("#exam-paper fieldset#q49"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(checked(&client).await, before, "answers survive a reload");
        let left_after = seconds_left(&client).await;
        assert!(
            left_after <= left_before && left_before - left_after < 30,
            "the server's clock carries on: {left_before} then {left_after}"
        );
        let answered = client
            .find(Locator::Id("exam-answered"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(answered, "已答 25 / 50");

        // The rest, on a phone-width page that never scrolls sideways.
        answer(&client, 25..50).await;
        all_saved(&client).await;
        let widths = client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            widths[0].as_u64().unwrap() <= widths[1].as_u64().unwrap(),
            "{widths}"
        );
        client
            .find(Locator::Id("exam-submit"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client.accept_alert().await.unwrap();
        let result = client
            .wait()
            .for_element(Locator::Css("#exam-result h2"))
            .await
            .unwrap();
        assert_eq!(result.text().await.unwrap(), "已交卷");
        let score = client
            .find(Locator::Css("#exam-result .big-score"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(score.ends_with("/ 100"), "{score}");
        // The server agrees: the paper is handed in with all fifty answers.
        let harbin = app.login("harbin").await;
        let console: Value = harbin
            .get(app.url(&format!("/api/v1/exam/sessions/{}", e.session_id)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(console["examinees"][0]["status"], "finished");
        assert_eq!(console["examinees"][0]["answered"], 50);
        client.close().await.unwrap();
    }
);

both_engines!(
    province_imports_a_gift_file_through_the_bank_page_and_sees_the_counts,
    |app| async move {
        let driver = start_driver().await;
        let client = browser(&driver, 1280).await;
        sign_in(&client, &app, "province").await;
        client.goto(&app.url("/bank")).await.unwrap();
        let heading = client
            .find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(heading.contains("低压电工作业"), "{heading}");
        let rows = client
            .find_all(Locator::Css("#questions tbody tr"))
            .await
            .unwrap();
        assert!(!rows.is_empty());

        client
            .find(Locator::LinkText("导入题目"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .wait()
            .for_element(Locator::Id("file"))
            .await
            .unwrap();
        client
            .find(Locator::Css("#import-trade option[value='3.1']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let file = crate::bank::fixture("gift_electrician.txt");
        client
            .find(Locator::Id("file"))
            .await
            .unwrap()
            .send_keys(&file.canonicalize().unwrap().to_string_lossy())
            .await
            .unwrap();
        // First as it is: refused, with the unsupported questions named by line.
        client
            .find(Locator::Id("do-import"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let result = client
            .wait()
            .for_element(Locator::Id("import-result"))
            .await
            .unwrap();
        let text = result.text().await.unwrap();
        assert!(text.contains("未导入任何题目"), "{text}");
        let problems = client
            .find(Locator::Id("import-problems"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            problems.contains("32") && problems.contains("essay"),
            "{problems}"
        );

        // Then skipping what Anpei lacks: imported, with the counts per type.
        client
            .find(Locator::Css("#import-trade option[value='3.1']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .find(Locator::Id("file"))
            .await
            .unwrap()
            .send_keys(&file.canonicalize().unwrap().to_string_lossy())
            .await
            .unwrap();
        client
            .find(Locator::Css("input[name=skip_unsupported]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client
            .find(Locator::Id("do-import"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The new answer, not the refusal still on the page until it arrives.
        let result = client
            .wait()
            .for_element(Locator::XPath(
                "//*[@id='import-result'][contains(., '已导入')]",
            ))
            .await
            .unwrap();
        let text = result.text().await.unwrap();
        assert!(text.contains("已导入 7 道题"), "{text}");
        let counts = client
            .find(Locator::Id("import-counts"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(counts.contains("单选题 2"), "{counts}");
        assert!(counts.contains("判断题 3"), "{counts}");
        assert!(counts.contains("多选题 1"), "{counts}");

        client.goto(&app.url("/bank?trade=3.1")).await.unwrap();
        let count = client
            .find(Locator::Id("question-count"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(count.contains("共 7 道题"), "{count}");
        client.close().await.unwrap();
    }
);

/// A Chromium that lays pages out as a true 375-px phone (a headless window cannot be made
/// narrower than about 500 px, so the viewport is emulated).
/// The rendered text of the first element matching `css`, read in one script so that a
/// swap between finding it and reading it cannot leave a stale reference.
pub(crate) async fn live_text(client: &Client, css: &str) -> String {
    let text = client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            vec![json!(css)],
        )
        .await
        .unwrap();
    text.as_str()
        .unwrap_or_else(|| panic!("{css} is on the page"))
        .to_owned()
}

pub(crate) async fn phone(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--lang=zh-CN",
                format!("--user-data-dir={}", driver.profile.display()),
            ],
            "mobileEmulation": {"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 2.0}},
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// With `ANPEI_SCREENSHOTS=<dir>`, saves a PNG of the page for a person to look at.
pub(crate) async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("ANPEI_SCREENSHOTS") {
        let png = client.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// Makes the window as tall as the page, so that a screenshot shows all of it.
pub(crate) async fn full_height(client: &Client, width: u32) {
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    client
        .set_window_size(width, (height as u32 + 140).min(4000))
        .await
        .ok();
}

both_engines!(
    a_second_device_waits_on_the_exam_page_until_the_proctor_approves,
    |app| async move {
        let drill = crate::exams::drill(&app, 1, 12).await;
        let e = &drill.examinees[0];
        let session = e.session_id.to_string();
        // The first device signs in and answers.
        let (first, token, _) =
            crate::exams::sign_in(&app, &session, &e.ticket, &e.id_number).await;
        let paper: Value = crate::exams::paper(&app, &first, &token)
            .await
            .json()
            .await
            .unwrap();
        let item = &paper["items"][0];
        let answer = if item["kind"] == "true_false" {
            json!({"true_false": true})
        } else {
            json!({"choices": [item["options"][0]["index"]]})
        };
        crate::exams::save(&app, &first, &token, 1, 0, answer).await;

        // A phone signs in on the page: it waits, saying so.
        let driver = start_driver().await;
        let client = phone(&driver).await;
        client
            .goto(&app.url(&format!("/exam/{session}")))
            .await
            .unwrap();
        client
            .find(Locator::Id("ticket"))
            .await
            .unwrap()
            .send_keys(&e.ticket)
            .await
            .unwrap();
        client
            .find(Locator::Id("id_number"))
            .await
            .unwrap()
            .send_keys(&e.id_number)
            .await
            .unwrap();
        client
            .find(Locator::Css("form.form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let mut waiting = String::new();
        for _ in 0..100 {
            waiting = client
                .execute(
                    "var w = document.getElementById('exam-wait'); return w && !w.hidden ? w.innerText : '';",
                    vec![],
                )
                .await
                .unwrap()
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if !waiting.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(waiting.contains("等待监考员确认"), "{waiting}");
        assert!(
            client
                .find(Locator::Css("#exam-paper fieldset"))
                .await
                .is_err(),
            "no paper while waiting"
        );
        screenshot(&client, "exam-waiting-phone").await;

        // The proctor approves on the console; the phone's paper appears by itself, with
        // the first device's answer, and the first device is signed out.
        let harbin = app.login("harbin").await;
        let console = harbin
            .get(app.url(&format!("/exams/{session}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let start = console
            .find("class=\"sign-in-request\"")
            .expect("the request is listed");
        let action = &console[start..];
        let action = &action[action.find("action=\"").unwrap() + 8..];
        let action = &action[..action.find('"').unwrap()];
        let approved = harbin
            .post(app.url(action))
            .form(&[("decision", "approve")])
            .send()
            .await
            .unwrap();
        assert_eq!(approved.status(), reqwest::StatusCode::OK);
        client
            .wait()
            .for_element(Locator::Css("#exam-paper fieldset#q49"))
            .await
            .unwrap();
        assert_eq!(checked(&client).await.len(), 1, "the first device's answer");
        let ended = crate::exams::paper(&app, &first, &token).await;
        assert_eq!(ended.status(), reqwest::StatusCode::UNAUTHORIZED);
        client.close().await.unwrap();
    }
);

both_engines!(
    the_proctor_console_refreshes_itself_on_a_phone_and_a_desktop,
    |app| async move {
        let drill = crate::exams::drill(&app, 3, 41).await;
        let e = &drill.examinees[0];
        let session = e.session_id.to_string();
        let (client, token, _) =
            crate::exams::sign_in(&app, &session, &e.ticket, &e.id_number).await;
        let paper = crate::exams::paper(&app, &client, &token).await;
        let paper: Value = paper.json().await.unwrap();
        let first = &paper["items"][0];
        let answer = if first["kind"] == "true_false" {
            json!({"true_false": true})
        } else {
            json!({"choices": [first["options"][0]["index"]]})
        };
        crate::exams::save(&app, &client, &token, 1, 0, answer).await;
        client
            .post(app.url("/api/v1/exam/events"))
            .bearer_auth(&token)
            .json(&json!({"kind": "leave"}))
            .send()
            .await
            .unwrap();

        let driver = start_driver().await;
        for (width, name) in [(375u32, "console-phone"), (1280, "console-desktop")] {
            let browser = if width == 375 {
                phone(&driver).await
            } else {
                browser(&driver, width).await
            };
            // The two sessions share a profile: start signed out.
            browser.goto(&app.url("/login")).await.unwrap();
            browser.delete_all_cookies().await.unwrap();
            sign_in(&browser, &app, "harbin").await;
            browser
                .goto(&app.url(&format!("/exams/{session}")))
                .await
                .unwrap();
            let row = format!("tr[data-ticket='{}']", e.ticket);
            browser
                .wait()
                .for_element(Locator::Css(&row))
                .await
                .unwrap();
            // htmx may swap the live part between two WebDriver calls, so each read is one
            // script that finds the element and takes its text together.
            let text = live_text(&browser, &row).await;
            assert!(text.contains(&e.name), "{text}");
            // The phone comes first; the desktop after the second answer below.
            let answered = if width == 375 { "1 / 50" } else { "2 / 50" };
            assert!(text.contains(answered), "{text}");
            assert!(text.contains("离开页面 1"), "{text}");
            assert!(!text.contains(&e.id_number), "masked");
            fits(&browser, &app, &[format!("/exams/{session}")]).await;

            // htmx fetches the live part again within about five seconds; a second answer
            // shows up without a reload.
            let before = live_text(&browser, "#live-updated").await;
            if width == 375 {
                let second = &paper["items"][1];
                let answer = if second["kind"] == "true_false" {
                    json!({"true_false": false})
                } else {
                    json!({"choices": [second["options"][1]["index"]]})
                };
                crate::exams::save(&app, &client, &token, 2, 1, answer).await;
            }
            // Every 5 s; a loaded CI machine may answer a poll late, so allow several.
            let mut refreshed = false;
            for _ in 0..120 {
                tokio::time::sleep(Duration::from_millis(250)).await;
                if live_text(&browser, "#live-updated").await != before {
                    refreshed = true;
                    break;
                }
            }
            assert!(refreshed, "the console refreshed itself ({width} px)");
            let text = live_text(&browser, &row).await;
            assert!(text.contains("2 / 50"), "the new answer is counted: {text}");
            full_height(&browser, width).await;
            screenshot(&browser, name).await;
            if width == 1280 {
                // The other staff pages, for a person to look at.
                let attempt = paper["attempt_id"].as_str().unwrap();
                for (path, shot) in [
                    (
                        format!("/exams/{session}/attempts/{}/{attempt}", e.person_id),
                        "review",
                    ),
                    ("/exams".to_owned(), "exams"),
                ] {
                    browser.goto(&app.url(&path)).await.unwrap();
                    full_height(&browser, width).await;
                    screenshot(&browser, shot).await;
                }
            } else {
                browser
                    .execute("window.scrollTo(0, 700);", vec![])
                    .await
                    .unwrap();
                screenshot(&browser, "console-phone-2").await;
                browser.goto(&app.url("/exams")).await.unwrap();
                fits(&browser, &app, &["/exams".to_owned()]).await;
                screenshot(&browser, "exams-phone").await;
            }
            browser.close().await.unwrap();
        }
    }
);

both_engines!(
    the_score_sheet_and_the_question_statistics_fit_a_phone,
    |app| async move {
        let setup = crate::exam_admin::practical_setup(&app, 42).await;
        let sheet = format!(
            "/exams/{}/practical/{}/{}",
            setup.session,
            setup.examinee.person_id,
            setup.registration["id"].as_str().unwrap()
        );
        let driver = start_driver().await;
        let browser = phone(&driver).await;
        sign_in(&browser, &app, "institution").await;
        fits(
            &browser,
            &app,
            &[sheet.clone(), format!("/exams/{}", setup.session)],
        )
        .await;
        browser.goto(&app.url(&sheet)).await.unwrap();
        screenshot(&browser, "sheet-phone").await;
        browser
            .execute("window.scrollTo(0, 700);", vec![])
            .await
            .unwrap();
        screenshot(&browser, "sheet-phone-2").await;
        browser.goto(&app.url("/login")).await.unwrap();
        browser.delete_all_cookies().await.unwrap();
        sign_in(&browser, &app, "province").await;
        fits(
            &browser,
            &app,
            &["/exams/stats?trade=1.2".to_owned(), "/exams".to_owned()],
        )
        .await;
        browser
            .goto(&app.url("/exams/stats?trade=1.2"))
            .await
            .unwrap();
        screenshot(&browser, "stats-phone").await;
        // "新建组卷方案" opens its form.
        browser.goto(&app.url("/exams")).await.unwrap();
        browser
            .find(Locator::Css("a[href='#blueprint-form']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let mut open = Value::Bool(false);
        for _ in 0..50 {
            open = browser
                .execute(
                    "return document.getElementById('blueprint-form').open;",
                    vec![],
                )
                .await
                .unwrap();
            if open == Value::Bool(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(open, Value::Bool(true), "the link opens the form");
        screenshot(&browser, "blueprint-phone").await;
        browser.close().await.unwrap();
    }
);
