//! A shop process's telemetry: metrics for Prometheus, spans for Tempo, JSON logs for Loki.

pub mod logs;
pub mod metrics;
mod process;
pub mod traces;

use std::path::Path;
use std::sync::Arc;

pub use logs::{Level, Logger};
pub use metrics::Metrics;
pub use traces::Tracing;

use super::ShopError;

/// Where a process sends its telemetry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TelemetryTargets {
    /// Full OTLP/HTTP traces URL (`http://127.0.0.1:4318/v1/traces`).
    pub otlp_endpoint: Option<String>,
    /// Loki's base URL (`http://127.0.0.1:3100`).
    pub loki_url: Option<String>,
}

/// The three signals of one process, shared by its handlers.
#[derive(Clone)]
pub struct Telemetry {
    pub service: String,
    pub metrics: Arc<Metrics>,
    pub tracing: Arc<Tracing>,
    pub logger: Logger,
}

impl Telemetry {
    /// Set up all three; call inside the async runtime (the log shipper is a task).
    pub fn new(
        service: &str,
        log_file: &Path,
        targets: &TelemetryTargets,
    ) -> Result<Self, ShopError> {
        let metrics = Arc::new(Metrics::new(service));
        let tracing = Arc::new(Tracing::new(service, targets.otlp_endpoint.as_deref())?);
        let logger = Logger::open(
            service,
            log_file,
            targets.loki_url.as_deref(),
            Arc::clone(&metrics),
        )?;
        Ok(Self {
            service: service.to_string(),
            metrics,
            tracing,
            logger,
        })
    }
}
