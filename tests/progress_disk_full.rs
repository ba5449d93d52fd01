//! A progress save that fails (a full disk, a read-only one, a directory that cannot
//! exist) loses nothing saved before, and the console says so in its status bar.
//!
//! The full and read-only disks are a real 64 KiB tmpfs mounted for the test (unmounted on
//! drop, even when it fails); where mounting is not permitted those two tests say so and
//! skip. The status bar test needs no mount: it takes the error of a real failed save.

mod common;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use common::{app_with, send};
use labtui::lab::progress::{self, Progress, ProgressError};
use labtui::tui::app::Msg;
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A 64 KiB tmpfs on a fresh temp dir, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> Option<Self> {
        let dir = tempfile::tempdir().expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Self { dir }),
            other => {
                eprintln!(
                    "skipping: cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN): {other:?}"
                );
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount_read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .status()
            .expect("mount");
        assert!(status.success(), "remount read-only failed");
    }

    /// Fill every free byte with a filler file, until the disk says it is full.
    fn fill(&self) {
        let mut filler = fs::File::create(self.path().join("filler")).expect("filler");
        let block = [0u8; 4096];
        loop {
            match filler.write_all(&block) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                Err(e) => panic!("filling the disk failed otherwise: {e}"),
            }
        }
        // The last partial block may have gone in; what matters is that nothing more fits.
        let _ = filler.sync_all();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn sample(n: usize) -> Progress {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 4, 5, 6, 7)
        .single()
        .expect("date");
    let mut p = Progress::default();
    for i in 0..n {
        let id = format!("item-{i:03}");
        p.open(&id, now);
        p.record_attempt(&id, 0.5, now);
    }
    p
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A save that must fail: the file before and after is byte for byte the same, it loads
/// to what was saved, and no temp file is left beside it.
fn assert_failed_save_keeps(file: &Path, before: &Progress, attempt: &Progress) -> String {
    let bytes = fs::read(file).expect("saved file");
    let err = progress::save(file, attempt).expect_err("the save cannot succeed");
    assert!(matches!(err, ProgressError::Write { .. }), "{err:?}");
    assert_eq!(
        fs::read(file).expect("still there"),
        bytes,
        "the saved file changed"
    );
    let loaded = progress::load(file).expect("loads");
    assert_eq!(loaded.notice, None);
    assert_eq!(&loaded.progress, before);
    let dir = file.parent().expect("dir");
    assert!(
        !entries(dir).iter().any(|n| n.contains(".tmp")),
        "a temp file was left: {:?}",
        entries(dir)
    );
    err.to_string()
}

#[test]
fn a_full_disk_fails_the_save_and_keeps_the_saved_file() {
    let Some(disk) = SmallDisk::mount() else {
        return;
    };
    let file = disk.path().join("progress.json");
    let before = sample(20);
    progress::save(&file, &before).expect("the first save fits");
    disk.fill();

    let message = assert_failed_save_keeps(&file, &before, &sample(21));
    assert!(
        message.contains("No space left on device") && message.contains("disk is not full"),
        "{message}"
    );
}

#[test]
fn a_read_only_disk_fails_the_save_and_keeps_the_saved_file() {
    let Some(disk) = SmallDisk::mount() else {
        return;
    };
    let file = disk.path().join("progress.json");
    let before = sample(5);
    progress::save(&file, &before).expect("the first save");
    disk.remount_read_only();

    let message = assert_failed_save_keeps(&file, &before, &sample(6));
    assert!(message.contains("Read-only file system"), "{message}");
}

/// The console's side: the saver's error reaches the status bar, word for word, and the
/// next autosave tries again.
#[test]
fn a_failed_save_shows_in_the_status_bar() {
    // A real failed save, with no mount needed: its directory would be under a file.
    let dir = tempfile::tempdir().expect("dir");
    let blocker: PathBuf = dir.path().join("not-a-dir");
    fs::write(&blocker, "a file").expect("blocker");
    let err = progress::save(&blocker.join("progress.json"), &sample(1))
        .expect_err("cannot create a directory under a file")
        .to_string();

    let mut app = app_with(Progress::default(), (160, 30));
    send(&mut app, [Msg::ProgressSaved(Err(err.clone()))]);
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| view(&app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let last_row: String = (0..w)
        .map(|x| buffer[(x, h - 1)].symbol().to_string())
        .collect();
    assert!(
        last_row.contains("could not save progress: could not write progress to"),
        "status bar: {last_row:?}"
    );
}
