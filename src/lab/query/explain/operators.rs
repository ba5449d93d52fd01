//! The plain-language line for a binary operator: what it does to its operands, and how
//! vector matching pairs the series on each side.

use promql_parser::label::Labels;
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{BinaryExpr, Expr, LabelModifier, VectorMatchCardinality};

use super::words::{code_list, labels_phrase, unparen};

/// Arithmetic, comparison and set operators, with scalar or vector operands and matching.
pub(super) fn binary(b: &BinaryExpr) -> String {
    let op = b.op.to_string();
    let lhs_scalar = b.lhs.value_type() == ValueType::Scalar;
    let rhs_scalar = b.rhs.value_type() == ValueType::Scalar;
    let modifier = b.modifier.as_ref();
    let matching = modifier.and_then(|m| m.matching.as_ref());
    let with = same_labels(matching);
    let scalar_text = |e: &Expr| match unparen(e) {
        Expr::NumberLiteral(n) => n.to_string(),
        _ => "a scalar".to_owned(),
    };
    if let Some(card) = modifier.map(|m| &m.card) {
        let (side, other, labels) = match card {
            VectorMatchCardinality::ManyToOne(labels) => ("left", "right", labels),
            VectorMatchCardinality::OneToMany(labels) => ("right", "left", labels),
            _ => ("", "", &Labels { labels: Vec::new() }),
        };
        if !side.is_empty() {
            let how = if side == "left" {
                "many-to-one"
            } else {
                "one-to-many"
            };
            let on = match matching {
                Some(LabelModifier::Include(l)) if !l.labels.is_empty() => code_list(&l.labels),
                Some(LabelModifier::Include(_)) => "no labels".to_owned(),
                Some(LabelModifier::Exclude(l)) if !l.labels.is_empty() => {
                    format!("all labels except {}", code_list(&l.labels))
                }
                _ => "all labels".to_owned(),
            };
            let copy = if labels.labels.is_empty() {
                String::new()
            } else {
                format!(
                    ", copying {} from the {other}",
                    labels_phrase(&labels.labels)
                )
            };
            return format!(
                "{}, {how}: each {side} series matched to one {other} series on {on}{copy}",
                operation_noun(&op)
            );
        }
    }
    if let Some(verb) = arithmetic_verb(&op) {
        return match (lhs_scalar, rhs_scalar) {
            (true, true) => format!("{} {verb} {}", scalar_text(&b.lhs), scalar_text(&b.rhs)),
            (false, true) => format!("each series {verb} {}", scalar_text(&b.rhs)),
            (true, false) => format!("{} {verb} each series", scalar_text(&b.lhs)),
            (false, false) => format!("each left series {verb} the right series {with}"),
        };
    }
    if let Some(cmp) = comparison_words(&op) {
        let bool_ = b.return_bool();
        return match (lhs_scalar, rhs_scalar, bool_) {
            (true, true, _) => format!(
                "1 if {} {cmp} {}, else 0",
                scalar_text(&b.lhs),
                scalar_text(&b.rhs)
            ),
            (false, true, false) => {
                format!(
                    "keeps only series whose value {cmp} {}",
                    scalar_text(&b.rhs)
                )
            }
            (true, false, false) => format!(
                "keeps only series whose value {} {}",
                comparison_words(flipped(&op)).unwrap_or(cmp),
                scalar_text(&b.lhs)
            ),
            (false, false, false) => {
                format!("keeps only left series whose value {cmp} that of the right series {with}")
            }
            (false, true, true) => format!(
                "1 where a series' value {cmp} {}, else 0 (bool keeps every series)",
                scalar_text(&b.rhs)
            ),
            (true, false, true) => format!(
                "1 where a series' value {} {}, else 0 (bool keeps every series)",
                comparison_words(flipped(&op)).unwrap_or(cmp),
                scalar_text(&b.lhs)
            ),
            (false, false, true) => format!(
                "1 where a left series' value {cmp} that of the right series {with}, else 0 \
                 (bool keeps every series)"
            ),
        };
    }
    match op.as_str() {
        "and" => format!("left series that have a right series {with} (intersection)"),
        "or" => format!("every left series, plus right series with no left series {with} (union)"),
        "unless" => format!("left series that have no right series {with} (difference)"),
        _ => format!("the operator {op}"),
    }
}

/// How vector matching pairs series, after "the right series".
fn same_labels(matching: Option<&LabelModifier>) -> String {
    match matching {
        Some(LabelModifier::Include(l)) if l.labels.is_empty() => {
            "(no labels compared: on ())".to_owned()
        }
        Some(LabelModifier::Include(l)) => format!("with the same {}", code_list(&l.labels)),
        Some(LabelModifier::Exclude(l)) if !l.labels.is_empty() => {
            format!("with the same labels apart from {}", code_list(&l.labels))
        }
        _ => "with the same labels".to_owned(),
    }
}

fn arithmetic_verb(op: &str) -> Option<&'static str> {
    Some(match op {
        "+" => "plus",
        "-" => "minus",
        "*" => "multiplied by",
        "/" => "divided by",
        "%" => "modulo",
        "^" => "to the power of",
        "atan2" => "atan2 with",
        _ => return None,
    })
}

fn comparison_words(op: &str) -> Option<&'static str> {
    Some(match op {
        "==" => "equals",
        "!=" => "does not equal",
        ">" => "is greater than",
        "<" => "is less than",
        ">=" => "is at least",
        "<=" => "is at most",
        _ => return None,
    })
}

/// The comparison seen from the other side: `0 < x` keeps what `x > 0` keeps.
fn flipped(op: &str) -> &str {
    match op {
        ">" => "<",
        "<" => ">",
        ">=" => "<=",
        "<=" => ">=",
        other => other,
    }
}

fn operation_noun(op: &str) -> String {
    match op {
        "+" => "addition".to_owned(),
        "-" => "subtraction".to_owned(),
        "*" => "multiplication".to_owned(),
        "/" => "division".to_owned(),
        "%" => "modulo".to_owned(),
        "^" => "power".to_owned(),
        other => format!("comparison {other}"),
    }
}
