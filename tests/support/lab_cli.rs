//! A native lab driven through the `labtui` binary, for tests that run the console against
//! it: run a command, stop the lab on every way out, and tell whether the lab can start.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use super::tools;

/// `labtui ARGS` with `home` as LABTUI_HOME and no colour.
pub fn labtui(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(args)
        .env("LABTUI_HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .expect("run labtui")
}

/// Stops the lab even when an assertion fails.
pub struct LabGuard<'a>(pub &'a Path);

impl Drop for LabGuard<'_> {
    fn drop(&mut self) {
        let _ = labtui(self.0, &["down"]);
    }
}

/// The native lab's programs are here (else the test returns: CI installs them).
pub fn lab_installed() -> bool {
    tools::installed(&["prometheus"]).is_some()
        && tools::installed(&["alertmanager", "prometheus-alertmanager"]).is_some()
}

/// `labtui up` on free ports in `home`; the guard stops the lab even when the test fails.
pub fn start_lab(home: &Path) -> (LabGuard<'_>, u16) {
    let guard = LabGuard(home);
    let base = tools::free_port_base(300, 50);
    let up = labtui(
        home,
        &[
            "up",
            "--runtime",
            "native",
            "--port-base",
            &base.to_string(),
        ],
    );
    assert!(
        up.status.success(),
        "labtui up failed:\n{}{}",
        String::from_utf8_lossy(&up.stdout),
        String::from_utf8_lossy(&up.stderr)
    );
    (guard, base)
}
