//! From a spec component to a container: rendered configs bind-mounted read-only, a
//! labelled data volume, published ports, the memory limit, and the command the image needs.

use std::collections::BTreeSet;

use bollard::models::ContainerInspectResponse;

use crate::lab::stack::docker::lifecycle::{phase_of, spec_hash};
use crate::lab::stack::docker::{
    BindMount, CALL_TIMEOUT, ContainerSpec, DockerEngine, DockerError, LABEL_SPEC_HASH, Phase,
    PortMap, Readiness, engine_error, is_not_found,
};
use crate::lab::stack::plan::{Addressing, Plan};
use crate::lab::stack::render;
use crate::lab::stack::spec::Component;
use crate::lab::stack::state::LabDirs;
use crate::lab::stack::{StackError, http};

/// Where every component's rendered configs appear inside its container.
pub const CONTAINER_CONFIG_ROOT: &str = "/etc/labtui";

/// What the engine knows of an image that decides how a component is started in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ImageConfig {
    /// Empty for an image with no entrypoint (an imported root filesystem).
    pub entrypoint: Vec<String>,
    /// The image's working directory: Grafana's install root (its `{bin_home}`).
    pub working_dir: String,
}

impl DockerEngine {
    /// The entrypoint and working directory of a present image.
    pub(super) async fn image_config(
        &self,
        component: &str,
        image: &str,
    ) -> Result<ImageConfig, DockerError> {
        let found = self
            .call_raw(
                component,
                "inspect the image",
                CALL_TIMEOUT,
                self.docker.inspect_image(image),
            )
            .await?;
        let inspect = match found {
            Ok(inspect) => inspect,
            Err(e) if is_not_found(&e) => {
                return Err(DockerError::ImageMissing {
                    component: component.to_string(),
                    image: image.to_string(),
                });
            }
            Err(e) => return Err(engine_error(component, "inspect the image", &e)),
        };
        let config = inspect.config.unwrap_or_default();
        Ok(ImageConfig {
            entrypoint: config.entrypoint.unwrap_or_default(),
            working_dir: config.working_dir.unwrap_or_default(),
        })
    }

    /// The host ports an existing container of `component` publishes (none if it is gone).
    pub(super) async fn published_ports(&self, component: &str) -> Result<Vec<u16>, DockerError> {
        Ok(self
            .inspect(component)
            .await?
            .as_ref()
            .map(host_ports)
            .unwrap_or_default())
    }

    /// Whether `component`'s container runs from exactly `spec` and answers its readiness
    /// URL, so `up` can leave it alone.
    pub(super) async fn runs_current(
        &self,
        spec: &ContainerSpec,
        client: &reqwest::Client,
    ) -> Result<bool, DockerError> {
        let Some(inspect) = self.inspect(&spec.component).await? else {
            return Ok(false);
        };
        let hash = inspect
            .config
            .as_ref()
            .and_then(|c| c.labels.as_ref())
            .and_then(|l| l.get(LABEL_SPEC_HASH));
        if hash != Some(&spec_hash(spec)) || phase_of(&inspect) != Phase::Running {
            return Ok(false);
        }
        Ok(match &spec.readiness {
            Some(ready) => http::probe(client, &ready.url()).await.is_ok(),
            None => true,
        })
    }
}

fn host_ports(inspect: &ContainerInspectResponse) -> Vec<u16> {
    inspect
        .host_config
        .as_ref()
        .and_then(|h| h.port_bindings.as_ref())
        .into_iter()
        .flat_map(|bindings| bindings.values())
        .flatten()
        .flatten()
        .filter_map(|b| b.host_port.as_deref()?.parse().ok())
        .collect()
}

/// Where a component's data volume is mounted: the directory each shipped image prepares
/// for the user it runs as (a fresh named volume takes that directory's owner, so a
/// component that does not run as root can write to it), else a labtui path.
pub fn container_data_dir(component: &str) -> String {
    match component {
        "prometheus" => "/prometheus".to_string(),
        "alertmanager" => "/alertmanager".to_string(),
        "loki" => "/loki".to_string(),
        "tempo" => "/var/tempo".to_string(),
        "grafana" => "/var/lib/grafana".to_string(),
        other => format!("/var/lib/labtui/{other}"),
    }
}

/// The short name of a component's data volume (the engine prefixes the lab name).
pub fn data_volume(component: &str) -> String {
    format!("{component}-data")
}

/// Render `component`'s configs into its host config dir with container addressing
/// (listen on 0.0.0.0, other components by name on their container ports) and describe
/// its container. Render errors name the file and line.
pub(super) fn container_spec(
    plan: &Plan,
    dirs: &LabDirs,
    component: &Component,
    image: &ImageConfig,
    present: &BTreeSet<String>,
) -> Result<ContainerSpec, StackError> {
    let config_dir = format!("{CONTAINER_CONFIG_ROOT}/{}", component.name);
    let data_dir = container_data_dir(&component.name);
    let by_name = |c: &str| c.to_string();
    let addressing = Addressing {
        listen: "0.0.0.0".to_string(),
        host_of: &by_name,
        container_ports: true,
        config_dir: config_dir.clone(),
        data_dir: data_dir.clone(),
        bin_home: Some(if image.working_dir.is_empty() {
            "/".to_string()
        } else {
            image.working_dir.clone()
        }),
    };
    let rendered = render::render_component(plan, dirs, component, &addressing, present)?;
    // An image without an entrypoint runs the component's binary (found on the image's PATH).
    let entrypoint = match (image.entrypoint.is_empty(), component.binaries.first()) {
        (true, Some(binary)) => Some(
            std::iter::once(binary.program.clone())
                .chain(binary.pre_args.iter().cloned())
                .collect(),
        ),
        _ => None,
    };
    let mut env = vec![(
        // A soft limit under the hard one: the Go runtime collects harder before the kernel
        // has to kill the container.
        "GOMEMLIMIT".to_string(),
        format!("{}MiB", u64::from(component.memory_mb) * 9 / 10),
    )];
    env.extend(rendered.env);
    let ports = component
        .ports
        .iter()
        .map(|p| PortMap {
            host: plan.port(&component.name, &p.name).unwrap_or(p.default),
            container: p.container_port(),
        })
        .collect();
    let ready_port = plan
        .port(&component.name, &component.ready_port)
        .or_else(|| plan.primary_port(&component.name))
        .unwrap_or(component.primary_port().default);
    Ok(ContainerSpec {
        component: component.name.clone(),
        image: component.image.clone(),
        entrypoint,
        cmd: rendered.args,
        env,
        ports,
        mounts: vec![BindMount {
            // The engine needs an absolute source; a relative LABTUI_HOME is made absolute.
            host: std::path::absolute(dirs.config_dir(&component.name))
                .unwrap_or_else(|_| dirs.config_dir(&component.name)),
            container: config_dir,
            read_only: true,
        }],
        volumes: vec![(data_volume(&component.name), data_dir)],
        memory_mb: Some(u64::from(component.memory_mb)),
        readiness: Some(Readiness {
            path: component.ready_path.clone(),
            port: ready_port,
        }),
        user: None,
    })
}

/// The container's command as one line, for progress and the state file.
pub(super) fn command_line(spec: &ContainerSpec) -> Vec<String> {
    spec.entrypoint
        .iter()
        .flatten()
        .chain(spec.cmd.iter())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::stack::{PlanOptions, Profile, RuntimeKind, StackSpec};

    fn full_plan() -> Plan {
        let spec = StackSpec::builtin().unwrap();
        let mut options = PlanOptions::new(Profile::Full, RuntimeKind::Docker);
        options.port_base = Some(20000);
        Plan::new(&spec, &options).unwrap()
    }

    fn spec_of(plan: &Plan, dirs: &LabDirs, name: &str, image: &ImageConfig) -> ContainerSpec {
        let present = plan.components.iter().cloned().collect();
        let component = plan.spec.component(name).unwrap();
        container_spec(plan, dirs, component, image, &present).unwrap()
    }

    #[test]
    fn configs_are_rendered_for_containers_and_mounted_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = LabDirs {
            root: dir.path().join("lab"),
        };
        let plan = full_plan();
        let no_entrypoint = ImageConfig::default();
        let spec = spec_of(&plan, &dirs, "prometheus", &no_entrypoint);
        assert_eq!(spec.entrypoint, Some(vec!["prometheus".to_string()]));
        assert!(
            spec.cmd
                .contains(&"--config.file=/etc/labtui/prometheus/prometheus.yml".into())
        );
        assert!(spec.cmd.contains(&"--storage.tsdb.path=/prometheus".into()));
        assert!(
            spec.cmd
                .contains(&"--web.listen-address=0.0.0.0:9090".into())
        );
        assert_eq!(
            spec.mounts,
            [BindMount {
                host: dirs.config_dir("prometheus"),
                container: "/etc/labtui/prometheus".into(),
                read_only: true,
            }]
        );
        assert_eq!(
            spec.volumes,
            [("prometheus-data".to_string(), "/prometheus".to_string())]
        );
        assert_eq!(
            spec.ports,
            [PortMap {
                host: 20000,
                container: 9090
            }]
        );
        assert_eq!(spec.memory_mb, Some(512));
        assert!(spec.env.contains(&("GOMEMLIMIT".into(), "460MiB".into())));
        assert_eq!(
            spec.readiness.as_ref().map(Readiness::url).as_deref(),
            Some("http://127.0.0.1:20000/-/ready")
        );
        let rendered =
            std::fs::read_to_string(dirs.config_dir("prometheus").join("prometheus.yml")).unwrap();
        assert!(rendered.contains("alertmanager:9093"), "{rendered}");
        assert!(rendered.contains("otel-collector:8888"), "{rendered}");
        assert!(dirs.shop_targets_file().exists());

        // The collector listens on the standard OTLP ports inside, published beside Tempo's.
        let image = ImageConfig {
            entrypoint: vec!["/otelcol-contrib".into()],
            working_dir: String::new(),
        };
        let otel = spec_of(&plan, &dirs, "otel-collector", &image);
        assert_eq!(otel.entrypoint, None, "the image's entrypoint is kept");
        assert!(otel.ports.contains(&PortMap {
            host: 20050,
            container: 4317
        }));
        assert_eq!(otel.readiness.map(|r| r.port), Some(20052));

        // Grafana's install root is its image's working directory.
        let grafana_image = ImageConfig {
            entrypoint: vec!["/run.sh".into()],
            working_dir: "/usr/share/grafana".into(),
        };
        let grafana = spec_of(&plan, &dirs, "grafana", &grafana_image);
        assert_eq!(grafana.cmd, ["--homepath=/usr/share/grafana"]);
        assert!(grafana.env.contains(&(
            "GF_PATHS_PROVISIONING".into(),
            "/etc/labtui/grafana/provisioning".into()
        )));
        assert!(
            grafana
                .env
                .contains(&("GF_PATHS_DATA".into(), "/var/lib/grafana".into()))
        );
        assert_eq!(
            command_line(&spec).first().map(String::as_str),
            Some("prometheus")
        );
    }
}
