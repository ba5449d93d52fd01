//! Progress: what the learner has done, kept across runs.
//!
//! The model here is pure data with pure methods (no I/O, no clock: callers pass `now`);
//! `store` reads and writes it atomically, and `merge` combines an imported copy.

mod merge;
mod store;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use merge::merge_import;
pub use store::{
    Loaded, ProgressError, Unreadable, export, import, load, parse, save, write_atomic,
};

/// The progress file format this build writes and the newest one it can read.
///
/// Bump it when a change would make an older labtui misread the file; older files keep
/// loading because every item field has a default.
pub const CURRENT_SCHEMA: u32 = 1;

/// Everything the learner has done, keyed by lesson, challenge or drill id.
///
/// A `BTreeMap` keeps the file's item order stable, so saves produce small, readable diffs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Format version of the file this came from (see [`CURRENT_SCHEMA`]).
    pub schema: u32,
    /// Per-item progress; an absent item has not been started.
    #[serde(default)]
    pub items: BTreeMap<String, ItemProgress>,
    /// The item opened most recently, so the next run can offer to continue there.
    #[serde(default)]
    pub last_item: Option<String>,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            schema: CURRENT_SCHEMA,
            items: BTreeMap::new(),
            last_item: None,
        }
    }
}

/// Progress on one lesson, challenge or drill.
///
/// Every field defaults, so a file written before a field existed still loads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemProgress {
    pub status: Status,
    /// Graded attempts made (challenge answers, exercise checks, drill answers).
    pub attempts: u32,
    /// Highest score over all attempts; `None` until the first graded attempt.
    pub best_score: Option<f64>,
    /// Hints revealed, which graders turn into penalties.
    pub hints_used: u32,
    /// Time spent with the item open, summed over runs.
    pub time_spent_secs: u64,
    /// Reader scroll line, so reopening a lesson lands where the learner left off.
    pub position: u32,
    /// Last time anything about this item changed.
    pub updated_at: Option<DateTime<Utc>>,
    /// First time the item was completed; kept when it is completed again.
    pub completed_at: Option<DateTime<Utc>>,
    /// A lesson's exercises answered right at least once, by exercise id.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub passed: BTreeSet<String>,
}

/// How far the learner got with an item; ordered from least to most advanced.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    NotStarted,
    InProgress,
    Completed,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Completed => "completed",
        })
    }
}

impl Progress {
    /// A copy of one item's progress; an item never touched reads as not started.
    pub fn item(&self, id: &str) -> ItemProgress {
        self.items.get(id).cloned().unwrap_or_default()
    }

    /// The item's progress for editing, created (not started) when absent.
    pub fn item_mut(&mut self, id: &str) -> &mut ItemProgress {
        self.items.entry(id.to_owned()).or_default()
    }

    /// The learner opened an item: start it if new and remember it as the one to resume.
    ///
    /// A completed item stays completed when reopened for review.
    pub fn open(&mut self, id: &str, now: DateTime<Utc>) {
        let item = self.item_mut(id);
        if item.status == Status::NotStarted {
            item.status = Status::InProgress;
        }
        item.updated_at = Some(now);
        self.last_item = Some(id.to_owned());
    }

    /// Add time spent with the item open (saturating, so a bad clock cannot wrap it).
    pub fn add_time(&mut self, id: &str, secs: u64) {
        let item = self.item_mut(id);
        item.time_spent_secs = item.time_spent_secs.saturating_add(secs);
    }

    /// Remember the reader's scroll line for the item.
    pub fn set_position(&mut self, id: &str, line: u32) {
        self.item_mut(id).position = line;
    }

    /// Mark the item completed; the first completion date is kept on later completions.
    pub fn complete(&mut self, id: &str, now: DateTime<Utc>) {
        let item = self.item_mut(id);
        item.status = Status::Completed;
        item.completed_at.get_or_insert(now);
        item.updated_at = Some(now);
    }

    /// Count a graded attempt and keep the best score; an attempt also starts the item.
    ///
    /// A NaN score is counted as an attempt but never becomes the best score.
    pub fn record_attempt(&mut self, id: &str, score: f64, now: DateTime<Utc>) {
        let item = self.item_mut(id);
        item.attempts = item.attempts.saturating_add(1);
        if !score.is_nan() {
            item.best_score = Some(match item.best_score {
                Some(best) => best.max(score),
                None => score,
            });
        }
        if item.status == Status::NotStarted {
            item.status = Status::InProgress;
        }
        item.updated_at = Some(now);
    }

    /// A lesson exercise was answered: count the attempt and, if it was right, remember it.
    /// Once every exercise in `all` has passed, the lesson is completed; returns whether
    /// this answer completed it.
    pub fn record_exercise(
        &mut self,
        lesson: &str,
        exercise: &str,
        passed: bool,
        all: &[&str],
        now: DateTime<Utc>,
    ) -> bool {
        let item = self.item_mut(lesson);
        item.attempts = item.attempts.saturating_add(1);
        if item.status == Status::NotStarted {
            item.status = Status::InProgress;
        }
        item.updated_at = Some(now);
        if passed {
            item.passed.insert(exercise.to_owned());
        }
        let done = !all.is_empty() && all.iter().all(|e| item.passed.contains(*e));
        let newly = done && item.status != Status::Completed;
        if newly {
            self.complete(lesson, now);
        }
        newly
    }

    /// Forget one item, as if never started; returns whether there was anything to forget.
    pub fn reset(&mut self, id: &str) -> bool {
        if self.last_item.as_deref() == Some(id) {
            self.last_item = None;
        }
        self.items.remove(id).is_some()
    }

    /// Forget everything (the schema stays current).
    pub fn reset_all(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn absent_item_reads_as_not_started_without_being_created() {
        let p = Progress::default();
        assert_eq!(p.item("promql-1"), ItemProgress::default());
        assert_eq!(p.item("promql-1").status, Status::NotStarted);
        assert!(p.items.is_empty());
        assert_eq!(p.schema, CURRENT_SCHEMA);
    }

    #[test]
    fn a_lesson_completes_when_its_last_exercise_passes_and_wrong_answers_only_count() {
        let mut p = Progress::default();
        let all = ["e1", "e2"];
        assert!(!p.record_exercise("l", "e1", false, &all, at(0)));
        assert_eq!(p.item("l").status, Status::InProgress);
        assert!(!p.record_exercise("l", "e1", true, &all, at(1)));
        assert!(p.record_exercise("l", "e2", true, &all, at(2)));
        let l = p.item("l");
        assert_eq!(
            (l.status, l.attempts, l.passed.len()),
            (Status::Completed, 3, 2)
        );
        assert!(
            !p.record_exercise("l", "e2", true, &all, at(3)),
            "completed once"
        );
        let json = serde_json::to_string(&p).unwrap();
        let back: Progress = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p, "passed exercises survive a save");
        assert!(
            !serde_json::to_string(&ItemProgress::default())
                .unwrap()
                .contains("passed")
        );
    }

    #[test]
    fn item_mut_creates_the_item() {
        let mut p = Progress::default();
        p.item_mut("a").hints_used = 2;
        assert_eq!(p.item("a").hints_used, 2);
        assert_eq!(p.items.len(), 1);
    }

    #[test]
    fn open_starts_a_new_item_and_remembers_it() {
        let mut p = Progress::default();
        p.open("a", at(0));
        let a = p.item("a");
        assert_eq!(a.status, Status::InProgress);
        assert_eq!(a.updated_at, Some(at(0)));
        assert_eq!(p.last_item.as_deref(), Some("a"));
        p.open("b", at(5));
        assert_eq!(p.last_item.as_deref(), Some("b"));
    }

    #[test]
    fn reopening_a_completed_item_keeps_it_completed() {
        let mut p = Progress::default();
        p.complete("a", at(0));
        p.open("a", at(10));
        assert_eq!(p.item("a").status, Status::Completed);
        assert_eq!(p.item("a").updated_at, Some(at(10)));
    }

    #[test]
    fn add_time_accumulates_and_saturates() {
        let mut p = Progress::default();
        p.add_time("a", 30);
        p.add_time("a", 12);
        assert_eq!(p.item("a").time_spent_secs, 42);
        p.add_time("a", u64::MAX);
        assert_eq!(p.item("a").time_spent_secs, u64::MAX);
    }

    #[test]
    fn set_position_overwrites() {
        let mut p = Progress::default();
        p.set_position("a", 40);
        p.set_position("a", 7);
        assert_eq!(p.item("a").position, 7);
    }

    #[test]
    fn complete_keeps_the_first_completion_date() {
        let mut p = Progress::default();
        p.complete("a", at(0));
        p.complete("a", at(100));
        let a = p.item("a");
        assert_eq!(a.status, Status::Completed);
        assert_eq!(a.completed_at, Some(at(0)));
        assert_eq!(a.updated_at, Some(at(100)));
    }

    #[test]
    fn record_attempt_counts_and_keeps_the_best_score() {
        let mut p = Progress::default();
        p.record_attempt("c", 40.0, at(0));
        assert_eq!(p.item("c").status, Status::InProgress);
        p.record_attempt("c", 90.0, at(1));
        p.record_attempt("c", 70.0, at(2));
        p.record_attempt("c", f64::NAN, at(3));
        let c = p.item("c");
        assert_eq!(c.attempts, 4);
        assert_eq!(c.best_score, Some(90.0));
        assert_eq!(c.updated_at, Some(at(3)));
    }

    #[test]
    fn record_attempt_does_not_downgrade_a_completed_item() {
        let mut p = Progress::default();
        p.complete("c", at(0));
        p.record_attempt("c", 10.0, at(1));
        assert_eq!(p.item("c").status, Status::Completed);
    }

    #[test]
    fn reset_forgets_one_item_and_reports_whether_it_existed() {
        let mut p = Progress::default();
        p.open("a", at(0));
        p.complete("b", at(0));
        assert!(p.reset("a"));
        assert!(!p.reset("a"));
        assert_eq!(p.last_item, None);
        assert_eq!(p.item("b").status, Status::Completed);
    }

    #[test]
    fn reset_keeps_last_item_when_another_item_is_reset() {
        let mut p = Progress::default();
        p.complete("b", at(0));
        p.open("a", at(1));
        assert!(p.reset("b"));
        assert_eq!(p.last_item.as_deref(), Some("a"));
    }

    #[test]
    fn reset_all_returns_to_default() {
        let mut p = Progress::default();
        p.open("a", at(0));
        p.record_attempt("b", 1.0, at(0));
        p.reset_all();
        assert_eq!(p, Progress::default());
    }

    #[test]
    fn status_displays_in_words_and_serializes_in_snake_case() {
        assert_eq!(Status::NotStarted.to_string(), "not started");
        assert_eq!(Status::InProgress.to_string(), "in progress");
        assert_eq!(Status::Completed.to_string(), "completed");
        assert_eq!(
            serde_json::to_string(&Status::InProgress).unwrap(),
            "\"in_progress\""
        );
        assert!(Status::NotStarted < Status::InProgress);
        assert!(Status::InProgress < Status::Completed);
    }

    #[test]
    fn item_fields_missing_from_a_file_default() {
        let json = r#"{"schema":1,"items":{"a":{"status":"completed"}}}"#;
        let p: Progress = serde_json::from_str(json).unwrap();
        let a = p.item("a");
        assert_eq!(a.status, Status::Completed);
        assert_eq!(a.attempts, 0);
        assert_eq!(a.best_score, None);
        assert_eq!(p.last_item, None);
    }
}
