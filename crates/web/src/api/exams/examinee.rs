//! The examinee's endpoints, on the public router and authenticated by the exam token:
//! sign-in at the seat (with its lock and the wait for a proctor), the paper, answers,
//! page events and the hand-in; and the cookies and device secret the page shares.

use anpei_store::exam::attempts::{PageEvent, SignInAttempt, SignInOutcome, WaitState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DEVICE_COOKIE, EXAM_COOKIE, PaperDto, ResponseDto, ResultDto, paper_dto};
use crate::auth::ClientAddr;
use crate::error::{Problem, WebError};
use crate::extract::Json;
use crate::{AppState, clock};

#[derive(Deserialize, ToSchema)]
pub struct SignInRequest {
    pub session_id: Uuid,
    /// 准考证号.
    pub ticket: String,
    pub id_number: String,
    /// The device secret (16–128 printable ASCII characters) this client keeps across
    /// sign-ins; without it, the `anpei_exam_device` cookie, or a new one is made and
    /// returned. Signing in again with the same one resumes at once; another device waits
    /// for a proctor.
    #[serde(default)]
    pub device: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInDto {
    /// The exam token: send it as `Authorization: Bearer` (the page keeps it in the
    /// `anpei_exam` cookie instead).
    pub token: String,
    pub attempt_id: Uuid,
    pub resumed: bool,
    /// The device secret to send with a later sign-in of this device.
    pub device: String,
}

/// A sign-in from another device, waiting for a proctor.
#[derive(Serialize, ToSchema)]
pub struct WaitingDto {
    /// pending
    pub status: String,
    /// The waiting key: send it as `Authorization: Bearer` to
    /// `GET /api/v1/exam/sign-in/wait`. It opens nothing else until a proctor approves.
    pub request: String,
    pub attempt_id: Uuid,
    pub device: String,
    pub message_zh: String,
    pub message_en: String,
}

/// How a sign-in at the seat ended, for the API and the page to answer.
pub enum SeatSignIn {
    Admitted {
        token: String,
        signed: anpei_store::exam::attempts::SignedIn,
    },
    Waiting {
        key: String,
        attempt_id: Uuid,
    },
    Locked {
        retry_after_secs: i64,
    },
}

/// The device secret of a request: `device` in the body, else the cookie; `None` when it
/// has none (the caller makes one).
pub fn device_of(headers: &HeaderMap, given: Option<&str>) -> Result<Option<String>, WebError> {
    let device = match given {
        Some(device) => Some(device.trim().to_owned()),
        None => cookie(headers, DEVICE_COOKIE),
    };
    match device {
        Some(d) if !(16..=128).contains(&d.len()) || !d.bytes().all(|b| b.is_ascii_graphic()) => {
            Err(WebError::Invalid {
                field: "device".into(),
                zh: "设备标识须为 16–128 个可打印 ASCII 字符".into(),
                en: "device must be 16–128 printable ASCII characters".into(),
            })
        }
        other => Ok(other),
    }
}

/// A fresh 256-bit secret from the OS generator (two session ids, as tower-sessions draws
/// them).
pub fn secret() -> String {
    format!(
        "{}{}",
        tower_sessions::session::Id::default(),
        tower_sessions::session::Id::default()
    )
}

/// The bilingual refusal of a locked sign-in.
pub fn locked_messages(retry_after_secs: i64) -> (String, String) {
    let minutes = (retry_after_secs + 59) / 60;
    (
        format!("签到失败次数过多，已暂停 {minutes} 分钟。请稍后再试，或请监考员核对准考证。"),
        format!(
            "Too many failed sign-ins: paused for {minutes} min. Try again later, or ask the proctor to check your ticket."
        ),
    )
}

/// A problem document in both languages with a status `WebError` has no variant for.
fn problem_response(status: StatusCode, kind: &str, (zh, en): (String, String)) -> Response {
    let problem = Problem {
        kind: format!("/problems/{kind}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: zh.clone(),
        detail_zh: zh,
        detail_en: en,
        field: None,
    };
    (
        status,
        [(header::CONTENT_TYPE, crate::error::PROBLEM_JSON)],
        serde_json::to_vec(&problem).unwrap_or_default(),
    )
        .into_response()
}

/// 429 with `Retry-After` and a problem document in both languages.
fn locked_response(retry_after_secs: i64) -> Response {
    let mut response = problem_response(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-requests",
        locked_messages(retry_after_secs),
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(retry_after_secs),
    );
    response
}

/// Signs an examinee in at their seat: ticket and ID number are checked against the
/// archive. A first sign-in, or the attempt's own device again (its device secret), gets
/// the token (200). Another device waits for a proctor (202, with a waiting key to poll
/// `GET /api/v1/exam/sign-in/wait`); the first device keeps working meanwhile. Five wrong
/// pairs on a ticket within 10 minutes (30 from one address) lock it for 10 minutes (429
/// with `Retry-After`), the right pair too.
#[utoipa::path(post, path = "/api/v1/exam/sign-in", tag = "exams", request_body = SignInRequest,
    responses((status = 200, body = SignedInDto), (status = 202, body = WaitingDto),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<SignInRequest>,
) -> Result<Response, WebError> {
    let client = client.map(|ip| ip.to_string());
    let device = device_of(&headers, body.device.as_deref())?.unwrap_or_else(secret);
    let secure = state.config.secure_cookies;
    let outcome = sign_in_examinee(
        &state,
        body.session_id,
        &body.ticket,
        &body.id_number,
        &device,
        client.as_deref(),
    )
    .await?;
    Ok(match outcome {
        SeatSignIn::Admitted { token, signed } => (
            // Two cookies: appended, as an array of headers would keep only the last.
            axum::response::AppendHeaders([
                (header::SET_COOKIE, exam_cookie(&token, secure)),
                (header::SET_COOKIE, device_cookie(&device, secure)),
            ]),
            axum::Json(SignedInDto {
                token,
                attempt_id: signed.attempt_id,
                resumed: signed.resumed,
                device,
            }),
        )
            .into_response(),
        SeatSignIn::Waiting { key, attempt_id } => (
            StatusCode::ACCEPTED,
            // Two cookies: appended, as an array of headers would keep only the last.
            axum::response::AppendHeaders([
                (header::SET_COOKIE, exam_cookie(&key, secure)),
                (header::SET_COOKIE, device_cookie(&device, secure)),
            ]),
            axum::Json(WaitingDto {
                status: "pending".into(),
                request: key,
                attempt_id,
                device,
                message_zh: WAITING.0.into(),
                message_en: WAITING.1.into(),
            }),
        )
            .into_response(),
        SeatSignIn::Locked { retry_after_secs } => locked_response(retry_after_secs),
    })
}

/// What a refused (or overtaken) waiting device is told.
pub const REFUSED: (&str, &str) = (
    "监考员未批准本次签到，请联系监考员",
    "The proctor did not approve this sign-in; ask the proctor",
);

/// What a waiting device is told.
pub const WAITING: (&str, &str) = (
    "本场考试已在另一台设备上签到，等待监考员确认",
    "Already signed in on another device: waiting for the proctor to confirm",
);

pub async fn sign_in_examinee(
    state: &AppState,
    session_id: Uuid,
    ticket: &str,
    id_number: &str,
    device: &str,
    client: Option<&str>,
) -> Result<SeatSignIn, WebError> {
    let token = secret();
    // The seed is stored with the attempt; it only needs to differ between examinees. The
    // low 64 bits of a v7 UUID are random, and the token's bytes are mixed in.
    let seed = (Uuid::now_v7().as_u128() as u64)
        ^ token
            .bytes()
            .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b));
    let outcome = state
        .exam_desk
        .sign_in(
            SignInAttempt {
                session_id,
                ticket,
                id_number,
                token: &token,
                device,
                client,
            },
            seed,
            clock::now(),
        )
        .await?;
    Ok(match outcome {
        SignInOutcome::Admitted(signed) => SeatSignIn::Admitted { token, signed },
        SignInOutcome::Waiting { attempt_id, .. } => SeatSignIn::Waiting {
            key: token,
            attempt_id,
        },
        SignInOutcome::Locked { retry_after } => SeatSignIn::Locked {
            retry_after_secs: retry_after.num_seconds().max(1),
        },
    })
}

#[derive(Serialize, ToSchema)]
pub struct WaitDto {
    /// pending or approved
    pub status: String,
    /// The exam token, once a proctor approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Where a sign-in waiting for a proctor stands: 202 while pending, 200 with the exam token
/// once approved, 403 when refused (the key never becomes a token), 401 for an unknown key.
#[utoipa::path(get, path = "/api/v1/exam/sign-in/wait", tag = "exams",
    responses((status = 200, body = WaitDto), (status = 202, body = WaitDto),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn wait_for_proctor(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let key = exam_token(&headers)?;
    let status = state.exam_desk.waiting(&key).await.map_err(token_error)?;
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    Ok(match status {
        WaitState::Pending => (
            StatusCode::ACCEPTED,
            no_store,
            axum::Json(WaitDto {
                status: "pending".into(),
                token: None,
            }),
        )
            .into_response(),
        WaitState::Approved => (
            no_store,
            axum::Json(WaitDto {
                status: "approved".into(),
                token: Some(key),
            }),
        )
            .into_response(),
        WaitState::Refused => problem_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            (REFUSED.0.into(), REFUSED.1.into()),
        ),
    })
}

pub fn exam_cookie(token: &str, secure: bool) -> String {
    format!(
        "{EXAM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn device_cookie(device: &str, secure: bool) -> String {
    format!(
        "{DEVICE_COOKIE}={device}; Path=/; HttpOnly; SameSite=Strict; Max-Age=604800{}",
        if secure { "; Secure" } else { "" }
    )
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

/// The exam token of a request: `Authorization: Bearer …` or the `anpei_exam` cookie.
pub fn exam_token(headers: &HeaderMap) -> Result<String, WebError> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Ok(bearer.trim().to_owned());
    }
    cookie(headers, EXAM_COOKIE).ok_or(WebError::Unauthorized)
}

/// The examinee's paper with their saved answers, the server's time and the deadline.
#[utoipa::path(get, path = "/api/v1/exam/paper", tag = "exams",
    responses((status = 200, body = PaperDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn paper(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let token = exam_token(&headers)?;
    let view = state
        .exam_desk
        .paper(&token, clock::now())
        .await
        .map_err(token_error)?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(paper_dto(view)),
    )
        .into_response())
}

fn token_error(err: anpei_store::StoreError) -> WebError {
    match err {
        anpei_store::StoreError::Forbidden => WebError::Unauthorized,
        other => other.into(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct SaveRequest {
    /// The page's sequence number of this save, counting from `last_seq + 1`.
    pub seq: i64,
    pub position: u32,
    pub response: ResponseDto,
}

#[derive(Serialize, ToSchema)]
pub struct SavedDto {
    pub seq: i64,
    /// The save repeated one already stored.
    pub repeated: bool,
}

/// Saves one answer. The reply comes only after the answer is committed. The same sequence
/// number with the same answer again is acknowledged as `repeated`; with another answer it
/// is refused (409: another tab or device used it — reload the paper and number on from
/// its `last_seq`); a number more than 1,000 beyond the last stored one is refused (422).
#[utoipa::path(put, path = "/api/v1/exam/answers", tag = "exams", request_body = SaveRequest,
    responses((status = 200, body = SavedDto), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn save_answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<SaveRequest>,
) -> Result<axum::Json<SavedDto>, WebError> {
    let token = exam_token(&headers)?;
    let response = body.response.parse()?;
    let ack = state
        .exam_desk
        .save(&token, body.seq, body.position, response, clock::now())
        .await
        .map_err(|err| match err {
            anpei_store::StoreError::Conflict { constraint }
                if constraint == anpei_store::exam::attempts::SEQ_TAKEN =>
            {
                WebError::Conflict {
                    zh: format!(
                        "序号 {} 已保存了另一个答案（可能在另一个窗口或设备上作答），请刷新试卷后继续",
                        body.seq
                    ),
                    en: format!(
                        "Sequence {} already holds another answer (another tab or device?): reload the paper and go on",
                        body.seq
                    ),
                }
            }
            other => token_error(other),
        })?;
    Ok(axum::Json(SavedDto {
        seq: ack.seq,
        repeated: ack.repeated,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct EventRequest {
    /// leave, return, reconnect
    pub kind: String,
}

/// Records a page event in the attempt's timeline.
#[utoipa::path(post, path = "/api/v1/exam/events", tag = "exams", request_body = EventRequest,
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn page_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<EventRequest>,
) -> Result<StatusCode, WebError> {
    let token = exam_token(&headers)?;
    let event = PageEvent::parse(body.kind.trim()).ok_or_else(|| WebError::Invalid {
        field: "kind".into(),
        zh: "未知的事件".into(),
        en: "Unknown event".into(),
    })?;
    state
        .exam_desk
        .event(&token, event, clock::now())
        .await
        .map_err(token_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hands the paper in and returns the result.
#[utoipa::path(post, path = "/api/v1/exam/submit", tag = "exams",
    responses((status = 200, body = ResultDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub(super) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<axum::Json<ResultDto>, WebError> {
    let token = exam_token(&headers)?;
    let graded = state
        .exam_desk
        .submit(&token, clock::now())
        .await
        .map_err(token_error)?;
    Ok(axum::Json(graded.into()))
}
