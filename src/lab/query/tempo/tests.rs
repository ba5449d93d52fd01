//! Every recorded Tempo 2.7.2 answer in tests/fixtures/real-api/tempo, decoded, and which
//! TraceQL queries count as metrics queries.

use super::decode;
use super::*;
use crate::lab::query::traces::{SpanKind, SpanStatus, Trace, TraceHit};
use crate::lab::query::transport::server_error;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/tempo")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn search(name: &str) -> Vec<TraceHit> {
    decode::search(&fixture(name)).unwrap()
}

fn trace(name: &str) -> Trace {
    decode::trace(&fixture(name)).unwrap()
}

#[test]
fn a_search_by_service() {
    let hits = search("search-service-payments.json");
    assert_eq!(hits.len(), 3);
    let h = &hits[0];
    assert_eq!(h.trace_id, "21599e3e9c8fe21da80270815fe85df2");
    assert_eq!(h.root_service.as_deref(), Some("gateway"));
    assert_eq!(h.root_name.as_deref(), Some("GET /api/checkout/{orderId}"));
    assert_eq!(h.start_ns, 1_795_434_252_235_676_638);
    assert_eq!(h.duration_ms, Some(4));
    // spanSet repeats spanSets[0]: the spans are counted once.
    assert_eq!(h.matched, 2);
    assert_eq!(h.spans.len(), 2);
    assert_eq!(h.spans[0].span_id, "4c1ca71f8b0a998f");
    assert_eq!(h.spans[0].start_ns, 1_795_434_252_236_276_638);
    assert_eq!(h.spans[0].duration_ns, 2_108_204);
    assert_eq!(
        h.spans[0].attributes,
        [("service.name".to_string(), "payments".to_string())]
    );
    assert_eq!(hits[1].trace_id, "11a11f5125227c3712da86a78c49ea20");
}

#[test]
fn searches_by_status_and_duration() {
    let errors = search("search-status-error.json");
    assert_eq!(errors.len(), 3);
    assert!(errors.iter().all(|h| h.matched == 5 && h.spans.len() == 3));
    let slow = search("search-duration-gt-10ms.json");
    assert_eq!(
        slow.iter().map(|h| h.duration_ms).collect::<Vec<_>>(),
        [Some(34), Some(55), Some(58)]
    );
}

#[test]
fn select_returns_the_chosen_attributes_as_text() {
    let hits = search("search-select-attrs.json");
    assert_eq!(hits.len(), 2);
    assert_eq!(
        hits[0].spans[0].attributes,
        [
            ("http.route".to_string(), "/payments/charge".to_string()),
            ("status".to_string(), "error".to_string()),
            // An intValue arrives as a string and stays as its digits.
            ("http.status_code".to_string(), "500".to_string()),
        ]
    );
    let shop = search("shop-search-select.json");
    assert_eq!(shop.len(), 5);
    assert_eq!(shop[0].matched, 5);
    assert!(
        shop[0].spans[0]
            .attributes
            .contains(&("http.response.status_code".to_string(), "502".to_string()))
    );
    // Traces of spans under a millisecond have no durationMs.
    assert_eq!(shop[1].root_name.as_deref(), Some("GET /products"));
    assert_eq!(shop[1].duration_ms, None);
}

#[test]
fn the_shops_searches() {
    let checkouts = search("shop-search-checkouts.json");
    assert_eq!(checkouts.len(), 20);
    assert!(
        checkouts
            .iter()
            .all(|h| h.root_service.as_deref() == Some("storefront"))
    );
    assert_eq!(checkouts[3].trace_id, "56f5c28829fd3918a5f6d4ecec7766d1");
    assert_eq!(checkouts[3].duration_ms, None);
    assert_eq!(checkouts[4].duration_ms, Some(166));

    let errors = search("shop-search-checkout-error.json");
    // Tempo drops a leading zero of the id; it is kept as sent.
    assert_eq!(errors[4].trace_id, "3396e3a6587151d7ec0ad148b55a431");

    let slow = search("shop-search-slow.json");
    assert_eq!(
        slow.iter().map(|h| h.duration_ms).collect::<Vec<_>>(),
        [Some(1255), Some(1081), Some(1031), Some(997), Some(1119)]
    );
    assert_eq!(slow[0].spans[0].duration_ns, 940_100_990);
    assert!(slow[0].spans[0].attributes.is_empty());

    let structural = search("shop-search-structural.json");
    assert_eq!(
        structural.iter().map(|h| &h.trace_id).collect::<Vec<_>>(),
        slow.iter().map(|h| &h.trace_id).collect::<Vec<_>>()
    );
    assert!(structural.iter().all(|h| h.matched == 1));
}

#[test]
fn a_trace_by_id_in_otlp_json() {
    let t = trace("trace-by-id-v2.json");
    assert_eq!(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(t.spans.len(), 6);
    let root = &t.spans[0];
    assert_eq!(root.name, "GET /api/checkout/{orderId}");
    assert_eq!(root.service, "gateway");
    assert_eq!(root.span_id, "5adf9c1e2a8a3c0e");
    assert_eq!(root.parent_id, None);
    assert_eq!(root.kind, SpanKind::Server);
    assert_eq!(root.status, SpanStatus::Error);
    assert_eq!(
        root.status_message.as_deref(),
        Some("upstream orders returned 502")
    );
    assert_eq!(root.start_ns, 1_795_433_792_235_676_638);
    assert_eq!(root.end_ns, 1_795_433_792_276_027_092);
    assert_eq!(t.spans[1].parent_id.as_deref(), Some("5adf9c1e2a8a3c0e"));
    assert_eq!(t.spans[1].kind, SpanKind::Client);

    let charge = t
        .spans
        .iter()
        .find(|s| s.name == "POST /payments/charge")
        .unwrap();
    assert_eq!(charge.service, "payments");
    assert_eq!(charge.events.len(), 1);
    assert_eq!(charge.events[0].name, "exception");
    assert_eq!(charge.events[0].time_ns, 1_795_433_792_273_355_274);
    assert!(charge.events[0].attributes.contains(&(
        "exception.type".to_string(),
        "ProcessorTimeoutError".to_string()
    )));
    let insert = t
        .spans
        .iter()
        .find(|s| s.name == "INSERT payments")
        .unwrap();
    // `"status": {}` is an unset status.
    assert_eq!(insert.status, SpanStatus::Unset);
    assert_eq!(insert.status_message, None);
    let values: Vec<&str> = t
        .spans
        .iter()
        .flat_map(|s| s.attributes.iter().map(|(_, v)| v.as_str()))
        .collect();
    assert!(values.contains(&"235.55"), "doubleValue as text");
    assert!(values.contains(&"8700"), "intValue as text");
    assert!(root.resource.iter().any(|(k, _)| k == "service.version"));
}

#[test]
fn v1_and_v2_traces_decode_alike() {
    let v2 = trace("trace-by-id-v2.json");
    for v1 in ["trace-by-id-default.json", "trace-by-id-accept-json.json"] {
        assert_eq!(trace(v1), v2, "{v1}");
    }
    let shop_v2 = trace("shop-trace-checkout-v2.json");
    assert_eq!(trace("shop-trace-checkout-v1.json"), shop_v2);
    assert_eq!(shop_v2.trace_id, "63823273f8d74a123d53cff55c22d200");
    assert_eq!(shop_v2.spans.len(), 14);
    assert_eq!(
        shop_v2.services(),
        [
            "fulfillment",
            "inventory",
            "orders",
            "payments",
            "storefront"
        ]
    );
    let charge = &shop_v2.spans[0];
    assert_eq!(
        (charge.service.as_str(), charge.name.as_str()),
        ("payments", "POST /charge")
    );
    assert_eq!(charge.span_id, "a8c8d522498eadb5");
    assert!(
        shop_v2
            .spans
            .iter()
            .any(|s| s.kind == SpanKind::Producer && s.name == "publish fulfillment")
    );
    assert!(
        shop_v2
            .spans
            .iter()
            .any(|s| s.kind == SpanKind::Consumer && s.service == "fulfillment")
    );
}

#[test]
fn the_protobuf_answer_is_not_taken_for_json() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/tempo/trace-by-id-accept-protobuf.bin");
    let bytes = std::fs::read(path).unwrap();
    assert!(decode::trace(&String::from_utf8_lossy(&bytes)).is_err());
}

#[test]
fn an_empty_answer_is_a_trace_without_spans() {
    assert_eq!(decode::trace("{}").unwrap(), Trace::default());
    assert_eq!(decode::trace(r#"{"trace":{}}"#).unwrap(), Trace::default());
    assert!(decode::trace("").is_err());
}

#[test]
fn every_otlp_value_type_is_text() {
    let body = r#"{"batches":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{
        "traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAE=","parentSpanId":"",
        "name":"n","kind":"SPAN_KIND_PRODUCER","startTimeUnixNano":"5","endTimeUnixNano":7,
        "status":{"code":"STATUS_CODE_OK"},
        "links":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAg==","spanId":"AAAAAAAAAAI="}],
        "attributes":[
          {"key":"s","value":{"stringValue":"x"}},
          {"key":"i","value":{"intValue":"-3"}},
          {"key":"d","value":{"doubleValue":0.5}},
          {"key":"b","value":{"boolValue":true}},
          {"key":"a","value":{"arrayValue":{"values":[{"stringValue":"GET"},{"intValue":2}]}}},
          {"key":"kv","value":{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":false}}]}}},
          {"key":"bytes","value":{"bytesValue":"AQI="}},
          {"key":"empty","value":{}}
        ]}]}]}]}"#;
    let t = decode::trace(body).unwrap();
    assert_eq!(t.trace_id, "00000000000000000000000000000001");
    let s = &t.spans[0];
    assert_eq!(s.service, "unknown");
    assert_eq!(s.parent_id, None);
    assert_eq!(s.kind, SpanKind::Producer);
    assert_eq!(s.status, SpanStatus::Ok);
    assert_eq!((s.start_ns, s.end_ns), (5, 7));
    assert_eq!(s.links[0].trace_id, "00000000000000000000000000000002");
    assert_eq!(s.links[0].span_id, "0000000000000002");
    let text: Vec<(&str, &str)> = s
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        text,
        [
            ("s", "x"),
            ("i", "-3"),
            ("d", "0.5"),
            ("b", "true"),
            ("a", "[GET, 2]"),
            ("kv", "{k=false}"),
            ("bytes", "AQI="),
            ("empty", ""),
        ]
    );
}

#[test]
fn ids_become_lower_case_hex() {
    assert_eq!(
        decode::id_hex("S/kvNXezTaajzpKdDg5HNg=="),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(decode::id_hex("qMjVIkmOrbU="), "a8c8d522498eadb5");
    assert_eq!(
        decode::id_hex("4BF92F3577B34DA6A3CE929D0E0E4736"),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(decode::id_hex("not an id!"), "not an id!");
}

#[test]
fn tags_and_tag_values() {
    let v1 = decode::tags_v1(&fixture("search-tags-v1.json")).unwrap();
    assert_eq!(v1.len(), 18);
    assert!(v1.contains(&"http.route".to_string()));

    let v2 = decode::tags_v2(&fixture("search-tags-v2.json")).unwrap();
    assert_eq!(
        v2.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["resource", "intrinsic", "span", "event"]
    );
    assert_eq!(v2[0].tags[2], "service.name");
    assert_eq!(v2[3].tags, ["exception.message", "exception.type"]);

    let shop = decode::tags_v2(&fixture("shop-tags-v2.json")).unwrap();
    assert_eq!(
        shop.iter()
            .map(|s| (s.name.as_str(), s.tags.len()))
            .collect::<Vec<_>>(),
        [("span", 25), ("intrinsic", 20), ("resource", 7)]
    );

    assert_eq!(
        decode::tag_values_v1(&fixture("search-tag-values-v1.json")).unwrap(),
        ["gateway", "orders", "payments"]
    );
    let values = decode::tag_values_v2(&fixture("search-tag-values-v2.json")).unwrap();
    assert_eq!(
        values[0],
        TagValue {
            type_: "string".into(),
            value: "orders".into()
        }
    );
    assert_eq!(values.len(), 3);
    let routes = decode::tag_values_v2(&fixture("shop-tag-values-route.json")).unwrap();
    assert_eq!(routes.len(), 7);
    assert!(routes.iter().any(|v| v.value == "/charge"));
    let services = decode::tag_values_v2(&fixture("shop-tag-values-service.json")).unwrap();
    let mut names: Vec<&str> = services.iter().map(|v| v.value.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "fulfillment",
            "inventory",
            "orders",
            "payments",
            "storefront"
        ]
    );
}

#[test]
fn traceql_metrics_are_a_matrix() {
    let series = decode::metrics(&fixture("metrics-query-range.json")).unwrap();
    assert_eq!(series.len(), 3);
    assert_eq!(series[0].labels["resource.service.name"], "gateway");
    assert_eq!(series[0].labels.len(), 1);
    let samples: Vec<(f64, f64)> = series[0].samples.iter().map(|s| (s.t, s.v)).collect();
    // A left-out value is protobuf-JSON's zero; timestampMs is in milliseconds.
    assert_eq!(
        samples,
        [
            (1_795_433_400.0, 0.0),
            (1_795_433_700.0, 0.0),
            (1_795_434_000.0, 0.016_666_666_666_666_666),
            (1_795_434_300.0, 0.0),
            (1_795_434_600.0, 0.0),
        ]
    );

    let rate = decode::metrics(&fixture("shop-metrics-rate.json")).unwrap();
    assert_eq!(
        rate.iter()
            .map(|s| s.labels["resource.service.name"].as_str())
            .collect::<Vec<_>>(),
        ["inventory", "orders", "payments", "storefront"]
    );
    assert!(rate.iter().all(|s| s.samples[0].t == 1_796_191_680.0));
    assert!(
        rate.iter()
            .all(|s| s.samples.iter().filter(|p| p.v > 0.0).count() == 4)
    );

    let p95 = decode::metrics(&fixture("shop-metrics-p95.json")).unwrap();
    assert_eq!(p95.len(), 4);
    // A doubleValue label is text too.
    assert_eq!(p95[0].labels["p"], "0.95");
    assert_eq!(p95[0].labels["resource.service.name"], "inventory");
    assert_eq!(p95[0].samples.len(), 32);
    assert_eq!(p95[0].samples[31].t, 1_796_193_540.0);
}

#[test]
fn build_info_echo_and_errors() {
    let info = decode::buildinfo(&fixture("status-buildinfo.json")).unwrap();
    assert_eq!(info.version, "2.7.2");
    assert_eq!(info.revision, "b33945abd3");
    assert_eq!(info.branch, "release-v2.7");
    assert_eq!(info.go_version, "go1.23.5");
    assert!(decode::is_echo(&fixture("echo.txt")));
    assert!(!decode::is_echo("{}"));

    // Tempo's errors are text/plain: the words reach the learner unchanged.
    let text = fixture("search-parse-error.txt");
    assert_eq!(
        server_error(reqwest::StatusCode::BAD_REQUEST, &text),
        QueryError::Server {
            status: 400,
            error_type: None,
            message:
                "invalid TraceQL query: parse error at line 1, col 12: syntax error: unexpected }"
                    .into()
        }
    );
    // An unknown trace is a 404 with no body at all.
    assert_eq!(fixture("trace-by-id-not-found.txt"), "");
    assert!(matches!(
        server_error(reqwest::StatusCode::NOT_FOUND, ""),
        QueryError::Server { status: 404, .. }
    ));
    assert!(decode::search("invalid TraceQL query").is_err());
}

#[test]
fn metrics_queries_are_told_from_searches() {
    for q in [
        "{ } | rate()",
        "{ resource.service.name = \"payments\" } | rate() by (resource.service.name)",
        "{kind = server} | quantile_over_time(duration, .95) by (resource.service.name)",
        "{ } | count_over_time()",
        "{ } | histogram_over_time(duration)",
        "{ } | min_over_time(duration)",
        "{ } | max_over_time (duration)",
        "{ } | avg_over_time(duration)",
        "{ } | sum_over_time(span.bytes)",
        "{ status = error } | compare({status = error})",
        "{ } | rate() | topk(3)",
        "{ a } || { b } | rate()",
    ] {
        assert!(is_metrics_query(q), "{q}");
    }
    for q in [
        "{ }",
        "{ duration > 500ms }",
        "{ name = \"| rate()\" }",
        "{ span.x = `| count_over_time()` }",
        "{ status = error } | select(span.http.route)",
        "{ a } || { b }",
        "{ } | count() > 2",
        "{ span.rate = 3 }",
        "{ } | rated()",
        "{ name = \"a\\\" | rate()\" }",
    ] {
        assert!(!is_metrics_query(q), "{q}");
    }
}
