//! Pure `update` tests of the LogQL and TraceQL tabs and the jumps between signals, fed
//! with recorded answers of real Loki 3.4.6, Tempo 2.7.2 and Prometheus (replays): log
//! lines and their volume, a log line's trace, a span's logs and RED metrics, a chart's
//! exemplars, the trace list, the live tail, Loki's syntax check, and the trail back.

mod common;

use std::time::Duration;

use common::query::{fixture, outcome, query_app, typed};
use common::{ch, key, send};
use labtui::lab::query::loki::Direction;
use labtui::lab::query::prometheus::ExemplarSeries;
use labtui::lab::query::traces::Trace;
use labtui::lab::query::{InstantSeries, QueryData, QueryLang, QueryOutcome, QueryWindow};
use labtui::tui::app::{App, Cmd, Msg, TailUpdate};
use labtui::tui::panes::query::correlate;
use labtui::tui::panes::query::logs::{LogsView, TailStatus};
use labtui::tui::panes::query::traces::{ServiceMapState, TraceState, TracesView};
use labtui::tui::panes::query::{ResultView, RunState, Tab};
use ratatui::crossterm::event::KeyCode;

fn loki(path: &str) -> QueryOutcome {
    let (data, _, _) =
        labtui::lab::query::loki::decode::query(&fixture(path), Direction::Backward).expect(path);
    outcome(data)
}

fn tempo_hits(path: &str) -> QueryOutcome {
    outcome(QueryData::Traces(
        labtui::lab::query::tempo::decode::search(&fixture(path)).expect(path),
    ))
}

fn checkout_trace() -> Trace {
    labtui::lab::query::tempo::decode::trace(&fixture("tempo/shop-trace-checkout-v2.json"))
        .expect("the checkout trace")
}

fn prometheus(path: &str) -> QueryData {
    labtui::lab::query::prometheus::decode::query(&fixture(path))
        .expect(path)
        .0
}

/// Every query the commands run: (id, lang, expr, window).
fn queries(cmds: &[Cmd]) -> Vec<(u64, QueryLang, String, QueryWindow)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::RunQuery {
                id,
                lang,
                expr,
                window,
                ..
            } => Some((*id, *lang, expr.clone(), *window)),
            _ => None,
        })
        .collect()
}

fn trace_load(cmds: &[Cmd]) -> (u64, String) {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::LoadTrace { id, trace_id } => Some((*id, trace_id.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("a trace is loaded: {cmds:?}"))
}

/// The Query pane on `lang`'s tab, keys on the results.
fn on_tab(lang: QueryLang) -> App {
    let mut app = query_app();
    send(&mut app, [key(KeyCode::Esc)]);
    while app.query.tab != Tab::Lang(lang) {
        send(&mut app, [ch('t')]);
    }
    app
}

/// Types `expr` into the tab's editor, runs it and answers with `answer`.
fn run(app: &mut App, expr: &str, answer: QueryOutcome) -> (QueryLang, QueryWindow) {
    send(app, [ch('i')]);
    typed(app, expr);
    let cmds = send(app, [key(KeyCode::Enter)]);
    let (id, lang, sent, window) = queries(&cmds).pop().expect("a query is sent");
    assert_eq!(sent, expr);
    send(
        app,
        [Msg::QueryFinished {
            id,
            result: Ok(answer),
        }],
    );
    (lang, window)
}

fn logs_view(app: &App) -> &LogsView {
    match &app.query.logql.run.as_ref().expect("a run").state {
        RunState::Done(done) => match &done.view {
            ResultView::Logs(view) => view,
            other => panic!("log lines expected, got {other:?}"),
        },
        other => panic!("done expected, got {other:?}"),
    }
}

fn traces_view(app: &App) -> &TracesView {
    match &app.query.traceql.run.as_ref().expect("a run").state {
        RunState::Done(done) => match &done.view {
            ResultView::Traces(view) => view,
            other => panic!("traces expected, got {other:?}"),
        },
        other => panic!("done expected, got {other:?}"),
    }
}

/// The open trace, ready.
fn open_trace(app: &App) -> &labtui::tui::panes::query::traces::OpenTrace {
    match &app.query.traceql.trace.as_ref().expect("a trace").state {
        TraceState::Ready(open) => open,
        _ => panic!("the trace is not ready"),
    }
}

#[test]
fn a_log_query_runs_over_a_range_and_shows_lines_under_their_volume() {
    let mut app = on_tab(QueryLang::LogQL);
    let (lang, window) = run(
        &mut app,
        r#"{service_name="payments"} | json | trace_id!="""#,
        loki("loki/shop-json-trace-id.json"),
    );
    assert_eq!(lang, QueryLang::LogQL);
    assert!(
        matches!(window, QueryWindow::Range { .. }),
        "log queries have no instant form"
    );
    let view = logs_view(&app);
    assert_eq!(view.model.visible_len(), view.entries.len());
    assert!(!view.entries.is_empty());
    let counted: u64 = view.volume.iter().map(|b| b.total).sum();
    assert_eq!(
        counted as usize,
        view.entries.len(),
        "every line is in a bar"
    );

    // Enter expands the selected line; `o` puts the oldest first; `w` wraps.
    send(&mut app, [key(KeyCode::Enter), ch('w')]);
    assert!(logs_view(&app).expanded && logs_view(&app).state.wrap);
    let newest = logs_view(&app).selected().expect("a line").ts_ns;
    send(&mut app, [ch('o')]);
    let oldest = logs_view(&app).selected().expect("a line").ts_ns;
    assert!(oldest < newest, "{oldest} < {newest}");

    // `/` filters within the results as you type; Esc clears the filter.
    send(&mut app, [ch('/')]);
    typed(&mut app, "zzz-nothing");
    assert_eq!(logs_view(&app).model.visible_len(), 0);
    send(&mut app, [key(KeyCode::Esc)]);
    assert_eq!(
        logs_view(&app).model.visible_len(),
        logs_view(&app).entries.len()
    );

    // `]` picks a bar; `z` zooms the range into it and runs again.
    send(&mut app, [ch(']')]);
    let (start, end) = logs_view(&app).bar_range().expect("a bar");
    let cmds = send(&mut app, [ch('z')]);
    let (_, _, _, window) = queries(&cmds).pop().expect("runs again");
    assert_eq!(
        window,
        QueryWindow::Range {
            start,
            end,
            step: match window {
                QueryWindow::Range { step, .. } => step,
                QueryWindow::Instant { .. } => 0.0,
            }
        }
    );
}

#[test]
fn from_a_log_line_to_its_trace_to_a_span_s_logs_and_back_along_the_trail() {
    let mut app = on_tab(QueryLang::LogQL);
    let expr = r#"{service_name="payments"} | json | trace_id!="""#;
    run(&mut app, expr, loki("loki/shop-json-trace-id.json"));
    send(&mut app, [key(KeyCode::Enter)]);
    let line_trace = logs_view(&app)
        .selected()
        .and_then(|e| e.trace_id())
        .expect("the shop's lines carry trace_id");

    let cmds = send(&mut app, [ch('c')]);
    let (id, trace_id) = trace_load(&cmds);
    assert_eq!(trace_id, line_trace);
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::TraceQL));
    assert!(
        app.query
            .breadcrumb()
            .expect("a trail")
            .starts_with("LogQL: {service_name=\"payments\"}"),
        "{:?}",
        app.query.breadcrumb()
    );

    // A stale answer is dropped; the real one lays the trace out.
    send(
        &mut app,
        [Msg::TraceLoaded {
            id: id + 100,
            result: Ok(Some(checkout_trace())),
        }],
    );
    assert!(matches!(
        app.query.traceql.trace.as_ref().map(|t| &t.state),
        Some(TraceState::Loading)
    ));
    send(
        &mut app,
        [Msg::TraceLoaded {
            id,
            result: Ok(Some(checkout_trace())),
        }],
    );
    let rows = open_trace(&app).waterfall.rows.len();
    assert_eq!(rows, 14);

    // Down to payments' span, the one the latency fault slowed: on the critical path.
    let payments = open_trace(&app)
        .view
        .visible
        .iter()
        .position(|&r| {
            let open = open_trace(&app);
            open.trace.spans[open.waterfall.rows[r].span].service == "payments"
        })
        .expect("payments is in the checkout");
    for _ in 0..payments {
        send(&mut app, [ch('j')]);
    }
    let span = open_trace(&app).selected_span().expect("a span").clone();
    assert_eq!(span.service, "payments");
    let row = open_trace(&app).selected_row().expect("a row");
    assert!(!open_trace(&app).waterfall.rows[row].critical.is_empty());
    send(&mut app, [key(KeyCode::Enter)]);
    assert!(open_trace(&app).details, "Enter shows the span's details");

    // `c` on the span: its service's lines of this trace, around its time, in LogQL.
    let cmds = send(&mut app, [ch('c')]);
    let (_, lang, logql, window) = queries(&cmds).pop().expect("the span's logs run");
    assert_eq!(lang, QueryLang::LogQL);
    assert_eq!(
        logql,
        correlate::span_logs_query(&span, "63823273f8d74a123d53cff55c22d200")
    );
    let (start, end) = correlate::span_logs_window(&span);
    assert!(
        matches!(window, QueryWindow::Range { start: s, end: e, .. } if s == start && e == end)
    );
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::LogQL));
    assert_eq!(app.query.trail.len(), 2);

    // Backspace returns to the trace exactly as it was, then to the first log lines.
    send(&mut app, [key(KeyCode::Backspace)]);
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::TraceQL));
    assert_eq!(open_trace(&app).selected_row(), Some(row));
    assert!(open_trace(&app).details);
    send(&mut app, [key(KeyCode::Backspace)]);
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::LogQL));
    assert_eq!(
        app.query.logql.run.as_ref().map(|r| r.expr.as_str()),
        Some(expr)
    );
    assert!(logs_view(&app).expanded, "the expanded line is still open");
    assert!(app.query.breadcrumb().is_none());
    // With no trail left, Backspace says so rather than doing something else.
    send(&mut app, [key(KeyCode::Backspace)]);
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("nothing to go back to"))
    );
}

#[test]
fn a_span_opens_its_services_red_metrics_in_promql() {
    let mut app = on_tab(QueryLang::TraceQL);
    let (id, _) = {
        // Straight to a trace as an exemplar would open it.
        let cmds = app.query.open_trace("63823273f8d74a123d53cff55c22d200");
        trace_load(&cmds)
    };
    send(
        &mut app,
        [Msg::TraceLoaded {
            id,
            result: Ok(Some(checkout_trace())),
        }],
    );
    let span = open_trace(&app).selected_span().expect("the root").clone();
    let cmds = send(&mut app, [ch('M')]);
    let (_, lang, expr, window) = queries(&cmds).pop().expect("RED runs");
    assert_eq!(lang, QueryLang::PromQL);
    let red = correlate::red_queries(&span);
    assert_eq!(expr, red[2], "the p95 is charted");
    assert!(matches!(window, QueryWindow::Range { .. }));
    assert_eq!(
        app.query.history.entries(QueryLang::PromQL),
        red.as_slice(),
        "↑ recalls the error rate, then the request rate"
    );
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("RED of storefront"))
    );
    assert!(app.query.promql.range.fixed.is_some());
    send(&mut app, [key(KeyCode::Backspace)]);
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::TraceQL));
    // Going back undoes the jump in the PromQL tab too: its range and results as before.
    assert!(app.query.promql.range.fixed.is_none());
    assert!(app.query.promql.run.is_none());
}

#[test]
fn a_latency_chart_lists_its_exemplars_and_one_key_opens_the_slowest_trace() {
    let mut app = query_app();
    send(&mut app, [key(KeyCode::Esc), ch('m')]);
    let expr = "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[1m])))";
    run(
        &mut app,
        expr,
        outcome(prometheus("prometheus/shop-p95-by-service-range.json")),
    );
    let cmds = send(&mut app, [ch('c')]);
    let (id, sent) = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadExemplars { id, expr, .. } => Some((*id, expr.clone())),
            _ => None,
        })
        .expect("exemplars are asked for");
    assert_eq!(sent, expr);
    let (series, _): (Vec<ExemplarSeries>, _) =
        labtui::lab::query::prometheus::decode::data(&fixture("prometheus/shop-exemplars.json"))
            .expect("exemplars");
    let rows = correlate::exemplar_rows(&series);
    send(
        &mut app,
        [Msg::ExemplarsLoaded {
            id,
            result: Ok(series),
        }],
    );
    // Each exemplar is marked on the chart, the selected one apart.
    let marks = |app: &App| match &app.query.promql.run.as_ref().expect("a run").state {
        RunState::Done(done) => match &done.view {
            ResultView::Chart { model, .. } => {
                let (marks, selected) = model.marks();
                (marks.len(), selected)
            }
            other => panic!("a chart: {other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(marks(&app), (rows.len(), Some(0)));
    send(&mut app, [ch('j')]);
    assert_eq!(marks(&app), (rows.len(), Some(1)));
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let (_, trace_id) = trace_load(&cmds);
    assert_eq!(trace_id, rows[1].trace_id);
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::TraceQL));
    send(&mut app, [key(KeyCode::Backspace)]);
    assert_eq!(app.query.tab, Tab::Lang(QueryLang::PromQL));
    assert!(
        app.query.promql.exemplars.is_some(),
        "the list is still there"
    );
    send(&mut app, [key(KeyCode::Esc)]);
    assert!(app.query.promql.exemplars.is_none(), "Esc closes the list");
    assert_eq!(marks(&app), (0, None), "and clears the marks");
}

#[test]
fn a_trace_search_lists_traces_sorted_and_opens_the_selected_one() {
    let mut app = on_tab(QueryLang::TraceQL);
    let (lang, window) = run(
        &mut app,
        "{duration > 500ms}",
        tempo_hits("tempo/shop-search-slow.json"),
    );
    assert_eq!(lang, QueryLang::TraceQL);
    assert!(matches!(window, QueryWindow::Range { .. }));
    let view = traces_view(&app);
    let slowest = view.selected_hit().expect("a hit").clone();
    assert!(
        view.hits
            .iter()
            .all(|h| h.duration_ms <= slowest.duration_ms),
        "slowest first"
    );
    send(&mut app, [ch('o')]);
    let fastest = traces_view(&app).selected_hit().expect("a hit").clone();
    assert!(fastest.duration_ms <= slowest.duration_ms);

    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let (id, trace_id) = trace_load(&cmds);
    assert_eq!(trace_id, fastest.trace_id);
    // Tempo may not have it yet: a state, not an error.
    send(
        &mut app,
        [Msg::TraceLoaded {
            id,
            result: Ok(None),
        }],
    );
    assert!(matches!(
        app.query.traceql.trace.as_ref().map(|t| &t.state),
        Some(TraceState::Missing)
    ));
    send(&mut app, [key(KeyCode::Esc)]);
    assert!(app.query.traceql.trace.is_none(), "Esc closes the trace");
    assert_eq!(traces_view(&app).selected_hit(), Some(&fastest));
}

#[test]
fn the_service_map_comes_from_tempos_service_graph_series() {
    let mut app = on_tab(QueryLang::TraceQL);
    let cmds = send(&mut app, [ch('S')]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadServiceMap { id } => Some(*id),
            _ => None,
        })
        .expect("the map is loaded");
    let vector = |path: &str| -> Vec<InstantSeries> {
        match prometheus(path) {
            QueryData::Vector(v) => v,
            other => panic!("{other:?}"),
        }
    };
    send(
        &mut app,
        [Msg::ServiceMapLoaded {
            id,
            result: Ok((
                vector("prometheus/shop-service-graph.json"),
                vector("prometheus/shop-service-graph-failed.json"),
            )),
        }],
    );
    let Some(ServiceMapState::Ready(edges)) = &app.query.traceql.map else {
        panic!("a map: {:?}", app.query.traceql.map);
    };
    assert!(
        edges
            .iter()
            .any(|e| e.client == "orders" && e.server == "inventory" && e.error_ratio > 0.0),
        "inventory answers 503 under the errors fault: {edges:?}"
    );
    send(&mut app, [key(KeyCode::Esc)]);
    assert!(app.query.traceql.map.is_none());
}

#[test]
fn loki_checks_logql_once_typing_pauses_and_a_stale_verdict_is_ignored() {
    let mut app = on_tab(QueryLang::LogQL);
    send(&mut app, [ch('i')]);
    let cmds = typed(&mut app, r#"{service_name="payments""#);
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::CheckSyntax { .. })),
        "not while typing"
    );
    let tick = |app: &mut App, ms: u64| {
        let now = app.now;
        send(
            app,
            [Msg::Tick {
                elapsed: Duration::from_millis(ms),
                now,
            }],
        )
    };
    let cmds = tick(&mut app, 500);
    let checked = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::CheckSyntax { lang, expr } => Some((*lang, expr.clone())),
            _ => None,
        })
        .expect("checked once typing paused");
    assert_eq!(
        checked,
        (QueryLang::LogQL, r#"{service_name="payments""#.to_string())
    );
    assert!(
        !tick(&mut app, 500)
            .iter()
            .any(|c| matches!(c, Cmd::CheckSyntax { .. })),
        "and only once"
    );
    let loki_says = fixture("loki/format-query-error.txt");
    let message: serde_json::Value = serde_json::from_str(&loki_says).expect("JSON body");
    let message = message["error"].as_str().expect("error").to_string();
    send(
        &mut app,
        [Msg::SyntaxChecked {
            lang: QueryLang::LogQL,
            expr: checked.1.clone(),
            result: Err(message.clone()),
        }],
    );
    let error = app.query.logql.editor.syntax.clone().expect("marked");
    assert_eq!(error.message, message);
    assert_eq!(error.line, 1);
    assert!(error.column > 0);
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    assert!(
        queries(&cmds).is_empty(),
        "a query Loki rejected is not sent"
    );

    typed(&mut app, "}");
    assert!(app.query.logql.editor.syntax.is_none());
    // The verdict on the old text arrives late: it must not mark the new text.
    send(
        &mut app,
        [Msg::SyntaxChecked {
            lang: QueryLang::LogQL,
            expr: checked.1,
            result: Err(message),
        }],
    );
    assert!(app.query.logql.editor.syntax.is_none());
}

#[test]
fn the_live_tail_streams_lines_follows_unless_scrolled_and_pauses_keeping_them() {
    let mut app = on_tab(QueryLang::LogQL);
    send(&mut app, [ch('i')]);
    typed(&mut app, "sum(rate({service_name=\"x\"}[1m]))");
    send(&mut app, [key(KeyCode::Esc)]);
    send(&mut app, [ch('L')]);
    assert!(app.query.tail.is_none(), "a metric query cannot be tailed");
    assert!(app.notice.as_ref().is_some_and(|n| n.is_error));

    send(&mut app, [ch('i'), key(KeyCode::Char('l'))]);
    app.query
        .logql
        .editor
        .set_text(r#"{service_name="storefront"}"#);
    send(&mut app, [key(KeyCode::Esc)]);
    let cmds = send(&mut app, [ch('L')]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::StartTail { id, expr } if expr == r#"{service_name="storefront"}"# => Some(*id),
            _ => None,
        })
        .expect("the tail starts");
    let frames: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("loki/shop-tail-frames.json")).expect("frames");
    let frame = |i: usize| {
        labtui::lab::query::loki::decode::tail_frame(&frames[i].to_string()).expect("a frame")
    };
    send(
        &mut app,
        [
            Msg::Tailed {
                id,
                update: TailUpdate::Connected,
            },
            Msg::Tailed {
                id,
                update: TailUpdate::Frame(frame(0)),
            },
        ],
    );
    let tail = app.query.tail.as_ref().expect("tailing");
    assert_eq!(tail.status, TailStatus::Live);
    assert_eq!(tail.lines.len(), frame(0).entries.len());
    assert!(tail.following());

    // Scrolled away from the newest line, new frames do not move the view.
    send(&mut app, [ch('j')]);
    let kept = app
        .query
        .tail
        .as_ref()
        .and_then(|t| t.view.selected().cloned());
    send(
        &mut app,
        [Msg::Tailed {
            id,
            update: TailUpdate::Frame(frame(1)),
        }],
    );
    let tail = app.query.tail.as_ref().expect("tailing");
    assert_eq!(tail.view.selected().cloned(), kept);
    assert_eq!(
        tail.lines.len(),
        frame(0).entries.len() + frame(1).entries.len()
    );

    send(
        &mut app,
        [Msg::Tailed {
            id,
            update: TailUpdate::Reconnecting {
                error: "connection reset".into(),
                attempt: 1,
            },
        }],
    );
    assert!(matches!(
        app.query.tail.as_ref().map(|t| &t.status),
        Some(TailStatus::Reconnecting(_, 1))
    ));

    // `L` pauses: the tail stops, what arrived stays, later frames are dropped.
    let cmds = send(&mut app, [ch('L')]);
    assert!(cmds.contains(&Cmd::StopTail));
    let before = app.query.tail.as_ref().map(|t| t.lines.len());
    send(
        &mut app,
        [Msg::Tailed {
            id,
            update: TailUpdate::Frame(frame(2)),
        }],
    );
    assert_eq!(app.query.tail.as_ref().map(|t| t.lines.len()), before);
    assert_eq!(
        app.query.tail.as_ref().map(|t| &t.status),
        Some(&TailStatus::Paused)
    );
}

#[test]
fn an_alerts_rule_opened_in_promql_leaves_a_way_back_to_the_alerts_tab() {
    let mut app = query_app();
    send(&mut app, [key(KeyCode::Esc)]);
    while app.query.tab != Tab::Alerts {
        send(&mut app, [ch('t')]);
    }
    let cmds = app.query.open_trace("63823273f8d74a123d53cff55c22d200");
    assert!(!cmds.is_empty());
    assert_eq!(
        app.query
            .breadcrumb()
            .as_deref()
            .map(|b| b.starts_with("Alerts")),
        Some(true)
    );
    send(&mut app, [key(KeyCode::Backspace)]);
    assert_eq!(app.query.tab, Tab::Alerts);
}
