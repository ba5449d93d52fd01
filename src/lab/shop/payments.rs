//! payments: `POST /charge` with a simulated card processor (a few tens of milliseconds;
//! about 1% of cards are declined with 402).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Map, json};

use super::http::{ApiError, RequestCx, Shared, with_log};
use super::rng::Rng;
use super::telemetry::Level;

/// Share of charges the simulated processor declines.
const DECLINE_RATE: f64 = 0.01;

struct Payments {
    shared: Arc<Shared>,
    rng: Rng,
}

#[derive(Debug, Deserialize)]
struct Charge {
    amount_cents: i64,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    order_ref: Option<String>,
}

/// The payments routes.
pub fn routes(shared: Arc<Shared>) -> Router {
    let state = Arc::new(Payments {
        shared,
        rng: Rng::from_entropy(),
    });
    Router::new()
        .route("/charge", post(charge))
        .with_state(state)
}

async fn charge(
    State(p): State<Arc<Payments>>,
    Extension(cx): Extension<RequestCx>,
    Json(req): Json<Charge>,
) -> Result<Response, ApiError> {
    if req.amount_cents <= 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "amount_cents must be positive",
        ));
    }
    // The card processor's round trip.
    tokio::time::sleep(Duration::from_millis(p.rng.range(15, 60))).await;
    let currency = req.currency.unwrap_or_else(|| "EUR".to_string());
    let mut fields = Map::new();
    fields.insert("amount_cents".into(), json!(req.amount_cents));
    fields.insert("currency".into(), json!(currency));
    if let Some(r) = &req.order_ref {
        fields.insert("order_ref".into(), json!(r));
    }
    if p.rng.unit() < DECLINE_RATE {
        p.shared.log(&cx, Level::Warn, "charge declined", fields);
        return Err(ApiError::new(StatusCode::PAYMENT_REQUIRED, "card declined"));
    }
    let charge_id = format!("ch_{:016x}", p.rng.next_u64());
    fields.insert("charge_id".into(), json!(charge_id));
    p.shared.log(&cx, Level::Info, "charge accepted", fields);
    let response = (
        StatusCode::CREATED,
        Json(json!({"charge_id": charge_id, "status": "captured", "amount_cents": req.amount_cents, "currency": currency})),
    )
        .into_response();
    Ok(with_log(response, "charge_id", json!(charge_id)))
}
