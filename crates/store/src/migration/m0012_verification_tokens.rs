//! Verification that cannot be harvested (issue 13): every certificate's number row gets an
//! unguessable token, which its QR code carries and which unlocks the holder's details on the
//! public verification page. Existing rows get one here.
//!
//! The token lives in `certificate_numbers` (keyed by number, like the lookup that reads it)
//! and not in the ledgered `certificates` row: it is a bearer secret, which the change
//! history that archive readers see should not carry, and a backfilled column in a ledgered
//! row would no longer match the row's last ledgered state.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_verification_tokens"
    }
}

/// Rows given their token per statement.
const BATCH: u64 = 500;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Not null with an empty default, the one form SQLite can add to a filled table; the
        // empty token never matches (`verify_index`), and the backfill below leaves none.
        manager
            .alter_table(
                Table::alter()
                    .table("certificate_numbers")
                    .add_column(string("verification_token").default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        loop {
            let select = Query::select()
                .column("number")
                .from("certificate_numbers")
                .and_where(Expr::col("verification_token").eq(""))
                .limit(BATCH)
                .to_owned();
            let pending = db.query_all(&select).await?;
            let numbers: Vec<String> = pending
                .iter()
                .map(|row| row.try_get::<String>("", "number"))
                .collect::<Result<_, _>>()?;
            let Some(first) = numbers.first() else {
                break;
            };
            // One UPDATE a batch: `CASE number WHEN .. THEN <token> .. END`.
            let mut tokens = Expr::case(Expr::col("number").eq(first.as_str()), new_token()?);
            for number in &numbers[1..] {
                tokens = tokens.case(Expr::col("number").eq(number.as_str()), new_token()?);
            }
            manager
                .exec_stmt(
                    Query::update()
                        .table("certificate_numbers")
                        .value(
                            "verification_token",
                            tokens.finally(Expr::col("verification_token")),
                        )
                        .and_where(Expr::col("number").is_in(numbers.iter().map(String::as_str)))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("certificate_numbers")
                    .drop_column("verification_token")
                    .to_owned(),
            )
            .await
    }
}

fn new_token() -> Result<String, DbErr> {
    crate::ops::certificates::new_verification_token()
        .map_err(|err| DbErr::Custom(format!("verification token: {err}")))
}
