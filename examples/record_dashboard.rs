//! Records a dashboard dataset for an explain-this-dashboard drill from a running lab:
//! each panel's PromQL over a time range through labtui's own Prometheus client, written
//! as the JSON `labtui check` and the console read (docs/CONTENT.md, "Recorded dashboards").
//!
//! `cargo run --example record_dashboard -- SPEC.toml OUT.json`
//!
//! The spec names the Prometheus, the range, what was injected, the annotations and the
//! panels:
//!
//! ```toml
//! prometheus = "http://127.0.0.1:9090"
//! title = "Checkout under a slow payments service"
//! start = 1767000000          # unix seconds
//! end = 1767000840
//! step = 15
//! utc_offset_minutes = 0      # the clock the drill's text speaks in
//! [recorded]
//! source = "labtui native lab"
//! fault = "latency"
//! target = "payments"
//! params = { ms = "1200" }
//! traffic_rps = 5.0
//! [[annotations]]
//! time = 1767000240
//! text = "fault injected: latency ms=1200 on payments"
//! [[panels]]
//! title = "Storefront requests by route"
//! unit = "req/s"
//! query = 'sum by (route) (rate(http_requests_total{service="storefront"}[1m]))'
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use labtui::lab::content::dashboard::{self, Annotation, Dashboard, Panel, PanelSeries};
use labtui::lab::query::{PrometheusClient, QueryData, QueryWindow};
use serde::Deserialize;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    prometheus: String,
    title: String,
    start: i64,
    end: i64,
    step: u32,
    #[serde(default)]
    utc_offset_minutes: i32,
    recorded: SpecRecording,
    #[serde(default)]
    annotations: Vec<Annotation>,
    panels: Vec<SpecPanel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecRecording {
    source: String,
    fault: String,
    target: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    traffic_rps: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecPanel {
    title: String,
    unit: String,
    query: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Res<()> {
    let mut args = std::env::args().skip(1);
    let (Some(spec_path), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: record_dashboard SPEC.toml OUT.json".into());
    };
    let spec: Spec = toml::from_str(&std::fs::read_to_string(&spec_path)?)?;
    let client = PrometheusClient::new(&spec.prometheus)?;
    let window = QueryWindow::Range {
        start: spec.start as f64,
        end: spec.end as f64,
        step: f64::from(spec.step),
    };
    let mut panels = Vec::new();
    for p in spec.panels {
        let outcome = client.query(&p.query, window).await?;
        let QueryData::Matrix(series) = outcome.data else {
            return Err(format!("`{}` did not return a range matrix", p.query).into());
        };
        let series: Vec<PanelSeries> = series
            .iter()
            .map(PanelSeries::from_range)
            .filter(|s| !s.points.is_empty())
            .collect();
        eprintln!(
            "{:<40} {} series, {} points",
            p.title,
            series.len(),
            series.iter().map(|s| s.points.len()).sum::<usize>()
        );
        panels.push(Panel {
            title: p.title,
            unit: p.unit,
            query: p.query,
            series,
        });
    }
    let data = Dashboard {
        format: dashboard::FORMAT,
        title: spec.title,
        recorded: dashboard::Recording {
            source: spec.recorded.source,
            labtui_version: env!("CARGO_PKG_VERSION").to_owned(),
            fault: spec.recorded.fault,
            target: spec.recorded.target,
            params: spec.recorded.params,
            traffic_rps: spec.recorded.traffic_rps,
        },
        utc_offset_minutes: spec.utc_offset_minutes,
        start: spec.start,
        end: spec.end,
        step: spec.step,
        annotations: spec.annotations,
        panels,
    };
    let text = to_json(&data)?;
    // What the drill will load must pass the same checks.
    dashboard::parse(&out, &text)?;
    std::fs::write(PathBuf::from(&out), text)?;
    eprintln!("wrote {out}");
    Ok(())
}

/// Pretty JSON, except that each point stays on one line: readable and small.
fn to_json(data: &Dashboard) -> Res<String> {
    let pretty = serde_json::to_string_pretty(data)?;
    let mut out = String::with_capacity(pretty.len() / 2);
    let mut depth_in_points = 0usize;
    for line in pretty.lines() {
        let trimmed = line.trim();
        if depth_in_points > 0 {
            out.push_str(trimmed);
            if trimmed.starts_with('[') {
                depth_in_points += 1;
            } else if trimmed.starts_with(']') {
                depth_in_points -= 1;
                if depth_in_points == 0 {
                    out.push('\n');
                }
            }
            continue;
        }
        out.push_str(line);
        if trimmed == "\"points\": [" {
            depth_in_points = 1;
        } else {
            out.push('\n');
        }
    }
    Ok(out)
}
