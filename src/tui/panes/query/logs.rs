//! The LogQL tab's results: log lines with a volume histogram over them, a filter within
//! the results, wrap, a line expanded into its fields, and the live tail that streams new
//! lines into the same view.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::FixedOffset;

use crate::lab::query::logs::{LogEntry, VolumeBucket, volume};

use super::super::super::widgets::logview::{LogViewModel, LogViewState};

/// Lines a tail keeps; older ones fall off (the view stays smooth at this size).
pub const TAIL_MAX: usize = 5_000;

/// Log lines of one result (or of the tail), shaped for drawing.
#[derive(Debug, Clone)]
pub struct LogsView {
    /// Newest first, as Loki sends a backward query.
    pub entries: Vec<LogEntry>,
    pub model: LogViewModel,
    pub state: LogViewState,
    /// The volume histogram over the query's range.
    pub volume: Vec<VolumeBucket>,
    /// The bar `[` / `]` selected, which `z` zooms into.
    pub bar: Option<usize>,
    /// The selected line shown expanded into its fields.
    pub expanded: bool,
    pub detail_scroll: u16,
    /// The range the histogram spans, unix ns.
    pub range_ns: (i64, i64),
}

/// Bars in the volume histogram: one per two cells, enough to see a burst.
fn bar_count(width: u16) -> usize {
    usize::from(width / 2).clamp(10, 120)
}

impl LogsView {
    /// The view of `entries` over `[start, end]` (unix seconds) for results `width` wide.
    pub fn new(entries: Vec<LogEntry>, start: f64, end: f64, width: u16) -> Self {
        let model = LogViewModel::new(&entries, FixedOffset::east_opt(0).expect("UTC"));
        // The query's range, stretched over any line outside it (a skewed clock), so
        // every line is in a bar.
        let first = entries.iter().map(|e| e.ts_ns).min();
        let last = entries.iter().map(|e| e.ts_ns + 1).max();
        let range_ns = (
            first.map_or((start * 1e9) as i64, |f| f.min((start * 1e9) as i64)),
            last.map_or((end * 1e9) as i64, |l| l.max((end * 1e9) as i64)),
        );
        let volume = volume(&entries, range_ns.0, range_ns.1, bar_count(width));
        Self {
            entries,
            model,
            state: LogViewState::default(),
            volume,
            bar: None,
            expanded: false,
            detail_scroll: 0,
            range_ns,
        }
    }

    /// The entry under the selection, if any line is visible.
    pub fn selected(&self) -> Option<&LogEntry> {
        if self.model.visible_len() == 0 {
            return None;
        }
        self.entries
            .get(self.model.entry_index(self.state.selected))
    }

    pub fn move_by(&mut self, delta: isize) {
        self.state.move_by(delta, self.model.visible_len());
        self.detail_scroll = 0;
    }

    pub fn top(&mut self) {
        self.state.selected = 0;
        self.state.offset = 0;
    }

    pub fn bottom(&mut self) {
        self.state.selected = self.model.visible_len().saturating_sub(1);
    }

    pub fn toggle_order(&mut self) {
        let newest = !self.model.newest_first();
        self.model.set_newest_first(newest);
        self.top();
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.model.set_filter(filter);
        self.state.clamp(self.model.visible_len());
    }

    /// `[` / `]`: the previous or next bar of the histogram.
    pub fn step_bar(&mut self, forward: bool) {
        let n = self.volume.len();
        if n == 0 {
            return;
        }
        self.bar = Some(match (self.bar, forward) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(b), true) => (b + 1).min(n - 1),
            (Some(b), false) => b.saturating_sub(1),
        });
    }

    /// The selected bar's range in unix seconds, for zooming into it.
    pub fn bar_range(&self) -> Option<(f64, f64)> {
        let bar = self.volume.get(self.bar?)?;
        Some((bar.start_ns as f64 / 1e9, bar.end_ns as f64 / 1e9))
    }
}

/// Whether a LogQL query returns lines (a stream selector and its pipeline) rather than
/// numbers (`rate(…)`, `sum by (…) (…)`): log queries have no instant form in Loki.
pub fn is_log_query(expr: &str) -> bool {
    expr.trim_start().starts_with('{')
}

/// How the tail's connection is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailStatus {
    Connecting,
    Live,
    /// Lost; trying again (the reason, and which attempt).
    Reconnecting(String, u32),
    /// Stopped by the learner; what arrived is kept.
    Paused,
}

/// A live tail of the LogQL tab's query.
#[derive(Debug, Clone)]
pub struct Tail {
    pub id: u64,
    pub expr: String,
    /// Newest first, at most [`TAIL_MAX`].
    pub lines: VecDeque<LogEntry>,
    /// Entries Loki reported dropping (it could not keep up), summed.
    pub dropped: u64,
    pub status: TailStatus,
    /// The lines as the log view shows them, rebuilt as frames arrive.
    pub view: LogsView,
    width: u16,
    /// Lines that arrived in the last few seconds, for the rate shown: (pane clock, count).
    recent: VecDeque<(Duration, usize)>,
}

/// The window the arrival rate is averaged over.
const RATE_WINDOW: Duration = Duration::from_secs(5);

impl Tail {
    pub fn new(id: u64, expr: String, width: u16) -> Self {
        Self {
            id,
            expr,
            lines: VecDeque::new(),
            dropped: 0,
            status: TailStatus::Connecting,
            view: LogsView::new(Vec::new(), 0.0, 0.0, width),
            width,
            recent: VecDeque::new(),
        }
    }

    /// Adds a frame's lines at the front (newest first) and rebuilds the view. The view
    /// follows new lines while the newest is selected; scrolled away, it keeps its line.
    pub fn push(&mut self, mut entries: Vec<LogEntry>, dropped: u64, clock: Duration) -> usize {
        entries.sort_by_key(|e| e.ts_ns);
        let added = entries.len();
        for e in entries {
            self.lines.push_front(e);
        }
        self.lines.truncate(TAIL_MAX);
        self.dropped += dropped;
        self.recent.push_back((clock, added));
        while self
            .recent
            .front()
            .is_some_and(|(t, _)| clock.saturating_sub(*t) > RATE_WINDOW)
        {
            self.recent.pop_front();
        }
        self.status = TailStatus::Live;
        self.rebuild(added);
        added
    }

    /// True while the view sticks to the newest line.
    pub fn following(&self) -> bool {
        self.view.state.selected == 0 && self.view.model.newest_first()
    }

    fn rebuild(&mut self, added: usize) {
        let following = self.following();
        let (old, filter) = (self.view.state, self.view.model.filter().to_string());
        let (newest_first, expanded) = (self.view.model.newest_first(), self.view.expanded);
        let newest = self.lines.front().map_or(0, |e| e.ts_ns);
        let oldest = self.lines.back().map_or(0, |e| e.ts_ns);
        let mut view = LogsView::new(
            self.lines.iter().cloned().collect(),
            oldest as f64 / 1e9,
            (newest + 1) as f64 / 1e9,
            self.width,
        );
        view.model.set_newest_first(newest_first);
        view.model.set_filter(&filter);
        view.state = old;
        view.expanded = expanded;
        if !following && newest_first && filter.is_empty() {
            view.state.selected += added;
            view.state.offset += added;
        }
        view.state.clamp(view.model.visible_len());
        self.view = view;
    }

    /// Lines per second over the last few seconds before `clock`.
    pub fn rate(&self, clock: Duration) -> f64 {
        let n: usize = self
            .recent
            .iter()
            .filter(|(t, _)| clock.saturating_sub(*t) <= RATE_WINDOW)
            .map(|(_, n)| n)
            .sum();
        n as f64 / RATE_WINDOW.as_secs_f64()
    }

    pub fn is_running(&self) -> bool {
        self.status != TailStatus::Paused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ts: i64, line: &str) -> LogEntry {
        LogEntry {
            ts_ns: ts,
            stream: [("service_name".to_string(), "payments".to_string())]
                .into_iter()
                .collect(),
            structured: Default::default(),
            parsed: Default::default(),
            line: line.into(),
        }
    }

    #[test]
    fn a_log_query_starts_with_a_selector_a_metric_query_does_not() {
        assert!(is_log_query(r#" {service_name="payments"} |= "error""#));
        assert!(!is_log_query(
            r#"sum by (level) (rate({service_name=~".+"}[1m]))"#
        ));
    }

    #[test]
    fn the_tail_keeps_the_newest_lines_first_and_counts_drops_and_rate() {
        let mut tail = Tail::new(1, "{a=\"b\"}".into(), 80);
        let added = tail.push(vec![entry(2, "b"), entry(1, "a")], 0, Duration::ZERO);
        assert_eq!(added, 2);
        tail.push(vec![entry(3, "c")], 4, Duration::from_secs(1));
        let order: Vec<&str> = tail.lines.iter().map(|e| e.line.as_str()).collect();
        assert_eq!(order, ["c", "b", "a"]);
        assert_eq!(tail.dropped, 4);
        assert!((tail.rate(Duration::from_secs(2)) - 0.6).abs() < 1e-9);
        // After the window the early frames no longer count.
        assert!((tail.rate(Duration::from_secs(6)) - 0.2).abs() < 1e-9);
        for i in 0..(TAIL_MAX as i64 + 10) {
            tail.push(vec![entry(10 + i, "x")], 0, Duration::from_secs(7));
        }
        assert_eq!(tail.lines.len(), TAIL_MAX);
        assert_eq!(tail.lines[0].ts_ns, 10 + TAIL_MAX as i64 + 9);
        assert_eq!(tail.view.model.visible_len(), TAIL_MAX);
    }

    #[test]
    fn the_tail_view_follows_the_newest_line_unless_scrolled_away() {
        let mut tail = Tail::new(1, "{a=\"b\"}".into(), 80);
        tail.push(vec![entry(1, "a"), entry(2, "b")], 0, Duration::ZERO);
        assert!(tail.following());
        tail.push(vec![entry(3, "c")], 0, Duration::ZERO);
        assert_eq!(tail.view.selected().map(|e| e.line.as_str()), Some("c"));
        tail.view.move_by(1);
        assert_eq!(tail.view.selected().map(|e| e.line.as_str()), Some("b"));
        tail.push(vec![entry(4, "d"), entry(5, "e")], 0, Duration::ZERO);
        assert!(!tail.following());
        assert_eq!(
            tail.view.selected().map(|e| e.line.as_str()),
            Some("b"),
            "kept its line"
        );
    }

    #[test]
    fn volume_bars_step_within_the_histogram_and_give_their_range() {
        let mut view = LogsView::new(vec![entry(1_500_000_000, "x")], 1.0, 2.0, 40);
        assert_eq!(view.volume.len(), 20);
        assert_eq!(view.bar_range(), None);
        view.step_bar(false);
        assert_eq!(view.bar, Some(19));
        view.step_bar(true);
        assert_eq!(view.bar, Some(19));
        let (s, e) = view.bar_range().expect("a bar");
        assert!((s - 1.95).abs() < 1e-6 && (e - 2.0).abs() < 1e-6, "{s} {e}");
    }
}
