//! The time window a query runs over: a preset or custom range, its step, instant or range.

use std::time::Duration;

use crate::lab::query::QueryWindow;

/// The presets `+` / `-` step through.
pub const PRESETS: [Duration; 5] = [
    Duration::from_secs(5 * 60),
    Duration::from_secs(15 * 60),
    Duration::from_secs(3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(24 * 3600),
];

/// Evaluated at one instant (a table) or over a range (a chart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Instant,
    Range,
}

/// How far back a query looks, and at what resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    /// The range ending now; ignored when `fixed` is set.
    pub span: Duration,
    /// A custom absolute range (unix seconds).
    pub fixed: Option<(f64, f64)>,
    /// A step the learner chose; else it follows the chart's width.
    pub step: Option<Duration>,
    pub mode: Mode,
}

impl Default for TimeRange {
    fn default() -> Self {
        Self {
            span: PRESETS[1],
            fixed: None,
            step: None,
            mode: Mode::Instant,
        }
    }
}

impl TimeRange {
    /// The next longer (or shorter) preset; leaves a custom range.
    pub fn cycle(&mut self, longer: bool) {
        let now = PRESETS.iter().position(|p| *p >= self.span).unwrap_or(0);
        let next = if longer {
            (now + 1).min(PRESETS.len() - 1)
        } else {
            now.saturating_sub(1)
        };
        self.span = PRESETS[next];
        self.fixed = None;
    }

    /// The window at `now` for a chart `width` cells wide: about one point per cell.
    pub fn window(&self, now: f64, width: u16) -> QueryWindow {
        if self.mode == Mode::Instant {
            return QueryWindow::Instant {
                time: self.fixed.map(|(_, end)| end),
            };
        }
        let (start, end) = self.fixed.unwrap_or((now - self.span.as_secs_f64(), now));
        let step = self
            .step
            .map_or_else(|| auto_step(end - start, width), |s| s.as_secs_f64());
        QueryWindow::Range { start, end, step }
    }

    /// `15m · step auto` / `2026-12-02 07:00..08:00 UTC · step 30s`, for the pane's title.
    pub fn label(&self) -> String {
        let range = match self.fixed {
            Some((start, end)) => format!("{}..{}", clock(start), clock(end)),
            None => format!("last {}", human(self.span)),
        };
        let step = match self.step {
            Some(s) => human(s),
            None => "auto".into(),
        };
        match self.mode {
            Mode::Instant if self.fixed.is_some() => {
                format!("instant at {}", clock(self.fixed.map_or(0.0, |f| f.1)))
            }
            Mode::Instant => "instant".into(),
            Mode::Range => format!("{range} · step {step}"),
        }
    }

    /// Applies what was typed at the range prompt: `45m`, `2h step 1m`, `step 30s`,
    /// `<RFC 3339>..<RFC 3339>` (with an optional step), or `now` to go back to presets.
    pub fn apply(&mut self, typed: &str) -> Result<(), String> {
        let typed = typed.trim();
        let (range, step) = match typed.split_once("step") {
            Some((range, step)) => (range.trim(), Some(step.trim())),
            None => (typed, None),
        };
        let mut next = *self;
        if let Some(step) = step {
            next.step = match step {
                "auto" => None,
                s => Some(parse_duration(s)?),
            };
        }
        if range == "now" {
            next.fixed = None;
        } else if let Some((a, b)) = range.split_once("..") {
            let (start, end) = (parse_time(a)?, parse_time(b)?);
            if end <= start {
                return Err(format!("the range ends before it starts: {range}"));
            }
            next.fixed = Some((start, end));
        } else if !range.is_empty() {
            next.span = parse_duration(range)?;
            next.fixed = None;
        }
        *self = next;
        Ok(())
    }
}

/// About one point per chart cell, at a round step of at least 1 s.
pub fn auto_step(range_secs: f64, width: u16) -> f64 {
    let raw = range_secs / f64::from(width.max(10));
    const NICE: [f64; 14] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    ];
    NICE.iter()
        .copied()
        .find(|n| *n >= raw)
        .unwrap_or(raw.ceil())
}

/// `90s` → 1m30s… as Prometheus writes durations: `5m`, `1h30m`, `15s`.
pub fn human(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

/// Prometheus-style durations: `30s`, `5m`, `1h30m`, `2d`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("“{text}” is not a duration: write it like 30s, 5m, 1h30m or 2d");
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let part = match &rest[..unit_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            "d" => Duration::from_secs(n.saturating_mul(86_400)),
            "w" => Duration::from_secs(n.saturating_mul(604_800)),
            _ => return Err(bad()),
        };
        total = total.saturating_add(part);
        rest = &rest[unit_len..];
    }
    if total.is_zero() {
        return Err(bad());
    }
    Ok(total)
}

fn parse_time(text: &str) -> Result<f64, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return Ok(secs);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis() as f64 / 1000.0)
        .map_err(|_| {
            format!("“{text}” is not a time: use RFC 3339 (2026-12-02T07:00:00Z) or unix seconds")
        })
}

fn clock(t: f64) -> String {
    chrono::DateTime::from_timestamp_millis((t * 1000.0) as i64).map_or_else(
        || format!("{t}"),
        |d| d.format("%m-%d %H:%M UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_prometheus_and_print_back() {
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        for bad in ["", "5", "m", "5x", "-5m", "0s", "5 m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(human(Duration::from_secs(5400)), "1h30m");
        assert_eq!(human(Duration::from_secs(86_400)), "1d");
    }

    #[test]
    fn presets_cycle_and_the_step_follows_the_width() {
        let mut r = TimeRange::default();
        r.cycle(true);
        assert_eq!(r.span, PRESETS[2]);
        for _ in 0..10 {
            r.cycle(true);
        }
        assert_eq!(r.span, PRESETS[4]);
        for _ in 0..10 {
            r.cycle(false);
        }
        assert_eq!(r.span, PRESETS[0]);
        r.mode = Mode::Range;
        r.span = PRESETS[1];
        assert_eq!(
            r.window(1000.0, 100),
            QueryWindow::Range {
                start: 100.0,
                end: 1000.0,
                step: 10.0
            }
        );
        r.mode = Mode::Instant;
        assert_eq!(r.window(1000.0, 100), QueryWindow::Instant { time: None });
    }

    #[test]
    fn the_prompt_sets_ranges_and_steps_and_rejects_nonsense_whole() {
        let mut r = TimeRange {
            mode: Mode::Range,
            ..TimeRange::default()
        };
        r.apply("2h step 1m").expect("valid");
        assert_eq!(r.span, Duration::from_secs(7200));
        assert_eq!(r.step, Some(Duration::from_secs(60)));
        r.apply("2026-12-02T07:00:00Z..2026-12-02T08:00:00Z")
            .expect("valid");
        let (start, end) = r.fixed.expect("fixed");
        assert_eq!(end - start, 3600.0);
        assert!(r.label().contains("12-02 07:00 UTC..12-02 08:00 UTC"));
        let before = r;
        assert!(r.apply("2h step 5x").is_err());
        assert!(r.apply("200..100").is_err());
        assert_eq!(r, before, "a rejected prompt changes nothing");
        r.apply("now step auto").expect("valid");
        assert_eq!((r.fixed, r.step), (None, None));
    }
}
