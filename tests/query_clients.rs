//! The Prometheus and Alertmanager clients against real servers, each test with its own
//! processes on free ports (see support/backends.rs); plus the transport's timeout,
//! request id and long-query POST, seen from a listener that records what it is sent.

#[path = "support/backends.rs"]
mod backends;

use std::future::Future;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use chrono::Utc;
use labtui::lab::query::alertmanager::{
    AlertFilter, AlertState as AmState, Matcher, NewSilence, PostableAlert, SilenceState,
};
use labtui::lab::query::prometheus::{AlertState, Rule, RuleHealth, TargetHealth};
use labtui::lab::query::{
    AlertmanagerClient, ClientOptions, PrometheusClient, QueryData, QueryError, QueryWindow,
};

/// Poll `check` until it gives a value; fail after `within` naming `what`.
async fn eventually<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const WAIT: Duration = Duration::from_secs(30);

fn now() -> f64 {
    Utc::now().timestamp_millis() as f64 / 1000.0
}

#[tokio::test]
async fn prometheus_queries_series_labels_targets_and_build() {
    let Some(prom) = backends::prometheus() else {
        return;
    };
    let client = PrometheusClient::new(&prom.url).unwrap();

    // An instant vector: `up` once the first scrape is in.
    let outcome = eventually("a sample of up", WAIT, || async {
        let o = client
            .query("up", QueryWindow::Instant { time: None })
            .await
            .unwrap();
        (!o.data.is_empty()).then_some(o)
    })
    .await;
    let QueryData::Vector(v) = &outcome.data else {
        panic!("not a vector: {:?}", outcome.data)
    };
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].labels["job"], "prometheus");
    assert_eq!(v[0].labels["instance"], format!("127.0.0.1:{}", prom.port));
    assert_eq!(v[0].sample.v, 1.0);
    assert!((v[0].sample.t - now()).abs() < 30.0);
    assert!(
        outcome
            .raw
            .starts_with(r#"{"resultType":"vector","result":[{"metric":{"#)
    );
    assert!(outcome.warnings.is_empty());

    // A range matrix over the last seconds, one point per second.
    let end = now();
    let outcome = eventually("two points of up", WAIT, || async {
        let o = client
            .query(
                "up",
                QueryWindow::Range {
                    start: end - 30.0,
                    end: now(),
                    step: 1.0,
                },
            )
            .await
            .unwrap();
        (o.data.sample_count() >= 2).then_some(o)
    })
    .await;
    let QueryData::Matrix(m) = &outcome.data else {
        panic!("not a matrix: {:?}", outcome.data)
    };
    assert_eq!(m.len(), 1);
    assert!(m[0].samples.iter().all(|s| s.v == 1.0));
    assert!(m[0].samples.windows(2).all(|w| w[1].t - w[0].t == 1.0));

    // A scalar, and a query long enough to go as a POST form.
    let long = vec!["up"; 600].join(" or ");
    let outcome = client
        .query(
            &format!("count({long})"),
            QueryWindow::Instant { time: Some(now()) },
        )
        .await
        .unwrap();
    assert_eq!(outcome.data.series_count(), 1);
    let outcome = client
        .query("scalar(count(up))", QueryWindow::Instant { time: None })
        .await
        .unwrap();
    assert!(matches!(outcome.data, QueryData::Scalar(s) if s.v == 1.0));

    assert!(client.labels().await.unwrap().contains(&"job".to_string()));
    assert_eq!(client.label_values("job").await.unwrap(), ["prometheus"]);
    let series = client.series(&["up"], None, None).await.unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0]["__name__"], "up");

    let targets = client.targets().await.unwrap();
    assert_eq!(targets.active.len(), 1);
    assert_eq!(targets.active[0].health, TargetHealth::Up);
    assert_eq!(targets.active[0].scrape_pool, "prometheus");

    let meta = client
        .metadata(Some("prometheus_http_requests_total"))
        .await
        .unwrap();
    assert_eq!(
        meta["prometheus_http_requests_total"][0].kind,
        labtui::lab::query::prometheus::MetricKind::Counter
    );
    assert!(
        client
            .query_exemplars("up", None, None)
            .await
            .unwrap()
            .is_empty()
    );
    let build = client.buildinfo().await.unwrap();
    assert!(build.version.starts_with("2."), "{build:?}");
}

#[tokio::test]
async fn prometheus_rules_and_alerts() {
    let Some(prom) = backends::prometheus() else {
        return;
    };
    let client = PrometheusClient::new(&prom.url).unwrap();
    let alerts = eventually("the AlwaysFiring alert", WAIT, || async {
        let alerts = client.alerts().await.unwrap();
        alerts
            .iter()
            .any(|a| a.labels["alertname"] == "AlwaysFiring")
            .then_some(alerts)
    })
    .await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].state, AlertState::Firing);
    assert_eq!(alerts[0].value, 1.0);
    assert_eq!(
        alerts[0].annotations["summary"],
        "fires from the first evaluation"
    );
    assert!(alerts[0].active_at.is_some());

    let groups = client.rules().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "test-alerts");
    assert_eq!(groups[0].interval, Duration::from_secs(1));
    let names: Vec<&str> = groups[0].rules.iter().map(Rule::name).collect();
    assert_eq!(names, ["AlwaysFiring", "NeverFiring", "job:up:sum"]);
    let Rule::Alerting(never) = &groups[0].rules[1] else {
        panic!("not an alerting rule")
    };
    assert_eq!(never.for_duration, Duration::from_secs(300));
    assert_eq!(never.state, AlertState::Inactive);
    assert!(never.alerts.is_empty());
    let Rule::Recording(rec) = &groups[0].rules[2] else {
        panic!("not a recording rule")
    };
    assert_eq!(rec.query, "sum by (job) (up)");
    assert_eq!(rec.health, RuleHealth::Ok);
}

#[tokio::test]
async fn a_parse_error_is_prometheus_own_message() {
    let Some(prom) = backends::prometheus() else {
        return;
    };
    let client = PrometheusClient::new(&prom.url).unwrap();
    let err = client
        .query("sum(rate(up[5m])", QueryWindow::Instant { time: None })
        .await
        .unwrap_err();
    assert_eq!(
        err,
        QueryError::Server {
            status: 400,
            error_type: Some("bad_data".into()),
            message: "invalid parameter \"query\": 1:17: parse error: unclosed left parenthesis"
                .into()
        }
    );
    assert_eq!(err.exit_code(), 1);
    // Execution errors too: a range query with too many points.
    let err = client
        .query(
            "up",
            QueryWindow::Range {
                start: 0.0,
                end: now(),
                step: 1.0,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, QueryError::Server { status: 400, message, .. } if message.contains("exceeded maximum resolution of 11,000 points")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_url_is_named() {
    let url = format!("http://127.0.0.1:{}", backends::closed_port());
    let client = PrometheusClient::new(&url).unwrap();
    let err = client
        .query("up", QueryWindow::Instant { time: None })
        .await
        .unwrap_err();
    assert_eq!(
        err,
        QueryError::Unreachable {
            backend: "Prometheus".into(),
            url: url.clone(),
            message: "connection refused".into()
        }
    );
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains(&url));
    assert!(err.to_string().contains("labtui up"));
    let am = AlertmanagerClient::new(&url).unwrap();
    assert!(matches!(
        am.silences().await,
        Err(QueryError::Unreachable { backend, .. }) if backend == "Alertmanager"
    ));
}

/// A listener that accepts one connection and hands back what it read; it answers with
/// `reply`, or not at all when `reply` is None.
fn recorder(reply: Option<&'static str>) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        match reply {
            Some(body) => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
            // Silent: hold the connection until the client gives up and closes it.
            None => {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let _ = stream.read(&mut buf);
            }
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    (url, handle)
}

#[tokio::test]
async fn requests_carry_their_id_and_long_queries_go_as_a_form() {
    let body = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
    let (url, seen) = recorder(Some(body));
    let client = PrometheusClient::new(&url).unwrap();
    let outcome = client
        .query_with_id(42, "up", QueryWindow::Instant { time: Some(1.5) })
        .await
        .unwrap();
    assert!(outcome.data.is_empty());
    let request = seen.join().unwrap().to_ascii_lowercase();
    assert!(
        request.starts_with("get /api/v1/query?query=up&time=1.5 "),
        "{request}"
    );
    assert!(request.contains("x-request-id: labtui-42\r\n"), "{request}");

    let (url, seen) = recorder(Some(body));
    let client = PrometheusClient::new(&url).unwrap();
    let long = vec!["up"; 600].join(" or ");
    client
        .query(&long, QueryWindow::Instant { time: None })
        .await
        .unwrap();
    let request = seen.join().unwrap().to_ascii_lowercase();
    assert!(request.starts_with("post /api/v1/query "), "{request}");
    assert!(request.contains("x-request-id: labtui-1\r\n"), "{request}");
    assert!(request.contains("content-type: application/x-www-form-urlencoded\r\n"));
    assert!(request.contains("\r\n\r\nquery=up+or+up+or+"), "{request}");
    assert!(request.ends_with("+or+up"));
}

#[tokio::test]
async fn a_backend_that_does_not_answer_times_out() {
    let (url, _seen) = recorder(None);
    let client = PrometheusClient::with_options(
        &url,
        &ClientOptions {
            timeout: Duration::from_millis(200),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    let err = client
        .query("up", QueryWindow::Instant { time: None })
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        err,
        QueryError::Timeout {
            backend: "Prometheus".into(),
            url,
            after: Duration::from_millis(200)
        }
    );
    assert_eq!(err.exit_code(), 2);
}

#[tokio::test]
async fn alertmanager_silences_alerts_groups_and_status() {
    let Some(am) = backends::alertmanager() else {
        return;
    };
    let client = AlertmanagerClient::new(&am.url).unwrap();
    let status = client.status().await.unwrap();
    assert!(status.version_info.version.starts_with("0."), "{status:?}");
    assert_eq!(status.cluster.status, "disabled");
    assert!(
        status.config.original.contains("receiver: \"null\""),
        "{}",
        status.config.original
    );
    assert_eq!(client.receivers().await.unwrap(), ["null"]);

    // An alert posted, then seen in its group.
    let labels = |name: &str| {
        [("alertname", name), ("service", "checkout")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    client
        .post_alerts(&[PostableAlert {
            labels: labels("CheckoutSlow"),
            annotations: Default::default(),
            starts_at: None,
            ends_at: None,
            generator_url: None,
        }])
        .await
        .unwrap();
    let groups = eventually("the posted alert's group", WAIT, || async {
        let groups = client.alert_groups().await.unwrap();
        (!groups.is_empty()).then_some(groups)
    })
    .await;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].labels["alertname"], "CheckoutSlow");
    assert_eq!(groups[0].receiver.name, "null");
    assert_eq!(groups[0].alerts[0].labels["service"], "checkout");

    // Create a silence, list it, expire it.
    let start = Utc::now();
    let id = client
        .create_silence(&NewSilence {
            matchers: vec![Matcher::equal("alertname", "CheckoutSlow")],
            starts_at: start,
            ends_at: start + chrono::Duration::hours(1),
            created_by: "labtui tests".into(),
            comment: "quiet while we look".into(),
        })
        .await
        .unwrap();
    assert!(!id.is_empty());
    let silences = client.silences().await.unwrap();
    let silence = silences
        .iter()
        .find(|s| s.id == id)
        .expect("the new silence");
    assert_eq!(silence.status.state, SilenceState::Active);
    assert_eq!(silence.created_by, "labtui tests");
    assert_eq!(silence.comment, "quiet while we look");
    assert_eq!(
        silence.matchers,
        [Matcher::equal("alertname", "CheckoutSlow")]
    );

    let silenced = eventually("the alert to be silenced", WAIT, || async {
        let alerts = client
            .alerts(&AlertFilter {
                matchers: vec!["alertname=\"CheckoutSlow\"".into()],
                ..AlertFilter::default()
            })
            .await
            .unwrap();
        alerts
            .into_iter()
            .find(|a| a.status.state == AmState::Suppressed)
    })
    .await;
    assert_eq!(silenced.status.silenced_by, std::slice::from_ref(&id));

    client.expire_silence(&id).await.unwrap();
    let expired = client.silences().await.unwrap();
    let silence = expired.iter().find(|s| s.id == id).expect("the silence");
    assert_eq!(silence.status.state, SilenceState::Expired);

    // Alertmanager's own words for a bad request.
    let err = client.expire_silence("not-a-silence").await.unwrap_err();
    assert!(
        matches!(&err, QueryError::Server { status, message, .. } if (400..500).contains(status) && !message.is_empty()),
        "{err:?}"
    );
    let err = client
        .alerts(&AlertFilter {
            matchers: vec!["{{bad".into()],
            ..AlertFilter::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&err, QueryError::Server { status: 400, .. }),
        "{err:?}"
    );
}
