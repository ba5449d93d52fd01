//! Spec loading: the shipped spec, dependency order, and errors that name file, line and key.

use super::*;

fn names(list: &[&Component]) -> Vec<String> {
    list.iter().map(|c| c.name.clone()).collect()
}

const MINIMAL: &str = r#"
schema = 1

[[component]]
name = "a"
profile = "core"
image = "x/a:1"
binaries = ["a"]
ports = [{ name = "http", default = 1000, offset = 0 }]
ready = "/ready"
memory_mb = 64
depends_on = ["b"]

[[component]]
name = "b"
profile = "core"
image = "x/b:1"
binaries = ["b"]
ports = [{ name = "http", default = 1001, offset = 1 }]
ready = "/ready"
memory_mb = 64
"#;

fn parse(text: &str) -> Result<StackSpec, StackError> {
    StackSpec::parse(text, "test.toml", SpecSource::Builtin)
}

fn spec_error(text: &str) -> (usize, String, String) {
    match parse(text) {
        Err(StackError::Spec {
            file,
            line,
            key,
            message,
        }) => {
            assert_eq!(file, "test.toml");
            (line, key, message)
        }
        other => panic!("expected a spec error, got {other:?}"),
    }
}

#[test]
fn shipped_spec_loads_in_dependency_order() {
    let spec = StackSpec::builtin().unwrap();
    assert_eq!(
        names(&spec.components(Profile::Core)),
        ["alertmanager", "prometheus", "loki", "tempo"]
    );
    let full = names(&spec.components(Profile::Full));
    for (before, after) in [
        ("alertmanager", "prometheus"),
        ("prometheus", "grafana"),
        ("loki", "grafana"),
        ("tempo", "grafana"),
        ("tempo", "otel-collector"),
    ] {
        let pos = |n: &str| full.iter().position(|x| x == n).unwrap();
        assert!(
            pos(before) < pos(after),
            "{before} must start before {after}: {full:?}"
        );
    }
    assert!(full.contains(&"cadvisor".to_string()));
    assert!(
        !names(&spec.components_for(Profile::Full, RuntimeKind::Native))
            .contains(&"cadvisor".to_string())
    );
    let am = spec.component("alertmanager").unwrap();
    assert_eq!(
        am.binary_names(),
        ["alertmanager", "prometheus-alertmanager"]
    );
    assert!(am.args.iter().any(|a| a == "--cluster.listen-address="));
    let grafana = spec.component("grafana").unwrap();
    assert_eq!(
        grafana.binaries[0],
        BinaryChoice {
            program: "grafana".into(),
            pre_args: vec!["server".into()]
        }
    );
    let prom = spec.component("prometheus").unwrap();
    assert_eq!(
        (prom.primary_port().default, prom.ready_path.as_str()),
        (9090, "/-/ready")
    );
    assert!(
        prom.args
            .iter()
            .any(|a| a == "--web.enable-remote-write-receiver")
    );
    // Every shipped config is compiled in.
    for c in spec.all() {
        for cfg in &c.configs {
            assert!(
                spec.config_text(&cfg.src).is_ok(),
                "{} not embedded",
                cfg.src
            );
        }
    }
}

#[test]
fn load_from_disk_reads_configs_next_to_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let text = MINIMAL.replace(
        "memory_mb = 64\ndepends_on",
        "memory_mb = 64\nconfigs = [\"a.yml\"]\ndepends_on",
    );
    std::fs::write(dir.path().join("stack.toml"), &text).unwrap();
    let missing = StackSpec::load(&dir.path().join("stack.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("stack.toml:") && missing.contains("a.yml"),
        "{missing}"
    );
    std::fs::write(dir.path().join("a.yml"), "x: {port}\n").unwrap();
    let spec = StackSpec::load(&dir.path().join("stack.toml")).unwrap();
    assert_eq!(spec.config_text("a.yml").unwrap(), "x: {port}\n");
    assert_eq!(names(&spec.components(Profile::Core)), ["b", "a"]);
}

#[test]
fn unknown_key_names_line_and_component() {
    let text = MINIMAL.replace("image = \"x/b:1\"", "imgae = \"x/b:1\"");
    let (line, key, message) = spec_error(&text);
    assert_eq!(line, 17, "{key}: {message}");
    assert_eq!(key, "component `b`.imgae");
    assert!(message.contains("imgae"), "{message}");
}

#[test]
fn cycle_is_an_error_naming_its_members() {
    let text = MINIMAL
        .replace("ready = \"/ready\"\nmemory_mb = 64\n\"#", "")
        .replace(
            "ports = [{ name = \"http\", default = 1001, offset = 1 }]",
            "ports = [{ name = \"http\", default = 1001, offset = 1 }]\ndepends_on = [\"a\"]",
        );
    let (line, key, message) = spec_error(&text);
    assert!(
        message.contains("dependency cycle") && message.contains("a -> b -> a"),
        "{message}"
    );
    assert_eq!((line, key.as_str()), (4, "component `a`.depends_on"));
}

#[test]
fn semantic_errors_point_at_their_line() {
    let unknown_dep = MINIMAL.replace("depends_on = [\"b\"]", "depends_on = [\"c\"]");
    let (line, key, message) = spec_error(&unknown_dep);
    assert_eq!((line, key.as_str()), (12, "component `a`.depends_on"));
    assert!(message.contains("unknown component `c`"), "{message}");

    let same_offset = MINIMAL.replace("offset = 1", "offset = 0");
    let (line, _, message) = spec_error(&same_offset);
    assert_eq!(line, 19);
    assert!(
        message.contains("offset 0 is already used by a.http"),
        "{message}"
    );

    let bad_placeholder = MINIMAL.replace(
        "binaries = [\"a\"]",
        "binaries = [\"a\"]\nargs = [\"--x={port.nope}\"]",
    );
    let (line, key, message) = spec_error(&bad_placeholder);
    assert_eq!((line, key.as_str()), (9, "component `a`.args"));
    assert!(message.contains("{port.nope}"), "{message}");

    let core_needs_full = MINIMAL.replace(
        "name = \"b\"\nprofile = \"core\"",
        "name = \"b\"\nprofile = \"full\"",
    );
    let (_, _, message) = spec_error(&core_needs_full);
    assert!(message.contains("only in profile full"), "{message}");

    let bad_ready_port = MINIMAL.replace(
        "ready = \"/ready\"\nmemory_mb = 64\ndepends_on",
        "ready = \"/ready\"\nready_port = \"admin\"\nmemory_mb = 64\ndepends_on",
    );
    let (_, key, _) = spec_error(&bad_ready_port);
    assert_eq!(key, "component `a`.ready_port");

    let (line, key, _) = spec_error("schema = 2\n");
    assert_eq!((line, key.as_str()), (1, "schema"));
}

#[test]
fn profiles_nest() {
    assert!(Profile::Full.includes(Profile::Core));
    assert!(!Profile::Core.includes(Profile::Full));
    assert_eq!("full".parse::<Profile>(), Ok(Profile::Full));
    assert!("max".parse::<Profile>().is_err());
}
