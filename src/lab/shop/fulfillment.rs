//! fulfillment: the worker that drains the fulfillment queue in `orders.db`. For each
//! message it opens a consumer span under the checkout's trace (the context travelled
//! with the message), "picks and packs" (simulated), marks the order fulfilled and
//! removes the message. It exposes the queue's depth and the age of its oldest message.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::trace::SpanKind;
use rusqlite::params;
use serde_json::{Map, json};

use super::db::{self, Db, Query};
use super::http::{RequestCx, Shared};
use super::rng::Rng;
use super::telemetry::{Level, traces};
use super::{ShopError, queue};

/// Wait between polls of an empty queue.
const IDLE_POLL: Duration = Duration::from_millis(200);
/// How often the queue gauges are refreshed (also while the worker is stalled).
const GAUGE_EVERY: Duration = Duration::from_secs(1);

const FULFILL: Query = Query {
    operation: "UPDATE",
    table: "orders",
    sql: "UPDATE orders SET status = 'fulfilled', updated_at = ?1 WHERE id = ?2",
};

/// Open the queue and start the worker and the gauge refresher as tasks.
pub fn start(shared: Arc<Shared>, data_dir: &Path) -> Result<(), ShopError> {
    let db = Db::open(
        &db::path(data_dir, "orders.db"),
        queue::SCHEMA,
        Arc::clone(&shared),
    )?;
    tokio::spawn(gauges(Arc::clone(&shared), db.clone()));
    tokio::spawn(work(shared, db));
    Ok(())
}

async fn gauges(shared: Arc<Shared>, db: Db) {
    loop {
        if let Ok((depth, age)) = db.quiet(|c| queue::backlog(c, queue::now())).await {
            shared.telemetry.metrics.set_queue(queue::QUEUE, depth, age);
        }
        tokio::time::sleep(GAUGE_EVERY).await;
    }
}

async fn work(shared: Arc<Shared>, db: Db) {
    let rng = Rng::from_entropy();
    loop {
        if shared.faults.consume_paused() {
            tokio::time::sleep(IDLE_POLL).await;
            continue;
        }
        // Polls are not timed or traced: an idle worker would flood both.
        match db.quiet(queue::take).await {
            Ok(Some(message)) => process(&shared, &db, &rng, message).await,
            Ok(None) => tokio::time::sleep(IDLE_POLL).await,
            Err(e) => {
                let ctx =
                    RequestCx::background(opentelemetry::Context::new(), shared.service.as_str());
                let mut fields = Map::new();
                fields.insert("error".into(), json!(e.to_string()));
                shared.log(&ctx, Level::Error, "could not read the queue", fields);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn process(shared: &Shared, db: &Db, rng: &Rng, message: queue::Message) {
    let parent = message
        .traceparent
        .as_deref()
        .map_or_else(opentelemetry::Context::new, traces::from_traceparent);
    let waited = (queue::now() - message.enqueued_at).max(0.0);
    let span = shared.telemetry.tracing.start(
        format!("process {}", queue::QUEUE),
        SpanKind::Consumer,
        &parent,
        vec![
            KeyValue::new("messaging.system", "sqlite"),
            KeyValue::new("messaging.operation.type", "process"),
            KeyValue::new("messaging.destination.name", queue::QUEUE),
            KeyValue::new("messaging.message.id", message.id.to_string()),
            KeyValue::new("app.order_id", message.order_id),
            KeyValue::new("app.queue_wait_seconds", waited),
        ],
    );
    let cx = RequestCx::background(span.clone(), shared.service.as_str());
    // Pick and pack.
    tokio::time::sleep(Duration::from_millis(rng.range(20, 120))).await;
    let order_id = message.order_id;
    let updated = db
        .run(&cx, FULFILL, move |c| {
            c.prepare_cached(FULFILL.sql)?
                .execute(params![queue::now(), order_id])
        })
        .await;
    let acked = db
        .run(&cx, queue::ACK, move |c| queue::ack(c, message.id))
        .await;
    let mut fields = Map::new();
    fields.insert("order_id".into(), json!(order_id.to_string()));
    fields.insert(
        "queue_wait_ms".into(),
        json!((waited * 1000.0).round() as u64),
    );
    match (updated, acked) {
        (Ok(_), Ok(_)) => {
            shared.telemetry.metrics.order("fulfilled");
            shared.log(&cx, Level::Info, "order fulfilled", fields);
        }
        (Err(e), _) | (_, Err(e)) => {
            traces::record_error(&span, "db", &e.to_string());
            fields.insert("error".into(), json!(e.to_string()));
            shared.log(&cx, Level::Error, "could not fulfil the order", fields);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    traces::end(&span);
}
