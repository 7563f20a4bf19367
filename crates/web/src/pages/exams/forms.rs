//! The three forms on `/exams` (an exam site with its rooms, a blueprint, a session): what
//! was typed, how it is read, and where a refused one comes back to the list with its
//! reasons (422).

use anpei_domain::exam::ExamPart;
use anpei_store::exam::sessions::{self, NewBlueprint, NewSession, RowJson};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::list::{ListParams, exams_page};
use super::{FormError, Pairs, field, number, parse_local};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Form;
use crate::i18n::Tr;
use crate::pages::render;
use crate::{AppState, clock};

/// Blueprint rows the form offers.
const FORM_ROWS: usize = 6;

#[derive(Debug, Clone, Default)]
pub struct SiteForm {
    pub region_code: String,
    pub name: String,
    pub address: String,
    pub rooms: String,
    pub institution_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct RowField {
    pub index: usize,
    pub point: String,
    pub kind: String,
    pub difficulty: String,
    pub count: String,
    pub points: String,
}

#[derive(Debug, Clone, Default)]
pub struct BlueprintForm {
    pub name: String,
    pub trade: String,
    pub part: String,
    pub duration: String,
    pub required_hours: String,
    pub total: String,
    pub pass_mark: String,
    pub score_sheet: String,
    pub rows: Vec<RowField>,
}

impl BlueprintForm {
    pub(super) fn empty() -> Self {
        let mut form = BlueprintForm {
            trade: "1.2".into(),
            part: ExamPart::Theory.code().into(),
            duration: "90".into(),
            required_hours: "40".into(),
            total: "100".into(),
            // Special operations: 80 of 100 (Order No. 30 Art. 12).
            pass_mark: "80".into(),
            ..BlueprintForm::default()
        };
        form.pad();
        form
    }

    fn pad(&mut self) {
        while self.rows.len() < FORM_ROWS {
            self.rows.push(RowField {
                index: self.rows.len(),
                ..RowField::default()
            });
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SessionForm {
    pub room: String,
    pub blueprint: String,
    pub title: String,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Default)]
pub(super) struct Forms {
    pub(super) site: SiteForm,
    pub(super) site_error: Option<FormError>,
    pub(super) blueprint: Option<BlueprintForm>,
    pub(super) bp_error: Option<FormError>,
    pub(super) session: SessionForm,
    pub(super) session_error: Option<FormError>,
    pub(super) open: &'static str,
}

fn site_form_of(pairs: &Pairs) -> SiteForm {
    SiteForm {
        region_code: field(pairs, "region_code"),
        name: field(pairs, "name"),
        address: field(pairs, "address"),
        rooms: field(pairs, "rooms"),
        institution_id: field(pairs, "institution_id"),
    }
}

/// "第1考场 30" per line (name, then seats).
fn rooms_of(text: &str) -> Result<Vec<(String, u32)>, WebError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let (name, seats) =
                line.rsplit_once([' ', '\t', ',', '，'])
                    .ok_or_else(|| WebError::Invalid {
                        field: "rooms".into(),
                        zh: format!("第 {} 行：请写“考场名称 座位数”", i + 1),
                        en: format!("line {}: write \"room seats\"", i + 1),
                    })?;
            let seats = seats.trim().parse::<u32>().map_err(|_| WebError::Invalid {
                field: "rooms".into(),
                zh: format!("第 {} 行：座位数“{}”不是整数", i + 1, seats.trim()),
                en: format!(
                    "line {}: seats \"{}\" is not a whole number",
                    i + 1,
                    seats.trim()
                ),
            })?;
            Ok((name.trim().to_owned(), seats))
        })
        .collect()
}

pub(super) async fn create_site(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = site_form_of(&pairs);
    let saved = async {
        let rooms = rooms_of(&form.rooms)?;
        let institution_id = match form.institution_id.trim() {
            "" => None,
            raw => Some(Uuid::parse_str(raw).map_err(|_| WebError::Invalid {
                field: "institution_id".to_owned(),
                zh: "未找到该培训机构".to_owned(),
                en: "No such training institution".to_owned(),
            })?),
        };
        sessions::create_site(
            &state.store,
            &authed.actor,
            sessions::NewSite {
                region_code: &form.region_code,
                name: &form.name,
                address: &form.address,
                rooms: &rooms,
                institution_id,
            },
            clock::now(),
        )
        .await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/exams#sites").into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = Forms {
                site_error: Some(FormError::of(t, &err)),
                site: form,
                open: "site",
                ..Forms::default()
            };
            refused(&state, t, &authed, forms).await
        }
        Err(other) => Err(other),
    }
}

async fn refused(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    forms: Forms,
) -> Result<Response, WebError> {
    let page = exams_page(state, t, authed, &ListParams::default(), forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

fn blueprint_form_of(pairs: &Pairs) -> BlueprintForm {
    let mut form = BlueprintForm {
        name: field(pairs, "name"),
        trade: field(pairs, "trade"),
        part: field(pairs, "part"),
        duration: field(pairs, "duration"),
        required_hours: field(pairs, "required_hours"),
        total: field(pairs, "total"),
        pass_mark: field(pairs, "pass_mark"),
        score_sheet: field(pairs, "score_sheet"),
        rows: (0..FORM_ROWS)
            .map(|index| RowField {
                index,
                point: field(pairs, &format!("point_{index}")),
                kind: field(pairs, &format!("kind_{index}")),
                difficulty: field(pairs, &format!("difficulty_{index}")),
                count: field(pairs, &format!("count_{index}")),
                points: field(pairs, &format!("points_{index}")),
            })
            .collect(),
    };
    form.pad();
    form
}

fn new_blueprint(form: &BlueprintForm) -> Result<NewBlueprint, WebError> {
    let part = ExamPart::parse(form.part.trim()).ok_or_else(|| WebError::Invalid {
        field: "part".into(),
        zh: "请选择考试科目".into(),
        en: "Choose the part".into(),
    })?;
    let mut rows = Vec::new();
    if part == ExamPart::Theory {
        for row in &form.rows {
            if row.point.trim().is_empty() && row.count.trim().is_empty() {
                continue;
            }
            let n = row.index + 1;
            let point = Uuid::parse_str(row.point.trim()).map_err(|_| WebError::Invalid {
                field: format!("point_{}", row.index),
                zh: format!("第 {n} 行：请选择知识点"),
                en: format!("row {n}: choose a syllabus point"),
            })?;
            rows.push(RowJson {
                syllabus_point_id: point,
                kind: row.kind.trim().to_owned(),
                difficulty: row.difficulty.trim().parse().ok(),
                count: number(
                    &format!("count_{}", row.index),
                    &row.count,
                    &format!("第 {n} 行的题数"),
                    &format!("row {n}: count"),
                )?,
                points: number(
                    &format!("points_{}", row.index),
                    &row.points,
                    &format!("第 {n} 行的每题分值"),
                    &format!("row {n}: points"),
                )?,
            });
        }
    }
    Ok(NewBlueprint {
        name: form.name.clone(),
        trade_code: form.trade.trim().to_owned(),
        part,
        rows,
        total: number("total", &form.total, "总分", "Total")?,
        pass_mark: number("pass_mark", &form.pass_mark, "合格分", "Pass mark")?,
        duration_minutes: number("duration", &form.duration, "考试时长", "Duration")?,
        required_hours: number(
            "required_hours",
            &form.required_hours,
            "培训学时要求",
            "Required hours",
        )?,
        score_sheet_id: Uuid::parse_str(form.score_sheet.trim()).ok(),
    })
}

pub(super) async fn create_blueprint(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = blueprint_form_of(&pairs);
    let saved = async {
        let new = new_blueprint(&form)?;
        sessions::create_blueprint(&state.store, &authed.actor, new, clock::now()).await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/exams#blueprints").into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = Forms {
                bp_error: Some(FormError::of(t, &err)),
                blueprint: Some(form),
                open: "blueprint",
                ..Forms::default()
            };
            refused(&state, t, &authed, forms).await
        }
        Err(other) => Err(other),
    }
}

pub(super) async fn create_session(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = SessionForm {
        room: field(&pairs, "room"),
        blueprint: field(&pairs, "blueprint"),
        title: field(&pairs, "title"),
        opens_at: field(&pairs, "opens_at"),
        closes_at: field(&pairs, "closes_at"),
    };
    let saved = async {
        let (site, room) = form
            .room
            .split_once('/')
            .and_then(|(s, r)| Some((Uuid::parse_str(s).ok()?, Uuid::parse_str(r).ok()?)))
            .ok_or_else(|| WebError::Invalid {
                field: "room".into(),
                zh: "请选择考场".into(),
                en: "Choose a room".into(),
            })?;
        let blueprint = Uuid::parse_str(form.blueprint.trim()).map_err(|_| WebError::Invalid {
            field: "blueprint".into(),
            zh: "请选择组卷方案".into(),
            en: "Choose a blueprint".into(),
        })?;
        let session = sessions::create_session(
            &state.store,
            &authed.actor,
            NewSession {
                site_id: site,
                room_id: room,
                blueprint_id: blueprint,
                title: form.title.clone(),
                opens_at: parse_local("opens_at", &form.opens_at)?,
                closes_at: parse_local("closes_at", &form.closes_at)?,
            },
            clock::now(),
        )
        .await?;
        Ok::<Uuid, WebError>(session.id)
    }
    .await;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/exams/{id}")).into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = Forms {
                session_error: Some(FormError::of(t, &err)),
                session: form,
                open: "session",
                ..Forms::default()
            };
            refused(&state, t, &authed, forms).await
        }
        Err(other) => Err(other),
    }
}
