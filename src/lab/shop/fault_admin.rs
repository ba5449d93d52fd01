//! The fault admin API of a shop service, on its own 127.0.0.1 listener's routes:
//! `POST /admin/faults` (inject), `GET /admin/faults` (list), `DELETE /admin/faults[/{id or
//! name}]` (clear), each requiring the lab's admin token (401 without it).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::json;

use super::active_faults::ActiveFaults;
use super::crash_loop::CrashLoop;
use super::token;
use crate::lab::faults::{Injection, Mechanism, catalogue};

struct Admin {
    faults: Arc<ActiveFaults>,
    token: String,
}

/// The admin routes for `faults`, guarded by `token`.
pub fn routes(faults: Arc<ActiveFaults>, token: String) -> Router {
    Router::new()
        .route("/admin/faults", get(list).post(inject).delete(clear_all))
        .route("/admin/faults/{which}", delete(clear_one))
        .with_state(Arc::new(Admin { faults, token }))
}

fn authorized(admin: &Admin, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| token::matches(&admin.token, t.trim()))
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn unauthorized() -> Response {
    refuse(
        StatusCode::UNAUTHORIZED,
        "missing or wrong admin token (Authorization: Bearer <token from the lab's admin-token file>)".into(),
    )
}

async fn list(State(admin): State<Arc<Admin>>, headers: HeaderMap) -> Response {
    if !authorized(&admin, &headers) {
        return unauthorized();
    }
    Json(admin.faults.list()).into_response()
}

async fn inject(
    State(admin): State<Arc<Admin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&admin, &headers) {
        return unauthorized();
    }
    let mut injection: Injection = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("bad body: {e}")),
    };
    let def = match catalogue().get(&injection.name) {
        Ok(d) => d,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let service = admin.faults.service();
    if def.mechanism == Mechanism::Runtime
        || def.applying_service(&injection.target) != service.as_str()
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "fault `{}` on `{}` is not applied by {service}",
                def.name, injection.target
            ),
        );
    }
    if let Err(e) = def
        .resolve_target(Some(&injection.target))
        .and_then(|_| def.check_params(&injection.params))
    {
        return refuse(StatusCode::BAD_REQUEST, e.to_string());
    }
    for (name, value) in def.defaults() {
        injection.params.entry(name).or_insert(value);
    }
    if def.mechanism == Mechanism::Process {
        let looping = injection
            .params
            .get("restart")
            .is_some_and(|r| r.text() == "loop");
        if looping {
            let run = CrashLoop {
                id: injection.id.clone(),
                expires_at: injection.expires_at,
                up_s: injection.params.get("up_s").map_or(5.0, |v| v.number()),
                crashes: 1,
            };
            if let Err(e) = run.write(admin.faults.data_dir(), service) {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("could not start the crash loop: {e}"),
                );
            }
        }
        // Answer first, then exit without a graceful shutdown (a crash).
        let faults = Arc::clone(&admin.faults);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if looping {
                faults.crash_and_restart(CrashLoop::backoff(1));
            }
            faults.crash();
        });
        return (StatusCode::OK, Json(vec![injection])).into_response();
    }
    admin.faults.add(injection.clone());
    (StatusCode::OK, Json(vec![injection])).into_response()
}

async fn clear_all(State(admin): State<Arc<Admin>>, headers: HeaderMap) -> Response {
    if !authorized(&admin, &headers) {
        return unauthorized();
    }
    Json(admin.faults.remove_matching(None)).into_response()
}

async fn clear_one(
    State(admin): State<Arc<Admin>>,
    headers: HeaderMap,
    Path(which): Path<String>,
) -> Response {
    if !authorized(&admin, &headers) {
        return unauthorized();
    }
    Json(admin.faults.remove_matching(Some(&which))).into_response()
}
