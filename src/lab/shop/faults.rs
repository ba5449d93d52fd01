//! Where faults hook into the request path: one trait every service consults, no-op by default.
//!
//! The shared middleware asks [`FaultHooks::on_request`] before a handler runs, the
//! database wrapper asks [`FaultHooks::on_db`] before each query, the outgoing client asks
//! [`FaultHooks::on_call`] before each call to a peer, the fulfillment worker asks
//! [`FaultHooks::consume_paused`] before taking a message, and the batch job asks
//! [`FaultHooks::job_stalled`] before it schedules a run and before each stage, and
//! [`FaultHooks::job_failing_share`] before it loads. A fault catalogue implements the
//! trait; the shop ships [`NoFaults`].

use std::time::Duration;

/// What the request path knows when it consults the hooks (enough to target one slice:
/// a route, a user, a country, a product).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFacts {
    pub service: String,
    pub method: String,
    /// The route template (`/products/{id}`).
    pub route: String,
    pub path: String,
    pub user_id: Option<String>,
    pub country: Option<String>,
}

/// What a hook asks for: wait, then either carry on or answer with a status instead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultAction {
    pub delay: Duration,
    /// An HTTP status to answer with (on_request), or to fail the query/call with.
    pub fail: Option<u16>,
}

impl FaultAction {
    /// Nothing to do.
    pub const NONE: FaultAction = FaultAction {
        delay: Duration::ZERO,
        fail: None,
    };

    pub fn is_none(&self) -> bool {
        *self == Self::NONE
    }
}

/// Decisions a fault layer makes on the request path. Every method has a no-op default,
/// so an implementation overrides only what its faults touch. Called on every request:
/// implementations must be cheap and must not block.
pub trait FaultHooks: Send + Sync + 'static {
    /// Before the handler of an incoming request runs.
    fn on_request(&self, _facts: &RequestFacts) -> FaultAction {
        FaultAction::NONE
    }

    /// Before a database query (`operation` is SELECT, INSERT, UPDATE or DELETE).
    fn on_db(&self, _operation: &str, _facts: Option<&RequestFacts>) -> FaultAction {
        FaultAction::NONE
    }

    /// Before a call to `peer` (a service name).
    fn on_call(&self, _peer: &str, _facts: &RequestFacts) -> FaultAction {
        FaultAction::NONE
    }

    /// Whether a queue consumer should leave the queue alone for now (a stalled worker).
    fn consume_paused(&self) -> bool {
        false
    }

    /// Whether the batch job must wait before `stage` (`schedule`, `extract`, `transform`,
    /// `load`): asked again and again while it waits, so clearing the fault releases it.
    fn job_stalled(&self, _stage: &str) -> bool {
        false
    }

    /// The share (0 to 1) of the batch job's load batches that fail in this run.
    fn job_failing_share(&self) -> f64 {
        0.0
    }

    /// Whether outgoing calls carry the trace context (false breaks propagation).
    fn propagate_trace(&self) -> bool {
        true
    }
}

/// The hooks of a healthy shop: never interferes.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFaults;

impl FaultHooks for NoFaults {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_hooks_do_nothing() {
        let hooks = NoFaults;
        let facts = RequestFacts::default();
        assert!(hooks.on_request(&facts).is_none());
        assert!(hooks.on_db("INSERT", Some(&facts)).is_none());
        assert!(hooks.on_call("payments", &facts).is_none());
        assert!(!hooks.consume_paused());
        assert!(!hooks.job_stalled("load"));
        assert_eq!(hooks.job_failing_share(), 0.0);
        assert!(hooks.propagate_trace());
        let slow = FaultAction {
            delay: Duration::from_millis(5),
            fail: None,
        };
        assert!(!slow.is_none());
    }
}
