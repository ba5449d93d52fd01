//! The reader pane: one lesson, challenge briefing or drill rendered from Markdown.

use std::fmt::Write as _;

use crate::lab::content::{ItemKind, ItemRef};

use super::keymap::Action;
use super::markdown::{self, MdTheme, Rendered, RenderedBlock};

/// The open document and where the learner is in it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub kind: ItemKind,
    pub title: String,
    markdown: String,
    answer: Option<String>,
    pub show_answer: bool,
    pub rendered: Rendered,
    width: u16,
    pub scroll: usize,
    pub selected_block: Option<usize>,
}

/// What the reader asks the app to do after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum ReaderOutcome {
    Handled,
    Ignored,
    Back,
    Send(RenderedBlock),
    Complete,
}

impl Doc {
    pub fn open(item: ItemRef<'_>, width: u16, theme: &MdTheme) -> Self {
        let (markdown, answer) = compose(item);
        let mut doc = Self {
            id: item.id().to_string(),
            kind: item.kind(),
            title: item.title().to_string(),
            markdown,
            answer,
            show_answer: false,
            rendered: Rendered::default(),
            width: 0,
            scroll: 0,
            selected_block: None,
        };
        doc.layout(width, theme);
        doc
    }

    /// Re-wraps the document for a new pane width (on resize, and when the answer toggles).
    pub fn layout(&mut self, width: u16, theme: &MdTheme) {
        let top_line = self.scroll;
        let source = match (&self.answer, self.show_answer) {
            (Some(answer), true) => format!("{}\n\n{answer}", self.markdown),
            _ => self.markdown.clone(),
        };
        let old_len = self.rendered.lines.len().max(1);
        self.rendered = markdown::render(&source, width, theme);
        self.width = width;
        // Keep roughly the same place in the text when the wrap width changes.
        if old_len > 1 {
            self.scroll = top_line * self.rendered.lines.len() / old_len;
        }
        if let Some(i) = self.selected_block
            && i >= self.rendered.blocks.len()
        {
            self.selected_block = None;
        }
    }

    pub fn width(&self) -> u16 {
        self.width
    }

    pub fn has_answer(&self) -> bool {
        self.answer.is_some()
    }

    fn max_scroll(&self, height: usize) -> usize {
        self.rendered.lines.len().saturating_sub(height)
    }

    pub fn scroll_by(&mut self, delta: isize, height: usize) {
        self.scroll = self
            .scroll
            .saturating_add_signed(delta)
            .min(self.max_scroll(height));
    }

    pub fn clamp_scroll(&mut self, height: usize) {
        self.scroll = self.scroll.min(self.max_scroll(height));
    }

    pub fn handle(&mut self, action: Action, height: usize, theme: &MdTheme) -> ReaderOutcome {
        let page = height.saturating_sub(2).max(1) as isize;
        match action {
            Action::Down => self.scroll_by(1, height),
            Action::Up => self.scroll_by(-1, height),
            Action::PageDown => self.scroll_by(page, height),
            Action::PageUp => self.scroll_by(-page, height),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = self.max_scroll(height),
            Action::NextQuery => self.select_block(1, height),
            Action::PreviousQuery => self.select_block(-1, height),
            Action::SendQuery => {
                return match self
                    .selected_block
                    .and_then(|i| self.rendered.blocks.get(i))
                {
                    Some(block) => ReaderOutcome::Send(block.clone()),
                    None => ReaderOutcome::Ignored,
                };
            }
            Action::ToggleAnswer if self.answer.is_some() => {
                self.show_answer = !self.show_answer;
                self.layout(self.width, theme);
                if self.show_answer {
                    // Jump to where the answer starts: the end of the question text.
                    let question_lines = markdown::render(&self.markdown, self.width, theme)
                        .lines
                        .len();
                    self.scroll = question_lines.min(self.max_scroll(height));
                }
                self.clamp_scroll(height);
            }
            Action::MarkComplete => return ReaderOutcome::Complete,
            Action::Back => return ReaderOutcome::Back,
            _ => return ReaderOutcome::Ignored,
        }
        ReaderOutcome::Handled
    }

    /// Cycles through runnable blocks and scrolls the selected one into view.
    fn select_block(&mut self, step: isize, height: usize) {
        let count = self.rendered.blocks.len();
        if count == 0 {
            return;
        }
        let next = match self.selected_block {
            None if step > 0 => 0,
            None => count - 1,
            Some(i) => (i as isize + step).rem_euclid(count as isize) as usize,
        };
        self.selected_block = Some(next);
        let block = &self.rendered.blocks[next];
        let visible = self.scroll..self.scroll + height;
        if !visible.contains(&block.first_line) || !visible.contains(&block.last_line) {
            // Leave a little context above the block.
            self.scroll = block
                .first_line
                .saturating_sub(2)
                .min(self.max_scroll(height));
        }
    }
}

/// The Markdown shown for an item, and the part kept back until asked for (a drill's answer).
/// A challenge's solution is never shown here: it belongs to the end of a challenge run.
fn compose(item: ItemRef<'_>) -> (String, Option<String>) {
    // The title is on the pane's border, so the document starts with its details.
    let mut md = String::new();
    match item {
        ItemRef::Lesson(lesson) => {
            let _ = writeln!(
                md,
                "*{} · about {} min{}*\n",
                stars(lesson.level),
                lesson.minutes,
                join_prefixed(" · needs ", &lesson.components)
            );
            md.push_str(&lesson.body);
            if !lesson.exercises.is_empty() {
                md.push_str("\n\n## Exercises\n\n");
                for (n, ex) in lesson.exercises.iter().enumerate() {
                    let _ = writeln!(
                        md,
                        "{}. {} *({} points, {})*\n",
                        n + 1,
                        indent_continuation(ex.prompt.trim(), "   "),
                        ex.points,
                        plural(ex.hints.len(), "hint")
                    );
                }
            }
            (md, None)
        }
        ItemRef::Challenge(ch) => {
            let points: u32 = ch.questions.iter().map(|q| q.points).sum();
            let _ = writeln!(
                md,
                "*{} · {} · time limit {} min · {}, {} points · {}*\n",
                stars(ch.level),
                ch.tier.as_str(),
                ch.minutes,
                plural(ch.questions.len(), "question"),
                points,
                plural(ch.hints.len(), "hint")
            );
            md.push_str(&ch.briefing);
            md.push_str("\n\n## Questions\n\n");
            for (n, q) in ch.questions.iter().enumerate() {
                let _ = writeln!(
                    md,
                    "{}. {} *({} points)*\n",
                    n + 1,
                    indent_continuation(q.prompt.trim(), "   "),
                    q.points
                );
            }
            (md, None)
        }
        ItemRef::Drill(drill) => {
            let _ = writeln!(
                md,
                "*{} · {} · about {} min*\n\n> {}\n",
                stars(drill.level),
                drill.kind.as_str(),
                drill.minutes,
                drill.question.trim()
            );
            md.push_str(&drill.context);
            md.push_str(
                "\n\n*Answer it aloud or on paper first, then press `e` for the example answer.*\n",
            );
            let mut answer = format!("## Example answer\n\n{}\n", drill.example_answer.trim());
            if !drill.discussion.is_empty() {
                answer.push_str("\n## Discussion points\n\n");
                for point in &drill.discussion {
                    let _ = writeln!(answer, "- {point}");
                }
            }
            (md, Some(answer))
        }
    }
}

/// Indents every line after the first so multi-line text stays inside a list item.
fn indent_continuation(text: &str, indent: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 || line.is_empty() {
                line.to_string()
            } else {
                format!("{indent}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn stars(level: u8) -> String {
    let level = usize::from(level.clamp(1, 5));
    format!("{}{}", "★".repeat(level), "☆".repeat(5 - level))
}

fn join_prefixed(prefix: &str, items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{prefix}{}", items.join(", "))
    }
}
