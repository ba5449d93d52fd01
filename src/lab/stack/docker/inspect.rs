//! Reading a lab's containers: state, memory, logs, listing and readiness waits.

use std::time::{Duration, Instant};

use bollard::models::ContainerInspectResponse;
use bollard::query_parameters::{InspectContainerOptions, LogsOptions, StatsOptions};
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};

use super::lifecycle::phase_of;
use super::{
    CALL_TIMEOUT, ContainerInfo, ContainerState, DockerEngine, DockerError, LABEL_COMPONENT,
    LABEL_READY_PATH, LABEL_READY_PORT, Phase, Readiness, engine_error, is_not_found,
};

/// Pause between readiness probes.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// One readiness request may take this long before it counts as "not ready".
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Log lines attached to a readiness failure.
const FAILURE_LOG_LINES: usize = 20;

impl DockerEngine {
    /// The component's state, start time and memory use, for the stack pane.
    pub async fn status(&self, component: &str) -> Result<ContainerState, DockerError> {
        let Some(inspect) = self.inspect(component).await? else {
            return Ok(ContainerState::missing());
        };
        let phase = phase_of(&inspect);
        let state = inspect.state.as_ref();
        let started_at = state
            .and_then(|s| s.started_at.as_deref())
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| t.timestamp() > 0);
        let error = state
            .and_then(|s| s.error.clone())
            .filter(|e| !e.is_empty());
        let memory_bytes = if matches!(phase, Phase::Running | Phase::Paused) {
            self.memory_usage(component).await?
        } else {
            None
        };
        Ok(ContainerState {
            phase,
            started_at,
            memory_bytes,
            error,
        })
    }

    /// The last `tail` lines the component wrote (stdout and stderr, in order).
    pub async fn logs(&self, component: &str, tail: usize) -> Result<Vec<String>, DockerError> {
        let name = self.container_name(component);
        let options = LogsOptions {
            stdout: true,
            stderr: true,
            tail: tail.to_string(),
            ..Default::default()
        };
        let chunks = self
            .call(
                component,
                "read the container logs",
                CALL_TIMEOUT,
                self.docker
                    .logs(&name, Some(options))
                    .try_collect::<Vec<_>>(),
            )
            .await?;
        let mut text = Vec::new();
        for chunk in chunks {
            text.extend_from_slice(chunk.as_ref());
        }
        Ok(String::from_utf8_lossy(&text)
            .lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect())
    }

    /// Every container of this lab, found by label (so also those an earlier run started).
    pub async fn list(&self) -> Result<Vec<ContainerInfo>, DockerError> {
        let found = self.lab_containers().await?;
        let mut infos: Vec<ContainerInfo> = found
            .into_iter()
            .map(|c| ContainerInfo {
                component: c
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(LABEL_COMPONENT).cloned())
                    .unwrap_or_default(),
                name: c
                    .names
                    .as_ref()
                    .and_then(|n| n.first())
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or_default(),
                id: c.id.unwrap_or_default(),
                image: c.image.unwrap_or_default(),
                state: c.state.map(|s| s.to_string()).unwrap_or_default(),
                status: c.status.unwrap_or_default(),
            })
            .collect();
        infos.sort_by(|a, b| a.component.cmp(&b.component));
        Ok(infos)
    }

    /// One readiness probe: running and (if it has a readiness URL) answering 2xx now.
    pub async fn is_ready(&self, component: &str) -> Result<bool, DockerError> {
        let Some(inspect) = self.inspect(component).await? else {
            return Ok(false);
        };
        if phase_of(&inspect) != Phase::Running {
            return Ok(false);
        }
        Ok(match readiness_of(&inspect) {
            Some(ready) => self.probe(&ready, PROBE_TIMEOUT).await,
            None => true,
        })
    }

    /// Waits until the component answers its readiness URL (or, without one, runs). Fails at
    /// once if the container stops, and after `timeout` otherwise, with its state and logs.
    pub async fn wait_ready(&self, component: &str, timeout: Duration) -> Result<(), DockerError> {
        let started = Instant::now();
        let deadline = started + timeout;
        loop {
            let Some(inspect) = self.inspect(component).await? else {
                return Err(DockerError::NoContainer {
                    component: component.to_string(),
                    container: self.container_name(component),
                    lab: self.lab.clone(),
                });
            };
            let phase = phase_of(&inspect);
            let ready = readiness_of(&inspect);
            match phase {
                Phase::Exited { .. } | Phase::Dead | Phase::Created => {
                    return Err(DockerError::Stopped {
                        component: component.to_string(),
                        state: phase.to_string(),
                        logs: self.failure_logs(component).await,
                    });
                }
                Phase::Running => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let ok = match &ready {
                        Some(ready) => self.probe(ready, PROBE_TIMEOUT.min(left)).await,
                        None => true,
                    };
                    if ok {
                        return Ok(());
                    }
                }
                _ => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(DockerError::NotReady {
                    component: component.to_string(),
                    url: ready.map_or_else(|| "(no readiness URL)".to_string(), |r| r.url()),
                    waited_secs: now.duration_since(started).as_secs(),
                    state: phase.to_string(),
                    logs: self.failure_logs(component).await,
                });
            }
            tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
        }
    }

    /// The inspect document of a component's container, `None` if it does not exist.
    pub(super) async fn inspect(
        &self,
        component: &str,
    ) -> Result<Option<ContainerInspectResponse>, DockerError> {
        let name = self.container_name(component);
        let found = self
            .call_raw(
                component,
                "inspect the container",
                CALL_TIMEOUT,
                self.docker
                    .inspect_container(&name, None::<InspectContainerOptions>),
            )
            .await?;
        match found {
            Ok(inspect) => Ok(Some(inspect)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(engine_error(component, "inspect the container", &e)),
        }
    }

    async fn probe(&self, ready: &Readiness, limit: Duration) -> bool {
        let request = self.http.get(ready.url()).timeout(limit).send();
        matches!(request.await, Ok(response) if response.status().is_success())
    }

    /// Memory in use as `docker stats` reports it: usage minus inactive page cache.
    async fn memory_usage(&self, component: &str) -> Result<Option<u64>, DockerError> {
        let name = self.container_name(component);
        let options = StatsOptions {
            stream: false,
            one_shot: true,
        };
        let mut stream = self.docker.stats(&name, Some(options));
        let stats = self
            .call_raw(component, "read memory statistics", CALL_TIMEOUT, async {
                stream.next().await.transpose()
            })
            .await?;
        let stats = match stats {
            Ok(stats) => stats,
            // Gone between inspect and stats: nothing to report.
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(engine_error(component, "read memory statistics", &e)),
        };
        let Some(memory) = stats.and_then(|s| s.memory_stats) else {
            return Ok(None);
        };
        let inactive = memory
            .stats
            .as_ref()
            .and_then(|s| {
                s.get("total_inactive_file")
                    .or_else(|| s.get("inactive_file"))
            })
            .copied()
            .unwrap_or(0);
        Ok(memory.usage.map(|u| u.saturating_sub(inactive)))
    }

    /// Recent log lines for an error message; a log failure must not hide the real error.
    async fn failure_logs(&self, component: &str) -> String {
        match self.logs(component, FAILURE_LOG_LINES).await {
            Ok(lines) if lines.is_empty() => "  (no output)".to_string(),
            Ok(lines) => lines
                .iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Err(e) => format!("  (logs unavailable: {e})"),
        }
    }
}

/// The readiness check recorded in the container's labels at creation.
fn readiness_of(inspect: &ContainerInspectResponse) -> Option<Readiness> {
    let labels = inspect.config.as_ref()?.labels.as_ref()?;
    Some(Readiness {
        path: labels.get(LABEL_READY_PATH)?.clone(),
        port: labels.get(LABEL_READY_PORT)?.parse().ok()?,
    })
}
