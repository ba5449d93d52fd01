//! Fewer points than samples, without losing what matters: runs split at gaps, and per
//! horizontal bucket the lowest and highest point, so a one-sample spike still shows.

use crate::lab::query::Sample;

/// The usual distance between sample times: the median of the gaps between distinct
/// times. `None` with fewer than two times.
pub(super) fn step(times: &[f64]) -> Option<f64> {
    let mut deltas: Vec<f64> = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .collect();
    if deltas.is_empty() {
        return None;
    }
    deltas.sort_by(f64::total_cmp);
    Some(deltas[deltas.len() / 2])
}

/// The samples split into runs of finite values: a NaN or ±Inf sample is left out and
/// ends a run, and so does a jump in time wider than `max_gap` (a scrape that failed, a
/// series that went away).
pub(super) fn runs(samples: &[Sample], max_gap: f64) -> Vec<&[Sample]> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, s) in samples.iter().enumerate() {
        if !s.v.is_finite() {
            if let Some(from) = start.take() {
                out.push(&samples[from..i]);
            }
            continue;
        }
        match start {
            None => start = Some(i),
            Some(from) if i > from && s.t - samples[i - 1].t > max_gap => {
                out.push(&samples[from..i]);
                start = Some(i);
            }
            Some(_) => {}
        }
    }
    if let Some(from) = start {
        out.push(&samples[from..]);
    }
    out
}

/// A run reduced to at most two points per bucket, `buckets` across `x_range`: the lowest
/// and the highest, in time order. Runs already that small are kept whole.
pub(super) fn min_max(run: &[Sample], x_range: (f64, f64), buckets: usize) -> Vec<(f64, f64)> {
    if run.len() <= buckets * 2 {
        return run.iter().map(|s| (s.t, s.v)).collect();
    }
    let (x0, x1) = x_range;
    let width = (x1 - x0).max(f64::MIN_POSITIVE);
    let last = buckets.saturating_sub(1);
    let bucket_of = |t: f64| (((t - x0) / width * buckets as f64) as usize).min(last);
    let mut out = Vec::with_capacity(buckets * 2);
    let flush = |lo: &Sample, hi: &Sample, out: &mut Vec<(f64, f64)>| {
        let (a, b) = if lo.t <= hi.t { (lo, hi) } else { (hi, lo) };
        out.push((a.t, a.v));
        if a.t != b.t {
            out.push((b.t, b.v));
        }
    };
    let mut current = bucket_of(run[0].t);
    let (mut lo, mut hi) = (run[0], run[0]);
    for s in &run[1..] {
        let b = bucket_of(s.t);
        if b != current {
            flush(&lo, &hi, &mut out);
            current = b;
            (lo, hi) = (*s, *s);
            continue;
        }
        if s.v < lo.v {
            lo = *s;
        }
        if s.v > hi.v {
            hi = *s;
        }
    }
    flush(&lo, &hi, &mut out);
    out
}
