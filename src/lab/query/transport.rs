//! The HTTP every backend client shares: one connection pool per backend, a timeout and a
//! request id on every call, and errors that keep the server's status and words.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tracing::Instrument as _;

use super::types::QueryError;

/// How long a query may take before the client gives up: long enough for a heavy range
/// query on a laptop, short enough that a hung backend does not look like a slow one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long connecting may take; a backend on loopback answers in microseconds, so a
/// slow connect means the host is wrong, not busy.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Past this many bytes of encoded parameters a request goes as a POST form, because
/// servers and proxies cap the length of a URL.
pub const MAX_GET_PARAMS: usize = 2000;

/// The header that carries the request id, so a backend's own logs can be matched with
/// labtui's.
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// Per-client settings; the console and the CLI both start from [`Default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// The whole request, from connecting to the last byte of the body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl ClientOptions {
    /// The defaults with another whole-request timeout (`labtui query --timeout`).
    pub fn with_timeout(timeout: Duration) -> Self {
        Self {
            timeout,
            ..Self::default()
        }
    }
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }
}

/// What a request carries besides its path.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// Parameters; sent in the query string, or as a POST form when they are long.
    Params(Vec<(String, String)>),
    /// A JSON document, POSTed.
    Json(String),
}

impl Body {
    pub(crate) fn none() -> Self {
        Self::Params(Vec::new())
    }
}

/// One backend's HTTP client: its base URL, connection pool, timeout and id counter.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    backend: &'static str,
    base_url: String,
    http: reqwest::Client,
    timeout: Duration,
    connect_timeout: Duration,
    next_id: Arc<AtomicU64>,
}

/// A 2xx answer: its body and how long it took.
#[derive(Debug)]
pub(crate) struct Answer {
    pub body: String,
    pub elapsed: Duration,
}

impl Transport {
    /// A client for `base_url` (`http://127.0.0.1:9090`, no trailing `/` needed).
    pub(crate) fn new(
        backend: &'static str,
        base_url: &str,
        options: &ClientOptions,
    ) -> Result<Self, QueryError> {
        // reqwest is built without a default TLS provider; install ring once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let base_url = base_url.trim_end_matches('/').to_string();
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("labtui/", env!("CARGO_PKG_VERSION")));
        if !base_url.starts_with("https://") {
            // Plain HTTP never verifies a certificate: skip loading the system's roots,
            // which is most of what building a client costs.
            builder = builder.tls_certs_only(std::iter::empty());
        }
        if is_loopback(&base_url) {
            // A corporate http_proxy must not intercept 127.0.0.1.
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| QueryError::Unreachable {
            backend: backend.to_string(),
            url: base_url.clone(),
            message: format!("could not set up an HTTP client: {}", innermost(&e)),
        })?;
        Ok(Self {
            backend,
            base_url,
            http,
            timeout: options.timeout,
            connect_timeout: options.connect_timeout,
            next_id: Arc::new(AtomicU64::new(1)),
        })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The id for a call that was not given one: 1, 2, 3… per client.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A decode error for this backend, naming its URL.
    pub(crate) fn decode_error(&self, message: impl Into<String>) -> QueryError {
        QueryError::Decode {
            backend: self.backend.to_string(),
            url: self.base_url.clone(),
            message: message.into(),
        }
    }

    pub(crate) async fn get(&self, id: u64, path: &str, body: Body) -> Result<Answer, QueryError> {
        self.call(id, reqwest::Method::GET, path, body, &[]).await
    }

    /// [`Self::get`] with extra headers (Loki's `X-Loki-Response-Encoding-Flags`).
    pub(crate) async fn get_with_headers(
        &self,
        id: u64,
        path: &str,
        body: Body,
        headers: &[(&'static str, &str)],
    ) -> Result<Answer, QueryError> {
        self.call(id, reqwest::Method::GET, path, body, headers)
            .await
    }

    pub(crate) async fn post(&self, id: u64, path: &str, body: Body) -> Result<Answer, QueryError> {
        self.call(id, reqwest::Method::POST, path, body, &[]).await
    }

    pub(crate) async fn delete(&self, id: u64, path: &str) -> Result<Answer, QueryError> {
        self.call(id, reqwest::Method::DELETE, path, Body::none(), &[])
            .await
    }

    /// Send one request and read its body; a non-2xx answer becomes
    /// [`QueryError::Server`] with the server's own message.
    async fn call(
        &self,
        id: u64,
        method: reqwest::Method,
        path: &str,
        body: Body,
        headers: &[(&'static str, &str)],
    ) -> Result<Answer, QueryError> {
        let span = tracing::info_span!(
            "backend_request",
            backend = self.backend,
            request_id = id,
            method = %method,
            path
        );
        async move {
            let started = Instant::now();
            let url = format!("{}{path}", self.base_url);
            let mut request = match body {
                Body::Params(params) => {
                    let encoded = encode_params(&params);
                    let long_get = method == reqwest::Method::GET && encoded.len() > MAX_GET_PARAMS;
                    let form_post = method == reqwest::Method::POST && !encoded.is_empty();
                    if long_get || form_post {
                        self.http
                            .post(&url)
                            .header(reqwest::header::CONTENT_TYPE, FORM)
                            .body(encoded)
                    } else if encoded.is_empty() {
                        self.http.request(method, &url)
                    } else {
                        self.http.request(method, format!("{url}?{encoded}"))
                    }
                }
                Body::Json(json) => self
                    .http
                    .request(method, &url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(json),
            };
            request = request.header(REQUEST_ID_HEADER, format!("labtui-{id}"));
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let response = request.send().await.map_err(|e| self.transport_error(&e))?;
            let status = response.status();
            let body = response
                .text()
                .await
                .map_err(|e| self.transport_error(&e))?;
            let elapsed = started.elapsed();
            tracing::debug!(
                status = status.as_u16(),
                elapsed_ms = elapsed.as_millis() as u64,
                bytes = body.len(),
                "answered"
            );
            if !status.is_success() {
                return Err(server_error(status, &body));
            }
            Ok(Answer { body, elapsed })
        }
        .instrument(span)
        .await
    }

    fn transport_error(&self, e: &reqwest::Error) -> QueryError {
        if e.is_timeout() {
            QueryError::Timeout {
                backend: self.backend.to_string(),
                url: self.base_url.clone(),
                // A connect that timed out gave up sooner than the whole request would.
                after: if e.is_connect() {
                    self.connect_timeout
                } else {
                    self.timeout
                },
            }
        } else {
            QueryError::Unreachable {
                backend: self.backend.to_string(),
                url: self.base_url.clone(),
                message: innermost(e),
            }
        }
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

/// `a=1&b=x%20y`, encoded as an HTML form would be (the same for a query string).
fn encode_params(params: &[(String, String)]) -> String {
    if params.is_empty() {
        return String::new();
    }
    // reqwest's Url carries the WHATWG form encoder; borrow it rather than add a crate.
    let mut url = match reqwest::Url::parse("http://params.invalid/") {
        Ok(url) => url,
        Err(_) => return String::new(),
    };
    url.query_pairs_mut().extend_pairs(params);
    url.query().unwrap_or_default().to_string()
}

/// The error a non-2xx answer means, in the server's words: Prometheus'
/// `{"status":"error","errorType":…,"error":…}`, Alertmanager's JSON string or
/// `{"message":…}`, or the body as text (Loki and Tempo answer text/plain).
pub(crate) fn server_error(status: reqwest::StatusCode, body: &str) -> QueryError {
    let text = body.trim();
    let (error_type, message) = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::String(s)) => (None, s),
        Ok(serde_json::Value::Object(map)) => {
            let error_type = map
                .get("errorType")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            let message = ["error", "message", "msg"]
                .iter()
                .find_map(|k| map.get(*k).and_then(|v| v.as_str()))
                .map_or_else(|| text.to_string(), str::to_string);
            (error_type, message)
        }
        _ => (None, text.to_string()),
    };
    let message = if message.is_empty() {
        format!(
            "HTTP {} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_string()
    } else {
        message
    };
    QueryError::Server {
        status: status.as_u16(),
        error_type,
        message,
    }
}

/// The deepest cause of an error, which is the one that says what happened ("Connection
/// refused (os error 111)") rather than where.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    if let Some(io) = current.downcast_ref::<std::io::Error>()
        && io.kind() == std::io::ErrorKind::ConnectionRefused
    {
        return "connection refused".to_string();
    }
    current.to_string()
}

/// Whether a URL's host is this machine.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => &authority[..i],
        _ => authority,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_form_encoded() {
        let p = vec![
            (
                "query".to_string(),
                "sum(rate(x{a=\"b c\"}[5m]))".to_string(),
            ),
            ("time".to_string(), "1.5".to_string()),
        ];
        assert_eq!(
            encode_params(&p),
            "query=sum%28rate%28x%7Ba%3D%22b+c%22%7D%5B5m%5D%29%29&time=1.5"
        );
        assert_eq!(encode_params(&[]), "");
    }

    #[test]
    fn server_errors_keep_the_servers_words() {
        let prom = r#"{"status":"error","errorType":"bad_data","error":"1:17: parse error: unclosed left parenthesis"}"#;
        assert_eq!(
            server_error(reqwest::StatusCode::BAD_REQUEST, prom),
            QueryError::Server {
                status: 400,
                error_type: Some("bad_data".into()),
                message: "1:17: parse error: unclosed left parenthesis".into()
            }
        );
        let am = "\"bad matcher format: foo\"\n";
        assert!(matches!(
            server_error(reqwest::StatusCode::BAD_REQUEST, am),
            QueryError::Server { message, error_type: None, .. } if message == "bad matcher format: foo"
        ));
        let loki = "parse error at line 1, col 27: syntax error: unexpected $end\n";
        assert!(matches!(
            server_error(reqwest::StatusCode::BAD_REQUEST, loki),
            QueryError::Server { message, .. } if message == loki.trim()
        ));
        assert!(matches!(
            server_error(reqwest::StatusCode::NOT_FOUND, ""),
            QueryError::Server { status: 404, message, .. } if message == "HTTP 404 Not Found"
        ));
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:9090"));
        assert!(is_loopback("http://localhost:9090/prom"));
        assert!(is_loopback("http://[::1]:9090"));
        assert!(!is_loopback("https://prometheus.example.com"));
    }
}
