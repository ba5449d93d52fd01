//! The lab side of `update`: stack polls, component actions, logs, traffic, alerts.

use std::time::Duration;

use crate::lab::stack::ControlAction;

use super::super::keymap::{Action, Context};
use super::super::stack_pane::{LabView, LogView, StackOutcome};
use super::{App, Cmd, Confirm, Focus, LOG_TAIL, LabSnapshot, Msg, POLL_LAB_EVERY};

impl App {
    /// Results of lab effects (every `Msg` that is not input, time or progress).
    pub(super) fn on_lab_msg(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::LabPolled { id, result } => {
                self.on_lab_polled(id, result);
                Vec::new()
            }
            Msg::ComponentControlled {
                component,
                action,
                result,
            } => {
                self.stack.busy = None;
                match result {
                    Ok(()) => self.notify(format!("{component}: {} done", verb(action))),
                    Err(e) => self.warn(format!("{component}: {} failed: {e}", verb(action))),
                }
                self.poll_now()
            }
            Msg::LogsLoaded { component, result } => {
                if let Some(logs) = &mut self.stack.logs
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
                Vec::new()
            }
            Msg::AlertsReceived(notification) => {
                self.stack.on_notification(notification);
                Vec::new()
            }
            Msg::AlertsUnavailable(reason) => {
                self.stack.alerts_note = Some(reason);
                Vec::new()
            }
            Msg::TrafficUpdated(result) => {
                match result {
                    Ok(status) => self.stack.traffic = Some(status),
                    Err(e) => {
                        self.stack.traffic = None;
                        if self.stack.traffic_change_pending {
                            self.warn(format!("traffic: {e}"));
                        }
                    }
                }
                self.stack.traffic_change_pending = false;
                Vec::new()
            }
            Msg::LabUpChose(why) => {
                let up = self.stack.up.get_or_insert_with(Default::default);
                up.lines.push(format!("runtime {why}"));
                Vec::new()
            }
            Msg::LabUpProgressed(event) => {
                self.stack.on_up_event(&event);
                Vec::new()
            }
            Msg::LabUpFinished(result) => {
                if let Some(up) = &mut self.stack.up {
                    up.done = true;
                }
                match result {
                    Ok(summary) => self.notify(summary),
                    Err(e) => self.warn(format!("the lab did not start: {e}")),
                }
                self.poll_now()
            }
            other => self.on_faults_msg(other),
        }
    }

    fn on_lab_polled(&mut self, id: u64, result: Result<LabSnapshot, String>) {
        if id != self.next_poll_id {
            return; // an older poll finishing late
        }
        self.poll_in_flight = false;
        let view = match result {
            Ok(None) => {
                self.stack.traffic = None;
                LabView::NotStarted
            }
            Ok(Some((runtime, components))) => LabView::Running {
                runtime,
                components,
            },
            Err(e) => LabView::Failed(e),
        };
        self.stack.set_lab(view);
    }

    /// Polls at once (after an action), unless a poll is already on its way.
    pub(super) fn poll_now(&mut self) -> Vec<Cmd> {
        self.since_poll = POLL_LAB_EVERY;
        self.poll_if_due()
    }

    pub(super) fn poll_if_due(&mut self) -> Vec<Cmd> {
        if self.poll_in_flight || self.since_poll < POLL_LAB_EVERY {
            return Vec::new();
        }
        self.since_poll = Duration::ZERO;
        self.poll_in_flight = true;
        self.next_poll_id += 1;
        vec![Cmd::PollLab {
            id: self.next_poll_id,
        }]
    }

    pub(super) fn on_stack(&mut self, context: Context, action: Action) -> Option<Vec<Cmd>> {
        let height = self.areas().reader_height().saturating_sub(2);
        let outcome = if context == Context::Logs {
            self.stack.handle_logs(action, height)
        } else {
            self.stack.handle(action)
        };
        match outcome {
            StackOutcome::Ignored => None,
            StackOutcome::Handled => Some(Vec::new()),
            StackOutcome::Back => {
                self.focus = Focus::Navigator;
                Some(Vec::new())
            }
            StackOutcome::OpenLogs(component) => {
                self.stack.logs = Some(LogView {
                    component: component.clone(),
                    follow: true,
                    ..LogView::default()
                });
                self.since_logs = Duration::ZERO;
                Some(vec![Cmd::LoadLogs {
                    component,
                    tail: LOG_TAIL,
                }])
            }
            StackOutcome::Control(component, action) => {
                if self.stack.busy.is_some() {
                    self.warn("wait for the current action to finish");
                    return Some(Vec::new());
                }
                let cmd = Cmd::ControlComponent {
                    component: component.clone(),
                    action,
                };
                if action == ControlAction::Start {
                    self.stack.busy = Some(format!("{} {component}…", progressive(action)));
                    return Some(vec![cmd]);
                }
                // Stopping or restarting a backend interrupts the learner's data: ask first.
                self.confirm = Some(Confirm {
                    question: format!("{} {component}?", capitalise(verb(action))),
                    on_yes: vec![cmd],
                });
                Some(Vec::new())
            }
            StackOutcome::Traffic { rps, burst_seconds } => {
                self.stack.traffic_change_pending = true;
                Some(vec![Cmd::SetTraffic { rps, burst_seconds }])
            }
            StackOutcome::StartLab => {
                self.confirm = Some(Confirm {
                    question: "Start the lab now? (the same as `labtui up`)".into(),
                    on_yes: vec![Cmd::StartLab],
                });
                self.stack.up = None;
                Some(Vec::new())
            }
        }
    }
}

pub(super) fn verb(action: ControlAction) -> &'static str {
    match action {
        ControlAction::Stop => "stop",
        ControlAction::Start => "start",
        ControlAction::Restart => "restart",
        ControlAction::Kill => "kill",
        ControlAction::Pause => "pause",
        ControlAction::Resume => "resume",
    }
}

pub(super) fn progressive(action: ControlAction) -> &'static str {
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
