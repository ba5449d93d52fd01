//! storefront: the shop's entry API. Browsing goes to inventory; the cart lives in memory
//! here; checkout hands the cart to orders.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Map, json};

use super::Service;
use super::http::{ApiError, RequestCx, Shared, with_log};
use super::orders::Item;
use super::telemetry::Level;

/// Carts kept at most (the oldest user's cart is forgotten beyond this).
const MAX_CARTS: usize = 10_000;
/// Items one cart holds at most.
const MAX_CART_ITEMS: usize = 10;

struct Storefront {
    shared: Arc<Shared>,
    carts: Mutex<Carts>,
}

#[derive(Default)]
struct Carts {
    by_user: HashMap<String, Vec<Item>>,
    order: std::collections::VecDeque<String>,
}

impl Carts {
    fn add(&mut self, user: &str, item: Item) -> Vec<Item> {
        if !self.by_user.contains_key(user) {
            if self.by_user.len() >= MAX_CARTS
                && let Some(oldest) = self.order.pop_front()
            {
                self.by_user.remove(&oldest);
            }
            self.order.push_back(user.to_string());
        }
        let cart = self.by_user.entry(user.to_string()).or_default();
        match cart.iter().position(|i| i.product_id == item.product_id) {
            Some(at) => cart[at].quantity = (cart[at].quantity + item.quantity).min(100),
            None if cart.len() < MAX_CART_ITEMS => cart.push(item),
            None => {}
        }
        cart.clone()
    }

    fn take(&mut self, user: &str) -> Vec<Item> {
        self.order.retain(|u| u != user);
        self.by_user.remove(user).unwrap_or_default()
    }
}

/// The storefront routes.
pub fn routes(shared: Arc<Shared>) -> Router {
    let state = Arc::new(Storefront {
        shared,
        carts: Mutex::new(Carts::default()),
    });
    Router::new()
        .route("/products", get(products))
        .route("/products/{id}", get(product))
        .route("/cart/items", post(add_to_cart))
        .route("/checkout", post(checkout))
        .route("/orders/{id}", get(order))
        .with_state(state)
}

async fn products(
    State(s): State<Arc<Storefront>>,
    Extension(cx): Extension<RequestCx>,
) -> Result<Response, ApiError> {
    get_from(&s, &cx, Service::Inventory, "/products", "/products").await
}

/// Reads from a peer and answers with what it said (the storefront's pass-through routes).
async fn get_from(
    s: &Storefront,
    cx: &RequestCx,
    peer: Service,
    route: &str,
    path: &str,
) -> Result<Response, ApiError> {
    let v = s
        .shared
        .call(cx, peer, Method::GET, route, path, None)
        .await?;
    Ok(Json(v).into_response())
}

async fn product(
    State(s): State<Arc<Storefront>>,
    Extension(cx): Extension<RequestCx>,
    UrlPath(id): UrlPath<i64>,
) -> Result<Response, ApiError> {
    let path = format!("/products/{id}");
    let response = get_from(&s, &cx, Service::Inventory, "/products/{id}", &path).await?;
    Ok(with_log(response, "product_id", json!(id)))
}

/// The user: the body's `user_id`, else the `x-user-id` header, else "anonymous".
fn user_of(cx: &RequestCx, body: Option<&String>) -> String {
    body.cloned()
        .or_else(|| cx.facts.user_id.clone())
        .unwrap_or_else(|| "anonymous".to_string())
}

#[derive(Debug, Deserialize)]
struct AddItem {
    #[serde(default)]
    user_id: Option<String>,
    product_id: i64,
    #[serde(default = "one")]
    quantity: i64,
}

fn one() -> i64 {
    1
}

async fn add_to_cart(
    State(s): State<Arc<Storefront>>,
    Extension(cx): Extension<RequestCx>,
    Json(req): Json<AddItem>,
) -> Result<Response, ApiError> {
    if !(1..=100).contains(&req.quantity) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "quantity must be 1 to 100",
        ));
    }
    let path = format!("/products/{}", req.product_id);
    s.shared
        .call(
            &cx,
            Service::Inventory,
            Method::GET,
            "/products/{id}",
            &path,
            None,
        )
        .await?;
    let user = user_of(&cx, req.user_id.as_ref());
    let item = Item {
        product_id: req.product_id,
        quantity: req.quantity,
    };
    let cart = s
        .carts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .add(&user, item);
    let response = (
        StatusCode::CREATED,
        Json(json!({"user_id": user, "items": cart})),
    )
        .into_response();
    Ok(with_log(response, "product_id", json!(req.product_id)))
}

#[derive(Debug, Default, Deserialize)]
struct Checkout {
    #[serde(default)]
    user_id: Option<String>,
    /// Items to buy when the cart is empty (a "buy now" button).
    #[serde(default)]
    items: Vec<Item>,
}

async fn checkout(
    State(s): State<Arc<Storefront>>,
    Extension(cx): Extension<RequestCx>,
    body: Option<Json<Checkout>>,
) -> Result<Response, ApiError> {
    let req = body.map(|Json(b)| b).unwrap_or_default();
    let user = user_of(&cx, req.user_id.as_ref());
    let mut items = s
        .carts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take(&user);
    if items.is_empty() {
        items = req.items;
    }
    if items.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "the cart is empty"));
    }
    let body = json!({"user_id": user, "items": items});
    let order = s
        .shared
        .call(
            &cx,
            Service::Orders,
            Method::POST,
            "/orders",
            "/orders",
            Some(&body),
        )
        .await?;
    let order_id = order["order_id"].as_i64().unwrap_or_default().to_string();
    let mut fields = Map::new();
    fields.insert("order_id".into(), json!(order_id));
    fields.insert("amount_cents".into(), order["amount_cents"].clone());
    s.shared.log(&cx, Level::Info, "checkout completed", fields);
    let response = (StatusCode::CREATED, Json(order)).into_response();
    Ok(with_log(response, "order_id", json!(order_id)))
}

async fn order(
    State(s): State<Arc<Storefront>>,
    Extension(cx): Extension<RequestCx>,
    UrlPath(id): UrlPath<i64>,
) -> Result<Response, ApiError> {
    let path = format!("/orders/{id}");
    let response = get_from(&s, &cx, Service::Orders, "/orders/{id}", &path).await?;
    Ok(with_log(response, "order_id", json!(id.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carts_merge_items_cap_size_and_empty_on_take() {
        let mut carts = Carts::default();
        carts.add(
            "u1",
            Item {
                product_id: 1,
                quantity: 1,
            },
        );
        let cart = carts.add(
            "u1",
            Item {
                product_id: 1,
                quantity: 2,
            },
        );
        assert_eq!(
            cart,
            vec![Item {
                product_id: 1,
                quantity: 3
            }]
        );
        for p in 2..20 {
            carts.add(
                "u1",
                Item {
                    product_id: p,
                    quantity: 1,
                },
            );
        }
        assert_eq!(carts.take("u1").len(), MAX_CART_ITEMS);
        assert!(carts.take("u1").is_empty());
        for u in 0..(MAX_CARTS + 5) {
            carts.add(
                &format!("user-{u}"),
                Item {
                    product_id: 1,
                    quantity: 1,
                },
            );
        }
        assert_eq!(carts.by_user.len(), MAX_CARTS);
        assert!(!carts.by_user.contains_key("user-0"));
    }
}
