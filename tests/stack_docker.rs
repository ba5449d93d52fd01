//! The Docker runtime against a real engine: an image imported from a root filesystem built
//! from the host's Prometheus, then run, paused, stopped, killed and cleaned up by label.
//! Without an engine the tests skip, unless LABTUI_REQUIRE_DOCKER=1 makes that a failure.

#[path = "support/docker.rs"]
mod docker_support;
#[path = "support/rootfs.rs"]
mod rootfs;

use std::path::Path;
use std::time::{Duration, Instant};

use bollard::models::{PortBinding, RestartPolicyNameEnum};
use bollard::query_parameters::InspectContainerOptions;
use docker_support::{Cleanup, http, labelled_leftovers, prometheus_image, raw_docker, skip};
use labtui::lab::stack::docker::{
    BindMount, ContainerSpec, DockerEngine, DockerError, Phase, PortMap, Readiness,
};
use tempfile::TempDir;
use tokio::sync::mpsc;

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const GRACE: Duration = Duration::from_secs(10);

/// A lab name no other test (or concurrent test process) uses.
fn lab_name(test: &str) -> String {
    format!("labtui-t{}-{test}", std::process::id())
}

async fn engine(lab: &str) -> Option<DockerEngine> {
    match DockerEngine::connect(lab).await {
        Ok(engine) => Some(engine),
        Err(e) if e.is_unavailable() => {
            skip(&format!("no Docker engine ({e})"));
            None
        }
        Err(e) => panic!("connecting to Docker: {e}"),
    }
}

/// An engine, an imported Prometheus image and a config directory for one test.
struct Fixture {
    engine: DockerEngine,
    image: String,
    dir: TempDir,
    cleanup: Cleanup,
}

async fn fixture(test: &str) -> Option<Fixture> {
    let lab = lab_name(test);
    let engine = engine(&lab).await?;
    let dir = tempfile::tempdir().expect("tempdir");
    let (image, cleanup) = prometheus_image(&engine, &lab, dir.path()).await?;
    std::fs::create_dir(dir.path().join("config")).expect("config dir");
    write_config(dir.path(), &[]);
    Some(Fixture {
        engine,
        image,
        dir,
        cleanup,
    })
}

/// A Prometheus configuration scraping itself and the given `host:port` targets.
fn write_config(dir: &Path, peers: &[&str]) {
    let mut config = String::from(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    \
         static_configs:\n      - targets: ['localhost:9090']\n",
    );
    for peer in peers {
        config.push_str(&format!(
            "  - job_name: peer\n    static_configs:\n      - targets: ['{peer}']\n"
        ));
    }
    std::fs::write(dir.join("config/prometheus.yml"), config).expect("write config");
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

fn prometheus(component: &str, image: &str, config_dir: &Path, port: u16) -> ContainerSpec {
    ContainerSpec {
        component: component.to_string(),
        image: image.to_string(),
        entrypoint: None,
        cmd: vec![
            "/usr/bin/prometheus".into(),
            "--config.file=/etc/labtui/prometheus.yml".into(),
            "--storage.tsdb.path=/prometheus".into(),
            "--web.listen-address=:9090".into(),
        ],
        env: vec![("TZ".into(), "UTC".into())],
        ports: vec![PortMap {
            host: port,
            container: 9090,
        }],
        mounts: vec![BindMount {
            host: config_dir.to_path_buf(),
            container: "/etc/labtui".into(),
            read_only: true,
        }],
        volumes: vec![(format!("{component}-data"), "/prometheus".into())],
        memory_mb: Some(256),
        readiness: Some(Readiness {
            path: "/-/ready".into(),
            port,
        }),
        user: None,
    }
}

#[tokio::test]
async fn prometheus_runs_pauses_stops_and_is_removed_by_label() {
    let Some(fx) = fixture("life").await else {
        return;
    };
    let engine = &fx.engine;
    let lab = engine.lab().to_string();
    assert!(
        engine
            .image_present(&fx.image)
            .await
            .expect("inspect image")
    );

    let port = free_port();
    let spec = prometheus("prometheus", &fx.image, &fx.dir.path().join("config"), port);
    engine
        .create_and_start(&spec)
        .await
        .expect("create and start");
    engine
        .wait_ready("prometheus", READY_TIMEOUT)
        .await
        .expect("ready");
    let url = format!("http://127.0.0.1:{port}/-/ready");
    let client = http();
    let answer = client.get(&url).send().await.expect("readiness answers");
    assert!(answer.status().is_success(), "{}", answer.status());

    let status = engine.status("prometheus").await.expect("status");
    assert_eq!(status.phase, Phase::Running);
    assert!(status.started_at.is_some());
    assert!(status.memory_bytes.is_some_and(|b| b > 0), "{status:?}");
    let listed = engine.list().await.expect("list");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].component, "prometheus");
    assert_eq!(listed[0].name, format!("{lab}-prometheus"));
    assert_eq!(listed[0].state, "running");

    engine.pause("prometheus").await.expect("pause");
    assert_eq!(
        engine.status("prometheus").await.expect("status").phase,
        Phase::Paused
    );
    let frozen = client
        .get(&url)
        .timeout(Duration::from_secs(1))
        .send()
        .await;
    assert!(
        frozen.is_err() || !frozen.as_ref().is_ok_and(|r| r.status().is_success()),
        "a paused Prometheus answered {frozen:?}"
    );
    assert!(!engine.is_ready("prometheus").await.expect("probe"));

    engine.unpause("prometheus").await.expect("unpause");
    engine
        .wait_ready("prometheus", READY_TIMEOUT)
        .await
        .expect("ready after unpause");
    assert!(engine.is_ready("prometheus").await.expect("probe"));

    engine.stop("prometheus", GRACE).await.expect("stop");
    let status = engine.status("prometheus").await.expect("status");
    assert_eq!(
        status.phase,
        Phase::Exited {
            code: 0,
            oom_killed: false
        }
    );
    assert_eq!(status.memory_bytes, None);
    let logs = engine.logs("prometheus", 200).await.expect("logs");
    assert!(
        logs.iter().any(|l| l.contains("Starting Prometheus")),
        "{logs:#?}"
    );
    assert!(engine.logs("prometheus", 3).await.expect("logs").len() <= 3);

    engine.start("prometheus").await.expect("start again");
    engine
        .wait_ready("prometheus", READY_TIMEOUT)
        .await
        .expect("ready after start");
    engine.kill("prometheus").await.expect("kill");
    let killed = engine.status("prometheus").await.expect("status").phase;
    assert!(
        matches!(killed, Phase::Exited { code: 137, .. }),
        "{killed:?}"
    );

    let removed = engine.remove_all(true).await.expect("remove all");
    assert_eq!(removed.containers, vec![format!("{lab}-prometheus")]);
    assert_eq!(removed.networks, vec![lab.clone()]);
    assert_eq!(removed.volumes, vec![format!("{lab}-prometheus-data")]);
    assert_eq!(labelled_leftovers(&lab).await, (0, 0, 0));
    assert!(engine.remove_all(true).await.expect("again").is_empty());
    assert_eq!(
        engine.status("prometheus").await.expect("status").phase,
        Phase::Missing
    );

    assert!(engine.remove_image(&fx.image).await.expect("remove image"));
    assert!(
        !engine
            .image_present(&fx.image)
            .await
            .expect("inspect image")
    );
    drop(fx.cleanup);
}

#[tokio::test]
async fn containers_are_loopback_only_limited_labelled_and_reach_each_other_by_name() {
    let Some(fx) = fixture("conf").await else {
        return;
    };
    let engine = &fx.engine;
    let lab = engine.lab().to_string();
    let config = fx.dir.path().join("config");
    write_config(fx.dir.path(), &["peer:9090"]);

    let mut peer = prometheus("peer", &fx.image, &config, 0);
    peer.ports.clear();
    peer.readiness = None;
    engine.create_and_start(&peer).await.expect("start peer");
    let port = free_port();
    let spec = prometheus("prometheus", &fx.image, &config, port);
    let id = engine.create_and_start(&spec).await.expect("start");
    engine
        .wait_ready("peer", READY_TIMEOUT)
        .await
        .expect("peer runs");
    engine
        .wait_ready("prometheus", READY_TIMEOUT)
        .await
        .expect("ready");

    let docker = raw_docker().await;
    let name = format!("{lab}-prometheus");
    let inspect = docker
        .inspect_container(&name, None::<InspectContainerOptions>)
        .await
        .expect("inspect");
    let host = inspect.host_config.clone().expect("host config");
    let bindings = host.port_bindings.clone().expect("port bindings");
    assert_eq!(
        bindings.get("9090/tcp").cloned().flatten(),
        Some(vec![PortBinding {
            host_ip: Some("127.0.0.1".into()),
            host_port: Some(port.to_string()),
        }])
    );
    assert_eq!(bindings.len(), 1, "{bindings:?}");
    assert_eq!(host.memory, Some(256 * 1024 * 1024));
    assert_eq!(host.memory_swap, Some(256 * 1024 * 1024));
    assert_eq!(
        host.restart_policy.and_then(|r| r.name),
        Some(RestartPolicyNameEnum::NO)
    );
    let labels = inspect
        .config
        .as_ref()
        .and_then(|c| c.labels.clone())
        .expect("labels");
    assert_eq!(labels.get("io.labtui.lab"), Some(&lab));
    assert_eq!(
        labels.get("io.labtui.component").map(String::as_str),
        Some("prometheus")
    );
    assert_eq!(
        labels.get("io.labtui.managed").map(String::as_str),
        Some("true")
    );
    let mounts = inspect.mounts.clone().unwrap_or_default();
    let config_mount = mounts
        .iter()
        .find(|m| m.destination.as_deref() == Some("/etc/labtui"))
        .expect("config mount");
    assert_eq!(config_mount.rw, Some(false), "{config_mount:?}");
    let data_mount = mounts
        .iter()
        .find(|m| m.destination.as_deref() == Some("/prometheus"))
        .expect("data mount");
    assert_eq!(data_mount.typ.as_deref(), Some("volume"));
    assert_eq!(data_mount.name, Some(format!("{lab}-prometheus-data")));
    let aliases = inspect
        .network_settings
        .and_then(|n| n.networks)
        .and_then(|n| n.get(&lab).cloned())
        .and_then(|e| e.aliases)
        .unwrap_or_default();
    assert!(aliases.contains(&"prometheus".to_string()), "{aliases:?}");
    let network = docker
        .inspect_network(&lab, None)
        .await
        .expect("inspect network");
    assert_eq!(
        network.labels.and_then(|l| l.get("io.labtui.lab").cloned()),
        Some(lab.clone())
    );
    let volume = docker
        .inspect_volume(&format!("{lab}-prometheus-data"))
        .await
        .expect("inspect volume");
    assert_eq!(volume.labels.get("io.labtui.lab"), Some(&lab));

    // The peer is scraped through the lab network by its component name.
    let client = http();
    let query = format!("http://127.0.0.1:{port}/api/v1/query");
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut last = serde_json::Value::Null;
    while Instant::now() < deadline {
        let answer = client
            .get(&query)
            .query(&[("query", "up{job=\"peer\"}")])
            .send()
            .await;
        if let Ok(answer) = answer {
            last = answer.json().await.unwrap_or_default();
            if last["data"]["result"][0]["value"][1] == "1" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(last["data"]["result"][0]["value"][1], "1", "{last}");

    // The same spec keeps the container; a changed one replaces it.
    let again = engine.create_and_start(&spec).await.expect("up again");
    assert_eq!(again, id);
    let mut bigger = spec.clone();
    bigger.memory_mb = Some(320);
    let replaced = engine.create_and_start(&bigger).await.expect("replace");
    assert_ne!(replaced, id);
    engine
        .wait_ready("prometheus", READY_TIMEOUT)
        .await
        .expect("replacement ready");
    assert_eq!(engine.list().await.expect("list").len(), 2);

    let removed = engine.remove_all(true).await.expect("remove all");
    assert_eq!(removed.containers.len(), 2, "{removed:?}");
    assert_eq!(labelled_leftovers(&lab).await, (0, 0, 0));
    drop(fx.cleanup);
}

#[tokio::test]
async fn readiness_failures_carry_the_state_and_the_last_log_lines() {
    let Some(fx) = fixture("fail").await else {
        return;
    };
    let engine = &fx.engine;
    let config = fx.dir.path().join("config");

    let mut broken = prometheus("broken", &fx.image, &config, free_port());
    broken.cmd[1] = "--config.file=/etc/labtui/missing.yml".into();
    engine.create_and_start(&broken).await.expect("start");
    let err = engine
        .wait_ready("broken", READY_TIMEOUT)
        .await
        .expect_err("a component without config never becomes ready");
    assert!(matches!(err, DockerError::Stopped { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("broken stopped before"), "{text}");
    // Prometheus exits with 2 when it cannot load its configuration.
    assert!(text.contains("exited with code 2"), "{text}");
    assert!(text.contains("missing.yml"), "{text}");
    assert_eq!(
        engine.status("broken").await.expect("status").phase,
        Phase::Exited {
            code: 2,
            oom_killed: false
        }
    );

    let port = free_port();
    let mut wrong_path = prometheus("wrongpath", &fx.image, &config, port);
    wrong_path.readiness = Some(Readiness {
        path: "/no-such-endpoint".into(),
        port,
    });
    engine.create_and_start(&wrong_path).await.expect("start");
    let err = engine
        .wait_ready("wrongpath", Duration::from_secs(3))
        .await
        .expect_err("a 404 is not ready");
    let text = err.to_string();
    assert!(matches!(err, DockerError::NotReady { .. }), "{err:?}");
    assert!(
        text.contains(&format!("http://127.0.0.1:{port}/no-such-endpoint")),
        "{text}"
    );
    assert!(text.contains("(container running)"), "{text}");
    assert!(text.contains("Last log lines:\n  "), "{text}");

    // A host port someone else holds is named in the error.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let taken = holder.local_addr().expect("addr").port();
    let clash = prometheus("clash", &fx.image, &config, taken);
    let err = engine
        .create_and_start(&clash)
        .await
        .expect_err("port in use");
    assert!(matches!(err, DockerError::PortInUse { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "clash: host port {taken} on 127.0.0.1 is already in use"
        )),
        "{err}"
    );
    drop(holder);
    drop(fx.cleanup);
}

#[tokio::test]
async fn missing_images_unreachable_registries_and_absent_components_say_what_to_do() {
    let lab = lab_name("miss");
    let Some(engine) = engine(&lab).await else {
        return;
    };
    let _cleanup = Cleanup {
        labs: vec![lab.clone()],
        images: vec![],
    };
    let err = DockerEngine::connect("Not A Lab")
        .await
        .expect_err("bad lab name");
    assert!(matches!(err, DockerError::BadLabName { .. }), "{err:?}");

    let dir = tempfile::tempdir().expect("tempdir");
    let spec = prometheus("loki", "labtui-test/absent:none", dir.path(), free_port());
    let err = engine
        .create_and_start(&spec)
        .await
        .expect_err("no such image");
    assert!(matches!(err, DockerError::ImageMissing { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("loki: image labtui-test/absent:none")
    );

    // Nothing listens on port 1: the pull fails at once, as it does with no registry access.
    let (tx, _rx) = mpsc::channel(64);
    let image = "127.0.0.1:1/labtui-test/absent:1";
    let err = engine.pull(image, tx).await.expect_err("no registry");
    let text = err.to_string();
    assert!(matches!(err, DockerError::PullFailed { .. }), "{err:?}");
    assert!(
        text.starts_with(&format!("could not pull {image}: ")),
        "{text}"
    );
    assert!(
        text.ends_with("import the image or use --runtime native"),
        "{text}"
    );
    assert!(!engine.image_present(image).await.expect("inspect"));

    assert_eq!(
        engine.status("loki").await.expect("status").phase,
        Phase::Missing
    );
    assert!(!engine.is_ready("loki").await.expect("probe"));
    for err in [
        engine.logs("loki", 10).await.expect_err("no container"),
        engine.stop("loki", GRACE).await.expect_err("no container"),
        engine.pause("loki").await.expect_err("no container"),
    ] {
        assert!(matches!(err, DockerError::NoContainer { .. }), "{err:?}");
        assert!(err.to_string().contains("`labtui up`"), "{err}");
    }
    assert!(engine.list().await.expect("list").is_empty());
    assert!(engine.remove_all(true).await.expect("remove").is_empty());
}

#[tokio::test]
async fn removing_one_lab_leaves_another_lab_untouched() {
    let Some(mut fx) = fixture("isoa").await else {
        return;
    };
    let other_lab = lab_name("isob");
    fx.cleanup.labs.push(other_lab.clone());
    let Some(other) = engine(&other_lab).await else {
        return;
    };
    let config = fx.dir.path().join("config");
    for engine in [&fx.engine, &other] {
        let mut spec = prometheus("prometheus", &fx.image, &config, 0);
        spec.ports.clear();
        spec.readiness = None;
        engine.create_and_start(&spec).await.expect("start");
    }

    let removed = fx.engine.remove_all(true).await.expect("remove lab a");
    assert_eq!(removed.containers.len(), 1, "{removed:?}");
    assert_eq!(labelled_leftovers(fx.engine.lab()).await, (0, 0, 0));
    assert_eq!(labelled_leftovers(&other_lab).await, (1, 1, 1));
    let listed = other.list().await.expect("list");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].state, "running");
    assert_eq!(
        other.status("prometheus").await.expect("status").phase,
        Phase::Running
    );

    let removed = other.remove_all(false).await.expect("remove lab b");
    assert_eq!(removed.containers.len(), 1);
    assert!(removed.volumes.is_empty());
    assert_eq!(labelled_leftovers(&other_lab).await, (0, 0, 1));
    drop(fx.cleanup);
}
