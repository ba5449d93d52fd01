//! What the lab tests need from the machine: installed binaries, and free port ranges.

#![allow(dead_code)]

use std::path::PathBuf;

use labtui::lab::stack::{StackSpec, ports};

/// The installed binary for one of `names`, or None (skip) unless LABTUI_REQUIRE_TOOLS=1.
pub fn installed(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = names
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("LABTUI_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{names:?} required (LABTUI_REQUIRE_TOOLS=1) but not on PATH"
        );
        eprintln!(
            "skipping: none of {names:?} is on PATH (sudo apt install prometheus prometheus-alertmanager)"
        );
    }
    found
}

/// A temp dir with `bin/` holding links to the installed Prometheus and Alertmanager (to put
/// on a lab's PATH) and an empty `home/`; None (skip) when either is missing.
pub fn stack_home() -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
    let prometheus = installed(&["prometheus"])?;
    let alertmanager = installed(&["alertmanager", "prometheus-alertmanager"])?;
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    std::os::unix::fs::symlink(&prometheus, bin.join("prometheus")).expect("link");
    let am = alertmanager.file_name().expect("file name");
    std::os::unix::fs::symlink(&alertmanager, bin.join(am)).expect("link");
    let home = dir.path().join("home");
    Some((dir, bin, home))
}

/// Every port a lab may listen on, as an offset from its `--port-base`.
pub fn lab_port_offsets() -> Vec<u16> {
    let spec = StackSpec::builtin().expect("spec");
    spec.lab_ports
        .iter()
        .chain(spec.all().iter().flat_map(|c| c.ports.iter()))
        .map(|p| p.offset)
        .chain(80..=85) // the shop
        .collect()
}

/// A `--port-base` in `first_hundred*100 ..` (`count` hundreds) whose every spec port is
/// free. Each test file takes its own range so parallel test binaries do not collide.
pub fn free_port_base(first_hundred: u16, count: u16) -> u16 {
    let offsets = lab_port_offsets();
    // Two tests of one binary run at once: each call starts from another range.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let start = ((std::process::id() + call * 13) % u32::from(count)) as u16;
    (0..count)
        .map(|i| ((start + i * 7) % count + first_hundred) * 100)
        .find(|base| offsets.iter().all(|o| ports::is_free(base + o)))
        .expect("a free port range")
}

/// The content root the content tests check: `LABTUI_CONTENT_ROOT` when set (a checkout of
/// content being written, checked with an already built test binary), else this crate's.
pub fn content_root() -> PathBuf {
    std::env::var_os("LABTUI_CONTENT_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
