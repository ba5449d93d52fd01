//! The process a session belongs to (the console that started it), and whether it lives.

use serde::{Deserialize, Serialize};

use crate::lab::stack::proc;

/// A process identified like a fault's owner in the ledger: the pid, and its start time so
/// a reused pid is not mistaken for it. A session started by the console records the
/// console's; one started by `labtui challenge start` records none (that command exits at
/// once, and the session outlives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessOwner {
    pub pid: u32,
    /// Clock ticks since boot at the process's start (None when /proc did not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ticks: Option<u64>,
}

impl ProcessOwner {
    /// This process.
    pub fn me() -> Self {
        let pid = std::process::id();
        Self {
            pid,
            start_ticks: proc::info(pid).map(|i| i.start_ticks),
        }
    }

    /// Whether the process still runs (reads /proc; our own exited child is reaped).
    pub fn is_alive(&self) -> bool {
        !proc::is_gone(self.pid, self.start_ticks)
    }
}
