//! Drawing the Alerts tab: section headers, rules with state, Alertmanager groups,
//! silences, the webhook's pages, and the silence form.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::lab::query::alertmanager::SilenceState;
use crate::lab::query::prometheus::AlertState;

use super::super::super::app::App;
use super::super::super::theme::Theme;
use super::super::super::view::truncate;
use super::{AlertsTab, SECTIONS, Section, matchers_text, short_id};

/// ```text
/// Rules │ Alertmanager │ Silences │ Pages                       ← → section · r refresh
/// STATE    FOR     ALERT             VALUE   EXPRESSION
/// firing   3m12s   HighErrorRate     0.21    sum(rate(http_requests_total{status=~"5.."}…
/// pending  20s     HighLatencyP95    1.4     histogram_quantile(0.95, …
/// ```
pub fn draw_alerts(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let tab = &app.query.alerts;
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(if tab.form.is_some() { 4 } else { 1 }),
    ])
    .areas(area);
    let mut spans = vec![Span::raw(" ")];
    for (i, section) in SECTIONS.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.muted));
        }
        let style = if *section == tab.section() {
            theme.title
        } else {
            theme.muted
        };
        spans.push(Span::styled(section.title(), style));
    }
    if tab.loading {
        spans.push(Span::styled("  refreshing…", theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), head);

    let width = usize::from(body.width);
    let lines = match tab.section() {
        Section::Rules => rule_lines(tab, theme, width, app.now),
        Section::Groups => group_lines(tab, theme, width),
        Section::Silences => silence_lines(tab, theme, width, app.now),
        Section::Pages => page_lines(app, width),
    };
    let room = usize::from(body.height);
    // Keep the selected row (line index = selected + 1 for the header) in view.
    let first = (tab.selected + 2).saturating_sub(room);
    let lines: Vec<Line> = lines.into_iter().skip(first).take(room).collect();
    frame.render_widget(Paragraph::new(lines), body);

    match &tab.form {
        Some(form) => {
            let field = |i: usize, label: &str, value: &str| {
                let active = form.field == i;
                Line::from(vec![
                    Span::styled(format!("{label:>9}: "), if active { theme.title } else { theme.muted }),
                    Span::raw(value.to_string()),
                    Span::styled(if active { "▏" } else { "" }, theme.title),
                ])
            };
            let mut lines = vec![
                Line::styled(
                    format!("Silence {{{}}}", truncate(&labels_text(&form.matchers), width.saturating_sub(10))),
                    theme.key,
                ),
                field(0, "for", &form.duration),
                field(1, "comment", &form.comment),
            ];
            lines.push(match &form.error {
                Some(e) => Line::styled(e.clone(), theme.error),
                None => Line::styled("↑/↓ field · Enter create · Esc cancel", theme.muted),
            });
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), foot);
        }
        None => frame.render_widget(
            Paragraph::new(Line::styled(
                "←/→ section · Enter open rule in PromQL · S silence the alert · X expire silence · r refresh",
                theme.muted,
            )),
            foot,
        ),
    }
}

fn failed<'a>(what: &str, error: &str, theme: &Theme) -> Vec<Line<'a>> {
    vec![
        Line::styled(format!("Could not read {what}:"), theme.error),
        Line::raw(error.to_string()),
    ]
}

fn row_style(selected: bool, theme: &Theme) -> Style {
    if selected {
        theme.selected
    } else {
        Style::new()
    }
}

fn state_style(state: AlertState, theme: &Theme) -> Style {
    match state {
        AlertState::Firing => theme.error,
        AlertState::Pending => theme.in_progress,
        _ => theme.muted,
    }
}

fn state_word(state: AlertState) -> &'static str {
    match state {
        AlertState::Firing => "firing",
        AlertState::Pending => "pending",
        AlertState::Inactive => "inactive",
        AlertState::Unknown => "unknown",
    }
}

fn since(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        Some(t) => {
            let secs = (now - t).num_seconds().max(0) as u64;
            super::super::query::range::human(std::time::Duration::from_secs(secs))
        }
        None => "—".into(),
    }
}

fn rule_lines<'a>(
    tab: &AlertsTab,
    theme: &Theme,
    width: usize,
    now: DateTime<Utc>,
) -> Vec<Line<'a>> {
    let rows = match &tab.rules {
        None => {
            return vec![Line::styled(
                "Asking Prometheus for its rules…",
                theme.muted,
            )];
        }
        Some(Err(e)) => return failed("Prometheus' rules", e, theme),
        Some(Ok(rows)) if rows.is_empty() => {
            return vec![Line::styled(
                "Prometheus has no alerting rules loaded.",
                theme.muted,
            )];
        }
        Some(Ok(rows)) => rows,
    };
    let name_room = rows
        .iter()
        .map(|r| r.rule.name.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 28);
    let mut lines = vec![Line::styled(
        format!(
            "{:<9}{:<8}{:<name_room$}  {:<9}EXPRESSION",
            "STATE", "FOR", "ALERT", "VALUE"
        ),
        theme.muted,
    )];
    for (i, row) in rows.iter().enumerate() {
        let state = row.state();
        let value = row
            .value()
            .map_or_else(|| "—".to_string(), |v| format!("{v:.3}"));
        let fixed = 9 + 8 + name_room + 2 + 9;
        let held = match state {
            AlertState::Pending | AlertState::Firing => since(row.active_since(), now),
            _ => "—".into(),
        };
        lines.push(
            Line::from(vec![
                Span::styled(
                    format!("{:<9}", state_word(state)),
                    state_style(state, theme),
                ),
                Span::raw(format!("{held:<8}")),
                Span::styled(
                    format!("{:<name_room$}  ", truncate(&row.rule.name, name_room)),
                    theme.key,
                ),
                Span::raw(format!("{value:<9}")),
                Span::styled(
                    truncate(&one_line(&row.rule.query), width.saturating_sub(fixed)),
                    theme.muted,
                ),
            ])
            .style(row_style(i == tab.selected, theme)),
        );
    }
    lines
}

fn group_lines<'a>(tab: &AlertsTab, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let groups = match &tab.groups {
        None => {
            return vec![Line::styled(
                "Asking Alertmanager for its alerts…",
                theme.muted,
            )];
        }
        Some(Err(e)) => return failed("Alertmanager's alerts", e, theme),
        Some(Ok(g)) if g.iter().all(|g| g.alerts.is_empty()) => {
            return vec![Line::styled(
                "Alertmanager holds no alerts: nothing is firing (pending alerts stay in Prometheus until their `for` passes).",
                theme.muted,
            )];
        }
        Some(Ok(g)) => g,
    };
    let mut lines = Vec::new();
    let mut index = 0;
    for group in groups.iter().filter(|g| !g.alerts.is_empty()) {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "group {{{}}} → receiver {}",
                    labels_text(&group.labels),
                    group.receiver.name
                ),
                width,
            ),
            theme.title,
        ));
        for alert in &group.alerts {
            let state = format!("{:?}", alert.status.state).to_lowercase();
            let silenced = if alert.status.silenced_by.is_empty() {
                ""
            } else {
                " (silenced)"
            };
            lines.push(
                Line::raw(truncate(
                    &format!("  {state}{silenced}  {{{}}}", labels_text(&alert.labels)),
                    width,
                ))
                .style(row_style(index == tab.selected, theme)),
            );
            index += 1;
        }
    }
    lines
}

fn silence_lines<'a>(
    tab: &AlertsTab,
    theme: &Theme,
    width: usize,
    now: DateTime<Utc>,
) -> Vec<Line<'a>> {
    let silences = match &tab.silences {
        None => {
            return vec![Line::styled(
                "Asking Alertmanager for its silences…",
                theme.muted,
            )];
        }
        Some(Err(e)) => return failed("Alertmanager's silences", e, theme),
        Some(Ok(s)) if s.is_empty() => {
            return vec![Line::styled(
                "No silences. Select an alert in Rules or Alertmanager and press S to make one.",
                theme.muted,
            )];
        }
        Some(Ok(s)) => s,
    };
    let mut lines = vec![Line::styled(
        format!(
            "{:<10}{:<10}{:<12}MATCHERS · COMMENT",
            "ID", "STATE", "ENDS IN"
        ),
        theme.muted,
    )];
    for (i, s) in silences.iter().enumerate() {
        let state = match s.status.state {
            SilenceState::Active => "active",
            SilenceState::Pending => "pending",
            SilenceState::Expired => "expired",
            SilenceState::Unknown => "unknown",
        };
        let ends = if s.ends_at > now {
            since(Some(now - (s.ends_at - now)), now)
        } else {
            "ended".into()
        };
        lines.push(
            Line::raw(truncate(
                &format!(
                    "{:<10}{state:<10}{ends:<12}{} · {}",
                    short_id(&s.id),
                    matchers_text(&s.matchers),
                    s.comment
                ),
                width,
            ))
            .style(row_style(i == tab.selected, theme)),
        );
    }
    lines
}

fn page_lines<'a>(app: &App, width: usize) -> Vec<Line<'a>> {
    let theme = &app.theme;
    let tab = &app.query.alerts;
    let pages = &tab.pages;
    if pages.is_empty() {
        let note = app.stack.alerts_note.clone().unwrap_or_else(|| {
            "No pages yet: Alertmanager sends firing and resolved alerts to the console's webhook.".into()
        });
        return vec![Line::styled(note, theme.muted)];
    }
    pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let style = if page.status == "firing" {
                theme.error
            } else {
                theme.done
            };
            Line::from(vec![
                Span::styled(
                    format!("{} ", page.received_at.format("%H:%M:%S")),
                    theme.muted,
                ),
                Span::styled(format!("{:<9}", page.status), style),
                Span::raw(truncate(&page.text, width.saturating_sub(19))),
            ])
            .style(row_style(i == tab.selected, theme))
        })
        .collect()
}

fn labels_text(labels: &crate::lab::query::Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
