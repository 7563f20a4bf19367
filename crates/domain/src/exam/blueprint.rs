//! Papers by blueprint (组卷): how many questions of each syllabus point, kind and difficulty,
//! and what each is worth. Every examinee draws a paper of their own from the bank with a
//! seed that is stored with the attempt, so the same seed and the same bank give the same
//! paper again (audit), and no question appears twice in one paper.

use thiserror::Error;

use super::question::{Difficulty, QuestionKind};
use super::rng::SplitMix64;
use crate::Bilingual;

/// One line of a blueprint.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BlueprintRow {
    /// The syllabus point (培训大纲知识点) the questions come from; a question under a
    /// sub-point counts for its ancestors too.
    pub syllabus_point: String,
    pub kind: QuestionKind,
    /// `None`: any difficulty.
    pub difficulty: Option<Difficulty>,
    pub count: u32,
    /// Points per question.
    pub points: u32,
}

/// A checked blueprint: rows whose points add up to the exam's full marks.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Blueprint {
    rows: Vec<BlueprintRow>,
    total: u32,
    pass_mark: u32,
    duration_minutes: u32,
}

#[derive(Clone, PartialEq, Eq, Debug, Error)]
pub enum BlueprintError {
    #[error("a blueprint needs at least one row")]
    NoRows,
    #[error("row {0}: the number of questions and their points must be at least 1")]
    EmptyRow(usize),
    #[error("the rows add up to {sum} points, the exam has {total}")]
    TotalMismatch { sum: u32, total: u32 },
    #[error("the pass mark {pass_mark} is above the full marks {total}")]
    PassMarkAboveTotal { pass_mark: u32, total: u32 },
    #[error("the duration must be 1 to 600 minutes")]
    Duration,
}

impl Bilingual for BlueprintError {
    fn zh(&self) -> String {
        match self {
            Self::NoRows => "组卷方案至少须有一行".into(),
            Self::EmptyRow(row) => format!("第 {row} 行：题量和每题分值须至少为 1"),
            Self::TotalMismatch { sum, total } => {
                format!("各行分值合计 {sum} 分，与试卷总分 {total} 分不符")
            }
            Self::PassMarkAboveTotal { pass_mark, total } => {
                format!("合格分 {pass_mark} 高于总分 {total}")
            }
            Self::Duration => "考试时长须为 1 至 600 分钟".into(),
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl Blueprint {
    pub fn new(
        rows: Vec<BlueprintRow>,
        total: u32,
        pass_mark: u32,
        duration_minutes: u32,
    ) -> Result<Self, BlueprintError> {
        if rows.is_empty() {
            return Err(BlueprintError::NoRows);
        }
        if let Some(i) = rows.iter().position(|r| r.count == 0 || r.points == 0) {
            return Err(BlueprintError::EmptyRow(i + 1));
        }
        let sum: u32 = rows.iter().map(|r| r.count * r.points).sum();
        if sum != total {
            return Err(BlueprintError::TotalMismatch { sum, total });
        }
        if pass_mark > total {
            return Err(BlueprintError::PassMarkAboveTotal { pass_mark, total });
        }
        if !(1..=600).contains(&duration_minutes) {
            return Err(BlueprintError::Duration);
        }
        Ok(Self {
            rows,
            total,
            pass_mark,
            duration_minutes,
        })
    }

    pub fn rows(&self) -> &[BlueprintRow] {
        &self.rows
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    pub fn pass_mark(&self) -> u32 {
        self.pass_mark
    }

    pub fn duration_minutes(&self) -> u32 {
        self.duration_minutes
    }

    pub fn question_count(&self) -> u32 {
        self.rows.iter().map(|r| r.count).sum()
    }

    /// Draws one examinee's paper. The pool is sorted by id first, so the order the store
    /// happened to read it in does not matter. Refuses with every row the bank cannot fill.
    pub fn draw(&self, pool: &[PoolQuestion], seed: u64) -> Result<Paper, Vec<Shortfall>> {
        let mut pool: Vec<&PoolQuestion> = pool.iter().collect();
        pool.sort_by(|a, b| a.id.cmp(&b.id));
        let mut used = vec![false; pool.len()];
        let mut rng = SplitMix64::new(seed);
        let mut items = Vec::with_capacity(self.question_count() as usize);
        let mut shortfalls = Vec::new();
        for (row_index, row) in self.rows.iter().enumerate() {
            let mut candidates: Vec<usize> = pool
                .iter()
                .enumerate()
                .filter(|(i, q)| !used[*i] && q.fits(row))
                .map(|(i, _)| i)
                .collect();
            let wanted = row.count as usize;
            if candidates.len() < wanted {
                shortfalls.push(Shortfall {
                    row: row_index + 1,
                    syllabus_point: row.syllabus_point.clone(),
                    kind: row.kind,
                    difficulty: row.difficulty,
                    wanted: row.count,
                    available: candidates.len() as u32,
                });
                continue;
            }
            // Partial Fisher–Yates: the first `wanted` places end up a uniform sample.
            for i in 0..wanted {
                let j = i + rng.below((candidates.len() - i) as u64) as usize;
                candidates.swap(i, j);
            }
            for &index in &candidates[..wanted] {
                used[index] = true;
                let question = pool[index];
                let mut option_order: Vec<u8> = (0..question.option_count).collect();
                rng.shuffle(&mut option_order);
                items.push(PaperItem {
                    question_id: question.id.clone(),
                    kind: row.kind,
                    points: row.points,
                    option_order,
                });
            }
        }
        if shortfalls.is_empty() {
            Ok(Paper {
                seed,
                items,
                total: self.total,
                pass_mark: self.pass_mark,
            })
        } else {
            Err(shortfalls)
        }
    }
}

/// What the draw needs to know of a question in the bank.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PoolQuestion {
    /// The question version's id (a paper keeps the version it showed).
    pub id: String,
    /// Its syllabus point and every ancestor of it.
    pub syllabus_points: Vec<String>,
    pub kind: QuestionKind,
    pub difficulty: Difficulty,
    /// Number of options (0 for true/false and fill-in).
    pub option_count: u8,
}

impl PoolQuestion {
    fn fits(&self, row: &BlueprintRow) -> bool {
        self.kind == row.kind
            && row.difficulty.is_none_or(|d| d == self.difficulty)
            && self.syllabus_points.contains(&row.syllabus_point)
    }
}

/// A row the bank cannot fill.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Shortfall {
    /// 1-based row of the blueprint.
    pub row: usize,
    pub syllabus_point: String,
    pub kind: QuestionKind,
    pub difficulty: Option<Difficulty>,
    pub wanted: u32,
    pub available: u32,
}

impl Bilingual for Shortfall {
    fn zh(&self) -> String {
        format!(
            "第 {} 行（{}，{}）：需要 {} 题，题库只有 {} 题",
            self.row,
            self.kind.name_zh(),
            self.difficulty.map_or("任意难度", |d| d.name_zh()),
            self.wanted,
            self.available
        )
    }

    fn en(&self) -> String {
        format!(
            "row {} ({}, {}): needs {} questions, the bank has {}",
            self.row,
            self.kind.name_en(),
            self.difficulty.map_or("any difficulty", |d| d.name_en()),
            self.wanted,
            self.available
        )
    }
}

/// One examinee's paper.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Paper {
    pub seed: u64,
    pub items: Vec<PaperItem>,
    pub total: u32,
    pub pass_mark: u32,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PaperItem {
    pub question_id: String,
    pub kind: QuestionKind,
    pub points: u32,
    /// The order the options are shown in, as indices of the stored options.
    pub option_order: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Vec<PoolQuestion> {
        let mut pool = Vec::new();
        for i in 0..30 {
            pool.push(PoolQuestion {
                id: format!("q{i:03}"),
                syllabus_points: vec![
                    "电工".into(),
                    if i % 2 == 0 {
                        "安全用电".into()
                    } else {
                        "触电急救".into()
                    },
                ],
                kind: if i < 20 {
                    QuestionKind::TrueFalse
                } else {
                    QuestionKind::Single
                },
                difficulty: if i % 3 == 0 {
                    Difficulty::Hard
                } else {
                    Difficulty::Easy
                },
                option_count: if i < 20 { 0 } else { 4 },
            });
        }
        pool
    }

    fn row(
        point: &str,
        kind: QuestionKind,
        difficulty: Option<Difficulty>,
        count: u32,
        points: u32,
    ) -> BlueprintRow {
        BlueprintRow {
            syllabus_point: point.into(),
            kind,
            difficulty,
            count,
            points,
        }
    }

    fn blueprint() -> Blueprint {
        Blueprint::new(
            vec![
                row("安全用电", QuestionKind::TrueFalse, None, 5, 10),
                row("电工", QuestionKind::TrueFalse, None, 5, 6),
                row("电工", QuestionKind::Single, None, 5, 4),
            ],
            100,
            80,
            120,
        )
        .unwrap()
    }

    #[test]
    fn same_seed_same_paper_different_seed_different_paper() {
        let bp = blueprint();
        let a = bp.draw(&pool(), 42).unwrap();
        let mut reversed = pool();
        reversed.reverse();
        let b = bp.draw(&reversed, 42).unwrap();
        assert_eq!(a, b, "the read order of the bank must not matter");
        let c = bp.draw(&pool(), 43).unwrap();
        assert_ne!(a.items, c.items);
    }

    #[test]
    fn no_question_twice_and_rows_respected() {
        let bp = blueprint();
        for seed in 0..200 {
            let paper = bp.draw(&pool(), seed).unwrap();
            assert_eq!(paper.items.len(), 15);
            let mut ids: Vec<&str> = paper.items.iter().map(|i| i.question_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), 15, "seed {seed}");
            // The first five come from 安全用电 (even numbers), true/false (below 20).
            for item in &paper.items[..5] {
                let n: u32 = item.question_id[1..].parse().unwrap();
                assert!(n.is_multiple_of(2) && n < 20);
            }
            let points: u32 = paper.items.iter().map(|i| i.points).sum();
            assert_eq!(points, 100);
            for item in &paper.items[10..] {
                let mut order = item.option_order.clone();
                order.sort_unstable();
                assert_eq!(order, vec![0, 1, 2, 3]);
            }
        }
    }

    #[test]
    fn unsatisfiable_blueprint_names_what_is_missing() {
        let bp = Blueprint::new(
            vec![
                row(
                    "触电急救",
                    QuestionKind::Single,
                    Some(Difficulty::Hard),
                    4,
                    10,
                ),
                row("电工", QuestionKind::TrueFalse, None, 6, 10),
                row("电工", QuestionKind::FillIn, None, 1, 1),
            ],
            101,
            80,
            60,
        )
        .unwrap();
        let shortfalls = bp.draw(&pool(), 1).unwrap_err();
        // Hard single choice under 触电急救: odd i in 20..30 with i % 3 == 0 → 21, 27 → 2.
        assert_eq!(shortfalls.len(), 2);
        assert_eq!(
            (
                shortfalls[0].row,
                shortfalls[0].wanted,
                shortfalls[0].available
            ),
            (1, 4, 2)
        );
        assert_eq!(
            (
                shortfalls[1].row,
                shortfalls[1].kind,
                shortfalls[1].available
            ),
            (3, QuestionKind::FillIn, 0)
        );
        assert!(shortfalls[0].zh().contains("需要 4 题，题库只有 2 题"));
    }

    #[test]
    fn blueprint_checks() {
        let cases = vec![
            (vec![], 100, 80, 60, Err(BlueprintError::NoRows)),
            (
                vec![row("a", QuestionKind::Single, None, 0, 5)],
                0,
                0,
                60,
                Err(BlueprintError::EmptyRow(1)),
            ),
            (
                vec![row("a", QuestionKind::Single, None, 10, 5)],
                100,
                80,
                60,
                Err(BlueprintError::TotalMismatch {
                    sum: 50,
                    total: 100,
                }),
            ),
            (
                vec![row("a", QuestionKind::Single, None, 10, 10)],
                100,
                101,
                60,
                Err(BlueprintError::PassMarkAboveTotal {
                    pass_mark: 101,
                    total: 100,
                }),
            ),
            (
                vec![row("a", QuestionKind::Single, None, 10, 10)],
                100,
                80,
                0,
                Err(BlueprintError::Duration),
            ),
            (
                vec![row("a", QuestionKind::Single, None, 10, 10)],
                100,
                80,
                120,
                Ok(10),
            ),
        ];
        for (rows, total, pass, minutes, expected) in cases {
            assert_eq!(
                Blueprint::new(rows, total, pass, minutes).map(|b| b.question_count()),
                expected
            );
        }
    }
}
