//! The explain tree: exact summaries for course queries, every node runnable on its own.

use promql_parser::parser::{self, Expr};

use super::super::*;
use super::{COURSE_QUERIES, error};

/// Sorts matchers: promql-parser prints them sorted but compares them in order.
fn normalise(expr: &mut Expr) {
    match expr {
        Expr::VectorSelector(vs) => vs.matchers.matchers.sort_by_key(|m| m.to_string()),
        Expr::MatrixSelector(ms) => ms.vs.matchers.matchers.sort_by_key(|m| m.to_string()),
        Expr::Aggregate(agg) => {
            normalise(&mut agg.expr);
            if let Some(param) = &mut agg.param {
                normalise(param);
            }
        }
        Expr::Unary(unary) => normalise(&mut unary.expr),
        Expr::Binary(binary) => {
            normalise(&mut binary.lhs);
            normalise(&mut binary.rhs);
        }
        Expr::Paren(paren) => normalise(&mut paren.expr),
        Expr::Subquery(sq) => normalise(&mut sq.expr),
        Expr::Call(call) => call.args.args.iter_mut().for_each(|a| normalise(a)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

fn ast(expr: &str) -> Expr {
    let mut ast = parser::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    normalise(&mut ast);
    ast
}

/// The flattened tree as the console would list it: indent, kind, summary.
fn shown(query: &str) -> String {
    let root = explain(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    assert_eq!(ast(&root.expr), ast(query), "root of {query}");
    let mut out = String::new();
    for (depth, node) in flatten(&root) {
        // Every node is runnable PromQL on its own.
        parser::parse(&node.expr).unwrap_or_else(|e| panic!("{}: {e}", node.expr));
        out.push_str(&format!(
            "{}{:?}: {}\n",
            "  ".repeat(depth),
            node.kind,
            node.summary
        ));
    }
    out
}

fn assert_tree(query: &str, expected: &str) {
    let got = shown(query);
    let expected = expected
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.strip_prefix("        ").unwrap_or(line))
        .fold(String::new(), |out, line| out + line + "\n");
    assert_eq!(got, expected, "\n{query}\ngot:\n{got}");
}

#[test]
fn every_course_query_explains_to_runnable_pieces() {
    for q in COURSE_QUERIES {
        shown(q);
    }
}

#[test]
fn availability_ratio() {
    assert_tree(
        COURSE_QUERIES[0],
        "
        Binary: each left series divided by the right series with the same labels
          Aggregate: sum of every series into one
            Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named http_requests_total where status does not match regex 5..
          Aggregate: sum of every series into one
            Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named http_requests_total
        ",
    );
}

#[test]
fn latency_percentiles() {
    assert_tree(
        COURSE_QUERIES[1],
        "
        Function: 95th percentile from histogram buckets (needs the `le` label)
          Number: the number 0.95
          Aggregate: sum, keeping only the label `le`
            Function: per-second rate of http_request_duration_seconds_bucket over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named http_request_duration_seconds_bucket
        ",
    );
    assert_tree(
        COURSE_QUERIES[2],
        "
        Function: 95th percentile from histogram buckets (needs the `le` label)
          Number: the number 0.95
          Aggregate: sum, keeping only the labels `le` and `operation`
            Function: per-second rate of db_query_duration_seconds_bucket over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named db_query_duration_seconds_bucket
        ",
    );
}

#[test]
fn a_plain_rate() {
    assert_tree(
        COURSE_QUERIES[3],
        "
        Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
          RangeSelector: the last 5m of samples from series named http_requests_total
        ",
    );
}

#[test]
fn a_group_left_join() {
    assert_tree(
        COURSE_QUERIES[4],
        "
        Binary: multiplication, many-to-one: each left series matched to one right series on `service`, copying the label `version` from the right
          Aggregate: sum, keeping only the label `service`
            Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named http_requests_total
          Selector: series named shop_build_info
        ",
    );
}

#[test]
fn a_subquery() {
    assert_tree(
        COURSE_QUERIES[5],
        "
        Function: maximum of its input over 30m windows
          Subquery: subquery: its input evaluated every 1m over the last 30m
            Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named http_requests_total
        ",
    );
}

#[test]
fn topk_per_route() {
    assert_tree(
        COURSE_QUERIES[6],
        "
        Aggregate: the 3 series with the highest values
          Number: the number 3
          Aggregate: sum, keeping only the label `route`
            Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named http_requests_total where service is storefront
        ",
    );
}

#[test]
fn targets_down() {
    assert_tree(
        COURSE_QUERIES[7],
        "
        Binary: keeps only series whose value equals 0
          Selector: series named up
          Number: the number 0
        ",
    );
}

#[test]
fn an_offset_comparison() {
    assert_tree(
        COURSE_QUERIES[8],
        "
        Binary: keeps only left series whose value is greater than that of the right series with the same labels
          Aggregate: sum of every series into one
            Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
              RangeSelector: the last 5m of samples from series named http_requests_total
          Binary: 1.5 multiplied by each series
            Number: the number 1.5
            Aggregate: sum of every series into one
              Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
                RangeSelector: the last 5m of samples from series named http_requests_total, 1h in the past (offset 1h)
        ",
    );
}

#[test]
fn an_error_budget_with_parentheses_folded() {
    let root = explain(COURSE_QUERIES[9]).expect("parses");
    // The parenthesised operand keeps its parentheses but explains what is inside.
    assert_eq!(root.children[1].kind, NodeKind::Binary);
    assert!(root.children[1].expr.starts_with("(1 - "));
    assert_tree(
        COURSE_QUERIES[9],
        "
        Binary: 100 multiplied by each series
          Number: the number 100
          Binary: 1 minus each series
            Number: the number 1
            Binary: each left series divided by the right series with the same labels
              Aggregate: sum of every series into one
                Function: per-second rate of http_errors_total over 5m windows (counter resets handled)
                  RangeSelector: the last 5m of samples from series named http_errors_total
              Aggregate: sum of every series into one
                Function: per-second rate of http_requests_total over 5m windows (counter resets handled)
                  RangeSelector: the last 5m of samples from series named http_requests_total
        ",
    );
}

#[test]
fn scalar_arithmetic_and_thresholds() {
    assert_tree(
        COURSE_QUERIES[10],
        "
        Binary: each series divided by 1024
          Binary: each series divided by 1024
            Selector: series named process_resident_memory_bytes
            Number: the number 1024
          Number: the number 1024
        ",
    );
    assert_tree(
        COURSE_QUERIES[11],
        "
        Binary: keeps only series whose value is greater than 300
          Aggregate: maximum, keeping only the label `queue`
            Selector: series named queue_oldest_message_age_seconds
          Number: the number 300
        ",
    );
    assert_tree(
        COURSE_QUERIES[12],
        "
        Aggregate: maximum of every series into one
          Function: per-second slope of queue_depth over 5m windows (linear regression, for gauges)
            RangeSelector: the last 5m of samples from series named queue_depth
        ",
    );
}

#[test]
fn without_and_empty_matchers() {
    assert_tree(
        COURSE_QUERIES[13],
        "
        Aggregate: sum, dropping the label `instance`
          Function: increase of http_requests_total over 5m windows (counter resets handled)
            RangeSelector: the last 5m of samples from series named http_requests_total where service is storefront and code is empty or missing
        ",
    );
}

#[test]
fn absent_label_replace_and_predict_linear() {
    assert_tree(
        COURSE_QUERIES[14],
        r#"
        Function: 1 if `up{job="payments"}` matches no series, else nothing (for alerting on missing data)
          Selector: series named up where job is payments
        "#,
    );
    assert_tree(
        COURSE_QUERIES[15],
        r#"
        Function: sets label `host` to `$1` where label `instance` matches regex `(.*):.*`
          Selector: series named up
          String: the string "host"
          String: the string "$1"
          String: the string "instance"
          String: the string "(.*):.*"
        "#,
    );
    assert_tree(
        COURSE_QUERIES[16],
        "
        Binary: keeps only series whose value is greater than 1000
          Function: predicted value of queue_depth 3600 seconds from now, from the linear trend over 30m windows
            RangeSelector: the last 30m of samples from series named queue_depth
            Number: the number 3600
          Number: the number 1000
        ",
    );
}

#[test]
fn count_values_bool_and_set_operators() {
    assert_tree(
        COURSE_QUERIES[17],
        r#"
        Aggregate: number of series per distinct value, the value kept in label `version`
          String: the string "version"
          Selector: series named shop_build_info
        "#,
    );
    assert_tree(
        COURSE_QUERIES[18],
        "
        Binary: 1 where a series' value is greater than 0, else 0 (bool keeps every series)
          Function: per-second rate of http_requests_total from the last two samples in each 1m window (counter resets handled)
            RangeSelector: the last 1m of samples from series named http_requests_total
          Number: the number 0
        ",
    );
    assert_tree(
        COURSE_QUERIES[19],
        "
        Binary: left series that have no right series with the same labels (difference)
          Binary: left series that have a right series with the same `job` (intersection)
            Selector: series named up
            Function: per-second rate of process_cpu_seconds_total over 2m windows (counter resets handled)
              RangeSelector: the last 2m of samples from series named process_cpu_seconds_total
          Function: 1 if `up` matches no series, else nothing (for alerting on missing data)
            Selector: series named up
        ",
    );
}

#[test]
fn unary_scalars_and_modifiers() {
    assert_tree(
        COURSE_QUERIES[20],
        "
        Binary: each series plus a scalar
          Unary: each value negated
            Function: values raised to at least 0
              Selector: series named queue_depth
              Number: the number 0
          Function: the evaluation time, in seconds since the Unix epoch
        ",
    );
    assert_tree(
        COURSE_QUERIES[21],
        "
        Selector: series where the metric name matches regex http_.* and service is not orders, at the end of the query range (@ end())
        ",
    );
}

#[test]
fn aggregation_and_function_words() {
    let summary = |q: &str| explain(q).expect(q).summary;
    assert_eq!(
        summary("quantile by (route) (0.99, x)"),
        "99th percentile across series, for each `route`"
    );
    assert_eq!(
        summary("bottomk without (instance) (2, x)"),
        "the 2 series with the lowest values, in groups alike apart from `instance`"
    );
    assert_eq!(summary("sum by () (x)"), "sum of every series into one");
    assert_eq!(summary("avg(x)"), "average of every series into one");
    assert_eq!(
        summary("avg_over_time(x[10m])"),
        "average of x over 10m windows"
    );
    assert_eq!(
        summary("quantile_over_time(0.5, x[10m])"),
        "50th percentile (the median) of x over 10m windows"
    );
    assert_eq!(
        summary("delta(queue_depth[10m])"),
        "change in queue_depth over 10m windows (for gauges)"
    );
    assert_eq!(summary("clamp(x, 0, 1)"), "values clamped between 0 and 1");
    assert_eq!(summary("clamp_max(x, 1)"), "values capped at 1");
    assert_eq!(summary("round(x)"), "values rounded to the nearest integer");
    assert_eq!(
        summary("round(x, 0.5)"),
        "values rounded to the nearest multiple of 0.5"
    );
    assert_eq!(summary("abs(x)"), "absolute values");
    assert_eq!(
        summary("vector(1)"),
        "the scalar 1 as one series with no labels"
    );
    assert_eq!(
        summary("scalar(x)"),
        "the value of its only series as a scalar (NaN unless there is exactly one)"
    );
    assert_eq!(
        summary("sort_desc(x)"),
        "series sorted by value, highest first (instant queries only)"
    );
    assert_eq!(
        summary("histogram_quantile(0.999, x)"),
        "99.9th percentile from histogram buckets (needs the `le` label)"
    );
    assert_eq!(
        summary("day_of_week()"),
        "the function day_of_week, with 0 arguments"
    );
    assert_eq!(summary("acos(x)"), "the function acos, with 1 argument");
}

#[test]
fn binary_operator_words() {
    let summary = |q: &str| explain(q).expect(q).summary;
    assert_eq!(summary("1 + 2"), "1 plus 2");
    assert_eq!(summary("2 > bool 1"), "1 if 2 is greater than 1, else 0");
    assert_eq!(
        summary("0 < x"),
        "keeps only series whose value is greater than 0"
    );
    assert_eq!(
        summary("a / ignoring (code) b"),
        "each left series divided by the right series with the same labels apart from `code`"
    );
    assert_eq!(
        summary("a - on () b"),
        "each left series minus the right series (no labels compared: on ())"
    );
    assert_eq!(
        summary("a or b"),
        "every left series, plus right series with no left series with the same labels (union)"
    );
    assert_eq!(
        summary("a > on (job) group_right (team) b"),
        "comparison >, one-to-many: each right series matched to one left series on `job`, \
         copying the label `team` from the left"
    );
    assert_eq!(
        summary("x offset -5m"),
        "series named x, 5m in the future (offset -5m)"
    );
    assert_eq!(
        summary("x @ 1700000000"),
        "series named x, at the fixed time 1700000000 (Unix seconds, @ 1700000000)"
    );
    assert_eq!(
        summary(r#"x{a="1" or b="2"}"#),
        "series named x where a is 1, or where b is 2"
    );
    assert_eq!(
        summary("rate(x[5m])[1h:]"),
        "subquery: its input evaluated at the default resolution over the last 1h"
    );
}

#[test]
fn flatten_lists_nodes_in_reading_order_with_depth() {
    let root = explain("a + b * c").expect("parses");
    let listed: Vec<(usize, &str)> = flatten(&root)
        .into_iter()
        .map(|(depth, node)| (depth, node.expr.as_str()))
        .collect();
    assert_eq!(
        listed,
        [(0, "a + b * c"), (1, "a"), (1, "b * c"), (2, "b"), (2, "c")]
    );
}

#[test]
fn explain_gives_the_syntax_error() {
    assert_eq!(explain("rate(x[5m]"), Err(error("rate(x[5m]").0));
}
