//! The fault catalogue and how faults are injected, listed and cleared (no UI here).
//!
//! ```text
//!   catalogue.toml ──► Catalogue ──► inject(dirs, InjectRequest)
//!                                      ├─ request/background/process faults:
//!                                      │    POST /admin/faults on the shop service (token)
//!                                      └─ runtime faults: Runtime::control(stop|pause|kill)
//!                                    ──► ledger {data_dir}/lab/faults.json
//! ```
//!
//! In-service faults expire inside the service at their TTL (even with labtui closed); the
//! ledger is reconciled whenever it is read ([`active`]). See docs/FAULTS.md.

mod admin;
pub mod catalogue;
mod error;
pub mod ledger;
mod ops;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use catalogue::{
    Catalogue, FaultDef, Mechanism, ParamDef, ParamKind, ParamValue, Symptoms, TargetDef,
    TargetKind, catalogue,
};
pub use error::FaultError;
pub use ops::{
    active, clear, clear_all_for_down, clear_ids, clear_orphans, clear_owned, inject, inject_owned,
};

/// What to inject: a catalogue name, an optional target, parameters as typed (`ms=900`),
/// an optional TTL (the catalogue's default, 10 minutes, otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InjectRequest {
    pub name: String,
    pub target: Option<String>,
    pub params: BTreeMap<String, String>,
    pub ttl: Option<Duration>,
}

/// One injected fault, as the ledger records it and `status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveFault {
    /// Unique per injection (`latency-1a2b3c`).
    pub id: String,
    pub name: String,
    /// The service, edge (`orders->payments`) or component it targets.
    pub target: String,
    /// The lab component that applies it (`shop-payments`, `alertmanager`).
    pub component: String,
    pub mechanism: Mechanism,
    pub params: BTreeMap<String, ParamValue>,
    pub injected_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The documented symptom for this injection (PromQL with a condition).
    pub symptom_query: String,
    /// The labtui process that injected it (a gone owner marks a leftover for `up`).
    pub owner_pid: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_start_ticks: Option<u64>,
    /// What the fault belongs to (`challenge:slow-checkout`), so its owner can find and
    /// clear it; None for a fault injected by hand. Owned faults are left to their owner's
    /// reconcile by [`clear_orphans`]. Ledgers written before the field existed load as None.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl ActiveFault {
    /// Time left before it expires (zero once past).
    pub fn remaining(&self, now: DateTime<Utc>) -> Duration {
        (self.expires_at - now).to_std().unwrap_or(Duration::ZERO)
    }

    /// The body of `POST /admin/faults` for this fault.
    pub fn injection(&self) -> Injection {
        Injection {
            id: self.id.clone(),
            name: self.name.clone(),
            target: self.target.clone(),
            params: self.params.clone(),
            expires_at: self.expires_at,
        }
    }
}

/// A fault as a shop service's admin API takes and lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Injection {
    pub id: String,
    pub name: String,
    pub target: String,
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
    pub expires_at: DateTime<Utc>,
}

/// Split `k=v` arguments (`labtui fault inject latency ms=900 probability=0.5`).
pub fn parse_params(args: &[String]) -> Result<BTreeMap<String, String>, FaultError> {
    args.iter()
        .map(|a| {
            a.split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .ok_or_else(|| FaultError::BadArgument { arg: a.clone() })
        })
        .collect()
}

/// A TTL such as `90s`, `10m`, `1h` or plain seconds; 1 s to 24 h.
pub fn parse_ttl(text: &str) -> Result<Duration, FaultError> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 's')) => (&t[..i], 1),
        Some((i, 'm')) => (&t[..i], 60),
        Some((i, 'h')) => (&t[..i], 3600),
        _ => (t, 1),
    };
    let secs = num
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|s| (1..=catalogue::MAX_TTL_SECONDS).contains(s))
        .ok_or_else(|| FaultError::BadTtl(text.to_string()))?;
    Ok(Duration::from_secs(secs))
}

/// A duration as `status` shows it: `9m 12s`.
pub fn format_remaining(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_and_ttls_parse_with_clear_errors() {
        let p = parse_params(&["ms=900".into(), "route=/charge".into()]).unwrap();
        assert_eq!(p["ms"], "900");
        assert_eq!(p["route"], "/charge");
        assert!(
            parse_params(&["ms".into()])
                .unwrap_err()
                .to_string()
                .contains("NAME=VALUE")
        );
        assert_eq!(parse_ttl("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_ttl("3s").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_ttl("45").unwrap(), Duration::from_secs(45));
        assert!(parse_ttl("0s").is_err());
        assert!(parse_ttl("2d").is_err());
        assert!(parse_ttl("25h").is_err());
        assert_eq!(format_remaining(Duration::from_secs(552)), "9m 12s");
    }
}
