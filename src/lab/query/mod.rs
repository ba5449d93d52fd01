//! Querying the lab's backends: the three languages, the result model every pane and
//! command shares, the clients (Prometheus and Alertmanager; Loki and Tempo follow) and
//! where each backend's URL comes from.
//!
//! No ratatui here: results are plain data that the CLI prints and the console draws.

pub mod alertmanager;
pub mod endpoints;
mod lang;
pub mod prometheus;
mod transport;
pub mod types;
pub mod units;

pub use alertmanager::AlertmanagerClient;
pub use endpoints::{Backend, Endpoint, EndpointError, UrlSource};
pub use lang::QueryLang;
pub use prometheus::PrometheusClient;
pub use transport::{ClientOptions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, REQUEST_ID_HEADER};
pub use types::{
    InstantSeries, Labels, QueryData, QueryError, QueryOutcome, QueryWindow, RangeSeries, Sample,
};
pub use units::Unit;
