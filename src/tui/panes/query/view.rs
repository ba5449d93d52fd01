//! Drawing the Query pane: tabs, editor, syntax line, completion list, results, explain tree.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::lab::query::{QueryLang, QueryWindow};

use super::super::super::app::{App, Focus};
use super::super::super::theme::Theme;
use super::super::super::view::{pane_block, truncate};
use super::super::super::widgets::{chart, table};
use super::results::Done;
use super::{
    LangTab, NodeState, Part, PromptKind, QueryPane, ResultView, RunState, TABS, view_signals,
};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Cells across the results get in a Query pane drawn in `area` (inside its border): what
/// `update` sizes the step and the chart's resolution to.
pub fn results_width(area: Rect) -> u16 {
    area.width.saturating_sub(2)
}

/// ```text
/// ┏ PromQL │ LogQL │ TraceQL │ Alerts ━━━━━━━━━━━━━━━━━━ last 15m · step auto · auto off ┓
/// ┃ › histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m ┃
/// ┃ ✓ PromQL parses                                                                      ┃
/// ┃ ── 1 series · 1 sample · 12 ms ───────────────────────────────────────────────────── ┃
/// ┃ VALUE                                                                                ┃
/// ┃ 412ms                                                                                ┃
/// ┃ ── explain (x) ──────────────────────────────────────────────────────────────────── ┃
/// ┃ ▶ histogram_quantile(0.95, …)  95th percentile from histogram buckets     1 series   ┃
/// ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛
/// ```
pub fn draw_query(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let pane = &app.query;
    let focused = app.focus == Focus::Query && app.help.is_none() && app.confirm.is_none();
    let mut tabs = vec![Span::raw(" ")];
    for (i, tab) in TABS.iter().enumerate() {
        if i > 0 {
            tabs.push(Span::styled(" │ ", theme.muted));
        }
        let style = if *tab == pane.tab {
            theme.title
        } else {
            theme.muted
        };
        tabs.push(Span::styled(tab.title(), style));
    }
    tabs.push(Span::raw(" "));
    let mut block = pane_block(app, focused, Line::from(tabs));
    if let Some(tab) = pane.current() {
        let refresh = match pane.refresh_every() {
            Some(every) => format!("auto {}s", every.as_secs()),
            None => "auto off".into(),
        };
        block = block.title(
            Line::styled(format!(" {} · {refresh} ", tab.range.label()), theme.muted)
                .right_aligned(),
        );
    }
    if let Some(trail) = pane.breadcrumb() {
        let room = usize::from(area.width.saturating_sub(24));
        block = block.title_bottom(Line::styled(
            format!(
                " {} · Backspace goes back ",
                truncate(&crate::lab::untrusted::escape(&trail), room)
            ),
            theme.muted,
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match pane.current() {
        Some(tab) => draw_lang_tab(app, pane, tab, focused, frame, inner),
        None => super::super::alerts::view::draw_alerts(app, frame, inner),
    }
}

fn draw_lang_tab(
    app: &App,
    pane: &QueryPane,
    tab: &LangTab,
    focused: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let theme = &app.theme;
    // The editor wraps long queries; it grows to five rows, then scrolls.
    let text_width = usize::from(area.width.saturating_sub(2)).max(1);
    let wrapped: usize = tab
        .editor
        .area
        .lines()
        .iter()
        .map(|l| l.chars().count().div_ceil(text_width).max(1))
        .sum();
    let editor_rows = (wrapped as u16).clamp(1, 5);
    let explain_rows = match &tab.explain {
        Some(explain) => (explain.rows.len() as u16 + 2)
            .min(area.height * 2 / 5)
            .max(3),
        None => 0,
    };
    let [
        editor_area,
        syntax_area,
        status_area,
        results_area,
        explain_area,
    ] = Layout::vertical([
        Constraint::Length(editor_rows),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(explain_rows),
    ])
    .areas(area);

    let typing = focused && pane.part == Part::Editor && tab.prompt.is_none();
    let mut editor = tab.editor.area.clone();
    editor.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    editor.set_cursor_line_style(ratatui::style::Style::new());
    editor.set_cursor_style(if typing {
        theme.selected
    } else {
        ratatui::style::Style::new()
    });
    editor.set_placeholder_style(theme.muted);
    let [prompt_area, text_area] =
        Layout::horizontal([Constraint::Length(2), Constraint::Min(1)]).areas(editor_area);
    frame.render_widget(
        Paragraph::new(Span::styled(
            "› ",
            if typing { theme.title } else { theme.muted },
        )),
        prompt_area,
    );
    frame.render_widget(&editor, text_area);

    frame.render_widget(Paragraph::new(syntax_line(tab, theme)), syntax_area);
    frame.render_widget(
        Paragraph::new(status_line(pane, tab, theme, area.width)),
        status_area,
    );
    draw_signal_or_results(app, pane, tab, frame, results_area);
    if let Some(explain) = &tab.explain {
        draw_explain(
            explain,
            pane.part == Part::Explain && focused,
            theme,
            frame,
            explain_area,
        );
    }
    if typing && !tab.editor.candidates.is_empty() {
        draw_candidates(tab, theme, frame, results_area);
    }
}

/// The results area: an open trace, the service map, the live tail, or the run's result
/// (with the exemplar list under a PromQL chart).
fn draw_signal_or_results(
    app: &App,
    pane: &QueryPane,
    tab: &LangTab,
    frame: &mut Frame,
    area: Rect,
) {
    let theme = &app.theme;
    if let Some(map) = &tab.map {
        return view_signals::draw_map(map, theme, frame, area);
    }
    if let Some(trace) = &tab.trace {
        return view_signals::draw_trace(trace, theme, frame, area);
    }
    if tab.lang == QueryLang::LogQL
        && let Some(tail) = &pane.tail
    {
        return view_signals::draw_logs(&tail.view, Some((tail, pane.clock)), theme, frame, area);
    }
    match &tab.exemplars {
        Some(exemplars) => {
            let (chart_area, list_area) = view_signals::exemplar_split(area);
            draw_results(app, tab, frame, chart_area);
            view_signals::draw_exemplars(exemplars, theme, frame, list_area);
        }
        None => draw_results(app, tab, frame, area),
    }
}

fn syntax_line<'a>(tab: &'a LangTab, theme: &Theme) -> Line<'a> {
    if let Some(prompt) = &tab.prompt {
        let (label, hint) = match prompt.kind {
            PromptKind::Range => (
                "range: ",
                "  45m · 2h step 1m · <start>..<end> · now   Enter apply · Esc cancel",
            ),
            PromptKind::Filter if tab.trace.is_some() => (
                "find: ",
                "  span name, service or attribute   Enter keeps · Esc clears",
            ),
            PromptKind::Filter => (
                "filter: ",
                "  text in the line, level or service   Enter keeps · Esc clears",
            ),
        };
        return Line::from(vec![
            Span::styled(label, theme.title),
            Span::raw(crate::lab::untrusted::escape(&prompt.text).into_owned()),
            Span::styled("▏", theme.title),
            Span::styled(hint, theme.muted),
        ]);
    }
    match &tab.editor.syntax {
        Some(error) => Line::from(vec![
            Span::styled(format!("✗ {}:{} ", error.line, error.column), theme.error),
            Span::styled(error.message.clone(), theme.error),
        ]),
        None if tab.editor.text().trim().is_empty() => Line::styled(
            "Enter runs the query · Alt-Enter new line · ↑ history · Tab completes",
            theme.muted,
        ),
        None if tab.lang == QueryLang::PromQL => Line::styled("✓ PromQL parses", theme.done),
        None if tab.editor.checked_ok => {
            Line::styled(format!("✓ {} parses", tab.lang.backend()), theme.done)
        }
        None if tab.lang == QueryLang::LogQL => {
            Line::styled("LogQL is checked by Loki as you type", theme.muted)
        }
        None => Line::styled(
            format!(
                "{} is checked by {} when it runs",
                tab.lang,
                tab.lang.backend()
            ),
            theme.muted,
        ),
    }
}

fn status_line<'a>(pane: &QueryPane, tab: &LangTab, theme: &Theme, width: u16) -> Line<'a> {
    let text = match (&tab.trace, &tab.run) {
        (Some(trace), _) => format!(
            "trace {} · Enter span details · Space folds · c its logs · M its metrics · Esc closes",
            super::signals::short_id(trace.shown_id())
        ),
        (None, None) => "no query run yet".to_string(),
        (None, Some(run)) => {
            let what = match run.node {
                Some(_) => format!("node: {}", truncate(&run.expr, 40)),
                None => match run.window {
                    QueryWindow::Instant { .. } => "instant".to_string(),
                    QueryWindow::Range { .. } => "range".to_string(),
                },
            };
            match &run.state {
                RunState::Loading => {
                    let waited = pane.clock.saturating_sub(run.sent_at);
                    let frame = SPINNER[(pane.clock.as_millis() / 100) as usize % SPINNER.len()];
                    format!("{frame} running… {:.1}s · {what}", waited.as_secs_f64())
                }
                RunState::Done(done) => done_summary(done, &what),
                RunState::Failed(_) => format!("error · {what}"),
                RunState::Invalid(_) => format!("not sent · {what}"),
                RunState::Unreachable(_) => format!("no answer · {what}"),
                RunState::NotInLab(_) => format!("no {} in this lab · {what}", tab.lang.backend()),
            }
        }
    };
    let rule = "─".repeat(usize::from(width).saturating_sub(text.chars().count() + 4));
    Line::styled(format!("── {text} {rule}"), theme.muted)
}

fn done_summary(done: &Done, what: &str) -> String {
    let took = done.took.as_millis();
    match &done.data {
        crate::lab::query::QueryData::Streams(lines) => {
            let streams = done.data.series_count();
            let s = if streams == 1 { "" } else { "s" };
            return format!(
                "{} lines · {streams} stream{s} · {took} ms · {what}",
                lines.len()
            );
        }
        crate::lab::query::QueryData::Traces(hits) => {
            let s = if hits.len() == 1 { "" } else { "s" };
            return format!("{} trace{s} · {took} ms · {what}", hits.len());
        }
        _ => {}
    }
    let series = done.data.series_count();
    let samples = done.data.sample_count();
    let samples = if samples == 1 {
        "1 sample".to_string()
    } else {
        format!("{samples} samples")
    };
    let mut text = format!(
        "{series} series · {samples} · {} ms · {what}",
        done.took.as_millis()
    );
    for warning in &done.warnings {
        text.push_str(&format!(" · warning: {warning}"));
    }
    text
}

fn draw_results(app: &App, tab: &LangTab, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    if app.query.pending.is_some() {
        let step = app
            .stack
            .up
            .as_ref()
            .and_then(|up| up.lines.last().cloned())
            .unwrap_or_else(|| "waiting for the go-ahead".into());
        frame.render_widget(
            Paragraph::new(vec![
                Line::from("The query runs as soon as the lab is up."),
                Line::styled(format!("starting the lab: {step}"), theme.muted),
            ])
            .wrap(Wrap { trim: false }),
            area,
        );
        return;
    }
    let Some(run) = &tab.run else {
        let mut lines = vec![Line::from(format!(
            "Type a {} query above and press Enter.",
            tab.lang
        ))];
        lines.push(Line::styled(
            "In a lesson, n selects a runnable block and Enter sends it here.",
            theme.muted,
        ));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    };
    match &run.state {
        RunState::Loading => frame.render_widget(
            message(vec![Line::styled(format!("Waiting for {}…", tab.lang.backend()), theme.muted)]),
            area,
        ),
        RunState::Failed(error) => frame.render_widget(
            message(vec![
                Line::styled(format!("{} said:", tab.lang.backend()), theme.muted),
                Line::styled(shown(error), theme.error),
            ]),
            area,
        ),
        RunState::Invalid(error) => frame.render_widget(
            message(vec![
                Line::styled("Not sent: the query does not parse.", theme.muted),
                Line::styled(shown(error), theme.error),
            ]),
            area,
        ),
        RunState::Unreachable(error) => frame.render_widget(
            message(vec![
                Line::styled(format!("No {} in this lab answered.", tab.lang.backend()), theme.error),
                Line::raw(shown(error)),
                Line::styled("Press s for the Stack pane (U starts a lab), or run `labtui up`.", theme.muted),
            ]),
            area,
        ),
        RunState::NotInLab(error) => frame.render_widget(
            message(vec![
                Line::styled(shown(error), theme.error),
                Line::styled("The Stack pane (s) shows what this lab runs.", theme.muted),
            ]),
            area,
        ),
        RunState::Done(done) => match &done.view {
            ResultView::Empty => frame.render_widget(
                message(vec![
                    Line::from("The query returned no series."),
                    Line::styled(
                        "Nothing matched: check the metric and label names (Tab completes them), widen the range with +, or press x to see which part of the query comes back empty.",
                        theme.muted,
                    ),
                ]),
                area,
            ),
            ResultView::Text(text) => frame.render_widget(message(vec![Line::raw(text.clone())]), area),
            ResultView::Table { model, selected, .. } => {
                let visible = model.body_rows(area).max(1);
                let offset = (*selected + 1).saturating_sub(visible);
                table::render_table(model, *selected, offset, theme, area, frame.buffer_mut());
            }
            ResultView::Chart { model, .. } => {
                chart::render_chart(model, theme, area, frame.buffer_mut());
            }
            ResultView::Logs(view) => view_signals::draw_logs(view, None, theme, frame, area),
            ResultView::Traces(view) => view_signals::draw_traces(view, theme, frame, area),
        },
    }
}

fn message(lines: Vec<Line<'_>>) -> Paragraph<'_> {
    Paragraph::new(lines).wrap(Wrap { trim: false })
}

fn draw_explain(
    explain: &super::ExplainView,
    focused: bool,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let head = " explain · Enter runs a node · x closes ";
    let mut lines = vec![Line::styled(
        format!(
            "──{head}{}",
            "─".repeat(width.saturating_sub(head.chars().count() + 2))
        ),
        if focused { theme.title } else { theme.muted },
    )];
    // The header, the rows that fit, and the selected node in full at the bottom.
    let room = usize::from(area.height.saturating_sub(2));
    let first = explain.selected.saturating_sub(room.saturating_sub(1));
    for (i, row) in explain.rows.iter().enumerate().skip(first).take(room) {
        let size = match &row.state {
            NodeState::NotRun => String::new(),
            NodeState::Running(_) => "…".into(),
            NodeState::Series(1) => "1 series".into(),
            NodeState::Series(n) => format!("{n} series"),
            NodeState::Failed(e) => format!("error: {e}"),
        };
        let size_style = match &row.state {
            NodeState::Series(0) | NodeState::Failed(_) => theme.error,
            _ => theme.muted,
        };
        let marker = if i == explain.selected { "▶ " } else { "  " };
        let indent = "  ".repeat(row.depth);
        let size_room = size.chars().count().min(width / 3);
        let text_room = width.saturating_sub(size_room + 2 + indent.len() + 2);
        let expr_room = (text_room / 2).max(12);
        let expr = truncate(&row.expr, expr_room);
        let summary = truncate(
            &row.summary,
            text_room.saturating_sub(expr.chars().count() + 2),
        );
        let used = 2 + indent.len() + expr.chars().count() + 2 + summary.chars().count();
        let gap = width.saturating_sub(used + size_room).max(1);
        let selected = i == explain.selected && focused;
        let line_style = if selected {
            theme.selected
        } else {
            ratatui::style::Style::new()
        };
        lines.push(
            Line::from(vec![
                Span::raw(format!("{marker}{indent}")),
                Span::styled(expr, theme.key),
                Span::raw("  "),
                Span::raw(summary),
                Span::raw(" ".repeat(gap)),
                Span::styled(truncate(&size, size_room), size_style),
            ])
            .style(line_style),
        );
    }
    if let Some(row) = explain.rows.get(explain.selected) {
        lines.push(Line::from(vec![
            Span::styled("▸ ", theme.title),
            Span::raw(truncate(&row.summary, width.saturating_sub(2))),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_candidates(tab: &LangTab, theme: &Theme, frame: &mut Frame, area: Rect) {
    let candidates = &tab.editor.candidates;
    let height = (candidates.len() as u16).min(area.height);
    let popup = Rect { height, ..area };
    frame.render_widget(Clear, popup);
    let width = usize::from(area.width);
    let name_room = candidates
        .iter()
        .map(|c| c.text.chars().count())
        .max()
        .unwrap_or(0)
        .min(width / 2);
    let lines: Vec<Line> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let style = if i == tab.editor.chosen {
                theme.selected
            } else {
                ratatui::style::Style::new()
            };
            let name = format!("{:<name_room$}", truncate(&c.text, name_room));
            let rest = truncate(
                &format!("  {:<9} {}", c.kind, c.help),
                width.saturating_sub(name_room),
            );
            Line::from(vec![
                Span::styled(name, theme.key),
                Span::styled(rest, theme.muted),
            ])
            .style(style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), popup);
}

/// An error a server (or a query) wrote, as one wrapped line: its line breaks become spaces
/// and anything a terminal would act on is escaped.
fn shown(error: &str) -> String {
    crate::lab::untrusted::escape(&error.replace('\n', " ")).into_owned()
}
