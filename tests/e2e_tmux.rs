//! End to end in a real terminal: labtui runs inside tmux at a fixed size with NO_COLOR;
//! the test waits for text on screen (never a fixed sleep), sends keys, and checks that the
//! terminal is restored and progress is on disk after quitting or being killed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SESSION: AtomicUsize = AtomicUsize::new(0);

/// One private tmux server per test, killed on drop even when the test fails.
struct Tmux {
    socket: String,
    home: tempfile::TempDir,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("LABTUI_REQUIRE_TOOLS").is_none(),
                "tmux is required (LABTUI_REQUIRE_TOOLS is set) but not installed"
            );
            eprintln!("skipping: tmux is not installed (apt-get install tmux)");
            return None;
        }
        let socket = format!(
            "labtui-e2e-{}-{}",
            std::process::id(),
            SESSION.fetch_add(1, Ordering::SeqCst)
        );
        let home = tempfile::tempdir().expect("temp home");
        let tmux = Self { socket, home };
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui");
        // After labtui exits, the shell prints its exit code and the tty modes, then waits.
        let script = format!(
            "'{bin}'; code=$?; modes=$(stty -a | tr -s ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '); echo \"EXIT=$code MODES: $modes:END\"; exec sleep 600",
            bin = env!("CARGO_BIN_EXE_labtui"),
        );
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-e",
            "NO_COLOR=1",
            "-e",
            &format!("LABTUI_HOME={}", tmux.home.path().display()),
            "-e",
            &format!("LABTUI_CONTENT={}", content.display()),
            "-e",
            "TERM=xterm-256color",
            "sh",
            "-c",
            &script,
        ]);
        assert!(out.status.success(), "tmux failed to start: {out:?}");
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Polls the screen until `pred` holds; the deadline only bounds a hung run.
    fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    fn labtui_pid(&self) -> String {
        let out = self.run(&["display-message", "-p", "#{pane_pid}"]);
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let children = Command::new("pgrep")
            .args(["-P", &shell])
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&children.stdout)
            .lines()
            .next()
            .expect("labtui is running under the shell")
            .to_string()
    }

    fn progress_file(&self) -> PathBuf {
        self.home.path().join("progress.json")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn assert_terminal_restored(screen: &str) {
    assert!(
        screen.contains("EXIT=0"),
        "labtui did not exit cleanly:\n{screen}"
    );
    let modes = screen
        .split("MODES:")
        .nth(1)
        .and_then(|rest| rest.split(":END").next())
        .unwrap_or_default();
    let modes: Vec<&str> = modes.split_whitespace().collect();
    assert!(
        modes.contains(&"icanon"),
        "line editing not restored: {modes:?}"
    );
    assert!(modes.contains(&"echo"), "echo not restored: {modes:?}");
    assert!(
        !screen.contains("Lessons 2"),
        "alternate screen still shown:\n{screen}"
    );
}

#[test]
fn open_a_lesson_show_help_and_quit_restores_the_terminal() {
    let Some(tmux) = Tmux::start(100, 30) else {
        return;
    };
    tmux.wait_for("First steps");
    tmux.keys(&["Enter"]);
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

#[test]
fn sigterm_restores_the_terminal_and_keeps_progress() {
    let Some(tmux) = Tmux::start(80, 24) else {
        return;
    };
    tmux.wait_for("First steps");
    tmux.keys(&["j", "Enter"]);
    tmux.wait_for("A lesson with no queries");
    let pid = tmux.labtui_pid();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let screen = tmux.wait_for(":END");
    assert_terminal_restored(&screen);
    let saved = std::fs::read_to_string(tmux.progress_file()).expect("progress saved");
    assert!(saved.contains("second-steps"), "{saved}");
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
