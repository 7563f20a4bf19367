//! The exam system's JSON API (issue 4): blueprints, sites, sessions, registration and the
//! proctor's console behind the session layers; the examinee's own endpoints (sign-in,
//! paper, answers, events, submit) on the public router, authenticated by the exam token
//! the sign-in hands out (cookie `anpei_exam`, or `Authorization: Bearer`), so an exam
//! room's thousands of saves skip the session store.
//!
//! Sign-in (issue 13): wrong pairs are limited (429 with `Retry-After`), a device proves it
//! is the one the attempt began on with the device secret it keeps (cookie
//! `anpei_exam_device`, or `device` in the request), and any other device waits (202) for a
//! proctor's approval on the console, polling `GET /api/v1/exam/sign-in/wait`.
//!
//! The endpoints live by who calls them: `admin.rs` (what organisers and the province set
//! up, and the question statistics), `console.rs` (what a session's staff do while it
//! runs) and `examinee.rs` (the exam token's endpoints). This file keeps the two routers
//! and the DTOs both sides answer with (the paper, the result); everything public stays
//! at `api::exams::…`.

mod admin;
mod console;
mod examinee;

use anpei_domain::exam::Response as ExamResponse;
use anpei_store::exam::attempts::PaperView;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub use admin::{
    BlueprintDto, BlueprintRequest, CreatedDto, QuestionStatDto, RegistrationDto,
    RegistrationRequest, RoomDto, RoomRequest, SessionDto, SessionRequest, SiteDto, SiteRequest,
    StaffRequest, StatsParams,
};
pub use console::{
    AttemptReviewDto, ConsoleDto, DeadlineDto, DecisionRequest, ExamineeDto, ExtraTimeRequest,
    PracticalDto, PracticalRequest, SignInRequestDto, TimelineEntryDto, console_of,
    decide_sign_in_request, decision_of,
};
pub use examinee::{
    EventRequest, REFUSED, SaveRequest, SavedDto, SeatSignIn, SignInRequest, SignedInDto, WAITING,
    WaitDto, WaitingDto, device_cookie, device_of, exam_cookie, exam_token, locked_messages,
    secret, sign_in_examinee,
};

use crate::AppState;
use crate::error::WebError;

pub const EXAM_COOKIE: &str = "anpei_exam";
/// The device secret: it outlives sign-ins (a week), so that the same device may sign in
/// again without a proctor.
pub const DEVICE_COOKIE: &str = "anpei_exam_device";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::create_blueprint, admin::list_blueprints))
        .routes(routes!(admin::create_site, admin::list_sites))
        .routes(routes!(admin::create_session, admin::list_sessions))
        .routes(routes!(console::console))
        .routes(routes!(admin::assign_staff))
        .routes(routes!(admin::register))
        .routes(routes!(console::extra_time))
        .routes(routes!(console::force_submit))
        .routes(routes!(console::score_practical))
        .routes(routes!(console::attempt_review))
        .routes(routes!(console::decide_sign_in))
        .routes(routes!(admin::question_stats))
}

/// The examinee's endpoints: no session, the exam token instead.
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(examinee::sign_in))
        .routes(routes!(examinee::wait_for_proctor))
        .routes(routes!(examinee::paper))
        .routes(routes!(examinee::save_answer))
        .routes(routes!(examinee::page_event))
        .routes(routes!(examinee::submit))
}

#[derive(Serialize, ToSchema)]
pub struct ResultDto {
    pub score: u32,
    pub total: u32,
    pub passed: bool,
    pub answered: u32,
    pub questions: u32,
    /// The special-operations certificate issued because both parts are now passed.
    pub certificate: Option<String>,
}

impl From<anpei_store::exam::attempts::Graded> for ResultDto {
    fn from(g: anpei_store::exam::attempts::Graded) -> Self {
        ResultDto {
            score: g.score,
            total: g.total,
            passed: g.passed,
            answered: g.answered,
            questions: g.questions,
            certificate: g.certificate,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OptionDto {
    /// The option's index in the question (send it back as the answer).
    pub index: u8,
    /// The letter shown (A, B, …) in the order shown.
    pub letter: String,
    pub text: String,
}

#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct ResponseDto {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub true_false: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl ResponseDto {
    fn of(r: &ExamResponse) -> Self {
        match r {
            ExamResponse::Choices(c) => ResponseDto {
                choices: Some(c.clone()),
                true_false: None,
                text: None,
            },
            ExamResponse::TrueFalse(b) => ResponseDto {
                choices: None,
                true_false: Some(*b),
                text: None,
            },
            ExamResponse::Text(t) => ResponseDto {
                choices: None,
                true_false: None,
                text: Some(t.clone()),
            },
        }
    }

    fn parse(self) -> Result<ExamResponse, WebError> {
        match (self.choices, self.true_false, self.text) {
            (Some(mut c), None, None) => {
                c.sort_unstable();
                c.dedup();
                Ok(ExamResponse::Choices(c))
            }
            (None, Some(b), None) => Ok(ExamResponse::TrueFalse(b)),
            (None, None, Some(t)) => Ok(ExamResponse::Text(t)),
            _ => Err(WebError::Invalid {
                field: "response".into(),
                zh: "答案须为 choices、true_false、text 之一".into(),
                en: "The answer must be one of choices, true_false, text".into(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ItemDto {
    pub position: u32,
    /// single, multiple, true_false, fill_in
    pub kind: String,
    pub kind_name: String,
    pub stem: String,
    pub options: Vec<OptionDto>,
    pub points: u32,
    pub answer: Option<ResponseDto>,
    /// Only in a proctor's review, never to the examinee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<ResponseDto>,
}

#[derive(Serialize, ToSchema)]
pub struct PaperDto {
    pub attempt_id: Uuid,
    pub name: String,
    pub title: String,
    pub trade_code: String,
    pub trade_name: String,
    pub opens_at: DateTime<Utc>,
    pub started: bool,
    pub deadline: DateTime<Utc>,
    pub server_now: DateTime<Utc>,
    pub submitted: bool,
    pub score: Option<i32>,
    pub passed: Option<bool>,
    pub total: u32,
    pub pass_mark: u32,
    pub question_count: u32,
    /// Highest answer sequence stored: the page continues from here.
    pub last_seq: i64,
    pub items: Vec<ItemDto>,
}

pub fn paper_dto(view: PaperView) -> PaperDto {
    PaperDto {
        attempt_id: view.attempt_id,
        name: view.name,
        title: view.title,
        trade_name: anpei_domain::trade::find_trade(&view.trade_code)
            .map_or(String::new(), |t| t.name.to_owned()),
        trade_code: view.trade_code,
        opens_at: view.opens_at,
        started: view.started,
        deadline: view.deadline,
        server_now: view.server_now,
        submitted: view.submitted_at.is_some(),
        score: view.score,
        passed: view.passed,
        total: view.total,
        pass_mark: view.pass_mark,
        question_count: view.question_count,
        last_seq: view.last_seq,
        items: view
            .items
            .into_iter()
            .map(|i| ItemDto {
                position: i.position,
                kind: i.kind.code().to_owned(),
                kind_name: i.kind.name_zh().to_owned(),
                stem: i.stem,
                options: i
                    .options
                    .into_iter()
                    .enumerate()
                    .map(|(shown, (index, text))| OptionDto {
                        index,
                        letter: anpei_domain::exam::question::option_letter(shown).to_string(),
                        text,
                    })
                    .collect(),
                points: i.points,
                answer: i.answer.as_ref().map(ResponseDto::of),
                key: i.key.as_ref().map(ResponseDto::of),
            })
            .collect(),
    }
}
