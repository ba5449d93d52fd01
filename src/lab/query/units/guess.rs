//! Walks a parsed PromQL expression to the metric inside it and follows what each
//! function, aggregation and operator does to that metric's unit.

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, VectorSelector};

use super::Unit;

/// Which part of a metric family a name points at, by its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// `*_total`: a counter.
    Counter,
    /// A histogram's or summary's `*_sum`.
    Sum,
    /// A histogram's or summary's `*_count`.
    Count,
    /// A histogram's `*_bucket`.
    Bucket,
    /// Anything else.
    Gauge,
    /// A number literal, which carries no unit of its own.
    Number,
}

/// What is known about a sub-expression: its unit now, the unit its family measures, and
/// the family's name, so `rate(x_sum) / rate(x_count)` can be recognised as a mean.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Term {
    pub(super) unit: Unit,
    base: Unit,
    family: Option<String>,
    part: Part,
}

impl Term {
    fn number() -> Self {
        Self::plain(Part::Number)
    }

    fn plain(part: Part) -> Self {
        Self {
            unit: Unit::Plain,
            base: Unit::Plain,
            family: None,
            part,
        }
    }

    fn with_unit(self, unit: Unit) -> Self {
        Self { unit, ..self }
    }

    pub(super) fn from_name(name: &str) -> Self {
        let (family, part) = [
            ("_total", Part::Counter),
            ("_sum", Part::Sum),
            ("_count", Part::Count),
            ("_bucket", Part::Bucket),
        ]
        .into_iter()
        .find_map(|(suffix, part)| name.strip_suffix(suffix).map(|f| (f, part)))
        .unwrap_or((name, Part::Gauge));
        let base = [
            ("_seconds", Unit::Seconds),
            ("_bytes", Unit::Bytes),
            ("_ratio", Unit::Ratio),
            ("_percent", Unit::Percent),
        ]
        .into_iter()
        .find_map(|(suffix, unit)| family.ends_with(suffix).then_some(unit))
        .unwrap_or(Unit::Plain);
        let unit = match part {
            Part::Count | Part::Bucket => Unit::Count,
            Part::Counter if base == Unit::Plain => Unit::Count,
            _ => base,
        };
        Self {
            unit,
            base,
            family: Some(family.to_string()),
            part,
        }
    }
}

pub(super) fn guess(expr: &str) -> Unit {
    parser::parse(expr).map_or(Unit::Plain, |e| term(&e).unit)
}

fn selector(vs: &VectorSelector) -> Term {
    let name = vs.name.clone().or_else(|| {
        vs.matchers
            .matchers
            .iter()
            .find(|m| m.name == "__name__" && matches!(m.op, MatchOp::Equal))
            .map(|m| m.value.clone())
    });
    name.map_or(Term::plain(Part::Gauge), |n| Term::from_name(&n))
}

fn term(e: &Expr) -> Term {
    match e {
        Expr::VectorSelector(vs) => selector(vs),
        Expr::MatrixSelector(ms) => selector(&ms.vs),
        Expr::Paren(p) => term(&p.expr),
        Expr::Unary(u) => term(&u.expr),
        Expr::Subquery(s) => term(&s.expr),
        Expr::NumberLiteral(_) => Term::number(),
        Expr::StringLiteral(_) | Expr::Extension(_) => Term::plain(Part::Gauge),
        Expr::Aggregate(a) => match a.op.to_string().as_str() {
            "count" | "count_values" => Term::plain(Part::Gauge).with_unit(Unit::Count),
            "group" => Term::plain(Part::Gauge),
            _ => term(&a.expr),
        },
        Expr::Call(c) => call(c.func.name, &c.args.args),
        Expr::Binary(b) => {
            let hundred = literal(&b.lhs) == Some(100.0) || literal(&b.rhs) == Some(100.0);
            binary(&b.op.to_string(), term(&b.lhs), term(&b.rhs), hundred)
        }
    }
}

fn call(name: &str, args: &[Box<Expr>]) -> Term {
    // The argument that carries the metric: the first one that is not a number or string
    // (`quantile_over_time(0.9, x[5m])`, `clamp_min(x, 0)`, `label_replace(x, …)`).
    let inner = args
        .iter()
        .map(|a| term(a))
        .find(|t| t.part != Part::Number && t.family.is_some())
        .unwrap_or_else(|| Term::plain(Part::Gauge));
    match name {
        "rate" | "irate" | "deriv" => {
            let unit = if inner.base == Unit::Bytes {
                Unit::BytesPerSecond
            } else {
                Unit::PerSecond
            };
            inner.with_unit(unit)
        }
        "increase" => {
            let unit = match inner.base {
                Unit::Bytes | Unit::Seconds => inner.base,
                _ => Unit::Count,
            };
            inner.with_unit(unit)
        }
        "histogram_quantile" | "histogram_avg" => Term {
            unit: inner.base,
            part: Part::Gauge,
            ..inner
        },
        "histogram_fraction" => Term::plain(Part::Gauge).with_unit(Unit::Ratio),
        "count_over_time" | "changes" | "resets" | "histogram_count" => {
            Term::plain(Part::Gauge).with_unit(Unit::Count)
        }
        "absent" | "absent_over_time" | "present_over_time" | "time" | "timestamp" | "vector"
        | "scalar" | "day_of_week" | "day_of_month" | "days_in_month" | "day_of_year" | "hour"
        | "minute" | "month" | "year" | "sgn" | "ln" | "log2" | "log10" | "exp" => {
            Term::plain(Part::Gauge)
        }
        _ => inner,
    }
}

/// The value of a number literal, through any parentheses.
fn literal(e: &Expr) -> Option<f64> {
    match e {
        Expr::NumberLiteral(n) => Some(n.val),
        Expr::Paren(p) => literal(&p.expr),
        _ => None,
    }
}

/// `hundred`: one side is the literal 100, so a ratio times it is a percentage.
fn binary(op: &str, lhs: Term, rhs: Term, hundred: bool) -> Term {
    let lhs_number = lhs.part == Part::Number;
    let rhs_number = rhs.part == Part::Number;
    let either = if lhs_number { rhs.clone() } else { lhs.clone() };
    match op {
        "/" => {
            if rhs_number || lhs_number {
                // `x_bytes / 1024` is no longer in bytes; say nothing rather than lie.
                return Term::plain(Part::Gauge);
            }
            let same_family = lhs.family.is_some() && lhs.family == rhs.family;
            if same_family && lhs.part == Part::Sum && rhs.part == Part::Count {
                return Term {
                    unit: lhs.base,
                    part: Part::Gauge,
                    ..lhs
                };
            }
            if same_family || (lhs.unit == rhs.unit && lhs.unit != Unit::Plain) {
                return Term::plain(Part::Gauge).with_unit(Unit::Ratio);
            }
            Term::plain(Part::Gauge)
        }
        "*" => {
            if hundred && (lhs.unit == Unit::Ratio || rhs.unit == Unit::Ratio) {
                return Term::plain(Part::Gauge).with_unit(Unit::Percent);
            }
            Term::plain(Part::Gauge)
        }
        "+" | "-" => either,
        "%" | "^" | "atan2" => Term::plain(Part::Gauge),
        // Comparisons filter and set operators select: the left side's values survive.
        _ => either,
    }
}
