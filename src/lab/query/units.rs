//! What a query's numbers measure, guessed from metric names, and how to print them so an
//! axis or a table cell reads "350ms" or "1.5 MiB" rather than "0.35" or "1572864".

mod guess;
#[cfg(test)]
mod tests;

/// The unit a series' values are in. Guessed from Prometheus naming conventions, so a
/// learner sees latencies as durations and error ratios as percentages without
/// configuring anything; a wrong guess only changes how numbers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// Durations (`*_seconds`, a histogram's quantiles or mean).
    Seconds,
    /// Sizes (`*_bytes`), printed in binary multiples (KiB, MiB…).
    Bytes,
    /// Throughput of a `*_bytes_total` counter under `rate()`.
    BytesPerSecond,
    /// A counter under `rate()` or `irate()`.
    PerSecond,
    /// Events counted: `increase()`, `count()`, a bare `*_total`.
    Count,
    /// A fraction where 1 is 100 % (`*_ratio`, one rate over another of the same family).
    Ratio,
    /// Already in percent (`*_percent`, a ratio times 100).
    Percent,
    /// Nothing known: numbers with SI suffixes.
    #[default]
    Plain,
}

impl Unit {
    /// The unit of a metric by its name alone, as a bare selector would return it. A bare
    /// `*_count` or `*_bucket` is a number of observations, so it reads as a count even
    /// when its family measures seconds.
    pub fn from_metric_name(name: &str) -> Self {
        guess::Term::from_name(name).unit
    }

    /// The unit of a whole PromQL expression: the metric named inside it, changed by the
    /// functions, aggregations and operators around it (`rate` gives per second,
    /// `histogram_quantile` keeps the family's unit, a rate over a rate is a ratio).
    /// An expression that does not parse is `Plain`.
    pub fn guess(expr: &str) -> Self {
        guess::guess(expr)
    }

    /// A short, readable rendering of `v` for axis labels, legends and table cells.
    /// NaN and infinities print as Prometheus spells them ("NaN", "+Inf", "-Inf").
    pub fn format(self, v: f64) -> String {
        if v.is_nan() {
            return "NaN".to_string();
        }
        if v.is_infinite() {
            return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
        }
        match self {
            Self::Seconds => duration(v),
            Self::Bytes => bytes(v),
            Self::BytesPerSecond => format!("{}/s", bytes(v)),
            Self::PerSecond => format!("{}/s", si(v)),
            Self::Count | Self::Plain => si(v),
            Self::Ratio => format!("{}%", sig(v * 100.0)),
            Self::Percent => format!("{}%", sig(v)),
        }
    }
}

/// Three significant digits (more for values ≥ 1000), trailing zeros trimmed; values
/// below 0.001 switch to scientific notation.
fn sig(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".to_string();
    }
    if a < 0.001 {
        return format!("{v:.2e}");
    }
    let decimals = if a >= 100.0 {
        0
    } else {
        // 2 for [1, 10), 1 for [10, 100), 3 for [0.1, 1)…
        (2 - a.log10().floor() as i32).max(0) as usize
    };
    trim_zeros(format!("{v:.decimals$}"))
}

fn trim_zeros(s: String) -> String {
    if !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// SI multiples for plain numbers: 1.23k, 3.4M, 5G.
fn si(v: f64) -> String {
    const PREFIXES: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    let mut scaled = v.abs();
    let mut k = 0;
    // 999.6 would print as "1000"; step up before rounding does.
    while scaled >= 999.5 && k + 1 < PREFIXES.len() {
        scaled /= 1000.0;
        k += 1;
    }
    let sign = if v < 0.0 { "-" } else { "" };
    if k == 0 {
        return sig(v);
    }
    format!("{sign}{}{}", sig(scaled), PREFIXES[k])
}

/// Binary multiples for sizes: "512 B", "1.5 MiB".
fn bytes(v: f64) -> String {
    const PREFIXES: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut scaled = v.abs();
    let mut k = 0;
    while scaled >= 1024.0 && k + 1 < PREFIXES.len() {
        scaled /= 1024.0;
        k += 1;
    }
    let sign = if v < 0.0 { "-" } else { "" };
    format!("{sign}{} {}", sig(scaled), PREFIXES[k])
}

/// Durations the way people say them: "350ms", "1.25s", "2m 5s", "3h 20m", "2d 4h".
fn duration(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a == 0.0 {
        return "0s".to_string();
    }
    let text = if a < 0.000_999_5 {
        if a < 0.000_000_999_5 {
            format!("{}ns", sig(a * 1e9))
        } else {
            format!("{}µs", sig(a * 1e6))
        }
    } else if a < 0.999_5 {
        format!("{}ms", sig(a * 1e3))
    } else if a < 59.95 {
        format!("{}s", sig(a))
    } else {
        let total = a.round() as u64;
        let (big, small, units) = if total < 3600 {
            (total / 60, total % 60, ("m", "s"))
        } else if total < 86_400 {
            (total / 3600, (total % 3600) / 60, ("h", "m"))
        } else {
            (total / 86_400, (total % 86_400) / 3600, ("d", "h"))
        };
        if small == 0 {
            format!("{big}{}", units.0)
        } else {
            format!("{big}{} {small}{}", units.0, units.1)
        }
    };
    format!("{sign}{text}")
}
