//! Keys and answers of the logs and traces views, and the jumps between signals: a log
//! line to its trace, a span to its logs or RED metrics, a chart to its exemplars, back
//! along the trail. Pure state changes returning `Cmd`s, like the rest of the pane.

use std::time::Duration;

use crate::lab::query::logs::TailFrame;
use crate::lab::query::prometheus::ExemplarSeries;
use crate::lab::query::traces::Trace;
use crate::lab::query::{InstantSeries, QueryError, QueryLang, QueryWindow};

use super::super::super::app::Cmd;
use super::super::super::keymap::Action;
use super::super::super::widgets::service_map::MapEdge;
use super::super::Reply;
use super::correlate::{self, Crumb, ExemplarsState, ExemplarsView, TRAIL_MAX};
use super::logs::{LogsView, Tail, TailStatus, is_log_query};
use super::range::Mode;
use super::traces::{OpenTrace, ServiceMapState, TraceState, TraceView};
use super::{Part, Prompt, PromptKind, QueryPane, ResultView, RunState, Tab};

/// How long typing must pause before Loki is asked whether the LogQL parses.
pub const CHECK_AFTER: Duration = Duration::from_millis(400);

/// Lines a page key moves in the logs and trace views.
const PAGE: isize = 10;

impl QueryPane {
    /// Keys of the views this module owns; `None` lets the generic keys have them.
    pub(super) fn on_signal_action(&mut self, action: Action, now: f64) -> Option<Reply> {
        if action == Action::BackTrail {
            return Some(self.back_trail());
        }
        let lang = self.current()?.lang;
        if self.part == Part::Explain {
            return None;
        }
        if self.current().is_some_and(|t| t.trace.is_some()) {
            return self.on_trace_key(action, now);
        }
        if self.current().is_some_and(|t| t.map.is_some()) {
            return self.on_map_key(action);
        }
        if lang == QueryLang::PromQL
            && self.promql.exemplars.is_some()
            && let Some(reply) = self.on_exemplar_key(action)
        {
            return Some(reply);
        }
        match lang {
            QueryLang::PromQL => match action {
                Action::Correlate => Some(Reply::cmds(self.load_exemplars(now))),
                _ => None,
            },
            QueryLang::LogQL => self.on_logs_key(action, now),
            QueryLang::TraceQL => self.on_traces_key(action),
        }
    }

    // ---- the trail -----------------------------------------------------------------

    /// Remembers where the learner is before a jump takes them to `dest`'s tab, and how
    /// that tab was, so going back undoes the jump on both sides.
    pub(super) fn push_crumb(&mut self, dest: QueryLang) {
        let before = (self.tab != Tab::Lang(dest)).then(|| Box::new(self.lang_tab(dest).clone()));
        let crumb = match self.current() {
            Some(tab) => {
                let expr = tab
                    .run
                    .as_ref()
                    .map_or_else(|| tab.editor.text(), |r| r.expr.clone());
                let label = match &tab.trace {
                    Some(t) => format!("trace {}", short_id(t.shown_id())),
                    None => correlate::crumb_label(tab.lang, &expr),
                };
                Crumb {
                    label,
                    tab: self.tab,
                    part: self.part,
                    saved: Some(Box::new(tab.clone())),
                    dest: before,
                }
            }
            None => Crumb {
                label: "Alerts".into(),
                tab: self.tab,
                part: self.part,
                saved: None,
                dest: before,
            },
        };
        self.trail.push(crumb);
        if self.trail.len() > TRAIL_MAX {
            self.trail.remove(0);
        }
    }

    /// Backspace: the view the last jump left, exactly as it was.
    fn back_trail(&mut self) -> Reply {
        let Some(crumb) = self.trail.pop() else {
            return Reply::notify(
                "nothing to go back to: jumps (c, M, Enter on a trace) leave a trail",
            );
        };
        self.tab = crumb.tab;
        self.part = crumb.part;
        if let Some(dest) = crumb.dest {
            let lang = dest.lang;
            *self.lang_tab_mut(lang) = *dest;
        }
        if let Some(saved) = crumb.saved {
            let lang = saved.lang;
            *self.lang_tab_mut(lang) = *saved;
        }
        Reply::default()
    }

    /// The breadcrumb: the steps behind and where the learner is now.
    pub fn breadcrumb(&self) -> Option<String> {
        if self.trail.is_empty() {
            return None;
        }
        let mut parts: Vec<String> = self.trail.iter().map(|c| c.label.clone()).collect();
        parts.push(match self.current() {
            Some(tab) => match &tab.trace {
                Some(t) => format!("trace {}", short_id(t.shown_id())),
                None => correlate::crumb_label(
                    tab.lang,
                    &tab.run
                        .as_ref()
                        .map_or_else(|| tab.editor.text(), |r| r.expr.clone()),
                ),
            },
            None => "Alerts".into(),
        });
        Some(parts.join(" › "))
    }

    // ---- jumps -----------------------------------------------------------------------

    /// Opens a trace by id in the TraceQL tab (from a log line, an exemplar, the list).
    pub fn open_trace(&mut self, trace_id: &str) -> Vec<Cmd> {
        self.push_crumb(QueryLang::TraceQL);
        let id = self.next_id();
        self.tab = Tab::Lang(QueryLang::TraceQL);
        self.part = Part::Results;
        self.traceql.map = None;
        self.traceql.trace = Some(TraceView {
            trace_id: trace_id.to_string(),
            id,
            state: TraceState::Loading,
        });
        vec![Cmd::LoadTrace {
            id,
            trace_id: trace_id.to_string(),
        }]
    }

    /// Opens `expr` in `lang`'s tab over a fixed window and runs it, leaving a crumb.
    fn jump_to_query(
        &mut self,
        lang: QueryLang,
        expr: &str,
        window: (f64, f64),
        now: f64,
    ) -> Vec<Cmd> {
        self.push_crumb(lang);
        let tab = self.lang_tab_mut(lang);
        tab.range.fixed = Some(window);
        tab.range.mode = Mode::Range;
        tab.trace = None;
        tab.map = None;
        tab.exemplars = None;
        tab.explain = None;
        self.open_query(lang, expr, now)
    }

    /// `c` on a span: its log lines, in the LogQL tab.
    fn span_to_logs(&mut self, now: f64) -> Reply {
        let Some((span, trace_id)) = self.selected_span() else {
            return Reply::default();
        };
        let expr = correlate::span_logs_query(&span, &trace_id);
        let window = correlate::span_logs_window(&span);
        Reply::cmds(self.jump_to_query(QueryLang::LogQL, &expr, window, now))
    }

    /// `M` on a span: request rate, errors and p95 of its service and route in PromQL.
    fn span_to_red(&mut self, now: f64) -> Reply {
        let Some((span, _)) = self.selected_span() else {
            return Reply::default();
        };
        let queries = correlate::red_queries(&span);
        for q in &queries {
            self.history.push(QueryLang::PromQL, q);
        }
        let window = correlate::red_window(&span, now);
        let mut cmds = vec![Cmd::SaveHistory(self.history.clone())];
        cmds.extend(self.jump_to_query(QueryLang::PromQL, &queries[2], window, now));
        let mut reply = Reply::cmds(cmds);
        reply.notice = Reply::notify(format!(
            "RED of {}: p95 shown; in the editor ↑ recalls the error rate, then the request rate",
            span.service
        ))
        .notice;
        reply
    }

    fn selected_span(&self) -> Option<(crate::lab::query::traces::Span, String)> {
        let view = self.current()?.trace.as_ref()?;
        let TraceState::Ready(open) = &view.state else {
            return None;
        };
        // The trace's own id (Tempo's spelling) over the one it was asked for by.
        let id = if open.trace.trace_id.is_empty() {
            &view.trace_id
        } else {
            &open.trace.trace_id
        };
        Some((open.selected_span()?.clone(), id.clone()))
    }

    /// `c` on a PromQL result: the exemplars of its query over its window.
    fn load_exemplars(&mut self, now: f64) -> Vec<Cmd> {
        let Some(run) = &self.promql.run else {
            return Vec::new();
        };
        let (start, end) = match run.window {
            QueryWindow::Range { start, end, .. } => (start, end),
            QueryWindow::Instant { time } => {
                let end = time.unwrap_or(now);
                (end - 15.0 * 60.0, end)
            }
        };
        let expr = run.expr.clone();
        let id = self.next_id();
        self.promql.exemplars = Some(ExemplarsView {
            id,
            state: ExemplarsState::Loading,
            selected: 0,
        });
        vec![Cmd::LoadExemplars {
            id,
            expr,
            start,
            end,
        }]
    }

    // ---- keys of each view -------------------------------------------------------

    fn on_trace_key(&mut self, action: Action, now: f64) -> Option<Reply> {
        let view = self.current_mut()?.trace.as_mut()?;
        let TraceState::Ready(open) = &mut view.state else {
            return match action {
                Action::Back => {
                    self.current_mut()?.trace = None;
                    Some(Reply::default())
                }
                _ => None,
            };
        };
        match action {
            Action::Up => open.move_by(-1),
            Action::Down => open.move_by(1),
            Action::PageUp => open.move_by(-PAGE),
            Action::PageDown => open.move_by(PAGE),
            Action::Top => open.top(),
            Action::Bottom => open.bottom(),
            Action::ToggleSeries => open.view.toggle_collapse(&open.waterfall),
            Action::Open => open.details = !open.details,
            Action::CursorRight if open.details => {
                open.detail_scroll = open.detail_scroll.saturating_add(1);
            }
            Action::CursorLeft if open.details => {
                open.detail_scroll = open.detail_scroll.saturating_sub(1);
            }
            Action::NextMatch => open.next_match(true),
            Action::PreviousMatch => open.next_match(false),
            Action::StartFilter => {
                let text = open.search.clone().unwrap_or_default();
                self.current_mut()?.prompt = Some(Prompt {
                    kind: PromptKind::Filter,
                    text,
                });
            }
            Action::Back if open.details => open.details = false,
            Action::Back => {
                self.current_mut()?.trace = None;
            }
            Action::Correlate => return Some(self.span_to_logs(now)),
            Action::SpanMetrics => return Some(self.span_to_red(now)),
            _ => return None,
        }
        Some(Reply::default())
    }

    fn on_map_key(&mut self, action: Action) -> Option<Reply> {
        match action {
            Action::ServiceMap | Action::Back => {
                self.current_mut()?.map = None;
                Some(Reply::default())
            }
            _ => None,
        }
    }

    /// Marks the exemplars on the PromQL chart (the selected one apart), or clears them.
    fn sync_exemplar_marks(&mut self) {
        let (marks, selected) = match &self.promql.exemplars {
            Some(ExemplarsView {
                state: ExemplarsState::Ready(rows),
                selected,
                ..
            }) => (
                rows.iter().map(|r| (r.t, r.value)).collect(),
                Some(*selected),
            ),
            _ => (Vec::new(), None),
        };
        if let Some(run) = &mut self.promql.run
            && let RunState::Done(done) = &mut run.state
            && let ResultView::Chart { model, .. } = &mut done.view
        {
            model.set_marks(marks, selected);
        }
    }

    fn on_exemplar_key(&mut self, action: Action) -> Option<Reply> {
        let reply = self.exemplar_key(action);
        self.sync_exemplar_marks();
        reply
    }

    fn exemplar_key(&mut self, action: Action) -> Option<Reply> {
        let view = self.promql.exemplars.as_mut()?;
        let len = match &view.state {
            ExemplarsState::Ready(rows) => rows.len(),
            _ => 0,
        };
        let last = len.saturating_sub(1);
        match action {
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::Down => view.selected = (view.selected + 1).min(last),
            Action::Top => view.selected = 0,
            Action::Bottom => view.selected = last,
            Action::Back | Action::Correlate => self.promql.exemplars = None,
            Action::Open => {
                let ExemplarsState::Ready(rows) = &view.state else {
                    return Some(Reply::default());
                };
                let Some(row) = rows.get(view.selected) else {
                    return Some(Reply::default());
                };
                let trace_id = row.trace_id.clone();
                return Some(Reply::cmds(self.open_trace(&trace_id)));
            }
            _ => return None,
        }
        Some(Reply::default())
    }

    /// The log view in front: the tail's while one is shown, else the result's.
    pub fn logs_view(&self) -> Option<&LogsView> {
        if let Some(tail) = &self.tail {
            return Some(&tail.view);
        }
        match &self.logql.run.as_ref()?.state {
            RunState::Done(done) => match &done.view {
                ResultView::Logs(view) => Some(view),
                _ => None,
            },
            _ => None,
        }
    }

    fn logs_view_mut(&mut self) -> Option<&mut LogsView> {
        if let Some(tail) = &mut self.tail {
            return Some(&mut tail.view);
        }
        match &mut self.logql.run.as_mut()?.state {
            RunState::Done(done) => match &mut done.view {
                ResultView::Logs(view) => Some(view),
                _ => None,
            },
            _ => None,
        }
    }

    fn on_logs_key(&mut self, action: Action, now: f64) -> Option<Reply> {
        if action == Action::ToggleTail {
            return Some(self.toggle_tail());
        }
        let view = self.logs_view_mut()?;
        match action {
            Action::Up => view.move_by(-1),
            Action::Down => view.move_by(1),
            Action::PageUp => view.move_by(-PAGE),
            Action::PageDown => view.move_by(PAGE),
            Action::Top => view.top(),
            Action::Bottom => view.bottom(),
            Action::Open => {
                view.expanded = !view.expanded;
                view.detail_scroll = 0;
            }
            Action::CursorRight if view.expanded => {
                view.detail_scroll = view.detail_scroll.saturating_add(1);
            }
            Action::CursorLeft if view.expanded => {
                view.detail_scroll = view.detail_scroll.saturating_sub(1);
            }
            Action::Back if view.expanded => view.expanded = false,
            Action::ToggleWrap => view.state.wrap = !view.state.wrap,
            Action::CycleSort => view.toggle_order(),
            Action::PreviousBar => view.step_bar(false),
            Action::NextBar => view.step_bar(true),
            Action::ZoomBar => {
                let range = view.bar_range()?;
                self.logql.range.fixed = Some(range);
                return Some(Reply::cmds(self.rerun_lang(QueryLang::LogQL, now)));
            }
            Action::StartFilter => {
                let text = view.model.filter().to_string();
                self.logql.prompt = Some(Prompt {
                    kind: PromptKind::Filter,
                    text,
                });
            }
            Action::Correlate => {
                let entry = view.selected()?;
                return Some(match entry.trace_id() {
                    Some(trace_id) => Reply::cmds(self.open_trace(&trace_id)),
                    None => Reply::warn("this line carries no trace_id"),
                });
            }
            _ => return None,
        }
        Some(Reply::default())
    }

    fn on_traces_key(&mut self, action: Action) -> Option<Reply> {
        if action == Action::ServiceMap {
            let id = self.next_id();
            self.traceql.map = Some(ServiceMapState::Loading(id));
            return Some(Reply::cmds(vec![Cmd::LoadServiceMap { id }]));
        }
        let RunState::Done(done) = &mut self.traceql.run.as_mut()?.state else {
            return None;
        };
        let ResultView::Traces(view) = &mut done.view else {
            return None;
        };
        let last = view.hits.len().saturating_sub(1);
        match action {
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::Down => view.selected = (view.selected + 1).min(last),
            Action::PageUp => view.selected = view.selected.saturating_sub(PAGE as usize),
            Action::PageDown => view.selected = (view.selected + PAGE as usize).min(last),
            Action::Top => view.selected = 0,
            Action::Bottom => view.selected = last,
            Action::CycleSort => view.cycle_sort(),
            Action::Open | Action::Correlate => {
                let trace_id = view.selected_hit()?.trace_id.clone();
                return Some(Reply::cmds(self.open_trace(&trace_id)));
            }
            _ => return None,
        }
        Some(Reply::default())
    }

    /// The filter prompt changed (or was applied): log lines are kept by it, or the open
    /// trace's spans are searched.
    pub(super) fn apply_filter(&mut self, text: &str, _applied: bool) {
        if let Some(view) = self.current_mut().and_then(|t| t.trace.as_mut())
            && let TraceState::Ready(open) = &mut view.state
        {
            open.find(text);
            return;
        }
        if self.tab == Tab::Lang(QueryLang::LogQL)
            && let Some(view) = self.logs_view_mut()
        {
            view.set_filter(text);
        }
    }

    fn rerun_lang(&mut self, lang: QueryLang, now: f64) -> Vec<Cmd> {
        self.tab = Tab::Lang(lang);
        let expr = match &self.lang_tab(lang).run {
            Some(run) => run.expr.clone(),
            None => return Vec::new(),
        };
        self.open_query(lang, &expr, now)
    }

    // ---- live tail -------------------------------------------------------------------

    fn toggle_tail(&mut self) -> Reply {
        if let Some(tail) = &mut self.tail
            && tail.is_running()
        {
            tail.status = TailStatus::Paused;
            return Reply::cmds(vec![Cmd::StopTail]);
        }
        let expr = self.logql.editor.text();
        if !is_log_query(&expr) {
            return Reply::warn(
                "live tail streams log lines: the query must be a stream selector like {service_name=\"payments\"}",
            );
        }
        let id = self.next_id();
        let width = self.width;
        self.tail = Some(Tail::new(id, expr.trim().to_string(), width));
        Reply::cmds(vec![Cmd::StartTail {
            id,
            expr: expr.trim().to_string(),
        }])
    }

    /// Closes the tail view (and stops it) when the learner runs a query again.
    pub(super) fn close_tail(&mut self) -> Vec<Cmd> {
        match self.tail.take() {
            Some(tail) if tail.is_running() => vec![Cmd::StopTail],
            _ => Vec::new(),
        }
    }

    pub fn on_tail_frame(&mut self, id: u64, frame: TailFrame) {
        let clock = self.clock;
        if let Some(tail) = &mut self.tail
            && tail.id == id
            && tail.is_running()
        {
            tail.push(frame.entries, frame.dropped, clock);
        }
    }

    pub fn on_tail_status(&mut self, id: u64, status: TailStatus) {
        if let Some(tail) = &mut self.tail
            && tail.id == id
            && tail.is_running()
        {
            tail.status = status;
        }
    }

    // ---- answers -------------------------------------------------------------------

    pub fn on_trace_loaded(&mut self, id: u64, result: Result<Option<Trace>, QueryError>) -> bool {
        let Some(view) = self.traceql.trace.as_mut().filter(|v| v.id == id) else {
            return false;
        };
        view.state = match result {
            Ok(Some(trace)) => TraceState::Ready(Box::new(OpenTrace::new(trace))),
            Ok(None) => TraceState::Missing,
            Err(QueryError::Server { message, .. }) => TraceState::Failed(message),
            Err(e) => TraceState::NotFetched(e.to_string()),
        };
        true
    }

    pub fn on_exemplars(&mut self, id: u64, result: Result<Vec<ExemplarSeries>, QueryError>) {
        if let Some(view) = self.promql.exemplars.as_mut().filter(|v| v.id == id) {
            view.state = match result {
                Ok(series) => ExemplarsState::Ready(correlate::exemplar_rows(&series)),
                Err(e) => ExemplarsState::Failed(e.to_string()),
            };
            view.selected = 0;
        }
        self.sync_exemplar_marks();
    }

    pub fn on_service_map(
        &mut self,
        id: u64,
        result: Result<(Vec<InstantSeries>, Vec<InstantSeries>), QueryError>,
    ) {
        if self.traceql.map != Some(ServiceMapState::Loading(id)) {
            return;
        }
        self.traceql.map = Some(match result {
            Ok((requests, failed)) => ServiceMapState::Ready(map_edges(&requests, &failed)),
            Err(e) => ServiceMapState::Failed(e.to_string()),
        });
    }

    /// Loki's verdict on the LogQL editor's text; ignored if the text changed since.
    pub fn on_syntax_checked(&mut self, expr: &str, result: Result<(), String>) {
        let editor = &mut self.logql.editor;
        if editor.text() != expr {
            return;
        }
        editor.set_remote_check(result);
    }

    /// Sends the LogQL editor's text to Loki's syntax check once typing has paused.
    pub(super) fn check_due_syntax(&mut self) -> Vec<Cmd> {
        match self.check_due {
            Some(due) if self.clock >= due => {
                self.check_due = None;
                let expr = self.logql.editor.text();
                if expr.trim().is_empty() {
                    return Vec::new();
                }
                vec![Cmd::CheckSyntax {
                    lang: QueryLang::LogQL,
                    expr,
                }]
            }
            _ => Vec::new(),
        }
    }
}

/// The service map's edges from Tempo's service-graph rates.
fn map_edges(requests: &[InstantSeries], failed: &[InstantSeries]) -> Vec<MapEdge> {
    let graph = crate::lab::query::traces::ServiceGraph::from_vectors(requests, failed);
    graph
        .edges
        .iter()
        .map(|e| MapEdge {
            client: e.client.clone(),
            server: e.server.clone(),
            rate: e.rate,
            error_ratio: e.error_ratio,
        })
        .collect()
}

/// The first 8 hex digits of a trace id, enough to tell traces apart on screen.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
