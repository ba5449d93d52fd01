//! Lessons, challenges and drills: Markdown files with TOML front matter; learning paths
//! through them: `paths/*.toml`.
//!
//! [`Catalog::load`] reads a content root (`lessons/`, `challenges/`, `drills/`, `paths/`)
//! into plain data for the TUI; [`check`] is `labtui check`: every problem with its file, line and
//! field. The file format is described for authors in docs/CONTENT.md.

mod catalog;
mod check;
pub mod dashboard;
mod frontmatter;
mod learning_path;
mod markdown;
mod model;
mod parse;
mod problem;
mod queries;
mod spans;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use catalog::{Catalog, Entry, ItemRef, check};
pub use check::{is_valid_fault_name, is_valid_id};
pub use dashboard::{Dashboard, DashboardError};
pub use frontmatter::{FrontMatter, FrontMatterError, split as split_front_matter};
pub use learning_path::{INCLUDE_PREFIX, LearningPath, PATHS_FOLDER, Step};
pub use markdown::{INVALID_FLAG, RunnableQuery, runnable_queries};
pub use model::{
    COMPONENTS, Challenge, DEFAULT_PASS, DEFAULT_POINTS, DEFAULT_WINDOW, Drill, DrillKind,
    Exercise, Expectation, FaultSpec, GroundTruth, Hint, ItemKind, Lesson, ParamValue, Question,
    RubricConcept, Tier, parse_window,
};
pub use parse::{EXAMPLE_ANSWER_HEADING, SOLUTION_HEADING};
pub use problem::{CheckReport, Problem};
pub use queries::validate_query;

/// Environment variable naming the content root explicitly.
pub const CONTENT_ENV: &str = "LABTUI_CONTENT";

/// Where the content lives: `LABTUI_CONTENT` if set, else the current directory when it has a
/// `lessons/` folder (a checkout), else the source checkout this binary was built from.
pub fn default_root() -> PathBuf {
    resolve_root(
        std::env::var_os(CONTENT_ENV),
        std::env::current_dir().ok().as_deref(),
    )
}

fn resolve_root(env: Option<OsString>, cwd: Option<&Path>) -> PathBuf {
    if let Some(root) = env.filter(|v| !v.is_empty()) {
        return PathBuf::from(root);
    }
    match cwd {
        Some(dir) if dir.join(ItemKind::Lesson.folder()).is_dir() => dir.to_path_buf(),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    }
}

#[cfg(test)]
mod tests;
