//! How long a frame of the log view and of the trace waterfall takes to draw: 5,000 log
//! lines (model built once; drawn plain and wrapped) and a 2,000-span trace, at 120×36
//! (target: a frame ≤ 2 ms).
//!
//! `cargo run --release --example bench_logs_traces [ITERATIONS]`. Needs no lab: the data
//! is generated here, and the waterfall is laid out here too (depth first, self times and
//! the critical path), standing in for the trace module's own layout.

use std::time::{Duration, Instant};

use chrono::FixedOffset;
use labtui::lab::query::Labels;
use labtui::lab::query::logs::LogEntry;
use labtui::lab::query::traces::{Span, SpanKind, SpanStatus, Trace, Waterfall, WaterfallRow};
use labtui::tui::theme::Theme;
use labtui::tui::widgets::{
    LogViewModel, LogViewState, WaterfallView, render_logview, render_waterfall,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const LINES: usize = 5_000;
const SPANS: usize = 2_000;
const WIDTH: u16 = 120;
const HEIGHT: u16 = 36;
const START: i64 = 1_700_049_600_000_000_000;
const SERVICES: [&str; 8] = [
    "storefront",
    "orders",
    "payments",
    "inventory",
    "cart",
    "catalog",
    "shipping",
    "email",
];

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// Shop-like JSON lines, newest first, some long enough to wrap several times.
fn log_lines() -> Vec<LogEntry> {
    let mut rng = Lcg(11);
    (0..LINES)
        .map(|i| {
            let service = SERVICES[rng.below(SERVICES.len())];
            let level = ["info", "info", "info", "debug", "warn", "error"][rng.below(6)];
            let padding = "x".repeat(rng.below(240));
            let stream: Labels = [("service_name", service), ("level", level)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            LogEntry {
                ts_ns: START - (i as i64) * 7_000_000,
                stream,
                structured: Labels::new(),
                parsed: Labels::new(),
                line: format!(
                    r#"{{"level":"{level}","msg":"request handled","order_id":"o-{i}","duration_ms":{},"note":"{padding}"}}"#,
                    rng.below(900)
                ),
            }
        })
        .collect()
}

/// A random call tree: each span inside an earlier one, at most eight deep.
fn trace() -> Trace {
    let mut rng = Lcg(5);
    let mut spans: Vec<Span> = Vec::with_capacity(SPANS);
    let mut depth = vec![0usize; SPANS];
    for i in 0..SPANS {
        let (parent, start, end) = if i == 0 {
            (None, START, START + 2_000_000_000)
        } else {
            let mut p = rng.below(i);
            while depth[p] >= 8 {
                p = rng.below(i);
            }
            depth[i] = depth[p] + 1;
            let (ps, pe) = (spans[p].start_ns, spans[p].end_ns);
            let len = (pe - ps).max(1) as f64;
            let start = ps + (rng.next() * len * 0.6) as i64;
            let end = start + (rng.next() * (pe - start) as f64) as i64;
            (Some(spans[p].span_id.clone()), start, end)
        };
        spans.push(Span {
            span_id: format!("{i:016x}"),
            parent_id: parent,
            name: format!("operation-{i}"),
            kind: SpanKind::Internal,
            service: SERVICES[i % SERVICES.len()].to_string(),
            start_ns: start,
            end_ns: end,
            status: if i % 97 == 0 {
                SpanStatus::Error
            } else {
                SpanStatus::Unset
            },
            status_message: None,
            attributes: Vec::new(),
            resource: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
        });
    }
    Trace {
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
        spans,
    }
}

/// The waterfall laid out by hand: rows depth first with siblings by start, self time as
/// duration minus the union of the children, and the critical path walked back from each
/// span's end through its latest-ending child.
fn waterfall(trace: &Trace) -> Waterfall {
    let n = trace.spans.len();
    let index: std::collections::HashMap<&str, usize> = trace
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span_id.as_str(), i))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, s) in trace.spans.iter().enumerate() {
        match s.parent_id.as_deref().and_then(|p| index.get(p)) {
            Some(&p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    for c in &mut children {
        c.sort_by_key(|i| trace.spans[*i].start_ns);
    }
    let mut critical: Vec<Vec<(i64, i64)>> = vec![Vec::new(); n];
    for &r in &roots {
        let s = &trace.spans[r];
        mark_critical(trace, &children, r, s.start_ns, s.end_ns, &mut critical);
    }
    let mut rows = Vec::with_capacity(n);
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|r| (*r, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        let s = &trace.spans[i];
        let mut covered = 0;
        let mut reach = s.start_ns;
        for &c in &children[i] {
            let (a, b) = (trace.spans[c].start_ns.max(reach), trace.spans[c].end_ns);
            if b > a {
                covered += b - a;
                reach = b;
            }
        }
        rows.push(WaterfallRow {
            span: i,
            depth,
            orphan: false,
            has_children: !children[i].is_empty(),
            self_ns: (s.end_ns - s.start_ns - covered).max(0),
            critical: std::mem::take(&mut critical[i]),
            skewed: false,
        });
        stack.extend(children[i].iter().rev().map(|c| (*c, depth + 1)));
    }
    Waterfall {
        start_ns: trace.spans.iter().map(|s| s.start_ns).min().unwrap_or(0),
        end_ns: trace.spans.iter().map(|s| s.end_ns).max().unwrap_or(0),
        rows,
    }
}

fn mark_critical(
    trace: &Trace,
    children: &[Vec<usize>],
    span: usize,
    from: i64,
    to: i64,
    out: &mut [Vec<(i64, i64)>],
) {
    let mut cursor = to;
    let mut kids: Vec<usize> = children[span].clone();
    kids.sort_by_key(|c| std::cmp::Reverse(trace.spans[*c].end_ns));
    for c in kids {
        let (cs, ce) = (trace.spans[c].start_ns, trace.spans[c].end_ns.min(cursor));
        if ce <= from || cs >= cursor || ce <= cs {
            continue;
        }
        if ce < cursor {
            out[span].push((ce, cursor));
        }
        mark_critical(trace, children, c, cs.max(from), ce, out);
        cursor = cs.max(from);
    }
    if from < cursor {
        out[span].push((from, cursor));
    }
}

fn time(iterations: usize, mut f: impl FnMut() -> Res<()>) -> Res<Vec<Duration>> {
    for _ in 0..iterations / 10 {
        f()?;
    }
    let mut runs = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let began = Instant::now();
        f()?;
        runs.push(began.elapsed());
    }
    runs.sort();
    Ok(runs)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn report(name: &str, runs: &[Duration]) {
    let p95 = runs[(runs.len() * 95).div_ceil(100) - 1];
    println!(
        "{name:<46} {:>6} {:>10} {:>10} {:>10}",
        runs.len(),
        ms(runs[0]),
        ms(runs[runs.len() / 2]),
        ms(p95)
    );
}

fn main() -> Res<()> {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let theme = Theme::plain();
    let utc = FixedOffset::east_opt(0).ok_or("UTC")?;
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;

    let entries = log_lines();
    let model_runs = time(iterations.div_ceil(20), || {
        std::hint::black_box(LogViewModel::new(&entries, utc));
        Ok(())
    })?;
    let model = LogViewModel::new(&entries, utc);
    // Somewhere in the middle, so nothing benefits from starting at the top.
    let mut state = LogViewState {
        selected: LINES / 2,
        offset: LINES / 2 - 10,
        wrap: false,
    };
    let plain_runs = time(iterations, || {
        terminal.draw(|f| render_logview(&model, &state, &theme, f.area(), f.buffer_mut()))?;
        Ok(())
    })?;
    state.wrap = true;
    let wrapped_runs = time(iterations, || {
        terminal.draw(|f| render_logview(&model, &state, &theme, f.area(), f.buffer_mut()))?;
        Ok(())
    })?;

    let trace = trace();
    let layout_began = Instant::now();
    let wf = waterfall(&trace);
    let layout = layout_began.elapsed();
    if wf.rows.len() != SPANS {
        return Err("the layout lost spans".into());
    }
    let mut view = WaterfallView::new(&wf);
    view.selected = SPANS / 2;
    view.scroll_to_selected(usize::from(HEIGHT) - 1);
    let waterfall_runs = time(iterations, || {
        terminal
            .draw(|f| render_waterfall(&trace, &wf, &view, &theme, f.area(), f.buffer_mut()))?;
        Ok(())
    })?;

    println!(
        "{LINES} log lines, {SPANS} spans, {WIDTH}×{HEIGHT}; waterfall laid out in {} (bench's own layout)",
        ms(layout)
    );
    println!(
        "{:<46} {:>6} {:>10} {:>10} {:>10}",
        "measure", "runs", "min", "median", "p95"
    );
    report(
        "log model (LogViewModel::new, once per result)",
        &model_runs,
    );
    report("log view frame, one row per line (≤ 2 ms)", &plain_runs);
    report("log view frame, wrapped (≤ 2 ms)", &wrapped_runs);
    report("waterfall frame, 2,000 spans (≤ 2 ms)", &waterfall_runs);
    Ok(())
}
