//! Where each front matter key sits in its file, so every problem can name a line.
//!
//! The TOML is parsed once more into toml's spanned document tree; each key path (like
//! `exercises[1].expect.answer`) is recorded with the byte spans of its key and value.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::frontmatter::FrontMatter;
use super::problem::Problem;

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// Builds a key path: `key_path!["exercises", i, "expect"]`.
macro_rules! key_path {
    ($($seg:expr),* $(,)?) => { [$($crate::lab::content::spans::Seg::from($seg)),*] };
}
pub(crate) use key_path;

/// Renders a key path the way authors read it: `exercises[1].expect.answer`.
pub fn path_text(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

#[derive(Debug, Clone)]
struct Node {
    path: Vec<Seg>,
    key: Option<Range<usize>>,
    value: Range<usize>,
}

/// A parsed file's geography: key spans, and where front matter and body start.
#[derive(Debug, Clone)]
pub struct Located {
    file: PathBuf,
    toml: String,
    line_starts: Vec<usize>,
    toml_line: usize,
    body_line: usize,
    nodes: Vec<Node>,
}

impl Located {
    /// Indexes `table` (parsed from `fm.toml`) for the file at `file`.
    pub fn new(file: &Path, fm: &FrontMatter<'_>, table: Option<&Spanned<DeTable<'_>>>) -> Self {
        let mut nodes = Vec::new();
        if let Some(table) = table {
            index_table(table.get_ref(), &mut Vec::new(), &mut nodes);
        }
        let line_starts = std::iter::once(0)
            .chain(fm.toml.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            file: file.to_path_buf(),
            toml: fm.toml.to_owned(),
            line_starts,
            toml_line: fm.toml_line,
            body_line: fm.body_line,
            nodes,
        }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The file line holding byte `offset` of the front matter.
    pub fn line_at(&self, offset: usize) -> usize {
        let within = self.line_starts.partition_point(|&start| start <= offset);
        self.toml_line + within.saturating_sub(1)
    }

    /// The file line of `path`'s key (or of its closest existing parent, or the first line).
    pub fn line_of(&self, path: &[Seg]) -> usize {
        (0..=path.len())
            .rev()
            .find_map(|len| self.node(&path[..len]))
            .map_or(self.toml_line, |node| {
                self.line_at(node.key.as_ref().unwrap_or(&node.value).start)
            })
    }

    /// The key path whose key or value spans exactly `span`, the deepest if several do.
    pub fn path_at(&self, span: &Range<usize>) -> Option<Vec<Seg>> {
        self.nodes
            .iter()
            .filter(|n| n.key.as_ref() == Some(span) || &n.value == span)
            .max_by_key(|n| n.path.len())
            .map(|n| n.path.clone())
    }

    /// Whether the front matter contains `path` at all.
    pub fn has(&self, path: &[Seg]) -> bool {
        self.node(path).is_some()
    }

    /// The file line where Markdown embedded in the string at `path` has its line 1.
    pub fn string_first_line(&self, path: &[Seg]) -> usize {
        let Some(node) = self.node(path) else {
            return self.line_of(path);
        };
        let raw = self.toml.get(node.value.clone()).unwrap_or("");
        let opens_multiline = ["\"\"\"\n", "'''\n", "\"\"\"\r\n", "'''\r\n"]
            .iter()
            .any(|prefix| raw.starts_with(prefix));
        self.line_at(node.value.start) + usize::from(opens_multiline)
    }

    /// The file line of line `md_line` (1-based) of the Markdown body.
    pub fn body_line(&self, md_line: usize) -> usize {
        self.body_line + md_line.saturating_sub(1)
    }

    /// A problem at `path`'s line, naming the field.
    pub fn at(&self, path: &[Seg], message: impl Into<String>) -> Problem {
        Problem {
            file: self.file.clone(),
            line: self.line_of(path),
            field: (!path.is_empty()).then(|| path_text(path)),
            message: message.into(),
        }
    }

    /// A problem at a file line, optionally naming a field.
    pub fn at_line(
        &self,
        line: usize,
        field: Option<&[Seg]>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: self.file.clone(),
            line,
            field: field.filter(|p| !p.is_empty()).map(path_text),
            message: message.into(),
        }
    }

    fn node(&self, path: &[Seg]) -> Option<&Node> {
        self.nodes.iter().find(|n| n.path == path)
    }
}

fn index_table(table: &DeTable<'_>, prefix: &mut Vec<Seg>, nodes: &mut Vec<Node>) {
    for (key, value) in table.iter() {
        prefix.push(Seg::Key(key.get_ref().to_string()));
        nodes.push(Node {
            path: prefix.clone(),
            key: Some(key.span()),
            value: value.span(),
        });
        index_value(value.get_ref(), prefix, nodes);
        prefix.pop();
    }
}

fn index_value(value: &DeValue<'_>, prefix: &mut Vec<Seg>, nodes: &mut Vec<Node>) {
    match value {
        DeValue::Table(table) => index_table(table, prefix, nodes),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(Seg::Index(i));
                nodes.push(Node {
                    path: prefix.clone(),
                    key: None,
                    value: item.span(),
                });
                index_value(item.get_ref(), prefix, nodes);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::content::frontmatter::split;

    fn located(text: &str) -> Located {
        let fm = split(text).unwrap();
        let table = DeTable::parse(fm.toml).unwrap();
        Located::new(Path::new("x.md"), &fm, Some(&table))
    }

    const FILE: &str = "+++\nid = \"a\"\ntags = [\"x\",\n  \"y\"]\n\n[[exercises]]\nid = \"e1\"\n\n[[exercises]]\nid = \"e2\"\nsolution = \"\"\"\nline one\n\"\"\"\n[exercises.expect]\nkind = \"choice\"\n+++\nbody\n";

    #[test]
    fn keys_array_items_and_tables_map_to_file_lines() {
        let l = located(FILE);
        assert_eq!(l.line_of(&key_path!["id"]), 2);
        assert_eq!(l.line_of(&key_path!["tags", 1usize]), 4);
        assert_eq!(l.line_of(&key_path!["exercises", 0usize]), 6);
        assert_eq!(l.line_of(&key_path!["exercises", 1usize, "id"]), 10);
        assert_eq!(
            l.line_of(&key_path!["exercises", 1usize, "expect", "kind"]),
            15
        );
        // A missing key falls back to its closest parent.
        assert_eq!(
            l.line_of(&key_path!["exercises", 1usize, "expect", "answer"]),
            14
        );
        assert_eq!(l.line_of(&key_path!["title"]), 2);
        assert_eq!(l.body_line(1), 17);
    }

    #[test]
    fn spans_lead_back_to_paths() {
        let l = located(FILE);
        let at = FILE.find("\"e2\"").unwrap() - 4;
        assert_eq!(
            l.path_at(&(at..at + 4)),
            Some(key_path!["exercises", 1usize, "id"].to_vec())
        );
        assert_eq!(
            path_text(&key_path!["exercises", 1usize, "id"]),
            "exercises[1].id"
        );
    }

    #[test]
    fn multiline_strings_start_on_the_line_after_the_quotes() {
        let l = located(FILE);
        assert_eq!(
            l.string_first_line(&key_path!["exercises", 1usize, "solution"]),
            12
        );
        assert_eq!(l.string_first_line(&key_path!["id"]), 2);
    }
}
