//! The home page: the signed-in account's jurisdiction at a glance, and where to go next.

use anpei_store::{Scope, read};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::{Layout, render};
use crate::auth::MaybeAuthed;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/notifications/{id}/read", axum::routing::post(mark_read))
}

/// One unread notification in the inbox.
struct Inbox {
    id: uuid::Uuid,
    title: String,
    body: String,
    href: String,
    when: String,
}

/// Marks a notice read and goes back home (the form's action; no script needed).
async fn mark_read(
    State(state): State<AppState>,
    authed: crate::auth::Authed,
    crate::extract::Path(id): crate::extract::Path<uuid::Uuid>,
) -> Result<Response, WebError> {
    anpei_store::notifications::mark_read(&state.store, &authed.actor, id, clock::now()).await?;
    Ok(Redirect::to("/#inbox-h").into_response())
}

struct Notice {
    href: String,
    who: String,
    rule: &'static str,
    reason: String,
    tone: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    jurisdiction: String,
    summary: read::Summary,
    /// Counts that mean something for this role (an enterprise is not told it sees one
    /// enterprise).
    show_enterprises: bool,
    show_institutions: bool,
    show_people: bool,
    /// Today's to-dos from the compliance engine: the worker's own, or the enterprise's
    /// people's (violations first).
    notices: Vec<Notice>,
    /// Where the whole list is (the enterprise's compliance page).
    notices_href: Option<String>,
    links: Vec<(String, &'static str, &'static str)>,
    /// Unread notifications (workers and enterprises).
    inbox: Vec<Inbox>,
}

async fn home(
    State(state): State<AppState>,
    t: Tr,
    MaybeAuthed(authed): MaybeAuthed,
) -> Result<Response, WebError> {
    let Some(authed) = authed else {
        return Ok(Redirect::to("/login").into_response());
    };
    let today = clock::today();
    let summary = read::summary(state.store.connection(), &authed.actor, today).await?;
    let region_name = |code: &str| {
        anpei_domain::region::find(code)
            .map(|r| t.pick(r.name, r.name_en).to_owned())
            .unwrap_or_default()
    };
    let (jurisdiction, links) = match &authed.actor.scope {
        Scope::Person(id) => (
            t.pick("本人", "Yourself").to_owned(),
            vec![(
                format!("/persons/{id}"),
                t.pick("查看我的终身档案", "Open my lifelong archive"),
                t.pick(
                    "就业经历、培训、考试、证书与学分",
                    "Employment, training, exams, certificates and credits",
                ),
            )],
        ),
        Scope::Enterprise(id) => (
            t.pick("本企业在岗人员", "This enterprise's staff")
                .to_owned(),
            vec![
                (
                    format!("/enterprises/{id}"),
                    t.pick("本企业人员台账", "Staff ledger"),
                    t.pick(
                        "在岗人员、岗位与用工形式，登记入职",
                        "Current staff, posts and employment kinds; record a hire",
                    ),
                ),
                (
                    "/persons".to_owned(),
                    t.pick("人员查询", "Find a person"),
                    t.pick(
                        "按姓名或身份证号查找本企业人员",
                        "Search your staff by name or ID number",
                    ),
                ),
            ],
        ),
        Scope::City(code) | Scope::County(code) => (
            region_name(code),
            vec![
                (
                    "/enterprises".to_owned(),
                    t.pick("辖区企业", "Enterprises"),
                    t.pick(
                        "按行业、名称筛选，查看人员台账",
                        "Filter by industry or name; open staff ledgers",
                    ),
                ),
                (
                    "/persons".to_owned(),
                    t.pick("人员查询", "Find a person"),
                    t.pick(
                        "辖区企业在岗人员的终身档案",
                        "Lifelong archives of people working in your jurisdiction",
                    ),
                ),
            ],
        ),
        Scope::Province | Scope::System => (
            t.pick("黑龙江省", "Heilongjiang Province").to_owned(),
            vec![
                (
                    "/enterprises".to_owned(),
                    t.pick("全省企业", "Enterprises"),
                    t.pick(
                        "13 个市（地）的高危行业企业",
                        "High-risk enterprises of all 13 cities",
                    ),
                ),
                (
                    "/persons".to_owned(),
                    t.pick("人员查询", "Find a person"),
                    t.pick("全省从业人员终身档案", "Lifelong archives province-wide"),
                ),
            ],
        ),
        Scope::HrBureau(code) => (
            region_name(code),
            vec![(
                "/enterprises".to_owned(),
                t.pick("企业名录", "Enterprises"),
                t.pick(
                    "补贴申请企业的登记信息",
                    "Registration data of enterprises applying for subsidies",
                ),
            )],
        ),
        Scope::Institution(id) => (
            t.pick("本机构", "This institution").to_owned(),
            vec![(
                format!("/institutions/{id}"),
                t.pick("本机构信息", "Institution record"),
                t.pick("机构登记信息", "Registration details"),
            )],
        ),
    };
    let db = state.store.connection();
    let notice = |person_id: uuid::Uuid, who: String, f: &anpei_domain::rules::Finding| {
        let (_, tone) = super::compliance::verdict_badge(t, f.verdict);
        Notice {
            href: format!("/persons/{person_id}#compliance"),
            who,
            rule: t.pick(f.rule.name_zh(), f.rule.name_en()),
            reason: if t.is_en() {
                f.reason_en.clone()
            } else {
                f.reason_zh.clone()
            },
            tone,
        }
    };
    let attention =
        |f: &&anpei_domain::rules::Finding| f.verdict != anpei_domain::rules::Verdict::Compliant;
    let notices: Vec<Notice> = match &authed.actor.scope {
        Scope::Person(id) => {
            let access = anpei_store::access::person_read(db, &authed.actor, *id, today).await?;
            anpei_store::compliance::person(db, access, today)
                .await?
                .iter()
                .filter(attention)
                .map(|f| notice(*id, t.pick("本人", "You").to_owned(), f))
                .collect()
        }
        Scope::Enterprise(id) => {
            // The people who need attention, worst first, from the verdict table; only they
            // are evaluated, for the reasons.
            anpei_store::access::enterprise_staff_read(db, &authed.actor, *id).await?;
            let area = anpei_store::verdicts::Area {
                enterprise: Some(*id),
                ..Default::default()
            };
            let wanted =
                anpei_store::verdicts::Wanted::Worst(anpei_domain::rules::Verdict::DueSoon);
            let (_, listed) =
                anpei_store::verdicts::people(db, &authed.actor, &area, wanted, today, 0, 12)
                    .await?;
            let ids: Vec<uuid::Uuid> = listed.iter().map(|p| p.person_id).collect();
            let facts = anpei_store::compliance::person_facts(db, &ids).await?;
            let mut notices = Vec::new();
            for person in &listed {
                let Some(facts) = facts.get(&person.person_id) else {
                    continue;
                };
                let mut findings = anpei_domain::rules::evaluate_person(
                    facts,
                    anpei_store::compliance::rule_set(),
                    today,
                );
                findings.sort_by_key(|f| std::cmp::Reverse(f.verdict));
                notices.extend(
                    findings
                        .iter()
                        .filter(attention)
                        .map(|f| notice(person.person_id, person.name.clone(), f)),
                );
            }
            notices.truncate(12);
            notices
        }
        _ => Vec::new(),
    };
    let regulator = matches!(
        authed.actor.scope,
        Scope::City(_) | Scope::County(_) | Scope::Province | Scope::HrBureau(_) | Scope::System
    );
    let inbox = match &authed.actor.scope {
        Scope::Person(_) | Scope::Enterprise(_) => {
            anpei_store::notifications::list(db, &authed.actor, true, 10)
                .await?
                .into_iter()
                .map(|n| Inbox {
                    id: n.id,
                    title: if t.is_en() { n.title_en } else { n.title_zh },
                    body: if t.is_en() { n.body_en } else { n.body_zh },
                    href: n.link,
                    when: clock::local(n.created_at),
                })
                .collect()
        }
        _ => Vec::new(),
    };
    render(&HomePage {
        inbox,
        l: Layout::new(t, t.pick("首页", "Home"), Some(&authed), "/"),
        show_enterprises: regulator,
        show_institutions: regulator,
        notices_href: match &authed.actor.scope {
            Scope::Enterprise(id) => Some(format!("/enterprises/{id}/compliance")),
            Scope::Person(id) => Some(format!("/persons/{id}#compliance")),
            _ => None,
        },
        notices,
        show_people: !matches!(authed.actor.scope, Scope::Person(_)),
        jurisdiction,
        summary,
        links,
    })
}
