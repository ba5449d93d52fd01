//! Valid sample files (line numbers matter: tests point at them) and helpers to break them.

use std::path::Path;

use crate::lab::content::check::Checker;
use crate::lab::content::model::ItemKind;
use crate::lab::content::parse::{AnyItem, ParsedFile, parse_file};
use crate::lab::content::problem::Problem;
use crate::lab::content::queries::check_file_queries;

pub const LESSON: &str = r#"+++
id = "rates"
title = "Rates"
level = 2
minutes = 15
tags = ["promql"]
components = ["prometheus", "shop"]

[[exercises]]
id = "pick"
prompt = "Which service?"
solution = "Payments, because its p95 rose."
[exercises.expect]
kind = "choice"
options = ["orders", "payments"]
answer = "payments"

[[exercises]]
id = "count"
prompt = "How many?"
solution = "About 3."
[exercises.expect]
kind = "number"
value = 3.0
tolerance = 0.5

[[exercises]]
id = "write-it"
prompt = "Write the rate."
solution = "Use rate over the counter."
[exercises.expect]
kind = "query"
lang = "promql"
reference = "sum(rate(http_requests_total[5m]))"
window = "10m"

[[exercises]]
id = "explain"
prompt = """
Why rate? Try:

```promql
rate(http_requests_total[1m])
```
"""
solution = "Counters reset."
points = 20
hints = ["Think about restarts."]
[exercises.expect]
kind = "text"
pass = 0.5
[[exercises.expect.rubric]]
concept = "counter reset"
synonyms = ["resets"]
+++

# Rates

```promql
rate(http_requests_total[5m])
```

```logql
{service_name="shop"} |= "error"
```

```traceql
{ duration > 1s }
```
"#;

/// File line of the first runnable block (the promql fence) in [`LESSON`].
pub const LESSON_PROMQL_FENCE: usize = 59;

pub const CHALLENGE: &str = r#"+++
id = "slow-checkout"
title = "Slow checkout"
level = 2
minutes = 20
tier = "single-service"
components = ["prometheus", "shop"]

[[faults]]
name = "latency"
target = "payments"
params = { ms = 800, probability = 0.5 }

[[questions]]
id = "service"
prompt = "Which service?"
points = 10
[questions.expect]
kind = "choice"
options = ["orders", "payments"]
answer = "payments"

[[hints]]
text = "Look at latency by service."
cost = 2

[ground_truth]
service = "payments"
fault = "latency"
summary = "Payments got slow."
+++
Checkout is slow.

## Solution

It was payments.
"#;

pub const DRILL: &str = r#"+++
id = "why-rate"
title = "Why rate()"
level = 1
minutes = 5
kind = "concept"
question = "Why use rate() on counters?"
pass = 0.5
discussion = ["resets"]

[[rubric]]
concept = "counter resets"
synonyms = ["reset"]
weight = 2.0
+++
Context.

## Example answer

Because counters reset.
"#;

/// `sample` with `from` replaced by `to`, failing loudly if `from` is not there.
pub fn edit(sample: &str, from: &str, to: &str) -> String {
    assert!(sample.contains(from), "sample has no {from:?}");
    sample.replacen(from, to, 1)
}

/// Every problem one file has on its own (no cross-item checks), and the parsed item.
pub fn problems_of(kind: ItemKind, text: &str) -> (Option<AnyItem>, Vec<Problem>) {
    match parse_file(kind, Path::new("item.md"), text) {
        Err(problems) => (None, problems),
        Ok((parsed, mut problems)) => {
            problems.extend(item_problems(&parsed));
            (Some(parsed.item), problems)
        }
    }
}

fn item_problems(parsed: &ParsedFile) -> Vec<Problem> {
    let mut checker = Checker::new(&parsed.loc);
    match &parsed.item {
        AnyItem::Lesson(l) => checker.lesson(l),
        AnyItem::Challenge(c) => checker.challenge(c),
        AnyItem::Drill(d) => checker.drill(d),
    }
    let mut problems = checker.problems;
    problems.extend(check_file_queries(parsed).0);
    problems
}

/// Asserts `text` has exactly one problem, at `line` and `field`, whose message contains
/// `needle`.
#[track_caller]
pub fn assert_one(kind: ItemKind, text: &str, line: usize, field: Option<&str>, needle: &str) {
    let (_, problems) = problems_of(kind, text);
    assert_eq!(problems.len(), 1, "expected one problem, got {problems:#?}");
    let p = &problems[0];
    assert_eq!(p.file, Path::new("item.md"));
    assert_eq!(
        (p.line, p.field.as_deref()),
        (line, field),
        "wrong place: {p}"
    );
    assert!(p.message.contains(needle), "{p} should mention {needle:?}");
}
