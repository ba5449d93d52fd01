//! The result model shared by every query client, the `labtui query` printer and the
//! console's panes: series of samples with labels, and errors that keep the server's words.

use std::collections::BTreeMap;
use std::time::Duration;

use super::logs::LogEntry;
use super::traces::TraceHit;

/// A series' labels, sorted by name so printing and comparing are stable.
pub type Labels = BTreeMap<String, String>;

/// One value at one instant. `t` is unix seconds (fractional); `v` may be NaN or ±Inf,
/// which Prometheus sends as the strings "NaN", "+Inf" and "-Inf".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub t: f64,
    pub v: f64,
}

/// A series of an instant vector: its labels and its one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct InstantSeries {
    pub labels: Labels,
    pub sample: Sample,
}

/// A series of a range matrix: its labels and samples in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: Labels,
    pub samples: Vec<Sample>,
}

/// What a metric query returned, by Prometheus' `resultType`.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    Vector(Vec<InstantSeries>),
    Matrix(Vec<RangeSeries>),
    Scalar(Sample),
    String {
        t: f64,
        value: String,
    },
    /// A LogQL log query's lines, newest first as Loki sends them by default.
    Streams(Vec<LogEntry>),
    /// A TraceQL search's traces.
    Traces(Vec<TraceHit>),
}

impl QueryData {
    /// Number of series (a scalar or string counts as one; log lines count their distinct
    /// streams, a search its traces).
    pub fn series_count(&self) -> usize {
        match self {
            Self::Vector(v) => v.len(),
            Self::Matrix(m) => m.len(),
            Self::Scalar(_) | Self::String { .. } => 1,
            Self::Streams(lines) => lines
                .iter()
                .map(|l| &l.stream)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            Self::Traces(t) => t.len(),
        }
    }

    /// Number of samples across all series.
    pub fn sample_count(&self) -> usize {
        match self {
            Self::Vector(v) => v.len(),
            Self::Matrix(m) => m.iter().map(|s| s.samples.len()).sum(),
            Self::Scalar(_) | Self::String { .. } => 1,
            Self::Streams(lines) => lines.len(),
            Self::Traces(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Self::Vector(v) => v.is_empty(),
            Self::Matrix(m) => m.is_empty(),
            Self::Streams(lines) => lines.is_empty(),
            Self::Traces(t) => t.is_empty(),
            Self::Scalar(_) | Self::String { .. } => false,
        }
    }
}

/// A successful query: the decoded data, the server's warnings, how long the request took
/// and the body of `data` exactly as the server sent it (for `--json`).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutcome {
    pub data: QueryData,
    pub warnings: Vec<String>,
    pub elapsed: Duration,
    pub raw: String,
}

/// When a query is evaluated: at one instant (now when `time` is `None`), or over a
/// range with a step. Times are unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QueryWindow {
    Instant { time: Option<f64> },
    Range { start: f64, end: f64, step: f64 },
}

/// Why a query gave no result. Server errors keep the status and message verbatim, so the
/// learner reads what Prometheus said, not our paraphrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing answered at the URL (refused, DNS, reset).
    #[error(
        "{backend} at {url} cannot be reached: {message}; start the lab with `labtui up` or pass --{flag}-url",
        flag = .backend.to_ascii_lowercase()
    )]
    Unreachable {
        backend: String,
        url: String,
        message: String,
    },
    /// A lab runs, but without this backend (its binary was missing when it started, or
    /// attach was given no URL for it); `how` says how to get one, from the stack spec.
    #[error("this lab has no {component}: {how}")]
    NotInLab { component: String, how: String },
    /// The request took longer than the client's timeout.
    #[error("{backend} at {url} did not answer within {}s", .after.as_secs_f64())]
    Timeout {
        backend: String,
        url: String,
        after: Duration,
    },
    /// The server answered with an error (a bad query, an unknown endpoint…).
    #[error("{message}")]
    Server {
        status: u16,
        error_type: Option<String>,
        message: String,
    },
    /// The server answered something that is not what its API documents.
    #[error("could not read {backend}'s answer from {url}: {message}")]
    Decode {
        backend: String,
        url: String,
        message: String,
    },
    /// A newer request took this one's place.
    #[error("superseded by a newer request")]
    Cancelled,
}

impl QueryError {
    /// The `labtui query` exit code: 2 when there is no backend to reach, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Unreachable { .. } | Self::NotInLab { .. } | Self::Timeout { .. } => 2,
            _ => 1,
        }
    }
}
