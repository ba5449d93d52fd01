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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::lab::faults::ParamValue;
    use crate::lab::shop::Service;
    use crate::lab::shop::http::{self, Shared};
    use crate::lab::shop::telemetry::{Telemetry, TelemetryTargets};

    /// Admin requests are counted and logged like the service's routes (a refused token is
    /// a 401 of its route, at warn), and no injected fault stands in their way.
    #[tokio::test]
    async fn admin_requests_are_counted_and_logged_and_never_faulted() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("payments.log");
        let telemetry = Telemetry::new("payments", &log, &TelemetryTargets::default()).unwrap();
        let active = ActiveFaults::new(
            Service::Payments,
            dir.path().to_path_buf(),
            telemetry.clone(),
        );
        // Every request of the service fails while this runs.
        active.add(Injection {
            id: "f1".into(),
            name: "errors".into(),
            target: "payments".into(),
            params: BTreeMap::from([("rate".to_string(), ParamValue::Number(1.0))]),
            expires_at: chrono::Utc::now() + chrono::Duration::minutes(5),
        });
        let hooks: Arc<dyn crate::lab::shop::faults::FaultHooks> = active.clone();
        let shared = Arc::new(
            Shared::new(Service::Payments, telemetry.clone(), hooks, BTreeMap::new()).unwrap(),
        );
        let app = http::admin(shared, routes(Arc::clone(&active), "secret".into()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });

        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let url = format!("{base}/admin/faults");
        for _ in 0..2 {
            let refused = client.get(&url).send().await.unwrap();
            assert_eq!(refused.status().as_u16(), 401);
        }
        let wrong = client
            .delete(&url)
            .bearer_auth("guess")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status().as_u16(), 401);
        let listed = client.get(&url).bearer_auth("secret").send().await.unwrap();
        assert_eq!(
            listed.status().as_u16(),
            200,
            "the errors fault must not apply"
        );
        let cleared = client
            .delete(format!("{url}/errors"))
            .bearer_auth("secret")
            .send()
            .await
            .unwrap();
        assert_eq!(cleared.status().as_u16(), 200);

        let text = telemetry.metrics.render();
        for want in [
            r#"http_requests_total{service="payments",method="GET",route="/admin/faults",status_code="401"} 2"#,
            r#"http_requests_total{service="payments",method="DELETE",route="/admin/faults",status_code="401"} 1"#,
            r#"http_requests_total{service="payments",method="GET",route="/admin/faults",status_code="200"} 1"#,
            r#"http_requests_total{service="payments",method="DELETE",route="/admin/faults/{which}",status_code="200"} 1"#,
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
        // No span: an admin call is not a new trace of the shop.
        assert!(!text.contains("trace_root_spans_total{service=\"payments\"} 1"));

        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let completed: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["message"] == "Request completed")
            .collect();
        assert_eq!(completed.len(), 5, "{lines:#?}");
        let refused = completed[0];
        assert_eq!(refused["level"], "warn");
        assert_eq!(refused["status"], 401);
        assert_eq!(refused["route"], "/admin/faults");
        assert_eq!(refused["method"], "GET");
        assert!(refused.get("trace_id").is_none());
        // The change itself: its audit line, then the request that made it.
        let messages: Vec<&str> = lines
            .iter()
            .map(|l| l["message"].as_str().unwrap())
            .collect();
        let cleared_at = messages.iter().position(|m| *m == "fault cleared").unwrap();
        assert_eq!(lines[cleared_at]["fault"], "errors");
        assert_eq!(lines[cleared_at + 1]["route"], "/admin/faults/{which}");
        assert_eq!(lines[cleared_at + 1]["status"], 200);
    }
}
