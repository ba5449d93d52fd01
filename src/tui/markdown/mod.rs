//! Markdown to ratatui text, wrapped to a width, with runnable query blocks marked.
//!
//! [`render`] lays a lesson out once per width; the reader pane keeps the [`Rendered`]
//! result and asks it for the visible rows with [`Rendered::window`], which also paints the
//! selected runnable block, so moving the selection never re-renders the document.
//!
//! Layout of the constructs (at width 40, plain theme):
//!
//! ```text
//! Rate and counters                        <- # H1, then a ═ rule as wide as its text
//! ═════════════════
//!
//! A paragraph with `code` and a link       <- words wrap at the width (unicode widths)
//! (https://prometheus.io).                 <- links: "text (url)", url once if equal
//!
//! • item                                   <- bullets • ◦ ▪ by depth; 1. 2. for ordered
//!   continuation of a long item            <- continuation lines keep the indent
//!   ◦ nested
//! │ quoted text                            <- block quotes, nested: "│ │ "
//!
//! ─ promql ─ ▶ runnable [1] ─────────────  <- label line (RenderedBlock::label_line)
//! │ rate(http_requests_total[5m])          <- first_line ..= last_line
//! ┆ continuation of an over-long line      <- code is hard-broken, never re-flowed
//!
//! name   │ value                           <- GFM tables: bold header, ─┼─ rule,
//! ───────┼──────                              columns shrunk to fit, cells wrapped
//! ```

mod code;
mod containers;
mod table;
mod theme;
mod wrap;
mod writer;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_blocks;

use ratatui::text::{Line, Span};

use crate::lab::query::QueryLang;

pub use theme::MdTheme;

/// A document laid out for one width: the lines to draw and where its runnable queries are.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Every line, already wrapped; none is wider than `width` columns.
    pub lines: Vec<Line<'static>>,
    /// Runnable query blocks in document order; the reader's `[n]` labels are `index + 1`.
    pub blocks: Vec<RenderedBlock>,
    /// The width the document was laid out for (at least 1); re-render when the pane's
    /// width differs.
    pub width: usize,
}

/// A fenced block tagged promql / logql / traceql that the learner can send to a query pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBlock {
    pub lang: QueryLang,
    /// The query exactly as written in the lesson (without the final newline).
    pub code: String,
    /// Tagged `invalid`: deliberately broken, for a "fix this query" exercise.
    pub invalid: bool,
    /// Index in `lines` of the header rule that labels the block.
    pub label_line: usize,
    /// Indices in `lines` of the first and last code line, inclusive (one line at least).
    pub first_line: usize,
    pub last_line: usize,
}

impl RenderedBlock {
    /// Whether line `index` belongs to the block (its label or its code).
    pub fn contains(&self, index: usize) -> bool {
        (self.label_line..=self.last_line).contains(&index)
    }
}

/// Lays `markdown` out in `width` columns (widths below 1 count as 1; nothing panics).
///
/// One pass over pulldown-cmark's events, so a 5,000-line lesson takes milliseconds; the
/// result is deterministic for the same input, width and theme.
pub fn render(markdown: &str, width: u16, theme: &MdTheme) -> Rendered {
    writer::render(markdown, width, theme)
}

impl Rendered {
    /// The rows `top .. top + height` to draw, borrowing the rendered text. Lines of the
    /// `selected` block (its label and code) get `theme.selected_block` patched in and are
    /// padded to the full width, so the selection reads as a solid bar.
    pub fn window(
        &self,
        top: usize,
        height: usize,
        selected: Option<usize>,
        theme: &MdTheme,
    ) -> Vec<Line<'_>> {
        let end = top.saturating_add(height).min(self.lines.len());
        let block = selected.and_then(|i| self.blocks.get(i));
        (top.min(end)..end)
            .map(|index| {
                let line = &self.lines[index];
                let spans = line
                    .spans
                    .iter()
                    .map(|s| Span::styled(s.content.as_ref(), s.style));
                if !block.is_some_and(|b| b.contains(index)) {
                    return Line::from(spans.collect::<Vec<_>>());
                }
                let highlight = theme.selected_block;
                let mut spans: Vec<Span<'_>> = spans
                    .map(|s| Span::styled(s.content, s.style.patch(highlight)))
                    .collect();
                let pad = self.width.saturating_sub(line.width());
                if pad > 0 {
                    spans.push(Span::styled(" ".repeat(pad), highlight));
                }
                Line::from(spans)
            })
            .collect()
    }

    /// The runnable block drawn on line `index`, if any (for mouse clicks and "run the
    /// block under the cursor").
    pub fn block_at(&self, index: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.last_line < index);
        self.blocks.get(i).filter(|b| b.contains(index)).map(|_| i)
    }

    /// The first runnable block that starts at or below line `top`: where the selection
    /// goes when the learner scrolls and then asks for a block.
    pub fn first_block_from(&self, top: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.label_line < top);
        (i < self.blocks.len()).then_some(i)
    }
}
