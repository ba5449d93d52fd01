//! Waiting after the injection until each fault's symptom shows (its catalogue symptom
//! query returns data), so the learner starts with something to find. Bounded: a symptom
//! that does not show in time is reported, not an error.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::lab::faults::ActiveFault;

/// Progress of a warm-up, for the caller to print or show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarmUp {
    /// Still waiting for these faults (`latency on payments`).
    Waiting {
        pending: Vec<String>,
        elapsed: Duration,
    },
    /// This fault's symptom shows.
    Showed { fault: String, after: Duration },
    /// Time is up and this fault's symptom query still returns nothing.
    Missing { fault: String, query: String },
}

/// A fault as warm-up lines name it.
pub fn label(fault: &ActiveFault) -> String {
    format!("{} on {}", fault.name, fault.target)
}

/// Poll `shows(symptom_query)` every `every` until each fault's symptom shows or `within`
/// has passed. Returns the labels of the faults whose symptom never showed.
pub async fn warm_up<P, Fut>(
    faults: &[ActiveFault],
    within: Duration,
    every: Duration,
    shows: P,
    mut report: impl FnMut(WarmUp),
) -> Vec<String>
where
    P: Fn(String) -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    let mut pending: Vec<&ActiveFault> = faults.iter().collect();
    let mut last_report = None;
    loop {
        let mut still = Vec::new();
        for fault in pending {
            if shows(fault.symptom_query.clone()).await {
                report(WarmUp::Showed {
                    fault: label(fault),
                    after: started.elapsed(),
                });
            } else {
                still.push(fault);
            }
        }
        pending = still;
        if pending.is_empty() {
            return Vec::new();
        }
        if started.elapsed() >= within {
            for fault in &pending {
                report(WarmUp::Missing {
                    fault: label(fault),
                    query: fault.symptom_query.clone(),
                });
            }
            return pending.iter().map(|f| label(f)).collect();
        }
        // A line every ten seconds at most, so a slow warm-up shows it is alive.
        if last_report.is_none_or(|at: Instant| at.elapsed() >= Duration::from_secs(10)) {
            last_report = Some(Instant::now());
            report(WarmUp::Waiting {
                pending: pending.iter().map(|f| label(f)).collect(),
                elapsed: started.elapsed(),
            });
        }
        tokio::time::sleep(every.min(within.saturating_sub(started.elapsed()))).await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::lab::faults::Mechanism;

    fn fault(name: &str, query: &str) -> ActiveFault {
        let now = chrono::Utc::now();
        ActiveFault {
            id: format!("{name}-1"),
            name: name.to_string(),
            target: "payments".to_string(),
            component: "shop-payments".to_string(),
            mechanism: Mechanism::Request,
            params: Default::default(),
            injected_at: now,
            expires_at: now,
            symptom_query: query.to_string(),
            owner_pid: 1,
            owner_start_ticks: None,
            owner: None,
        }
    }

    #[tokio::test]
    async fn waits_until_each_symptom_shows_and_reports_the_ones_that_never_do() {
        let polls = Mutex::new(0u32);
        let mut events = Vec::new();
        let missing = warm_up(
            &[fault("latency", "slow"), fault("errors", "never")],
            Duration::from_millis(200),
            Duration::from_millis(10),
            |q| {
                let mut n = polls.lock().expect("lock");
                *n += 1;
                let shows = q == "slow" && *n >= 3;
                async move { shows }
            },
            |e| events.push(e),
        )
        .await;
        assert_eq!(missing, ["errors on payments"]);
        assert!(matches!(events[0], WarmUp::Waiting { ref pending, .. } if pending.len() == 2));
        assert!(
            events.iter().any(
                |e| matches!(e, WarmUp::Showed { fault, .. } if fault == "latency on payments")
            )
        );
        assert_eq!(
            events.last(),
            Some(&WarmUp::Missing {
                fault: "errors on payments".into(),
                query: "never".into()
            })
        );
    }

    #[tokio::test]
    async fn nothing_to_wait_for_returns_at_once() {
        let missing = warm_up(
            &[],
            Duration::from_secs(60),
            Duration::from_secs(1),
            |_| async { false },
            |_| {},
        )
        .await;
        assert!(missing.is_empty());
    }
}
