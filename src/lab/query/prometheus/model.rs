//! What Prometheus' API describes besides query results: targets, rules and their alerts,
//! metric metadata, exemplars and its build.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::decode::{number, opt_number, opt_time, seconds};
use crate::lab::query::types::Labels;

/// A metric's type as its exporter declared it; lessons explain `rate()` only for counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
    #[serde(rename = "gaugehistogram")]
    GaugeHistogram,
    Summary,
    Info,
    #[serde(rename = "stateset")]
    StateSet,
    #[serde(other)]
    Unknown,
}

/// One metadata entry of a metric (a metric can have several when exporters disagree).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MetricMetadata {
    #[serde(rename = "type")]
    pub kind: MetricKind,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub unit: String,
}

/// Metric name -> its metadata, as `/api/v1/metadata` answers.
pub type Metadata = BTreeMap<String, Vec<MetricMetadata>>;

/// Whether the last scrape of a target worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetHealth {
    Up,
    Down,
    #[serde(other)]
    Unknown,
}

/// A target Prometheus scrapes: where, how often, and how the last scrape went.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveTarget {
    #[serde(default)]
    pub discovered_labels: Labels,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub scrape_pool: String,
    #[serde(default)]
    pub scrape_url: String,
    #[serde(default)]
    pub global_url: String,
    #[serde(default)]
    pub last_error: String,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_scrape: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "opt_number")]
    pub last_scrape_duration: Option<f64>,
    pub health: TargetHealth,
    #[serde(default)]
    pub scrape_interval: String,
    #[serde(default)]
    pub scrape_timeout: String,
}

/// A target relabelling dropped: only what service discovery found.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedTarget {
    #[serde(default)]
    pub discovered_labels: Labels,
}

/// `/api/v1/targets`: what is scraped and what relabelling dropped.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Targets {
    #[serde(default, rename = "activeTargets")]
    pub active: Vec<ActiveTarget>,
    #[serde(default, rename = "droppedTargets")]
    pub dropped: Vec<DroppedTarget>,
}

/// Where an alert (or alerting rule) is in its life: pending while its `for` runs, then
/// firing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Inactive,
    Pending,
    Firing,
    #[serde(other)]
    Unknown,
}

/// Whether a rule's last evaluation worked (`err` comes with `last_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleHealth {
    Ok,
    Err,
    #[serde(other)]
    Unknown,
}

/// An alert of an alerting rule, as Prometheus holds it before Alertmanager sees it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    pub state: AlertState,
    #[serde(default, deserialize_with = "opt_time")]
    pub active_at: Option<DateTime<Utc>>,
    /// The expression's value when the alert was last evaluated (sent as "1e+00").
    #[serde(deserialize_with = "number")]
    pub value: f64,
    #[serde(default, deserialize_with = "opt_time")]
    pub keep_firing_since: Option<DateTime<Utc>>,
}

/// An alerting rule with its alerts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertingRule {
    pub name: String,
    pub query: String,
    /// The rule's `for`: how long the condition must hold before pending turns firing.
    #[serde(rename = "duration", default, deserialize_with = "seconds")]
    pub for_duration: Duration,
    #[serde(default, deserialize_with = "seconds")]
    pub keep_firing_for: Duration,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    #[serde(default)]
    pub alerts: Vec<Alert>,
    pub state: AlertState,
    pub health: RuleHealth,
    #[serde(default)]
    pub last_error: String,
    #[serde(default, deserialize_with = "opt_number")]
    pub evaluation_time: Option<f64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_evaluation: Option<DateTime<Utc>>,
}

/// A recording rule: an expression saved as a new series.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingRule {
    pub name: String,
    pub query: String,
    #[serde(default)]
    pub labels: Labels,
    pub health: RuleHealth,
    #[serde(default)]
    pub last_error: String,
    #[serde(default, deserialize_with = "opt_number")]
    pub evaluation_time: Option<f64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_evaluation: Option<DateTime<Utc>>,
}

/// A rule of a group, by its `type`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Rule {
    Alerting(AlertingRule),
    Recording(RecordingRule),
}

impl Rule {
    /// The alert's or the recorded series' name, whatever the kind of rule.
    pub fn name(&self) -> &str {
        match self {
            Self::Alerting(r) => &r.name,
            Self::Recording(r) => &r.name,
        }
    }

    /// Whether the rule evaluated, whatever its kind: a broken rule never alerts.
    pub fn health(&self) -> RuleHealth {
        match self {
            Self::Alerting(r) => r.health,
            Self::Recording(r) => r.health,
        }
    }
}

/// A rule group: the rules of one file section, evaluated together every `interval`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleGroup {
    pub name: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default, deserialize_with = "seconds")]
    pub interval: Duration,
    #[serde(default)]
    pub limit: u64,
    #[serde(default, deserialize_with = "opt_number")]
    pub evaluation_time: Option<f64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub last_evaluation: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
pub(crate) struct RuleGroups {
    #[serde(default)]
    pub groups: Vec<RuleGroup>,
}

#[derive(Deserialize)]
pub(crate) struct Alerts {
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

/// An exemplar: one traced observation (usually with a `trace_id` label) of a series.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Exemplar {
    #[serde(default)]
    pub labels: Labels,
    #[serde(deserialize_with = "number")]
    pub value: f64,
    /// Unix seconds.
    #[serde(deserialize_with = "number")]
    pub timestamp: f64,
}

/// The exemplars of one series: the bridge from a latency bucket to a trace.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExemplarSeries {
    #[serde(default)]
    pub series_labels: Labels,
    #[serde(default)]
    pub exemplars: Vec<Exemplar>,
}

/// What Prometheus reports about its own build (`labtui status` shows the version).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BuildInfo {
    pub version: String,
    pub revision: String,
    pub branch: String,
    pub build_user: String,
    pub build_date: String,
    pub go_version: String,
}
