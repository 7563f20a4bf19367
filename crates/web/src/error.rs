//! The web layer's one error type, turned into an RFC 9457 `application/problem+json`
//! response in exactly one place. Pages get the same error rendered as HTML by the
//! `pages::html_errors` middleware, which reads the problem document back.

use anpei_store::StoreError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("sign-in required")]
    Unauthorized,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("{en}")]
    Invalid {
        field: String,
        zh: String,
        en: String,
    },
    #[error("{en}")]
    Conflict { zh: String, en: String },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{en}")]
    BadRequest { zh: String, en: String },
    /// Too many failed tries (sign-in): refused unchecked for this many seconds.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64, locked: bool },
    /// The account must change its password before anything else (first sign-in, or after
    /// an administrator set one).
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("internal error")]
    Internal(String),
}

impl WebError {
    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> Self {
        WebError::BadRequest {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn invalid(field: &str, reason: &impl anpei_domain::Bilingual) -> Self {
        WebError::Invalid {
            field: field.to_owned(),
            zh: reason.zh(),
            en: reason.en(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            WebError::Unauthorized | WebError::BadCredentials => StatusCode::UNAUTHORIZED,
            WebError::Invalid { .. } | WebError::BadRequest { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            WebError::Conflict { .. } => StatusCode::CONFLICT,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// (Chinese, English) text a user may see; internal detail stays in the log.
    pub fn messages(&self) -> (String, String) {
        match self {
            WebError::NotFound => (
                "未找到，或您无权查看".into(),
                "Not found, or not yours to see".into(),
            ),
            WebError::Forbidden => ("您无权执行此操作".into(), "You may not do this".into()),
            WebError::PasswordChangeRequired => (
                "请先修改密码：首次登录或管理员重置后，须设置自己的密码".into(),
                "Change your password first: after the first sign-in or a reset, set your own"
                    .into(),
            ),
            WebError::Unauthorized => ("请先登录".into(), "Please sign in".into()),
            WebError::BadCredentials => (
                "用户名或密码不正确".into(),
                "Wrong username or password".into(),
            ),
            WebError::Invalid { zh, en, .. }
            | WebError::Conflict { zh, en }
            | WebError::BadRequest { zh, en } => (zh.clone(), en.clone()),
            WebError::PayloadTooLarge => (
                "提交的内容过大（上限 1 MiB）".into(),
                "The request body is too large (limit 1 MiB)".into(),
            ),
            WebError::TooManyAttempts {
                retry_after_secs,
                locked: true,
            } => (
                format!(
                    "失败次数过多，已临时锁定，请 {} 分钟后再试",
                    retry_after_secs.div_ceil(60)
                ),
                format!(
                    "Too many failed attempts: locked; try again in {} minutes",
                    retry_after_secs.div_ceil(60)
                ),
            ),
            WebError::TooManyAttempts {
                retry_after_secs, ..
            } => (
                format!("尝试过于频繁，请 {retry_after_secs} 秒后再试"),
                format!("Too many attempts; try again in {retry_after_secs} s"),
            ),
            WebError::Internal(_) => (
                "服务器内部错误，请稍后重试".into(),
                "Internal error; please try again later".into(),
            ),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            WebError::NotFound => "not-found",
            WebError::Forbidden => "forbidden",
            WebError::PasswordChangeRequired => "password-change-required",
            WebError::Unauthorized | WebError::BadCredentials => "unauthorized",
            WebError::Invalid { .. } => "invalid",
            WebError::Conflict { .. } => "conflict",
            WebError::PayloadTooLarge => "payload-too-large",
            WebError::BadRequest { .. } => "bad-request",
            WebError::TooManyAttempts { .. } => "too-many-attempts",
            WebError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for WebError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Forbidden => WebError::Forbidden,
            StoreError::Invalid { field, zh, en } => WebError::Invalid { field, zh, en },
            StoreError::Conflict { constraint } => {
                tracing::info!(%constraint, "conflict");
                WebError::Conflict {
                    zh: "与已有记录冲突".into(),
                    en: "Conflicts with an existing record".into(),
                }
            }
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(err: askama::Error) -> Self {
        WebError::Internal(format!("template: {err}"))
    }
}

/// The problem document (RFC 9457) with Anpei's extensions: both languages, and the field
/// at fault when there is one.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub detail_zh: String,
    pub detail_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let status = self.status();
        let (zh, en) = self.messages();
        let problem = Problem {
            kind: format!("/problems/{}", self.kind()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: zh.clone(),
            detail_zh: zh,
            detail_en: en,
            field: match &self {
                WebError::Invalid { field, .. } => Some(field.clone()),
                _ => None,
            },
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response();
        if let WebError::TooManyAttempts {
            retry_after_secs, ..
        } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, (*retry_after_secs).max(1).into());
        }
        response
    }
}
