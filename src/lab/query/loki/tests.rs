//! Every recorded Loki 3.4.6 answer in tests/fixtures/real-api/loki, decoded.

use super::decode;
use super::*;
use crate::lab::query::logs::LogEntry;
use crate::lab::query::transport::server_error;
use crate::lab::query::types::{QueryData, Sample};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/loki")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines(name: &str, direction: Direction) -> Vec<LogEntry> {
    let (data, warnings, raw) = decode::query(&fixture(name), direction).unwrap();
    assert!(warnings.is_empty());
    assert!(fixture(name).contains(&raw), "raw is the server's text");
    match data {
        QueryData::Streams(l) => l,
        other => panic!("{name}: not streams: {other:?}"),
    }
}

fn matrix(name: &str) -> Vec<crate::lab::query::RangeSeries> {
    match decode::query(&fixture(name), Direction::Backward)
        .unwrap()
        .0
    {
        QueryData::Matrix(m) => m,
        other => panic!("{name}: not a matrix: {other:?}"),
    }
}

fn vector(name: &str) -> Vec<crate::lab::query::InstantSeries> {
    match decode::query(&fixture(name), Direction::Backward)
        .unwrap()
        .0
    {
        QueryData::Vector(v) => v,
        other => panic!("{name}: not a vector: {other:?}"),
    }
}

fn newest_first(l: &[LogEntry]) -> bool {
    l.windows(2).all(|w| w[0].ts_ns >= w[1].ts_ns)
}

#[test]
fn streams_are_flattened_newest_first_or_oldest_first() {
    let l = lines("query-range-streams.json", Direction::Backward);
    assert_eq!(l.len(), 5);
    assert!(newest_first(&l));
    assert!(l.iter().all(|e| e.stream["service_name"] == "checkout"));
    assert!(
        l.iter()
            .all(|e| e.structured.is_empty() && e.parsed.is_empty())
    );
    assert!(l[0].ts_ns > 1_795_430_822_000_000_000 && l[0].ts_ns <= 1_795_434_422_000_000_000);
    // Lines from more than one stream (levels) were merged.
    let levels: std::collections::BTreeSet<_> =
        l.iter().map(|e| e.stream["level"].clone()).collect();
    assert!(levels.len() > 1, "{levels:?}");

    let forward = lines("query-range-streams.json", Direction::Forward);
    assert!(forward.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
    assert_eq!(forward.first(), l.last());

    // `raw` is `data` exactly as sent: with its indentation and its stats.
    let (_, _, raw) =
        decode::query(&fixture("query-range-streams.json"), Direction::Backward).unwrap();
    assert!(
        raw.starts_with("{\n    \"resultType\": \"streams\""),
        "{}",
        &raw[..40]
    );
    assert!(raw.contains("\"stats\""));
}

#[test]
fn filtered_and_parsed_streams() {
    let l = lines("query-range-line-filter.json", Direction::Backward);
    assert!(!l.is_empty());
    assert!(l.iter().all(|e| e.line.contains("payment")));

    // `| json` without categorize-labels: the extracted fields sit in the stream labels.
    let l = lines("query-range-json.json", Direction::Backward);
    assert!(!l.is_empty());
    for e in &l {
        assert!(e.stream["http_status"].parse::<u16>().unwrap() >= 500);
        assert_eq!(e.level().as_deref(), Some("error"));
        assert!(e.is_error());
        assert_eq!(
            e.trace_id().as_deref(),
            e.stream.get("trace_id").map(String::as_str)
        );
    }

    let l = lines("query-range-logfmt.json", Direction::Backward);
    assert!(!l.is_empty());
    assert!(
        l.iter()
            .all(|e| e.stream["status"].parse::<u16>().unwrap() >= 500)
    );
    assert!(l.iter().all(|e| e.service() == Some("gateway")));
    assert!(
        l.iter().all(|e| e.json_fields().is_none()),
        "logfmt lines are not JSON"
    );
}

#[test]
fn structured_metadata_merged_and_categorized() {
    // Without the header, structured metadata (trace_id) is a stream label.
    let l = lines("query-range-structured-metadata.json", Direction::Backward);
    assert_eq!(l.len(), 3);
    assert!(
        l.iter()
            .all(|e| e.stream.contains_key("trace_id") && e.structured.is_empty())
    );

    // With categorize-labels, each value's third element splits it out.
    let l = lines("query-range-categorize-labels.json", Direction::Backward);
    assert_eq!(l.len(), 3);
    assert!(newest_first(&l));
    let first = &l[0];
    assert_eq!(first.ts_ns, 1_795_434_263_986_626_690);
    assert!(!first.stream.contains_key("trace_id"));
    assert_eq!(first.structured["detected_level"], "info");
    assert_eq!(
        first.structured["trace_id"],
        "30877432d1026706d7e805da846a32c3"
    );
    assert_eq!(first.parsed["http_status"], "200");
    assert_eq!(first.parsed["msg"], "cart updated");
    assert_eq!(
        first.trace_id().as_deref(),
        Some("30877432d1026706d7e805da846a32c3")
    );
    assert_eq!(first.span_id().as_deref(), Some("01f97b7684319e1b"));
    assert_eq!(first.level().as_deref(), Some("info"));
}

#[test]
fn shop_streams() {
    for (name, count) in [
        ("shop-streams-payments.json", 20),
        ("shop-streams-errors.json", 20),
        ("shop-json-trace-id.json", 20),
        ("shop-json-latency-filter.json", 16),
    ] {
        let l = lines(name, Direction::Backward);
        assert_eq!(l.len(), count, "{name}");
        assert!(newest_first(&l), "{name}");
        assert!(
            l.iter().all(|e| e.json_fields().is_some()),
            "{name}: JSON lines"
        );
    }
    let l = lines("shop-streams-payments.json", Direction::Backward);
    assert!(l.iter().all(|e| e.service() == Some("payments")));
    let l = lines("shop-streams-errors.json", Direction::Backward);
    assert!(l.iter().all(LogEntry::is_error));
    let l = lines("shop-json-trace-id.json", Direction::Backward);
    assert!(
        l.iter()
            .all(|e| e.trace_id().is_some_and(|t| t.len() == 32))
    );
    let l = lines("shop-json-latency-filter.json", Direction::Backward);
    assert!(
        l.iter()
            .all(|e| e.stream["latency_ms"].parse::<f64>().unwrap() > 500.0)
    );
}

#[test]
fn metric_queries_are_matrices_and_vectors() {
    let m = matrix("query-range-matrix.json");
    assert!(!m.is_empty());
    assert!(m.iter().all(|s| s.labels.contains_key("level")));
    assert!(m.iter().all(|s| !s.samples.is_empty()));
    let m = matrix("query-range-rate-matrix.json");
    assert!(m.iter().all(|s| s.labels.contains_key("service_name")));
    assert!(m.iter().flat_map(|s| &s.samples).all(|p| p.v >= 0.0));
    let m = matrix("shop-rate-by-service-level.json");
    assert!(
        m.iter()
            .all(|s| s.labels.contains_key("service_name") && s.labels.contains_key("level"))
    );
    let m = matrix("shop-quantile-unwrap.json");
    assert!(
        m.iter()
            .all(|s| s.labels.get("service_name").map(String::as_str) == Some("payments"))
    );

    let v = vector("query-instant-vector.json");
    assert_eq!(v.len(), 4);
    assert_eq!(v[0].labels["service_name"], "checkout");
    assert_eq!(
        v[0].sample,
        Sample {
            t: 1_795_434_422.0,
            v: 106.0
        }
    );
    let v = vector("shop-instant-vector.json");
    assert!(!v.is_empty());
    assert!(v.iter().all(|s| s.sample.t == 1_796_193_493.0));
}

#[test]
fn labels_values_and_series() {
    let labels: Vec<String> = decode::data(&fixture("labels.json")).unwrap();
    assert_eq!(labels, ["env", "job", "level", "service_name"]);
    let values: Vec<String> = decode::data(&fixture("label-service_name-values.json")).unwrap();
    assert_eq!(values, ["checkout", "gateway", "orders", "payments"]);
    let labels: Vec<String> = decode::data(&fixture("shop-labels.json")).unwrap();
    assert!(labels.contains(&"service_name".to_string()));
    let values: Vec<String> = decode::data(&fixture("shop-label-service-values.json")).unwrap();
    assert!(values.contains(&"payments".to_string()));
    let series: Vec<crate::lab::query::Labels> = decode::data(&fixture("series.json")).unwrap();
    assert_eq!(series.len(), 3);
    assert!(series.iter().all(|s| s["job"] == "demo/checkout"));
    // Loki leaves `data` out when there is nothing.
    let none: Vec<String> = decode::data(r#"{"status":"success"}"#).unwrap();
    assert!(none.is_empty());
}

#[test]
fn detected_fields_volume_stats_and_build() {
    let fields = decode::detected_fields(&fixture("detected-fields.json")).unwrap();
    assert_eq!(fields.len(), 11);
    let level = fields.iter().find(|f| f.label == "detected_level").unwrap();
    assert!(level.parsers.is_empty(), "null parsers");
    assert_eq!(level.cardinality, 3);
    let status = fields.iter().find(|f| f.label == "http_status").unwrap();
    assert_eq!(
        status,
        &DetectedField {
            label: "http_status".into(),
            type_: "int".into(),
            cardinality: 3,
            parsers: vec!["json".into()]
        }
    );
    let fields = decode::detected_fields(&fixture("shop-detected-fields.json")).unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f.label == "latency_ms" && f.type_ == "int")
    );

    let volume = decode::volume(&fixture("index-volume.json")).unwrap();
    assert_eq!(volume.len(), 1);
    assert_eq!(volume[0].labels["env"], "dev");
    assert_eq!(volume[0].sample.v, 277_708.0);
    let series = decode::volume_range(&fixture("shop-volume.json")).unwrap();
    assert_eq!(series[0].labels["service_name"], "storefront");
    assert_eq!(
        series[0].samples[0],
        Sample {
            t: 1_796_193_359.999,
            v: 43_433.0
        }
    );
    assert!(
        decode::volume(&fixture("shop-volume.json")).is_err(),
        "a matrix is not a vector"
    );

    let stats: IndexStats = decode::bare(&fixture("index-stats.json")).unwrap();
    assert_eq!(
        stats,
        IndexStats {
            streams: 3,
            chunks: 6,
            bytes: 53_248,
            entries: 212
        }
    );
    let build: BuildInfo = decode::bare(&fixture("status-buildinfo.json")).unwrap();
    assert_eq!(build.version, "3.4.6");
    assert_eq!(build.revision, "2b7b94ffbf");
    assert_eq!(build.go_version, "");
}

#[test]
fn format_query_answers_and_errors() {
    let formatted: String = decode::data(&fixture("format-query-ok.json")).unwrap();
    assert_eq!(
        formatted,
        r#"{service_name="payments"} | json | latency_ms>500"#
    );
    // The broken query's JSON body comes with HTTP 400: the transport keeps Loki's text.
    let err = server_error(
        reqwest::StatusCode::BAD_REQUEST,
        &fixture("format-query-error.txt"),
    );
    assert_eq!(
        err,
        QueryError::Server {
            status: 400,
            error_type: None,
            message:
                "parse error at line 1, col 25: syntax error: unexpected $end, expecting } or ,"
                    .into()
        }
    );
}

#[test]
fn text_plain_errors_keep_lokis_words() {
    for (name, text) in [
        (
            "query-parse-error.txt",
            "parse error at line 1, col 25: syntax error: unexpected $end, expecting } or ,",
        ),
        (
            "query-instant-log-selector-error.txt",
            "log queries are not supported as an instant query type, please change your query to a range query type",
        ),
    ] {
        let err = server_error(reqwest::StatusCode::BAD_REQUEST, &fixture(name));
        assert_eq!(
            err,
            QueryError::Server {
                status: 400,
                error_type: None,
                message: text.into()
            },
            "{name}"
        );
    }
}

#[test]
fn tail_frames() {
    let frame = decode::tail_frame(&fixture("tail-websocket-first-frame.json")).unwrap();
    assert_eq!(frame.dropped, 0);
    assert_eq!(frame.entries.len(), 2);
    assert!(
        frame.entries[0].ts_ns < frame.entries[1].ts_ns,
        "oldest first"
    );
    assert_eq!(frame.entries[0].ts_ns, 1_795_434_212_235_676_638);
    assert!(frame.entries[0].is_error());
    assert_eq!(
        frame.entries[1].span_id().as_deref(),
        Some("4955a7b928684925")
    );

    let frames: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("shop-tail-frames.json")).unwrap();
    assert_eq!(frames.len(), 3);
    let mut total = 0;
    for f in &frames {
        let frame = decode::tail_frame(&f.to_string()).unwrap();
        assert!(!frame.entries.is_empty());
        assert!(frame.entries.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
        assert!(
            frame
                .entries
                .iter()
                .all(|e| e.service() == Some("storefront"))
        );
        total += frame.entries.len();
    }
    let values: usize = frames
        .iter()
        .flat_map(|f| f["streams"].as_array().unwrap())
        .map(|s| s["values"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, values);

    let dropped = decode::tail_frame(
        r#"{"streams":[],"dropped_entries":[{"labels":{"a":"b"},"timestamp":"1"},{"labels":{},"timestamp":"2"}]}"#,
    )
    .unwrap();
    assert_eq!(
        dropped,
        crate::lab::query::logs::TailFrame {
            entries: vec![],
            dropped: 2
        }
    );
    assert!(decode::tail_frame("not json").is_err());
}

#[test]
fn broken_answers_are_decode_problems() {
    assert!(matches!(
        decode::query("<html>", Direction::Backward),
        Err(decode::Problem::Decode(_))
    ));
    let unknown = r#"{"status":"success","data":{"resultType":"table","result":[]}}"#;
    assert!(
        matches!(decode::query(unknown, Direction::Backward), Err(decode::Problem::Decode(m)) if m.contains("table"))
    );
    let bad_ts = r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["soon","x"]]}]}}"#;
    assert!(decode::query(bad_ts, Direction::Backward).is_err());
    let failed = r#"{"status":"error","error":"too many outstanding requests"}"#;
    assert!(matches!(
        decode::query(failed, Direction::Backward),
        Err(decode::Problem::Server { message, .. }) if message == "too many outstanding requests"
    ));
}

#[test]
fn times_go_out_as_integer_nanoseconds() {
    assert_eq!(seconds_to_ns(1_795_434_422.0), 1_795_434_422_000_000_000);
    assert_eq!(seconds_to_ns(1_795_434_422.5), 1_795_434_422_500_000_000);
    assert_eq!(seconds_to_ns(1.25), 1_250_000_000);
    assert_eq!(seconds_to_ns(0.0), 0);
    assert_eq!(seconds_to_ns(-1.5), -1_500_000_000);
}

#[test]
fn tail_urls_follow_the_scheme() {
    let url = tail::tail_url(
        "http://127.0.0.1:3100/",
        r#"{service_name="shop"} |= "x""#,
        5,
        42,
    )
    .unwrap();
    assert_eq!(
        url,
        "ws://127.0.0.1:3100/loki/api/v1/tail?query=%7Bservice_name%3D%22shop%22%7D+%7C%3D+%22x%22&limit=5&start=42"
    );
    assert!(
        tail::tail_url("https://loki.example", "{a=\"b\"}", 1, 0)
            .unwrap()
            .starts_with("wss://loki.example/loki/api/v1/tail?")
    );
    assert!(matches!(
        tail::tail_url("127.0.0.1:3100", "{}", 1, 0),
        Err(TailError::BadUrl { .. })
    ));
}

#[test]
fn every_recorded_answer_is_decoded_here() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-api/loki");
    let these_tests = include_str!("tests.rs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 33);
    for name in names {
        assert!(
            these_tests.contains(&format!("\"{name}\"")),
            "{name} is not decoded by a test"
        );
    }
}
