//! Shop-like data the log and trace widget tests draw: log lines, a volume, search hits,
//! a checkout trace laid out by hand, a service map; and the drawing helpers they share.

#![allow(dead_code)]

use chrono::FixedOffset;
use labtui::lab::query::Labels;
use labtui::lab::query::logs::{LogEntry, VolumeBucket};
use labtui::lab::query::traces::{
    HitSpan, Span, SpanEvent, SpanKind, SpanLink, SpanStatus, Trace, TraceHit, Waterfall,
    WaterfallRow,
};
use labtui::tui::theme::Theme;
use labtui::tui::widgets::{
    LogViewModel, LogViewState, MapEdge, WaterfallView, render_logview, render_waterfall,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// 2023-11-15 12:00:00 UTC, in nanoseconds.
pub const NOON: i64 = 1_700_049_600_000_000_000;

pub const MS: i64 = 1_000_000;

/// The text every escape test plants: a screen clear, an OSC 52 clipboard write, a C1
/// control and a right-to-left override.
pub const HOSTILE: &str = "pwned \x1b[2J \x1b]52;c;aGVsbG8=\x07 \u{9b}31m \u{202e}txt.exe";

pub fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("UTC")
}

pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn draw(
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

pub fn text(terminal: &Terminal<TestBackend>) -> String {
    format!("{}", terminal.backend())
}

/// No cell may hold a control character or a bidi control, whatever the input held.
pub fn assert_harmless(terminal: &Terminal<TestBackend>) {
    for cell in terminal.backend().buffer().content() {
        let bad = cell.symbol().chars().find(|c| {
            c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        });
        assert!(bad.is_none(), "cell holds {bad:?}");
    }
}

pub fn log(
    at_ms: i64,
    stream: &[(&str, &str)],
    structured: &[(&str, &str)],
    line: &str,
) -> LogEntry {
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
pub fn shop_logs() -> Vec<LogEntry> {
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

/// Fifteen minutes in 30 s buckets: steady traffic, a surge, errors during the incident.
pub fn volume() -> Vec<VolumeBucket> {
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

pub fn hit(
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

pub fn hits() -> Vec<TraceHit> {
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

pub fn span(
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
pub fn checkout() -> Trace {
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

pub fn wrow(
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
pub fn checkout_waterfall() -> Waterfall {
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

pub fn shop_map() -> Vec<MapEdge> {
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

pub fn logview_screen(
    model: &LogViewModel,
    state: &LogViewState,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    draw(w, h, |area, buf| {
        render_logview(model, state, &Theme::plain(), area, buf)
    })
}

pub fn waterfall_screen(
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
