//! People: search (by name, or by full ID number sent in a POST body, never in the URL) and
//! the lifelong archive page (一人一档).

use anpei_store::access;
use anpei_store::read::{self, PersonQuery, PersonSort};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, date, render};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(search_page))
        .route("/persons/search", post(search))
        .route("/persons/{id}", get(archive_page))
        .route("/persons/{id}/export.json", get(export))
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    page: Option<u64>,
    /// A sort header was clicked: sort by it, flipping the order if it is already current.
    #[serde(default)]
    sort_by: Option<String>,
}

struct ResultRow {
    href: String,
    name: String,
    id_masked: String,
    gender: &'static str,
    birth: String,
    employers: String,
}

struct SortButton {
    key: &'static str,
    label: &'static str,
    aria: &'static str,
    arrow: &'static str,
}

#[derive(Template)]
#[template(path = "persons.html")]
struct SearchPage {
    l: Layout,
    results: Results,
}

#[derive(Template)]
#[template(path = "persons_results.html")]
struct Results {
    t: Tr,
    searched: bool,
    q: String,
    sort: String,
    desc: bool,
    rows: Vec<ResultRow>,
    headers: Vec<SortButton>,
    page: u64,
    pages: u64,
    total: u64,
}

async fn search_page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
) -> Result<Response, WebError> {
    let results = run_search(&state, t, &authed, SearchForm::default(), false).await?;
    render(&SearchPage {
        l: Layout::new(
            t,
            t.pick("人员查询", "Find a person"),
            Some(&authed),
            "/persons",
        ),
        results,
    })
}

async fn search(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    headers: HeaderMap,
    Form(form): Form<SearchForm>,
) -> Result<Response, WebError> {
    let results = run_search(&state, t, &authed, form, true).await?;
    if headers.contains_key("hx-request") {
        render(&results)
    } else {
        render(&SearchPage {
            l: Layout::new(
                t,
                t.pick("人员查询", "Find a person"),
                Some(&authed),
                "/persons",
            ),
            results,
        })
    }
}

async fn run_search(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    form: SearchForm,
    searched: bool,
) -> Result<Results, WebError> {
    let current_desc = form.desc.as_deref() == Some("true");
    let (sort_by, desc, page) = match &form.sort_by {
        Some(by) => (by.clone(), *by == form.sort && !current_desc, 1),
        None => (form.sort.clone(), current_desc, form.page.unwrap_or(1)),
    };
    let sort = match sort_by.as_str() {
        "birth" => PersonSort::BirthDate,
        "recent" => PersonSort::Recent,
        _ => PersonSort::Name,
    };
    let query = PersonQuery {
        text: form.q.clone(),
        page,
        per_page: 20,
        sort,
        desc,
    };
    let page = read::search_persons(
        state.store.connection(),
        &authed.actor,
        &query,
        clock::today(),
    )
    .await?;
    let sort_key = match sort {
        PersonSort::Name => "name",
        PersonSort::BirthDate => "birth",
        PersonSort::Recent => "recent",
    };
    let headers = [
        ("name", t.pick("姓名", "Name")),
        ("birth", t.pick("出生日期", "Born")),
    ]
    .into_iter()
    .map(|(key, label)| {
        let active = key == sort_key;
        SortButton {
            key,
            label,
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
    .collect();
    Ok(Results {
        t,
        searched,
        q: form.q,
        sort: sort_key.to_owned(),
        desc,
        pages: page.pages(),
        page: page.page,
        total: page.total,
        headers,
        rows: page
            .items
            .into_iter()
            .map(|p| ResultRow {
                href: format!("/persons/{}", p.id),
                id_masked: p.id_number.masked(),
                gender: t.pick(p.gender.name_zh(), p.gender.name_en()),
                birth: date(p.birth_date),
                employers: p.employers.join("，"),
                name: p.name,
            })
            .collect(),
    })
}

struct JobRow {
    enterprise: String,
    enterprise_href: String,
    city: String,
    kind: &'static str,
    position: String,
    flags: Vec<&'static str>,
    trade: Option<String>,
    period: String,
    current: bool,
    recorded: String,
}

struct HistoryRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
}

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    l: Layout,
    id: Uuid,
    name: String,
    id_masked: String,
    gender: &'static str,
    birth: String,
    phone: String,
    created: String,
    recorded: String,
    flags: Vec<&'static str>,
    jobs: Vec<JobRow>,
    history: Vec<HistoryRow>,
    ledger_seq: i64,
    ledger_hash: String,
}

pub fn action_label(t: Tr, action: &str) -> String {
    let (zh, en) = match action {
        "person.create" => ("建立档案", "Archive created"),
        "person.update_phone" => ("更新手机号", "Mobile number updated"),
        "employment.start" => ("登记入职", "Employment recorded"),
        "employment.end" => ("登记离职", "Employment ended"),
        other => (other, other),
    };
    t.pick(zh, en).to_owned()
}

async fn archive_page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, today).await?;
    let archive = read::archive(db, access, today).await?;
    let flags = archive.current_flags();
    let flag_labels = if t.is_en() {
        flags.labels_en()
    } else {
        flags.labels_zh()
    };
    let provenance = |p: &Option<read::Provenance>| {
        p.as_ref()
            .map(|p| format!("{} · {} · #{}", p.actor_name, clock::local(p.at), p.seq))
            .unwrap_or_else(|| t.pick("无账本记录", "No ledger entry").to_owned())
    };
    let jobs = archive
        .employments
        .iter()
        .map(|e| JobRow {
            enterprise: e.enterprise_name.clone(),
            enterprise_href: format!("/enterprises/{}", e.enterprise_id),
            city: e.city_name.clone(),
            kind: t.pick(e.kind.name_zh(), e.kind.name_en()),
            position: e.position.clone(),
            flags: if t.is_en() {
                e.flags.labels_en()
            } else {
                e.flags.labels_zh()
            },
            trade: e.flags.special_ops_trade.clone(),
            period: format!(
                "{} — {}",
                date(e.period.from()),
                e.period
                    .to()
                    .map(date)
                    .unwrap_or_else(|| t.pick("至今", "present").to_owned())
            ),
            current: e.current,
            recorded: provenance(&e.recorded),
        })
        .collect();
    let person = &archive.person;
    let page = ArchivePage {
        l: Layout::new(t, &person.name, Some(&authed), &format!("/persons/{id}")),
        id,
        name: person.name.clone(),
        id_masked: person.id_number.masked(),
        gender: t.pick(person.gender.name_zh(), person.gender.name_en()),
        birth: date(person.birth_date),
        phone: person
            .phone
            .as_ref()
            .map(|p| p.masked())
            .unwrap_or_else(|| "—".to_owned()),
        created: clock::local(person.created_at),
        recorded: provenance(&archive.recorded),
        flags: flag_labels,
        jobs,
        history: archive
            .history
            .iter()
            .rev()
            .map(|h| HistoryRow {
                seq: h.seq,
                at: clock::local(h.at),
                actor: h.actor_name.clone(),
                action: action_label(t, &h.action),
            })
            .collect(),
        ledger_seq: archive.ledger_head.0,
        ledger_hash: hex::encode(&archive.ledger_head.1)
            .chars()
            .take(16)
            .collect(),
    };
    render(&page)
}

async fn export(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let access = access::person_read(db, &authed.actor, id, today).await?;
    let archive = read::archive(db, access, today).await?;
    let document = state
        .store
        .export_archive(&archive, access.is_self(), clock::now());
    let body =
        serde_json::to_string_pretty(&document).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"anpei-archive-{id}.json\""),
            ),
        ],
        body,
    )
        .into_response())
}
