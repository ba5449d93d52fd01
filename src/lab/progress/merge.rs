//! Merging imported progress into the current one, so moving machines never loses work.

use super::{ItemProgress, Progress};

/// Fold `imported` into `current`, keeping the most advanced record of each item.
///
/// Importing must never undo anything the learner did on either machine, so each field takes
/// the "further along" value:
/// - `status`: the more advanced (not started < in progress < completed);
/// - `best_score`: the higher one (a score beats none);
/// - `attempts`, `hints_used`, `time_spent_secs`: the maximum, not the sum, so importing the
///   same file twice changes nothing;
/// - `completed_at`: the earlier date (the first completion), or whichever side has one;
/// - `updated_at`: the later date;
/// - `position`: from the side updated more recently (current wins a tie or when unknown);
/// - items only in `imported` are added as they are;
/// - `last_item`: current's if set, else imported's.
///
/// The schema stays `current`'s: import has already checked the imported one is readable.
pub fn merge_import(current: &mut Progress, imported: Progress) {
    for (id, theirs) in imported.items {
        match current.items.get_mut(&id) {
            Some(ours) => merge_item(ours, theirs),
            None => {
                current.items.insert(id, theirs);
            }
        }
    }
    if current.last_item.is_none() {
        current.last_item = imported.last_item;
    }
}

fn merge_item(ours: &mut ItemProgress, theirs: ItemProgress) {
    if theirs.updated_at > ours.updated_at {
        ours.position = theirs.position;
    }
    ours.status = ours.status.max(theirs.status);
    ours.best_score = match (ours.best_score, theirs.best_score) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    ours.attempts = ours.attempts.max(theirs.attempts);
    ours.hints_used = ours.hints_used.max(theirs.hints_used);
    ours.time_spent_secs = ours.time_spent_secs.max(theirs.time_spent_secs);
    ours.completed_at = match (ours.completed_at, theirs.completed_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    ours.updated_at = ours.updated_at.max(theirs.updated_at);
    ours.passed.extend(theirs.passed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::progress::Status;
    use chrono::{DateTime, TimeZone, Utc};

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    fn item(status: Status, updated: i64) -> ItemProgress {
        ItemProgress {
            status,
            updated_at: Some(at(updated)),
            ..ItemProgress::default()
        }
    }

    #[test]
    fn each_field_takes_the_more_advanced_value() {
        let mut current = Progress::default();
        *current.item_mut("a") = ItemProgress {
            attempts: 5,
            best_score: Some(60.0),
            hints_used: 0,
            time_spent_secs: 100,
            position: 10,
            ..item(Status::InProgress, 50)
        };
        let mut imported = Progress::default();
        *imported.item_mut("a") = ItemProgress {
            attempts: 2,
            best_score: Some(80.0),
            hints_used: 3,
            time_spent_secs: 40,
            position: 99,
            completed_at: Some(at(20)),
            ..item(Status::Completed, 20)
        };
        merge_import(&mut current, imported);
        let a = current.item("a");
        assert_eq!(a.status, Status::Completed);
        assert_eq!(a.best_score, Some(80.0));
        assert_eq!(a.attempts, 5);
        assert_eq!(a.hints_used, 3);
        assert_eq!(a.time_spent_secs, 100);
        assert_eq!(a.completed_at, Some(at(20)));
        assert_eq!(a.updated_at, Some(at(50)));
        // current was updated later, so its reading position stays
        assert_eq!(a.position, 10);
    }

    #[test]
    fn never_downgrades_status_or_score() {
        let mut current = Progress::default();
        *current.item_mut("a") = ItemProgress {
            best_score: Some(90.0),
            completed_at: Some(at(5)),
            ..item(Status::Completed, 5)
        };
        let mut imported = Progress::default();
        *imported.item_mut("a") = ItemProgress {
            best_score: None,
            position: 3,
            ..item(Status::NotStarted, 9)
        };
        merge_import(&mut current, imported);
        let a = current.item("a");
        assert_eq!(a.status, Status::Completed);
        assert_eq!(a.best_score, Some(90.0));
        assert_eq!(a.completed_at, Some(at(5)));
        // imported was updated later, so its reading position wins
        assert_eq!(a.position, 3);
        assert_eq!(a.updated_at, Some(at(9)));
    }

    #[test]
    fn keeps_the_first_completion_date() {
        let mut current = Progress::default();
        current.complete("a", at(100));
        let mut imported = Progress::default();
        imported.complete("a", at(10));
        merge_import(&mut current, imported);
        assert_eq!(current.item("a").completed_at, Some(at(10)));
    }

    #[test]
    fn adds_items_only_in_the_import_and_fills_last_item() {
        let mut current = Progress::default();
        current.complete("mine", at(0));
        let mut imported = Progress::default();
        imported.open("theirs", at(1));
        let theirs = imported.item("theirs");
        merge_import(&mut current, imported);
        assert_eq!(current.item("theirs"), theirs);
        assert_eq!(current.item("mine").status, Status::Completed);
        assert_eq!(current.last_item.as_deref(), Some("theirs"));
    }

    #[test]
    fn current_last_item_wins() {
        let mut current = Progress::default();
        current.open("mine", at(0));
        let mut imported = Progress::default();
        imported.open("theirs", at(1));
        merge_import(&mut current, imported);
        assert_eq!(current.last_item.as_deref(), Some("mine"));
    }

    #[test]
    fn importing_the_same_progress_twice_changes_nothing() {
        let mut current = Progress::default();
        current.open("a", at(0));
        current.record_attempt("a", 55.0, at(1));
        current.add_time("a", 60);
        current.item_mut("a").hints_used = 1;
        let snapshot = current.clone();
        merge_import(&mut current, snapshot.clone());
        merge_import(&mut current, snapshot.clone());
        assert_eq!(current, snapshot);
    }
}
