//! The reader pane: one lesson, challenge briefing or drill rendered from Markdown.

use std::fmt::Write as _;

use crate::lab::content::{Challenge, ItemKind, ItemRef};

use super::keymap::Action;
use super::markdown::{self, MdTheme, Rendered, RenderedBlock};
use super::widgets::DashboardView;

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
    /// Shipped with labtui (the welcome), not a content item: no progress is kept for it.
    pub builtin: bool,
    /// A drill's recorded dashboard, drawn above the text and scrolled with it.
    pub dashboard: Option<DashboardView>,
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
            builtin: false,
            dashboard: match item {
                ItemRef::Drill(d) => d.recorded.as_ref().map(|r| DashboardView::new(r, width)),
                _ => None,
            },
        };
        doc.layout(width, theme);
        doc
    }

    /// The page a first launch opens: what the lab is, the keys that matter, how to start.
    pub fn welcome(width: u16, theme: &MdTheme) -> Self {
        let mut doc = Self {
            id: "welcome".into(),
            kind: ItemKind::Lesson,
            title: "Welcome".into(),
            markdown: include_str!("welcome.md").to_string(),
            answer: None,
            show_answer: false,
            rendered: Rendered::default(),
            width: 0,
            scroll: 0,
            selected_block: None,
            builtin: true,
            dashboard: None,
        };
        doc.layout(width, theme);
        doc
    }

    /// A challenge's solution, opened when an attempt has ended: the ground truth, then the
    /// reasoning with its queries runnable like a lesson's.
    pub fn solution(challenge: &Challenge, width: u16, theme: &MdTheme) -> Self {
        let truth = &challenge.ground_truth;
        let markdown = format!(
            "# Solution: {}\n\n*The cause: {} on {}. {}*\n\n{}\n",
            challenge.title,
            truth.fault,
            truth.service,
            truth.summary.trim(),
            challenge.solution.trim()
        );
        let mut doc = Self {
            id: challenge.id.clone(),
            kind: ItemKind::Challenge,
            title: format!("Solution: {}", challenge.title),
            markdown,
            answer: None,
            show_answer: false,
            rendered: Rendered::default(),
            width: 0,
            scroll: 0,
            selected_block: None,
            builtin: false,
            dashboard: None,
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
        if let Some(dashboard) = &mut self.dashboard {
            dashboard.resize(width);
        }
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

    /// Rows above the Markdown (the dashboard); `scroll` counts them too.
    pub fn lead(&self) -> usize {
        self.dashboard.as_ref().map_or(0, DashboardView::height)
    }

    fn max_scroll(&self, height: usize) -> usize {
        (self.lead() + self.rendered.lines.len()).saturating_sub(height)
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
                    self.scroll = (self.lead() + question_lines).min(self.max_scroll(height));
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
        let lead = self.lead();
        let top = self.scroll.saturating_sub(lead);
        // The first pick starts from what is on screen, not from the top of the lesson.
        let next = match self.selected_block {
            None if step > 0 => self.rendered.first_block_from(top).unwrap_or(0),
            None => self
                .rendered
                .first_block_from((self.scroll + height).saturating_sub(lead))
                .map_or(count - 1, |i| i.saturating_sub(1)),
            Some(i) => (i as isize + step).rem_euclid(count as isize) as usize,
        };
        self.selected_block = Some(next);
        let block = &self.rendered.blocks[next];
        let visible = self.scroll..self.scroll + height;
        if !visible.contains(&(lead + block.first_line))
            || !visible.contains(&(lead + block.last_line))
        {
            // Leave a little context above the block.
            self.scroll = (lead + block.first_line)
                .saturating_sub(2)
                .min(self.max_scroll(height));
        }
    }
}

/// The Markdown shown for an item, and the part kept back until asked for (a drill's answer).
/// A challenge's solution is never shown here: it belongs to the end of a challenge run.
fn compose(item: ItemRef<'_>) -> (String, Option<String>) {
    match item {
        ItemRef::Lesson(lesson) => {
            let meta = format!(
                "*{} · about {} min{}*",
                stars(lesson.level),
                lesson.minutes,
                join_prefixed(" · needs ", &lesson.components)
            );
            let mut md = with_meta(&lesson.body, &meta);
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
                md.push_str("*Press `A` to answer them here, graded as you go.*\n");
            }
            (md, None)
        }
        ItemRef::Challenge(ch) => {
            let points: u32 = ch.questions.iter().map(|q| q.points).sum();
            let meta = format!(
                "*{} · {} · time limit {} min · {}, {} points · {}*",
                stars(ch.level),
                ch.tier.as_str(),
                ch.minutes,
                plural(ch.questions.len(), "question"),
                points,
                plural(ch.hints.len(), "hint")
            );
            let mut md = with_meta(&ch.briefing, &meta);
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
            md.push_str(
                "*Press `S` to start: the faults are injected and the clock runs; `e` opens the Query pane beside the questions.*\n",
            );
            (md, None)
        }
        ItemRef::Drill(drill) => {
            let meta = format!(
                "*{} · {} · about {} min*\n\n> {}",
                stars(drill.level),
                drill.kind.as_str(),
                drill.minutes,
                indent_continuation(drill.question.trim(), "> ")
            );
            let mut md = with_meta(&drill.context, &meta);
            md.push_str(
                "\n\n*Answer it aloud or on paper first, then press `a` for the example answer.*\n",
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

/// Puts the item's details under the body's own `# Title` line when it has one (the pane's
/// border already shows the title), else first.
fn with_meta(body: &str, meta: &str) -> String {
    let body = body.trim_start();
    match body.split_once('\n') {
        Some((title, rest)) if title.starts_with("# ") => format!("{title}\n\n{meta}\n{rest}"),
        None if body.starts_with("# ") => format!("{body}\n\n{meta}\n"),
        _ => format!("{meta}\n\n{body}"),
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
