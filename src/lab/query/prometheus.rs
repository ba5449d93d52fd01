//! A typed client of Prometheus' HTTP API (/api/v1): queries, series and labels, metadata,
//! targets, rules and alerts, exemplars, build info.
//!
//! Every call has the client's timeout and a request id (sent as `X-Request-Id:
//! labtui-<id>` and recorded in the `backend_request` span); errors keep Prometheus' words.

pub mod decode;
mod model;

pub use model::{
    ActiveTarget, Alert, AlertState, AlertingRule, BuildInfo, DroppedTarget, Exemplar,
    ExemplarSeries, Metadata, MetricKind, MetricMetadata, RecordingRule, Rule, RuleGroup,
    RuleHealth, TargetHealth, Targets,
};

use serde::de::DeserializeOwned;

use super::transport::{Body, ClientOptions, Transport};
use super::types::{Labels, QueryError, QueryOutcome, QueryWindow};
use decode::Problem;

/// The name errors use for this backend.
pub const BACKEND: &str = "Prometheus";

/// A Prometheus reached at one base URL. Cheap to clone: clones share the connection
/// pool and the request id counter.
#[derive(Debug, Clone)]
pub struct PrometheusClient {
    transport: Transport,
}

impl PrometheusClient {
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

    /// Run a PromQL query at an instant or over a range; the id comes from the client.
    pub async fn query(&self, expr: &str, window: QueryWindow) -> Result<QueryOutcome, QueryError> {
        self.query_with_id(self.transport.next_id(), expr, window)
            .await
    }

    /// [`Self::query`] under the caller's id, so a console can match answers to the
    /// requests it still wants and drop stale ones.
    pub async fn query_with_id(
        &self,
        id: u64,
        expr: &str,
        window: QueryWindow,
    ) -> Result<QueryOutcome, QueryError> {
        let mut params = vec![("query".to_string(), expr.to_string())];
        let path = match window {
            QueryWindow::Instant { time } => {
                if let Some(t) = time {
                    params.push(("time".into(), format_seconds(t)));
                }
                "/api/v1/query"
            }
            QueryWindow::Range { start, end, step } => {
                params.push(("start".into(), format_seconds(start)));
                params.push(("end".into(), format_seconds(end)));
                params.push(("step".into(), format_seconds(step)));
                "/api/v1/query_range"
            }
        };
        let answer = self.transport.get(id, path, Body::Params(params)).await?;
        let (data, warnings, raw) = decode::query(&answer.body).map_err(|p| self.problem(p))?;
        Ok(QueryOutcome {
            data,
            warnings,
            elapsed: answer.elapsed,
            raw,
        })
    }

    /// The series matching any of `matchers` (`up`, `{job="shop"}`), optionally within
    /// a time range (unix seconds).
    pub async fn series(
        &self,
        matchers: &[&str],
        start: Option<f64>,
        end: Option<f64>,
    ) -> Result<Vec<Labels>, QueryError> {
        let mut params: Vec<(String, String)> = matchers
            .iter()
            .map(|m| ("match[]".to_string(), (*m).to_string()))
            .collect();
        push_range(&mut params, start, end);
        self.fetch("/api/v1/series", params).await
    }

    /// Every label name, for completion.
    pub async fn labels(&self) -> Result<Vec<String>, QueryError> {
        self.fetch("/api/v1/labels", Vec::new()).await
    }

    /// The values of one label (`job` -> `prometheus`, `shop`…), for completion.
    pub async fn label_values(&self, name: &str) -> Result<Vec<String>, QueryError> {
        let path = format!("/api/v1/label/{}/values", path_segment(name));
        self.fetch(&path, Vec::new()).await
    }

    /// Type, help and unit of every metric, or of one.
    pub async fn metadata(&self, metric: Option<&str>) -> Result<Metadata, QueryError> {
        let params = metric
            .map(|m| vec![("metric".to_string(), m.to_string())])
            .unwrap_or_default();
        self.fetch("/api/v1/metadata", params).await
    }

    /// What is scraped, how it went, and what relabelling dropped.
    pub async fn targets(&self) -> Result<Targets, QueryError> {
        self.fetch("/api/v1/targets", Vec::new()).await
    }

    /// Rule groups with their alerting and recording rules, states and alerts.
    pub async fn rules(&self) -> Result<Vec<RuleGroup>, QueryError> {
        let groups: model::RuleGroups = self.fetch("/api/v1/rules", Vec::new()).await?;
        Ok(groups.groups)
    }

    /// The pending and firing alerts of every alerting rule.
    pub async fn alerts(&self) -> Result<Vec<Alert>, QueryError> {
        let alerts: model::Alerts = self.fetch("/api/v1/alerts", Vec::new()).await?;
        Ok(alerts.alerts)
    }

    /// Exemplars (trace ids) of the series `expr` selects, between `start` and `end`.
    pub async fn query_exemplars(
        &self,
        expr: &str,
        start: Option<f64>,
        end: Option<f64>,
    ) -> Result<Vec<ExemplarSeries>, QueryError> {
        let mut params = vec![("query".to_string(), expr.to_string())];
        push_range(&mut params, start, end);
        self.fetch("/api/v1/query_exemplars", params).await
    }

    /// Prometheus' version and build.
    pub async fn buildinfo(&self) -> Result<BuildInfo, QueryError> {
        self.fetch("/api/v1/status/buildinfo", Vec::new()).await
    }

    async fn fetch<T: DeserializeOwned>(
        &self,
        path: &str,
        params: Vec<(String, String)>,
    ) -> Result<T, QueryError> {
        let id = self.transport.next_id();
        let answer = self.transport.get(id, path, Body::Params(params)).await?;
        let (value, warnings) = decode::data(&answer.body).map_err(|p| self.problem(p))?;
        for w in warnings {
            tracing::warn!(path, "Prometheus warned: {w}");
        }
        Ok(value)
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

fn push_range(params: &mut Vec<(String, String)>, start: Option<f64>, end: Option<f64>) {
    if let Some(s) = start {
        params.push(("start".into(), format_seconds(s)));
    }
    if let Some(e) = end {
        params.push(("end".into(), format_seconds(e)));
    }
}

/// Unix seconds as Prometheus reads them: `1795434422` or `1795434422.5`.
pub fn format_seconds(t: f64) -> String {
    if t.fract() == 0.0 && t.abs() < 1e15 {
        format!("{}", t as i64)
    } else {
        format!("{t:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// A label name is `[a-zA-Z_][a-zA-Z0-9_]*`, but a URL path must not be broken by a typo.
pub(crate) fn path_segment(s: &str) -> String {
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
