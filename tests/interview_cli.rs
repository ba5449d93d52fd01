//! `labtui interview` as a learner runs it, answers piped in: each drill's question, the
//! rubric's verdict, the example answer, a summary, and each attempt in progress. No lab.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use labtui::lab::progress;

fn interview(home: &Path, args: &[&str], answers: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_labtui"))
        .arg("interview")
        .args(args)
        .env("LABTUI_HOME", home)
        .env("LABTUI_CONTENT", env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run labtui");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(answers.as_bytes())
        .expect("answers written");
    child.wait_with_output().expect("labtui ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn two_drills_are_asked_graded_by_their_rubrics_and_recorded() {
    let home = tempfile::tempdir().unwrap();
    let good = "An average hides the slow tail. Percentiles are not additive: you cannot \
                average them, the instances carry different traffic. Sum the buckets by (le) \
                across instances, then take histogram_quantile.\n.\n";
    let out = interview(
        home.path(),
        &["drill-averaging-percentiles", "drill-rate-irate-increase"],
        &format!("{good}\n.\n"),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("Question 1 of 2: Why histograms"),
        "{stdout}"
    );
    assert!(stdout.contains("Question 2 of 2"), "{stdout}");
    assert!(
        stdout.contains("✓ percentiles are not additive"),
        "{stdout}"
    );
    assert!(stdout.contains("An example answer:"), "{stdout}");
    assert!(stdout.contains("Worth discussing:"), "{stdout}");
    // The second answer was empty: nothing covered, everything missed, not passed.
    assert!(stdout.contains("1 of 2 passed"), "{stdout}");
    assert!(stdout.contains("  0%  not yet"), "{stdout}");

    let loaded = progress::load(&home.path().join("progress.json")).unwrap();
    let good_item = loaded.progress.item("drill-averaging-percentiles");
    assert_eq!(good_item.attempts, 1);
    assert!(
        good_item.best_score.is_some_and(|s| s >= 60.0),
        "{good_item:?}"
    );
    assert_eq!(good_item.status, progress::Status::Completed);
    let empty_item = loaded.progress.item("drill-rate-irate-increase");
    assert_eq!((empty_item.attempts, empty_item.best_score), (1, Some(0.0)));
}

#[test]
fn a_choice_by_tag_is_seeded_and_unknown_ids_or_tags_say_what_exists() {
    let home = tempfile::tempdir().unwrap();
    let asked = |seed: &str| {
        let out = interview(
            home.path(),
            &["--tag", "interview", "--count", "2", "--seed", seed],
            "",
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("── Question"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let first = asked("7");
    assert_eq!(first.len(), 2, "{first:?}");
    assert_eq!(asked("7"), first, "the same seed asks the same drills");

    let out = interview(home.path(), &["no-such-drill"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("drill-averaging-percentiles"),
        "{}",
        text(&out.stderr)
    );
    let out = interview(home.path(), &["--tag", "no-such-tag"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("labtui drills"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_dashboard_drill_prints_its_recorded_panels_before_the_question() {
    let home = tempfile::tempdir().unwrap();
    let out = interview(
        home.path(),
        &["drill-explain-checkout-incident"],
        "Latency went up somewhere.\n.\n",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let tables = stdout
        .find("Recorded dashboard:")
        .expect("the dashboard is printed");
    let question = stdout
        .find("Walk me through it")
        .expect("the question is asked");
    assert!(tables < question, "{stdout}");
    for panel in [
        "Storefront 5xx ratio (%)",
        "p95 latency by service (s)",
        "CPU by service (cores)",
    ] {
        assert!(stdout.contains(panel), "{panel}: {stdout}");
    }
    assert!(stdout.contains("▲ 18:44:39 fault injected"), "{stdout}");
    // The recording, the orders p95 at its plateau while the fault was on.
    let row = stdout
        .lines()
        .find(|l| l.starts_with("  18:46:00") && l.contains("2.45s"))
        .expect("a p95 row during the fault");
    assert!(row.contains("70.8ms"), "{row}");
    // What was injected is not given away before the answer.
    assert!(!stdout[..question].contains("pool_exhaustion"), "{stdout}");
}
