//! The question bank's pages (SPEC C8) for the province regulator: the syllabus tree of a
//! trade beside a filterable, sortable, paged list of its questions; a question with its
//! versions and an edit form (an edit is a new version); a new-question form for every kind,
//! practical score sheets included; import with a dry run, the template, and exports.
//!
//! Forms are plain HTML (no script needed); on a refused save the form comes back with what
//! was typed and the reason. Uploads have their own 20 MiB body limit, as rosters do.

use anpei_domain::exam::QuestionKind;
use anpei_domain::trade;
use anpei_formats::questions::{self, Format, kind_names};
use anpei_store::exam::bank::{self, BankAccess, BankContent, NewQuestion, QuestionDetail};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::{Layout, Pager, SortHeader, query_string, render, sort_headers};
use crate::api::bank::{
    self as api, ImportResult, OptionDto, QuestionInput, QuestionListParams, SheetItemDto,
};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::{AppState, clock};

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/bank/import", get(import_page).post(import))
        .layer(DefaultBodyLimit::max(api::MAX_UPLOAD));
    Router::new()
        .route("/bank", get(list))
        .route("/bank/syllabus", post(add_point))
        .route("/bank/questions/new", get(new_form).post(create))
        .route("/bank/questions/{id}", get(detail).post(edit))
        .route("/bank/questions/{id}/retired", post(set_retired))
        .route("/bank/template.xlsx", get(template))
        .route("/bank/export", get(export))
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

fn difficulty_choices(t: Tr, selected: Option<i16>) -> Vec<Choice> {
    (1..=3)
        .map(|level| Choice {
            value: level.to_string(),
            label: difficulty_label(t, level).to_owned(),
            selected: Some(level) == selected,
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

async fn list(
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
struct PointForm {
    trade: String,
    parent: Option<String>,
    title: String,
}

async fn add_point(
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
        super::urlencode(form.trade.trim())
    ))
    .into_response())
}

// ---------------------------------------------------------------- the question form

/// Rows of options and score-sheet items a form offers.
const FORM_OPTIONS: usize = 8;
const FORM_ITEMS: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct OptionField {
    pub letter: char,
    pub index: usize,
    pub text: String,
    pub correct: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ItemField {
    pub index: usize,
    pub title: String,
    pub points: String,
    pub criteria: String,
    pub veto: bool,
}

/// What the form shows: the input as typed.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub kind: String,
    pub point: String,
    pub name: String,
    pub stem: String,
    pub options: Vec<OptionField>,
    pub answer: String,
    pub accepted: String,
    pub difficulty: String,
    pub tags: String,
    pub explanation: String,
    pub items: Vec<ItemField>,
}

impl FormState {
    fn empty(kind: &str) -> Self {
        let mut state = FormState {
            kind: kind.to_owned(),
            difficulty: "2".into(),
            ..FormState::default()
        };
        state.pad();
        state
    }

    fn pad(&mut self) {
        while self.options.len() < FORM_OPTIONS {
            let index = self.options.len();
            self.options.push(OptionField {
                letter: anpei_domain::exam::question::option_letter(index),
                index,
                ..OptionField::default()
            });
        }
        while self.items.len() < FORM_ITEMS {
            let index = self.items.len();
            self.items.push(ItemField {
                index,
                ..ItemField::default()
            });
        }
    }

    fn of_input(input: &QuestionInput, point: Uuid, name: Option<String>) -> Self {
        let mut state = FormState {
            kind: input.kind.clone(),
            point: point.to_string(),
            name: name.unwrap_or_default(),
            stem: input.stem.clone(),
            options: input
                .options
                .iter()
                .enumerate()
                .map(|(index, o)| OptionField {
                    letter: anpei_domain::exam::question::option_letter(index),
                    index,
                    text: o.text.clone(),
                    correct: o.correct,
                })
                .collect(),
            answer: match input.answer {
                Some(true) => "true".into(),
                Some(false) => "false".into(),
                None => String::new(),
            },
            accepted: input.accepted.join("\n"),
            difficulty: input.difficulty.unwrap_or(2).to_string(),
            tags: input.tags.join("，"),
            explanation: input.explanation.clone(),
            items: input
                .items
                .iter()
                .enumerate()
                .map(|(index, i)| ItemField {
                    index,
                    title: i.title.clone(),
                    points: i.points.to_string(),
                    criteria: i.criteria.clone(),
                    veto: i.veto,
                })
                .collect(),
        };
        state.pad();
        state
    }

    /// Reads the posted fields (repeated checkboxes arrive as pairs).
    fn of_form(pairs: &[(String, String)]) -> Self {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let has = |key: &str| pairs.iter().any(|(k, _)| k == key);
        let single_correct = get("correct");
        let mut state = FormState {
            kind: get("kind"),
            point: get("point"),
            name: get("name"),
            stem: get("stem"),
            answer: get("answer"),
            accepted: get("accepted"),
            difficulty: get("difficulty"),
            tags: get("tags"),
            explanation: get("explanation"),
            options: (0..FORM_OPTIONS)
                .map(|index| OptionField {
                    letter: anpei_domain::exam::question::option_letter(index),
                    index,
                    text: get(&format!("option_{index}")),
                    correct: has(&format!("correct_{index}"))
                        || single_correct == index.to_string(),
                })
                .collect(),
            items: (0..FORM_ITEMS)
                .map(|index| ItemField {
                    index,
                    title: get(&format!("item_title_{index}")),
                    points: get(&format!("item_points_{index}")),
                    criteria: get(&format!("item_criteria_{index}")),
                    veto: has(&format!("item_veto_{index}")),
                })
                .collect(),
        };
        state.pad();
        state
    }

    /// The input a save checks; blank option and item rows at the end are left out.
    fn input(&self, trade: &str) -> Result<QuestionInput, WebError> {
        let last_option = self.options.iter().rposition(|o| !o.text.trim().is_empty());
        let options = match last_option {
            Some(last) => self.options[..=last]
                .iter()
                .map(|o| OptionDto {
                    text: o.text.clone(),
                    correct: o.correct,
                })
                .collect(),
            None => Vec::new(),
        };
        let mut items = Vec::new();
        for item in &self.items {
            if item.title.trim().is_empty()
                && item.points.trim().is_empty()
                && item.criteria.trim().is_empty()
            {
                continue;
            }
            let points = if item.points.trim().is_empty() {
                0
            } else {
                item.points
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| WebError::Invalid {
                        field: format!("item_points_{}", item.index),
                        zh: format!("第 {} 项的分值“{}”不是整数", item.index + 1, item.points),
                        en: format!(
                            "item {}: \"{}\" is not a whole number",
                            item.index + 1,
                            item.points
                        ),
                    })?
            };
            items.push(SheetItemDto {
                title: item.title.clone(),
                points,
                criteria: item.criteria.clone(),
                veto: item.veto,
            });
        }
        Ok(QuestionInput {
            trade: trade.to_owned(),
            syllabus_point_id: Uuid::parse_str(self.point.trim()).ok(),
            kind: self.kind.clone(),
            stem: self.stem.clone(),
            name: Some(self.name.clone()).filter(|n| !n.trim().is_empty()),
            options,
            answer: match self.answer.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            accepted: self
                .accepted
                .lines()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect(),
            difficulty: self.difficulty.trim().parse().ok(),
            tags: self
                .tags
                .split([',', '，', '、', ';', '；'])
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            explanation: self.explanation.clone(),
            items,
        })
    }
}

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
                        super::urlencode(&args.trade)
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
struct NewParams {
    trade: Option<String>,
    kind: Option<String>,
    point: Option<Uuid>,
}

async fn new_form(
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

async fn create(
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

async fn detail(
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

async fn edit(
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
struct RetireForm {
    retired: String,
}

async fn set_retired(
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

// ---------------------------------------------------------------- import and export

#[derive(Debug, Clone)]
pub struct CountLine {
    pub kind: &'static str,
    pub count: usize,
}

#[derive(Debug, Clone)]
pub struct ProblemText {
    pub line: String,
    pub kind: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "bank_import.html")]
struct ImportPage {
    l: Layout,
    trade: String,
    trades: Vec<Choice>,
    formats: Vec<Choice>,
    /// The result of the last upload.
    result: Option<ImportView>,
}

#[derive(Debug, Clone)]
pub struct ImportView {
    pub headline: String,
    pub ok: bool,
    pub counts: Vec<CountLine>,
    pub total: usize,
    pub problems: Vec<ProblemText>,
}

fn import_view(t: Tr, result: &ImportResult, trade: &str) -> ImportView {
    let total: usize = result.counts.values().sum();
    let errors = result
        .problems
        .iter()
        .filter(|p| p.unsupported.is_none())
        .count();
    let headline = if result.imported {
        match t.lang {
            crate::i18n::Lang::Zh => format!(
                "已导入 {total} 道题到 {}，新建知识点 {} 个{}。",
                trade_label(t, trade),
                result.points_created,
                if result.skipped > 0 {
                    format!("，跳过不支持的题 {} 道", result.skipped)
                } else {
                    String::new()
                }
            ),
            crate::i18n::Lang::En => format!(
                "Imported {total} questions into {}; {} new syllabus points{}.",
                trade_label(t, trade),
                result.points_created,
                if result.skipped > 0 {
                    format!("; {} unsupported questions skipped", result.skipped)
                } else {
                    String::new()
                }
            ),
        }
    } else if result.problems.is_empty() || (errors == 0 && result.skipped > 0) {
        match t.lang {
            crate::i18n::Lang::Zh => format!("预检通过：可导入 {total} 道题，尚未写入。"),
            crate::i18n::Lang::En => {
                format!("Dry run passed: {total} questions can be imported; nothing written yet.")
            }
        }
    } else {
        match t.lang {
            crate::i18n::Lang::Zh => {
                format!("文件有 {} 个问题，未导入任何题目。", result.problems.len())
            }
            crate::i18n::Lang::En => format!(
                "The file has {} problem(s); nothing was imported.",
                result.problems.len()
            ),
        }
    };
    ImportView {
        ok: result.imported || result.problems.is_empty() || errors == 0 && result.skipped > 0,
        headline,
        counts: result
            .counts
            .iter()
            .map(|(k, v)| CountLine {
                kind: kind_label(t, k),
                count: *v,
            })
            .collect(),
        total,
        problems: result
            .problems
            .iter()
            .map(|p| ProblemText {
                line: if p.line == 0 {
                    String::new()
                } else {
                    p.line.to_string()
                },
                kind: p.unsupported.clone().unwrap_or_default(),
                reason: t.pick_owned(&(p.detail_zh.clone(), p.detail_en.clone())),
            })
            .collect(),
    }
}

fn format_choices(t: Tr, selected: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: t.pick("按文件自动识别", "Detect from the file").to_owned(),
        selected: selected.is_empty(),
    }];
    out.extend(Format::ALL.iter().map(|f| {
        Choice {
            value: f.code().to_owned(),
            label: match f {
                Format::Xlsx => t
                    .pick("Excel 模板（.xlsx）", "Excel template (.xlsx)")
                    .to_owned(),
                Format::MoodleXml => "Moodle XML".to_owned(),
                Format::Gift => "GIFT".to_owned(),
            },
            selected: f.code() == selected,
        }
    }));
    out
}

#[derive(Deserialize)]
struct TradeQuery {
    trade: Option<String>,
}

async fn import_page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Query(q): Query<TradeQuery>,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let counts = bank::trades(state.store.connection(), &access).await?;
    let trade = q
        .trade
        .filter(|c| trade::find_trade(c).is_some())
        .unwrap_or_else(|| DEFAULT_TRADE.to_owned());
    render(&ImportPage {
        l: Layout::new(
            t,
            t.pick("导入题目", "Import questions"),
            Some(&authed),
            "/bank/import",
        ),
        trades: trade_choices(t, &trade, &counts),
        trade,
        formats: format_choices(t, ""),
        result: None,
    })
}

async fn import(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let bad_upload = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::PayloadTooLarge
        } else {
            WebError::bad_request("上传的文件无法读取", "The upload cannot be read")
        }
    };
    let mut file = None;
    let mut trade = DEFAULT_TRADE.to_owned();
    let mut format = String::new();
    let mut dry_run = false;
    let mut skip = false;
    while let Some(field) = multipart.next_field().await.map_err(bad_upload)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(bad_upload)?;
                file = Some((name, bytes));
            }
            "trade" => trade = field.text().await.map_err(bad_upload)?.trim().to_owned(),
            "format" => format = field.text().await.map_err(bad_upload)?.trim().to_owned(),
            "action" => dry_run = field.text().await.map_err(bad_upload)? == "dry_run",
            "skip_unsupported" => skip = true,
            _ => {}
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError::Invalid {
            field: "file".into(),
            zh: "请选择要导入的 .xlsx、Moodle XML 或 GIFT 文件".into(),
            en: "Choose an .xlsx, Moodle XML or GIFT file to import".into(),
        });
    };
    let chosen = if format.is_empty() {
        Format::detect(&name, &bytes)
    } else {
        api::parse_format(&format)?
    };
    let (status, result) =
        api::run_import(&state, &authed, &trade, chosen, bytes, dry_run, skip).await?;
    let counts = bank::trades(state.store.connection(), &access).await?;
    let page = ImportPage {
        l: Layout::new(
            t,
            t.pick("导入题目", "Import questions"),
            Some(&authed),
            "/bank/import",
        ),
        trades: trade_choices(t, &trade, &counts),
        result: Some(import_view(t, &result, &trade)),
        formats: format_choices(t, &format),
        trade,
    };
    Ok((status, render(&page)?).into_response())
}

async fn template(authed: Authed) -> Result<Response, WebError> {
    bank::bank_access(&authed.actor)?;
    let bytes =
        questions::xlsx::template().map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    Ok(api::download(
        "question-template.xlsx",
        Format::Xlsx.content_type(),
        bytes,
    ))
}

#[derive(Deserialize)]
struct ExportQuery {
    trade: String,
    format: String,
}

async fn export(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let format = api::parse_format(&q.format)?;
    let (name, content_type, bytes) =
        api::run_export(&state, &authed, q.trade.trim(), format).await?;
    Ok(api::download(&name, content_type, bytes))
}
