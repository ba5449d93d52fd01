//! Progress store on a real filesystem: atomic saves, torn writes, corrupt files, export/import.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use labtui::lab::progress::{
    self, CURRENT_SCHEMA, ItemProgress, Loaded, Progress, ProgressError, Status,
};

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
}

fn sample() -> Progress {
    let mut p = Progress::default();
    p.open("promql-basics", at(0));
    p.set_position("promql-basics", 42);
    p.add_time("promql-basics", 300);
    p.record_attempt("latency-challenge", 75.5, at(10));
    p.item_mut("latency-challenge").hints_used = 2;
    p.complete("logql-intro", at(20));
    p
}

/// Names of the files in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn aside_files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("progress.json.corrupt-")
        })
        .collect();
    found.sort();
    found
}

/// Loading `bytes` sets them aside and starts fresh with a notice naming both files.
fn assert_set_aside(bytes: &[u8], reason_part: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.json");
    fs::write(&path, bytes).unwrap();

    let loaded = progress::load(&path).unwrap();

    assert_eq!(loaded.progress, Progress::default());
    assert!(!path.exists(), "the unreadable file must be moved away");
    let aside = aside_files(dir.path());
    assert_eq!(aside.len(), 1, "files: {:?}", names(dir.path()));
    assert_eq!(
        fs::read(&aside[0]).unwrap(),
        bytes,
        "old bytes kept as they were"
    );
    let notice = loaded.notice.expect("a notice for the learner");
    assert!(
        notice.starts_with(&format!(
            "progress file {} was unreadable (",
            path.display()
        )),
        "{notice}"
    );
    assert!(notice.contains(reason_part), "{notice}");
    assert!(
        notice.ends_with(&format!(
            "moved it to {} and started fresh",
            aside[0].display()
        )),
        "{notice}"
    );
}

#[test]
fn save_then_load_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.json");
    let p = sample();
    progress::save(&path, &p).unwrap();
    let loaded = progress::load(&path).unwrap();
    assert_eq!(
        loaded,
        Loaded {
            progress: p,
            notice: None
        }
    );
    assert_eq!(names(dir.path()), ["progress.json"], "no temp left behind");
}

#[test]
fn saved_file_is_readable_json_with_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.json");
    progress::save(&path, &sample()).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(value["schema"], CURRENT_SCHEMA);
    assert_eq!(value["items"]["logql-intro"]["status"], "completed");
    assert_eq!(value["last_item"], "promql-basics");
}

#[test]
fn save_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.json");
    progress::save(&path, &sample()).unwrap();
    let mut p = sample();
    p.complete("promql-basics", at(99));
    progress::save(&path, &p).unwrap();
    assert_eq!(progress::load(&path).unwrap().progress, p);
}

#[test]
fn missing_file_loads_default_without_notice() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = progress::load(&dir.path().join("progress.json")).unwrap();
    assert_eq!(loaded.progress, Progress::default());
    assert_eq!(loaded.notice, None);
}

#[test]
fn missing_directory_loads_default() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = progress::load(&dir.path().join("not/yet/progress.json")).unwrap();
    assert_eq!(loaded.progress, Progress::default());
    assert_eq!(loaded.notice, None);
}

#[test]
fn torn_write_leftover_temp_is_removed_and_the_real_file_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.json");
    let p = sample();
    progress::save(&path, &p).unwrap();
    fs::write(dir.path().join("progress.json.tmp"), b"{\"schema\":1,\"ite").unwrap();
    fs::write(dir.path().join("progress.json.tmp.4242"), b"garbage").unwrap();

    let loaded = progress::load(&path).unwrap();

    assert_eq!(loaded.progress, p);
    assert_eq!(loaded.notice, None);
    assert_eq!(names(dir.path()), ["progress.json"]);
}

#[test]
fn only_a_temp_file_is_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.json");
    // A complete, valid-looking temp: still not trusted, since its save never finished.
    let json = serde_json::to_vec(&sample()).unwrap();
    fs::write(dir.path().join("progress.json.tmp"), json).unwrap();

    let loaded = progress::load(&path).unwrap();

    assert_eq!(loaded.progress, Progress::default());
    assert_eq!(loaded.notice, None);
    assert!(names(dir.path()).is_empty());
}

#[test]
fn corrupt_json_is_moved_aside_with_a_notice() {
    assert_set_aside(b"{\"schema\": 1, \"items\": {", "not valid JSON");
}

#[test]
fn empty_file_is_moved_aside() {
    assert_set_aside(b"", "not valid JSON");
}

#[test]
fn future_schema_is_moved_aside_with_a_notice() {
    assert_set_aside(
        br#"{"schema": 7, "items": {}, "hologram": true}"#,
        "written by a newer labtui (schema 7",
    );
}

#[test]
fn missing_schema_is_moved_aside() {
    assert_set_aside(br#"{"items": {}}"#, "no `schema`");
}

#[test]
fn wrong_shape_is_moved_aside() {
    assert_set_aside(
        br#"{"schema": 1, "items": {"a": {"status": "halfway"}}}"#,
        "not a labtui progress file",
    );
}

#[test]
fn a_second_corruption_does_not_overwrite_the_first_aside_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.json");
    fs::write(&path, b"first").unwrap();
    progress::load(&path).unwrap();
    fs::write(&path, b"second").unwrap();
    progress::load(&path).unwrap();

    let aside = aside_files(dir.path());
    let mut contents: Vec<Vec<u8>> = aside.iter().map(|p| fs::read(p).unwrap()).collect();
    contents.sort();
    assert_eq!(contents, [b"first".to_vec(), b"second".to_vec()]);
}

#[test]
fn unreadable_path_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: a real I/O failure, not corruption.
    let path = dir.path().join("progress.json");
    fs::create_dir(&path).unwrap();
    let err = progress::load(&path).unwrap_err();
    assert!(matches!(err, ProgressError::Read { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(path.is_dir(), "nothing moved aside for an I/O failure");
}

#[test]
fn save_creates_missing_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/c/progress.json");
    progress::save(&path, &sample()).unwrap();
    assert_eq!(progress::load(&path).unwrap().progress, sample());
}

#[test]
fn save_failure_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("data");
    fs::write(&blocker, b"a file, not a directory").unwrap();
    let path = blocker.join("progress.json");
    let err = progress::save(&path, &sample()).unwrap_err();
    assert!(matches!(err, ProgressError::Write { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn export_then_import_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moving/labtui-progress.json");
    progress::export(&sample(), &path).unwrap();
    assert_eq!(progress::import(&path).unwrap(), sample());
}

#[test]
fn import_of_a_missing_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.json");
    let err = progress::import(&path).unwrap_err();
    assert!(matches!(err, ProgressError::Read { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

/// Import of `bytes` fails with an Import error naming the file and containing `parts`.
fn assert_import_error(bytes: &[u8], parts: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.json");
    fs::write(&path, bytes).unwrap();
    let err = progress::import(&path).unwrap_err();
    assert!(matches!(err, ProgressError::Import { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("cannot import {}: ", path.display())),
        "{msg}"
    );
    for part in parts {
        assert!(msg.contains(part), "{msg} lacks {part}");
    }
    assert_eq!(
        fs::read(&path).unwrap(),
        bytes,
        "import never moves the file"
    );
}

#[test]
fn import_rejects_invalid_json_with_its_position() {
    assert_import_error(
        b"{\n  \"schema\": 1,\n  oops\n}",
        &["not valid JSON", "line 3", "pick a file written by"],
    );
}

#[test]
fn import_rejects_a_newer_schema_and_says_to_upgrade() {
    assert_import_error(
        br#"{"schema": 2}"#,
        &["newer labtui (schema 2", "upgrade labtui"],
    );
}

#[test]
fn import_rejects_a_bad_schema() {
    assert_import_error(br#"{"schema": "one"}"#, &["`schema` is \"one\""]);
    assert_import_error(br#"{"schema": 0}"#, &["`schema` is 0"]);
    assert_import_error(br#"[1, 2]"#, &["no `schema`"]);
}

#[test]
fn import_rejects_wrong_field_types_naming_the_problem() {
    assert_import_error(
        br#"{"schema": 1, "items": {"a": {"attempts": "many"}}}"#,
        &["not a labtui progress file", "invalid type"],
    );
}

#[test]
fn imported_progress_merges_into_current() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.json");
    let mut laptop = Progress::default();
    laptop.record_attempt("latency-challenge", 95.0, at(50));
    laptop.complete("latency-challenge", at(60));
    laptop.open("tempo-intro", at(70));
    progress::export(&laptop, &path).unwrap();

    let mut desktop = sample();
    progress::merge_import(&mut desktop, progress::import(&path).unwrap());

    let challenge = desktop.item("latency-challenge");
    assert_eq!(challenge.status, Status::Completed);
    assert_eq!(challenge.best_score, Some(95.0));
    assert_eq!(challenge.hints_used, 2);
    assert_eq!(desktop.item("tempo-intro").status, Status::InProgress);
    assert_eq!(desktop.item("logql-intro").status, Status::Completed);
    assert_eq!(desktop.last_item.as_deref(), Some("promql-basics"));
    assert_eq!(desktop.item("unknown"), ItemProgress::default());
}
