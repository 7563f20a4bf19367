//! Practical exams (实际操作考试) are scored by examiners on a score sheet: items with their
//! points and criteria. An item may be a veto item (否决项): a serious safety error fails the
//! whole practical exam whatever the other items score, as the national practical-exam
//! standards (安全技术实际操作考试标准) do for, e.g., working live without protection.

use thiserror::Error;

use crate::Bilingual;

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SheetItem {
    pub title: String,
    /// Full points of the item (0 for a pure veto item).
    pub points: u32,
    /// What the examiner looks for, and what costs points.
    pub criteria: String,
    pub veto: bool,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScoreSheet {
    title: String,
    items: Vec<SheetItem>,
}

#[derive(Clone, PartialEq, Eq, Debug, Error)]
pub enum ScoreSheetError {
    #[error("the score sheet has no title")]
    NoTitle,
    #[error("a score sheet needs at least one item")]
    NoItems,
    #[error("item {0} has no title")]
    ItemTitle(usize),
    #[error("item {0} is worth nothing and is not a veto item")]
    ItemWorthless(usize),
    #[error("the items add up to {0} points, a practical exam has 100")]
    Total(u32),
}

impl Bilingual for ScoreSheetError {
    fn zh(&self) -> String {
        match self {
            Self::NoTitle => "评分表缺少名称".into(),
            Self::NoItems => "评分表至少须有一个评分项".into(),
            Self::ItemTitle(i) => format!("第 {i} 项缺少名称"),
            Self::ItemWorthless(i) => format!("第 {i} 项分值为 0 且不是否决项"),
            Self::Total(sum) => format!("各项合计 {sum} 分，实际操作考试满分应为 100 分"),
        }
    }

    fn en(&self) -> String {
        self.to_string()
    }
}

impl ScoreSheet {
    pub fn new(title: &str, items: Vec<SheetItem>) -> Result<Self, ScoreSheetError> {
        let title = title.trim().to_string();
        if title.is_empty() {
            return Err(ScoreSheetError::NoTitle);
        }
        if items.is_empty() {
            return Err(ScoreSheetError::NoItems);
        }
        let items: Vec<SheetItem> = items
            .into_iter()
            .map(|item| SheetItem {
                title: item.title.trim().to_string(),
                criteria: item.criteria.trim().to_string(),
                ..item
            })
            .collect();
        for (i, item) in items.iter().enumerate() {
            if item.title.is_empty() {
                return Err(ScoreSheetError::ItemTitle(i + 1));
            }
            if item.points == 0 && !item.veto {
                return Err(ScoreSheetError::ItemWorthless(i + 1));
            }
        }
        let sum: u32 = items.iter().map(|i| i.points).sum();
        if sum != 100 {
            return Err(ScoreSheetError::Total(sum));
        }
        Ok(Self { title, items })
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn items(&self) -> &[SheetItem] {
        &self.items
    }

    pub fn total(&self) -> u32 {
        self.items.iter().map(|i| i.points).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, points: u32, veto: bool) -> SheetItem {
        SheetItem {
            title: title.into(),
            points,
            criteria: String::new(),
            veto,
        }
    }

    #[test]
    fn sheet_checks() {
        let cases = vec![
            (
                "",
                vec![item("a", 100, false)],
                Err(ScoreSheetError::NoTitle),
            ),
            ("验电", vec![], Err(ScoreSheetError::NoItems)),
            (
                "验电",
                vec![item(" ", 100, false)],
                Err(ScoreSheetError::ItemTitle(1)),
            ),
            (
                "验电",
                vec![item("a", 100, false), item("b", 0, false)],
                Err(ScoreSheetError::ItemWorthless(2)),
            ),
            (
                "验电",
                vec![item("a", 60, false), item("b", 30, false)],
                Err(ScoreSheetError::Total(90)),
            ),
            (
                "验电",
                vec![
                    item("a", 60, false),
                    item("b", 40, false),
                    item("带电作业未防护", 0, true),
                ],
                Ok(3),
            ),
        ];
        for (title, items, expected) in cases {
            assert_eq!(
                ScoreSheet::new(title, items).map(|s| s.items().len()),
                expected
            );
        }
    }
}
