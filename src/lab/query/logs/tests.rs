//! The log line helpers and the volume histogram, on lines shaped like the lab's.

use super::*;

fn entry(ts_ns: i64, stream: &[(&str, &str)], line: &str) -> LogEntry {
    LogEntry {
        ts_ns,
        stream: stream
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        structured: Labels::new(),
        parsed: Labels::new(),
        line: line.to_string(),
    }
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const SHOP_LINE: &str = r#"{"time":"2026-12-02T06:38:13.254Z","level":"error","service_name":"storefront","message":"Request completed","latency_ms":1,"ok":false,"http":{"method":"POST","status":502,"peer":{"ip":"10.0.0.1"}},"tags":["a","b"],"span_id":"5c24ef1f8c520f1b","trace_id":"2329b228bd1770f63a058fdb5872ec9b"}"#;

#[test]
fn level_prefers_the_label_then_detected_level_then_the_json_line() {
    let e = entry(
        1,
        &[("level", "warn"), ("detected_level", "info")],
        SHOP_LINE,
    );
    assert_eq!(e.level().as_deref(), Some("warn"));
    let e = entry(1, &[("detected_level", "info")], SHOP_LINE);
    assert_eq!(e.level().as_deref(), Some("info"));
    let e = entry(1, &[], SHOP_LINE);
    assert_eq!(e.level().as_deref(), Some("error"));
    // With categorize-labels, detected_level is structured metadata.
    let mut e = entry(1, &[], "plain text");
    assert_eq!(e.level(), None);
    e.structured = labels(&[("detected_level", "debug")]);
    assert_eq!(e.level().as_deref(), Some("debug"));
}

#[test]
fn service_is_service_name() {
    assert_eq!(
        entry(1, &[("service_name", "payments")], "x").service(),
        Some("payments")
    );
    assert_eq!(entry(1, &[("service", "payments")], "x").service(), None);
}

#[test]
fn trace_and_span_ids_come_from_labels_before_the_line() {
    let mut e = entry(1, &[("trace_id", "stream-trace")], SHOP_LINE);
    assert_eq!(e.trace_id().as_deref(), Some("stream-trace"));
    e.structured = labels(&[("trace_id", "structured-trace")]);
    assert_eq!(e.trace_id().as_deref(), Some("structured-trace"));
    e.parsed = labels(&[("traceID", "parsed-trace"), ("spanID", "parsed-span")]);
    assert_eq!(e.trace_id().as_deref(), Some("parsed-trace"));
    assert_eq!(e.span_id().as_deref(), Some("parsed-span"));

    let e = entry(1, &[("service_name", "storefront")], SHOP_LINE);
    assert_eq!(
        e.trace_id().as_deref(),
        Some("2329b228bd1770f63a058fdb5872ec9b")
    );
    assert_eq!(e.span_id().as_deref(), Some("5c24ef1f8c520f1b"));
    assert_eq!(entry(1, &[], "level=info msg=hi").trace_id(), None);
    assert_eq!(entry(1, &[], r#"{"trace_id":""}"#).trace_id(), None);
}

#[test]
fn json_fields_flatten_nested_objects_with_dotted_keys() {
    let fields = entry(1, &[], SHOP_LINE).json_fields().unwrap();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("http.method"), Some("POST"));
    assert_eq!(get("http.status"), Some("502"));
    assert_eq!(get("http.peer.ip"), Some("10.0.0.1"));
    assert_eq!(get("http"), None);
    assert_eq!(get("latency_ms"), Some("1"));
    assert_eq!(get("ok"), Some("false"));
    assert_eq!(get("tags"), Some(r#"["a","b"]"#));
    assert_eq!(get("message"), Some("Request completed"));
    assert_eq!(fields.len(), 12);
    // Sorted by key.
    assert!(fields.windows(2).all(|w| w[0].0 <= w[1].0));

    assert_eq!(entry(1, &[], "level=info msg=hi").json_fields(), None);
    assert_eq!(entry(1, &[], "[1,2]").json_fields(), None);
    assert_eq!(entry(1, &[], "{broken").json_fields(), None);
    assert_eq!(entry(1, &[], "{}").json_fields(), Some(Vec::new()));
}

#[test]
fn errors_are_error_fatal_critical_or_panic_in_any_case() {
    for level in ["error", "ERROR", "Fatal", "critical", "PANIC"] {
        assert!(entry(1, &[("level", level)], "x").is_error(), "{level}");
    }
    for level in ["warn", "info", "debug", "errors", ""] {
        assert!(!entry(1, &[("level", level)], "x").is_error(), "{level}");
    }
    assert!(entry(1, &[], SHOP_LINE).is_error());
    assert!(!entry(1, &[], "no level at all").is_error());
}

#[test]
fn volume_counts_lines_and_errors_per_equal_bucket() {
    let err = [("level", "error")];
    let info = [("level", "info")];
    let entries = [
        entry(100, &info, "a"),
        entry(124, &err, "b"),
        entry(125, &info, "c"), // first ns of bucket 1
        entry(199, &err, "d"),  // last ns of the range
        entry(200, &err, "e"),  // the end is outside
        entry(99, &info, "f"),  // before the start
    ];
    let bars = volume(&entries, 100, 200, 4);
    assert_eq!(bars.len(), 4);
    assert_eq!(
        bars.iter()
            .map(|b| (b.start_ns, b.end_ns))
            .collect::<Vec<_>>(),
        [(100, 125), (125, 150), (150, 175), (175, 200)]
    );
    assert_eq!(
        bars.iter().map(|b| (b.total, b.errors)).collect::<Vec<_>>(),
        [(2, 1), (1, 0), (0, 0), (1, 1)]
    );
}

#[test]
fn volume_edges_tile_ranges_that_do_not_divide_evenly() {
    // 10 ns in 3 bars: edges 100, 104, 107, 110; every ns lands in the bar that holds it.
    let entries: Vec<LogEntry> = (100..110).map(|t| entry(t, &[], "x")).collect();
    let bars = volume(&entries, 100, 110, 3);
    assert_eq!(
        bars.iter()
            .map(|b| (b.start_ns, b.end_ns, b.total))
            .collect::<Vec<_>>(),
        [(100, 104, 4), (104, 107, 3), (107, 110, 3)]
    );
    // More bars than nanoseconds: empty bars, nothing lost.
    let bars = volume(&entries[..2], 100, 102, 5);
    assert_eq!(bars.iter().map(|b| b.total).sum::<u64>(), 2);
    assert_eq!(bars.first().map(|b| b.start_ns), Some(100));
    assert_eq!(bars.last().map(|b| b.end_ns), Some(102));
}

#[test]
fn volume_of_nothing() {
    let entries = [entry(5, &[], "x")];
    assert!(volume(&entries, 0, 10, 0).is_empty());
    assert!(volume(&entries, 5, 5, 3).is_empty());
    assert!(volume(&entries, 10, 0, 3).is_empty());
    let bars = volume(&[], 0, 10, 2);
    assert_eq!(bars.len(), 2);
    assert!(bars.iter().all(|b| b.total == 0 && b.errors == 0));
    // Real nanosecond times do not overflow.
    let start = 1_796_191_693_000_000_000;
    let end = 1_796_193_493_000_000_000;
    let bars = volume(&[entry(end - 1, &[], "x")], start, end, 30);
    assert_eq!(bars[29].total, 1);
    assert_eq!(bars[29].end_ns, end);
}
