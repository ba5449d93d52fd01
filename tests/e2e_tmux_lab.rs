//! The console and a real lab: labtui runs in tmux, `labtui up` starts real Prometheus and
//! Alertmanager beside it, the Stack pane finds them, and a Prometheus killed from outside
//! shows as down in the status bar.

use std::process::Command;

#[path = "support/lab_cli.rs"]
mod lab_cli;
#[path = "support/tmux.rs"]
mod tmux;
#[path = "support/tools.rs"]
mod tools;

use lab_cli::{lab_installed, labtui, start_lab};
use tmux::{Tmux, assert_terminal_restored};

/// Posts one firing alert to Alertmanager's v2 API (severity page: a 5 s group wait).
fn post_alert(alertmanager: &str) {
    let body = serde_json::json!([{
        "labels": {"alertname": "E2eProbe", "service": "payments", "severity": "page"},
        "annotations": {"summary": "raised by the end-to-end test"}
    }]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let response = reqwest::Client::new()
            .post(format!("{alertmanager}/api/v2/alerts"))
            .json(&body)
            .send()
            .await
            .expect("post the alert");
        assert!(response.status().is_success(), "{response:?}");
    });
}

#[test]
fn stack_pane_finds_a_lab_started_outside_and_notices_a_killed_component() {
    if !lab_installed() {
        return;
    }
    let Some(tmux) = Tmux::start(140, 30) else {
        return;
    };
    let home = tmux.home.path().to_path_buf();
    tmux.wait_for("First steps");
    tmux.keys(&["s"]);
    tmux.wait_for("No lab is running");

    let (_lab, _) = start_lab(&home);

    // The pane polls on its own: no key press needed to see the new lab.
    let row_of = |screen: &str, name: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!(" {name} ")) && l.contains("127.0.0.1"))
            .map(str::to_string)
    };
    tmux.wait_until("prometheus ready in the Stack pane", |s| {
        row_of(s, "prometheus").is_some_and(|r| r.contains("ready"))
            && row_of(s, "alertmanager").is_some_and(|r| r.contains("ready"))
    });

    let status = labtui(&home, &["status", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&status.stdout).expect("status JSON");

    // An alert sent to the real Alertmanager reaches the console through the lab's webhook.
    let alertmanager = rows
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["component"] == "alertmanager"))
        .and_then(|r| r["url"].as_str())
        .expect("alertmanager url")
        .to_string();
    post_alert(&alertmanager);
    // The status bar and the alert list may reach the screen in separate writes.
    let alert_row = "E2eProbe payments: raised by the end-to-end test";
    let screen = tmux.wait_until("the alert in the status bar and the list", |s| {
        s.contains("1 alert firing") && s.contains(alert_row)
    });
    assert!(screen.contains(alert_row), "{screen}");

    let pid = rows
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["component"] == "prometheus"))
        .and_then(|r| r["pid"].as_u64())
        .expect("prometheus pid in status");
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let screen = tmux.wait_until("prometheus down in the status bar and its row", |s| {
        s.contains("(prometheus down)")
            && row_of(s, "prometheus").is_some_and(|r| r.contains("down"))
    });
    assert!(
        row_of(&screen, "prometheus").is_some_and(|r| r.contains("down")),
        "{screen}"
    );

    tmux.keys(&["q"]);
    let screen = tmux.wait_for(":END");
    assert_terminal_restored(&screen);
}

#[test]
fn a_lessons_query_runs_against_the_real_lab_and_shows_a_table_of_its_values() {
    if !lab_installed() {
        return;
    }
    let Some(tmux) = Tmux::start(120, 36) else {
        return;
    };
    let home = tmux.home.path().to_path_buf();
    tmux.wait_for("Welcome to labtui");
    let (_lab, base) = start_lab(&home);

    // The console polls the lab on its own; once it has seen it, a query goes straight there.
    // (The status bar is the last line; the welcome page quotes one too.)
    tmux.wait_until("the lab in the status bar", |s| {
        s.lines()
            .rfind(|l| !l.trim().is_empty())
            .is_some_and(|l| l.contains("lab: native") && l.contains("ready"))
    });
    // Back from the welcome to the list, open the lesson, select its first runnable block
    // (`up`) and send it.
    tmux.keys(&["h", "Enter"]);
    tmux.wait_for("Every scrape sets");
    tmux.keys(&["n", "Enter"]);
    tmux.wait_for("PromQL │ LogQL");
    // Prometheus answers `up` once it has scraped itself; until then the table is empty.
    // `r` sends the selected block again.
    // A row is one of this lab's scrape targets (its port in the lab's range) with `up` 1.
    let row = |screen: &str| {
        screen.lines().any(|l| {
            let lab_port = l.split("127.0.0.1:").nth(1).and_then(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse::<u16>()
                    .ok()
            });
            lab_port.is_some_and(|p| (base..base + 100).contains(&p))
                && l.trim_end_matches(['│', '┃', ' ']).ends_with(" 1")
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let screen = loop {
        let screen = tmux.screen();
        if row(&screen) {
            break screen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never saw a lab target with up 1 in the table; screen:\n{screen}"
        );
        if screen.contains("returned no series") {
            tmux.keys(&["r"]);
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    assert!(
        screen.contains("instance"),
        "the table has its label columns:\n{screen}"
    );
    assert!(
        screen.contains("series ·"),
        "the result's size is shown:\n{screen}"
    );

    tmux.keys(&["q"]);
    let screen = tmux.wait_for(":END");
    assert_terminal_restored(&screen);
}
