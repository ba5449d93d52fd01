//! Render snapshots of the shared query widgets with shop data: the chart with its legend
//! and cursor, one series hidden, and the instant table with shared labels, a selection
//! and a sort; each wide (legend beside) and narrow (legend under).

use std::collections::BTreeMap;

use chrono::FixedOffset;
use labtui::lab::query::{InstantSeries, Labels, RangeSeries, Sample, Unit};
use labtui::tui::theme::Theme;
use labtui::tui::widgets::{ChartModel, SortKey, TableModel, render_chart, render_table};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2023-11-15 12:00:00 UTC.
const NOON: f64 = 1_700_049_600.0;
const STEP: f64 = 15.0;
const EXPR: &str = "histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m])))";

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Thirty minutes of p95 latency for three shop services: payments steady near 120 ms,
/// checkout climbing to a 1.4 s spike, cart with a failed scrape (NaN) and a missing step.
fn p95_per_service() -> Vec<RangeSeries> {
    let points = 121;
    let make = |service: &str, f: &dyn Fn(usize) -> f64| RangeSeries {
        labels: labels(&[("job", "shop"), ("service", service)]),
        samples: (0..points)
            .map(|i| Sample {
                t: NOON + STEP * i as f64,
                v: f(i),
            })
            .filter(|s| !(service == "cart" && s.t == NOON + STEP * 90.0))
            .collect(),
    };
    vec![
        make("payments", &|i| 0.12 + 0.01 * ((i as f64) / 7.0).sin()),
        make("checkout", &|i| match i {
            70 => 1.4,
            _ => 0.3 + 0.004 * i as f64,
        }),
        make("cart", &|i| {
            if i == 40 {
                f64::NAN
            } else {
                0.05 + 0.02 * ((i as f64) / 11.0).cos()
            }
        }),
    ]
}

fn chart(width: u16) -> ChartModel {
    let unit = Unit::guess(EXPR);
    assert_eq!(unit, Unit::Seconds);
    ChartModel::new(&p95_per_service(), unit, width)
        .with_utc_offset(FixedOffset::east_opt(0).expect("UTC"))
}

fn draw(w: u16, h: u16, f: impl FnOnce(&mut ratatui::Frame)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(f).expect("draw");
    terminal
}

fn chart_screen(model: &ChartModel, w: u16, h: u16) -> Terminal<TestBackend> {
    draw(w, h, |f| {
        render_chart(model, &Theme::plain(), f.area(), f.buffer_mut())
    })
}

#[test]
fn chart_with_legend_and_cursor() {
    for (w, h) in [(120, 36), (80, 24)] {
        let mut model = chart(w);
        model.cursor_left();
        for _ in 0..70 {
            model.cursor_left();
        }
        assert_eq!(model.cursor, Some(50));
        insta::assert_snapshot!(
            format!("chart_cursor_{w}x{h}"),
            chart_screen(&model, w, h).backend()
        );
    }
}

#[test]
fn chart_with_one_series_hidden_fits_the_rest() {
    let mut model = chart(120);
    model.toggle(1);
    insta::assert_snapshot!(
        "chart_hidden_120x36",
        chart_screen(&model, 120, 36).backend()
    );
}

/// p95 latency per pod: every row shares job and namespace; one pod has no version.
fn p95_per_pod() -> Vec<InstantSeries> {
    let rows: [(&str, &str, Option<&str>, f64); 6] = [
        (
            "payments",
            "payments-7d9f8c6b5-x2k4q:8080",
            Some("v1.4.2"),
            0.118,
        ),
        (
            "payments",
            "payments-7d9f8c6b5-p9m3z:8080",
            Some("v1.4.2"),
            0.131,
        ),
        (
            "checkout",
            "checkout-5c8d7f9b4-abcde:8080",
            Some("v2.0.0-rc.1"),
            1.42,
        ),
        (
            "checkout",
            "checkout-5c8d7f9b4-fghij:8080",
            Some("v2.0.0-rc.1"),
            f64::NAN,
        ),
        ("cart", "cart-6b7c8d9e0-kl12m:8080", None, 0.052),
        (
            "catalog",
            "catalog-8e9f0a1b2-no34p:8080",
            Some("v0.9.7"),
            0.0074,
        ),
    ];
    rows.iter()
        .map(|(service, pod, version, v)| {
            let mut l = labels(&[
                ("job", "shop"),
                ("namespace", "lab"),
                ("service", service),
                ("instance", pod),
            ]);
            if let Some(version) = version {
                l.insert("version".into(), version.to_string());
            }
            InstantSeries {
                labels: l,
                sample: Sample { t: NOON, v: *v },
            }
        })
        .collect()
}

fn table_screen(model: &TableModel, selected: usize, w: u16, h: u16) -> Terminal<TestBackend> {
    draw(w, h, |f| {
        render_table(
            model,
            selected,
            0,
            &Theme::plain(),
            f.area(),
            f.buffer_mut(),
        )
    })
}

#[test]
fn table_with_common_labels_and_a_selection() {
    let model = TableModel::from_vector(&p95_per_pod(), Unit::Seconds);
    assert_eq!(
        model.common,
        BTreeMap::from([
            ("job".to_string(), "shop".to_string()),
            ("namespace".to_string(), "lab".to_string()),
        ])
    );
    for (w, h) in [(120, 36), (80, 24)] {
        insta::assert_snapshot!(
            format!("table_selected_{w}x{h}"),
            table_screen(&model, 2, w, h).backend()
        );
    }
}

#[test]
fn table_sorted_by_a_label() {
    let mut model = TableModel::from_vector(&p95_per_pod(), Unit::Seconds);
    model.sort(&SortKey::Label {
        name: "service".into(),
        descending: false,
    });
    insta::assert_snapshot!(
        "table_by_service_80x24",
        table_screen(&model, 0, 80, 24).backend()
    );

    // Too narrow for the pod names: cells are cut with "…", the value column stays whole
    // and the selected row's labels below stay complete over two lines.
    let narrow = format!("{:?}", table_screen(&model, 0, 50, 12).backend());
    assert!(narrow.contains("cart-6b7c8d9e0-kl12m… cart"), "{narrow}");
    assert!(narrow.contains("52ms"), "{narrow}");
    assert!(narrow.contains("service=\"cart\"}"), "{narrow}");
}

#[test]
fn an_empty_table_draws_nothing_and_many_rows_scroll() {
    let empty = TableModel::from_vector(&[], Unit::Seconds);
    let text = format!("{:?}", table_screen(&empty, 0, 40, 6).backend());
    assert!(!text.contains("value"), "{text}");

    let many: Vec<InstantSeries> = (0..500)
        .map(|i| InstantSeries {
            labels: labels(&[("job", "shop"), ("instance", &format!("pod-{i:03}"))]),
            sample: Sample {
                t: NOON,
                v: i as f64,
            },
        })
        .collect();
    let model = TableModel::from_vector(&many, Unit::Count);
    let area = ratatui::layout::Rect::new(0, 0, 40, 12);
    let visible = model.body_rows(area);
    let offset = labtui::tui::widgets::scroll_offset(499, 0, visible);
    let terminal = draw(40, 12, |f| {
        render_table(
            &model,
            499,
            offset,
            &Theme::plain(),
            f.area(),
            f.buffer_mut(),
        )
    });
    let text = format!("{:?}", terminal.backend());
    assert!(text.contains("pod-499"), "{text}");
    assert!(!text.contains("pod-480 "), "{text}");
}

#[test]
fn tiny_and_huge_areas_draw_without_panicking() {
    let mut model = chart(80);
    model.cursor_left();
    let table = TableModel::from_vector(&p95_per_pod(), Unit::Seconds);
    for (w, h) in [
        (0, 0),
        (1, 1),
        (5, 3),
        (20, 5),
        (100, 4),
        (100, 2),
        (250, 80),
    ] {
        model.resize(w);
        chart_screen(&model, w, h);
        table_screen(&table, 5, w, h);
    }
}
