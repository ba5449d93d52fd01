//! `labtui query traceql EXPR`: a TraceQL search over a window (the last hour unless the
//! window flags say otherwise), or, when the query ends in a metrics function
//! (`| rate()`, `| quantile_over_time(…)`), a TraceQL metrics range printed like PromQL's.

use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::Result;

use super::{QueryArgs, describe_error, fail, print_outcome, window};
use crate::lab::query::endpoints::Endpoint;
use crate::lab::query::tempo::{self, TempoClient};
use crate::lab::query::{ClientOptions, QueryWindow};

/// How far back a search looks by default: TraceQL has no instant form, and an hour
/// holds the traces a lesson just made without scanning the whole retention.
pub const DEFAULT_SINCE_S: f64 = 3600.0;

/// Run one TraceQL query against the Tempo at `endpoint`.
pub(super) fn run(
    args: &QueryArgs,
    endpoint: &Endpoint,
    timeout: Duration,
    query_window: QueryWindow,
    now: f64,
) -> Result<ExitCode> {
    let (start, end, step) = match query_window {
        QueryWindow::Instant { time: None } => (
            now - DEFAULT_SINCE_S,
            now,
            window::auto_step(DEFAULT_SINCE_S),
        ),
        QueryWindow::Instant { time: Some(_) } => {
            return Ok(fail(
                1,
                "--time: TraceQL searches a range, not an instant; use --since 15m or \
                 --start/--end (the default is the last hour)",
            ));
        }
        QueryWindow::Range { start, end, step } => (start, end, step),
    };
    // Tempo reads whole seconds: widen the window rather than lose its edges.
    let (start_s, end_s) = (start.floor() as i64, end.ceil() as i64);
    let limit = args.limit.unwrap_or(tempo::DEFAULT_LIMIT);
    let options = ClientOptions::with_timeout(timeout);
    let runtime = super::one_query_runtime()?;
    let outcome = runtime.block_on(async {
        let client = TempoClient::with_options(&endpoint.url, &options)?;
        if tempo::is_metrics_query(&args.expr) {
            client
                .metrics_query_range(&args.expr, start_s, end_s, step)
                .await
        } else {
            client.search(&args.expr, start_s, end_s, limit, 0).await
        }
    });
    match outcome {
        Ok(outcome) => {
            print_outcome(&outcome, &args.format)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(fail(e.exit_code(), &describe_error(&e, endpoint))),
    }
}
