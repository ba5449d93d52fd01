//! The log and trace widgets at the edges: empty inputs and tiny areas draw without
//! panicking, 5,000 log lines and 2,000 spans render, and hostile text (a screen clear, an
//! OSC 52 clipboard write, a C1 control, a bidi override) reaches the screen escaped.

use labtui::lab::query::logs::LogEntry;
use labtui::lab::query::traces::{Span, SpanKind, Trace, Waterfall};
use labtui::tui::theme::Theme;
use labtui::tui::widgets::{
    LogViewModel, LogViewState, MapEdge, TraceListModel, WaterfallView, render_log_detail,
    render_logview, render_service_map, render_span_details, render_trace_list, render_volume,
    render_waterfall,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod widget_fixtures;

use widget_fixtures::*;

#[test]
fn empty_inputs_and_tiny_areas_draw_without_panicking() {
    let theme = Theme::plain();
    let logs = LogViewModel::new(&shop_logs(), utc());
    let no_logs = LogViewModel::new(&[], utc());
    let list = TraceListModel::new(&hits(), utc());
    let no_hits = TraceListModel::new(&[], utc());
    let (trace, wf) = (checkout(), checkout_waterfall());
    let mut view = WaterfallView::new(&wf);
    view.selected = 9;
    let empty_wf = Waterfall::default();
    let empty_view = WaterfallView::new(&empty_wf);
    let buckets = volume();
    let cycle = vec![
        MapEdge {
            client: "a".into(),
            server: "b".into(),
            rate: f64::NAN,
            error_ratio: 2.0,
        },
        MapEdge {
            client: "b".into(),
            server: "a".into(),
            rate: 1.0,
            error_ratio: -1.0,
        },
        MapEdge {
            client: "c".into(),
            server: "c".into(),
            rate: 1.0,
            error_ratio: 0.0,
        },
    ];
    for (w, h) in [
        (0, 0),
        (1, 1),
        (3, 10),
        (10, 3),
        (24, 2),
        (30, 8),
        (250, 80),
    ] {
        draw(w, h, |area, buf| {
            for wrap in [false, true] {
                let state = LogViewState {
                    selected: 5,
                    offset: 3,
                    wrap,
                };
                render_logview(&logs, &state, &theme, area, buf);
                render_logview(&no_logs, &state, &theme, area, buf);
            }
            render_log_detail(&shop_logs()[0], &[], 40, &theme, area, buf);
            render_volume(&buckets, Some(29), utc(), &theme, area, buf);
            render_volume(&buckets, Some(99), utc(), &theme, area, buf);
            render_volume(&[], None, utc(), &theme, area, buf);
            render_trace_list(&list, 9, 4, &theme, area, buf);
            render_trace_list(&no_hits, 0, 0, &theme, area, buf);
            render_waterfall(&trace, &wf, &view, &theme, area, buf);
            render_waterfall(&Trace::default(), &empty_wf, &empty_view, &theme, area, buf);
            // A waterfall whose rows point past the trace's spans, and a bad row.
            render_waterfall(&Trace::default(), &wf, &view, &theme, area, buf);
            render_span_details(&trace, &wf, 99, 0, &theme, area, buf);
            render_span_details(&trace, &wf, 7, 500, &theme, area, buf);
            render_service_map(&shop_map(), Some(99), &theme, area, buf);
            render_service_map(&cycle, Some(0), &theme, area, buf);
            render_service_map(&[], None, &theme, area, buf);
        });
    }
}

#[test]
fn five_thousand_log_lines_and_two_thousand_spans_render() {
    let entries: Vec<LogEntry> = (0..5_000)
        .map(|i| {
            let level = ["info", "warn", "error", "debug"][i % 4];
            log(
                5_000 - i as i64,
                &[("service_name", "orders"), ("level", level)],
                &[],
                &format!(
                    r#"{{"msg":"line {i}","order_id":"o-{i}","padding":"{}"}}"#,
                    "y".repeat(i % 300)
                ),
            )
        })
        .collect();
    let model = LogViewModel::new(&entries, utc());
    let state = LogViewState {
        selected: 4_990,
        offset: 4_970,
        wrap: true,
    };
    let t = text(&logview_screen(&model, &state, 120, 36));
    assert!(t.contains(r#""msg":"line 4990""#), "{t}");
    // An offset left far behind the selection still shows it.
    let stale = LogViewState { offset: 0, ..state };
    let t = text(&logview_screen(&model, &stale, 120, 36));
    assert!(t.contains(r#""msg":"line 4990""#), "{t}");

    let (trace, wf) = big_trace(2_000);
    let mut view = WaterfallView::new(&wf);
    view.selected = 1_999;
    view.scroll_to_selected(35);
    let t = text(&waterfall_screen(&trace, &wf, &view, 120, 36));
    assert!(t.contains("op-1999"), "{t}");
}

/// A chain of `n` spans, each one inside the previous, every tenth a sibling.
fn big_trace(n: usize) -> (Trace, Waterfall) {
    let spans: Vec<Span> = (0..n)
        .map(|i| {
            let start = i as i64;
            span(
                &format!("{i:x}"),
                None,
                &format!("svc-{}", i % 7),
                &format!("op-{i}"),
                SpanKind::Internal,
                (start, start + 10 + (n - i) as i64),
            )
        })
        .collect();
    let rows = (0..n)
        .map(|i| wrow(i, i % 10, i % 10 != 9, 1, &[(i as i64, i as i64 + 1)]))
        .collect();
    let end = spans.iter().map(|s| s.end_ns).max().unwrap_or(NOON);
    (
        Trace {
            trace_id: "big".into(),
            spans,
        },
        Waterfall {
            start_ns: NOON,
            end_ns: end,
            rows,
        },
    )
}

#[test]
fn hostile_text_reaches_the_screen_escaped() {
    let mut entry = log(
        0,
        &[("service_name", HOSTILE), ("level", "error")],
        &[("note", HOSTILE)],
        HOSTILE,
    );
    entry.parsed = labels(&[(HOSTILE, HOSTILE)]);
    let entries = vec![entry.clone()];
    let model = LogViewModel::new(&entries, utc());
    let fields = vec![(HOSTILE.to_string(), HOSTILE.to_string())];
    let mut trace = checkout();
    trace.spans[7]
        .attributes
        .push(("note".into(), HOSTILE.into()));
    trace.spans[7].name = HOSTILE.into();
    trace.spans[7].service = HOSTILE.into();
    trace.spans[7].events[0]
        .attributes
        .push(("exception.message".into(), HOSTILE.into()));
    let wf = checkout_waterfall();
    let mut view = WaterfallView::new(&wf);
    view.selected = 7;
    let mut hit = hits()[0].clone();
    hit.trace_id = HOSTILE.into();
    hit.root_name = Some(HOSTILE.into());
    let list = TraceListModel::new(&[hit], utc());
    let edges = vec![MapEdge {
        client: HOSTILE.into(),
        server: "orders".into(),
        rate: 1.0,
        error_ratio: 0.0,
    }];

    let theme = Theme::plain();
    let screens: Vec<(&str, Terminal<TestBackend>)> = vec![
        (
            "log view",
            draw(200, 10, |a, b| {
                render_logview(&model, &LogViewState::default(), &theme, a, b)
            }),
        ),
        (
            "log view wrapped",
            draw(60, 20, |a, b| {
                render_logview(
                    &model,
                    &LogViewState {
                        wrap: true,
                        ..LogViewState::default()
                    },
                    &theme,
                    a,
                    b,
                )
            }),
        ),
        (
            "log detail",
            draw(200, 30, |a, b| {
                render_log_detail(&entry, &fields, 0, &theme, a, b)
            }),
        ),
        (
            "waterfall",
            draw(200, 14, |a, b| {
                render_waterfall(&trace, &wf, &view, &theme, a, b)
            }),
        ),
        (
            "span details",
            draw(200, 40, |a, b| {
                render_span_details(&trace, &wf, 7, 0, &theme, a, b)
            }),
        ),
        (
            "trace list",
            draw(200, 4, |a, b| render_trace_list(&list, 0, 0, &theme, a, b)),
        ),
        (
            "service map",
            draw(200, 10, |a, b| {
                render_service_map(&edges, None, &theme, a, b)
            }),
        ),
    ];
    for (name, screen) in &screens {
        assert_harmless(screen);
        let t = text(screen);
        assert!(t.contains(r"\e[2J"), "{name}:\n{t}");
    }
    let detail = text(&screens[2].1);
    assert!(detail.contains(r"\e]52;c;aGVsbG8=\u{7}"), "{detail}");
    assert!(detail.contains(r"\u{9b}31m"), "{detail}");
    assert!(detail.contains(r"\u{202e}txt.exe"), "{detail}");
    let details = text(&screens[4].1);
    assert!(details.contains(r"\u{202e}txt.exe"), "{details}");
}
