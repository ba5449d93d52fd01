//! The shop's Prometheus metrics (prometheus-client, OpenMetrics text with exemplars).
//!
//! Names and labels follow the SLI queries the lessons use verbatim:
//! `http_requests_total{service,method,route,status_code}`,
//! `http_errors_total{service,route,status_code}` (5xx only),
//! `http_request_duration_seconds{service,method,route}` (exemplars carry `trace_id`),
//! `db_query_duration_seconds{service,operation}`, `queue_depth{queue}`,
//! `queue_oldest_message_age_seconds{queue}`, `orders_total{status}`,
//! `process_cpu_seconds_total`, `process_resident_memory_bytes`,
//! `log_lines_dropped_total{reason}`, and the batch job's `batch_job_*` family (labelled
//! `batch_job`, never `job`: that is Prometheus' target label).

use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::exemplar::HistogramWithExemplars;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::process;

/// The Content-Type of [`Metrics::render`]: OpenMetrics, the format that carries exemplars.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Request latency buckets: fine from 5 ms, so a p95 of a fast route means something, up
/// to 10 s, so a slow dependency still lands in a finite bucket.
pub const HTTP_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0,
];

/// Query latency buckets: SQLite answers in well under a millisecond when healthy.
pub const DB_BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    service: String,
    method: String,
    route: String,
    status_code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    service: String,
    route: String,
    status_code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DurationLabels {
    service: String,
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DbLabels {
    service: String,
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    service: String,
    version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LevelLabels {
    level: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabels {
    service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SessionLabels {
    service: String,
    session_id: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BatchJobLabels {
    batch_job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BatchRunLabels {
    batch_job: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BatchStageLabels {
    batch_job: String,
    stage: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

/// The exemplar attached to a histogram observation: the trace that made it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TraceExemplar {
    pub trace_id: String,
}

/// Batch run durations: a healthy rollup takes milliseconds, a stalled one minutes.
pub const BATCH_BUCKETS: [f64; 14] = [
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

/// The statuses a batch run ends with; each has a series from the start (a zero), so
/// `increase()` sees the first partial run instead of a series that appears at 1.
pub const BATCH_STATUSES: [&str; 3] = ["success", "partial", "failed"];

type Histo = HistogramWithExemplars<TraceExemplar>;
type HistoFamily<L> = Family<L, Histo, fn() -> Histo>;

fn http_histogram() -> Histo {
    HistogramWithExemplars::new(HTTP_BUCKETS.into_iter())
}

fn db_histogram() -> Histo {
    HistogramWithExemplars::new(DB_BUCKETS.into_iter())
}

fn batch_histogram() -> Histo {
    HistogramWithExemplars::new(BATCH_BUCKETS.into_iter())
}

/// The batch job's metrics (only the orders service runs a job; the families stay empty
/// elsewhere).
struct BatchMetrics {
    runs: Family<BatchRunLabels, Counter>,
    duration: HistoFamily<BatchJobLabels>,
    rows: Family<BatchStageLabels, Counter>,
    last_success: Family<BatchJobLabels, Gauge<f64, AtomicU64>>,
    interval: Family<BatchJobLabels, Gauge<f64, AtomicU64>>,
    in_progress: Family<BatchJobLabels, Gauge>,
}

impl BatchMetrics {
    fn register(registry: &mut Registry) -> Self {
        let m = Self {
            runs: Family::default(),
            duration: Family::new_with_constructor(batch_histogram),
            rows: Family::default(),
            last_success: Family::default(),
            interval: Family::default(),
            in_progress: Family::default(),
        };
        registry.register(
            "batch_job_runs",
            "Runs of a batch job, by the status they ended with (success, partial, failed)",
            m.runs.clone(),
        );
        registry.register(
            "batch_job_duration_seconds",
            "Time one run of a batch job took, in seconds",
            m.duration.clone(),
        );
        registry.register(
            "batch_job_rows_processed",
            "Rows a batch job handled, by stage (extract: read, transform: produced, load: written)",
            m.rows.clone(),
        );
        registry.register(
            "batch_job_last_success_timestamp_seconds",
            "Unix time at which the batch job last finished a run successfully",
            m.last_success.clone(),
        );
        registry.register(
            "batch_job_interval_seconds",
            "How often the batch job is scheduled, in seconds",
            m.interval.clone(),
        );
        registry.register(
            "batch_job_in_progress",
            "1 while a run of the batch job is under way",
            m.in_progress.clone(),
        );
        m
    }
}

fn batch_job(job: &str) -> BatchJobLabels {
    BatchJobLabels {
        batch_job: job.to_string(),
    }
}

/// One process's metrics. Cheap to update from any task; rendered on each scrape.
pub struct Metrics {
    service: String,
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    duration: HistoFamily<DurationLabels>,
    db_duration: HistoFamily<DbLabels>,
    queue_depth: Family<QueueLabels, Gauge>,
    queue_age: Family<QueueLabels, Gauge<f64, AtomicU64>>,
    orders: Family<StatusLabels, Counter>,
    log_dropped: Family<ReasonLabels, Counter>,
    log_shipped: Counter,
    cpu: Counter<f64, AtomicU64>,
    rss: Gauge,
    cpu_seen: Mutex<f64>,
    build_info: Family<BuildLabels, Gauge>,
    log_lines: Family<LevelLabels, Counter>,
    root_spans: Family<ServiceLabels, Counter>,
    sessions: Family<SessionLabels, Counter>,
    batch: BatchMetrics,
}

impl Metrics {
    pub fn new(service: &str) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let duration: HistoFamily<DurationLabels> = Family::new_with_constructor(http_histogram);
        let db_duration: HistoFamily<DbLabels> = Family::new_with_constructor(db_histogram);
        let queue_depth = Family::<QueueLabels, Gauge>::default();
        let queue_age = Family::<QueueLabels, Gauge<f64, AtomicU64>>::default();
        let orders = Family::<StatusLabels, Counter>::default();
        let log_dropped = Family::<ReasonLabels, Counter>::default();
        let log_shipped = Counter::default();
        let cpu = Counter::<f64, AtomicU64>::default();
        let rss = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests served, by route and status code",
            requests.clone(),
        );
        registry.register(
            "http_errors",
            "HTTP requests answered with a 5xx status (the bad events of the availability SLI)",
            errors.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to serve an HTTP request, in seconds",
            duration.clone(),
        );
        registry.register(
            "db_query_duration_seconds",
            "Time of one database query, in seconds, by operation",
            db_duration.clone(),
        );
        registry.register(
            "queue_depth",
            "Messages waiting in the queue",
            queue_depth.clone(),
        );
        registry.register(
            "queue_oldest_message_age_seconds",
            "Age of the oldest waiting message, in seconds (0 when the queue is empty)",
            queue_age.clone(),
        );
        registry.register(
            "orders",
            "Orders by the status they reached",
            orders.clone(),
        );
        registry.register(
            "log_lines_dropped",
            "Log lines not shipped to Loki (buffer full, or Loki did not accept them)",
            log_dropped.clone(),
        );
        registry.register(
            "log_lines_shipped",
            "Log lines Loki accepted",
            log_shipped.clone(),
        );
        registry.register(
            "process_cpu_seconds",
            "User and system CPU time spent, in seconds",
            cpu.clone(),
        );
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory size, in bytes",
            rss.clone(),
        );
        let build_info = Family::<BuildLabels, Gauge>::default();
        let log_lines = Family::<LevelLabels, Counter>::default();
        let root_spans = Family::<ServiceLabels, Counter>::default();
        let sessions = Family::<SessionLabels, Counter>::default();
        registry.register(
            "shop_build_info",
            "1 for the version the service runs (service.version)",
            build_info.clone(),
        );
        registry.register(
            "log_lines",
            "Log lines written, by level",
            log_lines.clone(),
        );
        registry.register(
            "trace_root_spans",
            "Server spans that started a new trace (the request carried no traceparent)",
            root_spans.clone(),
        );
        registry.register(
            "shop_session_requests",
            "Requests by session (only while the cardinality_explosion fault runs)",
            sessions.clone(),
        );
        build_info
            .get_or_create(&BuildLabels {
                service: service.to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            })
            .set(1);
        let batch = BatchMetrics::register(&mut registry);
        Self {
            service: service.to_string(),
            registry,
            requests,
            errors,
            duration,
            db_duration,
            queue_depth,
            queue_age,
            orders,
            log_dropped,
            log_shipped,
            cpu,
            rss,
            cpu_seen: Mutex::new(0.0),
            build_info,
            log_lines,
            root_spans,
            sessions,
            batch,
        }
    }

    /// A batch job scheduled every `interval_seconds`: its interval gauge, and a zero run
    /// count for every status.
    pub fn batch_job_scheduled(&self, job: &str, interval_seconds: f64) {
        self.batch
            .interval
            .get_or_create(&batch_job(job))
            .set(interval_seconds);
        for status in BATCH_STATUSES {
            let _ = self.batch.runs.get_or_create(&BatchRunLabels {
                batch_job: job.to_string(),
                status: status.to_string(),
            });
        }
        self.batch.in_progress.get_or_create(&batch_job(job)).set(0);
    }

    /// A run of `job` started (true) or ended (false).
    pub fn batch_in_progress(&self, job: &str, running: bool) {
        self.batch
            .in_progress
            .get_or_create(&batch_job(job))
            .set(i64::from(running));
    }

    /// `n` rows handled by `stage` of `job`.
    pub fn batch_rows(&self, job: &str, stage: &str, n: u64) {
        self.batch
            .rows
            .get_or_create(&BatchStageLabels {
                batch_job: job.to_string(),
                stage: stage.to_string(),
            })
            .inc_by(n);
    }

    /// A run of `job` ended with `status` after `seconds`; `trace_id` is its trace.
    pub fn batch_run(&self, job: &str, status: &str, seconds: f64, trace_id: Option<&str>) {
        self.batch
            .runs
            .get_or_create(&BatchRunLabels {
                batch_job: job.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.batch.duration.get_or_create(&batch_job(job)).observe(
            seconds,
            exemplar(trace_id),
            None,
        );
    }

    /// `job` last succeeded at `unix_seconds`.
    pub fn batch_success(&self, job: &str, unix_seconds: f64) {
        self.batch
            .last_success
            .get_or_create(&batch_job(job))
            .set(unix_seconds);
    }

    /// The version the service reports in `shop_build_info` (a release changes it).
    pub fn set_version(&self, version: &str) {
        self.build_info.clear();
        self.build_info
            .get_or_create(&BuildLabels {
                service: self.service.clone(),
                version: version.to_string(),
            })
            .set(1);
    }

    /// One log line written at `level`.
    pub fn log_line(&self, level: &str) {
        self.log_lines
            .get_or_create(&LevelLabels {
                level: level.to_string(),
            })
            .inc();
    }

    /// A server span with no incoming trace context (the root of a new trace).
    pub fn root_span(&self) {
        self.root_spans
            .get_or_create(&ServiceLabels {
                service: self.service.clone(),
            })
            .inc();
    }

    /// A request of a new session: one more series (the cardinality fault).
    pub fn session_request(&self, session_id: &str) {
        self.sessions
            .get_or_create(&SessionLabels {
                service: self.service.clone(),
                session_id: session_id.to_string(),
            })
            .inc();
    }

    /// Forget every session series (the cardinality fault is undone).
    pub fn clear_sessions(&self) {
        self.sessions.clear();
    }

    /// One served request; `trace_id` becomes the duration's exemplar.
    pub fn observe_request(
        &self,
        method: &str,
        route: &str,
        status: u16,
        seconds: f64,
        trace_id: Option<&str>,
    ) {
        let status_code = status.to_string();
        self.requests
            .get_or_create(&RequestLabels {
                service: self.service.clone(),
                method: method.to_string(),
                route: route.to_string(),
                status_code: status_code.clone(),
            })
            .inc();
        if status >= 500 {
            self.errors
                .get_or_create(&ErrorLabels {
                    service: self.service.clone(),
                    route: route.to_string(),
                    status_code,
                })
                .inc();
        } else {
            // A zero series per route, so the availability SLI reads 100% instead of
            // "no data" before the first failure (an absent series is not a zero).
            let _ = self.errors.get_or_create(&ErrorLabels {
                service: self.service.clone(),
                route: route.to_string(),
                status_code: "500".to_string(),
            });
        }
        self.duration
            .get_or_create(&DurationLabels {
                service: self.service.clone(),
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(seconds, exemplar(trace_id), None);
    }

    /// One database query.
    pub fn observe_db(&self, operation: &str, seconds: f64, trace_id: Option<&str>) {
        self.db_duration
            .get_or_create(&DbLabels {
                service: self.service.clone(),
                operation: operation.to_string(),
            })
            .observe(seconds, exemplar(trace_id), None);
    }

    /// The queue's current depth and the age of its oldest message.
    pub fn set_queue(&self, queue: &str, depth: i64, oldest_age_seconds: f64) {
        let labels = QueueLabels {
            queue: queue.to_string(),
        };
        self.queue_depth.get_or_create(&labels).set(depth);
        self.queue_age
            .get_or_create(&labels)
            .set(oldest_age_seconds);
    }

    /// An order reached `status` (pending, fulfilled, rejected, payment_failed, failed).
    pub fn order(&self, status: &str) {
        self.orders
            .get_or_create(&StatusLabels {
                status: status.to_string(),
            })
            .inc();
    }

    /// `n` log lines were not shipped, for `reason` (buffer_full, push_failed).
    pub fn log_dropped(&self, reason: &str, n: u64) {
        self.log_dropped
            .get_or_create(&ReasonLabels {
                reason: reason.to_string(),
            })
            .inc_by(n);
    }

    pub fn log_shipped(&self, n: u64) {
        self.log_shipped.inc_by(n);
    }

    /// The exposition, after reading this process's CPU and memory from /proc.
    pub fn render(&self) -> String {
        self.refresh_process();
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out = "# EOF\n".to_string();
        }
        out
    }

    fn refresh_process(&self) {
        if let Some(now) = process::cpu_seconds() {
            let mut seen = self.cpu_seen.lock().unwrap_or_else(|p| p.into_inner());
            if now > *seen {
                self.cpu.inc_by(now - *seen);
                *seen = now;
            }
        }
        if let Some(rss) = process::rss_bytes() {
            self.rss.set(i64::try_from(rss).unwrap_or(i64::MAX));
        }
    }
}

fn exemplar(trace_id: Option<&str>) -> Option<TraceExemplar> {
    trace_id.map(|t| TraceExemplar {
        trace_id: t.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_the_sli_names_labels_and_exemplars() {
        let m = Metrics::new("payments");
        m.observe_request(
            "POST",
            "/charge",
            200,
            0.03,
            Some("4bf92f3577b34da6a3ce929d0e0e4736"),
        );
        m.observe_request("POST", "/charge", 503, 0.2, None);
        m.observe_db("INSERT", 0.0007, None);
        m.set_queue("fulfillment", 3, 12.5);
        m.order("pending");
        m.log_dropped("push_failed", 4);
        m.batch_job_scheduled("revenue_rollup", 30.0);
        m.batch_run("revenue_rollup", "partial", 0.2, None);
        m.batch_rows("revenue_rollup", "load", 8);
        m.batch_success("revenue_rollup", 1_700_000_000.5);
        let text = m.render();
        for want in [
            r#"http_requests_total{service="payments",method="POST",route="/charge",status_code="200"} 1"#,
            r#"http_errors_total{service="payments",route="/charge",status_code="503"} 1"#,
            r#"http_request_duration_seconds_bucket{le="0.05",service="payments",method="POST",route="/charge"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.03"#,
            r#"db_query_duration_seconds_bucket{le="0.001",service="payments",operation="INSERT"} 1"#,
            r#"queue_depth{queue="fulfillment"} 3"#,
            r#"queue_oldest_message_age_seconds{queue="fulfillment"} 12.5"#,
            r#"orders_total{status="pending"} 1"#,
            r#"log_lines_dropped_total{reason="push_failed"} 4"#,
            r#"batch_job_runs_total{batch_job="revenue_rollup",status="success"} 0"#,
            r#"batch_job_runs_total{batch_job="revenue_rollup",status="partial"} 1"#,
            r#"batch_job_duration_seconds_bucket{le="0.25",batch_job="revenue_rollup"} 1"#,
            r#"batch_job_rows_processed_total{batch_job="revenue_rollup",stage="load"} 8"#,
            r#"batch_job_last_success_timestamp_seconds{batch_job="revenue_rollup"} 1700000000.5"#,
            r#"batch_job_interval_seconds{batch_job="revenue_rollup"} 30.0"#,
            r#"batch_job_in_progress{batch_job="revenue_rollup"} 0"#,
            "process_cpu_seconds_total ",
            "process_resident_memory_bytes ",
            "# EOF",
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
        // Only 5xx are errors.
        assert!(!text.contains(
            r#"http_errors_total{service="payments",route="/charge",status_code="200"}"#
        ));
    }
}
