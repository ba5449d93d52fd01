//! Compares a learner's query result with the reference's: the same series once labels
//! are normalised, values within a tolerance; the same traces or log lines as sets.

use std::collections::{BTreeMap, BTreeSet};

use crate::lab::query::{Labels, QueryData, Sample};

/// Relative tolerance, in percent, between a learner's values and the reference's when the
/// caller has no reason to pick another: two equivalent queries agree far more closely.
pub const DEFAULT_QUERY_TOLERANCE_PCT: f64 = 5.0;

/// Trace ids or log lines count as the same result when the sets overlap this much
/// (intersection over union): searches and limits cut results at slightly different places.
pub const SAME_SET_JACCARD: f64 = 0.8;

/// Series or items named in feedback before "and N more".
const LISTED: usize = 3;

/// How two results compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The learner's result is the reference's, within tolerance.
    pub equivalent: bool,
    /// The reference returned nothing, so nothing could be compared.
    pub inconclusive: bool,
    /// What differs, in sentences for the learner; empty when equivalent.
    pub feedback: Vec<String>,
}

impl Comparison {
    fn same() -> Self {
        Self {
            equivalent: true,
            inconclusive: false,
            feedback: Vec::new(),
        }
    }

    fn differs(feedback: Vec<String>) -> Self {
        Self {
            equivalent: false,
            inconclusive: false,
            feedback,
        }
    }
}

/// What [`compare_with`] needs besides the two results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompareOptions {
    /// Relative tolerance of values, in percent.
    pub tolerance_pct: f64,
    /// Labels the reference query selects on (`service` in `x{service="payments"}`). A
    /// learner series that keeps one the reference aggregates away is not aggregated,
    /// even when its values agree.
    pub selected_labels: BTreeSet<String>,
    /// How to aggregate, for feedback (`sum by (le)`), taken from the reference query.
    pub aggregation_hint: Option<String>,
    /// Selected labels the learner groups by on purpose while pinning them to one value
    /// (`sum by (le, service)` over `{service="payments"}`): they split nothing, so they
    /// are normalised away like labels nobody selects on.
    pub harmless: BTreeSet<String>,
}

/// Compares results: series after label normalisation (`__name__` dropped, and from the
/// learner's series every label the reference's series do not carry), values within
/// `tolerance_pct` percent; trace ids and log lines as sets.
pub fn compare(learner: &QueryData, reference: &QueryData, tolerance_pct: f64) -> Comparison {
    compare_with(
        learner,
        reference,
        &CompareOptions {
            tolerance_pct,
            ..CompareOptions::default()
        },
    )
}

/// [`compare`] with what the reference query's text tells (see [`CompareOptions`]).
pub fn compare_with(
    learner: &QueryData,
    reference: &QueryData,
    options: &CompareOptions,
) -> Comparison {
    if reference.is_empty() {
        return Comparison {
            equivalent: false,
            inconclusive: true,
            feedback: vec![
                "the reference returned nothing: is the lab running with its faults?".to_owned(),
            ],
        };
    }
    match (learner, reference) {
        (QueryData::Traces(l), QueryData::Traces(r)) => {
            let ids = |hits: &[crate::lab::query::traces::TraceHit]| -> BTreeSet<String> {
                hits.iter().map(|h| trace_id(&h.trace_id)).collect()
            };
            sets(&ids(l), &ids(r), "traces")
        }
        (QueryData::Streams(l), QueryData::Streams(r)) => {
            let lines = |entries: &[crate::lab::query::logs::LogEntry]| -> BTreeSet<(i64, String)> {
                entries.iter().map(|e| (e.ts_ns, e.line.clone())).collect()
            };
            sets(&lines(l), &lines(r), "log lines")
        }
        _ => match (Series::of(learner), Series::of(reference)) {
            (Some(l), Some(r)) if kind(learner) == kind(reference) => series(l, r, options),
            _ => Comparison::differs(vec![format!(
                "you return {}, the answer is {}",
                kind(learner),
                kind(reference)
            )]),
        },
    }
}

fn kind(data: &QueryData) -> &'static str {
    match data {
        QueryData::Vector(_) => "an instant vector",
        QueryData::Matrix(_) => "a range",
        QueryData::Scalar(_) => "a scalar",
        QueryData::String { .. } => "a string",
        QueryData::Streams(_) => "log lines",
        QueryData::Traces(_) => "traces",
    }
}

/// Tempo may drop a trace id's leading zeros.
fn trace_id(id: &str) -> String {
    let lower = id.trim().to_ascii_lowercase();
    let trimmed = lower.trim_start_matches('0');
    if trimmed.is_empty() { "0" } else { trimmed }.to_owned()
}

fn sets<T: Ord>(learner: &BTreeSet<T>, reference: &BTreeSet<T>, what: &str) -> Comparison {
    if learner.is_empty() {
        return Comparison::differs(vec![format!(
            "your query returned no {what}; the answer has {}",
            reference.len()
        )]);
    }
    let common = learner.intersection(reference).count();
    let union = learner.len() + reference.len() - common;
    let missing = reference.len() - common;
    let extra = learner.len() - common;
    let jaccard = common as f64 / union as f64;
    if jaccard + 1e-12 >= SAME_SET_JACCARD {
        return Comparison::same();
    }
    Comparison::differs(vec![format!(
        "you return {} {what}, the answer has {}: {missing} of the answer's are missing, \
         {extra} of yours are extra",
        learner.len(),
        reference.len()
    )])
}

/// Series of a metric result, labels without `__name__`.
struct Series {
    rows: Vec<(Labels, Vec<Sample>)>,
}

impl Series {
    fn of(data: &QueryData) -> Option<Self> {
        let strip = |labels: &Labels| {
            let mut l = labels.clone();
            l.remove("__name__");
            l
        };
        let rows = match data {
            QueryData::Vector(v) => v
                .iter()
                .map(|s| (strip(&s.labels), vec![s.sample]))
                .collect(),
            QueryData::Scalar(s) => vec![(Labels::new(), vec![*s])],
            QueryData::Matrix(m) => m
                .iter()
                .map(|s| (strip(&s.labels), s.samples.clone()))
                .collect(),
            _ => return None,
        };
        Some(Self { rows })
    }
}

fn series(learner: Series, reference: Series, options: &CompareOptions) -> Comparison {
    let n_learner = learner.rows.len();
    let n_reference = reference.rows.len();
    if n_learner == 0 {
        return Comparison::differs(vec![format!(
            "your query returned nothing; the answer has {n_reference} series: check the \
             metric name and the label values"
        )]);
    }
    let reference_names: BTreeSet<String> = reference
        .rows
        .iter()
        .flat_map(|(l, _)| l.keys().cloned())
        .collect();
    let keep = |name: &String| {
        reference_names.contains(name)
            || (options.selected_labels.contains(name.as_str())
                && !options.harmless.contains(name.as_str()))
    };
    let mut mine: BTreeMap<Labels, Vec<Sample>> = BTreeMap::new();
    let mut collapsed = false;
    for (labels, samples) in learner.rows {
        let kept: Labels = labels.into_iter().filter(|(k, _)| keep(k)).collect();
        collapsed |= mine.insert(kept, samples).is_some();
    }
    let theirs: BTreeMap<Labels, Vec<Sample>> = reference.rows.into_iter().collect();
    let hint = || {
        options.aggregation_hint.clone().unwrap_or_else(|| {
            let names: Vec<&str> = reference_names.iter().map(|s| s.as_str()).collect();
            if names.is_empty() {
                "sum(…)".to_owned()
            } else {
                format!("sum by ({}) (…)", names.join(", "))
            }
        })
    };
    if collapsed {
        return Comparison::differs(vec![format!(
            "you return {n_learner} series, the answer has {n_reference}: aggregate, e.g. with {}",
            hint()
        )]);
    }
    let extra_names: BTreeSet<&String> = mine
        .keys()
        .flat_map(|l| l.keys())
        .filter(|k| !reference_names.contains(*k))
        .collect();
    let missing: Vec<&Labels> = theirs.keys().filter(|l| !mine.contains_key(*l)).collect();
    let extra: Vec<&Labels> = mine.keys().filter(|l| !theirs.contains_key(*l)).collect();
    let mut feedback = Vec::new();
    if !extra_names.is_empty() {
        let names: Vec<&str> = extra_names.iter().map(|s| s.as_str()).collect();
        feedback.push(format!(
            "your series keep labels the answer aggregates away ({}): aggregate, e.g. with {}",
            names.join(", "),
            hint()
        ));
    } else if n_learner != n_reference {
        feedback.push(format!(
            "you return {n_learner} series, the answer has {n_reference}"
        ));
    }
    if extra_names.is_empty() {
        listed(&mut feedback, &missing, "is missing");
        listed(&mut feedback, &extra, "is not in the answer");
    }
    let mut differing = 0usize;
    for (labels, want) in &theirs {
        let Some(got) = mine.get(labels) else {
            continue;
        };
        if let Some((a, b)) = first_difference(got, want, options.tolerance_pct) {
            differing += 1;
            if differing <= LISTED {
                let of = if theirs.len() > 1 {
                    format!(" for {}", selector(labels))
                } else {
                    String::new()
                };
                feedback.push(format!(
                    "values differ{of}: {} vs {} (tolerance {}%)",
                    number(a),
                    number(b),
                    number(options.tolerance_pct)
                ));
            }
        }
    }
    if differing > LISTED {
        feedback.push(format!("and {} more series differ", differing - LISTED));
    }
    if feedback.is_empty() {
        Comparison::same()
    } else {
        Comparison::differs(feedback)
    }
}

fn listed(feedback: &mut Vec<String>, series: &[&Labels], says: &str) {
    for labels in series.iter().take(LISTED) {
        feedback.push(format!("series {} {says}", selector(labels)));
    }
    if series.len() > LISTED {
        feedback.push(format!("and {} more", series.len() - LISTED));
    }
}

/// The first pair of values (the learner's, the reference's) that differ: sample by
/// sample when both have the same timestamps, else the last samples.
fn first_difference(got: &[Sample], want: &[Sample], tolerance_pct: f64) -> Option<(f64, f64)> {
    let same_times = got.len() == want.len() && got.iter().zip(want).all(|(a, b)| a.t == b.t);
    if same_times {
        got.iter()
            .zip(want)
            .find(|(a, b)| !close(a.v, b.v, tolerance_pct))
            .map(|(a, b)| (a.v, b.v))
    } else {
        match (got.last(), want.last()) {
            (Some(a), Some(b)) if close(a.v, b.v, tolerance_pct) => None,
            (Some(a), Some(b)) => Some((a.v, b.v)),
            (None, Some(b)) => Some((f64::NAN, b.v)),
            _ => None,
        }
    }
}

/// `a` within `pct` percent of `b`; NaN equals NaN and infinities their own sign.
fn close(a: f64, b: f64, pct: f64) -> bool {
    if a == b || (a.is_nan() && b.is_nan()) {
        return true;
    }
    if !(a.is_finite() && b.is_finite()) {
        return false;
    }
    let pct = if pct.is_finite() { pct.max(0.0) } else { 0.0 };
    let slack = 1e-9 * a.abs().max(b.abs()) + 1e-12;
    (a - b).abs() <= b.abs() * pct / 100.0 + slack
}

/// Labels as a PromQL selector: `{service="payments"}`.
fn selector(labels: &Labels) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    crate::lab::untrusted::escape(&format!("{{{}}}", inner.join(", "))).into_owned()
}

fn number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "0" || s == "-0" {
        format!("{v:.3e}")
    } else {
        s.to_owned()
    }
}
