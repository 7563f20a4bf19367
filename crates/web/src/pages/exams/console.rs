//! `/exams/{id}`: the proctor's console and its live partial (htmx, every 5 s), with what
//! is done from it — staff, registration, sign-in approvals, extra time and the forced
//! hand-in after its confirmation page.

use std::collections::BTreeMap;

use anpei_domain::exam::ExamPart;
use anpei_store::exam::attempts::{Keys, SubmitReason};
use anpei_store::exam::practical;
use anpei_store::exam::registration::{self, NewRegistration};
use anpei_store::exam::sessions::{self, Duty};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    FormError, Pairs, clock_text, field, number, part_label, proctored, session_state, trade_label,
};
use crate::api::exams::{ConsoleDto, ExamineeDto, console_of};
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::{Form, Path, Query};
use crate::i18n::Tr;
use crate::pages::{Layout, render};
use crate::{AppState, clock};

#[derive(Debug, Clone)]
pub struct ConsoleRow {
    pub seat: i32,
    pub name: String,
    pub id_number: String,
    pub ticket: String,
    pub make_up: bool,
    pub status: &'static str,
    pub status_class: &'static str,
    pub answered: u32,
    pub questions: u32,
    pub time_left: String,
    pub urgent: bool,
    pub leaves: u32,
    pub reconnects: u32,
    pub score: Option<String>,
    pub review: Option<String>,
    /// Where extra time and the forced hand-in post, while the attempt runs.
    pub running: Option<String>,
    pub sheet: Option<String>,
}

/// A sign-in from another device on the console, with where its decision is posted.
#[derive(Debug, Clone)]
pub struct RequestLine {
    pub action: String,
    pub seat: i32,
    pub name: String,
    pub ticket: String,
    pub at: String,
    pub client: String,
}

#[derive(Debug, Clone)]
pub struct LiveView {
    pub href: String,
    pub requests: Vec<RequestLine>,
    pub updated: String,
    pub practical: bool,
    pub registered: usize,
    pub signed_in: usize,
    pub finished: usize,
    pub absent: usize,
    pub rows: Vec<ConsoleRow>,
}

fn console_row(
    t: Tr,
    id: Uuid,
    (practical, proctor, examiner): (bool, bool, bool),
    e: ExamineeDto,
) -> ConsoleRow {
    let (status, status_class) = match e.status.as_str() {
        registration::SIGNED_IN if e.seconds_left.is_some() => {
            (t.pick("答题中", "In progress"), "ok")
        }
        registration::SIGNED_IN | registration::FINISHED => (t.pick("已交卷", "Handed in"), "done"),
        registration::ABSENT => (t.pick("缺考", "Absent"), "bad"),
        _ => (t.pick("未签到", "Not signed in"), "warn"),
    };
    let running = e.seconds_left.is_some();
    let attempt_href = e
        .attempt_id
        .map(|a| format!("/exams/{id}/attempts/{}/{a}", e.person_id));
    ConsoleRow {
        seat: e.seat_no,
        name: e.name,
        id_number: e.id_number,
        ticket: e.ticket,
        make_up: e.make_up,
        status,
        status_class,
        answered: e.answered,
        questions: e.questions,
        time_left: e.seconds_left.map(clock_text).unwrap_or_default(),
        urgent: e.seconds_left.is_some_and(|s| s < 300),
        leaves: e.leaves,
        reconnects: e.reconnects,
        score: e.score.map(|s| {
            let verdict = match e.passed {
                Some(true) => t.pick("合格", "pass"),
                Some(false) => t.pick("不合格", "fail"),
                None => "",
            };
            format!("{s} {} {verdict}", t.pick("分", "pts"))
        }),
        review: if proctor && !practical {
            attempt_href.clone()
        } else {
            None
        },
        running: if proctor && running {
            attempt_href
        } else {
            None
        },
        sheet: (practical && examiner).then(|| {
            format!(
                "/exams/{id}/practical/{}/{}",
                e.person_id, e.registration_id
            )
        }),
    }
}

fn live_view(t: Tr, console: ConsoleDto, practical_scores: &BTreeMap<Uuid, String>) -> LiveView {
    let id = console.session.id;
    let practical = console.session.part == ExamPart::Practical.code();
    let proctor = console.organiser || console.duty.as_deref() == Some(Duty::Proctor.code());
    let examiner = console.organiser || console.duty.as_deref() == Some(Duty::Examiner.code());
    let count = |status: &str| {
        console
            .examinees
            .iter()
            .filter(|e| e.status == status)
            .count()
    };
    let (registered, signed_in, finished, absent) = (
        count(registration::REGISTERED),
        count(registration::SIGNED_IN),
        count(registration::FINISHED),
        count(registration::ABSENT),
    );
    let requests = console
        .sign_in_requests
        .iter()
        .map(|r| RequestLine {
            action: format!("/exams/{id}/sign-in-requests/{}/{}", r.person_id, r.id),
            seat: r.seat_no,
            name: r.name.clone(),
            ticket: r.ticket.clone(),
            at: r
                .requested_at
                .with_timezone(&clock::SHANGHAI)
                .format("%H:%M:%S")
                .to_string(),
            client: r.client.clone(),
        })
        .collect();
    LiveView {
        href: format!("/exams/{id}/live"),
        requests,
        updated: clock::now()
            .with_timezone(&clock::SHANGHAI)
            .format("%H:%M:%S")
            .to_string(),
        practical,
        registered,
        signed_in,
        finished,
        absent,
        rows: console
            .examinees
            .into_iter()
            .map(|e| {
                let scored = practical_scores.get(&e.registration_id).cloned();
                let mut row = console_row(t, id, (practical, proctor, examiner), e);
                if scored.is_some() {
                    row.score = scored;
                }
                row
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct StaffForm {
    pub username: String,
    pub duty: String,
}

#[derive(Debug, Clone, Default)]
pub struct RegistrationForm {
    pub id_number: String,
    pub name: String,
    pub seat_no: String,
    pub extra_minutes: String,
}

#[derive(Debug, Clone)]
pub struct StaffLine {
    pub name: String,
    pub username: String,
    pub duty: &'static str,
}

#[derive(Template)]
#[template(path = "exam_console.html")]
struct ConsolePage {
    l: Layout,
    id: Uuid,
    title: String,
    trade: String,
    part: &'static str,
    site: String,
    room: String,
    seats: i32,
    opens: String,
    closes: String,
    duration: i32,
    state: &'static str,
    state_class: &'static str,
    sign_in_link: String,
    organiser: bool,
    duty: Option<&'static str>,
    live: LiveView,
    staff: Vec<StaffLine>,
    staff_form: StaffForm,
    staff_error: Option<FormError>,
    reg_form: RegistrationForm,
    reg_error: Option<FormError>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "exam_console_live.html")]
struct LivePartial {
    l: Layout,
    live: LiveView,
}

/// Practical scores of a session by registration, as the console shows them.
async fn practical_scores(
    state: &AppState,
    t: Tr,
    console: &ConsoleDto,
) -> Result<BTreeMap<Uuid, String>, WebError> {
    if console.session.part != ExamPart::Practical.code() {
        return Ok(BTreeMap::new());
    }
    let rows = practical::session_scores(state.store.connection(), console.session.id).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            (
                s.registration_id,
                format!(
                    "{} {} {}",
                    s.score,
                    t.pick("分", "pts"),
                    if s.passed {
                        t.pick("合格", "pass")
                    } else {
                        t.pick("不合格", "fail")
                    }
                ),
            )
        })
        .collect())
}

#[derive(Default)]
struct ConsoleForms {
    staff: StaffForm,
    staff_error: Option<FormError>,
    registration: RegistrationForm,
    reg_error: Option<FormError>,
    notice: Option<String>,
}

/// The console again, with a refused form's input and reasons (422).
async fn refused_on_console(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    forms: ConsoleForms,
) -> Result<Response, WebError> {
    let page = console_page(state, t, authed, id, forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn console_page(
    state: &AppState,
    t: Tr,
    authed: &Authed,
    id: Uuid,
    forms: ConsoleForms,
) -> Result<ConsolePage, WebError> {
    let console = console_of(state, authed, id).await?;
    let scores = practical_scores(state, t, &console).await?;
    let db = state.store.connection();
    let access = sessions::session_access(db, &authed.actor, id).await?;
    let staff = if access.organiser {
        sessions::staff(db, &access)
            .await?
            .into_iter()
            .map(|(_, name, username, duty)| StaffLine {
                name,
                username,
                duty: duty_label(t, duty),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (_, state_label, state_class) = session_state(
        t,
        console.session.opens_at,
        console.session.closes_at,
        clock::now(),
    );
    let title = console.session.title.clone();
    Ok(ConsolePage {
        l: Layout::new(t, &title, Some(authed), &format!("/exams/{id}")),
        id,
        title,
        trade: trade_label(t, &console.session.trade_code),
        part: part_label(t, &console.session.part),
        site: console.session.site.clone(),
        room: console.room.clone(),
        seats: console.seats,
        opens: clock::local(console.session.opens_at),
        closes: clock::local(console.session.closes_at),
        duration: console.session.duration_minutes,
        state: state_label,
        state_class,
        sign_in_link: format!("/exam/{id}"),
        organiser: console.organiser,
        duty: access.duty.map(|d| duty_label(t, d)),
        live: live_view(t, console, &scores),
        staff,
        staff_form: forms.staff,
        staff_error: forms.staff_error,
        reg_form: forms.registration,
        reg_error: forms.reg_error,
        notice: forms.notice,
    })
}

fn duty_label(t: Tr, duty: Duty) -> &'static str {
    match duty {
        Duty::Proctor => t.pick("监考员", "Proctor"),
        Duty::Examiner => t.pick("考评员", "Examiner"),
    }
}

#[derive(Deserialize)]
pub(super) struct ConsoleParams {
    registered: Option<String>,
}

pub(super) async fn console(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Query(params): Query<ConsoleParams>,
) -> Result<Response, WebError> {
    let notice = params
        .registered
        .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
        .map(|ticket| {
            if t.is_en() {
                format!("Registered: admission ticket {ticket}")
            } else {
                format!("已登记，准考证号 {ticket}")
            }
        });
    let page = console_page(
        &state,
        t,
        &authed,
        id,
        ConsoleForms {
            notice,
            ..ConsoleForms::default()
        },
    )
    .await?;
    render(&page)
}

pub(super) async fn console_live(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    let console = console_of(&state, &authed, id).await?;
    let scores = practical_scores(&state, t, &console).await?;
    let title = console.session.title.clone();
    render(&LivePartial {
        l: Layout::new(t, &title, Some(&authed), &format!("/exams/{id}")),
        live: live_view(t, console, &scores),
    })
}

pub(super) async fn assign_staff(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = StaffForm {
        username: field(&pairs, "username"),
        duty: field(&pairs, "duty"),
    };
    let saved = async {
        let duty = Duty::parse(form.duty.trim()).ok_or_else(|| WebError::Invalid {
            field: "duty".into(),
            zh: "请选择职责".into(),
            en: "Choose a duty".into(),
        })?;
        let account =
            sessions::account_id_by_username(state.store.connection(), &form.username).await?;
        sessions::assign_staff(&state.store, &authed.actor, id, account, duty, clock::now())
            .await?;
        Ok::<(), WebError>(())
    }
    .await;
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/exams/{id}#staff")).into_response()),
        Err(err @ WebError::Invalid { .. }) => {
            let forms = ConsoleForms {
                staff_error: Some(FormError::of(t, &err)),
                staff: form,
                ..ConsoleForms::default()
            };
            refused_on_console(&state, t, &authed, id, forms).await
        }
        Err(other) => Err(other),
    }
}

pub(super) async fn register(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path(id): Path<Uuid>,
    Form(pairs): Form<Pairs>,
) -> Result<Response, WebError> {
    let form = RegistrationForm {
        id_number: field(&pairs, "id_number"),
        name: field(&pairs, "name"),
        seat_no: field(&pairs, "seat_no"),
        extra_minutes: field(&pairs, "extra_minutes"),
    };
    let saved = async {
        let seat_no = if form.seat_no.trim().is_empty() {
            None
        } else {
            Some(number("seat_no", &form.seat_no, "座位号", "Seat")?)
        };
        let extra_minutes = if form.extra_minutes.trim().is_empty() {
            0
        } else {
            number(
                "extra_minutes",
                &form.extra_minutes,
                "延时",
                "Extra minutes",
            )?
        };
        let registered = registration::register(
            &state.store,
            &authed.actor,
            id,
            NewRegistration {
                id_number: form.id_number.clone(),
                name: form.name.clone(),
                seat_no,
                extra_minutes,
            },
            clock::now(),
        )
        .await?;
        Ok::<String, WebError>(registered.ticket)
    }
    .await;
    match saved {
        Ok(ticket) => {
            Ok(Redirect::to(&format!("/exams/{id}?registered={ticket}#register")).into_response())
        }
        Err(err @ WebError::Invalid { .. }) => {
            let forms = ConsoleForms {
                reg_error: Some(FormError::of(t, &err)),
                registration: form,
                ..ConsoleForms::default()
            };
            refused_on_console(&state, t, &authed, id, forms).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    decision: String,
}

/// 批准 / 拒绝 on the console: a sign-in from another device gets the attempt, or never.
pub(super) async fn decide_sign_in(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person, request)): Path<(Uuid, Uuid, Uuid)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let decision = crate::api::exams::decision_of(&form.decision)?;
    crate::api::exams::decide_sign_in_request(&state, &authed, id, person, request, decision)
        .await?;
    Ok(Redirect::to(&format!("/exams/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct ExtraTimeForm {
    minutes: String,
}

pub(super) async fn extra_time(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
    Form(form): Form<ExtraTimeForm>,
) -> Result<Response, WebError> {
    proctored(&state, &authed, id, person, attempt).await?;
    let minutes: u32 = number("minutes", &form.minutes, "延时分钟数", "Minutes")?;
    state
        .exam_desk
        .extra_time(&authed.actor, person, attempt, minutes, clock::now())
        .await?;
    Ok(Redirect::to(&format!("/exams/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "exam_submit.html")]
struct ConfirmSubmitPage {
    l: Layout,
    console: String,
    action: String,
    title: String,
    name: String,
    answered: u32,
    questions: u32,
    time_left: String,
    submitted: bool,
}

pub(super) async fn confirm_submit(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let (access, found) = proctored(&state, &authed, id, person, attempt).await?;
    let view = state
        .exam_desk
        .paper_of(found, clock::now(), Keys::Hidden)
        .await?;
    let answered = view
        .items
        .iter()
        .filter(|i| i.answer.as_ref().is_some_and(|a| a.is_answered()))
        .count() as u32;
    let path = format!("/exams/{id}/attempts/{person}/{attempt}/submit");
    render(&ConfirmSubmitPage {
        l: Layout::new(
            t,
            t.pick("强制交卷", "Hand in for the examinee"),
            Some(&authed),
            &path,
        ),
        console: format!("/exams/{id}"),
        action: path,
        title: access.session.title,
        name: view.name,
        answered,
        questions: view.question_count,
        time_left: clock_text((view.deadline - clock::now()).num_seconds().max(0)),
        submitted: view.submitted_at.is_some(),
    })
}

pub(super) async fn force_submit(
    State(state): State<AppState>,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    proctored(&state, &authed, id, person, attempt).await?;
    state
        .exam_desk
        .submit_attempt(person, attempt, SubmitReason::Proctor, clock::now())
        .await?;
    Ok(Redirect::to(&format!("/exams/{id}/attempts/{person}/{attempt}")).into_response())
}
