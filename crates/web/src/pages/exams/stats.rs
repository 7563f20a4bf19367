//! `/exams/stats`: difficulty p and discrimination D per question for the bank's owner,
//! with the questions to review flagged.

use anpei_domain::trade;
use anpei_store::exam::stats;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::{Choice, PER_PAGE, choice, kind_label, trade_label};
use crate::AppState;
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::Tr;
use crate::pages::{Layout, Pager, SortHeader, query_string, render, sort_headers};

#[derive(Deserialize)]
pub(super) struct StatsParams {
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

pub(super) async fn stats_page(
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
