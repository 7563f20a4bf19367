//! The question bank's pages (SPEC C8) for the province regulator: the syllabus tree of a
//! trade beside a filterable, sortable, paged list of its questions; a question with its
//! versions and an edit form (an edit is a new version); a new-question form for every kind,
//! practical score sheets included; import with a dry run, the template, and exports.
//!
//! Forms are plain HTML (no script needed); on a refused save the form comes back with what
//! was typed and the reason. Uploads have their own 20 MiB body limit, as rosters do.
//!
//! This file holds the routes and the labels and drop-downs the pages share; the list, the
//! question form, the question pages and import/export each have their own file.

mod import_export;
mod list;
mod question;
mod question_form;

use anpei_domain::trade;
use anpei_formats::questions::kind_names;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;
use crate::api::bank as api;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route(
            "/bank/import",
            get(import_export::import_page).post(import_export::import),
        )
        .layer(DefaultBodyLimit::max(api::MAX_UPLOAD));
    Router::new()
        .route("/bank", get(list::list))
        .route("/bank/syllabus", post(list::add_point))
        .route(
            "/bank/questions/new",
            get(question::new_form).post(question::create),
        )
        .route(
            "/bank/questions/{id}",
            get(question::detail).post(question::edit),
        )
        .route("/bank/questions/{id}/retired", post(question::set_retired))
        .route("/bank/template.xlsx", get(import_export::template))
        .route("/bank/export", get(import_export::export))
        .merge(uploads)
}

/// The trade shown when none is chosen: the first with questions, else 1.2 低压电工作业.
const DEFAULT_TRADE: &str = "1.2";

fn trade_label(t: Tr, code: &str) -> String {
    match trade::find_trade(code) {
        Some(found) => format!("{code} {}", t.pick(found.name, found.name_en)),
        None => code.to_owned(),
    }
}

fn kind_label(t: Tr, code: &str) -> &'static str {
    let (zh, en) = kind_names(code);
    t.pick(zh, en)
}

fn difficulty_label(t: Tr, level: i16) -> &'static str {
    match level {
        1 => t.pick("易", "Easy"),
        3 => t.pick("难", "Hard"),
        _ => t.pick("中", "Medium"),
    }
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn trade_choices(
    t: Tr,
    selected: &str,
    counts: &std::collections::BTreeMap<String, u64>,
) -> Vec<Choice> {
    trade::trades()
        .iter()
        .map(|tr| Choice {
            value: tr.code.to_owned(),
            label: match counts.get(tr.code) {
                Some(n) => format!("{}（{n}）", trade_label(t, tr.code)),
                None => trade_label(t, tr.code),
            },
            selected: tr.code == selected,
        })
        .collect()
}

fn difficulty_choices(t: Tr, selected: Option<i16>) -> Vec<Choice> {
    (1..=3)
        .map(|level| Choice {
            value: level.to_string(),
            label: difficulty_label(t, level).to_owned(),
            selected: Some(level) == selected,
        })
        .collect()
}
