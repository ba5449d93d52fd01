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

impl LogEntry {
    /// A label wherever Loki put it: the stream, structured metadata, or what a parser
    /// extracted (categorize-labels splits these; without it they all sit in the stream).
    pub fn label(&self, name: &str) -> Option<&str> {
        self.stream
            .get(name)
            .or_else(|| self.structured.get(name))
            .or_else(|| self.parsed.get(name))
            .map(String::as_str)
    }

    /// The severity, so the log view can colour and count errors: the `level` label, else
    /// Loki's `detected_level`, else the `level` field of a JSON line.
    pub fn level(&self) -> Option<String> {
        self.label("level")
            .or_else(|| self.label("detected_level"))
            .map(str::to_string)
            .or_else(|| self.json_text("level"))
    }

    /// The service that wrote the line (`service_name`, the label Loki derives on push).
    pub fn service(&self) -> Option<&str> {
        self.label("service_name")
    }

    /// The trace this line belongs to, for the jump from a log line to its trace: a parsed
    /// field, structured metadata or a stream label (`trace_id` or `traceID`), else the JSON
    /// line's `trace_id`.
    pub fn trace_id(&self) -> Option<String> {
        self.id_field(&["trace_id", "traceID"])
    }

    /// The span this line was written in, found like [`Self::trace_id`].
    pub fn span_id(&self) -> Option<String> {
        self.id_field(&["span_id", "spanID"])
    }

    /// The fields of a JSON-object line as (key, text) pairs sorted by key, nested objects
    /// as dotted keys (`http.status`), so the detail view can list them. `None` when the
    /// line is not a JSON object.
    pub fn json_fields(&self) -> Option<Vec<(String, String)>> {
        let value: serde_json::Value = serde_json::from_str(self.line.trim()).ok()?;
        let serde_json::Value::Object(map) = value else {
            return None;
        };
        let mut out = Vec::new();
        flatten_into("", &map, &mut out);
        Some(out)
    }

    /// Whether the line counts as an error in the volume histogram and the error filter:
    /// level error, fatal, critical or panic, in any case.
    pub fn is_error(&self) -> bool {
        self.level().is_some_and(|l| {
            ["error", "fatal", "critical", "panic"]
                .iter()
                .any(|e| l.eq_ignore_ascii_case(e))
        })
    }

    fn id_field(&self, names: &[&str]) -> Option<String> {
        let maps = [&self.parsed, &self.structured, &self.stream];
        maps.iter()
            .find_map(|m| names.iter().find_map(|n| m.get(*n)))
            .filter(|v| !v.is_empty())
            .cloned()
            .or_else(|| self.json_text(names[0]))
    }

    /// One top-level field of a JSON-object line, as text.
    fn json_text(&self, key: &str) -> Option<String> {
        let line = self.line.trim_start();
        if !line.starts_with('{') {
            return None;
        }
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        value.get(key).map(value_text).filter(|v| !v.is_empty())
    }
}

fn flatten_into(
    prefix: &str,
    map: &serde_json::Map<String, serde_json::Value>,
    out: &mut Vec<(String, String)>,
) {
    for (k, v) in map {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            serde_json::Value::Object(inner) if !inner.is_empty() => flatten_into(&key, inner, out),
            other => out.push((key, value_text(other))),
        }
    }
}

/// A JSON value as a person reads it: strings without quotes, the rest as JSON.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Count `entries` into `buckets` equal-width bars covering `[start_ns, end_ns)`, errors
/// counted apart, so the log view can draw its histogram without asking Loki again.
/// Entries outside the range are ignored; no buckets (or an empty range) gives no bars.
/// Bar edges are rounded up to whole nanoseconds, so they tile the range exactly.
pub fn volume(
    entries: &[LogEntry],
    start_ns: i64,
    end_ns: i64,
    buckets: usize,
) -> Vec<VolumeBucket> {
    if buckets == 0 || end_ns <= start_ns {
        return Vec::new();
    }
    let span = i128::from(end_ns) - i128::from(start_ns);
    let n = buckets as i128;
    // Edge i is start + ceil(span * i / n): entry at offset d falls in bar floor(d * n / span).
    let edge = |i: i128| -> i64 {
        let offset = (span * i + n - 1) / n;
        (i128::from(start_ns) + offset) as i64
    };
    let mut bars: Vec<VolumeBucket> = (0..n)
        .map(|i| VolumeBucket {
            start_ns: edge(i),
            end_ns: edge(i + 1),
            total: 0,
            errors: 0,
        })
        .collect();
    for e in entries {
        if e.ts_ns < start_ns || e.ts_ns >= end_ns {
            continue;
        }
        let d = i128::from(e.ts_ns) - i128::from(start_ns);
        let i = ((d * n) / span) as usize;
        if let Some(bar) = bars.get_mut(i) {
            bar.total += 1;
            if e.is_error() {
                bar.errors += 1;
            }
        }
    }
    bars
}

#[cfg(test)]
mod tests;
