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
}

impl Theme {
    pub fn new(name: ThemeName, no_color: bool) -> Self {
        if no_color {
            return Self::plain();
        }
        match name {
            ThemeName::Dark => Self::colored(MdTheme::dark(), Color::Cyan, Color::DarkGray),
            ThemeName::Light => Self::colored(MdTheme::light(), Color::Blue, Color::Gray),
            ThemeName::HighContrast => Self {
                border_focused: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
                selected: Style::new().fg(Color::Black).bg(Color::White),
                status_bar: Style::new().fg(Color::White).bg(Color::Black),
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
        }
    }
}
