//! `/exams/{id}/practical/{person}/{registration}`: the examiner's score sheet for one
//! examinee's practical part, and the marks posted from it.

use anpei_store::exam::practical::{self, MarkJson};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::{FormError, Pairs, field, number};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path};
use crate::i18n::Tr;
use crate::pages::{Layout, render};
use crate::{AppState, clock};

#[derive(Debug, Clone)]
pub struct SheetRow {
    pub index: usize,
    pub title: String,
    pub points: u32,
    pub criteria: String,
    pub veto: bool,
    pub value: String,
    pub vetoed: bool,
}

#[derive(Template)]
#[template(path = "exam_practical.html")]
struct SheetPage {
    l: Layout,
    console: String,
    action: String,
    session_title: String,
    sheet_title: String,
    name: String,
    id_number: String,
    ticket: String,
    seat: i32,
    pass_mark: u32,
    rows: Vec<SheetRow>,
    evidence: String,
    error: Option<FormError>,
    /// (score, passed, examiner, when)
    scored: Option<(i32, bool, String, String)>,
    certificate: Option<String>,
}

async fn sheet_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    (id, person, registration_id): (Uuid, Uuid, Uuid),
    typed: Option<(Vec<(String, bool)>, String)>,
    error: Option<FormError>,
) -> Result<SheetPage, WebError> {
    let view = practical::sheet_for(
        state.store.connection(),
        &authed.actor,
        id,
        person,
        registration_id,
    )
    .await?;
    let stored = view
        .scored
        .as_ref()
        .map(practical::marks_of)
        .unwrap_or_default();
    let rows = view
        .sheet
        .items()
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let (value, vetoed) = match &typed {
                Some((marks, _)) => marks.get(index).cloned().unwrap_or_default(),
                None => stored
                    .get(index)
                    .map(|m| (m.points.to_string(), m.vetoed))
                    .unwrap_or_default(),
            };
            SheetRow {
                index,
                title: item.title.clone(),
                points: item.points,
                criteria: item.criteria.clone(),
                veto: item.veto,
                value,
                vetoed,
            }
        })
        .collect();
    let evidence = match &typed {
        Some((_, evidence)) => evidence.clone(),
        None => view
            .scored
            .as_ref()
            .map(|s| practical::evidence_of(s).join("\n"))
            .unwrap_or_default(),
    };
    let path = format!("/exams/{id}/practical/{person}/{registration_id}");
    Ok(SheetPage {
        l: Layout::new(
            t,
            t.pick("实际操作评分表", "Practical score sheet"),
            Some(authed),
            &path,
        ),
        console: format!("/exams/{id}"),
        action: path,
        session_title: view.access.session.title.clone(),
        sheet_title: view.sheet.title().to_owned(),
        name: view.name.clone(),
        id_number: view.id_number.masked(),
        ticket: view.registration.ticket.clone(),
        seat: view.registration.seat_no,
        pass_mark: view.pass_mark,
        rows,
        evidence,
        error,
        scored: view.scored.as_ref().map(|s| {
            (
                s.score,
                s.passed,
                s.examiner_name.clone(),
                clock::local(s.scored_at),
            )
        }),
        certificate: view.certificate,
    })
}

pub(super) async fn sheet(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(ids): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let page = sheet_page(&state, t, &authed, ids, None, None).await?;
    render(&page)
}

pub(super) async fn score(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(ids): Path<(Uuid, Uuid, Uuid)>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let (id, person, registration_id) = ids;
    let items = practical::sheet_for(
        state.store.connection(),
        &authed.actor,
        id,
        person,
        registration_id,
    )
    .await?
    .sheet
    .items()
    .to_vec();
    let typed: Vec<(String, bool)> = (0..items.len())
        .map(|i| {
            (
                field(&pairs, &format!("points_{i}")),
                pairs.iter().any(|(k, _)| *k == format!("veto_{i}")),
            )
        })
        .collect();
    let evidence_text = field(&pairs, "evidence");
    let saved = async {
        let marks = typed
            .iter()
            .zip(&items)
            .enumerate()
            .map(|(i, ((value, vetoed), item))| {
                let points = if value.trim().is_empty() && item.points == 0 {
                    0
                } else {
                    number(
                        &format!("points_{i}"),
                        value,
                        &format!("第 {} 项“{}”的得分", i + 1, item.title),
                        &format!("item {} ({})", i + 1, item.title),
                    )?
                };
                Ok(MarkJson {
                    points,
                    vetoed: *vetoed,
                })
            })
            .collect::<Result<Vec<_>, WebError>>()?;
        let evidence: Vec<String> = evidence_text
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        practical::score(
            &state.store,
            &authed.actor,
            id,
            person,
            registration_id,
            marks,
            evidence,
            clock::now(),
        )
        .await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(
            Redirect::to(&format!("/exams/{id}/practical/{person}/{registration_id}"))
                .into_response(),
        ),
        Err(err @ WebError::Invalid { .. }) => {
            let page = sheet_page(
                &state,
                t,
                &authed,
                ids,
                Some((typed, evidence_text)),
                Some(FormError::of(t, &err)),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}
