//! Render snapshots of the LogQL and TraceQL tabs on recorded answers of real Loki and
//! Tempo (replays), at 120×36 and 80×24: log lines under their volume, an expanded JSON
//! line, the trace list, the shop's checkout trace as a waterfall with its critical path
//! and span details, the service map, exemplars under a chart, the live tail, a trace
//! Tempo does not have (or labtui could not ask for), and a lab without Loki.

mod common;

use common::query::{fixture, outcome, query_app, typed};
use common::{ch, key, send};
use labtui::lab::query::loki::Direction;
use labtui::lab::query::prometheus::ExemplarSeries;
use labtui::lab::query::{QueryData, QueryError, QueryLang, QueryOutcome};
use labtui::tui::app::{App, Cmd, Msg, TailUpdate};
use labtui::tui::panes::query::Tab;
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

fn on_tab(lang: QueryLang, width: u16, height: u16) -> App {
    let mut app = query_app();
    send(
        &mut app,
        [Msg::Resized { width, height }, key(KeyCode::Esc)],
    );
    while app.query.tab != Tab::Lang(lang) {
        send(&mut app, [ch('t')]);
    }
    app
}

fn run(app: &mut App, expr: &str, result: Result<QueryOutcome, QueryError>) {
    send(app, [ch('i')]);
    typed(app, expr);
    let cmds = send(app, [key(KeyCode::Enter)]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::RunQuery { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a run");
    send(app, [Msg::QueryFinished { id, result }]);
}

fn trace_loaded(app: &mut App, cmds: &[Cmd]) {
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadTrace { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a trace load");
    let trace =
        labtui::lab::query::tempo::decode::trace(&fixture("tempo/shop-trace-checkout-v2.json"))
            .expect("trace");
    send(
        app,
        [Msg::TraceLoaded {
            id,
            result: Ok(Some(trace)),
        }],
    );
}

fn screens(width: u16, height: u16) {
    let suffix = format!("{width}x{height}");

    // Log lines under their volume histogram, then one expanded into its fields.
    let mut app = on_tab(QueryLang::LogQL, width, height);
    // The window the answers were recorded over.
    send(&mut app, [ch(':')]);
    typed(&mut app, "2026-12-02T06:08:13Z..2026-12-02T06:38:13Z");
    send(&mut app, [key(KeyCode::Enter)]);
    let (data, _, _) = labtui::lab::query::loki::decode::query(
        &fixture("loki/shop-streams-payments.json"),
        Direction::Backward,
    )
    .expect("streams");
    run(&mut app, r#"{service_name="payments"}"#, Ok(outcome(data)));
    insta::assert_snapshot!(format!("logs_{suffix}"), render(&app).backend());
    send(&mut app, [key(KeyCode::Enter)]);
    insta::assert_snapshot!(format!("log_expanded_{suffix}"), render(&app).backend());

    // A log line's trace: the checkout waterfall with its critical path, then a span's
    // details, with the trail back to the logs shown at the bottom.
    let cmds = send(&mut app, [ch('c')]);
    trace_loaded(&mut app, &cmds);
    insta::assert_snapshot!(format!("waterfall_{suffix}"), render(&app).backend());
    send(&mut app, [ch('j'), ch('j'), ch('j'), key(KeyCode::Enter)]);
    insta::assert_snapshot!(format!("span_details_{suffix}"), render(&app).backend());

    // A search's trace list.
    let mut app = on_tab(QueryLang::TraceQL, width, height);
    let hits = labtui::lab::query::tempo::decode::search(&fixture("tempo/shop-search-slow.json"))
        .expect("hits");
    run(
        &mut app,
        "{duration > 500ms}",
        Ok(outcome(QueryData::Traces(hits))),
    );
    insta::assert_snapshot!(format!("trace_list_{suffix}"), render(&app).backend());

    // A trace Tempo does not have (yet).
    let cmds = send(&mut app, [key(KeyCode::Enter)]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadTrace { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a trace load");
    send(
        &mut app,
        [Msg::TraceLoaded {
            id,
            result: Ok(None),
        }],
    );
    insta::assert_snapshot!(format!("trace_missing_{suffix}"), render(&app).backend());

    // The service map from Tempo's service-graph series.
    send(&mut app, [key(KeyCode::Esc)]);
    let cmds = send(&mut app, [ch('S')]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadServiceMap { id } => Some(*id),
            _ => None,
        })
        .expect("a map load");
    let vector = |path: &str| match labtui::lab::query::prometheus::decode::query(&fixture(path))
        .expect(path)
        .0
    {
        QueryData::Vector(v) => v,
        other => panic!("{other:?}"),
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
    insta::assert_snapshot!(format!("service_map_{suffix}"), render(&app).backend());

    // Exemplars under the p95 chart.
    let mut app = query_app();
    send(
        &mut app,
        [Msg::Resized { width, height }, key(KeyCode::Esc), ch(':')],
    );
    typed(&mut app, "2026-12-02T06:23:13Z..2026-12-02T06:38:13Z");
    send(&mut app, [key(KeyCode::Enter), ch('m')]);
    let (data, _, _) = labtui::lab::query::prometheus::decode::query(&fixture(
        "prometheus/shop-p95-by-service-range.json",
    ))
    .expect("matrix");
    run(
        &mut app,
        "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[1m])))",
        Ok(outcome(data)),
    );
    let cmds = send(&mut app, [ch('c')]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadExemplars { id, .. } => Some(*id),
            _ => None,
        })
        .expect("exemplars");
    let (series, _): (Vec<ExemplarSeries>, _) =
        labtui::lab::query::prometheus::decode::data(&fixture("prometheus/shop-exemplars.json"))
            .expect("exemplars");
    send(
        &mut app,
        [Msg::ExemplarsLoaded {
            id,
            result: Ok(series),
        }],
    );
    insta::assert_snapshot!(format!("exemplars_{suffix}"), render(&app).backend());

    // The live tail, streaming the recorded WebSocket frames.
    let mut app = on_tab(QueryLang::LogQL, width, height);
    app.query
        .logql
        .editor
        .set_text(r#"{service_name="storefront"}"#);
    let cmds = send(&mut app, [ch('L')]);
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::StartTail { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a tail");
    let frames: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("loki/shop-tail-frames.json")).expect("frames");
    for frame in &frames {
        let frame =
            labtui::lab::query::loki::decode::tail_frame(&frame.to_string()).expect("frame");
        send(
            &mut app,
            [Msg::Tailed {
                id,
                update: TailUpdate::Frame(frame),
            }],
        );
    }
    insta::assert_snapshot!(format!("tail_{suffix}"), render(&app).backend());

    // A lab without Loki: what to install.
    let mut app = on_tab(QueryLang::LogQL, width, height);
    run(
        &mut app,
        r#"{service_name="payments"}"#,
        Err(QueryError::NotInLab {
            component: "Loki".into(),
            how: "download loki-linux-amd64.zip from https://github.com/grafana/loki/releases/tag/v3.4.6, unzip, rename the binary to `loki` and put it on PATH; then `labtui down` and `labtui up`".into(),
        }),
    );
    insta::assert_snapshot!(format!("no_loki_{suffix}"), render(&app).backend());
}

/// Only what Tempo itself answered is headed "Tempo said:"; a trace labtui could not ask
/// for (no Tempo in the lab) says so in its own words.
#[test]
fn opening_a_trace_says_tempo_said_only_for_tempos_own_errors() {
    let mut app = on_tab(QueryLang::TraceQL, 120, 36);
    let hits = labtui::lab::query::tempo::decode::search(&fixture("tempo/shop-search-slow.json"))
        .expect("hits");
    run(
        &mut app,
        "{duration > 500ms}",
        Ok(outcome(QueryData::Traces(hits))),
    );
    for (result, heading) in [
        (
            QueryError::NotInLab {
                component: "Tempo".into(),
                how: "install tempo".into(),
            },
            "Could not fetch trace",
        ),
        (
            QueryError::Server {
                status: 400,
                error_type: None,
                message: "invalid trace id".into(),
            },
            "Tempo said:",
        ),
    ] {
        let cmds = send(&mut app, [key(KeyCode::Enter)]);
        let id = cmds
            .iter()
            .find_map(|c| match c {
                Cmd::LoadTrace { id, .. } => Some(*id),
                _ => None,
            })
            .expect("a trace load");
        let text = result.to_string();
        send(
            &mut app,
            [Msg::TraceLoaded {
                id,
                result: Err(result),
            }],
        );
        let screen = render(&app).backend().to_string();
        assert!(screen.contains(heading), "{screen}");
        assert_eq!(
            screen.contains("Tempo said:"),
            heading == "Tempo said:",
            "{screen}"
        );
        assert!(screen.contains(&text[..text.len().min(20)]), "{screen}");
        send(&mut app, [key(KeyCode::Esc)]);
    }
}

#[test]
fn signal_screens_at_120x36() {
    screens(120, 36);
}

#[test]
fn signal_screens_at_80x24() {
    screens(80, 24);
}
