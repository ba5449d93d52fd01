//! App state, the messages that change it and the effects it asks for.
//!
//! `App::update` is pure: no I/O, no await. The runtime executes each `Cmd` and feeds
//! results back as past-tense `Msg`s. The app keeps focus, keys' routing and what every
//! pane shares (status line, yes/no popup, lab polls); a lab pane's own messages go to the
//! pane (`panes::stack`, `panes::faults`), which answers with a `Reply`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::lab::content::{Catalog, ItemKind};
use crate::lab::progress::Progress;
use crate::lab::query::history::History;

mod challenge;
mod input;
mod interview;
mod msg;
mod query;

pub use msg::{Cmd, Confirm, LabSnapshot, Msg, Notice, QuerySlot, TailUpdate};

use super::keymap::{self, Action, Context};
use super::layout::Areas;
use super::navigator::{NavOutcome, NavPath, Navigator};
use super::panes::Reply;
use super::panes::challenge::ChallengePane;
use super::panes::faults::FaultsPane;
use super::panes::interview::InterviewPane;
use super::panes::query::QueryPane;
use super::panes::query::update::unix_seconds;
use super::panes::stack::StackPane;
use super::reader::{Doc, ReaderOutcome};
use super::theme::Theme;

pub use super::panes::stack::LOG_TAIL;

/// Time counts towards an item only while the learner is active (keys or wheel).
const IDLE_AFTER: Duration = Duration::from_secs(120);
/// Unsaved progress is written at least this often.
const AUTOSAVE_EVERY: Duration = Duration::from_secs(30);
/// How often the lab is polled: a component killed from outside shows within a few seconds.
const POLL_LAB_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Navigator,
    Reader,
    Stack,
    Faults,
    Query,
}

/// Which pane fills the right side (the one last focused there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RightPane {
    Reader,
    Stack,
    Faults,
    /// The Query pane: beside the reader when a lesson is open.
    Query,
}

/// Everything the UI shows, as plain data.
#[derive(Debug, Clone)]
pub struct App {
    pub catalog: Catalog,
    pub progress: Progress,
    pub navigator: Navigator,
    pub reader: Option<Doc>,
    pub stack: StackPane,
    pub faults: FaultsPane,
    pub query: QueryPane,
    /// The challenge runner and lesson exercises (drawn in the reader's place).
    pub challenge: ChallengePane,
    /// The interview mode (drawn in the reader's place, before the runner).
    pub interview: InterviewPane,
    pub focus: Focus,
    pub right: RightPane,
    pub help: Option<u16>,
    pub confirm: Option<Confirm>,
    pub theme: Theme,
    pub size: (u16, u16),
    pub notice: Option<Notice>,
    /// One line per content problem found at start (shown in the status bar, listed by `labtui check`).
    pub content_problems: usize,
    pub should_quit: bool,
    pub now: DateTime<Utc>,
    next_poll_id: u64,
    poll_in_flight: bool,
    since_poll: Duration,
    idle_for: Duration,
    time_carry: Duration,
    since_save: Duration,
    unsaved: bool,
    /// A reconcile of the challenge session is on its way.
    reconciling: bool,
    /// Quitting waits for a running challenge to be abandoned, since this long.
    quitting_for: Option<Duration>,
}

impl App {
    pub fn new(
        catalog: Catalog,
        progress: Progress,
        theme: Theme,
        size: (u16, u16),
        now: DateTime<Utc>,
    ) -> Self {
        let navigator = Navigator::new(
            catalog.entries(ItemKind::Lesson),
            catalog.entries(ItemKind::Challenge),
            catalog.entries(ItemKind::Drill),
        )
        .with_paths(NavPath::all(&catalog));
        let mut app = Self {
            catalog,
            progress,
            navigator,
            reader: None,
            stack: StackPane::default(),
            faults: FaultsPane::default(),
            query: QueryPane::new(History::default()),
            challenge: ChallengePane::default(),
            interview: InterviewPane::default(),
            focus: Focus::Navigator,
            right: RightPane::Reader,
            help: None,
            confirm: None,
            theme,
            size,
            notice: None,
            content_problems: 0,
            should_quit: false,
            now,
            next_poll_id: 0,
            poll_in_flight: false,
            since_poll: POLL_LAB_EVERY,
            idle_for: Duration::ZERO,
            time_carry: Duration::ZERO,
            since_save: Duration::ZERO,
            unsaved: false,
            reconciling: false,
            quitting_for: None,
        };
        app.resume();
        app
    }

    /// Reopens the item the learner last had open, at the line they were reading.
    fn resume(&mut self) {
        let Some(id) = self.progress.last_item.clone() else {
            return;
        };
        if self.navigator.select_id(&id) {
            self.open(&id, false);
            let position = self.progress.item(&id).position as usize;
            let height = self.areas().reader_height();
            if let Some(doc) = &mut self.reader {
                doc.scroll = position;
                doc.clamp_scroll(height);
            }
        }
    }

    pub fn areas(&self) -> Areas {
        self.areas_for(self.size.0, self.size.1)
    }

    /// The layout for a screen of this size: a lesson shares it with the Query pane while
    /// both are open and the list is not focused.
    pub fn areas_for(&self, width: u16, height: u16) -> Areas {
        let left = self.reader.is_some() || self.runner_shown() || self.interview_shown();
        if self.right == RightPane::Query && left && self.focus != Focus::Navigator {
            Areas::split(width, height)
        } else {
            Areas::new(width, height)
        }
    }

    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: false,
        });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error: true,
        });
    }

    /// The contexts whose keys are live now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.confirm.is_some() {
            return vec![Context::Confirm];
        }
        if self.help.is_some() {
            return vec![Context::Help];
        }
        if self.focus == Focus::Faults && self.faults.editor.is_some() {
            return vec![Context::FaultParams];
        }
        if let Some(typing) = self.query_typing() {
            return vec![typing];
        }
        let runner = self
            .interview_context()
            .or_else(|| self.challenge_context());
        if runner == Some(Context::AnswerForm) {
            return vec![Context::AnswerForm];
        }
        let typing = match self.focus {
            Focus::Navigator => self.navigator.is_filtering(),
            Focus::Stack => self.stack.is_searching(),
            Focus::Reader | Focus::Faults | Focus::Query => false,
        };
        if typing {
            return vec![Context::Filter];
        }
        let pane = match self.focus {
            Focus::Navigator => Context::Navigator,
            Focus::Reader => runner.unwrap_or(Context::Reader),
            Focus::Stack if self.stack.logs.is_some() => Context::Logs,
            Focus::Stack => Context::Stack,
            Focus::Faults => Context::Faults,
            Focus::Query => self.query_context(),
        };
        vec![pane, Context::Global]
    }

    /// The status bar's lab summary.
    pub fn lab_status(&self) -> String {
        let mut line = self.stack.summary();
        match self.faults.active.len() {
            0 => {}
            1 => line.push_str(" · 1 fault active"),
            n => line.push_str(&format!(" · {n} faults active")),
        }
        if let Some((id, left)) = self.challenge.countdown(self.now) {
            let clock = super::panes::challenge::update::clock(left);
            line.push_str(&format!(" · {id} {clock} left"));
        }
        line
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) if key.kind == KeyEventKind::Press => {
                self.idle_for = Duration::ZERO;
                self.on_key(key)
            }
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(mouse) => {
                self.idle_for = Duration::ZERO;
                self.on_mouse(mouse);
                Vec::new()
            }
            Msg::Resized { width, height } => {
                self.size = (width, height);
                self.relayout();
                Vec::new()
            }
            Msg::Tick { elapsed, now } => self.on_tick(elapsed, now),
            Msg::ProgressSaved(Ok(())) => Vec::new(),
            Msg::ProgressSaved(Err(e)) => {
                self.warn(format!("could not save progress: {e}"));
                self.unsaved = true;
                Vec::new()
            }
            Msg::Terminate => match self.quit_with_challenge(false) {
                Some(cmds) => cmds,
                None => self.quit_now(),
            },
            Msg::LabPolled { id, .. } if id != self.next_poll_id => Vec::new(), // a late, older poll
            Msg::LabPolled { .. } => {
                self.poll_in_flight = false;
                let reply = self.stack.update(msg);
                self.apply(reply)
            }
            Msg::ComponentControlled { .. }
            | Msg::LogsLoaded { .. }
            | Msg::AlertsUnavailable(_)
            | Msg::TrafficUpdated(_)
            | Msg::LabUpChose(_)
            | Msg::LabUpProgressed(_)
            | Msg::LabUpFinished(_) => {
                let started = matches!(msg, Msg::LabUpFinished(Ok(_)));
                if matches!(msg, Msg::LabUpFinished(Err(_))) {
                    self.query.pending = None;
                }
                let reply = self.stack.update(msg);
                let mut cmds = self.apply(reply);
                if started {
                    let now = unix_seconds(self.now);
                    cmds.extend(self.query.run_pending(now));
                }
                cmds
            }
            Msg::AlertsReceived(notification) => {
                self.query.alerts.on_notification(&notification);
                let reply = self.stack.update(Msg::AlertsReceived(notification));
                self.apply(reply)
            }
            Msg::QueryFinished { .. }
            | Msg::NamesLoaded { .. }
            | Msg::LabelValuesLoaded { .. }
            | Msg::AlertsLoaded { .. }
            | Msg::SilenceChanged(_)
            | Msg::TraceLoaded { .. }
            | Msg::ExemplarsLoaded { .. }
            | Msg::ServiceMapLoaded { .. }
            | Msg::SyntaxChecked { .. }
            | Msg::Tailed { .. } => self.on_query_msg(msg),
            Msg::ChallengeStarted(_)
            | Msg::ChallengeWarmUp(_)
            | Msg::ChallengeReady { .. }
            | Msg::ChallengeSaved(_)
            | Msg::ChallengeSubmitted(_)
            | Msg::ChallengeAbandoned { .. }
            | Msg::ChallengeReconciled(_)
            | Msg::ChallengeProgress { .. }
            | Msg::ExerciseGraded { .. } => self.on_challenge_msg(msg),
            Msg::FaultsPolled(_) | Msg::FaultInjected(_) | Msg::FaultsCleared(_) => {
                let reply = self.faults.update(msg);
                self.apply(reply)
            }
        }
    }

    /// Does what a pane's reply asks of the app; returns the effects to run.
    fn apply(&mut self, reply: Reply) -> Vec<Cmd> {
        if reply.notice.is_some() {
            self.notice = reply.notice;
        }
        if reply.confirm.is_some() {
            self.confirm = reply.confirm;
        }
        if reply.back {
            self.focus = Focus::Navigator;
        }
        let mut cmds = reply.cmds;
        if reply.poll_now {
            cmds.extend(self.poll_now());
        }
        cmds
    }

    /// Polls at once (after an action), unless a poll is already on its way.
    fn poll_now(&mut self) -> Vec<Cmd> {
        self.since_poll = POLL_LAB_EVERY;
        self.poll_if_due()
    }

    fn poll_if_due(&mut self) -> Vec<Cmd> {
        if self.poll_in_flight || self.since_poll < POLL_LAB_EVERY {
            return Vec::new();
        }
        self.since_poll = Duration::ZERO;
        self.poll_in_flight = true;
        self.next_poll_id += 1;
        vec![Cmd::PollLab {
            id: self.next_poll_id,
        }]
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        let contexts = self.contexts();
        if contexts == [Context::Filter] {
            let action = keymap::lookup(Context::Filter, &key);
            let typed = match key.code {
                KeyCode::Char(c) => Some(c),
                _ => None,
            };
            if self.focus == Focus::Stack {
                self.stack.handle_search(action, typed);
            } else {
                self.navigator.handle_filter(action, typed);
            }
            return Vec::new();
        }
        if contexts == [Context::FaultParams] {
            let action = keymap::lookup(Context::FaultParams, &key);
            let plain = !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            let typed = match key.code {
                KeyCode::Char(c) if plain => Some(c),
                _ => None,
            };
            let reply = self.faults.on_params_key(action, typed);
            return self.apply(reply);
        }
        if contexts == [Context::AnswerForm] {
            let action = keymap::lookup(Context::AnswerForm, &key);
            if self.interview_context().is_some() {
                return self.on_interview_typing(key, action);
            }
            return self.on_answer_key(key, action);
        }
        if let [typing @ (Context::QueryEditor | Context::RangePrompt | Context::SilenceForm)] =
            contexts[..]
        {
            let action = keymap::lookup(typing, &key);
            let reply = self.query.on_typing(key, action, self.now);
            return self.apply(reply);
        }
        for context in contexts {
            if let Some(action) = keymap::lookup(context, &key)
                && let Some(cmds) = self.on_action(context, action)
            {
                return cmds;
            }
        }
        Vec::new()
    }

    /// `None` means the context ignored the action and the next one may take it.
    fn on_action(&mut self, context: Context, action: Action) -> Option<Vec<Cmd>> {
        match context {
            Context::Help => {
                match action {
                    Action::ToggleHelp => self.help = None,
                    Action::Down => self.help = self.help.map(|s| s.saturating_add(1)),
                    Action::Up => self.help = self.help.map(|s| s.saturating_sub(1)),
                    _ => {}
                }
                Some(Vec::new())
            }
            Context::Global => Some(self.on_global(action)),
            Context::Navigator if action == Action::StartInterview => {
                Some(self.interview_from_list())
            }
            Context::Navigator => match self.navigator.handle(action) {
                NavOutcome::Ignored => None,
                NavOutcome::Handled => Some(Vec::new()),
                NavOutcome::Open(id) => Some(self.open(&id, true)),
            },
            Context::Reader if action == Action::StartInterview => {
                Some(self.interview_from_reader())
            }
            Context::Reader => self
                .on_reader_challenge(action)
                .or_else(|| self.on_reader(action)),
            Context::Challenge => self.on_challenge_action(action),
            Context::Interview => self.on_interview_action(action),
            Context::Stack | Context::Logs => {
                let log_height = self.areas().reader_height().saturating_sub(2);
                let reply = self.stack.on_action(context, action, log_height)?;
                Some(self.apply(reply))
            }
            Context::Faults => {
                let reply = self.faults.on_action(action)?;
                Some(self.apply(reply))
            }
            Context::Confirm => {
                let confirm = self.confirm.take()?;
                if action != Action::Yes {
                    // A query waiting for a lab the learner declined waits no longer.
                    self.query.pending = None;
                    return Some(Vec::new());
                }
                for cmd in &confirm.on_yes {
                    self.stack.confirmed(cmd);
                    self.faults.confirmed(cmd);
                    self.challenge_confirmed(cmd);
                    if let Some(reply) = self.interview.confirmed(cmd) {
                        self.apply(reply);
                    }
                    if matches!(
                        cmd,
                        Cmd::AbandonChallenge {
                            then_quit: true,
                            ..
                        }
                    ) {
                        self.quitting_for = Some(Duration::ZERO);
                    }
                }
                Some(confirm.on_yes)
            }
            Context::Query | Context::Alerts => {
                let reply = self.query.on_action(action, unix_seconds(self.now))?;
                Some(self.apply(reply))
            }
            // Typing contexts take every key in `on_key`.
            Context::Filter
            | Context::FaultParams
            | Context::QueryEditor
            | Context::RangePrompt
            | Context::SilenceForm
            | Context::AnswerForm => None,
        }
    }

    fn on_global(&mut self, action: Action) -> Vec<Cmd> {
        match action {
            Action::Quit => return self.quit(),
            Action::ToggleHelp => self.help = Some(0),
            Action::SwitchFocus => {
                self.focus = match (self.focus, self.right) {
                    (Focus::Navigator, RightPane::Query) => Focus::Query,
                    (Focus::Query, RightPane::Query) if self.reader.is_some() => Focus::Reader,
                    (Focus::Reader, RightPane::Query) => Focus::Query,
                    (Focus::Navigator, RightPane::Stack) => Focus::Stack,
                    (Focus::Navigator, RightPane::Faults) => Focus::Faults,
                    (Focus::Navigator, RightPane::Reader)
                        if self.reader.is_some() || self.interview_shown() =>
                    {
                        Focus::Reader
                    }
                    _ => Focus::Navigator,
                }
            }
            Action::ShowFaults => {
                self.right = RightPane::Faults;
                self.focus = Focus::Faults;
                return self.poll_now();
            }
            Action::ShowQuery => return self.show_query(),
            Action::StartLab => return self.offer_lab_start(None),
            Action::ShowStack => {
                self.right = RightPane::Stack;
                self.focus = Focus::Stack;
                return self.poll_now();
            }
            Action::ShowLessons => self.show_tab(ItemKind::Lesson),
            Action::ShowChallenges => self.show_tab(ItemKind::Challenge),
            Action::ShowDrills => self.show_tab(ItemKind::Drill),
            _ => {}
        }
        Vec::new()
    }

    fn show_tab(&mut self, kind: ItemKind) {
        self.navigator.show(kind);
        self.focus = Focus::Navigator;
    }

    fn on_reader(&mut self, action: Action) -> Option<Vec<Cmd>> {
        let height = self.areas().reader_height();
        let doc = self.reader.as_mut()?;
        let outcome = doc.handle(action, height, &self.theme.markdown);
        let id = doc.id.clone();
        let kind = doc.kind;
        let builtin = doc.builtin;
        if !builtin && self.progress.item(&id).position != doc.scroll as u32 {
            self.progress.set_position(&id, doc.scroll as u32);
            self.unsaved = true;
        }
        match outcome {
            ReaderOutcome::Ignored => None,
            ReaderOutcome::Handled => Some(Vec::new()),
            ReaderOutcome::Back => {
                self.focus = Focus::Navigator;
                Some(self.save())
            }
            ReaderOutcome::Send(block) => Some(self.send_to_query(block.lang, &block.code)),
            ReaderOutcome::Complete if builtin => {
                self.notify("press Esc and open a lesson on the left to start the course");
                Some(Vec::new())
            }
            ReaderOutcome::Complete if kind == ItemKind::Challenge => {
                self.warn("a challenge is completed by answering its questions, not by marking it");
                Some(Vec::new())
            }
            ReaderOutcome::Complete => {
                self.progress.complete(&id, self.now);
                self.notify(format!("marked “{}” complete", doc_title(&self.reader)));
                Some(self.save())
            }
        }
    }

    /// A first launch: the welcome page in the reader, focused, so `U` and `n` work at once.
    pub fn welcome(&mut self) {
        let width = self.areas().reader_width();
        self.reader = Some(Doc::welcome(width, &self.theme.markdown));
        self.right = RightPane::Reader;
        self.focus = Focus::Reader;
    }

    /// Opens an item in the reader and records that the learner started it.
    fn open(&mut self, id: &str, focus_reader: bool) -> Vec<Cmd> {
        let Some(item) = self.catalog.find(id) else {
            self.warn(format!("no item with id {id}"));
            return Vec::new();
        };
        let width = self.areas().reader_width();
        self.reader = Some(Doc::open(item, width, &self.theme.markdown));
        // The Query pane stays beside a lesson opened while it is shown.
        if self.right != RightPane::Query {
            self.right = RightPane::Reader;
        }
        if focus_reader {
            self.focus = Focus::Reader;
        }
        // The running challenge opens on its runner; anything else on its document.
        self.challenge.shown = self.challenge.run.as_ref().is_some_and(|r| r.id() == id);
        if self.challenge.shown {
            self.challenge.front = super::panes::challenge::Front::Run;
        }
        // An interview under way is set aside; `I` shows it again.
        self.interview.shown = false;
        self.progress.open(id, self.now);
        self.save()
    }

    fn relayout(&mut self) {
        let areas = self.areas();
        self.query
            .set_width(super::panes::query::view::results_width(areas.query_pane()));
        self.interview_relayout();
        if let Some(doc) = &mut self.reader {
            if doc.width() != areas.reader_width() {
                doc.layout(areas.reader_width(), &self.theme.markdown);
            }
            doc.clamp_scroll(areas.reader_height());
        }
    }

    fn save(&mut self) -> Vec<Cmd> {
        self.unsaved = false;
        self.since_save = Duration::ZERO;
        vec![Cmd::SaveProgress(self.progress.clone())]
    }

    /// `q`: asks first while a challenge runs (quitting abandons it).
    fn quit(&mut self) -> Vec<Cmd> {
        if self.quitting_for.is_some() {
            return self.quit_now();
        }
        self.quit_with_challenge(true)
            .unwrap_or_else(|| self.quit_now())
    }

    fn quit_now(&mut self) -> Vec<Cmd> {
        self.should_quit = true;
        let mut cmds = self.save();
        cmds.push(Cmd::Quit);
        cmds
    }
}

fn doc_title(doc: &Option<Doc>) -> &str {
    doc.as_ref().map_or("", |d| d.title.as_str())
}
