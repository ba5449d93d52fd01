//! Grading against the running lab: a number question's expected value from its PromQL
//! reference, and a query question's result compared with its reference's. Every request
//! is bounded by [`QUERY_TIMEOUT`], so grading never hangs on a stuck backend.

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use promql_parser::parser::{Expr, LabelModifier};

use super::compare::{CompareOptions, DEFAULT_QUERY_TOLERANCE_PCT, compare_with};
use super::number::{Tolerance, grade_number};
use super::{Verdict, grade};
use crate::lab::content::{Expectation, parse_window};
use crate::lab::query::loki::Direction;
use crate::lab::query::{
    ClientOptions, LokiClient, PrometheusClient, QueryData, QueryError, QueryLang, QueryWindow,
    TempoClient,
};

/// How long one query may take while grading.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest learner query sent to a backend; longer is not a query anyone typed.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Log lines fetched per LogQL query, and traces per TraceQL search.
const LOG_LIMIT: u32 = 1000;
const TRACE_LIMIT: u32 = 100;

/// The lab's query backends; a missing one makes the questions that need it wrong with
/// that reason.
#[derive(Debug, Clone, Default)]
pub struct Backends {
    pub prometheus: Option<PrometheusClient>,
    pub loki: Option<LokiClient>,
    pub tempo: Option<TempoClient>,
}

impl Backends {
    /// Clients for the given base URLs with [`QUERY_TIMEOUT`].
    pub fn from_urls(
        prometheus: Option<&str>,
        loki: Option<&str>,
        tempo: Option<&str>,
    ) -> Result<Self, QueryError> {
        let options = ClientOptions::with_timeout(QUERY_TIMEOUT);
        Ok(Self {
            prometheus: prometheus
                .map(|u| PrometheusClient::with_options(u, &options))
                .transpose()?,
            loki: loki
                .map(|u| LokiClient::with_options(u, &options))
                .transpose()?,
            tempo: tempo
                .map(|u| TempoClient::with_options(u, &options))
                .transpose()?,
        })
    }
}

/// Grades one question at unix time `at`. A number with a `reference` gets its expected
/// value from that PromQL at `at`; a query is compared with its reference over the
/// expectation's window ending at `at` (PromQL as instant queries at `at`: the window is
/// what the query's own `[5m]` covers). Everything else is graded by [`grade`].
pub async fn grade_question(
    expect: &Expectation,
    points: u32,
    answer: &str,
    backends: &Backends,
    at: f64,
) -> Verdict {
    let max = f64::from(points);
    match expect {
        Expectation::Number {
            value: None,
            reference: Some(reference),
            tolerance,
            tolerance_pct,
            unit,
        } => {
            let Some(prometheus) = &backends.prometheus else {
                return Verdict::wrong(max, missing("Prometheus"));
            };
            let expected = match promql(prometheus, reference, at).await {
                Ok(data) => single_value(&data),
                Err(e) => Err(reference_error(&e)),
            };
            match expected {
                Ok(v) => grade_number(
                    v,
                    Tolerance::of(*tolerance, *tolerance_pct),
                    unit.as_deref(),
                    points,
                    answer,
                ),
                Err(reason) => Verdict::wrong(max, reason),
            }
        }
        Expectation::Query {
            lang,
            reference,
            window,
        } => grade_query(*lang, reference, window, max, answer, backends, at).await,
        _ => grade(expect, points, answer),
    }
}

fn missing(backend: &str) -> String {
    format!(
        "{backend} is not connected, so this question cannot be graded: start the lab with \
         `labtui up`"
    )
}

/// The value of a result that is one number: a scalar or a single-series vector.
fn single_value(data: &QueryData) -> Result<f64, String> {
    match data {
        QueryData::Scalar(s) => Ok(s.v),
        QueryData::Vector(v) if v.len() == 1 => Ok(v[0].sample.v),
        QueryData::Vector(v) if v.is_empty() => {
            Err("the reference returned nothing: is the lab running with its faults?".to_owned())
        }
        other => Err(format!(
            "the reference returned {} series instead of one value: a content problem, \
             report it",
            other.series_count()
        )),
    }
}

async fn grade_query(
    lang: QueryLang,
    reference: &str,
    window: &str,
    max: f64,
    answer: &str,
    backends: &Backends,
    at: f64,
) -> Verdict {
    let query = answer.trim();
    if query.is_empty() {
        return Verdict::wrong(max, "no answer: write a query");
    }
    if query.len() > MAX_QUERY_BYTES {
        return Verdict::wrong(
            max,
            format!(
                "the query is {} bytes long; a query longer than {MAX_QUERY_BYTES} bytes is \
                 not graded",
                query.len()
            ),
        );
    }
    let span = parse_window(window).map_or(300.0, |d| d.as_secs_f64());
    let mut options = CompareOptions {
        tolerance_pct: DEFAULT_QUERY_TOLERANCE_PCT,
        ..CompareOptions::default()
    };
    let (mine, theirs) = match lang {
        QueryLang::PromQL => {
            let Some(p) = &backends.prometheus else {
                return Verdict::wrong(max, missing("Prometheus"));
            };
            let theirs = shape(reference).unwrap_or_default();
            if theirs.reads_series && shape(query).is_some_and(|mine| !mine.reads_series) {
                return Verdict::wrong(
                    max,
                    "your query reads no series: write the query that computes the value, \
                     not the value itself",
                );
            }
            options.selected_labels = theirs.selected;
            options.aggregation_hint = theirs.aggregation;
            options.harmless = shape(query).map(|mine| mine.harmless()).unwrap_or_default();
            futures::join!(promql(p, query, at), promql(p, reference, at))
        }
        QueryLang::LogQL => {
            let Some(l) = &backends.loki else {
                return Verdict::wrong(max, missing("Loki"));
            };
            futures::join!(
                logql(l, query, at - span, at),
                logql(l, reference, at - span, at)
            )
        }
        QueryLang::TraceQL => {
            let Some(t) = &backends.tempo else {
                return Verdict::wrong(max, missing("Tempo"));
            };
            futures::join!(
                traceql(t, query, at - span, at),
                traceql(t, reference, at - span, at)
            )
        }
    };
    let mine = match mine {
        Ok(data) => data,
        Err(e) => return Verdict::wrong(max, learner_error(&e)),
    };
    let theirs = match theirs {
        Ok(data) => data,
        Err(e) => return Verdict::wrong(max, reference_error(&e)),
    };
    let comparison = compare_with(&mine, &theirs, &options);
    if comparison.equivalent {
        Verdict::right(max, "your query returns the same result as the answer")
    } else {
        Verdict {
            feedback: comparison.feedback,
            ..Verdict::wrong(max, "")
        }
    }
}

fn learner_error(e: &QueryError) -> String {
    match e {
        QueryError::Server { message, .. } => {
            format!("the query does not run: {}", shown_long(message))
        }
        QueryError::Timeout { after, .. } => format!(
            "the query took longer than {}s: narrow it (fewer series, a shorter range)",
            after.as_secs_f64()
        ),
        other => other.to_string(),
    }
}

fn reference_error(e: &QueryError) -> String {
    match e {
        QueryError::Timeout { after, .. } => format!(
            "the reference query took longer than {}s, so this cannot be graded: is the lab \
             overloaded?",
            after.as_secs_f64()
        ),
        other => format!("the reference query failed, so this cannot be graded: {other}"),
    }
}

/// Server messages quote the query; keep them readable but bounded.
fn shown_long(text: &str) -> String {
    const MAX: usize = 400;
    if text.chars().count() <= MAX {
        crate::lab::untrusted::escape(text).into_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{}…", crate::lab::untrusted::escape(&cut))
    }
}

/// Runs `fut` with a hard deadline a little past the clients' own timeout.
async fn bounded<F>(backend: &str, fut: F) -> Result<QueryData, QueryError>
where
    F: Future<Output = Result<crate::lab::query::QueryOutcome, QueryError>>,
{
    let deadline = QUERY_TIMEOUT + Duration::from_secs(2);
    match tokio::time::timeout(deadline, fut).await {
        Ok(result) => result.map(|o| o.data),
        Err(_) => Err(QueryError::Timeout {
            backend: backend.to_owned(),
            url: String::new(),
            after: deadline,
        }),
    }
}

async fn promql(p: &PrometheusClient, expr: &str, at: f64) -> Result<QueryData, QueryError> {
    bounded(
        "Prometheus",
        p.query(expr, QueryWindow::Instant { time: Some(at) }),
    )
    .await
}

async fn logql(l: &LokiClient, expr: &str, start: f64, end: f64) -> Result<QueryData, QueryError> {
    bounded(
        "Loki",
        l.query_range(expr, start, end, None, LOG_LIMIT, Direction::Backward),
    )
    .await
}

async fn traceql(t: &TempoClient, q: &str, start: f64, end: f64) -> Result<QueryData, QueryError> {
    bounded(
        "Tempo",
        t.search(q, start.floor() as i64, end.ceil() as i64, TRACE_LIMIT, 0),
    )
    .await
}

/// What a PromQL query's text says about its result, for [`CompareOptions`] and for
/// telling a query from a constant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// Label names its matchers select on (`service` in `x{service="payments"}`).
    pub selected: BTreeSet<String>,
    /// Its outermost aggregation with its grouping (`sum by (le)`).
    pub aggregation: Option<String>,
    /// Whether it reads any series at all (`vector(0.9)` does not).
    pub reads_series: bool,
    /// Labels every matcher on them pins to one value (`service="payments"`).
    pub pinned: BTreeSet<String>,
    /// Labels some aggregation groups by (`le` and `service` in `sum by (le, service)`).
    pub grouped: BTreeSet<String>,
}

impl Shape {
    /// Labels this query groups by on purpose while pinning them to one value: they split
    /// nothing, so keeping them is not a missing aggregation.
    pub fn harmless(&self) -> BTreeSet<String> {
        self.pinned.intersection(&self.grouped).cloned().collect()
    }
}

/// The [`Shape`] of a PromQL query, or `None` when it does not parse.
pub fn shape(expr: &str) -> Option<Shape> {
    let ast = promql_parser::parser::parse(expr).ok()?;
    let mut shape = Shape::default();
    let mut per_selector = Vec::new();
    walk(&ast, &mut shape, &mut per_selector);
    // A label is pinned only when every selector of the query pins it.
    let mut selectors = per_selector.into_iter();
    if let Some(first) = selectors.next() {
        shape.pinned = selectors.fold(first, |acc, s: BTreeSet<String>| {
            acc.intersection(&s).cloned().collect()
        });
    }
    Some(shape)
}

fn walk(expr: &Expr, shape: &mut Shape, pinned: &mut Vec<BTreeSet<String>>) {
    match expr {
        Expr::Aggregate(agg) => {
            if shape.aggregation.is_none() {
                let grouping = match &agg.modifier {
                    Some(LabelModifier::Include(l)) => format!(" by ({})", l.labels.join(", ")),
                    Some(LabelModifier::Exclude(l)) => {
                        format!(" without ({})", l.labels.join(", "))
                    }
                    None => String::new(),
                };
                shape.aggregation = Some(format!("{}{grouping}", agg.op));
            }
            if let Some(LabelModifier::Include(l)) = &agg.modifier {
                shape.grouped.extend(l.labels.iter().cloned());
            }
            walk(&agg.expr, shape, pinned);
        }
        Expr::Unary(u) => walk(&u.expr, shape, pinned),
        Expr::Binary(b) => {
            walk(&b.lhs, shape, pinned);
            walk(&b.rhs, shape, pinned);
        }
        Expr::Paren(p) => walk(&p.expr, shape, pinned),
        Expr::Subquery(s) => walk(&s.expr, shape, pinned),
        Expr::Call(c) => {
            for arg in &c.args.args {
                walk(arg, shape, pinned);
            }
        }
        Expr::VectorSelector(vs) => select(vs, shape, pinned),
        Expr::MatrixSelector(ms) => select(&ms.vs, shape, pinned),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

fn select(
    vs: &promql_parser::parser::VectorSelector,
    shape: &mut Shape,
    pinned: &mut Vec<BTreeSet<String>>,
) {
    shape.reads_series = true;
    let mut pinned_here = BTreeSet::new();
    let in_or = |name: &str| {
        vs.matchers
            .or_matchers
            .iter()
            .flatten()
            .any(|o| o.name == name)
    };
    for m in vs
        .matchers
        .matchers
        .iter()
        .chain(vs.matchers.or_matchers.iter().flatten())
    {
        if m.name != "__name__" {
            shape.selected.insert(m.name.clone());
            if m.op == promql_parser::label::MatchOp::Equal && !in_or(&m.name) {
                pinned_here.insert(m.name.clone());
            }
        }
    }
    pinned.push(pinned_here);
}
