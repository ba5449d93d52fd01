//! `labtui query` as a learner runs it: the real binary, its own LABTUI_HOME, a real
//! Prometheus on a free port (see support/backends.rs), and a recorded lab without Loki
//! or Tempo.

#[path = "support/backends.rs"]
mod backends;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use labtui::lab::paths::Paths;
use labtui::lab::stack::{ComponentRecord, LabDirs, LabState, Profile, RuntimeKind};

const URL_VARS: [&str; 4] = [
    "LABTUI_PROMETHEUS_URL",
    "LABTUI_ALERTMANAGER_URL",
    "LABTUI_LOKI_URL",
    "LABTUI_TEMPO_URL",
];

fn labtui(home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labtui"));
    cmd.args(args).env("LABTUI_HOME", home).env("NO_COLOR", "1");
    for var in URL_VARS {
        cmd.env_remove(var);
    }
    cmd.output().expect("run labtui")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A line's cells, however wide the columns.
fn cells(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// Record a lab whose Prometheus is at `url`, as `labtui up` would.
fn running_lab(home: &Path, url: &str) {
    let mut state = LabState::empty(RuntimeKind::Native, Profile::Core);
    state.components.push(ComponentRecord::reached_at(
        "prometheus",
        url,
        &format!("{url}/-/ready"),
    ));
    state
        .save(&LabDirs::new(&Paths::under(home)))
        .expect("state");
}

#[test]
fn promql_prints_a_table_json_csv_and_prometheus_errors() {
    let Some(prom) = backends::prometheus() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let flag = format!("--prometheus-url={}", prom.url);
    let instance = format!("127.0.0.1:{}", prom.port);

    // The table, once `up` has its first sample.
    let table = backends::wait_for("a row for up", Duration::from_secs(30), || {
        let out = labtui(home.path(), &["query", "promql", "up", &flag]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        (text != "no series\n").then_some(text)
    });
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert_eq!(cells(lines[0]), ["__name__", "instance", "job", "VALUE"]);
    assert_eq!(
        cells(lines[1]),
        ["up", instance.as_str(), "prometheus", "1"]
    );
    // Aligned: every column starts where its header does.
    assert_eq!(lines[0].find("job"), lines[1].find("prometheus"));

    // --json is the server's `data`.
    let out = labtui(home.path(), &["query", "promql", "up", "--json", &flag]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let data: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(data["resultType"], "vector");
    assert_eq!(data["result"][0]["metric"]["job"], "prometheus");
    assert_eq!(data["result"][0]["value"][1], "1");

    // --csv over a range: one row per sample.
    let out = labtui(
        home.path(),
        &[
            "query", "promql", "up", "--since", "1m", "--step", "1s", "--csv", &flag,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("series,timestamp,value"));
    let first = rows.next().expect("a sample");
    assert!(
        first.starts_with(&format!(
            "\"up{{instance=\"\"{instance}\"\", job=\"\"prometheus\"\"}}\","
        )),
        "{first}"
    );
    assert!(first.ends_with(",1"), "{first}");

    // A range as a table: one line per series.
    let out = labtui(
        home.path(),
        &["query", "promql", "up", "--since", "5m", &flag],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        cells(lines[0]),
        ["SERIES", "SAMPLES", "MIN", "MAX", "LAST", "LAST", "AT"]
    );
    assert!(lines[1].starts_with("up{instance="), "{text}");

    // A parse error: exit 1, Prometheus' words on stderr, nothing on stdout.
    let out = labtui(home.path(), &["query", "promql", "sum(rate(up[5m])", &flag]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("invalid parameter \"query\": 1:17: parse error: unclosed left parenthesis"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");

    // No flag: the running lab's Prometheus.
    running_lab(home.path(), &prom.url);
    let out = labtui(home.path(), &["query", "promql", "count(up)"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(cells(stdout(&out).lines().nth(1).unwrap_or("")), ["1"]);
}

#[test]
fn no_backend_exits_2_naming_the_url_and_how_to_start_the_lab() {
    let home = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", backends::closed_port());
    let out = labtui(
        home.path(),
        &["query", "promql", "up", "--prometheus-url", &url],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("Prometheus at {url} cannot be reached")),
        "{err}"
    );
    assert!(err.contains("labtui up"), "{err}");
    assert!(err.contains("from --prometheus-url"), "{err}");

    // The running lab's URL, when that lab is down.
    running_lab(home.path(), &url);
    let out = labtui(home.path(), &["query", "promql", "up"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("from the running lab"),
        "{}",
        stderr(&out)
    );

    // No URL anywhere.
    let empty = tempfile::tempdir().unwrap();
    let out = labtui(empty.path(), &["query", "promql", "up"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no Prometheus URL: start the lab with `labtui up`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_running_lab_without_loki_or_tempo_says_so_and_how_to_get_them() {
    let home = tempfile::tempdir().unwrap();
    running_lab(
        home.path(),
        &format!("http://127.0.0.1:{}", backends::closed_port()),
    );
    for (args, says) in [
        (
            ["query", "logql", r#"{service="x"}"#],
            "the running lab has no Loki: download loki-linux-amd64.zip",
        ),
        (
            ["query", "traceql", "{}"],
            "the running lab has no Tempo: download tempo_2.7.2_linux_amd64.tar.gz",
        ),
    ] {
        let out = labtui(home.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(says), "{err}");
        assert!(err.contains("then `labtui down` and `labtui up`"), "{err}");
        assert!(!err.contains("start the lab"), "a lab runs: {err}");
    }
}

#[test]
fn bad_flags_say_what_to_write() {
    let home = tempfile::tempdir().unwrap();
    let url = "--prometheus-url=http://127.0.0.1:1";
    let out = labtui(
        home.path(),
        &["query", "promql", "up", "--since", "soon", url],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--since: \"soon\" is not a duration"),
        "{}",
        stderr(&out)
    );
    let out = labtui(home.path(), &["query", "promql", "up", "--step", "1m", url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--step needs a range"),
        "{}",
        stderr(&out)
    );
    let out = labtui(
        home.path(),
        &["query", "promql", "up", "--json", "--csv", url],
    );
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
    let out = labtui(
        home.path(),
        &[
            "query",
            "promql",
            "up",
            "--prometheus-url",
            "localhost:9090",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--prometheus-url: \"localhost:9090\" is not an http"),
        "{}",
        stderr(&out)
    );
}
