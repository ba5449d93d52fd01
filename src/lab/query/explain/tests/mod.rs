//! Tests of the syntax check and the explain tree.

mod syntax;
mod tree;

use super::*;

/// Queries the course teaches, checked by both halves.
pub(super) const COURSE_QUERIES: &[&str] = &[
    r#"sum(rate(http_requests_total{status!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))"#,
    "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    "histogram_quantile(0.95, sum by (le, operation) (rate(db_query_duration_seconds_bucket[5m])))",
    "rate(http_requests_total[5m])",
    "sum by (service) (rate(http_requests_total[5m])) * on (service) group_left (version) \
     shop_build_info",
    "max_over_time(rate(http_requests_total[5m])[30m:1m])",
    r#"topk(3, sum by (route) (rate(http_requests_total{service="storefront"}[5m])))"#,
    "up == 0",
    "sum(rate(http_requests_total[5m])) > 1.5 * sum(rate(http_requests_total[5m] offset 1h))",
    "100 * (1 - (sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))))",
    "process_resident_memory_bytes / 1024 / 1024",
    "max by (queue) (queue_oldest_message_age_seconds) > 300",
    "max(deriv(queue_depth[5m]))",
    r#"sum without (instance) (increase(http_requests_total{service="storefront", code=""}[5m]))"#,
    r#"absent(up{job="payments"})"#,
    r#"label_replace(up, "host", "$1", "instance", "(.*):.*")"#,
    "predict_linear(queue_depth[30m], 3600) > 1000",
    r#"count_values("version", shop_build_info)"#,
    "irate(http_requests_total[1m]) > bool 0",
    "up and on (job) rate(process_cpu_seconds_total[2m]) unless absent(up)",
    "-clamp_min(queue_depth, 0) + time()",
    r#"{__name__=~"http_.*", service!="orders"} @ end()"#,
];

/// The error for `expr`, with its span's text.
pub(super) fn error(expr: &str) -> (SyntaxError, &str) {
    let err = check_promql(expr).expect_err(expr);
    let text = err.span.clone().map_or("<no span>", |span| &expr[span]);
    (err, text)
}
