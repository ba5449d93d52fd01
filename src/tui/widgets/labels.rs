//! Label sets as text: Prometheus' `name{a="b", c="d"}` form, the labels that tell series
//! apart, and truncation to a cell width.

use std::collections::BTreeSet;

use crate::lab::query::Labels;

/// A label set as Prometheus prints it, so what the learner reads can be pasted back into
/// a selector: `up{job="shop", service="payments"}`, `{}` when empty.
pub fn format_labels(labels: &Labels) -> String {
    let name = labels.get("__name__").map_or("", String::as_str);
    let pairs: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    if pairs.is_empty() && !name.is_empty() {
        return name.to_string();
    }
    format!("{name}{{{}}}", pairs.join(", "))
}

/// PromQL's quoting, then every character a terminal would act on made visible.
fn escape(v: &str) -> String {
    crate::lab::untrusted::escape(&v.replace('\\', r"\\").replace('"', "\\\"")).into_owned()
}

/// The label names whose values differ between the sets (missing counts as a value), in
/// name order: the ones worth showing when every series shares the rest.
pub fn varying_names<'a>(sets: impl IntoIterator<Item = &'a Labels> + Clone) -> Vec<String> {
    let names: BTreeSet<&String> = sets.clone().into_iter().flat_map(|l| l.keys()).collect();
    names
        .into_iter()
        .filter(|name| {
            let mut values = sets.clone().into_iter().map(|l| l.get(*name));
            let first = values.next().flatten();
            values.any(|v| v != first)
        })
        .cloned()
        .collect()
}

/// Only the named labels of a set.
pub fn pick(labels: &Labels, names: &[String]) -> Labels {
    names
        .iter()
        .filter_map(|n| labels.get(n).map(|v| (n.clone(), v.clone())))
        .collect()
}

pub(crate) use crate::tui::view::truncate;

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_sets_print_as_prometheus_selectors() {
        assert_eq!(format_labels(&Labels::new()), "{}");
        assert_eq!(
            format_labels(&labels(&[
                ("__name__", "up"),
                ("job", "shop"),
                ("a", "x\"y")
            ])),
            r#"up{a="x\"y", job="shop"}"#
        );
        assert_eq!(format_labels(&labels(&[("__name__", "up")])), "up");
    }

    #[test]
    fn varying_names_ignore_labels_every_set_shares() {
        let a = labels(&[("job", "shop"), ("service", "payments")]);
        let b = labels(&[("job", "shop"), ("service", "cart"), ("zone", "a")]);
        assert_eq!(varying_names([&a, &b]), ["service", "zone"]);
        assert!(varying_names([&a]).is_empty());
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("payments", 8), "payments");
        assert_eq!(truncate("payments", 5), "paym…");
        assert_eq!(truncate("payments", 0), "");
    }
}
