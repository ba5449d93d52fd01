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
use crate::lab::query::tempo::{TagScope, TagValue};

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

const GROUPING: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// PromQL's functions and aggregation operators, completed beside metric names.
const FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "avg",
    "avg_over_time",
    "bottomk",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "count",
    "count_over_time",
    "count_values",
    "day_of_week",
    "delta",
    "deriv",
    "exp",
    "floor",
    "group",
    "histogram_quantile",
    "holt_winters",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log2",
    "log10",
    "max",
    "max_over_time",
    "min",
    "min_over_time",
    "predict_linear",
    "quantile",
    "quantile_over_time",
    "rate",
    "resets",
    "round",
    "scalar",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev",
    "stddev_over_time",
    "stdvar",
    "sum",
    "sum_over_time",
    "time",
    "timestamp",
    "topk",
    "vector",
];

/// LogQL's parsers, formatters and other stages, offered after `|`.
const LOGQL_STAGES: &[&str] = &[
    "json",
    "logfmt",
    "pattern",
    "regexp",
    "unpack",
    "line_format",
    "label_format",
    "unwrap",
    "drop",
    "keep",
    "decolorize",
];

/// LogQL's range and aggregation functions, offered where a function may start.
const LOGQL_FUNCTIONS: &[&str] = &[
    "rate",
    "count_over_time",
    "bytes_over_time",
    "bytes_rate",
    "sum_over_time",
    "avg_over_time",
    "max_over_time",
    "min_over_time",
    "quantile_over_time",
    "first_over_time",
    "last_over_time",
    "absent_over_time",
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "topk",
    "bottomk",
    "sort",
    "sort_desc",
];

/// LogQL stages whose arguments are label names.
const LOGQL_LABEL_STAGES: [&str; 3] = ["unwrap", "keep", "drop"];

/// TraceQL's intrinsics as Tempo 2.7 lists them in its `intrinsic` scope, offered even
/// before Tempo answers (they are part of the language, not of the lab's data).
const TRACEQL_INTRINSICS: &[&str] = &[
    "duration",
    "event:name",
    "event:timeSinceStart",
    "instrumentation:name",
    "instrumentation:version",
    "kind",
    "name",
    "rootName",
    "rootServiceName",
    "span:duration",
    "span:kind",
    "span:name",
    "span:status",
    "span:statusMessage",
    "status",
    "statusMessage",
    "trace:duration",
    "trace:rootName",
    "trace:rootService",
    "traceDuration",
];

/// TraceQL's scopes that prefix an attribute name (`span.http.route`).
const TRACEQL_SCOPES: [&str; 5] = ["span", "resource", "event", "link", "instrumentation"];

const STATUS_VALUES: [&str; 3] = ["error", "ok", "unset"];
const KIND_VALUES: [&str; 6] = [
    "server",
    "client",
    "internal",
    "producer",
    "consumer",
    "unspecified",
];

/// The values TraceQL spells as keywords, for the intrinsics that take them.
fn keyword_values(attr: &str) -> &'static [&'static str] {
    match attr {
        "status" | "span:status" => &STATUS_VALUES,
        "kind" | "span:kind" => &KIND_VALUES,
        _ => &[],
    }
}

/// Whether a TraceQL attribute's values are worth asking Tempo for (not keywords, not
/// durations).
pub fn fetches_values(lang: QueryLang, attr: &str) -> bool {
    lang != QueryLang::TraceQL
        || (keyword_values(attr).is_empty()
            && !matches!(
                attr,
                "duration" | "span:duration" | "traceDuration" | "trace:duration"
            ))
}

/// Tempo's tag scopes as TraceQL names: `span.http.route`, `resource.service.name`, and
/// the intrinsics bare (`status`, `span:kind`).
pub fn attribute_names(scopes: &[TagScope]) -> Vec<String> {
    let mut names: Vec<String> = scopes
        .iter()
        .flat_map(|scope| {
            scope.tags.iter().map(move |tag| {
                if scope.name == "intrinsic" {
                    tag.clone()
                } else {
                    format!("{}.{tag}", scope.name)
                }
            })
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Tempo's tag values as TraceQL literals: strings quoted (and escaped), numbers,
/// booleans, durations and keywords as they are.
pub fn attribute_values(values: &[TagValue]) -> Vec<String> {
    values
        .iter()
        .map(|v| match v.type_.as_str() {
            "string" | "" => format!("\"{}\"", v.value.replace('\\', "\\\\").replace('"', "\\\"")),
            _ => v.value.clone(),
        })
        .collect()
}

/// How a TraceQL name is shown beside it: `attribute · span`, or `intrinsic`.
fn attribute_kind(name: &str) -> String {
    match name.split_once('.') {
        Some((scope, _)) if TRACEQL_SCOPES.contains(&scope) => format!("attribute · {scope}"),
        Some(("", _)) => "attribute".into(),
        _ => "intrinsic".into(),
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// A TraceQL name may hold dots and colons (`resource.service.name`, `span:status`).
fn is_trace_word(c: char) -> bool {
    is_word(c) || c == '.'
}

/// What is being typed at `cursor` (a byte offset) in a query of `lang`.
pub fn site_in(lang: QueryLang, text: &str, cursor: usize) -> Site {
    match lang {
        QueryLang::PromQL => site(text, cursor),
        QueryLang::LogQL => logql_site(text, cursor),
        QueryLang::TraceQL => traceql_site(text, cursor),
    }
}

/// Reads the PromQL before `cursor` (a byte offset) and says what is being typed there.
pub fn site(text: &str, cursor: usize) -> Site {
    let cursor = floor_char_boundary(text, cursor.min(text.len()));
    let before = &text[..cursor];
    let mut in_string: Option<(char, usize)> = None;
    let mut in_braces = false;
    let mut label = String::new();
    let mut parens: Vec<bool> = Vec::new(); // true: a grouping clause's parenthesis
    let mut last_word = String::new();
    let mut word = String::new();
    for (i, c) in before.char_indices() {
        if let Some((quote, _)) = in_string {
            if c == quote {
                in_string = None;
            }
            continue;
        }
        if is_word(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            last_word = std::mem::take(&mut word);
        }
        match c {
            '"' | '\'' | '`' => in_string = Some((c, i + c.len_utf8())),
            '{' => {
                in_braces = true;
                label.clear();
            }
            '}' => in_braces = false,
            '=' | '!' | '~' if in_braces && !last_word.is_empty() => {
                label = last_word.clone();
            }
            ',' if in_braces => label.clear(),
            '(' => parens.push(GROUPING.contains(&last_word.as_str())),
            ')' => {
                parens.pop();
            }
            _ => {}
        }
        if !c.is_whitespace() && !matches!(c, '=' | '!' | '~') {
            last_word.clear();
        }
    }
    if let Some((_, start)) = in_string {
        let want = if in_braces && !label.is_empty() {
            Want::LabelValue { label }
        } else {
            Want::Nothing
        };
        return Site {
            want,
            word: start..cursor,
        };
    }
    let start = cursor - word.len();
    let want = if in_braces || parens.last() == Some(&true) {
        Want::LabelName
    } else if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        Want::Nothing
    } else {
        Want::Metric
    };
    Site {
        want,
        word: start..cursor,
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Reads the LogQL before `cursor`: label names and values inside a stream selector, a
/// stage after `|` (or a label for `unwrap`, `keep`, `drop`), a function elsewhere.
fn logql_site(text: &str, cursor: usize) -> Site {
    let cursor = floor_char_boundary(text, cursor.min(text.len()));
    let before = &text[..cursor];
    let mut in_string: Option<(char, usize)> = None;
    let mut in_braces = false;
    let mut label = String::new();
    let mut parens: Vec<bool> = Vec::new();
    // In a pipeline: no word of the current stage yet, or the stage's first word.
    let mut pipeline = false;
    let mut stage_start = false;
    let mut stage = String::new();
    let mut last_word = String::new();
    let mut word = String::new();
    let mut prev = ' ';
    for (i, c) in before.char_indices() {
        if let Some((quote, _)) = in_string {
            if c == quote {
                in_string = None;
                label.clear();
            }
            prev = c;
            continue;
        }
        if is_word(c) {
            word.push(c);
            prev = c;
            continue;
        }
        if !word.is_empty() {
            if stage_start {
                stage = word.clone();
                stage_start = false;
            }
            last_word = std::mem::take(&mut word);
        }
        match c {
            '"' | '`' => in_string = Some((c, i + c.len_utf8())),
            '{' => {
                in_braces = true;
                label.clear();
            }
            '}' => {
                in_braces = false;
                label.clear();
            }
            '|' if !in_braces => {
                pipeline = true;
                stage_start = true;
                stage.clear();
                label.clear();
            }
            // `|=`, `|~`: a line filter, not a stage.
            '=' | '~' if prev == '|' => stage_start = false,
            '=' | '!' | '~' if !last_word.is_empty() => label = last_word.clone(),
            ',' => label.clear(),
            '(' | ')' | '[' => {
                pipeline = false;
                stage_start = false;
                label.clear();
                if c == '(' {
                    parens.push(GROUPING.contains(&last_word.as_str()));
                } else if c == ')' {
                    parens.pop();
                }
            }
            _ => {}
        }
        if !c.is_whitespace() && !matches!(c, '=' | '!' | '~') {
            last_word.clear();
        }
        prev = c;
    }
    if let Some((_, start)) = in_string {
        let want = if (in_braces || pipeline) && !label.is_empty() {
            Want::LabelValue { label }
        } else {
            Want::Nothing
        };
        return Site {
            want,
            word: start..cursor,
        };
    }
    let start = cursor - word.len();
    let want = if in_braces || parens.last() == Some(&true) {
        if label.is_empty() {
            Want::LabelName
        } else {
            Want::Nothing
        }
    } else if pipeline {
        if stage_start {
            Want::Stage
        } else if LOGQL_LABEL_STAGES.contains(&stage.as_str()) {
            Want::LabelName
        } else {
            Want::Nothing
        }
    } else if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        Want::Nothing
    } else {
        Want::LogFunction
    };
    Site {
        want,
        word: start..cursor,
    }
}

/// Where a TraceQL condition is, inside `{…}`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Attribute,
    Value,
    /// After a value, before `&&` or `||`.
    Other,
}

/// Reads the TraceQL before `cursor`: attributes inside `{…}` (and in `by(…)`,
/// `select(…)`), a value after a comparison.
fn traceql_site(text: &str, cursor: usize) -> Site {
    let cursor = floor_char_boundary(text, cursor.min(text.len()));
    let before = &text[..cursor];
    let mut in_string: Option<(char, usize)> = None;
    let mut in_braces = false;
    let mut expect = Expect::Other;
    let mut attr = String::new();
    let mut parens: Vec<bool> = Vec::new(); // true: `by(`/`select(`, a list of attributes
    let mut last_word = String::new();
    let mut word = String::new();
    for (i, c) in before.char_indices() {
        if let Some((quote, _)) = in_string {
            if c == quote {
                in_string = None;
                if expect == Expect::Value {
                    expect = Expect::Other;
                }
            }
            continue;
        }
        if is_trace_word(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            if expect == Expect::Value {
                expect = Expect::Other;
            }
            last_word = std::mem::take(&mut word);
        }
        match c {
            '"' | '`' => in_string = Some((c, i + c.len_utf8())),
            '{' => {
                in_braces = true;
                expect = Expect::Attribute;
            }
            '}' => in_braces = false,
            '=' | '~' | '<' | '>' | '!'
                if in_braces && expect == Expect::Attribute && !last_word.is_empty() =>
            {
                attr = last_word.clone();
                expect = Expect::Value;
            }
            '&' | '|' if in_braces => expect = Expect::Attribute,
            '(' => {
                parens.push(matches!(last_word.as_str(), "by" | "select"));
                if in_braces {
                    expect = Expect::Attribute;
                }
            }
            ')' => {
                parens.pop();
                if in_braces {
                    expect = Expect::Other;
                }
            }
            _ => {}
        }
        if !c.is_whitespace() && !matches!(c, '=' | '!' | '~' | '<' | '>') {
            last_word.clear();
        }
    }
    if let Some((_, start)) = in_string {
        let want = if in_braces && expect == Expect::Value {
            Want::AttributeValue { attr, quoted: true }
        } else {
            Want::Nothing
        };
        return Site {
            want,
            word: start..cursor,
        };
    }
    let start = cursor - word.len();
    let want = if in_braces {
        match expect {
            Expect::Attribute => Want::Attribute,
            Expect::Value => Want::AttributeValue {
                attr,
                quoted: false,
            },
            Expect::Other => Want::Nothing,
        }
    } else if parens.last() == Some(&true) {
        Want::Attribute
    } else {
        Want::Nothing
    };
    Site {
        want,
        word: start..cursor,
    }
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

/// A TraceQL attribute's values: keywords for `status` and `kind`, else Tempo's, whole
/// literals when typed bare, the text between the quotes when typed in a string.
fn attribute_value_pool(known: &Known, attr: &str, quoted: bool) -> Vec<Candidate> {
    let kind = format!("{attr} value");
    let keywords = keyword_values(attr);
    if !keywords.is_empty() {
        return if quoted {
            Vec::new()
        } else {
            plain(keywords, &kind)
        };
    }
    known
        .label_values
        .get(attr)
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let inner = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
            let text = match (quoted, inner) {
                (true, Some(inner)) => inner.to_string(),
                (true, None) => return None,
                (false, _) => v.clone(),
            };
            Some(Candidate {
                text,
                kind: kind.clone(),
                help: String::new(),
            })
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end(text: &str) -> Site {
        site(text, text.len())
    }

    #[test]
    fn the_site_follows_the_grammar_around_the_cursor() {
        assert_eq!(at_end("http_req").want, Want::Metric);
        assert_eq!(at_end("http_req").word, 0..8);
        assert_eq!(at_end("sum(rate(http_re").word, 9..16);
        assert_eq!(at_end("up{").want, Want::LabelName);
        assert_eq!(at_end("up{job=\"x\", inst").want, Want::LabelName);
        assert_eq!(at_end("up{job=\"x\", inst").word, 12..16);
        assert_eq!(
            at_end("up{job=\"prom").want,
            Want::LabelValue {
                label: "job".into()
            }
        );
        assert_eq!(at_end("up{job=\"prom").word, 8..12);
        assert_eq!(
            at_end("x{status!~\"5").want,
            Want::LabelValue {
                label: "status".into()
            }
        );
        assert_eq!(at_end("sum by (se").want, Want::LabelName);
        assert_eq!(at_end("sum by (service) (ra").want, Want::Metric);
        assert_eq!(at_end("sum(x) / on(ser").want, Want::LabelName);
        assert_eq!(at_end("rate(x[5").want, Want::Nothing);
        assert_eq!(at_end("up{job=\"a\"} ").want, Want::Nothing);
        assert_eq!(at_end("label_replace(up, \"dst").want, Want::Nothing);
        // A cursor in the middle of a multi-byte character is moved back, not a panic.
        let text = "up{job=\"é";
        let _ = site(text, text.len() - 1);
        let _ = site("", 10);
    }

    #[test]
    fn candidates_prefer_prefixes_and_carry_type_and_help() {
        let known = Known {
            metrics: vec![
                MetricInfo {
                    name: "http_requests_total".into(),
                    kind: "counter".into(),
                    help: "Requests handled".into(),
                },
                MetricInfo {
                    name: "shop_http_requests_in_flight".into(),
                    kind: "gauge".into(),
                    help: String::new(),
                },
            ],
            label_names: vec!["__name__".into(), "service".into(), "status".into()],
            label_values: BTreeMap::from([(
                "service".into(),
                vec!["orders".into(), "payments".into()],
            )]),
        };
        let text = "http_req";
        let got = candidates(&known, text, &at_end(text));
        assert_eq!(got[0].text, "http_requests_total");
        assert_eq!(got[0].kind, "counter");
        assert_eq!(got[0].help, "Requests handled");
        assert_eq!(got[1].text, "shop_http_requests_in_flight");
        let text = "histo";
        assert_eq!(
            candidates(&known, text, &at_end(text))[0].text,
            "histogram_quantile"
        );
        let text = "sum by (s";
        let names: Vec<_> = candidates(&known, text, &at_end(text))
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(names, ["status", "service"]);
        let text = "x{service=\"pay";
        assert_eq!(candidates(&known, text, &at_end(text))[0].text, "payments");
        assert!(candidates(&known, "", &at_end("")).is_empty());
    }

    fn logql(text: &str) -> Site {
        site_in(QueryLang::LogQL, text, text.len())
    }

    fn traceql(text: &str) -> Site {
        site_in(QueryLang::TraceQL, text, text.len())
    }

    fn label(name: &str) -> Want {
        Want::LabelValue { label: name.into() }
    }

    fn value(attr: &str, quoted: bool) -> Want {
        Want::AttributeValue {
            attr: attr.into(),
            quoted,
        }
    }

    #[test]
    fn logql_sites_follow_the_selector_the_pipeline_and_the_functions() {
        assert_eq!(logql("{").want, Want::LabelName);
        assert_eq!(logql("{serv").want, Want::LabelName);
        assert_eq!(logql("{serv").word, 1..5);
        assert_eq!(logql("{service_name=\"pay").want, label("service_name"));
        assert_eq!(logql("{service_name=\"pay").word, 15..18);
        assert_eq!(logql("{level=~\"err").want, label("level"));
        assert_eq!(logql("{level!=\"").want, label("level"));
        assert_eq!(logql("{level!~\"").want, label("level"));
        assert_eq!(logql("{a=\"b\", lev").want, Want::LabelName);
        assert_eq!(logql("{a=\"b\", lev").word, 8..11);
        assert_eq!(logql("{a=").want, Want::Nothing, "a value needs its quote");
        // After the selector: a pipe starts a stage; a line filter is a string.
        assert_eq!(logql("{a=\"b\"} ").want, Want::Nothing);
        assert_eq!(logql("{a=\"b\"} | js").want, Want::Stage);
        assert_eq!(logql("{a=\"b\"} | js").word, 10..12);
        assert_eq!(logql("{a=\"b\"} |").want, Want::Stage);
        assert_eq!(logql("{a=\"b\"} | json | ").want, Want::Stage);
        assert_eq!(logql("{a=\"b\"} | json ").want, Want::Nothing);
        assert_eq!(logql("{a=\"b\"} |= \"err").want, Want::Nothing);
        assert_eq!(logql("{a=\"b\"} |= \"x\" ").want, Want::Nothing);
        assert_eq!(logql("{a=\"b\"} |~ ").want, Want::Nothing);
        assert_eq!(logql("{a=\"b\"} != \"x").want, Want::Nothing);
        assert_eq!(logql("{a=\"b\"} | level=\"er").want, label("level"));
        assert_eq!(logql("{a=\"b\"} | json | unwrap lat").want, Want::LabelName);
        assert_eq!(logql("{a=\"b\"} | keep a, b").want, Want::LabelName);
        assert_eq!(logql("{a=\"b\"} | line_format \"{{.a").want, Want::Nothing);
        // Functions where an expression starts, label names in a grouping.
        assert_eq!(logql("cou").want, Want::LogFunction);
        assert_eq!(logql("sum(rate(").want, Want::Nothing, "nothing typed yet");
        assert_eq!(logql("sum(rat").want, Want::LogFunction);
        assert_eq!(logql("sum(rat").word, 4..7);
        assert_eq!(logql("sum by (lev").want, Want::LabelName);
        assert_eq!(logql("rate({a=\"b\"} | json [5").want, Want::Nothing);
        assert_eq!(
            logql("sum(rate({a=\"b\"} | json [5m])) by (le").want,
            Want::LabelName
        );
        assert_eq!(logql("rate({a=\"b\"}[5m]) > 1").want, Want::Nothing);
        // Unicode before the cursor, a cursor inside a character or past the end.
        let text = "{a=\"é\"} | lo";
        assert_eq!(logql(text).want, Want::Stage);
        assert_eq!(&text[logql(text).word], "lo");
        let _ = site_in(QueryLang::LogQL, "{a=\"é", 6);
        let _ = site_in(QueryLang::LogQL, "", 10);
    }

    #[test]
    fn traceql_sites_take_dotted_and_colon_names_and_values_after_each_operator() {
        assert_eq!(traceql("{ ").want, Want::Attribute);
        assert_eq!(traceql("{span.http.ro").want, Want::Attribute);
        assert_eq!(traceql("{span.http.ro").word, 1..13);
        assert_eq!(traceql("{ .http.ro").word, 2..10);
        assert_eq!(traceql("{ span:sta").want, Want::Attribute);
        assert_eq!(traceql("{ span:sta").word, 2..10);
        for op in ["=", "!=", "=~", "!~"] {
            let text = format!("{{ resource.service.name {op} \"pay");
            assert_eq!(
                traceql(&text).want,
                value("resource.service.name", true),
                "{op}"
            );
            assert_eq!(&text[traceql(&text).word], "pay");
        }
        assert_eq!(traceql("{ status = ").want, value("status", false));
        assert_eq!(traceql("{ status=er").want, value("status", false));
        assert_eq!(traceql("{ status=er").word, 9..11);
        assert_eq!(traceql("{ span:kind = ser").want, value("span:kind", false));
        assert_eq!(traceql("{ duration > 10").want, value("duration", false));
        assert_eq!(traceql("{ duration >= 10").want, value("duration", false));
        // After a value: nothing until the next condition.
        assert_eq!(traceql("{ status = error ").want, Want::Nothing);
        assert_eq!(traceql("{ name = \"x\" ").want, Want::Nothing);
        assert_eq!(traceql("{ name = \"x\" && res").want, Want::Attribute);
        assert_eq!(traceql("{ name = \"x\" || (sp").want, Want::Attribute);
        assert_eq!(traceql("{ name = \"x\" } ").want, Want::Nothing);
        assert_eq!(
            traceql("{ name = \"x\" } | by(resource.se").want,
            Want::Attribute
        );
        assert_eq!(traceql("{ } | select(span.ht").word, 13..20);
        assert_eq!(traceql("{ } | count() > 2").want, Want::Nothing);
        assert_eq!(traceql("ab").want, Want::Nothing, "outside braces");
        // Unicode before the cursor; the cursor in the middle of a word reads up to it.
        let text = "{ span.x = \"é\" && span.ht";
        assert_eq!(&text[traceql(text).word], "span.ht");
        let text = "{ span.http.route }";
        let mid = site_in(QueryLang::TraceQL, text, 8);
        assert_eq!((mid.want, mid.word), (Want::Attribute, 2..8));
        let _ = site_in(QueryLang::TraceQL, "{ a = \"é", 8);
    }

    #[test]
    fn logql_candidates_are_lokis_labels_keywords_and_functions_not_metrics() {
        let known = Known {
            metrics: vec![MetricInfo {
                name: "count_things_total".into(),
                kind: "counter".into(),
                help: String::new(),
            }],
            label_names: vec!["level".into(), "service_name".into()],
            label_values: BTreeMap::from([(
                "service_name".into(),
                vec!["orders".into(), "payments".into()],
            )]),
        };
        let offered = |text: &str| -> Vec<(String, String)> {
            candidates(&known, text, &logql(text))
                .into_iter()
                .map(|c| (c.text, c.kind))
                .collect()
        };
        assert_eq!(
            offered("{"),
            [
                ("level".into(), "label".into()),
                ("service_name".into(), "label".into())
            ]
        );
        assert_eq!(offered("{service_name=\"pa")[0].0, "payments");
        let stage = offered("{level=\"error\"} | ");
        assert!(
            stage.contains(&("json".into(), "keyword".into())),
            "{stage:?}"
        );
        assert!(stage.len() <= MAX_CANDIDATES);
        assert_eq!(
            offered("{a=\"b\"} | log")[0],
            ("logfmt".into(), "keyword".into())
        );
        assert_eq!(offered("{a=\"b\"} | dec")[0].0, "decolorize");
        assert_eq!(
            offered("{a=\"b\"} | lev")[0],
            ("level".into(), "label".into())
        );
        let functions = offered("count");
        assert_eq!(functions[0], ("count_over_time".into(), "function".into()));
        assert!(
            functions.iter().all(|(t, _)| t != "count_things_total"),
            "no PromQL metrics in LogQL: {functions:?}"
        );
        assert_eq!(offered("bytes_r")[0].0, "bytes_rate");
        assert!(offered("").is_empty());
    }

    #[test]
    fn traceql_candidates_are_scoped_attributes_intrinsics_and_literal_values() {
        let scopes = vec![
            TagScope {
                name: "span".into(),
                tags: vec!["http.route".into(), "http.request.method".into()],
            },
            TagScope {
                name: "resource".into(),
                tags: vec!["service.name".into()],
            },
            TagScope {
                name: "intrinsic".into(),
                tags: vec!["status".into(), "span:status".into()],
            },
        ];
        let mut known = Known {
            label_names: attribute_names(&scopes),
            ..Known::default()
        };
        assert!(known.label_names.contains(&"span.http.route".to_string()));
        assert!(known.label_names.contains(&"status".to_string()));
        known.label_values.insert(
            "resource.service.name".into(),
            attribute_values(&[
                TagValue {
                    type_: "string".into(),
                    value: "payments".into(),
                },
                TagValue {
                    type_: "string".into(),
                    value: "say \"hi\"".into(),
                },
            ]),
        );
        known.label_values.insert(
            "span.http.response.status_code".into(),
            attribute_values(&[TagValue {
                type_: "int".into(),
                value: "500".into(),
            }]),
        );
        let offered = |text: &str| -> Vec<(String, String)> {
            candidates(&known, text, &traceql(text))
                .into_iter()
                .map(|c| (c.text, c.kind))
                .collect()
        };
        assert_eq!(
            offered("{ span.http.ro")[0],
            ("span.http.route".into(), "attribute · span".into())
        );
        assert_eq!(
            offered("{ resource.se")[0],
            (
                "resource.service.name".into(),
                "attribute · resource".into()
            )
        );
        assert_eq!(offered("{ .service")[0].0, "resource.service.name");
        let status = offered("{ stat");
        assert_eq!(status[0], ("status".into(), "intrinsic".into()));
        assert_eq!(
            status.iter().filter(|(t, _)| t == "status").count(),
            1,
            "Tempo's intrinsics and the built-in ones are not doubled: {status:?}"
        );
        assert!(
            offered("{ trace:")
                .iter()
                .any(|(t, _)| t == "trace:rootService")
        );
        assert_eq!(offered("{ resource.service.name = ")[0].0, "\"payments\"");
        assert_eq!(offered("{ resource.service.name = \"pa")[0].0, "payments");
        assert!(
            offered("{ resource.service.name = \"")
                .iter()
                .any(|(t, _)| t == "say \\\"hi\\\""),
            "escaped inside the quotes"
        );
        assert_eq!(offered("{ span.http.response.status_code = ")[0].0, "500");
        assert!(offered("{ span.http.response.status_code = \"").is_empty());
        let statuses: Vec<String> = offered("{ status = ").into_iter().map(|c| c.0).collect();
        assert_eq!(statuses, ["ok", "error", "unset"]);
        assert_eq!(
            offered("{ kind = ser")[0],
            ("server".into(), "kind value".into())
        );
        assert!(fetches_values(QueryLang::TraceQL, "span.http.route"));
        assert!(!fetches_values(QueryLang::TraceQL, "status"));
        assert!(!fetches_values(QueryLang::TraceQL, "duration"));
        assert!(fetches_values(QueryLang::LogQL, "level"));
    }
}
