//! The enterprise's 台账 pages (SPEC C4): one tab per ledger — apprenticeships, time off
//! post, process changes, the yearly training plan, training capacity, skill promotion —
//! each a sortable, filterable, paged table and, for the enterprise's own account, a form
//! that keeps what was typed when it is refused. Regulators of the enterprise's city read;
//! everyone else gets 404. The forms go through the same parsers and store operations as
//! the JSON API.

use std::collections::HashMap;

use anpei_domain::rules::TrainingKind;
use anpei_domain::{OffPostReason, ProcessChangeKind, SkillLevel, TrainingMode};
use anpei_store::read::{self as base_read, StaffQuery, StaffSort};
use anpei_store::read_ledgers::{
    self as read, ApprenticeshipSort, ApprenticeshipStatus, OffPostFilter, OffPostSort, Paging,
    PromotionStatus,
};
use anpei_store::{Scope, ops};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use uuid::Uuid;

use super::{Layout, Pager, SortHeader, date, query_string, render, sort_headers};
use crate::api::certificates::parse_date;
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
    let page = page(&state, t, &authed, id, tab, &params, Typed::default(), None).await?;
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
    let outcome = record(&state, &authed, staff, tab, &typed).await;
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/enterprises/{id}/ledgers/{}", tab.slug())).into_response())
        }
        Err(WebError::Invalid { field, zh, en }) => {
            let message = t.pick_owned(&(zh, en));
            let page = page(
                &state,
                t,
                &authed,
                id,
                tab,
                &Params::new(),
                typed,
                Some((field, message)),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

/// Parses the form as the API would parse its JSON, then writes through the same operation.
async fn record(
    state: &AppState,
    authed: &Authed,
    staff: anpei_store::access::EnterpriseStaffWrite,
    tab: LedgerTab,
    typed: &Typed,
) -> Result<(), WebError> {
    let store = &state.store;
    let actor = &authed.actor;
    let (today, now) = (clock::today(), clock::now());
    match tab {
        LedgerTab::Apprenticeships => {
            let (person, new) = api::parse_apprenticeship(&api::ApprenticeshipRequest {
                person_id: typed.get("person_id"),
                mentor_id: typed.get("mentor_id"),
                position: typed.get("position"),
                started_on: typed.get("started_on"),
                planned_graduation_on: typed.get("planned_graduation_on"),
                graduated_on: typed.optional("graduated_on"),
                works_alone: !typed.get("works_alone").is_empty(),
            })?;
            ops::enterprise_ledgers::record_apprenticeship(
                store, actor, staff, person, new, today, now,
            )
            .await?;
        }
        LedgerTab::OffPost => {
            let (person, new) = api::parse_off_post(&api::OffPostRequest {
                person_id: typed.get("person_id"),
                starts_on: typed.get("starts_on"),
                ends_on: typed.optional("ends_on"),
                reason: typed.get("reason"),
                note: typed.get("note"),
            })?;
            ops::enterprise_ledgers::record_off_post(store, actor, staff, person, new, today, now)
                .await?;
        }
        LedgerTab::ProcessChanges => {
            let new = api::parse_process_change(&api::ProcessChangeRequest {
                changed_on: typed.get("changed_on"),
                kind: typed.get("kind"),
                description: typed.get("description"),
                people: typed.all("people"),
            })?;
            ops::enterprise_ledgers::record_process_change(store, actor, staff, new, today, now)
                .await?;
        }
        LedgerTab::TrainingPlan => {
            let (kind, item) = api::parse_plan_item(
                &api::PlanItemRequest {
                    year: typed.number("year")?,
                    topic: typed.get("topic"),
                    kind: typed.get("kind"),
                    audience: typed.get("audience"),
                    planned_hours: typed.number("planned_hours")?,
                    planned_month: typed.number("planned_month")?,
                    planned_headcount: typed.number("planned_headcount")?,
                },
                today,
            )?;
            ops::enterprise_ledgers::record_plan_item(store, actor, staff, kind, item, now).await?;
        }
        LedgerTab::TrainingCapacity => {
            let self_training = typed.get("mode") == TrainingMode::SelfTraining.code();
            let (since, capacity) = api::parse_capacity(&api::CapacityRequest {
                mode: typed.get("mode"),
                since: typed.get("since"),
                trainers: if self_training {
                    Some(typed.number("trainers")?)
                } else {
                    None
                },
                facilities: typed.get("facilities"),
                institution_name: typed.get("institution_name"),
                institution_credit_code: typed.get("institution_credit_code"),
            })?;
            ops::enterprise_ledgers::record_capacity(store, actor, staff, since, capacity, now)
                .await?;
        }
        LedgerTab::SkillPromotions => {
            let (person, new) = api::parse_promotion(&api::PromotionRequest {
                person_id: typed.get("person_id"),
                current_level: typed.get("current_level"),
                target_level: typed.get("target_level"),
                due_on: typed.get("due_on"),
            })?;
            ops::enterprise_ledgers::record_promotion(store, actor, staff, person, new, today, now)
                .await?;
        }
    }
    Ok(())
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
    let store = &state.store;
    let actor = &authed.actor;
    let (today, now) = (clock::today(), clock::now());
    match (tab, action.as_str()) {
        (LedgerTab::Apprenticeships, "graduation") => {
            let on = parse_date("graduated_on", &form.on)?;
            ops::enterprise_ledgers::record_graduation(
                store,
                actor,
                staff,
                (owner, row),
                on,
                today,
                now,
            )
            .await?;
        }
        (LedgerTab::OffPost, "end") => {
            let on = parse_date("ends_on", &form.on)?;
            ops::enterprise_ledgers::end_off_post(store, actor, staff, owner, row, on, now).await?;
        }
        (LedgerTab::SkillPromotions, "achieved") => {
            let on = parse_date("achieved_on", &form.on)?;
            ops::enterprise_ledgers::record_promotion_achieved(
                store,
                actor,
                staff,
                (owner, row),
                on,
                today,
                now,
            )
            .await?;
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

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    tab: LedgerTab,
    params: &Params,
    typed: Typed,
    error: Option<(String, String)>,
) -> Result<LedgersPage, WebError> {
    let db = state.store.connection();
    let today = clock::today();
    let read_access = api::ledger_read(state, authed, id).await?;
    let enterprise = base_read::enterprise(db, &authed.actor, id, today).await?;
    let can_write = matches!(authed.actor.scope, Scope::Enterprise(own) if own == id);
    let path = format!("/enterprises/{id}/ledgers/{}", tab.slug());
    let param = |name: &str| params.get(name).cloned().unwrap_or_default();
    let desc = param("desc") == "true";
    let paging = Paging {
        page: params
            .get("page")
            .and_then(|p| crate::paging::page_from_text(p))
            .unwrap_or(1),
        per_page: 25,
        desc,
    };
    let (error_field, form_error) = match error {
        Some((field, message)) => (field, Some(message)),
        None => (String::new(), None),
    };
    // Who the person fields offer: the current staff, by name.
    let staff_choices = |selected: Vec<String>| async move {
        if !can_write {
            return Ok::<_, WebError>(Vec::new());
        }
        let staff = base_read::staff(
            db,
            &authed.actor,
            id,
            &StaffQuery {
                page: 1,
                per_page: base_read::MAX_PER_PAGE,
                sort: StaffSort::Name,
                ..StaffQuery::default()
            },
            today,
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
    };
    let field = |name: &'static str, label: &'static str, kind: &'static str| Field {
        name,
        label,
        kind,
        value: typed.get(name),
        choices: Vec::new(),
        invalid: error_field == name,
    };
    let select = |name: &'static str, label: &'static str, choices: Vec<Choice>| Field {
        name,
        label,
        kind: "select",
        value: typed.get(name),
        choices,
        invalid: error_field == name,
    };
    let mut filters = Vec::new();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut pager = None;
    let mut summary = None;
    let mut fields = Vec::new();
    let (title, intro, empty, form_title, headers);
    match tab {
        LedgerTab::Apprenticeships => {
            title = t.pick("师带徒台账", "Apprenticeships");
            intro = t.pick(
                "学徒出徒后方可独立上岗（规则 6）。师傅须为本企业在岗人员。",
                "Apprentices work alone only after graduating (rule 6). Mentors are on the enterprise's staff.",
            );
            empty = t.pick("尚无师带徒记录。", "No apprenticeships on record.");
            form_title = t.pick("登记师带徒", "Record an apprenticeship");
            let status_code = param("status");
            let status = ApprenticeshipStatus::parse(&status_code);
            filters.push(Filter {
                name: "status",
                label: t.pick("状态", "Status"),
                choices: with_all(
                    t,
                    vec![
                        Choice {
                            value: "in_progress".to_owned(),
                            label: t.pick("带徒中", "In progress").to_owned(),
                            selected: status == Some(ApprenticeshipStatus::InProgress),
                        },
                        Choice {
                            value: "graduated".to_owned(),
                            label: t.pick("已出徒", "Graduated").to_owned(),
                            selected: status == Some(ApprenticeshipStatus::Graduated),
                        },
                    ],
                ),
            });
            let sort = match param("sort").as_str() {
                "planned" => ApprenticeshipSort::PlannedGraduation,
                _ => ApprenticeshipSort::Started,
            };
            let sort_key = match sort {
                ApprenticeshipSort::Started => "started",
                ApprenticeshipSort::PlannedGraduation => "planned",
            };
            let base = query_string(&[("status", status_code.clone())]);
            let sorts = sort_headers(
                &path,
                &base,
                sort_key,
                desc,
                &[
                    ("started", t.pick("拜师日期", "Started")),
                    ("planned", t.pick("计划出徒", "Planned graduation")),
                ],
            );
            let mut sorts = sorts.into_iter();
            headers = vec![
                Header {
                    label: t.pick("学徒", "Apprentice"),
                    sort: None,
                },
                Header {
                    label: t.pick("师傅", "Mentor"),
                    sort: None,
                },
                Header {
                    label: t.pick("岗位/工种", "Post / trade"),
                    sort: None,
                },
                Header {
                    label: t.pick("拜师日期", "Started"),
                    sort: sorts.next(),
                },
                Header {
                    label: t.pick("计划出徒", "Planned graduation"),
                    sort: sorts.next(),
                },
                Header {
                    label: t.pick("出徒日期", "Graduated"),
                    sort: None,
                },
                Header {
                    label: t.pick("独立上岗", "Works alone"),
                    sort: None,
                },
            ];
            let result = read::apprenticeships(db, read_access, status, sort, paging).await?;
            pager = Some(Pager::new(
                &path,
                &paging_base(&base, sort_key, desc),
                &result,
            ));
            for a in result.items {
                let graduated = match a.row.graduated_on {
                    Some(on) => Cell::text(date(on)),
                    None if can_write => Cell {
                        text: t.pick("带徒中", "In progress").to_owned(),
                        href: None,
                        action: Some(RowAction {
                            href: format!("{path}/{}/{}/graduation", a.row.person_id, a.row.id),
                            summary: t.pick("登记出徒", "Record graduation"),
                            label: t.pick("出徒日期", "Graduated on"),
                        }),
                    },
                    None => Cell::text(t.pick("带徒中", "In progress")),
                };
                rows.push(vec![
                    Cell::link(a.apprentice, person_href(a.row.person_id)),
                    Cell::link(a.mentor, person_href(a.row.mentor_id)),
                    Cell::text(a.row.position),
                    Cell::text(date(a.row.started_on)),
                    Cell::text(date(a.row.planned_graduation_on)),
                    graduated,
                    Cell::text(if a.row.works_alone {
                        t.pick("是", "Yes")
                    } else {
                        t.pick("否", "No")
                    }),
                ]);
            }
            if can_write {
                let person = typed.get("person_id");
                let mentor = typed.get("mentor_id");
                fields = vec![
                    select(
                        "person_id",
                        t.pick("学徒", "Apprentice"),
                        staff_choices(vec![person]).await?,
                    ),
                    select(
                        "mentor_id",
                        t.pick("师傅", "Mentor"),
                        staff_choices(vec![mentor]).await?,
                    ),
                    field("position", t.pick("岗位/工种", "Post / trade"), "text"),
                    field("started_on", t.pick("拜师日期", "Started"), "date"),
                    field(
                        "planned_graduation_on",
                        t.pick("计划出徒日期", "Planned graduation"),
                        "date",
                    ),
                    field(
                        "graduated_on",
                        t.pick("出徒日期（已出徒时填写）", "Graduated (if already)"),
                        "date",
                    ),
                    field(
                        "works_alone",
                        t.pick("已独立上岗", "Works a post alone"),
                        "check",
                    ),
                ];
            }
        }
        LedgerTab::OffPost => {
            title = t.pick("离岗台账", "Time off post");
            intro = t.pick(
                "离岗 3 个月以上重新上岗，须经针对性培训并考核合格（规则 3）。年度考核不合格自动登记离岗，考核合格后自动结束。",
                "Back after 3 months or more away needs targeted training and a pass (rule 3). A failed yearly assessment opens a period off post; a later pass closes it.",
            );
            empty = t.pick("尚无离岗记录。", "No time off post on record.");
            form_title = t.pick("登记离岗", "Record time off post");
            let reason_code = param("reason");
            let reason = OffPostReason::parse(&reason_code);
            let away = param("away");
            filters.push(Filter {
                name: "reason",
                label: t.pick("离岗原因", "Reason"),
                choices: with_all(
                    t,
                    choices(
                        &OffPostReason::ALL,
                        OffPostReason::code,
                        |r| t.pick(r.name_zh(), r.name_en()),
                        &reason_code,
                    ),
                ),
            });
            filters.push(Filter {
                name: "away",
                label: t.pick("范围", "Scope"),
                choices: vec![
                    Choice {
                        value: String::new(),
                        label: t.pick("全部", "All").to_owned(),
                        selected: away.is_empty(),
                    },
                    Choice {
                        value: "today".to_owned(),
                        label: t.pick("今日离岗", "Away today").to_owned(),
                        selected: away == "today",
                    },
                ],
            });
            let sort = match param("sort").as_str() {
                "ends" => OffPostSort::Ends,
                _ => OffPostSort::Starts,
            };
            let sort_key = if sort == OffPostSort::Ends {
                "ends"
            } else {
                "starts"
            };
            let base = query_string(&[("reason", reason_code.clone()), ("away", away.clone())]);
            let mut sorts = sort_headers(
                &path,
                &base,
                sort_key,
                desc,
                &[
                    ("starts", t.pick("离岗日期", "From")),
                    ("ends", t.pick("返岗前最后一天", "Last day away")),
                ],
            )
            .into_iter();
            headers = vec![
                Header {
                    label: t.pick("姓名", "Name"),
                    sort: None,
                },
                Header {
                    label: t.pick("离岗原因", "Reason"),
                    sort: None,
                },
                Header {
                    label: t.pick("离岗日期", "From"),
                    sort: sorts.next(),
                },
                Header {
                    label: t.pick("返岗前最后一天", "Last day away"),
                    sort: sorts.next(),
                },
                Header {
                    label: t.pick("说明", "Note"),
                    sort: None,
                },
            ];
            let filter = OffPostFilter {
                open_on: (away == "today").then_some(today),
                reason,
            };
            let result = read::off_post(db, read_access, &filter, sort, paging).await?;
            pager = Some(Pager::new(
                &path,
                &paging_base(&base, sort_key, desc),
                &result,
            ));
            for p in result.items {
                let reason = OffPostReason::parse(&p.row.reason);
                let closes_itself = reason == Some(OffPostReason::FailedAssessment);
                let ends = match p.row.ends_on {
                    Some(on) => Cell::text(date(on)),
                    None if can_write && !closes_itself => Cell {
                        text: t.pick("离岗中", "Away").to_owned(),
                        href: None,
                        action: Some(RowAction {
                            href: format!("{path}/{}/{}/end", p.row.person_id, p.row.id),
                            summary: t.pick("登记返岗", "Record return"),
                            label: t.pick("返岗前最后一天", "Last day away"),
                        }),
                    },
                    None if closes_itself => Cell::text(t.pick(
                        "离岗培训中，考核合格后返岗",
                        "Retraining; back after a pass",
                    )),
                    None => Cell::text(t.pick("离岗中", "Away")),
                };
                rows.push(vec![
                    Cell::link(p.person, person_href(p.row.person_id)),
                    Cell::text(
                        reason
                            .map(|r| t.pick(r.name_zh(), r.name_en()))
                            .unwrap_or(""),
                    ),
                    Cell::text(date(p.row.starts_on)),
                    ends,
                    Cell::text(p.row.note),
                ]);
            }
            if can_write {
                let person = typed.get("person_id");
                let typed_reason = typed.get("reason");
                let manual: Vec<OffPostReason> = OffPostReason::ALL
                    .into_iter()
                    .filter(|r| *r != OffPostReason::FailedAssessment)
                    .collect();
                fields = vec![
                    select(
                        "person_id",
                        t.pick("姓名", "Person"),
                        staff_choices(vec![person]).await?,
                    ),
                    select(
                        "reason",
                        t.pick("离岗原因", "Reason"),
                        choices(
                            &manual,
                            OffPostReason::code,
                            |r| t.pick(r.name_zh(), r.name_en()),
                            &typed_reason,
                        ),
                    ),
                    field("starts_on", t.pick("离岗日期", "First day away"), "date"),
                    field(
                        "ends_on",
                        t.pick(
                            "返岗前最后一天（仍离岗则留空）",
                            "Last day away (empty if still away)",
                        ),
                        "date",
                    ),
                    field("note", t.pick("说明（选填）", "Note (optional)"), "text"),
                ];
            }
        }
        LedgerTab::ProcessChanges => {
            title = t.pick(
                "新工艺、新技术、新设备、新材料",
                "New processes, technology, equipment, materials",
            );
            intro = t.pick(
                "采用四新前，受影响人员须接受针对性安全培训并考核合格（规则 3）。",
                "Before a change takes effect, the people it affects need targeted training and a pass (rule 3).",
            );
            empty = t.pick("尚无四新变更记录。", "No changes on record.");
            form_title = t.pick("登记四新变更", "Record a change");
            let kind_code = param("kind");
            let kind = ProcessChangeKind::parse(&kind_code);
            filters.push(Filter {
                name: "kind",
                label: t.pick("类别", "Kind"),
                choices: with_all(
                    t,
                    choices(
                        &ProcessChangeKind::ALL,
                        ProcessChangeKind::code,
                        |k| t.pick(k.name_zh(), k.name_en()),
                        &kind_code,
                    ),
                ),
            });
            let base = query_string(&[("kind", kind_code.clone())]);
            let mut sorts = sort_headers(
                &path,
                &base,
                "date",
                desc,
                &[("date", t.pick("实施日期", "Effective"))],
            )
            .into_iter();
            headers = vec![
                Header {
                    label: t.pick("实施日期", "Effective"),
                    sort: sorts.next(),
                },
                Header {
                    label: t.pick("类别", "Kind"),
                    sort: None,
                },
                Header {
                    label: t.pick("内容", "Description"),
                    sort: None,
                },
                Header {
                    label: t.pick("受影响人员", "People affected"),
                    sort: None,
                },
            ];
            let result = read::process_changes(db, read_access, kind, paging).await?;
            pager = Some(Pager::new(
                &path,
                &paging_base(&base, "date", desc),
                &result,
            ));
            for c in result.items {
                let names: Vec<String> = c.people.iter().map(|(_, name)| name.clone()).collect();
                rows.push(vec![
                    Cell::text(date(c.row.changed_on)),
                    Cell::text(
                        ProcessChangeKind::parse(&c.row.kind)
                            .map(|k| t.pick(k.name_zh(), k.name_en()))
                            .unwrap_or(""),
                    ),
                    Cell::text(c.row.description),
                    Cell::text(names.join("、")),
                ]);
            }
            if can_write {
                let typed_kind = typed.get("kind");
                fields = vec![
                    field("changed_on", t.pick("实施日期", "Takes effect on"), "date"),
                    select(
                        "kind",
                        t.pick("类别", "Kind"),
                        choices(
                            &ProcessChangeKind::ALL,
                            ProcessChangeKind::code,
                            |k| t.pick(k.name_zh(), k.name_en()),
                            &typed_kind,
                        ),
                    ),
                    field("description", t.pick("内容", "Description"), "text"),
                    Field {
                        kind: "multi",
                        choices: staff_choices(typed.all("people")).await?,
                        ..field(
                            "people",
                            t.pick("受影响人员（可多选）", "People affected (several)"),
                            "multi",
                        )
                    },
                ];
            }
        }
        LedgerTab::TrainingPlan => {
            title = t.pick("年度培训计划", "Yearly training plan");
            intro = t.pick(
                "培训计划覆盖全体员工；实际完成按当年登记的同类培训统计。",
                "The plan covers all staff; progress counts the training of the same kind recorded that year.",
            );
            empty = t.pick("该年度尚无培训计划。", "No plan for that year.");
            form_title = t.pick("添加计划项目", "Add a plan item");
            let year: i32 = param("year").parse().unwrap_or(today.year());
            filters.push(Filter {
                name: "year",
                label: t.pick("年度", "Year"),
                choices: (2020..=today.year() + 1)
                    .rev()
                    .map(|y| Choice {
                        value: y.to_string(),
                        label: y.to_string(),
                        selected: y == year,
                    })
                    .collect(),
            });
            headers = [
                t.pick("月份", "Month"),
                t.pick("培训内容", "Topic"),
                t.pick("培训类别", "Kind"),
                t.pick("培训对象", "Audience"),
                t.pick("计划学时", "Planned hours"),
                t.pick("实际学时", "Hours recorded"),
                t.pick("计划人数", "Planned people"),
                t.pick("实际人数", "People trained"),
            ]
            .into_iter()
            .map(|label| Header { label, sort: None })
            .collect();
            let items = read::training_plan(db, read_access, year).await?;
            let planned: f64 = items
                .iter()
                .map(|p| p.item.planned_hours * f64::from(p.item.planned_headcount))
                .sum();
            if !items.is_empty() {
                summary = Some(if t.is_en() {
                    format!(
                        "{year}: {} items, {planned:.0} person-hours planned",
                        items.len()
                    )
                } else {
                    format!("{year} 年：{} 项，计划 {planned:.0} 人·学时", items.len())
                });
            }
            for p in items {
                rows.push(vec![
                    Cell::text(p.item.planned_month.to_string()),
                    Cell::text(p.item.topic),
                    Cell::text(
                        TrainingKind::parse(&p.item.kind)
                            .map(|k| t.pick(k.name_zh(), k.name_en()))
                            .unwrap_or(""),
                    ),
                    Cell::text(p.item.audience),
                    Cell::text(format!("{:.1}", p.item.planned_hours)),
                    Cell::text(format!("{:.1}", p.actual_hours)),
                    Cell::text(p.item.planned_headcount.to_string()),
                    Cell::text(p.actual_headcount.to_string()),
                ]);
            }
            if can_write {
                let typed_kind = typed.get("kind");
                let mut year_field = field("year", t.pick("年度", "Year"), "number");
                if year_field.value.is_empty() {
                    year_field.value = year.to_string();
                }
                fields = vec![
                    year_field,
                    field("topic", t.pick("培训内容", "Topic"), "text"),
                    select(
                        "kind",
                        t.pick("培训类别", "Kind"),
                        choices(
                            &TrainingKind::ALL,
                            TrainingKind::code,
                            |k| t.pick(k.name_zh(), k.name_en()),
                            &typed_kind,
                        ),
                    ),
                    field(
                        "audience",
                        t.pick("培训对象（岗位/人员）", "Audience (posts / people)"),
                        "text",
                    ),
                    field(
                        "planned_hours",
                        t.pick("计划学时", "Planned hours"),
                        "number",
                    ),
                    field(
                        "planned_month",
                        t.pick("计划月份（1-12）", "Month (1-12)"),
                        "number",
                    ),
                    field(
                        "planned_headcount",
                        t.pick("计划人数", "Planned people"),
                        "number",
                    ),
                ];
            }
        }
        LedgerTab::TrainingCapacity => {
            title = t.pick("培训能力", "Training capacity");
            intro = t.pick(
                "自主培训须有培训师和场地；不具备条件的委托具备资质的培训机构。",
                "Self-training needs trainers and facilities; otherwise training is delegated to a qualified institution.",
            );
            empty = t.pick("尚未登记培训能力。", "No training capacity on record.");
            form_title = t.pick("登记培训能力", "Record training capacity");
            headers = [
                t.pick("起始日期", "Since"),
                t.pick("培训方式", "Mode"),
                t.pick("培训师人数", "Trainers"),
                t.pick("培训场地设施", "Facilities"),
                t.pick("受委托机构", "Institution"),
                t.pick("统一社会信用代码", "Credit code"),
                t.pick("当前", "In force"),
            ]
            .into_iter()
            .map(|label| Header { label, sort: None })
            .collect();
            let capacities = read::training_capacities(db, read_access).await?;
            let current = capacities.iter().find(|c| c.since <= today).map(|c| c.id);
            for c in capacities {
                let mode = TrainingMode::parse(&c.mode);
                rows.push(vec![
                    Cell::text(date(c.since)),
                    Cell::text(mode.map(|m| t.pick(m.name_zh(), m.name_en())).unwrap_or("")),
                    Cell::text(if mode == Some(TrainingMode::SelfTraining) {
                        c.trainers.to_string()
                    } else {
                        "—".to_owned()
                    }),
                    Cell::text(c.facilities),
                    Cell::text(c.institution_name.unwrap_or_default()),
                    Cell::text(c.institution_credit_code.unwrap_or_default()),
                    Cell::text(if Some(c.id) == current {
                        t.pick("当前", "Yes")
                    } else {
                        ""
                    }),
                ]);
            }
            if can_write {
                let typed_mode = typed.get("mode");
                fields = vec![
                    select(
                        "mode",
                        t.pick("培训方式", "Mode"),
                        choices(
                            &TrainingMode::ALL,
                            TrainingMode::code,
                            |m| t.pick(m.name_zh(), m.name_en()),
                            &typed_mode,
                        ),
                    ),
                    field("since", t.pick("起始日期", "Since"), "date"),
                    field(
                        "trainers",
                        t.pick("培训师人数（自主培训）", "Trainers (self-training)"),
                        "number",
                    ),
                    field(
                        "facilities",
                        t.pick("培训场地设施（自主培训）", "Facilities (self-training)"),
                        "text",
                    ),
                    field(
                        "institution_name",
                        t.pick("受委托机构名称（委托培训）", "Institution (delegated)"),
                        "text",
                    ),
                    field(
                        "institution_credit_code",
                        t.pick(
                            "机构统一社会信用代码（委托培训）",
                            "Institution credit code (delegated)",
                        ),
                        "text",
                    ),
                ];
            }
        }
        LedgerTab::SkillPromotions => {
            title = t.pick(
                "重点岗位职工职业技能晋级计划",
                "Skill-promotion schedule of key-position staff",
            );
            intro = t.pick(
                "2021 年底前 10% 以上重点岗位职工完成职业技能晋级培训（规则 7，按考核合格的技能提升培训计）；本表为晋级进度计划。",
                "At least 10% of key-position staff complete skill-promotion training by the end of 2021 (rule 7, counted from passed skill-promotion training); this is the schedule beside it.",
            );
            empty = t.pick("尚无晋级计划。", "No promotions scheduled.");
            form_title = t.pick("添加晋级计划", "Schedule a promotion");
            let status_code = param("status");
            let status = PromotionStatus::parse(&status_code);
            filters.push(Filter {
                name: "status",
                label: t.pick("状态", "Status"),
                choices: with_all(
                    t,
                    vec![
                        Choice {
                            value: "pending".to_owned(),
                            label: t.pick("未完成", "Pending").to_owned(),
                            selected: status == Some(PromotionStatus::Pending),
                        },
                        Choice {
                            value: "achieved".to_owned(),
                            label: t.pick("已晋级", "Achieved").to_owned(),
                            selected: status == Some(PromotionStatus::Achieved),
                        },
                    ],
                ),
            });
            let base = query_string(&[("status", status_code.clone())]);
            let mut sorts = sort_headers(
                &path,
                &base,
                "due",
                desc,
                &[("due", t.pick("计划完成日期", "Due"))],
            )
            .into_iter();
            headers = vec![
                Header {
                    label: t.pick("姓名", "Name"),
                    sort: None,
                },
                Header {
                    label: t.pick("现有等级", "Current level"),
                    sort: None,
                },
                Header {
                    label: t.pick("目标等级", "Target level"),
                    sort: None,
                },
                Header {
                    label: t.pick("计划完成日期", "Due"),
                    sort: sorts.next(),
                },
                Header {
                    label: t.pick("晋级日期", "Achieved"),
                    sort: None,
                },
            ];
            let result = read::skill_promotions(db, read_access, status, paging).await?;
            pager = Some(Pager::new(&path, &paging_base(&base, "due", desc), &result));
            let level = |code: &str| {
                SkillLevel::parse(code)
                    .map(|l| t.pick(l.name_zh(), l.name_en()))
                    .unwrap_or("")
                    .to_owned()
            };
            for p in result.items {
                let achieved = match p.row.achieved_on {
                    Some(on) => Cell::text(date(on)),
                    None if can_write => Cell {
                        text: if p.row.due_on < today {
                            t.pick("已逾期", "Overdue")
                        } else {
                            t.pick("未完成", "Pending")
                        }
                        .to_owned(),
                        href: None,
                        action: Some(RowAction {
                            href: format!("{path}/{}/{}/achieved", p.row.person_id, p.row.id),
                            summary: t.pick("登记晋级", "Record promotion"),
                            label: t.pick("晋级日期", "Achieved on"),
                        }),
                    },
                    None => Cell::text(if p.row.due_on < today {
                        t.pick("已逾期", "Overdue")
                    } else {
                        t.pick("未完成", "Pending")
                    }),
                };
                rows.push(vec![
                    Cell::link(p.person, person_href(p.row.person_id)),
                    Cell::text(level(&p.row.current_level)),
                    Cell::text(level(&p.row.target_level)),
                    Cell::text(date(p.row.due_on)),
                    achieved,
                ]);
            }
            if can_write {
                let person = typed.get("person_id");
                let (current, target) = (typed.get("current_level"), typed.get("target_level"));
                fields = vec![
                    select(
                        "person_id",
                        t.pick("重点岗位职工", "Key-position worker"),
                        staff_choices(vec![person]).await?,
                    ),
                    select(
                        "current_level",
                        t.pick("现有等级", "Current level"),
                        choices(
                            &SkillLevel::ALL,
                            SkillLevel::code,
                            |l| t.pick(l.name_zh(), l.name_en()),
                            &current,
                        ),
                    ),
                    select(
                        "target_level",
                        t.pick("目标等级", "Target level"),
                        choices(
                            &SkillLevel::ALL,
                            SkillLevel::code,
                            |l| t.pick(l.name_zh(), l.name_en()),
                            &target,
                        ),
                    ),
                    field("due_on", t.pick("计划完成日期", "Due"), "date"),
                ];
            }
        }
    }
    let tabs = LedgerTab::ALL
        .iter()
        .map(|other| Tab {
            href: format!("/enterprises/{id}/ledgers/{}", other.slug()),
            label: other.label(t),
            active: *other == tab,
        })
        .collect();
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
        filters,
        headers,
        rows,
        pager,
        empty,
        summary,
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
