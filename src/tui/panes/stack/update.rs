//! The Stack pane's side of `update`: lab polls, component actions, logs, traffic, alerts
//! and `up` progress, and what its keys ask for.

use std::time::Duration;

use crate::lab::stack::ControlAction;

use super::{LabView, LogView, StackOutcome, StackPane};
use crate::tui::app::{Cmd, LabSnapshot, Msg};
use crate::tui::keymap::{Action, Context};
use crate::tui::panes::Reply;

/// How often open logs are tailed.
const POLL_LOGS_EVERY: Duration = Duration::from_secs(1);
/// Log lines fetched per tail.
pub const LOG_TAIL: usize = 500;

impl StackPane {
    /// Results of lab effects that belong to this pane; any other message changes nothing.
    pub fn update(&mut self, msg: Msg) -> Reply {
        match msg {
            Msg::LabPolled { result, .. } => {
                self.on_polled(result);
                Reply::default()
            }
            Msg::ComponentControlled {
                component,
                action,
                result,
            } => {
                self.busy = None;
                let reply = match result {
                    Ok(()) => Reply::notify(format!("{component}: {} done", verb(action))),
                    Err(e) => Reply::warn(format!("{component}: {} failed: {e}", verb(action))),
                };
                reply.and_poll()
            }
            Msg::LogsLoaded { component, result } => {
                if let Some(logs) = &mut self.logs
                    && logs.component == component
                {
                    match result {
                        Ok(lines) => {
                            logs.lines = lines;
                            logs.error = None;
                        }
                        Err(e) => logs.error = Some(e),
                    }
                }
                Reply::default()
            }
            Msg::AlertsReceived(notification) => {
                self.on_notification(notification);
                Reply::default()
            }
            Msg::AlertsUnavailable(reason) => {
                self.alerts_note = Some(reason);
                Reply::default()
            }
            Msg::TrafficUpdated(result) => {
                let mut reply = Reply::default();
                match result {
                    Ok(status) => self.traffic = Some(status),
                    Err(e) => {
                        self.traffic = None;
                        if self.traffic_change_pending {
                            reply = Reply::warn(format!("traffic: {e}"));
                        }
                    }
                }
                self.traffic_change_pending = false;
                reply
            }
            Msg::LabUpChose(why) => {
                let up = self.up.get_or_insert_with(Default::default);
                up.lines.push(format!("runtime {why}"));
                Reply::default()
            }
            Msg::LabUpProgressed(event) => {
                self.on_up_event(&event);
                Reply::default()
            }
            Msg::LabUpFinished(result) => {
                if let Some(up) = &mut self.up {
                    up.done = true;
                }
                let reply = match result {
                    Ok(summary) => Reply::notify(summary),
                    Err(e) => Reply::warn(format!("the lab did not start: {e}")),
                };
                reply.and_poll()
            }
            _ => Reply::default(),
        }
    }

    /// The newest poll's result (the app has dropped older ones).
    fn on_polled(&mut self, result: Result<LabSnapshot, String>) {
        let view = match result {
            Ok(None) => {
                self.traffic = None;
                LabView::NotStarted
            }
            Ok(Some((runtime, components))) => LabView::Running {
                runtime,
                components,
            },
            Err(e) => LabView::Failed(e),
        };
        self.set_lab(view);
    }

    /// Time passing: tails the open logs when they are due.
    pub fn on_tick(&mut self, elapsed: Duration) -> Option<Cmd> {
        self.since_logs += elapsed;
        let logs = self.logs.as_ref()?;
        if self.since_logs < POLL_LOGS_EVERY {
            return None;
        }
        self.since_logs = Duration::ZERO;
        Some(Cmd::LoadLogs {
            component: logs.component.clone(),
            tail: LOG_TAIL,
        })
    }

    /// A confirmed command: shows what is on its way.
    pub fn confirmed(&mut self, cmd: &Cmd) {
        if let Cmd::ControlComponent { component, action } = cmd {
            self.busy = Some(format!("{} {component}…", progressive(*action)));
        }
    }

    /// A key in the component list or in open logs (`log_height` lines tall). `None` lets
    /// the next context take the key.
    pub fn on_action(
        &mut self,
        context: Context,
        action: Action,
        log_height: usize,
    ) -> Option<Reply> {
        let outcome = if context == Context::Logs {
            self.handle_logs(action, log_height)
        } else {
            self.handle(action)
        };
        match outcome {
            StackOutcome::Ignored => None,
            StackOutcome::Handled => Some(Reply::default()),
            StackOutcome::Back => Some(Reply::back()),
            StackOutcome::OpenLogs(component) => {
                self.logs = Some(LogView {
                    component: component.clone(),
                    follow: true,
                    ..LogView::default()
                });
                self.since_logs = Duration::ZERO;
                Some(Reply::cmds(vec![Cmd::LoadLogs {
                    component,
                    tail: LOG_TAIL,
                }]))
            }
            StackOutcome::Control(component, action) => {
                if self.busy.is_some() {
                    return Some(Reply::warn("wait for the current action to finish"));
                }
                let cmd = Cmd::ControlComponent {
                    component: component.clone(),
                    action,
                };
                if action == ControlAction::Start {
                    self.busy = Some(format!("{} {component}…", progressive(action)));
                    return Some(Reply::cmds(vec![cmd]));
                }
                // Stopping or restarting a backend interrupts the learner's data: ask first.
                Some(Reply::confirm(
                    format!("{} {component}?", capitalise(verb(action))),
                    vec![cmd],
                ))
            }
            StackOutcome::Traffic { rps, burst_seconds } => {
                self.traffic_change_pending = true;
                Some(Reply::cmds(vec![Cmd::SetTraffic { rps, burst_seconds }]))
            }
            StackOutcome::StartLab => {
                self.up = None;
                Some(Reply::confirm(
                    "Start the lab now? (the same as `labtui up`)",
                    vec![Cmd::StartLab],
                ))
            }
        }
    }
}

fn verb(action: ControlAction) -> &'static str {
    match action {
        ControlAction::Stop => "stop",
        ControlAction::Start => "start",
        ControlAction::Restart => "restart",
        ControlAction::Kill => "kill",
        ControlAction::Pause => "pause",
        ControlAction::Resume => "resume",
    }
}

fn progressive(action: ControlAction) -> &'static str {
    match action {
        ControlAction::Stop => "stopping",
        ControlAction::Start => "starting",
        ControlAction::Restart => "restarting",
        ControlAction::Kill => "killing",
        ControlAction::Pause => "pausing",
        ControlAction::Resume => "resuming",
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
