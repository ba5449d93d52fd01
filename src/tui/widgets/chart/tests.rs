//! The chart model: downsampling, gaps, y ranges, toggles and the cursor.

use std::collections::BTreeMap;

use super::ChartModel;
use super::downsample::{min_max, runs, step};
use crate::lab::query::{RangeSeries, Sample, Unit};

fn series(service: &str, values: &[f64]) -> RangeSeries {
    RangeSeries {
        labels: BTreeMap::from([
            ("job".to_string(), "shop".to_string()),
            ("service".to_string(), service.to_string()),
        ]),
        samples: values
            .iter()
            .enumerate()
            .map(|(i, v)| Sample {
                t: 1_700_000_000.0 + 15.0 * i as f64,
                v: *v,
            })
            .collect(),
    }
}

fn samples(values: &[f64]) -> Vec<Sample> {
    series("x", values).samples
}

#[test]
fn a_one_sample_spike_survives_downsampling() {
    let mut values = vec![0.1; 1000];
    values[617] = 9.0;
    let s = samples(&values);
    let range = (s[0].t, s[999].t);
    let points = min_max(&s, range, 50);
    assert!(points.len() <= 100, "{} points", points.len());
    assert!(points.iter().any(|p| p.1 == 9.0));
    assert!(
        points.windows(2).all(|w| w[0].0 < w[1].0),
        "time order kept"
    );
}

#[test]
fn short_runs_are_kept_whole() {
    let s = samples(&[1.0, 2.0, 3.0]);
    assert_eq!(min_max(&s, (s[0].t, s[2].t), 10).len(), 3);
}

#[test]
fn nan_inf_and_missing_steps_split_runs() {
    let mut s = samples(&[1.0, 2.0, f64::NAN, 3.0, f64::INFINITY, 4.0, 5.0]);
    s.remove(6);
    s.push(Sample {
        t: s[5].t + 60.0,
        v: 6.0,
    });
    let lens: Vec<usize> = runs(&s, 15.0 * 1.5).iter().map(|r| r.len()).collect();
    assert_eq!(lens, [2, 1, 1, 1]);
    assert_eq!(step(&[0.0, 15.0, 30.0, 90.0]), Some(15.0));
}

#[test]
fn labels_show_what_differs_and_colours_cycle() {
    let all: Vec<RangeSeries> = (0..10)
        .map(|i| series(&format!("svc{i}"), &[1.0]))
        .collect();
    let model = ChartModel::new(&all, Unit::Plain, 80);
    assert_eq!(model.series()[0].label, r#"{service="svc0"}"#);
    assert_eq!(model.series()[9].colour, 1);
    let one = ChartModel::new(&all[..1], Unit::Plain, 80);
    assert_eq!(one.series()[0].label, r#"{job="shop", service="svc0"}"#);
}

#[test]
fn y_range_fits_the_shown_series_and_floors_at_zero() {
    let data = [
        series("payments", &[0.2, 0.3, 0.25]),
        series("checkout", &[1.0, 4.0, 2.0]),
    ];
    let mut model = ChartModel::new(&data, Unit::Seconds, 80);
    let (lo, hi) = model.y_range();
    assert_eq!(lo, 0.0);
    assert!((4.0..=5.0).contains(&hi), "{hi}");
    model.toggle(1);
    assert!(model.is_hidden(1));
    let (lo, hi) = model.y_range();
    assert_eq!(lo, 0.0);
    assert!((0.3..=0.5).contains(&hi), "{hi}");
    model.toggle(1);
    assert!(model.y_range().1 >= 4.0);
    model.toggle(7);
    assert!(model.hidden().is_empty());
}

#[test]
fn negative_data_is_not_floored() {
    let model = ChartModel::new(&[series("a", &[-2.0, 3.0])], Unit::Plain, 80);
    let (lo, hi) = model.y_range();
    assert!(lo < -2.0 && hi > 3.0, "{lo} {hi}");
}

#[test]
fn the_cursor_reads_every_series_at_one_instant() {
    let mut b = series("checkout", &[1.0, f64::NAN, 2.0]);
    b.samples.remove(0);
    let data = [series("payments", &[0.2, 0.3, 0.25]), b];
    let mut model = ChartModel::new(&data, Unit::Seconds, 80);
    assert!(model.values_at_cursor().is_empty());
    model.cursor_left();
    assert_eq!(model.cursor, Some(2));
    model.cursor_right();
    assert_eq!(model.cursor, Some(2));
    model.cursor_left();
    let at = model.values_at_cursor();
    assert_eq!(at[0], (0, r#"{service="payments"}"#, Some(0.3)));
    assert!(at[1].2.is_some_and(f64::is_nan));
    model.cursor_left();
    model.cursor_left();
    assert_eq!(model.cursor, Some(0));
    assert_eq!(model.values_at_cursor()[1].2, None);
    assert_eq!(model.cursor_time(), Some(1_700_000_000.0));
}

#[test]
fn an_empty_result_has_nothing_to_plot() {
    let mut model = ChartModel::new(&[], Unit::Plain, 80);
    assert!(model.is_empty());
    model.cursor_left();
    model.cursor_right();
    assert_eq!(model.cursor, None);
}
