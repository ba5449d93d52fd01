//! Unit guesses from names and expressions, and how each unit prints.

use super::Unit;

#[test]
fn names_follow_prometheus_suffixes() {
    for (name, unit) in [
        ("http_request_duration_seconds", Unit::Seconds),
        ("http_request_duration_seconds_sum", Unit::Seconds),
        ("http_request_duration_seconds_count", Unit::Count),
        ("http_request_duration_seconds_bucket", Unit::Count),
        ("process_resident_memory_bytes", Unit::Bytes),
        ("shop_cache_hit_ratio", Unit::Ratio),
        ("node_cpu_percent", Unit::Percent),
        ("http_requests_total", Unit::Count),
        ("process_cpu_seconds_total", Unit::Seconds),
        ("up", Unit::Plain),
    ] {
        assert_eq!(Unit::from_metric_name(name), unit, "{name}");
    }
}

#[test]
fn expressions_follow_the_functions_around_the_metric() {
    for (expr, unit) in [
        ("http_request_duration_seconds", Unit::Seconds),
        ("rate(http_requests_total[5m])", Unit::PerSecond),
        (
            "sum by (service) (irate(http_requests_total[1m]))",
            Unit::PerSecond,
        ),
        ("increase(http_requests_total[1h])", Unit::Count),
        ("rate(shop_sent_bytes_total[5m])", Unit::BytesPerSecond),
        (
            "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))",
            Unit::Seconds,
        ),
        (
            "sum(rate(http_request_duration_seconds_sum[5m])) / sum(rate(http_request_duration_seconds_count[5m]))",
            Unit::Seconds,
        ),
        (
            r#"sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))"#,
            Unit::Ratio,
        ),
        (
            r#"100 * sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))"#,
            Unit::Plain,
        ),
        (
            r#"(sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))) * 100"#,
            Unit::Percent,
        ),
        (
            "process_resident_memory_bytes / container_spec_memory_limit_bytes",
            Unit::Ratio,
        ),
        ("process_resident_memory_bytes / 1024 / 1024", Unit::Plain),
        ("1 - shop_cache_hit_ratio", Unit::Ratio),
        (
            "max_over_time(process_resident_memory_bytes[10m])",
            Unit::Bytes,
        ),
        (
            "quantile_over_time(0.9, http_request_duration_seconds[5m])",
            Unit::Seconds,
        ),
        ("http_request_duration_seconds > 0.5", Unit::Seconds),
        ("count(up)", Unit::Count),
        ("count_over_time(up[5m])", Unit::Count),
        (r#"{__name__="process_resident_memory_bytes"}"#, Unit::Bytes),
        ("up == 0", Unit::Plain),
        ("time()", Unit::Plain),
        ("this is not promql", Unit::Plain),
    ] {
        assert_eq!(Unit::guess(expr), unit, "{expr}");
    }
}

#[test]
fn durations_read_like_people_say_them() {
    let s = Unit::Seconds;
    assert_eq!(s.format(0.35), "350ms");
    assert_eq!(s.format(0.0125), "12.5ms");
    assert_eq!(s.format(1.25), "1.25s");
    assert_eq!(s.format(125.0), "2m 5s");
    assert_eq!(s.format(120.0), "2m");
    assert_eq!(s.format(3.0 * 3600.0 + 20.0 * 60.0), "3h 20m");
    assert_eq!(s.format(2.0 * 86_400.0 + 4.0 * 3600.0), "2d 4h");
    assert_eq!(s.format(0.000_25), "250µs");
    assert_eq!(s.format(0.0), "0s");
    assert_eq!(s.format(-0.5), "-500ms");
    assert_eq!(s.format(0.9999), "1s");
    assert_eq!(s.format(59.99), "1m");
}

#[test]
fn sizes_rates_and_ratios_carry_their_unit() {
    assert_eq!(Unit::Bytes.format(1.5 * 1024.0 * 1024.0), "1.5 MiB");
    assert_eq!(Unit::Bytes.format(512.0), "512 B");
    assert_eq!(Unit::Bytes.format(3.0 * 1024.0_f64.powi(3)), "3 GiB");
    assert_eq!(Unit::BytesPerSecond.format(2048.0), "2 KiB/s");
    assert_eq!(Unit::Ratio.format(0.123), "12.3%");
    assert_eq!(Unit::Ratio.format(1.0), "100%");
    assert_eq!(Unit::Percent.format(12.34), "12.3%");
    assert_eq!(Unit::PerSecond.format(4.2), "4.2/s");
    assert_eq!(Unit::PerSecond.format(1234.0), "1.23k/s");
}

#[test]
fn plain_numbers_use_si_suffixes() {
    let p = Unit::Plain;
    assert_eq!(p.format(0.0), "0");
    assert_eq!(p.format(1.0), "1");
    assert_eq!(p.format(42.0), "42");
    assert_eq!(p.format(0.25), "0.25");
    assert_eq!(p.format(1200.0), "1.2k");
    assert_eq!(p.format(3_400_000.0), "3.4M");
    assert_eq!(p.format(999.7), "1k");
    assert_eq!(p.format(-1500.0), "-1.5k");
    assert_eq!(p.format(0.000_12), "1.20e-4");
    assert_eq!(Unit::Count.format(17.0), "17");
}

#[test]
fn non_finite_values_stay_readable_in_every_unit() {
    for unit in [
        Unit::Seconds,
        Unit::Bytes,
        Unit::PerSecond,
        Unit::Ratio,
        Unit::Plain,
    ] {
        assert_eq!(unit.format(f64::NAN), "NaN");
        assert_eq!(unit.format(f64::INFINITY), "+Inf");
        assert_eq!(unit.format(f64::NEG_INFINITY), "-Inf");
    }
}
