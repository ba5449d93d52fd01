//! The log view: a query's log lines as time, level, service and line, filtered and
//! ordered in the model, scrolled by `LogViewState`, wrapped only where it is drawn; and
//! `render_log_detail`, one entry expanded into its labels, metadata and fields.

use chrono::FixedOffset;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::cells::{clock_ms, fit, instant, paint, put, wrap};
use crate::lab::query::Labels;
use crate::lab::query::logs::LogEntry;
use crate::lab::untrusted::escape;
use crate::tui::theme::Theme;

/// Marks the selected row, as in the table.
const MARK: &str = "›";
/// `HH:MM:SS.mmm`.
const TIME_WIDTH: u16 = 12;
/// `ERROR`, the widest level shown.
const LEVEL_WIDTH: u16 = 5;
/// The service column never grows past this; longer names are cut with `…`.
const SERVICE_MAX: usize = 16;

/// One line, shaped once: everything drawing needs, already escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub time: String,
    /// Lower-case, `warning` read as `warn` and `err` as `error`; empty when unknown.
    pub level: String,
    pub service: String,
    /// The line with control characters made visible.
    pub line: String,
    /// Lower-case level, service and line, what the filter searches.
    haystack: String,
}

/// A query's log lines ready to draw: built once per result, re-filtered per keystroke.
#[derive(Debug, Clone)]
pub struct LogViewModel {
    rows: Vec<LogRow>,
    newest_first: bool,
    filter: String,
    /// Indices into `rows` (the original slice), in display order, that pass the filter.
    visible: Vec<usize>,
    service_width: u16,
}

impl LogViewModel {
    /// A model of `entries`, which come newest first as Loki returns a backward query;
    /// times shown at `utc_offset`.
    pub fn new(entries: &[LogEntry], utc_offset: FixedOffset) -> Self {
        let rows: Vec<LogRow> = entries
            .iter()
            .map(|e| {
                let level = level_of(e);
                let service = escape(label(e, "service_name").unwrap_or("")).into_owned();
                let line = escape(&e.line).into_owned();
                let haystack = format!("{level} {service} {line}").to_lowercase();
                LogRow {
                    time: clock_ms(e.ts_ns, utc_offset),
                    level,
                    service,
                    line,
                    haystack,
                }
            })
            .collect();
        let service_width = rows
            .iter()
            .map(|r| super::cells::width(&r.service))
            .max()
            .unwrap_or(0)
            .min(SERVICE_MAX) as u16;
        let mut model = Self {
            rows,
            newest_first: true,
            filter: String::new(),
            visible: Vec::new(),
            service_width,
        };
        model.refresh();
        model
    }

    /// Newest line on top (the default) or oldest on top, as a terminal tail reads.
    pub fn set_newest_first(&mut self, newest_first: bool) {
        if self.newest_first != newest_first {
            self.newest_first = newest_first;
            self.visible.reverse();
        }
    }

    pub fn newest_first(&self) -> bool {
        self.newest_first
    }

    /// Keeps only the lines whose level, service or (escaped) text holds `filter`, ignoring
    /// case; an empty filter keeps all.
    pub fn set_filter(&mut self, filter: &str) {
        let filter = filter.to_lowercase();
        if filter != self.filter {
            self.filter = filter;
            self.refresh();
        }
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    fn refresh(&mut self) {
        let keep =
            |i: &usize| self.filter.is_empty() || self.rows[*i].haystack.contains(&self.filter);
        self.visible = if self.newest_first {
            (0..self.rows.len()).filter(keep).collect()
        } else {
            (0..self.rows.len()).rev().filter(keep).collect()
        };
    }

    /// How many lines pass the filter.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// Lines before filtering.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The index into the slice the model was built from of the line shown at
    /// `visible_row`, to open that entry's details. Panics past `visible_len()`.
    pub fn entry_index(&self, visible_row: usize) -> usize {
        self.visible[visible_row]
    }

    /// The shaped line shown at `visible_row`.
    pub fn row(&self, visible_row: usize) -> Option<&LogRow> {
        self.visible.get(visible_row).map(|i| &self.rows[*i])
    }
}

fn label<'a>(e: &'a LogEntry, name: &str) -> Option<&'a str> {
    [&e.stream, &e.structured, &e.parsed]
        .into_iter()
        .find_map(|l: &Labels| l.get(name))
        .map(String::as_str)
}

/// The entry's level from `level`, else Loki's `detected_level`, normalised.
fn level_of(e: &LogEntry) -> String {
    let raw = label(e, "level")
        .or_else(|| label(e, "detected_level"))
        .unwrap_or("")
        .to_lowercase();
    match raw.as_str() {
        "warning" => "warn".into(),
        "err" => "error".into(),
        "unknown" => String::new(),
        _ => escape(&raw).into_owned(),
    }
}

/// The level as shown, upper-case so it reads without colour, and its style.
fn level_cell(level: &str, theme: &Theme) -> (String, Style) {
    let style = match level {
        "error" | "fatal" | "critical" | "crit" | "panic" | "emerg" | "alert" => theme.error,
        "warn" => theme.warn,
        "debug" | "trace" => theme.debug,
        _ => Style::new(),
    };
    (
        fit(&level.to_uppercase(), usize::from(LEVEL_WIDTH)).into_owned(),
        style,
    )
}

/// Where the view is: the selected line and the first line drawn (both positions among
/// the visible lines) and whether long lines wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogViewState {
    pub selected: usize,
    pub offset: usize,
    pub wrap: bool,
}

impl LogViewState {
    /// Moves `offset` only as far as needed for the selection to be among `height` lines.
    /// With wrap on a line may take several rows; drawing then starts late enough to show
    /// the selection anyway.
    pub fn scroll_to_selected(&mut self, height: usize) {
        self.offset = super::table::scroll_offset(self.selected, self.offset, height);
    }

    /// Selects the line `delta` lines down (negative: up), within `len` lines.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        let last = len.saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn page_down(&mut self, len: usize, height: usize) {
        self.move_by(height.max(1) as isize, len);
        self.scroll_to_selected(height);
    }

    pub fn page_up(&mut self, len: usize, height: usize) {
        self.move_by(-(height.max(1) as isize), len);
        self.scroll_to_selected(height);
    }

    /// Keeps the selection in range after the filter changed the number of lines.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }
}

/// Draws the visible lines from `state.offset`, one row each or wrapped under the line
/// column; only the lines on screen are wrapped, so 5,000 lines cost what 50 do. Draws
/// nothing for an empty model, so the pane can say why in its own words.
///
/// ```text
///   12:00:01.250 INFO  storefront  GET /products 200 12ms
/// › 12:00:01.204 ERROR payments    {"msg":"card declined","order":"o-1042"}   ← selected
///   12:00:00.980 WARN  orders      {"msg":"slow inventory reply","ms":812,
///                                  "order":"o-1041"}                          ← wrapped
/// ```
pub fn render_logview(
    model: &LogViewModel,
    state: &LogViewState,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() || model.visible.is_empty() {
        return;
    }
    let service_width = model.service_width.min(area.width / 5);
    // Mark, time, level and service, each followed by a space.
    let line_col =
        2 + TIME_WIDTH + 1 + LEVEL_WIDTH + 1 + service_width + u16::from(service_width > 0);
    let line_width = usize::from(area.width.saturating_sub(line_col)).max(1);
    let height = usize::from(area.height);
    let selected = state.selected.min(model.visible.len() - 1);
    let rows_of = |i: usize| -> usize {
        if state.wrap {
            let r = &model.rows[model.visible[i]];
            wrap(&r.line, line_width, height).len()
        } else {
            1
        }
    };
    // Every line takes a row at least, so none further up than `height` can share the
    // screen with the selection: a stale offset costs nothing.
    let earliest = selected.saturating_sub(height.saturating_sub(1));
    let start = first_drawn(
        state.offset.min(selected).max(earliest),
        selected,
        height,
        rows_of,
    );

    let mut y = 0usize;
    for pos in start..model.visible.len() {
        if y >= height {
            break;
        }
        let row = &model.rows[model.visible[pos]];
        let is_selected = pos == selected;
        let pieces = if state.wrap {
            wrap(&row.line, line_width, height - y)
        } else {
            vec![row.line.as_str()]
        };
        let row_y = y as u16;
        let (level, level_style) = level_cell(&row.level, theme);
        put(
            buf,
            area,
            0,
            row_y,
            if is_selected { MARK } else { " " },
            Style::new(),
        );
        put(buf, area, 2, row_y, &row.time, theme.muted);
        let col = 2 + TIME_WIDTH + 1;
        put(buf, area, col, row_y, &level, level_style);
        let col = col + LEVEL_WIDTH + 1;
        if service_width > 0 {
            put(
                buf,
                area,
                col,
                row_y,
                &fit(&row.service, usize::from(service_width)),
                Style::new(),
            );
        }
        for (k, piece) in pieces.iter().enumerate() {
            let text = if state.wrap {
                (*piece).into()
            } else {
                fit(piece, line_width)
            };
            put(buf, area, line_col, (y + k) as u16, &text, Style::new());
        }
        if is_selected {
            for k in 0..pieces.len() {
                paint(buf, area, 0, (y + k) as u16, area.width, theme.selected);
            }
        }
        y += pieces.len().max(1);
    }
}

/// The first line to draw: `offset`, moved forward until the selected line's rows fit in
/// `height` (with wrap, lines above it may take several rows each).
fn first_drawn(
    offset: usize,
    selected: usize,
    height: usize,
    rows_of: impl Fn(usize) -> usize,
) -> usize {
    let mut start = offset;
    let mut used: usize = (start..=selected).map(&rows_of).sum();
    while used > height && start < selected {
        used -= rows_of(start);
        start += 1;
    }
    start
}

/// One entry in full: its time, the labels by kind (a kind with none is left out), the
/// fields the caller parsed from a JSON line, then the raw line, wrapped; all escaped.
///
/// ```text
/// 2023-11-15T12:00:01.204000000Z  ERROR  payments
/// stream labels
///   service_name = payments
/// line fields
///   msg = card declined
/// line
///   {"msg":"card declined",…}
/// ```
pub fn render_log_detail(
    entry: &LogEntry,
    fields: &[(String, String)],
    scroll: u16,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.is_empty() {
        return;
    }
    let level = level_of(entry);
    let (level_text, level_style) = level_cell(&level, theme);
    let mut lines = vec![Line::from(vec![
        Span::styled(instant(entry.ts_ns), theme.muted),
        Span::raw("  "),
        Span::styled(level_text, level_style),
        Span::raw("  "),
        Span::raw(escape(label(entry, "service_name").unwrap_or("")).into_owned()),
    ])];
    let mut section = |title: &str, pairs: &mut dyn Iterator<Item = (&String, &String)>| {
        let mut pairs = pairs.peekable();
        if pairs.peek().is_none() {
            return;
        }
        lines.push(Line::styled(title.to_string(), theme.title));
        for (k, v) in pairs {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(escape(k).into_owned(), theme.key),
                Span::raw(" = "),
                Span::raw(escape(v).into_owned()),
            ]));
        }
    };
    section("stream labels", &mut entry.stream.iter());
    section("structured metadata", &mut entry.structured.iter());
    section("parsed labels", &mut entry.parsed.iter());
    section("line fields", &mut fields.iter().map(|(k, v)| (k, v)));
    lines.push(Line::styled("line", theme.title));
    lines.push(Line::raw(format!("  {}", escape(&entry.line))));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ts: i64, level: &str, service: &str, line: &str) -> LogEntry {
        LogEntry {
            ts_ns: ts,
            stream: [("service_name", service), ("level", level)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            structured: Labels::new(),
            parsed: Labels::new(),
            line: line.to_string(),
        }
    }

    fn shop() -> Vec<LogEntry> {
        vec![
            entry(4, "info", "storefront", "GET /products 200"),
            entry(3, "ERROR", "payments", "card declined"),
            entry(2, "warning", "orders", "slow inventory reply"),
            entry(1, "", "payments", "charge accepted"),
        ]
    }

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).expect("UTC")
    }

    #[test]
    fn levels_are_normalised_and_fall_back_to_detected_level() {
        let mut e = entry(1, "", "cart", "x");
        e.structured
            .insert("detected_level".into(), "WARNING".into());
        let model = LogViewModel::new(&[entry(2, "Err", "cart", "y"), e], utc());
        assert_eq!(model.row(0).map(|r| r.level.as_str()), Some("error"));
        assert_eq!(model.row(1).map(|r| r.level.as_str()), Some("warn"));
    }

    #[test]
    fn ordering_reverses_without_losing_the_filter() {
        let mut model = LogViewModel::new(&shop(), utc());
        assert_eq!(
            (0..4).map(|i| model.entry_index(i)).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        model.set_filter("PAYMENTS");
        assert_eq!(model.visible_len(), 2);
        assert_eq!(model.entry_index(0), 1);
        model.set_newest_first(false);
        assert_eq!(
            (0..2).map(|i| model.entry_index(i)).collect::<Vec<_>>(),
            [3, 1]
        );
        model.set_filter("");
        assert_eq!(
            (0..4).map(|i| model.entry_index(i)).collect::<Vec<_>>(),
            [3, 2, 1, 0]
        );
    }

    #[test]
    fn the_filter_searches_level_service_and_line() {
        let mut model = LogViewModel::new(&shop(), utc());
        model.set_filter("warn");
        assert_eq!(model.visible_len(), 1);
        assert_eq!(model.entry_index(0), 2);
        model.set_filter("Declined");
        assert_eq!(model.entry_index(0), 1);
        model.set_filter("store");
        assert_eq!(model.entry_index(0), 0);
        model.set_filter("nothing like this");
        assert_eq!(model.visible_len(), 0);
    }

    #[test]
    fn the_state_keeps_the_selection_in_view() {
        let mut state = LogViewState::default();
        state.page_down(100, 10);
        assert_eq!((state.selected, state.offset), (10, 1));
        state.move_by(1_000, 100);
        state.scroll_to_selected(10);
        assert_eq!((state.selected, state.offset), (99, 90));
        state.page_up(100, 10);
        assert_eq!((state.selected, state.offset), (89, 89));
        state.clamp(5);
        assert_eq!((state.selected, state.offset), (4, 4));
    }

    #[test]
    fn wrapped_lines_above_the_selection_push_the_start_down() {
        // Lines of three rows each in a five-row view: line 2 shows only when drawing
        // starts at it; line 1 fits with line 0 above it in six rows.
        assert_eq!(first_drawn(0, 2, 5, |_| 3), 2);
        assert_eq!(first_drawn(0, 1, 6, |_| 3), 0);
        assert_eq!(first_drawn(0, 0, 1, |_| 3), 0);
    }
}
