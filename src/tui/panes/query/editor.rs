//! The query editor: a multi-line text area with history recall, the syntax check run on
//! every change (PromQL, before anything is sent) and the completion list.

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, DataCursor, TextArea};

use crate::lab::query::QueryLang;
use crate::lab::query::explain::{SyntaxError, check_promql};

use super::complete::{self, Candidate, Known, Site, Want};

#[derive(Debug, Clone)]
pub struct Editor {
    lang: QueryLang,
    pub area: TextArea<'static>,
    /// The syntax check of the current text (PromQL only; others are checked by the server).
    pub syntax: Option<SyntaxError>,
    /// The backend checked the current text and found nothing wrong (LogQL, by Loki).
    pub checked_ok: bool,
    /// Suggestions for the word at the cursor, and which one is selected.
    pub candidates: Vec<Candidate>,
    pub chosen: usize,
    /// While recalling history: the entry shown and the text typed before recalling.
    recall: Option<(usize, String)>,
}

impl Editor {
    pub fn new(lang: QueryLang) -> Self {
        let mut area = TextArea::default();
        area.set_placeholder_text(match lang {
            QueryLang::PromQL => {
                "type PromQL, e.g. sum by (service) (rate(http_requests_total[5m]))"
            }
            QueryLang::LogQL => "type LogQL, e.g. {service_name=\"payments\"} |= \"error\"",
            QueryLang::TraceQL => "type TraceQL, e.g. { status = error }",
        });
        Self {
            lang,
            area,
            syntax: None,
            checked_ok: false,
            candidates: Vec::new(),
            chosen: 0,
            recall: None,
        }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Replaces the text (a lesson's query, a history entry) and puts the cursor at its end.
    pub fn set_text(&mut self, text: &str) {
        let mut area = TextArea::new(text.lines().map(str::to_string).collect());
        area.set_placeholder_text(self.area.placeholder_text().to_string());
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        self.area = area;
        self.changed(None);
    }

    pub fn clear(&mut self) {
        self.set_text("");
        self.recall = None;
    }

    /// Feeds a key the editor takes as text or movement; true when the text changed.
    pub fn input(&mut self, key: KeyEvent, known: &Known) -> bool {
        let changed = self.area.input(key);
        if changed {
            self.recall = None;
            self.changed(Some(known));
        } else {
            self.refresh_candidates(known);
        }
        changed
    }

    pub fn newline(&mut self, known: &Known) {
        self.area.insert_newline();
        self.changed(Some(known));
    }

    pub fn lang(&self) -> QueryLang {
        self.lang
    }

    /// The backend's verdict on the current text: Loki's `format_query` answers
    /// "parse error at line 1, col 23: …", whose position is marked like PromQL's.
    pub fn set_remote_check(&mut self, result: Result<(), String>) {
        self.checked_ok = result.is_ok();
        self.syntax = result.err().map(|message| {
            let (line, column) = position_in(&message).unwrap_or((0, 0));
            SyntaxError {
                message,
                span: None,
                line,
                column,
            }
        });
    }

    /// Re-checks the syntax and the suggestions after the text changed.
    fn changed(&mut self, known: Option<&Known>) {
        self.checked_ok = false;
        let text = self.text();
        self.syntax = match self.lang {
            QueryLang::PromQL if !text.trim().is_empty() => check_promql(&text).err(),
            _ => None,
        };
        match known {
            Some(known) => self.refresh_candidates(known),
            None => self.candidates.clear(),
        }
    }

    /// Suggestions for the word at the cursor, from the names known now (`known` holds
    /// this editor's language's names).
    pub fn refresh_candidates(&mut self, known: &Known) {
        let text = self.text();
        let site = self.site(&text);
        self.candidates = complete::candidates(known, &text, &site);
        self.chosen = self.chosen.min(self.candidates.len().saturating_sub(1));
    }

    /// Where the cursor is, as a byte offset into `text`.
    fn cursor_offset(&self, text: &str) -> usize {
        let DataCursor(row, col) = self.area.cursor();
        let line_start: usize = text.split('\n').take(row).map(|l| l.len() + 1).sum();
        let line = text.split('\n').nth(row).unwrap_or("");
        let in_line: usize = line.chars().take(col).map(char::len_utf8).sum();
        line_start + in_line
    }

    pub fn site(&self, text: &str) -> Site {
        complete::site_in(self.lang, text, self.cursor_offset(text))
    }

    /// The label (or TraceQL attribute) whose values the completion wants, if any and if
    /// the backend has them to give (so they can be fetched).
    pub fn wanted_label(&self) -> Option<String> {
        match self.site(&self.text()).want {
            Want::LabelValue { label } => Some(label),
            Want::AttributeValue { attr, .. } if complete::fetches_values(self.lang, &attr) => {
                Some(attr)
            }
            _ => None,
        }
    }

    /// Replaces the word at the cursor with the chosen suggestion.
    pub fn accept(&mut self, known: &Known) -> bool {
        let Some(candidate) = self.candidates.get(self.chosen).cloned() else {
            return false;
        };
        let text = self.text();
        let site = self.site(&text);
        let typed_chars = text[site.word.clone()].chars().count();
        for _ in 0..typed_chars {
            self.area.delete_char();
        }
        self.area.insert_str(&candidate.text);
        self.chosen = 0;
        self.changed(Some(known));
        self.candidates.clear();
        true
    }

    pub fn choose(&mut self, delta: isize) {
        let n = self.candidates.len();
        if n > 0 {
            self.chosen = (self.chosen as isize + delta).rem_euclid(n as isize) as usize;
        }
    }

    /// Steps through past queries, newest first (`older`), or back towards the draft.
    pub fn recall(&mut self, entries: &[String], older: bool) {
        if entries.is_empty() {
            return;
        }
        let (index, draft) = match (&self.recall, older) {
            (None, false) => return,
            (None, true) => (entries.len() - 1, self.text()),
            (Some((i, draft)), true) => (i.saturating_sub(1), draft.clone()),
            (Some((i, draft)), false) if i + 1 < entries.len() => (i + 1, draft.clone()),
            (Some((_, draft)), false) => {
                let draft = draft.clone();
                self.set_text(&draft);
                self.recall = None;
                return;
            }
        };
        let entry = entries[index.min(entries.len() - 1)].clone();
        self.set_text(&entry);
        self.recall = Some((index, draft));
    }

    /// The cursor is on the first (or last) line, so Up (or Down) means history.
    pub fn at_edge(&self, top: bool) -> bool {
        let DataCursor(row, _) = self.area.cursor();
        if top {
            row == 0
        } else {
            row + 1 >= self.area.lines().len()
        }
    }
}

/// `line L, col C` in a backend's syntax error.
fn position_in(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.find("line ")? + 5..];
    let (line, rest) = rest.split_once(", col ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_syntax_error_marks_its_position_and_a_clean_check_says_so() {
        let mut editor = Editor::new(QueryLang::LogQL);
        editor.set_text("{service_name=\"payments\"");
        editor.set_remote_check(Err(
            "parse error at line 1, col 26: syntax error: unexpected $end".into(),
        ));
        let error = editor.syntax.clone().expect("an error");
        assert_eq!((error.line, error.column), (1, 26));
        assert!(!editor.checked_ok);
        editor.set_remote_check(Ok(()));
        assert!(editor.syntax.is_none() && editor.checked_ok);
        assert_eq!(position_in("no position here"), None);
    }
}
