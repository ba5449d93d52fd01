//! Deployment verification of a running lab: components answer, targets are up, data flows.

use super::RuntimeKind;
use super::http;
use super::state::LabState;
use super::types::Check;

/// Checks against a running lab's URLs (any runtime): each component's readiness, the
/// Prometheus targets, one query per backend, and whether data has arrived yet.
pub async fn deployment(state: &LabState) -> Vec<Check> {
    let client = match http::client() {
        Ok(c) => c,
        Err(e) => {
            return vec![Check::fail(
                "http client",
                e.to_string(),
                "this is a bug in labtui; please report it",
            )];
        }
    };
    let mut checks = Vec::new();
    for record in &state.components {
        let name = format!("{} answers", record.name);
        match http::probe(&client, &record.ready_url).await {
            Ok(()) => checks.push(Check::ok(name, record.ready_url.clone())),
            Err(reason) => checks.push(Check::fail(
                name,
                format!("{}: {reason}", record.ready_url),
                match state.runtime {
                    RuntimeKind::Attach => format!(
                        "labtui does not run this stack: check {} where it runs, and the URL",
                        record.name
                    ),
                    _ => "see `labtui status`; `labtui up` starts it again".to_string(),
                },
            )),
        }
    }
    if let Some(url) = state.url("prometheus") {
        prometheus(&client, url, &mut checks).await;
    }
    if let Some(url) = state.url("alertmanager") {
        checks.push(
            match http::get_json(&client, &format!("{url}/api/v2/status")).await {
                Ok(doc) => Check::ok(
                    "alertmanager status",
                    format!(
                        "version {}",
                        doc.pointer("/versionInfo/version")
                            .and_then(|v| v.as_str())
                            .unwrap_or("?")
                    ),
                ),
                Err(e) => Check::fail(
                    "alertmanager status",
                    e,
                    "check its log under the lab's logs directory",
                ),
            },
        );
    }
    if let Some(url) = state.url("loki") {
        checks.push(
            match http::get_json(&client, &format!("{url}/loki/api/v1/labels")).await {
                Ok(doc)
                    if doc
                        .pointer("/data")
                        .and_then(|d| d.as_array())
                        .is_some_and(|a| !a.is_empty()) =>
                {
                    Check::ok("loki has logs", "label names present")
                }
                Ok(_) => Check::warn(
                    "loki has logs",
                    "Loki answers but holds no log streams yet",
                    "start the shop (or push logs) and check again",
                ),
                Err(e) => Check::fail(
                    "loki answers a query",
                    e,
                    "see `labtui status` and Loki's log",
                ),
            },
        );
    }
    if let Some(url) = state.url("tempo") {
        checks.push(
            match http::get_json(&client, &format!("{url}/api/search?limit=1")).await {
                Ok(doc)
                    if doc
                        .pointer("/traces")
                        .and_then(|d| d.as_array())
                        .is_some_and(|a| !a.is_empty()) =>
                {
                    Check::ok("tempo has traces", "search returns traces")
                }
                Ok(_) => Check::warn(
                    "tempo has traces",
                    "Tempo answers but holds no traces yet",
                    "start the shop (or send OTLP spans) and check again",
                ),
                Err(e) => Check::fail(
                    "tempo answers a query",
                    e,
                    "see `labtui status` and Tempo's log",
                ),
            },
        );
    }
    if let Some(url) = state.url("grafana") {
        for uid in ["prometheus", "loki", "tempo"] {
            let name = format!("grafana datasource {uid}");
            checks.push(
                match http::get_json(&client, &format!("{url}/api/datasources/uid/{uid}/health"))
                    .await
                {
                    Ok(doc) if doc.pointer("/status").and_then(|s| s.as_str()) == Some("OK") => {
                        Check::ok(name, "working")
                    }
                    Ok(doc) => Check::warn(
                        name,
                        doc.pointer("/message")
                            .and_then(|m| m.as_str())
                            .unwrap_or("not working")
                            .to_string(),
                        format!("is {uid} running? see `labtui status`"),
                    ),
                    Err(e) => {
                        Check::warn(name, e, format!("is {uid} running? see `labtui status`"))
                    }
                },
            );
        }
    }
    checks
}

async fn prometheus(client: &reqwest::Client, url: &str, checks: &mut Vec<Check>) {
    match http::get_json(client, &format!("{url}/api/v1/targets?state=active")).await {
        Ok(doc) => {
            let targets = doc
                .pointer("/data/activeTargets")
                .and_then(|t| t.as_array())
                .cloned()
                .unwrap_or_default();
            for t in targets {
                let job = t
                    .pointer("/labels/job")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?");
                let instance = t
                    .pointer("/labels/instance")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?");
                let name = format!("target {job} {instance}");
                checks.push(match t.pointer("/health").and_then(|v| v.as_str()) {
                    Some("up") => Check::ok(name, "up"),
                    Some("down") => Check::fail(
                        name,
                        format!("down: {}", t.pointer("/lastError").and_then(|v| v.as_str()).unwrap_or("")),
                        format!("is {job} running? `labtui status`; its /metrics must answer at {instance}"),
                    ),
                    _ => Check::warn(name, "not scraped yet", "wait one scrape interval (5s) and check again"),
                });
            }
        }
        Err(e) => checks.push(Check::fail(
            "prometheus targets",
            e,
            "see Prometheus' log under the lab's logs directory",
        )),
    }
    checks.push(
        match http::get_json(client, &format!("{url}/api/v1/query?query=up")).await {
            Ok(doc)
                if doc
                    .pointer("/data/result")
                    .and_then(|r| r.as_array())
                    .is_some_and(|a| !a.is_empty()) =>
            {
                Check::ok("prometheus has data", "`up` returns series")
            }
            Ok(_) => Check::warn(
                "prometheus has data",
                "the query `up` returns nothing yet",
                "wait one scrape interval (5s) and check again",
            ),
            Err(e) => Check::fail(
                "prometheus answers a query",
                e,
                "see Prometheus' log under the lab's logs directory",
            ),
        },
    );
    checks.push(
        match http::get_json(client, &format!("{url}/api/v1/rules")).await {
            Ok(doc) => {
                let groups = doc
                    .pointer("/data/groups")
                    .and_then(|g| g.as_array())
                    .map_or(0, Vec::len);
                if groups > 0 {
                    Check::ok("prometheus rules", format!("{groups} rule groups loaded"))
                } else {
                    Check::warn(
                        "prometheus rules",
                        "no rule groups loaded",
                        "check rule_files in the rendered prometheus.yml",
                    )
                }
            }
            Err(e) => Check::warn("prometheus rules", e, "see Prometheus' log"),
        },
    );
}
