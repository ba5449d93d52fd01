//! A recorded dashboard as plain text for `labtui interview`: each panel as a short table
//! sampled evenly over the range, with the annotations marked on the nearest row.

use chrono::{DateTime, FixedOffset, Offset as _};

use crate::lab::content::Dashboard;
use crate::lab::content::dashboard::Panel;

/// Rows per panel: enough to see a shape, few enough to read before answering.
const ROWS: usize = 8;
/// Columns per panel at most; the rest are counted under the table.
const MAX_SERIES: usize = 5;
/// Widest column header.
const HEADER_WIDTH: usize = 14;

/// The dashboard's lines, each panel a table of [`ROWS`] times.
pub fn lines(d: &Dashboard) -> Vec<String> {
    let offset = FixedOffset::east_opt(d.utc_offset_minutes * 60).unwrap_or(chrono::Utc.fix());
    let clock = |t: i64| {
        DateTime::from_timestamp(t, 0)
            .map(|dt| dt.with_timezone(&offset).format("%H:%M:%S").to_string())
            .unwrap_or_else(|| t.to_string())
    };
    let mut out = vec![format!("Recorded dashboard: {}", d.title)];
    let minutes = (d.end - d.start) / 60;
    out.push(format!(
        "{} to {} ({minutes} min, a point every {} s; times UTC{}), {} rows per panel:",
        clock(d.start),
        clock(d.end),
        d.step,
        utc_suffix(d.utc_offset_minutes),
        ROWS
    ));
    for a in &d.annotations {
        out.push(format!("  ▲ {} {}", clock(a.time), a.text));
    }
    let times = sample_times(d);
    for panel in &d.panels {
        out.push(String::new());
        out.extend(panel_table(panel, &times, d, &clock));
    }
    out
}

fn utc_suffix(minutes: i32) -> String {
    match minutes {
        0 => String::new(),
        m => format!(
            "{}{:02}:{:02}",
            if m < 0 { '-' } else { '+' },
            m.abs() / 60,
            m.abs() % 60
        ),
    }
}

/// [`ROWS`] instants spread evenly from start to end, on the step's grid.
fn sample_times(d: &Dashboard) -> Vec<i64> {
    let step = i64::from(d.step.max(1));
    let span = d.end - d.start;
    (0..ROWS)
        .map(|i| {
            let raw = d.start + span * i as i64 / (ROWS as i64 - 1);
            d.start + (raw - d.start) / step * step
        })
        .collect()
}

fn panel_table(
    panel: &Panel,
    times: &[i64],
    d: &Dashboard,
    clock: &dyn Fn(i64) -> String,
) -> Vec<String> {
    let unit = panel.chart_unit();
    let mut lines = vec![format!("{} ({})", panel.title, panel.unit)];
    lines.extend(
        panel
            .query
            .trim()
            .lines()
            .map(|l| format!("  {}", l.trim())),
    );
    let shown = &panel.series[..panel.series.len().min(MAX_SERIES)];
    let headers: Vec<String> = shown.iter().map(|s| header(&s.labels, panel)).collect();
    let widths: Vec<usize> = headers
        .iter()
        .map(|h| h.chars().count().clamp(8, HEADER_WIDTH))
        .collect();
    let mut head = format!("  {:<8}", "time");
    for (h, w) in headers.iter().zip(&widths) {
        head.push_str(&format!("  {:>w$}", truncate(h, *w)));
    }
    lines.push(head);
    let step = i64::from(d.step.max(1));
    // An annotation belongs to the row nearest it: within half the rows' spacing.
    let half_step = (d.end - d.start) / (2 * (ROWS as i64 - 1));
    for &t in times {
        let mut row = format!("  {:<8}", clock(t));
        for (s, w) in shown.iter().zip(&widths) {
            // The newest point at or before the row's time, if it is less than a step
            // old: a series that ended (a version replaced, a route that stopped failing)
            // reads "-" in its gap instead of its last value carried forward.
            let at = s.points.partition_point(|p| p.0 <= t);
            let cell = at
                .checked_sub(1)
                .filter(|&i| t - s.points[i].0 < step)
                .map_or_else(|| "-".to_string(), |i| unit.format(s.points[i].1));
            row.push_str(&format!("  {cell:>w$}"));
        }
        let near: Vec<&str> = d
            .annotations
            .iter()
            .filter(|a| (a.time - t).abs() <= half_step)
            .map(|a| a.text.as_str())
            .collect();
        if !near.is_empty() {
            row.push_str(&format!("  ◂ {}", near.join("; ")));
        }
        lines.push(row.trim_end().to_string());
    }
    if panel.series.len() > MAX_SERIES {
        lines.push(format!(
            "  (and {} more series)",
            panel.series.len() - MAX_SERIES
        ));
    }
    lines
}

/// A column's name: the values of the labels that tell this panel's series apart.
fn header(labels: &std::collections::BTreeMap<String, String>, panel: &Panel) -> String {
    let varying: Vec<&String> = labels
        .keys()
        .filter(|k| {
            panel
                .series
                .iter()
                .any(|s| s.labels.get(*k) != labels.get(*k))
        })
        .collect();
    if panel.series.len() == 1 || varying.is_empty() {
        return "value".into();
    }
    varying
        .iter()
        .filter_map(|k| labels.get(*k))
        .cloned()
        .collect::<Vec<_>>()
        .join(",")
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut t: String = text.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::content::dashboard::parse;

    #[test]
    fn each_panel_prints_as_a_table_with_the_annotations_marked() {
        let text = r#"{"format": 1, "title": "T",
          "recorded": {"source": "s", "labtui_version": "0", "fault": "latency", "target": "payments"},
          "start": 0, "end": 420, "step": 60,
          "annotations": [{"time": 180, "text": "fault injected"}],
          "panels": [{"title": "p95", "unit": "s", "query": "q",
            "series": [{"labels": {"service": "orders"}, "points": [[0, 0.05], [60, 0.05], [120, 0.05], [180, 1.2], [240, 1.25], [300, 1.3], [360, 0.06], [420, 0.05]]},
                       {"labels": {"service": "payments"}, "points": [[240, 1.1]]}]}]}"#;
        let d = parse("x.json", text).unwrap();
        let out = lines(&d);
        let joined = out.join("\n");
        assert!(joined.contains("▲ 00:03:00 fault injected"), "{joined}");
        assert!(joined.contains("p95 (s)"), "{joined}");
        let header = out
            .iter()
            .find(|l| l.trim_start().starts_with("time"))
            .unwrap();
        assert!(
            header.contains("orders") && header.contains("payments"),
            "{header}"
        );
        let injected = out.iter().find(|l| l.contains("◂ fault injected")).unwrap();
        assert!(injected.starts_with("  00:03:00"), "{injected}");
        assert!(injected.contains("1.2s"), "{injected}");
        // Before its first point a series reads "-".
        let first = out.iter().find(|l| l.starts_with("  00:00:00")).unwrap();
        assert!(first.contains('-'), "{first}");
        assert_eq!(out.iter().filter(|l| l.starts_with("  00:")).count(), ROWS);
    }

    #[test]
    fn a_series_reads_a_dash_in_its_gaps_and_after_its_last_point() {
        // One version replaced by another and back, as a deploy and a rollback draw
        // shop_build_info: the old version's series has a gap, the new one ends.
        let text = r#"{"format": 1, "title": "T",
          "recorded": {"source": "s", "labtui_version": "0", "fault": "bad_release", "target": "payments"},
          "start": 0, "end": 420, "step": 60,
          "panels": [{"title": "versions", "unit": "count", "query": "q",
            "series": [{"labels": {"version": "old"}, "points": [[0, 1], [60, 1], [120, 1], [360, 1], [420, 1]]},
                       {"labels": {"version": "new"}, "points": [[180, 1], [240, 1], [300, 1]]}]}]}"#;
        let d = parse("x.json", text).unwrap();
        let out = lines(&d);
        let row = |time: &str| {
            let line = out
                .iter()
                .find(|l| l.starts_with(&format!("  {time}")))
                .unwrap();
            line.split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(row("00:01:00"), "1 -", "{out:#?}");
        assert_eq!(row("00:04:00"), "- 1", "{out:#?}");
        assert_eq!(row("00:07:00"), "1 -", "{out:#?}");
    }
}
