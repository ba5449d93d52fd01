//! The Docker runtime: runs lab components as labelled containers through the engine API.
//!
//! Everything the engine creates for a lab (one bridge network, one container per component,
//! named volumes) carries `io.labtui.managed=true`, `io.labtui.lab=<lab>` and, on containers,
//! `io.labtui.component=<component>`, so `remove_all` finds it again from any later process.
//! Names: network `<lab>`, container `<lab>-<component>`, volume `<lab>-<volume>`.
//! Ports are published on 127.0.0.1 only. Every engine call runs under a timeout.

mod cleanup;
mod error;
mod image;
mod inspect;
mod lifecycle;
pub mod rootfs;
mod runtime;
mod shop_image;
mod types;

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use bollard::Docker;

pub use error::DockerError;
pub use runtime::{
    CONTAINER_CONFIG_ROOT, DockerRuntime, container_data_dir, data_volume, unreachable_check,
};
pub use shop_image::{SHOP_BINARY, SHOP_IMAGE_REPO, shop_image_ref};
pub use types::{
    BindMount, ContainerInfo, ContainerSpec, ContainerState, Phase, PortMap, PullProgress,
    Readiness, Removed,
};

/// The lab name used when the user does not pick one.
pub const DEFAULT_LAB: &str = "labtui";

/// Label keys shared with anything that inspects labtui's Docker objects.
pub const LABEL_MANAGED: &str = "io.labtui.managed";
pub const LABEL_LAB: &str = "io.labtui.lab";
pub const LABEL_COMPONENT: &str = "io.labtui.component";
const LABEL_SPEC_HASH: &str = "io.labtui.spec-hash";
const LABEL_READY_PATH: &str = "io.labtui.ready.path";
const LABEL_READY_PORT: &str = "io.labtui.ready.port";

/// How long the availability probe may take before we call the engine absent.
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// Ordinary calls (inspect, create, start, pause, list, remove).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Outer bound the client applies to every request it sends.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(300);

/// A connection to the Docker engine, scoped to one lab.
#[derive(Debug, Clone)]
pub struct DockerEngine {
    docker: Docker,
    lab: String,
    http: reqwest::Client,
}

impl DockerEngine {
    /// Finds the engine (`DOCKER_HOST` or the local socket), pings it and agrees on an API
    /// version, so an old engine works and a missing one fails fast with a fix.
    pub async fn connect(lab: &str) -> Result<Self, DockerError> {
        validate_lab_name(lab)?;
        let docker = if std::env::var_os("DOCKER_HOST").is_some() {
            Docker::connect_with_defaults()
        } else {
            Docker::connect_with_local_defaults()
        }
        .map_err(|e| DockerError::unavailable(e.to_string()))?
        .with_timeout(CLIENT_TIMEOUT);

        match tokio::time::timeout(PING_TIMEOUT, docker.ping()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(DockerError::unavailable(e.to_string())),
            Err(_) => {
                return Err(DockerError::unavailable(format!(
                    "the engine did not answer a ping within {}s",
                    PING_TIMEOUT.as_secs()
                )));
            }
        }
        let docker = match tokio::time::timeout(PING_TIMEOUT, docker.negotiate_version()).await {
            Ok(Ok(docker)) => docker,
            Ok(Err(e)) => return Err(DockerError::unavailable(e.to_string())),
            Err(_) => {
                return Err(DockerError::unavailable(
                    "the engine did not report its API version in time".into(),
                ));
            }
        };

        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| DockerError::HttpClient {
                message: e.to_string(),
            })?;
        Ok(Self {
            docker,
            lab: lab.to_string(),
            http,
        })
    }

    /// The engine's version (`20.10.24+dfsg1`), so messages can say which engine answered.
    pub async fn version(&self) -> Result<String, DockerError> {
        let v = self
            .call(
                "engine",
                "report its version",
                PING_TIMEOUT,
                self.docker.version(),
            )
            .await?;
        Ok(v.version
            .unwrap_or_else(|| "of unknown version".to_string()))
    }

    /// The engine's settings (`docker info`): its root dir, security options, ...
    async fn info(&self) -> Result<bollard::models::SystemInfo, DockerError> {
        self.call(
            "engine",
            "report its settings",
            CALL_TIMEOUT,
            self.docker.info(),
        )
        .await
    }

    /// The lab this engine handle creates, finds and removes objects for.
    pub fn lab(&self) -> &str {
        &self.lab
    }

    /// The bridge network every container of the lab joins.
    pub fn network_name(&self) -> String {
        self.lab.clone()
    }

    /// The container name of a component.
    pub fn container_name(&self, component: &str) -> String {
        format!("{}-{component}", self.lab)
    }

    /// The engine-wide name of one of the lab's named volumes.
    pub fn volume_name(&self, volume: &str) -> String {
        format!("{}-{volume}", self.lab)
    }

    /// Labels on every object of this lab.
    fn lab_labels(&self) -> HashMap<String, String> {
        HashMap::from([
            (LABEL_MANAGED.to_string(), "true".to_string()),
            (LABEL_LAB.to_string(), self.lab.clone()),
        ])
    }

    /// The engine-side filter that finds this lab's objects.
    fn lab_filter(&self) -> HashMap<String, Vec<String>> {
        HashMap::from([(
            "label".to_string(),
            vec![
                format!("{LABEL_MANAGED}=true"),
                format!("{LABEL_LAB}={}", self.lab),
            ],
        )])
    }

    /// Every container of this lab, running or not (found by label).
    async fn lab_containers(&self) -> Result<Vec<bollard::models::ContainerSummary>, DockerError> {
        let options = bollard::query_parameters::ListContainersOptions {
            all: true,
            filters: Some(self.lab_filter()),
            ..Default::default()
        };
        self.call(
            "lab",
            "list containers",
            CALL_TIMEOUT,
            self.docker.list_containers(Some(options)),
        )
        .await
    }

    /// The lab's networks (found by label).
    async fn lab_networks(&self) -> Result<Vec<bollard::models::Network>, DockerError> {
        let options = bollard::query_parameters::ListNetworksOptions {
            filters: Some(self.lab_filter()),
        };
        self.call(
            "network",
            "list networks",
            CALL_TIMEOUT,
            self.docker.list_networks(Some(options)),
        )
        .await
    }

    /// Runs one engine call under `limit`, mapping every failure to a fix-it error.
    async fn call<T>(
        &self,
        component: &str,
        action: &'static str,
        limit: Duration,
        fut: impl Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<T, DockerError> {
        match self.call_raw(component, action, limit, fut).await? {
            Ok(value) => Ok(value),
            Err(e) if is_not_found(&e) => Err(DockerError::NoContainer {
                component: component.to_string(),
                container: self.container_name(component),
                lab: self.lab.clone(),
            }),
            Err(e) => Err(engine_error(component, action, &e)),
        }
    }

    /// Like `call`, but hands engine errors back so the caller can treat "not found" itself.
    async fn call_raw<T>(
        &self,
        component: &str,
        action: &'static str,
        limit: Duration,
        fut: impl Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<Result<T, bollard::errors::Error>, DockerError> {
        tokio::time::timeout(limit, fut)
            .await
            .map_err(|_| DockerError::Timeout {
                component: component.to_string(),
                action,
                secs: limit.as_secs(),
            })
    }
}

/// Lab names become Docker object names and label values, so keep them to a safe alphabet.
fn validate_lab_name(lab: &str) -> Result<(), DockerError> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
    let valid = !lab.is_empty()
        && lab.len() <= 63
        && lab.chars().all(ok_char)
        && lab
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(DockerError::BadLabName {
            name: lab.to_string(),
        })
    }
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

fn engine_error(component: &str, action: &'static str, e: &bollard::errors::Error) -> DockerError {
    let message = match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    };
    DockerError::Engine {
        component: component.to_string(),
        action,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_names_are_restricted_to_docker_safe_characters() {
        for good in ["labtui", "lab-1", "a", "t.x_y"] {
            assert!(validate_lab_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-lab", "Lab", "lab/x", "lab x", &"a".repeat(64)] {
            let err = validate_lab_name(bad).expect_err(bad);
            assert!(err.to_string().contains("lowercase letters"), "{err}");
        }
    }

    #[test]
    fn not_found_is_recognised_by_status_code() {
        let e = bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            message: "No such container: x".into(),
        };
        assert!(is_not_found(&e));
        let e = bollard::errors::Error::DockerResponseServerError {
            status_code: 409,
            message: "conflict".into(),
        };
        assert!(!is_not_found(&e));
        let err = engine_error("prometheus", "start the container", &e);
        assert_eq!(
            err.to_string(),
            "prometheus: Docker could not start the container: conflict"
        );
    }
}
