//! HTTP probes of the lab's components: readiness, versions; every request has a timeout.

use std::time::Duration;

use super::error::StackError;
use super::spec::VersionProbe;

/// Per-request timeout for probes (a component that takes longer is not ready).
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// A client for loopback probes: short timeouts, no proxy (a corporate http_proxy must
/// not intercept 127.0.0.1).
pub fn client() -> Result<reqwest::Client, StackError> {
    // reqwest is built without a default TLS provider; install ring once per process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(PROBE_TIMEOUT)
        .connect_timeout(Duration::from_secs(1))
        .no_proxy()
        .build()
        .map_err(|e| StackError::Http(e.to_string()))
}

/// GET `url`; Ok when it answers 2xx, else a short reason.
pub async fn probe(client: &reqwest::Client, url: &str) -> Result<(), String> {
    match client.get(url).send().await {
        Ok(resp) if resp.status().is_success() => Ok(()),
        Ok(resp) => Err(format!("HTTP {}", resp.status().as_u16())),
        Err(e) if e.is_timeout() => Err(format!("no answer within {}s", PROBE_TIMEOUT.as_secs())),
        Err(e) if e.is_connect() => Err("connection refused".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// GET a JSON document (2xx only).
pub async fn get_json(client: &reqwest::Client, url: &str) -> Result<serde_json::Value, String> {
    let resp = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    resp.json().await.map_err(|e| format!("not JSON: {e}"))
}

/// The version string a component reports, when it answers.
pub async fn version(
    client: &reqwest::Client,
    base_url: &str,
    probe: &VersionProbe,
) -> Option<String> {
    let url = format!("{base_url}{}", probe.path);
    if let Some(pointer) = &probe.json {
        let doc = get_json(client, &url).await.ok()?;
        return doc
            .pointer(pointer)?
            .as_str()
            .map(str::to_string)
            .filter(|s| !s.is_empty());
    }
    let metric = probe.metric.as_ref()?;
    let text = client.get(&url).send().await.ok()?.text().await.ok()?;
    version_from_metrics(&text, metric)
}

/// The `version` label of a `*_build_info` metric in Prometheus text format.
pub fn version_from_metrics(text: &str, metric: &str) -> Option<String> {
    let line = text
        .lines()
        .find(|l| l.starts_with(metric) && l[metric.len()..].starts_with('{'))?;
    let labels = &line[metric.len() + 1..line.rfind('}')?];
    // Split on `,` at label boundaries; values here (versions, revisions) hold no commas.
    labels.split(',').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == "version").then(|| value.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_label_is_read_from_build_info() {
        let text = "# HELP x\nnode_exporter_build_info{branch=\"\",goversion=\"go1.19\",revision=\"r\",version=\"1.5.0\"} 1\n";
        assert_eq!(
            version_from_metrics(text, "node_exporter_build_info").as_deref(),
            Some("1.5.0")
        );
        assert_eq!(version_from_metrics(text, "other_build_info"), None);
    }

    #[test]
    fn json_pointers_in_the_shipped_spec_match_recorded_buildinfo_shapes() {
        // Shapes as the real servers return them (see the recorded API responses).
        let prom = serde_json::json!({"status":"success","data":{"version":"2.42.0+ds"}});
        let am =
            serde_json::json!({"versionInfo":{"version":"0.25.0"},"cluster":{"status":"disabled"}});
        let loki = serde_json::json!({"version":"3.4.6","revision":"2b7b94ffbf"});
        let spec = crate::lab::stack::StackSpec::builtin().unwrap();
        for (name, doc, want) in [
            ("prometheus", prom, "2.42.0+ds"),
            ("alertmanager", am, "0.25.0"),
            ("loki", loki.clone(), "3.4.6"),
            ("tempo", loki, "3.4.6"),
        ] {
            let pointer = spec
                .component(name)
                .unwrap()
                .version
                .as_ref()
                .unwrap()
                .json
                .clone()
                .unwrap();
            assert_eq!(
                doc.pointer(&pointer).and_then(|v| v.as_str()),
                Some(want),
                "{name}"
            );
        }
    }
}
