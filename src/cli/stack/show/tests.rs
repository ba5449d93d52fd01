//! The lab commands' output, line by line.

use std::path::PathBuf;

use super::*;
use crate::lab::stack::{Profile, SkipReason};

fn status_row(name: &str, state: ComponentState) -> ComponentStatus {
    ComponentStatus::new(name, state)
}

#[test]
fn durations_and_sizes_read_like_a_person_would_say_them() {
    assert_eq!(duration(Duration::from_millis(1234)), "1.2s");
    assert_eq!(duration(Duration::from_secs(42)), "42s");
    assert_eq!(duration(Duration::from_secs(303)), "5m 03s");
    assert_eq!(duration(Duration::from_secs(7500)), "2h 05m");
    assert_eq!(duration(Duration::from_secs(3 * 86400 + 4 * 3600)), "3d 4h");
    assert_eq!(bytes(812 * 1024), "812 KiB");
    assert_eq!(bytes(96 * 1024 * 1024), "96 MiB");
    assert_eq!(bytes(1288490189), "1.2 GiB");
}

#[test]
fn each_event_is_one_aligned_line_and_failures_keep_their_log_tail_indented() {
    let width = name_width(&["alertmanager".to_string()]);
    let native = RuntimeKind::Native;
    let line = |e: UpEvent| event_line(&e, width, native);
    assert_eq!(
        line(UpEvent::Planned {
            components: vec!["alertmanager".into(), "prometheus".into()]
        }),
        "Components: alertmanager, prometheus"
    );
    assert_eq!(
        event_line(
            &UpEvent::Planned {
                components: vec!["prometheus".into()]
            },
            width,
            RuntimeKind::Attach
        ),
        "Checking 1 component: prometheus"
    );
    assert_eq!(
        line(UpEvent::Starting {
            component: "prometheus".into(),
            command: "prometheus --x".into(),
            log: Some(PathBuf::from("/l/prometheus.log")),
        }),
        "  prometheus    starting (log: /l/prometheus.log)"
    );
    assert_eq!(
        line(UpEvent::Ready {
            component: "alertmanager".into(),
            url: "http://127.0.0.1:9093".into(),
            took: Duration::from_millis(400),
        }),
        "  alertmanager  ready in 0.4s"
    );
    assert_eq!(
        line(UpEvent::Skipped {
            component: "loki".into(),
            reason: SkipReason::MissingBinary {
                tried: vec!["loki".into()],
                install: "get loki".into()
            },
        }),
        "  loki          skipped: not installed (looked for loki); get loki"
    );
    assert_eq!(
        line(UpEvent::Failed {
            component: "tempo".into(),
            reason: "exited; last lines:\nboom\nbang".into(),
        }),
        "  tempo         failed: exited; last lines:\n                boom\n                bang"
    );
}

fn report(outcomes: Vec<(&str, Outcome)>) -> UpReport {
    let mut state = LabState::empty(RuntimeKind::Native, Profile::Core);
    for (name, outcome) in &outcomes {
        if matches!(outcome, Outcome::Ready { .. }) {
            state.components.push(crate::lab::stack::ComponentRecord {
                name: (*name).to_string(),
                url: format!("http://127.0.0.1/{name}"),
                ready_url: String::new(),
                ports: Default::default(),
                version: None,
                ready_timeout_s: 1,
                started_at: chrono::Utc::now(),
                pid: None,
                start_ticks: None,
                binary: None,
                command: Vec::new(),
                env: Default::default(),
                workdir: None,
                log_file: None,
                container: None,
            });
        }
    }
    UpReport {
        state,
        outcomes: outcomes
            .into_iter()
            .map(|(n, o)| (n.to_string(), o))
            .collect(),
    }
}

fn skipped() -> Outcome {
    Outcome::Skipped(SkipReason::MissingBinary {
        tried: vec![],
        install: String::new(),
    })
}

#[test]
fn the_summary_counts_skipped_as_fine_and_failed_as_not() {
    let ready = || Outcome::Ready {
        took: Duration::from_secs(1),
    };
    let (lines, ok) = up_summary(
        &report(vec![("prometheus", ready()), ("loki", skipped())]),
        10,
    );
    assert!(ok);
    assert_eq!(
        lines[1],
        "Lab ready: 1 of 2 components running (native runtime, core profile)."
    );
    assert!(lines[2].starts_with("Skipped 1 component: loki. That is fine"));
    assert_eq!(lines[3], "  prometheus  http://127.0.0.1/prometheus");

    let (lines, ok) = up_summary(
        &report(vec![
            ("prometheus", ready()),
            ("alertmanager", Outcome::Failed("x".into())),
        ]),
        10,
    );
    assert!(!ok);
    assert!(lines[1].starts_with("Lab not fully up: alertmanager failed"));

    let (lines, ok) = up_summary(&report(vec![("loki", skipped())]), 10);
    assert!(!ok, "a lab with nothing running is not up");
    assert!(lines[1].starts_with("Nothing is running"));
}

#[test]
fn down_says_what_it_did_or_that_there_was_nothing() {
    let nothing = down_lines(RuntimeKind::Native, &DownReport::default(), None);
    assert_eq!(nothing, ["No lab was running; nothing to stop."]);
    let report = DownReport {
        stopped: vec!["prometheus".into()],
        killed: vec!["loki".into()],
        already_gone: vec!["tempo".into()],
        not_ours: vec![("alertmanager".into(), 42)],
        removed: vec![PathBuf::from("/lab/state.json")],
        ..DownReport::default()
    };
    let lines = down_lines(RuntimeKind::Native, &report, None);
    assert_eq!(
        lines,
        [
            "Stopped: prometheus.",
            "Killed (did not stop within 5 seconds of SIGTERM): loki.",
            "Already gone (exited or killed earlier): tempo.",
            "Left alone: alertmanager's recorded pid 42 now belongs to another program.",
            "Removed /lab/state.json",
        ]
    );
    let attach = down_lines(RuntimeKind::Attach, &DownReport::default(), None);
    assert!(attach[0].contains("labtui stopped nothing there"));
}

#[test]
fn status_lines_up_columns_and_explains_what_is_not_ready() {
    let mut prom = status_row("prometheus", ComponentState::Ready);
    prom.version = Some("2.42.0".into());
    prom.uptime = Some(Duration::from_secs(75));
    prom.rss_bytes = Some(50 * 1024 * 1024);
    prom.url = Some("http://127.0.0.1:9090".into());
    prom.pid = Some(7);
    let mut am = status_row("alertmanager", ComponentState::Down);
    am.url = Some("http://127.0.0.1:9093".into());
    am.detail = Some("not running".into());
    let rows = [prom, am];
    let table = status_table(&rows);
    assert_eq!(
        table,
        [
            "COMPONENT     STATE  VERSION  UPTIME  MEMORY  URL",
            "prometheus    ready  2.42.0   1m 15s  50 MiB  http://127.0.0.1:9090",
            "alertmanager  down   -             -       -  http://127.0.0.1:9093",
            "",
            "  alertmanager: not running",
        ]
    );
    let json = status_json(&rows);
    assert_eq!(json[0]["state"], "ready");
    assert_eq!(json[0]["uptime_secs"], 75);
    assert_eq!(json[0]["memory_bytes"], 50 * 1024 * 1024);
    assert_eq!(json[0]["pid"], 7);
    assert_eq!(json[1]["state"], "down");
    assert_eq!(json[1]["version"], serde_json::Value::Null);
}

#[test]
fn doctor_groups_checks_marks_them_and_shows_fixes_for_problems_only() {
    let checks = vec![
        Check::ok("binary prometheus", "/usr/bin/prometheus"),
        Check::fail(
            "port 9090 (prometheus.http)",
            "held by pid 1 (x)",
            "stop it",
        ),
        Check::ok("disk", "9 GiB free"),
        Check::warn("binary loki", "not found", "install loki"),
        Check::ok("prometheus answers", "http://127.0.0.1:9090/-/ready"),
    ];
    let (lines, ok) = doctor_lines(&checks, true);
    assert!(!ok);
    assert_eq!(
        lines,
        [
            "This machine",
            "  ✓ disk: 9 GiB free",
            "Programs",
            "  ✓ binary prometheus: /usr/bin/prometheus",
            "  ! binary loki: not found",
            "      fix: install loki",
            "Ports",
            "  ✗ port 9090 (prometheus.http): held by pid 1 (x)",
            "      fix: stop it",
            "Running lab",
            "  ✓ prometheus answers: http://127.0.0.1:9090/-/ready",
            "doctor: 3 ok, 1 warning, 1 failure",
        ]
    );
    let (lines, ok) = doctor_lines(&checks[..1], false);
    assert!(ok);
    assert_eq!(
        lines[2..],
        [
            "Running lab",
            "  (no lab is running: `labtui up` starts one; run doctor again then to check it)",
            "doctor: 1 ok, 0 warnings, 0 failures",
        ]
    );
}

#[test]
fn pull_progress_prints_status_changes_and_quarter_steps_only() {
    let pull = |status: &str, current: u64| UpEvent::Pulling {
        component: "loki".into(),
        image: "grafana/loki:3.4.6".into(),
        layer: Some("0123456789ab".into()),
        status: status.into(),
        current: Some(current),
        total: Some(100),
    };
    let mut filter = PullProgress::default();
    let printed: Vec<bool> = [
        pull("Downloading", 1),
        pull("Downloading", 10),
        pull("Downloading", 26),
        pull("Downloading", 30),
        pull("Download complete", 100),
    ]
    .iter()
    .map(|e| filter.worth_printing(e))
    .collect();
    assert_eq!(printed, [true, false, true, false, true]);
    let line = event_line(&pull("Downloading", 50), 4, RuntimeKind::Docker);
    assert!(
        line.contains("pulling grafana/loki:3.4.6 0123456789ab: Downloading [#####-----]"),
        "{line}"
    );
}
