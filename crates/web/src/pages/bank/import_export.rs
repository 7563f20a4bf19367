//! Import and export of a trade's questions: the upload page with its dry run and its
//! report of counts and problems, the .xlsx template, and the exports (.xlsx, Moodle XML,
//! GIFT). Parsing and writing are the API's; this file draws the page around them.

use anpei_domain::trade;
use anpei_formats::questions::{self, Format};
use anpei_store::exam::bank;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Choice, DEFAULT_TRADE, kind_label, trade_choices, trade_label};
use crate::AppState;
use crate::api::bank::{self as api, ImportResult};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Query;
use crate::i18n::Tr;
use crate::pages::{Layout, render};

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
pub(super) struct TradeQuery {
    trade: Option<String>,
}

pub(super) async fn import_page(
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

pub(super) async fn import(
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

pub(super) async fn template(authed: Authed) -> Result<Response, WebError> {
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
pub(super) struct ExportQuery {
    trade: String,
    format: String,
}

pub(super) async fn export(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let format = api::parse_format(&q.format)?;
    let (name, content_type, bytes) =
        api::run_export(&state, &authed, q.trade.trim(), format).await?;
    Ok(api::download(&name, content_type, bytes))
}
