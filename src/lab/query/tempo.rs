//! A typed client of Tempo's HTTP API: TraceQL search, traces by id, tag names and values
//! for completion, TraceQL metrics, build info.
//!
//! Every call has the client's timeout and a request id (sent as `X-Request-Id:
//! labtui-<id>` and recorded in the `backend_request` span); errors keep Tempo's words,
//! which come as plain text (`invalid TraceQL query: parse error at line 1, col 12: …`).

pub mod decode;

use serde::Deserialize;

use super::prometheus::{format_seconds, path_segment};
use super::traces::Trace;
use super::transport::{Answer, Body, ClientOptions, Transport};
use super::types::{QueryData, QueryError, QueryOutcome};

/// The name errors use for this backend.
pub const BACKEND: &str = "Tempo";

/// Traces a search returns when the caller does not say: Tempo's own default.
pub const DEFAULT_LIMIT: u32 = 20;

/// Matched spans kept per span set: Tempo's default, enough to show what matched.
pub const DEFAULT_SPSS: u32 = 3;

/// TraceQL's metrics functions: a query with one of these as a pipeline stage answers
/// with series (on `/api/metrics/query_range`), not traces.
const METRICS_FUNCTIONS: [&str; 9] = [
    "rate",
    "count_over_time",
    "quantile_over_time",
    "histogram_over_time",
    "min_over_time",
    "max_over_time",
    "avg_over_time",
    "sum_over_time",
    "compare",
];

/// Tag names of one scope (`resource`, `span`, `event`, `intrinsic`…).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TagScope {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// One value of a tag, with its TraceQL type (`string`, `int`, `keyword`…), which says
/// whether completion must quote it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TagValue {
    #[serde(rename = "type", default)]
    pub type_: String,
    #[serde(default)]
    pub value: String,
}

/// Tempo's version and build.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BuildInfo {
    pub version: String,
    pub revision: String,
    pub branch: String,
    pub build_user: String,
    pub build_date: String,
    pub go_version: String,
}

/// A Tempo reached at one base URL. Cheap to clone: clones share the connection pool and
/// the request id counter.
#[derive(Debug, Clone)]
pub struct TempoClient {
    transport: Transport,
}

impl TempoClient {
    /// A client with the default timeout ([`super::DEFAULT_TIMEOUT`]).
    pub fn new(base_url: &str) -> Result<Self, QueryError> {
        Self::with_options(base_url, &ClientOptions::default())
    }

    /// A client with other settings (the CLI's `--timeout`, the console's shorter one).
    pub fn with_options(base_url: &str, options: &ClientOptions) -> Result<Self, QueryError> {
        Ok(Self {
            transport: Transport::new(BACKEND, base_url, options)?,
        })
    }

    /// The base URL, without a trailing `/`, for messages.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// Search traces with TraceQL between `start_s` and `end_s` (unix seconds; Tempo
    /// reads whole seconds only); the id comes from the client.
    pub async fn search(
        &self,
        q: &str,
        start_s: i64,
        end_s: i64,
        limit: u32,
        spss: u32,
    ) -> Result<QueryOutcome, QueryError> {
        self.search_with_id(self.transport.next_id(), q, start_s, end_s, limit, spss)
            .await
    }

    /// [`Self::search`] under the caller's id, so a console can drop stale answers. The
    /// outcome's `raw` is Tempo's body as sent; `limit` and `spss` of 0 leave Tempo's
    /// defaults.
    pub async fn search_with_id(
        &self,
        id: u64,
        q: &str,
        start_s: i64,
        end_s: i64,
        limit: u32,
        spss: u32,
    ) -> Result<QueryOutcome, QueryError> {
        let mut params = vec![
            ("q".to_string(), q.to_string()),
            ("start".to_string(), start_s.to_string()),
            ("end".to_string(), end_s.to_string()),
        ];
        if limit > 0 {
            params.push(("limit".into(), limit.to_string()));
        }
        if spss > 0 {
            params.push(("spss".into(), spss.to_string()));
        }
        let answer = self
            .transport
            .get(id, "/api/search", Body::Params(params))
            .await?;
        let hits = decode::search(&answer.body).map_err(|p| self.transport.decode_error(p))?;
        Ok(outcome(QueryData::Traces(hits), answer))
    }

    /// The whole trace with this id (hex), or `None` when Tempo does not know it (its
    /// 404, or a trace without spans): a trace id from a log line may have aged out.
    pub async fn trace(&self, trace_id: &str) -> Result<Option<Trace>, QueryError> {
        self.trace_with_id(self.transport.next_id(), trace_id).await
    }

    /// [`Self::trace`] under the caller's id.
    pub async fn trace_with_id(
        &self,
        id: u64,
        trace_id: &str,
    ) -> Result<Option<Trace>, QueryError> {
        let path = format!("/api/v2/traces/{}", path_segment(trace_id.trim()));
        let answer = match self.transport.get(id, &path, Body::none()).await {
            Ok(answer) => answer,
            Err(QueryError::Server { status: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut trace = decode::trace(&answer.body).map_err(|p| self.transport.decode_error(p))?;
        if trace.spans.is_empty() {
            return Ok(None);
        }
        if trace.trace_id.is_empty() {
            trace.trace_id = trace_id.trim().to_ascii_lowercase();
        }
        Ok(Some(trace))
    }

    /// Tag names by scope, for completion after `span.`, `resource.`…
    pub async fn search_tags_v2(&self) -> Result<Vec<TagScope>, QueryError> {
        let answer = self.fetch("/api/v2/search/tags", Vec::new()).await?;
        decode::tags_v2(&answer.body).map_err(|p| self.transport.decode_error(p))
    }

    /// The values of a scoped tag (`resource.service.name`), optionally only those in
    /// spans matching the TraceQL `q`, for completion after `=`.
    pub async fn tag_values_v2(
        &self,
        tag: &str,
        q: Option<&str>,
    ) -> Result<Vec<TagValue>, QueryError> {
        let path = format!("/api/v2/search/tag/{}/values", path_segment(tag));
        let params = q
            .map(|q| vec![("q".to_string(), q.to_string())])
            .unwrap_or_default();
        let answer = self.fetch(&path, params).await?;
        decode::tag_values_v2(&answer.body).map_err(|p| self.transport.decode_error(p))
    }

    /// Run a TraceQL metrics query (`{…} | rate() by (…)`) over a range; the id comes
    /// from the client.
    pub async fn metrics_query_range(
        &self,
        q: &str,
        start_s: i64,
        end_s: i64,
        step_s: f64,
    ) -> Result<QueryOutcome, QueryError> {
        self.metrics_query_range_with_id(self.transport.next_id(), q, start_s, end_s, step_s)
            .await
    }

    /// [`Self::metrics_query_range`] under the caller's id. The answer is a matrix like
    /// Prometheus' (labels from Tempo's label list, times in seconds); `raw` is Tempo's
    /// body as sent.
    pub async fn metrics_query_range_with_id(
        &self,
        id: u64,
        q: &str,
        start_s: i64,
        end_s: i64,
        step_s: f64,
    ) -> Result<QueryOutcome, QueryError> {
        let params = vec![
            ("q".to_string(), q.to_string()),
            ("start".to_string(), start_s.to_string()),
            ("end".to_string(), end_s.to_string()),
            ("step".to_string(), format!("{}s", format_seconds(step_s))),
        ];
        let answer = self
            .transport
            .get(id, "/api/metrics/query_range", Body::Params(params))
            .await?;
        let series = decode::metrics(&answer.body).map_err(|p| self.transport.decode_error(p))?;
        Ok(outcome(QueryData::Matrix(series), answer))
    }

    /// Tempo's version and build.
    pub async fn buildinfo(&self) -> Result<BuildInfo, QueryError> {
        let answer = self.fetch("/api/status/buildinfo", Vec::new()).await?;
        decode::buildinfo(&answer.body).map_err(|p| self.transport.decode_error(p))
    }

    async fn fetch(&self, path: &str, params: Vec<(String, String)>) -> Result<Answer, QueryError> {
        let id = self.transport.next_id();
        self.transport.get(id, path, Body::Params(params)).await
    }
}

fn outcome(data: QueryData, answer: Answer) -> QueryOutcome {
    QueryOutcome {
        data,
        warnings: Vec::new(),
        elapsed: answer.elapsed,
        raw: answer.body,
    }
}

/// Whether a TraceQL query asks for metrics (`{ } | rate() by (resource.service.name)`)
/// rather than traces: one of its pipeline stages is a metrics function. Quoted text is
/// ignored, so `{ name = "| rate()" }` is a search; `||` between span sets is not a pipe.
pub fn is_metrics_query(q: &str) -> bool {
    let mut stages: Vec<String> = vec![String::new()];
    let mut depth: i32 = 0;
    let mut chars = q.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                // Skip the quoted text; a backslash escapes the next character.
                while let Some(d) = chars.next() {
                    if d == '\\' && c != '`' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
                push(&mut stages, ' ');
            }
            '{' | '(' | '[' => {
                depth += 1;
                push(&mut stages, c);
            }
            '}' | ')' | ']' => {
                depth -= 1;
                push(&mut stages, c);
            }
            '|' if chars.peek() == Some(&'|') => {
                chars.next();
                push(&mut stages, ' ');
            }
            '|' if depth <= 0 => stages.push(String::new()),
            c => push(&mut stages, c),
        }
    }
    stages.iter().any(|stage| {
        let stage = stage.trim_start();
        METRICS_FUNCTIONS.iter().any(|f| {
            stage
                .strip_prefix(f)
                .is_some_and(|rest| rest.trim_start().starts_with('('))
        })
    })
}

fn push(stages: &mut [String], c: char) {
    if let Some(last) = stages.last_mut() {
        last.push(c);
    }
}

#[cfg(test)]
mod tests;
