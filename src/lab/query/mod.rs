//! Querying the lab's backends: the three languages, the result model every pane and
//! command shares, the PromQL syntax check and explain tree, and the clients (Prometheus and
//! Alertmanager; Loki and Tempo follow).
//!
//! No ratatui here: results are plain data that the CLI prints and the console draws.

pub mod explain;
mod lang;
pub mod types;

pub use explain::{ExplainNode, NodeKind, SyntaxError, check_promql, explain, flatten};
pub use lang::QueryLang;
pub use types::{
    InstantSeries, Labels, QueryData, QueryError, QueryOutcome, QueryWindow, RangeSeries, Sample,
};
