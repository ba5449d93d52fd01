//! Every shipped challenge that Prometheus alone can grade scores full marks with its own
//! reference answers against a real lab. Three native labs (Prometheus from the system
//! packages scraping the shop under traffic, each with its own temp dir and free ports)
//! run a third of the challenges each, one after another, side by side. Each challenge
//! goes through the library as the console and `labtui challenge` run it: start (inject
//! its faults), wait for their symptoms with a deadline, let its reference numbers settle
//! (early in an incident a 5-minute window still holds healthy minutes), answer every
//! question with the answer the content implies, submit with the lab's grader. Choices are
//! answered with their right options, queries with their reference, numbers with their
//! value or with what their reference returns just before submitting, and text questions
//! with the names of their rubric's concepts. Every wrong option of a one-answer choice
//! must score less than full marks too, and nothing at all when it shares no part with the
//! answer (a wrong root cause). The test prints the challenges it ran and the ones it left
//! out because a question needs Loki or Tempo. Each lab is killed on drop, even when an
//! assertion fails.

mod shop_support;
#[path = "support/tools.rs"]
mod tools;

use std::time::{Duration, Instant};

use chrono::Utc;
use labtui::lab::challenge::{self, Grader, LabGrader};
use labtui::lab::content::{Catalog, Challenge, Expectation, ItemKind, ItemRef, Question};
use labtui::lab::grading::Tolerance;
use labtui::lab::paths::Paths;
use labtui::lab::query::{PrometheusClient, QueryData, QueryLang, QueryWindow};
use labtui::lab::stack::{LabState, Runtime};
use shop_support::{ShopLab, wait_for};
use tools::{content_root, installed};

/// How long each challenge may take for its symptoms to show.
const SYMPTOM_DEADLINE: Duration = Duration::from_secs(150);

/// How long a challenge's reference numbers may take to stop jumping at every scrape.
const SETTLE_DEADLINE: Duration = Duration::from_secs(240);

/// Whether the lab's Prometheus alone can grade `q` (no Loki or Tempo).
fn prometheus_gradable(q: &Question) -> bool {
    match &q.expect {
        Expectation::Query { lang, .. } => *lang == QueryLang::PromQL,
        Expectation::Choice { .. } | Expectation::Number { .. } | Expectation::Text { .. } => true,
    }
}

/// The shipped challenges, in file order.
fn shipped() -> Vec<Challenge> {
    let (catalog, problems) = Catalog::load(&content_root());
    assert!(problems.is_empty(), "content problems: {problems:#?}");
    catalog
        .entries(ItemKind::Challenge)
        .into_iter()
        .map(|e| match catalog.find(&e.id) {
            Some(ItemRef::Challenge(c)) => c.clone(),
            _ => panic!("challenge {} listed but not found", e.id),
        })
        .collect()
}

/// The one finite value `expr` returns now, or why not.
async fn value_now(client: &PrometheusClient, expr: &str) -> Result<f64, String> {
    let outcome = client
        .query(expr, QueryWindow::Instant { time: None })
        .await
        .map_err(|e| format!("`{expr}` failed: {e}"))?;
    match outcome.data {
        QueryData::Vector(v) if v.len() == 1 && v[0].sample.v.is_finite() => Ok(v[0].sample.v),
        QueryData::Scalar(s) if s.v.is_finite() => Ok(s.v),
        other => Err(format!(
            "`{expr}` returned no single finite value: {other:?}"
        )),
    }
}

/// The answer the content implies for `q`: the right options, the reference query, the
/// value (fixed, or the reference's now), or the rubric's concept names.
async fn reference_answer(client: &PrometheusClient, q: &Question) -> Result<String, String> {
    Ok(match &q.expect {
        Expectation::Choice { .. } => q.expect.choice_answers().join(", "),
        Expectation::Query { reference, .. } => reference.clone(),
        Expectation::Number {
            value: Some(v),
            unit,
            ..
        } => with_unit(*v, unit.as_deref()),
        Expectation::Number {
            reference: Some(r),
            unit,
            ..
        } => with_unit(value_now(client, r).await?, unit.as_deref()),
        Expectation::Number { .. } => {
            return Err("a number with neither value nor reference".into());
        }
        Expectation::Text { rubric, .. } => rubric
            .iter()
            .map(|c| c.concept.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A bare number is read in the question's unit, except that `ratio` is clearer written
/// out; any unit is accepted after the number, so write it as a learner would.
fn with_unit(value: f64, unit: Option<&str>) -> String {
    match unit {
        Some(u) if !u.trim().is_empty() && u != "ratio" => format!("{value} {u}"),
        _ => format!("{value}"),
    }
}

/// Every option of a one-answer choice that is not the answer.
fn wrong_options(q: &Question) -> Vec<String> {
    match &q.expect {
        Expectation::Choice {
            options,
            answer: Some(right),
            answers,
            ..
        } if answers.is_empty() => options.iter().filter(|o| *o != right).cloned().collect(),
        _ => Vec::new(),
    }
}

/// Whether `q` is a number graded against a reference query run at grading time.
fn reference_number(q: &Question) -> Option<(&str, Tolerance)> {
    match &q.expect {
        Expectation::Number {
            reference: Some(r),
            tolerance,
            tolerance_pct,
            ..
        } => Some((r, Tolerance::of(*tolerance, *tolerance_pct))),
        _ => None,
    }
}

/// Polls until Prometheus has scraped every target again since it was called (the oldest
/// target's newest `up` sample is newer than the newest one was), for at most 30 s.
async fn next_scrape(client: &PrometheusClient) {
    let Ok(since) = value_now(client, "max(timestamp(up))").await else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if value_now(client, "min(timestamp(up))")
            .await
            .is_ok_and(|oldest| oldest > since)
        {
            return;
        }
    }
}

/// Waits (up to [`SETTLE_DEADLINE`]) until every reference number of `ch` moves by less
/// than half its tolerance from one scrape to the next. Early in an incident a window
/// still holds healthy minutes and such a value jumps at every scrape; a learner answers
/// minutes later, when it has settled. Returns the references still moving.
async fn settle(client: &PrometheusClient, ch: &Challenge) -> Vec<String> {
    let refs: Vec<(&str, Tolerance)> = ch.questions.iter().filter_map(reference_number).collect();
    let deadline = Instant::now() + SETTLE_DEADLINE;
    loop {
        let mut before = Vec::new();
        for (expr, _) in &refs {
            before.push(value_now(client, expr).await);
        }
        // At least one new scrape in between, so a moving value can show that it moves.
        next_scrape(client).await;
        let mut moving = Vec::new();
        for ((expr, tolerance), was) in refs.iter().zip(before) {
            let now = value_now(client, expr).await;
            let steady = matches!((&was, &now), (Ok(a), Ok(b)) if (a - b).abs() <= tolerance.margin(*b) / 2.0);
            if !steady {
                moving.push(format!("`{expr}`: {was:?} then {now:?}"));
            }
        }
        if moving.is_empty() || Instant::now() >= deadline {
            return moving;
        }
    }
}

/// Runs `ch` in the lab: start, warm up, answer, submit. Returns what fell short.
async fn run_one(
    paths: &Paths,
    state: &LabState,
    client: &PrometheusClient,
    ch: &Challenge,
) -> Vec<String> {
    let mut short = Vec::new();
    let started = match challenge::start(paths, ch, Utc::now()).await {
        Ok(s) => s,
        Err(e) => return vec![format!("start: {e}")],
    };
    let probe = |query: String| {
        let client = client.clone();
        async move { challenge::symptom_shows(&client, &query).await }
    };
    let missing = challenge::warm_up(
        &started.session.faults,
        SYMPTOM_DEADLINE,
        Duration::from_secs(2),
        probe,
        |event| eprintln!("  {}: {event:?}", ch.id),
    )
    .await;
    for fault in missing {
        short.push(format!(
            "the symptom of {fault} did not show within {SYMPTOM_DEADLINE:?}"
        ));
    }
    let grader = LabGrader::of(state);
    // A wrong option never earns full marks, and one that shares no part with the answer
    // (a wrong root cause) earns nothing (a `service/fault` answer may earn a part).
    for q in &ch.questions {
        let right = q.expect.choice_answers().join("/");
        for wrong in wrong_options(q) {
            let shares = wrong
                .split('/')
                .any(|part| right.split('/').any(|r| r == part));
            match grader.grade(q, &wrong, Utc::now().timestamp() as f64).await {
                Ok(r) if r.earned < r.max && (shares || r.earned == 0.0) => {}
                Ok(r) => short.push(format!("{}: the wrong option `{wrong}` scored {r:?}", q.id)),
                Err(e) => short.push(format!("{}: grading `{wrong}`: {e}", q.id)),
            }
        }
    }
    for moving in settle(client, ch).await {
        eprintln!(
            "  {}: still moving after {SETTLE_DEADLINE:?}: {moving}",
            ch.id
        );
    }
    // Reference numbers last, read just before submitting.
    let (numbers, rest): (Vec<&Question>, Vec<&Question>) = ch
        .questions
        .iter()
        .partition(|q| reference_number(q).is_some());
    for q in rest.into_iter().chain(numbers) {
        let answer = match reference_answer(client, q).await {
            Ok(a) => a,
            Err(e) => {
                short.push(format!("{}: no reference answer: {e}", q.id));
                continue;
            }
        };
        if let Err(e) = challenge::answer(paths, ch, &q.id, &answer, Utc::now()) {
            short.push(format!("{}: answering `{answer}`: {e}", q.id));
        }
    }
    match challenge::submit(paths, ch, &grader, Utc::now()).await {
        Ok(sub) => {
            for (id, r) in &sub.results {
                if !(r.correct && r.earned >= r.max) {
                    let answer = sub.session.answers.get(id).cloned().unwrap_or_default();
                    short.push(format!(
                        "{id}: {} of {} for `{answer}`: {}",
                        r.earned,
                        r.max,
                        r.feedback.join(" / ")
                    ));
                }
            }
            if sub.score.earned < sub.score.max {
                short.push(format!("score {} of {}", sub.score.earned, sub.score.max));
            }
            short.extend(sub.warnings);
        }
        Err(e) => short.push(format!("submit: {e}")),
    }
    short
}

/// How many labs run challenges at once, each its own test (own temp dir, free ports).
/// Most of a challenge's time is waiting for symptoms to show and numbers to settle, so
/// labs side by side take about a third of the time of one lab running them in turn.
const GROUPS: usize = 3;

/// The Prometheus-gradable challenges of group `group` (every GROUPS-th, in file order),
/// narrowed to the ids in `LABTUI_CHALLENGES` (comma-separated) when it is set.
fn group_of(group: usize) -> Vec<Challenge> {
    let only: Option<Vec<String>> = std::env::var("LABTUI_CHALLENGES")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect());
    let (gradable, skipped): (Vec<Challenge>, Vec<Challenge>) = shipped()
        .into_iter()
        .partition(|c| c.questions.iter().all(prometheus_gradable));
    if group == 0 {
        for c in &skipped {
            eprintln!(
                "not run: {} has a question only Loki or Tempo can grade",
                c.id
            );
        }
        assert!(
            gradable.len() >= 15,
            "only {} challenges are gradable with Prometheus alone",
            gradable.len()
        );
    }
    gradable
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % GROUPS == group)
        .map(|(_, c)| c)
        .filter(|c| only.as_ref().is_none_or(|ids| ids.contains(&c.id)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenges_of_group_0_score_full_marks_with_their_reference_answers() {
    run_group(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenges_of_group_1_score_full_marks_with_their_reference_answers() {
    run_group(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenges_of_group_2_score_full_marks_with_their_reference_answers() {
    run_group(2).await;
}

/// Runs group `group`'s challenges one after another on a lab of its own.
async fn run_group(group: usize) {
    let gradable = group_of(group);
    if gradable.is_empty() {
        return;
    }
    let Some(prometheus) = installed(&["prometheus"]) else {
        eprintln!("skipping the live run: prometheus is not installed");
        return;
    };
    let (lab, state) = ShopLab::started(
        &[prometheus],
        10.0,
        &["prometheus", "shop-storefront", "shop-traffic"],
    )
    .await;
    let paths = Paths::under(&lab.data_dir());
    let client = challenge::symptom_client(&state).expect("a Prometheus client");

    // Checkouts reach payments in Prometheus (a rate needs two scrapes).
    let ready = r#"sum(rate(http_requests_total{service="payments"}[1m])) > 0"#;
    wait_for(
        "the shop's checkouts in Prometheus",
        Duration::from_secs(120),
        || {
            let client = client.clone();
            async move { challenge::symptom_shows(&client, ready).await.then_some(()) }
        },
    )
    .await;

    let mut failures = Vec::new();
    for ch in &gradable {
        let began = Instant::now();
        let short = run_one(&paths, &state, &client, ch).await;
        eprintln!(
            "group {group}: {}: {} in {:.0?}",
            ch.id,
            if short.is_empty() {
                "full marks"
            } else {
                "FELL SHORT"
            },
            began.elapsed()
        );
        failures.extend(short.into_iter().map(|s| format!("{}: {s}", ch.id)));
    }
    lab.rt.down(&state).await.unwrap();
    assert!(
        failures.is_empty(),
        "challenges short of full marks with their reference answers:\n{}",
        failures.join("\n")
    );
}
