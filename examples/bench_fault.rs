//! How long from injecting a fault to its symptom in PromQL, with the lab's 5 s scrape
//! interval (target: 20 s or less), for `latency` and `errors`.
//!
//! Needs `prometheus` and `alertmanager` on PATH and the labtui binary built beside this
//! example: `cargo build && cargo run --example bench_fault [ROUNDS]`. Everything runs in a
//! temporary LABTUI_HOME on free ports and is stopped at the end.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use labtui::lab::faults::{self, InjectRequest};
use labtui::lab::paths::Paths;
use labtui::lab::shop::ShopLaunch;
use labtui::lab::stack::{
    LabDirs, LabState, NativeOptions, NativeRuntime, Plan, PlanOptions, Profile, Runtime,
    RuntimeKind, StackSpec,
};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

async fn shows(http: &reqwest::Client, prom: &str, expr: &str) -> bool {
    let Ok(resp) = http
        .get(format!("{prom}/api/v1/query"))
        .query(&[("query", expr)])
        .send()
        .await
    else {
        return false;
    };
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    body["data"]["result"]
        .as_array()
        .is_some_and(|r| !r.is_empty())
}

async fn until(http: &reqwest::Client, prom: &str, expr: &str, want: bool) -> Res<Duration> {
    let start = Instant::now();
    while shows(http, prom, expr).await != want {
        if start.elapsed() > Duration::from_secs(120) {
            return Err(format!("no answer within 120 s for {expr}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(start.elapsed())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[tokio::main]
async fn main() -> Res<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let exe = std::env::current_exe()?;
    let labtui = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("labtui"))
        .filter(|p| p.is_file())
        .ok_or("build the labtui binary first: cargo build")?;
    let home = tempfile::tempdir()?;
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin)?;
    for names in [
        &["prometheus"][..],
        &["alertmanager", "prometheus-alertmanager"],
    ] {
        let path = names
            .iter()
            .find_map(|n| which(n))
            .ok_or(format!("{} is not on PATH", names[0]))?;
        let name = path.file_name().ok_or("a binary path")?;
        std::os::unix::fs::symlink(&path, bin.join(name))?;
    }
    let dirs = LabDirs::new(&Paths::under(&home.path().join("home")));
    let mut launch = ShopLaunch::new(labtui);
    launch.traffic_rps = Some(30.0);
    let rt = NativeRuntime::new(
        dirs.clone(),
        NativeOptions {
            binaries: BTreeMap::new(),
            search_path: Some(bin.into_os_string()),
        },
    )
    .with_shop(Some(launch));
    let plan = Plan::new(
        &StackSpec::builtin()?,
        &PlanOptions::new(Profile::Core, RuntimeKind::Native),
    )?
    .with_free_ports()?;
    let (tx, _rx) = tokio::sync::mpsc::channel(1024);
    rt.up(&plan, tx).await?;
    let state = LabState::load(&dirs)?.ok_or("no lab state")?;
    let prom = state.url("prometheus").ok_or("no prometheus")?.to_string();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .no_proxy()
        .build()?;
    until(
        &http,
        &prom,
        "sum(rate(http_requests_total[20s])) > 0",
        true,
    )
    .await?;
    let result = bench(&dirs, &http, &prom, rounds).await;
    rt.down(&state).await?;
    result
}

async fn bench(dirs: &LabDirs, http: &reqwest::Client, prom: &str, rounds: usize) -> Res<()> {
    println!("fault    round  to symptom  to recovery");
    for (name, params) in [("latency", [("ms", "800")]), ("errors", [("rate", "0.5")])] {
        let mut times = Vec::new();
        for round in 1..=rounds {
            let req = InjectRequest {
                name: name.to_string(),
                target: Some("payments".to_string()),
                params: params
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                ttl: None,
            };
            let fault = faults::inject(dirs, req).await?;
            let shown = until(http, prom, &fault.symptom_query, true).await?;
            faults::clear(dirs, Some(name)).await?;
            let gone = until(http, prom, &fault.symptom_query, false).await?;
            println!(
                "{name:<8} {round:>5}  {:>9.1}s  {:>10.1}s",
                shown.as_secs_f64(),
                gone.as_secs_f64()
            );
            times.push(shown.as_secs_f64());
        }
        let max = times.iter().copied().fold(0.0, f64::max);
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        println!(
            "{name:<8}  mean {mean:.1}s  max {max:.1}s  ({})",
            if max <= 20.0 {
                "within 20 s"
            } else {
                "OVER 20 s"
            }
        );
    }
    Ok(())
}
