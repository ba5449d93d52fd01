//! What every shop service shares on the HTTP path: the observing middleware, the client
//! for calls to peers (with W3C trace context), errors as JSON, /health and /metrics.
//!
//! One middleware per service wraps every route: it opens the server span (child of an
//! incoming `traceparent`), consults the [`FaultHooks`], runs the handler, then records
//! `http_requests_total`, `http_request_duration_seconds` (exemplar: the trace id),
//! `http_errors_total` for 5xx, and writes one JSON log line ("Request completed").

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use opentelemetry::trace::SpanKind;
use opentelemetry::{Context, KeyValue};
use opentelemetry_semantic_conventions::attribute as semconv;
use serde_json::{Map, Value, json};

use super::faults::{FaultHooks, RequestFacts};
use super::telemetry::{Level, Telemetry, metrics, traces};
use super::{Service, ShopError};

/// Header carrying the user id through the shop (set by the traffic generator).
pub const USER_HEADER: &str = "x-user-id";
/// Header carrying the user's country through the shop.
pub const COUNTRY_HEADER: &str = "x-country";
/// Response header with the request's trace id, to find its trace and logs.
pub const TRACE_HEADER: &str = "x-trace-id";

/// Timeout of one call to a peer.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a service's handlers share: telemetry, the fault hooks, the peers.
pub struct Shared {
    pub service: Service,
    pub telemetry: Telemetry,
    pub faults: Arc<dyn FaultHooks>,
    peers: BTreeMap<Service, String>,
    client: reqwest::Client,
}

impl Shared {
    pub fn new(
        service: Service,
        telemetry: Telemetry,
        faults: Arc<dyn FaultHooks>,
        peers: BTreeMap<Service, String>,
    ) -> Result<Self, ShopError> {
        for peer in service.peers() {
            if !peers.contains_key(peer) {
                return Err(ShopError::MissingPeer {
                    service: service.to_string(),
                    peer: peer.to_string(),
                });
            }
        }
        let client = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(1))
            .no_proxy()
            .build()
            .map_err(|e| ShopError::Telemetry(format!("HTTP client: {e}")))?;
        Ok(Self {
            service,
            telemetry,
            faults,
            peers,
            client,
        })
    }

    /// Write a log line in the context of a request (adds its trace_id and span_id).
    pub fn log(&self, cx: &RequestCx, level: Level, message: &str, fields: Map<String, Value>) {
        let mut all = cx.log_fields();
        all.extend(fields);
        self.telemetry.logger.log(level, message, all);
    }

    /// Call `peer` as part of the request `cx`: a client span, `traceparent`, the user's
    /// headers. A 2xx answer's JSON body is returned; anything else is a [`CallError`].
    pub async fn call(
        &self,
        cx: &RequestCx,
        peer: Service,
        method: Method,
        route: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let base = self.peers.get(&peer).cloned().unwrap_or_default();
        let url = format!("{base}{path}");
        let (host, port) = host_port(&base);
        let span = self.telemetry.tracing.start(
            format!("{method} {route}"),
            SpanKind::Client,
            &cx.otel,
            vec![
                KeyValue::new(semconv::HTTP_REQUEST_METHOD, method.to_string()),
                KeyValue::new(semconv::URL_FULL, url.clone()),
                KeyValue::new(semconv::SERVER_ADDRESS, host),
                KeyValue::new(semconv::SERVER_PORT, i64::from(port)),
                KeyValue::new("peer.service", peer.as_str()),
                KeyValue::new("http.route", route.to_string()),
            ],
        );
        let result = self.send(cx, &span, peer, method, &url, body).await;
        match &result {
            Ok(_) => traces::record_status(&span, 200),
            Err(CallError::Status { status, .. }) => traces::record_status(&span, *status),
            Err(CallError::Unreachable { message, .. }) => {
                traces::record_error(&span, "connection", message);
            }
        }
        traces::end(&span);
        result
    }

    async fn send(
        &self,
        cx: &RequestCx,
        span: &Context,
        peer: Service,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let action = self.faults.on_call(peer.as_str(), &cx.facts);
        if !action.delay.is_zero() {
            tokio::time::sleep(action.delay).await;
        }
        if action.fail.is_some() {
            return Err(CallError::Unreachable {
                peer,
                message: "connection refused (injected)".to_string(),
            });
        }
        let mut headers = HeaderMap::new();
        if self.faults.propagate_trace() {
            traces::inject(span, &mut headers);
        }
        for (name, value) in [
            (USER_HEADER, &cx.facts.user_id),
            (COUNTRY_HEADER, &cx.facts.country),
        ] {
            if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(name, v);
            }
        }
        let mut request = self.client.request(method, url).headers(headers);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| CallError::Unreachable {
            peer,
            message: if e.is_timeout() {
                format!("no answer within {}s", CALL_TIMEOUT.as_secs())
            } else if e.is_connect() {
                "connection refused".to_string()
            } else {
                e.to_string()
            },
        })?;
        let status = response.status().as_u16();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            Ok(value)
        } else {
            Err(CallError::Status {
                peer,
                status,
                body: value,
            })
        }
    }
}

fn host_port(base: &str) -> (String, u16) {
    let rest = base.split("://").nth(1).unwrap_or(base);
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().unwrap_or(80)),
        None => (authority.to_string(), 80),
    }
}

/// A failed call to a peer.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// No HTTP answer (refused, timed out).
    Unreachable { peer: Service, message: String },
    /// An answer with a non-2xx status.
    Status {
        peer: Service,
        status: u16,
        body: Value,
    },
}

/// The request as the handlers see it: its span context and who is asking.
#[derive(Clone)]
pub struct RequestCx {
    pub otel: Context,
    pub facts: RequestFacts,
}

impl RequestCx {
    /// A context with no parent and no user (background work such as the queue consumer).
    pub fn background(otel: Context, service: &str) -> Self {
        Self {
            otel,
            facts: RequestFacts {
                service: service.to_string(),
                ..RequestFacts::default()
            },
        }
    }

    /// trace_id and span_id for a log line.
    pub fn log_fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        if let Some((trace_id, span_id)) = traces::ids(&self.otel) {
            fields.insert("trace_id".into(), json!(trace_id));
            fields.insert("span_id".into(), json!(span_id));
        }
        fields
    }

    pub fn trace_id(&self) -> Option<String> {
        traces::ids(&self.otel).map(|(t, _)| t)
    }
}

/// Fields a handler adds to its request's log line (order_id, product_id, error...),
/// carried out in the response's extensions.
#[derive(Debug, Clone, Default)]
pub struct LogExtra(pub Map<String, Value>);

/// Attach a field to the request's log line.
pub fn with_log(mut response: Response, key: &str, value: Value) -> Response {
    let extra = response
        .extensions_mut()
        .get_or_insert_default::<LogExtra>();
    extra.0.insert(key.to_string(), value);
    response
}

/// A failed request: its status and a message, answered as `{"error": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let response = (
            self.status,
            axum::Json(json!({ "error": self.message.clone() })),
        )
            .into_response();
        with_log(response, "error", json!(self.message))
    }
}

impl From<CallError> for ApiError {
    /// A peer's 4xx passes through (the caller's problem); 5xx and no answer become 502.
    fn from(err: CallError) -> Self {
        match err {
            CallError::Unreachable { peer, message } => Self::new(
                StatusCode::BAD_GATEWAY,
                format!("{peer} unreachable: {message}"),
            ),
            CallError::Status { peer, status, body } => {
                let detail = body
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("no detail")
                    .to_string();
                match StatusCode::from_u16(status) {
                    Ok(s) if s.is_client_error() => Self::new(s, detail),
                    _ => Self::new(
                        StatusCode::BAD_GATEWAY,
                        format!("{peer} answered {status}: {detail}"),
                    ),
                }
            }
        }
    }
}

/// The service's routes behind the observing middleware, plus /health and /metrics
/// (which are neither counted nor traced: scrapes would drown the shop's own traffic).
pub fn app(shared: Arc<Shared>, routes: Option<Router>) -> Router {
    let observed = match routes {
        Some(routes) => {
            routes.route_layer(middleware::from_fn_with_state(Arc::clone(&shared), observe))
        }
        None => Router::new(),
    };
    let service = shared.service.as_str();
    let telemetry = shared.telemetry.clone();
    observed
        .route(
            "/health",
            get(move || async move { axum::Json(json!({"status": "ok", "service": service, "version": env!("CARGO_PKG_VERSION")})) }),
        )
        .route(
            "/metrics",
            get(move || {
                let text = telemetry.metrics.render();
                async move { ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], text) }
            }),
        )
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .map(str::to_string)
}

async fn observe(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let facts = facts(&shared, &req);
    let (method, route) = (facts.method.clone(), facts.route.clone());
    let parent = traces::extract(req.headers());
    if !req.headers().contains_key("traceparent") {
        shared.telemetry.metrics.root_span();
    }
    let mut attributes = vec![
        KeyValue::new(semconv::HTTP_REQUEST_METHOD, method.clone()),
        KeyValue::new(semconv::HTTP_ROUTE, route.clone()),
        KeyValue::new(semconv::URL_PATH, facts.path.clone()),
        KeyValue::new(semconv::URL_SCHEME, "http"),
    ];
    if let Some(agent) = header_str(req.headers(), header::USER_AGENT.as_str()) {
        attributes.push(KeyValue::new(semconv::USER_AGENT_ORIGINAL, agent));
    }
    if let Some(user) = &facts.user_id {
        attributes.push(KeyValue::new("user.id", user.clone()));
    }
    if let Some(country) = &facts.country {
        attributes.push(KeyValue::new("app.country", country.clone()));
    }
    let otel = shared.telemetry.tracing.start(
        format!("{method} {route}"),
        SpanKind::Server,
        &parent,
        attributes,
    );
    let cx = RequestCx { otel, facts };
    req.extensions_mut().insert(cx.clone());

    let action = shared.faults.on_request(&cx.facts);
    if !action.delay.is_zero() {
        tokio::time::sleep(action.delay).await;
    }
    let mut response = match action.fail.and_then(|s| StatusCode::from_u16(s).ok()) {
        Some(status) => ApiError::new(status, "injected failure").into_response(),
        None => next.run(req).await,
    };

    let seconds = started.elapsed().as_secs_f64();
    traces::record_status(&cx.otel, response.status().as_u16());
    traces::end(&cx.otel);
    record(&shared, &cx, &mut response, seconds);
    response
}

/// The control routes (the fault admin API) behind a lighter middleware: each request is
/// counted and logged like the service's own routes, so a refused token shows as a 401 of
/// its route and every change leaves its line. It asks no fault hook (an injected failure
/// or delay must never stand between the operator and the clear that ends it) and opens no
/// span (control calls are not the shop's traffic, and would count as new traces).
pub fn admin(shared: Arc<Shared>, routes: Router) -> Router {
    routes.route_layer(middleware::from_fn_with_state(shared, observe_admin))
}

async fn observe_admin(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let cx = RequestCx {
        otel: Context::new(),
        facts: facts(&shared, &req),
    };
    let mut response = next.run(req).await;
    record(&shared, &cx, &mut response, started.elapsed().as_secs_f64());
    response
}

/// Who is asking for what: the service, method, route template, path and user headers.
fn facts(shared: &Shared, req: &Request) -> RequestFacts {
    RequestFacts {
        service: shared.service.to_string(),
        method: req.method().to_string(),
        route: req
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string()),
        path: req.uri().path().to_string(),
        user_id: header_str(req.headers(), USER_HEADER),
        country: header_str(req.headers(), COUNTRY_HEADER),
    }
}

/// A finished request's metrics, its trace id header and its `Request completed` line
/// (warn for 4xx, error for 5xx).
fn record(shared: &Shared, cx: &RequestCx, response: &mut Response, seconds: f64) {
    let RequestFacts {
        method,
        route,
        path,
        user_id,
        country,
        ..
    } = &cx.facts;
    let status = response.status().as_u16();
    let trace_id = cx.trace_id();
    shared
        .telemetry
        .metrics
        .observe_request(method, route, status, seconds, trace_id.as_deref());
    if let Some(v) = trace_id
        .as_deref()
        .and_then(|t| HeaderValue::from_str(t).ok())
    {
        response.headers_mut().insert(TRACE_HEADER, v);
    }
    let mut fields = Map::new();
    fields.insert("method".into(), json!(method));
    fields.insert("route".into(), json!(route));
    fields.insert("path".into(), json!(path));
    fields.insert("status".into(), json!(status));
    fields.insert(
        "latency_ms".into(),
        json!((seconds * 1000.0).round() as u64),
    );
    if let Some(user) = user_id {
        fields.insert("user_id".into(), json!(user));
    }
    if let Some(country) = country {
        fields.insert("country".into(), json!(country));
    }
    if let Some(extra) = response.extensions_mut().remove::<LogExtra>() {
        fields.extend(extra.0);
    }
    let level = match status {
        500.. => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    shared.log(cx, level, "Request completed", fields);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_errors_map_to_what_the_caller_answers() {
        let refused = CallError::Unreachable {
            peer: Service::Payments,
            message: "connection refused".into(),
        };
        assert_eq!(ApiError::from(refused).status, StatusCode::BAD_GATEWAY);
        let conflict = CallError::Status {
            peer: Service::Inventory,
            status: 409,
            body: json!({"error": "out of stock"}),
        };
        assert_eq!(
            ApiError::from(conflict),
            ApiError::new(StatusCode::CONFLICT, "out of stock")
        );
        let failed = CallError::Status {
            peer: Service::Payments,
            status: 503,
            body: Value::Null,
        };
        let err = ApiError::from(failed);
        assert_eq!(err.status, StatusCode::BAD_GATEWAY);
        assert!(err.message.contains("payments answered 503"));
        assert_eq!(
            host_port("http://127.0.0.1:8082"),
            ("127.0.0.1".into(), 8082)
        );
    }
}
