//! The client side of the traffic generator's admin endpoint (`labtui traffic ...`): finds
//! the generator in the lab state and authenticates with the lab's admin token.

use std::path::Path;
use std::time::Duration;

use super::{TrafficRequest, TrafficStatus};
use crate::lab::shop::{Service, ShopError, token};
use crate::lab::stack::{LabDirs, LabState};

/// The generator's base URL in the running lab whose data dir is `data_dir`.
pub fn url(data_dir: &Path) -> Result<String, ShopError> {
    let dirs = LabDirs {
        root: data_dir.join("lab"),
    };
    let state = LabState::load(&dirs)
        .ok()
        .flatten()
        .ok_or(ShopError::NoTraffic)?;
    state
        .url(&Service::Traffic.component())
        .map(str::to_string)
        .ok_or(ShopError::NoTraffic)
}

/// The rate and counters now.
pub async fn status(data_dir: &Path) -> Result<TrafficStatus, ShopError> {
    exchange(data_dir, None).await
}

/// Set the rate (for `burst_seconds` only, when given).
pub async fn set(data_dir: &Path, request: TrafficRequest) -> Result<TrafficStatus, ShopError> {
    exchange(data_dir, Some(request)).await
}

async fn exchange(
    data_dir: &Path,
    request: Option<TrafficRequest>,
) -> Result<TrafficStatus, ShopError> {
    let base = url(data_dir)?;
    let token = token::read(data_dir)?;
    let endpoint = format!("{base}/admin/traffic");
    let fail = |message: String| ShopError::Admin {
        url: endpoint.clone(),
        message,
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .no_proxy()
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let builder = match &request {
        Some(body) => client.post(&endpoint).json(body),
        None => client.get(&endpoint),
    };
    let response = builder.bearer_auth(token).send().await.map_err(|e| {
        fail(if e.is_connect() {
            "not answering; is the lab up? (`labtui status`)".to_string()
        } else {
            e.to_string()
        })
    })?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.map_err(|e| fail(e.to_string()))?;
    if !status.is_success() {
        let message = body
            .get("error")
            .and_then(|v| v.as_str())
            .unwrap_or("no detail");
        return Err(fail(format!("HTTP {}: {message}", status.as_u16())));
    }
    serde_json::from_value(body).map_err(|e| fail(format!("unexpected answer: {e}")))
}
