//! Query commands as background tasks: PromQL runs, completion names, the Alerts tab's
//! fetches and silences. A newer request in the same slot aborts the older one, so a hung
//! Prometheus never piles up work and a stale answer never arrives.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::lab::config::{Config, StackUrls};
use crate::lab::paths::Paths;
use crate::lab::query::alertmanager::NewSilence;
use crate::lab::query::endpoints::{self, Sources};
use crate::lab::query::history::History;
use crate::lab::query::{
    AlertmanagerClient, Backend, PrometheusClient, QueryError, QueryLang, QueryWindow,
};

use super::app::{Msg, QuerySlot};
use super::panes::alerts::AlertsSnapshot;
use super::panes::query::complete::{Known, MetricInfo};

/// What a superseding request replaces: the same language's same slot.
type SlotKey = (QueryLang, QuerySlot);

/// Clients by base URL (kept so connections are reused) and the running job of each slot.
#[derive(Debug, Clone)]
pub struct QueryEffects {
    paths: Paths,
    config_urls: StackUrls,
    history_file: std::path::PathBuf,
    slots: Arc<Mutex<HashMap<SlotKey, AbortHandle>>>,
    prometheus: Arc<Mutex<Option<PrometheusClient>>>,
    alertmanager: Arc<Mutex<Option<AlertmanagerClient>>>,
}

impl QueryEffects {
    pub fn new(paths: Paths, config: &Config) -> Self {
        Self {
            history_file: History::file(&paths.data_dir),
            paths,
            config_urls: config.stack.clone(),
            slots: Arc::default(),
            prometheus: Arc::default(),
            alertmanager: Arc::default(),
        }
    }

    /// The backend's URL as `labtui query` finds it: the running lab, else
    /// `LABTUI_*_URL`, else config.toml.
    fn url(&self, backend: Backend) -> Result<String, QueryError> {
        let config = self.config_urls.clone();
        let flags = StackUrls::default();
        endpoints::resolve(
            backend,
            Sources {
                paths: &self.paths,
                flags: &flags,
                env: |k: &str| std::env::var(k).ok(),
                config: move || Ok(config),
            },
        )
        .map(|e| e.url)
        .map_err(|e| QueryError::Unreachable {
            backend: backend.title().to_string(),
            url: "(none)".into(),
            message: e.to_string(),
        })
    }

    fn prometheus(&self) -> Result<PrometheusClient, QueryError> {
        let url = self.url(Backend::Prometheus)?;
        cached(
            &self.prometheus,
            &url,
            PrometheusClient::base_url,
            PrometheusClient::new,
        )
    }

    fn alertmanager(&self) -> Result<AlertmanagerClient, QueryError> {
        let url = self.url(Backend::Alertmanager)?;
        cached(
            &self.alertmanager,
            &url,
            AlertmanagerClient::base_url,
            AlertmanagerClient::new,
        )
    }

    /// Runs a query; an earlier one in the same slot is aborted.
    pub fn run(
        &self,
        id: u64,
        lang: QueryLang,
        expr: String,
        window: QueryWindow,
        slot: QuerySlot,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let this = self.clone();
        let task = tokio::spawn(async move {
            let result = match lang {
                QueryLang::PromQL => match this.prometheus() {
                    Ok(client) => client.query_with_id(id, &expr, window).await,
                    Err(e) => Err(e),
                },
                QueryLang::LogQL | QueryLang::TraceQL => Err(QueryError::Server {
                    status: 0,
                    error_type: None,
                    message: format!(
                        "running {lang} in the console is not available in this version; {} queries run in Grafana or with `curl` against {} meanwhile",
                        lang,
                        lang.backend()
                    ),
                }),
            };
            let _ = tx.send(Msg::QueryFinished { id, result });
        });
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(older) = slots.insert((lang, slot), task.abort_handle()) {
            older.abort();
        }
    }

    /// Metric names with type and help, and label names, for completion.
    pub fn load_names(&self, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = async {
                let client = this.prometheus()?;
                let (metadata, names, labels) = tokio::join!(
                    client.metadata(None),
                    client.label_values("__name__"),
                    client.labels()
                );
                let metadata = metadata.unwrap_or_default();
                let metrics = names?
                    .into_iter()
                    .map(|name| {
                        let about = metadata.get(&name).and_then(|m| m.first());
                        MetricInfo {
                            kind: about
                                .map(|m| format!("{:?}", m.kind).to_lowercase())
                                .unwrap_or_default(),
                            help: about.map(|m| m.help.clone()).unwrap_or_default(),
                            name,
                        }
                    })
                    .collect();
                Ok::<_, QueryError>(Known {
                    metrics,
                    label_names: labels?,
                    label_values: BTreeMap::new(),
                })
            }
            .await
            .map_err(|e| e.to_string());
            let _ = tx.send(Msg::NamesLoaded(result));
        });
    }

    pub fn load_label_values(&self, label: String, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = match this.prometheus() {
                Ok(client) => client.label_values(&label).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Msg::LabelValuesLoaded { label, result });
        });
    }

    /// Rules from Prometheus, groups and silences from Alertmanager, side by side.
    pub fn load_alerts(&self, id: u64, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let rules = async { this.prometheus()?.rules().await };
            let groups = async { this.alertmanager()?.alert_groups().await };
            let silences = async { this.alertmanager()?.silences().await };
            let (rules, groups, silences) = tokio::join!(rules, groups, silences);
            let snapshot = AlertsSnapshot {
                rules: rules.map_err(|e| e.to_string()),
                groups: groups.map_err(|e| e.to_string()),
                silences: silences.map_err(|e| e.to_string()),
            };
            let _ = tx.send(Msg::AlertsLoaded { id, snapshot });
        });
    }

    pub fn create_silence(&self, silence: NewSilence, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = async { this.alertmanager()?.create_silence(&silence).await }
                .await
                .map(|id| format!("silence {id} created"))
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::SilenceChanged(result));
        });
    }

    pub fn expire_silence(&self, id: String, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = async { this.alertmanager()?.expire_silence(&id).await }
                .await
                .map(|()| format!("silence {id} expired"))
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::SilenceChanged(result));
        });
    }

    /// History is small: written off the input path, errors only logged.
    pub fn save_history(&self, history: History) {
        let path = self.history_file.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = history.save(&path) {
                tracing::warn!(path = %path.display(), error = %e, "could not save query history");
            }
        });
    }
}

/// The client kept in `slot` while its URL stays the same (its connections are reused),
/// else a new one for `url`.
fn cached<C: Clone>(
    slot: &Mutex<Option<C>>,
    url: &str,
    base_url: impl Fn(&C) -> &str,
    new: impl Fn(&str) -> Result<C, QueryError>,
) -> Result<C, QueryError> {
    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
    match &*slot {
        Some(client) if base_url(client) == url => Ok(client.clone()),
        _ => {
            let client = new(url)?;
            *slot = Some(client.clone());
            Ok(client)
        }
    }
}
