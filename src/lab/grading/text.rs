//! Free-text answers graded by a rubric: each concept (or one of its synonyms) the answer
//! mentions earns its weight; the answer passes when the mentioned share reaches `pass`.

use super::Verdict;
use crate::lab::content::{DEFAULT_PASS, RubricConcept};

/// Word endings a concept may take and still count: `reset` matches `resets`, `resetting`
/// does not (a synonym covers that).
const ENDINGS: [&str; 5] = ["s", "es", "ed", "d", "ing"];

/// Grades free text: `points × share` of the rubric weight mentioned when the share is at
/// least `pass`, else 0. Matching ignores case and punctuation and works on whole words.
pub fn grade_text(rubric: &[RubricConcept], pass: f64, points: u32, answer: &str) -> Verdict {
    let max = f64::from(points);
    let weight = |c: &RubricConcept| {
        if c.weight.is_finite() {
            c.weight.max(0.0)
        } else {
            0.0
        }
    };
    let total: f64 = rubric.iter().map(weight).sum();
    if total <= 0.0 {
        return Verdict::wrong(
            max,
            "this question has no rubric to grade by: run `labtui check` on the content",
        );
    }
    let pass = if pass.is_finite() && pass > 0.0 {
        pass.min(1.0)
    } else {
        DEFAULT_PASS
    };
    let words = normalize(answer);
    if words.trim().is_empty() {
        return Verdict::wrong(max, "no answer: write a few sentences");
    }
    let mut matched = Vec::new();
    let mut missed = Vec::new();
    let mut got = 0.0;
    for concept in rubric {
        let found = std::iter::once(&concept.concept)
            .chain(&concept.synonyms)
            .any(|phrase| mentions(&words, phrase));
        if found {
            got += weight(concept);
            matched.push(concept.concept.clone());
        } else {
            missed.push(concept.concept.clone());
        }
    }
    let share = got / total;
    let correct = share + 1e-9 >= pass;
    let percent = |f: f64| format!("{:.0}%", f * 100.0);
    let mut feedback = vec![format!(
        "mentions {} of {} concepts ({} of the weight; {} passes)",
        matched.len(),
        rubric.len(),
        percent(share),
        percent(pass)
    )];
    if !missed.is_empty() {
        feedback.push(format!("not mentioned: {}", missed.join(", ")));
    }
    Verdict {
        earned: if correct { max * share.min(1.0) } else { 0.0 },
        max,
        correct,
        feedback,
        matched,
        missed,
    }
}

/// Lower case, every run of non-alphanumerics one space, a space at both ends.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Whether the normalized `words` contain `phrase` as whole words (its last word may take
/// one of [`ENDINGS`]).
fn mentions(words: &str, phrase: &str) -> bool {
    let needle = normalize(phrase);
    let needle = needle.trim_end();
    if needle.trim().is_empty() {
        return false;
    }
    words.match_indices(needle).any(|(at, m)| {
        let rest = &words[at + m.len()..];
        let tail = &rest[..rest.find(' ').unwrap_or(rest.len())];
        tail.is_empty() || ENDINGS.contains(&tail)
    })
}
