//! Widgets the query panes share: a time-series chart with its legend and cursor, and a
//! table of an instant result. Each comes as a model built once per result or resize and a
//! render function that only draws it.

pub mod chart;
pub mod labels;
pub mod table;

pub use chart::{ChartModel, ChartSeries, render_chart};
pub use table::{SortKey, TableModel, TableRow, render_table, scroll_offset};
