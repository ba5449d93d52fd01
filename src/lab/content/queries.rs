//! Checks that a query is well formed before a learner ever runs it.
//!
//! PromQL goes through the query console's syntax check (promql-parser underneath), so an
//! author and a learner see the same reason for the same broken query. LogQL and TraceQL have no parser here, so they get a
//! structural check that catches the usual slips: empty queries, unbalanced braces, parens,
//! brackets or quotes, a LogQL query that starts with neither a stream selector nor a metric
//! function, malformed LogQL label matchers or range durations, a TraceQL query with no spanset.

use crate::lab::query::{QueryLang, check_promql};

use super::markdown::runnable_queries;
use super::model::{Expectation, parse_window};
use super::parse::{AnyItem, ParsedFile};
use super::problem::Problem;
use super::spans::{Seg, key_path};

/// LogQL functions and aggregations a metric query may start with.
const LOGQL_FUNCTIONS: &[&str] = &[
    "rate",
    "rate_counter",
    "count_over_time",
    "bytes_rate",
    "bytes_over_time",
    "sum_over_time",
    "avg_over_time",
    "max_over_time",
    "min_over_time",
    "first_over_time",
    "last_over_time",
    "stdvar_over_time",
    "stddev_over_time",
    "quantile_over_time",
    "absent_over_time",
    "sum",
    "avg",
    "min",
    "max",
    "stddev",
    "stdvar",
    "count",
    "topk",
    "bottomk",
    "sort",
    "sort_desc",
    "label_replace",
    "vector",
];

/// `Ok` when `code` is a well-formed query in `lang`, else why not, in a sentence.
pub fn validate_query(lang: QueryLang, code: &str) -> Result<(), String> {
    let code = code.trim();
    if code.is_empty() {
        return Err(format!("the {lang} query is empty"));
    }
    match lang {
        QueryLang::PromQL => {
            check_promql(code).map_err(|e| format!("PromQL does not parse: {}", e.message))
        }
        QueryLang::LogQL => check_logql(code).map_err(|e| format!("LogQL looks malformed: {e}")),
        QueryLang::TraceQL => {
            check_traceql(code).map_err(|e| format!("TraceQL looks malformed: {e}"))
        }
    }
}

/// Checks every query in a parsed file: runnable blocks in its body and in Markdown keys
/// (prompts, solutions, hints), and expectation references. Returns problems and how many
/// queries were checked.
pub fn check_file_queries(parsed: &ParsedFile) -> (Vec<Problem>, usize) {
    let loc = &parsed.loc;
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut blocks = |markdown: &str, first_line: usize, field: Option<&[Seg]>| {
        for q in runnable_queries(markdown) {
            checked += 1;
            let line = first_line + q.line - 1;
            match (validate_query(q.lang, &q.code), q.invalid) {
                (Err(e), false) => problems.push(loc.at_line(line, field, e)),
                (Ok(()), true) => problems.push(loc.at_line(
                    line,
                    field,
                    format!(
                        "this {} block is flagged `invalid` (a query to fix) but it {}; break it \
                         on purpose or remove the flag",
                        q.lang,
                        if q.lang == QueryLang::PromQL {
                            "parses"
                        } else {
                            "passes the structural check"
                        }
                    ),
                )),
                _ => {}
            }
        }
    };
    blocks(&parsed.raw_body, loc.body_line(1), None);
    let mut references: Vec<(Vec<Seg>, &Expectation)> = Vec::new();
    match &parsed.item {
        AnyItem::Lesson(lesson) => {
            for (i, ex) in lesson.exercises.iter().enumerate() {
                for key in ["prompt", "solution"] {
                    let at = key_path!["exercises", i, key];
                    let text = if key == "prompt" {
                        &ex.prompt
                    } else {
                        &ex.solution
                    };
                    blocks(text, loc.string_first_line(&at), Some(&at));
                }
                for (h, hint) in ex.hints.iter().enumerate() {
                    let at = key_path!["exercises", i, "hints", h];
                    blocks(hint, loc.string_first_line(&at), Some(&at));
                }
                references.push((key_path!["exercises", i, "expect"].to_vec(), &ex.expect));
            }
        }
        AnyItem::Challenge(challenge) => {
            for (i, q) in challenge.questions.iter().enumerate() {
                let at = key_path!["questions", i, "prompt"];
                blocks(&q.prompt, loc.string_first_line(&at), Some(&at));
                references.push((key_path!["questions", i, "expect"].to_vec(), &q.expect));
            }
            for (i, hint) in challenge.hints.iter().enumerate() {
                let at = key_path!["hints", i, "text"];
                blocks(&hint.text, loc.string_first_line(&at), Some(&at));
            }
        }
        AnyItem::Drill(_) => {}
    }
    for (mut at, expect) in references {
        let (lang, code) = match expect {
            Expectation::Number {
                reference: Some(code),
                ..
            } => (QueryLang::PromQL, code),
            Expectation::Query {
                lang, reference, ..
            } => (*lang, reference),
            _ => continue,
        };
        at.push(Seg::from("reference"));
        checked += 1;
        if let Err(e) = validate_query(lang, code) {
            problems.push(loc.at(&at, e));
        }
    }
    (problems, checked)
}

/// A bracketed group found outside string literals: its opening char and inner text.
struct Group<'a> {
    open: char,
    inner: &'a str,
}

/// Checks quotes and bracket balance; returns every `{...}` and `[...]` group found outside
/// string literals, at any depth.
fn scan(code: &str) -> Result<Vec<Group<'_>>, String> {
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut groups = Vec::new();
    let mut quote: Option<(char, usize)> = None;
    let mut escaped = false;
    for (at, c) in code.char_indices() {
        if let Some((q, _)) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '`' => quote = Some((c, at)),
            '(' | '{' | '[' => stack.push((c, at)),
            ')' | '}' | ']' => {
                let expected = match c {
                    ')' => '(',
                    '}' => '{',
                    _ => '[',
                };
                match stack.pop() {
                    Some((open, start)) if open == expected => {
                        if open != '(' {
                            groups.push(Group {
                                open,
                                inner: &code[start + 1..at],
                            });
                        }
                    }
                    Some((open, _)) => {
                        return Err(format!("`{c}` closes `{open}`; check the brackets"));
                    }
                    None => return Err(format!("`{c}` has no opening `{expected}`")),
                }
            }
            _ => {}
        }
    }
    if let Some((q, _)) = quote {
        return Err(format!("a string opened with {q} is never closed"));
    }
    if let Some((open, _)) = stack.pop() {
        return Err(format!("`{open}` is never closed"));
    }
    Ok(groups)
}

fn check_logql(code: &str) -> Result<(), String> {
    let groups = scan(code)?;
    let start = code.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    let word: String = start
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !start.starts_with('{') && !LOGQL_FUNCTIONS.contains(&word.as_str()) {
        return Err(
            "it must start with a stream selector like {service_name=\"shop\"} or a metric \
             function like rate(, count_over_time( or sum"
                .to_owned(),
        );
    }
    let mut selectors = 0;
    for group in &groups {
        match group.open {
            '{' => {
                selectors += 1;
                check_matchers(group.inner)?;
            }
            _ => {
                let range = group.inner.trim();
                if parse_window(range).is_none() {
                    return Err(format!(
                        "[{range}] is not a range duration like [5m] (digits + ms, s, m, h, d or w)"
                    ));
                }
            }
        }
    }
    if selectors == 0 && word != "vector" {
        return Err("it has no stream selector like {service_name=\"shop\"}".to_owned());
    }
    Ok(())
}

/// `label op "value"` pairs separated by commas, at least one.
fn check_matchers(inner: &str) -> Result<(), String> {
    let mut rest = inner.trim_start();
    let mut count = 0;
    while !rest.is_empty() {
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!(
                "{{{inner}}}: expected a label name, found `{}`",
                rest.chars().next().unwrap_or(' ')
            ));
        }
        rest = rest[name_len..].trim_start();
        let op = ["=~", "!~", "!=", "="]
            .into_iter()
            .find(|op| rest.starts_with(op))
            .ok_or_else(|| format!("{{{inner}}}: `{name}` must be followed by =, !=, =~ or !~"))?;
        rest = rest[op.len()..].trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '`');
        let Some(quote) = quote else {
            return Err(format!(
                "{{{inner}}}: the value of `{name}` must be a quoted string, like {name}{op}\"value\""
            ));
        };
        let value_end = string_end(&rest[1..], quote)
            .map(|end| end + 2)
            .unwrap_or(rest.len());
        rest = rest[value_end..].trim_start();
        count += 1;
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None if rest.is_empty() => {}
            None => return Err(format!("{{{inner}}}: expected `,` or `}}` after `{name}`")),
        }
    }
    if count == 0 {
        return Err("an empty stream selector {} matches nothing; add a matcher like {service_name=\"shop\"}".to_owned());
    }
    Ok(())
}

/// Byte index of the closing quote in `text` (which starts just after the opening one).
fn string_end(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && quote == '"' {
            escaped = true;
        } else if c == quote {
            return Some(at);
        }
    }
    None
}

fn check_traceql(code: &str) -> Result<(), String> {
    let groups = scan(code)?;
    if !groups.iter().any(|g| g.open == '{') {
        return Err("it has no spanset like { resource.service.name = \"payments\" }".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(lang: QueryLang, code: &str) {
        assert_eq!(validate_query(lang, code), Ok(()), "{code}");
    }

    fn err(lang: QueryLang, code: &str, needle: &str) {
        let e = validate_query(lang, code).expect_err(code);
        assert!(e.contains(needle), "{code}: {e} should mention {needle}");
    }

    #[test]
    fn promql_is_parsed() {
        ok(
            QueryLang::PromQL,
            "sum by (route) (rate(http_requests_total[5m]))",
        );
        err(
            QueryLang::PromQL,
            "rate(http_requests_total)",
            "PromQL does not parse",
        );
        err(
            QueryLang::PromQL,
            "sum(rate(x[5m])",
            "PromQL does not parse",
        );
        err(QueryLang::PromQL, "  ", "empty");
        // Grammar errors name the token instead of promql-parser's "invalid promql query".
        err(
            QueryLang::PromQL,
            "up == 0 foo",
            "PromQL does not parse: unexpected `foo`",
        );
    }

    #[test]
    fn logql_accepts_selectors_pipelines_and_metric_queries() {
        ok(
            QueryLang::LogQL,
            "{service_name=\"shop\", level=~\"err|warn\"} |= \"timeout\"",
        );
        ok(
            QueryLang::LogQL,
            "{app=`x`} | json | line_format \"{{.msg}}\"",
        );
        ok(
            QueryLang::LogQL,
            "sum by (level) (count_over_time({service_name=\"shop\"}[5m]))",
        );
        ok(QueryLang::LogQL, "topk(3, rate({job=\"a\"} |= \"x\" [1m]))");
        ok(QueryLang::LogQL, "(sum(rate({a=\"b\"}[5m])))");
    }

    #[test]
    fn logql_structural_failures_are_explained() {
        err(
            QueryLang::LogQL,
            "service_name=\"shop\"",
            "must start with a stream selector",
        );
        err(QueryLang::LogQL, "{service_name=\"shop\"", "never closed");
        err(QueryLang::LogQL, "{service_name=\"shop}", "string");
        err(QueryLang::LogQL, "{service_name=shop}", "quoted string");
        err(QueryLang::LogQL, "{}", "empty stream selector");
        err(QueryLang::LogQL, "{a=\"b\" c=\"d\"}", "expected `,`");
        err(
            QueryLang::LogQL,
            "rate({a=\"b\"}[5 minutes])",
            "range duration",
        );
        err(QueryLang::LogQL, "rate({a=\"b\"}[5m)]", "closes");
        err(QueryLang::LogQL, "sum(rate(x[5m]))", "no stream selector");
    }

    #[test]
    fn traceql_needs_a_balanced_spanset() {
        ok(
            QueryLang::TraceQL,
            "{ resource.service.name = \"payments\" && duration > 1s }",
        );
        ok(
            QueryLang::TraceQL,
            "{ } | rate() by (resource.service.name)",
        );
        err(QueryLang::TraceQL, "duration > 1s", "no spanset");
        err(QueryLang::TraceQL, "{ duration > 1s", "never closed");
        err(QueryLang::TraceQL, "{ name = \"GET /x }", "never closed");
    }
}
