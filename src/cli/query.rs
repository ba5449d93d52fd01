//! `labtui query promql|logql|traceql EXPR`: one query against the lab's backend, printed
//! as a table, CSV or the server's own JSON.
//!
//! Exit codes: 0 on success, 1 when the query (or a flag) is wrong, with the server's
//! words on stderr, 2 when there is no backend to ask. The command does only what one
//! query needs: no content, no config unless no other source names the URL, a
//! single-threaded runtime and one connection.

mod logql;
mod print;
mod print_logs;
mod print_traces;
mod traceql;
pub mod window;

use std::io::{self, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, WrapErr};

use crate::lab::config::StackUrls;
use crate::lab::paths::Paths;
use crate::lab::query::endpoints::{self, Backend, Endpoint, Sources};
use crate::lab::query::{ClientOptions, PrometheusClient, QueryError, QueryLang, QueryOutcome};
use window::WindowSpec;

/// `labtui query ...`
#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// Run a PromQL query against Prometheus
    #[command(
        after_help = "Examples:\n  labtui query promql up\n  labtui query promql 'sum by (service) (rate(http_requests_total[5m]))' --since 1h\n  labtui query promql up --time now-10m --json\n  labtui query promql 'rate(http_requests_total[1m])' --start 2026-01-02T10:00:00Z --end 2026-01-02T11:00:00Z --step 1m --csv"
    )]
    Promql(QueryArgs),
    /// Run a LogQL query against Loki
    #[command(
        after_help = "A log query ({...} and a pipeline) covers the last hour (the hour before --time) unless --since or --start says otherwise; a metric query runs at an instant, or over a range with --since or --start.\n\nExamples:\n  labtui query logql '{service_name=\"payments\"} | json | latency_ms > 500'\n  labtui query logql '{level=\"error\"}' --since 15m --limit 20 --csv\n  labtui query logql 'sum by (service_name) (rate({service_name=~\".+\"}[1m]))' --since 30m"
    )]
    Logql(QueryArgs),
    /// Run a TraceQL query against Tempo (a search over the last hour by default)
    #[command(
        after_help = "Examples:\n  labtui query traceql '{ resource.service.name = \"payments\" }'\n  labtui query traceql '{ duration > 500ms }' --since 15m --limit 5\n  labtui query traceql '{ } | rate() by (resource.service.name)' --since 30m\n  labtui query traceql '{ status = error }' --json"
    )]
    Traceql(QueryArgs),
}

impl QueryCommand {
    fn parts(&self) -> (QueryLang, &QueryArgs) {
        match self {
            Self::Promql(a) => (QueryLang::PromQL, a),
            Self::Logql(a) => (QueryLang::LogQL, a),
            Self::Traceql(a) => (QueryLang::TraceQL, a),
        }
    }
}

/// What every query verb takes.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query
    pub expr: String,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub format: FormatArgs,
    #[command(flatten)]
    pub urls: BackendUrlArgs,
    /// Give up after this long (e.g. 30s)
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub timeout: String,
    /// Most log lines (logql) [default: 100] or traces (traceql) [default: 20] to return
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
}

/// When the query is evaluated: now by default.
#[derive(Debug, Args)]
pub struct WindowArgs {
    /// Evaluate at one instant: now, now-5m, unix seconds or RFC 3339 [default: now]
    #[arg(long, value_name = "T", conflicts_with_all = ["since", "start", "end"])]
    pub time: Option<String>,
    /// A range ending now, this long (e.g. 15m, 1h)
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["start", "end"])]
    pub since: Option<String>,
    /// Start of a range (same forms as --time)
    #[arg(long, value_name = "S")]
    pub start: Option<String>,
    /// End of a range [default: now]
    #[arg(long, value_name = "E", requires = "start")]
    pub end: Option<String>,
    /// Resolution of a range (e.g. 30s) [default: the range / 250, rounded to a nice step]
    #[arg(long, value_name = "DURATION")]
    pub step: Option<String>,
}

impl WindowArgs {
    fn spec(&self) -> WindowSpec {
        WindowSpec {
            time: self.time.clone(),
            since: self.since.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            step: self.step.clone(),
        }
    }
}

/// How the result is printed (a table by default).
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct FormatArgs {
    /// Print the server's `data` JSON unchanged
    #[arg(long)]
    pub json: bool,
    /// Print an aligned table (the default)
    #[arg(long)]
    pub table: bool,
    /// Print CSV, one row per sample: series, timestamp, value
    #[arg(long)]
    pub csv: bool,
}

/// Where the backends are, when not the running lab's.
#[derive(Debug, Args)]
pub struct BackendUrlArgs {
    /// Prometheus to query instead of the running lab's [env: LABTUI_PROMETHEUS_URL]
    #[arg(long, value_name = "URL")]
    pub prometheus_url: Option<String>,
    /// Alertmanager to use instead of the running lab's [env: LABTUI_ALERTMANAGER_URL]
    #[arg(long, value_name = "URL")]
    pub alertmanager_url: Option<String>,
    /// Loki to query instead of the running lab's [env: LABTUI_LOKI_URL]
    #[arg(long, value_name = "URL")]
    pub loki_url: Option<String>,
    /// Tempo to query instead of the running lab's [env: LABTUI_TEMPO_URL]
    #[arg(long, value_name = "URL")]
    pub tempo_url: Option<String>,
}

impl BackendUrlArgs {
    fn as_urls(&self) -> StackUrls {
        StackUrls {
            prometheus: self.prometheus_url.clone(),
            alertmanager: self.alertmanager_url.clone(),
            loki: self.loki_url.clone(),
            tempo: self.tempo_url.clone(),
        }
    }
}

/// Run `labtui query ...`.
pub fn run(command: &QueryCommand) -> Result<ExitCode> {
    let (lang, args) = command.parts();
    let backend = match lang {
        QueryLang::PromQL => Backend::Prometheus,
        QueryLang::LogQL => Backend::Loki,
        QueryLang::TraceQL => Backend::Tempo,
    };
    let timeout = match window::parse_duration(&args.timeout) {
        Ok(secs) if secs > 0.0 => Duration::from_secs_f64(secs),
        _ => {
            return Ok(fail(
                1,
                &format!("--timeout: {:?} is not a duration like 10s", args.timeout),
            ));
        }
    };
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    let query_window = match window::window(&args.window.spec(), now) {
        Ok(w) => w,
        Err(e) => return Ok(fail(1, &e)),
    };
    let paths = Paths::resolve()?;
    let flags = args.urls.as_urls();
    let endpoint = match endpoints::resolve(
        backend,
        Sources {
            paths: &paths,
            flags: &flags,
            env: |k: &str| std::env::var(k).ok(),
            config: endpoints::config_file_urls(&paths),
        },
    ) {
        Ok(e) => e,
        Err(e) => return Ok(fail(e.exit_code(), &e.to_string())),
    };
    if lang == QueryLang::TraceQL {
        return traceql::run(args, &endpoint, timeout, query_window, now);
    }
    if backend == Backend::Loki {
        return logql::run(args, &endpoint, timeout, query_window, now);
    }
    let options = ClientOptions::with_timeout(timeout);
    let runtime = one_query_runtime()?;
    let outcome = runtime.block_on(async {
        let client = PrometheusClient::with_options(&endpoint.url, &options)?;
        client.query(&args.expr, query_window).await
    });
    match outcome {
        Ok(outcome) => {
            print_outcome(&outcome, &args.format)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(fail(e.exit_code(), &describe_error(&e, &endpoint))),
    }
}

/// The runtime one query needs: a single thread with timers and sockets, nothing more,
/// so starting it costs next to nothing beside the request.
fn one_query_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .wrap_err("could not start the async runtime")
}

fn print_outcome(outcome: &QueryOutcome, format: &FormatArgs) -> Result<()> {
    for w in &outcome.warnings {
        eprintln!("warning: {w}");
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    if format.json {
        writeln!(out, "{}", outcome.raw)?;
    } else if format.csv {
        print::csv(&outcome.data, &mut out)?;
    } else {
        print::table(&outcome.data, &mut out)?;
    }
    out.flush()?;
    Ok(())
}

/// The error as the learner should read it: the server's words when it answered, else
/// the URL, where it came from and how to get a backend.
fn describe_error(e: &QueryError, endpoint: &Endpoint) -> String {
    match e {
        QueryError::Server {
            status,
            error_type,
            message,
        } => {
            let kind = error_type
                .as_deref()
                .map_or(String::new(), |t| format!(", {t}"));
            format!(
                "{} rejected the query (HTTP {status}{kind}): {message}",
                endpoint.backend
            )
        }
        QueryError::Unreachable { .. } | QueryError::Timeout { .. } => {
            format!("{e} (the URL is {})", endpoint.source)
        }
        other => other.to_string(),
    }
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("labtui: {message}");
    ExitCode::from(code)
}
