//! The native runtime: the lab's components as local processes of installed binaries.
//!
//! Each component is spawned detached in its own process group (so Ctrl-C in the
//! terminal and the exit of `labtui up` leave it running), with stdout and stderr in
//! {data_dir}/lab/logs/<component>.log, its rendered configs in {data_dir}/lab/<component>/
//! and a pid file in {data_dir}/lab/run/. `GOMEMLIMIT` is set from the spec's memory_mb
//! (every component is a Go program), a soft limit that makes the runtime collect harder.

mod control;
mod doctor;
mod launch;
mod shop;
mod up;

pub(crate) use up::alive;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;

use super::spec::Component;
use super::state::{LabDirs, SkipReason};
use super::types::Outcome;
use super::{
    Check, ComponentStatus, ControlAction, DownReport, LabState, Plan, Runtime, RuntimeKind,
    StackError, StackSpec, UpEvent, UpReport,
};
use crate::lab::shop::ShopLaunch;
use crate::lab::shop::launch::LabTelemetry;

/// Settings of the native runtime beyond the spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NativeOptions {
    /// Binary per component, instead of searching PATH (`loki` -> /opt/loki/loki).
    pub binaries: BTreeMap<String, PathBuf>,
    /// The search path for binaries; the process's PATH when None.
    pub search_path: Option<OsString>,
}

/// Runs the lab as local processes under `dirs`.
#[derive(Debug, Clone)]
pub struct NativeRuntime {
    dirs: LabDirs,
    options: NativeOptions,
    shop: Option<ShopLaunch>,
}

/// A binary found for a component: the file, words to put before the spec's args, and
/// the install root (Grafana's homepath).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedBinary {
    pub path: PathBuf,
    pub pre_args: Vec<String>,
    pub home: PathBuf,
}

impl NativeRuntime {
    /// The shop starts after the stack when this process is the labtui binary (see
    /// [`ShopLaunch::detect`]); [`Self::with_shop`] chooses explicitly.
    pub fn new(dirs: LabDirs, options: NativeOptions) -> Self {
        Self {
            dirs,
            options,
            shop: ShopLaunch::detect(),
        }
    }

    /// Start the shop with `shop` after the stack, or not at all with None.
    pub fn with_shop(mut self, shop: Option<ShopLaunch>) -> Self {
        self.shop = shop;
        self
    }

    pub fn shop(&self) -> Option<&ShopLaunch> {
        self.shop.as_ref()
    }

    pub fn dirs(&self) -> &LabDirs {
        &self.dirs
    }

    /// Start the shop's processes beside a stack labtui does not run (attach), with their
    /// spans and logs sent to `telemetry`. Records them in `state` like natively.
    pub(crate) async fn start_shop(
        &self,
        plan: &Plan,
        state: &mut LabState,
        events: &mpsc::Sender<UpEvent>,
        telemetry: LabTelemetry,
    ) -> Result<Vec<(String, Outcome)>, StackError> {
        shop::start(self, plan, state, events, telemetry).await
    }

    /// Find `component`'s binary: the configured path, else the first of its binary names
    /// on the search path. The error says what was tried and how to install it.
    pub fn resolve(&self, component: &Component) -> Result<ResolvedBinary, SkipReason> {
        let missing = |tried: Vec<String>| SkipReason::MissingBinary {
            tried,
            install: component.install.clone(),
        };
        if let Some(path) = self.options.binaries.get(&component.name) {
            if !is_executable(path) {
                return Err(missing(vec![path.display().to_string()]));
            }
            let file_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let pre_args = component
                .binaries
                .iter()
                .find(|b| b.program == file_name)
                .map(|b| b.pre_args.clone())
                .unwrap_or_default();
            return Ok(ResolvedBinary {
                home: install_home(path, &component.name),
                path: path.clone(),
                pre_args,
            });
        }
        let search = self
            .options
            .search_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        for choice in &component.binaries {
            for dir in std::env::split_paths(&search) {
                let candidate = dir.join(&choice.program);
                if is_executable(&candidate) {
                    return Ok(ResolvedBinary {
                        home: install_home(&candidate, &component.name),
                        path: candidate,
                        pre_args: choice.pre_args.clone(),
                    });
                }
            }
        }
        Err(missing(component.binary_names()))
    }
}

/// Delete every component's data directory (time series, chunks, blocks, WAL) under
/// `dirs`, for `labtui down --volumes`; rendered configs and logs stay. Returns what was
/// deleted. Call it only once the lab is stopped.
pub fn remove_data(dirs: &LabDirs, spec: &StackSpec) -> Result<Vec<PathBuf>, StackError> {
    let mut removed = Vec::new();
    for component in spec.all() {
        let dir = dirs.data_dir(&component.name);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => removed.push(dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StackError::io("could not delete", dir, e)),
        }
    }
    Ok(removed)
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The directory a binary was installed into: `<root>/bin/grafana` -> `<root>`; for
/// system packages (`/usr/sbin/grafana-server`) the data lives in /usr/share/<component>.
fn install_home(binary: &Path, component: &str) -> PathBuf {
    let real = std::fs::canonicalize(binary).unwrap_or_else(|_| binary.to_path_buf());
    let dir = real.parent().unwrap_or_else(|| Path::new("/"));
    let is_bin = dir.file_name().is_some_and(|n| n == "bin" || n == "sbin");
    let root = if is_bin {
        dir.parent().unwrap_or(dir)
    } else {
        dir
    };
    if root == Path::new("/usr") || root == Path::new("/") || root == Path::new("/usr/local") {
        return root.join("share").join(component);
    }
    root.to_path_buf()
}

impl Runtime for NativeRuntime {
    fn kind(&self) -> RuntimeKind {
        RuntimeKind::Native
    }

    fn up<'a>(
        &'a self,
        plan: &'a Plan,
        events: mpsc::Sender<UpEvent>,
    ) -> BoxFuture<'a, Result<UpReport, StackError>> {
        up::up(self, plan, events).boxed()
    }

    fn down<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Result<DownReport, StackError>> {
        control::down(self, state).boxed()
    }

    fn status<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Vec<ComponentStatus>> {
        control::status(state).boxed()
    }

    fn control<'a>(
        &'a self,
        state: &'a LabState,
        component: &'a str,
        action: ControlAction,
    ) -> BoxFuture<'a, Result<LabState, StackError>> {
        control::control(self, state, component, action).boxed()
    }

    fn logs<'a>(
        &'a self,
        _state: &'a LabState,
        component: &'a str,
        tail: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, StackError>> {
        let path = self.dirs.log_file(component);
        async move { tail_file(&path, tail).await }.boxed()
    }

    fn doctor<'a>(
        &'a self,
        plan: &'a Plan,
        state: Option<&'a LabState>,
    ) -> BoxFuture<'a, Vec<Check>> {
        doctor::doctor(self, plan, state).boxed()
    }
}

/// The last `n` lines of the log file at `path`.
pub(crate) async fn tail_file(path: &Path, n: usize) -> Result<Vec<String>, StackError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|source| StackError::io("could not read the log", path, source))?;
    Ok(tail_lines(&bytes, n))
}

/// The last `n` lines of a log, decoded leniently (components may write any bytes).
fn tail_lines(bytes: &[u8], n: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| (*l).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_last_lines_and_survives_bad_bytes() {
        assert_eq!(tail_lines(b"a\nb\nc\n", 2), ["b", "c"]);
        assert_eq!(tail_lines(b"a\n", 5), ["a"]);
        assert_eq!(tail_lines(b"ok \xff\n", 1), ["ok \u{fffd}"]);
        assert!(tail_lines(b"", 3).is_empty());
    }

    #[test]
    fn install_home_of_release_tarballs_and_system_packages() {
        assert_eq!(
            install_home(Path::new("/opt/grafana-11/bin/grafana"), "grafana"),
            PathBuf::from("/opt/grafana-11")
        );
        assert_eq!(
            install_home(Path::new("/usr/sbin/grafana-server"), "grafana"),
            PathBuf::from("/usr/share/grafana")
        );
        assert_eq!(
            install_home(Path::new("/opt/loki/loki"), "loki"),
            PathBuf::from("/opt/loki")
        );
    }
}
