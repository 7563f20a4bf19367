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
    Router::new().route("/", get(home))
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
    links: Vec<(String, &'static str, &'static str)>,
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
        Scope::City(code) => (
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
                        "Lifelong archives of people working in the city",
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
    let regulator = matches!(
        authed.actor.scope,
        Scope::City(_) | Scope::Province | Scope::HrBureau(_) | Scope::System
    );
    render(&HomePage {
        l: Layout::new(t, t.pick("首页", "Home"), Some(&authed), "/"),
        show_enterprises: regulator,
        show_institutions: regulator,
        show_people: !matches!(authed.actor.scope, Scope::Person(_)),
        jurisdiction,
        summary,
        links,
    })
}
