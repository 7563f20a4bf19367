//! Web-session rows. The web layer stores tower-sessions records here as JSON; this module
//! knows nothing about their contents.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::session;
use crate::{Store, StoreError};

/// A session's data and its deadline, if it has not expired by `now`.
pub async fn load(
    store: &Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
    Ok(session::Entity::find_by_id(id.to_owned())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(store.connection())
        .await?
        .map(|row| (row.data, row.expires_at)))
}

/// Moves a session's deadline (an idle session's, pushed back by a request).
pub async fn touch(store: &Store, id: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(expires_at),
        )
        .filter(session::Column::Id.eq(id.to_owned()))
        .exec(store.connection())
        .await?;
    Ok(())
}

/// Inserts or replaces.
pub async fn save(
    store: &Store,
    id: &str,
    data: String,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    session::Entity::insert(session::ActiveModel {
        id: Set(id.to_owned()),
        data: Set(data),
        expires_at: Set(expires_at),
    })
    .on_conflict(
        OnConflict::column(session::Column::Id)
            .update_columns([session::Column::Data, session::Column::ExpiresAt])
            .to_owned(),
    )
    .exec(store.connection())
    .await?;
    Ok(())
}

/// Inserts only; `false` if the id is taken (the caller draws a new one).
pub async fn create(
    store: &Store,
    id: &str,
    data: String,
    expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = session::Entity::insert(session::ActiveModel {
        id: Set(id.to_owned()),
        data: Set(data),
        expires_at: Set(expires_at),
    })
    .exec(store.connection())
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from(e) {
            StoreError::Conflict { .. } => Ok(false),
            other => Err(other),
        },
    }
}

pub async fn delete(store: &Store, id: &str) -> Result<(), StoreError> {
    session::Entity::delete_by_id(id.to_owned())
        .exec(store.connection())
        .await?;
    Ok(())
}

pub async fn delete_expired(store: &Store, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(store.connection())
        .await?
        .rows_affected)
}
