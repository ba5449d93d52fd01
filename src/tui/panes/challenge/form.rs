//! The answer form for one question, by its kind: a picker for choices, a one-line field
//! for numbers (read with the grader's own parser as you type, so a unit mistake shows
//! before submitting), the query editor's text area for queries and a text area for
//! free text.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

use crate::lab::content::Expectation;
use crate::lab::grading::parse_number;
use crate::lab::query::QueryLang;

use super::super::super::keymap::Action;

/// The form being filled in, for one question.
#[derive(Debug, Clone)]
pub struct AnswerForm {
    pub question: String,
    pub input: Input,
}

#[derive(Debug, Clone)]
pub enum Input {
    /// Options with a cursor; `multi` lets several be ticked (the question has several
    /// right answers), else Enter picks the one under the cursor.
    Choice {
        options: Vec<String>,
        cursor: usize,
        ticked: Vec<bool>,
        multi: bool,
    },
    /// A number, checked as typed with the grader's parser (`900ms` for a question in `s`).
    Number {
        area: TextArea<'static>,
        unit: Option<String>,
        problem: Option<String>,
    },
    Query {
        area: TextArea<'static>,
        lang: QueryLang,
    },
    Text {
        area: TextArea<'static>,
    },
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    /// Still editing.
    Editing,
    /// Close the form without saving.
    Cancel,
    /// Save this answer.
    Save(String),
    /// The learner asked for the Query pane's text in this language.
    TakeQuery(QueryLang),
    /// Cannot save yet; the reason.
    Refused(String),
}

impl AnswerForm {
    /// A form for `expect`, holding `previous` (an earlier answer) when there is one.
    pub fn new(question: &str, expect: &Expectation, previous: Option<&str>) -> Self {
        let previous = previous.unwrap_or("");
        let input = match expect {
            Expectation::Choice { options, .. } => {
                let multi = expect.choice_answers().len() > 1;
                let picked: Vec<String> = previous
                    .split(',')
                    .map(|p| p.trim().to_lowercase())
                    .collect();
                let ticked: Vec<bool> = options
                    .iter()
                    .map(|o| picked.contains(&o.to_lowercase()))
                    .collect();
                let cursor = ticked.iter().position(|t| *t).unwrap_or(0);
                Input::Choice {
                    options: options.clone(),
                    cursor,
                    ticked,
                    multi,
                }
            }
            Expectation::Number { unit, .. } => Input::Number {
                area: area_with(previous, number_placeholder(unit.as_deref())),
                unit: unit.clone(),
                problem: None,
            },
            Expectation::Query { lang, .. } => Input::Query {
                area: area_with(
                    previous,
                    format!("type {lang}, or Ctrl-y to take the {lang} tab's query"),
                ),
                lang: *lang,
            },
            Expectation::Text { .. } => Input::Text {
                area: area_with(
                    previous,
                    "write your answer; Ctrl-j starts a new line".into(),
                ),
            },
        };
        Self {
            question: question.to_string(),
            input,
        }
    }

    /// Put `text` in the form (the Query pane's query), replacing what was typed.
    pub fn set_text(&mut self, text: &str) {
        if let Input::Query { area, .. } | Input::Text { area } | Input::Number { area, .. } =
            &mut self.input
        {
            let placeholder = area.placeholder_text().to_string();
            *area = area_with(text, placeholder);
        }
    }

    /// The text typed so far (the ticked options for a choice).
    pub fn value(&self) -> String {
        match &self.input {
            Input::Choice {
                options, ticked, ..
            } => options
                .iter()
                .zip(ticked)
                .filter(|(_, t)| **t)
                .map(|(o, _)| o.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Input::Number { area, .. } | Input::Query { area, .. } | Input::Text { area } => {
                area.lines().join("\n")
            }
        }
    }

    /// A key while the form is open: `action` is what the keymap made of it.
    pub fn on_key(&mut self, key: KeyEvent, action: Option<Action>) -> FormOutcome {
        match action {
            Some(Action::CancelEdit) => return FormOutcome::Cancel,
            Some(Action::TakeQuery) => {
                return match &self.input {
                    Input::Query { lang, .. } => FormOutcome::TakeQuery(*lang),
                    _ => FormOutcome::Editing,
                };
            }
            _ => {}
        }
        match &mut self.input {
            Input::Choice {
                options,
                cursor,
                ticked,
                multi,
            } => {
                let count = options.len();
                match (action, key.code) {
                    (Some(Action::Down), _) => *cursor = (*cursor + 1).min(count.saturating_sub(1)),
                    (Some(Action::Up), _) => *cursor = cursor.saturating_sub(1),
                    (_, KeyCode::Char(' ')) if *multi => {
                        if let Some(t) = ticked.get_mut(*cursor) {
                            *t = !*t;
                        }
                    }
                    (_, KeyCode::Char(d)) if d.is_ascii_digit() => {
                        // Options are numbered from 1, as in the briefing.
                        let n = d.to_digit(10).unwrap_or(0) as usize;
                        if (1..=count).contains(&n) {
                            *cursor = n - 1;
                            if *multi {
                                ticked[n - 1] = !ticked[n - 1];
                            }
                        }
                    }
                    (Some(Action::SaveAnswer), _) => {
                        if !*multi {
                            ticked.iter_mut().for_each(|t| *t = false);
                            if let Some(t) = ticked.get_mut(*cursor) {
                                *t = true;
                            }
                        }
                        let value = self.value();
                        return if value.is_empty() {
                            FormOutcome::Refused(
                                "tick at least one option with Space, then Enter".into(),
                            )
                        } else {
                            FormOutcome::Save(value)
                        };
                    }
                    _ => {}
                }
                FormOutcome::Editing
            }
            Input::Number {
                area,
                unit,
                problem,
            } => {
                if action == Some(Action::SaveAnswer) {
                    let text = area.lines().join(" ");
                    return match parse_number(&text, unit.as_deref()) {
                        Ok(_) => FormOutcome::Save(text.trim().to_string()),
                        Err(e) => FormOutcome::Refused(e.to_string()),
                    };
                }
                if action != Some(Action::Newline) && area.input(key) {
                    let text = area.lines().join(" ");
                    *problem = if text.trim().is_empty() {
                        None
                    } else {
                        parse_number(&text, unit.as_deref())
                            .err()
                            .map(|e| e.to_string())
                    };
                }
                FormOutcome::Editing
            }
            Input::Query { area, .. } | Input::Text { area } => {
                let alt_enter =
                    key.code == KeyCode::Enter && key.modifiers.contains(KeyModifiers::ALT);
                match action {
                    _ if alt_enter => area.insert_newline(),
                    Some(Action::Newline) => area.insert_newline(),
                    Some(Action::SaveAnswer) => {
                        let text = area.lines().join("\n");
                        return if text.trim().is_empty() {
                            FormOutcome::Refused(
                                "write an answer first (Esc leaves the form)".into(),
                            )
                        } else {
                            FormOutcome::Save(text.trim().to_string())
                        };
                    }
                    _ => {
                        area.input(key);
                    }
                }
                FormOutcome::Editing
            }
        }
    }
}

fn area_with(text: &str, placeholder: String) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut area = TextArea::new(lines);
    area.set_placeholder_text(placeholder);
    area.move_cursor(CursorMove::Bottom);
    area.move_cursor(CursorMove::End);
    area
}

fn number_placeholder(unit: Option<&str>) -> String {
    match unit {
        Some(u) => format!("a number in {u} (other units of the same kind are converted)"),
        None => "a number".to_string(),
    }
}
