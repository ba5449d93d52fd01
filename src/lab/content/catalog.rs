//! The catalog: every item under a content root, with the problems found loading it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::check::Checker;
use super::dashboard::{self, DashboardError};
use super::learning_path::{self, LearningPath, PATHS_FOLDER, ParsedPath, parse_path_file};
use super::model::{Challenge, Drill, ItemKind, Lesson};
use super::parse::{AnyItem, ParsedFile, parse_file};
use super::problem::{CheckReport, Problem};
use super::queries::check_file_queries;
use super::spans::key_path;

/// All valid lessons, challenges, drills and learning paths, each list sorted by file name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub lessons: Vec<Lesson>,
    pub challenges: Vec<Challenge>,
    pub drills: Vec<Drill>,
    pub paths: Vec<LearningPath>,
}

/// What a list row needs to show an item, whatever its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub kind: ItemKind,
    pub level: u8,
    /// Estimated minutes, or the time limit for a challenge.
    pub minutes: u32,
    pub tags: Vec<String>,
    /// The points a challenge's questions are worth (0 for lessons and drills), so a best
    /// score can be shown out of them.
    pub points: u32,
}

/// A borrowed item of any kind, as found by id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ItemRef<'a> {
    Lesson(&'a Lesson),
    Challenge(&'a Challenge),
    Drill(&'a Drill),
}

impl ItemRef<'_> {
    /// The unique id progress and links refer to.
    pub fn id(&self) -> &str {
        match self {
            Self::Lesson(l) => &l.id,
            Self::Challenge(c) => &c.id,
            Self::Drill(d) => &d.id,
        }
    }

    /// The heading to show for the item.
    pub fn title(&self) -> &str {
        match self {
            Self::Lesson(l) => &l.title,
            Self::Challenge(c) => &c.title,
            Self::Drill(d) => &d.title,
        }
    }

    /// Which screen opens the item.
    pub fn kind(&self) -> ItemKind {
        match self {
            Self::Lesson(_) => ItemKind::Lesson,
            Self::Challenge(_) => ItemKind::Challenge,
            Self::Drill(_) => ItemKind::Drill,
        }
    }

    /// The file the item was read from, to tell the learner where to edit it.
    pub fn source(&self) -> &Path {
        match self {
            Self::Lesson(l) => &l.source,
            Self::Challenge(c) => &c.source,
            Self::Drill(d) => &d.source,
        }
    }

    /// The item as a list row.
    pub fn entry(&self) -> Entry {
        let (level, minutes, tags) = match self {
            Self::Lesson(l) => (l.level, l.minutes, &l.tags),
            Self::Challenge(c) => (c.level, c.minutes, &c.tags),
            Self::Drill(d) => (d.level, d.minutes, &d.tags),
        };
        Entry {
            id: self.id().to_owned(),
            title: self.title().to_owned(),
            kind: self.kind(),
            level,
            minutes,
            tags: tags.clone(),
            points: match self {
                Self::Challenge(c) => c.questions.iter().map(|q| q.points).sum(),
                Self::Lesson(_) | Self::Drill(_) => 0,
            },
        }
    }
}

impl Catalog {
    /// Loads every item under `root`. Items with problems are left out and their problems
    /// returned (sorted by file and line), so the rest can still be shown.
    pub fn load(root: &Path) -> (Catalog, Vec<Problem>) {
        let (catalog, report) = scan(root);
        (catalog, report.problems)
    }

    /// The list rows for one kind, in catalog order.
    pub fn entries(&self, kind: ItemKind) -> Vec<Entry> {
        match kind {
            ItemKind::Lesson => self
                .lessons
                .iter()
                .map(|l| ItemRef::Lesson(l).entry())
                .collect(),
            ItemKind::Challenge => self
                .challenges
                .iter()
                .map(|c| ItemRef::Challenge(c).entry())
                .collect(),
            ItemKind::Drill => self
                .drills
                .iter()
                .map(|d| ItemRef::Drill(d).entry())
                .collect(),
        }
    }

    /// The item with this id, whatever its kind (ids are unique across kinds).
    pub fn find(&self, id: &str) -> Option<ItemRef<'_>> {
        self.lessons
            .iter()
            .find(|l| l.id == id)
            .map(ItemRef::Lesson)
            .or_else(|| {
                self.challenges
                    .iter()
                    .find(|c| c.id == id)
                    .map(ItemRef::Challenge)
            })
            .or_else(|| self.drills.iter().find(|d| d.id == id).map(ItemRef::Drill))
    }

    /// The learning path with this id.
    pub fn path(&self, id: &str) -> Option<&LearningPath> {
        self.paths.iter().find(|p| p.id == id)
    }

    /// A path's items as list rows, in path order with includes followed, each item once.
    /// Ids that name no loaded item are skipped (`labtui check` reports them).
    pub fn path_entries(&self, path: &LearningPath) -> Vec<Entry> {
        learning_path::expand(path, &self.paths)
            .into_iter()
            .filter_map(|id| self.find(id))
            .map(|item| item.entry())
            .collect()
    }

    /// True when there is nothing to show (no content, or all of it broken).
    pub fn is_empty(&self) -> bool {
        self.lessons.is_empty() && self.challenges.is_empty() && self.drills.is_empty()
    }
}

/// Validates every content file under `root`: what `labtui check` runs.
/// A folder with none of the content folders is not a content root, and checking it must
/// not pass for having found nothing wrong in nothing.
pub fn check(root: &Path) -> CheckReport {
    let mut report = scan(root).1;
    let folders: Vec<&str> = ItemKind::ALL
        .iter()
        .map(|k| k.folder())
        .chain(["paths"])
        .collect();
    if root.is_dir() && !folders.iter().any(|f| root.join(f).is_dir()) {
        let named = root
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .filter(|n| folders.contains(&n.as_str()));
        let hint = match named {
            Some(name) => format!(
                "; this looks like the {name}/ folder itself: check its parent folder instead"
            ),
            None => String::new(),
        };
        report.problems.push(Problem::whole(
            root,
            format!(
                "not a content root: expected at least one of {} in it{hint}",
                folders
                    .iter()
                    .map(|f| format!("{f}/"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    report
}

fn scan(root: &Path) -> (Catalog, CheckReport) {
    let mut report = CheckReport::default();
    if !root.is_dir() {
        report.problems.push(Problem::whole(
            root,
            "content folder not found: set LABTUI_CONTENT to the folder that holds lessons/, \
             challenges/ and drills/",
        ));
        return (Catalog::default(), report);
    }
    let mut parsed = Vec::new();
    for kind in ItemKind::ALL {
        let files = match content_files(&root.join(kind.folder()), ".md") {
            Ok(files) => files,
            Err(problem) => {
                report.problems.push(problem);
                continue;
            }
        };
        *match kind {
            ItemKind::Lesson => &mut report.lessons,
            ItemKind::Challenge => &mut report.challenges,
            ItemKind::Drill => &mut report.drills,
        } += files.len();
        for file in files {
            let Some(text) = read_text(&file, &mut report.problems) else {
                continue;
            };
            match parse_file(kind, &file, &text) {
                Err(problems) => report.problems.extend(problems),
                Ok((mut file, problems)) => {
                    report.problems.extend(problems);
                    report.problems.extend(load_dashboard(root, &mut file));
                    let mut checker = Checker::new(&file.loc);
                    match &file.item {
                        AnyItem::Lesson(l) => checker.lesson(l),
                        AnyItem::Challenge(c) => checker.challenge(c),
                        AnyItem::Drill(d) => checker.drill(d),
                    }
                    report.problems.extend(checker.problems);
                    let (problems, checked) = check_file_queries(&file);
                    report.problems.extend(problems);
                    report.queries_checked += checked;
                    parsed.push(file);
                }
            }
        }
    }
    report.problems.extend(cross_checks(root, &parsed));
    let paths = read_paths(root, &parsed, &mut report);
    report
        .problems
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));

    let broken: HashSet<&Path> = report.problems.iter().map(|p| p.file.as_path()).collect();
    let mut catalog = Catalog::default();
    for file in parsed {
        if broken.contains(file.loc.file()) {
            continue;
        }
        match file.item {
            AnyItem::Lesson(l) => catalog.lessons.push(l),
            AnyItem::Challenge(c) => catalog.challenges.push(c),
            AnyItem::Drill(d) => catalog.drills.push(d),
        }
    }
    catalog.paths = paths
        .into_iter()
        .filter(|p| !broken.contains(p.loc.file()))
        .map(|p| p.path)
        .collect();
    (catalog, report)
}

/// Reads `paths/*.toml` and checks them against the items that parsed.
fn read_paths(root: &Path, parsed: &[ParsedFile], report: &mut CheckReport) -> Vec<ParsedPath> {
    let files = match content_files(&root.join(PATHS_FOLDER), ".toml") {
        Ok(files) => files,
        Err(problem) => {
            report.problems.push(problem);
            return Vec::new();
        }
    };
    report.paths = files.len();
    let mut paths = Vec::new();
    for file in files {
        let Some(text) = read_text(&file, &mut report.problems) else {
            continue;
        };
        match parse_path_file(&file, &text) {
            Ok((path, problems)) => {
                report.problems.extend(problems);
                paths.push(path);
            }
            Err(problems) => report.problems.extend(problems),
        }
    }
    let items: HashMap<&str, ItemKind> = parsed
        .iter()
        .map(|f| (f.item.id(), kind_of(&f.item)))
        .collect();
    report
        .problems
        .extend(learning_path::cross_checks(root, &paths, &items));
    paths
}

/// Reads the dataset a drill's `dashboard` names into the drill. A path that is refused or
/// a file that is missing is a problem on the `dashboard` line; a dataset that does not
/// parse is one on its own line in the JSON file, and then a second on the drill so the
/// drill is left out too (a dashboard drill without its data would make no sense).
fn load_dashboard(root: &Path, file: &mut ParsedFile) -> Vec<Problem> {
    let AnyItem::Drill(drill) = &mut file.item else {
        return Vec::new();
    };
    let Some(rel) = drill.dashboard.clone() else {
        return Vec::new();
    };
    match dashboard::load(root, &rel) {
        Ok(data) => {
            drill.recorded = Some(data);
            Vec::new()
        }
        Err(e @ (DashboardError::Json { .. } | DashboardError::Invalid { .. })) => {
            let on_json = Problem {
                file: root.join(&rel),
                line: e.json_line().unwrap_or(0),
                field: None,
                message: match &e {
                    DashboardError::Json { message, .. } => {
                        format!("not a valid dashboard dataset: {message}")
                    }
                    DashboardError::Invalid { message, .. } => message.clone(),
                    _ => e.to_string(),
                },
            };
            let on_drill = file.loc.at(
                &key_path!["dashboard"],
                format!("the dataset `{rel}` has a problem (reported on its own line)"),
            );
            vec![on_json, on_drill]
        }
        Err(e) => vec![file.loc.at(&key_path!["dashboard"], e.to_string())],
    }
}

/// The files of one content folder ending in `extension`, sorted by name; none when the
/// folder is absent. Hidden files and `README.md` are skipped so a folder can explain itself.
fn content_files(dir: &Path, extension: &str) -> Result<Vec<PathBuf>, Problem> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Problem::whole(dir, format!("cannot list this folder: {e}")))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file()
                && name.ends_with(extension)
                && !name.starts_with('.')
                && !name.eq_ignore_ascii_case("README.md")
        })
        .collect();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Ids unique across kinds, prerequisites that exist and form no cycle.
fn cross_checks(root: &Path, parsed: &[ParsedFile]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut first: HashMap<&str, &ParsedFile> = HashMap::new();
    let mut kinds: HashMap<&str, ItemKind> = HashMap::new();
    for file in parsed {
        let id = file.item.id();
        if let Some(earlier) = first.get(id) {
            problems.push(file.loc.at(
                &key_path!["id"],
                format!(
                    "id `{id}` is already used by {}:{}; ids must be unique across lessons, \
                     challenges and drills",
                    earlier
                        .loc
                        .file()
                        .strip_prefix(root)
                        .unwrap_or(earlier.loc.file())
                        .display(),
                    earlier.loc.line_of(&key_path!["id"])
                ),
            ));
        } else {
            first.insert(id, file);
            kinds.insert(id, kind_of(&file.item));
        }
    }

    let lessons: Vec<(&ParsedFile, &Lesson)> = parsed
        .iter()
        .filter_map(|f| match &f.item {
            AnyItem::Lesson(l)
                if first
                    .get(l.id.as_str())
                    .is_some_and(|owner| std::ptr::eq(*owner, f)) =>
            {
                Some((f, l))
            }
            _ => None,
        })
        .collect();
    for (file, lesson) in &lessons {
        for (i, prereq) in lesson.prerequisites.iter().enumerate() {
            let message = match kinds.get(prereq.as_str()) {
                Some(ItemKind::Lesson) => continue,
                Some(kind) => format!("`{prereq}` is a {kind}; prerequisites must be lessons"),
                None => format!("no lesson has the id `{prereq}`"),
            };
            problems.push(file.loc.at(&key_path!["prerequisites", i], message));
        }
    }
    problems.extend(prerequisite_cycles(&lessons));
    problems
}

fn kind_of(item: &AnyItem) -> ItemKind {
    match item {
        AnyItem::Lesson(_) => ItemKind::Lesson,
        AnyItem::Challenge(_) => ItemKind::Challenge,
        AnyItem::Drill(_) => ItemKind::Drill,
    }
}

/// Depth-first search over prerequisite edges; each edge that closes a cycle is reported on
/// the lesson that holds it, with the whole cycle spelled out.
fn prerequisite_cycles(lessons: &[(&ParsedFile, &Lesson)]) -> Vec<Problem> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let index: HashMap<&str, usize> = lessons
        .iter()
        .enumerate()
        .map(|(i, (_, l))| (l.id.as_str(), i))
        .collect();
    let mut marks = vec![Mark::New; lessons.len()];
    let mut problems = Vec::new();
    for start in 0..lessons.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // Each frame: lesson index and the next prerequisite to follow.
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let prereqs = &lessons[node].1.prerequisites;
            let Some(prereq) = prereqs.get(*next) else {
                marks[node] = Mark::Done;
                stack.pop();
                continue;
            };
            let edge = *next;
            *next += 1;
            let Some(&target) = index.get(prereq.as_str()) else {
                continue;
            };
            match marks[target] {
                Mark::New => {
                    marks[target] = Mark::Open;
                    stack.push((target, 0));
                }
                Mark::Open => {
                    let from = stack.iter().position(|&(n, _)| n == target).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..]
                        .iter()
                        .map(|&(n, _)| lessons[n].1.id.as_str())
                        .collect();
                    cycle.push(prereq);
                    problems.push(lessons[node].0.loc.at(
                        &key_path!["prerequisites", edge],
                        format!(
                            "prerequisites form a cycle ({}); remove one of them",
                            cycle.join(" needs ")
                        ),
                    ));
                }
                Mark::Done => {}
            }
        }
    }
    problems
}

/// A content file's text, or None with a problem saying why it could not be read.
fn read_text(file: &Path, problems: &mut Vec<Problem>) -> Option<String> {
    match std::fs::read_to_string(file) {
        Ok(text) => Some(text),
        Err(e) => {
            problems.push(Problem::whole(
                file,
                format!("cannot read this file as UTF-8 text: {e}"),
            ));
            None
        }
    }
}
