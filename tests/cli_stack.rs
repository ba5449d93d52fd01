//! `labtui up / status / doctor / down` as a learner runs them: the real binary, its own
//! LABTUI_HOME, a free port range, and the real Prometheus and Alertmanager. A guard runs
//! `labtui down` and kills every recorded pid when a test ends, even when it fails.

#[path = "support/tools.rs"]
mod tools;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use labtui::lab::paths::Paths;
use labtui::lab::stack::{LabDirs, PidFile, ports, proc};
use serde_json::Value;

/// One LABTUI_HOME with a PATH holding only Prometheus and Alertmanager (so Loki and Tempo
/// are missing even where they are installed). Dropping it stops whatever it started.
struct Home {
    _dir: tempfile::TempDir,
    home: PathBuf,
    bin: PathBuf,
}

impl Home {
    fn new() -> Option<Self> {
        let (dir, bin, home) = tools::stack_home()?;
        Some(Self {
            _dir: dir,
            home,
            bin,
        })
    }

    fn dirs(&self) -> LabDirs {
        LabDirs::new(&Paths::under(&self.home))
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_labtui"));
        cmd.args(args)
            .env("LABTUI_HOME", &self.home)
            .env("PATH", &self.bin)
            .env("NO_COLOR", "1");
        for component in ["PROMETHEUS", "ALERTMANAGER", "LOKI", "TEMPO"] {
            cmd.env_remove(format!("LABTUI_{component}_URL"));
        }
        cmd.output().expect("run labtui")
    }

    fn status_json(&self) -> Vec<Value> {
        let out = self.run(&["status", "--json"]);
        assert!(out.status.success(), "{}", text(&out));
        match serde_json::from_slice(&out.stdout).expect("status --json is JSON") {
            Value::Array(rows) => rows,
            other => panic!("not an array: {other}"),
        }
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let recorded = PidFile::read_all(&self.dirs());
        let _ = self.run(&["down"]);
        for pf in recorded {
            if proc::is_ours(pf.pid, &pf.binary, pf.start_ticks) {
                let _ = proc::signal_group(pf.pid, libc::SIGKILL);
            }
        }
    }
}

/// stdout and stderr together, for assertion messages.
fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn row<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["component"] == name)
        .unwrap_or_else(|| panic!("no row for {name}: {rows:?}"))
}

/// Lines of one doctor group (from its title to the next unindented line).
fn group<'a>(report: &'a str, title: &str) -> Vec<&'a str> {
    report
        .lines()
        .skip_while(|l| *l != title)
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .collect()
}

/// Wait (bounded) until `pid` has exited; a zombie nobody reaps counts as exited.
fn wait_exited(pid: u32, start_ticks: Option<u64>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !proc::is_gone(pid, start_ticks) {
        assert!(
            Instant::now() < deadline,
            "pid {pid} still runs after SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn up_status_doctor_attach_kill_and_down_with_real_binaries() {
    let Some(lab) = Home::new() else { return };
    let base = tools::free_port_base(200, 100);
    let base_arg = base.to_string();

    let up = lab.run(&["up", "--runtime", "native", "--port-base", &base_arg]);
    let out = stdout(&up);
    assert!(up.status.success(), "{}", text(&up));
    assert!(
        out.starts_with("runtime native: chosen with --runtime native\n"),
        "{out}"
    );
    // Names are padded to the longest planned one (`shop-fulfillment`, 16 characters).
    for name in [
        "alertmanager",
        "prometheus",
        "shop-storefront",
        "shop-fulfillment",
    ] {
        assert!(
            out.contains(&format!("  {name:<16}  starting (log: ")),
            "{out}"
        );
        assert!(out.contains(&format!("  {name:<16}  ready in ")), "{out}");
    }
    assert!(out.contains("  loki              skipped: not installed (looked for loki); download loki-linux-amd64.zip from https://github.com/grafana/loki/releases"), "{out}");
    assert!(out.contains("  tempo             skipped: not installed (looked for tempo); download tempo_2.7.2_linux_amd64.tar.gz from https://github.com/grafana/tempo/releases"), "{out}");
    assert!(
        out.contains("Lab ready: 8 of 10 components running (native runtime, core profile)."),
        "{out}"
    );
    assert!(out.contains("Skipped 2 components: loki, tempo."), "{out}");
    assert!(
        out.contains(&format!("  prometheus        http://127.0.0.1:{base}\n")),
        "{out}"
    );

    let rows = lab.status_json();
    let mut pids = Vec::new();
    for name in ["prometheus", "alertmanager"] {
        let r = row(&rows, name);
        assert_eq!(r["state"], "ready", "{r}");
        assert!(r["version"].as_str().is_some_and(|v| !v.is_empty()), "{r}");
        assert!(r["memory_bytes"].as_u64().is_some_and(|m| m > 0), "{r}");
        let pid = u32::try_from(r["pid"].as_u64().expect("a pid")).expect("pid fits");
        pids.push((name, pid, proc::info(pid).map(|i| i.start_ticks)));
    }
    assert_eq!(
        row(&rows, "prometheus")["url"],
        format!("http://127.0.0.1:{base}")
    );
    assert_eq!(row(&rows, "loki")["state"], "not_installed");
    assert_eq!(row(&rows, "tempo")["state"], "not_installed");
    let prom_version = row(&rows, "prometheus")["version"].clone();

    let doctor = lab.run(&["doctor"]);
    let report = stdout(&doctor);
    assert!(doctor.status.success(), "{}", text(&doctor));
    for title in ["This machine", "Programs", "Ports"] {
        let lines = group(&report, title);
        assert!(!lines.is_empty(), "no {title} group:\n{report}");
        assert!(
            lines.iter().all(|l| !l.contains('✗')),
            "{title} failed:\n{report}"
        );
    }
    assert!(
        report.contains(&format!(
            "  ✓ port {base} (prometheus.http): in use by the lab's prometheus"
        )),
        "{report}"
    );
    let orders = base + 81;
    assert!(
        report.contains(&format!(
            "  ✓ port {orders} (shop-orders.http): in use by the lab's shop-orders"
        )),
        "{report}"
    );
    assert!(report.contains("  ✓ binary prometheus: "), "{report}");
    assert!(report.contains("  ! binary loki: not found"), "{report}");
    assert!(
        group(&report, "Running lab")
            .iter()
            .any(|l| l.starts_with("  ✓ prometheus answers")),
        "{report}"
    );

    // A second home attaches to the first lab's Prometheus; it starts and stops nothing.
    let class = Home::new().expect("tools were found a moment ago");
    let prom_url = format!("http://127.0.0.1:{base}");
    // The class's shop runs on this machine too, on ports of its own.
    let class_base = tools::free_port_base(400, 90).to_string();
    let attach = class.run(&[
        "up",
        "--runtime",
        "attach",
        "--prometheus-url",
        &prom_url,
        "--port-base",
        &class_base,
    ]);
    let out = stdout(&attach);
    assert!(attach.status.success(), "{}", text(&attach));
    assert!(
        out.starts_with("runtime attach: chosen with --runtime attach\n"),
        "{out}"
    );
    assert!(out.contains("  prometheus        ready in "), "{out}");
    assert!(out.contains("  alertmanager      skipped: no URL given; pass --alertmanager-url, set LABTUI_ALERTMANAGER_URL"), "{out}");
    assert!(out.contains("  shop-orders       ready in "), "{out}");
    assert!(out.contains("The shop's metrics: add this job"), "{out}");
    let rows = class.status_json();
    assert_eq!(row(&rows, "prometheus")["state"], "ready");
    assert_eq!(row(&rows, "prometheus")["version"], prom_version);
    assert_eq!(row(&rows, "prometheus")["pid"], Value::Null);
    let plain = stdout(&class.run(&["status"]));
    assert!(
        plain.starts_with("lab: attach runtime, core profile"),
        "{plain}"
    );
    let down = class.run(&["down"]);
    assert!(down.status.success(), "{}", text(&down));
    assert!(
        stdout(&down).contains("labtui stopped nothing there"),
        "{}",
        text(&down)
    );
    assert!(
        stdout(&down).contains("shop-orders"),
        "down stops the class's shop: {}",
        text(&down)
    );
    let (_, prom_pid, prom_ticks) = pids[0];
    assert!(
        !proc::is_gone(prom_pid, prom_ticks),
        "attach's down must not stop the stack"
    );
    assert_eq!(row(&lab.status_json(), "prometheus")["state"], "ready");

    // Killed from outside: the very next status says so (nothing is cached).
    // SAFETY: kill() has no memory-safety preconditions; the pid is the lab's Prometheus.
    assert_eq!(
        unsafe { libc::kill(prom_pid as libc::pid_t, libc::SIGKILL) },
        0
    );
    wait_exited(prom_pid, prom_ticks);
    let rows = lab.status_json();
    let prom = row(&rows, "prometheus");
    assert_eq!(prom["state"], "down", "{prom}");
    assert_eq!(prom["pid"], Value::Null);
    assert!(
        prom["detail"]
            .as_str()
            .is_some_and(|d| d.contains("not running")),
        "{prom}"
    );
    assert_eq!(row(&rows, "alertmanager")["state"], "ready");
    let plain = stdout(&lab.run(&["status"]));
    assert!(plain.contains("\nprometheus        down "), "{plain}");

    let down = lab.run(&["down"]);
    let out = stdout(&down);
    assert!(down.status.success(), "{}", text(&down));
    let stopped = out
        .lines()
        .find(|l| l.starts_with("Stopped: "))
        .unwrap_or_default();
    assert!(stopped.contains("alertmanager"), "{out}");
    assert!(
        stopped.contains("shop-storefront"),
        "the shop stops with the lab: {out}"
    );
    assert!(
        out.contains("Already gone (exited or killed earlier): prometheus."),
        "{out}"
    );
    for (name, pid, ticks) in &pids {
        assert!(
            proc::is_gone(*pid, *ticks),
            "{name} (pid {pid}) still runs after down"
        );
    }
    assert!(PidFile::read_all(&lab.dirs()).is_empty());
    assert!(stdout(&lab.run(&["status"])).starts_with("lab: not started"));
}

#[test]
fn a_busy_port_stops_up_before_anything_starts_and_names_the_holder() {
    let Some(lab) = Home::new() else { return };
    let base = tools::free_port_base(200, 100);
    let holder = std::net::TcpListener::bind(("127.0.0.1", base)).expect("hold the port");
    let up = lab.run(&[
        "up",
        "--runtime",
        "native",
        "--port-base",
        &base.to_string(),
    ]);
    assert_eq!(up.status.code(), Some(1), "{}", text(&up));
    let err = String::from_utf8_lossy(&up.stderr);
    assert!(
        err.contains(&format!(
            "port {base} (prometheus) is held by pid {}",
            std::process::id()
        )),
        "{err}"
    );
    assert!(err.contains("--port-base"), "{err}");
    assert!(
        PidFile::read_all(&lab.dirs()).is_empty(),
        "nothing was started"
    );
    drop(holder);
}

/// A home with no tools needed: only commands that start nothing.
fn bare(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labtui"));
    cmd.args(args).env("LABTUI_HOME", home).env("NO_COLOR", "1");
    for component in ["PROMETHEUS", "ALERTMANAGER", "LOKI", "TEMPO"] {
        cmd.env_remove(format!("LABTUI_{component}_URL"));
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run labtui")
}

#[test]
fn without_a_lab_status_and_down_say_so() {
    let home = tempfile::tempdir().expect("home");
    let status = bare(home.path(), &["status"], &[]);
    assert!(status.status.success());
    assert_eq!(
        stdout(&status),
        "lab: not started\nStart it with `labtui up` (`labtui doctor` first checks that this machine can run it).\n"
    );
    assert_eq!(
        stdout(&bare(home.path(), &["status", "--json"], &[])).trim(),
        "[]"
    );
    let down = bare(home.path(), &["down"], &[]);
    assert!(down.status.success(), "{}", text(&down));
    assert_eq!(stdout(&down), "No lab was running; nothing to stop.\n");
}

#[test]
fn attach_rejects_bad_and_unreachable_urls_clearly() {
    let home = tempfile::tempdir().expect("home");
    let bad = bare(
        home.path(),
        &["up", "--prometheus-url", "localhost:9090"],
        &[],
    );
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--prometheus-url: \"localhost:9090\" is not an http:// or https:// URL; write it like \"http://127.0.0.1:9090\""), "{err}");

    let env_bad = bare(
        home.path(),
        &["up", "--runtime", "attach"],
        &[("LABTUI_LOKI_URL", "http://:1")],
    );
    assert!(
        String::from_utf8_lossy(&env_bad.stderr)
            .contains("LABTUI_LOKI_URL: \"http://:1\" has no host"),
        "{}",
        text(&env_bad)
    );

    let port = ports::free_ports(1).expect("a free port")[0];
    let url = format!("http://127.0.0.1:{port}");
    let gone = bare(
        home.path(),
        &["up", "--runtime", "attach"],
        &[("LABTUI_PROMETHEUS_URL", &url)],
    );
    assert_eq!(gone.status.code(), Some(1), "{}", text(&gone));
    let out = stdout(&gone);
    assert!(
        !out.contains("shop-"),
        "nothing starts beside a stack that does not answer: {out}"
    );
    assert!(out.contains(&format!("  prometheus        failed: {url}/-/ready did not answer (connection refused); check the URL (pass --prometheus-url")), "{out}");
    assert!(out.contains("Lab not fully up: prometheus failed"), "{out}");

    let mixed = bare(
        home.path(),
        &["up", "--runtime", "native", "--prometheus-url", &url],
        &[],
    );
    assert_eq!(mixed.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&mixed.stderr).contains("use them with `--runtime attach`"),
        "{}",
        text(&mixed)
    );

    let empty = tempfile::tempdir().expect("home");
    let none = bare(empty.path(), &["up", "--runtime", "attach"], &[]);
    assert!(
        String::from_utf8_lossy(&none.stderr)
            .contains("attach needs the URL of at least one component"),
        "{}",
        text(&none)
    );
}
