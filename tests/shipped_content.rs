//! The lessons, challenges and drills that ship with labtui pass `labtui check`.

use std::path::Path;

use labtui::lab::content::{self, Catalog, ItemKind};

#[test]
fn shipped_content_has_no_problems() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = content::check(root);
    let listed: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        listed.is_empty(),
        "content problems:\n{}",
        listed.join("\n")
    );
    assert!(report.lessons >= 11 && report.challenges >= 7 && report.drills >= 26);
    assert!(report.queries_checked > 0);
}

#[test]
fn every_shipped_item_loads_and_lessons_come_in_file_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalog, problems) = Catalog::load(root);
    assert!(problems.is_empty());
    let lessons: Vec<String> = catalog
        .entries(ItemKind::Lesson)
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(
        lessons[..11],
        [
            "three-pillars",
            "promql-basics",
            "logql-basics",
            "promql-aggregation",
            "histograms-percentiles",
            "logql-parsing",
            "tracing-traceql",
            "correlation",
            "alerting",
            "slos-error-budgets",
            "red-use-dashboards",
        ]
    );
}

#[test]
fn shipped_paths_run_beginner_to_expert_and_pca_prep() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalog, problems) = Catalog::load(root);
    assert!(problems.is_empty());
    let ids: Vec<&str> = catalog.paths.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids[..5],
        ["beginner", "intermediate", "advanced", "expert", "pca-prep"]
    );
    for path in &catalog.paths {
        let entries = catalog.path_entries(path);
        assert_eq!(
            entries.len(),
            path.items.len(),
            "every item of `{}` is loaded, none twice",
            path.id
        );
        assert!(
            !path.description.trim().is_empty(),
            "`{}` says what it is",
            path.id
        );
    }
}
