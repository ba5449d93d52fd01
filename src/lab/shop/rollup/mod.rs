//! The revenue rollup: a batch job inside orders. Every interval it reads the orders placed
//! since its last successful run (extract), sums them per product (transform) and upserts
//! the sums into the report table `revenue_rollup` in `orders.db`, a few rows per
//! transaction (load). It is instrumented like a production batch job: `batch_job_*`
//! metrics (runs by status, duration, rows per stage, last success, interval, in progress),
//! one trace per run with a span per stage, and JSON log lines per stage.
//!
//! The watermark is the window end of the last successful run, kept in `batch_job_runs`:
//! a partial or failed run leaves it in place, so the next run redoes the same window and
//! its upserts repair the report (the load is idempotent).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry::trace::SpanKind;
use opentelemetry::{Context, KeyValue};
use rusqlite::{Connection, params};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::db::{self, Db, DbError, Query};
use super::http::{RequestCx, Shared};
use super::telemetry::{Level, traces};
use super::{ShopError, queue};

/// The job's name: the `batch_job` label, the `batch_job` log field, the span names.
pub const JOB: &str = "revenue_rollup";
/// How often a run starts unless `--rollup-interval` says otherwise: one "lab hour".
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
/// Report rows written per transaction in the load stage.
pub const BATCH_ROWS: usize = 4;
/// The first run comes soon after the service starts, so a new lab has a success quickly.
const FIRST_RUN_AFTER: Duration = Duration::from_secs(2);
/// How often a stalled job asks again whether it may go on.
const STALL_POLL: Duration = Duration::from_millis(200);

/// The report table and the run history (idempotent).
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS revenue_rollup (
    window_start REAL NOT NULL,
    product_id INTEGER NOT NULL,
    orders INTEGER NOT NULL,
    units INTEGER NOT NULL,
    revenue_cents INTEGER NOT NULL,
    window_end REAL NOT NULL,
    run_id INTEGER NOT NULL,
    PRIMARY KEY (window_start, product_id)
);
CREATE TABLE IF NOT EXISTS batch_job_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_job TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    status TEXT NOT NULL,
    window_start REAL NOT NULL,
    window_end REAL NOT NULL,
    rows_extracted INTEGER NOT NULL DEFAULT 0,
    rows_loaded INTEGER NOT NULL DEFAULT 0
);
";

const LAST_SUCCESS: Query = Query {
    operation: "SELECT",
    table: "batch_job_runs",
    sql: "SELECT window_end, finished_at FROM batch_job_runs WHERE batch_job = ?1 AND status = 'success' ORDER BY id DESC LIMIT 1",
};
const BEGIN_RUN: Query = Query {
    operation: "INSERT",
    table: "batch_job_runs",
    sql: "INSERT INTO batch_job_runs (batch_job, started_at, status, window_start, window_end) VALUES (?1, ?2, 'running', ?3, ?4)",
};
const END_RUN: Query = Query {
    operation: "UPDATE",
    table: "batch_job_runs",
    sql: "UPDATE batch_job_runs SET finished_at = ?1, status = ?2, rows_extracted = ?3, rows_loaded = ?4 WHERE id = ?5",
};
const EXTRACT: Query = Query {
    operation: "SELECT",
    table: "orders",
    sql: "SELECT id, items, amount_cents FROM orders WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id",
};
const UPSERT: Query = Query {
    operation: "INSERT",
    table: "revenue_rollup",
    sql: "INSERT INTO revenue_rollup (window_start, product_id, orders, units, revenue_cents, window_end, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
          ON CONFLICT (window_start, product_id) DO UPDATE SET orders = excluded.orders, units = excluded.units, \
          revenue_cents = excluded.revenue_cents, window_end = excluded.window_end, run_id = excluded.run_id",
};

/// The stages of a run, in order; `Schedule` is the wait before a run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Schedule,
    Extract,
    Transform,
    Load,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Extract => "extract",
            Self::Transform => "transform",
            Self::Load => "load",
        }
    }
}

/// How a run ended: the `status` label of `batch_job_runs_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every batch was written (also a window with no orders).
    Success,
    /// Some batches were written, some failed: the report holds part of the window.
    Partial,
    /// Nothing was written, or a stage before load failed.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Partial => "partial",
            Self::Failed => "failed",
        }
    }

    /// The status of a load that wrote `written` batches and failed `failed`.
    pub fn of_load(written: usize, failed: usize) -> Self {
        match (written, failed) {
            (_, 0) => Self::Success,
            (0, _) => Self::Failed,
            _ => Self::Partial,
        }
    }
}

/// One order as extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: i64,
    /// The stored items JSON: `[{"product_id": 3, "quantity": 2, "price_cents": 890}]`.
    pub items: String,
    pub amount_cents: i64,
}

#[derive(Debug, Deserialize)]
struct StoredItem {
    product_id: i64,
    quantity: i64,
    /// Absent on orders stored before prices were kept with the items.
    #[serde(default)]
    price_cents: Option<i64>,
}

/// One report row: a product's sums over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProductTotal {
    pub product_id: i64,
    /// Orders that contain the product.
    pub orders: i64,
    pub units: i64,
    pub revenue_cents: i64,
}

/// The transform: per-product sums over `orders`, ordered by product, and the number of
/// orders skipped because their items could not be read. An item's revenue is its price
/// times its quantity; an order stored without prices has its amount shared out by
/// quantity (the last item takes the rounding remainder, so the sums match the amounts).
pub fn aggregate(orders: &[OrderRow]) -> (Vec<ProductTotal>, usize) {
    let mut totals: BTreeMap<i64, ProductTotal> = BTreeMap::new();
    let mut skipped = 0;
    for order in orders {
        let items: Vec<StoredItem> = match serde_json::from_str(&order.items) {
            Ok(items) => items,
            Err(_) => {
                skipped += 1;
                continue;
            }
        };
        if items.is_empty() || items.iter().any(|i| i.quantity <= 0) {
            skipped += 1;
            continue;
        }
        let revenues = item_revenues(&items, order.amount_cents);
        let mut seen = Vec::new();
        for (item, revenue) in items.iter().zip(revenues) {
            let t = totals.entry(item.product_id).or_insert(ProductTotal {
                product_id: item.product_id,
                ..ProductTotal::default()
            });
            if !seen.contains(&item.product_id) {
                t.orders += 1;
                seen.push(item.product_id);
            }
            t.units += item.quantity;
            t.revenue_cents += revenue;
        }
    }
    (totals.into_values().collect(), skipped)
}

fn item_revenues(items: &[StoredItem], amount_cents: i64) -> Vec<i64> {
    if items.iter().all(|i| i.price_cents.is_some()) {
        return items
            .iter()
            .map(|i| i.price_cents.unwrap_or(0) * i.quantity)
            .collect();
    }
    let units: i64 = items.iter().map(|i| i.quantity).sum();
    let mut left = amount_cents;
    let mut out = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let share = if n + 1 == items.len() {
            left
        } else {
            amount_cents * item.quantity / units.max(1)
        };
        left -= share;
        out.push(share);
    }
    out
}

/// How many of `batches` fail when a share `share` of them must (rounded up; the last
/// batches of the run are the ones that fail).
pub fn failing_batches(batches: usize, share: f64) -> usize {
    if share <= 0.0 || batches == 0 {
        return 0;
    }
    ((batches as f64 * share.min(1.0)).ceil() as usize).min(batches)
}

/// The window a run covers: from the last success's end (or one interval back on the
/// first run) to `now`.
pub fn window(last_success_end: Option<f64>, now: f64, interval: Duration) -> (f64, f64) {
    let from = last_success_end.unwrap_or(now - interval.as_secs_f64());
    (from.min(now), now)
}

/// The extract query: the orders created in `[from, to)`.
pub fn extract(c: &Connection, from: f64, to: f64) -> rusqlite::Result<Vec<OrderRow>> {
    c.prepare_cached(EXTRACT.sql)?
        .query_map(params![from, to], |r| {
            Ok(OrderRow {
                id: r.get(0)?,
                items: r.get(1)?,
                amount_cents: r.get(2)?,
            })
        })?
        .collect()
}

/// One load batch: upsert `rows` for the window in one transaction. `fail` makes the
/// batch fail before it commits anything (the job_partial fault).
pub fn load_batch(
    c: &Connection,
    window: (f64, f64),
    run_id: i64,
    rows: &[ProductTotal],
    fail: bool,
) -> rusqlite::Result<usize> {
    let tx = c.unchecked_transaction()?;
    {
        let mut stmt = tx.prepare_cached(UPSERT.sql)?;
        for row in rows {
            stmt.execute(params![
                window.0,
                row.product_id,
                row.orders,
                row.units,
                row.revenue_cents,
                window.1,
                run_id
            ])?;
        }
    }
    if fail {
        // Dropping the transaction rolls it back: nothing of this batch is kept.
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
            Some("injected failure: the batch was not written".to_string()),
        ));
    }
    tx.commit()?;
    Ok(rows.len())
}

/// The window end and finish time of the last successful run.
fn last_success(c: &Connection) -> rusqlite::Result<Option<(f64, f64)>> {
    use rusqlite::OptionalExtension;
    c.prepare_cached(LAST_SUCCESS.sql)?
        .query_row([JOB], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Open the job's own connection to `orders.db` and schedule it every `interval`.
pub fn start(shared: Arc<Shared>, data_dir: &Path, interval: Duration) -> Result<(), ShopError> {
    let schema = format!("{}{}", queue::SCHEMA, SCHEMA);
    let db = Db::open(
        &db::path(data_dir, "orders.db"),
        &schema,
        Arc::clone(&shared),
    )?;
    shared
        .telemetry
        .metrics
        .batch_job_scheduled(JOB, interval.as_secs_f64());
    tokio::spawn(schedule(shared, db, interval));
    Ok(())
}

async fn schedule(shared: Arc<Shared>, db: Db, interval: Duration) {
    // The last success survives restarts: the gauge starts from the run history.
    if let Ok(Some((_, finished))) = db.quiet(last_success).await {
        shared.telemetry.metrics.batch_success(JOB, finished);
    }
    tokio::time::sleep(FIRST_RUN_AFTER).await;
    loop {
        let due = Instant::now();
        wait_while_stalled(&shared, Stage::Schedule).await;
        Run::new(&shared, &db, interval).go().await;
        // A fixed cadence from when the run was due; a late run does not make two at once.
        tokio::time::sleep(interval.saturating_sub(due.elapsed())).await;
    }
}

async fn wait_while_stalled(shared: &Shared, stage: Stage) {
    while shared.faults.job_stalled(stage.as_str()) {
        tokio::time::sleep(STALL_POLL).await;
    }
}

/// Why a run stopped before the end of its load.
struct Broke {
    stage: Stage,
    error: String,
}

/// One run: its trace, its log context and what it has counted so far.
struct Run<'a> {
    shared: &'a Shared,
    db: &'a Db,
    interval: Duration,
    root: Context,
    started: Instant,
    run_id: i64,
    window: (f64, f64),
    extracted: usize,
    loaded: usize,
    failed_batches: usize,
}

impl<'a> Run<'a> {
    fn new(shared: &'a Shared, db: &'a Db, interval: Duration) -> Self {
        let root = shared.telemetry.tracing.start(
            format!("run {JOB}"),
            SpanKind::Internal,
            &Context::new(),
            vec![KeyValue::new("app.batch_job", JOB)],
        );
        Self {
            shared,
            db,
            interval,
            root,
            started: Instant::now(),
            run_id: 0,
            window: (0.0, 0.0),
            extracted: 0,
            loaded: 0,
            failed_batches: 0,
        }
    }

    fn cx(&self, otel: &Context) -> RequestCx {
        RequestCx::background(otel.clone(), self.shared.service.as_str())
    }

    fn fields(&self) -> Map<String, Value> {
        let mut f = Map::new();
        f.insert("batch_job".into(), json!(JOB));
        if self.run_id > 0 {
            f.insert("run_id".into(), json!(self.run_id));
        }
        f
    }

    fn log(&self, otel: &Context, level: Level, message: &str, extra: Map<String, Value>) {
        let mut fields = self.fields();
        fields.extend(extra);
        self.shared.log(&self.cx(otel), level, message, fields);
    }

    async fn go(mut self) {
        let shared = self.shared;
        let metrics = &shared.telemetry.metrics;
        metrics.batch_in_progress(JOB, true);
        let status = match self.stages().await {
            Ok(status) => status,
            Err(broke) => {
                traces::record_error(&self.root, "stage", &broke.error);
                let mut f = Map::new();
                f.insert("stage".into(), json!(broke.stage.as_str()));
                f.insert("error".into(), json!(broke.error));
                self.log(&self.root, Level::Error, "job stage failed", f);
                Status::Failed
            }
        };
        let status = self.record_end(status).await;
        let seconds = self.started.elapsed().as_secs_f64();
        let trace_id = traces::ids(&self.root).map(|(t, _)| t);
        metrics.batch_run(JOB, status.as_str(), seconds, trace_id.as_deref());
        if status == Status::Success {
            metrics.batch_success(JOB, queue::now());
        }
        metrics.batch_in_progress(JOB, false);
        let span = opentelemetry::trace::TraceContextExt::span(&self.root);
        span.set_attribute(KeyValue::new("app.run_status", status.as_str()));
        span.set_attribute(KeyValue::new("app.rows_loaded", self.loaded as i64));
        if status == Status::Partial {
            traces::record_error(&self.root, "partial", "some load batches failed");
        }
        let mut f = Map::new();
        f.insert("status".into(), json!(status.as_str()));
        f.insert("rows_extracted".into(), json!(self.extracted));
        f.insert("rows_loaded".into(), json!(self.loaded));
        f.insert("failed_batches".into(), json!(self.failed_batches));
        f.insert("window_start".into(), json!(self.window.0));
        f.insert("window_end".into(), json!(self.window.1));
        f.insert(
            "duration_ms".into(),
            json!((seconds * 1000.0).round() as u64),
        );
        let level = match status {
            Status::Success => Level::Info,
            Status::Partial => Level::Warn,
            Status::Failed => Level::Error,
        };
        self.log(&self.root, level, "job run finished", f);
        traces::end(&self.root);
    }

    /// Begin (window and run row), then extract, transform and load.
    async fn stages(&mut self) -> Result<Status, Broke> {
        let broke = |stage: Stage| {
            move |e: DbError| Broke {
                stage,
                error: e.to_string(),
            }
        };
        let cx = self.cx(&self.root);
        let last = self
            .db
            .run(&cx, LAST_SUCCESS, last_success)
            .await
            .map_err(broke(Stage::Schedule))?;
        self.window = window(last.map(|(end, _)| end), queue::now(), self.interval);
        let (from, to) = self.window;
        let started_at = queue::now();
        self.run_id = self
            .db
            .run(&cx, BEGIN_RUN, move |c| {
                c.prepare_cached(BEGIN_RUN.sql)?
                    .execute(params![JOB, started_at, from, to])?;
                Ok(c.last_insert_rowid())
            })
            .await
            .map_err(broke(Stage::Schedule))?;
        let span = opentelemetry::trace::TraceContextExt::span(&self.root);
        span.set_attribute(KeyValue::new("app.run_id", self.run_id));
        span.set_attribute(KeyValue::new("app.window_start", from));
        span.set_attribute(KeyValue::new("app.window_end", to));
        let mut f = Map::new();
        f.insert("window_start".into(), json!(from));
        f.insert("window_end".into(), json!(to));
        self.log(&self.root, Level::Info, "job run started", f);

        // Extract.
        let stage = self.stage_start(Stage::Extract).await;
        let orders = self
            .db
            .run(&self.cx(&stage.0), EXTRACT, move |c| extract(c, from, to))
            .await;
        let orders = match orders {
            Ok(orders) => orders,
            Err(e) => return Err(self.stage_failed(stage, e.to_string())),
        };
        self.extracted = orders.len();
        self.stage_end(stage, orders.len(), Map::new());

        // Transform.
        let stage = self.stage_start(Stage::Transform).await;
        let (rows, skipped) = aggregate(&orders);
        let mut f = Map::new();
        f.insert("skipped_orders".into(), json!(skipped));
        self.stage_end(stage, rows.len(), f);

        // Load.
        let stage = self.stage_start(Stage::Load).await;
        let batches: Vec<Vec<ProductTotal>> = rows.chunks(BATCH_ROWS).map(<[_]>::to_vec).collect();
        let failing = failing_batches(batches.len(), self.shared.faults.job_failing_share());
        let first_failing = batches.len() - failing;
        let mut written = 0;
        let cx = self.cx(&stage.0);
        let run_id = self.run_id;
        for (n, batch) in batches.into_iter().enumerate() {
            let fail = n >= first_failing;
            let size = batch.len();
            let result = self
                .db
                .run(&cx, UPSERT, move |c| {
                    load_batch(c, (from, to), run_id, &batch, fail)
                })
                .await;
            match result {
                Ok(rows) => {
                    written += 1;
                    self.loaded += rows;
                }
                Err(e) => {
                    self.failed_batches += 1;
                    let mut f = Map::new();
                    f.insert("stage".into(), json!(Stage::Load.as_str()));
                    f.insert("batch".into(), json!(n + 1));
                    f.insert("rows".into(), json!(size));
                    f.insert("error".into(), json!(e.to_string()));
                    self.log(&stage.0, Level::Error, "job load batch failed", f);
                }
            }
        }
        let status = Status::of_load(written, self.failed_batches);
        if status != Status::Success {
            traces::record_error(
                &stage.0,
                "load",
                &format!(
                    "{} of {} batches failed",
                    self.failed_batches,
                    written + self.failed_batches
                ),
            );
        }
        let mut f = Map::new();
        f.insert("failed_batches".into(), json!(self.failed_batches));
        let loaded = self.loaded;
        self.stage_end(stage, loaded, f);
        Ok(status)
    }

    /// Open the stage's span, log its start, and wait there while the job is stalled.
    async fn stage_start(&self, stage: Stage) -> (Context, Stage, Instant) {
        let span = self.shared.telemetry.tracing.start(
            stage.as_str(),
            SpanKind::Internal,
            &self.root,
            vec![
                KeyValue::new("app.batch_job", JOB),
                KeyValue::new("app.stage", stage.as_str()),
            ],
        );
        let mut f = Map::new();
        f.insert("stage".into(), json!(stage.as_str()));
        self.log(&span, Level::Info, "job stage started", f);
        wait_while_stalled(self.shared, stage).await;
        (span, stage, Instant::now())
    }

    fn stage_end(
        &self,
        (span, stage, started): (Context, Stage, Instant),
        rows: usize,
        extra: Map<String, Value>,
    ) {
        self.shared
            .telemetry
            .metrics
            .batch_rows(JOB, stage.as_str(), rows as u64);
        opentelemetry::trace::TraceContextExt::span(&span)
            .set_attribute(KeyValue::new("app.rows", rows as i64));
        let mut f = Map::new();
        f.insert("stage".into(), json!(stage.as_str()));
        f.insert("rows".into(), json!(rows));
        f.insert(
            "duration_ms".into(),
            json!((started.elapsed().as_secs_f64() * 1000.0).round() as u64),
        );
        f.extend(extra);
        self.log(&span, Level::Info, "job stage finished", f);
        traces::end(&span);
    }

    fn stage_failed(&self, (span, stage, _): (Context, Stage, Instant), error: String) -> Broke {
        traces::record_error(&span, "db", &error);
        traces::end(&span);
        Broke { stage, error }
    }

    /// Write how the run ended into the history; a run whose end cannot be recorded did
    /// not move the watermark, so it counts as failed.
    async fn record_end(&self, status: Status) -> Status {
        if self.run_id == 0 {
            return status;
        }
        let (id, extracted, loaded) = (self.run_id, self.extracted as i64, self.loaded as i64);
        let cx = self.cx(&self.root);
        let result = self
            .db
            .run(&cx, END_RUN, move |c| {
                c.prepare_cached(END_RUN.sql)?.execute(params![
                    queue::now(),
                    status.as_str(),
                    extracted,
                    loaded,
                    id
                ])
            })
            .await;
        match result {
            Ok(_) => status,
            Err(e) => {
                let mut f = Map::new();
                f.insert("error".into(), json!(e.to_string()));
                self.log(&self.root, Level::Error, "job run not recorded", f);
                Status::Failed
            }
        }
    }
}

#[cfg(test)]
mod tests;
