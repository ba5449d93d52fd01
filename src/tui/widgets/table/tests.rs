//! The table model: shared labels, columns, sort orders and scrolling.

use super::{SortKey, TableModel, scroll_offset};
use crate::lab::query::{InstantSeries, Labels, QueryData, RangeSeries, Sample, Unit};

fn row(pairs: &[(&str, &str)], v: f64) -> InstantSeries {
    InstantSeries {
        labels: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        sample: Sample {
            t: 1_700_000_000.0,
            v,
        },
    }
}

fn shop() -> Vec<InstantSeries> {
    vec![
        row(
            &[("job", "shop"), ("service", "payments"), ("code", "200")],
            0.35,
        ),
        row(
            &[("job", "shop"), ("service", "checkout"), ("code", "500")],
            f64::NAN,
        ),
        row(
            &[("job", "shop"), ("service", "cart"), ("code", "404")],
            1.25,
        ),
        row(&[("job", "shop"), ("service", "catalog")], 0.02),
    ]
}

fn services(model: &TableModel) -> Vec<&str> {
    model.rows.iter().map(|r| r.cells[1].as_str()).collect()
}

#[test]
fn shared_labels_move_above_and_varying_ones_become_columns() {
    let model = TableModel::from_vector(&shop(), Unit::Seconds);
    assert_eq!(
        model.common,
        Labels::from([("job".to_string(), "shop".to_string())])
    );
    assert_eq!(model.columns, ["code", "service"]);
    assert_eq!(model.rows[0].value_text, "350ms");
    assert_eq!(
        model.rows[3].cells,
        ["", "catalog"],
        "a missing label is empty"
    );
}

#[test]
fn a_single_row_keeps_its_labels_as_columns() {
    let model = TableModel::from_vector(&shop()[..1], Unit::Seconds);
    assert!(model.common.is_empty());
    assert_eq!(model.columns, ["code", "job", "service"]);
}

#[test]
fn scalars_strings_and_matrices_make_tables_too() {
    let scalar = TableModel::from_data(&QueryData::Scalar(Sample { t: 0.0, v: 2.5 }), Unit::Plain);
    assert_eq!(scalar.rows[0].value_text, "2.5");
    assert!(scalar.columns.is_empty());
    let text = TableModel::from_data(
        &QueryData::String {
            t: 0.0,
            value: "hello".into(),
        },
        Unit::Plain,
    );
    assert_eq!(text.rows[0].value_text, "hello");
    let matrix = QueryData::Matrix(vec![RangeSeries {
        labels: Labels::new(),
        samples: vec![Sample { t: 1.0, v: 1.0 }, Sample { t: 2.0, v: 7.0 }],
    }]);
    assert_eq!(
        TableModel::from_data(&matrix, Unit::Plain).rows[0].value,
        7.0
    );
    assert!(TableModel::from_vector(&[], Unit::Plain).is_empty());
}

#[test]
fn value_sorts_are_numeric_with_nan_last() {
    let mut model = TableModel::from_vector(&shop(), Unit::Seconds);
    model.sort(&SortKey::Value { descending: true });
    assert_eq!(
        services(&model),
        ["cart", "payments", "catalog", "checkout"]
    );
    model.sort(&SortKey::Value { descending: false });
    assert_eq!(
        services(&model),
        ["catalog", "payments", "cart", "checkout"]
    );
}

#[test]
fn label_sorts_are_numeric_aware_with_missing_last() {
    let mut model = TableModel::from_vector(&shop(), Unit::Seconds);
    model.sort(&SortKey::Label {
        name: "code".into(),
        descending: true,
    });
    assert_eq!(
        services(&model),
        ["checkout", "cart", "payments", "catalog"]
    );
    model.sort(&SortKey::Label {
        name: "service".into(),
        descending: false,
    });
    assert_eq!(
        services(&model),
        ["cart", "catalog", "checkout", "payments"]
    );

    let mut le = TableModel::from_vector(
        &[
            row(&[("le", "10")], 1.0),
            row(&[("le", "9")], 1.0),
            row(&[("le", "+Inf")], 1.0),
        ],
        Unit::Plain,
    );
    le.sort(&SortKey::Label {
        name: "le".into(),
        descending: false,
    });
    let order: Vec<&str> = le.rows.iter().map(|r| r.cells[0].as_str()).collect();
    assert_eq!(order, ["9", "10", "+Inf"]);
}

#[test]
fn the_offset_follows_the_selection() {
    assert_eq!(scroll_offset(0, 0, 10), 0);
    assert_eq!(scroll_offset(12, 0, 10), 3);
    assert_eq!(scroll_offset(5, 3, 10), 3);
    assert_eq!(scroll_offset(2, 3, 10), 2);
    assert_eq!(scroll_offset(499, 0, 0), 499);
}
