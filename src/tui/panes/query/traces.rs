//! The TraceQL tab's results: the traces a search matched, one trace opened as a waterfall
//! with its critical path and span details, and the lab's service map.

use chrono::FixedOffset;

use crate::lab::query::traces::{Trace, TraceHit, Waterfall};

use super::super::super::widgets::service_map::MapEdge;
use super::super::super::widgets::tracelist::{TraceListModel, TraceSort};
use super::super::super::widgets::waterfall::WaterfallView;

/// The orders `o` steps through in the trace list.
pub const SORTS: [TraceSort; 4] = [
    TraceSort::DurationDesc,
    TraceSort::DurationAsc,
    TraceSort::StartNewest,
    TraceSort::StartOldest,
];

/// A search's traces.
#[derive(Debug, Clone)]
pub struct TracesView {
    pub hits: Vec<TraceHit>,
    pub model: TraceListModel,
    pub selected: usize,
    /// Index into [`SORTS`].
    pub sort: usize,
}

impl TracesView {
    pub fn new(hits: Vec<TraceHit>) -> Self {
        let mut model = TraceListModel::new(&hits, FixedOffset::east_opt(0).expect("UTC"));
        model.sort_by(SORTS[0]);
        Self {
            hits,
            model,
            selected: 0,
            sort: 0,
        }
    }

    pub fn selected_hit(&self) -> Option<&TraceHit> {
        if self.hits.is_empty() {
            return None;
        }
        self.hits.get(self.model.hit_index(self.selected))
    }

    pub fn cycle_sort(&mut self) {
        self.sort = (self.sort + 1) % SORTS.len();
        self.model.sort_by(SORTS[self.sort]);
    }
}

/// One trace opened from the list, a log line, an exemplar or a span link.
#[derive(Debug, Clone)]
pub struct TraceView {
    pub trace_id: String,
    /// The request that fetches it; a stale answer is dropped.
    pub id: u64,
    pub state: TraceState,
}

impl TraceView {
    /// The id to show: the loaded trace's own (Tempo's spelling), else the one asked for.
    pub fn shown_id(&self) -> &str {
        match &self.state {
            TraceState::Ready(open) if !open.trace.trace_id.is_empty() => &open.trace.trace_id,
            _ => &self.trace_id,
        }
    }
}

#[derive(Debug, Clone)]
pub enum TraceState {
    Loading,
    /// Tempo does not have it (yet: a trace arrives a few seconds after its requests).
    Missing,
    /// Tempo answered with an error: its words.
    Failed(String),
    /// Tempo could not be asked, or its answer not read (no Tempo in the lab, unreachable,
    /// too slow, not a trace): labtui's words, not Tempo's.
    NotFetched(String),
    Ready(Box<OpenTrace>),
}

/// A trace laid out, with where the learner is in it.
#[derive(Debug, Clone)]
pub struct OpenTrace {
    pub trace: Trace,
    pub waterfall: Waterfall,
    pub view: WaterfallView,
    /// The selected span's details shown beside (or under) the waterfall.
    pub details: bool,
    pub detail_scroll: u16,
    /// The text searched for within the trace (`/`), if any.
    pub search: Option<String>,
}

impl OpenTrace {
    pub fn new(trace: Trace) -> Self {
        let waterfall = Waterfall::build(&trace);
        let view = WaterfallView::new(&waterfall);
        Self {
            trace,
            waterfall,
            view,
            details: false,
            detail_scroll: 0,
            search: None,
        }
    }

    /// The row index (into the waterfall) under the selection.
    pub fn selected_row(&self) -> Option<usize> {
        self.view.visible.get(self.view.selected).copied()
    }

    /// The span under the selection.
    pub fn selected_span(&self) -> Option<&crate::lab::query::traces::Span> {
        let row = self.waterfall.rows.get(self.selected_row()?)?;
        self.trace.spans.get(row.span)
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.view.visible.len().saturating_sub(1);
        self.view.selected = self.view.selected.saturating_add_signed(delta).min(last);
        self.detail_scroll = 0;
    }

    pub fn top(&mut self) {
        self.view.selected = 0;
    }

    pub fn bottom(&mut self) {
        self.view.selected = self.view.visible.len().saturating_sub(1);
    }

    /// Searches span names, services and attributes; the selection goes to the first match.
    pub fn find(&mut self, needle: &str) {
        self.search = (!needle.is_empty()).then(|| needle.to_string());
        self.view.matches = if needle.is_empty() {
            Vec::new()
        } else {
            self.waterfall.find(&self.trace, needle)
        };
        self.next_match(true);
    }

    /// `n` / `N`: the next or previous matching span that is visible.
    pub fn next_match(&mut self, forward: bool) {
        let at = self.view.selected;
        let positions: Vec<usize> = self
            .view
            .visible
            .iter()
            .enumerate()
            .filter(|(_, row)| self.view.matches.contains(row))
            .map(|(i, _)| i)
            .collect();
        let next = if forward {
            positions.iter().find(|&&p| p > at).or(positions.first())
        } else {
            positions
                .iter()
                .rev()
                .find(|&&p| p < at)
                .or(positions.last())
        };
        if let Some(&p) = next {
            self.view.selected = p;
        }
    }
}

/// The lab's service map, from Tempo's service-graph series in Prometheus.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceMapState {
    Loading(u64),
    Failed(String),
    Ready(Vec<MapEdge>),
}
