//! Which runtime runs the lab: the one asked for, the one that started the running lab, or
//! for `auto` a decision from what this machine has (an engine, images, native binaries).
//!
//! The decision is [`decide`], a pure function of [`Facts`]; [`observe`] gathers the facts.

use super::docker::{DEFAULT_LAB, DockerEngine, DockerError, DockerRuntime};
use super::{
    AttachRuntime, LabDirs, LabState, NativeOptions, NativeRuntime, Profile, Runtime, RuntimeKind,
    StackError, StackSpec,
};
use crate::lab::config::{RuntimeChoice, StackUrls};

/// The runtime picked and why, in words for the learner
/// (`docker: engine 20.10 answers and all 4 images are present`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub kind: RuntimeKind,
    /// Starts with the runtime's name, then the reason.
    pub why: String,
}

/// Whether a Docker engine answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// It answered a ping; `version` is what it reports (`20.10.24+dfsg1`).
    Answers { version: String },
    /// No engine, no permission, or no answer in time: the short reason.
    Absent { reason: String },
}

/// Whether one component's image is on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFact {
    pub component: String,
    pub image: String,
    pub present: bool,
}

/// What `auto` looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub engine: Engine,
    /// The images of the profile's Docker components (empty when no engine answers).
    pub images: Vec<ImageFact>,
    /// Whether the native Prometheus binary is installed (without it a native lab is empty).
    pub native_prometheus: bool,
}

/// Where a runtime choice came from, for the `why`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--runtime` on the command line.
    Flag,
    /// `runtime = "..."` in config.toml (or its default, `auto`).
    Config,
}

/// The `auto` rule: docker when an engine answers and every image is present; when images
/// are missing, docker only if native Prometheus is missing too (docker then pulls them);
/// otherwise native.
pub fn decide(facts: &Facts) -> Choice {
    let version = match &facts.engine {
        Engine::Absent { reason } => {
            return Choice {
                kind: RuntimeKind::Native,
                why: format!("native: no Docker engine ({reason})"),
            };
        }
        Engine::Answers { version } => version,
    };
    let total = facts.images.len();
    let missing = facts.images.iter().filter(|i| !i.present).count();
    if missing == 0 {
        return Choice {
            kind: RuntimeKind::Docker,
            why: format!("docker: engine {version} answers and all {total} images are present"),
        };
    }
    let count = format!("{missing} of {total} images");
    if facts.native_prometheus {
        Choice {
            kind: RuntimeKind::Native,
            why: format!(
                "native: engine {version} answers but {count} are missing and Prometheus is installed here (`--runtime docker` pulls them)"
            ),
        }
    } else {
        Choice {
            kind: RuntimeKind::Docker,
            why: format!(
                "docker: engine {version} answers; {count} are missing and will be pulled (no native Prometheus binary)"
            ),
        }
    }
}

/// Ask the engine (with its short timeout) and look for images and native binaries.
pub async fn observe(spec: &StackSpec, profile: Profile, native: &NativeRuntime) -> Facts {
    let native_prometheus = spec
        .component("prometheus")
        .is_some_and(|c| native.resolve(c).is_ok());
    let engine = match DockerEngine::connect(DEFAULT_LAB).await {
        Ok(engine) => engine,
        Err(e) => {
            let reason = match e {
                DockerError::Unavailable { reason, .. } => reason,
                other => other.to_string(),
            };
            return Facts {
                engine: Engine::Absent { reason },
                images: Vec::new(),
                native_prometheus,
            };
        }
    };
    let version = engine
        .version()
        .await
        .unwrap_or_else(|_| "of unknown version".to_string());
    let mut images = Vec::new();
    for component in spec.components_for(profile, RuntimeKind::Docker) {
        images.push(ImageFact {
            component: component.name.clone(),
            image: component.image.clone(),
            present: engine
                .image_present(&component.image)
                .await
                .unwrap_or(false),
        });
    }
    Facts {
        engine: Engine::Answers { version },
        images,
        native_prometheus,
    }
}

/// The runtime a choice names (`auto` names none).
pub fn kind_of(choice: RuntimeChoice) -> Option<RuntimeKind> {
    match choice {
        RuntimeChoice::Auto => None,
        RuntimeChoice::Docker => Some(RuntimeKind::Docker),
        RuntimeChoice::Native => Some(RuntimeKind::Native),
        RuntimeChoice::Attach => Some(RuntimeKind::Attach),
    }
}

/// Resolve what the user asked for; `auto` looks at the machine (see [`decide`]).
pub async fn choose(
    requested: RuntimeChoice,
    origin: Origin,
    spec: &StackSpec,
    profile: Profile,
    native: &NativeRuntime,
) -> Choice {
    match kind_of(requested) {
        Some(kind) => Choice {
            kind,
            why: match origin {
                Origin::Flag => format!("{kind}: chosen with --runtime {kind}"),
                Origin::Config => format!("{kind}: runtime = \"{kind}\" in config.toml"),
            },
        },
        None => decide(&observe(spec, profile, native).await),
    }
}

/// The runtime of a recorded lab: later commands (`status`, `down`, another `up`) go
/// through the runtime that started it, whatever `auto` would pick today.
pub fn for_existing(state: &LabState) -> RuntimeKind {
    state.runtime
}

/// The runtime that runs the recorded lab `state`: its kind, its attach URLs, its Docker
/// lab. For commands that act on a running lab (status, down, faults, control).
pub async fn open_existing(
    state: &LabState,
    dirs: LabDirs,
) -> Result<Box<dyn Runtime>, StackError> {
    match state.runtime {
        RuntimeKind::Docker => {
            let lab = state.docker_lab.as_deref().unwrap_or(DEFAULT_LAB);
            Ok(Box::new(DockerRuntime::connect(dirs, lab).await?))
        }
        kind => {
            let urls = super::attach::recorded_urls(state);
            open(kind, dirs, urls, NativeOptions::default()).await
        }
    }
}

/// The runtime object for `kind`. Attach uses `attach_urls`; native uses `native_options`.
pub async fn open(
    kind: RuntimeKind,
    dirs: LabDirs,
    attach_urls: StackUrls,
    native_options: NativeOptions,
) -> Result<Box<dyn Runtime>, StackError> {
    match kind {
        RuntimeKind::Native => Ok(Box::new(NativeRuntime::new(dirs, native_options))),
        RuntimeKind::Attach => Ok(Box::new(AttachRuntime::new(dirs, attach_urls))),
        RuntimeKind::Docker => Ok(Box::new(DockerRuntime::connect(dirs, DEFAULT_LAB).await?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(present: &[bool]) -> Vec<ImageFact> {
        ["prometheus", "alertmanager", "loki", "tempo"]
            .iter()
            .zip(present)
            .map(|(c, p)| ImageFact {
                component: (*c).to_string(),
                image: format!("img/{c}"),
                present: *p,
            })
            .collect()
    }

    fn answers() -> Engine {
        Engine::Answers {
            version: "20.10".to_string(),
        }
    }

    #[test]
    fn docker_when_the_engine_answers_and_every_image_is_present() {
        let choice = decide(&Facts {
            engine: answers(),
            images: images(&[true; 4]),
            native_prometheus: true,
        });
        assert_eq!(choice.kind, RuntimeKind::Docker);
        assert_eq!(
            choice.why,
            "docker: engine 20.10 answers and all 4 images are present"
        );
    }

    #[test]
    fn missing_images_prefer_native_binaries_over_a_pull() {
        let choice = decide(&Facts {
            engine: answers(),
            images: images(&[true, false, true, false]),
            native_prometheus: true,
        });
        assert_eq!(choice.kind, RuntimeKind::Native);
        assert_eq!(
            choice.why,
            "native: engine 20.10 answers but 2 of 4 images are missing and Prometheus is installed here (`--runtime docker` pulls them)"
        );
    }

    #[test]
    fn missing_images_and_no_native_prometheus_means_docker_pulls() {
        let choice = decide(&Facts {
            engine: answers(),
            images: images(&[false; 4]),
            native_prometheus: false,
        });
        assert_eq!(choice.kind, RuntimeKind::Docker);
        assert!(
            choice
                .why
                .contains("4 of 4 images are missing and will be pulled")
        );
    }

    #[test]
    fn no_engine_means_native_whatever_else_is_true() {
        for native_prometheus in [true, false] {
            let choice = decide(&Facts {
                engine: Engine::Absent {
                    reason: "Socket not found: /var/run/docker.sock".to_string(),
                },
                images: Vec::new(),
                native_prometheus,
            });
            assert_eq!(choice.kind, RuntimeKind::Native);
            assert_eq!(
                choice.why,
                "native: no Docker engine (Socket not found: /var/run/docker.sock)"
            );
        }
    }

    #[tokio::test]
    async fn an_explicit_choice_skips_the_probe_and_says_where_it_came_from() {
        let spec = StackSpec::builtin().unwrap();
        let native = NativeRuntime::new(
            LabDirs {
                root: std::path::PathBuf::from("/nonexistent"),
            },
            NativeOptions::default(),
        );
        let flag = choose(
            RuntimeChoice::Native,
            Origin::Flag,
            &spec,
            Profile::Core,
            &native,
        )
        .await;
        assert_eq!(flag.kind, RuntimeKind::Native);
        assert_eq!(flag.why, "native: chosen with --runtime native");
        let config = choose(
            RuntimeChoice::Attach,
            Origin::Config,
            &spec,
            Profile::Core,
            &native,
        )
        .await;
        assert_eq!(config.why, "attach: runtime = \"attach\" in config.toml");
    }

    #[tokio::test]
    async fn a_recorded_lab_keeps_its_runtime_and_open_builds_the_named_runtime() {
        let state = LabState::empty(RuntimeKind::Attach, Profile::Core);
        assert_eq!(for_existing(&state), RuntimeKind::Attach);
        let dirs = LabDirs {
            root: std::path::PathBuf::from("/nonexistent"),
        };
        for kind in [RuntimeKind::Native, RuntimeKind::Attach] {
            let rt = open(
                kind,
                dirs.clone(),
                StackUrls::default(),
                NativeOptions::default(),
            )
            .await
            .unwrap();
            assert_eq!(rt.kind(), kind);
        }
    }
}
