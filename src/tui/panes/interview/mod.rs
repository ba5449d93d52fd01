//! The interview: drills asked one at a time in the reader's place, each answer graded
//! at once by the drill's rubric (`lab::interview`, pure), then the feedback, then the
//! next question, and a summary at the end.
//!
//! ```text
//!   Drills list `I` (3 at random among the drills it shows) / an open drill `I` (that one)
//!     └─► Asking (context, question, clock) ─ Enter ─► the answer form ─ Enter ─► graded
//!           ▲                                                                       │
//!           └──── n / Enter: next question ◄──── Feedback (score, concepts, example) ◄┘
//!                           after the last one ─► Summary ─ Enter / Esc ─► back to the list
//!   Esc ends it at any point, keeping what was graded (asks first if an answer is unsent)
//! ```
//!
//! The clock per question is the drill's `minutes`; an answer given later is marked over
//! time, never cut off. Each graded answer goes to progress at once (the app records it).

pub mod view;

use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::lab::content::Drill;
use crate::lab::interview::{self, Answered};

use super::super::app::Cmd;
use super::super::keymap::Action;
use super::super::widgets::dashboard::DashboardView;
use super::Reply;
use super::challenge::form::{AnswerForm, FormOutcome};

/// How many drills `I` on the Drills list asks.
pub const RANDOM_COUNT: usize = 3;

/// Where the interview is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The current question is shown; Enter opens the answer form.
    Asking,
    /// The current question's grade, the example answer and the discussion points.
    Feedback,
    /// Every answer's score and the totals.
    Summary,
}

/// One interview from its first question to its summary.
#[derive(Debug, Clone)]
pub struct Interview {
    pub drills: Vec<Drill>,
    /// The question being asked (or just graded), an index into `drills`.
    pub current: usize,
    pub stage: Stage,
    /// Graded answers, in the order asked.
    pub answered: Vec<Answered>,
    pub started: DateTime<Utc>,
    /// When the current question was asked: its clock runs from here.
    pub asked_at: DateTime<Utc>,
    pub form: Option<AnswerForm>,
    /// What was typed in a form closed without sending, offered again when it reopens.
    pub draft: String,
    /// Lines scrolled in the body.
    pub scroll: u16,
    /// The current question's recorded dashboard, laid out for the reader's width.
    pub dashboard: Option<DashboardView>,
    /// Over time has been pointed out for the current question.
    pub warned_over: bool,
}

impl Interview {
    pub fn new(drills: Vec<Drill>, now: DateTime<Utc>) -> Self {
        Self {
            drills,
            current: 0,
            stage: Stage::Asking,
            answered: Vec::new(),
            started: now,
            asked_at: now,
            form: None,
            draft: String::new(),
            scroll: 0,
            dashboard: None,
            warned_over: false,
        }
    }

    /// The drill being asked.
    pub fn drill(&self) -> Option<&Drill> {
        self.drills.get(self.current)
    }

    /// The time the current question allows.
    pub fn limit(&self) -> Duration {
        self.drill()
            .map_or(Duration::ZERO, |d| interview::limit(d, None))
    }

    /// Time since the current question was asked.
    pub fn elapsed(&self, now: DateTime<Utc>) -> Duration {
        (now - self.asked_at).to_std().unwrap_or(Duration::ZERO)
    }

    /// The current question's clock: time left, or time over the limit (`true`).
    pub fn clock(&self, now: DateTime<Utc>) -> (Duration, bool) {
        let elapsed = self.elapsed(now);
        let limit = self.limit();
        match limit.checked_sub(elapsed) {
            Some(left) if elapsed <= limit => (left, false),
            _ => (elapsed - limit, true),
        }
    }

    /// The current question's grade, once it is graded.
    pub fn graded(&self) -> Option<&Answered> {
        let drill = self.drill()?;
        self.answered
            .last()
            .filter(|a| a.id == drill.id && self.answered.len() == self.current + 1)
    }

    /// Questions never reached (the interview ended early).
    pub fn unasked(&self) -> usize {
        self.drills.len().saturating_sub(self.answered.len())
    }

    /// An answer was written and the form closed without sending it.
    fn unsent(&self) -> bool {
        self.stage == Stage::Asking && !self.draft.trim().is_empty()
    }

    fn ask_next(&mut self, now: DateTime<Utc>) {
        self.current += 1;
        self.scroll = 0;
        self.draft.clear();
        self.form = None;
        self.dashboard = None;
        self.warned_over = false;
        self.asked_at = now;
        self.stage = if self.current < self.drills.len() {
            Stage::Asking
        } else {
            self.current = self.drills.len().saturating_sub(1);
            Stage::Summary
        };
    }

    /// Straight to the summary with what was graded.
    fn end(&mut self) {
        self.form = None;
        self.draft.clear();
        self.scroll = 0;
        self.stage = Stage::Summary;
    }
}

/// At most one interview, shown in the reader's place or set aside.
#[derive(Debug, Clone, Default)]
pub struct InterviewPane {
    pub session: Option<Interview>,
    /// Drawn in the reader's place (else the reader shows its document).
    pub shown: bool,
}

impl InterviewPane {
    /// An answer form is open (keys are typed into it).
    pub fn is_typing(&self) -> bool {
        self.shown && self.session.as_ref().is_some_and(|s| s.form.is_some())
    }

    /// An interview that has questions left to ask.
    pub fn in_progress(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.stage != Stage::Summary)
    }

    /// Begin an interview of `drills`, shown at once.
    pub fn begin(&mut self, drills: Vec<Drill>, now: DateTime<Utc>) {
        self.session = Some(Interview::new(drills, now));
        self.shown = true;
    }

    fn close(&mut self) -> Reply {
        self.session = None;
        self.shown = false;
        Reply::back()
    }

    /// A key while the answer form is open; a sent answer comes back graded, for the app
    /// to record.
    pub fn on_typing(
        &mut self,
        key: KeyEvent,
        action: Option<Action>,
        now: DateTime<Utc>,
    ) -> (Reply, Option<Answered>) {
        let Some(iv) = self.session.as_mut() else {
            return (Reply::default(), None);
        };
        let Some(form) = iv.form.as_mut() else {
            return (Reply::default(), None);
        };
        match form.on_key(key, action) {
            FormOutcome::Editing | FormOutcome::TakeQuery(_) => (Reply::default(), None),
            FormOutcome::Refused(why) => (Reply::warn(why), None),
            FormOutcome::Cancel => {
                iv.draft = form.value();
                iv.form = None;
                (Reply::default(), None)
            }
            FormOutcome::Save(text) => {
                let Some(drill) = iv.drill() else {
                    return (Reply::default(), None);
                };
                let answered = Answered {
                    id: drill.id.clone(),
                    title: drill.title.clone(),
                    verdict: interview::grade(drill, &text),
                    answer: text,
                    took: iv.elapsed(now),
                    limit: iv.limit(),
                };
                iv.form = None;
                iv.draft.clear();
                iv.scroll = 0;
                iv.stage = Stage::Feedback;
                iv.answered.push(answered.clone());
                let notice = format!(
                    "graded: {:.0}% ({}){}",
                    answered.score(),
                    if answered.passed() { "pass" } else { "not yet" },
                    if answered.over_time() {
                        ", over the time"
                    } else {
                        ""
                    }
                );
                (Reply::notify(notice), Some(answered))
            }
        }
    }

    /// A key on the interview (no form open); `max_scroll` is how far the body scrolls.
    /// `None` when the pane ignores it.
    pub fn on_action(
        &mut self,
        action: Action,
        now: DateTime<Utc>,
        page: u16,
        max_scroll: u16,
    ) -> Option<Reply> {
        let iv = self.session.as_mut()?;
        match action {
            Action::Down => iv.scroll = iv.scroll.saturating_add(1).min(max_scroll),
            Action::Up => iv.scroll = iv.scroll.saturating_sub(1),
            Action::PageDown => iv.scroll = iv.scroll.saturating_add(page).min(max_scroll),
            Action::PageUp => iv.scroll = iv.scroll.saturating_sub(page),
            Action::Top => iv.scroll = 0,
            Action::Bottom => iv.scroll = max_scroll,
            Action::Open => match iv.stage {
                Stage::Asking => {
                    let drill = iv.drill()?;
                    let expect = interview::expectation(drill);
                    iv.form = Some(AnswerForm::new(&drill.id, &expect, Some(&iv.draft)));
                }
                Stage::Feedback => iv.ask_next(now),
                Stage::Summary => return Some(self.close()),
            },
            Action::NextQuestion => match iv.stage {
                Stage::Feedback => iv.ask_next(now),
                Stage::Asking => {
                    return Some(Reply::notify(
                        "answer first (Enter); Esc ends the interview",
                    ));
                }
                Stage::Summary => {}
            },
            Action::Abandon => match iv.stage {
                Stage::Summary => return Some(self.close()),
                _ if iv.unsent() => {
                    return Some(Reply::confirm(
                        "End the interview? Your unsent answer is dropped; graded answers are kept.",
                        vec![Cmd::EndInterview],
                    ));
                }
                _ => return Some(self.end()),
            },
            _ => return None,
        }
        Some(Reply::default())
    }

    /// Ends the interview: its summary, or back to the list when nothing was graded.
    fn end(&mut self) -> Reply {
        match self.session.as_mut() {
            Some(iv) if !iv.answered.is_empty() => {
                iv.end();
                Reply::default()
            }
            _ => self.close(),
        }
    }

    /// A confirmed command from this pane.
    pub fn confirmed(&mut self, cmd: &Cmd) -> Option<Reply> {
        matches!(cmd, Cmd::EndInterview).then(|| self.end())
    }

    /// On a tick: say once when the current question runs over its time.
    pub fn on_tick(&mut self, now: DateTime<Utc>) -> Option<Reply> {
        let iv = self.session.as_mut().filter(|_| self.shown)?;
        if iv.stage != Stage::Asking || iv.warned_over || !iv.clock(now).1 {
            return None;
        }
        iv.warned_over = true;
        Some(Reply::notify(
            "time is up for this question: answer anyway, it is marked over time",
        ))
    }
}
