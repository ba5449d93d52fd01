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

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::escape;

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
}
