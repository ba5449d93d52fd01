//! Render snapshots of the log and trace widgets with shop data, drawn with the plain theme
//! so glyphs alone must tell levels, errors and the critical path apart: the log view
//! (plain, wrapped, one entry expanded), the volume histogram, the trace list, a checkout
//! trace's waterfall (whole and folded), a span's details and the service map. Then empty
//! inputs, tiny areas, big inputs, and hostile text that must reach the screen escaped.

use chrono::FixedOffset;
use labtui::lab::query::Labels;
use labtui::lab::query::logs::{LogEntry, VolumeBucket};
use labtui::lab::query::traces::{
    HitSpan, Span, SpanEvent, SpanKind, SpanLink, SpanStatus, Trace, TraceHit, Waterfall,
    WaterfallRow,
};
use labtui::tui::theme::Theme;
use labtui::tui::widgets::{
    LogViewModel, LogViewState, MapEdge, TraceListModel, TraceSort, WaterfallView,
    bucket_at_column, render_log_detail, render_logview, render_service_map, render_span_details,
    render_trace_list, render_volume, render_waterfall,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// 2023-11-15 12:00:00 UTC, in nanoseconds.
const NOON: i64 = 1_700_049_600_000_000_000;
const MS: i64 = 1_000_000;
/// The text every escape test plants: a screen clear, an OSC 52 clipboard write, a C1
/// control and a right-to-left override.
const HOSTILE: &str = "pwned \x1b[2J \x1b]52;c;aGVsbG8=\x07 \u{9b}31m \u{202e}txt.exe";

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("UTC")
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn draw(
    w: u16,
    h: u16,
    f: impl FnOnce(ratatui::layout::Rect, &mut Buffer),
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal
        .draw(|frame| f(frame.area(), frame.buffer_mut()))
        .expect("draw");
    terminal
}

fn text(terminal: &Terminal<TestBackend>) -> String {
    format!("{}", terminal.backend())
}

/// No cell may hold a control character or a bidi control, whatever the input held.
fn assert_harmless(terminal: &Terminal<TestBackend>) {
    for cell in terminal.backend().buffer().content() {
        let bad = cell.symbol().chars().find(|c| {
            c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        });
        assert!(bad.is_none(), "cell holds {bad:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Logs

fn log(at_ms: i64, stream: &[(&str, &str)], structured: &[(&str, &str)], line: &str) -> LogEntry {
    LogEntry {
        ts_ns: NOON + at_ms * MS,
        stream: labels(stream),
        structured: labels(structured),
        parsed: Labels::new(),
        line: line.to_string(),
    }
}

/// A checkout going wrong, newest first as Loki returns it: `level` on some streams,
/// Loki's `detected_level` on others.
fn shop_logs() -> Vec<LogEntry> {
    let s = |service: &'static str, level: &'static str| {
        [
            ("service_name", service),
            ("level", level),
            ("namespace", "lab"),
        ]
    };
    vec![
        log(
            4_310,
            &s("storefront", "info"),
            &[],
            r#"{"level":"info","msg":"GET /products","status":200,"duration_ms":12,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#,
        ),
        log(
            4_120,
            &s("storefront", "error"),
            &[],
            r#"{"level":"error","msg":"checkout failed","status":502,"order_id":"o-1042","error":"payments: card declined by issuer (code 05, do not honour)"}"#,
        ),
        log(
            4_090,
            &s("payments", "error"),
            &[("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")],
            r#"{"level":"error","msg":"charge failed","order_id":"o-1042","amount_cents":4599,"error":"card declined"}"#,
        ),
        log(
            3_950,
            &s("payments", "warn"),
            &[],
            r#"{"level":"warn","msg":"bank authorisation slow","elapsed_ms":875,"threshold_ms":500}"#,
        ),
        log(
            3_180,
            &[("service_name", "inventory")],
            &[("detected_level", "info")],
            r#"{"msg":"reserved","sku":"KB-01","qty":1,"order_id":"o-1042"}"#,
        ),
        log(
            3_100,
            &s("orders", "info"),
            &[],
            r#"{"level":"info","msg":"placing order","order_id":"o-1042","items":2}"#,
        ),
        log(
            3_020,
            &s("orders", "debug"),
            &[],
            r#"{"level":"debug","msg":"cart loaded","cart_id":"c-77","items":2}"#,
        ),
        log(
            2_990,
            &s("storefront", "info"),
            &[],
            r#"{"level":"info","msg":"POST /checkout","user":"u-311"}"#,
        ),
    ]
}

fn logview_screen(
    model: &LogViewModel,
    state: &LogViewState,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    draw(w, h, |area, buf| {
        render_logview(model, state, &Theme::plain(), area, buf)
    })
}

#[test]
fn log_view_with_a_selection() {
    let model = LogViewModel::new(&shop_logs(), utc());
    let state = LogViewState {
        selected: 2,
        ..LogViewState::default()
    };
    for (w, h) in [(120, 36), (80, 24)] {
        insta::assert_snapshot!(
            format!("logview_selected_{w}x{h}"),
            logview_screen(&model, &state, w, h).backend()
        );
    }
    let screen = text(&logview_screen(&model, &state, 120, 36));
    for level in ["ERROR", "WARN ", "INFO ", "DEBUG"] {
        assert!(screen.contains(level), "{level} missing:\n{screen}");
    }
    assert!(screen.contains("› 12:00:04.090 ERROR payments"), "{screen}");
}

#[test]
fn log_view_wrapped_oldest_first_and_filtered() {
    let mut model = LogViewModel::new(&shop_logs(), utc());
    let state = LogViewState {
        selected: 1,
        offset: 0,
        wrap: true,
    };
    for (w, h) in [(120, 36), (80, 24)] {
        insta::assert_snapshot!(
            format!("logview_wrapped_{w}x{h}"),
            logview_screen(&model, &state, w, h).backend()
        );
    }
    model.set_newest_first(false);
    model.set_filter("o-1042");
    assert_eq!(model.visible_len(), 4);
    assert_eq!(model.entry_index(0), 5);
    insta::assert_snapshot!(
        "logview_oldest_first_filtered_80x24",
        logview_screen(&model, &state, 80, 24).backend()
    );
}

#[test]
fn log_view_keeps_a_selection_below_tall_wrapped_lines_in_view() {
    let long = "x".repeat(400);
    let entries: Vec<LogEntry> = (0..20)
        .map(|i| {
            log(
                i,
                &[("service_name", "orders"), ("level", "info")],
                &[],
                &format!("{i:02} {long}"),
            )
        })
        .collect();
    let model = LogViewModel::new(&entries, utc());
    let state = LogViewState {
        selected: 6,
        offset: 0,
        wrap: true,
    };
    let screen = text(&logview_screen(&model, &state, 60, 12));
    assert!(
        screen.contains("› 00:00:00.000") || screen.contains("›"),
        "{screen}"
    );
    assert!(screen.contains("06 xxx"), "{screen}");
}

#[test]
fn an_expanded_log_entry() {
    let mut entry = shop_logs()[2].clone();
    entry.parsed = labels(&[("msg", "charge failed"), ("order_id", "o-1042")]);
    let fields: Vec<(String, String)> = [
        ("level", "error"),
        ("msg", "charge failed"),
        ("order_id", "o-1042"),
        ("amount_cents", "4599"),
        ("error", "card declined"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (w, h) in [(120, 36), (80, 24)] {
        let screen = draw(w, h, |area, buf| {
            render_log_detail(&entry, &fields, 0, &Theme::plain(), area, buf)
        });
        insta::assert_snapshot!(format!("log_detail_{w}x{h}"), screen.backend());
    }
    // No structured metadata section when the entry has none; scrolling drops the top.
    entry.structured.clear();
    let screen = text(&draw(80, 24, |area, buf| {
        render_log_detail(&entry, &fields, 2, &Theme::plain(), area, buf)
    }));
    assert!(!screen.contains("structured metadata"), "{screen}");
    assert!(!screen.contains("2023-11-15T12:00:04"), "{screen}");
}

// ---------------------------------------------------------------------------------------
// Volume

/// Fifteen minutes in 30 s buckets: steady traffic, a surge, errors during the incident.
fn volume() -> Vec<VolumeBucket> {
    (0..30)
        .map(|i: i64| {
            let total = 40 + (i * 7 % 13) as u64 + if (16..22).contains(&i) { 90 } else { 0 };
            let errors = match i {
                17..=20 => 25 + (i as u64 - 17) * 10,
                8 => 3,
                _ => 0,
            };
            VolumeBucket {
                start_ns: NOON + i * 30_000 * MS,
                end_ns: NOON + (i + 1) * 30_000 * MS,
                total,
                errors,
            }
        })
        .collect()
}

#[test]
fn volume_histogram_with_errors_and_a_selected_bar() {
    let buckets = volume();
    for (w, h) in [(120, 6), (80, 5), (60, 3), (20, 4)] {
        let screen = draw(w, h, |area, buf| {
            render_volume(&buckets, Some(19), utc(), &Theme::plain(), area, buf)
        });
        insta::assert_snapshot!(format!("volume_{w}x{h}"), screen.backend());
        let t = text(&screen);
        assert!(t.contains('▓'), "{t}");
        assert!(t.contains('^'), "{t}");
    }
    // The column the `^` sits under selects that bar back.
    assert_eq!(bucket_at_column(buckets.len(), 120, 19 * 4), Some(19));
    assert_eq!(bucket_at_column(buckets.len(), 20, 12), Some(18));
}

// ---------------------------------------------------------------------------------------
// Traces

fn hit(
    id: &str,
    service: Option<&str>,
    name: &str,
    at_ms: i64,
    ms: Option<u64>,
    matched: usize,
    error: bool,
) -> TraceHit {
    TraceHit {
        trace_id: id.into(),
        root_service: service.map(str::to_string),
        root_name: Some(name.into()),
        start_ns: NOON + at_ms * MS,
        duration_ms: ms,
        matched,
        spans: vec![HitSpan {
            span_id: "00f067aa0ba902b7".into(),
            name: Some(name.into()),
            start_ns: NOON + at_ms * MS,
            duration_ns: ms.unwrap_or(0) as i64 * MS,
            attributes: if error {
                vec![("status".into(), "error".into())]
            } else {
                vec![("status".into(), "ok".into())]
            },
        }],
    }
}

fn hits() -> Vec<TraceHit> {
    vec![
        hit(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            Some("storefront"),
            "POST /checkout",
            2_990,
            Some(960),
            3,
            true,
        ),
        hit(
            "a3ce929d0e0e47364bf92f3577b34da6",
            Some("storefront"),
            "GET /products",
            4_310,
            Some(12),
            1,
            false,
        ),
        hit(
            "0e0e47364bf92f3577b34da6a3ce929d",
            Some("storefront"),
            "POST /checkout",
            1_200,
            Some(1_480),
            4,
            false,
        ),
        hit(
            "77b34da6a3ce929d0e0e47364bf92f35",
            Some("cart"),
            "GET /cart",
            5_020,
            None,
            1,
            false,
        ),
        hit(
            "9d0e0e47364bf92f3577b34da6a3ce92",
            None,
            "",
            5_400,
            Some(230),
            2,
            true,
        ),
        hit(
            "e47364bf92f3577b34da6a3ce929d0e0",
            Some("storefront"),
            "POST /checkout/confirm-payment-and-notify-warehouse",
            6_000,
            Some(2_150),
            7,
            false,
        ),
    ]
}

#[test]
fn trace_list_sorted_slowest_first() {
    let mut model = TraceListModel::new(&hits(), utc());
    model.sort_by(TraceSort::DurationDesc);
    assert_eq!(model.hit_index(0), 5);
    for (w, h) in [(120, 36), (80, 24)] {
        let screen = draw(w, h, |area, buf| {
            render_trace_list(&model, 1, 0, &Theme::plain(), area, buf)
        });
        insta::assert_snapshot!(format!("trace_list_{w}x{h}"), screen.backend());
    }
    let narrow = text(&draw(80, 24, |area, buf| {
        render_trace_list(&model, 1, 0, &Theme::plain(), area, buf)
    }));
    assert!(narrow.contains("4bf92f35…"), "{narrow}");
}

fn span(
    id: &str,
    parent: Option<&str>,
    service: &str,
    name: &str,
    kind: SpanKind,
    ms: (i64, i64),
) -> Span {
    Span {
        span_id: id.into(),
        parent_id: parent.map(str::to_string),
        name: name.into(),
        kind,
        service: service.into(),
        start_ns: NOON + ms.0 * MS,
        end_ns: NOON + ms.1 * MS,
        status: SpanStatus::Unset,
        status_message: None,
        attributes: Vec::new(),
        resource: vec![("service.name".into(), service.into())],
        events: Vec::new(),
        links: Vec::new(),
    }
}

/// A checkout: storefront → orders, which reads the cart and then calls inventory and
/// payments in parallel; payments waits 875 ms on the bank and fails. The receipt email
/// arrived without its parent.
fn checkout() -> Trace {
    use SpanKind::*;
    let mut spans = vec![
        span("a1", None, "storefront", "POST /checkout", Server, (0, 943)),
        span(
            "a2",
            Some("a1"),
            "storefront",
            "orders.PlaceOrder",
            Client,
            (5, 940),
        ),
        span("b1", Some("a2"), "orders", "PlaceOrder", Server, (8, 938)),
        span(
            "b2",
            Some("b1"),
            "orders",
            "SELECT cart_items",
            Client,
            (10, 30),
        ),
        span(
            "b3",
            Some("b1"),
            "orders",
            "inventory.Reserve",
            Client,
            (35, 120),
        ),
        span("c1", Some("b3"), "inventory", "Reserve", Server, (38, 118)),
        span(
            "b4",
            Some("b1"),
            "orders",
            "payments.Charge",
            Client,
            (35, 930),
        ),
        span("d1", Some("b4"), "payments", "Charge", Server, (40, 928)),
        span(
            "d2",
            Some("d1"),
            "payments",
            "bank.Authorize",
            Client,
            (45, 920),
        ),
        span(
            "e1",
            Some("zz"),
            "email",
            "SendReceipt",
            Consumer,
            (945, 960),
        ),
    ];
    let charge = &mut spans[7];
    charge.status = SpanStatus::Error;
    charge.status_message = Some("card declined".into());
    charge.attributes = vec![
        ("order.id".into(), "o-1042".into()),
        ("payment.amount_cents".into(), "4599".into()),
        ("rpc.method".into(), "Charge".into()),
    ];
    charge.events = vec![
        SpanEvent {
            time_ns: NOON + 921 * MS,
            name: "exception".into(),
            attributes: vec![
                ("exception.type".into(), "CardDeclined".into()),
                (
                    "exception.message".into(),
                    "card declined by issuer (code 05)".into(),
                ),
            ],
        },
        SpanEvent {
            time_ns: NOON + 925 * MS,
            name: "retry.skipped".into(),
            attributes: vec![("reason".into(), "not retryable".into())],
        },
    ];
    charge.links = vec![SpanLink {
        trace_id: "77b34da6a3ce929d0e0e47364bf92f35".into(),
        span_id: "00f067aa0ba902b7".into(),
    }];
    Trace {
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
        spans,
    }
}

fn wrow(
    span: usize,
    depth: usize,
    has_children: bool,
    self_ms: i64,
    critical: &[(i64, i64)],
) -> WaterfallRow {
    WaterfallRow {
        span,
        depth,
        orphan: false,
        has_children,
        self_ns: self_ms * MS,
        critical: critical
            .iter()
            .map(|(a, b)| (NOON + a * MS, NOON + b * MS))
            .collect(),
        skewed: false,
    }
}

/// The checkout laid out by hand: depth first, siblings by start; the critical path runs
/// storefront → orders → (cart read, then) payments → bank.
fn checkout_waterfall() -> Waterfall {
    let mut orphan = wrow(9, 0, false, 15, &[]);
    orphan.orphan = true;
    Waterfall {
        start_ns: NOON,
        end_ns: NOON + 960 * MS,
        rows: vec![
            wrow(0, 0, true, 8, &[(0, 5), (940, 943)]),
            wrow(1, 1, true, 5, &[(5, 8), (938, 940)]),
            wrow(2, 2, true, 15, &[(8, 10), (30, 35), (930, 938)]),
            wrow(3, 3, false, 20, &[(10, 30)]),
            wrow(4, 3, true, 5, &[]),
            wrow(5, 4, false, 80, &[]),
            wrow(6, 3, true, 7, &[(35, 40), (928, 930)]),
            wrow(7, 4, true, 13, &[(40, 45), (920, 928)]),
            wrow(8, 5, false, 875, &[(45, 920)]),
            orphan,
        ],
    }
}

fn waterfall_screen(
    trace: &Trace,
    wf: &Waterfall,
    view: &WaterfallView,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    draw(w, h, |area, buf| {
        render_waterfall(trace, wf, view, &Theme::plain(), area, buf)
    })
}

#[test]
fn waterfall_shows_the_critical_path_in_its_own_glyph() {
    let (trace, wf) = (checkout(), checkout_waterfall());
    let mut view = WaterfallView::new(&wf);
    view.selected = 7;
    view.matches = vec![5, 8];
    for (w, h) in [(120, 36), (80, 24)] {
        insta::assert_snapshot!(
            format!("waterfall_{w}x{h}"),
            waterfall_screen(&trace, &wf, &view, w, h).backend()
        );
    }
    let screen = text(&waterfall_screen(&trace, &wf, &view, 120, 36));
    let bank = screen
        .lines()
        .find(|l| l.contains("bank.Authorize"))
        .expect("bank row");
    assert!(bank.contains('█') && !bank.contains('▒'), "{bank}");
    let inventory = screen
        .lines()
        .find(|l| l.contains("inventory Reserve"))
        .expect("inventory row");
    assert!(
        inventory.contains('▒') && !inventory.contains('█'),
        "{inventory}"
    );
    assert!(screen.contains("✗ payments Charge"), "{screen}");
    assert!(screen.contains("⚠ email SendReceipt"), "{screen}");
}

#[test]
fn waterfall_with_a_folded_subtree() {
    let (trace, wf) = (checkout(), checkout_waterfall());
    let mut view = WaterfallView::new(&wf);
    view.selected = 6;
    view.toggle_collapse(&wf);
    assert_eq!(view.visible, [0, 1, 2, 3, 4, 5, 6, 9]);
    view.selected = 4;
    view.toggle_collapse(&wf);
    assert_eq!(view.visible, [0, 1, 2, 3, 4, 6, 9]);
    let screen = waterfall_screen(&trace, &wf, &view, 120, 36);
    insta::assert_snapshot!("waterfall_folded_120x36", screen.backend());
    let t = text(&screen);
    assert!(t.contains("▸ orders payments.Charge"), "{t}");
    assert!(!t.contains("bank.Authorize"), "{t}");
}

#[test]
fn span_details_with_an_exception() {
    let (trace, wf) = (checkout(), checkout_waterfall());
    for (w, h) in [(120, 36), (80, 24)] {
        let screen = draw(w, h, |area, buf| {
            render_span_details(&trace, &wf, 7, 0, &Theme::plain(), area, buf)
        });
        insta::assert_snapshot!(format!("span_details_{w}x{h}"), screen.backend());
    }
    let t = text(&draw(80, 24, |area, buf| {
        render_span_details(&trace, &wf, 7, 0, &Theme::plain(), area, buf)
    }));
    assert!(
        t.contains("exception.message = card declined by issuer"),
        "{t}"
    );
    assert!(t.contains("888ms"), "{t}");
}

fn shop_map() -> Vec<MapEdge> {
    let e = |client: &str, server: &str, rate: f64, error_ratio: f64| MapEdge {
        client: client.into(),
        server: server.into(),
        rate,
        error_ratio,
    };
    vec![
        e("loadgen", "storefront", 12.0, 0.0),
        e("storefront", "catalog", 8.2, 0.0),
        e("storefront", "cart", 5.5, 0.0),
        e("storefront", "orders", 4.1, 0.0),
        e("orders", "inventory", 4.0, 0.0),
        e("orders", "payments", 3.9, 0.125),
        e("payments", "payments", 0.05, 0.0),
    ]
}

#[test]
fn service_map_with_a_failing_edge() {
    for (w, h) in [(120, 36), (80, 24)] {
        let screen = draw(w, h, |area, buf| {
            render_service_map(&shop_map(), Some(5), &Theme::plain(), area, buf)
        });
        insta::assert_snapshot!(format!("service_map_{w}x{h}"), screen.backend());
        let t = text(&screen);
        assert!(t.contains("3.9/s   12.5% err !"), "{t}");
    }
}

// ---------------------------------------------------------------------------------------
// Edges

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
