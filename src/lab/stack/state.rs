//! What a running lab looks like on disk: directories, the state file and pid files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RuntimeKind;
use super::error::StackError;
use super::spec::{Profile, VersionProbe};
use crate::lab::paths::Paths;

/// Resolved ports: component (or `lab`) -> port name -> number.
pub type PortMap = BTreeMap<String, BTreeMap<String, u16>>;

/// The lab's directory tree under the data dir:
///
/// ```text
/// {data_dir}/lab/state.json              the running lab (runtime, profile, ports, pids)
/// {data_dir}/lab/run/<component>.pid     pid, binary, start ticks (found even without state.json)
/// {data_dir}/lab/logs/<component>.log    stdout+stderr of each component
/// {data_dir}/lab/<component>/            rendered configs
/// {data_dir}/lab/<component>/data/       the component's data (TSDB, chunks, WAL)
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabDirs {
    pub root: PathBuf,
}

impl LabDirs {
    /// The lab lives under the data dir, beside progress and logs.
    pub fn new(paths: &Paths) -> Self {
        Self {
            root: paths.data_dir.join("lab"),
        }
    }

    pub fn state_file(&self) -> PathBuf {
        self.root.join("state.json")
    }
    pub fn run_dir(&self) -> PathBuf {
        self.root.join("run")
    }
    pub fn pid_file(&self, component: &str) -> PathBuf {
        self.run_dir().join(format!("{component}.pid"))
    }
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn log_file(&self, component: &str) -> PathBuf {
        self.logs_dir().join(format!("{component}.log"))
    }
    pub fn config_dir(&self, component: &str) -> PathBuf {
        self.root.join(component)
    }
    pub fn data_dir(&self, component: &str) -> PathBuf {
        self.config_dir(component).join("data")
    }
    /// Prometheus' file_sd list of shop targets (see [`write_shop_targets`]).
    pub fn shop_targets_file(&self) -> PathBuf {
        self.config_dir("prometheus")
            .join("targets")
            .join("shop.json")
    }
}

/// One component as started by a runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRecord {
    pub name: String,
    /// Base URL of the primary port (`http://127.0.0.1:9090`).
    pub url: String,
    /// Full readiness URL.
    pub ready_url: String,
    pub ports: BTreeMap<String, u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionProbe>,
    pub ready_timeout_s: u64,
    pub started_at: DateTime<Utc>,
    /// Native: the process (and process group) id; None after `stop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ticks: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<PathBuf>,
    /// Native: the full command (program first) and extra environment, to start it again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_file: Option<PathBuf>,
    /// Docker: the container id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

impl ComponentRecord {
    /// A component reached at `url` and checked at `ready_url`, started now, with nothing
    /// yet known about how it runs; runtimes fill that in.
    pub fn reached_at(name: &str, url: &str, ready_url: &str) -> Self {
        Self {
            name: name.to_string(),
            url: url.to_string(),
            ready_url: ready_url.to_string(),
            ports: BTreeMap::new(),
            version: None,
            ready_timeout_s: 30,
            started_at: Utc::now(),
            pid: None,
            start_ticks: None,
            binary: None,
            command: Vec::new(),
            env: BTreeMap::new(),
            workdir: None,
            log_file: None,
            container: None,
        }
    }
}

/// Why a component of the profile is not running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// No binary on PATH (or at the configured path); `install` says how to get one.
    MissingBinary { tried: Vec<String>, install: String },
    /// The component only exists in another runtime (cAdvisor is Docker-only).
    NotForRuntime { runtime: String },
    /// Attach: no URL was given for it; `hint` names the flag, variable and config key.
    NoUrl { hint: String },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingBinary { tried, install } => {
                write!(
                    f,
                    "not installed (looked for {}); {install}",
                    tried.join(", ")
                )
            }
            Self::NotForRuntime { runtime } => write!(f, "not available in the {runtime} runtime"),
            Self::NoUrl { hint } => write!(f, "no URL given; {hint}"),
        }
    }
}

/// A component of the profile that was not started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedComponent {
    pub name: String,
    pub reason: SkipReason,
}

/// The running lab, written to {data_dir}/lab/state.json so any later labtui process
/// (`down`, `status`, the TUI) finds what an earlier one started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabState {
    pub schema: u32,
    pub runtime: RuntimeKind,
    pub profile: Profile,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_base: Option<u16>,
    pub ports: PortMap,
    pub webhook_url: String,
    /// In start (dependency) order.
    pub components: Vec<ComponentRecord>,
    #[serde(default)]
    pub skipped: Vec<SkippedComponent>,
    /// The Docker lab's name (names its network and containers), when it is not the
    /// default one: later commands reach the same containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_lab: Option<String>,
}

impl ComponentRecord {
    /// A process labtui started on this machine (natively, or the shop beside an attached
    /// stack), rather than a container or a URL.
    pub fn is_local_process(&self) -> bool {
        self.binary.is_some()
    }
}

impl LabState {
    /// A state with nothing in it (`down` then only sweeps pid files).
    pub fn empty(runtime: RuntimeKind, profile: Profile) -> Self {
        Self {
            schema: 1,
            runtime,
            profile,
            started_at: Utc::now(),
            port_base: None,
            ports: PortMap::new(),
            webhook_url: String::new(),
            components: Vec::new(),
            skipped: Vec::new(),
            docker_lab: None,
        }
    }

    pub fn component(&self, name: &str) -> Option<&ComponentRecord> {
        self.components.iter().find(|c| c.name == name)
    }

    pub fn component_mut(&mut self, name: &str) -> Option<&mut ComponentRecord> {
        self.components.iter_mut().find(|c| c.name == name)
    }

    /// Base URL of a component of the lab (`http://127.0.0.1:9090`), when it was started.
    pub fn url(&self, component: &str) -> Option<&str> {
        self.component(component).map(|c| c.url.as_str())
    }

    /// The state file of the lab, None when no lab was recorded. A corrupt file is moved
    /// aside (state.json.corrupt-<time>) and reported; pid files still let `down` work.
    pub fn load(dirs: &LabDirs) -> Result<Option<Self>, StackError> {
        let path = dirs.state_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StackError::io("could not read", path, e)),
        };
        match serde_json::from_str::<Self>(&text) {
            Ok(state) => Ok(Some(state)),
            Err(e) => {
                let moved_to = path.with_extension(format!(
                    "json.corrupt-{}",
                    Utc::now().format("%Y%m%dT%H%M%S")
                ));
                std::fs::rename(&path, &moved_to)
                    .map_err(|err| StackError::io("could not move aside", &path, err))?;
                Err(StackError::CorruptState {
                    path,
                    moved_to,
                    message: e.to_string(),
                })
            }
        }
    }

    /// Write atomically (temp file, fsync, rename).
    pub fn save(&self, dirs: &LabDirs) -> Result<(), StackError> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| {
            StackError::io(
                "could not encode",
                dirs.state_file(),
                std::io::Error::other(e),
            )
        })?;
        write_atomic(&dirs.state_file(), &json)
    }
}

/// Write `bytes` to `path` atomically, creating parent directories.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StackError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| StackError::io("could not create", dir, e))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file =
        std::fs::File::create(&tmp).map_err(|e| StackError::io("could not create", &tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| StackError::io("could not write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| StackError::io("could not replace", path, e))
}

/// A pid file: the pid on the first line (the usual convention), then the binary and the
/// process start time so a later run can tell the process is still the one it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PidFile {
    pub component: String,
    pub pid: u32,
    pub binary: PathBuf,
    pub start_ticks: Option<u64>,
}

impl PidFile {
    pub fn write(&self, dirs: &LabDirs) -> Result<(), StackError> {
        let text = format!(
            "{}\n{}\n{}\n",
            self.pid,
            self.binary.display(),
            self.start_ticks.map(|t| t.to_string()).unwrap_or_default()
        );
        write_atomic(&dirs.pid_file(&self.component), text.as_bytes())
    }

    /// Every readable pid file of the lab.
    pub fn read_all(dirs: &LabDirs) -> Vec<Self> {
        let Ok(entries) = std::fs::read_dir(dirs.run_dir()) else {
            return Vec::new();
        };
        let mut found: Vec<Self> = entries
            .flatten()
            .filter_map(|e| {
                let path = e.path();
                let component = path.file_stem()?.to_str()?.to_string();
                if path.extension()? != "pid" {
                    return None;
                }
                let text = std::fs::read_to_string(&path).ok()?;
                let mut lines = text.lines();
                let pid = lines.next()?.trim().parse().ok()?;
                let binary = PathBuf::from(lines.next()?.trim());
                let start_ticks = lines.next().and_then(|l| l.trim().parse().ok());
                Some(Self {
                    component,
                    pid,
                    binary,
                    start_ticks,
                })
            })
            .collect();
        found.sort_by(|a, b| a.component.cmp(&b.component));
        found
    }
}

/// A shop service Prometheus should scrape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrapeTarget {
    /// host:port of its /metrics.
    pub address: String,
    /// Extra labels, at least `service`.
    pub labels: BTreeMap<String, String>,
}

/// Tell Prometheus which shop services to scrape: rewrites its file_sd list, which
/// Prometheus re-reads within seconds (no reload). An empty list stops the scraping.
pub fn write_shop_targets(dirs: &LabDirs, targets: &[ScrapeTarget]) -> Result<(), StackError> {
    let groups: Vec<serde_json::Value> = targets
        .iter()
        .map(|t| serde_json::json!({ "targets": [t.address], "labels": t.labels }))
        .collect();
    let json = serde_json::to_vec_pretty(&groups).map_err(|e| {
        StackError::io(
            "could not encode",
            dirs.shop_targets_file(),
            std::io::Error::other(e),
        )
    })?;
    write_atomic(&dirs.shop_targets_file(), &json)
}
