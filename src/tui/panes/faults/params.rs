//! The parameter editor of the Faults pane: one text row per catalogue parameter, checked
//! with the catalogue's own rules as the learner types, turned into an injection on Enter.

use std::collections::BTreeMap;

use crate::lab::faults::{Catalogue, FaultDef, InjectRequest, ParamValue};

use crate::tui::keymap::Action;

/// The values being typed for one fault at one target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParamEditor {
    /// The catalogue fault the rows belong to (its parameters, in order).
    pub fault: String,
    pub target: Option<String>,
    pub rows: Vec<ParamRow>,
    pub selected: usize,
}

/// One parameter: the text as typed and why the catalogue refuses it, if it does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamRow {
    pub name: String,
    pub value: String,
    pub error: Option<String>,
}

/// What a key did to the editor.
#[derive(Debug, Clone, PartialEq)]
pub enum EditOutcome {
    Handled,
    Ignored,
    Cancel,
    /// Every value is valid: inject this (after asking).
    Inject(InjectRequest),
}

impl ParamEditor {
    /// Every parameter at its default, the first one selected.
    pub fn new(fault: &FaultDef, target: Option<String>) -> Self {
        Self {
            fault: fault.name.clone(),
            target,
            rows: fault
                .params
                .iter()
                .map(|p| ParamRow {
                    name: p.name.clone(),
                    value: p.default.text(),
                    error: None,
                })
                .collect(),
            selected: 0,
        }
    }

    /// `fault` is the catalogue entry named by [`ParamEditor::fault`].
    pub fn handle(
        &mut self,
        action: Option<Action>,
        typed: Option<char>,
        fault: &FaultDef,
    ) -> EditOutcome {
        let last = self.rows.len().saturating_sub(1);
        match (action, typed) {
            (Some(Action::Down), _) => self.selected = (self.selected + 1).min(last),
            (Some(Action::Up), _) => self.selected = self.selected.saturating_sub(1),
            (Some(Action::CancelEdit), _) => return EditOutcome::Cancel,
            (Some(Action::InjectFault), _) => return self.submit(fault),
            (Some(Action::DeleteChar), _) => self.edit(fault, |v| {
                v.pop();
            }),
            (Some(Action::ClearValue), _) => self.edit(fault, String::clear),
            (None, Some(c)) if !c.is_control() => self.edit(fault, |v| v.push(c)),
            _ => return EditOutcome::Ignored,
        }
        EditOutcome::Handled
    }

    fn edit(&mut self, fault: &FaultDef, change: impl FnOnce(&mut String)) {
        if let Some(row) = self.rows.get_mut(self.selected) {
            change(&mut row.value);
            row.error = check(fault, row).err();
        }
    }

    /// Checks every row; the first bad one is selected and nothing is injected.
    fn submit(&mut self, fault: &FaultDef) -> EditOutcome {
        let mut params = BTreeMap::new();
        let mut first_bad = None;
        for (i, row) in self.rows.iter_mut().enumerate() {
            match check(fault, row) {
                Ok(value) => {
                    row.error = None;
                    let default = fault.params.iter().find(|p| p.name == row.name);
                    if default.is_none_or(|p| p.default != value) {
                        params.insert(row.name.clone(), value.text());
                    }
                }
                Err(e) => {
                    row.error = Some(e);
                    first_bad.get_or_insert(i);
                }
            }
        }
        if let Some(i) = first_bad {
            self.selected = i;
            return EditOutcome::Handled;
        }
        EditOutcome::Inject(InjectRequest {
            name: self.fault.clone(),
            target: self.target.clone(),
            params,
            ttl: None,
        })
    }
}

/// The row's value as the catalogue reads it, or the catalogue's message refusing it.
fn check(fault: &FaultDef, row: &ParamRow) -> Result<ParamValue, String> {
    let given = BTreeMap::from([(row.name.clone(), row.value.clone())]);
    let mut resolved = fault.resolve_params(&given).map_err(|e| e.to_string())?;
    resolved
        .remove(&row.name)
        .ok_or_else(|| format!("fault `{}` has no parameter `{}`", fault.name, row.name))
}

/// Every parameter an injection of `fault` with `given` would use, as `ms=900 route=""`.
/// `None` when the catalogue refuses `given`.
pub fn describe(fault: &FaultDef, given: &BTreeMap<String, String>) -> Option<String> {
    let resolved = fault.resolve_params(given).ok()?;
    let words: Vec<String> = fault
        .params
        .iter()
        .filter_map(|p| {
            let text = resolved.get(&p.name)?.text();
            Some(if text.is_empty() {
                format!("{}=\"\"", p.name)
            } else {
                format!("{}={text}", p.name)
            })
        })
        .collect();
    Some(words.join(" "))
}

/// The question asked before injecting: the fault, its target and every value it will use.
pub fn confirm_question(request: &InjectRequest, catalogue: &Catalogue) -> String {
    let target = request.target.as_deref().unwrap_or("its default target");
    let head = format!("Inject {} into {target}", request.name);
    let Ok(fault) = catalogue.get(&request.name) else {
        return format!("{head}?");
    };
    match describe(fault, &request.params) {
        _ if fault.params.is_empty() => format!("{head} for its TTL?"),
        Some(values) if request.params.is_empty() => {
            format!("{head} with the defaults ({values}) for its TTL?")
        }
        Some(values) => format!("{head} with {values} for its TTL?"),
        None => format!("{head}?"),
    }
}
