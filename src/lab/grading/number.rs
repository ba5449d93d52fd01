//! Number questions: the learner's text read as a number in the question's unit
//! (`900ms`, `0.9 s`, `1.2e-1`, `15%`, `1.5KiB`), then compared within a tolerance.

use super::{Verdict, shown};

/// Relative tolerance, in percent, of a number question that gives none: enough to forgive
/// rounding (0.951 for 0.9512), not a different reading.
pub const DEFAULT_TOLERANCE_PCT: f64 = 1.0;

/// How far an answer may be from the expected value; both edges count as right.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// Within this much either way, in the question's unit.
    Absolute(f64),
    /// Within this percentage of the expected value.
    Percent(f64),
}

impl Tolerance {
    /// From an expectation's `tolerance` and `tolerance_pct`; the absolute one wins when
    /// both are given (`labtui check` forbids that), [`DEFAULT_TOLERANCE_PCT`] with neither.
    pub fn of(absolute: Option<f64>, percent: Option<f64>) -> Self {
        match (absolute, percent) {
            (Some(t), _) => Self::Absolute(t),
            (None, Some(p)) => Self::Percent(p),
            (None, None) => Self::Percent(DEFAULT_TOLERANCE_PCT),
        }
    }

    /// The margin around `expected`; a negative or non-finite tolerance is no margin.
    pub fn margin(self, expected: f64) -> f64 {
        let m = match self {
            Self::Absolute(t) => t,
            Self::Percent(p) => expected.abs() * p / 100.0,
        };
        if m.is_finite() { m.max(0.0) } else { 0.0 }
    }

    /// Whether `x` is within the margin of `expected`, edges included. A relative slack of
    /// 1e-9 absorbs binary rounding, so `1.035` is within 15% of `0.9`.
    pub fn accepts(self, x: f64, expected: f64) -> bool {
        if !(x.is_finite() && expected.is_finite()) {
            return false;
        }
        let slack = 1e-9 * x.abs().max(expected.abs()).max(1e-12);
        (x - expected).abs() <= self.margin(expected) + slack
    }

    fn describe(self) -> String {
        match self {
            Self::Absolute(t) => format!("±{}", trim(t)),
            Self::Percent(p) => format!("{}%", trim(p)),
        }
    }
}

/// Why an answer is not a number in the question's unit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("no answer: write a number{}", unit_hint(.unit))]
    Empty { unit: Option<String> },
    #[error("could not read a number from `{text}`: write digits, like `0.95`{}", unit_hint(.unit))]
    NotANumber { text: String, unit: Option<String> },
    #[error("could not read a number from `{text}`: `{suffix}` is not a unit of this answer{}", unit_hint(.unit))]
    Junk {
        text: String,
        suffix: String,
        unit: Option<String>,
    },
}

fn unit_hint(unit: &Option<String>) -> String {
    match unit {
        Some(u) => format!(" (in {u})"),
        None => String::new(),
    }
}

/// The kind of unit a question is asked in, from its `unit` key.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Durations, in seconds per unit of the question (1 for `s`, 0.001 for `ms`).
    Time(f64),
    Percent,
    Ratio,
    Bytes,
    /// No unit: plain numbers with k, M, G multiples.
    Plain,
    /// Any other unit (`req/s`): a plain number, optionally followed by the unit itself.
    Other(String),
}

impl Kind {
    fn of(unit: Option<&str>) -> Self {
        let Some(unit) = unit.map(str::trim).filter(|u| !u.is_empty()) else {
            return Self::Plain;
        };
        match unit.to_ascii_lowercase().as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => Self::Time(1.0),
            "ms" | "millisecond" | "milliseconds" => Self::Time(1e-3),
            "us" | "µs" | "microsecond" | "microseconds" => Self::Time(1e-6),
            "m" | "min" | "minute" | "minutes" => Self::Time(60.0),
            "h" | "hour" | "hours" => Self::Time(3600.0),
            "%" | "percent" | "pct" => Self::Percent,
            "ratio" | "fraction" => Self::Ratio,
            "b" | "byte" | "bytes" => Self::Bytes,
            _ => Self::Other(unit.to_owned()),
        }
    }

    /// The factor a suffix multiplies a number by to be in this unit; `None` when the
    /// suffix means nothing here.
    fn factor(&self, suffix: &str) -> Option<f64> {
        if suffix.is_empty() {
            return Some(1.0);
        }
        let lower = suffix.to_lowercase();
        match self {
            Self::Time(per) => seconds(&lower).map(|s| s / per),
            Self::Percent => matches!(lower.as_str(), "%" | "percent" | "pct").then_some(1.0),
            Self::Ratio => matches!(lower.as_str(), "%" | "percent" | "pct").then_some(0.01),
            Self::Bytes => bytes(&lower),
            Self::Plain => match suffix {
                "k" | "K" => Some(1e3),
                "M" => Some(1e6),
                "G" => Some(1e9),
                _ => None,
            },
            Self::Other(unit) => {
                let squash = |t: &str| -> String {
                    t.chars()
                        .filter(|c| !c.is_whitespace())
                        .flat_map(char::to_lowercase)
                        .collect()
                };
                (squash(suffix) == squash(unit)).then_some(1.0)
            }
        }
    }

    /// Factors a learner may have confused with this unit, and how to say the right one.
    fn confusions(&self) -> &'static [(f64, &'static str)] {
        match self {
            Self::Time(per) if *per == 1.0 => &[(1e-3, "seconds, not milliseconds")],
            Self::Time(per) if *per == 1e-3 => &[(1e3, "milliseconds, not seconds")],
            Self::Percent => &[(100.0, "percent (15 for 15%), not a ratio")],
            Self::Ratio => &[(0.01, "a ratio (0.15 for 15%), not percent")],
            _ => &[],
        }
    }
}

fn seconds(suffix: &str) -> Option<f64> {
    Some(match suffix {
        "ns" | "nanosecond" | "nanoseconds" => 1e-9,
        "us" | "µs" | "μs" | "microsecond" | "microseconds" => 1e-6,
        "ms" | "msec" | "millisecond" | "milliseconds" => 1e-3,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        _ => return None,
    })
}

fn bytes(suffix: &str) -> Option<f64> {
    let (prefix, rest) = match suffix.find(['b', 'i']) {
        Some(i) => suffix.split_at(i),
        None => (suffix, ""),
    };
    let binary = match rest {
        "" | "b" | "byte" | "bytes" => false,
        "i" | "ib" => true,
        _ => return None,
    };
    let power = match prefix {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return None,
    };
    if power == 0 && binary {
        return None;
    }
    let base: f64 = if binary { 1024.0 } else { 1000.0 };
    Some(base.powi(power))
}

/// Reads `text` as a number in `unit` (the expectation's `unit`): `900ms` is 0.9 when the
/// unit is `s`, `15%` is 0.15 when it is `ratio`, `1.5KiB` is 1536 in `bytes`. A bare
/// number is already in the unit. Anything after the number and its unit is an error.
pub fn parse_number(text: &str, unit: Option<&str>) -> Result<f64, NumberError> {
    let unit_name = unit.map(str::to_owned).filter(|u| !u.trim().is_empty());
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(NumberError::Empty { unit: unit_name });
    }
    let body = trimmed.trim_start_matches(['~', '≈']).trim_start();
    let (negative, body) = match body.chars().next() {
        Some('-' | '−') => (true, &body[body.chars().next().map_or(0, char::len_utf8)..]),
        Some('+') => (false, &body[1..]),
        _ => (false, body),
    };
    let len = number_prefix(body);
    let parsed: Option<f64> = (len > 0).then(|| body[..len].parse().ok()).flatten();
    let Some(mut value) = parsed else {
        return Err(NumberError::NotANumber {
            text: shown(text),
            unit: unit_name,
        });
    };
    if negative {
        value = -value;
    }
    let suffix = body[len..].trim();
    let suffix = suffix.strip_suffix('.').unwrap_or(suffix).trim_end();
    match Kind::of(unit).factor(suffix) {
        Some(f) if (value * f).is_finite() => Ok(value * f),
        Some(_) => Err(NumberError::NotANumber {
            text: shown(text),
            unit: unit_name,
        }),
        None => Err(NumberError::Junk {
            text: shown(text),
            suffix: shown(suffix),
            unit: unit_name,
        }),
    }
}

/// Length of the leading `digits[.digits][e[+-]digits]` of `s` (ASCII only).
fn number_prefix(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let int_end = digits(0);
    let mut end = int_end;
    if end < b.len() && b[end] == b'.' {
        let frac_end = digits(end + 1);
        if frac_end > end + 1 || int_end > 0 {
            end = frac_end;
        }
    }
    if end == 0 || (end == 1 && b[0] == b'.') {
        return 0;
    }
    if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut i = end + 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_end = digits(i);
        if exp_end > i {
            end = exp_end;
        }
    }
    end
}

/// Grades a number answer against `expected` in `unit`.
pub fn grade_number(
    expected: f64,
    tolerance: Tolerance,
    unit: Option<&str>,
    points: u32,
    answer: &str,
) -> Verdict {
    let max = f64::from(points);
    if !expected.is_finite() {
        return Verdict::wrong(
            max,
            format!(
                "the expected value is {expected}, which cannot be graded: is the lab running \
                 with its faults?"
            ),
        );
    }
    let value = match parse_number(answer, unit) {
        Ok(v) => v,
        Err(e) => return Verdict::wrong(max, e.to_string()),
    };
    let unit_text = unit.map(|u| format!(" {u}")).unwrap_or_default();
    if tolerance.accepts(value, expected) {
        return Verdict::right(
            max,
            format!(
                "{}{unit_text} is right (the answer: {}{unit_text}, within {})",
                trim(value),
                trim(expected),
                tolerance.describe()
            ),
        );
    }
    let side = if value > expected {
        "too high"
    } else {
        "too low"
    };
    let mut verdict = Verdict::wrong(
        max,
        format!(
            "{}{unit_text} is {side}: not within {} of the answer",
            trim(value),
            tolerance.describe()
        ),
    );
    for (factor, says) in Kind::of(unit).confusions() {
        if tolerance.accepts(value * factor, expected) {
            verdict
                .feedback
                .push(format!("check the unit: the answer is in {says}"));
        }
    }
    verdict
}

/// A number as people write it: at most 6 significant digits, no trailing zeros.
fn trim(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-4..15).contains(&magnitude) {
        return format!("{v:.5e}");
    }
    let decimals = (5 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}
