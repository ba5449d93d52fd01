//! The shipped content's PromQL runs against a real lab: one native lab (Prometheus and
//! Alertmanager from the system packages, the shop under traffic) answers every runnable
//! PromQL block of every lesson (body, exercise prompts, solutions and hints) and every
//! PromQL reference of every exercise and challenge question, with data. A block flagged
//! `empty` (see docs/CONTENT.md) only has to run. Failures are listed together, each with
//! its file and where in it, after polling with a deadline so that rates and rules have data.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use labtui::lab::content::{
    Catalog, Expectation, ItemKind, ItemRef, runnable_queries, split_front_matter,
};
use labtui::lab::query::{PrometheusClient, QueryData, QueryLang, QueryWindow};
use labtui::lab::stack::Runtime;
use shop_support::{ShopLab, wait_for};
use tools::{content_root, installed};

/// The info-string flag of a block that runs but may return no data.
const EMPTY_FLAG: &str = "empty";

/// One PromQL query of the shipped content and where it comes from.
#[derive(Debug, Clone)]
struct Case {
    file: PathBuf,
    /// `line 42` for a body block, or the front matter key it sits in.
    place: String,
    expr: String,
    /// Flagged `empty`: running without an error is enough.
    may_be_empty: bool,
}

impl Case {
    fn name(&self) -> String {
        let root = content_root();
        let file = self.file.strip_prefix(&root).unwrap_or(&self.file);
        format!("{}: {}: {}", file.display(), self.place, self.expr)
    }
}

/// Whether the fence opening on 1-based `line` of `markdown` carries `flag`.
fn fence_has_flag(markdown: &str, line: usize, flag: &str) -> bool {
    let Some(text) = markdown.lines().nth(line.saturating_sub(1)) else {
        return false;
    };
    let info = text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '>')
        .trim_start_matches(['`', '~']);
    info.split_whitespace()
        .skip(1)
        .any(|w| w.eq_ignore_ascii_case(flag))
}

/// The runnable PromQL blocks of `markdown` (not those flagged `invalid`).
fn blocks(file: &Path, markdown: &str, place: impl Fn(usize) -> String) -> Vec<Case> {
    runnable_queries(markdown)
        .into_iter()
        .filter(|q| q.lang == QueryLang::PromQL && !q.invalid)
        .map(|q| Case {
            file: file.to_path_buf(),
            place: place(q.line),
            may_be_empty: fence_has_flag(markdown, q.line, EMPTY_FLAG),
            expr: q.code,
        })
        .collect()
}

fn promql_reference(expect: &Expectation) -> Option<&str> {
    match expect {
        Expectation::Number {
            reference: Some(r), ..
        } => Some(r),
        Expectation::Query {
            lang: QueryLang::PromQL,
            reference,
            ..
        } => Some(reference),
        _ => None,
    }
}

/// Every PromQL query the shipped lessons, drills and challenge questions ask a learner to
/// run.
fn cases(root: &Path) -> Vec<Case> {
    let (catalog, problems) = Catalog::load(root);
    assert!(problems.is_empty(), "content problems: {problems:#?}");
    let mut cases = Vec::new();
    for entry in catalog.entries(ItemKind::Lesson) {
        let Some(ItemRef::Lesson(lesson)) = catalog.find(&entry.id) else {
            panic!("lesson {} listed but not found", entry.id);
        };
        let file = &lesson.source;
        let text = std::fs::read_to_string(file).expect("lesson file");
        // The body as the file holds it, so block lines are file lines.
        let front = split_front_matter(&text).expect("front matter");
        cases.extend(blocks(file, front.body, |l| {
            format!("line {}", front.body_line + l - 1)
        }));
        for ex in &lesson.exercises {
            let texts = [("prompt", &ex.prompt), ("solution", &ex.solution)];
            for (key, markdown) in texts {
                cases.extend(blocks(file, markdown, |l| {
                    format!("exercise {} {key}, its line {l}", ex.id)
                }));
            }
            for (h, hint) in ex.hints.iter().enumerate() {
                cases.extend(blocks(file, hint, |l| {
                    format!("exercise {} hint {h}, its line {l}", ex.id)
                }));
            }
            if let Some(r) = promql_reference(&ex.expect) {
                cases.push(Case {
                    file: file.clone(),
                    place: format!("exercise {} reference", ex.id),
                    expr: r.to_owned(),
                    may_be_empty: false,
                });
            }
        }
    }
    for entry in catalog.entries(ItemKind::Drill) {
        let Some(ItemRef::Drill(drill)) = catalog.find(&entry.id) else {
            panic!("drill {} listed but not found", entry.id);
        };
        // A drill's queries are in its context and its example answer.
        for (key, markdown) in [
            ("context", &drill.context),
            ("example answer", &drill.example_answer),
        ] {
            cases.extend(blocks(&drill.source, markdown, |l| {
                format!("{key}, its line {l}")
            }));
        }
    }
    for entry in catalog.entries(ItemKind::Challenge) {
        let Some(ItemRef::Challenge(challenge)) = catalog.find(&entry.id) else {
            panic!("challenge {} listed but not found", entry.id);
        };
        for q in &challenge.questions {
            if let Some(r) = promql_reference(&q.expect) {
                cases.push(Case {
                    file: challenge.source.clone(),
                    place: format!("question {} reference", q.id),
                    expr: r.to_owned(),
                    may_be_empty: false,
                });
            }
        }
    }
    cases
}

/// Runs `case` now: Ok when it succeeds (with data unless it may be empty), else why not.
async fn run(client: &PrometheusClient, case: &Case) -> Result<(), String> {
    let outcome = client
        .query(&case.expr, QueryWindow::Instant { time: None })
        .await
        .map_err(|e| format!("error: {e}"))?;
    let has_data = match &outcome.data {
        QueryData::Vector(v) => v.iter().any(|s| !s.sample.v.is_nan()),
        QueryData::Matrix(m) => m.iter().any(|s| !s.samples.is_empty()),
        QueryData::Scalar(s) => !s.v.is_nan(),
        QueryData::String { .. } => true,
        other => return Err(format!("not a PromQL result: {other:?}")),
    };
    if has_data || case.may_be_empty {
        Ok(())
    } else {
        Err("no data (no series, or only NaN)".to_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_promql_block_and_reference_returns_data_from_the_lab() {
    let root = content_root();
    let cases = cases(&root);
    assert!(
        cases.len() >= 50,
        "only {} PromQL queries found in the shipped content",
        cases.len()
    );
    let Some(prometheus) = installed(&["prometheus"]) else {
        return;
    };
    // The alerting lesson reads Alertmanager's own metrics (alerts, silences, notifications).
    let Some(alertmanager) = installed(&["alertmanager", "prometheus-alertmanager"]) else {
        return;
    };
    let (lab, state) = ShopLab::started(
        &[prometheus, alertmanager],
        15.0,
        &[
            "prometheus",
            "alertmanager",
            "shop-storefront",
            "shop-traffic",
        ],
    )
    .await;
    let url = state.url("prometheus").expect("prometheus url").to_string();
    let client = PrometheusClient::new(&url).expect("client");

    // The shop is scraped and checkouts have reached payments (a rate needs two scrapes).
    let ready = "sum(rate(http_requests_total{service=\"payments\"}[1m])) > 0";
    wait_for(
        "the shop's checkouts in Prometheus",
        Duration::from_secs(120),
        || {
            let client = client.clone();
            async move {
                let outcome = client
                    .query(ready, QueryWindow::Instant { time: None })
                    .await
                    .ok()?;
                matches!(outcome.data, QueryData::Vector(v) if !v.is_empty()).then_some(())
            }
        },
    )
    .await;

    // Each query gets until the deadline to succeed: rules, subqueries and rarer routes
    // need a few evaluations and a little traffic before they have data.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut pending: Vec<(Case, String)> = cases
        .into_iter()
        .map(|c| (c, "not run".to_owned()))
        .collect();
    loop {
        let mut still = Vec::new();
        for (case, _) in pending {
            if let Err(why) = run(&client, &case).await {
                still.push((case, why));
            }
        }
        pending = still;
        if pending.is_empty() || Instant::now() >= deadline {
            break;
        }
        // The next rule evaluation or scrape may bring the data: ask again soon.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    lab.rt.down(&state).await.unwrap();
    let failures: Vec<String> = pending
        .iter()
        .map(|(case, why)| format!("{}\n    {why}", case.name()))
        .collect();
    assert!(
        failures.is_empty(),
        "{} shipped PromQL queries failed against the lab:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_empty_flag_is_read_from_the_fence_line() {
    let md = "Intro.\n\n   ```promql empty\n   up\n   ```\n\n```promql\nsum(up)\n```\n";
    let file = Path::new("lessons/x.md");
    let found = blocks(file, md, |l| format!("line {l}"));
    let flags: Vec<(&str, bool)> = found
        .iter()
        .map(|c| (c.expr.as_str(), c.may_be_empty))
        .collect();
    assert_eq!(flags, [("up", true), ("sum(up)", false)]);
}
