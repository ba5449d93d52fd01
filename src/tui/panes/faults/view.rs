//! Drawing the Faults pane: the catalogue, the selected fault's card, the active faults.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::lab::faults::{self, FaultDef, ParamValue, format_remaining};

use crate::tui::app::{App, Focus};
use crate::tui::view::{pane_block, truncate};

use super::{params_view, targets};

/// ```text
/// ┏ Faults — 1 active ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
/// ┃ ▶ latency        slow answers from one service  ┃ latency → payments   ┃
/// ┃   errors         a share of requests fail        ┃ params: ms=800 …     ┃
/// ┃   …                                              ┃ metrics: p95 rises…  ┃
/// ┃ Active: latency on payments, 9m12s left                                 ┃
/// ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
/// ```
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let pane = &app.faults;
    let catalogue = faults::catalogue();
    let focused = app.focus == Focus::Faults && app.help.is_none() && app.confirm.is_none();
    let title = match pane.active.len() {
        0 => " Faults ".to_string(),
        n => format!(" Faults — {n} active "),
    };
    let block = pane_block(app, focused, Line::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };

    let mut active: Vec<Line> = Vec::new();
    if let Some(busy) = &pane.busy {
        active.push(Line::styled(busy.clone(), theme.notice));
    }
    if let Some(error) = &pane.error {
        active.push(Line::styled(
            crate::lab::untrusted::escape(error).into_owned(),
            theme.error,
        ));
    }
    for fault in &pane.active {
        let left = format_remaining(fault.remaining(app.now));
        active.push(Line::from(vec![
            Span::styled("● ", theme.error),
            Span::raw(truncate(
                &format!("{} on {}, {left} left", fault.name, fault.target),
                usize::from(inner.width),
            )),
        ]));
    }
    let active_height = (active.len() as u16).min(inner.height / 3);
    let [top, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(active_height)]).areas(inner);
    frame.render_widget(Paragraph::new(active), bottom);

    let list_width = if top.width >= 70 { 30 } else { top.width };
    let [list_area, card_area] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(top);
    if let Some(editor) = &pane.editor
        && let Ok(fault) = catalogue.get(&editor.fault)
    {
        // The editor takes the card's place, or the whole pane when there is no card.
        let editor_area = if card_area.width > 10 {
            draw_list(app, frame, list_area, false);
            card_area
        } else {
            top
        };
        params_view::draw_editor(app, frame, editor_area, editor, fault);
        return;
    }
    draw_list(app, frame, list_area, focused);
    if card_area.width > 10
        && let Some(fault) = pane.selected_fault(catalogue)
    {
        let target = targets(fault).get(pane.target).cloned().unwrap_or_default();
        frame.render_widget(
            Paragraph::new(card(app, fault, &target)).wrap(Wrap { trim: false }),
            card_area,
        );
    }
}

/// The catalogue, the selected fault marked (highlighted while the list has the keys).
fn draw_list(app: &App, frame: &mut Frame, list_area: Rect, focused: bool) {
    let theme = &app.theme;
    let pane = &app.faults;
    let list_width = list_area.width;
    let height = usize::from(list_area.height);
    let first = pane.selected.saturating_sub(height.saturating_sub(1));
    let list: Vec<Line> = faults::catalogue()
        .faults
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, fault)| {
            let on = pane.active.iter().any(|a| a.name == fault.name);
            let marker = if i == pane.selected { "▶ " } else { "  " };
            let dot = if on { "● " } else { "  " };
            let line = Line::from(vec![
                Span::raw(marker),
                Span::styled(dot, theme.error),
                Span::raw(truncate(
                    &fault.name,
                    usize::from(list_width).saturating_sub(4),
                )),
            ]);
            if i == pane.selected && focused {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(list), list_area);
}

/// What the learner needs before injecting: what it does, where, its knobs, its symptoms.
fn card<'a>(app: &App, fault: &'a FaultDef, target: &str) -> Vec<Line<'a>> {
    let theme = &app.theme;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(fault.name.as_str(), theme.title),
            Span::raw(format!(" → {target}")),
            Span::styled("  (t: other target)", theme.muted),
        ]),
        Line::from(fault.summary.as_str()),
        Line::from(""),
        Line::from(fault.description.as_str()),
        Line::from(""),
    ];
    if !fault.params.is_empty() {
        lines.push(Line::styled(
            "Parameters (the defaults; p sets other values)",
            theme.title,
        ));
        for p in &fault.params {
            let range = match (p.min, p.max) {
                (Some(lo), Some(hi)) => format!(
                    " ({}–{})",
                    ParamValue::Number(lo).text(),
                    ParamValue::Number(hi).text()
                ),
                _ => String::new(),
            };
            lines.push(Line::from(format!(
                "  {} = {}{} {}{range}",
                p.name,
                p.default.text(),
                if p.unit.is_empty() { "" } else { " " },
                p.unit
            )));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::styled("What you should see", theme.title));
    for (signal, text) in [
        ("metrics", &fault.symptoms.metrics),
        ("logs", &fault.symptoms.logs),
        ("traces", &fault.symptoms.traces),
    ] {
        lines.push(Line::from(vec![
            Span::styled(format!("  {signal}: "), theme.key),
            Span::raw(text.as_str()),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("Undo: ", theme.key),
        Span::raw(fault.undo.as_str()),
        Span::styled(
            format!(
                " · expires after {}",
                format_remaining(std::time::Duration::from_secs(fault.ttl_seconds))
            ),
            theme.muted,
        ),
    ]));
    lines
}
