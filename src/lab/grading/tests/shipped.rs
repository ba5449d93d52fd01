//! The shipped lessons and challenges grade their own answers right: every right option
//! of a choice earns full marks, every other option less, and a fixed number its value.

use std::path::Path;

use crate::lab::content::{Catalog, Expectation, ItemKind, ItemRef};
use crate::lab::grading::grade;

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
