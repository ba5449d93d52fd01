//! The app's side of the Query pane: which of its contexts has the keys, routing its
//! messages, opening it, and offering to start a lab when a query has nowhere to go.

use crate::lab::query::QueryLang;

use super::super::keymap::Context;
use super::super::panes::Reply;
use super::super::panes::query::logs::TailStatus;
use super::super::panes::query::update::unix_seconds;
use super::super::panes::query::{Part, Tab};
use super::super::panes::stack::LabView;
use super::{App, Cmd, Confirm, Focus, Msg, RightPane, TailUpdate};

impl App {
    /// The typing context of the Query pane, when it is focused and has a text field open.
    pub(super) fn query_typing(&self) -> Option<Context> {
        if self.focus != Focus::Query || !self.query.is_typing() {
            return None;
        }
        Some(match self.query.current() {
            None => Context::SilenceForm,
            Some(tab) if tab.prompt.is_some() => Context::RangePrompt,
            Some(_) => Context::QueryEditor,
        })
    }

    /// The Query pane's keys when nothing is being typed.
    pub(super) fn query_context(&self) -> Context {
        match self.query.tab {
            Tab::Alerts => Context::Alerts,
            Tab::Lang(_) => Context::Query,
        }
    }

    pub(super) fn on_query_msg(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::QueryFinished { id, result } => {
                self.query.on_finished(id, result);
                Vec::new()
            }
            Msg::NamesLoaded { lang, result } => {
                match result {
                    Ok(known) => self.query.on_names(lang, known),
                    Err(e) => tracing::debug!("{lang:?} completion names not loaded: {e}"),
                }
                Vec::new()
            }
            Msg::LabelValuesLoaded {
                lang,
                label,
                result,
            } => match result {
                Ok(values) => {
                    self.query.on_label_values(lang, label, values);
                    Vec::new()
                }
                Err(e) => {
                    tracing::debug!("{lang:?} values of {label} not loaded: {e}");
                    Vec::new()
                }
            },
            Msg::AlertsLoaded { id, snapshot } => {
                self.query.alerts.on_loaded(id, snapshot);
                Vec::new()
            }
            Msg::SilenceChanged(result) => {
                let reply = match result {
                    Ok(text) => Reply::notify(text),
                    Err(e) => Reply::warn(format!("silence: {e}")),
                };
                let mut cmds = self.apply(reply);
                cmds.extend(self.query.alerts.load());
                cmds
            }
            Msg::TraceLoaded { id, result } => {
                self.query.on_trace_loaded(id, result);
                Vec::new()
            }
            Msg::ExemplarsLoaded { id, result } => {
                self.query.on_exemplars(id, result);
                Vec::new()
            }
            Msg::ServiceMapLoaded { id, result } => {
                self.query.on_service_map(id, result);
                Vec::new()
            }
            Msg::SyntaxChecked { lang, expr, result } => {
                if lang == QueryLang::LogQL {
                    self.query.on_syntax_checked(&expr, result);
                }
                Vec::new()
            }
            Msg::Tailed { id, update } => {
                match update {
                    TailUpdate::Frame(frame) => self.query.on_tail_frame(id, frame),
                    TailUpdate::Connected => self.query.on_tail_status(id, TailStatus::Live),
                    TailUpdate::Reconnecting { error, attempt } => self
                        .query
                        .on_tail_status(id, TailStatus::Reconnecting(error, attempt)),
                    TailUpdate::Ended(reason) => {
                        self.query.on_tail_status(id, TailStatus::Paused);
                        self.notify(format!("live tail stopped: {reason}"));
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// `e`: the Query pane in front (beside the lesson, if one is open).
    pub(super) fn show_query(&mut self) -> Vec<Cmd> {
        self.right = RightPane::Query;
        self.focus = Focus::Query;
        if self.query.current().is_some_and(|t| t.run.is_none()) {
            self.query.part = Part::Editor;
        }
        self.relayout();
        let mut cmds = self.poll_now();
        if matches!(self.stack.lab, LabView::NotStarted) {
            cmds.extend(self.offer_lab_start(None));
        }
        cmds
    }

    /// A lesson's runnable block: opens in its tab beside the lesson and runs, or waits
    /// for a lab the learner is offered to start.
    pub(super) fn send_to_query(&mut self, lang: QueryLang, code: &str) -> Vec<Cmd> {
        self.right = RightPane::Query;
        self.relayout();
        if matches!(self.stack.lab, LabView::NotStarted) {
            self.query.tab = Tab::Lang(lang);
            self.query.lang_tab_mut(lang).editor.set_text(code.trim());
            return self.offer_lab_start(Some((lang, code.to_string())));
        }
        self.query.open_query(lang, code, unix_seconds(self.now))
    }

    /// `U`, or a query with no lab: the same question as the Stack pane asks.
    pub(super) fn offer_lab_start(&mut self, pending: Option<(QueryLang, String)>) -> Vec<Cmd> {
        if !matches!(self.stack.lab, LabView::NotStarted) {
            if pending.is_none() {
                self.notify("a lab is already running (s shows it; `labtui down` stops it)");
            }
            return Vec::new();
        }
        self.query.pending = pending;
        self.stack.up = None;
        let question = if self.query.pending.is_some() {
            "No lab is running. Start it now and run the query when Prometheus is ready? (the same as `labtui up`)"
        } else {
            "Start the lab now? (the same as `labtui up`)"
        };
        self.confirm = Some(Confirm {
            question: question.into(),
            on_yes: vec![Cmd::StartLab],
        });
        Vec::new()
    }

    /// True while something on screen moves on its own (a query's spinner, a challenge's
    /// clock).
    pub fn animating(&self) -> bool {
        (self.right == RightPane::Query && self.query.is_loading())
            || self.challenge.countdown(self.now).is_some()
    }
}
