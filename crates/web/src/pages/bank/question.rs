//! A question's pages: the new-question form for every kind, a question with its versions
//! and its edit form (an edit saves a new version), and retiring or restoring it. A refused
//! save shows the form again with what was typed and the reason, as 422.

use anpei_domain::exam::QuestionKind;
use anpei_domain::trade;
use anpei_formats::questions;
use anpei_store::exam::bank::{self, BankAccess, BankContent, NewQuestion, QuestionDetail};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::question_form::FormState;
use super::{Choice, DEFAULT_TRADE, difficulty_choices, kind_label, trade_label};
use crate::api::bank as api;
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::pages::{Layout, render};
use crate::{AppState, clock};

#[derive(Debug, Clone)]
pub struct VersionLine {
    pub version: i32,
    pub when: String,
    pub by: String,
    pub stem: String,
    pub current: bool,
    pub answer: String,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "bank_question.html")]
struct QuestionPage {
    l: Layout,
    trade: String,
    trade_name: String,
    /// `None` for a new question.
    id: Option<Uuid>,
    retired: bool,
    kind_name: &'static str,
    /// Kind tabs of the new-question form.
    kind_tabs: Vec<(String, &'static str, bool)>,
    points: Vec<Choice>,
    difficulties: Vec<Choice>,
    form: FormState,
    error: Option<String>,
    versions: Vec<VersionLine>,
    action: String,
}

fn point_choices(tree: &[bank::SyllabusNode], selected: &str) -> Vec<Choice> {
    tree.iter()
        .map(|n| Choice {
            value: n.point.id.to_string(),
            label: format!("{}{} {}", "　".repeat(n.depth), n.point.code, n.point.title),
            selected: n.point.id.to_string() == selected,
        })
        .collect()
}

fn version_lines(t: Tr, detail: &QuestionDetail) -> Vec<VersionLine> {
    detail
        .versions
        .iter()
        .map(|v| {
            let (answer, lines) = match &v.content {
                BankContent::Question(q) => {
                    use anpei_domain::exam::QuestionBody;
                    match q.body() {
                        QuestionBody::Single { options } | QuestionBody::Multiple { options } => (
                            options
                                .iter()
                                .enumerate()
                                .filter(|(_, o)| o.correct)
                                .map(|(i, _)| anpei_domain::exam::question::option_letter(i))
                                .collect(),
                            options
                                .iter()
                                .enumerate()
                                .map(|(i, o)| {
                                    format!(
                                        "{}. {}",
                                        anpei_domain::exam::question::option_letter(i),
                                        o.text
                                    )
                                })
                                .collect(),
                        ),
                        QuestionBody::TrueFalse { answer } => (
                            if *answer {
                                t.pick("正确", "True")
                            } else {
                                t.pick("错误", "False")
                            }
                            .to_owned(),
                            Vec::new(),
                        ),
                        QuestionBody::FillIn { accepted } => (accepted.join(" | "), Vec::new()),
                    }
                }
                BankContent::Sheet(s) => (
                    format!("{} {}", s.total(), t.pick("分", "points")),
                    s.items()
                        .iter()
                        .map(|i| {
                            let veto = if i.veto {
                                t.pick("（否决项）", " (veto)")
                            } else {
                                ""
                            };
                            format!(
                                "{}：{} {}{veto} — {}",
                                i.title,
                                i.points,
                                t.pick("分", "pts"),
                                i.criteria
                            )
                        })
                        .collect(),
                ),
            };
            VersionLine {
                version: v.row.version,
                when: clock::local(v.row.created_at),
                by: v.row.created_by.clone(),
                stem: v.content.stem().to_owned(),
                current: v.row.version == detail.question.current_version,
                answer,
                lines,
            }
        })
        .collect()
}

struct PageArgs {
    trade: String,
    id: Option<Uuid>,
    retired: bool,
    form: FormState,
    error: Option<String>,
    versions: Vec<VersionLine>,
}

async fn question_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    access: &BankAccess,
    args: PageArgs,
) -> Result<QuestionPage, WebError> {
    let tree = bank::syllabus(state.store.connection(), access, &args.trade).await?;
    let title = match args.id {
        Some(_) => t.pick("题目与版本", "Question and versions"),
        None => t.pick("新建题目", "New question"),
    };
    let path = match args.id {
        Some(id) => format!("/bank/questions/{id}"),
        None => "/bank/questions/new".to_owned(),
    };
    let kind = args.form.kind.clone();
    Ok(QuestionPage {
        l: Layout::new(t, title, Some(authed), &path),
        trade_name: trade_label(t, &args.trade),
        kind_tabs: questions::KIND_CODES
            .iter()
            .map(|k| {
                (
                    format!(
                        "/bank/questions/new?trade={}&kind={k}",
                        crate::pages::urlencode(&args.trade)
                    ),
                    kind_label(t, k),
                    *k == kind,
                )
            })
            .collect(),
        kind_name: kind_label(t, &kind),
        points: point_choices(&tree, &args.form.point),
        difficulties: difficulty_choices(t, args.form.difficulty.parse().ok()),
        action: path,
        trade: args.trade,
        id: args.id,
        retired: args.retired,
        form: args.form,
        error: args.error,
        versions: args.versions,
    })
}

#[derive(Deserialize)]
pub(super) struct NewParams {
    trade: Option<String>,
    kind: Option<String>,
    point: Option<Uuid>,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(params): Query<NewParams>,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let trade = params
        .trade
        .filter(|c| trade::find_trade(c).is_some())
        .unwrap_or_else(|| DEFAULT_TRADE.to_owned());
    let kind = params
        .kind
        .filter(|k| questions::KIND_CODES.contains(&k.as_str()))
        .unwrap_or_else(|| QuestionKind::Single.code().to_owned());
    let mut form = FormState::empty(&kind);
    form.point = params.point.map(|p| p.to_string()).unwrap_or_default();
    let page = question_page(
        &state,
        t,
        &authed,
        &access,
        PageArgs {
            trade,
            id: None,
            retired: false,
            form,
            error: None,
            versions: Vec::new(),
        },
    )
    .await?;
    render(&page)
}

fn error_text(t: Tr, err: &WebError) -> String {
    let (zh, en) = err.messages();
    t.pick_owned(&(zh, en))
}

pub(super) async fn create(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let trade = pairs
        .iter()
        .find(|(k, _)| k == "trade")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|c| trade::find_trade(c).is_some())
        .unwrap_or_else(|| DEFAULT_TRADE.to_owned());
    let form = FormState::of_form(&pairs);
    let saved = async {
        let input = form.input(&trade)?;
        let content = api::content_of(&input)?;
        let point = input.syllabus_point_id.ok_or_else(|| WebError::Invalid {
            field: "point".into(),
            zh: "请选择知识点".into(),
            en: "Choose a syllabus point".into(),
        })?;
        Ok::<Uuid, WebError>(
            bank::create(
                &state.store,
                &authed.actor,
                clock::now(),
                NewQuestion {
                    trade_code: trade.clone(),
                    syllabus_point_id: point,
                    name: input.name,
                    content,
                },
            )
            .await?,
        )
    }
    .await;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/bank/questions/{id}")).into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let page = question_page(
                &state,
                t,
                &authed,
                &access,
                PageArgs {
                    trade,
                    id: None,
                    retired: false,
                    form,
                    error: Some(error_text(t, &err)),
                    versions: Vec::new(),
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

pub(super) async fn detail(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let found = bank::get(state.store.connection(), &access, id).await?;
    let form = match found.current() {
        Some(current) => FormState::of_input(
            &api::input_of(&current.content),
            found.point.id,
            found.question.external_name.clone(),
        ),
        None => FormState::empty(&found.question.kind),
    };
    let page = question_page(
        &state,
        t,
        &authed,
        &access,
        PageArgs {
            trade: found.question.trade_code.clone(),
            id: Some(id),
            retired: found.question.retired,
            versions: version_lines(t, &found),
            form,
            error: None,
        },
    )
    .await?;
    render(&page)
}

pub(super) async fn edit(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let found = bank::get(state.store.connection(), &access, id).await?;
    let mut form = FormState::of_form(&pairs);
    // The kind of a question never changes.
    form.kind = found.question.kind.clone();
    let saved = async {
        let input = form.input(&found.question.trade_code)?;
        let content = api::content_of(&input)?;
        bank::edit(
            &state.store,
            &authed.actor,
            clock::now(),
            id,
            input.syllabus_point_id,
            content,
        )
        .await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/bank/questions/{id}")).into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let page = question_page(
                &state,
                t,
                &authed,
                &access,
                PageArgs {
                    trade: found.question.trade_code.clone(),
                    id: Some(id),
                    retired: found.question.retired,
                    versions: version_lines(t, &found),
                    form,
                    error: Some(error_text(t, &err)),
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub(super) struct RetireForm {
    retired: String,
}

pub(super) async fn set_retired(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(form): Form<RetireForm>,
) -> Result<Response, WebError> {
    bank::set_retired(
        &state.store,
        &authed.actor,
        clock::now(),
        id,
        form.retired == "true",
    )
    .await?;
    Ok(Redirect::to(&format!("/bank/questions/{id}")).into_response())
}
