//! A recorded dashboard at the top of a drill in the reader: one chart per panel, drawn by
//! the query pane's own chart widget, the annotations marked on every chart and listed
//! under them. The models are built when the drill opens or the pane is resized; drawing
//! only copies the rows the reader's scroll position shows.

use chrono::{FixedOffset, Offset as _};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::chart::{ChartModel, render_chart};
use crate::lab::content::Dashboard;
use crate::tui::theme::Theme;

/// A panel narrower than this is not drawn as a chart.
const MIN_PANEL_WIDTH: u16 = 30;
/// Rows of a panel's chart at least and at most (plot, axis, legend). The legend gets a
/// third of the chart, so a panel with more series gets a taller chart to name them all.
const MIN_CHART_ROWS: u16 = 10;
const MAX_CHART_ROWS: u16 = 19;

/// The dashboard as the reader draws it, laid out for one width.
#[derive(Debug, Clone)]
pub struct DashboardView {
    title: String,
    panels: Vec<PanelView>,
    /// `HH:MM text`, in the dataset's clock.
    annotations: Vec<String>,
    width: u16,
    columns: u16,
}

#[derive(Debug, Clone)]
struct PanelView {
    title: String,
    model: ChartModel,
    /// Title line and chart.
    height: u16,
}

impl DashboardView {
    /// Charts for `data`, `width` cells wide in all (the reader's text width).
    pub fn new(data: &Dashboard, width: u16) -> Self {
        let offset =
            FixedOffset::east_opt(data.utc_offset_minutes * 60).unwrap_or(chrono::Utc.fix());
        let columns = columns_for(width);
        let panel_width = panel_width(width, columns);
        let marks: Vec<f64> = data.annotations.iter().map(|a| a.time as f64).collect();
        let panels = data
            .panels
            .iter()
            .map(|p| {
                let mut model = ChartModel::new(&p.range_series(), p.chart_unit(), panel_width)
                    .with_utc_offset(offset)
                    .with_x_range(data.start as f64, data.end as f64);
                // Each annotation as a dot on the x axis' floor, where the eye reads time.
                let floor = model.y_range().0;
                model.set_marks(marks.iter().map(|&t| (t, floor)).collect(), None);
                // The legend's first line is the cursor readout, then one per series.
                let legend = u16::try_from(p.series.len() + 1).unwrap_or(u16::MAX);
                PanelView {
                    title: format!("{} ({})", p.title, p.unit),
                    model,
                    height: 1 + legend
                        .saturating_mul(3)
                        .clamp(MIN_CHART_ROWS, MAX_CHART_ROWS),
                }
            })
            .collect();
        let annotations = data
            .annotations
            .iter()
            .map(|a| {
                let at = chrono::DateTime::from_timestamp(a.time, 0)
                    .map(|d| d.with_timezone(&offset).format("%H:%M").to_string())
                    .unwrap_or_default();
                format!("{at} {}", a.text)
            })
            .collect();
        Self {
            title: data.title.clone(),
            panels,
            annotations,
            width,
            columns,
        }
    }

    /// Lays the charts out again for a new width.
    pub fn resize(&mut self, width: u16) {
        if width == self.width {
            return;
        }
        self.width = width;
        self.columns = columns_for(width);
        let panel_width = panel_width(width, self.columns);
        for p in &mut self.panels {
            p.model.resize(panel_width);
        }
    }

    /// Rows the dashboard takes above the text: a title line, the grid of panels, the
    /// annotations and a blank line; one line of explanation when too narrow for charts.
    pub fn height(&self) -> usize {
        if self.columns == 0 {
            return 2;
        }
        let grid: usize = self.row_heights().iter().map(|h| usize::from(*h)).sum();
        1 + grid + self.annotations.len() + 1
    }

    /// Each row of the grid as tall as its tallest panel.
    fn row_heights(&self) -> Vec<u16> {
        self.panels
            .chunks(usize::from(self.columns.max(1)))
            .map(|row| row.iter().map(|p| p.height).max().unwrap_or(0))
            .collect()
    }
}

fn columns_for(width: u16) -> u16 {
    if width > 2 * MIN_PANEL_WIDTH {
        2
    } else if width >= MIN_PANEL_WIDTH {
        1
    } else {
        0
    }
}

fn panel_width(width: u16, columns: u16) -> u16 {
    match columns {
        2 => (width - 1) / 2,
        _ => width,
    }
}

/// Draws rows `skip..` of the dashboard into the top of `area` (the reader scrolled past
/// the first `skip`) and returns how many rows it used.
///
/// ```text
/// Recorded dashboard: <title>
/// Requests (req/s)          │ Error ratio (%)
/// 2/s┤ ⣀⡠⠔⠊⠉⠉⠉⠉⠒⠢⢄⣀        │ 1%┤
///    └──────────────────────│   └──────────────────
///    14:00   14:07   14:14  │   14:00  14:07  14:14
/// ━━ 1 {route="/products"}  │ ━━ 1 {}
/// ▲ 14:04 fault injected
/// ▲ 14:10 fault cleared
/// ```
pub fn render_dashboard(
    view: &DashboardView,
    theme: &Theme,
    skip: usize,
    area: Rect,
    buf: &mut Buffer,
) -> u16 {
    let total = view.height();
    if skip >= total || area.is_empty() {
        return 0;
    }
    let full = Rect::new(0, 0, area.width, u16::try_from(total).unwrap_or(u16::MAX));
    let mut scratch = Buffer::empty(full);
    draw_full(view, theme, full, &mut scratch);
    let shown = u16::try_from(total - skip)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let skip = u16::try_from(skip).unwrap_or(u16::MAX);
    for row in 0..shown {
        for col in 0..area.width {
            buf[(area.x + col, area.y + row)] = scratch[(col, skip + row)].clone();
        }
    }
    shown
}

fn draw_full(view: &DashboardView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut y = area.y;
    let line = |text: Vec<Span<'static>>, y: u16, buf: &mut Buffer| {
        Paragraph::new(Line::from(text)).render(Rect::new(area.x, y, area.width, 1), buf);
    };
    if view.columns == 0 {
        line(
            vec![Span::styled(
                format!(
                    "Recorded dashboard: {} panels need a pane at least {MIN_PANEL_WIDTH} \
                     columns wide; widen the terminal, or run `labtui interview` to read \
                     them as tables.",
                    view.panels.len()
                ),
                theme.muted,
            )],
            y,
            buf,
        );
        return;
    }
    line(
        vec![
            Span::styled("Recorded dashboard: ", theme.muted),
            Span::styled(view.title.clone(), theme.title),
            Span::styled(" · question below", theme.muted),
        ],
        y,
        buf,
    );
    y += 1;
    let panel_width = panel_width(area.width, view.columns);
    let rows = view.panels.chunks(usize::from(view.columns));
    for (row, height) in rows.zip(view.row_heights()) {
        for (column, panel) in (0u16..).zip(row) {
            let x = area.x + column * (panel_width + 1);
            line_at(
                buf,
                Rect::new(x, y, panel_width, 1),
                Span::styled(panel.title.clone(), theme.title),
            );
            let chart = Rect::new(x, y + 1, panel_width, height - 1);
            render_chart(&panel.model, theme, chart, buf);
        }
        y += height;
    }
    for text in &view.annotations {
        line(
            vec![
                Span::styled("• ", theme.title),
                Span::styled(text.clone(), theme.muted),
            ],
            y,
            buf,
        );
        y += 1;
    }
}

fn line_at(buf: &mut Buffer, area: Rect, span: Span<'static>) {
    Paragraph::new(Line::from(span)).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::content::dashboard::parse;

    fn data() -> Dashboard {
        parse(
            "x.json",
            r#"{"format": 1, "title": "T",
              "recorded": {"source": "s", "labtui_version": "0", "fault": "f", "target": "t"},
              "start": 0, "end": 600, "step": 60,
              "annotations": [{"time": 120, "text": "fault injected"}],
              "panels": [
                {"title": "A", "unit": "req/s", "query": "a",
                 "series": [{"labels": {}, "points": [[0, 1], [300, 2], [600, 1]]}]},
                {"title": "B", "unit": "s", "query": "b",
                 "series": [{"labels": {"s": "x"}, "points": [[0, 1]]},
                            {"labels": {"s": "y"}, "points": [[0, 2]]},
                            {"labels": {"s": "z"}, "points": [[0, 3]]}]},
                {"title": "C", "unit": "%", "query": "c",
                 "series": [{"labels": {}, "points": [[0, 5]]}]}]}"#,
        )
        .unwrap()
    }

    fn text(buf: &Buffer) -> String {
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_grid_fits_its_width_and_rows_grow_with_their_legends() {
        let wide = DashboardView::new(&data(), 80);
        // Title, a row of A and B (B's three series need 12 chart rows), a row of C
        // (10), one annotation, a blank line.
        assert_eq!(wide.height(), 1 + 13 + 11 + 1 + 1);
        let mut narrow = wide.clone();
        narrow.resize(40);
        assert_eq!(narrow.height(), 1 + 11 + 13 + 11 + 1 + 1);
    }

    #[test]
    fn too_narrow_a_pane_gets_a_note_instead_of_charts() {
        let view = DashboardView::new(&data(), 20);
        assert_eq!(view.height(), 2);
        let area = Rect::new(0, 0, 200, 3);
        let mut buf = Buffer::empty(area);
        let used = render_dashboard(&view, &Theme::plain(), 0, area, &mut buf);
        assert_eq!(used, 2);
        assert!(text(&buf).contains("3 panels need a pane at least 30"));
    }

    #[test]
    fn scrolling_past_the_dashboard_draws_nothing() {
        let view = DashboardView::new(&data(), 80);
        let area = Rect::new(0, 0, 80, 10);
        let mut buf = Buffer::empty(area);
        assert_eq!(
            render_dashboard(&view, &Theme::plain(), view.height(), area, &mut buf),
            0
        );
        let used = render_dashboard(&view, &Theme::plain(), view.height() - 2, area, &mut buf);
        assert_eq!(used, 2);
        assert!(
            text(&buf).contains("00:02 fault injected"),
            "{}",
            text(&buf)
        );
    }
}
