//! What live grading decides before it asks a backend: the reference's shape, a missing
//! backend, an empty or oversized answer, a constant instead of a query.

use super::{assert_sane, assert_wrong};
use crate::lab::content::Expectation;
use crate::lab::grading::live::{MAX_QUERY_BYTES, shape};
use crate::lab::grading::{Backends, grade_question};
use crate::lab::query::{ClientOptions, PrometheusClient, QueryLang};

const P95: &str = r#"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="payments", method="POST", route="/charge"}[5m])))"#;

fn query(lang: QueryLang) -> Expectation {
    Expectation::Query {
        lang,
        reference: P95.into(),
        window: "5m".into(),
    }
}

#[test]
fn the_reference_shape_names_its_selectors_and_aggregation() {
    let s = shape(P95).expect("parses");
    assert!(s.reads_series);
    assert_eq!(s.aggregation.as_deref(), Some("sum by (le)"));
    assert_eq!(
        s.selected.iter().map(String::as_str).collect::<Vec<_>>(),
        ["method", "route", "service"]
    );
    let s = shape("sum without (instance) (up) / 2").expect("parses");
    assert_eq!(s.aggregation.as_deref(), Some("sum without (instance)"));
    assert!(!shape("vector(0.93) * 2").expect("parses").reads_series);
    assert!(shape("sum(").is_none());
}

#[test]
fn grouping_by_a_label_every_selector_pins_is_harmless() {
    let s = shape(r#"sum by (le, service) (rate(x_bucket{service="payments"}[5m]))"#).unwrap();
    assert_eq!(s.harmless().into_iter().collect::<Vec<_>>(), ["service"]);
    // A regex or a second selector without the pin can split: not harmless.
    let s = shape(r#"sum by (le, service) (rate(x_bucket{service=~"pay.*"}[5m]))"#).unwrap();
    assert!(s.harmless().is_empty());
    let s =
        shape(r#"sum by (service) (rate(a{service="p"}[5m])) / sum by (service) (rate(b[5m]))"#)
            .unwrap();
    assert!(s.harmless().is_empty());
    // Pinned but not grouped by: nothing to forgive.
    let s = shape(r#"histogram_quantile(0.95, rate(x_bucket{service="payments"}[5m]))"#).unwrap();
    assert!(s.harmless().is_empty());
}

#[tokio::test]
async fn questions_that_cannot_reach_their_backend_say_which() {
    let none = Backends::default();
    for (lang, backend) in [
        (QueryLang::PromQL, "Prometheus"),
        (QueryLang::LogQL, "Loki"),
        (QueryLang::TraceQL, "Tempo"),
    ] {
        let v = grade_question(&query(lang), 10, "up", &none, 1e9).await;
        assert_wrong(&v, &format!("{backend} is not connected"));
    }
    let number = Expectation::Number {
        value: None,
        reference: Some(P95.into()),
        tolerance: None,
        tolerance_pct: Some(15.0),
        unit: Some("s".into()),
    };
    assert_wrong(
        &grade_question(&number, 10, "0.9", &none, 1e9).await,
        "Prometheus is not connected",
    );
}

#[tokio::test]
async fn answers_rejected_before_any_request() {
    // Nothing listens here; these answers must not need it.
    let prometheus =
        PrometheusClient::with_options("http://127.0.0.1:9", &ClientOptions::default())
            .expect("client");
    let backends = Backends {
        prometheus: Some(prometheus),
        ..Backends::default()
    };
    let q = query(QueryLang::PromQL);
    assert_wrong(
        &grade_question(&q, 10, "  \n", &backends, 1e9).await,
        "no answer",
    );
    let huge = "up or ".repeat(MAX_QUERY_BYTES);
    assert_wrong(
        &grade_question(&q, 10, &huge, &backends, 1e9).await,
        "not graded",
    );
    assert_wrong(
        &grade_question(&q, 10, "0.93", &backends, 1e9).await,
        "reads no series",
    );
    // A fixed kind needs no backend at all.
    let choice = Expectation::Choice {
        options: vec!["a".into(), "b".into()],
        answer: Some("b".into()),
        answers: Vec::new(),
        aliases: Default::default(),
    };
    let v = grade_question(&choice, 10, "B", &Backends::default(), 1e9).await;
    assert_sane(&v);
    assert!(v.correct);
}
