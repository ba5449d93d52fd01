//! Why a challenge command could not do what was asked, each with what to do instead.

use std::path::PathBuf;

use crate::lab::faults::FaultError;
use crate::lab::progress::ProgressError;

/// Errors of the challenge session; [`ChallengeError::exit_code`] maps them for the CLI.
#[derive(Debug, thiserror::Error)]
pub enum ChallengeError {
    #[error("no challenge `{id}`; `labtui challenges` lists them: {known}")]
    UnknownChallenge { id: String, known: String },

    #[error(
        "challenge `{running}` is already running; finish it with `labtui challenge submit {running}` or give it up with `labtui challenge abandon {running}`"
    )]
    AlreadyRunning { running: String },

    #[error("no challenge is running; start one with `labtui challenge start {id}`")]
    NotRunning { id: String },

    #[error(
        "challenge `{running}` is running, not `{asked}`; use `labtui challenge status {running}`, or `labtui challenge abandon {running}` first"
    )]
    OtherRunning { asked: String, running: String },

    #[error(
        "challenge `{id}` has ended ({state}); `labtui challenge status {id}` shows how it went, `labtui challenge start {id}` tries again"
    )]
    Ended { id: String, state: String },

    #[error("challenge `{challenge}` has no question `{question}`; its questions: {valid}")]
    UnknownQuestion {
        challenge: String,
        question: String,
        valid: String,
    },

    #[error("the answer to `{question}` is empty; give a value (quote it if it has spaces)")]
    EmptyAnswer { question: String },

    #[error("no hints left: all {taken} hints of `{id}` are revealed")]
    NoHintsLeft { id: String, taken: usize },

    #[error("no lab is running; start it with `labtui up`")]
    NoLab,

    #[error(
        "could not inject `{fault}` on {target}: {source}; the challenge did not start and no fault was left behind"
    )]
    Inject {
        fault: String,
        target: String,
        source: Box<FaultError>,
    },

    #[error("{0}")]
    Fault(Box<FaultError>),

    #[error("{0}")]
    Progress(#[from] ProgressError),

    #[error("challenge session {path}: {message}; delete the file if it is damaged")]
    Session { path: PathBuf, message: String },

    #[error("grading failed: {0}; nothing was submitted, the challenge is still running")]
    Grading(String),
}

impl ChallengeError {
    /// 2 when the lab is missing (start it with `labtui up`), 1 for every other mistake.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::NoLab => 2,
            Self::Fault(e) | Self::Inject { source: e, .. } if matches!(**e, FaultError::NoLab) => {
                2
            }
            _ => 1,
        }
    }
}

impl From<FaultError> for ChallengeError {
    fn from(e: FaultError) -> Self {
        Self::Fault(Box::new(e))
    }
}
