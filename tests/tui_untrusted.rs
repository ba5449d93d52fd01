//! Text labtui did not write, drawn by the whole console (`view`): a lesson from a content
//! pack, a PromQL result's label values, a server's error body and a status notice, each
//! holding a screen clear, an OSC 52 clipboard write, an OSC 8 link, a C1 control and a
//! bidi override. Nothing of it may reach a cell as a control; what it was must show.
//! (The log and trace widgets have the same test in `tui_log_trace_widgets_edges.rs`.)

mod common;

use chrono::{TimeZone as _, Utc};
use common::query::{query_app, runs, typed, vector};
use common::{key, send};
use labtui::lab::content::Catalog;
use labtui::lab::progress::Progress;
use labtui::lab::query::QueryError;
use labtui::lab::untrusted::needs_escape;
use labtui::tui::app::{App, Msg};
use labtui::tui::theme::Theme;
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

const HOSTILE: &str =
    "pwned \x1b[2J \x1b]52;c;aGVsbG8=\x07 \x1b]8;;http://x\x1b\\link \u{9b}31m \u{202e}txt.exe";

/// Draws `app` through the console's own `view` and returns the screen's text, after
/// checking that no cell holds anything a terminal would act on.
fn screen(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| view(app, f)).expect("draw");
    for cell in terminal.backend().buffer().content() {
        let bad = cell.symbol().chars().find(|c| needs_escape(*c));
        assert!(bad.is_none(), "a cell holds {bad:?}");
    }
    format!("{}", terminal.backend())
}

/// Answers the query `expr` with `result` in a console at 160×40.
fn answered(expr: &str, result: Result<labtui::lab::query::QueryOutcome, QueryError>) -> App {
    let mut app = query_app();
    send(
        &mut app,
        [Msg::Resized {
            width: 160,
            height: 40,
        }],
    );
    typed(&mut app, expr);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let id = runs(&cmds)[0].0;
    send(&mut app, [Msg::QueryFinished { id, result }]);
    app
}

#[test]
fn label_values_in_a_result_table_show_escaped() {
    let app = answered(
        "up",
        vector(&[(&[("job", HOSTILE), ("instance", "a:1")], 1.0)]),
    );
    let text = screen(&app);
    assert!(text.contains(r"\e[2J"), "{text}");
}

#[test]
fn a_server_error_body_shows_escaped() {
    let app = answered(
        "up",
        Err(QueryError::Server {
            status: 400,
            error_type: Some("bad_data".into()),
            message: HOSTILE.into(),
        }),
    );
    let text = screen(&app);
    assert!(text.contains(r"\e]52;c;aGVsbG8="), "{text}");
}

#[test]
fn a_status_notice_shows_escaped() {
    let mut app = query_app();
    app.warn(format!("loki said: {HOSTILE}"));
    let text = screen(&app);
    assert!(text.contains(r"\e[2J"), "{text}");
}

#[test]
fn a_lesson_from_a_content_pack_shows_escaped() {
    let root = tempfile::tempdir().expect("temp dir");
    let lessons = root.path().join("lessons");
    std::fs::create_dir_all(&lessons).expect("lessons dir");
    let lesson = format!(
        "+++\nid = \"hostile\"\ntitle = \"Hostile\"\nlevel = 1\nminutes = 5\n+++\n\n\
         A paragraph: {HOSTILE}\n\n```text\n\tindented {HOSTILE}\n```\n"
    );
    std::fs::write(lessons.join("01-hostile.md"), lesson).expect("write lesson");
    let (catalog, problems) = Catalog::load(root.path());
    assert!(problems.is_empty(), "{problems:?}");
    let now = Utc
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("date");
    let mut app = App::new(catalog, Progress::default(), Theme::plain(), (160, 40), now);
    send(&mut app, [key(KeyCode::Enter)]);
    let text = screen(&app);
    assert!(text.contains(r"A paragraph: pwned \e[2J"), "{text}");
    assert!(text.contains(r"\u{202e}txt.exe"), "{text}");
    // A tab in a code block is indentation, not an escape.
    assert!(text.contains(r"    indented pwned \e[2J"), "{text}");
}

#[test]
fn the_frame_guard_removes_what_ratatui_lets_through() {
    // A bidi override is zero-width: ratatui appends it to the cell before it rather than
    // dropping it, so a widget drawing unescaped text would send it to the terminal.
    let area = ratatui::layout::Rect::new(0, 0, 20, 1);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    ratatui::widgets::Widget::render(
        ratatui::text::Line::raw("invoice\u{202e}fdp.exe"),
        area,
        &mut buf,
    );
    let held = |buf: &ratatui::buffer::Buffer| {
        buf.content()
            .iter()
            .any(|c| c.symbol().chars().any(needs_escape))
    };
    assert!(held(&buf), "ratatui dropped the override itself");
    labtui::tui::view::guard(&mut buf);
    assert!(!held(&buf));
    let shown: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(shown.starts_with("invoicefdp.exe"), "{shown}");
}
