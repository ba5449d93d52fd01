//! Spans over OTLP/HTTP (protobuf) and W3C trace context in and out of HTTP headers.
//!
//! The batch processor exports from its own thread with a bounded queue: when Tempo (or
//! the collector) is absent, exports fail quietly, spans beyond the queue are dropped,
//! and no request ever waits for it.

use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::{HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanBuilder, SpanKind, Status, TraceContextExt, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracer, SdkTracerProvider,
};

use crate::lab::shop::ShopError;

/// How long one export may take before it is abandoned.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(2);

/// The process's tracer and the provider that exports its spans.
pub struct Tracing {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

impl Tracing {
    /// A tracer for `service`; spans go to `endpoint` (a full OTLP/HTTP traces URL such as
    /// http://127.0.0.1:4318/v1/traces) when given, else nowhere (ids are still made, so
    /// logs keep their trace_id).
    pub fn new(service: &str, endpoint: Option<&str>) -> Result<Self, ShopError> {
        let resource = Resource::builder()
            .with_service_name(service.to_string())
            .with_attributes([
                KeyValue::new(
                    opentelemetry_semantic_conventions::resource::SERVICE_VERSION,
                    env!("CARGO_PKG_VERSION"),
                ),
                KeyValue::new("deployment.environment", "lab"),
                KeyValue::new("deployment.environment.name", "lab"),
            ])
            .build();
        let mut builder = SdkTracerProvider::builder().with_resource(resource);
        if let Some(endpoint) = endpoint {
            let client = blocking_client()?;
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_http_client(client)
                .with_protocol(Protocol::HttpBinary)
                .with_endpoint(endpoint)
                .with_timeout(EXPORT_TIMEOUT)
                .build()
                .map_err(|e| ShopError::Telemetry(format!("OTLP exporter to {endpoint}: {e}")))?;
            let config = BatchConfigBuilder::default()
                .with_max_queue_size(4096)
                .with_max_export_batch_size(512)
                .with_scheduled_delay(Duration::from_millis(500))
                .build();
            let processor = BatchSpanProcessor::builder(exporter)
                .with_batch_config(config)
                .build();
            builder = builder.with_span_processor(processor);
        }
        let provider = builder.build();
        let tracer = provider.tracer("labtui-shop");
        Ok(Self { provider, tracer })
    }

    /// Start a span as a child of `parent` (or a root when `parent` has no span) and
    /// return a context holding it.
    pub fn start(
        &self,
        name: impl Into<String>,
        kind: SpanKind,
        parent: &Context,
        attributes: Vec<KeyValue>,
    ) -> Context {
        let span = SpanBuilder::from_name(name.into())
            .with_kind(kind)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, parent);
        parent.with_span(span)
    }

    /// Send what is queued and stop exporting (blocks up to the export timeout).
    pub fn shutdown(&self) {
        let _ = self.provider.force_flush();
        let _ = self.provider.shutdown_with_timeout(EXPORT_TIMEOUT);
    }
}

/// The blocking HTTP client the exporter runs on its own thread; built on a plain thread
/// because a blocking client must not be created or dropped inside the async runtime.
fn blocking_client() -> Result<reqwest::blocking::Client, ShopError> {
    std::thread::spawn(|| {
        reqwest::blocking::Client::builder()
            .timeout(EXPORT_TIMEOUT)
            .no_proxy()
            .build()
    })
    .join()
    .map_err(|_| ShopError::Telemetry("building the OTLP HTTP client panicked".into()))?
    .map_err(|e| ShopError::Telemetry(format!("OTLP HTTP client: {e}")))
}

/// Mark the span of `cx` failed when `status` is a 5xx, and record the status code.
pub fn record_status(cx: &Context, status: u16) {
    let span = cx.span();
    span.set_attribute(KeyValue::new(
        opentelemetry_semantic_conventions::attribute::HTTP_RESPONSE_STATUS_CODE,
        i64::from(status),
    ));
    if status >= 500 {
        span.set_attribute(KeyValue::new(
            opentelemetry_semantic_conventions::attribute::ERROR_TYPE,
            status.to_string(),
        ));
        span.set_status(Status::error(format!("HTTP {status}")));
    }
}

/// Mark the span of `cx` failed with `message`.
pub fn record_error(cx: &Context, kind: &str, message: &str) {
    let span = cx.span();
    span.set_attribute(KeyValue::new(
        opentelemetry_semantic_conventions::attribute::ERROR_TYPE,
        kind.to_string(),
    ));
    span.set_status(Status::error(message.to_string()));
}

/// End the span of `cx`.
pub fn end(cx: &Context) {
    cx.span().end();
}

/// The 32-hex trace id and 16-hex span id of the span in `cx` (None without a valid span).
pub fn ids(cx: &Context) -> Option<(String, String)> {
    let span = cx.span();
    let sc = span.span_context();
    sc.is_valid()
        .then(|| (sc.trace_id().to_string(), sc.span_id().to_string()))
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

/// Write `traceparent` (and `tracestate`) for the span of `cx` into `headers`.
pub fn inject(cx: &Context, headers: &mut HeaderMap) {
    TraceContextPropagator::new().inject_context(cx, &mut HeaderInjector(headers));
}

/// The remote parent carried by incoming `headers` (an empty context when none).
pub fn extract(headers: &HeaderMap) -> Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// The `traceparent` value of `cx`, to carry the context through the queue.
pub fn traceparent(cx: &Context) -> Option<String> {
    let mut headers = HeaderMap::new();
    inject(cx, &mut headers);
    headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A remote parent context from a stored `traceparent`.
pub fn from_traceparent(value: &str) -> Context {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert("traceparent", v);
    }
    extract(&headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_round_trips_through_headers_and_the_queue() {
        let tracing = Tracing::new("orders", None).unwrap();
        let root = tracing.start("POST /orders", SpanKind::Server, &Context::new(), vec![]);
        let (trace_id, span_id) = ids(&root).unwrap();
        assert_eq!(trace_id.len(), 32);
        assert_eq!(span_id.len(), 16);
        let mut headers = HeaderMap::new();
        inject(&root, &mut headers);
        let tp = headers.get("traceparent").unwrap().to_str().unwrap();
        assert_eq!(tp, format!("00-{trace_id}-{span_id}-01"));
        let remote = extract(&headers);
        let child = tracing.start("child", SpanKind::Internal, &remote, vec![]);
        assert_eq!(ids(&child).unwrap().0, trace_id);
        let queued = traceparent(&root).unwrap();
        assert_eq!(
            ids(&from_traceparent(&queued)).unwrap(),
            (trace_id, span_id)
        );
        assert!(ids(&extract(&HeaderMap::new())).is_none());
        end(&child);
        end(&root);
        tracing.shutdown();
    }
}
