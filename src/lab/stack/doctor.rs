//! `labtui doctor` for the native runtime (binaries, ports, disk, then a running lab's health)
//! and the port and disk checks the Docker runtime's doctor shares.

use std::path::Path;

use super::native::NativeRuntime;
use super::plan::Plan;
use super::ports::PortHolder;
use super::state::LabState;
use super::types::{Check, SkipReason};
use super::{ports, proc, verify};

const MIB: u64 = 1024 * 1024;

/// Preflight checks for running `plan` natively, then [`verify::deployment`] if a lab is up.
pub async fn native(rt: &NativeRuntime, plan: &Plan, state: Option<&LabState>) -> Vec<Check> {
    let mut checks = Vec::new();
    let root = &rt.dirs().root;
    checks.push(match std::fs::create_dir_all(root) {
        Ok(()) if Path::new("/proc/self/stat").exists() => Check::ok(
            "runtime native",
            format!("processes run from {}", root.display()),
        ),
        Ok(()) => Check::fail(
            "runtime native",
            "/proc is not available",
            "the native runtime needs Linux with /proc; use the docker runtime",
        ),
        Err(e) => Check::fail(
            "runtime native",
            format!("cannot create {}: {e}", root.display()),
            "set LABTUI_HOME to a writable directory",
        ),
    });

    let mut installed = Vec::new();
    for component in plan.planned() {
        let name = format!("binary {}", component.name);
        match rt.resolve(component) {
            Ok(binary) => {
                checks.push(Check::ok(name, binary.path.display().to_string()));
                installed.push(component);
            }
            Err(SkipReason::MissingBinary { tried, install }) => {
                let detail = format!("not found (looked for {})", tried.join(", "));
                // Without Prometheus the lab has nothing to query; the rest degrade gracefully.
                checks.push(if component.name == "prometheus" {
                    Check::fail(name, detail, install)
                } else {
                    Check::warn(name, detail, install)
                });
            }
            Err(other) => checks.push(Check::warn(name, other.to_string(), "")),
        }
    }

    let names = installed.iter().map(|c| &c.name);
    for name in names.chain(plan.shop.iter().filter(|_| rt.shop().is_some())) {
        checks.extend(port_checks(plan, name, |port, holder| {
            state.and_then(|s| s.component(name)).is_some_and(|r| {
                r.ports.values().any(|p| *p == port) && holder.is_none_or(|h| Some(h.pid) == r.pid)
            })
        }));
    }
    checks.push(disk_check(root));

    if let Some(state) = state {
        checks.extend(verify::deployment(state).await);
    }
    checks
}

/// One check per planned port of `component` (a stack component or a shop service):
/// free, held by the lab itself (`lab_holds` says so, given the port and its visible
/// holder), or held by something else.
pub(crate) fn port_checks(
    plan: &Plan,
    component: &str,
    lab_holds: impl Fn(u16, Option<&PortHolder>) -> bool,
) -> Vec<Check> {
    let mut checks = Vec::new();
    for (port_name, port) in plan.ports.get(component).into_iter().flatten() {
        let name = format!("port {port} ({component}.{port_name})");
        if ports::is_free(*port) {
            checks.push(Check::ok(name, "free"));
            continue;
        }
        let holder = ports::holder(*port);
        checks.push(match (lab_holds(*port, holder.as_ref()), holder) {
            (true, _) => Check::ok(name, format!("in use by the lab's {component}")),
            (false, Some(h)) => Check::fail(
                name,
                format!("held by pid {} ({})", h.pid, h.command),
                format!("stop pid {} or choose other ports with --port-base", h.pid),
            ),
            (false, None) => Check::fail(
                name,
                "held by another user's process",
                "find it with `sudo ss -ltnp`, or choose other ports with --port-base",
            ),
        });
    }
    checks
}

/// Free space under `path` (or its nearest existing ancestor): fail under 512 MiB, warn
/// under 2 GiB.
pub(crate) fn disk_check(path: &Path) -> Check {
    let existing = path
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    match proc::disk_free(existing) {
        Some(free) if free < 512 * MIB => Check::fail(
            "disk",
            format!("{} MiB free under {}", free / MIB, existing.display()),
            "free some space: Prometheus, Loki and Tempo need at least a few hundred MiB",
        ),
        Some(free) if free < 2048 * MIB => Check::warn(
            "disk",
            format!("{} MiB free under {}", free / MIB, existing.display()),
            "the lab keeps 3 days of data; 2 GiB or more is comfortable",
        ),
        Some(free) => Check::ok(
            "disk",
            format!("{} MiB free under {}", free / MIB, existing.display()),
        ),
        None => Check::warn(
            "disk",
            format!("could not read free space of {}", existing.display()),
            "check `df -h`",
        ),
    }
}
