//! The shop after the stack: `up` starts one `labtui shop serve <service>` process per
//! planned shop service, records each like a component (`shop-storefront`, ...) so
//! `status`, `down` and control see them, and points Prometheus at their /metrics.
//! A missing Tempo or Loki only means the shop's spans or logs go nowhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc;

use super::NativeRuntime;
use super::launch::{self, Launch};
use crate::lab::shop::launch::{LabTelemetry, ShopNetwork, ShopProcess, processes};
use crate::lab::shop::token;
use crate::lab::stack::plan::Plan;
use crate::lab::stack::state::{ComponentRecord, LabState, PidFile};
use crate::lab::stack::types::{Outcome, UpEvent};
use crate::lab::stack::{StackError, http, ports, shared};

/// How long a shop process gets to answer /health.
const READY_TIMEOUT: Duration = shared::SHOP_READY_TIMEOUT;

/// Start the planned shop processes that do not already run; returns their outcomes.
pub(super) async fn start(
    rt: &NativeRuntime,
    plan: &Plan,
    state: &mut LabState,
    events: &mpsc::Sender<UpEvent>,
    lab: LabTelemetry,
) -> Result<Vec<(String, Outcome)>, StackError> {
    let Some(shop) = rt.shop() else {
        return Ok(Vec::new());
    };
    if plan.shop.is_empty() {
        return Ok(Vec::new());
    }
    let dirs = rt.dirs();
    let data_dir = dirs.root.parent().unwrap_or(&dirs.root).to_path_buf();
    token::ensure(&data_dir).map_err(|e| {
        StackError::io(
            "could not create the shop's admin token",
            token::path(&data_dir),
            std::io::Error::other(e.to_string()),
        )
    })?;
    let workdir = data_dir.join("lab").join("shop");
    std::fs::create_dir_all(&workdir)
        .map_err(|e| StackError::io("could not create", &workdir, e))?;
    let mut outcomes = Vec::new();
    let mut waiting: Vec<ComponentRecord> = Vec::new();
    for process in processes(
        shop,
        &data_dir,
        &plan.shop_ports(),
        &lab,
        ShopNetwork::Loopback,
    ) {
        let name = process.service.component();
        if let Some(kept) = state.component(&name) {
            emit(
                events,
                UpEvent::AlreadyRunning {
                    component: name.clone(),
                    url: kept.url.clone(),
                },
            )
            .await;
            outcomes.push((name, Outcome::AlreadyRunning));
            continue;
        }
        if !ports::is_free(process.port) {
            let busy = ports::BusyPort {
                port_name: name.clone(),
                port: process.port,
                holder: ports::holder(process.port),
            };
            let outcome = shared::failed(events, &name, busy.to_string()).await;
            outcomes.push((name, outcome));
            continue;
        }
        let launch = Launch {
            command: process.command.clone(),
            env: BTreeMap::new(),
            workdir: workdir.clone(),
            log: process.log.clone(),
        };
        emit(
            events,
            UpEvent::Starting {
                component: name.clone(),
                command: launch.command.join(" "),
                log: Some(launch.log.clone()),
            },
        )
        .await;
        match launch::spawn(&name, &launch, &dirs.root) {
            Ok((pid, start_ticks)) => {
                let record = record(&process, &shop.program, &launch, pid, start_ticks);
                PidFile {
                    component: name.clone(),
                    pid,
                    binary: shop.program.clone(),
                    start_ticks,
                }
                .write(dirs)?;
                emit(
                    events,
                    UpEvent::WaitingReady {
                        component: name,
                        url: record.ready_url.clone(),
                    },
                )
                .await;
                state.components.push(record.clone());
                state.save(dirs)?;
                waiting.push(record);
            }
            Err(e) => {
                let outcome = shared::failed(events, &name, e.to_string()).await;
                outcomes.push((name, outcome));
            }
        }
    }
    outcomes.extend(wait_all(&waiting, events).await?);
    write_targets(dirs, state)?;
    Ok(outcomes)
}

async fn emit(events: &mpsc::Sender<UpEvent>, event: UpEvent) {
    // A caller that stopped listening does not stop the shop from starting.
    let _ = events.send(event).await;
}

/// Natively the lab's backends listen on loopback at the plan's host ports.
pub(super) fn lab_telemetry(plan: &Plan, state: &LabState) -> LabTelemetry {
    shared::shop_telemetry(state, |component, port| {
        let port = if port.is_empty() {
            plan.primary_port(component)?
        } else {
            plan.port(component, port)?
        };
        Some(format!("http://127.0.0.1:{port}"))
    })
}

fn record(
    process: &ShopProcess,
    program: &Path,
    launch: &Launch,
    pid: u32,
    start_ticks: Option<u64>,
) -> ComponentRecord {
    let mut record = shared::shop_record(
        process.service,
        process.port,
        launch.command.clone(),
        launch.log.clone(),
    );
    record.pid = Some(pid);
    record.start_ticks = start_ticks;
    record.binary = Some(PathBuf::from(program));
    record.env = launch.env.clone();
    record.workdir = Some(launch.workdir.clone());
    record
}

async fn wait_all(
    waiting: &[ComponentRecord],
    events: &mpsc::Sender<UpEvent>,
) -> Result<Vec<(String, Outcome)>, StackError> {
    let client = http::client()?;
    let results = futures::future::join_all(waiting.iter().map(|r| {
        let binary = r.binary.clone().unwrap_or_default();
        let log = r.log_file.clone().unwrap_or_default();
        let client = &client;
        async move {
            launch::wait_ready(
                client,
                &r.ready_url,
                r.pid.unwrap_or(0),
                &binary,
                r.start_ticks,
                READY_TIMEOUT,
                &log,
            )
            .await
        }
    }))
    .await;
    let mut outcomes = Vec::new();
    for (record, result) in waiting.iter().zip(results) {
        let name = record.name.clone();
        match result {
            Ok(took) => {
                emit(
                    events,
                    UpEvent::Ready {
                        component: name.clone(),
                        url: record.url.clone(),
                        took,
                    },
                )
                .await;
                outcomes.push((name, Outcome::Ready { took }));
            }
            Err(reason) => {
                outcomes.push((name.clone(), shared::failed(events, &name, reason).await));
            }
        }
    }
    Ok(outcomes)
}

/// Natively Prometheus reaches every shop process on loopback.
fn write_targets(dirs: &crate::lab::stack::LabDirs, state: &LabState) -> Result<(), StackError> {
    shared::write_shop_scrape_targets(dirs, state, |_, port| format!("127.0.0.1:{port}"))
}
