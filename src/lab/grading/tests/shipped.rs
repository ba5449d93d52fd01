//! The shipped lessons and challenges grade their own answers right: every right option
//! of a choice earns full marks, every other option less, and a fixed number its value.
//! Every shipped drill's example answer covers its whole rubric, while vague answers and
//! the question read back fail it.

use std::path::Path;

use crate::lab::content::{Catalog, Drill, Expectation, ItemKind, ItemRef};
use crate::lab::grading::grade;
use crate::lab::interview;

/// Every (item id, points, expectation) of the shipped lessons and challenges.
fn expectations() -> Vec<(String, u32, Expectation)> {
    let (catalog, problems) = Catalog::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(problems.is_empty(), "{problems:#?}");
    let mut all = Vec::new();
    for kind in [ItemKind::Lesson, ItemKind::Challenge] {
        for entry in catalog.entries(kind) {
            match catalog.find(&entry.id) {
                Some(ItemRef::Lesson(l)) => all.extend(
                    l.exercises
                        .iter()
                        .map(|e| (format!("{}/{}", l.id, e.id), e.points, e.expect.clone())),
                ),
                Some(ItemRef::Challenge(c)) => all.extend(
                    c.questions
                        .iter()
                        .map(|q| (format!("{}/{}", c.id, q.id), q.points, q.expect.clone())),
                ),
                _ => {}
            }
        }
    }
    assert!(!all.is_empty());
    all
}

#[test]
fn shipped_choices_and_fixed_numbers_grade_their_own_answers_right() {
    for (id, points, expect) in expectations() {
        match &expect {
            Expectation::Choice { options, .. } => {
                let right = expect.choice_answers();
                for (n, option) in options.iter().enumerate() {
                    let by_text = grade(&expect, points, option);
                    let by_number = grade(&expect, points, &(n + 1).to_string());
                    let is_right = right.len() == 1 && right.contains(&option.as_str());
                    for v in [&by_text, &by_number] {
                        assert_eq!(v.correct, is_right, "{id}: `{option}`: {v:#?}");
                    }
                }
                let all = right.join(", ");
                assert!(grade(&expect, points, &all).correct, "{id}: {all}");
            }
            Expectation::Number {
                value: Some(value),
                unit,
                ..
            } => {
                let answer = format!("{value} {}", unit.as_deref().unwrap_or(""));
                let v = grade(&expect, points, &answer);
                assert!(v.correct, "{id}: {answer}: {v:#?}");
            }
            _ => {}
        }
    }
}

/// The shipped drills.
fn drills() -> Vec<Drill> {
    let (catalog, problems) = Catalog::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(!catalog.drills.is_empty());
    catalog.drills
}

#[test]
fn every_shipped_drill_example_answer_covers_its_whole_rubric() {
    for drill in drills() {
        let v = interview::grade(&drill, &drill.example_answer);
        assert!(
            v.correct && v.missed.is_empty(),
            "{}: the example answer should mention every concept: {v:#?}",
            drill.id
        );
    }
}

/// Answers an interviewer would not accept for any drill.
const VAGUE: [&str; 5] = [
    "I would look at the dashboards and logs.",
    "I would check the metrics, logs and traces to find the root cause, then fix it and \
     write a postmortem.",
    "It depends. I would investigate the problem, monitor the system, set up some alerts \
     and talk to the team.",
    "First I would open Grafana and look at the graphs to see what is going on, then ask \
     the developers what changed and follow best practices.",
    "Observability is important: metrics, logs and traces are the three pillars, and good \
     monitoring helps us find problems quickly.",
];

#[test]
fn vague_answers_and_the_question_read_back_fail_every_shipped_drill() {
    for drill in drills() {
        for answer in VAGUE.iter().copied().chain([drill.question.as_str()]) {
            let v = interview::grade(&drill, answer);
            assert!(
                !v.correct && v.earned == 0.0,
                "{}: a vague answer passes: {answer:?}: {v:#?}",
                drill.id
            );
        }
    }
}

#[test]
fn no_shipped_rubric_phrase_is_a_lone_percentage() {
    // Matching drops punctuation, so "1%" would match every lone "1" in an answer.
    for drill in drills() {
        for concept in &drill.rubric {
            for phrase in std::iter::once(&concept.concept).chain(&concept.synonyms) {
                let words: Vec<&str> = phrase
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                let lone_number = words.len() == 1 && words[0].chars().all(|c| c.is_ascii_digit());
                assert!(
                    !(phrase.contains('%') && lone_number),
                    "{}: `{phrase}` matches any lone {}; say what it is a percentage of",
                    drill.id,
                    words[0]
                );
            }
        }
    }
}
