//! Notifications as JSON: the signed-in worker's or enterprise's notices, and marking one
//! read.

use anpei_store::notifications;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Path, Query};
use crate::{AppState, clock};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(read))
}

#[derive(Serialize, ToSchema)]
pub struct NoticeDto {
    pub id: Uuid,
    /// A rule code (in_post_assessed, special_ops_certified, ...) or weekly_digest.
    pub kind: String,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    /// Where to act on it.
    pub link: String,
    pub due_on: Option<chrono::NaiveDate>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read: bool,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only unread notices.
    #[serde(default)]
    unread: bool,
}

/// The caller's notices, newest first (workers and enterprises).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "compliance", params(ListQuery),
    responses((status = 200, body = Vec<NoticeDto>), (status = 403, body = Problem, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<NoticeDto>>, WebError> {
    let notices =
        notifications::list(state.store.connection(), &authed.actor, q.unread, 200).await?;
    Ok(axum::Json(
        notices
            .into_iter()
            .map(|n| NoticeDto {
                id: n.id,
                kind: n.kind,
                title_zh: n.title_zh,
                title_en: n.title_en,
                body_zh: n.body_zh,
                body_en: n.body_en,
                link: n.link,
                due_on: n.due_on,
                created_at: n.created_at,
                read: n.read,
            })
            .collect(),
    ))
}

/// Marks one of the caller's notices read; anyone else's is not found.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "compliance", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, WebError> {
    notifications::mark_read(&state.store, &authed.actor, id, clock::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
