//! The shop beside an attached stack: labtui runs the shop's processes on this machine
//! (on 127.0.0.1, as natively) and sends their spans and logs to the attached Tempo and
//! Loki. Metrics need the attached Prometheus to scrape them: labtui writes the targets
//! file and `doctor` says whether that Prometheus reads it, and how to make it.

use std::path::Path;

use tokio::sync::mpsc;

use super::AttachRuntime;
use crate::lab::config::StackUrls;
use crate::lab::shop::launch::LabTelemetry;
use crate::lab::stack::state::LabState;
use crate::lab::stack::types::{Check, Outcome, UpEvent};
use crate::lab::stack::{Plan, StackError, http};

/// The standard OpenTelemetry variable for where traces go; it wins over the address
/// derived from Tempo's URL.
pub const OTLP_TRACES_ENV: &str = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

/// Tempo's OTLP/HTTP receiver port, next to its query API.
const TEMPO_OTLP_HTTP_PORT: u16 = 4318;

/// Where the shop sends telemetry: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (through `env`),
/// else Tempo's host on port 4318 (its OTLP/HTTP receiver); Loki's URL as given.
pub fn telemetry(urls: &StackUrls, env: impl Fn(&str) -> Option<String>) -> LabTelemetry {
    let otlp = env(OTLP_TRACES_ENV)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .or_else(|| {
            let mut url = reqwest::Url::parse(urls.tempo.as_deref()?).ok()?;
            url.set_port(Some(TEMPO_OTLP_HTTP_PORT)).ok()?;
            url.set_path("/v1/traces");
            Some(url.to_string())
        });
    LabTelemetry {
        otlp_endpoint: otlp,
        loki_url: urls.loki.clone(),
    }
}

/// Start the shop's processes, keeping those an earlier attach started that still run.
pub(super) async fn start(
    rt: &AttachRuntime,
    plan: &Plan,
    state: &mut LabState,
    previous: Option<&LabState>,
    events: &mpsc::Sender<UpEvent>,
) -> Result<Vec<(String, Outcome)>, StackError> {
    let native = rt.native();
    for record in previous.into_iter().flat_map(|p| &p.components) {
        if crate::lab::stack::native::alive(record) {
            state.components.push(record.clone());
        }
    }
    state.save(&rt.dirs)?;
    let telemetry = telemetry(&rt.urls, |k| std::env::var(k).ok());
    native.start_shop(plan, state, events, telemetry).await
}

/// Whether the attached Prometheus scrapes every shop process of *this* lab, with the scrape
/// job to add when it does not. Targets are matched by their address (`instance`), never by
/// job name: a Prometheus scraping another lab's shop has the same jobs on other ports.
pub(super) async fn scrape_check(state: &LabState, targets_file: &Path) -> Option<Check> {
    let prometheus = state.url("prometheus")?;
    let running = state
        .components
        .iter()
        .filter(|r| r.is_local_process())
        .count();
    if running == 0 {
        return None;
    }
    let name = "prometheus scrapes the shop";
    let ours = match our_instances(targets_file) {
        Ok(ours) => ours,
        Err(e) => {
            return Some(Check::fail(
                name,
                format!("{}: {e}", targets_file.display()),
                "run `labtui up` again to rewrite the shop's targets",
            ));
        }
    };
    let client = http::client().ok()?;
    let url =
        reqwest::Url::parse_with_params(&format!("{prometheus}/api/v1/query"), [("query", "up")])
            .ok()?;
    let doc = match http::get_json(&client, url.as_str()).await {
        Ok(doc) => doc,
        Err(e) => {
            return Some(Check::fail(
                name,
                format!("{url}: {e}"),
                "check the Prometheus URL",
            ));
        }
    };
    let scraped = instances_up(&doc, &ours);
    let expected = ours.len();
    Some(if scraped >= expected && expected > 0 {
        Check::ok(name, format!("{scraped} of {expected} shop targets up"))
    } else {
        Check::fail(
            name,
            format!(
                "{scraped} of {expected} of this lab's shop targets ({}) up in {prometheus}",
                ours.join(", ")
            ),
            scrape_job(targets_file),
        )
    })
}

/// The addresses the lab's targets file asks Prometheus to scrape.
fn our_instances(targets_file: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(targets_file).map_err(|e| e.to_string())?;
    let groups: Vec<serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| format!("not a file_sd list: {e}"))?;
    Ok(groups
        .iter()
        .filter_map(|g| g.get("targets")?.as_array().cloned())
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect())
}

/// How many of `ours` an `up` query's answer shows up (value 1), by `instance`.
fn instances_up(doc: &serde_json::Value, ours: &[String]) -> usize {
    let Some(series) = doc.pointer("/data/result").and_then(|r| r.as_array()) else {
        return 0;
    };
    ours.iter()
        .filter(|addr| {
            series.iter().any(|s| {
                s.pointer("/metric/instance").and_then(|v| v.as_str()) == Some(addr.as_str())
                    && s.pointer("/value/1").and_then(|v| v.as_str()) == Some("1")
            })
        })
        .count()
}

/// The scrape job the attached Prometheus needs (it must run on this machine: the shop
/// listens on 127.0.0.1 only).
pub fn scrape_job(targets_file: &Path) -> String {
    format!(
        "add this job to that Prometheus' scrape_configs (it must run on this machine, the \
         shop listens on 127.0.0.1): `- job_name: shop, honor_labels: true, \
         file_sd_configs: [{{files: [\"{}\"]}}]`",
        targets_file.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(tempo: Option<&str>, loki: Option<&str>) -> StackUrls {
        StackUrls {
            tempo: tempo.map(str::to_string),
            loki: loki.map(str::to_string),
            ..StackUrls::default()
        }
    }

    #[test]
    fn spans_go_to_tempos_otlp_port_unless_the_standard_variable_says_otherwise() {
        let given = urls(Some("http://tempo.lab:3200"), Some("http://loki.lab:3100"));
        let t = telemetry(&given, |_| None);
        assert_eq!(
            t.otlp_endpoint.as_deref(),
            Some("http://tempo.lab:4318/v1/traces")
        );
        assert_eq!(t.loki_url.as_deref(), Some("http://loki.lab:3100"));
        let t = telemetry(&given, |k| {
            (k == OTLP_TRACES_ENV).then(|| "http://collector:4318/v1/traces".to_string())
        });
        assert_eq!(
            t.otlp_endpoint.as_deref(),
            Some("http://collector:4318/v1/traces")
        );
        let none = telemetry(&urls(None, None), |_| Some("  ".to_string()));
        assert_eq!(none, LabTelemetry::default());
    }

    #[test]
    fn the_scrape_job_names_the_targets_file() {
        let job = scrape_job(Path::new(
            "/home/u/.local/share/labtui/lab/prometheus/targets/shop.json",
        ));
        assert!(
            job.contains(
                "files: [\"/home/u/.local/share/labtui/lab/prometheus/targets/shop.json\"]"
            ),
            "{job}"
        );
        assert!(job.contains("honor_labels: true"), "{job}");
    }

    fn up_answer(series: &[(&str, &str, &str)]) -> serde_json::Value {
        let result: Vec<serde_json::Value> = series
            .iter()
            .map(|(job, instance, v)| {
                serde_json::json!({
                    "metric": { "__name__": "up", "job": job, "instance": instance },
                    "value": [1767000000.0, v],
                })
            })
            .collect();
        serde_json::json!({ "status": "success", "data": { "resultType": "vector", "result": result } })
    }

    #[test]
    fn another_labs_shop_with_the_same_jobs_does_not_count() {
        let ours: Vec<String> = ["127.0.0.1:28080", "127.0.0.1:28081"]
            .map(String::from)
            .to_vec();
        let other = up_answer(&[
            ("storefront", "127.0.0.1:9080", "1"),
            ("orders", "127.0.0.1:9081", "1"),
        ]);
        assert_eq!(instances_up(&other, &ours), 0);
        let mixed = up_answer(&[
            ("storefront", "127.0.0.1:28080", "1"),
            ("orders", "127.0.0.1:28081", "0"),
            ("orders", "127.0.0.1:9081", "1"),
        ]);
        assert_eq!(instances_up(&mixed, &ours), 1);
        let all = up_answer(&[
            ("storefront", "127.0.0.1:28080", "1"),
            ("orders", "127.0.0.1:28081", "1"),
        ]);
        assert_eq!(instances_up(&all, &ours), 2);
    }

    #[test]
    fn the_targets_file_names_our_instances() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("shop.json");
        std::fs::write(
            &file,
            r#"[{"targets":["127.0.0.1:28080"],"labels":{"service":"storefront"}},
               {"targets":["127.0.0.1:28081"],"labels":{"service":"orders"}}]"#,
        )
        .expect("write");
        assert_eq!(
            our_instances(&file).expect("read"),
            ["127.0.0.1:28080", "127.0.0.1:28081"]
        );
        std::fs::write(&file, "{").expect("write");
        assert!(
            our_instances(&file)
                .unwrap_err()
                .contains("not a file_sd list")
        );
        assert!(our_instances(&dir.path().join("missing.json")).is_err());
    }
}
