//! PromQL: a metric or function, a label name inside `{…}` or a grouping clause, a label's
//! value inside its quotes.

use super::{Site, Want, floor_char_boundary, is_word};

pub(super) const GROUPING: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// PromQL's functions and aggregation operators, completed beside metric names.
pub(super) const FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "avg",
    "avg_over_time",
    "bottomk",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "count",
    "count_over_time",
    "count_values",
    "day_of_week",
    "delta",
    "deriv",
    "exp",
    "floor",
    "group",
    "histogram_quantile",
    "holt_winters",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log2",
    "log10",
    "max",
    "max_over_time",
    "min",
    "min_over_time",
    "predict_linear",
    "quantile",
    "quantile_over_time",
    "rate",
    "resets",
    "round",
    "scalar",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev",
    "stddev_over_time",
    "stdvar",
    "sum",
    "sum_over_time",
    "time",
    "timestamp",
    "topk",
    "vector",
];

/// Reads the PromQL before `cursor` (a byte offset) and says what is being typed there.
pub fn site(text: &str, cursor: usize) -> Site {
    let cursor = floor_char_boundary(text, cursor.min(text.len()));
    let before = &text[..cursor];
    let mut in_string: Option<(char, usize)> = None;
    let mut in_braces = false;
    let mut label = String::new();
    let mut parens: Vec<bool> = Vec::new(); // true: a grouping clause's parenthesis
    let mut last_word = String::new();
    let mut word = String::new();
    for (i, c) in before.char_indices() {
        if let Some((quote, _)) = in_string {
            if c == quote {
                in_string = None;
            }
            continue;
        }
        if is_word(c) {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            last_word = std::mem::take(&mut word);
        }
        match c {
            '"' | '\'' | '`' => in_string = Some((c, i + c.len_utf8())),
            '{' => {
                in_braces = true;
                label.clear();
            }
            '}' => in_braces = false,
            '=' | '!' | '~' if in_braces && !last_word.is_empty() => {
                label = last_word.clone();
            }
            ',' if in_braces => label.clear(),
            '(' => parens.push(GROUPING.contains(&last_word.as_str())),
            ')' => {
                parens.pop();
            }
            _ => {}
        }
        if !c.is_whitespace() && !matches!(c, '=' | '!' | '~') {
            last_word.clear();
        }
    }
    if let Some((_, start)) = in_string {
        let want = if in_braces && !label.is_empty() {
            Want::LabelValue { label }
        } else {
            Want::Nothing
        };
        return Site {
            want,
            word: start..cursor,
        };
    }
    let start = cursor - word.len();
    let want = if in_braces || parens.last() == Some(&true) {
        Want::LabelName
    } else if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        Want::Nothing
    } else {
        Want::Metric
    };
    Site {
        want,
        word: start..cursor,
    }
}
