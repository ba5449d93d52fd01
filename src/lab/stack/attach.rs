//! The attach runtime: an existing stack (a team's, a class's on Kubernetes) reached by URL.
//!
//! labtui starts nothing there. `up` checks that each given URL answers and records a
//! [`LabState`] with the URLs (no pids, no ports, no webhook: labtui does not configure
//! that stack's Alertmanager); `status` asks each URL again. Stopping, pausing or reading
//! logs of that stack is for whoever runs it.
//!
//! The shop is labtui's own: its processes run on this machine beside the attached stack
//! (see `shop`), and status, control, logs and `down` treat them as the native runtime does.

use std::time::Instant;

use chrono::Utc;
use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;

use super::health::{self, Health};
use super::spec::Component;
use super::state::SkipReason;
use super::state::{ComponentRecord, LabDirs, LabState, PortMap, SkippedComponent};
use super::types::{Check, ComponentState, ComponentStatus, DownReport, Outcome};
use super::{
    ControlAction, Plan, Runtime, RuntimeKind, StackError, UpEvent, UpReport, http, verify,
};
use crate::lab::config::{self, StackUrls};
use crate::lab::shop::ShopLaunch;
use crate::lab::stack::native::{NativeOptions, NativeRuntime};

mod shop;
pub use shop::{OTLP_TRACES_ENV, scrape_job, telemetry};

/// The components an existing stack can be reached at, each with a URL setting.
pub const URL_COMPONENTS: [&str; 4] = ["prometheus", "alertmanager", "loki", "tempo"];

/// The command-line flag that gives `component`'s URL (`--prometheus-url`).
pub fn url_flag(component: &str) -> String {
    format!("--{component}-url")
}

/// The environment variable that gives `component`'s URL (`LABTUI_PROMETHEUS_URL`).
pub fn url_env(component: &str) -> String {
    format!(
        "LABTUI_{}_URL",
        component.to_ascii_uppercase().replace('-', "_")
    )
}

/// Every way to give `component`'s URL, for messages.
pub fn url_hint(component: &str) -> String {
    format!(
        "pass {}, set {}, or set `{component}` under [stack] in config.toml",
        url_flag(component),
        url_env(component)
    )
}

/// The URL set for `component`, if any.
pub fn url_of<'a>(urls: &'a StackUrls, component: &str) -> Option<&'a str> {
    match component {
        "prometheus" => urls.prometheus.as_deref(),
        "alertmanager" => urls.alertmanager.as_deref(),
        "loki" => urls.loki.as_deref(),
        "tempo" => urls.tempo.as_deref(),
        _ => None,
    }
}

fn slot<'a>(urls: &'a mut StackUrls, component: &str) -> Option<&'a mut Option<String>> {
    match component {
        "prometheus" => Some(&mut urls.prometheus),
        "alertmanager" => Some(&mut urls.alertmanager),
        "loki" => Some(&mut urls.loki),
        "tempo" => Some(&mut urls.tempo),
        _ => None,
    }
}

/// The URLs to attach to, per component the first set of: the flags, the environment
/// (`env` looks a variable up, e.g. `|k| std::env::var(k).ok()`), the config file's
/// [stack]. A flag or variable that is not a valid URL is an error naming it.
pub fn resolve_urls(
    flags: &StackUrls,
    env: impl Fn(&str) -> Option<String>,
    config: &StackUrls,
) -> Result<StackUrls, StackError> {
    let mut out = StackUrls::default();
    for component in URL_COMPONENTS {
        let from_env = env(&url_env(component)).filter(|v| !v.trim().is_empty());
        let (origin, raw) = if let Some(v) = url_of(flags, component) {
            (url_flag(component), v.to_string())
        } else if let Some(v) = from_env {
            (url_env(component), v)
        } else if let Some(v) = url_of(config, component) {
            (format!("[stack] {component} in config.toml"), v.to_string())
        } else {
            continue;
        };
        let checked = config::check_url(raw.trim())
            .map_err(|message| StackError::BadUrl { origin, message })?;
        if let Some(s) = slot(&mut out, component) {
            *s = Some(checked);
        }
    }
    Ok(out)
}

/// The URLs a lab recorded (to attach again to the same stack).
pub fn recorded_urls(state: &LabState) -> StackUrls {
    let mut urls = StackUrls::default();
    for record in &state.components {
        if let Some(s) = slot(&mut urls, &record.name) {
            *s = Some(record.url.clone());
        }
    }
    urls
}

/// Whether no component URL is set.
pub fn is_empty(urls: &StackUrls) -> bool {
    URL_COMPONENTS.iter().all(|c| url_of(urls, c).is_none())
}

/// Reaches an existing stack at `urls`; records its lab under `dirs`.
#[derive(Debug, Clone)]
pub struct AttachRuntime {
    dirs: LabDirs,
    urls: StackUrls,
    shop: Option<ShopLaunch>,
}

impl AttachRuntime {
    /// `urls` as [`resolve_urls`] returns them (already checked). The shop runs beside the
    /// stack when this process is the labtui binary ([`ShopLaunch::detect`]).
    pub fn new(dirs: LabDirs, urls: StackUrls) -> Self {
        Self {
            dirs,
            urls,
            shop: ShopLaunch::detect(),
        }
    }

    /// Run the shop from `shop`'s binary beside the stack, or not at all with None.
    pub fn with_shop(mut self, shop: Option<ShopLaunch>) -> Self {
        self.shop = shop;
        self
    }

    /// The shop's processes are managed as the native runtime manages its own.
    fn native(&self) -> NativeRuntime {
        NativeRuntime::new(self.dirs.clone(), NativeOptions::default()).with_shop(self.shop.clone())
    }

    /// The URLs `up` and `doctor` check (a recorded lab's own URLs are in its state).
    pub fn urls(&self) -> &StackUrls {
        &self.urls
    }

    fn record(&self, component: &Component, url: &str) -> ComponentRecord {
        ComponentRecord {
            name: component.name.clone(),
            url: url.to_string(),
            ready_url: format!("{url}{}", component.ready_path),
            ports: Default::default(),
            version: component.version.clone(),
            ready_timeout_s: component.ready_timeout.as_secs(),
            started_at: Utc::now(),
            pid: None,
            start_ticks: None,
            binary: None,
            command: Vec::new(),
            env: Default::default(),
            workdir: None,
            log_file: None,
            container: None,
        }
    }
}

async fn emit(events: &mpsc::Sender<UpEvent>, event: UpEvent) {
    // Nobody listening does not stop the check.
    let _ = events.send(event).await;
}

async fn up(
    rt: &AttachRuntime,
    plan: &Plan,
    events: mpsc::Sender<UpEvent>,
) -> Result<UpReport, StackError> {
    let planned = plan.planned();
    let given: Vec<(&Component, &str)> = planned
        .iter()
        .filter_map(|c| url_of(&rt.urls, &c.name).map(|u| (*c, u)))
        .collect();
    if given.is_empty() {
        return Err(StackError::NoAttachUrls);
    }
    let previous = match LabState::load(&rt.dirs) {
        Ok(Some(prev)) if prev.runtime != RuntimeKind::Attach && !prev.components.is_empty() => {
            return Err(StackError::OtherLab {
                runtime: prev.runtime.to_string(),
                started: prev.started_at.to_rfc3339(),
                dir: rt.dirs.root.clone(),
            });
        }
        Ok(prev) => prev,
        // A corrupt state was moved aside; attaching records a new one.
        Err(StackError::CorruptState { .. }) => None,
        Err(e) => return Err(e),
    };
    emit(
        &events,
        UpEvent::Planned {
            components: given.iter().map(|(c, _)| c.name.clone()).collect(),
        },
    )
    .await;
    let mut outcomes = Vec::new();
    let mut skipped = Vec::new();
    for component in planned
        .iter()
        .filter(|c| url_of(&rt.urls, &c.name).is_none())
    {
        let reason = if URL_COMPONENTS.contains(&component.name.as_str()) {
            SkipReason::NoUrl {
                hint: url_hint(&component.name),
            }
        } else {
            SkipReason::NotForRuntime {
                runtime: RuntimeKind::Attach.to_string(),
            }
        };
        emit(
            &events,
            UpEvent::Skipped {
                component: component.name.clone(),
                reason: reason.clone(),
            },
        )
        .await;
        outcomes.push((component.name.clone(), Outcome::Skipped(reason.clone())));
        skipped.push(SkippedComponent {
            name: component.name.clone(),
            reason,
        });
    }
    let records: Vec<ComponentRecord> = given.iter().map(|(c, u)| rt.record(c, u)).collect();
    for record in &records {
        emit(
            &events,
            UpEvent::WaitingReady {
                component: record.name.clone(),
                url: record.ready_url.clone(),
            },
        )
        .await;
    }
    let client = http::client()?;
    let results = futures::future::join_all(records.iter().map(|r| {
        let client = &client;
        async move {
            let started = Instant::now();
            http::probe(client, &r.ready_url)
                .await
                .map(|()| started.elapsed())
        }
    }))
    .await;
    for (record, result) in records.iter().zip(results) {
        let (event, outcome) = match result {
            Ok(took) => (
                UpEvent::Ready {
                    component: record.name.clone(),
                    url: record.url.clone(),
                    took,
                },
                Outcome::Ready { took },
            ),
            Err(reason) => {
                let reason = format!(
                    "{} did not answer ({reason}); check the URL ({}) and that this machine can reach the stack",
                    record.ready_url,
                    url_hint(&record.name)
                );
                (
                    UpEvent::Failed {
                        component: record.name.clone(),
                        reason: reason.clone(),
                    },
                    Outcome::Failed(reason),
                )
            }
        };
        emit(&events, event).await;
        outcomes.push((record.name.clone(), outcome));
    }
    let mut state = LabState {
        schema: 1,
        runtime: RuntimeKind::Attach,
        profile: plan.profile,
        started_at: Utc::now(),
        // The shop's ports: a later `up` keeps them.
        port_base: plan.port_base,
        ports: PortMap::new(),
        webhook_url: String::new(),
        components: records,
        skipped,
        docker_lab: None,
    };
    state.save(&rt.dirs)?;
    let order: Vec<&String> = plan.components.iter().collect();
    outcomes.sort_by_key(|(name, _)| order.iter().position(|n| *n == name));
    // A stack that does not answer at all is a wrong URL: start nothing beside it.
    if outcomes
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Ready { .. }))
    {
        outcomes.extend(shop::start(rt, plan, &mut state, previous.as_ref(), &events).await?);
    }
    Ok(UpReport { state, outcomes })
}

async fn status(rt: &AttachRuntime, state: &LabState) -> Vec<ComponentStatus> {
    let client = http::client().ok();
    let (ours, reached): (Vec<_>, Vec<_>) =
        state.components.iter().partition(|r| r.is_local_process());
    let processes = LabState {
        components: ours.into_iter().cloned().collect(),
        skipped: Vec::new(),
        ..state.clone()
    };
    let rows = futures::future::join_all(reached.into_iter().map(|record| {
        let client = client.as_ref();
        async move {
            let mut row = ComponentStatus::new(record.name.clone(), ComponentState::Down);
            row.url = Some(record.url.clone());
            let Some(client) = client else {
                row.detail = Some("could not probe it (no HTTP client)".to_string());
                return row;
            };
            match health::check(client, record).await {
                Health::Ready { version } => {
                    row.state = ComponentState::Ready;
                    row.version = version;
                }
                Health::NotReady(reason) => {
                    row.detail = Some(format!(
                        "{} does not answer ({reason}); labtui does not run this stack: check it where it runs",
                        record.ready_url
                    ));
                }
            }
            row
        }
    }))
    .await;
    let own_rows = if processes.components.is_empty() {
        Vec::new()
    } else {
        rt.native().status(&processes).await
    };
    rows.into_iter()
        .chain(own_rows)
        .chain(health::skipped_rows(state))
        .collect()
}

async fn doctor(rt: &AttachRuntime, plan: &Plan, state: Option<&LabState>) -> Vec<Check> {
    let mut checks = Vec::new();
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
    if is_empty(&rt.urls) {
        checks.push(Check::fail(
            "url",
            "no component URL is set",
            url_hint("prometheus"),
        ));
    }
    for component in URL_COMPONENTS {
        let Some(url) = url_of(&rt.urls, component) else {
            continue;
        };
        let name = format!("url {component}");
        let ready_path = plan
            .spec
            .component(component)
            .map_or("/", |c| c.ready_path.as_str());
        checks.push(
            match http::probe(&client, &format!("{url}{ready_path}")).await {
                Ok(()) => Check::ok(name, format!("{url} answers")),
                Err(reason) => Check::fail(
                    name,
                    format!("{url}{ready_path}: {reason}"),
                    format!(
                        "check the URL ({}) and that this machine reaches it (VPN, proxy, or `kubectl port-forward`)",
                        url_hint(component)
                    ),
                ),
            },
        );
    }
    if let Some(state) = state {
        checks.extend(verify::deployment(state).await);
        checks.extend(shop::scrape_check(state, &rt.dirs.shop_targets_file()).await);
    }
    checks
}

fn not_managed<T: Send + 'static>(
    action: &'static str,
    component: &str,
) -> BoxFuture<'static, Result<T, StackError>> {
    let err = StackError::NotManaged {
        action,
        component: component.to_string(),
    };
    async move { Err(err) }.boxed()
}

impl Runtime for AttachRuntime {
    fn kind(&self) -> RuntimeKind {
        RuntimeKind::Attach
    }

    fn up<'a>(
        &'a self,
        plan: &'a Plan,
        events: mpsc::Sender<UpEvent>,
    ) -> BoxFuture<'a, Result<UpReport, StackError>> {
        up(self, plan, events).boxed()
    }

    /// Stops the shop's processes and forgets the state; the attached stack is untouched.
    fn down<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Result<DownReport, StackError>> {
        async move { self.native().down(state).await }.boxed()
    }

    fn status<'a>(&'a self, state: &'a LabState) -> BoxFuture<'a, Vec<ComponentStatus>> {
        status(self, state).boxed()
    }

    fn control<'a>(
        &'a self,
        state: &'a LabState,
        component: &'a str,
        action: ControlAction,
    ) -> BoxFuture<'a, Result<LabState, StackError>> {
        if state
            .component(component)
            .is_some_and(ComponentRecord::is_local_process)
        {
            return async move { self.native().control(state, component, action).await }.boxed();
        }
        let verb = match action {
            ControlAction::Stop => "stop",
            ControlAction::Start => "start",
            ControlAction::Restart => "restart",
            ControlAction::Kill => "kill",
            ControlAction::Pause => "pause",
            ControlAction::Resume => "resume",
        };
        not_managed(verb, component)
    }

    fn logs<'a>(
        &'a self,
        state: &'a LabState,
        component: &'a str,
        tail: usize,
    ) -> BoxFuture<'a, Result<Vec<String>, StackError>> {
        if state
            .component(component)
            .is_some_and(ComponentRecord::is_local_process)
        {
            return async move { self.native().logs(state, component, tail).await }.boxed();
        }
        not_managed("read the logs of", component)
    }

    fn doctor<'a>(
        &'a self,
        plan: &'a Plan,
        state: Option<&'a LabState>,
    ) -> BoxFuture<'a, Vec<Check>> {
        doctor(self, plan, state).boxed()
    }
}

#[cfg(test)]
mod tests;
