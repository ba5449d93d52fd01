//! The app's side of the interview: starting one from the Drills list or an open drill,
//! routing its keys, and recording each graded answer in progress.

use ratatui::crossterm::event::KeyEvent;

use crate::lab::content::{Drill, ItemKind};
use crate::lab::interview;

use super::super::keymap::{Action, Context};
use super::super::panes::interview::{RANDOM_COUNT, Stage, view};
use super::super::widgets::DashboardView;
use super::{App, Cmd, Focus, RightPane};

impl App {
    /// The interview is drawn in the reader's place.
    pub fn interview_shown(&self) -> bool {
        self.interview.shown && self.interview.session.is_some()
    }

    /// The interview's context when it has the keys.
    pub(super) fn interview_context(&self) -> Option<Context> {
        if self.focus != Focus::Reader || !self.interview_shown() {
            return None;
        }
        Some(if self.interview.is_typing() {
            Context::AnswerForm
        } else {
            Context::Interview
        })
    }

    /// `I` on the lists: three drills at random among those the Drills list shows.
    pub(super) fn interview_from_list(&mut self) -> Vec<Cmd> {
        if self.navigator.tab != ItemKind::Drill {
            self.notify("I starts an interview from the Drills list (3)");
            return Vec::new();
        }
        if self.resume_interview() {
            return Vec::new();
        }
        let shown: Vec<Drill> = self
            .navigator
            .visible()
            .iter()
            .filter_map(|e| self.catalog.drills.iter().find(|d| d.id == e.id))
            .cloned()
            .collect();
        if shown.is_empty() {
            self.warn("no drill to ask: clear the filter (Esc) or add drills");
            return Vec::new();
        }
        let drills = interview::pick(shown, RANDOM_COUNT, interview::seed_at(self.now));
        self.begin_interview(drills);
        Vec::new()
    }

    /// `I` in the reader: an interview of the open drill alone.
    pub(super) fn interview_from_reader(&mut self) -> Vec<Cmd> {
        let Some(doc) = self.reader.as_ref().filter(|d| !d.builtin) else {
            return Vec::new();
        };
        let Some(drill) = self.catalog.drills.iter().find(|d| d.id == doc.id).cloned() else {
            self.notify("I interviews you on a drill: open one from the Drills list (3)");
            return Vec::new();
        };
        if self.resume_interview() {
            return Vec::new();
        }
        self.begin_interview(vec![drill]);
        Vec::new()
    }

    /// An interview with questions left is shown again rather than replaced.
    fn resume_interview(&mut self) -> bool {
        if !self.interview.in_progress() {
            return false;
        }
        self.interview.shown = true;
        self.focus = Focus::Reader;
        self.notify("back to your interview: Esc ends it");
        true
    }

    fn begin_interview(&mut self, drills: Vec<Drill>) {
        self.interview.begin(drills, self.now);
        self.challenge.shown = false;
        self.focus = Focus::Reader;
        if self.right != RightPane::Query {
            self.right = RightPane::Reader;
        }
        self.interview_relayout();
    }

    /// The current question's dashboard, laid out for the reader's width.
    pub(super) fn interview_relayout(&mut self) {
        let width = self.areas().reader_width();
        let Some(iv) = self.interview.session.as_mut() else {
            return;
        };
        let recorded = iv.drill().and_then(|d| d.recorded.as_ref());
        iv.dashboard = match (recorded, iv.stage) {
            (Some(data), Stage::Asking) => Some(DashboardView::new(data, width)),
            _ => None,
        };
    }

    pub(super) fn on_interview_typing(
        &mut self,
        key: KeyEvent,
        action: Option<Action>,
    ) -> Vec<Cmd> {
        let (reply, graded) = self.interview.on_typing(key, action, self.now);
        let mut cmds = self.apply(reply);
        if let Some(answered) = graded {
            interview::record(&mut self.progress, &answered, self.now);
            cmds.extend(self.save());
        }
        cmds
    }

    pub(super) fn on_interview_action(&mut self, action: Action) -> Option<Vec<Cmd>> {
        let areas = self.areas();
        let (width, height) = (areas.reader_width(), areas.reader_height());
        let max_scroll = self
            .interview
            .session
            .as_ref()
            .map_or(0, |iv| view::max_scroll(self, iv, width, height));
        let page = u16::try_from(height.saturating_sub(1).max(1)).unwrap_or(u16::MAX);
        let before = self.interview.session.as_ref().map(|s| s.current);
        let reply = self
            .interview
            .on_action(action, self.now, page, max_scroll)?;
        if self.interview.session.as_ref().map(|s| s.current) != before {
            self.interview_relayout();
        }
        Some(self.apply(reply))
    }
}
