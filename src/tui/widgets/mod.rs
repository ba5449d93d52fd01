//! Widgets the query panes share: a time-series chart with its legend and cursor, a table
//! of an instant result, the log view with its volume histogram and entry details, the
//! trace list, the trace waterfall with span details, the service map, and a drill's recorded dashboard (charts in a grid). Each comes as a
//! model or state built outside drawing and a render function that only draws it.

pub mod cells;
pub mod chart;
pub mod dashboard;
pub mod labels;
pub mod logview;
pub mod service_map;
pub mod table;
pub mod tracelist;
pub mod volume;
pub mod waterfall;

pub use chart::{ChartModel, ChartSeries, render_chart};
pub use dashboard::{DashboardView, render_dashboard};
pub use logview::{LogRow, LogViewModel, LogViewState, render_log_detail, render_logview};
pub use service_map::{MapEdge, render_service_map};
pub use table::{SortKey, TableModel, TableRow, render_table, scroll_offset};
pub use tracelist::{TraceListModel, TraceListRow, TraceSort, render_trace_list};
pub use volume::{bucket_at_column, render_volume};
pub use waterfall::{WaterfallView, render_span_details, render_waterfall};
