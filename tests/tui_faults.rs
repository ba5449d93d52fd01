//! The Faults pane through `update`: browse the catalogue, aim, inject and clear with
//! confirmation, and show what is active (pure: no lab needed).

mod common;

use std::collections::BTreeMap;

use chrono::Duration as Span;
use common::{app, ch, key, send};
use labtui::lab::faults::{self, ActiveFault, InjectRequest, Mechanism};
use labtui::tui::app::{App, Cmd, Focus, Msg, RightPane};
use labtui::tui::keymap::Context;
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn open_faults() -> App {
    let mut app = app();
    let cmds = send(&mut app, [ch('f')]);
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::PollLab { .. })),
        "shows fresh state"
    );
    assert_eq!((app.right, app.focus), (RightPane::Faults, Focus::Faults));
    app
}

/// Times are relative to the app's clock in `common::app` (2026-01-02T03:04:05Z).
fn active(name: &str, target: &str, minutes: i64) -> ActiveFault {
    let now = app().now;
    ActiveFault {
        id: format!("{name}-1"),
        name: name.into(),
        target: target.into(),
        component: format!("shop-{target}"),
        mechanism: Mechanism::Request,
        params: Default::default(),
        injected_at: now,
        expires_at: now + Span::minutes(minutes),
        symptom_query: String::new(),
        owner_pid: 1,
        owner_start_ticks: None,
        owner: None,
    }
}

#[test]
fn inject_asks_first_and_sends_the_selected_fault_at_the_chosen_target() {
    let mut app = open_faults();
    let first = &faults::catalogue().faults[0];
    assert!(
        send(&mut app, [key(KeyCode::Enter)]).is_empty(),
        "asks before injecting"
    );
    let question = app
        .confirm
        .as_ref()
        .map(|c| c.question.clone())
        .expect("asks");
    assert!(question.contains(&first.name), "{question}");
    assert!(send(&mut app, [ch('n')]).is_empty());

    // `t` aims it elsewhere: the request carries the second target.
    let targets = labtui::tui::panes::faults::targets(first);
    send(&mut app, [ch('t')]);
    send(&mut app, [ch('i')]);
    let cmds = send(&mut app, [ch('y')]);
    let expected_target = targets.get(1).or(targets.first()).cloned();
    assert_eq!(
        cmds,
        [Cmd::InjectFault(InjectRequest {
            name: first.name.clone(),
            target: expected_target,
            params: Default::default(),
            ttl: None,
        })]
    );
    assert!(app.faults.busy.is_some());
}

#[test]
fn results_update_the_active_list_and_the_status_bar() {
    let mut app = open_faults();
    send(
        &mut app,
        [Msg::FaultInjected(Ok(active("latency", "payments", 10)))],
    );
    assert!(app.faults.busy.is_none());
    assert!(
        app.lab_status().ends_with("· 1 fault active"),
        "{}",
        app.lab_status()
    );
    send(
        &mut app,
        [Msg::FaultsPolled(Ok(vec![
            active("latency", "payments", 10),
            active("errors", "orders", 5),
        ]))],
    );
    assert!(app.lab_status().ends_with("· 2 faults active"));
    send(
        &mut app,
        [Msg::FaultsCleared(Ok(vec![active("errors", "orders", 5)]))],
    );
    assert_eq!(app.faults.active.len(), 1);
    send(
        &mut app,
        [Msg::FaultInjected(Err("no lab is running".into()))],
    );
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.is_error && n.text.contains("no lab"))
    );
}

#[test]
fn clear_needs_an_active_fault_and_confirmation() {
    let mut app = open_faults();
    assert!(send(&mut app, [ch('c')]).is_empty());
    assert!(app.confirm.is_none(), "nothing active: nothing to clear");
    let name = faults::catalogue().faults[0].name.clone();
    send(
        &mut app,
        [Msg::FaultsPolled(Ok(vec![active(&name, "payments", 10)]))],
    );
    send(&mut app, [ch('c')]);
    assert_eq!(send(&mut app, [ch('y')]), [Cmd::ClearFaults(Some(name))]);
    send(&mut app, [ch('C')]);
    assert_eq!(
        send(&mut app, [key(KeyCode::Enter)]),
        [Cmd::ClearFaults(None)]
    );
}

#[test]
fn the_pane_renders_the_card_and_active_faults() {
    let mut app = open_faults();
    send(
        &mut app,
        [Msg::FaultsPolled(Ok(vec![active(
            "latency", "payments", 10,
        )]))],
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 34)).expect("backend");
    send(
        &mut app,
        [Msg::Resized {
            width: 120,
            height: 34,
        }],
    );
    terminal.draw(|f| view(&app, f)).expect("draw");
    let screen = format!("{:?}", terminal.backend());
    let first = &faults::catalogue().faults[0];
    assert!(screen.contains("Faults — 1 active"), "{screen}");
    assert!(screen.contains(&first.name));
    assert!(screen.contains("What you should see"));
    assert!(
        screen.contains("latency on payments, 10m 00s left"),
        "{screen}"
    );
}

/// The Faults pane with `name` selected.
fn faults_at(name: &str) -> App {
    let mut app = open_faults();
    let index = faults::catalogue()
        .faults
        .iter()
        .position(|f| f.name == name)
        .expect("in the catalogue");
    send(&mut app, (0..index).map(|_| ch('j')));
    app
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(ch).collect()
}

fn values(app: &App) -> Vec<(String, String)> {
    let editor = app.faults.editor.as_ref().expect("the editor is open");
    editor
        .rows
        .iter()
        .map(|r| (r.name.clone(), r.value.clone()))
        .collect()
}

#[test]
fn p_sets_parameters_and_the_injection_carries_them() {
    let mut app = faults_at("latency");
    assert!(send(&mut app, [ch('p')]).is_empty());
    assert_eq!(app.contexts(), [Context::FaultParams]);
    let row = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert_eq!(
        values(&app),
        [row("ms", "800"), row("probability", "1"), row("route", "")],
        "every row starts at its default"
    );

    // q is text here, not quit.
    send(&mut app, (0..3).map(|_| key(KeyCode::Backspace)));
    send(&mut app, typed("9q"));
    assert!(!app.should_quit);
    send(&mut app, [key(KeyCode::Backspace)]);
    send(&mut app, typed("00"));
    send(&mut app, [key(KeyCode::Down), key(KeyCode::Down)]);
    send(&mut app, typed("/charge"));
    send(&mut app, [key(KeyCode::Down)]);
    assert_eq!(
        values(&app),
        [
            row("ms", "900"),
            row("probability", "1"),
            row("route", "/charge")
        ]
    );
    let editor = app.faults.editor.as_ref().expect("open");
    assert_eq!(editor.selected, 2, "stays on the last row");
    assert!(editor.rows.iter().all(|r| r.error.is_none()));

    assert!(
        send(&mut app, [key(KeyCode::Enter)]).is_empty(),
        "asks first"
    );
    let question = app.confirm.as_ref().expect("asks").question.clone();
    assert_eq!(
        question,
        "Inject latency into payments with ms=900 probability=1 route=/charge for its TTL?"
    );
    let cmds = send(&mut app, [ch('y')]);
    assert_eq!(
        cmds,
        [Cmd::InjectFault(InjectRequest {
            name: "latency".into(),
            target: Some("payments".into()),
            params: BTreeMap::from([
                ("ms".to_string(), "900".to_string()),
                ("route".to_string(), "/charge".to_string()),
            ]),
            ttl: None,
        })],
        "values left at their default are not sent"
    );
    assert!(app.faults.editor.is_none(), "closed once injected");
    assert!(app.faults.busy.is_some());
    assert_eq!(app.contexts(), [Context::Faults, Context::Global]);
}

#[test]
fn an_out_of_range_value_shows_the_catalogues_error_and_injects_nothing() {
    let mut app = faults_at("latency");
    send(
        &mut app,
        [ch('p'), key(KeyCode::Down), key(KeyCode::Backspace)],
    );
    send(&mut app, typed("2"));
    let expected = faults::catalogue()
        .get("latency")
        .expect("latency")
        .resolve_params(&BTreeMap::from([(
            "probability".to_string(),
            "2".to_string(),
        )]))
        .expect_err("out of range")
        .to_string();
    let error = |app: &App| {
        app.faults.editor.as_ref().expect("open").rows[1]
            .error
            .clone()
    };
    assert_eq!(error(&app), Some(expected), "shown as soon as it is typed");
    assert!(error(&app).is_some_and(|e| e.contains("0 to 1")));

    // Enter from another row goes back to the bad one and injects nothing.
    send(&mut app, [key(KeyCode::Up)]);
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert!(
        app.confirm.is_none(),
        "does not ask while a value is refused"
    );
    assert_eq!(app.faults.editor.as_ref().expect("open").selected, 1);
    send(&mut app, [ch('y')]);
    assert_eq!(values(&app)[1].1, "2y", "y is text here, not yes");

    // Ctrl-u clears the value; a valid one clears the error. No at the question keeps the
    // values for another try.
    send(&mut app, [ctrl_u()]);
    assert_eq!(values(&app)[1].1, "");
    assert!(error(&app).is_some(), "empty is not a number");
    send(&mut app, typed("0.25"));
    assert_eq!(error(&app), None);
    send(&mut app, [key(KeyCode::Enter)]);
    let question = app.confirm.as_ref().expect("asks").question.clone();
    assert!(question.contains("probability=0.25"), "{question}");
    assert!(send(&mut app, [ch('n')]).is_empty());
    assert_eq!(values(&app)[1].1, "0.25", "kept after no");
    assert_eq!(app.contexts(), [Context::FaultParams]);
}

#[test]
fn esc_cancels_the_editor_and_keeps_nothing() {
    let mut app = faults_at("db_slow");
    send(&mut app, [ch('p'), ctrl_u()]);
    send(&mut app, typed("TRUNCATE"));
    assert!(
        app.faults.editor.as_ref().expect("open").rows[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("one of SELECT, INSERT, UPDATE, DELETE"))
    );
    assert!(send(&mut app, [key(KeyCode::Esc)]).is_empty());
    assert!(app.faults.editor.is_none());
    assert!(app.confirm.is_none());
    assert_eq!(app.contexts(), [Context::Faults, Context::Global]);

    send(&mut app, [ch('p')]);
    assert_eq!(
        values(&app)[0].1,
        "SELECT",
        "a new editor starts from the defaults"
    );
    send(&mut app, [key(KeyCode::Esc)]);

    // Enter in the pane still injects the defaults, and the question lists them.
    send(&mut app, [key(KeyCode::Enter)]);
    let question = app.confirm.as_ref().expect("asks").question.clone();
    assert_eq!(
        question,
        "Inject db_slow into inventory with the defaults (operation=SELECT ms=300) for its TTL?"
    );
    let cmds = send(&mut app, [ch('y')]);
    assert!(
        matches!(&cmds[..], [Cmd::InjectFault(r)] if r.params.is_empty()),
        "{cmds:?}"
    );
}

#[test]
fn a_fault_without_parameters_says_so() {
    let mut app = faults_at("db_lock");
    assert!(send(&mut app, [ch('p')]).is_empty());
    assert!(app.faults.editor.is_none());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("db_lock has no parameters"))
    );
    send(&mut app, [key(KeyCode::Enter)]);
    let question = app.confirm.as_ref().expect("asks").question.clone();
    assert_eq!(question, "Inject db_lock into inventory for its TTL?");
}

fn ctrl_u() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL))
}
