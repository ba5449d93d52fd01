//! Checks one parsed item on its own: ranges, ids, components, expectations, challenge and
//! drill rules. Checks across items (unique ids, prerequisites) live in the catalog.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::model::FaultSpec;
use super::model::{
    COMPONENTS, Challenge, Drill, Expectation, Lesson, RubricConcept, parse_window,
};
use super::problem::Problem;
use super::spans::{Located, Seg, key_path};
use crate::lab::faults;
use crate::lab::grading::choice::{self, loose, squash};

/// True for kebab-case ids: `^[a-z0-9]+(-[a-z0-9]+)*$`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// True for snake_case fault names: `^[a-z][a-z0-9_]*$`.
pub fn is_valid_fault_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Collects problems for one file.
pub struct Checker<'a> {
    loc: &'a Located,
    pub problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    /// A challenge's fault must exist in the catalogue, with a target and parameters it
    /// accepts: a typo would only show when a learner starts the challenge.
    fn check_against_catalogue(&mut self, i: usize, fault: &FaultSpec) {
        let catalogue = faults::catalogue();
        let def = match catalogue.get(&fault.name) {
            Ok(def) => def,
            Err(e) => {
                if is_valid_fault_name(&fault.name) {
                    self.report(&key_path!["faults", i, "name"], e.to_string());
                }
                return;
            }
        };
        if let Err(e) = def.resolve_target(fault.target.as_deref()) {
            self.report(&key_path!["faults", i, "target"], e.to_string());
        }
        let given = fault
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        if let Err(e) = def.resolve_params(&given) {
            self.report(&key_path!["faults", i, "params"], e.to_string());
        }
    }

    pub fn new(loc: &'a Located) -> Self {
        Self {
            loc,
            problems: Vec::new(),
        }
    }

    fn report(&mut self, path: &[Seg], message: impl Into<String>) {
        self.problems.push(self.loc.at(path, message));
    }

    pub fn lesson(&mut self, lesson: &Lesson) {
        self.common(&lesson.id, &lesson.title, lesson.level, lesson.minutes);
        self.components(&lesson.components);
        let mut ids = HashSet::new();
        for (i, ex) in lesson.exercises.iter().enumerate() {
            self.sub_id(
                &key_path!["exercises", i, "id"],
                &ex.id,
                &mut ids,
                "exercise",
            );
            self.non_empty(&key_path!["exercises", i, "prompt"], &ex.prompt);
            self.non_empty(&key_path!["exercises", i, "solution"], &ex.solution);
            self.points(&key_path!["exercises", i, "points"], ex.points);
            self.expectation(&key_path!["exercises", i, "expect"], &ex.expect);
        }
    }

    pub fn challenge(&mut self, ch: &Challenge) {
        self.common(&ch.id, &ch.title, ch.level, ch.minutes);
        self.components(&ch.components);
        if ch.faults.is_empty() {
            self.report(
                &key_path!["faults"],
                "add at least one [[faults]] table: the fault the challenge injects",
            );
        }
        for (i, fault) in ch.faults.iter().enumerate() {
            if !is_valid_fault_name(&fault.name) {
                self.report(
                    &key_path!["faults", i, "name"],
                    format!(
                        "`{}` is not a fault name: use snake_case like `error_rate`",
                        fault.name
                    ),
                );
            }
            if fault.target.as_deref().is_some_and(|t| t.trim().is_empty()) {
                self.report(
                    &key_path!["faults", i, "target"],
                    "is empty: name a shop service or stack component, or remove the key",
                );
                continue;
            }
            self.check_against_catalogue(i, fault);
        }
        if ch.questions.is_empty() {
            self.report(
                &key_path!["questions"],
                "add at least one [[questions]] table: what the learner must find out",
            );
        }
        let mut ids = HashSet::new();
        for (i, q) in ch.questions.iter().enumerate() {
            self.sub_id(
                &key_path!["questions", i, "id"],
                &q.id,
                &mut ids,
                "question",
            );
            self.non_empty(&key_path!["questions", i, "prompt"], &q.prompt);
            self.points(&key_path!["questions", i, "points"], q.points);
            self.expectation(&key_path!["questions", i, "expect"], &q.expect);
        }
        for (i, hint) in ch.hints.iter().enumerate() {
            self.non_empty(&key_path!["hints", i, "text"], &hint.text);
        }
        let cost: u64 = ch.hints.iter().map(|h| u64::from(h.cost)).sum();
        let points: u64 = ch.questions.iter().map(|q| u64::from(q.points)).sum();
        // With no points at all the questions are already reported; say it once.
        if !ch.hints.is_empty() && points > 0 && cost >= points {
            self.report(
                &key_path!["hints"],
                format!(
                    "hint costs add up to {cost}, which must be less than the {points} points \
                     the questions are worth; lower the costs"
                ),
            );
        }
        let gt = &ch.ground_truth;
        self.non_empty(&key_path!["ground_truth", "service"], &gt.service);
        self.non_empty(&key_path!["ground_truth", "summary"], &gt.summary);
        if !ch.faults.is_empty() && !ch.faults.iter().any(|f| f.name == gt.fault) {
            let names: Vec<_> = ch.faults.iter().map(|f| f.name.as_str()).collect();
            self.report(
                &key_path!["ground_truth", "fault"],
                format!(
                    "`{}` is not one of this challenge's [[faults]] ({})",
                    gt.fault,
                    names.join(", ")
                ),
            );
        }
    }

    pub fn drill(&mut self, drill: &Drill) {
        self.common(&drill.id, &drill.title, drill.level, drill.minutes);
        self.non_empty(&key_path!["question"], &drill.question);
        self.rubric(&[], &drill.rubric, drill.pass);
    }

    fn common(&mut self, id: &str, title: &str, level: u8, minutes: u32) {
        if !is_valid_id(id) {
            self.report(
                &key_path!["id"],
                format!(
                    "`{id}` is not a valid id: use lowercase letters, digits and single dashes, \
                     like `rate-per-route`"
                ),
            );
        }
        self.non_empty(&key_path!["title"], title);
        if !(1..=5).contains(&level) {
            self.report(
                &key_path!["level"],
                format!("must be 1 (beginner) to 5 (expert), not {level}"),
            );
        }
        if minutes == 0 {
            self.report(&key_path!["minutes"], "must be more than 0");
        }
    }

    fn components(&mut self, components: &[String]) {
        for (i, name) in components.iter().enumerate() {
            if !COMPONENTS.contains(&name.as_str()) {
                self.report(
                    &key_path!["components", i],
                    format!(
                        "unknown component `{name}`; use one of {}",
                        COMPONENTS.join(", ")
                    ),
                );
            }
        }
    }

    fn sub_id(&mut self, at: &[Seg], id: &str, seen: &mut HashSet<String>, what: &str) {
        if !is_valid_id(id) {
            self.report(
                at,
                format!("`{id}` is not a valid {what} id: use kebab-case like `find-the-service`"),
            );
        } else if !seen.insert(id.to_owned()) {
            self.report(at, format!("two {what}s are called `{id}`; rename one"));
        }
    }

    fn non_empty(&mut self, at: &[Seg], text: &str) {
        if text.trim().is_empty() {
            self.report(at, "must not be empty");
        }
    }

    fn points(&mut self, at: &[Seg], points: u32) {
        if points == 0 {
            self.report(at, "must be more than 0 (or leave it out for 10)");
        }
    }

    fn expectation(&mut self, at: &[Seg], expect: &Expectation) {
        let key = |k: &str| {
            let mut p = at.to_vec();
            p.push(Seg::from(k));
            p
        };
        match expect {
            Expectation::Choice {
                options,
                answer,
                answers,
                aliases,
            } => self.choice(at, options, answer.as_deref(), answers, aliases),
            Expectation::Number {
                value,
                reference,
                tolerance,
                tolerance_pct,
                ..
            } => {
                match (value, reference) {
                    (Some(_), Some(_)) => self.report(
                        &key("reference"),
                        "give either `value` or `reference`, not both",
                    ),
                    (None, None) => self.report(
                        at,
                        "needs `value = <number>` or `reference = \"<PromQL returning one value>\"`",
                    ),
                    (Some(v), None) if !v.is_finite() => {
                        self.report(&key("value"), "must be a finite number")
                    }
                    _ => {}
                }
                if tolerance.is_some() && tolerance_pct.is_some() {
                    self.report(
                        &key("tolerance_pct"),
                        "give either `tolerance` (absolute) or `tolerance_pct` (percent), not both",
                    );
                }
                if let Some(t) = tolerance
                    && !(t.is_finite() && *t >= 0.0)
                {
                    self.report(&key("tolerance"), format!("must be 0 or more, not {t}"));
                }
                if let Some(t) = tolerance_pct
                    && !(t.is_finite() && *t > 0.0)
                {
                    self.report(
                        &key("tolerance_pct"),
                        format!("must be a percentage above 0, not {t}"),
                    );
                }
            }
            Expectation::Query { window, .. } => {
                if parse_window(window).is_none() {
                    self.report(
                        &key("window"),
                        format!(
                            "`{window}` is not a duration: digits then ms, s, m, h, d or w, like \"5m\""
                        ),
                    );
                }
            }
            Expectation::Text { rubric, pass } => self.rubric(at, rubric, *pass),
        }
    }

    /// Options are unique even once case and spaces are ignored (the grader ignores
    /// them); the right answers are options; aliases name an option or a part of one and
    /// never another option.
    fn choice(
        &mut self,
        at: &[Seg],
        options: &[String],
        answer: Option<&str>,
        answers: &[String],
        aliases: &BTreeMap<String, Vec<String>>,
    ) {
        let key = |k: &str| {
            let mut p = at.to_vec();
            p.push(Seg::from(k));
            p
        };
        let indexed = |k: &str, i: usize| {
            let mut p = key(k);
            p.push(Seg::Index(i));
            p
        };
        if options.len() < 2 {
            self.report(&key("options"), "give at least 2 options to choose from");
        }
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (i, option) in options.iter().enumerate() {
            let p = indexed("options", i);
            if squash(option).is_empty() {
                self.report(
                    &p,
                    "an option must not be empty (letters or digits, please)",
                );
            } else if let Some(earlier) = seen.get(&loose(option)) {
                if *earlier == option.as_str() {
                    self.report(&p, format!("`{option}` is listed twice"));
                } else {
                    self.report(
                        &p,
                        format!(
                            "`{option}` reads the same as `{earlier}` once case and spaces are \
                             ignored; make them differ"
                        ),
                    );
                }
            } else {
                seen.insert(loose(option), option);
            }
        }
        let squashed: HashMap<String, &str> =
            options.iter().map(|o| (squash(o), o.as_str())).collect();
        match (answer, answers.is_empty()) {
            (None, true) => self.report(
                at,
                "needs `answer = \"<option>\"` or `answers = [\"<option>\", ...]` (several right options)",
            ),
            (Some(_), false) => self.report(
                &key("answers"),
                "give either `answer` (one right option) or `answers` (several), not both",
            ),
            _ => {}
        }
        if let Some(answer) = answer
            && !options.iter().any(|o| o == answer)
        {
            self.report(
                &key("answer"),
                format!("`{answer}` is not one of the options"),
            );
        }
        let mut listed = HashSet::new();
        for (i, answer) in answers.iter().enumerate() {
            if !options.contains(answer) {
                self.report(
                    &indexed("answers", i),
                    format!("`{answer}` is not one of the options"),
                );
            } else if !listed.insert(answer.as_str()) {
                self.report(
                    &indexed("answers", i),
                    format!("`{answer}` is listed twice"),
                );
            }
        }
        let parts: HashSet<String> = options
            .iter()
            .flat_map(|o| choice::parts(o).unwrap_or_default())
            .map(|p| squash(&p))
            .collect();
        for (name, spellings) in aliases {
            let mut p = key("aliases");
            p.push(Seg::from(name.as_str()));
            let target = squash(name);
            if !squashed.contains_key(&target) && !parts.contains(&target) {
                self.report(
                    &p,
                    format!(
                        "`{name}` is not an option or a part of one (`service/fault`); \
                         aliases are other spellings of an option"
                    ),
                );
                continue;
            }
            for spelling in spellings {
                let s = squash(spelling);
                if s.is_empty() {
                    self.report(&p, "an alias must not be empty");
                } else if s != target
                    && let Some(other) = squashed.get(&s)
                {
                    self.report(
                        &p,
                        format!("`{spelling}` is the option `{other}`: an alias must not name another option"),
                    );
                }
            }
        }
    }

    fn rubric(&mut self, at: &[Seg], rubric: &[RubricConcept], pass: f64) {
        let key = |k: &str| {
            let mut p = at.to_vec();
            p.push(Seg::from(k));
            p
        };
        if !(pass > 0.0 && pass <= 1.0) {
            self.report(
                &key("pass"),
                format!("must be a fraction above 0 and at most 1, not {pass}"),
            );
        }
        if rubric.is_empty() {
            self.report(
                &key("rubric"),
                "add at least one [[rubric]] concept the answer should mention",
            );
        }
        for (i, concept) in rubric.iter().enumerate() {
            let mut p = key("rubric");
            p.push(Seg::Index(i));
            let sub = |k: &str| {
                let mut q = p.clone();
                q.push(Seg::from(k));
                q
            };
            self.non_empty(&sub("concept"), &concept.concept);
            if !(concept.weight.is_finite() && concept.weight > 0.0) {
                self.report(
                    &sub("weight"),
                    format!("must be above 0, not {}", concept.weight),
                );
            }
            if concept.synonyms.iter().any(|s| s.trim().is_empty()) {
                self.report(&sub("synonyms"), "a synonym must not be empty");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case() {
        for good in ["a", "rate-per-route", "p95-2", "01-intro"] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in ["", "Rate", "rate_per", "-a", "a-", "a--b", "a b", "é"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn fault_names_are_snake_case() {
        assert!(is_valid_fault_name("error_rate"));
        assert!(is_valid_fault_name("latency2"));
        for bad in ["", "Error", "2fast", "error-rate", "_x"] {
            assert!(!is_valid_fault_name(bad), "{bad}");
        }
    }
}
