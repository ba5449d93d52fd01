//! `labtui interview`: drills as a mock interview in the terminal, with no lab. Each
//! question is shown with its context; the answer is typed (or piped) as free text and
//! graded by the drill's rubric; the example answer and the discussion points follow; a
//! summary ends the session and each drill's attempt goes to progress.
//!
//! An answer ends with a line holding only `.`, or at the end of input, so a session can
//! be scripted: `printf 'my answer\n.\n' | labtui interview drill-averaging-percentiles`.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use color_eyre::eyre::Result;

mod dashboard;

use crate::lab::content::{Catalog, Drill};
use crate::lab::grading::{self, Verdict};
use crate::lab::paths::Paths;
use crate::lab::progress;

/// Points a drill answer is graded out of; the score shown is a percentage of it.
const POINTS: u32 = 100;

/// `labtui interview [ID...] [--tag T] [--level N] [--count N]`
#[derive(Debug, Args)]
pub struct InterviewArgs {
    /// Drills to ask, in this order (default: chosen by --tag, --level and --count)
    pub ids: Vec<String>,
    /// Only drills with this tag
    #[arg(long)]
    pub tag: Option<String>,
    /// Only drills of this level (1-5)
    #[arg(long)]
    pub level: Option<u8>,
    /// How many drills to ask
    #[arg(long, default_value_t = 3)]
    pub count: usize,
    /// Minutes per question; an answer given later is marked over time [default: the drill's]
    #[arg(long, value_name = "MINUTES")]
    pub minutes: Option<u32>,
    /// Pick the drills in this order (the same seed asks the same drills)
    #[arg(long)]
    pub seed: Option<u64>,
}

/// One asked drill and how it went.
struct Asked<'a> {
    drill: &'a Drill,
    verdict: Verdict,
    took: Duration,
    limit: Duration,
}

/// Run an interview on stdin and stdout; exit 1 when no drill fits the choice.
pub fn run(catalog: &Catalog, args: &InterviewArgs) -> Result<ExitCode> {
    let drills = match choose(catalog, args) {
        Ok(d) => d,
        Err(message) => {
            eprintln!("labtui: {message}");
            return Ok(ExitCode::from(1));
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = io::stdout().lock();
    let mut asked = Vec::with_capacity(drills.len());
    for (i, drill) in drills.iter().enumerate() {
        let limit = Duration::from_secs(u64::from(args.minutes.unwrap_or(drill.minutes)) * 60);
        writeln!(
            out,
            "\n── Question {} of {}: {} ──",
            i + 1,
            drills.len(),
            drill.title
        )?;
        let context = drill.context.trim();
        if !context.is_empty() {
            writeln!(out, "\n{context}")?;
        }
        if let Some(recorded) = &drill.recorded {
            writeln!(out)?;
            for line in dashboard::lines(recorded) {
                writeln!(out, "{line}")?;
            }
        }
        writeln!(out, "\n{}", drill.question.trim())?;
        writeln!(
            out,
            "\n(about {} min; end your answer with a line holding only `.`)",
            limit.as_secs() / 60
        )?;
        out.flush()?;
        let began = Instant::now();
        let answer = read_answer(&mut input)?;
        let took = began.elapsed();
        let verdict = grading::grade_text(&drill.rubric, drill.pass, POINTS, &answer);
        for line in feedback(drill, &verdict, took, limit) {
            writeln!(out, "{line}")?;
        }
        asked.push(Asked {
            drill,
            verdict,
            took,
            limit,
        });
    }
    for line in summary(&asked) {
        writeln!(out, "{line}")?;
    }
    record(&asked)?;
    Ok(ExitCode::SUCCESS)
}

/// The drills to ask: the ids given, else the ones matching tag and level in seeded order.
fn choose<'a>(catalog: &'a Catalog, args: &InterviewArgs) -> Result<Vec<&'a Drill>, String> {
    if !args.ids.is_empty() {
        return args
            .ids
            .iter()
            .map(|id| {
                catalog.drills.iter().find(|d| &d.id == id).ok_or_else(|| {
                    let known: Vec<&str> = catalog.drills.iter().map(|d| d.id.as_str()).collect();
                    format!("no drill {id:?}; the drills are: {}", known.join(", "))
                })
            })
            .collect();
    }
    let mut fitting: Vec<&Drill> = catalog
        .drills
        .iter()
        .filter(|d| args.tag.as_ref().is_none_or(|t| d.tags.contains(t)))
        .filter(|d| args.level.is_none_or(|l| d.level == l))
        .collect();
    if fitting.is_empty() {
        return Err(
            "no drill has that tag and level; `labtui drills` lists them with their tags".into(),
        );
    }
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    shuffle(&mut fitting, seed);
    fitting.truncate(args.count.max(1));
    Ok(fitting)
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

/// Lines up to one holding only `.`, or to the end of input.
fn read_answer(input: &mut impl BufRead) -> io::Result<String> {
    let mut answer = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 || line.trim_end() == "." {
            return Ok(answer);
        }
        answer.push_str(&line);
    }
}

fn minutes_seconds(d: Duration) -> String {
    format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
}

/// What the interviewer says back: the score, the concepts covered and missed, the
/// example answer and the points worth discussing.
fn feedback(drill: &Drill, verdict: &Verdict, took: Duration, limit: Duration) -> Vec<String> {
    let share = verdict.earned / verdict.max.max(1.0) * 100.0;
    let mark = if verdict.correct { "pass" } else { "not yet" };
    let mut lines = vec![format!(
        "\nScore: {share:.0}% ({mark}; the pass mark is {:.0}%) · answered in {}{}",
        drill.pass * 100.0,
        minutes_seconds(took),
        if took > limit { ", over the time" } else { "" }
    )];
    lines.extend(verdict.feedback.iter().map(|f| format!("  {f}")));
    if !verdict.matched.is_empty() {
        lines.push("Covered:".into());
        lines.extend(verdict.matched.iter().map(|c| format!("  ✓ {c}")));
    }
    if !verdict.missed.is_empty() {
        lines.push("Missed:".into());
        lines.extend(verdict.missed.iter().map(|c| format!("  ✗ {c}")));
    }
    let example = drill.example_answer.trim();
    if !example.is_empty() {
        lines.push(format!("\nAn example answer:\n{example}"));
    }
    if !drill.discussion.is_empty() {
        lines.push("\nWorth discussing:".into());
        lines.extend(drill.discussion.iter().map(|d| format!("  - {d}")));
    }
    lines
}

fn summary(asked: &[Asked<'_>]) -> Vec<String> {
    let mut lines = vec!["\n── Summary ──".to_string()];
    for a in asked {
        lines.push(format!(
            "{:>4.0}%  {}  {}{}",
            a.verdict.earned / a.verdict.max.max(1.0) * 100.0,
            if a.verdict.correct {
                "pass   "
            } else {
                "not yet"
            },
            a.drill.title,
            if a.took > a.limit { " (over time)" } else { "" }
        ));
    }
    let passed = asked.iter().filter(|a| a.verdict.correct).count();
    lines.push(format!("{passed} of {} passed", asked.len()));
    lines
}

/// Each drill's attempt and score (a percentage) in progress; a pass completes it.
fn record(asked: &[Asked<'_>]) -> Result<()> {
    let paths = Paths::resolve()?;
    let file = paths.progress_file();
    let mut progress = progress::load(&file)?.progress;
    let now = chrono::Utc::now();
    for a in asked {
        let share = a.verdict.earned / a.verdict.max.max(1.0) * 100.0;
        progress.record_attempt(&a.drill.id, share, now);
        progress.add_time(&a.drill.id, a.took.as_secs());
        if a.verdict.correct {
            progress.complete(&a.drill.id, now);
        }
    }
    progress::save(&file, &progress)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_ends_at_a_lone_dot_or_at_the_end_of_input() {
        let mut input = io::Cursor::new("first line\nsecond .\n.\nnext answer\n");
        assert_eq!(read_answer(&mut input).unwrap(), "first line\nsecond .\n");
        assert_eq!(read_answer(&mut input).unwrap(), "next answer\n");
        assert_eq!(read_answer(&mut input).unwrap(), "");
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
}
