//! The enterprise's 台账 pages (SPEC C4): one tab per ledger — apprenticeships, time off
//! post, process changes, the yearly training plan, training capacity, skill promotion —
//! each a sortable, filterable, paged table and, for the enterprise's own account, a form
//! that keeps what was typed when it is refused. Regulators of the enterprise's city read;
//! everyone else gets 404. The forms go through the same parsers and store operations as
//! the JSON API.
//!
//! This file is the frame every tab shares: the routes, the tab strip, the enterprise
//! header, the cells, filters and fields a tab is drawn with, and the dispatch to the tab's
//! own file, which builds its table and its form and records what the form sends.

mod apprenticeships;
mod off_post;
mod process_changes;
mod skill_promotions;
mod training_capacity;
mod training_plan;

use std::collections::HashMap;

use anpei_store::access::{EnterpriseStaffRead, EnterpriseStaffWrite};
use anpei_store::read::{self as base_read, StaffQuery, StaffSort};
use anpei_store::read_ledgers::Paging;
use anpei_store::{Actor, Scope, Store};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Layout, Pager, SortHeader, date, render};
use crate::api::enterprise_ledgers as api;
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises/{id}/ledgers", get(first_tab))
        .route("/enterprises/{id}/ledgers/{tab}", get(show).post(create))
        .route(
            "/enterprises/{id}/ledgers/{tab}/{owner}/{row}/{action}",
            post(row_action),
        )
}

/// The ledgers, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LedgerTab {
    Apprenticeships,
    OffPost,
    ProcessChanges,
    TrainingPlan,
    TrainingCapacity,
    SkillPromotions,
}

impl LedgerTab {
    const ALL: [LedgerTab; 6] = [
        LedgerTab::Apprenticeships,
        LedgerTab::OffPost,
        LedgerTab::ProcessChanges,
        LedgerTab::TrainingPlan,
        LedgerTab::TrainingCapacity,
        LedgerTab::SkillPromotions,
    ];

    fn slug(self) -> &'static str {
        match self {
            Self::Apprenticeships => "apprenticeships",
            Self::OffPost => "off-post",
            Self::ProcessChanges => "process-changes",
            Self::TrainingPlan => "training-plan",
            Self::TrainingCapacity => "training-capacity",
            Self::SkillPromotions => "skill-promotions",
        }
    }

    fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tab| tab.slug() == slug)
    }

    fn label(self, t: Tr) -> &'static str {
        match self {
            Self::Apprenticeships => t.pick("师带徒", "Apprenticeships"),
            Self::OffPost => t.pick("离岗", "Off post"),
            Self::ProcessChanges => t.pick("四新变更", "Process changes"),
            Self::TrainingPlan => t.pick("年度培训计划", "Training plan"),
            Self::TrainingCapacity => t.pick("培训能力", "Training capacity"),
            Self::SkillPromotions => t.pick("技能晋级计划", "Skill promotion"),
        }
    }
}

struct Tab {
    href: String,
    label: &'static str,
    active: bool,
}

pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A filter drop-down above the table.
struct Filter {
    name: &'static str,
    label: &'static str,
    choices: Vec<Choice>,
}

struct Header {
    label: &'static str,
    sort: Option<SortHeader>,
}

/// A small form inside a table cell (graduation, return to post, promotion achieved).
struct RowAction {
    href: String,
    summary: &'static str,
    label: &'static str,
}

struct Cell {
    text: String,
    href: Option<String>,
    action: Option<RowAction>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            href: None,
            action: None,
        }
    }

    fn link(text: impl Into<String>, href: String) -> Self {
        Cell {
            text: text.into(),
            href: Some(href),
            action: None,
        }
    }
}

/// One form field; `kind` is text, number, date, select, multi or check.
struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    choices: Vec<Choice>,
    invalid: bool,
}

#[derive(Template)]
#[template(path = "enterprise_ledgers.html")]
struct LedgersPage {
    l: Layout,
    id: Uuid,
    name: String,
    title: &'static str,
    intro: &'static str,
    tabs: Vec<Tab>,
    action: String,
    filters: Vec<Filter>,
    headers: Vec<Header>,
    rows: Vec<Vec<Cell>>,
    pager: Option<Pager>,
    empty: &'static str,
    summary: Option<String>,
    fields: Vec<Field>,
    form_title: &'static str,
    form_error: Option<String>,
    today: String,
}

/// What was typed into a form, kept to show it again (a field may repeat: the people of a
/// process change).
#[derive(Debug, Default, Clone)]
struct Typed(Vec<(String, String)>);

impl Typed {
    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_owned())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(key, value)| key == name && !value.trim().is_empty())
            .map(|(_, value)| value.trim().to_owned())
            .collect()
    }

    fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    fn number<T: std::str::FromStr>(&self, name: &str) -> Result<T, WebError> {
        self.get(name).parse().map_err(|_| WebError::Invalid {
            field: name.to_owned(),
            zh: "应填写数字".to_owned(),
            en: "Must be a number".to_owned(),
        })
    }
}

type Params = HashMap<String, String>;

/// What one tab puts into the frame: its texts, its table and, for the enterprise's own
/// account, its form.
struct TabView {
    title: &'static str,
    intro: &'static str,
    empty: &'static str,
    form_title: &'static str,
    table: Table,
    fields: Vec<Field>,
}

/// The table of a tab, with the filters above it and the pager or summary below it.
struct Table {
    filters: Vec<Filter>,
    headers: Vec<Header>,
    rows: Vec<Vec<Cell>>,
    pager: Option<Pager>,
    summary: Option<String>,
}

/// What a tab is drawn from: who asks, about which enterprise, with which query, and what a
/// refused form had typed.
struct View<'a> {
    store: &'a Store,
    t: Tr,
    actor: &'a Actor,
    id: Uuid,
    today: NaiveDate,
    read: EnterpriseStaffRead,
    can_write: bool,
    /// The tab's own path, `/enterprises/{id}/ledgers/{slug}`.
    path: &'a str,
    params: &'a Params,
    desc: bool,
    paging: Paging,
    typed: &'a Typed,
    /// The field a refusal named, or empty.
    error_field: &'a str,
}

impl View<'_> {
    fn param(&self, name: &str) -> String {
        self.params.get(name).cloned().unwrap_or_default()
    }

    fn field(&self, name: &'static str, label: &'static str, kind: &'static str) -> Field {
        Field {
            name,
            label,
            kind,
            value: self.typed.get(name),
            choices: Vec::new(),
            invalid: self.error_field == name,
        }
    }

    fn select(&self, name: &'static str, label: &'static str, choices: Vec<Choice>) -> Field {
        Field {
            name,
            label,
            kind: "select",
            value: self.typed.get(name),
            choices,
            invalid: self.error_field == name,
        }
    }

    /// Who the person fields offer: the current staff, by name.
    async fn staff_choices(&self, selected: Vec<String>) -> Result<Vec<Choice>, WebError> {
        if !self.can_write {
            return Ok(Vec::new());
        }
        let staff = base_read::staff(
            self.store.connection(),
            self.actor,
            self.id,
            &StaffQuery {
                page: 1,
                per_page: base_read::MAX_PER_PAGE,
                sort: StaffSort::Name,
                ..StaffQuery::default()
            },
            self.today,
        )
        .await?;
        let mut seen = std::collections::HashSet::new();
        Ok(staff
            .items
            .into_iter()
            .filter(|s| seen.insert(s.person_id))
            .map(|s| Choice {
                selected: selected.contains(&s.person_id.to_string()),
                value: s.person_id.to_string(),
                label: format!("{}（{}）", s.name, s.position),
            })
            .collect())
    }

    /// The pager under a table filtered by `base` and sorted by `sort`.
    fn pager<T>(&self, base: &str, sort: &str, page: &base_read::Page<T>) -> Option<Pager> {
        Some(Pager::new(
            self.path,
            &paging_base(base, sort, self.desc),
            page,
        ))
    }
}

/// What a write is made with: the store, who writes, the capability to write into this
/// enterprise's ledgers, and the clock read once.
struct Write<'a> {
    store: &'a Store,
    actor: &'a Actor,
    staff: EnterpriseStaffWrite,
    today: NaiveDate,
    now: DateTime<Utc>,
}

impl<'a> Write<'a> {
    fn new(state: &'a AppState, authed: &'a Authed, staff: EnterpriseStaffWrite) -> Self {
        Write {
            store: &state.store,
            actor: &authed.actor,
            staff,
            today: clock::today(),
            now: clock::now(),
        }
    }
}

async fn first_tab(Path(id): Path<Uuid>) -> Redirect {
    Redirect::to(&format!(
        "/enterprises/{id}/ledgers/{}",
        LedgerTab::Apprenticeships.slug()
    ))
}

fn tab_of(slug: &str) -> Result<LedgerTab, WebError> {
    LedgerTab::parse(slug).ok_or(WebError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, tab)): Path<(Uuid, String)>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let tab = tab_of(&tab)?;
    let asked = Asked {
        state: &state,
        t,
        authed: &authed,
        id,
        tab,
    };
    let page = page(asked, &params, Kept::default()).await?;
    render(&page)
}

async fn create(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, tab)): Path<(Uuid, String)>,
    Form(typed): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let tab = tab_of(&tab)?;
    let staff = api::ledger_write(&state, &authed, id).await?;
    let typed = Typed(typed);
    let outcome = record(Write::new(&state, &authed, staff), tab, &typed).await;
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/enterprises/{id}/ledgers/{}", tab.slug())).into_response())
        }
        Err(WebError::Invalid { field, zh, en }) => {
            let message = t.pick_owned(&(zh, en));
            let asked = Asked {
                state: &state,
                t,
                authed: &authed,
                id,
                tab,
            };
            let kept = Kept {
                typed,
                error: Some((field, message)),
            };
            let page = page(asked, &Params::new(), kept).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

/// Parses the form as the API would parse its JSON, then writes through the same operation.
async fn record(write: Write<'_>, tab: LedgerTab, typed: &Typed) -> Result<(), WebError> {
    match tab {
        LedgerTab::Apprenticeships => apprenticeships::record(write, typed).await,
        LedgerTab::OffPost => off_post::record(write, typed).await,
        LedgerTab::ProcessChanges => process_changes::record(write, typed).await,
        LedgerTab::TrainingPlan => training_plan::record(write, typed).await,
        LedgerTab::TrainingCapacity => training_capacity::record(write, typed).await,
        LedgerTab::SkillPromotions => skill_promotions::record(write, typed).await,
    }
}

#[derive(serde::Deserialize)]
struct OnForm {
    on: String,
}

async fn row_action(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, tab, owner, row, action)): Path<(Uuid, String, Uuid, Uuid, String)>,
    Form(form): Form<OnForm>,
) -> Result<Response, WebError> {
    let tab = tab_of(&tab)?;
    let staff = api::ledger_write(&state, &authed, id).await?;
    let write = Write::new(&state, &authed, staff);
    match (tab, action.as_str()) {
        (LedgerTab::Apprenticeships, "graduation") => {
            apprenticeships::graduation(write, (owner, row), &form.on).await?;
        }
        (LedgerTab::OffPost, "end") => {
            off_post::end(write, owner, row, &form.on).await?;
        }
        (LedgerTab::SkillPromotions, "achieved") => {
            skill_promotions::achieved(write, (owner, row), &form.on).await?;
        }
        _ => return Err(WebError::NotFound),
    }
    Ok(Redirect::to(&format!("/enterprises/{id}/ledgers/{}", tab.slug())).into_response())
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|item| Choice {
            value: code(*item).to_owned(),
            label: label(*item).to_owned(),
            selected: code(*item) == selected,
        })
        .collect()
}

fn with_all(t: Tr, mut list: Vec<Choice>) -> Vec<Choice> {
    list.insert(
        0,
        Choice {
            value: String::new(),
            label: t.pick("全部", "All").to_owned(),
            selected: false,
        },
    );
    list
}

fn person_href(id: Uuid) -> String {
    format!("/persons/{id}")
}

/// Who asks for which tab of which enterprise.
struct Asked<'a> {
    state: &'a AppState,
    t: Tr,
    authed: &'a Authed,
    id: Uuid,
    tab: LedgerTab,
}

/// What a refused form shows again: what was typed, and the field the refusal named with
/// its message. Empty on a plain visit.
#[derive(Default)]
struct Kept {
    typed: Typed,
    error: Option<(String, String)>,
}

/// The frame around one tab: the enterprise, the tab strip, and what the tab draws.
async fn page(asked: Asked<'_>, params: &Params, kept: Kept) -> Result<LedgersPage, WebError> {
    let Asked {
        state,
        t,
        authed,
        id,
        tab,
    } = asked;
    let db = state.store.connection();
    let today = clock::today();
    let read = api::ledger_read(state, authed, id).await?;
    let enterprise = base_read::enterprise(db, &authed.actor, id, today).await?;
    let can_write = matches!(authed.actor.scope, Scope::Enterprise(own) if own == id);
    let path = format!("/enterprises/{id}/ledgers/{}", tab.slug());
    let desc = params.get("desc").cloned().unwrap_or_default() == "true";
    let paging = Paging {
        page: params
            .get("page")
            .and_then(|p| crate::paging::page_from_text(p))
            .unwrap_or(1),
        per_page: 25,
        desc,
    };
    let (error_field, form_error) = match kept.error {
        Some((field, message)) => (field, Some(message)),
        None => (String::new(), None),
    };
    let view = View {
        store: &state.store,
        t,
        actor: &authed.actor,
        id,
        today,
        read,
        can_write,
        path: &path,
        params,
        desc,
        paging,
        typed: &kept.typed,
        error_field: &error_field,
    };
    let shown = match tab {
        LedgerTab::Apprenticeships => apprenticeships::view(&view).await?,
        LedgerTab::OffPost => off_post::view(&view).await?,
        LedgerTab::ProcessChanges => process_changes::view(&view).await?,
        LedgerTab::TrainingPlan => training_plan::view(&view).await?,
        LedgerTab::TrainingCapacity => training_capacity::view(&view).await?,
        LedgerTab::SkillPromotions => skill_promotions::view(&view).await?,
    };
    let tabs = LedgerTab::ALL
        .iter()
        .map(|other| Tab {
            href: format!("/enterprises/{id}/ledgers/{}", other.slug()),
            label: other.label(t),
            active: *other == tab,
        })
        .collect();
    let TabView {
        title,
        intro,
        empty,
        form_title,
        table,
        fields,
    } = shown;
    Ok(LedgersPage {
        l: Layout::new(
            t,
            &format!("{title} · {}", enterprise.name),
            Some(authed),
            &path,
        ),
        id,
        name: enterprise.name,
        title,
        intro,
        tabs,
        action: path,
        filters: table.filters,
        headers: table.headers,
        rows: table.rows,
        pager: table.pager,
        empty,
        summary: table.summary,
        fields,
        form_title,
        form_error,
        today: date(today),
    })
}

fn paging_base(base: &str, sort: &str, desc: bool) -> String {
    let mut paging = base.to_owned();
    if !paging.is_empty() {
        paging.push('&');
    }
    paging.push_str(&format!("sort={sort}&desc={desc}"));
    paging
}
