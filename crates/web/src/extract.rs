//! Extractors whose rejections are problem documents (with the body-limit case told apart),
//! instead of axum's plain-text ones.

use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::WebError;

fn rejected(status: StatusCode, text: String) -> WebError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::PayloadTooLarge
    } else {
        WebError::bad_request(
            format!("请求格式错误：{text}"),
            format!("Malformed request: {text}"),
        )
    }
}

/// JSON body.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(err) => Err(json_rejection(err)),
        }
    }
}

fn json_rejection(err: JsonRejection) -> WebError {
    rejected(err.status(), err.body_text())
}

/// URL-encoded form body.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(err) => Err(form_rejection(err)),
        }
    }
}

fn form_rejection(err: FormRejection) -> WebError {
    rejected(err.status(), err.body_text())
}

/// Query string.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(err) => Err(query_rejection(err)),
        }
    }
}

fn query_rejection(err: QueryRejection) -> WebError {
    rejected(StatusCode::BAD_REQUEST, err.body_text())
}

/// Path segments; a malformed id is "not found", like an unknown one.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| WebError::NotFound)
    }
}
