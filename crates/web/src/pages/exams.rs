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

use std::collections::BTreeMap;

use anpei_domain::exam::ExamPart;
use anpei_domain::{region, trade};
use anpei_store::Scope;
use anpei_store::exam::attempts::{Keys, SubmitReason};
use anpei_store::exam::bank::{self, QuestionFilter};
use anpei_store::exam::practical::{self, MarkJson};
use anpei_store::exam::registration::{self, NewRegistration};
use anpei_store::exam::sessions::{self, Duty, NewBlueprint, NewSession, RowJson};
use anpei_store::exam::stats;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, Pager, SortHeader, query_string, render, sort_headers};
use crate::api::exams::{ConsoleDto, ExamineeDto, console_of, paper_dto};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exams", get(list))
        .route("/exams/sites", post(create_site))
        .route("/exams/blueprints", post(create_blueprint))
        .route("/exams/sessions", post(create_session))
        .route("/exams/stats", get(stats_page))
        .route("/exams/{id}", get(console))
        .route("/exams/{id}/live", get(console_live))
        .route("/exams/{id}/staff", post(assign_staff))
        .route("/exams/{id}/registrations", post(register))
        .route("/exams/{id}/attempts/{person}/{attempt}", get(review))
        .route(
            "/exams/{id}/sign-in-requests/{person}/{request}",
            post(decide_sign_in),
        )
        .route(
            "/exams/{id}/attempts/{person}/{attempt}/extra-time",
            post(extra_time),
        )
        .route(
            "/exams/{id}/attempts/{person}/{attempt}/submit",
            get(confirm_submit).post(force_submit),
        )
        .route(
            "/exams/{id}/practical/{person}/{registration}",
            get(sheet).post(score),
        )
}

const PER_PAGE: u64 = 20;
/// Blueprint rows the form offers.
const FORM_ROWS: usize = 6;

fn organises_any(scope: &Scope) -> bool {
    matches!(scope, Scope::City(_) | Scope::Province | Scope::System)
}

fn owns_bank(scope: &Scope) -> bool {
    matches!(scope, Scope::Province | Scope::System)
}

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

// ---------------------------------------------------------------- the list and its forms

#[derive(Deserialize, Default)]
struct ListParams {
    q: Option<String>,
    part: Option<String>,
    when: Option<String>,
    sort: Option<String>,
    desc: Option<bool>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub href: String,
    pub title: String,
    pub trade: String,
    pub part: &'static str,
    pub site: String,
    pub opens: String,
    pub duration: i32,
    pub state: &'static str,
    pub state_class: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct SiteForm {
    pub region_code: String,
    pub name: String,
    pub address: String,
    pub rooms: String,
    pub institution_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct RowField {
    pub index: usize,
    pub point: String,
    pub kind: String,
    pub difficulty: String,
    pub count: String,
    pub points: String,
}

#[derive(Debug, Clone, Default)]
pub struct BlueprintForm {
    pub name: String,
    pub trade: String,
    pub part: String,
    pub duration: String,
    pub required_hours: String,
    pub total: String,
    pub pass_mark: String,
    pub score_sheet: String,
    pub rows: Vec<RowField>,
}

impl BlueprintForm {
    fn empty() -> Self {
        let mut form = BlueprintForm {
            trade: "1.2".into(),
            part: ExamPart::Theory.code().into(),
            duration: "90".into(),
            required_hours: "40".into(),
            total: "100".into(),
            // Special operations: 80 of 100 (Order No. 30 Art. 12).
            pass_mark: "80".into(),
            ..BlueprintForm::default()
        };
        form.pad();
        form
    }

    fn pad(&mut self) {
        while self.rows.len() < FORM_ROWS {
            self.rows.push(RowField {
                index: self.rows.len(),
                ..RowField::default()
            });
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SessionForm {
    pub room: String,
    pub blueprint: String,
    pub title: String,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Debug, Clone)]
pub struct BlueprintLine {
    pub name: String,
    pub trade: String,
    pub part: &'static str,
    pub total: i32,
    pub pass_mark: i32,
    pub duration: i32,
}

#[derive(Debug, Clone)]
pub struct SiteLine {
    pub name: String,
    pub region: String,
    pub rooms: String,
}

#[derive(Template)]
#[template(path = "exams.html")]
struct ExamsPage {
    l: Layout,
    organiser: bool,
    owns_bank: bool,
    q: String,
    parts: Vec<Choice>,
    whens: Vec<Choice>,
    headers: Vec<SortHeader>,
    rows: Vec<SessionRow>,
    pager: Pager,
    sites: Vec<SiteLine>,
    blueprints: Vec<BlueprintLine>,
    regions: Vec<ChoiceGroup>,
    site_form: SiteForm,
    site_error: Option<FormError>,
    site_institutions: Vec<Choice>,
    bp_form: BlueprintForm,
    bp_error: Option<FormError>,
    bp_trades: Vec<Choice>,
    bp_parts: Vec<Choice>,
    bp_points: Vec<ChoiceGroup>,
    bp_kinds: Vec<(String, &'static str)>,
    bp_sheets: Vec<Choice>,
    session_form: SessionForm,
    session_error: Option<FormError>,
    rooms: Vec<ChoiceGroup>,
    blueprint_choices: Vec<Choice>,
    /// Which form the error belongs to, to open it.
    open: &'static str,
}

#[derive(Default)]
struct Forms {
    site: SiteForm,
    site_error: Option<FormError>,
    blueprint: Option<BlueprintForm>,
    bp_error: Option<FormError>,
    session: SessionForm,
    session_error: Option<FormError>,
    open: &'static str,
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

async fn list(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let page = exams_page(&state, t, &authed, &params, Forms::default()).await?;
    render(&page)
}

async fn exams_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    params: &ListParams,
    forms: Forms,
) -> Result<ExamsPage, WebError> {
    let db = state.store.connection();
    let actor = &authed.actor;
    let now = clock::now();
    let q = params.q.clone().unwrap_or_default();
    let part = params.part.clone().unwrap_or_default();
    let when = params.when.clone().unwrap_or_default();
    let needle = q.trim().to_lowercase();
    let mut found: Vec<_> = sessions::sessions(db, actor)
        .await?
        .into_iter()
        .filter(|(s, site)| {
            (needle.is_empty()
                || s.title.to_lowercase().contains(&needle)
                || site.name.to_lowercase().contains(&needle)
                || s.trade_code.starts_with(&needle))
                && (part.is_empty() || s.part == part)
                && (when.is_empty() || session_state(t, s.opens_at, s.closes_at, now).0 == when)
        })
        .collect();
    let sort = params
        .sort
        .as_deref()
        .filter(|key| ["title", "site", "opens"].contains(key))
        .unwrap_or("opens");
    // Newest first unless asked otherwise.
    let desc = params.desc.unwrap_or(params.sort.is_none());
    found.sort_by(|a, b| {
        let order = match sort {
            "title" => a.0.title.cmp(&b.0.title),
            "site" => a.1.name.cmp(&b.1.name),
            _ => a.0.opens_at.cmp(&b.0.opens_at),
        };
        if desc { order.reverse() } else { order }
    });
    let total = found.len() as u64;
    let page_no = params.page.unwrap_or(1).max(1);
    let items: Vec<SessionRow> = found
        .into_iter()
        .skip(((page_no - 1) * PER_PAGE) as usize)
        .take(PER_PAGE as usize)
        .map(|(s, site)| {
            let (_, state_label, state_class) = session_state(t, s.opens_at, s.closes_at, now);
            SessionRow {
                href: format!("/exams/{}", s.id),
                title: s.title,
                trade: trade_label(t, &s.trade_code),
                part: part_label(t, &s.part),
                site: site.name,
                opens: clock::local(s.opens_at),
                duration: s.duration_minutes,
                state: state_label,
                state_class,
            }
        })
        .collect();
    let paged = anpei_store::read::Page {
        items,
        total,
        page: page_no,
        per_page: PER_PAGE,
    };
    let base = query_string(&[
        ("q", q.clone()),
        ("part", part.clone()),
        ("when", when.clone()),
    ]);
    let headers = sort_headers(
        "/exams",
        &base,
        if params.sort.is_some() { sort } else { "" },
        desc,
        &[
            ("title", t.pick("场次", "Session")),
            ("site", t.pick("考试点", "Site")),
            ("opens", t.pick("开考时间", "Opens")),
        ],
    );
    let mut sorted = vec![
        ("q", q.clone()),
        ("part", part.clone()),
        ("when", when.clone()),
    ];
    if let Some(s) = &params.sort {
        sorted.push(("sort", s.clone()));
        sorted.push(("desc", desc.to_string()));
    }
    let pager = Pager::new("/exams", &query_string(&sorted), &paged);

    let organiser = organises_any(&actor.scope);
    let owns = owns_bank(&actor.scope);
    let site_list = if organiser {
        sessions::sites(db, actor).await?
    } else {
        Vec::new()
    };
    let blueprint_list = if organiser {
        sessions::blueprints(db, actor).await?
    } else {
        Vec::new()
    };
    let regions = if organiser {
        region_groups(t, &actor.scope)
    } else {
        Vec::new()
    };
    let site_institutions = if organiser {
        anpei_store::read_training::institutions(db)
            .await?
            .into_iter()
            .map(|(row, _)| choice(row.id.to_string(), row.name, &forms.site.institution_id))
            .collect()
    } else {
        Vec::new()
    };
    let bp_form = forms.blueprint.unwrap_or_else(BlueprintForm::empty);
    let (bp_points, bp_sheets) = if owns {
        blueprint_choices(state, t, authed, &bp_form).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let rooms = site_list
        .iter()
        .map(|(site, rooms)| ChoiceGroup {
            label: site.name.clone(),
            choices: rooms
                .iter()
                .map(|r| {
                    choice(
                        format!("{}/{}", site.id, r.id),
                        format!(
                            "{} · {}（{} {}）",
                            site.name,
                            r.name,
                            r.seats,
                            t.pick("座", "seats")
                        ),
                        &forms.session.room,
                    )
                })
                .collect(),
        })
        .collect();
    Ok(ExamsPage {
        l: Layout::new(
            t,
            t.pick("考试场次", "Exam sessions"),
            Some(authed),
            "/exams",
        ),
        organiser,
        owns_bank: owns,
        q,
        parts: vec![
            choice("theory", t.pick("安全技术理论", "Theory"), &part),
            choice("practical", t.pick("实际操作", "Practical"), &part),
        ],
        whens: vec![
            choice("upcoming", t.pick("未开始", "Upcoming"), &when),
            choice("open", t.pick("进行中", "In progress"), &when),
            choice("closed", t.pick("已结束", "Closed"), &when),
        ],
        headers,
        rows: paged.items,
        pager,
        sites: site_list
            .iter()
            .map(|(s, rooms)| SiteLine {
                name: s.name.clone(),
                region: region::find(&s.region_code).map_or(s.region_code.clone(), |r| {
                    t.pick(r.name, r.name_en).to_owned()
                }),
                rooms: rooms
                    .iter()
                    .map(|r| format!("{} {}", r.name, r.seats))
                    .collect::<Vec<_>>()
                    .join(t.pick("，", ", ")),
            })
            .collect(),
        blueprint_choices: blueprint_list
            .iter()
            .map(|b| {
                choice(
                    b.id.to_string(),
                    format!(
                        "{}（{}，{} {}）",
                        b.name,
                        part_label(t, &b.part),
                        b.duration_minutes,
                        t.pick("分钟", "min")
                    ),
                    &forms.session.blueprint,
                )
            })
            .collect(),
        blueprints: blueprint_list
            .into_iter()
            .map(|b| BlueprintLine {
                trade: trade_label(t, &b.trade_code),
                part: part_label(t, &b.part),
                name: b.name,
                total: b.total,
                pass_mark: b.pass_mark,
                duration: b.duration_minutes,
            })
            .collect(),
        regions,
        site_form: forms.site,
        site_error: forms.site_error,
        site_institutions,
        bp_trades: trade::trades()
            .iter()
            .map(|tr| choice(tr.code, trade_label(t, tr.code), &bp_form.trade))
            .collect(),
        bp_parts: vec![
            choice("theory", t.pick("安全技术理论", "Theory"), &bp_form.part),
            choice("practical", t.pick("实际操作", "Practical"), &bp_form.part),
        ],
        bp_points,
        bp_kinds: ["single", "multiple", "true_false", "fill_in"]
            .iter()
            .map(|k| ((*k).to_owned(), kind_label(t, k)))
            .collect(),
        bp_sheets,
        bp_form,
        bp_error: forms.bp_error,
        session_form: forms.session,
        session_error: forms.session_error,
        rooms,
        open: forms.open,
    })
}

/// Counties an organiser may put a site in, grouped by city.
fn region_groups(t: Tr, scope: &Scope) -> Vec<ChoiceGroup> {
    region::cities()
        .filter(|city| match scope {
            Scope::City(code) => sessions::city_of(code) == sessions::city_of(city.code),
            _ => true,
        })
        .map(|city| ChoiceGroup {
            label: t.pick(city.name, city.name_en).to_owned(),
            choices: region::counties_of(city.code)
                .map(|county| Choice {
                    value: county.code.to_owned(),
                    label: format!("{} {}", county.code, t.pick(county.name, county.name_en)),
                    selected: false,
                })
                .collect(),
        })
        .collect()
}

/// Syllabus points (grouped by trade) and practical score sheets for the blueprint form.
async fn blueprint_choices(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    form: &BlueprintForm,
) -> Result<(Vec<ChoiceGroup>, Vec<Choice>), WebError> {
    let db = state.store.connection();
    let access = bank::bank_access(&authed.actor)?;
    let counts = bank::trades(db, &access).await?;
    let mut groups = Vec::new();
    for (code, questions) in &counts {
        if *questions == 0 {
            continue;
        }
        let tree = bank::syllabus(db, &access, code).await?;
        groups.push(ChoiceGroup {
            label: trade_label(t, code),
            choices: tree
                .into_iter()
                .map(|n| Choice {
                    value: n.point.id.to_string(),
                    label: format!(
                        "{}{} {}（{}）",
                        "　".repeat(n.depth),
                        n.point.code,
                        n.point.title,
                        n.questions
                    ),
                    selected: false,
                })
                .collect(),
        });
    }
    let sheets = bank::list(
        db,
        &access,
        &QuestionFilter {
            kind: Some("practical".into()),
            page: 1,
            per_page: anpei_store::read::MAX_PER_PAGE,
            ..QuestionFilter::default()
        },
    )
    .await?
    .items
    .into_iter()
    .map(|r| {
        choice(
            r.question.id.to_string(),
            format!("{} · {}", trade_label(t, &r.question.trade_code), r.stem),
            &form.score_sheet,
        )
    })
    .collect();
    Ok((groups, sheets))
}

type Pairs = Vec<(String, String)>;

fn field(pairs: &Pairs, key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn site_form_of(pairs: &Pairs) -> SiteForm {
    SiteForm {
        region_code: field(pairs, "region_code"),
        name: field(pairs, "name"),
        address: field(pairs, "address"),
        rooms: field(pairs, "rooms"),
        institution_id: field(pairs, "institution_id"),
    }
}

/// "第1考场 30" per line (name, then seats).
fn rooms_of(text: &str) -> Result<Vec<(String, u32)>, WebError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let (name, seats) =
                line.rsplit_once([' ', '\t', ',', '，'])
                    .ok_or_else(|| WebError::Invalid {
                        field: "rooms".into(),
                        zh: format!("第 {} 行：请写“考场名称 座位数”", i + 1),
                        en: format!("line {}: write \"room seats\"", i + 1),
                    })?;
            let seats = seats.trim().parse::<u32>().map_err(|_| WebError::Invalid {
                field: "rooms".into(),
                zh: format!("第 {} 行：座位数“{}”不是整数", i + 1, seats.trim()),
                en: format!(
                    "line {}: seats \"{}\" is not a whole number",
                    i + 1,
                    seats.trim()
                ),
            })?;
            Ok((name.trim().to_owned(), seats))
        })
        .collect()
}

async fn create_site(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = site_form_of(&pairs);
    let saved = async {
        let rooms = rooms_of(&form.rooms)?;
        let institution_id = match form.institution_id.trim() {
            "" => None,
            raw => Some(Uuid::parse_str(raw).map_err(|_| WebError::Invalid {
                field: "institution_id".to_owned(),
                zh: "未找到该培训机构".to_owned(),
                en: "No such training institution".to_owned(),
            })?),
        };
        sessions::create_site(
            &state.store,
            &authed.actor,
            sessions::NewSite {
                region_code: &form.region_code,
                name: &form.name,
                address: &form.address,
                rooms: &rooms,
                institution_id,
            },
            clock::now(),
        )
        .await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/exams#sites").into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = Forms {
                site_error: Some(FormError::of(t, &err)),
                site: form,
                open: "site",
                ..Forms::default()
            };
            refused(&state, t, &authed, forms).await
        }
        Err(other) => Err(other),
    }
}

async fn refused(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    forms: Forms,
) -> Result<Response, WebError> {
    let page = exams_page(state, t, authed, &ListParams::default(), forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

fn blueprint_form_of(pairs: &Pairs) -> BlueprintForm {
    let mut form = BlueprintForm {
        name: field(pairs, "name"),
        trade: field(pairs, "trade"),
        part: field(pairs, "part"),
        duration: field(pairs, "duration"),
        required_hours: field(pairs, "required_hours"),
        total: field(pairs, "total"),
        pass_mark: field(pairs, "pass_mark"),
        score_sheet: field(pairs, "score_sheet"),
        rows: (0..FORM_ROWS)
            .map(|index| RowField {
                index,
                point: field(pairs, &format!("point_{index}")),
                kind: field(pairs, &format!("kind_{index}")),
                difficulty: field(pairs, &format!("difficulty_{index}")),
                count: field(pairs, &format!("count_{index}")),
                points: field(pairs, &format!("points_{index}")),
            })
            .collect(),
    };
    form.pad();
    form
}

fn new_blueprint(form: &BlueprintForm) -> Result<NewBlueprint, WebError> {
    let part = ExamPart::parse(form.part.trim()).ok_or_else(|| WebError::Invalid {
        field: "part".into(),
        zh: "请选择考试科目".into(),
        en: "Choose the part".into(),
    })?;
    let mut rows = Vec::new();
    if part == ExamPart::Theory {
        for row in &form.rows {
            if row.point.trim().is_empty() && row.count.trim().is_empty() {
                continue;
            }
            let n = row.index + 1;
            let point = Uuid::parse_str(row.point.trim()).map_err(|_| WebError::Invalid {
                field: format!("point_{}", row.index),
                zh: format!("第 {n} 行：请选择知识点"),
                en: format!("row {n}: choose a syllabus point"),
            })?;
            rows.push(RowJson {
                syllabus_point_id: point,
                kind: row.kind.trim().to_owned(),
                difficulty: row.difficulty.trim().parse().ok(),
                count: number(
                    &format!("count_{}", row.index),
                    &row.count,
                    &format!("第 {n} 行的题数"),
                    &format!("row {n}: count"),
                )?,
                points: number(
                    &format!("points_{}", row.index),
                    &row.points,
                    &format!("第 {n} 行的每题分值"),
                    &format!("row {n}: points"),
                )?,
            });
        }
    }
    Ok(NewBlueprint {
        name: form.name.clone(),
        trade_code: form.trade.trim().to_owned(),
        part,
        rows,
        total: number("total", &form.total, "总分", "Total")?,
        pass_mark: number("pass_mark", &form.pass_mark, "合格分", "Pass mark")?,
        duration_minutes: number("duration", &form.duration, "考试时长", "Duration")?,
        required_hours: number(
            "required_hours",
            &form.required_hours,
            "培训学时要求",
            "Required hours",
        )?,
        score_sheet_id: Uuid::parse_str(form.score_sheet.trim()).ok(),
    })
}

async fn create_blueprint(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = blueprint_form_of(&pairs);
    let saved = async {
        let new = new_blueprint(&form)?;
        sessions::create_blueprint(&state.store, &authed.actor, new, clock::now()).await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/exams#blueprints").into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = Forms {
                bp_error: Some(FormError::of(t, &err)),
                blueprint: Some(form),
                open: "blueprint",
                ..Forms::default()
            };
            refused(&state, t, &authed, forms).await
        }
        Err(other) => Err(other),
    }
}

async fn create_session(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = SessionForm {
        room: field(&pairs, "room"),
        blueprint: field(&pairs, "blueprint"),
        title: field(&pairs, "title"),
        opens_at: field(&pairs, "opens_at"),
        closes_at: field(&pairs, "closes_at"),
    };
    let saved = async {
        let (site, room) = form
            .room
            .split_once('/')
            .and_then(|(s, r)| Some((Uuid::parse_str(s).ok()?, Uuid::parse_str(r).ok()?)))
            .ok_or_else(|| WebError::Invalid {
                field: "room".into(),
                zh: "请选择考场".into(),
                en: "Choose a room".into(),
            })?;
        let blueprint = Uuid::parse_str(form.blueprint.trim()).map_err(|_| WebError::Invalid {
            field: "blueprint".into(),
            zh: "请选择组卷方案".into(),
            en: "Choose a blueprint".into(),
        })?;
        let session = sessions::create_session(
            &state.store,
            &authed.actor,
            NewSession {
                site_id: site,
                room_id: room,
                blueprint_id: blueprint,
                title: form.title.clone(),
                opens_at: parse_local("opens_at", &form.opens_at)?,
                closes_at: parse_local("closes_at", &form.closes_at)?,
            },
            clock::now(),
        )
        .await?;
        Ok::<Uuid, WebError>(session.id)
    }
    .await;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/exams/{id}")).into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = Forms {
                session_error: Some(FormError::of(t, &err)),
                session: form,
                open: "session",
                ..Forms::default()
            };
            refused(&state, t, &authed, forms).await
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------- the proctor's console

#[derive(Debug, Clone)]
pub struct ConsoleRow {
    pub seat: i32,
    pub name: String,
    pub id_number: String,
    pub ticket: String,
    pub make_up: bool,
    pub status: &'static str,
    pub status_class: &'static str,
    pub answered: u32,
    pub questions: u32,
    pub time_left: String,
    pub urgent: bool,
    pub leaves: u32,
    pub reconnects: u32,
    pub score: Option<String>,
    pub review: Option<String>,
    /// Where extra time and the forced hand-in post, while the attempt runs.
    pub running: Option<String>,
    pub sheet: Option<String>,
}

/// A sign-in from another device on the console, with where its decision is posted.
#[derive(Debug, Clone)]
pub struct RequestLine {
    pub action: String,
    pub seat: i32,
    pub name: String,
    pub ticket: String,
    pub at: String,
    pub client: String,
}

#[derive(Debug, Clone)]
pub struct LiveView {
    pub href: String,
    pub requests: Vec<RequestLine>,
    pub updated: String,
    pub practical: bool,
    pub registered: usize,
    pub signed_in: usize,
    pub finished: usize,
    pub absent: usize,
    pub rows: Vec<ConsoleRow>,
}

fn clock_text(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

fn console_row(
    t: Tr,
    id: Uuid,
    (practical, proctor, examiner): (bool, bool, bool),
    e: ExamineeDto,
) -> ConsoleRow {
    let (status, status_class) = match e.status.as_str() {
        registration::SIGNED_IN if e.seconds_left.is_some() => {
            (t.pick("答题中", "In progress"), "ok")
        }
        registration::SIGNED_IN | registration::FINISHED => (t.pick("已交卷", "Handed in"), "done"),
        registration::ABSENT => (t.pick("缺考", "Absent"), "bad"),
        _ => (t.pick("未签到", "Not signed in"), "warn"),
    };
    let running = e.seconds_left.is_some();
    let attempt_href = e
        .attempt_id
        .map(|a| format!("/exams/{id}/attempts/{}/{a}", e.person_id));
    ConsoleRow {
        seat: e.seat_no,
        name: e.name,
        id_number: e.id_number,
        ticket: e.ticket,
        make_up: e.make_up,
        status,
        status_class,
        answered: e.answered,
        questions: e.questions,
        time_left: e.seconds_left.map(clock_text).unwrap_or_default(),
        urgent: e.seconds_left.is_some_and(|s| s < 300),
        leaves: e.leaves,
        reconnects: e.reconnects,
        score: e.score.map(|s| {
            let verdict = match e.passed {
                Some(true) => t.pick("合格", "pass"),
                Some(false) => t.pick("不合格", "fail"),
                None => "",
            };
            format!("{s} {} {verdict}", t.pick("分", "pts"))
        }),
        review: if proctor && !practical {
            attempt_href.clone()
        } else {
            None
        },
        running: if proctor && running {
            attempt_href
        } else {
            None
        },
        sheet: (practical && examiner).then(|| {
            format!(
                "/exams/{id}/practical/{}/{}",
                e.person_id, e.registration_id
            )
        }),
    }
}

fn live_view(t: Tr, console: ConsoleDto, practical_scores: &BTreeMap<Uuid, String>) -> LiveView {
    let id = console.session.id;
    let practical = console.session.part == ExamPart::Practical.code();
    let proctor = console.organiser || console.duty.as_deref() == Some(Duty::Proctor.code());
    let examiner = console.organiser || console.duty.as_deref() == Some(Duty::Examiner.code());
    let count = |status: &str| {
        console
            .examinees
            .iter()
            .filter(|e| e.status == status)
            .count()
    };
    let (registered, signed_in, finished, absent) = (
        count(registration::REGISTERED),
        count(registration::SIGNED_IN),
        count(registration::FINISHED),
        count(registration::ABSENT),
    );
    let requests = console
        .sign_in_requests
        .iter()
        .map(|r| RequestLine {
            action: format!("/exams/{id}/sign-in-requests/{}/{}", r.person_id, r.id),
            seat: r.seat_no,
            name: r.name.clone(),
            ticket: r.ticket.clone(),
            at: r
                .requested_at
                .with_timezone(&clock::SHANGHAI)
                .format("%H:%M:%S")
                .to_string(),
            client: r.client.clone(),
        })
        .collect();
    LiveView {
        href: format!("/exams/{id}/live"),
        requests,
        updated: clock::now()
            .with_timezone(&clock::SHANGHAI)
            .format("%H:%M:%S")
            .to_string(),
        practical,
        registered,
        signed_in,
        finished,
        absent,
        rows: console
            .examinees
            .into_iter()
            .map(|e| {
                let scored = practical_scores.get(&e.registration_id).cloned();
                let mut row = console_row(t, id, (practical, proctor, examiner), e);
                if scored.is_some() {
                    row.score = scored;
                }
                row
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct StaffForm {
    pub username: String,
    pub duty: String,
}

#[derive(Debug, Clone, Default)]
pub struct RegistrationForm {
    pub id_number: String,
    pub name: String,
    pub seat_no: String,
    pub extra_minutes: String,
}

#[derive(Debug, Clone)]
pub struct StaffLine {
    pub name: String,
    pub username: String,
    pub duty: &'static str,
}

#[derive(Template)]
#[template(path = "exam_console.html")]
struct ConsolePage {
    l: Layout,
    id: Uuid,
    title: String,
    trade: String,
    part: &'static str,
    site: String,
    room: String,
    seats: i32,
    opens: String,
    closes: String,
    duration: i32,
    state: &'static str,
    state_class: &'static str,
    sign_in_link: String,
    organiser: bool,
    duty: Option<&'static str>,
    live: LiveView,
    staff: Vec<StaffLine>,
    staff_form: StaffForm,
    staff_error: Option<FormError>,
    reg_form: RegistrationForm,
    reg_error: Option<FormError>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "exam_console_live.html")]
struct LivePartial {
    l: Layout,
    live: LiveView,
}

/// Practical scores of a session by registration, as the console shows them.
async fn practical_scores(
    state: &AppState,
    t: Tr,
    console: &ConsoleDto,
) -> Result<BTreeMap<Uuid, String>, WebError> {
    if console.session.part != ExamPart::Practical.code() {
        return Ok(BTreeMap::new());
    }
    let rows = practical::session_scores(state.store.connection(), console.session.id).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            (
                s.registration_id,
                format!(
                    "{} {} {}",
                    s.score,
                    t.pick("分", "pts"),
                    if s.passed {
                        t.pick("合格", "pass")
                    } else {
                        t.pick("不合格", "fail")
                    }
                ),
            )
        })
        .collect())
}

#[derive(Default)]
struct ConsoleForms {
    staff: StaffForm,
    staff_error: Option<FormError>,
    registration: RegistrationForm,
    reg_error: Option<FormError>,
    notice: Option<String>,
}

/// The console again, with a refused form's input and reasons (422).
async fn refused_on_console(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    forms: ConsoleForms,
) -> Result<Response, WebError> {
    let page = console_page(state, t, authed, id, forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn console_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    forms: ConsoleForms,
) -> Result<ConsolePage, WebError> {
    let console = console_of(state, authed, id).await?;
    let scores = practical_scores(state, t, &console).await?;
    let db = state.store.connection();
    let access = sessions::session_access(db, &authed.actor, id).await?;
    let staff = if access.organiser {
        sessions::staff(db, &access)
            .await?
            .into_iter()
            .map(|(_, name, username, duty)| StaffLine {
                name,
                username,
                duty: duty_label(t, duty),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (_, state_label, state_class) = session_state(
        t,
        console.session.opens_at,
        console.session.closes_at,
        clock::now(),
    );
    let title = console.session.title.clone();
    Ok(ConsolePage {
        l: Layout::new(t, &title, Some(authed), &format!("/exams/{id}")),
        id,
        title,
        trade: trade_label(t, &console.session.trade_code),
        part: part_label(t, &console.session.part),
        site: console.session.site.clone(),
        room: console.room.clone(),
        seats: console.seats,
        opens: clock::local(console.session.opens_at),
        closes: clock::local(console.session.closes_at),
        duration: console.session.duration_minutes,
        state: state_label,
        state_class,
        sign_in_link: format!("/exam/{id}"),
        organiser: console.organiser,
        duty: access.duty.map(|d| duty_label(t, d)),
        live: live_view(t, console, &scores),
        staff,
        staff_form: forms.staff,
        staff_error: forms.staff_error,
        reg_form: forms.registration,
        reg_error: forms.reg_error,
        notice: forms.notice,
    })
}

fn duty_label(t: Tr, duty: Duty) -> &'static str {
    match duty {
        Duty::Proctor => t.pick("监考员", "Proctor"),
        Duty::Examiner => t.pick("考评员", "Examiner"),
    }
}

#[derive(Deserialize)]
struct ConsoleParams {
    registered: Option<String>,
}

async fn console(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(params): Query<ConsoleParams>,
) -> Result<Response, WebError> {
    let notice = params
        .registered
        .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
        .map(|ticket| {
            if t.is_en() {
                format!("Registered: admission ticket {ticket}")
            } else {
                format!("已登记，准考证号 {ticket}")
            }
        });
    let page = console_page(
        &state,
        t,
        &authed,
        id,
        ConsoleForms {
            notice,
            ..ConsoleForms::default()
        },
    )
    .await?;
    render(&page)
}

async fn console_live(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let console = console_of(&state, &authed, id).await?;
    let scores = practical_scores(&state, t, &console).await?;
    let title = console.session.title.clone();
    render(&LivePartial {
        l: Layout::new(t, &title, Some(&authed), &format!("/exams/{id}")),
        live: live_view(t, console, &scores),
    })
}

async fn assign_staff(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = StaffForm {
        username: field(&pairs, "username"),
        duty: field(&pairs, "duty"),
    };
    let saved = async {
        let duty = Duty::parse(form.duty.trim()).ok_or_else(|| WebError::Invalid {
            field: "duty".into(),
            zh: "请选择职责".into(),
            en: "Choose a duty".into(),
        })?;
        let account =
            sessions::account_id_by_username(state.store.connection(), &form.username).await?;
        sessions::assign_staff(&state.store, &authed.actor, id, account, duty, clock::now())
            .await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/exams/{id}#staff")).into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = ConsoleForms {
                staff_error: Some(FormError::of(t, &err)),
                staff: form,
                ..ConsoleForms::default()
            };
            refused_on_console(&state, t, &authed, id, forms).await
        }
        Err(other) => Err(other),
    }
}

async fn register(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = RegistrationForm {
        id_number: field(&pairs, "id_number"),
        name: field(&pairs, "name"),
        seat_no: field(&pairs, "seat_no"),
        extra_minutes: field(&pairs, "extra_minutes"),
    };
    let saved = async {
        let seat_no = if form.seat_no.trim().is_empty() {
            None
        } else {
            Some(number("seat_no", &form.seat_no, "座位号", "Seat")?)
        };
        let extra_minutes = if form.extra_minutes.trim().is_empty() {
            0
        } else {
            number(
                "extra_minutes",
                &form.extra_minutes,
                "延时",
                "Extra minutes",
            )?
        };
        let registered = registration::register(
            &state.store,
            &authed.actor,
            id,
            NewRegistration {
                id_number: form.id_number.clone(),
                name: form.name.clone(),
                seat_no,
                extra_minutes,
            },
            clock::now(),
        )
        .await?;
        Ok::<String, WebError>(registered.ticket)
    }
    .await;
    match saved {
        Ok(ticket) => {
            Ok(Redirect::to(&format!("/exams/{id}?registered={ticket}#register")).into_response())
        }
        Err(err @ WebError::Invalid { .. }) => {
            let forms = ConsoleForms {
                reg_error: Some(FormError::of(t, &err)),
                registration: form,
                ..ConsoleForms::default()
            };
            refused_on_console(&state, t, &authed, id, forms).await
        }
        Err(other) => Err(other),
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

#[derive(Deserialize)]
struct DecisionForm {
    decision: String,
}

/// 批准 / 拒绝 on the console: a sign-in from another device gets the attempt, or never.
async fn decide_sign_in(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person, request)): Path<(Uuid, Uuid, Uuid)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let decision = crate::api::exams::decision_of(&form.decision)?;
    crate::api::exams::decide_sign_in_request(&state, &authed, id, person, request, decision)
        .await?;
    Ok(Redirect::to(&format!("/exams/{id}")).into_response())
}

#[derive(Deserialize)]
struct ExtraTimeForm {
    minutes: String,
}

async fn extra_time(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
    Form(form): Form<ExtraTimeForm>,
) -> Result<Response, WebError> {
    proctored(&state, &authed, id, person, attempt).await?;
    let minutes: u32 = number("minutes", &form.minutes, "延时分钟数", "Minutes")?;
    state
        .exam_desk
        .extra_time(&authed.actor, person, attempt, minutes, clock::now())
        .await?;
    Ok(Redirect::to(&format!("/exams/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "exam_submit.html")]
struct ConfirmSubmitPage {
    l: Layout,
    console: String,
    action: String,
    title: String,
    name: String,
    answered: u32,
    questions: u32,
    time_left: String,
    submitted: bool,
}

async fn confirm_submit(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let (access, found) = proctored(&state, &authed, id, person, attempt).await?;
    let view = state
        .exam_desk
        .paper_of(found, clock::now(), Keys::Hidden)
        .await?;
    let answered = view
        .items
        .iter()
        .filter(|i| i.answer.as_ref().is_some_and(|a| a.is_answered()))
        .count() as u32;
    let path = format!("/exams/{id}/attempts/{person}/{attempt}/submit");
    render(&ConfirmSubmitPage {
        l: Layout::new(
            t,
            t.pick("强制交卷", "Hand in for the examinee"),
            Some(&authed),
            &path,
        ),
        console: format!("/exams/{id}"),
        action: path,
        title: access.session.title,
        name: view.name,
        answered,
        questions: view.question_count,
        time_left: clock_text((view.deadline - clock::now()).num_seconds().max(0)),
        submitted: view.submitted_at.is_some(),
    })
}

async fn force_submit(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    proctored(&state, &authed, id, person, attempt).await?;
    state
        .exam_desk
        .submit_attempt(person, attempt, SubmitReason::Proctor, clock::now())
        .await?;
    Ok(Redirect::to(&format!("/exams/{id}/attempts/{person}/{attempt}")).into_response())
}

#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub number: u32,
    pub kind: String,
    pub stem: String,
    pub points: u32,
    /// (letter, text, chosen, right)
    pub options: Vec<(String, String, bool, bool)>,
    pub answer: String,
    pub key: String,
    pub answered: bool,
    pub correct: bool,
}

#[derive(Debug, Clone)]
pub struct TimelineLine {
    pub at: String,
    pub what: String,
    pub detail: String,
    pub incident: bool,
}

#[derive(Template)]
#[template(path = "exam_review.html")]
struct ReviewPage {
    l: Layout,
    console: String,
    title: String,
    name: String,
    result: Option<String>,
    passed: Option<bool>,
    running: bool,
    time_left: String,
    extra_action: String,
    submit_href: String,
    answered: usize,
    /// Whether the key is shown (the paper is handed in).
    keys: bool,
    items: Vec<ReviewItem>,
    timeline: Vec<TimelineLine>,
}

fn response_text(t: Tr, r: &crate::api::exams::ResponseDto, letters: &[(u8, String)]) -> String {
    if let Some(choices) = &r.choices {
        let mut shown: Vec<&str> = letters
            .iter()
            .filter(|(i, _)| choices.contains(i))
            .map(|(_, l)| l.as_str())
            .collect();
        shown.sort_unstable();
        if shown.is_empty() {
            return t.pick("（未选）", "(none)").to_owned();
        }
        return shown.join("");
    }
    if let Some(b) = r.true_false {
        return if b {
            t.pick("正确", "True")
        } else {
            t.pick("错误", "False")
        }
        .to_owned();
    }
    r.text.clone().unwrap_or_default()
}

fn event_label(t: Tr, kind: &str) -> (&'static str, bool) {
    match kind {
        "sign_in" => (t.pick("签到", "Signed in"), false),
        "sign_in_again" => (t.pick("再次签到", "Signed in again"), true),
        "answer" => (t.pick("作答", "Answer"), false),
        "leave" => (t.pick("离开页面", "Left the page"), true),
        "return" => (t.pick("回到页面", "Came back"), false),
        "reconnect" => (t.pick("断线重连", "Reconnected"), true),
        "extra_time" => (t.pick("延时", "Extra time"), false),
        "sign_in_request" => (
            t.pick("另一设备请求签到", "Sign-in requested on another device"),
            true,
        ),
        "sign_in_rejected" => (
            t.pick("监考员拒绝签到请求", "Sign-in request refused"),
            true,
        ),
        "submit" => (t.pick("交卷", "Handed in"), false),
        _ => (t.pick("事件", "Event"), false),
    }
}

async fn review(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let (access, found) = proctored(&state, &authed, id, person, attempt).await?;
    let db = state.store.connection();
    let now = clock::now();
    // The key only once the paper is handed in (issue 13): proctors see the answers given.
    let view = state
        .exam_desk
        .paper_of(found, now, Keys::OnceHandedIn)
        .await?;
    let running = view.submitted_at.is_none();
    let keys = !running;
    let time_left = clock_text((view.deadline - now).num_seconds().max(0));
    let paper = paper_dto(view);
    let timeline = anpei_store::exam::attempts::timeline(db, person, attempt)
        .await?
        .into_iter()
        .map(|(at, kind, detail)| {
            let (what, incident) = event_label(t, &kind);
            TimelineLine {
                at: at
                    .with_timezone(&clock::SHANGHAI)
                    .format("%H:%M:%S")
                    .to_string(),
                what: what.to_owned(),
                detail,
                incident,
            }
        })
        .collect();
    let items: Vec<ReviewItem> = paper
        .items
        .iter()
        .map(|item| {
            let letters: Vec<(u8, String)> = item
                .options
                .iter()
                .map(|o| (o.index, o.letter.clone()))
                .collect();
            let chosen = item
                .answer
                .as_ref()
                .and_then(|a| a.choices.clone())
                .unwrap_or_default();
            let right = item
                .key
                .as_ref()
                .and_then(|k| k.choices.clone())
                .unwrap_or_default();
            let answer = item.answer.as_ref().map(|a| response_text(t, a, &letters));
            let key = item
                .key
                .as_ref()
                .map(|k| response_text(t, k, &letters))
                .unwrap_or_default();
            let correct = match (&item.answer, &item.key) {
                (Some(a), Some(k)) => {
                    a.choices == k.choices
                        && a.true_false == k.true_false
                        && (a.text.is_none()
                            || k.text.as_deref().is_some_and(|accepted| {
                                let given = anpei_domain::exam::question::normalise_answer(
                                    a.text.as_deref().unwrap_or_default(),
                                );
                                accepted.split(" / ").any(|x| {
                                    anpei_domain::exam::question::normalise_answer(x) == given
                                })
                            }))
                }
                _ => false,
            };
            ReviewItem {
                number: item.position + 1,
                kind: item.kind_name.clone(),
                stem: item.stem.clone(),
                points: item.points,
                options: item
                    .options
                    .iter()
                    .map(|o| {
                        (
                            o.letter.clone(),
                            o.text.clone(),
                            chosen.contains(&o.index),
                            right.contains(&o.index),
                        )
                    })
                    .collect(),
                answered: answer.is_some(),
                answer: answer.unwrap_or_else(|| t.pick("未作答", "Not answered").to_owned()),
                key,
                correct,
            }
        })
        .collect();
    let answered = items.iter().filter(|i| i.answered).count();
    let path = format!("/exams/{id}/attempts/{person}/{attempt}");
    render(&ReviewPage {
        l: Layout::new(
            t,
            t.pick("答卷与时间线", "Answers and timeline"),
            Some(&authed),
            &path,
        ),
        console: format!("/exams/{id}"),
        title: access.session.title,
        name: paper.name,
        result: paper.score.map(|s| format!("{s} / {}", paper.total)),
        passed: paper.passed,
        running,
        time_left,
        extra_action: format!("{path}/extra-time"),
        submit_href: format!("{path}/submit"),
        answered,
        keys,
        items,
        timeline,
    })
}

// ---------------------------------------------------------------- the practical score sheet

#[derive(Debug, Clone)]
pub struct SheetRow {
    pub index: usize,
    pub title: String,
    pub points: u32,
    pub criteria: String,
    pub veto: bool,
    pub value: String,
    pub vetoed: bool,
}

#[derive(Template)]
#[template(path = "exam_practical.html")]
struct SheetPage {
    l: Layout,
    console: String,
    action: String,
    session_title: String,
    sheet_title: String,
    name: String,
    id_number: String,
    ticket: String,
    seat: i32,
    pass_mark: u32,
    rows: Vec<SheetRow>,
    evidence: String,
    error: Option<FormError>,
    /// (score, passed, examiner, when)
    scored: Option<(i32, bool, String, String)>,
    certificate: Option<String>,
}

async fn sheet_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    (id, person, registration_id): (Uuid, Uuid, Uuid),
    typed: Option<(Vec<(String, bool)>, String)>,
    error: Option<FormError>,
) -> Result<SheetPage, WebError> {
    let view = practical::sheet_for(
        state.store.connection(),
        &authed.actor,
        id,
        person,
        registration_id,
    )
    .await?;
    let stored = view
        .scored
        .as_ref()
        .map(practical::marks_of)
        .unwrap_or_default();
    let rows = view
        .sheet
        .items()
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let (value, vetoed) = match &typed {
                Some((marks, _)) => marks.get(index).cloned().unwrap_or_default(),
                None => stored
                    .get(index)
                    .map(|m| (m.points.to_string(), m.vetoed))
                    .unwrap_or_default(),
            };
            SheetRow {
                index,
                title: item.title.clone(),
                points: item.points,
                criteria: item.criteria.clone(),
                veto: item.veto,
                value,
                vetoed,
            }
        })
        .collect();
    let evidence = match &typed {
        Some((_, evidence)) => evidence.clone(),
        None => view
            .scored
            .as_ref()
            .map(|s| practical::evidence_of(s).join("\n"))
            .unwrap_or_default(),
    };
    let path = format!("/exams/{id}/practical/{person}/{registration_id}");
    Ok(SheetPage {
        l: Layout::new(
            t,
            t.pick("实际操作评分表", "Practical score sheet"),
            Some(authed),
            &path,
        ),
        console: format!("/exams/{id}"),
        action: path,
        session_title: view.access.session.title.clone(),
        sheet_title: view.sheet.title().to_owned(),
        name: view.name.clone(),
        id_number: view.id_number.masked(),
        ticket: view.registration.ticket.clone(),
        seat: view.registration.seat_no,
        pass_mark: view.pass_mark,
        rows,
        evidence,
        error,
        scored: view.scored.as_ref().map(|s| {
            (
                s.score,
                s.passed,
                s.examiner_name.clone(),
                clock::local(s.scored_at),
            )
        }),
        certificate: view.certificate,
    })
}

async fn sheet(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(ids): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let page = sheet_page(&state, t, &authed, ids, None, None).await?;
    render(&page)
}

async fn score(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(ids): Path<(Uuid, Uuid, Uuid)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let (id, person, registration_id) = ids;
    let items = practical::sheet_for(
        state.store.connection(),
        &authed.actor,
        id,
        person,
        registration_id,
    )
    .await?
    .sheet
    .items()
    .to_vec();
    let typed: Vec<(String, bool)> = (0..items.len())
        .map(|i| {
            (
                field(&pairs, &format!("points_{i}")),
                pairs.iter().any(|(k, _)| *k == format!("veto_{i}")),
            )
        })
        .collect();
    let evidence_text = field(&pairs, "evidence");
    let saved = async {
        let marks = typed
            .iter()
            .zip(&items)
            .enumerate()
            .map(|(i, ((value, vetoed), item))| {
                let points = if value.trim().is_empty() && item.points == 0 {
                    0
                } else {
                    number(
                        &format!("points_{i}"),
                        value,
                        &format!("第 {} 项“{}”的得分", i + 1, item.title),
                        &format!("item {} ({})", i + 1, item.title),
                    )?
                };
                Ok(MarkJson {
                    points,
                    vetoed: *vetoed,
                })
            })
            .collect::<Result<Vec<_>, WebError>>()?;
        let evidence: Vec<String> = evidence_text
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        practical::score(
            &state.store,
            &authed.actor,
            id,
            person,
            registration_id,
            marks,
            evidence,
            clock::now(),
        )
        .await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(
            Redirect::to(&format!("/exams/{id}/practical/{person}/{registration_id}"))
                .into_response(),
        ),
        Err(err @ WebError::Invalid { .. }) => {
            let page = sheet_page(
                &state,
                t,
                &authed,
                ids,
                Some((typed, evidence_text)),
                Some(FormError::of(t, &err)),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------- statistics per question

#[derive(Deserialize)]
struct StatsParams {
    trade: Option<String>,
    flagged: Option<bool>,
    sort: Option<String>,
    desc: Option<bool>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    page: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct StatRow {
    pub href: String,
    pub stem: String,
    pub trade: String,
    pub kind: &'static str,
    pub shown: usize,
    pub p: String,
    pub d: String,
    pub flagged: bool,
    pub reasons: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "exam_stats.html")]
struct StatsPage {
    l: Layout,
    trades: Vec<Choice>,
    flagged_only: bool,
    flagged: usize,
    headers: Vec<SortHeader>,
    rows: Vec<StatRow>,
    pager: Pager,
    json: String,
}

async fn stats_page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(params): Query<StatsParams>,
) -> Result<Response, WebError> {
    let trade = params
        .trade
        .clone()
        .filter(|c| trade::find_trade(c).is_some())
        .unwrap_or_default();
    let all = stats::question_stats(
        state.store.connection(),
        &authed.actor,
        Some(trade.as_str()).filter(|c| !c.is_empty()),
    )
    .await?;
    let flagged_count = all.iter().filter(|s| s.flagged()).count();
    let flagged_only = params.flagged.unwrap_or(false);
    let mut rows: Vec<_> = all
        .into_iter()
        .filter(|s| !flagged_only || s.flagged())
        .collect();
    let sort = params
        .sort
        .as_deref()
        .filter(|key| ["shown", "p", "d"].contains(key))
        .unwrap_or("d");
    let desc = params.desc.unwrap_or(false);
    rows.sort_by(|a, b| {
        let order = match sort {
            "shown" => a.shown.cmp(&b.shown),
            "p" => a.difficulty.total_cmp(&b.difficulty),
            // Questions without D (too few papers) after those with one.
            _ => match (a.discrimination, b.discrimination) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        if desc { order.reverse() } else { order }
    });
    let total = rows.len() as u64;
    let page_no = params.page.unwrap_or(1).max(1);
    let (low, high) = stats::DIFFICULTY_RANGE;
    let items: Vec<StatRow> = rows
        .into_iter()
        .skip(((page_no - 1) * PER_PAGE) as usize)
        .take(PER_PAGE as usize)
        .map(|s| {
            let mut reasons = Vec::new();
            if s.difficulty < low {
                reasons.push(t.pick("太难", "too hard"));
            }
            if s.difficulty > high {
                reasons.push(t.pick("太易", "too easy"));
            }
            if s.discrimination
                .is_some_and(|d| d < stats::LOW_DISCRIMINATION)
            {
                reasons.push(t.pick("区分度低", "low discrimination"));
            }
            StatRow {
                href: format!("/bank/questions/{}", s.question_id),
                flagged: s.flagged(),
                stem: s.stem,
                trade: s.trade_code,
                kind: kind_label(t, &s.kind),
                shown: s.shown,
                p: format!("{:.2}", s.difficulty),
                d: s.discrimination
                    .map_or("—".to_owned(), |d| format!("{d:.2}")),
                reasons,
            }
        })
        .collect();
    let paged = anpei_store::read::Page {
        items,
        total,
        page: page_no,
        per_page: PER_PAGE,
    };
    let flag_value = if flagged_only {
        "true".to_owned()
    } else {
        String::new()
    };
    let base = query_string(&[("trade", trade.clone()), ("flagged", flag_value.clone())]);
    let headers = sort_headers(
        "/exams/stats",
        &base,
        sort,
        desc,
        &[
            ("shown", t.pick("出题次数", "Times shown")),
            ("p", t.pick("难度 p", "Difficulty p")),
            ("d", t.pick("区分度 D", "Discrimination D")),
        ],
    );
    let pager = Pager::new(
        "/exams/stats",
        &query_string(&[
            ("trade", trade.clone()),
            ("flagged", flag_value),
            ("sort", sort.to_owned()),
            ("desc", desc.to_string()),
        ]),
        &paged,
    );
    render(&StatsPage {
        l: Layout::new(
            t,
            t.pick("试题统计", "Question statistics"),
            Some(&authed),
            "/exams/stats",
        ),
        trades: trade::trades()
            .iter()
            .map(|tr| choice(tr.code, trade_label(t, tr.code), &trade))
            .collect(),
        json: format!(
            "/api/v1/exam/stats{}",
            if trade.is_empty() {
                String::new()
            } else {
                format!("?trade={trade}")
            }
        ),
        flagged_only,
        flagged: flagged_count,
        headers,
        rows: paged.items,
        pager,
    })
}
