//! The chart's legend: which instant its values are from, then per series a colour
//! swatch, its number, whether it is shown, its label and its value there.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::ChartModel;
use super::axes::clock;
use crate::tui::theme::Theme;
use crate::tui::widgets::labels::truncate;

/// Space between a label and its value.
const GAP: usize = 2;
/// Labels longer than this are cut even when there is room, so values stay near them.
const MAX_LABEL: usize = 60;
const SWATCH: &str = "━━ ";

struct Entry<'a> {
    colour: usize,
    hidden: bool,
    label: &'a str,
    value: String,
}

/// The legend's text for one model, laid out at draw time for the width it gets.
pub(super) struct Legend<'a> {
    heading: String,
    entries: Vec<Entry<'a>>,
}

impl<'a> Legend<'a> {
    pub(super) fn new(model: &'a ChartModel) -> Self {
        let at_cursor = model.values_at_cursor();
        let heading = model.cursor_time().map_or_else(
            || "latest".to_string(),
            |t| format!("at {}", clock(t, model.utc_offset, "%H:%M:%S")),
        );
        let entries = model
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let v = if at_cursor.is_empty() {
                    s.last
                } else {
                    at_cursor.get(i).and_then(|c| c.2)
                };
                Entry {
                    colour: s.colour,
                    hidden: model.is_hidden(i),
                    label: &s.label,
                    value: v.map_or_else(|| "–".to_string(), |v| model.unit.format(v)),
                }
            })
            .collect();
        Self { heading, entries }
    }

    /// Rows the whole legend takes: the heading and one per series.
    pub(super) fn lines(&self) -> usize {
        self.entries.len() + 1
    }

    /// Width of the widest line with labels uncut (up to `MAX_LABEL`).
    pub(super) fn natural_width(&self) -> usize {
        self.fixed() + self.label_width(usize::MAX) + GAP + self.value_width()
    }

    /// Swatch, number and mark: `━━ 1 [x] `.
    fn fixed(&self) -> usize {
        SWATCH.chars().count() + self.digits() + " [x] ".len()
    }

    fn digits(&self) -> usize {
        self.entries.len().to_string().len()
    }

    fn value_width(&self) -> usize {
        self.entries
            .iter()
            .map(|e| e.value.chars().count())
            .max()
            .unwrap_or(0)
    }

    fn label_width(&self, room: usize) -> usize {
        self.entries
            .iter()
            .map(|e| e.label.chars().count())
            .max()
            .unwrap_or(0)
            .min(MAX_LABEL)
            .min(room)
    }

    /// Draws as many lines as fit in `area`, labels cut with `…` so values stay whole and
    /// line up; when series are left out, the last row says how many.
    pub(super) fn draw(&self, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let rows = usize::from(area.height);
        if rows == 0 || area.width == 0 {
            return;
        }
        let room = usize::from(area.width)
            .saturating_sub(self.fixed() + GAP + self.value_width())
            .max(1);
        let label_width = self.label_width(room);
        let digits = self.digits();
        let mut lines = vec![Line::styled(self.heading.as_str(), theme.title)];
        for (i, e) in self.entries.iter().enumerate() {
            let style = if e.hidden { theme.muted } else { Style::new() };
            let mark = if e.hidden { "[ ]" } else { "[x]" };
            let label = truncate(e.label, label_width);
            lines.push(Line::from(vec![
                Span::styled(SWATCH, theme.series[e.colour % theme.series.len()]),
                Span::styled(
                    format!("{:>digits$} {mark} {label:<label_width$}{:GAP$}", i + 1, ""),
                    style,
                ),
                Span::styled(e.value.as_str(), style),
            ]));
        }
        let total = lines.len();
        let shown = if total > rows { rows - 1 } else { total };
        for (row, line) in lines.iter().take(shown).enumerate() {
            buf.set_line(area.x, area.y + row as u16, line, area.width);
        }
        if total > shown {
            let more = Line::styled(format!("+{} more", total - shown), theme.muted);
            buf.set_line(area.x, area.y + shown as u16, &more, area.width);
        }
    }
}
