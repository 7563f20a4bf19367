//! Server-rendered pages, one module per resource, each with its `router()`.
//!
//! Every page template embeds a [`Layout`] (title, translator, navigation for the role).
//! Errors from page handlers are problem documents like the API's; [`html_errors`] turns
//! them into an HTML page (or a redirect to sign-in) for browsers.

mod account;
mod admin;
mod bank;
mod certificates;
pub mod compliance;
pub(crate) mod dashboard;
mod enterprise_ledgers;
mod enterprises;
mod exam;
mod exams;
mod home;
mod login;
mod persons;
mod register;
pub mod roster;
mod subsidies;
mod training;
pub mod verify;

use anpei_domain::Role;
use anpei_store::Scope;
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use tower_http::catch_panic::CatchPanicLayer;

use crate::AppState;
use crate::auth::Authed;
use crate::error::{PROBLEM_JSON, Problem, WebError};
use crate::extract::Query;
use crate::i18n::{Lang, Tr};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(login::router())
        .merge(persons::router())
        .merge(certificates::router())
        .merge(enterprises::router())
        .merge(enterprise_ledgers::router())
        .merge(roster::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(register::router())
        .merge(verify::router())
        .merge(compliance::router())
        .merge(dashboard::router())
        .merge(exam::router())
        .merge(bank::router())
        .merge(exams::router())
        .merge(subsidies::router())
        .merge(training::router())
        .route("/lang", get(switch_language))
        .route("/static/{*path}", get(static_file))
        .fallback(not_found)
        // Inside `html_errors`, so that a page's panic becomes the HTML error page.
        .layer(CatchPanicLayer::custom(crate::security::panic_response))
        .layer(middleware::from_fn(html_errors))
        // Outermost, so that the error pages too say when the data is a demo.
        .layer(middleware::from_fn(demo_marker))
}

tokio::task_local! {
    /// Whether this request is served from a database generated as a demo: every page then
    /// carries the demo banner. A task-local like the clock (`clock::scope`), so that the
    /// many `Layout::new` calls need no extra argument.
    static DEMO: bool;
}

/// Runs the page request knowing whether the database is a demo.
async fn demo_marker(session: crate::auth::AuthSession, request: Request, next: Next) -> Response {
    let demo = session.backend.is_demo().await;
    DEMO.scope(demo, next.run(request)).await
}

async fn not_found() -> WebError {
    WebError::NotFound
}

/// One navigation entry.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

/// What every page shares.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub t: Tr,
    pub user: Option<String>,
    pub role: Option<&'static str>,
    pub nav: Vec<NavItem>,
    /// The current path, for the language switch to come back to.
    pub path: String,
    /// The database was generated as a demo: the banner says so.
    pub demo: bool,
}

impl Layout {
    pub fn new(t: Tr, title: &str, authed: Option<&Authed>, path: &str) -> Self {
        let mut nav = Vec::new();
        let mut push = |href: String, zh: &'static str, en: &'static str| {
            let active = if href == "/" {
                path == "/"
            } else {
                path.starts_with(href.as_str())
            };
            nav.push(NavItem {
                href,
                label: t.pick(zh, en),
                active,
            });
        };
        // An account that must change its password is shown nothing else to go to.
        if let Some(authed) = authed.filter(|a| !a.account.must_change_password) {
            push("/".to_owned(), "首页", "Home");
            match &authed.actor.scope {
                Scope::Person(id) => push(format!("/persons/{id}"), "我的档案", "My archive"),
                Scope::Enterprise(id) => {
                    push(format!("/enterprises/{id}"), "本企业", "My enterprise");
                    push("/persons".to_owned(), "人员查询", "People");
                    // Delegated training and its subsidy (SPEC C9, C10).
                    push("/classes".to_owned(), "培训班", "Classes");
                    push("/subsidies".to_owned(), "补贴申请", "Subsidies");
                }
                Scope::City(_) | Scope::Province | Scope::System => {
                    push("/dashboard".to_owned(), "合规看板", "Dashboard");
                    push("/enterprises".to_owned(), "企业", "Enterprises");
                    push("/persons".to_owned(), "人员查询", "People");
                    // The question bank is the province's alone (SPEC C8).
                    if !matches!(authed.actor.scope, Scope::City(_)) {
                        push("/bank".to_owned(), "题库", "Question bank");
                    }
                    push("/exams".to_owned(), "考试", "Exams");
                    push("/institutions".to_owned(), "培训机构", "Institutions");
                    push("/subsidies".to_owned(), "补贴申请", "Subsidies");
                }
                // A county regulates its enterprises; exams, classes and the bank are the
                // city's and the province's.
                Scope::County(_) => {
                    push("/dashboard".to_owned(), "合规看板", "Dashboard");
                    push("/enterprises".to_owned(), "企业", "Enterprises");
                    push("/persons".to_owned(), "人员查询", "People");
                    push("/institutions".to_owned(), "培训机构", "Institutions");
                    push("/subsidies".to_owned(), "补贴申请", "Subsidies");
                }
                Scope::HrBureau(_) => {
                    push("/enterprises".to_owned(), "企业", "Enterprises");
                    push("/institutions".to_owned(), "培训机构", "Institutions");
                    push("/subsidies".to_owned(), "补贴申请", "Subsidies");
                }
                Scope::Institution(id) => {
                    push(format!("/institutions/{id}"), "本机构", "My institution");
                    push("/classes".to_owned(), "培训班", "Classes");
                    push("/subsidies".to_owned(), "补贴申请", "Subsidies");
                    // Its examiners and proctors are put on exam sessions' staff.
                    push("/exams".to_owned(), "考试", "Exams");
                }
            }
            if authed.actor.account_admin().is_some() {
                push("/admin/accounts".to_owned(), "账号管理", "Accounts");
            }
            push("/account/password".to_owned(), "修改密码", "Password");
        }
        Layout {
            title: title.to_owned(),
            t,
            user: authed.map(|a| a.actor.display_name.clone()),
            role: authed.and_then(|a| a.actor.role).map(|r| role_label(t, r)),
            nav,
            path: path.to_owned(),
            demo: DEMO.try_with(|demo| *demo).unwrap_or(false),
        }
    }
}

pub fn role_label(t: Tr, role: Role) -> &'static str {
    t.pick(role.name_zh(), role.name_en())
}

/// Renders a template as an HTML response.
pub fn render(template: &impl Template) -> Result<Response, WebError> {
    Ok(Html(template.render()?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    status: u16,
    message: String,
}

/// Turns problem documents from page handlers into HTML; 401 becomes a redirect to the
/// sign-in page that comes back afterwards.
async fn html_errors(t: Tr, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let is_htmx = request.headers().contains_key("hx-request");
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if !is_problem {
        return response;
    }
    let status = response.status();
    if status == StatusCode::FORBIDDEN && !is_htmx {
        // The forced password change: the password page, not an error page.
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .unwrap_or_default();
        let problem: Option<Problem> = serde_json::from_slice(&bytes).ok();
        if problem
            .as_ref()
            .is_some_and(|p| p.kind == "/problems/password-change-required")
        {
            return Redirect::to("/account/password").into_response();
        }
        let message = problem
            .map(|p| if t.is_en() { p.detail_en } else { p.detail_zh })
            .unwrap_or_default();
        return error_page(t, &path, status, message);
    }
    if status == StatusCode::UNAUTHORIZED {
        let target = format!("/login?next={}", urlencode(&path));
        if is_htmx {
            let mut redirect = StatusCode::OK.into_response();
            if let Ok(value) = HeaderValue::from_str(&target) {
                redirect.headers_mut().insert("hx-redirect", value);
            }
            return redirect;
        }
        return Redirect::to(&target).into_response();
    }
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let problem: Option<Problem> = serde_json::from_slice(&bytes).ok();
    let message = problem
        .map(|p| if t.is_en() { p.detail_en } else { p.detail_zh })
        .unwrap_or_default();
    error_page(t, &path, status, message)
}

fn error_page(t: Tr, path: &str, status: StatusCode, message: String) -> Response {
    let title = t.pick("出错了", "Something went wrong");
    let page = ErrorPage {
        l: Layout::new(t, title, None, path),
        status: status.as_u16(),
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, Body::from("error")).into_response(),
    }
}

/// Percent-encodes a path for use in a query value.
pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Where to go after sign-in or a language switch: only a path on this site, else `/`.
///
/// A same-site path starts with exactly one `/`, followed by neither `/` nor `\` (both make
/// `//evil.example`, another host, to a browser) and holds no control character or whitespace
/// anywhere: browsers drop TAB, CR and LF from URLs, so `/\t/evil.example` would become
/// `//evil.example` after the check. A backslash is refused anywhere (browsers read it as
/// `/`), and so is anything that is not a valid `Location` header.
pub fn safe_local(path: Option<&str>) -> String {
    match path {
        Some(p)
            if p.strip_prefix('/')
                .is_some_and(|rest| !rest.starts_with('/'))
                && !p.contains('\\')
                && !p.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Deserialize)]
struct LangQuery {
    set: String,
    back: Option<String>,
}

async fn switch_language(Query(query): Query<LangQuery>) -> Response {
    let lang = Lang::parse(&query.set).unwrap_or_default();
    let code = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    let cookie = format!("lang={code}; Path=/; Max-Age=31536000; SameSite=Lax");
    let mut response = Redirect::to(&safe_local(query.back.as_deref())).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The vendored static files, compiled into the binary (one file to deploy).
async fn static_file(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match path.as_str() {
        "app.css" => (
            include_bytes!("../../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "htmx-2.0.11.min.js" => (
            include_bytes!("../../static/htmx-2.0.11.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "exam.js" => (
            include_bytes!("../../static/exam.js"),
            "text/javascript; charset=utf-8",
        ),
        "app.js" => (
            include_bytes!("../../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "favicon.svg" => (include_bytes!("../../static/favicon.svg"), "image/svg+xml"),
        _ => return WebError::NotFound.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// A sortable column header: the link that sorts by it and its current `aria-sort`.
#[derive(Debug, Clone)]
pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    pub aria: &'static str,
    pub arrow: &'static str,
}

/// Builds sort headers for GET-driven tables. `base` is the query without sort/desc/page.
pub fn sort_headers(
    path: &str,
    base: &str,
    current: &str,
    desc: bool,
    columns: &[(&'static str, &'static str)],
) -> Vec<SortHeader> {
    columns
        .iter()
        .map(|(key, label)| {
            let active = *key == current;
            let next_desc = active && !desc;
            let sep = if base.is_empty() { "" } else { "&" };
            SortHeader {
                label,
                href: format!("{path}?{base}{sep}sort={key}&desc={next_desc}"),
                aria: match (active, desc) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                arrow: match (active, desc) {
                    (false, _) => "↕",
                    (true, false) => "↑",
                    (true, true) => "↓",
                },
            }
        })
        .collect()
}

/// Pagination links for GET-driven tables.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new<T>(path: &str, base: &str, page: &anpei_store::read::Page<T>) -> Self {
        let sep = if base.is_empty() { "" } else { "&" };
        let link = |p: u64| format!("{path}?{base}{sep}page={p}");
        let pages = page.pages();
        Pager {
            page: page.page,
            pages,
            total: page.total,
            prev: (page.page > 1).then(|| link(page.page - 1)),
            next: (page.page < pages).then(|| link(page.page + 1)),
        }
    }
}

/// Builds `a=b&c=d` from pairs, percent-encoding values and skipping empty ones.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Date for pages.
pub fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_are_followed() {
        let cases = [
            (None, "/"),
            (Some(""), "/"),
            (Some("/"), "/"),
            (Some("/persons"), "/persons"),
            (
                Some("/persons?q=%E5%BC%A0&page=2"),
                "/persons?q=%E5%BC%A0&page=2",
            ),
            (Some("/enterprises/1#hire"), "/enterprises/1#hire"),
            (Some("/证书"), "/证书"),
            (Some("//evil.example"), "/"),
            (Some("///evil.example"), "/"),
            (Some("/\\evil.example"), "/"),
            (Some("/a\\b"), "/"),
            (Some("https://evil.example"), "/"),
            (Some("http:/evil.example"), "/"),
            (Some("javascript:alert(1)"), "/"),
            (Some("evil.example"), "/"),
            // Browsers strip TAB, CR and LF: these would become `//evil.example`.
            (Some("/\t/evil.example"), "/"),
            (Some("/\r\n/evil.example"), "/"),
            (Some("/\n/evil.example"), "/"),
            (Some("/ /evil.example"), "/"),
            (Some("/persons\u{0}"), "/"),
            (Some("/persons\u{3000}x"), "/"),
            (Some("/a b"), "/"),
        ];
        for (given, expected) in cases {
            assert_eq!(safe_local(given), expected, "{given:?}");
        }
    }
}
