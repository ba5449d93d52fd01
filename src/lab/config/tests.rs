use super::*;

const FILE: &str = "/home/u/.config/labtui/config.toml";

fn ok(source: &str) -> Config {
    parse(Path::new(FILE), source).unwrap()
}

/// The error for `source`, as (line, key, full message).
fn err(source: &str) -> (Option<usize>, Option<String>, String) {
    match parse(Path::new(FILE), source).unwrap_err() {
        e @ ConfigError::Invalid { .. } => {
            let msg = e.to_string();
            let ConfigError::Invalid { line, key, .. } = e else {
                unreachable!()
            };
            (line, key, msg)
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn the_documented_example_parses() {
    let config = ok(r#"
theme = "light"
runtime = "native"
[stack]
prometheus = "http://127.0.0.1:9090"
"#);
    assert_eq!(
        config,
        Config {
            theme: ThemeName::Light,
            runtime: RuntimeChoice::Native,
            stack: StackUrls {
                prometheus: Some("http://127.0.0.1:9090".to_owned()),
                ..StackUrls::default()
            },
        }
    );
}

#[test]
fn empty_file_is_all_defaults() {
    let config = ok("# nothing set\n");
    assert_eq!(config, Config::default());
    assert_eq!(config.theme, ThemeName::Dark);
    assert_eq!(config.runtime, RuntimeChoice::Auto);
    assert_eq!(config.stack.loki, None);
}

#[test]
fn every_theme_and_runtime_word_parses() {
    for theme in ThemeName::ALL {
        let config = ok(&format!("theme = \"{theme}\""));
        assert_eq!(config.theme, *theme);
    }
    for runtime in RuntimeChoice::ALL {
        let config = ok(&format!("runtime = \"{runtime}\""));
        assert_eq!(config.runtime, *runtime);
    }
    assert_eq!(
        ok("theme = \"high-contrast\"").theme,
        ThemeName::HighContrast
    );
    assert_eq!(ok("runtime = \"attach\"").runtime, RuntimeChoice::Attach);
}

#[test]
fn all_stack_urls_parse_and_lose_a_trailing_slash() {
    let config = ok(r#"
[stack]
prometheus = "https://prom.example.com/"
alertmanager = "http://127.0.0.1:9093"
loki = "http://[::1]:3100"
tempo = "http://tempo.monitoring.svc:3200/base/"
"#);
    assert_eq!(
        config.stack,
        StackUrls {
            prometheus: Some("https://prom.example.com".to_owned()),
            alertmanager: Some("http://127.0.0.1:9093".to_owned()),
            loki: Some("http://[::1]:3100".to_owned()),
            tempo: Some("http://tempo.monitoring.svc:3200/base".to_owned()),
        }
    );
}

#[test]
fn dotted_and_inline_stack_keys_parse() {
    assert_eq!(
        ok("stack.loki = \"http://l:3100\"").stack.loki.as_deref(),
        Some("http://l:3100")
    );
    assert_eq!(
        ok("stack = { tempo = \"http://t:3200\" }")
            .stack
            .tempo
            .as_deref(),
        Some("http://t:3200")
    );
}

#[test]
fn unknown_theme_names_file_line_key_and_choices() {
    let (line, key, msg) = err("theme = \"blue\"");
    assert_eq!(line, Some(1));
    assert_eq!(key.as_deref(), Some("theme"));
    assert_eq!(
        msg,
        format!(
            "{FILE}:1: key `theme`: unknown value \"blue\"; use one of dark, light, high-contrast"
        )
    );
}

#[test]
fn unknown_runtime_names_its_line() {
    let (line, key, msg) = err("theme = \"dark\"\n\nruntime = \"podman\"\n");
    assert_eq!(line, Some(3));
    assert_eq!(key.as_deref(), Some("runtime"));
    assert!(
        msg.ends_with("unknown value \"podman\"; use one of auto, docker, native, attach"),
        "{msg}"
    );
}

#[test]
fn non_string_choice_says_what_was_found() {
    let (line, key, msg) = err("runtime = 3");
    assert_eq!((line, key.as_deref()), (Some(1), Some("runtime")));
    assert!(msg.contains("expected a string, found integer 3"), "{msg}");
    assert!(
        msg.contains("use one of auto, docker, native, attach"),
        "{msg}"
    );
}

#[test]
fn unknown_top_level_key_lists_the_valid_keys() {
    let (line, key, msg) = err("theme = \"dark\"\nthemes = \"light\"\n");
    assert_eq!(line, Some(2));
    assert_eq!(key.as_deref(), Some("themes"));
    assert_eq!(
        msg,
        format!("{FILE}:2: key `themes`: unknown key; valid keys are theme, runtime, [stack]")
    );
}

#[test]
fn unknown_stack_key_lists_the_stack_keys() {
    let (line, key, msg) =
        err("[stack]\nprometheus = \"http://p:9090\"\ngrafana = \"http://g:3000\"\n");
    assert_eq!(line, Some(3));
    assert_eq!(key.as_deref(), Some("stack.grafana"));
    assert!(
        msg.ends_with("valid keys in [stack] are prometheus, alertmanager, loki, tempo"),
        "{msg}"
    );
}

#[test]
fn unknown_table_is_an_unknown_key() {
    let (line, key, msg) = err("theme = \"dark\"\n[stacks]\nloki = \"http://l:3100\"\n");
    assert_eq!(line, Some(2));
    assert_eq!(key.as_deref(), Some("stacks"));
    assert!(
        msg.contains("valid keys are theme, runtime, [stack]"),
        "{msg}"
    );
}

#[test]
fn stack_that_is_not_a_table_says_to_use_a_section() {
    let (line, key, msg) = err("stack = \"http://p:9090\"");
    assert_eq!((line, key.as_deref()), (Some(1), Some("stack")));
    assert!(msg.contains("write it as a [stack] section"), "{msg}");
}

#[test]
fn bad_urls_name_the_key_and_show_the_form() {
    let cases = [
        ("\"ftp://p:9090\"", "is not an http:// or https:// URL"),
        ("\"127.0.0.1:9090\"", "is not an http:// or https:// URL"),
        ("\"http://\"", "has no host"),
        ("\"http://:9090\"", "has no host"),
        ("\"http://p:99999\"", "has an invalid port"),
        ("\"http://p:0\"", "has an invalid port"),
        ("\"http://p:x\"", "has an invalid port"),
        ("\"http://p q:9090\"", "contains whitespace"),
        ("9090", "expected a URL string, found integer 9090"),
    ];
    for (value, why) in cases {
        let (line, key, msg) = err(&format!("[stack]\n\nloki = {value}\n"));
        assert_eq!(line, Some(3), "{value}");
        assert_eq!(key.as_deref(), Some("stack.loki"), "{value}");
        assert!(msg.contains(why), "{value}: {msg}");
        assert!(
            msg.ends_with("write it like \"http://127.0.0.1:9090\""),
            "{msg}"
        );
    }
}

#[test]
fn toml_syntax_error_names_the_line() {
    let (line, key, msg) = err("theme = \"dark\"\nruntime = \n");
    assert_eq!(line, Some(2));
    assert_eq!(key, None);
    assert!(msg.starts_with(&format!("{FILE}:2: ")), "{msg}");
    assert!(
        msg.ends_with("fix the TOML syntax (see docs/CONFIG.md)"),
        "{msg}"
    );
}

#[test]
fn duplicate_key_names_the_key_and_its_second_line() {
    let (line, key, msg) = err("theme = \"dark\"\ntheme = \"light\"\n");
    assert_eq!((line, key.as_deref()), (Some(2), Some("theme")));
    assert!(msg.ends_with("set more than once; keep only one"), "{msg}");
    let (line, key, _) = err("[stack]\n\n[stack]\n");
    assert_eq!((line, key.as_deref()), (Some(3), Some("stack")));
}

#[test]
fn missing_file_is_all_defaults() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        load(&dir.path().join("config.toml")).unwrap(),
        Config::default()
    );
}

#[test]
fn load_reads_the_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    fs::write(&path, "runtime = \"docker\"\n").unwrap();
    assert_eq!(load(&path).unwrap().runtime, RuntimeChoice::Docker);

    fs::write(&path, "theme = \"blue\"\n").unwrap();
    let msg = load(&path).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("{}:1: key `theme`", path.display())),
        "{msg}"
    );
}

#[test]
fn non_utf8_file_says_to_save_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    fs::write(&path, b"theme = \"\xff\"\n").unwrap();
    let msg = load(&path).unwrap_err().to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(msg.contains("save it as UTF-8"), "{msg}");
}

#[test]
fn unreadable_path_is_a_read_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: reading it fails with a real I/O error.
    let path = dir.path().join("config.toml");
    fs::create_dir(&path).unwrap();
    let e = load(&path).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }), "{e:?}");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
}

#[test]
fn words_round_trip_through_from_str() {
    assert_eq!("light".parse::<ThemeName>(), Ok(ThemeName::Light));
    assert_eq!("native".parse::<RuntimeChoice>(), Ok(RuntimeChoice::Native));
    assert_eq!(
        "Dark".parse::<ThemeName>(),
        Err("unknown theme \"Dark\"; use one of dark, light, high-contrast".to_owned())
    );
    for theme in ThemeName::ALL {
        assert_eq!(theme.as_str().parse::<ThemeName>(), Ok(*theme));
    }
}

#[test]
fn no_color_follows_no_color_org() {
    assert!(!no_color_in(None));
    assert!(!no_color_in(Some(OsStr::new(""))));
    assert!(no_color_in(Some(OsStr::new("1"))));
    assert!(
        no_color_in(Some(OsStr::new("0"))),
        "any non-empty value counts"
    );
}

#[test]
fn component_url_outside_stack_says_where_it_goes() {
    let (line, key, msg) = err("theme = \"dark\"\nprometheus = \"http://p:9090\"\n");
    assert_eq!((line, key.as_deref()), (Some(2), Some("prometheus")));
    assert!(msg.ends_with("component URLs go under [stack]"), "{msg}");
}

#[test]
fn words_match_the_serde_names() {
    for theme in ThemeName::ALL {
        let json = serde_json::to_string(theme).unwrap();
        assert_eq!(json, format!("\"{}\"", theme.as_str()));
    }
    for runtime in RuntimeChoice::ALL {
        let json = serde_json::to_string(runtime).unwrap();
        assert_eq!(json, format!("\"{}\"", runtime.as_str()));
    }
}
