//! The single pass over pulldown-cmark events that lays Markdown out as terminal lines.
//!
//! Inline content is buffered per block (paragraph, heading, list item text, table cell)
//! and wrapped when the block ends; container blocks (quotes, list items) live on a stack
//! that prefixes every emitted line with its bar, bullet or indentation.

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use ratatui::style::Style;
use ratatui::text::Line;

use super::table::Table;
use super::theme::MdTheme;
use super::wrap::{Inline, LineBuf, fit, hard_break, str_width, wrap};
use super::{Rendered, RenderedBlock};
use crate::lab::query::QueryLang;

const BULLETS: [&str; 3] = ["• ", "◦ ", "▪ "];
const QUOTE_BAR: &str = "│ ";
const CODE_GUTTER: &str = "│ ";
/// Columns taken by `QUOTE_BAR`, `CODE_GUTTER` and `CODE_CONTINUATION`.
const BAR_WIDTH: usize = 2;
/// Gutter of the extra rows a code line needs when it is wider than the pane.
const CODE_CONTINUATION: &str = "┆ ";

pub(super) fn render(markdown: &str, width: u16, theme: &MdTheme) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let mut writer = Writer::new(theme, usize::from(width).max(1));
    for event in Parser::new_ext(markdown, options) {
        writer.event(event);
    }
    writer.flush_inline();
    Rendered {
        lines: writer.lines,
        blocks: writer.blocks,
        width: writer.width,
    }
}

enum Container {
    Quote,
    List {
        next: Option<u64>,
    },
    Item {
        marker: String,
        indent: usize,
        /// The marker has not been drawn yet: the item's first line will carry it.
        pending: bool,
        /// The item holds paragraphs (a loose list): keep a blank line after it.
        loose: bool,
    },
}

struct CodeBlock {
    info: String,
    text: String,
}

struct Writer<'a, 't> {
    theme: &'t MdTheme,
    width: usize,
    lines: Vec<Line<'static>>,
    blocks: Vec<RenderedBlock>,
    stack: Vec<Container>,
    inline: Vec<Inline<'a>>,
    /// Inline styles in force (emphasis, strong, links…), patched in order.
    styles: Vec<Style>,
    quote_depth: usize,
    heading: Option<usize>,
    /// The destination and the plain text of the link being read.
    link: Option<(CowStr<'a>, String)>,
    /// The alt text of the image being read.
    image: Option<String>,
    code: Option<CodeBlock>,
    html: Option<String>,
    table: Option<Table<'a>>,
    in_table_head: bool,
    in_metadata: bool,
    /// A blank line is owed before the next block.
    pending_gap: bool,
}

impl<'a, 't> Writer<'a, 't> {
    fn new(theme: &'t MdTheme, width: usize) -> Self {
        Self {
            theme,
            width,
            lines: Vec::new(),
            blocks: Vec::new(),
            stack: Vec::new(),
            inline: Vec::new(),
            styles: Vec::new(),
            quote_depth: 0,
            heading: None,
            link: None,
            image: None,
            code: None,
            html: None,
            table: None,
            in_table_head: false,
            in_metadata: false,
            pending_gap: false,
        }
    }

    fn event(&mut self, event: Event<'a>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(text, None),
            Event::Code(text) => self.text(text, Some(self.theme.code)),
            Event::Html(text) => {
                if let Some(html) = &mut self.html {
                    html.push_str(&text);
                }
            }
            Event::InlineHtml(text) => {
                let tag = text.trim().to_ascii_lowercase().replace(' ', "");
                if matches!(tag.as_str(), "<br>" | "<br/>") {
                    self.inline.push(Inline::Break);
                }
            }
            Event::SoftBreak => self.text(CowStr::Borrowed(" "), None),
            Event::HardBreak => self.inline.push(Inline::Break),
            Event::Rule => {
                self.start_block();
                let avail = self.avail();
                let mut rule = LineBuf::default();
                rule.push_w(&"─".repeat(avail), self.theme.rule, avail);
                self.emit(rule);
                self.pending_gap = true;
            }
            Event::TaskListMarker(done) => {
                let mark = if done { "[x] " } else { "[ ] " };
                let style = self.style().patch(self.theme.list_marker);
                self.inline
                    .push(Inline::Text(CowStr::Borrowed(mark), style));
            }
            _ => {}
        }
    }

    /// The style of inline text here: the block's base style with inline styles patched in.
    fn style(&self) -> Style {
        let mut style = self.theme.text;
        if self.quote_depth > 0 {
            style = style.patch(self.theme.quote);
        }
        if let Some(level) = self.heading {
            style = style.patch(self.theme.heading[level]);
        }
        if self.in_table_head {
            style = style.patch(self.theme.table_header);
        }
        self.styles.iter().fold(style, |s, &p| s.patch(p))
    }

    fn text(&mut self, text: CowStr<'a>, code: Option<Style>) {
        if self.in_metadata {
            return;
        }
        if let Some(block) = &mut self.code {
            block.text.push_str(&text);
            return;
        }
        if let Some(alt) = &mut self.image {
            alt.push_str(&text);
            return;
        }
        if let Some((_, link_text)) = &mut self.link {
            link_text.push_str(&text);
        }
        let style = code.map_or_else(|| self.style(), |c| self.style().patch(c));
        self.inline.push(Inline::Text(text, style));
    }

    fn start(&mut self, tag: Tag<'a>) {
        match tag {
            Tag::Paragraph => {
                self.start_block();
                if let Some(Container::Item { loose, .. }) = self.stack.last_mut() {
                    *loose = true;
                }
            }
            Tag::Heading { level, .. } => {
                self.start_block();
                let index = heading_index(level);
                self.heading = Some(index);
                if index >= 2 {
                    let hashes = format!("{} ", "#".repeat(index + 1));
                    self.inline
                        .push(Inline::Text(CowStr::from(hashes), self.style()));
                }
            }
            Tag::BlockQuote(kind) => {
                self.start_block();
                self.stack.push(Container::Quote);
                self.quote_depth += 1;
                if let Some(kind) = kind {
                    let mut label = LineBuf::default();
                    label.push(alert_label(kind), self.theme.quote_label);
                    self.emit(label);
                }
            }
            Tag::CodeBlock(kind) => {
                self.start_block();
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.into_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some(CodeBlock {
                    info,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => {
                self.start_block();
                self.html = Some(String::new());
            }
            Tag::List(first) => {
                self.start_block();
                self.stack.push(Container::List { next: first });
            }
            Tag::Item => self.start_item(),
            Tag::Table(aligns) => {
                self.start_block();
                self.table = Some(Table {
                    aligns,
                    ..Table::default()
                });
            }
            Tag::TableHead | Tag::TableRow => {
                self.in_table_head = matches!(tag, Tag::TableHead);
                if let Some(table) = &mut self.table {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.inline.clear(),
            Tag::Emphasis => self.styles.push(self.theme.emphasis),
            Tag::Strong => self.styles.push(self.theme.strong),
            Tag::Strikethrough => self.styles.push(self.theme.strikethrough),
            Tag::Link { dest_url, .. } => {
                self.styles.push(self.theme.link);
                self.link = Some((dest_url, String::new()));
            }
            Tag::Image { .. } => self.image = Some(String::new()),
            Tag::MetadataBlock(_) => self.in_metadata = true,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush_inline();
                self.pending_gap = true;
            }
            TagEnd::Heading(level) => {
                let widest = self.flush_inline();
                let rule = match heading_index(level) {
                    0 => Some("═"),
                    1 => Some("─"),
                    _ => None,
                };
                if let Some(rule) = rule {
                    let n = widest.max(1);
                    let mut line = LineBuf::default();
                    line.push_w(&rule.repeat(n), self.theme.heading_rule, n);
                    self.emit(line);
                }
                self.heading = None;
                self.pending_gap = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush_inline();
                self.stack.pop();
                self.quote_depth = self.quote_depth.saturating_sub(1);
                self.pending_gap = true;
            }
            TagEnd::CodeBlock => {
                if let Some(block) = self.code.take() {
                    self.emit_code(block);
                }
                self.pending_gap = true;
            }
            TagEnd::HtmlBlock => {
                if let Some(html) = self.html.take() {
                    self.emit_html(&html);
                }
            }
            TagEnd::List(_) => {
                self.flush_inline();
                self.stack.pop();
                self.pending_gap = true;
            }
            TagEnd::Item => self.end_item(),
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    let avail = self.avail();
                    for line in table.layout(avail, self.theme) {
                        self.emit(line);
                    }
                }
                self.pending_gap = true;
            }
            TagEnd::TableHead => {
                self.in_table_head = false;
                if let Some(table) = &mut self.table {
                    table.head_rows = table.rows.len();
                }
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline);
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(cell);
                }
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.styles.pop();
            }
            TagEnd::Link => {
                self.styles.pop();
                if let Some((url, text)) = self.link.take() {
                    let bare = url.strip_prefix("mailto:").unwrap_or(&url);
                    if !url.is_empty() && text != *url && text != bare {
                        let style = self.style().patch(self.theme.link_url);
                        let shown = format!(" ({url})");
                        self.inline.push(Inline::Text(CowStr::from(shown), style));
                    }
                }
            }
            TagEnd::Image => {
                if let Some(alt) = self.image.take() {
                    let shown = format!("[image: {alt}]");
                    if let Some((_, link_text)) = &mut self.link {
                        link_text.push_str(&shown);
                    }
                    let style = self.style().patch(self.theme.image);
                    self.inline.push(Inline::Text(CowStr::from(shown), style));
                }
            }
            TagEnd::MetadataBlock(_) => self.in_metadata = false,
            _ => {}
        }
    }

    fn start_item(&mut self) {
        self.flush_inline();
        if self.pending_gap {
            self.blank();
        }
        self.pending_gap = false;
        let depth = self
            .stack
            .iter()
            .filter(|c| matches!(c, Container::List { .. }))
            .count()
            .saturating_sub(1);
        let marker = match self.stack.last_mut() {
            Some(Container::List { next: Some(n) }) => {
                let marker = format!("{n}. ");
                *n += 1;
                marker
            }
            _ => BULLETS[depth % BULLETS.len()].to_owned(),
        };
        self.stack.push(Container::Item {
            indent: str_width(&marker),
            marker,
            pending: true,
            loose: false,
        });
    }

    fn end_item(&mut self) {
        self.flush_inline();
        let mut loose = false;
        if let Some(Container::Item {
            pending, loose: l, ..
        }) = self.stack.last()
        {
            loose = *l;
            if *pending {
                self.emit(LineBuf::default());
            }
        }
        self.stack.pop();
        self.pending_gap = loose;
    }

    /// Called as a block begins: text left over from a tight list item is laid out first,
    /// then the blank line owed by the previous block is drawn.
    fn start_block(&mut self) {
        self.flush_inline();
        if self.pending_gap && !self.lines.is_empty() {
            self.blank();
        }
        self.pending_gap = false;
    }

    /// Wraps the buffered inline content into lines; returns the widest one's width.
    fn flush_inline(&mut self) -> usize {
        if self.inline.is_empty() || self.table.is_some() {
            return 0;
        }
        let wrapped = wrap(&self.inline, self.avail());
        self.inline.clear();
        let mut widest = 0;
        for line in wrapped {
            widest = widest.max(line.width);
            self.emit(line);
        }
        widest
    }

    fn prefix_width(&self) -> usize {
        self.stack
            .iter()
            .map(|c| match c {
                Container::Quote => BAR_WIDTH,
                Container::List { .. } => 0,
                Container::Item { indent, .. } => *indent,
            })
            .sum()
    }

    /// Columns left for content once the containers' prefixes are drawn (at least 1).
    fn avail(&self) -> usize {
        self.width.saturating_sub(self.prefix_width()).max(1)
    }

    /// The containers' prefix for the next line; draws pending list markers unless `blank`.
    fn prefix(&mut self, blank: bool) -> LineBuf {
        let mut prefix = LineBuf::default();
        for container in &mut self.stack {
            match container {
                Container::Quote => prefix.push_w(QUOTE_BAR, self.theme.quote, BAR_WIDTH),
                Container::List { .. } => {}
                Container::Item {
                    marker,
                    indent,
                    pending,
                    ..
                } => {
                    if *pending && !blank {
                        prefix.push_w(marker, self.theme.list_marker, *indent);
                        *pending = false;
                    } else {
                        prefix.pad(*indent);
                    }
                }
            }
        }
        if blank {
            prefix.trim_end();
        }
        prefix
    }

    fn emit(&mut self, content: LineBuf) {
        let mut line = self.prefix(false);
        line.append(content);
        self.lines.push(fit(line.spans, self.width));
    }

    fn blank(&mut self) {
        let line = self.prefix(true);
        self.lines.push(fit(line.spans, self.width));
    }

    /// A header rule naming the language (and, for runnable queries, their number), then
    /// the code lines behind a gutter, hard-broken at the pane width, never re-flowed.
    fn emit_code(&mut self, block: CodeBlock) {
        let mut words = block.info.split_whitespace();
        let tag = words.next().unwrap_or("");
        let lang = QueryLang::from_tag(tag);
        let invalid = lang.is_some() && words.any(|w| w.eq_ignore_ascii_case("invalid"));
        let avail = self.avail();
        let frame = self.theme.code_frame;

        let mut header = LineBuf::default();
        if !tag.is_empty() {
            header.push_w("─ ", frame, 2);
            header.push(tag, frame);
            header.push_w(" ", frame, 1);
        }
        if lang.is_some() {
            let n = self.blocks.len() + 1;
            let (long, short, style) = if invalid {
                (
                    format!("✗ broken on purpose — fix it [{n}]"),
                    format!("✗ fix it [{n}]"),
                    self.theme.invalid_label,
                )
            } else {
                (
                    format!("▶ runnable [{n}]"),
                    format!("▶ [{n}]"),
                    self.theme.runnable_label,
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
        let label_line = self.lines.len();
        self.emit(header);

        let code = block.text.strip_suffix('\n').unwrap_or(&block.text);
        let first_line = self.lines.len();
        let room = avail.saturating_sub(BAR_WIDTH);
        for source_line in code.split('\n') {
            for (i, chunk) in hard_break(source_line, room, self.theme.code_block)
                .into_iter()
                .enumerate()
            {
                let gutter = if i == 0 {
                    CODE_GUTTER
                } else {
                    CODE_CONTINUATION
                };
                let mut line = LineBuf::default();
                line.push_w(gutter, frame, BAR_WIDTH);
                line.append(chunk);
                self.emit(line);
            }
        }
        if let Some(lang) = lang {
            self.blocks.push(RenderedBlock {
                lang,
                code: code.to_owned(),
                invalid,
                label_line,
                first_line,
                last_line: self.lines.len() - 1,
            });
        }
    }

    /// Raw HTML cannot be drawn; show it verbatim, except comments, which are skipped.
    fn emit_html(&mut self, html: &str) {
        let trimmed = html.trim();
        if trimmed.is_empty() || (trimmed.starts_with("<!--") && trimmed.ends_with("-->")) {
            return;
        }
        let avail = self.avail();
        for source_line in trimmed.lines() {
            for chunk in hard_break(source_line, avail, self.theme.html) {
                self.emit(chunk);
            }
        }
        self.pending_gap = true;
    }
}

fn heading_index(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 0,
        HeadingLevel::H2 => 1,
        HeadingLevel::H3 => 2,
        HeadingLevel::H4 => 3,
        HeadingLevel::H5 => 4,
        HeadingLevel::H6 => 5,
    }
}

fn alert_label(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}
