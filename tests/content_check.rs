//! `check()` over sample content trees: a valid one is clean, a broken one reports every
//! problem at its file and line.

use std::path::{Path, PathBuf};

use labtui::lab::content::{Catalog, ItemKind, Problem, check};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/content")
        .join(name)
}

/// The problem as `labtui check` prints it, with the path relative to the content root.
fn shown(problem: &Problem, root: &Path) -> String {
    let relative = Problem {
        file: problem
            .file
            .strip_prefix(root)
            .unwrap_or(&problem.file)
            .to_path_buf(),
        ..problem.clone()
    };
    relative.to_string()
}

#[test]
fn valid_tree_has_no_problems_and_counts_everything() {
    let root = fixture("valid");
    let report = check(&root);
    let problems: Vec<_> = report.problems.iter().map(|p| shown(p, &root)).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        (report.lessons, report.challenges, report.drills),
        (2, 1, 2)
    );
    // Lesson 1: two blocks and a number reference; lesson 2: two blocks, one in a prompt and
    // a LogQL reference; the challenge: one block and a number reference.
    assert_eq!(report.queries_checked, 9);

    let (catalog, problems) = Catalog::load(&root);
    assert!(problems.is_empty());
    let ids: Vec<_> = ItemKind::ALL
        .into_iter()
        .flat_map(|kind| catalog.entries(kind))
        .map(|e| e.id)
        .collect();
    assert_eq!(
        ids,
        [
            "counters",
            "logs-and-traces",
            "slow-checkout",
            "why-rate",
            "error-dashboard"
        ]
    );
}

#[test]
fn broken_tree_lists_every_problem_with_file_and_line() {
    let root = fixture("broken");
    let report = check(&root);
    let expected: &[(&str, &str)] = &[
        (
            "challenges/01-broken.md:20: field `hints`",
            "hint costs add up to 5, which must be less than the 5 points",
        ),
        (
            "challenges/01-broken.md:26: field `ground_truth.fault`",
            "`error_rate` is not one of this challenge's [[faults]] (latency)",
        ),
        ("challenges/01-broken.md:29: ", "no `## Solution` heading"),
        (
            "drills/01-no-example.md:14: ",
            "`### Example Answer` must be written exactly `## Example answer`",
        ),
        (
            "drills/02-duplicate-id.md:2: field `id`",
            "id `ok-lesson` is already used by lessons/00-ok.md:2;",
        ),
        ("lessons/01-no-front-matter.md:1: ", "no front matter"),
        ("lessons/02-unclosed.md:1: ", "never closed"),
        ("lessons/03-syntax.md:3: ", "TOML syntax error"),
        (
            "lessons/04-wrong-type.md:5: field `minutes`",
            "invalid type: string \"ten\"",
        ),
        (
            "lessons/05-unknown-key.md:6: field `prereqs`",
            "unknown field `prereqs`",
        ),
        (
            "lessons/06-bad-id-and-level.md:2: field `id`",
            "`Bad_Id` is not a valid id",
        ),
        ("lessons/06-bad-id-and-level.md:4: field `level`", "not 6"),
        (
            "lessons/07-unknown-prerequisite.md:6: field `prerequisites[1]`",
            "no lesson has the id `missing-lesson`",
        ),
        (
            "lessons/09-cycle-b.md:6: field `prerequisites[0]`",
            "cycle (cycle-a needs cycle-b needs cycle-a)",
        ),
        (
            "lessons/10-unknown-component.md:6: field `components[1]`",
            "unknown component `kafka`",
        ),
        (
            "lessons/11-expectations-and-queries.md:14: field `exercises[0].expect.answer`",
            "`checkout` is not one of the options",
        ),
        (
            "lessons/11-expectations-and-queries.md:23: field `exercises[1].expect.reference`",
            "not both",
        ),
        (
            "lessons/11-expectations-and-queries.md:32: field `exercises[2].expect.reference`",
            "PromQL does not parse",
        ),
        (
            "lessons/11-expectations-and-queries.md:33: field `exercises[2].expect.window`",
            "`five minutes` is not a duration",
        ),
        (
            "lessons/11-expectations-and-queries.md:42: field `exercises[3].expect.reference`",
            "TraceQL looks malformed",
        ),
        (
            "lessons/11-expectations-and-queries.md:45: ",
            "PromQL does not parse",
        ),
        (
            "lessons/11-expectations-and-queries.md:49: ",
            "flagged `invalid`",
        ),
        (
            "lessons/11-expectations-and-queries.md:53: ",
            "LogQL looks malformed",
        ),
    ];
    let shown: Vec<String> = report.problems.iter().map(|p| shown(p, &root)).collect();
    for (i, (prefix, needle)) in expected.iter().enumerate() {
        let Some(line) = shown.get(i) else {
            panic!("missing problem {prefix} ... {needle}; got {shown:#?}");
        };
        assert!(
            line.starts_with(prefix) && line.contains(needle),
            "problem {i}: expected `{prefix}` ... `{needle}`, got `{line}`\nall: {shown:#?}"
        );
    }
    assert_eq!(shown.len(), expected.len(), "{shown:#?}");
    assert_eq!(
        (report.lessons, report.challenges, report.drills),
        (12, 1, 2)
    );
    assert_eq!(report.queries_checked, 6);
}

#[test]
fn broken_tree_still_loads_its_valid_items() {
    let (catalog, problems) = Catalog::load(&fixture("broken"));
    assert!(!problems.is_empty());
    let ids: Vec<_> = catalog.lessons.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["ok-lesson", "cycle-a"]);
    assert!(catalog.challenges.is_empty() && catalog.drills.is_empty());
    assert_eq!(
        catalog.find("ok-lesson").map(|item| item.kind()),
        Some(ItemKind::Lesson)
    );
}

#[test]
fn complete_examples_in_the_author_guide_pass_the_check() {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CONTENT.md"))
            .expect("docs/CONTENT.md is readable");
    let examples: Vec<&str> = guide
        .split("````markdown\n")
        .skip(1)
        .map(|rest| rest.split("\n````").next().unwrap_or(""))
        .filter(|example| example.starts_with("+++\n"))
        .collect();
    assert_eq!(examples.len(), 3, "a lesson, a challenge and a drill");
    let dir = tempfile::tempdir().unwrap();
    for (kind, example) in ItemKind::ALL.into_iter().zip(&examples) {
        let folder = dir.path().join(kind.folder());
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("01-example.md"), example).unwrap();
    }
    let report = check(dir.path());
    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|p| shown(p, dir.path()))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        (report.lessons, report.challenges, report.drills),
        (1, 1, 1)
    );
}

/// A content root with one dashboard drill naming `dashboard`, and the dataset files given.
fn dashboard_tree(dashboard: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("tempdir");
    let drills = root.path().join("drills");
    std::fs::create_dir_all(&drills).expect("drills dir");
    let drill = format!(
        "+++\nid = \"explain-recorded\"\ntitle = \"Explain a recorded dashboard\"\nlevel = 3\n\
         minutes = 10\nkind = \"explain-this-dashboard\"\nquestion = \"What happened?\"\n\
         dashboard = {dashboard:?}\n\n[[rubric]]\nconcept = \"latency\"\n+++\n\nLook.\n\n\
         ## Example answer\n\nIt got slow.\n"
    );
    std::fs::write(drills.join("01-recorded.md"), drill).expect("drill");
    for (path, text) in files {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, text).expect("dataset");
    }
    root
}

const DATASET: &str = r#"{
  "format": 1,
  "title": "Checkout under latency",
  "recorded": {"source": "labtui native lab", "labtui_version": "0.1.0",
               "fault": "latency", "target": "payments"},
  "start": 1000, "end": 1120, "step": 60,
  "annotations": [{"time": 1060, "text": "fault injected"}],
  "panels": [{"title": "p95", "unit": "s", "query": "histogram_quantile(0.95, x)",
              "series": [{"labels": {}, "points": [[1000, 0.1], [1060, 1.2], [1120, 0.1]]}]}]
}"#;

fn problems_of(root: &Path) -> Vec<String> {
    check(root)
        .problems
        .iter()
        .map(|p| shown(p, root))
        .collect()
}

#[test]
fn a_drill_loads_its_recorded_dashboard() {
    let tree = dashboard_tree(
        "assets/dashboards/x.json",
        &[("assets/dashboards/x.json", DATASET)],
    );
    assert_eq!(problems_of(tree.path()), Vec::<String>::new());
    let (catalog, _) = Catalog::load(tree.path());
    let recorded = catalog.drills[0].recorded.as_ref().expect("dataset loaded");
    assert_eq!(recorded.panels[0].series[0].points[1], (1060, 1.2));
}

#[test]
fn a_missing_dataset_is_reported_on_the_dashboard_line() {
    let tree = dashboard_tree("assets/dashboards/none.json", &[]);
    let problems = problems_of(tree.path());
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("drills/01-recorded.md:8: field `dashboard`: no dataset at `assets/dashboards/none.json`"),
        "{problems:#?}"
    );
    let (catalog, _) = Catalog::load(tree.path());
    assert!(
        catalog.drills.is_empty(),
        "a drill without its data is left out"
    );
}

#[test]
fn paths_leaving_the_content_root_are_refused() {
    let outside = tempfile::tempdir().expect("tempdir");
    let elsewhere = outside.path().join("x.json");
    std::fs::write(&elsewhere, DATASET).expect("dataset");
    for (path, expect) in [
        ("../x.json", "leaves the content root"),
        (
            elsewhere.to_str().expect("utf-8"),
            "must be a path relative to the content root",
        ),
    ] {
        let tree = dashboard_tree(path, &[]);
        let problems = problems_of(tree.path());
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].starts_with("drills/01-recorded.md:8: field `dashboard`:")
                && problems[0].contains(expect),
            "{path}: {problems:#?}"
        );
    }
    #[cfg(unix)]
    {
        let tree = dashboard_tree("assets/link.json", &[]);
        std::fs::create_dir_all(tree.path().join("assets")).expect("assets");
        std::os::unix::fs::symlink(&elsewhere, tree.path().join("assets/link.json"))
            .expect("symlink");
        let problems = problems_of(tree.path());
        assert!(
            problems.len() == 1 && problems[0].contains("outside the content root"),
            "{problems:#?}"
        );
    }
}

#[test]
fn bad_json_is_reported_at_its_line_in_the_dataset() {
    let broken = DATASET.replace("\"step\": 60,", "\"step\": 60");
    let tree = dashboard_tree("assets/x.json", &[("assets/x.json", &broken)]);
    let problems = problems_of(tree.path());
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].starts_with("assets/x.json:7: not a valid dashboard dataset: expected `,`"),
        "{problems:#?}"
    );
    assert!(
        problems[1].starts_with(
            "drills/01-recorded.md:8: field `dashboard`: the dataset `assets/x.json` has a problem"
        ),
        "{problems:#?}"
    );
}

#[test]
fn a_dataset_without_panels_is_a_problem() {
    let start = DATASET.find("\"panels\"").expect("panels");
    let empty = format!("{}\"panels\": []\n}}", &DATASET[..start]);
    let tree = dashboard_tree("assets/x.json", &[("assets/x.json", &empty)]);
    let problems = problems_of(tree.path());
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("assets/x.json: `panels` is empty")),
        "{problems:#?}"
    );
}
