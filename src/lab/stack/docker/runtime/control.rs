//! `status` and per-component control (stop/start/restart/kill/pause/resume) of the
//! lab's containers.

use std::time::Duration;

use chrono::Utc;

use super::DockerRuntime;
use crate::lab::stack::docker::{ContainerState, Phase};
use crate::lab::stack::state::{ComponentRecord, LabState};
use crate::lab::stack::types::{ComponentState, ComponentStatus, ControlAction};
use crate::lab::stack::{StackError, health, http, shared};

/// SIGTERM grace before the engine sends SIGKILL, as the native runtime gives.
const STOP_GRACE: Duration = Duration::from_secs(5);

pub(super) async fn status(rt: &DockerRuntime, state: &LabState) -> Vec<ComponentStatus> {
    let client = http::client().ok();
    let rows = futures::future::join_all(
        state
            .components
            .iter()
            .map(|r| one_status(rt, client.as_ref(), r)),
    )
    .await;
    rows.into_iter()
        .chain(health::skipped_rows(state))
        .collect()
}

async fn one_status(
    rt: &DockerRuntime,
    client: Option<&reqwest::Client>,
    record: &ComponentRecord,
) -> ComponentStatus {
    let mut row = shared::down_row(record);
    let name = &record.name;
    let container = match rt.engine().status(name).await {
        Ok(c) => c,
        Err(e) => {
            row.detail = Some(e.to_string());
            return row;
        }
    };
    let ContainerState {
        phase,
        started_at,
        memory_bytes,
        error,
    } = container;
    if matches!(phase, Phase::Running | Phase::Paused | Phase::Restarting) {
        row.rss_bytes = memory_bytes;
        row.uptime = started_at.and_then(|t| (Utc::now() - t).to_std().ok());
    }
    match phase {
        Phase::Running => health::probe_row(client, record, &mut row).await,
        Phase::Paused => {
            row.state = ComponentState::Paused;
            row.detail = Some(
                "paused (container frozen): it accepts connections but does not answer".to_string(),
            );
        }
        Phase::Restarting | Phase::Created | Phase::Other(_) => {
            row.state = ComponentState::Starting;
            row.detail = Some(format!("container {phase}"));
        }
        Phase::Missing => {
            row.detail = Some(
                "no container: `labtui up` did not start it (see its failure there) or it \
                 was removed; `labtui up` creates it again"
                    .to_string(),
            );
        }
        Phase::Exited { .. } | Phase::Dead => {
            let why = error.map(|e| format!(" ({e})")).unwrap_or_default();
            row.detail = Some(format!(
                "container {phase}{why}; `labtui up` starts it again (or `u` in the \
                 console's Stack pane, where Enter shows its logs)"
            ));
        }
    }
    row
}

pub(super) async fn control(
    rt: &DockerRuntime,
    state: &LabState,
    component: &str,
    action: ControlAction,
) -> Result<LabState, StackError> {
    let engine = rt.engine();
    let mut state = state.clone();
    let record = state
        .component_mut(component)
        .ok_or_else(|| StackError::NotInLab {
            component: component.to_string(),
        })?;
    let phase = engine.status(component).await?.phase;
    let live = matches!(phase, Phase::Running | Phase::Paused | Phase::Restarting);
    let not_running = || StackError::NotReady {
        component: component.to_string(),
        reason: format!(
            "its container is {phase}; start it first (`labtui up`, or `u` in the console's \
             Stack pane)"
        ),
    };
    match action {
        ControlAction::Stop => {
            if live {
                // A frozen container cannot act on SIGTERM; thaw it first.
                if phase == Phase::Paused {
                    engine.unpause(component).await?;
                }
                engine.stop(component, STOP_GRACE).await?;
            }
        }
        ControlAction::Kill => {
            if live {
                engine.kill(component).await?;
            }
        }
        ControlAction::Pause => match phase {
            Phase::Running => engine.pause(component).await?,
            Phase::Paused => {}
            _ => return Err(not_running()),
        },
        ControlAction::Resume => match phase {
            Phase::Paused => engine.unpause(component).await?,
            Phase::Running => {}
            _ => return Err(not_running()),
        },
        ControlAction::Start | ControlAction::Restart => {
            match (action, &phase) {
                (ControlAction::Start, Phase::Running) => return Ok(state),
                // Frozen, not stopped: thawing is the start it needs.
                (ControlAction::Start, Phase::Paused) => engine.unpause(component).await?,
                (ControlAction::Restart, _) if live => {
                    if phase == Phase::Paused {
                        engine.unpause(component).await?;
                    }
                    engine.restart(component, STOP_GRACE).await?;
                    record.started_at = Utc::now();
                }
                _ => {
                    engine.start(component).await?;
                    record.started_at = Utc::now();
                }
            }
            let timeout = Duration::from_secs(record.ready_timeout_s);
            engine.wait_ready(component, timeout).await?;
        }
    }
    state.save(rt.dirs())?;
    Ok(state)
}
