//! Drawing the Stack pane: component table, `up` progress, and a component's logs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::lab::stack::{ComponentState, ComponentStatus};

use crate::tui::app::{App, Focus};
use crate::tui::view::{pane_block, truncate};

use super::{LabView, LogView, rate, seconds};

/// ```text
/// ┏ Lab stack — native ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
/// ┃ COMPONENT     STATE          VERSION     MEMORY   UPTIME  URL       ┃
/// ┃ ▶ prometheus  ready          2.42.0+ds   43 MB    5m      http://…  ┃
/// ┃   loki        not installed  download loki… from Grafana's releases ┃
/// ┃ ─ logs: prometheus (following) ──────────────────────────────────── ┃
/// ┃ ts=… level=info msg="Server is ready to receive web requests."      ┃
/// ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
/// ```
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let pane = &app.stack;
    let focused = app.focus == Focus::Stack && app.help.is_none() && app.confirm.is_none();
    let title = match &pane.lab {
        LabView::Running { runtime, .. } => format!(" Lab stack — {runtime} "),
        _ => " Lab stack ".to_string(),
    };
    let block = pane_block(app, focused, Line::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };

    let mut top: Vec<Line> = Vec::new();
    match &pane.lab {
        LabView::Checking => top.push(Line::styled("Looking for a running lab…", theme.muted)),
        LabView::NotStarted => {
            top.push(Line::from("No lab is running."));
            top.push(Line::from(""));
            top.push(Line::from(vec![
                Span::raw("Press "),
                Span::styled("U", theme.key),
                Span::raw(" to start one here, or run "),
                Span::styled("labtui up", theme.key),
                Span::raw(" in another terminal (it keeps running after labtui exits)."),
            ]));
            top.push(Line::styled(
                "`labtui doctor` checks what is installed and which ports are free.",
                theme.muted,
            ));
        }
        LabView::Failed(e) => {
            top.push(Line::styled(
                format!("Could not read the lab: {e}"),
                theme.error,
            ));
        }
        LabView::Running { components, .. } => {
            top.extend(component_table(app, components, usize::from(inner.width)));
        }
    }
    if let Some(traffic) = &pane.traffic {
        top.push(Line::from(""));
        let burst = if traffic.burst_seconds_left > 0 {
            format!(
                " (burst, {}s left, then {})",
                traffic.burst_seconds_left,
                rate(traffic.base_rps)
            )
        } else {
            String::new()
        };
        top.push(Line::from(vec![
            Span::styled("Shop traffic: ", theme.title),
            Span::raw(format!(
                "{} rps{burst} · sent {}, failed {} · ",
                rate(traffic.rps),
                traffic.sent,
                traffic.failed
            )),
            Span::styled("+/-", theme.key),
            Span::raw(" rate  "),
            Span::styled("b", theme.key),
            Span::raw(" burst"),
        ]));
    }
    if !pane.alerts.is_empty() || pane.alerts_note.is_some() {
        top.push(Line::from(""));
        top.push(Line::styled("Alerts (Alertmanager → labtui)", theme.title));
        if let Some(note) = &pane.alerts_note {
            top.push(Line::styled(note.clone(), theme.muted));
        }
        let width = usize::from(inner.width);
        for alert in pane.alerts.iter().take(8) {
            let style = if alert.is_firing() {
                theme.error
            } else {
                theme.muted
            };
            let service = alert.label("service").unwrap_or("-");
            let summary = alert.summary.as_deref().unwrap_or("");
            let text = format!("{:<8} {} {service}: {summary}", alert.status, alert.name);
            top.push(Line::styled(truncate(&text, width), style));
        }
    }
    if let Some(up) = &pane.up {
        top.push(Line::from(""));
        let heading = if up.done {
            "Start-up log:"
        } else {
            "Starting the lab…"
        };
        top.push(Line::styled(heading, theme.title));
        top.extend(up.lines.iter().map(|l| Line::from(l.clone())));
    }
    if let Some(busy) = &pane.busy {
        top.push(Line::styled(busy.clone(), theme.notice));
    }

    match &pane.logs {
        None => frame.render_widget(Paragraph::new(top).wrap(Wrap { trim: false }), inner),
        Some(logs) => {
            let table_height = (top.len() as u16).min(inner.height / 2);
            let [table_area, logs_area] =
                Layout::vertical([Constraint::Length(table_height), Constraint::Min(1)])
                    .areas(inner);
            frame.render_widget(Paragraph::new(top), table_area);
            draw_logs(app, frame, logs_area, logs);
        }
    }
}

/// Columns after the name and state, most useful first; each is shown only if it fits.
const OPTIONAL_COLUMNS: [(&str, usize); 4] =
    [("VERSION", 11), ("MEMORY", 7), ("UPTIME", 7), ("URL", 22)];

fn component_table<'a>(
    app: &App,
    components: &'a [ComponentStatus],
    width: usize,
) -> Vec<Line<'a>> {
    let theme = &app.theme;
    let name_w = components
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let mut room = width.saturating_sub(2 + name_w + 2 + 13);
    let shown = OPTIONAL_COLUMNS
        .iter()
        .take_while(|(_, w)| {
            let fits = room >= w + 2;
            room = room.saturating_sub(w + 2);
            fits
        })
        .count();
    let mut header = format!("  {:<name_w$}  {:<13}", "COMPONENT", "STATE");
    for (title, w) in &OPTIONAL_COLUMNS[..shown] {
        header.push_str(&format!("  {title:<w$}"));
    }
    let mut lines = vec![Line::styled(
        truncate(header.trim_end(), width),
        theme.muted,
    )];
    for (i, c) in components.iter().enumerate() {
        let marker = if i == app.stack.selected {
            "▶ "
        } else {
            "  "
        };
        let state_style = match c.state {
            ComponentState::Ready => theme.done,
            ComponentState::Starting | ComponentState::Paused => theme.in_progress,
            ComponentState::Down => theme.error,
            ComponentState::NotInstalled | ComponentState::Unavailable => theme.muted,
        };
        let lead = format!("{marker}{:<name_w$}  ", c.name);
        let rest_room = width.saturating_sub(lead.chars().count() + 15);
        let rest = if matches!(
            c.state,
            ComponentState::NotInstalled | ComponentState::Unavailable
        ) {
            // No version or memory to show: the useful thing is how to get it.
            Span::styled(
                truncate(c.detail.as_deref().unwrap_or_default(), rest_room),
                theme.muted,
            )
        } else {
            let cells = [
                c.version.clone().unwrap_or_else(|| "-".into()),
                c.rss_bytes.map_or("-".into(), megabytes),
                c.uptime.map_or("-".into(), duration),
                c.url.clone().unwrap_or_else(|| "-".into()),
            ];
            let text: Vec<String> = cells
                .iter()
                .zip(OPTIONAL_COLUMNS)
                .take(shown)
                .map(|(cell, (_, w))| format!("{:<w$}", truncate(cell, w)))
                .collect();
            Span::raw(truncate(text.join("  ").trim_end(), rest_room))
        };
        let line = Line::from(vec![
            Span::raw(lead),
            Span::styled(format!("{:<13}  ", c.state.as_str()), state_style),
            rest,
        ]);
        lines.push(if i == app.stack.selected && app.focus == Focus::Stack {
            line.style(theme.selected)
        } else {
            line
        });
    }
    if let Some(c) = app.stack.selected_component()
        && c.state == ComponentState::Down
        && let Some(detail) = &c.detail
    {
        lines.push(Line::styled(
            truncate(&format!("{}: {detail}", c.name), width),
            theme.error,
        ));
    }
    lines
}

fn draw_logs(app: &App, frame: &mut Frame, area: Rect, logs: &LogView) {
    let theme = &app.theme;
    let height = usize::from(area.height.saturating_sub(1));
    let visible = logs.visible();
    let top = logs.top(height);
    let mut title = format!("─ logs: {} ", logs.component);
    if !logs.search.is_empty() || logs.searching {
        let cursor = if logs.searching { "▏" } else { "" };
        title.push_str(&format!(
            "· /{}{cursor} ({} of {} lines) ",
            logs.search,
            visible.len(),
            logs.lines.len()
        ));
    }
    if logs.follow {
        title.push_str("· following ");
    }
    let rule = "─".repeat(usize::from(area.width).saturating_sub(title.chars().count()));
    let mut lines = vec![Line::styled(format!("{title}{rule}"), theme.muted)];
    if let Some(e) = &logs.error {
        lines.push(Line::styled(e.clone(), theme.error));
    } else if visible.is_empty() {
        lines.push(Line::styled("(no lines)", theme.muted));
    }
    let width = usize::from(area.width);
    lines.extend(
        visible
            .iter()
            .skip(top)
            .take(height)
            .map(|(_, l)| highlight(l, &logs.search, width, theme.key)),
    );
    frame.render_widget(Paragraph::new(lines), area);
}

/// A log line cut to the width, with the search text emphasised.
fn highlight(line: &str, search: &str, width: usize, style: Style) -> Line<'static> {
    let line = truncate(line, width);
    if search.is_empty() {
        return Line::from(line);
    }
    let lower = line.to_lowercase();
    let needle = search.to_lowercase();
    // Only highlight when lower-casing kept byte offsets aligned (ASCII-safe lines).
    match lower.find(&needle) {
        Some(at) if lower.len() == line.len() => {
            let end = at + needle.len();
            Line::from(vec![
                Span::raw(line[..at].to_string()),
                Span::styled(line[at..end].to_string(), style),
                Span::raw(line[end..].to_string()),
            ])
        }
        _ => Line::from(line),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes / 1_000_000)
}

fn duration(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..60 => seconds(d),
        60..3600 => format!("{}m", secs / 60),
        3600..86_400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d", secs / 86_400),
    }
}
