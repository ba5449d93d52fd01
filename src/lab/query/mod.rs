//! Querying the lab's backends: the three languages, the result model every pane and
//! command shares, the PromQL syntax check and explain tree, the clients (Prometheus,
//! Alertmanager, Loki and Tempo), where each backend's URL comes from, and the
//! console's query history.
//!
//! The UI stays out of here: results are plain data that the CLI prints and the console draws.

pub mod alertmanager;
pub mod endpoints;
pub mod explain;
pub mod history;
mod lang;
pub mod logs;
pub mod loki;
pub mod prometheus;
pub mod tempo;
pub mod traces;
mod transport;
pub mod types;
pub mod units;

pub use alertmanager::AlertmanagerClient;
pub use endpoints::{Backend, Endpoint, EndpointError, UrlSource};
pub use explain::{ExplainNode, NodeKind, SyntaxError, check_promql, explain, flatten};
pub use lang::QueryLang;
pub use loki::LokiClient;
pub use prometheus::PrometheusClient;
pub use tempo::TempoClient;
pub use transport::{ClientOptions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, REQUEST_ID_HEADER};
pub use types::{
    InstantSeries, Labels, QueryData, QueryError, QueryOutcome, QueryWindow, RangeSeries, Sample,
};
pub use units::Unit;
