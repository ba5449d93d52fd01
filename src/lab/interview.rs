//! A mock interview from the drills, as plain data: which drills to ask (by id, or a
//! seeded random pick by tag and level), grading an answer by the drill's rubric, the
//! summary's sums and what an answer adds to progress. `labtui interview` and the
//! console's interview mode both ask through it; neither printing nor drawing is here.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::lab::content::{Drill, Expectation};
use crate::lab::grading::{self, Verdict};
use crate::lab::progress::Progress;

/// Points a drill answer is graded out of; the score shown is a percentage of it.
pub const POINTS: u32 = 100;

/// Which drills an interview asks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    /// These drills, in this order (the other fields are then ignored).
    pub ids: Vec<String>,
    /// Only drills with this tag.
    pub tag: Option<String>,
    /// Only drills of this level.
    pub level: Option<u8>,
    /// How many to pick at most (at least one).
    pub count: usize,
    /// The same seed picks the same drills in the same order.
    pub seed: u64,
}

/// Why no interview can be put together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    #[error("no drill {id:?}; the drills are: {}", known.join(", "))]
    UnknownId { id: String, known: Vec<String> },
    #[error("no drill has that tag and level; `labtui drills` lists them with their tags")]
    NoneFits,
}

/// The drills `choice` names, else those matching its tag and level in seeded order.
pub fn choose<'a>(drills: &'a [Drill], choice: &Choice) -> Result<Vec<&'a Drill>, ChoiceError> {
    if !choice.ids.is_empty() {
        return choice
            .ids
            .iter()
            .map(|id| {
                drills
                    .iter()
                    .find(|d| &d.id == id)
                    .ok_or_else(|| ChoiceError::UnknownId {
                        id: id.clone(),
                        known: drills.iter().map(|d| d.id.clone()).collect(),
                    })
            })
            .collect();
    }
    let fitting: Vec<&Drill> = drills
        .iter()
        .filter(|d| choice.tag.as_ref().is_none_or(|t| d.tags.contains(t)))
        .filter(|d| choice.level.is_none_or(|l| d.level == l))
        .collect();
    if fitting.is_empty() {
        return Err(ChoiceError::NoneFits);
    }
    Ok(pick(fitting, choice.count, choice.seed))
}

/// `count` (at least one) of `items` in seeded random order.
pub fn pick<T>(mut items: Vec<T>, count: usize, seed: u64) -> Vec<T> {
    shuffle(&mut items, seed);
    items.truncate(count.max(1));
    items
}

/// A seed from a clock reading: two interviews started at different instants differ,
/// and a fixed clock (as in tests) always picks the same drills.
pub fn seed_at(now: DateTime<Utc>) -> u64 {
    now.timestamp_nanos_opt().map_or(1, |n| n.unsigned_abs())
}

/// Fisher–Yates with a xorshift generator: a seed always gives the same order.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The drill's rubric as an answer expectation (what an answer form is built from).
pub fn expectation(drill: &Drill) -> Expectation {
    Expectation::Text {
        rubric: drill.rubric.clone(),
        pass: drill.pass,
    }
}

/// The answer graded by the drill's rubric, out of [`POINTS`]. Pure and fast.
pub fn grade(drill: &Drill, answer: &str) -> Verdict {
    grading::grade_text(&drill.rubric, drill.pass, POINTS, answer)
}

/// The time an answer should take: `minutes` when given, else the drill's own.
pub fn limit(drill: &Drill, minutes: Option<u32>) -> Duration {
    Duration::from_secs(u64::from(minutes.unwrap_or(drill.minutes)) * 60)
}

/// The verdict as a percentage of its points.
pub fn share(verdict: &Verdict) -> f64 {
    verdict.earned / verdict.max.max(1.0) * 100.0
}

/// One asked drill and how it went.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub id: String,
    pub title: String,
    pub answer: String,
    pub verdict: Verdict,
    pub took: Duration,
    pub limit: Duration,
}

impl Answered {
    /// The score, a percentage.
    pub fn score(&self) -> f64 {
        share(&self.verdict)
    }

    pub fn passed(&self) -> bool {
        self.verdict.correct
    }

    /// Answered later than the time allowed (marked, never cut off).
    pub fn over_time(&self) -> bool {
        self.took > self.limit
    }
}

/// What a whole interview came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub asked: usize,
    pub passed: usize,
    /// The mean score, a percentage (0 when nothing was asked).
    pub mean: f64,
    pub over_time: usize,
    /// The time spent answering, all questions together.
    pub took: Duration,
}

pub fn summarize(answered: &[Answered]) -> Summary {
    let asked = answered.len();
    let total: f64 = answered.iter().map(Answered::score).sum();
    Summary {
        asked,
        passed: answered.iter().filter(|a| a.passed()).count(),
        mean: if asked == 0 {
            0.0
        } else {
            total / asked as f64
        },
        over_time: answered.iter().filter(|a| a.over_time()).count(),
        took: answered.iter().map(|a| a.took).sum(),
    }
}

/// The answer in progress: an attempt with its score and the time it took; a pass
/// completes the drill.
pub fn record(progress: &mut Progress, answered: &Answered, now: DateTime<Utc>) {
    progress.record_attempt(&answered.id, answered.score(), now);
    progress.add_time(&answered.id, answered.took.as_secs());
    if answered.passed() {
        progress.complete(&answered.id, now);
    }
}

/// `4m 05s`.
pub fn minutes_seconds(d: Duration) -> String {
    format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::content::{DrillKind, RubricConcept};
    use crate::lab::progress::Status;

    fn drill(id: &str, tags: &[&str], level: u8) -> Drill {
        Drill {
            id: id.into(),
            title: format!("Drill {id}"),
            level,
            minutes: 5,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            kind: DrillKind::Concept,
            question: "Why?".into(),
            pass: 0.5,
            rubric: vec![
                RubricConcept {
                    concept: "counter".into(),
                    synonyms: vec![],
                    weight: 1.0,
                },
                RubricConcept {
                    concept: "resets".into(),
                    synonyms: vec![],
                    weight: 1.0,
                },
            ],
            discussion: vec![],
            dashboard: None,
            recorded: None,
            source: Default::default(),
            context: String::new(),
            example_answer: String::new(),
        }
    }

    fn drills() -> Vec<Drill> {
        vec![
            drill("a", &["promql"], 1),
            drill("b", &["promql"], 2),
            drill("c", &["slo"], 2),
            drill("d", &["slo", "promql"], 3),
        ]
    }

    fn ids(picked: &[&Drill]) -> Vec<String> {
        picked.iter().map(|d| d.id.clone()).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_order_and_every_item_stays() {
        let mut a: Vec<u32> = (0..10).collect();
        let mut b = a.clone();
        shuffle(&mut a, 42);
        shuffle(&mut b, 42);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        let mut c: Vec<u32> = (0..10).collect();
        shuffle(&mut c, 7);
        assert_ne!(a, c, "another seed, another order");
    }

    #[test]
    fn ids_are_asked_in_order_and_an_unknown_one_lists_the_drills() {
        let all = drills();
        let choice = Choice {
            ids: vec!["c".into(), "a".into()],
            ..Choice::default()
        };
        assert_eq!(ids(&choose(&all, &choice).unwrap()), ["c", "a"]);
        let choice = Choice {
            ids: vec!["zz".into()],
            ..Choice::default()
        };
        let err = choose(&all, &choice).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no drill \"zz\"; the drills are: a, b, c, d"
        );
    }

    #[test]
    fn tag_and_level_filter_then_count_caps_the_seeded_pick() {
        let all = drills();
        let choice = Choice {
            tag: Some("promql".into()),
            count: 2,
            seed: 9,
            ..Choice::default()
        };
        let first = ids(&choose(&all, &choice).unwrap());
        assert_eq!(first.len(), 2);
        assert!(
            first
                .iter()
                .all(|id| ["a", "b", "d"].contains(&id.as_str()))
        );
        assert_eq!(ids(&choose(&all, &choice).unwrap()), first);
        let level = Choice {
            level: Some(2),
            count: 5,
            ..choice.clone()
        };
        let mut got = ids(&choose(&all, &Choice { tag: None, ..level }).unwrap());
        got.sort();
        assert_eq!(got, ["b", "c"]);
        let none = Choice {
            tag: Some("logs".into()),
            ..choice
        };
        assert_eq!(choose(&all, &none), Err(ChoiceError::NoneFits));
    }

    #[test]
    fn the_summary_adds_scores_passes_and_time_and_progress_records_each_answer() {
        let d = drill("a", &[], 1);
        let good = grade(&d, "a counter only resets on restart");
        let bad = grade(&d, "no idea");
        let answered = |verdict: Verdict, secs| Answered {
            id: "a".into(),
            title: "A".into(),
            answer: String::new(),
            verdict,
            took: Duration::from_secs(secs),
            limit: limit(&d, None),
        };
        let all = [answered(good, 100), answered(bad, 400)];
        assert!(!all[0].over_time() && all[1].over_time());
        let s = summarize(&all);
        assert_eq!((s.asked, s.passed, s.over_time), (2, 1, 1));
        assert_eq!(s.took, Duration::from_secs(500));
        assert!((s.mean - 50.0).abs() < 1e-9, "{s:?}");
        assert_eq!(summarize(&[]).mean, 0.0);

        let mut progress = Progress::default();
        let now = Utc::now();
        record(&mut progress, &all[1], now);
        assert_eq!(progress.item("a").status, Status::InProgress);
        record(&mut progress, &all[0], now);
        let item = progress.item("a");
        assert_eq!((item.attempts, item.best_score), (2, Some(100.0)));
        assert_eq!(item.status, Status::Completed);
        assert_eq!(item.time_spent_secs, 500);
        assert_eq!(minutes_seconds(Duration::from_secs(125)), "2m 05s");
    }
}
