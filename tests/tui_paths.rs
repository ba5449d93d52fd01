//! Learning paths in the console: `p` narrows the lists to a path's items, in its order.
//! Pure `update` tests, and a snapshot of a list narrowed to a path.

mod common;

use chrono::{TimeZone as _, Utc};
use common::{app, app_with, ch, key, send};
use labtui::lab::content::ItemKind;
use labtui::lab::progress::{Progress, Status};
use labtui::tui::app::App;
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

fn shown(app: &App) -> Vec<String> {
    app.navigator
        .visible()
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

fn path_title(app: &App) -> Option<String> {
    app.navigator.path().map(|p| p.title.clone())
}

#[test]
fn p_cycles_all_then_each_path_then_all() {
    let mut app = app();
    assert_eq!(path_title(&app), None);
    send(&mut app, [ch('p')]);
    assert_eq!(path_title(&app).as_deref(), Some("Basics"));
    assert_eq!(shown(&app), ["first-steps"]);
    assert_eq!(app.navigator.count(ItemKind::Lesson), 1);
    send(&mut app, [ch('p')]);
    assert_eq!(path_title(&app).as_deref(), Some("Ready for on-call"));
    send(&mut app, [ch('p')]);
    assert_eq!(path_title(&app), None);
    assert_eq!(shown(&app), ["first-steps", "second-steps"]);
    assert_eq!(app.navigator.count(ItemKind::Lesson), 2);
}

#[test]
fn a_path_shows_its_items_of_each_kind_in_its_order() {
    let mut app = app();
    send(&mut app, [ch('p'), ch('p')]);
    // on-call lists second-steps before it includes basics (which has first-steps).
    assert_eq!(shown(&app), ["second-steps", "first-steps"]);
    send(&mut app, [ch('2')]);
    assert_eq!(shown(&app), ["slow-thing"]);
    send(&mut app, [ch('3')]);
    assert_eq!(shown(&app), ["rate-vs-irate"], "brought in by the include");
    // Switching lists keeps the path; opening takes the row shown.
    send(&mut app, [ch('1'), ch('j')]);
    assert_eq!(path_title(&app).as_deref(), Some("Ready for on-call"));
    send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(
        app.reader.as_ref().map(|d| d.id.as_str()),
        Some("first-steps")
    );
}

#[test]
fn a_path_without_items_of_a_kind_leaves_that_list_empty() {
    let mut app = app();
    send(&mut app, [ch('p'), ch('2')]);
    assert!(shown(&app).is_empty());
    assert_eq!(app.navigator.count(ItemKind::Challenge), 0);
    assert!(app.navigator.selected_entry().is_none());
    // Enter on an empty list does nothing, and moving stays in bounds.
    send(&mut app, [key(KeyCode::Enter), ch('j'), ch('G')]);
    assert!(app.reader.is_none());
    assert_eq!(app.navigator.selected(), 0);
}

#[test]
fn the_filter_narrows_within_the_path_and_cycling_goes_back_to_the_top() {
    let mut app = app();
    send(&mut app, [ch('p'), ch('p'), ch('G')]);
    assert_eq!(app.navigator.selected(), 1);
    send(
        &mut app,
        [ch('/'), ch('s'), ch('e'), ch('c'), key(KeyCode::Enter)],
    );
    assert_eq!(shown(&app), ["second-steps"]);
    assert_eq!(app.navigator.selected(), 0, "kept within the shorter list");
    send(&mut app, [key(KeyCode::Esc), ch('G'), ch('p')]);
    assert_eq!(path_title(&app), None);
    assert_eq!(app.navigator.selected(), 0);
}

#[test]
fn resuming_an_item_shows_every_item_again() {
    let mut app = app();
    send(&mut app, [ch('p')]);
    assert!(app.navigator.select_id("second-steps"));
    assert_eq!(path_title(&app), None);
    assert_eq!(
        app.navigator.selected_entry().map(|e| e.id.as_str()),
        Some("second-steps")
    );
}

#[test]
fn snapshot_of_a_list_narrowed_to_a_path() {
    let mut progress = Progress::default();
    let now = Utc
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("valid date");
    progress.complete("second-steps", now);
    progress.item_mut("first-steps").status = Status::InProgress;
    let mut app = app_with(progress, (100, 30));
    send(&mut app, [ch('p'), ch('p')]);
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("test backend");
    terminal.draw(|f| view(&app, f)).expect("draw");
    insta::assert_snapshot!("path_on_call_100x30", terminal.backend());
}
