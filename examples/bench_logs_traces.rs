//! How long a frame of the log view and of the trace waterfall takes to draw: 5,000 log
//! lines (model built once; drawn plain and wrapped) and a 2,000-span trace, at 120×36
//! (target: a frame ≤ 2 ms); and what happens once per result: decoding a 5,000-line
//! Loki answer, building the log view's model, laying the trace out.
//!
//! `cargo run --release --example bench_logs_traces [ITERATIONS]`. Needs no lab: the data
//! is generated here.

use std::time::{Duration, Instant};

use chrono::FixedOffset;
use labtui::lab::query::Labels;
use labtui::lab::query::logs::LogEntry;
use labtui::lab::query::loki::Direction;
use labtui::lab::query::traces::{Span, SpanKind, SpanStatus, Trace, Waterfall};
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

/// A Loki `query_range` answer holding `entries`, one stream per service, as Loki
/// sends it (nanosecond times as strings, lines as JSON strings).
fn loki_answer(entries: &[LogEntry]) -> String {
    let mut streams: std::collections::BTreeMap<String, Vec<serde_json::Value>> =
        std::collections::BTreeMap::new();
    for e in entries {
        let service = e.stream.get("service_name").cloned().unwrap_or_default();
        streams
            .entry(service)
            .or_default()
            .push(serde_json::json!([e.ts_ns.to_string(), e.line]));
    }
    let result: Vec<serde_json::Value> = streams
        .into_iter()
        .map(|(service, values)| {
            serde_json::json!({"stream": {"service_name": service, "level": "info"}, "values": values})
        })
        .collect();
    serde_json::json!({"status": "success", "data": {"resultType": "streams", "result": result}})
        .to_string()
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

    let answer = loki_answer(&entries);
    let decode_runs = time(iterations.div_ceil(20), || {
        let (data, _, _) = labtui::lab::query::loki::decode::query(&answer, Direction::Backward)
            .map_err(|p| format!("{p:?}"))?;
        if data.sample_count() != LINES {
            return Err("the decoder lost lines".into());
        }
        std::hint::black_box(data);
        Ok(())
    })?;

    let trace = trace();
    let layout_runs = time(iterations, || {
        std::hint::black_box(Waterfall::build(&trace));
        Ok(())
    })?;
    let wf = Waterfall::build(&trace);
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
        "{LINES} log lines ({} KiB of Loki JSON), {SPANS} spans, {WIDTH}×{HEIGHT}",
        answer.len() / 1024
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
    report("decode a 5,000-line Loki answer", &decode_runs);
    report(
        "Waterfall::build, 2,000 spans (once per trace)",
        &layout_runs,
    );
    report("waterfall frame, 2,000 spans (≤ 2 ms)", &waterfall_runs);
    Ok(())
}
