//! Tearing a lab down: every container, the network and optionally the volumes, by label.

use std::time::Duration;

use bollard::query_parameters::{
    ListVolumesOptions, RemoveContainerOptions, RemoveVolumeOptions, StopContainerOptions,
};

use super::{CALL_TIMEOUT, DockerEngine, DockerError, Removed, engine_error, is_not_found};

/// SIGTERM grace before SIGKILL when tearing down.
const STOP_GRACE: Duration = Duration::from_secs(5);

impl DockerEngine {
    /// Stops and removes every container of this lab, its network and, if asked, its
    /// volumes (lab data such as the Prometheus TSDB). Finds them by label, so it also
    /// cleans up after an earlier process; safe to call again (returns nothing removed).
    pub async fn remove_all(&self, remove_volumes: bool) -> Result<Removed, DockerError> {
        let mut removed = Removed::default();

        let containers = self.lab_containers().await?;
        for container in containers {
            let Some(id) = container.id else { continue };
            let name = container
                .names
                .as_ref()
                .and_then(|n| n.first())
                .map_or_else(|| id.clone(), |n| n.trim_start_matches('/').to_string());
            if self.remove_container(&name, &id, remove_volumes).await? {
                removed.containers.push(name);
            }
        }

        let networks = self.lab_networks().await?;
        for network in networks {
            let Some(name) = network.name else { continue };
            let result = self
                .call_raw(
                    "network",
                    "remove the lab network",
                    CALL_TIMEOUT,
                    self.docker.remove_network(&name),
                )
                .await?;
            match result {
                Ok(()) => removed.networks.push(name),
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(engine_error("network", "remove the lab network", &e)),
            }
        }

        if remove_volumes {
            let options = ListVolumesOptions {
                filters: Some(self.lab_filter()),
            };
            let volumes = self
                .call(
                    "volumes",
                    "list volumes",
                    CALL_TIMEOUT,
                    self.docker.list_volumes(Some(options)),
                )
                .await?;
            for volume in volumes.volumes.unwrap_or_default() {
                let result = self
                    .call_raw(
                        "volumes",
                        "remove a volume",
                        CALL_TIMEOUT,
                        self.docker
                            .remove_volume(&volume.name, None::<RemoveVolumeOptions>),
                    )
                    .await?;
                match result {
                    Ok(()) => removed.volumes.push(volume.name),
                    Err(e) if is_not_found(&e) => {}
                    Err(e) => return Err(engine_error("volumes", "remove a volume", &e)),
                }
            }
        }
        removed.containers.sort();
        removed.volumes.sort();
        Ok(removed)
    }

    /// Graceful stop, then forced removal; `Ok(false)` if someone else removed it first.
    async fn remove_container(
        &self,
        name: &str,
        id: &str,
        remove_volumes: bool,
    ) -> Result<bool, DockerError> {
        // A paused container cannot handle SIGTERM; thaw it first (errors mean "not paused").
        let _ = self
            .call_raw(
                name,
                "unpause",
                CALL_TIMEOUT,
                self.docker.unpause_container(id),
            )
            .await?;
        let stop = StopContainerOptions {
            t: Some(i32::try_from(STOP_GRACE.as_secs()).unwrap_or(5)),
            signal: None,
        };
        let stopped = self
            .call_raw(
                name,
                "stop the container",
                STOP_GRACE + CALL_TIMEOUT,
                self.docker.stop_container(id, Some(stop)),
            )
            .await?;
        // Other stop failures do not matter: removal below forces it and reports its own.
        if matches!(&stopped, Err(e) if is_not_found(e)) {
            return Ok(false);
        }
        let options = RemoveContainerOptions {
            force: true,
            v: remove_volumes,
            ..Default::default()
        };
        let result = self
            .call_raw(
                name,
                "remove the container",
                CALL_TIMEOUT,
                self.docker.remove_container(id, Some(options)),
            )
            .await?;
        match result {
            Ok(()) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(engine_error(name, "remove the container", &e)),
        }
    }
}
