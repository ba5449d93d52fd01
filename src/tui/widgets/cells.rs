//! Cell-width helpers the log and trace widgets share: text fitted or wrapped to a number
//! of cells, writing clipped to an area, and times and durations as short text.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How many cells `text` takes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to `max` cells, its last cell replaced by `…` when cut; wide characters are
/// counted as two, unlike `labels::truncate`, because log lines hold any script.
pub fn fit(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// `text` in pieces of at most `max` cells (a character wider than `max` gets a piece of
/// its own), broken after a space when one falls in the piece's last third, else
/// anywhere (log lines are often JSON with few spaces, so a word wrap would be ragged); at most `limit` pieces, so a huge line costs only what is shown.
pub fn wrap(text: &str, max: usize, limit: usize) -> Vec<&str> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut used = 0;
    // Byte just after the last space in the current piece, and the width up to it.
    let mut space: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > max && i > start && c == ' ' {
            // The space that overflows is the break itself: drop it.
            out.push(&text[start..i]);
            if out.len() == limit {
                return out;
            }
            start = i + 1;
            used = 0;
            space = None;
            continue;
        }
        if used + w > max && i > start {
            let (cut, cut_width) = match space {
                Some((at, w_at)) if w_at * 3 >= max * 2 => (at, w_at),
                _ => (i, used),
            };
            out.push(&text[start..cut]);
            if out.len() == limit {
                return out;
            }
            start = cut;
            used -= cut_width;
            space = None;
        }
        used += w;
        if c == ' ' {
            space = Some((i + 1, used));
        }
    }
    if (start < text.len() || out.is_empty()) && out.len() < limit {
        out.push(&text[start..]);
    }
    out
}

/// Writes `text` at (`col`, `row`) inside `area`, clipped to it; returns the column after
/// the text (relative to `area`). Writes nothing outside `area`, whatever the inputs.
pub fn put(buf: &mut Buffer, area: Rect, col: u16, row: u16, text: &str, style: Style) -> u16 {
    if row >= area.height || col >= area.width {
        return col;
    }
    let (x, _) = buf.set_stringn(
        area.x + col,
        area.y + row,
        text,
        usize::from(area.width - col),
        style,
    );
    x - area.x
}

/// Applies `style` over a row of `area` from `col`, `len` cells long, clipped.
pub fn paint(buf: &mut Buffer, area: Rect, col: u16, row: u16, len: u16, style: Style) {
    if row >= area.height || col >= area.width {
        return;
    }
    let len = len.min(area.width - col);
    buf.set_style(Rect::new(area.x + col, area.y + row, len, 1), style);
}

/// A unix-nanosecond time as `HH:MM:SS.mmm` at `offset`.
pub fn clock_ms(ts_ns: i64, offset: FixedOffset) -> String {
    at(ts_ns, offset).format("%H:%M:%S%.3f").to_string()
}

/// A unix-nanosecond time as `HH:MM:SS` at `offset`.
pub fn clock(ts_ns: i64, offset: FixedOffset) -> String {
    at(ts_ns, offset).format("%H:%M:%S").to_string()
}

/// A unix-nanosecond time in full, in UTC with nanoseconds, for detail views.
pub fn instant(ts_ns: i64) -> String {
    DateTime::from_timestamp_nanos(ts_ns)
        .format("%Y-%m-%dT%H:%M:%S%.9fZ")
        .to_string()
}

fn at(ts_ns: i64, offset: FixedOffset) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_nanos(ts_ns).with_timezone(&offset)
}

/// A duration in the largest unit that keeps it short: `740ns`, `12µs`, `3.4ms`, `8ms`, `943ms`,
/// `1.25s`, `2m05s`.
pub fn duration(ns: i64) -> String {
    let ns = ns.max(0);
    match ns {
        0..1_000 => format!("{ns}ns"),
        1_000..1_000_000 => format!("{}µs", ns / 1_000),
        1_000_000..10_000_000 => {
            let text = format!("{:.1}ms", ns as f64 / 1e6);
            text.replace(".0ms", "ms")
        }
        10_000_000..1_000_000_000 => format!("{}ms", ns / 1_000_000),
        1_000_000_000..60_000_000_000 => format!("{:.2}s", ns as f64 / 1e9),
        _ => {
            let s = ns / 1_000_000_000;
            format!("{}m{:02}s", s / 60, s % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_counts_cells_not_characters() {
        assert_eq!(fit("payments", 8), "payments");
        assert_eq!(fit("payments", 5), "paym…");
        assert_eq!(fit("日本語テキスト", 5), "日本…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn wrapping_prefers_spaces_and_stops_at_the_limit() {
        assert_eq!(
            wrap("order placed for user 42", 12, 9),
            ["order placed", "for user 42"]
        );
        assert_eq!(wrap("abcdefghij", 4, 9), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcdefghij", 4, 2), ["abcd", "efgh"]);
        assert_eq!(wrap("", 4, 9), [""]);
        assert_eq!(wrap("日本語", 1, 9), ["日", "本", "語"]);
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(740), "740ns");
        assert_eq!(duration(12_345), "12µs");
        assert_eq!(duration(3_400_000), "3.4ms");
        assert_eq!(duration(8_000_000), "8ms");
        assert_eq!(duration(943_000_000), "943ms");
        assert_eq!(duration(1_250_000_000), "1.25s");
        assert_eq!(duration(125_000_000_000), "2m05s");
        assert_eq!(duration(-5), "0ns");
    }

    #[test]
    fn writing_outside_the_area_is_a_no_op() {
        let area = Rect::new(2, 1, 4, 2);
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 5));
        assert_eq!(put(&mut buf, area, 0, 0, "abcdefg", Style::new()), 4);
        assert_eq!(put(&mut buf, area, 9, 9, "x", Style::new()), 9);
        paint(&mut buf, area, 3, 1, 50, Style::new());
        assert_eq!(buf[(2, 1)].symbol(), "a");
        assert_eq!(buf[(6, 1)].symbol(), " ");
    }
}
