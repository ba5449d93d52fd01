//! `up` for the Docker runtime: refuse busy ports, pull what is missing, render, keep what
//! already runs from the same spec, then create and start wave by wave in dependency order.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::Utc;
use tokio::sync::mpsc;

use super::DockerRuntime;
use super::container::{self, ImageConfig};
use crate::lab::stack::docker::{
    ContainerSpec, DEFAULT_LAB, DockerEngine, DockerError, PullProgress,
};
use crate::lab::stack::shared::{self, emit, skip};
use crate::lab::stack::spec::Component;
use crate::lab::stack::state::SkipReason;
use crate::lab::stack::state::{ComponentRecord, LabState, SkippedComponent};
use crate::lab::stack::types::{Outcome, UpEvent, UpReport};
use crate::lab::stack::{BusyPort, Plan, RuntimeKind, StackError, http, ports, proc};

pub(super) async fn up(
    rt: &DockerRuntime,
    plan: &Plan,
    events: mpsc::Sender<UpEvent>,
) -> Result<UpReport, StackError> {
    let dirs = rt.dirs();
    let engine = rt.engine();
    let previous = match LabState::load(dirs) {
        Ok(state) => state,
        // Moved aside; the lab's containers are still found by label.
        Err(StackError::CorruptState { .. }) => None,
        Err(e) => return Err(e),
    };
    refuse_other_labs(engine, plan, previous.as_ref()).await?;

    emit(
        &events,
        UpEvent::Planned {
            components: plan.components.clone(),
        },
    )
    .await;
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let mut skipped: Vec<SkippedComponent> = Vec::new();
    for name in &plan.unavailable {
        let reason = SkipReason::NotForRuntime {
            runtime: RuntimeKind::Docker.to_string(),
        };
        skip(&events, &mut outcomes, &mut skipped, name, reason).await;
    }
    check_ports(engine, plan).await?;
    std::fs::create_dir_all(&dirs.root)
        .map_err(|e| StackError::io("could not create", &dirs.root, e))?;

    // Images first: a component whose image cannot be had fails; the rest still start.
    let mut records: Vec<ComponentRecord> = Vec::new();
    let mut images: Vec<(&Component, ImageConfig)> = Vec::new();
    for component in plan.planned() {
        let got = match ensure_image(engine, component, &events).await {
            Ok(()) => engine.image_config(&component.name, &component.image).await,
            Err(e) => Err(e),
        };
        match got {
            Ok(config) => images.push((component, config)),
            Err(e) => {
                fail(&events, &mut outcomes, &component.name, e.to_string()).await;
                records.push(shared::base_record(plan, component));
            }
        }
    }

    // Render everything before starting anything: a config error stops the whole lab.
    let present: BTreeSet<String> = images.iter().map(|(c, _)| c.name.clone()).collect();
    let mut specs: Vec<(&Component, ContainerSpec)> = Vec::new();
    for (component, image) in &images {
        let spec = container::container_spec(plan, dirs, component, image, &present)?;
        specs.push((component, spec));
    }

    // Containers an earlier `up` started from the same spec, running and ready, are kept.
    let client = http::client()?;
    let mut to_start: Vec<(&Component, ContainerSpec)> = Vec::new();
    for (component, spec) in specs {
        if engine.runs_current(&spec, &client).await? {
            let kept = kept_record(engine, plan, component, &spec, previous.as_ref()).await?;
            emit(
                &events,
                UpEvent::AlreadyRunning {
                    component: component.name.clone(),
                    url: kept.url.clone(),
                },
            )
            .await;
            outcomes.insert(component.name.clone(), Outcome::AlreadyRunning);
            records.push(kept);
        } else {
            to_start.push((component, spec));
        }
    }

    let kept_earlier = outcomes
        .values()
        .any(|o| matches!(o, Outcome::AlreadyRunning));
    let mut state = LabState {
        schema: 1,
        runtime: RuntimeKind::Docker,
        profile: plan.profile,
        started_at: previous
            .as_ref()
            .filter(|p| kept_earlier && p.runtime == RuntimeKind::Docker)
            .map_or_else(Utc::now, |p| p.started_at),
        port_base: plan.port_base,
        ports: plan.ports.clone(),
        webhook_url: plan.webhook_url.clone(),
        components: records,
        skipped,
        docker_lab: (engine.lab() != DEFAULT_LAB).then(|| engine.lab().to_string()),
    };
    state.save(dirs)?;

    let starting: Vec<&Component> = to_start.iter().map(|(c, _)| *c).collect();
    for wave in shared::waves(&starting) {
        let mut waiting: Vec<(&Component, Instant)> = Vec::new();
        for index in wave {
            let (component, spec) = &to_start[index];
            let name = component.name.clone();
            let command = container::command_line(spec);
            emit(
                &events,
                UpEvent::Starting {
                    component: name.clone(),
                    command: format!("{} (image {})", command.join(" "), spec.image),
                    log: None,
                },
            )
            .await;
            let mut record = shared::base_record(plan, component);
            record.command = command;
            match engine.create_and_start(spec).await {
                Ok(id) => {
                    record.container = Some(id);
                    emit(
                        &events,
                        UpEvent::WaitingReady {
                            component: name,
                            url: record.ready_url.clone(),
                        },
                    )
                    .await;
                    waiting.push((component, Instant::now()));
                }
                Err(e) => fail(&events, &mut outcomes, &name, e.to_string()).await,
            }
            state.components.push(record);
            state.save(dirs)?;
        }
        let results = futures::future::join_all(
            waiting
                .iter()
                .map(|(c, _)| engine.wait_ready(&c.name, c.ready_timeout)),
        )
        .await;
        for ((component, since), result) in waiting.iter().zip(results) {
            let name = component.name.clone();
            match result {
                Ok(()) => {
                    let took = since.elapsed();
                    let url = state.url(&name).unwrap_or_default().to_string();
                    emit(
                        &events,
                        UpEvent::Ready {
                            component: name.clone(),
                            url,
                            took,
                        },
                    )
                    .await;
                    outcomes.insert(name, Outcome::Ready { took });
                }
                Err(e) => fail(&events, &mut outcomes, &name, e.to_string()).await,
            }
        }
    }
    let shop = super::shop::start(rt, plan, &mut state, previous.as_ref(), &events).await?;
    let order = |name: &str| plan.started().position(|c| c == name);
    state.components.sort_by_key(|r| order(&r.name));
    state.save(dirs)?;
    let mut outcomes = shared::ordered_outcomes(plan, outcomes);
    outcomes.extend(shop);
    Ok(UpReport { state, outcomes })
}

async fn fail(
    events: &mpsc::Sender<UpEvent>,
    outcomes: &mut BTreeMap<String, Outcome>,
    name: &str,
    reason: String,
) {
    outcomes.insert(name.to_string(), shared::failed(events, name, reason).await);
}

/// A lab still running natively from this data dir, or containers of this lab for
/// components the plan does not run (another profile), must be stopped first.
async fn refuse_other_labs(
    engine: &DockerEngine,
    plan: &Plan,
    previous: Option<&LabState>,
) -> Result<(), StackError> {
    let started = || {
        previous.map_or_else(
            || "by an earlier labtui".to_string(),
            |p| p.started_at.to_rfc3339(),
        )
    };
    if let Some(prev) = previous.filter(|p| p.runtime == RuntimeKind::Native) {
        let running = prev.components.iter().find(|r| match (r.pid, &r.binary) {
            (Some(pid), Some(binary)) => proc::is_ours(pid, binary, r.start_ticks),
            _ => false,
        });
        if let Some(record) = running {
            return Err(StackError::AlreadyRunning {
                runtime: RuntimeKind::Native.to_string(),
                started: started(),
                component: record.name.clone(),
            });
        }
    }
    for container in engine.list().await? {
        let live = matches!(
            container.state.as_str(),
            "running" | "paused" | "restarting"
        );
        if live && plan.started().all(|c| *c != container.component) {
            return Err(StackError::AlreadyRunning {
                runtime: RuntimeKind::Docker.to_string(),
                started: started(),
                component: container.component,
            });
        }
    }
    Ok(())
}

/// Refuse ports something else holds before pulling or starting anything. A port the
/// component's own container publishes is fine: `up` keeps or replaces that container.
async fn check_ports(engine: &DockerEngine, plan: &Plan) -> Result<(), StackError> {
    let mut busy = Vec::new();
    for component in plan.planned() {
        let own = engine.published_ports(&component.name).await?;
        for (name, port) in plan.ports.get(&component.name).into_iter().flatten() {
            if own.contains(port) || ports::is_free(*port) {
                continue;
            }
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
    for (service, port) in plan.shop_ports() {
        let name = service.component();
        if !ports::is_free(port) && !engine.published_ports(&name).await?.contains(&port) {
            busy.push(BusyPort {
                port_name: name,
                port,
                holder: ports::holder(port),
            });
        }
    }
    if busy.is_empty() {
        Ok(())
    } else {
        Err(StackError::PortsBusy(busy))
    }
}

/// The image is on this machine, or pulled now with its progress forwarded as events.
async fn ensure_image(
    engine: &DockerEngine,
    component: &Component,
    events: &mpsc::Sender<UpEvent>,
) -> Result<(), DockerError> {
    if engine.image_present(&component.image).await? {
        return Ok(());
    }
    let (tx, mut rx) = mpsc::channel::<PullProgress>(64);
    let forward = async {
        while let Some(line) = rx.recv().await {
            emit(events, pulling(&component.name, line)).await;
        }
    };
    let (pulled, ()) = tokio::join!(engine.pull(&component.image, tx), forward);
    pulled
}

/// One line of pull progress as an event of `component`.
fn pulling(component: &str, line: PullProgress) -> UpEvent {
    UpEvent::Pulling {
        component: component.to_string(),
        image: line.image,
        layer: line.layer,
        status: line.status,
        current: line.current_bytes,
        total: line.total_bytes,
    }
}

/// The record of a container kept from an earlier `up`: the earlier record when the
/// state file has it, else a fresh one dated from the container's start.
async fn kept_record(
    engine: &DockerEngine,
    plan: &Plan,
    component: &Component,
    spec: &ContainerSpec,
    previous: Option<&LabState>,
) -> Result<ComponentRecord, StackError> {
    if let Some(record) = previous
        .filter(|p| p.runtime == RuntimeKind::Docker)
        .and_then(|p| p.component(&component.name))
        .filter(|r| r.container.is_some())
    {
        return Ok(record.clone());
    }
    let status = engine.status(&component.name).await?;
    let mut record = shared::base_record(plan, component);
    record.command = container::command_line(spec);
    record.started_at = status.started_at.unwrap_or(record.started_at);
    record.container = engine
        .inspect(&component.name)
        .await?
        .and_then(|i| i.id)
        .or_else(|| Some(engine.container_name(&component.name)));
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_progress_becomes_an_event_of_its_component() {
        let line = PullProgress {
            image: "grafana/loki:3.4.6".into(),
            layer: Some("9fa9226be034".into()),
            status: "Downloading".into(),
            current_bytes: Some(1024),
            total_bytes: Some(4096),
        };
        assert_eq!(
            pulling("loki", line),
            UpEvent::Pulling {
                component: "loki".into(),
                image: "grafana/loki:3.4.6".into(),
                layer: Some("9fa9226be034".into()),
                status: "Downloading".into(),
                current: Some(1024),
                total: Some(4096),
            }
        );
    }
}
