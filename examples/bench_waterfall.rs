//! How long `Waterfall::build` takes on a 2,000-span trace (target: well under a
//! millisecond in a release build), median of many runs.
//!
//! `cargo run --release --example bench_waterfall [RUNS]`

use std::time::{Duration, Instant};

use labtui::lab::query::traces::{Span, SpanKind, SpanStatus, Trace, Waterfall};

/// A trace shaped like a busy request: each span has up to eight children, called one
/// after another with some overlap, ids arriving in a scrambled order.
fn trace(n: usize) -> Trace {
    let mut spans: Vec<Span> = Vec::with_capacity(n);
    let mut bounds: Vec<(i64, i64)> = vec![(0, 1_000_000_000)];
    for i in 0..n {
        let (start, end, parent) = if i == 0 {
            (0, 1_000_000_000, None)
        } else {
            let p = (i - 1) / 8;
            let k = ((i - 1) % 8) as i64;
            let (ps, pe) = bounds[p];
            let slot = (pe - ps) / 8;
            (ps + k * slot, ps + (k + 1) * slot + slot / 4, Some(p))
        };
        if i > 0 {
            bounds.push((start, end));
        }
        spans.push(Span {
            span_id: format!("{:016x}", (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            parent_id: parent
                .map(|p: usize| format!("{:016x}", (p as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))),
            name: format!("op {i}"),
            kind: SpanKind::Internal,
            service: format!("svc{}", i % 7),
            start_ns: start,
            end_ns: end,
            status: SpanStatus::Unset,
            status_message: None,
            attributes: Vec::new(),
            resource: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
        });
    }
    spans.reverse();
    Trace {
        trace_id: "bench".into(),
        spans,
    }
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let t = trace(2000);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let w = Waterfall::build(&t);
        times.push(started.elapsed());
        rows = w.rows.len();
    }
    times.sort_unstable();
    println!(
        "Waterfall::build, {} spans ({rows} rows), {runs} runs: median {:?}, p90 {:?}, max {:?}",
        t.spans.len(),
        times[runs / 2],
        times[runs * 9 / 10],
        times[runs - 1]
    );
}
