//! The waterfall on hand-made traces (nesting, parallel and skewed children, orphans,
//! cycles, a 2,000-span trace) and on the shop's real checkout trace.

use std::collections::HashSet;

use crate::lab::query::traces::{Span, SpanKind, SpanStatus, Trace, Waterfall};

fn span(id: &str, parent: Option<&str>, start: i64, end: i64) -> Span {
    Span {
        span_id: id.to_string(),
        parent_id: parent.map(str::to_string),
        name: format!("op {id}"),
        kind: SpanKind::Internal,
        service: "svc".to_string(),
        start_ns: start,
        end_ns: end,
        status: SpanStatus::Unset,
        status_message: None,
        attributes: Vec::new(),
        resource: Vec::new(),
        events: Vec::new(),
        links: Vec::new(),
    }
}

fn trace(spans: Vec<Span>) -> Trace {
    Trace {
        trace_id: "t".into(),
        spans,
    }
}

/// `(span id, depth)` per row.
fn layout<'a>(t: &'a Trace, w: &Waterfall) -> Vec<(&'a str, usize)> {
    w.rows
        .iter()
        .map(|r| (t.spans[r.span].span_id.as_str(), r.depth))
        .collect()
}

fn row<'a>(t: &Trace, w: &'a Waterfall, id: &str) -> &'a crate::lab::query::traces::WaterfallRow {
    w.rows
        .iter()
        .find(|r| t.spans[r.span].span_id == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

#[test]
fn nested_spans_in_tree_order() {
    // Sent out of order: the layout sorts siblings by start.
    let t = trace(vec![
        span("c2", Some("b"), 60, 80),
        span("a", None, 0, 100),
        span("b", Some("a"), 10, 90),
        span("c1", Some("b"), 20, 50),
        span("d", Some("a"), 92, 98),
    ]);
    let w = Waterfall::build(&t);
    assert_eq!(
        layout(&t, &w),
        [("a", 0), ("b", 1), ("c1", 2), ("c2", 2), ("d", 1)]
    );
    assert_eq!((w.start_ns, w.end_ns, w.duration_ns()), (0, 100, 100));
    assert_eq!(
        w.rows.iter().map(|r| r.has_children).collect::<Vec<_>>(),
        [true, true, false, false, false]
    );
    // a: 100 - (b 80 + d 6); b: 80 - (30 + 20).
    assert_eq!(row(&t, &w, "a").self_ns, 14);
    assert_eq!(row(&t, &w, "b").self_ns, 30);
    assert_eq!(row(&t, &w, "c1").self_ns, 30);
    // Critical path: a's end back to d, d, a's gap, b (after c2), c2, b's gap, c1, b, a.
    assert_eq!(row(&t, &w, "a").critical, [(0, 10), (90, 92), (98, 100)]);
    assert_eq!(row(&t, &w, "d").critical, [(92, 98)]);
    assert_eq!(row(&t, &w, "b").critical, [(10, 20), (50, 60), (80, 90)]);
    assert_eq!(row(&t, &w, "c2").critical, [(60, 80)]);
    assert_eq!(row(&t, &w, "c1").critical, [(20, 50)]);
    // The path covers the root's whole interval exactly once.
    let total: i64 = (0..w.rows.len()).map(|i| w.critical_ns(i)).sum();
    assert_eq!(total, 100);
    assert!(w.rows.iter().all(|r| !r.skewed && !r.orphan));
}

#[test]
fn parallel_children_count_once_and_the_last_to_end_is_critical() {
    let t = trace(vec![
        span("p", None, 0, 100),
        span("x", Some("p"), 10, 70),
        span("y", Some("p"), 20, 90),
        span("z", Some("p"), 30, 40),
    ]);
    let w = Waterfall::build(&t);
    // Children cover [10, 90) together: 80, counted once.
    assert_eq!(row(&t, &w, "p").self_ns, 20);
    // y ends last; x and z overlap y's interval, so nothing else is on the path.
    assert_eq!(row(&t, &w, "y").critical, [(20, 90)]);
    assert!(row(&t, &w, "x").critical.is_empty());
    assert!(row(&t, &w, "z").critical.is_empty());
    assert_eq!(row(&t, &w, "p").critical, [(0, 20), (90, 100)]);
}

#[test]
fn a_child_that_outlives_its_parent_is_skewed_and_clipped() {
    let t = trace(vec![span("p", None, 0, 100), span("c", Some("p"), 50, 150)]);
    let w = Waterfall::build(&t);
    let c = row(&t, &w, "c");
    assert!(c.skewed);
    assert!(!row(&t, &w, "p").skewed);
    // Its own time is whole; its place on the path stops at the parent's end.
    assert_eq!(c.self_ns, 100);
    assert_eq!(c.critical, [(50, 100)]);
    assert_eq!(row(&t, &w, "p").critical, [(0, 50)]);
    assert_eq!(row(&t, &w, "p").self_ns, 50);
    // The axis still reaches the child's end.
    assert_eq!(w.end_ns, 150);
}

#[test]
fn a_child_starting_before_its_parent_is_clock_skew() {
    let t = trace(vec![
        span("p", None, 100, 200),
        span("c", Some("p"), 80, 150),
    ]);
    let w = Waterfall::build(&t);
    assert!(row(&t, &w, "c").skewed);
    assert_eq!(w.start_ns, 80);
    assert_eq!(row(&t, &w, "c").critical, [(100, 150)]);
    assert_eq!(row(&t, &w, "p").critical, [(150, 200)]);
    assert_eq!(row(&t, &w, "p").self_ns, 50);
}

#[test]
fn a_consumer_after_its_producer_is_not_skew() {
    let mut producer = span("p", Some("root"), 10, 20);
    producer.kind = SpanKind::Producer;
    let mut consumer = span("c", Some("p"), 40, 60);
    consumer.kind = SpanKind::Consumer;
    let t = trace(vec![span("root", None, 0, 30), producer, consumer]);
    let w = Waterfall::build(&t);
    assert!(!row(&t, &w, "c").skewed);
    // It ran after the caller had its answer: not on the critical path.
    assert!(row(&t, &w, "c").critical.is_empty());
    assert_eq!(w.end_ns, 60);
}

#[test]
fn zero_length_spans_are_fine() {
    let t = trace(vec![
        span("p", None, 0, 10),
        span("z", Some("p"), 10, 10),
        span("y", Some("p"), 5, 5),
        span("only", Some("gone"), 3, 3),
    ]);
    let w = Waterfall::build(&t);
    assert_eq!(w.rows.len(), 4);
    assert_eq!(row(&t, &w, "p").self_ns, 10);
    assert_eq!(row(&t, &w, "z").self_ns, 0);
    assert_eq!(row(&t, &w, "p").critical, [(0, 10)]);
    let w = Waterfall::build(&trace(vec![span("a", None, 7, 7)]));
    assert_eq!((w.start_ns, w.end_ns), (7, 7));
    assert_eq!(w.rows[0].critical, []);
    assert_eq!(Waterfall::build(&Trace::default()), Waterfall::default());
}

#[test]
fn orphans_are_shown_at_the_top_level() {
    let t = trace(vec![
        span("root", None, 0, 100),
        span("lost-child", Some("missing"), 50, 60),
        span("grandchild", Some("lost-child"), 52, 58),
        span("early-orphan", Some("missing2"), -5, 1),
    ]);
    let w = Waterfall::build(&t);
    assert_eq!(
        layout(&t, &w),
        [
            ("early-orphan", 0),
            ("root", 0),
            ("lost-child", 0),
            ("grandchild", 1)
        ]
    );
    assert_eq!(
        w.rows.iter().map(|r| r.orphan).collect::<Vec<_>>(),
        [true, false, true, false]
    );
    // The root's subtree ends last, so the path is the root's.
    assert_eq!(row(&t, &w, "root").critical, [(0, 100)]);
    assert!(row(&t, &w, "lost-child").critical.is_empty());
}

#[test]
fn the_path_follows_the_top_level_span_whose_subtree_ends_last() {
    let t = trace(vec![
        span("root", None, 0, 100),
        span("orphan", Some("missing"), 50, 60),
        span("late", Some("orphan"), 55, 300),
    ]);
    let w = Waterfall::build(&t);
    assert!(row(&t, &w, "root").critical.is_empty());
    assert_eq!(row(&t, &w, "orphan").critical, [(50, 55)]);
    assert_eq!(row(&t, &w, "late").critical, [(55, 60)]);
}

#[test]
fn duplicate_ids_and_parent_cycles_keep_every_span() {
    let t = trace(vec![
        span("a", Some("b"), 0, 10),
        span("b", Some("a"), 1, 9),
        span("self", Some("self"), 20, 30),
        span("dup", None, 40, 50),
        span("dup", None, 41, 45),
        span("kid", Some("dup"), 42, 44),
    ]);
    let w = Waterfall::build(&t);
    assert_eq!(w.rows.len(), t.spans.len());
    let mut seen: Vec<usize> = w.rows.iter().map(|r| r.span).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..t.spans.len()).collect::<Vec<_>>());
    // The first span with an id owns its children; a span that is its own parent is an
    // orphan; a cycle is broken at its earliest span, after the trees with a root.
    assert_eq!(
        layout(&t, &w),
        [
            ("self", 0),
            ("dup", 0),
            ("kid", 1),
            ("dup", 0),
            ("a", 0),
            ("b", 1)
        ]
    );
    assert_eq!(w.rows[1].span, 3);
    assert!(row(&t, &w, "self").orphan);
    assert_eq!(row(&t, &w, "self").depth, 0);
    assert!(row(&t, &w, "a").orphan && !row(&t, &w, "b").orphan);
}

#[test]
fn collapsing_hides_descendants_and_find_matches_any_field() {
    let mut t = trace(vec![
        span("a", None, 0, 100),
        span("b", Some("a"), 10, 90),
        span("c", Some("b"), 20, 50),
        span("d", Some("a"), 92, 98),
    ]);
    t.spans[2].service = "Payments".into();
    t.spans[3]
        .attributes
        .push(("http.route".into(), "/Charge".into()));
    let w = Waterfall::build(&t);
    assert_eq!(w.visible(&HashSet::new()), [0, 1, 2, 3]);
    assert_eq!(w.visible(&HashSet::from([1])), [0, 1, 3]);
    assert_eq!(w.visible(&HashSet::from([0])), [0]);
    assert_eq!(w.visible(&HashSet::from([2])), [0, 1, 2, 3]);
    assert_eq!(w.find(&t, "PAYMENTS"), [2]);
    assert_eq!(w.find(&t, "charge"), [3]);
    assert_eq!(w.find(&t, "HTTP.ROUTE"), [3]);
    assert_eq!(w.find(&t, "op "), [0, 1, 2, 3]);
    assert!(w.find(&t, "").is_empty());
    assert_eq!(w.critical_ns(99), 0);
}

#[test]
fn a_generated_trace_of_2000_spans() {
    // A binary tree by index: span i's parent is (i - 1) / 2; each child sits inside its
    // parent's interval.
    let n = 2000usize;
    let mut spans = Vec::with_capacity(n);
    let mut bounds = vec![(0i64, 0i64); n];
    for i in 0..n {
        let (start, end) = if i == 0 {
            (0, 1 << 40)
        } else {
            let (ps, pe) = bounds[(i - 1) / 2];
            let half = (pe - ps) / 2;
            if i % 2 == 1 {
                (ps + 1, ps + half)
            } else {
                (ps + half, pe - 1)
            }
        };
        bounds[i] = (start, end);
        let parent = (i > 0).then(|| format!("s{}", (i - 1) / 2));
        spans.push(span(&format!("s{i}"), parent.as_deref(), start, end));
    }
    // Reverse the order they arrive in: the layout must not depend on it.
    spans.reverse();
    let t = trace(spans);
    let started = std::time::Instant::now();
    let w = Waterfall::build(&t);
    let took = started.elapsed();
    assert_eq!(w.rows.len(), n);
    let mut seen: Vec<usize> = w.rows.iter().map(|r| r.span).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), n);
    for r in &w.rows {
        let i: usize = t.spans[r.span].span_id[1..].parse().unwrap();
        // The depth of node i in a binary heap is floor(log2(i + 1)).
        assert_eq!(
            r.depth,
            (usize::BITS - (i + 1).leading_zeros() - 1) as usize
        );
        assert!(!r.skewed && !r.orphan);
    }
    // Parents come right before their first child.
    assert!(w.rows.windows(2).all(|p| p[1].depth <= p[0].depth + 1));
    let total: i64 = (0..n).map(|i| w.critical_ns(i)).sum();
    assert_eq!(total, 1 << 40);
    // Generous for an unoptimised build on a shared machine; release is far faster.
    assert!(took.as_millis() < 500, "{took:?}");
}

#[test]
fn the_shops_checkout_trace() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api/tempo/shop-trace-checkout-v2.json");
    let body = std::fs::read_to_string(path).unwrap();
    let t = crate::lab::query::tempo::decode::trace(&body).unwrap();
    assert_eq!(t.spans.len(), 14);
    assert_eq!(t.services().len(), 5);
    let w = Waterfall::build(&t);
    assert_eq!(w.rows.len(), 14);
    let name = |r: &crate::lab::query::traces::WaterfallRow| {
        let s = &t.spans[r.span];
        (s.service.as_str(), s.name.as_str(), r.depth)
    };
    assert_eq!(
        w.rows.iter().map(name).collect::<Vec<_>>(),
        [
            ("storefront", "POST /checkout", 0),
            ("storefront", "POST /orders", 1),
            ("orders", "POST /orders", 2),
            ("orders", "POST /reserve", 3),
            ("inventory", "POST /reserve", 4),
            ("inventory", "UPDATE products", 5),
            ("orders", "POST /charge", 3),
            ("payments", "POST /charge", 4),
            ("orders", "INSERT orders", 3),
            ("orders", "publish fulfillment", 3),
            ("orders", "INSERT fulfillment_queue", 4),
            ("fulfillment", "process fulfillment", 4),
            ("fulfillment", "UPDATE orders", 5),
            ("fulfillment", "DELETE fulfillment_queue", 5),
        ]
    );
    // Fulfillment runs after the checkout answered: the trace ends after its root.
    let root_end = t.spans[w.rows[0].span].end_ns;
    assert!(w.end_ns > root_end);
    assert_eq!(w.end_ns, 1_796_193_323_993_212_142);
    assert!(w.rows.iter().all(|r| !r.skewed && !r.orphan));

    let on_path: Vec<(&str, &str)> = w
        .rows
        .iter()
        .filter(|r| !r.critical.is_empty())
        .map(|r| {
            (
                t.spans[r.span].service.as_str(),
                t.spans[r.span].name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        on_path,
        [
            ("storefront", "POST /checkout"),
            ("storefront", "POST /orders"),
            ("orders", "POST /orders"),
            ("orders", "POST /reserve"),
            ("inventory", "POST /reserve"),
            ("inventory", "UPDATE products"),
            ("orders", "POST /charge"),
            ("payments", "POST /charge"),
            ("orders", "INSERT orders"),
            ("orders", "publish fulfillment"),
            ("orders", "INSERT fulfillment_queue"),
        ]
    );
    // The path spans the checkout's request exactly, and payments (slowed by the latency
    // fault) holds most of it.
    let total: i64 = (0..w.rows.len()).map(|i| w.critical_ns(i)).sum();
    assert_eq!(total, root_end - w.start_ns);
    let payments = w
        .rows
        .iter()
        .position(|r| t.spans[r.span].service == "payments")
        .unwrap();
    let most = (0..w.rows.len()).max_by_key(|&i| w.critical_ns(i)).unwrap();
    assert_eq!(most, payments);
    assert_eq!(w.critical_ns(payments), w.rows[payments].self_ns);
    assert_eq!(w.critical_ns(payments), 46_345_298);
}
