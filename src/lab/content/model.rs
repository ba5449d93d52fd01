//! The content types: what a lesson, challenge or drill file holds once parsed.
//!
//! Front matter keys map one to one onto these structs (`deny_unknown_fields`, so a typo is an
//! error, not a silently ignored key). Fields marked `#[serde(skip)]` are filled from the file
//! itself (its path and its Markdown), never from the front matter.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::dashboard::Dashboard;
use crate::lab::query::QueryLang;

/// Lab components an item may ask for; the stack starts them before the item opens.
pub const COMPONENTS: [&str; 6] = [
    "prometheus",
    "alertmanager",
    "loki",
    "tempo",
    "grafana",
    "shop",
];

/// Query window used by a `query` expectation that names none.
pub const DEFAULT_WINDOW: &str = "5m";

/// Points an exercise or question is worth when the author gives none.
pub const DEFAULT_POINTS: u32 = 10;

/// Fraction of rubric weight a free-text answer needs when the author gives none.
pub const DEFAULT_PASS: f64 = 0.6;

/// The three kinds of content; the folder a file lives in decides its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    Lesson,
    Challenge,
    Drill,
}

impl ItemKind {
    /// Every kind, in the order the catalog lists them.
    pub const ALL: [ItemKind; 3] = [ItemKind::Lesson, ItemKind::Challenge, ItemKind::Drill];

    /// The folder under the content root that holds this kind (`lessons`, ...).
    pub fn folder(self) -> &'static str {
        match self {
            Self::Lesson => "lessons",
            Self::Challenge => "challenges",
            Self::Drill => "drills",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Lesson => "lesson",
            Self::Challenge => "challenge",
            Self::Drill => "drill",
        })
    }
}

/// A lesson: a concept, a live demo and hands-on exercises.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    /// 1 (beginner) to 5.
    pub level: u8,
    /// Estimated time to work through the lesson.
    pub minutes: u32,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Lesson ids to finish first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Lab components the lesson needs running (see [`COMPONENTS`]).
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    pub exercises: Vec<Exercise>,
    /// The file this lesson was read from.
    #[serde(skip)]
    pub source: PathBuf,
    /// The Markdown after the front matter.
    #[serde(skip)]
    pub body: String,
}

/// One graded task inside a lesson.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Unique within its lesson.
    pub id: String,
    /// Markdown.
    pub prompt: String,
    #[serde(default = "default_points")]
    pub points: u32,
    /// Revealed one at a time, in order.
    #[serde(default)]
    pub hints: Vec<String>,
    /// The answer with its reasoning (Markdown), shown after the exercise.
    pub solution: String,
    pub expect: Expectation,
}

/// A diagnostic challenge: faults are injected, the learner investigates against the clock.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    pub id: String,
    pub title: String,
    pub level: u8,
    /// The time limit.
    pub minutes: u32,
    #[serde(default)]
    pub tags: Vec<String>,
    pub tier: Tier,
    #[serde(default)]
    pub components: Vec<String>,
    /// Injected when the challenge starts (at least one).
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    #[serde(default)]
    pub questions: Vec<Question>,
    /// In the order they are revealed.
    #[serde(default)]
    pub hints: Vec<Hint>,
    pub ground_truth: GroundTruth,
    #[serde(skip)]
    pub source: PathBuf,
    /// The Markdown before `## Solution`: what the on-call engineer is told.
    #[serde(skip)]
    pub briefing: String,
    /// The Markdown after the `## Solution` heading (heading excluded); hidden until the end.
    #[serde(skip)]
    pub solution: String,
}

/// How far a challenge's fault is from its symptoms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    SingleService,
    CrossService,
    Subtle,
}

impl Tier {
    /// The spelling used in front matter, for display.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleService => "single-service",
            Self::CrossService => "cross-service",
            Self::Subtle => "subtle",
        }
    }
}

/// A fault to inject, by its catalogue name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// snake_case catalogue name (`latency`, `error_rate`, ...).
    pub name: String,
    /// A shop service or stack component; the fault's own default when absent.
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
}

/// A scalar fault parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// As a learner would type it after `labtui fault inject NAME` (`ms=900`).
impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(n) => write!(f, "{n}"),
            Self::Float(x) => write!(f, "{x}"),
            Self::Text(t) => f.write_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ParamValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, string or boolean")
            }
            fn visit_bool<E>(self, v: bool) -> Result<ParamValue, E> {
                Ok(ParamValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<ParamValue, E> {
                Ok(ParamValue::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ParamValue, E> {
                i64::try_from(v)
                    .map(ParamValue::Int)
                    .map_err(|_| E::custom("integer too large"))
            }
            fn visit_f64<E>(self, v: f64) -> Result<ParamValue, E> {
                Ok(ParamValue::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<ParamValue, E> {
                Ok(ParamValue::Text(v.to_owned()))
            }
        }
        de.deserialize_any(Visitor)
    }
}

/// A graded question in a challenge.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique within its challenge.
    pub id: String,
    pub prompt: String,
    #[serde(default = "default_points")]
    pub points: u32,
    pub expect: Expectation,
}

/// A challenge hint; revealing it costs points.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hint {
    pub text: String,
    #[serde(default)]
    pub cost: u32,
}

/// What actually went wrong in a challenge, for the debrief and for grading.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundTruth {
    /// The root-cause service or component.
    pub service: String,
    /// One of the challenge's fault names.
    pub fault: String,
    pub summary: String,
}

/// An interview drill: a question answered in free text and graded by a rubric.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drill {
    pub id: String,
    pub title: String,
    pub level: u8,
    pub minutes: u32,
    #[serde(default)]
    pub tags: Vec<String>,
    pub kind: DrillKind,
    pub question: String,
    /// Fraction of the rubric's total weight needed to pass, in (0, 1].
    #[serde(default = "default_pass")]
    pub pass: f64,
    #[serde(default)]
    pub rubric: Vec<RubricConcept>,
    #[serde(default)]
    pub discussion: Vec<String>,
    /// A recorded dataset to show above the text (`assets/dashboards/x.json`, relative to
    /// the content root): what an explain-this-dashboard drill asks about.
    #[serde(default)]
    pub dashboard: Option<String>,
    /// The dataset `dashboard` names, read when the catalog loads.
    #[serde(skip)]
    pub recorded: Option<Dashboard>,
    #[serde(skip)]
    pub source: PathBuf,
    /// The Markdown before `## Example answer` (for dashboards: the recorded data).
    #[serde(skip)]
    pub context: String,
    /// The Markdown after the `## Example answer` heading; hidden until the learner answers.
    #[serde(skip)]
    pub example_answer: String,
}

/// The interview format a drill follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrillKind {
    Concept,
    ExplainThisDashboard,
    HowWouldYouDiagnose,
}

impl DrillKind {
    /// The spelling used in front matter, for display.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Concept => "concept",
            Self::ExplainThisDashboard => "explain-this-dashboard",
            Self::HowWouldYouDiagnose => "how-would-you-diagnose",
        }
    }
}

/// One concept a free-text answer should mention.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricConcept {
    pub concept: String,
    /// Other ways of saying it that also count.
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default = "default_weight")]
    pub weight: f64,
}

/// How an answer is graded.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Expectation {
    /// Pick from `options`: `answer` is the one right option, or `answers` the set of
    /// right options (order does not matter). An answer written `service/fault` is
    /// graded part by part. `aliases` maps an option (or a part of one) to other
    /// spellings that count as it.
    Choice {
        options: Vec<String>,
        #[serde(default)]
        answer: Option<String>,
        #[serde(default)]
        answers: Vec<String>,
        #[serde(default)]
        aliases: BTreeMap<String, Vec<String>>,
    },
    /// A number, fixed (`value`) or the result of a PromQL `reference` at grading time.
    Number {
        #[serde(default)]
        value: Option<f64>,
        #[serde(default)]
        reference: Option<String>,
        /// Absolute tolerance.
        #[serde(default)]
        tolerance: Option<f64>,
        /// Relative tolerance in percent.
        #[serde(default)]
        tolerance_pct: Option<f64>,
        #[serde(default)]
        unit: Option<String>,
    },
    /// A query whose result is compared with the reference's over `window`.
    Query {
        lang: QueryLang,
        reference: String,
        #[serde(default = "default_window")]
        window: String,
    },
    /// Free text graded by a rubric of concepts.
    Text {
        #[serde(default)]
        rubric: Vec<RubricConcept>,
        #[serde(default = "default_pass")]
        pass: f64,
    },
}

impl Expectation {
    /// The right options of a choice (`answer` and `answers` together, in order, each
    /// once); empty for the other kinds.
    pub fn choice_answers(&self) -> Vec<&str> {
        let Self::Choice {
            answer, answers, ..
        } = self
        else {
            return Vec::new();
        };
        let mut all: Vec<&str> = Vec::new();
        for a in answer.iter().chain(answers) {
            if !all.contains(&a.as_str()) {
                all.push(a);
            }
        }
        all
    }

    /// The `kind` value as written in the front matter.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Choice { .. } => "choice",
            Self::Number { .. } => "number",
            Self::Query { .. } => "query",
            Self::Text { .. } => "text",
        }
    }
}

/// Parses a Prometheus-style duration (`30s`, `5m`, `1h30m`; units ms, s, m, h, d, w).
///
/// Returns `None` for anything else, including a zero duration, so callers can reject it.
pub fn parse_window(text: &str) -> Option<Duration> {
    let mut rest = text;
    let mut total = Duration::ZERO;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let amount: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let millis_per_unit: u64 = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(Duration::from_millis(amount.checked_mul(millis_per_unit)?))?;
    }
    (!total.is_zero()).then_some(total)
}

fn default_points() -> u32 {
    DEFAULT_POINTS
}

fn default_pass() -> f64 {
    DEFAULT_PASS
}

fn default_weight() -> f64 {
    1.0
}

fn default_window() -> String {
    DEFAULT_WINDOW.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_like_prometheus_durations() {
        assert_eq!(parse_window("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_window("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_window("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_window("2w"), Some(Duration::from_secs(1_209_600)));
        for bad in ["", "5", "m", "5 m", "5min", "0s", "-5m", "5m "] {
            assert_eq!(parse_window(bad), None, "{bad:?} should be rejected");
        }
    }

    #[test]
    fn enum_spellings_round_trip_through_toml() {
        #[derive(Deserialize)]
        struct Both {
            tier: Tier,
            kind: DrillKind,
        }
        for (tier, kind) in [
            (Tier::SingleService, DrillKind::Concept),
            (Tier::CrossService, DrillKind::ExplainThisDashboard),
            (Tier::Subtle, DrillKind::HowWouldYouDiagnose),
        ] {
            let text = format!(
                "tier = \"{}\"\nkind = \"{}\"\n",
                tier.as_str(),
                kind.as_str()
            );
            let both: Both = toml::from_str(&text).unwrap();
            assert_eq!((both.tier, both.kind), (tier, kind));
        }
    }

    #[test]
    fn kinds_name_their_folders() {
        let folders: Vec<_> = ItemKind::ALL.iter().map(|k| k.folder()).collect();
        assert_eq!(folders, ["lessons", "challenges", "drills"]);
        assert_eq!(ItemKind::Challenge.to_string(), "challenge");
    }
}
