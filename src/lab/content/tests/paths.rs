//! Learning paths: reading `paths/*.toml`, following includes, and every problem `labtui
//! check` reports on them at its file and line.

use std::path::Path;

use super::samples::{CHALLENGE, DRILL, LESSON};
use crate::lab::content::catalog::{Catalog, check};
use crate::lab::content::model::ItemKind;

/// A content root with one lesson (`rates`), challenge (`slow-checkout`) and drill
/// (`why-rate`), and these path files.
fn tree(paths: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (rel, text) in [
        ("lessons/01-rates.md", LESSON),
        ("challenges/01-slow.md", CHALLENGE),
        ("drills/01-rate.md", DRILL),
    ]
    .into_iter()
    .chain(paths.iter().map(|(name, text)| (*name, *text)))
    {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Each problem as `file:line: field: message` with the file relative to `root`.
fn shown(root: &Path) -> Vec<String> {
    check(root)
        .problems
        .iter()
        .map(|p| {
            let mut p = p.clone();
            p.file = p.file.strip_prefix(root).unwrap().to_path_buf();
            p.to_string()
        })
        .collect()
}

const FIRST: &str = "id = \"first\"\ntitle = \"First\"\nlevel = 1\ndescription = \"Start here.\"\nitems = [\"rates\", \"why-rate\"]\n";

#[test]
fn paths_load_in_file_order_and_expand_their_includes() {
    let second = "id = \"second\"\ntitle = \"Second\"\naudience = \"on-call engineers\"\nitems = [\n  \"path:first\",\n  \"slow-checkout\",\n  \"rates\",\n]\n";
    let dir = tree(&[
        ("paths/02-second.toml", second),
        ("paths/01-first.toml", FIRST),
        ("paths/README.md", "Notes, not a path.\n"),
    ]);
    let report = check(dir.path());
    assert!(report.is_clean(), "{:?}", report.problems);
    assert_eq!(report.paths, 2);

    let (catalog, problems) = Catalog::load(dir.path());
    assert!(problems.is_empty());
    let ids: Vec<_> = catalog.paths.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["first", "second"]);
    let first = catalog.path("first").unwrap();
    assert_eq!(
        (first.level, first.description.as_str()),
        (Some(1), "Start here.")
    );
    assert_eq!(first.source, dir.path().join("paths/01-first.toml"));
    let second = catalog.path("second").unwrap();
    assert_eq!(second.audience.as_deref(), Some("on-call engineers"));
    // The include comes in at its place; `rates` is listed once, where it came first.
    let rows: Vec<_> = catalog
        .path_entries(second)
        .into_iter()
        .map(|e| (e.id, e.kind))
        .collect();
    assert_eq!(
        rows,
        [
            ("rates".to_owned(), ItemKind::Lesson),
            ("why-rate".to_owned(), ItemKind::Drill),
            ("slow-checkout".to_owned(), ItemKind::Challenge),
        ]
    );
    assert!(catalog.path("third").is_none());
}

#[test]
fn a_missing_paths_folder_is_no_problem() {
    let dir = tree(&[]);
    let report = check(dir.path());
    assert!(report.is_clean());
    assert_eq!(report.paths, 0);
    assert!(Catalog::load(dir.path()).0.paths.is_empty());
}

#[test]
fn unknown_ids_name_the_file_line_and_a_close_match() {
    let text = "id = \"first\"\ntitle = \"First\"\nitems = [\n  \"rates\",\n  \"slow-chekout\",\n  \"kubernetes\",\n]\n";
    let dir = tree(&[("paths/01-first.toml", text)]);
    assert_eq!(
        shown(dir.path()),
        [
            "paths/01-first.toml:5: field `items[1]`: no lesson, challenge or drill has the id \
             `slow-chekout`; did you mean `slow-checkout`?",
            "paths/01-first.toml:6: field `items[2]`: no lesson, challenge or drill has the id \
             `kubernetes`",
        ]
    );
    // A path with problems is left out; the items themselves are still there.
    let (catalog, problems) = Catalog::load(dir.path());
    assert_eq!(problems.len(), 2);
    assert!(catalog.paths.is_empty());
    assert_eq!(catalog.lessons.len(), 1);
}

#[test]
fn an_item_listed_twice_is_reported_at_the_second_place() {
    let text =
        "id = \"first\"\ntitle = \"First\"\nitems = [\"rates\",\n  \"why-rate\",\n  \"rates\"]\n";
    let dir = tree(&[("paths/01-first.toml", text)]);
    assert_eq!(
        shown(dir.path()),
        [
            "paths/01-first.toml:5: field `items[2]`: `rates` is already in this path at line 3; \
          list each item once"
        ]
    );
}

#[test]
fn an_empty_path_is_reported() {
    let text = "id = \"first\"\ntitle = \"First\"\n\nitems = []\n";
    let dir = tree(&[("paths/01-first.toml", text)]);
    assert_eq!(
        shown(dir.path()),
        [
            "paths/01-first.toml:4: field `items`: the path is empty: list the ids of its \
          lessons, challenges and drills in order"
        ]
    );
}

#[test]
fn paths_that_include_each_other_are_a_cycle_named_in_full() {
    let a = "id = \"a\"\ntitle = \"A\"\nitems = [\"rates\", \"path:b\"]\n";
    let b = "id = \"b\"\ntitle = \"B\"\nitems = [\n  \"path:c\",\n]\n";
    let c = "id = \"c\"\ntitle = \"C\"\nitems = [\"why-rate\",\n  \"path:a\"]\n";
    let own = "id = \"own\"\ntitle = \"Own\"\nitems = [\"path:own\"]\n";
    let dir = tree(&[
        ("paths/a.toml", a),
        ("paths/b.toml", b),
        ("paths/c.toml", c),
        ("paths/own.toml", own),
    ]);
    assert_eq!(
        shown(dir.path()),
        [
            "paths/c.toml:4: field `items[1]`: paths include each other in a cycle \
             (a includes b includes c includes a); remove one of the includes",
            "paths/own.toml:3: field `items[0]`: paths include each other in a cycle \
             (own includes own); remove one of the includes",
        ]
    );
    // The paths outside the files with problems still load, and expand without looping.
    let (catalog, _) = Catalog::load(dir.path());
    let ids: Vec<_> = catalog.paths.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let a = catalog.path("a").unwrap();
    assert_eq!(catalog.path_entries(a).len(), 1);
}

#[test]
fn includes_must_name_a_path_and_path_ids_are_unique() {
    let second = "id = \"second\"\ntitle = \"Second\"\nitems = [\"path:frist\"]\n";
    let again = "id = \"first\"\ntitle = \"Again\"\nitems = [\"rates\"]\n";
    let dir = tree(&[
        ("paths/01-first.toml", FIRST),
        ("paths/02-second.toml", second),
        ("paths/03-again.toml", again),
    ]);
    assert_eq!(
        shown(dir.path()),
        [
            "paths/02-second.toml:3: field `items[0]`: no path has the id `frist`; did you \
             mean `path:first`?",
            "paths/03-again.toml:1: field `id`: path id `first` is already used by \
             paths/01-first.toml:1; path ids must be unique",
        ]
    );
}

#[test]
fn bad_ids_levels_titles_keys_and_syntax_point_at_their_lines() {
    let bad = "id = \"First\"\ntitle = \" \"\nlevel = 6\nitems = [\"Rates\", \"path:\"]\n";
    let typo = "id = \"typo\"\ntitle = \"T\"\nitem = [\"rates\"]\n";
    let syntax = "id = \"syntax\"\ntitle = \"S\"\nitems = [\"rates\"\n";
    let dir = tree(&[
        ("paths/01-bad.toml", bad),
        ("paths/02-typo.toml", typo),
        ("paths/03-syntax.toml", syntax),
    ]);
    let problems = shown(dir.path());
    let starts = [
        "paths/01-bad.toml:1: field `id`: `First` is not a valid id",
        "paths/01-bad.toml:2: field `title`: is empty",
        "paths/01-bad.toml:3: field `level`: must be 1 (beginner) to 5 (expert), not 6",
        "paths/01-bad.toml:4: field `items[0]`: `Rates` is not an id",
        "paths/01-bad.toml:4: field `items[1]`: `path:` is not an id",
        "paths/02-typo.toml:3: field `item`: unknown field `item`",
        "paths/03-syntax.toml:3: TOML syntax error",
    ];
    assert_eq!(problems.len(), starts.len(), "{problems:#?}");
    for (problem, start) in problems.iter().zip(starts) {
        assert!(
            problem.starts_with(start),
            "{problem}\nshould start {start}"
        );
    }
}
