//! The shop scraped by the lab's real Prometheus (native runtime, Prometheus and
//! Alertmanager from the system packages): every shop target is up, traffic shows in
//! `http_requests_total`, the seeds' SLI queries return data, and exemplars carry trace ids.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::time::Duration;

use labtui::lab::shop::Service;
use labtui::lab::stack::Runtime;
use shop_support::{ShopLab, client, query, wait_for};
use tools::installed;

fn value(sample: &serde_json::Value) -> f64 {
    sample["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_every_shop_service_and_the_sli_queries_return_data() {
    let Some(prometheus) = installed(&["prometheus"]) else {
        return;
    };
    let Some(alertmanager) = installed(&["alertmanager", "prometheus-alertmanager"]) else {
        return;
    };
    let (lab, state) = ShopLab::started(
        &[prometheus, alertmanager],
        15.0,
        &["prometheus", "shop-storefront", "shop-traffic"],
    )
    .await;
    let prom = state.url("prometheus").expect("prometheus url").to_string();
    let http = client();

    // Every shop target is scraped, with job = the service's name.
    let jobs = Service::ALL.map(Service::as_str).join("|");
    let up_query = format!("up{{job=~\"{jobs}\"}} == 1");
    wait_for("every shop target up", Duration::from_secs(60), || {
        let (http, prom, q) = (http.clone(), prom.clone(), up_query.clone());
        async move { (query(&http, &prom, &q).await.len() == Service::ALL.len()).then_some(()) }
    })
    .await;
    let rows = query(&http, &prom, &format!("up{{job=~\"{jobs}\"}}")).await;
    for row in &rows {
        assert_eq!(row["metric"]["job"], row["metric"]["service"], "{row}");
    }

    wait_for(
        "traffic in http_requests_total",
        Duration::from_secs(60),
        || {
            let (http, prom) = (http.clone(), prom.clone());
            async move {
                let r = query(&http, &prom, "sum(rate(http_requests_total[1m])) > 0").await;
                (!r.is_empty()).then_some(())
            }
        },
    )
    .await;

    // The seeds' SLI queries, verbatim.
    let availability =
        "100 * (1 - (sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))))";
    let p95 =
        "histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))";
    let db_p95 = "histogram_quantile(0.95, sum(rate(db_query_duration_seconds_bucket[5m])) by (le, operation))";
    let has_ops = |rows: &[serde_json::Value]| {
        let ops: Vec<&str> = rows
            .iter()
            .filter_map(|r| r["metric"]["operation"].as_str())
            .collect();
        ["SELECT", "INSERT", "UPDATE", "DELETE"]
            .iter()
            .all(|op| ops.contains(op))
    };
    for expr in [availability, p95, db_p95] {
        let rows = wait_for(expr, Duration::from_secs(60), || {
            let (http, prom) = (http.clone(), prom.clone());
            async move {
                let r = query(&http, &prom, expr).await;
                let complete = expr != db_p95 || has_ops(&r);
                (complete && !r.is_empty() && r.iter().all(|s| value(s).is_finite())).then_some(r)
            }
        })
        .await;
        if expr == availability {
            let v = value(&rows[0]);
            assert!((0.0..=100.0).contains(&v), "availability {v}");
        }
    }
    // The route-level query of the slow-checkout challenge has data.
    let charge = "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"payments\", method=\"POST\", route=\"/charge\"}[5m])))";
    // Checkouts are a part of the random mix: wait for the first to reach payments.
    wait_for("a /charge latency", Duration::from_secs(60), || {
        let (http, prom) = (http.clone(), prom.clone());
        async move { (!query(&http, &prom, charge).await.is_empty()).then_some(()) }
    })
    .await;
    // Queue and process gauges of the fulfillment worker (a rate needs two scrapes).
    for expr in [
        "max by (queue) (queue_oldest_message_age_seconds)",
        "up{job=\"fulfillment\"}",
        "sum by (job) (rate(process_cpu_seconds_total[5m]))",
    ] {
        wait_for(expr, Duration::from_secs(60), || {
            let (http, prom) = (http.clone(), prom.clone());
            async move { (!query(&http, &prom, expr).await.is_empty()).then_some(()) }
        })
        .await;
    }

    // Exemplars on the latency histogram carry trace ids.
    wait_for(
        "an exemplar with a trace id",
        Duration::from_secs(60),
        || {
            let (http, prom) = (http.clone(), prom.clone());
            async move {
                let now = chrono::Utc::now().timestamp();
                let exemplars: serde_json::Value = http
                    .get(format!("{prom}/api/v1/query_exemplars"))
                    .query(&[
                        ("query", "http_request_duration_seconds_bucket".to_string()),
                        ("start", (now - 600).to_string()),
                        ("end", (now + 60).to_string()),
                    ])
                    .send()
                    .await
                    .ok()?
                    .json()
                    .await
                    .ok()?;
                let found = exemplars["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|series| series["exemplars"].as_array().into_iter().flatten())
                    .filter_map(|e| e["labels"]["trace_id"].as_str())
                    .any(|t| t.len() == 32);
                found.then_some(())
            }
        },
    )
    .await;

    lab.rt.down(&state).await.unwrap();
}
