//! The native runtime against real Prometheus and Alertmanager binaries, each test in its
//! own data dir on free ports; a guard kills whatever a test started, even on failure.

#[path = "support/tools.rs"]
mod tools;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use labtui::lab::paths::Paths;
use labtui::lab::stack::{
    CheckStatus, ComponentState, ControlAction, LabDirs, LabState, NativeOptions, NativeRuntime,
    Outcome, PidFile, Plan, PlanOptions, Profile, Runtime, RuntimeKind, SkipReason, StackError,
    StackSpec, UpEvent, proc,
};
use tokio::sync::mpsc;
use tools::installed;

/// A lab in a temp dir whose search path holds only Prometheus and Alertmanager (so Loki
/// and Tempo are missing even on machines that have them). Dropping it kills every
/// process the lab recorded.
struct TestLab {
    dir: tempfile::TempDir,
    dirs: LabDirs,
    rt: NativeRuntime,
}

impl TestLab {
    fn new(binaries: BTreeMap<String, PathBuf>) -> Option<Self> {
        let prometheus = installed(&["prometheus"])?;
        let alertmanager = installed(&["alertmanager", "prometheus-alertmanager"])?;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(&prometheus, bin.join("prometheus")).unwrap();
        let am_name = alertmanager.file_name().unwrap();
        std::os::unix::fs::symlink(&alertmanager, bin.join(am_name)).unwrap();
        let dirs = LabDirs::new(&Paths::under(&dir.path().join("home")));
        let options = NativeOptions {
            binaries,
            search_path: Some(bin.into_os_string()),
        };
        let rt = NativeRuntime::new(dirs.clone(), options);
        Some(Self { dir, dirs, rt })
    }

    fn plan(&self) -> Plan {
        let spec = StackSpec::builtin().unwrap();
        Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Native))
            .unwrap()
            .with_free_ports()
            .unwrap()
    }

    async fn up(
        &self,
        plan: &Plan,
    ) -> (
        Result<labtui::lab::stack::UpReport, StackError>,
        Vec<UpEvent>,
    ) {
        let (tx, mut rx) = mpsc::channel(64);
        let collector = tokio::spawn(async move {
            let mut events = Vec::new();
            while let Some(e) = rx.recv().await {
                events.push(e);
            }
            events
        });
        let result = self.rt.up(plan, tx).await;
        (result, collector.await.unwrap())
    }

    fn state(&self) -> LabState {
        LabState::load(&self.dirs).unwrap().expect("a state file")
    }
}

impl Drop for TestLab {
    fn drop(&mut self) {
        for pf in PidFile::read_all(&self.dirs) {
            if proc::is_ours(pf.pid, &pf.binary, pf.start_ticks) {
                let _ = proc::signal_group(pf.pid, libc::SIGKILL);
            }
        }
        let _ = self.dir.path();
    }
}

fn pid_of(state: &LabState, name: &str) -> u32 {
    state
        .component(name)
        .and_then(|c| c.pid)
        .unwrap_or_else(|| panic!("{name} has no pid"))
}

/// Poll status until `name` reaches `want` (bounded, so a bug fails instead of hanging).
async fn wait_for_state(
    lab: &TestLab,
    state: &LabState,
    name: &str,
    want: ComponentState,
) -> ComponentState {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = lab.rt.status(state).await;
        let now = rows
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.state)
            .unwrap();
        if now == want || Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn up_starts_core_skips_missing_and_reports_ready_status() {
    let Some(lab) = TestLab::new(BTreeMap::new()) else {
        return;
    };
    let plan = lab.plan();
    let (report, events) = lab.up(&plan).await;
    let report = report.unwrap();
    assert!(report.all_ready(), "{:?}", report.outcomes);

    let outcome = |n: &str| {
        report
            .outcomes
            .iter()
            .find(|(c, _)| c == n)
            .map(|(_, o)| o.clone())
            .unwrap()
    };
    assert!(matches!(outcome("prometheus"), Outcome::Ready { .. }));
    assert!(matches!(outcome("alertmanager"), Outcome::Ready { .. }));
    for missing in ["loki", "tempo"] {
        match outcome(missing) {
            Outcome::Skipped(SkipReason::MissingBinary { tried, install }) => {
                assert_eq!(tried, [missing]);
                assert!(
                    install.contains("github.com/grafana") && install.contains(missing),
                    "{install}"
                );
            }
            other => panic!("{missing}: {other:?}"),
        }
    }
    // Events in order: alertmanager ready before prometheus starts (dependency order).
    let pos = |pred: &dyn Fn(&UpEvent) -> bool| events.iter().position(pred).unwrap();
    let am_ready =
        pos(&|e| matches!(e, UpEvent::Ready { component, .. } if component == "alertmanager"));
    let prom_starting =
        pos(&|e| matches!(e, UpEvent::Starting { component, .. } if component == "prometheus"));
    assert!(am_ready < prom_starting, "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, UpEvent::Skipped { component, .. } if component == "tempo"))
    );

    // Recorded and detached: each component leads its own process group.
    let state = lab.state();
    assert_eq!(state.runtime, RuntimeKind::Native);
    assert_eq!(state.skipped.len(), 2);
    let prom = state.component("prometheus").unwrap();
    assert_eq!(
        prom.url,
        format!(
            "http://127.0.0.1:{}",
            plan.primary_port("prometheus").unwrap()
        )
    );
    for name in ["prometheus", "alertmanager"] {
        let pid = pid_of(&state, name);
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let pgrp: u32 = stat[stat.rfind(')').unwrap() + 2..]
            .split_whitespace()
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(pgrp, pid, "{name} must lead its own process group");
        assert!(lab.dirs.log_file(name).exists());
        assert!(lab.dirs.pid_file(name).exists());
    }
    let rendered =
        std::fs::read_to_string(lab.dirs.config_dir("prometheus").join("prometheus.yml")).unwrap();
    assert!(rendered.contains("job_name: alertmanager") && !rendered.contains("job_name: loki"));

    let rows = lab.rt.status(&state).await;
    for name in ["prometheus", "alertmanager"] {
        let row = rows.iter().find(|r| r.name == name).unwrap();
        assert_eq!(row.state, ComponentState::Ready, "{row:?}");
        assert!(
            row.version.as_deref().is_some_and(|v| !v.is_empty()),
            "{row:?}"
        );
        assert!(row.rss_bytes.is_some_and(|r| r > 0), "{row:?}");
        assert!(row.uptime.is_some());
    }
    let loki = rows.iter().find(|r| r.name == "loki").unwrap();
    assert_eq!(loki.state, ComponentState::NotInstalled);
    assert!(loki.detail.as_deref().unwrap().contains("loki"));

    lab.rt.down(&state).await.unwrap();
}

#[tokio::test]
async fn killed_component_shows_down_and_restart_brings_it_back() {
    let Some(lab) = TestLab::new(BTreeMap::new()) else {
        return;
    };
    let plan = lab.plan();
    lab.up(&plan).await.0.unwrap();
    let state = lab.state();
    let pid = pid_of(&state, "prometheus");

    // SAFETY: signalling a process this test started.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) }, 0);
    assert_eq!(
        wait_for_state(&lab, &state, "prometheus", ComponentState::Down).await,
        ComponentState::Down
    );
    let row = lab
        .rt
        .status(&state)
        .await
        .into_iter()
        .find(|r| r.name == "prometheus")
        .unwrap();
    assert!(row.detail.unwrap().contains("`labtui up` starts it again"));

    let state = lab
        .rt
        .control(&state, "prometheus", ControlAction::Restart)
        .await
        .unwrap();
    assert_ne!(pid_of(&state, "prometheus"), pid);
    assert_eq!(lab.state(), state, "the new pid is saved");
    let rows = lab.rt.status(&state).await;
    assert_eq!(
        rows.iter().find(|r| r.name == "prometheus").unwrap().state,
        ComponentState::Ready
    );

    // Pause and resume (a stack-level fault).
    let state = lab
        .rt
        .control(&state, "alertmanager", ControlAction::Pause)
        .await
        .unwrap();
    assert_eq!(
        wait_for_state(&lab, &state, "alertmanager", ComponentState::Paused).await,
        ComponentState::Paused
    );
    let state = lab
        .rt
        .control(&state, "alertmanager", ControlAction::Resume)
        .await
        .unwrap();
    assert_eq!(
        wait_for_state(&lab, &state, "alertmanager", ComponentState::Ready).await,
        ComponentState::Ready
    );

    let err = lab
        .rt
        .control(&state, "loki", ControlAction::Restart)
        .await
        .unwrap_err();
    assert!(matches!(err, StackError::NotInLab { .. }), "{err}");
    lab.rt.down(&state).await.unwrap();
}

#[tokio::test]
async fn down_stops_every_process_and_removes_the_state() {
    let Some(lab) = TestLab::new(BTreeMap::new()) else {
        return;
    };
    let plan = lab.plan();
    lab.up(&plan).await.0.unwrap();
    let state = lab.state();
    let pids: Vec<u32> = ["prometheus", "alertmanager"]
        .iter()
        .map(|n| pid_of(&state, n))
        .collect();

    let report = lab.rt.down(&state).await.unwrap();
    let mut stopped = report.stopped.clone();
    stopped.extend(report.killed.clone());
    stopped.sort();
    assert_eq!(stopped, ["alertmanager", "prometheus"]);
    for pid in pids {
        assert!(
            proc::info(pid).is_none(),
            "pid {pid} still exists after down"
        );
    }
    assert!(!lab.dirs.state_file().exists());
    assert!(PidFile::read_all(&lab.dirs).is_empty());
    assert!(LabState::load(&lab.dirs).unwrap().is_none());
    // Logs and data stay for the next run.
    assert!(lab.dirs.log_file("prometheus").exists());

    // A second down has nothing left to do.
    let again = lab
        .rt
        .down(&LabState::empty(RuntimeKind::Native, Profile::Core))
        .await
        .unwrap();
    assert!(again.stopped.is_empty() && again.killed.is_empty());
}

#[tokio::test]
async fn down_finds_processes_through_pid_files_when_the_state_is_lost() {
    let Some(lab) = TestLab::new(BTreeMap::new()) else {
        return;
    };
    lab.up(&lab.plan()).await.0.unwrap();
    let pid = pid_of(&lab.state(), "prometheus");
    std::fs::write(lab.dirs.state_file(), b"{ not json").unwrap();
    let err = LabState::load(&lab.dirs).unwrap_err();
    assert!(matches!(err, StackError::CorruptState { .. }), "{err}");
    let report = lab
        .rt
        .down(&LabState::empty(RuntimeKind::Native, Profile::Core))
        .await
        .unwrap();
    assert_eq!(report.stopped.len() + report.killed.len(), 2, "{report:?}");
    assert!(proc::info(pid).is_none());
}

#[tokio::test]
async fn a_second_up_keeps_what_is_running() {
    let Some(lab) = TestLab::new(BTreeMap::new()) else {
        return;
    };
    let plan = lab.plan();
    lab.up(&plan).await.0.unwrap();
    let first = lab.state();
    let (report, events) = lab.up(&plan).await;
    let report = report.unwrap();
    for name in ["prometheus", "alertmanager"] {
        assert!(
            events.iter().any(
                |e| matches!(e, UpEvent::AlreadyRunning { component, .. } if component == name)
            ),
            "{events:?}"
        );
        assert_eq!(pid_of(&report.state, name), pid_of(&first, name));
    }
    // Different ports for a running lab are refused.
    let other = lab.plan();
    let err = lab.up(&other).await.0.unwrap_err();
    assert!(matches!(err, StackError::AlreadyRunning { .. }), "{err}");
    lab.rt.down(&report.state).await.unwrap();
}

#[tokio::test]
async fn busy_port_is_refused_naming_the_port_and_its_holder() {
    let Some(lab) = TestLab::new(BTreeMap::new()) else {
        return;
    };
    let holder = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = holder.local_addr().unwrap().port();
    let spec = StackSpec::builtin().unwrap();
    let mut options = PlanOptions::new(Profile::Core, RuntimeKind::Native);
    options.port_overrides.insert("alertmanager".into(), port);
    let mut plan = Plan::new(&spec, &options)
        .unwrap()
        .with_free_ports()
        .unwrap();
    plan.ports
        .get_mut("alertmanager")
        .unwrap()
        .insert("http".into(), port);

    let err = lab.up(&plan).await.0.unwrap_err();
    let message = err.to_string();
    match &err {
        StackError::PortsBusy(busy) => {
            assert_eq!(busy.len(), 1);
            assert_eq!(
                (busy[0].port, busy[0].port_name.as_str()),
                (port, "alertmanager")
            );
            assert_eq!(
                busy[0].holder.as_ref().map(|h| h.pid),
                Some(std::process::id())
            );
        }
        other => panic!("{other}"),
    }
    assert!(
        message.contains(&format!("port {port} (alertmanager)"))
            && message.contains(&std::process::id().to_string()),
        "{message}"
    );
    // Nothing was started.
    assert!(PidFile::read_all(&lab.dirs).is_empty());
    assert!(LabState::load(&lab.dirs).unwrap().is_none());
}

#[tokio::test]
async fn missing_binary_is_reported_with_an_install_hint_and_the_rest_start() {
    let binaries = BTreeMap::from([(
        "alertmanager".to_string(),
        PathBuf::from("/nonexistent/alertmanager"),
    )]);
    let Some(lab) = TestLab::new(binaries) else {
        return;
    };
    let (report, events) = lab.up(&lab.plan()).await;
    let report = report.unwrap();
    let reason = events
        .iter()
        .find_map(|e| match e {
            UpEvent::Skipped { component, reason } if component == "alertmanager" => {
                Some(reason.clone())
            }
            _ => None,
        })
        .expect("alertmanager skipped");
    match &reason {
        SkipReason::MissingBinary { tried, install } => {
            assert_eq!(tried, &["/nonexistent/alertmanager"]);
            assert!(
                install.contains("sudo apt install prometheus-alertmanager"),
                "{install}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(reason.to_string().contains("/nonexistent/alertmanager"));
    assert!(matches!(
        report
            .outcomes
            .iter()
            .find(|(n, _)| n == "prometheus")
            .unwrap()
            .1,
        Outcome::Ready { .. }
    ));
    // Without Alertmanager, prometheus.yml has no alerting section.
    let rendered =
        std::fs::read_to_string(lab.dirs.config_dir("prometheus").join("prometheus.yml")).unwrap();
    assert!(!rendered.contains("alertmanagers:"));
    lab.rt.down(&report.state).await.unwrap();
}

#[tokio::test]
async fn doctor_checks_binaries_ports_and_verifies_a_running_lab() {
    let Some(lab) = TestLab::new(BTreeMap::new()) else {
        return;
    };
    let plan = lab.plan();
    let before = lab.rt.doctor(&plan, None).await;
    let find = |checks: &[labtui::lab::stack::Check], name: &str| {
        checks
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no check {name}: {checks:#?}"))
    };
    assert_eq!(find(&before, "runtime native").status, CheckStatus::Ok);
    assert_eq!(find(&before, "binary prometheus").status, CheckStatus::Ok);
    let loki = find(&before, "binary loki");
    assert_eq!(loki.status, CheckStatus::Warn);
    assert!(loki.fix.unwrap().contains("releases"));
    let port = plan.primary_port("prometheus").unwrap();
    assert_eq!(
        find(&before, &format!("port {port} (prometheus.http)")).status,
        CheckStatus::Ok
    );
    assert!(before.iter().any(|c| c.name == "disk"));

    let report = lab.up(&plan).await.0.unwrap();
    // Wait (bounded) until every check asserted below passes: both targets scraped once,
    // and the data, rules and Alertmanager checks that follow from it.
    let passes = |checks: &[labtui::lab::stack::Check], name: &str| {
        checks
            .iter()
            .any(|c| c.name == name && c.status == CheckStatus::Ok)
    };
    let port_check = format!("port {port} (prometheus.http)");
    let deadline = Instant::now() + Duration::from_secs(30);
    let after = loop {
        let checks = lab.rt.doctor(&plan, Some(&report.state)).await;
        let targets_up = checks
            .iter()
            .filter(|c| c.name.starts_with("target ") && c.status == CheckStatus::Ok)
            .count();
        let all_pass = targets_up == 2
            && [
                port_check.as_str(),
                "prometheus answers",
                "prometheus has data",
                "prometheus rules",
                "alertmanager status",
            ]
            .iter()
            .all(|name| passes(&checks, name));
        if all_pass || Instant::now() > deadline {
            break checks;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        find(&after, &port_check).status,
        CheckStatus::Ok,
        "held by the lab itself"
    );
    assert_eq!(find(&after, "prometheus answers").status, CheckStatus::Ok);
    assert_eq!(
        after
            .iter()
            .filter(|c| c.name.starts_with("target ") && c.status == CheckStatus::Ok)
            .count(),
        2,
        "{after:#?}"
    );
    assert_eq!(find(&after, "prometheus has data").status, CheckStatus::Ok);
    assert_eq!(find(&after, "prometheus rules").status, CheckStatus::Ok);
    assert_eq!(find(&after, "alertmanager status").status, CheckStatus::Ok);
    lab.rt.down(&report.state).await.unwrap();
}
