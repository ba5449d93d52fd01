//! A typed client of Loki's HTTP API (/loki/api/v1): log and metric queries, labels and
//! series, detected fields, volume, index stats, format_query and build info; the live
//! tail is in [`tail`].
//!
//! Every call has the client's timeout and a request id (sent as `X-Request-Id:
//! labtui-<id>`); times go out as integer unix nanoseconds; errors keep Loki's words, which
//! it sends as text/plain (queries) or `{"status":"invalid-query","error":…}` (format_query).

pub mod decode;
mod model;
pub mod tail;

pub use model::{DetectedField, Direction, IndexStats};
pub use tail::{TailError, TailEvent, tail};

use serde::de::DeserializeOwned;

/// Loki reports its build in the same shape as Prometheus.
pub use super::prometheus::BuildInfo;

use super::prometheus::decode::Problem;
use super::prometheus::format_seconds;
use super::transport::{Body, ClientOptions, Transport};
use super::types::{InstantSeries, Labels, QueryError, QueryOutcome, RangeSeries};

/// The name errors use for this backend.
pub const BACKEND: &str = "Loki";

/// The header that makes Loki split structured metadata and parsed labels out of the
/// stream labels, each value getting a third element.
pub const ENCODING_FLAGS_HEADER: &str = "X-Loki-Response-Encoding-Flags";

/// A Loki reached at one base URL. Cheap to clone: clones share the connection pool and
/// the request id counter.
#[derive(Debug, Clone)]
pub struct LokiClient {
    transport: Transport,
    categorize_labels: bool,
}

impl LokiClient {
    /// A client with the default timeout ([`super::DEFAULT_TIMEOUT`]).
    pub fn new(base_url: &str) -> Result<Self, QueryError> {
        Self::with_options(base_url, &ClientOptions::default())
    }

    /// A client with other settings (the CLI's `--timeout`, the console's shorter one).
    pub fn with_options(base_url: &str, options: &ClientOptions) -> Result<Self, QueryError> {
        Ok(Self {
            transport: Transport::new(BACKEND, base_url, options)?,
            categorize_labels: false,
        })
    }

    /// Ask for structured metadata and parsed labels apart from the stream labels
    /// (`X-Loki-Response-Encoding-Flags: categorize-labels`), so the log view can show
    /// which is which; off by default, when Loki merges them into the stream.
    pub fn categorize_labels(mut self, on: bool) -> Self {
        self.categorize_labels = on;
        self
    }

    /// The base URL, without a trailing `/`, for messages and the tail's WebSocket.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// Run a LogQL query over a range (unix seconds); the id comes from the client.
    pub async fn query_range(
        &self,
        expr: &str,
        start_s: f64,
        end_s: f64,
        step_s: Option<f64>,
        limit: u32,
        direction: Direction,
    ) -> Result<QueryOutcome, QueryError> {
        let id = self.transport.next_id();
        self.query_range_with_id(id, expr, start_s, end_s, step_s, limit, direction)
            .await
    }

    /// [`Self::query_range`] under the caller's id, so a console can drop stale answers.
    /// A log query gives [`super::QueryData::Streams`] ordered by `direction`, a metric
    /// query a matrix; `step_s` matters only to metric queries.
    #[expect(
        clippy::too_many_arguments,
        reason = "Loki's query_range parameters, each a plain value the caller already has"
    )]
    pub async fn query_range_with_id(
        &self,
        id: u64,
        expr: &str,
        start_s: f64,
        end_s: f64,
        step_s: Option<f64>,
        limit: u32,
        direction: Direction,
    ) -> Result<QueryOutcome, QueryError> {
        let mut params = vec![
            ("query".to_string(), expr.to_string()),
            ("start".to_string(), seconds_to_ns(start_s).to_string()),
            ("end".to_string(), seconds_to_ns(end_s).to_string()),
            ("limit".to_string(), limit.to_string()),
            ("direction".to_string(), direction.as_str().to_string()),
        ];
        if let Some(step) = step_s {
            params.push(("step".to_string(), format_seconds(step)));
        }
        self.run_query(id, "/loki/api/v1/query_range", params, direction)
            .await
    }

    /// Run a metric LogQL query at one instant (now when `time_s` is `None`). Loki refuses
    /// log queries here (HTTP 400, "log queries are not supported as an instant query
    /// type"); run those with [`Self::query_range`].
    pub async fn query(
        &self,
        expr: &str,
        time_s: Option<f64>,
        limit: u32,
    ) -> Result<QueryOutcome, QueryError> {
        self.query_with_id(self.transport.next_id(), expr, time_s, limit)
            .await
    }

    /// [`Self::query`] under the caller's id.
    pub async fn query_with_id(
        &self,
        id: u64,
        expr: &str,
        time_s: Option<f64>,
        limit: u32,
    ) -> Result<QueryOutcome, QueryError> {
        let mut params = vec![
            ("query".to_string(), expr.to_string()),
            ("limit".to_string(), limit.to_string()),
        ];
        if let Some(t) = time_s {
            params.push(("time".to_string(), seconds_to_ns(t).to_string()));
        }
        self.run_query(id, "/loki/api/v1/query", params, Direction::Backward)
            .await
    }

    /// Every label name seen in the range (unix seconds), for completion.
    pub async fn labels(
        &self,
        start_s: Option<f64>,
        end_s: Option<f64>,
    ) -> Result<Vec<String>, QueryError> {
        self.fetch("/loki/api/v1/labels", range(start_s, end_s))
            .await
    }

    /// The values of one label (`service_name` -> `payments`…), for completion.
    pub async fn label_values(
        &self,
        name: &str,
        start_s: Option<f64>,
        end_s: Option<f64>,
    ) -> Result<Vec<String>, QueryError> {
        let path = format!("/loki/api/v1/label/{}/values", path_segment(name));
        self.fetch(&path, range(start_s, end_s)).await
    }

    /// The label sets of the streams matching any of `matchers` (`{service_name="shop"}`).
    pub async fn series(
        &self,
        matchers: &[&str],
        start_s: Option<f64>,
        end_s: Option<f64>,
    ) -> Result<Vec<Labels>, QueryError> {
        let mut params: Vec<(String, String)> = matchers
            .iter()
            .map(|m| ("match[]".to_string(), (*m).to_string()))
            .collect();
        params.extend(range(start_s, end_s));
        self.fetch("/loki/api/v1/series", params).await
    }

    /// The fields Loki finds in the lines `expr` selects, with type and cardinality.
    pub async fn detected_fields(
        &self,
        expr: &str,
        start_s: f64,
        end_s: f64,
    ) -> Result<Vec<DetectedField>, QueryError> {
        let params = query_params(expr, start_s, end_s);
        let body = self.get("/loki/api/v1/detected_fields", params).await?;
        decode::detected_fields(&body).map_err(|p| self.problem(p))
    }

    /// Bytes of log per stream over time (`index/volume_range`), for a histogram that
    /// does not read the lines.
    pub async fn volume_range(
        &self,
        expr: &str,
        start_s: f64,
        end_s: f64,
        step_s: f64,
    ) -> Result<Vec<RangeSeries>, QueryError> {
        let mut params = query_params(expr, start_s, end_s);
        params.push(("step".to_string(), format_seconds(step_s)));
        let body = self.get("/loki/api/v1/index/volume_range", params).await?;
        decode::volume_range(&body).map_err(|p| self.problem(p))
    }

    /// Bytes of log per stream over the whole range (`index/volume`).
    pub async fn volume(
        &self,
        expr: &str,
        start_s: f64,
        end_s: f64,
    ) -> Result<Vec<InstantSeries>, QueryError> {
        let params = query_params(expr, start_s, end_s);
        let body = self.get("/loki/api/v1/index/volume", params).await?;
        decode::volume(&body).map_err(|p| self.problem(p))
    }

    /// Streams, chunks, bytes and entries a selector covers in flushed storage.
    pub async fn index_stats(
        &self,
        expr: &str,
        start_s: f64,
        end_s: f64,
    ) -> Result<IndexStats, QueryError> {
        let params = query_params(expr, start_s, end_s);
        let body = self.get("/loki/api/v1/index/stats", params).await?;
        decode::bare(&body).map_err(|p| self.problem(p))
    }

    /// `expr` as Loki formats it, without running it: a cheap as-you-type syntax check.
    /// A broken query is [`QueryError::Server`] with status 400 and Loki's parse error.
    pub async fn format_query(&self, expr: &str) -> Result<String, QueryError> {
        let params = vec![("query".to_string(), expr.to_string())];
        self.fetch("/loki/api/v1/format_query", params).await
    }

    /// Loki's version and build.
    pub async fn buildinfo(&self) -> Result<BuildInfo, QueryError> {
        let body = self
            .get("/loki/api/v1/status/buildinfo", Vec::new())
            .await?;
        decode::bare(&body).map_err(|p| self.problem(p))
    }

    async fn run_query(
        &self,
        id: u64,
        path: &str,
        params: Vec<(String, String)>,
        direction: Direction,
    ) -> Result<QueryOutcome, QueryError> {
        let flags = [(ENCODING_FLAGS_HEADER, "categorize-labels")];
        let headers: &[(&'static str, &str)] = if self.categorize_labels { &flags } else { &[] };
        let answer = self
            .transport
            .get_with_headers(id, path, Body::Params(params), headers)
            .await?;
        let (data, warnings, raw) =
            decode::query(&answer.body, direction).map_err(|p| self.problem(p))?;
        Ok(QueryOutcome {
            data,
            warnings,
            elapsed: answer.elapsed,
            raw,
        })
    }

    async fn get(&self, path: &str, params: Vec<(String, String)>) -> Result<String, QueryError> {
        let id = self.transport.next_id();
        let answer = self.transport.get(id, path, Body::Params(params)).await?;
        Ok(answer.body)
    }

    async fn fetch<T: DeserializeOwned + Default>(
        &self,
        path: &str,
        params: Vec<(String, String)>,
    ) -> Result<T, QueryError> {
        let body = self.get(path, params).await?;
        decode::data(&body).map_err(|p| self.problem(p))
    }

    fn problem(&self, problem: Problem) -> QueryError {
        match problem {
            Problem::Server {
                error_type,
                message,
            } => QueryError::Server {
                status: 200,
                error_type,
                message,
            },
            Problem::Decode(message) => self.transport.decode_error(message),
        }
    }
}

/// Unix seconds as the integer nanoseconds Loki reads, exact to the nanosecond for the
/// whole and fractional parts (an `f64` of nanoseconds would round to 256 ns).
pub fn seconds_to_ns(s: f64) -> i64 {
    let whole = s.floor();
    let frac = ((s - whole) * 1e9).round() as i64;
    (whole as i64)
        .saturating_mul(1_000_000_000)
        .saturating_add(frac)
}

fn range(start_s: Option<f64>, end_s: Option<f64>) -> Vec<(String, String)> {
    let mut params = Vec::new();
    if let Some(s) = start_s {
        params.push(("start".to_string(), seconds_to_ns(s).to_string()));
    }
    if let Some(e) = end_s {
        params.push(("end".to_string(), seconds_to_ns(e).to_string()));
    }
    params
}

fn query_params(expr: &str, start_s: f64, end_s: f64) -> Vec<(String, String)> {
    let mut params = vec![("query".to_string(), expr.to_string())];
    params.extend(range(Some(start_s), Some(end_s)));
    params
}

/// A label name is `[a-zA-Z_][a-zA-Z0-9_]*`, but a URL path must not be broken by a typo.
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
