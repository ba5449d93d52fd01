//! The session: what one attempt at a challenge has recorded so far, and its pure
//! transitions (no I/O, no clock: callers pass `now`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ChallengeError, ProcessOwner, QuestionResult, Score, owner, score};
use crate::lab::content::{Challenge, Hint};
use crate::lab::faults::ActiveFault;

/// The session file format this build writes.
pub const SCHEMA: u32 = 1;

/// Where an attempt stands. Only a Running session takes answers and hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Running,
    Submitted,
    Abandoned,
    TimedOut,
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Running => "running",
            Self::Submitted => "submitted",
            Self::Abandoned => "abandoned",
            Self::TimedOut => "timed out",
        })
    }
}

/// A hint the learner revealed, with what it cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HintTaken {
    /// Position in the challenge's hint list (0 is the first).
    pub index: usize,
    pub cost: u32,
    pub at: DateTime<Utc>,
}

/// One attempt at a challenge, persisted in `{data_dir}/challenge.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub schema: u32,
    /// The challenge id.
    pub challenge: String,
    /// 1 for the first attempt, counted from progress.
    pub attempt: u32,
    pub started_at: DateTime<Utc>,
    /// `started_at` plus the challenge's time limit.
    pub deadline: DateTime<Utc>,
    pub state: SessionState,
    /// When it was submitted, abandoned, or the deadline it timed out at.
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    /// Raw answers by question id; editable until submit.
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    #[serde(default)]
    pub hints: Vec<HintTaken>,
    /// The faults injected for it, as the ledger recorded them at start.
    #[serde(default)]
    pub faults: Vec<ActiveFault>,
    /// Per question, once submitted.
    #[serde(default)]
    pub results: BTreeMap<String, QuestionResult>,
    #[serde(default)]
    pub score: Option<Score>,
    /// The process the session lives with (the console that started it): once it is gone
    /// the session is abandoned. None for `labtui challenge start` (the session outlives
    /// the command) and for files written before the field existed.
    #[serde(default)]
    pub process_owner: Option<ProcessOwner>,
    /// When the clock started: the symptoms showed (or the wait for them ended), and the
    /// deadline moved by the wait. None until then, and for `--no-wait` starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_started_at: Option<DateTime<Utc>>,
}

impl Session {
    /// A new running attempt of `challenge` starting `now`.
    pub fn begin(challenge: &Challenge, attempt: u32, now: DateTime<Utc>) -> Self {
        Self {
            schema: SCHEMA,
            challenge: challenge.id.clone(),
            attempt,
            started_at: now,
            deadline: now + chrono::Duration::minutes(i64::from(challenge.minutes)),
            state: SessionState::Running,
            ended_at: None,
            answers: BTreeMap::new(),
            hints: Vec::new(),
            faults: Vec::new(),
            results: BTreeMap::new(),
            score: None,
            process_owner: None,
            clock_started_at: None,
        }
    }

    /// The ledger owner of this session's faults.
    pub fn owner(&self) -> String {
        owner(&self.challenge)
    }

    /// Running and still inside its time limit.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.state == SessionState::Running && now < self.deadline
    }

    /// Time left before the deadline (zero once past or ended).
    pub fn remaining(&self, now: DateTime<Utc>) -> Duration {
        if self.state != SessionState::Running {
            return Duration::ZERO;
        }
        (self.deadline - now).to_std().unwrap_or(Duration::ZERO)
    }

    /// Seconds from the start to the end (or to `now` while running), at most the limit.
    pub fn elapsed_secs(&self, now: DateTime<Utc>) -> u64 {
        let end = self.ended_at.unwrap_or(now).min(self.deadline);
        (end - self.started_at).num_seconds().max(0).unsigned_abs()
    }

    /// Total cost of the hints revealed.
    pub fn hint_cost(&self) -> u32 {
        self.hints.iter().map(|h| h.cost).sum()
    }

    /// Check that this live session is the one `id` names, with an error saying what to do.
    pub fn require_live(&self, id: &str, now: DateTime<Utc>) -> Result<(), ChallengeError> {
        if self.challenge != id {
            return Err(if self.is_live(now) {
                ChallengeError::OtherRunning {
                    asked: id.to_string(),
                    running: self.challenge.clone(),
                }
            } else {
                ChallengeError::NotRunning { id: id.to_string() }
            });
        }
        if self.state == SessionState::Running && now >= self.deadline {
            return Err(ChallengeError::Ended {
                id: id.to_string(),
                state: SessionState::TimedOut.to_string(),
            });
        }
        if self.state != SessionState::Running {
            return Err(ChallengeError::Ended {
                id: id.to_string(),
                state: self.state.to_string(),
            });
        }
        Ok(())
    }

    /// Record (or replace) the answer to one question; returns the previous answer.
    pub fn answer(
        &mut self,
        challenge: &Challenge,
        question: &str,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, ChallengeError> {
        self.require_live(&challenge.id, now)?;
        if !challenge.questions.iter().any(|q| q.id == question) {
            return Err(ChallengeError::UnknownQuestion {
                challenge: challenge.id.clone(),
                question: question.to_string(),
                valid: question_ids(challenge),
            });
        }
        let value = value.trim();
        if value.is_empty() {
            return Err(ChallengeError::EmptyAnswer {
                question: question.to_string(),
            });
        }
        Ok(self.answers.insert(question.to_string(), value.to_string()))
    }

    /// Reveal the next hint and record its cost; returns its position and the hint.
    pub fn reveal_hint<'c>(
        &mut self,
        challenge: &'c Challenge,
        now: DateTime<Utc>,
    ) -> Result<(usize, &'c Hint), ChallengeError> {
        self.require_live(&challenge.id, now)?;
        let index = self.hints.len();
        let hint = challenge
            .hints
            .get(index)
            .ok_or_else(|| ChallengeError::NoHintsLeft {
                id: challenge.id.clone(),
                taken: index,
            })?;
        self.hints.push(HintTaken {
            index,
            cost: hint.cost,
            at: now,
        });
        Ok((index, hint))
    }

    /// End the attempt with graded results (one per question, in the challenge's order).
    pub fn submit(
        &mut self,
        challenge: &Challenge,
        results: Vec<QuestionResult>,
        now: DateTime<Utc>,
    ) -> Result<Score, ChallengeError> {
        self.require_live(&challenge.id, now)?;
        self.end(SessionState::Submitted, now);
        let score = score(
            &results,
            f64::from(self.hint_cost()),
            self.elapsed_secs(now),
            self.attempt,
        );
        self.results = challenge
            .questions
            .iter()
            .map(|q| q.id.clone())
            .zip(results)
            .collect();
        self.score = Some(score.clone());
        Ok(score)
    }

    /// Give the attempt up.
    pub fn abandon(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), ChallengeError> {
        self.require_live(id, now)?;
        self.end(SessionState::Abandoned, now);
        Ok(())
    }

    /// The deadline passed while it was running (seen by a reconcile).
    pub fn time_out(&mut self) {
        if self.state == SessionState::Running {
            let deadline = self.deadline;
            self.end(SessionState::TimedOut, deadline);
        }
    }

    /// Its owning process died while it ran (seen by a reconcile at `now`, the closest
    /// known time to the end).
    pub fn abandon_orphaned(&mut self, now: DateTime<Utc>) {
        if self.state == SessionState::Running {
            self.end(SessionState::Abandoned, now);
        }
    }

    fn end(&mut self, state: SessionState, at: DateTime<Utc>) {
        self.state = state;
        self.ended_at = Some(at.min(self.deadline));
    }

    /// What `labtui challenge status` shows, as plain data (also its `--json`).
    pub fn status(
        &self,
        challenge: &Challenge,
        active: &[ActiveFault],
        now: DateTime<Utc>,
    ) -> StatusReport {
        let owner = self.owner();
        StatusReport {
            challenge: self.challenge.clone(),
            title: challenge.title.clone(),
            state: self.state,
            attempt: self.attempt,
            started_at: self.started_at,
            deadline: self.deadline,
            remaining_secs: self.remaining(now).as_secs(),
            elapsed_secs: self.elapsed_secs(now),
            questions: challenge
                .questions
                .iter()
                .map(|q| QuestionStatus {
                    id: q.id.clone(),
                    kind: q.expect.kind_name().to_string(),
                    points: q.points,
                    answer: self.answers.get(&q.id).cloned(),
                    result: self.results.get(&q.id).cloned(),
                })
                .collect(),
            hints: HintStatus {
                taken: self.hints.len(),
                available: challenge.hints.len(),
                cost: self.hint_cost(),
                revealed: self.hints.clone(),
            },
            faults: active
                .iter()
                .filter(|f| f.owner.as_deref() == Some(owner.as_str()))
                .map(|f| FaultStatus {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    target: f.target.clone(),
                    expires_at: f.expires_at,
                    remaining_secs: f.remaining(now).as_secs(),
                })
                .collect(),
            score: self.score.clone(),
        }
    }
}

/// The valid question ids, for messages.
pub fn question_ids(challenge: &Challenge) -> String {
    challenge
        .questions
        .iter()
        .map(|q| q.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A session as `status` reports it; its JSON form is stable (fields are only added).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub challenge: String,
    pub title: String,
    pub state: SessionState,
    pub attempt: u32,
    pub started_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub remaining_secs: u64,
    pub elapsed_secs: u64,
    pub questions: Vec<QuestionStatus>,
    pub hints: HintStatus,
    /// The challenge's faults active in the lab now (from the ledger).
    pub faults: Vec<FaultStatus>,
    pub score: Option<Score>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionStatus {
    pub id: String,
    pub kind: String,
    pub points: u32,
    /// None: unanswered.
    pub answer: Option<String>,
    pub result: Option<QuestionResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HintStatus {
    pub taken: usize,
    pub available: usize,
    pub cost: u32,
    pub revealed: Vec<HintTaken>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultStatus {
    pub id: String,
    pub name: String,
    pub target: String,
    pub expires_at: DateTime<Utc>,
    pub remaining_secs: u64,
}
