//! The faults side of `update`: inject and clear with confirmation, and their results.

use crate::lab::faults::{self, ActiveFault};

use super::super::fault_params::confirm_question;
use super::super::faults_pane::FaultsOutcome;
use super::super::keymap::Action;
use super::{App, Cmd, Confirm, Focus, Msg};

impl App {
    pub(super) fn on_faults(&mut self, action: Action) -> Option<Vec<Cmd>> {
        let outcome = self.faults.handle(action, faults::catalogue());
        self.on_faults_outcome(outcome)
    }

    /// A key while the parameter editor is open (it takes every key, like a filter).
    pub(super) fn on_fault_params(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
    ) -> Vec<Cmd> {
        let outcome = self
            .faults
            .handle_editor(action, typed, faults::catalogue());
        self.on_faults_outcome(outcome).unwrap_or_default()
    }

    fn on_faults_outcome(&mut self, outcome: FaultsOutcome) -> Option<Vec<Cmd>> {
        match outcome {
            FaultsOutcome::Ignored => None,
            FaultsOutcome::Handled => Some(Vec::new()),
            FaultsOutcome::Back => {
                self.focus = Focus::Navigator;
                Some(Vec::new())
            }
            FaultsOutcome::Inject(request) => {
                self.confirm = Some(Confirm {
                    question: confirm_question(&request, faults::catalogue()),
                    on_yes: vec![Cmd::InjectFault(request)],
                });
                Some(Vec::new())
            }
            FaultsOutcome::NoParams(name) => {
                self.notify(format!("{name} has no parameters; Enter injects it"));
                Some(Vec::new())
            }
            FaultsOutcome::Clear(name) => {
                let what = name.clone().unwrap_or_else(|| "every active fault".into());
                self.confirm = Some(Confirm {
                    question: format!("Clear {what}?"),
                    on_yes: vec![Cmd::ClearFaults(name)],
                });
                Some(Vec::new())
            }
        }
    }

    /// Results of fault effects.
    pub(super) fn on_faults_msg(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::FaultsPolled(Ok(active)) => {
                self.faults.active = active;
                self.faults.error = None;
            }
            Msg::FaultsPolled(Err(e)) => self.faults.error = Some(e),
            Msg::FaultInjected(result) => {
                self.faults.busy = None;
                match result {
                    Ok(fault) => {
                        self.notify(format!("injected {} into {}", fault.name, fault.target));
                        upsert(&mut self.faults.active, fault);
                    }
                    Err(e) => self.warn(format!("could not inject: {e}")),
                }
            }
            Msg::FaultsCleared(result) => {
                self.faults.busy = None;
                match result {
                    Ok(cleared) if cleared.is_empty() => self.notify("nothing to clear"),
                    Ok(cleared) => {
                        let names: Vec<&str> = cleared.iter().map(|f| f.name.as_str()).collect();
                        self.notify(format!("cleared {}", names.join(", ")));
                        self.faults
                            .active
                            .retain(|a| !cleared.iter().any(|c| c.id == a.id));
                    }
                    Err(e) => self.warn(format!("could not clear: {e}")),
                }
            }
            _ => {}
        }
        Vec::new()
    }
}

fn upsert(active: &mut Vec<ActiveFault>, fault: ActiveFault) {
    active.retain(|a| a.id != fault.id);
    active.push(fault);
}
