//! JSON log lines: appended to the service's log file and shipped to Loki in batches.
//!
//! Shipping never blocks a request: lines go into a bounded buffer; when it is full, or
//! when Loki does not accept a batch (down, slow, refusing), the lines are dropped and
//! counted in `log_lines_dropped_total{reason}`. The file always gets every line.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use super::metrics::Metrics;
use crate::lab::shop::ShopError;

/// Lines waiting to be shipped; more are dropped (counted) rather than queued.
pub const BUFFER_LINES: usize = 10_000;
/// A batch is sent when it has this many lines, or after [`BATCH_INTERVAL`].
const BATCH_LINES: usize = 500;
const BATCH_INTERVAL: Duration = Duration::from_secs(1);
const PUSH_TIMEOUT: Duration = Duration::from_secs(3);

/// Severity, also the `level` stream label in Loki.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// One line bound for Loki.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shipped {
    level: Level,
    unix_nanos: i64,
    line: String,
}

/// Writes a process's log lines. Clone freely: clones share the file and the buffer.
#[derive(Clone)]
pub struct Logger {
    service: String,
    file: Arc<Mutex<std::fs::File>>,
    path: PathBuf,
    ship: Option<mpsc::Sender<Shipped>>,
    metrics: Arc<Metrics>,
}

impl Logger {
    /// Append to `path`; ship to Loki at `loki_url` (its base URL) when given. Must be
    /// called inside the async runtime when shipping (it spawns the shipper task).
    pub fn open(
        service: &str,
        path: &Path,
        loki_url: Option<&str>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, ShopError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ShopError::io("could not create", dir, e))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| ShopError::io("could not open the log", path, e))?;
        let ship = loki_url.map(|url| {
            let (tx, rx) = mpsc::channel(BUFFER_LINES);
            let push_url = format!("{}/loki/api/v1/push", url.trim_end_matches('/'));
            tokio::spawn(ship_loop(
                service.to_string(),
                push_url,
                rx,
                Arc::clone(&metrics),
            ));
            tx
        });
        Ok(Self {
            service: service.to_string(),
            file: Arc::new(Mutex::new(file)),
            path: path.to_path_buf(),
            ship,
            metrics,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write one line: `time`, `level`, `service_name`, `message`, then `fields` by name
    /// (trace_id, span_id, route, status, latency_ms, order_id...).
    pub fn log(&self, level: Level, message: &str, fields: Map<String, Value>) {
        let now = chrono::Utc::now();
        self.metrics.log_line(level.as_str());
        let line = format_line(&self.service, now, level, message, fields);
        {
            let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
            // A full disk must not take the shop down; the line is lost from the file only.
            let _ = writeln!(file, "{line}");
        }
        if let Some(tx) = &self.ship {
            let item = Shipped {
                level,
                unix_nanos: now.timestamp_nanos_opt().unwrap_or_default(),
                line,
            };
            if tx.try_send(item).is_err() {
                self.metrics.log_dropped("buffer_full", 1);
            }
        }
    }
}

/// The JSON line: the fixed keys first, then the fields (sorted by name).
fn format_line(
    service: &str,
    time: chrono::DateTime<chrono::Utc>,
    level: Level,
    message: &str,
    fields: Map<String, Value>,
) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"time\":");
    out.push_str(&json!(time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)).to_string());
    out.push_str(",\"level\":");
    out.push_str(&json!(level.as_str()).to_string());
    out.push_str(",\"service_name\":");
    out.push_str(&json!(service).to_string());
    out.push_str(",\"message\":");
    out.push_str(&json!(message).to_string());
    for (key, value) in fields {
        if matches!(key.as_str(), "time" | "level" | "service_name" | "message") {
            continue;
        }
        out.push(',');
        out.push_str(&json!(key).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    out
}

/// Loki's push API body: one stream per level, labels `service_name` and `level` only.
fn push_body(service: &str, batch: &[Shipped]) -> Value {
    let mut streams: BTreeMap<Level, Vec<Value>> = BTreeMap::new();
    for item in batch {
        streams
            .entry(item.level)
            .or_default()
            .push(json!([item.unix_nanos.to_string(), item.line]));
    }
    let streams: Vec<Value> = streams
        .into_iter()
        .map(|(level, values)| {
            json!({
                "stream": {"service_name": service, "level": level.as_str()},
                "values": values,
            })
        })
        .collect();
    json!({ "streams": streams })
}

async fn ship_loop(
    service: String,
    url: String,
    mut rx: mpsc::Receiver<Shipped>,
    metrics: Arc<Metrics>,
) {
    let client = match reqwest::Client::builder()
        .timeout(PUSH_TIMEOUT)
        .connect_timeout(Duration::from_secs(1))
        .no_proxy()
        .build()
    {
        Ok(c) => c,
        Err(_) => {
            // No client: count everything as dropped so the loss stays visible.
            while let Some(_item) = rx.recv().await {
                metrics.log_dropped("push_failed", 1);
            }
            return;
        }
    };
    let mut batch: Vec<Shipped> = Vec::with_capacity(BATCH_LINES);
    loop {
        let deadline = tokio::time::sleep(BATCH_INTERVAL);
        tokio::pin!(deadline);
        let closed = loop {
            tokio::select! {
                item = rx.recv() => match item {
                    Some(item) => {
                        batch.push(item);
                        if batch.len() >= BATCH_LINES {
                            break false;
                        }
                    }
                    None => break true,
                },
                () = &mut deadline => break false,
            }
        };
        if !batch.is_empty() {
            let n = batch.len() as u64;
            let body = push_body(&service, &batch);
            let ok = client
                .post(&url)
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                metrics.log_shipped(n);
            } else {
                metrics.log_dropped("push_failed", n);
            }
            batch.clear();
        }
        if closed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_json_object_with_the_documented_fields_first() {
        let time = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05.678Z")
            .unwrap()
            .to_utc();
        let mut fields = Map::new();
        fields.insert("trace_id".into(), json!("4bf92f3577b34da6a3ce929d0e0e4736"));
        fields.insert("route".into(), json!("/charge"));
        fields.insert("status".into(), json!(200));
        fields.insert("level".into(), json!("ignored"));
        let line = format_line("payments", time, Level::Info, "charge \"ok\"", fields);
        assert_eq!(
            line,
            r#"{"time":"2026-01-02T03:04:05.678Z","level":"info","service_name":"payments","message":"charge \"ok\"","route":"/charge","status":200,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#
        );
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["status"], 200);
    }

    #[test]
    fn the_push_body_has_one_stream_per_level_and_only_two_labels() {
        let batch = [
            Shipped {
                level: Level::Info,
                unix_nanos: 1,
                line: "a".into(),
            },
            Shipped {
                level: Level::Error,
                unix_nanos: 2,
                line: "b".into(),
            },
            Shipped {
                level: Level::Info,
                unix_nanos: 3,
                line: "c".into(),
            },
        ];
        let body = push_body("orders", &batch);
        let streams = body["streams"].as_array().unwrap();
        assert_eq!(streams.len(), 2);
        assert_eq!(
            streams[0]["stream"],
            json!({"service_name": "orders", "level": "info"})
        );
        assert_eq!(streams[0]["values"], json!([["1", "a"], ["3", "c"]]));
        assert_eq!(streams[1]["stream"]["level"], "error");
    }

    #[tokio::test]
    async fn a_full_buffer_drops_and_counts_instead_of_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::new("orders"));
        // Loki on a port nothing listens on: every batch fails and is counted.
        let port = crate::lab::stack::ports::free_ports(1).unwrap()[0];
        let url = format!("http://127.0.0.1:{port}");
        let logger = Logger::open(
            "orders",
            &dir.path().join("o.log"),
            Some(&url),
            Arc::clone(&metrics),
        )
        .unwrap();
        for i in 0..(BUFFER_LINES + 50) {
            logger.log(
                Level::Info,
                "hello",
                Map::from_iter([("i".to_string(), json!(i))]),
            );
        }
        let text = metrics.render();
        assert!(
            text.contains("log_lines_dropped_total{reason=\"buffer_full\"}"),
            "{text}"
        );
        let written = std::fs::read_to_string(logger.path()).unwrap();
        assert_eq!(written.lines().count(), BUFFER_LINES + 50);
    }
}
