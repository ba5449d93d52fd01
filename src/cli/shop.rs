//! The shop's commands: `labtui shop serve` (internal: how the lab runs each service) and
//! `labtui traffic set|show` (the traffic generator's rate).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use color_eyre::eyre::{Result, WrapErr};

use crate::lab::paths::Paths;
use crate::lab::shop::telemetry::TelemetryTargets;
use crate::lab::shop::traffic::{TrafficRequest, TrafficStatus, control};
use crate::lab::shop::{ServeOptions, Service, ShopError};

/// `labtui shop ...` (hidden from help; see docs/SHOP.md).
#[derive(Debug, Subcommand)]
pub enum ShopCommand {
    /// Run one shop service in the foreground (the lab starts these itself)
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// storefront, orders, payments, inventory, fulfillment or traffic
    pub service: String,
    /// Port to listen on
    #[arg(long)]
    pub port: u16,
    /// Address to listen on: 127.0.0.1, or 0.0.0.0 inside the lab's container
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub listen: std::net::IpAddr,
    /// labtui's data directory (databases and logs go under its lab/ folder)
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// A service this one calls: NAME=URL (repeat for each)
    #[arg(long = "peer", value_name = "NAME=URL")]
    pub peers: Vec<String>,
    /// OTLP/HTTP traces URL (e.g. http://127.0.0.1:4318/v1/traces); no export without it
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,
    /// Loki base URL (e.g. http://127.0.0.1:3100); logs stay in the file without it
    #[arg(long, value_name = "URL")]
    pub loki_url: Option<String>,
    /// Traffic generator only: the starting rate in requests per second
    #[arg(long)]
    pub rps: Option<f64>,
    /// orders only: run the revenue rollup batch job every SECS seconds (default 30)
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub rollup_interval: Option<u64>,
}

/// `labtui traffic ...`
#[derive(Debug, Subcommand)]
pub enum TrafficCommand {
    /// Set the shop's traffic rate in requests per second (0 pauses it)
    Set {
        rps: f64,
        /// Only for SECS seconds, then back to the previous rate
        #[arg(long, value_name = "SECS")]
        burst: Option<u64>,
    },
    /// Show the traffic rate and what was sent
    Show {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Run `labtui shop ...`.
pub fn run_shop(command: &ShopCommand) -> Result<ExitCode> {
    match command {
        ShopCommand::Serve(args) => {
            let options = serve_options(args)?;
            crate::lab::shop::serve(options)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve_options(args: &ServeArgs) -> Result<ServeOptions, ShopError> {
    let service: Service = args.service.parse()?;
    let mut peers = BTreeMap::new();
    for peer in &args.peers {
        let (name, url) = peer
            .split_once('=')
            .ok_or_else(|| ShopError::BadPeer(peer.clone()))?;
        let name: Service = name.parse()?;
        peers.insert(name, url.trim_end_matches('/').to_string());
    }
    Ok(ServeOptions {
        service,
        listen: args.listen,
        port: args.port,
        data_dir: args.data_dir.clone(),
        peers,
        telemetry: TelemetryTargets {
            otlp_endpoint: args.otlp_endpoint.clone(),
            loki_url: args.loki_url.clone(),
        },
        traffic_rps: args.rps,
        rollup_interval: args.rollup_interval.map(std::time::Duration::from_secs),
    })
}

/// Run `labtui traffic ...`.
pub fn run_traffic(command: &TrafficCommand) -> Result<ExitCode> {
    let paths = Paths::resolve()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .wrap_err("could not start the async runtime")?;
    match command {
        TrafficCommand::Set { rps, burst } => {
            let request = TrafficRequest {
                rps: *rps,
                burst_seconds: *burst,
            };
            let status = runtime.block_on(control::set(&paths.data_dir, request))?;
            println!("{}", describe(&status));
        }
        TrafficCommand::Show { json } => {
            let status = runtime.block_on(control::status(&paths.data_dir))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                println!("{}", describe(&status));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line for a person: the rate, the burst, the counters.
pub fn describe(s: &TrafficStatus) -> String {
    let burst = if s.burst_seconds_left > 0 {
        format!(
            " for {}s more, then {} rps",
            s.burst_seconds_left, s.base_rps
        )
    } else {
        String::new()
    };
    format!(
        "traffic: {} rps{burst}; sent {}, answered {}, failed {}, skipped {}",
        s.rps, s.sent, s.answered, s.failed, s.skipped
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_parse_and_bad_ones_say_the_form() {
        let args = ServeArgs {
            service: "orders".into(),
            listen: std::net::Ipv4Addr::LOCALHOST.into(),
            port: 1,
            data_dir: "/d".into(),
            peers: vec!["payments=http://127.0.0.1:8082/".into()],
            otlp_endpoint: None,
            loki_url: None,
            rps: None,
            rollup_interval: Some(7),
        };
        let opts = serve_options(&args).unwrap();
        assert_eq!(opts.peers[&Service::Payments], "http://127.0.0.1:8082");
        assert_eq!(
            opts.rollup_interval,
            Some(std::time::Duration::from_secs(7))
        );
        let bad = ServeArgs {
            peers: vec!["payments".into()],
            ..args
        };
        assert!(matches!(serve_options(&bad), Err(ShopError::BadPeer(_))));
        let status = TrafficStatus {
            rps: 20.0,
            base_rps: 2.0,
            burst_seconds_left: 30,
            sent: 5,
            answered: 4,
            failed: 1,
            skipped: 0,
        };
        assert_eq!(
            describe(&status),
            "traffic: 20 rps for 30s more, then 2 rps; sent 5, answered 4, failed 1, skipped 0"
        );
    }
}
