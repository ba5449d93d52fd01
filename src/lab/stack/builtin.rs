//! The shipped stack/ directory compiled into the binary, so `labtui up` works from anywhere.

/// stack/stack.toml.
pub(crate) const SPEC: &str = include_str!("../../../stack/stack.toml");

/// Every config file the shipped spec names, by its path under stack/.
const FILES: &[(&str, &str)] = &[
    (
        "prometheus.yml",
        include_str!("../../../stack/prometheus.yml"),
    ),
    (
        "rules/alerts.yml",
        include_str!("../../../stack/rules/alerts.yml"),
    ),
    (
        "alertmanager.yml",
        include_str!("../../../stack/alertmanager.yml"),
    ),
    ("loki.yaml", include_str!("../../../stack/loki.yaml")),
    ("tempo.yaml", include_str!("../../../stack/tempo.yaml")),
    (
        "otel-collector.yaml",
        include_str!("../../../stack/otel-collector.yaml"),
    ),
    (
        "grafana/provisioning/datasources/labtui.yaml",
        include_str!("../../../stack/grafana/provisioning/datasources/labtui.yaml"),
    ),
    (
        "grafana/provisioning/dashboards/labtui.yaml",
        include_str!("../../../stack/grafana/provisioning/dashboards/labtui.yaml"),
    ),
    (
        "grafana/dashboards/sli-slo.json",
        include_str!("../../../stack/grafana/dashboards/sli-slo.json"),
    ),
];

/// A compiled-in config file by its path under stack/.
pub(crate) fn file(src: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(name, _)| *name == src)
        .map(|(_, text)| *text)
}
