//! The unified question bank (统一题库, SPEC C8), owned by the province: syllabus points as a
//! tree per trade, questions hung on them, and their immutable versions. An edit adds a
//! version and moves `current_version`; the old versions stay, because an attempt keeps the
//! version it showed. Retiring hides a question from new papers without deleting anything.
//!
//! Exam questions are confidential: only the province regulator and system tools read or
//! write the bank ([`BankAccess`]); for everyone else it does not exist (`NotFound`).
//! Bank writes are not ledgered (they are not facts about people or enterprises), but each
//! is one transaction through [`Store::write`]; an import writes a whole file or nothing.

use std::collections::{BTreeMap, HashMap};

use anpei_domain::exam::{Question, ScoreSheet};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::codec::{self, PRACTICAL};
use crate::entity::{question, question_version, syllabus_point};
use crate::read::Page;
use crate::{Actor, Scope, Store, StoreError, dialect};

/// Capability: may read and write the question bank. Only [`bank_access`] makes one.
#[derive(Debug, Clone, Copy)]
pub struct BankAccess {
    _private: (),
}

/// The province regulator and system tools own the bank; everyone else gets `NotFound`.
pub fn bank_access(actor: &Actor) -> Result<BankAccess, StoreError> {
    match actor.scope {
        Scope::Province | Scope::System => Ok(BankAccess { _private: () }),
        _ => Err(StoreError::NotFound),
    }
}

/// What a version holds: an on-screen question or a practical score sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankContent {
    Question(Question),
    Sheet(ScoreSheet),
}

impl BankContent {
    pub fn kind_code(&self) -> &'static str {
        match self {
            BankContent::Question(q) => q.kind().code(),
            BankContent::Sheet(_) => PRACTICAL,
        }
    }

    pub fn stem(&self) -> &str {
        match self {
            BankContent::Question(q) => q.stem(),
            BankContent::Sheet(s) => s.title(),
        }
    }

    /// 1–3; a score sheet counts as medium.
    pub fn difficulty(&self) -> i16 {
        match self {
            BankContent::Question(q) => i16::from(q.difficulty().level()),
            BankContent::Sheet(_) => 2,
        }
    }

    fn version_row(
        &self,
        question_id: Uuid,
        version: i32,
        at: DateTime<Utc>,
        by: &str,
    ) -> question_version::ActiveModel {
        let (body, tags, explanation) = match self {
            BankContent::Question(q) => (
                codec::body_json(q.body()),
                codec::tags_json(q.tags()),
                q.explanation().to_owned(),
            ),
            BankContent::Sheet(s) => (codec::sheet_json(s), codec::tags_json(&[]), String::new()),
        };
        question_version::ActiveModel {
            id: Set(Uuid::now_v7()),
            question_id: Set(question_id),
            version: Set(version),
            kind: Set(self.kind_code().to_owned()),
            stem: Set(self.stem().to_owned()),
            body: Set(body),
            difficulty: Set(self.difficulty()),
            tags: Set(tags),
            explanation: Set(explanation),
            created_at: Set(at),
            created_by: Set(by.to_owned()),
        }
    }

    /// A stored version back as content.
    pub fn of_version(row: &question_version::Model) -> Result<Self, StoreError> {
        Ok(match codec::question_of(row)? {
            Some(q) => BankContent::Question(q),
            None => BankContent::Sheet(codec::sheet_of(row)?),
        })
    }
}

/// Longest syllabus point title.
const MAX_TITLE_CHARS: usize = 100;

fn check_trade(trade_code: &str) -> Result<(), StoreError> {
    if anpei_domain::trade::find_trade(trade_code).is_none() {
        return Err(StoreError::invalid_text(
            "trade",
            format!("没有工种代码 {trade_code}"),
            format!("No trade with code {trade_code}"),
        ));
    }
    Ok(())
}

fn check_title(title: &str) -> Result<String, StoreError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(StoreError::invalid_text(
            "title",
            format!("知识点名称须为 1 至 {MAX_TITLE_CHARS} 字"),
            format!("A syllabus point title takes 1 to {MAX_TITLE_CHARS} characters"),
        ));
    }
    Ok(title.to_owned())
}

/// One syllabus point in tree order, with its depth and how many live questions hang on it.
#[derive(Clone, Debug)]
pub struct SyllabusNode {
    pub point: syllabus_point::Model,
    pub depth: usize,
    pub questions: u64,
}

/// Orders points depth-first by position, parents before children.
fn tree_order(points: Vec<syllabus_point::Model>) -> Vec<(syllabus_point::Model, usize)> {
    let mut children: HashMap<Option<Uuid>, Vec<syllabus_point::Model>> = HashMap::new();
    let ids: Vec<Uuid> = points.iter().map(|p| p.id).collect();
    for point in points {
        // A parent outside the trade's tree would hide the point: show it at the root.
        let parent = point.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(point);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.position.cmp(&b.position).then(a.code.cmp(&b.code)));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(syllabus_point::Model, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|p| (p, 0))
        .collect();
    while let Some((point, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(point.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push((point, depth));
    }
    out
}

async fn points_of(
    db: &impl ConnectionTrait,
    trade_code: &str,
) -> Result<Vec<syllabus_point::Model>, StoreError> {
    Ok(syllabus_point::Entity::find()
        .filter(syllabus_point::Column::TradeCode.eq(trade_code))
        .all(db)
        .await?)
}

/// A trade's syllabus as a tree (depth-first), with live question counts.
pub async fn syllabus(
    db: &impl ConnectionTrait,
    _access: &BankAccess,
    trade_code: &str,
) -> Result<Vec<SyllabusNode>, StoreError> {
    let points = points_of(db, trade_code).await?;
    let counts: HashMap<Uuid, i64> = question::Entity::find()
        .select_only()
        .column(question::Column::SyllabusPointId)
        .column_as(Expr::col(question::Column::Id).count(), "n")
        .filter(question::Column::TradeCode.eq(trade_code))
        .filter(question::Column::Retired.eq(false))
        .group_by(question::Column::SyllabusPointId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(tree_order(points)
        .into_iter()
        .map(|(point, depth)| SyllabusNode {
            questions: Ord::max(counts.get(&point.id).copied().unwrap_or(0), 0) as u64,
            point,
            depth,
        })
        .collect())
}

/// Trades that have a syllabus or questions, with their live question counts.
pub async fn trades(
    db: &impl ConnectionTrait,
    _access: &BankAccess,
) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut out: BTreeMap<String, u64> = syllabus_point::Entity::find()
        .select_only()
        .column(syllabus_point::Column::TradeCode)
        .distinct()
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .map(|code| (code, 0))
        .collect();
    let counts = question::Entity::find()
        .select_only()
        .column(question::Column::TradeCode)
        .column_as(Expr::col(question::Column::Id).count(), "n")
        .filter(question::Column::Retired.eq(false))
        .group_by(question::Column::TradeCode)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?;
    for (code, n) in counts {
        out.insert(code, Ord::max(n, 0) as u64);
    }
    Ok(out)
}

/// The next free code under `parent` ("3" at the root, "3.2" below "3").
fn next_code(
    points: &[syllabus_point::Model],
    parent: Option<&syllabus_point::Model>,
) -> (String, i32) {
    let siblings: Vec<&syllabus_point::Model> = points
        .iter()
        .filter(|p| p.parent_id == parent.map(|p| p.id))
        .collect();
    let prefix = parent.map(|p| format!("{}.", p.code)).unwrap_or_default();
    let mut n = siblings.len() + 1;
    while points.iter().any(|p| p.code == format!("{prefix}{n}")) {
        n += 1;
    }
    let position = siblings
        .iter()
        .map(|p| p.position)
        .max()
        .map_or(1, |p| p + 1);
    (format!("{prefix}{n}"), position)
}

async fn insert_point(
    db: &impl ConnectionTrait,
    points: &mut Vec<syllabus_point::Model>,
    trade_code: &str,
    parent_id: Option<Uuid>,
    title: String,
    at: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let parent = match parent_id {
        Some(id) => Some(
            points
                .iter()
                .find(|p| p.id == id)
                .cloned()
                .ok_or(StoreError::NotFound)?,
        ),
        None => None,
    };
    let (code, position) = next_code(points, parent.as_ref());
    let model = syllabus_point::Model {
        id: Uuid::now_v7(),
        parent_id,
        trade_code: trade_code.to_owned(),
        code,
        title,
        position,
        created_at: at,
    };
    syllabus_point::Entity::insert(syllabus_point::ActiveModel {
        id: Set(model.id),
        parent_id: Set(model.parent_id),
        trade_code: Set(model.trade_code.clone()),
        code: Set(model.code.clone()),
        title: Set(model.title.clone()),
        position: Set(model.position),
        created_at: Set(model.created_at),
    })
    .exec(db)
    .await?;
    let id = model.id;
    points.push(model);
    Ok(id)
}

/// Adds a syllabus point under `parent_id` (or at the root of the trade).
pub async fn add_point(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
    trade_code: &str,
    parent_id: Option<Uuid>,
    title: &str,
) -> Result<Uuid, StoreError> {
    bank_access(actor)?;
    check_trade(trade_code)?;
    let title = check_title(title)?;
    let tx = store.write(actor, now).await?;
    let mut points = points_of(tx.conn(), trade_code).await?;
    let at = tx.at();
    let id = insert_point(tx.conn(), &mut points, trade_code, parent_id, title, at).await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a syllabus point.
pub async fn rename_point(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    title: &str,
) -> Result<(), StoreError> {
    bank_access(actor)?;
    let title = check_title(title)?;
    let tx = store.write(actor, now).await?;
    let point = syllabus_point::Entity::find_by_id(id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    syllabus_point::Entity::update(syllabus_point::ActiveModel {
        id: Set(point.id),
        title: Set(title),
        ..Default::default()
    })
    .exec(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A question to create by hand.
#[derive(Clone, Debug)]
pub struct NewQuestion {
    pub trade_code: String,
    pub syllabus_point_id: Uuid,
    pub name: Option<String>,
    pub content: BankContent,
}

fn question_row(
    id: Uuid,
    trade_code: &str,
    point_id: Uuid,
    kind: &str,
    source: &str,
    name: Option<String>,
    at: DateTime<Utc>,
) -> question::ActiveModel {
    question::ActiveModel {
        id: Set(id),
        syllabus_point_id: Set(point_id),
        trade_code: Set(trade_code.to_owned()),
        kind: Set(kind.to_owned()),
        current_version: Set(1),
        retired: Set(false),
        source: Set(source.to_owned()),
        external_name: Set(name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// Creates a question with its version 1.
pub async fn create(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewQuestion,
) -> Result<Uuid, StoreError> {
    bank_access(actor)?;
    check_trade(&new.trade_code)?;
    let tx = store.write(actor, now).await?;
    let point = syllabus_point::Entity::find_by_id(new.syllabus_point_id)
        .one(tx.conn())
        .await?
        .filter(|p| p.trade_code == new.trade_code)
        .ok_or_else(|| {
            StoreError::invalid_text(
                "syllabus_point_id",
                "所选知识点不属于该工种",
                "The syllabus point does not belong to this trade",
            )
        })?;
    let id = Uuid::now_v7();
    let at = tx.at();
    let by = actor.ledger_actor().id;
    question::Entity::insert(question_row(
        id,
        &new.trade_code,
        point.id,
        new.content.kind_code(),
        "manual",
        new.name,
        at,
    ))
    .exec(tx.conn())
    .await?;
    question_version::Entity::insert(new.content.version_row(id, 1, at, &by))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// An edit: a new version with this content (same kind), optionally on another point of the
/// same trade. Returns the new version number.
pub async fn edit(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    syllabus_point_id: Option<Uuid>,
    content: BankContent,
) -> Result<i32, StoreError> {
    bank_access(actor)?;
    let tx = store.write(actor, now).await?;
    let current = question::Entity::find_by_id(id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    if current.kind != content.kind_code() {
        return Err(StoreError::invalid_text(
            "kind",
            "修改不能改变题型；请另建新题",
            "An edit cannot change the kind of question; create a new one",
        ));
    }
    let point_id = match syllabus_point_id {
        Some(point_id) if point_id != current.syllabus_point_id => {
            syllabus_point::Entity::find_by_id(point_id)
                .one(tx.conn())
                .await?
                .filter(|p| p.trade_code == current.trade_code)
                .ok_or_else(|| {
                    StoreError::invalid_text(
                        "syllabus_point_id",
                        "所选知识点不属于该工种",
                        "The syllabus point does not belong to this trade",
                    )
                })?
                .id
        }
        _ => current.syllabus_point_id,
    };
    let version = current.current_version + 1;
    let at = tx.at();
    let by = actor.ledger_actor().id;
    question_version::Entity::insert(content.version_row(id, version, at, &by))
        .exec(tx.conn())
        .await?;
    question::Entity::update(question::ActiveModel {
        id: Set(id),
        current_version: Set(version),
        syllabus_point_id: Set(point_id),
        updated_at: Set(at),
        ..Default::default()
    })
    .exec(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Retires a question (no new paper draws it) or restores it.
pub async fn set_retired(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    retired: bool,
) -> Result<(), StoreError> {
    bank_access(actor)?;
    let tx = store.write(actor, now).await?;
    question::Entity::find_by_id(id)
        .one(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let at = tx.at();
    question::Entity::update(question::ActiveModel {
        id: Set(id),
        retired: Set(retired),
        updated_at: Set(at),
        ..Default::default()
    })
    .exec(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How a question list is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QuestionSort {
    #[default]
    Updated,
    Created,
    Kind,
    Version,
}

impl QuestionSort {
    pub fn parse(code: &str) -> Self {
        match code {
            "created" => Self::Created,
            "kind" => Self::Kind,
            "version" => Self::Version,
            _ => Self::Updated,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Created => "created",
            Self::Kind => "kind",
            Self::Version => "version",
        }
    }
}

/// Filters of the question list; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct QuestionFilter {
    pub trade_code: Option<String>,
    /// This point and every point below it.
    pub point: Option<Uuid>,
    pub kind: Option<String>,
    pub difficulty: Option<i16>,
    pub tag: Option<String>,
    /// Words in the current stem.
    pub text: Option<String>,
    pub include_retired: bool,
    pub sort: QuestionSort,
    pub desc: bool,
    pub page: u64,
    pub per_page: u64,
}

/// A question in a list: its current version's stem and facts.
#[derive(Clone, Debug)]
pub struct QuestionRow {
    pub question: question::Model,
    pub point_title: String,
    pub stem: String,
    pub difficulty: i16,
    pub tags: Vec<String>,
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Lists questions, filtered and paged.
pub async fn list(
    db: &impl ConnectionTrait,
    _access: &BankAccess,
    filter: &QuestionFilter,
) -> Result<Page<QuestionRow>, StoreError> {
    let (page, per_page) = crate::read::clamp(filter.page, filter.per_page);
    let mut query = question::Entity::find();
    if let Some(trade) = &filter.trade_code {
        query = query.filter(question::Column::TradeCode.eq(trade.as_str()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(question::Column::Kind.eq(kind.as_str()));
    }
    if !filter.include_retired {
        query = query.filter(question::Column::Retired.eq(false));
    }
    if let Some(point_id) = filter.point {
        let point = syllabus_point::Entity::find_by_id(point_id)
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let tree = tree_order(points_of(db, &point.trade_code).await?);
        let mut ids = vec![point_id];
        // Depth-first order: the descendants follow the point until the depth returns.
        if let Some(start) = tree.iter().position(|(p, _)| p.id == point_id) {
            let depth = tree[start].1;
            ids.extend(
                tree[start + 1..]
                    .iter()
                    .take_while(|(_, d)| *d > depth)
                    .map(|(p, _)| p.id),
            );
        }
        query = query.filter(question::Column::SyllabusPointId.is_in(ids));
    }
    if filter.difficulty.is_some() || filter.tag.is_some() || filter.text.is_some() {
        let mut current = Query::select();
        current
            .column((
                question_version::Entity,
                question_version::Column::QuestionId,
            ))
            .from(question_version::Entity)
            .and_where(
                Expr::col((
                    question_version::Entity,
                    question_version::Column::QuestionId,
                ))
                .equals((question::Entity, question::Column::Id)),
            )
            .and_where(
                Expr::col((question_version::Entity, question_version::Column::Version))
                    .equals((question::Entity, question::Column::CurrentVersion)),
            );
        if let Some(difficulty) = filter.difficulty {
            current.and_where(
                Expr::col((
                    question_version::Entity,
                    question_version::Column::Difficulty,
                ))
                .eq(difficulty),
            );
        }
        if let Some(tag) = &filter.tag {
            // Tags are a JSON array of strings: match the quoted tag exactly.
            let quoted = codec::tags_json(&[tag.trim().to_owned()]);
            let inner = quoted.trim_start_matches('[').trim_end_matches(']');
            current.and_where(
                Expr::col((question_version::Entity, question_version::Column::Tags)).like(
                    sea_orm::sea_query::LikeExpr::new(format!("%{}%", escape_like(inner)))
                        .escape('\\'),
                ),
            );
        }
        if let Some(text) = &filter.text {
            current.and_where(dialect::contains(
                Expr::col((question_version::Entity, question_version::Column::Stem)),
                text.trim(),
            ));
        }
        query = query.filter(Expr::exists(current.to_owned()));
    }
    let total = query.clone().count(db).await?;
    let column = match filter.sort {
        QuestionSort::Updated => question::Column::UpdatedAt,
        QuestionSort::Created => question::Column::CreatedAt,
        QuestionSort::Kind => question::Column::Kind,
        QuestionSort::Version => question::Column::CurrentVersion,
    };
    let order = if filter.desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let rows = query
        .order_by(column, order.clone())
        .order_by(question::Column::Id, order)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let items = rows_with_versions(db, rows).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The current versions and point titles of a page of questions, in two queries.
async fn rows_with_versions(
    db: &impl ConnectionTrait,
    rows: Vec<question::Model>,
) -> Result<Vec<QuestionRow>, StoreError> {
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id).collect();
    let mut versions: HashMap<(Uuid, i32), question_version::Model> = HashMap::new();
    for chunk in ids.chunks(200) {
        for v in question_version::Entity::find()
            .filter(question_version::Column::QuestionId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            versions.insert((v.question_id, v.version), v);
        }
    }
    let point_ids: Vec<Uuid> = rows.iter().map(|q| q.syllabus_point_id).collect();
    let mut titles: HashMap<Uuid, String> = HashMap::new();
    for chunk in point_ids.chunks(200) {
        for p in syllabus_point::Entity::find()
            .filter(syllabus_point::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            titles.insert(p.id, p.title);
        }
    }
    rows.into_iter()
        .map(|q| {
            let v = versions.get(&(q.id, q.current_version)).ok_or_else(|| {
                StoreError::Db(sea_orm::DbErr::Custom(
                    "question without its current version".into(),
                ))
            })?;
            Ok(QuestionRow {
                point_title: titles
                    .get(&q.syllabus_point_id)
                    .cloned()
                    .unwrap_or_default(),
                stem: v.stem.clone(),
                difficulty: v.difficulty,
                tags: codec::tags_of(v),
                question: q,
            })
        })
        .collect()
}

/// One stored version with its content.
#[derive(Clone, Debug)]
pub struct VersionView {
    pub row: question_version::Model,
    pub content: BankContent,
}

/// A question with its point and every version, newest first.
#[derive(Clone, Debug)]
pub struct QuestionDetail {
    pub question: question::Model,
    pub point: syllabus_point::Model,
    pub versions: Vec<VersionView>,
}

impl QuestionDetail {
    pub fn current(&self) -> Option<&VersionView> {
        self.versions
            .iter()
            .find(|v| v.row.version == self.question.current_version)
    }
}

/// One question with all its versions.
pub async fn get(
    db: &impl ConnectionTrait,
    _access: &BankAccess,
    id: Uuid,
) -> Result<QuestionDetail, StoreError> {
    let question = question::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let point = syllabus_point::Entity::find_by_id(question.syllabus_point_id)
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let versions = question_version::Entity::find()
        .filter(question_version::Column::QuestionId.eq(id))
        .order_by_desc(question_version::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(VersionView {
                content: BankContent::of_version(&row)?,
                row,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(QuestionDetail {
        question,
        point,
        versions,
    })
}

/// A question of an import file, as the formats crate read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportDraft {
    /// Its line in the file, for errors.
    pub line: usize,
    /// Syllabus titles from the trade's root down; empty for "未分类".
    pub category_path: Vec<String>,
    pub name: Option<String>,
    pub content: BankContent,
}

/// What an import wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Questions created per kind code.
    pub created: BTreeMap<String, u64>,
    pub points_created: u64,
}

/// Title of the point that takes questions whose file names no category.
pub const UNSORTED: &str = "未分类";

/// Rows per multi-row INSERT (well under SQLite's 32,766 bound parameters).
const CHUNK: usize = 200;

/// Imports a whole file into `trade_code` in one transaction, creating the syllabus points
/// its category paths name; the first refusal rolls everything back and names the line
/// (`StoreError::Invalid { field: "line N", .. }`). `progress(done, total)` follows the drafts.
pub async fn import(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
    trade_code: &str,
    source: &str,
    drafts: Vec<ImportDraft>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, StoreError> {
    bank_access(actor)?;
    check_trade(trade_code)?;
    let total = drafts.len() as u64;
    let tx = store.write(actor, now).await?;
    let at = tx.at();
    let by = actor.ledger_actor().id;
    let mut points = points_of(tx.conn(), trade_code).await?;
    let mut report = ImportReport::default();
    let mut questions = Vec::with_capacity(CHUNK);
    let mut versions = Vec::with_capacity(CHUNK);
    for (done, draft) in drafts.into_iter().enumerate() {
        let path = if draft.category_path.is_empty() {
            vec![UNSORTED.to_owned()]
        } else {
            draft.category_path.clone()
        };
        let mut parent: Option<Uuid> = None;
        for title in path {
            let title = check_title(&title).map_err(|e| at_line(draft.line, e))?;
            let found = points
                .iter()
                .find(|p| p.parent_id == parent && p.title == title)
                .map(|p| p.id);
            parent = Some(match found {
                Some(id) => id,
                None => {
                    report.points_created += 1;
                    insert_point(tx.conn(), &mut points, trade_code, parent, title, at).await?
                }
            });
        }
        let Some(point_id) = parent else { continue };
        let id = Uuid::now_v7();
        let kind = draft.content.kind_code();
        *report.created.entry(kind.to_owned()).or_default() += 1;
        questions.push(question_row(
            id, trade_code, point_id, kind, source, draft.name, at,
        ));
        versions.push(draft.content.version_row(id, 1, at, &by));
        if questions.len() >= CHUNK {
            flush(tx.conn(), &mut questions, &mut versions).await?;
        }
        progress(done as u64 + 1, total);
    }
    flush(tx.conn(), &mut questions, &mut versions).await?;
    tx.commit().await?;
    Ok(report)
}

fn at_line(line: usize, err: StoreError) -> StoreError {
    match err {
        StoreError::Invalid { zh, en, .. } => StoreError::Invalid {
            field: format!("line {line}"),
            zh,
            en,
        },
        other => other,
    }
}

async fn flush(
    db: &impl ConnectionTrait,
    questions: &mut Vec<question::ActiveModel>,
    versions: &mut Vec<question_version::ActiveModel>,
) -> Result<(), StoreError> {
    if questions.is_empty() {
        return Ok(());
    }
    question::Entity::insert_many(std::mem::take(questions))
        .exec(db)
        .await?;
    question_version::Entity::insert_many(std::mem::take(versions))
        .exec(db)
        .await?;
    Ok(())
}

/// A trade's live questions at their current versions, in syllabus order, as drafts an
/// export writes (line numbers count from 1 in order).
pub async fn export(
    db: &impl ConnectionTrait,
    _access: &BankAccess,
    trade_code: &str,
) -> Result<Vec<ImportDraft>, StoreError> {
    let tree = tree_order(points_of(db, trade_code).await?);
    // Each point's path of titles from the root.
    let mut paths: HashMap<Uuid, Vec<String>> = HashMap::new();
    let mut trail: Vec<String> = Vec::new();
    for (point, depth) in &tree {
        trail.truncate(*depth);
        trail.push(point.title.clone());
        let path = if trail.len() == 1 && trail[0] == UNSORTED {
            Vec::new()
        } else {
            trail.clone()
        };
        paths.insert(point.id, path);
    }
    let order: HashMap<Uuid, usize> = tree
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.id, i))
        .collect();
    let mut rows = question::Entity::find()
        .filter(question::Column::TradeCode.eq(trade_code))
        .filter(question::Column::Retired.eq(false))
        .order_by_asc(question::Column::CreatedAt)
        .order_by_asc(question::Column::Id)
        .all(db)
        .await?;
    rows.sort_by_key(|q| {
        order
            .get(&q.syllabus_point_id)
            .copied()
            .unwrap_or(usize::MAX)
    });
    let mut versions: HashMap<(Uuid, i32), question_version::Model> = HashMap::new();
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id).collect();
    for chunk in ids.chunks(CHUNK) {
        for v in question_version::Entity::find()
            .filter(question_version::Column::QuestionId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            versions.insert((v.question_id, v.version), v);
        }
    }
    rows.into_iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let v = versions.get(&(q.id, q.current_version))?;
            Some(BankContent::of_version(v).map(|content| ImportDraft {
                line: i + 1,
                category_path: paths.get(&q.syllabus_point_id).cloned().unwrap_or_default(),
                name: q.external_name.clone(),
                content,
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(code: &str, parent: Option<Uuid>, position: i32) -> syllabus_point::Model {
        syllabus_point::Model {
            id: Uuid::now_v7(),
            parent_id: parent,
            trade_code: "1.2".into(),
            code: code.into(),
            title: code.into(),
            position,
            created_at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn tree_is_depth_first_by_position() {
        let a = point("1", None, 1);
        let b = point("2", None, 2);
        let a1 = point("1.1", Some(a.id), 1);
        let a2 = point("1.2", Some(a.id), 2);
        let a11 = point("1.1.1", Some(a1.id), 1);
        let order: Vec<(String, usize)> = tree_order(vec![b.clone(), a2.clone(), a11, a1, a])
            .into_iter()
            .map(|(p, d)| (p.code, d))
            .collect();
        assert_eq!(
            order,
            vec![
                ("1".into(), 0),
                ("1.1".into(), 1),
                ("1.1.1".into(), 2),
                ("1.2".into(), 1),
                ("2".into(), 0)
            ]
        );
        let points = vec![point("1", None, 1), point("2", None, 2)];
        assert_eq!(next_code(&points, None), ("3".into(), 3));
        assert_eq!(next_code(&points, Some(&points[0])), ("1.1".into(), 1));
    }
}
