//! `labtui query logql`: a LogQL query against Loki. A log query (a stream selector and its
//! pipeline) runs over a range, the last hour unless the flags say otherwise, because Loki
//! has no instant form for it; a metric query runs at an instant, or over a range with
//! `--since` / `--start`.

use std::io::{self, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::Result;

use super::{QueryArgs, describe_error, fail, print_logs, print_outcome, window};
use crate::lab::query::loki::Direction;
use crate::lab::query::{ClientOptions, Endpoint, LokiClient, QueryData, QueryWindow};

/// The range a log query covers when no flag names one.
pub const DEFAULT_LOG_RANGE_S: f64 = 3600.0;

/// What a LogQL expression returns, as far as its first character tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    /// `{…}` and a pipeline: log lines.
    Log,
    /// A function or aggregation (`rate(…)`, `sum by (…) (…)`): numbers.
    Metric,
    /// Neither (a parenthesis, a literal…): sent as a range, which suits both.
    Unsure,
}

/// Classify `expr` by its outermost form: a stream selector makes a log query, a leading
/// name (a function or aggregation) a metric query.
pub fn kind(expr: &str) -> QueryKind {
    let expr = expr.trim_start();
    match expr.chars().next() {
        Some('{') => QueryKind::Log,
        Some(c) if c.is_ascii_alphabetic() => QueryKind::Metric,
        _ => QueryKind::Unsure,
    }
}

/// What to ask Loki for, given the window the flags described.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    Instant {
        time: Option<f64>,
    },
    Range {
        start: f64,
        end: f64,
        step: Option<f64>,
    },
}

/// The request for `kind` under `window` at `now`: a log query given an instant covers the
/// hour before it; only metric queries send a step.
pub fn plan(kind: QueryKind, window: QueryWindow, now: f64) -> Plan {
    match (kind, window) {
        (QueryKind::Metric, QueryWindow::Instant { time }) => Plan::Instant { time },
        (_, QueryWindow::Instant { time }) => {
            let end = time.unwrap_or(now);
            Plan::Range {
                start: end - DEFAULT_LOG_RANGE_S,
                end,
                step: (kind != QueryKind::Log).then(|| window::auto_step(DEFAULT_LOG_RANGE_S)),
            }
        }
        (_, QueryWindow::Range { start, end, step }) => Plan::Range {
            start,
            end,
            step: (kind != QueryKind::Log).then_some(step),
        },
    }
}

/// Lines a log query returns unless `--limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 100;

/// Run the query and print it; the exit code says how it went.
pub(super) fn run(
    args: &QueryArgs,
    endpoint: &Endpoint,
    timeout: Duration,
    window: QueryWindow,
    now: f64,
) -> Result<ExitCode> {
    let options = ClientOptions::with_timeout(timeout);
    let plan = plan(kind(&args.expr), window, now);
    let limit = args.limit.unwrap_or(DEFAULT_LIMIT);
    let runtime = super::one_query_runtime()?;
    let outcome = runtime.block_on(async {
        let client = LokiClient::with_options(&endpoint.url, &options)?;
        match plan {
            Plan::Instant { time } => client.query(&args.expr, time, limit).await,
            Plan::Range { start, end, step } => {
                client
                    .query_range(&args.expr, start, end, step, limit, Direction::Backward)
                    .await
            }
        }
    });
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return Ok(fail(e.exit_code(), &describe_error(&e, endpoint))),
    };
    match &outcome.data {
        QueryData::Streams(lines) if args.format.csv => {
            for w in &outcome.warnings {
                eprintln!("warning: {w}");
            }
            let mut out = io::BufWriter::new(io::stdout().lock());
            print_logs::csv(lines, &mut out)?;
            out.flush()?;
        }
        _ => print_outcome(&outcome, &args.format)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_and_metric_queries_are_told_apart() {
        assert_eq!(kind(r#"{service_name="payments"} | json"#), QueryKind::Log);
        assert_eq!(kind(r#"  {level="error"}"#), QueryKind::Log);
        assert_eq!(
            kind(r#"sum by (level) (count_over_time({service_name="x"}[5m]))"#),
            QueryKind::Metric
        );
        assert_eq!(kind(r#"rate({a="b"}[1m])"#), QueryKind::Metric);
        assert_eq!(kind(r#"({a="b"})"#), QueryKind::Unsure);
        assert_eq!(kind(""), QueryKind::Unsure);
    }

    #[test]
    fn log_queries_cover_the_last_hour_without_a_range() {
        let now = 10_000.0;
        let instant = QueryWindow::Instant { time: None };
        assert_eq!(
            plan(QueryKind::Log, instant, now),
            Plan::Range {
                start: 6_400.0,
                end: 10_000.0,
                step: None
            }
        );
        assert_eq!(
            plan(
                QueryKind::Log,
                QueryWindow::Instant {
                    time: Some(5_000.0)
                },
                now
            ),
            Plan::Range {
                start: 1_400.0,
                end: 5_000.0,
                step: None
            }
        );
        assert_eq!(
            plan(QueryKind::Metric, instant, now),
            Plan::Instant { time: None }
        );
        assert_eq!(
            plan(QueryKind::Unsure, instant, now),
            Plan::Range {
                start: 6_400.0,
                end: 10_000.0,
                step: Some(15.0)
            }
        );
        let range = QueryWindow::Range {
            start: 1.0,
            end: 61.0,
            step: 2.0,
        };
        assert_eq!(
            plan(QueryKind::Metric, range, now),
            Plan::Range {
                start: 1.0,
                end: 61.0,
                step: Some(2.0)
            }
        );
        assert_eq!(
            plan(QueryKind::Log, range, now),
            Plan::Range {
                start: 1.0,
                end: 61.0,
                step: None
            }
        );
    }
}
