//! How long the query pane's chart takes per frame and how long a range result takes to
//! decode, both for 10 series × 600 points (targets: a frame ≤ 2 ms at 120×36).
//!
//! `cargo run --release --example bench_chart [ITERATIONS]`. Needs no lab: the data is
//! generated here.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use labtui::lab::query::{RangeSeries, Sample, Unit};
use labtui::tui::theme::Theme;
use labtui::tui::widgets::{ChartModel, render_chart};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::Deserialize;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const SERIES: usize = 10;
const POINTS: usize = 600;
const WIDTH: u16 = 120;
const HEIGHT: u16 = 36;
const START: f64 = 1_700_049_600.0;
const STEP: f64 = 15.0;

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
}

/// p95 latencies for ten services: a noisy baseline, an occasional spike, a NaN now and then.
fn value(rng: &mut Lcg, series: usize, i: usize) -> f64 {
    let base = 0.05 * (series + 1) as f64;
    let r = rng.next();
    if r < 0.002 {
        f64::NAN
    } else if r > 0.995 {
        base * 8.0
    } else {
        base * (1.0 + 0.3 * ((i as f64) / 17.0).sin() + 0.1 * r)
    }
}

fn service(series: usize) -> String {
    format!("service-{series:02}")
}

fn range_series() -> Vec<RangeSeries> {
    let mut rng = Lcg(7);
    (0..SERIES)
        .map(|s| RangeSeries {
            labels: BTreeMap::from([
                ("job".to_string(), "shop".to_string()),
                ("service".to_string(), service(s)),
            ]),
            samples: (0..POINTS)
                .map(|i| Sample {
                    t: START + STEP * i as f64,
                    v: value(&mut rng, s, i),
                })
                .collect(),
        })
        .collect()
}

/// The same data as Prometheus' `/api/v1/query_range` sends it.
fn matrix_json() -> String {
    let mut rng = Lcg(7);
    let result: Vec<serde_json::Value> = (0..SERIES)
        .map(|s| {
            let values: Vec<serde_json::Value> = (0..POINTS)
                .map(|i| {
                    let v = value(&mut rng, s, i);
                    let text = if v.is_nan() {
                        "NaN".to_string()
                    } else {
                        v.to_string()
                    };
                    serde_json::json!([START + STEP * i as f64, text])
                })
                .collect();
            serde_json::json!({
                "metric": {"__name__": "http_request_duration_seconds", "job": "shop", "service": service(s)},
                "values": values,
            })
        })
        .collect();
    serde_json::json!({"status": "success", "data": {"resultType": "matrix", "result": result}})
        .to_string()
}

// A stand-in for the Prometheus client's decoder, shaped like the API's answer; switch (b)
// to the client's decoder once it is in the crate, so this measures what the pane runs.
#[derive(Deserialize)]
struct Response {
    status: String,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    metric: BTreeMap<String, String>,
    values: Vec<(f64, String)>,
}

fn number(text: &str) -> Res<f64> {
    Ok(match text {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => text.parse()?,
    })
}

fn decode(body: &str) -> Res<Vec<RangeSeries>> {
    let response: Response = serde_json::from_str(body)?;
    if response.status != "success" || response.data.result_type != "matrix" {
        return Err("not a matrix".into());
    }
    response
        .data
        .result
        .into_iter()
        .map(|e| {
            let samples = e
                .values
                .iter()
                .map(|(t, v)| {
                    Ok(Sample {
                        t: *t,
                        v: number(v)?,
                    })
                })
                .collect::<Res<Vec<Sample>>>()?;
            Ok(RangeSeries {
                labels: e.metric,
                samples,
            })
        })
        .collect()
}

fn time<T>(iterations: usize, mut f: impl FnMut() -> Res<T>) -> Res<Vec<Duration>> {
    for _ in 0..iterations / 10 {
        std::hint::black_box(f()?);
    }
    let mut runs = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let began = Instant::now();
        std::hint::black_box(f()?);
        runs.push(began.elapsed());
    }
    runs.sort();
    Ok(runs)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn report(name: &str, runs: &[Duration]) {
    let p99 = runs[(runs.len() * 99).div_ceil(100) - 1];
    println!(
        "{name:<44} {:>6} {:>10} {:>10} {:>10}",
        runs.len(),
        ms(runs[0]),
        ms(runs[runs.len() / 2]),
        ms(p99)
    );
}

fn main() -> Res<()> {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let series = range_series();
    let theme = Theme::plain();
    let unit = Unit::guess(
        "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))",
    );
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;

    let model_runs = time(iterations, || Ok(ChartModel::new(&series, unit, WIDTH)))?;
    let mut model = ChartModel::new(&series, unit, WIDTH);
    model.cursor_left();
    let draw_runs = time(iterations, || {
        terminal.draw(|f| render_chart(&model, &theme, f.area(), f.buffer_mut()))?;
        Ok(())
    })?;
    let frame_runs = time(iterations, || {
        let mut model = ChartModel::new(&series, unit, WIDTH);
        model.cursor_left();
        terminal.draw(|f| render_chart(&model, &theme, f.area(), f.buffer_mut()))?;
        Ok(())
    })?;

    let body = matrix_json();
    let decoded = decode(&body)?;
    if decoded.len() != SERIES || decoded[0].samples.len() != POINTS {
        return Err("decoded the wrong shape".into());
    }
    let decode_runs = time(iterations.div_ceil(4), || decode(&body))?;

    println!(
        "{SERIES} series × {POINTS} points, {WIDTH}×{HEIGHT}, legend beside, cursor set; JSON body {} KiB",
        body.len() / 1024
    );
    println!(
        "{:<44} {:>6} {:>10} {:>10} {:>10}",
        "measure", "runs", "min", "median", "p99"
    );
    report("chart model (ChartModel::new)", &model_runs);
    report("draw only (render_chart into TestBackend)", &draw_runs);
    report("frame: model + draw (target ≤ 2 ms)", &frame_runs);
    report("decode matrix JSON (serde_json, stand-in)", &decode_runs);
    Ok(())
}
