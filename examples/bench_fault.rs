//! How long from injecting a fault to its symptom in PromQL, with the lab's 5 s scrape
//! interval (target: 20 s or less), for `latency` and `errors`; then each shop service's
//! memory as `status` reports it.
//!
//! Needs `prometheus` and `alertmanager` on PATH and the labtui binary built beside this
//! example: `cargo build && cargo run --example bench_fault [ROUNDS]`. Everything runs in a
//! temporary LABTUI_HOME on free ports and is stopped at the end.
//!
//! `cargo run --example bench_fault -- [ROUNDS] --docker` runs the same lab in the Docker
//! runtime instead: Prometheus from an image imported from the host's binary (no registry
//! needed) and the shop's containers from an image built out of the labtui binary.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use labtui::lab::faults::{self, InjectRequest};
use labtui::lab::paths::Paths;
use labtui::lab::shop::ShopLaunch;
use labtui::lab::stack::docker::rootfs::{TarWriter, shared_libraries};
use labtui::lab::stack::spec::SpecSource;
use labtui::lab::stack::{
    DockerRuntime, LabDirs, LabState, NativeOptions, NativeRuntime, Plan, PlanOptions, Profile,
    Runtime, RuntimeKind, StackSpec,
};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Prometheus imported from the host's binary for `--docker` (removed at the end).
const BENCH_PROMETHEUS_IMAGE: &str = "labtui-bench/prometheus:local";

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let docker = args.iter().any(|a| a == "--docker");
    let rounds: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(3);
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
    let spec = StackSpec::builtin()?;
    let (rt, plan): (Box<dyn Runtime>, Plan) = if docker {
        let rt = DockerRuntime::connect(dirs.clone(), "labtui-bench")
            .await?
            .with_shop(Some(launch));
        // Prometheus alone from the host's binary; the other components stay in the spec
        // but out of the plan (the full profile).
        let image = BENCH_PROMETHEUS_IMAGE;
        let tar = home.path().join("prometheus.tar");
        prometheus_rootfs(
            &which("prometheus").ok_or("prometheus is not on PATH")?,
            &tar,
        )?;
        rt.engine().import_rootfs(&tar, image).await?;
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/stack/stack.toml"))?
                .replace(
                    "image = \"prom/prometheus:v2.53.4\"",
                    &format!("image = \"{image}\""),
                )
                .replace(
                    "profile = \"core\"\nimage = \"prom/alertmanager",
                    "profile = \"full\"\nimage = \"prom/alertmanager",
                )
                .replace(
                    "profile = \"core\"\nimage = \"grafana/",
                    "profile = \"full\"\nimage = \"grafana/",
                )
                .replace("depends_on = [\"alertmanager\"]\n", "");
        let spec = StackSpec::parse(&text, "stack/stack.toml", SpecSource::Builtin);
        let plan = Plan::new(
            &spec?,
            &PlanOptions::new(Profile::Core, RuntimeKind::Docker),
        )?
        .with_free_ports()?;
        (Box::new(rt), plan)
    } else {
        let rt = NativeRuntime::new(
            dirs.clone(),
            NativeOptions {
                binaries: BTreeMap::new(),
                search_path: Some(bin.into_os_string()),
            },
        )
        .with_shop(Some(launch));
        let plan = Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Native))?
            .with_free_ports()?;
        (Box::new(rt), plan)
    };
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
    // Two views of memory: the process's own RSS (its metric), and what `status` shows
    // (natively the same RSS; in Docker the container's usage without page cache, so the
    // binary's file-backed pages do not count).
    let rss: serde_json::Value = http
        .get(format!("{prom}/api/v1/query"))
        .query(&[("query", "process_resident_memory_bytes")])
        .send()
        .await?
        .json()
        .await?;
    let rss_of = |service: &str| -> Option<f64> {
        rss["data"]["result"].as_array()?.iter().find_map(|r| {
            (r["metric"]["job"] == service)
                .then(|| r["value"][1].as_str()?.parse::<f64>().ok())
                .flatten()
        })
    };
    println!(
        "\nservice           RSS (metric)  status memory  ({} runtime)",
        state.runtime
    );
    for row in rt.status(&state).await {
        let Some(service) = row.name.strip_prefix("shop-") else {
            continue;
        };
        let mib = |b: f64| format!("{:.1} MiB", b / 1048576.0);
        println!(
            "{:<17} {:>12}  {:>13}",
            row.name,
            rss_of(service).map_or("-".to_string(), mib),
            row.rss_bytes.map_or("-".to_string(), |b| mib(b as f64)),
        );
    }
    rt.down(&state).await?;
    if docker {
        let engine = labtui::lab::stack::docker::DockerEngine::connect("labtui-bench").await?;
        engine.remove_image(BENCH_PROMETHEUS_IMAGE).await?;
    }
    result
}

/// A root filesystem with the host's Prometheus and its libraries, as an image archive.
fn prometheus_rootfs(binary: &std::path::Path, tar: &std::path::Path) -> Res<()> {
    let mut out = TarWriter::new(std::fs::File::create(tar)?);
    out.dir("tmp", 0o1777)?;
    out.dir("prometheus", 0o777)?;
    out.host_file("usr/bin/prometheus", binary, 0o755)?;
    for lib in shared_libraries(binary)? {
        out.host_file(lib.to_string_lossy().trim_start_matches('/'), &lib, 0o755)?;
    }
    out.finish()?;
    Ok(())
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
