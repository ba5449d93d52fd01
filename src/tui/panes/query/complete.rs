//! Completion for the PromQL editor: what kind of word the cursor is in (a metric, a label
//! name, a label value) and which known names fit it.
//!
//! The lab's names come from Prometheus (metadata, label names, label values) in the
//! background; this module only reads the text before the cursor, so it costs nothing
//! per key and never waits.

use std::collections::BTreeMap;
use std::ops::Range;

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

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Reads the text before `cursor` (a byte offset) and says what is being typed there.
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
        Want::LabelName => known
            .label_names
            .iter()
            .filter(|l| *l != "__name__")
            .map(|l| Candidate {
                text: l.clone(),
                kind: "label".into(),
                help: String::new(),
            })
            .collect(),
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
    if typed.is_empty() && site.want == Want::Metric {
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
}
