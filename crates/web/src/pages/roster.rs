//! Roster import and export for an enterprise (SPEC C4): download the template, export the
//! current staff as .xlsx or CSV, upload a roster that is imported whole or not at all.
//!
//! Why a page of its own: uploads need a larger body limit (20 MiB) than the rest of the app,
//! and the limit is layered on this router only.

use anpei_formats::roster::{self, RosterRow, RowError};
use anpei_store::ops::people::Hire;
use anpei_store::{StoreError, access, ops};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use uuid::Uuid;

use super::{Layout, render};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Path;
use crate::i18n::Tr;
use crate::import_progress::ImportProgress;
use crate::{AppState, clock};

/// Largest roster accepted: about 100,000 rows of .xlsx.
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises/{id}/roster", get(page).post(import))
        .route("/enterprises/{id}/roster/progress/{token}", get(progress))
        .route("/enterprises/{id}/roster/export.xlsx", get(export_xlsx))
        .route("/enterprises/{id}/roster/export.csv", get(export_csv))
        .route("/enterprises/{id}/roster/template.xlsx", get(template))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD))
}

/// A parsed roster row as the store's hire.
pub fn to_hire(row: RosterRow) -> (usize, Hire) {
    (
        row.row,
        Hire {
            id_number: row.id_number,
            name: row.name,
            phone: row.phone,
            education: row.education,
            kind: row.kind,
            position: row.position,
            flags: row.flags,
            period: row.period,
        },
    )
}

/// Hires as roster rows, numbered from row 2 (after the header) in order.
pub fn to_rows(hires: Vec<Hire>) -> Vec<RosterRow> {
    hires
        .into_iter()
        .enumerate()
        .map(|(index, hire)| RosterRow {
            row: index + 2,
            name: hire.name,
            id_number: hire.id_number,
            phone: hire.phone,
            education: hire.education,
            kind: hire.kind,
            position: hire.position,
            period: hire.period,
            flags: hire.flags,
        })
        .collect()
}

/// Reads a roster file, .xlsx or CSV by its name (an .xlsx file is a zip: "PK" also tells).
pub fn read_roster(file_name: &str, bytes: &[u8]) -> Result<Vec<RosterRow>, Vec<RowError>> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".xlsx") || (!lower.ends_with(".csv") && bytes.starts_with(b"PK")) {
        roster::read_xlsx(bytes)
    } else {
        roster::read_csv(bytes)
    }
}

struct ErrorLine {
    row: String,
    column: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    l: Layout,
    id: Uuid,
    name: String,
    errors: Vec<ErrorLine>,
    summary: Option<String>,
}

async fn roster_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    errors: Vec<ErrorLine>,
    summary: Option<String>,
) -> Result<RosterPage, WebError> {
    let name =
        anpei_store::read::enterprise(state.store.connection(), &authed.actor, id, clock::today())
            .await?
            .name;
    Ok(RosterPage {
        l: Layout::new(
            t,
            t.pick("花名册导入导出", "Roster import and export"),
            Some(authed),
            &format!("/enterprises/{id}/roster"),
        ),
        id,
        name,
        errors,
        summary,
    })
}

async fn page(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    access::enterprise_staff_write(state.store.connection(), &authed.actor, id).await?;
    render(&roster_page(&state, t, &authed, id, Vec::new(), None).await?)
}

async fn import(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let staff = access::enterprise_staff_write(state.store.connection(), &authed.actor, id).await?;
    let bad_upload = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::PayloadTooLarge
        } else {
            WebError::bad_request("上传的文件无法读取", "The upload cannot be read")
        }
    };
    let mut file = None;
    let mut token = None;
    while let Some(field) = multipart.next_field().await.map_err(bad_upload)? {
        if field.name() == Some("progress") {
            let text = field.text().await.map_err(bad_upload)?;
            token = Some(text).filter(|t| ImportProgress::valid_token(t));
        } else if field.name() == Some("file") {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(bad_upload)?;
            file = Some((file_name, bytes));
        }
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError::Invalid {
            field: "file".to_owned(),
            zh: "请选择要导入的 .xlsx 或 .csv 文件".to_owned(),
            en: "Choose an .xlsx or .csv file to import".to_owned(),
        });
    };
    let rows = match read_roster(&file_name, &bytes) {
        Ok(rows) => rows,
        Err(errors) => {
            let lines = errors
                .into_iter()
                .map(|e| ErrorLine {
                    row: if e.row == 0 {
                        String::new()
                    } else {
                        e.row.to_string()
                    },
                    column: e.column,
                    reason: t.pick_owned(&(e.zh, e.en)),
                })
                .collect();
            let page = roster_page(&state, t, &authed, id, lines, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let hires = rows.into_iter().map(to_hire).collect();
    let imports = &state.imports;
    let token = token.filter(|t| imports.begin(t, authed.account.id));
    let outcome = ops::roster::import(
        &state.store,
        &authed.actor,
        staff,
        hires,
        clock::now(),
        &|step, done, total| {
            if let Some(token) = &token {
                imports.update(token, step, done, total);
            }
        },
    )
    .await;
    if let (Err(_), Some(token)) = (&outcome, &token) {
        imports.end(token);
    }
    match outcome {
        Ok(report) => {
            let summary = match t.lang {
                crate::i18n::Lang::Zh => format!(
                    "已导入 {} 条在职记录，其中新建人员档案 {} 份。",
                    report.employments, report.new_people
                ),
                crate::i18n::Lang::En => format!(
                    "Imported {} employments; {} new personal archives opened.",
                    report.employments, report.new_people
                ),
            };
            render(&roster_page(&state, t, &authed, id, Vec::new(), Some(summary)).await?)
        }
        Err(StoreError::Invalid { field, zh, en }) => {
            let (row, column) = match field.strip_prefix("row ").and_then(|r| r.split_once(": ")) {
                Some((row, column)) => (row.to_owned(), column.to_owned()),
                None => (String::new(), field),
            };
            let lines = vec![ErrorLine {
                row,
                column,
                reason: t.pick_owned(&(zh, en)),
            }];
            let page = roster_page(&state, t, &authed, id, lines, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// Where an import started from this page stands (JSON for the page's script): the step,
/// its label in both languages, and rows done of the step's total.
async fn progress(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, token)): Path<(Uuid, String)>,
) -> Result<Response, WebError> {
    access::enterprise_staff_write(state.store.connection(), &authed.actor, id).await?;
    let at = state
        .imports
        .get(&token, authed.account.id)
        .ok_or(WebError::NotFound)?;
    let (zh, en) = at.step.label();
    Ok(axum::Json(serde_json::json!({
        "step": at.step,
        "label_zh": zh,
        "label_en": en,
        "done": at.done,
        "total": at.total,
    }))
    .into_response())
}

/// The current staff as roster rows, and whether the file may carry their full identities:
/// only the enterprise's own accounts get them (the file re-imports), and each such export
/// is audited (`pii_audit`); regulators get masked numbers.
async fn current_rows(
    state: &AppState,
    authed: &Authed,
    id: Uuid,
) -> Result<(Vec<RosterRow>, roster::Identities), WebError> {
    let db = state.store.connection();
    let staff = access::enterprise_staff_read(db, &authed.actor, id).await?;
    let hires = ops::roster::export(db, staff, clock::today()).await?;
    let identities = if authed.actor.scope == anpei_store::Scope::Enterprise(id) {
        anpei_store::pii_audit::record(
            db,
            &authed.actor,
            anpei_store::pii_audit::PiiAccess::RosterExport,
            None,
            Some(id),
            hires.len() as u64,
            clock::now(),
        )
        .await?;
        roster::Identities::Full
    } else {
        roster::Identities::Masked
    };
    Ok((to_rows(hires), identities))
}

fn download(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
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

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx_failed(e: &roster::XlsxError) -> WebError {
    WebError::Internal(format!("xlsx: {e}"))
}

async fn export_xlsx(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let (rows, identities) = current_rows(&state, &authed, id).await?;
    let bytes = roster::write_xlsx_with(&rows, identities).map_err(|e| xlsx_failed(&e))?;
    Ok(download(XLSX, "roster.xlsx", bytes))
}

async fn export_csv(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let (rows, identities) = current_rows(&state, &authed, id).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        "roster.csv",
        roster::write_csv_with(&rows, identities),
    ))
}

async fn template(
    authed: Authed,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    access::enterprise_staff_write(state.store.connection(), &authed.actor, id).await?;
    let bytes = roster::template_xlsx().map_err(|e| xlsx_failed(&e))?;
    Ok(download(XLSX, "roster-template.xlsx", bytes))
}
