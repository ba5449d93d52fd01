//! A time-series chart of a range result: the model (series downsampled to the pane's
//! width, their legend lines, axis ranges and labels, which series are shown, a cursor)
//! and `render_chart`, which only draws it.
//!
//! In a NO_COLOR theme every series is drawn in the same plain braille: the legend numbers
//! the series, `[x]` toggles let the learner isolate one, and the cursor readout gives each
//! series' value, which tells them apart better than marker shapes at braille resolution.

mod axes;
mod downsample;
mod legend;
mod render;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use chrono::{FixedOffset, Offset};

use super::labels::{format_labels, pick, varying_names};
use crate::lab::query::{RangeSeries, Sample, Unit};
use crate::tui::theme::SERIES_COLOURS;

pub use render::render_chart;

/// One line of the chart, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    /// The labels that tell this series from the others (all of them when alone), as
    /// Prometheus prints them.
    pub label: String,
    /// Index into the theme's series styles; cycles when there are more series.
    pub colour: usize,
    /// Runs of finite points, downsampled to the width; a new run starts after a NaN or
    /// ±Inf sample or a missing step, so gaps show as gaps rather than invented lines.
    pub segments: Vec<Vec<(f64, f64)>>,
    /// The value of the newest sample (possibly NaN), shown while no cursor is set.
    pub last: Option<f64>,
    samples: Vec<Sample>,
}

/// Everything the chart and its legend show, computed when a result arrives, the width
/// changes or a series is toggled, so drawing does no data work.
#[derive(Debug, Clone)]
pub struct ChartModel {
    /// Where along the distinct sample times the cursor is; `None` shows latest values.
    pub cursor: Option<usize>,
    unit: Unit,
    series: Vec<ChartSeries>,
    hidden: BTreeSet<usize>,
    /// Every distinct sample timestamp, ascending: the positions the cursor steps through.
    times: Vec<f64>,
    /// The usual distance between samples, to tell a missing step from a regular one.
    step: Option<f64>,
    x_range: (f64, f64),
    y_range: (f64, f64),
    x_labels: Vec<String>,
    y_labels: Vec<String>,
    utc_offset: FixedOffset,
    width_cells: u16,
    /// Points marked over the lines (exemplars: a traced request's time and value), and
    /// the one selected, drawn apart.
    marks: Vec<(f64, f64)>,
    marked: Option<usize>,
}

impl ChartModel {
    /// A chart of `series` for a pane `width_cells` wide, times in the local timezone.
    pub fn new(series: &[RangeSeries], unit: Unit, width_cells: u16) -> Self {
        let names = varying_names(series.iter().map(|s| &s.labels));
        let chart_series = series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let labels = if series.len() == 1 || names.is_empty() {
                    s.labels.clone()
                } else {
                    pick(&s.labels, &names)
                };
                ChartSeries {
                    label: format_labels(&labels),
                    colour: i % SERIES_COLOURS,
                    segments: Vec::new(),
                    last: s.samples.last().map(|p| p.v),
                    samples: s.samples.clone(),
                }
            })
            .collect();
        let mut times: Vec<f64> = series
            .iter()
            .flat_map(|s| s.samples.iter().map(|p| p.t))
            .collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let x_range = axes::x_range(&times);
        let mut model = Self {
            cursor: None,
            unit,
            series: chart_series,
            hidden: BTreeSet::new(),
            step: downsample::step(&times),
            times,
            x_range,
            y_range: (0.0, 1.0),
            x_labels: Vec::new(),
            y_labels: Vec::new(),
            utc_offset: chrono::Local::now().offset().fix(),
            width_cells,
            marks: Vec::new(),
            marked: None,
        };
        model.resize(width_cells);
        model.x_labels = axes::x_labels(x_range, model.utc_offset, width_cells);
        model
    }

    /// The same chart with times shown at a fixed offset from UTC (UTC itself in tests, so
    /// snapshots do not depend on where they run).
    /// Marks points (time in unix seconds, value in the chart's unit) over the lines, with
    /// `selected` drawn apart; points outside the axes are left out when drawn.
    pub fn set_marks(&mut self, marks: Vec<(f64, f64)>, selected: Option<usize>) {
        self.marks = marks;
        self.marked = selected;
    }

    pub fn marks(&self) -> (&[(f64, f64)], Option<usize>) {
        (&self.marks, self.marked)
    }

    pub fn with_utc_offset(mut self, offset: FixedOffset) -> Self {
        self.utc_offset = offset;
        self.x_labels = axes::x_labels(self.x_range, offset, self.width_cells);
        self
    }

    /// The same chart over the whole queried range rather than just where samples are, so
    /// a series that started late, or stopped, shows where in the window it did.
    pub fn with_x_range(mut self, start: f64, end: f64) -> Self {
        if end > start {
            self.x_range = (start, end);
            self.resize(self.width_cells);
        }
        self
    }

    /// Re-downsamples every series for a new pane width.
    pub fn resize(&mut self, width_cells: u16) {
        self.width_cells = width_cells;
        // One bucket per cell, each keeping its lowest and highest point: about two points
        // per cell, which is what braille's two dots across can show.
        let buckets = usize::from(width_cells.max(1));
        let max_gap = self.step.map_or(f64::INFINITY, |s| s * 1.5);
        for s in &mut self.series {
            s.segments = downsample::runs(&s.samples, max_gap)
                .into_iter()
                .map(|run| downsample::min_max(run, self.x_range, buckets))
                .collect();
        }
        self.x_labels = axes::x_labels(self.x_range, self.utc_offset, width_cells);
        self.refresh_y();
    }

    /// Shows or hides series `idx`; the y axis then fits the series still shown.
    pub fn toggle(&mut self, idx: usize) {
        if idx >= self.series.len() {
            return;
        }
        if !self.hidden.remove(&idx) {
            self.hidden.insert(idx);
        }
        self.refresh_y();
    }

    pub fn is_hidden(&self, idx: usize) -> bool {
        self.hidden.contains(&idx)
    }

    /// The hidden series' indices.
    pub fn hidden(&self) -> &BTreeSet<usize> {
        &self.hidden
    }

    fn refresh_y(&mut self) {
        let visible = self
            .series
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.hidden.contains(i))
            .flat_map(|(_, s)| s.segments.iter().flatten().map(|p| p.1));
        let (range, labels) = axes::y_axis(visible, self.unit);
        self.y_range = range;
        self.y_labels = labels;
    }

    /// Moves the cursor one sample time earlier; from no cursor it starts at the newest.
    pub fn cursor_left(&mut self) {
        let last = self.times.len().checked_sub(1);
        self.cursor = match self.cursor {
            Some(i) => Some(i.saturating_sub(1).min(last.unwrap_or(0))),
            None => last,
        };
    }

    /// Moves the cursor one sample time later, stopping at the newest.
    pub fn cursor_right(&mut self) {
        let last = self.times.len().checked_sub(1);
        self.cursor = match (self.cursor, last) {
            (Some(i), Some(last)) => Some((i + 1).min(last)),
            (None, last) => last,
            (Some(_), None) => None,
        };
    }

    /// The instant under the cursor, unix seconds.
    pub fn cursor_time(&self) -> Option<f64> {
        self.cursor.and_then(|i| self.times.get(i).copied())
    }

    /// Every series' value at the cursor's instant (hidden ones too, so the legend can say
    /// what a hidden series was doing); `None` where a series has no sample then.
    pub fn values_at_cursor(&self) -> Vec<(usize, &str, Option<f64>)> {
        let Some(t) = self.cursor_time() else {
            return Vec::new();
        };
        self.series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let v = s
                    .samples
                    .binary_search_by(|p| p.t.total_cmp(&t))
                    .ok()
                    .map(|at| s.samples[at].v);
                (i, s.label.as_str(), v)
            })
            .collect()
    }

    pub fn unit(&self) -> Unit {
        self.unit
    }

    pub fn series(&self) -> &[ChartSeries] {
        &self.series
    }

    /// Distinct sample times, ascending; the cursor indexes into these.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// First and last sample time, unix seconds.
    pub fn x_range(&self) -> (f64, f64) {
        self.x_range
    }

    /// The y axis' bounds over the shown series: padded, on round numbers, from 0 when
    /// nothing is negative.
    pub fn y_range(&self) -> (f64, f64) {
        self.y_range
    }

    /// True when there is nothing to plot (no series or no samples).
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
}
