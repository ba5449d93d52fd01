//! What Loki's metadata endpoints answer, as plain data: detected fields, index stats and
//! the order lines come back in.

use serde::Deserialize;

/// Which end of the range Loki reads from; with a limit it decides which lines are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Newest first (Loki's default): the last `limit` lines of the range.
    #[default]
    Backward,
    /// Oldest first: the first `limit` lines of the range.
    Forward,
}

impl Direction {
    /// The value of Loki's `direction` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backward => "backward",
            Self::Forward => "forward",
        }
    }
}

/// A field Loki found in the lines a query selects (`| json`, `| logfmt`, or a label), so
/// the console can offer it for filters without the learner reading raw lines first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DetectedField {
    pub label: String,
    /// `string`, `int`, `float`, `boolean`, `duration` or `bytes`, as Loki guessed it.
    #[serde(rename = "type", default)]
    pub type_: String,
    #[serde(default)]
    pub cardinality: u64,
    /// The parsers that yield the field (`json`, `logfmt`); empty for a label Loki adds
    /// itself (`detected_level`), which it sends as `null`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub parsers: Vec<String>,
}

/// How much a selector covers in storage. Loki counts only flushed chunks, so a young lab
/// reports zeros for what is still in the ingester.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct IndexStats {
    pub streams: u64,
    pub chunks: u64,
    pub bytes: u64,
    pub entries: u64,
}

/// serde helper: a list Loki sends as `null` when it is empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
