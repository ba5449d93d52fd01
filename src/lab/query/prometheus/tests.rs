//! Every recorded Prometheus 2.42 answer in tests/fixtures/real-api/prometheus, decoded.

use std::time::Duration;

use super::decode::{self, Problem};
use super::*;
use crate::lab::query::types::{QueryData, Sample};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/prometheus")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn query(name: &str) -> (QueryData, String) {
    let (data, warnings, raw) = decode::query(&fixture(name)).unwrap();
    assert!(warnings.is_empty());
    (data, raw)
}

fn data<T: serde::de::DeserializeOwned>(name: &str) -> T {
    decode::data::<T>(&fixture(name)).unwrap().0
}

#[test]
fn instant_vector_of_up() {
    let (data, raw) = query("query-instant-vector-up.json");
    let QueryData::Vector(v) = data else {
        panic!("not a vector")
    };
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].labels["job"], "prometheus");
    assert_eq!(v[1].labels["instance"], "127.0.0.1:19093");
    assert_eq!(
        v[0].sample,
        Sample {
            t: 1_795_434_422.0,
            v: 1.0
        }
    );
    // `raw` is the server's `data` text, untouched.
    let body = fixture("query-instant-vector-up.json");
    assert!(body.contains(&raw));
    assert!(raw.starts_with("{\n    \"resultType\": \"vector\""));
}

#[test]
fn scalar_and_string_results() {
    let (data, _) = query("query-instant-scalar.json");
    assert_eq!(
        data,
        QueryData::Scalar(Sample {
            t: 1_795_434_422.0,
            v: 2.0
        })
    );
    let (data, _) = query("query-instant-string.json");
    assert_eq!(
        data,
        QueryData::String {
            t: 1_795_434_422.0,
            value: "hello observability".into()
        }
    );
}

#[test]
fn range_matrices() {
    let (data, _) = query("query-range-matrix-up.json");
    let QueryData::Matrix(m) = &data else {
        panic!("not a matrix")
    };
    assert_eq!(m.len(), 2);
    assert!(m.iter().all(|s| s.samples.len() == 11));
    assert_eq!(data.sample_count(), 22);
    assert_eq!(m[0].samples[0].t, 1_795_433_822.0);
    assert_eq!(m[0].samples[10].t, 1_795_434_422.0);

    let (data, _) = query("query-range-matrix-rate.json");
    let QueryData::Matrix(m) = data else {
        panic!("not a matrix")
    };
    assert_eq!(
        m.iter()
            .map(|s| s.labels["job"].as_str())
            .collect::<Vec<_>>(),
        ["alertmanager", "prometheus"]
    );
    assert_eq!(m[1].samples.len(), 6);
    assert!(m[1].samples.iter().all(|s| s.v == 0.0));
}

#[test]
fn nan_samples_in_a_quantile_range() {
    let (data, _) = query("shop-p95-by-service-range.json");
    let QueryData::Matrix(m) = data else {
        panic!("not a matrix")
    };
    assert_eq!(m.len(), 4);
    let orders = m.iter().find(|s| s.labels["service"] == "orders").unwrap();
    assert!(orders.samples[0].v.is_nan());
    assert_eq!(orders.samples[1].v, 0.04875);
    assert_eq!(orders.samples[10].v, 0.914_285_714_285_714_1);
    let storefront = &m[3];
    assert_eq!(storefront.labels["service"], "storefront");
    assert_eq!(storefront.samples[0].v, 0.00475);
}

#[test]
fn service_graph_vectors() {
    let (data, _) = query("query-instant-spanmetrics.json");
    let QueryData::Vector(v) = data else {
        panic!("not a vector")
    };
    assert_eq!(v.len(), 4);
    let edge = v.iter().find(|s| s.labels["client"] == "payments").unwrap();
    assert_eq!(edge.labels["server"], "postgresql");
    assert_eq!(edge.sample.v, 24.0);

    let (data, _) = query("shop-service-graph.json");
    assert_eq!(data.series_count(), 9);
    let QueryData::Vector(v) = data else {
        panic!("not a vector")
    };
    assert_eq!(v[0].labels["client"], "fulfillment");
    assert_eq!(v[0].labels["server"], "sqlite");
    assert_eq!(v[0].sample.v, 0.238_945_892_473_118_26);

    let (data, _) = query("shop-service-graph-failed.json");
    let QueryData::Vector(v) = data else {
        panic!("not a vector")
    };
    assert_eq!(v.len(), 4);
    let inventory = v
        .iter()
        .find(|s| s.labels["client"] == "storefront" && s.labels["server"] == "inventory")
        .unwrap();
    assert_eq!(inventory.sample.v, 1.540_797_877_516_735_5);
}

#[test]
fn a_parse_error_keeps_prometheus_words() {
    let problem = decode::query(&fixture("query-parse-error.json")).unwrap_err();
    assert_eq!(
        problem,
        Problem::Server {
            error_type: Some("bad_data".into()),
            message: "invalid parameter \"query\": 1:17: parse error: unclosed left parenthesis"
                .into()
        }
    );
    // The same body behind an HTTP 400 is what the client turns into QueryError::Server.
    let err = crate::lab::query::transport::server_error(
        reqwest::StatusCode::BAD_REQUEST,
        &fixture("query-parse-error.json"),
    );
    assert_eq!(
        err.to_string(),
        "invalid parameter \"query\": 1:17: parse error: unclosed left parenthesis"
    );
}

#[test]
fn labels_values_and_series() {
    let labels: Vec<String> = data("labels.json");
    assert_eq!(labels.len(), 40);
    assert!(labels.iter().any(|l| l == "__name__"));
    assert_eq!(labels.last().map(String::as_str), Some("version"));
    let jobs: Vec<String> = data("label-job-values.json");
    assert_eq!(jobs, ["alertmanager", "prometheus"]);
    let series: Vec<Labels> = data("series.json");
    assert_eq!(series.len(), 2);
    assert_eq!(series[0]["__name__"], "up");
    assert_eq!(series[1]["job"], "alertmanager");
}

#[test]
fn metadata_of_every_metric_and_of_one() {
    let meta: Metadata = data("metadata.json");
    assert_eq!(meta.len(), 5);
    let receivers = &meta["alertmanager_receivers"][0];
    assert_eq!(receivers.kind, MetricKind::Gauge);
    assert_eq!(receivers.help, "Number of configured receivers.");
    assert_eq!(receivers.unit, "");
    let one: Metadata = data("metadata-one-metric.json");
    assert_eq!(one.len(), 1);
    assert_eq!(
        one["prometheus_http_requests_total"][0].kind,
        MetricKind::Counter
    );

    let shop: Metadata = data("shop-metadata.json");
    assert_eq!(shop.len(), 701);
    let latency = &shop["http_request_duration_seconds"][0];
    assert_eq!(latency.kind, MetricKind::Histogram);
    assert_eq!(latency.help, "Time to serve an HTTP request, in seconds.");
    // Two exporters describing one metric differently: both entries are kept.
    assert_eq!(shop["go_memstats_alloc_bytes"].len(), 2);
    assert_eq!(shop["go_memstats_alloc_bytes"][0].kind, MetricKind::Counter);
    assert_eq!(
        shop.values()
            .filter(|m| m[0].kind == MetricKind::Unknown)
            .count(),
        12
    );
}

#[test]
fn targets_with_health_and_last_scrape() {
    let targets: Targets = data("targets.json");
    assert_eq!(targets.active.len(), 2);
    assert!(targets.dropped.is_empty());
    let am = &targets.active[0];
    assert_eq!(am.scrape_pool, "alertmanager");
    assert_eq!(am.health, TargetHealth::Up);
    assert_eq!(am.labels["instance"], "127.0.0.1:19093");
    assert_eq!(am.discovered_labels["__scrape_interval__"], "5s");
    assert_eq!(am.scrape_url, "http://127.0.0.1:19093/metrics");
    assert_eq!(am.last_scrape_duration, Some(0.002012244));
    assert_eq!(
        am.last_scrape.map(|t| t.to_rfc3339()),
        Some("2026-11-23T11:46:58.126587266+00:00".into())
    );
    assert_eq!(am.last_error, "");
}

#[test]
fn rules_alerting_and_recording_with_their_alerts() {
    let groups: model::RuleGroups = data("rules.json");
    let groups = groups.groups;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].name, "demo-alerts");
    assert_eq!(groups[0].interval, Duration::from_secs(5));
    assert_eq!(groups[0].rules.len(), 3);
    let Rule::Alerting(watchdog) = &groups[0].rules[0] else {
        panic!("not an alerting rule")
    };
    assert_eq!(watchdog.name, "Watchdog");
    assert_eq!(watchdog.state, AlertState::Firing);
    assert_eq!(watchdog.health, RuleHealth::Ok);
    assert_eq!(watchdog.for_duration, Duration::ZERO);
    assert_eq!(watchdog.alerts.len(), 1);
    assert_eq!(watchdog.alerts[0].value, 1.0);
    let Rule::Alerting(slow) = &groups[0].rules[2] else {
        panic!("not an alerting rule")
    };
    assert_eq!(slow.for_duration, Duration::from_secs(86_400));
    assert_eq!(slow.state, AlertState::Pending);
    assert_eq!(slow.alerts.len(), 2);
    assert_eq!(slow.alerts[0].labels["job"], "prometheus");
    assert_eq!(slow.alerts[0].value, 0.003415943);
    assert_eq!(
        slow.alerts[0].active_at.map(|t| t.to_rfc3339()),
        Some("2026-11-23T11:31:41.500172871+00:00".into())
    );
    assert!(slow.last_evaluation.is_some());
    let Rule::Recording(rec) = &groups[1].rules[0] else {
        panic!("not a recording rule")
    };
    assert_eq!(rec.name, "job:up:sum");
    assert_eq!(rec.query, "sum by (job) (up)");
    assert_eq!(groups[1].rules[0].health(), RuleHealth::Ok);
}

#[test]
fn the_shops_rules_under_faults() {
    let groups: model::RuleGroups = data("shop-rules.json");
    let groups = groups.groups;
    assert_eq!(
        groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["shop-alerts", "shop-sli"]
    );
    let alerting: Vec<&AlertingRule> = groups[0]
        .rules
        .iter()
        .filter_map(|r| match r {
            Rule::Alerting(a) => Some(a),
            Rule::Recording(_) => None,
        })
        .collect();
    assert_eq!(alerting.len(), 5);
    let page = alerting
        .iter()
        .find(|r| r.name == "SLOErrorBudgetBurnPage")
        .unwrap();
    assert_eq!(page.state, AlertState::Firing);
    assert_eq!(page.for_duration, Duration::from_secs(60));
    assert_eq!(page.alerts.len(), 3);
    assert!(page.alerts.iter().all(|a| a.state == AlertState::Firing));
    let latency = alerting
        .iter()
        .find(|r| r.name == "HighLatencyP95")
        .unwrap();
    assert_eq!(latency.alerts[0].labels["service"], "payments");
    assert!(
        groups[1]
            .rules
            .iter()
            .all(|r| matches!(r, Rule::Recording(_)))
    );
    assert_eq!(groups[1].rules[0].name(), "service:http_error_ratio:rate5m");
}

#[test]
fn active_alerts() {
    let alerts: model::Alerts = data("alerts.json");
    let alerts = alerts.alerts;
    assert_eq!(alerts.len(), 3);
    assert_eq!(alerts[0].labels["alertname"], "Watchdog");
    assert_eq!(alerts[0].state, AlertState::Firing);
    assert_eq!(alerts[1].state, AlertState::Pending);
    assert_eq!(alerts[2].value, 0.002012244);
    assert!(alerts[0].annotations["summary"].starts_with("Always-firing"));

    let shop: model::Alerts = data("shop-alerts.json");
    let shop = shop.alerts;
    assert_eq!(shop.len(), 11);
    assert_eq!(
        shop.iter()
            .filter(|a| a.state == AlertState::Firing)
            .count(),
        3
    );
    assert_eq!(shop[0].labels["alertname"], "HighErrorRate");
    assert_eq!(shop[0].value, 0.467_196_767_399_471_64);
}

#[test]
fn exemplars_link_buckets_to_traces() {
    let series: Vec<ExemplarSeries> = data("shop-exemplars.json");
    assert_eq!(series.len(), 4);
    assert_eq!(
        series.iter().map(|s| s.exemplars.len()).collect::<Vec<_>>(),
        [4, 12, 4, 10]
    );
    assert_eq!(series[0].series_labels["le"], "0.025");
    assert_eq!(series[0].series_labels["service"], "payments");
    let first = &series[0].exemplars[0];
    assert_eq!(first.labels["trace_id"], "07e9fb30ec89f18df8e37686f96fd7d6");
    assert_eq!(first.value, 0.016335164);
    assert_eq!(first.timestamp, 1_796_193_360.342);
}

#[test]
fn build_info() {
    let info: BuildInfo = data("status-buildinfo.json");
    assert_eq!(info.version, "2.42.0+ds");
    assert_eq!(info.go_version, "go1.19.8");
    assert_eq!(info.branch, "debian/sid");
}

#[test]
fn numbers_as_strings_special_values_empty_results_and_missing_fields() {
    assert!(decode::parse_value("NaN").is_some_and(f64::is_nan));
    assert_eq!(decode::parse_value("+Inf"), Some(f64::INFINITY));
    assert_eq!(decode::parse_value("-Inf"), Some(f64::NEG_INFINITY));
    assert_eq!(decode::parse_value("1e+00"), Some(1.0));
    assert_eq!(decode::parse_value("x"), None);

    let body = r#"{"status":"success","data":{"resultType":"vector","result":[
        {"metric":{},"value":["1700000000.5","+Inf"]},
        {"value":[1700000000,"-Inf"]}]},"warnings":["careful"]}"#;
    let (data, warnings, _) = decode::query(body).unwrap();
    assert_eq!(warnings, ["careful"]);
    let QueryData::Vector(v) = data else {
        panic!("not a vector")
    };
    assert_eq!(v[0].sample.t, 1_700_000_000.5);
    assert_eq!(v[0].sample.v, f64::INFINITY);
    assert!(v[1].labels.is_empty());
    assert_eq!(v[1].sample.v, f64::NEG_INFINITY);

    let empty = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
    let (data, _, raw) = decode::query(empty).unwrap();
    assert!(data.is_empty());
    assert_eq!(raw, r#"{"resultType":"matrix","result":[]}"#);

    let sparse = r#"{"status":"success","data":{"groups":[{"name":"g","rules":[
        {"type":"alerting","name":"A","query":"up == 0","state":"inactive","health":"unknown",
         "lastEvaluation":"0001-01-01T00:00:00Z"}]}]}}"#;
    let (groups, _) = decode::data::<model::RuleGroups>(sparse).unwrap();
    let Rule::Alerting(a) = &groups.groups[0].rules[0] else {
        panic!("not alerting")
    };
    assert_eq!(a.health, RuleHealth::Unknown);
    assert!(a.alerts.is_empty() && a.labels.is_empty());
    assert_eq!(a.last_evaluation, None);
    assert_eq!(a.for_duration, Duration::ZERO);

    let bad =
        r#"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"abc"]}]}}"#;
    assert!(matches!(decode::query(bad), Err(Problem::Decode(_))));
}

#[test]
fn seconds_are_written_as_prometheus_reads_them() {
    assert_eq!(format_seconds(1_795_434_422.0), "1795434422");
    assert_eq!(format_seconds(1_795_434_422.5), "1795434422.5");
    assert_eq!(format_seconds(0.25), "0.25");
    assert_eq!(path_segment("job"), "job");
    assert_eq!(path_segment("a/b"), "a%2Fb");
}
