//! What every runtime's `status` shares: a recorded component's readiness and version,
//! and the rows of the components a lab skipped.

use super::http;
use super::state::{ComponentRecord, LabState};
use super::types::{ComponentState, ComponentStatus};

/// A component's answer to its readiness URL, asked fresh each time (nothing is cached,
/// so a component killed a moment ago shows as not ready at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Its readiness URL answered 2xx; the version is read from its build-info API.
    Ready { version: Option<String> },
    /// Its readiness URL did not answer 2xx: the short reason (`connection refused`, `HTTP 503`).
    NotReady(String),
}

/// Probe `record`'s readiness URL and, when ready, its version.
pub async fn check(client: &reqwest::Client, record: &ComponentRecord) -> Health {
    match http::probe(client, &record.ready_url).await {
        Ok(()) => {
            let version = match &record.version {
                Some(probe) => http::version(client, &record.url, probe).await,
                None => None,
            };
            Health::Ready { version }
        }
        Err(reason) => Health::NotReady(reason),
    }
}

/// Finish the row of a running, not paused component: ready (with its version) when its
/// readiness URL answers 2xx, else starting with the reason.
pub(crate) async fn probe_row(
    client: Option<&reqwest::Client>,
    record: &ComponentRecord,
    row: &mut ComponentStatus,
) {
    let Some(client) = client else {
        row.state = ComponentState::Starting;
        row.detail = Some("could not probe it (no HTTP client)".to_string());
        return;
    };
    match check(client, record).await {
        Health::Ready { version } => {
            row.state = ComponentState::Ready;
            row.version = version;
        }
        Health::NotReady(reason) => {
            row.state = ComponentState::Starting;
            row.detail = Some(format!(
                "running but {} is not ready: {reason}",
                record.ready_url
            ));
        }
    }
}

/// One row per component the lab skipped (not installed, no URL, other runtime only).
pub fn skipped_rows(state: &LabState) -> Vec<ComponentStatus> {
    state
        .skipped
        .iter()
        .map(|s| {
            let mut row = ComponentStatus::new(s.name.clone(), ComponentState::skipped(&s.reason));
            row.detail = Some(s.reason.to_string());
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::stack::spec::Profile;
    use crate::lab::stack::state::SkipReason;
    use crate::lab::stack::state::SkippedComponent;
    use crate::lab::stack::{RuntimeKind, StackError};

    #[test]
    fn skipped_components_get_a_state_and_the_reason() {
        let mut state = LabState::empty(RuntimeKind::Attach, Profile::Core);
        state.skipped = vec![
            SkippedComponent {
                name: "loki".into(),
                reason: SkipReason::MissingBinary {
                    tried: vec!["loki".into()],
                    install: "get it".into(),
                },
            },
            SkippedComponent {
                name: "tempo".into(),
                reason: SkipReason::NoUrl {
                    hint: "pass --tempo-url".into(),
                },
            },
        ];
        let rows = skipped_rows(&state);
        assert_eq!(rows[0].state, ComponentState::NotInstalled);
        assert_eq!(
            rows[0].detail.as_deref(),
            Some("not installed (looked for loki); get it")
        );
        assert_eq!(rows[1].state, ComponentState::Unavailable);
        assert_eq!(
            rows[1].detail.as_deref(),
            Some("no URL given; pass --tempo-url")
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_not_ready_with_a_short_reason() -> Result<(), StackError> {
        let port = crate::lab::stack::ports::free_ports(1)
            .map_err(|e| StackError::io("bind", "127.0.0.1", e))?[0];
        let record = ComponentRecord {
            name: "prometheus".into(),
            url: format!("http://127.0.0.1:{port}"),
            ready_url: format!("http://127.0.0.1:{port}/-/ready"),
            ports: Default::default(),
            version: None,
            ready_timeout_s: 1,
            started_at: chrono::Utc::now(),
            pid: None,
            start_ticks: None,
            binary: None,
            command: Vec::new(),
            env: Default::default(),
            workdir: None,
            log_file: None,
            container: None,
        };
        let client = http::client()?;
        assert_eq!(
            check(&client, &record).await,
            Health::NotReady("connection refused".into())
        );
        Ok(())
    }
}
