//! The log volume histogram over a log query: one bar per bucket (or per column when there
//! are more buckets than columns), errors stacked at the bottom, the selected bar marked.

use chrono::FixedOffset;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::cells::{clock, put, width};
use crate::lab::query::logs::VolumeBucket;
use crate::tui::theme::Theme;

/// Errors, stacked under the rest of the bar; a glyph of their own reads without colour.
const ERROR_CELL: &str = "▓";
/// The top of a bar in eighths of a cell, then a full cell.
const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Which bucket column `column` of a histogram `width` cells wide shows (the first of its
/// buckets when a column holds several), for selecting with the mouse or the arrow keys.
pub fn bucket_at_column(buckets_len: usize, width: u16, column: u16) -> Option<usize> {
    if buckets_len == 0 || column >= width {
        return None;
    }
    Some(usize::from(column) * buckets_len / usize::from(width))
}

/// The buckets column `column` shows: `[first, end)`, never empty.
fn buckets_of(len: usize, width: usize, column: usize) -> (usize, usize) {
    let first = column * len / width;
    let end = ((column + 1) * len / width).max(first + 1);
    (first, end)
}

/// Draws the histogram of `buckets` over `area`: the largest count top left, the
/// selected bucket's figures top right, bars in between, the first and last bucket's time
/// and a `^` under the selected bar at the bottom. Under three rows only bars are drawn.
///
/// ```text
/// max 412  ▓ errors           12:03:00  120 lines, 7 errors
///       ▃█▅       ▂▆█▄▁
///  ▂▅█▇▆███▆▃▁▂▃▅███████▇▅▃▂▁▁▂▃▓▓▅▃▂
/// 12:00:00           ^          12:15:00
/// ```
pub fn render_volume(
    buckets: &[VolumeBucket],
    selected: Option<usize>,
    utc_offset: FixedOffset,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() || buckets.is_empty() {
        return;
    }
    let framed = area.height >= 3;
    let bars = if framed {
        Rect::new(area.x, area.y + 1, area.width, area.height - 2)
    } else {
        area
    };
    let cols = usize::from(area.width);
    let columns: Vec<(usize, usize, u64, u64)> = (0..cols)
        .map(|c| {
            let (first, end) = buckets_of(buckets.len(), cols, c);
            let end = end.min(buckets.len());
            let (total, errors) = buckets[first..end].iter().fold((0u64, 0u64), |(t, e), b| {
                (t + b.total, e + b.errors.min(b.total))
            });
            (first, end, total, errors)
        })
        .collect();
    let max = columns.iter().map(|c| c.2).max().unwrap_or(0);
    let rows = u64::from(bars.height);
    // With fewer buckets than columns a bucket spans several; leave a gap after each run
    // of three or more so neighbouring bars stay apart.
    let wide = buckets.len() * 3 <= cols;
    let selected_cols: Vec<u16> = (0..area.width)
        .filter(|c| {
            let (first, end, ..) = columns[usize::from(*c)];
            selected.is_some_and(|s| (first..end).contains(&s))
        })
        .collect();
    for (c, &(first, _, total, errors)) in columns.iter().enumerate() {
        let gap = wide && columns.get(c + 1).is_none_or(|next| next.0 != first);
        let x = bars.x + c as u16;
        let is_selected = selected_cols.contains(&(c as u16));
        if gap {
            continue;
        }
        let eighths = if max == 0 || total == 0 {
            0
        } else {
            ((total * rows * 8 + max / 2) / max).max(1)
        };
        let error_cells = if errors == 0 || max == 0 {
            0
        } else {
            ((errors * rows + max / 2) / max)
                .max(1)
                .min(eighths.div_ceil(8))
        };
        for r in 0..bars.height {
            // r counts from the bottom.
            let y = bars.y + bars.height - 1 - r;
            let below = u64::from(r) * 8;
            let (symbol, style) = if u64::from(r) < error_cells {
                (ERROR_CELL, theme.error)
            } else if eighths > below {
                (EIGHTHS[(eighths - below).min(8) as usize], Style::new())
            } else {
                (" ", Style::new())
            };
            let style = if is_selected {
                style.patch(theme.selected)
            } else {
                style
            };
            buf[(x, y)].set_symbol(symbol).set_style(style);
        }
    }
    if !framed {
        return;
    }
    let heading = if columns.iter().any(|c| c.3 > 0) {
        format!("max {max}  {ERROR_CELL} errors")
    } else {
        format!("max {max}")
    };
    put(buf, area, 0, 0, &heading, theme.muted);
    if let Some(b) = selected.and_then(|s| buckets.get(s)) {
        let text = format!(
            "{}  {} lines, {} errors",
            clock(b.start_ns, utc_offset),
            b.total,
            b.errors
        );
        let w = width(&text) as u16;
        let used = width(&heading) as u16 + 2;
        if w + used <= area.width {
            put(buf, area, area.width - w, 0, &text, Style::new());
        }
    }
    let bottom = area.height - 1;
    let caret = selected_cols
        .first()
        .zip(selected_cols.last())
        .map(|(a, b)| a + (b - a) / 2);
    // The times give way to the `^` where they would meet it.
    let clear = |at: u16, w: u16| caret.is_none_or(|x| x < at || x >= at + w);
    let first = clock(buckets[0].start_ns, utc_offset);
    let last = clock(buckets[buckets.len() - 1].start_ns, utc_offset);
    let (first_w, last_w) = (width(&first) as u16, width(&last) as u16);
    if clear(0, first_w) {
        put(buf, area, 0, bottom, &first, theme.muted);
    }
    if first_w + 1 + last_w <= area.width && clear(area.width - last_w, last_w) {
        put(buf, area, area.width - last_w, bottom, &last, theme.muted);
    }
    if let Some(x) = caret {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        put(buf, area, x, bottom, "^", bold);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_map_to_buckets_both_ways() {
        // Fewer buckets than columns: each bucket spans four columns.
        assert_eq!(bucket_at_column(10, 40, 0), Some(0));
        assert_eq!(bucket_at_column(10, 40, 3), Some(0));
        assert_eq!(bucket_at_column(10, 40, 4), Some(1));
        assert_eq!(bucket_at_column(10, 40, 39), Some(9));
        // More buckets than columns: each column holds two or three.
        assert_eq!(bucket_at_column(100, 40, 0), Some(0));
        assert_eq!(bucket_at_column(100, 40, 1), Some(2));
        assert_eq!(bucket_at_column(100, 40, 39), Some(97));
        assert_eq!(buckets_of(100, 40, 39), (97, 100));
        // Outside or empty.
        assert_eq!(bucket_at_column(10, 40, 40), None);
        assert_eq!(bucket_at_column(0, 40, 0), None);
        assert_eq!(bucket_at_column(10, 0, 0), None);
    }

    #[test]
    fn every_bucket_lands_in_exactly_one_column_when_squeezed() {
        for (len, width) in [(100, 40), (41, 40), (1000, 7)] {
            let mut seen = vec![0; len];
            for c in 0..width {
                let (first, end) = buckets_of(len, width, c);
                for s in &mut seen[first..end] {
                    *s += 1;
                }
            }
            assert!(seen.iter().all(|n| *n == 1), "{len} over {width}");
        }
    }
}
