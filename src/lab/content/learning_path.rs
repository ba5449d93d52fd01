//! Learning paths: `paths/*.toml` files, each an ordered list of lessons, challenges and
//! drills (and of other paths, included by `path:<id>`), with the checks `labtui check` runs
//! on them: unknown ids, repeated items, empty paths and paths that include each other.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::DeTable;

use super::check::is_valid_id;
use super::frontmatter::FrontMatter;
use super::model::ItemKind;
use super::parse::deserialize;
use super::problem::Problem;
use super::spans::{Located, key_path};

/// The folder under the content root that holds the paths.
pub const PATHS_FOLDER: &str = "paths";

/// How an item names another path to include it at that place: `path:beginner`.
pub const INCLUDE_PREFIX: &str = "path:";

/// One learning path: a course through the content, in the order to take it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningPath {
    /// Kebab-case, unique among paths (`labtui paths <id>`).
    pub id: String,
    pub title: String,
    /// 1 (beginner) to 5 (expert), when the path has one level.
    #[serde(default)]
    pub level: Option<u8>,
    /// Who the path is for, when a level says too little (an exam, a role).
    #[serde(default)]
    pub audience: Option<String>,
    #[serde(default)]
    pub description: String,
    /// Lesson, challenge and drill ids, and `path:<id>` includes, in order.
    pub items: Vec<String>,
    /// The file this path was read from.
    #[serde(skip)]
    pub source: PathBuf,
}

/// One entry of a path's `items`, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// A lesson, challenge or drill id.
    Item(&'a str),
    /// Another path, whose items come in at this place.
    Include(&'a str),
}

impl Step<'_> {
    fn of(raw: &str) -> Step<'_> {
        match raw.strip_prefix(INCLUDE_PREFIX) {
            Some(path) => Step::Include(path),
            None => Step::Item(raw),
        }
    }
}

impl LearningPath {
    /// The path's items as written, includes not yet followed.
    pub fn steps(&self) -> impl Iterator<Item = Step<'_>> {
        self.items.iter().map(|raw| Step::of(raw))
    }
}

/// Item ids of `path` in order with includes followed, each id once (at its first place).
/// An include of a missing path, or one that would come back to a path being expanded, is
/// skipped: `labtui check` reports both, and what is left stays usable.
pub fn expand<'a>(path: &'a LearningPath, all: &'a [LearningPath]) -> Vec<&'a str> {
    fn walk<'a>(
        path: &'a LearningPath,
        all: &'a [LearningPath],
        open: &mut Vec<&'a str>,
        seen: &mut HashSet<&'a str>,
        out: &mut Vec<&'a str>,
    ) {
        open.push(&path.id);
        for step in path.steps() {
            match step {
                Step::Item(id) => {
                    if seen.insert(id) {
                        out.push(id);
                    }
                }
                Step::Include(id) if !open.contains(&id) => {
                    if let Some(inner) = all.iter().find(|p| p.id == id) {
                        walk(inner, all, open, seen, out);
                    }
                }
                Step::Include(_) => {}
            }
        }
        open.pop();
    }
    let mut out = Vec::new();
    walk(path, all, &mut Vec::new(), &mut HashSet::new(), &mut out);
    out
}

/// A paths file that parsed, with where its keys are.
#[derive(Debug, Clone)]
pub struct ParsedPath {
    pub path: LearningPath,
    pub loc: Located,
}

/// Reads one `paths/*.toml` file; problems point at its lines like an item's front matter.
/// `Ok` may still carry problems of the file alone (a bad id, an empty or repeated item).
pub fn parse_path_file(
    file: &Path,
    text: &str,
) -> Result<(ParsedPath, Vec<Problem>), Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let whole = FrontMatter {
        toml: text,
        toml_line: 1,
        body: "",
        body_line: text.lines().count() + 1,
    };
    let table = DeTable::parse(text).map_err(|e| {
        let empty = Located::new(file, &whole, None);
        let line = e.span().map_or(1, |span| empty.line_at(span.start));
        vec![empty.at_line(line, None, format!("TOML syntax error: {}", e.message()))]
    })?;
    let loc = Located::new(file, &whole, Some(&table));
    let mut path: LearningPath = deserialize(&whole, &loc)?;
    path.source = file.to_path_buf();
    let problems = check_path(&path, &loc);
    Ok((ParsedPath { path, loc }, problems))
}

/// Checks of one path file alone: its id, title, level and items.
fn check_path(path: &LearningPath, loc: &Located) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !is_valid_id(&path.id) {
        problems.push(loc.at(
            &key_path!["id"],
            format!(
                "`{}` is not a valid id: use lowercase letters, digits and single dashes, \
                 like `beginner` or `pca-prep`",
                path.id
            ),
        ));
    }
    if path.title.trim().is_empty() {
        problems.push(loc.at(&key_path!["title"], "is empty; write what the learner sees"));
    }
    if let Some(level) = path.level.filter(|l| !(1..=5).contains(l)) {
        problems.push(loc.at(
            &key_path!["level"],
            format!("must be 1 (beginner) to 5 (expert), not {level}"),
        ));
    }
    if path.items.is_empty() {
        problems.push(loc.at(
            &key_path!["items"],
            "the path is empty: list the ids of its lessons, challenges and drills in order",
        ));
    }
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, raw) in path.items.iter().enumerate() {
        let named = match Step::of(raw) {
            Step::Item(id) | Step::Include(id) => id,
        };
        if !is_valid_id(named) {
            problems.push(loc.at(
                &key_path!["items", i],
                format!(
                    "`{raw}` is not an id: write a lesson, challenge or drill id like \
                     `promql-basics`, or `path:<id>` to include another path"
                ),
            ));
            continue;
        }
        if let Some(&earlier) = first.get(raw.as_str()) {
            problems.push(loc.at(
                &key_path!["items", i],
                format!(
                    "`{raw}` is already in this path at line {}; list each item once",
                    loc.line_of(&key_path!["items", earlier])
                ),
            ));
        } else {
            first.insert(raw, i);
        }
    }
    problems
}

/// Checks across files: path ids unique, items and includes that exist, no include cycle.
/// `items` holds every lesson, challenge and drill id that parsed, with its kind.
pub fn cross_checks(
    root: &Path,
    paths: &[ParsedPath],
    items: &HashMap<&str, ItemKind>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut owners: HashMap<&str, &ParsedPath> = HashMap::new();
    for parsed in paths {
        let id = parsed.path.id.as_str();
        match owners.get(id) {
            Some(earlier) => problems.push(parsed.loc.at(
                &key_path!["id"],
                format!(
                    "path id `{id}` is already used by {}:{}; path ids must be unique",
                    relative(root, earlier.loc.file()).display(),
                    earlier.loc.line_of(&key_path!["id"])
                ),
            )),
            None => {
                owners.insert(id, parsed);
            }
        }
    }
    let item_ids: Vec<&str> = items.keys().copied().collect();
    let path_ids: Vec<&str> = owners.keys().copied().collect();
    for parsed in paths {
        for (i, step) in parsed.path.steps().enumerate() {
            let message = match step {
                Step::Item(id) if !is_valid_id(id) || items.contains_key(id) => continue,
                Step::Include(id) if !is_valid_id(id) || owners.contains_key(id) => continue,
                Step::Item(id) => format!(
                    "no lesson, challenge or drill has the id `{id}`{}",
                    did_you_mean(id, &item_ids, "")
                ),
                Step::Include(id) => format!(
                    "no path has the id `{id}`{}",
                    did_you_mean(id, &path_ids, INCLUDE_PREFIX)
                ),
            };
            problems.push(parsed.loc.at(&key_path!["items", i], message));
        }
    }
    problems.extend(include_cycles(&owners, paths));
    problems
}

fn relative<'a>(root: &Path, file: &'a Path) -> &'a Path {
    file.strip_prefix(root).unwrap_or(file)
}

/// Depth-first over include edges; each edge that closes a cycle is reported on the
/// include's line, with the cycle spelled out.
fn include_cycles(owners: &HashMap<&str, &ParsedPath>, paths: &[ParsedPath]) -> Vec<Problem> {
    fn visit<'a>(
        id: &'a str,
        owners: &HashMap<&'a str, &'a ParsedPath>,
        stack: &mut Vec<&'a str>,
        done: &mut HashSet<&'a str>,
        problems: &mut Vec<Problem>,
    ) {
        let Some(parsed) = owners.get(id) else {
            return;
        };
        stack.push(id);
        for (i, step) in parsed.path.steps().enumerate() {
            let Step::Include(next) = step else {
                continue;
            };
            if let Some(from) = stack.iter().position(|open| *open == next) {
                let mut cycle = stack[from..].to_vec();
                cycle.push(next);
                problems.push(parsed.loc.at(
                    &key_path!["items", i],
                    format!(
                        "paths include each other in a cycle ({}); remove one of the includes",
                        cycle.join(" includes ")
                    ),
                ));
            } else if !done.contains(next) {
                visit(next, owners, stack, done, problems);
            }
        }
        stack.pop();
        done.insert(id);
    }
    let mut problems = Vec::new();
    let mut done = HashSet::new();
    for parsed in paths {
        let id = parsed.path.id.as_str();
        // Only the file that owns an id is walked; a duplicate is reported already.
        if owners.get(id).is_some_and(|o| std::ptr::eq(*o, parsed)) && !done.contains(id) {
            visit(id, owners, &mut Vec::new(), &mut done, &mut problems);
        }
    }
    problems
}

/// `; did you mean `x`?` when one or two known ids are a few edits away from `id`.
fn did_you_mean(id: &str, known: &[&str], prefix: &str) -> String {
    let limit = (id.chars().count() / 3).clamp(1, 3);
    let mut close: Vec<(usize, &str)> = known
        .iter()
        .map(|k| (edit_distance(id, k), *k))
        .filter(|(d, _)| *d <= limit)
        .collect();
    close.sort();
    match close.as_slice() {
        [] => String::new(),
        [(_, one)] => format!("; did you mean `{prefix}{one}`?"),
        [(_, one), (_, two), ..] => format!("; did you mean `{prefix}{one}` or `{prefix}{two}`?"),
    }
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`: the optimal
/// string alignment distance, so `frist` is one edit from `first`. Ids are short; a full
/// table will do.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(id: &str, items: &[&str]) -> LearningPath {
        LearningPath {
            id: id.into(),
            title: id.into(),
            level: None,
            audience: None,
            description: String::new(),
            items: items.iter().map(|s| (*s).to_owned()).collect(),
            source: PathBuf::new(),
        }
    }

    #[test]
    fn expanding_follows_includes_in_place_and_keeps_each_item_once() {
        let all = [
            path("a", &["one", "two"]),
            path("b", &["zero", "path:a", "two", "three"]),
        ];
        assert_eq!(expand(&all[1], &all), ["zero", "one", "two", "three"]);
    }

    #[test]
    fn expanding_survives_cycles_and_missing_paths() {
        let all = [
            path("a", &["one", "path:b"]),
            path("b", &["two", "path:a", "path:nope", "path:b"]),
        ];
        assert_eq!(expand(&all[0], &all), ["one", "two"]);
        assert_eq!(expand(&all[1], &all), ["two", "one"]);
    }

    #[test]
    fn close_matches_are_offered_for_typos_only() {
        assert_eq!(edit_distance("promql-basic", "promql-basics"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("frist", "first"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let known = ["promql-basics", "logql-basics", "three-pillars"];
        assert_eq!(
            did_you_mean("promql-basic", &known, ""),
            "; did you mean `promql-basics`?"
        );
        assert_eq!(did_you_mean("kubernetes", &known, ""), "");
        assert_eq!(
            did_you_mean("begginer", &["beginner"], INCLUDE_PREFIX),
            "; did you mean `path:beginner`?"
        );
    }
}
