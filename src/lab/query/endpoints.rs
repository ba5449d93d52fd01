//! Where each backend is: one resolver for the CLI and the console, which also says where
//! the URL came from so an error can point at the right thing to fix.
//!
//! Per backend, the first of: a command-line flag, the running lab (its state file), the
//! `LABTUI_<BACKEND>_URL` variable, `[stack]` in config.toml. A flag comes first because
//! it is the most deliberate choice; the running lab next because it is what `labtui up`
//! started and what the lessons expect.

use std::fmt;

use crate::lab::config::{self, ConfigError, StackUrls};
use crate::lab::paths::Paths;
use crate::lab::stack::attach;
use crate::lab::stack::{LabDirs, LabState, SkipReason, StackSpec};

/// A backend labtui queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Backend {
    Prometheus,
    Alertmanager,
    Loki,
    Tempo,
}

impl Backend {
    /// Every backend, in the order the console lists them.
    pub const ALL: [Self; 4] = [
        Self::Prometheus,
        Self::Alertmanager,
        Self::Loki,
        Self::Tempo,
    ];

    /// The component's name in the lab's state file and stack spec.
    pub fn component(self) -> &'static str {
        match self {
            Self::Prometheus => "prometheus",
            Self::Alertmanager => "alertmanager",
            Self::Loki => "loki",
            Self::Tempo => "tempo",
        }
    }

    /// The name people write.
    pub fn title(self) -> &'static str {
        match self {
            Self::Prometheus => "Prometheus",
            Self::Alertmanager => "Alertmanager",
            Self::Loki => "Loki",
            Self::Tempo => "Tempo",
        }
    }

    /// `--prometheus-url`.
    pub fn flag(self) -> String {
        attach::url_flag(self.component())
    }

    /// `LABTUI_PROMETHEUS_URL`.
    pub fn env_var(self) -> String {
        attach::url_env(self.component())
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Where a URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSource {
    /// `--prometheus-url` and friends.
    Flag(String),
    /// The state file of the lab `labtui up` started.
    RunningLab,
    /// `LABTUI_PROMETHEUS_URL` and friends.
    Env(String),
    /// `[stack]` in config.toml (the path).
    ConfigFile(std::path::PathBuf),
}

impl fmt::Display for UrlSource {
    /// "from the running lab", "from --prometheus-url"…
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "from {flag}"),
            Self::RunningLab => f.write_str("from the running lab"),
            Self::Env(var) => write!(f, "from {var}"),
            Self::ConfigFile(path) => write!(f, "from [stack] in {}", path.display()),
        }
    }
}

/// A backend's URL and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub backend: Backend,
    /// Base URL without a trailing `/`.
    pub url: String,
    pub source: UrlSource,
}

/// Why no usable URL was found; each message says how to get one.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error(
        "no {backend} URL: start the lab with `labtui up`, or {}",
        attach::url_hint(.backend.component())
    )]
    Missing { backend: Backend },
    /// A lab runs but has no such component, and nothing else gave a URL.
    #[error("the running lab has no {backend}: {how}")]
    NotInLab { backend: Backend, how: String },
    #[error("{origin}: {message}")]
    BadUrl { origin: String, message: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl EndpointError {
    /// The `labtui query` exit code: 2 when there is no backend to ask, 1 for a mistake in
    /// a flag, a variable or the config file.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Missing { .. } | Self::NotInLab { .. } => 2,
            Self::BadUrl { .. } | Self::Config(_) => 1,
        }
    }
}

/// What the resolver looks at. The config is read only when no earlier source gave a URL,
/// so a command that is told its URL never parses config.toml.
pub struct Sources<'a, E, C>
where
    E: Fn(&str) -> Option<String>,
    C: FnOnce() -> Result<StackUrls, ConfigError>,
{
    pub paths: &'a Paths,
    /// URLs given on the command line.
    pub flags: &'a StackUrls,
    /// Looks an environment variable up (`|k| std::env::var(k).ok()`).
    pub env: E,
    /// The config file's `[stack]`, loaded on first need.
    pub config: C,
}

/// The URL of `backend`, or why there is none.
pub fn resolve<E, C>(
    backend: Backend,
    sources: Sources<'_, E, C>,
) -> Result<Endpoint, EndpointError>
where
    E: Fn(&str) -> Option<String>,
    C: FnOnce() -> Result<StackUrls, ConfigError>,
{
    let paths = sources.paths;
    let mut all = resolve_all(sources, &[backend])?;
    if let Some(found) = all.pop().and_then(|(_, found)| found) {
        return Ok(found);
    }
    Err(
        match running_lab(paths).filter(|s| !s.components.is_empty()) {
            Some(lab) => EndpointError::NotInLab {
                backend,
                how: how_to_add(&lab, backend),
            },
            None => EndpointError::Missing { backend },
        },
    )
}

/// How to get `backend` into a lab that runs without it: why `up` skipped it when it
/// recorded that (the install hint for a missing binary, the URL hint for attach), else
/// the stack spec's install hint, else where to give a URL.
fn how_to_add(lab: &LabState, backend: Backend) -> String {
    let component = backend.component();
    let restart = |install: &str| format!("{install}; then `labtui down` and `labtui up`");
    let skipped = lab
        .skipped
        .iter()
        .find(|s| s.name == component)
        .map(|s| &s.reason);
    match skipped {
        Some(SkipReason::MissingBinary { install, .. }) if !install.is_empty() => restart(install),
        Some(SkipReason::NoUrl { hint }) => hint.clone(),
        _ => StackSpec::builtin()
            .ok()
            .and_then(|spec| spec.component(component).map(|c| c.install.clone()))
            .filter(|install| !install.is_empty())
            .map_or_else(|| attach::url_hint(component), |install| restart(&install)),
    }
}

/// The URLs of several backends at once (the console wants all four), reading the state
/// file and the config once. A backend with no URL anywhere is `None`.
pub fn resolve_all<E, C>(
    sources: Sources<'_, E, C>,
    backends: &[Backend],
) -> Result<Vec<(Backend, Option<Endpoint>)>, EndpointError>
where
    E: Fn(&str) -> Option<String>,
    C: FnOnce() -> Result<StackUrls, ConfigError>,
{
    let Sources {
        paths,
        flags,
        env,
        config,
    } = sources;
    let mut lab: Option<Option<LabState>> = None;
    let mut config = Some(config);
    let mut config_urls: Option<StackUrls> = None;
    let mut out = Vec::with_capacity(backends.len());
    for &backend in backends {
        let component = backend.component();
        if let Some(url) = attach::url_of(flags, component) {
            out.push((
                backend,
                Some(checked(backend, url, UrlSource::Flag(backend.flag()))?),
            ));
            continue;
        }
        let state = lab.get_or_insert_with(|| running_lab(paths));
        if let Some(url) = state.as_ref().and_then(|s| s.url(component)) {
            out.push((
                backend,
                Some(Endpoint {
                    backend,
                    url: url.trim_end_matches('/').to_string(),
                    source: UrlSource::RunningLab,
                }),
            ));
            continue;
        }
        let var = backend.env_var();
        if let Some(url) = env(&var).filter(|v| !v.trim().is_empty()) {
            out.push((backend, Some(checked(backend, &url, UrlSource::Env(var))?)));
            continue;
        }
        if config_urls.is_none()
            && let Some(load) = config.take()
        {
            config_urls = Some(load()?);
        }
        let found = config_urls
            .as_ref()
            .and_then(|c| attach::url_of(c, component))
            .map(|url| Endpoint {
                backend,
                // config::parse already checked it and dropped the trailing `/`.
                url: url.to_string(),
                source: UrlSource::ConfigFile(paths.config_file()),
            });
        out.push((backend, found));
    }
    Ok(out)
}

/// The config file's `[stack]` URLs, for [`Sources::config`].
pub fn config_file_urls(paths: &Paths) -> impl FnOnce() -> Result<StackUrls, ConfigError> + '_ {
    move || config::load(&paths.config_file()).map(|c| c.stack)
}

fn checked(backend: Backend, url: &str, source: UrlSource) -> Result<Endpoint, EndpointError> {
    let url = config::check_url(url.trim()).map_err(|message| EndpointError::BadUrl {
        origin: match &source {
            UrlSource::Flag(f) | UrlSource::Env(f) => f.clone(),
            other => other.to_string(),
        },
        message,
    })?;
    Ok(Endpoint {
        backend,
        url,
        source,
    })
}

/// The lab `labtui up` recorded, if any. A state file that cannot be read counts as no lab
/// (the other sources may still answer); `labtui status` reports what is wrong with it.
fn running_lab(paths: &Paths) -> Option<LabState> {
    match LabState::load(&LabDirs::new(paths)) {
        Ok(state) => state,
        Err(e) => {
            tracing::warn!("ignoring the lab's state file: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::lab::stack::{ComponentRecord, Profile, RuntimeKind, SkippedComponent};

    fn lab_with(paths: &Paths, components: &[(&str, &str)]) {
        let mut state = LabState::empty(RuntimeKind::Native, Profile::Core);
        for (name, url) in components {
            state.components.push(ComponentRecord::reached_at(
                name,
                url,
                &format!("{url}/-/ready"),
            ));
        }
        state.save(&LabDirs::new(paths)).unwrap();
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn sources<'a>(
        paths: &'a Paths,
        flags: &'a StackUrls,
        env: &[(&str, &str)],
    ) -> Sources<'a, impl Fn(&str) -> Option<String>, impl FnOnce() -> Result<StackUrls, ConfigError>>
    {
        Sources {
            paths,
            flags,
            env: env_of(env),
            config: config_file_urls(paths),
        }
    }

    #[test]
    fn a_flag_wins_then_the_running_lab_then_the_environment_then_the_config() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        std::fs::write(
            paths.config_file(),
            "[stack]\nprometheus = \"http://config:1\"\nloki = \"http://config:3100/\"\n",
        )
        .unwrap();
        let none = StackUrls::default();
        let env = [("LABTUI_PROMETHEUS_URL", "http://env:9090")];

        let found = resolve(Backend::Prometheus, sources(&paths, &none, &[])).unwrap();
        assert_eq!(found.url, "http://config:1");
        assert_eq!(
            found.source.to_string(),
            format!("from [stack] in {}", paths.config_file().display())
        );
        let found = resolve(Backend::Prometheus, sources(&paths, &none, &env)).unwrap();
        assert_eq!(
            (found.url.as_str(), found.source.to_string()),
            ("http://env:9090", "from LABTUI_PROMETHEUS_URL".to_string())
        );

        lab_with(&paths, &[("prometheus", "http://127.0.0.1:20000")]);
        let found = resolve(Backend::Prometheus, sources(&paths, &none, &env)).unwrap();
        assert_eq!(found.url, "http://127.0.0.1:20000");
        assert_eq!(found.source, UrlSource::RunningLab);
        assert_eq!(found.source.to_string(), "from the running lab");

        let flags = StackUrls {
            prometheus: Some("http://flag:9090/".into()),
            ..StackUrls::default()
        };
        let found = resolve(Backend::Prometheus, sources(&paths, &flags, &env)).unwrap();
        assert_eq!(found.url, "http://flag:9090");
        assert_eq!(found.source.to_string(), "from --prometheus-url");

        // The lab has no Loki: the config's is used, the lab's Prometheus still is.
        let all = resolve_all(
            sources(&paths, &none, &[]),
            &[Backend::Prometheus, Backend::Loki, Backend::Tempo],
        )
        .unwrap();
        assert_eq!(all[0].1.as_ref().unwrap().source, UrlSource::RunningLab);
        assert_eq!(all[1].1.as_ref().unwrap().url, "http://config:3100");
        assert_eq!(all[2].1, None);
    }

    #[test]
    fn nothing_anywhere_says_how_to_get_a_url() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let err = resolve(Backend::Tempo, sources(&paths, &StackUrls::default(), &[])).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(
            err.to_string(),
            "no Tempo URL: start the lab with `labtui up`, or pass --tempo-url, set \
             LABTUI_TEMPO_URL, or set `tempo` under [stack] in config.toml"
        );
    }

    #[test]
    fn a_running_lab_without_the_backend_says_so_and_how_to_get_it() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        lab_with(&paths, &[("prometheus", "http://127.0.0.1:20000")]);
        let none = StackUrls::default();

        // No record of why: the stack spec's install hint.
        let err = resolve(Backend::Loki, sources(&paths, &none, &[])).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let text = err.to_string();
        assert!(
            text.starts_with("the running lab has no Loki: download loki-linux-amd64.zip"),
            "{text}"
        );
        assert!(
            text.ends_with("; then `labtui down` and `labtui up`"),
            "{text}"
        );
        assert!(!text.contains("start the lab"), "{text}");

        // What `up` recorded when it skipped the component wins.
        let dirs = LabDirs::new(&paths);
        let mut state = LabState::load(&dirs).unwrap().unwrap();
        state.skipped = vec![
            SkippedComponent {
                name: "tempo".into(),
                reason: SkipReason::MissingBinary {
                    tried: vec!["tempo".into()],
                    install: "get tempo from the releases page".into(),
                },
            },
            SkippedComponent {
                name: "loki".into(),
                reason: SkipReason::NoUrl {
                    hint: attach::url_hint("loki"),
                },
            },
        ];
        state.save(&dirs).unwrap();
        let err = resolve(Backend::Tempo, sources(&paths, &none, &[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the running lab has no Tempo: get tempo from the releases page; then \
             `labtui down` and `labtui up`"
        );
        let err = resolve(Backend::Loki, sources(&paths, &none, &[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the running lab has no Loki: pass --loki-url, set LABTUI_LOKI_URL, or set \
             `loki` under [stack] in config.toml"
        );

        // Another source still answers for it.
        let env = [("LABTUI_LOKI_URL", "http://env:3100")];
        let found = resolve(Backend::Loki, sources(&paths, &none, &env)).unwrap();
        assert_eq!(found.url, "http://env:3100");

        // A state with nothing in it is no running lab.
        LabState::empty(RuntimeKind::Native, Profile::Core)
            .save(&dirs)
            .unwrap();
        let err = resolve(Backend::Loki, sources(&paths, &none, &[])).unwrap_err();
        assert!(matches!(err, EndpointError::Missing { .. }), "{err}");
    }

    #[test]
    fn bad_urls_name_where_they_came_from() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let flags = StackUrls {
            alertmanager: Some("localhost:9093".into()),
            ..StackUrls::default()
        };
        let err = resolve(Backend::Alertmanager, sources(&paths, &flags, &[])).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(
            err.to_string()
                .starts_with("--alertmanager-url: \"localhost:9093\" is not an http")
        );
        let err = resolve(
            Backend::Loki,
            sources(
                &paths,
                &StackUrls::default(),
                &[("LABTUI_LOKI_URL", "ftp://x")],
            ),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("LABTUI_LOKI_URL: "), "{err}");
        std::fs::write(paths.config_file(), "[stack]\ntempo = 3\n").unwrap();
        let err = resolve(Backend::Tempo, sources(&paths, &StackUrls::default(), &[])).unwrap_err();
        assert!(matches!(err, EndpointError::Config(_)), "{err}");
    }

    #[test]
    fn the_config_is_not_read_when_an_earlier_source_answers() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let flags = StackUrls {
            prometheus: Some("http://flag:1".into()),
            ..StackUrls::default()
        };
        let found = resolve(
            Backend::Prometheus,
            Sources {
                paths: &paths,
                flags: &flags,
                env: |_: &str| None,
                config: || -> Result<StackUrls, ConfigError> { panic!("config read") },
            },
        )
        .unwrap();
        assert_eq!(found.url, "http://flag:1");
    }
}
