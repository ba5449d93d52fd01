//! What submitting needs from grading: one question graded at a time, then a score.
//!
//! The trait keeps the session's bookkeeping apart from how answers are checked (choices,
//! numbers, queries run against the lab, rubrics), so both can be tested on their own.

use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::lab::content::Question;

/// One question's grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub earned: f64,
    pub max: f64,
    pub correct: bool,
    /// Lines telling the learner what was right or missing.
    pub feedback: Vec<String>,
}

impl QuestionResult {
    /// A question left without an answer: nothing earned.
    pub fn unanswered(points: u32) -> Self {
        Self {
            earned: 0.0,
            max: f64::from(points),
            correct: false,
            feedback: vec!["unanswered".to_string()],
        }
    }
}

/// Grading could not run at all (a backend it needs is missing), as opposed to a wrong answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct GradeError(pub String);

/// Checks answers. `at` is the grading instant (Unix seconds), for expectations whose
/// reference is a query run at grading time.
pub trait Grader {
    fn grade(
        &self,
        question: &Question,
        answer: &str,
        at: f64,
    ) -> impl Future<Output = Result<QuestionResult, GradeError>>;
}

/// A submitted attempt's score: the grading engine's, kept in the session file.
pub use crate::lab::grading::Score;

/// Sum the results and subtract the hints' cost (floored at zero).
pub fn score(results: &[QuestionResult], hint_cost: f64, elapsed_secs: u64, attempt: u32) -> Score {
    crate::lab::grading::score_of(
        results.iter().map(|r| (r.earned, r.max)),
        hint_cost,
        elapsed_secs,
        attempt,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(earned: f64, max: f64) -> QuestionResult {
        QuestionResult {
            earned,
            max,
            correct: earned >= max,
            feedback: Vec::new(),
        }
    }

    #[test]
    fn the_score_subtracts_hints_and_never_goes_below_zero() {
        let s = score(&[result(10.0, 10.0), result(0.0, 15.0)], 4.0, 300, 2);
        assert_eq!((s.earned, s.max, s.total), (10.0, 25.0, 6.0));
        assert_eq!((s.elapsed_secs, s.attempt), (300, 2));
        assert_eq!(score(&[result(2.0, 10.0)], 5.0, 1, 1).total, 0.0);
        assert_eq!(QuestionResult::unanswered(15).max, 15.0);
    }
}
