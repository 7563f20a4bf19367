//! `anpei ledger verify` on a demo province of 30,000 people, through the real binary, on
//! both engines: an untouched database passes; one row changed behind the application's
//! back fails, naming that row's entry.

use std::process::Command;

use anpei_store::demo::DemoSpec;
use anpei_store::{Store, StoreConfig};
use anpei_testkit::Engine;
use sea_orm::{ConnectionTrait, Statement};

async fn thirty_thousand(engine: Engine) {
    let Some(db) = anpei_testkit::fresh_database(engine).await else {
        return;
    };
    let config = StoreConfig {
        database_url: db.url.clone(),
        ledger_key_path: db.dir.join("ledger-sm2.key"),
        checkpoint_every: 1000,
        max_connections: 4,
        background_wal_checkpoints: false,
    };
    let store = Store::open(&config).await.unwrap();
    let today = anpei_testkit::today();
    let report = anpei_store::demo::generate(
        &store,
        DemoSpec {
            people: 30_000,
            seed: 2020,
        },
        today,
        anpei_testkit::now(),
        &|_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(report.people, 30_000);

    let verify = || {
        Command::new(env!("CARGO_BIN_EXE_anpei"))
            .args(["--database", &db.url, "--ledger-key"])
            .arg(&config.ledger_key_path)
            .args(["ledger", "verify"])
            .output()
            .unwrap()
    };
    let clean = verify();
    let stdout = String::from_utf8_lossy(&clean.stdout);
    assert!(clean.status.success(), "untouched demo verifies: {stdout}");
    assert!(stdout.contains("ledger OK"), "{stdout}");

    // Change one person's name with raw SQL, selecting the row by its (TEXT) ID number.
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(
            store.backend(),
            "SELECT id_number FROM persons ORDER BY id_number LIMIT 1 OFFSET 12345",
        ))
        .await
        .unwrap()
        .unwrap();
    let id_number: String = row.try_get("", "id_number").unwrap();
    let person = anpei_store::read::search_persons(
        store.connection(),
        &anpei_store::Actor::system("test"),
        &anpei_store::read::PersonQuery {
            text: id_number.clone(),
            page: 1,
            per_page: 1,
            ..Default::default()
        },
        today,
    )
    .await
    .unwrap()
    .items
    .remove(0);
    store
        .connection()
        .execute_unprepared(&format!(
            "UPDATE persons SET name = '篡改者' WHERE id_number = '{id_number}'"
        ))
        .await
        .unwrap();

    let tampered = verify();
    let stdout = String::from_utf8_lossy(&tampered.stdout);
    assert_eq!(tampered.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("first broken entry #"), "{stdout}");
    assert!(
        stdout.contains(&format!("persons/{}", person.id)),
        "names the changed row: {stdout}"
    );
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_verify_passes_on_30000_people_and_catches_one_changed_row_sqlite() {
    thirty_thousand(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_verify_passes_on_30000_people_and_catches_one_changed_row_postgres() {
    thirty_thousand(Engine::Postgres).await;
}
