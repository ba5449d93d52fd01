//! Pure `update` tests: send messages, check state and the commands asked for.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{app, app_with, ch, key, send};
use labtui::lab::content::ItemKind;
use labtui::lab::progress::{Progress, Status};
use labtui::lab::query::QueryLang;
use labtui::tui::app::{Cmd, Focus, Msg};
use labtui::tui::keymap::Context;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseEvent, MouseEventKind,
};

fn saved(cmds: &[Cmd]) -> Option<&Progress> {
    cmds.iter().rev().find_map(|c| match c {
        Cmd::SaveProgress(p) => Some(p),
        _ => None,
    })
}

#[test]
fn starts_on_the_lesson_list_with_nothing_open() {
    let app = app();
    assert_eq!(app.focus, Focus::Navigator);
    assert_eq!(app.navigator.tab, ItemKind::Lesson);
    assert!(app.reader.is_none());
    assert_eq!(app.lab_status(), "lab: checking…");
    let ids: Vec<_> = app
        .navigator
        .visible()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(ids, ["first-steps", "second-steps"]);
}

#[test]
fn moving_the_selection_stays_within_the_list() {
    let mut app = app();
    send(&mut app, [ch('j'), ch('j'), ch('j')]);
    assert_eq!(app.navigator.selected(), 1);
    send(&mut app, [ch('k'), ch('k')]);
    assert_eq!(app.navigator.selected(), 0);
    send(&mut app, [ch('G')]);
    assert_eq!(app.navigator.selected(), 1);
    send(&mut app, [ch('g')]);
    assert_eq!(app.navigator.selected(), 0);
}

#[test]
fn number_keys_switch_lists() {
    let mut app = app();
    send(&mut app, [ch('2')]);
    assert_eq!(app.navigator.tab, ItemKind::Challenge);
    assert_eq!(app.navigator.visible()[0].id, "slow-thing");
    send(&mut app, [ch('3')]);
    assert_eq!(app.navigator.tab, ItemKind::Drill);
    send(&mut app, [ch('1')]);
    assert_eq!(app.navigator.tab, ItemKind::Lesson);
}

#[test]
fn opening_an_item_focuses_the_reader_and_records_progress() {
    let mut app = app();
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.focus, Focus::Reader);
    let doc = app.reader.as_ref().expect("a document is open");
    assert_eq!(doc.id, "first-steps");
    let progress = saved(&cmds).expect("opening saves progress");
    assert_eq!(progress.item("first-steps").status, Status::InProgress);
    assert_eq!(progress.last_item.as_deref(), Some("first-steps"));
}

#[test]
fn tab_and_escape_move_focus_between_panes() {
    let mut app = app();
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(
        app.focus,
        Focus::Navigator,
        "nothing open: focus stays on the list"
    );
    send(&mut app, [key(KeyCode::Enter), key(KeyCode::Esc)]);
    assert_eq!(app.focus, Focus::Navigator);
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.focus, Focus::Reader);
}

#[test]
fn filter_narrows_the_list_and_escape_clears_it() {
    let mut app = app();
    send(&mut app, [ch('/')]);
    assert_eq!(app.contexts(), [Context::Filter]);
    send(&mut app, [ch('l'), ch('o'), ch('g'), ch('s')]);
    let ids: Vec<_> = app
        .navigator
        .visible()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(ids, ["second-steps"], "matches the tag `logs`");
    // While typing, q is text, not quit.
    send(&mut app, [ch('q')]);
    assert!(!app.should_quit);
    assert!(app.navigator.visible().is_empty());
    send(&mut app, [key(KeyCode::Backspace), key(KeyCode::Enter)]);
    assert!(!app.navigator.is_filtering());
    assert_eq!(app.navigator.filter().text, "logs");
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.navigator.visible().len(), 2);
}

#[test]
fn help_overlay_captures_keys_until_closed() {
    let mut app = app();
    send(&mut app, [ch('?')]);
    assert_eq!(app.help, Some(0));
    send(&mut app, [ch('j'), ch('j')]);
    assert_eq!(app.help, Some(2), "j scrolls the help, not the list");
    assert_eq!(app.navigator.selected(), 0);
    send(&mut app, [ch('q')]);
    assert_eq!(app.help, None, "q closes the help first");
    assert!(!app.should_quit);
}

#[test]
fn quit_saves_progress_then_quits() {
    let mut app = app();
    send(&mut app, [key(KeyCode::Enter)]);
    let cmds = send(&mut app, [ch('q')]);
    assert!(app.should_quit);
    assert!(matches!(cmds.as_slice(), [Cmd::SaveProgress(_), Cmd::Quit]));
}

#[test]
fn terminate_signal_quits_like_q() {
    let mut app = app();
    let cmds = send(&mut app, [Msg::Terminate]);
    assert!(app.should_quit);
    assert_eq!(cmds.last(), Some(&Cmd::Quit));
}

#[test]
fn key_releases_are_ignored() {
    let mut app = app();
    let release = KeyEvent {
        code: KeyCode::Char('q'),
        modifiers: KeyModifiers::NONE,
        kind: KeyEventKind::Release,
        state: KeyEventState::NONE,
    };
    send(&mut app, [Msg::Key(release)]);
    assert!(!app.should_quit);
}

#[test]
fn runnable_queries_cycle_and_send_a_run_query_command() {
    let mut app = app();
    send(&mut app, [key(KeyCode::Enter)]);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert!(cmds.is_empty(), "nothing selected yet: Enter sends nothing");
    send(&mut app, [ch('n'), ch('n')]);
    assert_eq!(app.reader.as_ref().and_then(|d| d.selected_block), Some(1));
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let sent: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::RunQuery { lang, expr, .. } => Some((*lang, expr.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(sent, [(QueryLang::PromQL, "sum(up)".to_string())]);
    send(&mut app, [ch('n')]);
    let cmds = send(&mut app, [ch('r')]);
    assert!(
        cmds.iter().any(|c| matches!(
            c,
            Cmd::RunQuery {
                lang: QueryLang::LogQL,
                ..
            }
        )),
        "{cmds:?}"
    );
    send(&mut app, [ch('n')]);
    assert_eq!(
        app.reader.as_ref().and_then(|d| d.selected_block),
        Some(0),
        "wraps around"
    );
    send(&mut app, [ch('N')]);
    assert_eq!(app.reader.as_ref().and_then(|d| d.selected_block), Some(2));
}

#[test]
fn reader_scrolls_within_bounds_and_remembers_the_position() {
    let mut app = app_with(Progress::default(), (60, 20));
    send(&mut app, [key(KeyCode::Enter)]);
    send(&mut app, [key(KeyCode::End)]);
    let doc = app.reader.as_ref().expect("open");
    let bottom = doc.scroll;
    let total = doc.rendered.lines.len();
    let height = app.areas().reader_height();
    assert_eq!(bottom, total.saturating_sub(height));
    send(&mut app, [ch('j'), ch('j')]);
    assert_eq!(app.reader.as_ref().map(|d| d.scroll), Some(bottom));
    send(&mut app, [ch('g')]);
    assert_eq!(app.reader.as_ref().map(|d| d.scroll), Some(0));
    if bottom > 0 {
        send(&mut app, [ch('j')]);
        assert_eq!(app.progress.item("first-steps").position, 1);
    }
}

#[test]
fn marking_complete_records_completion_but_not_for_challenges() {
    let mut app = app();
    send(&mut app, [key(KeyCode::Enter)]);
    let cmds = send(&mut app, [ch('c')]);
    let progress = saved(&cmds).expect("completion is saved");
    assert_eq!(progress.item("first-steps").status, Status::Completed);

    send(&mut app, [ch('2'), key(KeyCode::Enter), ch('c')]);
    assert_eq!(app.progress.item("slow-thing").status, Status::InProgress);
    assert!(app.notice.as_ref().is_some_and(|n| n.is_error));
}

#[test]
fn drill_answer_is_hidden_until_asked_for() {
    let mut app = app();
    send(&mut app, [ch('3'), key(KeyCode::Enter)]);
    let text = |app: &labtui::tui::app::App| -> String {
        app.reader
            .as_ref()
            .map(|d| {
                d.rendered
                    .lines
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    assert!(text(&app).contains("When would you use irate"));
    assert!(!text(&app).contains("reacts fast"));
    send(&mut app, [ch('a')]);
    assert!(text(&app).contains("reacts fast"));
    send(&mut app, [ch('a')]);
    assert!(!text(&app).contains("reacts fast"));
}

#[test]
fn time_counts_only_while_active_and_autosaves() {
    let mut app = app();
    send(&mut app, [key(KeyCode::Enter)]);
    let tick = |secs| Msg::Tick {
        elapsed: Duration::from_millis(secs),
        now: Utc::now(),
    };
    let cmds = send(&mut app, (0..8).map(|_| tick(250)));
    assert_eq!(app.progress.item("first-steps").time_spent_secs, 2);
    assert!(saved(&cmds).is_none(), "no autosave within 30 s");
    let cmds = send(&mut app, [tick(30_000)]);
    assert!(saved(&cmds).is_some(), "autosave after 30 s");
    // Idle for more than two minutes: the clock stops counting.
    send(&mut app, [tick(120_000)]);
    let before = app.progress.item("first-steps").time_spent_secs;
    send(&mut app, [tick(10_000)]);
    assert_eq!(app.progress.item("first-steps").time_spent_secs, before);
}

#[test]
fn resumes_the_last_item_at_the_saved_position() {
    let mut progress = Progress::default();
    progress.open("first-steps", Utc::now());
    progress.set_position("first-steps", 3);
    let app = app_with(progress, (60, 20));
    let doc = app.reader.as_ref().expect("resumed");
    assert_eq!(doc.id, "first-steps");
    assert_eq!(app.focus, Focus::Navigator);
    let max = doc
        .rendered
        .lines
        .len()
        .saturating_sub(app.areas().reader_height());
    assert_eq!(doc.scroll, 3.min(max));
}

#[test]
fn resize_rewraps_the_open_document() {
    let mut app = app();
    send(&mut app, [key(KeyCode::Enter)]);
    let wide = app.reader.as_ref().map(|d| d.rendered.lines.len());
    send(
        &mut app,
        [Msg::Resized {
            width: 60,
            height: 20,
        }],
    );
    let narrow = app.reader.as_ref().map(|d| d.rendered.lines.len());
    assert!(narrow >= wide);
    let width = app.areas().reader_width();
    let doc = app.reader.as_ref().expect("open");
    assert!(
        doc.rendered
            .lines
            .iter()
            .all(|l| l.width() <= usize::from(width))
    );
}

#[test]
fn mouse_wheel_scrolls_the_pane_under_the_pointer() {
    let mut app = app();
    send(&mut app, [ch('3')]);
    let wheel = |kind, column| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row: 5,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(&mut app, [ch('1'), wheel(MouseEventKind::ScrollDown, 2)]);
    assert_eq!(app.navigator.selected(), 1);
    send(&mut app, [wheel(MouseEventKind::ScrollUp, 2)]);
    assert_eq!(app.navigator.selected(), 0);
}

#[test]
fn a_failed_save_is_shown_and_retried() {
    let mut app = app();
    send(&mut app, [Msg::ProgressSaved(Err("disk full".into()))]);
    let notice = app.notice.clone().expect("shown");
    assert!(notice.is_error && notice.text.contains("disk full"));
    let cmds = send(
        &mut app,
        [Msg::Tick {
            elapsed: Duration::from_secs(31),
            now: Utc::now(),
        }],
    );
    assert!(saved(&cmds).is_some());
}

#[test]
fn the_first_query_picked_is_the_first_one_on_screen() {
    let mut app = app_with(Progress::default(), (60, 20));
    send(&mut app, [key(KeyCode::Enter), key(KeyCode::End), ch('n')]);
    let doc = app.reader.as_ref().expect("open");
    let picked = doc.selected_block.expect("a block is selected");
    let block = &doc.rendered.blocks[picked];
    assert!(
        block.first_line >= doc.scroll,
        "picked a block above the screen"
    );
    assert!(doc.scroll > 0, "the lesson is longer than the pane");
    let first_on_screen = doc
        .rendered
        .blocks
        .iter()
        .position(|b| b.label_line >= doc.scroll);
    assert_eq!(Some(picked), first_on_screen);
    assert_ne!(
        picked, 0,
        "not the first block of the lesson, which is off screen"
    );
}

mod stack {
    use super::*;
    use labtui::lab::stack::{ComponentState, ComponentStatus, ControlAction};
    use labtui::tui::app::{App, RightPane};

    fn status(name: &str, state: ComponentState) -> ComponentStatus {
        ComponentStatus {
            name: name.into(),
            state,
            url: Some("http://127.0.0.1:9090".into()),
            version: Some("2.42.0".into()),
            uptime: Some(Duration::from_secs(75)),
            rss_bytes: Some(43_000_000),
            pid: Some(42),
            detail: None,
        }
    }

    fn poll_id(cmds: &[Cmd]) -> Option<u64> {
        cmds.iter().find_map(|c| match c {
            Cmd::PollLab { id } => Some(*id),
            _ => None,
        })
    }

    fn running(app: &mut App) {
        let cmds = send(app, [ch('s')]);
        let id = poll_id(&cmds).expect("showing the stack polls at once");
        send(
            app,
            [Msg::LabPolled {
                id,
                result: Ok(Some((
                    "native".into(),
                    vec![
                        status("alertmanager", ComponentState::Ready),
                        status("prometheus", ComponentState::Ready),
                        status("loki", ComponentState::NotInstalled),
                    ],
                ))),
            }],
        );
    }

    #[test]
    fn s_shows_the_stack_and_polls() {
        let mut app = app();
        assert_eq!(app.lab_status(), "lab: checking…");
        running(&mut app);
        assert_eq!(app.right, RightPane::Stack);
        assert_eq!(app.focus, Focus::Stack);
        assert_eq!(app.lab_status(), "lab: native 2/2 ready");
        assert!(
            app.contexts()
                .contains(&labtui::tui::keymap::Context::Stack)
        );
    }

    #[test]
    fn a_lab_that_is_not_running_can_be_started_after_confirming() {
        let mut app = app();
        let cmds = send(&mut app, [ch('s')]);
        let id = poll_id(&cmds).expect("poll");
        send(
            &mut app,
            [Msg::LabPolled {
                id,
                result: Ok(None),
            }],
        );
        assert_eq!(app.lab_status(), "lab: not started");
        let cmds = send(&mut app, [ch('U')]);
        assert!(cmds.is_empty());
        assert!(app.confirm.is_some(), "asks before starting");
        let cmds = send(&mut app, [ch('y')]);
        assert_eq!(cmds, [Cmd::StartLab]);
        assert!(app.confirm.is_none());
    }

    #[test]
    fn polls_every_two_seconds_and_drops_stale_results() {
        let mut app = app();
        let tick = |ms| Msg::Tick {
            elapsed: Duration::from_millis(ms),
            now: Utc::now(),
        };
        let first = poll_id(&send(&mut app, [tick(250)])).expect("first tick polls");
        assert_eq!(
            poll_id(&send(&mut app, [tick(2500)])),
            None,
            "one poll in flight"
        );
        send(
            &mut app,
            [Msg::LabPolled {
                id: first,
                result: Ok(None),
            }],
        );
        let second = poll_id(&send(&mut app, [tick(2000)])).expect("polls again");
        // A late answer to an older poll must not overwrite the newer view.
        send(
            &mut app,
            [Msg::LabPolled {
                id: first,
                result: Err("stale".into()),
            }],
        );
        assert_eq!(app.lab_status(), "lab: not started");
        send(
            &mut app,
            [Msg::LabPolled {
                id: second,
                result: Err("state file unreadable".into()),
            }],
        );
        assert!(app.lab_status().contains("unknown"));
    }

    #[test]
    fn a_component_killed_from_outside_shows_in_the_status_bar() {
        let mut app = app();
        running(&mut app);
        let id = poll_id(&send(
            &mut app,
            [Msg::Tick {
                elapsed: Duration::from_secs(2),
                now: Utc::now(),
            }],
        ))
        .expect("poll");
        let mut down = status("prometheus", ComponentState::Down);
        down.detail = Some("process 42 is gone".into());
        send(
            &mut app,
            [Msg::LabPolled {
                id,
                result: Ok(Some((
                    "native".into(),
                    vec![status("alertmanager", ComponentState::Ready), down],
                ))),
            }],
        );
        assert_eq!(app.lab_status(), "lab: native 1/2 ready (prometheus down)");
    }

    #[test]
    fn restart_asks_first_start_does_not() {
        let mut app = app();
        running(&mut app);
        send(&mut app, [ch('j')]);
        assert!(send(&mut app, [ch('R')]).is_empty());
        assert!(app.confirm.is_some());
        assert!(send(&mut app, [ch('n')]).is_empty(), "no cancels");
        send(&mut app, [ch('R')]);
        let cmds = send(&mut app, [ch('y')]);
        assert_eq!(
            cmds,
            [Cmd::ControlComponent {
                component: "prometheus".into(),
                action: ControlAction::Restart
            }]
        );
        assert!(app.stack.busy.is_some());
        let cmds = send(
            &mut app,
            [Msg::ComponentControlled {
                component: "prometheus".into(),
                action: ControlAction::Restart,
                result: Ok(()),
            }],
        );
        assert!(app.stack.busy.is_none());
        assert!(poll_id(&cmds).is_some(), "re-polls after an action");
        let cmds = send(&mut app, [ch('u')]);
        assert_eq!(
            cmds,
            [Cmd::ControlComponent {
                component: "prometheus".into(),
                action: ControlAction::Start
            }]
        );
    }

    #[test]
    fn logs_open_tail_follow_and_search() {
        let mut app = app();
        running(&mut app);
        let cmds = send(&mut app, [key(KeyCode::Enter)]);
        assert_eq!(
            cmds,
            [Cmd::LoadLogs {
                component: "alertmanager".into(),
                tail: labtui::tui::app::LOG_TAIL
            }]
        );
        let lines: Vec<String> = (0..100).map(|i| format!("line {i} level=info")).collect();
        send(
            &mut app,
            [Msg::LogsLoaded {
                component: "alertmanager".into(),
                result: Ok(lines),
            }],
        );
        let logs = app.stack.logs.clone().expect("open");
        assert!(logs.follow);
        assert_eq!(logs.top(10), 90, "following shows the newest lines");
        send(&mut app, [ch('k')]);
        assert!(
            !app.stack.logs.as_ref().expect("open").follow,
            "scrolling up stops following"
        );
        send(&mut app, [ch('/'), ch('4'), ch('2')]);
        assert_eq!(app.stack.logs.as_ref().expect("open").visible().len(), 1);
        send(&mut app, [key(KeyCode::Enter), key(KeyCode::Esc)]);
        assert!(app.stack.logs.is_none(), "Esc closes the logs");
        let cmds = send(
            &mut app,
            [Msg::Tick {
                elapsed: Duration::from_secs(1),
                now: Utc::now(),
            }],
        );
        assert!(
            !cmds.iter().any(|c| matches!(c, Cmd::LoadLogs { .. })),
            "closed logs are not tailed"
        );
    }

    #[test]
    fn traffic_keys_change_the_rate_once_a_generator_is_known() {
        use labtui::lab::shop::traffic::TrafficStatus;
        let mut app = app();
        running(&mut app);
        assert!(
            send(&mut app, [ch('+')]).is_empty(),
            "no generator known yet"
        );
        let status: TrafficStatus = serde_json::from_value(serde_json::json!({
            "rps": 2.0, "base_rps": 2.0, "burst_seconds_left": 0,
            "sent": 10, "answered": 10, "failed": 0, "skipped": 0
        }))
        .expect("status");
        send(&mut app, [Msg::TrafficUpdated(Ok(status))]);
        assert_eq!(app.lab_status(), "lab: native 2/2 ready · traffic 2 rps");
        assert_eq!(
            send(&mut app, [ch('+')]),
            [Cmd::SetTraffic {
                rps: 5.0,
                burst_seconds: None
            }]
        );
        assert_eq!(
            send(&mut app, [ch('-')]),
            [Cmd::SetTraffic {
                rps: 1.0,
                burst_seconds: None
            }]
        );
        assert_eq!(
            send(&mut app, [ch('b')]),
            [Cmd::SetTraffic {
                rps: 10.0,
                burst_seconds: Some(60)
            }]
        );
        send(
            &mut app,
            [Msg::TrafficUpdated(Err("connection refused".into()))],
        );
        assert!(
            app.notice
                .as_ref()
                .is_some_and(|n| n.is_error && n.text.contains("refused"))
        );
    }
}
