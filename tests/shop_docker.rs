//! The shop in the Docker runtime, against a real engine: Prometheus (an image imported
//! from the host's binary, with the lab's real prometheus.yml and rules) and the shop's
//! six containers from an image built out of the labtui binary under test. Prometheus
//! scrapes the shop by container name; a checkout crosses the containers; the databases
//! and logs land in the host's data dir; an in-service fault and a crash fault go through
//! the admin API and the runtime and are cleared; tearing down leaves nothing labelled.
//! Without an engine the test skips, unless LABTUI_REQUIRE_DOCKER=1 makes that a failure.

#[path = "support/docker.rs"]
mod docker_support;
#[path = "support/rootfs.rs"]
mod rootfs;
mod shop_support;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use docker_support::{Cleanup, labelled_leftovers, prometheus_image, skip};
use labtui::lab::faults;
use labtui::lab::paths::Paths;
use labtui::lab::shop::Service;
use labtui::lab::shop::launch::ShopLaunch;
use labtui::lab::stack::docker::shop_image_ref;
use labtui::lab::stack::{
    ComponentState, DockerRuntime, LabDirs, LabState, Outcome, Plan, PlanOptions, Profile, Runtime,
    RuntimeKind, StackError, StackSpec, UpEvent, UpReport, select,
};
use shop_support::{
    database_dependency_and_resource_faults, fault, lock_and_release_faults, paid_checkout, query,
    request_path_faults, run_group,
};
use tokio::sync::mpsc;

/// Bound on every wait for something the lab reaches by itself.
const SETTLE: Duration = Duration::from_secs(90);

/// The real spec with the test's Prometheus image, and every other component moved to the
/// full profile: a core lab of Prometheus alone (there are no other images here).
fn prometheus_only_spec(image: &str) -> String {
    let real = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/stack/stack.toml"))
        .expect("stack/stack.toml");
    let mut blocks = real.split("\n[[component]]\n");
    let mut spec = blocks.next().expect("the spec's head").to_string();
    for block in blocks {
        let lines: Vec<String> = if block.starts_with("name = \"prometheus\"") {
            block
                .lines()
                .filter(|l| !l.starts_with("depends_on"))
                .map(|l| {
                    if l.starts_with("image = ") {
                        format!("image = \"{image}\"")
                    } else {
                        l.to_string()
                    }
                })
                .collect()
        } else {
            block
                .lines()
                .map(|l| l.replace("profile = \"core\"", "profile = \"full\""))
                .collect()
        };
        spec.push_str("\n[[component]]\n");
        spec.push_str(&lines.join("\n"));
        spec.push('\n');
    }
    spec
}

/// The lab's real configs next to the test's spec.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Poll `expr` until it returns data, or fail after SETTLE naming what was awaited.
async fn until_shows(http: &reqwest::Client, prometheus: &str, expr: &str) {
    let deadline = Instant::now() + SETTLE;
    while query(http, prometheus, expr).await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{expr} returned nothing in {SETTLE:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn until_gone(http: &reqwest::Client, prometheus: &str, expr: &str) {
    let deadline = Instant::now() + SETTLE;
    while !query(http, prometheus, expr).await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{expr} still returns data after {SETTLE:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A Docker lab of its own: Prometheus from an imported image, the shop from the binary
/// under test. Dropping it removes the lab's containers, network, volumes and the
/// Prometheus image, even when an assertion failed (the shop image is the binary's own:
/// other runs of this binary reuse it, so it stays).
struct DockerShopLab {
    _cleanup: Cleanup,
    _dir: tempfile::TempDir,
    name: String,
    paths: Paths,
    dirs: LabDirs,
    rt: DockerRuntime,
    plan: Plan,
}

/// None (after a skip line) when there is no engine or no Prometheus to image.
async fn docker_shop_lab(test: &str, traffic_rps: f64) -> Option<DockerShopLab> {
    let name = format!("labtui-shop{}-{test}", std::process::id());
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = Paths::under(&dir.path().join("home"));
    let dirs = LabDirs::new(&paths);
    let mut shop = ShopLaunch::new(env!("CARGO_BIN_EXE_labtui"));
    shop.traffic_rps = Some(traffic_rps);
    // The batch job's faults (in request_path_faults) show within a few intervals.
    shop.rollup_interval_s = Some(5);
    let rt = match DockerRuntime::connect(dirs.clone(), &name).await {
        Ok(rt) => rt.with_shop(Some(shop)),
        Err(StackError::Docker(e)) if e.is_unavailable() => {
            skip(&format!("no Docker engine ({e})"));
            return None;
        }
        Err(e) => panic!("connecting to Docker: {e}"),
    };
    let (prometheus_image, cleanup) = prometheus_image(rt.engine(), &name, dir.path()).await?;

    let stack = dir.path().join("stack");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("stack"), &stack);
    std::fs::write(
        stack.join("stack.toml"),
        prometheus_only_spec(&prometheus_image),
    )
    .expect("stack.toml");
    let spec = StackSpec::load(&stack.join("stack.toml")).expect("the test spec loads");
    let plan = Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Docker))
        .expect("plan")
        .with_free_ports()
        .expect("free ports");
    Some(DockerShopLab {
        _cleanup: cleanup,
        _dir: dir,
        name,
        paths,
        dirs,
        rt,
        plan,
    })
}

impl DockerShopLab {
    /// `up`, with every event it sent.
    async fn up(&self) -> (UpReport, Vec<UpEvent>) {
        let (tx, mut rx) = mpsc::channel(256);
        let events = tokio::spawn(async move {
            let mut all = Vec::new();
            while let Some(e) = rx.recv().await {
                all.push(e);
            }
            all
        });
        let report = self.rt.up(&self.plan, tx).await.expect("up");
        (report, events.await.expect("events"))
    }
}

/// Every shop target is up in the lab's Prometheus.
const EVERY_SHOP_TARGET: &str =
    "count(up{job=~\"storefront|orders|payments|inventory|fulfillment|traffic\"} == 1) == 6";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shop_runs_as_containers_scraped_faulted_and_removed() {
    let Some(fixture) = docker_shop_lab("life", 2.0).await else {
        return;
    };
    let DockerShopLab {
        name: lab,
        paths,
        dirs,
        rt,
        plan,
        ..
    } = &fixture;
    let program = Path::new(env!("CARGO_BIN_EXE_labtui"));

    // Up: Prometheus, then the six shop containers, all ready.
    let started = Instant::now();
    let (report, events) = fixture.up().await;
    let up_took = started.elapsed();
    for (name, outcome) in &report.outcomes {
        assert!(
            matches!(outcome, Outcome::Ready { .. }),
            "{name}: {outcome:?}\nevents: {events:#?}"
        );
    }
    assert_eq!(report.outcomes.len(), 1 + Service::ALL.len());
    let state = LabState::load(dirs).unwrap().expect("state");
    assert_eq!(state.docker_lab.as_deref(), Some(lab.as_str()));
    let names: Vec<&String> = state.components.iter().map(|c| &c.name).collect();
    let planned: Vec<&String> = plan.started().collect();
    assert_eq!(names, planned);
    assert_eq!(planned.len(), 1 + Service::ALL.len());
    let image = shop_image_ref(program).expect("image ref");
    let orders = state.component("shop-orders").expect("orders");
    assert!(orders.container.is_some(), "{orders:?}");
    assert!(
        orders.command.join(" ").contains("--listen 0.0.0.0"),
        "{:?}",
        orders.command
    );

    // The runtime a later command opens from the state finds the same containers.
    let again = select::open_existing(&state, dirs.clone())
        .await
        .expect("open");
    let rows = again.status(&state).await;
    for row in &rows {
        assert_eq!(row.state, ComponentState::Ready, "{row:?}");
    }
    let storefront = rows.iter().find(|r| r.name == "shop-storefront").unwrap();
    assert_eq!(
        storefront.version.as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );

    // A checkout through the published port crosses the containers.
    let http = docker_support::http();
    let shop = state.url("shop-storefront").unwrap().to_string();
    let resp = paid_checkout(|| {
        http.post(format!("{shop}/checkout")).json(
            &serde_json::json!({"user_id": "u-0001", "items": [{"product_id": 3, "quantity": 1}]}),
        )
    })
    .await;
    assert!(resp.status().is_success(), "checkout: {}", resp.status());
    let order: serde_json::Value = resp.json().await.expect("order json");
    let order_id = order["order_id"].to_string();

    // The data stays in the host's data dir, owned like the data dir.
    let data = &paths.data_dir;
    let db = data.join("lab/shop/orders.db");
    assert!(db.exists(), "{} missing", db.display());
    assert_eq!(
        std::fs::metadata(&db).unwrap().uid(),
        std::fs::metadata(data).unwrap().uid()
    );
    let deadline = Instant::now() + SETTLE;
    loop {
        let log =
            std::fs::read_to_string(data.join("lab/logs/shop-orders.log")).unwrap_or_default();
        if log.contains("order created") && log.contains(order_id.trim_matches('"')) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no `order created` line for {order_id}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let logs = again.logs(&state, "shop-orders", 50).await.expect("logs");
    assert!(
        logs.iter()
            .any(|l| l.contains("\"service_name\":\"orders\"")),
        "{logs:?}"
    );

    // Prometheus (in its container) scrapes every shop container by name.
    let prom = state.url("prometheus").unwrap().to_string();
    until_shows(&http, &prom, EVERY_SHOP_TARGET).await;
    // A figure for the record, not a check: timing asserts flake on shared machines.
    eprintln!(
        "up took {up_took:?}; every shop target up {:?} after up began",
        started.elapsed()
    );
    let up = query(&http, &prom, "up{job=\"orders\"}").await;
    assert_eq!(up[0]["metric"]["instance"], "shop-orders:8081", "{up:?}");
    until_shows(
        &http,
        &prom,
        "sum(rate(http_requests_total{service=\"storefront\"}[30s])) > 0",
    )
    .await;

    // An in-service fault through the admin API, seen in Prometheus, then cleared.
    let errors = faults::inject(dirs, fault("errors", "payments", &[("rate", "1")]))
        .await
        .expect("inject errors");
    until_shows(&http, &prom, &errors.symptom_query).await;
    // A crash: the container exits; clearing starts it again through the recorded lab.
    let crash = faults::inject(dirs, fault("crash", "inventory", &[]))
        .await
        .expect("inject crash");
    until_shows(&http, &prom, &crash.symptom_query).await;
    // Prometheus sees the listener gone; the engine may mark the container exited later.
    let deadline = Instant::now() + SETTLE;
    loop {
        let row = again
            .status(&state)
            .await
            .into_iter()
            .find(|r| r.name == "shop-inventory")
            .unwrap();
        if row.state == ComponentState::Down {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "inventory not down {SETTLE:?} after its crash: {row:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cleared = faults::clear(dirs, None).await.expect("clear");
    assert_eq!(cleared.len(), 2);
    until_gone(&http, &prom, &errors.symptom_query).await;
    until_gone(&http, &prom, &crash.symptom_query).await;

    // A second up keeps every container; down removes them all.
    let (second, _) = fixture.up().await;
    for (name, outcome) in &second.outcomes {
        assert_eq!(outcome, &Outcome::AlreadyRunning, "{name}");
    }
    let down = rt.down_with(&state, true).await.expect("down");
    assert_eq!(down.stopped.len(), 7, "{down:?}");
    assert_eq!(labelled_leftovers(lab).await, (0, 0, 0));
    assert!(
        rt.engine().image_present(&image).await.unwrap(),
        "the shop image stays for the next up"
    );
}

/// The whole catalogue against the shop's containers, group by group as natively
/// (tests/faults.rs), in one lab: the stack faults act on shop containers through the
/// engine (stop, pause, kill), and the database faults reach SQLite files shared by two
/// containers through bind mounts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_shows_and_recovers_in_containers() {
    let Some(fixture) = docker_shop_lab("faults", 30.0).await else {
        return;
    };
    let (report, events) = fixture.up().await;
    for (name, outcome) in &report.outcomes {
        assert!(
            matches!(outcome, Outcome::Ready { .. }),
            "{name}: {outcome:?}\nevents: {events:#?}"
        );
    }
    let prom = report.state.url("prometheus").unwrap().to_string();
    let http = docker_support::http();
    until_shows(&http, &prom, EVERY_SHOP_TARGET).await;
    let dirs = &fixture.dirs;
    run_group(dirs, &prom, request_path_faults()).await;
    run_group(dirs, &prom, database_dependency_and_resource_faults()).await;
    run_group(dirs, &prom, lock_and_release_faults()).await;
    run_group(
        dirs,
        &prom,
        vec![
            // In a container the loop's fresh run is the container's own process (pid 1).
            fault("crash", "payments", &[("restart", "loop"), ("up_s", "3")]),
            fault("stack_stop", "shop-orders", &[]),
            fault("stack_pause", "shop-inventory", &[]),
            fault("stack_kill", "shop-fulfillment", &[]),
        ],
    )
    .await;
    until_shows(&http, &prom, EVERY_SHOP_TARGET).await;
    let state = LabState::load(dirs).unwrap().expect("state");
    fixture.rt.down_with(&state, true).await.expect("down");
    assert_eq!(labelled_leftovers(&fixture.name).await, (0, 0, 0));
}
