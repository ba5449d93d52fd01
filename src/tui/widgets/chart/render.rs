//! Draws a `ChartModel`: the braille plot with its axes and cursor line, and the legend.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};

use super::ChartModel;
use super::axes::clock;
use crate::tui::theme::Theme;
use crate::tui::widgets::labels::truncate;

/// From this width on the legend sits right of the plot; below it, under the plot.
const LEGEND_SIDE_WIDTH: u16 = 100;
/// Space between a legend label and its value.
const GAP: usize = 2;

/// Draws the chart and its legend into `area`; draws nothing when there is no sample, so
/// the pane can show its own empty state.
///
/// ```text
/// area ≥ 100 wide                                  narrower
/// ┌──────────────────────────────┬─────────────┐   ┌──────────────────────────┐
/// │400ms┤      ⡠⠊⢣   │cursor     │at 12:04:30  │   │400ms┤    ⡠⠊⢣  │           │
/// │     │ ⣀⡠⠔⠊⠁   ⠈⠢⣀│           │━━ 1 [x] {…} │   │     │⣀⡠⠔⠊  ⠈⠢⣀│           │
/// │   0s└────────────┴───────────│━━ 2 [ ] {…} │   │   0s└─────────┴───────────│
/// │     12:00    12:05     12:10 │             │   │at 12:04:30               │
/// └──────────────────────────────┴─────────────┘   │━━ 1 [x] {…}   350ms      │
///                                                  └──────────────────────────┘
/// ```
pub fn render_chart(model: &ChartModel, theme: &Theme, area: Rect, buf: &mut Buffer) {
    if area.is_empty() || model.is_empty() {
        return;
    }
    let legend = legend_lines(model, theme);
    let (plot_area, legend_area) = if area.width >= LEGEND_SIDE_WIDTH {
        let natural = legend.iter().map(Line::width).max().unwrap_or(0) as u16;
        let width = natural.clamp(20, area.width * 2 / 5);
        let [plot, _, legend] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(width),
        ])
        .areas(area);
        (plot, legend)
    } else {
        let wanted = legend.len() as u16;
        let height = if area.height < 8 {
            0
        } else {
            wanted.min((area.height / 3).max(2))
        };
        let [plot, legend] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
        (plot, legend)
    };
    draw_plot(model, theme, plot_area, buf);
    draw_legend(legend, theme, legend_area, buf);
}

fn draw_plot(model: &ChartModel, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let (y0, y1) = model.y_range;
    let cursor = model.cursor_time().map(|t| [(t, y0), (t, y1)]);
    let mut datasets = Vec::new();
    if let Some(line) = &cursor {
        datasets.push(line_of(line, theme.muted));
    }
    for (i, s) in model.series.iter().enumerate() {
        if model.is_hidden(i) {
            continue;
        }
        let style = theme.series[s.colour % theme.series.len()];
        datasets.extend(s.segments.iter().map(|seg| line_of(seg, style)));
    }
    // The x axis takes two rows (line and labels); keep a y label every other row at most.
    let rows = usize::from(area.height.saturating_sub(2));
    let y_labels = thin(&model.y_labels, rows.div_ceil(2).max(2));
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([model.x_range.0, model.x_range.1])
                .labels(
                    model
                        .x_labels
                        .iter()
                        .map(|l| Span::styled(l.as_str(), theme.muted)),
                )
                .style(theme.border),
        )
        .y_axis(
            Axis::default()
                .bounds([y0, y1])
                .labels(y_labels.into_iter().map(|l| Span::styled(l, theme.muted)))
                .style(theme.border),
        );
    chart.render(area, buf);
}

fn line_of(data: &[(f64, f64)], style: Style) -> Dataset<'_> {
    Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(style)
        .data(data)
}

/// Every other label until at most `max` remain, keeping both ends (labels are spread
/// evenly, so only an odd count can lose every other one and stay even).
fn thin(labels: &[String], max: usize) -> Vec<&str> {
    let mut kept: Vec<&str> = labels.iter().map(String::as_str).collect();
    while kept.len() > max && kept.len() % 2 == 1 {
        kept = kept.into_iter().step_by(2).collect();
    }
    if kept.len() > max && max >= 2 {
        kept = vec![kept[0], kept[kept.len() - 1]];
    }
    kept
}

/// The legend's lines: a heading saying which instant the values are from, then one line
/// per series: swatch, number, shown mark, label, value.
fn legend_lines<'a>(model: &'a ChartModel, theme: &Theme) -> Vec<Line<'a>> {
    let cursor_values = model.values_at_cursor();
    let heading = model.cursor_time().map_or_else(
        || "latest".to_string(),
        |t| format!("at {}", clock(t, model.utc_offset, "%H:%M:%S")),
    );
    let digits = model.series.len().to_string().len();
    let values: Vec<String> = model
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let v = if cursor_values.is_empty() {
                s.last
            } else {
                cursor_values.get(i).and_then(|c| c.2)
            };
            v.map_or_else(|| "–".to_string(), |v| model.unit.format(v))
        })
        .collect();
    let label_width = model
        .series
        .iter()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    let mut lines = vec![Line::styled(heading, theme.title)];
    for (i, s) in model.series.iter().enumerate() {
        let hidden = model.is_hidden(i);
        let style = if hidden { theme.muted } else { Style::new() };
        let label = truncate(&s.label, label_width);
        let pad = label_width.saturating_sub(label.chars().count()) + GAP;
        lines.push(Line::from(vec![
            Span::styled("━━ ", theme.series[s.colour % theme.series.len()]),
            Span::styled(
                format!(
                    "{:>digits$} {} {label}{:pad$}",
                    i + 1,
                    if hidden { "[ ]" } else { "[x]" },
                    ""
                ),
                style,
            ),
            Span::styled(values[i].clone(), style),
        ]));
    }
    lines
}

/// Draws as many legend lines as fit, cut to the width with `…`; when some do not fit,
/// the last row says how many are left out.
fn draw_legend(lines: Vec<Line<'_>>, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let rows = usize::from(area.height);
    if rows == 0 {
        return;
    }
    let total = lines.len();
    let shown = if total > rows { rows - 1 } else { total };
    let width = usize::from(area.width);
    for (row, line) in lines.into_iter().take(shown).enumerate() {
        let y = area.y + row as u16;
        let fitted = fit(line, width);
        buf.set_line(area.x, y, &fitted, area.width);
    }
    if total > shown {
        let more = format!("+{} more", total - shown);
        buf.set_line(
            area.x,
            area.y + shown as u16,
            &Line::styled(more, theme.muted),
            area.width,
        );
    }
}

/// A line cut to `width` cells, its label shortened first so the value stays readable.
fn fit(line: Line<'_>, width: usize) -> Line<'_> {
    let total = line.width();
    if total <= width || line.spans.len() < 3 {
        return line;
    }
    let over = total - width;
    let mut spans = line.spans;
    let label = spans[1].content.trim_end().to_string();
    let keep = label.chars().count().saturating_sub(over + GAP).max(1);
    spans[1].content = format!("{}{:GAP$}", truncate(&label, keep), "").into();
    Line::from(spans)
}
