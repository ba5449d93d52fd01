//! Reads one content file into a lesson, challenge or drill, or into problems with lines.

use std::path::Path;

use serde::de::DeserializeOwned;
use toml::de::DeTable;

use super::frontmatter::{self, FrontMatter};
use super::markdown::{near_miss_heading, split_at_heading, trim_blank};
use super::model::{Challenge, Drill, ItemKind, Lesson};
use super::problem::Problem;
use super::spans::{Located, Seg};

/// The level-2 heading that starts a challenge's hidden solution.
pub const SOLUTION_HEADING: &str = "Solution";
/// The level-2 heading that starts a drill's hidden example answer.
pub const EXAMPLE_ANSWER_HEADING: &str = "Example answer";

/// A parsed item of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyItem {
    Lesson(Lesson),
    Challenge(Challenge),
    Drill(Drill),
}

impl AnyItem {
    pub fn id(&self) -> &str {
        match self {
            Self::Lesson(l) => &l.id,
            Self::Challenge(c) => &c.id,
            Self::Drill(d) => &d.id,
        }
    }
}

/// A file that parsed, with where its keys are and its raw Markdown body.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub item: AnyItem,
    pub loc: Located,
    /// The body exactly as in the file, so Markdown lines map to file lines.
    pub raw_body: String,
}

/// Parses `text` (the content of `file`) as an item of `kind`.
///
/// `Err` when the file cannot become an item at all (front matter, TOML syntax, types, unknown
/// or missing keys). `Ok` may still carry problems in the Markdown (a missing hidden section).
pub fn parse_file(
    kind: ItemKind,
    file: &Path,
    text: &str,
) -> Result<(ParsedFile, Vec<Problem>), Vec<Problem>> {
    let fm = frontmatter::split(text).map_err(|e| {
        vec![Problem {
            file: file.to_path_buf(),
            line: 1,
            field: None,
            message: e.to_string(),
        }]
    })?;
    let table = DeTable::parse(fm.toml).map_err(|e| {
        let empty = Located::new(file, &fm, None);
        let line = e
            .span()
            .map_or(fm.toml_line, |span| empty.line_at(span.start));
        vec![empty.at_line(line, None, format!("TOML syntax error: {}", e.message()))]
    })?;
    let loc = Located::new(file, &fm, Some(&table));
    let mut problems = Vec::new();
    let item = match kind {
        ItemKind::Lesson => {
            let mut lesson: Lesson = deserialize(&fm, &loc)?;
            lesson.source = file.to_path_buf();
            lesson.body = trim_blank(fm.body).to_owned();
            AnyItem::Lesson(lesson)
        }
        ItemKind::Challenge => {
            let mut challenge: Challenge = deserialize(&fm, &loc)?;
            challenge.source = file.to_path_buf();
            let (briefing, solution) = hidden_section(&fm, &loc, SOLUTION_HEADING, &mut problems);
            challenge.briefing = briefing;
            challenge.solution = solution;
            AnyItem::Challenge(challenge)
        }
        ItemKind::Drill => {
            let mut drill: Drill = deserialize(&fm, &loc)?;
            drill.source = file.to_path_buf();
            let (context, answer) =
                hidden_section(&fm, &loc, EXAMPLE_ANSWER_HEADING, &mut problems);
            drill.context = context;
            drill.example_answer = answer;
            AnyItem::Drill(drill)
        }
    };
    let parsed = ParsedFile {
        item,
        loc,
        raw_body: fm.body.to_owned(),
    };
    Ok((parsed, problems))
}

/// Turns a serde error into a problem on the line of the offending key.
pub(super) fn deserialize<T: DeserializeOwned>(
    fm: &FrontMatter<'_>,
    loc: &Located,
) -> Result<T, Vec<Problem>> {
    toml::from_str::<T>(fm.toml).map_err(|e| {
        let message = e.message().to_owned();
        let span_path = e.span().and_then(|span| loc.path_at(&span));
        let mut path = span_path.clone().unwrap_or_default();
        let named = ["unknown field `", "missing field `"]
            .iter()
            .find_map(|prefix| message.strip_prefix(prefix))
            .and_then(|rest| rest.split('`').next());
        if let Some(name) = named
            && path.last() != Some(&Seg::Key(name.to_owned()))
        {
            path.push(Seg::Key(name.to_owned()));
        }
        let line = if loc.has(&path) {
            loc.line_of(&path)
        } else {
            e.span()
                .map_or_else(|| loc.line_of(&path), |span| loc.line_at(span.start))
        };
        vec![loc.at_line(line, Some(&path), message)]
    })
}

/// Splits the body at `## {heading}`; reports a missing or empty section.
fn hidden_section(
    fm: &FrontMatter<'_>,
    loc: &Located,
    heading: &str,
    problems: &mut Vec<Problem>,
) -> (String, String) {
    if let Some(sections) = split_at_heading(fm.body, heading) {
        if sections.after.is_empty() {
            problems.push(loc.at_line(
                loc.body_line(sections.heading_line),
                None,
                format!("`## {heading}` has nothing under it; write it out (it stays hidden until the end)"),
            ));
        }
        return (sections.before.to_owned(), sections.after.to_owned());
    }
    let problem = match near_miss_heading(fm.body, heading) {
        Some((line, found)) => loc.at_line(
            loc.body_line(line),
            None,
            format!("`{found}` must be written exactly `## {heading}` to start the hidden section"),
        ),
        None => loc.at_line(
            loc.body_line(1),
            None,
            format!(
                "no `## {heading}` heading: add it after the visible part, then the hidden text"
            ),
        ),
    };
    problems.push(problem);
    (trim_blank(fm.body).to_owned(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(kind: ItemKind, text: &str) -> Vec<(usize, Option<String>, String)> {
        let found = match parse_file(kind, Path::new("f.md"), text) {
            Ok((_, problems)) => problems,
            Err(problems) => problems,
        };
        found
            .into_iter()
            .map(|p| (p.line, p.field, p.message))
            .collect()
    }

    fn one(kind: ItemKind, text: &str) -> (usize, Option<String>, String) {
        let mut all = problems(kind, text);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    const LESSON_HEAD: &str = "+++\nid = \"a\"\ntitle = \"A\"\nlevel = 1\nminutes = 5\n";

    #[test]
    fn front_matter_must_be_present_and_closed() {
        let (line, field, msg) = one(ItemKind::Lesson, "# Hello\n");
        assert_eq!((line, field), (1, None));
        assert!(msg.starts_with("no front matter"), "{msg}");
        let (line, _, msg) = one(ItemKind::Lesson, "+++\nid = \"a\"\n# Hello\n");
        assert_eq!(line, 1);
        assert!(msg.contains("never closed"), "{msg}");
    }

    #[test]
    fn toml_syntax_errors_point_at_their_file_line() {
        let text = format!("{LESSON_HEAD}tags = [\"a\"\n+++\nbody\n");
        let (line, field, msg) = one(ItemKind::Lesson, &text);
        assert_eq!((line, field), (6, None));
        assert!(msg.starts_with("TOML syntax error"), "{msg}");
    }

    #[test]
    fn wrong_types_name_the_key_and_line() {
        let text = "+++\nid = \"a\"\ntitle = \"A\"\nlevel = \"easy\"\nminutes = 5\n+++\n";
        let (line, field, msg) = one(ItemKind::Lesson, text);
        assert_eq!((line, field.as_deref()), (4, Some("level")));
        assert!(msg.contains("invalid type"), "{msg}");
    }

    #[test]
    fn unknown_keys_are_reported_at_the_key() {
        let text = format!("{LESSON_HEAD}prerequisite = [\"b\"]\n+++\n");
        let (line, field, msg) = one(ItemKind::Lesson, &text);
        assert_eq!((line, field.as_deref()), (6, Some("prerequisite")));
        assert!(msg.starts_with("unknown field `prerequisite`"), "{msg}");
    }

    #[test]
    fn unknown_keys_inside_an_expectation_are_found_too() {
        let text = format!(
            "{LESSON_HEAD}[[exercises]]\nid = \"e\"\nprompt = \"p\"\nsolution = \"s\"\n[exercises.expect]\nkind = \"choice\"\noptions = [\"a\", \"b\"]\nanswr = \"a\"\n+++\n"
        );
        let all = problems(ItemKind::Lesson, &text);
        // serde reports the first failure it meets: the unknown key.
        assert_eq!(all.len(), 1, "{all:?}");
        let (line, field, msg) = &all[0];
        assert_eq!(field.as_deref(), Some("exercises[0].expect.answr"));
        assert_eq!(*line, 13);
        assert!(msg.contains("unknown field `answr`"), "{msg}");
    }

    #[test]
    fn missing_keys_point_at_their_table() {
        let text = "+++\nid = \"a\"\nlevel = 1\nminutes = 5\n+++\n";
        let (line, field, msg) = one(ItemKind::Lesson, text);
        assert_eq!((line, field.as_deref()), (2, Some("title")));
        assert_eq!(msg, "missing field `title`");

        let text = format!(
            "{LESSON_HEAD}\n[[exercises]]\nid = \"e\"\nprompt = \"p\"\n[exercises.expect]\nkind = \"text\"\n+++\n"
        );
        let (line, field, _) = one(ItemKind::Lesson, &text);
        assert_eq!((line, field.as_deref()), (7, Some("exercises[0].solution")));
    }

    #[test]
    fn unknown_enum_values_list_the_allowed_ones() {
        let text = "+++\nid = \"c\"\ntitle = \"C\"\nlevel = 1\nminutes = 5\ntier = \"easy\"\n[ground_truth]\nservice = \"s\"\nfault = \"f\"\nsummary = \"x\"\n+++\n## Solution\nx\n";
        let (line, field, msg) = one(ItemKind::Challenge, text);
        assert_eq!((line, field.as_deref()), (6, Some("tier")));
        assert!(msg.contains("single-service"), "{msg}");
    }

    const CHALLENGE: &str = "+++\nid = \"c\"\ntitle = \"C\"\nlevel = 1\nminutes = 5\ntier = \"subtle\"\n[ground_truth]\nservice = \"s\"\nfault = \"f\"\nsummary = \"x\"\n+++\n";

    #[test]
    fn challenge_body_splits_into_briefing_and_solution() {
        let text = format!("{CHALLENGE}\nCheckout is slow.\n\n## Solution\n\nPayments.\n");
        let (parsed, problems) = parse_file(ItemKind::Challenge, Path::new("c.md"), &text).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let AnyItem::Challenge(c) = parsed.item else {
            panic!("not a challenge");
        };
        assert_eq!(c.briefing, "Checkout is slow.");
        assert_eq!(c.solution, "Payments.");
        assert_eq!(c.source, Path::new("c.md"));
    }

    #[test]
    fn missing_solution_heading_is_reported_with_a_near_miss_line() {
        let text = format!("{CHALLENGE}Checkout is slow.\n");
        let (line, _, msg) = one(ItemKind::Challenge, &text);
        assert_eq!(line, 12);
        assert!(msg.starts_with("no `## Solution` heading"), "{msg}");

        let text = format!("{CHALLENGE}Checkout is slow.\n\n# solution\nx\n");
        let (line, _, msg) = one(ItemKind::Challenge, &text);
        assert_eq!(line, 14);
        assert!(
            msg.contains("`# solution` must be written exactly `## Solution`"),
            "{msg}"
        );

        let text = format!("{CHALLENGE}Checkout is slow.\n## Solution\n\n");
        let (line, _, msg) = one(ItemKind::Challenge, &text);
        assert_eq!(line, 13);
        assert!(msg.contains("nothing under it"), "{msg}");
    }

    #[test]
    fn drills_need_an_example_answer() {
        let head = "+++\nid = \"d\"\ntitle = \"D\"\nlevel = 1\nminutes = 5\nkind = \"concept\"\nquestion = \"Why?\"\n[[rubric]]\nconcept = \"rate\"\n+++\n";
        let (line, _, msg) = one(ItemKind::Drill, &format!("{head}Context.\n"));
        assert_eq!(line, 11);
        assert!(msg.contains("`## Example answer`"), "{msg}");

        let text = format!("{head}Context.\n## Example answer\nBecause.\n");
        let (parsed, problems) = parse_file(ItemKind::Drill, Path::new("d.md"), &text).unwrap();
        assert!(problems.is_empty());
        let AnyItem::Drill(d) = parsed.item else {
            panic!("not a drill");
        };
        assert_eq!(
            (d.context.as_str(), d.example_answer.as_str()),
            ("Context.", "Because.")
        );
        assert_eq!(d.pass, 0.6);
    }
}
