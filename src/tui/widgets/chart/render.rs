//! Draws a `ChartModel`: the braille plot with its axes and cursor line, and the legend.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};

use super::ChartModel;
use super::legend::Legend;
use crate::tui::theme::Theme;

/// From this width on the legend sits right of the plot; below it, under the plot.
const LEGEND_SIDE_WIDTH: u16 = 100;

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
    let legend = Legend::new(model);
    let (plot_area, legend_area) = if area.width >= LEGEND_SIDE_WIDTH {
        let natural = u16::try_from(legend.natural_width()).unwrap_or(u16::MAX);
        let width = natural.clamp(20, area.width * 2 / 5);
        let [plot, _, legend] = Layout::horizontal([
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(width),
        ])
        .areas(area);
        (plot, legend)
    } else {
        let wanted = u16::try_from(legend.lines()).unwrap_or(u16::MAX);
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
    legend.draw(theme, legend_area, buf);
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
    // Exemplars: a dot per traced request, the selected one as a block, over the lines.
    let (marks, marked) = model.marks();
    let (x0, x1) = model.x_range;
    let inside: Vec<(f64, f64)> = marks
        .iter()
        .copied()
        .filter(|(t, v)| (x0..=x1).contains(t) && (y0..=y1).contains(v))
        .collect();
    let selected: Vec<(f64, f64)> = marked
        .and_then(|i| marks.get(i))
        .copied()
        .filter(|(t, v)| (x0..=x1).contains(t) && (y0..=y1).contains(v))
        .into_iter()
        .collect();
    if !inside.is_empty() {
        datasets.push(points_of(&inside, Marker::Dot, theme.title));
    }
    if !selected.is_empty() {
        datasets.push(points_of(&selected, Marker::Block, theme.selected));
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

fn points_of(data: &[(f64, f64)], marker: Marker, style: Style) -> Dataset<'_> {
    Dataset::default()
        .marker(marker)
        .graph_type(GraphType::Scatter)
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
