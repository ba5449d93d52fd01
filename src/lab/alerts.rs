//! Alertmanager's notifications, received the way an on-call engineer's pager would: the
//! lab routes every alert to a webhook on 127.0.0.1 that the console listens on.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// One alert inside a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// `firing` or `resolved`.
    pub status: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub summary: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    /// Alertmanager's id for the alert; the same alert firing then resolving keeps it.
    pub fingerprint: String,
}

impl Alert {
    pub fn is_firing(&self) -> bool {
        self.status == "firing"
    }

    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.get(name).map(String::as_str)
    }
}

/// One webhook delivery: a group of alerts (grouped by alertname and service in the lab).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub receiver: String,
    pub status: String,
    pub alerts: Vec<Alert>,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum AlertsError {
    #[error("not an Alertmanager webhook notification: {0}")]
    Payload(String),
    #[error(
        "the alert webhook URL {0} is not http://127.0.0.1:PORT/...; labtui only listens on loopback"
    )]
    NotLoopback(String),
    #[error(
        "could not listen for alerts on {addr}: {source}; another labtui console may already be receiving them"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

#[derive(Deserialize)]
struct WireNotification {
    #[serde(default)]
    receiver: String,
    status: String,
    alerts: Vec<WireAlert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAlert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    fingerprint: String,
}

/// Reads a webhook body (Alertmanager's version 4 payload).
pub fn parse(body: &[u8], received_at: DateTime<Utc>) -> Result<Notification, AlertsError> {
    let wire: WireNotification =
        serde_json::from_slice(body).map_err(|e| AlertsError::Payload(e.to_string()))?;
    let alerts = wire
        .alerts
        .into_iter()
        .map(|a| Alert {
            name: a.labels.get("alertname").cloned().unwrap_or_default(),
            summary: a.annotations.get("summary").cloned(),
            status: a.status,
            labels: a.labels,
            starts_at: a.starts_at,
            fingerprint: a.fingerprint,
        })
        .collect();
    Ok(Notification {
        receiver: wire.receiver,
        status: wire.status,
        alerts,
        received_at,
    })
}

/// The loopback address a webhook URL points at (`http://127.0.0.1:9099/alerts`).
pub fn listen_addr(webhook_url: &str) -> Result<SocketAddr, AlertsError> {
    let not_loopback = || AlertsError::NotLoopback(webhook_url.to_string());
    let rest = webhook_url
        .strip_prefix("http://")
        .ok_or_else(not_loopback)?;
    let host_port = rest.split('/').next().unwrap_or_default();
    let addr: SocketAddr = host_port.parse().map_err(|_| not_loopback())?;
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err(not_loopback())
    }
}

/// The largest notification body accepted: Alertmanager's notifications of a lab are a few
/// KiB; anything far larger is refused (413) before it is read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Receives notifications on `addr` until `cancel` fires, sending each one to `tx`.
/// Binding happens before this returns, so a busy port is an error the caller can show.
pub async fn listen(
    addr: SocketAddr,
    tx: mpsc::UnboundedSender<Notification>,
    cancel: CancellationToken,
) -> Result<tokio::task::JoinHandle<()>, AlertsError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| AlertsError::Bind { addr, source })?;
    let app = Router::new()
        .route("/alerts", post(receive))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(tx);
    Ok(tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::warn!("alert webhook stopped: {e}");
        }
    }))
}

async fn receive(
    State(tx): State<mpsc::UnboundedSender<Notification>>,
    body: axum::body::Bytes,
) -> StatusCode {
    match parse(&body, Utc::now()) {
        Ok(notification) => {
            let _ = tx.send(notification);
            StatusCode::OK
        }
        Err(e) => {
            tracing::warn!("{e}");
            StatusCode::BAD_REQUEST
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape Alertmanager 0.25 posts (fields it adds that labtui ignores included).
    const PAYLOAD: &str = r#"{
      "receiver": "labtui", "status": "firing", "version": "4",
      "groupKey": "{}:{alertname=\"HighErrorRate\", service=\"payments\"}",
      "truncatedAlerts": 0, "externalURL": "http://127.0.0.1:9093",
      "groupLabels": {"alertname": "HighErrorRate", "service": "payments"},
      "commonLabels": {}, "commonAnnotations": {},
      "alerts": [{
        "status": "firing",
        "labels": {"alertname": "HighErrorRate", "service": "payments", "severity": "page"},
        "annotations": {"summary": "payments fails 12% of requests"},
        "startsAt": "2026-11-25T08:30:00.000Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://127.0.0.1:9090/graph", "fingerprint": "c0ffee"
      }]
    }"#;

    #[test]
    fn parses_an_alertmanager_notification() {
        let n = parse(PAYLOAD.as_bytes(), Utc::now()).expect("parses");
        assert_eq!(n.status, "firing");
        let alert = &n.alerts[0];
        assert_eq!(alert.name, "HighErrorRate");
        assert_eq!(alert.label("service"), Some("payments"));
        assert_eq!(
            alert.summary.as_deref(),
            Some("payments fails 12% of requests")
        );
        assert_eq!(alert.fingerprint, "c0ffee");
        assert!(alert.is_firing());
        assert!(parse(b"{\"status\": 1}", Utc::now()).is_err());
    }

    #[test]
    fn only_loopback_urls_are_listened_on() {
        let addr = listen_addr("http://127.0.0.1:9099/alerts").expect("loopback");
        assert_eq!(addr.port(), 9099);
        assert!(listen_addr("http://0.0.0.0:9099/alerts").is_err());
        assert!(listen_addr("https://127.0.0.1:9099/alerts").is_err());
        assert!(listen_addr("http://host.docker.internal:9099/alerts").is_err());
    }

    #[tokio::test]
    async fn a_posted_notification_arrives_and_garbage_is_refused() {
        let port = crate::lab::stack::ports::free_ports(1).expect("port")[0];
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let server = listen(addr, tx, cancel.clone()).await.expect("listens");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        let url = format!("http://{addr}/alerts");
        let ok = client.post(&url).body(PAYLOAD).send().await.expect("post");
        assert_eq!(ok.status(), 200);
        let got = rx.recv().await.expect("a notification");
        assert_eq!(got.alerts[0].name, "HighErrorRate");
        let bad = client.post(&url).body("nope").send().await.expect("post");
        assert_eq!(bad.status(), 400);
        // A body past the limit is refused unread, and the receiver keeps working.
        let huge = vec![b'['; MAX_BODY_BYTES + 1];
        let big = client.post(&url).body(huge).send().await.expect("post");
        assert_eq!(big.status(), 413);
        let ok = client.post(&url).body(PAYLOAD).send().await.expect("post");
        assert_eq!(ok.status(), 200);
        assert!(rx.recv().await.is_some());
        // A second listener on the same port says why it cannot start.
        let (tx2, _rx2) = mpsc::unbounded_channel();
        let busy = listen(addr, tx2, CancellationToken::new()).await;
        assert!(matches!(busy, Err(AlertsError::Bind { .. })));
        cancel.cancel();
        server.await.expect("server stops");
    }
}
