//! Number questions: units, tolerances and their edges, junk after the number.

use super::{assert_right, assert_wrong};
use crate::lab::grading::{
    DEFAULT_TOLERANCE_PCT, NumberError, Tolerance, grade_number, parse_number,
};

#[test]
fn seconds_read_from_any_time_unit() {
    for (text, want) in [
        ("0.9", 0.9),
        ("0.9s", 0.9),
        ("0.9 s", 0.9),
        ("900ms", 0.9),
        ("900 ms", 0.9),
        ("900 milliseconds", 0.9),
        ("9e-1", 0.9),
        ("+0.9", 0.9),
        (".9", 0.9),
        ("~0.9s", 0.9),
        ("0.9s.", 0.9),
        ("1.5m", 90.0),
        ("900000us", 0.9),
    ] {
        let got = parse_number(text, Some("s")).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!((got - want).abs() < 1e-12, "{text}: {got}");
    }
    let ms = parse_number("0.9s", Some("ms")).expect("ms");
    assert!((ms - 900.0).abs() < 1e-9, "{ms}");
    assert_eq!(parse_number("-3", None), Ok(-3.0));
}

#[test]
fn percent_ratio_and_bytes() {
    assert_eq!(parse_number("15%", Some("%")), Ok(15.0));
    assert_eq!(parse_number("15", Some("percent")), Ok(15.0));
    assert_eq!(parse_number("15%", Some("ratio")), Ok(0.15));
    assert_eq!(parse_number("0.15", Some("ratio")), Ok(0.15));
    assert_eq!(parse_number("1.5KiB", Some("bytes")), Ok(1536.0));
    assert_eq!(parse_number("2 MB", Some("bytes")), Ok(2e6));
    assert_eq!(parse_number("512", Some("bytes")), Ok(512.0));
    assert_eq!(parse_number("3k", None), Ok(3000.0));
    assert_eq!(parse_number("12 req/s", Some("req/s")), Ok(12.0));
}

#[test]
fn junk_after_the_number_is_an_error_with_the_reason() {
    for (text, unit) in [
        ("0.9 seconds or so", Some("s")),
        ("0.9x", Some("s")),
        ("12 apples", None),
        ("15%", None),
        ("1.2.3", None),
        ("0.9s; DROP TABLE", Some("s")),
        ("5 kb", Some("%")),
    ] {
        let err = parse_number(text, unit).expect_err(text);
        assert!(matches!(err, NumberError::Junk { .. }), "{text}: {err:?}");
        assert!(err.to_string().contains("is not a unit"), "{err}");
    }
    for text in ["abc", "s", "-", ".", "e5", "NaN", "inf", "1e999"] {
        let err = parse_number(text, Some("s")).expect_err(text);
        assert!(
            matches!(err, NumberError::NotANumber { .. }),
            "{text}: {err:?}"
        );
    }
    assert!(matches!(
        parse_number("  ", Some("s")),
        Err(NumberError::Empty { .. })
    ));
}

#[test]
fn relative_tolerance_is_inclusive_at_both_edges() {
    let t = Tolerance::Percent(15.0);
    let grade = |a: &str| grade_number(0.9, t, Some("s"), 15, a);
    assert_right(&grade("0.9"));
    assert_right(&grade("0.765"));
    assert_right(&grade("1.035"));
    assert_right(&grade("765ms"));
    assert_right(&grade("1035 ms"));
    assert_wrong(&grade("0.7649"), "too low");
    assert_wrong(&grade("1.0351"), "too high");
}

#[test]
fn absolute_tolerance_is_inclusive_at_both_edges() {
    let t = Tolerance::Absolute(0.5);
    let grade = |a: &str| grade_number(3.0, t, None, 10, a);
    assert_right(&grade("2.5"));
    assert_right(&grade("3.5"));
    assert_wrong(&grade("2.49"), "too low");
    assert_wrong(&grade("3.51"), "not within ±0.5");
    // Zero tolerance: exact, up to float rounding.
    let exact = Tolerance::Absolute(0.0);
    assert_right(&grade_number(0.3, exact, None, 1, "0.3"));
    assert_right(&grade_number(0.1 + 0.2, exact, None, 1, "0.3"));
    assert_wrong(&grade_number(0.3, exact, None, 1, "0.31"), "too high");
}

#[test]
fn the_default_tolerance_forgives_rounding_only() {
    assert_eq!(
        Tolerance::of(None, None),
        Tolerance::Percent(DEFAULT_TOLERANCE_PCT)
    );
    assert_eq!(Tolerance::of(Some(0.1), None), Tolerance::Absolute(0.1));
    assert_eq!(Tolerance::of(None, Some(5.0)), Tolerance::Percent(5.0));
    let t = Tolerance::of(None, None);
    assert_right(&grade_number(0.9512, t, None, 10, "0.95"));
    assert_wrong(&grade_number(0.9512, t, None, 10, "0.9"), "too low");
}

#[test]
fn a_unit_mixup_is_pointed_out() {
    let v = grade_number(0.9, Tolerance::Percent(10.0), Some("s"), 10, "900");
    assert_wrong(&v, "seconds, not milliseconds");
    let v = grade_number(15.0, Tolerance::Percent(10.0), Some("%"), 10, "0.15");
    assert_wrong(&v, "not a ratio");
}

#[test]
fn an_unusable_expected_value_is_wrong_with_the_reason() {
    for expected in [f64::NAN, f64::INFINITY] {
        let v = grade_number(expected, Tolerance::Percent(10.0), Some("s"), 10, "0.9");
        assert_wrong(&v, "cannot be graded");
    }
    // A negative or NaN tolerance is no margin, never a free pass.
    let v = grade_number(1.0, Tolerance::Absolute(f64::NAN), None, 10, "5");
    assert_wrong(&v, "too high");
    let v = grade_number(1.0, Tolerance::Percent(-50.0), None, 10, "1.1");
    assert_wrong(&v, "too high");
}
