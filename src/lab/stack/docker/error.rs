//! Errors of the Docker runtime, each naming the component and what the user can do.

use std::path::PathBuf;

/// Why a Docker operation failed; every message says which component and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("no Docker engine answered ({reason}); {hint}")]
    Unavailable { reason: String, hint: &'static str },

    #[error(
        "lab name {name:?} cannot name Docker objects: use 1 to 63 lowercase letters, digits, \
         '-', '_' or '.', starting with a letter or digit"
    )]
    BadLabName { name: String },

    #[error(
        "{component}: the Docker engine did not finish `{action}` within {secs}s; check that \
         the engine is healthy (`systemctl status docker` or Docker Desktop) and retry, or use \
         `--runtime native`"
    )]
    Timeout {
        component: String,
        action: &'static str,
        secs: u64,
    },

    #[error("{component}: Docker could not {action}: {message}")]
    Engine {
        component: String,
        action: &'static str,
        message: String,
    },

    #[error(
        "{component}: lab {lab} has no container {container}; start the lab first (`labtui up`)"
    )]
    NoContainer {
        component: String,
        container: String,
        lab: String,
    },

    #[error(
        "{component}: image {image} is not on this machine; `labtui up` pulls it when a \
         registry is reachable, otherwise import the image or use `--runtime native`"
    )]
    ImageMissing { component: String, image: String },

    #[error(
        "{component}: host port {ports} on 127.0.0.1 is already in use; stop what listens \
         there or give {component} another port in the stack configuration ({message})"
    )]
    PortInUse {
        component: String,
        ports: String,
        message: String,
    },

    #[error(
        "{component}: the configuration path {} {problem}; mounts need an absolute path to an \
         existing file or directory (re-render the lab configuration with `labtui up`)",
        path.display()
    )]
    BadMount {
        component: String,
        path: PathBuf,
        problem: &'static str,
    },

    #[error(
        "could not pull {image}: {message}; this machine may have no registry access — import \
         the image or use --runtime native"
    )]
    PullFailed { image: String, message: String },

    #[error(
        "shop: could not build its image from {}: {message}; the Docker runtime runs the shop \
         from this labtui binary (Linux only), or use `--runtime native`",
        program.display()
    )]
    ShopImage { program: PathBuf, message: String },

    #[error(
        "could not import {} as image {image}: {message}; the file must be a tar archive of a \
         root filesystem",
        path.display()
    )]
    ImportFailed {
        image: String,
        path: PathBuf,
        message: String,
    },

    #[error(
        "{component} did not become ready at {url} within {waited_secs}s (container {state}); \
         see its logs (Enter on it in the console's Stack pane). Last log lines:\n{logs}"
    )]
    NotReady {
        component: String,
        url: String,
        waited_secs: u64,
        state: String,
        logs: String,
    },

    #[error(
        "{component} stopped before it became ready (container {state}); fix the cause in its \
         logs, then `labtui up` again. Last log lines:\n{logs}"
    )]
    Stopped {
        component: String,
        state: String,
        logs: String,
    },

    #[error("could not build the HTTP client for readiness checks: {message}")]
    HttpClient { message: String },
}

impl DockerError {
    /// The engine is missing or refused us: callers fall back to another runtime on this one.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    pub(crate) fn unavailable(reason: String) -> Self {
        let hint = if reason.to_ascii_lowercase().contains("permission denied") {
            "add your user to the `docker` group (then log in again) or use `--runtime native`"
        } else {
            "start a Docker engine (`sudo systemctl start docker`, or open Docker Desktop), \
             or run the lab without containers: `labtui up --runtime native`"
        };
        Self::Unavailable { reason, hint }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_hint_depends_on_the_reason() {
        let missing = DockerError::unavailable("Socket not found: /var/run/docker.sock".into());
        assert!(missing.to_string().contains("--runtime native"));
        assert!(missing.to_string().contains("systemctl start docker"));
        let denied = DockerError::unavailable("Permission denied (os error 13)".into());
        assert!(denied.to_string().contains("docker` group"));
        assert!(denied.is_unavailable());
    }

    #[test]
    fn pull_failure_says_what_to_do() {
        let err = DockerError::PullFailed {
            image: "prom/prometheus:v3.1.0".into(),
            message: "dial tcp: lookup registry-1.docker.io: no such host".into(),
        };
        let text = err.to_string();
        assert!(text.starts_with("could not pull prom/prometheus:v3.1.0: dial tcp"));
        assert!(text.contains("import the image or use --runtime native"));
    }
}
