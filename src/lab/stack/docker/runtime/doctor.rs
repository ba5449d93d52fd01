//! `labtui doctor` for the Docker runtime: the engine, each planned image, host ports and
//! disk, then a running lab's health.

use std::path::PathBuf;

use super::DockerRuntime;
use crate::lab::stack::docker::{CALL_TIMEOUT, DockerEngine, DockerError};
use crate::lab::stack::doctor::{disk_check, port_checks};
use crate::lab::stack::state::LabState;
use crate::lab::stack::types::Check;
use crate::lab::stack::{Plan, verify};

const ENGINE_CHECK: &str = "runtime docker";

/// The check to show when [`DockerRuntime::connect`] failed: what went wrong and the fix.
pub fn unreachable_check(err: &DockerError) -> Check {
    match err {
        DockerError::Unavailable { reason, hint } => {
            Check::fail(ENGINE_CHECK, format!("no engine answered: {reason}"), *hint)
        }
        other => Check::fail(
            ENGINE_CHECK,
            other.to_string(),
            "check the engine with `docker info`, or use --runtime native",
        ),
    }
}

pub(super) async fn doctor(
    rt: &DockerRuntime,
    plan: &Plan,
    state: Option<&LabState>,
) -> Vec<Check> {
    let engine = rt.engine();
    let (engine_check, docker_root, reachable) = match engine.describe().await {
        Ok((detail, root)) => (Check::ok(ENGINE_CHECK, detail), root, true),
        Err(e) => (unreachable_check(&e), None, false),
    };
    let mut checks = vec![engine_check];
    if reachable {
        for component in plan.planned() {
            let name = format!("image {}", component.name);
            let image = &component.image;
            checks.push(match engine.image_present(image).await {
                Ok(true) => Check::ok(name, format!("{image} is on this machine")),
                Ok(false) => Check::warn(
                    name,
                    format!("{image} is not on this machine; `labtui up` pulls it"),
                    "the pull needs access to its registry; without one, load the image \
                     (`docker load`) or use --runtime native",
                ),
                Err(e) => Check::fail(name, e.to_string(), "check the engine with `docker info`"),
            });
        }
    }
    for component in plan.planned() {
        // The lab's own container publishing a port is not a conflict.
        let own = if reachable {
            engine
                .published_ports(&component.name)
                .await
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        checks.extend(port_checks(plan, component, |port, _| own.contains(&port)));
    }
    // Images and volumes live under the engine's root dir when it is on this machine.
    let disk_path = docker_root
        .filter(|p| p.exists())
        .unwrap_or_else(|| rt.dirs().root.clone());
    checks.push(disk_check(&disk_path));
    if let Some(state) = state {
        checks.extend(verify::deployment(state).await);
    }
    checks
}

impl DockerEngine {
    /// "engine 20.10.24 (API 1.41), lab <lab>" and the engine's root dir, when it answers.
    async fn describe(&self) -> Result<(String, Option<PathBuf>), DockerError> {
        let version = self
            .call(
                "engine",
                "report its version",
                CALL_TIMEOUT,
                self.docker.version(),
            )
            .await?;
        let info = self
            .call(
                "engine",
                "report its settings",
                CALL_TIMEOUT,
                self.docker.info(),
            )
            .await?;
        let detail = format!(
            "engine {} (API {}), lab {}",
            version.version.unwrap_or_else(|| "?".to_string()),
            self.docker.client_version(),
            self.lab()
        );
        Ok((detail, info.docker_root_dir.map(PathBuf::from)))
    }
}
