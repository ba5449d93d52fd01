//! Pure `update` tests of completion in the LogQL and TraceQL tabs, fed with recorded
//! answers of real Loki 3.4.6 and Tempo 2.7.2: each tab asks its own backend for names
//! when it comes to the front, offers them as you type, fetches a label's values once,
//! and Tab inserts the chosen one.

mod common;

use std::time::Duration;

use common::query::{query_app, typed};
use common::{ch, key, send};
use labtui::lab::query::QueryLang;
use labtui::lab::query::{loki, tempo};
use labtui::tui::app::{App, Cmd, Msg};
use labtui::tui::panes::query::Tab;
use labtui::tui::panes::query::complete::{Known, MetricInfo, attribute_names, attribute_values};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn fixture(path: &str) -> String {
    let full = format!(
        "{}/tests/fixtures/real-api/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn loki_list(path: &str) -> Vec<String> {
    loki::decode::data(&fixture(path)).expect(path)
}

/// The Query pane on `lang`'s tab, editing; the commands the tab switches asked for.
fn open_tab(lang: QueryLang) -> (App, Vec<Cmd>) {
    let mut app = query_app();
    send(&mut app, [key(KeyCode::Esc)]);
    let mut cmds = Vec::new();
    while app.query.tab != Tab::Lang(lang) {
        cmds.extend(send(&mut app, [ch('t')]));
    }
    send(&mut app, [ch('i')]);
    (app, cmds)
}

/// Ctrl-L: the editor emptied.
fn clear(app: &mut App) {
    send(
        app,
        [KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)].map(Msg::Key),
    );
}

fn names_asked(cmds: &[Cmd]) -> Vec<QueryLang> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::LoadNames { lang } => Some(*lang),
            _ => None,
        })
        .collect()
}

fn offered(app: &App, lang: QueryLang) -> Vec<(String, String)> {
    app.query
        .lang_tab(lang)
        .editor
        .candidates
        .iter()
        .map(|c| (c.text.clone(), c.kind.clone()))
        .collect()
}

#[test]
fn the_logql_tab_completes_lokis_labels_values_and_stages() {
    let (mut app, cmds) = open_tab(QueryLang::LogQL);
    assert_eq!(
        names_asked(&cmds),
        [QueryLang::LogQL],
        "asked when the tab opens"
    );
    // PromQL's names stay in the PromQL tab.
    send(
        &mut app,
        [
            Msg::NamesLoaded {
                lang: QueryLang::PromQL,
                result: Ok(Known {
                    metrics: vec![MetricInfo {
                        name: "count_requests_total".into(),
                        kind: "counter".into(),
                        help: String::new(),
                    }],
                    label_names: vec!["job".into()],
                    ..Known::default()
                }),
            },
            Msg::NamesLoaded {
                lang: QueryLang::LogQL,
                result: Ok(Known {
                    label_names: loki_list("loki/shop-labels.json"),
                    ..Known::default()
                }),
            },
        ],
    );
    typed(&mut app, "{");
    assert_eq!(
        offered(&app, QueryLang::LogQL),
        [
            ("level".into(), "label".into()),
            ("service_name".into(), "label".into())
        ],
        "Loki's labels, not Prometheus'"
    );
    typed(&mut app, "serv");
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.query.logql.editor.text(), "{service_name");
    let cmds = typed(&mut app, "=\"");
    assert_eq!(
        cmds,
        [Cmd::LoadLabelValues {
            lang: QueryLang::LogQL,
            label: "service_name".into()
        }]
    );
    send(
        &mut app,
        [Msg::LabelValuesLoaded {
            lang: QueryLang::LogQL,
            label: "service_name".into(),
            result: Ok(loki_list("loki/shop-label-service-values.json")),
        }],
    );
    assert_eq!(
        offered(&app, QueryLang::LogQL).len(),
        5,
        "the values show as soon as they arrive"
    );
    typed(&mut app, "pay");
    assert_eq!(
        offered(&app, QueryLang::LogQL)[0],
        ("payments".into(), "service_name value".into())
    );
    send(&mut app, [key(KeyCode::Tab)]);
    typed(&mut app, "\"} | js");
    assert_eq!(
        offered(&app, QueryLang::LogQL)[0],
        ("json".into(), "keyword".into())
    );
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(
        app.query.logql.editor.text(),
        "{service_name=\"payments\"} | json"
    );
    // Down chooses among several before Tab takes one.
    typed(&mut app, " | l");
    let choices = offered(&app, QueryLang::LogQL);
    assert!(choices.len() > 1, "{choices:?}");
    send(&mut app, [key(KeyCode::Down), key(KeyCode::Tab)]);
    assert_eq!(
        app.query.logql.editor.text(),
        format!("{{service_name=\"payments\"}} | json | {}", choices[1].0)
    );
    // A function where an expression starts: LogQL's, never a PromQL metric.
    clear(&mut app);
    typed(&mut app, "count");
    let functions = offered(&app, QueryLang::LogQL);
    assert_eq!(functions[0], ("count_over_time".into(), "function".into()));
    assert!(functions.iter().all(|(t, _)| t != "count_requests_total"));
    // Values already known are not fetched again.
    let cmds = typed(&mut app, "_over_time({service_name=\"");
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(offered(&app, QueryLang::LogQL).len() == 5);
}

#[test]
fn the_traceql_tab_completes_tempos_attributes_intrinsics_and_values() {
    let (mut app, cmds) = open_tab(QueryLang::TraceQL);
    assert!(names_asked(&cmds).contains(&QueryLang::TraceQL), "{cmds:?}");
    let scopes = tempo::decode::tags_v2(&fixture("tempo/shop-tags-v2.json")).expect("tags");
    send(
        &mut app,
        [Msg::NamesLoaded {
            lang: QueryLang::TraceQL,
            result: Ok(Known {
                label_names: attribute_names(&scopes),
                ..Known::default()
            }),
        }],
    );
    typed(&mut app, "{ resource.serv");
    assert_eq!(
        offered(&app, QueryLang::TraceQL)[0],
        (
            "resource.service.name".into(),
            "attribute · resource".into()
        )
    );
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.query.traceql.editor.text(), "{ resource.service.name");
    let cmds = typed(&mut app, " = \"");
    assert_eq!(
        cmds,
        [Cmd::LoadLabelValues {
            lang: QueryLang::TraceQL,
            label: "resource.service.name".into()
        }]
    );
    let values = tempo::decode::tag_values_v2(&fixture("tempo/shop-tag-values-service.json"))
        .expect("values");
    send(
        &mut app,
        [Msg::LabelValuesLoaded {
            lang: QueryLang::TraceQL,
            label: "resource.service.name".into(),
            result: Ok(attribute_values(&values)),
        }],
    );
    typed(&mut app, "pay");
    assert_eq!(offered(&app, QueryLang::TraceQL)[0].0, "payments");
    send(&mut app, [key(KeyCode::Tab)]);
    // An intrinsic, then its keyword values: not fetched, not quoted.
    typed(&mut app, "\" && span.http.ro");
    assert_eq!(
        offered(&app, QueryLang::TraceQL)[0],
        ("span.http.route".into(), "attribute · span".into())
    );
    send(
        &mut app,
        "span.http.ro".chars().map(|_| key(KeyCode::Backspace)),
    );
    typed(&mut app, "span:st");
    assert_eq!(
        offered(&app, QueryLang::TraceQL)[0],
        ("span:status".into(), "intrinsic".into())
    );
    send(&mut app, [key(KeyCode::Tab)]);
    let cmds = typed(&mut app, " = e");
    assert!(cmds.is_empty(), "status values are TraceQL's own: {cmds:?}");
    assert_eq!(offered(&app, QueryLang::TraceQL)[0].0, "error");
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(
        app.query.traceql.editor.text(),
        "{ resource.service.name = \"payments\" && span:status = error"
    );
    // A value typed bare is inserted as a TraceQL string.
    clear(&mut app);
    typed(&mut app, "{ resource.service.name = ");
    send(&mut app, [key(KeyCode::Tab)]);
    assert!(
        app.query.traceql.editor.text().ends_with("= \"orders\""),
        "{}",
        app.query.traceql.editor.text()
    );
}

#[test]
fn names_refresh_for_the_tab_in_front_and_a_failed_backend_offers_nothing() {
    let (mut app, _) = open_tab(QueryLang::LogQL);
    let now = app.now;
    let cmds = send(
        &mut app,
        [Msg::Tick {
            elapsed: Duration::from_secs(61),
            now,
        }],
    );
    let cmds = [
        cmds,
        send(
            &mut app,
            [Msg::Tick {
                elapsed: Duration::from_millis(100),
                now,
            }],
        ),
    ]
    .concat();
    assert_eq!(names_asked(&cmds), [QueryLang::LogQL]);
    send(
        &mut app,
        [Msg::NamesLoaded {
            lang: QueryLang::LogQL,
            result: Err("this lab has no Loki".into()),
        }],
    );
    typed(&mut app, "{");
    assert!(offered(&app, QueryLang::LogQL).is_empty());
    typed(&mut app, "}| ");
    assert!(
        offered(&app, QueryLang::LogQL)
            .iter()
            .all(|(_, kind)| kind == "keyword"),
        "the language's own words remain"
    );
}
