//! The wheel and the clock: scrolling the pane under the pointer, and what every tick does
//! (time counted toward the open item while the learner is active, polls, autosave).

use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{MouseEvent, MouseEventKind};

use super::super::keymap::Action;
use super::super::panes::query::update::unix_seconds;
use super::{AUTOSAVE_EVERY, App, Cmd, IDLE_AFTER, RightPane};

impl App {
    pub(super) fn on_mouse(&mut self, mouse: MouseEvent) {
        let delta: isize = match mouse.kind {
            MouseEventKind::ScrollDown => 3,
            MouseEventKind::ScrollUp => -3,
            _ => return,
        };
        let areas = self.areas();
        if areas.in_navigator(mouse.column, mouse.row) {
            self.navigator.scroll(delta.signum());
        } else if self.interview_shown() {
            let action = if delta > 0 { Action::Down } else { Action::Up };
            for _ in 0..delta.unsigned_abs() {
                self.on_interview_action(action);
            }
        } else if let Some(doc) = &mut self.reader {
            doc.scroll_by(delta, areas.reader_height());
            if !doc.builtin {
                self.progress.set_position(&doc.id, doc.scroll as u32);
                self.unsaved = true;
            }
        }
    }

    pub(super) fn on_tick(&mut self, elapsed: Duration, now: DateTime<Utc>) -> Vec<Cmd> {
        self.now = now;
        self.idle_for += elapsed;
        self.since_save += elapsed;
        if self.idle_for < IDLE_AFTER
            && let Some(doc) = &self.reader
            && !doc.builtin
            && !self.interview_shown()
        {
            // Ticks are sub-second; carry the remainder so no time is lost or invented.
            self.time_carry += elapsed;
            let whole = self.time_carry.as_secs();
            if whole > 0 {
                self.time_carry -= Duration::from_secs(whole);
                self.progress.add_time(&doc.id, whole);
                self.unsaved = true;
            }
        }
        self.since_poll += elapsed;
        let mut cmds = self.poll_if_due();
        cmds.extend(self.stack.on_tick(elapsed));
        let visible = self.right == RightPane::Query;
        cmds.extend(self.query.on_tick(elapsed, visible, unix_seconds(now)));
        cmds.extend(self.challenge_tick(elapsed));
        if let Some(reply) = self.interview.on_tick(now) {
            cmds.extend(self.apply(reply));
        }
        if self.unsaved && self.since_save >= AUTOSAVE_EVERY {
            cmds.extend(self.save());
        }
        cmds
    }
}
