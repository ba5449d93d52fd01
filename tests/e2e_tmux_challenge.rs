//! A challenge run in the console against a real lab: labtui in tmux starts it (the latency
//! fault really injected into the real payments service), the timer runs, the symptom shows
//! in the PromQL pane, a question is answered, a hint taken, the answers submitted and the
//! solution read. Then a second attempt is started and labtui is killed with SIGKILL: the
//! next console clears the dead run's fault (asked of the shop's admin API) and progress
//! keeps both attempts.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/lab_cli.rs"]
mod lab_cli;
#[path = "support/tmux.rs"]
mod tmux;
#[path = "support/tools.rs"]
mod tools;

use lab_cli::{lab_installed, start_lab};
use labtui::lab::paths::Paths;
use labtui::lab::shop::token;
use labtui::lab::stack::{LabDirs, LabState};
use tmux::{Tmux, assert_terminal_restored};

/// The faults the payments service itself reports as active, by name.
fn payments_faults(home: &Path) -> Vec<String> {
    let paths = Paths::under(home);
    let state = LabState::load(&LabDirs::new(&paths))
        .expect("state file")
        .expect("a lab");
    let url = format!(
        "{}/admin/faults",
        state.url("shop-payments").expect("payments")
    );
    let token = token::read(home).expect("admin token");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let list: Vec<serde_json::Value> = reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("admin API")
            .json()
            .await
            .expect("a JSON list");
        list.iter()
            .filter_map(|f| f["name"].as_str().map(str::to_string))
            .collect()
    })
}

fn wait_for_faults(home: &Path, what: &str, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let faults = payments_faults(home);
        if pred(&faults) {
            return faults;
        }
        assert!(
            Instant::now() < deadline,
            "payments never had {what}: {faults:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_challenge_runs_in_the_console_against_the_real_lab_and_a_killed_console_leaves_no_fault() {
    if !lab_installed() {
        eprintln!("skipping: the native lab's programs are not installed");
        return;
    }
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runner");
    let Some(tmux) = Tmux::start_in(140, 40, &content) else {
        return;
    };
    let home = tmux.home.path().to_path_buf();
    let (_lab, _) = start_lab(&home);

    tmux.wait_until("the lab in the status bar", |s| {
        s.lines().any(|l| l.starts_with(" lab: native"))
    });
    tmux.keys(&["2", "Enter"]);
    tmux.wait_for("Press S to start");
    tmux.keys(&["S"]);
    tmux.wait_for("It injects latency on payments");
    tmux.keys(&["y"]);
    // The fault is really in payments, and the clock runs.
    wait_for_faults(&home, "the latency fault", |f| f == ["latency"]);
    tmux.wait_within(Duration::from_secs(90), "the run after the warm-up", |s| {
        s.contains("· running ·") && s.contains("left")
    });

    // The symptom in the PromQL pane: a p95 above half a second, only while the fault is in.
    tmux.keys(&["e"]);
    tmux.wait_for("PromQL │ LogQL");
    tmux.keys(&[
        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"payments\"}[1m]))) > 0.5",
        "Enter",
    ]);
    let last_run = std::cell::Cell::new(Instant::now());
    tmux.wait_within(
        Duration::from_secs(60),
        "the slow p95 in the PromQL pane",
        |s| {
            if s.contains("1 series") {
                return true;
            }
            // Not enough slow requests in the minute yet: run it again, at most every 2 s.
            if s.contains("returned no series")
                && last_run.get().elapsed() >= Duration::from_secs(2)
            {
                last_run.set(Instant::now());
                tmux.keys(&["r"]);
            }
            false
        },
    );

    // Back to the questions (Tab from the results): answer the first, take a hint, submit.
    tmux.keys(&["Tab"]);
    tmux.wait_until("the runner focused", |s| {
        s.contains("┏ Challenge: Checkout is slow")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("Answer: service (choice)");
    tmux.keys(&["2", "Enter"]);
    tmux.wait_for("answer saved");
    tmux.keys(&["H"]);
    tmux.wait_for("Reveal hint 1 of 2? It costs 3 points");
    tmux.keys(&["y"]);
    tmux.wait_for("Compare the p95 of each service.");
    tmux.keys(&["S"]);
    tmux.wait_for("4 questions are unanswered");
    tmux.keys(&["y"]);
    let screen = tmux.wait_within(Duration::from_secs(30), "the score", |s| {
        s.contains("of 55 points")
    });
    assert!(
        screen.contains("7 of 55 points"),
        "10 earned − 3 for the hint:\n{screen}"
    );
    assert!(screen.contains("✓ 10"), "{screen}");
    wait_for_faults(&home, "no fault after submit", <[String]>::is_empty);
    tmux.keys(&["v"]);
    tmux.wait_for("Solution: Checkout is slow");

    // A second attempt, and the console killed in the middle of it.
    tmux.keys(&["S"]);
    tmux.wait_for("It injects latency on payments");
    tmux.keys(&["y"]);
    tmux.wait_within(Duration::from_secs(30), "the second attempt", |s| {
        s.contains("attempt 2 ·")
    });
    wait_for_faults(&home, "the second attempt's fault", |f| f == ["latency"]);
    let pid = tmux.labtui_pid();
    let killed = Command::new("kill")
        .args(["-9", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    // Killed in raw mode, the shell's line may wrap anywhere: read the screen as one line.
    tmux.wait_until("the shell seeing the kill", |s| {
        s.replace('\n', "").contains("EXIT=137")
    });

    // The next console finds the dead run, abandons it and clears its fault.
    tmux.respawn();
    tmux.wait_within(Duration::from_secs(30), "the abandoned run's notice", |s| {
        s.contains("exited without ending it")
    });
    wait_for_faults(&home, "no fault after the restart", <[String]>::is_empty);
    let progress: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmux.progress_file()).expect("progress"))
            .expect("valid progress JSON");
    let item = &progress["items"]["checkout-slow"];
    assert_eq!(item["attempts"], 2, "{item}");
    assert_eq!(item["best_score"], 7.0, "{item}");
    assert_eq!(
        item["status"], "in_progress",
        "7 of 55 is under half: {item}"
    );

    tmux.keys(&["q"]);
    let screen = tmux.wait_for(":END");
    assert_terminal_restored(&screen);
}
