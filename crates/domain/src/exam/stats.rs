//! Item statistics for the bank's owner: how hard a question turned out to be and how well
//! it separates strong examinees from weak ones (classical test theory).
//!
//! - Difficulty index *p*: the share of examinees who answered it right (high = easy).
//! - Discrimination *D* (Kelley's upper–lower index): *p* among the top 27 % of examinees by
//!   total score minus *p* among the bottom 27 %. Below 0.2 usually means a question to
//!   review; negative means strong examinees get it wrong more often than weak ones.

/// One examinee's result on the question, with their total score on the paper.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct ItemResponse {
    pub total_score: f64,
    pub correct: bool,
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub struct ItemStats {
    pub answered: usize,
    pub difficulty: f64,
    /// `None` below 10 responses: too few to split into groups.
    pub discrimination: Option<f64>,
}

pub fn item_stats(responses: &[ItemResponse]) -> Option<ItemStats> {
    if responses.is_empty() {
        return None;
    }
    let n = responses.len();
    let right = responses.iter().filter(|r| r.correct).count();
    let difficulty = right as f64 / n as f64;
    let discrimination = (n >= 10).then(|| {
        let mut sorted: Vec<&ItemResponse> = responses.iter().collect();
        sorted.sort_by(|a, b| b.total_score.total_cmp(&a.total_score));
        let group = ((n as f64) * 0.27).round().max(1.0) as usize;
        let share = |slice: &[&ItemResponse]| {
            slice.iter().filter(|r| r.correct).count() as f64 / slice.len() as f64
        };
        share(&sorted[..group]) - share(&sorted[n - group..])
    });
    Some(ItemStats {
        answered: n,
        difficulty,
        discrimination,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(total: f64, correct: bool) -> ItemResponse {
        ItemResponse {
            total_score: total,
            correct,
        }
    }

    #[test]
    fn stats_cases() {
        assert_eq!(item_stats(&[]), None);
        // Strong examinees right, weak ones wrong: D = 1.
        let good: Vec<ItemResponse> = (0..100).map(|i| r(f64::from(i), i >= 50)).collect();
        let s = item_stats(&good).unwrap();
        assert_eq!(s.difficulty, 0.5);
        assert_eq!(s.discrimination, Some(1.0));
        // Reversed: D = -1.
        let bad: Vec<ItemResponse> = (0..100).map(|i| r(f64::from(i), i < 50)).collect();
        assert_eq!(item_stats(&bad).unwrap().discrimination, Some(-1.0));
        // Too few to split.
        let few: Vec<ItemResponse> = (0..9).map(|i| r(f64::from(i), true)).collect();
        let s = item_stats(&few).unwrap();
        assert_eq!((s.difficulty, s.discrimination), (1.0, None));
    }
}
