//! Pieces of `up` and `status` every runtime shares: progress events, skips, start waves,
//! a component's URLs, and the readiness and version probe behind a status row.

use std::collections::BTreeMap;

use chrono::Utc;
use tokio::sync::mpsc;

use super::plan::Plan;
use super::spec::Component;
use super::state::SkipReason;
use super::state::{ComponentRecord, SkippedComponent};
use super::types::{ComponentState, ComponentStatus, Outcome, UpEvent};

/// Send one progress event; a caller that stopped listening does not stop the lab starting.
pub(crate) async fn emit(events: &mpsc::Sender<UpEvent>, event: UpEvent) {
    let _ = events.send(event).await;
}

/// Report a component as failed: the event, and the outcome to record.
pub(crate) async fn failed(events: &mpsc::Sender<UpEvent>, name: &str, reason: String) -> Outcome {
    emit(
        events,
        UpEvent::Failed {
            component: name.to_string(),
            reason: reason.clone(),
        },
    )
    .await;
    Outcome::Failed(reason)
}

/// Where the shop sends telemetry: the collector when it runs (full profile), else Tempo;
/// Loki when it runs. `base(component, port)` is a component's base URL as the shop
/// reaches it (`port` empty: its primary port); absent backends are simply left out.
pub(crate) fn shop_telemetry(
    state: &super::LabState,
    base: impl Fn(&str, &str) -> Option<String>,
) -> crate::lab::shop::launch::LabTelemetry {
    let runs = |name: &str| {
        state
            .component(name)
            .is_some_and(|c| c.pid.is_some() || c.container.is_some())
    };
    let otlp = ["otel-collector", "tempo"]
        .into_iter()
        .find(|c| runs(c))
        .and_then(|c| base(c, "otlp_http"))
        .map(|url| format!("{url}/v1/traces"));
    let loki = runs("loki").then(|| base("loki", "")).flatten();
    crate::lab::shop::launch::LabTelemetry {
        otlp_endpoint: otlp,
        loki_url: loki,
    }
}

/// Report a component as skipped: the event, its outcome and its place in the state.
pub(crate) async fn skip(
    events: &mpsc::Sender<UpEvent>,
    outcomes: &mut BTreeMap<String, Outcome>,
    skipped: &mut Vec<SkippedComponent>,
    name: &str,
    reason: SkipReason,
) {
    emit(
        events,
        UpEvent::Skipped {
            component: name.to_string(),
            reason: reason.clone(),
        },
    )
    .await;
    outcomes.insert(name.to_string(), Outcome::Skipped(reason.clone()));
    skipped.push(SkippedComponent {
        name: name.to_string(),
        reason,
    });
}

/// Outcomes in the plan's order (started components, then the unavailable ones).
pub(crate) fn ordered_outcomes(
    plan: &Plan,
    mut outcomes: BTreeMap<String, Outcome>,
) -> Vec<(String, Outcome)> {
    plan.components
        .iter()
        .chain(plan.unavailable.iter())
        .filter_map(|n| outcomes.remove(n).map(|o| (n.clone(), o)))
        .collect()
}

/// Group components (already in dependency order) into waves of indices: a component
/// starts in the wave after the last of its dependencies that is being started too.
pub(crate) fn waves(components: &[&Component]) -> Vec<Vec<usize>> {
    let mut level: BTreeMap<&str, usize> = BTreeMap::new();
    let mut waves: Vec<Vec<usize>> = Vec::new();
    for (i, component) in components.iter().enumerate() {
        let l = component
            .depends_on
            .iter()
            .filter_map(|d| level.get(d.as_str()))
            .map(|l| l + 1)
            .max()
            .unwrap_or(0);
        level.insert(component.name.as_str(), l);
        if waves.len() <= l {
            waves.resize_with(l + 1, Vec::new);
        }
        waves[l].push(i);
    }
    waves
}

/// A record of `component` as the plan places it on the host (URLs on 127.0.0.1, its
/// ports, readiness and version probes), started now; the runtime fills in how it runs.
pub(crate) fn base_record(plan: &Plan, component: &Component) -> ComponentRecord {
    let primary = plan
        .primary_port(&component.name)
        .unwrap_or(component.primary_port().default);
    let ready_port = plan
        .port(&component.name, &component.ready_port)
        .unwrap_or(primary);
    ComponentRecord {
        ports: plan.ports.get(&component.name).cloned().unwrap_or_default(),
        version: component.version.clone(),
        ready_timeout_s: component.ready_timeout.as_secs(),
        ..ComponentRecord::reached_at(
            &component.name,
            &format!("http://127.0.0.1:{primary}"),
            &format!("http://127.0.0.1:{ready_port}{}", component.ready_path),
        )
    }
}

/// A status row for `record` with only its name and URL filled in, as down.
pub(crate) fn down_row(record: &ComponentRecord) -> ComponentStatus {
    let mut row = ComponentStatus::new(record.name.clone(), ComponentState::Down);
    row.url = Some(record.url.clone());
    row
}

/// How long a shop process or container gets to answer /health.
pub(crate) const SHOP_READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The record of a shop service reached at `127.0.0.1:<host_port>`, whatever runs it;
/// the runtime fills in its pid or container.
pub(crate) fn shop_record(
    service: crate::lab::shop::Service,
    host_port: u16,
    command: Vec<String>,
    log: std::path::PathBuf,
) -> ComponentRecord {
    let url = format!("http://127.0.0.1:{host_port}");
    ComponentRecord {
        name: service.component(),
        ready_url: format!("{url}/health"),
        url,
        ports: BTreeMap::from([(super::plan::SHOP_PORT.to_string(), host_port)]),
        version: Some(super::spec::VersionProbe {
            path: "/health".to_string(),
            json: Some("/version".to_string()),
            metric: None,
        }),
        ready_timeout_s: SHOP_READY_TIMEOUT.as_secs(),
        started_at: Utc::now(),
        pid: None,
        start_ticks: None,
        binary: None,
        command,
        env: BTreeMap::new(),
        workdir: None,
        log_file: Some(log),
        container: None,
    }
}

/// Point Prometheus at every recorded shop service: one target each, with `job` and
/// `service` set to the service's name (the shop job keeps the exposition's labels:
/// honor_labels). `address` says where Prometheus reaches a service on its port.
pub(crate) fn write_shop_scrape_targets(
    dirs: &super::LabDirs,
    state: &super::LabState,
    address: impl Fn(crate::lab::shop::Service, u16) -> String,
) -> Result<(), super::StackError> {
    use crate::lab::shop::Service;
    let targets: Vec<super::ScrapeTarget> = Service::ALL
        .into_iter()
        .filter_map(|service| {
            let record = state.component(&service.component())?;
            let port = record.ports.values().next()?;
            Some(super::ScrapeTarget {
                address: address(service, *port),
                labels: BTreeMap::from([
                    ("job".to_string(), service.as_str().to_string()),
                    ("service".to_string(), service.as_str().to_string()),
                ]),
            })
        })
        .collect();
    super::write_shop_targets(dirs, &targets)
}
