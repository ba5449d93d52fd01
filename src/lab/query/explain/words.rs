//! The plain-language line for each PromQL construct in an explain tree.

use std::time::{Duration, SystemTime};

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{
    AggregateExpr, AtModifier, Call, Expr, LabelModifier, Offset, SubqueryExpr, VectorSelector,
};
use promql_parser::util::display_duration;

use super::{NodeKind, operators};

/// The expression inside any number of parentheses.
pub(super) fn unparen(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(paren) = expr {
        expr = &paren.expr;
    }
    expr
}

/// The sub-expressions a node is built from, in the order they are written.
pub(super) fn operands(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Aggregate(agg) => agg.param.iter().chain([&agg.expr]).map(|e| &**e).collect(),
        Expr::Unary(unary) => vec![&*unary.expr],
        Expr::Binary(binary) => vec![&*binary.lhs, &*binary.rhs],
        Expr::Paren(paren) => vec![&*paren.expr],
        Expr::Subquery(subquery) => vec![&*subquery.expr],
        Expr::Call(call) => call.args.args.iter().map(|e| &**e).collect(),
        Expr::Extension(ext) => ext.expr.children().iter().collect(),
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::VectorSelector(_)
        | Expr::MatrixSelector(_) => Vec::new(),
    }
}

/// The node kind and its plain-language line.
pub(super) fn describe(expr: &Expr) -> (NodeKind, String) {
    match expr {
        Expr::Aggregate(agg) => (NodeKind::Aggregate, aggregate(agg)),
        Expr::Unary(_) => (NodeKind::Unary, "each value negated".to_owned()),
        Expr::Binary(binary) => (NodeKind::Binary, operators::binary(binary)),
        Expr::Paren(paren) => describe(unparen(&paren.expr)),
        Expr::Subquery(subquery) => (NodeKind::Subquery, self::subquery(subquery)),
        Expr::NumberLiteral(number) => (NodeKind::Number, format!("the number {number}")),
        Expr::StringLiteral(string) => (NodeKind::String, format!("the string {string}")),
        Expr::VectorSelector(vs) => (NodeKind::Selector, selector(vs)),
        Expr::MatrixSelector(ms) => (
            NodeKind::RangeSelector,
            format!(
                "the last {} of samples from {}",
                display_duration(&ms.range),
                selector(&ms.vs)
            ),
        ),
        Expr::Call(call) => (NodeKind::Function, function(call)),
        Expr::Extension(ext) => (
            NodeKind::Function,
            format!(
                "{}, an extension with {}",
                ext.expr.name(),
                count(ext.expr.children().len(), "operand")
            ),
        ),
    }
}

// ---- selectors ----------------------------------------------------------------------------

fn selector(vs: &VectorSelector) -> String {
    let mut out = match &vs.name {
        Some(name) => format!("series named {name}"),
        None => "series".to_owned(),
    };
    let all: Vec<String> = vs.matchers.matchers.iter().map(condition).collect();
    if !all.is_empty() {
        out.push_str(" where ");
        out.push_str(&all.join(" and "));
    }
    for (i, group) in vs.matchers.or_matchers.iter().enumerate() {
        let words: Vec<String> = group.iter().map(condition).collect();
        out.push_str(if i == 0 && all.is_empty() {
            " where "
        } else {
            ", or where "
        });
        out.push_str(&words.join(" and "));
    }
    out.push_str(&modifiers(vs.offset.as_ref(), vs.at.as_ref()));
    out
}

/// One label matcher in words: `status!~"5.."` is "status does not match regex 5..".
fn condition(m: &Matcher) -> String {
    let label = if m.name == "__name__" {
        "the metric name".to_owned()
    } else {
        m.name.clone()
    };
    match (&m.op, m.value.as_str()) {
        (MatchOp::Equal, "") => format!("{label} is empty or missing"),
        (MatchOp::NotEqual, "") => format!("{label} is set"),
        (MatchOp::Equal, value) => format!("{label} is {value}"),
        (MatchOp::NotEqual, value) => format!("{label} is not {value}"),
        (MatchOp::Re(_), value) => format!("{label} matches regex {value}"),
        (MatchOp::NotRe(_), value) => format!("{label} does not match regex {value}"),
    }
}

/// `offset` and `@` in words, with a leading comma, or nothing.
fn modifiers(offset: Option<&Offset>, at: Option<&AtModifier>) -> String {
    let mut out = String::new();
    match offset {
        Some(Offset::Pos(d)) => {
            let d = display_duration(d);
            out.push_str(&format!(", {d} in the past (offset {d})"));
        }
        Some(Offset::Neg(d)) => {
            let d = display_duration(d);
            out.push_str(&format!(", {d} in the future (offset -{d})"));
        }
        None => {}
    }
    match at {
        Some(AtModifier::Start) => out.push_str(", at the start of the query range (@ start())"),
        Some(AtModifier::End) => out.push_str(", at the end of the query range (@ end())"),
        Some(AtModifier::At(time)) => {
            let secs = match time.duration_since(SystemTime::UNIX_EPOCH) {
                Ok(d) => d.as_secs_f64(),
                Err(before) => -before.duration().as_secs_f64(),
            };
            out.push_str(&format!(
                ", at the fixed time {secs} (Unix seconds, @ {secs})"
            ));
        }
        None => {}
    }
    out
}

// ---- aggregations -------------------------------------------------------------------------

fn aggregate(agg: &AggregateExpr) -> String {
    let op = agg.op.to_string();
    let param = agg.param.as_deref().map(unparen);
    let grouping = agg
        .modifier
        .as_ref()
        .filter(|m| !matches!(m, LabelModifier::Include(labels) if labels.is_empty()));
    let word = match op.as_str() {
        "sum" => "sum",
        "avg" => "average",
        "min" => "minimum",
        "max" => "maximum",
        "count" => "count",
        "group" => "group (every value 1)",
        "stddev" => "standard deviation",
        "stdvar" => "variance",
        _ => return parameterised(&op, param, grouping),
    };
    match grouping {
        None => format!("{word} of every series into one"),
        Some(LabelModifier::Include(labels)) => {
            format!("{word}, keeping only {}", labels_phrase(&labels.labels))
        }
        Some(LabelModifier::Exclude(labels)) => {
            format!("{word}, dropping {}", labels_phrase(&labels.labels))
        }
    }
}

/// topk, bottomk, quantile, count_values, limitk and limit_ratio: the parameter leads.
fn parameterised(op: &str, param: Option<&Expr>, grouping: Option<&LabelModifier>) -> String {
    let value = param.map_or_else(|| "?".to_owned(), |p| p.to_string());
    let core = match (op, param) {
        ("topk", _) => format!("the {value} series with the highest values"),
        ("bottomk", _) => format!("the {value} series with the lowest values"),
        ("quantile", Some(Expr::NumberLiteral(n))) => {
            format!("{} across series", quantile_words(n.val))
        }
        ("quantile", _) => "the quantile given by its first argument, across series".to_owned(),
        ("count_values", Some(Expr::StringLiteral(s))) => format!(
            "number of series per distinct value, the value kept in label `{}`",
            s.val
        ),
        ("limitk", _) => format!("any {value} series (a sample)"),
        ("limit_ratio", _) => format!("a sample of about {value} of the series"),
        _ => format!("{op} with parameter {value}"),
    };
    match grouping {
        None => core,
        Some(LabelModifier::Include(labels)) if labels.labels.len() == 1 => {
            format!("{core}, for each `{}`", labels.labels[0])
        }
        Some(LabelModifier::Include(labels)) => format!(
            "{core}, for each combination of {}",
            code_list(&labels.labels)
        ),
        Some(LabelModifier::Exclude(labels)) => format!(
            "{core}, in groups alike apart from {}",
            code_list(&labels.labels)
        ),
    }
}

/// "the label `le`" or "the labels `le` and `operation`".
pub(super) fn labels_phrase(labels: &[String]) -> String {
    match labels {
        [] => "no labels".to_owned(),
        [one] => format!("the label `{one}`"),
        _ => format!("the labels {}", code_list(labels)),
    }
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`".
pub(super) fn code_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// 0.95 is "95th percentile", 0.5 "50th percentile (the median)".
fn quantile_words(q: f64) -> String {
    if !(0.0..=1.0).contains(&q) {
        return format!("quantile {q} (outside 0 to 1, so every value is ±Inf)");
    }
    let percent = (q * 100.0 * 1e6).round() / 1e6;
    let ordinal = if percent.fract() == 0.0 {
        let n = percent as u64;
        let suffix = match (n % 10, n % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        format!("{n}{suffix}")
    } else {
        format!("{percent}th")
    };
    if q == 0.5 {
        format!("{ordinal} percentile (the median)")
    } else {
        format!("{ordinal} percentile")
    }
}

// ---- functions ----------------------------------------------------------------------------

/// What a range function reads: the metric's name when it is a plain selector.
fn subject(expr: &Expr) -> String {
    match unparen(expr) {
        Expr::MatrixSelector(ms) => ms.vs.name.clone().unwrap_or_else(|| "its input".to_owned()),
        Expr::VectorSelector(vs) => vs.name.clone().unwrap_or_else(|| "its input".to_owned()),
        _ => "its input".to_owned(),
    }
}

/// The window of a range argument: `[5m]` or a subquery's `[30m:1m]`.
fn window(expr: &Expr) -> Option<Duration> {
    match unparen(expr) {
        Expr::MatrixSelector(ms) => Some(ms.range),
        Expr::Subquery(sq) => Some(sq.range),
        _ => None,
    }
}

fn function(call: &Call) -> String {
    let name = call.func.name;
    let args: Vec<&Expr> = call.args.args.iter().map(|a| unparen(a)).collect();
    let text = |i: usize| {
        args.get(i)
            .map_or_else(|| "?".to_owned(), |a| a.to_string())
    };
    // A string argument by its value, in backticks: label_replace's label names and regex.
    let value = |i: usize| match args.get(i) {
        Some(Expr::StringLiteral(s)) => format!("`{}`", s.val),
        _ => text(i),
    };
    // The range argument of a *_over_time or rate-like function, in words.
    let range_arg = args
        .iter()
        .position(|a| a.value_type() == ValueType::Matrix);
    let (of, windows, within) = match range_arg {
        Some(i) => {
            let w = window(args[i]).map(|d| display_duration(&d));
            (
                subject(args[i]),
                w.as_ref()
                    .map_or_else(String::new, |w| format!(" over {w} windows")),
                w.map_or_else(String::new, |w| format!(" in each {w} window")),
            )
        }
        None => ("its input".to_owned(), String::new(), String::new()),
    };
    let over_time = |what: &str| format!("{what} of {of}{windows}");
    match name {
        "rate" => format!("per-second rate of {of}{windows} (counter resets handled)"),
        "irate" => format!(
            "per-second rate of {of} from the last two samples{within} (counter resets handled)"
        ),
        "increase" => format!("increase of {of}{windows} (counter resets handled)"),
        "delta" => format!("change in {of}{windows} (for gauges)"),
        "idelta" => format!("change between the last two samples of {of}{within} (for gauges)"),
        "deriv" => format!("per-second slope of {of}{windows} (linear regression, for gauges)"),
        "predict_linear" => format!(
            "predicted value of {of} {} seconds from now, from the linear trend{windows}",
            text(1)
        ),
        "changes" => format!("number of times {of} changed value{within}"),
        "resets" => format!("number of counter resets of {of}{within}"),
        "avg_over_time" => over_time("average"),
        "min_over_time" => over_time("minimum"),
        "max_over_time" => over_time("maximum"),
        "sum_over_time" => over_time("sum"),
        "stddev_over_time" => over_time("standard deviation"),
        "stdvar_over_time" => over_time("variance"),
        "mad_over_time" => over_time("median absolute deviation"),
        "count_over_time" => format!("number of samples of {of}{within}"),
        "last_over_time" => format!("the most recent sample of {of}{within}"),
        "present_over_time" => format!("1 for each series of {of} with any sample{within}"),
        "absent_over_time" => format!(
            "1 if {of} has no samples at all{within}, else nothing (for alerting on missing data)"
        ),
        "quantile_over_time" => match args.first() {
            Some(Expr::NumberLiteral(q)) => over_time(&quantile_words(q.val)),
            _ => over_time("quantile (given by its first argument)"),
        },
        "histogram_quantile" => match args.first() {
            Some(Expr::NumberLiteral(q)) => format!(
                "{} from histogram buckets (needs the `le` label)",
                quantile_words(q.val)
            ),
            _ => "the quantile given by its first argument, from histogram buckets (needs the \
                  `le` label)"
                .to_owned(),
        },
        "absent" => match args.first() {
            Some(Expr::VectorSelector(vs)) => format!(
                "1 if `{vs}` matches no series, else nothing (for alerting on missing data)"
            ),
            _ => "1 if its input has no series, else nothing (for alerting on missing data)"
                .to_owned(),
        },
        "clamp" => format!("values clamped between {} and {}", text(1), text(2)),
        "clamp_min" => format!("values raised to at least {}", text(1)),
        "clamp_max" => format!("values capped at {}", text(1)),
        "round" if args.len() > 1 => {
            format!("values rounded to the nearest multiple of {}", text(1))
        }
        "round" => "values rounded to the nearest integer".to_owned(),
        "abs" => "absolute values".to_owned(),
        "ceil" => "values rounded up to an integer".to_owned(),
        "floor" => "values rounded down to an integer".to_owned(),
        "sqrt" => "square root of each value".to_owned(),
        "exp" => "e to the power of each value".to_owned(),
        "ln" => "natural logarithm of each value".to_owned(),
        "log2" => "base-2 logarithm of each value".to_owned(),
        "log10" => "base-10 logarithm of each value".to_owned(),
        "sgn" => "the sign of each value: -1, 0 or 1".to_owned(),
        "label_replace" => format!(
            "sets label {} to {} where label {} matches regex {}",
            value(1),
            value(2),
            value(3),
            value(4)
        ),
        "label_join" => format!(
            "sets label {} to the values of labels {} joined with {}",
            value(1),
            (3..args.len()).map(value).collect::<Vec<_>>().join(", "),
            value(2)
        ),
        "time" => "the evaluation time, in seconds since the Unix epoch".to_owned(),
        "timestamp" => "the timestamp of each sample, in seconds since the Unix epoch".to_owned(),
        "vector" => format!("the scalar {} as one series with no labels", text(0)),
        "scalar" => {
            "the value of its only series as a scalar (NaN unless there is exactly one)".to_owned()
        }
        "sort" => "series sorted by value, lowest first (instant queries only)".to_owned(),
        "sort_desc" => "series sorted by value, highest first (instant queries only)".to_owned(),
        "sort_by_label" | "sort_by_label_desc" => format!(
            "series sorted by the labels {}, {} (instant queries only)",
            (1..args.len()).map(value).collect::<Vec<_>>().join(", "),
            if name == "sort_by_label" {
                "ascending"
            } else {
                "descending"
            }
        ),
        _ => format!(
            "the function {name}, with {}",
            count(args.len(), "argument")
        ),
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

// ---- subqueries ---------------------------------------------------------------------------

fn subquery(sq: &SubqueryExpr) -> String {
    let range = display_duration(&sq.range);
    let every = match &sq.step {
        Some(step) => format!("every {}", display_duration(step)),
        None => "at the default resolution".to_owned(),
    };
    format!(
        "subquery: its input evaluated {every} over the last {range}{}",
        modifiers(sq.offset.as_ref(), sq.at.as_ref())
    )
}
