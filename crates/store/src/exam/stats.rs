//! Results per question for the bank's owner (the province, SPEC C8): how often each
//! question was shown on a handed-in paper, its difficulty index *p* and its discrimination
//! *D* (`anpei_domain::exam::stats`). Every handed-in theory attempt counts, each answer
//! marked against the version the paper showed; an unanswered question counts as wrong.

use std::collections::HashMap;

use anpei_domain::exam::stats::{ItemResponse, item_stats};
use anpei_domain::exam::{Question, Response};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::codec;
use crate::StoreError;
use crate::access::{Actor, Scope};
use crate::entity::{exam_answer, exam_attempt, exam_session, question, question_version};

/// Below this discrimination a question is worth reviewing.
pub const LOW_DISCRIMINATION: f64 = 0.2;
/// A difficulty index outside this range: almost everyone, or almost no one, gets it right.
pub const DIFFICULTY_RANGE: (f64, f64) = (0.2, 0.9);

/// One question's results.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionStat {
    pub question_id: Uuid,
    pub trade_code: String,
    /// The current version's stem.
    pub stem: String,
    pub kind: String,
    /// Times it was on a handed-in paper.
    pub shown: usize,
    /// Share of those answered right.
    pub difficulty: f64,
    /// `None` below ten papers.
    pub discrimination: Option<f64>,
}

impl QuestionStat {
    /// Too easy, too hard, or not separating strong examinees from weak ones.
    pub fn flagged(&self) -> bool {
        let (low, high) = DIFFICULTY_RANGE;
        !(low..=high).contains(&self.difficulty)
            || self.discrimination.is_some_and(|d| d < LOW_DISCRIMINATION)
    }
}

/// Statistics of every question shown on a handed-in paper, for the province; `trade_code`
/// narrows them to one trade. Ordered by question id; the caller sorts.
pub async fn question_stats(
    db: &impl ConnectionTrait,
    actor: &Actor,
    trade_code: Option<&str>,
) -> Result<Vec<QuestionStat>, StoreError> {
    if !matches!(actor.scope, Scope::Province | Scope::System) {
        return Err(StoreError::NotFound);
    }
    let mut sessions = exam_session::Entity::find()
        .filter(exam_session::Column::Part.eq(anpei_domain::exam::ExamPart::Theory.code()));
    if let Some(code) = trade_code {
        sessions = sessions.filter(exam_session::Column::TradeCode.eq(code));
    }
    let session_ids: Vec<Uuid> = sessions.all(db).await?.into_iter().map(|s| s.id).collect();
    let mut attempts = Vec::new();
    for chunk in session_ids.chunks(500) {
        attempts.extend(
            exam_attempt::Entity::find()
                .filter(exam_attempt::Column::SessionId.is_in(chunk.iter().copied()))
                .filter(exam_attempt::Column::SubmittedAt.is_not_null())
                .filter(exam_attempt::Column::Score.is_not_null())
                .all(db)
                .await?,
        );
    }
    // The latest answer per (attempt, position): rows in sequence order, later ones win.
    let mut answers: HashMap<(Uuid, i32), Response> = HashMap::new();
    for chunk in attempts.chunks(200) {
        for row in exam_answer::Entity::find()
            .filter(exam_answer::Column::AttemptId.is_in(chunk.iter().map(|a| a.id)))
            .order_by_asc(exam_answer::Column::Seq)
            .all(db)
            .await?
        {
            answers.insert(
                (row.attempt_id, row.position),
                codec::response_of(&row.response)?,
            );
        }
    }
    let mut papers = Vec::with_capacity(attempts.len());
    let mut version_ids = std::collections::HashSet::new();
    for attempt in &attempts {
        let paper = codec::paper_of(&attempt.paper)?;
        for item in &paper.items {
            if let Ok(id) = Uuid::parse_str(&item.question_id) {
                version_ids.insert(id);
            }
        }
        papers.push((attempt, paper));
    }
    let ids: Vec<Uuid> = version_ids.into_iter().collect();
    let mut versions: HashMap<Uuid, (Uuid, Question)> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in question_version::Entity::find()
            .filter(question_version::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            if let Some(q) = codec::question_of(&row)? {
                versions.insert(row.id, (row.question_id, q));
            }
        }
    }
    let mut responses: HashMap<Uuid, Vec<ItemResponse>> = HashMap::new();
    for (attempt, paper) in &papers {
        let total_score = f64::from(attempt.score.unwrap_or(0));
        for (position, item) in paper.items.iter().enumerate() {
            let Some((question_id, question)) = Uuid::parse_str(&item.question_id)
                .ok()
                .and_then(|id| versions.get(&id))
            else {
                continue;
            };
            let correct = answers
                .get(&(attempt.id, position as i32))
                .is_some_and(|r| question.is_correct(r));
            responses
                .entry(*question_id)
                .or_default()
                .push(ItemResponse {
                    total_score,
                    correct,
                });
        }
    }
    let question_ids: Vec<Uuid> = responses.keys().copied().collect();
    let mut current: HashMap<Uuid, question::Model> = HashMap::new();
    for chunk in question_ids.chunks(500) {
        for q in question::Entity::find()
            .filter(question::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            current.insert(q.id, q);
        }
    }
    let mut stems: HashMap<Uuid, String> = HashMap::new();
    for chunk in question_ids.chunks(500) {
        for v in question_version::Entity::find()
            .filter(question_version::Column::QuestionId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            if current
                .get(&v.question_id)
                .is_some_and(|q| q.current_version == v.version)
            {
                stems.insert(v.question_id, v.stem);
            }
        }
    }
    let mut out: Vec<QuestionStat> = responses
        .into_iter()
        .filter_map(|(id, rows)| {
            let q = current.get(&id)?;
            let stats = item_stats(&rows)?;
            Some(QuestionStat {
                question_id: id,
                trade_code: q.trade_code.clone(),
                stem: stems.get(&id).cloned().unwrap_or_default(),
                kind: q.kind.clone(),
                shown: stats.answered,
                difficulty: stats.difficulty,
                discrimination: stats.discrimination,
            })
        })
        .collect();
    out.sort_by_key(|s| s.question_id);
    Ok(out)
}
