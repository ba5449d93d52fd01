//! The orders service's batch job (the revenue rollup) in a real lab: the shop's processes
//! scraped by the real Prometheus, spans sent to a local OTLP receiver. Runs succeed and
//! their `batch_job_*` series reach Prometheus; a run is one trace with extract, transform
//! and load spans and JSON log lines per stage; `job_partial` turns runs partial and the
//! loaded rows fall behind; `job_stall` holds a run in its load stage so the last-success
//! timestamp stops moving; clearing each brings successes back. Every wait polls with a
//! deadline; no test asserts how long anything took.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::collections::BTreeSet;
use std::time::Duration;

use labtui::lab::faults;
use labtui::lab::stack::{LabState, Runtime};
use shop_support::{
    ShopLab, SpanRow, client, fault, log_lines, receiver, shop_launch, shows, wait_for,
};
use tools::installed;

const JOB: &str = r#"batch_job="revenue_rollup""#;

/// The value of one series in the orders service's own exposition (None when absent).
async fn scraped(http: &reqwest::Client, orders: &str, series: &str) -> Option<f64> {
    let text = http
        .get(format!("{orders}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

fn series(name: &str, extra: &str) -> String {
    if extra.is_empty() {
        format!("{name}{{{JOB}}}")
    } else {
        format!("{name}{{{JOB},{extra}}}")
    }
}

/// The spans of the first trace whose root is a run and that has all three stages.
fn a_complete_run(spans: &[SpanRow]) -> Option<Vec<SpanRow>> {
    spans
        .iter()
        .filter(|s| s.name == "run revenue_rollup" && s.parent.is_empty())
        .find_map(|root| {
            let trace: Vec<SpanRow> = spans
                .iter()
                .filter(|s| s.trace_id == root.trace_id)
                .cloned()
                .collect();
            let stages: BTreeSet<&str> = trace
                .iter()
                .filter(|s| s.parent == root.span_id)
                .map(|s| s.name.as_str())
                .collect();
            let loaded = root
                .attributes
                .get("app.rows_loaded")
                .is_some_and(|n| n != "0");
            (loaded
                && ["extract", "transform", "load"]
                    .iter()
                    .all(|s| stages.contains(s)))
            .then_some(trace)
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollup_runs_and_its_faults_show_in_metrics_logs_and_traces() {
    let Some(prometheus) = installed(&["prometheus"]) else {
        return;
    };
    let Some(alertmanager) = installed(&["alertmanager", "prometheus-alertmanager"]) else {
        return;
    };
    let (base, received) = receiver().await;
    let mut launch = shop_launch();
    launch.otlp_endpoint = Some(format!("{base}/v1/traces"));
    launch.traffic_rps = Some(20.0);
    launch.rollup_interval_s = Some(3);
    let lab = ShopLab::new(&[prometheus, alertmanager], launch);
    let plan = lab.plan();
    lab.up(&plan).await;
    let state = LabState::load(&lab.dirs).unwrap().expect("state");
    let prom = state.url("prometheus").expect("prometheus").to_string();
    let orders = state.url("shop-orders").expect("orders").to_string();
    let http = client();

    // Runs succeed, write rows, and Prometheus has the job's series with its interval.
    let healthy = format!(
        "batch_job_runs_total{{{JOB}, status=\"success\"}} >= 2 \
         and on (batch_job) batch_job_rows_processed_total{{{JOB}, stage=\"load\"}} > 0 \
         and on (batch_job) batch_job_interval_seconds{{{JOB}}} == 3 \
         and on (batch_job) batch_job_last_success_timestamp_seconds{{{JOB}}} > 0"
    );
    wait_for(
        "successful runs in Prometheus",
        Duration::from_secs(90),
        || {
            let (http, prom, q) = (http.clone(), prom.clone(), healthy.clone());
            async move { shows(&http, &prom, &q).await.then_some(()) }
        },
    )
    .await;

    // A run is one trace: the root, its three stages, the load's writes below it.
    let run = wait_for("a run's trace", Duration::from_secs(60), || {
        let spans = received.lock().unwrap().spans.clone();
        async move { a_complete_run(&spans) }
    })
    .await;
    let root = run.iter().find(|s| s.parent.is_empty()).unwrap();
    assert_eq!(root.service, "orders");
    assert_eq!(root.attributes["app.batch_job"], "revenue_rollup");
    assert_eq!(root.attributes["app.run_status"], "success");
    let load = run.iter().find(|s| s.name == "load").unwrap();
    assert!(
        run.iter()
            .any(|s| s.name == "INSERT revenue_rollup" && s.parent == load.span_id),
        "{run:#?}"
    );
    // Its log lines: one start and one finish per stage, all carrying the run's trace id.
    let data_dir = lab.data_dir();
    let lines: Vec<serde_json::Value> = log_lines(&data_dir)
        .into_iter()
        .filter(|l| l["trace_id"] == root.trace_id.as_str())
        .collect();
    for stage in ["extract", "transform", "load"] {
        for message in ["job stage started", "job stage finished"] {
            assert!(
                lines.iter().any(|l| l["message"] == message
                    && l["stage"] == stage
                    && l["batch_job"] == "revenue_rollup"),
                "no `{message}` for {stage}: {lines:#?}"
            );
        }
    }
    let finished = lines
        .iter()
        .find(|l| l["message"] == "job run finished")
        .expect("the run's last line");
    assert_eq!(
        (finished["status"].as_str(), finished["level"].as_str()),
        (Some("success"), Some("info"))
    );

    // job_partial: runs end partial (or failed), fewer rows are loaded than transformed,
    // and every failed batch has its error line.
    let partial = faults::inject(
        &lab.dirs,
        fault("job_partial", "orders", &[("share", "0.5")]),
    )
    .await
    .expect("inject job_partial");
    let behind = format!(
        "sum(batch_job_rows_processed_total{{{JOB}, stage=\"transform\"}}) \
         - sum(batch_job_rows_processed_total{{{JOB}, stage=\"load\"}}) > 0"
    );
    for expr in [partial.symptom_query.clone(), behind] {
        wait_for(&expr, Duration::from_secs(90), || {
            let (http, prom, q) = (http.clone(), prom.clone(), expr.clone());
            async move { shows(&http, &prom, &q).await.then_some(()) }
        })
        .await;
    }
    let lines = log_lines(&data_dir);
    assert!(
        lines.iter().any(|l| l["message"] == "job load batch failed"
            && l["level"] == "error"
            && l["error"]
                .as_str()
                .is_some_and(|e| e.contains("injected failure"))),
        "no failed batch line"
    );
    assert!(lines.iter().any(|l| {
        l["message"] == "job run finished"
            && l["status"]
                .as_str()
                .is_some_and(|s| s == "partial" || s == "failed")
    }));
    // Cleared: the next run succeeds again.
    let successes = series("batch_job_runs_total", r#"status="success""#);
    let before = scraped(&http, &orders, &successes)
        .await
        .expect("success count");
    faults::clear(&lab.dirs, Some("job_partial"))
        .await
        .expect("clear job_partial");
    wait_for(
        "a success after job_partial",
        Duration::from_secs(60),
        || {
            let (http, orders, successes) = (http.clone(), orders.clone(), successes.clone());
            async move {
                let now = scraped(&http, &orders, &successes).await?;
                (now > before).then_some(())
            }
        },
    )
    .await;

    // job_stall: a run hangs in load, so the last success stops moving.
    let stall = faults::inject(
        &lab.dirs,
        fault("job_stall", "orders", &[("stage", "load")]),
    )
    .await
    .expect("inject job_stall");
    let in_progress = series("batch_job_in_progress", "");
    let last_success = series("batch_job_last_success_timestamp_seconds", "");
    // A run reaches the load stage and stays there.
    wait_for("a run stuck in load", Duration::from_secs(60), || {
        let data_dir = data_dir.clone();
        let (http, orders, in_progress) = (http.clone(), orders.clone(), in_progress.clone());
        async move {
            let running = scraped(&http, &orders, &in_progress).await? == 1.0;
            let last_job_line = log_lines(&data_dir)
                .into_iter()
                .rev()
                .find(|l| l["batch_job"] == "revenue_rollup")?;
            let stuck =
                last_job_line["message"] == "job stage started" && last_job_line["stage"] == "load";
            (running && stuck).then_some(())
        }
    })
    .await;
    let stuck_at = scraped(&http, &orders, &last_success)
        .await
        .expect("last success");
    wait_for(&stall.symptom_query, Duration::from_secs(90), || {
        let (http, prom, q) = (http.clone(), prom.clone(), stall.symptom_query.clone());
        async move { shows(&http, &prom, &q).await.then_some(()) }
    })
    .await;
    assert_eq!(
        scraped(&http, &orders, &last_success).await,
        Some(stuck_at),
        "the last success moved during the stall"
    );
    // Cleared: the stuck run finishes and the timestamp moves again.
    faults::clear(&lab.dirs, Some("job_stall"))
        .await
        .expect("clear job_stall");
    wait_for("a success after job_stall", Duration::from_secs(60), || {
        let (http, orders, last_success) = (http.clone(), orders.clone(), last_success.clone());
        async move {
            let now = scraped(&http, &orders, &last_success).await?;
            (now > stuck_at).then_some(())
        }
    })
    .await;
    wait_for("the symptom gone", Duration::from_secs(60), || {
        let (http, prom, q) = (http.clone(), prom.clone(), stall.symptom_query.clone());
        async move { (!shows(&http, &prom, &q).await).then_some(()) }
    })
    .await;
    lab.rt.down(&state).await.unwrap();
}
