//! Axis bounds and labels: time ticks in the viewer's timezone, value ticks on round
//! numbers printed in the query's unit.

use chrono::{DateTime, FixedOffset};

use crate::lab::query::Unit;

/// First and last time; a single instant gets a minute either side so it has a width.
pub(super) fn x_range(times: &[f64]) -> (f64, f64) {
    match (times.first(), times.last()) {
        (Some(a), Some(b)) if b > a => (*a, *b),
        (Some(a), _) => (a - 30.0, a + 30.0),
        _ => (0.0, 1.0),
    }
}

/// Time labels evenly spread over the range: up to five on wide panes, three on narrow
/// ones, preferring a count that lands every label on a whole minute. Seconds are shown
/// when the range is under ten minutes or the labels miss whole minutes, the date when the
/// range is over a day.
pub(super) fn x_labels(range: (f64, f64), offset: FixedOffset, width_cells: u16) -> Vec<String> {
    let span = range.1 - range.0;
    let candidates: &[usize] = if width_cells >= 100 {
        &[4, 3, 5, 2]
    } else {
        &[2, 3]
    };
    let at = |intervals: usize| -> Vec<f64> {
        (0..=intervals)
            .map(|i| range.0 + span * i as f64 / intervals as f64)
            .collect()
    };
    let whole = candidates
        .iter()
        .map(|n| at(*n))
        .find(|ts| ts.iter().all(|t| t.rem_euclid(60.0) == 0.0));
    let format = if span > 86_400.0 {
        "%m-%d %H:%M"
    } else if span < 600.0 || (whole.is_none() && span < 1800.0) {
        "%H:%M:%S"
    } else {
        "%H:%M"
    };
    whole
        .unwrap_or_else(|| at(candidates[0]))
        .into_iter()
        .map(|t| clock(t, offset, format))
        .collect()
}

/// `t` (unix seconds) as wall-clock text at `offset`.
pub(super) fn clock(t: f64, offset: FixedOffset, format: &str) -> String {
    let secs = t.floor() as i64;
    let nanos = ((t - t.floor()) * 1e9) as u32;
    DateTime::from_timestamp(secs, nanos).map_or_else(
        || format!("{t}"),
        |d| d.with_timezone(&offset).format(format).to_string(),
    )
}

/// Bounds and labels for the y axis over `values`: padded by a tenth of the span, on
/// round numbers, floored at 0 when nothing is negative.
pub(super) fn y_axis(values: impl Iterator<Item = f64>, unit: Unit) -> ((f64, f64), Vec<String>) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        return ((0.0, 1.0), vec![unit.format(0.0), unit.format(1.0)]);
    }
    let span = if hi > lo {
        hi - lo
    } else if hi != 0.0 {
        hi.abs()
    } else {
        1.0
    };
    let top = hi + span * 0.1;
    let bottom = if lo >= 0.0 { 0.0 } else { lo - span * 0.1 };
    let (bottom, top, step) = round_bounds(bottom, top);
    let ticks = ((top - bottom) / step).round() as usize;
    let labels = (0..=ticks)
        .map(|i| unit.format(bottom + step * i as f64))
        .collect();
    ((bottom, top), labels)
}

/// The bounds widened to multiples of the smallest round step (1, 2, 2.5 or 5 × 10ⁿ)
/// that needs at most five intervals, so the labels are round and the data fills the plot.
fn round_bounds(bottom: f64, top: f64) -> (f64, f64, f64) {
    let span = top - bottom;
    if span <= 0.0 || !span.is_finite() {
        return (bottom, bottom + 1.0, 1.0);
    }
    let power = 10f64.powf((span / 5.0).log10().floor());
    for nice in [1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0] {
        let step = nice * power;
        let (lo, hi) = ((bottom / step).floor() * step, (top / step).ceil() * step);
        if ((hi - lo) / step).round() <= 5.0 {
            return (lo, hi, step);
        }
    }
    (bottom, top, span / 4.0)
}
