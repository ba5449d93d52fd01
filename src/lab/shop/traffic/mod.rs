//! The built-in traffic generator: sends the [`mix`] to the storefront at a set rate,
//! adjustable live through its token-protected admin endpoint (`/admin/traffic`).

pub mod control;
pub mod mix;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::http::{COUNTRY_HEADER, USER_HEADER};
use super::rng::Rng;
use super::token;

/// The rate a new lab starts with, in requests per second.
pub const DEFAULT_RPS: f64 = 2.0;
/// The highest rate the generator accepts.
pub const MAX_RPS: f64 = 500.0;
/// The longest burst, in seconds.
pub const MAX_BURST_SECONDS: u64 = 3600;
/// Requests in flight at most; beyond that a tick is skipped (and counted).
const MAX_IN_FLIGHT: usize = 256;

/// What `POST /admin/traffic` takes: a new rate, for `burst_seconds` only when given
/// (then the previous rate comes back).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrafficRequest {
    pub rps: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst_seconds: Option<u64>,
}

/// What the admin endpoint reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficStatus {
    /// The rate in force now.
    pub rps: f64,
    /// The rate after the burst (equal to `rps` without a burst).
    pub base_rps: f64,
    pub burst_seconds_left: u64,
    pub sent: u64,
    /// Answered 2xx-4xx.
    pub answered: u64,
    /// Answered 5xx or not at all.
    pub failed: u64,
    /// Not sent because too many requests were in flight.
    pub skipped: u64,
}

struct Rate {
    rps: f64,
    base_rps: f64,
    burst_until: Option<Instant>,
}

impl Rate {
    /// The rate now, ending an expired burst.
    fn current(&mut self) -> f64 {
        if self.burst_until.is_some_and(|t| Instant::now() >= t) {
            self.burst_until = None;
            self.rps = self.base_rps;
        }
        self.rps
    }
}

/// The generator's state, shared by the send loop and the admin handlers.
pub struct Generator {
    rate: Mutex<Rate>,
    storefront: String,
    token: String,
    sent: AtomicU64,
    answered: AtomicU64,
    failed: AtomicU64,
    skipped: AtomicU64,
}

impl Generator {
    pub fn new(storefront: String, token: String, rps: f64) -> Self {
        let rps = rps.clamp(0.0, MAX_RPS);
        Self {
            rate: Mutex::new(Rate {
                rps,
                base_rps: rps,
                burst_until: None,
            }),
            storefront,
            token,
            sent: AtomicU64::new(0),
            answered: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
        }
    }

    fn rate(&self) -> std::sync::MutexGuard<'_, Rate> {
        self.rate.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn status(&self) -> TrafficStatus {
        let mut rate = self.rate();
        let rps = rate.current();
        TrafficStatus {
            rps,
            base_rps: rate.base_rps,
            burst_seconds_left: rate
                .burst_until
                .map_or(0, |t| t.saturating_duration_since(Instant::now()).as_secs()),
            sent: self.sent.load(Ordering::Relaxed),
            answered: self.answered.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
        }
    }

    /// Apply a new rate; the error says what is out of range.
    pub fn set(&self, req: TrafficRequest) -> Result<TrafficStatus, String> {
        if !req.rps.is_finite() || !(0.0..=MAX_RPS).contains(&req.rps) {
            return Err(format!("rps must be between 0 and {MAX_RPS}"));
        }
        {
            let mut rate = self.rate();
            match req.burst_seconds {
                Some(0) | None => {
                    rate.rps = req.rps;
                    rate.base_rps = req.rps;
                    rate.burst_until = None;
                }
                Some(s) if s > MAX_BURST_SECONDS => {
                    return Err(format!("burst_seconds must be at most {MAX_BURST_SECONDS}"));
                }
                Some(s) => {
                    rate.rps = req.rps;
                    rate.burst_until = Some(Instant::now() + Duration::from_secs(s));
                }
            }
        }
        Ok(self.status())
    }

    /// Send requests forever at the current rate.
    pub async fn run(self: Arc<Self>) {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .no_proxy()
            .user_agent(concat!("labtui-traffic/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(c) => c,
            Err(_) => return,
        };
        let rng = Arc::new(Rng::from_entropy());
        let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let mut next = Instant::now();
        loop {
            let rps = self.rate().current();
            if rps <= 0.0 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                next = Instant::now();
                continue;
            }
            // Exponential gaps: arrivals of independent users (a Poisson process).
            let gap = -(1.0 - rng.unit()).ln() / rps;
            next += Duration::from_secs_f64(gap.min(5.0));
            let now = Instant::now();
            if next > now {
                tokio::time::sleep(next - now).await;
            } else if now - next > Duration::from_secs(1) {
                next = now; // fell behind (a long pause): do not fire a backlog at once
            }
            let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                self.skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let visit = mix::next(&rng);
            let (me, client) = (Arc::clone(&self), client.clone());
            tokio::spawn(async move {
                me.send(&client, visit).await;
                drop(permit);
            });
        }
    }

    async fn send(&self, client: &reqwest::Client, visit: mix::Visit) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{}", self.storefront, visit.path);
        let mut req = match visit.method {
            "POST" => client.post(&url),
            _ => client.get(&url),
        }
        .header(USER_HEADER, &visit.user_id)
        .header(COUNTRY_HEADER, visit.country);
        if let Some(body) = &visit.body {
            req = req.json(body);
        }
        let ok = req
            .send()
            .await
            .is_ok_and(|r| !r.status().is_server_error());
        let counter = if ok { &self.answered } else { &self.failed };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The admin routes: `GET /admin/traffic` (status), `POST /admin/traffic` (set).
pub fn admin_routes(generator: Arc<Generator>) -> Router {
    Router::new()
        .route("/admin/traffic", get(show).post(set))
        .with_state(generator)
}

fn authorized(generator: &Generator, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| token::matches(&generator.token, t.trim()))
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({"error": "missing or wrong admin token (Authorization: Bearer <token from the lab's admin-token file>)"})),
    )
        .into_response()
}

async fn show(State(g): State<Arc<Generator>>, headers: HeaderMap) -> Response {
    if !authorized(&g, &headers) {
        return unauthorized();
    }
    Json(g.status()).into_response()
}

async fn set(
    State(g): State<Arc<Generator>>,
    headers: HeaderMap,
    Json(req): Json<TrafficRequest>,
) -> Response {
    if !authorized(&g, &headers) {
        return unauthorized();
    }
    match g.set(req) {
        Ok(status) => Json(status).into_response(),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": message})),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_overrides_the_rate_and_limits_are_enforced() {
        let g = Generator::new("http://127.0.0.1:1".into(), "t".into(), 2.0);
        assert_eq!(g.status().rps, 2.0);
        let s = g
            .set(TrafficRequest {
                rps: 40.0,
                burst_seconds: Some(60),
            })
            .unwrap();
        assert_eq!((s.rps, s.base_rps), (40.0, 2.0));
        assert!(s.burst_seconds_left > 50);
        let s = g
            .set(TrafficRequest {
                rps: 5.0,
                burst_seconds: None,
            })
            .unwrap();
        assert_eq!((s.rps, s.base_rps, s.burst_seconds_left), (5.0, 5.0, 0));
        assert!(
            g.set(TrafficRequest {
                rps: -1.0,
                burst_seconds: None
            })
            .is_err()
        );
        assert!(
            g.set(TrafficRequest {
                rps: MAX_RPS + 1.0,
                burst_seconds: None
            })
            .is_err()
        );
        assert!(
            g.set(TrafficRequest {
                rps: 1.0,
                burst_seconds: Some(MAX_BURST_SECONDS + 1)
            })
            .is_err()
        );
        // An expired burst falls back to the base rate.
        g.rate().burst_until = Some(Instant::now());
        g.rate().rps = 99.0;
        assert_eq!(g.status().rps, 5.0);
    }

    #[test]
    fn the_admin_token_is_required() {
        let g = Generator::new("http://127.0.0.1:1".into(), "secret".into(), 0.0);
        let mut headers = HeaderMap::new();
        assert!(!authorized(&g, &headers));
        headers.insert(header::AUTHORIZATION, "Bearer nope".parse().unwrap());
        assert!(!authorized(&g, &headers));
        headers.insert(header::AUTHORIZATION, "Bearer secret".parse().unwrap());
        assert!(authorized(&g, &headers));
    }
}
