//! The lab commands the UI asks for, run as background tasks that answer with a `Msg`.
//! Nothing here is awaited on the input path; each call has a deadline.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::lab::config::Config;
use crate::lab::paths::Paths;
use crate::lab::shop::Service;
use crate::lab::shop::traffic::TrafficRequest;
use crate::lab::shop::traffic::control as traffic;
use crate::lab::stack::select::{self, Origin};
use crate::lab::stack::{
    ControlAction, LabDirs, LabState, NativeOptions, NativeRuntime, Outcome, Plan, PlanOptions,
    Profile, Runtime, StackSpec, UpEvent, attach,
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
}

impl LabContext {
    fn dirs(&self) -> LabDirs {
        LabDirs::new(&self.paths)
    }

    /// The runtime that started the recorded lab.
    async fn runtime_for(&self, state: &LabState) -> Result<Box<dyn Runtime>, String> {
        select::open(
            select::for_existing(state),
            self.dirs(),
            attach::recorded_urls(state),
            NativeOptions::default(),
        )
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
            let runtime = ctx.runtime_for(&state).await?;
            let components = runtime.status(&state).await;
            Ok::<LabSnapshot, String>(Some((state.runtime.to_string(), components)))
        })
        .await;
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
