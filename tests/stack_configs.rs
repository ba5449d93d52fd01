//! The shipped stack configs render completely and are valid: YAML/JSON parse, promtool and
//! amtool accept them, and every PromQL expression in rules and dashboards parses.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use labtui::lab::stack::template::leftover_placeholders;
use labtui::lab::stack::{Addressing, Plan, PlanOptions, Profile, RuntimeKind, StackSpec};

/// A tool from PATH; absent -> skip with a reason, unless LABTUI_REQUIRE_TOOLS=1.
fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("LABTUI_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{name} is required (LABTUI_REQUIRE_TOOLS=1) but not on PATH"
        );
        eprintln!(
            "skipping the {name} check: {name} is not on PATH (install prometheus / prometheus-alertmanager)"
        );
    }
    found
}

/// Render every config of every component of `present` into `root/<component>/`, the way
/// the given runtime addresses things. Returns (component, dest path, text).
fn render_all(
    runtime: RuntimeKind,
    present: &[&str],
    root: &Path,
) -> Vec<(String, PathBuf, String)> {
    let spec = StackSpec::builtin().unwrap();
    let plan = Plan::new(&spec, &PlanOptions::new(Profile::Full, runtime)).unwrap();
    let present: BTreeSet<String> = present.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    for component in spec.all().iter().filter(|c| present.contains(&c.name)) {
        let config_dir = root.join(&component.name);
        let docker = runtime == RuntimeKind::Docker;
        let listen = if docker { "0.0.0.0" } else { "127.0.0.1" };
        let host = |c: &str| {
            if docker {
                c.to_string()
            } else {
                "127.0.0.1".to_string()
            }
        };
        let addressing = Addressing {
            listen: listen.to_string(),
            host_of: &host,
            container_ports: runtime == RuntimeKind::Docker,
            config_dir: config_dir.display().to_string(),
            data_dir: config_dir.join("data").display().to_string(),
            bin_home: Some("/opt/x".to_string()),
        };
        let ctx = plan.render_context(component, &addressing, &present);
        for arg in component.args.iter().chain(component.env.values()) {
            ctx.render_line(arg)
                .unwrap_or_else(|e| panic!("{}: {arg}: {e:?}", component.name));
        }
        for cfg in &component.configs {
            let text = spec.config_text(&cfg.src).unwrap();
            let rendered = ctx
                .render(&text)
                .unwrap_or_else(|e| panic!("{}: {e:?}", cfg.src));
            let dest = config_dir.join(&cfg.dest);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::write(&dest, &rendered).unwrap();
            out.push((component.name.clone(), dest, rendered));
        }
    }
    out
}

const ALL: &[&str] = &[
    "prometheus",
    "alertmanager",
    "loki",
    "tempo",
    "node-exporter",
    "grafana",
    "otel-collector",
    "cadvisor",
];

#[test]
fn every_config_renders_without_placeholders_and_parses() {
    for runtime in [RuntimeKind::Native, RuntimeKind::Docker] {
        let dir = tempfile::tempdir().unwrap();
        let rendered = render_all(runtime, ALL, dir.path());
        assert_eq!(rendered.len(), 9, "every shipped config is rendered");
        for (component, path, text) in &rendered {
            let left = leftover_placeholders(text);
            assert!(
                left.is_empty(),
                "{component} {}: unreplaced {left:?}",
                path.display()
            );
            assert!(
                !text.lines().any(|l| l.trim_start().starts_with("# @")),
                "block marker left in {}",
                path.display()
            );
            match path.extension().and_then(|e| e.to_str()) {
                Some("json") => {
                    serde_json::from_str::<serde_json::Value>(text)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                }
                _ => {
                    serde_yaml::from_str::<serde_yaml::Value>(text)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                }
            }
        }
    }
}

fn yaml(rendered: &[(String, PathBuf, String)], file: &str) -> serde_yaml::Value {
    let (_, _, text) = rendered
        .iter()
        .find(|(_, p, _)| p.ends_with(file))
        .unwrap_or_else(|| panic!("{file} not rendered"));
    serde_yaml::from_str(text).unwrap()
}

#[test]
fn configs_wire_the_components_together() {
    let dir = tempfile::tempdir().unwrap();
    let rendered = render_all(RuntimeKind::Native, ALL, dir.path());

    let prom = yaml(&rendered, "prometheus.yml");
    assert_eq!(prom["global"]["scrape_interval"], "5s");
    let jobs: Vec<&str> = prom["scrape_configs"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|j| j["job_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        jobs,
        [
            "prometheus",
            "alertmanager",
            "loki",
            "tempo",
            "node-exporter",
            "grafana",
            "otel-collector",
            "cadvisor",
            "shop"
        ]
    );
    assert_eq!(
        prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0],
        "127.0.0.1:9093"
    );

    let am = yaml(&rendered, "alertmanager.yml");
    assert_eq!(
        am["receivers"][0]["webhook_configs"][0]["url"],
        "http://127.0.0.1:9099/alerts"
    );
    let group_by: Vec<&str> = am["route"]["group_by"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(group_by, ["alertname", "service"]);

    let loki = yaml(&rendered, "loki.yaml");
    assert_eq!(loki["auth_enabled"], false);
    assert_eq!(loki["analytics"]["reporting_enabled"], false);
    assert_eq!(loki["limits_config"]["allow_structured_metadata"], true);
    assert_eq!(loki["schema_config"]["configs"][0]["schema"], "v13");
    assert_eq!(loki["schema_config"]["configs"][0]["store"], "tsdb");
    assert_eq!(loki["server"]["http_listen_port"], 3100);
    assert_eq!(loki["server"]["grpc_listen_port"], 9096);
    // Ready in about 2s: neither the pattern ingester nor the querier waits.
    assert_eq!(
        loki["pattern_ingester"]["lifecycler"]["min_ready_duration"],
        "1s"
    );
    assert_eq!(
        loki["frontend_worker"]["frontend_address"],
        "127.0.0.1:9096"
    );
    assert!(
        loki["common"]["path_prefix"]
            .as_str()
            .unwrap()
            .starts_with(dir.path().to_str().unwrap())
    );

    let tempo = yaml(&rendered, "tempo.yaml");
    assert_eq!(tempo["usage_report"]["reporting_enabled"], false);
    assert_eq!(
        tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"],
        "127.0.0.1:4317"
    );
    assert_eq!(
        tempo["distributor"]["receivers"]["otlp"]["protocols"]["http"]["endpoint"],
        "127.0.0.1:4318"
    );
    assert_eq!(
        tempo["metrics_generator"]["storage"]["remote_write"][0]["url"],
        "http://127.0.0.1:9090/api/v1/write"
    );
    let processors: Vec<&str> = tempo["overrides"]["defaults"]["metrics_generator"]["processors"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(processors.contains(&"service-graphs") && processors.contains(&"span-metrics"));

    let ds = yaml(&rendered, "provisioning/datasources/labtui.yaml");
    let uids: Vec<&str> = ds["datasources"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|d| d["uid"].as_str().unwrap())
        .collect();
    assert_eq!(uids, ["prometheus", "loki", "tempo"]);
    assert_eq!(
        ds["datasources"][2]["jsonData"]["tracesToLogsV2"]["datasourceUid"],
        "loki"
    );
    assert_eq!(
        ds["datasources"][1]["jsonData"]["derivedFields"][0]["datasourceUid"],
        "tempo"
    );

    let otel = yaml(&rendered, "otel-collector.yaml");
    let processors: Vec<&str> = otel["service"]["pipelines"]["traces"]["processors"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(processors, ["memory_limiter", "batch"]);
    // On the host the collector listens beside Tempo's OTLP ports and forwards to them.
    assert_eq!(
        otel["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"],
        "127.0.0.1:14317"
    );
    assert_eq!(
        otel["exporters"]["otlp/tempo"]["endpoint"],
        "127.0.0.1:4317"
    );

    // In containers everything is addressed by container name and container port.
    let dir = tempfile::tempdir().unwrap();
    let rendered = render_all(RuntimeKind::Docker, ALL, dir.path());
    let otel = yaml(&rendered, "otel-collector.yaml");
    assert_eq!(
        otel["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"],
        "0.0.0.0:4317"
    );
    assert_eq!(otel["exporters"]["otlp/tempo"]["endpoint"], "tempo:4317");
    // Loki's querier dials its own frontend inside the container, on the port it listens on.
    let loki = yaml(&rendered, "loki.yaml");
    assert_eq!(
        loki["pattern_ingester"]["lifecycler"]["min_ready_duration"],
        "1s"
    );
    assert_eq!(loki["server"]["grpc_listen_address"], "0.0.0.0");
    assert_eq!(
        loki["frontend_worker"]["frontend_address"].as_str(),
        Some(
            format!(
                "127.0.0.1:{}",
                loki["server"]["grpc_listen_port"].as_u64().unwrap()
            )
            .as_str()
        )
    );
    let prom = yaml(&rendered, "prometheus.yml");
    assert_eq!(
        prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0],
        "alertmanager:9093"
    );
}

#[test]
fn absent_components_drop_out_of_prometheus_yml() {
    let dir = tempfile::tempdir().unwrap();
    let rendered = render_all(RuntimeKind::Native, &["prometheus"], dir.path());
    let prom = yaml(&rendered, "prometheus.yml");
    let jobs: Vec<&str> = prom["scrape_configs"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|j| j["job_name"].as_str().unwrap())
        .collect();
    assert_eq!(jobs, ["prometheus", "shop"]);
    assert!(prom.get("alerting").is_none());
}

#[test]
fn promtool_accepts_the_rendered_config_and_rules() {
    let Some(promtool) = tool("promtool") else {
        return;
    };
    for present in [ALL, &["prometheus", "alertmanager"][..]] {
        let dir = tempfile::tempdir().unwrap();
        render_all(RuntimeKind::Native, present, dir.path());
        let prom_dir = dir.path().join("prometheus");
        std::fs::create_dir_all(prom_dir.join("targets")).unwrap();
        std::fs::write(
            prom_dir.join("targets/shop.json"),
            r#"[{"targets": ["127.0.0.1:8081"], "labels": {"service": "orders"}}]"#,
        )
        .unwrap();
        let out = Command::new(&promtool)
            .arg("check")
            .arg("config")
            .arg(prom_dir.join("prometheus.yml"))
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "promtool check config failed:\n{text}"
        );
        assert!(
            text.contains("SUCCESS: 11 rules found"),
            "rules were not loaded through rule_files:\n{text}"
        );
        let out = Command::new(&promtool)
            .arg("check")
            .arg("rules")
            .arg(prom_dir.join("rules/alerts.yml"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool check rules failed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn amtool_accepts_the_rendered_alertmanager_config() {
    let Some(amtool) = tool("amtool") else { return };
    let dir = tempfile::tempdir().unwrap();
    render_all(RuntimeKind::Native, ALL, dir.path());
    let out = Command::new(amtool)
        .arg("check-config")
        .arg(dir.path().join("alertmanager/alertmanager.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "amtool check-config failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rules_have_the_required_alerts_with_for_severity_and_annotations() {
    let spec = StackSpec::builtin().unwrap();
    let rules: serde_yaml::Value =
        serde_yaml::from_str(&spec.config_text("rules/alerts.yml").unwrap()).unwrap();
    let mut alerts = Vec::new();
    let mut records = Vec::new();
    for group in rules["groups"].as_sequence().unwrap() {
        for rule in group["rules"].as_sequence().unwrap() {
            let expr = rule["expr"].as_str().unwrap();
            promql_parser::parser::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
            if let Some(name) = rule["alert"].as_str() {
                assert!(rule["for"].as_str().is_some(), "{name} has no `for`");
                assert!(
                    rule["labels"]["severity"].as_str().is_some(),
                    "{name} has no severity"
                );
                for key in ["summary", "description", "runbook"] {
                    assert!(
                        rule["annotations"][key]
                            .as_str()
                            .is_some_and(|s| !s.is_empty()),
                        "{name} has no {key}"
                    );
                }
                alerts.push(name.to_string());
            }
            if let Some(name) = rule["record"].as_str() {
                records.push(name.to_string());
            }
        }
    }
    for want in [
        "HighErrorRate",
        "HighLatencyP95",
        "TargetDown",
        "SLOErrorBudgetBurnPage",
        "SLOErrorBudgetBurnTicket",
        "BatchJobStale",
    ] {
        assert!(
            alerts.contains(&want.to_string()),
            "missing alert {want}: {alerts:?}"
        );
    }
    for window in ["5m", "30m", "1h", "6h"] {
        assert!(
            records.contains(&format!("service:http_error_ratio:rate{window}")),
            "missing recording rule for {window}"
        );
    }
    // The burn-rate thresholds of a 99.9% SLO.
    let text = spec.config_text("rules/alerts.yml").unwrap();
    assert!(text.contains("rate1h > (14.4 * 0.001)") && text.contains("rate5m > (14.4 * 0.001)"));
    assert!(text.contains("rate6h > (6 * 0.001)") && text.contains("rate30m > (6 * 0.001)"));
    // A stale batch job: three intervals without a success, as the job exports its interval
    // (labelled `batch_job`, so the target's `job` label is left alone).
    assert!(text.contains(
        "time() - batch_job_last_success_timestamp_seconds > 3 * batch_job_interval_seconds"
    ));
}

/// promtool's rule unit test: BatchJobStale fires once the last success is older than three
/// intervals for a minute, and not while the job keeps succeeding.
#[test]
fn promtool_unit_tests_the_batch_job_alert() {
    let Some(promtool) = tool("promtool") else {
        return;
    };
    let spec = StackSpec::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("alerts.yml"),
        spec.config_text("rules/alerts.yml").unwrap().as_bytes(),
    )
    .unwrap();
    // The runbook, as the alert renders it for revenue_rollup on orders.
    let rules: serde_yaml::Value =
        serde_yaml::from_str(&spec.config_text("rules/alerts.yml").unwrap()).unwrap();
    let runbook = rules["groups"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_sequence().unwrap())
        .find(|r| r["alert"] == "BatchJobStale")
        .and_then(|r| r["annotations"]["runbook"].as_str())
        .expect("BatchJobStale's runbook")
        .replace("{{ $labels.batch_job }}", "revenue_rollup")
        .replace("{{ $labels.service }}", "orders");
    // Interval 30 s. The stalled job last succeeded at t=60 s and stays there; the healthy
    // one succeeds every 30 s (its timestamp follows the clock). At 2m the stalled one is
    // 60 s old (under 3 intervals); from 165 s it is over, so at 5m it has fired.
    let labels = |job: &str| format!(r#"{{batch_job="{job}", service="orders", job="orders"}}"#);
    let cases = serde_json::json!({
        "rule_files": ["alerts.yml"],
        "evaluation_interval": "15s",
        "tests": [{
            "interval": "30s",
            "input_series": [
                {"series": format!("batch_job_last_success_timestamp_seconds{}", labels("revenue_rollup")), "values": "0 30 60 60x20"},
                {"series": format!("batch_job_interval_seconds{}", labels("revenue_rollup")), "values": "30x22"},
                {"series": format!("batch_job_last_success_timestamp_seconds{}", labels("healthy")), "values": "0+30x22"},
                {"series": format!("batch_job_interval_seconds{}", labels("healthy")), "values": "30x22"},
            ],
            "alert_rule_test": [
                {"eval_time": "2m", "alertname": "BatchJobStale", "exp_alerts": []},
                {"eval_time": "5m", "alertname": "BatchJobStale", "exp_alerts": [{
                    "exp_labels": {"severity": "warning", "batch_job": "revenue_rollup", "service": "orders", "job": "orders"},
                    "exp_annotations": {
                        "summary": "revenue_rollup has not succeeded for 4m 0s",
                        "description": "The batch job revenue_rollup on orders last finished a run successfully 4m 0s ago, more than three times its interval.",
                        "runbook": runbook,
                    },
                }]},
            ],
        }],
    })
    .to_string();
    std::fs::write(dir.path().join("tests.yml"), cases).unwrap();
    let out = Command::new(&promtool)
        .current_dir(dir.path())
        .args(["test", "rules", "tests.yml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool test rules failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dashboard_queries_parse_and_cover_the_slis() {
    let spec = StackSpec::builtin().unwrap();
    let dash: serde_json::Value =
        serde_json::from_str(&spec.config_text("grafana/dashboards/sli-slo.json").unwrap())
            .unwrap();
    assert_eq!(dash["title"], "SLI/SLO");
    let mut titles = Vec::new();
    for panel in dash["panels"].as_array().unwrap() {
        titles.push(panel["title"].as_str().unwrap().to_lowercase());
        assert_eq!(panel["datasource"]["uid"], "prometheus");
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            promql_parser::parser::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        }
    }
    for want in [
        "availability",
        "error rate",
        "p95 latency",
        "request rate",
        "db p95",
    ] {
        assert!(
            titles.iter().any(|t| t.contains(want)),
            "no panel for {want}: {titles:?}"
        );
    }
}
