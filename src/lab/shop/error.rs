//! Errors of the shop's processes and of the commands that drive them, each saying what to do.

use std::path::PathBuf;

/// What can stop a shop process from starting, or a shop command from working.
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    #[error(
        "unknown shop service `{0}`; use one of storefront, orders, payments, inventory, fulfillment, traffic"
    )]
    UnknownService(String),

    #[error("`--peer {0}` is not NAME=URL (for example orders=http://127.0.0.1:8081)")]
    BadPeer(String),

    #[error("{service} needs the address of {peer}: pass --peer {peer}=http://127.0.0.1:PORT")]
    MissingPeer { service: String, peer: String },

    #[error("could not listen on {address} for {service}: {source}; is the port taken?")]
    Bind {
        service: String,
        address: std::net::SocketAddr,
        source: std::io::Error,
    },

    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("database {path}: {source}; delete the file to start the shop with fresh data")]
    Db {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error("could not set up telemetry: {0}")]
    Telemetry(String),

    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),

    #[error("the shop's traffic generator is not running; start the lab with `labtui up`")]
    NoTraffic,

    #[error("traffic generator at {url}: {message}")]
    Admin { url: String, message: String },
}

impl ShopError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
