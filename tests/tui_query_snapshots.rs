//! Render snapshots of the Query pane at 120×36 (lesson and results side by side) and
//! 80×24 (stacked): a table, a chart with its legend, the explain tree, and the empty,
//! error, loading and no-backend states.

mod common;

fn end_of(app: &labtui::tui::app::App) -> f64 {
    match app.query.promql.run.as_ref().map(|r| r.window) {
        Some(labtui::lab::query::QueryWindow::Range { end, .. }) => end,
        _ => 0.0,
    }
}

use common::query::{matrix, query_app, runs, typed, vector};
use common::{ch, key, send};
use labtui::lab::query::QueryError;
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

fn sized(width: u16, height: u16) -> App {
    let mut app = query_app();
    send(&mut app, [Msg::Resized { width, height }]);
    app
}

/// Runs `expr` and answers it with `result`.
fn answered(
    app: &mut App,
    expr: &str,
    result: Result<labtui::lab::query::QueryOutcome, QueryError>,
) {
    typed(app, expr);
    let cmds = send(app, [key(KeyCode::Enter)]);
    let id = runs(&cmds)[0].0;
    send(app, [Msg::QueryFinished { id, result }]);
}

fn screens(width: u16, height: u16) {
    let suffix = format!("{width}x{height}");

    let mut app = sized(width, height);
    insta::assert_snapshot!(format!("editor_empty_{suffix}"), render(&app).backend());

    typed(&mut app, "sum(rate(http_requests_total[5m])");
    insta::assert_snapshot!(format!("syntax_error_{suffix}"), render(&app).backend());

    let mut app = sized(width, height);
    typed(&mut app, "up");
    send(&mut app, [key(KeyCode::Enter)]);
    insta::assert_snapshot!(format!("loading_{suffix}"), render(&app).backend());

    let mut app = sized(width, height);
    answered(
        &mut app,
        "sum by (service, status) (rate(http_requests_total[5m]))",
        vector(&[
            (&[("service", "storefront"), ("status", "200")], 4.2),
            (&[("service", "orders"), ("status", "200")], 3.9),
            (&[("service", "payments"), ("status", "200")], 3.1),
            (&[("service", "payments"), ("status", "500")], 0.4),
        ]),
    );
    insta::assert_snapshot!(format!("table_{suffix}"), render(&app).backend());

    let mut app = sized(width, height);
    typed(
        &mut app,
        "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))",
    );
    send(&mut app, [key(KeyCode::Enter), ch('m')]);
    let id = app.query.promql.run.as_ref().map(|r| r.id).expect("run");
    let end = end_of(&app);
    send(
        &mut app,
        [Msg::QueryFinished {
            id,
            result: matrix(
                end,
                &[
                    &[("service", "orders")],
                    &[("service", "payments")],
                    &[("service", "storefront")],
                ],
            ),
        }],
    );
    send(&mut app, [ch('l'), ch('l'), ch('l')]);
    insta::assert_snapshot!(format!("chart_{suffix}"), render(&app).backend());

    let cmds = send(&mut app, [ch('x')]);
    for (id, ..) in runs(&cmds) {
        send(
            &mut app,
            [Msg::QueryFinished {
                id,
                result: vector(&[(&[("service", "orders")], 0.2)]),
            }],
        );
    }
    insta::assert_snapshot!(format!("explain_{suffix}"), render(&app).backend());

    let mut app = sized(width, height);
    answered(&mut app, "nonexistent_metric", vector(&[]));
    insta::assert_snapshot!(format!("empty_result_{suffix}"), render(&app).backend());

    let mut app = sized(width, height);
    answered(
        &mut app,
        "up / on(job) up",
        Err(QueryError::Server {
            status: 422,
            error_type: Some("execution".into()),
            message: "found duplicate series for the match group {job=\"shop\"} on the right hand-side of the operation: [{instance=\"a\", job=\"shop\"}, {instance=\"b\", job=\"shop\"}];many-to-many matching not allowed: matching labels must be unique on one side".into(),
        }),
    );
    insta::assert_snapshot!(format!("server_error_{suffix}"), render(&app).backend());

    let mut app = sized(width, height);
    answered(
        &mut app,
        "up",
        Err(QueryError::Unreachable {
            backend: "Prometheus".into(),
            url: "http://127.0.0.1:9090".into(),
            message: "connection refused".into(),
        }),
    );
    insta::assert_snapshot!(format!("unreachable_{suffix}"), render(&app).backend());
}

#[test]
fn query_pane_at_120x36() {
    screens(120, 36);
}

#[test]
fn query_pane_at_80x24() {
    screens(80, 24);
}

#[test]
fn a_lesson_and_its_results_share_the_screen() {
    for (width, height) in [(120, 36), (80, 24)] {
        let mut app = common::app();
        common::query::lab_polled(&mut app, Some(("native".into(), Vec::new())));
        send(
            &mut app,
            [Msg::Resized { width, height }, key(KeyCode::Enter), ch('n')],
        );
        let cmds = send(&mut app, [key(KeyCode::Enter)]);
        let id = runs(&cmds)[0].0;
        send(
            &mut app,
            [Msg::QueryFinished {
                id,
                result: vector(&[
                    (&[("job", "orders"), ("instance", "127.0.0.1:8081")], 1.0),
                    (&[("job", "payments"), ("instance", "127.0.0.1:8083")], 1.0),
                ]),
            }],
        );
        insta::assert_snapshot!(
            format!("lesson_beside_results_{width}x{height}"),
            render(&app).backend()
        );
    }
}
