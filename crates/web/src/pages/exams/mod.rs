//! The exam staff's pages (issue 4 item 7; the examinee's own are in `exam.rs`):
//!
//! - `/exams`: the sessions the caller organises or staffs (filterable, sortable, paged),
//!   with the forms to create an exam site with rooms, a blueprint (the province's) and a
//!   session;
//! - `/exams/{id}`: the proctor's console — who signed in, each examinee's progress, time
//!   left, status and incidents, refreshed by htmx every 5 s — with extra time, forced
//!   hand-in (after a confirmation page) and each attempt's review; its organisers put staff
//!   on the session and examinees on its list there;
//! - `/exams/{id}/practical/{person}/{registration}`: the examiner's score sheet;
//! - `/exams/stats`: difficulty and discrimination per question for the bank's owner.
//!
//! Who sees what is the store's (`exam::sessions::session_access`): out of scope is 404,
//! as in the API. Forms are plain HTML; a refused form comes back with what was typed and
//! the reasons, one per line.
//!
//! One file per page: `list.rs` and its `forms.rs`, `console.rs`, `review.rs`,
//! `practical.rs`, `stats.rs`. This file keeps the router and what they share: labels, the
//! refusal as shown, choices, the typed form's fields, and who may proctor an attempt.

mod console;
mod forms;
mod list;
mod practical;
mod review;
mod stats;

use anpei_domain::exam::ExamPart;
use anpei_domain::trade;
use anpei_store::exam::sessions;
use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exams", get(list::list))
        .route("/exams/sites", post(forms::create_site))
        .route("/exams/blueprints", post(forms::create_blueprint))
        .route("/exams/sessions", post(forms::create_session))
        .route("/exams/stats", get(stats::stats_page))
        .route("/exams/{id}", get(console::console))
        .route("/exams/{id}/live", get(console::console_live))
        .route("/exams/{id}/staff", post(console::assign_staff))
        .route("/exams/{id}/registrations", post(console::register))
        .route(
            "/exams/{id}/attempts/{person}/{attempt}",
            get(review::review),
        )
        .route(
            "/exams/{id}/sign-in-requests/{person}/{request}",
            post(console::decide_sign_in),
        )
        .route(
            "/exams/{id}/attempts/{person}/{attempt}/extra-time",
            post(console::extra_time),
        )
        .route(
            "/exams/{id}/attempts/{person}/{attempt}/submit",
            get(console::confirm_submit).post(console::force_submit),
        )
        .route(
            "/exams/{id}/practical/{person}/{registration}",
            get(practical::sheet).post(practical::score),
        )
}

const PER_PAGE: u64 = 20;

fn trade_label(t: Tr, code: &str) -> String {
    match trade::find_trade(code) {
        Some(found) => format!("{code} {}", t.pick(found.name, found.name_en)),
        None => code.to_owned(),
    }
}

fn part_label(t: Tr, code: &str) -> &'static str {
    if code == ExamPart::Practical.code() {
        t.pick("实际操作", "Practical")
    } else {
        t.pick("安全技术理论", "Theory")
    }
}

fn kind_label(t: Tr, code: &str) -> &'static str {
    let (zh, en) = anpei_formats::questions::kind_names(code);
    t.pick(zh, en)
}

/// A refusal as the page shows it: the lead sentence and each reason on its own line
/// (the store joins several reasons with "；" after a "：").
#[derive(Debug, Clone, Default)]
pub struct FormError {
    pub lead: String,
    pub reasons: Vec<String>,
}

impl FormError {
    fn of(t: Tr, err: &WebError) -> Self {
        let (zh, en) = err.messages();
        let text = t.pick_owned(&(zh, en));
        let split = text
            .split_once('：')
            .or_else(|| text.split_once(": "))
            .map(|(lead, rest)| (lead.to_owned(), rest.to_owned()));
        match split {
            Some((lead, rest)) if rest.contains('；') || rest.contains("; ") => FormError {
                lead,
                reasons: rest
                    .split(['；'])
                    .flat_map(|r| r.split("; "))
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty())
                    .collect(),
            },
            Some((lead, rest)) => FormError {
                lead,
                reasons: vec![rest],
            },
            None => FormError {
                lead: text,
                reasons: Vec::new(),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

fn choice(value: impl Into<String>, label: impl Into<String>, selected: &str) -> Choice {
    let value = value.into();
    Choice {
        selected: value == selected,
        value,
        label: label.into(),
    }
}

/// "2026-11-29T09:00" (a `datetime-local` field, Beijing time) to UTC.
fn parse_local(field: &str, text: &str) -> Result<DateTime<Utc>, WebError> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .and_then(|naive| naive.and_local_timezone(clock::SHANGHAI).single())
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| WebError::Invalid {
            field: field.to_owned(),
            zh: "请填写日期和时间".into(),
            en: "Enter a date and time".into(),
        })
}

fn number<T: std::str::FromStr>(
    field: &str,
    text: &str,
    zh: &str,
    en: &str,
) -> Result<T, WebError> {
    text.trim().parse().map_err(|_| WebError::Invalid {
        field: field.to_owned(),
        zh: format!("{zh}须为数字"),
        en: format!("{en} must be a number"),
    })
}
fn session_state(
    t: Tr,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (&'static str, &'static str, &'static str) {
    if now < opens {
        ("upcoming", t.pick("未开始", "Upcoming"), "")
    } else if now <= closes {
        ("open", t.pick("进行中", "In progress"), "ok")
    } else {
        ("closed", t.pick("已结束", "Closed"), "muted")
    }
}

type Pairs = Vec<(String, String)>;

fn field(pairs: &Pairs, key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn clock_text(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// The session and attempt if the caller may proctor it; `NotFound` otherwise.
async fn proctored(
    state: &AppState,
    authed: &Authed,
    id: Uuid,
    person: Uuid,
    attempt: Uuid,
) -> Result<
    (
        sessions::SessionAccess,
        anpei_store::entity::exam_attempt::Model,
    ),
    WebError,
> {
    let db = state.store.connection();
    let access = sessions::session_access(db, &authed.actor, id).await?;
    if !access.may_proctor() {
        return Err(WebError::NotFound);
    }
    let attempt = anpei_store::exam::attempts::attempt_in_session(db, id, person, attempt).await?;
    Ok((access, attempt))
}
