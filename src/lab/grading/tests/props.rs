//! Properties over arbitrary input: grading never panics and always gives a sane verdict;
//! comparing never panics on arbitrary small results.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::assert_sane;
use crate::lab::content::RubricConcept;
use crate::lab::grading::{Tolerance, compare, grade_choice, grade_number, grade_text};
use crate::lab::query::logs::LogEntry;
use crate::lab::query::traces::TraceHit;
use crate::lab::query::{InstantSeries, Labels, QueryData, RangeSeries, Sample};

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e3..1e3f64,
        Just(0.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        any::<f64>(),
    ]
}

fn labels() -> impl Strategy<Value = Labels> {
    prop::collection::btree_map(
        prop::sample::select(vec!["__name__", "le", "route", "service", "status"])
            .prop_map(String::from),
        prop::sample::select(vec!["a", "b", "", "\u{1b}x"]).prop_map(String::from),
        0..4,
    )
}

fn sample() -> impl Strategy<Value = Sample> {
    (prop::sample::select(vec![0.0, 15.0, 30.0]), value()).prop_map(|(t, v)| Sample { t, v })
}

fn data() -> impl Strategy<Value = QueryData> {
    prop_oneof![
        prop::collection::vec(
            (labels(), sample()).prop_map(|(labels, sample)| InstantSeries { labels, sample }),
            0..5
        )
        .prop_map(QueryData::Vector),
        prop::collection::vec(
            (labels(), prop::collection::vec(sample(), 0..4))
                .prop_map(|(labels, samples)| RangeSeries { labels, samples }),
            0..4
        )
        .prop_map(QueryData::Matrix),
        sample().prop_map(QueryData::Scalar),
        prop::collection::vec("[0-9a-fA-F]{0,6}", 0..6).prop_map(|ids| {
            QueryData::Traces(
                ids.into_iter()
                    .map(|trace_id| TraceHit {
                        trace_id,
                        root_service: None,
                        root_name: None,
                        start_ns: 0,
                        duration_ms: None,
                        matched: 0,
                        spans: Vec::new(),
                    })
                    .collect(),
            )
        }),
        prop::collection::vec((0i64..4, "[ab]{0,2}"), 0..6).prop_map(|rows| {
            QueryData::Streams(
                rows.into_iter()
                    .map(|(ts_ns, line)| LogEntry {
                        ts_ns,
                        stream: Labels::new(),
                        structured: Labels::new(),
                        parsed: Labels::new(),
                        line,
                    })
                    .collect(),
            )
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn grading_any_string_gives_a_sane_verdict(answer in any::<String>(), points in 0u32..100) {
        let options: Vec<String> = vec!["payments".into(), "orders/db_lock".into(), "/api/cart".into()];
        let aliases = BTreeMap::from([("payments".to_owned(), vec!["pay".to_owned()])]);
        for right in [&["payments"][..], &["orders/db_lock"], &["payments", "/api/cart"]] {
            assert_sane(&grade_choice(&options, right, &aliases, points, &answer));
        }
        for unit in [None, Some("s"), Some("ms"), Some("%"), Some("ratio"), Some("bytes"), Some("req/s")] {
            assert_sane(&grade_number(0.9, Tolerance::Percent(10.0), unit, points, &answer));
        }
        let rubric = vec![RubricConcept { concept: "reset".into(), synonyms: vec!["ö ß".into()], weight: 1.0 }];
        assert_sane(&grade_text(&rubric, 0.6, points, &answer));
    }

    #[test]
    fn numbers_written_plainly_grade_right(x in -1e6..1e6f64) {
        let v = grade_number(x, Tolerance::Percent(1.0), None, 10, &format!("{x}"));
        prop_assert!(v.correct, "{v:?}");
    }

    #[test]
    fn comparing_any_small_results_never_panics(a in data(), b in data(), pct in value()) {
        let c = compare(&a, &b, pct);
        prop_assert!(c.equivalent || !c.feedback.is_empty(), "{c:?}");
        prop_assert!(!(c.equivalent && c.inconclusive));
    }

    #[test]
    fn a_vector_equals_itself(rows in prop::collection::btree_map(
        labels().prop_map(|mut l| { l.remove("__name__"); l }),
        value(),
        0..5,
    )) {
        let data = QueryData::Vector(
            rows.into_iter()
                .map(|(labels, v)| InstantSeries { labels, sample: Sample { t: 0.0, v } })
                .collect(),
        );
        let c = compare(&data, &data, 0.0);
        prop_assert_eq!(c.equivalent, !data.is_empty(), "{:?}", c);
    }
}
