//! Comparing query results: label normalisation, tolerance, matrices, trace and log sets.

use std::collections::BTreeSet;

use crate::lab::grading::{CompareOptions, compare, compare_with};
use crate::lab::query::logs::LogEntry;
use crate::lab::query::traces::TraceHit;
use crate::lab::query::{InstantSeries, Labels, QueryData, RangeSeries, Sample};

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn vector(rows: &[(&[(&str, &str)], f64)]) -> QueryData {
    QueryData::Vector(
        rows.iter()
            .map(|(l, v)| InstantSeries {
                labels: labels(l),
                sample: Sample { t: 100.0, v: *v },
            })
            .collect(),
    )
}

/// A series of a matrix: its labels and its values, 15 s apart.
type RangeRow<'a> = (&'a [(&'a str, &'a str)], &'a [f64]);

fn matrix(rows: &[RangeRow]) -> QueryData {
    QueryData::Matrix(
        rows.iter()
            .map(|(l, vs)| RangeSeries {
                labels: labels(l),
                samples: vs
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Sample {
                        t: 100.0 + 15.0 * i as f64,
                        v: *v,
                    })
                    .collect(),
            })
            .collect(),
    )
}

fn traces(ids: &[&str]) -> QueryData {
    QueryData::Traces(
        ids.iter()
            .map(|id| TraceHit {
                trace_id: (*id).to_owned(),
                root_service: None,
                root_name: None,
                start_ns: 0,
                duration_ms: None,
                matched: 1,
                spans: Vec::new(),
            })
            .collect(),
    )
}

fn lines(entries: &[(i64, &str)]) -> QueryData {
    QueryData::Streams(
        entries
            .iter()
            .map(|(ts, line)| LogEntry {
                ts_ns: *ts,
                stream: labels(&[("service_name", "payments")]),
                structured: Labels::new(),
                parsed: Labels::new(),
                line: (*line).to_owned(),
            })
            .collect(),
    )
}

#[track_caller]
fn assert_differs(learner: &QueryData, reference: &QueryData, needle: &str) {
    let c = compare(learner, reference, 5.0);
    assert!(!c.equivalent, "should differ: {c:#?}");
    assert!(
        c.feedback.iter().any(|f| f.contains(needle)),
        "feedback should mention {needle:?}: {:#?}",
        c.feedback
    );
}

#[test]
fn names_and_labels_the_reference_drops_are_ignored() {
    let reference = vector(&[(&[("route", "/charge")], 0.9)]);
    let learner = vector(&[(
        &[("__name__", "x"), ("route", "/charge"), ("instance", "a:1")],
        0.91,
    )]);
    let c = compare(&learner, &reference, 5.0);
    assert!(c.equivalent && c.feedback.is_empty(), "{c:#?}");
}

#[test]
fn values_must_agree_within_the_tolerance() {
    let reference = vector(&[(&[], 1.0)]);
    assert!(compare(&vector(&[(&[], 1.05)]), &reference, 5.0).equivalent);
    assert!(compare(&vector(&[(&[], 0.95)]), &reference, 5.0).equivalent);
    assert_differs(
        &vector(&[(&[], 1.06)]),
        &reference,
        "values differ: 1.06 vs 1",
    );
    assert!(
        compare(
            &vector(&[(&[], f64::NAN)]),
            &vector(&[(&[], f64::NAN)]),
            0.0
        )
        .equivalent
    );
    assert_differs(&vector(&[(&[], f64::NAN)]), &reference, "values differ");
}

#[test]
fn a_missing_aggregation_is_named_with_the_fix() {
    let reference = vector(&[(&[], 0.9)]);
    let learner = vector(&[
        (&[("status", "200"), ("instance", "a")], 0.9),
        (&[("status", "402"), ("instance", "a")], 0.8),
        (&[("status", "500"), ("instance", "a")], 0.7),
    ]);
    let options = CompareOptions {
        tolerance_pct: 5.0,
        aggregation_hint: Some("sum by (le)".into()),
        ..CompareOptions::default()
    };
    let c = compare_with(&learner, &reference, &options);
    assert!(!c.equivalent);
    assert_eq!(
        c.feedback,
        ["you return 3 series, the answer has 1: aggregate, e.g. with sum by (le)"]
    );
    // Without a hint, the reference's own labels make one.
    let reference = vector(&[(&[("route", "/a")], 1.0), (&[("route", "/b")], 2.0)]);
    let learner = vector(&[
        (&[("route", "/a"), ("status", "200")], 1.0),
        (&[("route", "/a"), ("status", "500")], 1.0),
        (&[("route", "/b"), ("status", "200")], 2.0),
    ]);
    assert_differs(
        &learner,
        &reference,
        "aggregate, e.g. with sum by (route) (…)",
    );
}

#[test]
fn a_selected_label_kept_is_not_an_aggregation() {
    // One underlying series: the values agree, but the query only aggregates by luck.
    let reference = vector(&[(&[], 0.9)]);
    let learner = vector(&[(&[("service", "payments"), ("route", "/charge")], 0.9)]);
    assert!(compare(&learner, &reference, 5.0).equivalent);
    let options = CompareOptions {
        tolerance_pct: 5.0,
        selected_labels: BTreeSet::from(["service".to_owned(), "route".to_owned()]),
        aggregation_hint: Some("sum by (le)".into()),
        harmless: BTreeSet::new(),
    };
    let c = compare_with(&learner, &reference, &options);
    assert!(!c.equivalent);
    assert!(c.feedback[0].contains("keep labels the answer aggregates away (route, service)"));
    // Grouped by on purpose and pinned to one value: `sum by (le, service, route)`.
    let grouped = CompareOptions {
        harmless: BTreeSet::from(["service".to_owned(), "route".to_owned()]),
        ..options
    };
    assert!(compare_with(&learner, &reference, &grouped).equivalent);
}

#[test]
fn missing_and_extra_series_are_listed() {
    let reference = vector(&[(&[("route", "/a")], 1.0), (&[("route", "/b")], 2.0)]);
    let learner = vector(&[(&[("route", "/a")], 1.0), (&[("route", "/c")], 2.0)]);
    assert_differs(&learner, &reference, r#"series {route="/b"} is missing"#);
    assert_differs(
        &learner,
        &reference,
        r#"series {route="/c"} is not in the answer"#,
    );
    assert_differs(&vector(&[]), &reference, "your query returned nothing");
    let one = vector(&[(&[("route", "/a")], 1.0)]);
    assert_differs(&one, &reference, "you return 1 series, the answer has 2");
}

#[test]
fn matrices_compare_sample_by_sample() {
    let reference = matrix(&[(&[("job", "x")], &[1.0, 2.0, 3.0])]);
    assert!(
        compare(
            &matrix(&[(&[("job", "x")], &[1.0, 2.0, 3.01])]),
            &reference,
            1.0
        )
        .equivalent
    );
    assert_differs(
        &matrix(&[(&[("job", "x")], &[1.0, 2.5, 3.0])]),
        &reference,
        "values differ: 2.5 vs 2",
    );
    // Different timestamps: the last samples decide.
    let shorter = matrix(&[(&[("job", "x")], &[9.0, 3.0])]);
    assert!(compare(&shorter, &reference, 1.0).equivalent);
    assert_differs(
        &vector(&[(&[("job", "x")], 3.0)]),
        &reference,
        "you return an instant vector, the answer is a range",
    );
    assert_differs(
        &QueryData::Scalar(Sample { t: 0.0, v: 3.0 }),
        &vector(&[(&[], 3.0)]),
        "a scalar",
    );
}

#[test]
fn trace_ids_compare_as_sets() {
    let reference = traces(&["0abc", "def", "123", "456", "789"]);
    // Order, case and a dropped leading zero do not matter.
    assert!(
        compare(
            &traces(&["789", "456", "123", "DEF", "abc"]),
            &reference,
            0.0
        )
        .equivalent
    );
    // Four of five and nothing extra: close enough (searches cut at different places).
    assert!(compare(&traces(&["abc", "def", "123", "456"]), &reference, 0.0).equivalent);
    assert_differs(
        &traces(&["abc", "def"]),
        &reference,
        "you return 2 traces, the answer has 5: 3 of the answer's are missing, 0 of yours are extra",
    );
    assert_differs(&traces(&[]), &reference, "returned no traces");
    assert_differs(&vector(&[(&[], 1.0)]), &reference, "the answer is traces");
}

#[test]
fn log_lines_compare_by_time_and_text() {
    let reference = lines(&[(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]);
    assert!(
        compare(
            &lines(&[(5, "e"), (4, "d"), (3, "c"), (2, "b"), (1, "a")]),
            &reference,
            0.0
        )
        .equivalent
    );
    assert_differs(
        &lines(&[(1, "a"), (2, "x"), (3, "y")]),
        &reference,
        "log lines",
    );
}

#[test]
fn an_empty_reference_is_inconclusive() {
    for reference in [vector(&[]), matrix(&[]), traces(&[]), lines(&[])] {
        let c = compare(&vector(&[(&[], 1.0)]), &reference, 5.0);
        assert!(!c.equivalent && c.inconclusive, "{c:#?}");
        assert_eq!(
            c.feedback,
            ["the reference returned nothing: is the lab running with its faults?"]
        );
    }
}
