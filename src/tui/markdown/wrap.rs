//! Display widths, greedy word wrapping and truncation of styled text.
//!
//! Widths come from `unicode-width` through ratatui's `Span::width` (the crate itself is not
//! a direct dependency), so wide CJK characters and emoji take two columns like on screen.

use pulldown_cmark::CowStr;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Columns a character takes on screen. Control characters take none: they are dropped,
/// as ratatui drops them when drawing.
pub(super) fn char_width(c: char) -> usize {
    if c.is_ascii() {
        usize::from(!c.is_ascii_control())
    } else if c.is_control() {
        0
    } else {
        let mut buf = [0u8; 4];
        Span::raw(&*c.encode_utf8(&mut buf)).width()
    }
}

/// Columns a string takes on screen.
pub(super) fn str_width(s: &str) -> usize {
    Span::raw(s).width()
}

/// A piece of inline content waiting to be wrapped: styled text or a hard line break.
#[derive(Debug, Clone)]
pub(super) enum Inline<'a> {
    Text(CowStr<'a>, Style),
    Break,
}

/// A line under construction: owned spans (adjacent equal styles merged) and their width.
#[derive(Debug, Default, Clone)]
pub(super) struct LineBuf {
    pub spans: Vec<Span<'static>>,
    pub width: usize,
}

impl LineBuf {
    /// Appends text whose width is already known.
    pub fn push_w(&mut self, text: &str, style: Style, width: usize) {
        if text.is_empty() {
            return;
        }
        self.width += width;
        if let Some(last) = self.spans.last_mut()
            && last.style == style
        {
            last.content.to_mut().push_str(text);
            return;
        }
        self.spans.push(Span::styled(text.to_owned(), style));
    }

    pub fn push(&mut self, text: &str, style: Style) {
        self.push_w(text, style, str_width(text));
    }

    pub fn push_char(&mut self, c: char, style: Style, width: usize) {
        let mut buf = [0u8; 4];
        self.push_w(c.encode_utf8(&mut buf), style, width);
    }

    /// Appends `n` spaces in the default style (indentation and padding).
    pub fn pad(&mut self, n: usize) {
        if n > 0 {
            self.push_w(&" ".repeat(n), Style::new(), n);
        }
    }

    /// Moves `other`'s spans to the end of this line (merging only at the seam).
    pub fn append(&mut self, other: LineBuf) {
        self.width += other.width;
        let mut spans = other.spans.into_iter();
        if let Some(first) = spans.next() {
            match self.spans.last_mut() {
                Some(last) if last.style == first.style => {
                    last.content.to_mut().push_str(&first.content);
                }
                _ => self.spans.push(first),
            }
        }
        self.spans.extend(spans);
    }

    /// Drops trailing spaces, so blank lines inside quotes and lists carry no dangling indent.
    pub fn trim_end(&mut self) {
        while let Some(last) = self.spans.last_mut() {
            let kept = last.content.trim_end_matches(' ').len();
            let dropped = last.content.len() - kept;
            self.width = self.width.saturating_sub(dropped);
            if kept == 0 {
                self.spans.pop();
            } else {
                last.content.to_mut().truncate(kept);
                return;
            }
        }
    }
}

/// Turns finished spans into a line no wider than `max`, cutting with "…" if it overflows
/// (only very narrow panes or deep nesting get here).
pub(super) fn fit(spans: Vec<Span<'static>>, max: usize) -> Line<'static> {
    let line = Line::from(spans);
    if line.width() <= max {
        return line;
    }
    let keep = max.saturating_sub(1);
    let mut out = LineBuf::default();
    let mut last_style = Style::new();
    for g in line.styled_graphemes(Style::new()) {
        let w = str_width(g.symbol);
        if out.width + w > keep {
            break;
        }
        out.push_w(g.symbol, g.style, w);
        last_style = g.style;
    }
    if max >= 1 {
        out.push_w("…", last_style, 1);
    }
    Line::from(out.spans)
}

/// Splits one line of preformatted text (code, raw HTML) into chunks of at most `max`
/// columns without re-flowing words. Tabs expand to 4-column stops; control characters go.
pub(super) fn hard_break(text: &str, max: usize, style: Style) -> Vec<LineBuf> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut cur = LineBuf::default();
    let mut column = 0;
    for c in text.chars() {
        if c == '\t' {
            let n = 4 - column % 4;
            for _ in 0..n {
                if cur.width + 1 > max {
                    out.push(std::mem::take(&mut cur));
                }
                cur.push_w(" ", style, 1);
            }
            column += n;
            continue;
        }
        let w = char_width(c);
        if w == 0 && c.is_control() {
            continue;
        }
        if cur.width + w > max && cur.width > 0 {
            out.push(std::mem::take(&mut cur));
        }
        cur.push_char(c, style, w);
        column += w;
    }
    out.push(cur);
    out
}

/// Greedy word wrapping of inline pieces to `avail` columns. Runs of spaces collapse to
/// one and vanish at line ends; a word longer than a whole line is broken by characters.
pub(super) fn wrap(pieces: &[Inline<'_>], avail: usize) -> Vec<LineBuf> {
    let mut w = Wrapper {
        avail: avail.max(1),
        out: Vec::new(),
        cur: LineBuf::default(),
        space: None,
        word: String::new(),
        runs: Vec::new(),
        word_width: 0,
    };
    for piece in pieces {
        match piece {
            Inline::Text(text, style) => {
                for c in text.chars() {
                    if matches!(c, ' ' | '\t' | '\n' | '\r') {
                        w.end_word();
                        if w.cur.width > 0 {
                            w.space = Some(*style);
                        }
                    } else if !c.is_control() {
                        w.push(c, *style);
                    }
                }
            }
            Inline::Break => {
                w.end_word();
                w.newline();
            }
        }
    }
    w.end_word();
    if !w.cur.spans.is_empty() || w.out.is_empty() {
        w.out.push(w.cur);
    }
    w.out
}

struct Wrapper {
    avail: usize,
    out: Vec<LineBuf>,
    cur: LineBuf,
    /// A space is owed before the next word (with this style) if it stays on this line.
    space: Option<Style>,
    /// The word being collected, possibly spanning several styles.
    word: String,
    /// (byte offset in `word`, style) where each differently styled run starts.
    runs: Vec<(usize, Style)>,
    word_width: usize,
}

impl Wrapper {
    fn push(&mut self, c: char, style: Style) {
        if self.runs.last().map(|r| r.1) != Some(style) {
            self.runs.push((self.word.len(), style));
        }
        self.word.push(c);
        self.word_width += char_width(c);
    }

    fn newline(&mut self) {
        self.out.push(std::mem::take(&mut self.cur));
        self.space = None;
    }

    fn end_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let space = self.space.filter(|_| self.cur.width > 0);
        let needed = usize::from(space.is_some()) + self.word_width;
        if self.cur.width + needed <= self.avail {
            if let Some(style) = space {
                self.cur.push_w(" ", style, 1);
            }
            self.put_word(false);
        } else {
            if self.cur.width > 0 {
                self.newline();
            }
            let long = self.word_width > self.avail;
            self.put_word(long);
        }
        self.space = None;
        self.word.clear();
        self.runs.clear();
        self.word_width = 0;
    }

    /// Moves the collected word onto the current line, breaking it by characters if `split`.
    fn put_word(&mut self, split: bool) {
        for (i, &(start, style)) in self.runs.iter().enumerate() {
            let end = self.runs.get(i + 1).map_or(self.word.len(), |r| r.0);
            let text = &self.word[start..end];
            if !split {
                self.cur.push_w(text, style, str_width(text));
                continue;
            }
            for c in text.chars() {
                let cw = char_width(c);
                if self.cur.width + cw > self.avail && self.cur.width > 0 {
                    self.out.push(std::mem::take(&mut self.cur));
                }
                self.cur.push_char(c, style, cw);
            }
        }
    }
}
