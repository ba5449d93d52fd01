//! The console's last pass over every cell of every frame: whatever a pane drew, no cell
//! reaches the terminal holding a character it would act on or that reorders text (the
//! rule is `lab::untrusted::needs_escape`). Panes escape untrusted text themselves so it
//! stays readable; this is the safety net for text drawn without that (ratatui drops
//! control characters, but appends zero-width ones such as a bidi override to the cell
//! before them).

use ratatui::buffer::Buffer;

use crate::lab::untrusted::needs_escape;

/// Replaces every cell symbol holding an unsafe character with [`guard_cell`]'s version.
pub fn guard(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if let Some(safe) = guard_cell(cell.symbol()) {
            cell.set_symbol(&safe);
        }
    }
}

/// One cell's `symbol` without its unsafe characters, or None when it has none; emptied,
/// it becomes `\u{fffd}` so the cell still shows something was there.
fn guard_cell(symbol: &str) -> Option<String> {
    if !symbol.chars().any(needs_escape) {
        return None;
    }
    let kept: String = symbol.chars().filter(|c| !needs_escape(*c)).collect();
    Some(if kept.is_empty() {
        "\u{fffd}".to_string()
    } else {
        kept
    })
}

#[cfg(test)]
mod tests {
    use super::guard_cell;

    #[test]
    fn cells_lose_unsafe_characters() {
        assert_eq!(guard_cell("a"), None);
        assert_eq!(guard_cell("🐻\u{200d}❄\u{fe0f}"), None);
        assert_eq!(guard_cell("a\u{202e}").as_deref(), Some("a"));
        assert_eq!(guard_cell("\u{202e}").as_deref(), Some("\u{fffd}"));
        assert_eq!(guard_cell("\x1b").as_deref(), Some("\u{fffd}"));
    }
}
