//! Every fault of the catalogue against a real lab: the shop's processes scraped by the
//! real Prometheus (5 s scrape interval). For each fault: inject, wait (bounded, polling)
//! until its documented symptom query returns data, clear, and wait until it returns none.
//! Faults run in groups, on different services, one lab per test, so the tests run in
//! parallel. Also: TTL expiry, the ledger cleanup after a killed labtui, the admin token,
//! and loopback-only listeners.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::time::Duration;

use labtui::lab::faults::{self, ledger};
use labtui::lab::shop::{Service, token};
use labtui::lab::stack::{LabState, Runtime};
use shop_support::{
    ShopLab, client, database_dependency_and_resource_faults, fault, listening_addresses,
    lock_and_release_faults, request_path_faults, run_group, shop_launch, shows, wait_for,
};
use tools::installed;

/// A lab with Prometheus, Alertmanager and the shop at `rps`, up and scraped.
async fn lab_with_prometheus(rps: f64) -> Option<(ShopLab, LabState, String)> {
    let prometheus = installed(&["prometheus"])?;
    let alertmanager = installed(&["alertmanager", "prometheus-alertmanager"])?;
    let mut launch = shop_launch();
    launch.traffic_rps = Some(rps);
    // The batch job's faults show within a few intervals: keep them short.
    launch.rollup_interval_s = Some(5);
    let lab = ShopLab::new(&[prometheus, alertmanager], launch);
    let plan = lab.plan();
    lab.up(&plan).await;
    let state = LabState::load(&lab.dirs).unwrap().expect("state");
    let prom = state.url("prometheus").expect("prometheus").to_string();
    let http = client();
    let every = "count(up{job=~\"storefront|orders|payments|inventory|fulfillment|traffic|alertmanager\"} == 1) == 7";
    wait_for("every target up", Duration::from_secs(60), || {
        let (http, prom) = (http.clone(), prom.clone());
        async move { shows(&http, &prom, every).await.then_some(()) }
    })
    .await;
    // The job's staleness is measured from its last success: wait for the first one.
    let succeeded = "batch_job_last_success_timestamp_seconds{batch_job=\"revenue_rollup\"} > 0";
    wait_for(
        "the batch job's first success",
        Duration::from_secs(60),
        || {
            let (http, prom) = (http.clone(), prom.clone());
            async move { shows(&http, &prom, succeeded).await.then_some(()) }
        },
    )
    .await;
    Some((lab, state, prom))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_path_faults_show_and_recover() {
    let Some((lab, state, prom)) = lab_with_prometheus(30.0).await else {
        return;
    };
    run_group(&lab.dirs, &prom, request_path_faults()).await;
    lab.rt.down(&state).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_dependency_and_resource_faults_show_and_recover() {
    let Some((lab, state, prom)) = lab_with_prometheus(30.0).await else {
        return;
    };
    run_group(&lab.dirs, &prom, database_dependency_and_resource_faults()).await;
    lab.rt.down(&state).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_and_release_faults_show_and_recover() {
    let Some((lab, state, prom)) = lab_with_prometheus(30.0).await else {
        return;
    };
    run_group(&lab.dirs, &prom, lock_and_release_faults()).await;
    lab.rt.down(&state).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_and_stack_faults_show_and_recover() {
    let Some((lab, state, prom)) = lab_with_prometheus(5.0).await else {
        return;
    };
    run_group(
        &lab.dirs,
        &prom,
        vec![
            fault("crash", "payments", &[]),
            fault("stack_stop", "alertmanager", &[]),
            fault("stack_pause", "shop-inventory", &[]),
            fault("stack_kill", "shop-fulfillment", &[]),
            fault("job_stall", "orders", &[("stage", "load")]),
        ],
    )
    .await;
    let state = LabState::load(&lab.dirs).unwrap().unwrap_or(state);
    lab.rt.down(&state).await.unwrap();
}

/// `restart=loop`: the service comes back and crashes again (same pid, counters reset,
/// one `service started` line per run) until the fault is cleared; then it stays up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_loop_restarts_the_service_until_cleared() {
    let Some((lab, state, prom)) = lab_with_prometheus(20.0).await else {
        return;
    };
    let http = client();
    let pid = state.component("shop-payments").unwrap().pid.unwrap();
    let log = lab.data_dir().join("lab/logs/shop-payments.log");
    let starts = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("\"service started\"")
            .count()
    };
    let before = starts();
    let looping = faults::inject(
        &lab.dirs,
        fault("crash", "payments", &[("restart", "loop"), ("up_s", "3")]),
    )
    .await
    .expect("inject the loop");
    wait_for("three restarts", Duration::from_secs(60), || {
        let n = starts();
        async move { (n >= before + 3).then_some(()) }
    })
    .await;
    assert!(
        labtui::lab::stack::proc::info(pid).is_some(),
        "the loop restarts in place: pid {pid} is still the service"
    );
    // What a learner sees in Prometheus: the target goes down, and counters start over.
    for expr in [
        looping.symptom_query.as_str(),
        "resets(http_requests_total{service=\"payments\"}[2m]) > 0",
    ] {
        wait_for(expr, Duration::from_secs(90), || {
            let (http, prom) = (http.clone(), prom.clone());
            async move { shows(&http, &prom, expr).await.then_some(()) }
        })
        .await;
    }
    faults::clear(&lab.dirs, Some("crash"))
        .await
        .expect("clear");
    let up = "up{job=\"payments\"} == 1";
    wait_for("payments up again", Duration::from_secs(60), || {
        let (http, prom) = (http.clone(), prom.clone());
        async move { shows(&http, &prom, up).await.then_some(()) }
    })
    .await;
    // Cleared means cleared: no further run starts (each would come within up_s + 16 s).
    let settled = starts();
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(starts(), settled, "the loop went on after it was cleared");
    assert!(
        !lab.data_dir()
            .join("lab/shop/crash-loop-payments.json")
            .exists()
    );
    lab.rt.down(&state).await.unwrap();
}

fn admin_url(state: &LabState, service: Service) -> String {
    format!("{}/admin/faults", state.url(&service.component()).unwrap())
}

/// No stack binaries: the shop alone is enough for the admin API, the TTL and the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_ttl_and_ledger_cleanup() {
    // The plan is kept: a second `up` with it later finds the same lab.
    let mut launch = shop_launch();
    launch.traffic_rps = Some(0.0);
    let lab = ShopLab::new(&[], launch);
    let plan = lab.plan();
    lab.up(&plan).await;
    let state = LabState::load(&lab.dirs).unwrap().expect("state");
    let http = client();
    let token = token::read(&lab.data_dir()).unwrap();

    // Every admin endpoint refuses a missing or wrong token; every listener is loopback.
    for service in Service::ALL {
        let url = admin_url(&state, service);
        let none = http.get(&url).send().await.unwrap();
        assert_eq!(none.status().as_u16(), 401, "{service}");
        let wrong = http
            .post(&url)
            .bearer_auth("not-the-token")
            .json(&serde_json::json!({"id": "x", "name": "latency", "target": service.as_str(), "expires_at": "2099-01-01T00:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status().as_u16(), 401, "{service}");
        let del = http.delete(&url).bearer_auth("").send().await.unwrap();
        assert_eq!(del.status().as_u16(), 401, "{service}");
        let ok = http.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(ok.status().as_u16(), 200, "{service}");
        let pid = state.component(&service.component()).unwrap().pid.unwrap();
        let addrs = listening_addresses(pid);
        assert!(!addrs.is_empty());
        for addr in addrs {
            assert!(addr.starts_with("0100007F:"), "{service} listens on {addr}");
        }
    }
    // A fault aimed at another service is refused with the reason.
    let resp = http
        .post(admin_url(&state, Service::Orders))
        .bearer_auth(&token)
        .json(&serde_json::json!({"id": "x", "name": "latency", "target": "payments", "expires_at": "2099-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    // Out-of-range parameters are refused before anything is sent.
    let err = faults::inject(&lab.dirs, fault("latency", "payments", &[("ms", "0")]))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`ms`") && err.contains("1 to 10000 ms"),
        "{err}"
    );

    // TTL: a 3 s fault expires inside the service, and the ledger follows on read.
    let mut req = fault("latency", "storefront", &[("ms", "5")]);
    req.ttl = Some(Duration::from_secs(3));
    let f = faults::inject(&lab.dirs, req).await.unwrap();
    let listed: Vec<serde_json::Value> = http
        .get(admin_url(&state, Service::Storefront))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], f.id);
    assert_eq!(faults::active(&lab.dirs).await.unwrap().len(), 1);
    wait_for(
        "the service to expire the fault",
        Duration::from_secs(15),
        || {
            let (http, url, token) = (
                http.clone(),
                admin_url(&state, Service::Storefront),
                token.clone(),
            );
            async move {
                let list: Vec<serde_json::Value> = http
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .ok()?
                    .json()
                    .await
                    .ok()?;
                list.is_empty().then_some(())
            }
        },
    )
    .await;
    assert!(faults::active(&lab.dirs).await.unwrap().is_empty());
    assert!(ledger::load(&lab.dirs).unwrap().is_empty());

    // A labtui killed after injecting leaves a ledger entry; the next `up` clears it.
    let f = faults::inject(&lab.dirs, fault("errors", "payments", &[("rate", "1")]))
        .await
        .unwrap();
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let dead_pid = child.id();
    child.kill().unwrap();
    child.wait().unwrap();
    let mut entries = ledger::load(&lab.dirs).unwrap();
    assert_eq!(entries.len(), 1);
    entries[0].owner_pid = dead_pid;
    entries[0].owner_start_ticks = Some(1);
    ledger::save(&lab.dirs, &entries).unwrap();
    // The fault is still live in the service until then.
    let status = http
        .post(format!("{}/charge", state.url("shop-payments").unwrap()))
        .json(&serde_json::json!({"amount_cents": 100, "currency": "EUR"}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 503);
    lab.up(&plan).await;
    let cleared = faults::clear_orphans(&lab.dirs).await.unwrap();
    assert_eq!(cleared.len(), 1);
    assert_eq!(cleared[0].id, f.id);
    assert!(ledger::load(&lab.dirs).unwrap().is_empty());
    let listed: Vec<serde_json::Value> = http
        .get(admin_url(&state, Service::Payments))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    lab.rt.down(&state).await.unwrap();
}
