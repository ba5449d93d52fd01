//! The Docker runtime: the lab's components as containers of one lab, through [`DockerEngine`].
//!
//! Each component's configs are rendered on the host into {data_dir}/lab/<component>/ (with
//! container addressing: listen on 0.0.0.0, reach the others by component name) and
//! bind-mounted read-only at /etc/labtui/<component>; its data lives in a labelled named
//! volume; its ports are published on 127.0.0.1 from the plan's host ports; the spec's
//! memory_mb is a hard limit. The lab's state file is the native runtime's, with
//! `runtime = docker` and container ids, so any later process finds the lab.

mod container;
mod control;
mod doctor;
mod shop;
mod up;

use bollard::query_parameters::ListVolumesOptions;
use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;

pub use container::{CONTAINER_CONFIG_ROOT, container_data_dir, data_volume};
pub use doctor::unreachable_check;

use super::{CALL_TIMEOUT, DockerEngine, DockerError};
use crate::lab::shop::launch::ShopLaunch;
use crate::lab::stack::state::LabDirs;
use crate::lab::stack::{
    Check, ComponentStatus, ControlAction, DownReport, LabState, Plan, Runtime, RuntimeKind,
    StackError, UpEvent, UpReport,
};

/// Runs the lab as containers of one Docker lab, with its files under `dirs`.
#[derive(Debug, Clone)]
pub struct DockerRuntime {
    dirs: LabDirs,
    engine: DockerEngine,
    shop: Option<ShopLaunch>,
}

impl DockerRuntime {
    /// Connect to the engine for lab `lab` (names its network, containers and volumes).
    /// Fails fast with a fix when no engine answers (see [`DockerError::is_unavailable`]).
    pub async fn connect(dirs: LabDirs, lab: &str) -> Result<Self, StackError> {
        let engine = DockerEngine::connect(lab).await?;
        Ok(Self {
            dirs,
            engine,
            shop: ShopLaunch::detect(),
        })
    }

    /// Run the shop from `shop`'s binary after the stack, or not at all with None. By
    /// default the shop runs when this process is the labtui binary ([`ShopLaunch::detect`]).
    pub fn with_shop(mut self, shop: Option<ShopLaunch>) -> Self {
        self.shop = shop;
        self
    }

    pub fn shop(&self) -> Option<&ShopLaunch> {
        self.shop.as_ref()
    }

    /// The engine handle, for pulls, imports and inspection beyond the [`Runtime`] trait.
    pub fn engine(&self) -> &DockerEngine {
        &self.engine
    }

    pub fn dirs(&self) -> &LabDirs {
        &self.dirs
    }

    /// Remove every container and the network of the lab (found by label, so also what an
    /// earlier process started) and, with `remove_volumes`, its data volumes; then the
    /// state file. The trait's `down` keeps the volumes, so the next `up` has the history.
    pub async fn down_with(
        &self,
        state: &LabState,
        remove_volumes: bool,
    ) -> Result<DownReport, StackError> {
        let removed = self.engine.remove_all(remove_volumes).await?;
        let prefix = format!("{}-", self.engine.lab());
        let mut report = DownReport {
            stopped: removed
                .containers
                .iter()
                .map(|c| c.strip_prefix(&prefix).unwrap_or(c).to_string())
                .collect(),
            networks: removed.networks,
            volumes_removed: removed.volumes,
            ..DownReport::default()
        };
        report.already_gone = state
            .components
            .iter()
            .filter(|r| !report.stopped.contains(&r.name))
            .map(|r| r.name.clone())
            .collect();
        if !remove_volumes {
            report.volumes_kept = self.engine.lab_volumes().await?;
        }
        // A state file of another runtime's lab (a native lab started since) is not ours.
        let other_runtime = matches!(
            LabState::load(&self.dirs),
            Ok(Some(on_disk)) if on_disk.runtime != RuntimeKind::Docker
        );
        let file = self.dirs.state_file();
        if !other_runtime {
            match std::fs::remove_file(&file) {
                Ok(()) => report.removed.push(file),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StackError::io("could not remove", file, e)),
            }
        }
        Ok(report)
    }
}

impl DockerEngine {
    /// Names of the lab's named volumes (by label).
    async fn lab_volumes(&self) -> Result<Vec<String>, DockerError> {
        let options = ListVolumesOptions {
            filters: Some(self.lab_filter()),
        };
        let listed = self
            .call(
                "volumes",
                "list volumes",
                CALL_TIMEOUT,
                self.docker.list_volumes(Some(options)),
            )
            .await?;
        let mut names: Vec<String> = listed
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect();
        names.sort();
        Ok(names)
    }
}

impl Runtime for DockerRuntime {
    fn kind(&self) -> RuntimeKind {
        RuntimeKind::Docker
    }

    fn up<'a>(
        &'a self,
        plan: &'a Plan,
        events: mpsc::Sender<UpEvent>,
    ) -> BoxFuture<'a, Result<UpReport, StackError>> {
        up::up(self, plan, events).boxed()
    }

    fn down<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Result<DownReport, StackError>> {
        self.down_with(state, false).boxed()
    }

    fn status<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Vec<ComponentStatus>> {
        control::status(self, state).boxed()
    }

    fn control<'a>(
        &'a self,
        state: &'a LabState,
        component: &'a str,
        action: ControlAction,
    ) -> BoxFuture<'a, Result<LabState, StackError>> {
        control::control(self, state, component, action).boxed()
    }

    /// The container's output; for the shop, whose services write their JSON log to a
    /// file in the data dir (their output goes there too), that file.
    fn logs<'a>(
        &'a self,
        state: &'a LabState,
        component: &'a str,
        tail: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, StackError>> {
        let file = state
            .component(component)
            .and_then(|r| r.log_file.clone())
            .filter(|f| f.exists());
        async move {
            match file {
                Some(path) => crate::lab::stack::native::tail_file(&path, tail).await,
                None => Ok(self.engine.logs(component, tail).await?),
            }
        }
        .boxed()
    }

    fn doctor<'a>(
        &'a self,
        plan: &'a Plan,
        state: Option<&'a LabState>,
    ) -> BoxFuture<'a, Vec<Check>> {
        doctor::doctor(self, plan, state).boxed()
    }
}
