//! Fenced and indented code blocks: the labelled header rule and the gutter of code lines.

use super::theme::MdTheme;
use super::wrap::{LineBuf, hard_break, str_width};
use crate::lab::query::QueryLang;

const CODE_GUTTER: &str = "│ ";
/// Gutter of the extra rows a code line needs when it is wider than the pane.
const CODE_CONTINUATION: &str = "┆ ";
const GUTTER_WIDTH: usize = 2;

/// A code block collected from parser events.
#[derive(Debug, Default)]
pub(super) struct CodeBlock {
    /// The fence's info string (empty for indented blocks).
    pub info: String,
    pub text: String,
}

/// A code block laid out for some width, before the containers' prefixes are added.
pub(super) struct LaidOutCode {
    pub header: LineBuf,
    /// One entry or more per source line (several when a line is hard-broken).
    pub lines: Vec<LineBuf>,
    /// Language and `invalid` flag when the block is a runnable query.
    pub runnable: Option<(QueryLang, bool)>,
    /// The code as written, without the final newline.
    pub code: String,
}

impl CodeBlock {
    /// Lays the block out in `avail` columns; `number` is the `[n]` a runnable block shows.
    /// Code is hard-broken at the width, never re-flowed, so a query reads as written.
    pub fn layout(self, number: usize, avail: usize, theme: &MdTheme) -> LaidOutCode {
        let mut words = self.info.split_whitespace();
        let tag = words.next().unwrap_or("");
        let runnable = QueryLang::from_tag(tag)
            .map(|lang| (lang, words.any(|w| w.eq_ignore_ascii_case("invalid"))));
        let frame = theme.code_frame;

        let mut header = LineBuf::default();
        if !tag.is_empty() {
            header.push_w("─ ", frame, 2);
            header.push(tag, frame);
            header.push_w(" ", frame, 1);
        }
        if let Some((_, invalid)) = runnable {
            let (long, short, style) = if invalid {
                (
                    format!("✗ broken on purpose — fix it [{number}]"),
                    format!("✗ fix it [{number}]"),
                    theme.invalid_label,
                )
            } else {
                (
                    format!("▶ runnable [{number}]"),
                    format!("▶ [{number}]"),
                    theme.runnable_label,
                )
            };
            // Narrow panes get the short label, so the block number stays visible.
            let label = if header.width + str_width(&long) + 3 <= avail {
                long
            } else {
                short
            };
            header.push_w("─ ", frame, 2);
            header.push(&label, style);
            header.push_w(" ", frame, 1);
        }
        let fill = avail.saturating_sub(header.width);
        header.push_w(&"─".repeat(fill), frame, fill);

        let mut text = self.text;
        if text.ends_with('\n') {
            text.pop();
        }
        let room = avail.saturating_sub(GUTTER_WIDTH);
        let mut lines = Vec::new();
        for source_line in text.split('\n') {
            let source_line = crate::lab::untrusted::escape_text(source_line);
            for (i, chunk) in hard_break(&source_line, room, theme.code_block)
                .into_iter()
                .enumerate()
            {
                let gutter = if i == 0 {
                    CODE_GUTTER
                } else {
                    CODE_CONTINUATION
                };
                let mut line = LineBuf::default();
                line.push_w(gutter, frame, GUTTER_WIDTH);
                line.append(chunk);
                lines.push(line);
            }
        }
        LaidOutCode {
            header,
            lines,
            runnable,
            code: text,
        }
    }
}
