//! The pure decision behind "the next start after a crash": given the session on disk, the
//! fault ledger and the time, what to time out and which challenge faults to clear.

use chrono::{DateTime, Utc};

use super::{OWNER_PREFIX, Session, SessionState};
use crate::lab::faults::ActiveFault;

/// What [`reconcile`] asks the caller to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    /// The session is Running past its deadline: mark it TimedOut (and record the attempt).
    pub time_out: bool,
    /// Ids of ledger faults owned by a challenge that is not running now: clear them.
    pub clear: Vec<String>,
}

impl Actions {
    pub fn is_empty(&self) -> bool {
        !self.time_out && self.clear.is_empty()
    }
}

/// Decide what to undo. A challenge's faults survive only while its session runs and its
/// deadline has not passed; faults without an owner (injected by hand) are never touched.
pub fn reconcile(session: Option<&Session>, ledger: &[ActiveFault], now: DateTime<Utc>) -> Actions {
    let running = session.filter(|s| s.state == SessionState::Running);
    let time_out = running.is_some_and(|s| now >= s.deadline);
    let keep_owner = running.filter(|_| !time_out).map(Session::owner);
    let clear = ledger
        .iter()
        .filter(|f| {
            f.owner
                .as_deref()
                .is_some_and(|o| o.starts_with(OWNER_PREFIX) && Some(o) != keep_owner.as_deref())
        })
        .map(|f| f.id.clone())
        .collect();
    Actions { time_out, clear }
}
