//! `/exams`: the sessions the caller organises or staffs (filterable, sortable, paged), and
//! around them the sites, blueprints and choices the creation forms in `forms.rs` offer.

use anpei_domain::{region, trade};
use anpei_store::Scope;
use anpei_store::exam::bank::{self, QuestionFilter};
use anpei_store::exam::sessions;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::forms::{BlueprintForm, Forms, SessionForm, SiteForm};
use super::{
    Choice, ChoiceGroup, FormError, PER_PAGE, choice, kind_label, part_label, session_state,
    trade_label,
};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::Tr;
use crate::pages::{Layout, Pager, SortHeader, query_string, render, sort_headers};
use crate::{AppState, clock};

fn organises_any(scope: &Scope) -> bool {
    matches!(scope, Scope::City(_) | Scope::Province | Scope::System)
}

fn owns_bank(scope: &Scope) -> bool {
    matches!(scope, Scope::Province | Scope::System)
}

#[derive(Deserialize, Default)]
pub(super) struct ListParams {
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
pub(super) struct ExamsPage {
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

pub(super) async fn list(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let page = exams_page(&state, t, &authed, &params, Forms::default()).await?;
    render(&page)
}

pub(super) async fn exams_page(
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
