//! Creating the lab network and containers, and the start/stop/pause/kill faults on them.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HostConfig, HostConfigLogConfig, Mount, MountType,
    NetworkCreateRequest, NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
    VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, KillContainerOptions, RemoveContainerOptions, RestartContainerOptions,
    StartContainerOptions, StopContainerOptions,
};

use super::{
    CALL_TIMEOUT, ContainerSpec, DockerEngine, DockerError, LABEL_COMPONENT, LABEL_READY_PATH,
    LABEL_READY_PORT, LABEL_SPEC_HASH, Phase, engine_error, is_not_found,
};

impl DockerEngine {
    /// Creates the lab's bridge network unless it exists; containers find each other on it
    /// by component name.
    pub async fn ensure_network(&self) -> Result<(), DockerError> {
        let name = self.network_name();
        let existing = self.lab_networks().await?;
        if existing.iter().any(|n| n.name.as_deref() == Some(&name)) {
            return Ok(());
        }
        let request = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".to_string()),
            labels: Some(self.lab_labels()),
            ..Default::default()
        };
        let created = self
            .call_raw(
                "network",
                "create the lab network",
                CALL_TIMEOUT,
                self.docker.create_network(request),
            )
            .await?;
        match created {
            Ok(_) => Ok(()),
            // Another process created it between our list and create.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 409, ..
            }) => Ok(()),
            Err(e) => Err(engine_error("network", "create the lab network", &e)),
        }
    }

    /// Runs a component: network, volumes and container, then starts it. Calling it again
    /// with the same spec keeps (and starts) the existing container; a changed spec replaces it.
    /// Returns the container id. The image must be present (see `image_present` / `pull`).
    pub async fn create_and_start(&self, spec: &ContainerSpec) -> Result<String, DockerError> {
        let component = spec.component.as_str();
        check_mounts(spec)?;
        if !self.image_present(&spec.image).await? {
            return Err(DockerError::ImageMissing {
                component: component.to_string(),
                image: spec.image.clone(),
            });
        }
        self.ensure_network().await?;

        let name = self.container_name(component);
        let hash = spec_hash(spec);
        if let Some(existing) = self.inspect(component).await? {
            let labels = existing
                .config
                .as_ref()
                .and_then(|c| c.labels.as_ref())
                .cloned()
                .unwrap_or_default();
            let id = existing.id.clone().unwrap_or_else(|| name.clone());
            if labels.get(LABEL_SPEC_HASH) == Some(&hash) {
                match phase_of(&existing) {
                    Phase::Running | Phase::Restarting => {}
                    Phase::Paused => self.unpause(component).await?,
                    _ => self.start_checked(spec).await?,
                }
                return Ok(id);
            }
            let options = RemoveContainerOptions {
                force: true,
                ..Default::default()
            };
            self.call(
                component,
                "replace the old container",
                CALL_TIMEOUT,
                self.docker.remove_container(&name, Some(options)),
            )
            .await?;
        }

        for (volume, _) in &spec.volumes {
            let request = VolumeCreateRequest {
                name: Some(self.volume_name(volume)),
                labels: Some(self.lab_labels()),
                ..Default::default()
            };
            self.call(
                component,
                "create a volume",
                CALL_TIMEOUT,
                self.docker.create_volume(request),
            )
            .await?;
        }

        let body = self.create_body(spec, hash);
        let options = CreateContainerOptions {
            name: Some(name),
            ..Default::default()
        };
        let created = self
            .call(
                component,
                "create the container",
                CALL_TIMEOUT,
                self.docker.create_container(Some(options), body),
            )
            .await?;
        self.start_checked(spec).await?;
        Ok(created.id)
    }

    /// Starts a stopped component container (the counterpart of `stop` and `kill`).
    pub async fn start(&self, component: &str) -> Result<(), DockerError> {
        let name = self.container_name(component);
        self.call(
            component,
            "start the container",
            CALL_TIMEOUT,
            self.docker
                .start_container(&name, None::<StartContainerOptions>),
        )
        .await
    }

    /// Freezes every process of the component (a "hung service" fault).
    pub async fn pause(&self, component: &str) -> Result<(), DockerError> {
        let name = self.container_name(component);
        self.call(
            component,
            "pause the container",
            CALL_TIMEOUT,
            self.docker.pause_container(&name),
        )
        .await
    }

    /// Thaws a paused component.
    pub async fn unpause(&self, component: &str) -> Result<(), DockerError> {
        let name = self.container_name(component);
        self.call(
            component,
            "unpause the container",
            CALL_TIMEOUT,
            self.docker.unpause_container(&name),
        )
        .await
    }

    /// Stops the component with SIGTERM, then SIGKILL once `grace` has passed.
    pub async fn stop(&self, component: &str, grace: Duration) -> Result<(), DockerError> {
        let name = self.container_name(component);
        let options = StopContainerOptions {
            t: Some(grace_secs(grace)),
            signal: None,
        };
        self.call(
            component,
            "stop the container",
            grace + CALL_TIMEOUT,
            self.docker.stop_container(&name, Some(options)),
        )
        .await
    }

    /// Kills the component at once (SIGKILL): a crash, with no graceful shutdown.
    pub async fn kill(&self, component: &str) -> Result<(), DockerError> {
        let name = self.container_name(component);
        let options = KillContainerOptions {
            signal: "SIGKILL".to_string(),
        };
        self.call(
            component,
            "kill the container",
            CALL_TIMEOUT,
            self.docker.kill_container(&name, Some(options)),
        )
        .await
    }

    /// Stops (SIGTERM, SIGKILL after `grace`) and starts the component again.
    pub async fn restart(&self, component: &str, grace: Duration) -> Result<(), DockerError> {
        let name = self.container_name(component);
        let options = RestartContainerOptions {
            t: Some(grace_secs(grace)),
            signal: None,
        };
        self.call(
            component,
            "restart the container",
            grace + CALL_TIMEOUT,
            self.docker.restart_container(&name, Some(options)),
        )
        .await
    }

    /// Starts the container, naming the port when the host port is taken.
    async fn start_checked(&self, spec: &ContainerSpec) -> Result<(), DockerError> {
        let name = self.container_name(&spec.component);
        let started = self
            .call_raw(
                &spec.component,
                "start the container",
                CALL_TIMEOUT,
                self.docker
                    .start_container(&name, None::<StartContainerOptions>),
            )
            .await?;
        match started {
            Ok(()) => Ok(()),
            Err(bollard::errors::Error::DockerResponseServerError { message, .. })
                if is_port_conflict(&message) =>
            {
                let ports: Vec<String> = spec.ports.iter().map(|p| p.host.to_string()).collect();
                Err(DockerError::PortInUse {
                    component: spec.component.clone(),
                    ports: ports.join(", "),
                    message,
                })
            }
            Err(e) if is_not_found(&e) => Err(engine_error(
                &spec.component,
                "start the container (it vanished right after creation)",
                &e,
            )),
            Err(e) => Err(engine_error(&spec.component, "start the container", &e)),
        }
    }

    fn create_body(&self, spec: &ContainerSpec, hash: String) -> ContainerCreateBody {
        let mut labels = self.lab_labels();
        labels.insert(LABEL_COMPONENT.to_string(), spec.component.clone());
        labels.insert(LABEL_SPEC_HASH.to_string(), hash);
        if let Some(ready) = &spec.readiness {
            labels.insert(LABEL_READY_PATH.to_string(), ready.path.clone());
            labels.insert(LABEL_READY_PORT.to_string(), ready.port.to_string());
        }

        let port_bindings: HashMap<String, Option<Vec<PortBinding>>> = spec
            .ports
            .iter()
            .map(|p| {
                let binding = PortBinding {
                    host_ip: Some("127.0.0.1".to_string()),
                    host_port: Some(p.host.to_string()),
                };
                (format!("{}/tcp", p.container), Some(vec![binding]))
            })
            .collect();
        let exposed: Vec<String> = port_bindings.keys().cloned().collect();

        let mut mounts: Vec<Mount> = spec
            .mounts
            .iter()
            .map(|m| Mount {
                typ: Some(MountType::BIND),
                source: Some(m.host.to_string_lossy().into_owned()),
                target: Some(m.container.clone()),
                read_only: Some(m.read_only),
                ..Default::default()
            })
            .collect();
        mounts.extend(spec.volumes.iter().map(|(volume, path)| Mount {
            typ: Some(MountType::VOLUME),
            source: Some(self.volume_name(volume)),
            target: Some(path.clone()),
            ..Default::default()
        }));

        let memory = spec
            .memory_mb
            .map(|mb| i64::try_from(mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX));
        let host_config = HostConfig {
            port_bindings: Some(port_bindings),
            mounts: Some(mounts),
            memory,
            // Equal to the memory limit: no swap, so a memory fault ends in an OOM kill.
            memory_swap: memory,
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::NO),
                maximum_retry_count: None,
            }),
            network_mode: Some(self.network_name()),
            log_config: Some(HostConfigLogConfig {
                typ: Some("json-file".to_string()),
                config: Some(HashMap::from([
                    ("max-size".to_string(), "10m".to_string()),
                    ("max-file".to_string(), "3".to_string()),
                ])),
            }),
            ..Default::default()
        };
        let endpoint = EndpointSettings {
            aliases: Some(vec![spec.component.clone()]),
            ..Default::default()
        };
        ContainerCreateBody {
            image: Some(spec.image.clone()),
            hostname: Some(spec.component.clone()),
            user: spec.user.clone(),
            entrypoint: spec.entrypoint.clone(),
            cmd: (!spec.cmd.is_empty()).then(|| spec.cmd.clone()),
            env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            exposed_ports: Some(exposed),
            labels: Some(labels),
            host_config: Some(host_config),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(self.network_name(), endpoint)])),
            }),
            ..Default::default()
        }
    }
}

/// Bind sources must exist and be absolute, or the engine fails with a vaguer message.
fn check_mounts(spec: &ContainerSpec) -> Result<(), DockerError> {
    for mount in &spec.mounts {
        let problem = if !mount.host.is_absolute() {
            Some("is not absolute")
        } else if !mount.host.exists() {
            Some("does not exist")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(DockerError::BadMount {
                component: spec.component.clone(),
                path: mount.host.clone(),
                problem,
            });
        }
    }
    Ok(())
}

fn is_port_conflict(message: &str) -> bool {
    message.contains("address already in use") || message.contains("port is already allocated")
}

fn grace_secs(grace: Duration) -> i32 {
    i32::try_from(grace.as_secs()).unwrap_or(i32::MAX)
}

/// A stable fingerprint of the spec (FNV-1a over its JSON form), stored as a label so a
/// later `up` can tell whether the running container still matches.
pub(super) fn spec_hash(spec: &ContainerSpec) -> String {
    let bytes = serde_json::to_vec(spec).unwrap_or_default();
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

pub(super) fn phase_of(inspect: &bollard::models::ContainerInspectResponse) -> Phase {
    use bollard::models::ContainerStateStatusEnum as S;
    let Some(state) = inspect.state.as_ref() else {
        return Phase::Other("unknown".to_string());
    };
    match state.status {
        Some(S::CREATED) => Phase::Created,
        Some(S::RUNNING) => Phase::Running,
        Some(S::PAUSED) => Phase::Paused,
        Some(S::RESTARTING) => Phase::Restarting,
        Some(S::EXITED) => Phase::Exited {
            code: state.exit_code.unwrap_or_default(),
            oom_killed: state.oom_killed.unwrap_or(false),
        },
        Some(S::DEAD) => Phase::Dead,
        Some(other) => Phase::Other(other.to_string()),
        None => Phase::Other("unknown".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::lab::stack::docker::{BindMount, PortMap};

    fn spec() -> ContainerSpec {
        ContainerSpec {
            component: "prometheus".into(),
            image: "prom/prometheus:v3.1.0".into(),
            entrypoint: None,
            cmd: vec!["--config.file=/etc/prometheus/prometheus.yml".into()],
            env: vec![],
            ports: vec![PortMap {
                host: 9090,
                container: 9090,
            }],
            mounts: vec![],
            volumes: vec![("prometheus-data".into(), "/prometheus".into())],
            memory_mb: Some(512),
            readiness: None,
            user: None,
        }
    }

    #[test]
    fn spec_hash_is_stable_and_sees_every_change() {
        let a = spec();
        assert_eq!(spec_hash(&a), spec_hash(&a.clone()));
        assert_eq!(spec_hash(&a).len(), 16);
        let mut b = a.clone();
        b.memory_mb = Some(256);
        assert_ne!(spec_hash(&a), spec_hash(&b));
        let mut c = a.clone();
        c.ports[0].host = 19090;
        assert_ne!(spec_hash(&a), spec_hash(&c));
    }

    #[test]
    fn mounts_must_be_absolute_and_exist() {
        let mut s = spec();
        s.mounts.push(BindMount {
            host: PathBuf::from("relative/prometheus.yml"),
            container: "/etc/prometheus/prometheus.yml".into(),
            read_only: true,
        });
        let err = check_mounts(&s).expect_err("relative path");
        assert!(err.to_string().contains("is not absolute"), "{err}");
        assert!(err.to_string().starts_with("prometheus: "), "{err}");
        s.mounts[0].host = PathBuf::from("/nonexistent/labtui/prometheus.yml");
        let err = check_mounts(&s).expect_err("missing path");
        assert!(err.to_string().contains("does not exist"), "{err}");
    }

    #[test]
    fn port_conflicts_are_recognised_in_engine_messages() {
        assert!(is_port_conflict(
            "driver failed programming external connectivity: Bind for 127.0.0.1:9090 failed: \
             port is already allocated"
        ));
        assert!(is_port_conflict(
            "listen tcp4 127.0.0.1:9090: bind: address already in use"
        ));
        assert!(!is_port_conflict("No such image: x"));
    }
}
