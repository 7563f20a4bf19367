//! `/exams/{id}/attempts/{person}/{attempt}`: one attempt for its proctors — the answers
//! given (the key only once it is handed in) and the timeline of its events.

use anpei_store::exam::attempts::Keys;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::{clock_text, proctored};
use crate::api::exams::paper_dto;
use crate::auth::Authed;
use crate::error::WebError;
use crate::extract::Path;
use crate::i18n::Tr;
use crate::pages::{Layout, render};
use crate::{AppState, clock};

#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub number: u32,
    pub kind: String,
    pub stem: String,
    pub points: u32,
    /// (letter, text, chosen, right)
    pub options: Vec<(String, String, bool, bool)>,
    pub answer: String,
    pub key: String,
    pub answered: bool,
    pub correct: bool,
}

#[derive(Debug, Clone)]
pub struct TimelineLine {
    pub at: String,
    pub what: String,
    pub detail: String,
    pub incident: bool,
}

#[derive(Template)]
#[template(path = "exam_review.html")]
struct ReviewPage {
    l: Layout,
    console: String,
    title: String,
    name: String,
    result: Option<String>,
    passed: Option<bool>,
    running: bool,
    time_left: String,
    extra_action: String,
    submit_href: String,
    answered: usize,
    /// Whether the key is shown (the paper is handed in).
    keys: bool,
    items: Vec<ReviewItem>,
    timeline: Vec<TimelineLine>,
}

fn response_text(t: Tr, r: &crate::api::exams::ResponseDto, letters: &[(u8, String)]) -> String {
    if let Some(choices) = &r.choices {
        let mut shown: Vec<&str> = letters
            .iter()
            .filter(|(i, _)| choices.contains(i))
            .map(|(_, l)| l.as_str())
            .collect();
        shown.sort_unstable();
        if shown.is_empty() {
            return t.pick("（未选）", "(none)").to_owned();
        }
        return shown.join("");
    }
    if let Some(b) = r.true_false {
        return if b {
            t.pick("正确", "True")
        } else {
            t.pick("错误", "False")
        }
        .to_owned();
    }
    r.text.clone().unwrap_or_default()
}

fn event_label(t: Tr, kind: &str) -> (&'static str, bool) {
    match kind {
        "sign_in" => (t.pick("签到", "Signed in"), false),
        "sign_in_again" => (t.pick("再次签到", "Signed in again"), true),
        "answer" => (t.pick("作答", "Answer"), false),
        "leave" => (t.pick("离开页面", "Left the page"), true),
        "return" => (t.pick("回到页面", "Came back"), false),
        "reconnect" => (t.pick("断线重连", "Reconnected"), true),
        "extra_time" => (t.pick("延时", "Extra time"), false),
        "sign_in_request" => (
            t.pick("另一设备请求签到", "Sign-in requested on another device"),
            true,
        ),
        "sign_in_rejected" => (
            t.pick("监考员拒绝签到请求", "Sign-in request refused"),
            true,
        ),
        "submit" => (t.pick("交卷", "Handed in"), false),
        _ => (t.pick("事件", "Event"), false),
    }
}

pub(super) async fn review(
    State(state): State<AppState>,
    t: Tr,
    authed: Authed,
    Path((id, person, attempt)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<Response, WebError> {
    let (access, found) = proctored(&state, &authed, id, person, attempt).await?;
    let db = state.store.connection();
    let now = clock::now();
    // The key only once the paper is handed in (issue 13): proctors see the answers given.
    let view = state
        .exam_desk
        .paper_of(found, now, Keys::OnceHandedIn)
        .await?;
    let running = view.submitted_at.is_none();
    let keys = !running;
    let time_left = clock_text((view.deadline - now).num_seconds().max(0));
    let paper = paper_dto(view);
    let timeline = anpei_store::exam::attempts::timeline(db, person, attempt)
        .await?
        .into_iter()
        .map(|(at, kind, detail)| {
            let (what, incident) = event_label(t, &kind);
            TimelineLine {
                at: at
                    .with_timezone(&clock::SHANGHAI)
                    .format("%H:%M:%S")
                    .to_string(),
                what: what.to_owned(),
                detail,
                incident,
            }
        })
        .collect();
    let items: Vec<ReviewItem> = paper
        .items
        .iter()
        .map(|item| {
            let letters: Vec<(u8, String)> = item
                .options
                .iter()
                .map(|o| (o.index, o.letter.clone()))
                .collect();
            let chosen = item
                .answer
                .as_ref()
                .and_then(|a| a.choices.clone())
                .unwrap_or_default();
            let right = item
                .key
                .as_ref()
                .and_then(|k| k.choices.clone())
                .unwrap_or_default();
            let answer = item.answer.as_ref().map(|a| response_text(t, a, &letters));
            let key = item
                .key
                .as_ref()
                .map(|k| response_text(t, k, &letters))
                .unwrap_or_default();
            let correct = match (&item.answer, &item.key) {
                (Some(a), Some(k)) => {
                    a.choices == k.choices
                        && a.true_false == k.true_false
                        && (a.text.is_none()
                            || k.text.as_deref().is_some_and(|accepted| {
                                let given = anpei_domain::exam::question::normalise_answer(
                                    a.text.as_deref().unwrap_or_default(),
                                );
                                accepted.split(" / ").any(|x| {
                                    anpei_domain::exam::question::normalise_answer(x) == given
                                })
                            }))
                }
                _ => false,
            };
            ReviewItem {
                number: item.position + 1,
                kind: item.kind_name.clone(),
                stem: item.stem.clone(),
                points: item.points,
                options: item
                    .options
                    .iter()
                    .map(|o| {
                        (
                            o.letter.clone(),
                            o.text.clone(),
                            chosen.contains(&o.index),
                            right.contains(&o.index),
                        )
                    })
                    .collect(),
                answered: answer.is_some(),
                answer: answer.unwrap_or_else(|| t.pick("未作答", "Not answered").to_owned()),
                key,
                correct,
            }
        })
        .collect();
    let answered = items.iter().filter(|i| i.answered).count();
    let path = format!("/exams/{id}/attempts/{person}/{attempt}");
    render(&ReviewPage {
        l: Layout::new(
            t,
            t.pick("答卷与时间线", "Answers and timeline"),
            Some(&authed),
            &path,
        ),
        console: format!("/exams/{id}"),
        title: access.session.title,
        name: paper.name,
        result: paper.score.map(|s| format!("{s} / {}", paper.total)),
        passed: paper.passed,
        running,
        time_left,
        extra_action: format!("{path}/extra-time"),
        submit_href: format!("{path}/submit"),
        answered,
        keys,
        items,
        timeline,
    })
}
