//! The Tempo client and `labtui query traceql` against recorded Tempo 2.7.2 answers:
//! a local server on a free port replays each recorded body with its status and content
//! type, and notes what it was asked, so the requests are checked as well as the decoding.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use labtui::lab::query::traces::{SpanKind, Waterfall};
use labtui::lab::query::{QueryData, QueryError, TempoClient};

const TRACE_ID: &str = "63823273f8d74a123d53cff55c22d200";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/tempo")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One request as the server saw it: the path and its decoded parameters.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    params: HashMap<String, String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A replaying Tempo. Dropping it stops the server, also when a test fails.
struct Replay {
    url: String,
    log: Log,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Replay {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let log: Log = Arc::default();
        // Bound here, so the port takes connections before the server task first runs.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&log));
        runtime.spawn(async move {
            if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                let _ = axum::serve(listener, app).await;
            }
        });
        Self {
            url,
            log,
            runtime: Some(runtime),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.log.lock().expect("log").clone()
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        // Allowed inside an async test, unlike dropping the runtime; ends the server task.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The recorded answer to a request, as Tempo 2.7.2 gave it.
async fn answer(
    State(log): State<Log>,
    uri: Uri,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let path = uri.path().to_string();
    log.lock().expect("log").push(Seen {
        path: path.clone(),
        params: params.clone(),
    });
    const JSON: &str = "application/json";
    const TEXT: &str = "text/plain; charset=utf-8";
    let q = params.get("q").map_or("", String::as_str);
    let (status, content_type, body) = match path.as_str() {
        "/api/search" if q.contains("status = }") => (
            StatusCode::BAD_REQUEST,
            Some(TEXT),
            fixture("search-parse-error.txt"),
        ),
        "/api/search" => (StatusCode::OK, Some(JSON), fixture("shop-search-slow.json")),
        p if p == format!("/api/v2/traces/{TRACE_ID}") => (
            StatusCode::OK,
            Some(JSON),
            fixture("shop-trace-checkout-v2.json"),
        ),
        p if p.starts_with("/api/v2/traces/") => (
            StatusCode::NOT_FOUND,
            None,
            fixture("trace-by-id-not-found.txt"),
        ),
        "/api/v2/search/tags" => (StatusCode::OK, Some(JSON), fixture("shop-tags-v2.json")),
        "/api/v2/search/tag/resource.service.name/values" => (
            StatusCode::OK,
            Some(JSON),
            fixture("shop-tag-values-service.json"),
        ),
        "/api/metrics/query_range" => (
            StatusCode::OK,
            Some(JSON),
            fixture("shop-metrics-rate.json"),
        ),
        "/api/status/buildinfo" => (StatusCode::OK, Some(JSON), fixture("status-buildinfo.json")),
        _ => (
            StatusCode::NOT_FOUND,
            Some(TEXT),
            "404 page not found\n".to_string(),
        ),
    };
    match content_type {
        Some(ct) => (status, [(header::CONTENT_TYPE, ct)], body).into_response(),
        None => (status, body).into_response(),
    }
}

#[tokio::test]
async fn replay_search_decodes_hits_and_sends_the_window() {
    let tempo = Replay::start();
    let client = TempoClient::new(&tempo.url).unwrap();
    let outcome = client
        .search("{duration > 500ms}", 1_796_191_693, 1_796_193_493, 5, 0)
        .await
        .unwrap();
    let QueryData::Traces(hits) = &outcome.data else {
        panic!("not traces: {:?}", outcome.data)
    };
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0].trace_id, "85aa04de5c1a8108b0da60f4c01998b");
    assert_eq!(hits[0].duration_ms, Some(1255));
    assert_eq!(outcome.raw, fixture("shop-search-slow.json"));
    let seen = tempo.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/api/search");
    let p = &seen[0].params;
    assert_eq!(p["q"], "{duration > 500ms}");
    assert_eq!(p["start"], "1796191693");
    assert_eq!(p["end"], "1796193493");
    assert_eq!(p["limit"], "5");
    assert!(!p.contains_key("spss"), "0 leaves Tempo's default");
}

#[tokio::test]
async fn replay_trace_by_id_and_an_unknown_one() {
    let tempo = Replay::start();
    let client = TempoClient::new(&tempo.url).unwrap();
    let trace = client.trace(TRACE_ID).await.unwrap().expect("the trace");
    assert_eq!(trace.trace_id, TRACE_ID);
    assert_eq!(trace.spans.len(), 14);
    assert_eq!(trace.spans[0].kind, SpanKind::Server);
    assert_eq!(Waterfall::build(&trace).rows.len(), 14);
    // Tempo's 404 with an empty body: no such trace, not an error.
    assert_eq!(
        client
            .trace("00000000000000000000000000000001")
            .await
            .unwrap(),
        None
    );
    let paths: Vec<String> = tempo.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            format!("/api/v2/traces/{TRACE_ID}"),
            "/api/v2/traces/00000000000000000000000000000001".to_string()
        ]
    );
}

#[tokio::test]
async fn replay_parse_error_keeps_tempos_words() {
    let tempo = Replay::start();
    let client = TempoClient::new(&tempo.url).unwrap();
    let err = client
        .search("{ status = }", 1_795_430_822, 1_795_434_422, 20, 0)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        QueryError::Server {
            status: 400,
            error_type: None,
            message:
                "invalid TraceQL query: parse error at line 1, col 12: syntax error: unexpected }"
                    .into()
        }
    );
    assert_eq!(err.exit_code(), 1);
}

#[tokio::test]
async fn replay_tags_values_metrics_and_build() {
    let tempo = Replay::start();
    let client = TempoClient::new(&tempo.url).unwrap();
    let scopes = client.search_tags_v2().await.unwrap();
    assert_eq!(
        scopes.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["span", "intrinsic", "resource"]
    );
    let values = client
        .tag_values_v2("resource.service.name", Some("{}"))
        .await
        .unwrap();
    assert_eq!(values.len(), 5);
    assert!(values.iter().all(|v| v.type_ == "string"));

    let outcome = client
        .metrics_query_range(
            "{resource.service.name=~\".+\"} | rate() by (resource.service.name)",
            1_796_191_693,
            1_796_193_493,
            60.0,
        )
        .await
        .unwrap();
    let QueryData::Matrix(series) = &outcome.data else {
        panic!("not a matrix: {:?}", outcome.data)
    };
    assert_eq!(series.len(), 4);
    assert_eq!(series[2].labels["resource.service.name"], "payments");
    assert_eq!(outcome.raw, fixture("shop-metrics-rate.json"));
    assert_eq!(client.buildinfo().await.unwrap().version, "2.7.2");

    let seen = tempo.seen();
    assert_eq!(seen[1].params["q"], "{}");
    let metrics = &seen[2];
    assert_eq!(metrics.path, "/api/metrics/query_range");
    assert_eq!(metrics.params["step"], "60s");
    assert_eq!(metrics.params["start"], "1796191693");
}

fn labtui(home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_labtui"));
    cmd.args(args).env("LABTUI_HOME", home).env("NO_COLOR", "1");
    for var in [
        "LABTUI_PROMETHEUS_URL",
        "LABTUI_ALERTMANAGER_URL",
        "LABTUI_LOKI_URL",
        "LABTUI_TEMPO_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().expect("run labtui")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn replay_cli_prints_traces_as_a_table_json_and_csv() {
    let tempo = Replay::start();
    let home = tempfile::tempdir().unwrap();
    let q = "{duration > 500ms}";
    let out = labtui(
        home.path(),
        &[
            "query",
            "traceql",
            q,
            "--tempo-url",
            &tempo.url,
            "--limit",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<Vec<&str>> = text
        .lines()
        .map(|l| {
            l.split("  ")
                .filter(|c| !c.is_empty())
                .map(str::trim)
                .collect()
        })
        .collect();
    assert_eq!(
        lines[0],
        [
            "TRACE ID",
            "ROOT SERVICE",
            "ROOT SPAN",
            "DURATION",
            "SPANS",
            "START"
        ]
    );
    assert_eq!(
        lines[1],
        [
            "85aa04de5c1a8108b0da60f4c01998b",
            "storefront",
            "POST /checkout",
            "1.255s",
            "5",
            "2026-12-02T06:37:12.508Z"
        ]
    );
    assert_eq!(lines.len(), 6);
    // The default window is the last hour, sent as whole seconds.
    let seen = tempo.seen();
    let p = &seen[0].params;
    assert_eq!(p["limit"], "5");
    let start: i64 = p["start"].parse().unwrap();
    let end: i64 = p["end"].parse().unwrap();
    assert!((3600..=3602).contains(&(end - start)), "{start}..{end}");

    let out = labtui(
        home.path(),
        &["query", "traceql", q, "--tempo-url", &tempo.url, "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), fixture("shop-search-slow.json") + "\n");
    assert_eq!(tempo.seen()[1].params["limit"], "20");

    let out = labtui(
        home.path(),
        &[
            "query",
            "traceql",
            q,
            "--tempo-url",
            &tempo.url,
            "--csv",
            "--since",
            "30m",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = stdout(&out);
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("series,timestamp,value"));
    assert_eq!(
        rows.next(),
        Some("85aa04de5c1a8108b0da60f4c01998b,1796193432.508,1255")
    );
    let p = &tempo.seen()[2].params;
    let span = p["end"].parse::<i64>().unwrap() - p["start"].parse::<i64>().unwrap();
    assert!((1800..=1802).contains(&span));
}

#[test]
fn replay_cli_metrics_queries_print_a_matrix() {
    let tempo = Replay::start();
    let home = tempfile::tempdir().unwrap();
    let out = labtui(
        home.path(),
        &[
            "query",
            "traceql",
            "{ } | rate() by (resource.service.name)",
            "--tempo-url",
            &tempo.url,
            "--since",
            "30m",
            "--step",
            "1m",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("SERIES"), "{text}");
    assert!(
        text.contains("{resource.service.name=\"payments\"}"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 5);
    let seen = tempo.seen();
    assert_eq!(seen[0].path, "/api/metrics/query_range");
    assert_eq!(seen[0].params["step"], "60s");
}

#[test]
fn replay_cli_a_parse_error_exits_1_with_tempos_words() {
    let tempo = Replay::start();
    let home = tempfile::tempdir().unwrap();
    let out = labtui(
        home.path(),
        &[
            "query",
            "traceql",
            "{ status = }",
            "--tempo-url",
            &tempo.url,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out).trim_end(),
        "labtui: Tempo rejected the query (HTTP 400): invalid TraceQL query: parse error at \
         line 1, col 12: syntax error: unexpected }"
    );
    // An instant makes no sense for a search: refused before asking.
    let out = labtui(
        home.path(),
        &[
            "query",
            "traceql",
            "{ }",
            "--tempo-url",
            &tempo.url,
            "--time",
            "now",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--since"), "{}", stderr(&out));
    assert_eq!(tempo.seen().len(), 1);
}

#[test]
fn replay_cli_an_unreachable_tempo_exits_2_naming_the_url() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let home = tempfile::tempdir().unwrap();
    let out = labtui(
        home.path(),
        &["query", "traceql", "{ }", "--tempo-url", &url],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("Tempo at {url} cannot be reached")),
        "{err}"
    );
    assert!(err.contains("--tempo-url"), "{err}");
}

#[test]
fn replay_cli_finds_tempo_through_its_variable_and_says_so_when_down() {
    let tempo = Replay::start();
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(["query", "traceql", "{ status = error }"])
        .env("LABTUI_HOME", home.path())
        .env("LABTUI_TEMPO_URL", &tempo.url)
        .output()
        .expect("run labtui");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("TRACE ID"));
    assert_eq!(tempo.seen()[0].params["q"], "{ status = error }");

    let url = tempo.url.clone();
    drop(tempo);
    let out = Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(["query", "traceql", "{ status = error }"])
        .env("LABTUI_HOME", home.path())
        .env("LABTUI_TEMPO_URL", &url)
        .output()
        .expect("run labtui");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("(the URL is from LABTUI_TEMPO_URL)"),
        "{}",
        stderr(&out)
    );
}
