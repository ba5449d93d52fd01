//! `up` for the native runtime: keep what already runs, skip what is missing, refuse busy
//! ports, render, then start wave by wave in dependency order.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use tokio::sync::mpsc;

use super::launch::{self, Launch};
use super::{NativeRuntime, ResolvedBinary};
use crate::lab::stack::plan::Plan;
use crate::lab::stack::shared::{self, emit, skip};
use crate::lab::stack::spec::Component;
use crate::lab::stack::state::SkipReason;
use crate::lab::stack::state::{ComponentRecord, LabState, PidFile, SkippedComponent};
use crate::lab::stack::types::{Outcome, UpEvent, UpReport};
use crate::lab::stack::{BusyPort, RuntimeKind, StackError, http, ports, proc};

/// Whether a recorded component is still the live process labtui started.
pub(crate) fn alive(record: &ComponentRecord) -> bool {
    match (record.pid, &record.binary) {
        (Some(pid), Some(binary)) => proc::is_ours(pid, binary, record.start_ticks),
        _ => false,
    }
}

pub(super) async fn up(
    rt: &NativeRuntime,
    plan: &Plan,
    events: mpsc::Sender<UpEvent>,
) -> Result<UpReport, StackError> {
    let dirs = rt.dirs();
    let previous = match LabState::load(dirs) {
        Ok(state) => state,
        // Moved aside; leftovers still holding ports are named by the busy-port check.
        Err(StackError::CorruptState { .. }) => None,
        Err(e) => return Err(e),
    };

    // Components an earlier `up` started that still run with the same ports are kept.
    let mut kept: Vec<ComponentRecord> = Vec::new();
    if let Some(prev) = &previous {
        for record in prev.components.iter().filter(|r| alive(r)) {
            let same_ports = plan.ports.get(&record.name) == Some(&record.ports);
            let planned =
                plan.components.contains(&record.name) || plan.shop.contains(&record.name);
            if prev.runtime != RuntimeKind::Native || !same_ports || !planned {
                return Err(StackError::AlreadyRunning {
                    runtime: prev.runtime.to_string(),
                    started: prev.started_at.to_rfc3339(),
                    component: record.name.clone(),
                });
            }
            kept.push(record.clone());
        }
    }
    let kept_names: BTreeSet<String> = kept.iter().map(|r| r.name.clone()).collect();

    emit(
        &events,
        UpEvent::Planned {
            components: plan.components.clone(),
        },
    )
    .await;
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut skipped: Vec<SkippedComponent> = Vec::new();
    let mut to_start: Vec<(&Component, ResolvedBinary)> = Vec::new();
    for component in plan.planned() {
        if kept_names.contains(&component.name) {
            let url = kept
                .iter()
                .find(|r| r.name == component.name)
                .map(|r| r.url.clone())
                .unwrap_or_default();
            emit(
                &events,
                UpEvent::AlreadyRunning {
                    component: component.name.clone(),
                    url,
                },
            )
            .await;
            outcomes.insert(component.name.clone(), Outcome::AlreadyRunning);
            continue;
        }
        match rt.resolve(component) {
            Ok(binary) => to_start.push((component, binary)),
            Err(reason) => {
                skip(
                    &events,
                    &mut outcomes,
                    &mut skipped,
                    &component.name,
                    reason,
                )
                .await
            }
        }
    }
    for name in &plan.unavailable {
        let reason = SkipReason::NotForRuntime {
            runtime: RuntimeKind::Native.to_string(),
        };
        skip(&events, &mut outcomes, &mut skipped, name, reason).await;
    }

    // Refuse busy ports before starting anything.
    let mut busy = Vec::new();
    for (component, _) in &to_start {
        for (name, port) in plan.ports.get(&component.name).into_iter().flatten() {
            if !ports::is_free(*port) {
                let port_name = if *name == component.primary_port().name {
                    component.name.clone()
                } else {
                    format!("{}.{name}", component.name)
                };
                busy.push(BusyPort {
                    port_name,
                    port: *port,
                    holder: ports::holder(*port),
                });
            }
        }
    }
    if !busy.is_empty() {
        return Err(StackError::PortsBusy(busy));
    }
    let present: BTreeSet<String> = kept_names
        .iter()
        .cloned()
        .chain(to_start.iter().map(|(c, _)| c.name.clone()))
        .collect();
    plan.check_clashes(&present.iter().cloned().collect::<Vec<_>>())?;

    // Render everything first: a config error aborts before any process starts.
    let mut launches: Vec<(&Component, ResolvedBinary, Launch)> = Vec::new();
    for (component, binary) in to_start {
        let launch = launch::prepare(plan, dirs, component, &binary, &present)?;
        launches.push((component, binary, launch));
    }

    let mut state = LabState {
        schema: 1,
        runtime: RuntimeKind::Native,
        profile: plan.profile,
        started_at: previous
            .as_ref()
            .filter(|_| !kept.is_empty())
            .map_or_else(Utc::now, |p| p.started_at),
        port_base: plan.port_base,
        ports: plan.ports.clone(),
        webhook_url: plan.webhook_url.clone(),
        components: kept,
        skipped,
        docker_lab: None,
    };
    state.save(dirs)?;

    let client = http::client()?;
    let starting: Vec<&Component> = launches.iter().map(|(c, _, _)| *c).collect();
    for wave in shared::waves(&starting) {
        let mut waiting = Vec::new();
        for index in wave {
            let (component, binary, launch) = &launches[index];
            let name = component.name.clone();
            emit(
                &events,
                UpEvent::Starting {
                    component: name.clone(),
                    command: launch.command.join(" "),
                    log: Some(launch.log.clone()),
                },
            )
            .await;
            match launch::spawn(&name, launch, &dirs.root) {
                Ok((pid, start_ticks)) => {
                    let record = record(plan, component, binary, launch, pid, start_ticks);
                    PidFile {
                        component: name.clone(),
                        pid,
                        binary: binary.path.clone(),
                        start_ticks,
                    }
                    .write(dirs)?;
                    emit(
                        &events,
                        UpEvent::WaitingReady {
                            component: name.clone(),
                            url: record.ready_url.clone(),
                        },
                    )
                    .await;
                    state.components.push(record.clone());
                    state.save(dirs)?;
                    waiting.push(record);
                }
                Err(e) => {
                    emit(
                        &events,
                        UpEvent::Failed {
                            component: name.clone(),
                            reason: e.to_string(),
                        },
                    )
                    .await;
                    outcomes.insert(name, Outcome::Failed(e.to_string()));
                }
            }
        }
        let results = futures::future::join_all(waiting.iter().map(|r| {
            let timeout = std::time::Duration::from_secs(r.ready_timeout_s);
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
                    timeout,
                    &log,
                )
                .await
            }
        }))
        .await;
        for (record, result) in waiting.iter().zip(results) {
            let name = record.name.clone();
            match result {
                Ok(took) => {
                    emit(
                        &events,
                        UpEvent::Ready {
                            component: name.clone(),
                            url: record.url.clone(),
                            took,
                        },
                    )
                    .await;
                    outcomes.insert(name, Outcome::Ready { took });
                }
                Err(reason) => {
                    emit(
                        &events,
                        UpEvent::Failed {
                            component: name.clone(),
                            reason: reason.clone(),
                        },
                    )
                    .await;
                    outcomes.insert(name, Outcome::Failed(reason));
                }
            }
        }
    }
    state.save(dirs)?;
    let telemetry = super::shop::lab_telemetry(plan, &state);
    let shop_outcomes = super::shop::start(rt, plan, &mut state, &events, telemetry).await?;

    let mut outcomes = shared::ordered_outcomes(plan, outcomes);
    outcomes.extend(shop_outcomes);
    Ok(UpReport { state, outcomes })
}

fn record(
    plan: &Plan,
    component: &Component,
    binary: &ResolvedBinary,
    launch: &Launch,
    pid: u32,
    start_ticks: Option<u64>,
) -> ComponentRecord {
    ComponentRecord {
        pid: Some(pid),
        start_ticks,
        binary: Some(binary.path.clone()),
        command: launch.command.clone(),
        env: launch.env.clone(),
        workdir: Some(launch.workdir.clone()),
        log_file: Some(launch.log.clone()),
        ..shared::base_record(plan, component)
    }
}
