//! Certificates for people who may read the holder's archive: the printable PDF behind the
//! archive page's "下载证书（PDF）" link. The JSON/API twin is `api::certificates`.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Path;

pub fn router() -> Router<AppState> {
    Router::new().route("/certificates/{number}/pdf", get(pdf))
}

async fn pdf(
    State(state): State<AppState>,
    authed: Authed,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    crate::api::certificates::certificate_pdf(&state, &authed, &number).await
}
