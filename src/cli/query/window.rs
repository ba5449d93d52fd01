//! `--time`, `--since`, `--start/--end` and `--step` as a [`QueryWindow`]: times in RFC
//! 3339, unix seconds or `now-5m`; durations like Prometheus writes them (`90s`, `1h30m`).

use crate::lab::query::QueryWindow;

/// Prometheus refuses more than 11,000 points per series; aiming at a few hundred keeps a
/// range readable in a terminal and cheap to fetch.
pub const TARGET_POINTS: f64 = 250.0;

/// Steps a person would pick, in seconds; an automatic step is rounded up to one of these.
const NICE_STEPS: [f64; 19] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1200.0, 1800.0,
    3600.0, 7200.0, 10800.0, 21600.0, 43200.0,
];

/// What the window flags said, before they are turned into a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowSpec {
    pub time: Option<String>,
    pub since: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub step: Option<String>,
}

/// The window the flags describe, with `now` in unix seconds: an instant by default, a
/// range ending now for `--since`, or `--start` to `--end` (default now).
pub fn window(spec: &WindowSpec, now: f64) -> Result<QueryWindow, String> {
    let range = match (&spec.since, &spec.start) {
        (Some(since), _) => {
            let d = parse_duration(since).map_err(|e| format!("--since: {e}"))?;
            Some((now - d, now))
        }
        (None, Some(start)) => {
            let start = parse_time(start, now).map_err(|e| format!("--start: {e}"))?;
            let end = match &spec.end {
                Some(end) => parse_time(end, now).map_err(|e| format!("--end: {e}"))?,
                None => now,
            };
            if end < start {
                return Err("--end is before --start; swap them".into());
            }
            Some((start, end))
        }
        (None, None) => None,
    };
    match range {
        None => {
            if spec.step.is_some() {
                return Err("--step needs a range: add --since 15m, or --start (and --end)".into());
            }
            let time = spec
                .time
                .as_deref()
                .map(|t| parse_time(t, now).map_err(|e| format!("--time: {e}")))
                .transpose()?;
            Ok(QueryWindow::Instant { time })
        }
        Some((start, end)) => {
            let step = match &spec.step {
                Some(s) => {
                    let step = parse_duration(s).map_err(|e| format!("--step: {e}"))?;
                    if step <= 0.0 {
                        return Err("--step must be longer than zero, e.g. 30s".into());
                    }
                    step
                }
                None => auto_step(end - start),
            };
            Ok(QueryWindow::Range { start, end, step })
        }
    }
}

/// A step that gives about [`TARGET_POINTS`] points over `range` seconds, rounded up to a
/// nice value, at least 1 s.
pub fn auto_step(range: f64) -> f64 {
    let raw = range / TARGET_POINTS;
    if let Some(nice) = NICE_STEPS.iter().copied().find(|s| *s >= raw) {
        return nice;
    }
    let day = 86_400.0;
    (raw / day).ceil() * day
}

/// A duration in seconds: `30s`, `15m`, `1h30m`, `500ms`, `2d`, `1w`, `1y`, or a bare
/// number of seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return if secs.is_finite() && secs >= 0.0 {
            Ok(secs)
        } else {
            Err(format!(
                "{s:?} is not a duration; write it like 30s, 15m or 1h30m"
            ))
        };
    }
    let bad = || format!("{s:?} is not a duration; write it like 30s, 15m or 1h30m");
    let mut total = 0.0;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            "y" => 31_536_000.0,
            _ => return Err(bad()),
        };
        total += n * unit;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// A time in unix seconds: `now`, `now-5m`, `now+1h`, RFC 3339
/// (`2026-01-02T03:04:05Z`) or unix seconds (`1767323045.5`).
pub fn parse_time(s: &str, now: f64) -> Result<f64, String> {
    let s = s.trim();
    if s == "now" {
        return Ok(now);
    }
    if let Some(offset) = s.strip_prefix("now-") {
        return Ok(now - parse_duration(offset)?);
    }
    if let Some(offset) = s.strip_prefix("now+") {
        return Ok(now + parse_duration(offset)?);
    }
    if let Ok(secs) = s.parse::<f64>()
        && secs.is_finite()
    {
        return Ok(secs);
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis() as f64 / 1000.0)
        .map_err(|_| {
            format!(
                "{s:?} is not a time; write now, now-5m, unix seconds or RFC 3339 like 2026-01-02T03:04:05Z"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_800_000_000.0;

    fn spec(f: impl FnOnce(&mut WindowSpec)) -> WindowSpec {
        let mut s = WindowSpec::default();
        f(&mut s);
        s
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(30.0));
        assert_eq!(parse_duration("15m"), Ok(900.0));
        assert_eq!(parse_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration("500ms"), Ok(0.5));
        assert_eq!(parse_duration("2d"), Ok(172_800.0));
        assert_eq!(parse_duration("90"), Ok(90.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        for bad in ["", "m", "5x", "-5m", "5 m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("now", NOW), Ok(NOW));
        assert_eq!(parse_time("now-5m", NOW), Ok(NOW - 300.0));
        assert_eq!(parse_time("now+1h", NOW), Ok(NOW + 3600.0));
        assert_eq!(parse_time("1795434422", NOW), Ok(1_795_434_422.0));
        assert_eq!(parse_time("1795434422.25", NOW), Ok(1_795_434_422.25));
        assert_eq!(parse_time("2026-11-23T11:47:02Z", NOW), Ok(1_795_434_422.0));
        assert_eq!(
            parse_time("2026-11-23T12:47:02.5+01:00", NOW),
            Ok(1_795_434_422.5)
        );
        let err = parse_time("yesterday", NOW).unwrap_err();
        assert!(err.contains("RFC 3339"), "{err}");
    }

    #[test]
    fn windows() {
        assert_eq!(
            window(&WindowSpec::default(), NOW),
            Ok(QueryWindow::Instant { time: None })
        );
        assert_eq!(
            window(&spec(|s| s.time = Some("now-1h".into())), NOW),
            Ok(QueryWindow::Instant {
                time: Some(NOW - 3600.0)
            })
        );
        assert_eq!(
            window(&spec(|s| s.since = Some("15m".into())), NOW),
            Ok(QueryWindow::Range {
                start: NOW - 900.0,
                end: NOW,
                step: 5.0
            })
        );
        assert_eq!(
            window(
                &spec(|s| {
                    s.start = Some("now-1h".into());
                    s.end = Some("now-30m".into());
                    s.step = Some("1m".into());
                }),
                NOW
            ),
            Ok(QueryWindow::Range {
                start: NOW - 3600.0,
                end: NOW - 1800.0,
                step: 60.0
            })
        );
        assert!(window(&spec(|s| s.step = Some("1m".into())), NOW).is_err());
        assert!(
            window(
                &spec(|s| {
                    s.start = Some("now".into());
                    s.end = Some("now-1h".into());
                }),
                NOW
            )
            .unwrap_err()
            .contains("before")
        );
    }

    #[test]
    fn automatic_steps_are_nice() {
        assert_eq!(auto_step(60.0), 1.0);
        assert_eq!(auto_step(900.0), 5.0);
        assert_eq!(auto_step(3600.0), 15.0);
        assert_eq!(auto_step(6.0 * 3600.0), 120.0);
        assert_eq!(auto_step(7.0 * 86_400.0), 3600.0);
        assert_eq!(auto_step(365.0 * 86_400.0), 2.0 * 86_400.0);
    }
}
