//! The client side of a shop service's fault admin API (`/admin/faults`, bearer token).

use std::time::Duration;

use super::{FaultError, Injection};

fn client() -> Result<reqwest::Client, FaultError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .no_proxy()
        .build()
        .map_err(|e| FaultError::Runtime(format!("HTTP client: {e}")))
}

/// One service's admin endpoint.
pub struct Admin {
    pub component: String,
    pub base: String,
    pub token: String,
}

impl Admin {
    fn fail(&self, url: &str, message: String) -> FaultError {
        FaultError::Admin {
            component: self.component.clone(),
            url: url.to_string(),
            message,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Injection>,
    ) -> Result<serde_json::Value, FaultError> {
        let url = format!("{}{path}", self.base);
        let mut req = client()?.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| {
            self.fail(
                &url,
                if e.is_connect() {
                    "not answering; is it running? (`labtui status`)".to_string()
                } else {
                    e.to_string()
                },
            )
        })?;
        let status = resp.status();
        let value: serde_json::Value = resp.json().await.unwrap_or_default();
        if !status.is_success() {
            let detail = value
                .get("error")
                .and_then(|v| v.as_str())
                .unwrap_or("no detail");
            return Err(self.fail(&url, format!("HTTP {}: {detail}", status.as_u16())));
        }
        Ok(value)
    }

    /// Inject (or replace) a fault in the service.
    pub async fn post(&self, injection: &Injection) -> Result<(), FaultError> {
        self.send(reqwest::Method::POST, "/admin/faults", Some(injection))
            .await
            .map(|_| ())
    }

    /// Remove one fault (by id or name), or every fault with None.
    pub async fn delete(&self, which: Option<&str>) -> Result<(), FaultError> {
        let path = match which {
            Some(w) => format!("/admin/faults/{w}"),
            None => "/admin/faults".to_string(),
        };
        self.send(reqwest::Method::DELETE, &path, None)
            .await
            .map(|_| ())
    }

    /// The faults active in the service now.
    pub async fn list(&self) -> Result<Vec<Injection>, FaultError> {
        let value = self
            .send(reqwest::Method::GET, "/admin/faults", None)
            .await?;
        serde_json::from_value(value)
            .map_err(|e| self.fail(&self.base, format!("unexpected answer: {e}")))
    }
}
