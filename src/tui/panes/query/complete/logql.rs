//! LogQL: label names and values inside a stream selector, a stage after `|` (or a label
//! for `unwrap`, `keep`, `drop`), a function elsewhere.

use super::promql::GROUPING;
use super::{Site, Want, floor_char_boundary, is_word};

/// LogQL's parsers, formatters and other stages, offered after `|`.
pub(super) const LOGQL_STAGES: &[&str] = &[
    "json",
    "logfmt",
    "pattern",
    "regexp",
    "unpack",
    "line_format",
    "label_format",
    "unwrap",
    "drop",
    "keep",
    "decolorize",
];

/// LogQL's range and aggregation functions, offered where a function may start.
pub(super) const LOGQL_FUNCTIONS: &[&str] = &[
    "rate",
    "count_over_time",
    "bytes_over_time",
    "bytes_rate",
    "sum_over_time",
    "avg_over_time",
    "max_over_time",
    "min_over_time",
    "quantile_over_time",
    "first_over_time",
    "last_over_time",
    "absent_over_time",
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "topk",
    "bottomk",
    "sort",
    "sort_desc",
];

/// LogQL stages whose arguments are label names.
pub(super) const LOGQL_LABEL_STAGES: [&str; 3] = ["unwrap", "keep", "drop"];

/// Reads the LogQL before `cursor`: label names and values inside a stream selector, a
/// stage after `|` (or a label for `unwrap`, `keep`, `drop`), a function elsewhere.
pub(super) fn logql_site(text: &str, cursor: usize) -> Site {
    let cursor = floor_char_boundary(text, cursor.min(text.len()));
    let before = &text[..cursor];
    let mut in_string: Option<(char, usize)> = None;
    let mut in_braces = false;
    let mut label = String::new();
    let mut parens: Vec<bool> = Vec::new();
    // In a pipeline: no word of the current stage yet, or the stage's first word.
    let mut pipeline = false;
    let mut stage_start = false;
    let mut stage = String::new();
    let mut last_word = String::new();
    let mut word = String::new();
    let mut prev = ' ';
    for (i, c) in before.char_indices() {
        if let Some((quote, _)) = in_string {
            if c == quote {
                in_string = None;
                label.clear();
            }
            prev = c;
            continue;
        }
        if is_word(c) {
            word.push(c);
            prev = c;
            continue;
        }
        if !word.is_empty() {
            if stage_start {
                stage = word.clone();
                stage_start = false;
            }
            last_word = std::mem::take(&mut word);
        }
        match c {
            '"' | '`' => in_string = Some((c, i + c.len_utf8())),
            '{' => {
                in_braces = true;
                label.clear();
            }
            '}' => {
                in_braces = false;
                label.clear();
            }
            '|' if !in_braces => {
                pipeline = true;
                stage_start = true;
                stage.clear();
                label.clear();
            }
            // `|=`, `|~`: a line filter, not a stage.
            '=' | '~' if prev == '|' => stage_start = false,
            '=' | '!' | '~' if !last_word.is_empty() => label = last_word.clone(),
            ',' => label.clear(),
            '(' | ')' | '[' => {
                pipeline = false;
                stage_start = false;
                label.clear();
                if c == '(' {
                    parens.push(GROUPING.contains(&last_word.as_str()));
                } else if c == ')' {
                    parens.pop();
                }
            }
            _ => {}
        }
        if !c.is_whitespace() && !matches!(c, '=' | '!' | '~') {
            last_word.clear();
        }
        prev = c;
    }
    if let Some((_, start)) = in_string {
        let want = if (in_braces || pipeline) && !label.is_empty() {
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
        if label.is_empty() {
            Want::LabelName
        } else {
            Want::Nothing
        }
    } else if pipeline {
        if stage_start {
            Want::Stage
        } else if LOGQL_LABEL_STAGES.contains(&stage.as_str()) {
            Want::LabelName
        } else {
            Want::Nothing
        }
    } else if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        Want::Nothing
    } else {
        Want::LogFunction
    };
    Site {
        want,
        word: start..cursor,
    }
}
