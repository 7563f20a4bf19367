//! Roster import and export (SPEC C4): an enterprise uploads a CSV through the page and its
//! people join the staff; a file with one bad cell is refused whole, naming row and column,
//! with nothing written; an export parses back to the same rows; the `import roster` command
//! imports thousands of rows in one ledgered transaction; other roles cannot import.

use anpei_formats::roster;
use anpei_testkit::{TestApp, both_engines};
use reqwest::{Client, StatusCode};

use crate::support::{anpei, fresh_id_number, get_ok, ledger_verify};

pub(crate) const HEADER: &str = "姓名,身份证号,手机号,文化程度,用工形式,岗位,入职日期,离职日期,特种作业类别,班组长,重点岗位,主要负责人,安全生产管理人员";

/// `n` in Chinese numerals: names take no digits.
fn spelled(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|d| {
            "零一二三四五六七八九"
                .chars()
                .nth(d as usize - '0' as usize)
                .unwrap_or('零')
        })
        .collect()
}

/// A roster of `count` new people, ID numbers from `fresh_id_number(first..)`.
fn roster_csv(first: u16, count: u16) -> String {
    let mut csv = format!("{HEADER}\n");
    for n in first..first + count {
        let id = fresh_id_number(n);
        let name = spelled(n.into());
        csv.push_str(&format!(
            "王{name},{id},,普通高中,正式职工,操作工,2024-03-01,,,否,否,否,否\n"
        ));
    }
    csv
}

/// A roster of `count` new people born 1970–1990 (`count` up to 6,000,000), for imports
/// that take long enough to be watched.
pub(crate) fn large_roster_csv(count: u32) -> String {
    let mut csv = format!("{HEADER}\n");
    for n in 0..count {
        let birth = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date")
            + chrono::Days::new(u64::from(n / 900));
        let id = anpei_domain::IdNumber::synthesize("230103", birth, (n % 900) as u16)
            .expect("a synthesized ID number parses");
        let name = spelled(n);
        csv.push_str(&format!(
            "李{name},{},,普通高中,正式职工,操作工,2024-03-01,,,否,否,否,否\n",
            id.as_str()
        ));
    }
    csv
}

/// Posts `body` as the `file` field of a multipart form, the way the page's form does.
pub(crate) async fn upload(
    app: &TestApp,
    client: &Client,
    file_name: &str,
    body: &str,
) -> reqwest::Response {
    upload_tracked(app, client, file_name, body, "").await
}

/// As [`upload`], with the progress token the page's script sends before the file.
async fn upload_tracked(
    app: &TestApp,
    client: &Client,
    file_name: &str,
    body: &str,
    token: &str,
) -> reqwest::Response {
    let boundary = "----anpei-roster-test";
    let payload = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"progress\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{body}\r\n--{boundary}--\r\n"
    );
    client
        .post(app.url(&format!("/enterprises/{}/roster", app.demo.enterprise_id)))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(payload)
        .send()
        .await
        .expect("POST roster")
}

both_engines!(
    enterprise_imports_a_csv_roster_and_its_people_join_the_staff,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let employments = app.count_rows("employments").await;
        let persons = app.count_rows("persons").await;
        let page = enterprise
            .get(app.url(&format!("/enterprises/{}/roster", app.demo.enterprise_id)))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("multipart/form-data"));

        let response = upload(&app, &enterprise, "staff.csv", &roster_csv(3000, 5)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.text().await.unwrap();
        assert!(body.contains("已导入 5 条在职记录"), "{body}");
        assert_eq!(app.count_rows("employments").await, employments + 5);
        assert_eq!(app.count_rows("persons").await, persons + 5);

        // The new people are on the current staff: the export lists them.
        let csv = enterprise
            .get(app.url(&format!(
                "/enterprises/{}/roster/export.csv",
                app.demo.enterprise_id
            )))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let exported = roster::read_csv(&csv).expect("the export parses back");
        for n in 3000..3005 {
            let id = fresh_id_number(n);
            assert!(
                exported.iter().any(|r| r.id_number.as_str() == id),
                "{id} exported"
            );
        }
    }
);

both_engines!(
    a_roster_with_one_bad_cell_in_its_last_row_is_refused_whole,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let head = app.ledger_head().await;
        let employments = app.count_rows("employments").await;
        let mut csv = roster_csv(3100, 5);
        // Row 7: the sixth data row, with a trade code that is not in the catalogue.
        csv.push_str(&format!(
            "坏行,{},,,,焊工,2024-03-01,,9.99,,,,\n",
            fresh_id_number(3200)
        ));
        let response = upload(&app, &enterprise, "staff.csv", &csv).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = response.text().await.unwrap();
        assert!(body.contains("<td>7</td><td>特种作业类别</td>"), "{body}");
        assert_eq!(app.ledger_head().await, head);
        assert_eq!(app.count_rows("employments").await, employments);
    }
);

both_engines!(
    the_page_can_follow_an_import_by_its_token,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let progress = |token: &str| {
            app.url(&format!(
                "/enterprises/{}/roster/progress/{token}",
                app.demo.enterprise_id
            ))
        };
        let token = "7d0c5e52-roster-progress-ok";
        let response =
            upload_tracked(&app, &enterprise, "staff.csv", &roster_csv(3400, 30), token).await;
        assert_eq!(response.status(), StatusCode::OK);
        let at = get_ok(
            &app,
            &enterprise,
            &format!(
                "/enterprises/{}/roster/progress/{token}",
                app.demo.enterprise_id
            ),
        )
        .await;
        assert_eq!(at["step"], "finished", "{at}");
        assert_eq!(at["label_zh"], "导入完成");
        assert_eq!(
            (at["done"].as_u64(), at["total"].as_u64()),
            (Some(30), Some(30))
        );

        // A file the store refuses (an ID number on record under another name) leaves
        // nothing to follow, as the page shows its errors; a token nobody sent is unknown.
        let mut bad = roster_csv(3500, 2);
        bad.push_str(&format!(
            "改名,{},,普通高中,正式职工,操作工,2024-03-01,,,否,否,否,否\n",
            fresh_id_number(3400)
        ));
        let refused = "7d0c5e52-roster-progress-bad";
        let response = upload_tracked(&app, &enterprise, "staff.csv", &bad, refused).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        for token in [refused, "never-sent-token"] {
            let response = enterprise.get(progress(token)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{token}");
        }
        // Regulators import nothing here and follow nothing.
        let regulator = app.login("province").await;
        let response = regulator.get(progress(token)).send().await.unwrap();
        assert!(response.status().is_client_error(), "{}", response.status());
    }
);

both_engines!(
    a_csv_export_parses_back_to_the_same_rows,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        let path = format!("/enterprises/{}/roster/export.csv", app.demo.enterprise_id);
        let first = enterprise.get(app.url(&path)).send().await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let bytes = first.bytes().await.unwrap();
        let rows = roster::read_csv(&bytes).expect("the export parses");
        assert!(!rows.is_empty());
        assert_eq!(roster::write_csv(&rows), bytes.to_vec());
        let xlsx = enterprise
            .get(app.url(&format!(
                "/enterprises/{}/roster/export.xlsx",
                app.demo.enterprise_id
            )))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(
            roster::read_xlsx(&xlsx).expect("the xlsx export parses"),
            rows
        );
    }
);

both_engines!(
    the_import_command_imports_a_hundred_thousand_rows_all_or_nothing,
    |app| async move {
        let province = app.login("province").await;
        let detail = get_ok(
            &app,
            &province,
            &format!("/api/v1/enterprises/{}", app.demo.enterprise_id),
        )
        .await;
        let credit_code = detail["credit_code"]
            .as_str()
            .expect("a credit code")
            .to_owned();
        let file = app.dir.join("roster.csv");
        let key = app.ledger_key.display().to_string();
        let path = file.display().to_string();
        let import = [
            "--database",
            &app.database_url,
            "--ledger-key",
            &key,
            "import",
            "roster",
            &path,
            "--enterprise",
            &credit_code,
        ];
        let good = large_roster_csv(100_000);

        // The same file with one bad cell in its last row (row 100,001 after the header):
        // that row and column named, exit 1, nothing written.
        let mut bad = good.clone();
        bad.pop();
        let last = bad.rfind('\n').map_or(0, |at| at + 1);
        let fields: Vec<&str> = bad[last..].split(',').collect();
        let broken = [&fields[..8], &["9.99"], &fields[9..]].concat().join(",");
        bad.replace_range(last.., &format!("{broken}\n"));
        std::fs::write(&file, &bad).unwrap();
        let head = app.ledger_head().await;
        let employments = app.count_rows("employments").await;
        let persons = app.count_rows("persons").await;
        let output = anpei(&import).await;
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("第 100001 行 [特种作业类别]"), "{stderr}");
        assert!(stderr.contains("未导入任何数据"), "{stderr}");
        assert_eq!(app.ledger_head().await, head);
        assert_eq!(app.count_rows("employments").await, employments);
        assert_eq!(app.count_rows("persons").await, persons);

        // The good file: every row in, one ledgered transaction that verifies.
        std::fs::write(&file, &good).unwrap();
        let output = anpei(&import).await;
        assert!(
            output.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("已导入 100000 条在职记录"), "{stdout}");
        assert_eq!(app.count_rows("employments").await, employments + 100_000);
        assert_eq!(app.count_rows("persons").await, persons + 100_000);
        let (code, report) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{report}");
    }
);

both_engines!(
    regulators_and_workers_cannot_import_a_roster,
    |app| async move {
        let employments = app.count_rows("employments").await;
        for role in ["harbin", "worker", "province"] {
            let client = app.login(role).await;
            let response = upload(&app, &client, "staff.csv", &roster_csv(5000, 1)).await;
            assert!(
                matches!(
                    response.status(),
                    StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ),
                "{role}: {}",
                response.status()
            );
        }
        assert_eq!(app.count_rows("employments").await, employments);
    }
);
