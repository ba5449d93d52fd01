//! The session's operations against the data dir and the lab: start (inject the faults),
//! answer, hint, submit (grade, clear, record progress), abandon, and reconcile.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{
    ChallengeError, FAULT_TTL_MARGIN_SECS, Grader, MAX_WARM_UP_CREDIT_SECS, ProcessOwner,
    QuestionResult, Score, Session, SessionState, StatusReport, load, reconcile, save,
    session_file,
};
use crate::lab::content::{Challenge, Hint};
use crate::lab::faults::{self, ActiveFault, InjectRequest, ledger};
use crate::lab::paths::Paths;
use crate::lab::progress::{self, Status};
use crate::lab::stack::{LabDirs, LabState};

/// The running lab, if there is one.
pub fn lab_state(paths: &Paths) -> Option<LabState> {
    LabState::load(&LabDirs::new(paths))
        .ok()
        .flatten()
        .filter(|s| !s.components.is_empty())
}

/// What [`reconcile_now`] did.
#[derive(Debug, Clone, Default)]
pub struct Reconciled {
    /// The session that ran out of time, now TimedOut.
    pub timed_out: Option<Session>,
    /// The session whose owning process (the console) exited without ending it, now
    /// Abandoned.
    pub abandoned: Option<Session>,
    /// Challenge faults cleared (a timed-out session's, or left without a session).
    pub cleared: Vec<ActiveFault>,
    /// What could not be undone, for the learner to read.
    pub warnings: Vec<String>,
}

/// Apply [`reconcile`] to the session on disk and the fault ledger: time out a session
/// past its deadline, abandon one whose owning process is gone (recording the attempt
/// either way) and clear challenge faults that no running session owns. Every challenge
/// command and `labtui up` call this first.
pub async fn reconcile_now(
    paths: &Paths,
    now: DateTime<Utc>,
) -> Result<Reconciled, ChallengeError> {
    let dirs = LabDirs::new(paths);
    let file = session_file(paths);
    let mut session = load(&file)?;
    let recorded = ledger::load(&dirs)?;
    let actions = reconcile(session.as_ref(), &recorded, now, ProcessOwner::is_alive);
    let mut done = Reconciled::default();
    if actions.time_out
        && let Some(s) = session.as_mut()
    {
        s.time_out();
        save(&file, s)?;
        record_end(paths, s, None, now)?;
        done.timed_out = Some(s.clone());
    }
    if actions.abandon_orphan
        && let Some(s) = session.as_mut()
    {
        s.abandon_orphaned(now);
        save(&file, s)?;
        record_end(paths, s, None, now)?;
        done.abandoned = Some(s.clone());
    }
    if !actions.clear.is_empty() {
        match faults::clear_ids(&dirs, &actions.clear).await {
            Ok(cleared) => done.cleared = cleared,
            Err(e) => done
                .warnings
                .push(format!("could not clear the challenge's faults: {e}")),
        }
    }
    Ok(done)
}

/// A started challenge.
#[derive(Debug, Clone)]
pub struct Started {
    pub session: Session,
    /// What the reconcile before the start did (a timed-out earlier session, leftovers).
    pub reconciled: Reconciled,
}

/// Start `challenge`: refuse while another runs, save a Running session, then inject its
/// faults owned by `challenge:<id>` with a TTL of the time limit plus a minute. A failed
/// injection clears what was injected and leaves no session behind. The session has no
/// owning process: it lives until submit, abandon or its deadline (`labtui challenge
/// start` exits at once).
pub async fn start(
    paths: &Paths,
    challenge: &Challenge,
    now: DateTime<Utc>,
) -> Result<Started, ChallengeError> {
    start_owned(paths, challenge, now, None).await
}

/// [`start`], with the session tied to `owner` when given (the console passes
/// [`ProcessOwner::me`]): once that process is gone, the next reconcile abandons the
/// session and clears its faults.
pub async fn start_owned(
    paths: &Paths,
    challenge: &Challenge,
    now: DateTime<Utc>,
    owner: Option<ProcessOwner>,
) -> Result<Started, ChallengeError> {
    let reconciled = reconcile_now(paths, now).await?;
    let file = session_file(paths);
    let previous = load(&file)?;
    if let Some(running) = previous.as_ref().filter(|s| s.is_live(now)) {
        return Err(ChallengeError::AlreadyRunning {
            running: running.challenge.clone(),
        });
    }
    if lab_state(paths).is_none() {
        return Err(ChallengeError::NoLab);
    }
    let progress_file = paths.progress_file();
    let mut progress = progress::load(&progress_file)?.progress;
    let attempt = progress.item(&challenge.id).attempts.saturating_add(1);
    let mut session = Session::begin(challenge, attempt, now);
    session.process_owner = owner;
    save(&file, &session)?;

    let dirs = LabDirs::new(paths);
    let owner = session.owner();
    let ttl = Duration::from_secs(u64::from(challenge.minutes) * 60 + FAULT_TTL_MARGIN_SECS);
    for spec in &challenge.faults {
        let request = InjectRequest {
            name: spec.name.clone(),
            target: spec.target.clone(),
            params: spec
                .params
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            ttl: Some(ttl),
        };
        match faults::inject_owned(&dirs, request, &owner).await {
            Ok(fault) => {
                session.faults.push(fault);
                save(&file, &session)?;
            }
            Err(source) => {
                let _ = faults::clear_owned(&dirs, &owner).await;
                match &previous {
                    Some(p) => save(&file, p)?,
                    None => {
                        let _ = std::fs::remove_file(&file);
                    }
                }
                return Err(ChallengeError::Inject {
                    fault: spec.name.clone(),
                    target: spec
                        .target
                        .clone()
                        .unwrap_or_else(|| "its default target".to_string()),
                    source: Box::new(source),
                });
            }
        }
    }
    progress.open(&challenge.id, now);
    progress::save(&progress_file, &progress)?;
    Ok(Started {
        session,
        reconciled,
    })
}

/// The session for `id`, whatever its state (a finished one too, to show how it went).
fn session_for(paths: &Paths, id: &str, now: DateTime<Utc>) -> Result<Session, ChallengeError> {
    let session = load(&session_file(paths))?
        .ok_or_else(|| ChallengeError::NotRunning { id: id.to_string() })?;
    if session.challenge != id {
        return Err(if session.is_live(now) {
            ChallengeError::OtherRunning {
                asked: id.to_string(),
                running: session.challenge,
            }
        } else {
            ChallengeError::NotRunning { id: id.to_string() }
        });
    }
    Ok(session)
}

/// The running session for `id`.
fn live(paths: &Paths, id: &str, now: DateTime<Utc>) -> Result<Session, ChallengeError> {
    let session = session_for(paths, id, now)?;
    session.require_live(id, now)?;
    Ok(session)
}

/// The session of `challenge` and its status, with the faults the ledger has for it now.
pub async fn status(
    paths: &Paths,
    challenge: &Challenge,
    now: DateTime<Utc>,
) -> Result<(Session, StatusReport), ChallengeError> {
    let session = session_for(paths, &challenge.id, now)?;
    let dirs = LabDirs::new(paths);
    let active = match faults::active(&dirs).await {
        Ok(a) => a,
        Err(_) => ledger::load(&dirs)?,
    };
    let report = session.status(challenge, &active, now);
    Ok((session, report))
}

/// The clock starts when the symptoms show, not when the faults go in: the deadline moves
/// by the time the warm-up took, [`MAX_WARM_UP_CREDIT_SECS`] at most (the faults' TTL
/// margin covers it). Once: a clock already started stays as it is.
pub fn start_clock(
    paths: &Paths,
    challenge: &Challenge,
    now: DateTime<Utc>,
) -> Result<Session, ChallengeError> {
    let mut session = live(paths, &challenge.id, now)?;
    if session.clock_started_at.is_some() {
        return Ok(session);
    }
    session.clock_started_at = Some(now);
    let warm_up = (now - session.started_at)
        .num_seconds()
        .clamp(0, MAX_WARM_UP_CREDIT_SECS as i64);
    session.deadline = session.started_at
        + chrono::Duration::seconds(warm_up)
        + chrono::Duration::minutes(i64::from(challenge.minutes));
    save(&session_file(paths), &session)?;
    Ok(session)
}

/// Record an answer (replacing an earlier one); returns the previous answer and the session.
pub fn answer(
    paths: &Paths,
    challenge: &Challenge,
    question: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(Option<String>, Session), ChallengeError> {
    let mut session = live(paths, &challenge.id, now)?;
    let previous = session.answer(challenge, question, value, now)?;
    save(&session_file(paths), &session)?;
    Ok((previous, session))
}

/// Reveal the next hint and record it; returns its position, the hint and the session.
pub fn hint(
    paths: &Paths,
    challenge: &Challenge,
    now: DateTime<Utc>,
) -> Result<(usize, Hint, Session), ChallengeError> {
    let mut session = live(paths, &challenge.id, now)?;
    let (index, hint) = session.reveal_hint(challenge, now)?;
    let hint = hint.clone();
    save(&session_file(paths), &session)?;
    Ok((index, hint, session))
}

/// A submitted challenge.
#[derive(Debug, Clone)]
pub struct Submission {
    pub session: Session,
    pub score: Score,
    /// Per question, in the challenge's order.
    pub results: Vec<(String, QuestionResult)>,
    pub cleared: Vec<ActiveFault>,
    pub warnings: Vec<String>,
}

/// Grade every question (unanswered ones earn nothing), then end the session, clear its
/// faults and record the attempt, score, hints and time in progress. If grading cannot
/// run, nothing changes and the challenge keeps running.
pub async fn submit<G: Grader>(
    paths: &Paths,
    challenge: &Challenge,
    grader: &G,
    now: DateTime<Utc>,
) -> Result<Submission, ChallengeError> {
    let mut session = live(paths, &challenge.id, now)?;
    let at = now.timestamp_millis() as f64 / 1000.0;
    let mut results = Vec::new();
    for question in &challenge.questions {
        let result = match session.answers.get(&question.id) {
            Some(answer) => grader
                .grade(question, answer, at)
                .await
                .map_err(|e| ChallengeError::Grading(e.0))?,
            None => QuestionResult::unanswered(question.points),
        };
        results.push(result);
    }
    let score = session.submit(challenge, results, now)?;
    save(&session_file(paths), &session)?;
    let (cleared, warnings) = clear_for(paths, &session).await;
    record_end(paths, &session, Some(score.total), now)?;
    let results = challenge
        .questions
        .iter()
        .filter_map(|q| {
            session
                .results
                .get(&q.id)
                .map(|r| (q.id.clone(), r.clone()))
        })
        .collect();
    Ok(Submission {
        session,
        score,
        results,
        cleared,
        warnings,
    })
}

/// An abandoned challenge.
#[derive(Debug, Clone)]
pub struct Ended {
    pub session: Session,
    pub cleared: Vec<ActiveFault>,
    pub warnings: Vec<String>,
}

/// Give up the running challenge `id`: clear its faults, count the attempt and the time
/// (no score).
pub async fn abandon(paths: &Paths, id: &str, now: DateTime<Utc>) -> Result<Ended, ChallengeError> {
    let mut session = live(paths, id, now)?;
    session.abandon(id, now)?;
    save(&session_file(paths), &session)?;
    let (cleared, warnings) = clear_for(paths, &session).await;
    record_end(paths, &session, None, now)?;
    Ok(Ended {
        session,
        cleared,
        warnings,
    })
}

async fn clear_for(paths: &Paths, session: &Session) -> (Vec<ActiveFault>, Vec<String>) {
    match faults::clear_owned(&LabDirs::new(paths), &session.owner()).await {
        Ok(cleared) => (cleared, Vec::new()),
        Err(e) => (
            Vec::new(),
            vec![format!(
                "could not clear the challenge's faults: {e}; `labtui fault clear --all` clears every fault"
            )],
        ),
    }
}

/// Count an ended attempt in progress: attempts, best score (submitted only), hints and
/// time; a submitted attempt scoring at least [`super::PASS_SHARE`] of the points
/// completes the challenge.
fn record_end(
    paths: &Paths,
    session: &Session,
    score: Option<f64>,
    now: DateTime<Utc>,
) -> Result<(), ChallengeError> {
    let file = paths.progress_file();
    let mut progress = progress::load(&file)?.progress;
    let id = session.challenge.as_str();
    match score {
        Some(total) => progress.record_attempt(id, total, now),
        None => {
            let item = progress.item_mut(id);
            item.attempts = item.attempts.saturating_add(1);
            if item.status == Status::NotStarted {
                item.status = Status::InProgress;
            }
            item.updated_at = Some(now);
        }
    }
    progress.add_time(id, session.elapsed_secs(now));
    let item = progress.item_mut(id);
    item.hints_used = item
        .hints_used
        .saturating_add(u32::try_from(session.hints.len()).unwrap_or(u32::MAX));
    let passed = session
        .score
        .as_ref()
        .is_some_and(|s| s.max > 0.0 && s.total >= s.max * super::PASS_SHARE);
    if session.state == SessionState::Submitted && passed {
        progress.complete(id, now);
    }
    progress::save(&file, &progress)?;
    Ok(())
}
