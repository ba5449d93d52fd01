//! A typed client of Alertmanager's API v2: alerts and their groups, silences (list,
//! create, expire), receivers and status.
//!
//! Like the Prometheus client, every call has a timeout and a request id, and errors keep
//! Alertmanager's words.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::transport::{Body, ClientOptions, Transport};
use super::types::{Labels, QueryError};

/// The name errors use for this backend.
pub const BACKEND: &str = "Alertmanager";

/// Where an alert is: being notified (`active`), muted by a silence or an inhibition
/// (`suppressed`), or not yet routed (`unprocessed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Active,
    Suppressed,
    Unprocessed,
    #[serde(other)]
    Unknown,
}

/// Why an alert is or is not notified.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertStatus {
    pub state: AlertState,
    #[serde(default)]
    pub silenced_by: Vec<String>,
    #[serde(default)]
    pub inhibited_by: Vec<String>,
}

/// A receiver (a notification integration) by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receiver {
    pub name: String,
}

/// An alert as Alertmanager holds it, after Prometheus sent it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub fingerprint: String,
    #[serde(default)]
    pub receivers: Vec<Receiver>,
    pub status: AlertStatus,
    #[serde(rename = "generatorURL", default)]
    pub generator_url: Option<String>,
}

/// Alerts that route to one receiver with the same grouping labels: what one
/// notification carries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AlertGroup {
    #[serde(default)]
    pub labels: Labels,
    pub receiver: Receiver,
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

/// One condition of a silence: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub is_regex: bool,
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

impl Matcher {
    /// `name="value"`, the common case.
    pub fn equal(name: &str, value: &str) -> Self {
        Self {
            name: name.to_string(),
            value: value.to_string(),
            is_regex: false,
            is_equal: true,
        }
    }
}

/// Whether a silence mutes alerts now, will later, or no longer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceState {
    Active,
    Pending,
    Expired,
    #[serde(other)]
    Unknown,
}

/// A silence's state, wrapped as the API sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SilenceStatus {
    pub state: SilenceState,
}

/// A silence as Alertmanager stores it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub comment: String,
    pub status: SilenceStatus,
}

/// What creating a silence needs; Alertmanager requires a creator and a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSilence {
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

/// An alert to post (what Prometheus sends; the lab's tests and drills send their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    pub labels: Labels,
    #[serde(skip_serializing_if = "Labels::is_empty")]
    pub annotations: Labels,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(rename = "generatorURL", skip_serializing_if = "Option::is_none")]
    pub generator_url: Option<String>,
}

/// Which alerts to list: label matchers (`alertname="X"`, `severity=~"crit.*"`) and
/// whether to include each state (Alertmanager includes all by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub matchers: Vec<String>,
    pub active: Option<bool>,
    pub silenced: Option<bool>,
    pub inhibited: Option<bool>,
}

/// Alertmanager's build, as `labtui status` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VersionInfo {
    pub version: String,
    pub revision: String,
    pub branch: String,
    pub build_user: String,
    pub build_date: String,
    pub go_version: String,
}

/// Another Alertmanager of the same cluster (they share silences and deduplicate).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Peer {
    pub name: String,
    pub address: String,
}

/// The gossip cluster Alertmanagers form for high availability (`disabled` in the lab).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClusterStatus {
    pub status: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub peers: Vec<Peer>,
}

/// The configuration Alertmanager loaded, as YAML text, for lessons on routing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ConfigText {
    #[serde(default)]
    pub original: String,
}

/// Alertmanager's version, start time, cluster and the configuration it runs (YAML text).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub version_info: VersionInfo,
    /// When this Alertmanager started.
    pub uptime: DateTime<Utc>,
    pub cluster: ClusterStatus,
    #[serde(default)]
    pub config: ConfigText,
}

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

/// An Alertmanager reached at one base URL. Cheap to clone: clones share the connection
/// pool and the request id counter.
#[derive(Debug, Clone)]
pub struct AlertmanagerClient {
    transport: Transport,
}

impl AlertmanagerClient {
    /// A client with the default timeout ([`super::DEFAULT_TIMEOUT`]).
    pub fn new(base_url: &str) -> Result<Self, QueryError> {
        Self::with_options(base_url, &ClientOptions::default())
    }

    /// A client with other settings (the CLI's `--timeout`, the console's shorter one).
    pub fn with_options(base_url: &str, options: &ClientOptions) -> Result<Self, QueryError> {
        Ok(Self {
            transport: Transport::new(BACKEND, base_url, options)?,
        })
    }

    /// The base URL, without a trailing `/`, for messages.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// The alerts Alertmanager holds, filtered.
    pub async fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, QueryError> {
        let mut params: Vec<(String, String)> = filter
            .matchers
            .iter()
            .map(|m| ("filter".to_string(), m.clone()))
            .collect();
        for (name, value) in [
            ("active", filter.active),
            ("silenced", filter.silenced),
            ("inhibited", filter.inhibited),
        ] {
            if let Some(v) = value {
                params.push((name.to_string(), v.to_string()));
            }
        }
        self.fetch("/api/v2/alerts", params).await
    }

    /// Alerts as they are grouped for notification: group labels, receiver, alerts.
    pub async fn alert_groups(&self) -> Result<Vec<AlertGroup>, QueryError> {
        self.fetch("/api/v2/alerts/groups", Vec::new()).await
    }

    /// Every silence, expired ones included (Alertmanager keeps them for a while).
    pub async fn silences(&self) -> Result<Vec<Silence>, QueryError> {
        self.fetch("/api/v2/silences", Vec::new()).await
    }

    /// Create a silence; returns its id, which [`Self::expire_silence`] takes.
    pub async fn create_silence(&self, silence: &NewSilence) -> Result<String, QueryError> {
        let json = serde_json::to_string(silence).map_err(|e| {
            self.transport
                .decode_error(format!("could not encode: {e}"))
        })?;
        let id = self.transport.next_id();
        let answer = self
            .transport
            .post(id, "/api/v2/silences", Body::Json(json))
            .await?;
        let created: Created = self.decode(&answer.body)?;
        Ok(created.silence_id)
    }

    /// End a silence now; its alerts are notified again on the next evaluation.
    pub async fn expire_silence(&self, id: &str) -> Result<(), QueryError> {
        let path = format!("/api/v2/silence/{}", path_segment(id));
        self.transport
            .delete(self.transport.next_id(), &path)
            .await?;
        Ok(())
    }

    /// Post alerts directly (Alertmanager answers 200 with an empty body).
    pub async fn post_alerts(&self, alerts: &[PostableAlert]) -> Result<(), QueryError> {
        let json = serde_json::to_string(alerts).map_err(|e| {
            self.transport
                .decode_error(format!("could not encode: {e}"))
        })?;
        self.transport
            .post(self.transport.next_id(), "/api/v2/alerts", Body::Json(json))
            .await?;
        Ok(())
    }

    /// The names of the configured receivers.
    pub async fn receivers(&self) -> Result<Vec<String>, QueryError> {
        let receivers: Vec<Receiver> = self.fetch("/api/v2/receivers", Vec::new()).await?;
        Ok(receivers.into_iter().map(|r| r.name).collect())
    }

    /// Version, start time, cluster state and the running configuration.
    pub async fn status(&self) -> Result<Status, QueryError> {
        self.fetch("/api/v2/status", Vec::new()).await
    }

    async fn fetch<T: DeserializeOwned>(
        &self,
        path: &str,
        params: Vec<(String, String)>,
    ) -> Result<T, QueryError> {
        let id = self.transport.next_id();
        let answer = self.transport.get(id, path, Body::Params(params)).await?;
        self.decode(&answer.body)
    }

    fn decode<T: DeserializeOwned>(&self, body: &str) -> Result<T, QueryError> {
        decode(body).map_err(|e| self.transport.decode_error(e))
    }
}

/// An Alertmanager answer as `T`; the message says what did not fit.
pub fn decode<T: DeserializeOwned>(body: &str) -> Result<T, String> {
    serde_json::from_str(body).map_err(|e| e.to_string())
}

/// Silence ids are UUIDs; anything else is escaped so it cannot change the path.
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/real-api/alertmanager")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn alerts_with_state_receivers_and_times() {
        let alerts: Vec<Alert> = decode(&fixture("alerts.json")).unwrap();
        assert_eq!(alerts.len(), 2);
        let checkout = &alerts[0];
        assert_eq!(checkout.labels["alertname"], "CheckoutErrorRateHigh");
        assert_eq!(checkout.labels["service"], "checkout");
        assert_eq!(
            checkout.annotations["runbook_url"],
            "http://127.0.0.1/runbooks/checkout"
        );
        assert_eq!(checkout.status.state, AlertState::Active);
        assert!(checkout.status.silenced_by.is_empty());
        assert_eq!(
            checkout.receivers,
            [Receiver {
                name: "null".into()
            }]
        );
        assert_eq!(checkout.fingerprint, "ba538a1cbe8c2e75");
        assert_eq!(checkout.starts_at.to_rfc3339(), "2026-11-23T11:39:16+00:00");
        assert_eq!(alerts[1].labels["alertname"], "Watchdog");
        assert!(
            alerts[1]
                .generator_url
                .as_deref()
                .is_some_and(|u| u.contains("vector%281%29"))
        );

        let filtered: Vec<Alert> = decode(&fixture("alerts-filtered.json")).unwrap();
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered[0].labels["source"], "fixture-recorder");
    }

    #[test]
    fn alert_groups_with_receiver_and_labels() {
        let groups: Vec<AlertGroup> = decode(&fixture("alert-groups.json")).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].labels["alertname"], "CheckoutErrorRateHigh");
        assert_eq!(groups[0].receiver.name, "null");
        assert_eq!(groups[1].alerts[0].labels["env"], "peers-local");

        let shop: Vec<AlertGroup> = decode(&fixture("shop-alert-groups.json")).unwrap();
        assert_eq!(shop.len(), 3);
        assert!(shop.iter().all(|g| g.receiver.name == "labtui"));
        assert_eq!(
            shop.iter()
                .map(|g| g.labels["service"].as_str())
                .collect::<Vec<_>>(),
            ["inventory", "orders", "storefront"]
        );
        assert!(
            shop.iter()
                .all(|g| g.alerts.len() == 1 && g.alerts[0].status.state == AlertState::Active)
        );
        assert_eq!(
            shop[1].alerts[0].labels["alertname"],
            "SLOErrorBudgetBurnPage"
        );
    }

    #[test]
    fn status_receivers_and_the_empty_post_answer() {
        let status: Status = decode(&fixture("status.json")).unwrap();
        assert_eq!(status.version_info.version, "0.25.0");
        assert_eq!(status.version_info.go_version, "go1.19.8");
        assert_eq!(status.cluster.status, "disabled");
        assert!(status.cluster.peers.is_empty());
        assert_eq!(status.uptime.to_rfc3339(), "2026-11-23T11:31:34.019+00:00");
        assert!(
            status
                .config
                .original
                .starts_with("global:\n  resolve_timeout: 5m")
        );

        let receivers: Vec<Receiver> = decode(&fixture("receivers.json")).unwrap();
        assert_eq!(
            receivers,
            [Receiver {
                name: "null".into()
            }]
        );

        // POST /api/v2/alerts answers 200 with nothing: post_alerts reads no body.
        assert_eq!(fixture("post-alerts.txt"), "");
    }

    #[test]
    fn silences_and_missing_optional_fields() {
        let body = r#"[{"id":"6f1b","matchers":[{"name":"alertname","value":"Watchdog","isRegex":false}],
            "startsAt":"2026-11-23T11:31:36.500Z","endsAt":"2026-11-23T12:31:36.500Z",
            "createdBy":"labtui","comment":"quiet","status":{"state":"expired"}}]"#;
        let silences: Vec<Silence> = decode(body).unwrap();
        assert_eq!(silences[0].status.state, SilenceState::Expired);
        assert_eq!(
            silences[0].matchers[0],
            Matcher::equal("alertname", "Watchdog")
        );
        assert_eq!(silences[0].updated_at, None);

        let minimal = r#"[{"startsAt":"2026-11-23T11:31:36.500Z","endsAt":"2026-11-23T12:31:36.500Z",
            "status":{"state":"unprocessed"}}]"#;
        let alerts: Vec<Alert> = decode(minimal).unwrap();
        assert!(alerts[0].labels.is_empty() && alerts[0].receivers.is_empty());
        assert_eq!(alerts[0].status.state, AlertState::Unprocessed);
        assert_eq!(decode::<Vec<Alert>>("[]").unwrap(), []);
    }

    #[test]
    fn a_new_silence_is_written_as_alertmanager_reads_it() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let json = serde_json::to_value(NewSilence {
            matchers: vec![Matcher::equal("alertname", "Watchdog")],
            starts_at: at,
            ends_at: at + chrono::Duration::hours(1),
            created_by: "labtui".into(),
            comment: "drill".into(),
        })
        .unwrap();
        assert_eq!(json["matchers"][0]["isEqual"], true);
        assert_eq!(json["startsAt"], "2026-01-02T03:04:05Z");
        assert_eq!(json["createdBy"], "labtui");
        assert_eq!(path_segment("a/b"), "a%2Fb");
    }
}
