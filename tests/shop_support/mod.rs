//! Helpers for the shop's tests: a lab in a temp dir that starts the real shop processes
//! (and kills them on drop, even when a test fails), an OTLP/HTTP receiver that decodes
//! the protobuf export, a Loki push stand-in, and bounded waits.

#![allow(dead_code)]

pub mod challenge;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use labtui::lab::paths::Paths;
use labtui::lab::shop::ShopLaunch;
use labtui::lab::stack::{
    LabDirs, LabState, NativeOptions, NativeRuntime, Outcome, PidFile, Plan, PlanOptions, Profile,
    Runtime, RuntimeKind, StackSpec, UpEvent, UpReport, proc,
};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use prost::Message as _;
use tokio::sync::mpsc;

/// A lab under a temp dir whose stack binaries come from `bin` only (an empty dir: no
/// stack at all). Dropping it kills every process it recorded.
pub struct ShopLab {
    pub dir: tempfile::TempDir,
    pub dirs: LabDirs,
    pub rt: NativeRuntime,
}

impl ShopLab {
    /// `link` names installed binaries to make visible to the lab (`prometheus`, ...).
    pub fn new(link: &[PathBuf], shop: ShopLaunch) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        for path in link {
            let name = path.file_name().expect("a file name");
            std::os::unix::fs::symlink(path, bin.join(name)).expect("symlink");
        }
        let dirs = LabDirs::new(&Paths::under(&dir.path().join("home")));
        let options = NativeOptions {
            binaries: BTreeMap::new(),
            search_path: Some(bin.into_os_string()),
        };
        let rt = NativeRuntime::new(dirs.clone(), options).with_shop(Some(shop));
        Self { dir, dirs, rt }
    }

    /// labtui's data dir for this lab (LABTUI_HOME).
    pub fn data_dir(&self) -> PathBuf {
        self.dirs
            .root
            .parent()
            .expect("lab root has a parent")
            .to_path_buf()
    }

    pub fn plan(&self) -> Plan {
        let spec = StackSpec::builtin().expect("builtin spec");
        Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Native))
            .expect("plan")
            .with_free_ports()
            .expect("free ports")
    }

    /// A lab with the shop and no traffic (plus the stack binaries in `link`), started,
    /// with its state: what the admin API, fault and challenge tests stand on.
    pub async fn quiet(link: &[PathBuf]) -> (Self, LabState) {
        Self::started(link, 0.0, &[]).await
    }

    /// A lab with the stack binaries in `link` and the shop under `rps` of traffic,
    /// started, with its state; each of `ready` (component names) must have come up ready.
    pub async fn started(link: &[PathBuf], rps: f64, ready: &[&str]) -> (Self, LabState) {
        let mut launch = shop_launch();
        launch.traffic_rps = Some(rps);
        let lab = Self::new(link, launch);
        let plan = lab.plan();
        let (report, _) = lab.up(&plan).await;
        for name in ready {
            assert!(
                report
                    .outcomes
                    .iter()
                    .any(|(n, o)| n == name && matches!(o, Outcome::Ready { .. })),
                "{name}: {:?}",
                report.outcomes
            );
        }
        let state = LabState::load(&lab.dirs)
            .expect("a readable state")
            .expect("a state after up");
        (lab, state)
    }

    pub async fn up(&self, plan: &Plan) -> (UpReport, Vec<UpEvent>) {
        let (tx, mut rx) = mpsc::channel(256);
        let collector = tokio::spawn(async move {
            let mut events = Vec::new();
            while let Some(e) = rx.recv().await {
                events.push(e);
            }
            events
        });
        let report = self.rt.up(plan, tx).await.expect("up");
        (report, collector.await.expect("events"))
    }
}

impl Drop for ShopLab {
    fn drop(&mut self) {
        for pf in PidFile::read_all(&self.dirs) {
            if proc::is_ours(pf.pid, &pf.binary, pf.start_ticks) {
                let _ = proc::signal_group(pf.pid, libc::SIGKILL);
            }
        }
    }
}

/// The labtui binary cargo built for these tests.
pub fn shop_launch() -> ShopLaunch {
    ShopLaunch::new(env!("CARGO_BIN_EXE_labtui"))
}

/// One span as the receiver decoded it.
#[derive(Debug, Clone)]
pub struct SpanRow {
    pub service: String,
    pub resource: BTreeMap<String, String>,
    pub trace_id: String,
    pub span_id: String,
    /// Empty for a root span.
    pub parent: String,
    pub name: String,
    /// OTLP SpanKind: 2 server, 3 client, 4 producer, 5 consumer.
    pub kind: i32,
    pub attributes: BTreeMap<String, String>,
}

/// What the receiver got: spans, and Loki push bodies.
#[derive(Default)]
pub struct Received {
    pub spans: Vec<SpanRow>,
    pub loki: Vec<serde_json::Value>,
}

/// A real HTTP server on 127.0.0.1 taking OTLP/HTTP protobuf at /v1/traces and Loki's
/// push API at /loki/api/v1/push. Returns its base URL.
pub async fn receiver() -> (String, Arc<Mutex<Received>>) {
    let received = Arc::new(Mutex::new(Received::default()));
    let app = Router::new()
        .route("/v1/traces", post(traces))
        .route("/loki/api/v1/push", post(loki))
        .with_state(Arc::clone(&received));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), received)
}

fn value_text(kv: &KeyValue) -> String {
    match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
        Some(AnyValue::StringValue(s)) => s.clone(),
        Some(AnyValue::IntValue(i)) => i.to_string(),
        Some(AnyValue::DoubleValue(d)) => d.to_string(),
        Some(AnyValue::BoolValue(b)) => b.to_string(),
        other => format!("{other:?}"),
    }
}

fn attrs(list: &[KeyValue]) -> BTreeMap<String, String> {
    list.iter()
        .map(|kv| (kv.key.clone(), value_text(kv)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn traces(
    State(received): State<Arc<Mutex<Received>>>,
    body: Bytes,
) -> axum::http::StatusCode {
    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
        return axum::http::StatusCode::BAD_REQUEST;
    };
    let mut rows = Vec::new();
    for rs in request.resource_spans {
        let resource = rs
            .resource
            .map(|r| attrs(&r.attributes))
            .unwrap_or_default();
        let service = resource.get("service.name").cloned().unwrap_or_default();
        for ss in rs.scope_spans {
            for span in ss.spans {
                rows.push(SpanRow {
                    service: service.clone(),
                    resource: resource.clone(),
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent: hex(&span.parent_span_id),
                    name: span.name.clone(),
                    kind: span.kind,
                    attributes: attrs(&span.attributes),
                });
            }
        }
    }
    received.lock().expect("lock").spans.extend(rows);
    axum::http::StatusCode::OK
}

async fn loki(
    State(received): State<Arc<Mutex<Received>>>,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> axum::http::StatusCode {
    received.lock().expect("lock").loki.push(body);
    axum::http::StatusCode::NO_CONTENT
}

/// Poll `check` until it returns Some, or fail after `within` (so a bug fails, not hangs).
pub async fn wait_for<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Local addresses (as in /proc/net/tcp: `0100007F:1F90`) of every TCP socket `pid`
/// listens on, from /proc/net/tcp and tcp6 joined with the process's fds.
pub fn listening_addresses(pid: u32) -> Vec<String> {
    let inodes: BTreeSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .filter_map(|l| {
                    let l = l.to_string_lossy().into_owned();
                    l.strip_prefix("socket:[")
                        .and_then(|s| s.strip_suffix(']'))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.get(3) == Some(&"0A") && cols.get(9).is_some_and(|i| inodes.contains(*i)) {
                found.push(cols[1].to_string());
            }
        }
    }
    found
}

/// The JSON lines of every shop log under `data_dir` (start markers skipped).
pub fn log_lines(data_dir: &Path) -> Vec<serde_json::Value> {
    let logs = data_dir.join("lab").join("logs");
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(&logs).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("shop-") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        lines.extend(text.lines().filter_map(|l| serde_json::from_str(l).ok()));
    }
    lines
}

/// A loopback HTTP client.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .expect("client")
}

/// The result vector of an instant query (empty when no data or no answer).
pub async fn query(http: &reqwest::Client, prometheus: &str, expr: &str) -> Vec<serde_json::Value> {
    let Ok(resp) = http
        .get(format!("{prometheus}/api/v1/query"))
        .query(&[("query", expr)])
        .send()
        .await
    else {
        return Vec::new();
    };
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    assert_ne!(body["status"], "error", "{expr}: {body}");
    body["data"]["result"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A fault request aimed at `target` with `params` (the rest from the catalogue).
pub fn fault(
    name: &str,
    target: &str,
    params: &[(&str, &str)],
) -> labtui::lab::faults::InjectRequest {
    labtui::lab::faults::InjectRequest {
        name: name.to_string(),
        target: Some(target.to_string()),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ttl: None,
    }
}

/// Whether an instant query returns data (the symptom shows).
pub async fn shows(http: &reqwest::Client, prometheus: &str, expr: &str) -> bool {
    !query(http, prometheus, expr).await.is_empty()
}

/// Inject every fault, wait for all symptoms, clear all, wait until none shows.
pub async fn run_group(dirs: &LabDirs, prom: &str, group: Vec<labtui::lab::faults::InjectRequest>) {
    let http = client();
    let mut injected = Vec::new();
    for req in group {
        let f = labtui::lab::faults::inject(dirs, req.clone())
            .await
            .unwrap_or_else(|e| panic!("inject {}: {e}", req.name));
        injected.push(f);
    }
    let active = labtui::lab::faults::active(dirs).await.unwrap();
    assert_eq!(active.len(), injected.len(), "{active:?}");
    let queries: Vec<(String, String)> = injected
        .iter()
        .map(|f| (f.name.clone(), f.symptom_query.clone()))
        .collect();
    let pending = queries.clone();
    // Deadlines that only bound a hung run: a 1-minute window (job_partial's) takes a
    // minute and more to show and to fade on a loaded machine.
    wait_for("every symptom", Duration::from_secs(150), || {
        let (http, prom, pending) = (http.clone(), prom.to_string(), pending.clone());
        async move {
            let mut missing = Vec::new();
            for (name, q) in &pending {
                if !shows(&http, &prom, q).await {
                    missing.push(name.clone());
                }
            }
            if !missing.is_empty() {
                eprintln!("symptoms not yet showing: {missing:?}");
            }
            missing.is_empty().then_some(())
        }
    })
    .await;
    let cleared = labtui::lab::faults::clear(dirs, None).await.unwrap();
    assert_eq!(cleared.len(), injected.len());
    assert!(labtui::lab::faults::active(dirs).await.unwrap().is_empty());
    wait_for("every symptom gone", Duration::from_secs(150), || {
        let (http, prom, queries) = (http.clone(), prom.to_string(), queries.clone());
        async move {
            let mut still = Vec::new();
            for (name, q) in &queries {
                if shows(&http, &prom, q).await {
                    still.push(name.clone());
                }
            }
            if !still.is_empty() {
                eprintln!("symptoms still showing: {still:?}");
            }
            still.is_empty().then_some(())
        }
    })
    .await;
}

/// Faults on the request path, each on its own service.
pub fn request_path_faults() -> Vec<labtui::lab::faults::InjectRequest> {
    vec![
        fault(
            "latency",
            "payments",
            &[("ms", "800"), ("probability", "1")],
        ),
        fault("errors", "inventory", &[("rate", "0.5"), ("status", "503")]),
        fault("queue_stall", "fulfillment", &[]),
        fault("cardinality_explosion", "storefront", &[]),
        fault("log_flood", "orders", &[("lines_per_second", "400")]),
        fault("broken_propagation", "storefront", &[]),
        fault("job_partial", "orders", &[("share", "0.5")]),
    ]
}

/// Database, dependency and resource faults, each on its own service.
pub fn database_dependency_and_resource_faults() -> Vec<labtui::lab::faults::InjectRequest> {
    vec![
        fault(
            "db_slow",
            "inventory",
            &[("operation", "UPDATE"), ("ms", "300")],
        ),
        fault("pool_exhaustion", "orders", &[("wait_ms", "1000")]),
        fault("dependency_down", "storefront->inventory", &[]),
        fault(
            "memory_leak",
            "payments",
            &[("mb_per_min", "1200"), ("cap_mb", "300")],
        ),
        fault(
            "cpu_burn",
            "fulfillment",
            &[("threads", "1"), ("duty", "0.9")],
        ),
        fault("slice_failure", "payments", &[("country", "US")]),
    ]
}

/// A locked database and a bad release.
pub fn lock_and_release_faults() -> Vec<labtui::lab::faults::InjectRequest> {
    vec![
        fault("db_lock", "orders", &[]),
        fault(
            "bad_release",
            "inventory",
            &[("version", "9.9.9-bad"), ("rate", "0.5")],
        ),
    ]
}

/// Sends a checkout built by `request` until it is not declined: the simulated processor
/// declines about 1% of charges with 402, which a test of the happy path must not trip on.
pub async fn paid_checkout(request: impl Fn() -> reqwest::RequestBuilder) -> reqwest::Response {
    for _ in 0..4 {
        let resp = request().send().await.expect("checkout");
        if resp.status().as_u16() != 402 {
            return resp;
        }
    }
    request().send().await.expect("checkout")
}
