//! The regulator's dashboard (SPEC C11): the "4 个 100%" figures for the jurisdiction, by
//! city for the province and by enterprise for a city, each figure a link down to the
//! enterprise's people and the reason for each verdict.

use anpei_domain::rules::{Kpis, RuleId, Share};
use anpei_store::{Scope, compliance};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{Layout, render};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(page))
}

#[derive(Deserialize, Default)]
struct DashboardQuery {
    city: Option<String>,
    #[serde(default)]
    sort: String,
}

/// One KPI cell: the percentage, the counts, and where it leads.
struct Cell {
    percent: String,
    detail: String,
    href: String,
    tone: &'static str,
    id: String,
}

struct Line {
    name: String,
    href: String,
    people: u64,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    scope_label: String,
    by_city: bool,
    totals: Vec<super::compliance::KpiTile>,
    people: u64,
    lines: Vec<Line>,
    back: Option<String>,
    sort_href: String,
}

const RULES: [RuleId; 4] = [
    RuleId::InPostAssessed,
    RuleId::NewHireHours,
    RuleId::TeamLeaderPromotion,
    RuleId::SpecialOpsCertified,
];

fn share(kpis: &Kpis, rule: RuleId) -> &Share {
    match rule {
        RuleId::InPostAssessed => &kpis.in_post_assessed,
        RuleId::NewHireHours => &kpis.new_hire_trained,
        RuleId::TeamLeaderPromotion => &kpis.team_leader_trained,
        _ => &kpis.special_ops_certified,
    }
}

fn cell(t: Tr, share: &Share, href: String, id: String) -> Cell {
    let tone = match share.percent() {
        None => "",
        Some(p) if p >= 100.0 => "ok",
        Some(p) if p >= 90.0 => "warn",
        Some(_) => "bad",
    };
    Cell {
        percent: share
            .percent()
            .map(|p| format!("{p:.1}%"))
            .unwrap_or_else(|| "—".to_owned()),
        detail: if t.is_en() {
            format!("{}/{}", share.numerator, share.denominator)
        } else {
            format!("{}/{} 人", share.numerator, share.denominator)
        },
        href,
        tone,
        id,
    }
}

async fn page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let city = match &authed.actor.scope {
        Scope::City(own) => Some(own.clone()),
        Scope::Province | Scope::System => q
            .city
            .filter(|c| anpei_domain::region::cities().any(|r| r.code == c)),
        _ => return Err(WebError::Forbidden),
    };
    let lines_kpis = compliance::jurisdiction(
        state.store.connection(),
        &authed.actor,
        city.as_deref(),
        today,
    )
    .await?;
    let total = lines_kpis
        .iter()
        .fold(Kpis::default(), |sum, e| sum + e.kpis);
    let people: u64 = lines_kpis.iter().map(|e| e.people).sum();
    let by_city = city.is_none();
    let mut lines: Vec<Line> = if by_city {
        anpei_domain::region::cities()
            .map(|c| {
                let of_city: Vec<_> = lines_kpis
                    .iter()
                    .filter(|e| e.city_code == c.code)
                    .collect();
                let kpis = of_city.iter().fold(Kpis::default(), |sum, e| sum + e.kpis);
                let href = format!("/dashboard?city={}", c.code);
                Line {
                    name: t.pick(c.name, c.name_en).to_owned(),
                    people: of_city.iter().map(|e| e.people).sum(),
                    cells: RULES
                        .iter()
                        .map(|r| {
                            cell(
                                t,
                                share(&kpis, *r),
                                href.clone(),
                                format!("{}-{}", c.code, r.code()),
                            )
                        })
                        .collect(),
                    href,
                }
            })
            .collect()
    } else {
        lines_kpis
            .iter()
            .filter(|e| e.people > 0)
            .map(|e| Line {
                name: e.name.clone(),
                href: format!("/enterprises/{}", e.enterprise_id),
                people: e.people,
                cells: RULES
                    .iter()
                    .map(|r| {
                        cell(
                            t,
                            share(&e.kpis, *r),
                            format!(
                                "/enterprises/{}/compliance?rule={}",
                                e.enterprise_id,
                                r.code()
                            ),
                            format!("{}-{}", e.enterprise_id, r.code()),
                        )
                    })
                    .collect(),
            })
            .collect()
    };
    // Worst special-operations figure first when asked; by name otherwise.
    if q.sort == "special_ops" {
        lines.sort_by(|a, b| {
            let pa = a.cells[3]
                .percent
                .trim_end_matches('%')
                .parse::<f64>()
                .unwrap_or(101.0);
            let pb = b.cells[3]
                .percent
                .trim_end_matches('%')
                .parse::<f64>()
                .unwrap_or(101.0);
            pa.total_cmp(&pb)
        });
    } else {
        lines.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let scope_label = match &city {
        Some(code) => anpei_domain::region::find(code)
            .map(|r| t.pick(r.name, r.name_en).to_owned())
            .unwrap_or_default(),
        None => t.pick("黑龙江省", "Heilongjiang Province").to_owned(),
    };
    let path = match &city {
        Some(code) => format!("/dashboard?city={code}"),
        None => "/dashboard?".to_owned(),
    };
    render(&DashboardPage {
        l: Layout::new(
            t,
            t.pick("合规看板", "Compliance dashboard"),
            Some(&authed),
            "/dashboard",
        ),
        totals: super::compliance::kpi_tiles_for(t, &total, None),
        scope_label,
        by_city,
        people,
        lines,
        back: (matches!(authed.actor.scope, Scope::Province | Scope::System) && !by_city)
            .then(|| "/dashboard".to_owned()),
        sort_href: format!("{path}&sort=special_ops"),
    })
}
