//! The fulfillment queue: a table in orders' SQLite file (`orders.db`) that orders writes
//! in the same database as the order, and the fulfillment worker drains. It survives
//! restarts, so a stalled worker leaves a real backlog that ages.

use rusqlite::{Connection, OptionalExtension, params};

use super::db::Query;

/// The queue's name in metrics (`queue_depth{queue="fulfillment"}`).
pub const QUEUE: &str = "fulfillment";

/// The orders table and the queue table (idempotent).
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    country TEXT,
    items TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    trace_id TEXT
);
CREATE TABLE IF NOT EXISTS fulfillment_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL,
    traceparent TEXT,
    enqueued_at REAL NOT NULL
);
";

pub const ENQUEUE: Query = Query {
    operation: "INSERT",
    table: "fulfillment_queue",
    sql: "INSERT INTO fulfillment_queue (order_id, traceparent, enqueued_at) VALUES (?1, ?2, ?3)",
};
const TAKE_SQL: &str =
    "SELECT id, order_id, traceparent, enqueued_at FROM fulfillment_queue ORDER BY id LIMIT 1";
pub const ACK: Query = Query {
    operation: "DELETE",
    table: "fulfillment_queue",
    sql: "DELETE FROM fulfillment_queue WHERE id = ?1",
};

/// One waiting message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: i64,
    pub order_id: i64,
    pub traceparent: Option<String>,
    pub enqueued_at: f64,
}

/// Seconds since the Unix epoch, as stored in the tables.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

pub fn enqueue(c: &Connection, order_id: i64, traceparent: Option<&str>) -> rusqlite::Result<i64> {
    c.prepare_cached(ENQUEUE.sql)?
        .execute(params![order_id, traceparent, now()])?;
    Ok(c.last_insert_rowid())
}

/// The oldest message, left in place until [`ack`].
pub fn take(c: &Connection) -> rusqlite::Result<Option<Message>> {
    c.prepare_cached(TAKE_SQL)?
        .query_row([], |r| {
            Ok(Message {
                id: r.get(0)?,
                order_id: r.get(1)?,
                traceparent: r.get(2)?,
                enqueued_at: r.get(3)?,
            })
        })
        .optional()
}

pub fn ack(c: &Connection, id: i64) -> rusqlite::Result<usize> {
    c.prepare_cached(ACK.sql)?.execute([id])
}

/// (depth, age of the oldest message in seconds) at `now`.
pub fn backlog(c: &Connection, now: f64) -> rusqlite::Result<(i64, f64)> {
    c.query_row(
        "SELECT COUNT(*), MIN(enqueued_at) FROM fulfillment_queue",
        [],
        |r| {
            let depth: i64 = r.get(0)?;
            let oldest: Option<f64> = r.get(1)?;
            Ok((depth, oldest.map_or(0.0, |t| (now - t).max(0.0))))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_leave_in_order_and_the_backlog_ages() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(SCHEMA).unwrap();
        assert_eq!(backlog(&c, now()).unwrap(), (0, 0.0));
        enqueue(&c, 7, Some("00-aa-bb-01")).unwrap();
        enqueue(&c, 8, None).unwrap();
        let (depth, age) = backlog(&c, now() + 30.0).unwrap();
        assert_eq!(depth, 2);
        assert!((30.0..31.0).contains(&age), "{age}");
        let first = take(&c).unwrap().unwrap();
        assert_eq!(
            (first.order_id, first.traceparent.as_deref()),
            (7, Some("00-aa-bb-01"))
        );
        assert_eq!(ack(&c, first.id).unwrap(), 1);
        assert_eq!(take(&c).unwrap().unwrap().order_id, 8);
    }
}
