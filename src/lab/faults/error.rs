//! Errors of the fault catalogue, the ledger and injection, each saying what to do.

use std::path::PathBuf;

/// Why a fault could not be listed, injected or cleared.
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    #[error("{file}:{line}: {message}")]
    Catalogue {
        file: &'static str,
        line: usize,
        message: String,
    },

    #[error("unknown fault `{name}`; `labtui fault list` shows them: {known}")]
    UnknownFault { name: String, known: String },

    #[error("fault `{fault}` has no parameter `{param}`; its parameters: {known}")]
    UnknownParam {
        fault: String,
        param: String,
        known: String,
    },

    #[error("fault `{fault}`: parameter `{param}` = {got} is out of range; allowed: {allowed}")]
    BadParam {
        fault: String,
        param: String,
        got: String,
        allowed: String,
    },

    #[error("`{arg}` is not NAME=VALUE (for example ms=900)")]
    BadArgument { arg: String },

    #[error("fault `{fault}` cannot target `{target}`; allowed: {allowed}")]
    BadTarget {
        fault: String,
        target: String,
        allowed: String,
    },

    #[error("TTL `{0}` is not a duration between 1s and 24h (for example 90s, 10m, 1h)")]
    BadTtl(String),

    #[error("no lab is running; start it with `labtui up`")]
    NoLab,

    #[error("`{component}` is not running in the lab; see `labtui status`")]
    NotRunning { component: String },

    #[error("{component} at {url}: {message}")]
    Admin {
        component: String,
        url: String,
        message: String,
    },

    #[error("lab runtime: {0}")]
    Runtime(String),

    #[error("fault ledger {path}: {message}; delete the file if it is damaged")]
    Ledger { path: PathBuf, message: String },

    #[error("{0}")]
    Shop(#[from] crate::lab::shop::ShopError),
}
