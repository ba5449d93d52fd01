//! Choice questions: one right option, several, or a `service/fault` pair graded part by
//! part. Options are named by their text, an alias, or their 1-based number.
//!
//! Text is matched in two steps: first ignoring case and spaces ([`loose`]), then also
//! ignoring punctuation ([`squash`]) when that still names exactly one option. Options
//! that differ only in punctuation (two LogQL selectors, say) stay apart: typed exactly
//! they match their own option, and a sloppy spelling of either is reported as ambiguous.

use std::collections::BTreeMap;

use super::{Verdict, shown};

/// Picks read from one answer at most; more is not an answer but a list of everything.
const MAX_PICKS: usize = 64;

/// Longer than [`MAX_PICKS`] options could ever be: refused before it is read, so a pasted
/// megabyte costs nothing.
const MAX_CHOICE_BYTES: usize = 16 * 1024;

/// `text` lower-cased without whitespace: `Payments`, ` payments ` and `pay ments` all
/// read `payments`. Two options must differ in this form (`labtui check` says so).
pub fn loose(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `text` lower-cased with only its letters and digits: `Payments`, ` payments ` and
/// `pay-ments` all read `payments`. Used when the [`loose`] form names no option.
pub fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The parts of a compound option such as `payments/latency`: two or more, split at `/`,
/// none empty once squashed. `None` for a plain option (`/api/cart` has an empty first
/// part, so a route stays one option).
pub fn parts(text: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = text.split('/').map(|p| p.trim().to_owned()).collect();
    (parts.len() >= 2 && parts.iter().all(|p| !squash(p).is_empty())).then_some(parts)
}

/// Grades a choice. `answers` are the right options (one or several); `aliases` maps an
/// option or a part of one to other spellings. See the module docs of [`super`] for the
/// points.
pub fn grade_choice(
    options: &[String],
    answers: &[&str],
    aliases: &BTreeMap<String, Vec<String>>,
    points: u32,
    answer: &str,
) -> Verdict {
    let max = f64::from(points);
    let matcher = Matcher::new(options, aliases);
    let mut right: Vec<usize> = Vec::new();
    for a in answers {
        match options.iter().position(|o| o == a) {
            Some(i) if !right.contains(&i) => right.push(i),
            Some(_) => {}
            None => return Verdict::wrong(max, broken_question()),
        }
    }
    if right.is_empty() {
        return Verdict::wrong(max, broken_question());
    }
    let text = answer.trim();
    if text.len() > MAX_CHOICE_BYTES {
        return Verdict::wrong(
            max,
            format!(
                "this answer is too long ({} KiB) to be a choice: name one of the options by                  its text or its number (1 to {})",
                text.len() / 1024,
                options.len()
            ),
        );
    }
    if squash(text).is_empty() {
        return Verdict::wrong(
            max,
            format!(
                "no answer: name one of the options by its text or its number (1 to {})",
                options.len()
            ),
        );
    }
    let picks = if !matches!(matcher.lookup(text), Lookup::None) {
        vec![text.to_owned()]
    } else {
        split_picks(text)
    };
    if picks.len() > MAX_PICKS {
        return Verdict::wrong(
            max,
            format!(
                "{} picks is a list of everything, not an answer",
                picks.len()
            ),
        );
    }
    if let [one] = right.as_slice() {
        matcher.single(*one, &picks, text, max)
    } else {
        matcher.several(&right, &picks, max)
    }
}

fn broken_question() -> &'static str {
    "this question's answer is not one of its options: run `labtui check` on the content"
}

/// Splits a list of picks at commas, semicolons, new lines, `|`, `&` and the word `and`.
fn split_picks(text: &str) -> Vec<String> {
    let mut picks = Vec::new();
    for piece in text.split([',', ';', '\n', '\r', '|', '&']) {
        let mut words: Vec<&str> = Vec::new();
        for word in piece.split_whitespace() {
            if word.eq_ignore_ascii_case("and") {
                if !words.is_empty() {
                    picks.push(words.join(" "));
                }
                words.clear();
            } else {
                words.push(word);
            }
        }
        if !words.is_empty() {
            picks.push(words.join(" "));
        }
        if picks.len() > MAX_PICKS {
            break;
        }
    }
    picks.retain(|p| !squash(p).is_empty());
    picks
}

/// Splits a compound answer into its parts: at `/` and wherever a list splits.
fn split_parts(text: &str) -> Vec<String> {
    split_picks(text)
        .iter()
        .flat_map(|p| p.split('/').map(str::to_owned).collect::<Vec<_>>())
        .filter(|p| !squash(p).is_empty())
        .take(MAX_PICKS + 1)
        .collect()
}

/// What a pick names.
enum Lookup {
    One(usize),
    Ambiguous,
    None,
}

struct Matcher<'a> {
    options: &'a [String],
    loose: Vec<String>,
    squashed: Vec<String>,
    /// (squashed option or part, squashed alias)
    aliases: Vec<(String, String)>,
}

impl<'a> Matcher<'a> {
    fn new(options: &'a [String], aliases: &BTreeMap<String, Vec<String>>) -> Self {
        Self {
            options,
            loose: options.iter().map(|o| loose(o)).collect(),
            squashed: options.iter().map(|o| squash(o)).collect(),
            aliases: aliases
                .iter()
                .flat_map(|(name, spellings)| {
                    spellings.iter().map(move |s| (squash(name), squash(s)))
                })
                .filter(|(_, s)| !s.is_empty())
                .collect(),
        }
    }

    /// The option `pick` names, by its text, an alias or its 1-based number.
    fn option(&self, pick: &str) -> Option<usize> {
        match self.lookup(pick) {
            Lookup::One(i) => Some(i),
            Lookup::Ambiguous | Lookup::None => None,
        }
    }

    fn lookup(&self, pick: &str) -> Lookup {
        let s = squash(pick);
        if s.is_empty() {
            return Lookup::None;
        }
        let l = loose(pick);
        if let Some(i) = self.loose.iter().position(|o| *o == l) {
            return Lookup::One(i);
        }
        let mut same = self.squashed.iter().enumerate().filter(|(_, o)| **o == s);
        match (same.next(), same.next()) {
            (Some((i, _)), None) => return Lookup::One(i),
            (Some(_), Some(_)) => return Lookup::Ambiguous,
            _ => {}
        }
        let targets: Vec<&String> = self
            .aliases
            .iter()
            .filter(|(_, a)| *a == s)
            .map(|(t, _)| t)
            .collect();
        let mut named = self
            .squashed
            .iter()
            .enumerate()
            .filter(|(_, o)| targets.contains(o));
        match (named.next(), named.next()) {
            (Some((i, _)), None) => return Lookup::One(i),
            (Some(_), Some(_)) => return Lookup::Ambiguous,
            _ => {}
        }
        let number = pick
            .trim()
            .trim_start_matches('#')
            .trim_end_matches(['.', ')']);
        if (1..=3).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) {
            let n: usize = number.parse().unwrap_or(0);
            if (1..=self.options.len()).contains(&n) {
                return Lookup::One(n - 1);
            }
        }
        Lookup::None
    }

    /// Why `pick` names no option, for feedback.
    fn unknown(&self, pick: &str) -> String {
        match self.lookup(pick) {
            Lookup::Ambiguous => format!(
                "`{}` could be more than one option once punctuation is ignored: type the \
                 option exactly or give its number (1 to {})",
                shown(pick),
                self.options.len()
            ),
            _ => format!(
                "`{}` is not one of the options: answer with an option's text or its number \
                 (1 to {})",
                shown(pick),
                self.options.len()
            ),
        }
    }

    /// Whether a squashed piece of an answer names `part` (by its text or an alias).
    fn names_part(&self, piece: &str, part: &str) -> bool {
        let p = squash(part);
        piece == p || self.aliases.iter().any(|(t, a)| *t == p && a == piece)
    }

    fn single(&self, right: usize, picks: &[String], text: &str, max: f64) -> Verdict {
        let answer = &self.options[right];
        let compound = parts(answer);
        if let [pick] = picks {
            match self.option(pick) {
                Some(i) if i == right => {
                    return Verdict::right(max, format!("`{answer}` is right"));
                }
                Some(i) => {
                    if let Some(p) = &compound
                        && parts(&self.options[i]).is_some()
                    {
                        return self.part_wise(p, &self.options[i], max);
                    }
                    return Verdict::wrong(max, format!("`{}` is not the answer", self.options[i]));
                }
                None if compound.is_none() => {
                    return Verdict::wrong(max, self.unknown(pick));
                }
                None => {}
            }
        }
        match &compound {
            Some(p) => self.part_wise(p, text, max),
            // A list where nothing names an option is more likely a misspelt option
            // with a comma in it than a list.
            None if picks.iter().all(|p| self.option(p).is_none()) => {
                Verdict::wrong(max, self.unknown(text))
            }
            None => Verdict::wrong(max, format!("give one option; you gave {}", picks.len())),
        }
    }

    /// Grades `given` against the parts of a compound answer, in any order.
    fn part_wise(&self, right_parts: &[String], given: &str, max: f64) -> Verdict {
        let pieces = split_parts(given);
        let squashed: Vec<String> = pieces.iter().map(|p| squash(p)).collect();
        let mut used = vec![false; pieces.len()];
        let mut feedback = Vec::new();
        let mut found = 0usize;
        for (n, part) in right_parts.iter().enumerate() {
            let hit = squashed
                .iter()
                .enumerate()
                .find(|(i, s)| !used[*i] && self.names_part(s, part));
            match hit {
                Some((i, _)) => {
                    used[i] = true;
                    found += 1;
                    feedback.push(format!("`{}` is right", shown(&pieces[i])));
                }
                None => feedback.push(match pieces.get(n) {
                    Some(p) if !used[n] => format!("`{}` is not right", shown(p)),
                    _ => format!("part {} of {} is missing", n + 1, right_parts.len()),
                }),
            }
        }
        let extra = used.iter().filter(|u| !**u).count();
        if extra > 0 && pieces.len() > right_parts.len() {
            feedback.push(format!(
                "the answer has {} parts, yours has {}: give one of each, like `a/b`",
                right_parts.len(),
                pieces.len()
            ));
        }
        let wrong_extra = pieces.len().saturating_sub(right_parts.len()).min(extra);
        let share = (found as f64 - wrong_extra as f64).max(0.0) / right_parts.len() as f64;
        Verdict {
            earned: max * share,
            max,
            correct: found == right_parts.len() && wrong_extra == 0,
            feedback,
            matched: Vec::new(),
            missed: Vec::new(),
        }
    }

    fn several(&self, right: &[usize], picks: &[String], max: f64) -> Verdict {
        let mut chosen: Vec<usize> = Vec::new();
        let mut unknown: Vec<&str> = Vec::new();
        for pick in picks {
            match self.option(pick) {
                Some(i) if !chosen.contains(&i) => chosen.push(i),
                Some(_) => {}
                None => unknown.push(pick),
            }
        }
        let hits = chosen.iter().filter(|i| right.contains(i)).count();
        let misses: Vec<&str> = chosen
            .iter()
            .filter(|i| !right.contains(i))
            .map(|i| self.options[*i].as_str())
            .collect();
        let wrong = misses.len() + unknown.len();
        let share = (hits as f64 - wrong as f64).max(0.0) / right.len() as f64;
        let mut feedback = vec![format!("{hits} of the {} right options found", right.len())];
        for m in &misses {
            feedback.push(format!("`{m}` is not one of the right options"));
        }
        for u in unknown.iter().take(3) {
            feedback.push(self.unknown(u));
        }
        if wrong > 0 {
            feedback.push("each wrong pick takes back one right one".to_owned());
        }
        Verdict {
            earned: max * share,
            max,
            correct: hits == right.len() && wrong == 0,
            feedback,
            matched: Vec::new(),
            missed: Vec::new(),
        }
    }
}
