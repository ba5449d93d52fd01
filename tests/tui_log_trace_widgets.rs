//! Render snapshots of the log and trace widgets with shop data, drawn with the plain theme
//! so glyphs alone must tell levels, errors and the critical path apart: the log view
//! (plain, wrapped, one entry expanded), the volume histogram, the trace list, a checkout
//! trace's waterfall (whole and folded), a span's details and the service map. Empty
//! inputs, big inputs and hostile text are in tui_log_trace_widgets_edges.rs.

use labtui::lab::query::logs::LogEntry;
use labtui::tui::theme::Theme;
use labtui::tui::widgets::{
    LogViewModel, LogViewState, TraceListModel, TraceSort, WaterfallView, bucket_at_column,
    render_log_detail, render_service_map, render_span_details, render_trace_list, render_volume,
};

mod widget_fixtures;

use widget_fixtures::*;

// ---------------------------------------------------------------------------------------
// Logs

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
