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
    /// How often orders runs the revenue rollup, in seconds (default 30).
    pub rollup_interval_s: Option<u64>,
}

impl ShopLaunch {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            otlp_endpoint: None,
            loki_url: None,
            traffic_rps: None,
            rollup_interval_s: None,
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

/// Where the shop's processes run, which decides what they listen on and how they call
/// each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShopNetwork {
    /// Processes on this machine: listen on 127.0.0.1, call peers at 127.0.0.1:<port>.
    Loopback,
    /// Containers on the lab's network: listen on 0.0.0.0 inside their own network
    /// namespace, call peers by component name (`http://shop-orders:8081`).
    Containers,
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

/// The command line of every shop process, in start order. `ports` are the ports the
/// processes listen on (inside their containers for [`ShopNetwork::Containers`]).
pub fn processes(
    launch: &ShopLaunch,
    data_dir: &Path,
    ports: &BTreeMap<Service, u16>,
    lab: &LabTelemetry,
    network: ShopNetwork,
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
            ];
            if network == ShopNetwork::Containers {
                command.extend(["--listen".into(), "0.0.0.0".into()]);
            }
            command.extend([
                "--port".into(),
                port.to_string(),
                "--data-dir".into(),
                data_dir.display().to_string(),
            ]);
            for peer in service.peers() {
                if let Some(p) = ports.get(peer) {
                    let host = match network {
                        ShopNetwork::Loopback => "127.0.0.1".to_string(),
                        ShopNetwork::Containers => peer.component(),
                    };
                    command.push("--peer".into());
                    command.push(format!("{peer}=http://{host}:{p}"));
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
            if let (Service::Orders, Some(secs)) = (service, launch.rollup_interval_s) {
                command.extend(["--rollup-interval".into(), secs.to_string()]);
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
        launch.rollup_interval_s = Some(12);
        let lab = LabTelemetry {
            otlp_endpoint: Some("http://127.0.0.1:4318/v1/traces".into()),
            loki_url: Some("http://127.0.0.1:3100".into()),
        };
        let procs = processes(
            &launch,
            Path::new("/data"),
            &ports,
            &lab,
            ShopNetwork::Loopback,
        );
        assert_eq!(procs.len(), Service::ALL.len());
        let orders = procs.iter().find(|p| p.service == Service::Orders).unwrap();
        assert_eq!(
            orders.command.join(" "),
            "/opt/labtui shop serve orders --port 8081 --data-dir /data \
             --peer inventory=http://127.0.0.1:8083 --peer payments=http://127.0.0.1:8082 \
             --otlp-endpoint http://127.0.0.1:4318/v1/traces --loki-url http://127.0.0.1:9 \
             --rollup-interval 12"
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

    #[test]
    fn in_containers_services_listen_on_all_addresses_and_call_peers_by_name() {
        let ports: BTreeMap<Service, u16> = Service::ALL
            .iter()
            .map(|s| (*s, s.default_port()))
            .collect();
        let lab = LabTelemetry {
            otlp_endpoint: Some("http://tempo:4318/v1/traces".into()),
            loki_url: None,
        };
        let launch = ShopLaunch::new("/usr/local/bin/labtui");
        let procs = processes(
            &launch,
            Path::new("/var/lib/labtui"),
            &ports,
            &lab,
            ShopNetwork::Containers,
        );
        let storefront = procs
            .iter()
            .find(|p| p.service == Service::Storefront)
            .unwrap();
        assert_eq!(
            storefront.command.join(" "),
            "/usr/local/bin/labtui shop serve storefront --listen 0.0.0.0 --port 8080 \
             --data-dir /var/lib/labtui --peer inventory=http://shop-inventory:8083 \
             --peer orders=http://shop-orders:8081 \
             --otlp-endpoint http://tempo:4318/v1/traces"
        );
    }
}
