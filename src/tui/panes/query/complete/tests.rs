//! Site detection and candidate filtering for the three languages.

use super::*;
use crate::lab::query::tempo::{TagScope, TagValue};

fn at_end(text: &str) -> Site {
    site(text, text.len())
}

#[test]
fn the_site_follows_the_grammar_around_the_cursor() {
    assert_eq!(at_end("http_req").want, Want::Metric);
    assert_eq!(at_end("http_req").word, 0..8);
    assert_eq!(at_end("sum(rate(http_re").word, 9..16);
    assert_eq!(at_end("up{").want, Want::LabelName);
    assert_eq!(at_end("up{job=\"x\", inst").want, Want::LabelName);
    assert_eq!(at_end("up{job=\"x\", inst").word, 12..16);
    assert_eq!(
        at_end("up{job=\"prom").want,
        Want::LabelValue {
            label: "job".into()
        }
    );
    assert_eq!(at_end("up{job=\"prom").word, 8..12);
    assert_eq!(
        at_end("x{status!~\"5").want,
        Want::LabelValue {
            label: "status".into()
        }
    );
    assert_eq!(at_end("sum by (se").want, Want::LabelName);
    assert_eq!(at_end("sum by (service) (ra").want, Want::Metric);
    assert_eq!(at_end("sum(x) / on(ser").want, Want::LabelName);
    assert_eq!(at_end("rate(x[5").want, Want::Nothing);
    assert_eq!(at_end("up{job=\"a\"} ").want, Want::Nothing);
    assert_eq!(at_end("label_replace(up, \"dst").want, Want::Nothing);
    // A cursor in the middle of a multi-byte character is moved back, not a panic.
    let text = "up{job=\"é";
    let _ = site(text, text.len() - 1);
    let _ = site("", 10);
}

#[test]
fn candidates_prefer_prefixes_and_carry_type_and_help() {
    let known = Known {
        metrics: vec![
            MetricInfo {
                name: "http_requests_total".into(),
                kind: "counter".into(),
                help: "Requests handled".into(),
            },
            MetricInfo {
                name: "shop_http_requests_in_flight".into(),
                kind: "gauge".into(),
                help: String::new(),
            },
        ],
        label_names: vec!["__name__".into(), "service".into(), "status".into()],
        label_values: BTreeMap::from([(
            "service".into(),
            vec!["orders".into(), "payments".into()],
        )]),
    };
    let text = "http_req";
    let got = candidates(&known, text, &at_end(text));
    assert_eq!(got[0].text, "http_requests_total");
    assert_eq!(got[0].kind, "counter");
    assert_eq!(got[0].help, "Requests handled");
    assert_eq!(got[1].text, "shop_http_requests_in_flight");
    let text = "histo";
    assert_eq!(
        candidates(&known, text, &at_end(text))[0].text,
        "histogram_quantile"
    );
    let text = "sum by (s";
    let names: Vec<_> = candidates(&known, text, &at_end(text))
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(names, ["status", "service"]);
    let text = "x{service=\"pay";
    assert_eq!(candidates(&known, text, &at_end(text))[0].text, "payments");
    assert!(candidates(&known, "", &at_end("")).is_empty());
}

fn logql(text: &str) -> Site {
    site_in(QueryLang::LogQL, text, text.len())
}

fn traceql(text: &str) -> Site {
    site_in(QueryLang::TraceQL, text, text.len())
}

fn label(name: &str) -> Want {
    Want::LabelValue { label: name.into() }
}

fn value(attr: &str, quoted: bool) -> Want {
    Want::AttributeValue {
        attr: attr.into(),
        quoted,
    }
}

#[test]
fn logql_sites_follow_the_selector_the_pipeline_and_the_functions() {
    assert_eq!(logql("{").want, Want::LabelName);
    assert_eq!(logql("{serv").want, Want::LabelName);
    assert_eq!(logql("{serv").word, 1..5);
    assert_eq!(logql("{service_name=\"pay").want, label("service_name"));
    assert_eq!(logql("{service_name=\"pay").word, 15..18);
    assert_eq!(logql("{level=~\"err").want, label("level"));
    assert_eq!(logql("{level!=\"").want, label("level"));
    assert_eq!(logql("{level!~\"").want, label("level"));
    assert_eq!(logql("{a=\"b\", lev").want, Want::LabelName);
    assert_eq!(logql("{a=\"b\", lev").word, 8..11);
    assert_eq!(logql("{a=").want, Want::Nothing, "a value needs its quote");
    // After the selector: a pipe starts a stage; a line filter is a string.
    assert_eq!(logql("{a=\"b\"} ").want, Want::Nothing);
    assert_eq!(logql("{a=\"b\"} | js").want, Want::Stage);
    assert_eq!(logql("{a=\"b\"} | js").word, 10..12);
    assert_eq!(logql("{a=\"b\"} |").want, Want::Stage);
    assert_eq!(logql("{a=\"b\"} | json | ").want, Want::Stage);
    assert_eq!(logql("{a=\"b\"} | json ").want, Want::Nothing);
    assert_eq!(logql("{a=\"b\"} |= \"err").want, Want::Nothing);
    assert_eq!(logql("{a=\"b\"} |= \"x\" ").want, Want::Nothing);
    assert_eq!(logql("{a=\"b\"} |~ ").want, Want::Nothing);
    assert_eq!(logql("{a=\"b\"} != \"x").want, Want::Nothing);
    assert_eq!(logql("{a=\"b\"} | level=\"er").want, label("level"));
    assert_eq!(logql("{a=\"b\"} | json | unwrap lat").want, Want::LabelName);
    assert_eq!(logql("{a=\"b\"} | keep a, b").want, Want::LabelName);
    assert_eq!(logql("{a=\"b\"} | line_format \"{{.a").want, Want::Nothing);
    // Functions where an expression starts, label names in a grouping.
    assert_eq!(logql("cou").want, Want::LogFunction);
    assert_eq!(logql("sum(rate(").want, Want::Nothing, "nothing typed yet");
    assert_eq!(logql("sum(rat").want, Want::LogFunction);
    assert_eq!(logql("sum(rat").word, 4..7);
    assert_eq!(logql("sum by (lev").want, Want::LabelName);
    assert_eq!(logql("rate({a=\"b\"} | json [5").want, Want::Nothing);
    assert_eq!(
        logql("sum(rate({a=\"b\"} | json [5m])) by (le").want,
        Want::LabelName
    );
    assert_eq!(logql("rate({a=\"b\"}[5m]) > 1").want, Want::Nothing);
    // Unicode before the cursor, a cursor inside a character or past the end.
    let text = "{a=\"é\"} | lo";
    assert_eq!(logql(text).want, Want::Stage);
    assert_eq!(&text[logql(text).word], "lo");
    let _ = site_in(QueryLang::LogQL, "{a=\"é", 6);
    let _ = site_in(QueryLang::LogQL, "", 10);
}

#[test]
fn traceql_sites_take_dotted_and_colon_names_and_values_after_each_operator() {
    assert_eq!(traceql("{ ").want, Want::Attribute);
    assert_eq!(traceql("{span.http.ro").want, Want::Attribute);
    assert_eq!(traceql("{span.http.ro").word, 1..13);
    assert_eq!(traceql("{ .http.ro").word, 2..10);
    assert_eq!(traceql("{ span:sta").want, Want::Attribute);
    assert_eq!(traceql("{ span:sta").word, 2..10);
    for op in ["=", "!=", "=~", "!~"] {
        let text = format!("{{ resource.service.name {op} \"pay");
        assert_eq!(
            traceql(&text).want,
            value("resource.service.name", true),
            "{op}"
        );
        assert_eq!(&text[traceql(&text).word], "pay");
    }
    assert_eq!(traceql("{ status = ").want, value("status", false));
    assert_eq!(traceql("{ status=er").want, value("status", false));
    assert_eq!(traceql("{ status=er").word, 9..11);
    assert_eq!(traceql("{ span:kind = ser").want, value("span:kind", false));
    assert_eq!(traceql("{ duration > 10").want, value("duration", false));
    assert_eq!(traceql("{ duration >= 10").want, value("duration", false));
    // After a value: nothing until the next condition.
    assert_eq!(traceql("{ status = error ").want, Want::Nothing);
    assert_eq!(traceql("{ name = \"x\" ").want, Want::Nothing);
    assert_eq!(traceql("{ name = \"x\" && res").want, Want::Attribute);
    assert_eq!(traceql("{ name = \"x\" || (sp").want, Want::Attribute);
    assert_eq!(traceql("{ name = \"x\" } ").want, Want::Nothing);
    assert_eq!(
        traceql("{ name = \"x\" } | by(resource.se").want,
        Want::Attribute
    );
    assert_eq!(traceql("{ } | select(span.ht").word, 13..20);
    assert_eq!(traceql("{ } | count() > 2").want, Want::Nothing);
    assert_eq!(traceql("ab").want, Want::Nothing, "outside braces");
    // Unicode before the cursor; the cursor in the middle of a word reads up to it.
    let text = "{ span.x = \"é\" && span.ht";
    assert_eq!(&text[traceql(text).word], "span.ht");
    let text = "{ span.http.route }";
    let mid = site_in(QueryLang::TraceQL, text, 8);
    assert_eq!((mid.want, mid.word), (Want::Attribute, 2..8));
    let _ = site_in(QueryLang::TraceQL, "{ a = \"é", 8);
}

#[test]
fn logql_candidates_are_lokis_labels_keywords_and_functions_not_metrics() {
    let known = Known {
        metrics: vec![MetricInfo {
            name: "count_things_total".into(),
            kind: "counter".into(),
            help: String::new(),
        }],
        label_names: vec!["level".into(), "service_name".into()],
        label_values: BTreeMap::from([(
            "service_name".into(),
            vec!["orders".into(), "payments".into()],
        )]),
    };
    let offered = |text: &str| -> Vec<(String, String)> {
        candidates(&known, text, &logql(text))
            .into_iter()
            .map(|c| (c.text, c.kind))
            .collect()
    };
    assert_eq!(
        offered("{"),
        [
            ("level".into(), "label".into()),
            ("service_name".into(), "label".into())
        ]
    );
    assert_eq!(offered("{service_name=\"pa")[0].0, "payments");
    let stage = offered("{level=\"error\"} | ");
    assert!(
        stage.contains(&("json".into(), "keyword".into())),
        "{stage:?}"
    );
    assert!(stage.len() <= MAX_CANDIDATES);
    assert_eq!(
        offered("{a=\"b\"} | log")[0],
        ("logfmt".into(), "keyword".into())
    );
    assert_eq!(offered("{a=\"b\"} | dec")[0].0, "decolorize");
    assert_eq!(
        offered("{a=\"b\"} | lev")[0],
        ("level".into(), "label".into())
    );
    let functions = offered("count");
    assert_eq!(functions[0], ("count_over_time".into(), "function".into()));
    assert!(
        functions.iter().all(|(t, _)| t != "count_things_total"),
        "no PromQL metrics in LogQL: {functions:?}"
    );
    assert_eq!(offered("bytes_r")[0].0, "bytes_rate");
    assert!(offered("").is_empty());
}

#[test]
fn traceql_candidates_are_scoped_attributes_intrinsics_and_literal_values() {
    let scopes = vec![
        TagScope {
            name: "span".into(),
            tags: vec!["http.route".into(), "http.request.method".into()],
        },
        TagScope {
            name: "resource".into(),
            tags: vec!["service.name".into()],
        },
        TagScope {
            name: "intrinsic".into(),
            tags: vec!["status".into(), "span:status".into()],
        },
    ];
    let mut known = Known {
        label_names: attribute_names(&scopes),
        ..Known::default()
    };
    assert!(known.label_names.contains(&"span.http.route".to_string()));
    assert!(known.label_names.contains(&"status".to_string()));
    known.label_values.insert(
        "resource.service.name".into(),
        attribute_values(&[
            TagValue {
                type_: "string".into(),
                value: "payments".into(),
            },
            TagValue {
                type_: "string".into(),
                value: "say \"hi\"".into(),
            },
        ]),
    );
    known.label_values.insert(
        "span.http.response.status_code".into(),
        attribute_values(&[TagValue {
            type_: "int".into(),
            value: "500".into(),
        }]),
    );
    let offered = |text: &str| -> Vec<(String, String)> {
        candidates(&known, text, &traceql(text))
            .into_iter()
            .map(|c| (c.text, c.kind))
            .collect()
    };
    assert_eq!(
        offered("{ span.http.ro")[0],
        ("span.http.route".into(), "attribute · span".into())
    );
    assert_eq!(
        offered("{ resource.se")[0],
        (
            "resource.service.name".into(),
            "attribute · resource".into()
        )
    );
    assert_eq!(offered("{ .service")[0].0, "resource.service.name");
    let status = offered("{ stat");
    assert_eq!(status[0], ("status".into(), "intrinsic".into()));
    assert_eq!(
        status.iter().filter(|(t, _)| t == "status").count(),
        1,
        "Tempo's intrinsics and the built-in ones are not doubled: {status:?}"
    );
    assert!(
        offered("{ trace:")
            .iter()
            .any(|(t, _)| t == "trace:rootService")
    );
    assert_eq!(offered("{ resource.service.name = ")[0].0, "\"payments\"");
    assert_eq!(offered("{ resource.service.name = \"pa")[0].0, "payments");
    assert!(
        offered("{ resource.service.name = \"")
            .iter()
            .any(|(t, _)| t == "say \\\"hi\\\""),
        "escaped inside the quotes"
    );
    assert_eq!(offered("{ span.http.response.status_code = ")[0].0, "500");
    assert!(offered("{ span.http.response.status_code = \"").is_empty());
    let statuses: Vec<String> = offered("{ status = ").into_iter().map(|c| c.0).collect();
    assert_eq!(statuses, ["ok", "error", "unset"]);
    assert_eq!(
        offered("{ kind = ser")[0],
        ("server".into(), "kind value".into())
    );
    assert!(fetches_values(QueryLang::TraceQL, "span.http.route"));
    assert!(!fetches_values(QueryLang::TraceQL, "status"));
    assert!(!fetches_values(QueryLang::TraceQL, "duration"));
    assert!(fetches_values(QueryLang::LogQL, "level"));
}
