//! Answers nobody should type: empty, a megabyte, control characters, odd Unicode. Each
//! grades to a sane verdict with bounded feedback (how fast is measured by
//! `examples/bench_grading.rs`, not here).

use std::collections::BTreeMap;

use super::assert_sane;
use crate::lab::content::RubricConcept;
use crate::lab::grading::{Tolerance, Verdict, grade_choice, grade_number, grade_text};

fn answers() -> Vec<String> {
    vec![
        String::new(),
        " \t\n ".into(),
        "a".repeat(1 << 20),
        "payments ".repeat(120_000),
        "1,".repeat(500_000),
        "0.9".to_owned() + &"9".repeat(1 << 20),
        "\u{1b}[31mpayments\u{1b}[0m".into(),
        "pay\u{0}ments".into(),
        "\u{202e}stnemyap".into(),
        "ｐａｙｍｅｎｔｓ".into(),
        "İ̇ßﬃ🦀 ٣".into(),
        "0.9\u{7}s".into(),
        "９００ms".into(),
        "−0.9".into(),
        "0.9 s\r\n".into(),
        "/".repeat(1000),
        "and and and ,,, ;;; |||".into(),
    ]
}

fn all_kinds(answer: &str) -> Vec<Verdict> {
    let options: Vec<String> = ["storefront", "orders", "payments", "payments/latency"]
        .map(String::from)
        .to_vec();
    let aliases = BTreeMap::from([("payments".to_owned(), vec!["payment".to_owned()])]);
    let rubric = vec![RubricConcept {
        concept: "counter reset".into(),
        synonyms: vec!["restart".into()],
        weight: 1.0,
    }];
    vec![
        grade_choice(&options, &["payments"], &aliases, 10, answer),
        grade_choice(&options, &["payments/latency"], &aliases, 10, answer),
        grade_choice(&options, &["orders", "payments"], &aliases, 10, answer),
        grade_number(0.9, Tolerance::Percent(15.0), Some("s"), 10, answer),
        grade_number(0.9, Tolerance::Absolute(0.1), None, 10, answer),
        grade_number(15.0, Tolerance::Percent(1.0), Some("%"), 10, answer),
        grade_number(1024.0, Tolerance::Percent(1.0), Some("bytes"), 10, answer),
        grade_number(12.0, Tolerance::Percent(1.0), Some("req/s"), 10, answer),
        grade_text(&rubric, 0.6, 10, answer),
    ]
}

#[test]
fn odd_answers_get_sane_bounded_verdicts() {
    for answer in answers() {
        for v in all_kinds(&answer) {
            assert_sane(&v);
            for line in &v.feedback {
                assert!(line.chars().count() < 600, "feedback too long: {line:.200}");
                assert!(
                    !line.chars().any(|c| c.is_control() && c != '\n'),
                    "raw control character in {line:?}"
                );
            }
        }
    }
}

#[test]
fn a_choice_answer_longer_than_any_list_of_options_is_refused_unread() {
    let options: Vec<String> = vec!["orders".into(), "payments".into()];
    let long = format!("payments {}", "x".repeat(1 << 20));
    let v = grade_choice(&options, &["payments"], &BTreeMap::new(), 10, &long);
    assert!(!v.correct);
    assert!(v.feedback[0].contains("too long"), "{v:#?}");
}

#[test]
fn control_characters_and_lookalikes_are_not_the_answer() {
    let options: Vec<String> = vec!["orders".into(), "payments".into()];
    let grade = |a: &str| grade_choice(&options, &["payments"], &BTreeMap::new(), 10, a);
    let v = grade("\u{1b}[31mpayments\u{1b}[0m");
    assert!(!v.correct, "{v:#?}");
    assert!(v.feedback[0].contains("\\e[31m"), "{v:#?}");
    assert!(!grade("\u{202e}stnemyap").correct);
    // Letters of other scripts count as letters: fullwidth is not ASCII `payments`.
    assert!(!grade("ｐａｙｍｅｎｔｓ").correct);
    let v = grade_number(0.9, Tolerance::Percent(15.0), Some("s"), 10, "0.9\u{7}s");
    assert!(!v.correct, "{v:#?}");
    assert!(v.feedback[0].contains("\\u{7}"), "{v:#?}");
}
