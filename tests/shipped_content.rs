//! The lessons, challenges and drills that ship with labtui pass `labtui check`.

use std::collections::BTreeSet;
use std::path::Path;

use labtui::lab::content::{self, Catalog, ItemKind, Tier};

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
    assert!(report.lessons >= 22 && report.challenges >= 16 && report.drills >= 45);
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
        lessons[..22],
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
            "chaos-engineering",
            "database-observability",
            "queues-streaming",
            "data-pipelines",
            "releases-cicd",
            "incident-response",
            "otel-collector",
            "cost-cardinality",
            "anomaly-detection",
            "observability-as-code",
            "security-signals",
        ]
    );
}

/// The course's shape: every lesson has at least three exercises of at least two kinds;
/// each tier has at least five challenges, each with a number and a query question and
/// two or three hints; every item sits in at least one learning path.
#[test]
fn the_course_has_its_shape() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (catalog, problems) = Catalog::load(root);
    assert!(problems.is_empty());
    for lesson in &catalog.lessons {
        let kinds: BTreeSet<&str> = lesson
            .exercises
            .iter()
            .map(|e| e.expect.kind_name())
            .collect();
        assert!(
            lesson.exercises.len() >= 3 && kinds.len() >= 2,
            "{}: {} exercises of kinds {kinds:?}",
            lesson.id,
            lesson.exercises.len()
        );
    }
    for tier in [Tier::SingleService, Tier::CrossService, Tier::Subtle] {
        let n = catalog.challenges.iter().filter(|c| c.tier == tier).count();
        assert!(n >= 5, "{tier:?}: {n} challenges");
    }
    for c in &catalog.challenges {
        let kinds: BTreeSet<&str> = c.questions.iter().map(|q| q.expect.kind_name()).collect();
        assert!(
            kinds.contains("number") && kinds.contains("query"),
            "{}: question kinds {kinds:?}",
            c.id
        );
        assert!(
            (2..=3).contains(&c.hints.len()),
            "{}: {} hints",
            c.id,
            c.hints.len()
        );
    }
    let in_paths: BTreeSet<String> = catalog
        .paths
        .iter()
        .flat_map(|p| catalog.path_entries(p))
        .map(|e| e.id)
        .collect();
    for kind in [ItemKind::Lesson, ItemKind::Challenge, ItemKind::Drill] {
        for e in catalog.entries(kind) {
            assert!(in_paths.contains(&e.id), "{} is in no learning path", e.id);
        }
    }
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
