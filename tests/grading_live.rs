//! Grading against a real lab: the native Prometheus scraping the shop (one lab shared by
//! every case, killed on drop even when an assertion fails), graded with the
//! slow-checkout challenge's own questions. Also: a backend that never answers is a
//! wrong answer that says so, not a hang.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;
use std::time::Duration;

use labtui::lab::content::{Catalog, Expectation, ItemRef, Question};
use labtui::lab::grading::{Backends, Verdict, grade_question};
use labtui::lab::query::{ClientOptions, PrometheusClient, QueryData, QueryWindow};
use labtui::lab::stack::Runtime;
use shop_support::{ShopLab, wait_for};
use tools::installed;

const CHARGE: &str =
    r#"http_request_duration_seconds_bucket{service="payments", method="POST", route="/charge"}"#;

/// The slow-checkout challenge's question `id`, as shipped.
fn question(id: &str) -> Question {
    let (catalog, problems) = Catalog::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(problems.is_empty(), "{problems:#?}");
    let Some(ItemRef::Challenge(challenge)) = catalog.find("slow-checkout") else {
        panic!("no slow-checkout challenge");
    };
    challenge
        .questions
        .iter()
        .find(|q| q.id == id)
        .cloned()
        .unwrap_or_else(|| panic!("no question {id}"))
}

fn reference(q: &Question) -> &str {
    match &q.expect {
        Expectation::Query { reference, .. } => reference,
        Expectation::Number {
            reference: Some(r), ..
        } => r,
        other => panic!("no reference: {other:?}"),
    }
}

#[track_caller]
fn assert_full(v: &Verdict, what: &str) {
    assert!(
        v.correct && v.earned == v.max && v.max > 0.0,
        "{what} should score full marks: {v:#?}"
    );
}

#[track_caller]
fn assert_zero(v: &Verdict, what: &str, needle: &str) {
    assert!(
        !v.correct && v.earned == 0.0,
        "{what} should score 0: {v:#?}"
    );
    assert!(
        v.feedback.iter().any(|f| f.contains(needle)),
        "{what}: feedback should mention {needle:?}: {:#?}",
        v.feedback
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slow_checkout_questions_grade_against_the_running_shop() {
    let Some(prometheus) = installed(&["prometheus"]) else {
        return;
    };
    let Some(alertmanager) = installed(&["alertmanager", "prometheus-alertmanager"]) else {
        return;
    };
    let (lab, state) = ShopLab::started(&[prometheus, alertmanager], 15.0, &["prometheus"]).await;
    let url = state.url("prometheus").expect("prometheus url").to_string();
    let backends = Backends::from_urls(Some(&url), None, None).expect("clients");
    let client = backends.prometheus.clone().expect("prometheus client");

    let p95_query = question("charge-p95-query");
    let p95 = question("charge-p95");
    // Checkouts are a part of the random traffic: wait until the reference has a value.
    let at = wait_for(
        "a value of the charge-p95 reference",
        Duration::from_secs(120),
        || {
            let (client, expr) = (client.clone(), reference(&p95_query).to_owned());
            async move {
                let at = chrono::Utc::now().timestamp() as f64;
                let value = single(&client, &expr, at).await?;
                value.is_finite().then_some(at)
            }
        },
    )
    .await;
    let grade = |q: &Question, answer: String| {
        let (expect, points, backends) = (q.expect.clone(), q.points, backends.clone());
        async move { grade_question(&expect, points, &answer, &backends, at).await }
    };

    let v = grade(&p95_query, reference(&p95_query).to_owned()).await;
    assert_full(&v, "the reference");

    let rewrite = format!("histogram_quantile(0.95, sum(rate({CHARGE}[5m])) by (le))");
    assert_full(&grade(&p95_query, rewrite).await, "the rewrite");

    // Grouping by labels the selector pins to one value splits nothing: still one series.
    let pinned =
        format!("histogram_quantile(0.95, sum by (le, service, route) (rate({CHARGE}[5m])))");
    assert_full(
        &grade(&p95_query, pinned).await,
        "grouping by pinned labels",
    );

    // A window shorter than the 5 s scrape interval holds one sample: rate() has nothing.
    let wrong_window = format!("histogram_quantile(0.95, sum by (le) (rate({CHARGE}[2s])))");
    let v = grade(&p95_query, wrong_window).await;
    assert_zero(&v, "a too short window", "your query returned nothing");

    let unaggregated = format!("histogram_quantile(0.95, rate({CHARGE}[5m]))");
    let v = grade(&p95_query, unaggregated).await;
    assert_zero(&v, "no aggregation", "aggregate, e.g. with sum by (le)");

    let wrong_metric = format!(
        "histogram_quantile(0.95, sum by (le) (rate({}[5m])))",
        CHARGE.replace("_seconds_bucket", "_bucket")
    );
    let v = grade(&p95_query, wrong_metric).await;
    assert_zero(&v, "a wrong metric", "check the metric name");

    let broken = format!("histogram_quantile(0.95, sum by (le) (rate({CHARGE}[5m]))");
    let v = grade(&p95_query, broken).await;
    assert_zero(&v, "a syntax error", "the query does not run: ");
    assert!(v.feedback[0].contains("parse error"), "{v:#?}");

    let value = single(&client, reference(&p95), at)
        .await
        .expect("the p95 at the grading time");
    let in_ms = format!("{:.0} ms", value * 1000.0);
    assert_full(&grade(&p95, in_ms.clone()).await, &in_ms);
    let v = grade(&p95, format!("{}", value * 3.0)).await;
    assert_zero(&v, "three times the p95", "too high");

    lab.rt.down(&state).await.unwrap();
}

/// The one value of an instant query at `at`, if it has exactly one.
async fn single(client: &PrometheusClient, expr: &str, at: f64) -> Option<f64> {
    let outcome = client
        .query(expr, QueryWindow::Instant { time: Some(at) })
        .await
        .ok()?;
    match outcome.data {
        QueryData::Vector(v) if v.len() == 1 => Some(v[0].sample.v),
        _ => None,
    }
}

#[tokio::test]
async fn a_backend_that_never_answers_is_a_wrong_answer_not_a_hang() {
    // Accepts connections and never writes a byte.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let options = ClientOptions::with_timeout(Duration::from_secs(1));
    let backends = Backends {
        prometheus: Some(PrometheusClient::with_options(&url, &options).expect("client")),
        loki: None,
        tempo: None,
    };
    let q = question("charge-p95-query");
    let v = tokio::time::timeout(
        Duration::from_secs(20),
        grade_question(&q.expect, q.points, "up", &backends, 1.0e9),
    )
    .await
    .expect("grading gave up in time");
    assert_zero(&v, "a stuck backend", "took longer than 1s");

    let p95 = question("charge-p95");
    let v = grade_question(&p95.expect, p95.points, "0.9", &backends, 1.0e9).await;
    assert_zero(&v, "a stuck backend", "took longer than 1s");

    let v = grade_question(&q.expect, q.points, "up", &Backends::default(), 1.0e9).await;
    assert_zero(&v, "no Prometheus", "Prometheus is not connected");
    held.abort();
}
