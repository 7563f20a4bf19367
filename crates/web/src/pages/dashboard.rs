//! The regulator's dashboard (SPEC C5, C11): the "4 个 100%" and "二个提升" figures for the
//! jurisdiction, or a city, county or industry of it, broken down by city, county, industry or
//! enterprise; each number a link down to the people behind it, with the reason for each
//! verdict; the trend since the first daily evaluation; and the same table as .xlsx.
//!
//! Everything here reads the verdict table (`anpei_store::verdicts`), which the writes keep
//! current; nothing is evaluated per request except the reasons of the page of people shown.

use anpei_domain::Industry;
use anpei_domain::rules::standing::EnterpriseShares;
use anpei_domain::rules::{Finding, Kpis, RuleId, Share, Verdict};
use anpei_store::verdicts::{self, Area, Counts, Grouping, Wanted};
use anpei_store::{Actor, Scope, compliance};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, Pager, query_string, render};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/dashboard.xlsx", get(export))
        .route("/dashboard/people", get(people))
}

/// The four KPI rules, in the order of the table's columns.
const RULES: [RuleId; 4] = [
    RuleId::InPostAssessed,
    RuleId::NewHireHours,
    RuleId::TeamLeaderPromotion,
    RuleId::SpecialOpsCertified,
];

const LINES_PER_PAGE: u64 = 50;
const PEOPLE_PER_PAGE: u64 = 50;

#[derive(Deserialize, Default, Clone)]
pub(crate) struct DashboardQuery {
    #[serde(default)]
    pub(crate) city: String,
    #[serde(default)]
    pub(crate) county: String,
    #[serde(default)]
    pub(crate) industry: String,
    /// city, county, industry or enterprise.
    #[serde(default)]
    pub(crate) by: String,
    /// name, people, violations, due30 or a rule code.
    #[serde(default)]
    pub(crate) sort: String,
    /// asc or desc.
    #[serde(default)]
    pub(crate) dir: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub(crate) page: Option<u64>,
}

/// Where the regulator looks, checked against their jurisdiction.
pub(crate) struct Place {
    pub(crate) area: Area,
    /// Breadcrumbs: (label, href), the last one is the current place.
    crumbs: Vec<(String, String)>,
    label: String,
}

fn region_name(t: Tr, code: &str) -> String {
    anpei_domain::region::find(code)
        .map(|r| t.pick(r.name, r.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

fn industry_name(t: Tr, code: &str) -> String {
    Industry::parse(code)
        .map(|i| t.pick(i.name_zh(), i.name_en()).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// The area the query names, within the actor's jurisdiction; regions outside it are
/// refused as not found, so that nothing is learnt about them.
pub(crate) fn place(t: Tr, actor: &Actor, q: &DashboardQuery) -> Result<Place, WebError> {
    let (own_city, own_county) = match &actor.scope {
        Scope::City(city) => (Some(city.clone()), None),
        Scope::County(county) => (
            anpei_domain::region::city_of(county).map(|city| city.code.to_owned()),
            Some(county.clone()),
        ),
        Scope::Province | Scope::System => (None, None),
        _ => return Err(WebError::Forbidden),
    };
    let mut area = Area::default();
    if !q.county.is_empty() {
        let city = anpei_domain::region::city_of(&q.county)
            .filter(|_| anpei_domain::region::find(&q.county).is_some())
            .ok_or(WebError::NotFound)?;
        area.city = Some(city.code.to_owned());
        area.county = Some(q.county.clone());
    } else if !q.city.is_empty() {
        anpei_domain::region::cities()
            .find(|c| c.code == q.city)
            .ok_or(WebError::NotFound)?;
        area.city = Some(q.city.clone());
    }
    if let Some(own) = own_city {
        match &area.city {
            Some(city) if *city != own => return Err(WebError::NotFound),
            Some(_) => {}
            None => area.city = Some(own),
        }
    }
    if let Some(own) = own_county {
        match &area.county {
            Some(county) if *county != own => return Err(WebError::NotFound),
            Some(_) => {}
            None => area.county = Some(own),
        }
    }
    if !q.industry.is_empty() {
        Industry::parse(&q.industry).ok_or(WebError::NotFound)?;
        area.industry = Some(q.industry.clone());
    }
    let industry = area
        .industry
        .as_deref()
        .map(|i| format!("&industry={i}"))
        .unwrap_or_default();
    let mut crumbs = Vec::new();
    if matches!(actor.scope, Scope::Province | Scope::System) {
        crumbs.push((
            t.pick("黑龙江省", "Heilongjiang Province").to_owned(),
            format!("/dashboard?{}", industry.trim_start_matches('&')),
        ));
    }
    // A county's regulator starts at its county: the city is not its to look at.
    if let (Some(city), false) = (&area.city, matches!(actor.scope, Scope::County(_))) {
        crumbs.push((
            region_name(t, city),
            format!("/dashboard?city={city}{industry}"),
        ));
    }
    if let Some(county) = &area.county {
        crumbs.push((
            region_name(t, county),
            format!("/dashboard?county={county}{industry}"),
        ));
    }
    let mut label = crumbs
        .last()
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    if let Some(industry) = &area.industry {
        label = format!("{label} · {}", industry_name(t, industry));
    }
    Ok(Place {
        area,
        crumbs,
        label,
    })
}

/// The query pairs that name an area (for links).
fn area_pairs(area: &Area) -> Vec<(&'static str, String)> {
    vec![
        (
            if area.county.is_some() {
                "county"
            } else {
                "city"
            },
            area.county
                .clone()
                .or_else(|| area.city.clone())
                .unwrap_or_default(),
        ),
        ("industry", area.industry.clone().unwrap_or_default()),
        (
            "enterprise",
            area.enterprise.map(|e| e.to_string()).unwrap_or_default(),
        ),
    ]
}

fn people_href(area: &Area, extra: &[(&'static str, String)]) -> String {
    let mut pairs = area_pairs(area);
    pairs.extend(extra.iter().cloned());
    format!("/dashboard/people?{}", query_string(&pairs))
}

/// The breakdowns that make sense at this level, the default first.
pub(crate) fn groupings(area: &Area) -> Vec<Grouping> {
    if area.county.is_some() {
        vec![Grouping::Enterprise, Grouping::Industry]
    } else if area.city.is_some() {
        vec![Grouping::Enterprise, Grouping::County, Grouping::Industry]
    } else {
        vec![Grouping::City, Grouping::Industry, Grouping::Enterprise]
    }
}

pub(crate) fn grouping_code(grouping: Grouping) -> &'static str {
    match grouping {
        Grouping::City => "city",
        Grouping::County => "county",
        Grouping::Industry => "industry",
        Grouping::Enterprise => "enterprise",
    }
}

fn grouping_label(t: Tr, grouping: Grouping) -> &'static str {
    match grouping {
        Grouping::City => t.pick("按市（地）", "By city"),
        Grouping::County => t.pick("按县（市、区）", "By county"),
        Grouping::Industry => t.pick("按行业", "By industry"),
        Grouping::Enterprise => t.pick("按企业", "By enterprise"),
    }
}

fn column_label(t: Tr, grouping: Grouping) -> &'static str {
    match grouping {
        Grouping::City => t.pick("市（地）", "City"),
        Grouping::County => t.pick("县（市、区）", "County"),
        Grouping::Industry => t.pick("行业", "Industry"),
        Grouping::Enterprise => t.pick("企业", "Enterprise"),
    }
}

fn share_of(kpis: &Kpis, rule: RuleId) -> Share {
    match rule {
        RuleId::InPostAssessed => kpis.in_post_assessed,
        RuleId::NewHireHours => kpis.new_hire_trained,
        RuleId::TeamLeaderPromotion => kpis.team_leader_trained,
        _ => kpis.special_ops_certified,
    }
}

fn percent(share: &Share) -> String {
    share
        .percent()
        .map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "—".to_owned())
}

fn tone(share: &Share, target: f64) -> &'static str {
    match share.ratio() {
        None => "",
        Some(r) if r + 1e-9 >= target => "ok",
        Some(r) if r + 1e-9 >= target - 0.1 => "warn",
        Some(_) => "bad",
    }
}

fn people_count(t: Tr, share: &Share) -> String {
    if t.is_en() {
        format!("{}/{}", share.numerator, share.denominator)
    } else {
        format!("{}/{} 人", share.numerator, share.denominator)
    }
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
    counts: Counts,
    name: String,
    href: String,
    people: u64,
    cells: Vec<Cell>,
    violations: u64,
    violations_href: String,
    due30: u64,
    due30_href: String,
}

/// A big figure at the top.
struct Tile {
    id: String,
    label: String,
    value: String,
    detail: String,
    href: String,
    tone: &'static str,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct SortLink {
    label: &'static str,
    href: String,
    /// "ascending", "descending" or "none", for aria-sort.
    state: &'static str,
    class: &'static str,
}

/// The trend chart: one polyline per KPI over the daily snapshots.
struct Trend {
    series: Vec<Series>,
    first: String,
    last: String,
    rows: Vec<(String, Vec<String>)>,
}

struct Series {
    label: &'static str,
    class: &'static str,
    points: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    label: String,
    crumbs: Vec<(String, String)>,
    evaluated_on: String,
    people: u64,
    kpi_tiles: Vec<Tile>,
    target_tiles: Vec<Tile>,
    watch_tiles: Vec<Tile>,
    industries: Vec<Choice>,
    bys: Vec<Choice>,
    hidden: Vec<(&'static str, String)>,
    column: &'static str,
    sorts: Vec<SortLink>,
    lines: Vec<Line>,
    pager: Pager,
    export_href: String,
    trend: Option<Trend>,
}

fn kpi_tiles(t: Tr, area: &Area, counts: &Counts) -> Vec<Tile> {
    let kpis = counts.kpis();
    RULES
        .iter()
        .map(|rule| {
            let share = share_of(&kpis, *rule);
            Tile {
                id: format!("kpi-total-{}", rule.code()),
                label: t.pick(kpi_label_zh(*rule), rule.name_en()).to_owned(),
                value: percent(&share),
                detail: people_count(t, &share),
                href: people_href(area, &[("rule", rule.code().to_owned())]),
                tone: tone(&share, 1.0),
            }
        })
        .collect()
}

fn kpi_label_zh(rule: RuleId) -> &'static str {
    match rule {
        RuleId::InPostAssessed => "在岗员工培训考核合格",
        RuleId::NewHireHours => "新招录人员培训合格上岗",
        RuleId::TeamLeaderPromotion => "班组长技能提升培训",
        RuleId::SpecialOpsCertified => "特种作业人员持证上岗",
        other => other.name_zh(),
    }
}

/// The "二个提升" and key-position figures, against their targets.
fn target_tiles(t: Tr, area: &Area, shares: &EnterpriseShares) -> Vec<Tile> {
    let rules = compliance::rule_set();
    let q = &shares.qualification;
    let baseline = q.team_leaders_baseline.ratio().unwrap_or(0.0);
    let uplift_target = (baseline + rules.team_leader_uplift_points / 100.0).min(1.0);
    vec![
        Tile {
            id: "target-team-leaders".to_owned(),
            label: t
                .pick("班组长持证或中职以上学历比例", "Team leaders qualified")
                .to_owned(),
            value: percent(&q.team_leaders),
            detail: if t.is_en() {
                format!(
                    "{} · was {:.1}% on {}, target {:.1}%",
                    people_count(t, &q.team_leaders),
                    baseline * 100.0,
                    rules.baseline_on,
                    uplift_target * 100.0
                )
            } else {
                format!(
                    "{} · {} 为 {:.1}%，目标 {:.1}%",
                    people_count(t, &q.team_leaders),
                    rules.baseline_on,
                    baseline * 100.0,
                    uplift_target * 100.0
                )
            },
            href: people_href(area, &[("lack", "team_leader".to_owned())]),
            tone: tone(&q.team_leaders, uplift_target),
        },
        Tile {
            id: "target-staff-certified".to_owned(),
            label: t
                .pick(
                    "从业人员持职业资格或技能等级证书比例",
                    "Staff with vocational certificates",
                )
                .to_owned(),
            value: percent(&q.staff),
            detail: if t.is_en() {
                format!(
                    "{} · target {:.0}%",
                    people_count(t, &q.staff),
                    rules.qualification_share_target * 100.0
                )
            } else {
                format!(
                    "{} · 目标 {:.0}%",
                    people_count(t, &q.staff),
                    rules.qualification_share_target * 100.0
                )
            },
            href: people_href(area, &[("lack", "certified".to_owned())]),
            tone: tone(&q.staff, rules.qualification_share_target),
        },
        Tile {
            id: "target-key-positions".to_owned(),
            label: t
                .pick(
                    "重点岗位职工完成技能晋级培训比例",
                    "Key-position staff promoted",
                )
                .to_owned(),
            value: percent(&shares.key_position_promoted),
            detail: if t.is_en() {
                format!(
                    "{} · target {:.0}%",
                    people_count(t, &shares.key_position_promoted),
                    rules.key_position_promotion_share * 100.0
                )
            } else {
                format!(
                    "{} · 目标 {:.0}%",
                    people_count(t, &shares.key_position_promoted),
                    rules.key_position_promotion_share * 100.0
                )
            },
            href: people_href(area, &[("lack", "key_position".to_owned())]),
            tone: tone(
                &shares.key_position_promoted,
                rules.key_position_promotion_share,
            ),
        },
    ]
}

fn watch_tiles(t: Tr, area: &Area, counts: &Counts) -> Vec<Tile> {
    let (violations, due_soon) = counts.worst();
    let mut tiles = vec![
        Tile {
            id: "watch-violations".to_owned(),
            label: t
                .pick("存在违规的人员", "People with a violation")
                .to_owned(),
            value: violations.to_string(),
            detail: t.pick("任一规则不合规", "Any rule broken").to_owned(),
            href: people_href(area, &[("worst", "violation".to_owned())]),
            tone: if violations > 0 { "bad" } else { "ok" },
        },
        Tile {
            id: "watch-due-soon".to_owned(),
            label: t.pick("即将到期的人员", "People due soon").to_owned(),
            value: due_soon.to_string(),
            detail: t
                .pick(
                    "无违规，但有事项临近期限",
                    "No violation, something due soon",
                )
                .to_owned(),
            href: people_href(area, &[("worst", "due_soon".to_owned())]),
            tone: if due_soon > 0 { "warn" } else { "ok" },
        },
    ];
    for (days, count) in verdicts::HORIZONS.iter().zip(counts.due_within()) {
        tiles.push(Tile {
            id: format!("watch-due-{days}"),
            label: if t.is_en() {
                format!("Due within {days} days")
            } else {
                format!("{days} 天内到期")
            },
            value: count.to_string(),
            detail: t
                .pick(
                    "复审、换证、考核、培训等",
                    "Reviews, renewals, assessments, training",
                )
                .to_owned(),
            href: people_href(area, &[("due", days.to_string())]),
            tone: "",
        });
    }
    tiles
}

/// Lines of the breakdown, before sorting and paging.
fn lines(t: Tr, area: &Area, grouping: Grouping, rollup: Vec<verdicts::Line>) -> Vec<Line> {
    let industry = area
        .industry
        .as_deref()
        .map(|i| format!("&industry={i}"))
        .unwrap_or_default();
    rollup
        .into_iter()
        .filter(|line| line.counts.people() > 0)
        .map(|line| {
            let (name, href, line_area) = match grouping {
                Grouping::City => (
                    region_name(t, &line.key),
                    format!("/dashboard?city={}{industry}", line.key),
                    Area {
                        city: Some(line.key.clone()),
                        county: None,
                        ..area.clone()
                    },
                ),
                Grouping::County => (
                    region_name(t, &line.key),
                    format!("/dashboard?county={}{industry}", line.key),
                    Area {
                        county: Some(line.key.clone()),
                        ..area.clone()
                    },
                ),
                Grouping::Industry => {
                    let line_area = Area {
                        industry: Some(line.key.clone()),
                        ..area.clone()
                    };
                    let mut pairs = area_pairs(&line_area);
                    pairs.truncate(2);
                    (
                        industry_name(t, &line.key),
                        format!("/dashboard?{}", query_string(&pairs)),
                        line_area,
                    )
                }
                Grouping::Enterprise => (
                    line.name.clone().unwrap_or_default(),
                    format!("/enterprises/{}", line.key),
                    Area {
                        enterprise: Uuid::parse_str(&line.key).ok(),
                        ..area.clone()
                    },
                ),
            };
            let kpis = line.counts.kpis();
            let cells = RULES
                .iter()
                .map(|rule| {
                    let share = share_of(&kpis, *rule);
                    let href = if grouping == Grouping::Enterprise {
                        format!("/enterprises/{}/compliance?rule={}", line.key, rule.code())
                    } else {
                        people_href(&line_area, &[("rule", rule.code().to_owned())])
                    };
                    Cell {
                        percent: percent(&share),
                        detail: people_count(t, &share),
                        href,
                        tone: tone(&share, 1.0),
                        id: format!("{}-{}", line.key, rule.code()),
                    }
                })
                .collect();
            let (violations, _) = line.counts.worst();
            Line {
                counts: line.counts,
                name,
                href,
                people: line.counts.people(),
                cells,
                violations,
                violations_href: people_href(&line_area, &[("worst", "violation".to_owned())]),
                due30: line.counts.due_within()[0],
                due30_href: people_href(&line_area, &[("due", "30".to_owned())]),
            }
        })
        .collect()
}

/// Sorts lines by a column; percentages sort with "—" (nobody counted) last.
fn sort_lines(lines: &mut [Line], sort: &str, descending: bool) {
    let ratio = |line: &Line, index: usize| {
        line.cells[index]
            .percent
            .trim_end_matches('%')
            .parse::<f64>()
            .ok()
    };
    let rule_index = RULES.iter().position(|r| r.code() == sort);
    lines.sort_by(|a, b| {
        let order = match (sort, rule_index) {
            (_, Some(index)) => match (ratio(a, index), ratio(b, index)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
            ("people", _) => a.people.cmp(&b.people),
            ("violations", _) => a.violations.cmp(&b.violations),
            ("due30", _) => a.due30.cmp(&b.due30),
            _ => a.name.cmp(&b.name),
        };
        let order = if descending { order.reverse() } else { order };
        order.then_with(|| a.name.cmp(&b.name))
    });
}

fn trend(
    t: Tr,
    points: &[(chrono::NaiveDate, Counts)],
    today: chrono::NaiveDate,
    live: &Counts,
) -> Option<Trend> {
    let mut points: Vec<(chrono::NaiveDate, Kpis)> = points
        .iter()
        .filter(|(on, _)| *on < today)
        .map(|(on, counts)| (*on, counts.kpis()))
        .collect();
    points.push((today, live.kpis()));
    if points.len() < 2 {
        return None;
    }
    let (width, height) = (600.0, 160.0);
    let n = points.len() as f64 - 1.0;
    let classes = ["s1", "s2", "s3", "s4"];
    let series = RULES
        .iter()
        .zip(classes)
        .map(|(rule, class)| Series {
            label: t.pick(kpi_label_zh(*rule), rule.name_en()),
            class,
            points: points
                .iter()
                .enumerate()
                .filter_map(|(index, (_, kpis))| {
                    let ratio = share_of(kpis, *rule).ratio()?;
                    let x = index as f64 / n * width;
                    let y = height - ratio * height;
                    Some(format!("{x:.1},{y:.1}"))
                })
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let rows = points
        .iter()
        .map(|(on, kpis)| {
            (
                on.to_string(),
                RULES
                    .iter()
                    .map(|rule| percent(&share_of(kpis, *rule)))
                    .collect(),
            )
        })
        .collect();
    Some(Trend {
        series,
        first: points
            .first()
            .map(|(on, _)| on.to_string())
            .unwrap_or_default(),
        last: points
            .last()
            .map(|(on, _)| on.to_string())
            .unwrap_or_default(),
        rows,
    })
}

/// Everything the page and the export share: the place, the totals and the sorted lines.
struct Figures {
    place: Place,
    grouping: Grouping,
    total: Counts,
    lines: Vec<Line>,
    /// The sort direction in force (counts default to largest first).
    descending: bool,
}

async fn figures(
    state: &AppState,
    t: Tr,
    actor: &Actor,
    q: &DashboardQuery,
) -> Result<Figures, WebError> {
    let place = place(t, actor, q)?;
    let db = state.store.connection();
    let options = groupings(&place.area);
    let grouping = options
        .iter()
        .copied()
        .find(|g| grouping_code(*g) == q.by)
        .unwrap_or(options[0]);
    let total = verdicts::rollup(db, actor, &place.area, None)
        .await?
        .into_iter()
        .fold(Counts::default(), |sum, line| sum + line.counts);
    let rollup = verdicts::rollup(db, actor, &place.area, Some(grouping)).await?;
    let mut lines = lines(t, &place.area, grouping, rollup);
    let descending = match q.dir.as_str() {
        "desc" => true,
        "asc" => false,
        _ => matches!(q.sort.as_str(), "people" | "violations" | "due30"),
    };
    sort_lines(&mut lines, &q.sort, descending);
    Ok(Figures {
        place,
        grouping,
        total,
        lines,
        descending,
    })
}

async fn page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let Figures {
        place,
        grouping,
        total,
        lines: all_lines,
        descending,
    } = figures(&state, t, &authed.actor, &q).await?;
    let area = &place.area;
    let mut base = area_pairs(area);
    base.truncate(2);
    base.push(("by", grouping_code(grouping).to_owned()));
    let with = |extra: &[(&'static str, String)]| {
        let mut pairs = base.clone();
        pairs.extend(extra.iter().cloned());
        query_string(&pairs)
    };
    let sort_columns: [(&str, &'static str); 8] = [
        ("name", column_label(t, grouping)),
        ("people", t.pick("在岗人数", "People")),
        (
            RULES[0].code(),
            t.pick("在岗员工培训考核合格", "In-post assessed"),
        ),
        (
            RULES[1].code(),
            t.pick("新招录人员培训合格", "New hires trained"),
        ),
        (
            RULES[2].code(),
            t.pick("班组长技能提升培训", "Team leaders trained"),
        ),
        (
            RULES[3].code(),
            t.pick("特种作业人员持证上岗", "Special ops certified"),
        ),
        ("violations", t.pick("违规人数", "Violations")),
        ("due30", t.pick("30 天内到期", "Due in 30 days")),
    ];
    let current_sort = if q.sort.is_empty() {
        "name"
    } else {
        q.sort.as_str()
    };
    let sorts = sort_columns
        .iter()
        .map(|(code, label)| {
            let active = *code == current_sort;
            let next_dir = if active && !descending { "desc" } else { "asc" };
            SortLink {
                label,
                href: format!(
                    "/dashboard?{}",
                    with(&[("sort", (*code).to_owned()), ("dir", next_dir.to_owned())])
                ),
                state: match (active, descending) {
                    (false, _) => "none",
                    (true, true) => "descending",
                    (true, false) => "ascending",
                },
                class: if *code == "name" { "" } else { "num" },
            }
        })
        .collect();
    let page_no = q.page.unwrap_or(1).max(1);
    let total_lines = all_lines.len() as u64;
    let page_of = anpei_store::read::Page {
        items: Vec::<()>::new(),
        total: total_lines,
        page: page_no,
        per_page: LINES_PER_PAGE,
    };
    let pager = Pager::new(
        "/dashboard",
        &with(&[("sort", q.sort.clone()), ("dir", q.dir.clone())]),
        &page_of,
    );
    let lines: Vec<Line> = all_lines
        .into_iter()
        .skip(((page_no - 1) * LINES_PER_PAGE) as usize)
        .take(LINES_PER_PAGE as usize)
        .collect();
    let snapshots = verdicts::trend(db, &authed.actor, area).await?;
    let evaluated_on = verdicts::last_rebuild(db)
        .await?
        .map(|d| d.to_string())
        .unwrap_or_else(|| t.pick("尚未评估", "not yet").to_owned());
    let mut industries = vec![Choice {
        value: String::new(),
        label: t.pick("全部行业", "All industries").to_owned(),
        selected: area.industry.is_none(),
    }];
    industries.extend(Industry::ALL.iter().map(|i| Choice {
        value: i.code().to_owned(),
        label: t.pick(i.name_zh(), i.name_en()).to_owned(),
        selected: area.industry.as_deref() == Some(i.code()),
    }));
    let bys = groupings(area)
        .into_iter()
        .map(|g| Choice {
            value: grouping_code(g).to_owned(),
            label: grouping_label(t, g).to_owned(),
            selected: g == grouping,
        })
        .collect();
    let mut hidden = area_pairs(area);
    hidden.truncate(1);
    hidden.retain(|(_, v)| !v.is_empty());
    let mut export = base.clone();
    export.push(("sort", q.sort.clone()));
    export.push(("dir", q.dir.clone()));
    render(&DashboardPage {
        l: Layout::new(
            t,
            t.pick("合规看板", "Compliance dashboard"),
            Some(&authed),
            "/dashboard",
        ),
        label: place.label.clone(),
        crumbs: place.crumbs.clone(),
        evaluated_on,
        people: total.people(),
        kpi_tiles: kpi_tiles(t, area, &total),
        target_tiles: target_tiles(t, area, &total.shares()),
        watch_tiles: watch_tiles(t, area, &total),
        industries,
        bys,
        hidden,
        column: column_label(t, grouping),
        sorts,
        lines,
        pager,
        export_href: format!("/dashboard.xlsx?{}", query_string(&export)),
        trend: trend(t, &snapshots, today, &total),
    })
}

/// The dashboard's table as .xlsx: every line (not one page), the totals last.
async fn export(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, WebError> {
    use anpei_formats::table::{Cell as X, Report};
    let today = clock::today();
    let Figures {
        place,
        grouping,
        total,
        lines,
        ..
    } = figures(&state, t, &authed.actor, &q).await?;
    let mut headers = vec![
        column_label(t, grouping).to_owned(),
        t.pick("在岗人数", "People").to_owned(),
    ];
    for rule in RULES {
        let label = t.pick(kpi_label_zh(rule), rule.name_en());
        headers.push(format!("{label} %"));
        headers.push(format!("{label} {}", t.pick("合格人数", "met")));
        headers.push(format!("{label} {}", t.pick("应检人数", "counted")));
    }
    headers.push(t.pick("违规人数", "People with a violation").to_owned());
    headers.push(t.pick("30 天内到期", "Due within 30 days").to_owned());
    let row = |name: String, people: u64, kpis: Kpis, violations: u64, due30: u64| {
        let mut cells = vec![X::Text(name), X::Int(people as i64)];
        for rule in RULES {
            let share = share_of(&kpis, rule);
            cells.push(X::Percent(share.ratio()));
            cells.push(X::Int(share.numerator as i64));
            cells.push(X::Int(share.denominator as i64));
        }
        cells.push(X::Int(violations as i64));
        cells.push(X::Int(due30 as i64));
        cells
    };
    let mut rows = Vec::with_capacity(lines.len() + 1);
    for line in &lines {
        rows.push(row(
            line.name.clone(),
            line.people,
            line.counts.kpis(),
            line.violations,
            line.due30,
        ));
    }
    rows.push(row(
        t.pick("合计", "Total").to_owned(),
        total.people(),
        total.kpis(),
        total.worst().0,
        total.due_within()[0],
    ));
    let report = Report {
        sheet: t.pick("合规指标", "Compliance KPIs").to_owned(),
        title: format!(
            "{} · {} · {}",
            t.pick("合规看板", "Compliance dashboard"),
            place.label,
            today
        ),
        headers,
        rows,
    };
    let bytes =
        anpei_formats::table::write_xlsx(&report).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"anpei-kpis-{today}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct PeopleQuery {
    #[serde(default)]
    pub(crate) city: String,
    #[serde(default)]
    pub(crate) county: String,
    #[serde(default)]
    pub(crate) industry: String,
    #[serde(default)]
    pub(crate) enterprise: String,
    /// A person rule: people it finds due soon or in violation (violations only with
    /// `verdict=violation`).
    #[serde(default)]
    pub(crate) rule: String,
    #[serde(default)]
    pub(crate) verdict: String,
    /// violation or due_soon: by the person's worst verdict.
    #[serde(default)]
    pub(crate) worst: String,
    /// team_leader, certified or key_position: who is missing from a target's share.
    #[serde(default)]
    pub(crate) lack: String,
    /// 30, 60 or 90: something due within that many days.
    #[serde(default)]
    pub(crate) due: String,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub(crate) page: Option<u64>,
}

struct PersonLine {
    href: String,
    name: String,
    enterprise: String,
    enterprise_href: String,
    verdict: &'static str,
    tone: &'static str,
    due: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "dashboard_people.html")]
struct PeoplePage {
    l: Layout,
    label: String,
    crumbs: Vec<(String, String)>,
    title: String,
    explain: String,
    lines: Vec<PersonLine>,
    pager: Pager,
    horizons: Vec<Choice>,
}

pub(crate) fn wanted(q: &PeopleQuery) -> Result<(Wanted, Option<RuleId>), WebError> {
    if let Some(rule) = RuleId::parse(&q.rule) {
        let verdict = Verdict::parse(&q.verdict).unwrap_or(Verdict::Violation);
        return match rule {
            RuleId::KeyPositionPromotion => Ok((Wanted::KeyPositionNotPromoted, Some(rule))),
            RuleId::QualificationTargets => Ok((Wanted::TeamLeaderNotQualified, Some(rule))),
            _ => Ok((Wanted::Rule(rule, verdict), Some(rule))),
        };
    }
    if !q.rule.is_empty() {
        return Err(WebError::NotFound);
    }
    Ok(match (q.worst.as_str(), q.lack.as_str(), q.due.as_str()) {
        ("violation", _, _) => (Wanted::Worst(Verdict::Violation), None),
        ("due_soon", _, _) => (Wanted::Worst(Verdict::DueSoon), None),
        (_, "team_leader", _) => (
            Wanted::TeamLeaderNotQualified,
            Some(RuleId::QualificationTargets),
        ),
        (_, "certified", _) => (Wanted::NotCertified, Some(RuleId::QualificationTargets)),
        (_, "key_position", _) => (
            Wanted::KeyPositionNotPromoted,
            Some(RuleId::KeyPositionPromotion),
        ),
        (_, _, due) if !due.is_empty() => {
            let days: i64 = due.parse().map_err(|_| WebError::NotFound)?;
            if !verdicts::HORIZONS.contains(&days) {
                return Err(WebError::NotFound);
            }
            (Wanted::DueWithin(days), None)
        }
        _ => (Wanted::Worst(Verdict::DueSoon), None),
    })
}

fn wanted_title(t: Tr, wanted: Wanted) -> (String, String) {
    match wanted {
        Wanted::Worst(Verdict::Violation) | Wanted::Worst(Verdict::Compliant) => (
            t.pick("存在违规的人员", "People with a violation").to_owned(),
            t.pick("任一规则不合规的在岗人员，附原因。", "People in post who break any rule, with the reasons.").to_owned(),
        ),
        Wanted::Worst(Verdict::DueSoon) => (
            t.pick("需要关注的人员", "People needing attention").to_owned(),
            t.pick("违规或即将到期的在岗人员。", "People in post with a violation or something due soon.").to_owned(),
        ),
        Wanted::Rule(rule, _) => (
            t.pick(kpi_label_zh(rule), rule.name_en()).to_owned(),
            t.pick("该规则下不合规的人员，附原因与依据。", "People this rule finds in violation, with the reasons and evidence.").to_owned(),
        ),
        Wanted::KeyPositionNotPromoted => (
            t.pick("未完成技能晋级培训的重点岗位职工", "Key-position staff not yet promoted").to_owned(),
            t.pick("计入“10% 以上重点岗位职工完成职业技能晋级培训”目标的分母、尚未完成的人员。", "Counted toward the 10% key-position promotion target, not yet promoted.").to_owned(),
        ),
        Wanted::TeamLeaderNotQualified => (
            t.pick("未持证且无中职以上学历的班组长", "Team leaders without qualification").to_owned(),
            t.pick("“二个提升”班组长比例的分母中尚未达标的人员。", "Team leaders not yet counted as qualified for the uplift target.").to_owned(),
        ),
        Wanted::NotCertified => (
            t.pick("未持职业资格或技能等级证书的从业人员", "Staff without vocational certificates").to_owned(),
            t.pick("“从业人员持证比例 30% 以上”目标中尚未持证的人员。", "Staff not yet certified toward the 30% target.").to_owned(),
        ),
        Wanted::DueWithin(days) => (
            if t.is_en() {
                format!("Due within {days} days")
            } else {
                format!("{days} 天内到期的人员")
            },
            t.pick("证书复审或换证、年度考核、培训等将在期限内到期的在岗人员，按期限先后排列。", "People in post with a certificate review or renewal, assessment or training falling due in that time.").to_owned(),
        ),
    }
}

fn reasons(
    t: Tr,
    findings: &[Finding],
    rule: Option<RuleId>,
    wanted: Wanted,
    today: chrono::NaiveDate,
) -> Vec<String> {
    let text = |f: &Finding| {
        if t.is_en() {
            f.reason_en.clone()
        } else {
            f.reason_zh.clone()
        }
    };
    let picked: Vec<String> = findings
        .iter()
        .filter(|f| match (wanted, rule) {
            (Wanted::Rule(r, _), _) => f.rule == r && f.verdict != Verdict::Compliant,
            (Wanted::DueWithin(days), _) => f.evidence.iter().any(|e| {
                matches!(e, anpei_domain::rules::Evidence::DueOn { date }
                    if *date >= today && (*date - today).num_days() <= days)
            }),
            (_, Some(_)) => false,
            _ => f.verdict != Verdict::Compliant,
        })
        .map(text)
        .collect();
    picked
}

async fn people(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, WebError> {
    let today = clock::today();
    let db = state.store.connection();
    let (wanted, rule) = wanted(&q)?;
    let place = if q.enterprise.is_empty() {
        place(
            t,
            &authed.actor,
            &DashboardQuery {
                city: q.city.clone(),
                county: q.county.clone(),
                industry: q.industry.clone(),
                ..DashboardQuery::default()
            },
        )?
    } else {
        let id = Uuid::parse_str(&q.enterprise).map_err(|_| WebError::NotFound)?;
        anpei_store::access::enterprise_staff_read(db, &authed.actor, id).await?;
        let enterprise = anpei_store::read::enterprise(db, &authed.actor, id, today).await?;
        Place {
            area: Area {
                enterprise: Some(id),
                ..Area::default()
            },
            crumbs: vec![(enterprise.name.clone(), format!("/enterprises/{id}"))],
            label: enterprise.name,
        }
    };
    let page_no = q.page.unwrap_or(1).max(1);
    let (total, listed) = verdicts::people(
        db,
        &authed.actor,
        &place.area,
        wanted,
        today,
        (page_no - 1) * PEOPLE_PER_PAGE,
        PEOPLE_PER_PAGE,
    )
    .await?;
    let ids: Vec<Uuid> = listed.iter().map(|p| p.person_id).collect();
    let facts = compliance::person_facts(db, &ids).await?;
    let lines = listed
        .iter()
        .map(|person| {
            let findings = facts
                .get(&person.person_id)
                .map(|f| anpei_domain::rules::evaluate_person(f, compliance::rule_set(), today))
                .unwrap_or_default();
            let shown = match (wanted, rule) {
                (Wanted::Rule(r, _), _) => {
                    anpei_domain::rules::standing::person_rule_index(r)
                        .and_then(|i| person.row.rules[i])
                }
                _ => person.row.worst(),
            }
            .unwrap_or(Verdict::Compliant);
            let (verdict, tone) = super::compliance::verdict_badge(t, shown);
            let mut reasons = reasons(t, &findings, rule, wanted, today);
            if reasons.is_empty() {
                reasons.push(match wanted {
                    Wanted::KeyPositionNotPromoted => t
                        .pick("重点岗位，尚无通过考核的职业技能晋级培训记录", "Key position; no passed skill-promotion training on record")
                        .to_owned(),
                    Wanted::TeamLeaderNotQualified => t
                        .pick("班组长，无职业资格或技能等级证书，且未记录中职以上学历", "Team leader; no vocational qualification or skill-level certificate and no vocational education on record")
                        .to_owned(),
                    Wanted::NotCertified => t
                        .pick("无职业资格或技能等级证书", "No vocational qualification or skill-level certificate")
                        .to_owned(),
                    _ => t.pick("当前无待处理事项", "Nothing open today").to_owned(),
                });
            }
            PersonLine {
                href: format!("/persons/{}", person.person_id),
                name: person.name.clone(),
                enterprise: person.enterprise_name.clone(),
                enterprise_href: format!("/enterprises/{}", person.enterprise_id),
                verdict,
                tone,
                due: person.row.next_due.map(|d| d.to_string()).unwrap_or_default(),
                reasons,
            }
        })
        .collect();
    let (title, explain) = wanted_title(t, wanted);
    let mut pairs = area_pairs(&place.area);
    for (key, value) in [
        ("rule", &q.rule),
        ("verdict", &q.verdict),
        ("worst", &q.worst),
        ("lack", &q.lack),
        ("due", &q.due),
    ] {
        pairs.push((key, value.clone()));
    }
    let pager = Pager::new(
        "/dashboard/people",
        &query_string(&pairs),
        &anpei_store::read::Page {
            items: Vec::<()>::new(),
            total,
            page: page_no,
            per_page: PEOPLE_PER_PAGE,
        },
    );
    let horizons = if matches!(wanted, Wanted::DueWithin(_)) {
        verdicts::HORIZONS
            .iter()
            .map(|days| Choice {
                value: people_href(&place.area, &[("due", days.to_string())]),
                label: if t.is_en() {
                    format!("{days} days")
                } else {
                    format!("{days} 天")
                },
                selected: q.due == days.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&PeoplePage {
        l: Layout::new(t, &title, Some(&authed), "/dashboard"),
        label: place.label,
        crumbs: place.crumbs,
        title,
        explain,
        lines,
        pager,
        horizons,
    })
}
