//! The bank's front page: the syllabus tree of a trade beside the filterable, sortable,
//! paged list of its questions, and the form that adds a syllabus point to the tree.

use anpei_domain::trade;
use anpei_formats::questions;
use anpei_store::exam::bank;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Choice, DEFAULT_TRADE, difficulty_choices, difficulty_label, kind_label, trade_choices,
    trade_label,
};
use crate::api::bank::QuestionListParams;
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Query};
use crate::i18n::Tr;
use crate::pages::{Layout, Pager, SortHeader, query_string, render, sort_headers};
use crate::{AppState, clock};

/// The deepest indentation the syllabus tree draws (`app.css`: `.tree .depth-N`); deeper
/// points line up with it.
const MAX_INDENT: usize = 5;

#[derive(Debug, Clone)]
pub struct TreeLine {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub indent: usize,
    pub questions: u64,
    pub href: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct ListRow {
    pub href: String,
    pub stem: String,
    pub kind: &'static str,
    pub point: String,
    pub difficulty: &'static str,
    pub version: i32,
    pub tags: Vec<String>,
    pub retired: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "bank.html")]
struct BankPage {
    l: Layout,
    trade: String,
    trade_name: String,
    trades: Vec<Choice>,
    tree: Vec<TreeLine>,
    kinds: Vec<Choice>,
    difficulties: Vec<Choice>,
    point: String,
    tag: String,
    q: String,
    retired: bool,
    headers: Vec<SortHeader>,
    rows: Vec<ListRow>,
    pager: Pager,
    formats: Vec<(&'static str, &'static str)>,
}

fn kind_choices(t: Tr, selected: &str) -> Vec<Choice> {
    questions::KIND_CODES
        .iter()
        .map(|code| Choice {
            value: (*code).to_owned(),
            label: kind_label(t, code).to_owned(),
            selected: *code == selected,
        })
        .collect()
}

fn export_formats() -> Vec<(&'static str, &'static str)> {
    vec![
        ("xlsx", ".xlsx"),
        ("moodle-xml", "Moodle XML"),
        ("gift", "GIFT"),
    ]
}

pub(super) async fn list(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(mut params): Query<QuestionListParams>,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let db = state.store.connection();
    let counts = bank::trades(db, &access).await?;
    let trade = params
        .trade
        .clone()
        .filter(|c| trade::find_trade(c).is_some())
        .or_else(|| counts.iter().find(|(_, n)| **n > 0).map(|(c, _)| c.clone()))
        .unwrap_or_else(|| DEFAULT_TRADE.to_owned());
    params.trade = Some(trade.clone());
    let tree = bank::syllabus(db, &access, &trade).await?;
    // A point of another trade is ignored rather than refused.
    if params
        .point
        .is_some_and(|p| !tree.iter().any(|n| n.point.id == p))
    {
        params.point = None;
    }
    let page = bank::list(db, &access, &params.filter()).await?;
    let base_pairs = |with_point: bool| {
        let mut pairs = vec![("trade", trade.clone())];
        if with_point {
            pairs.push((
                "point",
                params.point.map(|p| p.to_string()).unwrap_or_default(),
            ));
        }
        pairs.extend([
            ("kind", params.kind.clone().unwrap_or_default()),
            (
                "difficulty",
                params.difficulty.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("tag", params.tag.clone().unwrap_or_default()),
            ("q", params.q.clone().unwrap_or_default()),
            (
                "retired",
                if params.retired.unwrap_or(false) {
                    "true".into()
                } else {
                    String::new()
                },
            ),
        ]);
        pairs
    };
    let base = query_string(&base_pairs(true));
    let filter = params.filter();
    let headers = sort_headers(
        "/bank",
        &base,
        if params.sort.is_some() {
            filter.sort.code()
        } else {
            ""
        },
        filter.desc,
        &[
            ("kind", t.pick("题型", "Type")),
            ("version", t.pick("版本", "Version")),
            ("updated", t.pick("更新时间", "Updated")),
        ],
    );
    let mut sorted_pairs = base_pairs(true);
    if let Some(sort) = &params.sort {
        sorted_pairs.push(("sort", sort.clone()));
        sorted_pairs.push(("desc", filter.desc.to_string()));
    }
    let pager = Pager::new("/bank", &query_string(&sorted_pairs), &page);
    let without_point = query_string(&base_pairs(false));
    let tree_lines = tree
        .into_iter()
        .map(|n| TreeLine {
            href: format!("/bank?{without_point}&point={}", n.point.id),
            current: params.point == Some(n.point.id),
            id: n.point.id,
            code: n.point.code,
            title: n.point.title,
            indent: n.depth.min(MAX_INDENT),
            questions: n.questions,
        })
        .collect();
    let rows = page
        .items
        .into_iter()
        .map(|r| ListRow {
            href: format!("/bank/questions/{}", r.question.id),
            stem: r.stem,
            kind: kind_label(t, &r.question.kind),
            point: r.point_title,
            difficulty: difficulty_label(t, r.difficulty),
            version: r.question.current_version,
            tags: r.tags,
            retired: r.question.retired,
            updated: clock::local(r.question.updated_at),
        })
        .collect();
    let trade_name = trade_label(t, &trade);
    render(&BankPage {
        l: Layout::new(
            t,
            t.pick("统一题库", "Question bank"),
            Some(&authed),
            "/bank",
        ),
        trades: trade_choices(t, &trade, &counts),
        trade_name,
        trade,
        tree: tree_lines,
        kinds: kind_choices(t, params.kind.as_deref().unwrap_or_default()),
        difficulties: difficulty_choices(t, params.difficulty),
        point: params.point.map(|p| p.to_string()).unwrap_or_default(),
        tag: params.tag.clone().unwrap_or_default(),
        q: params.q.clone().unwrap_or_default(),
        retired: params.retired.unwrap_or(false),
        headers,
        rows,
        pager,
        formats: export_formats(),
    })
}

#[derive(Deserialize)]
pub(super) struct PointForm {
    trade: String,
    parent: Option<String>,
    title: String,
}

pub(super) async fn add_point(
    State(state): State<AppState>,
    authed: Authed,
    Form(form): Form<PointForm>,
) -> Result<Response, WebError> {
    let parent = form
        .parent
        .as_deref()
        .filter(|p| !p.is_empty())
        .and_then(|p| Uuid::parse_str(p).ok());
    let id = bank::add_point(
        &state.store,
        &authed.actor,
        clock::now(),
        form.trade.trim(),
        parent,
        &form.title,
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/bank?trade={}&point={id}",
        crate::pages::urlencode(form.trade.trim())
    ))
    .into_response())
}
