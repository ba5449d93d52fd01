//! `labtui doctor` for the Docker runtime: the engine, each planned image, host ports and
//! disk, then a running lab's health.

use std::path::{Path, PathBuf};

use super::DockerRuntime;
use crate::lab::stack::docker::rootfs::shared_libraries;
use crate::lab::stack::docker::{CALL_TIMEOUT, DockerEngine, DockerError, shop_image_ref};
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
        if let Some(shop) = rt.shop().filter(|_| !plan.shop.is_empty()) {
            checks.push(shop_image_check(engine, &shop.program).await);
        }
    }
    let shop = plan.shop.iter().filter(|_| rt.shop().is_some());
    for name in plan.planned().iter().map(|c| &c.name).chain(shop) {
        // The lab's own container publishing a port is not a conflict.
        let own = if reachable {
            engine.published_ports(name).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        checks.extend(port_checks(plan, name, |port, _| own.contains(&port)));
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

/// The shop's image is present, or can be built at `up` (a Linux binary whose libraries
/// `ldd` lists).
async fn shop_image_check(engine: &DockerEngine, program: &Path) -> Check {
    let name = "image shop";
    let image = match shop_image_ref(program) {
        Ok(image) => image,
        Err(e) => return Check::fail(name, e.to_string(), "use --runtime native"),
    };
    match engine.image_present(&image).await {
        Ok(true) => Check::ok(name, format!("{image} is on this machine")),
        Ok(false) if !cfg!(target_os = "linux") => Check::fail(
            name,
            "the shop's image is built from this labtui binary, which is not a Linux binary",
            "run the shop natively (--runtime native)",
        ),
        Ok(false) => match shared_libraries(program) {
            Ok(_) => Check::ok(
                name,
                format!("{image} is built from {} at `labtui up`", program.display()),
            ),
            Err(e) => Check::fail(
                name,
                format!("cannot list the libraries of {}: {e}", program.display()),
                "install ldd (Debian: libc-bin), or use --runtime native",
            ),
        },
        Err(e) => Check::fail(name, e.to_string(), "check the engine with `docker info`"),
    }
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
        let info = self.info().await?;
        let detail = format!(
            "engine {} (API {}), lab {}",
            version.version.unwrap_or_else(|| "?".to_string()),
            self.docker.client_version(),
            self.lab()
        );
        Ok((detail, info.docker_root_dir.map(PathBuf::from)))
    }
}
