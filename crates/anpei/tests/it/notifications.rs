//! Notifications on both engines: the daily run gives an enterprise a weekly digest and a
//! new uncertified electrician a notice of their own, each queued once in the outbox for a
//! gateway; a second run repeats nothing; recipients mark their own notices read and nobody
//! else's.

use anpei_store::notifications;
use anpei_testkit::{TestApp, both_engines, expect_json, expect_problem};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::hire_new_person;

async fn notices(app: &TestApp, client: &reqwest::Client, unread: bool) -> Vec<Value> {
    let path = if unread {
        "/api/v1/notifications?unread=true"
    } else {
        "/api/v1/notifications"
    };
    expect_json(
        client.get(app.url(path)).send().await.unwrap(),
        StatusCode::OK,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

both_engines!(
    the_daily_run_notifies_once_and_recipients_mark_their_own_read,
    |app| async move {
        let enterprise = app.login("enterprise").await;
        // The demo's own run (at start) gave the enterprise its weekly digest.
        let inbox = notices(&app, &enterprise, true).await;
        let digest = inbox
            .iter()
            .find(|n| n["kind"] == "weekly_digest")
            .unwrap_or_else(|| panic!("a weekly digest: {inbox:?}"))
            .clone();
        assert!(
            digest["body_zh"].as_str().unwrap().contains("人存在违规"),
            "{digest}"
        );
        let home = enterprise
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("本周合规提醒") && home.contains("标为已读"),
            "shown at home"
        );

        // A new electrician without a certificate: the next run tells them, once.
        let (person, _) = hire_new_person(&app, &enterprise, "通知测试", 731).await;
        let today = anpei_testkit::today();
        let report = notifications::generate(&app.store, today, anpei_testkit::now())
            .await
            .unwrap();
        assert!(report.notices >= 1, "{report:?}");
        assert_eq!(report.outbox, report.notices, "each notice is queued once");
        let pending = notifications::pending(app.store.connection(), 100_000)
            .await
            .unwrap();
        let theirs: Vec<_> = pending
            .iter()
            .filter(|m| m.recipient_id == person)
            .collect();
        assert!(
            theirs
                .iter()
                .any(|m| m.channel == "sms" && m.body_zh.contains("未持有该工种的特种作业操作证")),
            "{theirs:?}"
        );
        let again = notifications::generate(&app.store, today, anpei_testkit::now())
            .await
            .unwrap();
        assert_eq!(again.notices, 0, "nothing twice");

        // The gateway records a delivery; the message leaves the outbox.
        let message = theirs[0].id;
        notifications::delivered(&app.store, message, anpei_testkit::now())
            .await
            .unwrap();
        let pending = notifications::pending(app.store.connection(), 100_000)
            .await
            .unwrap();
        assert!(pending.iter().all(|m| m.id != message));

        // Read: only by its recipient.
        let id = digest["id"].as_str().unwrap();
        let worker = app.login("worker").await;
        expect_problem(
            worker
                .post(app.url(&format!("/api/v1/notifications/{id}/read")))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
        let read = enterprise
            .post(app.url(&format!("/api/v1/notifications/{id}/read")))
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::NO_CONTENT);
        assert!(
            notices(&app, &enterprise, true)
                .await
                .iter()
                .all(|n| n["id"] != digest["id"]),
            "no longer unread"
        );
        assert!(
            notices(&app, &enterprise, false)
                .await
                .iter()
                .any(|n| n["id"] == digest["id"] && n["read"] == true),
            "still listed, as read"
        );
        let province = app.login("province").await;
        expect_problem(
            province
                .get(app.url("/api/v1/notifications"))
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
);
