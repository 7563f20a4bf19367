//! Training institutions, classes and the safety-skills subsidy (issue 5) through HTTP on both
//! engines. The fixture builds what a real application rests on, through the public API: the
//! city regulator approves the demo institution for 低压电工作业 (1.2); the institution selects
//! a trainer, opens a class, records attendance and videos and completes it; the demo
//! enterprise sends its people; the regulator issues their certificates. Then the whole
//! happy path (apply → confirm → review → HR → paid) and every fraud case of the issue: each
//! is caught with its reason, cannot be approved, and nothing is paid for it.

use anpei_domain::{CreditCode, Role};
use anpei_store::ops::accounts::{self, AccountScope};
use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use chrono::{Days, NaiveDate};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{fresh_id_number, get_ok, ledger_verify, post_hire, uuid_of};

fn today() -> NaiveDate {
    anpei_testkit::today()
}

fn ago(days: u64) -> NaiveDate {
    today() - Days::new(days)
}

fn ymd(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

async fn post(app: &TestApp, client: &Client, path: &str, body: Value) -> reqwest::Response {
    client.post(app.url(path)).json(&body).send().await.unwrap()
}

async fn created(app: &TestApp, client: &Client, path: &str, body: Value) -> Value {
    expect_json(post(app, client, path, body).await, StatusCode::CREATED).await
}

async fn no_content(app: &TestApp, client: &Client, path: &str, body: Value) {
    let response = post(app, client, path, body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::NO_CONTENT, "POST {path}: {text}");
}

/// What the fixture built.
pub struct Fixture {
    pub enterprise_id: Uuid,
    pub institution_id: Uuid,
    /// The class with attendance and both videos, completed.
    pub class_id: Uuid,
    pub training_from: NaiveDate,
    pub training_to: NaiveDate,
    /// Three certificates (and their holders' names) that pass every check.
    pub good: Vec<(Uuid, String)>,
    /// On staff, completed the class, but certified before the training began.
    pub early: (Uuid, String),
    /// Hired after the training ended; completed the class on paper.
    pub late_hire: (Uuid, String),
    /// Completed a second class of the trade that has no videos on record.
    pub no_video: (Uuid, String, Uuid),
    /// Certified in 4.1, a trade the institution is not approved for (the demo approves it
    /// for 1.2, 1.1 and 2.1).
    pub other_trade: (Uuid, String),
}

/// Hires a new person into the demo enterprise from `start`.
async fn hire(app: &TestApp, enterprise: &Client, name: &str, n: u16, start: NaiveDate) -> Uuid {
    let body = json!({
        "name": name, "id_number": fresh_id_number(n), "phone": "17012345678",
        "kind": "regular", "position": "电工", "start_date": ymd(start),
        "special_ops_trade": "1.2", "key_position": false,
    });
    let hired = expect_json(
        post_hire(app, enterprise, app.demo.enterprise_id, &body).await,
        StatusCode::CREATED,
    )
    .await;
    uuid_of(&hired["person_id"])
}

async fn issue(
    app: &TestApp,
    regulator: &Client,
    person: Uuid,
    trade: &str,
    on: NaiveDate,
) -> Uuid {
    let issued = created(
        app,
        regulator,
        &format!("/api/v1/persons/{person}/certificates"),
        json!({"kind": "special_ops", "trade": trade, "issued_on": ymd(on)}),
    )
    .await;
    uuid_of(&issued["id"])
}

/// A class of 1.2 from `from` to `to` with `people`, 4 theory and 4 practical hours each,
/// optionally with both videos, completed on `to`.
async fn run_class(
    app: &TestApp,
    (institution, enterprise): (&Client, &Client),
    (institution_id, trainer): (Uuid, Uuid),
    number: &str,
    (from, to): (NaiveDate, NaiveDate),
    people: &[Uuid],
    videos: bool,
) -> Uuid {
    let class = created(
        app,
        institution,
        &format!("/api/v1/institutions/{institution_id}/classes"),
        json!({
            "number": number, "trade_code": "1.2", "syllabus": "低压电工作业安全技术培训大纲（2019 版）",
            "theory_hours": 4, "practical_hours": 4, "starts_on": ymd(from), "ends_on": ymd(to),
            "schedule": "第 1 日理论，第 2 日实操", "trainer_ids": [trainer.to_string()],
        }),
    )
    .await;
    let class_id = uuid_of(&class["id"]);
    no_content(
        app,
        enterprise,
        &format!("/api/v1/classes/{class_id}/trainees"),
        json!({"enterprise_id": app.demo.enterprise_id, "person_ids": people}),
    )
    .await;
    let mut entries = Vec::new();
    for person in people {
        for (day, part) in [(from, "theory"), (to, "practical")] {
            entries.push(json!({
                "person_id": person, "session_on": ymd(day), "part": part, "hours": 4,
                "method": "face", "signed_at": format!("{}T01:00:00Z", ymd(day)),
            }));
        }
    }
    no_content(
        app,
        institution,
        &format!("/api/v1/classes/{class_id}/attendance"),
        json!({"entries": entries}),
    )
    .await;
    if videos {
        for (day, part) in [(from, "theory"), (to, "practical")] {
            created(
                app,
                institution,
                &format!("/api/v1/classes/{class_id}/videos"),
                json!({
                    "part": part, "session_on": ymd(day),
                    "storage": format!("oss://anpei-video/{number}/{part}.mp4"),
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "duration_seconds": 14_400,
                    // Beyond the six years a certificate issued now holds good.
                    "retained_until": ymd(today() + Days::new(7 * 366)),
                }),
            )
            .await;
        }
    }
    let done = expect_json(
        post(
            app,
            institution,
            &format!("/api/v1/classes/{class_id}/complete"),
            json!({"completed_on": ymd(to)}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        done["completed"].as_array().unwrap().len(),
        people.len(),
        "{done}"
    );
    class_id
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let harbin = app.login("harbin").await;
    let institution = app.login("institution").await;
    let enterprise = app.login("enterprise").await;
    let me = get_ok(app, &institution, "/api/v1/me").await;
    let institution_id = uuid_of(&me["scope_id"]);

    created(
        app,
        &harbin,
        &format!("/api/v1/institutions/{institution_id}/trades"),
        json!({"trade_code": "1.2", "approved_on": ymd(ago(400)),
               "practical_facilities": "低压电工实训室 20 工位，配电柜与仿真触电急救模拟人"}),
    )
    .await;
    let trainer = created(
        app,
        &institution,
        &format!("/api/v1/institutions/{institution_id}/trainers"),
        json!({"name": "孙建国", "role": "trainer", "qualification": "注册安全工程师，电工高级技师",
               "trade_codes": ["1.2"], "selected_on": ymd(ago(300))}),
    )
    .await;
    let trainer = uuid_of(&trainer["id"]);

    let (from, to) = (ago(60), ago(40));
    let names = ["赵明远", "钱思彤", "李昇喆", "周早证", "吴晚入"];
    let mut people = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let start = if n == 4 { ago(10) } else { ago(400) };
        people.push(hire(app, &enterprise, name, 5101 + n as u16, start).await);
    }
    let class_id = run_class(
        app,
        (&institution, &enterprise),
        (institution_id, trainer),
        "DG-A1",
        (from, to),
        &people,
        true,
    )
    .await;
    let mut good = Vec::new();
    for (person, name) in people.iter().zip(names).take(3) {
        good.push((
            issue(app, &harbin, *person, "1.2", ago(30)).await,
            name.to_owned(),
        ));
    }
    let early = (
        issue(app, &harbin, people[3], "1.2", ago(90)).await,
        names[3].to_owned(),
    );
    let late_hire = (
        issue(app, &harbin, people[4], "1.2", ago(30)).await,
        names[4].to_owned(),
    );

    let unrecorded = hire(app, &enterprise, "郑无像", 5106, ago(400)).await;
    let second_class = run_class(
        app,
        (&institution, &enterprise),
        (institution_id, trainer),
        "DG-A2",
        (from, to),
        &[unrecorded],
        false,
    )
    .await;
    let no_video = (
        issue(app, &harbin, unrecorded, "1.2", ago(30)).await,
        "郑无像".to_owned(),
        second_class,
    );
    let high_voltage = hire(app, &enterprise, "王高压", 5107, ago(400)).await;
    let other_trade = (
        issue(app, &harbin, high_voltage, "4.1", ago(30)).await,
        "王高压".to_owned(),
    );
    Fixture {
        enterprise_id: app.demo.enterprise_id,
        institution_id,
        class_id,
        training_from: from,
        training_to: to,
        good,
        early,
        late_hire,
        no_video,
        other_trade,
    }
}

fn application(fixture: &Fixture, certificates: &[Uuid]) -> Value {
    json!({
        "enterprise_id": fixture.enterprise_id,
        "institution_id": fixture.institution_id,
        "handler_name": "刘经办",
        "handler_phone": "13912345678",
        "training_from": ymd(fixture.training_from),
        "training_to": ymd(fixture.training_to),
        "pledge_accepted": true,
        "pledge_by": "张总经理",
        "certificate_ids": certificates,
    })
}

async fn detail(app: &TestApp, client: &Client, id: Uuid) -> Value {
    get_ok(app, client, &format!("/api/v1/subsidies/{id}")).await
}

/// Every row confirmed with `class` (or its own class where given).
async fn confirm_all(app: &TestApp, institution: &Client, id: Uuid, classes: &[(Uuid, Uuid)]) {
    let view = detail(app, institution, id).await;
    let answers: Vec<Value> = view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let certificate = uuid_of(&row["certificate_id"]);
            match classes.iter().find(|(c, _)| *c == certificate) {
                Some((_, class)) => {
                    json!({"row_id": row["id"], "confirmed": true, "class_id": class})
                }
                None => json!({"row_id": row["id"], "confirmed": false}),
            }
        })
        .collect();
    no_content(
        app,
        institution,
        &format!("/api/v1/subsidies/{id}/confirmation"),
        json!({"answers": answers}),
    )
    .await;
}

fn row_of(view: &Value, certificate: Uuid) -> &Value {
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| uuid_of(&row["certificate_id"]) == certificate)
        .unwrap_or_else(|| panic!("a row for {certificate} in {view}"))
}

fn failed(row: &Value) -> Vec<String> {
    row["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|check| check["passed"] == false)
        .map(|check| check["code"].as_str().unwrap().to_owned())
        .collect()
}

fn reason<'a>(row: &'a Value, code: &str) -> &'a str {
    row["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["code"] == code)
        .and_then(|check| check["reason_zh"].as_str())
        .unwrap_or_default()
}

async fn ledger_actions(app: &TestApp, id: Uuid) -> Vec<String> {
    let db = app.store.connection();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT action, entity_key FROM ledger_entries ORDER BY seq".to_owned(),
        ))
        .await
        .unwrap();
    rows.into_iter()
        .filter_map(|row| {
            let key: String = row.try_get("", "entity_key").ok()?;
            let action: String = row.try_get("", "action").ok()?;
            key.contains(&id.to_string()).then_some(action)
        })
        .collect()
}

use sea_orm::ConnectionTrait;

both_engines!(
    the_whole_path_from_application_to_payment,
    |app| async move {
        let fixture = fixture(&app).await;
        let enterprise = app.login("enterprise").await;
        let institution = app.login("institution").await;
        let harbin = app.login("harbin").await;
        let qiqihar = app.login("qiqihar").await;
        let hr = app.login("hr").await;

        // The class completion is in each trainee's archive.
        let archive = get_ok(
            &app,
            &enterprise,
            &format!("/api/v1/persons/{}", {
                let candidates = get_ok(
                    &app,
                    &enterprise,
                    &format!(
                        "/api/v1/enterprises/{}/subsidy-candidates",
                        fixture.enterprise_id
                    ),
                )
                .await;
                let first = candidates
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| uuid_of(&c["certificate_id"]) == fixture.good[0].0)
                    .unwrap()
                    .clone();
                assert!(
                    !first["id_number"].as_str().unwrap().contains("19800"),
                    "masked: {first}"
                );
                assert_eq!(first["claimed"], false);
                uuid_of(&first["person_id"])
            }),
        )
        .await;
        let archive_text = archive.to_string();
        assert!(
            archive_text.contains("安全技术培训学校"),
            "the institution trained them: {archive_text}"
        );

        let certificates: Vec<Uuid> = fixture.good.iter().map(|(c, _)| *c).collect();
        let filed = created(
            &app,
            &enterprise,
            "/api/v1/subsidies",
            application(&fixture, &certificates),
        )
        .await;
        let id = uuid_of(&filed["id"]);
        assert_eq!(filed["amount_yuan"], 3000, "1000 yuan a person: {filed}");
        assert_eq!(filed["status"], "filed");
        assert!(
            filed["number"].as_str().unwrap().starts_with("BT230100-"),
            "{filed}"
        );

        // Another city's regulator does not know it exists; the HR bureau not yet.
        assert_eq!(
            qiqihar
                .get(app.url(&format!("/api/v1/subsidies/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            hr.get(app.url(&format!("/api/v1/subsidies/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        // Only the institution confirms, and only at its step.
        let early_review = post(
            &app,
            &harbin,
            &format!("/api/v1/subsidies/{id}/review"),
            json!({"decisions": [], "opinion": ""}),
        )
        .await;
        let problem = expect_problem(early_review, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["field"], "status", "{problem}");

        let view = detail(&app, &enterprise, id).await;
        assert_eq!(view["trades"][0]["people"], 3);
        assert_eq!(view["handler_phone"], "139****5678");
        assert!(
            !view["legal_representative"].as_str().unwrap().is_empty(),
            "from the enterprise's record: {view}"
        );
        for row in view["rows"].as_array().unwrap() {
            assert!(
                !row["id_number"].as_str().unwrap().contains("0101"),
                "masked: {row}"
            );
        }

        let classes: Vec<(Uuid, Uuid)> = certificates
            .iter()
            .map(|c| (*c, fixture.class_id))
            .collect();
        confirm_all(&app, &institution, id, &classes).await;
        let view = detail(&app, &harbin, id).await;
        assert_eq!(view["status"], "confirmed");
        assert_eq!(
            view["institution_opinion"],
            "以上人员按培训大纲要求，在我机构完成理论授课和实操全部课程。"
        );
        for row in view["rows"].as_array().unwrap() {
            assert_eq!(
                failed(row),
                Vec::<String>::new(),
                "every check passes: {row}"
            );
            assert_eq!(row["checks"].as_array().unwrap().len(), 8);
            assert_eq!(row["class_number"], "DG-A1");
        }

        let decisions: Vec<Value> = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| json!({"row_id": row["id"], "approve": true}))
            .collect();
        no_content(
            &app,
            &harbin,
            &format!("/api/v1/subsidies/{id}/review"),
            json!({"decisions": decisions, "opinion": "材料真实。"}),
        )
        .await;

        // The official form, as the regulator prints it for the seal.
        let pdf = harbin
            .get(app.url(&format!("/api/v1/subsidies/{id}/form.pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let pdf = pdf.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        if let Some(text) = crate::certificate_pdf::pdf_text(&app, &pdf, "subsidy-form.pdf") {
            for expected in [
                "申请安全技能提升补贴特种作业人员信息审核表",
                "统一社会信用代码",
                "申请企业书面承诺",
                "序号",
                "证件号",
                "以上人员按培训大纲要求，在我机构完成理论授课和实操全部课程。",
                "经审核，同意3人，补贴3000元。材料真实。",
                "3000元",
                "低压电工作业",
                "赵明远",
                "钱思彤",
                "李昇喆",
            ] {
                assert!(text.contains(expected), "{expected} in the form: {text}");
            }
            let file = app.dir.join("certificate-pdf").join("subsidy-form.pdf");
            let info =
                crate::certificate_pdf::run(std::process::Command::new("pdfinfo").arg(&file));
            let pages = anpei_formats::subsidy_pdf::pages(3);
            assert!(
                info.contains(&format!("Pages:           {pages}")),
                "{info}"
            );
            assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
            // Rendered to images as a printer would: one A4 page image per page.
            if crate::certificate_pdf::have("pdftoppm", "poppler-utils") {
                let prefix = app.dir.join("certificate-pdf").join("subsidy-page");
                crate::certificate_pdf::run(
                    std::process::Command::new("pdftoppm")
                        .args(["-r", "72", "-png"])
                        .arg(&file)
                        .arg(&prefix),
                );
                let mut images: Vec<Vec<u8>> = std::fs::read_dir(app.dir.join("certificate-pdf"))
                    .unwrap()
                    .filter_map(|entry| entry.ok().map(|e| e.path()))
                    .filter(|path| {
                        path.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("subsidy-page") && n.ends_with(".png"))
                    })
                    .map(|path| std::fs::read(path).unwrap())
                    .collect();
                images.sort();
                assert_eq!(images.len(), pages, "one image per page");
                for png in &images {
                    // The PNG header's IHDR: width and height, big-endian, at bytes 16..24.
                    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
                    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
                    // 595.276 × 841.89 pt, rounded up by pdftoppm.
                    assert!(
                        (595..=596).contains(&width) && (842..=843).contains(&height),
                        "an A4 page at 72 dpi: {width} × {height}"
                    );
                }
            }
        }

        // The HR bureau now sees it, in its list, JSON and .xlsx.
        let list = get_ok(&app, &hr, "/api/v1/subsidies?status=reviewed").await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|item| uuid_of(&item["id"]) == id),
            "{list}"
        );
        let view = detail(&app, &hr, id).await;
        assert_eq!(view["approved_yuan"], 3000);
        assert_eq!(
            view["regulator_opinion"],
            "经审核，同意 3 人，补贴 3000 元。材料真实。"
        );
        let names: Vec<&str> = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["赵明远", "钱思彤", "李昇喆"]);
        let xlsx = hr
            .get(app.url(&format!("/api/v1/subsidies/{id}/approved.xlsx")))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        let bytes = xlsx.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK", "an .xlsx is a zip");

        // Payment: the enterprise cannot pay itself; HR pays two, then the third.
        let rows: Vec<Uuid> = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| uuid_of(&r["id"]))
            .collect();
        let refused = post(
            &app,
            &enterprise,
            &format!("/api/v1/subsidies/{id}/payments"),
            json!({"row_ids": rows, "paid_on": ymd(today()), "payment_ref": "X"}),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        no_content(&app, &hr, &format!("/api/v1/subsidies/{id}/payments"),
            json!({"row_ids": &rows[..2], "paid_on": ymd(today()), "payment_ref": "HRSS-2026-0001"})).await;
        assert_eq!(detail(&app, &enterprise, id).await["status"], "reviewed");
        let twice = post(
            &app,
            &hr,
            &format!("/api/v1/subsidies/{id}/payments"),
            json!({"row_ids": &rows[..1], "paid_on": ymd(today()), "payment_ref": "again"}),
        )
        .await;
        let problem = expect_problem(twice, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            problem["detail_zh"].as_str().unwrap().contains("已拨付"),
            "{problem}"
        );
        no_content(&app, &hr, &format!("/api/v1/subsidies/{id}/payments"),
            json!({"row_ids": &rows[2..], "paid_on": ymd(today()), "payment_ref": "HRSS-2026-0002"})).await;

        // The enterprise sees where it stands throughout; now closed, every row paid.
        let view = detail(&app, &enterprise, id).await;
        assert_eq!(view["status"], "closed");
        for row in view["rows"].as_array().unwrap() {
            assert_eq!(row["decision"], "approved");
            assert_eq!(row["paid_on"], ymd(today()));
        }
        let list = get_ok(&app, &enterprise, "/api/v1/subsidies").await;
        assert_eq!(list["items"][0]["paid"], 3);

        // Every step is in the ledger, under the application and each row.
        let actions = ledger_actions(&app, id).await;
        for action in [
            "subsidy.file",
            "subsidy.confirm",
            "subsidy.review",
            "subsidy.close",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} in {actions:?}"
            );
        }
        let db = app.store.connection();
        let paid_rows = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM ledger_entries WHERE action = 'subsidy.pay_row'"
                    .to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(paid_rows, 3);
        let (code, report) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{report}");
    }
);

both_engines!(
    every_fraud_case_is_caught_with_its_reason_and_nothing_is_paid,
    |app| async move {
        let fixture = fixture(&app).await;
        let enterprise = app.login("enterprise").await;
        let institution = app.login("institution").await;
        let harbin = app.login("harbin").await;
        let hr = app.login("hr").await;

        // A pledge not accepted: refused before anything is written.
        let before = (
            app.count_rows("subsidy_applications").await,
            app.ledger_head().await,
        );
        let mut body = application(&fixture, &[fixture.good[0].0]);
        body["pledge_accepted"] = json!(false);
        let problem = expect_problem(
            post(&app, &enterprise, "/api/v1/subsidies", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "pledge_accepted", "{problem}");
        assert!(
            problem["detail_zh"].as_str().unwrap().contains("书面承诺"),
            "{problem}"
        );
        // The same certificate twice on one form names both rows.
        let problem = expect_problem(
            post(
                &app,
                &enterprise,
                "/api/v1/subsidies",
                application(
                    &fixture,
                    &[fixture.good[0].0, fixture.good[1].0, fixture.good[0].0],
                ),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "certificate_ids[2]", "{problem}");
        assert!(
            problem["detail_zh"]
                .as_str()
                .unwrap()
                .contains("第 1 行和第 3 行"),
            "{problem}"
        );
        assert_eq!(
            (
                app.count_rows("subsidy_applications").await,
                app.ledger_head().await
            ),
            before,
            "refused filings write nothing"
        );

        // A first application claims good[0] and good[1]; it waits for review.
        let first = created(
            &app,
            &enterprise,
            "/api/v1/subsidies",
            application(&fixture, &[fixture.good[0].0, fixture.good[1].0]),
        )
        .await;
        let first_id = uuid_of(&first["id"]);
        let first_number = first["number"].as_str().unwrap().to_owned();

        // A second enterprise hires the holder of good[1] and claims the same certificate.
        let other = created(
            &app,
            &harbin,
            "/api/v1/enterprises",
            json!({
                "credit_code": CreditCode::synthesize("230102", 90_000_777).unwrap().as_str(),
                "name": "哈尔滨第二化工有限公司", "industry": "hazchem", "region_code": "230102",
                "legal_representative": "陈立",
            }),
        )
        .await;
        let other_id = uuid_of(&other["id"]);
        // Through the ledgered path, as `anpei account create` makes one.
        accounts::bootstrap(
            &app.store,
            accounts::Bootstrap {
                username: "enterprise2".to_owned(),
                display_name: "哈尔滨第二化工有限公司 安全管理员".to_owned(),
                role: Role::Enterprise,
                scope: AccountScope::Enterprise(other_id),
                credential: accounts::Credential::Password(
                    anpei_store::demo::DEMO_PASSWORD.to_owned(),
                ),
            },
            anpei_testkit::now(),
        )
        .await
        .unwrap();
        let enterprise2 = app.login("enterprise2").await;
        let hired = post_hire(
            &app,
            &enterprise2,
            other_id,
            &json!({
                "name": "钱思彤", "id_number": fresh_id_number(5102), "kind": "dispatched",
                "position": "电工", "start_date": ymd(ago(400)), "special_ops_trade": "1.2",
            }),
        )
        .await;
        expect_json(hired, StatusCode::CREATED).await;
        let mut body = application(&fixture, &[fixture.good[1].0]);
        body["enterprise_id"] = json!(other_id);
        let via_other = created(&app, &enterprise2, "/api/v1/subsidies", body).await;
        let via_other_id = uuid_of(&via_other["id"]);

        // The enterprise files the rest: good[0] again, and every other fraud case.
        let cases = [
            fixture.good[0].0,
            fixture.early.0,
            fixture.late_hire.0,
            fixture.no_video.0,
            fixture.other_trade.0,
            fixture.good[2].0,
        ];
        let second = created(
            &app,
            &enterprise,
            "/api/v1/subsidies",
            application(&fixture, &cases),
        )
        .await;
        let second_id = uuid_of(&second["id"]);
        assert_eq!(second["amount_yuan"], 6000);

        // The institution confirms what it trained; it cannot name a class of another trade
        // for the high-voltage row, so it declines that one.
        let mut classes: Vec<(Uuid, Uuid)> =
            cases[..3].iter().map(|c| (*c, fixture.class_id)).collect();
        classes.push((fixture.no_video.0, fixture.no_video.2));
        classes.push((fixture.good[2].0, fixture.class_id));
        let wrong = post(&app, &institution, &format!("/api/v1/subsidies/{second_id}/confirmation"), json!({
            "answers": detail(&app, &institution, second_id).await["rows"].as_array().unwrap().iter()
                .map(|row| json!({"row_id": row["id"], "confirmed": true, "class_id": fixture.class_id}))
                .collect::<Vec<_>>()
        })).await;
        let problem = expect_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            problem["detail_zh"].as_str().unwrap().contains("第 4 行"),
            "{problem}"
        );
        confirm_all(&app, &institution, second_id, &classes).await;
        confirm_all(
            &app,
            &institution,
            via_other_id,
            &[(fixture.good[1].0, fixture.class_id)],
        )
        .await;

        let view = detail(&app, &harbin, second_id).await;
        let expectations: [(Uuid, &[&str], &str, &str); 6] = [
            (
                fixture.good[0].0,
                &["not_claimed_elsewhere"],
                "not_claimed_elsewhere",
                &first_number,
            ),
            (
                fixture.early.0,
                &["issued_after_training"],
                "issued_after_training",
                "早于培训开始日期",
            ),
            (
                fixture.late_hire.0,
                &["employed_during_training"],
                "employed_during_training",
                "没有劳动（用工）关系记录",
            ),
            (
                fixture.no_video.0,
                &["videos_retained"],
                "videos_retained",
                "缺少理论、实操培训全程视频",
            ),
            (
                fixture.other_trade.0,
                &[
                    "videos_retained",
                    "institution_approved",
                    "institution_confirmed",
                ],
                "institution_approved",
                "不具备 4.1 工种",
            ),
            (fixture.good[2].0, &[], "", ""),
        ];
        for (certificate, codes, code, why) in expectations {
            let row = row_of(&view, certificate);
            assert_eq!(failed(row), codes.to_vec(), "{row}");
            if !code.is_empty() {
                assert!(
                    reason(row, code).contains(why),
                    "{code}: {} (wanted {why})",
                    reason(row, code)
                );
            }
        }
        // The second enterprise's claim on good[1] names the first application.
        let view_other = detail(&app, &harbin, via_other_id).await;
        let row = row_of(&view_other, fixture.good[1].0);
        assert_eq!(failed(row), ["not_claimed_elsewhere"], "{row}");
        assert!(
            reason(row, "not_claimed_elsewhere").contains(&first_number),
            "{row}"
        );

        // Approving a failed row is refused naming the row and the reason; nothing changes.
        let head = app.ledger_head().await;
        let all_approved: Vec<Value> = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| json!({"row_id": row["id"], "approve": true}))
            .collect();
        let problem = expect_problem(
            post(
                &app,
                &harbin,
                &format!("/api/v1/subsidies/{second_id}/review"),
                json!({"decisions": all_approved}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "decisions[0].approve", "{problem}");
        assert!(
            problem["detail_zh"]
                .as_str()
                .unwrap()
                .contains(&first_number),
            "{problem}"
        );
        // A rejection needs a comment.
        let no_comment: Vec<Value> = view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| json!({"row_id": row["id"], "approve": false}))
            .collect();
        let problem = expect_problem(
            post(
                &app,
                &harbin,
                &format!("/api/v1/subsidies/{second_id}/review"),
                json!({"decisions": no_comment}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "decisions[0].comment", "{problem}");
        assert_eq!(
            app.ledger_head().await,
            head,
            "refused reviews write nothing"
        );

        // The reviewer rejects the five and approves the clean row.
        let decisions: Vec<Value> = view["rows"].as_array().unwrap().iter().map(|row| {
            if failed(row).is_empty() {
                json!({"row_id": row["id"], "approve": true})
            } else {
                json!({"row_id": row["id"], "approve": false, "comment": format!("核查未通过：{}", failed(row).join("、"))})
            }
        }).collect();
        no_content(
            &app,
            &harbin,
            &format!("/api/v1/subsidies/{second_id}/review"),
            json!({"decisions": decisions}),
        )
        .await;
        let reviewed = detail(&app, &enterprise, second_id).await;
        assert_eq!(reviewed["approved_yuan"], 1000);
        assert_eq!(
            reviewed["regulator_opinion"],
            "经审核，同意 1 人，补贴 1000 元；5 人不予通过。"
        );
        let early = row_of(&reviewed, fixture.early.0);
        assert_eq!(early["decision"], "rejected");
        assert!(
            early["comment"]
                .as_str()
                .unwrap()
                .contains("issued_after_training")
        );

        // The second enterprise's duplicate is rejected; its application closes unpaid.
        let other_rows: Vec<Value> = view_other["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| json!({"row_id": row["id"], "approve": false, "comment": "重复申请"}))
            .collect();
        no_content(
            &app,
            &harbin,
            &format!("/api/v1/subsidies/{via_other_id}/review"),
            json!({"decisions": other_rows}),
        )
        .await;
        assert_eq!(
            detail(&app, &enterprise2, via_other_id).await["status"],
            "closed"
        );

        // HR sees only the approved row and cannot pay a rejected one.
        let hr_view = detail(&app, &hr, second_id).await;
        let names: Vec<&str> = hr_view["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["李昇喆"]);
        let rejected_row = early["id"].clone();
        let problem = expect_problem(
            post(
                &app,
                &hr,
                &format!("/api/v1/subsidies/{second_id}/payments"),
                json!({"row_ids": [rejected_row], "paid_on": ymd(today()), "payment_ref": "X-1"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            problem["detail_zh"]
                .as_str()
                .unwrap()
                .contains("未审核通过"),
            "{problem}"
        );
        let hr_list = get_ok(&app, &hr, "/api/v1/subsidies").await;
        assert!(
            !hr_list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| uuid_of(&i["id"]) == first_id),
            "not yet reviewed: {hr_list}"
        );
        let db = app.store.connection();
        let paid = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM subsidy_rows WHERE paid_on IS NOT NULL".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(paid, 0, "nothing paid");
        let (code, report) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{report}");
    }
);

both_engines!(
    institutions_are_approved_per_trade_and_classes_need_approval_and_good_trainers,
    |app| async move {
        let harbin = app.login("harbin").await;
        let qiqihar = app.login("qiqihar").await;
        let institution = app.login("institution").await;
        let hr = app.login("hr").await;
        let me = get_ok(&app, &institution, "/api/v1/me").await;
        let id = uuid_of(&me["scope_id"]);

        // Another city's regulator may not approve a Harbin institution.
        let refused = post(&app, &qiqihar, &format!("/api/v1/institutions/{id}/trades"),
            json!({"trade_code": "3.1", "approved_on": ymd(ago(10)), "practical_facilities": "实训室"})).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        // Without practical facilities there is no approval.
        let problem = expect_problem(
            post(&app, &harbin, &format!("/api/v1/institutions/{id}/trades"),
                json!({"trade_code": "3.1", "approved_on": ymd(ago(10)), "practical_facilities": "  "})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "practical_facilities");

        let trainer = created(
            &app,
            &institution,
            &format!("/api/v1/institutions/{id}/trainers"),
            json!({"name": "周攀登", "role": "trainer", "qualification": "电工高级技师",
                   "trade_codes": ["3.1"], "selected_on": ymd(ago(300))}),
        )
        .await;
        let trainer = uuid_of(&trainer["id"]);
        let class = |number: &str| {
            json!({
                "number": number, "trade_code": "3.1", "syllabus": "大纲", "theory_hours": 4,
                "practical_hours": 4, "starts_on": ymd(ago(5)), "ends_on": ymd(ago(1)),
                "trainer_ids": [trainer.to_string()],
            })
        };
        // Not approved for the trade: no class.
        let problem = expect_problem(
            post(
                &app,
                &institution,
                &format!("/api/v1/institutions/{id}/classes"),
                class("C-1"),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "trade_code");
        assert!(
            problem["detail_zh"].as_str().unwrap().contains("实操条件"),
            "{problem}"
        );

        created(&app, &harbin, &format!("/api/v1/institutions/{id}/trades"),
            json!({"trade_code": "3.1", "approved_on": ymd(ago(100)), "practical_facilities": "登高架设实训塔架"})).await;
        // A trainer who failed the yearly assessment may not teach.
        no_content(&app, &institution, &format!("/api/v1/institutions/{id}/trainers/{trainer}/events"),
            json!({"kind": "assessed", "year": anpei_testkit::today().format("%Y").to_string().parse::<i32>().unwrap(), "passed": false})).await;
        let problem = expect_problem(
            post(
                &app,
                &institution,
                &format!("/api/v1/institutions/{id}/classes"),
                class("C-1"),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "trainer_ids");
        assert!(
            problem["detail_zh"].as_str().unwrap().contains("周攀登"),
            "{problem}"
        );
        no_content(&app, &institution, &format!("/api/v1/institutions/{id}/trainers/{trainer}/events"),
            json!({"kind": "assessed", "year": anpei_testkit::today().format("%Y").to_string().parse::<i32>().unwrap(), "passed": true})).await;
        let opened = created(
            &app,
            &institution,
            &format!("/api/v1/institutions/{id}/classes"),
            class("C-1"),
        )
        .await;
        // Class numbers are unique within the institution.
        let twice = post(
            &app,
            &institution,
            &format!("/api/v1/institutions/{id}/classes"),
            class("C-1"),
        )
        .await;
        assert_eq!(twice.status(), StatusCode::CONFLICT);

        // A video with a bad digest names the field and writes nothing.
        let head = app.ledger_head().await;
        let problem = expect_problem(
            post(&app, &institution, &format!("/api/v1/classes/{}/videos", uuid_of(&opened["id"])), json!({
                "part": "theory", "session_on": ymd(ago(5)), "storage": "oss://v/1.mp4",
                "sha256": "not-a-digest", "duration_seconds": 60, "retained_until": ymd(today() + Days::new(3000)),
            })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["field"], "sha256");
        assert_eq!(app.ledger_head().await, head);

        // The HR bureau lists it in the catalogue; the registry shows it all.
        let listed = hr
            .put(app.url(&format!("/api/v1/institutions/{id}/catalogue")))
            .json(&json!({"since": ymd(ago(3))}))
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), StatusCode::NO_CONTENT);
        let registry = get_ok(&app, &harbin, &format!("/api/v1/institutions/{id}")).await;
        assert_eq!(registry["hr_catalogue_since"], ymd(ago(3)));
        let approval = |registry: &Value| {
            registry["approvals"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["trade_code"] == "3.1")
                .cloned()
                .unwrap_or_else(|| panic!("3.1 in {registry}"))
        };
        assert_eq!(approval(&registry)["in_force"], true);
        assert_eq!(approval(&registry)["trade_name"], "登高架设作业");
        let trainer_entry = registry["trainers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "周攀登")
            .cloned()
            .unwrap();
        assert_eq!(trainer_entry["last_assessment_passed"], true);
        assert_eq!(trainer_entry["active"], true);
        assert!(
            registry["classes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["number"] == "C-1"),
            "{registry}"
        );
        let list = get_ok(&app, &qiqihar, "/api/v1/institutions").await;
        let entry = list
            .as_array()
            .unwrap()
            .iter()
            .find(|i| uuid_of(&i["id"]) == id)
            .unwrap();
        // The demo approved it for three trades; 3.1 is now the fourth.
        assert_eq!(entry["trades"], json!(["1.1", "1.2", "2.1", "3.1"]));

        // An exam site the institution runs shows in its registry.
        let site = post(
            &app,
            &harbin,
            "/api/v1/exam/sites",
            json!({"region_code": "230102", "name": "龙江安培考试点", "address": "哈尔滨市道里区",
                   "rooms": [{"name": "第1考场", "seats": 30}, {"name": "第2考场", "seats": 20}],
                   "institution_id": id}),
        )
        .await;
        assert_eq!(site.status(), StatusCode::CREATED);
        let registry = get_ok(&app, &harbin, &format!("/api/v1/institutions/{id}")).await;
        assert_eq!(registry["exam_sites"][0]["name"], "龙江安培考试点");
        assert_eq!(registry["exam_sites"][0]["seats"], 50);
        let unknown = post(
            &app,
            &harbin,
            "/api/v1/exam/sites",
            json!({"region_code": "230102", "name": "无主考试点", "rooms": [{"name": "1", "seats": 5}],
                   "institution_id": Uuid::nil()}),
        )
        .await;
        let problem = expect_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["field"], "institution_id");

        // Withdrawn, the approval no longer holds.
        no_content(
            &app,
            &harbin,
            &format!("/api/v1/institutions/{id}/trades/3.1/withdraw"),
            json!({"on": ymd(today())}),
        )
        .await;
        let registry = get_ok(&app, &institution, &format!("/api/v1/institutions/{id}")).await;
        assert_eq!(approval(&registry)["in_force"], false);
        let (code, report) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{report}");
    }
);
