//! The subsidy workflow in headless Chromium (issue 5): the enterprise files an application
//! on the 审核表 form (a refused attempt keeps everything typed), the institution confirms
//! every row with its class, the Harbin regulator sees the failed check of the row certified
//! before the training, rejects it with a reason and approves the rest, and the HR bureau's
//! view holds exactly the approved people. A second Chromium laid out as a 375-px phone opens
//! every page of the workflow, the registry and the classes at each step and checks that
//! nothing is wider than the screen. The registry's and the class's own forms are driven the
//! same way: a trade approved, a trainer selected, a class opened, staff sent, attendance and
//! a video recorded, the class completed.

use anpei_testkit::{TestApp, both_engines};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::{
    browser, fits, full_height, live_text, phone, screenshot, sign_in, start_driver,
};
use crate::support::is_masked_id_number;

/// Signs `client` in as `username`, whoever was signed in before.
async fn as_user(client: &Client, app: &TestApp, username: &str) {
    client.goto(&app.url("/login")).await.unwrap();
    client.delete_all_cookies().await.unwrap();
    sign_in(client, app, username).await;
}

async fn type_into(client: &Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Sets a date or select value directly (a date field's typing order depends on the locale).
async fn set_value(client: &Client, id: &str, value: &str) {
    client
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(value)],
        )
        .await
        .unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn checked(client: &Client, css: &str) -> bool {
    client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.checked : null;",
            vec![json!(css)],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap_or_else(|| panic!("{css} is on the page"))
}

async fn value_of(client: &Client, css: &str) -> String {
    client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
            vec![json!(css)],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_else(|| panic!("{css} is on the page"))
        .to_owned()
}

/// The texts of every element matching `css`.
async fn texts(client: &Client, css: &str) -> Vec<String> {
    let found: Value = client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim());",
            vec![json!(css)],
        )
        .await
        .unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn wait_for(client: &Client, css: &str) {
    client.wait().for_element(Locator::Css(css)).await.unwrap();
}

/// Clicks a form's submit button and waits for the page the server answers with its
/// notice: the page before is marked first, so that its own (older) notice does not count.
async fn submit(client: &Client, css: &str) {
    client
        .execute("window.anpeiBeforeSubmit = true;", vec![])
        .await
        .unwrap();
    click(client, css).await;
    for _ in 0..1200 {
        let fresh = client
            .execute(
                "return !window.anpeiBeforeSubmit && document.readyState === 'complete' && !!document.querySelector('#notice');",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if fresh {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no answer with a notice after submitting {css}");
}

/// The desktop screenshot of the whole page, then back to the usual window.
async fn desktop_shot(client: &Client, name: &str) {
    full_height(client, 1280).await;
    screenshot(client, name).await;
    client.set_window_size(1280, 900).await.ok();
}

/// Every page of `pages` fits the phone; screenshots of each from top to bottom.
async fn phone_pages(client: &Client, app: &TestApp, pages: &[(String, &str)]) {
    let paths: Vec<String> = pages.iter().map(|(path, _)| path.clone()).collect();
    fits(client, app, &paths).await;
    if std::env::var("ANPEI_SCREENSHOTS").is_err() {
        return;
    }
    for (path, name) in pages {
        client.goto(&app.url(path)).await.unwrap();
        wait_for(client, "main h1").await;
        let height = client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap();
        for (n, top) in (0..height).step_by(760).take(8).enumerate() {
            client
                .execute(&format!("window.scrollTo(0, {top});"), vec![])
                .await
                .unwrap();
            screenshot(client, &format!("{name}-phone-{n}")).await;
        }
    }
}

both_engines!(
    an_application_is_filed_confirmed_reviewed_with_a_failed_check_and_reaches_the_hr_bureau,
    |app| async move {
        let f = crate::subsidies::fixture(&app).await;
        let desk_driver = start_driver().await;
        let phone_driver = start_driver().await;
        let desk = browser(&desk_driver, 1280).await;
        let small = phone(&phone_driver).await;
        let class_page = format!("/classes/{}", f.class_id);
        let registry = format!("/institutions/{}", f.institution_id);
        let (early, early_name) = f.early.clone();
        let mut picked: Vec<_> = f.good.iter().map(|(id, _)| *id).collect();
        picked.push(early);

        // ---- The enterprise files; a first attempt without the pledge keeps everything.
        as_user(&desk, &app, "enterprise").await;
        desk.goto(&app.url("/lang?set=en&back=/subsidies/new"))
            .await
            .unwrap();
        wait_for(&desk, "#subsidy-form").await;
        desktop_shot(&desk, "subsidy-new-en").await;
        desk.goto(&app.url("/lang?set=zh&back=/subsidies"))
            .await
            .unwrap();
        click(&desk, "#new-application").await;
        wait_for(&desk, "#subsidy-form").await;
        let header = live_text(&desk, "#subsidy-form").await;
        assert!(header.contains("统一社会信用代码"), "{header}");
        for (certificate, _) in &f.good {
            let id_cell = live_text(&desk, &format!("tr[id='c-{certificate}'] td.mono")).await;
            assert!(is_masked_id_number(&id_cell), "masked: {id_cell}");
        }
        type_into(&desk, "f-handler-name", "刘经办").await;
        type_into(&desk, "f-handler-phone", "13912345678").await;
        set_value(&desk, "f-institution", &f.institution_id.to_string()).await;
        set_value(&desk, "f-from", &f.training_from.to_string()).await;
        set_value(&desk, "f-to", &f.training_to.to_string()).await;
        for certificate in &picked {
            click(&desk, &format!("#cb-{certificate}")).await;
        }
        // The amount follows the ticks.
        assert_eq!(live_text(&desk, "#picked").await, "4");
        assert_eq!(live_text(&desk, "#amount").await, "4,000");
        click(&desk, "#file-application").await;
        wait_for(&desk, "#form-errors").await;
        let errors = live_text(&desk, "#form-errors").await;
        assert!(errors.contains("书面承诺"), "{errors}");
        assert!(errors.contains("负责人"), "{errors}");
        assert_eq!(value_of(&desk, "#f-handler-name").await, "刘经办");
        assert_eq!(value_of(&desk, "#f-to").await, f.training_to.to_string());
        assert_eq!(
            value_of(&desk, "#f-institution").await,
            f.institution_id.to_string()
        );
        for certificate in &picked {
            assert!(checked(&desk, &format!("#cb-{certificate}")).await);
        }
        assert_eq!(live_text(&desk, "#amount").await, "4,000");
        desktop_shot(&desk, "subsidy-new-refused").await;
        click(&desk, "#f-pledge").await;
        type_into(&desk, "f-pledge-by", "张总经理").await;
        click(&desk, "#file-application").await;
        wait_for(&desk, "#app-status").await;
        let status = live_text(&desk, "#app-status").await;
        assert!(status.contains("待机构确认"), "{status}");
        let number = live_text(&desk, "#app-number").await;
        let detail = desk.current_url().await.unwrap();
        let detail = detail.path().to_owned();
        let rows = texts(&desk, "#rows tbody tr td.name").await;
        assert_eq!(rows.len(), 4, "{rows:?}");
        desktop_shot(&desk, "subsidy-filed").await;

        as_user(&small, &app, "enterprise").await;
        phone_pages(
            &small,
            &app,
            &[
                ("/subsidies".to_owned(), "subsidies"),
                ("/subsidies/new".to_owned(), "subsidy-new"),
                (detail.clone(), "subsidy-filed"),
                ("/classes".to_owned(), "classes-enterprise"),
                (class_page.clone(), "class-enterprise"),
            ],
        )
        .await;

        // ---- The institution confirms every row; each row's class is preselected.
        as_user(&desk, &app, "institution").await;
        desk.goto(&app.url(&detail)).await.unwrap();
        wait_for(&desk, "#confirm").await;
        let selects = texts(&desk, "#confirm select").await;
        assert_eq!(selects.len(), 4);
        let chosen: Value = desk
            .execute(
                "return Array.from(document.querySelectorAll('#confirm select')).map(s => s.value);",
                vec![],
            )
            .await
            .unwrap();
        for value in chosen.as_array().unwrap() {
            assert_eq!(value.as_str(), Some(f.class_id.to_string().as_str()));
        }
        assert!(checked(&desk, "#confirm input[type=checkbox]").await);
        desktop_shot(&desk, "subsidy-confirm").await;
        as_user(&small, &app, "institution").await;
        phone_pages(
            &small,
            &app,
            &[
                (detail.clone(), "subsidy-confirm"),
                (registry.clone(), "institution"),
                ("/classes".to_owned(), "classes-institution"),
                (class_page.clone(), "class-institution"),
            ],
        )
        .await;
        desk.goto(&app.url(&registry)).await.unwrap();
        desktop_shot(&desk, "institution").await;
        desk.goto(&app.url(&class_page)).await.unwrap();
        desktop_shot(&desk, "class").await;
        desk.goto(&app.url(&detail)).await.unwrap();
        submit(&desk, "#send-confirmation").await;
        let status = live_text(&desk, "#app-status").await;
        assert!(status.contains("待监管部门审核"), "{status}");

        // ---- The Harbin regulator sees the failed check, rejects that row, approves the rest.
        as_user(&desk, &app, "harbin").await;
        desk.goto(&app.url(&detail)).await.unwrap();
        wait_for(&desk, "#review").await;
        let early_card = format!("li.row-card[data-name='{early_name}']");
        let failed = live_text(&desk, &format!("{early_card} li.fail")).await;
        assert!(failed.contains("早于培训开始日期"), "{failed}");
        assert!(checked(&desk, &format!("{early_card} input[value=reject]")).await);
        for (_, name) in &f.good {
            let card = format!("li.row-card[data-name='{name}']");
            assert_eq!(texts(&desk, &format!("{card} li.fail")).await.len(), 0);
            assert!(checked(&desk, &format!("{card} input[value=approve]")).await);
        }
        desktop_shot(&desk, "subsidy-review").await;
        // The same in English, reasons included.
        desk.goto(&app.url(&format!("/lang?set=en&back={detail}")))
            .await
            .unwrap();
        wait_for(&desk, "#review").await;
        let failed = live_text(&desk, &format!("{early_card} li.fail")).await;
        assert!(failed.contains("before the training began"), "{failed}");
        desktop_shot(&desk, "subsidy-review-en").await;
        desk.goto(&app.url(&format!("/lang?set=zh&back={detail}")))
            .await
            .unwrap();
        as_user(&small, &app, "harbin").await;
        phone_pages(
            &small,
            &app,
            &[
                (detail.clone(), "subsidy-review"),
                ("/subsidies".to_owned(), "subsidies-harbin"),
                ("/institutions".to_owned(), "institutions"),
                (registry.clone(), "institution-harbin"),
            ],
        )
        .await;
        desk.goto(&app.url(&detail)).await.unwrap();
        wait_for(&desk, "#review").await;
        click(&desk, &format!("{early_card} input[value=reject]")).await;
        // Without a reason the rejection is refused, and every choice stays as it was.
        click(&desk, "#send-review").await;
        wait_for(&desk, "#form-errors").await;
        let errors = live_text(&desk, "#form-errors").await;
        assert!(errors.contains("不予通过须填写理由"), "{errors}");
        assert!(errors.contains(&early_name), "{errors}");
        assert!(checked(&desk, &format!("{early_card} input[value=reject]")).await);
        for (_, name) in &f.good {
            let card = format!("li.row-card[data-name='{name}']");
            assert!(checked(&desk, &format!("{card} input[value=approve]")).await);
        }
        desktop_shot(&desk, "subsidy-review-refused").await;
        let comment = desk
            .find(Locator::Css(&format!("{early_card} .comment input")))
            .await
            .unwrap();
        comment
            .send_keys("证书取得早于本次培训，不属于通过本次培训取证")
            .await
            .unwrap();
        submit(&desk, "#send-review").await;
        let status = live_text(&desk, "#app-status").await;
        assert!(status.contains("已审核待拨付"), "{status}");
        let decisions = texts(&desk, "#rows tbody tr td:nth-child(9)").await;
        assert_eq!(
            decisions.iter().filter(|d| d.as_str() == "通过").count(),
            3,
            "{decisions:?}"
        );
        desktop_shot(&desk, "subsidy-reviewed").await;

        // ---- The HR bureau finds it in its list and sees exactly the approved people.
        as_user(&desk, &app, "hr").await;
        desk.goto(&app.url("/subsidies")).await.unwrap();
        wait_for(&desk, "#applications").await;
        let list = live_text(&desk, "#applications").await;
        assert!(list.contains(&number), "{number} in {list}");
        desktop_shot(&desk, "subsidies-hr").await;
        click(&desk, &format!("#applications a[href='{detail}']")).await;
        wait_for(&desk, "#pay").await;
        let mut names = texts(&desk, "#rows tbody tr td.name").await;
        names.sort();
        let mut approved: Vec<String> = f.good.iter().map(|(_, name)| name.clone()).collect();
        approved.sort();
        assert_eq!(names, approved);
        let page = live_text(&desk, "main").await;
        assert!(
            !page.contains(&early_name),
            "{early_name} is not shown to the HR bureau"
        );
        assert!(
            desk.find(Locator::Id("approved-xlsx")).await.is_ok(),
            "the approved list is offered as .xlsx"
        );
        // The official form prints from the page.
        let pdf = desk
            .execute(
                "return fetch(document.getElementById('form-pdf').href).then(r => r.headers.get('content-type'));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(pdf.as_str(), Some("application/pdf"));
        desktop_shot(&desk, "subsidy-hr").await;
        as_user(&small, &app, "hr").await;
        phone_pages(
            &small,
            &app,
            &[
                (detail.clone(), "subsidy-hr"),
                ("/subsidies".to_owned(), "subsidies-hr"),
                (registry.clone(), "institution-hr"),
            ],
        )
        .await;

        desk.close().await.unwrap();
        small.close().await.unwrap();
    }
);

fn ymd_ago(days: u64) -> String {
    (anpei_testkit::today() - chrono::Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

both_engines!(
    an_institution_runs_a_class_from_its_pages_and_an_enterprise_sends_its_staff,
    |app| async move {
        let institution = app.login("institution").await;
        let me: Value = institution
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let institution_id = me["scope_id"].as_str().unwrap().to_owned();
        let registry = format!("/institutions/{institution_id}");
        let desk_driver = start_driver().await;
        let phone_driver = start_driver().await;
        let desk = browser(&desk_driver, 1280).await;
        let small = phone(&phone_driver).await;

        // ---- The city regulator approves 1.2; without facilities it is refused, kept open.
        as_user(&desk, &app, "harbin").await;
        desk.goto(&app.url("/institutions")).await.unwrap();
        click(&desk, &format!("#institutions a[href='{registry}']")).await;
        wait_for(&desk, "#approve-form").await;
        click(&desk, "#approve-form summary").await;
        set_value(&desk, "approve-trade_code", "1.2").await;
        set_value(&desk, "approve-approved_on", &ymd_ago(400)).await;
        click(&desk, "#approve-form button[type=submit]").await;
        wait_for(&desk, "#approve-form #form-errors").await;
        let errors = live_text(&desk, "#form-errors").await;
        assert!(errors.contains("实操条件"), "{errors}");
        assert_eq!(value_of(&desk, "#approve-trade_code").await, "1.2");
        set_value(
            &desk,
            "approve-practical_facilities",
            "低压电工实训室 20 工位，配电柜与仿真触电急救模拟人",
        )
        .await;
        submit(&desk, "#approve-form button[type=submit]").await;
        let approvals = live_text(&desk, "#approvals").await;
        assert!(approvals.contains("1.2 低压电工作业"), "{approvals}");
        assert!(approvals.contains("有效"), "{approvals}");

        // ---- The institution selects a trainer and opens a class.
        as_user(&desk, &app, "institution").await;
        desk.goto(&app.url(&registry)).await.unwrap();
        click(&desk, "#trainer-form summary").await;
        type_into(&desk, "trainer-name", "孙建国").await;
        type_into(
            &desk,
            "trainer-qualification",
            "注册安全工程师，电工高级技师",
        )
        .await;
        set_value(&desk, "trainer-selected_on", &ymd_ago(300)).await;
        click(&desk, "#trainer-trade_codes input[value='1.2']").await;
        submit(&desk, "#trainer-form button[type=submit]").await;
        assert!(live_text(&desk, "#trainers").await.contains("孙建国"));
        click(&desk, "#class-form summary").await;
        type_into(&desk, "class-number", "DG-B1").await;
        set_value(&desk, "class-trade_code", "1.2").await;
        type_into(
            &desk,
            "class-syllabus",
            "低压电工作业安全技术培训大纲（2019 版）",
        )
        .await;
        type_into(&desk, "class-theory_hours", "4").await;
        type_into(&desk, "class-practical_hours", "4").await;
        set_value(&desk, "class-starts_on", &ymd_ago(10)).await;
        set_value(&desk, "class-ends_on", &ymd_ago(5)).await;
        // The trainer just selected (the demo institution has others).
        desk.execute(
            "Array.from(document.querySelectorAll('#class-trainer_ids label')).find(l => l.innerText.includes('孙建国')).querySelector('input').click();",
            vec![],
        )
        .await
        .unwrap();
        submit(&desk, "#class-form button[type=submit]").await;
        let class_page = desk.current_url().await.unwrap().path().to_owned();
        let class_id = class_page.trim_start_matches("/classes/").to_owned();

        // ---- The enterprise sends two of its staff from the list of open classes.
        as_user(&desk, &app, "enterprise").await;
        desk.goto(&app.url("/classes")).await.unwrap();
        wait_for(&desk, "#enroll").await;
        set_value(&desk, "enroll-class_id", &class_id).await;
        desk.execute(
            "const s = document.getElementById('enroll-person_ids'); s.options[0].selected = true; s.options[1].selected = true;",
            vec![],
        )
        .await
        .unwrap();
        submit(&desk, "#enroll button[type=submit]").await;
        assert!(live_text(&desk, "#notice").await.contains('2'));
        as_user(&small, &app, "enterprise").await;
        phone_pages(&small, &app, &[("/classes".to_owned(), "classes-enroll")]).await;

        // ---- The institution records attendance and a video, then completes the class.
        as_user(&desk, &app, "institution").await;
        desk.goto(&app.url(&class_page)).await.unwrap();
        as_user(&small, &app, "institution").await;
        phone_pages(&small, &app, &[(class_page.clone(), "class-running")]).await;
        for (day, part) in [(ymd_ago(10), "theory"), (ymd_ago(5), "practical")] {
            desk.goto(&app.url(&class_page)).await.unwrap();
            click(&desk, "#attendance-form summary").await;
            set_value(&desk, "attendance-session_on", &day).await;
            set_value(&desk, "attendance-part", part).await;
            type_into(&desk, "attendance-hours", "4").await;
            submit(&desk, "#attendance-form button[type=submit]").await;
        }
        let trainees = texts(&desk, "#trainees > .table-wrap tbody tr td:nth-child(4)").await;
        assert_eq!(trainees, ["4 / 4", "4 / 4"], "{trainees:?}");
        click(&desk, "#video-form summary").await;
        set_value(&desk, "video-session_on", &ymd_ago(10)).await;
        type_into(&desk, "video-duration_seconds", "240").await;
        type_into(&desk, "video-storage", "oss://anpei-video/DG-B1/theory.mp4").await;
        type_into(
            &desk,
            "video-sha256",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        )
        .await;
        submit(&desk, "#video-form button[type=submit]").await;
        let videos = live_text(&desk, "#videos").await;
        assert!(videos.contains("9f86d081884c"), "{videos}");
        assert!(videos.contains("4:00:00"), "{videos}");
        desktop_shot(&desk, "class-running").await;
        submit(&desk, "#complete button[type=submit]").await;
        let notice = live_text(&desk, "#notice").await;
        assert!(notice.contains("2 人学时完成"), "{notice}");
        let completed = texts(&desk, "#trainees > .table-wrap tbody tr td:nth-child(7)").await;
        assert!(
            completed.iter().all(|c| c.starts_with("20")),
            "{completed:?}"
        );

        desk.close().await.unwrap();
        small.close().await.unwrap();
    }
);
