//! Render snapshots of the interview: a question asked, an answer being typed, the
//! feedback and the summary, at 100×30 and at the 60×20 minimum.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeZone as _, Utc};
use common::{ch, key, send};
use labtui::lab::content::Catalog;
use labtui::lab::progress::Progress;
use labtui::tui::app::{App, Msg};
use labtui::tui::theme::Theme;
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("valid date")
}

fn app(size: (u16, u16)) -> App {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/interview");
    let (catalog, problems) = Catalog::load(&root);
    assert!(problems.is_empty(), "interview fixtures: {problems:?}");
    App::new(
        catalog,
        Progress::default(),
        Theme::plain(),
        size,
        start_time(),
    )
}

fn render(app: &App) -> Terminal<TestBackend> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal
}

fn tick(secs: i64) -> Msg {
    Msg::Tick {
        elapsed: Duration::from_millis(250),
        now: start_time() + chrono::Duration::seconds(secs),
    }
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(ch).collect()
}

fn screens(size: (u16, u16), suffix: &str) {
    let mut app = app(size);
    // The first drill, alone, 72 s into its 5 minutes.
    send(&mut app, [ch('3'), key(KeyCode::Enter), ch('I'), tick(72)]);
    insta::assert_snapshot!(format!("asking_{suffix}"), render(&app).backend());

    let mut msgs = vec![key(KeyCode::Enter)];
    msgs.extend(typed("A counter only goes up, and it resets when"));
    msgs.push(Msg::Key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char('j'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    )));
    msgs.extend(typed("the process restarts."));
    send(&mut app, msgs);
    insta::assert_snapshot!(format!("typing_{suffix}"), render(&app).backend());

    send(&mut app, [tick(400), key(KeyCode::Enter)]);
    insta::assert_snapshot!(format!("feedback_{suffix}"), render(&app).backend());

    send(&mut app, [ch('n')]);
    insta::assert_snapshot!(format!("summary_{suffix}"), render(&app).backend());
}

#[test]
fn interview_screens_at_100x30() {
    screens((100, 30), "100x30");
}

#[test]
fn interview_screens_at_60x20() {
    screens((60, 20), "60x20");
}

#[test]
fn a_dashboard_drill_shows_its_recorded_charts_above_the_question() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (catalog, problems) = Catalog::load(&root);
    assert!(problems.is_empty(), "shipped content: {problems:?}");
    let mut app = App::new(
        catalog,
        Progress::default(),
        Theme::plain(),
        (120, 40),
        start_time(),
    );
    assert!(app.navigator.select_id("drill-explain-checkout-incident"));
    send(&mut app, [key(KeyCode::Enter), ch('I')]);
    let text = format!("{:?}", render(&app).backend());
    assert!(text.contains("Recorded dashboard"), "{text}");
    assert!(text.contains("p95 latency by service"), "{text}");
    // Scrolled past the charts, the question shows.
    send(&mut app, [key(KeyCode::End)]);
    let text = format!("{:?}", render(&app).backend());
    assert!(text.contains("Walk me through it"), "{text}");
    assert!(
        !text.contains("pool_exhaustion"),
        "the answer is not given away"
    );
}
