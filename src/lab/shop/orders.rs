//! orders: `POST /orders` reserves stock (inventory), charges (payments), stores the
//! order in SQLite (`orders.db`) and enqueues it for fulfillment; `GET /orders/{id}`.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use opentelemetry::KeyValue;
use opentelemetry::trace::SpanKind;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::db::{self, Db, DbError, Query};
use super::http::{ApiError, CallError, RequestCx, Shared, with_log};
use super::telemetry::{Level, traces};
use super::{Service, ShopError, queue};

const INSERT: Query = Query {
    operation: "INSERT",
    table: "orders",
    sql: "INSERT INTO orders (user_id, country, items, amount_cents, status, created_at, updated_at, trace_id) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5, ?6)",
};
const SELECT: Query = Query {
    operation: "SELECT",
    table: "orders",
    sql: "SELECT id, user_id, items, amount_cents, status, created_at, updated_at FROM orders WHERE id = ?1",
};

/// Most items one order may hold.
const MAX_ITEMS: usize = 10;

struct Orders {
    shared: Arc<Shared>,
    db: Db,
}

/// One line of an order (also what the storefront's cart holds).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Item {
    pub product_id: i64,
    pub quantity: i64,
}

#[derive(Debug, Deserialize)]
struct NewOrder {
    user_id: String,
    items: Vec<Item>,
}

/// The orders routes, with its database (and the queue) under `data_dir`.
pub fn routes(shared: Arc<Shared>, data_dir: &Path) -> Result<Router, ShopError> {
    let db = Db::open(
        &db::path(data_dir, "orders.db"),
        queue::SCHEMA,
        Arc::clone(&shared),
    )?;
    let state = Arc::new(Orders { shared, db });
    Ok(Router::new()
        .route("/orders", post(create))
        .route("/orders/{id}", get(show))
        .with_state(state))
}

fn db_error(e: DbError) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("orders database: {e}"),
    )
}

async fn create(
    State(o): State<Arc<Orders>>,
    Extension(cx): Extension<RequestCx>,
    Json(req): Json<NewOrder>,
) -> Result<Response, ApiError> {
    if req.items.is_empty() || req.items.len() > MAX_ITEMS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("an order has 1 to {MAX_ITEMS} items"),
        ));
    }
    // 1. Reserve stock for every item (inventory answers the price, kept with the item
    // for the revenue rollup).
    let mut amount_cents = 0i64;
    let mut priced = Vec::with_capacity(req.items.len());
    for item in &req.items {
        let body = json!({"product_id": item.product_id, "quantity": item.quantity});
        match o
            .shared
            .call(
                &cx,
                Service::Inventory,
                Method::POST,
                "/reserve",
                "/reserve",
                Some(&body),
            )
            .await
        {
            Ok(v) => {
                let price = v["price_cents"].as_i64().unwrap_or(0);
                amount_cents += price * item.quantity;
                priced.push(json!({
                    "product_id": item.product_id,
                    "quantity": item.quantity,
                    "price_cents": price,
                }));
            }
            Err(e) => return Err(rejected(&o, &cx, e, "rejected")),
        }
    }
    // 2. Charge.
    let charge = json!({"amount_cents": amount_cents, "currency": "EUR", "user_id": req.user_id});
    let charge = o
        .shared
        .call(
            &cx,
            Service::Payments,
            Method::POST,
            "/charge",
            "/charge",
            Some(&charge),
        )
        .await
        .map_err(|e| rejected(&o, &cx, e, "payment_failed"))?;
    // 3. Store the order, 4. enqueue it for fulfillment (carrying the trace context).
    let items = Value::Array(priced).to_string();
    let (user, country, trace_id) = (req.user_id.clone(), cx.facts.country.clone(), cx.trace_id());
    let order_id =
        o.db.run(&cx, INSERT, move |c| {
            c.prepare_cached(INSERT.sql)?.execute(params![
                user,
                country,
                items,
                amount_cents,
                queue::now(),
                trace_id
            ])?;
            Ok(c.last_insert_rowid())
        })
        .await
        .map_err(db_error)?;
    publish(&o, &cx, order_id).await?;
    o.shared.telemetry.metrics.order("pending");
    let mut fields = Map::new();
    fields.insert("order_id".into(), json!(order_id.to_string()));
    fields.insert("amount_cents".into(), json!(amount_cents));
    fields.insert("charge_id".into(), charge["charge_id"].clone());
    o.shared.log(&cx, Level::Info, "order created", fields);
    let response = (
        StatusCode::CREATED,
        Json(json!({"order_id": order_id, "status": "pending", "amount_cents": amount_cents})),
    )
        .into_response();
    Ok(with_log(response, "order_id", json!(order_id.to_string())))
}

/// A producer span for the queue write; its context travels with the message so the
/// worker's span joins the checkout's trace.
async fn publish(o: &Orders, cx: &RequestCx, order_id: i64) -> Result<(), ApiError> {
    let span = o.shared.telemetry.tracing.start(
        format!("publish {}", queue::QUEUE),
        SpanKind::Producer,
        &cx.otel,
        vec![
            KeyValue::new("messaging.system", "sqlite"),
            KeyValue::new("messaging.operation.type", "send"),
            KeyValue::new("messaging.destination.name", queue::QUEUE),
            KeyValue::new("app.order_id", order_id),
        ],
    );
    let parent = traces::traceparent(&span);
    let producer = RequestCx {
        otel: span.clone(),
        facts: cx.facts.clone(),
    };
    let result =
        o.db.run(&producer, queue::ENQUEUE, move |c| {
            queue::enqueue(c, order_id, parent.as_deref())
        })
        .await;
    if let Err(e) = &result {
        traces::record_error(&span, "db", &e.to_string());
    }
    traces::end(&span);
    result.map(|_| ()).map_err(db_error)
}

/// Count and log an order that did not happen, and answer as the failing peer suggests.
fn rejected(o: &Orders, cx: &RequestCx, err: CallError, status: &str) -> ApiError {
    let final_status = match &err {
        CallError::Status { status: s, .. } if *s < 500 => status,
        _ => "failed",
    };
    o.shared.telemetry.metrics.order(final_status);
    let api = ApiError::from(err);
    let mut fields = Map::new();
    fields.insert("order_status".into(), json!(final_status));
    fields.insert("error".into(), json!(api.message));
    let level = if api.status.is_server_error() {
        Level::Error
    } else {
        Level::Warn
    };
    o.shared.log(cx, level, "order not placed", fields);
    api
}

async fn show(
    State(o): State<Arc<Orders>>,
    Extension(cx): Extension<RequestCx>,
    UrlPath(id): UrlPath<i64>,
) -> Result<Response, ApiError> {
    let row =
        o.db.run(&cx, SELECT, move |c| {
            c.prepare_cached(SELECT.sql)?
                .query_row([id], |r| {
                    let items: String = r.get(2)?;
                    Ok(json!({
                        "order_id": r.get::<_, i64>(0)?,
                        "user_id": r.get::<_, String>(1)?,
                        "items": serde_json::from_str::<Value>(&items).unwrap_or(Value::Null),
                        "amount_cents": r.get::<_, i64>(3)?,
                        "status": r.get::<_, String>(4)?,
                        "created_at": r.get::<_, f64>(5)?,
                        "updated_at": r.get::<_, f64>(6)?,
                    }))
                })
                .optional()
        })
        .await
        .map_err(db_error)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no order {id}")))?;
    Ok(with_log(
        Json(row).into_response(),
        "order_id",
        json!(id.to_string()),
    ))
}
