//! `labtui paths`: the learning paths with the learner's progress, or one path item by item.

use std::io;
use std::process::ExitCode;

use clap::Args;
use color_eyre::eyre::{Result, eyre};
use serde_json::{Value, json};

use crate::lab::content::{Catalog, Entry, ItemKind, ItemRef, LearningPath};
use crate::lab::progress::{Progress, Status};

#[derive(Debug, Args)]
pub struct PathsArgs {
    /// Show this path's items in order (see the list for the ids)
    pub id: Option<String>,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

/// Lists the paths, or shows the one named. An unknown id is an error (exit 1).
pub fn run(catalog: &Catalog, progress: &Progress, args: &PathsArgs) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    match &args.id {
        None => list(catalog, progress, args.json, &mut out)?,
        Some(id) => {
            let path = catalog.path(id).ok_or_else(|| {
                let known: Vec<&str> = catalog.paths.iter().map(|p| p.id.as_str()).collect();
                eyre!(
                    "no learning path has the id `{id}`; the paths are: {}",
                    if known.is_empty() {
                        "none yet".to_owned()
                    } else {
                        known.join(", ")
                    }
                )
            })?;
            show(catalog, progress, path, args.json, &mut out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How far the learner is along one path.
struct Along {
    entries: Vec<Entry>,
    completed: usize,
    /// The first item in path order not completed yet.
    next: Option<usize>,
}

impl Along {
    fn of(catalog: &Catalog, progress: &Progress, path: &LearningPath) -> Self {
        let entries = catalog.path_entries(path);
        let done: Vec<bool> = entries
            .iter()
            .map(|e| progress.item(&e.id).status == Status::Completed)
            .collect();
        Self {
            completed: done.iter().filter(|d| **d).count(),
            next: done.iter().position(|d| !d),
            entries,
        }
    }

    fn next_json(&self) -> Value {
        self.next.map_or(Value::Null, |i| {
            let e = &self.entries[i];
            json!({ "id": e.id, "kind": e.kind.to_string(), "title": e.title })
        })
    }
}

fn list(
    catalog: &Catalog,
    progress: &Progress,
    json: bool,
    out: &mut impl io::Write,
) -> Result<()> {
    let rows: Vec<(&LearningPath, Along)> = catalog
        .paths
        .iter()
        .map(|p| (p, Along::of(catalog, progress, p)))
        .collect();
    if json {
        let rows: Vec<Value> = rows
            .iter()
            .map(|(p, along)| {
                json!({
                    "id": p.id, "title": p.title, "level": p.level, "audience": p.audience,
                    "description": p.description.trim(), "items": along.entries.len(),
                    "completed": along.completed, "next": along.next_json(),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No learning paths found: add paths/*.toml to the content folder (docs/CONTENT.md)."
        )?;
        return Ok(());
    }
    let next_ids: Vec<&str> = rows
        .iter()
        .map(|(_, a)| a.next.map_or("-", |i| a.entries[i].id.as_str()))
        .collect();
    let id_width = width(rows.iter().map(|(p, _)| p.id.as_str()));
    let next_width = width(next_ids.iter().copied());
    writeln!(
        out,
        "{:<id_width$} {:>5}  {:<next_width$}  TITLE",
        "ID", "DONE", "NEXT"
    )?;
    for ((path, along), next) in rows.iter().zip(&next_ids) {
        writeln!(
            out,
            "{:<id_width$} {:>5}  {:<next_width$}  {}",
            path.id,
            format!("{}/{}", along.completed, along.entries.len()),
            next,
            path.title
        )?;
    }
    Ok(())
}

fn show(
    catalog: &Catalog,
    progress: &Progress,
    path: &LearningPath,
    json: bool,
    out: &mut impl io::Write,
) -> Result<()> {
    let along = Along::of(catalog, progress, path);
    if json {
        let items: Vec<Value> = along
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let p = progress.item(&e.id);
                json!({
                    "position": i + 1, "id": e.id, "kind": e.kind.to_string(), "title": e.title,
                    "status": p.status, "best_score": p.best_score,
                    "points": (e.points > 0).then_some(e.points),
                })
            })
            .collect();
        let shown = json!({
            "id": path.id, "title": path.title, "level": path.level, "audience": path.audience,
            "description": path.description.trim(), "completed": along.completed,
            "next": along.next_json(), "items": items,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&shown)?)?;
        return Ok(());
    }
    let level = path
        .level
        .map_or(String::new(), |l| format!(" (level {l})"));
    writeln!(out, "{}{level}", path.title)?;
    if let Some(audience) = &path.audience {
        writeln!(out, "For: {audience}")?;
    }
    if !path.description.trim().is_empty() {
        writeln!(out, "{}", path.description.trim())?;
    }
    let next = along.next.map_or("all done".to_owned(), |i| {
        format!("next: {}", along.entries[i].id)
    });
    writeln!(
        out,
        "{}/{} completed; {next}\n",
        along.completed,
        along.entries.len()
    )?;
    let id_width = width(along.entries.iter().map(|e| e.id.as_str()));
    writeln!(
        out,
        "{:>3}  {:<9}  {:<11}  {:>6}  {:<id_width$}  TITLE",
        "#", "KIND", "STATUS", "BEST", "ID"
    )?;
    for (i, e) in along.entries.iter().enumerate() {
        writeln!(
            out,
            "{:>3}  {:<9}  {:<11}  {:>6}  {:<id_width$}  {}",
            i + 1,
            e.kind.to_string(),
            progress.item(&e.id).status.to_string(),
            best(catalog, progress, e),
            e.id,
            e.title
        )?;
    }
    Ok(())
}

/// A challenge's best score out of its points, a drill's best as a percentage, a lesson's
/// exercises passed out of its exercises; `-` before any of those exists.
fn best(catalog: &Catalog, progress: &Progress, entry: &Entry) -> String {
    let p = progress.item(&entry.id);
    match (entry.kind, p.best_score) {
        (ItemKind::Challenge, Some(best)) => format!("{best:.0}/{}", entry.points),
        (ItemKind::Drill, Some(best)) => format!("{best:.0}%"),
        (ItemKind::Lesson, _) => match catalog.find(&entry.id) {
            Some(ItemRef::Lesson(l)) if !l.exercises.is_empty() && !p.passed.is_empty() => {
                let passed = l
                    .exercises
                    .iter()
                    .filter(|x| p.passed.contains(&x.id))
                    .count();
                format!("{passed}/{}", l.exercises.len())
            }
            _ => "-".to_owned(),
        },
        _ => "-".to_owned(),
    }
}

fn width<'a>(values: impl Iterator<Item = &'a str>) -> usize {
    values.map(str::len).max().unwrap_or(2).max(2)
}
