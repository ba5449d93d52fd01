//! The lab commands the UI asks for, run as background tasks that answer with a `Msg`.
//! Nothing here is awaited on the input path; each call has a deadline.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::lab::alerts;
use crate::lab::config::Config;
use crate::lab::faults::{self, InjectRequest};
use crate::lab::paths::Paths;
use crate::lab::shop::Service;
use crate::lab::shop::traffic::TrafficRequest;
use crate::lab::shop::traffic::control as traffic;
use crate::lab::stack::select::{self, Origin};
use crate::lab::stack::{
    ControlAction, LabDirs, LabState, NativeOptions, NativeRuntime, Outcome, Plan, PlanOptions,
    Profile, Runtime, RuntimeKind, StackSpec, UpEvent,
};

use super::app::{LabSnapshot, Msg};

const POLL_DEADLINE: Duration = Duration::from_secs(8);
const CONTROL_DEADLINE: Duration = Duration::from_secs(120);
const UP_DEADLINE: Duration = Duration::from_secs(600);

/// What the lab effects need to find and drive the lab.
#[derive(Debug, Clone)]
pub struct LabContext {
    pub paths: Paths,
    pub config: Config,
    /// The webhook URL the console is receiving Alertmanager's notifications on, if any.
    pub alerts: Arc<Mutex<Option<String>>>,
    /// Stops the webhook listener when the console quits.
    pub shutdown: CancellationToken,
}

impl LabContext {
    pub fn new(paths: Paths, config: Config) -> Self {
        Self {
            paths,
            config,
            alerts: Arc::default(),
            shutdown: CancellationToken::new(),
        }
    }
}

impl LabContext {
    /// Listens on the lab's alert webhook once per URL. Only a native lab's Alertmanager can
    /// reach the console (a container's 127.0.0.1 is its own; an attached stack pages others).
    async fn ensure_alert_listener(&self, state: &LabState, tx: &mpsc::UnboundedSender<Msg>) {
        if state.runtime != RuntimeKind::Native || state.webhook_url.is_empty() {
            return;
        }
        {
            let mut current = self.alerts.lock().unwrap_or_else(|e| e.into_inner());
            if current.as_deref() == Some(state.webhook_url.as_str()) {
                return;
            }
            // Claimed before binding so two polls never both try.
            *current = Some(state.webhook_url.clone());
        }
        let started = async {
            let addr = alerts::listen_addr(&state.webhook_url)?;
            let (ntx, mut nrx) = mpsc::unbounded_channel();
            alerts::listen(addr, ntx, self.shutdown.child_token()).await?;
            let tx = tx.clone();
            tokio::spawn(async move {
                while let Some(notification) = nrx.recv().await {
                    let _ = tx.send(Msg::AlertsReceived(notification));
                }
            });
            Ok::<(), alerts::AlertsError>(())
        }
        .await;
        if let Err(e) = started {
            let _ = tx.send(Msg::AlertsUnavailable(e.to_string()));
        }
    }

    fn dirs(&self) -> LabDirs {
        LabDirs::new(&self.paths)
    }

    /// The runtime that started the recorded lab.
    async fn runtime_for(&self, state: &LabState) -> Result<Box<dyn Runtime>, String> {
        select::open_existing(state, self.dirs())
            .await
            .map_err(|e| e.to_string())
    }

    async fn state(&self) -> Result<Option<LabState>, String> {
        let dirs = self.dirs();
        tokio::task::spawn_blocking(move || LabState::load(&dirs))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }

    async fn running(&self) -> Result<(LabState, Box<dyn Runtime>), String> {
        let state = self
            .state()
            .await?
            .ok_or_else(|| "no lab is running (start one with U or `labtui up`)".to_string())?;
        let runtime = self.runtime_for(&state).await?;
        Ok((state, runtime))
    }
}

async fn within<T>(
    deadline: Duration,
    what: &str,
    work: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::time::timeout(deadline, work)
        .await
        .unwrap_or_else(|_| Err(format!("{what} took longer than {}s", deadline.as_secs())))
}

pub fn poll(ctx: LabContext, id: u64, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let result = within(POLL_DEADLINE, "reading the lab status", async {
            let Some(state) = ctx.state().await? else {
                return Ok(None);
            };
            ctx.ensure_alert_listener(&state, &tx).await;
            let runtime = ctx.runtime_for(&state).await?;
            let components = runtime.status(&state).await;
            Ok::<LabSnapshot, String>(Some((state.runtime.to_string(), components)))
        })
        .await;
        if matches!(&result, Ok(Some(_))) {
            let active = faults::active(&ctx.dirs()).await.map_err(|e| e.to_string());
            let _ = tx.send(Msg::FaultsPolled(active));
        }
        let shop_running = matches!(&result, Ok(Some((_, rows))) if rows.iter().any(|r| r.name == Service::Traffic.component()));
        let _ = tx.send(Msg::LabPolled { id, result });
        if shop_running {
            let traffic = within(POLL_DEADLINE, "reading the traffic rate", async {
                traffic::status(&ctx.paths.data_dir)
                    .await
                    .map_err(|e| e.to_string())
            })
            .await;
            let _ = tx.send(Msg::TrafficUpdated(traffic));
        }
    });
}

pub fn inject(ctx: LabContext, request: InjectRequest, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let result = within(CONTROL_DEADLINE, "injecting the fault", async {
            faults::inject(&ctx.dirs(), request)
                .await
                .map_err(|e| e.to_string())
        })
        .await;
        let _ = tx.send(Msg::FaultInjected(result));
    });
}

pub fn clear_faults(ctx: LabContext, name: Option<String>, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let result = within(CONTROL_DEADLINE, "clearing faults", async {
            faults::clear(&ctx.dirs(), name.as_deref())
                .await
                .map_err(|e| e.to_string())
        })
        .await;
        let _ = tx.send(Msg::FaultsCleared(result));
    });
}

pub fn set_traffic(
    ctx: LabContext,
    rps: f64,
    burst_seconds: Option<u64>,
    tx: mpsc::UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let result = within(POLL_DEADLINE, "changing the traffic rate", async {
            traffic::set(&ctx.paths.data_dir, TrafficRequest { rps, burst_seconds })
                .await
                .map_err(|e| e.to_string())
        })
        .await;
        let _ = tx.send(Msg::TrafficUpdated(result));
    });
}

pub fn control(
    ctx: LabContext,
    component: String,
    action: ControlAction,
    tx: mpsc::UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let result = within(CONTROL_DEADLINE, "the action", async {
            let (state, runtime) = ctx.running().await?;
            runtime
                .control(&state, &component, action)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await;
        let _ = tx.send(Msg::ComponentControlled {
            component,
            action,
            result,
        });
    });
}

pub fn logs(ctx: LabContext, component: String, tail: usize, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let result = within(POLL_DEADLINE, "reading the logs", async {
            let (state, runtime) = ctx.running().await?;
            runtime
                .logs(&state, &component, tail)
                .await
                .map_err(|e| e.to_string())
        })
        .await;
        let _ = tx.send(Msg::LogsLoaded { component, result });
    });
}

/// Starts the lab like `labtui up` would, streaming each step back to the pane.
pub fn start(ctx: LabContext, tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let (events_tx, mut events_rx) = mpsc::channel::<UpEvent>(64);
        let forward = {
            let tx = tx.clone();
            tokio::spawn(async move {
                while let Some(event) = events_rx.recv().await {
                    let _ = tx.send(Msg::LabUpProgressed(event));
                }
            })
        };
        let result = within(UP_DEADLINE, "starting the lab", async {
            let spec = StackSpec::builtin().map_err(|e| e.to_string())?;
            // The same choice `labtui up` makes with no flags: config.toml's runtime, or auto.
            let native = NativeRuntime::new(ctx.dirs(), NativeOptions::default());
            let choice = select::choose(
                ctx.config.runtime,
                Origin::Config,
                &spec,
                Profile::Core,
                &native,
            )
            .await;
            let _ = tx.send(Msg::LabUpChose(choice.why.clone()));
            let plan = Plan::new(&spec, &PlanOptions::new(Profile::Core, choice.kind))
                .map_err(|e| e.to_string())?;
            let runtime = select::open(
                choice.kind,
                ctx.dirs(),
                ctx.config.stack.clone(),
                NativeOptions::default(),
            )
            .await
            .map_err(|e| e.to_string())?;
            let report = runtime
                .up(&plan, events_tx)
                .await
                .map_err(|e| e.to_string())?;
            // Faults a crashed labtui left behind are cleared on the next start, as `up` does.
            if let Err(e) = faults::clear_orphans(&ctx.dirs()).await {
                tracing::warn!("could not clear leftover faults: {e}");
            }
            Ok(summarise(&report.outcomes))
        })
        .await;
        let _ = forward.await;
        let _ = tx.send(Msg::LabUpFinished(result));
    });
}

fn summarise(outcomes: &[(String, Outcome)]) -> String {
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o)| f(o)).count();
    let ready = count(|o| matches!(o, Outcome::Ready { .. } | Outcome::AlreadyRunning));
    let skipped = count(|o| matches!(o, Outcome::Skipped(_)));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    format!("lab started: {ready} ready, {skipped} skipped, {failed} failed")
}
