//! The port and disk checks every runtime's `labtui doctor` shares.

use std::path::Path;

use super::plan::Plan;
use super::ports::PortHolder;
use super::types::Check;
use super::{ports, proc};

const MIB: u64 = 1024 * 1024;

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
