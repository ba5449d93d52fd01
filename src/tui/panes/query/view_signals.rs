//! Drawing the logs and traces views: log lines under their volume histogram (and the
//! live tail's status), the trace list, an open trace's waterfall with span details, the
//! service map, and the exemplars under a PromQL chart.

use chrono::FixedOffset;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::lab::untrusted::escape;

use super::super::super::theme::Theme;
use super::super::super::view::truncate;
use super::super::super::widgets::{logview, service_map, tracelist, volume, waterfall};
use super::correlate::{ExemplarsState, ExemplarsView};
use super::logs::{LogsView, Tail, TailStatus};
use super::signals::short_id;
use super::traces::{OpenTrace, ServiceMapState, TraceState, TraceView, TracesView};

/// Details go beside the list from this width, under it below.
const SIDE_BY_SIDE: u16 = 100;
/// Rows the volume histogram takes when the results have room for it.
const VOLUME_ROWS: u16 = 4;
/// Rows the exemplar list takes under a chart.
const EXEMPLAR_ROWS: u16 = 8;

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("UTC")
}

fn message(frame: &mut Frame, area: Rect, lines: Vec<Line<'_>>) {
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// A list and the details of its selection: side by side when wide, stacked when not.
fn split_details(area: Rect) -> (Rect, Rect) {
    if area.width >= SIDE_BY_SIDE {
        let [list, details] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(area);
        (list, details)
    } else {
        let [list, details] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        (list, details)
    }
}

/// ```text
///  2,140 lines · max 96/bar           (the volume histogram, errors stacked apart)
///  ▂▅█▇▆███▆▃▁▂▃▅███████▇▅▃▂▁▁▂▃▓▓▅▃▂
///  12:00:00          ^          12:15:00
///  12:14:59.120 ERROR payments    {"level":"error","message":"card declined",…}
/// ```
pub fn draw_logs(
    view: &LogsView,
    tail: Option<(&Tail, std::time::Duration)>,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let mut area = area;
    if let Some((tail, clock)) = tail {
        let [status, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        frame.render_widget(Paragraph::new(tail_line(tail, clock, theme)), status);
        area = rest;
    }
    if view.entries.is_empty() {
        let text = if tail.is_some() {
            "Waiting for new lines… (L pauses)"
        } else {
            "No log lines matched in this range: check the labels (service_name, level), widen the range with +, or drop a line filter."
        };
        message(frame, area, vec![Line::styled(text, theme.muted)]);
        return;
    }
    let volume_rows = if area.height >= 12 { VOLUME_ROWS } else { 0 };
    let [histogram, lines] =
        Layout::vertical([Constraint::Length(volume_rows), Constraint::Min(1)]).areas(area);
    if volume_rows > 0 {
        volume::render_volume(
            &view.volume,
            view.bar,
            utc(),
            theme,
            histogram,
            frame.buffer_mut(),
        );
    }
    let (list, details) = if view.expanded {
        split_details(lines)
    } else {
        (lines, Rect::default())
    };
    let mut state = view.state;
    state.scroll_to_selected(usize::from(list.height));
    logview::render_logview(&view.model, &state, theme, list, frame.buffer_mut());
    if view.expanded
        && let Some(entry) = view.selected()
    {
        let fields = entry.json_fields().unwrap_or_default();
        logview::render_log_detail(
            entry,
            &fields,
            view.detail_scroll,
            theme,
            details,
            frame.buffer_mut(),
        );
    }
}

fn tail_line<'a>(tail: &Tail, clock: std::time::Duration, theme: &Theme) -> Line<'a> {
    let (mark, style, what) = match &tail.status {
        TailStatus::Connecting => ("○", theme.muted, "connecting".to_string()),
        TailStatus::Live => ("●", theme.done, "live".to_string()),
        TailStatus::Reconnecting(error, attempt) => (
            "○",
            theme.error,
            format!("reconnecting (attempt {attempt}): {}", escape(error)),
        ),
        TailStatus::Paused => ("‖", theme.muted, "paused".to_string()),
    };
    let follow = if tail.following() {
        "following"
    } else {
        "scrolled: g returns to the newest"
    };
    Line::from(vec![
        Span::styled(format!("{mark} tail {what}"), style),
        Span::styled(
            format!(
                " · {:.1} lines/s · {} kept · {} dropped by Loki · {follow} · L {}",
                tail.rate(clock),
                tail.lines.len(),
                tail.dropped,
                if tail.is_running() {
                    "pauses"
                } else {
                    "resumes"
                }
            ),
            theme.muted,
        ),
    ])
}

/// The trace list of a search.
pub fn draw_traces(view: &TracesView, theme: &Theme, frame: &mut Frame, area: Rect) {
    if view.hits.is_empty() {
        message(
            frame,
            area,
            vec![Line::styled(
                "No trace matched in this range: widen it with +, or loosen the conditions (a span attribute is span.name, a resource one resource.name).",
                theme.muted,
            )],
        );
        return;
    }
    let matched_rows = if area.height >= 10 { 3 } else { 0 };
    let [hint, list, matched] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(matched_rows),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::styled(
            "Enter opens the trace · o sorts · S service map",
            theme.muted,
        )),
        hint,
    );
    let offset =
        (view.selected + 1).saturating_sub(usize::from(list.height.saturating_sub(1)).max(1));
    tracelist::render_trace_list(
        &view.model,
        view.selected,
        offset,
        theme,
        list,
        frame.buffer_mut(),
    );
    if let Some(hit) = view.selected_hit()
        && matched_rows > 0
    {
        frame.render_widget(
            Paragraph::new(matched_spans(hit, theme, matched.width)),
            matched,
        );
    }
}

/// The selected trace's spans the query matched: name, duration and selected attributes.
fn matched_spans<'a>(
    hit: &crate::lab::query::traces::TraceHit,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'a>> {
    let width = usize::from(width);
    let mut lines = vec![Line::styled(
        truncate(
            &format!(
                "── spans the query matched in the selected trace: {} ",
                hit.matched
            ),
            width,
        ),
        theme.muted,
    )];
    for span in hit.spans.iter().take(2) {
        let attrs: Vec<String> = span
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        // Tempo names a matched span only when the query selects its name.
        let name = match &span.name {
            Some(name) => name.clone(),
            None => format!("span {}", short_id(&span.span_id)),
        };
        let text = format!(
            "  {name} {}  {}",
            super::super::super::widgets::cells::duration(span.duration_ns),
            attrs.join(" ")
        );
        lines.push(Line::raw(truncate(&escape(&text), width)));
    }
    lines
}

/// An open trace: loading, missing, failed (Tempo's error), not fetched (no Tempo to
/// ask), or its waterfall with the selected span's details.
pub fn draw_trace(view: &TraceView, theme: &Theme, frame: &mut Frame, area: Rect) {
    match &view.state {
        TraceState::Loading => message(
            frame,
            area,
            vec![Line::styled(
                format!("Fetching trace {} from Tempo…", escape(&view.trace_id)),
                theme.muted,
            )],
        ),
        TraceState::Missing => message(
            frame,
            area,
            vec![
                Line::from(format!("Tempo has no trace {}.", escape(&view.trace_id))),
                Line::styled(
                    "A trace is searchable a few seconds after its last span ends; try again in a moment (Esc returns).",
                    theme.muted,
                ),
            ],
        ),
        TraceState::Failed(error) => message(
            frame,
            area,
            vec![
                Line::styled("Tempo said:", theme.muted),
                Line::styled(escape(error).into_owned(), theme.error),
            ],
        ),
        TraceState::NotFetched(error) => message(
            frame,
            area,
            vec![
                Line::styled(
                    format!("Could not fetch trace {}:", escape(&view.trace_id)),
                    theme.muted,
                ),
                Line::styled(escape(error).into_owned(), theme.error),
            ],
        ),
        TraceState::Ready(open) => draw_waterfall(open, theme, frame, area),
    }
}

fn draw_waterfall(open: &OpenTrace, theme: &Theme, frame: &mut Frame, area: Rect) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(trace_summary(open, theme, head.width)), head);
    let (list, details) = if open.details {
        split_details(body)
    } else {
        (body, Rect::default())
    };
    let mut view = open.view.clone();
    view.scroll_to_selected(usize::from(list.height.saturating_sub(1)));
    waterfall::render_waterfall(
        &open.trace,
        &open.waterfall,
        &view,
        theme,
        list,
        frame.buffer_mut(),
    );
    if open.details
        && let Some(row) = open.selected_row()
    {
        waterfall::render_span_details(
            &open.trace,
            &open.waterfall,
            row,
            open.detail_scroll,
            theme,
            details,
            frame.buffer_mut(),
        );
    }
}

/// `trace 63823273 · 14 spans · 5 services · 1.25s · critical path: storefront › orders…`
fn trace_summary<'a>(open: &OpenTrace, theme: &Theme, width: u16) -> Line<'a> {
    let mut path: Vec<&str> = Vec::new();
    for row in &open.waterfall.rows {
        if row.critical.is_empty() {
            continue;
        }
        let service = open.trace.spans[row.span].service.as_str();
        if path.last() != Some(&service) {
            path.push(service);
        }
    }
    let services = {
        let mut s: Vec<&str> = open
            .trace
            .spans
            .iter()
            .map(|s| s.service.as_str())
            .collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    let total = open.waterfall.end_ns - open.waterfall.start_ns;
    let mut text = format!(
        "trace {} · {} spans · {services} services · {} · critical path: {}",
        short_id(&open.trace.trace_id),
        open.trace.spans.len(),
        super::super::super::widgets::cells::duration(total),
        path.join(" › ")
    );
    if let Some(search) = &open.search {
        text.push_str(&format!(
            " · \"{}\" in {} spans (n/N)",
            escape(search),
            open.view.matches.len()
        ));
    }
    Line::styled(truncate(&escape(&text), usize::from(width)), theme.muted)
}

/// The lab's service map, or why there is none yet.
pub fn draw_map(state: &ServiceMapState, theme: &Theme, frame: &mut Frame, area: Rect) {
    match state {
        ServiceMapState::Loading(_) => message(
            frame,
            area,
            vec![Line::styled(
                "Reading the service graph from Prometheus…",
                theme.muted,
            )],
        ),
        ServiceMapState::Failed(error) => message(
            frame,
            area,
            vec![
                Line::styled("Prometheus said:", theme.muted),
                Line::styled(escape(error).into_owned(), theme.error),
            ],
        ),
        ServiceMapState::Ready(edges) if edges.is_empty() => message(
            frame,
            area,
            vec![
                Line::from("No service-graph series yet."),
                Line::styled(
                    "Tempo's metrics generator writes traces_service_graph_request_total into Prometheus once it has seen client and server spans of the same requests; with Tempo running and the shop under traffic they appear within a minute.",
                    theme.muted,
                ),
            ],
        ),
        ServiceMapState::Ready(edges) => {
            let [head, body] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "service map · requests/s and error ratio per call over 5m, from Tempo's service graph · S or Esc closes",
                    theme.muted,
                )),
                head,
            );
            service_map::render_service_map(edges, None, theme, body, frame.buffer_mut());
        }
    }
}

/// The area under a chart the exemplar list takes, and what stays for the chart.
pub fn exemplar_split(area: Rect) -> (Rect, Rect) {
    let rows = EXEMPLAR_ROWS.min(area.height / 2);
    let [chart, list] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(rows)]).areas(area);
    (chart, list)
}

/// ```text
/// ── exemplars · Enter opens the trace · c closes ──────────
/// › 1.02s   06:37:58  95239177a5755dfc…  service=payments le=2.5
/// ```
pub fn draw_exemplars(view: &ExemplarsView, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let head = " exemplars · slowest first · Enter opens the trace · c closes ";
    let mut lines = vec![Line::styled(
        format!(
            "──{head}{}",
            "─".repeat(width.saturating_sub(head.chars().count() + 2))
        ),
        theme.title,
    )];
    match &view.state {
        ExemplarsState::Loading => lines.push(Line::styled("asking Prometheus…", theme.muted)),
        ExemplarsState::Failed(error) => {
            lines.push(Line::styled(escape(error).into_owned(), theme.error));
        }
        ExemplarsState::Ready(rows) if rows.is_empty() => lines.push(Line::styled(
            "No exemplars in this range: exemplars come with histogram buckets (…_bucket) of requests that were traced; try the latency histogram, e.g. http_request_duration_seconds_bucket.",
            theme.muted,
        )),
        ExemplarsState::Ready(rows) => {
            let room = usize::from(area.height.saturating_sub(1));
            let first = view.selected.saturating_sub(room.saturating_sub(1));
            for (i, row) in rows.iter().enumerate().skip(first).take(room) {
                let mark = if i == view.selected { "› " } else { "  " };
                let time = chrono::DateTime::from_timestamp_millis((row.t * 1000.0) as i64)
                    .map(|t| t.format("%H:%M:%S").to_string())
                    .unwrap_or_default();
                let text = format!(
                    "{mark}{:<8} {time}  {}  {}",
                    crate::lab::query::Unit::Seconds.format(row.value),
                    escape(&row.trace_id),
                    escape(&row.series)
                );
                let style = if i == view.selected {
                    theme.selected
                } else {
                    ratatui::style::Style::new()
                };
                lines.push(Line::styled(truncate(&text, width), style));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
