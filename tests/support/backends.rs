//! Real Prometheus and Alertmanager processes for the client and `labtui query` tests:
//! each on a free port with its own temp dir, killed when dropped (even when the test
//! fails), so tests run in parallel without sharing state.

#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use labtui::lab::stack::ports;

#[path = "tools.rs"]
mod tools;

/// Rules the test Prometheus evaluates every second: an alert that always fires and a
/// recording rule.
pub const RULES: &str = "groups:
  - name: test-alerts
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels:
          severity: none
        annotations:
          summary: fires from the first evaluation
      - alert: NeverFiring
        expr: up == 2
        for: 5m
      - record: job:up:sum
        expr: sum by (job) (up)
";

/// A backend process and its base URL.
pub struct Server {
    child: Child,
    pub url: String,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Prometheus scraping itself every second with [`RULES`], or None (the test skips)
/// when it is not installed.
pub fn prometheus() -> Option<Server> {
    let binary = tools::installed(&["prometheus"])?;
    Some(start("Prometheus", |dir, port| {
        std::fs::write(dir.join("rules.yml"), RULES).expect("rules");
        std::fs::write(
            dir.join("prometheus.yml"),
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
                 rule_files: [\"{}\"]\n\
                 scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      \
                 - targets: [\"127.0.0.1:{port}\"]\n",
                dir.join("rules.yml").display()
            ),
        )
        .expect("config");
        let mut cmd = Command::new(&binary);
        cmd.arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"));
        cmd
    }))
}

/// An Alertmanager with one receiver and clustering off, or None when not installed.
pub fn alertmanager() -> Option<Server> {
    let binary = tools::installed(&["alertmanager", "prometheus-alertmanager"])?;
    Some(start("Alertmanager", |dir, port| {
        std::fs::write(
            dir.join("alertmanager.yml"),
            "route:\n  receiver: \"null\"\n  group_by: [alertname]\n\
             receivers:\n  - name: \"null\"\n",
        )
        .expect("config");
        let mut cmd = Command::new(&binary);
        cmd.arg(format!(
            "--config.file={}",
            dir.join("alertmanager.yml").display()
        ))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=");
        cmd
    }))
}

/// Start on a free port and wait until `/-/ready` answers 200; another port if the first
/// was taken in the meantime.
fn start(what: &str, command: impl Fn(&Path, u16) -> Command) -> Server {
    let mut last_log = String::new();
    for _ in 0..3 {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = ports::free_ports(1).expect("a free port")[0];
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log");
        let child = command(dir.path(), port)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        let mut server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = server.child.try_wait() {
                break;
            }
            if http_status(port, "/-/ready") == Some(200) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        last_log = server.log();
    }
    panic!("{what} did not become ready:\n{last_log}");
}

/// The status code of a GET on loopback, or None when nothing answers.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A port nothing listens on (for "cannot be reached").
pub fn closed_port() -> u16 {
    ports::free_ports(1).expect("a free port")[0]
}

/// Poll `check` until it gives a value, failing after `within` with `what`.
pub fn wait_for<T>(what: &str, within: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
