//! The shop: a small e-commerce system of instrumented services, each its own process.
//!
//! ```text
//!   traffic ──► storefront ──► orders ──┬──► inventory  (reserve stock)
//!                    │                  ├──► payments   (charge)
//!                    │                  └──► orders.db  (insert the order, enqueue)
//!                    │                                      └──► queue ──► fulfillment
//!                    └──► inventory (browse the catalog)
//! ```
//!
//! orders also runs a batch job, the revenue rollup ([`rollup`]): every interval it sums
//! the new orders per product into a report table in `orders.db`.
//!
//! Every service is `labtui shop serve <service>` on 127.0.0.1: axum handlers behind one
//! middleware ([`http`]) that records RED metrics, a server span and a JSON log line per
//! request and consults the [`FaultHooks`]. See docs/SHOP.md.

mod active_faults;
pub mod crash_loop;
mod db;
mod error;
mod fault_admin;
mod faults;
mod fulfillment;
pub mod http;
mod inventory;
pub mod launch;
mod orders;
mod payments;
mod queue;
mod rng;
pub mod rollup;
mod serve;
mod storefront;
pub mod telemetry;
pub mod token;
pub mod traffic;

use std::fmt;
use std::str::FromStr;

pub use active_faults::ActiveFaults;
pub use error::ShopError;
pub use faults::{FaultAction, FaultHooks, NoFaults, RequestFacts};
pub use launch::ShopLaunch;
pub use serve::{ServeOptions, log_file, serve};

/// The prefix of shop processes in the lab state (`shop-storefront`), so `status`, `down`
/// and the TUI list them beside the stack's components.
pub const COMPONENT_PREFIX: &str = "shop-";

/// One process of the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// The entry API users (and the traffic generator) call.
    Storefront,
    /// Creates orders: reserves stock, charges, stores, enqueues for fulfillment.
    Orders,
    /// Charges a card (simulated processing time).
    Payments,
    /// The catalog and stock, in SQLite.
    Inventory,
    /// The worker that consumes the fulfillment queue.
    Fulfillment,
    /// The built-in traffic generator (not a shop service, but a process of the shop).
    Traffic,
}

impl Service {
    /// Every process, in start order (dependencies first).
    pub const ALL: [Service; 6] = [
        Service::Inventory,
        Service::Payments,
        Service::Orders,
        Service::Fulfillment,
        Service::Storefront,
        Service::Traffic,
    ];

    /// The name used in metrics (`service`, `job`), logs (`service_name`) and traces
    /// (`service.name`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Storefront => "storefront",
            Self::Orders => "orders",
            Self::Payments => "payments",
            Self::Inventory => "inventory",
            Self::Fulfillment => "fulfillment",
            Self::Traffic => "traffic",
        }
    }

    /// Default port (8080 up) and offset from `--port-base` (the +80 block of docs/STACK.md).
    pub fn default_port(self) -> u16 {
        8080 + self.offset()
    }

    /// Offset from `--port-base`.
    pub fn port_offset(self) -> u16 {
        80 + self.offset()
    }

    fn offset(self) -> u16 {
        match self {
            Self::Storefront => 0,
            Self::Orders => 1,
            Self::Payments => 2,
            Self::Inventory => 3,
            Self::Fulfillment => 4,
            Self::Traffic => 5,
        }
    }

    /// Its name in the lab state and `labtui status`: `shop-storefront`.
    pub fn component(self) -> String {
        format!("{COMPONENT_PREFIX}{}", self.as_str())
    }

    /// The services a process calls over HTTP (its `--peer` arguments).
    pub fn peers(self) -> &'static [Service] {
        match self {
            Self::Storefront => &[Service::Inventory, Service::Orders],
            Self::Orders => &[Service::Inventory, Service::Payments],
            Self::Traffic => &[Service::Storefront],
            Self::Payments | Self::Inventory | Self::Fulfillment => &[],
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Service {
    type Err = ShopError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|svc| svc.as_str() == s)
            .ok_or_else(|| ShopError::UnknownService(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ports_are_the_documented_block() {
        for svc in Service::ALL {
            assert_eq!(svc.as_str().parse::<Service>().unwrap(), svc);
            assert_eq!(svc.default_port() - 8080 + 80, svc.port_offset());
        }
        assert_eq!(Service::Storefront.default_port(), 8080);
        assert_eq!(Service::Traffic.component(), "shop-traffic");
        assert!(matches!(
            "billing".parse::<Service>(),
            Err(ShopError::UnknownService(_))
        ));
    }
}
