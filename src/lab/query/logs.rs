//! The log model: what a LogQL log query returns, what a live tail streams, and the volume
//! histogram the log view draws over it. Plain data; Loki's client fills it, the CLI prints
//! it and the console draws it.

use super::types::Labels;

/// One log line as Loki returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Unix nanoseconds (Loki sends them as strings).
    pub ts_ns: i64,
    /// The stream's labels (`service_name`, `level`…); without categorize-labels, the labels
    /// a parser stage (`| json`) extracted are merged in here too, as Loki sends them.
    pub stream: Labels,
    /// Structured metadata attached at ingestion (only split out with categorize-labels).
    pub structured: Labels,
    /// Labels a parser stage extracted (only split out with categorize-labels).
    pub parsed: Labels,
    /// The line exactly as stored: untrusted text, escaped before it is drawn.
    pub line: String,
}

/// One frame of a live tail: new lines, and how many Loki dropped since the last frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TailFrame {
    pub entries: Vec<LogEntry>,
    pub dropped: u64,
}

/// One bar of the log volume histogram: lines in `[start_ns, end_ns)`, errors counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeBucket {
    pub start_ns: i64,
    pub end_ns: i64,
    pub total: u64,
    pub errors: u64,
}
