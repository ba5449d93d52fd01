//! Adding verdicts up, and grading without the lab.

use std::collections::BTreeMap;

use super::{assert_right, assert_wrong};
use crate::lab::content::Expectation;
use crate::lab::grading::{Verdict, grade, score};
use crate::lab::query::QueryLang;

#[test]
fn the_total_is_earned_minus_hints_never_below_zero() {
    let verdicts = [
        Verdict::right(10.0, "yes"),
        Verdict::wrong(15.0, "no"),
        Verdict {
            earned: 7.5,
            ..Verdict::wrong(15.0, "half")
        },
    ];
    let s = score(&verdicts, 5.0, 312, 2);
    assert_eq!(
        (
            s.earned,
            s.max,
            s.hint_cost,
            s.total,
            s.elapsed_secs,
            s.attempt
        ),
        (17.5, 40.0, 5.0, 12.5, 312, 2)
    );
    assert_eq!(score(&verdicts, 100.0, 0, 1).total, 0.0);
    assert_eq!(score(&[], 0.0, 0, 1).total, 0.0);
    // A bad hint cost neither raises the total nor makes it NaN.
    assert_eq!(score(&verdicts, -5.0, 0, 1).total, 17.5);
    assert_eq!(score(&verdicts, f64::NAN, 0, 1).total, 17.5);
}

#[test]
fn grade_without_the_lab_handles_fixed_kinds_and_refuses_live_ones() {
    let choice = Expectation::Choice {
        options: vec!["orders".into(), "payments".into()],
        answer: None,
        answers: vec!["payments".into()],
        aliases: BTreeMap::new(),
    };
    assert_right(&grade(&choice, 10, "Payments"));
    let number = Expectation::Number {
        value: Some(3.0),
        reference: None,
        tolerance: Some(0.5),
        tolerance_pct: None,
        unit: None,
    };
    assert_right(&grade(&number, 10, "3.4"));
    let live = Expectation::Number {
        value: None,
        reference: Some("up".into()),
        tolerance: None,
        tolerance_pct: None,
        unit: None,
    };
    assert_wrong(&grade(&live, 10, "1"), "live lab");
    let query = Expectation::Query {
        lang: QueryLang::PromQL,
        reference: "up".into(),
        window: "5m".into(),
    };
    assert_wrong(&grade(&query, 10, "up"), "live lab");
}
