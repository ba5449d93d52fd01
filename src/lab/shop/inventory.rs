//! inventory: the catalog and its stock in SQLite (`inventory.db`): `GET /products`,
//! `GET /products/{id}`, `POST /reserve`.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ShopError;
use super::db::{self, Db, DbError, Query};
use super::http::{ApiError, RequestCx, Shared, with_log};

/// The catalog the shop starts with: (name, category, price in cents).
pub const CATALOG: [(&str, &str, i64); 20] = [
    ("Espresso beans 1kg", "coffee", 2490),
    ("Filter coffee 500g", "coffee", 1290),
    ("Decaf beans 250g", "coffee", 890),
    ("Green tea 100g", "tea", 690),
    ("Earl Grey 250g", "tea", 990),
    ("Ceramic mug", "kitchen", 1490),
    ("Travel mug", "kitchen", 2290),
    ("Pour-over dripper", "brewing", 2590),
    ("Paper filters x100", "brewing", 490),
    ("Burr grinder", "brewing", 8990),
    ("Gooseneck kettle", "brewing", 5490),
    ("Milk frother", "brewing", 3990),
    ("French press", "brewing", 3290),
    ("Moka pot", "brewing", 2990),
    ("Digital scale", "brewing", 2790),
    ("Descaler", "care", 990),
    ("Cleaning tablets", "care", 1190),
    ("Gift card 25", "gifts", 2500),
    ("Tasting set", "gifts", 3490),
    ("Barista course", "gifts", 9900),
];

/// Units of each product at the start: plenty for days of traffic.
const START_STOCK: i64 = 1_000_000;

const SELECT_ALL: Query = Query {
    operation: "SELECT",
    table: "products",
    sql: "SELECT id, name, category, price_cents, stock FROM products ORDER BY id",
};
const SELECT_ONE: Query = Query {
    operation: "SELECT",
    table: "products",
    sql: "SELECT id, name, category, price_cents, stock FROM products WHERE id = ?1",
};
const RESERVE: Query = Query {
    operation: "UPDATE",
    table: "products",
    sql: "UPDATE products SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1 RETURNING price_cents, stock",
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Product {
    id: i64,
    name: String,
    category: String,
    price_cents: i64,
    stock: i64,
}

fn product(row: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: row.get(0)?,
        name: row.get(1)?,
        category: row.get(2)?,
        price_cents: row.get(3)?,
        stock: row.get(4)?,
    })
}

fn schema() -> String {
    let mut sql = String::from(
        "CREATE TABLE IF NOT EXISTS products (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
            price_cents INTEGER NOT NULL, stock INTEGER NOT NULL);\n",
    );
    for (i, (name, category, price)) in CATALOG.iter().enumerate() {
        sql.push_str(&format!(
            "INSERT OR IGNORE INTO products VALUES ({}, '{name}', '{category}', {price}, {START_STOCK});\n",
            i + 1
        ));
    }
    sql
}

/// The inventory routes, with its database under `data_dir`.
pub fn routes(shared: Arc<Shared>, data_dir: &Path) -> Result<Router, ShopError> {
    let db = Db::open(&db::path(data_dir, "inventory.db"), &schema(), shared)?;
    Ok(Router::new()
        .route("/products", get(list))
        .route("/products/{id}", get(show))
        .route("/reserve", post(reserve))
        .with_state(db))
}

fn db_error(e: DbError) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("inventory database: {e}"),
    )
}

async fn list(
    State(db): State<Db>,
    Extension(cx): Extension<RequestCx>,
) -> Result<Response, ApiError> {
    let products = db
        .run(&cx, SELECT_ALL, |c| {
            let mut stmt = c.prepare_cached(SELECT_ALL.sql)?;
            stmt.query_map([], product)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await
        .map_err(db_error)?;
    Ok(Json(json!({ "products": products })).into_response())
}

async fn find(db: &Db, cx: &RequestCx, id: i64) -> Result<Product, ApiError> {
    db.run(cx, SELECT_ONE, move |c| {
        c.prepare_cached(SELECT_ONE.sql)?
            .query_row([id], product)
            .optional()
    })
    .await
    .map_err(db_error)?
    .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no product {id}")))
}

async fn show(
    State(db): State<Db>,
    Extension(cx): Extension<RequestCx>,
    UrlPath(id): UrlPath<i64>,
) -> Result<Response, ApiError> {
    let p = find(&db, &cx, id).await?;
    Ok(with_log(Json(p).into_response(), "product_id", json!(id)))
}

#[derive(Debug, Deserialize)]
struct Reserve {
    product_id: i64,
    quantity: i64,
}

async fn reserve(
    State(db): State<Db>,
    Extension(cx): Extension<RequestCx>,
    Json(req): Json<Reserve>,
) -> Result<Response, ApiError> {
    if !(1..=100).contains(&req.quantity) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "quantity must be 1 to 100",
        ));
    }
    let (qty, id) = (req.quantity, req.product_id);
    let reserved = db
        .run(&cx, RESERVE, move |c| {
            c.prepare_cached(RESERVE.sql)?
                .query_row(params![qty, id], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()
        })
        .await
        .map_err(db_error)?;
    let response = match reserved {
        Some((price_cents, stock)) => (
            StatusCode::OK,
            Json(json!({"product_id": id, "quantity": qty, "price_cents": price_cents, "stock_left": stock})),
        )
            .into_response(),
        None => {
            // Unknown product, or not enough stock: tell which.
            find(&db, &cx, id).await?;
            return Err(ApiError::new(StatusCode::CONFLICT, format!("not enough stock of product {id}")));
        }
    };
    Ok(with_log(response, "product_id", json!(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_schema_runs_twice_and_reserving_takes_stock() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(&schema()).unwrap();
        conn.execute_batch(&schema()).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM products", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, CATALOG.len() as i64);
        let got: (i64, i64) = conn
            .query_row(RESERVE.sql, params![2, 1], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(got, (CATALOG[0].2, START_STOCK - 2));
        let none = conn
            .query_row(RESERVE.sql, params![START_STOCK, 1], |r| r.get::<_, i64>(0))
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
