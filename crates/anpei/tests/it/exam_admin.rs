//! The exam staff's pages through HTTP on both engines: the proctor's console shows who
//! signed in and how far they are, extra time moves their clock, a forced hand-in grades the
//! paper; another city's bureau gets 404; the organisers' forms keep what was typed and list
//! the reasons of a refusal; the examiner's score sheet issues the certificate when the
//! theory part is passed too; the province sees difficulty and discrimination per question.

use anpei_testkit::{TestApp, both_engines, expect_json};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::exams::{answer_key, drill, paper, save, sign_in};

async fn page(client: &Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post_form(
    client: &Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The console row of an admission ticket.
fn row<'a>(html: &'a str, ticket: &str) -> &'a str {
    let start = html
        .find(&format!("data-ticket=\"{ticket}\""))
        .unwrap_or_else(|| panic!("no row for {ticket}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

/// Seconds in the row's "time left" cell ("59:58" or "1:09:58").
fn seconds_left(row: &str) -> i64 {
    let start = row.find("class=\"time-left").unwrap();
    let text = &row[start..];
    let text = &text[text.find('>').unwrap() + 1..text.find("</span>").unwrap()];
    text.split(':').fold(0, |acc, part| {
        acc * 60 + part.trim().parse::<i64>().unwrap()
    })
}

both_engines!(
    the_console_shows_progress_and_extra_time_and_a_forced_hand_in_change_it,
    |app| async move {
        let drill = drill(&app, 2, 31).await;
        let (e, absent) = (&drill.examinees[0], &drill.examinees[1]);
        let session = e.session_id.to_string();
        let (client, token, signed) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
        let attempt = signed["attempt_id"].as_str().unwrap().to_owned();
        let harbin = app.login("harbin").await;
        let keys = answer_key(&app, &e.person_id.to_string(), &attempt).await;
        for (position, key) in keys.iter().enumerate().take(3) {
            expect_json(
                save(
                    &app,
                    &client,
                    &token,
                    position as i64 + 1,
                    position as u64,
                    key.clone(),
                )
                .await,
                StatusCode::OK,
            )
            .await;
        }

        // The list of sessions has it, with a link to the console; the nav leads there.
        let (status, list) = page(&harbin, &app, "/exams").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            list.contains(&format!("href=\"/exams/{session}\"")),
            "the session is listed"
        );
        assert!(
            list.contains("href=\"/exams\""),
            "the navigation links to the exams"
        );
        let (_, filtered) = page(&harbin, &app, "/exams?when=closed").await;
        assert!(
            !filtered.contains(&format!("href=\"/exams/{session}\"")),
            "an open session is not closed"
        );

        // The console: the signed-in examinee with 3 of 50 answered, the other not signed in.
        let (status, console) = page(&harbin, &app, &format!("/exams/{session}")).await;
        assert_eq!(status, StatusCode::OK);
        let signed_row = row(&console, &e.ticket);
        assert!(signed_row.contains(&e.name), "{signed_row}");
        assert!(signed_row.contains("3 / 50"), "{signed_row}");
        assert!(signed_row.contains("答题中"), "{signed_row}");
        assert!(!signed_row.contains(&e.id_number), "ID numbers are masked");
        let masked = format!("{}**********{}", &e.id_number[..4], &e.id_number[14..]);
        assert!(signed_row.contains(&masked), "shown masked: {signed_row}");
        let other_row = row(&console, &absent.ticket);
        assert!(other_row.contains("未签到"), "{other_row}");
        assert!(
            console.contains("hx-trigger=\"every 5s\""),
            "the console refreshes itself"
        );
        let before = seconds_left(signed_row);
        assert!(
            (3500..=3600).contains(&before),
            "about an hour left: {before}"
        );

        // The live part alone, as htmx fetches it.
        let (status, live) = page(&harbin, &app, &format!("/exams/{session}/live")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            live.contains("id=\"console-live\"") && !live.contains("<html"),
            "a fragment"
        );

        // Extra time: ten minutes more on the clock.
        let base = format!("/exams/{session}/attempts/{}/{attempt}", e.person_id);
        let (status, _) = post_form(
            &harbin,
            &app,
            &format!("{base}/extra-time"),
            &[("minutes", "10")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "redirected back to the console");
        let (_, console) = page(&harbin, &app, &format!("/exams/{session}")).await;
        let after = seconds_left(row(&console, &e.ticket));
        assert!(
            (590..=610).contains(&(after - before)),
            "ten minutes more: {before} then {after}"
        );

        // Another city's bureau sees none of it.
        let qiqihar = app.login("qiqihar").await;
        for path in [
            format!("/exams/{session}"),
            format!("/exams/{session}/live"),
            base.clone(),
            format!("{base}/submit"),
        ] {
            let (status, _) = page(&qiqihar, &app, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        let (status, _) = post_form(&qiqihar, &app, &format!("{base}/submit"), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = page(&qiqihar, &app, "/exams").await;
        assert!(!list.contains(&session), "not in another city's list");

        // The review: the answers given (the key only once handed in), and the timeline.
        let (status, reviewed) = page(&harbin, &app, &base).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            reviewed.contains("交卷后才显示正确答案") && !reviewed.contains("正确答案："),
            "no key while the paper is open"
        );
        assert!(
            reviewed.contains("签到") && reviewed.contains("延时"),
            "timeline"
        );
        assert!(reviewed.contains("已答 3 / 50"), "answered count");

        // A forced hand-in asks first, then grades: 3 right answers of 2 points.
        let (status, confirm) = page(&harbin, &app, &format!("{base}/submit")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            confirm.contains("确认交卷") && confirm.contains("已答 3 / 50"),
            "{confirm}"
        );
        let (status, graded) = post_form(&harbin, &app, &format!("{base}/submit"), &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(graded.contains("6 / 100"), "graded at once");
        let (_, console) = page(&harbin, &app, &format!("/exams/{session}")).await;
        let handed_in = row(&console, &e.ticket);
        assert!(
            handed_in.contains("已交卷") && handed_in.contains("6 分"),
            "{handed_in}"
        );
        let view = expect_json(paper(&app, &client, &token).await, StatusCode::OK).await;
        assert_eq!(view["submitted"], true);
    }
);

both_engines!(
    refused_forms_keep_what_was_typed_and_list_the_reasons,
    |app| async move {
        let drill = drill(&app, 1, 32).await;
        let session = drill.examinees[0].session_id.to_string();
        let province = app.login("province").await;
        let point = drill.syllabus_point_id.to_string();

        // A blueprint the bank cannot fill: the short row is named, the form keeps its values.
        let (status, html) = post_form(
            &province,
            &app,
            "/exams/blueprints",
            &[
                ("name", "超出题库的方案"),
                ("trade", "1.2"),
                ("part", "theory"),
                ("duration", "90"),
                ("required_hours", "40"),
                ("total", "100"),
                ("pass_mark", "80"),
                ("score_sheet", ""),
                ("point_0", &point),
                ("kind_0", "true_false"),
                ("difficulty_0", ""),
                ("count_0", "45"),
                ("points_0", "2"),
                ("point_1", &point),
                ("kind_1", "multiple"),
                ("difficulty_1", ""),
                ("count_1", "5"),
                ("points_1", "2"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("需要 45 题，题库只有 40 题"), "the short row");
        assert!(
            html.contains("value=\"超出题库的方案\""),
            "the name is kept"
        );
        assert!(html.contains("value=\"45\""), "the row is kept");
        // The same rows within the bank are saved and listed.
        let (status, html) = post_form(
            &province,
            &app,
            "/exams/blueprints",
            &[
                ("name", "页面建立的方案"),
                ("trade", "1.2"),
                ("part", "theory"),
                ("duration", "90"),
                ("required_hours", "40"),
                ("total", "100"),
                ("pass_mark", "80"),
                ("point_0", &point),
                ("kind_0", "true_false"),
                ("count_0", "40"),
                ("points_0", "2"),
                ("point_1", &point),
                ("kind_1", "multiple"),
                ("count_1", "10"),
                ("points_1", "2"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("页面建立的方案"));

        // A city bureau creates a site and a session through the forms.
        let harbin = app.login("harbin").await;
        let (status, html) = post_form(
            &harbin,
            &app,
            "/exams/sites",
            &[
                ("region_code", "230102"),
                ("name", "道里区考试点"),
                ("address", "安全路 1 号"),
                ("rooms", "第1考场 30\n第2考场 abc"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("第 2 行") && html.contains("value=\"道里区考试点\""),
            "line named, name kept"
        );
        let (status, html) = post_form(
            &harbin,
            &app,
            "/exams/sites",
            &[
                ("region_code", "230102"),
                ("name", "道里区考试点"),
                ("address", "安全路 1 号"),
                ("rooms", "第1考场 30\n第2考场 20"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("道里区考试点") && html.contains("第2考场 20"));
        let sites = expect_json(
            harbin
                .get(app.url("/api/v1/exam/sites"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let site = sites
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "道里区考试点")
            .unwrap()
            .clone();
        let room = format!(
            "{}/{}",
            site["id"].as_str().unwrap(),
            site["rooms"][0]["id"].as_str().unwrap()
        );
        let blueprint = drill.blueprint_id.to_string();
        let (status, html) = post_form(
            &harbin,
            &app,
            "/exams/sessions",
            &[
                ("room", &room),
                ("blueprint", &blueprint),
                ("title", "页面安排的场次"),
                ("opens_at", "2030-05-01T09:00"),
                ("closes_at", "2030-05-01T08:00"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("结束时间须晚于开始时间") && html.contains("value=\"页面安排的场次\"")
        );
        let (status, html) = post_form(
            &harbin,
            &app,
            "/exams/sessions",
            &[
                ("room", &room),
                ("blueprint", &blueprint),
                ("title", "页面安排的场次"),
                ("opens_at", "2030-05-01T09:00"),
                ("closes_at", "2030-05-01T11:00"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("页面安排的场次") && html.contains("2030-05-01 09:00"),
            "the new console"
        );

        // Registering someone without the training: refused with the reason, typed name kept.
        use sea_orm::EntityTrait;
        let worker = anpei_store::entity::person::Entity::find_by_id(app.demo.worker_id)
            .one(app.store.connection())
            .await
            .unwrap()
            .unwrap();
        let (status, html) = post_form(
            &harbin,
            &app,
            &format!("/exams/{session}/registrations"),
            &[
                ("id_number", &worker.id_number),
                ("name", &worker.name),
                ("seat_no", ""),
                ("extra_minutes", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("不符合报考条件")
                && html.contains("没有该工种的特种作业安全技术培训记录"),
            "reasons"
        );
        assert!(
            html.contains(&format!("value=\"{}\"", worker.name)),
            "the name is kept"
        );

        // Staff by username: the institution's account proctors the session and sees it.
        let (status, html) = post_form(
            &harbin,
            &app,
            &format!("/exams/{session}/staff"),
            &[("username", "nobody"), ("duty", "proctor")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("没有这个用户名") && html.contains("value=\"nobody\""));
        let (status, html) = post_form(
            &harbin,
            &app,
            &format!("/exams/{session}/staff"),
            &[("username", "institution"), ("duty", "proctor")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"staff-list\"") && html.contains("监考员"));
        let institution = app.login("institution").await;
        let (_, list) = page(&institution, &app, "/exams").await;
        assert!(
            list.contains(&format!("href=\"/exams/{session}\"")),
            "the proctor's list has it"
        );
        let (status, console) = page(&institution, &app, &format!("/exams/{session}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !console.contains("/registrations\""),
            "a proctor does not register people"
        );
    }
);

/// A drill examinee who passed the theory exam (90 of 100), registered for a practical
/// session of the demo bank's score sheet, whose examiner is the `institution` account.
pub struct PracticalSetup {
    pub examinee: anpei_store::exam::drill::DrillExaminee,
    pub session: String,
    pub registration: Value,
}

pub async fn practical_setup(app: &TestApp, run: u32) -> PracticalSetup {
    let drill = drill(app, 1, run).await;
    let e = &drill.examinees[0];
    let session = e.session_id.to_string();
    let harbin = app.login("harbin").await;
    // Theory first: 45 of 50 right, 90 points.
    let (client, token, signed) = sign_in(app, &session, &e.ticket, &e.id_number).await;
    let attempt = signed["attempt_id"].as_str().unwrap().to_owned();
    let keys = answer_key(app, &e.person_id.to_string(), &attempt).await;
    for (position, key) in keys.iter().enumerate().take(45) {
        expect_json(
            save(
                app,
                &client,
                &token,
                position as i64 + 1,
                position as u64,
                key.clone(),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let result = expect_json(
        client
            .post(app.url("/api/v1/exam/submit"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["passed"], true);

    // The province's practical blueprint on the demo bank's score sheet.
    let province = app.login("province").await;
    let sheets = expect_json(
        province
            .get(app.url("/api/v1/bank/questions?trade=1.2&kind=practical"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let sheet = sheets["items"][0]["id"].as_str().unwrap().to_owned();
    let blueprint = expect_json(
            province
                .post(app.url("/api/v1/exam/blueprints"))
                .json(&json!({"name": "低压电工作业实际操作考试", "trade_code": "1.2", "part": "practical",
                    "duration_minutes": 60, "required_hours": 40, "score_sheet_id": sheet}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
    let sites = expect_json(
        harbin
            .get(app.url("/api/v1/exam/sites"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    let site = sites
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == format!("演练考试点 {run}"))
        .unwrap()
        .clone();
    let now = anpei_testkit::now();
    let practical = expect_json(
            harbin
                .post(app.url("/api/v1/exam/sessions"))
                .json(&json!({"site_id": site["id"], "room_id": site["rooms"][0]["id"], "blueprint_id": blueprint["id"],
                    "title": "低压电工作业实际操作", "opens_at": now - chrono::Duration::minutes(1), "closes_at": now + chrono::Duration::hours(2)}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
    let practical = practical["id"].as_str().unwrap().to_owned();
    let registered = expect_json(
        harbin
            .post(app.url(&format!("/api/v1/exam/sessions/{practical}/registrations")))
            .json(&json!({"id_number": e.id_number, "name": e.name}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let (status, _) = post_form(
        &harbin,
        app,
        &format!("/exams/{practical}/staff"),
        &[("username", "institution"), ("duty", "examiner")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    PracticalSetup {
        examinee: e.clone(),
        session: practical,
        registration: registered,
    }
}

both_engines!(
    the_score_sheet_issues_the_certificate_when_theory_is_passed_too,
    |app| async move {
        let setup = practical_setup(&app, 33).await;
        let (e, practical, registered) = (
            &setup.examinee,
            setup.session.clone(),
            setup.registration.clone(),
        );
        // The examiner opens the sheet from the console.
        let examiner = app.login("institution").await;
        let (_, console) = page(&examiner, &app, &format!("/exams/{practical}")).await;
        let sheet_path = format!(
            "/exams/{practical}/practical/{}/{}",
            e.person_id,
            registered["id"].as_str().unwrap()
        );
        assert!(
            console.contains(&sheet_path),
            "the console links the score sheet"
        );
        let (status, html) = page(&examiner, &app, &sheet_path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("线路安装与接线") && html.contains("否决项") && html.contains(&e.name)
        );
        assert!(!html.contains(&e.id_number), "masked");
        // Another city's bureau: 404.
        let qiqihar = app.login("qiqihar").await;
        assert_eq!(
            page(&qiqihar, &app, &sheet_path).await.0,
            StatusCode::NOT_FOUND
        );

        // Without evidence: refused, marks kept.
        let marks = [
            ("points_0", "10"),
            ("points_1", "15"),
            ("points_2", "35"),
            ("points_3", "15"),
            ("points_4", "20"),
        ];
        let (status, html) = post_form(
            &examiner,
            &app,
            &sheet_path,
            &[&marks[..], &[("evidence", " ")]].concat(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("影像资料") && html.contains("value=\"35\""),
            "reason and typed marks"
        );
        let (status, html) = post_form(
            &examiner,
            &app,
            &sheet_path,
            &[&marks[..], &[("evidence", "VID-2026-0001\n照片 17")]].concat(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("95") && html.contains("合格"), "the result");
        let start = html.find("id=\"certificate\"").expect("certificate line");
        assert!(
            html[start..].contains("/verify/"),
            "the certificate was issued: {}",
            &html[start..start + 300]
        );
        let (_, console) = page(&examiner, &app, &format!("/exams/{practical}")).await;
        assert!(row(&console, registered["ticket"].as_str().unwrap()).contains("95 分 合格"));
    }
);

both_engines!(
    the_province_sees_difficulty_and_discrimination_per_question,
    |app| async move {
        // Each paper draws half of each row's pool, so twenty papers put most questions on
        // ten or more of them, enough for a discrimination.
        let drill = drill(&app, 20, 34).await;
        // Examinee i answers the first 50·i/19 questions of their paper right and hands in.
        for (i, e) in drill.examinees.iter().enumerate() {
            let session = e.session_id.to_string();
            let (client, token, signed) = sign_in(&app, &session, &e.ticket, &e.id_number).await;
            let attempt = signed["attempt_id"].as_str().unwrap().to_owned();
            let keys = answer_key(&app, &e.person_id.to_string(), &attempt).await;
            for (position, key) in keys.iter().enumerate().take(50 * i / 19) {
                expect_json(
                    save(
                        &app,
                        &client,
                        &token,
                        position as i64 + 1,
                        position as u64,
                        key.clone(),
                    )
                    .await,
                    StatusCode::OK,
                )
                .await;
            }
            expect_json(
                client
                    .post(app.url("/api/v1/exam/submit"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap(),
                StatusCode::OK,
            )
            .await;
        }
        let province = app.login("province").await;
        let stats = expect_json(
            province
                .get(app.url("/api/v1/exam/stats?trade=1.2"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let stats = stats.as_array().unwrap();
        assert!(!stats.is_empty());
        for s in stats {
            let p = s["difficulty"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&p));
            let d = s["discrimination"].as_f64();
            let expected = !(0.2..=0.9).contains(&p) || d.is_some_and(|d| d < 0.2);
            assert_eq!(s["flagged"].as_bool(), Some(expected), "{s}");
        }
        // Shown on every paper? No: each paper draws half the pool, so counts vary; those on
        // ten papers or more have a discrimination, and strong examinees got them right.
        let with_d: Vec<&Value> = stats
            .iter()
            .filter(|s| s["discrimination"].is_number())
            .collect();
        assert!(
            !with_d.is_empty(),
            "some questions were on ten papers or more"
        );
        assert!(
            with_d
                .iter()
                .any(|s| s["discrimination"].as_f64().unwrap() > 0.2)
        );
        let total_shown: u64 = stats.iter().map(|s| s["shown"].as_u64().unwrap()).sum();
        assert_eq!(
            total_shown,
            20 * 50,
            "every question of every paper counted"
        );

        // The page: a sortable table with p and D, flagged questions marked.
        let (status, html) = page(&province, &app, "/exams/stats?trade=1.2&sort=p").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("难度 p")
                && html.contains("区分度 D")
                && html.contains("aria-sort=\"ascending\"")
        );
        let hardest = stats
            .iter()
            .map(|s| s["difficulty"].as_f64().unwrap())
            .fold(f64::INFINITY, f64::min);
        assert!(
            html.contains(&format!(">{hardest:.2}<")),
            "the hardest question comes first"
        );
        let (_, flagged) = page(&province, &app, "/exams/stats?trade=1.2&flagged=true").await;
        assert!(flagged.contains("需复核"));
        // Only the bank's owner sees them.
        let harbin = app.login("harbin").await;
        let (status, _) = page(&harbin, &app, "/exams/stats").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let status = harbin
            .get(app.url("/api/v1/exam/stats"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The JSON twin is in the OpenAPI document.
        let document = expect_json(
            app.anonymous()
                .get(app.url("/openapi.json"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(document["paths"]["/api/v1/exam/stats"]["get"].is_object());
    }
);
