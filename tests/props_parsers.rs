//! Property tests for every parser of text labtui did not write: the backend decoders
//! (Prometheus, Alertmanager, Loki with its tail frames, Tempo), the alert webhook body,
//! the progress file, the fault parameters, the front matter and the Markdown renderer.
//! None may panic, whatever they are given. Inputs are the recorded real answers in
//! tests/fixtures/real-api and the shipped content, cut short, spliced with random text,
//! or with one JSON value swapped for another; plus a progress export → import round trip.

use std::path::{Path, PathBuf};

use chrono::{TimeZone as _, Utc};
use labtui::lab::alerts;
use labtui::lab::content::split_front_matter;
use labtui::lab::faults::{self, catalogue};
use labtui::lab::progress::{self, Progress};
use labtui::lab::query::alertmanager::{self, AlertGroup, Silence};
use labtui::lab::query::loki::{self, Direction};
use labtui::lab::query::{prometheus, tempo};
use labtui::tui::markdown::{self, MdTheme};
use proptest::prelude::*;
use serde_json::Value;

fn files_under(dir: &Path, ext: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path, ext));
        } else if path
            .extension()
            .is_some_and(|e| ext.iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Every recorded answer of one backend (`prometheus`, `loki`, ...).
fn recorded(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-api")
        .join(backend);
    let files = files_under(&dir, &["json", "txt"]);
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("fixture"))
        .collect()
}

/// Every shipped lesson, challenge and drill.
fn shipped_content() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["lessons", "challenges", "drills"]
        .iter()
        .flat_map(|d| files_under(&root.join(d), &["md"]))
        .map(|f| std::fs::read_to_string(f).expect("content"))
        .collect()
}

/// A JSON value of any shape, small enough to splice anywhere.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        Just(Value::String("NaN".into())),
        Just(Value::String("+Inf".into())),
        Just(Value::String("1e400".into())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The `n`th node of `v` in depth-first order, replaced by `with`; `n` wraps.
fn replace_node(v: &mut Value, n: usize, with: Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn walk(v: &mut Value, n: &mut usize, with: &mut Option<Value>) {
        if *n == 0 {
            if let Some(w) = with.take() {
                *v = w;
            }
            return;
        }
        *n -= 1;
        match v {
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, n, with)),
            Value::Object(o) => o.values_mut().for_each(|c| walk(c, n, with)),
            _ => {}
        }
    }
    let mut n = n % count(v);
    walk(v, &mut n, &mut Some(with));
}

/// A recorded body changed one way: cut at a byte, random text spliced in, or (for JSON)
/// one value anywhere in it swapped for another of any type.
fn mutated(bodies: Vec<String>) -> impl Strategy<Value = String> {
    let n = bodies.len();
    (0..n, any::<usize>(), ".{0,24}", any_json(), 0..3u8).prop_map(
        move |(i, at, text, json, how)| {
            let body = &bodies[i];
            let cut = floor_char_boundary(body, at % (body.len() + 1));
            match how {
                0 => body[..cut].to_string(),
                1 => format!("{}{text}{}", &body[..cut], &body[cut..]),
                _ => match serde_json::from_str::<Value>(body) {
                    Ok(mut v) => {
                        replace_node(&mut v, at, json);
                        v.to_string()
                    }
                    Err(_) => format!("{text}{body}"),
                },
            }
        },
    )
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn prometheus_answers_never_panic(body in mutated(recorded("prometheus"))) {
        let _ = prometheus::decode::query(&body);
        let _ = prometheus::decode::envelope(&body);
    }

    #[test]
    fn alertmanager_answers_never_panic(body in mutated(recorded("alertmanager"))) {
        let _ = alertmanager::decode::<Vec<AlertGroup>>(&body);
        let _ = alertmanager::decode::<Vec<alertmanager::Alert>>(&body);
        let _ = alertmanager::decode::<Vec<Silence>>(&body);
    }

    #[test]
    fn loki_answers_and_tail_frames_never_panic(body in mutated(recorded("loki"))) {
        let _ = loki::decode::query(&body, Direction::Backward);
        let _ = loki::decode::query(&body, Direction::Forward);
        let _ = loki::decode::tail_frame(&body);
        let _ = loki::decode::volume(&body);
        let _ = loki::decode::volume_range(&body);
        let _ = loki::decode::detected_fields(&body);
    }

    #[test]
    fn tempo_answers_never_panic(body in mutated(recorded("tempo"))) {
        let _ = tempo::decode::search(&body);
        let _ = tempo::decode::trace(&body);
        let _ = tempo::decode::tags_v1(&body);
        let _ = tempo::decode::tags_v2(&body);
        let _ = tempo::decode::tag_values_v1(&body);
        let _ = tempo::decode::tag_values_v2(&body);
        let _ = tempo::decode::metrics(&body);
        let _ = tempo::decode::buildinfo(&body);
    }

    #[test]
    fn alert_webhook_bodies_never_panic(body in mutated(vec![WEBHOOK.to_string()])) {
        let _ = alerts::parse(body.as_bytes(), Utc::now());
    }

    #[test]
    fn progress_files_never_panic(body in mutated(vec![progress_file()])) {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("progress.json");
        std::fs::write(&file, &body).expect("write");
        let _ = progress::load(&file);
        let _ = progress::import(&file);
    }

    #[test]
    fn fault_parameters_never_panic(
        fault in 0..64usize,
        args in prop::collection::vec("[a-z_]{0,12}=?.{0,12}", 0..4),
    ) {
        let all = catalogue();
        let def = &all.faults[fault % all.faults.len()];
        if let Ok(given) = faults::parse_params(&args) {
            let _ = def.resolve_params(&given);
        }
    }

    #[test]
    fn content_files_never_panic_the_front_matter_or_the_renderer(
        text in mutated(shipped_content()),
        width in 0u16..200,
    ) {
        let _ = split_front_matter(&text);
        let _ = markdown::render(&text, width, &MdTheme::plain());
    }

    #[test]
    fn progress_survives_export_and_import(
        items in prop::collection::btree_map("[a-z0-9-]{1,20}", (0u8..4, 0.0f64..100.0, 0u64..100_000, 0u32..10_000), 0..12),
    ) {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).single().expect("date");
        let mut p = Progress::default();
        for (id, (what, score, secs, line)) in &items {
            p.open(id, now);
            p.add_time(id, *secs);
            p.set_position(id, *line);
            match what {
                0 => {}
                1 => p.complete(id, now),
                2 => p.record_attempt(id, *score, now),
                _ => {
                    p.record_attempt(id, *score, now);
                    p.complete(id, now);
                }
            }
        }
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("export.json");
        progress::export(&p, &file).expect("export");
        let back = progress::import(&file).expect("import");
        prop_assert_eq!(&back, &p);
        // Importing into what you already have changes nothing.
        let mut merged = p.clone();
        progress::merge_import(&mut merged, back);
        prop_assert_eq!(merged, p);
    }
}

/// Alertmanager's version 4 webhook body, as it posts one firing alert.
const WEBHOOK: &str = r#"{"receiver":"labtui","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","service":"payments","severity":"page"},"annotations":{"summary":"payments fails 12% of requests"},"startsAt":"2026-12-07T12:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1:9090/graph","fingerprint":"a1b2c3"}],"groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","version":"4","groupKey":"{}:{alertname=\"HighErrorRate\"}","truncatedAlerts":0}"#;

/// A progress file with an item of each kind, as the store writes it.
fn progress_file() -> String {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("progress.json");
    let now = Utc
        .with_ymd_and_hms(2026, 12, 7, 12, 0, 0)
        .single()
        .expect("date");
    let mut p = Progress::default();
    p.open("promql-basics", now);
    p.complete("promql-basics", now);
    p.record_attempt("slow-checkout", 42.0, now);
    p.set_position("logql-basics", 17);
    progress::save(&file, &p).expect("save");
    std::fs::read_to_string(&file).expect("read")
}
