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
fn check_refuses_a_folder_that_is_not_a_content_root() {
    let home = tempfile::tempdir().expect("home");
    let empty = tempfile::tempdir().expect("empty");
    let out = labtui(home.path(), &["check", &empty.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "not a content root: expected at least one of lessons/, challenges/, drills/, paths/"
        ),
        "{}",
        stderr(&out)
    );
    // The lessons folder itself, as an author might pass it.
    let lessons = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui/lessons");
    let out = labtui(home.path(), &["check", &lessons.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("this looks like the lessons/ folder itself: check its parent"),
        "{}",
        stderr(&out)
    );
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
fn paths_list_progress_and_show_one_path_in_order() {
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("progress.json"),
        r#"{"schema":1,"items":{"rate-vs-irate":{"status":"completed","best_score":80.0},"slow-thing":{"status":"in_progress","attempts":1,"best_score":15.0}}}"#,
    )
    .expect("seed progress");
    let out = labtui(home.path(), &["paths"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ID"), "{table}");
    // on-call includes basics after its first item: 1 of 4 done, second-steps next.
    assert!(
        lines[1].starts_with("basics") && lines[1].contains(" 1/2  first-steps "),
        "{table}"
    );
    assert!(
        lines[2].starts_with("on-call") && lines[2].contains(" 1/4  second-steps "),
        "{table}"
    );
    assert!(lines[2].ends_with("Ready for on-call"), "{table}");

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&labtui(home.path(), &["paths", "--json"]))).expect("json");
    assert_eq!(json[1]["id"], "on-call");
    assert_eq!(json[1]["items"], 4);
    assert_eq!(json[1]["completed"], 1);
    assert_eq!(json[1]["next"]["id"], "second-steps");
    assert_eq!(json[1]["audience"], "people about to carry the pager");

    let out = labtui(home.path(), &["paths", "on-call"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(shown.starts_with("Ready for on-call\n"), "{shown}");
    assert!(
        shown.contains("1/4 completed; next: second-steps"),
        "{shown}"
    );
    let rows: Vec<Vec<&str>> = shown
        .lines()
        .skip_while(|l| !l.trim_start().starts_with('#'))
        .skip(1)
        .map(|l| l.split_whitespace().take(2).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["1", "lesson"],
            ["2", "drill"],
            ["3", "lesson"],
            ["4", "challenge"]
        ]
    );
    assert!(
        shown.contains("completed       80%  rate-vs-irate"),
        "{shown}"
    );
    assert!(shown.contains("in progress   15/10  slow-thing"), "{shown}");

    let json: serde_json::Value = serde_json::from_str(&stdout(&labtui(
        home.path(),
        &["paths", "on-call", "--json"],
    )))
    .expect("json");
    let ids: Vec<&str> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["second-steps", "rate-vs-irate", "first-steps", "slow-thing"]
    );
    assert_eq!(json["items"][3]["kind"], "challenge");
    assert_eq!(json["items"][3]["status"], "in_progress");
    assert_eq!(json["items"][3]["best_score"], 15.0);

    let out = labtui(home.path(), &["paths", "on-cal"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("no learning path has the id `on-cal`; the paths are: basics, on-call"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_reports_path_problems_with_file_and_line() {
    let home = tempfile::tempdir().expect("home");
    let ok = labtui(home.path(), &["check"]);
    assert!(
        stdout(&ok).contains("1 drill, 2 paths, "),
        "{}",
        stdout(&ok)
    );
    let broken = tempfile::tempdir().expect("content");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui"),
        broken.path(),
    );
    // basics now includes on-call, which includes basics; and a typo, and an empty path.
    std::fs::write(
        broken.path().join("paths/01-basics.toml"),
        "id = \"basics\"\ntitle = \"Basics\"\nitems = [\n  \"first-step\",\n  \"path:on-call\",\n]\n",
    )
    .expect("write");
    std::fs::write(
        broken.path().join("paths/03-empty.toml"),
        "id = \"empty\"\ntitle = \"Empty\"\nitems = []\n",
    )
    .expect("write");
    let out = labtui(
        home.path(),
        &["check", &broken.path().display().to_string()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "paths/01-basics.toml:4: field `items[0]`: no lesson, challenge or drill has the id `first-step`; did you mean `first-steps`?",
        "paths/02-on-call.toml:6: field `items[1]`: paths include each other in a cycle (basics includes on-call includes basics)",
        "paths/03-empty.toml:3: field `items`: the path is empty",
        "3 problems:",
    ] {
        assert!(err.contains(expected), "missing {expected}\n{err}");
    }
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

#[test]
fn a_reader_that_goes_away_ends_a_command_quietly() {
    use std::os::unix::process::ExitStatusExt as _;
    use std::process::{Command, Stdio};
    let home = tempfile::tempdir().expect("home");
    // Every catalogue entry is written into a pipe whose reader has already gone, as with
    // `labtui fault list | head -1`.
    let mut child = Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(["fault", "list"])
        .env("LABTUI_HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn labtui");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "{:?} {err}",
        out.status
    );
}
