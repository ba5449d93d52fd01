//! End to end in a real terminal: labtui runs inside tmux at a fixed size with NO_COLOR;
//! the test waits for text on screen (never a fixed sleep), sends keys, and checks that the
//! terminal is restored and progress is on disk after quitting or being killed.

use std::process::Command;

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, assert_terminal_restored, assert_tty_restored};

#[test]
fn open_a_lesson_show_help_and_quit_restores_the_terminal() {
    let Some(tmux) = Tmux::start(100, 30) else {
        return;
    };
    tmux.wait_for("First steps");
    // A first launch opens the welcome; `h` goes back to the list.
    tmux.wait_for("Welcome to labtui");
    tmux.keys(&["h", "Enter"]);
    tmux.wait_for("Every scrape sets");
    tmux.keys(&["?"]);
    tmux.wait_for("Keys — ? or Esc to close");
    tmux.keys(&["Escape"]);
    tmux.wait_until("help closed", |s| !s.contains("Keys — ?"));
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(":END");
    assert_terminal_restored(&screen);

    let saved = std::fs::read_to_string(tmux.progress_file()).expect("progress saved");
    let json: serde_json::Value = serde_json::from_str(&saved).expect("valid JSON");
    assert_eq!(json["last_item"], "first-steps");
    assert_eq!(json["items"]["first-steps"]["status"], "in_progress");
}

/// A signal ends labtui the same way `q` does: progress saved, terminal restored.
fn signal_restores_the_terminal_and_keeps_progress(signal: &str) {
    let Some(tmux) = Tmux::start(80, 24) else {
        return;
    };
    tmux.wait_for("Welcome to labtui");
    tmux.keys(&["h", "j", "Enter"]);
    tmux.wait_for("A lesson with no queries");
    let pid = tmux.labtui_pid();
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let screen = tmux.wait_for(":END");
    assert_terminal_restored(&screen);
    tmux.assert_modes_off();
    let saved = std::fs::read_to_string(tmux.progress_file()).expect("progress saved");
    assert!(saved.contains("second-steps"), "{saved}");
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_progress() {
    signal_restores_the_terminal_and_keeps_progress("TERM");
}

#[test]
fn sighup_restores_the_terminal_and_keeps_progress() {
    signal_restores_the_terminal_and_keeps_progress("HUP");
}

#[test]
fn sigint_restores_the_terminal_and_keeps_progress() {
    signal_restores_the_terminal_and_keeps_progress("INT");
}

/// A panic (forced by the debug-only LABTUI_PANIC_AFTER_DRAW hook) still hands the
/// terminal back: line editing, no alternate screen, no mouse reporting.
#[test]
fn a_panic_restores_the_terminal() {
    if !cfg!(debug_assertions) {
        eprintln!("skipping: the panic hook exists in debug builds only");
        return;
    }
    let Some(tmux) = Tmux::start_with(
        80,
        24,
        &[("LABTUI_PANIC_AFTER_DRAW", "1"), ("RUST_BACKTRACE", "0")],
    ) else {
        return;
    };
    let screen = tmux.wait_for(":END");
    assert!(screen.contains("EXIT=101"), "not a panic's exit:\n{screen}");
    assert!(
        screen.contains("LABTUI_PANIC_AFTER_DRAW"),
        "the panic message is not shown:\n{screen}"
    );
    assert_tty_restored(&screen);
    tmux.assert_modes_off();
}

#[test]
fn a_small_terminal_gets_a_notice_not_a_crash() {
    let Some(tmux) = Tmux::start(50, 15) else {
        return;
    };
    tmux.wait_for("Terminal too small");
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(":END");
    assert_terminal_restored(&screen);
}
