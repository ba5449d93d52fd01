//! A table of an instant result: labels every row shares pulled out above it, the labels
//! that vary as columns, the value in the query's unit; sortable by value or by a label.

mod render;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;

use super::labels::varying_names;
use crate::lab::query::{InstantSeries, Labels, QueryData, Sample, Unit};

pub use render::render_table;

/// One row: the series' full label set (for the selected-row line) and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub labels: Labels,
    /// One text per column, empty where the series lacks that label.
    pub cells: Vec<String>,
    /// The value sorted on; NaN for a string result.
    pub value: f64,
    /// The value as shown, in the unit.
    pub value_text: String,
}

/// What a table orders its rows by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    /// By value, numerically; NaN rows go last either way.
    Value { descending: bool },
    /// By one label's value, numerically when both are numbers (`le`, `code`), else as
    /// text; rows without the label go last.
    Label { name: String, descending: bool },
}

/// A table ready to draw, built once per result.
#[derive(Debug, Clone, PartialEq)]
pub struct TableModel {
    /// Labels with the same value on every row, shown once above the table (empty with a
    /// single row, whose labels are its columns).
    pub common: Labels,
    /// The label names that vary between rows, one column each, in name order.
    pub columns: Vec<String>,
    pub rows: Vec<TableRow>,
    pub unit: Unit,
}

impl TableModel {
    /// A table of an instant vector, one row per series.
    pub fn from_vector(series: &[InstantSeries], unit: Unit) -> Self {
        let columns = if series.len() == 1 {
            series[0].labels.keys().cloned().collect()
        } else {
            varying_names(series.iter().map(|s| &s.labels))
        };
        let common = match series {
            [first, _, ..] => first
                .labels
                .iter()
                .filter(|(k, _)| !columns.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            _ => Labels::new(),
        };
        let rows = series
            .iter()
            .map(|s| TableRow {
                cells: columns
                    .iter()
                    .map(|c| s.labels.get(c).cloned().unwrap_or_default())
                    .collect(),
                labels: s.labels.clone(),
                value: s.sample.v,
                value_text: unit.format(s.sample.v),
            })
            .collect();
        Self {
            common,
            columns,
            rows,
            unit,
        }
    }

    /// A one-row table of a scalar result.
    pub fn from_scalar(sample: Sample, unit: Unit) -> Self {
        Self::from_vector(
            &[InstantSeries {
                labels: Labels::new(),
                sample,
            }],
            unit,
        )
    }

    /// A one-row table of a string result, shown verbatim.
    pub fn from_string(value: &str) -> Self {
        let mut model = Self::from_scalar(
            Sample {
                t: 0.0,
                v: f64::NAN,
            },
            Unit::Plain,
        );
        if let Some(row) = model.rows.first_mut() {
            row.value_text = value.to_string();
        }
        model
    }

    /// A table of any result; a matrix shows each series' newest sample.
    pub fn from_data(data: &QueryData, unit: Unit) -> Self {
        match data {
            QueryData::Vector(v) => Self::from_vector(v, unit),
            QueryData::Matrix(m) => {
                let newest: Vec<InstantSeries> = m
                    .iter()
                    .filter_map(|s| {
                        s.samples.last().map(|sample| InstantSeries {
                            labels: s.labels.clone(),
                            sample: *sample,
                        })
                    })
                    .collect();
                Self::from_vector(&newest, unit)
            }
            QueryData::Scalar(s) => Self::from_scalar(*s, unit),
            QueryData::String { value, .. } => Self::from_string(value),
            // Log lines and traces have views of their own.
            QueryData::Streams(_) | QueryData::Traces(_) => Self::from_vector(&[], unit),
        }
    }

    /// Reorders the rows; ties keep their current order.
    pub fn sort(&mut self, key: &SortKey) {
        match key {
            SortKey::Value { descending } => self
                .rows
                .sort_by(|a, b| last_if_missing(a.value, b.value, *descending)),
            SortKey::Label { name, descending } => self.rows.sort_by(|a, b| {
                let (x, y) = (a.labels.get(name), b.labels.get(name));
                match (x, y) {
                    (Some(x), Some(y)) => {
                        let o = compare_text(x, y);
                        if *descending { o.reverse() } else { o }
                    }
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Numeric order with NaN after every number in both directions.
fn last_if_missing(a: f64, b: f64, descending: bool) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) if descending => b.total_cmp(&a),
        (false, false) => a.total_cmp(&b),
    }
}

/// Label values compared as numbers when both are (`"10"` after `"9"`), else as text.
fn compare_text(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) if !x.is_nan() && !y.is_nan() => x.total_cmp(&y),
        _ => a.cmp(b),
    }
}

/// The first row to draw so `selected` stays in view: the old `offset` moved only as far
/// as needed, for a body `visible` rows tall.
pub fn scroll_offset(selected: usize, offset: usize, visible: usize) -> usize {
    let visible = visible.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + visible {
        selected + 1 - visible
    } else {
        offset
    }
}
