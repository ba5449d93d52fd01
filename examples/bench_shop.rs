//! Checkout throughput of the shop with telemetry export on and off.
//!
//! `cargo build --release && cargo run --release --example bench_shop [SECONDS] [CLIENTS]`
//!
//! Starts storefront, orders, payments, inventory and fulfillment (release labtui binary)
//! on free ports, twice per round: "off" exports nothing (metrics are still counted: they
//! cannot be switched off), "on" sends every span over OTLP/HTTP and every log line to a
//! Loki-shaped endpoint, both answered by a local sink. CLIENTS concurrent clients post
//! checkouts for SECONDS; throughput counts answered checkouts (2xx and 4xx).

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use labtui::lab::shop::Service;
use labtui::lab::shop::launch::{LabTelemetry, ShopLaunch, ShopNetwork, processes};
use labtui::lab::stack::ports::free_ports;

type Error = Box<dyn std::error::Error>;

/// Kills the shop when a run ends, however it ends.
struct Shop(Vec<Child>);

impl Drop for Shop {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(10);
    let clients: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(8);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let sink = start_sink().await?;
        println!("checkout throughput, {clients} clients, {seconds} s per run");
        let mut totals: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for round in 1..=2 {
            for (mode, telemetry) in [("off", None), ("on", Some(sink.as_str()))] {
                let rps = run(telemetry, seconds, clients).await?;
                println!("  round {round}, telemetry {mode:>3}: {rps:8.1} checkouts/s");
                totals.entry(mode).or_default().push(rps);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let off = mean(&totals["off"]);
        let on = mean(&totals["on"]);
        println!(
            "mean: off {off:.1}/s, on {on:.1}/s, overhead {:.1} % (target ≤ 15 %)",
            (off - on) / off * 100.0
        );
        Ok(())
    })
}

/// An OTLP and Loki stand-in that accepts everything, so export cost is real but the
/// receiver is not the bottleneck.
async fn start_sink() -> Result<String, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new().fallback(|| async { StatusCode::OK });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

async fn run(telemetry: Option<&str>, seconds: u64, clients: usize) -> Result<f64, Error> {
    let dir = tempfile::tempdir()?;
    let exe = std::env::current_exe()?;
    let program = exe
        .parent()
        .and_then(|examples| examples.parent())
        .map(|release| release.join("labtui"))
        .ok_or("cannot find the labtui binary next to the examples")?;
    let mut launch = ShopLaunch::new(program);
    if let Some(sink) = telemetry {
        launch.otlp_endpoint = Some(format!("{sink}/v1/traces"));
        launch.loki_url = Some(sink.to_string());
    }
    let services: Vec<Service> = Service::ALL
        .into_iter()
        .filter(|s| *s != Service::Traffic)
        .collect();
    let ports: BTreeMap<Service, u16> = services
        .iter()
        .copied()
        .zip(free_ports(services.len())?)
        .collect();
    let mut shop = Shop(Vec::new());
    for process in processes(
        &launch,
        dir.path(),
        &ports,
        &LabTelemetry::default(),
        ShopNetwork::Loopback,
    ) {
        let child = Command::new(&process.command[0])
            .args(&process.command[1..])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        shop.0.push(child);
    }
    let client = reqwest::Client::new();
    for port in ports.values() {
        wait_healthy(&client, *port).await?;
    }
    let storefront = format!("http://127.0.0.1:{}/checkout", ports[&Service::Storefront]);
    // Warm up connections, caches and the databases first.
    hammer(&client, &storefront, clients, Duration::from_secs(2)).await;
    let done = hammer(&client, &storefront, clients, Duration::from_secs(seconds)).await;
    drop(shop);
    Ok(done as f64 / seconds as f64)
}

async fn wait_healthy(client: &reqwest::Client, port: u16) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let url = format!("http://127.0.0.1:{port}/health");
    while Instant::now() < deadline {
        if client
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{url} did not answer in 20 s").into())
}

/// Posts checkouts from `clients` tasks until `length` passes; returns how many were answered.
async fn hammer(client: &reqwest::Client, url: &str, clients: usize, length: Duration) -> u64 {
    let answered = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + length;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (client, url, answered) = (client.clone(), url.to_string(), answered.clone());
            tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < end {
                    let body = serde_json::json!({
                        "user_id": format!("u-{c:04}"),
                        "items": [{"product_id": 1 + (n % 20), "quantity": 1}]
                    });
                    let response = client
                        .post(&url)
                        .header("x-user-id", format!("u-{c:04}"))
                        .header("x-country", "DE")
                        .json(&body)
                        .send()
                        .await;
                    if response.is_ok_and(|r| !r.status().is_server_error()) {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    n += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    answered.load(Ordering::Relaxed)
}
