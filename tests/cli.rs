//! The command line as a learner uses it: real binary, own LABTUI_HOME.

use std::path::Path;
use std::process::{Command, Output};

fn labtui(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(args)
        .env("LABTUI_HOME", home)
        .env(
            "LABTUI_CONTENT",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui"),
        )
        .env("NO_COLOR", "1")
        .output()
        .expect("run labtui")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn check_passes_on_good_content_and_lists_problems_with_file_and_line() {
    let home = tempfile::tempdir().expect("home");
    let ok = labtui(home.path(), &["check"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).starts_with("ok: 2 lessons, 1 challenge, 1 drill"));

    // A broken copy: a lesson whose level is out of range and whose PromQL does not parse.
    let broken = tempfile::tempdir().expect("content");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui"),
        broken.path(),
    );
    let lesson = broken.path().join("lessons/01-first.md");
    let text = std::fs::read_to_string(&lesson).expect("read");
    let text = text
        .replace("level = 1", "level = 9")
        .replace("sum(up)\n```", "sum(up\n```");
    std::fs::write(&lesson, text).expect("write");
    // A challenge fault the catalogue would refuse: latency's `ms` goes up to 10000.
    let challenge = broken.path().join("challenges/01-slow.md");
    let text = std::fs::read_to_string(&challenge).expect("read");
    std::fs::write(&challenge, text.replace("ms = 900", "ms = 99999")).expect("write");
    let out = labtui(
        home.path(),
        &["check", &broken.path().display().to_string()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("lessons/01-first.md:4: field `level`"),
        "{err}"
    );
    assert!(
        err.contains("lessons/01-first.md:") && err.contains("PromQL"),
        "{err}"
    );
    assert!(
        err.contains("challenges/01-slow.md:11: field `faults[0].params`"),
        "{err}"
    );
    assert!(err.contains("ms"), "{err}");
    assert!(err.contains("3 problems:"), "{err}");
}

#[test]
fn lists_show_progress_as_table_and_json() {
    let home = tempfile::tempdir().expect("home");
    let table = stdout(&labtui(home.path(), &["lessons"]));
    assert!(
        table
            .lines()
            .next()
            .is_some_and(|h| h.starts_with("STATUS"))
    );
    assert!(table.contains("not started  first-steps"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&labtui(home.path(), &["drills", "--json"]))).expect("json");
    assert_eq!(json[0]["id"], "rate-vs-irate");
    assert_eq!(json[0]["status"], "not_started");
    let challenges = stdout(&labtui(home.path(), &["challenges"]));
    assert!(challenges.contains("slow-thing"));
}

#[test]
fn progress_export_import_and_reset_round_trip() {
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("progress.json"),
        r#"{"schema":1,"items":{"first-steps":{"status":"completed","attempts":2,"time_spent_secs":600}},"last_item":"first-steps"}"#,
    )
    .expect("seed progress");
    let shown = stdout(&labtui(home.path(), &["progress", "show"]));
    assert!(shown.contains("lessons: 1/2 complete"), "{shown}");
    assert!(
        shown.contains("First steps (10 min spent, 2 attempts"),
        "{shown}"
    );

    let export = home.path().join("moved.json");
    let out = labtui(
        home.path(),
        &["progress", "export", &export.display().to_string()],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let out = labtui(home.path(), &["progress", "reset", "first-steps"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&labtui(home.path(), &["progress", "show"])).contains("lessons: 0/2"));
    let again = labtui(home.path(), &["progress", "reset", "first-steps"]);
    assert!(!again.status.success(), "resetting nothing is an error");
    assert!(stderr(&again).contains("no progress recorded for `first-steps`"));

    let out = labtui(
        home.path(),
        &["progress", "import", &export.display().to_string()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&labtui(home.path(), &["progress", "show"])).contains("lessons: 1/2"));

    let out = labtui(home.path(), &["progress", "reset", "--all"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&labtui(
        home.path(),
        &["progress", "show", "--json"],
    )))
    .expect("json");
    assert_eq!(json["items"], serde_json::json!({}));
}

#[test]
fn importing_a_broken_file_names_it_and_changes_nothing() {
    let home = tempfile::tempdir().expect("home");
    let bad = home.path().join("bad.json");
    std::fs::write(&bad, "{ not json").expect("write");
    let out = labtui(
        home.path(),
        &["progress", "import", &bad.display().to_string()],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad.json"), "{}", stderr(&out));
    assert!(!home.path().join("progress.json").exists());
}

#[test]
fn an_invalid_config_is_reported_before_the_console_opens() {
    let home = tempfile::tempdir().expect("home");
    std::fs::write(home.path().join("config.toml"), "theme = \"blue\"\n").expect("write");
    let out = labtui(home.path(), &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("config.toml:1") && err.contains("theme"),
        "{err}"
    );
    assert!(err.contains("dark, light, high-contrast"), "{err}");
}

#[test]
fn completions_and_version() {
    let home = tempfile::tempdir().expect("home");
    let bash = stdout(&labtui(home.path(), &["completions", "bash"]));
    assert!(bash.contains("labtui") && bash.contains("progress"));
    let version = stdout(&labtui(home.path(), &["--version"]));
    assert_eq!(
        version.trim(),
        format!("labtui {}", env!("CARGO_PKG_VERSION"))
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
