//! Plain values the runtimes report: progress events, outcomes, status, doctor checks.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::state::{LabState, SkipReason};

/// Progress of `up`, one event at a time, in the order things happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpEvent {
    /// The components that will be started (dependency order).
    Planned {
        components: Vec<String>,
    },
    Skipped {
        component: String,
        reason: SkipReason,
    },
    /// Left running from an earlier `up` with the same ports.
    AlreadyRunning {
        component: String,
        url: String,
    },
    /// One progress line of an image pull (Docker), per layer when `layer` is set; the
    /// engine's wording in `status` ("Downloading", "Extracting", "Pull complete").
    Pulling {
        component: String,
        image: String,
        layer: Option<String>,
        status: String,
        current: Option<u64>,
        total: Option<u64>,
    },
    /// An image made on this machine (the shop's, from the labtui binary) is being built.
    Building {
        component: String,
        image: String,
        from: PathBuf,
    },
    Starting {
        component: String,
        command: String,
        log: Option<PathBuf>,
    },
    WaitingReady {
        component: String,
        url: String,
    },
    Ready {
        component: String,
        url: String,
        took: Duration,
    },
    /// Did not become ready; `reason` carries the tail of its log.
    Failed {
        component: String,
        reason: String,
    },
}

/// How `up` ended for one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ready { took: Duration },
    AlreadyRunning,
    Skipped(SkipReason),
    Failed(String),
}

/// The result of `up`: the recorded lab and what happened to each component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpReport {
    pub state: LabState,
    pub outcomes: Vec<(String, Outcome)>,
}

impl UpReport {
    /// Whether every component that was not skipped is ready.
    pub fn all_ready(&self) -> bool {
        self.outcomes
            .iter()
            .all(|(_, o)| !matches!(o, Outcome::Failed(_)))
    }
}

/// What `down` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownReport {
    /// Stopped cleanly after SIGTERM.
    pub stopped: Vec<String>,
    /// Needed SIGKILL after the grace period.
    pub killed: Vec<String>,
    /// Recorded but no longer running.
    pub already_gone: Vec<String>,
    /// The recorded pid now belongs to another program: left alone.
    pub not_ours: Vec<(String, u32)>,
    /// Files removed (state, pid files).
    pub removed: Vec<PathBuf>,
    /// Docker: the lab networks removed.
    pub networks: Vec<String>,
    /// Docker: named volumes removed, with the data in them.
    pub volumes_removed: Vec<String>,
    /// Docker: named volumes kept, so the next `up` finds the lab's data again.
    pub volumes_kept: Vec<String>,
}

/// A component's state as `status` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    /// Running and answering its readiness URL.
    Ready,
    /// Running but not (yet) ready.
    Starting,
    /// Stopped with SIGSTOP (a stack fault).
    Paused,
    /// Recorded but not running (stopped, crashed or killed).
    Down,
    /// Skipped because its binary is missing.
    NotInstalled,
    /// Not available in this runtime.
    Unavailable,
}

impl ComponentState {
    /// The word `status` shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Starting => "starting",
            Self::Paused => "paused",
            Self::Down => "down",
            Self::NotInstalled => "not installed",
            Self::Unavailable => "unavailable",
        }
    }

    /// How `status` shows a component skipped for `reason`.
    pub fn skipped(reason: &SkipReason) -> Self {
        match reason {
            SkipReason::MissingBinary { .. } => Self::NotInstalled,
            SkipReason::NotForRuntime { .. } | SkipReason::NoUrl { .. } => Self::Unavailable,
        }
    }
}

/// One row of `labtui status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentStatus {
    pub name: String,
    pub state: ComponentState,
    pub url: Option<String>,
    /// From the component's build-info API (when ready).
    pub version: Option<String>,
    pub uptime: Option<Duration>,
    pub rss_bytes: Option<u64>,
    pub pid: Option<u32>,
    /// Why it is down or not installed, and what to do.
    pub detail: Option<String>,
}

impl ComponentStatus {
    /// A row with only the name and state known; runtimes fill in what they can observe.
    pub fn new(name: impl Into<String>, state: ComponentState) -> Self {
        Self {
            name: name.into(),
            state,
            url: None,
            version: None,
            uptime: None,
            rss_bytes: None,
            pid: None,
            detail: None,
        }
    }
}

/// What to do to one running component (also used for stack-level faults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlAction {
    /// SIGTERM, wait, SIGKILL; the component stays in the lab as down.
    Stop,
    /// Start a stopped or crashed component again with its recorded command.
    Start,
    Restart,
    /// SIGKILL with no grace (a crash).
    Kill,
    /// SIGSTOP: the process hangs, ports stay open.
    Pause,
    /// SIGCONT after Pause.
    Resume,
}

/// Result of one doctor check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    Warn,
    Fail,
}

/// One line of `labtui doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked (`binary prometheus`, `port 9090`).
    pub name: String,
    pub status: CheckStatus,
    pub detail: String,
    /// What to do about a warning or failure.
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status: CheckStatus::Ok,
            detail: detail.into(),
            fix: None,
        }
    }
    pub fn warn(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            status: CheckStatus::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
    pub fn fail(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            status: CheckStatus::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}
