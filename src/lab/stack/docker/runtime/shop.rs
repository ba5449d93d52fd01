//! The shop in the Docker runtime: one container per service on the lab's network, from an
//! image built out of this labtui binary (see `shop_image`), so the lab's Prometheus,
//! Tempo and Loki reach the shop, and the shop them, by component name.
//!
//! Inside its container a service listens on 0.0.0.0 (the container's own network); the
//! host reaches it only through its port published on 127.0.0.1, like every component.
//! Its databases, admin token and JSON log stay in the host's data dir (bind mounts), and
//! it runs as the owner of that dir, so `labtui fault`, `labtui traffic` and the log files
//! work exactly as they do for the native shop.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tokio::sync::mpsc;

use super::DockerRuntime;
use super::container::command_line;
use crate::lab::shop::launch::{LabTelemetry, ShopLaunch, ShopNetwork, processes};
use crate::lab::shop::{Service, log_file, token};
use crate::lab::stack::docker::{
    BindMount, ContainerSpec, DockerEngine, PortMap, Readiness, SHOP_BINARY, shop_image_ref,
};
use crate::lab::stack::shared::{self, emit};
use crate::lab::stack::state::{ComponentRecord, LabState};
use crate::lab::stack::types::{Outcome, UpEvent};
use crate::lab::stack::{Plan, RuntimeKind, StackError, http};

/// The data dir as the shop's containers see it.
const CONTAINER_DATA_DIR: &str = "/var/lib/labtui";
/// A hard limit like every component's: the memory_leak fault ends in an OOM kill
/// (which `status` reports) instead of taking the machine down.
const SHOP_MEMORY_MB: u64 = 1024;

/// Start the planned shop services that do not already run from the same spec, wait for
/// them, and point Prometheus at them. Returns each service's outcome.
pub(super) async fn start(
    rt: &DockerRuntime,
    plan: &Plan,
    state: &mut LabState,
    previous: Option<&LabState>,
    events: &mpsc::Sender<UpEvent>,
) -> Result<Vec<(String, Outcome)>, StackError> {
    let Some(shop) = rt.shop() else {
        return Ok(Vec::new());
    };
    let host_ports = plan.shop_ports();
    if host_ports.is_empty() {
        return Ok(Vec::new());
    }
    let engine = rt.engine();
    let dirs = rt.dirs();
    let data_dir = std::path::absolute(dirs.root.parent().unwrap_or(&dirs.root))
        .map_err(|e| StackError::io("could not resolve", &dirs.root, e))?;
    let image = match shop_image(engine, shop, &dirs.root.join("tmp"), events).await {
        Ok(image) => image,
        Err(reason) => return Ok(fail_all(host_ports.keys(), &reason, events).await),
    };
    let shared_dirs = host_dirs(&data_dir)?;
    let lab = lab_telemetry(plan, state);
    let inside = ShopLaunch {
        program: PathBuf::from(SHOP_BINARY),
        ..shop.clone()
    };
    let container_ports: BTreeMap<Service, u16> =
        host_ports.keys().map(|s| (*s, s.default_port())).collect();
    // Rootless Docker maps the container's root to the user already; another uid would
    // map to a subordinate id that the user cannot read.
    let user = if engine.is_rootless().await {
        None
    } else {
        owner(&data_dir)
    };
    let client = http::client()?;
    let mut outcomes = Vec::new();
    let mut waiting: Vec<(String, Instant)> = Vec::new();
    let planned = processes(
        &inside,
        Path::new(CONTAINER_DATA_DIR),
        &container_ports,
        &lab,
        ShopNetwork::Containers,
    );
    for process in planned {
        let service = process.service;
        let name = service.component();
        let host_port = host_ports[&service];
        let spec = ContainerSpec {
            component: name.clone(),
            image: image.clone(),
            entrypoint: None,
            cmd: process.command,
            env: Vec::new(),
            ports: vec![PortMap {
                host: host_port,
                container: process.port,
            }],
            mounts: shared_dirs.clone(),
            volumes: Vec::new(),
            memory_mb: Some(SHOP_MEMORY_MB),
            readiness: Some(Readiness {
                path: "/health".to_string(),
                port: host_port,
            }),
            user: user.clone(),
        };
        let mut record = shared::shop_record(
            service,
            host_port,
            command_line(&spec),
            log_file(&data_dir, service),
        );
        if engine.runs_current(&spec, &client).await? {
            let kept = previous
                .filter(|p| p.runtime == RuntimeKind::Docker)
                .and_then(|p| p.component(&name))
                .filter(|r| r.container.is_some())
                .cloned();
            record = kept.unwrap_or(record);
            record.container = record.container.or(Some(engine.container_name(&name)));
            emit(
                events,
                UpEvent::AlreadyRunning {
                    component: name.clone(),
                    url: record.url.clone(),
                },
            )
            .await;
            outcomes.push((name.clone(), Outcome::AlreadyRunning));
            replace_record(state, record);
            continue;
        }
        emit(
            events,
            UpEvent::Starting {
                component: name.clone(),
                command: format!("{} (image {image})", record.command.join(" ")),
                log: record.log_file.clone(),
            },
        )
        .await;
        match engine.create_and_start(&spec).await {
            Ok(id) => {
                record.container = Some(id);
                emit(
                    events,
                    UpEvent::WaitingReady {
                        component: name.clone(),
                        url: record.ready_url.clone(),
                    },
                )
                .await;
                waiting.push((name.clone(), Instant::now()));
            }
            Err(e) => {
                let outcome = shared::failed(events, &name, e.to_string()).await;
                outcomes.push((name.clone(), outcome));
            }
        }
        replace_record(state, record);
        state.save(dirs)?;
    }
    let results = futures::future::join_all(
        waiting
            .iter()
            .map(|(name, _)| engine.wait_ready(name, shared::SHOP_READY_TIMEOUT)),
    )
    .await;
    for ((name, since), result) in waiting.iter().zip(results) {
        match result {
            Ok(()) => {
                let took = since.elapsed();
                let url = state.url(name).unwrap_or_default().to_string();
                emit(
                    events,
                    UpEvent::Ready {
                        component: name.clone(),
                        url,
                        took,
                    },
                )
                .await;
                outcomes.push((name.clone(), Outcome::Ready { took }));
            }
            Err(e) => outcomes.push((
                name.clone(),
                shared::failed(events, name, e.to_string()).await,
            )),
        }
    }
    // The containers just replaced no longer hold an older binary's image.
    engine.remove_other_shop_images(&image).await;
    // Prometheus runs on the lab network too: it scrapes each service by name.
    shared::write_shop_scrape_targets(dirs, state, |service, _| {
        format!("{}:{}", service.component(), service.default_port())
    })?;
    Ok(outcomes)
}

/// The shop image for `shop`'s binary, built now (with a progress line) when missing.
async fn shop_image(
    engine: &DockerEngine,
    shop: &ShopLaunch,
    scratch: &Path,
    events: &mpsc::Sender<UpEvent>,
) -> Result<String, String> {
    let image = shop_image_ref(&shop.program).map_err(|e| e.to_string())?;
    if engine
        .image_present(&image)
        .await
        .map_err(|e| e.to_string())?
    {
        return Ok(image);
    }
    emit(
        events,
        UpEvent::Building {
            component: "shop".to_string(),
            image: image.clone(),
            from: shop.program.clone(),
        },
    )
    .await;
    engine
        .build_shop_image(&shop.program, &image, scratch)
        .await
        .map_err(|e| e.to_string())?;
    Ok(image)
}

/// Every service fails with the same reason (no image).
async fn fail_all(
    services: impl Iterator<Item = &Service>,
    reason: &str,
    events: &mpsc::Sender<UpEvent>,
) -> Vec<(String, Outcome)> {
    let mut outcomes = Vec::new();
    for service in services {
        let name = service.component();
        let outcome = shared::failed(events, &name, reason.to_string()).await;
        outcomes.push((name, outcome));
    }
    outcomes
}

fn replace_record(state: &mut LabState, record: ComponentRecord) {
    state.components.retain(|r| r.name != record.name);
    state.components.push(record);
}

/// The host folders the services write to, mounted read-write at the same place under
/// the container's data dir: databases and token (`lab/shop`), JSON logs (`lab/logs`).
fn host_dirs(data_dir: &Path) -> Result<Vec<BindMount>, StackError> {
    token::ensure(data_dir).map_err(|e| {
        StackError::io(
            "could not create the shop's admin token",
            token::path(data_dir),
            std::io::Error::other(e.to_string()),
        )
    })?;
    ["shop", "logs"]
        .into_iter()
        .map(|sub| {
            let host = data_dir.join("lab").join(sub);
            std::fs::create_dir_all(&host)
                .map_err(|e| StackError::io("could not create", &host, e))?;
            Ok(BindMount {
                host,
                container: format!("{CONTAINER_DATA_DIR}/lab/{sub}"),
                read_only: false,
            })
        })
        .collect()
}

impl DockerEngine {
    /// Whether the engine runs rootless (`docker info` lists `name=rootless`).
    async fn is_rootless(&self) -> bool {
        self.info()
            .await
            .ok()
            .and_then(|i| i.security_options)
            .is_some_and(|options| options.iter().any(|o| o.contains("name=rootless")))
    }
}

/// `uid:gid` of the data dir's owner: files the shop writes stay the user's.
fn owner(data_dir: &Path) -> Option<String> {
    let meta = std::fs::metadata(data_dir).ok()?;
    Some(format!("{}:{}", meta.uid(), meta.gid()))
}

/// The shop reaches the lab's backends from inside the lab network: by component name,
/// on the ports they listen on in their containers.
fn lab_telemetry(plan: &Plan, state: &LabState) -> LabTelemetry {
    shared::shop_telemetry(state, |component, port| {
        let c = plan.spec.component(component)?;
        let p = if port.is_empty() {
            c.primary_port()
        } else {
            c.port(port)?
        };
        Some(format!("http://{component}:{}", p.container_port()))
    })
}
