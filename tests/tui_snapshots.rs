//! Render snapshots of the main screens with TestBackend, at 100×30 and at the 60×20 minimum.

mod common;

use common::{app_with, ch, key, send};
use labtui::lab::progress::Progress;
use labtui::tui::app::{App, Msg};
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

fn render(app: &App) -> Terminal<TestBackend> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal
}

fn screens(size: (u16, u16), suffix: &str) {
    let mut app = app_with(Progress::default(), size);
    insta::assert_snapshot!(format!("empty_{suffix}"), render(&app).backend());

    send(&mut app, [key(KeyCode::Enter), ch('n'), ch('n')]);
    insta::assert_snapshot!(
        format!("lesson_query_selected_{suffix}"),
        render(&app).backend()
    );

    send(&mut app, [ch('?')]);
    insta::assert_snapshot!(format!("help_{suffix}"), render(&app).backend());

    send(
        &mut app,
        [
            ch('?'),
            key(KeyCode::Esc),
            ch('/'),
            ch('s'),
            ch('e'),
            ch('c'),
        ],
    );
    insta::assert_snapshot!(format!("filtering_{suffix}"), render(&app).backend());

    send(&mut app, [key(KeyCode::Esc), ch('2'), key(KeyCode::Enter)]);
    insta::assert_snapshot!(format!("challenge_{suffix}"), render(&app).backend());

    send(&mut app, [ch('3'), key(KeyCode::Enter), ch('a')]);
    insta::assert_snapshot!(format!("drill_answer_{suffix}"), render(&app).backend());
}

#[test]
fn main_screens_at_100x30() {
    screens((100, 30), "100x30");
}

#[test]
fn main_screens_at_60x20() {
    screens((60, 20), "60x20");
}

#[test]
fn too_small_terminal_shows_a_notice_instead_of_panicking() {
    let mut app = app_with(Progress::default(), (100, 30));
    send(&mut app, [key(KeyCode::Enter)]);
    for (w, h) in [(59, 20), (40, 10), (1, 1), (0, 0)] {
        send(
            &mut app,
            [Msg::Resized {
                width: w,
                height: h,
            }],
        );
        let terminal = render(&app);
        if w >= 40 {
            let text = format!("{:?}", terminal.backend());
            assert!(text.contains("Terminal too small"), "{w}x{h}: {text}");
        }
    }
    send(
        &mut app,
        [Msg::Resized {
            width: 50,
            height: 15,
        }],
    );
    insta::assert_snapshot!("too_small_50x15", render(&app).backend());
}

#[test]
fn status_bar_reports_a_content_problem_count_and_notices() {
    let mut app = app_with(Progress::default(), (100, 30));
    app.content_problems = 2;
    app.warn("progress file was unreadable; moved it aside");
    insta::assert_snapshot!("status_problems_100x30", render(&app).backend());
}

fn lab_running(app: &mut App) {
    use labtui::lab::stack::{ComponentState, ComponentStatus};
    use std::time::Duration;
    let row = |name: &str, state, detail: Option<&str>| ComponentStatus {
        name: name.into(),
        state,
        url: (state != ComponentState::NotInstalled).then(|| "http://127.0.0.1:9090".into()),
        version: (state == ComponentState::Ready).then(|| "2.42.0+ds".into()),
        uptime: (state == ComponentState::Ready).then_some(Duration::from_secs(4000)),
        rss_bytes: (state == ComponentState::Ready).then_some(43_300_000),
        pid: None,
        detail: detail.map(Into::into),
    };
    let cmds = send(app, [ch('s')]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            labtui::tui::app::Cmd::PollLab { id } => Some(*id),
            _ => None,
        })
        .expect("poll");
    send(
        app,
        [Msg::LabPolled {
            id,
            result: Ok(Some((
                "native".into(),
                vec![
                    row("alertmanager", ComponentState::Ready, None),
                    row(
                        "prometheus",
                        ComponentState::Down,
                        Some("process 4242 exited"),
                    ),
                    row(
                        "loki",
                        ComponentState::NotInstalled,
                        Some("download loki from Grafana's releases"),
                    ),
                ],
            ))),
        }],
    );
}

#[test]
fn stack_screens() {
    for (size, suffix) in [((100, 30), "100x30"), ((60, 20), "60x20")] {
        let mut app = app_with(Progress::default(), size);
        let cmds = send(&mut app, [ch('s')]);
        let id = cmds
            .iter()
            .find_map(|c| match c {
                labtui::tui::app::Cmd::PollLab { id } => Some(*id),
                _ => None,
            })
            .expect("poll");
        send(
            &mut app,
            [
                Msg::LabPolled {
                    id,
                    result: Ok(None),
                },
                ch('U'),
            ],
        );
        insta::assert_snapshot!(
            format!("stack_not_started_confirm_{suffix}"),
            render(&app).backend()
        );

        let mut app = app_with(Progress::default(), size);
        lab_running(&mut app);
        send(&mut app, [ch('j')]);
        insta::assert_snapshot!(format!("stack_running_{suffix}"), render(&app).backend());

        send(&mut app, [key(KeyCode::Enter)]);
        send(
            &mut app,
            [Msg::LogsLoaded {
                component: "prometheus".into(),
                result: Ok((1..=40)
                    .map(|i| format!("ts=2026-01-02T03:04:{i:02}Z level=info msg=\"line {i}\""))
                    .collect()),
            }],
        );
        insta::assert_snapshot!(format!("stack_logs_{suffix}"), render(&app).backend());
    }
}

#[test]
fn fault_parameter_editor_and_its_question() {
    let mut app = app_with(Progress::default(), (100, 30));
    send(&mut app, [ch('f'), ch('p')]);
    send(&mut app, (0..3).map(|_| key(KeyCode::Backspace)));
    send(
        &mut app,
        [
            ch('9'),
            ch('0'),
            ch('0'),
            key(KeyCode::Down),
            key(KeyCode::Backspace),
            ch('2'),
        ],
    );
    insta::assert_snapshot!("fault_params_100x30", render(&app).backend());

    // At the minimum size the question wraps and the popup grows to keep y/n in view.
    send(
        &mut app,
        [
            key(KeyCode::Backspace),
            ch('1'),
            key(KeyCode::Enter),
            Msg::Resized {
                width: 60,
                height: 20,
            },
        ],
    );
    insta::assert_snapshot!("fault_params_confirm_60x20", render(&app).backend());
}

/// A dashboard drill with its recorded data (a cut of the shipped recording, its times in
/// UTC as the dataset says): the charts above the question, at a wide size, at the
/// narrowest with one column, and scrolled so the charts give way to the text.
#[test]
fn drill_with_a_recorded_dashboard() {
    use chrono::{TimeZone as _, Utc};
    use labtui::lab::content::Catalog;
    use labtui::tui::theme::Theme;

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dashboard");
    let (catalog, problems) = Catalog::load(&root);
    assert!(problems.is_empty(), "{problems:?}");
    let now = Utc
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("valid date");
    for (size, suffix) in [((120, 40), "120x40"), ((60, 20), "60x20")] {
        let mut app = App::new(
            catalog.clone(),
            Progress::default(),
            Theme::plain(),
            size,
            now,
        );
        send(&mut app, [ch('3'), key(KeyCode::Enter)]);
        let doc = app.reader.as_ref().expect("drill open");
        assert!(doc.dashboard.is_some(), "the dataset reached the reader");
        insta::assert_snapshot!(format!("dashboard_drill_{suffix}"), render(&app).backend());
    }
    let mut app = App::new(catalog, Progress::default(), Theme::plain(), (120, 40), now);
    send(&mut app, [ch('3'), key(KeyCode::Enter)]);
    send(&mut app, (0..30).map(|_| ch('j')));
    insta::assert_snapshot!("dashboard_drill_scrolled_120x40", render(&app).backend());
}
