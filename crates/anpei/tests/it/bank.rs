//! The unified question bank (SPEC C8, issue 4) through HTTP, on both engines: Moodle XML
//! as Moodle writes it imports with the right counts per type (unsupported types are named
//! by line and reject the file unless skipped); a broken question rejects the whole file,
//! naming its line, with nothing written; an edit makes version 2 and version 1 stays
//! readable; an export re-imports with the same counts; the bank does not exist for anyone
//! but the province regulator. The CLI's dry run prints counts and problems and writes nothing.

use anpei_testkit::{TestApp, both_engines, expect_json};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{anpei, assert_not_found};

pub(crate) fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/fixtures")
        .join(name)
}

async fn post_file(
    app: &TestApp,
    client: &Client,
    query: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/v1/bank/import?{query}")))
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn counts(result: &Value) -> Vec<(String, u64)> {
    result["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}

fn count(kind: &str, n: u64) -> (String, u64) {
    (kind.to_owned(), n)
}

async fn total(app: &TestApp, client: &Client, query: &str) -> u64 {
    let page = expect_json(
        client
            .get(app.url(&format!("/api/v1/bank/questions?{query}")))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    page["total"].as_u64().unwrap()
}

both_engines!(
    moodle_xml_imports_with_the_right_counts_per_type,
    |app| async move {
        let province = app.login("province").await;
        let file = std::fs::read(fixture("moodle_electrician.xml")).unwrap();
        let before = app.count_rows("questions").await;

        // Five questions of types Anpei lacks: the file is refused whole, each named.
        let refused = expect_json(
            post_file(&app, &province, "trade=1.1&format=moodle-xml", file.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let unsupported: Vec<(u64, &str)> = refused["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["line"].as_u64().unwrap(),
                    p["unsupported"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            unsupported,
            [
                (255, "essay"),
                (287, "match"),
                (327, "numerical"),
                (355, "multianswer"),
                (371, "description")
            ]
        );
        assert_eq!(refused["imported"], false);
        assert_eq!(app.count_rows("questions").await, before);

        // A dry run that skips them writes nothing either.
        let dry = expect_json(
            post_file(
                &app,
                &province,
                "trade=1.1&skip_unsupported=true&dry_run=true",
                file.clone(),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(dry["imported"], false);
        assert_eq!(dry["format"], "moodle-xml");
        assert_eq!(app.count_rows("questions").await, before);

        let done = expect_json(
            post_file(&app, &province, "trade=1.1&skip_unsupported=true", file).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(done["imported"], true);
        assert_eq!(done["skipped"], 5);
        assert_eq!(
            counts(&done),
            [
                count("fill_in", 1),
                count("multiple", 1),
                count("practical", 0),
                count("single", 1),
                count("true_false", 2)
            ]
        );
        for (kind, n) in [
            ("single", 1),
            ("multiple", 1),
            ("true_false", 2),
            ("fill_in", 1),
        ] {
            assert_eq!(
                total(&app, &province, &format!("trade=1.1&kind={kind}")).await,
                n,
                "{kind}"
            );
        }
        // The category path became the syllabus tree.
        let tree = expect_json(
            province
                .get(app.url("/api/v1/bank/syllabus?trade=1.1"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let titles: Vec<(u64, &str)> = tree
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["depth"].as_u64().unwrap(), p["title"].as_str().unwrap()))
            .collect();
        assert_eq!(
            titles,
            [(0, "低压电工作业"), (1, "安全用电基础"), (2, "接地与接零")]
        );
        let root = tree[0]["id"].as_str().unwrap();
        // A point's filter takes the points below it.
        assert_eq!(
            total(&app, &province, &format!("trade=1.1&point={root}")).await,
            5
        );
        assert_eq!(total(&app, &province, "trade=1.1&tag=安全电压").await, 1);
        assert_eq!(total(&app, &province, "trade=1.1&difficulty=1").await, 1);
        assert_eq!(total(&app, &province, "trade=1.1&q=漏电保护器").await, 1);

        // An export re-imports with the same counts (into another trade, as a dry run).
        for format in ["moodle-xml", "gift", "xlsx"] {
            let exported = province
                .get(app.url(&format!("/api/v1/bank/export?trade=1.1&format={format}")))
                .send()
                .await
                .unwrap();
            assert_eq!(exported.status(), StatusCode::OK);
            let bytes = exported.bytes().await.unwrap().to_vec();
            let again = expect_json(
                post_file(
                    &app,
                    &province,
                    &format!("trade=3.1&dry_run=true&format={format}"),
                    bytes,
                )
                .await,
                StatusCode::OK,
            )
            .await;
            assert_eq!(counts(&again), counts(&done), "{format}");
            assert!(
                again["problems"].as_array().unwrap().is_empty(),
                "{format}: {again}"
            );
        }
    }
);

both_engines!(
    a_broken_question_rejects_the_file_naming_its_line,
    |app| async move {
        let province = app.login("province").await;
        let before = app.count_rows("questions").await;
        let versions = app.count_rows("question_versions").await;
        let points = app.count_rows("syllabus_points").await;
        for (file, line) in [("moodle_broken.xml", 44), ("gift_broken.txt", 6)] {
            let body = std::fs::read(fixture(file)).unwrap();
            let result = expect_json(
                post_file(
                    &app,
                    &province,
                    &format!("trade=1.2&file_name={file}"),
                    body,
                )
                .await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            let problems = result["problems"].as_array().unwrap();
            assert_eq!(problems.len(), 1, "{result}");
            assert_eq!(problems[0]["line"], line, "{file}");
            assert!(problems[0]["detail_zh"].as_str().unwrap().len() > 3);
            assert!(problems[0]["detail_en"].as_str().unwrap().len() > 3);
        }
        assert_eq!(app.count_rows("questions").await, before);
        assert_eq!(app.count_rows("question_versions").await, versions);
        assert_eq!(app.count_rows("syllabus_points").await, points);
    }
);

both_engines!(
    an_edit_makes_version_2_and_version_1_stays_readable,
    |app| async move {
        let province = app.login("province").await;
        let point = expect_json(
            province
                .post(app.url("/api/v1/bank/syllabus"))
                .json(&json!({"trade": "1.2", "title": "电气防火防爆"}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await["id"]
            .clone();
        let created = expect_json(
            province
                .post(app.url("/api/v1/bank/questions"))
                .json(&json!({
                    "trade": "1.2",
                    "syllabus_point_id": point,
                    "kind": "single",
                    "stem": "爆炸危险场所应选用（ ）电气设备。",
                    "options": [
                        {"text": "防爆型", "correct": true},
                        {"text": "开启型", "correct": false},
                        {"text": "防护型", "correct": false}
                    ],
                    "difficulty": 1,
                    "tags": ["防爆"]
                }))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(created["current_version"], 1);

        // A refused edit writes nothing.
        let refused = province
            .put(app.url(&format!("/api/v1/bank/questions/{id}")))
            .json(&json!({"kind": "single", "stem": "无正确答案", "options": [
                {"text": "甲", "correct": false}, {"text": "乙", "correct": false}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let edited = expect_json(
            province
                .put(app.url(&format!("/api/v1/bank/questions/{id}")))
                .json(&json!({
                    "kind": "single",
                    "stem": "爆炸危险场所应选用（ ）的电气设备。",
                    "options": [
                        {"text": "开启型", "correct": false},
                        {"text": "相应防爆等级", "correct": true},
                        {"text": "防护型", "correct": false}
                    ],
                    "difficulty": 2
                }))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(edited["current_version"], 2);
        let read = expect_json(
            province
                .get(app.url(&format!("/api/v1/bank/questions/{id}")))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let versions = read["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0]["version"], 2);
        assert_eq!(versions[0]["options"][1]["text"], "相应防爆等级");
        assert_eq!(versions[1]["version"], 1);
        assert_eq!(versions[1]["stem"], "爆炸危险场所应选用（ ）电气设备。");
        assert_eq!(versions[1]["options"][0]["text"], "防爆型");
        assert_eq!(versions[1]["tags"], json!(["防爆"]));

        // Retired questions leave the list unless asked for.
        let retired = expect_json(
            province
                .put(app.url(&format!("/api/v1/bank/questions/{id}/retired")))
                .json(&json!({"retired": true}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(retired["retired"], true);
        let point = point.as_str().unwrap();
        assert_eq!(total(&app, &province, &format!("point={point}")).await, 0);
        assert_eq!(
            total(&app, &province, &format!("point={point}&retired=true")).await,
            1
        );

        // The pages show both versions.
        let page = province
            .get(app.url(&format!("/bank/questions/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("v1") && html.contains("v2"), "{html}");
    }
);

both_engines!(
    the_bank_does_not_exist_for_anyone_but_the_province,
    |app| async move {
        let province = app.login("province").await;
        let any = expect_json(
            province
                .get(app.url("/api/v1/bank/questions?trade=1.2&per_page=1"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let id = any["items"][0]["id"].as_str().unwrap().to_owned();
        for who in ["qiqihar", "enterprise", "worker", "hr"] {
            let client = app.login(who).await;
            for path in [
                "/api/v1/bank/questions".to_owned(),
                format!("/api/v1/bank/questions/{id}"),
                "/api/v1/bank/syllabus?trade=1.2".to_owned(),
                "/api/v1/bank/export?trade=1.2&format=gift".to_owned(),
            ] {
                assert_not_found(client.get(app.url(&path)).send().await.unwrap()).await;
            }
            for page in ["/bank", "/bank/import", "/bank/template.xlsx"] {
                let response = client.get(app.url(page)).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::NOT_FOUND, "{who} {page}");
            }
            let response = post_file(&app, &client, "trade=1.2", b"::a::b{T}".to_vec()).await;
            assert_not_found(response).await;
        }
        let html = province
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("href=\"/bank\""));
        let city = app.login("qiqihar").await;
        let html = city
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("href=\"/bank\""));
    }
);

#[tokio::test]
async fn the_cli_dry_run_prints_counts_and_problems_by_line() {
    let file = fixture("gift_electrician.txt");
    let output = anpei(&[
        "questions",
        "import",
        file.to_str().unwrap(),
        "--trade",
        "1.2",
        "--dry-run",
    ])
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("单选题 Single choice: 2"), "{stdout}");
    assert!(stdout.contains("判断题 True/false: 3"), "{stdout}");
    assert!(
        stderr.contains("第 32 行") && stderr.contains("essay"),
        "{stderr}"
    );
    assert!(
        stderr.contains("第 35 行") && stderr.contains("matching"),
        "{stderr}"
    );
    assert!(
        stderr.contains("第 42 行") && stderr.contains("numerical"),
        "{stderr}"
    );

    let skipped = anpei(&[
        "questions",
        "import",
        file.to_str().unwrap(),
        "--trade",
        "1.2",
        "--dry-run",
        "--skip-unsupported",
    ])
    .await;
    let stdout = String::from_utf8_lossy(&skipped.stdout);
    assert_eq!(skipped.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("nothing written (7 to import, 3 skipped)"),
        "{stdout}"
    );

    let broken = fixture("gift_broken.txt");
    let output = anpei(&[
        "questions",
        "import",
        broken.to_str().unwrap(),
        "--trade",
        "1.2",
        "--dry-run",
        "--skip-unsupported",
    ])
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("第 6 行"), "{stderr}");
}
