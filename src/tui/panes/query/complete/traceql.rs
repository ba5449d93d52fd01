//! TraceQL: scoped attribute names and intrinsics inside `{ }`, `by(…)` and `select(…)`,
//! an attribute's values after an operator (keywords for `status` and `kind`).

use crate::lab::query::QueryLang;
use crate::lab::query::tempo::{TagScope, TagValue};

use super::{Candidate, Known, Site, Want, floor_char_boundary, is_word, plain};

/// TraceQL's intrinsics as Tempo 2.7 lists them in its `intrinsic` scope, offered even
/// before Tempo answers (they are part of the language, not of the lab's data).
pub(super) const TRACEQL_INTRINSICS: &[&str] = &[
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
pub(super) fn attribute_kind(name: &str) -> String {
    match name.split_once('.') {
        Some((scope, _)) if TRACEQL_SCOPES.contains(&scope) => format!("attribute · {scope}"),
        Some(("", _)) => "attribute".into(),
        _ => "intrinsic".into(),
    }
}

/// A TraceQL name may hold dots and colons (`resource.service.name`, `span:status`).
fn is_trace_word(c: char) -> bool {
    is_word(c) || c == '.'
}
#[derive(Clone, Copy, PartialEq, Eq)]
/// Where a TraceQL condition is, inside `{…}`.
enum Expect {
    Attribute,
    Value,
    /// After a value, before `&&` or `||`.
    Other,
}

/// Reads the TraceQL before `cursor`: attributes inside `{…}` (and in `by(…)`,
/// `select(…)`), a value after a comparison.
pub(super) fn traceql_site(text: &str, cursor: usize) -> Site {
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

/// A TraceQL attribute's values: keywords for `status` and `kind`, else Tempo's, whole
/// literals when typed bare, the text between the quotes when typed in a string.
pub(super) fn attribute_value_pool(known: &Known, attr: &str, quoted: bool) -> Vec<Candidate> {
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
