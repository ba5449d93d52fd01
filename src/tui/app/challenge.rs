//! The app's side of the challenge runner and lesson exercises: starting from the reader,
//! routing their keys and messages, adopting the progress the session operations record,
//! and ending a running challenge before quitting.

use std::time::Duration;

use ratatui::crossterm::event::KeyEvent;

use crate::lab::content::ItemKind;

use super::super::keymap::{Action, Context};
use super::super::panes::Reply;
use super::super::panes::challenge::{Ask, Exercises, Front};
use super::super::panes::stack::LabView;
use super::super::reader::Doc;
use super::{App, Cmd, Focus, Msg, RightPane};

/// How long quitting waits for a running challenge to be abandoned before it quits anyway
/// (the next start clears what is left).
pub(super) const QUIT_GRACE: Duration = Duration::from_secs(10);

impl App {
    /// The runner is drawn in the reader's place.
    pub fn runner_shown(&self) -> bool {
        self.challenge.shown && self.challenge.sheet().is_some()
    }

    /// The runner's context when it has the keys.
    pub(super) fn challenge_context(&self) -> Option<Context> {
        if self.focus != Focus::Reader || !self.runner_shown() {
            return None;
        }
        Some(if self.challenge.is_typing() {
            Context::AnswerForm
        } else {
            Context::Challenge
        })
    }

    pub(super) fn on_answer_key(&mut self, key: KeyEvent, action: Option<Action>) -> Vec<Cmd> {
        let (reply, ask) = self.challenge.on_typing(key, action);
        let mut cmds = self.apply(reply);
        cmds.extend(self.on_ask(ask));
        cmds
    }

    pub(super) fn on_challenge_action(&mut self, action: Action) -> Option<Vec<Cmd>> {
        let (reply, ask) = self.challenge.on_action(action, self.now)?;
        let mut cmds = self.apply(reply);
        cmds.extend(self.on_ask(ask));
        Some(cmds)
    }

    fn on_ask(&mut self, ask: Ask) -> Vec<Cmd> {
        match ask {
            Ask::None => Vec::new(),
            Ask::TakeQuery(lang) => {
                let text = self.query.lang_tab(lang).editor.text();
                if text.trim().is_empty() {
                    self.warn(format!(
                        "the {lang} tab is empty: write the query there first (e)"
                    ));
                } else if let Some(form) = self.challenge_form_mut() {
                    form.set_text(&text);
                }
                Vec::new()
            }
            Ask::ShowSolution => self.open_solution(),
        }
    }

    fn challenge_form_mut(
        &mut self,
    ) -> Option<&mut super::super::panes::challenge::form::AnswerForm> {
        let sheet = match self.challenge.front {
            Front::Run => &mut self.challenge.run.as_mut()?.sheet,
            Front::Exercises => &mut self.challenge.exercises.as_mut()?.sheet,
        };
        sheet.form.as_mut()
    }

    /// The ended challenge's solution in the reader: the reasoning, its queries runnable.
    fn open_solution(&mut self) -> Vec<Cmd> {
        let Some(run) = &self.challenge.run else {
            return Vec::new();
        };
        let width = self.areas().reader_width();
        self.reader = Some(Doc::solution(&run.challenge, width, &self.theme.markdown));
        self.challenge.shown = false;
        self.focus = Focus::Reader;
        self.notify(
            "the solution: n selects its queries, Enter runs one; R goes back to your results",
        );
        Vec::new()
    }

    /// Reader keys that lead to the runner: start a challenge, answer a lesson's exercises,
    /// go back to either.
    pub(super) fn on_reader_challenge(&mut self, action: Action) -> Option<Vec<Cmd>> {
        let doc = self.reader.as_ref()?;
        if doc.builtin {
            return None;
        }
        let (id, kind) = (doc.id.clone(), doc.kind);
        match action {
            Action::ShowRunner => {
                let front = if self.challenge.run.as_ref().is_some_and(|r| r.id() == id) {
                    Front::Run
                } else if self
                    .challenge
                    .exercises
                    .as_ref()
                    .is_some_and(|e| e.lesson == id)
                {
                    Front::Exercises
                } else if self.challenge.run.is_some() {
                    Front::Run
                } else {
                    self.notify("no challenge is running and no exercises are open here");
                    return Some(Vec::new());
                };
                self.challenge.front = front;
                self.challenge.shown = true;
                Some(Vec::new())
            }
            Action::StartChallenge if kind != ItemKind::Challenge => {
                self.notify("S starts a challenge: open one from the Challenges list (2)");
                Some(Vec::new())
            }
            Action::StartChallenge => Some(self.offer_challenge(&id)),
            Action::AnswerExercises if kind != ItemKind::Lesson => {
                self.notify("A answers a lesson's exercises; a challenge starts with S");
                Some(Vec::new())
            }
            Action::AnswerExercises => {
                let lesson = self.catalog.lessons.iter().find(|l| l.id == id)?.clone();
                if lesson.exercises.is_empty() {
                    self.notify("this lesson has no exercises");
                    return Some(Vec::new());
                }
                let reopen = self
                    .challenge
                    .exercises
                    .as_ref()
                    .is_some_and(|e| e.lesson == id);
                if reopen {
                    self.challenge.front = Front::Exercises;
                    self.challenge.shown = true;
                } else {
                    let passed = self.progress.item(&id).passed;
                    self.challenge
                        .open_exercises(Exercises::new(&lesson, &passed));
                }
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// Ask before breaking the lab for a challenge; refuse while another one runs.
    fn offer_challenge(&mut self, id: &str) -> Vec<Cmd> {
        if let Some(run) = self.challenge.run.as_ref().filter(|r| r.is_live(self.now)) {
            if run.id() == id {
                self.challenge.front = Front::Run;
                self.challenge.shown = true;
            } else {
                self.warn(format!(
                    "“{}” is running: finish or abandon it first (R shows it)",
                    run.challenge.title
                ));
            }
            return Vec::new();
        }
        if matches!(self.stack.lab, LabView::NotStarted) {
            self.warn("a challenge breaks the lab on purpose: start the lab first (U)");
            return Vec::new();
        }
        let Some(challenge) = self.catalog.challenges.iter().find(|c| c.id == id).cloned() else {
            return Vec::new();
        };
        let faults: Vec<String> = challenge
            .faults
            .iter()
            .map(|f| match &f.target {
                Some(t) => format!("{} on {t}", f.name),
                None => f.name.clone(),
            })
            .collect();
        let what = match faults.len() {
            0 => "It injects no fault".to_string(),
            _ => format!("It injects {} into the lab", faults.join(", ")),
        };
        self.confirm = Some(super::Confirm {
            question: format!(
                "Start “{}”? {what} and starts a {}-minute clock.",
                challenge.title, challenge.minutes
            ),
            on_yes: vec![Cmd::StartChallenge(Box::new(challenge))],
        });
        Vec::new()
    }

    /// A confirmed start: the runner takes the reader's place at once.
    pub(super) fn challenge_confirmed(&mut self, cmd: &Cmd) {
        if let Cmd::StartChallenge(challenge) = cmd {
            self.challenge.begin((**challenge).clone());
            if let Some(run) = self.challenge.run.as_mut() {
                run.log.push("starting: injecting the faults…".into());
            }
            self.focus = Focus::Reader;
            if self.right != RightPane::Query {
                self.right = RightPane::Reader;
            }
        }
        self.challenge.confirmed(cmd);
    }

    pub(super) fn on_challenge_msg(&mut self, msg: Msg) -> Vec<Cmd> {
        let reply = match msg {
            Msg::ChallengeStarted(result) => self.challenge.on_started(result),
            Msg::ChallengeWarmUp(event) => {
                self.challenge.on_warm_up(event);
                Reply::default()
            }
            Msg::ChallengeReady { missing, session } => self.challenge.on_ready(&missing, session),
            Msg::ChallengeSaved(result) => self.challenge.on_saved(result),
            Msg::ChallengeSubmitted(result) => self.challenge.on_submitted(result),
            Msg::ChallengeAbandoned { result, then_quit } => {
                let reply = self.challenge.on_abandoned(result);
                let mut cmds = self.apply(reply);
                if then_quit {
                    cmds.extend(self.quit_now());
                }
                return cmds;
            }
            Msg::ChallengeReconciled(result) => {
                self.reconciling = false;
                let catalog = &self.catalog;
                let find = |id: &str| catalog.challenges.iter().find(|c| c.id == id).cloned();
                self.challenge.on_reconciled(result, find, self.now)
            }
            Msg::ChallengeProgress { id, item } => {
                // The session's operations wrote this item; the console's copy follows it.
                self.progress.items.insert(id, item);
                return self.save();
            }
            Msg::ExerciseGraded {
                lesson,
                exercise,
                result,
            } => {
                let (reply, passed) = self
                    .challenge
                    .on_exercise_graded(&lesson, &exercise, result);
                let mut cmds = self.apply(reply);
                if let Some(passed) = passed {
                    cmds.extend(self.record_exercise(&lesson, &exercise, passed));
                }
                return cmds;
            }
            _ => Reply::default(),
        };
        self.apply(reply)
    }

    fn record_exercise(&mut self, lesson: &str, exercise: &str, passed: bool) -> Vec<Cmd> {
        let Some(l) = self.catalog.lessons.iter().find(|l| l.id == lesson) else {
            return Vec::new();
        };
        let all: Vec<&str> = l.exercises.iter().map(|e| e.id.as_str()).collect();
        let title = l.title.clone();
        if self
            .progress
            .record_exercise(lesson, exercise, passed, &all, self.now)
        {
            self.notify(format!("every exercise passed: “{title}” is complete"));
        }
        self.save()
    }

    /// On every tick: a deadline that passed is reconciled (the run ends, faults cleared);
    /// a quit waiting for an abandon stops waiting after [`QUIT_GRACE`].
    pub(super) fn challenge_tick(&mut self, elapsed: Duration) -> Vec<Cmd> {
        if let Some(waited) = self.quitting_for.as_mut() {
            *waited += elapsed;
            if *waited >= QUIT_GRACE {
                return self.quit_now();
            }
        }
        if !self.reconciling && self.challenge.deadline_passed(self.now) {
            self.reconciling = true;
            return vec![Cmd::ReconcileChallenge];
        }
        Vec::new()
    }

    /// Quit, abandoning a running challenge first: asked on `q`, done at once on a signal.
    pub(super) fn quit_with_challenge(&mut self, asked: bool) -> Option<Vec<Cmd>> {
        let run = self
            .challenge
            .run
            .as_ref()
            .filter(|r| r.owned && r.is_live(self.now))?;
        let abandon = Cmd::AbandonChallenge {
            id: run.id().to_string(),
            then_quit: true,
        };
        if asked {
            self.confirm = Some(super::Confirm {
                question: format!(
                    "“{}” is running. Quit and abandon it? Its faults are cleared.",
                    run.challenge.title
                ),
                on_yes: vec![abandon],
            });
            return Some(Vec::new());
        }
        self.quitting_for = Some(Duration::ZERO);
        Some(vec![abandon])
    }
}
