//! Tempo's HTTP API answers as Rust values: TraceQL search hits, whole traces in OTLP JSON
//! (v1 `batches` and v2 `trace.resourceSpans`), tag names and values, TraceQL metrics and
//! build info.
//!
//! Pure functions over the body text, so every recorded answer in
//! tests/fixtures/real-api/tempo is checked without a server. Tempo speaks protobuf-JSON:
//! 64-bit integers come as strings, ids in traces as base64, enums as names, and a zero
//! or empty field is left out altogether.

use std::fmt::{self, Write as _};

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::{BuildInfo, TagScope, TagValue};
use crate::lab::query::prometheus::decode::parse_value;
use crate::lab::query::traces::{
    HitSpan, Span, SpanEvent, SpanKind, SpanLink, SpanStatus, Trace, TraceHit,
};
use crate::lab::query::types::{Labels, RangeSeries, Sample};

/// Why a body could not be read, for [`QueryError::Decode`](crate::lab::query::QueryError).
pub type Problem = String;

/// A TraceQL search answer (`/api/search`): one hit per trace, in Tempo's order.
pub fn search(body: &str) -> Result<Vec<TraceHit>, Problem> {
    let wire: WireSearch = parse(body, "a TraceQL search answer")?;
    Ok(wire.traces.into_iter().map(TraceHit::from).collect())
}

/// A whole trace, from `/api/v2/traces/<id>` (`{"trace":{"resourceSpans":[…]}}`) or
/// `/api/traces/<id>` (`{"batches":[…]}`): the same OTLP shape under another key. A body
/// with neither (Tempo's `{}`) is a trace without spans.
pub fn trace(body: &str) -> Result<Trace, Problem> {
    let wire: WireTraceDoc = parse(body, "a trace in OTLP JSON")?;
    let batches = wire
        .trace
        .map(|t| t.resource_spans)
        .or(wire.batches)
        .or(wire.resource_spans)
        .unwrap_or_default();
    let mut trace = Trace::default();
    for batch in batches {
        let resource: Vec<(String, String)> = batch
            .resource
            .map(|r| r.attributes.into_iter().map(key_value).collect())
            .unwrap_or_default();
        let service = resource
            .iter()
            .find(|(k, _)| k == "service.name")
            .map_or_else(|| "unknown".to_string(), |(_, v)| v.clone());
        for scope in batch.scope_spans {
            for s in scope.spans {
                if trace.trace_id.is_empty() {
                    trace.trace_id = id_hex(&s.trace_id);
                }
                trace.spans.push(span(s, &service, &resource));
            }
        }
    }
    Ok(trace)
}

/// `/api/v2/search/tags`: tag names grouped by scope (`resource`, `span`, `intrinsic`…).
pub fn tags_v2(body: &str) -> Result<Vec<TagScope>, Problem> {
    let wire: WireScopes = parse(body, "Tempo's tag scopes")?;
    Ok(wire.scopes)
}

/// `/api/search/tags`: the older flat list of tag names.
pub fn tags_v1(body: &str) -> Result<Vec<String>, Problem> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(rename = "tagNames", default)]
        tag_names: Vec<String>,
    }
    Ok(parse::<Wire>(body, "Tempo's tag names")?.tag_names)
}

/// `/api/v2/search/tag/<tag>/values`: values with their TraceQL type.
pub fn tag_values_v2(body: &str) -> Result<Vec<TagValue>, Problem> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(rename = "tagValues", default)]
        tag_values: Vec<TagValue>,
    }
    Ok(parse::<Wire>(body, "Tempo's tag values")?.tag_values)
}

/// `/api/search/tag/<tag>/values`: the older list of plain strings.
pub fn tag_values_v1(body: &str) -> Result<Vec<String>, Problem> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(rename = "tagValues", default)]
        tag_values: Vec<String>,
    }
    Ok(parse::<Wire>(body, "Tempo's tag values")?.tag_values)
}

/// A TraceQL metrics answer (`/api/metrics/query_range`) as Prometheus-style series:
/// labels from the `labels` list, `timestampMs` in seconds, and a left-out `value` read as
/// the zero that protobuf-JSON omits.
pub fn metrics(body: &str) -> Result<Vec<RangeSeries>, Problem> {
    let wire: WireMetrics = parse(body, "a TraceQL metrics answer")?;
    Ok(wire
        .series
        .into_iter()
        .map(|s| RangeSeries {
            labels: s.labels.into_iter().map(key_value).collect::<Labels>(),
            samples: s
                .samples
                .into_iter()
                .map(|p| Sample {
                    t: p.timestamp_ms.0 as f64 / 1000.0,
                    v: p.value.map_or(0.0, |v| v.0),
                })
                .collect(),
        })
        .collect())
}

/// `/api/status/buildinfo`.
pub fn buildinfo(body: &str) -> Result<BuildInfo, Problem> {
    parse(body, "Tempo's build info")
}

/// Whether `/api/echo` answered as Tempo does (`echo`), which tells Tempo from another
/// server on the same port.
pub fn is_echo(body: &str) -> bool {
    body.trim() == "echo"
}

/// An OTLP id as lower-case hex: protobuf-JSON sends base64 (`qMjVIkmOrbU=`), the search
/// API hex. Hex of a trace or span id's length is kept; anything unreadable is kept as sent.
pub fn id_hex(id: &str) -> String {
    let is_hex = (id.len() == 16 || id.len() == 32) && id.bytes().all(|b| b.is_ascii_hexdigit());
    if is_hex {
        return id.to_ascii_lowercase();
    }
    match base64(id) {
        Some(bytes) if !bytes.is_empty() => bytes.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        }),
        _ => id.to_string(),
    }
}

fn parse<'a, T: Deserialize<'a>>(body: &'a str, what: &str) -> Result<T, Problem> {
    serde_json::from_str(body).map_err(|e| format!("not {what}: {e}"))
}

/// Standard or URL-safe base64, padding optional.
fn base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[derive(Deserialize)]
struct WireSearch {
    #[serde(default)]
    traces: Vec<WireHit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireHit {
    #[serde(rename = "traceID")]
    trace_id: String,
    #[serde(default)]
    root_service_name: Option<String>,
    #[serde(default)]
    root_trace_name: Option<String>,
    #[serde(default)]
    start_time_unix_nano: Option<Int>,
    #[serde(default)]
    duration_ms: Option<Int>,
    #[serde(default)]
    span_set: Option<WireSpanSet>,
    #[serde(default)]
    span_sets: Vec<WireSpanSet>,
}

#[derive(Deserialize)]
struct WireSpanSet {
    #[serde(default)]
    spans: Vec<WireHitSpan>,
    #[serde(default)]
    matched: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireHitSpan {
    #[serde(rename = "spanID")]
    span_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    start_time_unix_nano: Option<Int>,
    #[serde(default)]
    duration_nanos: Option<Int>,
    #[serde(default)]
    attributes: Vec<WireKeyValue>,
}

impl From<WireHit> for TraceHit {
    fn from(h: WireHit) -> Self {
        // Newer Tempo sends `spanSets` (one per `||` branch or `by()` group) and repeats
        // the first as `spanSet`; older Tempo sends only `spanSet`.
        let sets = if h.span_sets.is_empty() {
            h.span_set.into_iter().collect()
        } else {
            h.span_sets
        };
        let matched = sets.iter().map(|s| s.matched).sum();
        let mut spans: Vec<HitSpan> = Vec::new();
        for set in sets {
            for s in set.spans {
                if spans.iter().any(|seen| seen.span_id == s.span_id) {
                    continue;
                }
                spans.push(HitSpan {
                    span_id: s.span_id,
                    name: s.name,
                    start_ns: s.start_time_unix_nano.map_or(0, |t| t.0),
                    duration_ns: s.duration_nanos.map_or(0, |d| d.0),
                    attributes: s.attributes.into_iter().map(key_value).collect(),
                });
            }
        }
        TraceHit {
            trace_id: h.trace_id.to_ascii_lowercase(),
            root_service: h.root_service_name.filter(|s| !s.is_empty()),
            root_name: h.root_trace_name.filter(|s| !s.is_empty()),
            start_ns: h.start_time_unix_nano.map_or(0, |t| t.0),
            duration_ms: h.duration_ms.and_then(|d| u64::try_from(d.0).ok()),
            matched,
            spans,
        }
    }
}

#[derive(Deserialize)]
struct WireTraceDoc {
    #[serde(default)]
    trace: Option<WireResourceSpansList>,
    #[serde(default)]
    batches: Option<Vec<WireResourceSpans>>,
    #[serde(rename = "resourceSpans", default)]
    resource_spans: Option<Vec<WireResourceSpans>>,
}

#[derive(Deserialize)]
struct WireResourceSpansList {
    #[serde(rename = "resourceSpans", default)]
    resource_spans: Vec<WireResourceSpans>,
}

#[derive(Deserialize)]
struct WireResourceSpans {
    #[serde(default)]
    resource: Option<WireResource>,
    /// `instrumentationLibrarySpans` before OTLP 0.15.
    #[serde(rename = "scopeSpans", alias = "instrumentationLibrarySpans", default)]
    scope_spans: Vec<WireScopeSpans>,
}

#[derive(Deserialize)]
struct WireResource {
    #[serde(default)]
    attributes: Vec<WireKeyValue>,
}

#[derive(Deserialize)]
struct WireScopeSpans {
    #[serde(default)]
    spans: Vec<WireSpan>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSpan {
    #[serde(default)]
    trace_id: String,
    #[serde(default)]
    span_id: String,
    #[serde(default)]
    parent_span_id: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: Option<serde_json::Value>,
    #[serde(default)]
    start_time_unix_nano: Option<Int>,
    #[serde(default)]
    end_time_unix_nano: Option<Int>,
    #[serde(default)]
    attributes: Vec<WireKeyValue>,
    #[serde(default)]
    status: Option<WireStatus>,
    #[serde(default)]
    events: Vec<WireEvent>,
    #[serde(default)]
    links: Vec<WireLink>,
}

#[derive(Deserialize)]
struct WireStatus {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEvent {
    #[serde(default)]
    time_unix_nano: Option<Int>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    attributes: Vec<WireKeyValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireLink {
    #[serde(default)]
    trace_id: String,
    #[serde(default)]
    span_id: String,
}

fn span(s: WireSpan, service: &str, resource: &[(String, String)]) -> Span {
    let status = s.status.as_ref().and_then(|st| st.code.as_ref());
    Span {
        span_id: id_hex(&s.span_id),
        parent_id: s
            .parent_span_id
            .filter(|p| !p.is_empty())
            .map(|p| id_hex(&p)),
        name: s.name,
        kind: kind(s.kind.as_ref()),
        service: service.to_string(),
        start_ns: s.start_time_unix_nano.map_or(0, |t| t.0),
        end_ns: s.end_time_unix_nano.map_or(0, |t| t.0),
        status: status_code(status),
        status_message: s.status.and_then(|st| st.message).filter(|m| !m.is_empty()),
        attributes: s.attributes.into_iter().map(key_value).collect(),
        resource: resource.to_vec(),
        events: s
            .events
            .into_iter()
            .map(|e| SpanEvent {
                time_ns: e.time_unix_nano.map_or(0, |t| t.0),
                name: e.name,
                attributes: e.attributes.into_iter().map(key_value).collect(),
            })
            .collect(),
        links: s
            .links
            .into_iter()
            .map(|l| SpanLink {
                trace_id: id_hex(&l.trace_id),
                span_id: id_hex(&l.span_id),
            })
            .collect(),
    }
}

/// `SPAN_KIND_SERVER` as protobuf-JSON names it, or its number.
fn kind(v: Option<&serde_json::Value>) -> SpanKind {
    let n = match v {
        Some(serde_json::Value::String(s)) => match s.as_str() {
            "SPAN_KIND_INTERNAL" => 1,
            "SPAN_KIND_SERVER" => 2,
            "SPAN_KIND_CLIENT" => 3,
            "SPAN_KIND_PRODUCER" => 4,
            "SPAN_KIND_CONSUMER" => 5,
            _ => 0,
        },
        Some(serde_json::Value::Number(n)) => n.as_u64().unwrap_or(0),
        _ => 0,
    };
    match n {
        1 => SpanKind::Internal,
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => SpanKind::Unspecified,
    }
}

/// `STATUS_CODE_ERROR` or its number; a left-out code (`"status": {}`) is unset.
fn status_code(v: Option<&serde_json::Value>) -> SpanStatus {
    match v {
        Some(serde_json::Value::String(s)) if s == "STATUS_CODE_OK" => SpanStatus::Ok,
        Some(serde_json::Value::String(s)) if s == "STATUS_CODE_ERROR" => SpanStatus::Error,
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(1) => SpanStatus::Ok,
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(2) => SpanStatus::Error,
        _ => SpanStatus::Unset,
    }
}

#[derive(Deserialize)]
struct WireScopes {
    #[serde(default)]
    scopes: Vec<TagScope>,
}

#[derive(Deserialize)]
struct WireMetrics {
    #[serde(default)]
    series: Vec<WireSeries>,
}

#[derive(Deserialize)]
struct WireSeries {
    #[serde(default)]
    labels: Vec<WireKeyValue>,
    #[serde(default)]
    samples: Vec<WireMetricSample>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMetricSample {
    timestamp_ms: Int,
    #[serde(default)]
    value: Option<Float>,
}

/// An OTLP `KeyValue`.
#[derive(Deserialize)]
struct WireKeyValue {
    key: String,
    #[serde(default)]
    value: WireAnyValue,
}

/// An OTLP `AnyValue`: exactly one of these is set (none for an empty value).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireAnyValue {
    #[serde(default)]
    string_value: Option<String>,
    #[serde(default)]
    int_value: Option<Int>,
    #[serde(default)]
    double_value: Option<Float>,
    #[serde(default)]
    bool_value: Option<bool>,
    #[serde(default)]
    bytes_value: Option<String>,
    #[serde(default)]
    array_value: Option<WireArray>,
    #[serde(default)]
    kvlist_value: Option<WireKvList>,
}

#[derive(Deserialize)]
struct WireArray {
    #[serde(default)]
    values: Vec<WireAnyValue>,
}

#[derive(Deserialize)]
struct WireKvList {
    #[serde(default)]
    values: Vec<WireKeyValue>,
}

fn key_value(kv: WireKeyValue) -> (String, String) {
    (kv.key, kv.value.text())
}

impl WireAnyValue {
    /// The value as text: numbers as written, arrays as `[a, b]`, key lists as
    /// `{k=v, …}`, bytes in their base64.
    fn text(&self) -> String {
        if let Some(s) = &self.string_value {
            s.clone()
        } else if let Some(i) = &self.int_value {
            i.0.to_string()
        } else if let Some(d) = &self.double_value {
            d.0.to_string()
        } else if let Some(b) = self.bool_value {
            b.to_string()
        } else if let Some(b) = &self.bytes_value {
            b.clone()
        } else if let Some(a) = &self.array_value {
            let items: Vec<String> = a.values.iter().map(Self::text).collect();
            format!("[{}]", items.join(", "))
        } else if let Some(kv) = &self.kvlist_value {
            let items: Vec<String> = kv
                .values
                .iter()
                .map(|e| format!("{}={}", e.key, e.value.text()))
                .collect();
            format!("{{{}}}", items.join(", "))
        } else {
            String::new()
        }
    }
}

/// A 64-bit integer protobuf-JSON sends as a string (`"1796193323724265876"`), or a number.
#[derive(Debug, Clone, Copy)]
struct Int(i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, or a string holding one")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                i64::try_from(v)
                    .map(Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
                Ok(Int(v as i64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                v.trim()
                    .parse()
                    .map(Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A double sent as a number, or as a string (`"NaN"`, `"Infinity"`).
#[derive(Debug, Clone, Copy)]
struct Float(f64);

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Float;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string holding one")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Float, E> {
                Ok(Float(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Float, E> {
                Ok(Float(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Float, E> {
                Ok(Float(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Float, E> {
                parse_value(v)
                    .map(Float)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}
