//! Tests of the pure graders: one file per kind, the score, adversarial answers and
//! properties over arbitrary input.

mod adversarial;
mod choice;
mod compare;
mod live;
mod number;
mod props;
mod score;
mod shipped;
mod text;

use crate::lab::grading::Verdict;

/// Asserts full marks, showing the feedback otherwise.
#[track_caller]
fn assert_right(v: &Verdict) {
    assert!(
        v.correct && v.earned == v.max,
        "expected full marks: {v:#?}"
    );
}

/// Asserts no marks and a feedback line containing `needle`.
#[track_caller]
fn assert_wrong(v: &Verdict, needle: &str) {
    assert!(!v.correct && v.earned == 0.0, "expected no marks: {v:#?}");
    assert!(
        v.feedback.iter().any(|f| f.contains(needle)),
        "feedback should mention {needle:?}: {:#?}",
        v.feedback
    );
}

/// A verdict's invariants: points within 0..=max, full marks exactly when correct.
#[track_caller]
fn assert_sane(v: &Verdict) {
    assert!(v.earned.is_finite() && v.max.is_finite(), "{v:#?}");
    assert!((0.0..=v.max).contains(&v.earned), "{v:#?}");
    assert!(!v.correct || v.earned == v.max, "{v:#?}");
    assert!(!v.feedback.is_empty(), "{v:#?}");
}
