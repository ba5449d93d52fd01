//! Plain input and output types of the Docker runtime, free of bollard types.

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One component as a container: what the stack spec becomes once mapped for Docker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerSpec {
    /// Short component name (`prometheus`); names the container and is its network alias.
    pub component: String,
    /// Full image reference, e.g. `prom/prometheus:v3.1.0`.
    pub image: String,
    /// Replaces the image's entrypoint when set (an imported root filesystem has none).
    pub entrypoint: Option<Vec<String>>,
    /// Arguments (or the whole command when the image has no entrypoint); empty keeps the image's.
    pub cmd: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Published on 127.0.0.1 only, so a lab is never reachable from the network.
    pub ports: Vec<PortMap>,
    /// Configuration files or directories rendered on the host.
    pub mounts: Vec<BindMount>,
    /// Named volumes as (short name, container path); the engine prefixes the lab name.
    pub volumes: Vec<(String, String)>,
    /// Hard memory limit (swap included), so a memory fault cannot take the machine down.
    pub memory_mb: Option<u64>,
    /// How to tell the component is serving; `None` means "running is enough".
    pub readiness: Option<Readiness>,
    /// `uid:gid` to run as; `None` keeps the image's user. The shop runs as the owner of
    /// the data directory so the files it writes through bind mounts stay the user's.
    /// (Left out of the spec's hash when unset, so older containers are still recognised.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// A published port: `127.0.0.1:<host>` forwards to `<container>/tcp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortMap {
    pub host: u16,
    pub container: u16,
}

/// A host path mounted into the container (read-only for configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BindMount {
    /// Absolute path on the machine that runs the engine.
    pub host: PathBuf,
    pub container: String,
    pub read_only: bool,
}

/// An HTTP readiness check against the published port on 127.0.0.1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// Path with a leading slash, e.g. `/-/ready`.
    pub path: String,
    /// The host port (one of the published ones).
    pub port: u16,
}

impl Readiness {
    /// The URL polled on the host.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }
}

/// Where a container is in its life, as far as the lab cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// No container of that component exists in this lab.
    Missing,
    Created,
    Running,
    Paused,
    Restarting,
    Exited {
        code: i64,
        oom_killed: bool,
    },
    Dead,
    /// A transient engine state (removing, stopping).
    Other(String),
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("missing"),
            Self::Created => f.write_str("created, not started"),
            Self::Running => f.write_str("running"),
            Self::Paused => f.write_str("paused"),
            Self::Restarting => f.write_str("restarting"),
            Self::Exited {
                code,
                oom_killed: true,
            } => write!(f, "exited with code {code}, killed: out of memory"),
            Self::Exited { code, .. } => write!(f, "exited with code {code}"),
            Self::Dead => f.write_str("dead"),
            Self::Other(state) => f.write_str(state),
        }
    }
}

/// A component's container status for the stack pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerState {
    pub phase: Phase,
    /// When the current (or last) run started; `None` if it never started.
    pub started_at: Option<DateTime<Utc>>,
    /// Memory in use (page cache excluded, as `docker stats` shows it), when running or paused.
    pub memory_bytes: Option<u64>,
    /// The engine's error for the last start, e.g. a port already allocated.
    pub error: Option<String>,
}

impl ContainerState {
    pub(crate) fn missing() -> Self {
        Self {
            phase: Phase::Missing,
            started_at: None,
            memory_bytes: None,
            error: None,
        }
    }
}

/// One labtui container, as listed by its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerInfo {
    pub component: String,
    /// Container name, e.g. `labtui-prometheus`.
    pub name: String,
    pub id: String,
    pub image: String,
    /// Engine state word: `running`, `paused`, `exited`, ...
    pub state: String,
    /// Engine status line, e.g. `Up 3 minutes`.
    pub status: String,
}

/// One progress line of an image pull, per layer, for progress bars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullProgress {
    pub image: String,
    /// Layer id; `None` for image-wide lines ("Pulling from ...", "Digest: ...").
    pub layer: Option<String>,
    /// Engine wording: "Downloading", "Extracting", "Pull complete", ...
    pub status: String,
    pub current_bytes: Option<u64>,
    pub total_bytes: Option<u64>,
}

/// What `remove_all` removed, for the `labtui down` summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
}

impl Removed {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.networks.is_empty() && self.volumes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_read_well_in_error_messages() {
        let oom = Phase::Exited {
            code: 137,
            oom_killed: true,
        };
        assert_eq!(
            oom.to_string(),
            "exited with code 137, killed: out of memory"
        );
        let clean = Phase::Exited {
            code: 0,
            oom_killed: false,
        };
        assert_eq!(clean.to_string(), "exited with code 0");
        assert_eq!(Phase::Paused.to_string(), "paused");
    }

    #[test]
    fn readiness_url_is_loopback() {
        let r = Readiness {
            path: "/-/ready".into(),
            port: 19090,
        };
        assert_eq!(r.url(), "http://127.0.0.1:19090/-/ready");
    }
}
