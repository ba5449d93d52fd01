//! The lab stack: one spec, several runtimes (native processes, Docker, attach to URLs).
//!
//! Runtimes: [`NativeRuntime`] (local processes), the Docker runtime, [`AttachRuntime`]
//! (an existing stack by URL); [`select`] picks one and opens it.
//!
//! The flow: load a [`StackSpec`] (the shipped one is [`StackSpec::builtin`]), make a
//! [`Plan`] from it ([`PlanOptions`]: profile, runtime, ports), hand the plan to a
//! [`Runtime`]'s `up`, which reports [`UpEvent`]s and records a [`LabState`] under
//! {data_dir}/lab. Any later process loads that state to run `status`, `control`, `down`.

pub mod attach;
mod builtin;
pub mod docker;
pub mod doctor;
mod error;
pub mod health;
pub mod http;
pub mod native;
mod plan;
pub mod ports;
pub mod proc;
mod render;
pub mod select;
mod shared;
pub mod spec;
mod state;
pub mod template;
mod types;
pub mod verify;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

pub use attach::AttachRuntime;
pub use docker::DockerRuntime;
pub use error::StackError;
pub use native::{NativeOptions, NativeRuntime};
pub use plan::{Addressing, LAB, Plan, PlanOptions};
pub use ports::{BusyPort, PortHolder};
pub use select::{Choice, open};
pub use spec::{Component, Port, Profile, StackSpec};
pub use state::{
    ComponentRecord, LabDirs, LabState, PidFile, PortMap, ScrapeTarget, SkipReason,
    SkippedComponent, write_shop_targets,
};
pub use types::{
    Check, CheckStatus, ComponentState, ComponentStatus, ControlAction, DownReport, Outcome,
    UpEvent, UpReport,
};

/// How the lab's components run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeKind {
    /// Local processes of installed binaries.
    Native,
    /// Containers through the Docker engine.
    Docker,
    /// An existing stack reached by URL; labtui starts nothing.
    Attach,
}

impl RuntimeKind {
    /// The name used in the state file and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Docker => "docker",
            Self::Attach => "attach",
        }
    }
}

impl std::fmt::Display for RuntimeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A way of running the lab. Object-safe (`Box<dyn Runtime>`) so the CLI and TUI pick one
/// at run time; every method returns plain values and never blocks on the UI.
pub trait Runtime: Send + Sync {
    fn kind(&self) -> RuntimeKind;

    /// Start the plan's components in dependency order, reporting progress on `events`
    /// (a closed receiver is fine). Components already running from an earlier `up` with
    /// the same ports are kept. Errors only for what stops the whole lab (ports busy,
    /// another lab running, unwritable data dir); a component that fails is an
    /// [`Outcome::Failed`] and the rest still start.
    fn up<'a>(
        &'a self,
        plan: &'a Plan,
        events: mpsc::Sender<UpEvent>,
    ) -> BoxFuture<'a, Result<UpReport, StackError>>;

    /// Stop everything the lab started and remove its state.
    fn down<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Result<DownReport, StackError>>;

    /// Each component of the profile: ready / starting / paused / down / not installed.
    fn status<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Vec<ComponentStatus>>;

    /// Stop, start, restart, kill, pause or resume one component; returns (and saves) the
    /// updated state. Start and Restart wait until the component is ready.
    fn control<'a>(
        &'a self,
        state: &'a LabState,
        component: &'a str,
        action: ControlAction,
    ) -> BoxFuture<'a, Result<LabState, StackError>>;

    /// The last `tail` lines a component wrote (stdout and stderr), oldest first.
    fn logs<'a>(
        &'a self,
        state: &'a LabState,
        component: &'a str,
        tail: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, StackError>>;

    /// Preflight checks for `plan` and, when a lab is up, deployment verification.
    fn doctor<'a>(
        &'a self,
        plan: &'a Plan,
        state: Option<&'a LabState>,
    ) -> BoxFuture<'a, Vec<Check>>;
}
