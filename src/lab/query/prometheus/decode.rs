//! Prometheus' HTTP API answers as Rust values: the `{status, data, warnings}` envelope,
//! query results, and the wire forms of numbers (values are strings, "NaN", "+Inf").
//!
//! Pure functions over the body text, so every recorded answer in
//! tests/fixtures/real-api/prometheus is checked without a server.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::lab::query::types::{InstantSeries, Labels, QueryData, RangeSeries, Sample};

/// Why an answer could not be used: the server said no, or it said something we cannot
/// read. The client turns these into [`QueryError`](crate::lab::query::QueryError).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `{"status":"error"}` inside a 2xx answer.
    Server {
        error_type: Option<String>,
        message: String,
    },
    Decode(String),
}

/// The envelope every /api/v1 answer comes in; `data` kept as the server's text.
#[derive(Deserialize)]
struct Envelope<'a> {
    status: String,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(rename = "errorType", default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

/// The `data` of an answer, exactly as sent, and the server's warnings.
pub fn envelope(body: &str) -> Result<(&str, Vec<String>), Problem> {
    let env: Envelope<'_> = serde_json::from_str(body)
        .map_err(|e| Problem::Decode(format!("not a Prometheus API answer: {e}")))?;
    if env.status != "success" {
        return Err(Problem::Server {
            error_type: env.error_type,
            message: env
                .error
                .unwrap_or_else(|| format!("status {:?} without an error message", env.status)),
        });
    }
    let data = env
        .data
        .map(RawValue::get)
        .ok_or_else(|| Problem::Decode("the answer has no `data`".into()))?;
    Ok((data, env.warnings))
}

/// The `data` of an answer decoded as `T`, with the server's warnings.
pub fn data<T: DeserializeOwned>(body: &str) -> Result<(T, Vec<String>), Problem> {
    let (raw, warnings) = envelope(body)?;
    let value = serde_json::from_str(raw).map_err(|e| Problem::Decode(e.to_string()))?;
    Ok((value, warnings))
}

/// A query answer: the decoded result, the warnings and `data` as the server sent it.
pub fn query(body: &str) -> Result<(QueryData, Vec<String>, String), Problem> {
    let (raw, warnings) = envelope(body)?;
    let wire: WireData = serde_json::from_str(raw).map_err(|e| Problem::Decode(e.to_string()))?;
    Ok((wire.into(), warnings, raw.to_string()))
}

/// A sample value as Prometheus writes it: a decimal string, "NaN", "+Inf" or "-Inf"
/// (Go's formatting), also accepted without the sign and in any case.
pub fn parse_value(s: &str) -> Option<f64> {
    let s = s.trim();
    match s.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "+inf" | "inf" | "+infinity" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum WireData {
    Vector(Vec<WireInstant>),
    Matrix(Vec<WireRange>),
    Scalar(WireSample),
    String(WireString),
}

#[derive(Deserialize)]
struct WireInstant {
    #[serde(default)]
    metric: Labels,
    value: WireSample,
}

#[derive(Deserialize)]
struct WireRange {
    #[serde(default)]
    metric: Labels,
    #[serde(default)]
    values: Vec<WireSample>,
}

impl From<WireData> for QueryData {
    fn from(wire: WireData) -> Self {
        match wire {
            WireData::Vector(v) => Self::Vector(
                v.into_iter()
                    .map(|s| InstantSeries {
                        labels: s.metric,
                        sample: s.value.0,
                    })
                    .collect(),
            ),
            WireData::Matrix(m) => Self::Matrix(
                m.into_iter()
                    .map(|s| RangeSeries {
                        labels: s.metric,
                        samples: s.values.into_iter().map(|w| w.0).collect(),
                    })
                    .collect(),
            ),
            WireData::Scalar(s) => Self::Scalar(s.0),
            WireData::String(s) => Self::String {
                t: s.t,
                value: s.value,
            },
        }
    }
}

/// `[timestamp, "value"]`: the timestamp a number (or a numeric string), the value a
/// string (or a number).
pub(crate) struct WireSample(pub Sample);

impl<'de> Deserialize<'de> for WireSample {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireSample;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a [timestamp, \"value\"] pair")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireSample, A::Error> {
                let t: Number = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let v: Number = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(WireSample(Sample { t: t.0, v: v.0 }))
            }
        }
        d.deserialize_seq(V)
    }
}

/// `[timestamp, "text"]` of a string result.
struct WireString {
    t: f64,
    value: String,
}

impl<'de> Deserialize<'de> for WireString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (t, value): (Number, String) = Deserialize::deserialize(d)?;
        Ok(Self { t: t.0, value })
    }
}

/// A number sent as a JSON number or as a string ("0.5", "NaN", "+Inf").
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Number(pub f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string holding one")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                parse_value(v)
                    .map(Number)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// serde helper: an `f64` field sent as a number or a string.
pub(crate) fn number<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Number::deserialize(d).map(|n| n.0)
}

/// serde helper: an optional `f64` field sent as a number or a string.
pub(crate) fn opt_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Option::<Number>::deserialize(d).map(|n| n.map(|n| n.0))
}

/// serde helper: seconds (a number or a string) as a [`std::time::Duration`]; negative
/// or not-a-number counts as zero.
pub(crate) fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<std::time::Duration, D::Error> {
    let secs = Number::deserialize(d)?.0;
    Ok(if secs.is_finite() && secs > 0.0 {
        std::time::Duration::from_secs_f64(secs)
    } else {
        std::time::Duration::ZERO
    })
}

/// serde helper: a time that Prometheus leaves out, or sends as Go's zero time
/// ("0001-01-01T00:00:00Z") when something never happened.
pub(crate) fn opt_time<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => {
            let t = chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|e| de::Error::custom(format!("{s:?} is not an RFC 3339 time: {e}")))?
                .with_timezone(&chrono::Utc);
            Ok((chrono::Datelike::year(&t) > 1).then_some(t))
        }
    }
}
