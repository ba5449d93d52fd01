//! The Docker runtime behind the `Runtime` trait, against a real engine: a stack spec of
//! Prometheus (an image imported from the host's binary) and a component whose image cannot
//! be pulled, brought up, inspected, faulted, controlled and torn down by label. Without an
//! engine the tests skip, unless LABTUI_REQUIRE_DOCKER=1 makes that a failure.

#[path = "support/docker.rs"]
mod docker_support;
#[path = "support/rootfs.rs"]
mod rootfs;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bollard::query_parameters::InspectContainerOptions;
use docker_support::{Cleanup, http, labelled_leftovers, prometheus_image, raw_docker, skip};
use labtui::lab::paths::Paths;
use labtui::lab::stack::{
    CheckStatus, ComponentState, ComponentStatus, ControlAction, DockerRuntime, LabDirs, LabState,
    Outcome, Plan, PlanOptions, Profile, Runtime, RuntimeKind, ScrapeTarget, StackError, StackSpec,
    UpEvent, UpReport, write_shop_targets,
};
use tempfile::TempDir;
use tokio::sync::mpsc;

/// Bound on polls for a state the lab reaches by itself (a bug fails, it does not hang).
const SETTLE: Duration = Duration::from_secs(30);

const PROMETHEUS_YML: &str = r#"global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - "{config_dir}/rules/*.yml"
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["{addr.prometheus}"]
# @if ghost
  - job_name: ghost
    static_configs:
      - targets: ["{addr.ghost}"]
# @end
  - job_name: shop
    file_sd_configs:
      - files: ["{config_dir}/targets/shop.json"]
        refresh_interval: 1s
"#;

const RULES_YML: &str =
    "groups:\n  - name: lab-rules\n    rules:\n      - record: lab:up:sum\n        expr: sum(up)\n";

/// A lab of its own: a data dir, a spec next to its configs, the imported image, and a
/// guard that removes the lab's containers, network, volumes and the image on drop.
struct Lab {
    // First, so the lab's objects go before its directory does.
    _cleanup: Cleanup,
    _dir: TempDir,
    dirs: LabDirs,
    rt: DockerRuntime,
    plan: Plan,
    name: String,
}

async fn lab(test: &str) -> Option<Lab> {
    let name = format!("labtui-rt{}-{test}", std::process::id());
    let dir = tempfile::tempdir().expect("tempdir");
    let dirs = LabDirs::new(&Paths::under(&dir.path().join("home")));
    let rt = match DockerRuntime::connect(dirs.clone(), &name).await {
        Ok(rt) => rt,
        Err(StackError::Docker(e)) if e.is_unavailable() => {
            skip(&format!("no Docker engine ({e})"));
            return None;
        }
        Err(e) => panic!("connecting to Docker: {e}"),
    };
    let (image, cleanup) = prometheus_image(rt.engine(), &name, dir.path()).await?;

    let stack = dir.path().join("stack");
    std::fs::create_dir_all(stack.join("rules")).expect("stack dir");
    std::fs::write(stack.join("prometheus.yml"), PROMETHEUS_YML).expect("prometheus.yml");
    std::fs::write(stack.join("rules/lab.yml"), RULES_YML).expect("rules");
    // Nothing listens on port 1, so pulling `ghost` fails at once, as with no registry.
    let spec = format!(
        r#"schema = 1

[[lab.ports]]
name = "webhook"
default = 9099
offset = 9

[[component]]
name = "prometheus"
profile = "core"
image = "{image}"
binaries = ["prometheus"]
args = [
  "--config.file={{config_dir}}/prometheus.yml",
  "--storage.tsdb.path={{data_dir}}",
  "--web.listen-address={{listen}}:{{port}}",
]
configs = ["prometheus.yml", "rules/lab.yml"]
ports = [{{ name = "http", default = 9090, offset = 0 }}]
ready = "/-/ready"
version = {{ path = "/api/v1/status/buildinfo", json = "/data/version" }}
memory_mb = 256

[[component]]
name = "ghost"
profile = "core"
runtimes = ["docker"]
image = "127.0.0.1:1/labtui-test/ghost:{name}"
ports = [{{ name = "http", default = 9999, offset = 1 }}]
ready = "/"
memory_mb = 64
"#
    );
    std::fs::write(stack.join("stack.toml"), spec).expect("stack.toml");
    let spec = StackSpec::load(&stack.join("stack.toml")).expect("the test spec loads");
    let plan = Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Docker))
        .expect("plan")
        .with_free_ports()
        .expect("free ports");
    Some(Lab {
        _cleanup: cleanup,
        _dir: dir,
        dirs,
        rt,
        plan,
        name,
    })
}

impl Lab {
    async fn up(&self) -> (UpReport, Vec<UpEvent>) {
        let (tx, mut rx) = mpsc::channel(64);
        let collector = tokio::spawn(async move {
            let mut events = Vec::new();
            while let Some(e) = rx.recv().await {
                events.push(e);
            }
            events
        });
        let report = self.rt.up(&self.plan, tx).await.expect("up");
        (report, collector.await.expect("events"))
    }

    fn port(&self) -> u16 {
        self.plan
            .primary_port("prometheus")
            .expect("prometheus port")
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port())
    }

    fn state(&self) -> LabState {
        LabState::load(&self.dirs)
            .expect("state readable")
            .expect("a state file")
    }

    async fn row(&self, state: &LabState, name: &str) -> ComponentStatus {
        let rows = self.rt.status(state).await;
        rows.into_iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no status row for {name}"))
    }

    /// Poll status until `name` is `want` or SETTLE passes; returns the last row.
    async fn settle(&self, state: &LabState, name: &str, want: ComponentState) -> ComponentStatus {
        let deadline = Instant::now() + SETTLE;
        loop {
            let row = self.row(state, name).await;
            if row.state == want || Instant::now() > deadline {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn volume(&self) -> String {
        format!("{}-prometheus-data", self.name)
    }
}

/// GET a JSON document from the lab's Prometheus.
async fn json(url: &str) -> serde_json::Value {
    let answer = http().get(url).send().await.expect("Prometheus answers");
    assert!(answer.status().is_success(), "{url}: {}", answer.status());
    answer.json().await.expect("JSON")
}

fn outcome<'a>(report: &'a UpReport, name: &str) -> &'a Outcome {
    report
        .outcomes
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, o)| o)
        .unwrap_or_else(|| panic!("no outcome for {name}: {:?}", report.outcomes))
}

#[tokio::test]
async fn up_status_control_logs_and_down_leave_nothing_behind() {
    let Some(lab) = lab("life").await else {
        return;
    };
    let (report, events) = lab.up().await;

    // Prometheus is ready; the unpullable image fails with the pull's message, no panic.
    assert!(
        matches!(outcome(&report, "prometheus"), Outcome::Ready { .. }),
        "{:?}",
        report.outcomes
    );
    let Outcome::Failed(reason) = outcome(&report, "ghost") else {
        panic!("ghost: {:?}", report.outcomes);
    };
    assert!(
        reason.starts_with("could not pull 127.0.0.1:1/labtui-test/ghost:"),
        "{reason}"
    );
    assert!(
        reason.ends_with("import the image or use --runtime native"),
        "{reason}"
    );
    assert!(!report.all_ready());
    let pos = |what: &str, pred: &dyn Fn(&UpEvent) -> bool| {
        events
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("no {what} event in {events:#?}"))
    };
    let is = |e: &UpEvent, want: &str| match e {
        UpEvent::Starting { component, .. }
        | UpEvent::WaitingReady { component, .. }
        | UpEvent::Ready { component, .. }
        | UpEvent::Failed { component, .. } => component == want,
        _ => false,
    };
    assert!(
        matches!(&events[0], UpEvent::Planned { components } if components == &["prometheus", "ghost"])
    );
    let starting = pos("Starting", &|e| {
        matches!(e, UpEvent::Starting { .. }) && is(e, "prometheus")
    });
    let waiting = pos("WaitingReady", &|e| {
        matches!(e, UpEvent::WaitingReady { .. }) && is(e, "prometheus")
    });
    let ready = pos("Ready", &|e| {
        matches!(e, UpEvent::Ready { .. }) && is(e, "prometheus")
    });
    assert!(starting < waiting && waiting < ready, "{events:#?}");
    pos("Failed", &|e| {
        matches!(e, UpEvent::Failed { .. }) && is(e, "ghost")
    });
    let UpEvent::Starting { command, .. } = &events[starting] else {
        unreachable!()
    };
    assert!(
        command.contains("--config.file=/etc/labtui/prometheus/prometheus.yml"),
        "{command}"
    );

    // The state a later process reads.
    let state = lab.state();
    assert_eq!(state, report.state);
    assert_eq!(state.runtime, RuntimeKind::Docker);
    let record = state.component("prometheus").expect("prometheus recorded");
    assert_eq!(record.url, lab.url(""));
    let container_id = record.container.clone().expect("a container id");

    // It answers on loopback, and its config is the rendered one from the read-only mount,
    // with container addressing (itself by name on its container port).
    let ready_answer = http().get(lab.url("/-/ready")).send().await.expect("ready");
    assert!(ready_answer.status().is_success());
    let config = json(&lab.url("/api/v1/status/config")).await;
    let yaml = config["data"]["yaml"].as_str().expect("config yaml");
    assert!(yaml.contains("prometheus:9090"), "{yaml}");
    assert!(
        yaml.contains("/etc/labtui/prometheus/targets/shop.json"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("ghost"),
        "a failed component is left out: {yaml}"
    );
    let rendered =
        std::fs::read_to_string(lab.dirs.config_dir("prometheus").join("prometheus.yml"))
            .expect("rendered on the host");
    assert!(rendered.contains("prometheus:9090"), "{rendered}");
    let rules = json(&lab.url("/api/v1/rules")).await;
    assert_eq!(rules["data"]["groups"][0]["name"], "lab-rules", "{rules}");
    let inspect = raw_docker()
        .await
        .inspect_container(
            &format!("{}-prometheus", lab.name),
            None::<InspectContainerOptions>,
        )
        .await
        .expect("inspect");
    let mounts = inspect.mounts.unwrap_or_default();
    let config_mount = mounts
        .iter()
        .find(|m| m.destination.as_deref() == Some("/etc/labtui/prometheus"))
        .expect("config mount");
    assert_eq!(config_mount.rw, Some(false), "{config_mount:?}");
    assert_eq!(
        config_mount.source.as_deref().map(PathBuf::from),
        Some(lab.dirs.config_dir("prometheus"))
    );
    let data_mount = mounts
        .iter()
        .find(|m| m.destination.as_deref() == Some("/prometheus"))
        .expect("data mount");
    assert_eq!(data_mount.name.as_deref(), Some(lab.volume().as_str()));
    let host = inspect.host_config.expect("host config");
    assert_eq!(host.memory, Some(256 * 1024 * 1024));

    // The shop's targets, rewritten on the host, reach Prometheus through the mount.
    let target = ScrapeTarget {
        address: "127.0.0.1:1".to_string(),
        labels: [("service".to_string(), "orders".to_string())].into(),
    };
    write_shop_targets(&lab.dirs, &[target]).expect("write targets");
    let deadline = Instant::now() + SETTLE;
    let mut targets = serde_json::Value::Null;
    while Instant::now() < deadline {
        targets = json(&lab.url("/api/v1/targets")).await;
        let seen = targets["data"]["activeTargets"]
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t["labels"]["service"] == "orders"));
        if seen {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        targets["data"]["activeTargets"]
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t["labels"]["service"] == "orders")),
        "{targets}"
    );

    // Status: ready with version, memory and uptime; the failed component is down.
    let row = lab.row(&state, "prometheus").await;
    assert_eq!(row.state, ComponentState::Ready, "{row:?}");
    let version = row.version.clone().expect("a version");
    assert!(
        version.starts_with(|c: char| c.is_ascii_digit()),
        "{version}"
    );
    assert!(row.rss_bytes.is_some_and(|b| b > 0), "{row:?}");
    assert!(row.uptime.is_some(), "{row:?}");
    let ghost = lab.row(&state, "ghost").await;
    assert_eq!(ghost.state, ComponentState::Down);
    assert!(
        ghost
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("no container")),
        "{ghost:?}"
    );

    // A second `up` keeps the running container.
    let (again, events) = lab.up().await;
    assert_eq!(outcome(&again, "prometheus"), &Outcome::AlreadyRunning);
    assert!(
        events.iter().any(
            |e| matches!(e, UpEvent::AlreadyRunning { component, .. } if component == "prometheus")
        ),
        "{events:#?}"
    );
    assert_eq!(
        again
            .state
            .component("prometheus")
            .and_then(|r| r.container.clone()),
        Some(container_id)
    );
    let state = again.state;

    // Pause and resume.
    let state = lab
        .rt
        .control(&state, "prometheus", ControlAction::Pause)
        .await
        .expect("pause");
    let row = lab.row(&state, "prometheus").await;
    assert_eq!(row.state, ComponentState::Paused, "{row:?}");
    let state = lab
        .rt
        .control(&state, "prometheus", ControlAction::Resume)
        .await
        .expect("resume");
    let row = lab
        .settle(&state, "prometheus", ComponentState::Ready)
        .await;
    assert_eq!(row.state, ComponentState::Ready, "{row:?}");

    // Kill (a crash), then start again: Start waits until it is ready.
    let state = lab
        .rt
        .control(&state, "prometheus", ControlAction::Kill)
        .await
        .expect("kill");
    let row = lab.row(&state, "prometheus").await;
    assert_eq!(row.state, ComponentState::Down, "{row:?}");
    assert!(
        row.detail
            .as_deref()
            .is_some_and(|d| d.contains("exited with code 137")),
        "{row:?}"
    );
    assert_eq!(row.rss_bytes, None);
    let state = lab
        .rt
        .control(&state, "prometheus", ControlAction::Start)
        .await
        .expect("start");
    assert_eq!(
        lab.row(&state, "prometheus").await.state,
        ComponentState::Ready
    );
    assert_eq!(lab.state(), state, "control saves the state");
    let err = lab
        .rt
        .control(&state, "loki", ControlAction::Stop)
        .await
        .expect_err("not in the lab");
    assert!(matches!(err, StackError::NotInLab { .. }), "{err:?}");

    let logs = lab.rt.logs(&state, "prometheus", 400).await.expect("logs");
    assert!(
        logs.iter()
            .any(|l| l.contains("Server is ready to receive web requests")),
        "{logs:#?}"
    );
    assert!(
        lab.rt
            .logs(&state, "prometheus", 2)
            .await
            .expect("logs")
            .len()
            <= 2
    );

    // Down with volumes: nothing with the lab's label is left, nor the state file.
    let down = lab.rt.down_with(&state, true).await.expect("down");
    assert_eq!(down.stopped, ["prometheus"]);
    assert_eq!(down.already_gone, ["ghost"]);
    assert_eq!(down.networks, [lab.name.as_str()]);
    assert_eq!(down.volumes_removed, [lab.volume()]);
    assert!(down.volumes_kept.is_empty());
    assert_eq!(down.removed, [lab.dirs.state_file()]);
    assert_eq!(labelled_leftovers(&lab.name).await, (0, 0, 0));
    assert!(LabState::load(&lab.dirs).expect("readable").is_none());
}

#[tokio::test]
async fn doctor_checks_images_and_ports_and_down_keeps_the_data_volume() {
    let Some(lab) = lab("doc").await else {
        return;
    };
    let find = |checks: &[labtui::lab::stack::Check], name: &str| {
        checks
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no check {name} in {checks:#?}"))
    };
    let port_check = format!("port {} (prometheus.http)", lab.port());

    let before = lab.rt.doctor(&lab.plan, None).await;
    let engine = find(&before, "runtime docker");
    assert_eq!(engine.status, CheckStatus::Ok, "{engine:?}");
    assert!(engine.detail.contains("API 1."), "{engine:?}");
    assert_eq!(find(&before, "image prometheus").status, CheckStatus::Ok);
    let ghost = find(&before, "image ghost");
    assert_eq!(ghost.status, CheckStatus::Warn, "{ghost:?}");
    assert!(ghost.detail.contains("`labtui up` pulls it"), "{ghost:?}");
    let port = find(&before, &port_check);
    assert_eq!(
        (port.status, port.detail.as_str()),
        (CheckStatus::Ok, "free")
    );
    assert!(before.iter().any(|c| c.name == "disk"), "{before:#?}");

    let (report, _) = lab.up().await;
    let after = lab.rt.doctor(&lab.plan, Some(&report.state)).await;
    let port = find(&after, &port_check);
    assert_eq!(port.status, CheckStatus::Ok, "{port:?}");
    assert!(port.detail.contains("the lab's prometheus"), "{port:?}");
    assert_eq!(find(&after, "prometheus answers").status, CheckStatus::Ok);
    assert_eq!(find(&after, "ghost answers").status, CheckStatus::Fail);

    // Something else on a planned port stops `up` before anything starts.
    let other = lab.rt.down(&report.state).await.expect("down");
    let holder = std::net::TcpListener::bind(("127.0.0.1", lab.port())).expect("hold the port");
    let (tx, _rx) = mpsc::channel(64);
    let err = lab.rt.up(&lab.plan, tx).await.expect_err("port busy");
    assert!(matches!(err, StackError::PortsBusy(_)), "{err:?}");
    assert!(
        err.to_string().contains(&format!("port {}", lab.port())),
        "{err}"
    );
    drop(holder);

    // The trait's down kept the data volume; the next up mounts the same one.
    assert_eq!(other.stopped, ["prometheus"]);
    assert_eq!(other.volumes_kept, [lab.volume()]);
    assert!(other.volumes_removed.is_empty());
    assert_eq!(labelled_leftovers(&lab.name).await, (0, 0, 1));
    let docker = raw_docker().await;
    let created = docker
        .inspect_volume(&lab.volume())
        .await
        .expect("volume kept")
        .created_at;
    let (report, _) = lab.up().await;
    assert!(
        matches!(outcome(&report, "prometheus"), Outcome::Ready { .. }),
        "{:?}",
        report.outcomes
    );
    let again = docker
        .inspect_volume(&lab.volume())
        .await
        .expect("volume")
        .created_at;
    assert_eq!(created, again, "the same volume, not a new one");

    let down = lab.rt.down_with(&report.state, true).await.expect("down");
    assert_eq!(down.volumes_removed, [lab.volume()]);
    assert_eq!(labelled_leftovers(&lab.name).await, (0, 0, 0));
}
