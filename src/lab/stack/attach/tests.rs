//! Attach against a small HTTP server on loopback that answers like Prometheus does.

use std::collections::BTreeMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::lab::paths::Paths;
use crate::lab::stack::{CheckStatus, PlanOptions, Profile, StackSpec};

/// Serves `/-/ready` (200) and Prometheus' buildinfo (version 9.9.9); 404 otherwise.
async fn fake_prometheus() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&buf);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = match path.as_str() {
                    "/-/ready" => ("200 OK", "Prometheus Server is Ready.\n".to_string()),
                    "/api/v1/status/buildinfo" => (
                        "200 OK",
                        r#"{"status":"success","data":{"version":"9.9.9"}}"#.to_string(),
                    ),
                    _ => ("404 Not Found", "not found\n".to_string()),
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

fn closed_url() -> String {
    let port = crate::lab::stack::ports::free_ports(1).unwrap()[0];
    format!("http://127.0.0.1:{port}")
}

fn plan() -> Plan {
    let spec = StackSpec::builtin().unwrap();
    Plan::new(&spec, &PlanOptions::new(Profile::Core, RuntimeKind::Attach)).unwrap()
}

fn urls(prometheus: &str) -> StackUrls {
    StackUrls {
        prometheus: Some(prometheus.to_string()),
        ..StackUrls::default()
    }
}

async fn up_collect(rt: &AttachRuntime) -> (Result<UpReport, StackError>, Vec<UpEvent>) {
    let (tx, mut rx) = mpsc::channel(64);
    let plan = plan();
    let result = rt.up(&plan, tx).await;
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    (result, events)
}

#[test]
fn flags_win_over_the_environment_which_wins_over_the_config() {
    let flags = urls("http://flag:1/");
    let config = StackUrls {
        prometheus: Some("http://config:3".into()),
        loki: Some("http://config:4".into()),
        tempo: Some("http://config:5".into()),
        ..StackUrls::default()
    };
    let env = BTreeMap::from([
        ("LABTUI_PROMETHEUS_URL", "http://env:1"),
        ("LABTUI_LOKI_URL", "http://env:2"),
        ("LABTUI_TEMPO_URL", "  "),
    ]);
    let got = resolve_urls(&flags, |k| env.get(k).map(|v| (*v).to_string()), &config).unwrap();
    assert_eq!(got.prometheus.as_deref(), Some("http://flag:1"));
    assert_eq!(got.loki.as_deref(), Some("http://env:2"));
    assert_eq!(
        got.tempo.as_deref(),
        Some("http://config:5"),
        "blank env is unset"
    );
    assert_eq!(got.alertmanager, None);
}

#[test]
fn a_bad_url_names_where_it_came_from_and_how_to_write_it() {
    let err = resolve_urls(&urls("localhost:9090"), |_| None, &StackUrls::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("--prometheus-url: \"localhost:9090\" is not an http:// or https:// URL"),
        "{err}"
    );
    assert!(
        err.contains("write it like \"http://127.0.0.1:9090\""),
        "{err}"
    );

    let err = resolve_urls(
        &StackUrls::default(),
        |k| (k == "LABTUI_LOKI_URL").then(|| "http://:3100".to_string()),
        &StackUrls::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("LABTUI_LOKI_URL: \"http://:3100\" has no host"),
        "{err}"
    );
    assert_eq!(url_env("otel-collector"), "LABTUI_OTEL_COLLECTOR_URL");
}

#[tokio::test]
async fn up_checks_the_url_records_the_lab_and_down_only_forgets_it() {
    let home = tempfile::tempdir().unwrap();
    let dirs = LabDirs::new(&Paths::under(home.path()));
    let url = fake_prometheus().await;
    let rt = AttachRuntime::new(dirs.clone(), urls(&url));
    let (result, events) = up_collect(&rt).await;
    let report = result.unwrap();
    assert!(report.all_ready());
    assert_eq!(
        events[0],
        UpEvent::Planned {
            components: vec!["prometheus".into()]
        }
    );
    assert!(events.iter().any(|e| matches!(e, UpEvent::Ready { component, url: u, .. } if component == "prometheus" && *u == url)));
    let skipped: Vec<&str> = report
        .outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Skipped(SkipReason::NoUrl { .. })))
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(skipped, ["alertmanager", "loki", "tempo"]);

    let state = LabState::load(&dirs).unwrap().expect("state recorded");
    assert_eq!(state.runtime, RuntimeKind::Attach);
    assert_eq!(state.url("prometheus"), Some(url.as_str()));
    assert_eq!(
        recorded_urls(&state).prometheus.as_deref(),
        Some(url.as_str())
    );

    let rows = rt.status(&state).await;
    assert_eq!(rows[0].name, "prometheus");
    assert_eq!(rows[0].state, ComponentState::Ready);
    assert_eq!(rows[0].version.as_deref(), Some("9.9.9"));
    let loki = rows.iter().find(|r| r.name == "loki").unwrap();
    assert_eq!(loki.state, ComponentState::Unavailable);
    assert!(loki.detail.as_deref().unwrap().contains("--loki-url"));

    let err = rt
        .control(&state, "prometheus", ControlAction::Kill)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("attach: labtui does not manage this stack, so it cannot kill prometheus"),
        "{err}"
    );
    let err = rt
        .logs(&state, "prometheus", 10)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("attach: labtui does not manage this stack"),
        "{err}"
    );

    let checks = rt.doctor(&plan(), Some(&state)).await;
    let url_check = checks.iter().find(|c| c.name == "url prometheus").unwrap();
    assert_eq!(url_check.status, CheckStatus::Ok, "{url_check:?}");

    let report = rt.down(&state).await.unwrap();
    assert_eq!(report.removed, [dirs.state_file()]);
    assert!(report.stopped.is_empty() && report.killed.is_empty());
    assert_eq!(LabState::load(&dirs).unwrap(), None);
    // The stack itself is untouched.
    assert_eq!(rt.status(&state).await[0].state, ComponentState::Ready);
}

#[tokio::test]
async fn an_unreachable_url_fails_with_a_clear_message() {
    let home = tempfile::tempdir().unwrap();
    let dirs = LabDirs::new(&Paths::under(home.path()));
    let url = closed_url();
    let rt = AttachRuntime::new(dirs.clone(), urls(&url));
    let (result, events) = up_collect(&rt).await;
    let report = result.unwrap();
    assert!(!report.all_ready());
    let reason = events
        .iter()
        .find_map(|e| match e {
            UpEvent::Failed { component, reason } if component == "prometheus" => {
                Some(reason.clone())
            }
            _ => None,
        })
        .expect("a failed event");
    assert!(
        reason.starts_with(&format!(
            "{url}/-/ready did not answer (connection refused)"
        )),
        "{reason}"
    );
    assert!(reason.contains("--prometheus-url"), "{reason}");

    let state = LabState::load(&dirs).unwrap().unwrap();
    let row = &rt.status(&state).await[0];
    assert_eq!(row.state, ComponentState::Down);
    assert!(
        row.detail
            .as_deref()
            .unwrap()
            .contains("connection refused")
    );

    let checks = rt.doctor(&plan(), None).await;
    let check = checks.iter().find(|c| c.name == "url prometheus").unwrap();
    assert_eq!(check.status, CheckStatus::Fail);
    assert!(
        check
            .fix
            .as_deref()
            .unwrap()
            .contains("LABTUI_PROMETHEUS_URL")
    );
}

#[tokio::test]
async fn attach_needs_a_url_and_refuses_to_hide_a_running_lab() {
    let home = tempfile::tempdir().unwrap();
    let dirs = LabDirs::new(&Paths::under(home.path()));
    let rt = AttachRuntime::new(dirs.clone(), StackUrls::default());
    let err = up_collect(&rt).await.0.unwrap_err();
    assert!(matches!(err, StackError::NoAttachUrls));
    assert!(err.to_string().contains("--prometheus-url"));

    let mut native = LabState::empty(RuntimeKind::Native, Profile::Core);
    native.components.push(
        AttachRuntime::new(dirs.clone(), StackUrls::default()).record(
            plan().spec.component("prometheus").unwrap(),
            "http://127.0.0.1:9090",
        ),
    );
    native.save(&dirs).unwrap();
    let rt = AttachRuntime::new(dirs.clone(), urls(&closed_url()));
    let err = up_collect(&rt).await.0.unwrap_err().to_string();
    assert!(err.starts_with("a native lab started"), "{err}");
    assert!(err.contains("run `labtui down` first"), "{err}");
}
