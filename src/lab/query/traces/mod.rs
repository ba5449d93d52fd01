//! The trace model: TraceQL search hits, whole traces decoded from Tempo's OTLP JSON, and
//! the waterfall layout with its critical path. Plain data; Tempo's client fills it, the CLI
//! prints it and the console draws it.

/// One trace a TraceQL search matched.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceHit {
    /// Lower-case hex, as Tempo prints it (it may drop a leading zero: kept as sent).
    pub trace_id: String,
    pub root_service: Option<String>,
    pub root_name: Option<String>,
    pub start_ns: i64,
    /// Tempo leaves `durationMs` out when it is under a millisecond.
    pub duration_ms: Option<u64>,
    /// Spans the query matched in this trace (`spanSet.matched`, summed over span sets).
    pub matched: usize,
    /// The matched spans Tempo returned (up to `spss` per span set).
    pub spans: Vec<HitSpan>,
}

/// A matched span of a search hit, with the attributes `select()` asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct HitSpan {
    pub span_id: String,
    pub name: Option<String>,
    pub start_ns: i64,
    pub duration_ns: i64,
    /// `(key, value)` in the order Tempo sent them, values rendered as text.
    pub attributes: Vec<(String, String)>,
}

/// A whole trace: every span Tempo holds for one trace id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    pub trace_id: String,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanStatus {
    Unset,
    Ok,
    Error,
}

/// One span, with ids as lower-case hex (OTLP JSON sends them base64).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub span_id: String,
    /// `None` for a root span (an empty or missing parentSpanId).
    pub parent_id: Option<String>,
    pub name: String,
    pub kind: SpanKind,
    /// `service.name` of the span's resource ("unknown" when it has none).
    pub service: String,
    pub start_ns: i64,
    pub end_ns: i64,
    pub status: SpanStatus,
    pub status_message: Option<String>,
    /// Span attributes, values rendered as text; untrusted, escaped before drawing.
    pub attributes: Vec<(String, String)>,
    /// Resource attributes of the span's resource.
    pub resource: Vec<(String, String)>,
    pub events: Vec<SpanEvent>,
    pub links: Vec<SpanLink>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpanEvent {
    pub time_ns: i64,
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanLink {
    pub trace_id: String,
    pub span_id: String,
}

/// A trace laid out for a waterfall: spans in tree order with depth, self time and the
/// critical path. Built once per trace; drawing only slices it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Waterfall {
    /// The earliest start and latest end of any span (the time axis).
    pub start_ns: i64,
    pub end_ns: i64,
    /// Every span once, parents before children, siblings by start time.
    pub rows: Vec<WaterfallRow>,
}

/// One span's line in the waterfall.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallRow {
    /// Index into [`Trace::spans`].
    pub span: usize,
    pub depth: usize,
    /// Its parent is not in the trace (lost, or not yet arrived): shown at the root, marked.
    pub orphan: bool,
    pub has_children: bool,
    /// Duration minus the time covered by its children (overlapping children counted once).
    pub self_ns: i64,
    /// The parts of this span on the critical path, as `[start, end)` in unix ns.
    pub critical: Vec<(i64, i64)>,
    /// It starts before its parent or ends after it (clock skew between services).
    pub skewed: bool,
}

mod service_graph;
mod waterfall;

pub use service_graph::{FAILED_QUERY, REQUESTS_QUERY, ServiceEdge, ServiceGraph};

impl Trace {
    /// The distinct services of the trace's spans, sorted, for a summary line.
    pub fn services(&self) -> Vec<&str> {
        let set: std::collections::BTreeSet<&str> =
            self.spans.iter().map(|s| s.service.as_str()).collect();
        set.into_iter().collect()
    }
}

impl Span {
    /// How long the span took; a span whose end precedes its start (a broken clock)
    /// counts as zero rather than negative.
    pub fn duration_ns(&self) -> i64 {
        (self.end_ns - self.start_ns).max(0)
    }
}
