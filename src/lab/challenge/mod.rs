//! A timed diagnostic challenge in progress: its session, its faults and its end (no UI here).
//!
//! ```text
//!   start ──► Session(Running) ──► answer / hint ... ──► submit  ──► Submitted
//!     │         saved to {data_dir}/challenge.json        abandon ──► Abandoned
//!     └─► faults injected with owner `challenge:<id>`    deadline ──► TimedOut
//!         (TTL = time limit + 1 min)               console gone ──► Abandoned
//!                                                         (each end clears the faults)
//! ```
//!
//! One challenge runs at a time. Every command first calls [`reconcile_now`], which applies
//! the pure [`reconcile`] decision: a session past its deadline times out, a session whose
//! owning process (the console that started it with [`start_owned`]) is gone is abandoned,
//! and challenge faults without a running session (a crash, a killed terminal) are cleared.
//! The console's runner pane uses the same API as `labtui challenge`.

mod error;
mod grader;
mod lab_grader;
mod ops;
mod process;
mod reconcile;
mod session;
mod store;
#[cfg(test)]
mod tests;
mod warmup;

pub use error::ChallengeError;
pub use grader::{GradeError, Grader, QuestionResult, Score, score};
pub use lab_grader::{LabGrader, result_of, symptom_client, symptom_shows};
pub use ops::{
    Ended, Reconciled, Started, Submission, abandon, answer, hint, lab_state, reconcile_now, start,
    start_clock, start_owned, status, submit,
};
pub use process::ProcessOwner;
pub use reconcile::{Actions, reconcile};
pub use session::question_ids;
pub use session::{
    FaultStatus, HintStatus, HintTaken, QuestionStatus, Session, SessionState, StatusReport,
};
pub use store::{load, save, session_file};
pub use warmup::{WarmUp, label as warmup_label, warm_up};

/// The ledger owner of a challenge's faults: `challenge:<id>`.
pub fn owner(challenge_id: &str) -> String {
    format!("{OWNER_PREFIX}{challenge_id}")
}

/// The share of a challenge's points (after hints) a submitted attempt needs to complete
/// it; a lower score counts as an attempt, and its best score is kept.
pub const PASS_SHARE: f64 = 0.5;

/// Every challenge's faults carry an owner starting with this.
pub const OWNER_PREFIX: &str = "challenge:";

/// The longest warm-up that does not count against the time limit: the clock starts when
/// the symptoms show ([`start_clock`]), or this long after the start at the latest.
pub const MAX_WARM_UP_CREDIT_SECS: u64 = 180;

/// Extra TTL given to a challenge's faults beyond its time limit, so they outlive a
/// warm-up that moved the deadline and a late submit, but still expire by themselves if
/// labtui never runs again.
pub const FAULT_TTL_MARGIN_SECS: u64 = MAX_WARM_UP_CREDIT_SECS + 60;
