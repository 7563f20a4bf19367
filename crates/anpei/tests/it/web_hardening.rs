//! Issue 13's defences at the HTTP edge as a user (or an attacker) meets them: writes from
//! another site, an opaque origin or nowhere are refused and write nothing; every answer
//! carries the CSP and the other security headers, and nothing but the static files may be
//! cached; sign-in and the language switch only go back to a path on this site; no page
//! number makes a list fail; a certificate's link is built from the public URL whatever
//! `Host` a request names; and the pages' scripts still work under the CSP, with no inline
//! script, handler or style left in them.

use std::process::Command;
use std::time::Duration;

use anpei_store::demo::DEMO_PASSWORD;
use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use chrono::Datelike;
use fantoccini::Locator;
use reqwest::redirect::Policy;
use reqwest::{Client, RequestBuilder, StatusCode, header};
use serde_json::{Value, json};

use crate::browser::{browser, sign_in, start_driver};
use crate::certificate_pdf::{have, run};
use crate::support::get;

/// A client with a cookie jar that follows no redirects and sends no `Origin` of its own:
/// each request says (or does not say) where it comes from.
fn bare() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// [`bare`], signed in as the demo login `username` from our own origin.
async fn bare_signed_in(app: &TestApp, username: &str) -> Client {
    let client = bare();
    let response = client
        .post(app.url("/api/v1/session"))
        .header(header::ORIGIN, &app.base)
        .json(&json!({ "username": username, "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{username} signs in");
    client
}

/// What a forged request says about where it comes from.
const FORGED: [(&str, Option<&str>); 3] = [
    ("another site", Some("https://evil.example")),
    ("an opaque origin", Some("null")),
    ("no Origin and no Referer", None),
];

fn claiming(request: RequestBuilder, origin: Option<&str>) -> RequestBuilder {
    match origin {
        Some(origin) => request.header(header::ORIGIN, origin),
        None => request,
    }
}

fn plan_form(year: i32) -> Vec<(&'static str, String)> {
    vec![
        ("year", year.to_string()),
        ("topic", "有限空间作业专题".to_owned()),
        ("kind", "targeted".to_owned()),
        ("audience", "操作工".to_owned()),
        ("planned_hours", "8".to_owned()),
        ("planned_month", "12".to_owned()),
        ("planned_headcount", "20".to_owned()),
    ]
}

both_engines!(
    writes_from_another_site_an_opaque_origin_or_nowhere_are_refused_and_write_nothing,
    |app| async move {
        let enterprise = bare_signed_in(&app, "enterprise").await;
        let id = app.demo.enterprise_id;
        let year = app.today().year();
        let form_path = format!("/enterprises/{id}/ledgers/training-plan");
        let api_path = format!("/api/v1/enterprises/{id}/training-plan");
        let api_body = json!({
            "year": year, "topic": "有限空间作业专题", "kind": "targeted", "audience": "操作工",
            "planned_hours": 8.0, "planned_month": 12, "planned_headcount": 20
        });
        let before = app.ledger_head().await;
        for (how, origin) in FORGED {
            // A page's form.
            let response = claiming(enterprise.post(app.url(&form_path)), origin)
                .form(&plan_form(year))
                .send()
                .await
                .unwrap();
            expect_problem(response, StatusCode::FORBIDDEN).await;
            // The API.
            let response = claiming(enterprise.post(app.url(&api_path)), origin)
                .json(&api_body)
                .send()
                .await
                .unwrap();
            let problem = expect_problem(response, StatusCode::FORBIDDEN).await;
            assert_eq!(problem["type"], "/problems/forbidden", "{how}: {problem}");
            // Signing in, on the API and on the page: no session comes of it.
            let stranger = bare();
            let response = claiming(stranger.post(app.url("/api/v1/session")), origin)
                .json(&json!({ "username": "province", "password": DEMO_PASSWORD }))
                .send()
                .await
                .unwrap();
            expect_problem(response, StatusCode::FORBIDDEN).await;
            let response = claiming(stranger.post(app.url("/login")), origin)
                .form(&[
                    ("username", "province"),
                    ("password", DEMO_PASSWORD),
                    ("next", "/"),
                ])
                .send()
                .await
                .unwrap();
            expect_problem(response, StatusCode::FORBIDDEN).await;
            assert_eq!(
                stranger
                    .get(app.url("/api/v1/me"))
                    .send()
                    .await
                    .unwrap()
                    .status(),
                StatusCode::UNAUTHORIZED,
                "{how}: not signed in"
            );
            // The anonymous exam API too.
            let response = claiming(stranger.post(app.url("/api/v1/exam/sign-in")), origin)
                .json(&json!({ "session_id": id, "ticket": "x", "id_number": "x" }))
                .send()
                .await
                .unwrap();
            expect_problem(response, StatusCode::FORBIDDEN).await;
            // A Referer on our own site does not vouch for an Origin that says otherwise.
            if origin.is_some() {
                let response = claiming(enterprise.post(app.url(&api_path)), origin)
                    .header(header::REFERER, app.url(&form_path))
                    .json(&api_body)
                    .send()
                    .await
                    .unwrap();
                expect_problem(response, StatusCode::FORBIDDEN).await;
            }
        }
        assert_eq!(app.ledger_head().await, before, "nothing was written");
        let plan = expect_json(
            enterprise.get(app.url(&api_path)).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            !plan.to_string().contains("有限空间作业专题"),
            "no plan item: {plan}"
        );

        // The same requests from our own pages pass: Origin, or a Referer without one.
        let response = enterprise
            .post(app.url(&form_path))
            .header(header::ORIGIN, &app.base)
            .form(&plan_form(year))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the form is saved"
        );
        let response = enterprise
            .post(app.url(&api_path))
            .header(header::REFERER, app.url(&form_path))
            .json(&api_body)
            .send()
            .await
            .unwrap();
        expect_json(response, StatusCode::CREATED).await;
        assert!(app.ledger_head().await > before, "both were written");
        let stranger = bare();
        let response = stranger
            .post(app.url("/login"))
            .header(header::ORIGIN, &app.base)
            .form(&[
                ("username", "province"),
                ("password", DEMO_PASSWORD),
                ("next", "/dashboard"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[header::LOCATION], "/dashboard");
    }
);

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(&name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// GETs `path` and checks that the answer is `200` and may not be stored.
async fn not_stored(app: &TestApp, client: &Client, path: &str) -> reqwest::Response {
    let response = get(app, client, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let cache = header_of(&response, header::CACHE_CONTROL);
    assert!(
        cache.contains("no-store"),
        "{path}: Cache-Control {cache:?}"
    );
    response
}

both_engines!(
    every_answer_carries_the_security_headers_and_only_static_files_are_cached,
    |app| async move {
        let anonymous = app.anonymous();
        let page = not_stored(&app, &anonymous, "/login").await;
        assert_eq!(header_of(&page, header::CONTENT_SECURITY_POLICY), CSP);
        assert!(
            header_of(&page, header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'")
        );
        assert_eq!(header_of(&page, header::X_FRAME_OPTIONS), "DENY");
        assert_eq!(header_of(&page, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header_of(&page, header::REFERRER_POLICY), "same-origin");
        // Served over plain HTTP here: no HSTS (a browser would ignore it anyway).
        assert!(
            page.headers()
                .get(header::STRICT_TRANSPORT_SECURITY)
                .is_none()
        );

        // A personal page, an API answer and the generated files.
        let worker = app.login("worker").await;
        let archive = format!("/persons/{}", app.demo.worker_id);
        let page = not_stored(&app, &worker, &archive).await;
        assert_eq!(header_of(&page, header::CONTENT_SECURITY_POLICY), CSP);
        not_stored(&app, &worker, "/api/v1/me").await;
        not_stored(&app, &worker, &format!("{archive}/export.json")).await;
        let number = issue_to_worker(&app).await;
        let pdf = not_stored(&app, &worker, &format!("/certificates/{number}/pdf")).await;
        assert_eq!(header_of(&pdf, header::CONTENT_TYPE), "application/pdf");
        let enterprise = app.login("enterprise").await;
        let roster = format!("/enterprises/{}/roster", app.demo.enterprise_id);
        not_stored(&app, &enterprise, &format!("{roster}/export.xlsx")).await;
        not_stored(&app, &enterprise, &format!("{roster}/export.csv")).await;
        let province = app.login("province").await;
        let xlsx = not_stored(&app, &province, "/dashboard.xlsx").await;
        assert!(header_of(&xlsx, header::CONTENT_TYPE).contains("spreadsheetml"));
        // Errors too.
        let missing = get(&app, &province, "/api/v1/persons/not-a-person").await;
        assert!(header_of(&missing, header::CACHE_CONTROL).contains("no-store"));

        // The vendored static files keep their caching.
        for file in [
            "/static/app.css",
            "/static/app.js",
            "/static/htmx-2.0.11.min.js",
        ] {
            let response = get(&app, &anonymous, file).await;
            assert_eq!(response.status(), StatusCode::OK, "{file}");
            let cache = header_of(&response, header::CACHE_CONTROL);
            assert!(
                !cache.contains("no-store") && cache.contains("max-age"),
                "{file}: {cache:?}"
            );
            assert_eq!(
                header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
                "nosniff"
            );
        }
    }
);

/// Places a redirect must not lead to: another host, however it is spelled (`%09`, `%0D%0A`
/// and a space are dropped by browsers, `\` is read as `/`).
const OFF_SITE: [&str; 7] = [
    "/%09/evil.example",
    "/%0D%0A/evil.example",
    "/%20/evil.example",
    "//evil.example",
    "/%5Cevil.example",
    "https://evil.example",
    "%2F%2Fevil.example",
];

both_engines!(
    the_language_switch_and_sign_in_only_return_to_a_path_on_this_site,
    |app| async move {
        let location = |response: &reqwest::Response| header_of(response, header::LOCATION);
        let client = bare();
        for back in OFF_SITE {
            let response = client
                .get(app.url(&format!("/lang?set=en&back={back}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "back={back}");
            assert_eq!(location(&response), "/", "back={back}");
        }
        let response = client
            .get(app.url("/lang?set=zh&back=/persons%3Fq%3D1"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), "/persons?q=1", "a local path is kept");

        // Sign-in's `next`: on the form, in the page's hidden field, and once signed in.
        for next in OFF_SITE {
            let page = client
                .get(app.url(&format!("/login?next={next}")))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                page.contains(r#"name="next" value="/""#),
                "next={next}: the form goes back to /"
            );
            let fresh = bare();
            let decoded = next
                .replace("%09", "\t")
                .replace("%0D%0A", "\r\n")
                .replace("%20", " ")
                .replace("%5C", "\\")
                .replace("%2F", "/");
            let response = fresh
                .post(app.url("/login"))
                .header(header::ORIGIN, &app.base)
                .form(&[
                    ("username", "worker"),
                    ("password", DEMO_PASSWORD),
                    ("next", decoded.as_str()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "next={next}");
            assert_eq!(location(&response), "/", "next={next}");
            let response = fresh
                .get(app.url(&format!("/login?next={next}")))
                .send()
                .await
                .unwrap();
            assert_eq!(location(&response), "/", "signed in, next={next}");
        }
    }
);

/// Page numbers no list may fail on.
const BAD_PAGES: [&str; 4] = [
    "18446744073709551615",
    "99999999999999999999999999",
    "-1",
    "0",
];

both_engines!(no_page_number_makes_a_list_fail, |app| async move {
    let e = app.demo.enterprise_id;
    let province = app.login("province").await;
    let enterprise = app.login("enterprise").await;
    let ledgers = [
        "apprenticeships",
        "off-post",
        "process-changes",
        "skill-promotions",
    ];
    let mut lists: Vec<(&Client, String)> = vec![
        (&province, "/api/v1/enterprises?".to_owned()),
        (&province, format!("/api/v1/enterprises/{e}/staff?")),
        (&province, "/api/v1/kpis/people?".to_owned()),
        (&province, "/api/v1/subsidies?".to_owned()),
        (&province, "/api/v1/bank/questions?trade=1.2&".to_owned()),
        (&province, "/enterprises?".to_owned()),
        (&province, format!("/enterprises/{e}?")),
        (&province, "/subsidies?".to_owned()),
        (&province, "/exams?".to_owned()),
        (&province, "/exams/stats?".to_owned()),
        (&province, "/dashboard?".to_owned()),
        (&province, "/dashboard/people?due=90&".to_owned()),
        (&province, "/bank?trade=1.2&".to_owned()),
        (&enterprise, "/subsidies?".to_owned()),
    ];
    for tab in ledgers {
        lists.push((&enterprise, format!("/api/v1/enterprises/{e}/{tab}?")));
        lists.push((&enterprise, format!("/enterprises/{e}/ledgers/{tab}?")));
    }
    lists.push((
        &enterprise,
        format!("/enterprises/{e}/ledgers/training-plan?"),
    ));
    for (client, list) in &lists {
        for page in BAD_PAGES {
            let path = format!("{list}page={page}&per_page={page}");
            let response = get(&app, client, &path).await;
            let status = response.status();
            let body = response.text().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
        }
    }
    // The searches, whose page comes in a POST body (JSON and form).
    for page in BAD_PAGES {
        let number: Value = serde_json::from_str(page).unwrap_or(json!(page));
        let response = enterprise
            .post(app.url("/api/v1/persons/search"))
            .json(&json!({ "query": "", "page": number, "per_page": number }))
            .send()
            .await
            .unwrap();
        expect_json(response, StatusCode::OK).await;
        let response = enterprise
            .post(app.url("/persons/search"))
            .form(&[("q", ""), ("page", page)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "/persons/search page={page}"
        );
    }
    // Not a number at all: refused, not failed.
    let response = get(&app, &province, "/api/v1/enterprises?page=last").await;
    assert!(response.status().is_client_error(), "{}", response.status());
});

/// Issues a special-operations certificate (低压电工作业) to the demo worker, as Harbin; its
/// number.
async fn issue_to_worker(app: &TestApp) -> String {
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
    issued["number"].as_str().unwrap().to_owned()
}

both_engines!(
    a_certificate_links_to_the_public_url_whatever_host_the_request_names,
    |app| async move {
        let number = issue_to_worker(&app).await;
        let expected = app.url(&format!("/verify/{number}"));
        let worker = app.login("worker").await;
        let response = worker
            .get(app.url(&format!("/certificates/{number}/pdf")))
            .header(header::HOST, "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let pdf = response.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let dir = app.dir.join("hardening");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("certificate.pdf");
        std::fs::write(&file, &pdf).unwrap();
        if have("pdftotext", "poppler-utils") {
            let text = run(Command::new("pdftotext").arg(&file).arg("-"));
            assert!(!text.contains("evil.example"), "{text}");
        }
        if have("pdftoppm", "poppler-utils") && have("zbarimg", "zbar-tools") {
            let prefix = dir.join("page");
            run(Command::new("pdftoppm")
                .args(["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile"])
                .arg(&file)
                .arg(&prefix));
            let decoded = run(Command::new("zbarimg")
                .args(["--raw", "-q"])
                .arg(prefix.with_extension("png")));
            assert!(
                decoded.trim().starts_with(&expected),
                "the QR code: {decoded}"
            );
        }

        // The verification page's QR code and link, asked for anonymously.
        let page = app
            .anonymous()
            .get(app.url(&format!("/verify/{number}")))
            .header(header::HOST, "evil.example")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("evil.example"), "{page}");
    }
);

/// What the CSP would block or what it forbids being there: inline scripts, `<style>`
/// elements (htmx's indicator style among them), `on*=` handlers and `style=` attributes.
async fn assert_no_inline_code(client: &fantoccini::Client, page: &str) {
    let found = client
        .execute(
            "return {
               scripts: document.querySelectorAll('script:not([src])').length,
               styles: document.querySelectorAll('style').length,
               attributes: Array.from(document.querySelectorAll('*')).flatMap(function (e) {
                 return Array.from(e.attributes)
                   .filter(function (a) { return a.name === 'style' || a.name.indexOf('on') === 0; })
                   .map(function (a) { return e.tagName.toLowerCase() + '[' + a.name + ']'; });
               }),
               htmx: typeof htmx
             };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(found["scripts"], 0, "{page}: inline scripts: {found}");
    assert_eq!(found["styles"], 0, "{page}: <style> elements: {found}");
    assert_eq!(
        found["attributes"],
        json!([]),
        "{page}: inline handlers or styles: {found}"
    );
    assert_eq!(found["htmx"], "object", "{page}: htmx loaded under the CSP");
}

async fn open(client: &fantoccini::Client, app: &TestApp, page: &str) {
    client.goto(&app.url(page)).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("main"))
        .await
        .unwrap();
    assert_no_inline_code(client, page).await;
}

/// The rendered text of the element `css` names, read in one script so that an htmx swap
/// between finding the element and reading it (the console's live part refreshes every
/// 5 s) cannot leave a stale reference.
async fn text_of(client: &fantoccini::Client, css: &str) -> String {
    crate::browser::live_text(client, css)
        .await
        .trim()
        .to_owned()
}

both_engines!(
    pages_keep_their_scripted_behaviour_under_the_content_security_policy,
    |app| async move {
        let drill = crate::exams::drill(&app, 1, 31).await;
        let examinee = &drill.examinees[0];
        let driver = start_driver().await;
        let client = browser(&driver, 1280).await;

        // The examinee's page (exam.js): the paper loads and an answer is saved through the
        // API, whose writes now need our Origin.
        open(&client, &app, &format!("/exam/{}", examinee.session_id)).await;
        client
            .find(Locator::Id("ticket"))
            .await
            .unwrap()
            .send_keys(&examinee.ticket)
            .await
            .unwrap();
        client
            .find(Locator::Id("id_number"))
            .await
            .unwrap()
            .send_keys(&examinee.id_number)
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
            .for_element(Locator::Css("#exam-paper fieldset#q0"))
            .await
            .unwrap();
        client
            .find(Locator::Css("#q0 label.option"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let mut saved = String::new();
        for _ in 0..100 {
            saved = text_of(&client, "#exam-save").await;
            if saved == "已全部保存" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(saved, "已全部保存", "the answer was saved");
        assert_eq!(text_of(&client, "#exam-answered").await, "已答 1 / 50");
        assert_no_inline_code(&client, "the exam paper").await;

        // The regulator's pages.
        client.delete_all_cookies().await.unwrap();
        sign_in(&client, &app, "province").await;
        for page in [
            "/dashboard",
            "/dashboard/people?due=90",
            "/bank",
            "/bank/import",
        ] {
            open(&client, &app, page).await;
        }
        // app.js: a link to a closed <details> opens it.
        open(&client, &app, "/exams").await;
        client
            .find(Locator::Css("a[href='#site-form']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let opened = client
            .execute("return document.getElementById('site-form').open;", vec![])
            .await
            .unwrap();
        assert_eq!(opened, json!(true), "the form opened");
        // The proctor's console: htmx refreshes its live part every 5 s, progress bars
        // without inline widths.
        open(&client, &app, &format!("/exams/{}", examinee.session_id)).await;
        let first = text_of(&client, "#live-updated").await;
        let mut refreshed = false;
        for _ in 0..60 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if text_of(&client, "#live-updated").await != first {
                refreshed = true;
                break;
            }
        }
        assert!(refreshed, "the live part was refreshed by htmx");
        // Read in one script: the live part may be swapped again at any moment.
        let meter = client
            .execute(
                "const m = document.querySelector('#console progress.meter'); \
                 return m ? m.getAttribute('value') : null;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(meter, json!("1"));
        assert_no_inline_code(&client, "the console after a refresh").await;

        // The enterprise: a search through htmx, a roster upload through XHR.
        client.delete_all_cookies().await.unwrap();
        sign_in(&client, &app, "enterprise").await;
        open(&client, &app, "/persons").await;
        let name = examinee.name.clone();
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
        client
            .wait()
            .for_element(Locator::XPath(&format!(
                "//section[@id='results'][.//p[contains(@class,'count') and contains(., '{name}')]]"
            )))
            .await
            .unwrap();
        assert!(
            client.current_url().await.unwrap().path() == "/persons",
            "htmx swapped the results in"
        );
        assert_no_inline_code(&client, "/persons after a search").await;

        let roster = format!("/enterprises/{}/roster", app.demo.enterprise_id);
        open(&client, &app, &roster).await;
        let file = app.dir.join("hardening-roster.csv");
        std::fs::write(&file, crate::roster::large_roster_csv(5)).unwrap();
        client
            .find(Locator::Id("file"))
            .await
            .unwrap()
            .send_keys(file.to_str().unwrap())
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
        client
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::XPath(
                "//*[contains(text(), '已导入 5 条在职记录')]",
            ))
            .await
            .unwrap();
        assert_no_inline_code(&client, "the roster's answer").await;
        client.close().await.unwrap();
    }
);
