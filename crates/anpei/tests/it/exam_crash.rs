//! The exam writer survives a crash, on both engines: 200 examinees answer against the real
//! `anpei` binary serving as a child process on the test's database; half-way through the
//! answers the server is SIGKILLed and restarted on the same port and database. Every
//! answer the server acknowledged (before or after the kill) must be in the database, the
//! examinees carry on where they were, and every hand-in is graded. Nothing is timed: the
//! kill comes after a count of acknowledged saves.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anpei_domain::exam::Response;
use anpei_testkit::{TestApp, both_engines};
use reqwest::Client;
use serde_json::{Value, json};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::support::ledger_verify;

const EXAMINEES: u32 = 200;

/// One acknowledged save.
#[derive(Debug, Clone)]
struct Ack {
    person_id: Uuid,
    attempt_id: Uuid,
    position: u32,
    seq: i64,
    response: Response,
}

fn serve(app: &TestApp, port: u16) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_anpei"))
        .args([
            "--database",
            &app.database_url,
            "--ledger-key",
            &app.ledger_key.display().to_string(),
            "--data-dir",
            &app.dir.display().to_string(),
            "serve",
            "--no-demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("ANPEI_DATABASE_URL")
        // The same clock as the test app's.
        .env("ANPEI_CLOCK_START", app.now().to_rfc3339())
        .env("ANPEI_LOG", "error")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the anpei binary")
}

/// Waits (by polling, up to about a minute) until the server answers `/healthz`.
async fn until_ready(client: &Client, base: &str) {
    for _ in 0..1200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the anpei server at {base} never answered");
}

/// Sends until the server answers with less than 500 (it may be down or restarting).
/// Returns the status, the body, and whether any attempt failed on the way.
async fn send(build: impl Fn() -> reqwest::RequestBuilder) -> (u16, Value, bool) {
    let mut failed = false;
    for _ in 0..1200 {
        if let Ok(r) = build().send().await {
            let status = r.status().as_u16();
            if let Ok(body) = r.bytes().await
                && status < 500
            {
                return (
                    status,
                    serde_json::from_slice(&body).unwrap_or(Value::Null),
                    failed,
                );
            }
        }
        failed = true;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no answer from the server after many retries");
}

/// A deterministic answer to one item as served: (request body, what must be stored).
fn answer_for(item: &Value, n: usize) -> (Value, Response) {
    let indices: Vec<u8> = item["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["index"].as_u64().unwrap() as u8)
        .collect();
    match item["kind"].as_str().unwrap() {
        "true_false" => (
            json!({"true_false": n.is_multiple_of(2)}),
            Response::TrueFalse(n.is_multiple_of(2)),
        ),
        "single" => {
            let pick = indices[n % indices.len()];
            (json!({"choices": [pick]}), Response::Choices(vec![pick]))
        }
        "multiple" => {
            let mut picks = vec![indices[n % indices.len()], indices[(n + 1) % indices.len()]];
            picks.sort_unstable();
            picks.dedup();
            (json!({"choices": picks}), Response::Choices(picks))
        }
        other => panic!("the drill has no {other} questions"),
    }
}

both_engines!(
    acknowledged_answers_survive_a_sigkill_of_the_server,
    |app| async move {
        let drill = crate::exams::drill(&app, EXAMINEES, 41).await;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = Arc::new(format!("http://127.0.0.1:{port}"));
        let mut server = serve(&app, port);
        let client = Client::builder()
            .pool_max_idle_per_host(256)
            .default_headers(anpei_testkit::origin_headers(&base))
            .build()
            .unwrap();
        until_ready(&client, &base).await;

        // Everyone signs in and has their paper.
        let mut seated = Vec::new();
        for e in &drill.examinees {
            let body =
                json!({"session_id": e.session_id, "ticket": e.ticket, "id_number": e.id_number});
            let (status, signed, _) = send(|| {
                client
                    .post(format!("{base}/api/v1/exam/sign-in"))
                    .json(&body)
            })
            .await;
            assert_eq!(status, 200, "sign-in: {signed}");
            let token = signed["token"].as_str().unwrap().to_owned();
            let attempt_id: Uuid = signed["attempt_id"].as_str().unwrap().parse().unwrap();
            seated.push((e.person_id, attempt_id, token));
        }

        // Everyone answers all 50 questions at once; the kill comes after half of all saves.
        let questions = drill.questions as u64;
        let kill_at = u64::from(EXAMINEES) * questions / 2;
        let acked: Arc<Mutex<Vec<Ack>>> = Arc::default();
        let count = Arc::new(AtomicU64::new(0));
        let half_way = Arc::new(Notify::new());
        let interrupted = Arc::new(AtomicBool::new(false));
        let mut examinees = Vec::new();
        for (n, (person_id, attempt_id, token)) in seated.into_iter().enumerate() {
            let (client, base, acked, count, half_way, interrupted) = (
                client.clone(),
                base.clone(),
                acked.clone(),
                count.clone(),
                half_way.clone(),
                interrupted.clone(),
            );
            examinees.push(tokio::spawn(async move {
                let (status, paper, _) = send(|| {
                    client
                        .get(format!("{base}/api/v1/exam/paper"))
                        .bearer_auth(&token)
                })
                .await;
                assert_eq!(status, 200, "paper: {paper}");
                let items = paper["items"].as_array().unwrap().clone();
                assert_eq!(items.len() as u64, questions);
                let mut seq = paper["last_seq"].as_i64().unwrap();
                for item in &items {
                    let position = item["position"].as_u64().unwrap() as u32;
                    let (body, response) = answer_for(item, n + position as usize);
                    seq += 1;
                    let request = json!({"seq": seq, "position": position, "response": body});
                    let (status, saved, failed) = send(|| {
                        client
                            .put(format!("{base}/api/v1/exam/answers"))
                            .bearer_auth(&token)
                            .json(&request)
                    })
                    .await;
                    assert_eq!(status, 200, "save: {saved}");
                    if failed {
                        interrupted.store(true, Ordering::Relaxed);
                    }
                    acked.lock().unwrap().push(Ack {
                        person_id,
                        attempt_id,
                        position,
                        seq,
                        response,
                    });
                    if count.fetch_add(1, Ordering::Relaxed) + 1 == kill_at {
                        half_way.notify_one();
                    }
                }
                let (status, result, _) = send(|| {
                    client
                        .post(format!("{base}/api/v1/exam/submit"))
                        .bearer_auth(&token)
                })
                .await;
                assert_eq!(status, 200, "hand-in: {result}");
                result
            }));
        }

        half_way.notified().await;
        server.start_kill().unwrap();
        server.wait().await.unwrap();
        let before_kill: Vec<Ack> = acked.lock().unwrap().clone();
        assert!(
            (before_kill.len() as u64) >= kill_at
                && (before_kill.len() as u64) < u64::from(EXAMINEES) * questions,
            "the kill came in the middle of the exam ({} saves acknowledged)",
            before_kill.len()
        );
        let mut server = serve(&app, port);
        until_ready(&client, &base).await;

        for examinee in examinees {
            let result = examinee.await.unwrap();
            assert_eq!(result["answered"], 50, "every answer counted: {result}");
            assert_eq!(result["questions"], 50);
            assert!(result["score"].is_u64(), "graded: {result}");
        }
        server.start_kill().unwrap();
        server.wait().await.unwrap();
        eprintln!(
            "{} saves acknowledged before the kill; requests interrupted by it: {}",
            before_kill.len(),
            interrupted.load(Ordering::Relaxed)
        );

        // Every acknowledged answer, before the kill and after, is in the database.
        let all: Vec<Ack> = acked.lock().unwrap().clone();
        assert_eq!(all.len() as u64, u64::from(EXAMINEES) * questions);
        let db = app.store.connection();
        let mut by_attempt: std::collections::HashMap<(Uuid, Uuid), Vec<&Ack>> =
            std::collections::HashMap::new();
        for ack in &all {
            by_attempt
                .entry((ack.person_id, ack.attempt_id))
                .or_default()
                .push(ack);
        }
        let mut lost = Vec::new();
        for ((person_id, attempt_id), acks) in &by_attempt {
            let (stored, last_seq) =
                anpei_store::exam::attempts::latest_answers(db, *person_id, *attempt_id)
                    .await
                    .unwrap();
            for ack in acks {
                if stored.get(&ack.position) != Some(&ack.response) || last_seq < ack.seq {
                    lost.push((*attempt_id, ack.position, ack.seq));
                }
            }
        }
        let lost_before_kill = before_kill
            .iter()
            .filter(|a| lost.contains(&(a.attempt_id, a.position, a.seq)))
            .count();
        assert!(
            lost.is_empty(),
            "{} acknowledged answers are not in the database ({lost_before_kill} of them acknowledged before the kill), e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(5)]
        );

        // The crash broke nothing in the ledger either.
        let (code, out) = ledger_verify(&app).await;
        assert_eq!(code, 0, "{out}");
    }
);
