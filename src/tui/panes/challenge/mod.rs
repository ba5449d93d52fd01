//! The challenge runner and the lesson exercises: a question list with answer forms,
//! drawn where the reader is, beside the Query pane.
//!
//! ```text
//!   reader `S` ─► confirm ─► Starting (faults injected, warm-up lines)
//!                              └─► Running (timer, questions, forms, hints)
//!                                    ├─ S submit ─► Submitting ─► Ended (feedback, score, `v` solution)
//!                                    ├─ X abandon ───────────────► Ended
//!                                    └─ deadline ─► reconcile ───► Ended (timed out)
//! ```
//!
//! A challenge's session lives in the lab's session file (`lab::challenge`), so `labtui
//! challenge status` sees what the console does and a console started later picks a
//! running session up. Lesson exercises are graded one at a time as they are answered.

pub mod form;
pub mod update;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::lab::challenge::{QuestionResult, Session, SessionState};
use crate::lab::content::{Challenge, Expectation, Lesson};

use super::super::app::Cmd;
use super::super::keymap::Action;
use super::Reply;
use form::{AnswerForm, FormOutcome};

/// One question as the sheet shows it (a challenge question or a lesson exercise).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub prompt: String,
    pub points: u32,
    pub expect: Expectation,
}

/// Questions, the learner's answers and their grades, the selection and the open form.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub items: Vec<Item>,
    pub answers: BTreeMap<String, String>,
    pub results: BTreeMap<String, QuestionResult>,
    pub selected: usize,
    pub form: Option<AnswerForm>,
    /// Lines scrolled in the details below the list.
    pub scroll: u16,
}

impl Sheet {
    fn new(items: Vec<Item>) -> Self {
        Self {
            items,
            ..Self::default()
        }
    }

    pub fn selected_item(&self) -> Option<&Item> {
        self.items.get(self.selected)
    }

    fn select(&mut self, action: Action) -> bool {
        let last = self.items.len().saturating_sub(1);
        let next = match action {
            Action::Down => (self.selected + 1).min(last),
            Action::Up => self.selected.saturating_sub(1),
            Action::Top => 0,
            Action::Bottom => last,
            Action::PageDown => {
                self.scroll = self.scroll.saturating_add(5);
                return true;
            }
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(5);
                return true;
            }
            _ => return false,
        };
        if next != self.selected {
            self.selected = next;
            self.scroll = 0;
        }
        true
    }

    /// Open the form for the selected question, holding its current answer.
    fn open_form(&mut self) -> bool {
        let Some(item) = self.selected_item() else {
            return false;
        };
        let previous = self.answers.get(&item.id).map(String::as_str);
        self.form = Some(AnswerForm::new(&item.id, &item.expect, previous));
        true
    }
}

/// Where a challenge run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Its faults are being injected and their symptoms waited for.
    Starting,
    Running,
    /// Answers are being graded.
    Submitting,
    /// Submitted, abandoned or timed out.
    Ended,
}

/// What the runner's lower half shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Question,
    Briefing,
}

/// One attempt at a challenge, as the console shows it.
#[derive(Debug, Clone)]
pub struct Run {
    pub challenge: Challenge,
    pub phase: Phase,
    /// The session file's copy, once started.
    pub session: Option<Session>,
    /// What starting did, line by line (injections, warm-up, problems).
    pub log: Vec<String>,
    pub sheet: Sheet,
    pub show: Show,
    /// Waiting for an answer or hint to be written to the session file.
    pub saving: bool,
    /// The next hint's reveal is confirmed and on its way.
    pub hint_pending: bool,
    /// Started by this console (quitting it abandons the run); a run resumed from the
    /// session file belongs to whoever started it.
    pub owned: bool,
}

impl Run {
    pub fn new(challenge: Challenge) -> Self {
        let items = challenge
            .questions
            .iter()
            .map(|q| Item {
                id: q.id.clone(),
                prompt: q.prompt.clone(),
                points: q.points,
                expect: q.expect.clone(),
            })
            .collect();
        Self {
            challenge,
            phase: Phase::Starting,
            session: None,
            log: Vec::new(),
            sheet: Sheet::new(items),
            show: Show::Question,
            saving: false,
            hint_pending: false,
            owned: true,
        }
    }

    /// A run for a session found on disk (started earlier, by this console or the CLI).
    pub fn resumed(challenge: Challenge, session: Session) -> Self {
        let mut run = Self::new(challenge);
        run.phase = Phase::Running;
        run.owned = false;
        run.adopt(session);
        run
    }

    /// Take the session file's view: answers, results and the phase it implies.
    fn adopt(&mut self, session: Session) {
        self.sheet.answers = session.answers.clone();
        self.sheet.results = session.results.clone();
        self.phase = match session.state {
            SessionState::Running if self.phase == Phase::Starting => Phase::Starting,
            SessionState::Running => Phase::Running,
            _ => Phase::Ended,
        };
        self.session = Some(session);
    }

    pub fn id(&self) -> &str {
        &self.challenge.id
    }

    /// Still counting down: running or starting.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.phase,
            Phase::Starting | Phase::Running | Phase::Submitting
        ) && self.session.as_ref().is_none_or(|s| s.is_live(now))
    }

    /// The hints revealed so far, with their text.
    pub fn hints(&self) -> Vec<(usize, u32, &str)> {
        self.session
            .iter()
            .flat_map(|s| &s.hints)
            .filter_map(|h| {
                let hint = self.challenge.hints.get(h.index)?;
                Some((h.index, h.cost, hint.text.trim()))
            })
            .collect()
    }

    /// The cost of the next hint, if one is left.
    pub fn next_hint_cost(&self) -> Option<u32> {
        let taken = self.session.as_ref().map_or(0, |s| s.hints.len());
        self.challenge.hints.get(taken).map(|h| h.cost)
    }
}

/// A lesson's exercises, answered and graded one at a time.
#[derive(Debug, Clone)]
pub struct Exercises {
    pub lesson: String,
    pub title: String,
    pub sheet: Sheet,
    /// Per exercise: its hints and solution, how many hints are shown, whether the
    /// solution is.
    pub hints: BTreeMap<String, Vec<String>>,
    pub solutions: BTreeMap<String, String>,
    pub hints_shown: BTreeMap<String, usize>,
    pub solution_shown: BTreeSet<String>,
    /// The exercise being graded now.
    pub grading: Option<String>,
}

impl Exercises {
    pub fn new(lesson: &Lesson, passed: &BTreeSet<String>) -> Self {
        let items = lesson
            .exercises
            .iter()
            .map(|e| Item {
                id: e.id.clone(),
                prompt: e.prompt.clone(),
                points: e.points,
                expect: e.expect.clone(),
            })
            .collect();
        let mut sheet = Sheet::new(items);
        for id in passed {
            sheet.results.insert(
                id.clone(),
                QuestionResult {
                    earned: 0.0,
                    max: 0.0,
                    correct: true,
                    feedback: vec!["passed in an earlier session".into()],
                },
            );
        }
        Self {
            lesson: lesson.id.clone(),
            title: lesson.title.clone(),
            sheet,
            hints: lesson
                .exercises
                .iter()
                .map(|e| (e.id.clone(), e.hints.clone()))
                .collect(),
            solutions: lesson
                .exercises
                .iter()
                .map(|e| (e.id.clone(), e.solution.clone()))
                .collect(),
            hints_shown: BTreeMap::new(),
            solution_shown: BTreeSet::new(),
            grading: None,
        }
    }

    pub fn passed(&self) -> usize {
        self.sheet.results.values().filter(|r| r.correct).count()
    }
}

/// Which sheet is in front when the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Front {
    #[default]
    Run,
    Exercises,
}

/// The pane: at most one challenge run and one lesson's exercises.
#[derive(Debug, Clone, Default)]
pub struct ChallengePane {
    pub run: Option<Run>,
    pub exercises: Option<Exercises>,
    pub front: Front,
    /// Drawn in the reader's place (else the reader shows its document).
    pub shown: bool,
}

/// What a key in the pane asks the app for, beyond a [`Reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Nothing more.
    None,
    /// Fill the open form with the Query pane's text in this language.
    TakeQuery(crate::lab::query::QueryLang),
    /// Open the challenge's solution in the reader.
    ShowSolution,
}

impl ChallengePane {
    pub fn sheet(&self) -> Option<&Sheet> {
        match self.front {
            Front::Run => self.run.as_ref().map(|r| &r.sheet),
            Front::Exercises => self.exercises.as_ref().map(|e| &e.sheet),
        }
    }

    fn sheet_mut(&mut self) -> Option<&mut Sheet> {
        match self.front {
            Front::Run => self.run.as_mut().map(|r| &mut r.sheet),
            Front::Exercises => self.exercises.as_mut().map(|e| &mut e.sheet),
        }
    }

    /// An answer form is open (keys are typed into it).
    pub fn is_typing(&self) -> bool {
        self.shown && self.sheet().is_some_and(|s| s.form.is_some())
    }

    /// Show the runner for `challenge` (starting) in front.
    pub fn begin(&mut self, challenge: Challenge) {
        self.run = Some(Run::new(challenge));
        self.front = Front::Run;
        self.shown = true;
    }

    /// Show `lesson`'s exercises in front.
    pub fn open_exercises(&mut self, exercises: Exercises) {
        self.exercises = Some(exercises);
        self.front = Front::Exercises;
        self.shown = true;
    }

    /// A key while a form is open.
    pub fn on_typing(&mut self, key: KeyEvent, action: Option<Action>) -> (Reply, Ask) {
        let front = self.front;
        let Some(sheet) = self.sheet_mut() else {
            return (Reply::default(), Ask::None);
        };
        let Some(form) = sheet.form.as_mut() else {
            return (Reply::default(), Ask::None);
        };
        match form.on_key(key, action) {
            FormOutcome::Editing => (Reply::default(), Ask::None),
            FormOutcome::Cancel => {
                sheet.form = None;
                (Reply::default(), Ask::None)
            }
            FormOutcome::Refused(why) => (Reply::warn(why), Ask::None),
            FormOutcome::TakeQuery(lang) => (Reply::default(), Ask::TakeQuery(lang)),
            FormOutcome::Save(value) => {
                let question = form.question.clone();
                sheet.form = None;
                (self.save_answer(front, question, value), Ask::None)
            }
        }
    }

    fn save_answer(&mut self, front: Front, question: String, value: String) -> Reply {
        match front {
            Front::Run => {
                let Some(run) = self.run.as_mut() else {
                    return Reply::default();
                };
                run.sheet.answers.insert(question.clone(), value.clone());
                run.saving = true;
                Reply::cmds(vec![Cmd::AnswerChallenge {
                    challenge: Box::new(run.challenge.clone()),
                    question,
                    value,
                }])
            }
            Front::Exercises => {
                let Some(ex) = self.exercises.as_mut() else {
                    return Reply::default();
                };
                let Some(item) = ex.sheet.items.iter().find(|i| i.id == question) else {
                    return Reply::default();
                };
                let cmd = Cmd::GradeExercise {
                    lesson: ex.lesson.clone(),
                    exercise: question.clone(),
                    expect: Box::new(item.expect.clone()),
                    points: item.points,
                    answer: value.clone(),
                };
                ex.sheet.answers.insert(question.clone(), value);
                ex.sheet.results.remove(&question);
                ex.grading = Some(question);
                Reply::cmds(vec![cmd])
            }
        }
    }

    /// A key on the question list; `None` when the pane ignores it.
    pub fn on_action(&mut self, action: Action, now: DateTime<Utc>) -> Option<(Reply, Ask)> {
        if action == Action::Back {
            return Some((Reply::back(), Ask::None));
        }
        match self.front {
            Front::Run => self.on_run_action(action, now),
            Front::Exercises => self.on_exercise_action(action),
        }
    }

    fn on_run_action(&mut self, action: Action, now: DateTime<Utc>) -> Option<(Reply, Ask)> {
        let run = self.run.as_mut()?;
        let none = |reply| Some((reply, Ask::None));
        if run.sheet.select(action) {
            return none(Reply::default());
        }
        let running = run.phase == Phase::Running && run.is_live(now);
        match action {
            Action::ToggleBriefing => {
                run.show = match run.show {
                    Show::Question => Show::Briefing,
                    Show::Briefing => Show::Question,
                };
                run.sheet.scroll = 0;
                none(Reply::default())
            }
            Action::Open if running => {
                run.sheet.open_form();
                none(Reply::default())
            }
            Action::Open if run.phase == Phase::Starting => none(Reply::notify(
                "the lab is being broken for you: answers open once the faults are in",
            )),
            Action::Open if run.phase == Phase::Ended => none(Reply::notify(
                "this attempt has ended: `v` shows the solution, `S` on the briefing starts a new one",
            )),
            Action::RevealHint if running => match run.next_hint_cost() {
                None => none(Reply::notify("no hints left")),
                Some(_) if run.hint_pending => none(Reply::default()),
                Some(cost) => {
                    let taken = run.session.as_ref().map_or(0, |s| s.hints.len());
                    none(Reply::confirm(
                        format!(
                            "Reveal hint {} of {}? It costs {cost} point{} off your score.",
                            taken + 1,
                            run.challenge.hints.len(),
                            if cost == 1 { "" } else { "s" }
                        ),
                        vec![Cmd::RevealHint(Box::new(run.challenge.clone()))],
                    ))
                }
            },
            Action::Submit if running => {
                let left = run.sheet.items.len() - run.sheet.answers.len();
                let unanswered = match left {
                    0 => String::new(),
                    1 => " 1 question is unanswered and earns nothing.".into(),
                    n => format!(" {n} questions are unanswered and earn nothing."),
                };
                none(Reply::confirm(
                    format!("Submit your answers for grading?{unanswered} The faults are cleared."),
                    vec![Cmd::SubmitChallenge(Box::new(run.challenge.clone()))],
                ))
            }
            Action::Abandon if matches!(run.phase, Phase::Running | Phase::Starting) => {
                none(Reply::confirm(
                    "Abandon this challenge? Its faults are cleared; the attempt counts without a score.",
                    vec![Cmd::AbandonChallenge {
                        id: run.challenge.id.clone(),
                        then_quit: false,
                    }],
                ))
            }
            Action::ShowSolution if run.phase == Phase::Ended => {
                Some((Reply::default(), Ask::ShowSolution))
            }
            Action::ShowSolution => none(Reply::notify(
                "the solution opens once you submit, abandon or run out of time",
            )),
            Action::Open | Action::RevealHint | Action::Submit | Action::Abandon => {
                none(Reply::notify("the challenge is not running"))
            }
            _ => None,
        }
    }

    fn on_exercise_action(&mut self, action: Action) -> Option<(Reply, Ask)> {
        let ex = self.exercises.as_mut()?;
        let none = |reply| Some((reply, Ask::None));
        if ex.sheet.select(action) {
            return none(Reply::default());
        }
        let id = ex.sheet.selected_item()?.id.clone();
        match action {
            Action::Open if ex.grading.is_some() => {
                none(Reply::notify("the last answer is still being graded"))
            }
            Action::Open => {
                ex.sheet.open_form();
                none(Reply::default())
            }
            Action::RevealHint => {
                let total = ex.hints.get(&id).map_or(0, Vec::len);
                let shown = ex.hints_shown.entry(id).or_default();
                if *shown >= total {
                    return none(Reply::notify(
                        "no more hints for this exercise: `v` shows the solution",
                    ));
                }
                *shown += 1;
                none(Reply::default())
            }
            Action::ShowSolution => {
                let tried =
                    ex.sheet.answers.contains_key(&id) || ex.sheet.results.contains_key(&id);
                if !tried {
                    return none(Reply::notify(
                        "answer the exercise once first (Enter); then `v` shows the solution",
                    ));
                }
                if !ex.solution_shown.insert(id.clone()) {
                    ex.solution_shown.remove(&id);
                }
                none(Reply::default())
            }
            _ => None,
        }
    }
}
