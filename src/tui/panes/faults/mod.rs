//! The Faults pane: the catalogue (what each fault does and how it shows), and the faults
//! active in the lab with their remaining time.

pub mod params;
mod params_view;
mod update;
mod view;

use crate::lab::faults::{ActiveFault, Catalogue, FaultDef, InjectRequest, TargetKind};
use crate::lab::shop::Service;
use crate::tui::keymap::Action;

use params::{EditOutcome, ParamEditor};

pub use view::draw;

/// The pane's state: which fault is selected, where it would go, what is active.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultsPane {
    pub selected: usize,
    /// Index into [`targets`] of the selected fault.
    pub target: usize,
    pub active: Vec<ActiveFault>,
    /// Why the active faults could not be read.
    pub error: Option<String>,
    /// An injection or clearing on its way.
    pub busy: Option<String>,
    /// The parameters being set for the selected fault (open until injected or cancelled).
    pub editor: Option<ParamEditor>,
}

/// What the pane asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultsOutcome {
    Handled,
    Ignored,
    Back,
    Inject(InjectRequest),
    /// Clear one fault by name, or all of them.
    Clear(Option<String>),
    /// The named fault has no parameters to set.
    NoParams(String),
}

/// Where a fault can be aimed, its default first.
pub fn targets(fault: &FaultDef) -> Vec<String> {
    let mut all: Vec<String> = if fault.target.allowed.is_empty() {
        match fault.target.kind {
            TargetKind::Service => Service::ALL
                .iter()
                .filter(|s| **s != Service::Traffic)
                .map(|s| s.as_str().to_string())
                .collect(),
            TargetKind::Edge | TargetKind::Component => Vec::new(),
        }
    } else {
        fault.target.allowed.clone()
    };
    all.retain(|t| *t != fault.target.default);
    all.insert(0, fault.target.default.clone());
    all
}

impl FaultsPane {
    pub fn selected_fault<'a>(&self, catalogue: &'a Catalogue) -> Option<&'a FaultDef> {
        catalogue.faults.get(self.selected)
    }

    pub fn selected_target(&self, catalogue: &Catalogue) -> Option<String> {
        let fault = self.selected_fault(catalogue)?;
        targets(fault).get(self.target).cloned()
    }

    pub fn handle(&mut self, action: Action, catalogue: &Catalogue) -> FaultsOutcome {
        let count = catalogue.faults.len();
        match action {
            Action::Down => self.select((self.selected + 1).min(count.saturating_sub(1))),
            Action::Up => self.select(self.selected.saturating_sub(1)),
            Action::Top => self.select(0),
            Action::Bottom => self.select(count.saturating_sub(1)),
            Action::NextTarget => {
                if let Some(fault) = self.selected_fault(catalogue) {
                    self.target = (self.target + 1) % targets(fault).len().max(1);
                }
            }
            Action::InjectFault => {
                let Some(fault) = self.selected_fault(catalogue) else {
                    return FaultsOutcome::Ignored;
                };
                return FaultsOutcome::Inject(InjectRequest {
                    name: fault.name.clone(),
                    target: self.selected_target(catalogue),
                    params: Default::default(),
                    ttl: None,
                });
            }
            Action::EditParams => {
                let Some(fault) = self.selected_fault(catalogue) else {
                    return FaultsOutcome::Ignored;
                };
                if fault.params.is_empty() {
                    return FaultsOutcome::NoParams(fault.name.clone());
                }
                self.editor = Some(ParamEditor::new(fault, self.selected_target(catalogue)));
            }
            Action::ClearFault => {
                let Some(fault) = self.selected_fault(catalogue) else {
                    return FaultsOutcome::Ignored;
                };
                if !self.active.iter().any(|a| a.name == fault.name) {
                    return FaultsOutcome::Ignored;
                }
                return FaultsOutcome::Clear(Some(fault.name.clone()));
            }
            Action::ClearAllFaults if !self.active.is_empty() => {
                return FaultsOutcome::Clear(None);
            }
            Action::Back => return FaultsOutcome::Back,
            _ => return FaultsOutcome::Ignored,
        }
        FaultsOutcome::Handled
    }

    /// A key while the parameter editor is open: `typed` is the character, if it is one.
    pub fn handle_editor(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        catalogue: &Catalogue,
    ) -> FaultsOutcome {
        let Some(editor) = &mut self.editor else {
            return FaultsOutcome::Ignored;
        };
        let Ok(fault) = catalogue.get(&editor.fault) else {
            self.editor = None;
            return FaultsOutcome::Handled;
        };
        match editor.handle(action, typed, fault) {
            EditOutcome::Handled => FaultsOutcome::Handled,
            EditOutcome::Ignored => FaultsOutcome::Ignored,
            EditOutcome::Cancel => {
                self.editor = None;
                FaultsOutcome::Handled
            }
            EditOutcome::Inject(request) => FaultsOutcome::Inject(request),
        }
    }

    fn select(&mut self, index: usize) {
        if index != self.selected {
            self.selected = index;
            self.target = 0;
        }
    }
}
