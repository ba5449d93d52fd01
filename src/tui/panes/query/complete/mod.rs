//! Completion for the query editors: what kind of word the cursor is in (a metric, a
//! label name or value, a LogQL stage or function, a TraceQL attribute or value) and which
//! known names fit it.
//!
//! Each language's names come from its own backend in the background (Prometheus'
//! metadata and labels, Loki's labels, Tempo's tags); this module only reads the text
//! before the cursor, so it costs nothing per key and never waits.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::lab::query::QueryLang;

/// Candidates shown at most.
pub const MAX_CANDIDATES: usize = 8;

/// A metric as Prometheus describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricInfo {
    pub name: String,
    /// counter, gauge, histogram, summary… ("" when unknown).
    pub kind: String,
    pub help: String,
}

/// Names known in the lab, refreshed in the background.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    pub metrics: Vec<MetricInfo>,
    pub label_names: Vec<String>,
    pub label_values: BTreeMap<String, Vec<String>>,
}

/// Each language's names, so a tab only ever offers what its own backend knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownByLang {
    pub promql: Known,
    /// Loki's label names and values.
    pub logql: Known,
    /// Tempo's attribute names, scoped (`span.http.route`), and intrinsics; values as
    /// TraceQL literals (strings quoted).
    pub traceql: Known,
}

impl KnownByLang {
    pub fn get(&self, lang: QueryLang) -> &Known {
        match lang {
            QueryLang::PromQL => &self.promql,
            QueryLang::LogQL => &self.logql,
            QueryLang::TraceQL => &self.traceql,
        }
    }

    pub fn get_mut(&mut self, lang: QueryLang) -> &mut Known {
        match lang {
            QueryLang::PromQL => &mut self.promql,
            QueryLang::LogQL => &mut self.logql,
            QueryLang::TraceQL => &mut self.traceql,
        }
    }
}

/// What the word at the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// A metric or function name.
    Metric,
    /// A label name inside `{…}` or a grouping clause like `by (…)`.
    LabelName,
    /// The value of `label` inside its quotes.
    LabelValue {
        label: String,
    },
    /// LogQL: a range or aggregation function.
    LogFunction,
    /// LogQL: the first word after `|`: a parser, a formatter or a label to filter on.
    Stage,
    /// TraceQL: an attribute (scoped, like `span.http.route`) or an intrinsic.
    Attribute,
    /// TraceQL: the value compared with `attr`; `quoted` when the cursor is inside the
    /// string already, so only the text between the quotes is inserted.
    AttributeValue {
        attr: String,
        quoted: bool,
    },
    Nothing,
}

/// One suggestion: the text to insert and what to show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub text: String,
    pub kind: String,
    pub help: String,
}

/// The word being completed and where it sits in the text (byte range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub want: Want,
    pub word: Range<usize>,
}

mod logql;
mod promql;
#[cfg(test)]
mod tests;
mod traceql;

use logql::{LOGQL_FUNCTIONS, LOGQL_STAGES, logql_site};
use promql::FUNCTIONS;
pub use promql::site;
use traceql::{TRACEQL_INTRINSICS, attribute_kind, attribute_value_pool, traceql_site};
pub use traceql::{attribute_names, attribute_values, fetches_values};

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// What is being typed at `cursor` (a byte offset) in a query of `lang`.
pub fn site_in(lang: QueryLang, text: &str, cursor: usize) -> Site {
    match lang {
        QueryLang::PromQL => site(text, cursor),
        QueryLang::LogQL => logql_site(text, cursor),
        QueryLang::TraceQL => traceql_site(text, cursor),
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn plain(texts: &[&str], kind: &str) -> Vec<Candidate> {
    texts
        .iter()
        .map(|t| Candidate {
            text: (*t).to_string(),
            kind: kind.into(),
            help: String::new(),
        })
        .collect()
}

fn labels(known: &Known) -> impl Iterator<Item = Candidate> + '_ {
    known
        .label_names
        .iter()
        .filter(|l| *l != "__name__")
        .map(|l| Candidate {
            text: l.clone(),
            kind: "label".into(),
            help: String::new(),
        })
}

/// Known names that fit the site: those starting with the typed word first, then those
/// containing it, at most [`MAX_CANDIDATES`].
pub fn candidates(known: &Known, text: &str, site: &Site) -> Vec<Candidate> {
    let typed = text.get(site.word.clone()).unwrap_or("");
    let pool: Vec<Candidate> = match &site.want {
        Want::Nothing => return Vec::new(),
        Want::Metric => known
            .metrics
            .iter()
            .map(|m| Candidate {
                text: m.name.clone(),
                kind: m.kind.clone(),
                help: m.help.clone(),
            })
            .chain(FUNCTIONS.iter().map(|f| Candidate {
                text: (*f).to_string(),
                kind: "function".into(),
                help: String::new(),
            }))
            .collect(),
        Want::LabelName => labels(known).collect(),
        Want::LogFunction => plain(LOGQL_FUNCTIONS, "function"),
        Want::Stage => plain(LOGQL_STAGES, "keyword")
            .into_iter()
            .chain(labels(known))
            .collect(),
        Want::Attribute => known
            .label_names
            .iter()
            .map(String::as_str)
            .chain(TRACEQL_INTRINSICS.iter().copied())
            .map(|name| Candidate {
                text: name.to_string(),
                kind: attribute_kind(name),
                help: String::new(),
            })
            .collect(),
        Want::AttributeValue { attr, quoted } => attribute_value_pool(known, attr, *quoted),
        Want::LabelValue { label } => known
            .label_values
            .get(label)
            .into_iter()
            .flatten()
            .map(|v| Candidate {
                text: v.clone(),
                kind: format!("{label} value"),
                help: String::new(),
            })
            .collect(),
    };
    if typed.is_empty() && matches!(site.want, Want::Metric | Want::LogFunction) {
        return Vec::new();
    }
    let lower = typed.to_lowercase();
    let (mut first, mut rest): (Vec<_>, Vec<_>) = pool
        .into_iter()
        .filter(|c| c.text != typed && c.text.to_lowercase().contains(&lower))
        .partition(|c| c.text.to_lowercase().starts_with(&lower));
    first.sort_by(|a, b| a.text.len().cmp(&b.text.len()).then(a.text.cmp(&b.text)));
    rest.sort_by(|a, b| a.text.cmp(&b.text));
    first.dedup_by(|a, b| a.text == b.text);
    rest.dedup_by(|a, b| a.text == b.text);
    first.extend(rest);
    first.truncate(MAX_CANDIDATES);
    first
}
