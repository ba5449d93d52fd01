//! The stack spec (stack/stack.toml): which components exist, how each runs, its ports and configs.

mod order;
mod raw;
mod validate;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::RuntimeKind;
use super::builtin;
use super::error::StackError;

/// Which set of components a lab runs: `core` is the four backends, `full` adds the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Core,
    Full,
}

impl Profile {
    /// Whether a component declared with `component_profile` runs in this profile.
    pub fn includes(self, component_profile: Profile) -> bool {
        component_profile <= self
    }

    /// The name used in stack.toml and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Core => "core",
            Self::Full => "full",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "core" => Ok(Self::Core),
            "full" => Ok(Self::Full),
            other => Err(format!("unknown profile `{other}`: use core or full")),
        }
    }
}

/// A named port on the host. Without --port-base the lab uses `default`; with --port-base N
/// it uses N + `offset`. Inside a container the component listens on `container` (when
/// set) or `default`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub name: String,
    pub default: u16,
    /// The port inside the container, when it differs from `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<u16>,
    pub offset: u16,
}

impl Port {
    /// The port the component listens on inside its container.
    pub fn container_port(&self) -> u16 {
        self.container.unwrap_or(self.default)
    }
}

/// A config file shipped under stack/ and where it lands in the component's config dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFile {
    /// Path relative to the spec's directory.
    pub src: String,
    /// Path relative to the component's rendered config dir.
    pub dest: String,
}

/// How to read a component's version: a JSON field (pointer) or a `*_build_info` metric's label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionProbe {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
}

/// One way to run a component natively: a program looked up on PATH and arguments put
/// before the spec's args (`grafana server` is program `grafana` with `server`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryChoice {
    pub program: String,
    pub pre_args: Vec<String>,
}

/// One component of the lab, as every runtime sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    pub description: String,
    pub profile: Profile,
    pub runtimes: Vec<RuntimeKind>,
    pub image: String,
    /// Native binaries, first found on PATH wins.
    pub binaries: Vec<BinaryChoice>,
    /// How to install the binary, shown when none is found.
    pub install: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub configs: Vec<ConfigFile>,
    /// The first port is the primary one (`{port}`, the URL, readiness unless `ready_port`).
    pub ports: Vec<Port>,
    /// Readiness URL path (answers 2xx when ready).
    pub ready_path: String,
    /// The port the readiness path is served on.
    pub ready_port: String,
    pub ready_timeout: Duration,
    pub version: Option<VersionProbe>,
    pub depends_on: Vec<String>,
    pub memory_mb: u32,
}

impl Component {
    /// The port `{port}`, the URL and readiness use by default.
    pub fn primary_port(&self) -> &Port {
        // validate() guarantees at least one port.
        &self.ports[0]
    }

    pub fn port(&self, name: &str) -> Option<&Port> {
        self.ports.iter().find(|p| p.name == name)
    }

    /// Whether `runtime` can run it. Attach starts nothing, so it can reach any component.
    pub fn runs_on(&self, runtime: RuntimeKind) -> bool {
        runtime == RuntimeKind::Attach || self.runtimes.contains(&runtime)
    }

    /// The binary names as a user would type them (for messages).
    pub fn binary_names(&self) -> Vec<String> {
        self.binaries.iter().map(|b| b.program.clone()).collect()
    }
}

/// Where the spec and its config files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecSource {
    /// Compiled into labtui (the shipped stack/ directory).
    Builtin,
    /// A directory on disk holding stack.toml and the configs it names.
    Dir(PathBuf),
}

/// The whole stack: lab-level ports and the components in dependency order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSpec {
    pub schema: u32,
    /// Ports of the lab that no component listens on (the TUI's webhook receiver).
    pub lab_ports: Vec<Port>,
    /// In dependency order: every component comes after the ones it depends on.
    components: Vec<Component>,
    source: SpecSource,
}

impl StackSpec {
    /// The spec shipped with labtui (stack/stack.toml and its configs, compiled in).
    pub fn builtin() -> Result<Self, StackError> {
        Self::parse(builtin::SPEC, "stack/stack.toml", SpecSource::Builtin)
    }

    /// A spec on disk; config files are read relative to its directory.
    pub fn load(path: &Path) -> Result<Self, StackError> {
        let text = std::fs::read_to_string(path).map_err(|source| StackError::SpecRead {
            path: path.to_path_buf(),
            source,
        })?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&text, &path.display().to_string(), SpecSource::Dir(dir))
    }

    /// Parse spec text; `file` names it in errors.
    pub fn parse(text: &str, file: &str, source: SpecSource) -> Result<Self, StackError> {
        let raw = raw::parse(text, file)?;
        let (lab_ports, components) = validate::validate(raw, text, file, &source)?;
        Ok(Self {
            schema: 1,
            lab_ports,
            components,
            source,
        })
    }

    /// Every component, in dependency order.
    pub fn all(&self) -> &[Component] {
        &self.components
    }

    /// The components of `profile`, in dependency order (dependencies first).
    pub fn components(&self, profile: Profile) -> Vec<&Component> {
        self.components
            .iter()
            .filter(|c| profile.includes(c.profile))
            .collect()
    }

    /// The components of `profile` that `runtime` can run, in dependency order.
    pub fn components_for(&self, profile: Profile, runtime: RuntimeKind) -> Vec<&Component> {
        self.components(profile)
            .into_iter()
            .filter(|c| c.runs_on(runtime))
            .collect()
    }

    pub fn component(&self, name: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.name == name)
    }

    pub fn component_names(&self) -> Vec<&str> {
        self.components.iter().map(|c| c.name.as_str()).collect()
    }

    pub fn source(&self) -> &SpecSource {
        &self.source
    }

    /// How a config file is named in messages (`stack/prometheus.yml`).
    pub fn config_display(&self, src: &str) -> String {
        match &self.source {
            SpecSource::Builtin => format!("stack/{src}"),
            SpecSource::Dir(dir) => dir.join(src).display().to_string(),
        }
    }

    /// The text of a config file named in the spec.
    pub fn config_text(&self, src: &str) -> Result<Cow<'static, str>, StackError> {
        match &self.source {
            SpecSource::Builtin => {
                builtin::file(src)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| StackError::SpecRead {
                        path: PathBuf::from(format!("stack/{src}")),
                        source: std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "not compiled into labtui (add it to src/lab/stack/builtin.rs)",
                        ),
                    })
            }
            SpecSource::Dir(dir) => {
                let path = dir.join(src);
                std::fs::read_to_string(&path)
                    .map(Cow::Owned)
                    .map_err(|source| StackError::SpecRead { path, source })
            }
        }
    }
}

/// 1-based line of a byte offset in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests;
