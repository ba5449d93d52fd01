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

use super::code::CodeBlock;
use super::containers::Containers;
use super::table::Table;
use super::theme::MdTheme;
use super::wrap::{Inline, LineBuf, fit, hard_break, wrap};
use super::{Rendered, RenderedBlock};

pub(super) fn render(markdown: &str, width: u16, theme: &MdTheme) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_FOOTNOTES
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

struct Writer<'a, 't> {
    theme: &'t MdTheme,
    width: usize,
    lines: Vec<Line<'static>>,
    blocks: Vec<RenderedBlock>,
    containers: Containers,
    inline: Vec<Inline<'a>>,
    /// Inline styles in force (emphasis, strong, links…), patched in order.
    styles: Vec<Style>,
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
            containers: Containers::default(),
            inline: Vec::new(),
            styles: Vec::new(),
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
            Event::FootnoteReference(label) => {
                let style = self.style().patch(self.theme.link_url);
                self.inline
                    .push(Inline::Text(CowStr::from(format!("[{label}]")), style));
            }
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
        if self.containers.in_quote() {
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
            // Kept as written: it is the query a runnable block sends (escaped when drawn).
            block.text.push_str(&text);
            return;
        }
        // Content packs are untrusted too: nothing in them reaches the terminal as a control.
        let text = match crate::lab::untrusted::escape_text(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(safe) => CowStr::from(safe),
        };
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
                self.containers.mark_loose();
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
                self.containers.push_quote();
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
                self.containers.push_list(first);
            }
            Tag::Item => self.start_item(None),
            // A footnote is shown where it is defined, like a list item marked "[label]".
            Tag::FootnoteDefinition(label) => self.start_item(Some(format!("[{label}] "))),
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
                self.containers.pop();
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
                self.containers.pop();
                self.pending_gap = true;
            }
            TagEnd::Item | TagEnd::FootnoteDefinition => self.end_item(),
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

    /// Starts a list item, or a footnote definition when `marker` is given.
    fn start_item(&mut self, marker: Option<String>) {
        self.flush_inline();
        if self.pending_gap {
            self.blank();
        }
        self.pending_gap = false;
        self.containers.push_item(marker);
    }

    fn end_item(&mut self) {
        self.flush_inline();
        if self.containers.item_marker_pending() {
            self.emit(LineBuf::default());
        }
        self.pending_gap = self.containers.pop_item();
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

    /// Columns left for content once the containers' prefixes are drawn (at least 1).
    fn avail(&self) -> usize {
        self.width.saturating_sub(self.containers.width()).max(1)
    }

    fn emit(&mut self, content: LineBuf) {
        let mut line = self.containers.prefix(false, self.theme);
        line.append(content);
        self.lines.push(fit(line.spans, self.width));
    }

    fn blank(&mut self) {
        let line = self.containers.prefix(true, self.theme);
        self.lines.push(fit(line.spans, self.width));
    }

    /// A runnable block's rendered lines are recorded in `blocks` as they are emitted.
    fn emit_code(&mut self, block: CodeBlock) {
        let laid = block.layout(self.blocks.len() + 1, self.avail(), self.theme);
        let label_line = self.lines.len();
        self.emit(laid.header);
        let first_line = self.lines.len();
        for line in laid.lines {
            self.emit(line);
        }
        if let Some((lang, invalid)) = laid.runnable {
            self.blocks.push(RenderedBlock {
                lang,
                code: laid.code,
                invalid,
                label_line,
                first_line,
                last_line: self.lines.len().saturating_sub(1),
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
