//! Moving between the three signals the way an on-call engineer does: from a log line to
//! its trace, from a span to its logs or to its service's RED metrics, from a latency chart
//! to its exemplars' traces — and back along the path, which a breadcrumb shows.
//!
//! The queries a jump opens are built here as plain text, so a learner sees (and can edit)
//! exactly what was run.

use crate::lab::query::QueryLang;
use crate::lab::query::prometheus::ExemplarSeries;
use crate::lab::query::traces::Span;

use super::{LangTab, Part, Tab};

/// How many steps back the trail keeps; older ones fall off the front.
pub const TRAIL_MAX: usize = 12;

/// Seconds of slack around a span when looking for its logs: a line is written a moment
/// after the span's own clock reading, and services' clocks differ a little.
const LOG_SLACK_S: f64 = 5.0;

/// Seconds of context either side of a span when charting its service's RED metrics.
const RED_CONTEXT_S: f64 = 600.0;

/// One step of the trail: where the learner was, kept whole so going back restores it
/// exactly (the results, the selection, the open trace) without asking a backend again.
#[derive(Debug, Clone)]
pub struct Crumb {
    /// What the breadcrumb shows for this step ("LogQL: {service_name=…}").
    pub label: String,
    pub tab: Tab,
    pub part: Part,
    /// The language tab that was in front, as it was.
    pub saved: Option<Box<LangTab>>,
    /// The tab the jump went to, as it was before (a jump within one tab has none).
    pub dest: Option<Box<LangTab>>,
}

/// A label value as a quoted PromQL / LogQL string.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The LogQL that finds a span's log lines: its service's stream, the JSON parsed, the
/// lines of its trace (the shop writes `trace_id` and `span_id` into every line).
pub fn span_logs_query(span: &Span, trace_id: &str) -> String {
    format!(
        "{{service_name={}}} | json | trace_id={}",
        quoted(&span.service),
        quoted(trace_id)
    )
}

/// The window (unix seconds) a span's logs are searched in.
pub fn span_logs_window(span: &Span) -> (f64, f64) {
    (
        span.start_ns as f64 / 1e9 - LOG_SLACK_S,
        span.end_ns as f64 / 1e9 + LOG_SLACK_S,
    )
}

/// The route a server span handled (`http.route`), when it says.
pub fn span_route(span: &Span) -> Option<&str> {
    span.attributes
        .iter()
        .find(|(k, _)| k == "http.route")
        .map(|(_, v)| v.as_str())
}

/// RED of a span's service (and route, when the span has one): request rate, error rate,
/// p95 latency — in the order the PromQL tab's history receives them, so the p95 chart is
/// shown and ↑ in the editor recalls the error and request rates.
pub fn red_queries(span: &Span) -> [String; 3] {
    let mut selector = format!("service={}", quoted(&span.service));
    if let Some(route) = span_route(span) {
        selector.push_str(&format!(", route={}", quoted(route)));
    }
    [
        format!("sum(rate(http_requests_total{{{selector}}}[1m]))"),
        format!("sum(rate(http_requests_total{{{selector}, status_code=~\"5..\"}}[1m]))"),
        format!(
            "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{{selector}}}[1m])))"
        ),
    ]
}

/// The window (unix seconds) RED is charted over: ten minutes either side of the span,
/// never past `now`.
pub fn red_window(span: &Span, now: f64) -> (f64, f64) {
    let start = span.start_ns as f64 / 1e9 - RED_CONTEXT_S;
    let end = (span.end_ns as f64 / 1e9 + RED_CONTEXT_S).min(now);
    (start, end.max(start + 60.0))
}

/// The exemplars of the PromQL tab's query, listed under its chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ExemplarsView {
    pub id: u64,
    pub state: ExemplarsState,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExemplarsState {
    Loading,
    Failed(String),
    Ready(Vec<ExemplarRow>),
}

/// One exemplar: a sampled request of a histogram bucket and the trace it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ExemplarRow {
    /// Unix seconds.
    pub t: f64,
    pub value: f64,
    pub trace_id: String,
    /// The bucket's `le` and the series' service, for the list.
    pub series: String,
}

/// Exemplars that carry a trace id, slowest first (the ones worth opening).
pub fn exemplar_rows(series: &[ExemplarSeries]) -> Vec<ExemplarRow> {
    let mut rows: Vec<ExemplarRow> = series
        .iter()
        .flat_map(|s| {
            let name = ["service", "route", "le"]
                .iter()
                .filter_map(|k| s.series_labels.get(*k).map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(" ");
            s.exemplars.iter().filter_map(move |e| {
                let trace_id = e
                    .labels
                    .get("trace_id")
                    .or_else(|| e.labels.get("traceID"))?;
                Some(ExemplarRow {
                    t: e.timestamp,
                    value: e.value,
                    trace_id: trace_id.clone(),
                    series: name.clone(),
                })
            })
        })
        .collect();
    rows.sort_by(|a, b| b.value.total_cmp(&a.value).then(b.t.total_cmp(&a.t)));
    rows
}

/// The breadcrumb label of a language tab's query.
pub fn crumb_label(lang: QueryLang, expr: &str) -> String {
    let flat: String = expr.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = flat.chars().take(28).collect();
    let more = if flat.chars().count() > 28 { "…" } else { "" };
    format!("{lang}: {short}{more}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::query::traces::{SpanKind, SpanStatus};

    fn span(service: &str, route: Option<&str>) -> Span {
        Span {
            span_id: "a1".into(),
            parent_id: None,
            name: "POST /charge".into(),
            kind: SpanKind::Server,
            service: service.into(),
            start_ns: 1_796_193_323_726_395_175,
            end_ns: 1_796_193_324_726_395_175,
            status: SpanStatus::Unset,
            status_message: None,
            attributes: route
                .map(|r| vec![("http.route".to_string(), r.to_string())])
                .unwrap_or_default(),
            resource: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
        }
    }

    #[test]
    fn a_span_s_logs_are_its_service_s_lines_of_its_trace_around_its_time() {
        let s = span("payments", Some("/charge"));
        assert_eq!(
            span_logs_query(&s, "63823273f8d74a123d53cff55c22d200"),
            r#"{service_name="payments"} | json | trace_id="63823273f8d74a123d53cff55c22d200""#
        );
        let (start, end) = span_logs_window(&s);
        assert!((start - (1_796_193_323.726 - 5.0)).abs() < 0.01, "{start}");
        assert!((end - (1_796_193_324.726 + 5.0)).abs() < 0.01, "{end}");
    }

    #[test]
    fn red_of_a_span_uses_its_service_and_route_and_every_query_parses() {
        let queries = red_queries(&span("payments", Some("/charge")));
        assert!(queries[0].contains(r#"{service="payments", route="/charge"}"#));
        assert!(queries[1].contains(r#"status_code=~"5..""#));
        assert!(queries[2].starts_with("histogram_quantile(0.95"));
        for q in &queries {
            crate::lab::query::check_promql(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        }
        let without_route = red_queries(&span("orders", None));
        assert!(without_route[0].contains(r#"{service="orders"}"#));
    }

    #[test]
    fn the_red_window_never_reaches_past_now() {
        let s = span("payments", None);
        let now = 1_796_193_400.0;
        let (start, end) = red_window(&s, now);
        assert_eq!(end, now);
        assert!((start - (1_796_193_323.726 - 600.0)).abs() < 0.01);
    }

    #[test]
    fn quoting_escapes_what_would_end_the_string() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn exemplars_without_a_trace_id_are_skipped_and_the_slowest_come_first() {
        let body = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real-api/prometheus/shop-exemplars.json"
        ))
        .expect("fixture");
        let (series, _warnings): (Vec<ExemplarSeries>, _) =
            crate::lab::query::prometheus::decode::data(&body).expect("decodes");
        let rows = exemplar_rows(&series);
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r.trace_id.len() >= 16));
        assert!(rows.windows(2).all(|w| w[0].value >= w[1].value));
        assert!(rows[0].series.contains("service=payments"), "{:?}", rows[0]);
    }

    #[test]
    fn crumb_labels_are_short_and_on_one_line() {
        let label = crumb_label(
            QueryLang::LogQL,
            "{service_name=\"payments\"}\n  | json | trace_id=\"63823273f8d74a123d53cff55c22d200\"",
        );
        assert!(!label.contains('\n'));
        assert!(label.starts_with("LogQL: {service_name=\"payments\"}"));
        assert!(label.ends_with('…'));
    }
}
