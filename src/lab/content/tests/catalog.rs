//! Across files: ids, prerequisites, folders and which items the catalog keeps.

use std::path::{Path, PathBuf};

use super::samples::{CHALLENGE, DRILL, LESSON, edit};
use crate::lab::content::catalog::{Catalog, ItemRef, check};
use crate::lab::content::model::ItemKind;
use crate::lab::content::problem::Problem;

fn write(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// A lesson with `id` and these prerequisites (line 6 holds them).
fn lesson(id: &str, prerequisites: &[&str]) -> String {
    let list: Vec<_> = prerequisites.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        "+++\nid = \"{id}\"\ntitle = \"T\"\nlevel = 1\nminutes = 5\nprerequisites = [{}]\n+++\nBody.\n",
        list.join(", ")
    )
}

fn places(problems: &[Problem], root: &Path) -> Vec<(String, usize, Option<String>)> {
    problems
        .iter()
        .map(|p| {
            let rel = p.file.strip_prefix(root).unwrap_or(&p.file);
            (rel.display().to_string(), p.line, p.field.clone())
        })
        .collect()
}

#[test]
fn valid_tree_loads_sorted_by_file_name_and_finds_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lessons/02-second.md", &lesson("second", &["first"]));
    write(root, "lessons/01-first.md", &lesson("first", &[]));
    write(root, "lessons/README.md", "How to write lessons.\n");
    write(root, "lessons/notes.txt", "not content\n");
    write(root, "challenges/01-slow.md", CHALLENGE);
    write(root, "drills/01-rate.md", DRILL);

    let (catalog, problems) = Catalog::load(root);
    assert!(problems.is_empty(), "{problems:#?}");
    let ids: Vec<_> = catalog
        .entries(ItemKind::Lesson)
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, ["first", "second"]);
    let drill = &catalog.entries(ItemKind::Drill)[0];
    assert_eq!(
        (drill.title.as_str(), drill.level, drill.minutes),
        ("Why rate()", 1, 5)
    );
    assert_eq!(drill.kind, ItemKind::Drill);

    let found = catalog.find("slow-checkout").unwrap();
    assert_eq!(
        (found.kind(), found.title()),
        (ItemKind::Challenge, "Slow checkout")
    );
    assert_eq!(found.source(), root.join("challenges/01-slow.md"));
    assert!(matches!(catalog.find("why-rate"), Some(ItemRef::Drill(_))));
    assert!(catalog.find("nope").is_none());

    let report = check(root);
    assert!(report.is_clean());
    assert_eq!(
        (report.lessons, report.challenges, report.drills),
        (2, 1, 1)
    );
}

#[test]
fn missing_root_is_a_problem_but_missing_folders_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("nowhere");
    let (catalog, problems) = Catalog::load(&gone);
    assert!(catalog.is_empty());
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].file.as_path(), problems[0].line),
        (gone.as_path(), 0)
    );
    assert!(problems[0].message.contains("LABTUI_CONTENT"));

    write(dir.path(), "drills/01-rate.md", DRILL);
    let (catalog, problems) = Catalog::load(dir.path());
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!((catalog.lessons.len(), catalog.drills.len()), (0, 1));
}

#[test]
fn broken_items_are_left_out_and_valid_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lessons/01-ok.md", &lesson("ok", &[]));
    write(root, "lessons/02-syntax.md", "+++\nid = \"x\n+++\n");
    write(
        root,
        "lessons/03-level.md",
        &edit(LESSON, "level = 2", "level = 7"),
    );
    let (catalog, problems) = Catalog::load(root);
    let ids: Vec<_> = catalog.lessons.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["ok"]);
    assert_eq!(
        places(&problems, root),
        [
            ("lessons/02-syntax.md".into(), 2, None),
            ("lessons/03-level.md".into(), 4, Some("level".into())),
        ]
    );
}

#[test]
fn ids_are_unique_across_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lessons/01-a.md", &lesson("why-rate", &[]));
    write(root, "drills/01-rate.md", DRILL);
    let (catalog, problems) = Catalog::load(root);
    assert_eq!(
        places(&problems, root),
        [("drills/01-rate.md".into(), 2, Some("id".into()))]
    );
    assert!(
        problems[0]
            .message
            .contains("is already used by lessons/01-a.md:2"),
        "{}",
        problems[0]
    );
    // The first one keeps the id; the duplicate is left out.
    assert_eq!(catalog.lessons.len(), 1);
    assert!(catalog.drills.is_empty());
}

#[test]
fn prerequisites_must_be_existing_lessons() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "lessons/01-a.md",
        &lesson("a", &["nope", "slow-checkout"]),
    );
    write(root, "challenges/01-slow.md", CHALLENGE);
    let (_, problems) = Catalog::load(root);
    assert_eq!(
        places(&problems, root),
        [
            ("lessons/01-a.md".into(), 6, Some("prerequisites[0]".into())),
            ("lessons/01-a.md".into(), 6, Some("prerequisites[1]".into())),
        ]
    );
    assert!(problems[0].message.contains("no lesson has the id `nope`"));
    assert!(problems[1].message.contains("is a challenge"));
}

#[test]
fn prerequisite_cycles_are_reported_once_with_the_whole_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "lessons/01-a.md", &lesson("a", &["c"]));
    write(root, "lessons/02-b.md", &lesson("b", &["a"]));
    write(root, "lessons/03-c.md", &lesson("c", &["b"]));
    write(root, "lessons/04-d.md", &lesson("d", &["a", "d"]));
    let (catalog, problems) = Catalog::load(root);
    assert_eq!(
        places(&problems, root),
        [
            ("lessons/02-b.md".into(), 6, Some("prerequisites[0]".into())),
            ("lessons/04-d.md".into(), 6, Some("prerequisites[1]".into())),
        ]
    );
    assert!(
        problems[0].message.contains("(a needs c needs b needs a)"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].message.contains("(d needs d)"),
        "{}",
        problems[1]
    );
    assert_eq!(catalog.lessons.len(), 2);
}

#[test]
fn problems_are_sorted_by_file_then_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = edit(
        &edit(LESSON, "minutes = 15", "minutes = 0"),
        "level = 2",
        "level = 0",
    );
    write(root, "lessons/02-z.md", &text);
    write(root, "lessons/01-y.md", "no front matter\n");
    let report = check(root);
    let lines: Vec<_> = places(&report.problems, root)
        .into_iter()
        .map(|(file, line, _)| (file, line))
        .collect();
    assert_eq!(
        lines,
        [
            ("lessons/01-y.md".into(), 1),
            ("lessons/02-z.md".into(), 4),
            ("lessons/02-z.md".into(), 5),
        ]
    );
    assert_eq!(report.lessons, 2);
}
