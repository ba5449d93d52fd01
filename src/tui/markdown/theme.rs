//! Styles the Markdown renderer paints with, and the four built-in palettes.

use ratatui::style::{Color, Modifier, Style};

/// Every style the renderer uses, so one lesson can be drawn for a dark terminal, a light
/// one, a high-contrast setup or `NO_COLOR` without touching the layout code.
///
/// Inline styles (`emphasis`, `strong`, `code`, `link`…) are patched over the style of the
/// block they sit in (`text`, a heading level, or `quote`), so they combine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdTheme {
    /// Paragraph and list text.
    pub text: Style,
    /// Heading levels 1 to 6, in order.
    pub heading: [Style; 6],
    /// The rule under level 1 and 2 headings.
    pub heading_rule: Style,
    pub emphasis: Style,
    pub strong: Style,
    pub strikethrough: Style,
    /// Inline `code`.
    pub code: Style,
    /// The lines of a fenced or indented code block.
    pub code_block: Style,
    /// A code block's header rule, language name and left gutter.
    pub code_frame: Style,
    /// Link text.
    pub link: Style,
    /// The ` (url)` shown after link text.
    pub link_url: Style,
    /// `[image: alt]` placeholders.
    pub image: Style,
    /// Block quote bars and the text inside them.
    pub quote: Style,
    /// The label of a GitHub-style alert quote (`> [!NOTE]`).
    pub quote_label: Style,
    /// List bullets, numbers and task boxes.
    pub list_marker: Style,
    /// Horizontal rules.
    pub rule: Style,
    /// "▶ runnable [n]" on a runnable query block's header.
    pub runnable_label: Style,
    /// "✗ broken on purpose — fix it [n]" on a deliberately invalid query block.
    pub invalid_label: Style,
    /// Patched over every line of the runnable block the reader has selected.
    pub selected_block: Style,
    /// Table column separators and the rule under the header row.
    pub table_border: Style,
    /// Table header cells.
    pub table_header: Style,
    /// Raw HTML blocks, shown verbatim since a terminal cannot render them.
    pub html: Style,
}

const fn fg(color: Color) -> Style {
    Style::new().fg(color)
}

const fn m(modifier: Modifier) -> Style {
    Style::new().add_modifier(modifier)
}

impl MdTheme {
    /// No colours at all, modifiers only: for `NO_COLOR` terminals and for tests.
    pub const fn plain() -> Self {
        Self {
            text: Style::new(),
            heading: [
                m(Modifier::BOLD),
                m(Modifier::BOLD),
                m(Modifier::BOLD.union(Modifier::ITALIC)),
                m(Modifier::ITALIC),
                m(Modifier::ITALIC),
                m(Modifier::ITALIC),
            ],
            heading_rule: Style::new(),
            emphasis: m(Modifier::ITALIC),
            strong: m(Modifier::BOLD),
            strikethrough: m(Modifier::CROSSED_OUT),
            code: m(Modifier::BOLD),
            code_block: Style::new(),
            code_frame: Style::new(),
            link: m(Modifier::UNDERLINED),
            link_url: Style::new(),
            image: m(Modifier::ITALIC),
            quote: Style::new(),
            quote_label: m(Modifier::BOLD),
            list_marker: Style::new(),
            rule: Style::new(),
            runnable_label: m(Modifier::BOLD),
            invalid_label: m(Modifier::BOLD.union(Modifier::ITALIC)),
            selected_block: m(Modifier::REVERSED),
            table_border: Style::new(),
            table_header: m(Modifier::BOLD),
            html: Style::new(),
        }
    }

    /// For terminals with a dark background (the default).
    pub const fn dark() -> Self {
        Self {
            text: Style::new(),
            heading: [
                fg(Color::LightCyan).add_modifier(Modifier::BOLD),
                fg(Color::LightBlue).add_modifier(Modifier::BOLD),
                fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
                fg(Color::LightMagenta),
                fg(Color::Magenta),
                fg(Color::Gray).add_modifier(Modifier::ITALIC),
            ],
            heading_rule: fg(Color::DarkGray),
            emphasis: m(Modifier::ITALIC),
            strong: m(Modifier::BOLD),
            strikethrough: m(Modifier::CROSSED_OUT),
            code: fg(Color::LightYellow),
            code_block: fg(Color::LightGreen),
            code_frame: fg(Color::DarkGray),
            link: fg(Color::LightBlue).add_modifier(Modifier::UNDERLINED),
            link_url: fg(Color::DarkGray),
            image: fg(Color::LightMagenta).add_modifier(Modifier::ITALIC),
            quote: fg(Color::Gray).add_modifier(Modifier::ITALIC),
            quote_label: fg(Color::LightCyan).add_modifier(Modifier::BOLD),
            list_marker: fg(Color::LightCyan),
            rule: fg(Color::DarkGray),
            runnable_label: fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            invalid_label: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            selected_block: Style::new().bg(Color::Indexed(237)),
            table_border: fg(Color::DarkGray),
            table_header: m(Modifier::BOLD),
            html: fg(Color::DarkGray),
        }
    }

    /// For terminals with a light background: darker foregrounds, a pale selection.
    pub const fn light() -> Self {
        Self {
            text: Style::new(),
            heading: [
                fg(Color::Blue).add_modifier(Modifier::BOLD),
                fg(Color::Cyan).add_modifier(Modifier::BOLD),
                fg(Color::Magenta).add_modifier(Modifier::BOLD),
                fg(Color::Magenta),
                fg(Color::DarkGray),
                fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            ],
            heading_rule: fg(Color::Gray),
            emphasis: m(Modifier::ITALIC),
            strong: m(Modifier::BOLD),
            strikethrough: m(Modifier::CROSSED_OUT),
            code: fg(Color::Red),
            code_block: fg(Color::Green),
            code_frame: fg(Color::Gray),
            link: fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
            link_url: fg(Color::DarkGray),
            image: fg(Color::Magenta).add_modifier(Modifier::ITALIC),
            quote: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            quote_label: fg(Color::Blue).add_modifier(Modifier::BOLD),
            list_marker: fg(Color::Blue),
            rule: fg(Color::Gray),
            runnable_label: fg(Color::Green).add_modifier(Modifier::BOLD),
            invalid_label: fg(Color::Red).add_modifier(Modifier::BOLD),
            selected_block: Style::new().bg(Color::Indexed(254)),
            table_border: fg(Color::Gray),
            table_header: m(Modifier::BOLD),
            html: fg(Color::DarkGray),
        }
    }

    /// Maximum contrast: bright foregrounds only, never dim, selection by reversing.
    pub const fn high_contrast() -> Self {
        Self {
            text: fg(Color::White),
            heading: [
                fg(Color::LightYellow).add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED)),
                fg(Color::LightYellow).add_modifier(Modifier::BOLD),
                fg(Color::LightCyan).add_modifier(Modifier::BOLD),
                fg(Color::LightCyan),
                fg(Color::White).add_modifier(Modifier::BOLD),
                fg(Color::White).add_modifier(Modifier::ITALIC),
            ],
            heading_rule: fg(Color::White),
            emphasis: m(Modifier::ITALIC),
            strong: m(Modifier::BOLD),
            strikethrough: m(Modifier::CROSSED_OUT),
            code: fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            code_block: fg(Color::LightGreen),
            code_frame: fg(Color::White),
            link: fg(Color::LightCyan).add_modifier(Modifier::UNDERLINED),
            link_url: fg(Color::White),
            image: fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            quote: fg(Color::White).add_modifier(Modifier::ITALIC),
            quote_label: fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            list_marker: fg(Color::LightYellow),
            rule: fg(Color::White),
            runnable_label: fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            invalid_label: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            selected_block: m(Modifier::REVERSED.union(Modifier::BOLD)),
            table_border: fg(Color::White),
            table_header: fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            html: fg(Color::White),
        }
    }
}

/// The dark palette, the usual terminal background.
impl Default for MdTheme {
    fn default() -> Self {
        Self::dark()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_theme_uses_no_colours() {
        let t = MdTheme::plain();
        let mut all = vec![
            t.text,
            t.heading_rule,
            t.emphasis,
            t.strong,
            t.strikethrough,
            t.code,
            t.code_block,
            t.code_frame,
            t.link,
            t.link_url,
            t.image,
            t.quote,
            t.quote_label,
            t.list_marker,
            t.rule,
            t.runnable_label,
            t.invalid_label,
            t.selected_block,
            t.table_border,
            t.table_header,
            t.html,
        ];
        all.extend(t.heading);
        for style in all {
            assert_eq!((style.fg, style.bg), (None, None));
        }
    }

    #[test]
    fn every_palette_marks_the_selected_block_visibly() {
        for t in [
            MdTheme::plain(),
            MdTheme::dark(),
            MdTheme::light(),
            MdTheme::high_contrast(),
        ] {
            assert_ne!(t.selected_block, Style::new());
            assert_ne!(t.heading[0], t.heading[2]);
        }
    }
}
