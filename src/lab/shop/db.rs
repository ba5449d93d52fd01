//! SQLite for the services that own data: WAL mode, a busy timeout, and every query timed
//! (`db_query_duration_seconds{operation}`) and traced (a client span with db.* attributes).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::trace::SpanKind;
use rusqlite::Connection;

use super::ShopError;
use super::http::{RequestCx, Shared};
use super::telemetry::traces;

/// How long a writer waits for another process's lock before SQLITE_BUSY.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How often, and how far apart, the first setup of a shared file is retried.
const SETUP_RETRIES: u32 = 50;
const SETUP_BACKOFF: Duration = Duration::from_millis(100);

/// WAL mode, relaxed fsync (a lab, not a bank) and the idempotent schema.
fn prepare(conn: &Connection, schema: &str) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(schema)
}

fn is_locked(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// One SQL statement as the telemetry names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    /// SELECT, INSERT, UPDATE or DELETE: the `operation` label.
    pub operation: &'static str,
    pub table: &'static str,
    /// The statement (with placeholders, never values).
    pub sql: &'static str,
}

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("injected database failure")]
    Injected,
    #[error("the database worker stopped")]
    Worker,
}

/// A database file owned by one process (the queue is shared with the worker).
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    name: String,
    shared: Arc<Shared>,
}

impl Db {
    /// Open (creating) `path` in WAL mode and run `schema` (idempotent DDL and seeds).
    pub fn open(path: &Path, schema: &str, shared: Arc<Shared>) -> Result<Self, ShopError> {
        let err = |source| ShopError::Db {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ShopError::io("could not create", dir, e))?;
        }
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // orders and the fulfillment worker open the same file as the lab starts. Switching
        // a new file to WAL can report "locked" at once, without waiting on the busy
        // timeout, so the first setup is retried for a short while.
        let mut attempts = 0;
        loop {
            match prepare(&conn, schema) {
                Ok(()) => break,
                Err(e) if is_locked(&e) && attempts < SETUP_RETRIES => {
                    attempts += 1;
                    std::thread::sleep(SETUP_BACKOFF);
                }
                Err(e) => return Err(err(e)),
            }
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            shared,
        })
    }

    /// Run `f` on the connection (off the async threads), as one timed and traced query.
    pub async fn run<T, F>(&self, cx: &RequestCx, query: Query, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let span = self.shared.telemetry.tracing.start(
            format!("{} {}", query.operation, query.table),
            SpanKind::Client,
            &cx.otel,
            vec![
                KeyValue::new("db.system", "sqlite"),
                KeyValue::new("db.system.name", "sqlite"),
                KeyValue::new("db.namespace", self.name.clone()),
                KeyValue::new("db.operation.name", query.operation),
                KeyValue::new("db.collection.name", query.table),
                KeyValue::new("db.query.text", query.sql),
            ],
        );
        let started = Instant::now();
        let result = self.execute(cx, query, f).await;
        let seconds = started.elapsed().as_secs_f64();
        span_result(&span, &result);
        traces::end(&span);
        let trace_id = traces::ids(&span).map(|(t, _)| t);
        self.shared
            .telemetry
            .metrics
            .observe_db(query.operation, seconds, trace_id.as_deref());
        result
    }

    async fn execute<T, F>(&self, cx: &RequestCx, query: Query, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let action = self.shared.faults.on_db(query.operation, Some(&cx.facts));
        if !action.delay.is_zero() {
            tokio::time::sleep(action.delay).await;
        }
        if action.fail.is_some() {
            return Err(DbError::Injected);
        }
        self.quiet(f).await
    }

    /// Run `f` with no span and no metric (monitoring reads such as the queue's depth).
    pub async fn quiet<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn).map_err(DbError::from)
        })
        .await
        .map_err(|_| DbError::Worker)?
    }
}

fn span_result<T>(span: &opentelemetry::Context, result: &Result<T, DbError>) {
    if let Err(e) = result {
        traces::record_error(span, "db", &e.to_string());
    }
}

/// Where a service keeps its databases: {data_dir}/lab/shop/<file>.
pub fn path(data_dir: &Path, file: &str) -> PathBuf {
    data_dir.join("lab").join("shop").join(file)
}
