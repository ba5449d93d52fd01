//! Colours and text styles for each theme; NO_COLOR gives modifiers only.

use ratatui::style::{Color, Modifier, Style};

use crate::lab::config::ThemeName;

use super::markdown::MdTheme;

/// Every style the UI draws with, chosen once at start.
#[derive(Debug, Clone)]
pub struct Theme {
    pub markdown: MdTheme,
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub selected: Style,
    pub muted: Style,
    pub done: Style,
    pub in_progress: Style,
    pub status_bar: Style,
    pub notice: Style,
    pub error: Style,
    pub key: Style,
    /// One style per chart series, cycled; told apart by hue, and in NO_COLOR not at all
    /// (the legend's numbers and the cursor readout name the series instead).
    pub series: [Style; SERIES_COLOURS],
    /// Warning-level log lines (errors use `error`); the level text says WARN without it.
    pub warn: Style,
    /// Debug and trace-level log lines.
    pub debug: Style,
    /// The parts of a waterfall bar on the critical path, patched over the service's
    /// colour; drawn with `█` against the rest's `▒`, so the glyph tells them apart too.
    pub critical: Style,
    /// The rest of a waterfall bar.
    pub off_critical: Style,
    /// Rows a search matched (a `•` in the mark column says so without style).
    pub matched: Style,
}

/// How many series colours a theme has before they repeat.
pub const SERIES_COLOURS: usize = 8;

/// A colour-blind-safe set (after Okabe and Ito) in the 256-colour palette, bright enough
/// for dark backgrounds.
const SERIES_DARK: [u8; SERIES_COLOURS] = [117, 214, 42, 227, 33, 203, 175, 250];
/// The same hues, darker, for light backgrounds.
const SERIES_LIGHT: [u8; SERIES_COLOURS] = [31, 166, 29, 136, 19, 160, 127, 240];
/// The basic ANSI colours, for high contrast.
const SERIES_ANSI: [Color; SERIES_COLOURS] = [
    Color::Cyan,
    Color::Yellow,
    Color::Green,
    Color::Magenta,
    Color::LightBlue,
    Color::LightRed,
    Color::White,
    Color::LightGreen,
];

fn series_styles(colours: [Color; SERIES_COLOURS]) -> [Style; SERIES_COLOURS] {
    colours.map(|c| Style::new().fg(c))
}

impl Theme {
    pub fn new(name: ThemeName, no_color: bool) -> Self {
        if no_color {
            return Self::plain();
        }
        match name {
            ThemeName::Dark => Self {
                series: series_styles(SERIES_DARK.map(Color::Indexed)),
                ..Self::colored(MdTheme::dark(), Color::Cyan, Color::DarkGray)
            },
            ThemeName::Light => Self {
                series: series_styles(SERIES_LIGHT.map(Color::Indexed)),
                ..Self::colored(MdTheme::light(), Color::Blue, Color::Gray)
            },
            ThemeName::HighContrast => Self {
                border_focused: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
                selected: Style::new().fg(Color::Black).bg(Color::White),
                status_bar: Style::new().fg(Color::White).bg(Color::Black),
                series: series_styles(SERIES_ANSI),
                ..Self::colored(MdTheme::high_contrast(), Color::White, Color::White)
            },
        }
    }

    fn colored(markdown: MdTheme, accent: Color, muted: Color) -> Self {
        Self {
            markdown,
            border: Style::new().fg(muted),
            border_focused: Style::new().fg(accent),
            title: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            muted: Style::new().fg(muted),
            done: Style::new().fg(Color::Green),
            in_progress: Style::new().fg(Color::Yellow),
            status_bar: Style::new().add_modifier(Modifier::REVERSED),
            notice: Style::new().fg(accent),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            key: Style::new().add_modifier(Modifier::BOLD),
            series: series_styles(SERIES_DARK.map(Color::Indexed)),
            warn: Style::new().fg(Color::Yellow),
            debug: Style::new().fg(muted),
            critical: Style::new().add_modifier(Modifier::BOLD),
            off_critical: Style::new().add_modifier(Modifier::DIM),
            matched: Style::new()
                .fg(Color::Yellow)
                .add_modifier(Modifier::UNDERLINED),
        }
    }

    /// No colours at all, for NO_COLOR terminals and snapshot tests.
    pub fn plain() -> Self {
        Self {
            markdown: MdTheme::plain(),
            border: Style::new(),
            border_focused: Style::new().add_modifier(Modifier::BOLD),
            title: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            muted: Style::new().add_modifier(Modifier::DIM),
            done: Style::new(),
            in_progress: Style::new(),
            status_bar: Style::new().add_modifier(Modifier::REVERSED),
            notice: Style::new(),
            error: Style::new().add_modifier(Modifier::BOLD),
            key: Style::new().add_modifier(Modifier::BOLD),
            series: [Style::new(); SERIES_COLOURS],
            warn: Style::new(),
            debug: Style::new().add_modifier(Modifier::DIM),
            critical: Style::new().add_modifier(Modifier::BOLD),
            off_critical: Style::new().add_modifier(Modifier::DIM),
            matched: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }
}
