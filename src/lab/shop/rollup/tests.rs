//! The rollup's pure parts and its database writes, on an in-memory SQLite.

use super::*;

fn order(id: i64, items: &str, amount_cents: i64) -> OrderRow {
    OrderRow {
        id,
        items: items.to_string(),
        amount_cents,
    }
}

#[test]
fn orders_are_summed_per_product_with_prices_or_shared_amounts() {
    let orders = [
        order(
            1,
            r#"[{"product_id":3,"quantity":2,"price_cents":500},{"product_id":1,"quantity":1,"price_cents":1200}]"#,
            2200,
        ),
        order(
            2,
            r#"[{"product_id":3,"quantity":1,"price_cents":500}]"#,
            500,
        ),
        // Stored before prices were kept: 1000 shared out by quantity, remainder last.
        order(
            3,
            r#"[{"product_id":1,"quantity":1},{"product_id":2,"quantity":2}]"#,
            1000,
        ),
        order(4, "not json", 100),
        order(5, "[]", 100),
    ];
    let (rows, skipped) = aggregate(&orders);
    assert_eq!(skipped, 2);
    assert_eq!(
        rows,
        [
            ProductTotal {
                product_id: 1,
                orders: 2,
                units: 2,
                revenue_cents: 1200 + 333
            },
            ProductTotal {
                product_id: 2,
                orders: 1,
                units: 2,
                revenue_cents: 667
            },
            ProductTotal {
                product_id: 3,
                orders: 2,
                units: 3,
                revenue_cents: 1500
            },
        ]
    );
    let total: i64 = rows.iter().map(|r| r.revenue_cents).sum();
    assert_eq!(total, 2200 + 500 + 1000);
    // A product listed twice in one order counts that order once.
    let (rows, _) = aggregate(&[order(
        9,
        r#"[{"product_id":4,"quantity":1,"price_cents":10},{"product_id":4,"quantity":2,"price_cents":10}]"#,
        30,
    )]);
    assert_eq!(
        rows[0],
        ProductTotal {
            product_id: 4,
            orders: 1,
            units: 3,
            revenue_cents: 30
        }
    );
}

#[test]
fn the_failing_share_rounds_up_and_decides_the_status() {
    assert_eq!(failing_batches(4, 0.0), 0);
    assert_eq!(failing_batches(4, 0.5), 2);
    assert_eq!(failing_batches(3, 0.5), 2);
    assert_eq!(failing_batches(5, 0.1), 1);
    assert_eq!(failing_batches(4, 1.0), 4);
    assert_eq!(failing_batches(0, 1.0), 0);
    assert_eq!(Status::of_load(3, 0), Status::Success);
    assert_eq!(Status::of_load(0, 0), Status::Success);
    assert_eq!(Status::of_load(2, 2), Status::Partial);
    assert_eq!(Status::of_load(0, 4), Status::Failed);
}

#[test]
fn the_window_starts_at_the_last_success_or_one_interval_back() {
    let every = Duration::from_secs(30);
    assert_eq!(window(None, 1000.0, every), (970.0, 1000.0));
    assert_eq!(window(Some(900.0), 1000.0, every), (900.0, 1000.0));
    assert_eq!(window(Some(1200.0), 1000.0, every), (1000.0, 1000.0));
}

fn report(c: &Connection) -> Vec<(i64, i64, i64)> {
    c.prepare("SELECT product_id, units, revenue_cents FROM revenue_rollup ORDER BY product_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_failed_batch_writes_nothing_and_a_rerun_of_the_window_repairs_the_report() {
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch(queue::SCHEMA).unwrap();
    c.execute_batch(SCHEMA).unwrap();
    for (n, (product, price)) in [(1, 100), (2, 200), (3, 300), (4, 400), (5, 500), (6, 600)]
        .into_iter()
        .enumerate()
    {
        c.execute(
            "INSERT INTO orders (user_id, items, amount_cents, status, created_at, updated_at) VALUES ('u', ?1, ?2, 'pending', ?3, ?3)",
            params![
                format!(r#"[{{"product_id":{product},"quantity":1,"price_cents":{price}}}]"#),
                price,
                100.0 + n as f64
            ],
        )
        .unwrap();
    }
    // Outside the window: not extracted.
    c.execute(
        "INSERT INTO orders (user_id, items, amount_cents, status, created_at, updated_at) VALUES ('u', '[]', 1, 'pending', 50.0, 50.0)",
        [],
    )
    .unwrap();
    let orders = extract(&c, 100.0, 200.0).unwrap();
    assert_eq!(orders.len(), 6);
    let (rows, _) = aggregate(&orders);
    let batches: Vec<&[ProductTotal]> = rows.chunks(BATCH_ROWS).collect();
    assert_eq!(batches.len(), 2);
    let failing = failing_batches(batches.len(), 0.5);
    let mut written = 0;
    for (n, batch) in batches.iter().enumerate() {
        let fail = n >= batches.len() - failing;
        match load_batch(&c, (100.0, 200.0), 1, batch, fail) {
            Ok(k) => written += k,
            Err(e) => assert!(e.to_string().contains("injected failure"), "{e}"),
        }
    }
    assert_eq!(written, BATCH_ROWS);
    assert_eq!(
        report(&c).len(),
        BATCH_ROWS,
        "the failed batch left no rows"
    );
    // The healthy rerun of the same window upserts every row, once.
    for batch in rows.chunks(BATCH_ROWS) {
        load_batch(&c, (100.0, 210.0), 2, batch, false).unwrap();
    }
    let report = report(&c);
    assert_eq!(report.len(), 6);
    assert_eq!(report[5], (6, 1, 600));
}
