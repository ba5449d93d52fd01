//! Pure `update` tests of the Query pane: typing, the syntax check, history, completion,
//! running (and superseding), results, the chart cursor, sorting, the explain tree, a
//! lesson's query opening here, and the Alerts tab.

mod common;

fn end_of(app: &labtui::tui::app::App) -> f64 {
    match app.query.promql.run.as_ref().map(|r| r.window) {
        Some(labtui::lab::query::QueryWindow::Range { end, .. }) => end,
        _ => 0.0,
    }
}

use std::collections::BTreeMap;

use common::query::{lab_polled, labels, matrix, query_app, runs, typed, vector};
use common::{app, ch, key, send};
use labtui::lab::query::{QueryError, QueryLang, QueryWindow};
use labtui::tui::app::{App, Cmd, Focus, Msg, QuerySlot, RightPane};
use labtui::tui::keymap::Context;
use labtui::tui::panes::alerts::{AlertsSnapshot, Section};
use labtui::tui::panes::query::complete::{Known, MetricInfo};
use labtui::tui::panes::query::{NodeState, Part, ResultView, RunState, Tab};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn run_state(app: &App) -> &RunState {
    &app.query.promql.run.as_ref().expect("a run").state
}

#[test]
fn typing_goes_to_the_editor_and_a_broken_query_is_marked_and_not_sent() {
    let mut app = query_app();
    assert_eq!(app.contexts(), [Context::QueryEditor]);
    // `q` is text here, not quit; `e` too.
    let cmds = typed(&mut app, "sum(rate(requests_total[5m])");
    assert!(!app.should_quit);
    assert!(cmds.is_empty());
    assert_eq!(
        app.query.promql.editor.text(),
        "sum(rate(requests_total[5m])"
    );
    let error = app.query.promql.editor.syntax.clone().expect("marked");
    assert_eq!(error.line, 1);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert!(runs(&cmds).is_empty(), "a syntax error is not sent");
    assert!(
        matches!(run_state(&app), RunState::Invalid(m) if m.contains("line 1")),
        "{:?}",
        run_state(&app)
    );
    send(&mut app, [ch(')')]);
    assert!(app.query.promql.editor.syntax.is_none(), "fixed as typed");
}

#[test]
fn a_run_is_sent_with_its_window_recorded_and_its_answer_becomes_a_table() {
    let mut app = query_app();
    typed(&mut app, "up");
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let sent = runs(&cmds);
    assert_eq!(sent.len(), 1);
    let (id, expr, window, slot) = sent[0].clone();
    assert_eq!(expr, "up");
    assert_eq!(window, QueryWindow::Instant { time: None });
    assert_eq!(slot, QuerySlot::Main);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::SaveHistory(h) if h.entries(QueryLang::PromQL) == ["up"])),
        "history saved"
    );
    assert_eq!(app.query.part, Part::Results);
    assert!(matches!(run_state(&app), RunState::Loading));
    assert!(app.animating(), "the spinner turns");

    send(
        &mut app,
        [Msg::QueryFinished {
            id,
            result: vector(&[
                (&[("job", "orders"), ("instance", "a")], 1.0),
                (&[("job", "payments"), ("instance", "a")], 0.0),
            ]),
        }],
    );
    let RunState::Done(done) = run_state(&app) else {
        panic!("done: {:?}", run_state(&app));
    };
    let ResultView::Table { model, .. } = &done.view else {
        panic!("a vector is a table");
    };
    assert_eq!(model.rows.len(), 2);
    assert_eq!(model.common, labels(&[("instance", "a")]));
    assert_eq!(
        model.rows[0].labels["job"], "orders",
        "sorted by value, high first"
    );
    send(&mut app, [ch('o')]);
    let RunState::Done(done) = run_state(&app) else {
        unreachable!()
    };
    let ResultView::Table { model, .. } = &done.view else {
        unreachable!()
    };
    assert_eq!(model.rows[0].labels["job"], "payments", "then low first");
}

#[test]
fn a_newer_query_supersedes_and_the_stale_answer_is_dropped() {
    let mut app = query_app();
    typed(&mut app, "up");
    let first = runs(&send(&mut app, [key(KeyCode::Enter)]))[0].0;
    send(&mut app, [ch('r')]);
    let second = app.query.promql.run.as_ref().map(|r| r.id).expect("run");
    assert!(second > first);
    send(
        &mut app,
        [Msg::QueryFinished {
            id: first,
            result: vector(&[(&[("job", "stale")], 1.0)]),
        }],
    );
    assert!(
        matches!(run_state(&app), RunState::Loading),
        "stale answer dropped"
    );
    send(
        &mut app,
        [Msg::QueryFinished {
            id: second,
            result: Err(QueryError::Server {
                status: 400,
                error_type: Some("bad_data".into()),
                message: "invalid parameter \"query\": 1:4: parse error".into(),
            }),
        }],
    );
    assert!(
        matches!(run_state(&app), RunState::Failed(m) if m == "invalid parameter \"query\": 1:4: parse error"),
        "the server's words, verbatim"
    );
}

#[test]
fn history_recalls_older_queries_and_returns_to_the_draft() {
    let mut app = query_app();
    for q in ["up", "sum(up)"] {
        send(&mut app, [ch('i')]);
        send(
            &mut app,
            [KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)].map(Msg::Key),
        );
        typed(&mut app, q);
        send(&mut app, [key(KeyCode::Enter)]);
    }
    send(&mut app, [ch('i')]);
    send(
        &mut app,
        [KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)].map(Msg::Key),
    );
    typed(&mut app, "dra");
    send(&mut app, [key(KeyCode::Up)]);
    assert_eq!(app.query.promql.editor.text(), "sum(up)");
    send(&mut app, [key(KeyCode::Up), key(KeyCode::Up)]);
    assert_eq!(app.query.promql.editor.text(), "up", "stops at the oldest");
    send(&mut app, [key(KeyCode::Down)]);
    assert_eq!(app.query.promql.editor.text(), "sum(up)");
    send(&mut app, [key(KeyCode::Down)]);
    assert_eq!(app.query.promql.editor.text(), "dra", "back to the draft");
}

#[test]
fn completion_offers_the_labs_names_with_their_type_and_fetches_label_values() {
    let mut app = query_app();
    send(
        &mut app,
        [Msg::NamesLoaded {
            lang: QueryLang::PromQL,
            result: Ok(Known {
                metrics: vec![MetricInfo {
                    name: "http_requests_total".into(),
                    kind: "counter".into(),
                    help: "Requests handled".into(),
                }],
                label_names: vec!["service".into()],
                label_values: BTreeMap::new(),
            }),
        }],
    );
    typed(&mut app, "http_re");
    let candidates = &app.query.promql.editor.candidates;
    assert_eq!(candidates[0].text, "http_requests_total");
    assert_eq!(candidates[0].kind, "counter");
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.query.promql.editor.text(), "http_requests_total");
    let cmds = typed(&mut app, "{service=\"");
    assert_eq!(
        cmds,
        [Cmd::LoadLabelValues {
            lang: QueryLang::PromQL,
            label: "service".into()
        }]
    );
    send(
        &mut app,
        [Msg::LabelValuesLoaded {
            lang: QueryLang::PromQL,
            label: "service".into(),
            result: Ok(vec!["orders".into(), "payments".into()]),
        }],
    );
    typed(&mut app, "pay");
    assert_eq!(app.query.promql.editor.candidates[0].text, "payments");
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(
        app.query.promql.editor.text(),
        "http_requests_total{service=\"payments"
    );
}

#[test]
fn range_mode_draws_a_chart_with_a_cursor_and_series_toggles() {
    let mut app = query_app();
    typed(&mut app, "rate(http_requests_total[5m])");
    send(&mut app, [key(KeyCode::Enter)]);
    let cmds = send(&mut app, [ch('m')]);
    let (id, _, window, _) = runs(&cmds)[0].clone();
    let QueryWindow::Range { start, end, step } = window else {
        panic!("range: {window:?}");
    };
    assert_eq!(end - start, 900.0, "15 minutes by default");
    assert!(step >= 1.0);
    let end = end_of(&app);
    send(
        &mut app,
        [Msg::QueryFinished {
            id,
            result: matrix(end, &[&[("service", "orders")], &[("service", "payments")]]),
        }],
    );
    send(&mut app, [ch('l'), ch('l'), ch('j'), ch(' ')]);
    let RunState::Done(done) = run_state(&app) else {
        panic!("done");
    };
    let ResultView::Chart { model, selected } = &done.view else {
        panic!("a matrix is a chart");
    };
    assert_eq!(*selected, 1);
    assert!(model.is_hidden(1));
    assert!(
        model.cursor_time().is_some(),
        "the cursor moved onto the time axis"
    );
    let cmds = send(&mut app, [ch('+')]);
    let QueryWindow::Range { start, end, .. } = runs(&cmds)[0].2 else {
        panic!("range");
    };
    assert_eq!(end - start, 3600.0, "one preset longer");
}

#[test]
fn the_explain_tree_sizes_each_node_and_runs_the_selected_one() {
    let mut app = query_app();
    typed(
        &mut app,
        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    );
    send(&mut app, [key(KeyCode::Esc)]);
    let cmds = send(&mut app, [ch('x')]);
    assert_eq!(app.query.part, Part::Explain);
    let explain = app.query.promql.explain.clone().expect("a tree");
    assert!(explain.rows.len() >= 4, "{:?}", explain.rows);
    assert!(explain.rows[0].summary.contains("95th percentile"));
    let nodes = runs(&cmds);
    assert_eq!(nodes.len(), explain.rows.len(), "one size query per node");
    assert!(
        nodes
            .iter()
            .all(|(_, _, w, s)| matches!(s, QuerySlot::Node(_))
                && matches!(w, QueryWindow::Instant { .. }))
    );
    let (first_id, ..) = nodes[0];
    send(
        &mut app,
        [Msg::QueryFinished {
            id: first_id,
            result: vector(&[(&[], 0.41)]),
        }],
    );
    assert_eq!(
        app.query
            .promql
            .explain
            .as_ref()
            .map(|e| e.rows[0].state.clone()),
        Some(NodeState::Series(1))
    );
    send(&mut app, [ch('j'), ch('j')]);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let main: Vec<_> = runs(&cmds)
        .into_iter()
        .filter(|r| r.3 == QuerySlot::Main)
        .collect();
    assert_eq!(main.len(), 1);
    assert_eq!(main[0].1, explain.rows[2].expr);
    assert_eq!(app.query.promql.run.as_ref().and_then(|r| r.node), Some(2));
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(app.query.part, Part::Results);
}

#[test]
fn a_lessons_query_opens_beside_it_and_waits_for_a_lab_the_learner_starts() {
    let mut app = app();
    lab_polled(&mut app, None);
    send(&mut app, [key(KeyCode::Enter), ch('n')]);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert!(runs(&cmds).is_empty(), "no lab: nothing sent yet");
    assert_eq!(app.right, RightPane::Query);
    assert_eq!(app.focus, Focus::Reader, "the lesson keeps the keys");
    assert!(
        app.areas().query.is_some(),
        "lesson and results share the screen"
    );
    assert_eq!(app.query.promql.editor.text(), "up");
    assert!(app.confirm.is_some(), "offered to start the lab");
    let cmds = send(&mut app, [ch('y')]);
    assert_eq!(cmds, [Cmd::StartLab]);
    let cmds = send(&mut app, [Msg::LabUpFinished(Ok("lab ready".into()))]);
    let sent = runs(&cmds);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1, "up");
}

#[test]
fn declining_the_lab_drops_the_waiting_query() {
    let mut app = app();
    lab_polled(&mut app, None);
    send(
        &mut app,
        [key(KeyCode::Enter), ch('n'), key(KeyCode::Enter), ch('n')],
    );
    assert!(app.query.pending.is_none());
    let cmds = send(&mut app, [Msg::LabUpFinished(Ok("lab ready".into()))]);
    assert!(runs(&cmds).is_empty());
}

fn snapshot() -> AlertsSnapshot {
    let groups = serde_json::from_value(serde_json::json!([{
        "name": "shop-slo",
        "file": "/lab/rules.yml",
        "interval": 15,
        "rules": [{
            "type": "alerting",
            "name": "HighErrorRate",
            "query": "sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m])) > 0.05",
            "duration": 60,
            "labels": {"severity": "page"},
            "annotations": {},
            "alerts": [{
                "labels": {"alertname": "HighErrorRate", "severity": "page"},
                "annotations": {},
                "state": "pending",
                "activeAt": "2026-01-02T03:03:35Z",
                "value": "2.1e-01"
            }],
            "health": "ok",
            "state": "pending",
            "evaluationTime": 0.001,
            "lastEvaluation": "2026-01-02T03:04:00Z"
        }, {
            "type": "recording",
            "name": "job:up:sum",
            "query": "sum by (job) (up)",
            "health": "ok"
        }]
    }]))
    .expect("rule groups");
    AlertsSnapshot {
        rules: Ok(groups),
        groups: Err("Alertmanager at http://127.0.0.1:1 cannot be reached".into()),
        silences: Ok(Vec::new()),
    }
}

#[test]
fn the_alerts_tab_lists_rules_silences_an_alert_and_opens_a_rules_expression() {
    let mut app = query_app();
    let cmds = send(&mut app, [key(KeyCode::Esc), ch('t'), ch('t'), ch('t')]);
    assert_eq!(app.query.tab, Tab::Alerts);
    assert_eq!(app.contexts(), [Context::Alerts, Context::Global]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadAlerts { id } => Some(*id),
            _ => None,
        })
        .expect("the tab loads");
    send(
        &mut app,
        [Msg::AlertsLoaded {
            id,
            snapshot: snapshot(),
        }],
    );
    let rules = app.query.alerts.rules.clone().expect("loaded").expect("ok");
    assert_eq!(rules.len(), 1, "recording rules are not alerts");
    assert_eq!(rules[0].value(), Some(0.21));
    assert!(
        matches!(app.query.alerts.groups, Some(Err(_))),
        "each part fails alone"
    );

    send(&mut app, [ch('S')]);
    assert_eq!(app.contexts(), [Context::SilenceForm]);
    typed(&mut app, "deploying");
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let [Cmd::CreateSilence(silence)] = cmds.as_slice() else {
        panic!("a silence: {cmds:?}");
    };
    assert_eq!(silence.comment, "deploying");
    assert_eq!(
        silence.ends_at - silence.starts_at,
        chrono::Duration::hours(1)
    );
    assert!(
        silence
            .matchers
            .iter()
            .any(|m| m.name == "alertname" && m.value == "HighErrorRate")
    );

    send(&mut app, [ch('l'), ch('l')]);
    assert_eq!(app.query.alerts.section(), Section::Silences);
    send(&mut app, [ch('h'), ch('h')]);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::PromQL));
    assert_eq!(runs(&cmds)[0].1, rules[0].rule.query);
}
