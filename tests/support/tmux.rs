//! A private tmux server running labtui at a fixed size with NO_COLOR, for end-to-end
//! tests: wait for text on screen (never a fixed sleep), send keys, read the exit.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SESSION: AtomicUsize = AtomicUsize::new(0);

/// One private tmux server per test, killed on drop even when the test fails.
pub struct Tmux {
    socket: String,
    pub home: tempfile::TempDir,
    content: PathBuf,
}

impl Tmux {
    pub fn start(width: u16, height: u16) -> Option<Self> {
        Self::start_with(width, height, &[])
    }

    /// [`Self::start`] with extra environment variables for labtui.
    pub fn start_with(width: u16, height: u16, env: &[(&str, &str)]) -> Option<Self> {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui");
        Self::start_env(width, height, &content, env)
    }

    /// labtui on the content in `content`.
    pub fn start_in(width: u16, height: u16, content: &Path) -> Option<Self> {
        Self::start_env(width, height, content, &[])
    }

    fn start_env(width: u16, height: u16, content: &Path, env: &[(&str, &str)]) -> Option<Self> {
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
        let tmux = Self {
            socket,
            home,
            content: content.to_path_buf(),
        };
        let script = Self::script();
        let width = width.to_string();
        let height = height.to_string();
        let extra: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut args = vec!["new-session", "-d", "-x", &width, "-y", &height];
        for e in &extra {
            args.extend(["-e", e.as_str()]);
        }
        let home = format!("LABTUI_HOME={}", tmux.home.path().display());
        let content_env = format!("LABTUI_CONTENT={}", content.display());
        args.extend([
            "-e",
            "NO_COLOR=1",
            "-e",
            &home,
            "-e",
            &content_env,
            "-e",
            "TERM=xterm-256color",
            "sh",
            "-c",
            &script,
        ]);
        let out = tmux.run(&args);
        assert!(out.status.success(), "tmux failed to start: {out:?}");
        Some(tmux)
    }

    /// After labtui exits, the shell prints its exit code and the tty modes, then waits.
    fn script() -> String {
        format!(
            "'{bin}'; code=$?; modes=$(stty -a | tr -s ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '); echo \"EXIT=$code MODES: $modes:END\"; exec sleep 600",
            bin = env!("CARGO_BIN_EXE_labtui"),
        )
    }

    /// Start labtui again in the same pane, home and content (after it exited or was killed).
    pub fn respawn(&self) {
        let out = self.run(&[
            "respawn-pane",
            "-k",
            "-e",
            "NO_COLOR=1",
            "-e",
            &format!("LABTUI_HOME={}", self.home.path().display()),
            "-e",
            &format!("LABTUI_CONTENT={}", self.content.display()),
            "-e",
            "TERM=xterm-256color",
            "sh",
            "-c",
            &Self::script(),
        ]);
        assert!(out.status.success(), "tmux respawn failed: {out:?}");
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Polls the screen until `pred` holds; the deadline only bounds a hung run.
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_within(Duration::from_secs(20), what, pred)
    }

    /// [`Self::wait_until`] with a longer bound, for what the lab takes time to show.
    pub fn wait_within(&self, within: Duration, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + within;
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

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    pub fn labtui_pid(&self) -> String {
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

    /// The pane's own record of the modes labtui left behind: alternate screen, any mouse
    /// reporting, SGR mouse encoding (tmux tracks them per pane; all must be off).
    pub fn assert_modes_off(&self) {
        let out = self.run(&[
            "display-message",
            "-p",
            "alternate_on=#{alternate_on} mouse_any=#{mouse_any_flag} mouse_sgr=#{mouse_sgr_flag}",
        ]);
        let modes = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(
            modes,
            "alternate_on=0 mouse_any=0 mouse_sgr=0",
            "the terminal was left in labtui's modes:\n{}",
            self.screen()
        );
    }

    pub fn progress_file(&self) -> PathBuf {
        self.home.path().join("progress.json")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

pub fn assert_terminal_restored(screen: &str) {
    assert!(
        screen.contains("EXIT=0"),
        "labtui did not exit cleanly:\n{screen}"
    );
    assert_tty_restored(screen);
}

/// Line editing and echo back on, labtui's screen gone, whatever the exit code.
pub fn assert_tty_restored(screen: &str) {
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
