//! The Faults pane's side of `update`: inject and clear with confirmation, and their results.

use crate::lab::faults::{self, ActiveFault};
use crate::tui::app::{Cmd, Msg};
use crate::tui::keymap::Action;
use crate::tui::panes::Reply;

use super::params::confirm_question;
use super::{FaultsOutcome, FaultsPane};

impl FaultsPane {
    /// A key in the pane; `None` lets the next context take it.
    pub fn on_action(&mut self, action: Action) -> Option<Reply> {
        let outcome = self.handle(action, faults::catalogue());
        self.on_outcome(outcome)
    }

    /// A key while the parameter editor is open (it takes every key, like a filter).
    pub fn on_params_key(&mut self, action: Option<Action>, typed: Option<char>) -> Reply {
        let outcome = self.handle_editor(action, typed, faults::catalogue());
        self.on_outcome(outcome).unwrap_or_default()
    }

    fn on_outcome(&mut self, outcome: FaultsOutcome) -> Option<Reply> {
        match outcome {
            FaultsOutcome::Ignored => None,
            FaultsOutcome::Handled => Some(Reply::default()),
            FaultsOutcome::Back => Some(Reply::back()),
            FaultsOutcome::Inject(request) => Some(Reply::confirm(
                confirm_question(&request, faults::catalogue()),
                vec![Cmd::InjectFault(request)],
            )),
            FaultsOutcome::NoParams(name) => Some(Reply::notify(format!(
                "{name} has no parameters; Enter injects it"
            ))),
            FaultsOutcome::Clear(name) => {
                let what = name.clone().unwrap_or_else(|| "every active fault".into());
                Some(Reply::confirm(
                    format!("Clear {what}?"),
                    vec![Cmd::ClearFaults(name)],
                ))
            }
        }
    }

    /// A confirmed command: shows what is on its way.
    pub fn confirmed(&mut self, cmd: &Cmd) {
        match cmd {
            Cmd::InjectFault(request) => {
                self.busy = Some(format!("injecting {}…", request.name));
                self.editor = None;
            }
            Cmd::ClearFaults(_) => self.busy = Some("clearing…".into()),
            _ => {}
        }
    }

    /// Results of fault effects; any other message changes nothing.
    pub fn update(&mut self, msg: Msg) -> Reply {
        match msg {
            Msg::FaultsPolled(Ok(active)) => {
                self.active = active;
                self.error = None;
                Reply::default()
            }
            Msg::FaultsPolled(Err(e)) => {
                self.error = Some(e);
                Reply::default()
            }
            Msg::FaultInjected(result) => {
                self.busy = None;
                match result {
                    Ok(fault) => {
                        let reply =
                            Reply::notify(format!("injected {} into {}", fault.name, fault.target));
                        upsert(&mut self.active, fault);
                        reply
                    }
                    Err(e) => Reply::warn(format!("could not inject: {e}")),
                }
            }
            Msg::FaultsCleared(result) => {
                self.busy = None;
                match result {
                    Ok(cleared) if cleared.is_empty() => Reply::notify("nothing to clear"),
                    Ok(cleared) => {
                        let names: Vec<&str> = cleared.iter().map(|f| f.name.as_str()).collect();
                        let reply = Reply::notify(format!("cleared {}", names.join(", ")));
                        self.active
                            .retain(|a| !cleared.iter().any(|c| c.id == a.id));
                        reply
                    }
                    Err(e) => Reply::warn(format!("could not clear: {e}")),
                }
            }
            _ => Reply::default(),
        }
    }
}

fn upsert(active: &mut Vec<ActiveFault>, fault: ActiveFault) {
    active.retain(|a| a.id != fault.id);
    active.push(fault);
}
