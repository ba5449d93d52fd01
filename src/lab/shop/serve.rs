//! Running one shop process: telemetry, the service's routes, 127.0.0.1 only, and a clean
//! stop on SIGTERM/SIGINT (queued spans are flushed before exit).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, json};
use tokio::signal::unix::{SignalKind, signal};

use super::active_faults::ActiveFaults;
use super::crash_loop;
use super::faults::FaultHooks;
use super::http::{self, Shared};
use super::telemetry::{Level, Telemetry, TelemetryTargets};
use super::traffic::{self, Generator};
use super::{
    COMPONENT_PREFIX, Service, ShopError, fault_admin, fulfillment, inventory, orders, payments,
    rollup, storefront, token,
};

/// What `labtui shop serve` was asked to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeOptions {
    pub service: Service,
    /// 127.0.0.1, except inside a container (0.0.0.0 there is the container's own network,
    /// reached from the host only through a port published on 127.0.0.1).
    pub listen: std::net::IpAddr,
    pub port: u16,
    /// labtui's data dir (the lab lives in its `lab/` folder).
    pub data_dir: PathBuf,
    /// Base URLs of the services this one calls.
    pub peers: BTreeMap<Service, String>,
    pub telemetry: TelemetryTargets,
    /// The traffic generator's starting rate (requests per second).
    pub traffic_rps: Option<f64>,
    /// orders only: how often the revenue rollup runs (default [`rollup::DEFAULT_INTERVAL`]).
    pub rollup_interval: Option<std::time::Duration>,
}

/// The JSON log file of a shop process: {data_dir}/lab/logs/shop-<service>.log.
pub fn log_file(data_dir: &Path, service: Service) -> PathBuf {
    data_dir
        .join("lab")
        .join("logs")
        .join(format!("{COMPONENT_PREFIX}{}.log", service.as_str()))
}

/// Run one shop process until SIGTERM or SIGINT.
pub fn serve(options: ServeOptions) -> Result<(), ShopError> {
    // reqwest is built without a default TLS provider; install ring before any client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ShopError::Runtime)?;
    let telemetry = runtime.block_on(run(options))?;
    // Flush queued spans (blocking, bounded by the export timeout) outside the runtime.
    telemetry.tracing.shutdown();
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(())
}

async fn run(options: ServeOptions) -> Result<Telemetry, ShopError> {
    let service = options.service;
    let telemetry = Telemetry::new(
        service.as_str(),
        &log_file(&options.data_dir, service),
        &options.telemetry,
    )?;
    let active = ActiveFaults::new(service, options.data_dir.clone(), telemetry.clone());
    tokio::spawn(Arc::clone(&active).expire_loop());
    let faults: Arc<dyn FaultHooks> = active.clone();
    let shared = Arc::new(Shared::new(
        service,
        telemetry.clone(),
        faults,
        options.peers.clone(),
    )?);
    let data_dir = options.data_dir.as_path();
    let admin_token = token::ensure(data_dir)?;
    let app = match service {
        Service::Storefront => http::app(
            Arc::clone(&shared),
            Some(storefront::routes(Arc::clone(&shared))),
        ),
        Service::Orders => {
            let routes = orders::routes(Arc::clone(&shared), data_dir)?;
            let every = options.rollup_interval.unwrap_or(rollup::DEFAULT_INTERVAL);
            rollup::start(Arc::clone(&shared), data_dir, every)?;
            http::app(Arc::clone(&shared), Some(routes))
        }
        Service::Payments => http::app(
            Arc::clone(&shared),
            Some(payments::routes(Arc::clone(&shared))),
        ),
        Service::Inventory => http::app(
            Arc::clone(&shared),
            Some(inventory::routes(Arc::clone(&shared), data_dir)?),
        ),
        Service::Fulfillment => {
            fulfillment::start(Arc::clone(&shared), data_dir)?;
            http::app(Arc::clone(&shared), None)
        }
        Service::Traffic => {
            let storefront = options
                .peers
                .get(&Service::Storefront)
                .cloned()
                .unwrap_or_default();
            let token = token::ensure(data_dir)?;
            let rps = options.traffic_rps.unwrap_or(traffic::DEFAULT_RPS);
            let generator = Arc::new(Generator::new(storefront, token, rps));
            tokio::spawn(Arc::clone(&generator).run());
            http::app(Arc::clone(&shared), None).merge(traffic::admin_routes(generator))
        }
    };
    // Every process takes faults on its own (loopback) listener; the generator's are inert.
    // Admin requests are counted and logged like the service's routes (a 401 shows).
    let admin = fault_admin::routes(Arc::clone(&active), admin_token);
    let app = app.merge(http::admin(Arc::clone(&shared), admin));
    // A run of a crash loop waits its back-off before listening (refused meanwhile).
    if let Some(backoff) = crash_loop::pending_backoff() {
        tokio::time::sleep(backoff).await;
    }
    let address = std::net::SocketAddr::new(options.listen, options.port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ShopError::Bind {
            service: service.to_string(),
            address,
            source,
        })?;
    let mut fields = Map::new();
    fields.insert("port".into(), json!(options.port));
    fields.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    telemetry.logger.log(Level::Info, "service started", fields);
    if let Some(run) = crash_loop::CrashLoop::read(data_dir, service) {
        tokio::spawn(Arc::clone(&active).run_crash_loop(run.up_s));
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(stopped())
        .await
        .map_err(|e| ShopError::io("serving on", address.to_string(), e))?;
    telemetry
        .logger
        .log(Level::Info, "service stopped", Map::new());
    Ok(telemetry)
}

/// Resolves on SIGTERM (what `labtui down` sends) or SIGINT.
async fn stopped() {
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    match (term, int) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => std::future::pending::<()>().await,
    }
}
