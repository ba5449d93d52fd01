//! A problem found in a content file, pointing at the file, line and front matter field.

use std::fmt;
use std::path::PathBuf;

/// One thing an author must fix, e.g. `lessons/01-rate.md:7: field `level`: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The content file (or the content root when it is missing).
    pub file: PathBuf,
    /// 1-based line in the file, front matter included; 0 when no line applies.
    pub line: usize,
    /// The front matter key, as a path like `exercises[1].expect.answer` (indexes from 0).
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    /// A problem about a whole file or folder rather than a line in it.
    pub(crate) fn whole(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: 0,
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// What `labtui check` found: the problems, and how much it looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Sorted by file, then line.
    pub problems: Vec<Problem>,
    /// Lesson files read (valid or not).
    pub lessons: usize,
    pub challenges: usize,
    pub drills: usize,
    /// Learning path files read (`paths/*.toml`).
    pub paths: usize,
    /// PromQL, LogQL and TraceQL queries checked (runnable blocks and references).
    pub queries_checked: usize,
}

impl CheckReport {
    /// True when there is nothing to fix.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_field() {
        let mut p = Problem {
            file: PathBuf::from("lessons/01-rate.md"),
            line: 7,
            field: Some("level".into()),
            message: "must be between 1 and 5, not 9".into(),
        };
        assert_eq!(
            p.to_string(),
            "lessons/01-rate.md:7: field `level`: must be between 1 and 5, not 9"
        );
        p.field = None;
        assert_eq!(
            p.to_string(),
            "lessons/01-rate.md:7: must be between 1 and 5, not 9"
        );
        p.line = 0;
        assert_eq!(
            p.to_string(),
            "lessons/01-rate.md: must be between 1 and 5, not 9"
        );
    }
}
