//! The syntax check: where a broken query breaks, and that nothing crashes it.

use super::super::*;
use super::{COURSE_QUERIES, error};

fn assert_error(expr: &str, message: &str, at: &str, line: usize, column: usize) {
    let (err, text) = error(expr);
    assert_eq!(
        (err.message.as_str(), text, err.line, err.column),
        (message, at, line, column),
        "{expr:?}: {err:?}"
    );
}

#[test]
fn valid_queries_pass() {
    for q in COURSE_QUERIES {
        assert_eq!(check_promql(q), Ok(()), "{q}");
    }
}

#[test]
fn empty_queries_say_so() {
    for q in ["", "   ", "\n\t", "# only a comment"] {
        let (err, _) = error(q);
        assert_eq!(err.message, "the query is empty", "{q:?}");
        assert_eq!((err.line, err.column), (1, 1), "{q:?}");
    }
}

#[test]
fn an_unclosed_paren_points_at_the_paren_left_open() {
    assert_error("(", "unclosed left parenthesis", "(", 1, 1);
    assert_error("rate(x[5m]", "unclosed left parenthesis", "(", 1, 5);
    assert_error("sum(rate(x[5m])", "unclosed left parenthesis", "(", 1, 4);
    // The learner meant `sum by (le) (x)`: the `(` after `by` is the one never closed.
    assert_error("sum by (le (x)", "unclosed left parenthesis", "(", 1, 8);
}

#[test]
fn unclosed_braces_brackets_and_quotes_point_at_the_opener() {
    assert_error(
        r#"x{job="api"}[5m"#,
        "unexpected end of input inside brackets",
        "[",
        1,
        13,
    );
    assert_error(
        r#"x{job="api""#,
        "unexpected end of input inside braces",
        "{",
        1,
        2,
    );
    assert_error(
        r#"rate(x{job="api}[5m])"#,
        "unterminated quoted string \"",
        "\"",
        1,
        12,
    );
    assert_error("x != 1 !", "'!' can not be at the end", "!", 1, 8);
}

#[test]
fn a_bad_duration_points_at_the_duration() {
    assert_error(
        "rate(x[5x])",
        "bad number or duration syntax: 5x",
        "5x",
        1,
        8,
    );
    assert_error("rate(x[0s])", "duration must be greater than 0", "0s", 1, 8);
}

#[test]
fn an_unknown_function_points_at_its_name() {
    assert_error("foo(x)", "unknown function with name 'foo'", "foo", 1, 1);
    assert_error(
        "sum(rate(x[5m])) / sum(rat(x[5m]))",
        "unknown function with name 'rat'",
        "rat",
        1,
        24,
    );
}

#[test]
fn a_wrong_argument_type_points_at_the_function() {
    assert_error(
        "sum(rate(http_requests_total))",
        "expected type matrix in call to function 'rate', got vector",
        "rate",
        1,
        5,
    );
}

#[test]
fn trailing_garbage_is_unexpected() {
    assert_error("up == 0 foo", "unexpected `foo`", "foo", 1, 9);
    assert_error("sum(x) )", "unexpected right parenthesis ')'", ")", 1, 8);
    assert_error("x y", "unexpected `y`", "y", 1, 3);
    assert_error("up ==", "the query stops too early, after `==`", "==", 1, 4);
    assert_error(
        "sum by (le)",
        "the query stops too early, after `)`",
        ")",
        1,
        11,
    );
}

#[test]
fn multi_line_queries_get_the_right_line_and_column() {
    let q = "sum by (service) (\n  rate(http_requests_total[5m])\n) bar";
    assert_error(q, "unexpected `bar`", "bar", 3, 3);
    let q = "histogram_quantile(\n  0.95,\n  sum by (le) (rat(x[5m]))\n)";
    assert_error(q, "unknown function with name 'rat'", "rat", 3, 16);
    // Columns count characters, not bytes.
    let q = "x{route=\"/é\"}\n  + é";
    assert_error(q, "unexpected character: 'é'", "é", 2, 5);
}

#[test]
fn unicode_and_control_characters_are_located() {
    assert_error("rate(é[5m])", "unexpected character: 'é'", "é", 1, 6);
    let (err, text) = error("up\u{7}");
    assert_eq!((text, err.column), ("\u{7}", 3), "{err:?}");
    for q in [
        "\u{0}",
        "\u{feff}up",
        "up\u{202e}",
        "🙂",
        "sum(🙂)",
        "x{a=\"🙂\"} 🙂",
    ] {
        let err = check_promql(q).expect_err(q);
        assert!(err.span.is_some(), "{q:?}: {err:?}");
    }
}

#[test]
fn every_prefix_of_a_course_query_is_checked_without_panicking() {
    for q in &COURSE_QUERIES[..4] {
        for (end, _) in q.char_indices().skip(1) {
            let prefix = &q[..end];
            if let Err(err) = check_promql(prefix) {
                let span = err.span.clone().expect(prefix);
                assert!(
                    span.start <= span.end && span.end <= prefix.len(),
                    "{prefix}"
                );
                assert!(prefix.is_char_boundary(span.start), "{prefix}");
                assert!(err.line >= 1 && err.column >= 1, "{prefix}");
            }
        }
    }
}

#[test]
fn huge_and_deep_inputs_are_refused_not_crashed() {
    let huge = "a".repeat(1 << 20);
    let err = check_promql(&huge).expect_err("1 MiB");
    assert_eq!(
        err.message,
        "the query is 1024 KiB; the console checks queries up to 64 KiB"
    );
    assert_eq!(err.span, Some(64 * 1024..huge.len()));
    let huge_unicode = "é".repeat(600_000);
    assert!(check_promql(&huge_unicode).is_err());
    // Deep enough to overflow the parser's recursion on a worker thread's stack.
    for deep in [
        "a + ".repeat(10_000) + "a",
        "(".repeat(5_000) + "a" + &")".repeat(5_000),
        "-".repeat(10_000) + "a",
        "abs(".repeat(3_000) + "a" + &")".repeat(3_000),
    ] {
        let err = check_promql(&deep).expect_err("deep");
        assert!(err.message.contains("nests more than 256"), "{err:?}");
        assert!(explain(&deep).is_err());
    }
    let fine = "(".repeat(100) + "a" + &")".repeat(100);
    assert_eq!(check_promql(&fine), Ok(()));
    assert_eq!(flatten(&explain(&fine).expect("100 parens")).len(), 1);
}

#[test]
fn a_search_out_of_budget_gives_no_position() {
    let located = |q: &str, budget: usize| {
        let err = syntax::parse_with_budget(q, budget).expect_err(q);
        (err.message, err.span, err.line, err.column)
    };
    assert_eq!(
        located("x y", 0),
        ("the query does not parse".to_owned(), None, 0, 0)
    );
    assert_eq!(
        located("foo(x)", 0),
        ("unknown function with name 'foo'".to_owned(), None, 0, 0)
    );
    assert_eq!(
        located("x[5x]", 0),
        ("bad number or duration syntax: 5x".to_owned(), None, 0, 0)
    );
    // Unclosed brackets need no search.
    assert_eq!(
        located("sum(x", 0),
        ("unclosed left parenthesis".to_owned(), Some(3..4), 1, 4)
    );
    let err = syntax::parse_with_budget("x y", 0).expect_err("x y");
    assert_eq!(err.to_string(), "the query does not parse");
}

#[test]
fn a_long_query_is_still_located() {
    let labels: Vec<String> = (0..8_500).map(|i| format!("l{i}")).collect();
    let q = format!("sum by ({}) (x) y", labels.join(", "));
    assert!(q.len() < 64 * 1024);
    let (err, text) = error(&q);
    assert_eq!((err.message.as_str(), text), ("unexpected `y`", "y"));
}

#[test]
fn errors_print_their_position() {
    let err = check_promql("x y").expect_err("x y");
    assert_eq!(err.to_string(), "unexpected `y` (line 1, column 3)");
}
