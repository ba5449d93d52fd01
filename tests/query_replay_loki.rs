//! The Loki client and `labtui query logql` against a local server that
//! answer with the recorded Loki 3.4.6 bodies, statuses and content types
//! (tests/fixtures/real-api/loki): what goes out (nanosecond times, headers) and what the
//! answers become.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use labtui::lab::query::loki::{Direction, decode};
use labtui::lab::query::{LokiClient, QueryData, QueryError};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/loki")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `data` of a recorded answer, as the server wrote it.
fn recorded_data(name: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        data: &'a serde_json::value::RawValue,
    }
    let body = fixture(name);
    let env: Envelope<'_> = serde_json::from_str(&body).unwrap();
    env.data.get().to_string()
}

/// One recorded exchange: the request it answers and the answer.
struct Route {
    path: &'static str,
    /// The `query` parameter it answers, when the path alone does not decide.
    query: Option<&'static str>,
    /// Answer only requests that carry categorize-labels.
    categorized: bool,
    file: &'static str,
    status: u16,
    content_type: &'static str,
}

const JSON: &str = "application/json; charset=UTF-8";
const TEXT: &str = "text/plain; charset=utf-8";
const CHECKOUT: &str = r#"{service_name="checkout"}"#;
const CHECKOUT_BY_LEVEL: &str =
    r#"sum by (level) (count_over_time({service_name="checkout"}[10m]))"#;
const BROKEN: &str = r#"{service_name="checkout""#;
const BY_SERVICE: &str = r#"sum by (service_name) (count_over_time({env="dev"}[1h]))"#;
const PAYMENTS_JSON: &str = r#"{service_name="payments"} | json"#;
const UNFORMATTED: &str = r#"{service_name="payments"}|json|latency_ms>500"#;
const BROKEN_PAYMENTS: &str = r#"{service_name="payments""#;

fn route(path: &'static str, query: Option<&'static str>, file: &'static str) -> Route {
    Route {
        path,
        query,
        categorized: false,
        file,
        status: 200,
        content_type: JSON,
    }
}

fn routes() -> Vec<Route> {
    let range = "/loki/api/v1/query_range";
    vec![
        route(range, Some(CHECKOUT), "query-range-streams.json"),
        route(range, Some(CHECKOUT_BY_LEVEL), "query-range-matrix.json"),
        Route {
            status: 400,
            content_type: TEXT,
            ..route(range, Some(BROKEN), "query-parse-error.txt")
        },
        Route {
            categorized: true,
            ..route(
                range,
                Some(PAYMENTS_JSON),
                "query-range-categorize-labels.json",
            )
        },
        route(
            "/loki/api/v1/query",
            Some(BY_SERVICE),
            "query-instant-vector.json",
        ),
        Route {
            status: 400,
            content_type: TEXT,
            ..route(
                "/loki/api/v1/query",
                Some(CHECKOUT),
                "query-instant-log-selector-error.txt",
            )
        },
        Route {
            content_type: "application/json; charset=utf-8",
            ..route(
                "/loki/api/v1/format_query",
                Some(UNFORMATTED),
                "format-query-ok.json",
            )
        },
        Route {
            status: 400,
            content_type: "application/json; charset=utf-8",
            ..route(
                "/loki/api/v1/format_query",
                Some(BROKEN_PAYMENTS),
                "format-query-error.txt",
            )
        },
        route("/loki/api/v1/labels", None, "labels.json"),
        route(
            "/loki/api/v1/label/service_name/values",
            None,
            "label-service_name-values.json",
        ),
        route("/loki/api/v1/series", None, "series.json"),
        route("/loki/api/v1/detected_fields", None, "detected-fields.json"),
        route("/loki/api/v1/index/volume_range", None, "shop-volume.json"),
        route("/loki/api/v1/index/stats", None, "index-stats.json"),
        Route {
            content_type: "application/json",
            ..route(
                "/loki/api/v1/status/buildinfo",
                None,
                "status-buildinfo.json",
            )
        },
    ]
}

/// What the replay server was sent.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    params: Vec<(String, String)>,
    headers: HeaderMap,
}

impl Seen {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
struct Replay {
    routes: Arc<Vec<Route>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A task aborted when the test ends, passed or failed.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The recorded Loki on a free port: its base URL, what it was sent, and its task.
struct ReplayServer {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    _task: AbortOnDrop<()>,
}

impl ReplayServer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let state = Replay {
            routes: Arc::new(routes()),
            seen: Arc::default(),
        };
        let seen = state.seen.clone();
        let app = axum::Router::new().fallback(answer).with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            seen,
            _task: AbortOnDrop(task),
        }
    }

    fn last(&self, path: &str) -> Seen {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|s| s.path == path)
            .cloned()
            .unwrap_or_else(|| panic!("no request to {path}"))
    }
}

async fn answer(
    State(replay): State<Replay>,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let params: Vec<(String, String)> = reqwest::Url::parse(&format!(
        "http://replay.invalid/?{}",
        query.unwrap_or_default()
    ))
    .unwrap()
    .query_pairs()
    .map(|(k, v)| (k.into_owned(), v.into_owned()))
    .collect();
    let seen = Seen {
        path: uri.path().to_string(),
        params,
        headers: headers.clone(),
    };
    replay.seen.lock().unwrap().push(seen.clone());
    let categorized = headers
        .get("X-Loki-Response-Encoding-Flags")
        .is_some_and(|v| v == "categorize-labels");
    let found = replay.routes.iter().find(|r| {
        r.path == seen.path
            && r.query.is_none_or(|q| seen.param("query") == Some(q))
            && (!r.categorized || categorized)
    });
    match found {
        Some(r) => (
            StatusCode::from_u16(r.status).unwrap(),
            [(header::CONTENT_TYPE, r.content_type)],
            fixture(r.file),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "404 page not found\n").into_response(),
    }
}

const START: f64 = 1_795_430_822.0;
const END: f64 = 1_795_434_422.0;

#[tokio::test]
async fn replay_a_log_query_sends_nanoseconds_and_flattens_streams() {
    let loki = ReplayServer::start().await;
    let client = LokiClient::new(&loki.url).unwrap();
    let outcome = client
        .query_range(CHECKOUT, START, END, None, 5, Direction::Backward)
        .await
        .unwrap();
    let QueryData::Streams(lines) = &outcome.data else {
        panic!("not log lines: {:?}", outcome.data)
    };
    assert_eq!(lines.len(), 5);
    assert!(lines.windows(2).all(|w| w[0].ts_ns >= w[1].ts_ns));
    assert!(lines.iter().all(|l| l.service() == Some("checkout")));
    assert_eq!(outcome.raw, recorded_data("query-range-streams.json"));

    let sent = loki.last("/loki/api/v1/query_range");
    assert_eq!(sent.param("start"), Some("1795430822000000000"));
    assert_eq!(sent.param("end"), Some("1795434422000000000"));
    assert_eq!(sent.param("limit"), Some("5"));
    assert_eq!(sent.param("direction"), Some("backward"));
    assert_eq!(sent.param("step"), None);
    assert!(sent.headers.get("X-Loki-Response-Encoding-Flags").is_none());
    assert!(
        sent.headers["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("labtui-")
    );

    // Forward: oldest first.
    let outcome = client
        .query_range(CHECKOUT, START, END, None, 5, Direction::Forward)
        .await
        .unwrap();
    let QueryData::Streams(forward) = &outcome.data else {
        panic!("not log lines")
    };
    assert!(forward.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
    assert_eq!(
        loki.last("/loki/api/v1/query_range").param("direction"),
        Some("forward")
    );
}

#[tokio::test]
async fn replay_categorize_labels_is_asked_for_and_split_out() {
    let loki = ReplayServer::start().await;
    let client = LokiClient::new(&loki.url).unwrap().categorize_labels(true);
    let outcome = client
        .query_range_with_id(41, PAYMENTS_JSON, START, END, None, 3, Direction::Backward)
        .await
        .unwrap();
    let sent = loki.last("/loki/api/v1/query_range");
    assert_eq!(
        sent.headers["X-Loki-Response-Encoding-Flags"],
        "categorize-labels"
    );
    assert_eq!(sent.headers["x-request-id"], "labtui-41");
    let QueryData::Streams(lines) = &outcome.data else {
        panic!("not log lines")
    };
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0].structured["trace_id"],
        "30877432d1026706d7e805da846a32c3"
    );
    assert_eq!(lines[0].parsed["msg"], "cart updated");
}

#[tokio::test]
async fn replay_metric_queries_give_a_matrix_and_a_vector() {
    let loki = ReplayServer::start().await;
    let client = LokiClient::new(&loki.url).unwrap();
    let outcome = client
        .query_range(
            CHECKOUT_BY_LEVEL,
            START,
            END,
            Some(600.0),
            100,
            Direction::Backward,
        )
        .await
        .unwrap();
    let QueryData::Matrix(m) = &outcome.data else {
        panic!("not a matrix: {:?}", outcome.data)
    };
    assert!(!m.is_empty());
    assert!(m.iter().all(|s| s.labels.contains_key("level")));
    assert_eq!(
        loki.last("/loki/api/v1/query_range").param("step"),
        Some("600")
    );

    let outcome = client.query(BY_SERVICE, Some(END), 100).await.unwrap();
    let QueryData::Vector(v) = &outcome.data else {
        panic!("not a vector: {:?}", outcome.data)
    };
    assert_eq!(v.len(), 4);
    assert_eq!(v[0].sample.v, 106.0);
    assert_eq!(
        loki.last("/loki/api/v1/query").param("time"),
        Some("1795434422000000000")
    );
}

#[tokio::test]
async fn replay_text_errors_keep_lokis_words_and_status() {
    let loki = ReplayServer::start().await;
    let client = LokiClient::new(&loki.url).unwrap();
    let err = client
        .query_range(BROKEN, START, END, None, 100, Direction::Backward)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        QueryError::Server {
            status: 400,
            error_type: None,
            message:
                "parse error at line 1, col 25: syntax error: unexpected $end, expecting } or ,"
                    .into()
        }
    );
    let err = client.query(CHECKOUT, Some(END), 100).await.unwrap_err();
    assert!(
        matches!(&err, QueryError::Server { status: 400, message, .. }
            if message.starts_with("log queries are not supported as an instant query type")),
        "{err:?}"
    );
    assert_eq!(err.exit_code(), 1);
}

#[tokio::test]
async fn replay_format_query_ok_and_error() {
    let loki = ReplayServer::start().await;
    let client = LokiClient::new(&loki.url).unwrap();
    assert_eq!(
        client.format_query(UNFORMATTED).await.unwrap(),
        r#"{service_name="payments"} | json | latency_ms>500"#
    );
    let err = client.format_query(BROKEN_PAYMENTS).await.unwrap_err();
    assert_eq!(
        err,
        QueryError::Server {
            status: 400,
            error_type: None,
            message:
                "parse error at line 1, col 25: syntax error: unexpected $end, expecting } or ,"
                    .into()
        }
    );
}

#[tokio::test]
async fn replay_labels_values_series_fields_volume_and_build() {
    let loki = ReplayServer::start().await;
    let client = LokiClient::new(&loki.url).unwrap();
    assert_eq!(
        client.labels(Some(START), Some(END)).await.unwrap(),
        ["env", "job", "level", "service_name"]
    );
    let sent = loki.last("/loki/api/v1/labels");
    assert_eq!(sent.param("start"), Some("1795430822000000000"));
    assert_eq!(
        client
            .label_values("service_name", None, None)
            .await
            .unwrap(),
        ["checkout", "gateway", "orders", "payments"]
    );
    let series = client
        .series(&[CHECKOUT], Some(START), Some(END))
        .await
        .unwrap();
    assert_eq!(series.len(), 3);
    assert_eq!(
        loki.last("/loki/api/v1/series").param("match[]"),
        Some(CHECKOUT)
    );
    let fields = client.detected_fields(CHECKOUT, START, END).await.unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f.label == "trace_id" && f.parsers == ["json"])
    );
    let volume = client
        .volume_range(r#"{service_name=~".+"}"#, START, END, 60.0)
        .await
        .unwrap();
    assert_eq!(volume[0].labels["service_name"], "storefront");
    assert_eq!(
        loki.last("/loki/api/v1/index/volume_range").param("step"),
        Some("60")
    );
    let stats = client.index_stats(CHECKOUT, START, END).await.unwrap();
    assert_eq!(stats.entries, 212);
    assert_eq!(client.buildinfo().await.unwrap().version, "3.4.6");
    // An endpoint Loki does not have: its 404 text.
    let err = client.volume(CHECKOUT, START, END).await.unwrap_err();
    assert!(
        matches!(err, QueryError::Server { status: 404, .. }),
        "{err:?}"
    );
}

// `labtui query logql`, the real binary, against the replay server.

async fn labtui(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_labtui"));
    cmd.args(args)
        .env("LABTUI_HOME", home.path())
        .env("NO_COLOR", "1")
        .kill_on_drop(true);
    for var in [
        "LABTUI_PROMETHEUS_URL",
        "LABTUI_ALERTMANAGER_URL",
        "LABTUI_LOKI_URL",
        "LABTUI_TEMPO_URL",
    ] {
        cmd.env_remove(var);
    }
    tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("labtui finished")
        .expect("run labtui")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn replay_cli_prints_log_lines_newest_first_over_the_last_hour() {
    let loki = ReplayServer::start().await;
    let flag = format!("--loki-url={}", loki.url);
    let out = labtui(&["query", "logql", CHECKOUT, &flag]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let rows: Vec<&str> = stdout.lines().collect();
    assert_eq!(rows.len(), 6, "{stdout}");
    let header: Vec<&str> = rows[0].split_whitespace().collect();
    assert_eq!(header, ["TIME", "LEVEL", "SERVICE", "LINE"]);

    let expected = match decode::query(&fixture("query-range-streams.json"), Direction::Backward)
        .unwrap()
        .0
    {
        QueryData::Streams(l) => l,
        other => panic!("{other:?}"),
    };
    for (row, entry) in rows[1..].iter().zip(&expected) {
        let time = chrono::DateTime::from_timestamp_nanos(entry.ts_ns)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let cells: Vec<&str> = row.splitn(4, "  ").map(str::trim).collect();
        assert_eq!(cells[0], time, "{row}");
        assert_eq!(Some(cells[1].to_string()), entry.level(), "{row}");
        assert_eq!(cells[2].trim(), "checkout", "{row}");
        assert!(row.ends_with(&entry.line), "{row}");
    }
    // Aligned: every line starts in the LINE column.
    let at = rows[0].find("LINE").unwrap();
    assert!(
        rows[1..].iter().all(|r| r[at..].starts_with('{')),
        "{stdout}"
    );

    let sent = loki.last("/loki/api/v1/query_range");
    assert_eq!(sent.param("limit"), Some("100"));
    assert_eq!(sent.param("direction"), Some("backward"));
    assert_eq!(sent.param("step"), None);
    let start: i64 = sent.param("start").unwrap().parse().unwrap();
    let end: i64 = sent.param("end").unwrap().parse().unwrap();
    assert_eq!(end - start, 3_600_000_000_000, "the last hour");

    let out = labtui(&[
        "query", "logql", CHECKOUT, "--limit", "7", "--since", "5m", &flag,
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sent = loki.last("/loki/api/v1/query_range");
    assert_eq!(sent.param("limit"), Some("7"));
    let start: i64 = sent.param("start").unwrap().parse().unwrap();
    let end: i64 = sent.param("end").unwrap().parse().unwrap();
    assert_eq!(end - start, 300_000_000_000);
}

#[tokio::test]
async fn replay_cli_json_is_the_servers_data_and_csv_has_one_row_per_line() {
    let loki = ReplayServer::start().await;
    let flag = format!("--loki-url={}", loki.url);
    let out = labtui(&["query", "logql", CHECKOUT, "--json", &flag]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("{}\n", recorded_data("query-range-streams.json"))
    );

    let out = labtui(&["query", "logql", CHECKOUT, "--csv", &flag]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("time,level,service,line"));
    assert_eq!(rows.count(), 5);

    // A metric query with no window runs at an instant and prints the vector table.
    let out = labtui(&["query", "logql", BY_SERVICE, &flag]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["service_name", "VALUE"]);
    assert_eq!(rows[1], ["checkout", "106"]);
    assert!(loki.last("/loki/api/v1/query").param("time").is_none());
}

#[tokio::test]
async fn replay_cli_parse_error_exits_1_with_lokis_text() {
    let loki = ReplayServer::start().await;
    let flag = format!("--loki-url={}", loki.url);
    let out = labtui(&["query", "logql", BROKEN, &flag]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "labtui: Loki rejected the query (HTTP 400): parse error at line 1, col 25: syntax error: unexpected $end, expecting } or ,\n"
    );
    assert_eq!(text(&out.stdout), "");
}

#[tokio::test]
async fn replay_cli_no_loki_exits_2_naming_the_url() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{closed}");
    let out = labtui(&["query", "logql", CHECKOUT, "--loki-url", &url]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("Loki at {url} cannot be reached")),
        "{err}"
    );
    assert!(err.contains("from --loki-url"), "{err}");
}
