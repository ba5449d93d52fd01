//! The runner's messages: the start and its warm-up, saved answers and hints, the grades,
//! an abandon, a reconcile, and a lesson exercise's grade.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::lab::challenge::{
    Ended, PASS_SHARE, QuestionResult, Reconciled, Session, SessionState, Submission, WarmUp,
};
use crate::lab::content::Challenge;
use crate::lab::faults;

use super::super::super::app::Cmd;
use super::super::Reply;
use super::{ChallengePane, Exercises, Front, Phase, Run};

impl ChallengePane {
    /// A confirmed command from this pane is on its way: show that it is.
    pub fn confirmed(&mut self, cmd: &Cmd) {
        let Some(run) = self.run.as_mut() else {
            return;
        };
        match cmd {
            Cmd::SubmitChallenge(_) => run.phase = Phase::Submitting,
            Cmd::RevealHint(_) => run.hint_pending = true,
            Cmd::AbandonChallenge { .. } => run.log.push("abandoning…".into()),
            _ => {}
        }
    }

    pub fn on_started(&mut self, result: Result<Box<Session>, String>) -> Reply {
        let Some(run) = self.run.as_mut() else {
            return Reply::default();
        };
        match result {
            Ok(session) => {
                for f in &session.faults {
                    run.log.push(format!(
                        "injected {} on {}; it expires by itself in {}",
                        f.name,
                        f.target,
                        faults::format_remaining(f.remaining(session.started_at))
                    ));
                }
                run.log
                    .push("waiting for the symptoms to show in Prometheus…".into());
                run.adopt(*session);
                Reply::default().and_poll()
            }
            Err(e) => {
                let title = run.challenge.title.clone();
                self.run = None;
                self.shown = self.exercises.is_some() && self.front == Front::Exercises;
                Reply::warn(format!("could not start “{title}”: {e}"))
            }
        }
    }

    pub fn on_warm_up(&mut self, event: WarmUp) {
        let Some(run) = self.run.as_mut() else {
            return;
        };
        run.log.push(match event {
            WarmUp::Waiting { pending, elapsed } => {
                format!("{}s: waiting for {}", elapsed.as_secs(), pending.join(", "))
            }
            WarmUp::Showed { fault, after } => {
                format!("{fault}: the symptom shows ({}s)", after.as_secs())
            }
            WarmUp::Missing { fault, .. } => {
                format!("{fault}: no symptom yet; the clock runs anyway")
            }
        });
    }

    pub fn on_ready(&mut self, missing: &[String], session: Option<Box<Session>>) -> Reply {
        let Some(run) = self.run.as_mut() else {
            return Reply::default();
        };
        if let Some(session) = session {
            run.adopt(*session);
        }
        if run.phase == Phase::Starting {
            run.phase = Phase::Running;
        }
        if missing.is_empty() {
            Reply::notify("the clock runs: open the Query pane with e, answer with Enter")
        } else {
            Reply::notify(format!(
                "the clock runs; not visible yet: {}",
                missing.join(", ")
            ))
        }
    }

    pub fn on_saved(&mut self, result: Result<Box<Session>, String>) -> Reply {
        let Some(run) = self.run.as_mut() else {
            return Reply::default();
        };
        let revealing = std::mem::take(&mut run.hint_pending);
        run.saving = false;
        match result {
            Ok(session) => {
                let hints = session.hints.len();
                run.adopt(*session);
                if revealing {
                    Reply::notify(format!("hint {hints} revealed below the question"))
                } else {
                    Reply::notify("answer saved; change it any time before you submit")
                }
            }
            Err(e) => {
                // The file is the truth: an answer it refused is not kept on screen.
                if let Some(s) = run.session.clone() {
                    run.sheet.answers = s.answers;
                }
                Reply::warn(e)
            }
        }
    }

    pub fn on_submitted(&mut self, result: Result<Box<Submission>, String>) -> Reply {
        let Some(run) = self.run.as_mut() else {
            return Reply::default();
        };
        match result {
            Ok(submission) => {
                let score = submission.score.clone();
                run.adopt(submission.session);
                run.log.extend(submission.warnings);
                let verdict = if score.max > 0.0 && score.total >= score.max * PASS_SHARE {
                    "passed"
                } else {
                    "under half the points, so not passed yet"
                };
                Reply::notify(format!(
                    "graded: {} of {} points{}, {verdict}; `v` shows the solution",
                    trim_points(score.total),
                    trim_points(score.max),
                    if score.hint_cost > 0.0 {
                        format!(" after {} for hints", trim_points(score.hint_cost))
                    } else {
                        String::new()
                    }
                ))
                .and_poll()
            }
            Err(e) => {
                run.phase = Phase::Running;
                Reply::warn(format!("could not grade: {e}; the challenge keeps running"))
            }
        }
    }

    pub fn on_abandoned(&mut self, result: Result<Box<Ended>, String>) -> Reply {
        let Some(run) = self.run.as_mut() else {
            return Reply::default();
        };
        match result {
            Ok(ended) => {
                let ended = *ended;
                run.log.extend(ended.warnings);
                run.adopt(ended.session);
                Reply::notify("abandoned: the faults are cleared; `v` shows the solution")
                    .and_poll()
            }
            Err(e) => Reply::warn(format!("could not abandon: {e}")),
        }
    }

    /// The session on disk after a reconcile: adopt it (a timed-out run ends here), or
    /// resume one started elsewhere when `find` knows its challenge.
    pub fn on_reconciled(
        &mut self,
        result: Result<Box<(Reconciled, Option<Session>)>, String>,
        find: impl Fn(&str) -> Option<Challenge>,
        now: DateTime<Utc>,
    ) -> Reply {
        let (done, session) = match result {
            Ok(r) => *r,
            Err(e) => return Reply::warn(format!("challenge session: {e}")),
        };
        let mut notes = done.warnings;
        if let Some(s) = &done.timed_out {
            notes.push(format!(
                "time is up for {}: the faults are cleared",
                s.challenge
            ));
        }
        if let Some(s) = &done.abandoned {
            notes.push(format!(
                "the console that ran {} exited without ending it: abandoned, faults cleared",
                s.challenge
            ));
        }
        if !done.cleared.is_empty() && done.timed_out.is_none() && done.abandoned.is_none() {
            notes.push(format!(
                "cleared {} fault(s) left by an earlier challenge",
                done.cleared.len()
            ));
        }
        if let Some(session) = session {
            match self.run.as_mut() {
                Some(run)
                    if run.challenge.id == session.challenge
                        && (run.phase != Phase::Starting
                            || session.state != SessionState::Running) =>
                {
                    run.adopt(session);
                }
                None if session.is_live(now) => {
                    if let Some(challenge) = find(&session.challenge) {
                        notes.push(format!(
                            "“{}” is running: R in a challenge's briefing shows it",
                            challenge.title
                        ));
                        self.run = Some(Run::resumed(challenge, session));
                    }
                }
                _ => {}
            }
        }
        match notes.is_empty() {
            true => Reply::default(),
            false => Reply::notify(notes.join("; ")).and_poll(),
        }
    }

    /// A lesson exercise came back graded. Returns whether it passed.
    pub fn on_exercise_graded(
        &mut self,
        lesson: &str,
        exercise: &str,
        result: Result<QuestionResult, String>,
    ) -> (Reply, Option<bool>) {
        let Some(ex) = self
            .exercises
            .as_mut()
            .filter(|e: &&mut Exercises| e.lesson == lesson)
        else {
            return (Reply::default(), None);
        };
        if ex.grading.as_deref() == Some(exercise) {
            ex.grading = None;
        }
        match result {
            Ok(r) => {
                let correct = r.correct;
                let text = if correct {
                    format!(
                        "{exercise}: right ({} of {} points)",
                        trim_points(r.earned),
                        trim_points(r.max)
                    )
                } else {
                    format!("{exercise}: not yet; read the feedback, H for a hint")
                };
                ex.sheet.results.insert(exercise.to_string(), r);
                (Reply::notify(text), Some(correct))
            }
            Err(e) => (Reply::warn(format!("{exercise}: {e}")), None),
        }
    }

    /// Time left on the running challenge, for the status bar.
    pub fn countdown(&self, now: DateTime<Utc>) -> Option<(String, Duration)> {
        let run = self.run.as_ref()?;
        let session = run.session.as_ref()?;
        run.is_live(now)
            .then(|| (run.challenge.id.clone(), session.remaining(now)))
    }

    /// Whether the running challenge's deadline has just passed (time for a reconcile).
    pub fn deadline_passed(&self, now: DateTime<Utc>) -> bool {
        self.run.as_ref().is_some_and(|r| {
            matches!(r.phase, Phase::Running | Phase::Starting)
                && r.session
                    .as_ref()
                    .is_some_and(|s| s.state == SessionState::Running && now >= s.deadline)
        })
    }
}

/// Points without a needless `.0`.
pub fn trim_points(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

/// `13:42` for a countdown.
pub fn clock(d: Duration) -> String {
    let secs = d.as_secs();
    format!("{:02}:{:02}", secs / 60, secs % 60)
}
