//! GFM tables: columns sized to their content, shrunk to fit, cells wrapped inside them.

use pulldown_cmark::Alignment;

use super::theme::MdTheme;
use super::wrap::{Inline, LineBuf, wrap};

/// Columns are separated by this; there is no outer border, to leave room for content.
const SEPARATOR: &str = " │ ";
const SEPARATOR_WIDTH: usize = 3;

/// A table collected from parser events, laid out once its end is reached.
#[derive(Debug, Default)]
pub(super) struct Table<'a> {
    pub aligns: Vec<Alignment>,
    /// Rows of cells; each cell is the inline content it held.
    pub rows: Vec<Vec<Vec<Inline<'a>>>>,
    /// How many leading rows are header rows (followed by a rule).
    pub head_rows: usize,
}

impl Table<'_> {
    /// Lays the table out in `avail` columns. Lines only exceed `avail` when even one column
    /// per cell cannot fit; the caller cuts those with "…".
    pub fn layout(&self, avail: usize, theme: &MdTheme) -> Vec<LineBuf> {
        let columns = self
            .rows
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(self.aligns.len());
        if columns == 0 {
            return Vec::new();
        }
        let mut natural = vec![0; columns];
        for row in &self.rows {
            for (c, cell) in row.iter().enumerate() {
                let width = wrap(cell, usize::MAX).iter().map(|l| l.width).max();
                natural[c] = natural[c].max(width.unwrap_or(0));
            }
        }
        let budget = avail.saturating_sub(SEPARATOR_WIDTH * (columns - 1));
        let widths = fit_columns(&natural, budget);

        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let cells: Vec<Vec<LineBuf>> = (0..columns)
                .map(|c| {
                    row.get(c)
                        .map_or_else(Vec::new, |cell| wrap(cell, widths[c]))
                })
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            for i in 0..height {
                let mut line = LineBuf::default();
                for (c, cell) in cells.iter().enumerate() {
                    if c > 0 {
                        line.push_w(SEPARATOR, theme.table_border, SEPARATOR_WIDTH);
                    }
                    let content = cell.get(i).cloned().unwrap_or_default();
                    let gap = widths[c].saturating_sub(content.width);
                    let before = match self.aligns.get(c) {
                        Some(Alignment::Right) => gap,
                        Some(Alignment::Center) => gap / 2,
                        _ => 0,
                    };
                    line.pad(before);
                    line.append(content);
                    line.pad(gap - before);
                }
                line.trim_end();
                out.push(line);
            }
            if r + 1 == self.head_rows {
                let mut rule = LineBuf::default();
                for (c, w) in widths.iter().enumerate() {
                    if c > 0 {
                        rule.push_w("─┼─", theme.table_border, SEPARATOR_WIDTH);
                    }
                    rule.push_w(&"─".repeat(*w), theme.table_border, *w);
                }
                out.push(rule);
            }
        }
        out
    }
}

/// Below this a column is not shrunk further: the row is cut with "…" instead, since
/// cells wrapped into two or three columns cannot be read.
const MIN_COLUMN: usize = 6;

/// Column widths: the natural ones if they fit in `budget`, otherwise a fair share where
/// narrow columns keep their natural width and the wide ones split the rest. No column
/// gets less than `min(natural, MIN_COLUMN)`, nor less than 1.
fn fit_columns(natural: &[usize], budget: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= budget {
        return natural.iter().map(|&w| w.max(1)).collect();
    }
    let floor = |w: usize| w.clamp(1, MIN_COLUMN);
    let floors: Vec<usize> = natural.iter().map(|&w| floor(w)).collect();
    if floors.iter().sum::<usize>() >= budget {
        return floors;
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by_key(|&i| (natural[i], i));
    let mut widths = floors;
    let mut remaining = budget;
    let mut left = natural.len();
    for i in order {
        let share = remaining / left;
        let w = natural[i].min(share).max(floor(natural[i]));
        widths[i] = w;
        remaining = remaining.saturating_sub(w);
        left -= 1;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::fit_columns;

    #[test]
    fn columns_keep_natural_widths_when_they_fit() {
        assert_eq!(fit_columns(&[3, 10, 0], 20), vec![3, 10, 1]);
    }

    #[test]
    fn narrow_columns_keep_their_width_and_wide_ones_share_the_rest() {
        assert_eq!(fit_columns(&[4, 40, 30], 30), vec![4, 13, 13]);
        assert_eq!(fit_columns(&[4, 40, 30], 31), vec![4, 14, 13]);
    }

    #[test]
    fn columns_stop_shrinking_at_a_readable_minimum() {
        assert_eq!(fit_columns(&[5, 0, 40, 40], 8), vec![5, 1, 6, 6]);
        assert_eq!(fit_columns(&[20, 20], 14), vec![7, 7]);
    }
}
