//! Shared helpers for the TUI tests: a fixture catalog and key presses.

#![allow(dead_code)]

pub mod query;
pub mod runner;

use std::path::PathBuf;

use chrono::{TimeZone as _, Utc};
use labtui::lab::content::Catalog;
use labtui::lab::progress::Progress;
use labtui::tui::app::{App, Msg};
use labtui::tui::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn fixture_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tui")
}

pub fn catalog() -> Catalog {
    let (catalog, problems) = Catalog::load(&fixture_root());
    assert!(
        problems.is_empty(),
        "fixture content has problems: {problems:?}"
    );
    catalog
}

pub fn app_with(progress: Progress, size: (u16, u16)) -> App {
    let now = Utc
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("valid date");
    App::new(catalog(), progress, Theme::plain(), size, now)
}

pub fn app() -> App {
    app_with(Progress::default(), (100, 30))
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

/// Sends each message and returns all commands produced.
pub fn send(app: &mut App, msgs: impl IntoIterator<Item = Msg>) -> Vec<labtui::tui::app::Cmd> {
    msgs.into_iter().flat_map(|m| app.update(m)).collect()
}
