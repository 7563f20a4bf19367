//! The unified question bank (SPEC C8) as JSON: syllabus points, questions with their
//! versions, import (with a dry run) and export. Province regulator only; for every other
//! account the bank does not exist (404), like any out-of-scope record.

use std::collections::BTreeMap;

use anpei_domain::exam::{
    ChoiceOption, Difficulty, Question, QuestionBody, QuestionKind, ScoreSheet, SheetItem,
};
use anpei_formats::questions::{self, DraftContent, Format, QuestionDraft, ReadOutcome};
use anpei_store::StoreError;
use anpei_store::exam::bank::{
    self, BankContent, ImportDraft, NewQuestion, QuestionDetail, QuestionFilter, QuestionRow,
    QuestionSort, SyllabusNode,
};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Authed;
use crate::error::{Problem, WebError};
use crate::extract::{Json, Path, Query};
use crate::{AppState, clock};

/// Largest question file accepted (a bank of tens of thousands of questions).
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(set_retired))
        .routes(routes!(syllabus, add_point))
        .routes(routes!(rename_point))
        .routes(routes!(export))
        .merge(uploads)
}

// ---------------------------------------------------------------- conversions

fn content_of_draft(content: DraftContent) -> BankContent {
    match content {
        DraftContent::Question(q) => BankContent::Question(q),
        DraftContent::Sheet(s) => BankContent::Sheet(s),
    }
}

/// Parsed file drafts as the store's import drafts.
pub fn to_import_drafts(drafts: Vec<QuestionDraft>) -> Vec<ImportDraft> {
    drafts
        .into_iter()
        .map(|d| ImportDraft {
            line: d.line,
            category_path: d.category_path,
            name: d.name,
            content: content_of_draft(d.content),
        })
        .collect()
}

/// Exported bank drafts as file drafts.
pub fn to_format_drafts(drafts: Vec<ImportDraft>) -> Vec<QuestionDraft> {
    drafts
        .into_iter()
        .map(|d| QuestionDraft {
            line: d.line,
            category_path: d.category_path,
            name: d.name,
            content: match d.content {
                BankContent::Question(q) => DraftContent::Question(q),
                BankContent::Sheet(s) => DraftContent::Sheet(s),
            },
        })
        .collect()
}

// ---------------------------------------------------------------- wire types

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default)]
pub struct OptionDto {
    pub text: String,
    pub correct: bool,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default)]
pub struct SheetItemDto {
    pub title: String,
    pub points: u32,
    #[serde(default)]
    pub criteria: String,
    #[serde(default)]
    pub veto: bool,
}

/// A question as written by a client: the fields its kind uses.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, Default)]
pub struct QuestionInput {
    /// Trade code, e.g. "1.2" (on create).
    #[serde(default)]
    pub trade: String,
    pub syllabus_point_id: Option<Uuid>,
    /// single, multiple, true_false, fill_in or practical.
    pub kind: String,
    /// The question text, or a score sheet's title.
    pub stem: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Choice options (single, multiple).
    #[serde(default)]
    pub options: Vec<OptionDto>,
    /// The right answer of a true/false question.
    #[serde(default)]
    pub answer: Option<bool>,
    /// Accepted answers of a fill-in question.
    #[serde(default)]
    pub accepted: Vec<String>,
    /// 1 easy, 2 medium (default), 3 hard.
    #[serde(default)]
    pub difficulty: Option<u8>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub explanation: String,
    /// Items of a practical score sheet.
    #[serde(default)]
    pub items: Vec<SheetItemDto>,
}

/// Checks an input into the content of a version; the error names the field.
pub fn content_of(input: &QuestionInput) -> Result<BankContent, WebError> {
    if input.kind == questions::PRACTICAL {
        let items = input
            .items
            .iter()
            .map(|i| SheetItem {
                title: i.title.clone(),
                points: i.points,
                criteria: i.criteria.clone(),
                veto: i.veto,
            })
            .collect();
        return ScoreSheet::new(&input.stem, items)
            .map(BankContent::Sheet)
            .map_err(|e| WebError::invalid("items", &e));
    }
    let kind = QuestionKind::parse(&input.kind).ok_or_else(|| WebError::Invalid {
        field: "kind".into(),
        zh: "题型应为 single、multiple、true_false、fill_in 或 practical".into(),
        en: "kind must be single, multiple, true_false, fill_in or practical".into(),
    })?;
    let difficulty =
        Difficulty::from_level(input.difficulty.unwrap_or(2)).ok_or_else(|| WebError::Invalid {
            field: "difficulty".into(),
            zh: "难度应为 1、2 或 3".into(),
            en: "difficulty must be 1, 2 or 3".into(),
        })?;
    let options = || {
        input
            .options
            .iter()
            .map(|o| ChoiceOption {
                text: o.text.clone(),
                correct: o.correct,
            })
            .collect()
    };
    let body = match kind {
        QuestionKind::Single => QuestionBody::Single { options: options() },
        QuestionKind::Multiple => QuestionBody::Multiple { options: options() },
        QuestionKind::TrueFalse => QuestionBody::TrueFalse {
            answer: input.answer.ok_or_else(|| WebError::Invalid {
                field: "answer".into(),
                zh: "请选择判断题的正确答案".into(),
                en: "Choose the right answer of the true/false question".into(),
            })?,
        },
        QuestionKind::FillIn => QuestionBody::FillIn {
            accepted: input.accepted.clone(),
        },
    };
    Question::new(
        &input.stem,
        body,
        difficulty,
        &input.tags,
        &input.explanation,
    )
    .map(BankContent::Question)
    .map_err(|e| WebError::invalid("stem", &e))
}

/// A version's content as the fields of an input (for edit forms and the JSON view).
pub fn input_of(content: &BankContent) -> QuestionInput {
    let mut input = QuestionInput {
        kind: content.kind_code().to_owned(),
        stem: content.stem().to_owned(),
        ..QuestionInput::default()
    };
    match content {
        BankContent::Question(q) => {
            input.difficulty = Some(q.difficulty().level());
            input.tags = q.tags().to_vec();
            input.explanation = q.explanation().to_owned();
            match q.body() {
                QuestionBody::Single { options } | QuestionBody::Multiple { options } => {
                    input.options = options
                        .iter()
                        .map(|o| OptionDto {
                            text: o.text.clone(),
                            correct: o.correct,
                        })
                        .collect();
                }
                QuestionBody::TrueFalse { answer } => input.answer = Some(*answer),
                QuestionBody::FillIn { accepted } => input.accepted = accepted.clone(),
            }
        }
        BankContent::Sheet(s) => {
            input.items = s
                .items()
                .iter()
                .map(|i| SheetItemDto {
                    title: i.title.clone(),
                    points: i.points,
                    criteria: i.criteria.clone(),
                    veto: i.veto,
                })
                .collect();
        }
    }
    input
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub kind: String,
    pub stem: String,
    pub difficulty: Option<u8>,
    pub tags: Vec<String>,
    pub explanation: String,
    pub options: Vec<OptionDto>,
    pub answer: Option<bool>,
    pub accepted: Vec<String>,
    pub items: Vec<SheetItemDto>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionDto {
    pub id: Uuid,
    pub trade: String,
    pub syllabus_point_id: Uuid,
    pub syllabus_point: String,
    pub kind: String,
    pub current_version: i32,
    pub retired: bool,
    /// manual, demo, import:moodle-xml, import:gift, import:xlsx
    pub source: String,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every version, newest first; the first is the current one.
    pub versions: Vec<VersionDto>,
}

impl From<QuestionDetail> for QuestionDto {
    fn from(d: QuestionDetail) -> Self {
        QuestionDto {
            id: d.question.id,
            trade: d.question.trade_code,
            syllabus_point_id: d.point.id,
            syllabus_point: d.point.title,
            kind: d.question.kind,
            current_version: d.question.current_version,
            retired: d.question.retired,
            source: d.question.source,
            name: d.question.external_name,
            created_at: d.question.created_at,
            updated_at: d.question.updated_at,
            versions: d
                .versions
                .into_iter()
                .map(|v| {
                    let input = input_of(&v.content);
                    VersionDto {
                        version: v.row.version,
                        created_at: v.row.created_at,
                        created_by: v.row.created_by,
                        kind: input.kind,
                        stem: input.stem,
                        difficulty: input.difficulty,
                        tags: input.tags,
                        explanation: input.explanation,
                        options: input.options,
                        answer: input.answer,
                        accepted: input.accepted,
                        items: input.items,
                    }
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct QuestionSummaryDto {
    pub id: Uuid,
    pub trade: String,
    pub syllabus_point_id: Uuid,
    pub syllabus_point: String,
    pub kind: String,
    pub version: i32,
    pub difficulty: i16,
    pub stem: String,
    pub tags: Vec<String>,
    pub retired: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<QuestionRow> for QuestionSummaryDto {
    fn from(r: QuestionRow) -> Self {
        QuestionSummaryDto {
            id: r.question.id,
            trade: r.question.trade_code,
            syllabus_point_id: r.question.syllabus_point_id,
            syllabus_point: r.point_title,
            kind: r.question.kind,
            version: r.question.current_version,
            difficulty: r.difficulty,
            stem: r.stem,
            tags: r.tags,
            retired: r.question.retired,
            updated_at: r.question.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct QuestionPage {
    pub items: Vec<QuestionSummaryDto>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Deserialize, IntoParams, Default, Clone, Debug)]
#[into_params(parameter_in = Query)]
pub struct QuestionListParams {
    /// Trade code, e.g. 1.2.
    pub trade: Option<String>,
    /// A syllabus point: its questions and those of the points below it.
    pub point: Option<Uuid>,
    /// single, multiple, true_false, fill_in, practical
    pub kind: Option<String>,
    /// 1, 2 or 3
    pub difficulty: Option<i16>,
    pub tag: Option<String>,
    /// Words in the question text.
    pub q: Option<String>,
    /// Include retired questions.
    pub retired: Option<bool>,
    #[serde(default, deserialize_with = "crate::paging::page")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "crate::paging::per_page")]
    pub per_page: Option<u64>,
    /// updated (default), created, kind, version
    pub sort: Option<String>,
    pub desc: Option<bool>,
}

impl QuestionListParams {
    pub fn filter(&self) -> QuestionFilter {
        let (page, per_page) = super::paging(self.page, self.per_page);
        let nonempty = |s: &Option<String>| {
            s.as_ref()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        QuestionFilter {
            trade_code: nonempty(&self.trade),
            point: self.point,
            kind: nonempty(&self.kind),
            difficulty: self.difficulty,
            tag: nonempty(&self.tag),
            text: nonempty(&self.q),
            include_retired: self.retired.unwrap_or(false),
            sort: QuestionSort::parse(self.sort.as_deref().unwrap_or_default()),
            // Newest first unless asked otherwise.
            desc: self.desc.unwrap_or(self.sort.is_none()),
            page,
            per_page,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SyllabusPointDto {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub code: String,
    pub title: String,
    /// 0 at the root of the trade.
    pub depth: usize,
    /// Live questions on this point (not counting the points below).
    pub questions: u64,
}

impl From<SyllabusNode> for SyllabusPointDto {
    fn from(n: SyllabusNode) -> Self {
        SyllabusPointDto {
            id: n.point.id,
            parent_id: n.point.parent_id,
            code: n.point.code,
            title: n.point.title,
            depth: n.depth,
            questions: n.questions,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TradeParam {
    /// Trade code, e.g. 1.2.
    pub trade: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewPoint {
    pub trade: String,
    pub parent_id: Option<Uuid>,
    pub title: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PointTitle {
    pub title: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RetiredFlag {
    pub retired: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: Uuid,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct ProblemLine {
    /// Line in the file (spreadsheet row for .xlsx); 0 for the whole file.
    pub line: usize,
    /// The file's name for a question type Anpei lacks, when that is the problem.
    pub unsupported: Option<String>,
    pub detail_zh: String,
    pub detail_en: String,
}

/// What an import found and did.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct ImportResult {
    pub format: String,
    pub dry_run: bool,
    /// Whether questions were written.
    pub imported: bool,
    /// Questions per kind in the file (those that could be read).
    pub counts: BTreeMap<String, usize>,
    /// Every problem, by line; any of them rejects the file (unsupported types only when
    /// skip_unsupported is not set).
    pub problems: Vec<ProblemLine>,
    /// Questions of unsupported types left out (with skip_unsupported).
    pub skipped: usize,
    pub points_created: u64,
}

impl ImportResult {
    pub fn of(format: Format, outcome: &ReadOutcome, dry_run: bool) -> Self {
        ImportResult {
            format: format.code().to_owned(),
            dry_run,
            imported: false,
            counts: outcome
                .counts()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            problems: outcome
                .problems
                .iter()
                .map(|p| ProblemLine {
                    line: p.line,
                    unsupported: p.unsupported.clone(),
                    detail_zh: p.zh.clone(),
                    detail_en: p.en.clone(),
                })
                .collect(),
            skipped: 0,
            points_created: 0,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    pub trade: String,
    /// xlsx, moodle-xml or gift; by default detected from the content.
    pub format: Option<String>,
    /// Check and count only; write nothing.
    pub dry_run: Option<bool>,
    /// Import the rest and skip questions of types Anpei lacks.
    pub skip_unsupported: Option<bool>,
    /// The file's name, to tell its format.
    pub file_name: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    pub trade: String,
    /// xlsx, moodle-xml or gift
    pub format: String,
}

// ---------------------------------------------------------------- shared steps

fn known_trade(code: &str) -> Result<(), WebError> {
    if anpei_domain::trade::find_trade(code).is_none() {
        return Err(WebError::Invalid {
            field: "trade".into(),
            zh: format!("没有工种代码 {code}"),
            en: format!("No trade with code {code}"),
        });
    }
    Ok(())
}

pub fn parse_format(code: &str) -> Result<Format, WebError> {
    Format::parse(code).ok_or_else(|| WebError::Invalid {
        field: "format".into(),
        zh: "格式应为 xlsx、moodle-xml 或 gift".into(),
        en: "format must be xlsx, moodle-xml or gift".into(),
    })
}

/// Reads, checks and (unless a dry run, and only when the file has no problem) imports a
/// file. The status is 200 when it imported or the dry run found nothing wrong, 422 when
/// the file is rejected.
pub async fn run_import(
    state: &AppState,
    authed: &Authed,
    trade: &str,
    format: Format,
    bytes: Bytes,
    dry_run: bool,
    skip_unsupported: bool,
) -> Result<(StatusCode, ImportResult), WebError> {
    bank::bank_access(&authed.actor)?;
    known_trade(trade)?;
    // Parsing a large file is CPU work: off the async workers.
    let outcome = tokio::task::spawn_blocking(move || format.read(&bytes))
        .await
        .map_err(|e| WebError::Internal(format!("reading a question file: {e}")))?;
    // A file past an upload bound (size, rows, nesting) is a refused request, not a list
    // of problems with single questions.
    if let Some(refusal) = &outcome.refused {
        return Err(WebError::invalid("file", refusal));
    }
    let mut result = ImportResult::of(format, &outcome, dry_run);
    if !outcome.importable(skip_unsupported) {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, result));
    }
    result.skipped = outcome.unsupported().count();
    if dry_run {
        return Ok((StatusCode::OK, result));
    }
    match bank::import(
        &state.store,
        &authed.actor,
        clock::now(),
        trade,
        &format!("import:{}", format.code()),
        to_import_drafts(outcome.drafts),
        &|_, _| {},
    )
    .await
    {
        Ok(report) => {
            result.imported = true;
            result.points_created = report.points_created;
            Ok((StatusCode::OK, result))
        }
        Err(StoreError::Invalid { field, zh, en }) => {
            let line = field
                .strip_prefix("line ")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            result.problems.push(ProblemLine {
                line,
                unsupported: None,
                detail_zh: zh,
                detail_en: en,
            });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, result))
        }
        Err(other) => Err(other.into()),
    }
}

/// A trade's export as (file name, content type, bytes).
pub async fn run_export(
    state: &AppState,
    authed: &Authed,
    trade: &str,
    format: Format,
) -> Result<(String, &'static str, Vec<u8>), WebError> {
    let access = bank::bank_access(&authed.actor)?;
    known_trade(trade)?;
    let drafts = bank::export(state.store.connection(), &access, trade).await?;
    let (bytes, _) = format
        .write(&to_format_drafts(drafts))
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    let name = format!("questions-{trade}.{}", format.extension());
    Ok((name, format.content_type(), bytes))
}

pub fn download(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

// ---------------------------------------------------------------- handlers

#[utoipa::path(get, path = "/api/v1/bank/questions", tag = "bank", params(QuestionListParams),
    responses((status = 200, body = QuestionPage), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    authed: Authed,
    Query(params): Query<QuestionListParams>,
) -> Result<axum::Json<QuestionPage>, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let page = bank::list(state.store.connection(), &access, &params.filter()).await?;
    Ok(axum::Json(QuestionPage {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/bank/questions", tag = "bank", request_body = QuestionInput,
    responses((status = 201, body = QuestionDto), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    authed: Authed,
    Json(input): Json<QuestionInput>,
) -> Result<Response, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let content = content_of(&input)?;
    let point = input.syllabus_point_id.ok_or_else(|| WebError::Invalid {
        field: "syllabus_point_id".into(),
        zh: "请选择知识点".into(),
        en: "Choose a syllabus point".into(),
    })?;
    let id = bank::create(
        &state.store,
        &authed.actor,
        clock::now(),
        NewQuestion {
            trade_code: input.trade.trim().to_owned(),
            syllabus_point_id: point,
            name: input.name.clone(),
            content,
        },
    )
    .await?;
    let detail = bank::get(state.store.connection(), &access, id).await?;
    Ok((StatusCode::CREATED, axum::Json(QuestionDto::from(detail))).into_response())
}

#[utoipa::path(get, path = "/api/v1/bank/questions/{id}", tag = "bank", params(("id" = Uuid, Path)),
    responses((status = 200, body = QuestionDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_one(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<QuestionDto>, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    Ok(axum::Json(
        bank::get(state.store.connection(), &access, id)
            .await?
            .into(),
    ))
}

/// Edits a question: a new version (the old ones stay readable).
#[utoipa::path(put, path = "/api/v1/bank/questions/{id}", tag = "bank", params(("id" = Uuid, Path)), request_body = QuestionInput,
    responses((status = 200, body = QuestionDto), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(input): Json<QuestionInput>,
) -> Result<axum::Json<QuestionDto>, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let content = content_of(&input)?;
    bank::edit(
        &state.store,
        &authed.actor,
        clock::now(),
        id,
        input.syllabus_point_id,
        content,
    )
    .await?;
    Ok(axum::Json(
        bank::get(state.store.connection(), &access, id)
            .await?
            .into(),
    ))
}

/// Retires a question (new papers no longer draw it) or restores it.
#[utoipa::path(put, path = "/api/v1/bank/questions/{id}/retired", tag = "bank", params(("id" = Uuid, Path)), request_body = RetiredFlag,
    responses((status = 200, body = QuestionDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn set_retired(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(flag): Json<RetiredFlag>,
) -> Result<axum::Json<QuestionDto>, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    bank::set_retired(&state.store, &authed.actor, clock::now(), id, flag.retired).await?;
    Ok(axum::Json(
        bank::get(state.store.connection(), &access, id)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/bank/syllabus", tag = "bank", params(TradeParam),
    responses((status = 200, body = Vec<SyllabusPointDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn syllabus(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<TradeParam>,
) -> Result<axum::Json<Vec<SyllabusPointDto>>, WebError> {
    let access = bank::bank_access(&authed.actor)?;
    let nodes = bank::syllabus(state.store.connection(), &access, q.trade.trim()).await?;
    Ok(axum::Json(nodes.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/bank/syllabus", tag = "bank", request_body = NewPoint,
    responses((status = 201, body = CreatedDto), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn add_point(
    State(state): State<AppState>,
    authed: Authed,
    Json(point): Json<NewPoint>,
) -> Result<Response, WebError> {
    let id = bank::add_point(
        &state.store,
        &authed.actor,
        clock::now(),
        point.trade.trim(),
        point.parent_id,
        &point.title,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(CreatedDto { id })).into_response())
}

#[utoipa::path(put, path = "/api/v1/bank/syllabus/{id}", tag = "bank", params(("id" = Uuid, Path)), request_body = PointTitle,
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn rename_point(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
    Json(title): Json<PointTitle>,
) -> Result<StatusCode, WebError> {
    bank::rename_point(&state.store, &authed.actor, clock::now(), id, &title.title).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Imports a question file sent as the request body (up to 20 MiB), all or nothing.
#[utoipa::path(post, path = "/api/v1/bank/import", tag = "bank", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file: .xlsx, Moodle XML or GIFT"),
    responses((status = 200, body = ImportResult, description = "Imported, or a dry run that found no problem"),
        (status = 422, body = ImportResult, description = "Rejected whole: every problem by line"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn import(
    State(state): State<AppState>,
    authed: Authed,
    Query(params): Query<ImportParams>,
    body: Bytes,
) -> Result<Response, WebError> {
    let format = match params.format.as_deref().filter(|f| !f.is_empty()) {
        Some(code) => parse_format(code)?,
        None => Format::detect(params.file_name.as_deref().unwrap_or_default(), &body),
    };
    let (status, result) = run_import(
        &state,
        &authed,
        params.trade.trim(),
        format,
        body,
        params.dry_run.unwrap_or(false),
        params.skip_unsupported.unwrap_or(false),
    )
    .await?;
    Ok((status, axum::Json(result)).into_response())
}

/// A trade's current questions as a file (score sheets only in xlsx).
#[utoipa::path(get, path = "/api/v1/bank/export", tag = "bank", params(ExportParams),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn export(
    State(state): State<AppState>,
    authed: Authed,
    Query(params): Query<ExportParams>,
) -> Result<Response, WebError> {
    let format = parse_format(&params.format)?;
    let (name, content_type, bytes) =
        run_export(&state, &authed, params.trade.trim(), format).await?;
    Ok(download(&name, content_type, bytes))
}
