//! The panes that own a piece of the lab: each keeps its state, keys, messages and drawing
//! in one folder, and answers the app with a [`Reply`].

pub mod alerts;
pub mod challenge;
pub mod faults;
pub mod interview;
pub mod query;
pub mod stack;

use super::app::{Cmd, Confirm, Notice};

/// What a pane asks of the app after a key or a message: the effects to run, and the
/// app-wide things only the app owns (the status line, the yes/no popup, focus, polling).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub cmds: Vec<Cmd>,
    pub notice: Option<Notice>,
    pub confirm: Option<Confirm>,
    /// Poll the lab at once: an action changed it.
    pub poll_now: bool,
    /// Give focus back to the lists.
    pub back: bool,
}

impl Reply {
    pub fn cmds(cmds: Vec<Cmd>) -> Self {
        Self {
            cmds,
            ..Self::default()
        }
    }

    pub fn notify(text: impl Into<String>) -> Self {
        Self {
            notice: Some(Notice {
                text: text.into(),
                is_error: false,
            }),
            ..Self::default()
        }
    }

    pub fn warn(text: impl Into<String>) -> Self {
        Self {
            notice: Some(Notice {
                text: text.into(),
                is_error: true,
            }),
            ..Self::default()
        }
    }

    /// Ask `question` first; run `on_yes` only if the learner says yes.
    pub fn confirm(question: impl Into<String>, on_yes: Vec<Cmd>) -> Self {
        Self {
            confirm: Some(Confirm {
                question: question.into(),
                on_yes,
            }),
            ..Self::default()
        }
    }

    pub fn back() -> Self {
        Self {
            back: true,
            ..Self::default()
        }
    }

    /// The same reply, polling the lab at once as well.
    pub fn and_poll(mut self) -> Self {
        self.poll_now = true;
        self
    }
}
