//! Query commands as background tasks: PromQL runs, completion names, the Alerts tab's
//! fetches and silences. A newer request in the same slot aborts the older one, so a hung
//! Prometheus never piles up work and a stale answer never arrives.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;

use crate::lab::config::{Config, StackUrls};
use crate::lab::paths::Paths;
use crate::lab::query::alertmanager::NewSilence;
use crate::lab::query::endpoints::{self, Sources};
use crate::lab::query::history::History;
use crate::lab::query::loki::{Direction, LokiClient, tail};
use crate::lab::query::tempo::{TempoClient, is_metrics_query};
use crate::lab::query::{
    AlertmanagerClient, Backend, InstantSeries, PrometheusClient, QueryData, QueryError, QueryLang,
    QueryOutcome, QueryWindow,
};

use super::app::{Msg, QuerySlot, TailUpdate};
use super::panes::alerts::AlertsSnapshot;
use super::panes::query::complete::{Known, MetricInfo, attribute_names, attribute_values};
use super::panes::query::logs::is_log_query;

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
    loki: Arc<Mutex<Option<LokiClient>>>,
    tempo: Arc<Mutex<Option<TempoClient>>>,
    /// The running live tail's stop switch (one tail at a time).
    tail: Arc<Mutex<Option<CancellationToken>>>,
}

/// Lines a LogQL log query asks for: Loki's own default ceiling per query.
pub const LOG_LIMIT: u32 = 5_000;
/// Traces a TraceQL search asks for, and matched spans shown per trace.
pub const TRACE_LIMIT: u32 = 50;
pub const SPANS_PER_SET: u32 = 5;
/// How far back an instant TraceQL search or a log query at an instant looks.
const INSTANT_LOOKBACK_S: f64 = 3600.0;

impl QueryEffects {
    pub fn new(paths: Paths, config: &Config) -> Self {
        Self {
            history_file: History::file(&paths.data_dir),
            paths,
            config_urls: config.stack.clone(),
            slots: Arc::default(),
            prometheus: Arc::default(),
            alertmanager: Arc::default(),
            loki: Arc::default(),
            tempo: Arc::default(),
            tail: Arc::default(),
        }
    }

    /// The backend's URL as `labtui query` finds it: the running lab, else
    /// `LABTUI_*_URL`, else config.toml. A lab without the backend says how to get one.
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
        .map_err(|e| no_endpoint(backend, e))
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

    /// The console asks Loki to keep structured metadata and parsed labels apart from the
    /// stream's own labels, so an expanded line shows where each label came from.
    fn loki(&self) -> Result<LokiClient, QueryError> {
        let url = self.url(Backend::Loki)?;
        cached(&self.loki, &url, LokiClient::base_url, |url| {
            LokiClient::new(url).map(|c| c.categorize_labels(true))
        })
    }

    fn tempo(&self) -> Result<TempoClient, QueryError> {
        let url = self.url(Backend::Tempo)?;
        cached(&self.tempo, &url, TempoClient::base_url, TempoClient::new)
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
                QueryLang::LogQL => this.run_logql(id, &expr, window).await,
                QueryLang::TraceQL => this.run_traceql(id, &expr, window).await,
            };
            let _ = tx.send(Msg::QueryFinished { id, result });
        });
        self.supersede((lang, slot), task.abort_handle());
    }

    /// LogQL: log queries over a range (Loki has no instant log query), metric queries at
    /// an instant or over a range as asked.
    async fn run_logql(
        &self,
        id: u64,
        expr: &str,
        window: QueryWindow,
    ) -> Result<QueryOutcome, QueryError> {
        let client = self.loki()?;
        match window {
            QueryWindow::Range { start, end, step } => {
                let step = (!is_log_query(expr)).then_some(step);
                client
                    .query_range_with_id(id, expr, start, end, step, LOG_LIMIT, Direction::Backward)
                    .await
            }
            QueryWindow::Instant { time } if is_log_query(expr) => {
                let end = time.unwrap_or_else(now_seconds);
                client
                    .query_range_with_id(
                        id,
                        expr,
                        end - INSTANT_LOOKBACK_S,
                        end,
                        None,
                        LOG_LIMIT,
                        Direction::Backward,
                    )
                    .await
            }
            QueryWindow::Instant { time } => client.query_with_id(id, expr, time, LOG_LIMIT).await,
        }
    }

    /// TraceQL: a search, or a metrics query (`| rate()`…) charted over the range.
    async fn run_traceql(
        &self,
        id: u64,
        expr: &str,
        window: QueryWindow,
    ) -> Result<QueryOutcome, QueryError> {
        let client = self.tempo()?;
        let (start, end, step) = match window {
            QueryWindow::Range { start, end, step } => (start, end, step),
            QueryWindow::Instant { time } => {
                let end = time.unwrap_or_else(now_seconds);
                (end - INSTANT_LOOKBACK_S, end, 60.0)
            }
        };
        // Tempo takes whole seconds; round outwards so the window is never narrower.
        let (start, end) = (start.floor() as i64, end.ceil() as i64);
        if is_metrics_query(expr) {
            client
                .metrics_query_range_with_id(id, expr, start, end, step.max(1.0))
                .await
        } else {
            client
                .search_with_id(id, expr, start, end, TRACE_LIMIT, SPANS_PER_SET)
                .await
        }
    }

    /// A whole trace by id, for the waterfall.
    pub fn load_trace(&self, id: u64, trace_id: String, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        let task = tokio::spawn(async move {
            let result = match this.tempo() {
                Ok(client) => client.trace_with_id(id, &trace_id).await,
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::TraceLoaded { id, result });
        });
        self.supersede((QueryLang::TraceQL, QuerySlot::Trace), task.abort_handle());
    }

    pub fn load_exemplars(
        &self,
        id: u64,
        expr: String,
        (start, end): (f64, f64),
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = match this.prometheus() {
                Ok(client) => client.query_exemplars(&expr, Some(start), Some(end)).await,
                Err(e) => Err(e),
            };
            let _ = tx.send(Msg::ExemplarsLoaded { id, result });
        });
    }

    /// Tempo's service-graph edges, as the rates Prometheus holds for them.
    pub fn load_service_map(&self, id: u64, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = async {
                let client = this.prometheus()?;
                let window = QueryWindow::Instant { time: None };
                let (requests, failed) = tokio::join!(
                    client.query(SERVICE_GRAPH_REQUESTS, window),
                    client.query(SERVICE_GRAPH_FAILED, window)
                );
                Ok((vector(requests?), vector(failed?)))
            }
            .await;
            let _ = tx.send(Msg::ServiceMapLoaded { id, result });
        });
    }

    /// Loki's syntax check of a LogQL query, without running it.
    pub fn check_syntax(&self, lang: QueryLang, expr: String, tx: mpsc::UnboundedSender<Msg>) {
        if lang != QueryLang::LogQL {
            return;
        }
        let this = self.clone();
        let task = tokio::spawn(async move {
            let result = match this.loki() {
                Ok(client) => match client.format_query(&expr).await {
                    Ok(_) => Ok(()),
                    Err(QueryError::Server { message, .. }) => Err(message),
                    // No Loki to ask: say nothing rather than mark the query wrong.
                    Err(_) => return,
                },
                Err(_) => return,
            };
            let _ = tx.send(Msg::SyntaxChecked { lang, expr, result });
        });
        self.supersede((QueryLang::LogQL, QuerySlot::Check), task.abort_handle());
    }

    /// Streams a LogQL query's new lines until [`Self::stop_tail`]; starts from now.
    pub fn start_tail(&self, id: u64, expr: String, tx: mpsc::UnboundedSender<Msg>) {
        self.stop_tail();
        let cancel = CancellationToken::new();
        *self.tail.lock().unwrap_or_else(|e| e.into_inner()) = Some(cancel.clone());
        let this = self.clone();
        tokio::spawn(async move {
            let url = match this.url(Backend::Loki) {
                Ok(url) => url,
                Err(e) => {
                    let _ = tx.send(Msg::Tailed {
                        id,
                        update: TailUpdate::Ended(e.to_string()),
                    });
                    return;
                }
            };
            let (events_tx, mut events) = mpsc::channel(64);
            let forward = {
                let tx = tx.clone();
                async move {
                    while let Some(event) = events.recv().await {
                        let update = match event {
                            tail::TailEvent::Connected => TailUpdate::Connected,
                            tail::TailEvent::Frame(frame) => TailUpdate::Frame(frame),
                            tail::TailEvent::Reconnecting { error, attempt } => {
                                TailUpdate::Reconnecting { error, attempt }
                            }
                        };
                        if tx.send(Msg::Tailed { id, update }).is_err() {
                            break;
                        }
                    }
                }
            };
            let start_ns = (now_seconds() * 1e9) as i64;
            let (ended, ()) = tokio::join!(
                tail::tail(&url, &expr, TAIL_LIMIT, start_ns, cancel, events_tx),
                forward
            );
            if let Err(e) = ended {
                let _ = tx.send(Msg::Tailed {
                    id,
                    update: TailUpdate::Ended(e.to_string()),
                });
            }
        });
    }

    pub fn stop_tail(&self) {
        if let Some(cancel) = self.tail.lock().unwrap_or_else(|e| e.into_inner()).take() {
            cancel.cancel();
        }
    }

    fn supersede(&self, key: SlotKey, task: AbortHandle) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(older) = slots.insert(key, task) {
            older.abort();
        }
    }

    /// A language's names for completion: metric names with type and help and label
    /// names from Prometheus, label names from Loki, scoped attribute names from Tempo.
    pub fn load_names(&self, lang: QueryLang, tx: mpsc::UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = match lang {
                QueryLang::PromQL => this.promql_names().await,
                QueryLang::LogQL => {
                    async {
                        Ok(Known {
                            label_names: this.loki()?.labels(None, None).await?,
                            ..Known::default()
                        })
                    }
                    .await
                }
                QueryLang::TraceQL => {
                    async {
                        let scopes = this.tempo()?.search_tags_v2().await?;
                        Ok(Known {
                            label_names: attribute_names(&scopes),
                            ..Known::default()
                        })
                    }
                    .await
                }
            }
            .map_err(|e: QueryError| e.to_string());
            let _ = tx.send(Msg::NamesLoaded { lang, result });
        });
    }

    async fn promql_names(&self) -> Result<Known, QueryError> {
        let client = self.prometheus()?;
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
        Ok(Known {
            metrics,
            label_names: labels?,
            label_values: BTreeMap::new(),
        })
    }

    /// The values of a label (Prometheus, Loki) or of a scoped attribute (Tempo, as
    /// TraceQL literals: strings quoted).
    pub fn load_label_values(
        &self,
        lang: QueryLang,
        label: String,
        tx: mpsc::UnboundedSender<Msg>,
    ) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = async {
                match lang {
                    QueryLang::PromQL => this.prometheus()?.label_values(&label).await,
                    QueryLang::LogQL => this.loki()?.label_values(&label, None, None).await,
                    QueryLang::TraceQL => {
                        let values = this.tempo()?.tag_values_v2(&label, None).await?;
                        Ok(attribute_values(&values))
                    }
                }
            }
            .await
            .map_err(|e| e.to_string());
            let _ = tx.send(Msg::LabelValuesLoaded {
                lang,
                label,
                result,
            });
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

/// Lines the first frame of a tail may carry (Loki sends that many from `start` on).
const TAIL_LIMIT: u32 = 100;

/// The service map's edges: request and failed-request rates Tempo's metrics generator
/// writes into Prometheus.
const SERVICE_GRAPH_REQUESTS: &str =
    "sum by (client, server) (rate(traces_service_graph_request_total[5m]))";
const SERVICE_GRAPH_FAILED: &str =
    "sum by (client, server) (rate(traces_service_graph_request_failed_total[5m]))";

fn vector(outcome: QueryOutcome) -> Vec<InstantSeries> {
    match outcome.data {
        QueryData::Vector(v) => v,
        _ => Vec::new(),
    }
}

fn now_seconds() -> f64 {
    chrono::Utc::now().timestamp_millis() as f64 / 1000.0
}

/// Why there is no URL, as the pane shows it: a running lab without the backend says
/// only that and how to get it; otherwise there is nothing to reach.
fn no_endpoint(backend: Backend, e: endpoints::EndpointError) -> QueryError {
    match e {
        endpoints::EndpointError::NotInLab { how, .. } => QueryError::NotInLab {
            component: backend.title().to_string(),
            how,
        },
        other => QueryError::Unreachable {
            backend: backend.title().to_string(),
            url: "(none)".into(),
            message: other.to_string(),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lab_without_loki_says_so_once_with_how_to_get_it() {
        let e = endpoints::EndpointError::NotInLab {
            backend: Backend::Loki,
            how: "download loki; then `labtui down` and `labtui up`".into(),
        };
        let err = no_endpoint(Backend::Loki, e);
        assert_eq!(
            err.to_string(),
            "this lab has no Loki: download loki; then `labtui down` and `labtui up`"
        );
        assert_eq!(err.exit_code(), 2);

        let missing = endpoints::EndpointError::Missing {
            backend: Backend::Tempo,
        };
        assert!(matches!(
            no_endpoint(Backend::Tempo, missing),
            QueryError::Unreachable { .. }
        ));
    }
}
