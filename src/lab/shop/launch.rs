//! How the lab starts the shop: one `labtui shop serve <service>` process per service,
//! with its port, its peers' URLs and where its telemetry goes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Service, log_file};

/// What `up` needs to start the shop.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopLaunch {
    /// The labtui binary: each service runs as `labtui shop serve ...`.
    pub program: PathBuf,
    /// Send spans to this OTLP/HTTP traces URL instead of the lab's collector or Tempo.
    pub otlp_endpoint: Option<String>,
    /// Ship logs to this Loki base URL instead of the lab's Loki.
    pub loki_url: Option<String>,
    /// The traffic generator's starting rate (default [`super::traffic::DEFAULT_RPS`]).
    pub traffic_rps: Option<f64>,
}

impl ShopLaunch {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            otlp_endpoint: None,
            loki_url: None,
            traffic_rps: None,
        }
    }

    /// The running executable when it is the labtui binary itself (the CLI and the
    /// console); None inside a test harness, which must name the binary explicitly.
    pub fn detect() -> Option<Self> {
        let exe = std::env::current_exe().ok()?;
        (exe.file_name()? == "labtui").then(|| Self::new(exe))
    }
}

/// Where the lab's backends listen, when they run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabTelemetry {
    /// OTLP/HTTP traces URL of the collector or Tempo.
    pub otlp_endpoint: Option<String>,
    /// Loki's base URL.
    pub loki_url: Option<String>,
}

/// One shop process to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopProcess {
    pub service: Service,
    pub port: u16,
    /// Program first.
    pub command: Vec<String>,
    /// Its JSON log (stdout and stderr go there too).
    pub log: PathBuf,
}

/// The command line of every shop process, in start order.
pub fn processes(
    launch: &ShopLaunch,
    data_dir: &Path,
    ports: &BTreeMap<Service, u16>,
    lab: &LabTelemetry,
) -> Vec<ShopProcess> {
    let otlp = launch
        .otlp_endpoint
        .clone()
        .or_else(|| lab.otlp_endpoint.clone());
    let loki = launch.loki_url.clone().or_else(|| lab.loki_url.clone());
    Service::ALL
        .into_iter()
        .filter_map(|service| {
            let port = *ports.get(&service)?;
            let mut command = vec![
                launch.program.display().to_string(),
                "shop".into(),
                "serve".into(),
                service.as_str().into(),
                "--port".into(),
                port.to_string(),
                "--data-dir".into(),
                data_dir.display().to_string(),
            ];
            for peer in service.peers() {
                if let Some(p) = ports.get(peer) {
                    command.push("--peer".into());
                    command.push(format!("{peer}=http://127.0.0.1:{p}"));
                }
            }
            // The generator is a client, not a shop service: it sends no telemetry.
            if service != Service::Traffic {
                if let Some(url) = &otlp {
                    command.extend(["--otlp-endpoint".into(), url.clone()]);
                }
                if let Some(url) = &loki {
                    command.extend(["--loki-url".into(), url.clone()]);
                }
            } else if let Some(rps) = launch.traffic_rps {
                command.extend(["--rps".into(), rps.to_string()]);
            }
            Some(ShopProcess {
                service,
                port,
                command,
                log: log_file(data_dir, service),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_name_ports_peers_and_telemetry_overrides_win() {
        let ports: BTreeMap<Service, u16> = Service::ALL
            .iter()
            .map(|s| (*s, s.default_port()))
            .collect();
        let mut launch = ShopLaunch::new("/opt/labtui");
        launch.loki_url = Some("http://127.0.0.1:9".into());
        launch.traffic_rps = Some(7.5);
        let lab = LabTelemetry {
            otlp_endpoint: Some("http://127.0.0.1:4318/v1/traces".into()),
            loki_url: Some("http://127.0.0.1:3100".into()),
        };
        let procs = processes(&launch, Path::new("/data"), &ports, &lab);
        assert_eq!(procs.len(), Service::ALL.len());
        let orders = procs.iter().find(|p| p.service == Service::Orders).unwrap();
        assert_eq!(
            orders.command.join(" "),
            "/opt/labtui shop serve orders --port 8081 --data-dir /data \
             --peer inventory=http://127.0.0.1:8083 --peer payments=http://127.0.0.1:8082 \
             --otlp-endpoint http://127.0.0.1:4318/v1/traces --loki-url http://127.0.0.1:9"
        );
        assert_eq!(orders.log, PathBuf::from("/data/lab/logs/shop-orders.log"));
        let traffic = procs
            .iter()
            .find(|p| p.service == Service::Traffic)
            .unwrap();
        assert!(
            traffic
                .command
                .join(" ")
                .ends_with("--peer storefront=http://127.0.0.1:8080 --rps 7.5")
        );
        assert!(
            ShopLaunch::detect().is_none(),
            "a test harness is not the labtui binary"
        );
    }
}
