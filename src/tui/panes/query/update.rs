//! The Query pane's keys and results: editing, running, history, completion, time range,
//! moving through results and the explain tree.

use std::time::Duration;

use chrono::{DateTime, Utc};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::lab::query::{QueryError, QueryLang, QueryOutcome, QueryWindow};

use super::super::super::app::{Cmd, QuerySlot};
use super::super::super::keymap::Action;
use super::super::Reply;
use super::complete::{Known, KnownByLang};
use super::range::Mode;
use super::results::sort_keys;
use super::{
    ExplainView, NodeState, Part, Prompt, PromptKind, QueryPane, REFRESH, ResultView, Run,
    RunState, TABS, Tab,
};

/// Unix seconds with milliseconds, as the query windows use them.
pub fn unix_seconds(t: DateTime<Utc>) -> f64 {
    t.timestamp_millis() as f64 / 1000.0
}

impl QueryPane {
    /// A key while the editor or the range prompt has the keys. `action` is what the
    /// keymap says the key means there; anything else is text.
    pub fn on_typing(
        &mut self,
        key: KeyEvent,
        action: Option<Action>,
        clock: DateTime<Utc>,
    ) -> Reply {
        // The names are only read while typing; lent out so the tab can be borrowed too.
        let known = std::mem::take(&mut self.known);
        let reply = self.type_key(key, action, clock, &known);
        self.known = known;
        reply
    }

    fn type_key(
        &mut self,
        key: KeyEvent,
        action: Option<Action>,
        clock: DateTime<Utc>,
        names: &KnownByLang,
    ) -> Reply {
        if self.tab == Tab::Alerts {
            return self.alerts.on_typing(key, action, clock);
        }
        let now = unix_seconds(clock);
        let Some(tab) = self.current_mut() else {
            return Reply::default();
        };
        if let Some(prompt) = &mut tab.prompt {
            let kind = prompt.kind;
            match action {
                Some(Action::RunQuery) => {
                    let typed = std::mem::take(&mut prompt.text);
                    tab.prompt = None;
                    return match kind {
                        PromptKind::Range => match tab.range.apply(&typed) {
                            Ok(()) => Reply::cmds(self.rerun(now)),
                            Err(e) => Reply::warn(e),
                        },
                        PromptKind::Filter => {
                            self.apply_filter(&typed, true);
                            Reply::default()
                        }
                    };
                }
                Some(Action::CancelEdit) => {
                    tab.prompt = None;
                    if kind == PromptKind::Filter {
                        self.apply_filter("", false);
                    }
                }
                Some(Action::DeleteChar) => {
                    prompt.text.pop();
                    let text = prompt.text.clone();
                    if kind == PromptKind::Filter {
                        self.apply_filter(&text, false);
                    }
                }
                _ => {
                    if let KeyCode::Char(c) = key.code
                        && !key.modifiers.contains(KeyModifiers::CONTROL)
                    {
                        prompt.text.push(c);
                        let text = prompt.text.clone();
                        if kind == PromptKind::Filter {
                            self.apply_filter(&text, false);
                        }
                    }
                }
            }
            return Reply::default();
        }
        let lang = tab.lang;
        let known = names.get(lang);
        let entries = self.history.entries(lang).to_vec();
        let editor = &mut self.lang_tab_mut(lang).editor;
        let newline = key.code == KeyCode::Enter && key.modifiers.contains(KeyModifiers::ALT);
        match action {
            _ if newline => editor.newline(known),
            Some(Action::Newline) => editor.newline(known),
            Some(Action::RunQuery) => return Reply::cmds(self.run_editor(now)),
            Some(Action::CancelEdit) => {
                editor.candidates.clear();
                self.part = Part::Results;
            }
            Some(Action::ClearEditor) => editor.clear(),
            Some(Action::Complete) => {
                editor.accept(known);
            }
            Some(Action::HistoryPrevious | Action::HistoryNext) => {
                let older = action == Some(Action::HistoryPrevious);
                let arrow = matches!(key.code, KeyCode::Up | KeyCode::Down);
                if arrow && !editor.candidates.is_empty() {
                    editor.choose(if older { -1 } else { 1 });
                } else if arrow && !editor.at_edge(older) {
                    editor.input(key, known);
                } else {
                    editor.recall(&entries, older);
                }
            }
            _ => {
                let wanted_before = editor.wanted_label();
                if editor.input(key, known) && lang == QueryLang::LogQL {
                    self.check_due = Some(self.clock + super::signals::CHECK_AFTER);
                }
                let editor = &mut self.lang_tab_mut(lang).editor;
                let wanted = editor.wanted_label();
                if wanted != wanted_before
                    && let Some(label) = wanted
                    && !known.label_values.contains_key(&label)
                {
                    return Reply::cmds(vec![Cmd::LoadLabelValues { lang, label }]);
                }
            }
        }
        Reply::default()
    }

    /// A key on the results, the explain tree or the Alerts tab; `None` when ignored.
    pub fn on_action(&mut self, action: Action, now: f64) -> Option<Reply> {
        if self.tab == Tab::Alerts {
            return match action {
                Action::NextTab | Action::PreviousTab => {
                    Some(self.switch_tab(action == Action::NextTab))
                }
                Action::Back => Some(Reply::back()),
                Action::BackTrail => self.on_signal_action(action, now),
                other => match self.alerts.on_action(other)? {
                    Ok(reply) => Some(reply),
                    Err((lang, expr)) => Some(Reply::cmds(self.open_rule(lang, &expr, now))),
                },
            };
        }
        if let Some(reply) = self.on_signal_action(action, now) {
            return Some(reply);
        }
        match action {
            Action::Back if self.part == Part::Explain => self.part = Part::Results,
            Action::Back => return Some(Reply::back()),
            Action::NextTab | Action::PreviousTab => {
                return Some(self.switch_tab(action == Action::NextTab));
            }
            Action::EditQuery => self.part = Part::Editor,
            Action::Rerun => return Some(Reply::cmds(self.rerun(now))),
            Action::ToggleMode => {
                if let Some(tab) = self.current_mut() {
                    tab.range.mode = match tab.range.mode {
                        Mode::Instant => Mode::Range,
                        Mode::Range => Mode::Instant,
                    };
                }
                return Some(Reply::cmds(self.rerun(now)));
            }
            Action::LongerRange | Action::ShorterRange => {
                if let Some(tab) = self.current_mut() {
                    tab.range.cycle(action == Action::LongerRange);
                    if tab.range.mode == Mode::Instant {
                        tab.range.mode = Mode::Range;
                    }
                }
                return Some(Reply::cmds(self.rerun(now)));
            }
            Action::RangePrompt => {
                if let Some(tab) = self.current_mut() {
                    tab.prompt = Some(Prompt {
                        kind: PromptKind::Range,
                        text: String::new(),
                    });
                }
            }
            Action::CycleRefresh => {
                self.refresh = (self.refresh + 1) % REFRESH.len();
                self.since_refresh = Duration::ZERO;
            }
            Action::ToggleExplain => return Some(Reply::cmds(self.toggle_explain(now))),
            Action::Open if self.part == Part::Explain => {
                return Some(Reply::cmds(self.run_node(now)));
            }
            Action::Open => self.part = Part::Editor,
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => self.move_selection(action),
            Action::CursorLeft | Action::CursorRight => self.move_cursor(action),
            Action::ToggleSeries => self.toggle_series(),
            Action::CycleSort => self.cycle_sort(),
            _ => return None,
        }
        Some(Reply::default())
    }

    fn switch_tab(&mut self, forward: bool) -> Reply {
        let at = TABS.iter().position(|t| *t == self.tab).unwrap_or(0);
        let n = TABS.len();
        self.tab = TABS[if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        }];
        // The keys stay on the results, so `t` keeps stepping through tabs; `i` edits.
        self.part = Part::Results;
        if self.tab == Tab::Alerts {
            return Reply::cmds(self.alerts.load());
        }
        Reply::cmds(self.names_due(Duration::ZERO).into_iter().collect())
    }

    /// The front tab's completion names, when they were never asked for or have aged
    /// past [`super::NAMES_EVERY`]; each language asks its own backend.
    fn names_due(&mut self, elapsed: Duration) -> Option<Cmd> {
        let Tab::Lang(lang) = self.tab else {
            return None;
        };
        let slot = &mut self.since_names[lang_index(lang)];
        match slot {
            Some(since) if *since < super::NAMES_EVERY => {
                *since += elapsed;
                None
            }
            _ => {
                *slot = Some(Duration::ZERO);
                Some(Cmd::LoadNames { lang })
            }
        }
    }

    /// Opens a query from a lesson (or an alert's rule) in its tab and runs it.
    pub fn open_query(&mut self, lang: QueryLang, expr: &str, now: f64) -> Vec<Cmd> {
        self.tab = Tab::Lang(lang);
        let tab = self.lang_tab_mut(lang);
        tab.editor.set_text(expr.trim());
        tab.explain = None;
        self.part = Part::Results;
        self.run_editor(now)
    }

    /// An alert's rule opened in the PromQL tab, leaving a crumb back to the Alerts tab.
    fn open_rule(&mut self, lang: QueryLang, expr: &str, now: f64) -> Vec<Cmd> {
        self.push_crumb(lang);
        self.open_query(lang, expr, now)
    }

    /// Runs what the editor holds, unless the syntax check already knows it is wrong.
    fn run_editor(&mut self, now: f64) -> Vec<Cmd> {
        let Some(tab) = self.current() else {
            return Vec::new();
        };
        let (lang, expr) = (tab.lang, tab.editor.text());
        if expr.trim().is_empty() {
            return Vec::new();
        }
        if let Some(error) = &tab.editor.syntax {
            let message = error.to_string();
            let (id, width, clock) = (self.next_id(), self.width, self.clock);
            let tab = self.lang_tab_mut(lang);
            let window = tab.range.window(now, width);
            tab.run = Some(Run {
                id,
                expr,
                window,
                sent_at: clock,
                state: RunState::Invalid(message),
                node: None,
            });
            return Vec::new();
        }
        self.history.push(lang, &expr);
        self.part = Part::Results;
        let mut cmds = vec![Cmd::SaveHistory(self.history.clone())];
        cmds.extend(self.send(lang, expr, None, now));
        cmds
    }

    /// Runs the results area's query again (the editor's, or the explain node shown).
    fn rerun(&mut self, now: f64) -> Vec<Cmd> {
        let Some(tab) = self.current() else {
            return Vec::new();
        };
        match &tab.run {
            Some(run) => {
                let (lang, expr, node) = (tab.lang, run.expr.clone(), run.node);
                self.send(lang, expr, node, now)
            }
            None => self.run_editor(now),
        }
    }

    fn send(&mut self, lang: QueryLang, expr: String, node: Option<usize>, now: f64) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if lang == QueryLang::LogQL {
            cmds.extend(self.close_tail());
        }
        let id = self.next_id();
        let (clock, width) = (self.clock, self.width);
        let tab = self.lang_tab_mut(lang);
        let window = tab.range.window(now, width);
        tab.run = Some(Run {
            id,
            expr: expr.clone(),
            window,
            sent_at: clock,
            state: RunState::Loading,
            node,
        });
        tab.trace = None;
        tab.map = None;
        tab.exemplars = None;
        self.since_refresh = Duration::ZERO;
        cmds.push(Cmd::RunQuery {
            id,
            lang,
            expr: expr.clone(),
            window,
            slot: QuerySlot::Main,
        });
        // A fresh run of the editor's query refreshes the tree's node sizes too.
        if node.is_none() && lang == QueryLang::PromQL {
            cmds.extend(self.size_nodes(now));
        }
        cmds
    }

    /// Sends one instant query per explain node to learn each one's result size.
    fn size_nodes(&mut self, now: f64) -> Vec<Cmd> {
        let text = self.promql.editor.text();
        let Some(explain) = &self.promql.explain else {
            return Vec::new();
        };
        if explain.of != text {
            match ExplainView::of(&text) {
                Ok(view) => self.promql.explain = Some(view),
                Err(_) => return Vec::new(),
            }
        }
        let fixed_time = match self.promql.range.window(now, self.width) {
            QueryWindow::Range { end, .. } => Some(end),
            QueryWindow::Instant { time } => time,
        };
        let count = self.promql.explain.as_ref().map_or(0, |e| e.rows.len());
        let mut cmds = Vec::new();
        for index in 0..count {
            let id = self.next_id();
            let Some(row) = self
                .promql
                .explain
                .as_mut()
                .and_then(|e| e.rows.get_mut(index))
            else {
                continue;
            };
            row.state = NodeState::Running(id);
            cmds.push(Cmd::RunQuery {
                id,
                lang: QueryLang::PromQL,
                expr: row.expr.clone(),
                window: QueryWindow::Instant { time: fixed_time },
                slot: QuerySlot::Node(index),
            });
        }
        cmds
    }

    fn toggle_explain(&mut self, now: f64) -> Vec<Cmd> {
        if self.tab != Tab::Lang(QueryLang::PromQL) {
            return Vec::new();
        }
        if self.promql.explain.is_some() && self.part == Part::Explain {
            self.promql.explain = None;
            self.part = Part::Results;
            return Vec::new();
        }
        let text = self.promql.editor.text();
        match ExplainView::of(&text) {
            Ok(view) => {
                self.promql.explain = Some(view);
                self.part = Part::Explain;
                self.size_nodes(now)
            }
            Err(e) => {
                self.promql.explain = None;
                let id = self.next_id();
                let window = self.promql.range.window(now, self.width);
                self.promql.run = Some(Run {
                    id,
                    expr: text,
                    window,
                    sent_at: self.clock,
                    state: RunState::Invalid(e),
                    node: None,
                });
                Vec::new()
            }
        }
    }

    /// Runs the selected node's sub-expression in the results area.
    fn run_node(&mut self, now: f64) -> Vec<Cmd> {
        let Some(explain) = &self.promql.explain else {
            return Vec::new();
        };
        let Some(row) = explain.rows.get(explain.selected) else {
            return Vec::new();
        };
        let (expr, index) = (row.expr.clone(), explain.selected);
        self.send(QueryLang::PromQL, expr, Some(index), now)
    }

    /// A query's answer: the results area's, or an explain node's. Stale ids are dropped.
    pub fn on_finished(&mut self, id: u64, result: Result<QueryOutcome, QueryError>) -> bool {
        let width = self.width;
        for lang in [QueryLang::PromQL, QueryLang::LogQL, QueryLang::TraceQL] {
            let tab = self.lang_tab_mut(lang);
            if let Some(explain) = &mut tab.explain
                && explain.finish(id, &result)
            {
                return true;
            }
            if let Some(run) = &mut tab.run
                && run.id == id
                && matches!(run.state, RunState::Loading)
            {
                run.finish(result, width);
                return true;
            }
        }
        false
    }

    /// Time passes: spinners advance, auto-refresh fires, completion names age.
    pub fn on_tick(&mut self, elapsed: Duration, visible: bool, now: f64) -> Vec<Cmd> {
        self.clock += elapsed;
        if !visible {
            return Vec::new();
        }
        let mut cmds: Vec<Cmd> = self.names_due(elapsed).into_iter().collect();
        cmds.extend(self.check_due_syntax());
        if self.tab == Tab::Alerts {
            cmds.extend(self.alerts.on_tick(elapsed));
            return cmds;
        }
        self.since_refresh += elapsed;
        if let Some(every) = self.refresh_every()
            && self.since_refresh >= every
            && self
                .current()
                .and_then(|t| t.run.as_ref())
                .is_some_and(|r| !matches!(r.state, RunState::Loading))
        {
            cmds.extend(self.rerun(now));
        }
        cmds
    }

    /// A language's names arrived: they replace its old ones; values fetched stay.
    pub fn on_names(&mut self, lang: QueryLang, known: Known) {
        let old = self.known.get_mut(lang);
        let values = std::mem::take(&mut old.label_values);
        *old = Known {
            label_values: values,
            ..known
        };
    }

    pub fn on_label_values(&mut self, lang: QueryLang, label: String, values: Vec<String>) {
        self.known.get_mut(lang).label_values.insert(label, values);
        if self.tab == Tab::Lang(lang) {
            let known = self.known.get(lang);
            let tab = match lang {
                QueryLang::PromQL => &mut self.promql,
                QueryLang::LogQL => &mut self.logql,
                QueryLang::TraceQL => &mut self.traceql,
            };
            tab.editor.refresh_candidates(known);
        }
    }

    /// The results area changed width: charts are reshaped, nothing is fetched.
    pub fn set_width(&mut self, width: u16) {
        if width == self.width {
            return;
        }
        self.width = width;
        for lang in [QueryLang::PromQL, QueryLang::LogQL, QueryLang::TraceQL] {
            if let Some(run) = &mut self.lang_tab_mut(lang).run {
                run.relayout(width);
            }
        }
    }

    fn view_mut(&mut self) -> Option<&mut ResultView> {
        match &mut self.current_mut()?.run.as_mut()?.state {
            RunState::Done(done) => Some(&mut done.view),
            _ => None,
        }
    }

    fn move_selection(&mut self, action: Action) {
        let step = |at: usize, len: usize| -> usize {
            let last = len.saturating_sub(1);
            match action {
                Action::Up => at.saturating_sub(1),
                Action::Down => (at + 1).min(last),
                Action::PageUp => at.saturating_sub(10),
                Action::PageDown => (at + 10).min(last),
                Action::Top => 0,
                _ => last,
            }
        };
        if self.part == Part::Explain {
            if let Some(explain) = &mut self.promql.explain {
                explain.selected = step(explain.selected, explain.rows.len());
            }
            return;
        }
        match self.view_mut() {
            Some(ResultView::Table {
                model, selected, ..
            }) => *selected = step(*selected, model.rows.len()),
            Some(ResultView::Chart { model, selected }) => {
                *selected = step(*selected, model.series().len());
            }
            _ => {}
        }
    }

    fn move_cursor(&mut self, action: Action) {
        if let Some(ResultView::Chart { model, .. }) = self.view_mut() {
            if action == Action::CursorLeft {
                model.cursor_left();
            } else {
                model.cursor_right();
            }
        }
    }

    fn toggle_series(&mut self) {
        if let Some(ResultView::Chart { model, selected }) = self.view_mut() {
            model.toggle(*selected);
        }
    }

    fn cycle_sort(&mut self) {
        if let Some(ResultView::Table { model, sort, .. }) = self.view_mut() {
            let keys = sort_keys(model);
            *sort = (*sort + 1) % keys.len();
            model.sort(&keys[*sort]);
        }
    }

    /// Once a lab answers, the query that was waiting for it runs.
    pub fn run_pending(&mut self, now: f64) -> Vec<Cmd> {
        match self.pending.take() {
            Some((lang, expr)) => self.open_query(lang, &expr, now),
            None => Vec::new(),
        }
    }
}

/// Where a language's slot is in per-language arrays.
fn lang_index(lang: QueryLang) -> usize {
    match lang {
        QueryLang::PromQL => 0,
        QueryLang::LogQL => 1,
        QueryLang::TraceQL => 2,
    }
}
