//! Free text graded by a rubric: synonyms, weights, whole words, the pass mark.

use super::{assert_right, assert_wrong};
use crate::lab::content::RubricConcept;
use crate::lab::grading::grade_text;

fn concept(name: &str, synonyms: &[&str], weight: f64) -> RubricConcept {
    RubricConcept {
        concept: name.to_owned(),
        synonyms: synonyms.iter().map(|s| (*s).to_owned()).collect(),
        weight,
    }
}

fn rubric() -> Vec<RubricConcept> {
    vec![
        concept("counter reset", &["restart", "resets to zero"], 2.0),
        concept("per-second", &["per second"], 1.0),
        concept("extrapolation", &["extrapolates"], 1.0),
    ]
}

#[test]
fn every_concept_mentioned_earns_full_marks() {
    let v = grade_text(
        &rubric(),
        0.6,
        20,
        "rate() gives the PER SECOND increase, handles counter resets and extrapolates.",
    );
    assert_right(&v);
    assert_eq!(v.matched, ["counter reset", "per-second", "extrapolation"]);
    assert!(v.missed.is_empty());
}

#[test]
fn points_are_the_weight_share_once_the_pass_mark_is_reached() {
    // 3 of 4 weight: passes 0.6 with 15 of 20 points.
    let v = grade_text(
        &rubric(),
        0.6,
        20,
        "It survives a process restart, per second.",
    );
    assert!(v.correct && v.earned == 15.0, "{v:#?}");
    assert_eq!(v.missed, ["extrapolation"]);
    assert!(
        v.feedback
            .iter()
            .any(|f| f.contains("not mentioned: extrapolation"))
    );
    // 1 of 4 weight: below the pass mark, no points.
    let v = grade_text(&rubric(), 0.6, 20, "It is per-second.");
    assert_wrong(&v, "1 of 3 concepts");
    assert_eq!(v.matched, ["per-second"]);
    assert_eq!(v.missed, ["counter reset", "extrapolation"]);
    // Exactly at the pass mark passes.
    let v = grade_text(&rubric(), 0.5, 20, "counter reset");
    assert!(v.correct && v.earned == 10.0, "{v:#?}");
}

#[test]
fn words_match_whole_not_inside_others() {
    let r = vec![concept("rate", &[], 1.0)];
    assert_wrong(
        &grade_text(&r, 1.0, 5, "I'd use irate or a ratelimiter."),
        "0 of 1",
    );
    assert_right(&grade_text(&r, 1.0, 5, "Use RATE."));
    assert_right(&grade_text(&r, 1.0, 5, "rates"));
}

#[test]
fn empty_answers_and_rubrics() {
    assert_wrong(&grade_text(&rubric(), 0.6, 10, "   "), "no answer");
    assert_wrong(&grade_text(&rubric(), 0.6, 10, "?!"), "no answer");
    assert_wrong(&grade_text(&[], 0.6, 10, "anything"), "labtui check");
    let zero = vec![concept("x", &[], 0.0)];
    assert_wrong(&grade_text(&zero, 0.6, 10, "x"), "labtui check");
}
