//! `labtui doctor` for the native runtime: binaries, ports, disk, then a running lab's health.

use std::path::Path;

use super::NativeRuntime;
use crate::lab::stack::doctor::{disk_check, port_checks};
use crate::lab::stack::state::{LabState, SkipReason};
use crate::lab::stack::types::Check;
use crate::lab::stack::{Plan, verify};

/// Preflight checks for running `plan` natively, then [`verify::deployment`] if a lab is up.
pub(super) async fn doctor(
    rt: &NativeRuntime,
    plan: &Plan,
    state: Option<&LabState>,
) -> Vec<Check> {
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
