//! Query pane helpers: results as Prometheus would answer, a polled lab, the pane open.

use std::time::Duration;

use labtui::lab::query::{
    InstantSeries, Labels, QueryData, QueryError, QueryLang, QueryOutcome, QueryWindow,
    RangeSeries, Sample,
};
use labtui::tui::app::{App, Cmd, Focus, Msg, QuerySlot, RightPane};

use super::{app, ch, send};

pub fn typed(app: &mut App, text: &str) -> Vec<Cmd> {
    send(app, text.chars().map(ch))
}

pub fn runs(cmds: &[Cmd]) -> Vec<(u64, String, QueryWindow, QuerySlot)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::RunQuery {
                id,
                expr,
                window,
                slot,
                lang: QueryLang::PromQL,
            } => Some((*id, expr.clone(), *window, *slot)),
            _ => None,
        })
        .collect()
}

pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

pub fn vector(rows: &[(&[(&str, &str)], f64)]) -> Result<QueryOutcome, QueryError> {
    Ok(QueryOutcome {
        data: QueryData::Vector(
            rows.iter()
                .map(|(l, v)| InstantSeries {
                    labels: labels(l),
                    sample: Sample { t: 1000.0, v: *v },
                })
                .collect(),
        ),
        warnings: Vec::new(),
        elapsed: Duration::from_millis(12),
        raw: String::new(),
    })
}

/// Thirty samples 15 s apart per series, the last at `end` (unix seconds).
pub fn matrix(end: f64, series: &[&[(&str, &str)]]) -> Result<QueryOutcome, QueryError> {
    Ok(QueryOutcome {
        data: QueryData::Matrix(
            series
                .iter()
                .enumerate()
                .map(|(i, l)| RangeSeries {
                    labels: labels(l),
                    samples: (0..30)
                        .map(|s| Sample {
                            t: end - 15.0 * f64::from(29 - s),
                            v: f64::from(s) * (i as f64 + 1.0),
                        })
                        .collect(),
                })
                .collect(),
        ),
        warnings: Vec::new(),
        elapsed: Duration::from_millis(30),
        raw: String::new(),
    })
}

/// Lets the app poll the lab and answers the poll with `lab`.
pub fn lab_polled(app: &mut App, lab: labtui::tui::app::LabSnapshot) {
    let now = app.now;
    let cmds = send(
        app,
        [Msg::Tick {
            elapsed: Duration::from_secs(3),
            now,
        }],
    );
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::PollLab { id } => Some(*id),
            _ => None,
        })
        .expect("a poll is due");
    send(
        app,
        [Msg::LabPolled {
            id,
            result: Ok(lab),
        }],
    );
}

/// An app with the Query pane open on PromQL, a lab known to be running.
pub fn query_app() -> App {
    let mut app = app();
    lab_polled(&mut app, Some(("native".into(), Vec::new())));
    send(&mut app, [ch('e')]);
    assert_eq!(app.focus, Focus::Query);
    assert_eq!(app.right, RightPane::Query);
    assert!(app.confirm.is_none(), "a running lab is not offered again");
    app
}

/// A recorded answer of a real server, from tests/fixtures/real-api.
pub fn fixture(path: &str) -> String {
    let full = format!(
        "{}/tests/fixtures/real-api/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// `data` as a query's successful answer.
pub fn outcome(data: QueryData) -> QueryOutcome {
    QueryOutcome {
        data,
        warnings: Vec::new(),
        elapsed: Duration::from_millis(20),
        raw: String::new(),
    }
}
