//! The pure decision behind "the next start after a crash": given the session on disk, the
//! fault ledger, the time and whether the session's owning process lives, what to end and
//! which challenge faults to clear.

use chrono::{DateTime, Utc};

use super::{OWNER_PREFIX, ProcessOwner, Session, SessionState};
use crate::lab::faults::ActiveFault;

/// What [`reconcile`] asks the caller to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    /// The session is Running past its deadline: mark it TimedOut (and record the attempt).
    pub time_out: bool,
    /// The session is Running but the process that owns it (the console that started it)
    /// is gone: mark it Abandoned (and record the attempt).
    pub abandon_orphan: bool,
    /// Ids of ledger faults owned by a challenge that is not running now: clear them.
    pub clear: Vec<String>,
}

impl Actions {
    pub fn is_empty(&self) -> bool {
        !self.time_out && !self.abandon_orphan && self.clear.is_empty()
    }
}

/// Decide what to undo. A challenge's faults survive only while its session runs, its
/// deadline has not passed and its owning process, if it has one, is alive; faults without
/// an owner (injected by hand) are never touched. `owner_alive` is asked only about a
/// running session's owner, so the decision stays pure (the caller reads /proc).
///
/// A session past its deadline times out even when its owner is gone too: the deadline is
/// known, the moment the owner died is not, and either way the time counted stops at the
/// limit.
pub fn reconcile(
    session: Option<&Session>,
    ledger: &[ActiveFault],
    now: DateTime<Utc>,
    owner_alive: impl FnOnce(&ProcessOwner) -> bool,
) -> Actions {
    let running = session.filter(|s| s.state == SessionState::Running);
    let time_out = running.is_some_and(|s| now >= s.deadline);
    let abandon_orphan = !time_out
        && running
            .and_then(|s| s.process_owner.as_ref())
            .is_some_and(|owner| !owner_alive(owner));
    let keep_owner = running
        .filter(|_| !time_out && !abandon_orphan)
        .map(Session::owner);
    let clear = ledger
        .iter()
        .filter(|f| {
            f.owner
                .as_deref()
                .is_some_and(|o| o.starts_with(OWNER_PREFIX) && Some(o) != keep_owner.as_deref())
        })
        .map(|f| f.id.clone())
        .collect();
    Actions {
        time_out,
        abandon_orphan,
        clear,
    }
}
