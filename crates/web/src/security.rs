//! The server's defences at the HTTP edge (OWASP ASVS L2, issue 13): the public address
//! links and the origin check are built from, the cross-site write check, the response
//! headers every answer carries, and panics turned into a plain 500.
//!
//! Each is one middleware or one value, applied once in [`crate::app`], so that no handler
//! can forget it.

use std::any::Any;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

/// Whether the exam-day limits apply (see `WebConfig::limits`).
pub use anpei_store::exam::throttle::Limiting;

/// The address users reach the server at (`https://anpei.example.cn`), parsed once: the
/// base of every link that leaves the screen (certificate QR codes) and the one origin a
/// state-changing request may come from. Never taken from a request's `Host` header, which
/// the client writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// Scheme, host, port (when not the scheme's default) and path, no trailing `/`.
    base: String,
    /// `scheme://host[:port]`, as browsers write it in `Origin`.
    origin: String,
}

/// Why a public URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicUrlError {
    #[error(
        "the public URL must be an absolute http:// or https:// address, e.g. https://anpei.example.cn"
    )]
    NotAbsolute,
    #[error("the public URL must not hold a user name, a query or a fragment")]
    Extra,
}

impl PublicUrl {
    pub fn parse(text: &str) -> Result<PublicUrl, PublicUrlError> {
        let text = text.trim();
        if text.contains(['?', '#', '@']) {
            return Err(PublicUrlError::Extra);
        }
        let uri: Uri = text.parse().map_err(|_| PublicUrlError::NotAbsolute)?;
        let origin = origin_of(&uri).ok_or(PublicUrlError::NotAbsolute)?;
        let path = uri.path().trim_end_matches('/');
        Ok(PublicUrl {
            base: format!("{origin}{path}"),
            origin,
        })
    }

    /// The base address, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// `scheme://host[:port]`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The absolute URL of `path` (which starts with `/`) on this server.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl std::fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// The origin (RFC 6454 serialisation) of an absolute http(s) URL: scheme and host in lower
/// case, the port only when it is not the scheme's default. `None` for anything else,
/// `null` included.
fn origin_of(uri: &Uri) -> Option<String> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = uri.authority()?;
    if authority.as_str().contains('@') {
        return None;
    }
    let host = authority.host().to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some(match authority.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// The origin a request says it comes from: its `Origin`, or when there is none its
/// `Referer`'s. An `Origin: null` (sandboxed frames, some redirects, `file:` pages) is an
/// answer, not an absence: it does not fall back to the `Referer`.
fn claimed_origin(headers: &HeaderMap) -> Option<String> {
    let named = match headers.get(header::ORIGIN) {
        Some(origin) => origin,
        None => headers.get(header::REFERER)?,
    };
    origin_of(&named.to_str().ok()?.parse().ok()?)
}

/// CSRF defence beside `SameSite=Lax` cookies: every state-changing request (anything but
/// GET, HEAD and OPTIONS), signed in or not, must show that it comes from our own pages —
/// an `Origin` (or, without one, a `Referer`) on the public URL's origin. Browsers send
/// `Origin` on every such request (forms, `fetch`, XHR); other clients must send it too
/// (README, "API"). Missing, `null` or another site's: 403. With the limits off (the
/// benchmark's baseline server, [`Limiting::Off`]) nothing is checked.
pub async fn same_origin_writes(
    State((public, limiting)): State<(PublicUrl, Limiting)>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe
        && limiting == Limiting::On
        && claimed_origin(request.headers()).as_deref() != Some(public.origin())
    {
        tracing::warn!(method = %request.method(), "cross-origin write refused");
        return WebError::Forbidden.into_response();
    }
    next.run(request).await
}

/// The Content-Security-Policy of every answer: scripts and styles only from our own
/// files (no inline `<script>`, `on*=` handlers or `style=` attributes anywhere), images
/// from us or `data:`, no plugins, no `<base>`, forms only to us, never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// HSTS for a server behind HTTPS: a year, subdomains included.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// What [`headers`] adds beyond the fixed set.
#[derive(Debug, Clone, Copy)]
pub struct HeaderPolicy {
    /// Served over HTTPS (`WebConfig::secure_cookies`): add HSTS.
    pub https: bool,
}

/// The headers every answer carries: CSP, `X-Frame-Options` (for browsers older than
/// `frame-ancestors`), `nosniff`, `Referrer-Policy: same-origin` (which also keeps
/// `Origin` on our own form posts) and, behind HTTPS, HSTS. Everything but the vendored
/// `/static` files is `Cache-Control: no-store` — pages, API answers and generated files
/// (PDF, xlsx, CSV, JSON exports) hold personal data a shared or back-button cache must
/// not keep.
pub async fn headers(State(policy): State<HeaderPolicy>, request: Request, next: Next) -> Response {
    let cacheable = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if policy.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    let stored = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    if !cacheable && !stored {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The answer to a panic in a handler (for `CatchPanicLayer::custom`): the ordinary 500
/// problem document — no panic message, no backtrace —, the message logged at error level
/// with long digit runs (ID numbers, phones) masked.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    WebError::Internal(format!("handler panicked: {}", mask_numbers(message))).into_response()
}

/// Masks every run of six or more digits (an ID number's trailing `X` with it): panic
/// messages print values, and values may be personal.
fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String, next: Option<char>| {
        let with_x = matches!(next, Some('X' | 'x'));
        if digits.len() >= 6 {
            out.push_str("[number]");
        } else {
            out.push_str(digits);
            if with_x {
                out.push('X');
            }
        }
        digits.clear();
        with_x
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            if !chars.peek().is_some_and(char::is_ascii_digit) {
                let next = chars.peek().copied();
                if flush(&mut digits, &mut out, next) {
                    chars.next();
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_parse_to_a_base_and_an_origin() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            (
                "https://anpei.example.cn",
                Some(("https://anpei.example.cn", "https://anpei.example.cn")),
            ),
            (
                "https://Anpei.Example.cn:443/",
                Some(("https://anpei.example.cn", "https://anpei.example.cn")),
            ),
            (
                "http://127.0.0.1:8080",
                Some(("http://127.0.0.1:8080", "http://127.0.0.1:8080")),
            ),
            (
                "https://example.cn/anpei/",
                Some(("https://example.cn/anpei", "https://example.cn")),
            ),
            (
                "http://[::1]:9000",
                Some(("http://[::1]:9000", "http://[::1]:9000")),
            ),
            ("anpei.example.cn", None),
            ("ftp://anpei.example.cn", None),
            ("https://user@anpei.example.cn", None),
            ("https://anpei.example.cn/?next=x", None),
            ("null", None),
            ("", None),
        ];
        for (text, expected) in cases {
            let got = PublicUrl::parse(text).ok();
            let got = got.as_ref().map(|u| (u.as_str(), u.origin()));
            assert_eq!(got, *expected, "{text:?}");
        }
    }

    #[test]
    fn the_claimed_origin_is_the_origin_header_else_the_referer() {
        let cases: &[(Option<&str>, Option<&str>, Option<&str>)] = &[
            (
                Some("https://anpei.example.cn"),
                None,
                Some("https://anpei.example.cn"),
            ),
            (
                Some("https://evil.example"),
                None,
                Some("https://evil.example"),
            ),
            // `null` is an answer: no fallback to the Referer.
            (Some("null"), Some("https://anpei.example.cn/x"), None),
            (
                None,
                Some("https://anpei.example.cn/persons?q=1"),
                Some("https://anpei.example.cn"),
            ),
            (
                None,
                Some("https://anpei.example.cn:443/"),
                Some("https://anpei.example.cn"),
            ),
            (None, None, None),
            (Some(""), None, None),
            (Some("javascript:alert(1)"), None, None),
        ];
        for (origin, referer, expected) in cases {
            let mut headers = HeaderMap::new();
            if let Some(origin) = origin {
                headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
            }
            if let Some(referer) = referer {
                headers.insert(header::REFERER, HeaderValue::from_str(referer).unwrap());
            }
            assert_eq!(
                claimed_origin(&headers).as_deref(),
                *expected,
                "{origin:?} {referer:?}"
            );
        }
    }

    async fn answer(https: bool, path: &str) -> Response {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route("/page", axum::routing::get(|| async { "page" }))
            .route(
                "/static/app.css",
                axum::routing::get(|| async {
                    ([(header::CACHE_CONTROL, "public, max-age=3600")], "css")
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                HeaderPolicy { https },
                headers,
            ));
        let request = Request::builder()
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        app.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn hsts_only_behind_https_and_only_static_files_may_be_cached() {
        let cases = [
            (false, "/page", None, "no-store"),
            (true, "/page", Some(STRICT_TRANSPORT_SECURITY), "no-store"),
            (false, "/static/app.css", None, "public, max-age=3600"),
            (
                true,
                "/static/app.css",
                Some(STRICT_TRANSPORT_SECURITY),
                "public, max-age=3600",
            ),
            (false, "/nothing-here", None, "no-store"),
        ];
        for (https, path, hsts, cache) in cases {
            let response = answer(https, path).await;
            let get = |name| {
                response
                    .headers()
                    .get(name)
                    .map(|v: &HeaderValue| v.to_str().unwrap().to_owned())
            };
            assert_eq!(
                get(header::STRICT_TRANSPORT_SECURITY).as_deref(),
                hsts,
                "{path}"
            );
            assert_eq!(get(header::CACHE_CONTROL).as_deref(), Some(cache), "{path}");
            assert_eq!(
                get(header::CONTENT_SECURITY_POLICY).as_deref(),
                Some(CONTENT_SECURITY_POLICY)
            );
            assert_eq!(get(header::X_FRAME_OPTIONS).as_deref(), Some("DENY"));
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_a_plain_500_problem() {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route(
                "/boom",
                axum::routing::get(|| async {
                    let pages: Vec<u64> = Vec::new();
                    // The message would name the ID number; the answer must not.
                    if pages.is_empty() {
                        panic!("no page for 23010219900101123X");
                    }
                    "never"
                }),
            )
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                panic_response,
            ));
        let request = Request::builder()
            .uri("/boom")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(
            response.status(),
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            crate::error::PROBLEM_JSON
        );
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("/problems/internal"), "{body}");
        for leaked in ["panic", "23010219900101123X", "no page", "src/"] {
            assert!(!body.contains(leaked), "{leaked} in {body}");
        }
    }

    #[test]
    fn panic_messages_lose_their_long_numbers() {
        let cases = [
            ("index out of bounds", "index out of bounds"),
            ("id 23010219900101123X is bad", "id [number] is bad"),
            ("phone 13800138000", "phone [number]"),
            ("page 18446744073709551615", "page [number]"),
            ("row 12345 of 99", "row 12345 of 99"),
            ("12X", "12X"),
        ];
        for (message, expected) in cases {
            assert_eq!(mask_numbers(message), expected, "{message:?}");
        }
    }
}
