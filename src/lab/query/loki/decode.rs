//! Loki's HTTP API answers as Rust values: the `{status, data}` envelope, log streams
//! (values `["<ns>", "line"]`, or with categorize-labels `["<ns>", "line", {structuredMetadata,
//! parsed}]`), metric results shaped like Prometheus', and the unwrapped answers of
//! detected_fields, index/stats and buildinfo.
//!
//! Pure functions over the body text, so every recorded answer in
//! tests/fixtures/real-api/loki is checked without a server.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::model::{DetectedField, Direction, null_as_empty};
use crate::lab::query::logs::{LogEntry, TailFrame};
use crate::lab::query::prometheus::decode::WireSample;
use crate::lab::query::types::{InstantSeries, Labels, QueryData, RangeSeries};

/// Why an answer could not be used; shared with Prometheus' decoders.
pub use crate::lab::query::prometheus::decode::Problem;

/// The envelope of Loki's wrapped answers; `data` kept as the server's text.
#[derive(Deserialize)]
struct Envelope<'a> {
    status: String,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    warnings: Vec<String>,
}

/// The `data` of a wrapped answer exactly as sent (`None` when Loki left it out, as it
/// does for an empty label list), and the server's warnings.
pub fn envelope(body: &str) -> Result<(Option<&str>, Vec<String>), Problem> {
    let env: Envelope<'_> = serde_json::from_str(body)
        .map_err(|e| Problem::Decode(format!("not a Loki API answer: {e}")))?;
    if env.status != "success" {
        return Err(Problem::Server {
            error_type: Some(env.status.clone()),
            message: env
                .error
                .unwrap_or_else(|| format!("status {:?} without an error message", env.status)),
        });
    }
    Ok((env.data.map(RawValue::get), env.warnings))
}

/// The `data` of a wrapped answer decoded as `T`; a missing or null `data` is `T`'s default
/// (an empty list).
pub fn data<T: DeserializeOwned + Default>(body: &str) -> Result<T, Problem> {
    match envelope(body)?.0 {
        None | Some("null") => Ok(T::default()),
        Some(raw) => serde_json::from_str(raw).map_err(|e| Problem::Decode(e.to_string())),
    }
}

/// An answer that is not wrapped in `{status, data}` (detected_fields, index/stats,
/// buildinfo).
pub fn bare<T: DeserializeOwned>(body: &str) -> Result<T, Problem> {
    serde_json::from_str(body).map_err(|e| Problem::Decode(format!("not a Loki API answer: {e}")))
}

/// A query answer: the decoded result (log lines flattened across streams and ordered by
/// `direction`), the warnings and `data` as the server sent it.
pub fn query(
    body: &str,
    direction: Direction,
) -> Result<(QueryData, Vec<String>, String), Problem> {
    let (raw, warnings) = envelope(body)?;
    let raw = raw.ok_or_else(|| Problem::Decode("the answer has no `data`".into()))?;
    let data = result(raw, direction)?;
    Ok((data, warnings, raw.to_string()))
}

/// `{"resultType":…, "result":…}` (the rest, like `stats`, is skipped) as [`QueryData`].
pub fn result(raw: &str, direction: Direction) -> Result<QueryData, Problem> {
    #[derive(Deserialize)]
    struct Wire<'a> {
        #[serde(rename = "resultType")]
        result_type: String,
        #[serde(borrow)]
        result: &'a RawValue,
    }
    let wire: Wire<'_> = serde_json::from_str(raw).map_err(|e| Problem::Decode(e.to_string()))?;
    let decode = |e: serde_json::Error| Problem::Decode(format!("{}: {e}", wire.result_type));
    let result = wire.result.get();
    Ok(match wire.result_type.as_str() {
        "streams" => {
            let streams: Vec<WireStream> = serde_json::from_str(result).map_err(decode)?;
            QueryData::Streams(flatten(streams, direction))
        }
        "matrix" => QueryData::Matrix(matrix(result).map_err(decode)?),
        "vector" => QueryData::Vector(vector(result).map_err(decode)?),
        "scalar" => {
            let s: WireSample = serde_json::from_str(result).map_err(decode)?;
            QueryData::Scalar(s.0)
        }
        other => {
            return Err(Problem::Decode(format!(
                "resultType {other:?} is not one Loki documents"
            )));
        }
    })
}

/// One frame of a live tail: its lines oldest first, and how many Loki dropped.
pub fn tail_frame(text: &str) -> Result<TailFrame, Problem> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(default, deserialize_with = "null_as_empty")]
        streams: Vec<WireStream>,
        #[serde(default, deserialize_with = "null_as_empty")]
        dropped_entries: Vec<de::IgnoredAny>,
    }
    let wire: Wire = serde_json::from_str(text)
        .map_err(|e| Problem::Decode(format!("not a Loki tail frame: {e}")))?;
    Ok(TailFrame {
        entries: flatten(wire.streams, Direction::Forward),
        dropped: wire.dropped_entries.len() as u64,
    })
}

/// The series of a matrix, as Prometheus shapes them.
fn matrix(result: &str) -> Result<Vec<RangeSeries>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(default)]
        metric: Labels,
        #[serde(default, deserialize_with = "null_as_empty")]
        values: Vec<WireSample>,
    }
    let series: Vec<Wire> = serde_json::from_str(result)?;
    Ok(series
        .into_iter()
        .map(|s| RangeSeries {
            labels: s.metric,
            samples: s.values.into_iter().map(|w| w.0).collect(),
        })
        .collect())
}

/// The series of a vector, as Prometheus shapes them.
fn vector(result: &str) -> Result<Vec<InstantSeries>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(default)]
        metric: Labels,
        value: WireSample,
    }
    let series: Vec<Wire> = serde_json::from_str(result)?;
    Ok(series
        .into_iter()
        .map(|s| InstantSeries {
            labels: s.metric,
            sample: s.value.0,
        })
        .collect())
}

/// The matrix of a `volume_range` answer.
pub fn volume_range(body: &str) -> Result<Vec<RangeSeries>, Problem> {
    match query(body, Direction::Backward)?.0 {
        QueryData::Matrix(m) => Ok(m),
        other => Err(Problem::Decode(format!(
            "volume_range answered a {} instead of a matrix",
            kind(&other)
        ))),
    }
}

/// The vector of a `volume` answer.
pub fn volume(body: &str) -> Result<Vec<InstantSeries>, Problem> {
    match query(body, Direction::Backward)?.0 {
        QueryData::Vector(v) => Ok(v),
        other => Err(Problem::Decode(format!(
            "volume answered a {} instead of a vector",
            kind(&other)
        ))),
    }
}

/// The fields of a detected_fields answer (`{"fields":[…],"limit":N}`, not wrapped).
pub fn detected_fields(body: &str) -> Result<Vec<DetectedField>, Problem> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(default, deserialize_with = "null_as_empty")]
        fields: Vec<DetectedField>,
    }
    Ok(bare::<Wire>(body)?.fields)
}

fn kind(data: &QueryData) -> &'static str {
    match data {
        QueryData::Vector(_) => "vector",
        QueryData::Matrix(_) => "matrix",
        QueryData::Scalar(_) => "scalar",
        QueryData::String { .. } => "string",
        QueryData::Streams(_) => "log stream",
        QueryData::Traces(_) => "trace list",
    }
}

/// Every stream's lines as [`LogEntry`]s: newest first for [`Direction::Backward`], oldest
/// first for [`Direction::Forward`]; lines of one instant keep the order Loki sent them in.
fn flatten(streams: Vec<WireStream>, direction: Direction) -> Vec<LogEntry> {
    let mut entries: Vec<LogEntry> = streams
        .into_iter()
        .flat_map(|s| {
            let stream = s.stream;
            s.values.into_iter().map(move |v| LogEntry {
                ts_ns: v.ts_ns,
                stream: stream.clone(),
                structured: v.structured,
                parsed: v.parsed,
                line: v.line,
            })
        })
        .collect();
    match direction {
        Direction::Backward => entries.sort_by_key(|e| std::cmp::Reverse(e.ts_ns)),
        Direction::Forward => entries.sort_by_key(|e| e.ts_ns),
    }
    entries
}

#[derive(Deserialize)]
struct WireStream {
    #[serde(default)]
    stream: Labels,
    #[serde(default, deserialize_with = "null_as_empty")]
    values: Vec<WireValue>,
}

/// `["<ns>", "line"]`, or `["<ns>", "line", {"structuredMetadata":{…}, "parsed":{…}}]`
/// when the request asked for categorize-labels.
struct WireValue {
    ts_ns: i64,
    line: String,
    structured: Labels,
    parsed: Labels,
}

#[derive(Deserialize, Default)]
struct WireCategories {
    #[serde(rename = "structuredMetadata", default)]
    structured: Option<Labels>,
    #[serde(default)]
    parsed: Option<Labels>,
}

impl<'de> Deserialize<'de> for WireValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a ["<ns timestamp>", "line"] pair"#)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireValue, A::Error> {
                let ts: Nanos = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let line: String = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let categories: Option<WireCategories> = seq.next_element()?;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                let categories = categories.unwrap_or_default();
                Ok(WireValue {
                    ts_ns: ts.0,
                    line,
                    structured: categories.structured.unwrap_or_default(),
                    parsed: categories.parsed.unwrap_or_default(),
                })
            }
        }
        d.deserialize_seq(V)
    }
}

/// Unix nanoseconds, sent as a string of digits (or, leniently, a JSON integer).
struct Nanos(i64);

impl<'de> Deserialize<'de> for Nanos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Nanos;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("unix nanoseconds as a string of digits")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Nanos, E> {
                v.trim()
                    .parse()
                    .map(Nanos)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Nanos, E> {
                Ok(Nanos(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Nanos, E> {
                i64::try_from(v)
                    .map(Nanos)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}
