//! Dependency order of the spec's components (Kahn's algorithm) and cycle reporting.

use std::collections::{BTreeMap, BTreeSet};

use super::Component;
use super::validate::{Checked, Ctx};
use crate::lab::stack::error::StackError;

/// Kahn's algorithm, keeping spec order among components that are ready at the same time;
/// a cycle is reported with its members.
pub(super) fn topo_order(
    cx: &Ctx,
    components: Vec<Checked>,
    spans: &BTreeMap<String, usize>,
) -> Result<Vec<Component>, StackError> {
    let mut remaining: Vec<Component> = components.into_iter().map(|c| c.inner).collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::new();
    while !remaining.is_empty() {
        let next = remaining
            .iter()
            .position(|c| c.depends_on.iter().all(|d| placed.contains(d)));
        match next {
            Some(i) => {
                let c = remaining.remove(i);
                placed.insert(c.name.clone());
                ordered.push(c);
            }
            None => {
                let cycle = find_cycle(&remaining);
                let first = cycle.first().cloned().unwrap_or_default();
                let at = spans.get(&first).copied().unwrap_or(0);
                return Err(cx.err(
                    at,
                    format!("component `{first}`.depends_on"),
                    format!(
                        "dependency cycle: {}; remove one of these dependencies",
                        cycle.join(" -> ")
                    ),
                ));
            }
        }
    }
    Ok(ordered)
}

/// Follow unplaced dependencies from the first stuck component until a name repeats.
fn find_cycle(stuck: &[Component]) -> Vec<String> {
    let by_name: BTreeMap<&str, &Component> = stuck.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut path: Vec<String> = Vec::new();
    let mut current = stuck.first().map(|c| c.name.as_str());
    while let Some(name) = current {
        if let Some(pos) = path.iter().position(|p| p == name) {
            let mut cycle = path.split_off(pos);
            cycle.push(name.to_string());
            return cycle;
        }
        path.push(name.to_string());
        current = by_name
            .get(name)
            .and_then(|c| {
                c.depends_on
                    .iter()
                    .find(|d| by_name.contains_key(d.as_str()))
            })
            .map(String::as_str);
    }
    path
}
