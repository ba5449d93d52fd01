//! The trace waterfall: spans as a tree on the left and bars on a shared time axis on the
//! right, the critical path drawn apart; subtrees collapse through `WaterfallView`. And
//! `render_span_details`, everything one span carries.

use std::collections::{HashMap, HashSet};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span as TextSpan};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::cells::{duration, fit, paint, put, width};
use crate::lab::query::traces::{SpanKind, SpanStatus, Trace, Waterfall, WaterfallRow};
use crate::lab::untrusted::escape;
use crate::tui::theme::Theme;

const MARK: &str = "›";
/// In the mark column of a row a search matched (the selection's `›` wins).
const MATCH_MARK: &str = "•";
const EXPANDED: &str = "▾";
const COLLAPSED: &str = "▸";
const ERROR_MARK: &str = "✗";
/// An orphan (parent missing) or a span outside its parent's time (clock skew).
const WARN_MARK: &str = "⚠";
/// Bar cells on the critical path and off it; glyphs as well as styles, so the path shows
/// in a NO_COLOR terminal.
const CRITICAL: &str = "█";
const OFF_CRITICAL: &str = "▒";
/// A span too short to cover a cell.
const INSTANT: &str = "│";
/// The tree side's share of the width, and its least width.
const TREE_PERCENT: usize = 45;
const TREE_MIN: u16 = 24;
/// Room for `943ms self 2ms` right of the bars.
const TIMES_WIDTH: u16 = 19;

/// Which rows of a waterfall are shown, which is selected, which subtrees are folded and
/// which rows a search matched. Changed by the pane's keys, read by drawing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WaterfallView {
    /// Row indices into `Waterfall::rows`, in order, skipping folded subtrees.
    pub visible: Vec<usize>,
    /// A position in `visible`.
    pub selected: usize,
    /// The first position in `visible` drawn.
    pub offset: usize,
    /// Row indices whose descendants are hidden.
    pub collapsed: HashSet<usize>,
    /// Row indices a search matched, highlighted.
    pub matches: Vec<usize>,
}

impl WaterfallView {
    /// Every row shown, the first selected.
    pub fn new(wf: &Waterfall) -> Self {
        Self {
            visible: (0..wf.rows.len()).collect(),
            ..Self::default()
        }
    }

    /// The row index of the selection.
    pub fn selected_row(&self) -> Option<usize> {
        self.visible.get(self.selected).copied()
    }

    /// Folds the selected row's subtree, or unfolds it; rows without children are left
    /// alone. The same row stays selected.
    pub fn toggle_collapse(&mut self, wf: &Waterfall) {
        let Some(row) = self.selected_row() else {
            return;
        };
        if !wf.rows.get(row).is_some_and(|r| r.has_children) {
            return;
        }
        if !self.collapsed.remove(&row) {
            self.collapsed.insert(row);
        }
        self.refresh(wf);
    }

    /// Recomputes `visible` from `collapsed`: a folded row's descendants (the rows after it
    /// that are deeper) are hidden. Keeps the selected row selected when it is still shown,
    /// else selects the shown row it was folded into.
    pub fn refresh(&mut self, wf: &Waterfall) {
        let keep = self.selected_row();
        self.visible.clear();
        let mut hide_deeper_than: Option<usize> = None;
        for (i, row) in wf.rows.iter().enumerate() {
            if let Some(depth) = hide_deeper_than {
                if row.depth > depth {
                    continue;
                }
                hide_deeper_than = None;
            }
            self.visible.push(i);
            if self.collapsed.contains(&i) {
                hide_deeper_than = Some(row.depth);
            }
        }
        self.selected = keep
            .and_then(|row| self.visible.iter().rposition(|v| *v <= row))
            .unwrap_or(0)
            .min(self.visible.len().saturating_sub(1));
    }

    /// Moves the selection `delta` rows (negative: up), within the shown rows.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Moves `offset` only as far as needed to show the selection among `height` rows.
    pub fn scroll_to_selected(&mut self, height: usize) {
        self.offset = super::table::scroll_offset(self.selected, self.offset, height);
    }
}

/// Colour index per service, by order of first appearance in the waterfall, so a service
/// keeps its colour however the trace is scrolled or folded.
fn service_colours<'a>(trace: &'a Trace, wf: &Waterfall) -> HashMap<&'a str, usize> {
    let mut colours = HashMap::new();
    for row in &wf.rows {
        if let Some(span) = trace.spans.get(row.span) {
            let next = colours.len();
            colours.entry(span.service.as_str()).or_insert(next);
        }
    }
    colours
}

/// Where the parts of a row go.
struct Columns {
    /// Width of the tree side, including its trailing space.
    tree: u16,
    /// The bars: first column and width (0 when there is no room).
    bars_at: u16,
    bars: u16,
    /// The durations' width at the right edge (0 when there is no room).
    times: u16,
}

impl Columns {
    fn new(width: u16) -> Self {
        let tree = ((usize::from(width) * TREE_PERCENT / 100) as u16)
            .max(TREE_MIN)
            .min(width);
        let right = width - tree;
        let times = if right >= TIMES_WIDTH + 16 {
            TIMES_WIDTH
        } else {
            0
        };
        let bars = right.saturating_sub(times + u16::from(times > 0));
        Self {
            tree,
            bars_at: tree,
            bars: if bars >= 4 { bars } else { 0 },
            times,
        }
    }
}

/// Draws the time axis, then the shown rows from `view.offset`: the tree with folds and
/// marks, the bars with the critical path in `█` and the rest in `▒`, and each span's
/// duration and self time. Draws nothing for an empty waterfall.
///
/// ```text
///   span                                 0         250ms        500ms         943ms
/// › ▾ storefront POST /checkout           ███████████████████████████████  943ms self 3ms
///     ▾ orders PlaceOrder                  ██████████████████████████████  938ms self 5ms
///         inventory Reserve                ▒▒▒▒                             84ms self 84ms
///       ▸ ✗ payments Charge                    ██████████████████████████  850ms self 2ms
/// ```
pub fn render_waterfall(
    trace: &Trace,
    wf: &Waterfall,
    view: &WaterfallView,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() || wf.rows.is_empty() {
        return;
    }
    let cols = Columns::new(area.width);
    let total = (wf.end_ns - wf.start_ns).max(1);
    draw_axis(&cols, total, theme, area, buf);
    let colours = service_colours(trace, wf);
    let body = usize::from(area.height.saturating_sub(1));
    for (k, pos) in (view.offset..view.visible.len()).take(body).enumerate() {
        let y = (k + 1) as u16;
        let Some(row) = view.visible.get(pos).and_then(|r| wf.rows.get(*r)) else {
            continue;
        };
        let Some(span) = trace.spans.get(row.span) else {
            continue;
        };
        let index = view.visible[pos];
        let colour = colours.get(span.service.as_str()).copied().unwrap_or(0);
        let service_style = theme.series[colour % theme.series.len()];
        let is_selected = pos == view.selected;
        let matched = view.matches.contains(&index);
        let mark = if is_selected {
            MARK
        } else if matched {
            MATCH_MARK
        } else {
            " "
        };
        put(buf, area, 0, y, mark, Style::new());
        draw_tree_cell(
            row,
            span,
            view.collapsed.contains(&index),
            (
                service_style,
                if matched { theme.matched } else { Style::new() },
            ),
            theme,
            Rect::new(area.x + 2, area.y + y, cols.tree.saturating_sub(3), 1),
            buf,
        );
        if cols.bars > 0 {
            let bars = Rect::new(area.x + cols.bars_at, area.y + y, cols.bars, 1);
            draw_bar(
                wf,
                row,
                span.start_ns,
                span.end_ns,
                service_style,
                theme,
                bars,
                buf,
            );
        }
        if cols.times > 0 {
            let text = format!(
                "{} self {}",
                duration(span.end_ns - span.start_ns),
                duration(row.self_ns)
            );
            let w = (width(&text) as u16).min(cols.times);
            put(buf, area, area.width - w, y, &text, theme.muted);
        }
        if is_selected {
            paint(buf, area, 0, y, area.width, theme.selected);
        }
    }
}

/// `0`, a few evenly spaced times and the whole duration over the bars.
fn draw_axis(cols: &Columns, total: i64, theme: &Theme, area: Rect, buf: &mut Buffer) {
    put(buf, area, 2, 0, "span", theme.title);
    if cols.times > 0 {
        let head = "duration";
        put(
            buf,
            area,
            area.width - head.len() as u16,
            0,
            head,
            theme.title,
        );
    }
    if cols.bars == 0 {
        return;
    }
    let ticks = usize::from(cols.bars / 14).clamp(1, 4);
    let mut free = 0u16;
    for i in 0..=ticks {
        let t = total as i128 * i as i128 / ticks as i128;
        let text = if i == 0 {
            "0".to_string()
        } else {
            duration(t as i64)
        };
        let w = width(&text) as u16;
        let at = (usize::from(cols.bars) * i / ticks) as u16;
        let at = if i == ticks {
            cols.bars.saturating_sub(w)
        } else {
            at
        };
        if at < free {
            continue;
        }
        put(buf, area, cols.bars_at + at, 0, &text, theme.muted);
        free = at + w + 1;
    }
}

/// The tree side of one row: indentation, fold glyph, marks, service and span name.
fn draw_tree_cell(
    row: &WaterfallRow,
    span: &crate::lab::query::traces::Span,
    collapsed: bool,
    (service_style, name_style): (Style, Style),
    theme: &Theme,
    cell: Rect,
    buf: &mut Buffer,
) {
    let w = cell.width;
    if w == 0 {
        return;
    }
    // Indent by depth, but leave at least ten cells for the names.
    let indent = (row.depth.min(usize::from(u16::MAX / 2)) as u16 * 2).min(w.saturating_sub(12));
    let mut col = indent;
    let fold = match (row.has_children, collapsed) {
        (false, _) => " ",
        (true, false) => EXPANDED,
        (true, true) => COLLAPSED,
    };
    col = put(buf, cell, col, 0, fold, theme.muted) + 1;
    if span.status == SpanStatus::Error {
        col = put(buf, cell, col, 0, ERROR_MARK, theme.error) + 1;
    }
    if row.orphan || row.skewed {
        col = put(buf, cell, col, 0, WARN_MARK, theme.warn) + 1;
    }
    let service = escape(&span.service);
    let left = usize::from(w.saturating_sub(col));
    col = put(buf, cell, col, 0, &fit(&service, left), service_style) + 1;
    let left = usize::from(w.saturating_sub(col));
    put(
        buf,
        cell,
        col,
        0,
        &fit(&escape(&span.name), left),
        name_style,
    );
}

/// One span's bar in `bars`: a cell is on the critical path when any critical part of the
/// row overlaps the time that cell covers.
#[expect(clippy::too_many_arguments, reason = "a private drawing step")]
fn draw_bar(
    wf: &Waterfall,
    row: &WaterfallRow,
    start: i64,
    end: i64,
    service_style: Style,
    theme: &Theme,
    bars: Rect,
    buf: &mut Buffer,
) {
    let n = i128::from(bars.width);
    let total = i128::from((wf.end_ns - wf.start_ns).max(1));
    let col_of = |ns: i64| (i128::from(ns - wf.start_ns) * n / total).clamp(0, n - 1);
    let first = col_of(start);
    let last_exclusive =
        ((i128::from(end - wf.start_ns) * n + total - 1) / total).clamp(first + 1, n);
    let cell_time = |c: i128| wf.start_ns + (c * total / n) as i64;
    for c in first..last_exclusive {
        let x = bars.x + c as u16;
        let (symbol, style) = if end <= start {
            (INSTANT, service_style)
        } else {
            let (t0, t1) = (cell_time(c), cell_time(c + 1));
            let critical = row.critical.iter().any(|(a, b)| *a < t1 && *b > t0);
            if critical {
                (CRITICAL, service_style.patch(theme.critical))
            } else {
                (OFF_CRITICAL, service_style.patch(theme.off_critical))
            }
        };
        buf[(x, bars.y)].set_symbol(symbol).set_style(style);
    }
}

/// Everything `wf.rows[row]`'s span carries: what it is, when, how long and how much of it
/// on the critical path, then its attributes, resource, events (an exception's message
/// first and in the error style) and links; all escaped, wrapped, scrolled by `scroll`.
///
/// ```text
/// Charge
///   kind        client          service     payments
///   status      error: card declined
///   start       +88ms           duration    850ms    self 2ms    critical 850ms
/// attributes
///   http.status_code = 402
/// events
///   +851ms  exception
///     exception.message = card declined
/// ```
pub fn render_span_details(
    trace: &Trace,
    wf: &Waterfall,
    row: usize,
    scroll: u16,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() {
        return;
    }
    let Some(wrow) = wf.rows.get(row) else {
        return;
    };
    let Some(span) = trace.spans.get(wrow.span) else {
        return;
    };
    let field = |name: &str, value: String| {
        Line::from(vec![
            TextSpan::styled(format!("  {name:<10}  "), theme.muted),
            TextSpan::raw(value),
        ])
    };
    let critical: i64 = wrow.critical.iter().map(|(a, b)| (b - a).max(0)).sum();
    let status = match span.status {
        SpanStatus::Unset => "unset",
        SpanStatus::Ok => "ok",
        SpanStatus::Error => "error",
    };
    let status = match &span.status_message {
        Some(m) if !m.is_empty() => format!("{status}: {}", escape(m)),
        _ => status.to_string(),
    };
    let mut lines = vec![
        Line::styled(escape(&span.name).into_owned(), theme.title),
        field("service", escape(&span.service).into_owned()),
        field("kind", kind_name(span.kind).to_string()),
        Line::from(vec![
            TextSpan::styled(format!("  {:<10}  ", "status"), theme.muted),
            TextSpan::styled(
                status,
                if span.status == SpanStatus::Error {
                    theme.error
                } else {
                    Style::new()
                },
            ),
        ]),
        field(
            "start",
            format!(
                "+{} from the trace's start",
                duration(span.start_ns - wf.start_ns)
            ),
        ),
        field("duration", duration(span.end_ns - span.start_ns)),
        field("self time", duration(wrow.self_ns)),
        field(
            "critical",
            format!("{} on the critical path", duration(critical)),
        ),
        field("span id", escape(&span.span_id).into_owned()),
    ];
    if wrow.orphan {
        lines.push(field(
            "⚠ orphan",
            "its parent span is not in the trace".into(),
        ));
    }
    if wrow.skewed {
        lines.push(field(
            "⚠ skewed",
            "starts before or ends after its parent (clock skew?)".into(),
        ));
    }
    let pairs = |lines: &mut Vec<Line<'static>>, indent: &str, pairs: &[(String, String)]| {
        for (k, v) in pairs {
            lines.push(Line::from(vec![
                TextSpan::raw(indent.to_string()),
                TextSpan::styled(escape(k).into_owned(), theme.key),
                TextSpan::raw(" = "),
                TextSpan::raw(escape(v).into_owned()),
            ]));
        }
    };
    for (title, list) in [
        ("attributes", &span.attributes),
        ("resource", &span.resource),
    ] {
        if !list.is_empty() {
            lines.push(Line::styled(title, theme.title));
            pairs(&mut lines, "  ", list);
        }
    }
    if !span.events.is_empty() {
        lines.push(Line::styled(
            "events (time from the span's start)",
            theme.title,
        ));
        for event in &span.events {
            let name_style = if event.name == "exception" {
                theme.error
            } else {
                Style::new()
            };
            lines.push(Line::from(vec![
                TextSpan::styled(
                    format!("  +{}  ", duration(event.time_ns - span.start_ns)),
                    theme.muted,
                ),
                TextSpan::styled(escape(&event.name).into_owned(), name_style),
            ]));
            let message = event
                .attributes
                .iter()
                .filter(|(k, _)| event.name == "exception" && k == "exception.message");
            for (k, v) in message {
                lines.push(Line::from(vec![
                    TextSpan::raw("    "),
                    TextSpan::styled(format!("{} = {}", escape(k), escape(v)), theme.error),
                ]));
            }
            let rest: Vec<(String, String)> = event
                .attributes
                .iter()
                .filter(|(k, _)| !(event.name == "exception" && k == "exception.message"))
                .cloned()
                .collect();
            pairs(&mut lines, "    ", &rest);
        }
    }
    if !span.links.is_empty() {
        lines.push(Line::styled("links", theme.title));
        for link in &span.links {
            lines.push(Line::raw(format!(
                "  trace {}  span {}",
                escape(&link.trace_id),
                escape(&link.span_id)
            )));
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(area, buf);
}

fn kind_name(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Unspecified => "unspecified",
        SpanKind::Internal => "internal",
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(depth: usize, has_children: bool) -> WaterfallRow {
        WaterfallRow {
            span: 0,
            depth,
            orphan: false,
            has_children,
            self_ns: 0,
            critical: Vec::new(),
            skewed: false,
        }
    }

    /// 0 root ─ 1 orders ─ 2 inventory
    ///                   └ 3 payments ─ 4 bank
    ///        └ 5 email
    fn tree() -> Waterfall {
        Waterfall {
            start_ns: 0,
            end_ns: 10,
            rows: vec![
                row(0, true),
                row(1, true),
                row(2, false),
                row(2, true),
                row(3, false),
                row(1, false),
            ],
        }
    }

    #[test]
    fn folding_hides_the_deeper_rows_that_follow() {
        let wf = tree();
        let mut view = WaterfallView::new(&wf);
        assert_eq!(view.visible, [0, 1, 2, 3, 4, 5]);
        view.selected = 3;
        view.toggle_collapse(&wf);
        assert_eq!(view.visible, [0, 1, 2, 3, 5]);
        assert_eq!(view.selected_row(), Some(3));
        view.selected = 1;
        view.toggle_collapse(&wf);
        assert_eq!(view.visible, [0, 1, 5]);
        // Unfolding orders shows payments still folded.
        view.toggle_collapse(&wf);
        assert_eq!(view.visible, [0, 1, 2, 3, 5]);
        // A leaf does not fold.
        view.selected = 2;
        view.toggle_collapse(&wf);
        assert_eq!(view.visible, [0, 1, 2, 3, 5]);
        view.selected = 0;
        view.toggle_collapse(&wf);
        assert_eq!(view.visible, [0]);
        assert_eq!(view.selected, 0);
    }

    #[test]
    fn moving_and_scrolling_stay_within_the_shown_rows() {
        let wf = tree();
        let mut view = WaterfallView::new(&wf);
        view.move_by(10);
        assert_eq!(view.selected, 5);
        view.scroll_to_selected(3);
        assert_eq!(view.offset, 3);
        view.move_by(-10);
        view.scroll_to_selected(3);
        assert_eq!((view.selected, view.offset), (0, 0));
        let mut empty = WaterfallView::new(&Waterfall::default());
        empty.toggle_collapse(&Waterfall::default());
        empty.move_by(1);
        assert_eq!(empty.selected_row(), None);
    }
}
