//! Plain-text shapes of the lab commands' output: progress lines, the `up` summary, the
//! status table and JSON, doctor's grouped checks. Pure functions, so tests read them.

use std::time::Duration;

use crate::lab::stack::{
    Check, CheckStatus, ComponentState, ComponentStatus, DownReport, LabState, Outcome,
    RuntimeKind, UpEvent, UpReport,
};

/// How wide the component column is, so progress lines and tables line up.
pub fn name_width<'a>(names: impl IntoIterator<Item = &'a String>) -> usize {
    names.into_iter().map(String::len).max().unwrap_or(0).max(9)
}

/// `1.2s`, `42s`, `5m 03s`, `2h 05m`, `3d 4h`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..10 => format!("{:.1}s", d.as_secs_f64()),
        10..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}

/// `812 KiB`, `96 MiB`, `1.2 GiB`.
pub fn bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = KIB * 1024;
    const GIB: u64 = MIB * 1024;
    match n {
        0..MIB => format!("{} KiB", n / KIB),
        MIB..GIB => format!("{} MiB", n / MIB),
        _ => format!("{:.1} GiB", n as f64 / GIB as f64),
    }
}

/// Indent every line after the first, so a multi-line reason (a log tail) stays readable.
fn indent_rest(text: &str, pad: usize) -> String {
    let pad = " ".repeat(pad);
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The line `labtui up` prints for one progress event.
pub fn event_line(event: &UpEvent, width: usize, runtime: RuntimeKind) -> String {
    let row =
        |name: &str, what: String| format!("  {name:<width$}  {}", indent_rest(&what, width + 4));
    match event {
        UpEvent::Planned { components } if runtime == RuntimeKind::Attach => format!(
            "Checking {}: {}",
            count(components.len(), "component"),
            components.join(", ")
        ),
        UpEvent::Planned { components } => format!("Components: {}", components.join(", ")),
        UpEvent::Skipped { component, reason } => row(component, format!("skipped: {reason}")),
        UpEvent::AlreadyRunning { component, url } => {
            row(component, format!("already running at {url}, kept"))
        }
        UpEvent::Starting { component, log, .. } => row(
            component,
            match log {
                Some(log) => format!("starting (log: {})", log.display()),
                None => "starting".to_string(),
            },
        ),
        UpEvent::WaitingReady { component, url } => row(component, format!("waiting for {url}")),
        UpEvent::Building {
            component,
            image,
            from,
        } => row(
            component,
            format!("building image {image} from {}", from.display()),
        ),
        UpEvent::Ready {
            component, took, ..
        } => row(component, format!("ready in {}", duration(*took))),
        UpEvent::Failed { component, reason } => row(component, format!("failed: {reason}")),
        UpEvent::Pulling {
            component,
            image,
            layer,
            status,
            current,
            total,
        } => {
            let layer = layer.as_deref().map_or(String::new(), |l| format!(" {l}"));
            let bar = match (current, total) {
                (Some(c), Some(t)) if *t > 0 => {
                    format!(" {} {}/{}", bar(*c, *t), bytes(*c), bytes(*t))
                }
                _ => String::new(),
            };
            row(component, format!("pulling {image}{layer}: {status}{bar}"))
        }
    }
}

/// `[#####-----]` for `done` of `total`.
fn bar(done: u64, total: u64) -> String {
    let filled = (done.min(total) * 10 / total.max(1)) as usize;
    format!("[{}{}]", "#".repeat(filled), "-".repeat(10 - filled))
}

/// Decides which pull events `up` prints: every change of a layer's status, and its
/// download progress in quarter steps — not the dozens of updates a second the engine sends.
#[derive(Debug, Default)]
pub struct PullProgress {
    seen: std::collections::BTreeMap<(String, String), (String, u64)>,
}

impl PullProgress {
    pub fn worth_printing(&mut self, event: &UpEvent) -> bool {
        let UpEvent::Pulling {
            component,
            layer,
            status,
            current,
            total,
            ..
        } = event
        else {
            return true;
        };
        let quarter = match (current, total) {
            (Some(c), Some(t)) if *t > 0 => c.min(t) * 4 / t,
            _ => 0,
        };
        let key = (component.clone(), layer.clone().unwrap_or_default());
        let now = (status.clone(), quarter);
        if self.seen.get(&key) == Some(&now) {
            return false;
        }
        self.seen.insert(key, now);
        true
    }
}

/// `1 component`, `3 components`.
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The end of `labtui up`: what runs where, what was skipped or failed, what to do next.
/// The bool is whether the lab counts as up (every started component ready, at least one).
pub fn up_summary(report: &UpReport, width: usize) -> (Vec<String>, bool) {
    let state = &report.state;
    let name_list = |f: fn(&Outcome) -> bool| -> Vec<&str> {
        report
            .outcomes
            .iter()
            .filter(|(_, o)| f(o))
            .map(|(n, _)| n.as_str())
            .collect()
    };
    let running = name_list(|o| matches!(o, Outcome::Ready { .. } | Outcome::AlreadyRunning));
    let skipped = name_list(|o| matches!(o, Outcome::Skipped(_)));
    let failed = name_list(|o| matches!(o, Outcome::Failed(_)));
    let mut lines = vec![String::new()];
    let ok = failed.is_empty() && !running.is_empty();
    let what = format!("{} runtime, {} profile", state.runtime, state.profile);
    if ok {
        lines.push(format!(
            "Lab ready: {} of {} running ({what}).",
            running.len(),
            count(report.outcomes.len(), "component")
        ));
    } else if running.is_empty() && failed.is_empty() {
        lines.push(format!(
            "Nothing is running: every component was skipped ({what}). Install at least Prometheus (see the lines above), or try another runtime."
        ));
    } else {
        lines.push(format!(
            "Lab not fully up: {} failed ({what}). The reasons are above; `labtui status` shows the lab and `labtui doctor` checks this machine.",
            failed.join(", ")
        ));
    }
    if !skipped.is_empty() {
        lines.push(format!(
            "Skipped {}: {}. That is fine: lessons that need them say so.",
            count(skipped.len(), "component"),
            skipped.join(", ")
        ));
    }
    for name in &running {
        if let Some(url) = state.url(name) {
            lines.push(format!("  {name:<width$}  {url}"));
        }
    }
    if !running.is_empty() {
        let down = if state.runtime == RuntimeKind::Attach {
            "`labtui down` stops the shop and forgets the stack (which keeps running)"
        } else {
            "`labtui down` stops it"
        };
        lines.push(format!(
            "Next: `labtui` opens the console, `labtui status` shows the lab, {down}."
        ));
    }
    (lines, ok)
}

/// What `labtui down` did, in sentences.
pub fn down_lines(
    runtime: RuntimeKind,
    report: &DownReport,
    state: Option<&LabState>,
) -> Vec<String> {
    let mut lines = Vec::new();
    if runtime == RuntimeKind::Attach {
        let urls: Vec<String> = state
            .map(|s| {
                s.components
                    .iter()
                    .filter(|c| !c.is_local_process())
                    .map(|c| format!("{} at {}", c.name, c.url))
                    .collect()
            })
            .unwrap_or_default();
        lines.push(format!(
            "Forgot the attached stack ({}); labtui stopped nothing there, it keeps running.",
            urls.join(", ")
        ));
    }
    if !report.stopped.is_empty() {
        lines.push(format!("Stopped: {}.", report.stopped.join(", ")));
    }
    if !report.killed.is_empty() {
        lines.push(format!(
            "Killed (did not stop within 5 seconds of SIGTERM): {}.",
            report.killed.join(", ")
        ));
    }
    if !report.already_gone.is_empty() {
        lines.push(format!(
            "Already gone (exited or killed earlier): {}.",
            report.already_gone.join(", ")
        ));
    }
    for (name, pid) in &report.not_ours {
        lines.push(format!(
            "Left alone: {name}'s recorded pid {pid} now belongs to another program."
        ));
    }
    for file in &report.removed {
        lines.push(format!("Removed {}", file.display()));
    }
    if lines.is_empty() {
        lines.push("No lab was running; nothing to stop.".to_string());
    }
    lines
}

/// The status table: one row per component, then the details of rows that have one.
pub fn status_table(rows: &[ComponentStatus]) -> Vec<String> {
    let width = name_width(rows.iter().map(|r| &r.name));
    let dash = || "-".to_string();
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.state.as_str().to_string(),
                r.version.clone().unwrap_or_else(dash),
                r.uptime.map(duration).unwrap_or_else(dash),
                r.rss_bytes.map(bytes).unwrap_or_else(dash),
                r.url.clone().unwrap_or_else(dash),
            ]
        })
        .collect();
    let col = |i: usize, title: &str| {
        cells
            .iter()
            .map(|c| c[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(title.len())
    };
    let w: Vec<usize> = ["STATE", "VERSION", "UPTIME", "MEMORY"]
        .iter()
        .enumerate()
        .map(|(i, t)| col(i, t))
        .collect();
    let mut lines = vec![format!(
        "{:<width$}  {:<s$}  {:<v$}  {:>u$}  {:>m$}  URL",
        "COMPONENT",
        "STATE",
        "VERSION",
        "UPTIME",
        "MEMORY",
        s = w[0],
        v = w[1],
        u = w[2],
        m = w[3]
    )];
    for (r, c) in rows.iter().zip(&cells) {
        lines.push(format!(
            "{:<width$}  {:<s$}  {:<v$}  {:>u$}  {:>m$}  {}",
            r.name,
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            s = w[0],
            v = w[1],
            u = w[2],
            m = w[3]
        ));
    }
    let details: Vec<String> = rows
        .iter()
        .filter(|r| r.state != ComponentState::Ready)
        .filter_map(|r| {
            r.detail
                .as_ref()
                .map(|d| format!("  {}: {}", r.name, indent_rest(d, 4)))
        })
        .collect();
    if !details.is_empty() {
        lines.push(String::new());
        lines.extend(details);
    }
    lines
}

/// `status --json`: the table's fields, machine-readable (seconds and bytes as numbers).
pub fn status_json(rows: &[ComponentStatus]) -> serde_json::Value {
    serde_json::Value::Array(
        rows.iter()
            .map(|r| {
                serde_json::json!({
                    "component": r.name,
                    "state": r.state,
                    "version": r.version,
                    "url": r.url,
                    "uptime_secs": r.uptime.map(|u| u.as_secs()),
                    "memory_bytes": r.rss_bytes,
                    "pid": r.pid,
                    "detail": r.detail,
                })
            })
            .collect(),
    )
}

/// Doctor's groups, in the order they print.
pub const GROUPS: [&str; 5] = [
    "This machine",
    "Programs",
    "Ports",
    "Stack URLs",
    "Running lab",
];

/// Which group a check belongs to, from its name (`binary loki`, `port 9090 (...)`).
pub fn group_of(check: &Check) -> &'static str {
    let first = check.name.split_whitespace().next().unwrap_or_default();
    match first {
        "runtime" | "disk" | "http" | "docker" | "engine" => GROUPS[0],
        "binary" | "image" => GROUPS[1],
        "port" => GROUPS[2],
        "url" => GROUPS[3],
        _ => GROUPS[4],
    }
}

fn mark(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Ok => "✓",
        CheckStatus::Warn => "!",
        CheckStatus::Fail => "✗",
    }
}

/// Doctor's report: checks grouped, a mark each, the fix under every warning and failure,
/// and a closing count; with no lab running, a line saying so. The bool is whether nothing
/// failed.
pub fn doctor_lines(checks: &[Check], lab_running: bool) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    for group in GROUPS {
        let members: Vec<&Check> = checks.iter().filter(|c| group_of(c) == group).collect();
        if group == "Running lab" && !lab_running {
            lines.push(group.to_string());
            lines.push(
                "  (no lab is running: `labtui up` starts one; run doctor again then to check it)"
                    .to_string(),
            );
        }
        if members.is_empty() {
            continue;
        }
        lines.push(group.to_string());
        for c in members {
            lines.push(format!(
                "  {} {}: {}",
                mark(c.status),
                c.name,
                indent_rest(&c.detail, 6)
            ));
            if let Some(fix) = c.fix.as_deref().filter(|f| !f.is_empty())
                && c.status != CheckStatus::Ok
            {
                lines.push(format!("      fix: {}", indent_rest(fix, 11)));
            }
        }
    }
    let n = |s: CheckStatus| checks.iter().filter(|c| c.status == s).count();
    let failed = n(CheckStatus::Fail);
    lines.push(format!(
        "doctor: {} ok, {}, {}",
        n(CheckStatus::Ok),
        count(n(CheckStatus::Warn), "warning"),
        count(failed, "failure")
    ));
    (lines, failed == 0)
}

#[cfg(test)]
mod tests;
