//! Text labtui did not write (log lines, span attributes, content packs) made safe to show:
//! control characters, escape sequences and bidirectional overrides become visible escapes,
//! so nothing a log line holds can move the cursor, clear the screen or set the clipboard.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character (C0, DEL, C1) written as `\e`, `\n`, `\t`, `\r` or
/// `\u{..}`, and bidirectional controls as `\u{..}` too. Borrowed when nothing needed escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\x1b' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`] for multi-line text that keeps its shape (a document, a code block): newlines
/// stay, a tab becomes four spaces, everything else a terminal would act on is escaped.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        out.push_str(&escape(&body.replace('\t', "    ")));
        out.push_str(end);
    }
    Cow::Owned(out)
}

/// Whether a terminal would act on `c`, or `c` would hide or reorder what is shown: C0 and C1
/// controls and DEL (escape sequences, OSC 52 clipboard writes, OSC 8 links, bells, carriage
/// returns), bidi marks, embeddings, overrides and isolates, line and paragraph separators,
/// the zero-width space and the byte order mark. Not ZWJ/ZWNJ: scripts and emoji need them.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_text, needs_escape};

    #[test]
    fn plain_text_is_borrowed_and_unchanged() {
        assert!(matches!(
            escape("GET /checkout 200 ✓"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn terminal_controls_become_visible() {
        assert_eq!(escape("a\x1b[2Jb"), "a\\e[2Jb");
        assert_eq!(escape("\x1b]52;c;aGk=\x07"), "\\e]52;c;aGk=\\u{7}");
        assert_eq!(escape("x\u{9b}31m\u{7f}"), "x\\u{9b}31m\\u{7f}");
        assert_eq!(escape("one\ntwo\tthree\r"), "one\\ntwo\\tthree\\r");
        assert_eq!(escape("abc\u{202e}def"), "abc\\u{202e}def");
        assert!(!escape("\x00\x01\x08").chars().any(char::is_control));
    }

    #[test]
    fn invisible_and_reordering_characters_become_visible() {
        assert_eq!(
            escape("zero\u{200b}width\u{feff}"),
            "zero\\u{200b}width\\u{feff}"
        );
        assert_eq!(escape("a\u{2028}b"), "a\\u{2028}b");
        // Emoji sequences keep their joiners.
        assert!(matches!(
            escape("🐻\u{200d}❄\u{fe0f}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn nothing_escaped_is_left_unsafe() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let shown = escape(&all);
        assert!(!shown.chars().any(needs_escape));
        assert!(shown.contains("abc") && shown.contains('é') && shown.contains('→'));
    }

    #[test]
    fn documents_keep_their_lines_and_indentation() {
        assert!(matches!(
            escape_text("a\nb\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(escape_text("fn\tx\n\x1b[2J\n"), "fn    x\n\\e[2J\n");
    }
}
