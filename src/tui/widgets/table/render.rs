//! Draws a `TableModel`: shared labels, header, the visible rows with the selection, and
//! the selected row's full label set.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Row, Table, Widget};

use super::TableModel;
use crate::tui::theme::Theme;
use crate::tui::widgets::labels::{format_labels, truncate};

/// Narrowest a label column is squeezed to before the table stops shrinking it.
const MIN_COLUMN: usize = 4;
/// The value column's heading.
const VALUE: &str = "value";
/// Marks the selected row, so it shows without colour or reverse video too.
const MARK: &str = "›";

/// Where each part of the table goes in `area`.
struct Parts {
    common: Rect,
    body: Rect,
    selected: Rect,
}

impl TableModel {
    /// How many rows fit under the header in `area`, for the pane's scroll offset.
    pub fn body_rows(&self, area: Rect) -> usize {
        usize::from(self.parts(area).body.height.saturating_sub(1))
    }

    fn parts(&self, area: Rect) -> Parts {
        let common = u16::from(!self.common.is_empty());
        let longest = self
            .rows
            .iter()
            .map(|r| format_labels(&r.labels).chars().count())
            .max()
            .unwrap_or(0);
        let selected = if longest > usize::from(area.width) {
            2
        } else {
            1
        };
        let [common, body, selected] = Layout::vertical([
            Constraint::Length(common),
            Constraint::Fill(1),
            Constraint::Length(selected),
        ])
        .areas(area);
        Parts {
            common,
            body,
            selected,
        }
    }
}

/// Draws the table with row `selected` highlighted and rows from `offset` on; draws
/// nothing for an empty result so the pane can say so in its own words.
///
/// ```text
/// every row: {job="shop", namespace="lab"}      shared labels, when any
/// instance         service        value         varying labels, then the value
/// 10.0.0.7:8080    payments       350ms
/// 10.0.0.8:8080    checkout…      1.25s         ← selected (reversed)
/// {instance="10.0.0.8:8080", job="shop", …}     the selected row's full label set
/// ```
pub fn render_table(
    model: &TableModel,
    selected: usize,
    offset: usize,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if model.rows.is_empty() || area.is_empty() {
        return;
    }
    let parts = model.parts(area);
    if !model.common.is_empty() {
        let text = format!("every row: {}", format_labels(&model.common));
        let text = truncate(&text, usize::from(area.width));
        buf.set_line(
            parts.common.x,
            parts.common.y,
            &Line::styled(text, theme.muted),
            parts.common.width,
        );
    }
    // The mark column and its spacing take two cells.
    let widths = column_widths(model, usize::from(area.width).saturating_sub(2));
    let header = Row::new(
        [Cell::from(" ")].into_iter().chain(
            model
                .columns
                .iter()
                .map(String::as_str)
                .chain([VALUE])
                .zip(&widths)
                .enumerate()
                .map(|(i, (name, w))| cell(name, *w, i == model.columns.len())),
        ),
    )
    .style(theme.title);
    let visible = usize::from(parts.body.height.saturating_sub(1));
    let rows = model
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, r)| {
            let cells = r
                .cells
                .iter()
                .map(String::as_str)
                .chain([r.value_text.as_str()])
                .zip(&widths)
                .enumerate()
                .map(|(c, (text, w))| cell(text, *w, c == model.columns.len()));
            let mark = Cell::from(if i == selected { MARK } else { " " });
            let row = Row::new([mark].into_iter().chain(cells));
            if i == selected {
                row.style(theme.selected)
            } else {
                row
            }
        });
    let constraints = [Constraint::Length(1)]
        .into_iter()
        .chain(widths.iter().map(|w| Constraint::Length(*w as u16)));
    Widget::render(
        Table::new(rows, constraints)
            .header(header)
            .column_spacing(1),
        parts.body,
        buf,
    );
    if let Some(row) = model.rows.get(selected) {
        draw_wrapped(&format_labels(&row.labels), parts.selected, buf);
    }
}

fn cell(text: &str, width: usize, right: bool) -> Cell<'static> {
    let line = Line::from(truncate(text, width));
    Cell::from(if right { line.right_aligned() } else { line })
}

/// Each column's width: its longest text, the widest label columns narrowed first when
/// they do not all fit; the value column keeps its width.
fn column_widths(model: &TableModel, width: usize) -> Vec<usize> {
    let longest = |i: usize, head: &str| {
        model
            .rows
            .iter()
            .map(|r| r.cells[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(head.chars().count())
    };
    let mut widths: Vec<usize> = model
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| longest(i, c))
        .collect();
    let value = model
        .rows
        .iter()
        .map(|r| r.value_text.chars().count())
        .max()
        .unwrap_or(0)
        .max(VALUE.len());
    let budget = width.saturating_sub(value + widths.len());
    while widths.iter().sum::<usize>() > budget {
        let Some(widest) = widths
            .iter_mut()
            .filter(|w| **w > MIN_COLUMN)
            .max_by_key(|w| **w)
        else {
            break;
        };
        *widest -= 1;
    }
    widths.push(value);
    widths
}

/// `text` over the rows of `area`, broken after ", " where it can be (by character
/// where one label is wider than the row), the last row ending in `…` if more was left.
fn draw_wrapped(text: &str, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let rows = usize::from(area.height);
    if width == 0 || rows == 0 {
        return;
    }
    let lines = wrap(text, width);
    for (i, line) in lines.iter().take(rows).enumerate() {
        let piece = if i + 1 == rows && lines.len() > rows {
            truncate(&format!("{line}  "), width)
        } else {
            line.clone()
        };
        buf.set_line(area.x, area.y + i as u16, &Line::raw(piece), area.width);
    }
}

/// Greedy wrapping at ", ", with pieces wider than `width` cut by character.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for piece in text.split_inclusive(", ") {
        if current.chars().count() + piece.trim_end().chars().count() > width && !current.is_empty()
        {
            lines.push(current.trim_end().to_string());
            current = String::new();
        }
        current.push_str(piece);
        while current.trim_end().chars().count() > width {
            let head: String = current.chars().take(width).collect();
            current = current.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !current.trim_end().is_empty() {
        lines.push(current.trim_end().to_string());
    }
    lines
}
