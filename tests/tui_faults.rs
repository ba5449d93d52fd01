//! The Faults pane through `update`: browse the catalogue, aim, inject and clear with
//! confirmation, and show what is active (pure: no lab needed).

mod common;

use chrono::Duration as Span;
use common::{app, ch, key, send};
use labtui::lab::faults::{self, ActiveFault, InjectRequest, Mechanism};
use labtui::tui::app::{App, Cmd, Focus, Msg, RightPane};
use labtui::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

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
    let targets = labtui::tui::faults_pane::targets(first);
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
