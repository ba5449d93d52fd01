//! Grading: turns a learner's raw answer into points, with feedback that says why.
//!
//! Every answer arrives as the text the learner typed (the CLI and the forms pass it as
//! is) and is parsed per kind here, so a grader never panics or hangs on what it gets.
//! The graders of this module are pure and deterministic; [`live`] runs queries against
//! the lab and hands the results to them.
//!
//! How each kind scores (points are `f64` so partial credit exists):
//! - choice, one answer: all or nothing; an answer written `service/fault` earns its
//!   points in equal shares per part found (an extra wrong part takes one share back);
//! - choice, several answers: `points × (right picks − wrong picks) / answers`, at least 0;
//! - number: all or nothing, within the tolerance (both edges count);
//! - query: all or nothing, when the result matches the reference's ([`compare`]);
//! - text: `points × matched weight share` when the share reaches the pass mark, else 0.

pub mod choice;
pub mod compare;
pub mod live;
pub mod number;
pub mod text;

#[cfg(test)]
mod tests;

pub use choice::grade_choice;
pub use compare::{
    CompareOptions, Comparison, DEFAULT_QUERY_TOLERANCE_PCT, SAME_SET_JACCARD, compare,
    compare_with,
};
pub use live::{Backends, QUERY_TIMEOUT, grade_question};
pub use number::{DEFAULT_TOLERANCE_PCT, NumberError, Tolerance, grade_number, parse_number};
pub use text::grade_text;

use crate::lab::content::Expectation;
use crate::lab::untrusted;

/// The grade of one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Points earned, between 0 and `max`.
    pub earned: f64,
    /// Points the question is worth.
    pub max: f64,
    /// Fully right: every part, every answer, every concept needed.
    pub correct: bool,
    /// Sentences for the learner: what was right, what was not and why.
    pub feedback: Vec<String>,
    /// Rubric concepts the answer mentions (text only).
    pub matched: Vec<String>,
    /// Rubric concepts it does not (text only).
    pub missed: Vec<String>,
}

impl Verdict {
    /// Full marks, with a word on why.
    pub fn right(max: f64, feedback: impl Into<String>) -> Self {
        Self {
            earned: max,
            max,
            correct: true,
            feedback: vec![feedback.into()],
            matched: Vec::new(),
            missed: Vec::new(),
        }
    }

    /// No points, with the reason.
    pub fn wrong(max: f64, reason: impl Into<String>) -> Self {
        Self {
            earned: 0.0,
            max,
            correct: false,
            feedback: vec![reason.into()],
            matched: Vec::new(),
            missed: Vec::new(),
        }
    }
}

/// The result of a challenge or lesson attempt: points, hint penalties and time taken.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Score {
    pub earned: f64,
    pub max: f64,
    /// Points taken back for revealed hints.
    pub hint_cost: f64,
    /// `earned − hint_cost`, never below zero.
    pub total: f64,
    pub elapsed_secs: u64,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// Adds up verdicts. A negative or non-finite hint cost counts as no cost, so a bad input
/// can neither raise the total nor make it NaN.
pub fn score(verdicts: &[Verdict], hint_cost: f64, elapsed_secs: u64, attempt: u32) -> Score {
    score_of(
        verdicts.iter().map(|v| (v.earned, v.max)),
        hint_cost,
        elapsed_secs,
        attempt,
    )
}

/// [`score`] over `(earned, max)` pairs, for callers that keep results in their own shape.
pub fn score_of(
    points: impl IntoIterator<Item = (f64, f64)>,
    hint_cost: f64,
    elapsed_secs: u64,
    attempt: u32,
) -> Score {
    let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let (earned, max) = points
        .into_iter()
        .fold((0.0, 0.0), |(e, m), (earned, max)| {
            (e + finite(earned), m + finite(max))
        });
    let hint_cost = finite(hint_cost);
    Score {
        earned,
        max,
        hint_cost,
        total: (earned - hint_cost).max(0.0),
        elapsed_secs,
        attempt,
    }
}

/// Grades what needs no lab: a choice, a number with a fixed `value`, a text. A number
/// with a `reference` or a query needs the lab: use [`grade_question`]; here they are
/// wrong with that reason.
pub fn grade(expect: &Expectation, points: u32, answer: &str) -> Verdict {
    let max = f64::from(points);
    match expect {
        Expectation::Choice {
            options, aliases, ..
        } => grade_choice(options, &expect.choice_answers(), aliases, points, answer),
        Expectation::Number {
            value: Some(value),
            tolerance,
            tolerance_pct,
            unit,
            ..
        } => grade_number(
            *value,
            Tolerance::of(*tolerance, *tolerance_pct),
            unit.as_deref(),
            points,
            answer,
        ),
        Expectation::Number { .. } | Expectation::Query { .. } => Verdict::wrong(
            max,
            "this question is graded against the live lab: start it with `labtui up`",
        ),
        Expectation::Text { rubric, pass } => grade_text(rubric, *pass, points, answer),
    }
}

/// At most 40 characters of learner text, control characters escaped, for feedback.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 40;
    let text = text.trim();
    let mut cut: String = text.chars().take(MAX).collect();
    if text.chars().nth(MAX).is_some() {
        cut.push('…');
    }
    untrusted::escape(&cut).into_owned()
}
